"""Exceptions. Every message names the bad value and, where there is a closed set, the valid choices."""

from __future__ import annotations

import difflib
from typing import Any, Iterable


class ModelpickError(Exception):
    """Base class for every error modelpick raises on purpose."""


class CatalogError(ModelpickError, ValueError):
    """A catalog file is unreadable or invalid. ``errors`` lists 'file: place: problem' lines."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        head = f"{len(self.errors)} problem(s) in catalog data:" if len(self.errors) > 1 else "invalid catalog data:"
        shown = self.errors[:50]
        more = f"\n  ... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(head + "\n  " + "\n  ".join(shown) + more)


class InvalidQuery(ModelpickError, ValueError):
    """A query argument is out of range or not one of the known values."""

    def __init__(self, param: str, value: Any, message: str, choices: Iterable[str] | None = None):
        self.param = param
        self.value = value
        self.choices = sorted(choices) if choices is not None else None
        self.close_matches = (
            difflib.get_close_matches(str(value).lower(), [c.lower() for c in self.choices], n=5, cutoff=0.5)
            if self.choices is not None
            else []
        )
        if self.close_matches:
            lower_to_choice = {c.lower(): c for c in self.choices or []}
            self.close_matches = [lower_to_choice[m] for m in self.close_matches]
        text = f"{param}={value!r}: {message}"
        if self.close_matches:
            text += f"; did you mean {', '.join(self.close_matches)}?"
        if self.choices is not None:
            listed = self.choices if len(self.choices) <= 25 else self.choices[:25] + [f"... ({len(self.choices)} in all)"]
            text += ("" if text.endswith("?") else ".") + f" Valid choices: {', '.join(listed)}"
        super().__init__(text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "value": self.value if isinstance(self.value, (int, float, str, bool, type(None))) else str(self.value),
            "message": str(self),
            "close_matches": self.close_matches,
            "choices": self.choices,
        }


class UnknownDevice(InvalidQuery):
    pass


class UnknownName(InvalidQuery):
    """An unknown architecture, checkpoint, runtime or precision."""


class NoFeasibleModel(ModelpickError):
    """No candidate meets every constraint. ``diagnosis`` says which constraint binds and what to relax."""

    def __init__(self, message: str, diagnosis: dict[str, Any]):
        self.diagnosis = diagnosis
        super().__init__(message)
