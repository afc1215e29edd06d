"""service.common.query_args splits plain query strings itself: it must give what werkzeug's request.args gives."""

from __future__ import annotations

from flask import Flask, request
from hypothesis import given, settings
from hypothesis import strategies as st

from service.common import query_args

_app = Flask(__name__)

# the plain alphabet query_args splits itself, plus the characters that send it to werkzeug's parser
plain = st.text(alphabet="abdemst_.-019=&", max_size=40)
odd = st.text(alphabet="ab=&%2+;é ", max_size=20)


def _werkzeug(qs: bytes) -> dict[str, list[str]]:
    with _app.test_request_context(environ_overrides={"QUERY_STRING": qs.decode("latin-1")}):
        args = request.args
        return {name: args.getlist(name) for name in args}


def _ours(qs: bytes) -> dict[str, list[str]]:
    with _app.test_request_context(environ_overrides={"QUERY_STRING": qs.decode("latin-1")}):
        return query_args()


@settings(max_examples=400, deadline=None)
@given(st.one_of(plain, st.builds(lambda a, b: a + b, plain, odd)))
def test_query_args_equals_werkzeug(text: str) -> None:
    qs = text.encode("utf-8")
    ours, theirs = _ours(qs), _werkzeug(qs)
    assert ours == theirs
    assert list(ours) == list(theirs)  # names in the same order


def test_examples() -> None:
    for qs in (b"", b"&", b"a", b"a=", b"=", b"a=1&&a=2", b"a=b=c", b"device=x&min_fps=1.5", b"a%3D=1", b"a+b=1"):
        assert _ours(qs) == _werkzeug(qs), qs
