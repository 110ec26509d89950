"""Funds (MDF and co-op) from Python: the ledger and the balances as tables, with exact amounts; the
same worked example as tests/cpp/unit-ledger.cpp and docs/rules/funds.md, and the ledger's order
independence over random event orders."""

import datetime
import random
from decimal import Decimal

import pytest

from incentives import InputError, Program

pd = pytest.importorskip("pandas")

PROGRAM = Program.from_dict(
    {
        "program": "Funds",
        "currency": "EUR",
        "periods": {"from": "2027-01-01", "to": "2027-12-31"},
        "funds": [
            {"id": "coop", "kind": "coop", "reimbursement": "50%",
             "expires": {"after": 1, "unit": "quarter", "round_to": "quarter"}},
            {"id": "mdf", "kind": "mdf", "requires_approval": True, "claim_days": 30,
             "budget": {"amount": 10000, "per": "quarter"}, "expires": {"after": 0, "unit": "day", "round_to": "quarter"}},
        ],
        "rules": [
            {"id": "coop_accrual", "pay": {"rate": "2%"}, "per": ["partner", "quarter"], "fund": "coop"},
            {"id": "rebate", "pay": {"rate": "1%"}, "per": ["partner", "quarter"]},
        ],
    }
)
PARTNERS = [{"id": "P1", "name": "Acme"}, {"id": "P2", "name": "Beta"}]
PRODUCTS = [{"sku": "S100", "category": "servers"}]


def row(id, kind, date, partner, amount, fund="", reference="", **more):
    r = {"id": id, "kind": kind, "date": date, "partner": partner, "sku": "", "quantity": "", "amount": amount,
         "reference": reference, "attr.fund": fund, "attr.proof": "", "attr.reason": "", "attr.activity_end": ""}
    r.update({(k if k in ("sku", "quantity") else "attr." + k): v for k, v in more.items()})
    return r


EVENTS = [
    row("s1", "sale", "2027-02-10", "P1", "100000.00", sku="S100", quantity="1"),
    row("s2", "sale", "2027-05-05", "P1", "50000.00", sku="S100", quantity="1"),
    row("a1", "fund_allocation", "2027-01-05", "P1", "6000.00", "mdf"),
    row("a2", "fund_allocation", "2027-01-06", "P2", "5000.00", "mdf"),
    row("a3", "fund_allocation", "2027-01-07", "P2", "4000.00", "mdf"),
    row("r1", "fund_request", "2027-01-10", "P1", "3000.00", "mdf", activity_end="2027-02-28"),
    row("ap1", "fund_approval", "2027-01-12", "P1", "2500.00", reference="r1", reason="trade show"),
    row("k3", "claim", "2027-02-01", "P2", "100.00", "mdf"),
    row("k1", "claim", "2027-03-01", "P1", "2000.00", reference="r1", proof="INV-7"),
    row("ka1", "claim_approval", "2027-03-05", "P1", "2000.00", reference="k1"),
    row("k2", "claim", "2027-04-02", "P1", "100.00", reference="r1"),
    row("c1", "claim", "2027-04-15", "P1", "1000.00", "coop", proof="INV-1"),
    row("ca1", "claim_approval", "2027-04-20", "P1", "800.00", reference="c1"),
    row("c2", "claim", "2027-07-10", "P1", "5000.00", "coop"),
    row("ca2", "claim_approval", "2027-07-15", "P1", "5000.00", reference="c2"),
    row("c3", "claim", "2027-07-20", "P1", "1500.00", "coop"),
    row("ca3", "claim_approval", "2027-07-25", "P1", "1500.00", reference="c3"),
]


def run(events, **kw):
    return PROGRAM.run(pd.DataFrame(events), PARTNERS, products=PRODUCTS, **kw)


def test_the_ledger_of_the_worked_example():
    ledger = run(EVENTS).ledger
    # The kinds and amounts in replay order, computed by hand in docs/rules/funds.md.
    assert list(zip(ledger["kind"], ledger["account"], ledger["amount"])) == [
        ("allocation", "mdf/P1", Decimal("6000.00")),
        ("rejection", "mdf/P2", Decimal("0.00")),
        ("allocation", "mdf/P2", Decimal("4000.00")),
        ("request", "mdf/P1", Decimal("0.00")),
        ("reservation", "mdf/P1", Decimal("2500.00")),
        ("rejection", "mdf/P2", Decimal("0.00")),
        ("claim", "mdf/P1", Decimal("0.00")),
        ("payment", "mdf/P1", Decimal("-2000.00")),
        ("release", "mdf/P1", Decimal("-500.00")),
        ("accrual", "coop/P1", Decimal("2000.00")),
        ("forfeiture", "mdf/P1", Decimal("-4000.00")),
        ("forfeiture", "mdf/P2", Decimal("-4000.00")),
        ("rejection", "mdf/P1", Decimal("0.00")),
        ("claim", "coop/P1", Decimal("0.00")),
        ("payment", "coop/P1", Decimal("-400.00")),
        ("accrual", "coop/P1", Decimal("1000.00")),
        ("forfeiture", "coop/P1", Decimal("-1600.00")),
        ("claim", "coop/P1", Decimal("0.00")),
        ("rejection", "coop/P1", Decimal("0.00")),
        ("claim", "coop/P1", Decimal("0.00")),
        ("payment", "coop/P1", Decimal("-750.00")),
        ("forfeiture", "coop/P1", Decimal("-250.00")),
    ]
    assert list(ledger["entry"]) == list(range(1, 23))
    # Balances: credits 6000 + 4000 + 2000 + 1000, debits 2000 + 4000 + 4000 + 400 + 1600 + 750 + 250: 0.
    # Reserved: 2500 reserved, 2000 paid against it, 500 released: 0.
    balance_moves = ledger[~ledger["kind"].isin(["reservation", "release"])]["amount_minor"]
    assert balance_moves.sum() == 6000_00 + 4000_00 + 2000_00 + 1000_00 - 2000_00 - 4000_00 - 4000_00 - 400_00 - 1600_00 - 750_00 - 250_00 == 0
    assert ledger["reserved_after"].iloc[-1] == Decimal("0.00")
    assert ledger["reason"][18] == "pays 2500.00 (50% of 5000.00), over the available 1000.00"
    assert ledger["consumes"][14] == 10 and ledger["reservation"][7] == 5
    assert ledger["expires"][9] == pd.Timestamp("2027-06-30")
    assert pd.isna(ledger["expires"][0]) is False and pd.isna(ledger["expires"][3])
    # Each account's balance after its last entry is the sum of its balance-moving amounts: 0 for all.
    moves = ledger[~ledger["kind"].isin(["reservation", "release"])]
    for account, entries in moves.groupby("account"):
        assert sum(entries["amount"], Decimal(0)) == ledger[ledger["account"] == account]["balance_after"].iloc[-1]


def test_fund_lines_are_not_in_the_cash_statements():
    result = run(EVENTS)
    payouts = result.payouts
    assert set(payouts["rule"]) == {"coop_accrual", "rebate"}
    # P1's statements are the rebate alone: 1% of 100000 in Q1 and of 50000 in Q2.
    assert list(result.statements["amount"]) == [Decimal("1000.00"), Decimal("500.00")]


def test_balances_as_of_a_day():
    result = run(EVENTS)
    may = result.balances(as_of="2027-05-01")
    coop = may[may["fund"] == "coop"].iloc[0]
    assert (coop["balance"], coop["available"], coop["expiring_30"], coop["expiring_60"]) == (
        Decimal("1600.00"), Decimal("1600.00"), Decimal("0.00"), Decimal("1600.00"))
    feb = result.balances(as_of=datetime.date(2027, 2, 1))
    p1 = feb[(feb["fund"] == "mdf") & (feb["partner"] == "P1")].iloc[0]
    assert (p1["balance"], p1["reserved"], p1["available"]) == (Decimal("6000.00"), Decimal("2500.00"), Decimal("3500.00"))
    end = result.balances()  # the program's last day
    assert list(end["balance"]) == [Decimal("0.00")] * 3
    with pytest.raises(TypeError):
        result.balances(as_of=20270501)


def test_the_ledger_does_not_depend_on_order_or_threads():
    expected = run(EVENTS).ledger
    rng = random.Random(11)
    for _ in range(10):
        shuffled = EVENTS[:]
        rng.shuffle(shuffled)
        got = run(shuffled, threads=2).ledger
        pd.testing.assert_frame_equal(got, expected)


def test_a_fund_row_with_an_unknown_fund_names_its_row_and_field():
    bad = EVENTS + [row("x", "fund_allocation", "2027-01-05", "P1", "1.00", "mfd")]
    with pytest.raises(InputError) as err:
        run(bad)
    assert err.value.code == "incentives.input.unknown_fund"
    assert err.value.row == len(bad) and err.value.field == "fund"
    assert 'did you mean "mdf"' in str(err.value)


def test_a_program_without_funds_has_an_empty_ledger():
    plain = Program.from_dict({"program": "P", "currency": "EUR", "periods": {"from": "2027-01-01", "to": "2027-12-31"},
                               "rules": [{"id": "r", "pay": {"rate": "1%"}}]})
    result = plain.run([{"id": "s", "kind": "sale", "date": "2027-01-02", "partner": "P1", "amount": "10.00"}], PARTNERS)
    assert len(result.ledger) == 0
    assert len(result.balances()) == 0


def test_the_channel_funds_example_files():
    """examples/programs/channel_funds.yaml over examples/data/channel_funds, read as a user would:
    the numbers by hand are in tests/CMakeLists.txt (cli_channel_funds_example) and the docs."""
    from conftest import EXAMPLES

    data = EXAMPLES / "data" / "channel_funds"
    program = Program.from_yaml(EXAMPLES / "programs" / "channel_funds.yaml")
    tables = {name: pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False) for name in ("events", "partners", "products")}
    result = program.run(tables["events"], tables["partners"], products=tables["products"])
    # P1 Q1 1000 + 150; P1 Q2 600 + 600 + migration 15% x 4 x 12000 = 7200 - 15% x 2000 refunded = 300;
    # P2 Q1 300 - 250 + ANNA's affiliate bounty 36; P2 Q2 10 + EVE's 36; P2 Q3 EVE's clawback -36.
    assert list(result.statements["amount"]) == [Decimal("1150.00"), Decimal("8100.00"), Decimal("86.00"), Decimal("46.00"),
                                                 Decimal("-36.00")]
    july = result.balances(as_of="2027-07-10")
    assert list(zip(july["fund"], july["partner"], july["balance"], july["expiring_90"])) == [
        ("coop", "P1", Decimal("1200.00"), Decimal("1200.00")),  # 2% of Q2's 60000, usable to 09-30
        ("coop", "P2", Decimal("20.00"), Decimal("20.00")),      # 2% of 1000
        ("mdf", "P1", Decimal("0.00"), Decimal("0.00")),
        ("mdf", "P2", Decimal("0.00"), Decimal("0.00")),
    ]
    assert len(result.ledger) == 24 and len(result.deals) == 22
    assert (result.deals["kind"] == "bonus").sum() == 1
    # The statement a partner reads ends with its fund accounts as of the program's last day: all
    # of P1's co-op and MDF money is spent or forfeited by 12-31.
    text = result.statement("P1")
    assert "Funds of P1 as of 2027-12-31" in text
    assert [line.split() for line in text.splitlines() if line.strip().startswith(("coop ", "mdf "))] == [
        ["coop"] + ["0.00"] * 6, ["mdf"] + ["0.00"] * 6]
    refs = result.referrals
    assert len(refs) == 26
    moved = refs[refs["kind"].isin(["released", "clawback"])].groupby(["referral", "partner"])["amount"].sum()
    assert moved[("affiliate", "P2")] == Decimal("36.00")       # 36 + 36 - 36
    assert moved[("migration", "P1")] == Decimal("6900.00")     # 7200 - 300
