"""pip install . installs the command line: `incentives` next to the environment's python runs, and
`incentives demo` finds the examples that the wheel carries, whatever the working directory."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import incentives

BIN = Path(sys.executable).parent / "incentives"
# The tests run against the installed package; a package imported from elsewhere (a source tree on
# PYTHONPATH) came without the command.
pytestmark = pytest.mark.skipif(
    not Path(incentives.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()),
    reason="the incentives package is not installed in this environment",
)


def run(*args, cwd, **env):
    environ = {k: v for k, v in os.environ.items() if k != "INCENTIVES_EXAMPLES"}
    environ.update(env)
    return subprocess.run([str(BIN), *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=120)


def test_the_command_is_installed():
    assert BIN.exists(), f"pip install . should have installed {BIN}"
    done = run("--version", cwd=Path.cwd())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"incentives {incentives.__version__}"


def test_demo_runs_the_bundled_examples_from_anywhere(tmp_path):
    done = run("demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    examples = Path(sys.prefix) / "share" / "incentives" / "examples"
    assert done.stdout.startswith(f"Running {examples / 'programs' / 'reseller.yaml'}")
    assert "Statement for P01" in done.stdout


def test_incentives_examples_overrides_the_bundled_ones(tmp_path):
    done = run("demo", cwd=tmp_path, INCENTIVES_EXAMPLES=str(tmp_path / "nowhere"))
    assert done.returncode == 2  # the program cannot be read
    assert str(tmp_path / "nowhere" / "programs" / "reseller.yaml") in done.stderr
