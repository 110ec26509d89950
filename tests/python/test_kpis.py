"""The phased KPI plan from Python (examples/programs/kpi_plan.yaml; the arithmetic in
tests/cpp/unit-kpis.cpp and docs/rules/kpis.md): the report as a DataFrame with exact Decimals, and
its chart."""

from decimal import Decimal

import pytest

from conftest import EXAMPLES, read_tables
from incentives import Program

pd = pytest.importorskip("pandas")

KPI_PROGRAM = Program.from_yaml(EXAMPLES / "programs" / "kpi_plan.yaml")
KPI_TABLES = read_tables(EXAMPLES / "data" / "kpi_plan")


def test_kpi_report_by_hand(tmp_path):
    tables = dict(KPI_TABLES)
    kpis = KPI_PROGRAM.run(tables.pop("events"), **tables).kpis
    rows = {(r.kpi, r.month): r for r in kpis.itertuples()}
    # registered: 160 of 150 in April (green), 365 of 400 by July = 0.9125 (amber), 570 of 650 by October (red)
    assert (rows["registered", "2027-04"].attainment, rows["registered", "2027-04"].light) == (Decimal("1.0667"), "green")
    assert (rows["registered", "2027-07"].attainment, rows["registered", "2027-07"].light) == (Decimal("0.9125"), "amber")
    assert rows["registered", "2027-10"].light == "red"
    # active: 60% of each month's registration target; funnel 435 / 700 = 0.6214 in December
    assert rows["active", "2027-04"].target == Decimal(90)
    assert (rows["active", "2027-12"].cumulative_actual, rows["active", "2027-12"].ratio) == (Decimal(435), Decimal("0.6214"))
    assert rows["trained", "2027-12"].ratio == Decimal("0.3143")
    assert rows["sales", "2027-04"].actual == Decimal("82000.00")  # 80 activations x 1,000 + 5 unregistered x 400
    pytest.importorskip("matplotlib")
    path = tmp_path / "kpis.png"
    result = KPI_PROGRAM.run(KPI_TABLES["events"], partners=KPI_TABLES["partners"], participants=KPI_TABLES["participants"])
    result.plot_kpis(path)
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_roi_control_group_by_hand():
    # 700 program partners, control U1-U5 at 400.00 each: baseline 400 x 700 = 280,000; sales 435,000;
    # incremental 155,000 x 25% = 38,750; cost 1% of 435,000 = 4,350; ROI 34,400 / 4,350 = 7.9080.
    tables = dict(KPI_TABLES)
    roi = KPI_PROGRAM.run(tables.pop("events"), **tables).roi()
    row = roi.iloc[-1]
    assert row.segment == "all" and row.partners == 700 and row.control_partners == 5
    assert (row.baseline, row.incremental, row.cost, row.roi) == (
        Decimal("280000.00"), Decimal("155000.00"), Decimal("4350.00"), Decimal("7.9080"))
