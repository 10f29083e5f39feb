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
