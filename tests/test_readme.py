"""The README's usage example runs as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_usage_example_runs(capsys):
    if not README.exists():
        pytest.skip("README.md is not next to the tests (installed test run)")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    exec(compile(blocks[0], str(README), "exec"), {})
    out = capsys.readouterr().out
    auroc = float(re.search(r"ALOCC AUROC: ([0-9.]+)", out).group(1))
    assert auroc > 0.9
    assert "IsolationForest AUROC" in out
