"""
=================================================
Reconstructions and the discriminator's verdicts
=================================================

ALOCC's reconstructor R maps samples onto the class it was trained on; its
discriminator D gives the probability that an input is a real target sample.
Figs. 1 and 9 of the paper show samples X over their reconstructions R(X),
with D(X) and D(R(X)). :class:`~skalocc.plotting.ReconstructionDisplay`
draws the same montage for a fitted detector.
"""

# %%
import numpy as np

from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty
from skalocc.plotting import ReconstructionDisplay

X_train, X_test, y_test = load_digits_novelty(target=1, random_state=0)
# Small networks; a higher learning rate and 100 short epochs (300 steps) let
# R learn to reconstruct within seconds.
detector = ALOCCDetector(
    image_shape=(8, 8),
    filters=(8, 16),
    latent_dim=8,
    epochs=100,
    batch_size=32,
    learning_rate=1e-3,
    random_state=0,
).fit(X_train)

# %%
# Five held-out ones (inliers) and five other digits (outliers).
inliers = np.flatnonzero(y_test == 1)[:5]
outliers = np.flatnonzero(y_test == -1)[::180][:5]
rows = np.concatenate([inliers, outliers])
labels = ["inlier"] * 5 + ["outlier"] * 5

display = ReconstructionDisplay.from_estimator(detector, X_test[rows], labels=labels)
_ = display.figure_.suptitle("Target digit 1: X (top) and R(X) (bottom)")

# %%
# R turns the other digits into something closer to a "1": the
# reconstruction error, part of the default "combined" score, grows. D's
# probabilities are listed under each column;
# :func:`~skalocc.plotting.discriminator_probabilities` returns them for any
# samples.
errors = np.mean((detector.reconstruct(X_test[rows]) - X_test[rows]) ** 2, axis=1)
for label, err, score in zip(labels, errors, detector.score_samples(X_test[rows]), strict=True):
    print(f"{label:8s} reconstruction MSE {err:6.2f}   score_samples {score:6.2f}")
