"""Golden cases through Python: for every directory of tests/data/golden, program.yaml run over the CSV
files loaded with pandas (every column as str) pays exactly the lines of expected.csv, compared as the
C++ test does (tests/cpp/unit-golden.cpp): '#' lines skipped, a multiset of (rule, beneficiary,
period, kind, amount) with amounts compared as decimals (1400 == 1400.00)."""

import decimal
from collections import Counter

import pytest
from conftest import EXAMPLES, GOLDEN, read_tables

from incentives import Program

CASES = sorted(p for p in GOLDEN.iterdir() if (p / "program.yaml").exists())


def expected_lines(path):
    lines = Counter()
    header = True
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if header:
            assert line == "rule,beneficiary,period,kind,amount", f"{path}:{number}: unexpected header"
            header = False
            continue
        fields = [f.strip() for f in line.split(",")]
        assert len(fields) == 5, f"{path}:{number}: expected 5 fields in {line!r}"
        assert fields[3] in ("accrual", "clawback"), f"{path}:{number}: bad kind {fields[3]!r}"
        rule, who, period, kind, amount = fields
        lines[(rule, who, period, kind, decimal.Decimal(amount).normalize())] += 1
    return lines


def paid_lines(result):
    p = result.payouts
    return Counter(
        (r, b, per, k, a.normalize())
        for r, b, per, k, a in zip(p["rule"], p["beneficiary"], p["period"], p["kind"], p["amount"])
    )


def test_there_are_golden_cases():
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case_pays_exactly_the_expected_lines(case):
    tables = read_tables(case)
    result = Program.from_yaml(case / "program.yaml").run(**tables)
    expected, actual = expected_lines(case / "expected.csv"), paid_lines(result)
    assert expected, f"{case.name}: expected.csv has no lines"
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, (
        f"{case.name}: expected, not paid: {sorted(missing.elements())}; paid, not expected: {sorted(unexpected.elements())}"
    )
    # The rows in another order pay the same lines.
    shuffled = dict(tables, events=tables["events"].sample(frac=1, random_state=11).reset_index(drop=True))
    assert paid_lines(Program.from_yaml(case / "program.yaml").run(**shuffled)) == actual
    # The exact total is the sum of the lines, and of the minor units where the lines have them.
    total = sum(result.payouts["amount"], decimal.Decimal(0))
    assert result.total == total
    if "amount_minor" in result.payouts:
        assert int(result.payouts["amount_minor"].sum()) == int(total.scaleb(2))


def test_the_bundled_example_pays_every_rule(reseller):
    program, tables = reseller
    result = program.run(**tables)
    paying = set(result.payouts.loc[result.payouts["amount"] > 0, "rule"])
    assert paying == set(program.rules)
    assert "clawback" in set(result.payouts["kind"])
    assert result.events_outside_program > 0  # the 2026 baseline
    assert result.total > 0
    assert (EXAMPLES / "programs" / "reseller.yaml").exists()
