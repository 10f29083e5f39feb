"""
===============================================
Tuning with GridSearchCV and a labelled scorer
===============================================

A one-class detector trains on normal samples only, yet its quality can only
be measured on data with both classes. With labels +1 (normal) and -1
(novelty), scikit-learn's model selection does this as written:

* ``ALOCCDetector.fit(X, y)`` leaves the rows labelled -1 out, so every
  training fold, and the final refit, trains on normal samples only;
* :class:`~skalocc.model_selection.NoveltyKFold` cuts both classes into
  folds: its training folds hold normal samples only, and every novelty is
  tested exactly once;
* the built-in ``"roc_auc"`` scorer reads the labels of the test fold and
  scores the ranking of ``decision_function``, which the threshold does not
  affect.
"""

# %%
# Labelled data: zeros are normal (+1), a few other digits are novelties (-1).
# Data labelled 0/1 with 1 = anomaly (ADBench, PyOD) would first go through
# :func:`~skalocc.model_selection.anomaly_labels_to_novelty`.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skalocc import ALOCCDetector
from skalocc.model_selection import NoveltyKFold

X, digit = load_digits(return_X_y=True)
rng = np.random.default_rng(0)
rows = np.concatenate(
    [np.flatnonzero(digit == 0), rng.choice(np.flatnonzero(digit != 0), 60, replace=False)]
)
X, y = X[rows], np.where(digit[rows] == 0, 1, -1)

# %%
# The search: the recommended "combined" score against the paper's D(R(X)).
# ``random_state`` is fixed so that candidates differ by their parameters
# only. ``refit=True`` (the default) refits the best candidate on the normal
# rows of ``X``: ``fit`` leaves the novelties out.
search = GridSearchCV(
    ALOCCDetector(
        image_shape=(8, 8), filters=(8, 16), latent_dim=8, epochs=10, batch_size=32, random_state=0
    ),
    {"novelty_score": ["combined", "D(R(X))"]},
    scoring="roc_auc",
    cv=NoveltyKFold(n_splits=2, shuffle=True, random_state=0),
)
search.fit(X, y)

results = pd.DataFrame(search.cv_results_)
print(results[["param_novelty_score", "mean_test_score", "std_test_score"]].to_string(index=False))
print("best:", search.best_params_, f"AUROC {search.best_score_:.3f}")

# %%
# The refitted model was trained on the normal samples alone.
best = search.best_estimator_
print("refitted:", best.novelty_score_, f"offset_={best.offset_:.2f}")

# %%
# Mean validation AUROC of each candidate.
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
names = [p["novelty_score"] for p in results["params"]]
ax.barh(names, results["mean_test_score"], xerr=results["std_test_score"], color="C0")
ax.set_xlim(0.5, 1.0)
ax.set_xlabel("mean validation AUROC")
plt.show()
