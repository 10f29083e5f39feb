"""The measuring half of ``benchmarks/speed.py``: one part per fresh process.

Run as ``python -m benchmarks._speed_parts PART ARGS...`` from the repository
root; prints the part's rows as one JSON line on stdout.

skalocc is measured through its public API (``ALOCCDetector.fit`` and
``score_samples``, the fitted networks ``reconstructor_`` and
``discriminator_``). The plain-Keras floor is written here, on float32 twins
of the networks ``fit`` builds; it borrows two pure pieces of the library,
documented in ``benchmarks/README.md`` as the benchmark's entry points: the
pseudo-anomalies of a batch (``skalocc._pseudo.pseudo_anomalies``) and the
batch size of scoring (``skalocc._scoring.SCORING_BATCH_SIZE``), so that the
floor does the same work as the library, not a lookalike of it.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

from benchmarks._data import adbench_files, load_adbench, load_mnist, resolve_data_dir
from skalocc._process import status_kb

BATCH = 64
ARCH = {"filters": (32, 64), "hidden_units": (64, 32), "latent_dim": 16, "kernel_size": 5}


def reset_peak() -> None:
    """Reset the kernel's peak resident set size (``VmHWM``) of this process."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


class AnonPeak:
    """Sample ``RssAnon`` (memory not backed by a file) every 50 ms; keep the peak."""

    def __enter__(self) -> AnonPeak:
        self.peak, self._stop = status_kb("RssAnon"), False

        def run():
            while not self._stop:
                self.peak = max(self.peak, status_kb("RssAnon"))
                time.sleep(0.05)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop = True
        self._thread.join()
        self.peak = max(self.peak, status_kb("RssAnon"))


def _mnist_rows(data_dir: Path) -> tuple[np.ndarray, object]:
    mnist = load_mnist(data_dir)
    return np.concatenate([mnist.x_train, mnist.x_test]).reshape(-1, 784), mnist


def _write_memmap(path: str, dtype: str, n_rows: int, base: np.ndarray) -> None:
    out = np.memmap(path, dtype=dtype, mode="w+", shape=(n_rows, base.shape[1]))
    for start in range(0, n_rows, len(base)):
        stop = min(n_rows, start + len(base))
        out[start:stop] = base[: stop - start]
    out.flush()
    del out


# ---------------------------------------------------------------- training
def _train_settings(data_dir: Path):
    X, y = load_adbench(adbench_files(data_dir)["mnist"])
    X = X[y == 0]
    span = np.ptp(X, axis=0)
    X = ((X - X.min(axis=0)) / np.where(span > 0, span, 1.0)).astype(np.float32)
    yield "tabular 100 features", X
    mnist = load_mnist(data_dir)
    images = (mnist.x_train[mnist.y_train == 0] / 255.0).astype(np.float32)[..., None]
    yield "image 28x28", images


def _detector(epochs: int, pseudo: bool):
    from skalocc import ALOCCDetector

    return ALOCCDetector(
        **ARCH, epochs=epochs, batch_size=BATCH, pseudo_anomalies=pseudo, random_state=0
    )


def _skalocc_epoch_s(x: np.ndarray, pseudo: bool, epochs: int) -> float:
    """Seconds per epoch after the first of ``fit``: ``(t(epochs) - t(1)) / (epochs - 1)``.

    Both fits build, trace and score the same way; the difference is
    ``epochs - 1`` epochs of training.
    """

    def fit_s(n_epochs: int) -> float:
        start = time.perf_counter()
        _detector(n_epochs, pseudo).fit(x)
        return time.perf_counter() - start

    return (fit_s(epochs) - fit_s(1)) / (epochs - 1)


def _floor_epoch_s(x: np.ndarray, pseudo: bool, alternating: bool, epochs: int) -> float:
    """Seconds per epoch after the first of plain Keras code on the same networks."""
    import keras
    import tensorflow as tf

    from skalocc._networks import float32_copy
    from skalocc._pseudo import pseudo_anomalies

    ops, bce = keras.ops, keras.losses.binary_crossentropy
    fitted = _detector(1, pseudo).fit(x[: 2 * BATCH])  # the networks fit builds
    R, D = float32_copy(fitted.reconstructor_), float32_copy(fitted.discriminator_)
    r_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    r_opt.build(R.trainable_weights)
    d_opt.build(D.trainable_weights)
    seed = keras.random.SeedGenerator(0)
    axes = tuple(range(1, x.ndim))

    def d_input(xb, x_rec):
        parts = [xb, x_rec] + ([pseudo_anomalies(xb, seed)] if pseudo else [])
        return ops.concatenate(parts, axis=0)

    def d_loss_of(out, n):
        real, other = out[:n], out[n:]
        return ops.mean(bce(ops.ones_like(real), real)) + ops.mean(
            bce(ops.zeros_like(other), other)
        )

    def r_loss_of(xb, x_rec, fake):
        rec = ops.mean(ops.sum(ops.square(xb - x_rec), axis=axes))
        return ops.mean(bce(ops.ones_like(fake), fake)) + 0.4 * rec

    @tf.function(reduce_retracing=True)
    def simultaneous(xb):
        n = ops.shape(xb)[0]
        noisy = xb + keras.random.normal(ops.shape(xb), stddev=0.155, seed=seed)
        with tf.GradientTape(persistent=True) as tape:
            x_rec = R(noisy, training=True)
            out = D(d_input(xb, x_rec), training=True)
            d_loss = d_loss_of(out, n)
            r_loss = r_loss_of(xb, x_rec, out[n : 2 * n])
        d_opt.apply(tape.gradient(d_loss, D.trainable_weights), D.trainable_weights)
        r_opt.apply(tape.gradient(r_loss, R.trainable_weights), R.trainable_weights)
        return d_loss

    @tf.function(reduce_retracing=True)
    def alternate(xb):
        n = ops.shape(xb)[0]
        noisy = xb + keras.random.normal(ops.shape(xb), stddev=0.155, seed=seed)
        with tf.GradientTape() as tape:
            d_loss = d_loss_of(D(d_input(xb, R(noisy, training=True)), training=True), n)
        d_opt.apply(tape.gradient(d_loss, D.trainable_weights), D.trainable_weights)
        with tf.GradientTape() as tape:
            x_rec = R(noisy, training=True)
            r_loss = r_loss_of(xb, x_rec, D(x_rec, training=True))
        r_opt.apply(tape.gradient(r_loss, R.trainable_weights), R.trainable_weights)
        return d_loss

    step = alternate if alternating else simultaneous
    # In-memory batches as fit makes them: one shuffle per epoch, gathered in tf.data.
    rng = np.random.default_rng(0)
    perms = np.stack([rng.permutation(len(x)) for _ in range(epochs)]).astype(np.int64)
    data = tf.constant(x)
    dataset = (
        tf.data.Dataset.from_tensor_slices(perms)
        .flat_map(lambda perm: tf.data.Dataset.from_tensor_slices(perm).batch(BATCH))
        .map(lambda i: tf.gather(data, i))
        .prefetch(tf.data.AUTOTUNE)
    )
    steps, batches, times = -(-len(x) // BATCH), iter(dataset), []
    for _ in range(epochs):
        start = time.perf_counter()
        for _ in range(steps):
            loss = step(next(batches))
        float(loss)  # wait for the last step
        times.append(time.perf_counter() - start)
    return statistics.mean(times[1:])  # the first epoch traces


def train_part(epochs: int, rounds: int, max_rows: int | None = None) -> list[dict]:
    """Seconds per epoch: skalocc's ``fit`` and the plain-Keras floors."""
    rows = []
    for name, x in _train_settings(resolve_data_dir(None)):
        x = x[:max_rows]
        # Tabular epochs take well under a second: more of them, for stable figures.
        n_epochs = epochs * (3 if x.ndim == 2 else 1)
        for pseudo in (True, False):
            variants = {
                "skalocc": lambda: _skalocc_epoch_s(x, pseudo, n_epochs),  # noqa: B023
                "floor (simultaneous)": lambda: _floor_epoch_s(x, pseudo, False, n_epochs),  # noqa: B023
                "floor (alternating)": lambda: _floor_epoch_s(x, pseudo, True, n_epochs),  # noqa: B023
            }
            times: dict[str, list[float]] = {v: [] for v in variants}
            # Rounds interleave the variants, so that a noisy moment on a
            # shared machine does not fall on one variant only.
            for _ in range(rounds):
                for variant, run in variants.items():
                    label = f"[train] {name}, pseudo={pseudo}: {variant}"
                    print(label, file=sys.stderr, flush=True)
                    times[variant].append(run())
            for variant in variants:
                median = statistics.median(times[variant])
                rows.append(
                    {
                        "setting": name,
                        "pseudo_anomalies": pseudo,
                        "variant": variant,
                        "n": len(x),
                        "epochs": n_epochs,
                        "round_epoch_s": [round(t, 3) for t in times[variant]],
                        "median_epoch_s": round(median, 3),
                        "samples_per_s": round(len(x) / median, 1),
                    }
                )
    return rows


# ----------------------------------------------------------------- scoring
def score_part(n_rows: int, tmp: str) -> list[dict]:
    """``score_samples`` on memmaps against the bare float32 compiled networks, same batches."""
    from skalocc import ALOCCDetector

    base, _ = _mnist_rows(resolve_data_dir(None))
    det = ALOCCDetector(epochs=1, random_state=0).fit(base[:6000].astype(np.float32))
    rows = []
    for dtype in ("float32", "uint8"):
        path = os.path.join(tmp, f"score-{dtype}.dat")
        _write_memmap(path, dtype, n_rows, base)
        X = np.memmap(path, dtype=dtype, mode="r", shape=(n_rows, 784))
        bare = _bare_compiled(det, X)
        bare(1)  # traces
        bare_s, _ = _median_s(bare, 1)
        del bare, X  # bare holds X: both go, or the map and its pages stay resident
        X = np.memmap(path, dtype=dtype, mode="r", shape=(n_rows, 784))
        reset_peak()
        with AnonPeak() as anon:
            start = time.perf_counter()
            scores = det.score_samples(X)
            ours_s = time.perf_counter() - start
        rows.append(
            {
                "dtype": dtype,
                "rows": n_rows,
                "array_gb": round(X.nbytes / 1e9, 2),
                "score_s": round(ours_s, 1),
                "rows_per_s": round(n_rows / ours_s),
                "bare_s": round(bare_s, 1),
                "bare_rows_per_s": round(n_rows / bare_s),
                "ratio": round(bare_s / ours_s, 3),
                "peak_rss_mb": round(status_kb("VmHWM") / 1024),
                "peak_anon_mb": round(anon.peak / 1024),
                "finite": bool(np.isfinite(scores).all()),
            }
        )
        del X
        os.remove(path)
    return rows


# ------------------------------------------------------- scoring images
_BEFORE_CHILD = """
import json, pickle, sys, time
import numpy as np
with open(sys.argv[1], "rb") as f:
    det = pickle.load(f)
X, rounds = np.load(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
det.score_samples(X[:1])
first_s = time.perf_counter() - start
times = []
for _ in range(rounds):
    start = time.perf_counter()
    scores = det.score_samples(X)
    times.append(time.perf_counter() - start)
np.save(sys.argv[4], scores)
print(json.dumps({"first_call_s": first_s, "times": times}))
"""


def _bare_compiled(det, x: np.ndarray):
    """Bare float32 R and D-up-to-its-logit, traced once, on ``score_samples``' batches.

    Returns a function running the networks on ``x`` (raw rows or images, its
    first ``n_rows`` when given) the way scoring does: scaled, in float32
    batches of ``SCORING_BATCH_SIZE`` rows (the last one padded), both
    networks' outputs fetched to NumPy.
    """
    import keras
    import tensorflow as tf

    from skalocc._networks import float32_copy
    from skalocc._scoring import SCORING_BATCH_SIZE

    R, D = float32_copy(det.reconstructor_), float32_copy(det.discriminator_)
    logit = keras.Model(D.input, D.get_layer("logit").output)
    spec = tf.TensorSpec((SCORING_BATCH_SIZE, *R.input_shape[1:]), tf.float32)
    r_fn = tf.function(lambda b: R(b, training=False), input_signature=[spec])
    d_fn = tf.function(lambda b: logit(b, training=False), input_signature=[spec])
    low, scale = det.scaling_.minimum, det.scaling_.scale  # scalars in image mode
    shape = (-1, *R.input_shape[1:])

    def run(n_rows: int | None = None):
        for first in range(0, len(x) if n_rows is None else n_rows, SCORING_BATCH_SIZE):
            raw = np.asarray(x[first : first + SCORING_BATCH_SIZE], np.float64).reshape(shape)
            if len(raw) < SCORING_BATCH_SIZE:
                pad = np.repeat(raw[:1], SCORING_BATCH_SIZE - len(raw), axis=0)
                raw = np.concatenate([raw, pad])
            batch = ((raw - low) / scale).astype(np.float32)
            np.asarray(r_fn(batch))
            np.asarray(d_fn(batch))

    return run


def _median_s(run, rounds: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def score_image_part(
    n_rows: int, tmp: str, train_rows: int, rounds: int, before: str
) -> list[dict]:
    """``score_samples`` of the default image detector on MNIST test images.

    Against bare float32 compiled calls of the same networks on the same
    batches and, with ``before`` (a folder holding an older ``skalocc/``),
    against that version scoring the same fitted detector (pickled across).
    """
    import pickle
    import subprocess

    from skalocc import ALOCCDetector

    mnist = load_mnist(resolve_data_dir(None))
    X_train = mnist.x_train[mnist.y_train == 0][:train_rows]
    X = np.concatenate([mnist.x_test, mnist.x_train])[:n_rows]
    print(f"[score-image] fit on {len(X_train)} images", file=sys.stderr, flush=True)
    det = ALOCCDetector(image_shape=(28, 28), epochs=1, random_state=0).fit(X_train)
    start = time.perf_counter()
    det.score_samples(X[:1])  # builds the float32 copies and traces once
    first_call_s = time.perf_counter() - start
    ours_s, ours_times = _median_s(lambda: det.score_samples(X), rounds)
    scores = det.score_samples(X)
    bare = _bare_compiled(det, X)
    bare(1)  # traces
    bare_s, bare_times = _median_s(bare, rounds)
    row = {
        "setting": f"MNIST 28x28, default image detector ({det.novelty_score_})",
        "rows": len(X),
        "train_rows": len(X_train),
        "first_call_s": round(first_call_s, 2),
        "score_s": round(ours_s, 2),
        "round_score_s": [round(t, 2) for t in ours_times],
        "rows_per_s": round(len(X) / ours_s),
        "bare_s": round(bare_s, 2),
        "round_bare_s": [round(t, 2) for t in bare_times],
        "bare_rows_per_s": round(len(X) / bare_s),
        "vs_bare": round(bare_s / ours_s, 3),
    }
    if before:
        det_path, x_path = os.path.join(tmp, "det.pkl"), os.path.join(tmp, "x.npy")
        old_path = os.path.join(tmp, "old-scores.npy")
        with open(det_path, "wb") as f:
            pickle.dump(det, f)
        np.save(x_path, X)
        print("[score-image] the same detector, scored by the older skalocc", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, "-c", _BEFORE_CHILD, det_path, x_path, str(rounds), old_path],
            cwd=before,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        old = json.loads(done.stdout.strip().splitlines()[-1])
        old_scores = np.load(old_path)
        old_s = statistics.median(old["times"])
        diff = np.abs(scores - old_scores)
        row.update(
            before_first_call_s=round(old["first_call_s"], 2),
            before_score_s=round(old_s, 2),
            round_before_score_s=[round(t, 2) for t in old["times"]],
            before_rows_per_s=round(len(X) / old_s),
            speedup=round(old_s / ours_s, 2),
            max_abs_change=float(diff.max()),
            max_change_over_std=float(diff.max() / np.std(old_scores)),
            max_change_over_max_abs=float(diff.max() / np.max(np.abs(old_scores))),
        )
    return [row]


# ------------------------------------------------------------- fit memory
def fit_memory_part(n_rows: int, tmp: str) -> list[dict]:
    """``fit`` on a float32 memmap larger than a quarter of RAM: peak memory."""
    from skalocc import ALOCCDetector

    base, _ = _mnist_rows(resolve_data_dir(None))
    path = os.path.join(tmp, "fit-float32.dat")
    _write_memmap(path, "float32", n_rows, base)
    X = np.memmap(path, dtype=np.float32, mode="r", shape=(n_rows, 784))
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    reset_peak()
    with AnonPeak() as anon:
        start = time.perf_counter()
        det = ALOCCDetector(epochs=1, batch_size=512, random_state=0).fit(X)
        seconds = time.perf_counter() - start
    row = {
        "rows": n_rows,
        "array_gb": round(X.nbytes / 1e9, 2),
        "ram_gb": round(ram / 1e9, 1),
        "fit_s": round(seconds, 1),
        "peak_rss_mb": round(status_kb("VmHWM") / 1024),
        "peak_anon_mb": round(anon.peak / 1024),
        "n_epochs": det.n_epochs_,
    }
    del X
    os.remove(path)
    return [row]


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up lines
    part, args = sys.argv[1], sys.argv[2:]
    if part == "train":
        result = train_part(int(args[0]), int(args[1]), int(args[2]) or None)
    elif part == "score":
        result = score_part(int(args[0]), args[1])
    elif part == "score-image":
        result = score_image_part(int(args[0]), args[1], int(args[2]), int(args[3]), args[4])
    elif part == "fit-memory":
        result = fit_memory_part(int(args[0]), args[1])
    else:
        raise SystemExit(f"unknown part {part!r}")
    print(json.dumps(result))
