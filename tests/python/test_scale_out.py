"""Runs beyond one process (docs/scale-out.md): partial runs added up, incentives.dask on a LocalCluster
of two worker processes, pickling, Parquet input and `python -m incentives run`.

The oracle is always the single-process run of the same program over the same events: a distributed
run must give the same payouts, statements and standings, value for value (DataFrame.equals: same
rows, same order, same Decimal amounts)."""

from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import incentives
from incentives import _core, _tables

from conftest import EXAMPLES, read_tables

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pytest.importorskip("pyarrow.compute")
pq = pytest.importorskip("pyarrow.parquet")

# ---- a program with everything that needs the whole program: returns and clawbacks, split credit, a
# program budget, a contest across partners ---------------------------------------------------------

PROGRAM = """
program: Scale-out check
currency: EUR
periods: {from: 2027-01-01, to: 2027-12-31}
seed: 11
budget: {amount: BUDGET, policy: POLICY}
contests:
  - id: top_partners
    score: {rule: rebate, of: measure}
    per: quarter
    winners: 5
    prizes: {places: [5000, 3000, 1000, 500, 500]}
rules:
  - id: rebate
    select: {kind: sale}
    measure: amount
    per: [partner, quarter]
    pay: {rate: 3%}
    clawback: {days: 60}
  - id: rep-spiff
    select: {kind: sale}
    measure: quantity
    per: [participant, month]
    credit: {to: participant}
    pay: {per_unit: 5}
    clawback: {days: 30}
"""


def program(policy: str = "pro_rata", budget: int = 300_000) -> incentives.Program:
    """The check program with a program budget that binds for SMALL (its rules' lines are 353,307.54
    before it) or, with a budget given, for a larger data set."""
    return incentives.Program.from_yaml(PROGRAM.replace("POLICY", policy).replace("BUDGET", str(budget)))


def generated(events: int, partners: int, seed: int = 1):
    """`events` events of `partners` partners (a manager and a specialist each): sales in 2027, credit
    split 60/40 or to the manager alone, and about 5% returns of part of an earlier sale of the same
    partner. Amounts are exact text built from integer cents."""
    rng = np.random.default_rng(seed)
    sales = events - events // 20
    returns = events - sales
    partner = rng.integers(0, partners, sales)
    day = np.datetime64("2027-01-01") + rng.integers(0, 365, sales).astype("timedelta64[D]")
    cents = rng.integers(1_000, 500_000, sales)
    quantity = rng.integers(1, 20, sales)
    split = rng.random(sales) < 0.5
    p = pd.Series(partner).astype(str)
    sale = pd.DataFrame(
        {
            "id": "s" + pd.Series(np.arange(sales)).astype(str),
            "kind": "sale",
            "date": pd.Series(day).dt.strftime("%Y-%m-%d"),
            "partner": "P" + p,
            "participants": np.where(split, "M" + p + ":0.6;S" + p + ":0.4", "M" + p),
            "quantity": pd.Series(quantity).astype(str),
            "amount": _money(cents),
            "reference": "",
        }
    )
    which = rng.choice(sales, returns, replace=False)
    back = rng.integers(0, 90, returns).astype("timedelta64[D]")
    ret_day = np.minimum(day[which] + back, np.datetime64("2027-12-31"))
    fraction = rng.integers(1, 4, returns)  # a whole sale, half or a third of it
    ret_cents = cents[which] // fraction
    ret_quantity = np.maximum(1, quantity[which] // fraction)
    ret = pd.DataFrame(
        {
            "id": "r" + pd.Series(np.arange(returns)).astype(str),
            "kind": "return",
            "date": pd.Series(ret_day).dt.strftime("%Y-%m-%d"),
            "partner": sale["partner"].to_numpy()[which],
            "participants": "",
            "quantity": pd.Series(ret_quantity).astype(str),
            "amount": _money(ret_cents),
            "reference": sale["id"].to_numpy()[which],
        }
    )
    ids = [f"P{i}" for i in range(partners)]
    people = pd.DataFrame(
        {
            "id": [f"M{i}" for i in range(partners)] + [f"S{i}" for i in range(partners)],
            "partner": ids + ids,
            "role": ["manager"] * partners + ["specialist"] * partners,
        }
    )
    return pd.concat([sale, ret], ignore_index=True), pd.DataFrame({"id": ids}), people


def _money(cents: np.ndarray):
    whole = pd.Series(cents // 100).astype(str)
    return whole + "." + pd.Series(cents % 100).astype(str).str.zfill(2)


def same(a: incentives.Result, b: incentives.Result) -> None:
    assert a.total == b.total
    assert a.events_seen == b.events_seen
    for table in ("payouts", "statements", "contests"):
        x, y = getattr(a, table), getattr(b, table)
        assert len(x) == len(y), table
        assert x.equals(y), table


# ---- partial runs straight from the extension: any split by partner -------------------------------


@settings(max_examples=25)
@given(st.integers(1, 9), st.integers(0, 2**32 - 1), st.sampled_from(["pro_rata", "event_date"]))
def test_any_split_by_partner_adds_up_to_one_run(parts, seed, policy):
    events, partners, people = SMALL
    prog = program(policy)
    cat = _tables.catalog(partners, people)
    whole = prog.run(events, partners, people)
    rng = random.Random(seed)
    part_of = {p: rng.randrange(parts) for p in partners["id"]}
    rows = events.sample(frac=1, random_state=seed % 1000)  # any order within a part
    pieces = [rows[rows["partner"].map(part_of) == k] for k in range(parts)]
    partials = [_core.partial_run(prog._impl, _tables.event_table(x) if len(x) else None, cat) for x in pieces]
    rng.shuffle(partials)
    # A tree of a random shape: adjacent partials added up until one is left.
    while len(partials) > 1:
        i = rng.randrange(len(partials) - 1)
        partials[i : i + 2] = [_core.combine_partials(prog._impl, cat, partials[i : i + 2])]
    same(incentives.Result(_core.combine(prog._impl, cat, partials)), whole)


SMALL = generated(3_000, 40, seed=5)


def test_the_budget_and_the_contest_bind_in_the_check_program():
    """The identity would say little if the budget paid everything, nothing was clawed back or nobody
    won: pro rata pays the rules' lines exactly the budget, first-come leaves lines cut."""
    events, partners, people = SMALL
    for policy in ("pro_rata", "event_date"):
        r = program(policy).run(events, partners, people)
        paid = r.payouts.groupby(["rule", "kind"])["amount"].sum()
        rules = paid[("rebate", "accrual")] + paid[("rep-spiff", "accrual")]
        if policy == "pro_rata":
            assert rules == 300_000
        else:
            assert 299_000 < rules <= 300_000
        assert paid[("rebate", "clawback")] < 0 and paid[("rep-spiff", "clawback")] < 0
        # Four quarters, five prizes each: 5000 + 3000 + 1000 + 500 + 500 = 10,000 a quarter.
        assert paid[("top_partners", "accrual")] == 40_000
        assert (r.contests["winner"]).sum() == 20


# ---- Dask ------------------------------------------------------------------------------------------

dd = pytest.importorskip("dask.dataframe")


@settings(max_examples=15)
@given(st.integers(1, 12), st.integers(0, 10_000), st.booleans())
def test_dask_any_partitioning_gives_the_single_process_result(npartitions, seed, check_ids):
    events, partners, people = SMALL
    prog = program("event_date")
    whole = prog.run(events, partners, people)
    shuffled = events.sample(frac=1, random_state=seed).reset_index(drop=True)
    frame = dd.from_pandas(shuffled, npartitions=npartitions)
    got = incentives.dask.run(
        prog, frame, partners, people, partitions=max(1, npartitions - seed % 3), check_ids=check_ids, scheduler="sync",
    )
    same(got, whole)


def test_dask_refuses_an_event_id_at_two_partners():
    events, partners, people = SMALL
    twin = events.iloc[[0]].copy()
    twin["partner"] = "P39" if events.iloc[0]["partner"] != "P39" else "P38"
    twin["participants"] = ""
    frame = dd.from_pandas(pd.concat([events, twin], ignore_index=True), npartitions=4)
    with pytest.raises(incentives.InputError, match=r'duplicate event id "s0".*two partners'):
        incentives.dask.run(program(), frame, partners, people, scheduler="sync")
    ignoring = incentives.Program.from_dict(dict(program().to_dict(), duplicates="ignore"))
    with pytest.raises(incentives.InputError, match="no order"):
        incentives.dask.run(ignoring, frame, partners, people, scheduler="sync")
    # The same repeat at one partner stays in one partition: refused there, as one process refuses it.
    twin["partner"] = events.iloc[0]["partner"]
    frame = dd.from_pandas(pd.concat([events, twin], ignore_index=True), npartitions=4)
    with pytest.raises(incentives.InputError, match="duplicate event id"):
        incentives.dask.run(program(), frame, partners, people, scheduler="sync")


def test_dask_a_hash_seen_twice_is_looked_up_before_it_is_called_a_repeat():
    """Partitions compare 64-bit hashes of their ids; two different ids may share one, so a hash seen
    in two partitions is only a suspect until the ids behind it are found in both."""
    from incentives.dask import _repeated_ids

    events, _, _ = SMALL
    suspects = _core.id_hashes(["s0", "s1"])
    assert list(suspects) == list(_core.id_hashes(["s0"])) + list(_core.id_hashes(["s1"]))
    assert _repeated_ids(dd.from_pandas(events, npartitions=3), suspects, "sync") == []
    again = pd.concat([events, events.iloc[[0]]], ignore_index=True)  # s0 in the first and the last partition
    assert _repeated_ids(dd.from_pandas(again, npartitions=3), suspects, "sync") == ["s0"]


def test_dask_without_a_shuffle_a_return_away_from_its_sale_is_an_error_not_a_gap():
    events, partners, people = SMALL
    frame = dd.from_pandas(events, npartitions=3)  # sales first, returns last: split by row order
    with pytest.raises(incentives.InputError, match="return"):
        incentives.dask.run(program(), frame, partners, people, shuffle=False, scheduler="sync")


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            yield client


def test_dask_two_workers_one_million_events_from_parquet(cluster, tmp_path):
    import decimal

    events, partners, people = generated(1_000_000, 5_000, seed=2027)
    # Amounts as Parquet's decimal128(12, 2) (they cross the shuffle as int64 cents), in 8 files.
    table = pa.Table.from_pandas(events, preserve_index=False)
    amounts = pa.array([decimal.Decimal(a) for a in events["amount"]], pa.decimal128(12, 2))
    table = table.set_column(table.schema.get_field_index("amount"), "amount", amounts)
    # Kinds as Parquet dictionaries, as writers of few distinct values make them.
    kinds = pa.compute.dictionary_encode(table.column("kind"))
    table = table.set_column(table.schema.get_field_index("kind"), "kind", kinds)
    (tmp_path / "events").mkdir()
    for k in range(8):
        pq.write_table(table.slice(k * 125_000, 125_000), tmp_path / "events" / f"part{k}.parquet")
    for policy in ("pro_rata", "event_date"):
        prog = program(policy, budget=100_000_000)  # the rules' lines are about 118 M before it
        whole = prog.run(events, partners, people)
        got = incentives.dask.run(prog, str(tmp_path / "events"), partners, people, partitions=8)
        same(got, whole)
        assert (got.payouts["kind"] == "clawback").sum() > 1000
    assert len(cluster.scheduler_info()["workers"]) == 2


def test_dask_a_worker_killed_mid_run_is_retried_to_the_exact_result(cluster, tmp_path):
    events, partners, people = SMALL
    prog = program()
    whole = prog.run(events, partners, people)
    marker = str(tmp_path / "killed")

    def kill_once(frame, partition_info=None):
        # The first time partition 1 is read, its worker dies (os._exit: no cleanup, no goodbye).
        if partition_info and partition_info["number"] == 1:
            try:
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return frame
            os._exit(1)
        return frame

    frame = dd.from_pandas(events, npartitions=4)
    frame = frame.map_partitions(kill_once, meta=frame._meta)
    got = incentives.dask.run(prog, frame, partners, people, partitions=4)
    assert os.path.exists(marker)  # a worker did die
    same(got, whole)


def test_dask_a_worker_that_keeps_dying_gives_an_error_never_a_partial_total(tmp_path):
    import dask
    from dask.distributed import Client, KilledWorker, LocalCluster

    events, partners, people = SMALL

    def always_kill(frame, partition_info=None):
        if partition_info and partition_info["number"] == 2:
            os._exit(1)
        return frame

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c, Client(c):
            frame = dd.from_pandas(events, npartitions=4)
            frame = frame.map_partitions(always_kill, meta=frame._meta)
            result = None
            with pytest.raises(KilledWorker):
                result = incentives.dask.run(program(), frame, partners, people, partitions=4)
            assert result is None


# ---- pickling --------------------------------------------------------------------------------------


def test_catalogs_programs_and_results_pickle(reseller):
    prog, t = reseller
    cat = _tables.catalog(t["partners"], t["participants"], t["products"], t["plans"])
    again = pickle.loads(pickle.dumps(cat))
    assert (again.partners, again.participants, again.products, again.plans) == (
        cat.partners, cat.participants, cat.products, cat.plans)
    assert pickle.loads(pickle.dumps(prog)) == prog
    r = prog.run(t["events"], t["partners"], t["participants"], t["products"], t["plans"])
    back = pickle.loads(pickle.dumps(r))
    same(back, r)
    assert back.traces.equals(r.traces)
    # The catalog travelled whole: the same plans give the same attainment-based lines, and a variant
    # settled on the run's measures pickles as the variant.
    variant = prog.with_changes({"rules.volume-rebate.cap": "1000"})
    changed = r.rerun(variant)
    back = pickle.loads(pickle.dumps(changed))
    same(back, changed)
    assert back.total != r.total


def test_a_corrupt_catalog_pickle_is_an_error():
    with pytest.raises(incentives.InputError, match="truncated or corrupt"):
        _core.catalog_of_bytes(b"incentives-catalog-1")


# ---- Parquet ---------------------------------------------------------------------------------------

def test_parquet_files_and_datasets_run_like_the_frame(reseller, tmp_path):
    import decimal

    prog, t = reseller
    ref = dict(partners=t["partners"], participants=t["participants"], products=t["products"], plans=t["plans"])
    want = prog.run(t["events"], **ref)
    table = pa.Table.from_pandas(t["events"], preserve_index=False)
    # Amounts as decimal128(12, 2) from their exact text, quantities as int64.
    amounts = pa.array([decimal.Decimal(a) if a else None for a in t["events"]["amount"]], pa.decimal128(12, 2))
    table = table.set_column(table.schema.get_field_index("amount"), "amount", amounts)
    pq.write_table(table, tmp_path / "events.parquet")
    same(prog.run(tmp_path / "events.parquet", **ref), want)
    same(prog.run(str(tmp_path / "events.parquet"), **ref), want)
    # A directory of files is one dataset.
    (tmp_path / "ds").mkdir()
    half = len(table) // 2
    pq.write_table(table.slice(0, half), tmp_path / "ds" / "a.parquet")
    pq.write_table(table.slice(half), tmp_path / "ds" / "b.parquet")
    same(prog.run(tmp_path / "ds", **ref), want)
    # A data set partitioned by partner (hive directories partner=P01/...): the key is a column again.
    pq.write_to_dataset(table, tmp_path / "hive", partition_cols=["partner"])
    assert (tmp_path / "hive" / "partner=P01").is_dir()
    same(prog.run(tmp_path / "hive", **ref), want)
    # Reference tables from files too.
    t["partners"].to_csv(tmp_path / "partners.csv", index=False)
    same(prog.run(tmp_path / "ds", **dict(ref, partners=tmp_path / "partners.csv")), want)


def test_parquet_float_amounts_are_refused_and_missing_files_named(reseller, tmp_path):
    prog, t = reseller
    table = pa.Table.from_pandas(t["events"].assign(amount=t["events"]["amount"].replace("", "0").astype(float)))
    pq.write_table(table, tmp_path / "floats.parquet")
    with pytest.raises((TypeError, incentives.InputError), match="float|double|binary floating"):
        prog.run(tmp_path / "floats.parquet", partners=t["partners"])
    with pytest.raises(incentives.InputError, match="nowhere.parquet: no such file"):
        prog.run(tmp_path / "nowhere.parquet", partners=t["partners"])


# ---- python -m incentives run ----------------------------------------------------------------------

CLI = os.environ.get("INCENTIVES_CLI")


def test_python_m_run_writes_the_commands_files_byte_for_byte(tmp_path):
    if not CLI:
        pytest.skip("INCENTIVES_CLI names the C++ command (scripts/test.sh sets it)")
    data = EXAMPLES / "data"
    t = read_tables(data)
    table = pa.Table.from_pandas(t["events"], preserve_index=False)
    pq.write_table(table, tmp_path / "events.parquet")
    ref = [f"--{n}={data / (n + '.csv')}" for n in ("partners", "participants", "products", "plans")]
    program_file = str(EXAMPLES / "programs" / "reseller.yaml")
    outs = ("out", "statements", "traces")

    def files(where):
        return [f"--{name}={tmp_path / where / (name + '.csv')}" for name in outs]

    for d in ("cli", "py", "dask"):
        (tmp_path / d).mkdir()
    subprocess.run([CLI, "run", program_file, f"--events={data / 'events.csv'}", *ref, *files("cli")], check=True)
    py = [sys.executable, "-m", "incentives", "run", program_file, f"--events={tmp_path / 'events.parquet'}", *ref]
    subprocess.run(py + files("py"), check=True)
    subprocess.run(py + files("dask") + ["--workers=2", "--partitions=3"], check=True)
    for name in outs:
        want = (tmp_path / "cli" / f"{name}.csv").read_bytes()
        assert len(want) > 1000
        assert (tmp_path / "py" / f"{name}.csv").read_bytes() == want, name
        assert (tmp_path / "dask" / f"{name}.csv").read_bytes() == want, name


def test_python_m_run_errors_name_the_file_and_exit_like_the_command(tmp_path):
    program_file = str(EXAMPLES / "programs" / "reseller.yaml")
    run = subprocess.run(
        [sys.executable, "-m", "incentives", "run", program_file, f"--events={tmp_path / 'missing.parquet'}"],
        capture_output=True, text=True,
    )
    assert run.returncode == 1
    assert "missing.parquet: no such file" in run.stderr
    (tmp_path / "bad.yaml").write_text("program: x\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\nrulez: []\n")
    run = subprocess.run(
        [sys.executable, "-m", "incentives", "run", str(tmp_path / "bad.yaml"), "--events=x.parquet"],
        capture_output=True, text=True,
    )
    assert run.returncode == 2
    assert 'unknown key "rulez"' in run.stderr
    run = subprocess.run([sys.executable, "-m", "incentives", "run", program_file], capture_output=True, text=True)
    assert run.returncode == 2 and "--events" in run.stderr
