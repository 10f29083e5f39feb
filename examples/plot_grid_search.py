"""
===============================================
Tuning with GridSearchCV and a labelled scorer
===============================================

A one-class detector trains on normal samples only, yet its quality can only
be measured on data with both classes. scikit-learn's model selection handles
this with two ingredients:

* explicit splits, whose training folds hold normal samples only and whose
  validation folds hold both classes;
* a scorer that reads the validation labels and scores the ranking
  (AUROC of ``score_samples``), which the threshold does not affect.

``fit`` ignores ``y``, so the labels only ever reach the scorer.
"""

# %%
# Labelled data: zeros are normal (+1), a few other digits are novelties (-1).
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, KFold

from skalocc import ALOCCDetector

X, digit = load_digits(return_X_y=True)
rng = np.random.default_rng(0)
normal = np.flatnonzero(digit == 0)
novel = rng.choice(np.flatnonzero(digit != 0), size=60, replace=False)
X = np.concatenate([X[normal], X[novel]])
y = np.concatenate([np.ones(len(normal), int), -np.ones(len(novel), int)])

# %%
# Splits: the normal samples are cut into two folds; each split trains on one
# fold of normal samples and validates on the other fold plus half of the
# novelties.
normal_idx = np.flatnonzero(y == 1)
novel_idx = np.flatnonzero(y == -1)
cv = []
for (train, val), novel_half in zip(
    KFold(n_splits=2, shuffle=True, random_state=0).split(normal_idx),
    np.array_split(novel_idx, 2),
    strict=True,
):
    cv.append((normal_idx[train], np.concatenate([normal_idx[val], novel_half])))


def auroc(estimator, X, y):
    """AUROC of the ranking, normal samples (+1) as the positive class."""
    return roc_auc_score(y == 1, estimator.score_samples(X))


# %%
# The search: the recommended "combined" score against the paper's D(R(X)).
# ``random_state`` is fixed so that candidates differ by their parameters
# only. ``refit=False``: refitting inside the search would train on every row
# of ``X``, novelties included, since ``fit`` ignores ``y``.
search = GridSearchCV(
    ALOCCDetector(
        image_shape=(8, 8), filters=(8, 16), latent_dim=8, epochs=10, batch_size=32, random_state=0
    ),
    {"novelty_score": ["combined", "D(R(X))"]},
    scoring=auroc,
    cv=cv,
    refit=False,
)
search.fit(X, y)

results = pd.DataFrame(search.cv_results_)
print(results[["param_novelty_score", "mean_test_score", "std_test_score"]].to_string(index=False))
print("best:", search.best_params_)

# %%
# Refit the best candidate on every normal sample (not on the novelties).
best = clone(search.estimator).set_params(**search.best_params_).fit(X[y == 1])
print("refitted:", best.novelty_score_, f"offset_={best.offset_:.2f}")

# %%
# Mean validation AUROC of each candidate.
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
names = [p["novelty_score"] for p in results["params"]]
ax.barh(names, results["mean_test_score"], xerr=results["std_test_score"], color="C0")
ax.set_xlim(0.5, 1.0)
ax.set_xlabel("mean validation AUROC")
plt.show()
