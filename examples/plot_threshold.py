"""
=====================
Choosing a threshold
=====================

Scores rank samples; the threshold ``offset_`` turns them into labels
(``predict``). ALOCC sets it in ``fit`` from the training scores:

* ``contamination="auto"`` (default): the lower Tukey fence of the training
  scores, so that only unusually low training samples fall below it;
* ``contamination=c``: the ``c`` quantile, so that a share ``c`` of the
  training samples is flagged.

A third way needs no refit: hold out some normal samples and place the
threshold where a chosen share of them would be flagged, which fixes the
false-alarm rate on normal data.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty

X_train, X_test, y_test = load_digits_novelty(target=0, test_size=0.5, random_state=0)
params = dict(
    image_shape=(8, 8), filters=(8, 16), latent_dim=8, epochs=20, batch_size=32, random_state=0
)
detector = ALOCCDetector(**params).fit(X_train)
scores = detector.score_samples(X_test)

# %%
# Thresholds: "auto", contamination=0.1 (same training, so the same scores;
# the offset is the 10% quantile of the training scores), and a 5%
# false-alarm rate on held-out normal samples. The held-out zeros here are
# half of the test zeros; the other half and the other digits measure the
# result.
thresholds = {"contamination='auto'": detector.offset_}
thresholds["contamination=0.1"] = float(np.percentile(detector.score_samples(X_train), 10))
test_zeros = np.flatnonzero(y_test == 1)
calibration, evaluation_zeros = test_zeros[::2], test_zeros[1::2]
thresholds["5% false alarms (held-out)"] = float(np.percentile(scores[calibration], 5))

evaluation = np.concatenate([evaluation_zeros, np.flatnonzero(y_test == -1)])
for name, t in thresholds.items():
    flagged = scores[evaluation] < t
    normal = y_test[evaluation] == 1
    print(
        f"{name:28s} threshold {t:7.2f}: false alarms {flagged[normal].mean():5.1%}, "
        f"novelties caught {flagged[~normal].mean():5.1%}"
    )

# %%
# Thresholds taken from the training scores are optimistic: the networks fit
# their own training samples better than new samples of the same class, so
# new normal samples score lower, and more of them than the training share
# fall below a training quantile. A threshold set on held-out normal samples
# meets its false-alarm target on new data; use one when the false-alarm rate
# matters.
#
# ``ALOCCDetector(..., contamination=0.1)`` trained with the same seed gives
# the same networks and sets ``offset_`` to that quantile of the training
# scores, so ``predict`` then flags 10% of training-like data. The held-out
# threshold is not stored in the estimator: compare ``score_samples`` (or
# ``decision_function`` plus ``offset_``) with it yourself.

# %%
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
bins = np.linspace(scores.min(), scores.max(), 50)
ax.hist(scores[y_test == 1], bins=bins, alpha=0.6, density=True, label="normal (zeros)")
ax.hist(scores[y_test == -1], bins=bins, alpha=0.6, density=True, label="novelties")
for (name, t), style in zip(thresholds.items(), ["--", "-.", ":"], strict=True):
    ax.axvline(t, color="k", linestyle=style, label=name)
ax.set_xlabel("score_samples")
ax.legend(fontsize=8)
plt.show()
