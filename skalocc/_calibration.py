"""Calibration: a held-out share of the training samples, conformal p-values and thresholds.

With ``calibration_fraction`` set, ``fit`` holds a random share of the
training samples out of training and scores them with the trained networks.
For a new sample with score ``s`` (higher = more normal), its conformal
p-value is::

    p(s) = (1 + #{calibration scores <= s}) / (n_cal + 1)

If the new sample and the calibration samples are exchangeable (drawn alike,
for example all normal samples from the same source), ``P(p <= a) <= a`` for
every ``a`` in [0, 1]: the networks never saw the calibration samples, so their
scores are distributed as the scores of new normal samples. Thresholding
p-values at ``a`` keeps the false-alarm rate at or below ``a``, averaged over
the draw of the calibration set (Vovk et al., *Algorithmic Learning in a
Random World*, 2005; Angelopoulos & Bates, 2021).
"""

from __future__ import annotations

import math

import numpy as np

# "auto" aims at this false-alarm rate on new normal samples.
AUTO_RATE = 0.05


def split(
    rng: np.random.Generator, n_samples: int, fraction: float, contamination
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the calibration rows: ``(train_positions, calibration_positions)``, each sorted.

    ``round(fraction * n_samples)`` rows (at least one) are held out; at
    least one row is left for training. Too few calibration rows for the
    threshold at ``contamination`` raise here, before any training.
    """
    if n_samples < 2:
        raise ValueError(
            f"calibration_fraction={fraction} needs at least 2 training samples (one to "
            f"train on, one to calibrate with); got {n_samples}."
        )
    n_cal = min(n_samples - 1, max(1, round(fraction * n_samples)))
    _check_enough(n_cal, _rate(contamination), f"contamination={contamination!r}")
    order = rng.permutation(n_samples)
    return np.sort(order[n_cal:]), np.sort(order[:n_cal])


def _rate(contamination) -> float:
    """The false-alarm rate that ``contamination`` aims at."""
    return AUTO_RATE if contamination == "auto" else float(contamination)


def _check_enough(n_cal: int, rate: float, name: str) -> int:
    """The number of calibration scores strictly below the threshold at ``rate``."""
    k = math.floor(rate * (n_cal + 1) + 1e-9)  # p-values <= rate: #{cal <= s} <= k - 1
    if k < 1:
        raise ValueError(
            f"{name} needs at least {math.ceil(1 / rate) - 1} calibration samples "
            f"(the smallest p-value is 1 / (n_cal + 1)); got {n_cal}. Raise "
            "calibration_fraction or give more training samples."
        )
    return k


def conformal_offset(calibration_scores: np.ndarray, rate: float, name: str) -> float:
    """The threshold under which exactly the samples with ``p <= rate`` fall.

    With the calibration scores sorted, ``c_(1) <= ... <= c_(n)``, and
    ``k = floor(rate * (n + 1))``, a score ``s`` has ``p(s) <= rate`` if and
    only if ``#{c <= s} <= k - 1``, that is ``s < c_(k)``: ``predict`` flags
    ``s < offset_`` with ``offset_ = c_(k)``.
    """
    ordered = np.sort(np.asarray(calibration_scores, dtype=np.float64))
    k = _check_enough(len(ordered), rate, name)
    return float(ordered[k - 1])


def offset(contamination, training_scores: np.ndarray, calibration_scores) -> float:
    """``offset_`` for ``contamination`` ("auto" or a float in (0, 0.5]).

    * a float ``a`` with calibration: the conformal threshold, so that new
      normal samples are flagged at a rate of at most ``a``;
    * a float ``a`` without calibration: the ``a``-quantile of the training
      scores (a share ``a`` of the training samples is flagged);
    * "auto": as the float ``AUTO_RATE`` (0.05), either way.
    """
    rate = _rate(contamination)
    name = f"contamination={contamination!r}"
    if calibration_scores is not None:
        return conformal_offset(calibration_scores, rate, name)
    return float(np.percentile(training_scores, 100.0 * rate))


def pvalues(calibration_scores: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Conformal p-values ``(1 + #{calibration scores <= s}) / (n_cal + 1)`` of ``scores``."""
    ordered = np.sort(np.asarray(calibration_scores, dtype=np.float64))
    below = np.searchsorted(ordered, np.asarray(scores, dtype=np.float64), side="right")
    return (1.0 + below) / (len(ordered) + 1.0)


def fitted_scores(
    reconstructor, discriminator, kind: str, train_rows, calibration_rows, rng: np.random.Generator
):
    """Scores of the training rows, the score reference, and the calibration scores.

    The reference of the "combined" and "features" scores comes from the
    training rows only, so that the calibration samples are scored exactly as
    new samples are. The "features" score's training scores are the
    leave-one-out scores of its reference rows (:mod:`skalocc._features`).

    Parameters
    ----------
    reconstructor, discriminator : keras.Model
        The fitted float64 networks.
    kind : str
        The score (``novelty_score``).
    train_rows, calibration_rows : InMemoryRows or ScaledRows
        The rows trained on and the rows held out (None without calibration).
    rng : numpy.random.Generator
        Draws the "features" score's reference rows on large data.

    Returns
    -------
    scores : ndarray of float64
        Scores of the training rows (or of the "features" score's reference rows).
    reference : ScoreReference, FeatureReference or None
        What the score needs from the training data, None for the others.
    calibration_scores : ndarray of float64 or None
        Scores of the calibration rows, sorted; None without calibration.
    """
    from skalocc._scoring import novelty_scores, training_scores

    nets = reconstructor, discriminator
    if kind == "features":
        from skalocc._features import fitted_reference

        reference, scores = fitted_reference(discriminator, train_rows, rng)
    else:
        scores, reference = training_scores(*nets, train_rows.scaled_chunks(), kind)
    if calibration_rows is None:
        return scores, reference, None
    calibration = [
        novelty_scores(*nets, x, kind, reference) for x in calibration_rows.scaled_chunks()
    ]
    return scores, reference, np.sort(np.concatenate(calibration))
