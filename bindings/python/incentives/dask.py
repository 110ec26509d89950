"""Runs over Dask DataFrames: the events shuffled by partner, each partition taken in and accumulated
on a worker, the partial runs added up and settled once on the client — the same Result, line for line,
as :meth:`incentives.Program.run` over the same events in one process (docs/scale-out.md).

    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster
    import incentives, incentives.dask

    client = Client(LocalCluster(n_workers=2, threads_per_worker=1))
    events = dd.read_parquet("events/")                 # decimal128 amounts stay exact
    result = incentives.dask.run(program, events, partners="partners.csv", plans="plans.csv")
    result.payouts                                      # pandas, as Program.run's

The default scheduler is Dask's: a distributed Client when one is active. Needs
``pip install 'incentives[dask]'``.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from . import _distributed
from ._result import Result

__all__ = ["run"]


def _read(events: Any) -> Any:
    import dask.dataframe as dd

    if isinstance(events, (str, os.PathLike)):
        name = os.fspath(events)
        if name.endswith(".csv"):
            return dd.read_csv(name, dtype=str, keep_default_na=False, na_values=[])
        # Dask's default: strings and decimals Arrow-backed, dictionaries as categoricals (an Arrow
        # dictionary dtype, from dtype_backend="pyarrow", fails in its shuffle).
        return dd.read_parquet(name)
    if not (hasattr(events, "npartitions") and hasattr(events, "to_delayed")):
        raise TypeError(
            f"events: expected a Dask DataFrame or a Parquet or CSV path, got {type(events).__name__} "
            "(for a pandas DataFrame use Program.run, or dask.dataframe.from_pandas)"
        )
    return events


def _partial_and_ids(
    frame: Any, program: Any, catalog: Any, amount_scale: Any, quantity_scale: Any, event_ids: bool, threads: int, ids: bool
) -> Any:
    """A partition's partial run and the hashes of its event ids, as one frame: a first row without a
    hash that holds the partial's bytes, then one row per distinct hash (when asked). One frame, so
    that the events are shuffled once for both: the run's first stage."""
    import numpy as np
    import pandas as pd

    if ids:
        partial, hashes = _distributed.partial_of(program, catalog, frame, amount_scale, quantity_scale, event_ids, threads, True)
    else:
        partial = _distributed.partial_of(program, catalog, frame, amount_scale, quantity_scale, event_ids, threads)
        hashes = np.zeros(0, dtype=np.uint64)
    n = len(hashes)
    missing = np.zeros(n + 1, dtype=bool)
    missing[0] = True
    values = np.concatenate([np.zeros(1, dtype=np.uint64), hashes])
    holder = np.empty(n + 1, dtype=object)
    holder[0] = partial
    return pd.DataFrame({"hash": pd.arrays.IntegerArray(values, missing), "partial": holder})


def _rows_with_hashes(frame: Any, suspects: Any, partition_info: Any = None) -> Any:
    """The ids of a partition whose hash is one of `suspects`, with the partition's number."""
    import numpy as np
    import pandas as pd

    from . import _core

    ids = frame["id"].astype(str).tolist()
    hit = np.isin(_core.id_hashes(ids), suspects)
    found = pd.Series(ids, dtype=object)[hit].drop_duplicates()
    part = partition_info["number"] if partition_info else 0
    return pd.DataFrame({"id": found.to_numpy(dtype=object), "part": np.full(len(found), part, dtype=np.int64)})


def _repeated_ids(frame: Any, suspects: Any, scheduler: Any) -> list[str]:
    """The ids behind hashes seen in two partitions that are really in two partitions (two different
    ids may share a 64-bit hash: about once in 10^7 runs of 10^9 events)."""
    import numpy as np
    import pandas as pd

    meta = pd.DataFrame({"id": pd.Series([], dtype=object), "part": pd.Series([], dtype=np.int64)})
    rows = frame.map_partitions(_rows_with_hashes, np.asarray(suspects, dtype=np.uint64), meta=meta).compute(scheduler=scheduler)
    parts = rows.groupby("id")["part"].nunique()
    return sorted(str(i) for i in parts[parts > 1].index)


def _same(value: Any) -> Any:
    return value


def _shared(value: Any, scheduler: Any) -> Any:
    """A value every task reads, as one key of the graph: scattered to every worker first when a
    distributed Client runs the graph (a catalog of many partners is tens of MB, which Dask warns
    about and sends with the graph otherwise), else the value itself."""
    import dask

    client = None
    try:
        from distributed import Client, get_client

        if isinstance(scheduler, Client):
            client = scheduler
        elif scheduler is None:
            client = get_client()
    except (ImportError, ValueError):  # no distributed, or no Client running
        client = None
    if client is not None:
        return dask.delayed(_same, pure=True)(client.scatter(value, broadcast=True, hash=False))
    return dask.delayed(value, pure=True)


def _decimal_scales(meta: Any, amount_scale: Any, quantity_scale: Any) -> dict[str, int]:
    """The amount and quantity columns that are Arrow decimals of at most 18 digits (Parquet's), with
    their scales: they travel as int64 units instead (a scale not given by the caller)."""
    import pandas as pd
    import pyarrow as pa

    scales = {}
    for column, given in (("amount", amount_scale), ("quantity", quantity_scale)):
        dtype = meta.dtypes.get(column)
        if given is None and isinstance(dtype, pd.ArrowDtype) and pa.types.is_decimal(dtype.pyarrow_dtype):
            if dtype.pyarrow_dtype.precision <= 18:
                scales[column] = dtype.pyarrow_dtype.scale
    return scales


def _to_units(frame: Any, scales: dict[str, int]) -> Any:
    """Decimal columns as exact int64 units at their own scale (123.45 at scale 2: 12345). Dask's
    shuffle turns Arrow decimals into a decimal.Decimal per cell, and integers cross it as they are."""
    import decimal

    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    out = frame.copy(deep=False)
    for column, scale in scales.items():
        factor = pa.scalar(decimal.Decimal(10) ** scale, pa.decimal128(scale + 1, 0))
        units = pc.multiply(pa.array(frame[column]), factor).cast(pa.int64())  # whole: a safe cast
        out[column] = pd.arrays.ArrowExtensionArray(units)
    return out


def run(
    program: Any,
    events: Any,
    partners: Any = None,
    participants: Any = None,
    products: Any = None,
    plans: Any = None,
    *,
    traces: bool = False,
    threads: int = 1,
    amount_scale: Optional[int] = None,
    quantity_scale: Optional[int] = None,
    partitions: Optional[int] = None,
    shuffle: bool = True,
    check_ids: bool = True,
    scheduler: Any = None,
) -> Result:
    """Runs `program` over `events` on Dask; returns the :class:`incentives.Result` that
    ``program.run(events.compute(), ...)`` would.

    ``events`` is a Dask DataFrame with the columns of the events table, or a Parquet file or
    directory (``dask.dataframe.read_parquet``) or CSV file or glob (read as text). The reference
    tables are small: pandas or Dask DataFrames, files, or anything :meth:`Program.run` takes; they are
    checked once here and sent to each worker once.

    ``shuffle=True`` (the default) puts every event of a partner in one partition (``partitions`` of
    them, default: as many as ``events`` has), so that returns meet their sales; pass False for data
    already partitioned by partner (a return whose sale is in another partition is then an
    :class:`InputError`, never a silent gap). ``check_ids`` makes sure no event id is in two
    partitions, as one process would: each partition's distinct id hashes (8 bytes each, computed by
    intake anyway) are counted across partitions, in the same graph (the events are read and shuffled
    once), and only hashes seen twice are looked up again. ``threads`` is the threads of each partition's engine (for workers
    with several threads each). The partials come to the client, which adds them up and settles the
    program once: its memory is the measures', partners x rules x periods, not the events'.
    ``traces=True`` keeps the event ids for the traces. ``scheduler`` goes to
    ``dask.compute``. Row errors name the row within its partition; a worker lost mid-run is retried
    by Dask (every task is pure) or the run raises: a partial total is never returned.
    """
    import dask
    import pandas as pd

    program = _distributed.program_of(program)
    threads = _distributed.check_threads(threads)
    catalog = _distributed.catalog_of(partners, participants, products, plans)
    frame = _read(events)
    if "partner" not in frame.columns:
        raise KeyError("events: no column 'partner' (every event names its partner; the runs are split by it)")
    scales = _decimal_scales(frame._meta, amount_scale, quantity_scale)
    if scales:
        frame = frame.map_partitions(_to_units, scales, meta=_to_units(frame._meta, scales))
        amount_scale = scales.get("amount", amount_scale)
        quantity_scale = scales.get("quantity", quantity_scale)
    if shuffle:
        frame = frame.shuffle(on="partner", npartitions=partitions or frame.npartitions)
    elif partitions is not None and partitions != frame.npartitions:
        frame = frame.repartition(npartitions=partitions)

    # The program and the catalog enter the graph once each (a key each), and reach a worker once.
    program_key = _shared(program, scheduler)
    catalog_key = _shared(catalog, scheduler)
    event_ids = bool(traces)
    check = check_ids and frame.npartitions > 1
    meta = pd.DataFrame({"hash": pd.Series([], dtype="UInt64"), "partial": pd.Series([], dtype=object)})
    out = frame.map_partitions(
        _partial_and_ids, program_key, catalog_key, amount_scale, quantity_scale, event_ids, threads, check, meta=meta,
        enforce_metadata=False,
    )
    wanted = [out[out["hash"].isna()]["partial"]]
    if check:
        # Each partition's distinct id hashes, counted across partitions (split over as many outputs).
        counts = out["hash"].dropna().value_counts(split_out=frame.npartitions)
        wanted.append(counts[counts > 1])
    computed = dask.compute(*wanted, scheduler=scheduler)
    if len(computed) > 1 and len(computed[1]) > 0:
        repeated = _repeated_ids(frame, list(computed[1].index), scheduler)
        if repeated:
            raise _distributed.duplicate_ids_error(repeated, program)
    return _distributed.settle(program, catalog, list(computed[0]), event_ids)
