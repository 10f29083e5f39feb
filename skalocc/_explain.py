"""Per-feature explanations: how much each value of a sample makes it look novel.

The contribution of feature ``j`` of sample ``x`` is R's squared
reconstruction error on that feature, on inputs scaled to the training range
(:class:`skalocc._scaling.MinMaxScaling`, ``x~ = (x - minimum) / scale``)::

    c_j(x) = (x~_j - R(x~)_j) ** 2

Contributions are non-negative and add up to ``n_features * MSE(x)``, the
(negated) "reconstruction" score times the number of features, and to the
square of the reconstruction part of the "combined" score (``RMSE ** 2``
times ``n_features``): the explanation splits the reconstruction part of the
score exactly, feature by feature (pixel by pixel in image mode). Values R
cannot rebuild from what it learned of the target class (a shifted column, a
patch that normal images do not have) get the largest contributions.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def contributions(reconstructor, chunks: Iterable[np.ndarray]) -> np.ndarray:
    """``(x~ - R(x~)) ** 2`` per feature for scaled chunks, as rows of float64.

    Parameters
    ----------
    reconstructor : keras.Model
        The fitted R (its compiled float32 copy runs, as in scoring).
    chunks : iterable of ndarray
        Scaled samples in the networks' shape, consecutive pieces of the input.

    Returns
    -------
    contributions : ndarray of shape (n_samples, n_features), float64
        Non-negative.
    """
    from skalocc._scoring import forward

    parts = []
    for x in chunks:
        rec = forward(reconstructor, x)
        parts.append(((rec - x) ** 2).reshape(len(x), -1))
    return np.concatenate(parts)
