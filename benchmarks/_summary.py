"""Per-detector summary of a tabular run: means, ranks, wins against ALOCC, a paired test.

Everything is computed from per-set values: a set's value of a detector is
its metric averaged over that set's replicates (split seeds x detector
seeds), failed fits left out. Over the sets that every listed detector has a
value on:

* **mean AUROC / AP**: mean over sets, ``± std`` over replicates of the
  per-replicate means (as in the task tables);
* **mean rank**: per set, detectors ranked by AUROC (1 = best, ties share
  the mean rank), averaged over sets;
* **wins / ties / losses against ALOCC**: per set, the detector's AUROC
  minus the reference ALOCC's; a tie is ``|difference| < TIE``;
* **Wilcoxon p**: scipy's two-sided signed-rank test of the reference
  ALOCC's per-set AUROC against the best baseline's (the non-ALOCC detector
  with the highest mean AUROC), paired over sets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from benchmarks._metrics import mean_std
from benchmarks._tables import Results, _table, format_mean_std

#: |AUROC difference| below which a set counts as a tie.
TIE = 0.005
#: The ALOCC the others are compared with, when it ran.
REFERENCE = "ALOCC (recommended)"


def wilcoxon_p(a: Sequence[float], b: Sequence[float]) -> tuple[float | None, str | None]:
    """Two-sided Wilcoxon signed-rank p-value of paired values, or why there is none.

    Parameters
    ----------
    a, b : sequence of float
        Paired values (one pair per set).

    Returns
    -------
    p : float or None
        The p-value; None when scipy is missing or the test cannot run.
    reason : str or None
        Why ``p`` is None.

    Examples
    --------
    >>> p, _ = wilcoxon_p([0.9, 0.8, 0.7, 0.95, 0.85, 0.6], [0.8, 0.7, 0.6, 0.9, 0.8, 0.5])
    >>> round(p, 4)
    0.0312
    """
    try:
        from scipy.stats import wilcoxon
    except ImportError:
        return None, "scipy is not importable; `pip install scipy` for the Wilcoxon test"
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if len(diff) < 2 or not np.any(diff != 0):
        return None, "fewer than 2 sets, or no difference"
    return float(wilcoxon(a, b).pvalue), None


def _ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 = highest value; ties share their mean rank."""
    order = (-values).argsort(kind="stable")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def summarize(
    results: Results,
    tasks: Sequence[str],
    detectors: Sequence[str],
    families: Mapping[str, str],
    reference: str | None = None,
) -> dict[str, Any]:
    """The summary of ``detectors`` over ``tasks``.

    Parameters
    ----------
    results : Results
        The run's records.
    tasks : sequence of str
        The sets to summarise (e.g. one half).
    detectors : sequence of str
        Detector names.
    families : mapping of str to str
        Detector name to family (``"alocc"`` marks an ALOCC variant, never a
        baseline).
    reference : str or None, default=None
        The ALOCC compared against; default :data:`REFERENCE` when it ran,
        else the first ALOCC detector.

    Returns
    -------
    summary : dict
        ``sets`` (those used), ``reference``, ``best_baseline``, ``tie``,
        ``wilcoxon_p`` (or None) with ``wilcoxon_note``, and ``detectors``:
        per name ``auroc``, ``auroc_std``, ``ap``, ``ap_std``, ``mean_rank``,
        ``wins``, ``ties``, ``losses`` (None for the reference itself).
    """
    if reference is None or reference not in detectors:
        alocc = [d for d in detectors if families.get(d) == "alocc"]
        reference = REFERENCE if REFERENCE in detectors else (alocc[0] if alocc else None)
    per_set = {
        d: {t: mean_std(results.per_seed(d, "auroc", t))[0] for t in tasks} for d in detectors
    }
    sets = [t for t in tasks if all(not math.isnan(per_set[d][t]) for d in detectors)]
    if not sets:
        return {"sets": [], "reference": reference, "detectors": {}}
    table = np.array([[per_set[d][t] for t in sets] for d in detectors])  # (detector, set)
    ranks = np.array([_ranks(table[:, j]) for j in range(len(sets))]).T
    out: dict[str, Any] = {"sets": sets, "reference": reference, "tie": TIE, "detectors": {}}
    ref_row = table[detectors.index(reference)] if reference is not None else None
    sub = Results([r for r in results.records if r["task"] in sets])
    for i, d in enumerate(detectors):
        _, auroc_std = mean_std(sub.per_seed(d, "auroc"))
        ap, ap_std = mean_std(sub.per_seed(d, "ap"))
        entry: dict[str, Any] = {
            "auroc": float(np.mean(table[i])),
            "auroc_std": auroc_std,
            "ap": ap,
            "ap_std": ap_std,
            "mean_rank": float(ranks[i].mean()),
            "wins": None,
            "ties": None,
            "losses": None,
        }
        if ref_row is not None and d != reference:
            diff = table[i] - ref_row
            entry.update(
                wins=int(np.sum(diff >= TIE)),
                ties=int(np.sum(np.abs(diff) < TIE)),
                losses=int(np.sum(diff <= -TIE)),
            )
        out["detectors"][d] = entry
    baselines = [d for d in detectors if families.get(d) != "alocc"]
    best = max(baselines, key=lambda d: out["detectors"][d]["auroc"]) if baselines else None
    out["best_baseline"] = best
    p, note = (None, "no baseline or no ALOCC")
    if best is not None and ref_row is not None:
        p, note = wilcoxon_p(ref_row, table[detectors.index(best)])
    out["wilcoxon_p"], out["wilcoxon_note"] = p, note
    return out


def summary_table(summary: Mapping[str, Any]) -> list[str]:
    """The summary as markdown: one row per detector, best mean AUROC first.

    Parameters
    ----------
    summary : mapping
        :func:`summarize`'s output.

    Returns
    -------
    lines : list of str
        A markdown table and a line on the Wilcoxon test.
    """
    if not summary.get("detectors"):
        return ["No set has a value for every detector."]
    ref = summary["reference"]
    rows = []
    entries = sorted(summary["detectors"].items(), key=lambda kv: -kv[1]["auroc"])
    for name, e in entries:
        row = [
            name,
            format_mean_std(e["auroc"], e["auroc_std"]),
            format_mean_std(e["ap"], e["ap_std"]),
            f"{e['mean_rank']:.2f}",
        ]
        if ref is not None:
            row.append(
                "(reference)" if name == ref else f"{e['wins']} / {e['ties']} / {e['losses']}"
            )
        rows.append(row)
    header = ["detector", "mean AUROC", "mean AP", "mean rank"]
    if ref is not None:
        header.append(f"W / T / L vs {ref}")
    lines = _table(header, rows)
    if ref is None:
        return [*lines, "", "No ALOCC ran: no wins / ties / losses, no Wilcoxon test."]
    n = len(summary["sets"])
    best = summary.get("best_baseline")
    if summary.get("wilcoxon_p") is not None:
        test = (
            f"Wilcoxon signed-rank (two-sided, {n} sets, per-set mean AUROC) of {ref} against "
            f"the best baseline, {best}: p = {summary['wilcoxon_p']:.3g}."
        )
    else:
        test = f"Wilcoxon test of {ref} against {best}: not run ({summary.get('wilcoxon_note')})."
    return [*lines, "", test]


def halves(task_infos: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The task names of the whole run and of each half present, in run order.

    Parameters
    ----------
    task_infos : sequence of dict
        The run's task records (``name`` and, for ADBench, ``half``); one per
        task and split.

    Returns
    -------
    groups : dict of str to list of str
        ``"all"`` first, then ``"dev"`` and ``"confirm"`` when tasks of both
        halves ran (a run of one half has ``"all"`` only).

    Examples
    --------
    >>> halves([{"name": "a", "half": "dev"}, {"name": "b", "half": "confirm"}])
    {'all': ['a', 'b'], 'dev': ['a'], 'confirm': ['b']}
    """
    groups: dict[str, list[str]] = {"all": list(dict.fromkeys(t["name"] for t in task_infos))}
    for half in ("dev", "confirm"):
        names = list(dict.fromkeys(t["name"] for t in task_infos if t.get("half") == half))
        if names and len(names) < len(groups["all"]):
            groups[half] = names
    return groups
