"""Offline benchmark data: where the folder is, MNIST's IDX files, ADBench's npz files.

Nothing here downloads anything. The folder is ``--data DIR``, else the
``SKALOCC_DATA`` environment variable, else ``../shared/data`` next to the
repository root. Its layout is described in that folder's ``README.md``.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_ENV = "SKALOCC_DATA"
#: ``../shared/data`` relative to the repository root (the parent of ``benchmarks/``).
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
ADBENCH_COUNT = 33  # files in the shared copy of ADBench's classical datasets

# IDX type codes (third byte of the magic number) and their big-endian dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_ADBENCH_NAME = re.compile(r"^(\d+)_(.+)$")


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the benchmark data folder.

    Parameters
    ----------
    data_dir : str or path-like, default=None
        The folder given on the command line. None falls back to the
        ``SKALOCC_DATA`` environment variable, then to ``../shared/data``
        relative to the repository root.

    Returns
    -------
    path : Path
        An existing folder.

    Raises
    ------
    FileNotFoundError
        When the chosen folder does not exist; the message says where it looked.
    """
    if data_dir is not None:
        path, source = Path(data_dir), "--data"
    elif os.environ.get(DATA_ENV):
        path, source = Path(os.environ[DATA_ENV]), f"${DATA_ENV}"
    else:
        path, source = DEFAULT_DATA_DIR, "the default ../shared/data"
    if not path.is_dir():
        raise FileNotFoundError(
            f"Benchmark data folder {str(path)!r} (from {source}) does not exist. "
            f"Pass --data DIR or set {DATA_ENV}."
        )
    return path


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read a gzip-compressed IDX file (the MNIST format) into an array.

    The header is big-endian: a magic number ``0x0000TTNN`` (``TT`` the
    element type, ``NN`` the number of dimensions), one uint32 per dimension,
    then the raw elements.

    Parameters
    ----------
    path : str or path-like
        A ``.gz`` IDX file.

    Returns
    -------
    array : ndarray
        The elements in native byte order, shaped as the header says.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> import numpy as np
    >>> header = bytes([0, 0, 0x08, 2]) + np.array([2, 3], dtype=">u4").tobytes()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.gz"
    >>> _ = path.write_bytes(gzip.compress(header + bytes(range(6))))
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    """
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file (magic {raw[:4].hex()}).")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    offset = 4 + 4 * ndim
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - offset != expected:
        raise ValueError(
            f"{path}: header says {shape} of {dtype.name} ({expected} bytes), "
            f"found {len(raw) - offset} bytes of data."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=offset).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


@dataclass(frozen=True)
class MNIST:
    """The four MNIST arrays: uint8 images ``(n, 28, 28)`` and uint8 labels ``(n,)``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_mnist(data_dir: Path) -> MNIST:
    """Load MNIST from ``data_dir / "mnist"``.

    Parameters
    ----------
    data_dir : Path
        The benchmark data folder (see :func:`resolve_data_dir`).

    Returns
    -------
    mnist : MNIST
        60 000 training and 10 000 test images with their labels.
    """
    arrays = {key: read_idx(data_dir / "mnist" / name) for key, name in MNIST_FILES.items()}
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"MNIST {part}: images {x.shape} do not match labels {y.shape}.")
    return MNIST(**arrays)


def adbench_files(data_dir: Path) -> dict[str, Path]:
    """List the ADBench datasets, in ADBench's numbering.

    Parameters
    ----------
    data_dir : Path
        The benchmark data folder.

    Returns
    -------
    files : dict of str to Path
        Display name (the file stem without its number, e.g. ``"donors"``)
        to the ``.npz`` file (e.g. ``11_donors.npz``).
    """
    found = []
    for path in (data_dir / "adbench").glob("*.npz"):
        match = _ADBENCH_NAME.match(path.stem)
        number, name = (int(match[1]), match[2]) if match else (10**6, path.stem)
        found.append((number, name, path))
    if not found:
        raise FileNotFoundError(f"No ADBench .npz files in {data_dir / 'adbench'}.")
    return {name: path for _, name, path in sorted(found)}


def load_adbench(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Load one ADBench dataset.

    Parameters
    ----------
    path : Path
        An ``.npz`` file holding ``X`` (n, d) and ``y`` (n,), y = 1 for an anomaly.

    Returns
    -------
    X : ndarray of shape (n, d), float64
        The features.
    y : ndarray of shape (n,), int64
        1 for an anomaly, 0 for a normal row.
    """
    with np.load(path, allow_pickle=False) as data:
        X = np.asarray(data["X"], dtype=np.float64)
        y = np.asarray(data["y"]).astype(np.int64)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"{path.name}: X {X.shape} and y {y.shape} do not match.")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{path.name}: y holds values other than 0 and 1.")
    if not np.isfinite(X).all():
        raise ValueError(f"{path.name}: X holds NaN or infinite values.")
    return X, y


def check_data(data_dir: Path) -> list[str]:
    """Read every MNIST and ADBench file once and describe it.

    A sanity check that needs no test runner: it raises on the first file
    that is missing or malformed, and on an ADBench folder without all
    ``ADBENCH_COUNT`` datasets.

    Parameters
    ----------
    data_dir : Path
        The benchmark data folder.

    Returns
    -------
    lines : list of str
        One line per array set, e.g. ``"adbench donors: X (619326, 10), 36710 anomalies"``.
    """
    mnist = load_mnist(data_dir)
    lines = [
        f"mnist {part}: images {getattr(mnist, f'x_{part}').shape}, labels per digit "
        f"{np.bincount(getattr(mnist, f'y_{part}'), minlength=10).tolist()}"
        for part in ("train", "test")
    ]
    files = adbench_files(data_dir)
    for name, path in files.items():
        X, y = load_adbench(path)
        lines.append(
            f"adbench {name} ({path.name}): X {X.shape}, {int(y.sum())} anomalies "
            f"({100 * y.mean():.2f}%)"
        )
    if len(files) != ADBENCH_COUNT:
        raise ValueError(f"Expected {ADBENCH_COUNT} ADBench files, found {len(files)}.")
    return lines
