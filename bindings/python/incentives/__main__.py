"""``python -m incentives run``: the command line's ``run`` for Parquet (and CSV) input through pyarrow,
in one process or on a local Dask cluster; the C++ command stays free of Arrow C++.

    python -m incentives run examples/programs/reseller.yaml --events events.parquet \\
        --partners partners.csv --plans plans.csv --out payouts.csv --statements statements.csv

The output files are the C++ command's, written by the same code (byte for byte the same for the
same program and events), all or none; without ``--out`` a summary is printed. ``--workers N`` runs
on a local Dask cluster of N worker processes (incentives.dask); the files are the same.
Exit status: 0, 1 for an error in the data, 2 for an error in the program or the options.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

_FILES = [
    ("out", "the payout lines"),
    ("traces", "one trace row per payout line"),
    ("statements", "the statement totals (beneficiary x period)"),
    ("ledger", "the fund ledger"),
    ("balances", "the fund balances as of --as-of"),
    ("deals", "the registered deals' steps"),
    ("referrals", "the referral programs' steps"),
    ("points", "the points ledger"),
    ("lots", "every points lot"),
    ("points_balances", "each points holder's balance as of --as-of"),
    ("levels", "the status level changes"),
    ("contests", "every contest's final standings"),
    ("kpis", "the KPI plan's report"),
    ("roi", "the engagement and ROI report"),
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m incentives", description=__doc__.split("\n\n")[0], allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run a program over events (Parquet or CSV) and write the results", allow_abbrev=False)
    run.add_argument("program", metavar="PROGRAM", help="the program (YAML)")
    run.add_argument("--events", required=True, help="events: a Parquet file or directory (dataset), or a CSV file")
    for table in ("partners", "participants", "products", "plans"):
        run.add_argument(f"--{table}", help=f"{table}: Parquet or CSV")
    for name, what in _FILES:
        run.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="FILE", help=f"write {what} to this CSV")
    run.add_argument("--as-of", help="the day of --balances and --points-balances (YYYY-MM-DD; default: the program's last day)")
    run.add_argument("--threads", type=int, default=1,
                     help="threads of the engine (of each partition's, with --workers); results are identical for any count")
    run.add_argument("--workers", type=int, default=0, help="run on a local Dask cluster of this many worker processes")
    run.add_argument("--partitions", type=int, help="with --workers: partitions of the events (default: 4 per worker)")
    return parser


def _run(args: argparse.Namespace) -> int:
    import incentives

    from . import _core

    program = incentives.Program.from_yaml(args.program)
    paths = {name: getattr(args, name) for name, _ in _FILES if getattr(args, name)}
    if args.as_of and not ({"balances", "points_balances"} & paths.keys()):
        raise incentives.ConfigError(
            "[incentives.config.usage] --as-of is the day of --balances or --points-balances: give one of them",
            "incentives.config.usage",
        )
    tables = dict(partners=args.partners, participants=args.participants, products=args.products, plans=args.plans)
    traces = "traces" in paths
    if args.workers > 0:
        import logging

        from dask.distributed import Client, LocalCluster

        # Dask's own progress and shuffle notes are not the command's output; its errors still show.
        logging.getLogger("distributed").setLevel(logging.ERROR)

        import incentives.dask

        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True) as cluster, Client(cluster):
            result = incentives.dask.run(
                program,
                args.events,
                **tables,
                traces=traces,
                threads=args.threads,
                partitions=args.partitions or 4 * args.workers,
            )
    else:
        result = program.run(args.events, **tables, traces=traces, threads=args.threads)
    if paths:
        _core.write_run_files(result._impl, paths, args.as_of)
    else:
        sys.stdout.flush()
        _core.print_summary(result._impl)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    import warnings

    import incentives

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001 - warnings' signature
        print(f"warning: {message}", file=sys.stderr)

    warnings.showwarning = show
    try:
        return _run(args)
    except (incentives.ConfigError, incentives.ValidationError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except incentives.Error as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # a file that cannot be read
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
