"""The ADBench protocol: tabular datasets as one-class (novelty) tasks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from benchmarks._data import adbench_files, load_adbench
from benchmarks._tasks import Options, Protocol, Task, scores_metrics, task_rng

#: ADBench: share of the normal rows used for training (the rest is tested).
ADBENCH_TRAIN_SHARE = 0.6
#: ADBench caps (full runs): training rows, and test rows per dataset.
ADBENCH_MAX_TRAIN = 10_000
ADBENCH_MAX_TEST = 10_000
#: A capped ADBench test set keeps the uncapped anomaly share, but at least
#: this many anomalies (or all of them, when there are fewer).
ADBENCH_MIN_TEST_ANOMALIES = 100
#: ``--quick`` ADBench sets: the ten with the fewest rows (80 to 367).
QUICK_ADBENCH = (
    "glass",
    "Hepatitis",
    "Ionosphere",
    "Lymphography",
    "Stamps",
    "vertebral",
    "WBC",
    "WDBC",
    "wine",
    "WPBC",
)


def adbench_selection(data_dir: Path, names: tuple[str, ...] | None) -> dict[str, Path]:
    """The ADBench files to run, by display name, in ADBench's order.

    Parameters
    ----------
    data_dir : Path
        The benchmark data folder.
    names : tuple of str or None
        Dataset names (``"donors"``) or file stems (``"11_donors"``), any
        case; None selects all.

    Returns
    -------
    files : dict of str to Path
        The selection.

    Raises
    ------
    ValueError
        When a name matches no file.
    """
    files = adbench_files(data_dir)
    if names is None:
        return files
    wanted = {n.lower() for n in names}
    chosen = {
        name: path
        for name, path in files.items()
        if name.lower() in wanted or path.stem.lower() in wanted
    }
    known = {n.lower() for n in files} | {p.stem.lower() for p in files.values()}
    unknown = sorted(n for n in names if n.lower() not in known)
    if unknown:
        raise ValueError(f"Unknown ADBench datasets {unknown}; known: {', '.join(files)}.")
    return chosen


def adbench_split(
    y: np.ndarray, rng: np.random.Generator, max_train: int | None, max_test: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Training and test row indices of one ADBench dataset.

    The normal rows are shuffled and split ``ADBENCH_TRAIN_SHARE`` /
    rest; training is the first part (at most ``max_train`` rows), testing
    the rest plus every anomaly. A test set over ``max_test`` rows is
    subsampled keeping its anomaly share, but at least
    ``min(n_anomalies, ADBENCH_MIN_TEST_ANOMALIES, max_test // 2)`` anomalies.

    Parameters
    ----------
    y : ndarray of shape (n,)
        1 for an anomaly, 0 for a normal row.
    rng : numpy.random.Generator
        The task's generator.
    max_train, max_test : int or None
        Caps; None = no cap.

    Returns
    -------
    train, test : ndarray of int
        Sorted row indices.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> train, test = adbench_split(y, np.random.default_rng(0), None, None)
    >>> len(train), len(test), int(y[test].sum())
    (54, 46, 10)
    """
    normal = rng.permutation(np.flatnonzero(y == 0))
    anomalies = np.flatnonzero(y == 1)
    n_train = round(ADBENCH_TRAIN_SHARE * len(normal))
    train, test_normal = normal[:n_train], normal[n_train:]
    if max_train is not None:
        train = train[:max_train]
    n_test = len(test_normal) + len(anomalies)
    if max_test is not None and n_test > max_test:
        keep = round(max_test * len(anomalies) / n_test)
        keep = max(keep, min(len(anomalies), ADBENCH_MIN_TEST_ANOMALIES, max_test // 2))
        anomalies = rng.choice(anomalies, size=keep, replace=False)
        test_normal = test_normal[: max_test - keep]
    return np.sort(train), np.sort(np.concatenate([test_normal, anomalies]))


def _adbench_tasks(options: Options) -> Iterator[Task]:
    for name, path in adbench_selection(options.data_dir, options.datasets).items():
        X, y = load_adbench(path)
        rng = task_rng(options.split_seed, f"adbench/{path.stem}")
        train, test = adbench_split(y, rng, options.max_train, options.max_test)
        y_test = np.where(y[test] == 1, -1, 1)
        yield Task(
            name,
            X[train],
            X[test],
            y_test,
            {
                "file": path.name,
                "n_rows": len(X),
                "n_features": X.shape[1],
                "n_anomalies": int(y.sum()),
                "n_train": len(train),
                "n_test": len(test),
                "n_outliers": int(np.sum(y_test == -1)),
            },
        )


ADBENCH = Protocol(
    name="adbench",
    description=(
        "ADBench's tabular datasets as a novelty (one-class) task: per dataset, the normal "
        "rows are split 60/40 (seeded); train on the 60% (at most `--max-train` rows, "
        "seeded), test on the 40% plus every anomaly. A test set over `--max-test` rows is "
        "subsampled keeping its anomaly share (so AP's chance level is unchanged), but with "
        f"at least min(all, {ADBENCH_MIN_TEST_ANOMALIES}) anomalies. Metrics: AUROC, and "
        "average precision (AP) with the anomalies as positive class."
    ),
    mode="tabular",
    image_shape=None,
    tasks=_adbench_tasks,
    evaluate=scores_metrics,
    needs_labels=False,
    progress=("auroc", "ap"),
    tables=(("AUROC", "auroc"), ("Average precision, anomalies as positive class", "ap")),
)
