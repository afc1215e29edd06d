"""Argument checks for the public API: a wrong type or value is an :class:`~modelpick.InvalidQuery` naming it.

Small, dependency-free helpers the library's entry points call first, so that a bad argument never
surfaces as a bare ``TypeError``/``AttributeError`` from deep inside numpy or a string method.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from .errors import InvalidQuery


def optional_token(param: str, value: Any) -> str | None:
    """``None`` or a non-empty string such as a runtime (``'ncnn'``) or precision (``'fp16'``)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidQuery(param, value, f"must be a string such as {_EXAMPLES.get(param, repr('name'))}, or None")
    return value


def optional_pattern(param: str, value: Any) -> Any:
    """``None``, an fnmatch pattern string, or a list of pattern strings."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return value
    raise InvalidQuery(param, value, "must be an fnmatch pattern string such as 'resnet*' (or a list of them), or None")


def name_list(param: str, value: Any) -> list[str]:
    """A list (or other iterable) of names; a single string is refused rather than split into characters."""
    if isinstance(value, (str, bytes)):
        raise InvalidQuery(param, value, f"must be a list of names, e.g. [{value!r}], not a single string")
    if isinstance(value, Mapping):
        raise InvalidQuery(param, value, "must be a list of names, e.g. ['resnet18', 'mobilenet_v2'], not a dict")
    try:
        items = list(value)
    except TypeError:
        raise InvalidQuery(param, value, "must be a list of names, e.g. ['resnet18', 'mobilenet_v2']") from None
    for item in items:
        if not isinstance(item, str):
            raise InvalidQuery(param, item, "every entry must be a name (a string)")
    return items


def optional_positive_int(param: str, value: Any, *, maximum: int | None = None) -> int | None:
    """``None`` or an integer >= 1 (not a bool, not a float)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidQuery(param, value, "must be an integer >= 1, or None" + (
            f" (at most {maximum})" if maximum is not None else ""))
    if maximum is not None and value > maximum:
        raise InvalidQuery(param, value, f"must be at most {maximum}")
    return value


def positive_number(param: str, value: Any) -> float:
    """A finite number > 0 (not a bool or a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InvalidQuery(param, value, "must be a finite number > 0")
    return float(value)


def one_of(param: str, value: Any, choices: Iterable[str]) -> str:
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        raise InvalidQuery(param, value, f"not a valid {param}", choices=choices)
    return value


_EXAMPLES = {"runtime": "'ncnn' or 'tensorrt'", "precision": "'fp16' or 'int8'"}
