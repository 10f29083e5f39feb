"""
==========
Quickstart
==========

Train :class:`~skalocc.ALOCCDetector` on one digit of scikit-learn's 8x8
digits, then score held-out images of that digit (inliers) and of the nine
others (novelties). Higher scores mean "more like the training digit".
"""

# %%
# One-class data: the training set holds zeros only; the test set holds the
# remaining zeros (label +1) and every other digit (label -1).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty

X_train, X_test, y_test = load_digits_novelty(target=0, random_state=0)
print(
    f"{len(X_train)} training zeros; test: {np.sum(y_test == 1)} zeros, "
    f"{np.sum(y_test == -1)} other digits"
)

# %%
# Fit. ``image_shape=(8, 8)`` makes the 64 columns images, so R and D are
# convolutional. Small widths and 20 epochs keep this example quick; the
# defaults train wider and longer.
detector = ALOCCDetector(
    image_shape=(8, 8),
    filters=(8, 16),
    latent_dim=8,
    epochs=20,
    batch_size=32,
    random_state=0,
)
detector.fit(X_train)

# %%
# Score and label the test images. ``predict`` returns +1 (inlier) or -1
# (novelty), using the threshold ``offset_`` learned in ``fit``.
scores = detector.score_samples(X_test)
labels = detector.predict(X_test)
print(f"AUROC: {roc_auc_score(y_test, scores):.3f}")
print(
    f"zeros kept as inliers: {np.mean(labels[y_test == 1] == 1):.0%}; "
    f"other digits flagged: {np.mean(labels[y_test == -1] == -1):.0%}"
)

# %%
# The score distributions of the two groups, with the threshold.
fig, ax = plt.subplots(layout="constrained")
bins = np.linspace(scores.min(), scores.max(), 40)
ax.hist(scores[y_test == 1], bins=bins, alpha=0.7, density=True, label="held-out zeros")
ax.hist(scores[y_test == -1], bins=bins, alpha=0.7, density=True, label="other digits")
ax.axvline(detector.offset_, color="k", linestyle="--", label="threshold (offset_)")
ax.set_xlabel("score_samples (higher = more normal)")
ax.set_ylabel("density")
ax.legend()
plt.show()
