"""What-if changes: paths into a program's dict form, e.g. ``rules.volume-rebate.tiers.table[2].from``.

Grammar (see docs/python.md): a path is keys separated by dots; ``[N]`` indexes a list (negative
from the end; ``[len]`` appends); ``["text"]`` or ``['text']`` is a key that contains dots or
brackets, e.g. ``select["partner.trained"]``. In a list of rules (``rules``, and the children of
``sum_of`` / ``max_of`` / ``first_of``) a key is a rule id. An existing key that contains dots is
also found without brackets (``select.partner.trained``).

Setting a key that does not exist adds it (and mappings on the way); a rule id that does not exist
adds the rule (its ``id`` set); the value None removes the key, list item or rule.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping
from typing import Any, Union

from ._errors import ConfigError

__all__ = ["apply_changes", "parse_path"]

_Step = Union[str, int]
_CODE = "incentives.config.path"
_RULE_LISTS = ("rules", "sum_of", "max_of", "first_of")


def _error(path: str, message: str) -> ConfigError:
    return ConfigError(f"[{_CODE}] with_changes: {path}: {message}", _CODE)


_TOKEN = re.compile(r"""\[\s*(-?\d+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*'([^']*)'\s*\]|([^.\[\]]+)|(\.)""")


def parse_path(path: str) -> list[_Step]:
    """The steps of a path: str keys and int indices."""
    if not isinstance(path, str) or not path:
        raise _error(repr(path), "a path is a non-empty str")
    steps: list[_Step] = []
    pos, expect_key = 0, True
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if m is None:
            raise _error(path, f"unexpected {path[pos]!r} at position {pos + 1}")
        index, dq, sq, name, dot = m.groups()
        if dot is not None:
            if expect_key:
                raise _error(path, f"empty key at position {pos + 1}")
            expect_key = True
        elif name is not None:
            if not expect_key:
                raise _error(path, f"a '.' is missing before {name!r}")
            steps.append(name)
            expect_key = False
        elif index is not None:
            if not steps:
                raise _error(path, "a path starts with a key")
            steps.append(int(index))
            expect_key = False
        else:
            steps.append(re.sub(r"\\(.)", r"\1", dq) if dq is not None else sq)
            expect_key = False
        pos = m.end()
    if expect_key:
        raise _error(path, "the path ends with '.'")
    return steps


def _suggest(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _rule_position(rules: list[Any], rule_id: str) -> int:
    for i, r in enumerate(rules):
        if isinstance(r, Mapping) and r.get("id") == rule_id:
            return i
    return -1


def _dotted_key(node: Mapping[str, Any], steps: list[_Step], i: int) -> tuple[str, int]:
    """An existing key made of steps[i..j] joined by dots (e.g. partner.trained), and j; else
    (steps[i], i)."""
    key = steps[i]
    j = i
    while j + 1 < len(steps) and isinstance(steps[j + 1], str):
        j += 1
        joined = ".".join(str(s) for s in steps[i : j + 1])
        if joined in node:
            return joined, j
    return str(key), i


def _set_key(node: dict[str, Any], key: str, value: Any, path: str) -> None:
    """Sets a key of a mapping, or removes it (None)."""
    if value is not None:
        node[key] = copy.deepcopy(value)
    elif key in node:
        del node[key]
    else:
        raise _error(path, f'no key "{key}" to remove{_suggest(key, list(node))}')


def _set_item(items: list[Any], index: int, value: Any, path: str, name: str) -> None:
    """Sets, appends (index == len) or removes (None) an item of a list."""
    n = len(items)
    if value is not None and index == n:
        items.append(copy.deepcopy(value))
    elif not -n <= index < n:
        raise _error(path, f"index [{index}] is outside {name} (it has {n} items)")
    elif value is None:
        del items[index]
    else:
        items[index] = copy.deepcopy(value)


def _rule_ids(rules: list[Any]) -> list[str]:
    return [str(r.get("id")) for r in rules if isinstance(r, Mapping)]


def _apply(root: dict[str, Any], path: str, value: Any) -> None:
    """Applies one change: walks the steps of `path` from the root, then sets what the last names."""
    steps = parse_path(path)
    node: Any = root
    name = "the program"  # the key `node` has in its parent, for messages and to know lists of rules
    i = 0
    while True:
        step, last = steps[i], i == len(steps) - 1
        if isinstance(node, dict):
            if not isinstance(step, str):
                raise _error(path, f"[{step}] indexes a list, but {name} is a mapping")
            key, i = (step, i) if step in node else _dotted_key(node, steps, i)
            if i == len(steps) - 1:
                return _set_key(node, key, value, path)
            if key not in node:  # a new mapping (or a list, to append to) on the way
                node[key] = [] if isinstance(steps[i + 1], int) else {}
            node, name = node[key], key
        elif isinstance(node, list) and isinstance(step, int):
            if last:
                return _set_item(node, step, value, path, name)
            if not -len(node) <= step < len(node):
                raise _error(path, f"index [{step}] is outside {name} (it has {len(node)} items)")
            node = node[step]
        elif isinstance(node, list) and name in _RULE_LISTS:
            rule_id = str(step)
            at = _rule_position(node, rule_id)
            if last:
                return _set_rule(node, at, rule_id, value, path)
            if at < 0:
                raise _error(path, f'no rule with id "{rule_id}" in {name}{_suggest(rule_id, _rule_ids(node))}')
            node = node[at]
        elif isinstance(node, list):
            raise _error(path, f'{name} is a list: address its items as {name}[N], not by "{step}"')
        else:
            raise _error(path, f"{name} is a single value ({node!r}), it has no {step!r}")
        i += 1


def _set_rule(rules: list[Any], at: int, rule_id: str, value: Any, path: str) -> None:
    """Replaces, removes (None) or adds (an unknown id) a whole rule addressed by its id."""
    if value is None:
        if at < 0:
            raise _error(path, f'no rule with id "{rule_id}" to remove{_suggest(rule_id, _rule_ids(rules))}')
        del rules[at]
        return
    if not isinstance(value, Mapping):
        raise _error(path, f"a rule is a dict, got {type(value).__name__}")
    rule = copy.deepcopy(dict(value))
    if rule.setdefault("id", rule_id) != rule_id:
        raise _error(path, f'the rule\'s id is "{rule["id"]}", not "{rule_id}"')
    if at < 0:
        rules.append(rule)
    else:
        rules[at] = rule


def apply_changes(program: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `program` (the dict form) with `changes` ({path: value}) applied in order."""
    if not isinstance(changes, Mapping):
        raise TypeError(f"with_changes takes a dict of {{path: value}}, got {type(changes).__name__}")
    out = copy.deepcopy(program)
    for path, value in changes.items():
        _apply(out, path, value)
    return out
