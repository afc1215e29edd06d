"""``GET /recommend``: the library's ``recommend`` over HTTP."""

from __future__ import annotations

from flask import Blueprint, g, request

from modelpick.errors import NoFeasibleModel

from .common import Answer, State, cache_headers, make_etag, state
from .json_body import dumps
from .params import query_json
from .preconditions import parsed_query, revalidation
from .problems import no_feasible, render

bp = Blueprint("recommend", __name__)


@bp.get("/recommend")
def recommend():
    """The best checkpoint and up to ``limit - 1`` ranked alternatives, with their sources.

    No feasible model is a 422 problem carrying the library's diagnosis. Both outcomes are
    kept in the worker's answer cache, keyed by the raw query string; invalid queries
    (400) are not.
    """
    st = state()
    key = request.query_string
    answer = st.answers.get(key)
    if answer is None:
        early = revalidation("recommend")  # If-None-Match: this answer's ETag or *: 304 without a solve
        if early is not None:
            return early
        answer = _answer(st)
        st.answers.put(key, answer)
    else:
        g.modelpick_cached = True  # not counted by the rate limit
    return answer.response()


def _answer(st: State) -> Answer:
    q = parsed_query()  # 400 problems propagate to the error handler
    qd = query_json(q)  # what q.model_dump(mode="json") gives, without the serializer
    try:
        recs, source_ids = st.catalog.solve_json(q)  # each record's JSON straight from the columns: no dict per row
    except NoFeasibleModel as exc:
        return Answer.of(render(no_feasible(exc), request.path))
    # the shape of the CLI's --json answer (modelpick.cli.toolkit.answer_json), plus the sources behind the numbers,
    # written straight as the bytes orjson gives the whole dict: the records, coverage and sources are memoised JSON
    body = b"".join((b'{"best":', recs[0], b',"alternatives":[', b",".join(recs[1:]), b'],"query":', dumps(qd),
                     b',"coverage":', st.coverage_json(q.device, q.task), b',"catalog":', st.info_json,
                     b',"sources":', st.sources_json(source_ids), b"}"))
    etag = make_etag("recommend", qd)
    return Answer(200, body, "application/json", tuple(cache_headers(etag).items()), etag)
