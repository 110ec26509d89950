"""incentives: exact decimal money for partner incentive programs.

Amounts never pass through binary floating point: a :class:`Decimal` or :class:`Money` is built from a
str, an int or a ``decimal.Decimal``, and a float is a TypeError. Values lose digits only where a
:class:`RoundingMode` is named (``rescale``, ``divide``, ``round_to_minor``).
"""

# _errors first: the extension looks its exception classes up when it is imported.
from ._errors import (
    CalculationError,
    ConfigError,
    CurrencyMismatchError,
    Error,
    InputError,
    ValidationError,
)
from ._core import Currency, Decimal, Money, RoundingMode

__version__ = "0.1.0"

__all__ = [
    "Decimal",
    "Money",
    "Currency",
    "RoundingMode",
    "Error",
    "ConfigError",
    "ValidationError",
    "InputError",
    "CalculationError",
    "CurrencyMismatchError",
]
