"""Shapes and ranges of the R and D builders."""

import numpy as np
import pytest

from skalocc._networks import build_discriminator, build_reconstructor, float64_copy


def _build(shape, latent_dim=4, filters=(4, 8)):
    rng = np.random.default_rng(0)
    kw = {"filters": filters, "hidden_units": (8, 4), "kernel_size": 3, "rng": rng}
    return build_reconstructor(shape, latent_dim=latent_dim, **kw), build_discriminator(shape, **kw)


@pytest.mark.parametrize(
    "shape", [(8, 8, 1), (28, 28, 1), (64, 64, 3), (7, 5, 2), (1, 6, 1), (12,)]
)
@pytest.mark.parametrize("latent_dim", [3, None])
def test_shapes_and_ranges(shape, latent_dim):
    R, D = _build(shape, latent_dim)
    x = np.random.default_rng(1).random((3, *shape)).astype("float32")
    rec = np.asarray(R(x, training=False))
    prob = np.asarray(D(x, training=False))
    assert rec.shape == x.shape
    assert np.all((rec >= 0) & (rec <= 1))
    assert prob.shape == (3, 1) and np.all((prob > 0) & (prob < 1))
    assert D.get_layer("logit").output.shape == (None, 1)


def test_bottleneck_is_there_when_asked():
    R, _ = _build((28, 28, 1), latent_dim=5)
    assert R.get_layer("latent").output.shape == (None, 5)
    R_free, _ = _build((28, 28, 1), latent_dim=None)
    assert "latent" not in [layer.name for layer in R_free.layers]


def test_same_rng_same_weights_other_rng_differs():
    R1, _ = _build((8, 8, 1))
    R2, _ = _build((8, 8, 1))
    for a, b in zip(R1.get_weights(), R2.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    R3 = build_reconstructor(
        (8, 8, 1),
        filters=(4, 8),
        hidden_units=(8, 4),
        latent_dim=4,
        kernel_size=3,
        rng=np.random.default_rng(99),
    )
    assert not np.array_equal(R1.get_weights()[0], R3.get_weights()[0])


def test_paper_batch_norm_settings():
    R, D = _build((8, 8, 1))
    norms = [la for m in (R, D) for la in m.layers if la.__class__.__name__ == "BatchNormalization"]
    assert norms
    assert all(la.momentum == 0.9 and la.epsilon == 1e-6 for la in norms)


@pytest.mark.parametrize("shape", [(8, 8, 1), (6,)])
def test_float64_copy_matches_and_is_float64(shape):
    R, D = _build(shape)
    x = np.random.default_rng(2).random((4, *shape))
    for model in (R, D):
        twin = float64_copy(model)
        out32 = np.asarray(model(x.astype("float32"), training=False))
        out64 = np.asarray(twin(x, training=False))
        assert out64.dtype == np.float64
        np.testing.assert_allclose(out64, out32, atol=1e-5)
