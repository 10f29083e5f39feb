"""Speed and memory of training, scoring and import, against TensorFlow's own floor.

Usage, from the repository root::

    python benchmarks/speed.py [--parts train score fit-memory import] [--rows 1000000]
                               [--fit-rows 2100000] [--epochs 3] [--rounds 2] [--out DIR]

Every part runs in a fresh Python process (clean memory figures) on the real
data in ``../shared/data`` (see ``benchmarks/README.md``):

* ``train``: seconds per epoch of skalocc's training step (``_training.train``,
  the loop ``fit`` runs) against plain Keras code on the same networks and
  the same batches: the *floor* is one forward and backward pass of R and of
  D on the real, reconstructed (and, with pseudo-anomalies, pseudo-anomalous)
  batch with both Adam updates (a simultaneous GAN step); the *alternating
  floor* is the same in the paper's order (D updated first, then R against
  the updated D, which needs a second forward pass of R and of D).
  Tabular: ADBench ``mnist`` (7 603 x 100); image: MNIST digit 0 (5 923 x
  28 x 28). Each variant runs ``--rounds`` times, interleaved with the
  others (tabular runs are three times ``--epochs`` long); medians over the
  epochs after the first of each run (which traces).
  ``jit_compile=True`` (XLA) is timed too.
* ``score``: ``score_samples`` on a 1 000 000 x 784 ``np.memmap`` (MNIST rows
  repeated; float32 and uint8) against calling the bare networks on the same
  512-row batches; rows/s and peak resident memory.
* ``fit-memory``: ``fit`` on a float32 memmap larger than a quarter of RAM
  (one epoch, ``batch_size=512``): peak resident memory.
* ``import``: ``python -c "import skalocc"`` against ``import tensorflow``.

Prints markdown tables and writes ``speed.{md,json}`` to ``--out`` (default
``benchmarks/results``). Linux only (reads ``/proc/self/status``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(ROOT))

from benchmarks._report import machine_info, utc_now, write_atomic  # noqa: E402


def _child(part: str, *args: str) -> list[dict]:
    """Run one part of ``benchmarks/_speed_parts.py`` in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks._speed_parts", part, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None,  # progress lines go straight to the terminal
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark part {part!r} failed (exit status {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _import_times(repeats: int = 5) -> list[dict]:
    rows = []
    for stmt in ("import skalocc", "import tensorflow", "import sklearn"):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", stmt], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        rows.append({"statement": stmt, "median_s": round(sorted(times)[repeats // 2], 3)})
    leaked = subprocess.run(
        [sys.executable, "-c", "import sys, skalocc; print('tensorflow' in sys.modules)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    rows.append({"statement": "tensorflow imported by 'import skalocc'", "value": leaked})
    return rows


def _tables(results: dict) -> str:
    out = []
    if "train" in results:
        out += [
            "### Training throughput (seconds per epoch; median over rounds of epochs 2..)",
            "",
            "| setting | pseudo-anomalies | variant | s/epoch | samples/s | vs floor |",
            "|---|---|---|---:|---:|---:|",
        ]
        for r in results["train"]:
            if "error" in r:
                out.append(
                    f"| {r['setting']} | {r['pseudo_anomalies']} | {r['variant']} "
                    f"| failed: {r['error']} | | |"
                )
                continue
            floor = next(
                f["median_epoch_s"]
                for f in results["train"]
                if f["setting"] == r["setting"]
                and f["pseudo_anomalies"] == r["pseudo_anomalies"]
                and f["variant"] == "floor (simultaneous)"
            )
            out.append(
                f"| {r['setting']} | {r['pseudo_anomalies']} | {r['variant']} "
                f"| {r['median_epoch_s']} | {r['samples_per_s']} "
                f"| {r['median_epoch_s'] / floor:.2f} |"
            )
        out.append("")
    if "score" in results:
        out += [
            "### Scoring a memory-mapped array (`score_samples`, tabular, 784 features)",
            "",
            "| dtype | rows | array (GB) | skalocc rows/s | bare networks rows/s "
            "| skalocc / bare | peak RSS (MB) | peak anonymous (MB) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results["score"]:
            out.append(
                f"| {r['dtype']} | {r['rows']} | {r['array_gb']} | {r['rows_per_s']} "
                f"| {r['bare_rows_per_s']} | {r['ratio']} | {r['peak_rss_mb']} "
                f"| {r['peak_anon_mb']} |"
            )
        out.append("")
    if "fit-memory" in results:
        out += [
            "### Fitting on a memory-mapped array larger than a quarter of RAM",
            "",
            "| rows | array (GB) | RAM (GB) | fit (s) | peak RSS (MB) | peak anonymous (MB) |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results["fit-memory"]:
            out.append(
                f"| {r['rows']} | {r['array_gb']} | {r['ram_gb']} | {r['fit_s']} "
                f"| {r['peak_rss_mb']} | {r['peak_anon_mb']} |"
            )
        out.append("")
    if "import" in results:
        out += ["### Import time (fresh interpreter, median of 5)", "", "| | |", "|---|---:|"]
        for r in results["import"]:
            out.append(f"| `{r['statement']}` | {r.get('median_s', r.get('value'))} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts, print the tables, write the record.

    Returns
    -------
    status : int
        0 on success.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["train", "score", "fit-memory", "import"],
        choices=["train", "score", "fit-memory", "import"],
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows scored")
    parser.add_argument("--fit-rows", type=int, default=2_100_000, help="rows of the fit memmap")
    parser.add_argument(
        "--epochs", type=int, default=3, help="epochs per training run (tabular: 3x)"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="interleaved runs of each training variant"
    )
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the memmap files")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)

    results: dict = {}
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for part in args.parts:
            print(f"[{part}] ...", file=sys.stderr, flush=True)
            start = time.perf_counter()
            if part == "train":
                results[part] = _child("train", str(args.epochs), str(args.rounds))
            elif part == "score":
                results[part] = _child("score", str(args.rows), tmp)
            elif part == "fit-memory":
                results[part] = _child("fit-memory", str(args.fit_rows), tmp)
            else:
                results[part] = _import_times()
            print(f"[{part}] {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    if "import" in results:
        by = {r["statement"]: r.get("median_s") for r in results["import"]}
        results["import_ratio"] = round(by["import skalocc"] / by["import tensorflow"], 3)
    tables = _tables(results)
    print(tables)
    meta = {
        "date": utc_now(),
        "machine": machine_info(),
        "command": "python benchmarks/speed.py " + " ".join(argv or sys.argv[1:]),
    }
    write_atomic(args.out / "speed.json", json.dumps({**meta, **results}, indent=1))
    write_atomic(args.out / "speed.md", f"{meta['date']} - {meta['command']}\n\n{tables}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
