"""Cost of the tabular defaults: ``fit`` and ``score_samples`` on a 10 000 x 100 table.

Usage, from the repository root::

    python benchmarks/tabular_cost.py [--rows 10000] [--columns 100] [--repeats 3] [--out DIR]

Fits ``ALOCCDetector()`` (the defaults: the "features" score, "standard"
scaling) ``--repeats`` times, each with its own seed, on generated correlated
rows (10 latent factors seen through ``--columns`` features, plus noise), and
scores as many new rows each time. Also times the former tabular defaults
(``novelty_score="combined", scaling="minmax"``) in the same run, interleaved,
so the two are compared as a ratio. The issue's budget: a default fit within
30 s on the project's 2-core CPU.

Prints a markdown table and writes ``tabular-cost.{md,json}`` to ``--out``
(default ``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(ROOT))

from benchmarks._report import study_main  # noqa: E402

VARIANTS = {
    "defaults (features, standard)": {},
    "former defaults (combined, minmax)": {"novelty_score": "combined", "scaling": "minmax"},
}


def _rows(rng: np.random.Generator, n: int, columns: int) -> np.ndarray:
    mixing = rng.normal(size=(10, columns))
    return rng.normal(size=(n, 10)) @ mixing + 0.3 * rng.normal(size=(n, columns))


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=10_000, help="training rows (and scored rows)")
    parser.add_argument("--columns", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3, help="fits per variant")


def _measure(args: argparse.Namespace) -> tuple[dict, str]:
    from skalocc import ALOCCDetector

    data = np.random.default_rng(0)
    X = _rows(data, 2 * args.rows, args.columns)
    train, new = X[: args.rows], X[args.rows :]
    runs: dict[str, list[dict]] = {name: [] for name in VARIANTS}
    for seed in range(args.repeats):  # interleaved: machine noise hits both alike
        for name, params in VARIANTS.items():
            start = time.perf_counter()
            det = ALOCCDetector(random_state=seed, **params).fit(train)
            fit_s = time.perf_counter() - start
            start = time.perf_counter()
            det.score_samples(new)
            score_s = time.perf_counter() - start
            runs[name].append({"seed": seed, "fit_s": fit_s, "score_s": score_s})
            print(f"[tabular-cost] {name} seed {seed}: fit {fit_s:.1f} s, score {score_s:.1f} s")
    lines = [
        f"## Default fit on {args.rows} x {args.columns} (median of {args.repeats})",
        "",
        "| variant | fit s (median) | fit s (runs) | score s for "
        f"{args.rows} rows (median) | fit ratio to the former defaults |",
        "|---|---:|---|---:|---:|",
    ]
    former = np.median([r["fit_s"] for r in runs["former defaults (combined, minmax)"]])
    for name, records in runs.items():
        fits = [r["fit_s"] for r in records]
        score = np.median([r["score_s"] for r in records])
        lines.append(
            f"| {name} | {np.median(fits):.1f} | {' / '.join(f'{v:.1f}' for v in fits)} | "
            f"{score:.2f} | {np.median(fits) / former:.2f} |"
        )
    record = {"rows": args.rows, "columns": args.columns, "runs": runs}
    return record, "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the study (see the module docstring)."""
    return study_main(__file__, "tabular-cost", __doc__, _add_arguments, _measure, argv)


if __name__ == "__main__":
    sys.exit(main())
