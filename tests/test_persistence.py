"""Pickling of fitted detectors: exact, process-independent, versioned."""

import copy
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest

from skalocc import ALOCCDetector
from skalocc.exceptions import InconsistentVersionWarning


@pytest.fixture
def fitted(blobs, tiny):
    return ALOCCDetector(random_state=0, **tiny).fit(blobs[0])


def test_pickle_holds_no_tensorflow_objects(fitted):
    payload = pickle.dumps(fitted)
    assert b"tensorflow" not in payload


def test_deepcopy_is_exact_and_independent(fitted, blobs):
    twin = copy.deepcopy(fitted)
    np.testing.assert_array_equal(twin.score_samples(blobs[0]), fitted.score_samples(blobs[0]))
    assert twin.reconstructor_ is not fitted.reconstructor_


def test_load_in_fresh_process_is_bit_identical(fitted, blobs, tmp_path):
    model_path, data_path, out_path = (tmp_path / n for n in ("m.joblib", "x.npy", "s.npy"))
    joblib.dump(fitted, model_path)
    np.save(data_path, blobs[0])
    code = (
        "import sys, joblib, numpy as np\n"
        "det = joblib.load(sys.argv[1])\n"
        "np.save(sys.argv[3], det.score_samples(np.load(sys.argv[2])))\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(model_path), str(data_path), str(out_path)],
        check=True,
        timeout=300,
    )
    np.testing.assert_array_equal(np.load(out_path), fitted.score_samples(blobs[0]))


def test_other_version_warns(fitted):
    state = fitted.__getstate__()
    state["_skalocc_version"] = "0.0.0-other"
    restored = ALOCCDetector.__new__(ALOCCDetector)
    with pytest.warns(InconsistentVersionWarning, match="0.0.0-other"):
        restored.__setstate__(state)


def test_unfitted_estimator_pickles(tiny):
    det = pickle.loads(pickle.dumps(ALOCCDetector(**tiny)))
    assert det.get_params() == ALOCCDetector(**tiny).get_params()
