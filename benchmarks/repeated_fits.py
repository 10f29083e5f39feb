"""Memory over many fits in one process: the figure behind reliability item 13.

Usage, from the repository root::

    python benchmarks/repeated_fits.py [--fits 100] [--stock-fits 30] [--out DIR]

Each variant runs in a fresh Python process that fits (and scores) a small
tabular ALOCCDetector ``--fits`` times with a new seed each time and records
its resident set size (``VmRSS``) after every fit. Variants:

* ``skalocc``: the library as shipped;
* ``stock Adam``: the same, with Keras' stock Adam optimizer swapped back in
  (its gradient all-reduce keeps every traced training step alive), to show
  what the library avoids. Skipped with ``--stock-fits 0``.

Prints a markdown table and writes ``repeated-fits.{md,json}`` to ``--out``
(default ``benchmarks/results``). Linux only (reads ``/proc/self/status``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

WARM_UP = 5  # fits before the baseline RSS is taken (first-fit imports and caches)

_CHILD = """
import gc, json, sys, time
import numpy as np
from skalocc import ALOCCDetector
from skalocc._backend import tf_keras
tf, keras = tf_keras()
n_fits, stock = int(sys.argv[1]), sys.argv[2] == "stock"
if stock:
    import skalocc._training as training
    training._plain_adam = lambda lr: keras.optimizers.Adam(lr, beta_1=0.5)

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

X = np.random.default_rng(0).normal(size=(200, 10))
params = dict(hidden_units=(32, 16), latent_dim=4, epochs=2, batch_size=32)
rss, start = [], time.perf_counter()
for seed in range(n_fits):
    ALOCCDetector(random_state=seed, **params).fit(X).score_samples(X)
    gc.collect()
    rss.append(rss_mb())
    if (seed + 1) % 10 == 0 or seed + 1 == n_fits:
        print(f"  fit {seed + 1}/{n_fits}, RSS {rss[-1]:.0f} MB, "
              f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
print(json.dumps({"rss_mb": rss, "seconds": time.perf_counter() - start, "params": params}))
"""


def _run(n_fits: int, variant: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n_fits), variant],
        stdout=subprocess.PIPE,  # progress lines (stderr) show while it runs
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the variants, print the table, write the record.

    Returns
    -------
    status : int
        0 on success.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fits", type=int, default=100, help="fits of the shipped library")
    parser.add_argument("--stock-fits", type=int, default=30, help="fits with stock Adam (0: skip)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    if args.fits <= WARM_UP or (args.stock_fits and args.stock_fits <= WARM_UP):
        parser.error(f"--fits and --stock-fits must exceed the {WARM_UP} warm-up fits")

    rows = []
    variants = [("skalocc", "shipped", args.fits)]
    if args.stock_fits:
        variants.append(("stock Adam", "stock", args.stock_fits))
    for name, variant, n_fits in variants:
        print(f"[{name}] {n_fits} fits ...", file=sys.stderr, flush=True)
        record = _run(n_fits, variant)
        rss = record["rss_mb"]
        growth = rss[-1] - rss[WARM_UP - 1]
        rows.append(
            {
                "variant": name,
                "fits": n_fits,
                "rss_after_warm_up_mb": round(rss[WARM_UP - 1], 1),
                "rss_end_mb": round(rss[-1], 1),
                "max_rss_mb": round(max(rss), 1),
                "growth_mb": round(growth, 1),
                "growth_per_fit_mb": round(growth / (n_fits - WARM_UP), 2),
                "seconds": round(record["seconds"], 1),
                "rss_mb": [round(v, 1) for v in rss],
                "params": record["params"],
            }
        )

    header = (
        "| variant | fits | RSS after 5 fits (MB) | RSS at end (MB) | growth (MB) "
        "| per fit (MB) | seconds |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['variant']} | {r['fits']} | {r['rss_after_warm_up_mb']} | {r['rss_end_mb']} "
            f"| {r['growth_mb']:+} | {r['growth_per_fit_mb']:+} | {r['seconds']} |"
        )
    table = "\n".join(lines)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
        f"python {platform.python_version()}",
        "command": "python benchmarks/repeated_fits.py " + " ".join(argv or sys.argv[1:]),
    }
    (args.out / "repeated-fits.json").write_text(json.dumps({**meta, "rows": rows}, indent=1))
    (args.out / "repeated-fits.md").write_text(f"{meta['date']} - {meta['command']}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    start = time.perf_counter()
    status = main()
    print(f"done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    raise SystemExit(status)
