"""What a protocol is made of: its options, its tasks, and seeded splits.

Every split and subsample is seeded from ``--split-seed`` alone (never from the
detectors' seeds): task ``key`` draws from
``np.random.default_rng([split_seed, zlib.crc32(key)])``, so one task's split
is the same whichever other tasks run, and every detector and seed sees the
same split. Test labels are +1 (inlier, normal) and -1 (outlier, novelty).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._metrics import auroc, average_precision


@dataclass(frozen=True)
class Options:
    """The data settings of one run (after ``--quick`` is resolved).

    Attributes
    ----------
    data_dir : Path or None
        Benchmark data folder (not used by ``digits``).
    split_seed : int
        Seeds every split and subsample.
    digits : tuple of int
        Target digits (image protocols).
    max_train, max_test : int or None
        Caps on training and test samples per task; None = no cap.
    datasets : tuple of str or None
        ADBench dataset names; None = all.
    half : {"dev", "confirm", "all"}
        ADBench's development half, confirmation half, or all sets.
    """

    data_dir: Path | None = None
    split_seed: int = 0
    digits: tuple[int, ...] = tuple(range(10))
    max_train: int | None = None
    max_test: int | None = None
    datasets: tuple[str, ...] | None = None
    half: str = "all"


@dataclass(frozen=True)
class Task:
    """One train/test problem.

    Attributes
    ----------
    name : str
        Row label, e.g. ``"digit 3"`` or ``"donors"``.
    X_train : ndarray of shape (n_train, n_features)
        Normal samples only.
    X_test : ndarray of shape (n_test, n_features)
        Test samples.
    y_test : ndarray of shape (n_test,)
        +1 inlier, -1 outlier.
    info : dict
        JSON-safe facts about the split (sizes, shares, file).
    """

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)


Evaluate = Callable[[Task, np.ndarray, np.ndarray | None], dict[str, float]]


@dataclass(frozen=True)
class Protocol:
    """How one protocol builds tasks and scores a fitted detector.

    Attributes
    ----------
    name : str
        The command-line name.
    description : str
        One markdown paragraph for the report.
    mode : str
        ``"image"`` or ``"tabular"``, passed to the detector factories.
    image_shape : tuple of int or None
        ``(h, w)`` of the image rows.
    tasks : callable
        ``Options -> iterator of Task``.
    evaluate : callable
        ``(task, scores, labels) -> {metric: value}``; ``labels`` is None
        unless ``needs_labels``.
    needs_labels : bool
        Whether ``predict`` is called (and timed) too.
    progress : tuple of str
        Metrics printed in the progress line of each fit.
    tables : tuple of (str, str)
        ``(title, metric)`` of each table in the report. With
        ``layout="shares"`` there is one table, over the ``progress`` metrics.
    layout : {"tasks", "shares"}
        ``"tasks"``: rows are tasks, columns detectors. ``"shares"``: rows are
        detectors, columns the ``progress`` metrics averaged over tasks.
    reference : (str, tuple of float) or None
        A published reference row for the ``"shares"`` table.
    summary : bool
        Whether the report opens with the per-detector summary
        (:mod:`benchmarks._summary`): means, ranks, wins against ALOCC.
    """

    name: str
    description: str
    mode: str
    image_shape: tuple[int, int] | None
    tasks: Callable[[Options], Iterator[Task]]
    evaluate: Evaluate
    needs_labels: bool
    progress: tuple[str, ...]
    tables: tuple[tuple[str, str], ...]
    layout: str = "tasks"
    reference: tuple[str, tuple[float, ...]] | None = None
    summary: bool = False


def task_rng(split_seed: int, key: str) -> np.random.Generator:
    """The generator of one task's split: ``default_rng([split_seed, crc32(key)])``.

    Parameters
    ----------
    split_seed : int
        The run's split seed.
    key : str
        Names the task and the draw, e.g. ``"mnist/train/3"``.

    Returns
    -------
    rng : numpy.random.Generator
        Independent of which other tasks run.

    Examples
    --------
    >>> a = task_rng(0, "mnist/test").integers(1000)
    >>> b = task_rng(0, "mnist/test").integers(1000)
    >>> bool(a == b)
    True
    """
    return np.random.default_rng([split_seed, zlib.crc32(key.encode())])


def subsample(indices: np.ndarray, cap: int | None, rng: np.random.Generator) -> np.ndarray:
    """At most ``cap`` of ``indices``, drawn without replacement, in sorted order.

    Parameters
    ----------
    indices : ndarray of int
        Candidates.
    cap : int or None
        Most to keep; None keeps all.
    rng : numpy.random.Generator
        The task's generator.

    Returns
    -------
    kept : ndarray of int
        ``indices`` itself when it has at most ``cap`` entries.
    """
    if cap is None or len(indices) <= cap:
        return indices
    return np.sort(rng.choice(indices, size=cap, replace=False))


def scores_metrics(task: Task, scores: np.ndarray, labels: np.ndarray | None) -> dict[str, float]:
    """AUROC (inliers positive) and AP (outliers positive) of the scores; ``labels`` unused.

    Parameters
    ----------
    task : Task
        Gives ``y_test``.
    scores : ndarray of shape (n_test,)
        Higher = more normal.
    labels : ndarray or None
        Ignored.

    Returns
    -------
    metrics : dict of str to float
        ``{"auroc": ..., "ap": ...}``.
    """
    return {"auroc": auroc(task.y_test, scores), "ap": average_precision(task.y_test, scores)}
