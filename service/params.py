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
import re
import types
import typing
from typing import Any, Callable

import annotated_types
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


_NUMBER = re.compile(r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,20})?")  # plain decimals: what clients send
_INTEGER = re.compile(r"[1-9][0-9]{0,14}")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def _bounds(metadata: list[Any]) -> Callable[[Any], bool] | None:
    """A check for a field's annotated-types bounds, or None where a constraint is not one of these."""
    lo_gt = lo_ge = hi_le = min_len = max_len = None
    for m in metadata:
        if isinstance(m, annotated_types.Gt):
            lo_gt = m.gt
        elif isinstance(m, annotated_types.Ge):
            lo_ge = m.ge
        elif isinstance(m, annotated_types.Le):
            hi_le = m.le
        elif isinstance(m, annotated_types.MinLen):
            min_len = m.min_length
        elif isinstance(m, annotated_types.MaxLen):
            max_len = m.max_length
        else:
            return None
    return lambda v: ((lo_gt is None or v > lo_gt) and (lo_ge is None or v >= lo_ge) and (hi_le is None or v <= hi_le)
                      and (min_len is None or len(v) >= min_len) and (max_len is None or len(v) <= max_len))


def _field_parser(annotation: Any, metadata: list[Any], nullable_word: bool) -> Callable[[str], Any] | None:
    """A parser from query-string text to the field's value that raises ValueError on anything it is not sure
    pydantic reads the same way (pydantic then reports it); None where the field's type is not a plain one."""
    check = _bounds(metadata)
    if check is None:
        return None
    args = [a for a in typing.get_args(annotation)] if _accepts_none(annotation) else [annotation]
    kinds = [a for a in args if a is not type(None)]
    if len(kinds) != 1:
        return None
    kind = kinds[0]
    if kind is float or kind is int:
        pattern = (_NUMBER if kind is float else _INTEGER).fullmatch

        def number(text: str) -> Any:
            if nullable_word and text.strip().lower() in NONE_WORDS:
                return None
            if pattern(text) is None:
                raise ValueError(text)
            value = kind(text)
            if not check(value):
                raise ValueError(text)
            return value
        return number
    if kind is bool and not metadata:
        return lambda text: _BOOLEANS[text]  # KeyError for anything else: pydantic decides
    if kind is str and not nullable_word:
        def string(text: str) -> str:
            if not check(text):
                raise ValueError(text)
            return text
        return string
    if typing.get_origin(kind) is typing.Literal and not metadata and all(isinstance(c, str) for c in typing.get_args(kind)):
        choices = frozenset(typing.get_args(kind))

        def literal(text: str) -> str:
            if text not in choices:
                raise ValueError(text)
            return text
        return literal
    return None


@functools.cache
def _fast_parsers() -> dict[str, Callable[[str], Any]] | None:
    """Per ``Query`` field, a precompiled parser (see :func:`_field_parser`); None when some field or a validator
    on ``Query`` is beyond them, so that every query goes through pydantic."""
    decorators = Query.__pydantic_decorators__
    if decorators.validators or decorators.field_validators or decorators.model_validators or decorators.root_validators:
        return None
    nullable = none_word_fields()
    out = {}
    for name, f in Query.model_fields.items():
        parser = _field_parser(f.annotation, list(f.metadata), name in nullable)
        if parser is None:
            return None
        out[name] = parser
    return out


def _fast_query(raw: dict[str, str]) -> Query | None:
    """The query pydantic would validate from ``raw``, without pydantic; None where it cannot be sure (pydantic then
    validates, and reports errors, exactly as before)."""
    parsers = _fast_parsers()
    if parsers is None or "device" not in raw:
        return None
    values: dict[str, Any] = {}
    try:
        for name, text in raw.items():
            values[name] = parsers[name](text)
    except (ValueError, KeyError):
        return None
    return _defaults().model_copy(update=values)  # every value checked as the schema says: no second validation


@functools.cache
def _defaults() -> Query:
    """The query of every default, which a parsed query copies with its own values (the device given, so that
    every field holds its place: a diagnosis lists the query's fields in their order)."""
    return Query.model_construct(device="")


def query_json(q: Query) -> dict[str, Any]:
    """``q.model_dump(mode="json")`` of a query whose values are JSON already (what :func:`parse_query` returns),
    without the serializer: the fields in order, those ``Query`` omits at their default left out."""
    out = {name: getattr(q, name) for name in query_fields_ordered()}
    for name in Query._OMIT_AT_DEFAULT:
        if out[name] == Query.model_fields[name].default:
            del out[name]
    return out


@functools.cache
def query_fields_ordered() -> tuple[str, ...]:
    return tuple(Query.model_fields)


def parse_query(catalog: Catalog, extra: tuple[str, ...] = ()) -> tuple[Query, dict[str, str]]:
    """The request's normalised query (canonical device, lower-case runtime/precision).

    ``extra`` names further parameters an endpoint accepts besides the ``Query`` fields;
    their raw values come back in the second element. The query string is parsed once, by the precompiled
    field parsers; only what they are unsure of (a malformed or unusual value) goes through pydantic, whose
    errors are the service's.
    """
    fields = query_fields()
    raw = read_args([*fields, *extra])
    given = {k: v for k, v in raw.items() if k in fields}
    q = _fast_query(given) or validate_query(given)
    normalised = catalog.normalize(q)  # UnknownDevice / UnknownName -> 400 via the error handler
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
