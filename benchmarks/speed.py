"""Speed and memory of training, scoring and import, against TensorFlow's own floor.

Usage, from the repository root::

    python benchmarks/speed.py [--parts train score score-image fit-memory import]
                               [--rows 1000000] [--image-rows 10000]
                               [--fit-rows 2100000] [--epochs 3] [--rounds 2]
                               [--train-rows N] [--before REV] [--out DIR]

Every part runs in a fresh Python process (clean memory figures) on the real
data in ``../shared/data`` (see ``benchmarks/README.md``):

* ``train``: seconds per epoch of ``ALOCCDetector.fit``'s training (the
  difference between a fit of ``--epochs`` epochs and a fit of one, per
  extra epoch) against plain Keras code on float32 twins of the networks
  ``fit`` builds and the same kind of batches: the *floor* is one forward
  and backward pass of R and of D on the real, reconstructed (and, with
  pseudo-anomalies, pseudo-anomalous) batch with both Adam updates (stock
  Keras Adam, ``beta_1=0.5``: a simultaneous GAN step); the *alternating
  floor* is the same in the paper's order (D updated first, then R against
  the updated D, which needs a second forward pass of R and of D).
  Tabular: ADBench ``mnist`` (7 603 x 100); image: MNIST digit 0 (5 923 x
  28 x 28), the first ``--train-rows`` of each when set. Each variant runs
  ``--rounds`` times, interleaved with the others (tabular runs are three
  times ``--epochs`` long); each round gives the mean epoch after the first
  (which traces), the table the median over rounds.
* ``score``: ``score_samples`` on a 1 000 000 x 784 ``np.memmap`` (MNIST rows
  repeated; float32 and uint8) against calling the bare networks (float32,
  compiled, as for ``score-image``) on the same
  512-row batches; rows/s and peak resident memory.
* ``score-image``: ``score_samples`` of the default image detector
  (``image_shape=(28, 28)``, one epoch on MNIST's digit-0 training images,
  the first ``--train-rows`` when set) on ``--image-rows`` MNIST images (the
  test set first) against bare float32 compiled calls (one ``tf.function``
  per network, traced once) of the same networks on the same 512-row
  batches; with ``--before REV``, also the library as it was at git
  revision ``REV`` scoring the same fitted detector (pickled across), and
  the largest change in the scores. Medians over ``--rounds`` calls, after
  a first call (which traces) timed apart.
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

from benchmarks._before import label, library_at  # noqa: E402
from benchmarks._report import study_main  # noqa: E402

PARTS = ("train", "score", "score-image", "fit-memory", "import")


def _at_least_two(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(
            f"must be at least 2 (the first epoch traces), got {value}"
        )
    return value


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
            "## Training throughput (seconds per epoch after the first; median over rounds)",
            "",
            "| setting | pseudo-anomalies | variant | s/epoch | samples/s | vs floor |",
            "|---|---|---|---:|---:|---:|",
        ]
        for r in results["train"]:
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
            "## Scoring a memory-mapped array (`score_samples`, tabular, 784 features)",
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
    if "score-image" in results:
        out += [
            "## Scoring images (`score_samples`, default image detector, MNIST 28x28)",
            "",
            "| variant | rows | first call (s) | s | rows/s | vs bare float32 compiled |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in results["score-image"]:
            bare_s = r["bare_s"]
            if "before_score_s" in r:
                out.append(
                    f"| before ({results.get('before', '?')}) | {r['rows']} "
                    f"| {r['before_first_call_s']} | {r['before_score_s']} "
                    f"| {r['before_rows_per_s']} | {bare_s / r['before_score_s']:.3f} |"
                )
            out.append(
                f"| this tree | {r['rows']} | {r['first_call_s']} | {r['score_s']} "
                f"| {r['rows_per_s']} | {r['vs_bare']} |"
            )
            out.append(
                f"| bare float32 compiled R + D logit | {r['rows']} | | {bare_s} "
                f"| {r['bare_rows_per_s']} | 1.000 |"
            )
            if "speedup" in r:
                out += [
                    "",
                    f"This tree / before: {r['speedup']}x rows/s. Largest score change: "
                    f"{r['max_abs_change']:.3g} absolute, {r['max_change_over_std']:.3g} of "
                    f"the scores' standard deviation, {r['max_change_over_max_abs']:.3g} of "
                    "their largest magnitude.",
                ]
        out.append("")
    if "fit-memory" in results:
        out += [
            "## Fitting on a memory-mapped array larger than a quarter of RAM",
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
        out += ["## Import time (fresh interpreter, median of 5)", "", "| | |", "|---|---:|"]
        for r in results["import"]:
            out.append(f"| `{r['statement']}` | {r.get('median_s', r.get('value'))} |")
        out.append("")
    return "\n".join(out)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows scored")
    parser.add_argument(
        "--image-rows", type=int, default=10_000, help="images scored (score-image)"
    )
    parser.add_argument(
        "--before", metavar="REV", default=None, help="score-image: also skalocc at git REV"
    )
    parser.add_argument("--fit-rows", type=int, default=2_100_000, help="rows of the fit memmap")
    parser.add_argument(
        "--epochs", type=_at_least_two, default=3, help="epochs per training run (tabular: 3x)"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="interleaved runs of each training variant"
    )
    parser.add_argument(
        "--train-rows", type=int, default=0, help="cap on the training rows (0: all)"
    )
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the memmap files")


def _measure(args: argparse.Namespace) -> tuple[dict, str]:
    results: dict = {}
    if args.before is not None:
        results["before"] = label(args.before)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for part in args.parts:
            print(f"[{part}] ...", file=sys.stderr, flush=True)
            start = time.perf_counter()
            if part == "train":
                train_args = (args.epochs, args.rounds, args.train_rows)
                results[part] = _child("train", *map(str, train_args))
            elif part == "score":
                results[part] = _child("score", str(args.rows), tmp)
            elif part == "score-image":
                before = ""
                if args.before is not None:
                    before = str(library_at(args.before, Path(tmp) / "before"))
                train_rows = args.train_rows or 6000
                image_args = (args.image_rows, tmp, train_rows, args.rounds, before)
                results[part] = _child("score-image", *map(str, image_args))
            elif part == "fit-memory":
                results[part] = _child("fit-memory", str(args.fit_rows), tmp)
            else:
                results[part] = _import_times()
            print(f"[{part}] {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    if "import" in results:
        by = {r["statement"]: r.get("median_s") for r in results["import"]}
        results["import_ratio"] = round(by["import skalocc"] / by["import tensorflow"], 3)
    return results, _tables(results)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts, print the tables, write the record.

    Returns
    -------
    status : int
        0 on success.
    """
    return study_main(__file__, "speed", __doc__, _add_arguments, _measure, argv)


if __name__ == "__main__":
    raise SystemExit(main())
