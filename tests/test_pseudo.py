"""Pseudo-anomalies made from a training batch."""

import numpy as np
import pytest

from skalocc._backend import tf_keras
from skalocc._pseudo import (
    TABULAR_NOISE_SCALES,
    PseudoAnomalies,
    _erased,
    _image_candidates,
    image_pseudo_anomalies,
    tabular_pseudo_anomalies,
)

tf, keras = tf_keras()


def _images(shape, n=6, seed=0):
    return np.random.default_rng(seed).uniform(size=(n, *shape)).astype(np.float32)


@pytest.mark.parametrize(
    ("shape", "n_candidates"),
    # square: 3 rotations + 2 flips + 2 half shifts + quadrant swap;
    # non-square: no rotations; one pixel high: only what changes a row.
    [((8, 8, 1), 8), ((6, 10, 3), 5), ((1, 9, 1), 2)],
)
def test_every_image_candidate_changes_the_batch(shape, n_candidates):
    x = _images(shape)
    candidates = _image_candidates(tf.constant(x))
    assert len(candidates) == n_candidates
    for c in candidates:
        assert tuple(c.shape) == x.shape
        assert not np.allclose(c.numpy(), x)


def test_rotations_are_quarter_turns():
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    rotated = [c.numpy()[0, :, :, 0] for c in _image_candidates(tf.constant(x))[:3]]
    for k, r in enumerate(rotated, start=1):
        assert any(np.array_equal(r, np.rot90(x[0, :, :, 0], j)) for j in (k, 4 - k))
    assert np.array_equal(rotated[1], np.rot90(x[0, :, :, 0], 2))


def test_image_pseudo_anomalies_pick_one_candidate_per_sample():
    x = _images((8, 8, 1), n=16)
    out = image_pseudo_anomalies(tf.constant(x), keras.random.SeedGenerator(0)).numpy()
    candidates = np.stack([c.numpy() for c in _image_candidates(tf.constant(x))])
    assert out.shape == x.shape
    picked = [
        next(k for k in range(len(candidates)) if np.array_equal(out[i], candidates[k, i]))
        for i in range(len(x))
    ]
    assert len(set(picked)) > 1  # drawn at random, not always the same one


def test_pseudo_anomalies_reproducible_from_seed():
    x = tf.constant(_images((8, 8, 1)))
    make = PseudoAnomalies(erase_fraction=0.5)
    a = make(x, keras.random.SeedGenerator(3)).numpy()
    b = make(x, keras.random.SeedGenerator(3)).numpy()
    c = make(x, keras.random.SeedGenerator(4)).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_tabular_pseudo_anomalies_noise_and_shuffled_columns():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(256, 5)).astype(np.float32)
    out = tabular_pseudo_anomalies(tf.constant(x), keras.random.SeedGenerator(0)).numpy()
    k = len(TABULAR_NOISE_SCALES)
    assert out.shape == ((k + 1) * 256, 5)
    for i, scale in enumerate(TABULAR_NOISE_SCALES):
        noise = out[i * 256 : (i + 1) * 256] - x
        assert np.std(noise) == pytest.approx(scale, rel=0.1)
    shuffled = out[k * 256 :]
    # Every column keeps its values; rows are new combinations.
    np.testing.assert_array_equal(np.sort(shuffled, axis=0), np.sort(x, axis=0))
    assert not np.array_equal(shuffled, x)
    assert not np.array_equal(np.argsort(shuffled[:, 0]), np.argsort(shuffled[:, 1]))


def test_one_pixel_images_get_tabular_pseudo_anomalies():
    x = tf.constant(_images((1, 1, 2), n=8))
    assert _image_candidates(x) == []
    out = image_pseudo_anomalies(x, keras.random.SeedGenerator(0)).numpy()
    assert out.shape == ((len(TABULAR_NOISE_SCALES) + 1) * 8, 1, 1, 2)
    assert np.all(np.isfinite(out))


def test_erasures_zero_one_half_size_rectangle_per_image():
    x = _images((10, 6, 2), n=32) + 0.5  # no pixel is 0 before erasing
    out = _erased(tf.constant(x), keras.random.SeedGenerator(0)).numpy()
    erased = out == 0
    np.testing.assert_array_equal(out[~erased], x[~erased])  # the rest untouched
    tops = set()
    for mask in erased:
        assert np.array_equal(mask[..., 0], mask[..., 1])  # every channel
        rows, cols = np.flatnonzero(mask[..., 0].any(1)), np.flatnonzero(mask[..., 0].any(0))
        assert (len(rows), len(cols)) == (5, 3)  # half the height, half the width
        assert mask[..., 0].sum() == 15  # one full rectangle
        tops.add((rows[0], cols[0]))
    assert len(tops) > 1  # at random positions


@pytest.mark.parametrize("fraction", [0.0, 0.25, 1.0])
def test_erase_fraction_is_the_share_of_erased_pseudo_anomalies(fraction):
    x = _images((8, 8, 1), n=2000) + 0.5
    out = image_pseudo_anomalies(tf.constant(x), keras.random.SeedGenerator(1), fraction).numpy()
    share = np.mean(np.sum(out == 0, axis=(1, 2, 3)) == 16)
    assert share == pytest.approx(fraction, abs=0.03)


def test_no_erasure_reproduces_the_geometric_draws():
    # erase_fraction=0 makes no extra random draw: 0.2's training, bit for bit.
    x = tf.constant(_images((8, 8, 1), n=16))
    a = image_pseudo_anomalies(x, keras.random.SeedGenerator(5)).numpy()
    b = image_pseudo_anomalies(x, keras.random.SeedGenerator(5), 0.0).numpy()
    np.testing.assert_array_equal(a, b)
