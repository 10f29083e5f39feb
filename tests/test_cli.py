"""The ``skalocc`` command line: fit, score, demo, data files and errors."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

from skalocc import ALOCCDetector
from skalocc._cli import build_parser, main
from skalocc._io import DataFileError, read_data_file

TINY_OPTIONS = ["--epochs", "1", "--batch-size", "32", "--latent-dim", "2", "--random-state", "0"]


def _write_csv(path: Path, X: np.ndarray, header: bool = True) -> Path:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        if header:
            writer.writerow([f"f{i}" for i in range(X.shape[1])])
        writer.writerows(X.tolist())
    return path


def _read_scores(path_or_text) -> tuple[list[str], np.ndarray]:
    text = path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text
    rows = list(csv.reader(text.splitlines()))
    return rows[0], np.asarray(rows[1:], dtype=np.float64)


@pytest.fixture
def image_folder(tmp_path):
    """Twelve 8x8 grayscale PNGs of digit 0 (0-255)."""
    from PIL import Image

    from skalocc.datasets import load_digits_novelty

    X_train, _, _ = load_digits_novelty(0)
    folder = tmp_path / "images"
    folder.mkdir()
    for i, x in enumerate(X_train[:12]):
        pixels = (x.reshape(8, 8) * 255 / 16).astype(np.uint8)
        Image.fromarray(pixels, mode="L").save(folder / f"{i:02d}.png")
    return folder


def test_fit_and_score_csv_round_trip(tmp_path, blobs, capsys):
    inliers, outliers = blobs
    train = _write_csv(tmp_path / "train.csv", inliers)
    test = _write_csv(tmp_path / "test.csv", np.vstack([inliers[:5], outliers[:5]]))
    model = tmp_path / "model.joblib"
    argv = ["fit", str(train), "--out", str(model), "--hidden-units", "8", *TINY_OPTIONS]
    assert main([*argv, "--contamination", "0.1"]) == 0
    assert "Saved to" in capsys.readouterr().err

    detector = joblib.load(model)
    assert isinstance(detector, ALOCCDetector)
    assert detector.hidden_units == (8,) and detector.latent_dim == 2
    assert detector.contamination == 0.1 and detector.n_features_in_ == 5

    assert main(["score", str(model), str(test)]) == 0  # to stdout
    header, table = _read_scores(capsys.readouterr().out)
    assert header == ["score", "decision", "label"]
    X_test = np.vstack([inliers[:5], outliers[:5]])
    np.testing.assert_allclose(table[:, 0], detector.score_samples(X_test))
    np.testing.assert_allclose(table[:, 1], detector.decision_function(X_test))
    np.testing.assert_array_equal(table[:, 2], detector.predict(X_test))

    out = tmp_path / "scores.csv"
    assert main(["score", str(model), str(test), "--out", str(out)]) == 0
    assert "Scored 10 samples" in capsys.readouterr().err
    assert _read_scores(out)[1].shape == (10, 3)

    three_columns = _write_csv(tmp_path / "three.csv", inliers[:, :3])
    assert main(["score", str(model), str(three_columns)]) == 1
    err = capsys.readouterr().err
    assert "X has 3 features, but ALOCCDetector is expecting 5" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_new_format_by_default_with_pvalues_and_explanations(tmp_path, blobs, capsys, monkeypatch):
    import skalocc

    inliers, outliers = blobs
    train = _write_csv(tmp_path / "train.csv", inliers)
    X_test = np.vstack([inliers[:5], outliers[:5]])
    test = _write_csv(tmp_path / "test.csv", X_test)
    monkeypatch.chdir(tmp_path)
    argv = ["fit", str(train), "--hidden-units", "8", "--calibration-fraction", "0.25"]
    assert main([*argv, *TINY_OPTIONS]) == 0
    assert "Saved to model.skalocc" in capsys.readouterr().err
    detector = skalocc.load(tmp_path / "model.skalocc")  # no pickle involved
    assert len(detector.calibration_scores_) == 50

    assert main(["score", "model.skalocc", str(test)]) == 0
    header, table = _read_scores(capsys.readouterr().out)
    assert header == ["score", "decision", "label", "pvalue"]
    np.testing.assert_array_equal(table[:, 0], detector.score_samples(X_test))
    np.testing.assert_array_equal(table[:, 3], detector.pvalues(X_test))

    assert main(["explain", "model.skalocc", str(test), "--out", "why.csv"]) == 0
    assert "Explained 10 samples" in capsys.readouterr().err
    header, table = _read_scores(tmp_path / "why.csv")
    assert header == [f"x{j}" for j in range(5)]
    np.testing.assert_array_equal(table, detector.explain(X_test))

    broken = tmp_path / "broken.skalocc"
    broken.write_bytes((tmp_path / "model.skalocc").read_bytes()[:300])
    assert main(["score", str(broken), str(test)]) == 1
    err = capsys.readouterr().err
    assert "not a skalocc model file" in err and err.count("\n") == 1


def test_fit_and_score_image_folder(tmp_path, image_folder, capsys):
    model = tmp_path / "model.joblib"
    argv = ["fit", str(image_folder), "--out", str(model), "--filters", "4", *TINY_OPTIONS]
    assert main(argv) == 0
    detector = joblib.load(model)
    assert detector.image_shape_ == (8, 8, 1) and detector.filters == (4,)
    capsys.readouterr()
    assert main(["score", str(model), str(image_folder)]) == 0
    _, table = _read_scores(capsys.readouterr().out)
    assert table.shape == (12, 3)
    np.testing.assert_allclose(table[:, 0], detector.score_samples(read_data_file(image_folder)))


def test_fit_options_reach_the_estimator():
    from skalocc._cli import _estimator_params

    parser = build_parser()
    args = parser.parse_args(
        [
            "fit",
            "x.csv",
            "--out",
            "m",
            "--paper",
            "--image-shape",
            "8",
            "-1",
            "--filters",
            "4",
            "8",
            "--epochs",
            "auto",
            "--novelty-score",
            "D(X)",
            "--no-pseudo-anomalies",
            "--learning-rate",
            "0.001",
            "--kernel-size",
            "3",
        ]
    )
    params = _estimator_params(args)
    assert params["image_shape"] == (8, -1) and params["filters"] == (4, 8)
    assert params["latent_dim"] is None  # from PAPER_PARAMS
    assert params["novelty_score"] == "D(X)"  # the option overrides the preset
    assert params["pseudo_anomalies"] is False and params["epochs"] == "auto"
    assert params["learning_rate"] == 0.001 and params["kernel_size"] == 3
    ALOCCDetector(**params)  # every key is a parameter
    args = parser.parse_args(["fit", "x.csv", "--out", "m", "--latent-dim", "none"])
    assert _estimator_params(args)["latent_dim"] is None
    assert "latent_dim" not in _estimator_params(parser.parse_args(["fit", "x", "--out", "m"]))


def test_data_loaders(tmp_path):
    X = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(read_data_file(_write_csv(tmp_path / "h.csv", X)), X)
    np.testing.assert_array_equal(read_data_file(_write_csv(tmp_path / "n.csv", X, False)), X)
    np.save(tmp_path / "a.npy", X)
    np.testing.assert_array_equal(read_data_file(tmp_path / "a.npy"), X)
    np.savez(tmp_path / "one.npz", X)
    np.testing.assert_array_equal(read_data_file(tmp_path / "one.npz"), X)
    np.savez(tmp_path / "two.npz", train=X, test=X[:2])
    np.testing.assert_array_equal(read_data_file(tmp_path / "two.npz", key="test"), X[:2])
    with pytest.raises(DataFileError, match="choose one with --key"):
        read_data_file(tmp_path / "two.npz")
    with pytest.raises(DataFileError, match="no array 'nope'"):
        read_data_file(tmp_path / "two.npz", key="nope")


def test_colour_images_are_read_as_rgb(tmp_path, image_folder):
    from PIL import Image

    shutil.copytree(image_folder, tmp_path / "mixed")
    Image.new("RGB", (8, 8), (255, 0, 0)).save(tmp_path / "mixed" / "zz.png")
    X = read_data_file(tmp_path / "mixed")
    assert X.shape == (13, 8, 8, 3)
    np.testing.assert_array_equal(X[-1, 0, 0], [255, 0, 0])
    Image.new("L", (9, 8)).save(tmp_path / "mixed" / "zzz.png")
    with pytest.raises(DataFileError, match=r"differ in size.*zzz\.png is 9x8"):
        read_data_file(tmp_path / "mixed")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.csv", "no such file or folder"),
        ("a,b\n1,2\n3\n", "ragged.csv", "data row 2 has 1 values, the first one has 2"),
        ("a,b\n1,x\n", "text.csv", "non-numeric value 'x'"),
        ("a,b\n", "empty.csv", "no data rows"),
        ("not numpy", "bad.npy", "not a readable NumPy file"),
        ("1,2", "data.txt", "unknown data format '.txt'"),
        (b"\xff\xfe\x00", "binary.csv", "not a readable CSV file"),
    ],
)
def test_bad_data_gives_one_line_and_status_1(tmp_path, capsys, content, name, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    assert main(["fit", str(path), "--out", str(tmp_path / "m.joblib")]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_model_and_mismatched_data(tmp_path, blobs, capsys):
    inliers, _ = blobs
    data = _write_csv(tmp_path / "d.csv", inliers)
    not_a_model = tmp_path / "d.joblib"
    not_a_model.write_text("hello")
    joblib.dump({"a": 1}, tmp_path / "dict.joblib")
    cases = [
        (["score", str(tmp_path / "none.joblib"), str(data)], "no such model file"),
        (["score", str(not_a_model), str(data)], "not a model saved by 'skalocc fit'"),
        (["score", str(tmp_path / "dict.joblib"), str(data)], "holds a dict"),
        (["fit", str(data), "--out", str(tmp_path / "no" / "m.joblib")], "does not exist"),
        (
            ["fit", str(data), "--out", str(tmp_path / "m"), "--contamination", "0.9"],
            "'contamination' parameter",
        ),
        (
            ["fit", str(data), "--out", str(tmp_path / "m"), "--image-shape", "3", "3"],
            "does not fit X's 5 features",
        ),
    ]
    for argv, message in cases:
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (argv, err)
    assert not (tmp_path / "m").exists()


def test_bad_options_exit_2_with_usage(capsys):
    for argv in (
        [],
        ["fit", "x.csv", "--out", "m", "--epochs", "0"],
        ["score", "m"],
        ["frobnicate"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert "usage: skalocc" in capsys.readouterr().err


def test_help_documents_every_command(capsys):
    for argv, words in [
        ([], ["fit", "score", "explain", "demo"]),
        (
            ["fit"],
            [
                "DATA",
                "--out",
                "--image-shape",
                "--epochs",
                "--contamination",
                "--random-state",
                "--novelty-score",
                "--paper",
                ".npz",
                "Pillow",
            ],
        ),
        (["score"], ["MODEL", "--out", "decision", "label", "pvalue", "trust"]),
        (["explain"], ["MODEL", "DATA", "--out", "contribution"]),
        (["demo"], ["--digit", "--epochs"]),
    ]:
        with pytest.raises(SystemExit) as exc:
            main([*argv, "--help"])
        assert exc.value.code == 0
        out = " ".join(capsys.readouterr().out.split())
        for word in words:
            assert word in out, (argv, word)


def test_console_script_and_module_entry_points(tmp_path):
    """One subprocess run: the installed ``skalocc`` script (or ``-m skalocc``)."""
    script = shutil.which("skalocc")
    if script is None or Path(script).parent != Path(sys.executable).parent:
        command = [sys.executable, "-m", "skalocc"]  # not installed as a script here
    else:
        command = [script]
    done = subprocess.run(
        [*command, "score", str(tmp_path / "m.joblib"), str(tmp_path / "d.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip() == f"skalocc score: error: {tmp_path / 'm.joblib'}: no such model file."
    )
