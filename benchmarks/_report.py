"""The run's record: the markdown report and the JSON written next to it.

One home for what every benchmark records: the date, the command, the
machine (:func:`context_lines`), written atomically (:func:`write_atomic`).
A protocol run (``run.py``) renders a :class:`Report`, rewritten after every
task (through a ``.tmp`` file), so an interrupted run keeps what it measured;
``complete`` says whether it ended. A study (``speed.py``, ``scaling.py``,
``repeated_fits.py``) runs through :func:`study_main`, which parses its
options and ``--out``, measures and writes ``<study>.{md,json}`` the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator

from benchmarks._summary import TIE, halves, summarize, summary_table
from benchmarks._tables import Results, replicate, share_table, task_table

_HALF_TITLES = {
    "all": "all sets run",
    "dev": "development half",
    "confirm": "confirmation half",
}

if TYPE_CHECKING:
    from benchmarks._detectors import Detector
    from benchmarks._runner import RunState
    from benchmarks._tasks import Protocol

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "results"
_PACKAGES = ("skalocc", "tensorflow", "keras", "scikit-learn", "numpy", "pyod", "torch")

#: What each detector family is given, per input mode.
INPUTS = {
    ("alocc", "image"): "pixel rows in [0, 1] with image_shape (ALOCC scales internally)",
    ("alocc", "tabular"): "raw features (ALOCC scales each feature internally: `scaling`)",
    ("classical", "image"): "pixel rows in [0, 1]",
    ("classical", "tabular"): "StandardScaler (fit on the training rows), then the detector",
    ("pyod-classical", "image"): "pixel rows in [0, 1]",
    ("pyod-classical", "tabular"): "StandardScaler (fit on the training rows), then the detector",
    ("pyod", "image"): "pixel rows in [0, 1]",
    ("pyod", "tabular"): "StandardScaler (fit on the training rows), then the detector",
}

_NOTES = (
    "ALOCC variants: `ALOCC (paper, D(R(X)))` is `ALOCCDetector(**PAPER_PARAMS)`, "
    '`ALOCC (paper, D(X))` the same with `novelty_score="D(X)"`, `ALOCC (recommended)` '
    "the library's defaults; all with `image_shape` (image protocols) and "
    "`random_state=seed`. Exact parameters are in the JSON.",
    "Peers: `IsolationForest(random_state=seed)`, `OneClassSVM()`, "
    "`LocalOutlierFactor(novelty=True)` with scikit-learn's defaults; `PCA reconstruction` "
    "keeps 90% of the training variance and scores minus the squared reconstruction error. "
    "k-NN: minus the Euclidean distance to the k-th nearest training row (`1-NN distance`, "
    "`5-NN k-th distance`) or the mean distance to the 5 nearest (`5-NN mean distance`), "
    "with scikit-learn's `NearestNeighbors` (exact search). PyOD's ECOD and COPOD (PyOD "
    "defaults) run when `pyod` imports; its AutoEncoder and DeepSVDD (PyOD defaults, "
    "`verbose=0`) when `pyod` and `torch` import.",
    'Thresholds (used by `predict`, hence by F1 only): ALOCC\'s `contamination="auto"` (skalocc '
    "0.2: the 5% quantile of the training scores, or the conformal threshold at 5% with "
    "`calibration_fraction`; 0.1: the lower Tukey fence); PCA reconstruction and k-NN the lower "
    "Tukey fence Q1 - 1.5 IQR of the training scores; "
    "scikit-learn's detectors their own defaults (IsolationForest and LOF: "
    '`contamination="auto"`; OneClassSVM: `nu=0.5`); PyOD: `contamination=0.1`.',
    "Scores are `score_samples` (higher = more normal; PyOD's negated). Timings are "
    "wall-clock seconds of `fit`, `score_samples` and `predict` (`time.perf_counter`).",
)


def json_safe(value: Any) -> Any:
    """Convert parameters and results to JSON types.

    Estimators become ``{"class": ..., "params": ...}``, tuples and mapping
    proxies lists and dicts, NumPy scalars Python scalars, NaN and infinities
    None, paths strings, anything else its ``repr``.

    Parameters
    ----------
    value : object
        What to convert.

    Returns
    -------
    safe : object
        Made of dict, list, str, int, float, bool and None only.

    Examples
    --------
    >>> json_safe({"a": (1, 2.0, float("nan")), "b": None})
    {'a': [1, 2.0, None], 'b': None}
    """
    if isinstance(value, BaseEstimator):
        return describe(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


def describe(estimator: BaseEstimator) -> dict[str, Any]:
    """Class and JSON-safe ``get_params(deep=False)`` of an estimator, nested for pipelines.

    Parameters
    ----------
    estimator : BaseEstimator
        Any scikit-learn estimator.

    Returns
    -------
    description : dict
        ``{"class": "module.Name", "params": {...}}``.

    Examples
    --------
    >>> from sklearn.svm import OneClassSVM
    >>> describe(OneClassSVM())["params"]["nu"]
    0.5
    """
    cls = type(estimator)
    params = estimator.get_params(deep=False)
    return {"class": f"{cls.__module__}.{cls.__qualname__}", "params": json_safe(params)}


def machine_info() -> dict[str, Any]:
    """Platform, CPUs, Python and package versions, and the repository's commit.

    Returns
    -------
    info : dict
        JSON-safe; a package that is not installed has version None.
    """
    versions = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions,
    }
    if hasattr(os, "sched_getaffinity"):
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    git = ["git", "-C", str(ROOT)]
    try:
        commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
        status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    except OSError:  # no git
        return info
    if commit.returncode == 0:
        info["git_commit"] = commit.stdout.strip()
        info["git_dirty"] = bool(status.stdout.strip())
    return info


def utc_now() -> str:
    """The current UTC time, ISO 8601, to the second.

    Returns
    -------
    timestamp : str
        E.g. ``"2026-11-29T19:04:05+00:00"``.
    """
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through ``path.tmp``, so no reader sees half a file.

    Parameters
    ----------
    path : Path
        Destination; its folder is created if needed.
    text : str
        Content.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def command_line(script: str, argv: Sequence[str] | None) -> str:
    """The command that ran, shell-quoted.

    Parameters
    ----------
    script : str
        The script's path from the repository root, e.g. ``"benchmarks/run.py"``.
    argv : sequence of str or None
        The arguments given to ``main``; None means the process's own command line.

    Returns
    -------
    command : str
        E.g. ``"python benchmarks/speed.py --parts import"``.

    Examples
    --------
    >>> command_line("benchmarks/speed.py", ["--parts", "import"])
    'python benchmarks/speed.py --parts import'
    """
    return shlex.join(sys.orig_argv if argv is None else ["python", script, *argv])


def context_lines(date: str, command: str, machine: Mapping[str, Any]) -> list[str]:
    """The markdown lines that open every record: date, command, machine.

    Parameters
    ----------
    date : str
        Start time, UTC ISO 8601 (:func:`utc_now`).
    command : str
        :func:`command_line`.
    machine : mapping
        :func:`machine_info`.

    Returns
    -------
    lines : list of str
        Three markdown list items.
    """
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if v)
    return [
        f"- date: {date} (UTC)",
        f"- command: `{command}`",
        f"- machine: {machine['platform']}, {machine['cpu_count']} CPUs, "
        f"Python {machine['python']}; {versions}",
    ]


def study_main(
    script: str,
    name: str,
    doc: str,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    measure: Callable[[argparse.Namespace], tuple[dict[str, Any], str]],
    argv: Sequence[str] | None = None,
) -> int:
    """The ``main`` of a study: options, context, measurement, ``<name>.{md,json}``.

    Parameters
    ----------
    script : str
        The study's ``__file__``.
    name : str
        The record's name: ``--out`` receives ``<name>.md`` and ``<name>.json``.
    doc : str
        The study's module docstring; its first paragraph describes the study
        in ``--help`` and in the record.
    add_arguments : callable
        Adds the study's own options to the parser (``--out`` is added here).
    measure : callable
        Takes the parsed options and returns ``(record, markdown)``: the
        measurements (JSON-safe through :func:`json_safe`) and their tables
        (markdown, headings from ``##``).
    argv : sequence of str or None, default=None
        Arguments after the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 (a failed measurement raises).
    """
    description = " ".join(doc.strip().split("\n\n")[0].split())
    parser = argparse.ArgumentParser(description=description)
    add_arguments(parser)
    parser.add_argument(
        "--out", metavar="DIR", type=Path, default=DEFAULT_OUT, help=f"where {name}.md/.json go"
    )
    args = parser.parse_args(argv)
    relative = Path(script).resolve().relative_to(ROOT).as_posix()
    date, command, machine = utc_now(), command_line(relative, argv), machine_info()
    start = time.perf_counter()
    record, tables = measure(args)
    seconds = round(time.perf_counter() - start, 1)
    print(tables)
    head = [f"# skalocc benchmark: {name}", "", description, ""]
    context = [*context_lines(date, command, machine), f"- wall time: {seconds} s", ""]
    payload = {"study": name, "description": description, "date": date, "command": command}
    payload.update(machine=machine, seconds=seconds, **record)
    md_path, json_path = args.out / f"{name}.md", args.out / f"{name}.json"
    write_atomic(md_path, "\n".join(head + context) + "\n" + tables.rstrip("\n") + "\n")
    write_atomic(json_path, json.dumps(json_safe(payload), indent=1, allow_nan=False) + "\n")
    print(f"[{name}] wrote {md_path} and {json_path} ({seconds:.0f} s)", file=sys.stderr)
    return 0


@dataclass
class Report:
    """One run's context and measurements, rendered as markdown and JSON.

    Attributes
    ----------
    protocol : Protocol
        The protocol run.
    command : str
        The command line, shell-quoted.
    options : dict
        The resolved options (JSON-safe).
    seeds : list of int
        Detector seeds.
    detectors : list of Detector
        The detectors run, in column order.
    omitted : dict of str to str
        Requested detectors that could not run, with the reason.
    date : str
        Start time, UTC ISO 8601.
    machine : dict
        :func:`machine_info`.
    state : RunState
        The measurements (possibly partial).
    """

    protocol: Protocol
    command: str
    options: dict[str, Any]
    seeds: list[int]
    detectors: list[Detector]
    omitted: dict[str, str]
    date: str
    machine: dict[str, Any]
    state: RunState

    def markdown(self) -> str:
        """The report: context, the protocol's tables, notes.

        Returns
        -------
        text : str
            Markdown, ending with a newline.
        """
        p, names = self.protocol, [d.name for d in self.detectors]
        results = Results(self.state.records)
        tasks = list(dict.fromkeys(t["name"] for t in self.state.tasks))
        shown = {k: v for k, v in self.options.items() if v is not None and v is not False}
        options = ", ".join(f"{k}={v}" for k, v in shown.items())
        lines = [f"# skalocc benchmark: {p.name}", "", p.description, ""]
        if not self.state.complete:
            lines += ["**Partial results: the run has not finished.**", ""]
        lines += context_lines(self.date, self.command, self.machine)
        lines += [f"- detector seeds: {' '.join(map(str, self.seeds))}; {options}", ""]
        if p.summary:
            for half, summary in self._summaries().items():
                lines += [f"## Summary: {_HALF_TITLES[half]}", ""]
                lines += summary_table(summary)
                lines.append("")
        for i, (title, metric) in enumerate(p.tables):
            lines += [f"## {title}", ""]
            if p.layout == "shares":
                lines += share_table(results, names, p.progress, p.reference)
            else:
                lines += task_table(results, tasks, names, metric, timings=i == 0)
            lines.append("")
        n_splits = len({replicate(r)[0] for r in self.state.records}) or 1
        if len(self.seeds) * n_splits > 1:
            seeds = (
                f"mean ± std (ddof=1) over {n_splits} split(s) x {len(self.seeds)} detector "
                "seed(s); mean rows: the mean over tasks within each split and seed first"
            )
        else:
            seeds = "one split, one seed"
        lines += ["## Notes", "", f"- Cells: {seeds}; `-`: no value."]
        if p.summary:
            lines.append(
                f"- Summary: per set, each detector's AUROC averaged over splits and seeds; "
                f"mean rank over sets (1 = best); W / T / L: sets where the detector's AUROC "
                f"is at least {TIE} above / within {TIE} of / at least {TIE} below the "
                "reference ALOCC's; the Wilcoxon signed-rank test pairs the per-set AUROC of "
                "the reference ALOCC and of the best baseline (highest mean AUROC, ALOCC "
                "variants excluded), two-sided, scipy."
            )
        families = dict.fromkeys(d.family for d in self.detectors)
        inputs = "; ".join(f"{f}: {INPUTS[(f, p.mode)]}" for f in families)
        lines.append(f"- Inputs: {inputs}.")
        lines += [f"- {note}" for note in _NOTES]
        reused: dict[str, dict[str, int]] = {}
        for r in self.state.records:
            if r.get("reused_from"):
                by_detector = reused.setdefault(r["reused_from"], {})
                by_detector[r["detector"]] = by_detector.get(r["detector"], 0) + 1
        for date, counts in reused.items():
            listed = ", ".join(f"{name} ({n})" for name, n in counts.items())
            lines.append(
                f"- Reused (`--reuse`, identical detector parameters, data and caps; timings are "
                f"that run's): the records of {listed} from the run of {date}."
            )
        by_reason: dict[str, list[str]] = {}
        for name, reason in self.omitted.items():
            by_reason.setdefault(reason, []).append(name)
        for reason, omitted in by_reason.items():
            lines.append(f"- Omitted: {', '.join(omitted)} ({reason}).")
        if results.errors:
            lines.append(
                f"- `!`: {len(results.errors)} fit(s) failed and are left out of the cell "
                "(errors in the JSON), e.g. "
                + "; ".join(
                    f"{r['task']} seed {r['seed']} {r['detector']}: {r['error'].rstrip('.')}"
                    for r in results.errors[:3]
                )
                + "."
            )
        return "\n".join(lines) + "\n"

    def _summaries(self) -> dict[str, dict[str, Any]]:
        """:func:`~benchmarks._summary.summarize` over all tasks and each half."""
        results = Results(self.state.records)
        names = [d.name for d in self.detectors]
        families = {d.name: d.family for d in self.detectors}
        return {
            half: summarize(results, tasks, names, families)
            for half, tasks in halves(self.state.tasks).items()
        }

    def payload(self) -> dict[str, Any]:
        """The JSON record: context, detector parameters, every per-fit result.

        Returns
        -------
        payload : dict
            JSON-safe.
        """
        p = self.protocol
        detectors = {
            d.name: {
                "family": d.family,
                "input": INPUTS[(d.family, p.mode)],
                **self.state.detector_params.get(d.name, {}),
            }
            for d in self.detectors
        }
        payload = {
            "protocol": p.name,
            "description": p.description,
            "date": self.date,
            "complete": self.state.complete,
            "command": self.command,
            "machine": self.machine,
            "options": self.options,
            "seeds": self.seeds,
            "detectors": detectors,
            "omitted_detectors": self.omitted,
            "tasks": self.state.tasks,
            "results": self.state.records,
        }
        if p.summary:
            payload["summary"] = self._summaries()
        if p.reference is not None:
            payload["reference"] = {
                "label": p.reference[0],
                **dict(zip(p.progress, p.reference[1], strict=True)),
            }
        return json_safe(payload)

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        """Write ``<protocol>.md`` and ``<protocol>.json`` to ``out_dir``.

        Parameters
        ----------
        out_dir : Path
            Output folder, created if needed.

        Returns
        -------
        md_path, json_path : Path
            The files written.
        """
        md_path = out_dir / f"{self.protocol.name}.md"
        json_path = out_dir / f"{self.protocol.name}.json"
        write_atomic(md_path, self.markdown())
        write_atomic(json_path, json.dumps(self.payload(), indent=1, allow_nan=False) + "\n")
        return md_path, json_path
