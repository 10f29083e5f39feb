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

tf, keras = tf_keras()

SCORING_BATCH_SIZE = 512


def forward(fn, x: np.ndarray, batch_size: int = SCORING_BATCH_SIZE) -> np.ndarray:
    """Apply ``fn`` (a model, in inference mode) batch by batch; float64 out."""
    parts = [
        np.asarray(fn(x[start : start + batch_size], training=False), dtype=np.float64)
        for start in range(0, len(x), batch_size)
    ]
    return np.concatenate(parts) if parts else np.zeros((0,), dtype=np.float64)


def reconstruction_errors(reconstructor, x: np.ndarray, batch_size: int) -> np.ndarray:
    """Mean squared error per sample between ``x`` and ``R(x)``, as float64."""
    diff = forward(reconstructor, x, batch_size) - x.astype(np.float64)
    return np.mean(diff.reshape(len(x), -1) ** 2, axis=1)


def novelty_scores(reconstructor, discriminator, x: np.ndarray, kind: str) -> np.ndarray:
    """Score scaled inputs ``x`` (already in the networks' shape).

    Parameters
    ----------
    reconstructor, discriminator : keras.Model
        Fitted R and D.
    x : ndarray
        Scaled samples (float64 for exact, batch-independent scores), shape ``(n, *input_shape)``.
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
    if kind == "D(R(X))":

        def fn(batch, training):
            return logit_model(reconstructor(batch, training=training), training=training)

    else:
        fn = logit_model
    logits = forward(fn, x)[:, 0]
    # Numerically stable sigmoid in float64.
    return np.exp(-np.logaddexp(0.0, -logits))


def auto_offset(scores: np.ndarray) -> float:
    """Lower Tukey fence of the training scores: ``Q1 - 1.5 * IQR``."""
    q1, q3 = np.percentile(scores, [25, 75])
    return float(q1 - 1.5 * (q3 - q1))
