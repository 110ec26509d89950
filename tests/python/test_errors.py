"""The Python error hierarchy: incentives.Error and its subclasses, one per C++ class, each with the
stable .code and str(e) equal to the C++ what() text."""

import pickle

import pytest

import incentives
from incentives import (
    CalculationError,
    ConfigError,
    CurrencyMismatchError,
    Decimal,
    Error,
    InputError,
    Money,
    ValidationError,
)
from incentives import _core


def test_hierarchy():
    assert issubclass(Error, Exception)
    for cls in (ConfigError, ValidationError, InputError, CalculationError, CurrencyMismatchError):
        assert issubclass(cls, Error)
    assert issubclass(InputError, ValueError)
    assert issubclass(CalculationError, ArithmeticError)
    assert issubclass(CurrencyMismatchError, CalculationError)
    assert not issubclass(ConfigError, ValueError) and not issubclass(ValidationError, ArithmeticError)


@pytest.mark.parametrize(
    "kind, cls",
    [
        ("error", Error),
        ("config", ConfigError),
        ("validation", ValidationError),
        ("input", InputError),
        ("calculation", CalculationError),
        ("currency_mismatch", CurrencyMismatchError),
    ],
)
def test_each_cpp_class_becomes_its_python_class(kind, cls):
    with pytest.raises(Error) as info:
        _core._raise_for_test(kind, "incentives.test." + kind, "what happened")
    assert type(info.value) is cls  # exactly this class, not a base or a sibling
    assert info.value.code == "incentives.test." + kind
    assert str(info.value) == "[incentives.test." + kind + "] what happened"
    assert info.value.args == ("[incentives.test." + kind + "] what happened",)


def test_other_cpp_exceptions_are_not_incentives_errors():
    with pytest.raises(ValueError) as info:
        _core._raise_for_test("nonsense", "", "")
    assert not isinstance(info.value, Error)


def test_raised_by_the_library_with_code_and_message():
    with pytest.raises(CalculationError) as info:
        Decimal("1").divide(Decimal("0"), 2, "half_even")
    assert type(info.value) is CalculationError
    assert info.value.code == "incentives.calculation.division_by_zero"
    assert str(info.value) == "[incentives.calculation.division_by_zero] division of 1 by zero"

    with pytest.raises(ArithmeticError):  # catchable as the built-in kind too
        Money("10.00", "EUR") + Money("1.00", "USD")
    with pytest.raises(ValueError):
        Decimal("12,50")


def test_errors_can_be_raised_from_python_and_pickled():
    e = InputError("[incentives.input.x] bad", "incentives.input.x")
    with pytest.raises(InputError):
        raise e
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is InputError and again.code == e.code and str(again) == str(e)
    assert Error("message").code == ""


def test_public_api():
    assert sorted(incentives.__all__) == sorted(
        [
            "Decimal",
            "Money",
            "Currency",
            "RoundingMode",
            "Program",
            "Result",
            "Comparison",
            "compare",
            "Simulation",
            "UnknownKindWarning",
            "Error",
            "ConfigError",
            "ValidationError",
            "InputError",
            "CalculationError",
            "CurrencyMismatchError",
        ]
    )
    for name in incentives.__all__:
        assert hasattr(incentives, name)
    assert [m.name for m in incentives.RoundingMode.__members__.values()] == [
        "HALF_EVEN",
        "HALF_UP",
        "HALF_DOWN",
        "UP",
        "DOWN",
        "CEILING",
        "FLOOR",
        "UNNECESSARY",
    ]


def test_version_matches_the_distribution():
    from importlib.metadata import version

    assert incentives.__version__ == version("incentives")
