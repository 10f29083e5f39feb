"""The "features" score: nearest training sample in D's learned representation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from skalocc import ALOCCDetector, _features


def test_nearest_distances_match_brute_force_and_skip_copies():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(300, 7))
    queries = rng.normal(size=(600, 7))  # more than one query block
    brute = np.sqrt(((queries[:, None, :] - reference[None]) ** 2).sum(-1))
    np.testing.assert_allclose(
        _features.nearest_distances(queries, reference), brute.min(axis=1), rtol=1e-9
    )
    own = np.sqrt(((reference[:, None, :] - reference[None]) ** 2).sum(-1))
    np.fill_diagonal(own, np.inf)  # a reference row's copy is itself: leave-one-out
    loo = _features.nearest_distances(reference, reference)
    np.testing.assert_allclose(loo, own.min(axis=1), rtol=1e-9)
    twice = np.vstack([reference, reference[:1]])  # a duplicated row: its twin is at 0
    assert _features.nearest_distances(reference[:1], twice)[0] == pytest.approx(0, abs=1e-6)
    assert _features.nearest_distances(reference[:1], reference[:1])[0] == 0.0


def test_training_scores_are_leave_one_out_and_set_the_threshold(blobs, tiny):
    inliers, outliers = blobs
    det = ALOCCDetector(random_state=0, **tiny).fit(inliers)
    assert det.novelty_score_ == "features"
    reference = det.score_reference_.features
    assert reference.shape == (len(inliers), 8)  # TINY: one hidden layer of 8 units
    own = np.sqrt(((reference[:, None, :] - reference[None]) ** 2).sum(-1))
    np.fill_diagonal(own, np.inf)
    train_scores = det.score_samples(inliers)  # each against its nearest *other* sample
    np.testing.assert_allclose(train_scores, -own.min(axis=1), rtol=1e-9)
    assert det.offset_ == np.percentile(train_scores, 5)  # exactly what the threshold saw
    assert np.mean(det.predict(inliers) == -1) == pytest.approx(0.05, abs=0.006)
    assert np.all(det.score_samples(outliers) < det.offset_)
    # fit_predict flags the contamination share of the training samples.
    labels = ALOCCDetector(contamination=0.1, random_state=0, **tiny).fit_predict(inliers)
    assert np.sum(labels == -1) == 20


def test_scores_do_not_depend_on_the_other_samples_in_the_call(blobs, tiny):
    inliers, outliers = blobs
    det = ALOCCDetector(random_state=0, **tiny).fit(inliers)
    X = np.vstack([inliers, outliers, inliers + 0.1])  # 420 rows: two query blocks
    scores = det.score_samples(X)
    order = np.random.default_rng(3).permutation(len(X))
    np.testing.assert_array_equal(det.score_samples(X[order]), scores[order])
    np.testing.assert_array_equal(det.score_samples(X[300:301]), scores[300:301])


def test_large_training_sets_keep_a_seeded_subset_as_reference(blobs, tiny, monkeypatch):
    monkeypatch.setattr(_features, "MAX_REFERENCE", 50)
    inliers = blobs[0]
    a = ALOCCDetector(random_state=0, **tiny).fit(inliers)
    b = ALOCCDetector(random_state=0, **tiny).fit(inliers)
    assert a.score_reference_.features.shape == (50, 8)
    np.testing.assert_array_equal(a.score_reference_.features, b.score_reference_.features)
    np.testing.assert_array_equal(a.score_samples(inliers), b.score_samples(inliers))


def test_calibrated_features_score_holds_out_the_calibration_rows(blobs, tiny):
    inliers = blobs[0]
    det = ALOCCDetector(calibration_fraction=0.25, random_state=0, **tiny).fit(inliers)
    assert len(det.score_reference_.features) == len(inliers) - 50
    assert len(det.calibration_scores_) == 50
    assert np.all(det.calibration_scores_ < 0)  # held out: never their own neighbour


def _clusters(rng, centers, n):
    """Gaussian clusters in 8-D with a heavy-tailed first column."""
    x = centers[rng.integers(0, len(centers), n)] + 0.3 * rng.normal(size=(n, centers.shape[1]))
    x[:, 0] = np.exp(2 * x[:, 0])
    return x


def test_default_tabular_detector_finds_novelties_between_clusters():
    # Guards the tabular defaults ("features" score, "standard" scaling). The
    # normal class is 4 clusters; the novelties lie midway between two of them.
    # Measured (2-core CPU, seeds 0 / 1 / 2): the defaults 0.878 / 0.877 /
    # 0.883; the former defaults ("combined", "minmax") 0.822 / 0.845 / 0.792;
    # 1-NN on standardised features 0.880.
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=2.0, size=(4, 8))
    X = _clusters(rng, centers, 1000)
    normal = _clusters(rng, centers, 400)
    pairs = rng.integers(0, 4, size=(2, 400))
    novel = (centers[pairs[0]] + centers[pairs[1]]) / 2 + 0.3 * rng.normal(size=(400, 8))
    novel[:, 0] = np.exp(2 * novel[:, 0])
    det = ALOCCDetector(random_state=0).fit(X)
    scores = det.score_samples(np.vstack([normal, novel]))
    assert roc_auc_score(np.r_[np.ones(400), np.zeros(400)], scores) > 0.86
