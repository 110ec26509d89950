"""Contests from Python: the sales contest example (examples/programs/sales_contest.yaml, worked by
hand in tests/cpp/unit-contests.cpp and docs/rules/contests.md) as DataFrames with exact Decimals,
boards as of a day, the rank history, the chart, and the boards' independence of the event order."""

import random
from decimal import Decimal

import pytest

from conftest import EXAMPLES, read_tables
from incentives import ConfigError, Program

pd = pytest.importorskip("pandas")

PROGRAM = Program.from_yaml(EXAMPLES / "programs" / "sales_contest.yaml")
TABLES = read_tables(EXAMPLES / "data" / "sales_contest")


def run(events=None):
    tables = dict(TABLES)
    if events is not None:
        tables["events"] = events
    return PROGRAM.run(tables.pop("events"), **tables)


RESULT = run()


def board(frame, contest):
    """competitor -> (league, position, rank, winner, prize) of one contest."""
    rows = frame[frame["contest"] == contest]
    return {r.competitor: (r.league, int(r.position), r.rank, bool(r.winner), r.prize) for r in rows.itertuples()}


def test_partner_cup_by_hand():
    # Percent of plan within leagues by size; 2 winners at 100% or more, 100,000 and 50,000:
    # large L4 4.6M/4.0M = 115% and L1 5.5M/5.0M = 110% win; medium M2 and M3 tie at 120% with the
    # same last sale: they share place 2's 50,000; small S2 beats S3 (110% each) by its earlier last sale.
    cup = board(RESULT.contests, "partner_cup")
    assert cup["L4"] == ("large", 1, Decimal(1), True, Decimal("100000.00"))
    assert cup["L1"] == ("large", 2, Decimal(2), True, Decimal("50000.00"))
    assert cup["L2"][3:] == (False, Decimal("0.00"))  # 95%: below the minimum
    assert cup["M2"] == ("medium", 2, Decimal(2), True, Decimal("25000.00"))
    assert cup["M3"] == ("medium", 3, Decimal(2), True, Decimal("25000.00"))
    assert cup["S2"] == ("small", 2, Decimal(2), True, Decimal("50000.00"))
    assert cup["S3"] == ("small", 3, Decimal(3), False, Decimal("0.00"))
    scores = dict(zip(RESULT.contests["competitor"], RESULT.contests["score"]))
    assert scores["L4"] == Decimal("1.150000")
    lines = RESULT.payouts[RESULT.payouts["rule"] == "partner_cup"]
    assert len(lines) == 7 and sum(lines["amount"], Decimal(0)) == Decimal(450000)


def test_trip_tie_at_the_cut_all_win():
    winners = RESULT.winners[RESULT.winners["contest"] == "trip"]
    assert len(winners) == 11  # places 9-11 tie at 1,100,000 across the cut of 10: all go
    assert set(winners["item"]) == {"Trip to Sochi"}
    assert sum(winners["prize"], Decimal(0)) == Decimal(1650000)
    r13 = RESULT.contests[RESULT.contests["competitor"] == "R13"].iloc[0]
    assert not r13.eligible and r13.why == "not registered"
    assert not (RESULT.payouts["rule"] == "trip").any()  # in kind: no line


def test_leaderboard_as_of_and_history():
    june = board(RESULT.leaderboard("partner_cup", as_of="2027-06-30"), "partner_cup")
    assert june["S2"][1:] == (2, Decimal(2), True, Decimal("25000.00"))  # last sales both 05-15: tied, shared
    assert june["S3"][1:] == (3, Decimal(2), True, Decimal("25000.00"))
    history = RESULT.rank_history("partner_cup")
    assert sorted(set(history["through"].astype(str))) == ["2027-03-31", "2027-06-30", "2027-09-30", "2027-12-31"]
    with pytest.raises(ConfigError, match='did you mean "partner_cup"'):
        RESULT.leaderboard("partner_cpu")


def test_chart(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "board.png"
    RESULT.plot_leaderboard("partner_cup", path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_boards_in_any_event_order():
    events = TABLES["events"]
    for seed in range(3):
        order = list(range(len(events)))
        random.Random(seed).shuffle(order)
        other = run(events.iloc[order].reset_index(drop=True))
        pd.testing.assert_frame_equal(other.contests, RESULT.contests)


def test_program_dict_round_trip():
    assert Program.from_dict(PROGRAM.to_dict()).to_yaml() == PROGRAM.to_yaml()

