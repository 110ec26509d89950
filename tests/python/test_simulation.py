"""The budget simulation from Python (Program.simulate; the model in docs/simulation.md): the
pbpython comparison at 100,000 scenarios, reproducibility, the tables' arithmetic recounted from the
stored totals, the Russian gross-up of the sales contest's trips, and the errors a planner meets."""

import importlib.util
from decimal import Decimal

import pytest

from conftest import EXAMPLES, ROOT, read_tables
from incentives import ConfigError, Program, Simulation

pd = pytest.importorskip("pandas")


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / "python" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pbpython_commission_mean_at_100000_scenarios():
    mc = load_example("commission_monte_carlo")
    sim = mc.simulate(100_000, threads=2)
    mean = sim.cost("mean")
    # the closed form of this model (bands 90.5% / 99.5%, rate x sales): 2,859,336
    closed = mc.expected_mean()
    assert abs(mean / closed - 1) < Decimal("0.001")
    # pbpython's published means: 2,858,654 (1,000 runs) and 2,832,281 (100,000 runs, rate x target)
    assert abs(mean / mc.PUBLISHED_LOOP_MEAN - 1) < Decimal("0.01")
    assert abs(mean / mc.PUBLISHED_VECTOR_MEAN - 1) < Decimal("0.01")


def reseller_sim(reseller, **kw):
    program, tables = reseller
    tables = dict(tables)
    history = tables.pop("events")
    args = dict(scenarios=300, seed=5, budget="55000", threads=1)
    args.update(kw)
    return program.simulate(history, EXAMPLES / "simulation" / "reseller_budget.yaml", **args, **tables)


def test_same_result_for_one_and_two_threads_and_the_seed_decides(reseller):
    one = reseller_sim(reseller)
    two = reseller_sim(reseller, threads=2)
    assert isinstance(one, Simulation)
    assert one.totals.equals(two.totals)
    assert one.summary.equals(two.summary)
    assert one.by_rule.equals(two.by_rule)
    assert one.winners.equals(two.winners)
    assert one.seed == 5
    other = reseller_sim(reseller, seed=6)
    assert not one.totals["cost"].equals(other.totals["cost"])


def test_tables_recount_from_the_totals(reseller):
    sim = reseller_sim(reseller, scenarios=201)
    costs = sorted(sim.totals["cost"])
    summary = sim.summary.set_index("item")
    # nearest rank: P50 is the 101st of 201 (ceil(100.5)), P90 the 181st (ceil(180.9)), P99 the 199th (ceil(198.99))
    assert summary.loc["cost", "p50"] == costs[100]
    assert summary.loc["cost", "p90"] == costs[180]
    assert summary.loc["cost", "p99"] == costs[198]
    assert summary.loc["cost", "min"] == costs[0] and summary.loc["cost", "max"] == costs[-1]
    mean = (sum(costs) / 201).quantize(Decimal("0.01"))  # half-even, the decimal module's default
    assert summary.loc["cost", "mean"] == mean
    over = [c for c in costs if c > Decimal("55000")]
    assert sim.p_over_budget == (Decimal(len(over)) / 201).quantize(Decimal("0.000001"))
    assert sim.expected_overrun == (sum(c - Decimal("55000") for c in over) / 201).quantize(Decimal("0.01"))
    assert sim.reserve == summary.loc["cost", "p90"] - summary.loc["cost", "p50"]
    # the schedule's last cumulative is the mean cost, to a cent per month of rounding
    assert abs(sim.schedule["cumulative"].iloc[-1] - summary.loc["cost", "mean"]) <= Decimal("0.12")
    # every scenario's count of tier lines is a scenario: the shares of one tier add up to 1
    for key, rows in sim.winners.groupby("key"):
        assert rows["scenarios"].sum() == 201, key
    # sensitivity: growth down lowers P50, up raises it (the same draws: common random numbers)
    sens = sim.sensitivity.set_index(["assumption", "step"])
    assert sens.loc[("growth", Decimal("-0.10")), "p50"] < summary.loc["cost", "p50"] < sens.loc[("growth", Decimal("0.10")), "p50"]


def test_sales_contest_trips_grossed_up_under_russian_rules():
    program = Program.from_yaml(EXAMPLES / "programs" / "sales_contest.yaml")
    tables = read_tables(EXAMPLES / "data" / "sales_contest")
    tables.pop("events")
    history = pd.read_csv(EXAMPLES / "data" / "sales_contest" / "history_2026.csv", dtype=str, keep_default_na=False)
    sim = program.simulate(history, EXAMPLES / "simulation" / "sales_contest_budget.yaml", scenarios=200, **tables)
    summary = sim.summary.set_index("item")
    # ten trips of 150,000 in kind to reps, each grossed up: 0.35 x (150,000 - 4,000) / 0.65 = 78,615.38 -> 78,615 roubles
    assert summary.loc["in_kind", "min"] == summary.loc["in_kind", "max"] == Decimal("1500000.00")
    assert summary.loc["tax", "max"] == Decimal("786150.00")
    assert sim.tax == "RU"
    trips = sim.winners[(sim.winners["by"] == "contest") & (sim.winners["key"] == "trip")]
    assert list(trips["count"]) == [10] and list(trips["scenarios"]) == [200]
    # cost = cash + funds + points + in kind + tax in every statistic's scenario, to a cent each
    parts = sum(summary.loc[item, "mean"] for item in ("cash", "funds", "points", "in_kind", "tax"))
    assert abs(parts - summary.loc["cost", "mean"]) <= Decimal("0.05")


def test_charts_and_report(reseller, tmp_path):
    sim = reseller_sim(reseller, scenarios=100)
    written = sim.plot(tmp_path / "charts")
    assert {"cost", "tornado", "winners"} <= set(written)
    for path in written.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = sim.report(tmp_path / "budget.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and str(sim.cost("p90")) in page


def test_assumption_errors(reseller):
    program, tables = reseller
    tables = dict(tables)
    history = tables.pop("events")
    with pytest.raises(ConfigError, match=r'unknown key "grwth".*did you mean "growth"'):
        program.simulate(history, {"grwth": "5%"}, scenarios=10, **tables)
    with pytest.raises(TypeError, match="float"):
        program.simulate(history, {"growth": 0.05}, scenarios=10, **tables)
    with pytest.raises(ConfigError, match="no tax file"):
        program.simulate(history, {"tax": {"rules": "nowhere.yaml"}}, scenarios=10, **tables)
    with pytest.raises(TypeError, match="budget"):
        program.simulate(history, {}, scenarios=10, budget=1000.5, **tables)


def test_tax_files_are_shipped_for_the_examples():
    for name in ("ru", "us", "de"):
        assert (ROOT / "data" / "tax" / f"{name}.yaml").is_file()
