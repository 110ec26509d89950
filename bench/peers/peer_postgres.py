"""The peer program (program.yaml) as one PostgreSQL query over `numeric` amounts, on a throwaway
server that the script starts and always removes.

    python peer_postgres.py --data DIR --out TOTALS.csv [--threads N]

The server: initdb in a temporary directory (as the `postgres` system user when run as root, since
initdb refuses root), listening on 127.0.0.1 on a free port with its socket in that directory,
fsync off, shared_buffers 1GB, work_mem 256MB, max_parallel_workers_per_gather = N - 1. It is
stopped and the directory removed on exit, on error, on Ctrl-C and on SIGTERM.

Timing: "load_s" creates the table (date, integer quantity, numeric(18,2) amount), COPYs events.csv
into it and ANALYZEs it; "seconds" is the one query from that table to the partner totals, fetched
into Python as decimal.Decimal. Starting the server and writing TOTALS.csv are not timed. The last
stdout line is the timing as JSON.

PostgreSQL's round(numeric) rounds ties away from zero, so the query rounds half-even explicitly with
floor on exact numerics (see round_half_even_sql).
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import psycopg

import contestant

SERVER_SETTINGS = {"listen_addresses": "127.0.0.1", "fsync": "off", "synchronous_commit": "off",
                   "full_page_writes": "off", "shared_buffers": "1GB", "work_mem": "256MB",
                   "max_wal_size": "4GB", "max_worker_processes": "16", "max_parallel_workers": "16"}

CREATE_TABLE = """
CREATE UNLOGGED TABLE events (id text, kind text, date date, partner text, sku text,
                              quantity integer, amount numeric(18,2))
"""


def round_half_even_sql(x: str) -> str:
    """SQL for the exact numeric `x` rounded to an integer, ties to even (any sign)."""
    return (f"(floor({x}) + CASE WHEN {x} - floor({x}) > 0.5"
            f" OR ({x} - floor({x}) = 0.5 AND mod(floor({x}), 2) <> 0) THEN 1 ELSE 0 END)")


# The partner totals (contestant.totals_query), with PostgreSQL's extract().
QUERY = contestant.totals_query("extract(quarter FROM date)", round_half_even_sql)


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path is None:
        raise FileNotFoundError("PostgreSQL's initdb not found (Debian: apt-get install postgresql)")
    return Path(on_path).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], check: bool = True) -> None:
    """Runs a server tool (in its own session, so that Ctrl-C reaches only this script)."""
    done = subprocess.run(_as_server_user(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, start_new_session=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr.strip()}")


@contextlib.contextmanager
def server(threads: int = 1) -> Iterator[str]:
    """A running PostgreSQL server for the duration of the block; yields its connection string."""
    bin_dir = _bin_dir()
    tmp = Path(tempfile.mkdtemp(prefix="incentives-pg-"))
    data, port = tmp / "data", _free_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(tmp, "postgres", "postgres")
        _run([str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "--encoding=UTF8",
              "--locale=C", "--no-sync"])
        settings = dict(SERVER_SETTINGS, port=str(port), unix_socket_directories=str(tmp),
                        max_parallel_workers_per_gather=str(max(0, threads - 1)))
        options = " ".join(f"-c {k}={v}" for k, v in settings.items())
        try:
            _run([str(bin_dir / "pg_ctl"), "start", "-w", "-D", str(data), "-l", str(tmp / "server.log"),
                  "-o", options])
            user = " user=postgres" if os.geteuid() == 0 else ""
            yield f"host=127.0.0.1 port={port} dbname=postgres{user}"
        finally:
            _run([str(bin_dir / "pg_ctl"), "stop", "-w", "-m", "immediate", "-D", str(data)], check=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load(conn: psycopg.Connection, events_csv: Path) -> None:
    with conn.cursor() as cur:
        cur.execute(CREATE_TABLE)
        with open(events_csv, "rb") as f, cur.copy("COPY events FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while block := f.read(1 << 20):
                copy.write(block)
        cur.execute("ANALYZE events")


def partner_totals(conn: psycopg.Connection) -> list[tuple[str, Decimal]]:
    rows = conn.execute(QUERY).fetchall()
    if rows and not isinstance(rows[0][1], Decimal):
        raise TypeError(f"the query's total is {type(rows[0][1]).__name__}, not an exact numeric")
    return rows


def main() -> None:
    a = contestant.arguments(__doc__)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))   # stop the server too

    with server(a.threads) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        t0 = time.perf_counter()
        load(conn, a.data / "events.csv")
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rows = partner_totals(conn)
        seconds = time.perf_counter() - t0
        version = conn.execute("SHOW server_version").fetchone()[0]
    contestant.write_totals(a.out, rows)
    contestant.report(seconds, load_s, a.threads, f"PostgreSQL {version}")


if __name__ == "__main__":
    main()
