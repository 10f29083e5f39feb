"""Read data files for the command line: CSV, ``.npy``, ``.npz``, image folders.

Every loader raises :class:`DataFileError` with a one-line message naming the
path and what is wrong, so that the command line can print it without a
traceback.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


class DataFileError(ValueError):
    """A data file that cannot be read, with a one-line explanation."""


def _float_or_none(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def read_csv(path: Path) -> np.ndarray:
    """Read a numeric CSV file; a first row that is not numeric is a header.

    Parameters
    ----------
    path : Path
        A comma-separated file of numbers, one sample per row.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        The rows below the header, if any.
    """
    with open(path, newline="", encoding="utf-8") as f:
        rows = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    if rows and any(_float_or_none(cell) is None for cell in rows[0]):
        rows = rows[1:]  # header
    if not rows:
        raise DataFileError(f"{path}: no data rows.")
    width = len(rows[0])
    values = []
    for line, row in enumerate(rows, start=1):
        if len(row) != width:
            raise DataFileError(
                f"{path}: data row {line} has {len(row)} values, the first one has {width}."
            )
        parsed = [_float_or_none(cell) for cell in row]
        if any(v is None for v in parsed):
            column = parsed.index(None) + 1
            bad = row[column - 1]
            if not bad.strip():
                raise DataFileError(
                    f"{path}: data row {line} has a missing value (an empty cell) in column "
                    f"{column}; ALOCCDetector needs complete samples: fill it in or drop the row."
                )
            raise DataFileError(
                f"{path}: data row {line} holds a non-numeric value {bad!r} in column {column}."
            )
        values.append(parsed)
    return np.asarray(values, dtype=np.float64)


def read_numpy(path: Path, key: str | None = None) -> np.ndarray:
    """Read a ``.npy`` array, or one array of a ``.npz`` archive.

    Parameters
    ----------
    path : Path
        ``.npy`` or ``.npz`` file. Pickled objects are refused.
    key : str or None, default=None
        The array of a ``.npz`` archive; None accepts an archive of one array.

    Returns
    -------
    X : ndarray
        The array as stored.
    """
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataFileError(f"{path}: not a readable NumPy file ({first_line}).") from None
    if isinstance(loaded, np.ndarray):
        if key is not None:
            raise DataFileError(f"{path}: --key applies to .npz archives only.")
        return loaded
    with loaded:
        names = list(loaded.files)
        if key is None:
            if len(names) != 1:
                raise DataFileError(
                    f"{path}: the archive holds {len(names)} arrays ({', '.join(names)}); "
                    "choose one with --key."
                )
            key = names[0]
        if key not in names:
            raise DataFileError(
                f"{path}: no array {key!r} in the archive (it holds {', '.join(names)})."
            )
        return loaded[key]


def read_image_folder(path: Path) -> np.ndarray:
    """Read every PNG/JPEG image of a folder (sorted by name) into one array.

    Parameters
    ----------
    path : Path
        A folder of images of one size. Grayscale images give an array of
        shape ``(n, h, w)``; if any image has colour, all are converted to RGB
        and the array has shape ``(n, h, w, 3)``.

    Returns
    -------
    X : ndarray of float64
        Pixel values as stored (0-255 for 8-bit images).
    """
    try:
        from PIL import Image
    except ImportError:
        raise DataFileError(
            f"{path}: reading images needs Pillow: pip install 'skalocc[images]'."
        ) from None
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataFileError(f"{path}: no .png, .jpg or .jpeg images in this folder.")
    images = []
    for file in files:
        try:
            with Image.open(file) as img:
                img.load()
                images.append(img.copy())
        except (OSError, ValueError) as exc:
            raise DataFileError(f"{file}: not a readable image ({exc}).") from None
    first = images[0].size
    for file, img in zip(files, images, strict=True):
        if img.size != first:
            raise DataFileError(
                f"{path}: images differ in size ({files[0].name} is {first[0]}x{first[1]}, "
                f"{file.name} is {img.size[0]}x{img.size[1]}); resize them to one size."
            )
    gray = all(img.mode in ("1", "L", "I", "I;16", "F") for img in images)
    mode = "L" if gray else "RGB"
    return np.stack([np.asarray(img.convert(mode), dtype=np.float64) for img in images])


def read_data_file(path: str | Path, *, key: str | None = None) -> np.ndarray:
    """Read ``path``: a CSV file, a ``.npy``/``.npz`` file or a folder of images.

    Parameters
    ----------
    path : str or Path
        The data. The kind is chosen by the suffix (``.csv``, ``.npy``,
        ``.npz``) or, for a folder, its PNG/JPEG files.
    key : str or None, default=None
        Array name inside a ``.npz`` archive.

    Returns
    -------
    X : ndarray
        2-D rows, or 3-D/4-D images.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skalocc._io import read_data_file
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = Path(tmp) / "data.csv"
    ...     _ = file.write_text("a,b\\n1,2\\n3,4\\n")
    ...     read_data_file(file)
    array([[1., 2.],
           [3., 4.]])
    """
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"{path}: no such file or folder.")
    if path.is_dir():
        X = read_image_folder(path)
    else:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            try:
                X = read_csv(path)
            except (UnicodeDecodeError, csv.Error) as exc:
                raise DataFileError(f"{path}: not a readable CSV file ({exc}).") from None
        elif suffix in (".npy", ".npz"):
            X = read_numpy(path, key)
        else:
            raise DataFileError(
                f"{path}: unknown data format {suffix or '(no suffix)'!r}; use a .csv, .npy "
                "or .npz file or a folder of PNG/JPEG images."
            )
        if key is not None and suffix != ".npz":
            raise DataFileError(f"{path}: --key applies to .npz archives only.")
    if X.ndim not in (2, 3, 4) or X.shape[0] == 0:
        raise DataFileError(
            f"{path}: expected samples as 2-D rows or 3-D/4-D images, got an array of "
            f"shape {X.shape}."
        )
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise DataFileError(f"{path}: expected real numbers, got dtype {X.dtype}.")
    return X
