"""
===============
Training curves
===============

``history_`` holds the mean of each loss over every epoch: D's loss
(``d_loss``), R's loss (``r_loss``) and R's two terms, the adversarial loss
and the reconstruction error. :class:`~skalocc.plotting.HistoryDisplay`
plots them. With ``verbose=2`` the same numbers are printed while training,
one line per epoch.
"""

# %%
import matplotlib.pyplot as plt

from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty
from skalocc.plotting import HistoryDisplay

X_train, _, _ = load_digits_novelty(target=0, random_state=0)
detector = ALOCCDetector(
    image_shape=(8, 8),
    filters=(8, 16),
    latent_dim=8,
    epochs=60,
    batch_size=32,
    learning_rate=1e-3,
    random_state=0,
).fit(X_train)
print(
    f"{detector.n_epochs_} epochs; final losses:",
    {name: round(values[-1], 3) for name, values in detector.history_.items()},
)

# %%
# Two panels: the adversarial game (D's loss against R's adversarial loss)
# and R's reconstruction error, which should fall and settle.
fig, (ax_game, ax_rec) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
HistoryDisplay.from_estimator(detector, keys=["d_loss", "r_adversarial_loss"], ax=ax_game)
ax_game.set_title("adversarial game")
display = HistoryDisplay.from_estimator(detector, keys=["r_reconstruction_loss"], ax=ax_rec)
ax_rec.set_title("R's reconstruction error")
display.ax_.set_yscale("log")
plt.show()

# %%
# The two adversarial losses staying in balance (neither collapsing to 0)
# means neither network overpowers the other; a reconstruction error that
# still falls steeply at the end suggests more epochs.
