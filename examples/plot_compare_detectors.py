"""
===================================================
ALOCC next to IsolationForest, OneClassSVM and LOF
===================================================

Every detector is trained on the same images of one digit and ranks the same
test set; ROC curves compare the rankings (the area under each is the AUROC).
All four share scikit-learn's API, so one loop fits and scores them.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.ensemble import IsolationForest
from sklearn.metrics import RocCurveDisplay
from sklearn.neighbors import LocalOutlierFactor
from sklearn.svm import OneClassSVM

from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty

X_train, X_test, y_test = load_digits_novelty(target=3, random_state=0)

detectors = {
    # The defaults: on this small set (about 90 training images) "auto"
    # scores by the distance to the nearest training image in D's
    # representation; the fit takes about 20 s on two CPU cores.
    "ALOCCDetector": ALOCCDetector(image_shape=(8, 8), random_state=0),
    "IsolationForest": IsolationForest(random_state=0),
    "OneClassSVM": OneClassSVM(gamma="scale"),
    "LocalOutlierFactor": LocalOutlierFactor(novelty=True),
}

# %%
# Fit on the training threes, score the test set. ``score_samples`` is
# "higher = more normal" for all four, so the inliers (+1) are the positive
# class of the ROC curve.
fig, ax = plt.subplots(figsize=(5.5, 5), layout="constrained")
for name, detector in detectors.items():
    detector.fit(X_train)
    RocCurveDisplay.from_predictions(
        y_test, detector.score_samples(X_test), pos_label=1, name=name, ax=ax
    )
ax.plot([0, 1], [0, 1], color="gray", linestyle=":", linewidth=1)
ax.set_title("Target digit 3: inliers vs the nine other digits")
plt.show()

# %%
# With its defaults ALOCC ranks these 8x8 threes best of the four (AUROC
# 0.99, against 0.98 for IsolationForest and LocalOutlierFactor and 0.97 for
# OneClassSVM). Over all ten digits of this protocol it is ahead of these
# three (mean AUROC 0.991 against 0.985 at best) but behind PCA's
# reconstruction error and nearest-neighbour distances on the pixels
# (0.995-0.996). On MNIST the defaults are ahead of all three on the mean
# AUROC (0.982 against 0.973 for LocalOutlierFactor): see the benchmark
# tables.
