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


#: The halves of the 33 sets (``--half``), fixed before any result was looked
#: at: the sets sorted by ADBench's file number (``1_ALOI`` ... ``47_yeast``),
#: the even positions (0, 2, ..., 32: 17 sets) form the development half, the
#: odd positions (16 sets) the confirmation half.
HALVES = ("dev", "confirm", "all")


def adbench_half(files: dict[str, Path], half: str) -> dict[str, Path]:
    """The development or confirmation half of the ADBench files (or all).

    The rule, fixed in advance: in ADBench's numeric order (as
    :func:`~benchmarks._data.adbench_files` lists them), the files at even
    positions (0-based) are the development half, those at odd positions the
    confirmation half. Recipes are chosen on ``"dev"``; ``"confirm"`` runs
    once a recipe is frozen.

    Parameters
    ----------
    files : dict of str to Path
        All ADBench files, in ADBench's order.
    half : {"dev", "confirm", "all"}
        Which half.

    Returns
    -------
    chosen : dict of str to Path
        The half, in ADBench's order.

    Examples
    --------
    >>> from pathlib import Path
    >>> files = {n: Path(f"{i}_{n}.npz") for i, n in enumerate("abcde", start=1)}
    >>> list(adbench_half(files, "dev")), list(adbench_half(files, "confirm"))
    (['a', 'c', 'e'], ['b', 'd'])
    """
    if half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, got {half!r}.")
    if half == "all":
        return dict(files)
    parity = 0 if half == "dev" else 1
    return {name: path for i, (name, path) in enumerate(files.items()) if i % 2 == parity}


def half_of(files: dict[str, Path], name: str) -> str:
    """``"dev"`` or ``"confirm"``: the half that set ``name`` belongs to.

    Parameters
    ----------
    files : dict of str to Path
        All ADBench files, in ADBench's order.
    name : str
        A display name in ``files``.

    Returns
    -------
    half : str
        ``"dev"`` or ``"confirm"``.
    """
    return "dev" if list(files).index(name) % 2 == 0 else "confirm"


def adbench_selection(
    data_dir: Path, names: tuple[str, ...] | None, half: str = "all"
) -> dict[str, Path]:
    """The ADBench files to run, by display name, in ADBench's order.

    Parameters
    ----------
    data_dir : Path
        The benchmark data folder.
    names : tuple of str or None
        Dataset names (``"donors"``) or file stems (``"11_donors"``), any
        case; None selects all (of the half).
    half : {"dev", "confirm", "all"}, default="all"
        Keep only this half (see :func:`adbench_half`); names outside it are
        dropped.

    Returns
    -------
    files : dict of str to Path
        The selection.

    Raises
    ------
    ValueError
        When a name matches no file.
    """
    all_files = adbench_files(data_dir)
    files = adbench_half(all_files, half)
    if names is None:
        return files
    wanted = {n.lower() for n in names}
    chosen = {
        name: path
        for name, path in files.items()
        if name.lower() in wanted or path.stem.lower() in wanted
    }
    known = {n.lower() for n in all_files} | {p.stem.lower() for p in all_files.values()}
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
    all_files = adbench_files(options.data_dir)
    for name, path in adbench_selection(options.data_dir, options.datasets, options.half).items():
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
                "half": half_of(all_files, name),
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
        "rows are split 60/40 (seeded by `--split-seeds`, one split per seed); train on the "
        "60% (at most `--max-train` rows, a seeded draw), test on the 40% plus every anomaly. "
        "A test set over `--max-test` rows is "
        "subsampled keeping its anomaly share (so AP's chance level is unchanged), but with "
        f"at least min(all, {ADBENCH_MIN_TEST_ANOMALIES}) anomalies. Metrics: AUROC, and "
        "average precision (AP) with the anomalies as positive class. Halves (`--half`), "
        "fixed before any result was seen: in ADBench's file-number order, the sets at even "
        "positions (0-based) are the development half, those at odd positions the "
        "confirmation half."
    ),
    mode="tabular",
    image_shape=None,
    tasks=_adbench_tasks,
    evaluate=scores_metrics,
    needs_labels=False,
    progress=("auroc", "ap"),
    tables=(("AUROC", "auroc"), ("Average precision, anomalies as positive class", "ap")),
    summary=True,
)
