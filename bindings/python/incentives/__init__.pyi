from ._core import Currency as Currency
from ._core import Decimal as Decimal
from ._core import Money as Money
from ._core import RoundingMode as RoundingMode
from ._compare import Comparison as Comparison
from ._compare import compare as compare
from ._program import Program as Program
from ._result import Result as Result
from ._simulation import Simulation as Simulation
from . import dask as dask
from . import spark as spark
from ._errors import CalculationError as CalculationError
from ._errors import ConfigError as ConfigError
from ._errors import CurrencyMismatchError as CurrencyMismatchError
from ._errors import Error as Error
from ._errors import InputError as InputError
from ._errors import ValidationError as ValidationError
from ._errors import UnknownKindWarning as UnknownKindWarning

__version__: str

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
