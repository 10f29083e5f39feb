"""Fit with the scikit-learn ecosystem: set_output, feature names, HTML repr, typing."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import IsolationForest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_html_repr

import skalocc
from skalocc import ALOCCDetector


@pytest.fixture
def frame(blobs):
    inliers, outliers = blobs
    columns = [f"x{i}" for i in range(inliers.shape[1])]
    return pd.DataFrame(inliers, columns=columns), pd.DataFrame(outliers, columns=columns)


def test_pandas_set_output_pipeline_keeps_feature_names(frame, tiny):
    X, X_out = frame
    pipeline = make_pipeline(StandardScaler(), ALOCCDetector(**tiny, random_state=0))
    pipeline.set_output(transform="pandas")  # reaches the scaler; the detector has no transform
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names" warning
        pipeline.fit(X)
        scores = pipeline.score_samples(X_out)
    detector = pipeline[-1]
    np.testing.assert_array_equal(detector.feature_names_in_, X.columns)
    assert pipeline.feature_names_in_.tolist() == X.columns.tolist()
    assert scores.shape == (len(X_out),) and pipeline.predict(X_out).shape == (len(X_out),)
    # Like scikit-learn's detectors: the same names in another order are refused.
    with pytest.raises(ValueError, match="feature names"):
        detector.score_samples(X_out[X_out.columns[::-1]])
    # ... and a plain array after fitting on a DataFrame warns, as IsolationForest does.
    with pytest.warns(UserWarning, match="valid feature names"):
        detector.score_samples(X_out.to_numpy())


def test_output_api_matches_scikit_learn_detectors():
    # Detectors have no transform, so no set_output / get_feature_names_out,
    # in scikit-learn as here; Pipeline.set_output configures the transformers.
    for name in ("set_output", "get_feature_names_out", "transform"):
        assert hasattr(ALOCCDetector(), name) == hasattr(IsolationForest(), name), name


def test_html_repr_shows_in_notebooks():
    detector = ALOCCDetector(image_shape=(8, 8), epochs=3)
    html = detector._repr_html_()
    assert "ALOCCDetector" in html and "image_shape" in html
    pipeline_html = estimator_html_repr(make_pipeline(StandardScaler(), detector))
    assert "StandardScaler" in pipeline_html and "ALOCCDetector" in pipeline_html
    bundle = detector._repr_mimebundle_()  # what Jupyter asks for
    assert "ALOCCDetector" in bundle["text/html"]
    assert bundle["text/plain"] == "ALOCCDetector(epochs=3, image_shape=(8, 8))"


def test_package_ships_py_typed():
    marker = Path(skalocc.__file__).with_name("py.typed")
    assert marker.is_file()
