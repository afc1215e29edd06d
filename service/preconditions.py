"""``If-None-Match`` on the solved endpoints (``/recommend``, ``/candidates``), answered before any solve.

Their ETag depends only on the catalog and the normalised query, so a revalidation (the answer's own
ETag, or ``*``: "any current answer") is a 304 after validation alone. The rate limit asks the same
question before it counts (``service._rate_limit``): a request is counted before it computes, and one
answered without computing is not counted at all.
"""

from __future__ import annotations

from flask import Response, g, request

from modelpick.errors import InvalidQuery
from modelpick.schema import Query

from .common import cache_headers, make_etag, not_modified, state
from .params import parse_query, query_json
from .problems import Problem


def parsed_query() -> Query:
    """The request's normalised query, parsed once per request (the rate limit and the view both ask)."""
    held = g.get("modelpick_parsed")
    if held is None:
        try:
            held = (parse_query(state().catalog)[0], None)
        except (Problem, InvalidQuery) as exc:
            held = (None, exc)
        g.modelpick_parsed = held
    if held[1] is not None:
        raise held[1]
    return held[0]


def _etag(kind: str) -> str | None:
    """This request's answer ETag, or None for an invalid query (its 400 costs no solve either)."""
    try:
        return make_etag(kind, query_json(parsed_query()))
    except (Problem, InvalidQuery):
        return None


def without_solving(kind: str) -> bool:
    """Whether the view answers this request without a solve: an invalid query (400) or a revalidation (304)."""
    etag = _etag(kind)
    return etag is None or not_modified(etag)


def revalidation(kind: str) -> Response | None:
    """A 304 when ``If-None-Match`` names this answer's ETag or is ``*``; None otherwise (the view solves)."""
    if "HTTP_IF_NONE_MATCH" not in request.environ or not request.if_none_match:  # absent: no ETags object built
        return None
    etag = _etag(kind)
    if etag is None or not not_modified(etag):
        return None
    resp = Response(status=304)
    resp.headers.update(cache_headers(etag))
    return resp
