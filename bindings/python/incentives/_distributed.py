"""What the distributed runners (incentives.dask, incentives.spark) share: a part of a run, the global
stage that adds the partial runs up and settles, and the error for an event id in two parts.

A run spread over processes is two stages. Each part — the events of some partners, every event of a
partner in one part, so that a return meets its sale — is taken in and accumulated by an engine of its
own on a worker, which returns its measures as bytes (``engine::partial``: exact integer sums per
rule, beneficiary and period, the clawback records, the kept fund, deal, referral and shop events).
The global stage, on the client, adds the partials up (``engine::absorb``) and settles once: budgets, program caps, contests, KPIs, points, funds and every other stage that needs
the whole program run on the sums of all the parts, exactly as in one process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Optional

from . import _core, _tables
from ._errors import InputError
from ._program import Program
from ._result import Result

__all__ = ["program_of", "catalog_of", "partial_of", "settle", "duplicate_ids_error", "check_threads"]


def program_of(program: Any) -> Program:
    """A Program, or one read from a YAML path or text."""
    if isinstance(program, Program):
        return program
    if isinstance(program, (str, os.PathLike)):
        return Program.from_yaml(program)
    raise TypeError(f"program: expected an incentives.Program or a YAML file, got {type(program).__name__}")


def catalog_of(partners: Any, participants: Any, products: Any, plans: Any) -> Any:
    """The reference data, checked once on the client (a Dask or Spark frame is collected first: the
    catalog goes to every worker whole)."""

    def local(table: Any) -> Any:
        if table is None or isinstance(table, (str, os.PathLike)):
            return table
        if hasattr(table, "compute") and hasattr(table, "npartitions"):  # a Dask DataFrame
            return table.compute()
        if hasattr(table, "toPandas") and hasattr(table, "sparkSession"):  # a Spark DataFrame
            return table.toPandas()
        return table

    return _tables.catalog(local(partners), local(participants), local(products), local(plans))


def partial_of(
    program: Program,
    catalog: Any,
    events: Any,
    amount_scale: Optional[int],
    quantity_scale: Optional[int],
    event_ids: bool,
    threads: int = 1,
    id_hashes: bool = False,
) -> Any:
    """One part: its events (any table form; None or no rows: nothing) taken in, as a partial run;
    with `id_hashes`, (the partial, the sorted distinct uint64 hashes of its event ids)."""
    table = None
    if events is not None and len(events) > 0:
        table = _tables.event_table(events, amount_scale, quantity_scale, hint_scale=program.amount_scale)
    return _core.partial_run(program._impl, table, catalog, event_ids, threads, id_hashes)


def settle(program: Program, catalog: Any, partials: Sequence[bytes], event_ids: bool) -> Result:
    """The global stage: every partial added up and settled, as one Result."""
    return Result(_core.combine(program._impl, catalog, list(partials), event_ids))


def duplicate_ids_error(ids: Sequence[Any], program: Program) -> InputError:
    """The error for event ids found in more than one part: one process refuses the repeat (or, with
    ``duplicates: ignore``, skips whichever copy came second — an order a partitioned run does not have)."""
    shown = ", ".join(f'"{i}"' for i in list(ids)[:5])
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    code = "incentives.input.duplicate_event"
    policy = (
        "the program refuses repeats (duplicates: error)"
        if program.to_dict().get("duplicates", "error") != "ignore"
        else "with duplicates: ignore one process skips the copy that comes second, and the parts of a "
        "distributed run have no order to say which that is: remove the repeats"
    )
    return InputError(
        f"[{code}] duplicate event id {shown}{more}: the same id in two partitions (the events of two partners, "
        "or of one partner split without the shuffle by partner); "
        f"{policy}",
        code,
    )


def check_threads(threads: Any) -> int:
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads is a number of threads, at least 1; got {threads!r}")
    return threads

