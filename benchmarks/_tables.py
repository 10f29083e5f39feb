"""Markdown tables from a run's records.

A *replicate* is one (split seed, detector seed) pair. A cell is the mean over
replicates, with ``± std`` (sample standard deviation, ddof=1) when there are
several: the spread over detector seeds, over splits (``--split-seeds``), or
both. Rows that average over tasks (``mean``, seconds, the outlier-share
columns) average within each replicate first, then give the mean ± std of
those per-replicate means. A failed fit leaves its value out and marks the
cell with ``!``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from benchmarks._metrics import mean_std

_LABELS = {"auroc": "AUROC", "ap": "AP"}


def metric_label(metric: str) -> str:
    """Display name of a metric key.

    Parameters
    ----------
    metric : str
        ``"auroc"``, ``"ap"``, ``"f1@10%"``, ``"auroc@10%"``...

    Returns
    -------
    label : str
        E.g. ``"AUROC"``, ``"F1@10%"``.

    Examples
    --------
    >>> metric_label("f1@10%"), metric_label("ap")
    ('F1@10%', 'AP')
    """
    return _LABELS.get(metric, metric.replace("f1", "F1").replace("auroc", "AUROC"))


def format_mean_std(mean: float, std: float, digits: int = 3) -> str:
    """``"0.912"``, ``"0.912 ± 0.010"`` or ``"-"`` (no value).

    Examples
    --------
    >>> format_mean_std(0.91234, float("nan")), format_mean_std(0.9, 0.01)
    ('0.912', '0.900 ± 0.010')
    """
    if math.isnan(mean):
        return "-"
    if math.isnan(std):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def replicate(record: Mapping[str, Any]) -> tuple[int, int]:
    """A record's ``(split_seed, seed)``; records without a split seed have split 0.

    Examples
    --------
    >>> replicate({"seed": 3}), replicate({"seed": 3, "split_seed": 1})
    ((0, 3), (1, 3))
    """
    return int(record.get("split_seed", 0)), int(record["seed"])


class Results:
    """Look-ups over a run's records.

    Parameters
    ----------
    records : sequence of dict
        One per (task, seed, detector), with ``fit_s``, ``score_s``,
        ``predict_s``, ``metrics`` and ``error`` (see ``benchmarks._runner``).
    """

    def __init__(self, records: Sequence[Mapping[str, Any]]):
        self.records = records
        self.replicates = sorted({replicate(r) for r in records})

    def _matching(self, detector: str, task: str | None):
        return [
            r
            for r in self.records
            if r["detector"] == detector and (task is None or r["task"] == task)
        ]

    def per_seed(self, detector: str, key: str, task: str | None = None) -> list[float]:
        """Per replicate, the mean of ``key`` over the matching records that have it.

        Parameters
        ----------
        detector : str
            Detector name.
        key : str
            A metric key, or ``"fit_s"``, ``"score_s"``, ``"predict_s"``.
        task : str or None, default=None
            One task, or all tasks.

        Returns
        -------
        values : list of float
            One per replicate (split seed, detector seed); NaN where no
            record has a value.
        """
        values: dict[tuple[int, int], list[float]] = {s: [] for s in self.replicates}
        for r in self._matching(detector, task):
            value = r.get(key) if key.endswith("_s") else r["metrics"].get(key)
            if value is not None and math.isfinite(value):
                values[replicate(r)].append(value)
        return [float(np.mean(v)) if v else math.nan for v in values.values()]

    def cell(self, detector: str, key: str, task: str | None = None, digits: int = 3) -> str:
        """Formatted mean ± std over seeds, ``!``-marked when a matching fit failed."""
        text = format_mean_std(*mean_std(self.per_seed(detector, key, task)), digits)
        failed = any(r["error"] is not None for r in self._matching(detector, task))
        return f"{text} !" if failed else text

    @property
    def errors(self) -> list[Mapping[str, Any]]:
        """The records of failed fits."""
        return [r for r in self.records if r["error"] is not None]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def task_table(
    results: Results,
    tasks: Sequence[str],
    detectors: Sequence[str],
    metric: str,
    timings: bool,
) -> list[str]:
    """Rows = tasks, then their mean (and mean seconds); columns = detectors.

    Parameters
    ----------
    results : Results
        The run's records.
    tasks : sequence of str
        Task names, in row order.
    detectors : sequence of str
        Detector names, in column order.
    metric : str
        Metric key.
    timings : bool
        Whether to add the mean fit and score seconds rows.

    Returns
    -------
    lines : list of str
        A markdown table.
    """
    rows = [[task, *(results.cell(d, metric, task) for d in detectors)] for task in tasks]
    rows.append([f"**mean {metric_label(metric)}**", *(results.cell(d, metric) for d in detectors)])
    if timings:
        for key, label in (("fit_s", "mean fit s"), ("score_s", "mean score s")):
            rows.append([label, *(results.cell(d, key, digits=2) for d in detectors)])
    return _table(["task", *detectors], rows)


def share_table(
    results: Results,
    detectors: Sequence[str],
    metrics: Sequence[str],
    reference: tuple[str, Sequence[float]] | None,
) -> list[str]:
    """Rows = detectors (and a reference row); columns = metrics averaged over tasks, seconds.

    Parameters
    ----------
    results : Results
        The run's records.
    detectors : sequence of str
        Detector names, in row order.
    metrics : sequence of str
        Metric keys, in column order (the F1 at each outlier share).
    reference : (str, sequence of float) or None
        A reference row's label and values, one per metric.

    Returns
    -------
    lines : list of str
        A markdown table.
    """
    timing = ("fit_s", "score_s", "predict_s")
    header = [
        "detector",
        *(metric_label(m) for m in metrics),
        "mean fit s",
        "mean score s",
        "mean predict s",
    ]
    rows = [
        [
            d,
            *(results.cell(d, m) for m in metrics),
            *(results.cell(d, t, digits=2) for t in timing),
        ]
        for d in detectors
    ]
    if reference is not None:
        label, values = reference
        rows.append([label, *(f"{v:.2f}" for v in values), "", "", ""])
    return _table(header, rows)
