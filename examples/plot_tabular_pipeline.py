"""
=================================
Tabular data in a Pipeline
=================================

On rows of a table (no ``image_shape``) :class:`~skalocc.ALOCCDetector`
builds dense networks. It is the last step of a scikit-learn ``Pipeline``
like any detector; with ``set_output(transform="pandas")`` the preprocessing
passes a DataFrame on, and the detector keeps its column names in
``feature_names_in_``.

Data: scikit-learn's bundled breast cancer measurements. The benign tumours
are the normal class; malignant ones are the novelties to detect.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import QuantileTransformer

from skalocc import ALOCCDetector

data = load_breast_cancer(as_frame=True)
X, y = data.data, data.target.map({1: 1, 0: -1})  # 1 = benign -> +1 (normal)
X_benign = X[y == 1]
X_train, X_benign_test = train_test_split(X_benign, test_size=0.4, random_state=0)
X_test = X.drop(index=X_train.index)
y_test = y.drop(index=X_train.index)

# %%
# A quantile transform tames the skewed measurements; the detector then
# trains on benign rows only.
pipeline = make_pipeline(
    QuantileTransformer(n_quantiles=100, output_distribution="normal"),
    ALOCCDetector(hidden_units=(32, 16), latent_dim=4, epochs=30, random_state=0),
).set_output(transform="pandas")
pipeline.fit(X_train)
detector = pipeline[-1]
print("features seen by the detector:", list(detector.feature_names_in_[:4]), "...")

# %%
# The pipeline exposes the detector's methods: ``score_samples``,
# ``decision_function`` and ``predict`` (+1 benign-like, -1 novelty).
scores = pipeline.score_samples(X_test)
labels = pipeline.predict(X_test)
print(f"AUROC: {roc_auc_score(y_test, scores):.3f}")
print(
    f"flagged: {(labels[y_test == -1] == -1).mean():.0%} of malignant, "
    f"{(labels[y_test == 1] == -1).mean():.0%} of held-out benign"
)

fig, ax = plt.subplots(figsize=(5, 4.5), layout="constrained")
RocCurveDisplay.from_predictions(y_test, scores, pos_label=1, name="ALOCC pipeline", ax=ax)
ax.set_title("benign (normal) vs malignant (novelty)")
plt.show()
