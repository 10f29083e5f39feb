"""Input scaling, learned in ``fit`` and kept with the model: an affine map per feature.

Two rules (the ``scaling`` parameter):

* ``"minmax"``: the training range maps to [0, 1];
* ``"standard"``: the mean minus and plus ``STANDARD_SPAN`` standard
  deviations map to 0 and 1 (a standardisation, shifted and shrunk so that
  the bulk of the values lands in [0, 1] like min-max scaled ones). Its span
  follows the column's spread rather than its single most extreme value, so
  a heavy-tailed column is squashed into a corner of [0, 1] less.

Images share one map over all pixels (so uint8 images and images already in
[0, 1] both work, and a pixel that is constant in training does not blow up).
Tabular rows get one map per feature. A constant feature gets range (or
standard deviation) 1. New data is not clipped: values outside the training
range map outside [0, 1], which the networks see as unusual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: ``"standard"`` scaling maps ``mean - STANDARD_SPAN * std`` to 0 and
#: ``mean + STANDARD_SPAN * std`` to 1.
STANDARD_SPAN = 4.0


@dataclass(frozen=True)
class FeatureSummary:
    """Per-feature count, minimum, maximum, mean and variance of the training rows."""

    count: int
    minimum: np.ndarray
    maximum: np.ndarray
    mean: np.ndarray
    variance: np.ndarray


# feature_summary folds rows in blocks of exactly this many, whatever the chunking.
_SUMMARY_BLOCK = 1024


def _fixed_blocks(chunks: Iterable[np.ndarray]):
    """Re-cut consecutive 2-D chunks into blocks of ``_SUMMARY_BLOCK`` rows (the last shorter)."""
    pending, held = [], 0
    for chunk in chunks:
        # C order: NumPy's sums along axis 0 take a different path (pairwise)
        # on column-major input such as a DataFrame's values.
        chunk = np.ascontiguousarray(chunk, dtype=np.float64)
        while len(chunk):
            take = min(_SUMMARY_BLOCK - held, len(chunk))
            pending.append(chunk[:take])
            held += take
            chunk = chunk[take:]
            if held == _SUMMARY_BLOCK:
                yield pending[0] if len(pending) == 1 else np.concatenate(pending)
                pending, held = [], 0
    if held:
        yield pending[0] if len(pending) == 1 else np.concatenate(pending)


def feature_summary(chunks: Iterable[np.ndarray]) -> FeatureSummary:
    """Summarise the rows of consecutive 2-D ``chunks`` in one pass.

    The rows are folded in blocks of a fixed size whatever the chunks are, and
    the blocks' means and variances merged in order (Chan, Golub and LeVeque's
    pairwise update), so a streamed input gives bit for bit the moments of the
    same rows in memory, without holding more than a block and a chunk.
    """
    count, low, high, mean, m2 = 0, None, None, None, None
    for block in _fixed_blocks(chunks):
        n = len(block)
        b_mean = block.mean(axis=0)
        b_m2 = np.sum((block - b_mean) ** 2, axis=0)
        b_low, b_high = block.min(axis=0), block.max(axis=0)
        if count == 0:
            low, high, mean, m2 = b_low, b_high, b_mean, b_m2
        else:
            total = count + n
            delta = b_mean - mean
            mean = mean + delta * (n / total)
            m2 = m2 + b_m2 + delta**2 * (count * n / total)
            low, high = np.minimum(low, b_low), np.maximum(high, b_high)
        count += n
    return FeatureSummary(count, low, high, mean, m2 / max(count, 1))


@dataclass(frozen=True)
class MinMaxScaling:
    """Affine map ``x -> (x - minimum) / scale`` (min-max or standard, see the module).

    Attributes
    ----------
    minimum : ndarray
        Scalar (images) or one value per feature (tabular): the value mapped to 0.
    scale : ndarray
        Positive span mapped to [0, 1], same shape as ``minimum``.
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

    @classmethod
    def from_summary(
        cls, summary: FeatureSummary, rule: str, *, per_feature: bool
    ) -> MinMaxScaling:
        """The ``rule`` ("minmax" or "standard") scaling of the summarised rows."""
        if rule == "minmax":
            return cls.from_extremes(summary.minimum, summary.maximum, per_feature=per_feature)
        if rule != "standard":
            raise ValueError(f"Unknown scaling rule {rule!r}.")
        mean, variance = summary.mean, summary.variance
        varies = summary.maximum > summary.minimum  # exact, unlike a tiny rounded variance
        if not per_feature:  # pooled over equally counted features
            pooled = np.mean(mean)
            variance, mean = np.mean(variance + (mean - pooled) ** 2), pooled
            varies = np.any(varies)
        std = np.sqrt(np.asarray(variance, dtype=np.float64))
        std = np.where(varies & np.isfinite(std) & (std > 0), std, 1.0)
        minimum = np.asarray(mean, dtype=np.float64) - STANDARD_SPAN * std
        return cls(np.asarray(minimum), np.asarray(2 * STANDARD_SPAN * std))

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
