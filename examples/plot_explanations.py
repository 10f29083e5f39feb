"""
=====================================
Why a sample is flagged: explanations
=====================================

``explain`` gives, for each sample, a non-negative contribution per feature
(per pixel for images) in the shape of ``X``: R's squared reconstruction
error on that value, on the detector's [0, 1] scale. The contributions add
up to the reconstruction error of the sample, so the values that R cannot
rebuild from what it learned of the normal class stand out.
:class:`~skalocc.plotting.ExplanationDisplay` draws them.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty
from skalocc.plotting import ExplanationDisplay

# %%
# Images: a detector of zeros, and held-out zeros with a bright 2x2 patch
# pasted on a dark area. The heat maps (bottom row) light up at the patch.
X_train, X_test, y_test = load_digits_novelty(target=0, random_state=0)
images = ALOCCDetector(
    filters=(8, 16),
    kernel_size=3,
    latent_dim=None,
    learning_rate=5e-3,
    epochs=20,
    batch_size=16,
    random_state=0,
).fit(X_train.reshape(-1, 8, 8))

zeros = X_test[y_test == 1][:5].reshape(-1, 8, 8).copy()
rng = np.random.default_rng(0)
for image in zeros:
    dark = [(r, c) for r in range(7) for c in range(7) if not image[r : r + 2, c : c + 2].any()]
    r, c = dark[rng.integers(len(dark))]
    image[r : r + 2, c : c + 2] = 16.0
ExplanationDisplay.from_estimator(images, zeros)
plt.show()

# %%
# Tabular rows: correlated measurements (a DataFrame, so the bars carry the
# column names). One row has "pressure" shifted far out of its range, one has
# "flow" out of line with the columns it normally follows.
rng = np.random.default_rng(1)
latent = rng.normal(size=(600, 2))
columns = ["temperature", "pressure", "flow", "speed", "load"]
mixing = np.array([[1.0, 0.8, 0.0, 0.5, 0.3], [0.0, 0.4, 1.0, 0.6, 0.9]])
frame = pd.DataFrame(latent @ mixing + 0.05 * rng.normal(size=(600, 5)), columns=columns)
rows = ALOCCDetector(hidden_units=(16,), latent_dim=2, epochs=20, random_state=0).fit(frame)

odd = frame.iloc[:2].copy()
odd.loc[odd.index[0], "pressure"] += 8 * frame["pressure"].std()
odd.loc[odd.index[1], "flow"] -= 4 * frame["flow"].std()
display = ExplanationDisplay.from_estimator(rows, odd, top_k=5)
for ax, title in zip(display.axes_, ["pressure shifted", "flow out of line"], strict=True):
    ax.set_title(title)
plt.show()
