"""The tabular benchmark protocol's pieces: k-NN baseline, halves, summary (no fits of ALOCC)."""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if not (ROOT / "benchmarks" / "_summary.py").exists():  # an installed copy without benchmarks/
    pytest.skip("benchmarks/ is not next to the tests", allow_module_level=True)
sys.path.insert(0, str(ROOT))

from benchmarks._adbench import adbench_half  # noqa: E402
from benchmarks._baselines import KNNDistance  # noqa: E402
from benchmarks._summary import summarize  # noqa: E402
from benchmarks._tables import Results  # noqa: E402


def test_knn_distance_matches_brute_force():
    rng = np.random.default_rng(0)
    X, Z = rng.normal(size=(40, 3)), rng.normal(size=(7, 3))
    dist = np.sort(np.linalg.norm(Z[:, None] - X[None], axis=2), axis=1)
    kth = KNNDistance(n_neighbors=5, method="kth").fit(X).score_samples(Z)
    mean = KNNDistance(n_neighbors=5, method="mean").fit(X).score_samples(Z)
    np.testing.assert_allclose(kth, -dist[:, 4])
    np.testing.assert_allclose(mean, -dist[:, :5].mean(axis=1))


def test_halves_partition_the_sets_by_position():
    files = {f"s{i}": Path(f"{n}_s{i}.npz") for i, n in enumerate((1, 5, 7, 8, 10))}
    dev, confirm = adbench_half(files, "dev"), adbench_half(files, "confirm")
    assert list(dev) == ["s0", "s2", "s4"] and list(confirm) == ["s1", "s3"]
    assert adbench_half(files, "all") == files


def _record(task, detector, auroc, split=0):
    return {
        "task": task,
        "split_seed": split,
        "seed": 0,
        "detector": detector,
        "metrics": {"auroc": auroc, "ap": auroc / 2},
        "error": None,
    }


def test_summary_counts_wins_ties_losses_and_ranks():
    values = {"A": [0.9, 0.5, 0.7], "knn": [0.8, 0.502, 0.9], "forest": [0.6, 0.4, 0.5]}
    records = [
        _record(t, d, v[i] + delta, split)
        for d, v in values.items()
        for i, t in enumerate("xyz")
        for split, delta in ((0, 0.01), (1, -0.01))  # two splits average to the value
    ]
    families = {"A": "alocc", "knn": "classical", "forest": "classical"}
    out = summarize(Results(records), list("xyz"), list(values), families, reference="A")
    knn = out["detectors"]["knn"]
    assert (knn["wins"], knn["ties"], knn["losses"]) == (1, 1, 1)
    assert out["detectors"]["forest"]["losses"] == 3
    assert out["best_baseline"] == "knn"
    assert out["detectors"]["A"]["auroc"] == pytest.approx(0.7)
    assert out["detectors"]["forest"]["mean_rank"] == pytest.approx(3.0)
    assert out["detectors"]["A"]["auroc_std"] == pytest.approx(np.std([0.71, 0.69], ddof=1))


def _run_file(tmp_path, name, detectors, results, **options):
    import json

    payload = {
        "protocol": "adbench",
        "date": f"date-{name}",
        "options": {"data": "/d", "max_train": 10, "max_test": 10, "quick": False, **options},
        "detectors": detectors,
        "results": results,
    }
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(payload))
    return path


def test_reuse_takes_only_records_of_unchanged_detectors(tmp_path):
    from benchmarks._reuse import Reuse

    same = {"class": "IF", "params": {"n": 100}}
    rec = {"task": "wine", "split_seed": 0, "seed": 0, "metrics": {"auroc": 0.9}, "error": None}
    results = [
        {**rec, "detector": "IF"},
        {**rec, "detector": "ALOCC"},
        {**rec, "task": "glass", "detector": "IF", "error": "boom"},
    ]
    detectors = {"IF": same, "ALOCC": {"class": "A", "params": {"score": "old"}}}
    path = _run_file(tmp_path, "a", detectors, results)
    options = {"data": "/d", "max_train": 10, "max_test": 10, "quick": False}
    reuse = Reuse.load([path], "adbench", options)
    got = reuse.record(("wine", 0, 0, "IF"), same)
    assert got["metrics"] == {"auroc": 0.9} and got["reused_from"] == "date-a"
    assert reuse.record(("wine", 0, 0, "ALOCC"), {"class": "A", "params": {"score": "new"}}) is None
    assert reuse.record(("glass", 0, 0, "IF"), same) is None  # failed fits are refitted
    assert reuse.record(("wine", 1, 0, "IF"), same) is None
    # A later file wins; a reused record keeps its first date.
    later = _run_file(tmp_path, "b", {"IF": same}, [{**rec, "detector": "IF", "reused_from": "x"}])
    assert (
        Reuse.load([path, later], "adbench", options).record(("wine", 0, 0, "IF"), same)[
            "reused_from"
        ]
        == "x"
    )
    with pytest.raises(ValueError, match="max_train"):
        Reuse.load([_run_file(tmp_path, "c", detectors, results, max_train=5)], "adbench", options)
    with pytest.raises(ValueError, match="protocol"):
        Reuse.load([path], "mnist", options)
