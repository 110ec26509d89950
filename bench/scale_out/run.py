"""Scale-out benchmark (issue 15): examples/programs/reseller.yaml over a Parquet data set of 100 M
events, run in one process (Program.run) and on a local Dask cluster of 1 and 2 workers
(incentives.dask.run): wall time, events/s, peak memory per worker, the overhead against the single
process, and a check that every distributed result equals the single-process one.

    PYTHONPATH=... .venv/bin/python bench/scale_out/run.py          # 100 M events, 100,000 partners, 1 and 2 workers
    PYTHONPATH=... .venv/bin/python bench/scale_out/run.py --single --events 20000000   # with the one-process baseline
    PYTHONPATH=... .venv/bin/python bench/scale_out/run.py --single --events 1000000 --partners 10000 \\
        --partitions-per-worker 4 --data /tmp/scale-out-1m                      # a smoke run, ~1 minute

One process cannot hold 100 M events on this machine (about 56 GB at the peak; README.md): --single
is skipped, with a message, when its estimate exceeds the memory available.

The data (events as a Parquet dataset, the reference tables as CSV) is generated once into --data and
reused while manifest.json says it was made with the same options. Every measurement runs in a fresh
child process (and every Dask run on freshly started workers), so each peak RSS is that run's own.
See README.md for what is timed and for the memory this needs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import logging
import math
import os
import pickle
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROGRAM = ROOT / "examples/programs/reseller.yaml"
TABLES = ("partners", "participants", "products", "plans")

# Bump when the generated data changes, so that an old data directory is regenerated.
DATA_FORMAT = 1
YEAR = 2027  # the program year; the year before is the growth rebate's baseline
ROW_GROUP_ROWS = 1_000_000
# Peak RSS of Program.run over a Parquet dataset per event, measured at 1 M and 4 M events: the
# Arrow table (~85 B, kept alive by the EventTable, which reads its strings in place), the EventTable
# (~150 B) and the engine's run (~300 B). 100 M events need ~56 GB: more than this machine has.
SINGLE_BYTES_PER_EVENT = 560
SINGLE_BYTES_FIXED = 300 * 2**20
SPECIALISTS = 2  # per partner, besides the manager (as `incentives generate`)

# The products of examples/data: sku, category, name, unit price in cents (services are priced per
# deal), weight among the sales.
PRODUCTS = [
    ("X200", "laptops", "X200 launch laptop", 89900, 2),
    ("L100", "laptops", "L100 business laptop", 74900, 3),
    ("L300", "laptops", "L300 workstation laptop", 119900, 2),
    ("SRV5", "servers", "SRV5 rack server", 420000, 1),
    ("SRV9", "servers", "SRV9 storage server", 780000, 1),
    ("SVC1", "services", "Installation and setup", 0, 1),
    ("ACC5", "accessories", "USB-C docking station", 12900, 3),
]
SKUS = [p[0] for p in PRODUCTS]
CATEGORY = np.array([["laptops", "servers", "services", "accessories"].index(p[1]) for p in PRODUCTS])
SERVERS, SERVICES, ACCESSORIES = 1, 2, 3  # indexes of CATEGORY (0: laptops)
PRICE = np.array([p[3] for p in PRODUCTS], dtype=np.int64)
X200, L100 = 0, 1

SEGMENTS = ["enterprise", "smb", "public"]
REGIONS = [("SE", "north", "AB"), ("DK", "north", "A/S"), ("FI", "north", "Oy"), ("DE", "central", "GmbH"),
           ("NL", "central", "BV"), ("BE", "central", "NV"), ("AT", "central", "GmbH"), ("FR", "south", "SARL"),
           ("PT", "south", "Lda"), ("ES", "south", "SL"), ("IT", "south", "Srl"), ("IE", "west", "Ltd")]
NAME_FIRST = ["Nordic", "Rhein", "Lyon", "Porto", "Utrecht", "Dublin", "Alpine", "Baltic", "Iberia", "Adria",
              "Delta", "Summit", "Harbor", "Meridian", "Polar", "Vista"]
NAME_SECOND = ["Laptops", "IT", "Bureautique", "Office", "Systems", "Tech", "Data", "Solutions", "Computing",
               "Networks", "Digital", "Gov Tech"]

EVENT_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("kind", pa.dictionary(pa.int8(), pa.string())),
    ("date", pa.date32()),
    ("partner", pa.string()),
    ("participants", pa.string()),
    ("sku", pa.dictionary(pa.int8(), pa.string())),
    ("category", pa.string()),  # empty: the engine takes the product's
    ("quantity", pa.int64()),
    ("amount", pa.decimal128(12, 2)),
    ("currency", pa.dictionary(pa.int8(), pa.string())),
    ("reference", pa.string()),
])


# -- the data ----------------------------------------------------------------------------------------


def cents_to_decimal(cents: np.ndarray) -> pa.Array:
    """Integer cents as decimal128(12, 2) holding exactly those units. A decimal128 value is its
    unscaled integer in 16 little-endian two's-complement bytes, so the int64 cents with their sign
    extended are the array's buffer: no float, no text, no per-row work. (A cast of int64 to decimal
    would read 12345 as 12345.00, not 123.45.)"""
    assert sys.byteorder == "little"
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    if cents.size and int(np.abs(cents).max()) >= 10**12:
        raise OverflowError("an amount does not fit decimal128(12, 2)")
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(12, 2), len(cents), [None, pa.py_buffer(words)])


def check_cents_to_decimal() -> None:
    cents = np.array([0, 1, 99, 100, 12345, -1, -250, 99_999_999_999, 780000 * 4], dtype=np.int64)
    got = cents_to_decimal(cents).to_pylist()
    want = [decimal.Decimal(int(c)).scaleb(-2) for c in cents]
    assert got == want and [str(g) for g in got][:5] == ["0.00", "0.01", "0.99", "1.00", "123.45"], got


def calendar() -> tuple[np.ndarray, int]:
    """Cumulative sale weights of the days from the baseline year's 1 January to the program year's
    31 December: more sales on weekdays, at quarter ends and in the program year (the calendar of
    `incentives generate`); and the index of the program's first day."""
    first = np.datetime64(f"{YEAR - 1}-01-01", "D")
    days = np.arange(first, np.datetime64(f"{YEAR + 1}-01-01", "D"))
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    day_of_month = (days - days.astype("datetime64[M]")).astype(int) + 1
    weekday = (days.astype(int) + 3) % 7  # 0 Monday; 1970-01-01 was a Thursday
    in_year = days >= np.datetime64(f"{YEAR}-01-01", "D")
    weight = np.where(in_year, 11, 9) * np.where(weekday >= 5, 3, 10) * np.where((month % 3 == 0) & (day_of_month >= 20), 3, 2)
    return np.cumsum(weight), int(np.argmax(in_year))


FIRST_DAY = int(np.datetime64(f"{YEAR - 1}-01-01", "D").astype(int))  # date32 of the calendar's day 0
LAUNCH = int((np.datetime64(f"{YEAR}-03-15", "D") - np.datetime64(f"{YEAR - 1}-01-01", "D")).astype(int))


def digits(n: int) -> int:
    return len(str(n))


class Partners:
    """Partners with their people and sales weights, and the reference tables."""

    def __init__(self, count: int, seed: int) -> None:
        rng = np.random.default_rng([seed, 1])
        self.count = count
        width = max(2, digits(count))
        numbers = [f"{i:0{width}d}" for i in range(1, count + 1)]
        self.ids = pa.array([f"P{n}" for n in numbers])
        self.managers = pa.array([f"M{n}" for n in numbers])
        # Specialist k of partner p at p * SPECIALISTS + k.
        self.specialists = pa.array([f"S{n}-{k}" for n in numbers for k in range(1, SPECIALISTS + 1)])
        r = rng.integers(0, 100, count)
        self.segment = np.where(r < 20, 0, np.where(r < 70, 1, 2))
        self.region = rng.integers(0, len(REGIONS), count)
        tier_odds = np.array([[50, 90], [10, 50], [30, 70]])[self.segment]
        t = rng.integers(0, 100, count)
        self.tier = np.where(t < tier_odds[:, 0], "gold", np.where(t < tier_odds[:, 1], "silver", "bronze"))
        self.trained = np.where(rng.integers(0, 100, count) < 70, "yes", "no")
        self.first = rng.integers(0, len(NAME_FIRST), count)
        self.second = rng.integers(0, len(NAME_SECOND), count)
        # Shares of the baseline year's and the program year's sales: 50%..150% of the segment's
        # scale, then -40%..+60% growth, so some partners earn a growth rebate and some do not.
        self.weight_prior = np.array([800, 200, 400])[self.segment] * rng.integers(50, 151, count)
        self.weight_current = np.maximum(1, self.weight_prior * rng.integers(60, 161, count) // 100)
        self.pick_prior = np.cumsum(self.weight_prior)
        self.pick_current = np.cumsum(self.weight_current)
        self.birth = rng.integers(int(np.datetime64("1960-01-01", "D").astype(int)),
                                  int(np.datetime64("1999-12-28", "D").astype(int)), count * (1 + SPECIALISTS))
        self.plan_factor = rng.choice(np.array([80, 90, 100, 110, 125]), (count, 4))

    def write_tables(self, out: Path, events: int) -> None:
        import pandas as pd

        ids = self.ids.to_pylist()
        region = [REGIONS[i] for i in self.region]
        pd.DataFrame({
            "id": ids,
            "name": [f"{NAME_FIRST[a]} {NAME_SECOND[b]} {r[2]}" for a, b, r in zip(self.first, self.second, region)],
            "segment": np.array(SEGMENTS)[self.segment],
            "group": [r[1] for r in region],
            "region": [r[0] for r in region],
            "tier": self.tier,
            "trained": self.trained,
        }).to_csv(out / "partners.csv", index=False)

        people, partner_of, role = [], [], []
        managers, specialists = self.managers.to_pylist(), self.specialists.to_pylist()
        for p in range(self.count):
            people.append(managers[p]), partner_of.append(ids[p]), role.append("manager")
            for k in range(SPECIALISTS):
                people.append(specialists[p * SPECIALISTS + k]), partner_of.append(ids[p]), role.append("specialist")
        pd.DataFrame({"id": people, "partner": partner_of, "role": role,
                      "birthday": self.birth.astype("datetime64[D]").astype(str)}).to_csv(out / "participants.csv", index=False)

        pd.DataFrame({"sku": SKUS, "category": [p[1] for p in PRODUCTS], "name": [p[2] for p in PRODUCTS]}).to_csv(
            out / "products.csv", index=False)

        # Quarterly plans around each partner's expected sales, give or take, in whole thousands of
        # euros, so that some partners beat theirs and some do not. Integers only: the share of the
        # program year from the calendar's weights, the mean sale from twice the mean quantity.
        weights, program_start = calendar()
        current_sales = events * 95 // 100 * int(weights[-1] - weights[program_start - 1]) // int(weights[-1])
        twice_mean = np.select([CATEGORY == SERVICES, CATEGORY == SERVERS, CATEGORY == ACCESSORIES],
                               [np.full(len(PRODUCTS), 2 * 675000), 5 * PRICE, 65 * PRICE], 22 * PRICE)
        weight = np.array([p[4] for p in PRODUCTS])
        mean_cents = int((twice_mean * weight).sum() // (2 * weight.sum()))
        quarter_euros = current_sales * self.weight_current // int(self.weight_current.sum()) * mean_cents // 4 // 100
        target = np.maximum(1000, quarter_euros[:, None] * self.plan_factor // 100 // 1000 * 1000)
        periods = [f"{YEAR}-{m:02d}-01" for m in (1, 4, 7, 10)]
        pd.DataFrame({"beneficiary": np.repeat(ids, 4), "period": periods * self.count,
                      "target": target.reshape(-1)}).to_csv(out / "plans.csv", index=False)


def join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def event_chunk(partners: Partners, rows: int, seed: int, chunk: int, sale_base: int, return_base: int,
                width: int) -> pa.Table:
    """`rows` events: sales and about 5% returns of those sales, 1..60 days after them, in date order.
    A return is of the same partner and SKU, never above its sale (a service is refunded in part, a
    product returned by the unit). Sales and returns are numbered from sale_base and return_base."""
    rng = np.random.default_rng([seed, 2, chunk])
    weights, program_start = calendar()
    last_day = len(weights) - 1
    n_returns = rows * 5 // 100
    n_sales = rows - n_returns

    day = np.searchsorted(weights, rng.integers(0, weights[-1], n_sales), side="right")
    current = day >= program_start
    partner = np.empty(n_sales, dtype=np.int64)
    for mask, pick in ((current, partners.pick_current), (~current, partners.pick_prior)):
        partner[mask] = np.searchsorted(pick, rng.integers(0, pick[-1], int(mask.sum())), side="right")
    product_pick = np.cumsum([p[4] for p in PRODUCTS])
    product = np.searchsorted(product_pick, rng.integers(0, product_pick[-1], n_sales), side="right")
    product[(product == X200) & (day < LAUNCH)] = L100  # the X200 launches mid-March of the program year
    category = CATEGORY[product]
    quantity = np.select(
        [category == SERVICES, category == SERVERS, category == ACCESSORIES],
        [np.ones(n_sales, np.int64), rng.integers(1, 5, n_sales), rng.integers(5, 61, n_sales)],
        rng.integers(2, 21, n_sales))
    amount = np.where(category == SERVICES, 150000 + 2500 * rng.integers(0, 421, n_sales), quantity * PRICE[product])
    credit = rng.integers(0, 100, n_sales)  # who is on the deal, see credit_text
    specialist = partner * SPECIALISTS + rng.integers(0, SPECIALISTS, n_sales)

    # Returns: sales whose return date falls within the data, chosen without repeats (one return
    # per sale, so returns never exceed their sale).
    lag = rng.integers(1, 61, n_sales)
    returned = np.sort(rng.choice(np.flatnonzero(day + lag <= last_day), n_returns, replace=False))
    r_quantity = quantity[returned]
    whole = (r_quantity == 1) | (rng.integers(0, 100, n_returns) < 40)
    r_quantity = np.where(whole, r_quantity, rng.integers(1, np.maximum(r_quantity, 2), n_returns))
    r_service = category[returned] == SERVICES
    r_amount = np.where(r_service, amount[returned] * rng.choice(np.array([25, 50, 100]), n_returns) // 100,
                        r_quantity * PRICE[product[returned]])
    r_quantity = np.where(r_service, 0, r_quantity)

    # Everything in date order (stable: sales before returns on the same day), then numbered.
    kind = np.concatenate([np.zeros(n_sales, np.int8), np.ones(n_returns, np.int8)])
    all_day = np.concatenate([day, day[returned] + lag[returned]])
    order = np.argsort(all_day, kind="stable")
    kind, all_day = kind[order], all_day[order]
    source = order  # < n_sales: that sale; else the return of sale returned[source - n_sales]
    is_sale = kind == 0
    seq = np.where(is_sale, sale_base + np.cumsum(is_sale), return_base + np.cumsum(~is_sale))
    sale_seq = np.empty(n_sales, dtype=np.int64)
    sale_seq[source[is_sale]] = seq[is_sale]
    sale_of = np.where(is_sale, source, returned[np.maximum(source - n_sales, 0)])  # the sale behind each row
    ret = np.maximum(source - n_sales, 0)

    year = YEAR - 1 + (all_day >= program_start)
    prefix = pa.array(["S-%d-" % (YEAR - 1), "S-%d-" % YEAR, "R-%d-" % (YEAR - 1), "R-%d-" % YEAR])
    number = lambda values: pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0")  # noqa: E731
    ids = join(prefix.take(pa.array(kind * 2 + (year - YEAR + 1))), number(seq))
    sale_year = YEAR - 1 + (day[sale_of] >= program_start)
    reference = join(prefix.take(pa.array(sale_year - YEAR + 1)), number(sale_seq[sale_of]))
    reference = pc.if_else(pa.array(is_sale), pa.nulls(rows, pa.string()), reference)

    # Credit: mostly the manager and a specialist (0.5/0.5 or 0.6/0.4), sometimes one of them alone,
    # sometimes nobody; a return credits no one.
    c = credit[sale_of]
    case = np.select([c < 55, c < 70, c < 85, c < 93], [0, 1, 2, 3], 4)
    manager = partners.managers.take(pa.array(partner[sale_of]))
    spec = partners.specialists.take(pa.array(specialist[sale_of]))
    first = pc.if_else(pa.array(case == 3), spec, manager)
    share = pa.array([":0.5;", ":0.6;", ":1", ":1", ""]).take(pa.array(case))
    second = pc.if_else(pa.array(case < 2), spec, "")
    tail = pa.array([":0.5", ":0.4", "", "", ""]).take(pa.array(case))
    participants = pc.if_else(pa.array(is_sale & (case < 4)), join(first, share, second, tail), pa.nulls(rows, pa.string()))

    quantity_all = np.where(is_sale, quantity[sale_of], r_quantity[ret])
    amount_all = np.where(is_sale, amount[sale_of], r_amount[ret])
    return pa.table({
        "id": ids,
        "kind": pa.DictionaryArray.from_arrays(pa.array(kind), pa.array(["sale", "return"])),
        "date": pa.array((FIRST_DAY + all_day).astype(np.int32), pa.date32()),
        "partner": partners.ids.take(pa.array(partner[sale_of])),
        "participants": participants,
        "sku": pa.DictionaryArray.from_arrays(pa.array(product[sale_of].astype(np.int8)), pa.array(SKUS)),
        "category": pa.nulls(rows, pa.string()),
        "quantity": pa.array(quantity_all, pa.int64()),
        "amount": cents_to_decimal(amount_all),
        "currency": pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, np.int8)), pa.array(["EUR"])),
        "reference": reference,
    }, schema=EVENT_SCHEMA)


def generate(data: Path, events: int, partner_count: int, seed: int, rows_per_file: int) -> dict:
    """The data set in `data`, reused if manifest.json says it was made with these options."""
    options = {"format": DATA_FORMAT, "events": events, "partners": partner_count, "seed": seed,
               "rows_per_file": rows_per_file}
    manifest_path = data / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        files = [data / "events" / f for f in manifest.get("files", [])]
        if manifest.get("options") == options and all(f.exists() for f in files):
            print(f"data: reusing {data} ({events:,} events, {partner_count:,} partners)", flush=True)
            return manifest
        manifest_path.unlink()  # made with other options, or interrupted: made again
    check_cents_to_decimal()
    print(f"data: generating {events:,} events, {partner_count:,} partners into {data}", flush=True)
    t0 = time.perf_counter()
    events_dir = data / "events"
    if events_dir.exists():
        shutil.rmtree(events_dir)
    events_dir.mkdir(parents=True)
    partners = Partners(partner_count, seed)
    partners.write_tables(data, events)
    width = max(4, digits(events))
    files, sales, returns, arrow_bytes = [], 0, 0, 0
    for chunk, start in enumerate(range(0, events, rows_per_file)):
        table = event_chunk(partners, min(rows_per_file, events - start), seed, chunk, sales, returns, width)
        if chunk == 0:
            check_chunk(table)
        name = f"part-{chunk:05d}.parquet"
        pq.write_table(table, events_dir / name, row_group_size=ROW_GROUP_ROWS, compression="zstd")
        n_returns = pc.sum(pc.equal(table["kind"].cast(pa.string()), "return")).as_py()
        files.append(name)
        sales += table.num_rows - n_returns
        returns += n_returns
        arrow_bytes += table.nbytes
        del table
        print(f"  {start + min(rows_per_file, events - start):,} events ({time.perf_counter() - t0:.0f} s)", flush=True)
    manifest = {"options": options, "files": files, "sales": sales, "returns": returns,
                "arrow_bytes": arrow_bytes, "parquet_bytes": sum((events_dir / f).stat().st_size for f in files),
                "seconds": round(time.perf_counter() - t0, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def check_chunk(table: pa.Table) -> None:
    """A few invariants of the generated events, on the first chunk: unique ids, returns of known
    sales of the same partner and SKU, after them and never above them."""
    import pandas as pd

    frame = table.to_pandas()
    assert frame["id"].is_unique
    amounts = frame["amount"]
    assert all(isinstance(a, decimal.Decimal) and a.as_tuple().exponent == -2 for a in amounts.head(100))
    sales = frame[frame["kind"] == "sale"].set_index("id")
    returns = frame[frame["kind"] == "return"]
    sale = sales.loc[returns["reference"]]
    assert (sale["partner"].to_numpy() == returns["partner"].to_numpy()).all()
    assert (sale["sku"].to_numpy() == returns["sku"].to_numpy()).all()
    assert (pd.to_datetime(sale["date"]).to_numpy() < pd.to_datetime(returns["date"]).to_numpy()).all()
    assert (sale["amount"].to_numpy() >= returns["amount"].to_numpy()).all()
    assert (sale["quantity"].to_numpy() >= returns["quantity"].to_numpy()).all()
    assert returns["participants"].isna().all() and sales["reference"].isna().all()


# -- the measurements (each in a child process of its own) -------------------------------------------


def rusage_self() -> dict:
    """This process's peak RSS (MiB; ru_maxrss is KiB on Linux) and CPU seconds so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_mb": r.ru_maxrss / 1024, "cpu_s": r.ru_utime + r.ru_stime}


def tables(data: Path) -> dict:
    return {name: str(data / f"{name}.csv") for name in TABLES}


def save_result(result, path: Path) -> None:
    """What the results are compared on, in plain pandas: a Result pickles as its measures and would
    be settled again on loading, which is not the comparison wanted here."""
    with open(path, "wb") as f:
        pickle.dump({"payouts": result.payouts, "statements": result.statements, "total": result.total,
                     "events_seen": result.events_seen}, f, protocol=pickle.HIGHEST_PROTOCOL)


def measure_single(data: Path, threads: int, result_path: Path) -> dict:
    import incentives

    program = incentives.Program.from_yaml(PROGRAM)
    t0 = time.perf_counter()
    result = program.run(str(data / "events"), **tables(data), threads=threads)
    seconds = time.perf_counter() - t0
    usage = rusage_self()
    save_result(result, result_path)
    return {"seconds": seconds, "peak_mb": usage["peak_mb"], "cpu_s": usage["cpu_s"], "events_seen": result.events_seen}


def measure_dask(data: Path, workers: int, partitions: int, threads: int, memory_limit: str, result_path: Path) -> dict:
    import dask
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    import incentives
    import incentives.dask

    def worker_usage() -> dict:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return {"peak_mb": r.ru_maxrss / 1024, "cpu_s": r.ru_utime + r.ru_stime}

    # The scheduler runs in this process and logs every p2p shuffle at WARNING; the workers' own
    # warnings (a worker over its memory limit) still show.
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    program = incentives.Program.from_yaml(PROGRAM)
    runs = []
    for check_ids in (True, False):
        # A cluster of its own for each run: fresh worker processes, so that ru_maxrss is this run's peak.
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            events = dd.read_parquet(str(data / "events"))
            t0 = time.perf_counter()
            result = incentives.dask.run(program, events, **tables(data), partitions=partitions, check_ids=check_ids,
                                         threads=threads)
            seconds = time.perf_counter() - t0
            per_worker = client.run(worker_usage)
        runs.append({"check_ids": check_ids, "seconds": seconds, "input_partitions": events.npartitions,
                     "workers": [per_worker[a] for a in sorted(per_worker)], "events_seen": result.events_seen})
        if check_ids:
            save_result(result, result_path)
            first = (result.total, result.payouts)
        else:  # the same computation without the id check: the same result
            runs[-1]["equal_to_check_ids_run"] = result.total == first[0] and result.payouts.equals(first[1])
        del result
    shuffle = dask.config.get("dataframe.shuffle.method", None) or "default (p2p on a distributed client)"
    return {"runs": runs, "client": rusage_self(), "shuffle": shuffle}


def child(args: argparse.Namespace) -> int:
    data, out = Path(args.data), Path(args.measure_out)
    if args.measure == "single":
        report = measure_single(data, args.threads, out.with_suffix(".pickle"))
    else:
        report = measure_dask(data, args.measure_workers, args.measure_partitions, args.threads, args.memory_limit,
                              out.with_suffix(".pickle"))
    out.write_text(json.dumps(report))
    return 0


def in_child(args: argparse.Namespace, tmp: Path, name: str, extra: list[str]) -> tuple[dict, dict] | tuple[None, None]:
    """Runs one measurement in a fresh Python process; returns its report and its result, or
    (None, None) if it failed (e.g. killed when out of memory: there is no swap), after saying so."""
    out = tmp / f"{name}.json"
    cmd = [sys.executable, __file__, "--data", str(args.data), "--threads", str(args.threads),
           "--memory-limit", args.memory_limit, "--measure-out", str(out), *extra]
    done = subprocess.run(cmd)
    if done.returncode != 0 or not out.exists():
        how = f"killed by signal {-done.returncode}" if done.returncode < 0 else f"exit status {done.returncode}"
        print(f"  FAILED ({how}{', out of memory?' if done.returncode == -9 else ''})", flush=True)
        return None, None
    with open(out.with_suffix(".pickle"), "rb") as f:
        result = pickle.load(f)
    return json.loads(out.read_text()), result


def mem_available() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


# -- the report --------------------------------------------------------------------------------------


def machine() -> dict:
    """bench/peers' description of the machine (CPU, cores, RAM, OS, Python, commit, date), with what
    a scale-out run also depends on."""
    import dask
    import pandas

    import incentives

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "peers"))
    from run import machine as peers_machine  # bench/peers/run.py

    host = peers_machine()
    host.update({"cores_usable": len(os.sched_getaffinity(0)), "load_average": [round(x, 2) for x in os.getloadavg()],
                 "incentives": incentives.__version__, "pyarrow": pa.__version__, "pandas": pandas.__version__,
                 "dask": dask.__version__, "numpy": np.__version__})
    return host


def same(a: dict, b: dict) -> bool:
    return (a["total"] == b["total"] and a["events_seen"] == b["events_seen"] and a["payouts"].equals(b["payouts"])
            and a["statements"].equals(b["statements"]))


def table(rows: list[dict]) -> str:
    lines = ["| engine | workers | partitions | seconds | events/s | peak MB per worker | client MB | vs single process |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        peak = " / ".join(f"{m:,.0f}" for m in r["peak_mb_per_worker"])
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") else "—"
        client = f"{r['client_mb']:,.0f}" if r.get("client_mb") else "—"
        lines.append(f"| {r['engine']} | {r['workers']} | {r.get('partitions', '—')} | {r['seconds']:.1f} | "
                     f"{r['events_per_s']:,.0f} | {peak} | {client} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--events", type=int, default=100_000_000)
    ap.add_argument("--partners", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--data", type=Path, default=Path("/tmp/incentives-scale-out"))
    ap.add_argument("--rows-per-file", type=int, default=5_000_000, help="events per Parquet file (row groups of 1 M)")
    ap.add_argument("--workers", default="1,2", help="worker counts, comma-separated (empty: no Dask run)")
    ap.add_argument("--single", action="store_true", help="also the single-process run (the baseline)")
    ap.add_argument("--force-single", action="store_true",
                    help="run the single process even if it looks too large for the memory available")
    ap.add_argument("--partitions-per-worker", type=int, default=None,
                    help="shuffle partitions per worker (default: about 5 M events per partition)")
    ap.add_argument("--threads", type=int, default=1, help="threads= of Program.run and of incentives.dask.run (default 1)")
    ap.add_argument("--memory-limit", default="auto", help="per Dask worker (LocalCluster memory_limit)")
    ap.add_argument("--out", type=Path, default=Path("results.json"))
    ap.add_argument("--generate-only", action="store_true")
    # A measurement in a child process (internal).
    ap.add_argument("--measure", choices=["single", "dask"], help=argparse.SUPPRESS)
    ap.add_argument("--measure-workers", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--measure-partitions", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--measure-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        return child(args)

    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    host = machine()
    print(f"machine: {host['cpu']}, {host['cores']} cores ({host['cores_usable']} usable), {host['ram_gib']} GiB RAM, "
          f"load {host['load_average']}, {host['date']}", flush=True)
    manifest = generate(args.data, args.events, args.partners, args.seed, args.rows_per_file)
    if args.generate_only:
        return 0
    events = args.events
    print(f"data: {manifest['sales']:,} sales, {manifest['returns']:,} returns, {len(manifest['files'])} files, "
          f"{manifest['parquet_bytes'] / 2**30:.2f} GiB Parquet, {manifest['arrow_bytes'] / 2**30:.2f} GiB as Arrow", flush=True)

    rows, mismatches, skipped, failed = [], [], [], []
    baseline, reference, results = None, "the single-process result", 0
    with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp_name:
        tmp = Path(tmp_name)
        if args.single:
            need = events * SINGLE_BYTES_PER_EVENT + SINGLE_BYTES_FIXED
            if need > 0.9 * mem_available() and not args.force_single:
                skipped.append(f"single process: needs about {need / 2**30:.0f} GiB, "
                               f"{mem_available() / 2**30:.0f} GiB available (--force-single to try anyway)")
                print(f"{skipped[-1]}: skipped; the distributed results are compared with each other", flush=True)
            else:
                print("single process: Program.run(<Parquet dataset>) ...", flush=True)
                report, baseline = in_child(args, tmp, "single", ["--measure", "single"])
                if report is None:
                    failed.append("single process")
                else:
                    results += 1
                    rows.append({"engine": "Program.run", "workers": 1, "seconds": report["seconds"],
                                 "events_per_s": events / report["seconds"], "peak_mb_per_worker": [report["peak_mb"]],
                                 "cpu_s": report["cpu_s"], "ratio": 1.0})
                    print(f"  {report['seconds']:.1f} s, peak {report['peak_mb']:,.0f} MB", flush=True)
                    if report["events_seen"] != events:
                        mismatches.append(f"single process: {report['events_seen']:,} events seen, not {events:,}")
        single_seconds = rows[0]["seconds"] if rows else None
        shuffle = None
        for workers in worker_counts:
            k = args.partitions_per_worker or max(1, math.ceil(events / (workers * 5_000_000)))
            partitions = workers * k
            print(f"dask: {workers} worker(s), {partitions} partitions ...", flush=True)
            report, result = in_child(args, tmp, f"dask-{workers}", [
                "--measure", "dask", "--measure-workers", str(workers), "--measure-partitions", str(partitions)])
            if report is None:
                failed.append(f"{workers} worker(s)")
                continue
            shuffle = report["shuffle"]
            results += 1
            for run in report["runs"]:
                rows.append({"engine": "incentives.dask.run" + ("" if run["check_ids"] else " check_ids=False"),
                             "workers": workers, "partitions": partitions, "seconds": run["seconds"],
                             "events_per_s": events / run["seconds"],
                             "peak_mb_per_worker": [w["peak_mb"] for w in run["workers"]],
                             "cpu_s_per_worker": [w["cpu_s"] for w in run["workers"]],
                             "client_mb": report["client"]["peak_mb"], "input_partitions": run["input_partitions"],
                             "ratio": run["seconds"] / single_seconds if single_seconds else None})
                print(f"  check_ids={run['check_ids']}: {run['seconds']:.1f} s, peak per worker "
                      f"{', '.join(format(w['peak_mb'], ',.0f') for w in run['workers'])} MB", flush=True)
                if not run.get("equal_to_check_ids_run", True):
                    mismatches.append(f"{workers} worker(s): check_ids=False gave another result")
                if run["events_seen"] != events:
                    mismatches.append(f"{workers} worker(s): {run['events_seen']:,} events seen, not {events:,}")
            if baseline is None:
                baseline = result  # without a single-process run, the first distributed run is the reference
                reference = f"the {workers}-worker result"
            elif not same(baseline, result):
                mismatches.append(f"{workers} worker(s): the result differs from {reference}")

    print()
    print(f"reseller.yaml, {events:,} events ({manifest['returns']:,} returns), {args.partners:,} partners; "
          f"{host['cpu']}, {host['cores']} cores, {host['ram_gib']} GiB, {host['date']}")
    print()
    print(table(rows))
    print()
    if baseline is not None:
        print(f"total paid: {baseline['total']} EUR in {len(baseline['payouts']):,} payout lines")
    for note in skipped:
        print(f"NOT MEASURED: {note}")
    for what in failed:
        print(f"FAILED: {what}")
    if mismatches:
        print("MISMATCH: " + "; ".join(mismatches))
    elif results > 1:
        print(f"every distributed result equals {reference} (payouts, statements, total, events seen)")
    else:
        print("only one result: nothing to compare it with")
    out = {"machine": host, "data": {"dir": str(args.data), **manifest}, "program": str(PROGRAM.relative_to(ROOT)),
           "threads": args.threads, "memory_limit": args.memory_limit, "dask_shuffle": shuffle, "rows": rows,
           "total": str(baseline["total"]) if baseline is not None else None,
           "payout_lines": len(baseline["payouts"]) if baseline is not None else None,
           "results_equal": not mismatches, "mismatches": mismatches, "not_measured": skipped, "failed": failed}
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"results: {args.out}")
    return 1 if mismatches or failed else 0


if __name__ == "__main__":
    sys.exit(main())
