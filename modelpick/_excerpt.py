"""Quote a value from a file or a request in an error message: a short, cut excerpt, never the whole value (a
message must not echo a file the user did not mean to show, e.g. MODELPICK_DATA=/etc/shadow)."""

from __future__ import annotations

from typing import Any

#: The most characters of a value a message quotes, the ellipsis included.
EXCERPT_CHARS = 60


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """``repr`` of ``value`` cut to ``limit`` characters with ``...`` (a str is cut before it is repr'd, so a
    huge value costs nothing)."""
    if isinstance(value, str) and len(value) > limit:
        # repr of the cut, without its closing quote; escapes ('\\n', '\\x00') can make it longer, so cut again
        return repr(value[: limit - 5])[:-1][: limit - 3] + "..."
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails is still named by its type
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
