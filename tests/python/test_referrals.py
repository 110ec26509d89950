"""Referral and affiliate programs from Python: conversions without a partner from pandas and from
rows, the referrals' story as a table, its money in the payouts and statements, and the errors a
typo gets. Semantics: docs/rules/referrals.md; the C++ golden cases are tests/cpp/unit-referrals.cpp."""

import random
from decimal import Decimal

import pytest

from incentives import InputError, Program, ValidationError

pd = pytest.importorskip("pandas")

PARTNERS = [{"id": "P1", "name": "Acme"}, {"id": "P2", "name": "Beta", "active_until": "2027-06-30"}]


def program(**referral):
    spec = {"id": "affiliate", "window": {"days": 30}, "bounty": {"per_customer": 36, "min_spend": 10}}
    spec.update(referral)
    return Program.from_dict({
        "program": "Referrals",
        "currency": "USD",
        "periods": {"from": "2027-01-01", "to": "2027-12-31"},
        "referrals": [spec],
        "rules": [{"id": "rebate", "pay": {"rate": "1%"}}],
    })


def row(id, kind, date, customer="", partner="", amount="", reference=""):
    return {"id": id, "kind": kind, "date": date, "partner": partner, "amount": amount, "reference": reference,
            "attr.customer": customer}


EVENTS = [
    row("t1", "touch", "2027-02-01", "ANNA", partner="P1"),
    row("t2", "touch", "2027-02-20", "ANNA", partner="P2"),
    row("p1", "payment", "2027-03-01", "ANNA", amount="119.99"),
    row("t3", "touch", "2027-03-10", "BEN", partner="P1"),
    row("p2", "payment", "2027-03-15", "BEN", amount="119.99"),
    row("r2", "refund", "2027-04-02", amount="119.99", reference="p2"),
    row("p3", "payment", "2027-07-15", "CARL", amount="50.00", partner="P2"),  # P2's code, but P2 is inactive after 06-30
]


def test_last_touch_wins_and_a_refund_while_held_cancels():
    result = program(wins="last", hold={"days": 30}).run(EVENTS, PARTNERS)
    refs = result.referrals
    steps = list(zip(refs["customer"], refs["partner"], refs["kind"], refs["amount"]))
    assert steps == [
        ("ANNA", "P2", "attributed", Decimal("0.00")),   # last touch of 02-20; P1's of 02-01 is open too (to 03-03)
        ("ANNA", "P2", "earned", Decimal("36.00")),      # held through 03-30
        ("BEN", "P1", "attributed", Decimal("0.00")),
        ("BEN", "P1", "earned", Decimal("36.00")),
        ("ANNA", "P2", "released", Decimal("36.00")),    # 03-01 + 30 days
        ("BEN", "P1", "cancelled", Decimal("-36.00")),   # refunded on 04-02, before 04-14
        ("CARL", "", "unattributed", Decimal("0.00")),   # the code's partner is not active on 07-15
    ]
    assert str(refs["until"][1].date()) == "2027-03-30"
    assert "not active" in refs["reason"][6] and "until 2027-06-30" in refs["reason"][6]
    lines = result.payouts[result.payouts["rule"] == "affiliate"]
    assert list(zip(lines["beneficiary"], lines["period"], lines["amount"])) == [("P2", "2027-Q1", Decimal("36.00"))]
    assert list(result.statements["amount"]) == [Decimal("36.00")]


def test_first_touch_gives_the_customer_to_the_first_partner():
    refs = program(wins="first").run(EVENTS, PARTNERS).referrals
    assert refs["partner"][0] == "P1" and refs["touch"][0] == "t1"


def test_a_rate_over_months_with_a_minimum_spend_is_earned_when_reached():
    # AWS-style: 15% of the first 12 months' payments, only once they total at least 36000.
    prog = program(id="migration", window={"days": 365}, lock=True,
                   bounty={"rate": "15%", "months": 12, "min_spend": 36000, "min_spend_over": "months"})
    events = [row("n1", "touch", "2027-01-15", "GLOBEX", partner="P1")] + [
        row(f"g{m}", "payment", f"2027-{m:02d}-01", "GLOBEX", amount="12000.00") for m in (3, 4, 5)]
    refs = prog.run(events, PARTNERS).referrals
    assert list(refs["kind"]) == ["attributed", "not_qualified", "not_qualified"] + ["earned", "released"] * 3
    # 15% x 12000.00 = 1800.00 for each of the three payments, all earned on 05-01.
    assert sum(refs[refs["kind"] == "released"]["amount"]) == Decimal("5400.00")
    assert set(refs[refs["kind"] == "earned"]["date"].dt.strftime("%Y-%m-%d")) == {"2027-05-01"}


def test_the_story_does_not_depend_on_the_order_of_the_rows():
    prog = program(wins="last", hold={"days": 30})
    reference = prog.run(EVENTS, PARTNERS).referrals
    shuffled = EVENTS[:]
    random.Random(7).shuffle(shuffled)
    pd.testing.assert_frame_equal(prog.run(shuffled, PARTNERS).referrals, reference)
    frame = pd.DataFrame(shuffled)
    pd.testing.assert_frame_equal(prog.run(frame, pd.DataFrame(PARTNERS).fillna("")).referrals, reference)


def test_errors_say_where_and_what():
    prog = program()
    with pytest.raises(InputError) as err:
        prog.run([row("p", "payment", "2027-03-01", "ANNA")], PARTNERS)
    assert "needs an amount" in str(err.value)
    with pytest.raises(InputError) as err:
        prog.run([row("r", "refund", "2027-03-01", amount="1.00")], PARTNERS)
    assert "names the payment it refunds" in str(err.value)
    with pytest.raises(InputError) as err:
        prog.run([{**row("p", "payment", "2027-03-01", "ANNA", amount="1.00"), "attr.referral": "afiliate"}], PARTNERS)
    assert 'did you mean "affiliate"' in str(err.value)
    with pytest.raises(ValidationError) as err:
        program(window={"days": 366})
    assert "1..365" in str(err.value)
