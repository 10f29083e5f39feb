"""Min-max scaling to [0, 1], learned in ``fit`` and kept with the model.

Images share one minimum and one range over all pixels (so uint8 images and
images already in [0, 1] both work, and a pixel that is constant in training
does not blow up). Tabular rows get one minimum and range per feature. A
constant feature gets range 1. New data is not clipped: values outside the
training range map outside [0, 1], which the networks see as unusual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


def feature_extremes(chunks: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature minimum and maximum over the rows of consecutive 2-D ``chunks``."""
    low = high = None
    for chunk in chunks:
        c_low, c_high = np.min(chunk, axis=0), np.max(chunk, axis=0)
        low = c_low if low is None else np.minimum(low, c_low)
        high = c_high if high is None else np.maximum(high, c_high)
    return low, high


@dataclass(frozen=True)
class MinMaxScaling:
    """Affine map ``x -> (x - minimum) / scale``.

    Attributes
    ----------
    minimum : ndarray
        Scalar (images) or one value per feature (tabular).
    scale : ndarray
        Positive range, same shape as ``minimum``.
    """

    minimum: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray, per_feature: bool) -> MinMaxScaling:
        """Learn the minimum and range of 2-D ``X`` (rows are samples)."""
        axis = 0 if per_feature else None
        return cls.from_extremes(np.min(X, axis=axis), np.max(X, axis=axis))

    @classmethod
    def from_extremes(cls, minimum, maximum, *, per_feature: bool = True) -> MinMaxScaling:
        """Scaling from per-feature minima and maxima (pooled unless ``per_feature``)."""
        if not per_feature:  # the minimum of the per-feature minima is exact
            minimum, maximum = np.min(minimum), np.max(maximum)
        minimum = np.asarray(minimum, dtype=np.float64)
        scale = np.asarray(maximum, dtype=np.float64) - minimum
        scale = np.where(scale > 0, scale, 1.0)
        return cls(np.asarray(minimum), np.asarray(scale))

    def transform(self, X: np.ndarray, dtype=np.float32) -> np.ndarray:
        """Scale 2-D ``X`` to ``dtype``, checking that it stays finite."""
        scaled = (np.asarray(X, dtype=np.float64) - self.minimum) / self.scale
        limit = float(np.finfo(dtype).max)
        # Two reductions instead of an |x| copy; NaN fails both comparisons.
        if scaled.size and not (scaled.min() >= -limit and scaled.max() <= limit):
            raise ValueError(
                f"Input contains values too large for {np.dtype(dtype).name} after "
                "scaling to the training range."
            )
        return scaled.astype(dtype, copy=False)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        """Map scaled 2-D values back to the input's scale, as float64."""
        return np.asarray(X, dtype=np.float64) * self.scale + self.minimum
