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


# An example whose optional extra is missing says which to install on its first line, and exits with 2.
# The module is hidden by a finder placed first on sys.meta_path, then the example runs as __main__.
HIDE_AND_RUN = """
import importlib.abc, runpy, sys
hidden, script = sys.argv[1], sys.argv[2]
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Hide())
sys.argv = [script]
runpy.run_path(script, run_name="__main__")
"""


@pytest.mark.parametrize(
    "example, hidden, extra",
    [
        ("run_program.py", "pandas", ".[pandas]"),
        ("compare_variants.py", "matplotlib", ".[plots]"),
        ("compare_variants.py", "pandas", ".[plots]"),
    ],
)
def test_example_names_its_missing_extra(example, hidden, extra):
    done = subprocess.run(
        [sys.executable, "-c", HIDE_AND_RUN, hidden, str(EXAMPLES / "python" / example)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    first = (done.stdout + done.stderr).splitlines()[0]
    assert f"pip install '{extra}'" in first and "Traceback" not in done.stderr
