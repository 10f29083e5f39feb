"""Row chunks of large arrays: big inputs are streamed, never copied whole.

Validation converts its input to float64, and scaling makes one more copy;
for a memory-mapped array of a few gigabytes that is several times the data
in RAM. :func:`row_chunks` hands out bounded slices instead. When the array
is backed by a shared or read-only memory map (``np.memmap``, ``np.load(...,
mmap_mode="r")``), the pages of a chunk already read are given back to the
kernel afterwards (``madvise(MADV_DONTNEED)``), so the process's resident set
does not grow to the file's size: the file stays in the page cache and is read
from it again if the same rows are touched later. Copy-on-write maps
(``mode="c"``) are left alone, as dropping their pages would lose edits.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator

import numpy as np

# Rows per chunk are chosen so that a float64 copy of one chunk takes about
# this much memory (small enough to stay in cache while it is validated,
# scaled and scored); kept a multiple of the scoring batch (512 rows).
CHUNK_BYTES = 8 * 2**20
_ROW_MULTIPLE = 512
# np.memmap modes whose map is shared with the file (or read-only): their
# pages can be dropped and their rows read from the file directly.
_SHARED_MODES = ("r", "r+", "w+", "readonly", "readwrite", "write")


def chunk_rows(values_per_row: int) -> int:
    """Rows per chunk for rows of ``values_per_row`` float64 values."""
    rows = CHUNK_BYTES // (8 * max(1, values_per_row))
    return max(_ROW_MULTIPLE, rows - rows % _ROW_MULTIPLE)


def _backing_mmap(array: np.ndarray) -> tuple[mmap.mmap, str | None] | None:
    """The ``mmap`` under ``array`` (through its bases) and the memmap's mode."""
    mode = None
    base = array
    while base is not None:
        if isinstance(base, np.memmap) and mode is None:
            mode = getattr(base, "mode", None)
        if isinstance(base, mmap.mmap):
            return base, mode
        base = getattr(base, "base", None)
    return None


def release_pages(chunk: np.ndarray) -> None:
    """Give the memory-mapped pages of ``chunk`` back to the kernel, if safe.

    Only for contiguous views of shared or read-only maps; anything else is
    left untouched.
    """
    if not hasattr(mmap, "MADV_DONTNEED") or not chunk.flags.c_contiguous or not chunk.nbytes:
        return
    found = _backing_mmap(chunk)
    if found is None:
        return
    mapping, mode = found
    if mode not in _SHARED_MODES:
        return  # copy-on-write or unknown: edits would be lost
    start = np.frombuffer(mapping, dtype=np.uint8).__array_interface__["data"][0]
    offset = chunk.__array_interface__["data"][0] - start
    page = mmap.PAGESIZE
    first = offset - offset % page
    length = offset + chunk.nbytes - first
    try:
        mapping.madvise(mmap.MADV_DONTNEED, first, min(length, len(mapping) - first))
    except (OSError, ValueError):  # advisory only
        pass


def _file_rows(X: np.ndarray) -> tuple[str, int] | None:
    """``(file name, byte offset of X[0])`` when ``X`` is rows of a shared file map.

    Random rows of such an array are read with ``pread`` rather than through
    the map: every page fault on a file map also maps its neighbourhood (the
    kernel's fault-around and large folios), so a few random batches would map
    most of the file into the process. Copy-on-write maps (``mode="c"``) may
    hold edits the file does not, and are read through the map.
    """
    if X.ndim != 2 or not X.flags.c_contiguous:
        return None
    # The memmap that owns the mapping: its first byte is at file offset .offset.
    base = X
    while base is not None and not (
        isinstance(base, np.memmap) and isinstance(base.base, mmap.mmap)
    ):
        base = getattr(base, "base", None)
    if base is None or not base.filename or getattr(base, "mode", None) not in _SHARED_MODES:
        return None
    start = X.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return str(base.filename), int(base.offset) + int(start)


def _read_rows(path: str, offset: int, rows: np.ndarray, n_cols: int, dtype) -> np.ndarray:
    """Rows ``rows`` of a C-ordered 2-D array stored at ``offset`` in ``path``."""
    out = np.empty((len(rows), n_cols), dtype=dtype)
    row_bytes = n_cols * out.dtype.itemsize
    fd = os.open(path, os.O_RDONLY)
    try:
        for i, row in enumerate(rows.tolist()):
            view = memoryview(out[i]).cast("B")
            if os.preadv(fd, [view], offset + row * row_bytes) != row_bytes:
                raise OSError(f"short read from {path} (was the file truncated?)")
    finally:
        os.close(fd)
    return out


def row_chunks(X: np.ndarray, rows: int) -> Iterator[np.ndarray]:
    """Yield consecutive row slices of ``X`` with at most ``rows`` rows each.

    Each slice is a view; memory-mapped pages behind it are released once the
    consumer asks for the next one.
    """
    for start in range(0, len(X), rows):
        chunk = X[start : start + rows]
        yield chunk
        release_pages(chunk)


# Training streams its batches from the input (instead of one scaled copy of
# the whole array) when a float64 copy of the input would exceed this.
STREAM_BYTES = 512 * 2**20


def training_rows(data: np.ndarray, scaling, sample_shape: tuple, *, streamed: bool):
    """The training rows of ``fit``: :class:`ScaledRows` or :class:`InMemoryRows`.

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_features)
        The validated input: a float64 copy, or (``streamed``) the large
        input itself, which is never copied whole.
    scaling : MinMaxScaling
        The learned scaling.
    sample_shape : tuple of int
        Shape of one network input: ``(n_features,)`` or ``(h, w, c)``.
    streamed : bool
        Scale rows on demand instead of once.
    """
    cls = ScaledRows if streamed else InMemoryRows
    return cls(data, scaling, sample_shape)


class _Rows:
    """What training and scoring read of the training rows, however they are held.

    ``len(rows)``; ``rows.subset(positions)``, a view of some of them;
    ``rows.take(positions)``, scaled float32 rows for the networks;
    ``rows.scaled_chunks()``, all of them scaled in float64 in consecutive
    chunks (for exact scores); ``rows.batch_fetcher()``, a TensorFlow
    function from a batch of positions to the float32 batch.
    """

    sample_shape: tuple
    index: np.ndarray | None

    def _positions(self, positions) -> np.ndarray:
        return np.asarray(positions if self.index is None else self.index[positions])


class InMemoryRows(_Rows):
    """Training rows scaled once, in float64 (for scores) and float32 (for training).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64
        The validated input.
    scaling : MinMaxScaling
        The learned scaling.
    sample_shape : tuple of int
        Shape of one network input.
    """

    def __init__(self, X: np.ndarray, scaling, sample_shape: tuple):
        self.sample_shape = tuple(sample_shape)
        self.scaled = scaling.transform(X, dtype=np.float64).reshape((-1, *self.sample_shape))
        self.scaled32 = self.scaled.astype(np.float32)
        self.index = None

    def __len__(self) -> int:
        return len(self.scaled) if self.index is None else len(self.index)

    def subset(self, positions: np.ndarray) -> InMemoryRows:
        """The rows at ``positions`` of this object (sharing the scaled arrays)."""
        part = object.__new__(InMemoryRows)
        part.__dict__ = {**self.__dict__, "index": self._positions(positions)}
        return part

    def take(self, positions: np.ndarray) -> np.ndarray:
        """Scaled float32 rows at ``positions``."""
        return self.scaled32[self._positions(positions)]

    def scaled_chunks(self) -> Iterator[np.ndarray]:
        """The rows scaled in float64, as one chunk."""
        yield self.scaled if self.index is None else self.scaled[self.index]

    def batch_fetcher(self):
        """Copy the float32 rows into TensorFlow once; batches are gathered there."""
        from skalocc._backend import tf_keras

        tf, _ = tf_keras()
        data = tf.constant(self.scaled32 if self.index is None else self.take(np.arange(len(self))))
        return lambda idx: tf.gather(data, idx)


class ScaledRows(_Rows):
    """Rows of a large 2-D array, scaled on demand and shaped for the networks.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The validated input (any numeric dtype; may be a memory map).
    scaling : MinMaxScaling
        The learned scaling.
    sample_shape : tuple of int
        Shape of one network input: ``(n_features,)`` or ``(h, w, c)``.
    index : ndarray of int or None, default=None
        Rows of ``X`` this object stands for, in order; None means all.
    """

    def __init__(self, X: np.ndarray, scaling, sample_shape: tuple, index=None):
        self.X = X
        self.scaling = scaling
        self.sample_shape = tuple(sample_shape)
        self.index = index
        self._file = _file_rows(X)

    def __len__(self) -> int:
        return len(self.X) if self.index is None else len(self.index)

    def subset(self, positions: np.ndarray) -> ScaledRows:
        """The rows at ``positions`` of this object, as a new ScaledRows."""
        return ScaledRows(self.X, self.scaling, self.sample_shape, self._positions(positions))

    def _scaled(self, batch: np.ndarray, dtype) -> np.ndarray:
        scaled = self.scaling.transform(np.asarray(batch, dtype=np.float64), dtype=np.float64)
        return scaled.astype(dtype, copy=False).reshape((-1, *self.sample_shape))

    def _gather(self, rows: np.ndarray) -> np.ndarray:
        """Rows ``rows`` of ``X``: read from the file for shared file maps, else indexed."""
        if self._file is not None:
            return _read_rows(*self._file, rows, self.X.shape[1], self.X.dtype)
        return self.X[rows]

    def take(self, positions: np.ndarray) -> np.ndarray:
        """Scaled float32 rows at ``positions`` (same values as scaling all, then casting)."""
        return self._scaled(self._gather(self._positions(positions)), np.float32)

    def scaled_chunks(self) -> Iterator[np.ndarray]:
        """The rows scaled in float64, chunk by chunk, in order."""
        rows = chunk_rows(int(np.prod(self.sample_shape)))
        if self.index is None:
            for chunk in row_chunks(self.X, rows):
                yield self._scaled(chunk, np.float64)
        else:
            for start in range(0, len(self.index), rows):
                yield self._scaled(self._gather(self.index[start : start + rows]), np.float64)

    def batch_fetcher(self):
        """Read and scale each batch from the input as it is needed."""
        from skalocc._backend import tf_keras

        tf, _ = tf_keras()
        shape = (None, *self.sample_shape)

        def fetch(idx):
            batch = tf.numpy_function(self.take, [idx], tf.float32)
            batch.set_shape(shape)
            return batch

        return fetch
