"""incentives.Money and incentives.Currency.

Synopsis: Currency(code) .code .numeric .minor_units .name, Currency.all(); Money(amount, currency)
with amount a str, int, Decimal or decimal.Decimal and currency a Currency or its code; .amount
.currency; round_to_minor(mode); allocate(weights), split(n); + - within a currency, * by an exact
factor, unary -; == and hash; ordering within a currency.
"""

import decimal
import pickle
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from incentives import (
    CalculationError,
    Currency,
    CurrencyMismatchError,
    Decimal,
    InputError,
    Money,
    RoundingMode,
)

# --- Currency ----------------------------------------------------------------------------------------


def test_currency_properties():
    eur = Currency("EUR")
    assert eur.code == "EUR" and eur.minor_units == 2 and eur.numeric == 978 and eur.name == "Euro"
    assert Currency("JPY").minor_units == 0 and Currency("KWD").minor_units == 3
    assert str(eur) == "EUR" and repr(eur) == "Currency('EUR')"


def test_currency_equality_and_hash_by_code():
    assert Currency("EUR") == Currency("EUR") and Currency("EUR") != Currency("USD")
    assert hash(Currency("EUR")) == hash(Currency("EUR"))
    assert len({Currency("EUR"), Currency("EUR"), Currency("USD")}) == 2
    assert (Currency("EUR") == "EUR") is False  # a code is not a currency


def test_currency_all():
    everything = Currency.all()
    assert all(isinstance(c, Currency) for c in everything)
    codes = [c.code for c in everything]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert {"EUR", "USD", "JPY", "KWD", "CHF"} <= set(codes)
    assert all(Currency(c.code) == c for c in everything)


def test_unknown_currency_message():
    with pytest.raises(InputError) as info:
        Currency("XYZ")
    assert str(info.value).startswith(
        '[incentives.input.unknown_currency] unknown currency "XYZ": expected an active ISO 4217 code such as '
        "EUR, USD or JPY"
    )
    assert info.value.code == "incentives.input.unknown_currency"
    assert isinstance(info.value, ValueError)
    with pytest.raises(InputError) as info:
        Currency("eur")
    assert str(info.value) == (
        '[incentives.input.unknown_currency] unknown currency "eur": expected an active ISO 4217 code such as '
        'EUR, USD or JPY (did you mean "EUR"?)'
    )
    with pytest.raises(InputError):
        Money("1", "XYZ")


def test_currency_pickles():
    assert pickle.loads(pickle.dumps(Currency("KWD"))) == Currency("KWD")


# --- construction and text ---------------------------------------------------------------------------


def test_construction():
    assert Money("100.00", "EUR").amount == Decimal("100.00")
    assert str(Money("100.00", "EUR").amount) == "100.00"
    assert Money(Decimal("1"), Currency("EUR")).currency == Currency("EUR")
    assert str(Money(decimal.Decimal("1.5"), "USD")) == "1.5 USD"
    assert str(Money(7, "JPY")) == "7 JPY"
    assert str(Money("100.005", "EUR")) == "100.005 EUR"  # kept as given, not rounded


def test_float_and_bool_amounts_are_type_errors():
    with pytest.raises(TypeError, match=r"pass a str or decimal\.Decimal"):
        Money(1.5, "EUR")
    with pytest.raises(TypeError):
        Money(True, "EUR")
    with pytest.raises(TypeError):
        Money("1", 978)


def test_str_and_repr():
    m = Money("100.00", "EUR")
    assert str(m) == "100.00 EUR"
    assert repr(m) == "Money('100.00', 'EUR')"


def test_pickle():
    m = Money("12.50", "KWD")
    n = pickle.loads(pickle.dumps(m))
    assert n == m and repr(n) == repr(m)


# --- arithmetic and comparison -----------------------------------------------------------------------


def test_add_subtract_negate():
    assert Money("10.00", "EUR") + Money("1.5", "EUR") == Money("11.50", "EUR")
    assert str(Money("10.00", "EUR") - Money("1.5", "EUR")) == "8.50 EUR"
    assert str(-Money("1.50", "EUR")) == "-1.50 EUR"


def test_currency_mismatch_message():
    with pytest.raises(CurrencyMismatchError) as info:
        Money("10.00", "EUR") + Money("1.00", "USD")
    assert str(info.value) == (
        "[incentives.calculation.currency_mismatch] cannot combine 10.00 EUR + 1.00 USD: "
        "amounts in different currencies need an explicit exchange rate"
    )
    assert info.value.code == "incentives.calculation.currency_mismatch"
    assert isinstance(info.value, CalculationError) and isinstance(info.value, ArithmeticError)
    with pytest.raises(CurrencyMismatchError):
        Money("10.00", "EUR") - Money("1.00", "USD")


def test_multiply_by_exact_factors():
    m = Money("10.00", "EUR")
    assert str(m * Decimal("0.05")) == "0.5000 EUR"
    assert str(Decimal("0.05") * m) == "0.5000 EUR"
    assert str(m * 3) == "30.00 EUR" and str(3 * m) == "30.00 EUR"
    assert str(m * decimal.Decimal("1.5")) == "15.000 EUR"
    assert str(decimal.Decimal("1.5") * m) == "15.000 EUR"


def test_multiply_by_money_or_float_is_a_type_error():
    m = Money("10.00", "EUR")
    for op in (lambda: m * m, lambda: m * 1.5, lambda: 1.5 * m, lambda: m * "2", lambda: m + 1, lambda: m - Decimal(1)):
        with pytest.raises(TypeError):
            op()


def test_equality_and_hash():
    assert Money("1.0", "EUR") == Money("1.00", "EUR")
    assert hash(Money("1.0", "EUR")) == hash(Money("1.00", "EUR"))
    assert Money("1.00", "EUR") != Money("1.00", "USD")
    assert (Money("1", "EUR") == Decimal(1)) is False and (Money("1", "EUR") == 1) is False
    assert len({Money("1.0", "EUR"), Money("1.00", "EUR"), Money("1", "USD")}) == 2


def test_ordering_within_a_currency_only():
    assert Money("1.00", "EUR") < Money("1.01", "EUR") <= Money("1.010", "EUR")
    assert Money("2", "JPY") > Money("1", "JPY") >= Money("1", "JPY")
    assert sorted([Money("3", "EUR"), Money("-1", "EUR"), Money("2.5", "EUR")]) == [
        Money("-1", "EUR"),
        Money("2.5", "EUR"),
        Money("3", "EUR"),
    ]
    with pytest.raises(CurrencyMismatchError):
        Money("1", "EUR") < Money("2", "USD")
    with pytest.raises(TypeError):
        Money("1", "EUR") < 2


@given(a=st.integers(-(10**15), 10**15), b=st.integers(-(10**15), 10**15))
def test_comparisons_agree_with_the_amounts(a, b):
    x, y = Money(Decimal.from_units(a, 2), "EUR"), Money(Decimal.from_units(b, 3), "EUR")
    fa, fb = Fraction(a, 100), Fraction(b, 1000)
    assert (x == y) == (fa == fb) and (x < y) == (fa < fb) and (x >= y) == (fa >= fb)
    if fa == fb:
        assert hash(x) == hash(y)


# --- rounding ------------------------------------------------------------------------------------


def test_round_to_minor():
    assert str(Money("2.345", "EUR").round_to_minor("half_even")) == "2.34 EUR"
    assert str(Money("2.345", "EUR").round_to_minor(RoundingMode.HALF_UP)) == "2.35 EUR"
    assert str(Money("2.5", "JPY").round_to_minor("half_even")) == "2 JPY"
    assert str(Money("1.2", "KWD").round_to_minor("unnecessary")) == "1.200 KWD"
    with pytest.raises(CalculationError) as info:
        Money("2.345", "EUR").round_to_minor("unnecessary")
    assert info.value.code == "incentives.calculation.rounding_necessary"


# --- allocation ----------------------------------------------------------------------------------


def test_allocate_examples():
    eur = Money("100.00", "EUR")
    assert eur.allocate([1, 1, 1]) == [Money("33.34", "EUR"), Money("33.33", "EUR"), Money("33.33", "EUR")]
    assert eur.split(3) == eur.allocate([1, 1, 1])
    assert eur.allocate([Decimal("0.5"), decimal.Decimal("0.25"), "0.25"]) == [
        Money("50.00", "EUR"),
        Money("25.00", "EUR"),
        Money("25.00", "EUR"),
    ]
    assert eur.allocate((1, 0)) == [Money("100.00", "EUR"), Money("0.00", "EUR")]
    assert [str(p) for p in Money("-0.05", "EUR").split(2)] == ["-0.03 EUR", "-0.02 EUR"]
    assert [str(p) for p in Money("10", "JPY").split(3)] == ["4 JPY", "3 JPY", "3 JPY"]


def test_allocate_rejects_bad_weights():
    m = Money("1.00", "EUR")
    with pytest.raises(TypeError, match="float"):
        m.allocate([1, 0.5])
    with pytest.raises(TypeError):
        m.allocate([1, True])
    with pytest.raises(TypeError):
        m.allocate([1, None])
    with pytest.raises(InputError) as info:
        m.allocate([0, 0])
    assert str(info.value) == (
        "[incentives.input.allocation_weights] all allocation weights are zero: nothing to split by"
    )
    with pytest.raises(InputError) as info:
        m.allocate([1, -1])
    assert info.value.code == "incentives.input.allocation_weights"
    with pytest.raises(InputError):
        m.allocate([])
    with pytest.raises(InputError):
        m.split(0)


def test_ties_in_the_remainders_go_to_the_earlier_weight():
    # 4 cents by 1:7:4 are 1/3, 7/3 and 4/3 cents: all three remainders are 1/3, so the one cent left
    # goes to the first weight, whichever it is. This is why a permutation of distinct weights need
    # not permute the result (see test_allocation_permutes_with_its_weights).
    assert Money("0.04", "EUR").allocate([1, 7, 4]) == [Money("0.01", "EUR"), Money("0.02", "EUR"), Money("0.01", "EUR")]
    assert Money("0.04", "EUR").allocate([7, 1, 4]) == [Money("0.03", "EUR"), Money("0.00", "EUR"), Money("0.01", "EUR")]


CURRENCIES = ["EUR", "JPY", "KWD"]
weight_lists = st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any)


@given(code=st.sampled_from(CURRENCIES), units=st.integers(-(10**15), 10**15), weights=weight_lists)
def test_allocation_is_exact_and_proportional(code, units, weights):
    places = Currency(code).minor_units
    amount = Money(Decimal.from_units(units, places), code)
    parts = amount.allocate(weights)
    assert len(parts) == len(weights)
    assert all(p.currency == Currency(code) and p.amount.scale == places for p in parts)
    total = Money(Decimal.from_units(0, places), code)
    for p in parts:
        total = total + p
    assert total == amount  # every minor unit accounted for
    assert sum(p.amount.units for p in parts) == units
    whole = sum(weights)
    for p, w in zip(parts, weights):
        share = Fraction(units * w, whole)  # the exact share, in minor units
        assert abs(p.amount.units - share) < 1


@given(
    code=st.sampled_from(CURRENCIES),
    units=st.integers(-(10**15), 10**15),
    weights=st.lists(st.integers(1, 10**6), min_size=1, max_size=12, unique=True),
    data=st.data(),
)
def test_allocation_permutes_with_its_weights(code, units, weights, data):
    # Largest remainder with ties to the earlier weight is permutation-equivariant as long as no two
    # remainders tie (test_ties_in_the_remainders_go_to_the_earlier_weight shows a tie).
    # Only a positive remainder can win a left-over unit, so only ties among those matter.
    whole = sum(weights)
    positive = [r for r in (abs(units) * w % whole for w in weights) if r]
    assume(len(set(positive)) == len(positive))
    places = Currency(code).minor_units
    amount = Money(Decimal.from_units(units, places), code)
    order = data.draw(st.permutations(range(len(weights))))
    parts = amount.allocate(weights)
    permuted = amount.allocate([weights[i] for i in order])
    assert permuted == [parts[i] for i in order]


@given(units=st.integers(-(10**12), 10**12), n=st.integers(1, 50))
def test_split_is_exact_and_even(units, n):
    amount = Money(Decimal.from_units(units, 2), "EUR")
    parts = amount.split(n)
    assert sum(p.amount.units for p in parts) == units
    sizes = [p.amount.units for p in parts]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=units >= 0)  # the first parts get the extra minor units


@given(units=st.integers(-(10**15), 10**15), weights=weight_lists)
def test_weights_of_every_exact_kind_agree(units, weights):
    amount = Money(Decimal.from_units(units, 3), "KWD")
    expected = amount.allocate(weights)
    assert amount.allocate([Decimal(w) for w in weights]) == expected
    assert amount.allocate([decimal.Decimal(w) for w in weights]) == expected
    assert amount.allocate([str(w) for w in weights]) == expected
    assert amount.allocate([Decimal(w).rescale(2, "unnecessary") for w in weights]) == expected
