"""modelpick.client.Client against the Flask app: same answers, types and exceptions as the library.

The client's requests.Session is given a transport adapter that hands each request to the WSGI
app in-process (werkzeug's test client), so these tests exercise the real client code, URL
encoding and problem parsing without sockets; test_service_gunicorn.py does the same over TCP.
"""

from __future__ import annotations

import inspect
from io import BytesIO

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

import modelpick
from modelpick import InvalidQuery, NoFeasibleModel, Query, Recommendation, UnknownDevice, UnknownName
from modelpick.client import Client, ServiceError

BASE = "http://modelpick.test"


class WSGIAdapter(BaseAdapter):
    """A requests transport that calls a WSGI app directly."""

    def __init__(self, app):
        super().__init__()
        self.client = app.test_client()
        self.sent: list[str] = []

    def send(self, request, **kwargs):
        self.sent.append(request.url)
        path = request.url[len(BASE):]
        resp = self.client.open(path, method=request.method, headers=dict(request.headers))
        raw = HTTPResponse(body=BytesIO(resp.get_data()), headers=dict(resp.headers), status=resp.status_code,
                           preload_content=False)
        out = requests.Response()
        out.status_code = resp.status_code
        out.headers = CaseInsensitiveDict(resp.headers)
        out.raw = raw
        out.url = request.url
        out.request = request
        out.encoding = "utf-8"
        return out

    def close(self):
        pass


@pytest.fixture()
def adapter(app):
    return WSGIAdapter(app)


@pytest.fixture()
def api(adapter):
    session = requests.Session()
    session.mount(BASE, adapter)
    with Client(BASE + "/", timeout=5, session=session) as client:
        yield client


QUERIES = [
    dict(device="board", min_fps=20),
    dict(device="BA", max_mem_gb=1.0),
    dict(device="board-a", batch_size=None, min_fps=90),
    dict(device="board", objective="fps", min_top1=70),
    dict(device="board", objective="memory", strict=True),
    dict(device="gpu-b", runtime="PyTorch", precision="fp32", max_latency_ms=6, max_params_m=50),
]


@pytest.mark.parametrize("kwargs", QUERIES)
def test_best_and_recommend_match_the_library(api, mini_catalog, kwargs):
    kwargs = dict(kwargs)
    device = kwargs.pop("device")
    rec = api.best(device, **kwargs)
    assert isinstance(rec, Recommendation)
    assert rec == mini_catalog.best(device, **kwargs)
    recs = api.recommend(device, limit=3, **kwargs)
    assert recs == mini_catalog.recommend(device, limit=3, **kwargs)
    assert all(isinstance(r, Recommendation) for r in recs)


def test_signatures_follow_the_library():
    """Every library argument is accepted with the same default, explicitly or as a Query field."""
    for name in ("best", "recommend", "devices", "architectures", "checkpoints"):
        lib = inspect.signature(getattr(modelpick, name)).parameters
        ours = inspect.signature(getattr(Client, name)).parameters
        for pname, p in lib.items():
            if pname in ours:
                assert ours[pname].default == p.default, (name, pname)
                assert ours[pname].kind == p.kind, (name, pname)
            else:
                assert pname in Query.model_fields and any(
                    q.kind is inspect.Parameter.VAR_KEYWORD for q in ours.values()), (name, pname)


def test_parameters_are_encoded_like_the_service_expects(api, adapter):
    api.recommend("Board A", batch_size=None, strict=True, max_mem_gb=2.5)
    url = adapter.sent[-1]
    assert "device=Board+A" in url
    assert "batch_size=best" in url and "strict=true" in url and "max_mem_gb=2.5" in url
    assert "objective" not in url and "limit" not in url  # defaults are left to the service


def test_new_query_fields_pass_through(api):
    extra = [n for n in Query.model_fields if n not in inspect.signature(modelpick.best).parameters and n != "limit"]
    params = Client._query_params("board", **{n: Query.model_fields[n].default for n in extra})
    assert params == {"device": "board"}
    with pytest.raises(TypeError, match="max_mem"):
        api.best("board", max_mem=1)
    assert Client._query_params("board", estimates="include") == {"device": "board", "estimates": "include"}


def test_no_feasible_model(api, mini_catalog):
    with pytest.raises(NoFeasibleModel) as remote:
        api.best("board", min_fps=500)
    with pytest.raises(NoFeasibleModel) as local:
        mini_catalog.best("board", min_fps=500)
    assert str(remote.value) == str(local.value)
    assert remote.value.diagnosis["binding"] == local.value.diagnosis["binding"] == ["min_fps"]
    assert remote.value.diagnosis["suggestions"] == local.value.diagnosis["suggestions"]


def test_unknown_device(api, mini_catalog):
    with pytest.raises(UnknownDevice) as remote:
        api.best("boardd")
    with pytest.raises(UnknownDevice) as local:
        mini_catalog.best("boardd")
    for attr in ("param", "value", "choices", "close_matches"):
        assert getattr(remote.value, attr) == getattr(local.value, attr)
    assert str(remote.value) == str(local.value)
    assert isinstance(remote.value, InvalidQuery) and isinstance(remote.value, ValueError)


def test_unknown_runtime(api):
    with pytest.raises(UnknownName) as exc:
        api.recommend("board", runtime="tensorrtt")
    assert exc.value.param == "runtime" and exc.value.close_matches == ["tensorrt"]


@pytest.mark.parametrize("kwargs,param", [
    (dict(min_fps=-1), "min_fps"), (dict(max_mem_gb=float("nan")), "max_mem_gb"),
    (dict(max_mem_gb=float("inf")), "max_mem_gb"), (dict(batch_size=0), "batch_size"),
    (dict(objective="best"), "objective"), (dict(limit=0), "limit"),
])
def test_invalid_values(api, mini_catalog, kwargs, param):
    with pytest.raises(InvalidQuery) as remote:
        api.recommend("board", **kwargs)
    assert type(remote.value) is InvalidQuery and remote.value.param == param
    with pytest.raises(InvalidQuery) as local:
        mini_catalog.recommend("board", **kwargs)
    assert local.value.param == param


def test_catalog_listings_match_the_library(api, mini_catalog):
    assert api.devices() == mini_catalog.devices()
    assert api.devices("gpu") == mini_catalog.devices("gpu")
    assert api.devices(kind="soc") == mini_catalog.devices(kind="soc")
    assert api.architectures() == mini_catalog.architectures()
    assert api.architectures("med*") == mini_catalog.architectures("med*")
    assert api.checkpoints() == mini_catalog.checkpoints()
    assert api.checkpoints("large") == mini_catalog.checkpoints("large")
    assert api.checkpoints(architecture="small_net") == mini_catalog.checkpoints(architecture="small_net")


def test_single_entries(api, mini_catalog):
    assert api.device("Board A") == mini_catalog.device("board-a")
    assert api.architecture("small_net") == mini_catalog.architecture("small")
    assert api.checkpoint("medium.v2") == mini_catalog.checkpoint("medium.v2")
    with pytest.raises(UnknownDevice) as exc:
        api.device("gpu-c")
    assert "gpu-b" in exc.value.close_matches
    with pytest.raises(UnknownName) as exc:
        api.checkpoint("medium")  # an architecture
    assert exc.value.param == "checkpoint" and "medium.v1" in exc.value.close_matches
    with pytest.raises(UnknownName) as exc:
        api.architecture("mediumm")
    assert exc.value.param == "architecture" and "medium" in exc.value.close_matches
    with pytest.raises(UnknownName):
        api.architecture("medium.v1")  # a checkpoint


def test_health_and_catalog_info(api, mini_catalog):
    assert api.health()["status"] == "ok"
    assert api.catalog_info() == {"version": mini_catalog.version, "hash": mini_catalog.hash}
    assert "modelpick.test" in repr(api)


def test_answer_has_the_whole_response(api):
    body = api.answer("board", min_fps=20)
    assert body["query"]["device"] == "board-a" and "sources" in body


def test_other_errors_are_service_errors():
    err = Client._exception(503, {"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": "x"})
    assert isinstance(err, ServiceError) and isinstance(err, modelpick.ModelpickError) and err.status == 503
    err = Client._exception(500, {})
    assert isinstance(err, ServiceError) and err.problem == {}


def test_non_json_error_body(app):
    class Broken(WSGIAdapter):
        def send(self, request, **kwargs):
            resp = super().send(request, **kwargs)
            resp.status_code = 502
            resp.raw = HTTPResponse(body=BytesIO(b"<html>bad gateway</html>"), status=502, preload_content=False)
            return resp

    session = requests.Session()
    session.mount(BASE, Broken(app))
    with pytest.raises(ServiceError) as exc:
        Client(BASE, session=session).health()
    assert exc.value.status == 502
