"""The ``python -m skalocc`` demo."""

import subprocess
import sys

from skalocc._demo import format_table, main


def test_main_prints_table(capsys):
    assert main(["--digit", "1", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "target digit 1" in out
    for name in ("ALOCCDetector()", "PAPER_PARAMS", "D(R(X))", "D(X)", "IsolationForest"):
        assert name in out
    assert out.count("\n| ") == 5  # header + 4 detectors


def test_format_table_rounds():
    row = ("det", {"auroc": 0.98765, "ap": 0.5, "f1": 0.25, "fit_s": 1.234})
    assert "| det | 0.988 | 0.500 | 0.250 | 1.2 |" in format_table([row])


def test_bad_option_exits_with_usage():
    done = subprocess.run(
        [sys.executable, "-m", "skalocc", "--digit", "12"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "usage" in done.stderr and "Traceback" not in done.stderr
