"""The peer comparison's own arithmetic (bench/peers): the half-even helpers of the pandas, DuckDB and
PostgreSQL peers against Python's decimal module on random values and exact ties, and every Python
peer on a hand-made data set whose partner totals are worked out below (tier bounds, half-even ties,
the cap, the spiff, the date filter)."""

import importlib.util
import json
import random
import subprocess
import sys
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

PEERS = Path(__file__).resolve().parents[2] / "bench" / "peers"


def peer_module(name):
    if str(PEERS) not in sys.path:  # the peers import their shared helper, contestant.py
        sys.path.insert(0, str(PEERS))
    spec = importlib.util.spec_from_file_location(name, PEERS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def half_even(x):
    return x.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)


def sample_thousandths(n=3000, seed=7):
    """Exact values with three places: random ones, and ties (k + 0.5) of both parities and signs."""
    rng = random.Random(seed)
    values = [Decimal(rng.randint(-10**12, 10**12)).scaleb(-3) for _ in range(n)]
    values += [Decimal(k) + Decimal("0.5") for k in range(-50, 50)]
    values += [Decimal(rng.randint(-10**9, 10**9)) + Decimal("0.5") for _ in range(n)]
    values += [Decimal(rng.randint(-10**9, 10**9)) + d for d in (Decimal("0.499"), Decimal("0.501"))
               for _ in range(50)]
    return values


# ---- the helpers ----------------------------------------------------------------------------------

def test_pandas_div_round_half_even_matches_decimal():
    np = pytest.importorskip("numpy")
    pytest.importorskip("pandas")
    helper = peer_module("peer_pandas").div_round_half_even
    rng = np.random.default_rng(3)
    for den in (2, 10, 100, 1000):
        num = np.concatenate([rng.integers(-10**15, 10**15, 20000),
                              rng.integers(-10**9, 10**9, 5000) * den + den // 2,    # ties
                              np.arange(-5 * den, 5 * den)])
        got = helper(num, den)
        expected = [int(half_even(Decimal(int(n)) / den)) for n in num]
        assert got.tolist() == expected


def test_pandas_cents_from_text_is_exact():
    pd = pytest.importorskip("pandas")
    cents = peer_module("peer_pandas").cents_from_text
    text = pd.Series(["0", "0.5", "0.05", "12.34", "99999999999.99", "7."])
    assert cents(text).tolist() == [0, 50, 5, 1234, 9999999999999, 700]
    with pytest.raises(ValueError):
        cents(pd.Series(["1.234"]))


def sql_rounding_query(helper, placeholder, cast):
    return f"SELECT s, {helper('x')} FROM (SELECT s, CAST(s AS {cast}) AS x FROM unnest({placeholder}) AS t(s)) AS v"


def check_sql_rounding(rows, values):
    got = {Decimal(s): Decimal(r) for s, r in rows}
    assert len(got) == len(set(values))
    for value in values:
        assert got[value] == half_even(value), value


def test_duckdb_round_half_even_sql_matches_decimal():
    duckdb = pytest.importorskip("duckdb")
    peer = peer_module("peer_duckdb")
    values = sample_thousandths()
    query = sql_rounding_query(peer.round_half_even_sql, "?::VARCHAR[]", "DECIMAL(18,3)")
    check_sql_rounding(duckdb.connect().execute(query, [[str(v) for v in values]]).fetchall(), values)


def test_duckdb_round_is_half_away_from_zero():
    """Why the peer has a helper at all: DuckDB's own round() on DECIMAL is not half-even."""
    duckdb = pytest.importorskip("duckdb")
    assert duckdb.connect().execute("SELECT round(2.5::DECIMAL(4,1))").fetchone()[0] == 3


def postgres_peer():
    """The PostgreSQL peer module, or a skip when psycopg or the server binaries are missing."""
    pytest.importorskip("psycopg")
    peer = peer_module("peer_postgres")
    try:
        peer._bin_dir()
    except FileNotFoundError:
        pytest.skip("PostgreSQL is not installed")
    return peer


@pytest.fixture(scope="module")
def postgres():
    import psycopg
    peer = postgres_peer()
    with peer.server() as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        yield peer, conn


def test_postgres_round_half_even_sql_matches_decimal(postgres):
    peer, conn = postgres
    values = sample_thousandths()
    query = sql_rounding_query(peer.round_half_even_sql, "%s::text[]", "numeric(18,3)")
    check_sql_rounding(conn.execute(query, [[str(v) for v in values]]).fetchall(), values)
    assert conn.execute("SELECT round(2.5::numeric)").fetchone()[0] == 3   # half away from zero


# ---- every Python peer on a hand-made data set ------------------------------------------------------

EVENTS = """id,kind,date,partner,sku,quantity,amount
E1,sale,2027-01-05,P000001,L100,1,30000.00
E2,sale,2027-03-31,P000001,L300,2,20000.00
E3,sale,2027-04-01,P000001,SVC1,1,1234.50
E4,sale,2027-02-10,P000002,SRV9,4,149999.99
E5,sale,2027-09-30,P000002,SRV5,9,150000.00
E6,sale,2027-10-01,P000003,L100,1,60000.00
E7,sale,2027-12-31,P000003,X200,3,0.25
E8,sale,2026-12-31,P000004,L100,1,99999.00
E9,sale,2027-05-05,P000004,ACC5,1,100.00
E10,sale,2027-06-30,P000005,X200,2,10.00
"""
EXPECTED = {
    "P000001": Decimal("1012.34"),  # Q1 50,000.00 (the bound) x 2% = 1000.00; Q2 1234.50 x 1% = 12.345 -> 12.34
    "P000002": Decimal("7000.00"),  # Q1 149,999.99 x 2% = 2999.9998 -> 3000.00; Q3 150,000 x 3.5% = 5250 -> cap 4000
    "P000003": Decimal("1320.00"),  # Q4 60,000.25 x 2% = 1200.005 -> 1200.00; spiff 3 x 40
    "P000004": Decimal("1.00"),     # the 2026 sale does not count; Q2 100.00 x 1%
    "P000005": Decimal("80.10"),    # Q2 10.00 x 1% = 0.10; spiff 2 x 40
}


@pytest.fixture(scope="module")
def handmade(tmp_path_factory):
    data = tmp_path_factory.mktemp("peer-data")
    (data / "events.csv").write_text(EVENTS)
    (data / "partners.csv").write_text("id\n" + "".join(f"{p}\n" for p in EXPECTED))
    (data / "products.csv").write_text("sku,category\nX200,laptops\nL100,laptops\nL300,laptops\n"
                                       "SRV5,servers\nSRV9,servers\nSVC1,services\nACC5,accessories\n")
    return data


@pytest.mark.parametrize("script", ["peer_decimal", "peer_pandas", "peer_duckdb", "peer_postgres",
                                    "peer_incentives_py"])
def test_peer_totals_on_handmade_data(script, handmade, tmp_path):
    needs = {"peer_pandas": "pandas", "peer_duckdb": "duckdb", "peer_incentives_py": "pandas"}
    if script in needs:
        pytest.importorskip(needs[script])
    if script == "peer_postgres":
        postgres_peer()
    out = tmp_path / "totals.csv"
    done = subprocess.run([sys.executable, str(PEERS / f"{script}.py"), "--data", str(handmade),
                           "--out", str(out), "--threads", "1"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout.strip().splitlines()[-1])) >= {"seconds", "load_s"}
    lines = out.read_text().splitlines()
    assert lines[0] == "partner,total"
    assert {p: Decimal(t) for p, t in (line.split(",") for line in lines[1:])} == EXPECTED
