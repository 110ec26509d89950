"""The Python examples run as a user would run them (a subprocess each) and check themselves."""

import os
import subprocess
import sys

import pytest
from conftest import EXAMPLES

pytest.importorskip("pandas")


def run_example(name, *args):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "python" / name), *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_run_program_example():
    done = run_example("run_program.py")
    assert done.returncode == 0, done.stderr
    assert "volume-rebate" in done.stdout and "total" in done.stdout
    assert "Statement for P01" in done.stdout


def test_compare_variants_example(tmp_path):
    pytest.importorskip("matplotlib")
    chart = tmp_path / "difference.png"
    done = run_example("compare_variants.py", str(chart))
    assert done.returncode == 0, done.stderr
    assert chart.exists() and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "volume-rebate" in done.stdout and "the variant saves" in done.stdout
