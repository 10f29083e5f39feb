"""The training loop: batch order, the epoch monitor, the "auto" epoch count."""

import math

import numpy as np
import pytest

from skalocc._training import EpochMonitor, batch_indices, resolve_epochs
from skalocc.exceptions import TrainingDivergedError


def test_batch_indices_visit_every_row_once_per_epoch():
    rng = np.random.default_rng(0)
    batches = [b.numpy() for b in batch_indices(10, 4, 3, rng)]
    assert [len(b) for b in batches] == [4, 4, 2] * 3
    for epoch in range(3):
        rows = np.concatenate(batches[3 * epoch : 3 * epoch + 3])
        np.testing.assert_array_equal(np.sort(rows), np.arange(10))
    assert not np.array_equal(batches[0], batches[3])  # reshuffled each epoch


def test_monitor_raises_on_nan_naming_epoch():
    monitor = EpochMonitor(None, None, 8)
    monitor.on_epoch_end(0, {"d_loss": 1.0})
    with pytest.raises(TrainingDivergedError, match=r"epoch 2: d_loss"):
        monitor.on_epoch_end(1, {"d_loss": math.nan, "r_loss": 1.0})
    assert monitor.history == {"d_loss": [1.0]}


@pytest.mark.parametrize(
    ("n_samples", "batch_size", "expected"),
    # at least 10 epochs and at least 1000 steps
    [(40, 64, 1000), (6000, 64, 11), (100_000, 64, 10), (640, 32, 50)],
)
def test_auto_epochs(n_samples, batch_size, expected):
    assert resolve_epochs("auto", n_samples, batch_size) == expected
    assert resolve_epochs(3, n_samples, batch_size) == 3
