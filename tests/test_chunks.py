"""Large inputs are streamed in chunks with the same results as in memory."""

import mmap

import numpy as np
import pytest

from skalocc import ALOCCDetector, _chunks


@pytest.fixture
def small_chunks(monkeypatch):
    """Make every input 'large': streamed training, 512-row scoring chunks."""
    monkeypatch.setattr(_chunks, "STREAM_BYTES", 1000)
    monkeypatch.setattr(_chunks, "CHUNK_BYTES", 1)


@pytest.mark.parametrize("tol", [None, 1e-9])
def test_streamed_fit_and_scores_equal_in_memory(tmp_path, tiny, tol, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1100, 6)).astype(np.float32)
    params = {**tiny, "tol": tol, "random_state": 0}
    in_memory = ALOCCDetector(**params).fit(X)
    expected = in_memory.score_samples(X)

    np.save(tmp_path / "x.npy", X)
    X_map = np.load(tmp_path / "x.npy", mmap_mode="r")
    monkeypatch.setattr(_chunks, "STREAM_BYTES", 1000)
    monkeypatch.setattr(_chunks, "CHUNK_BYTES", 1)
    streamed = ALOCCDetector(**params).fit(X_map)
    np.testing.assert_array_equal(streamed.score_samples(X_map), expected)
    np.testing.assert_array_equal(streamed.reconstruct(X_map), in_memory.reconstruct(X))
    assert streamed.offset_ == in_memory.offset_
    # The weights are bit-identical (the scores above are); the logged losses
    # are float32 batch means, whose last bit can follow the batch's memory
    # layout on some CPUs (seen with AVX-512 kernels: 1e-7 relative).
    assert sorted(streamed.history_) == sorted(in_memory.history_)
    for name, values in in_memory.history_.items():
        np.testing.assert_allclose(streamed.history_[name], values, rtol=1e-6, atol=0)
    assert X_map.flags.writeable is False  # the input is read, never written


def test_chunked_validation_finds_bad_values_in_later_chunks(small_chunks, tiny):
    X = np.random.default_rng(0).normal(size=(1200, 3))
    X[1100, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ALOCCDetector(**tiny).fit(X)
    X[1100, 1] = 1e39
    with pytest.raises(ValueError, match="float32"):
        ALOCCDetector(**tiny).fit(X)


def test_row_chunks_cover_the_rows_in_order():
    X = np.arange(2000).reshape(1000, 2)
    chunks = list(_chunks.row_chunks(X, 512))
    assert [len(c) for c in chunks] == [512, 488]
    np.testing.assert_array_equal(np.concatenate(chunks), X)


@pytest.mark.parametrize(("budget", "rows"), [(1, 512), (8 * 10 * 1500, 1024)])
def test_chunk_rows_are_a_multiple_of_the_scoring_batch(monkeypatch, budget, rows):
    monkeypatch.setattr(_chunks, "CHUNK_BYTES", budget)
    assert _chunks.chunk_rows(10) == rows


@pytest.mark.parametrize("mode", ["r", "r+", "c"])
def test_releasing_pages_keeps_the_data(tmp_path, mode):
    X = np.arange(300_000, dtype=np.float64).reshape(-1, 3)
    path = tmp_path / "x.dat"
    X.tofile(path)
    X_map = np.memmap(path, dtype=np.float64, mode=mode, shape=X.shape)
    if mode == "c":
        X_map[0, 0] = -1.0  # a private edit must survive
    total = sum(float(chunk.sum()) for chunk in _chunks.row_chunks(X_map, 4096))
    expected = float(X.sum()) - (1.0 if mode == "c" else 0.0) * (X[0, 0] + 1.0)
    assert total == expected
    np.testing.assert_array_equal(X_map[1:], X[1:])
    assert X_map[0, 0] == (-1.0 if mode == "c" else 0.0)
    assert _chunks._backing_mmap(X_map[10:20]) is not None
    assert isinstance(_chunks._backing_mmap(X_map)[0], mmap.mmap)


class _Identity:
    @staticmethod
    def transform(X, dtype):
        return np.asarray(X, dtype=dtype)


@pytest.mark.parametrize("mode", ["r", "r+", "c"])
def test_scaled_rows_read_the_right_rows_of_a_file(tmp_path, mode):
    X = np.arange(5000 * 6, dtype=np.float32).reshape(5000, 6)
    path = tmp_path / "x.dat"
    path.write_bytes(b"\0" * 24 + X.tobytes())  # data after a 24-byte header
    X_map = np.memmap(path, dtype=np.float32, mode=mode, offset=24, shape=X.shape)
    if mode == "c":
        X_map[7] = -1.0  # a private edit, not in the file: must be seen
    view = X_map[1000:]  # a view that starts 1000 rows into the map
    rows = _chunks.ScaledRows(view, _Identity(), (6,))
    assert (rows._file is None) == (mode == "c")
    picks = np.array([3, 0, 3999, 17, 6])
    np.testing.assert_array_equal(rows.take(picks), np.asarray(view)[picks])
    whole = _chunks.ScaledRows(X_map, _Identity(), (6,)).take(np.array([7, 4999]))
    expected = np.asarray(X_map)[[7, 4999]]
    np.testing.assert_array_equal(whole, expected)
    assert whole[0, 0] == (-1.0 if mode == "c" else X[7, 0])
