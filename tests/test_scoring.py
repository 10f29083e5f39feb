"""Scores from fitted networks (skalocc._scoring)."""

import numpy as np
import pytest

from skalocc._scoring import (
    SCORING_BATCH_SIZE,
    ScoreReference,
    novelty_scores,
    reconstruction_errors,
    training_scores,
)


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(1).random((SCORING_BATCH_SIZE + 37, 5))


def test_probabilities_are_float64_in_the_open_unit_interval(networks, x):
    r, d = networks
    for kind in ("D(X)", "D(R(X))"):
        p = novelty_scores(r, d, x, kind)
        assert p.shape == (len(x),) and p.dtype == np.float64
        assert np.all((p > 0) & (p < 1))


def test_reconstruction_score_is_minus_the_mean_squared_error(networks, x):
    # Scoring runs R compiled in float32; the float64 twin, called eagerly
    # (reconstruction_errors, training's stopping rule), agrees to float32
    # precision.
    r, d = networks
    expected = np.mean((np.asarray(r(x[:10], training=False), dtype=np.float64) - x[:10]) ** 2, 1)
    scores = novelty_scores(r, d, x[:10], "reconstruction")
    np.testing.assert_allclose(scores, -expected, rtol=1e-5)
    np.testing.assert_allclose(reconstruction_errors(r, x[:10], 4), -scores, rtol=1e-5)


@pytest.mark.parametrize("kind", ["D(X)", "D(R(X))", "reconstruction", "combined"])
def test_a_samples_score_does_not_depend_on_the_batch_around_it(networks, x, kind):
    r, d = networks
    _, reference = training_scores(r, d, [x], "combined")
    all_at_once = novelty_scores(r, d, x, kind, reference)
    one_by_one = np.concatenate(
        [novelty_scores(r, d, x[i : i + 1], kind, reference) for i in (0, 3, len(x) - 1)]
    )
    np.testing.assert_array_equal(one_by_one, all_at_once[[0, 3, len(x) - 1]])


def test_combined_training_scores_are_centred_and_chunks_do_not_matter(networks, x):
    r, d = networks
    scores, reference = training_scores(r, d, [x], "combined")
    chunked, chunked_reference = training_scores(r, d, [x[:100], x[100:]], "combined")
    np.testing.assert_array_equal(scores, chunked)
    assert reference == chunked_reference
    assert isinstance(reference, ScoreReference) and all(s > 0 for s in reference.scale)
    np.testing.assert_array_equal(scores, novelty_scores(r, d, x, "combined", reference))
    assert abs(np.median(scores)) < 1.0
    assert training_scores(r, d, [x], "D(X)")[1] is None


def test_combined_needs_a_reference(networks, x):
    with pytest.raises(ValueError, match="ScoreReference"):
        novelty_scores(*networks, x, "combined")


def test_reference_of_constant_parts_has_unit_scale():
    reference = ScoreReference.from_parts(np.ones((10, 2)))
    assert reference.center == (1.0, 1.0) and reference.scale == (1.0, 1.0)
