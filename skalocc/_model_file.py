"""Model files without pickle: ``ALOCCDetector.save`` and ``skalocc.load``.

A model file is one zip archive:

* ``skalocc.json``: the format name and version, the skalocc version that
  wrote it, the estimator's parameters and its fitted scalars (JSON);
* ``arrays/<name>.npy``: fitted arrays (the scaling, the calibration scores,
  the "features" score's reference, the feature names), read back with
  ``allow_pickle=False``;
* ``reconstructor.keras`` and ``discriminator.keras``: the networks in Keras
  3's native format, read back with ``safe_mode=True`` (no Python code or
  lambdas are deserialised).

Nothing in the file is ever unpickled, so loading a file cannot run code
beyond what Keras's safe mode and NumPy's non-pickle arrays allow. Weights
are stored in float64 as fitted, so scores after loading are bit-identical.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

from skalocc._persistence import InconsistentVersionWarning
from skalocc._presets import with_earlier_values
from skalocc._version import __version__

FORMAT_NAME = "skalocc-model"
# Bump on any change that an older reader could not understand
# (2: the "features" score's reference array).
FORMAT_VERSION = 2
_HEADER = "skalocc.json"
_NETWORKS = ("reconstructor_", "discriminator_")
# Fitted scalars and small structures stored as JSON.
_SCALARS = ("offset_", "novelty_score_", "n_epochs_", "n_features_in_")


def _json_param(name: str, value):
    """A JSON-able form of the constructor parameter ``value``."""
    if name == "random_state" and not (value is None or isinstance(value, int | np.integer)):
        return None  # a RandomState instance: only its seeding effect is saved
    if name == "distribution_strategy" and not (value is None or isinstance(value, str)):
        raise ValueError(
            "save cannot store a tf.distribute.Strategy object in distribution_strategy; "
            "set it to None or 'mirrored' with set_params before saving."
        )
    if isinstance(value, tuple | list):
        return [_json_param(name, v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    raise ValueError(f"save cannot store the parameter {name}={value!r} in a model file.")


def _tuple_or_none(value):
    return None if value is None else tuple(value)


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def save_model(estimator, path: str | os.PathLike) -> Path:
    """Write fitted ``estimator`` to ``path`` (see the module docstring).

    The file is written to a temporary name next to ``path`` and renamed, so
    a failed save never leaves a truncated model file behind.
    """
    from skalocc._backend import tf_keras
    from skalocc._features import FeatureReference

    _, keras = tf_keras()
    params = {k: _json_param(k, v) for k, v in estimator.get_params(deep=False).items()}
    reference = estimator.score_reference_
    fitted = {name: getattr(estimator, name) for name in _SCALARS}
    fitted["offset_"] = float(fitted["offset_"])
    fitted["image_shape_"] = _tuple_or_none(estimator.image_shape_)
    arrays = {}
    if isinstance(reference, FeatureReference):
        fitted["score_reference_"] = "features"  # the array below
        arrays["score_reference_features"] = reference.features
    else:
        fitted["score_reference_"] = (
            None
            if reference is None
            else {"center": list(reference.center), "scale": list(reference.scale)}
        )
    fitted["history_"] = {k: [float(v) for v in vals] for k, vals in estimator.history_.items()}
    arrays["scaling_minimum"] = estimator.scaling_.minimum
    arrays["scaling_scale"] = estimator.scaling_.scale
    calibration = getattr(estimator, "calibration_scores_", None)
    if calibration is not None:
        arrays["calibration_scores_"] = calibration
    if hasattr(estimator, "feature_names_in_"):
        arrays["feature_names_in_"] = np.asarray(estimator.feature_names_in_, dtype=str)
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "skalocc_version": __version__,
        "keras_version": keras.__version__,
        "class": type(estimator).__name__,
        "params": params,
        "fitted": fitted,
        "arrays": sorted(arrays),
    }
    path = Path(path)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".skalocc-save-") as tmp:
        tmp_path = Path(tmp)
        archive_path = tmp_path / "model.zip"
        with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_HEADER, json.dumps(header, indent=1))
            for name, array in arrays.items():
                archive.writestr(f"arrays/{name}.npy", _npy_bytes(array))
            for name in _NETWORKS:
                network_file = tmp_path / f"{name.rstrip('_')}.keras"
                keras.saving.save_model(getattr(estimator, name), network_file)
                archive.write(network_file, network_file.name)
        os.replace(archive_path, path)
    return path


def _not_a_model(path, why: str) -> ValueError:
    return ValueError(f"{path} is not a skalocc model file ({why}).")


def _read_header(archive: zipfile.ZipFile, path) -> dict:
    try:
        header = json.loads(archive.read(_HEADER).decode("utf-8"))
    except KeyError:
        raise _not_a_model(path, f"no {_HEADER} inside the zip archive") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _not_a_model(path, f"{_HEADER} is not valid JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise _not_a_model(path, f"{_HEADER} does not describe a {FORMAT_NAME!r} file")
    version = header.get("format_version")
    if not isinstance(version, int):
        raise _not_a_model(path, "no format version")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by skalocc {header.get('skalocc_version')} in model-file "
            f"format {version}; this skalocc ({__version__}) reads formats up to "
            f"{FORMAT_VERSION}. Upgrade skalocc to load it."
        )
    saved = header.get("skalocc_version")
    if saved != __version__:
        warnings.warn(
            f"Loading a model file written by skalocc {saved} with skalocc {__version__}. "
            "The format is understood, but results may differ from those of the version "
            "that wrote it; refit, or save again with this version, to be sure.",
            InconsistentVersionWarning,
            stacklevel=3,
        )
    return header


def _read_array(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    return np.load(io.BytesIO(archive.read(f"arrays/{name}.npy")), allow_pickle=False)


def _read_network(archive: zipfile.ZipFile, name: str, tmp: Path):
    from skalocc._backend import tf_keras

    _, keras = tf_keras()
    target = tmp / f"{name.rstrip('_')}.keras"
    target.write_bytes(archive.read(target.name))
    try:
        return keras.saving.load_model(target, compile=False, safe_mode=True)
    except Exception as exc:  # Keras and h5py raise many types for a damaged network
        raise ValueError(f"{target.name}: {type(exc).__name__}: {exc}") from None


def load(path: str | os.PathLike):
    """Load a detector saved with :meth:`ALOCCDetector.save`, without unpickling.

    The file's format and skalocc version are checked first; arrays are read
    with ``allow_pickle=False`` and the networks with Keras's
    ``safe_mode=True``. Scores of the loaded detector are bit-identical to
    those of the saved one, in any process.

    Parameters
    ----------
    path : str or path-like
        A file written by ``ALOCCDetector.save``.

    Returns
    -------
    detector : ALOCCDetector
        The fitted detector.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file is truncated, corrupted or not a skalocc model file, or
        was written in a newer model-file format than this skalocc reads.

    Warns
    -----
    InconsistentVersionWarning
        When the file was written by another skalocc version.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, skalocc
    >>> X = np.random.default_rng(0).normal(size=(64, 4))
    >>> det = skalocc.ALOCCDetector(hidden_units=(8,), latent_dim=2, epochs=1,
    ...                             random_state=0).fit(X)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     again = skalocc.load(det.save(os.path.join(tmp, "model.skalocc")))
    >>> bool(np.array_equal(again.score_samples(X), det.score_samples(X)))
    True
    """
    from skalocc._alocc import ALOCCDetector
    from skalocc._features import FeatureReference
    from skalocc._scaling import MinMaxScaling
    from skalocc._scoring import ScoreReference

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file.")
    try:
        with zipfile.ZipFile(path) as archive:
            header = _read_header(archive, path)
            if header.get("class") != ALOCCDetector.__name__:
                raise _not_a_model(path, f"it holds a {header.get('class')!r}")
            bad = archive.testzip()  # checks every member's CRC
            if bad is not None:
                raise _not_a_model(path, f"member {bad} is corrupted")
            params = header["params"]
            for name in ("image_shape", "filters", "hidden_units"):
                if isinstance(params.get(name), list):
                    params[name] = tuple(params[name])
            # Files older than a parameter keep the value they were trained with.
            estimator = ALOCCDetector(**with_earlier_values(params))
            fitted = dict(header["fitted"])
            arrays = {name: _read_array(archive, name) for name in header["arrays"]}
            with tempfile.TemporaryDirectory(prefix="skalocc-load-") as tmp:
                networks = {name: _read_network(archive, name, Path(tmp)) for name in _NETWORKS}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise _not_a_model(path, f"not a readable zip archive: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise _not_a_model(path, f"a part is missing or malformed: {exc}") from None
    except ValueError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise _not_a_model(path, f"a part could not be read: {exc}") from None
    reference = fitted.pop("score_reference_")
    if reference == "features":
        reference = FeatureReference(arrays.pop("score_reference_features"))
    elif reference is not None:
        reference = ScoreReference(tuple(reference["center"]), tuple(reference["scale"]))
    fitted["score_reference_"] = reference
    fitted["image_shape_"] = _tuple_or_none(fitted["image_shape_"])
    fitted["offset_"] = float(fitted["offset_"])
    if not math.isfinite(fitted["offset_"]):
        raise _not_a_model(path, "offset_ is not finite")
    fitted["scaling_"] = MinMaxScaling(arrays.pop("scaling_minimum"), arrays.pop("scaling_scale"))
    fitted["calibration_scores_"] = arrays.pop("calibration_scores_", None)
    if "feature_names_in_" in arrays:
        fitted["feature_names_in_"] = arrays.pop("feature_names_in_").astype(object)
    fitted.update(networks)
    estimator.__dict__.update(fitted)
    return estimator
