"""Compiled float32 scoring (skalocc._compiled): traced once, shared, exact copies."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

from skalocc import ALOCCDetector, _compiled
from skalocc._networks import float64_copy
from skalocc._scoring import SCORING_BATCH_SIZE, novelty_scores, training_scores


def _tracing_counts(model) -> dict:
    return {
        key: fn.experimental_get_tracing_count()
        for key, fn in _compiled.cached_functions(model).items()
    }


def test_each_network_is_traced_once_per_output_and_batch_shape(networks):
    r, d = networks
    x = np.random.default_rng(1).random((SCORING_BATCH_SIZE + 37, 5))
    _, reference = training_scores(r, d, [x], "combined")
    for kind in ("D(X)", "D(R(X))", "reconstruction", "combined"):
        novelty_scores(r, d, x, kind, reference)
    first_r, first_d = _tracing_counts(r), _tracing_counts(d)
    assert first_r == {("output", SCORING_BATCH_SIZE): 1}
    assert first_d == {("logit", SCORING_BATCH_SIZE): 1}
    for kind in ("D(X)", "D(R(X))", "reconstruction", "combined"):
        novelty_scores(r, d, x[:3], kind, reference)  # other call sizes: same batch shape
        novelty_scores(r, d, x, kind, reference)
    assert _tracing_counts(r) == first_r and _tracing_counts(d) == first_d
    assert _compiled.compiled(d, "logit", SCORING_BATCH_SIZE) is _compiled.compiled(
        d, "logit", SCORING_BATCH_SIZE
    )
    with pytest.raises(ValueError, match="output must be one of"):
        _compiled.compiled(d, "probabilities")


def test_float32_copy_holds_the_trained_weights_exactly(networks):
    r, _ = networks
    _compiled.compiled(r)
    copy = _compiled._cache[r][0]
    for ours, theirs in zip(copy.get_weights(), r.get_weights(), strict=True):
        assert ours.dtype == np.float32
        np.testing.assert_array_equal(ours.astype(np.float64), theirs)


@pytest.mark.parametrize("image", [False, True])
def test_score_samples_traces_once_per_fitted_detector(image, tiny):
    rng = np.random.default_rng(0)
    X = rng.random((80, 36)) if image else rng.normal(size=(80, 5))
    extra = {"image_shape": (6, 6)} if image else {}
    det = ALOCCDetector(random_state=0, **tiny, **extra).fit(X)
    first = det.score_samples(X)
    counts = {**_tracing_counts(det.reconstructor_), **_tracing_counts(det.discriminator_)}
    assert counts and set(counts.values()) == {1}
    for _ in range(3):
        np.testing.assert_array_equal(det.score_samples(X), first)
        det.predict(X[:7])
    again = {**_tracing_counts(det.reconstructor_), **_tracing_counts(det.discriminator_)}
    assert again == counts


def test_first_calls_from_many_threads_build_one_function(networks):
    r, d = networks
    r, d = float64_copy(r), float64_copy(d)  # fresh networks: nothing cached yet
    x = np.random.default_rng(2).random((40, 5))
    results = [None] * 8
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait()
        results[i] = novelty_scores(r, d, x, "D(R(X))")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for scores in results:
        np.testing.assert_array_equal(scores, results[0])
    assert _tracing_counts(r) == {("output", SCORING_BATCH_SIZE): 1}
    assert _tracing_counts(d) == {("logit", SCORING_BATCH_SIZE): 1}


def test_the_cache_does_not_keep_dropped_networks_alive(networks):
    r = float64_copy(networks[0])
    _compiled.compiled(r)
    assert r in _compiled._cache
    alive = weakref.ref(r)
    del r
    gc.collect()
    assert alive() is None
