"""Differential tests: generated programs and data through the engine and through the reference model
(model.py, written from docs/rules/), every payout line and every statement equal to the minor unit.

INCENTIVES_DIFF_EXAMPLES sets the number of generated cases (default 500; scripts/differential.sh N).
A tenth of that many (at least 10) also go through the command line given by INCENTIVES_CLI, with the
events shuffled and two threads. INCENTIVES_DIFF_SUMMARY names a file that receives the counts.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import harness
import model
import strategies

incentives = pytest.importorskip("incentives")

EXAMPLES = int(os.environ.get("INCENTIVES_DIFF_EXAMPLES", "500"))
CLI_EXAMPLES = max(10, EXAMPLES // 10)
CLI = os.environ.get("INCENTIVES_CLI")
COUNTS = {"cases": 0, "agreed": 0, "cli_cases": 0, "cli_agreed": 0, "invalid": 0, "refused": 0, "started": time.monotonic()}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], database=None)


def _report(case, problems):
    return ("the engine and the model differ:\n  " + "\n  ".join(problems[:20]) + "\nprogram: " + json.dumps(case.program)
            + f"\nevents: {case.events}\nplans: {case.plans}\npartners: {case.partners}\nparticipants: {case.participants}")


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(strategies.cases())
def test_engine_agrees_with_the_model(case):
    COUNTS["cases"] += 1
    problems, result = harness.compare_python(case, incentives)
    assert len(result) == len(harness.model_result(case)[0])
    assert not problems, _report(case, problems)
    COUNTS["agreed"] += 1


@pytest.mark.skipif(not CLI, reason="INCENTIVES_CLI is not set: the path of the incentives command line to compare with")
@settings(max_examples=CLI_EXAMPLES, **SETTINGS)
@given(strategies.cases(), strategies.st.integers(0, 2**32 - 1))
def test_cli_shuffled_on_two_threads_agrees(case, seed):
    COUNTS["cli_cases"] += 1
    problems, result = harness.compare_python(case, incentives)
    assert not problems, _report(case, problems)
    with tempfile.TemporaryDirectory() as tmp:
        lines, statements = harness.run_cli(CLI, case, result.program.to_yaml(), Path(tmp), seed)
    problems = harness.diff(harness.engine_lines(result.payouts), lines, "CLI line")
    problems += harness.diff(harness.engine_statements(result.statements), statements, "CLI statement")
    assert not problems, _report(case, problems)
    COUNTS["cli_agreed"] += 1


@settings(max_examples=max(20, EXAMPLES // 5), **SETTINGS)
@given(strategies.invalid_programs())
def test_invalid_programs_are_refused_with_the_documented_code(drawn):
    program, code = drawn
    COUNTS["invalid"] += 1
    with pytest.raises(incentives.Error) as caught:
        # some checks are made when the engine is built (docs/rules say which): run over no events
        incentives.Program.from_dict(program).run([{"id": "s", "kind": "sale", "date": "2027-01-05", "partner": "P1", "amount": "1"}],
                                                  partners=[{"id": "P1"}])
    assert caught.value.code == code, f"{program}: expected {code}, got {caught.value}"
    COUNTS["refused"] += 1


# ---- the model against the docs' own worked examples (so that a wrong model fails here first) -----


def test_model_rounding_modes_follow_money_md():
    cases = {"half_even": ("2", "-2", "2"), "half_up": ("3", "-3", "2"), "half_down": ("2", "-2", "2"),
             "up": ("3", "-3", "3"), "down": ("2", "-2", "2"), "ceiling": ("3", "-2", "3"), "floor": ("2", "-3", "2")}
    for mode, want in cases.items():
        got = tuple(model.round_to(Fraction(x), 0, mode) for x in (Fraction(5, 2), Fraction(-5, 2), Fraction(21, 10)))
        assert got == tuple(Fraction(w) for w in want), mode
    assert model.round_to(Fraction("-3.3333"), 2, "floor") == Fraction("-3.34")  # issue 17's clawback under floor


def test_model_pays_the_budgets_md_example():
    events = [{"id": i, "kind": "sale", "date": d, "partner": p, "amount": a, "quantity": "1"}
              for i, d, p, a in [("a", "2027-01-02", "P1", "100.00"), ("b", "2027-01-05", "P1", "200.00"),
                                 ("c", "2027-01-06", "P2", "300.00"), ("d", "2027-01-07", "P3", "200.00"),
                                 ("e", "2027-01-04", "P4", "400.00")]]
    partners = [{"id": f"P{i}"} for i in range(1, 5)]
    want = {"pro_rata": ["23.75", "23.75", "15.83", "31.67"], "event_date": ["30.00", "25.00", "0.00", "40.00"],
            "reject": ["30.00", "0.00", "20.00", "40.00"]}
    for policy, amounts in want.items():
        program = {"program": "b", "currency": "EUR", "periods": {"from": "2027-01-01", "to": "2027-12-31"},
                   "rules": [{"id": "launch-fund", "pay": {"rate": "10%"}, "budget": {"amount": "95", "policy": policy}}]}
        lines, _ = model.run(program, events, partners)
        assert [ln.amount for ln in sorted(lines, key=lambda ln: ln.beneficiary)] == [Fraction(a) for a in amounts], policy


def test_model_pays_the_tiers_md_example():
    table = [{"from": "0", "rate": "1%"}, {"from": "50000", "rate": "2%"}, {"from": "150000", "rate": "3.5%"}]
    events = [{"id": f"s{i}", "kind": "sale", "date": "2027-02-01", "partner": p, "amount": a, "quantity": "1"}
              for i, (p, a) in enumerate([("P1", "30000.00"), ("P1", "40000.00"), ("P2", "50000.00"), ("P3", "200000.00"), ("P4", "49999.99")])]
    partners = [{"id": f"P{i}"} for i in range(1, 5)]
    for basis, want in {"retroactive": ["1400", "1000", "7000", "500"], "marginal": ["900", "500", "4250", "500"]}.items():
        program = {"program": "t", "currency": "EUR", "periods": {"from": "2027-01-01", "to": "2027-12-31"},
                   "rules": [{"id": "v", "tiers": {"basis": basis, "table": table}}]}
        lines, _ = model.run(program, events, partners)
        assert [ln.amount for ln in sorted(lines, key=lambda ln: ln.beneficiary)] == [Fraction(w) for w in want], basis


def teardown_module(module):
    path = os.environ.get("INCENTIVES_DIFF_SUMMARY")
    if path:
        counts = dict(COUNTS, seconds=round(time.monotonic() - COUNTS.pop("started"), 1))
        Path(path).write_text(json.dumps(counts))
