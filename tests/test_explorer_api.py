"""The explorer's page files and its two endpoints (/coverage, /candidates) through Flask's test client.

The browser tests (tests/test_explorer.py) drive the page itself; these check what it is given.
"""

from __future__ import annotations

import gzip
import json
import re

from conftest import FIXTURES

from modelpick import bounds
from service import create_app
from service.explorer import ASSETS, PAGE_CSP

MINI = str(FIXTURES / "mini.yaml")


def test_page_and_files_are_served_from_this_origin_only(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert r.headers["Content-Security-Policy"] == PAGE_CSP
    html = r.get_data(as_text=True)
    assert "{{version}}" not in html and "http://" not in html and "https://" not in html
    for name, mime in ASSETS.items():
        resp = client.get(f"/explorer/{name}?v=1")
        assert resp.status_code == 200 and resp.mimetype == mime, name
        assert f"explorer/{name}?v=" in html
    # the page's query string is its own state: any is accepted
    assert client.get("/?device=nope&whatever=1").status_code == 200


def test_files_are_gzipped_and_revalidate(client):
    plain = client.get("/explorer/explorer.js")
    packed = client.get("/explorer/explorer.js", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    etag = packed.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/explorer/explorer.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""


def test_unknown_files_are_not_found(client):
    for url in ("/explorer/index.html", "/explorer/nope.js", "/explorer/..%2f__init__.py", "/explorer/../__init__.py"):
        r = client.get(url)
        assert r.status_code == 404 and r.mimetype == "application/problem+json", url
    assert client.get("/explorer/explorer.js?x=1").status_code == 400


def test_coverage_lists_every_device_with_what_was_measured(client, mini_catalog):
    body = client.get("/coverage").get_json()
    assert [d["id"] for d in body["devices"]] == [d.id for d in mini_catalog.devices()]
    assert body["device_families"] == mini_catalog.device_families
    for d in body["devices"]:
        assert d["runtimes"] == (mini_catalog.runtimes(d["id"]) if d["checkpoints_any_batch"] else [])
        _, any_batch = bounds.candidates(d["id"], batch_size=None, catalog=mini_catalog)
        _, batch1 = bounds.candidates(d["id"], batch_size=1, catalog=mini_catalog)
        assert (d["checkpoints_any_batch"], d["checkpoints_batch1"]) == (len(any_batch), len(batch1)), d["id"]
    assert client.get("/coverage?q=x").status_code == 400


def test_candidates_rank_exactly_as_recommend(client, mini_catalog):
    query = "device=board&min_fps=20"
    cands = client.get("/candidates?" + query).get_json()
    # the chart ranks every checkpoint; its best is /recommend's (whose why counts architectures by default)
    assert cands["best"] == client.get("/recommend?" + query).get_json()["best"]
    rec = client.get("/recommend?" + query + "&limit=1000&per_architecture=false").get_json()
    assert cands["best"]["checkpoint"] == rec["best"]["checkpoint"]
    ranked = sorted((p for p in cands["points"] if p["rank"] is not None), key=lambda p: p["rank"])
    assert [p["checkpoint"] for p in ranked] == [r["checkpoint"] for r in [rec["best"], *rec["alternatives"]]]
    assert cands["n_feasible"] == len(ranked) and cands["problem"] is None
    # one point per checkpoint of the selection, as the bound and front count them
    _, points = bounds.candidates("board", catalog=mini_catalog)
    assert sorted(p["checkpoint"] for p in cands["points"]) == sorted(p.checkpoint for p in points)
    assert cands["n_candidates"] == len(points)
    front = bounds.pareto("board", catalog=mini_catalog)
    assert [f["checkpoint"] for f in cands["pareto"]] == [p.checkpoint for p in front.points]
    assert set(cands["sources"]) == {s for p in cands["points"] for s in p["sources"].values() if s}


def test_candidates_carry_the_diagnosis_when_nothing_fits(client):
    query = "device=board&min_fps=1000"
    cands = client.get("/candidates?" + query)
    assert cands.status_code == 200
    body = cands.get_json()
    rec = client.get("/recommend?" + query)
    assert rec.status_code == 422
    expected = rec.get_json()
    assert body["best"] is None and body["n_feasible"] == 0
    assert body["problem"] == expected
    assert all(p["rank"] is None for p in body["points"]) and body["points"]


def test_candidates_validate_like_recommend(client):
    for query in ("device=nope", "device=board&max_mem=1", "device=board&min_fps=-1"):
        a, b = client.get("/candidates?" + query), client.get("/recommend?" + query)
        assert a.status_code == b.status_code == 400, query
        assert a.get_json()["errors"] == b.get_json()["errors"]


def test_candidates_are_gzipped_cached_and_revalidate(client):
    r = client.get("/candidates?device=board", headers={"Accept-Encoding": "gzip"})
    body = json.loads(gzip.decompress(r.get_data()))
    assert body == client.get("/candidates?device=board").get_json()
    assert r.headers["ETag"].startswith('W/"')
    assert client.get("/candidates?device=board", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_openapi_documents_the_explorer(client):
    doc = client.get("/openapi.json").get_json()
    for path in ("/", "/explorer/{name}", "/coverage", "/candidates"):
        assert path in doc["paths"], path
    names = {p["name"] for p in doc["paths"]["/candidates"]["get"]["parameters"]}
    assert names == {p["name"] for p in doc["paths"]["/recommend"]["get"]["parameters"]}
    assert {"CandidatesResponse", "CoverageResponse"} <= set(doc["components"]["schemas"])


def test_rate_limit_applies_to_candidates_only_with_estimates():
    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [MINI], "MODELPICK_RATE_LIMIT": "1 per minute"})
    client = app.test_client()
    for fps in range(1, 6):  # the page's everyday requests are never limited
        assert client.get(f"/candidates?device=board-a&min_fps={fps}").status_code == 200
    first = client.get("/candidates?device=board-a&estimates=include")
    assert first.status_code == 200
    assert client.get("/candidates?device=board-a&estimates=include").status_code == 200  # cached: not counted
    limited = client.get("/candidates?device=board-a&estimates=include&min_fps=1")
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"


def test_script_modules_are_served_as_javascript_under_one_versioned_url(client):
    """The page's script is ES modules: each is served with a JavaScript media type (a browser runs no module
    served as anything else), every import names another served module under the page's version, and the page
    preloads each under that same URL (a module fetched under two URLs would run twice)."""
    from service.explorer import MODULES, STATIC_DIR

    assert sorted(p.name for p in STATIC_DIR.glob("*.js")) == sorted(MODULES)
    html = client.get("/").get_data(as_text=True)
    version = re.search(r'<script type="module" src="explorer/explorer\.js\?v=(\w+)"></script>', html).group(1)
    preloaded = set(re.findall(r'<link rel="modulepreload" href="explorer/([\w.]+)\?v=' + version + '">', html))
    assert preloaded == set(MODULES) - {"explorer.js"}
    imported = set()
    for name in MODULES:
        r = client.get(f"/explorer/{name}?v={version}")
        assert r.status_code == 200 and r.mimetype == "text/javascript", name
        assert r.headers["Cache-Control"] == "public, max-age=86400"
        text = r.get_data(as_text=True)
        assert "{{version}}" not in text, name
        specs = re.findall(r'^import \{[^}]*\} from "([^"]+)";$', text, re.M)
        assert len(specs) == text.count("import "), name  # every import is one static, named import
        for spec in specs:
            target = re.fullmatch(r"\./([\w.]+)\?v=" + version, spec)
            assert target and target.group(1) in MODULES, (name, spec)
            imported.add(target.group(1))
    assert imported == set(MODULES) - {"explorer.js"}  # no module is left out of the page


def test_candidates_answer_the_queried_task(full_catalog):
    """Issue 18: /candidates takes task= as /recommend does: the points, the front and the bound are the task's,
    each point carries its score, and the body names the metric (from the task registry) the page labels with."""
    from modelpick.tasks import get_task, tasks

    client = create_app({"MODELPICK_EMBEDDED": True}).test_client()
    query = "device=jetson-orin-nx&min_fps=60&task=detection"
    body = client.get("/candidates?" + query).get_json()
    assert body["best"] == client.get("/recommend?" + query).get_json()["best"]
    det = get_task("detection")
    assert body["metric"] == {"id": det.metric, "label": det.label, "description": det.description}
    _, points = bounds.candidates("jetson-orin-nx", task="detection", catalog=full_catalog)
    assert sorted(p["checkpoint"] for p in body["points"]) == sorted(p.checkpoint for p in points)
    assert all(p["top1"] is None and 0 < p["score"] <= 100 for p in body["points"])
    front = bounds.pareto("jetson-orin-nx", task="detection", catalog=full_catalog)
    assert [(f["checkpoint"], f["score"]) for f in body["pareto"]] == [(p.checkpoint, p.score) for p in front.points]
    # a classification point's score is its top-1
    cls = client.get("/candidates?device=jetson-orin-nx").get_json()
    assert cls["metric"]["id"] == "imagenet-top1" and all(p["score"] == p["top1"] for p in cls["points"])
    # the page's task switch lists the registry's tasks, each with its metric label and limit parameter
    page = client.get("/").get_data(as_text=True)
    for t in tasks():
        assert f'value="{t.id}" data-label="{t.label}"' in page
    assert 'data-limit="min_top1"' in page and 'data-limit="min_score"' in page


def test_coverage_counts_each_tasks_candidates(full_catalog):
    """The suggestions' counts are the page's task's: jetson-orin-nx has 1 classifier at batch 1 but 5 detectors;
    before, one count mixed both tasks (6 at batch 1)."""
    client = create_app({"MODELPICK_EMBEDDED": True}).test_client()
    devices = {d["id"]: d for d in client.get("/coverage").get_json()["devices"]}
    for dev in ("jetson-orin-nx", "raspberry-pi-5", "jetson-nano", "rtx-4090"):
        d = devices[dev]
        for task in ("classification", "detection"):
            one = len(bounds.candidates(dev, task=task, catalog=full_catalog)[1])
            any_batch = len(bounds.candidates(dev, task=task, batch_size=None, catalog=full_catalog)[1])
            assert d["tasks"].get(task, [0, 0]) == [one, any_batch], (dev, task)
        assert [d["checkpoints_batch1"], d["checkpoints_any_batch"]] == d["tasks"].get("classification", [0, 0])
    assert devices["jetson-orin-nx"]["tasks"]["detection"][0] > devices["jetson-orin-nx"]["checkpoints_batch1"]
