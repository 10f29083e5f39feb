"""``verbose``: 0 silent, 1 a progress bar per epoch with the losses, 2 a line per epoch.

Without a terminal, 1 prints what 2 prints: a redrawn bar garbles log files.
"""

import re
import subprocess
import sys

import numpy as np
import pytest

from skalocc import ALOCCDetector

LOSSES = ("d_loss", "r_loss", "r_adversarial_loss", "r_reconstruction_loss")


def _fit_output(capfd, verbose, tiny):
    X = np.random.default_rng(0).normal(size=(100, 4))
    capfd.readouterr()
    ALOCCDetector(**{**tiny, "epochs": 2}, verbose=verbose, random_state=0).fit(X)
    return capfd.readouterr()


def test_import_and_silent_fit_print_nothing():
    # verbose=0 in a fresh process: not even TensorFlow's start-up messages.
    code = (
        "import numpy as np\n"
        "import skalocc\n"
        "X = np.random.default_rng(0).normal(size=(20, 3))\n"
        "skalocc.ALOCCDetector(hidden_units=(4,), latent_dim=2, epochs=1,\n"
        "                      verbose=0, random_state=0).fit(X).predict(X)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout == ""
    assert done.stderr == ""


def test_verbose_1_shows_a_progress_bar_per_epoch_with_losses(capfd, tiny, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    out = _fit_output(capfd, 1, tiny).out
    assert out.count("Epoch 1/2") == 1 and out.count("Epoch 2/2") == 1
    epochs = re.split(r"Epoch \d/2\n", out)[1:]
    for text in epochs:
        # The bar is redrawn in place (carriage returns) up to 4/4 steps.
        assert "\r" in text and "4/4" in text and "━" in text
        for loss in LOSSES:
            assert re.search(rf"{loss}: \d+\.\d{{4}}", text), loss


@pytest.mark.parametrize("verbose", [2, 1])  # 1: output is not a terminal here
def test_verbose_2_prints_one_line_per_epoch(capfd, tiny, verbose):
    out = _fit_output(capfd, verbose, tiny).out
    assert "\b" not in out and "\x1b" not in out
    lines = out.strip().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    for line in (lines[1], lines[3]):
        assert line.startswith("4/4 - ") and "\r" not in line and "━" not in line
        for loss in LOSSES:
            assert re.search(rf"{loss}: \d+\.\d{{4}}", line), loss
