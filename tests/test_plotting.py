"""skalocc.plotting: the reconstruction montage and the training curves."""

import copy
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # before pyplot: no display in CI
import matplotlib.pyplot as plt

from skalocc import ALOCCDetector
from skalocc.plotting import (
    HistoryDisplay,
    ReconstructionDisplay,
    discriminator_probabilities,
)


@pytest.fixture(scope="module")
def image_detector():
    from conftest import TINY

    from skalocc.datasets import load_digits_novelty

    X_train, X_test, _ = load_digits_novelty(0, random_state=0)
    params = {**TINY, "epochs": 3, "novelty_score": "D(R(X))", "random_state": 0}
    return ALOCCDetector(image_shape=(8, 8), **params).fit(X_train), X_test


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_reconstruction_display_from_estimator(image_detector):
    detector, X_test = image_detector
    X = X_test[:4]
    display = ReconstructionDisplay.from_estimator(detector, X, labels=list("abcd"))
    assert display.axes_.shape == (2, 4)
    assert display.figure_ is display.axes_[0, 0].figure
    # Top row: X on the detector's [0, 1] scale; bottom row: R(X) on the same scale.
    x_scaled = detector.scaling_.transform(X).reshape(4, 8, 8)
    np.testing.assert_allclose(display.axes_[0, 1].images[0].get_array(), x_scaled[1])
    rec = detector.scaling_.transform(detector.reconstruct(X)).reshape(4, 8, 8)
    np.testing.assert_allclose(
        display.axes_[1, 2].images[0].get_array(), np.clip(rec[2], 0, 1), atol=1e-6
    )
    # D(R(X)) under each column is the detector's own score (novelty_score="D(R(X))").
    scores = detector.score_samples(X)
    np.testing.assert_allclose(display.d_rx, scores)
    assert f"D(R(X))={scores[3]:.2f}" in display.axes_[1, 3].get_xlabel()
    assert f"D(X)={display.d_x[3]:.2f}" in display.axes_[1, 3].get_xlabel()
    assert display.axes_[0, 2].get_title() == "c"


def test_discriminator_probabilities_match_the_scores(image_detector):
    detector, X_test = image_detector
    d_x, d_rx = discriminator_probabilities(detector, X_test[:6])
    np.testing.assert_allclose(d_rx, detector.score_samples(X_test[:6]))
    assert np.all((d_x > 0) & (d_x < 1)) and not np.allclose(d_x, d_rx)


def test_reconstruction_display_draws_on_given_axes_and_rgb():
    fig, axes = plt.subplots(2, 2)
    images = np.random.default_rng(0).uniform(size=(2, 5, 5, 3))
    display = ReconstructionDisplay(images, images / 2).plot(axes=axes)
    assert display.figure_ is fig and display.axes_[1, 1] is axes[1, 1]
    assert display.axes_[0, 0].images[0].get_array().shape == (5, 5, 3)
    with pytest.raises(ValueError, match="same shape"):
        ReconstructionDisplay(images, images[:1]).plot()


def test_reconstruction_display_refuses_tabular_detector(image_detector):
    detector, X_test = image_detector
    tabular = copy.copy(detector)
    tabular.image_shape_ = None  # what a detector fitted on tabular rows has
    with pytest.raises(ValueError, match="tabular"):
        ReconstructionDisplay.from_estimator(tabular, X_test[:3])


def test_history_display_from_estimator(image_detector):
    detector, _ = image_detector
    display = HistoryDisplay.from_estimator(detector, ax=plt.gca(), linestyle="--")
    assert set(display.lines_) == set(detector.history_)
    np.testing.assert_array_equal(display.lines_["r_loss"].get_ydata(), detector.history_["r_loss"])
    np.testing.assert_array_equal(display.lines_["d_loss"].get_xdata(), [1, 2, 3])
    assert display.ax_ is plt.gca() and display.lines_["d_loss"].get_linestyle() == "--"
    display = HistoryDisplay.from_estimator(detector, keys=["d_loss"])
    assert list(display.lines_) == ["d_loss"] and display.figure_ is display.ax_.figure
    with pytest.raises(ValueError, match="No \\['nope'\\]"):
        HistoryDisplay.from_estimator(detector, keys=["nope"])


def test_history_display_values_and_refine_phase():
    history = {"d_loss": [3.0, 2.0, 1.0], "r_loss": [5.0, 4.0, 4.5], "d_refine_loss": [0.7]}
    display = HistoryDisplay(history).plot()
    np.testing.assert_array_equal(display.lines_["r_loss"].get_ydata(), [5.0, 4.0, 4.5])
    np.testing.assert_array_equal(display.lines_["d_loss"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(display.lines_["d_refine_loss"].get_xdata(), [4])
    assert display.ax_.get_xlabel() == "epoch"
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["d_loss", "r_loss", "d_refine_loss"]


def test_matplotlib_is_lazy_and_missing_matplotlib_is_explained():
    code = (
        "import sys\n"
        "import skalocc, skalocc.plotting\n"
        "assert 'matplotlib' not in sys.modules, 'imported eagerly'\n"
        "sys.modules['matplotlib'] = None  # as if not installed\n"
        "from skalocc.plotting import HistoryDisplay\n"
        "try:\n"
        "    HistoryDisplay({'d_loss': [1.0]}).plot()\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "pip install 'skalocc[plot]'" in done.stdout
