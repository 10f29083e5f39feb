"""The evaluation loop: every task, every seed, every detector, timed.

Progress goes to stderr: a line when each task starts, a line before each
fit (a deep detector's fit can take minutes) and one after it, e.g.
``[mnist] digit 3 seed 0 IsolationForest fit 1.2s score 0.4s AUROC 0.912
(fit 5/24 of task 4/10, 12m03s elapsed, task ETA 3m10s)``.
A failing fit is reported (traceback on stderr) and recorded with its error;
the run goes on with the next detector.
"""

from __future__ import annotations

import gc
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks._detectors import Detector
from benchmarks._report import describe, json_safe
from benchmarks._reuse import Reuse
from benchmarks._tables import metric_label
from benchmarks._tasks import Protocol, Task


@dataclass
class RunState:
    """Everything a run has measured so far.

    Attributes
    ----------
    tasks : list of dict
        ``{"name": ..., **task.info}`` per task, in run order.
    records : list of dict
        One per (task, split, seed, detector): ``task``, ``split_seed``
        (the task's ``info["split_seed"]``, else 0), ``seed``, ``detector``,
        ``fit_s``, ``score_s``, ``predict_s`` (None unless labels are
        needed), ``metrics`` (dict) and ``error`` (None or a message).
    detector_params : dict
        Class and ``get_params()`` of each detector, as first built.
    complete : bool
        Whether every task has run.
    """

    tasks: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    detector_params: dict[str, Any] = field(default_factory=dict)
    complete: bool = False


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _release_memory() -> None:
    """Drop the last fit's objects, including Keras' global state when Keras is in use."""
    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()
    gc.collect()


def _clock(seconds: float) -> str:
    """``75.2`` -> ``"1m15s"``; ``3725`` -> ``"1h02m05s"``."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _position(
    done: int, total: int, task_no: int, n_tasks: int | None, start: float, task_start: float
) -> str:
    """Where the run is: fit k of the task, task t of n, elapsed time, task ETA."""
    now = time.perf_counter()
    tasks = f"task {task_no}/{n_tasks}" if n_tasks is not None else f"task {task_no}"
    eta = (now - task_start) / done * (total - done) if done else None
    text = f"fit {done}/{total} of {tasks}, {_clock(now - start)} elapsed"
    return f"{text}, task ETA {_clock(eta)}" if eta is not None and done < total else text


def _timed(fn: Callable[[np.ndarray], Any], X: np.ndarray) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(X)
    return result, time.perf_counter() - start


def evaluate(
    protocol: Protocol,
    task: Task,
    detector: Detector,
    seed: int,
    state: RunState,
    reuse: Reuse | None = None,
) -> dict[str, Any]:
    """Fit one detector with one seed on one task and score it.

    Parameters
    ----------
    protocol : Protocol
        Gives the input mode and the metrics.
    task : Task
        The split.
    detector : Detector
        The registry entry to build.
    seed : int
        The detector's ``random_state``.
    state : RunState
        Receives the detector's parameters the first time it is built.
    reuse : Reuse or None, default=None
        An earlier run's records: one for the same fit of the same detector
        is returned instead of fitting.

    Returns
    -------
    record : dict
        See :class:`RunState`.
    """
    record = {
        "task": task.name,
        "split_seed": task.info.get("split_seed", 0),
        "seed": seed,
        "detector": detector.name,
        "fit_s": None,
        "score_s": None,
        "predict_s": None,
        "metrics": {},
        "error": None,
    }
    try:
        estimator = detector.build(protocol.mode, protocol.image_shape, seed)
        described = describe(estimator)
        state.detector_params.setdefault(detector.name, described)
        key = (record["task"], record["split_seed"], seed, detector.name)
        earlier = None if reuse is None else reuse.record(key, json_safe(described))
        if earlier is not None:
            return earlier
        _, record["fit_s"] = _timed(estimator.fit, task.X_train)
        scores, record["score_s"] = _timed(estimator.score_samples, task.X_test)
        labels = None
        if protocol.needs_labels:
            labels, record["predict_s"] = _timed(estimator.predict, task.X_test)
        scores = np.asarray(scores, dtype=np.float64)
        if not np.all(np.isfinite(scores)):
            raise ValueError(f"{int(np.sum(~np.isfinite(scores)))} non-finite scores.")
        record["metrics"] = protocol.evaluate(task, scores, labels)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        record["error"] = f"{type(exc).__name__}: {exc}"
    return record


def _progress(protocol: Protocol, record: dict[str, Any]) -> str:
    head = (
        f"[{protocol.name}] {record['task']} split {record['split_seed']} seed {record['seed']} "
        f"{record['detector']}"
    )
    if record["error"] is not None:
        return f"{head} FAILED: {record['error']}"
    parts = [f"fit {record['fit_s']:.1f}s", f"score {record['score_s']:.1f}s"]
    if record["predict_s"] is not None:
        parts.append(f"predict {record['predict_s']:.1f}s")
    parts += [f"{metric_label(m)} {record['metrics'][m]:.3f}" for m in protocol.progress]
    return f"{head} {' '.join(parts)}"


def run(
    protocol: Protocol,
    tasks: Iterable[Task],
    detectors: Sequence[Detector],
    seeds: Sequence[int],
    on_task_done: Callable[[RunState], None] | None = None,
    reuse: Reuse | None = None,
) -> RunState:
    """Evaluate every detector with every seed on every task.

    Parameters
    ----------
    protocol : Protocol
        The protocol the tasks come from.
    tasks : iterable of Task
        Built lazily, one at a time.
    detectors : sequence of Detector
        Run in this order for each seed.
    seeds : sequence of int
        Detector seeds (``random_state``).
    on_task_done : callable, default=None
        Called with the state after each task (e.g. to save partial results).
    reuse : Reuse or None, default=None
        Earlier records to take instead of fitting (``--reuse``).

    Returns
    -------
    state : RunState
        The measurements, ``complete=True``.
    """
    state = RunState()
    n_tasks = len(tasks) if hasattr(tasks, "__len__") else None
    per_task = len(seeds) * len(detectors)
    start = time.perf_counter()
    for task_no, task in enumerate(tasks, start=1):
        info = {"name": task.name, **task.info}
        state.tasks.append(info)
        sizes = f"train {task.X_train.shape}, test {task.X_test.shape}"
        of = f" (task {task_no}/{n_tasks})" if n_tasks is not None else f" (task {task_no})"
        _log(
            f"[{protocol.name}] {task.name}{of}: {sizes}, {int(np.sum(task.y_test == -1))} outliers"
        )
        task_start, done = time.perf_counter(), 0
        for seed in seeds:
            for detector in detectors:
                _log(f"[{protocol.name}] {task.name} seed {seed} {detector.name}: fitting...")
                record = evaluate(protocol, task, detector, seed, state, reuse)
                _release_memory()  # the fitted estimator is gone with evaluate's frame
                state.records.append(record)
                done += 1
                where = _position(done, per_task, task_no, n_tasks, start, task_start)
                _log(f"{_progress(protocol, record)} ({where})")
        if on_task_done is not None:
            on_task_done(state)
    state.complete = True
    return state
