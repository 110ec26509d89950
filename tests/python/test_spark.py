"""incentives.spark on a local Spark session (PySpark from PyPI, Java 17 from Debian): events as a Spark
DataFrame with DecimalType amounts, carried through Arrow decimal128 into the engine, give the
single-process result line for line (docs/scale-out.md)."""

from __future__ import annotations

import decimal
import os
import shutil
import sys

import pytest

import incentives

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java (scripts/setup.sh installs openjdk-17-jre-headless)", allow_module_level=True)

from test_scale_out import SMALL, generated, program, same  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The executors' Python is this one, where incentives is installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("incentives-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


def spark_events(spark, events):
    """The events as Spark would hold them: dates as DateType, amounts as DecimalType(12, 2) and
    quantities as DecimalType(12, 0), each parsed from its exact text (never a double)."""
    from pyspark.sql import functions as F

    frame = spark.createDataFrame(events.astype(str))
    return (
        frame.withColumn("date", F.to_date("date"))
        .withColumn("amount", F.col("amount").cast("decimal(12,2)"))
        .withColumn("quantity", F.when(F.col("quantity") == "", None).otherwise(F.col("quantity")).cast("decimal(12,0)"))
    )


def test_spark_local_gives_the_single_process_result(spark):
    events, partners, people = generated(100_000, 1_000, seed=8)
    for policy in ("pro_rata", "event_date"):
        prog = program(policy, budget=10_000_000)  # the rules' lines are about 11.8 M before it
        whole = prog.run(events, partners, people)
        frame = spark_events(spark, events)
        assert dict(frame.dtypes)["amount"] == "decimal(12,2)"
        got = incentives.spark.run(prog, frame, partners, people, partitions=3)
        same(got, whole)


def test_spark_a_bad_row_is_our_error_with_its_message(spark):
    events, partners, people = SMALL
    bad = events.copy()
    bad.loc[5, "partner"] = "NOBODY"
    with pytest.raises(incentives.InputError, match='unknown partner "NOBODY"'):
        incentives.spark.run(program(), spark_events(spark, bad), partners, people)


def test_spark_refuses_an_event_id_at_two_partners(spark):
    import pandas as pd

    events, partners, people = SMALL
    twin = events.iloc[[0]].copy()
    twin["partner"] = "P39" if events.iloc[0]["partner"] != "P39" else "P38"
    twin["participants"] = ""
    frame = spark_events(spark, pd.concat([events, twin], ignore_index=True))
    with pytest.raises(incentives.InputError, match=r'duplicate event id "s0"'):
        incentives.spark.run(program(), frame, partners, people)


def test_spark_decimal_amounts_reach_the_engine_exactly(spark):
    """An amount with all twelve digits of DecimalType(12, 2) and one with a cent: a double would
    lose neither, but Spark's own sum of such columns can; the engine adds the decimal128 integers."""
    import pandas as pd

    events = pd.DataFrame(
        {
            "id": ["a", "b"],
            "kind": ["sale", "sale"],
            "date": ["2027-01-05", "2027-01-06"],
            "partner": ["P0", "P0"],
            "participants": ["M0", "M0"],
            "quantity": ["1", "1"],
            "amount": ["9999999999.99", "0.01"],
            "reference": ["", ""],
        }
    )
    _, partners, people = generated(100, 1)
    got = incentives.spark.run(program(budget=10**12), spark_events(spark, events), partners, people)
    rebate = got.payouts[got.payouts["rule"] == "rebate"]["amount"]
    # 3% of 10,000,000,000.00 = 300,000,000.00
    assert list(rebate) == [decimal.Decimal("300000000.00")]


def test_spark_double_amounts_are_refused_as_in_one_process(spark):
    events, partners, people = SMALL
    frame = spark_events(spark, events).withColumn("amount", __import__("pyspark.sql.functions").sql.functions.col("amount").cast("double"))
    with pytest.raises(TypeError, match="amount"):
        incentives.spark.run(program(), frame, partners, people)
