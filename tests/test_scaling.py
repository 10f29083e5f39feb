"""The min-max scaling learned in fit."""

import numpy as np
import pytest

from skalocc._scaling import MinMaxScaling


def test_per_feature_maps_training_range_to_unit_interval():
    X = np.array([[0.0, 10.0, 5.0], [2.0, 30.0, 5.0], [1.0, 20.0, 5.0]])
    s = MinMaxScaling.fit(X, per_feature=True)
    out = s.transform(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[:, 0], [0, 1, 0.5])
    np.testing.assert_allclose(out[:, 1], [0, 1, 0.5])
    np.testing.assert_array_equal(out[:, 2], 0)  # constant column: range 1, no division by 0
    np.testing.assert_allclose(s.inverse_transform(out), X, rtol=1e-6)


def test_global_scaling_for_images_and_no_clipping():
    X = np.array([[0, 128, 255], [10, 20, 30]], dtype=np.uint8)
    s = MinMaxScaling.fit(X, per_feature=False)
    assert s.minimum.shape == ()
    np.testing.assert_allclose(s.transform(X, dtype=np.float64)[0], [0, 128 / 255, 1])
    assert s.transform(np.array([[510.0, 0, 0]]))[0, 0] == pytest.approx(2.0)


def test_overflowing_values_raise():
    s = MinMaxScaling.fit(np.array([[0.0], [1e-30]]), per_feature=True)
    with pytest.raises(ValueError, match="too large for float32"):
        s.transform(np.array([[1e20]]))


def test_summary_of_chunks_matches_the_whole():
    from skalocc._scaling import feature_summary

    rng = np.random.default_rng(0)
    X = rng.lognormal(size=(1000, 4)) * [1, 10, 1e3, 1e-3]
    whole = feature_summary([X])
    chunked = feature_summary([X[:1], X[1:300], X[300:301], X[301:]])
    assert whole.count == chunked.count == 1000
    np.testing.assert_array_equal(chunked.minimum, X.min(axis=0))
    np.testing.assert_array_equal(chunked.maximum, X.max(axis=0))
    np.testing.assert_allclose(chunked.mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(chunked.variance, X.var(axis=0), rtol=1e-10)
    # Bit for bit the same however the rows are chunked (streamed = in memory).
    np.testing.assert_array_equal(chunked.mean, whole.mean)
    np.testing.assert_array_equal(chunked.variance, whole.variance)
    big = np.vstack([X] * 3)
    pieces = feature_summary(big[i : i + 700] for i in range(0, 3000, 700))
    np.testing.assert_array_equal(pieces.variance, feature_summary([big]).variance)


def test_standard_scaling_spans_four_deviations_and_spreads_heavy_tails_more():
    from skalocc._scaling import STANDARD_SPAN, feature_summary

    rng = np.random.default_rng(1)
    heavy = np.exp(3 * rng.normal(size=500))  # a few huge values
    X = np.column_stack([rng.normal(5, 2, 500), heavy, np.full(500, 7.0)])
    s = MinMaxScaling.from_summary(feature_summary([X]), "standard", per_feature=True)
    mean, std = X.mean(axis=0), X.std(axis=0)
    edges = np.vstack([mean - STANDARD_SPAN * std, mean, mean + STANDARD_SPAN * std])
    np.testing.assert_allclose(s.transform(edges, np.float64)[:, :2], [[0, 0], [0.5, 0.5], [1, 1]])
    assert s.scale[2] == 2 * STANDARD_SPAN  # a constant column gets std 1, not a tiny one
    scaled = s.transform(X, np.float64)
    np.testing.assert_allclose(scaled[:, 2], 0.5)
    # The middle half of the heavy-tailed column spans more of [0, 1] than under
    # min-max (measured: 2.4 times as much here).
    minmax = MinMaxScaling.fit(X, per_feature=True).transform(X, np.float64)
    iqr = lambda v: np.subtract(*np.percentile(v, [75, 25]))  # noqa: E731
    assert iqr(scaled[:, 1]) > 2 * iqr(minmax[:, 1])


def test_standard_scaling_of_images_is_pooled():
    from skalocc._scaling import feature_summary

    X = np.random.default_rng(2).integers(0, 256, size=(50, 16)).astype(np.float64)
    s = MinMaxScaling.from_summary(feature_summary([X]), "standard", per_feature=False)
    assert s.minimum.shape == () and s.scale.shape == ()
    np.testing.assert_allclose(s.minimum, X.mean() - 4 * X.std())
    np.testing.assert_allclose(s.scale, 8 * X.std())
    with pytest.raises(ValueError, match="Unknown scaling"):
        MinMaxScaling.from_summary(feature_summary([X]), "robust", per_feature=False)
