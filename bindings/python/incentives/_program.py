"""Program: a validated incentive program, read from YAML or built from a dict, run over tables."""

from __future__ import annotations

import datetime
import decimal
import json
import os
import warnings
from collections.abc import Mapping
from typing import Any, Optional, Union

from . import _core, _tables
from ._changes import apply_changes
from ._errors import UnknownKindWarning
from ._result import Result

__all__ = ["Program"]

_PathOrText = Union[str, "os.PathLike[str]"]


def _exact_text(value: Any, path: str) -> str:
    """A scalar of the dict form as the exact text the YAML reader parses."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # the YAML reader's words; a bool where a number goes is refused there
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise TypeError(f"{path}: {value} is not a number")
        return format(value, "f")  # exact, without an exponent: Decimal("1E+3") -> "1000"
    if isinstance(value, _core.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise TypeError(f"{path}: {value} has a time of day; pass a datetime.date or 'YYYY-MM-DD'")
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError(
            f"{path}: got the float {value!r}, which is binary floating point and not exact: "
            f'pass a string or decimal.Decimal, e.g. "{value!r}"'
        )
    if value is None:
        raise TypeError(f"{path}: None is not a value; leave the key out")
    raise TypeError(f"{path}: cannot use a {type(value).__name__} in a program")


def _plain(value: Any, path: str) -> Any:
    """The dict form with every scalar as exact text: dicts, lists and str only."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path or 'the program'}: keys are str, got {key!r}")
            out[key] = _plain(item, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return _exact_text(value, path)


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and (text.endswith((".yaml", ".yml")) or os.path.isfile(text))


class Program:
    """A validated incentive program: rules with their currency, calendar and rounding.

    Build one with :meth:`from_yaml` (a file or YAML text) or :meth:`from_dict` (the same schema as
    nested dicts and lists, docs/programs.md); both raise :class:`ConfigError` for what cannot be
    read and :class:`ValidationError` for what cannot be right. A Program is immutable:
    :meth:`with_changes` returns a changed copy.
    """

    __slots__ = ("_impl",)
    _impl: _core.Program

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("build a Program with Program.from_yaml(...) or Program.from_dict(...)")

    @classmethod
    def _wrap(cls, core: _core.Program) -> Program:
        self = object.__new__(cls)
        object.__setattr__(self, "_impl", core)
        return self

    # -- reading and writing -------------------------------------------------------------------

    @classmethod
    def from_yaml(cls, source: _PathOrText) -> Program:
        """Reads a program from a YAML file (a path, str or os.PathLike) or from YAML text.

        A str is a path when it names an existing file, or is one line ending in .yaml / .yml (a
        missing file is then a ConfigError with code incentives.config.file); otherwise it is YAML
        text. Errors name file:line:column and the key path, e.g.
        ``[incentives.config.unknown_key] p.yaml:6:5: rules[0].tierz: unknown key "tierz" (did you
        mean "tiers"?)``.
        """
        if isinstance(source, os.PathLike):
            return cls._wrap(_core.Program.from_file(os.fspath(source)))
        if isinstance(source, bytes):
            source = source.decode("utf-8")
        if not isinstance(source, str):
            raise TypeError(f"from_yaml takes a path or YAML text, got {type(source).__name__}")
        if _looks_like_path(source):
            return cls._wrap(_core.Program.from_file(source))
        return cls._wrap(_core.Program.from_yaml_text(source, "<string>"))

    @classmethod
    def from_dict(cls, program: Mapping[str, Any]) -> Program:
        """Builds a program from its dict form: the YAML schema of docs/programs.md as dicts, lists and
        scalars (JSON-compatible).

        Numbers are str ("2%", "0.035", "50000"), int or decimal.Decimal (incentives.Decimal too);
        dates are "YYYY-MM-DD" or datetime.date; tuples are lists. A float anywhere is a TypeError
        naming its path: pass a string or decimal.Decimal. Errors of the schema are ConfigErrors whose
        key path names the value (the location is in the JSON text the dict is read from, "<dict>").
        """
        if not isinstance(program, Mapping):
            raise TypeError(f"from_dict takes a dict, got {type(program).__name__}")
        text = json.dumps(_plain(program, ""), indent=1, ensure_ascii=False)
        return cls._wrap(_core.Program.from_yaml_text(text, "<dict>"))

    def to_yaml(self) -> str:
        """The program as YAML that :meth:`from_yaml` reads back into an equal program (defaults are
        left out; rates are plain exact decimals such as 0.02)."""
        return self._impl.to_yaml()

    def to_dict(self) -> dict[str, Any]:
        """The program as a dict of the YAML schema: every scalar is a str with the exact text of
        :meth:`to_yaml` ("0.02", "50000", "2027-01-01"). ``Program.from_dict(p.to_dict()) == p``."""
        return self._impl.to_python()

    # -- what the program is -------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._impl.name

    @property
    def currency(self) -> str:
        """The ISO 4217 code of the currency the program pays in."""
        return self._impl.currency

    @property
    def rules(self) -> list[str]:
        """The ids of the top-level rules, in program order."""
        return self._impl.rule_ids

    @property
    def amount_scale(self) -> int:
        """Decimal places accepted on event amounts (the currency's minor units unless ``places``
        says otherwise): the scale of integer minor units, ``amount_scale=`` of :meth:`run`."""
        return self._impl.amount_scale

    def rule(self, rule_id: str) -> dict[str, Any]:
        """The dict form of one top-level rule."""
        for r in self.to_dict()["rules"]:
            if r.get("id") == rule_id:
                return dict(r)
        raise KeyError(f'no rule "{rule_id}" in program "{self.name}" (the rules are {", ".join(self.rules)})')

    def with_changes(self, changes: Mapping[str, Any]) -> Program:
        """A new program with `changes` applied: ``{path: value}``, where a path addresses the dict
        form with rules by id, e.g.::

            p.with_changes({"rules.volume-rebate.tiers.table[2].from": "200000",
                            "rules.volume-rebate.cap": "20000",
                            "rules.x200-launch-spiff": None})          # None removes

        Path syntax: keys separated by dots, ``[N]`` for list items (``[-1]`` the last, ``[len]``
        appends), ``["a.b"]`` for a key with dots. A rule id that does not exist adds the rule. The
        changed program is read and validated as :meth:`from_dict` does; a path that leads nowhere is
        a ConfigError with code incentives.config.path.

        To see what the changed program pays for events already run, ``result.rerun(changed)``
        (:meth:`Result.rerun`) reuses the run's measures instead of reading the events again.
        """
        return Program.from_dict(apply_changes(self.to_dict(), changes))

    # -- running -------------------------------------------------------------------------------

    def run(
        self,
        events: Any,
        partners: Any = None,
        participants: Any = None,
        products: Any = None,
        plans: Any = None,
        traces: bool = False,
        threads: int = 1,
        *,
        amount_scale: Optional[int] = None,
        quantity_scale: Optional[int] = None,
    ) -> Result:
        """Runs the program over events and reference data; returns a :class:`Result`.

        Each table is a pandas DataFrame, a dict of columns (lists, numpy arrays or Series) or a list
        of dicts, with the columns of the CSV formats (docs/python.md). Numbers are exact: str,
        decimal.Decimal or int (whole numbers; with ``amount_scale=2`` integers in the amount column
        are minor units, e.g. cents, and likewise ``quantity_scale``); a float is a TypeError. Row
        errors are :class:`InputError` naming the row (1-based, in the table's order) and field.

        ``traces=True`` keeps the ids of the events behind each line (``result.traces.event_ids``,
        ``explain``); the traces themselves are always there. ``threads`` splits the accumulation;
        the result is identical for any count.
        """
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads is a number of threads, at least 1; got {threads!r}")
        table = _tables.event_table(events, amount_scale, quantity_scale, hint_scale=self.amount_scale)
        catalog = _tables.catalog(partners, participants, products, plans)
        result = Result(_core.run(self._impl, table, catalog, threads, bool(traces)))
        for kind, count in result.unknown_kinds.items():
            warnings.warn(
                f'{count} event(s) of kind "{kind}" that no rule selects were paid nothing (declare '
                "unknown_kinds: error to refuse them, ignore to accept them silently)",
                UnknownKindWarning,
                stacklevel=2,
            )
        return result

    def simulate(
        self,
        history: Any = None,
        assumptions: Any = None,
        *,
        scenarios: Optional[int] = None,
        seed: Optional[int] = None,
        budget: Any = None,
        threads: int = 1,
        partners: Any = None,
        participants: Any = None,
        products: Any = None,
        plans: Any = None,
        progress: Any = None,
    ) -> Any:
        """Simulates what the program will cost (docs/simulation.md); returns a :class:`Simulation`.

        ``history`` is last year's events (any table form; None for the attainment model, which draws
        from ``plans``); ``assumptions`` a dict, a YAML file or YAML text (model, growth, spread,
        participation, market, segments, sensitivity, tax). ``scenarios``, ``seed`` and ``budget``
        override the assumptions file's. The result is identical for any ``threads``; ``progress``
        is called with (done, of) after each scenario.
        """
        from ._simulation import simulate

        return simulate(
            self,
            history,
            {} if assumptions is None else assumptions,
            scenarios=scenarios,
            seed=seed,
            budget=budget,
            threads=threads,
            partners=partners,
            participants=participants,
            products=products,
            plans=plans,
            progress=progress,
        )

    # -- values --------------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Program is immutable: use with_changes() for a changed copy")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Program):
            return NotImplemented
        return self._impl == other._impl

    def __hash__(self) -> int:
        return hash(self.to_yaml())

    def __reduce__(self) -> tuple[Any, ...]:
        return (_from_pickled_yaml, (self.to_yaml(),))

    def __repr__(self) -> str:
        return f"<Program {self.name!r} ({self.currency}): {len(self.rules)} rules: {', '.join(self.rules)}>"


def _from_pickled_yaml(text: str) -> Program:
    return Program._wrap(_core.Program.from_yaml_text(text, "<pickle>"))
