#!/usr/bin/env python3
"""Generates the sample data for examples/programs/reseller.yaml (deterministic: fixed seed).

    python3 examples/data/generate.py          # rewrites the CSV files next to this script

Writes partners.csv, participants.csv, products.csv, plans.csv and events.csv:
- 6 partners in 3 segments (enterprise, smb, public), each with a sales manager and a specialist
  (the two enterprise partners have a second specialist);
- 2026 sales (the growth rebate's baseline: measured, never paid) and 2027 sales;
- X200 launch sales, many of them inside the SPIFF window (2027-05-01 .. 2027-06-30);
- deals credited to a manager and a specialist ("M01:0.5;S01:0.5"), to one person, or to nobody;
- returns within the 30-day clawback window and after it, whole and partial.
Only the standard library is used; amounts are computed in integer cents (no floating point).
"""

import csv
import datetime as dt
import os
import random

SEED = 2027
HERE = os.path.dirname(os.path.abspath(__file__))

PARTNERS = [
    # id, name, segment, group, region, tier, trained
    ("P01", "Nordic Laptops AB", "enterprise", "north", "SE", "gold", "yes"),
    ("P02", "Rhein IT GmbH", "enterprise", "central", "DE", "silver", "yes"),
    ("P03", "Lyon Bureautique SARL", "smb", "south", "FR", "silver", "no"),
    ("P04", "Porto Office Lda", "smb", "south", "PT", "bronze", "yes"),
    ("P05", "Utrecht Public ICT BV", "public", "central", "NL", "bronze", "no"),
    ("P06", "Dublin Gov Tech Ltd", "public", "west", "IE", "gold", "yes"),
]

# Yearly sales volume scale by segment (roughly: euros of sales per quarter).
SEGMENT_SCALE = {"enterprise": 160000, "smb": 55000, "public": 90000}

PRODUCTS = [
    # sku, category, name, unit price in cents (services are priced per deal)
    ("X200", "laptops", "X200 launch laptop", 89900),
    ("L100", "laptops", "L100 business laptop", 74900),
    ("L300", "laptops", "L300 workstation laptop", 119900),
    ("SRV5", "servers", "SRV5 rack server", 420000),
    ("SRV9", "servers", "SRV9 storage server", 780000),
    ("SVC1", "services", "Installation and setup", 0),
    ("ACC5", "accessories", "USB-C docking station", 12900),
]
PRICE = {sku: price for sku, _, _, price in PRODUCTS}


def cents(c):
    """Integer cents as a decimal string with two places."""
    return f"{c // 100}.{c % 100:02d}"


def participants():
    rows = []
    rng = random.Random(SEED + 1)
    for i, (pid, _, segment, *_rest) in enumerate(PARTNERS, start=1):
        rows.append((f"M{i:02d}", pid, "manager", birthday(rng)))
        rows.append((f"S{i:02d}", pid, "specialist", birthday(rng)))
        if segment == "enterprise":
            rows.append((f"S{i + 10:02d}", pid, "specialist", birthday(rng)))
    return rows


def birthday(rng):
    return dt.date(rng.randint(1965, 1999), rng.randint(1, 12), rng.randint(1, 28)).isoformat()


def plans():
    rows = []
    rng = random.Random(SEED + 2)
    for pid, _, segment, *_ in PARTNERS:
        base = SEGMENT_SCALE[segment]
        for month in (1, 4, 7, 10):
            # Targets around the expected volume: some partners beat them, some do not.
            target = base * rng.choice([80, 90, 100, 110, 125]) // 100
            rows.append((pid, dt.date(2027, month, 1).isoformat(), target))
    return rows


def random_day(rng, start, end):
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def credit(rng, partner_index, team):
    """Participants of a deal: usually manager + specialist 50/50, sometimes one person or nobody."""
    manager, specialists = team
    r = rng.random()
    if r < 0.55:
        return f"{manager}:0.5;{rng.choice(specialists)}:0.5"
    if r < 0.70:
        return f"{manager}:0.6;{rng.choice(specialists)}:0.4"
    if r < 0.85:
        return f"{manager}:1"
    if r < 0.93:
        return f"{rng.choice(specialists)}:1"
    return ""


def sale_line(rng, sku, segment):
    """Quantity and amount in cents for one sale of `sku`."""
    if sku == "SVC1":
        return 1, rng.randrange(150000, 1200001, 2500)
    if sku in ("SRV5", "SRV9"):
        qty = rng.randint(1, 6 if segment != "smb" else 3)
    elif sku == "ACC5":
        qty = rng.randint(5, 60)
    else:
        qty = rng.randint(2, 40 if segment == "enterprise" else 20)
    return qty, qty * PRICE[sku]


def events():
    rng = random.Random(SEED)
    teams = {}
    for pid, *_ in PARTNERS:
        people = [p for p in participants() if p[1] == pid]
        teams[pid] = (next(p[0] for p in people if p[2] == "manager"), [p[0] for p in people if p[2] == "specialist"])

    sales = []  # (id, date, partner, participants, sku, qty, amount_cents)
    counter = {2026: 0, 2027: 0}

    def add_sale(day, pid, sku, segment):
        counter[day.year] += 1
        qty, amount = sale_line(rng, sku, segment)
        sales.append((f"S{day.year}-{counter[day.year]:04d}", day, pid, credit(rng, pid, teams[pid]), sku, qty, amount))

    regular = ["L100", "L100", "L300", "SRV5", "SRV9", "SVC1", "ACC5", "ACC5"]
    for index, (pid, _, segment, *_) in enumerate(PARTNERS):
        # 2026 baseline: fewer deals; 2027: more deals, with growth differing by partner
        # (P05 declines, so its growth rebate pays nothing).
        n2026 = {"enterprise": 22, "smb": 14, "public": 16}[segment]
        n2027 = {"enterprise": 34, "smb": 22, "public": 20}[segment]
        if pid == "P05":
            n2026, n2027 = 30, 10
        for _ in range(n2026):
            add_sale(random_day(rng, dt.date(2026, 1, 2), dt.date(2026, 12, 30)), pid, rng.choice(regular), segment)
        for _ in range(n2027):
            add_sale(random_day(rng, dt.date(2027, 1, 4), dt.date(2027, 12, 22)), pid, rng.choice(regular), segment)
        # X200 launch: a few sales just before the SPIFF window, most inside it, a few after.
        for _ in range(2):
            add_sale(random_day(rng, dt.date(2027, 3, 15), dt.date(2027, 4, 30)), pid, "X200", segment)
        for _ in range(5 if segment != "public" else 3):
            add_sale(random_day(rng, dt.date(2027, 5, 1), dt.date(2027, 6, 30)), pid, "X200", segment)
        for _ in range(2):
            add_sale(random_day(rng, dt.date(2027, 7, 1), dt.date(2027, 9, 30)), pid, "X200", segment)

    # Returns: about one sale in twelve, some within 30 days (clawed back), some later (not).
    returns = []
    for sale in sales:
        sid, day, pid, _, sku, qty, amount = sale
        if rng.random() >= 0.085:
            continue
        inside = rng.random() < 0.6
        after = rng.randint(1, 30) if inside else rng.randint(31, 80)
        when = day + dt.timedelta(days=after)
        if when > dt.date(2027, 12, 31):
            continue
        if sku == "SVC1":
            # A service is not returned by the unit: part of its price is refunded.
            rqty, ramount = 0, amount * rng.choice([25, 50, 100]) // 100
        else:
            rqty = qty if qty == 1 or rng.random() < 0.4 else rng.randint(1, qty - 1)
            ramount = rqty * PRICE[sku]
        returns.append((f"R{when.year}-{len(returns) + 1:04d}", when, pid, sku, rqty, ramount, sid))

    rows = []
    for sid, day, pid, people, sku, qty, amount in sales:
        rows.append((day, sid, "sale", pid, people, sku, qty, amount, ""))
    for rid, day, pid, sku, qty, amount, sid in returns:
        rows.append((day, rid, "return", pid, "", sku, qty, amount, sid))
    rows.sort(key=lambda r: (r[0], r[1]))
    # Number the events in date order: S-2027-0001 is the first sale of 2027, R-... the returns.
    final, seen = {}, {}
    for day, old, kind, *_ in rows:
        key = (kind, day.year)
        seen[key] = seen.get(key, 0) + 1
        final[old] = f"{'S' if kind == 'sale' else 'R'}-{day.year}-{seen[key]:04d}"
    return [(day, final[i], kind, p, who, sku, q, a, final[ref] if ref else "")
            for day, i, kind, p, who, sku, q, a, ref in rows]


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    write("partners.csv", ["id", "name", "segment", "group", "region", "tier", "trained"], PARTNERS)
    write("participants.csv", ["id", "partner", "role", "birthday"], participants())
    write("products.csv", ["sku", "category", "name"], [(s, c, n) for s, c, n, _ in PRODUCTS])
    write("plans.csv", ["beneficiary", "period", "target"], plans())
    write(
        "events.csv",
        ["id", "kind", "date", "partner", "participants", "sku", "category", "quantity", "amount", "currency", "reference"],
        [(i, k, d.isoformat(), p, who, sku, "", q, cents(a), "EUR", ref) for d, i, k, p, who, sku, q, a, ref in events()],
    )


if __name__ == "__main__":
    main()
