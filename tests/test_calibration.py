"""Calibration: conformal p-values and the conformal threshold."""

import numpy as np
import pytest
from conftest import correlated_rows

from skalocc import ALOCCDetector, _calibration, _chunks

SMALL = {"hidden_units": (8,), "latent_dim": 2, "epochs": 1, "batch_size": 64, "random_state": 0}
# Sample sizes of the coverage test. With n calibration scores and m fresh
# inliers exchangeable with them, the number of fresh inliers with p <= a is
# beta-binomial(m, k, n + 1 - k), k = floor(a (n + 1)), whatever the scores.
# For n = m = 4000 (scipy.stats.betabinom), the share with p <= 0.05 leaves
# [0.025, 0.075] with probability 1.4e-6, and the share with p <= 0.01
# exceeds 0.025 with probability 6e-8.
N_CAL = N_FRESH = 4000


@pytest.fixture(scope="module")
def generated():
    rng = np.random.default_rng(0)
    train = correlated_rows(rng, 2 * N_CAL)  # half of it calibrates
    fresh = correlated_rows(rng, N_FRESH)
    outliers = rng.uniform(4, 6, size=(50, 6)) * rng.choice([-1, 1], size=(50, 6))
    return train, fresh, outliers


@pytest.fixture(scope="module")
def calibrated(generated):
    det = ALOCCDetector(calibration_fraction=0.5, contamination=0.05, **SMALL)
    return det.fit(generated[0])


def test_fresh_inliers_are_covered(calibrated, generated):
    _, fresh, _ = generated
    assert len(calibrated.calibration_scores_) == N_CAL
    p = calibrated.pvalues(fresh)
    assert 0.025 <= np.mean(p <= 0.05) <= 0.075
    assert np.mean(p <= 0.01) <= 0.025
    assert 0.025 <= np.mean(calibrated.predict(fresh) == -1) <= 0.075


def test_outliers_get_small_pvalues(calibrated, generated):
    p = calibrated.pvalues(generated[2])
    assert np.median(p) <= 0.01
    assert np.mean(p <= 0.05) >= 0.9


def test_predict_flags_exactly_the_small_pvalues(calibrated, generated):
    X = np.vstack([generated[1][:500], generated[2]])
    p = calibrated.pvalues(X)
    np.testing.assert_array_equal(calibrated.predict(X) == -1, p <= 0.05)
    assert np.all((p > 0) & (p <= 1))
    order = np.argsort(calibrated.score_samples(X))
    assert np.all(np.diff(p[order]) >= 0)  # higher score, higher p-value


def test_pvalue_formula_and_conformal_offset():
    cal = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
    np.testing.assert_array_equal(
        _calibration.pvalues(cal, np.array([0.5, 1.0, 2.5, 5.0, 9.0])),
        np.array([1, 2, 3, 6, 6]) / 6,
    )
    # 19 scores: p <= 0.05 means fewer than one score <= s, i.e. s < min.
    scores = np.arange(19.0)
    assert _calibration.conformal_offset(scores, 0.05, "x") == 0.0
    assert _calibration.conformal_offset(np.arange(39.0), 0.05, "x") == 1.0
    with pytest.raises(ValueError, match="at least 19 calibration samples"):
        _calibration.conformal_offset(np.arange(18.0), 0.05, "contamination=0.05")


def test_split_and_auto_with_and_without_calibration(generated):
    X = generated[0][:400]
    a, b = (_calibration.split(np.random.default_rng(0), 400, 0.25, "auto") for _ in range(2))
    np.testing.assert_array_equal(a[1], b[1])
    assert len(a[1]) == 100 and not np.isin(a[1], a[0]).any()
    calibrated = ALOCCDetector(calibration_fraction=0.25, **SMALL).fit(X)
    assert len(calibrated.calibration_scores_) == 100
    expected = _calibration.conformal_offset(calibrated.calibration_scores_, 0.05, "auto")
    assert calibrated.offset_ == expected  # "auto": the conformal threshold at 5%
    other = ALOCCDetector(calibration_fraction=0.25, **{**SMALL, "random_state": 1}).fit(X)
    assert not np.array_equal(other.calibration_scores_, calibrated.calibration_scores_)

    # "auto" without calibration: the 5% quantile of the training scores (the
    # "features" score's leave-one-out training scores: tests/test_features.py).
    plain = ALOCCDetector(**{**SMALL, "novelty_score": "combined"}).fit(X)
    assert plain.calibration_scores_ is None
    assert plain.offset_ == np.percentile(plain.score_samples(X), 5)
    with pytest.raises(ValueError, match="calibration_fraction"):
        plain.pvalues(X)


def test_too_few_calibration_samples_raise_before_training(generated):
    det = ALOCCDetector(calibration_fraction=0.1, contamination=0.01, **SMALL)
    with pytest.raises(ValueError, match="at least 99 calibration samples"):
        det.fit(generated[0][:200])
    assert not hasattr(det, "offset_")
    det = ALOCCDetector(calibration_fraction=0.5, **SMALL)
    with pytest.raises(ValueError, match="at least 2 training samples"):
        det.fit(generated[0][:1])


def test_calibration_scores_are_those_of_score_samples(generated, monkeypatch):
    X = generated[0][:600].astype(np.float32)
    params = {**SMALL, "calibration_fraction": 0.3, "tol": 1e-9}
    in_memory = ALOCCDetector(**params).fit(X)
    scores = in_memory.score_samples(X)
    assert len(in_memory.calibration_scores_) == 180
    assert np.isin(in_memory.calibration_scores_, scores).all()  # scored as score_samples does
    monkeypatch.setattr(_chunks, "STREAM_BYTES", 1000)  # streamed training and calibration
    monkeypatch.setattr(_chunks, "CHUNK_BYTES", 1)
    streamed = ALOCCDetector(**params).fit(X)
    np.testing.assert_array_equal(streamed.calibration_scores_, in_memory.calibration_scores_)
    assert streamed.offset_ == in_memory.offset_
    np.testing.assert_array_equal(streamed.score_samples(X), scores)
