"""False-alarm rates of the thresholds, and hit rates of the explanations.

Usage, from the repository root::

    python benchmarks/calibration.py [--seeds 0 1 2] [--mnist-digit 0] [--out DIR]
                                     [--data DIR] [--skip-mnist]

* **False alarms.** For a detector fitted with ``calibration_fraction``, the
  share of *fresh* normal samples (never seen in fit) with ``pvalues <= a``
  (the same samples that ``predict`` flags with ``contamination=a``), for
  ``a`` in 0.01, 0.05, 0.1; next to it what the thresholds without
  calibration give on the same fresh samples: the ``a``-quantile of the
  training scores (``contamination=a`` without calibration, and ``"auto"``
  at ``a = 0.05``) and the lower Tukey fence of the training scores (the
  ``"auto"`` of skalocc 0.1). Data: generated correlated Gaussian rows,
  scikit-learn's 8x8 digits (targets 0-2) and one MNIST class (its test
  images are the fresh inliers). Novelties' share with ``p <= a`` (the
  detection rate) is reported too.
* **Explanations.** The share of samples whose largest ``explain``
  contribution lies where the sample was altered: one column of a generated
  row shifted by ten standard deviations; a bright 2x2 (digits) or 4x4
  (MNIST) patch pasted on a dark area of a normal image.

Prints markdown tables and writes ``calibration.{md,json}`` to ``--out``
(default ``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, _ROOT)

from benchmarks._baselines import lower_tukey_fence  # noqa: E402
from benchmarks._data import load_mnist, resolve_data_dir  # noqa: E402
from benchmarks._report import machine_info, utc_now, write_atomic  # noqa: E402

RATES = (0.01, 0.05, 0.1)
TABULAR = {"epochs": 20, "batch_size": 64}  # default networks (64, 32), latent 16
DIGITS = {"filters": (16, 32), "kernel_size": 3, "epochs": 60, "batch_size": 16}
MNIST = {"filters": (16, 32), "epochs": 5, "batch_size": 64}


def correlated_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    """Correlated Gaussian rows: 3 latent factors seen through 6 features."""
    mixing = np.array(
        [
            [1.0, 0.5, 0.0, 0.3, 0.0, 0.2],
            [0.0, 1.0, 0.7, 0.0, 0.4, 0.0],
            [0.2, 0.0, 0.0, 1.0, 0.6, 0.8],
        ]
    )
    return rng.normal(size=(n, 3)) @ mixing + 0.1 * rng.normal(size=(n, 6))


def false_alarms(det, X_train, fresh, novel) -> dict:
    """Flagged shares of fresh inliers (and novelties) under each threshold."""
    scores_fresh = det.score_samples(fresh)
    p_fresh = det.pvalues(fresh)
    p_novel = det.pvalues(novel)
    all_train = det.score_samples(X_train)
    trained = all_train[~np.isin(all_train, det.calibration_scores_)]  # rows R and D saw
    fence = lower_tukey_fence(trained)
    row = {
        "n_train": len(trained),
        "n_calibration": len(det.calibration_scores_),
        "n_fresh": len(fresh),
        "n_novel": len(novel),
        "tukey_fence": float(np.mean(scores_fresh < fence)),
    }
    for a in RATES:
        row[f"conformal@{a}"] = float(np.mean(p_fresh <= a))
        row[f"train_quantile@{a}"] = float(np.mean(scores_fresh < np.percentile(trained, 100 * a)))
        row[f"detected@{a}"] = float(np.mean(p_novel <= a))
    return row


def paste_patches(images: np.ndarray, size: int, value: float, rng) -> tuple:
    """A bright ``size`` x ``size`` patch on a random all-dark area of each image."""
    out, masks = images.copy(), np.zeros(images.shape, dtype=bool)
    h, w = images.shape[1:3]
    keep = []
    for i, image in enumerate(images):
        dark = [
            (r, c)
            for r in range(h - size + 1)
            for c in range(w - size + 1)
            if not image[r : r + size, c : c + size].any()
        ]
        if not dark:
            continue
        r, c = dark[rng.integers(len(dark))]
        out[i, r : r + size, c : c + size] = value
        masks[i, r : r + size, c : c + size] = True
        keep.append(i)
    return out[keep], masks[keep]


def patch_hit_rate(det, images, size, value, seed) -> float:
    patched, masks = paste_patches(images, size, value, np.random.default_rng(seed))
    flat = det.explain(patched).reshape(len(patched), -1)
    return float(np.mean(masks.reshape(len(patched), -1)[np.arange(len(flat)), flat.argmax(1)]))


def generated(seed: int) -> tuple[dict, float]:
    from skalocc import ALOCCDetector

    rng = np.random.default_rng(seed)
    X = correlated_rows(rng, 4000)
    fresh = correlated_rows(rng, 20000)
    novel = rng.uniform(3, 5, size=(2000, 6)) * rng.choice([-1, 1], size=(2000, 6))
    det = ALOCCDetector(calibration_fraction=0.5, random_state=seed, **TABULAR).fit(X)
    row = false_alarms(det, X, fresh, novel)
    shifted = fresh[:2000].copy()
    cols = rng.integers(6, size=len(shifted))
    shifted[np.arange(len(shifted)), cols] += 10 * X.std(axis=0)[cols]
    hit = float(np.mean(det.explain(shifted).argmax(axis=1) == cols))
    return row, hit


def digits(target: int, seed: int) -> tuple[dict, float]:
    from skalocc import ALOCCDetector
    from skalocc.datasets import load_digits_novelty

    X_train, X_test, y_test = load_digits_novelty(target, random_state=seed)
    det = ALOCCDetector(
        image_shape=(8, 8), calibration_fraction=0.3, random_state=seed, **DIGITS
    ).fit(X_train)
    row = false_alarms(det, X_train, X_test[y_test == 1], X_test[y_test == -1])
    hit = patch_hit_rate(det, X_test[y_test == 1].reshape(-1, 8, 8), 2, 16.0, seed)
    return row, hit


def mnist(data_dir: Path, digit: int, seed: int) -> tuple[dict, float]:
    from skalocc import ALOCCDetector

    data = load_mnist(data_dir)
    X_train = data.x_train[data.y_train == digit]
    fresh = data.x_test[data.y_test == digit]
    rng = np.random.default_rng(seed)
    others = np.flatnonzero(data.y_test != digit)
    novel = data.x_test[rng.choice(others, 2000, replace=False)]
    det = ALOCCDetector(calibration_fraction=0.2, random_state=seed, **MNIST).fit(X_train)
    row = false_alarms(det, X_train, fresh, novel)
    hit = patch_hit_rate(det, fresh, 4, 255.0, seed)
    return row, hit


def markdown(meta: dict, rows: list[dict]) -> str:
    lines = [
        "# False-alarm rates and explanation hit rates",
        "",
        f"{meta['date']}, `{meta['command']}`, commit {meta['machine'].get('git_commit')}.",
        "",
        "Share of fresh normal samples flagged (the false-alarm rate) at a target rate a: "
        "`p <= a` with calibration (conformal); below the a-quantile of the training "
        'scores without calibration (`contamination=a`; `"auto"` is a = 0.05); below '
        'the lower Tukey fence of the training scores (skalocc 0.1\'s `"auto"`). '
        "`detected` is the share of novelties with `p <= a`. `hit` is the explanation "
        "hit rate.",
        "",
        "| data | seed | n_cal | n_fresh | conformal 0.01 / 0.05 / 0.1 | "
        "train quantile 0.01 / 0.05 / 0.1 | Tukey fence | detected 0.01 / 0.05 / 0.1 | hit |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:

        def triple(kind, r=r):
            return " / ".join(f"{r[f'{kind}@{a}']:.3f}" for a in RATES)

        lines.append(
            f"| {r['data']} | {r['seed']} | {r['n_calibration']} | {r['n_fresh']} | "
            f"{triple('conformal')} | {triple('train_quantile')} | {r['tukey_fence']:.3f} | "
            f"{triple('detected')} | {r['hit']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--mnist-digit", type=int, default=0)
    parser.add_argument("--skip-mnist", action="store_true")
    parser.add_argument("--data", default=None, help="benchmark data folder")
    parser.add_argument("--out", type=Path, default=Path(_ROOT) / "benchmarks" / "results")
    args = parser.parse_args(argv)
    meta = {
        "date": utc_now(),
        "command": "python benchmarks/calibration.py " + " ".join(sys.argv[1:]),
        "machine": machine_info(),
        "params": {"tabular": TABULAR, "digits": DIGITS, "mnist": MNIST},
    }
    rows: list[dict] = []
    jobs = [("generated", s, lambda s=s: generated(s)) for s in args.seeds]
    jobs += [(f"digits {t}", 0, lambda t=t: digits(t, 0)) for t in (0, 1, 2)]
    if not args.skip_mnist:
        data_dir = resolve_data_dir(args.data)
        jobs.append((f"MNIST {args.mnist_digit}", 0, lambda: mnist(data_dir, args.mnist_digit, 0)))
    for name, seed, job in jobs:
        start = time.perf_counter()
        row, hit = job()
        rows.append({"data": name, "seed": seed, **row, "hit": hit})
        rows[-1]["seconds"] = round(time.perf_counter() - start, 1)
        text = markdown(meta, rows)
        write_atomic(args.out / "calibration.md", text)
        write_atomic(args.out / "calibration.json", json.dumps({**meta, "rows": rows}, indent=1))
        print(f"{name} seed {seed}: {rows[-1]['seconds']} s", file=sys.stderr, flush=True)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
