"""incentives: exact partner incentive programs.

Amounts never pass through binary floating point: a :class:`Decimal` or :class:`Money` is built from a
str, an int or a ``decimal.Decimal``, and a float is a TypeError. Values lose digits only where a
:class:`RoundingMode` is named (``rescale``, ``divide``, ``round_to_minor``).

Programs (:class:`Program`) are read from YAML or built from dicts, run over pandas DataFrames, dicts
of columns or lists of dicts (:meth:`Program.run`), changed for what-if analysis
(:meth:`Program.with_changes`) and compared (:func:`compare`). pandas is optional: without it, tables
come back as lists of dicts.
"""

# _errors first: the extension looks its exception classes up when it is imported.
from ._errors import (
    CalculationError,
    ConfigError,
    CurrencyMismatchError,
    Error,
    InputError,
    UnknownKindWarning,
    ValidationError,
)
from ._core import Currency, Decimal, Money, RoundingMode
from ._program import Program
from ._result import Result
from ._compare import Comparison, compare
from ._simulation import Simulation

__version__ = "0.1.0"

__all__ = [
    "Decimal",
    "Money",
    "Currency",
    "RoundingMode",
    "Program",
    "Result",
    "Comparison",
    "compare",
    "Simulation",
    "Error",
    "ConfigError",
    "ValidationError",
    "InputError",
    "CalculationError",
    "CurrencyMismatchError",
    "UnknownKindWarning",
]


def __getattr__(name: str):  # noqa: ANN202 - the module's own lookup
    """incentives.dask and incentives.spark on first use: neither Dask nor PySpark is imported before."""
    if name in ("dask", "spark"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'incentives' has no attribute {name!r}")
