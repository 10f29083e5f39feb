"""Command line: ``python benchmarks/run.py PROTOCOL [options]``.

Resolves the options (``--quick`` presets, then explicit flags), selects the
detectors, runs the protocol, prints the markdown report to stdout and writes
``<protocol>.md`` and ``<protocol>.json`` to ``--out`` after every task.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks._adbench import HALVES, adbench_selection
from benchmarks._data import check_data, resolve_data_dir
from benchmarks._detectors import registry, select
from benchmarks._protocols import DEFAULTS, PROTOCOLS, QUICK
from benchmarks._report import DEFAULT_OUT, Report, command_line, machine_info, utc_now
from benchmarks._reuse import Reuse
from benchmarks._runner import RunState, run
from benchmarks._tasks import Options, Protocol, Task
from skalocc import ALOCCDetector

_SET_BY_SUITE = ("image_shape", "random_state")
_HELP = {
    "digits": "scikit-learn's 8x8 digits, one class per digit (AUROC); fast smoke test",
    "mnist": "MNIST one-class protocol: train on digit k, test on the test set (AUROC)",
    "mnist-paper": "the paper's Fig. 8: F1 of the target digit at 10-50%% outliers",
    "adbench": "ADBench tabular datasets as novelty detection (AUROC, AP)",
}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _alocc_params(text: str) -> dict[str, Any]:
    try:
        params = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc})") from exc
    if not isinstance(params, dict):
        raise argparse.ArgumentTypeError(f"must be a JSON object, got {text!r}")
    if clash := [k for k in _SET_BY_SUITE if k in params]:
        raise argparse.ArgumentTypeError(f"{clash} are set by the benchmark, not here")
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    try:
        ALOCCDetector(**params)
    except TypeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return params


def _caps_epilog(protocol: str) -> str:
    """The defaults of the caps, without and with ``--quick``."""

    def show(settings: dict[str, Any]) -> str:
        shown = {k: v for k, v in settings.items() if v is not None and k != "datasets"}
        text = ", ".join(
            f"--{k.replace('_', '-')} " + (f"'{json.dumps(v)}'" if isinstance(v, dict) else str(v))
            for k, v in shown.items()
        )
        text = text or "no caps"
        if settings.get("datasets"):
            text += f", --datasets {' '.join(settings['datasets'])}"
        return text

    return f"Defaults: {show(DEFAULTS[protocol])}. With --quick: {show(QUICK[protocol])}."


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per protocol plus ``check-data``.

    Returns
    -------
    parser : argparse.ArgumentParser
        Parses ``PROTOCOL [options]``.
    """
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data",
        metavar="DIR",
        help="benchmark data folder (default: $SKALOCC_DATA, else ../shared/data "
        "relative to the repository root)",
    )
    common = argparse.ArgumentParser(add_help=False, parents=[data])
    common.add_argument(
        "--out", metavar="DIR", type=Path, default=DEFAULT_OUT, help="where <protocol>.md/.json go"
    )
    common.add_argument(
        "--seeds", metavar="SEED", type=int, nargs="+", default=[0], help="detector random_states"
    )
    common.add_argument(
        "--split-seeds",
        "--split-seed",
        dest="split_seeds",
        metavar="SEED",
        type=int,
        nargs="+",
        default=[0],
        help="seeds of the splits and subsamples: every task runs once per seed, the "
        "tables show the mean and spread over them (default 0)",
    )
    common.add_argument(
        "--detectors",
        metavar="NAME",
        nargs="+",
        help="run only detectors whose name contains one of these (case-insensitive)",
    )
    common.add_argument(
        "--alocc-params",
        metavar="JSON",
        type=_alocc_params,
        default={},
        help="override ALOCCDetector arguments of all three ALOCC variants, e.g. "
        '\'{"epochs": 1, "filters": [4, 8]}\'',
    )
    common.add_argument(
        "--reuse",
        metavar="JSON",
        type=Path,
        nargs="+",
        help="earlier runs' JSON of the same protocol, data and caps: its records of "
        "detectors whose class and parameters are unchanged are copied instead of refitted "
        "(marked reused_from)",
    )
    common.add_argument(
        "--quick", action="store_true", help="small preset that ends in under 10 minutes"
    )
    digits = argparse.ArgumentParser(add_help=False)
    digits.add_argument(
        "--digits",
        metavar="K",
        type=int,
        nargs="+",
        choices=range(10),
        default=list(range(10)),
        help="target digits (default all)",
    )
    caps = argparse.ArgumentParser(add_help=False)
    caps.add_argument(
        "--max-train", type=_positive_int, metavar="N", help="cap on training samples per task"
    )
    caps.add_argument(
        "--max-test",
        "--test-subsample",
        type=_positive_int,
        metavar="N",
        help="cap on test samples per task (mnist-paper: on its largest, 50%% mix)",
    )
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="skalocc benchmarks: every detector side by side, same splits and seeds.",
    )
    sub = parser.add_subparsers(dest="protocol", required=True, metavar="PROTOCOL")
    parents = {
        "digits": [common, digits],
        "mnist": [common, digits, caps],
        "mnist-paper": [common, digits, caps],
        "adbench": [common, caps],
    }
    commands = {
        name: sub.add_parser(
            name,
            parents=parents[name],
            help=_HELP[name],
            description=PROTOCOLS[name].description,
            epilog=_caps_epilog(name),
        )
        for name in parents
    }
    adbench = commands["adbench"]
    adbench.add_argument(
        "--datasets", metavar="NAME", nargs="+", help="dataset names, e.g. donors (default all)"
    )
    adbench.add_argument(
        "--half",
        choices=HALVES,
        default="all",
        help="the development half (sets at even positions in ADBench's numbering), the "
        "confirmation half (odd positions) or all (default)",
    )
    sub.add_parser(
        "check-data", parents=[data], help="read every MNIST and ADBench file once, print shapes"
    )
    return parser


def resolve_options(args: argparse.Namespace) -> Options:
    """Apply the protocol's defaults, then ``--quick``'s preset, then explicit flags.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments of a protocol sub-command.

    Returns
    -------
    options : Options
        The data settings of the run.
    """
    settings = {**DEFAULTS[args.protocol], **(QUICK[args.protocol] if args.quick else {})}
    for key in ("max_train", "max_test", "datasets"):
        if getattr(args, key, None) is not None:
            settings[key] = getattr(args, key)
    needs_data = args.protocol != "digits"
    return Options(
        data_dir=resolve_data_dir(args.data) if needs_data else None,
        split_seed=args.split_seeds[0],
        half=getattr(args, "half", "all"),
        digits=tuple(dict.fromkeys(getattr(args, "digits", range(10)))),
        max_train=settings.get("max_train"),
        max_test=settings.get("max_test"),
        datasets=None if settings.get("datasets") is None else tuple(settings["datasets"]),
    )


def _options_record(args: argparse.Namespace, options: Options) -> dict[str, Any]:
    record: dict[str, Any] = {"quick": args.quick, "split_seeds": list(args.split_seeds)}
    if args.protocol != "digits":
        record["data"] = str(options.data_dir)
    if args.protocol != "adbench":
        record["digits"] = list(options.digits)
    if args.protocol != "digits":
        record.update(max_train=options.max_train, max_test=options.max_test)
    if args.protocol == "adbench":
        record["datasets"] = None if options.datasets is None else list(options.datasets)
        record["half"] = options.half
    record.update(detectors=args.detectors, alocc_params=args.alocc_params or None)
    return record


def split_tasks(protocol: Protocol, options: Options, split_seeds: Sequence[int]) -> Iterator[Task]:
    """The protocol's tasks once per split seed, each marked with its ``info["split_seed"]``.

    Parameters
    ----------
    protocol : Protocol
        Builds the tasks.
    options : Options
        The run's options; ``split_seed`` is replaced by each seed in turn.
    split_seeds : sequence of int
        The split seeds, in run order.

    Yields
    ------
    task : Task
        Built lazily, one at a time.
    """
    for split_seed in split_seeds:
        for task in protocol.tasks(replace(options, split_seed=split_seed)):
            yield replace(task, info={**task.info, "split_seed": split_seed})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Arguments after the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 when every fit succeeded, 1 when some failed, 2 for bad arguments.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "quick", False) and not getattr(args, "alocc_params", None):
        args.alocc_params = dict(QUICK.get(args.protocol, {}).get("alocc_params", {})) or None
    try:
        if args.protocol == "check-data":
            lines = check_data(resolve_data_dir(args.data))
            print("\n".join(lines))
            n_adbench = sum(line.startswith("adbench") for line in lines)
            print(f"OK: MNIST train and test, {n_adbench} ADBench datasets read.")
            return 0
        options = resolve_options(args)
        if args.protocol == "adbench":  # fail before any fit
            if not adbench_selection(options.data_dir, options.datasets, options.half):
                raise ValueError(f"no dataset of --datasets is in --half {options.half}")
        detectors, omitted = select(registry(args.alocc_params), args.detectors)
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    for flag, values in (("--seeds", args.seeds), ("--split-seeds", args.split_seeds)):
        if len(set(values)) != len(values):
            parser.error(f"{flag} must be distinct, got {values}")
    if not detectors:
        parser.error(f"no detector can run: {omitted}")

    protocol = PROTOCOLS[args.protocol]
    report = Report(
        protocol=protocol,
        command=command_line("benchmarks/run.py", argv),
        options=_options_record(args, options),
        seeds=list(args.seeds),
        detectors=detectors,
        omitted=omitted,
        date=utc_now(),
        machine=machine_info(),
        state=RunState(),
    )
    for name, reason in omitted.items():
        print(f"[{protocol.name}] omitting {name}: {reason}", file=sys.stderr)

    def save(state: RunState) -> None:
        report.state = state
        report.write(args.out)

    reuse = None
    if args.reuse is not None:
        try:
            reuse = Reuse.load(args.reuse, protocol.name, report.options)
        except (OSError, ValueError, KeyError) as exc:
            parser.error(str(exc))
    tasks = split_tasks(protocol, options, args.split_seeds)
    report.state = run(protocol, tasks, detectors, args.seeds, save, reuse)
    md_path, json_path = report.write(args.out)
    print(report.markdown(), end="")
    print(f"[{protocol.name}] wrote {md_path} and {json_path}", file=sys.stderr)
    return 1 if any(r["error"] is not None for r in report.state.records) else 0
