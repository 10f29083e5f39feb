"""Property-based checks (hypothesis): shapes, dtypes and finite scores.

One detector per mode is fitted once; hypothesis then draws many valid
inputs for scoring, and a few small training sets for fitting.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skalocc import ALOCCDetector

# Finite values well inside float32's range, in the dtypes users pass.
DTYPES = st.sampled_from([np.float64, np.float32, np.int32, np.uint8, np.bool_])
FEATURES = 4
SIDE = 6


def _values(dtype):
    if dtype == np.bool_:
        return st.booleans()
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return st.integers(max(info.min, -1000), min(info.max, 1000))
    return st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32)


@st.composite
def rows(draw, n_features):
    dtype = draw(DTYPES)
    n = draw(st.integers(1, 40))
    return draw(arrays(dtype, (n, n_features), elements=_values(dtype)))


@pytest.fixture(scope="module")
def tabular_detector():
    X = np.random.default_rng(0).normal(size=(64, FEATURES))
    return ALOCCDetector(hidden_units=(8,), latent_dim=2, epochs=1, random_state=0).fit(X)


@pytest.fixture(scope="module")
def image_detector():
    X = np.random.default_rng(0).random((48, SIDE, SIDE))
    det = ALOCCDetector(filters=(4,), latent_dim=2, kernel_size=3, epochs=1, random_state=0)
    return det.fit(X)


def _check_outputs(det, X):
    n = len(X)
    scores = det.score_samples(X)
    assert scores.shape == (n,) and scores.dtype == np.float64
    assert np.all(np.isfinite(scores))
    decision = det.decision_function(X)
    np.testing.assert_array_equal(decision, scores - det.offset_)
    labels = det.predict(X)
    assert labels.shape == (n,) and set(np.unique(labels)) <= {-1, 1}
    np.testing.assert_array_equal(labels == 1, decision >= 0)


@settings(max_examples=40, deadline=None)
@given(X=rows(FEATURES))
def test_tabular_scores_are_finite_float64_of_the_right_shape(tabular_detector, X):
    _check_outputs(tabular_detector, X)
    assert tabular_detector.reconstruct(X).shape == X.shape


@settings(max_examples=25, deadline=None)
@given(X=rows(SIDE * SIDE), layout=st.sampled_from(["rows", "images", "channels"]))
def test_image_scores_accept_every_layout(image_detector, X, layout):
    if layout == "images":
        X = X.reshape(-1, SIDE, SIDE)
    elif layout == "channels":
        X = X.reshape(-1, SIDE, SIDE, 1)
    if layout == "rows":
        X = X.reshape(len(X), -1)
    _check_outputs(image_detector, X)
    assert image_detector.reconstruct(X).shape == X.shape


@settings(max_examples=6, deadline=None)
@given(X=rows(3), contamination=st.sampled_from(["auto", 0.1, 0.5]))
def test_fit_on_any_small_valid_training_set(X, contamination):
    det = ALOCCDetector(
        hidden_units=(4,), latent_dim=2, epochs=1, contamination=contamination, random_state=0
    ).fit(X)
    _check_outputs(det, X)
    assert np.isfinite(det.offset_)
