"""
=====================================================
Choosing a threshold: p-values and false-alarm rates
=====================================================

Scores rank samples; the threshold ``offset_`` turns them into labels
(``predict``). Where it lies decides how many normal samples are flagged by
mistake. Thresholds read off the training scores are optimistic: the networks
fitted those samples, so new normal samples score lower.

``calibration_fraction`` holds a share of the training samples out of
training and scores them afterwards. Their scores give conformal p-values
(``pvalues``; small = novel) and, with ``contamination=a``, a threshold that
flags at most a share ``a`` of new normal samples (in expectation). This
example compares it with the threshold from the training scores on digits.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty

X_train, X_test, y_test = load_digits_novelty(target=0, test_size=0.3, random_state=0)
params = dict(
    image_shape=(8, 8), filters=(8, 16), latent_dim=8, epochs=20, batch_size=32, random_state=0
)
rate = 0.05  # the false-alarm rate we accept
calibrated = ALOCCDetector(calibration_fraction=0.3, contamination=rate, **params).fit(X_train)
plain = ALOCCDetector(contamination=rate, **params).fit(X_train)
print(
    f"{len(X_train)} training zeros, {len(calibrated.calibration_scores_)} of them held out "
    "to calibrate"
)

# %%
# False alarms (held-out zeros flagged) and novelties caught (other digits
# flagged) by each threshold. The uncalibrated detector puts ``offset_`` at
# the 5% quantile of its training scores; the calibrated one at the
# conformal threshold, which flags exactly the samples with ``p <= 0.05``.
normal = y_test == 1
for name, det in [("training quantile", plain), ("calibrated", calibrated)]:
    flagged = det.predict(X_test) == -1
    print(
        f"{name:18s} false alarms {flagged[normal].mean():5.1%}, "
        f"novelties caught {flagged[~normal].mean():5.1%}"
    )

# %%
# Here each held-out zero weighs almost two percentage points, so these
# rates are rough. ``docs/benchmarks.md`` has them measured on digits 0-2,
# on thousands of generated rows and on an MNIST class: where the
# networks fit their training samples closely (small data, images), the
# training quantile flags two to three times its target on new normal
# samples; the calibrated threshold stays at its target wherever the new
# samples are drawn like the training ones.
#
# The p-values of new normal samples are close to uniform on (0, 1]; those
# of novelties pile up near 0. The dashed line is the rate chosen: every
# sample left of it is flagged. With only a few dozen calibration samples
# the p-values take few distinct values, and the rate that a particular
# calibration set gives varies around its target (its standard deviation is
# about ``sqrt(a (1 - a) / n_cal)``); more calibration samples steady it.
p = calibrated.pvalues(X_test)
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
bins = np.linspace(0, 1, 21)
ax.hist(p[normal], bins=bins, alpha=0.6, density=True, label="normal (held-out zeros)")
ax.hist(p[~normal], bins=bins, alpha=0.6, density=True, label="novelties (other digits)")
ax.axvline(rate, color="k", linestyle="--", label=f"false-alarm rate {rate}")
ax.set_xlabel("pvalues(X)")
ax.set_ylabel("density")
ax.legend(fontsize=8)
plt.show()

# %%
# Which to use: calibrate when the false-alarm rate matters or p-values are
# wanted (0.1 to 0.3 of the training data; a rate ``a`` needs at least
# ``1 / a - 1`` calibration samples). Without calibration every sample trains
# the networks, and ``contamination`` only fixes the share of *training*
# samples flagged: check the rate on held-out normal data yourself.
