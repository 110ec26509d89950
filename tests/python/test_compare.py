"""compare(): variants of a program over the same data — cost by rule and segment, by beneficiary with
the difference, and the movers."""

import decimal

import pytest

import incentives
from incentives import Comparison, compare

pd = pytest.importorskip("pandas")
ZERO = decimal.Decimal(0)


@pytest.fixture(scope="module")
def comparison(reseller):
    program, tables = reseller
    variant = program.with_changes({"rules.volume-rebate.tiers.table[2].from": "200000"})
    return compare({"current": program, "gold 200k": variant}, **tables)


def test_each_variant_runs_as_it_would_alone(reseller, comparison):
    program, tables = reseller
    assert isinstance(comparison, Comparison)
    assert comparison.labels == ["current", "gold 200k"]
    alone = program.run(**tables)
    pd.testing.assert_frame_equal(comparison.results["current"].payouts, alone.payouts)
    assert comparison.results["gold 200k"].total < alone.total


def test_cost_by_rule_and_segment(comparison):
    cost = comparison.cost
    assert list(cost.columns) == ["program", "rule", "segment", "amount"]
    for label in comparison.labels:
        mine = cost[cost["program"] == label]
        assert sum(mine["amount"], ZERO) == comparison.results[label].total
    assert set(cost["segment"]) == {"enterprise", "smb", "public"}


def test_cost_by_puts_variants_side_by_side(comparison):
    by_rule = comparison.cost_by("rule")
    assert list(by_rule.columns) == ["rule", "current", "gold 200k", "difference"]
    diff = dict(zip(by_rule["rule"], by_rule["difference"]))
    assert diff["volume-rebate"] < 0
    assert all(diff[r] == 0 for r in diff if r != "volume-rebate")
    assert sum(by_rule["difference"], ZERO) == comparison.results["gold 200k"].total - comparison.results["current"].total


def test_by_beneficiary_and_movers(comparison):
    table = comparison.by_beneficiary
    assert list(table.columns) == ["beneficiary_type", "beneficiary", "partner", "current", "gold 200k", "difference"]
    for _, row in table.iterrows():
        assert row["difference"] == row["gold 200k"] - row["current"]
    losers = table[table["difference"] < 0].sort_values("difference")
    movers = comparison.movers(2)
    assert list(movers["move"]) == ["loss"] * min(2, len(losers))  # nobody gains from a higher threshold
    assert list(movers["beneficiary"]) == list(losers["beneficiary"][:2])
    assert comparison.movers(0).empty


def test_gains_and_losses_both_show():
    program = incentives.Program.from_dict(
        {
            "program": "P",
            "currency": "EUR",
            "periods": {"from": "2027-01-01", "to": "2027-12-31"},
            "rules": [{"id": "r", "per": "year", "tiers": {"table": [{"from": 0, "rate": "1%"}, {"from": 1000, "rate": "2%"}]}}],
        }
    )
    variant = program.with_changes({"rules.r.tiers.table": [{"from": 0, "rate": "1.5%"}, {"from": 2000, "rate": "2%"}]})
    events = [
        {"id": "a", "kind": "sale", "date": "2027-03-01", "partner": "A", "amount": "500"},
        {"id": "b", "kind": "sale", "date": "2027-03-01", "partner": "B", "amount": "1500"},
    ]
    c = compare([program, variant], events, partners=[{"id": "A"}, {"id": "B"}])
    assert c.labels == ["P", "P (2)"]
    movers = c.movers(5)
    assert list(zip(movers["move"], movers["beneficiary"], movers["difference"])) == [
        ("gain", "A", decimal.Decimal("2.50")),
        ("loss", "B", decimal.Decimal("-7.50")),
    ]


def test_compare_needs_two_programs(reseller):
    program, tables = reseller
    with pytest.raises(ValueError, match="at least two"):
        compare([program], **tables)
    with pytest.raises(TypeError, match="Programs"):
        compare([program, "other.yaml"], **tables)


# -- the pay step: variants settled on the first run's measures ------------------------------------


def test_rerun_equals_a_fresh_run_of_the_variant(reseller):
    program, tables = reseller
    variant = program.with_changes(
        {"rules.volume-rebate.tiers.table[2].from": "200000", "rounding.mode": "floor", "rules.volume-rebate.cap": "1000"}
    )
    first = program.run(**tables)
    again = first.rerun(variant)
    fresh = variant.run(**tables)
    pd.testing.assert_frame_equal(again.payouts, fresh.payouts)
    pd.testing.assert_frame_equal(again.traces, fresh.traces)
    pd.testing.assert_frame_equal(again.statements, fresh.statements)
    assert again.program.to_dict() == variant.to_dict()
    assert again.total != first.total


def test_rerun_refuses_a_program_that_needs_the_events_again(reseller):
    program, tables = reseller
    other = program.with_changes({"rules.volume-rebate.per": "month"})
    first = program.run(**tables)
    with pytest.raises(incentives.ValidationError) as info:
        first.rerun(other)
    assert info.value.code == "incentives.validation.variant"
    assert "volume-rebate" in str(info.value) or "rules[" in str(info.value)


def test_compare_runs_a_non_variant_over_the_events(reseller):
    # Another period unit is not a variant: compare runs it over the events instead of refusing.
    program, tables = reseller
    monthly = program.with_changes({"rules.volume-rebate.per": "month"})
    c = compare({"quarterly": program, "monthly": monthly}, **tables)
    pd.testing.assert_frame_equal(c.results["monthly"].payouts, monthly.run(**tables).payouts)
