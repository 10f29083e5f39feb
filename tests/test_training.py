"""The adversarial training step and its epoch monitor."""

import math

import numpy as np
import pytest

from skalocc._networks import build_discriminator, build_reconstructor
from skalocc._training import (
    ALOCCTrainer,
    EpochMonitor,
    TrainingDivergedError,
    batch_indices,
    make_trainer,
    train,
)


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


def _trainer(shape, weight=0.4):
    rng = np.random.default_rng(0)
    kw = {"filters": (4,), "hidden_units": (16,), "kernel_size": 3, "rng": rng}
    return make_trainer(
        build_reconstructor(shape, latent_dim=4, **kw),
        build_discriminator(shape, **kw),
        reconstruction_weight=weight,
        noise_std=0.155,
        learning_rate=1e-2,
        discriminator_learning_rate=1e-3,
        seed=0,
    )


def test_training_updates_both_networks_and_reduces_reconstruction_loss():
    rng = np.random.default_rng(0)
    x = (rng.random((128, 6)) * 0.2 + 0.4).astype("float32")
    trainer = _trainer((6,), weight=5.0)
    r_before = [w.copy() for w in trainer.reconstructor.get_weights()]
    d_before = [w.copy() for w in trainer.discriminator.get_weights()]
    history = train(trainer, x, x_val=x[:16], tol=None, epochs=8, batch_size=32, rng=rng, verbose=0)
    assert len(history["d_loss"]) == 8
    assert history["r_reconstruction_loss"][-1] < history["r_reconstruction_loss"][0]
    changed = [
        not np.array_equal(a, b)
        for a, b in zip(r_before, trainer.reconstructor.get_weights(), strict=True)
    ]
    assert any(changed)
    assert not np.array_equal(d_before[0], trainer.discriminator.get_weights()[0])
    assert history["val_reconstruction_error"][-1] < history["val_reconstruction_error"][0]


def test_trainer_config_round_trip():
    trainer = _trainer((6,))
    rebuilt = ALOCCTrainer.from_config(trainer.get_config())
    assert rebuilt.reconstruction_weight == 0.4 and rebuilt.noise_std == 0.155
    assert rebuilt.reconstructor.output_shape == trainer.reconstructor.output_shape
