"""Exceptions. Every message names the bad value and, where there is a closed set, the valid choices."""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

from ._excerpt import excerpt


#: Below this similarity (rapidfuzz's normalised Indel ratio) a suggestion is noise: 'hailo-8' scored 0.53 against
#: 'amlogic-s805' and 'nnapi' 0.50 against 'tnn', while real typos ('jetson-nan', 'resnt50', 'tensorrrt', 'fp61')
#: score 0.75 and up. A wrong suggestion is worse than none.
SUGGEST_CUTOFF = 0.6
#: A choice list longer than this is not printed: the message shows the closest names and how to list the rest.
#: The runtimes (22 once the accelerator runtimes coreml and rknn landed) still print in full; devices,
#: architectures and checkpoints (hundreds) do not.
LIST_AT_MOST = 30
#: How to list the choices of a parameter whose valid values are many.
_LIST_HINT = {"device": "modelpick devices (modelpick.devices())",
              "architecture": "modelpick models (modelpick.architectures())",
              "checkpoint": "modelpick models (modelpick.checkpoints())"}
#: Delegate and backend names users write as a runtime -> the catalog runtime that runs them (its coverage line
#: says "tflite on nnapi").
BACKEND_RUNTIMES = {"nnapi": "tflite", "xnnpack": "tflite", "hexagon": "tflite", "gpu-delegate": "tflite",
                    "vulkan": "ncnn", "cuda": "pytorch", "cudnn": "pytorch", "trt": "tensorrt",
                    "openvino": "onnxruntime", "coreml": "tflite", "edge-tpu": "edgetpu"}


def _squash(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def close_matches(value: Any, choices: Sequence[str], n: int = 5, cutoff: float = SUGGEST_CUTOFF) -> list[str]:
    """Up to ``n`` choices most similar to ``value``, case-insensitively, best first (ties by name).

    Choices that end in the value once separators are dropped ('s24' -> samsung-galaxy-s24, 'pixel7' -> pixel-7)
    come first; then similarity by rapidfuzz's normalised Indel ratio (difflib's ``ratio`` without its junk
    heuristic), computed in C: a typo among thousands of model names costs well under a millisecond.
    """
    from rapidfuzz import fuzz, process

    if isinstance(choices, Names):
        lowered, originals = choices.lowered, choices.names
    else:
        originals = list(choices)
        lowered = [c.lower() for c in originals]
    squashed = _squash(str(value))
    out: list[str] = []
    if len(squashed) >= 3:
        out = sorted({o for o, low in zip(originals, lowered) if _squash(low).endswith(squashed)}, key=len)[:n]
    hits = process.extract(str(value).lower(), lowered, scorer=fuzz.ratio, limit=None, score_cutoff=cutoff * 100)
    hits.sort(key=lambda h: (-h[1], originals[h[2]]))
    for _, _, index in hits:
        if len(out) == n:
            break
        if originals[index] not in out:
            out.append(originals[index])
    return out


class Names(Sequence[str]):
    """A sorted list of valid names with its lowercase form precomputed, for errors about thousands of names."""

    def __init__(self, names: Iterable[str]):
        self.names: list[str] = sorted(set(names))
        self.lowered: list[str] = [n.lower() for n in self.names]

    def __getitem__(self, index):  # type: ignore[override]
        return self.names[index]

    def __len__(self) -> int:
        return len(self.names)


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


class CatalogWarning(UserWarning):
    """A catalog entry is valid but cannot do what it seems meant to (e.g. a measurement that never joins)."""


class InvalidQuery(ModelpickError, ValueError):
    """A query argument is out of range or not one of the known values."""

    def __init__(self, param: str, value: Any, message: str, choices: Iterable[str] | None = None):
        self.param = param
        self.value = value
        if isinstance(choices, Names):
            self.choices: list[str] | None = list(choices.names)
            self.close_matches = close_matches(value, choices)
        else:
            self.choices = sorted(choices) if choices is not None else None
            self.close_matches = close_matches(value, self.choices) if self.choices is not None else []
        text = f"{param}={excerpt(value)}: {message}"
        backend_of = BACKEND_RUNTIMES.get(str(value).strip().lower()) if param == "runtime" else None
        if backend_of and self.choices is not None and backend_of in self.choices:
            text += (f"; {str(value).strip().lower()} is a delegate/backend, not a runtime: it runs under "
                     f"--runtime {backend_of} (the backend shows in the answer's settings and coverage line)")
            self.close_matches = [backend_of]
        elif self.close_matches:
            text += f"; did you mean {', '.join(self.close_matches)}?"
        if self.choices is not None:
            end = "" if text.endswith("?") else "."
            if len(self.choices) <= LIST_AT_MOST:
                text += f"{end} Valid choices: {', '.join(self.choices)}"
            else:
                how = _LIST_HINT.get(param)
                text += (f"{end} Valid choices: {len(self.choices)} names"
                         + (f"; list them with {how}" if how else f", e.g. {', '.join(self.choices[:5])}, ..."))
        super().__init__(text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "value": (self.value if isinstance(self.value, (int, str, bool, type(None)))
                      or (isinstance(self.value, float) and math.isfinite(self.value)) else str(self.value)),
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
