"""Novelty labels (+1 normal, -1 novelty): recognising them and keeping the normal rows."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.utils import _safe_indexing  # public, listed in scikit-learn's API reference
from sklearn.utils.validation import check_consistent_length


def novelty_labels(y) -> np.ndarray | None:
    """Return ``y`` as a 1-D array when it holds only the labels +1 and -1, else None.

    Numbers equal to 1 or -1 count (``1``, ``-1.0``, NumPy or Python
    scalars); booleans, strings, NaN and any other value do not. A column
    vector of shape ``(n, 1)`` is read as ``(n,)``; other shapes are not
    novelty labels.
    """
    if y is None:
        return None
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1 or labels.size == 0:
        return None
    if labels.dtype.kind in "iuf":
        ok = bool(np.all((labels == 1) | (labels == -1)))
    elif labels.dtype.kind == "O":  # e.g. pandas' nullable integers
        ok = all(
            isinstance(v, Real) and not isinstance(v, bool | np.bool_) and v in (1, -1)
            for v in labels
        )
    else:  # bool, str, datetime...: not +1/-1 labels
        ok = False
    return labels if ok else None


def normal_rows(X, y):
    """Return the rows of ``X`` that ``fit`` trains on, given its ``y``.

    With novelty labels (only +1 and -1, see :func:`novelty_labels`), the rows
    labelled -1 are left out; any other ``y`` (None, class labels, 0/1...) is
    ignored and ``X`` itself is returned, as scikit-learn's detectors ignore
    ``y``. ``X`` may be a NumPy array (2-D rows or 3-D/4-D images), a list or
    a pandas DataFrame; the kept rows keep that type (and column names), so
    ``normal_rows(X, y)`` is what ``X[y == 1]`` gives.

    Raises
    ------
    ValueError
        When novelty labels and ``X`` differ in length, or every label is -1.
    """
    labels = novelty_labels(y)
    if labels is None:
        return X
    check_consistent_length(X, labels)
    keep = labels == 1
    if keep.all():
        return X
    if not keep.any():
        raise ValueError(
            f"y labels all {len(labels)} samples -1 (novelty): ALOCCDetector trains on "
            "normal samples, labelled +1, and got none."
        )
    if isinstance(X, tuple):
        X = list(X)
    return _safe_indexing(X, keep)
