"""Result.deltas(paid): what a run pays now against what was already paid, as delta lines per rule,
beneficiary and period, and the clawback basis `recompute` from a dict program. Hand-worked numbers
in the comments."""

import decimal

import pytest

import incentives

D = decimal.Decimal


def tiered(basis="proportional"):
    # Quarterly retroactive tiers: from 0 1%, from 50000 2%.
    return incentives.Program.from_dict(
        {
            "program": "restate",
            "currency": "EUR",
            "periods": {"from": "2027-01-01", "to": "2027-12-31"},
            "rules": [
                {
                    "id": "volume",
                    "per": "quarter",
                    "tiers": {"table": [{"from": 0, "rate": "1%"}, {"from": 50000, "rate": "2%"}]},
                    "clawback": {"days": 30, "basis": basis},
                }
            ],
        }
    )


PARTNERS = [{"id": "A"}, {"id": "B"}]
SALES = [
    {"id": "s1", "kind": "sale", "date": "2027-01-10", "partner": "A", "amount": "40000.00"},
    {"id": "s2", "kind": "sale", "date": "2027-02-10", "partner": "A", "amount": "20000.00"},
    {"id": "s3", "kind": "sale", "date": "2027-02-11", "partner": "B", "amount": "5000.00"},
]


def rows(table):
    return table.to_dict("records") if hasattr(table, "to_dict") else table


def test_deltas_against_an_earlier_run_and_a_late_event():
    # Paid from the first run: A Q1 60000 x 2% = 1200.00, B Q1 5000 x 1% = 50.00.
    # A late sale of 1000.00 for B in Q1: B 6000 x 1% = 60.00, delta +10.00; A unchanged: no delta.
    program = tiered()
    first = program.run(SALES, partners=PARTNERS)
    late = SALES + [{"id": "s9", "kind": "sale", "date": "2027-03-30", "partner": "B", "amount": "1000.00"}]
    now = program.run(late, partners=PARTNERS)
    deltas = rows(now.deltas(first.payouts))
    assert len(deltas) == 1
    (d,) = deltas
    assert (d["rule"], d["beneficiary"], d["period"]) == ("volume", "B", "2027-Q1")
    assert (d["paid"], d["now"], d["delta"]) == (D("50.00"), D("60.00"), D("10.00"))
    assert list(d["corrects"]) == ["paid row 2"]


def test_deltas_recover_what_is_no_longer_owed_and_name_references():
    program = tiered()
    now = program.run(SALES, partners=PARTNERS)
    paid = [
        {"rule": "volume", "beneficiary": "A", "period": "2027-Q1", "amount": "1000.00", "reference": "INV-1"},
        {"rule": "volume", "beneficiary": "A", "period": "2027-Q2", "amount": D("5.00"), "reference": "INV-2"},
    ]
    deltas = rows(now.deltas(paid))
    # A Q1: 1200.00 now, 1000.00 paid: +200.00. A Q2: nothing now, 5.00 paid: -5.00. B Q1: 50.00 owed.
    got = [(d["beneficiary"], d["period"], d["delta"], list(d["corrects"])) for d in deltas]
    assert got == [("A", "2027-Q1", D("200.00"), ["INV-1"]), ("A", "2027-Q2", D("-5.00"), ["INV-2"]), ("B", "2027-Q1", D("50.00"), [])]
    assert sum((d["delta"] for d in deltas), D(0)) == now.total - D("1005.00")


def test_deltas_refuse_what_the_program_could_not_have_paid():
    now = tiered().run(SALES, partners=PARTNERS)
    bad = {"rule": ["volume"], "beneficiary": ["A"], "period": ["2027-Q5"], "amount": ["1.00"]}
    with pytest.raises(incentives.InputError, match=r'paid row 1, field period: rule "volume" pays per quarter and has no period "2027-Q5"'):
        now.deltas(bad)
    with pytest.raises(incentives.InputError, match=r'did you mean "volume"'):
        now.deltas([{"rule": "volum", "beneficiary": "A", "period": "2027-Q1", "amount": "1"}])
    with pytest.raises(incentives.InputError, match="unknown column"):
        now.deltas([{"rule": "volume", "beneficary": "A", "period": "2027-Q1", "amount": "1"}])
    with pytest.raises(TypeError):
        now.deltas([{"rule": "volume", "beneficiary": "A", "period": "2027-Q1", "amount": 1.5}])


def test_clawback_basis_recompute_from_a_dict_program():
    # A Q1: 60000 at 2% = 1200.00. r1 returns 15000.00 of s2 within 30 days: recomputed over 45000 at
    # 1% = 450.00, so the clawback is -750.00 (proportional: 1200 x 20000/60000 x 15000/20000 = -300.00).
    events = SALES + [{"id": "r1", "kind": "return", "date": "2027-02-20", "partner": "A", "reference": "s2", "amount": "15000.00"}]
    for basis, expected in (("recompute", D("-750.00")), ("proportional", D("-300.00"))):
        program = tiered(basis)
        claws = [p for p in rows(program.run(events, partners=PARTNERS).payouts) if p["kind"] == "clawback"]
        assert [(c["beneficiary"], c["amount"], c["returned_by"]) for c in claws] == [("A", expected, "r1")]
    assert incentives.Program.from_yaml(tiered("recompute").to_yaml()).to_dict()["rules"][0]["clawback"] == {
        "days": "30",  # to_dict gives every scalar as its YAML text
        "basis": "recompute",
    }
