"""Shared test settings. The tests import the installed package (pip install .), never the source tree."""

import os

from hypothesis import HealthCheck, settings

# No deadline: the first calls into the extension, and a loaded CI machine, are slow for reasons that
# say nothing about the code. "ci" runs more examples; choose it with HYPOTHESIS_PROFILE=ci.
settings.register_profile("default", deadline=None, max_examples=200)
settings.register_profile(
    "ci", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# ---- shared data: the repository's example program and sample data, and the golden cases --------

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = ROOT / "tests" / "data" / "golden"
TABLES = ("events", "partners", "participants", "products", "plans")


def read_tables(directory):
    """The CSV files of a directory as DataFrames of str (missing files: None), keyed by table."""
    pd = pytest.importorskip("pandas")
    out = {}
    for name in TABLES:
        path = Path(directory) / f"{name}.csv"
        out[name] = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None
    return out


@pytest.fixture(scope="session")
def reseller():
    """(program, tables) of the bundled example: examples/programs/reseller.yaml over examples/data."""
    from incentives import Program

    return Program.from_yaml(EXAMPLES / "programs" / "reseller.yaml"), read_tables(EXAMPLES / "data")
