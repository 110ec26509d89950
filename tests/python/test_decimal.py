"""incentives.Decimal against Python's decimal module (and, for division, exact fractions) as the oracle.

Synopsis: Decimal(str | int | decimal.Decimal | Decimal), Decimal.from_units(units, scale);
.units .scale .signum() .is_zero() .normalized() .to_decimal(); + - * (with int and decimal.Decimal on
either side), unary - + abs; == != < <= > >= and hash (scale-independent); rescale(places, mode) and
divide(divisor, places, mode), the only operations that round.
"""

import decimal
import pickle
from fractions import Fraction

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from incentives import CalculationError, Decimal, InputError, RoundingMode

LIMIT = 2**127 - 1  # the largest |units| a Decimal holds
MAX_SCALE = 36

# Arithmetic in the oracle must be exact: any rounding in it is a test bug, so it traps.
EXACT = decimal.Context(
    prec=200,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
# quantize() rounds on purpose, so its context traps only invalid operations.
ROUNDING = decimal.Context(prec=200, Emin=-999999, Emax=999999, traps=[decimal.InvalidOperation])

PY_ROUNDING = {
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_up": decimal.ROUND_HALF_UP,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}
MODES = [*PY_ROUNDING, "unnecessary"]


def py_dec(units: int, scale: int) -> decimal.Decimal:
    """units x 10**-scale as a decimal.Decimal with exponent -scale (scaleb is exact in EXACT)."""
    return decimal.Decimal(units).scaleb(-scale, context=EXACT)


def fixed(x: decimal.Decimal) -> str:
    """The text incentives.Decimal gives for x: fixed point, -exponent places, no '-' on zero."""
    return format(x.copy_abs() if x.is_zero() else x, "f")


def decimals(max_units: int, max_scale: int = 12):
    """decimal.Decimal values units x 10**-scale, |units| <= max_units, 0 <= scale <= max_scale."""
    return st.builds(py_dec, st.integers(-max_units, max_units), st.integers(0, max_scale))


def mode_args():
    """Each mode, passed by name or as the RoundingMode member (both are accepted)."""
    return st.tuples(st.sampled_from(MODES), st.booleans()).map(
        lambda t: (t[0], t[0] if t[1] else RoundingMode.__members__[t[0].upper()])
    )


def scale_of(x: decimal.Decimal) -> int:
    return max(0, -x.as_tuple().exponent)


def representable(x: decimal.Decimal) -> bool:
    """Whether some Decimal (scale 0..36, |units| < 2**127) has exactly this value."""
    if x.is_zero():
        return True
    n = x.normalize(EXACT)
    scale = max(0, -n.as_tuple().exponent)
    return scale <= MAX_SCALE and abs(int(n.scaleb(scale, context=EXACT))) <= LIMIT


def round_fraction(q: Fraction, mode: str) -> int:
    """q rounded to an integer by `mode`, written from the definitions of the modes, so that division
    is checked without decimal's own division (whose result at finite precision is already rounded)."""
    negative = q < 0
    truncated, remainder = divmod(abs(q.numerator), q.denominator)
    if remainder == 0:
        away = False
    else:
        twice, d = 2 * remainder, q.denominator
        away = {
            "half_even": twice > d or (twice == d and truncated % 2 == 1),
            "half_up": twice >= d,
            "half_down": twice > d,
            "up": True,
            "down": False,
            "ceiling": not negative,
            "floor": negative,
            "unnecessary": False,
        }[mode]
    magnitude = truncated + 1 if away else truncated
    return -magnitude if negative else magnitude


# --- construction, text and conversions ----------------------------------------------------------


def test_construction_from_exact_kinds():
    assert str(Decimal("12.50")) == "12.50"
    assert str(Decimal(decimal.Decimal("0.1"))) == "0.1"
    assert str(Decimal(decimal.Decimal("1E+3"))) == "1000"
    assert str(Decimal(7)) == "7"
    assert str(Decimal(-(2**100))) == str(-(2**100))
    assert str(Decimal(Decimal("1.0"))) == "1.0"
    assert str(Decimal.from_units(1250, 2)) == "12.50"
    assert str(Decimal("2.5e-3")) == "0.0025"


def test_float_is_a_type_error_that_says_what_to_pass():
    with pytest.raises(TypeError, match=r"pass a str or decimal\.Decimal for an exact value"):
        Decimal(0.1)
    with pytest.raises(TypeError, match="float"):
        Decimal(1.0)


def test_bool_is_a_type_error():
    with pytest.raises(TypeError, match="bool"):
        Decimal(True)
    with pytest.raises(TypeError):
        Decimal.from_units(True, 0)


def test_other_types_are_type_errors():
    for bad in (None, Fraction(1, 2), [1], b"1"):
        with pytest.raises(TypeError):
            Decimal(bad)


def test_str_repr_and_to_decimal():
    x = Decimal("3.140")
    assert str(x) == "3.140"
    assert repr(x) == "Decimal('3.140')"
    assert Decimal("3.14").to_decimal() == decimal.Decimal("3.14")
    assert isinstance(x.to_decimal(), decimal.Decimal)
    assert str(x.to_decimal()) == "3.140"  # the scale survives
    assert str(Decimal("-0.001")) == "-0.001"


def test_properties():
    x = Decimal("-12.50")
    assert x.scale == 2 and x.units == -1250 and isinstance(x.units, int)
    assert x.signum() == -1 and Decimal(0).signum() == 0 and Decimal("0.1").signum() == 1
    assert Decimal("0.00").is_zero() and not x.is_zero()
    assert not Decimal("0.00") and bool(x)
    assert str(Decimal("1.2300").normalized()) == "1.23"
    assert str(Decimal("0.000").normalized()) == "0"
    assert Decimal.from_units(LIMIT, 0).units == LIMIT
    assert Decimal.from_units(-LIMIT, 36).units == -LIMIT


def test_pickle_keeps_the_scale():
    x = Decimal("1.50")
    y = pickle.loads(pickle.dumps(x))
    assert y == x and str(y) == "1.50"


@given(units=st.integers(-LIMIT, LIMIT), scale=st.integers(0, MAX_SCALE))
def test_format_and_parse_round_trip(units, scale):
    x = Decimal.from_units(units, scale)
    text = str(x)
    assert text == fixed(py_dec(units, scale))  # the canonical text, formed independently
    y = Decimal(text)
    assert y == x and y.scale == scale and y.units == units and str(y) == text
    assert x.to_decimal() == py_dec(units, scale) and str(x.to_decimal()) == str(py_dec(units, scale))
    assert Decimal(x.to_decimal()).units == units


@given(x=decimals(10**30, MAX_SCALE))
def test_parse_scientific_notation(x):
    text = str(x)  # decimal's to-sci-string: '1.23E-10', '0E-12', '123.4'
    assert Decimal(text) == x
    assert Decimal(text).scale == scale_of(x)
    assert Decimal(x) == x


# --- exact arithmetic ------------------------------------------------------------------------------


@given(a=decimals(10**25), b=decimals(10**25))
def test_add_and_subtract_are_exact(a, b):
    x, y = Decimal(a), Decimal(b)
    assert str(x + y) == fixed(EXACT.add(a, b))
    assert str(x - y) == fixed(EXACT.subtract(a, b))


@given(a=decimals(10**19), b=decimals(10**19))
def test_multiply_is_exact(a, b):
    assert str(Decimal(a) * Decimal(b)) == fixed(EXACT.multiply(a, b))


@given(a=decimals(10**19), b=decimals(10**19), n=st.integers(-(10**18), 10**18))
def test_mixed_operands_on_either_side(a, b, n):
    x = Decimal(a)
    for result, expected in [
        (x + b, EXACT.add(a, b)),
        (b + x, EXACT.add(b, a)),
        (x - b, EXACT.subtract(a, b)),
        (b - x, EXACT.subtract(b, a)),
        (x * b, EXACT.multiply(a, b)),
        (b * x, EXACT.multiply(b, a)),
        (x + n, EXACT.add(a, n)),
        (n + x, EXACT.add(n, a)),
        (n - x, EXACT.subtract(n, a)),
        (x * n, EXACT.multiply(a, n)),
        (n * x, EXACT.multiply(n, a)),
    ]:
        assert isinstance(result, Decimal)
        assert str(result) == fixed(expected)


@given(a=decimals(10**30, MAX_SCALE))
def test_unary_operations(a):
    x = Decimal(a)
    assert str(-x) == fixed(EXACT.minus(a)) and (-x).scale == x.scale
    assert str(abs(x)) == fixed(EXACT.abs(a))
    assert +x == x


@given(
    a=st.builds(py_dec, st.integers(-LIMIT, LIMIT), st.integers(0, MAX_SCALE)),
    b=st.builds(py_dec, st.integers(-LIMIT, LIMIT), st.integers(0, MAX_SCALE)),
    subtract=st.booleans(),
)
def test_add_over_the_whole_range_is_exact_or_an_error(a, b, subtract):
    exact = EXACT.subtract(a, b) if subtract else EXACT.add(a, b)
    scale = max(scale_of(a), scale_of(b))
    # Both operands at the common scale, and the result there, all fit: then it must just work.
    all_fit = all(abs(int(v.scaleb(scale, context=EXACT))) <= LIMIT for v in (a, b, exact))
    try:
        result = Decimal(a) - Decimal(b) if subtract else Decimal(a) + Decimal(b)
    except CalculationError as e:
        assert e.code == "incentives.calculation.overflow"
        assert not all_fit
        return
    assert result.to_decimal() == exact and result.scale <= scale
    assert representable(exact)
    if all_fit:
        assert result.scale == scale


def test_add_fits_even_when_an_operand_at_the_common_scale_does_not():
    a = Decimal("17014118346046923173168730371588410573")  # a x 10 = 2**127 + 2
    b = Decimal.from_units(-LIMIT, 1)
    assert str(a + b) == "0.3"


@given(
    a=st.builds(py_dec, st.integers(-LIMIT, LIMIT), st.integers(0, MAX_SCALE)),
    b=st.builds(py_dec, st.integers(-LIMIT, LIMIT), st.integers(0, MAX_SCALE)),
)
@example(a=py_dec(10**20, 0), b=py_dec(10**20, 0))
@example(a=py_dec(10**30, 30), b=py_dec(3, 30))  # scale 60, but the trailing zeros can go
def test_multiply_over_the_whole_range_is_exact_or_an_error(a, b):
    exact = EXACT.multiply(a, b)
    scale = scale_of(a) + scale_of(b)
    if not representable(exact):
        with pytest.raises(CalculationError) as info:
            Decimal(a) * Decimal(b)
        assert info.value.code == "incentives.calculation.overflow"
        return
    result = Decimal(a) * Decimal(b)
    assert result.to_decimal() == exact
    if scale <= MAX_SCALE and abs(int(exact.scaleb(scale, context=EXACT))) <= LIMIT:
        assert result.scale == scale  # trailing zeros are dropped only when they must be


def test_overflow_is_a_calculation_error_never_a_wrap():
    big = Decimal.from_units(LIMIT, 0)
    with pytest.raises(CalculationError) as info:
        big + 1
    assert info.value.code == "incentives.calculation.overflow"
    assert isinstance(info.value, ArithmeticError)
    with pytest.raises(CalculationError):
        big * 2
    with pytest.raises(CalculationError):
        -big - 1
    with pytest.raises(CalculationError):
        Decimal(2**127)
    with pytest.raises(CalculationError):
        Decimal("1" + "0" * 39)
    with pytest.raises(CalculationError):
        Decimal("1e-37")  # more than 36 places
    with pytest.raises(CalculationError):
        Decimal.from_units(1, 37)
    with pytest.raises(CalculationError):
        Decimal.from_units(-(2**127), 0)


# --- comparison and hashing ------------------------------------------------------------------------


@given(a=decimals(10**30, 20), b=decimals(10**30, 20))
@example(a=py_dec(10, 1), b=py_dec(100, 2))
def test_comparisons_agree_with_decimal(a, b):
    x, y = Decimal(a), Decimal(b)
    assert (x == y) == (a == b) and (x != y) == (a != b)
    assert (x < y) == (a < b) and (x <= y) == (a <= b)
    assert (x > y) == (a > b) and (x >= y) == (a >= b)
    # against decimal.Decimal on either side
    assert (x == b) == (a == b) and (b == x) == (a == b)
    assert (x < b) == (a < b) and (b < x) == (b < a) and (x >= b) == (a >= b)
    if a == b:
        assert hash(x) == hash(y)


@given(a=decimals(10**30, 20), n=st.integers(-(10**40), 10**40))
def test_comparisons_with_int(a, n):
    x = Decimal(a)
    assert (x == n) == (a == n) and (n == x) == (a == n)
    assert (x < n) == (a < n) and (x > n) == (a > n) and (n <= x) == (n <= a)


@given(a=decimals(10**30, MAX_SCALE))
def test_hash_is_that_of_the_equal_decimal(a):
    assert hash(Decimal(a)) == hash(a)
    assert hash(Decimal(a)) == hash(Decimal(a).normalized())


def test_equality_and_hash_ignore_the_scale():
    assert Decimal("1.0") == Decimal("1.00")
    assert hash(Decimal("1.0")) == hash(Decimal("1.00")) == hash(decimal.Decimal("1")) == hash(1)
    assert Decimal("2") == 2 and 2 == Decimal("2.000")
    assert Decimal("0.5") == decimal.Decimal("0.5")
    assert len({Decimal("1"), Decimal("1.0"), Decimal("1.00"), 1, decimal.Decimal("1.000")}) == 1
    assert Decimal(1) != 10**50 and Decimal(1) < 10**50  # no overflow in a comparison
    assert Decimal(0) < decimal.Decimal("1e-50")


def test_float_never_mixes_in():
    x = Decimal("0.5")
    assert (x == 0.5) is False and (0.5 == x) is False
    assert x != 0.5
    for op in (
        lambda: x < 0.5,
        lambda: 0.5 <= x,
        lambda: x + 0.5,
        lambda: 0.5 + x,
        lambda: x - 0.5,
        lambda: x * 0.5,
        lambda: 0.5 * x,
        lambda: x + True,
        lambda: x + "1",
        lambda: x / 2,  # there is no '/': divide() needs places and a mode
    ):
        with pytest.raises(TypeError):
            op()


# --- rounding: rescale and divide ---------------------------------------------------------------------


@given(x=decimals(10**30, 20), places=st.integers(0, 24), mode=mode_args())
@example(x=py_dec(25, 1), places=0, mode=("half_even", "half_even"))
@example(x=py_dec(-25, 1), places=0, mode=("half_down", "half_down"))
@example(x=py_dec(15, 1), places=0, mode=("unnecessary", "unnecessary"))
def test_rescale_matches_quantize(x, places, mode):
    name, arg = mode
    exponent = decimal.Decimal(1).scaleb(-places)
    rounded = x.quantize(exponent, rounding=PY_ROUNDING.get(name, decimal.ROUND_DOWN), context=ROUNDING)
    if abs(int(rounded.scaleb(places, context=EXACT))) > LIMIT:
        with pytest.raises(CalculationError) as info:
            Decimal(x).rescale(places, arg)
        assert info.value.code == "incentives.calculation.overflow"
    elif name == "unnecessary" and rounded != x:
        with pytest.raises(CalculationError) as info:
            Decimal(x).rescale(places, arg)
        assert info.value.code == "incentives.calculation.rounding_necessary"
    else:
        result = Decimal(x).rescale(places, arg)
        assert result.scale == places
        assert str(result) == fixed(rounded)


def test_rescale_examples():
    assert Decimal("2.5").rescale(0, "half_even") == Decimal("2")
    assert str(Decimal("2.5").rescale(0, RoundingMode.HALF_EVEN)) == "2"
    assert str(Decimal("2.5").rescale(0, RoundingMode.HALF_UP)) == "3"
    assert str(Decimal("-2.5").rescale(0, "floor")) == "-3"
    assert str(Decimal("1.5").rescale(3, "unnecessary")) == "1.500"


def test_oracle_rounding_agrees_with_decimal_on_terminating_values():
    # round_fraction() is the oracle for divide(); check it first where decimal can check it.
    for units in range(-40, 41):
        for mode in PY_ROUNDING:
            q = py_dec(units, 1)
            assert round_fraction(Fraction(q), mode) == int(q.quantize(decimal.Decimal(1), rounding=PY_ROUNDING[mode]))


@given(
    a=decimals(10**30),
    b=st.one_of(
        decimals(10**20),
        st.builds(py_dec, st.sampled_from([1, 2, 3, 4, 5, 7, 8, 16, -2, -4, -8]), st.integers(0, 3)),
    ),
    places=st.integers(0, 12),
    mode=mode_args(),
)
@example(a=py_dec(1, 0), b=py_dec(8, 0), places=2, mode=("half_even", "half_even"))  # 0.125: a tie
@example(a=py_dec(-3, 0), b=py_dec(8, 0), places=2, mode=("half_even", "half_even"))  # -0.375
@example(a=py_dec(10, 0), b=py_dec(3, 0), places=4, mode=("half_up", "half_up"))
@example(a=py_dec(10**30, 0), b=py_dec(1, 12), places=12, mode=("down", "down"))  # does not fit
def test_divide_is_correctly_rounded(a, b, places, mode):
    assume(b != 0)
    name, arg = mode
    exact = Fraction(a) / Fraction(b) * 10**places
    units = round_fraction(exact, name)
    if abs(units) > LIMIT:
        with pytest.raises(CalculationError) as info:
            Decimal(a).divide(Decimal(b), places, arg)
        assert info.value.code in {"incentives.calculation.overflow", "incentives.calculation.rounding_necessary"}
    elif name == "unnecessary" and exact.denominator != 1:
        with pytest.raises(CalculationError) as info:
            Decimal(a).divide(Decimal(b), places, arg)
        assert info.value.code == "incentives.calculation.rounding_necessary"
    else:
        result = Decimal(a).divide(Decimal(b), places, arg)
        assert result.scale == places and result.units == units


@given(
    q=st.integers(-(10**20), 10**20),
    k=st.integers(-(10**6), 10**6).filter(bool),
    divisor_scale=st.integers(0, 3),
    places=st.integers(0, 12),
    mode=mode_args(),
)
def test_exact_ties_round_by_mode(q, k, divisor_scale, places, mode):
    # Random operands rarely land exactly halfway, so build ones that do: a / b = (q + 1/2) x 10**-places.
    name, arg = mode
    a = py_dec((2 * q + 1) * k, places + divisor_scale)
    b = py_dec(2 * k, divisor_scale)
    tie = Fraction(a) / Fraction(b) * 10**places
    assert tie.denominator == 2
    if name == "unnecessary":
        with pytest.raises(CalculationError):
            Decimal(a).divide(Decimal(b), places, arg)
        with pytest.raises(CalculationError):
            Decimal(tie.numerator).divide(2, 1, arg).rescale(0, arg)
        return
    expected = round_fraction(tie, name)
    assert Decimal(a).divide(Decimal(b), places, arg).units == expected
    halfway = py_dec(tie.numerator * 5, 1)  # the same tie, (2q+1)/2 written as a decimal
    assert Decimal(halfway).rescale(0, arg).units == expected
    assert Decimal(halfway).rescale(0, arg).to_decimal() == halfway.quantize(
        decimal.Decimal(1), rounding=PY_ROUNDING[name], context=ROUNDING
    )


def test_divide_examples():
    assert Decimal("10").divide(Decimal("3"), 4, "half_up") == Decimal("3.3333")
    assert str(Decimal("10").divide(3, 4, RoundingMode.HALF_UP)) == "3.3333"
    assert str(Decimal("1").divide(decimal.Decimal("8"), 2, "half_even")) == "0.12"
    assert str(Decimal("1").divide("8", 3, "unnecessary")) == "0.125"


def test_places_out_of_range():
    with pytest.raises(CalculationError) as info:
        Decimal(1).rescale(37, "down")
    assert str(info.value) == "[incentives.calculation.scale] rescale to 37 places: expected 0..36"


# --- exact messages ----------------------------------------------------------------------------------


def test_division_by_zero_message():
    with pytest.raises(CalculationError) as info:
        Decimal("1").divide(Decimal("0"), 2, "half_even")
    assert str(info.value) == "[incentives.calculation.division_by_zero] division of 1 by zero"
    assert info.value.code == "incentives.calculation.division_by_zero"
    assert isinstance(info.value, ArithmeticError)


def test_decimal_syntax_message():
    with pytest.raises(InputError) as info:
        Decimal("12,50")
    assert str(info.value) == (
        '[incentives.input.decimal_syntax] "12,50" is not a decimal number: unexpected \',\' at position 3 '
        "(expected digits with an optional sign, one '.' and an optional exponent, e.g. \"-12.50\" or \"2.5e-3\")"
    )
    assert info.value.code == "incentives.input.decimal_syntax"
    assert isinstance(info.value, ValueError)


def test_not_a_finite_decimal_is_an_input_error():
    for text in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(InputError):
            Decimal(decimal.Decimal(text))


def test_unknown_rounding_mode_message():
    with pytest.raises(InputError) as info:
        Decimal("2.5").rescale(0, "bankers")
    assert str(info.value) == (
        '[incentives.input.rounding_mode] unknown rounding mode "bankers": expected one of '
        "half_even, half_up, half_down, up, down, ceiling, floor, unnecessary"
    )
    with pytest.raises(TypeError):
        Decimal("2.5").rescale(0, 3)


def test_overflow_message_for_a_large_int():
    with pytest.raises(CalculationError) as info:
        Decimal(-(2**127))
    assert str(info.value) == (
        "[incentives.calculation.overflow] integer with 128 bits does not fit a decimal (|units| < 2^127)"
    )
