"""Query strings to :class:`modelpick.Query`: the one definition of the recommendation parameters.

The accepted names, types, ranges and choices all come from ``Query.model_fields``, so
a field added to ``Query`` is accepted here (and documented in ``/openapi.json``)
without touching the service.

Query-string conventions:

* numbers and booleans are parsed by pydantic (``true``/``false``/``1``/``0`` for booleans);
  NaN, infinities, negatives and values beyond the field's bounds are rejected;
* a field whose default is not ``None`` but that accepts ``None`` (``batch_size``) takes the
  word ``best`` (also ``any`` or ``none``) for ``None``; for the other optional fields, leave
  the parameter out.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

from pydantic import ValidationError

from modelpick.errors import InvalidQuery
from modelpick.schema import Query
from modelpick.solver import Catalog

from .common import read_args
from .problems import invalid, param_error

#: Words that mean ``None`` for the fields :func:`none_word_fields` names (``batch_size=best``).
NONE_WORDS = ("best", "any", "none")


def _accepts_none(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return type(None) in typing.get_args(annotation)
    return annotation is type(None)


# Query's fields are fixed once modelpick is imported, so these are computed once.
@functools.cache
def query_fields() -> frozenset[str]:
    return frozenset(Query.model_fields)


@functools.cache
def none_word_fields() -> frozenset[str]:
    """Fields whose ``None`` differs from leaving them out, so the query string needs a word for it."""
    return frozenset(name for name, f in Query.model_fields.items()
                     if _accepts_none(f.annotation) and f.default is not None and not f.is_required())


@functools.cache
def _choices(param: str) -> tuple[str, ...] | None:
    prop = Query.model_json_schema()["properties"].get(param, {})
    if "enum" in prop:
        return tuple(str(v) for v in prop["enum"])
    return None


def validate_query(raw: dict[str, str]) -> Query:
    """Validate raw query-string values; every bad parameter is reported, each naming its value."""
    nullable = none_word_fields()
    values: dict[str, Any] = {}
    for name, text in raw.items():
        values[name] = None if name in nullable and text.strip().lower() in NONE_WORDS else text
    try:
        return Query.model_validate(values)
    except ValidationError as exc:
        errors = []
        for err in exc.errors(include_url=False):
            param = str(err["loc"][0]) if err["loc"] else "query"
            value = err.get("input") if err["type"] != "missing" else None
            msg = "required parameter is missing" if err["type"] == "missing" else err["msg"]
            if param in nullable:
                msg += f" (or one of {', '.join(NONE_WORDS)})"
            errors.append(param_error(InvalidQuery(param, value, msg, choices=_choices(param))))
        raise invalid(errors) from None


def parse_query(catalog: Catalog, extra: tuple[str, ...] = ()) -> tuple[Query, dict[str, str]]:
    """The request's normalised query (canonical device, lower-case runtime/precision).

    ``extra`` names further parameters an endpoint accepts besides the ``Query`` fields;
    their raw values come back in the second element.
    """
    fields = query_fields()
    raw = read_args([*fields, *extra])
    q = validate_query({k: v for k, v in raw.items() if k in fields})
    normalised = catalog.query(**q.model_dump())  # UnknownDevice / UnknownName -> 400 via the error handler
    return normalised, {k: v for k, v in raw.items() if k in extra}


def query_param_schemas() -> list[dict[str, Any]]:
    """OpenAPI query parameters for every ``Query`` field, from its JSON Schema."""
    schema = Query.model_json_schema()
    required = set(schema.get("required", []))
    nullable = none_word_fields()
    params = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        branches = prop.pop("anyOf", None)
        if branches is not None:
            kept = [b for b in branches if b.get("type") != "null"]
            if name in nullable:
                kept.append({"type": "string", "enum": list(NONE_WORDS)})
                description = (description or "") + f"; '{NONE_WORDS[0]}' for none"
            if len(kept) == 1:
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
        if prop.get("default", 0) is None:
            del prop["default"]
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params
