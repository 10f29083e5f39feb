"""The adversarial training step (ALOCCTrainer) trains both networks."""

import numpy as np

from skalocc._chunks import InMemoryRows
from skalocc._networks import build_discriminator, build_reconstructor
from skalocc._scaling import MinMaxScaling
from skalocc._trainers import make_trainer
from skalocc._training import train


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
    x = rng.random((128, 6)) * 0.2 + 0.4
    identity = MinMaxScaling(np.zeros(6), np.ones(6))
    rows = InMemoryRows(x, identity, (6,))
    trainer = _trainer((6,), weight=5.0)
    r_before = [w.copy() for w in trainer.reconstructor.get_weights()]
    d_before = [w.copy() for w in trainer.discriminator.get_weights()]
    history = train(
        trainer,
        rows,
        x_val=rows.take(np.arange(16)),
        tol=None,
        epochs=8,
        batch_size=32,
        rng=rng,
        verbose=0,
    )
    assert len(history["d_loss"]) == 8
    assert history["r_reconstruction_loss"][-1] < history["r_reconstruction_loss"][0]
    changed = [
        not np.array_equal(a, b)
        for a, b in zip(r_before, trainer.reconstructor.get_weights(), strict=True)
    ]
    assert any(changed)
    assert not np.array_equal(d_before[0], trainer.discriminator.get_weights()[0])
    assert history["val_reconstruction_error"][-1] < history["val_reconstruction_error"][0]
