"""Model files without pickle: ALOCCDetector.save and skalocc.load."""

import json
import pickle
import subprocess
import sys
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import skalocc
from skalocc import ALOCCDetector
from skalocc._persistence import InconsistentVersionWarning

SMALL = {"hidden_units": (8,), "latent_dim": 2, "epochs": 2, "batch_size": 16, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(120, 4)), rng.normal(size=(30, 4)) * 3


@pytest.fixture(scope="module")
def fitted(data):
    return ALOCCDetector(calibration_fraction=0.25, **SMALL).fit(data[0])


@pytest.fixture
def saved(fitted, tmp_path):
    return fitted.save(tmp_path / "model.skalocc")


def _rewrite_header(path, out, **changes):
    """Copy model file ``path`` to ``out`` with its JSON header updated."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            payload = src.read(item.filename)
            if item.filename == "skalocc.json":
                header = json.loads(payload)
                header.update(changes)
                payload = json.dumps(header).encode()
            dst.writestr(item, payload)
    return out


def test_round_trip_is_bit_identical(fitted, saved, data):
    loaded = skalocc.load(saved)
    for X in data:
        np.testing.assert_array_equal(loaded.score_samples(X), fitted.score_samples(X))
        np.testing.assert_array_equal(loaded.pvalues(X), fitted.pvalues(X))
        np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
        np.testing.assert_array_equal(loaded.explain(X), fitted.explain(X))
    assert loaded.get_params() == fitted.get_params()
    assert loaded.offset_ == fitted.offset_
    assert loaded.history_ == fitted.history_
    np.testing.assert_array_equal(loaded.calibration_scores_, fitted.calibration_scores_)


def test_file_is_a_zip_of_json_npy_and_keras(saved):
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        header = json.loads(archive.read("skalocc.json"))
    assert {"skalocc.json", "reconstructor.keras", "discriminator.keras"} <= names
    assert {n for n in names if n.startswith("arrays/")} == {
        "arrays/calibration_scores_.npy",
        "arrays/scaling_minimum.npy",
        "arrays/scaling_scale.npy",
        "arrays/score_reference_features.npy",  # the "features" score's reference
    }
    assert header["fitted"]["score_reference_"] == "features"
    assert header["format"] == "skalocc-model"
    assert header["skalocc_version"] == skalocc.__version__
    assert header["params"]["calibration_fraction"] == 0.25


def test_image_mode_and_feature_names_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.uniform(size=(48, 8, 8))
    det = ALOCCDetector(filters=(4,), kernel_size=3, latent_dim=2, epochs=1, random_state=0)
    det.fit(images)
    loaded = skalocc.load(det.save(tmp_path / "images.skalocc"))
    np.testing.assert_array_equal(loaded.score_samples(images), det.score_samples(images))
    assert loaded.image_shape_ == (8, 8, 1)

    frame = pd.DataFrame(rng.normal(size=(64, 3)), columns=["a", "b", "c"])
    det = ALOCCDetector(**SMALL).fit(frame)
    loaded = skalocc.load(det.save(tmp_path / "frame.skalocc"))
    assert list(loaded.feature_names_in_) == ["a", "b", "c"]
    assert loaded.calibration_scores_ is None
    np.testing.assert_array_equal(loaded.score_samples(frame), det.score_samples(frame))
    with pytest.raises(ValueError, match="feature names"):
        loaded.score_samples(frame.rename(columns={"a": "z"}))


def test_load_never_unpickles(saved, data, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("load unpickled something")

    class Refusing(pickle.Unpickler):
        load = refuse

    for name in ("load", "loads"):
        monkeypatch.setattr(pickle, name, refuse)
    monkeypatch.setattr(pickle, "Unpickler", Refusing)
    loaded = skalocc.load(saved)
    assert loaded.score_samples(data[0]).shape == (len(data[0]),)


def test_load_in_fresh_process_without_pickle_is_bit_identical(fitted, saved, data, tmp_path):
    data_path, out_path = tmp_path / "x.npy", tmp_path / "s.npy"
    np.save(data_path, data[1])
    code = (
        "import sys, pickle, numpy as np, skalocc\n"
        "def refuse(*a, **k):\n"
        "    raise RuntimeError('unpickling')\n"
        "class Refusing(pickle.Unpickler):\n"
        "    load = refuse\n"
        "pickle.load, pickle.loads, pickle.Unpickler = refuse, refuse, Refusing\n"
        "det = skalocc.load(sys.argv[1])\n"
        "np.save(sys.argv[3], det.score_samples(np.load(sys.argv[2])))\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(saved), str(data_path), str(out_path)], check=True
    )
    np.testing.assert_array_equal(np.load(out_path), fitted.score_samples(data[1]))


def test_other_version_warns_future_format_raises(saved, tmp_path, data):
    older = _rewrite_header(saved, tmp_path / "old.skalocc", skalocc_version="0.0.1")
    with pytest.warns(InconsistentVersionWarning, match="0.0.1"):
        loaded = skalocc.load(older)
    assert loaded.score_samples(data[0]).shape == (len(data[0]),)
    future = _rewrite_header(saved, tmp_path / "future.skalocc", format_version=99)
    with pytest.raises(ValueError, match=r"format 99.*Upgrade skalocc"):
        skalocc.load(future)


def test_truncated_corrupted_and_foreign_files_raise(saved, tmp_path, fitted):
    payload = saved.read_bytes()
    truncated = tmp_path / "truncated.skalocc"
    truncated.write_bytes(payload[: len(payload) // 2])
    corrupted = tmp_path / "corrupted.skalocc"
    middle = len(payload) // 2
    corrupted.write_bytes(payload[:middle] + bytes(64) + payload[middle + 64 :])
    text = tmp_path / "text.skalocc"
    text.write_text("score,decision\n1,2\n")
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("hello.txt", "hi")
    pickled = tmp_path / "model.joblib"
    joblib.dump(fitted, pickled)
    for path in (truncated, corrupted, text, other_zip, pickled):
        with pytest.raises(ValueError, match="not a skalocc model file"):
            skalocc.load(path)
    with pytest.raises(FileNotFoundError):
        skalocc.load(tmp_path / "missing.skalocc")


def test_save_needs_a_fitted_detector(tmp_path):
    with pytest.raises(NotFittedError):
        ALOCCDetector().save(tmp_path / "m.skalocc")
    assert not list(tmp_path.iterdir())


def test_files_and_pickles_from_before_erasures_keep_training_without(saved, fitted, tmp_path):
    # A model trained before erase_fraction existed had no erasures: loading
    # it must not claim the new default, or a refit would train differently.
    with zipfile.ZipFile(saved) as archive:
        header = json.loads(archive.read("skalocc.json"))
    assert header["params"]["erase_fraction"] == pytest.approx(1 / 3)
    del header["params"]["erase_fraction"]
    older = _rewrite_header(saved, tmp_path / "older.skalocc", params=header["params"])
    assert skalocc.load(older).erase_fraction == 0.0
    state = fitted.__getstate__()
    del state["erase_fraction"]
    restored = ALOCCDetector.__new__(ALOCCDetector)
    restored.__setstate__(state)
    assert restored.erase_fraction == 0.0
    assert skalocc.load(saved).erase_fraction == pytest.approx(1 / 3)
