"""Runs over PySpark DataFrames: the events repartitioned by partner, each partition taken in and
accumulated by the engine inside ``mapInArrow`` (Arrow record batches, ``DecimalType`` amounts as
``decimal128``: Spark's own decimal arithmetic, which truncates scale or turns an overflow into NULL,
never touches the money), the partial runs collected and settled once on the driver — the same
Result, line for line, as :meth:`incentives.Program.run` in one process (docs/scale-out.md).

    from pyspark.sql import SparkSession
    import incentives, incentives.spark

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    events = spark.read.parquet("events/")
    result = incentives.spark.run(program, events, partners="partners.csv")

Needs PySpark (3.4 or later: ``mapInArrow``) and pyarrow on the driver and the executors, with
incentives installed in the executors' Python.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from . import _distributed
from ._result import Result

__all__ = ["run"]


def _partial_rows(
    batches: Iterator[Any], payload: Any, amount_scale: Any, quantity_scale: Any, event_ids: bool, threads: int
) -> Iterator[Any]:
    """mapInArrow's function: the partition's record batches as one table (a return may come in a
    batch before its sale's), taken in by one engine, yielded as one row holding the partial run."""
    import pyarrow as pa

    program, catalog = payload.value
    batches = list(batches)
    table = pa.Table.from_batches(batches) if batches else None
    partial = _distributed.partial_of(program, catalog, table, amount_scale, quantity_scale, event_ids, threads)
    yield pa.RecordBatch.from_pydict({"partial": [partial]}, schema=pa.schema([("partial", pa.binary())]))


def _worker_error(e: Exception) -> Exception:
    """An error of incentives raised in a Spark worker, raised again with its class and message (Spark
    wraps it in a PythonException whose text holds the worker's traceback)."""
    import re

    from . import _errors

    text = str(e)
    found = re.search(r"incentives\._errors\.(\w+): (\[([\w.]+)\] [^\n]*)", text)
    if found:
        cls = getattr(_errors, found.group(1), _errors.Error)
        return cls(found.group(2), found.group(3))
    # A TypeError of the doors (a float column, a table of the wrong shape) names its column.
    found = re.search(r"\nTypeError: ([^\n]*)", text)
    if found:
        return TypeError(found.group(1))
    return e


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
    check_ids: bool = True,
) -> Result:
    """Runs `program` over the Spark DataFrame `events`; returns the :class:`incentives.Result` that
    ``program.run(events.toPandas(), ...)`` would.

    Money columns are best ``DecimalType`` (or strings): they reach the engine as Arrow
    ``decimal128`` and become its exact integers; a ``DoubleType`` amount is refused, as everywhere.
    Every event of a partner goes to one of ``partitions`` partitions (default:
    ``spark.sql.shuffle.partitions``); the reference tables are checked once on the driver and
    broadcast. ``check_ids`` makes sure no event id is in the events of two partners, as one process
    would (a second job over ``events``: cache them if reading them twice costs). ``threads`` is the
    threads of each partition's engine. The partials are collected to the driver and settled there;
    they are the measures (partners x rules x periods), within ``spark.driver.maxResultSize``.
    """
    program = _distributed.program_of(program)
    threads = _distributed.check_threads(threads)
    catalog = _distributed.catalog_of(partners, participants, products, plans)
    if not (hasattr(events, "mapInArrow") and hasattr(events, "sparkSession")):
        raise TypeError(f"events: expected a PySpark DataFrame, got {type(events).__name__}")
    if "partner" not in events.columns:
        raise KeyError("events: no column 'partner' (every event names its partner; the runs are split by it)")
    spark = events.sparkSession
    n = partitions or int(spark.conf.get("spark.sql.shuffle.partitions"))
    payload = spark.sparkContext.broadcast((program, catalog))
    event_ids = bool(traces)

    def partials(batches: Iterator[Any]) -> Iterator[Any]:
        return _partial_rows(batches, payload, amount_scale, quantity_scale, event_ids, threads)

    try:
        try:
            rows = events.repartition(n, "partner").mapInArrow(partials, "partial binary").collect()
        except Exception as e:  # a worker's error arrives as Spark's PythonException: say it as ours
            raise _worker_error(e) from e
        if check_ids:
            from pyspark.sql import functions as F

            repeated = (
                events.groupBy("id").agg(F.countDistinct("partner").alias("partners")).where("partners > 1").select("id").limit(6).collect()
            )
            if repeated:
                raise _distributed.duplicate_ids_error(sorted(str(r["id"]) for r in repeated), program)
    finally:
        payload.unpersist()
    return _distributed.settle(program, catalog, [bytes(r["partial"]) for r in rows], event_ids)
