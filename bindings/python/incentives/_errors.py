"""The exception classes of incentives, raised for the C++ library's errors.

The C++ classes map one to one: ``incentives::error`` -> :class:`Error`, ``config_error`` ->
:class:`ConfigError`, ``validation_error`` -> :class:`ValidationError`, ``input_error`` ->
:class:`InputError`, ``calculation_error`` -> :class:`CalculationError` and ``currency_mismatch`` ->
:class:`CurrencyMismatchError`.
"""

__all__ = [
    "UnknownKindWarning",
    "Error",
    "ConfigError",
    "ValidationError",
    "InputError",
    "CalculationError",
    "CurrencyMismatchError",
]


class Error(Exception):
    """Root of every error incentives raises.

    ``code`` is the stable identifier of the kind of failure, e.g.
    ``"incentives.calculation.overflow"``; ``str(error)`` is the whole message as the C++ library
    writes it, ``"[code] what happened"``.
    """

    code: str

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class ConfigError(Error):
    """A program definition that cannot be read: syntax, schema, unknown keys."""


class ValidationError(Error):
    """A program that cannot be right: overlapping tiers, a negative cap."""


class InputError(Error, ValueError):
    """Bad input data: an unknown currency, an unparsable number, a negative weight.

    Where the value is, as attributes (``None`` where not known): ``file``, ``line`` and ``column``
    (1-based, for text files), ``row`` (1-based data row of the table or file) and ``field`` (the
    column's name).
    """

    file: "str | None" = None
    line: "int | None" = None
    column: "int | None" = None
    row: "int | None" = None
    field: "str | None" = None


class CalculationError(Error, ArithmeticError):
    """Arithmetic that cannot be carried out exactly: overflow, division by zero, rounding not allowed."""


class CurrencyMismatchError(CalculationError):
    """Amounts in different currencies combined without an explicit exchange rate."""


class UnknownKindWarning(UserWarning):
    """Events of a kind that no rule selects were taken in and paid nothing (a typo such as "sael"
    looks like this). The program's ``unknown_kinds: error`` refuses them, ``ignore`` stays silent."""
