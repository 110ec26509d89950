"""Points from Python: the points' ledger, the lots, the balances and the liability as of a day, as
tables and a PointsLiability with exact Decimals. The same program, events and hand-computed numbers
as tests/cpp/unit-points.cpp (its comments show the arithmetic); the ledger never depends on row order."""

import datetime
import random
from decimal import Decimal

import pytest

from incentives import ConfigError, Program

pd = pytest.importorskip("pandas")

# Partner P1 with people M1 and S1, partner P2 with M2; one product.
PARTNERS = [{"id": "P1", "name": "Acme", "segment": "smb", "group": "north", "region": "eu", "tier": "gold"},
            {"id": "P2", "name": "Beta", "segment": "smb", "group": "south", "region": "eu", "tier": "gold"}]
PARTICIPANTS = [{"id": "M1", "partner": "P1", "role": "manager"}, {"id": "S1", "partner": "P1", "role": "specialist"},
                {"id": "M2", "partner": "P2", "role": "manager"}]
PRODUCTS = [{"sku": "S100", "category": "servers"}]
TABLES = dict(partners=PARTNERS, participants=PARTICIPANTS, products=PRODUCTS)


def program_text(policy=""):
    """10% of a person's monthly sales in points ("bonus", whole points, 0.50 EUR each): a lot is earned
    on the month's last day, pending 14 days, usable two months rounded to the month's end."""
    return ("program: Points\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
            "points:\n  id: bonus\n  value: 0.50\n  pending: {days: 14}\n  expires: {after: 2, unit: month, round_to: month}\n"
            + policy +
            "  shop:\n"
            "    - {sku: MUG, name: Mug, price: 300}\n"
            "    - {sku: BAG, name: Bag, price: 1000, stock: 1}\n"
            "    - {sku: CAP, name: Cap, price: 100, limit: {count: 1, per: month}}\n"
            "rules:\n"
            "  - {id: sales_points, pay: {rate: 10%}, per: [participant, month], points: bonus, clawback: {days: 90}}\n"
            "  - {id: rebate, pay: {rate: 1%}, per: [partner, quarter]}\n")


def row(id, kind, date, partner="P1", who="", amount="0", reference="", item="", sku="", quantity=""):
    return {"id": id, "kind": kind, "date": date, "partner": partner, "participants": who, "amount": amount,
            "reference": reference, "attr.item": item, "sku": sku, "quantity": quantity}


def sale(id, date, who, amount):
    return row(id, "sale", date, "P2" if who == "M2" else "P1", who, amount, sku="S100", quantity="1")


# The worked example: earnings, a refused redemption (points still pending), a redemption, a second
# lot, a redemption beyond the monthly limit, a cancellation, a return, expiry.
EVENTS = [
    sale("s1", "2027-01-10", "M1", "3000"),                            # January: 10% = 300 points
    sale("s2", "2027-02-05", "M1", "5000"),                            # February: 500 points
    row("r1", "return", "2027-03-01", amount="1000", reference="s2"),  # a fifth of s2: -100 points in March
    row("x1", "redemption", "2027-02-10", who="M1", item="MUG"),       # the January lot is pending until 02-14
    row("x2", "redemption", "2027-02-20", who="M1", item="MUG"),       # 300 from the January lot
    row("x3", "redemption", "2027-03-15", who="M1", item="CAP"),       # 100 from the February lot
    row("x4", "redemption", "2027-03-20", who="M1", item="CAP"),       # a second cap in March: beyond the limit
    row("c1", "redemption_cancel", "2027-03-25", who="M1", reference="x2"),  # the mug's 300 back into lot 1
]


def run(policy="", events=EVENTS, **kw):
    return Program.from_yaml(program_text(policy)).run(events, **TABLES, **kw)


def day(value):
    return value.strftime("%Y-%m-%d")


def entries(points):
    """Entries as "day kind holder points lot balance/available [item]", as the C++ test writes them."""
    return [f"{day(d)} {k} {h} {p} {lot} {b}/{a}" + (f" {i}" if i else "")
            for d, k, h, p, lot, b, a, i in zip(points["date"], points["kind"], points["holder"], points["points"],
                                                 points["lot"], points["balance"], points["available"], points["item"])]


def test_the_points_ledger_of_the_worked_example():
    result = run()
    points = result.points
    # Lot 1: January's 300, earned 01-31, available 02-14, usable through 03-31. Lot 4: February's
    # 500, earned 02-28, available 03-14, usable through 04-28 -> 04-30. The return takes its 100 from
    # lot 4 on 03-31; lot 1 expires on 04-01 with the 300 put back, lot 4 on 05-01 with 300.
    assert entries(points) == [
        "2027-01-31 earned M1 300 1 300/0",
        "2027-02-10 refused M1 0 0 300/0 MUG",
        "2027-02-20 redeemed M1 -300 1 0/0 MUG",
        "2027-02-28 earned M1 500 4 500/0",
        "2027-03-15 redeemed M1 -100 4 400/400 CAP",
        "2027-03-20 refused M1 0 0 400/400 CAP",
        "2027-03-25 reinstated M1 300 1 700/700 MUG",
        "2027-03-31 reversed M1 -100 4 600/600",
        "2027-04-01 expired M1 -300 1 300/300",
        "2027-05-01 expired M1 -300 4 0/0",
    ]
    assert list(points.columns) == ["entry", "date", "kind", "holder_type", "holder", "partner", "points", "lot",
                                    "from_lot", "balance", "available", "available_on", "expires", "event", "item",
                                    "reason"]
    assert list(points["entry"]) == list(range(1, 11))
    assert all(isinstance(p, Decimal) for p in points["points"])
    assert set(points["holder_type"]) == {"participant"} and set(points["partner"]) == {"P1"}
    assert points["reason"][1] == "1 x MUG costs 300 points; 0 available (300 more pending)"
    assert points["reason"][5] == "1 x CAP: beyond the limit of 1 per month (1 redeemed in 2027-03)"
    assert points["available_on"][0] == pd.Timestamp("2027-02-14")
    assert points["expires"][0] == pd.Timestamp("2027-03-31")
    assert points["expires"][3] == pd.Timestamp("2027-04-30")
    assert pd.isna(points["available_on"][1]) and pd.isna(points["expires"][2])
    assert points["event"][0] == "sales_points/M1/2027-01"
    assert points["event"][6] == "c1" and list(points["from_lot"]) == [0] * 10
    # Every point accounted for: the entries add up to the last balance.
    assert sum(points["points"], Decimal(0)) == points["balance"].iloc[-1] == Decimal(0)


def test_the_lots_as_the_run_leaves_them():
    lots = run().lots
    assert list(lots.columns) == ["number", "holder_type", "holder", "partner", "source", "earned_on", "available_on",
                                  "expires", "earned", "reinstated", "redeemed", "reversed", "expired", "left", "state"]
    assert list(lots["number"]) == [1, 4]
    assert list(lots["source"]) == ["sales_points/M1/2027-01", "sales_points/M1/2027-02"]
    assert list(lots["state"]) == ["expired", "expired"]
    assert [day(d) for d in lots["earned_on"]] == ["2027-01-31", "2027-02-28"]
    assert [day(d) for d in lots["available_on"]] == ["2027-02-14", "2027-03-14"]
    assert [day(d) for d in lots["expires"]] == ["2027-03-31", "2027-04-30"]
    columns = ["earned", "reinstated", "redeemed", "reversed", "expired", "left"]
    assert [list(lots[c]) for c in columns] == [[Decimal(v) for v in pair] for pair in
                                                (("300", "500"), ("300", "0"), ("300", "100"), ("0", "100"),
                                                 ("300", "300"), ("0", "0"))]
    for _, lot in lots.iterrows():
        assert lot["earned"] + lot["reinstated"] == lot["redeemed"] + lot["reversed"] + lot["expired"] + lot["left"]


def test_balances_as_of_a_day():
    result = run()
    # 03-20: lot 1 empty, lot 4 holds 400, available since 03-14, usable through 04-30: 41 days on.
    march = result.points_balances(as_of="2027-03-20")
    assert list(march.columns) == ["holder_type", "holder", "partner", "as_of", "balance", "pending", "available",
                                   "debt", "expiring_30", "expiring_60", "expiring_90"]
    assert list(march["holder"]) == ["M1"] and march["as_of"][0] == pd.Timestamp("2027-03-20")
    assert (march["balance"][0], march["available"][0], march["pending"][0]) == (Decimal(400), Decimal(400), Decimal(0))
    assert (march["expiring_30"][0], march["expiring_60"][0], march["expiring_90"][0]) == (0, Decimal(400), 0)
    # 02-28: lot 1 spent, lot 4 (500) pending until 03-14.
    feb = result.points_balances(as_of=datetime.date(2027, 2, 28))
    assert (feb["balance"][0], feb["pending"][0], feb["available"][0], feb["debt"][0]) == (
        Decimal(500), Decimal(500), Decimal(0), Decimal(0))
    # The program's last day: everything expired.
    assert result.points_balances()["balance"][0] == Decimal(0)
    assert len(result.points_balances(as_of="2027-01-30")) == 0  # before the first entry
    with pytest.raises(TypeError):
        result.points_balances(as_of=20270320)


def test_the_liability_as_of_a_day():
    result = run()
    # 03-31: issued 800, redeemed 300 + 100 - 300 = 100, reversed 100, outstanding 600 (300 in each
    # lot); no lot has matured: breakage 0, and the liability is 600 x 0.50 = 300.00.
    march = result.liability(as_of="2027-03-31")
    assert march.as_of == datetime.date(2027, 3, 31)
    assert (march.issued, march.redeemed, march.expired, march.reversed, march.outstanding) == (
        Decimal(800), Decimal(100), Decimal(0), Decimal(100), Decimal(600))
    assert (march.pending, march.available, march.debt) == (Decimal(0), Decimal(600), Decimal(0))
    assert march.issued == march.redeemed + march.expired + march.reversed + march.outstanding
    assert march.value_per_point == Decimal("0.50") and march.face_value == Decimal("300.00")
    assert march.breakage == Decimal("0") and march.breakage_basis == "no matured lots yet: 0"
    assert str(march.liability) == "300.00"
    # Lot 1 is 59 days old, lot 4 31: both 0-90 days.
    assert list(march.by_age["label"]) == ["0-90 days", "91-180 days", "181-365 days", "over 365 days"]
    assert list(march.by_age["points"]) == [Decimal(600), Decimal(0), Decimal(0), Decimal(0)]
    # 06-30: both lots matured. Lot 1: 300 expired, 0 redeemed (300 less the 300 put back); lot 4: 300
    # expired, 100 redeemed: breakage = 600 / 700 = 0.857143; nothing outstanding, liability 0.00.
    june = result.liability(datetime.date(2027, 6, 30))
    assert (june.expired, june.outstanding) == (Decimal(600), Decimal(0))
    assert str(june.breakage) == "0.857143" and june.breakage_basis.startswith("estimated from 2 matured lots")
    assert str(june.liability) == "0.00"
    assert result.liability() == result.liability("2027-12-31")  # the program's last day
    # Declared breakage: 20% of 600 x 0.50 = 60.00 off 300.00 -> 240.00, run or paid again.
    declared = run("  breakage: 20%\n").liability("2027-03-31")
    assert str(declared.liability) == "240.00" and declared.breakage == Decimal("0.2")
    assert declared.breakage_basis == "declared"
    variant = result.program.with_changes({"points.breakage": "20%"})
    assert str(result.rerun(variant).liability("2027-03-31").liability) == "240.00"


def test_points_are_not_money():
    result = run()
    # The points rule's lines are points (currency "bonus"), out of the statements and the totals: the
    # statements hold only the 1% rebate, P1 Q1 = 1% of (3000 + 5000) = 80.00.
    assert result.points_id == "bonus"
    payouts = result.payouts
    jan = payouts[(payouts["rule"] == "sales_points") & (payouts["period"] == "2027-01")]
    assert (jan["currency"].iloc[0], jan["amount"].iloc[0], jan["amount_minor"].iloc[0]) == ("bonus", Decimal(300), 300)
    assert list(zip(result.statements["beneficiary"], result.statements["amount"])) == [("P1", Decimal("80.00"))]
    assert result.total == Decimal("80.00")
    assert list(result.totals(by=())["amount"]) == [Decimal("80.00")]
    assert list(result.totals(by="rule")["rule"]) == ["rebate"]
    statement = result.statement("P1")
    assert [line.split() for line in statement.splitlines() if line.startswith("  total")] == [["total", "80.00"]]
    assert "sales_points         M1           2027-01    accrual              300 bonus" in statement
    assert "Points (bonus) of P1 and its people as of 2027-12-31" in statement
    assert "total 0.00 EUR and 700 bonus" in result.explain("M1")


def test_a_program_without_points():
    cash = Program.from_yaml("program: Cash\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
                             "rules:\n  - {id: rebate, pay: {rate: 1%}, per: [partner, quarter]}\n")
    result = cash.run([sale("s1", "2027-01-10", "M1", "3000")], **TABLES)
    assert len(result.points) == 0 and len(result.lots) == 0 and len(result.points_balances()) == 0
    assert result.points_id == ""
    with pytest.raises(ConfigError) as err:
        result.liability()
    assert err.value.code == "incentives.config.points"


def test_the_points_do_not_depend_on_the_order_of_the_rows():
    reference = run()
    tables = lambda r: (r.points, r.lots, r.points_balances("2027-03-20"), r.points_balances("2027-02-28"), r.payouts)
    for seed in (1, 7, 42):
        shuffled = EVENTS[:]
        random.Random(seed).shuffle(shuffled)
        for events in (shuffled, pd.DataFrame(shuffled)):
            again = run(events=events, threads=2)
            for got, want in zip(tables(again), tables(reference)):
                pd.testing.assert_frame_equal(got, want)
            for as_of in ("2027-03-31", "2027-06-30"):
                assert again.liability(as_of) == reference.liability(as_of)
                pd.testing.assert_frame_equal(again.liability(as_of).by_age, reference.liability(as_of).by_age)


# ---- status levels ---------------------------------------------------------------------------------

def levels_text(window):
    """Oracle's example (tests/cpp/unit-points.cpp): silver needs 800 points (x1.5 while at silver), a
    program from 2026-11-01, lots on the month's last day, no pending, no expiry; reviews monthly."""
    return ("program: Levels\ncurrency: EUR\nperiods: {from: 2026-11-01, to: 2027-12-31}\n"
            "points:\n  id: bonus\n  value: 0.50\n  levels:\n    window: " + window +
            "\n    review: month\n    table:\n      - {name: member, from: 0}\n      - {name: silver, from: 800, multiplier: 1.5}\n"
            "rules:\n  - {id: sales_points, pay: {rate: 10%}, per: [participant, month], points: bonus}\n")


# 500 points earned in November 2026, 300 in January 2027, 100 (before the multiplier) in February.
ORACLE = [sale("n1", "2026-11-10", "M1", "5000"), sale("j1", "2027-01-10", "M1", "3000"), sale("f1", "2027-02-10", "M1", "1000")]


def run_levels(window, events=ORACLE):
    return Program.from_yaml(levels_text(window)).run(events, **TABLES)


def changes(levels):
    return [(day(d), t, h, p, f"{prev}->{lv}", bool(up), m, w)
            for d, t, h, p, lv, prev, up, m, w in zip(levels["date"], levels["holder_type"], levels["holder"], levels["partner"],
                                                       levels["level"], levels["previous"], levels["up"], levels["measure"],
                                                       levels["window"])]


def test_levels_oracle_rolling_window_upgrades_then_downgrades():
    result = run_levels("{rolling_months: 12}")
    levels = result.levels
    assert list(levels.columns) == ["number", "date", "holder_type", "holder", "partner", "level", "previous", "up",
                                    "measure", "window", "reason"]
    # 2027-01-31: the window 2026-02-01..2027-01-31 holds 500 + 300 = 800 = silver's from: up at once.
    # The review of 2027-11-30: the window 2026-12-01..2027-11-30 holds 300 + 100 = 400 < 800 (no
    # grace): back to member from 2027-12-01.
    assert changes(levels) == [
        ("2027-01-31", "participant", "M1", "P1", "member->silver", True, Decimal("800"), "2026-02-01..2027-01-31"),
        ("2027-12-01", "participant", "M1", "P1", "silver->member", False, Decimal("400"), "2026-12-01..2027-11-30"),
    ]
    assert list(levels["number"]) == [1, 2]
    assert all(isinstance(m, Decimal) for m in levels["measure"])
    assert all(levels["reason"].str.len() > 0)
    # January's lot itself is earned before the upgrade (300); February's 100 are earned at silver: x1.5.
    assert [str(p) for p in result.points["points"]] == ["500", "300", "150"]
    assert result.points["reason"].iloc[2] == "100 points x 1.5 at level silver"


def test_levels_oracle_calendar_year_does_not_upgrade():
    # 2027 holds 300 (then 400): never 800; 2026 held 500. No change, February's lot stays 100.
    result = run_levels("year")
    assert len(result.levels) == 0
    assert list(result.levels.columns)[:3] == ["number", "date", "holder_type"]
    assert [str(p) for p in result.points["points"]] == ["500", "300", "100"]
    assert result.level_of("M1", "2027-06-30") == "member"
    assert result.level_of("M1") == "member"


def test_level_of_before_and_after_the_upgrade():
    result = run_levels("{rolling_months: 12}")
    assert result.level_of("M1", "2026-11-30") == "member"  # the lowest level before any change
    assert result.level_of("M1", "2027-01-30") == "member"
    assert result.level_of("M1", "2027-01-31") == "silver"  # in force from the day it is reached
    assert result.level_of("M1", datetime.date(2027, 6, 15)) == "silver"
    assert result.level_of("M1", datetime.datetime(2027, 11, 30, 23, 59)) == "silver"
    assert result.level_of("M1", "2027-12-01") == "member"  # the downgrade is effective the day after the review
    assert result.level_of("M1") == "member"                # default: the program's last day
    assert result.level_of("S1", "2027-06-15") == "member"  # a holder without changes


def test_levels_without_levels():
    result = run()
    assert len(result.levels) == 0
    assert result.level_of("M1", "2027-06-30") == ""


def test_first_sale_bonuses_and_a_rule_gated_by_a_certification():
    """The first-sale bonus and a certification from the participants table, as in
    tests/cpp/unit-points.cpp: M1 holds CERT from 2027-01-10 for 6 months to the month's end (through
    2027-07-31); S1 never."""
    text = ("program: Gate\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
            "points:\n  id: bonus\n  value: 1\n  rewards: {first_sale: 100, partner_first_sale: 500, courses: {CERT: 300}}\n"
            "certifications:\n  - {course: CERT, valid: {after: 6, unit: month, round_to: month}}\n"
            "rules:\n  - {id: certified_spiff, select: {certified: CERT}, pay: {rate: 10%}, per: [partner, year]}\n")
    people = [dict(p) for p in PARTICIPANTS]
    people[0]["certified.CERT"] = "2027-01-10"
    events = [sale("s3", "2027-08-01", "M1", "1000"),   # M1's certification lapsed on 07-31: not paid
              sale("s2", "2027-02-20", "S1", "2000"),   # S1 never certified: not paid; S1's first sale
              sale("s1", "2027-01-12", "M1", "3000")]   # certified: 10% -> 300.00; M1's and P1's first sale
    result = Program.from_yaml(text).run(events, partners=PARTNERS, participants=people, products=PRODUCTS)
    assert [(r.rule, r.beneficiary, r.amount) for r in result.payouts.itertuples()] == [("certified_spiff", "P1", Decimal("300.00"))]
    # 01-10 M1's CERT (300, from the table); 01-12 M1's first sale (100, balance 400) and P1's (500);
    # 02-20 S1's first sale (100).
    assert entries(result.points) == ["2027-01-10 earned M1 300 1 300/300", "2027-01-12 earned M1 100 2 400/400",
                                      "2027-01-12 earned P1 500 3 500/500", "2027-02-20 earned S1 100 4 100/100"]
    assert list(result.points["event"]) == ["course/M1/CERT", "first_sale/M1", "partner_first_sale/P1", "first_sale/S1"]
