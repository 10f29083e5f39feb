"""Novelty scores from fitted R and D (thresholds: skalocc._calibration).

All scores are float64 and follow scikit-learn: higher means more normal.

* ``"D(X)"``: D's probability that X is a target sample (the paper's OCC1);
* ``"D(R(X))"``: D's probability for the reconstruction R(X) (OCC2, the
  paper's detector);
* ``"reconstruction"``: minus the mean squared reconstruction error;
* ``"combined"``: D's logit for X plus minus the root mean squared
  reconstruction error, each standardised by its median and standard
  deviation over the training samples (a :class:`ScoreReference`), so the
  two carry equal weight whatever their units;
* ``"features"``: minus the distance to the nearest training sample in D's
  hidden representation (:mod:`skalocc._features`).

The networks run compiled, in float32 (:mod:`skalocc._compiled`), on
batches of exactly ``SCORING_BATCH_SIZE`` rows; everything after them is
float64: probabilities are computed in float64 from D's logit, so they do
not saturate to exact 0 or 1 (and tie) as float32 sigmoids do, and
reconstruction errors are summed in float64.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from skalocc._compiled import as_float32, compiled

SCORING_BATCH_SIZE = 512


def _fixed_batches(x: np.ndarray, batch_size: int):
    """Yield ``(batch, n)``: batches of exactly ``batch_size`` rows, ``n`` of them real.

    The last batch is padded with copies of its first row: the kernels'
    summation order depends on the batch's shape, so a fixed shape makes a
    sample's score independent of how many other samples share the call.
    """
    for start in range(0, len(x), batch_size):
        batch = x[start : start + batch_size]
        n = len(batch)
        if n < batch_size:
            batch = np.concatenate([batch, np.repeat(batch[:1], batch_size - n, axis=0)])
        yield batch, n


def forward(
    model, x: np.ndarray, output: str = "output", batch_size: int = SCORING_BATCH_SIZE
) -> np.ndarray:
    """``model``'s ``output`` for scaled samples ``x``, compiled, on fixed-size batches.

    Parameters
    ----------
    model : keras.Model
        A fitted network (:func:`skalocc._compiled.compiled` runs its float32
        copy).
    x : ndarray
        Scaled samples, shape ``(n, *input_shape)``.
    output : {"output", "logit", "features"}, default="output"
        Which output of ``model``.
    batch_size : int, default=SCORING_BATCH_SIZE
        Rows per batch (the last one padded).

    Returns
    -------
    outputs : ndarray of float64
        One row of outputs per sample.
    """
    function = compiled(model, output, batch_size)
    parts = [
        np.asarray(function(as_float32(batch)), dtype=np.float64)[:n]
        for batch, n in _fixed_batches(x, batch_size)
    ]
    return np.concatenate(parts) if parts else np.zeros((0,), dtype=np.float64)


def _squared_errors(reconstruction, batch: np.ndarray, n: int) -> np.ndarray:
    """Mean squared error of R's ``reconstruction`` of the first ``n`` rows of a batch.

    The (float32) reconstruction is cast to float64 before the difference, so
    the error is summed in float64.
    """
    rec = np.asarray(reconstruction, dtype=np.float64)[:n]
    diff = rec - np.asarray(batch[:n], dtype=np.float64)
    return np.mean(diff.reshape(n, -1) ** 2, axis=1)


def reconstruction_errors(reconstructor, x: np.ndarray, batch_size: int) -> np.ndarray:
    """Mean squared error per sample between ``x`` and ``R(x)``, as float64, eagerly.

    Calls ``reconstructor`` itself (no compiled copy): training's stopping
    rule uses it on R while R's weights change. Scoring uses the compiled
    path (:func:`novelty_scores`). Computed batch by batch, so R's output for
    all of ``x`` is never held.
    """
    parts = [
        _squared_errors(reconstructor(b, training=False), b, n)
        for b, n in _fixed_batches(x, batch_size)
    ]
    return np.concatenate(parts) if parts else np.zeros((0,), dtype=np.float64)


def _compiled_reconstruction_errors(reconstructor, x: np.ndarray) -> np.ndarray:
    """:func:`reconstruction_errors` through R's compiled float32 function."""
    r_fn = compiled(reconstructor, "output", SCORING_BATCH_SIZE)
    parts = [
        _squared_errors(r_fn(as_float32(b)), b, n) for b, n in _fixed_batches(x, SCORING_BATCH_SIZE)
    ]
    return np.concatenate(parts) if parts else np.zeros((0,), dtype=np.float64)


def _logits(reconstructor, discriminator, x: np.ndarray, of_reconstruction: bool) -> np.ndarray:
    """D's pre-sigmoid output for ``x`` (or for ``R(x)``), as float64."""
    if not of_reconstruction:
        return forward(discriminator, x, "logit")[:, 0]
    r_fn = compiled(reconstructor, "output", SCORING_BATCH_SIZE)
    d_fn = compiled(discriminator, "logit", SCORING_BATCH_SIZE)
    parts = [
        np.asarray(d_fn(r_fn(as_float32(b))), dtype=np.float64)[:n, 0]
        for b, n in _fixed_batches(x, SCORING_BATCH_SIZE)
    ]
    return np.concatenate(parts) if parts else np.zeros((0,), dtype=np.float64)


def _components(reconstructor, discriminator, x: np.ndarray) -> np.ndarray:
    """The two raw parts of the combined score, shape ``(n, 2)``.

    One pass over fixed-size batches: each batch goes through D and R while
    it is in cache, and only two numbers per sample are kept.
    """
    r_fn = compiled(reconstructor, "output", SCORING_BATCH_SIZE)
    d_fn = compiled(discriminator, "logit", SCORING_BATCH_SIZE)
    parts = np.empty((len(x), 2), dtype=np.float64)
    start = 0
    for batch, n in _fixed_batches(x, SCORING_BATCH_SIZE):
        batch32 = as_float32(batch)
        parts[start : start + n, 0] = np.asarray(d_fn(batch32), dtype=np.float64)[:n, 0]
        parts[start : start + n, 1] = -np.sqrt(_squared_errors(r_fn(batch32), batch, n))
        start += n
    return parts


@dataclass(frozen=True)
class ScoreReference:
    """Centre and spread of the combined score's parts on the training data."""

    center: tuple[float, float]
    scale: tuple[float, float]

    @classmethod
    def from_parts(cls, parts: np.ndarray) -> ScoreReference:
        """Median and standard deviation of the parts of the training samples."""
        center = np.median(parts, axis=0)
        scale = np.std(parts, axis=0)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        return cls(tuple(float(v) for v in center), tuple(float(v) for v in scale))


def _combine(parts: np.ndarray, reference: ScoreReference) -> np.ndarray:
    return np.sum((parts - reference.center) / reference.scale, axis=1)


def training_scores(
    reconstructor, discriminator, chunks: Iterable[np.ndarray], kind: str
) -> tuple[np.ndarray, ScoreReference | None]:
    """Scores of the training samples and, for "combined", its reference.

    ``chunks`` are the scaled training samples, in one or more consecutive
    pieces. The combined score's parts are computed once and serve both.
    """
    if kind != "combined":
        scores = [novelty_scores(reconstructor, discriminator, x, kind) for x in chunks]
        return np.concatenate(scores), None
    parts = np.concatenate([_components(reconstructor, discriminator, x) for x in chunks])
    reference = ScoreReference.from_parts(parts)
    return _combine(parts, reference), reference


def novelty_scores(
    reconstructor,
    discriminator,
    x: np.ndarray,
    kind: str,
    reference: ScoreReference | None = None,
) -> np.ndarray:
    """Score scaled inputs ``x`` (already in the networks' shape).

    Parameters
    ----------
    reconstructor, discriminator : keras.Model
        Fitted R and D.
    x : ndarray
        Scaled samples, shape ``(n, *input_shape)``.
    kind : {"D(R(X))", "D(X)", "reconstruction", "combined", "features"}
        Which score.
    reference : ScoreReference, FeatureReference or None
        Required for ``"combined"`` (a ScoreReference) and ``"features"``
        (a :class:`skalocc._features.FeatureReference`).

    Returns
    -------
    scores : ndarray of shape (n,), float64
        Higher means more normal.
    """
    if kind == "features":
        from skalocc._features import feature_scores

        if reference is None:
            raise ValueError("The features score needs a FeatureReference from the training data.")
        return feature_scores(discriminator, x, reference)
    if kind == "reconstruction":
        return -_compiled_reconstruction_errors(reconstructor, x)
    if kind == "combined":
        if reference is None:
            raise ValueError("The combined score needs a ScoreReference from the training data.")
        return _combine(_components(reconstructor, discriminator, x), reference)
    logits = _logits(reconstructor, discriminator, x, of_reconstruction=kind == "D(R(X))")
    # Numerically stable sigmoid in float64.
    return np.exp(-np.logaddexp(0.0, -logits))
