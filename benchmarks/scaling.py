"""Scaling out on Dask: grid-search wall time and scoring throughput.

Usage, from the repository root (needs ``pip install ".[dask]"``)::

    python benchmarks/scaling.py [--epochs 3] [--rows 200000] [--out DIR]

* **Search**: ``GridSearchCV`` of 12 candidates x 3 folds (36 fits) on
  scikit-learn's digits, digit 0 as the target class: each fold trains on two
  thirds of the 0s and is scored (AUROC, 0 positive) on the other third plus
  a third of the other digits. Run in-process with ``n_jobs=1``, then with
  ``n_jobs=-1`` under ``joblib.parallel_backend("dask")`` on a
  ``LocalCluster`` of 1 and of 2 worker processes (1 task each), whose
  TensorFlow thread pools share the cores
  (:func:`skalocc.dask.tensorflow_thread_env`). The search results must be
  identical in all three (checked).
* **Scoring**: one fitted detector scores a ``dask.array`` of ``--rows``
  random digit-like rows (chunks of 10 000 rows, generated on the workers)
  with :func:`skalocc.dask.score_blocks` on 1 and 2 workers, and the same
  rows as a NumPy array in-process; the best of 3 timed runs after a warm-up.

Prints a markdown table and writes ``scaling.{md,json}`` to ``--out`` (default
``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, _ROOT)

from benchmarks._report import study_main  # noqa: E402

GRID = {
    "latent_dim": [2, 4, 8],
    "hidden_units": [(16,), (32,)],
    "noise_std": [0.1, 0.2],
}
CHUNK_ROWS = 10_000


def _folds(y_digit: np.ndarray, n_folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train on inliers only, test on held-out inliers plus a share of outliers."""
    rng = np.random.default_rng(seed)
    inliers = rng.permutation(np.flatnonzero(y_digit == 0))
    outliers = rng.permutation(np.flatnonzero(y_digit != 0))
    folds = []
    for k in range(n_folds):
        test_in = inliers[k::n_folds]
        train = np.setdiff1d(inliers, test_in)
        folds.append((train, np.concatenate([test_in, outliers[k::n_folds]])))
    return folds


def _search(n_jobs: int, X, y, folds, epochs: int):
    from sklearn.model_selection import GridSearchCV

    from skalocc import ALOCCDetector

    search = GridSearchCV(
        ALOCCDetector(epochs=epochs, batch_size=32, random_state=0),
        GRID,
        scoring="roc_auc",
        cv=folds,
        refit=False,
        n_jobs=n_jobs,
    )
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start, search.cv_results_


def _cluster(n_workers: int):
    from distributed import Client, LocalCluster

    from skalocc.dask import tensorflow_thread_env

    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env=tensorflow_thread_env(n_workers),
    )
    return cluster, Client(cluster)


def _best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--epochs", type=int, default=3, help="epochs per fit of the search")
    parser.add_argument("--rows", type=int, default=200_000, help="rows scored")


def _measure(args: argparse.Namespace) -> tuple[dict, str]:
    import dask.array as da
    import joblib
    from sklearn.datasets import load_digits

    from skalocc import ALOCCDetector
    from skalocc.dask import score_blocks

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    X, digit = load_digits(return_X_y=True)
    y = np.where(digit == 0, 1, -1)
    folds = _folds(digit, 3, seed=0)
    n_candidates = int(np.prod([len(v) for v in GRID.values()]))

    rows = []
    print("[search] n_jobs=1 in-process ...", file=sys.stderr, flush=True)
    seconds, reference = _search(1, X, y, folds, args.epochs)
    rows.append({"task": "search", "setup": "in-process, n_jobs=1", "seconds": seconds})
    best = reference["params"][int(np.argmax(reference["mean_test_score"]))]

    detector = ALOCCDetector(epochs=args.epochs, batch_size=32, random_state=0, **best)
    detector.fit(X[folds[0][0]])
    rng = np.random.default_rng(0)
    X_big = rng.random((args.rows, X.shape[1])) * 16.0
    detector.score_samples(X_big[:1000])  # warm-up
    seconds = _best_of(3, lambda: detector.score_samples(X_big))
    rows.append(
        {"task": "scoring", "setup": "in-process, NumPy", "seconds": seconds, "rows": args.rows}
    )
    expected = detector.score_samples(X_big[:CHUNK_ROWS])

    for n_workers in (1, 2):
        print(f"[search] {n_workers} Dask worker(s) ...", file=sys.stderr, flush=True)
        cluster, client = _cluster(n_workers)
        try:
            with joblib.parallel_backend("dask"):
                seconds, results = _search(-1, X, y, folds, args.epochs)
            same = bool(
                np.array_equal(results["mean_test_score"], reference["mean_test_score"])
                and results["params"] == reference["params"]
            )
            rows.append(
                {
                    "task": "search",
                    "setup": f"Dask, {n_workers} worker(s)",
                    "seconds": seconds,
                    "identical_to_n_jobs_1": same,
                }
            )
            print(f"[scoring] {n_workers} Dask worker(s) ...", file=sys.stderr, flush=True)
            big = da.random.default_rng(0).random(
                (args.rows, X.shape[1]), chunks=(CHUNK_ROWS, X.shape[1])
            )
            scores = score_blocks(detector, big * 16.0)
            first = score_blocks(detector, da.from_array(X_big[:CHUNK_ROWS], chunks=1000))
            same = bool(np.array_equal(first.compute(), expected))  # also the warm-up
            scores.compute()  # warm-up: the detector reaches every worker
            seconds = _best_of(3, scores.compute)
            rows.append(
                {
                    "task": "scoring",
                    "setup": f"Dask, {n_workers} worker(s)",
                    "seconds": seconds,
                    "rows": args.rows,
                    "identical_to_in_process": same,
                }
            )
        finally:
            client.close()
            cluster.close()

    search = f"{n_candidates} candidates x {len(folds)} folds, epochs={args.epochs}"
    lines = [
        "## Grid search and scoring on a local Dask cluster",
        "",
        f"Load average {load:.1f} at start; search: {search}.",
        "",
        "| task | setup | wall time (s) | throughput | identical |",
        "|---|---|---:|---:|---|",
    ]
    for r in rows:
        if r["task"] == "search":
            rate = f"{n_candidates * len(folds) / r['seconds'] * 60:.1f} fits/min"
            same = r.get("identical_to_n_jobs_1", "reference")
        else:
            rate = f"{r['rows'] / r['seconds']:,.0f} rows/s"
            same = r.get("identical_to_in_process", "reference")
        r["seconds"] = round(r["seconds"], 2)
        lines.append(f"| {r['task']} | {r['setup']} | {r['seconds']} | {rate} | {same} |")
    record = {
        "load_average_at_start": load,
        "search": search,
        "grid": GRID,
        "best_params": best,
        "best_mean_auroc": float(np.max(reference["mean_test_score"])),
        "rows": rows,
    }
    return record, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the search and scoring measurements, print the table, write the record.

    Returns
    -------
    status : int
        0 on success.
    """
    return study_main(__file__, "scaling", __doc__, _add_arguments, _measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
