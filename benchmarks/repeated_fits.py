"""Memory over many fits in one process: the figure behind reliability item 13.

Usage, from the repository root::

    python benchmarks/repeated_fits.py [--fits 100] [--before REV] [--out DIR]

A fresh Python process fits (and scores) a small tabular ALOCCDetector
``--fits`` times with a new seed each time and records its resident set size
(``VmRSS``) and thread count after every fit (:mod:`skalocc._process`).
``--before REV`` measures the library as it was at git revision ``REV``
(for example ``main``) first, in its own fresh process, for a before/after
table from one run.

Prints a markdown table and writes ``repeated-fits.{md,json}`` to ``--out``
(default ``benchmarks/results``). Linux only (reads ``/proc/self/status``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(ROOT))

from benchmarks._before import label, library_at  # noqa: E402
from benchmarks._report import study_main  # noqa: E402

WARM_UP = 5  # fits before the baseline RSS is taken (first-fit imports and caches)
PARAMS = {"hidden_units": (32, 16), "latent_dim": 4, "epochs": 2, "batch_size": 32}

_CHILD = """
import gc, json, sys, time
import numpy as np
from skalocc import ALOCCDetector
from skalocc._process import resident_set_mb, thread_count

n_fits, params = int(sys.argv[1]), json.loads(sys.argv[2])
params["hidden_units"] = tuple(params["hidden_units"])
X = np.random.default_rng(0).normal(size=(200, 10))
rss, threads, start = [], [], time.perf_counter()
for seed in range(n_fits):
    ALOCCDetector(random_state=seed, **params).fit(X).score_samples(X)
    gc.collect()
    rss.append(resident_set_mb())
    threads.append(thread_count())
    if (seed + 1) % 10 == 0 or seed + 1 == n_fits:
        print(f"  fit {seed + 1}/{n_fits}, RSS {rss[-1]:.0f} MB, "
              f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
print(json.dumps({"rss_mb": rss, "threads": threads, "seconds": time.perf_counter() - start}))
"""


def _fits(text: str) -> int:
    value = int(text)
    if value <= WARM_UP:
        raise argparse.ArgumentTypeError(f"must exceed the {WARM_UP} warm-up fits, got {value}")
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fits", type=_fits, default=100, help="fits in the process")
    parser.add_argument(
        "--before", metavar="REV", default=None, help="also measure skalocc at git revision REV"
    )


def _run_fits(n_fits: int, cwd: Path) -> dict:
    """The fits in a fresh process importing the skalocc found in ``cwd``."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n_fits), json.dumps(PARAMS)],
        cwd=cwd,
        stdout=subprocess.PIPE,  # progress lines (stderr) show while it runs
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(variant: str, n_fits: int, child: dict) -> dict:
    rss, threads = child["rss_mb"], child["threads"]
    growth = rss[-1] - rss[WARM_UP - 1]
    return {
        "variant": variant,
        "fits": n_fits,
        "rss_after_warm_up_mb": round(rss[WARM_UP - 1], 1),
        "rss_end_mb": round(rss[-1], 1),
        "max_rss_mb": round(max(rss), 1),
        "growth_mb": round(growth, 1),
        "growth_per_fit_mb": round(growth / (n_fits - WARM_UP), 2),
        "threads_after_warm_up": threads[WARM_UP - 1],
        "threads_end": threads[-1],
        "seconds": round(child["seconds"], 1),
        "rss_mb": [round(v, 1) for v in rss],
        "threads": threads,
    }


def _measure(args: argparse.Namespace) -> tuple[dict, str]:
    runs = []
    if args.before is not None:
        variant = f"before ({label(args.before)})"
        print(f"[repeated-fits] {variant}: {args.fits} fits ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="skalocc-before-") as tmp:
            runs.append((variant, _run_fits(args.fits, library_at(args.before, tmp))))
    print(f"[repeated-fits] this tree: {args.fits} fits ...", file=sys.stderr, flush=True)
    runs.append(("this tree", _run_fits(args.fits, ROOT)))
    rows = [_row(variant, args.fits, child) for variant, child in runs]
    params = ", ".join(f"{k}={v}" for k, v in PARAMS.items())
    lines = [
        "## Resident memory and threads after each fit",
        "",
        f"| variant | fits | RSS after {WARM_UP} fits (MB) | RSS at end (MB) | growth (MB) "
        f"| per fit (MB) | threads after {WARM_UP} fits | threads at end | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['variant']} | {row['fits']} | {row['rss_after_warm_up_mb']} "
            f"| {row['rss_end_mb']} | {row['growth_mb']:+} | {row['growth_per_fit_mb']:+} "
            f"| {row['threads_after_warm_up']} | {row['threads_end']} | {row['seconds']} |"
        )
    lines += [
        "",
        f"Each fit: `ALOCCDetector(random_state=seed, {params})` on 200 x 10 Gaussian "
        "rows, then `score_samples`; RSS after `gc.collect()`; growth from the end of "
        f"fit {WARM_UP} to the end.",
    ]
    return {"params": PARAMS, "warm_up": WARM_UP, "rows": rows}, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the fits, print the table, write the record.

    Returns
    -------
    status : int
        0 on success.
    """
    return study_main(__file__, "repeated-fits", __doc__, _add_arguments, _measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
