"""A reference model of the sales rules, written from docs/rules/*.md and docs/programs.md.

It shares no code with the engine: only `decimal` and `fractions` from the standard library. Every
amount is an exact `Fraction` until a documented rounding point rounds it. The model takes the
program's dict form (the subset the generator in strategies.py draws, see README.md) and the data as
lists of dicts of str, and returns the payout lines and the statement totals.

Where a page is silent, the choice made here is the one now written on the page (see README.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

MINOR_UNITS = {"EUR": 2, "USD": 2, "JPY": 0, "KWD": 3, "BHD": 3}

# ---- numbers -----------------------------------------------------------------------------------


def num(text) -> Fraction:
    """An exact number from its text: '2.5%' is 1/40, '0.1' one tenth."""
    s = str(text).strip()
    if s.endswith("%"):
        return Fraction(Decimal(s[:-1])) / 100
    if "/" in s:
        return Fraction(s)
    return Fraction(Decimal(s))


def round_to(x: Fraction, places: int, mode: str) -> Fraction:
    """x rounded to `places` decimals with a named mode (money.md section 5)."""
    scale = 10**places
    q = x * scale
    lo = q.numerator // q.denominator  # floor
    if lo == q:
        return Fraction(lo, scale)
    hi = lo + 1
    rem = q - lo  # in (0, 1)
    away = hi if x > 0 else lo  # away from zero
    toward = lo if x > 0 else hi
    if mode == "floor":
        r = lo
    elif mode == "ceiling":
        r = hi
    elif mode == "up":
        r = away
    elif mode == "down":
        r = toward
    elif mode in ("half_even", "half_up", "half_down"):
        half = Fraction(1, 2)
        if rem < half:
            r = lo
        elif rem > half:
            r = hi
        elif mode == "half_even":
            r = lo if lo % 2 == 0 else hi
        elif mode == "half_up":
            r = away
        else:
            r = toward
    else:
        raise ValueError(f"rounding mode {mode!r} is not modelled")
    return Fraction(r, scale)


def largest_remainder(total_units: int, weights: list[Fraction]) -> list[int]:
    """Split a whole number of units by weights: floors, then one unit each to the largest
    remainders, ties to the earlier weight (money.md, allocation)."""
    wsum = sum(weights, Fraction(0))
    if wsum == 0:
        return [0] * len(weights)
    exact = [total_units * w / wsum for w in weights]
    parts = [e.numerator // e.denominator for e in exact]
    left = total_units - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


# ---- calendar ----------------------------------------------------------------------------------


def to_date(x) -> datetime.date:
    return x if isinstance(x, datetime.date) else datetime.date.fromisoformat(str(x))


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    label: str


def period_of(d: datetime.date, unit: str, prog_from: datetime.date, prog_to: datetime.date) -> Period:
    """The period of `unit` containing d (fiscal years start in January)."""
    y, m = d.year, d.month
    if unit == "month":
        first, months, label = m, 1, f"{y}-{m:02d}"
    elif unit == "quarter":
        q = (m - 1) // 3
        first, months, label = 3 * q + 1, 3, f"{y}-Q{q + 1}"
    elif unit == "half":
        h = (m - 1) // 6
        first, months, label = 6 * h + 1, 6, f"{y}-H{h + 1}"
    elif unit == "year":
        first, months, label = 1, 12, f"{y}"
    elif unit == "program":
        if prog_from <= d <= prog_to:
            return Period(prog_from, prog_to, "program")
        return Period(d, d, f"outside {d}")  # never a program period, never a baseline
    else:
        raise ValueError(unit)
    start = datetime.date(y, first, 1)
    last_month = first + months - 1
    nxt = datetime.date(y + 1, 1, 1) if last_month == 12 else datetime.date(y, last_month + 1, 1)
    return Period(start, nxt - datetime.timedelta(days=1), label)


def shift(p: Period, unit: str, back: str, prog_from, prog_to) -> Period:
    """The baseline period: the previous period of the unit, or the same period a year earlier."""
    if back == "prior_period":
        return period_of(p.start - datetime.timedelta(days=1), unit, prog_from, prog_to)
    return period_of(p.start.replace(year=p.start.year - 1), unit, prog_from, prog_to)


# ---- the program -------------------------------------------------------------------------------


def _as_list(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


@dataclass
class Catalog:
    partners: dict  # id -> row
    participants: dict  # id -> row
    products: dict  # sku -> row
    plans: list  # rows
    partner_order: list = field(default_factory=list)
    participant_order: list = field(default_factory=list)

    @classmethod
    def of(cls, partners, participants, products, plans):
        return cls(
            {r["id"]: r for r in partners},
            {r["id"]: r for r in participants},
            {r["sku"]: r for r in products},
            list(plans),
            [r["id"] for r in partners],
            [r["id"] for r in participants],
        )


PARTNER_FIELDS = ("segment", "group", "region", "tier")


def partner_value(cat: Catalog, partner_id: str, name: str):
    row = cat.partners.get(partner_id, {})
    v = row.get(name, "")
    return v if v != "" else None


def field_value(ev: dict, key: str, cat: Catalog):
    """The value a selector key looks at for an event (selection.md)."""
    prod = cat.products.get(ev.get("sku", ""), {})
    if key in ("kind", "sku"):
        return ev.get(key) or None
    if key == "category":
        return ev.get("category") or prod.get("category") or None
    if key in PARTNER_FIELDS:
        return partner_value(cat, ev["partner"], key)
    if key.startswith("partner."):
        name = key[len("partner.") :]
        if name == "id":
            return ev["partner"]
        return partner_value(cat, ev["partner"], name)
    if key.startswith("product."):
        v = prod.get(key[len("product.") :], "")
        return v or None
    if key.startswith("event."):
        return ev.get("attr." + key[len("event.") :]) or None
    raise ValueError(f"selector key {key!r} is not modelled")


def matches(sel: dict, ev: dict, cat: Catalog) -> bool:
    for key, want in sel.items():
        if key == "all":
            if not all(matches(s, ev, cat) for s in want):
                return False
        elif key == "any":
            if not any(matches(s, ev, cat) for s in want):
                return False
        elif key == "not":
            if matches(want, ev, cat):
                return False
        elif key == "date":
            d = to_date(ev["date"])
            if "from" in want and d < to_date(want["from"]):
                return False
            if "to" in want and d > to_date(want["to"]):
                return False
        elif isinstance(want, dict):  # a half-open range [min, max)
            if key in ("amount", "quantity"):
                raw = ev.get(key, "")
                v = num(raw) if raw != "" else Fraction(0)
            else:
                raw = field_value(ev, key, cat)
                try:
                    v = num(raw)
                except Exception:
                    return False
            if "min" in want and v < num(want["min"]):
                return False
            if "max" in want and v >= num(want["max"]):
                return False
        else:
            if field_value(ev, key, cat) not in [str(w) for w in _as_list(want)]:
                return False
    return True


def partner_matches(sel: dict, partner_id: str, cat: Catalog) -> bool:
    """Eligibility: a selector over the partner's fields only."""
    return matches(sel, {"partner": partner_id, "sku": ""}, cat)


def mentions_kind(sel) -> bool:
    if isinstance(sel, dict):
        return any(k == "kind" or mentions_kind(v) for k, v in sel.items())
    if isinstance(sel, list):
        return any(mentions_kind(s) for s in sel)
    return False


@dataclass
class Rule:
    d: dict
    index: int

    def __post_init__(self):
        d = self.d
        self.id = d["id"]
        self.select = d.get("select", {})
        per = d.get("per", ["partner", "quarter"])
        per = _as_list(per)
        self.beneficiary = per[0] if len(per) == 2 else "partner"
        self.unit = per[-1]
        credit = d.get("credit", {})
        self.beneficiary = credit.get("to", self.beneficiary)
        self.roles = credit.get("roles")
        self.pay = d.get("pay")
        self.tiers = d.get("tiers")
        m = d.get("measure")
        if m is None:
            kind = "quantity" if self.pay and "per_unit" in self.pay else "count" if self.pay and "per_event" in self.pay else "amount"
            self.kind, self.growth = kind, None
        elif isinstance(m, str):
            self.kind, self.growth = m, None
        else:
            self.kind = m.get("of", "amount")
            g = m.get("growth")
            self.growth = None if g is None else {"over": g.get("over", "prior_year"), "form": g.get("form", "absolute")}
        q = d.get("qualify", {})
        self.min = num(q["min"]) if "min" in q else None
        self.eligible = q.get("eligible", d.get("when"))
        self.accelerator = [(num(b["from"]), num(b["multiplier"])) for b in d.get("accelerator", [])]
        self.limits = []  # (kind, amount, per or None)
        if "limits" in d:
            for lim in d["limits"]:
                kind = "cap" if "cap" in lim else "floor"
                self.limits.append((kind, num(lim[kind]), lim.get("per")))
        else:
            for kind in ("cap", "floor"):
                for lim in _as_list(d.get(kind, [])):
                    if isinstance(lim, dict):
                        self.limits.append((kind, num(lim["amount"]), _as_list(lim.get("per"))[-1] if "per" in lim else None))
                    else:
                        self.limits.append((kind, num(lim), None))
        self.budget = d.get("budget")
        self.clawback = d.get("clawback")

    def own_period_limit(self, per) -> bool:
        return per is None or per == self.unit

    def selects(self, ev, cat) -> bool:
        if not mentions_kind(self.select) and ev["kind"] != "sale":
            return False
        return matches(self.select, ev, cat)


# ---- running -----------------------------------------------------------------------------------


@dataclass
class Line:
    rule: str
    beneficiary_type: str
    beneficiary: str
    partner: str
    period: Period
    kind: str  # accrual | clawback
    amount: Fraction
    reverses: str = ""
    returned_by: str = ""
    # model-only
    measure: Fraction = Fraction(0)  # after growth
    current: Fraction = Fraction(0)  # before growth (the sum of the period's events)
    baseline: Fraction | None = None
    last_day: datetime.date | None = None
    rule_index: int = 0


def shares_of(text: str) -> list[tuple[str, Fraction]]:
    """'M1:0.6;S1:0.4', 'M1:1/3;S1:2/3', 'M1:2;S1:1' or 'M1' as (id, weight) in order."""
    if not text:
        return []
    out = []
    for part in text.split(";"):
        if ":" in part:
            pid, w = part.split(":")
            out.append((pid, num(w)))
        else:
            out.append((part, Fraction(1)))
    return out


class Model:
    def __init__(self, program: dict, partners, participants, products, plans):
        self.p = program
        self.cat = Catalog.of(partners, participants, products, plans)
        self.cur = program["currency"]
        self.minor = MINOR_UNITS[self.cur]
        rnd = program.get("rounding", {})
        self.mode = rnd.get("mode", "half_even")
        self.at = rnd.get("at", "line")
        places = program.get("places", {})
        self.amount_places = int(places.get("amount", self.minor))
        self.quantity_places = int(places.get("quantity", 0))
        self.pfrom = to_date(program["periods"]["from"])
        self.pto = to_date(program["periods"]["to"])
        self.rules = [Rule(r, i) for i, r in enumerate(program["rules"])]

    # -- helpers
    def rnd(self, x: Fraction) -> Fraction:
        return round_to(x, self.minor, self.mode)

    def period(self, d, unit) -> Period:
        return period_of(d, unit, self.pfrom, self.pto)

    def is_program_period(self, p: Period, unit) -> bool:
        return p.start <= self.pto and p.end >= self.pfrom and not p.label.startswith("outside")

    def first_period(self, unit) -> Period:
        return self.period(self.pfrom, unit)

    def counts_in(self, d: datetime.date, unit) -> bool:
        """An event is measured when it is inside the program's dates, or when its period is a
        look-back period (entirely before the program's first period)."""
        if self.pfrom <= d <= self.pto:
            return True
        if unit == "program":
            return False
        p = self.period(d, unit)
        return p.end < self.first_period(unit).start

    def value_of(self, ev, kind) -> tuple[Fraction, int]:
        """(the event's measure, the places of its column)."""
        if kind == "amount":
            return (num(ev["amount"]) if ev.get("amount", "") != "" else Fraction(0)), self.amount_places
        if kind == "quantity":
            return (num(ev["quantity"]) if ev.get("quantity", "") != "" else Fraction(0)), self.quantity_places
        if kind == "count":
            return Fraction(1), 0
        raise ValueError(kind)

    def credited(self, rule: Rule, ev, value: Fraction, places: int) -> list[tuple[str, str, Fraction, Fraction]]:
        """[(beneficiary, partner, part of the measure, weight)] for an event (credit.md)."""
        if rule.beneficiary == "partner":
            return [(ev["partner"], ev["partner"], value, Fraction(1))]
        if rule.beneficiary == "program":
            return [("program", "", value, Fraction(1))]
        people = shares_of(ev.get("participants", ""))
        if not people:
            return []
        wsum = sum((w for _, w in people), Fraction(0))
        weights = [w / wsum for _, w in people]
        unit = Fraction(1, 10 ** (places + 4))
        parts = largest_remainder(int(value / unit), weights)
        out = []
        for (pid, _), w, units in zip(people, weights, parts):
            if rule.roles is not None and self.cat.participants[pid].get("role", "") not in rule.roles:
                continue
            out.append((pid, ev["partner"], units * unit, w))
        return out

    def split_payout(self, ev, payout: Fraction, rule: Rule) -> dict:
        """At event rounding: the sale's payout rounded once, split by the shares in minor units."""
        rounded = self.rnd(payout)
        if rule.beneficiary != "participant":
            return None
        people = shares_of(ev.get("participants", ""))
        wsum = sum((w for _, w in people), Fraction(0))
        unit = Fraction(1, 10**self.minor)
        parts = largest_remainder(int(rounded / unit), [w / wsum for _, w in people])
        return {pid: units * unit for (pid, _), units in zip(people, parts)}

    # -- the schedule and per-period modifiers (steps 2 and 3)
    def schedule(self, rule: Rule, m: Fraction) -> Fraction:
        pay, tiers = rule.pay, rule.tiers
        if tiers is not None:
            return self.tier_amount(tiers, m)
        if "fixed" in pay:
            return num(pay["fixed"]) if m > 0 else Fraction(0)
        (key,) = pay.keys()
        return max(Fraction(0), m * num(pay[key]))

    def tier_amount(self, tiers: dict, m: Fraction) -> Fraction:
        rows = tiers["table"]
        value = "rate" if "rate" in rows[0] else "amount"
        froms = [num(r["from"]) for r in rows]
        top = num(rows[-1]["to"]) if "to" in rows[-1] else None
        k = max((i for i, f in enumerate(froms) if f <= m), default=None)
        if k is None:
            return Fraction(0)
        capped = m if top is None else min(m, top)  # above an explicit top the excess earns nothing
        if tiers.get("basis", "retroactive") == "retroactive":
            v = num(rows[k][value])
            return max(Fraction(0), capped * v) if value == "rate" else v
        total = Fraction(0)
        for i in range(k + 1):
            v = num(rows[i][value])
            if value == "amount":
                total += v
            else:
                end = froms[i + 1] if i + 1 < len(rows) else capped
                total += (min(capped, end) - froms[i]) * v
        return total

    def plan_target(self, beneficiary: str, period: Period):
        targets = [num(p["target"]) for p in self.cat.plans if p["beneficiary"] == beneficiary and period.start <= to_date(p["period"]) <= period.end]
        return sum(targets, Fraction(0)) if targets else None

    def modifiers(self, rule: Rule, line: Line, amount: Fraction, m: Fraction) -> Fraction:
        """Threshold, eligibility, accelerator, caps and floors of the rule's own period."""
        if rule.min is not None and m < rule.min:
            return Fraction(0)
        if rule.eligible is not None and not partner_matches(rule.eligible, line.partner, self.cat):
            return Fraction(0)
        if rule.accelerator:
            target = self.plan_target(line.beneficiary, line.period)
            if target is not None:
                mult = Fraction(1)
                for frm, mu in rule.accelerator:
                    if m >= frm * target:
                        mult = mu
                amount = amount * mult
        for kind, value, per in rule.limits:
            if rule.own_period_limit(per):
                amount = min(amount, value) if kind == "cap" else max(amount, value)
        return amount

    def measure_after_growth(self, rule: Rule, current: Fraction, baseline: Fraction | None):
        """(measure, payable): the measure after growth; a percent without a positive baseline is
        measured as 0 and pays nothing."""
        if rule.growth is None:
            return current, True
        if rule.growth["form"] == "absolute":
            return current - baseline, True
        if baseline <= 0:
            return Fraction(0), False
        return round_to((current - baseline) / baseline, 6, "half_even"), True

    def pay_line(self, rule: Rule, line: Line, current: Fraction, event_sum: Fraction | None) -> Fraction:
        m, payable = self.measure_after_growth(rule, current, line.baseline)
        line.measure = m
        if event_sum is not None:
            amount = event_sum
        elif payable:
            amount = self.schedule(rule, m)
        else:
            amount = Fraction(0)
        return self.modifiers(rule, line, amount, m)

    # -- the run
    def run(self, events: list[dict]):
        sales = {e["id"]: e for e in events if e["kind"] == "sale"}
        lines: list[Line] = []
        per_rule_groups = {}
        for rule in self.rules:
            groups = {}  # (beneficiary, period) -> dict
            per_event_rounding = self.at == "event" and rule.growth is None
            for ev in events:
                if not rule.selects(ev, self.cat):
                    continue
                d = to_date(ev["date"])
                if not self.counts_in(d, rule.unit):
                    continue
                per = self.period(d, rule.unit)
                value, places = self.value_of(ev, rule.kind)
                split = None
                if per_event_rounding:
                    (key,) = rule.pay.keys()
                    split = self.split_payout(ev, value * num(rule.pay[key]), rule)
                    whole = self.rnd(value * num(rule.pay[key]))
                for ben, partner, part, _w in self.credited(rule, ev, value, places):
                    g = groups.setdefault((ben, per), {"partner": partner, "current": Fraction(0), "event_sum": Fraction(0), "last": d, "sales": []})
                    g["current"] += part
                    if per_event_rounding:
                        g["event_sum"] += split[ben] if split is not None else whole
                    g["last"] = max(g["last"], d)
                    g["sales"].append((ev["id"], part))
            per_rule_groups[rule.id] = groups
            for (ben, per), g in groups.items():
                if not self.is_program_period(per, rule.unit):
                    continue  # a look-back period: a baseline, never paid
                line = Line(rule.id, rule.beneficiary, ben, g["partner"], per, "accrual", Fraction(0), current=g["current"], last_day=g["last"], rule_index=rule.index)
                if rule.growth is not None:
                    line.baseline = self.baseline(rule, ben, per, groups)
                line.amount = self.pay_line(rule, line, g["current"], g["event_sum"] if per_event_rounding else None)
                line.sales = g["sales"]
                lines.append(line)
            self.longer_caps(rule, [ln for ln in lines if ln.rule == rule.id])
        # step 6: rounding
        for ln in lines:
            if self.at != "statement":
                ln.amount = self.rnd(ln.amount)
        # step 7: budgets
        for rule in self.rules:
            if rule.budget is not None:
                self.apply_budget(rule.budget, [ln for ln in lines if ln.rule == rule.id])
        if "budget" in self.p:
            self.apply_budget(self.p["budget"], lines)
        # step 8: clawbacks
        claws = self.clawbacks(events, sales, lines)
        return lines + claws

    def baseline(self, rule: Rule, ben: str, per: Period, groups) -> Fraction:
        over = rule.growth["over"]
        if isinstance(over, dict):
            attr = over["attribute"]
            if rule.beneficiary == "program":
                return Fraction(0)
            row = self.cat.partners.get(ben) if rule.beneficiary == "partner" else self.cat.participants.get(ben)
            v = (row or {}).get(attr, "")
            return num(v) if v != "" else Fraction(0)
        prev = shift(per, rule.unit, over, self.pfrom, self.pto)
        g = groups.get((ben, prev))
        return g["current"] if g else Fraction(0)

    def longer_caps(self, rule: Rule, lines: list[Line]):
        """Step 4: caps over a longer period, each beneficiary's lines in period order."""
        for kind, value, per in rule.limits:
            if kind != "cap" or rule.own_period_limit(per):
                continue
            used = {}
            for ln in sorted(lines, key=lambda x: (x.beneficiary, x.period.start)):
                key = (ln.beneficiary, self.period(ln.period.start, per).label if per != "program" else "program")
                left = value - used.get(key, Fraction(0))
                ln.amount = min(ln.amount, max(left, Fraction(0)))
                used[key] = used.get(key, Fraction(0)) + ln.amount

    def ben_rank(self, ln: Line):
        if ln.beneficiary_type == "partner":
            return self.cat.partner_order.index(ln.beneficiary)
        if ln.beneficiary_type == "participant":
            return self.cat.participant_order.index(ln.beneficiary)
        return 0

    def apply_budget(self, budget: dict, lines: list[Line]):
        amount = num(budget["amount"])
        total = sum((ln.amount for ln in lines), Fraction(0))
        if total <= amount:
            return
        policy = budget.get("policy", "pro_rata")
        if policy == "pro_rata":
            ordered = sorted(lines, key=lambda ln: (ln.rule_index, self.ben_rank(ln), ln.period.start))
            unit = Fraction(1, 10**self.minor)
            parts = largest_remainder(int(amount / unit), [ln.amount for ln in ordered])
            for ln, units in zip(ordered, parts):
                ln.amount = units * unit
            return
        left = amount
        for ln in sorted(lines, key=lambda ln: (ln.last_day, ln.beneficiary, ln.period.start, ln.rule_index)):
            if policy == "event_date":
                ln.amount = min(ln.amount, left)
            elif ln.amount > left:
                ln.amount = Fraction(0)
            left -= ln.amount

    def clawbacks(self, events, sales, lines: list[Line]) -> list[Line]:
        out = []
        returns = sorted((e for e in events if e["kind"] == "return"), key=lambda r: (to_date(r["date"]), r["id"], r["reference"]))
        by_key = {(ln.rule, ln.beneficiary, ln.period): ln for ln in lines}
        standing = {}
        returned_so_far = {}
        for rule in self.rules:
            if rule.clawback is None:
                continue
            days = int(rule.clawback["days"])
            recompute = rule.clawback.get("basis", "proportional") == "recompute"
            for r in returns:
                sale = sales[r["reference"]]
                sd, rd = to_date(sale["date"]), to_date(r["date"])
                if (rd - sd).days > days or not rule.selects(sale, self.cat):
                    continue
                if not (self.pfrom <= sd <= self.pto):
                    continue
                value, places = self.value_of(sale, rule.kind)
                if rule.kind == "quantity" or num(sale["amount"]) == 0:
                    frac = num(r.get("quantity") or "0") / num(sale["quantity"])
                else:
                    frac = num(r["amount"]) / num(sale["amount"])
                if frac == 0:
                    continue  # a return of nothing reverses nothing: no line
                sper = self.period(sd, rule.unit)
                for ben, partner, part, _w in self.credited(rule, sale, value, places):
                    ln = by_key.get((rule.id, ben, sper))
                    if ln is None or ln.amount == 0:
                        continue
                    if ln.current == 0:
                        continue  # a line with no measure (a floor paid it) has nothing to reverse, under either basis
                    if recompute:
                        key = id(ln)
                        stand = standing.get(key, ln.amount)
                        gone = returned_so_far.get(key, Fraction(0)) + part * frac
                        returned_so_far[key] = gone
                        probe = Line(ln.rule, ln.beneficiary_type, ln.beneficiary, ln.partner, ln.period, "accrual", Fraction(0), baseline=ln.baseline)
                        again = self.pay_line(rule, probe, ln.current - gone, None)
                        if self.at != "statement":
                            again = self.rnd(again)
                        amount = min(Fraction(0), again - stand)
                        standing[key] = stand + amount
                    else:
                        amount = self.rnd(-(ln.amount * part / ln.current * frac))
                    rper = self.period(rd, rule.unit)
                    out.append(Line(rule.id, rule.beneficiary, ben, partner, rper, "clawback", amount, reverses=sale["id"], returned_by=r["id"], rule_index=rule.index))
        return out


def statements(lines: list[Line], minor: int, mode: str, at: str):
    """{(beneficiary_type, beneficiary, period label): (exact, amount)}"""
    out = {}
    for ln in lines:
        key = (ln.beneficiary_type, ln.beneficiary, ln.period.label)
        out[key] = out.get(key, Fraction(0)) + ln.amount
    return {k: (v, round_to(v, minor, mode) if at == "statement" else v) for k, v in out.items()}


def run(program: dict, events, partners=(), participants=(), products=(), plans=()):
    """(lines, statements) of the model, as plain tuples of exact Fractions."""
    model = Model(program, list(partners), list(participants), list(products), list(plans))
    lines = model.run(list(events))
    return lines, statements(lines, model.minor, model.mode, model.at)
