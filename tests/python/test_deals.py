"""Deal registration from Python: the deals' story as a table and its money in the payouts and
statements; the same worked example as tests/cpp/unit-deals.cpp and docs/rules/deal_registration.md."""

import random
from decimal import Decimal

import pytest

from incentives import InputError, Program

pd = pytest.importorskip("pandas")

PROGRAM = Program.from_dict(
    {
        "program": "Deals",
        "currency": "EUR",
        "periods": {"from": "2027-01-01", "to": "2027-12-31"},
        "deal_registration": {
            "id": "dealreg",
            "window": {"days": 90},
            "extension": {"days": 30, "max": 1},
            "bonus": {"rate": "5%", "fixed": 100},
            "stages": {"registered": 50, "demo": 100, "proposal": 200},
        },
        "rules": [{"id": "rebate", "pay": {"rate": "1%"}, "per": ["partner", "quarter"]}],
    }
)
PARTNERS = [{"id": "P1", "name": "Acme"}, {"id": "P2", "name": "Beta"}]
PRODUCTS = [{"sku": "S100", "category": "servers"}]


def row(id, kind, date, partner, reference="", amount="", customer="", stage="", reason="", sku=""):
    return {"id": id, "kind": kind, "date": date, "partner": partner, "reference": reference, "amount": amount,
            "sku": sku, "quantity": "1" if sku else "", "attr.customer": customer, "attr.stage": stage, "attr.reason": reason}


EVENTS = [
    row("R1", "deal_registration", "2027-01-10", "P1", customer="ACME", amount="20000.00"),
    row("R2", "deal_registration", "2027-01-11", "P2", customer="ACME"),
    row("A1", "deal_approval", "2027-01-15", "P1", "R1"),
    row("A2", "deal_approval", "2027-01-16", "P2", "R2"),
    row("D1", "deal_stage", "2027-02-01", "P1", "R1", stage="demo"),
    row("D2", "deal_stage", "2027-02-05", "P1", "R1", stage="demo"),
    row("R3", "deal_registration", "2027-02-01", "P2", customer="BETA"),
    row("A3", "deal_approval", "2027-02-02", "P2", "R3"),
    row("P3", "deal_stage", "2027-03-01", "P2", "R3", stage="proposal"),
    row("L3", "deal_lost", "2027-03-10", "P2", "R3", reason="went with a competitor"),
    row("R4", "deal_registration", "2027-03-01", "P2", customer="GAMMA"),
    row("A4", "deal_approval", "2027-03-02", "P2", "R4"),
    row("X1", "deal_extension", "2027-04-10", "P1", "R1"),
    row("X2", "deal_extension", "2027-04-12", "P1", "R1"),
    row("S1", "sale", "2027-05-01", "P1", "R1", amount="10000.00", sku="S100"),
    row("S4", "sale", "2027-06-10", "P2", "R4", amount="1000.00", sku="S100"),
]


def run(events, **kw):
    return PROGRAM.run(pd.DataFrame(events), PARTNERS, products=PRODUCTS, **kw)


def test_the_deals_of_the_worked_example():
    deals = run(EVENTS).deals
    assert list(zip(deals["kind"], deals["registration"], deals["amount"])) == [
        ("registered", "R1", Decimal("0.00")),
        ("registered", "R2", Decimal("0.00")),
        ("approved", "R1", Decimal("0.00")),
        ("stage_reward", "R1", Decimal("50.00")),
        ("rejected", "R2", Decimal("0.00")),
        ("registered", "R3", Decimal("0.00")),
        ("stage_reward", "R1", Decimal("100.00")),
        ("approved", "R3", Decimal("0.00")),
        ("stage_reward", "R3", Decimal("50.00")),
        ("refused", "R1", Decimal("0.00")),
        ("registered", "R4", Decimal("0.00")),
        ("stage_reward", "R3", Decimal("200.00")),
        ("approved", "R4", Decimal("0.00")),
        ("stage_reward", "R4", Decimal("50.00")),
        ("lost", "R3", Decimal("0.00")),
        ("clawback", "R3", Decimal("-50.00")),
        ("clawback", "R3", Decimal("-200.00")),
        ("extended", "R1", Decimal("0.00")),
        ("refused", "R1", Decimal("0.00")),
        ("bonus", "R1", Decimal("600.00")),     # 5% of 10000 + 100
        ("expired", "R4", Decimal("0.00")),
        ("no_bonus", "R4", Decimal("0.00")),
    ]
    assert deals["until"][2] == pd.Timestamp("2027-04-15") and deals["until"][17] == pd.Timestamp("2027-05-15")
    assert pd.isna(deals["until"][0])
    assert deals["customer"][4] == "ACME" and "first approved wins" in deals["reason"][4]


def test_the_deals_money_is_in_the_payouts_and_statements():
    result = run(EVENTS)
    payouts = result.payouts
    dealreg = payouts[payouts["rule"] == "dealreg"]
    assert list(zip(dealreg["beneficiary"], dealreg["period"], dealreg["kind"], dealreg["amount"])) == [
        ("P1", "2027-Q1", "accrual", Decimal("150.00")),
        ("P1", "2027-Q2", "accrual", Decimal("600.00")),
        ("P2", "2027-Q1", "accrual", Decimal("300.00")),
        ("P2", "2027-Q1", "clawback", Decimal("-250.00")),
    ]
    # P1: Q1 150, Q2 600 + 1% of 10000; P2: Q1 300 - 250, Q2 1% of 1000.
    assert list(result.statements["amount"]) == [Decimal("150.00"), Decimal("700.00"), Decimal("50.00"), Decimal("10.00")]


def test_the_deals_do_not_depend_on_order_or_threads():
    expected = run(EVENTS)
    rng = random.Random(5)
    for _ in range(10):
        shuffled = EVENTS[:]
        rng.shuffle(shuffled)
        got = run(shuffled, threads=2)
        pd.testing.assert_frame_equal(got.deals, expected.deals)
        pd.testing.assert_frame_equal(got.payouts, expected.payouts)


def test_an_unknown_stage_names_its_row_and_field():
    bad = EVENTS + [row("x", "deal_stage", "2027-02-01", "P1", "R1", stage="dmeo")]
    with pytest.raises(InputError) as err:
        run(bad)
    assert err.value.code == "incentives.input.stage"
    assert err.value.row == len(bad) and err.value.field == "stage"
    assert 'did you mean "demo"' in str(err.value)
