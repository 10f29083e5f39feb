"""Exploration of tabular ALOCC recipes against standardised k-NN (issue 14).

Usage, from the repository root::

    python benchmarks/tabular_recipes.py --half dev --split-seeds 0 1 --configs base quantile

For each ADBench set of the chosen half and each split seed (the suite's own
split, :func:`benchmarks._adbench.adbench_split`, exploration caps
``--max-train`` / ``--max-test``), it fits ALOCCDetector once per *training
configuration* (input transform and constructor arguments) and computes
several *scores* from the fitted networks only:

* ``combined``, ``D(X)``, ``rec``: the estimator's own scores (D's logit, R's
  reconstruction error);
* ``knnD1``, ``knnD5``: minus the distance to the nearest / mean of the 5
  nearest training rows in D's penultimate layer (the input of ``"logit"``),
  ``knnDz5`` the same on that layer's features standardised with the
  training rows' mean and spread;
* ``knnR5``: the same (mean of 5) in R's bottleneck (layer ``"latent"``);
* ``knnDall1``, ``knnDall5``: the same in all of D's hidden layers
  concatenated; ``knnDR1``: nearest row in D's penultimate layer and R's
  bottleneck concatenated;
* ``D+knnD5``, ``D+knnDall1``, ``combined+knnDall1``: the sum of ``D(X)``
  (or of ``combined``) and the k-NN score, each standardised by the
  median and standard deviation of its training-row values (k-NN training
  values leave each row out of its own neighbours).

A configuration with several ``seeds`` averages each score, standardised the
same way, over that many fits (a seed ensemble). No classical detector ever
sees the input: the k-NN searches run in the networks' learned spaces.
Baselines on the same capped splits: 1-NN and 5-NN mean distance on
``StandardScaler`` features, and IsolationForest.

Results go to ``<out>.json`` (every record; a rerun skips the records it
already has, so configurations can be added one at a time) and ``<out>.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._adbench import adbench_selection, adbench_split  # noqa: E402
from benchmarks._data import load_adbench, resolve_data_dir  # noqa: E402
from benchmarks._metrics import auroc, average_precision  # noqa: E402
from benchmarks._report import machine_info, utc_now, write_atomic  # noqa: E402
from benchmarks._tasks import task_rng  # noqa: E402

#: Training configurations: input transform ("minmax" = none, the estimator's
#: own min-max scaling; "quantile" = QuantileTransformer to uniform [0, 1];
#: "logistic" = StandardScaler then 1 / (1 + exp(-z))), ALOCCDetector
#: arguments, and the number of seeds averaged.
CONFIGS: dict[str, dict[str, Any]] = {
    "base": {"transform": "minmax", "params": {}, "seeds": 1},
    "quantile": {"transform": "quantile", "params": {}, "seeds": 1},
    "logistic": {"transform": "logistic", "params": {}, "seeds": 1},
    "logistic-wide": {
        "transform": "logistic",
        "params": {"hidden_units": (128, 64), "latent_dim": 32},
        "seeds": 1,
    },
    "logistic-nopseudo": {
        "transform": "logistic",
        "params": {"pseudo_anomalies": False},
        "seeds": 1,
    },
    "logistic-ens3": {"transform": "logistic", "params": {}, "seeds": 3},
    # Same fits as "base" (deterministic), with the later scores (knnDall*, knnDR1).
    "base-v2": {"transform": "minmax", "params": {}, "seeds": 1},
    "wide-v2": {
        "transform": "minmax",
        "params": {"hidden_units": (256, 128), "latent_dim": 32},
        "seeds": 1,
    },
    "ens3-v2": {"transform": "minmax", "params": {}, "seeds": 3},
    # The estimator's scaling replaced (patched for the prototype) by mean -/+ 4 std -> [0, 1].
    "std4-v2": {"transform": "minmax", "scaling": "std4", "params": {}, "seeds": 1},
    # Same fits as "base", with the "combined+knnDall1" score.
    "base-v3": {"transform": "minmax", "params": {}, "seeds": 1},
    "std4-ens3-v2": {"transform": "minmax", "scaling": "std4", "params": {}, "seeds": 3},
    # Control: the same networks left at their random initialisation (learning rate 1e-12;
    # batch-normalisation statistics still follow the data): what does training add?
    "std4-untrained-v2": {
        "transform": "minmax",
        "scaling": "std4",
        "params": {"learning_rate": 1e-12},
        "seeds": 1,
    },
    "std4-wide-v2": {
        "transform": "minmax",
        "scaling": "std4",
        "params": {"hidden_units": (256, 128), "latent_dim": 32},
        "seeds": 1,
    },
    "quantile-ens3": {"transform": "quantile", "params": {}, "seeds": 3},
}
SCORES = (
    "combined",
    "D(X)",
    "rec",
    "knnD1",
    "knnD5",
    "knnDz5",
    "knnR5",
    "D+knnD5",
    "knnDall1",
    "knnDall5",
    "knnDR1",
    "D+knnDall1",
    "combined+knnDall1",
)
BASELINES = ("1-NN std", "5-NN mean std", "IsolationForest")


def transform(kind: str, X_train: np.ndarray, X_test: np.ndarray):
    """Fit the input transform on the training rows; return both transformed."""
    from sklearn.preprocessing import QuantileTransformer, StandardScaler

    if kind == "minmax":
        return X_train, X_test
    if kind == "quantile":
        qt = QuantileTransformer(n_quantiles=min(1000, len(X_train)), subsample=10**9)
        qt.fit(X_train)
        return qt.transform(X_train), qt.transform(X_test)
    if kind == "logistic":
        ss = StandardScaler().fit(X_train)
        return tuple(1 / (1 + np.exp(-ss.transform(X))) for X in (X_train, X_test))
    raise ValueError(kind)


#: The estimator's tabular score and scaling when the recipes were explored
#: (ALOCCDetector 0.1); every configuration starts from them, so that the
#: records stay comparable after 0.2 changed the tabular defaults. The
#: configurations' ``"scaling": "std4"`` is the estimator's ``scaling="standard"``
#: (mean -/+ 4 std to [0, 1]; the exploration patched it in before it was a
#: parameter).
EXPLORED_DEFAULTS = {"novelty_score": "combined", "scaling": "minmax"}


def estimator_params(config: dict[str, Any]) -> dict[str, Any]:
    """ALOCCDetector arguments of a configuration."""
    scaling = {"std4": "standard", None: "minmax"}[config.get("scaling")]
    return {**EXPLORED_DEFAULTS, "scaling": scaling, **config["params"]}


def _knn(train_f: np.ndarray, test_f: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Minus the mean distance to the k nearest training rows: (test, leave-one-out train)."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(train_f) - 1)
    nn = NearestNeighbors(n_neighbors=k).fit(train_f)
    d_test, _ = nn.kneighbors(test_f)
    d_train, _ = nn.kneighbors(None)
    return -d_test.mean(axis=1), -d_train.mean(axis=1)


def _standardise(test: np.ndarray, train: np.ndarray) -> np.ndarray:
    scale = np.std(train)
    return (test - np.median(train)) / (scale if scale > 0 else 1.0)


def network_scores(det, X_train: np.ndarray, X_test: np.ndarray) -> dict[str, np.ndarray]:
    """Every score of :data:`SCORES` for the test rows, standardised on the training rows."""
    import keras

    D, R = det.discriminator_, det.reconstructor_
    xs = [det.scaling_.transform(X, dtype=np.float64) for X in (X_train, X_test)]
    feat = keras.Model(D.input, D.get_layer("logit").input)
    logit = keras.Model(D.input, D.get_layer("logit").output)
    latent = keras.Model(R.input, R.get_layer("latent").output)

    def run(model, x):
        return np.concatenate(
            [np.asarray(model(x[i : i + 4096], training=False)) for i in range(0, len(x), 4096)]
        )

    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # name -> (test, train)
    out["combined"] = (det.score_samples(X_test), det.score_samples(X_train))
    lt, ltr = run(logit, xs[1])[:, 0], run(logit, xs[0])[:, 0]
    out["D(X)"] = (lt, ltr)
    rec = [-np.sqrt(np.sum((run(R, x) - x) ** 2, axis=1)) for x in xs]
    out["rec"] = (rec[1], rec[0])
    f_tr, f_te = run(feat, xs[0]), run(feat, xs[1])
    out["knnD1"] = _knn(f_tr, f_te, 1)
    out["knnD5"] = _knn(f_tr, f_te, 5)
    mu, sd = f_tr.mean(axis=0), f_tr.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    out["knnDz5"] = _knn((f_tr - mu) / sd, (f_te - mu) / sd, 5)
    z_tr, z_te = run(latent, xs[0]), run(latent, xs[1])
    out["knnR5"] = _knn(z_tr, z_te, 5)
    hidden = [layer.output for layer in D.layers if type(layer).__name__ == "LeakyReLU"]
    every = keras.Model(D.input, hidden)
    a_tr = np.concatenate([np.asarray(v) for v in every(xs[0], training=False)], axis=1)
    a_te = np.concatenate([np.asarray(v) for v in every(xs[1], training=False)], axis=1)
    out["knnDall1"] = _knn(a_tr, a_te, 1)
    out["knnDall5"] = _knn(a_tr, a_te, 5)
    out["knnDR1"] = _knn(np.hstack([f_tr, z_tr]), np.hstack([f_te, z_te]), 1)
    out["D+knnDall1"] = (
        _standardise(lt, ltr) + _standardise(*out["knnDall1"]),
        _standardise(ltr, ltr) + _standardise(out["knnDall1"][1], out["knnDall1"][1]),
    )
    comb, comb_tr = out["combined"]
    out["combined+knnDall1"] = (
        _standardise(comb, comb_tr) + _standardise(*out["knnDall1"]),
        _standardise(comb_tr, comb_tr) + _standardise(out["knnDall1"][1], out["knnDall1"][1]),
    )
    out["D+knnD5"] = (
        _standardise(lt, ltr) + _standardise(*out["knnD5"]),
        _standardise(ltr, ltr) + _standardise(out["knnD5"][1], out["knnD5"][1]),
    )
    return {name: _standardise(test, train) for name, (test, train) in out.items()}


def baseline_scores(X_train: np.ndarray, X_test: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """The classical baselines on the same split (standardised features)."""
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    ss = StandardScaler().fit(X_train)
    a, b = ss.transform(X_train), ss.transform(X_test)
    d, _ = NearestNeighbors(n_neighbors=5).fit(a).kneighbors(b)
    iso = IsolationForest(random_state=seed).fit(a)
    return {
        "1-NN std": -d[:, 0],
        "5-NN mean std": -d.mean(axis=1),
        "IsolationForest": iso.score_samples(b),
    }


def _key(record: dict[str, Any]) -> tuple:
    return record["set"], record["split_seed"], record["config"]


def run_config(
    name: str, config: dict[str, Any], X_train: np.ndarray, X_test: np.ndarray, y: np.ndarray
) -> dict[str, Any]:
    """Fit one configuration (``seeds`` fits) and measure every score."""
    from skalocc import ALOCCDetector

    a, b = transform(config["transform"], X_train, X_test)
    summed: dict[str, np.ndarray] = {}
    start = time.perf_counter()
    for seed in range(config["seeds"]):
        det = ALOCCDetector(**estimator_params(config), random_state=seed).fit(a)
        for score, values in network_scores(det, a, b).items():
            summed[score] = summed.get(score, 0) + values
        del det
        import keras

        keras.backend.clear_session()
    fit_s = time.perf_counter() - start
    metrics = {s: {"auroc": auroc(y, v), "ap": average_precision(y, v)} for s, v in summed.items()}
    return {"config": name, "fit_s": fit_s, "metrics": metrics}


def summarize(records: list[dict[str, Any]], half: str) -> list[str]:
    """Markdown: per variant (config x score) the mean AUROC over sets and splits vs k-NN."""

    def per_set(config: str, score: str) -> dict[str, float]:
        values: dict[str, list[float]] = {}
        for r in records:
            if r["config"] == config and score in r["metrics"]:
                values.setdefault(r["set"], []).append(r["metrics"][score]["auroc"])
        return {s: float(np.mean(v)) for s, v in values.items()}

    knn = per_set("baselines", "1-NN std")
    lines = [
        "| variant (config / score) | sets | mean AUROC | same sets: 1-NN std | diff | "
        "W / T / L vs 1-NN (tie < 0.005) | mean fit s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = []
    configs = sorted({r["config"] for r in records if r["config"] != "baselines"})
    for config in ["baselines", *configs]:
        scores = BASELINES if config == "baselines" else SCORES
        fit = [r["fit_s"] for r in records if r["config"] == config and "fit_s" in r]
        for score in scores:
            v = per_set(config, score)
            common = [s for s in v if s in knn]
            if not common:
                continue
            m = float(np.mean([v[s] for s in common]))
            k = float(np.mean([knn[s] for s in common]))
            diff = np.array([v[s] - knn[s] for s in common])
            wtl = f"{int((diff >= 0.005).sum())} / {int((abs(diff) < 0.005).sum())} / "
            wtl += f"{int((diff <= -0.005).sum())}"
            fit_s = f"{np.mean(fit):.1f}" if fit else "-"
            rows.append(
                (
                    m,
                    [
                        f"{config} / {score}",
                        str(len(common)),
                        f"{m:.3f}",
                        f"{k:.3f}",
                        f"{m - k:+.3f}",
                        wtl,
                        fit_s,
                    ],
                )
            )
    rows.sort(key=lambda r: -r[0])
    lines += ["| " + " | ".join(r) + " |" for _, r in rows]
    return lines


def per_set_table(records: list[dict[str, Any]], variants: list[tuple[str, str]]) -> list[str]:
    """Markdown: per set, AUROC (mean over splits) of chosen variants."""
    sets = list(dict.fromkeys(r["set"] for r in records))
    header = ["set", *(f"{c} / {s}" for c, s in variants)]
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * len(variants) + "|"]
    for name in sets:
        cells = []
        for config, score in variants:
            v = [
                r["metrics"][score]["auroc"]
                for r in records
                if r["set"] == name and r["config"] == config and score in r["metrics"]
            ]
            cells.append(f"{np.mean(v):.3f}" if v else "-")
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("dev", "confirm", "all"), default="dev")
    parser.add_argument("--split-seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--configs", nargs="*", default=[], choices=sorted(CONFIGS))
    parser.add_argument(
        "--merge",
        nargs="*",
        type=Path,
        default=[],
        help="JSON files of other runs (e.g. run in parallel with another --out) whose "
        "records and runs are added to this one's",
    )
    parser.add_argument("--datasets", nargs="+")
    parser.add_argument("--max-train", type=int, default=2000)
    parser.add_argument("--max-test", type=int, default=2000)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "tabular-recipes"
    )
    parser.add_argument("--data")
    parser.add_argument("--show", nargs="*", default=[], help="config/score pairs per set")
    args = parser.parse_args()
    json_path, md_path = args.out.with_suffix(".json"), args.out.with_suffix(".md")
    payload = (
        json.loads(json_path.read_text()) if json_path.exists() else {"records": [], "runs": []}
    )
    payload["runs"].append(
        {"date": utc_now(), "command": " ".join(sys.orig_argv), "machine": machine_info()}
    )
    for other in args.merge:
        extra = json.loads(other.read_text())
        have = {(*_key(r), r.get("half", "dev")) for r in payload["records"]}
        payload["records"] += [
            r for r in extra["records"] if (*_key(r), r.get("half", "dev")) not in have
        ]
        payload["runs"] += extra["runs"]
    done = {_key(r) for r in payload["records"] if r.get("half", "dev") == args.half}
    data_dir = resolve_data_dir(args.data)
    files = adbench_selection(data_dir, tuple(args.datasets) if args.datasets else None, args.half)

    def save() -> None:
        write_atomic(json_path, json.dumps(payload, indent=1) + "\n")
        commands = dict.fromkeys(f"`{r['command']}`" for r in payload["runs"])
        lines = [
            "# Tabular ALOCC recipes (issue 14)",
            "",
            "Written by `python benchmarks/tabular_recipes.py` (its docstring says what each "
            "score is). Commands run: " + "; ".join(commands) + ".",
            "",
            f"Exploration caps: at most {args.max_train} training rows and {args.max_test} test "
            "rows per set (the suite's seeded split, then capped), so the numbers are not "
            "the suite's (10 000-row caps); cells are means over the split seeds run, then "
            "over sets. Diff and W / T / L against 1-NN on StandardScaler features on the "
            "same sets and splits. One detector seed unless the configuration says `ens`.",
            "",
        ]
        halves_run = [
            h
            for h in ("dev", "confirm")
            if any(r.get("half", "dev") == h for r in payload["records"])
        ]
        pairs = [tuple(p.split("/", 1)) for p in args.show] or [
            ("baselines", "1-NN std"),
            ("baselines", "IsolationForest"),
        ]
        for half in halves_run:
            recs = [r for r in payload["records"] if r.get("half", "dev") == half]
            title = "development" if half == "dev" else "confirmation"
            lines += [f"## The {title} half", "", *summarize(recs, half), ""]
            lines += [f"### Per set ({title} half)", "", *per_set_table(recs, pairs), ""]
        write_atomic(md_path, "\n".join(lines))

    for split_seed in args.split_seeds:
        for name, path in files.items():
            X, y = load_adbench(path)
            rng = task_rng(split_seed, f"adbench/{path.stem}")
            train, test = adbench_split(y, rng, args.max_train, args.max_test)
            y_test = np.where(y[test] == 1, -1, 1)
            X_train, X_test = X[train], X[test]
            common = {"set": name, "split_seed": split_seed, "half": args.half}
            if (name, split_seed, "baselines") not in done:
                scores = baseline_scores(X_train, X_test, split_seed)
                metrics = {
                    s: {"auroc": auroc(y_test, v), "ap": average_precision(y_test, v)}
                    for s, v in scores.items()
                }
                payload["records"].append({**common, "config": "baselines", "metrics": metrics})
                save()
            for config in args.configs:
                if (name, split_seed, config) in done:
                    continue
                record = {**common, **run_config(config, CONFIGS[config], X_train, X_test, y_test)}
                payload["records"].append(record)
                best = max(record["metrics"].items(), key=lambda kv: kv[1]["auroc"])
                print(
                    f"{name} split {split_seed} {config}: fit {record['fit_s']:.0f}s "
                    f"combined {record['metrics']['combined']['auroc']:.3f} "
                    f"knnD5 {record['metrics']['knnD5']['auroc']:.3f} best {best[0]} "
                    f"{best[1]['auroc']:.3f}; 1-NN std "
                    + next(
                        f"{r['metrics']['1-NN std']['auroc']:.3f}"
                        for r in payload["records"]
                        if r["config"] == "baselines"
                        and r["set"] == name
                        and r["split_seed"] == split_seed
                    ),
                    flush=True,
                )
                save()
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
