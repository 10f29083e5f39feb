"""
========================================
Saving and loading models without pickle
========================================

``det.save(path)`` writes one file: a zip archive of JSON (parameters,
fitted scalars), ``.npy`` arrays and the two networks in Keras 3's format.
``skalocc.load(path)`` reads it back without unpickling anything (arrays with
``allow_pickle=False``, networks with Keras's ``safe_mode=True``), so a model
file from elsewhere cannot run code when loaded. Scores after loading are
bit-identical.
"""

# %%
import json
import tempfile
import zipfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import skalocc
from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty

X_train, X_test, y_test = load_digits_novelty(target=0, random_state=0)
det = ALOCCDetector(
    image_shape=(8, 8),
    filters=(8, 16),
    latent_dim=8,
    epochs=10,
    calibration_fraction=0.25,
    random_state=0,
).fit(X_train)

folder = Path(tempfile.mkdtemp())
path = det.save(folder / "zeros.skalocc")
loaded = skalocc.load(path)
print("identical scores:", np.array_equal(loaded.score_samples(X_test), det.score_samples(X_test)))
print("identical p-values:", np.array_equal(loaded.pvalues(X_test), det.pvalues(X_test)))

# %%
# What is inside: the members of the archive and part of its JSON header.
with zipfile.ZipFile(path) as archive:
    for info in archive.infolist():
        print(f"{info.filename:28s} {info.file_size:8d} bytes")
    header = json.loads(archive.read("skalocc.json"))
print({k: header[k] for k in ("format", "format_version", "skalocc_version", "keras_version")})
print("offset_:", header["fitted"]["offset_"])

# %%
# A damaged file is refused with a clear message instead of a stack of
# unpickling errors.
broken = folder / "broken.skalocc"
broken.write_bytes(path.read_bytes()[:2000])
try:
    skalocc.load(broken)
except ValueError as exc:
    print("ValueError:", exc)

# %%
# The loaded detector is an ordinary fitted ALOCCDetector: its scores of the
# test images, zeros against other digits.
scores = loaded.score_samples(X_test)
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.hist(scores[y_test == 1], bins=30, alpha=0.6, density=True, label="zeros")
ax.hist(scores[y_test == -1], bins=30, alpha=0.6, density=True, label="other digits")
ax.axvline(loaded.offset_, color="k", linestyle="--", label="offset_")
ax.set_xlabel("score_samples of the loaded model")
ax.legend(fontsize=8)
plt.show()
