"""REST: /bounds, /pareto, /grid, /plot (service/frontiers.py), on the frontier fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def client():
    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(FIXTURES / "frontiers.yaml")]})
    return app.test_client()


def test_bounds(client):
    r = client.get("/bounds/lin-dev?fps=100")
    d = r.get_json()
    assert r.status_code == 200 and d["computed"] is True
    assert (d["a"], d["b"]) == (pytest.approx(86.0), pytest.approx(0.4))
    assert d["prediction"] == {"fps": 100.0, "top1_bound": pytest.approx(46.0), "computed": True, "extrapolated": True}
    assert r.headers["ETag"] and client.get("/bounds/lin-dev?fps=100", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert client.get("/bounds/log-dev?form=log").get_json()["b"] == pytest.approx(5.0)


@pytest.mark.parametrize("url,status,needle", [
    ("/bounds/one-dev", 422, "at least 2 candidate point"),
    ("/bounds/lin-devv", 404, "did you mean lin-dev"),
    ("/bounds/lin-dev?form=cubic", 400, "Valid choices: linear, log"),
    ("/bounds/lin-dev?fps=0", 400, "fps='0'"),
    ("/bounds/lin-dev?runtime=tensorrt", 400, "runtime='tensorrt'"),
    ("/bounds/lin-dev?max_mem_gb=1", 400, "unknown query parameter"),
    ("/grid/mem-dev?fps_levels=15,-30", 400, "fps_levels"),
    ("/plot/pie.svg?device=mem-dev", 404, "no plot kind"),
    ("/plot/accuracy-fps.svg", 400, "needs a device"),
    ("/plot/memory-params.svg?device=mem-dev", 400, "choose one"),
])
def test_errors_are_problems(client, url, status, needle):
    r = client.get(url)
    assert r.status_code == status and r.mimetype == "application/problem+json"
    assert needle in r.get_json()["detail"]


def test_pareto_and_grid(client):
    d = client.get("/pareto/mem-dev").get_json()
    assert [p["checkpoint"] for p in d["points"]] == ["n100.a", "n1.a"] and d["computed"] is True
    g = client.get("/grid/mem-dev?runtime=pytorch&mem_levels_gb=0.7,1.4&fps_levels=15").get_json()
    assert [c["best"]["checkpoint"] if c["best"] else None for c in g["cells"]] == [None, "n100.a"]
    assert "0.89 GB" in g["cells"][0]["reason"]  # rounded up, so following it works


def test_plot_svg(client):
    r = client.get("/plot/accuracy-fps.svg?device=mem-dev&min_fps=100")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.data[:2000]
    assert client.get("/plot/memory-params.svg?device=mem-dev&runtime=pytorch").status_code == 200


def test_documented_in_openapi(client):
    doc = client.get("/openapi.json").get_json()
    for path in ("/bounds/{device}", "/pareto/{device}", "/grid/{device}", "/plot/accuracy-fps.svg",
                 "/plot/density.svg", "/plot/accuracy-flops.svg", "/plot/memory-params.svg"):
        assert path in doc["paths"]
    # limits, strict and form are documented only where the endpoint takes them
    for kind in ("density", "accuracy-flops", "memory-params"):
        names = {p["name"] for p in doc["paths"][f"/plot/{kind}.svg"]["get"]["parameters"]}
        assert not names & {"min_fps", "max_mem_gb", "strict", "form"}, kind
    names = {p["name"] for p in doc["paths"]["/plot/accuracy-fps.svg"]["get"]["parameters"]}
    assert {"min_fps", "max_mem_gb", "strict", "form", "device"} <= names
    for name in ("BoundResponse", "ParetoResponse", "GridResponse"):
        assert name in doc["components"]["schemas"]
