"""The Flask service through Flask's test client: every endpoint and every error path."""

from __future__ import annotations

import json
import math

import pytest

from conftest import FIXTURES

import modelpick
from modelpick import NoFeasibleModel, Query
from service import create_app, config_from_env

MINI = str(FIXTURES / "mini.yaml")
PROBLEM = "application/problem+json"


def problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert resp.headers["Cache-Control"] == "no-store"
    return body


def the_error(body, param):
    hits = [e for e in body["errors"] if e["param"] == param]
    assert hits, body
    return hits[0]


# ---------------------------------------------------------------------------
# app factory and configuration


def test_factory_defaults_are_production_safe(app):
    assert app.debug is False
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024
    assert app.extensions["modelpick"].catalog.hash == modelpick.load_catalog(MINI, embedded=False, use_env=False).hash


def test_config_from_environment(monkeypatch):
    monkeypatch.setenv("MODELPICK_DATA", MINI)
    monkeypatch.setenv("MODELPICK_EMBEDDED", "0")
    monkeypatch.setenv("MODELPICK_CACHE_MAX_AGE", "60")
    cfg = config_from_env()
    assert cfg == {"MODELPICK_DATA": MINI, "MODELPICK_EMBEDDED": False, "MODELPICK_CACHE_MAX_AGE": 60}
    app = create_app()
    resp = app.test_client().get("/devices")
    assert resp.headers["Cache-Control"] == "public, max-age=60"
    assert [d["id"] for d in resp.get_json()["devices"]] == ["board-a", "gpu-b"]


def test_config_rejects_non_integer_limits():
    with pytest.raises(ValueError, match="MODELPICK_CACHE_MAX_AGE"):
        config_from_env({"MODELPICK_CACHE_MAX_AGE": "soon"})


def test_ready_catalog_can_be_passed(mini_catalog):
    app = create_app({"MODELPICK_CATALOG": mini_catalog})
    assert app.test_client().get("/healthz").get_json()["catalog"]["hash"] == mini_catalog.hash


# ---------------------------------------------------------------------------
# /healthz


def test_healthz(client, mini_catalog):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["status"] == "ok" and body["version"] == modelpick.__version__
    assert body["catalog"] == {"version": mini_catalog.version, "hash": mini_catalog.hash, "devices": 2,
                               "architectures": 3, "checkpoints": 5, "candidates": len(mini_catalog)}
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_head_is_answered(client):
    resp = client.head("/healthz")
    assert resp.status_code == 200 and resp.get_data() == b""


# ---------------------------------------------------------------------------
# /recommend: answers


def test_recommend_matches_the_library(client, mini_catalog):
    resp = client.get("/recommend?device=board&min_fps=20")
    assert resp.status_code == 200
    body = resp.get_json()
    assert list(body) == ["best", "alternatives", "query", "coverage", "catalog", "sources"]
    expected = mini_catalog.recommend("board", min_fps=20)
    assert [body["best"], *body["alternatives"]] == [r.to_dict() for r in expected]
    assert body["best"]["why"] and body["best"]["rank"] == 1
    assert body["query"]["device"] == "board-a"  # canonical, not the family name asked for
    assert body["query"]["min_fps"] == 20.0 and body["query"]["batch_size"] == 1
    assert body["catalog"] == {"version": mini_catalog.version, "hash": mini_catalog.hash}
    assert set(body["sources"]) == {"fixture"}
    assert body["sources"]["fixture"]["title"] == "Hand-made test fixture"


def test_recommend_flags_estimates(client):
    recs = [r for r in (lambda b: [b["best"], *b["alternatives"]])(client.get("/recommend?device=board-a").get_json())]
    small = next(r for r in recs if r["checkpoint"] == "small.v1")
    assert small["memory_estimated"] is True and small["sources"]["memory"] is None
    assert all("latency_estimated" in r for r in recs)


def test_recommend_limit_and_best(client, mini_catalog):
    body = client.get("/recommend?device=board-a&limit=1").get_json()
    assert body["alternatives"] == []
    assert body["best"] == mini_catalog.recommend("board-a", limit=1)[0].to_dict()  # /recommend is recommend()


@pytest.mark.parametrize("word", ["best", "BEST", "any", "none"])
def test_batch_size_best_is_throughput_mode(client, mini_catalog, word):
    body = client.get(f"/recommend?device=board&batch_size={word}&min_fps=90").get_json()
    assert body["query"]["batch_size"] is None
    assert body["best"] == mini_catalog.recommend("board", batch_size=None, min_fps=90, limit=1)[0].to_dict()
    assert body["best"]["batch_size"] == 8


def test_all_query_parameters_are_accepted(client, mini_catalog):
    url = ("/recommend?device=BA&max_mem_gb=2&min_fps=5&max_latency_ms=500&batch_size=1&min_top1=60&max_params_m=100"
           "&runtime=TensorRT&precision=FP16&objective=fps&strict=true&limit=3")
    body = client.get(url).get_json()
    q = body["query"]
    assert (q["device"], q["runtime"], q["precision"], q["objective"], q["strict"], q["limit"]) == (
        "board-a", "tensorrt", "fp16", "fps", True, 3)
    expected = mini_catalog.recommend("BA", max_mem_gb=2, min_fps=5, max_latency_ms=500, min_top1=60, max_params_m=100,
                                      runtime="tensorrt", precision="fp16", objective="fps", strict=True, limit=3)
    assert [body["best"], *body["alternatives"]] == [r.to_dict() for r in expected]


def test_accepted_parameters_are_the_query_fields(client):
    body = problem(client.get("/recommend?device=board&nope=1"), 400)
    assert the_error(body, "nope")["choices"] == sorted(Query.model_fields)


# ---------------------------------------------------------------------------
# /recommend: errors


def test_typo_in_parameter_name_is_a_400_naming_it(client):
    body = problem(client.get("/recommend?device=board&max_mem=1"), 400)
    assert body["type"] == "/problems/invalid-parameter"
    err = the_error(body, "max_mem")
    assert err["value"] == "1"
    assert "max_mem_gb" in err["close_matches"]
    assert "max_mem_gb" in err["choices"] and "device" in err["choices"]
    assert "max_mem" in body["detail"] and "max_mem_gb" in body["detail"]


def test_every_bad_parameter_is_reported(client):
    body = problem(client.get("/recommend?device=board&min_fps=nan&batch_size=-1&limit=x&colour=red"), 400)
    assert {e["param"] for e in body["errors"]} >= {"colour"}
    body = problem(client.get("/recommend?device=board&min_fps=nan&batch_size=-1&limit=x"), 400)
    assert {e["param"] for e in body["errors"]} == {"min_fps", "batch_size", "limit"}
    for e in body["errors"]:
        assert e["exception"] == "InvalidQuery"
        assert repr(e["value"]) in e["message"]


def test_repeated_parameter_is_a_400(client):
    body = problem(client.get("/recommend?device=board&min_fps=1&min_fps=2"), 400)
    assert "2 times" in the_error(body, "min_fps")["message"]


@pytest.mark.parametrize("param,value", [
    ("max_mem_gb", "abc"), ("max_mem_gb", "-1"), ("max_mem_gb", "0"), ("max_mem_gb", "nan"), ("max_mem_gb", "NaN"),
    ("max_mem_gb", "inf"), ("max_mem_gb", "-Infinity"), ("max_mem_gb", "1e309"), ("max_mem_gb", "1e12"),
    ("max_mem_gb", ""), ("min_fps", "1e400"), ("min_fps", "-5"), ("max_latency_ms", "0x10"), ("min_top1", "101"),
    ("min_top1", "-0.5"), ("max_params_m", "9" * 40), ("batch_size", "0"), ("batch_size", "2.5"),
    ("batch_size", "99999999999"), ("batch_size", "biggest"), ("limit", "0"), ("limit", "100000"),
    ("objective", "accuracy"), ("strict", "maybe"),
])
def test_bad_values_are_a_400_naming_the_value(client, param, value):
    from urllib.parse import quote

    body = problem(client.get(f"/recommend?device=board&{param}={quote(value)}"), 400)
    err = the_error(body, param)
    assert err["value"] == value
    assert f"{param}={value!r}" in err["message"]
    assert err["exception"] == "InvalidQuery"


def test_objective_error_lists_the_choices(client):
    body = problem(client.get("/recommend?device=board&objective=top-1"), 400)
    assert the_error(body, "objective")["choices"] == ["fps", "memory", "top1"]
    assert the_error(body, "objective")["close_matches"] == ["top1"]


def test_missing_device_is_a_400(client):
    body = problem(client.get("/recommend?min_fps=10"), 400)
    assert "required" in the_error(body, "device")["message"]


def test_unknown_device_has_close_matches(client, mini_catalog):
    body = problem(client.get("/recommend?device=boardd"), 400)
    err = the_error(body, "device")
    assert err["exception"] == "UnknownDevice"
    assert err["close_matches"][:2] == ["board", "board-a"]
    assert "gpu-b" in err["choices"]
    with pytest.raises(modelpick.UnknownDevice) as lib:
        mini_catalog.best("boardd")
    assert err["message"] == str(lib.value) == body["detail"]


@pytest.mark.parametrize("param,value,choices", [
    ("runtime", "tensorRTT", ["ncnn", "pytorch", "tensorrt"]),
    ("precision", "fp8", ["auto", "fp16", "fp32"]),
    ("runtime", "pytorch", ["ncnn", "tensorrt"]),  # known, but not measured on this device
])
def test_unknown_runtime_or_precision_lists_valid_ones(client, param, value, choices):
    body = problem(client.get(f"/recommend?device=board&{param}={value}"), 400)
    err = the_error(body, param)
    assert err["exception"] == "UnknownName" and err["choices"] == choices


def test_no_feasible_model_is_a_422_with_the_library_diagnosis(client, mini_catalog):
    body = problem(client.get("/recommend?device=board&min_fps=500"), 422)
    assert body["type"] == "/problems/no-feasible-model"
    with pytest.raises(NoFeasibleModel) as lib:
        mini_catalog.recommend("board", min_fps=500)
    assert body["detail"] == str(lib.value)
    assert body["diagnosis"] == json.loads(json.dumps(lib.value.diagnosis))
    assert body["diagnosis"]["binding"] == ["min_fps"]
    assert body["diagnosis"]["suggestions"][0]["checkpoint"] == "small.v1"


def test_no_feasible_selection_is_a_422(client):
    body = problem(client.get("/recommend?device=gpu-b&batch_size=64"), 422)
    assert body["diagnosis"]["binding"] == ["selection"]


# ---------------------------------------------------------------------------
# caching


def test_etag_and_cache_control(client):
    a = client.get("/recommend?device=board&min_fps=20")
    b = client.get("/recommend?min_fps=20.0&device=BOARD-A")  # same normalised query
    c = client.get("/recommend?device=board&min_fps=21")
    assert a.headers["ETag"] == b.headers["ETag"] != c.headers["ETag"]
    assert a.headers["ETag"].startswith('"') and a.headers["ETag"].endswith('"')
    assert a.headers["Cache-Control"] == "public, max-age=300"
    assert a.get_data() == b.get_data()


@pytest.mark.parametrize("form", ["{tag}", "W/{tag}", '"other", {tag}', "*"])
def test_if_none_match_gets_304(client, form):
    etag = client.get("/recommend?device=board").headers["ETag"]
    resp = client.get("/recommend?device=board", headers={"If-None-Match": form.format(tag=etag)})
    assert resp.status_code == 304 and resp.get_data() == b""
    assert resp.headers["ETag"] == etag and "max-age" in resp.headers["Cache-Control"]


def test_stale_etag_gets_200(client):
    resp = client.get("/recommend?device=board", headers={"If-None-Match": '"stale"'})
    assert resp.status_code == 200 and resp.get_json()["best"]


@pytest.mark.parametrize("url", ["/devices", "/devices/board", "/models", "/models/medium", "/openapi.json", "/docs"])
def test_catalog_endpoints_revalidate(client, url):
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_etag_depends_on_the_catalog(mini_catalog, tmp_path):
    other = tmp_path / "extra.yaml"
    other.write_text("schema_version: 1\ndevices:\n  - {id: extra-board, name: Extra, kind: cpu}\n")
    a = create_app({"MODELPICK_CATALOG": mini_catalog}).test_client().get("/recommend?device=board")
    b = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [MINI, str(other)]}).test_client().get(
        "/recommend?device=board")
    assert a.get_json()["best"] == b.get_json()["best"]
    assert a.headers["ETag"] != b.headers["ETag"]


# ---------------------------------------------------------------------------
# /devices and /models


def test_devices(client, mini_catalog):
    body = client.get("/devices").get_json()
    assert [d["id"] for d in body["devices"]] == ["board-a", "gpu-b"] and body["count"] == 2
    assert body["device_families"] == {"board": "board-a"}
    assert body["devices"][0] == mini_catalog.device("board-a").model_dump(mode="json")
    assert [d["id"] for d in client.get("/devices?q=gpu").get_json()["devices"]] == ["gpu-b"]
    assert [d["id"] for d in client.get("/devices?q=*a").get_json()["devices"]] == ["board-a"]
    assert [d["id"] for d in client.get("/devices?kind=gpu").get_json()["devices"]] == ["gpu-b"]
    assert client.get("/devices?q=zzz").get_json()["devices"] == []


def test_devices_bad_parameters(client):
    err = the_error(problem(client.get("/devices?kind=fpga"), 400), "kind")
    assert err["choices"] == ["cpu", "gpu", "npu", "soc", "tpu"]
    assert "q" in the_error(problem(client.get("/devices?pattern=x"), 400), "pattern")["choices"]
    problem(client.get("/devices?q=" + "x" * 300), 400)


def test_device_by_alias(client):
    body = client.get("/devices/Board%20A").get_json()
    assert body["device"]["id"] == "board-a"
    assert body["runtimes"] == ["ncnn", "tensorrt"] and body["precisions"] == ["auto", "fp16"]
    assert body["batch_sizes"] == [1, 8]
    assert client.get("/devices/board").get_json()["device"]["id"] == "board-a"  # family


def test_unknown_device_is_a_404_with_close_matches(client):
    body = problem(client.get("/devices/gpu-c"), 404)
    err = the_error(body, "device")
    assert err["exception"] == "UnknownDevice" and "gpu-b" in err["close_matches"]


def test_models(client, mini_catalog):
    body = client.get("/models").get_json()
    assert [a["id"] for a in body["architectures"]] == [a.id for a in mini_catalog.architectures()]
    assert [c["id"] for c in body["checkpoints"]] == [c.id for c in mini_catalog.checkpoints()]
    assert list(client.get("/models?kind=checkpoint").get_json()) == ["checkpoints", "catalog"]
    assert list(client.get("/models?kind=architecture").get_json()) == ["architectures", "catalog"]
    body = client.get("/models?q=large").get_json()
    assert [c["id"] for c in body["checkpoints"]] == ["large.hi", "large.v1"]
    body = client.get("/models?architecture=small_net").get_json()
    assert [c["id"] for c in body["checkpoints"]] == ["small.v1"]
    assert [a["id"] for a in body["architectures"]] == ["small"]


def test_models_bad_parameters(client):
    assert the_error(problem(client.get("/models?kind=weights"), 400), "kind")["choices"] == ["architecture", "checkpoint"]
    err = the_error(problem(client.get("/models?architecture=smal"), 400), "architecture")
    assert err["exception"] == "UnknownName" and "small" in err["close_matches"]


def test_model_detail(client):
    body = client.get("/models/medium.v2").get_json()
    assert body["kind"] == "checkpoint" and body["checkpoint"]["top1"] == 78.5
    assert body["architecture"]["id"] == "medium"
    body = client.get("/models/small_net").get_json()  # alias
    assert body["kind"] == "architecture" and body["architecture"]["id"] == "small"
    assert [c["id"] for c in body["checkpoints"]] == ["small.v1"]
    err = the_error(problem(client.get("/models/mediun.v2"), 404), "model")
    assert err["exception"] == "UnknownName" and "medium.v2" in err["close_matches"]
    assert client.get("/models/medium?kind=architecture").get_json()["kind"] == "architecture"
    err = the_error(problem(client.get("/models/medium?kind=checkpoint"), 404), "checkpoint")
    assert "medium.v1" in err["close_matches"]
    err = the_error(problem(client.get("/models/medium.v1?kind=architecture"), 404), "architecture")
    problem(client.get("/models/medium?kind=layer"), 400)


# ---------------------------------------------------------------------------
# HTTP-level errors and limits


def test_unknown_route_is_a_problem(client):
    body = problem(client.get("/recomend?device=board"), 404)
    assert body["type"] == "/problems/not-found" and body["instance"] == "/recomend"


def test_wrong_method_is_a_problem_with_allow(client):
    resp = client.post("/recommend?device=board")
    body = problem(resp, 405)
    assert "GET" in resp.headers["Allow"]
    assert body["type"] == "/problems/method-not-allowed"


def test_request_body_is_limited(client):
    body = problem(client.get("/healthz", data=b"x" * 20000), 413)
    assert body["type"] == "/problems/request-too-large"


def test_query_string_is_limited(client):
    body = problem(client.get("/recommend?device=board&runtime=" + "x" * 3000), 414)
    assert body["type"] == "/problems/uri-too-long"


def test_unknown_parameters_everywhere(client):
    for url in ("/healthz?x=1", "/devices/board?verbose=1", "/models/medium?x=", "/openapi.json?v=2"):
        problem(client.get(url), 400)


def test_requests_cannot_name_files(client, app, tmp_path):
    assert not any(r.rule.startswith("/static") for r in app.url_map.iter_rules())
    secret = tmp_path / "secret.yaml"
    secret.write_text("schema_version: 1\ndevices:\n  - {id: leaked, name: Leaked, kind: cpu}\n")
    for url in (f"/recommend?device=leaked&MODELPICK_DATA={secret}", f"/devices?data={secret}",
                f"/devices/{secret}", "/models/../../etc/passwd", "/models/%2e%2e/%2e%2e/etc/passwd",
                "/static/../../pyproject.toml", "/static/__init__.py",
                f"/models/{secret}"):
        resp = client.get(url)
        assert resp.status_code in (400, 404), url
        assert resp.mimetype == PROBLEM
        assert b"leaked" not in resp.get_data().replace(b"device=leaked", b"")


def test_internal_errors_do_not_leak(mini_catalog):
    app = create_app({"MODELPICK_CATALOG": mini_catalog})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals /etc/shadow")

    resp = app.test_client().get("/boom")
    body = problem(resp, 500)
    assert body["type"] == "/problems/internal-error"
    assert b"secret" not in resp.get_data() and b"Traceback" not in resp.get_data()


def test_problem_types_are_documented(client):
    body = client.get("/problems/no-feasible-model").get_json()
    assert body["status"] == 422 and body["type"] == "/problems/no-feasible-model"
    problem(client.get("/problems/nope"), 404)


def test_json_is_strict(client):
    text = client.get("/recommend?device=board").get_data(as_text=True)
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


# ---------------------------------------------------------------------------
# /openapi.json and /docs


def test_openapi_document(client):
    resp = client.get("/openapi.json")
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) >= {"/recommend", "/devices", "/devices/{device_id}", "/models", "/models/{model_id}",
                                 "/healthz", "/openapi.json"}
    params = {p["name"]: p for p in doc["paths"]["/recommend"]["get"]["parameters"]}
    assert set(params) == set(Query.model_fields)
    assert params["device"]["required"] is True
    assert params["batch_size"]["schema"]["anyOf"][1]["enum"][0] == "best"
    assert params["objective"]["schema"]["enum"] == ["top1", "fps", "memory"]
    assert params["min_fps"]["schema"]["exclusiveMinimum"] == 0
    schemas = doc["components"]["schemas"]
    assert set(schemas) >= {"Recommendation", "Device", "Architecture", "Checkpoint", "Source", "Query",
                            "RecommendResponse", "ProblemDetails"}
    assert set(schemas["Recommendation"]["properties"]) == set(modelpick.Recommendation.model_fields)
    for op in (item["get"] for item in doc["paths"].values()):
        assert "default" in op["responses"]


def test_openapi_follows_the_query_model(client):
    """Parameters come from Query.model_fields, so a field added there shows up without touching the service."""
    from service.params import query_param_schemas

    schema = Query.model_json_schema()["properties"]
    for p in query_param_schemas():
        assert p["description"].startswith(schema[p["name"]]["description"])


def test_docs_page(client):
    resp = client.get("/docs")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert b"/recommend" in resp.get_data() and b"max_mem_gb" in resp.get_data()
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]


def test_numbers_in_answers_are_finite(client):
    body = client.get("/recommend?device=gpu-b&limit=50").get_json()
    for rec in [body["best"], *body["alternatives"]]:
        for v in rec.values():
            assert not (isinstance(v, float) and not math.isfinite(v))


# ---------------------------------------------------------------------------
# the per-worker answer cache


def test_answer_cache_serves_repeats_and_skips_the_solver(mini_catalog, monkeypatch):
    app = create_app({"MODELPICK_CATALOG": mini_catalog})
    client = app.test_client()
    cache = app.extensions["modelpick"].answers
    first = client.get("/recommend?device=board&min_fps=20")
    infeasible = client.get("/recommend?device=board&min_fps=500")
    client.get("/recommend?device=board&min_fps=-1")  # invalid: never cached
    assert len(cache) == 2

    def no_solving(*a, **k):
        raise AssertionError("solved again")

    monkeypatch.setattr(type(mini_catalog), "solve", no_solving)
    again = client.get("/recommend?device=board&min_fps=20")
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert client.get("/recommend?device=board&min_fps=500").get_data() == infeasible.get_data()
    assert client.get("/recommend?device=board&min_fps=500").status_code == 422
    assert client.get("/recommend?device=board&min_fps=20",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert problem(client.get("/recommend?device=board&min_fps=-1"), 400)


def test_answer_cache_can_be_turned_off(mini_catalog):
    app = create_app({"MODELPICK_CATALOG": mini_catalog, "MODELPICK_ANSWER_CACHE_MB": 0})
    client = app.test_client()
    for _ in range(2):
        assert client.get("/recommend?device=board").status_code == 200
    assert len(app.extensions["modelpick"].answers) == 0


def test_answer_cache_is_bounded_in_bytes():
    from service.common import Answer, AnswerCache

    cache = AnswerCache(16 * 1024)
    for i in range(100):
        cache.put(i, Answer(200, b"x" * 700, "application/json", ()))
    assert 0 < len(cache) < 20 and cache.get(99) is not None and cache.get(0) is None
    cache.put("huge", Answer(200, b"x" * 4096, "application/json", ()))  # > 1/16 of the budget: not kept
    assert cache.get("huge") is None
