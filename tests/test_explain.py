"""Explanations: per-feature contributions and ExplanationDisplay."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from conftest import correlated_rows

from skalocc import ALOCCDetector
from skalocc.datasets import load_digits_novelty
from skalocc.plotting import ExplanationDisplay

matplotlib.use("Agg")

TABULAR = {"hidden_units": (8,), "latent_dim": 2, "epochs": 3, "batch_size": 16, "random_state": 0}
# Fully convolutional R at a high learning rate: a well-trained R in few steps.
IMAGES = {
    "filters": (8, 16),
    "kernel_size": 3,
    "latent_dim": None,
    "learning_rate": 5e-3,
    "epochs": 20,
    "batch_size": 16,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def tabular():
    rng = np.random.default_rng(0)
    train, test = correlated_rows(rng, 500), correlated_rows(rng, 200)
    frame = pd.DataFrame(train, columns=[f"f{j}" for j in range(6)])
    return ALOCCDetector(**TABULAR).fit(frame), frame, test, rng


@pytest.fixture(scope="module")
def digits():
    X_train, X_test, y_test = load_digits_novelty(0, random_state=0)
    det = ALOCCDetector(**IMAGES).fit(X_train.reshape(-1, 8, 8))
    return det, X_test[y_test == 1].reshape(-1, 8, 8)


def _paste_patches(images, rng):
    """A bright 2x2 patch (the maximum, 16) on a random all-dark 2x2 area of each image."""
    out, masks = images.copy(), np.zeros(images.shape, dtype=bool)
    for i, image in enumerate(images):
        dark = [(r, c) for r in range(7) for c in range(7) if not image[r : r + 2, c : c + 2].any()]
        r, c = dark[rng.integers(len(dark))]
        out[i, r : r + 2, c : c + 2] = 16.0
        masks[i, r : r + 2, c : c + 2] = True
    return out, masks


def test_shifted_column_has_the_largest_contribution(tabular):
    det, frame, test, rng = tabular
    columns = rng.integers(6, size=len(test))
    shifted = test.copy()
    # Ten training standard deviations: far outside the training range.
    shifted[np.arange(len(test)), columns] += 10 * frame.to_numpy().std(axis=0)[columns]
    contributions = det.explain(pd.DataFrame(shifted, columns=frame.columns))
    assert contributions.shape == shifted.shape
    assert np.mean(contributions.argmax(axis=1) == columns) >= 0.8


def test_bright_patch_has_the_largest_contribution(digits):
    det, inliers = digits
    patched, masks = _paste_patches(inliers, np.random.default_rng(1))
    contributions = det.explain(patched)
    assert contributions.shape == patched.shape
    flat = contributions.reshape(len(patched), -1)
    hits = masks.reshape(len(patched), -1)[np.arange(len(patched)), flat.argmax(axis=1)]
    assert np.mean(hits) >= 0.6


def test_contributions_split_the_reconstruction_error(tabular):
    det, frame, test, _ = tabular
    test = pd.DataFrame(test, columns=frame.columns)
    contributions = det.explain(test)
    assert np.all(contributions >= 0)
    rec = det.reconstruct(test)
    test = test.to_numpy()
    scaled = (test - det.scaling_.minimum) / det.scaling_.scale
    rec_scaled = (rec - det.scaling_.minimum) / det.scaling_.scale
    np.testing.assert_allclose(contributions, (scaled - rec_scaled) ** 2, rtol=1e-9, atol=1e-12)
    # Batch-independent: one sample alone gets the contributions it gets among others.
    np.testing.assert_array_equal(
        det.explain(pd.DataFrame(test[3:4], columns=frame.columns))[0], contributions[3]
    )


def test_image_rows_and_arrays_give_the_same_shape_back(digits):
    det, inliers = digits
    np.testing.assert_array_equal(
        det.explain(inliers[:4].reshape(4, 64)).reshape(4, 8, 8), det.explain(inliers[:4])
    )
    assert det.explain(inliers[:4, :, :, None]).shape == (4, 8, 8, 1)


def test_display_heat_maps_and_bar_chart(digits, tabular):
    det, inliers = digits
    display = ExplanationDisplay.from_estimator(det, inliers[:3])
    assert display.axes_.shape == (2, 3)
    det, frame, _, _ = tabular
    display = ExplanationDisplay.from_estimator(det, frame.iloc[:2], top_k=4)
    assert display.axes_.shape == (2,)
    labels = [t.get_text() for t in display.axes_[0].get_yticklabels()]
    expected = frame.columns[np.argsort(det.explain(frame.iloc[:1])[0])[::-1][:4]]
    assert labels == list(expected)
