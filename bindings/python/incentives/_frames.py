"""Tables out: columns as a pandas DataFrame when pandas is installed, else as a list of dicts.

pandas is imported lazily, on the first table asked for, so ``import incentives`` never needs it.
"""

from __future__ import annotations

import decimal
from typing import Any

import numpy as np

__all__ = ["pandas", "frame", "EXACT"]

# Arithmetic on decimal.Decimal amounts that can never round: 100 digits hold any sum of engine
# amounts (|units| < 2**127, at most 36 places), and Inexact is trapped to make sure of it.
EXACT = decimal.Context(prec=100, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])

_missing = object()
_pandas: Any = _missing


def pandas() -> Any:
    """The pandas module, or None when it is not installed."""
    global _pandas
    if _pandas is _missing:
        pd: Any
        try:
            import pandas as pd
        except ImportError:
            pd = None
        _pandas = pd
    return _pandas


def frame(columns: dict[str, Any]) -> Any:
    """A DataFrame of `columns` (lists and numpy arrays of one length), or a list of dicts without
    pandas (numpy values become Python values: int, datetime.date)."""
    pd = pandas()
    if pd is not None:
        return pd.DataFrame(columns)
    plain = [c.tolist() if isinstance(c, np.ndarray) else c for c in columns.values()]
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*plain)]
