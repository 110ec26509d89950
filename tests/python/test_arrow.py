"""Arrow data in, through the C stream interface (__arrow_c_stream__): a pyarrow Table (one batch or
several), a polars DataFrame (string views), a DuckDB relation. decimal128 goes into the engine's
integers with its own scale, never through text or float; the lines equal those of the same events as
strings. Wrong types are refused with the column's name and what to pass."""

import decimal

import pytest

from incentives import InputError

from test_run import EVENTS, lines, run

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def base():
    return lines(run(EVENTS))


def text_table():
    return pa.Table.from_pandas(pd.DataFrame(EVENTS), preserve_index=False)


def typed_table():
    t = text_table()
    amounts = pa.array([decimal.Decimal(e["amount"]) for e in EVENTS], pa.decimal128(18, 2))
    days = pa.array([pd.Timestamp(e["date"]).date() for e in EVENTS], pa.date32())
    t = t.set_column(t.schema.get_field_index("amount"), "amount", amounts)
    return t.set_column(t.schema.get_field_index("date"), "date", days)


def with_column(t, name, values):
    return t.set_column(t.schema.get_field_index(name), name, values)


def test_strings_decimal128_and_date32_give_the_lines_of_text(base):
    assert text_table().schema.field("amount").type in (pa.string(), pa.large_string())
    assert lines(run(text_table())) == base
    assert lines(run(typed_table())) == base


def test_decimal128_keeps_its_own_scale(base):
    # 3000.000 at scale 3 is 3000.00 exactly; the program's 2 places take it without rounding.
    t = with_column(typed_table(), "amount", pa.array([decimal.Decimal(e["amount"]) for e in EVENTS], pa.decimal128(20, 3)))
    assert lines(run(t)) == base
    # A value with a third place the program cannot hold is an error, not rounded: 123.455 at scale 3.
    values = [decimal.Decimal(e["amount"]) for e in EVENTS]
    values[1] = decimal.Decimal("123.455")
    with pytest.raises(InputError, match="more than 2 decimal places") as err:
        run(with_column(t, "amount", pa.array(values, pa.decimal128(20, 3))))
    assert (err.value.row, err.value.field) == (2, "amount")


def test_several_batches_and_dictionaries_are_one_table(base):
    t = typed_table()
    batches = pa.concat_tables([t.slice(0, 1), t.slice(1, 2), t.slice(3)])
    assert batches.column("id").num_chunks == 3
    assert lines(run(batches)) == base
    kinds = with_column(t, "kind", t.column("kind").dictionary_encode())
    assert lines(run(kinds)) == base


def test_integer_cents_need_a_declared_scale(base):
    cents = pa.array([300000, 12345, 100005, 100000], pa.int64())
    t = with_column(typed_table(), "amount", cents)
    assert lines(run(t, amount_scale=2)) == base
    with pytest.raises(InputError, match="amount_scale=2 when they count cents") as err:
        run(t)
    assert err.value.code == "incentives.input.scale"
    assert lines(run(with_column(t, "amount", pa.array([300000, 12345, 100005, 100000], pa.int32())), amount_scale=2)) == base


def test_nulls_are_missing_values():
    t = with_column(typed_table(), "amount", pa.array([None, "123.45", "1000.05", "1000.00"], pa.string()))
    with pytest.raises(InputError, match="every sale needs an amount") as err:
        run(t)
    assert (err.value.row, err.value.field) == (1, "amount")


@pytest.mark.parametrize(
    "name, values, words",
    [
        ("amount", pa.array([3000.0, 123.45, 1000.05, 1000.0], pa.float64()), "binary floating point is not exact"),
        ("amount", pa.array([decimal.Decimal("1")] * 4, pa.decimal256(40, 2)), "only decimal128 is read"),
        ("participants", pa.array([1, 2, 3, 4], pa.int64()), "participants are strings"),
        ("date", pa.array([1, 2, 3, 4], pa.int64()), "expected dates"),
    ],
)
def test_wrong_types_name_the_column_and_what_to_pass(name, values, words):
    with pytest.raises(TypeError, match=words) as err:
        run(with_column(typed_table(), name, values))
    assert f'events column "{name}"' in str(err.value)


def test_a_timestamp_with_a_time_of_day_is_not_truncated(base):
    midnight = pa.array([pd.Timestamp(e["date"]) for e in EVENTS], pa.timestamp("us"))
    assert lines(run(with_column(typed_table(), "date", midnight))) == base
    noon = pa.array([pd.Timestamp(e["date"]) + pd.Timedelta(hours=12) for e in EVENTS], pa.timestamp("us"))
    with pytest.raises(InputError, match="time of day") as err:
        run(with_column(typed_table(), "date", noon))
    assert (err.value.row, err.value.field) == (1, "date")


def test_columns_are_checked_by_name():
    t = typed_table()
    with pytest.raises(InputError, match='missing required column "partner"'):
        run(t.drop_columns(["partner"]))
    with pytest.raises(InputError, match='unknown column "amout" \\(did you mean "amount"\\?\\)'):
        run(t.rename_columns(["amout" if n == "amount" else n for n in t.column_names]))


def test_polars_and_duckdb(base):
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    frame = pl.from_arrow(typed_table())
    assert frame.schema["id"] == pl.String  # exported as Arrow string views
    assert lines(run(frame)) == base
    con = duckdb.connect()
    con.register("events", typed_table())
    relation = con.sql("SELECT * FROM events ORDER BY id DESC")  # a return before its sale: order is free
    assert lines(run(relation)) == base
    assert lines(run(relation.arrow())) == base
