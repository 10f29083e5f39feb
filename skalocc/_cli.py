"""The ``skalocc`` command: fit a detector on a data file, score or explain data, run the demo.

Errors the user can fix (a missing file, a file in the wrong format, an
invalid parameter, data that does not match the model) are printed as one
line on stderr with exit status 1; bad options exit with status 2 and
argparse's usage line. No traceback either way.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from skalocc._io import DataFileError, read_data_file
from skalocc._presets import SCALINGS, SCORE_KINDS
from skalocc._version import __version__

_DATA_HELP = (
    "DATA is a .csv file (numbers, one sample per row; a non-numeric first row is a "
    "header), a .npy file, a .npz archive (one array, or the one named by --key), or "
    "a folder of PNG/JPEG images of one size (needs Pillow: pip install "
    "'skalocc[images]'; grayscale gives (n, h, w), colour (n, h, w, 3))."
)


class CommandError(Exception):
    """An error reported as one line, exit status 1."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _epochs(text: str) -> int | str:
    return "auto" if text == "auto" else _positive_int(text)


def _latent_dim(text: str) -> int | None:
    return None if text.lower() == "none" else _positive_int(text)


def _contamination(text: str) -> float | str:
    if text == "auto":
        return "auto"
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'auto' or a number in (0, 0.5], got {text!r}"
        ) from None


def _add_fit_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "fit",
        help="train an ALOCCDetector on normal samples and save it",
        description="Train an ALOCCDetector on DATA (normal samples only) and save it as "
        "a skalocc model file (a zip of JSON, .npy arrays and Keras networks, loaded "
        "without pickle; skalocc.load reads it), or with joblib when MODEL ends in "
        ".joblib, .pkl or .pickle. " + _DATA_HELP,
        epilog="example: skalocc fit train.csv --out model.skalocc --epochs 20 "
        "--calibration-fraction 0.2",
    )
    p.add_argument("data", metavar="DATA", help="training data (see above)")
    p.add_argument(
        "--out",
        default="model.skalocc",
        metavar="MODEL",
        help="where to save the model (default: model.skalocc)",
    )
    p.add_argument("--key", help="array name inside a .npz archive")
    p.add_argument(
        "--image-shape",
        type=int,
        nargs="+",
        metavar="N",
        help="H W or H W C: treat CSV/2-D rows as images (one entry may be -1); image "
        "folders and 3-D/4-D arrays are images already",
    )
    p.add_argument(
        "--paper",
        action="store_true",
        help="start from the paper's settings (skalocc.PAPER_PARAMS) instead of the "
        "recommended defaults; other options override them",
    )
    p.add_argument(
        "--filters",
        type=_positive_int,
        nargs="+",
        metavar="N",
        help="conv widths of R's encoder and D (default: 32 64)",
    )
    p.add_argument(
        "--hidden-units",
        type=_positive_int,
        nargs="+",
        metavar="N",
        help="dense widths for tabular data (default: 64 32)",
    )
    p.add_argument(
        "--latent-dim",
        type=_latent_dim,
        metavar="N",
        default=argparse.SUPPRESS,
        help="R's bottleneck size, or 'none' (default: 16)",
    )
    p.add_argument(
        "--kernel-size",
        type=_positive_int,
        metavar="N",
        help="convolution kernel side (default: 5)",
    )
    p.add_argument(
        "--epochs", type=_epochs, metavar="N", help="training epochs, or 'auto' (default: auto)"
    )
    p.add_argument("--batch-size", type=_positive_int, metavar="N", help="default: 64")
    p.add_argument("--learning-rate", type=float, metavar="LR", help="default: 2e-4")
    p.add_argument(
        "--novelty-score",
        choices=("auto", *SCORE_KINDS),
        help="default: auto (features on tables and under 1000 images, else combined)",
    )
    p.add_argument(
        "--scaling",
        choices=("auto", *SCALINGS),
        help="input scaling (default: auto, standard on tables, minmax on images)",
    )
    p.add_argument(
        "--contamination",
        type=_contamination,
        metavar="C",
        help="'auto' or the share of training samples below the threshold, "
        "in (0, 0.5] (default: auto)",
    )
    p.add_argument(
        "--calibration-fraction",
        type=float,
        metavar="F",
        help="hold this share of DATA, in (0, 0.5], out of training to calibrate "
        "p-values and the threshold (default: none)",
    )
    p.add_argument(
        "--no-pseudo-anomalies",
        action="store_true",
        help="train D on real vs reconstructed samples only (as the paper)",
    )
    p.add_argument("--random-state", type=int, metavar="SEED", help="seed (default: none)")
    p.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=0,
        help="0 silent, 1 a progress bar per epoch, 2 a line per epoch",
    )


def _add_score_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "score",
        help="score samples with a saved model",
        description="Score DATA with a model saved by 'skalocc fit'. Writes a CSV with a "
        "header and one row per sample: score (score_samples, higher = more normal), "
        "decision (score - offset_, negative = outlier) and label (+1 inlier, -1 "
        "outlier), and pvalue (the conformal p-value, small = novel) for a model fitted "
        "with --calibration-fraction. " + _DATA_HELP + " MODEL is a skalocc model file "
        "(read without pickle) or a joblib file; only load joblib files you trust: they "
        "are pickles.",
        epilog="example: skalocc score model.skalocc test.csv --out scores.csv",
    )
    p.add_argument("model", metavar="MODEL", help="a model saved by 'skalocc fit'")
    p.add_argument("data", metavar="DATA", help="samples to score (see above)")
    p.add_argument("--out", metavar="CSV", help="output file (default: standard output)")
    p.add_argument("--key", help="array name inside a .npz archive")


def _add_explain_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "explain",
        help="per-feature contributions to the novelty of samples",
        description="Explain DATA with a model saved by 'skalocc fit'. Writes a CSV with a "
        "header (the training columns' names, else x0, x1, ...; pixels in row-major "
        "order for images) and one row per sample: each value's contribution, R's "
        "squared reconstruction error on it (non-negative; larger = more novel). " + _DATA_HELP,
        epilog="example: skalocc explain model.skalocc test.csv --out contributions.csv",
    )
    p.add_argument("model", metavar="MODEL", help="a model saved by 'skalocc fit'")
    p.add_argument("data", metavar="DATA", help="samples to explain (see above)")
    p.add_argument("--out", metavar="CSV", help="output file (default: standard output)")
    p.add_argument("--key", help="array name inside a .npz archive")


def _add_demo_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="ALOCC next to IsolationForest on scikit-learn's digits",
        description="Fit ALOCCDetector (recommended and paper settings) and "
        "IsolationForest on one digit of scikit-learn's 8x8 digits and print a table "
        "(the same as 'python -m skalocc').",
    )
    p.add_argument("--digit", type=int, default=0, choices=range(10), help="target digit")
    p.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        help="ALOCC training epochs (default: automatic)",
    )
    p.add_argument("--random-state", type=int, default=0, help="seed")


def build_parser() -> argparse.ArgumentParser:
    """The ``skalocc`` argument parser with its four subcommands."""
    parser = argparse.ArgumentParser(
        prog="skalocc",
        description="ALOCC novelty detection from the command line: train a detector on "
        "normal samples, then score new samples (higher = more normal).",
        epilog="Run 'skalocc COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"skalocc {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_fit_parser(subparsers)
    _add_score_parser(subparsers)
    _add_explain_parser(subparsers)
    _add_demo_parser(subparsers)
    return parser


def _load(path: str, key: str | None) -> np.ndarray:
    try:
        return read_data_file(path, key=key)
    except DataFileError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}.") from None


def _estimator_params(args: argparse.Namespace) -> dict:
    from skalocc._presets import PAPER_PARAMS

    params = dict(PAPER_PARAMS) if args.paper else {}
    if args.image_shape is not None:
        params["image_shape"] = tuple(args.image_shape)
    options = {
        "filters": None if args.filters is None else tuple(args.filters),
        "hidden_units": None if args.hidden_units is None else tuple(args.hidden_units),
        "kernel_size": args.kernel_size,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "novelty_score": args.novelty_score,
        "scaling": args.scaling,
        "contamination": args.contamination,
        "calibration_fraction": args.calibration_fraction,
        "random_state": args.random_state,
    }
    params.update({k: v for k, v in options.items() if v is not None})
    if hasattr(args, "latent_dim"):  # given, possibly as "none"
        params["latent_dim"] = args.latent_dim
    if args.no_pseudo_anomalies:
        params["pseudo_anomalies"] = False
    params["verbose"] = args.verbose
    return params


_PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")


def _save(detector, out: Path) -> None:
    if out.suffix.lower() in _PICKLE_SUFFIXES:
        import joblib

        joblib.dump(detector, out)
    else:
        detector.save(out)


def _fit(args: argparse.Namespace) -> int:
    from skalocc._alocc import ALOCCDetector

    X = _load(args.data, args.key)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CommandError(f"{out}: the folder {out.parent} does not exist.")
    detector = ALOCCDetector(**_estimator_params(args))
    start = time.perf_counter()
    try:
        detector.fit(X)
    except (ValueError, TypeError, ArithmeticError) as exc:  # bad parameters or data
        raise CommandError(f"{args.data}: {_one_line(exc)}") from None
    seconds = time.perf_counter() - start
    try:
        _save(detector, out)
    except OSError as exc:
        raise CommandError(f"{out}: cannot write the model ({exc.strerror or exc}).") from None
    n_out = int(np.sum(detector.predict(X) == -1))
    mode = (
        f"images {detector.image_shape_}"
        if detector.image_shape_ is not None
        else f"{detector.n_features_in_} features"
    )
    print(
        f"Fitted ALOCCDetector on {len(X)} samples ({mode}) in {seconds:.1f} s, "
        f"{_plural(detector.n_epochs_, 'epoch')}; {_plural(n_out, 'training sample')} "
        "below the threshold "
        f"(offset_ = {detector.offset_:.4g}). Saved to {out}.",
        file=sys.stderr,
    )
    return 0


def _plural(n: int, noun: str) -> str:
    """``"1 epoch"``, ``"2 epochs"``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _load_model(path: str):
    import joblib

    model_path = Path(path)
    if not model_path.is_file():
        raise CommandError(f"{model_path}: no such model file.")
    with open(model_path, "rb") as f:
        zipped = f.read(4) == b"PK\x03\x04"  # a zip archive, even a truncated one
    if zipped:  # a skalocc model file: read without pickle
        from skalocc._model_file import load

        try:
            return load(model_path)
        except ValueError as exc:
            raise CommandError(_one_line(exc)) from None
    try:
        model = joblib.load(model_path)
    except Exception as exc:  # any unpickling failure means "not a model file"
        raise CommandError(
            f"{model_path}: not a model saved by 'skalocc fit' (unpickling failed with "
            f"{type(exc).__name__})."
        ) from None
    from skalocc._alocc import ALOCCDetector

    if not (isinstance(model, ALOCCDetector) and hasattr(model, "offset_")):
        raise CommandError(
            f"{model_path}: holds a {type(model).__name__}, not a fitted ALOCCDetector "
            "saved by 'skalocc fit'."
        )
    return model


def _score(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    X = _load(args.data, args.key)
    try:
        scores = model.score_samples(X)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"{args.data}: {_one_line(exc)}") from None
    decision = scores - model.offset_
    labels = np.where(decision >= 0, 1, -1)
    columns = [
        [repr(float(s)) for s in scores],
        [repr(float(d)) for d in decision],
        [int(lab) for lab in labels],
    ]
    header = ["score", "decision", "label"]
    calibration = getattr(model, "calibration_scores_", None)
    if calibration is not None:
        from skalocc._calibration import pvalues

        header.append("pvalue")
        columns.append([repr(float(p)) for p in pvalues(calibration, scores)])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(*columns, strict=True))
    if args.out is None:
        sys.stdout.write(buffer.getvalue())
    else:
        try:
            Path(args.out).write_text(buffer.getvalue(), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{args.out}: cannot write ({exc.strerror or exc}).") from None
        print(
            f"Scored {_plural(len(X), 'sample')}: {_plural(int(np.sum(labels == -1)), 'outlier')}, "
            f"{_plural(int(np.sum(labels == 1)), 'inlier')}. Saved to {args.out}.",
            file=sys.stderr,
        )
    return 0


def _write_csv(text: str, out: str | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{out}: cannot write ({exc.strerror or exc}).") from None


def _explain(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    if not hasattr(model, "explain"):
        raise CommandError(f"{args.model}: holds a {type(model).__name__}, which cannot explain.")
    X = _load(args.data, args.key)
    try:
        contributions = np.asarray(model.explain(X)).reshape(len(X), -1)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"{args.data}: {_one_line(exc)}") from None
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = [f"x{j}" for j in range(contributions.shape[1])]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(n) for n in names])
    writer.writerows([repr(float(v)) for v in row] for row in contributions)
    _write_csv(buffer.getvalue(), args.out)
    if args.out is not None:
        print(
            f"Explained {len(X)} samples ({contributions.shape[1]} contributions each). "
            f"Saved to {args.out}.",
            file=sys.stderr,
        )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from skalocc._demo import main as demo_main

    argv = ["--digit", str(args.digit), "--random-state", str(args.random_state)]
    if args.epochs is not None:
        argv += ["--epochs", str(args.epochs)]
    return demo_main(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skalocc`` command line.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on an error explained on stderr. Bad options exit
        with status 2 through argparse.

    Examples
    --------
    >>> from skalocc._cli import main
    >>> main(["score", "no-such-model.joblib", "data.csv"])
    1
    """
    args = build_parser().parse_args(argv)
    commands = {"fit": _fit, "score": _score, "explain": _explain, "demo": _demo}
    try:
        return commands[args.command](args)
    except CommandError as exc:
        print(f"skalocc {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"skalocc {args.command}: interrupted", file=sys.stderr)
        return 130
