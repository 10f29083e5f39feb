"""Novelty scores from fitted R and D, and the default threshold.

All scores are float64 and follow scikit-learn: higher means more normal.

* ``"D(X)"``: D's probability that X is a target sample (the paper's OCC1);
* ``"D(R(X))"``: D's probability for the reconstruction R(X) (OCC2, the
  paper's detector);
* ``"reconstruction"``: minus the mean squared reconstruction error.

Probabilities are computed in float64 from D's logit, so they do not saturate
to exact 0 or 1 (and tie) as float32 sigmoids do.
"""

from __future__ import annotations

import numpy as np

from skalocc._backend import tf_keras
from skalocc._training import reconstruction_errors

tf, keras = tf_keras()

SCORE_KINDS = ("D(R(X))", "D(X)", "reconstruction")
SCORING_BATCH_SIZE = 512


def _logits(logit_model, x: np.ndarray, reconstructor=None) -> np.ndarray:
    out = []
    for start in range(0, len(x), SCORING_BATCH_SIZE):
        batch = x[start : start + SCORING_BATCH_SIZE]
        if reconstructor is not None:
            batch = reconstructor(batch, training=False)
        out.append(np.asarray(logit_model(batch, training=False), dtype=np.float64)[:, 0])
    return np.concatenate(out)


def novelty_scores(reconstructor, discriminator, x: np.ndarray, kind: str) -> np.ndarray:
    """Score scaled inputs ``x`` (already in the networks' shape).

    Parameters
    ----------
    reconstructor, discriminator : keras.Model
        Fitted R and D.
    x : ndarray of float32
        Scaled samples, shape ``(n, *input_shape)``.
    kind : {"D(R(X))", "D(X)", "reconstruction"}
        Which score.

    Returns
    -------
    scores : ndarray of shape (n,), float64
        Higher means more normal.
    """
    if kind == "reconstruction":
        return -reconstruction_errors(reconstructor, x, SCORING_BATCH_SIZE)
    logit_model = keras.Model(discriminator.input, discriminator.get_layer("logit").output)
    logits = _logits(logit_model, x, reconstructor if kind == "D(R(X))" else None)
    # Numerically stable sigmoid in float64.
    return np.exp(-np.logaddexp(0.0, -logits))


def auto_offset(scores: np.ndarray) -> float:
    """Lower Tukey fence of the training scores: ``Q1 - 1.5 * IQR``."""
    q1, q3 = np.percentile(scores, [25, 75])
    return float(q1 - 1.5 * (q3 - q1))
