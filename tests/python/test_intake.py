"""The one intake from Python: str columns stay text and are read by the engine's own checker (the same
codes and words as a CSV file), typed numpy columns stay typed, and nothing is silently taken as 0,
guessed or passed through: a sale without an amount, an integer amount without a declared scale,
undecodable bytes in an id. Errors carry their place as attributes."""

import numpy as np
import pytest

from incentives import InputError

from test_run import EVENTS, PROGRAM, lines, run

pd = pytest.importorskip("pandas")


def test_typed_numpy_columns_give_the_lines_of_text_columns():
    text = pd.DataFrame(EVENTS)
    typed = text.copy()
    typed["date"] = np.array(text["date"], dtype="datetime64[D]")
    typed["amount"] = np.array([300000, 12345, 100005, 100000], dtype=np.int64)  # cents, declared below
    typed["quantity"] = np.array([3, 10, 1, 1], dtype=np.int64)
    assert lines(run(typed, amount_scale=2)) == lines(run(text))
    # A non-contiguous view (every row of a 2-d array's column) reads the same values.
    wide = np.array([[300000, 0], [12345, 0], [100005, 0], [100000, 0]], dtype=np.int64)
    assert lines(run(typed.assign(amount=wide[:, 0]), amount_scale=2)) == lines(run(text))


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda f: f.drop(columns=["amount"]), "every sale needs an amount (the table has no amount column)"),
        (lambda f: f.assign(amount=[None, "123.45", "1000.05", "1000.00"]), "every sale needs an amount"),
        (lambda f: f.assign(amount=[np.nan, "123.45", "1000.05", "1000.00"]), "every sale needs an amount"),
        (lambda f: f.assign(amount=["", "123.45", "1000.05", "1000.00"]), "every sale needs an amount"),
    ],
)
def test_a_sale_without_an_amount_is_an_error_not_zero(change, words):
    frame = change(pd.DataFrame(EVENTS))
    with pytest.raises(InputError) as err:
        run(frame)
    e = err.value
    assert str(e).endswith(words)
    assert (e.code, e.row, e.field) == ("incentives.input.missing_amount", 1, "amount")
    assert str(e).startswith('[incentives.input.missing_amount] row 1 (event "E1"), field amount: ')


def test_a_return_without_an_amount_is_an_error_too():
    frame = pd.DataFrame(EVENTS).assign(amount=["3000.00", "123.45", "1000.05", None])
    with pytest.raises(InputError, match="every return needs an amount") as err:
        run(frame)
    assert err.value.row == 4


def test_other_kinds_need_no_amount():
    events = [dict(e) for e in EVENTS] + [
        {"id": "T1", "kind": "training", "date": "2027-03-01", "partner": "P1", "amount": None}
    ]
    with pytest.warns(UserWarning, match='kind "training" that no rule selects'):
        assert lines(run(events)) == lines(run(EVENTS))


def test_undecodable_bytes_in_an_id_are_refused_with_the_row_and_field():
    # What reading a Latin-1 file as UTF-8 with errors="surrogateescape" leaves: a lone surrogate.
    bad = b"E\xe91".decode("utf-8", errors="surrogateescape")
    events = [dict(e) for e in EVENTS]
    events[1]["id"] = bad
    with pytest.raises(InputError, match="not valid UTF-8") as err:
        run(events)
    assert (err.value.code, err.value.row, err.value.field) == ("incentives.input.encoding", 2, "id")


def test_text_values_get_the_csv_readers_words():
    # The same words as the C++ CSV test "events: value errors name source, line, field number and
    # field" (tests/cpp/unit-csv.cpp): one checker reads both.
    events = [dict(e) for e in EVENTS]
    events[1]["amount"] = "12,50"
    with pytest.raises(InputError) as err:
        run(events)
    assert str(err.value) == (
        '[incentives.input.decimal_syntax] row 2 (event "E2"), field amount: "12,50" is not a decimal number: '
        "unexpected ',' at position 3 (expected digits with an optional sign, one '.' and an optional exponent, "
        'e.g. "-12.50" or "2.5e-3")'
    )


def test_a_return_listed_before_its_sale_keeps_the_callers_row_numbers():
    # Intake takes returns after the other rows; a message still names the row in the caller's table.
    events = [dict(EVENTS[3], amount="9999.00")] + [dict(e) for e in EVENTS[:3]]
    with pytest.raises(InputError, match="exceed the sale") as err:
        run(events)
    assert err.value.row == 1
    assert str(err.value).startswith('[incentives.input.return_exceeds_sale] row 1 (event "R1")')


def test_program_runs_are_unchanged_by_the_column_forms():
    # Lists of dicts, dicts of lists and DataFrames are the same table.
    frame = pd.DataFrame(EVENTS)
    as_dict = {k: list(frame[k]) for k in frame.columns}
    assert lines(run(as_dict)) == lines(run(EVENTS)) == lines(run(frame))
    assert PROGRAM.name == "Test"


def test_unknown_kinds_warn_by_default_and_are_listed():
    import incentives

    events = [dict(e) for e in EVENTS] + [
        {"id": "X1", "kind": "sael", "date": "2027-03-01", "partner": "P1", "amount": "10.00"},
        {"id": "X2", "kind": "sael", "date": "2027-03-02", "partner": "P1", "amount": "10.00"},
    ]
    with pytest.warns(incentives.UnknownKindWarning, match='2 event\\(s\\) of kind "sael" that no rule selects'):
        result = run(events)
    assert result.unknown_kinds == {"sael": 2}
    assert lines(result) == lines(run(EVENTS))  # paid nothing


def test_unknown_kinds_error_refuses_them_with_a_suggestion():
    import incentives

    strict = incentives.Program.from_dict({**PROGRAM.to_dict(), "unknown_kinds": "error"})
    events = [dict(e) for e in EVENTS] + [{"id": "X1", "kind": "sael", "date": "2027-03-01", "partner": "P1", "amount": "1"}]
    with pytest.raises(InputError, match='no rule selects events of kind "sael" \\(did you mean "sale"\\?\\)') as err:
        strict.run(events, [{"id": "P1"}, {"id": "P2"}], [{"id": "M1", "partner": "P1"}, {"id": "S1", "partner": "P1"}],
                   [{"sku": "X200", "category": "laptops"}, {"sku": "K1", "category": "accessories"}])
    assert (err.value.code, err.value.row, err.value.field) == ("incentives.input.unknown_kind", 5, "kind")
    quiet = incentives.Program.from_dict({**PROGRAM.to_dict(), "unknown_kinds": "ignore"})
    assert quiet.to_dict()["unknown_kinds"] == "ignore"


def test_pandas_string_columns_go_through_arrow_with_the_same_lines():
    pytest.importorskip("pyarrow")
    from incentives import _tables

    frame = pd.DataFrame(EVENTS).astype({"id": "string[pyarrow]", "kind": "string[pyarrow]", "partner": "string[pyarrow]"})
    assert _tables._arrow_friendly(frame.drop(columns=["participants", "sku", "quantity", "amount", "date",
                                                      "attr.seats", "reference"]))
    assert not _tables._arrow_friendly(frame.assign(amount=[1.5, 2.0, 3.0, 4.0]))  # floats keep the column path
    strings = frame.drop(columns=["attr.seats"]).astype("string[pyarrow]")
    assert _tables._arrow_friendly(strings)
    assert lines(run(strings)) == lines(run([{k: v for k, v in e.items() if k != "attr.seats"} for e in EVENTS]))


def test_a_participants_text_among_lists_is_read_by_the_same_reader():
    events = [dict(e) for e in EVENTS]
    events[0]["participants"] = [("M1", "0.6"), ("S1", "0.4")]  # lists in the column: converted cell by cell
    events[1]["participants"] = "M1:0.6;S1:0.5"
    with pytest.raises(InputError) as err:
        run(events)
    assert str(err.value) == (
        '[incentives.input.participants] row 2 (event "E2"), field participants: "M1:0.6;S1:0.5": the shares add up '
        "to 1.1, not 1 (decimal shares add up to 1; give whole-number weights such as 2 and 1, or fractions such as 1/3)"
    )
    assert (err.value.row, err.value.field) == (2, "participants")
