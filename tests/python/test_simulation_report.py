"""The budget simulation's charts and HTML report, over a hand-made result (the shapes of
Simulation's tables): the PNGs written or skipped, the page self-contained, exact and escaped."""

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

pytest.importorskip("matplotlib")
pd = pytest.importorskip("pandas")

from incentives._simulation_report import charts, report  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
QUANTILES = ("mean", "p50", "p90", "p95", "p99")


def fake_sim(full=True, budget=D("13000.00")):
    """A small simulation: 8 scenarios; `full` adds sensitivity runs and winner counts."""
    costs = [D("11000.10"), D("11500.00"), D("12000.00"), D("12345.67"), D("12345.67"), D("12800.00"),
             D("13400.50"), D("14100.25")]
    summary = pd.DataFrame([
        {"item": "cost", "mean": D("12436.52"), "p50": D("12345.67"), "p90": D("13610.73"), "p95": D("13855.49"),
         "p99": D("14051.30"), "min": D("11000.10"), "max": D("14100.25")},
        {"item": "cash", "mean": D("9000.01"), "p50": D("8999.99"), "p90": D("9800.00"), "p95": D("9900.00"),
         "p99": D("9990.00"), "min": D("8000.00"), "max": D("10000.00")},
        {"item": "tax", "mean": D("1436.51"), "p50": D("1400.00"), "p90": D("1500.00"), "p95": D("1550.00"),
         "p99": D("1590.00"), "min": D("1300.00"), "max": D("1600.00")},
    ])
    by_rule = pd.DataFrame([
        {"by": "rule", "key": "volume-rebate", "mean": D("7000.50"), "p50": D("6900.25"), "p90": D("7800.75"),
         "p95": D("7900.00"), "p99": D("7990.00"), "max": D("8000.00")},
        {"by": "segment", "key": "<b>gold</b>", "mean": D("400.40"), "p50": D("400.00"), "p90": D("450.00"),
         "p95": D("460.00"), "p99": D("470.00"), "max": D("480.00")},
    ])
    winners = pd.DataFrame([
        {"by": "contest", "key": "q4-sprint", "count": 2, "scenarios": 3, "share": D("0.375")},
        {"by": "contest", "key": "q4-sprint", "count": 3, "scenarios": 5, "share": D("0.625")},
        {"by": "tier", "key": "volume-rebate/gold", "count": 0, "scenarios": 1, "share": D("0.125")},
        {"by": "tier", "key": "volume-rebate/gold", "count": 4, "scenarios": 7, "share": D("0.875")},
    ])
    sensitivity = pd.DataFrame([
        {"assumption": "sales", "step": D("-0.1"), "p50": D("11100.00"), "p90": D("12200.00"),
         "delta_p50": D("-1245.67"), "delta_p90": D("-1410.73")},
        {"assumption": "sales", "step": D("0.1"), "p50": D("13600.00"), "p90": D("15000.00"),
         "delta_p50": D("1254.33"), "delta_p90": D("1389.27")},
        {"assumption": "participation", "step": D("-0.1"), "p50": D("12000.00"), "p90": D("13300.00"),
         "delta_p50": D("-345.67"), "delta_p90": D("-310.73")},
        {"assumption": "participation", "step": D("0.1"), "p50": D("12700.00"), "p90": D("13950.00"),
         "delta_p50": D("354.33"), "delta_p90": D("339.27")},
    ])
    schedule = pd.DataFrame([
        {"month": "2027-01", "expected": D("6000.00"), "cumulative": D("6000.00"), "p50_cumulative": D("5900.00"),
         "p90_cumulative": D("6600.00")},
        {"month": "2027-02", "expected": D("6436.52"), "cumulative": D("12436.52"),
         "p50_cumulative": D("12345.67"), "p90_cumulative": D("13610.73")},
    ])
    empty_winners = pd.DataFrame(columns=["by", "key", "count", "scenarios", "share"])
    empty_sensitivity = pd.DataFrame(columns=["assumption", "step", "p50", "p90", "delta_p50", "delta_p90"])
    return SimpleNamespace(
        summary=summary, totals=pd.DataFrame({"scenario": range(len(costs)), "cost": costs}), by_rule=by_rule,
        winners=winners if full else empty_winners, sensitivity=sensitivity if full else empty_sensitivity,
        schedule=schedule, seed=42, scenarios=len(costs), currency="EUR", budget=budget,
        p_over_budget=None if budget is None else D("0.375"),
        expected_overrun=None if budget is None else D("312.34"), reserve=D("1265.06"), program="reseller 2027",
        tax=None if budget is None else "IT",
    )


def test_charts_are_pngs(tmp_path):
    written = charts(fake_sim(), tmp_path / "charts")
    assert set(written) == {"cost", "tornado", "winners"}
    for name, path in written.items():
        assert path == tmp_path / "charts" / f"{name}.png"
        assert path.read_bytes()[:8] == PNG


def test_charts_skip_empty_tables(tmp_path):
    written = charts(fake_sim(full=False, budget=None), tmp_path)
    assert set(written) == {"cost"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cost.png"]


def test_report_is_one_exact_self_contained_page(tmp_path):
    sim = fake_sim()
    path = report(sim, tmp_path / "simulation.html")
    assert path == tmp_path / "simulation.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["simulation.html"]  # no chart or temporary file left
    page = path.read_text(encoding="utf-8")
    assert "reseller 2027" in page and "seed 42" in page and "8 scenarios" in page and "tax IT" in page
    assert page.count("data:image/png;base64,") == 3
    assert "<script" not in page.lower()
    assert "37.50%" in page  # the chance of exceeding the budget
    assert "312.34 EUR" in page and "1265.06 EUR" in page and "13000.00 EUR" in page
    for table in (sim.summary, sim.by_rule, sim.winners, sim.schedule, sim.sensitivity):
        for row in table.to_dict("records"):
            for value in row.values():
                if isinstance(value, D):
                    assert f'<td class="num">{value}</td>' in page  # exact decimal text, right-aligned
    assert "-0.1" in page and "0.625" in page and "2027-02" in page
    assert "&lt;b&gt;gold&lt;/b&gt;" in page and "<b>" not in page


def test_report_without_budget_or_extras(tmp_path):
    page = report(fake_sim(full=False, budget=None), tmp_path / "plain.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 1
    assert "Chance of exceeding" not in page and "tax none" in page
    assert "12345.67" in page


def test_a_failed_report_leaves_no_file(tmp_path):
    sim = fake_sim()
    sim.summary = sim.summary[sim.summary["item"] != "cost"]
    with pytest.raises(ValueError, match="cost"):
        report(sim, tmp_path / "broken.html")
    assert list(tmp_path.iterdir()) == []
