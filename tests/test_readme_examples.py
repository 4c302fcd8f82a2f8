"""The README's Python blocks run as written: a reader who pastes one gets what it promises.

Each ```python block of README.md runs in a fresh interpreter from the repository
root; it must finish without an error, and its own printed claims are checked
where the README states them (the ten-line example prints (loss, accuracy); the
explain example prints two (8, 8) heatmap shapes).
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_readme_has_its_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.splitlines()[-1][:40])
def test_a_readme_block_runs_as_written(block):
    result = subprocess.run([sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    if "tg.evaluate" in block:
        loss, accuracy = map(float, re.findall(r"[-\d.e]+", result.stdout.strip().splitlines()[-1]))
        assert loss > 0 and 0.8 < accuracy <= 1.0, result.stdout
    if "heatmap" in block:
        assert result.stdout.strip().splitlines()[-1] == "(8, 8) (8, 8)", result.stdout
