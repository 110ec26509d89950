"""Hypothesis strategies: valid programs (dict form) with their data, biased toward the edges, and
programs the docs declare invalid with the error code the docs give for them.

Money is drawn as integers of minor units and written as exact decimal text: no float anywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from hypothesis import strategies as st

CURRENCIES = {"EUR": 2, "JPY": 0, "KWD": 3, "USD": 2}
MODES = ["half_even", "half_up", "half_down", "up", "down", "ceiling", "floor"]
UNITS = ["month", "quarter", "half", "year", "program"]
LONGER = {"month": ["quarter", "half", "year", "program"], "quarter": ["half", "year", "program"],
          "half": ["year", "program"], "year": ["program"], "program": []}
# rates that make ties at half a minor unit likely (2.5% of 101.00 is 2.525), and plain ones
RATES = ["10%", "2.5%", "0.5%", "1%", "12.5%", "3%", "0.05", "50%", "0.015", "100%"]

PARTNERS = [
    {"id": "P1", "name": "Alpha", "segment": "smb", "tier": "gold", "region": "north", "trained": "yes"},
    {"id": "P2", "name": "Beta", "segment": "enterprise", "tier": "silver", "region": "south", "trained": "no"},
    {"id": "P3", "name": "Gamma", "segment": "smb", "tier": "silver", "region": "south", "trained": "yes"},
]
PARTICIPANTS = [
    {"id": "M1", "partner": "P1", "role": "manager"},
    {"id": "S1", "partner": "P1", "role": "specialist"},
    {"id": "T1", "partner": "P1", "role": "specialist"},
    {"id": "M2", "partner": "P2", "role": "manager"},
    {"id": "S2", "partner": "P2", "role": "specialist"},
]
PRODUCTS = [{"sku": "X200", "category": "laptops"}, {"sku": "S100", "category": "servers"},
            {"sku": "K1", "category": "accessories"}]
# shares that do not divide evenly, weights, decimals, a single person, nobody
SHARES = {"P1": ["M1:1/3;S1:1/3;T1:1/3", "M1:0.6;S1:0.4", "M1:2;S1:1", "S1", "T1:1;S1:1", ""],
          "P2": ["M2:1/3;S2:2/3", "M2", "S2:0.5;M2:0.5", ""], "P3": [""]}
SELECTS = [{}, {}, {}, {"category": ["laptops", "servers"]}, {"sku": "K1"}, {"segment": "smb"},
           {"partner.trained": "yes"}, {"not": {"category": "accessories"}},
           {"any": [{"tier": "gold"}, {"sku": "S100"}]}]
ELIGIBLE = [{"segment": "smb"}, {"partner.trained": "yes"}, {"not": {"tier": "gold"}}, {"region": ["north", "south"]}]


def text(units: int, places: int) -> str:
    """Minor units as exact decimal text: (12345, 2) -> '123.45'."""
    sign = "-" if units < 0 else ""
    units = abs(units)
    if places == 0:
        return f"{sign}{units}"
    return f"{sign}{units // 10**places}.{units % 10**places:0{places}d}"


@dataclass
class Case:
    program: dict
    events: list
    partners: list
    participants: list
    products: list
    plans: list

    def tables(self):
        """The reference tables as Program.run takes them (None for an empty one)."""
        return dict(partners=self.partners or None, participants=self.participants or None,
                    products=self.products or None, plans=self.plans or None)


def _date(d0: datetime.date, days: int) -> datetime.date:
    return d0 + datetime.timedelta(days=days)


@st.composite
def calendars(draw):
    """Program dates inside 2027: often the whole year, often a partial one (from 2027-02-15...)."""
    start = draw(st.one_of(st.just(0), st.sampled_from([31, 45, 59, 90, 181]), st.integers(0, 200)))
    end = draw(st.one_of(st.just(0), st.sampled_from([31, 30, 61, 92]), st.integers(0, 364 - start)))
    d0 = datetime.date(2027, 1, 1)
    frm, to = _date(d0, start), datetime.date(2027, 12, 31) - datetime.timedelta(days=end)
    if to < frm:
        to = frm
    return frm, to


@st.composite
def schedules(draw, kind, growth, places, anchors, at_event):
    """A pay or tiers mapping for a rule measuring `kind`."""
    choices = ["rate", "multiple"]
    if kind == "quantity":
        choices.append("per_unit")
    if kind == "count":
        choices.append("per_event")
    if not at_event:
        choices += ["fixed", "tiers", "tiers"]
    what = draw(st.sampled_from(choices))
    money = st.integers(0, 500 * 10**places).map(lambda u: text(u, places))
    if what == "rate":
        return {"pay": {"rate": draw(st.one_of(st.sampled_from(RATES), st.integers(0, 10**4).map(lambda u: text(u, 4))))}}
    if what == "multiple":
        return {"pay": {"multiple": draw(st.sampled_from(["1", "2", "0.5", "1.25", "3"]))}}
    if what in ("per_unit", "per_event", "fixed"):
        return {"pay": {what: draw(st.one_of(st.sampled_from(["40", "0.5", "25"]), money))}}
    # tiers: bounds from the anchors (so measures land exactly on them), in increasing order
    percent = growth is not None and growth["form"] == "percent"
    pool = ["0", "5%", "10%", "20%", "-10%"] if percent else ["0"] + anchors
    n = draw(st.integers(1, 3))
    bounds = sorted(set(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))), key=lambda t: _num(t))
    basis = draw(st.sampled_from(["retroactive", "marginal"]))
    if basis == "marginal":
        bounds = [b for b in bounds if _num(b) >= 0] or ["0"]
    value = draw(st.sampled_from(["rate", "amount"]))
    rows = []
    for b in bounds:
        v = draw(st.sampled_from(RATES)) if value == "rate" else draw(money)
        rows.append({"from": b, value: v})
    if draw(st.booleans()) and not percent:  # a closed top
        top = max(_num(bounds[-1]) * 2, _num(bounds[-1]) + 1)
        rows[-1]["to"] = _fmt(top)
    return {"tiers": {"basis": basis, "table": rows}}


def _num(t: str):
    from fractions import Fraction
    from decimal import Decimal

    return Fraction(Decimal(t[:-1])) / 100 if t.endswith("%") else Fraction(Decimal(t))


def _fmt(x) -> str:
    """An exact Fraction with a terminating decimal as text."""
    from decimal import Decimal, localcontext

    with localcontext() as c:
        c.prec = 50
        return format(Decimal(x.numerator) / Decimal(x.denominator), "f")


def budgets(anchors, places):
    """Budget amounts in whole minor units (a finer budget is invalid: drawn among the mistakes)."""
    return st.sampled_from(anchors + ["0"]).flatmap(
        lambda a: st.sampled_from([a, text(int(_num(a) * 10**places) // 7, places), text(1, places)]))


@st.composite
def rules(draw, index, places, anchors, at):
    at_event = at == "event"
    rid = f"r{index}"
    ben = draw(st.sampled_from(["partner", "partner", "participant", "program"]))
    unit = draw(st.sampled_from(UNITS))
    rule = {"id": rid, "per": [ben, unit]}
    sel = draw(st.sampled_from(SELECTS))
    if sel:
        rule["select"] = sel
    if ben == "participant" and draw(st.booleans()):
        rule["credit"] = {"roles": ["specialist"]}
    kind = draw(st.sampled_from(["amount", "amount", "quantity", "count"]))
    growth = None
    if unit != "program" and draw(st.integers(0, 3)) == 0:
        over = draw(st.sampled_from(["prior_year", "prior_period", {"attribute": "baseline"}]))
        growth = {"over": over, "form": draw(st.sampled_from(["absolute", "percent"]))}
    if growth is not None:
        rule["measure"] = {"of": kind, "growth": growth}
    else:
        rule["measure"] = kind
    rule.update(draw(schedules(kind, growth, places, anchors, at_event)))
    money = st.sampled_from(anchors + ["0"]).flatmap(
        lambda a: st.sampled_from([a, _fmt(_num(a) / 10), _fmt(_num(a) / 40), text(1, places)]))
    percent = growth is not None and growth["form"] == "percent"
    if draw(st.integers(0, 3)) == 0:
        q = {"min": draw(st.sampled_from(["5%", "10%", "0"])) if percent else draw(st.sampled_from(anchors + ["1", "0"]))}
        rule["qualify"] = q
    if ben != "program" and draw(st.integers(0, 4)) == 0:
        rule["when"] = draw(st.sampled_from(ELIGIBLE))
    if ben != "program" and draw(st.integers(0, 3)) == 0:
        rule["accelerator"] = draw(st.sampled_from([
            [{"from": "0%", "multiplier": "0.5"}, {"from": "50%", "multiplier": "1"}, {"from": "100%", "multiplier": "1.5"}],
            [{"from": "100%", "multiplier": "2"}],
            [{"from": "0", "multiplier": "1.25"}, {"from": "1", "multiplier": "1.5"}],
        ]))
    limits = []
    if draw(st.integers(0, 2)) == 0:
        limits.append({"cap": draw(money)})
    if LONGER[unit] and draw(st.integers(0, 2)) == 0:
        limits.append({"cap": draw(money), "per": draw(st.sampled_from(LONGER[unit]))})
    if draw(st.integers(0, 3)) == 0:
        limits.append({"floor": draw(money)})
    if limits:
        if draw(st.booleans()):
            rule["limits"] = draw(st.permutations(limits))
        else:
            for lim in limits:
                k = "cap" if "cap" in lim else "floor"
                v = {"amount": lim[k], "per": lim["per"]} if "per" in lim else lim[k]
                rule.setdefault(k, []).append(v)
    if draw(st.integers(0, 4)) == 0:
        rule["budget"] = {"amount": draw(budgets(anchors, places)), "policy": draw(st.sampled_from(["pro_rata", "event_date", "reject"]))}
    if draw(st.integers(0, 2)) == 0:
        rule["clawback"] = {"days": draw(st.sampled_from([0, 10, 30]))}
        if not at_event and kind in ("amount", "quantity") and ben != "participant" and draw(st.booleans()):
            rule["clawback"]["basis"] = "recompute"
    return rule


@st.composite
def programs(draw):
    currency = draw(st.sampled_from(list(CURRENCIES)))
    places = CURRENCIES[currency]
    frm, to = draw(calendars())
    at = draw(st.sampled_from(["line", "line", "event", "statement"]))
    anchors = draw(st.lists(st.sampled_from([100, 1000, 5000, 333, 1001]).map(lambda u: text(u * 10**places, places)),
                            min_size=1, max_size=3, unique=True))
    n = draw(st.integers(1, 3))
    program = {"program": "generated", "currency": currency, "periods": {"from": frm.isoformat(), "to": to.isoformat()},
               "rounding": {"mode": draw(st.sampled_from(MODES)), "at": at},
               "rules": [draw(rules(i, places, anchors, at)) for i in range(n)]}
    if draw(st.integers(0, 4)) == 0:
        program["budget"] = {"amount": draw(budgets(anchors, places)),
                             "policy": draw(st.sampled_from(["pro_rata", "event_date", "reject"]))}
    return program, anchors


@st.composite
def amounts(draw, anchors, places):
    """Sale amounts in minor units: on an anchor, one minor unit either side, its half or third,
    an odd number of units (ties at half a unit under 2.5% or 0.5%), zero, anything."""
    a = _num(draw(st.sampled_from(anchors))) * 10**places
    a = int(a)
    return draw(st.one_of(st.sampled_from([a, a - 1, a + 1, a // 2, a // 3, 101 * 10**places // 100 * 100 + 1, 0]),
                          st.integers(0, 3 * a + 7)))


@st.composite
def cases(draw):
    program, anchors = draw(programs())
    places = CURRENCIES[program["currency"]]
    frm = datetime.date.fromisoformat(program["periods"]["from"])
    to = datetime.date.fromisoformat(program["periods"]["to"])
    # interesting days: the program's ends and just outside them, quarter starts and ends, a year before
    special = [frm, to, frm - datetime.timedelta(days=1), to + datetime.timedelta(days=1), datetime.date(2027, 3, 31),
               datetime.date(2027, 4, 1), datetime.date(2027, 6, 30), datetime.date(2027, 7, 1), frm.replace(year=2026),
               datetime.date(2026, 12, 31), datetime.date(2026, 10, 1)]
    days = st.one_of(st.sampled_from(special),
                     st.integers(-400, (to - frm).days + 20).map(lambda k: frm + datetime.timedelta(days=k)))
    n = draw(st.integers(1, 10))
    events = []
    for i in range(n):
        partner = draw(st.sampled_from(["P1", "P1", "P2", "P3"]))
        ev = {"id": f"s{i}", "kind": "sale", "date": draw(days).isoformat(), "partner": partner,
              "participants": draw(st.sampled_from(SHARES[partner])),
              "sku": draw(st.sampled_from(["X200", "S100", "K1"])), "category": "", "reference": "",
              "quantity": str(draw(st.integers(1, 5))), "amount": text(draw(amounts(anchors, places)), places)}
        if draw(st.integers(0, 5)) == 0:
            ev["category"] = draw(st.sampled_from(["servers", "accessories"]))  # the event's own category wins
        events.append(ev)
    claw_days = [r["clawback"]["days"] for r in program["rules"] if "clawback" in r] or [30]
    for j in range(draw(st.integers(0, 3))):
        sale = draw(st.sampled_from(events[:n]))
        sd = datetime.date.fromisoformat(sale["date"])
        window = draw(st.sampled_from(claw_days))
        rd = sd + datetime.timedelta(days=draw(st.one_of(st.sampled_from([0, window, window + 1]), st.integers(0, 60))))
        if rd > to or rd < frm:
            continue  # returns are filed inside the program's dates
        taken_amount = sum(_num(e["amount"]) for e in events if e.get("reference") == sale["id"])
        taken_qty = sum(int(e["quantity"]) for e in events if e.get("reference") == sale["id"])
        left_units = int((_num(sale["amount"]) - taken_amount) * 10**places)
        left_qty = int(sale["quantity"]) - taken_qty
        if left_qty <= 0 and left_units <= 0:
            continue
        qty = draw(st.integers(0, max(left_qty, 0)))
        units = draw(st.one_of(st.just(left_units), st.integers(0, max(left_units, 0)))) if left_units > 0 else 0
        events.append({"id": f"r{j}", "kind": "return", "date": rd.isoformat(), "partner": sale["partner"],
                       "participants": "", "sku": sale["sku"], "category": "", "reference": sale["id"],
                       "quantity": str(qty), "amount": text(units, places)})
    partners = [dict(p) for p in PARTNERS]
    for p in partners:
        if draw(st.booleans()):
            p["baseline"] = draw(st.sampled_from(anchors + ["0"]))
    participants = [dict(p) for p in PARTICIPANTS]
    for p in participants:
        if draw(st.integers(0, 2)) == 0:
            p["baseline"] = draw(st.sampled_from(anchors))
    plans = []
    # Plans are dated anywhere the events are, also outside the program: a per-program rule's
    # accelerator once took those too (regression test in tests/cpp/unit-engine.cpp).
    plan_days = days
    for ben in draw(st.lists(st.sampled_from(["P1", "P2", "P3", "M1", "S1", "M2"]), max_size=4, unique=True)):
        day = draw(plan_days)
        plans.append({"beneficiary": ben, "period": day.isoformat(), "target": draw(st.sampled_from(anchors))})
    return Case(program, events, partners, participants, [dict(p) for p in PRODUCTS], plans)


# ---- programs the docs declare invalid, with the code the docs give -----------------------------


@st.composite
def invalid_programs(draw):
    """(program dict, error code): one documented mistake on an otherwise valid one-rule program."""
    lo = draw(st.integers(1, 100))
    hi = lo + draw(st.integers(1, 100))
    rate = draw(st.sampled_from(RATES))

    def tiers(*rows, **kw):
        return {"tiers": dict({"table": list(rows)}, **kw)}

    mistakes = [
        (tiers({"from": "0", "to": str(lo), "rate": rate}, {"from": str(lo + 1), "rate": rate}), {}, "tier_gap"),
        (tiers({"from": "0", "to": str(hi), "rate": rate}, {"from": str(lo), "rate": rate}), {}, "tier_overlap"),
        (tiers({"from": str(hi), "rate": rate}, {"from": str(lo), "rate": rate}), {}, "tier_order"),
        (tiers({"from": str(lo), "to": str(lo), "rate": rate}), {}, "tier_bounds"),
        (tiers({"from": str(-hi), "rate": rate}, basis="marginal"), {}, "tier_bounds"),
        (tiers({"from": "0", "rate": "-" + rate}), {}, "tier_value"),
        ({"tiers": {"table": []}}, {}, "tiers"),
        (tiers({"from": "0", "rate": rate}, basis="marginal", on="count"), {}, "tier_basis"),
        (tiers({"from": "0", "rate": rate}, on={"distinct": "customer"}), {}, "tier_basis"),
        (tiers({"from": "0", "rate": rate}), {"rounding": {"at": "event"}}, "rounding_point"),
        ({"pay": {"fixed": str(hi)}}, {"rounding": {"at": "event"}}, "rounding_point"),
        ({"pay": {"rate": rate}, "cap": str(-hi)}, {}, "limit"),
        ({"pay": {"rate": rate}, "floor": {"amount": str(lo), "per": "year"}}, {}, "limit_period"),
        ({"pay": {"rate": rate}, "per": ["partner", "quarter"], "cap": {"amount": str(lo), "per": "month"}}, {}, "limit_period"),
        ({"pay": {"rate": rate}, "budget": {"amount": str(-hi)}}, {}, "budget"),
        ({"pay": {"rate": rate}}, {"budget": {"amount": str(-hi)}}, "budget"),
        ({"pay": {"rate": rate}, "budget": {"amount": "8.3251"}}, {}, "budget"),
        ({"pay": {"rate": rate}, "measure": {"distinct": "customer"}, "clawback": {"days": lo, "basis": "recompute"}}, {}, "clawback"),
        ({"pay": {"rate": rate}, "clawback": {"days": lo, "basis": "recompute"}}, {"rounding": {"at": "event"}}, "clawback"),
        ({"pay": {"rate": rate}, "per": ["program", "quarter"], "accelerator": [{"from": "0", "multiplier": "2"}]}, {}, "accelerator"),
        ({"pay": {"rate": rate}, "per": ["program", "quarter"], "when": {"segment": "smb"}}, {}, "eligibility"),
        ({"pay": {"per_unit": str(hi)}, "measure": "amount"}, {}, "schedule"),
        ({"pay": {"per_event": str(hi)}, "measure": "quantity"}, {}, "schedule"),
        ({"pay": {"rate": rate}, "per": ["partner", "program"], "measure": {"of": "amount", "growth": {"over": "prior_period"}}}, {}, "growth"),
        ({"sum_of": [{"id": "child", "pay": {"rate": rate}}], "qualify": {"min": str(lo)}}, {}, "combinator"),
        ({"sum_of": [{"id": "child", "pay": {"rate": rate}, "budget": {"amount": str(lo)}}]}, {}, "combinator"),
        ({"pay": {"rate": rate}, "per": ["partner", "custom"]}, {}, "period"),
        ({"pay": {"rate": rate}, "versions": [{"from": "2026-07-01", "pay": {"rate": rate}}]}, {}, "version"),
    ]
    rule, top, code = draw(st.sampled_from(mistakes))
    program = {"program": "invalid", "currency": draw(st.sampled_from(list(CURRENCIES))),
               "periods": {"from": "2027-01-01", "to": "2027-12-31"}, "rules": [dict({"id": "r0"}, **rule)]}
    program.update(top)
    return program, "incentives.validation." + code
