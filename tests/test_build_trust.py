"""Issue 9, build side: device memory capacities, GMACs at each row's input size, one id per device, family
defaults, the PaddleClas DPN precision decision, timm caveats and the build log's join count.

Checks on the committed data/benchmarks.yaml always run; checks against the raw tables need the public sources
(as in test_build_catalog.py); adapter checks build tiny tables in a temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.build_catalog.adapters.device_specs import DeviceSpecsAdapter  # noqa: E402
from scripts.build_catalog.context import BuildContext  # noqa: E402
from scripts.build_catalog.devices import devices  # noqa: E402
from tests.test_build_catalog import _csv, catalog, needs_sources  # noqa: E402


def _devices() -> dict[str, dict]:
    return {d["id"]: d for d in catalog()["devices"]}


def _sources() -> dict[str, dict]:
    return {s["id"]: s for s in catalog()["sources"]}


# ---------------------------------------------------------------------------
# section 2: device memory capacities


SPEC_DEVICES = {"rtx-3090": 24, "rtx-4090": 24, "rtx-5090": 32, "rtx-pro-6000-max-q": 96, "tesla-t4": 16,
                "titan-xp": 12, "jetson-tx1": 4}


def test_device_capacities_are_on_the_devices_with_their_page():
    devs, srcs = _devices(), _sources()
    for dev, gb in SPEC_DEVICES.items():
        d = devs[dev]
        assert d["memory_gb"] == gb, dev
        assert d["source"] in srcs, dev
    assert srcs[devs["rtx-4090"]["source"]]["published"]["url"].startswith("https://www.nvidia.com/")
    assert devs["jetson-tx1"]["source"] == "bianco2018-paper-text"


@needs_sources
def test_every_device_specs_row_lands_on_a_device():
    devs, srcs = _devices(), _sources()
    by_url = {s["published"].get("url"): s["id"] for s in srcs.values()}
    rows = _csv("device_specs.csv")
    assert len(rows) == len(SPEC_DEVICES)
    for r in rows:
        dev = next(d for d in devs.values() if r["device"] in d["aliases"])
        assert dev["memory_gb"] == float(r["memory_gb"])
        if r["source_url"].startswith("http"):
            assert by_url[r["source_url"]] == dev["source"]


SPECS_CSV = """device,memory_gb,memory_type,source_url,note
Big Card,24,GDDR6X,https://example.com/big,vendor page
Small Board,4,LPDDR4,seed 003 (Bianco et al. 2018) section II,stated in the text
"""


@pytest.fixture
def spec_ctx(tmp_path):
    data, sources, seeds = tmp_path / "data", tmp_path / "sources", tmp_path / "seeds"
    for p in (data, sources, seeds):
        p.mkdir()
    (data / "aliases.yaml").write_text(yaml.safe_dump({"timm_to_canonical": {}, "sources": {}}), encoding="utf-8")
    devmap = {"devices": [
        {"id": "big-card", "name": "Big Card", "kind": "gpu", "aliases": ["Big Card"]},
        {"id": "small-board", "name": "Small Board", "kind": "soc", "aliases": ["Small Board"]}]}
    (data / "devices_map.yaml").write_text(yaml.safe_dump(devmap), encoding="utf-8")
    (sources / "device_specs.csv").write_text(SPECS_CSV, encoding="utf-8")
    (seeds / "003_x.txt").write_text("an ARM A57 with 4GB\nLPDDR4 1600MHz memory", encoding="utf-8")
    return BuildContext(sources, seeds, data)


def test_device_specs_adapter_gives_each_page_a_source(spec_ctx):
    DeviceSpecsAdapter(spec_ctx).build()
    assert spec_ctx.device_memory == {"big-card": (24, "spec-big-card"),
                                      "small-board": (4, "bianco2018-paper-text")}
    assert spec_ctx.sources["spec-big-card"]["published"] == {"url": "https://example.com/big"}
    ms = [{"device": "big-card"}, {"device": "small-board"}]
    entries, omitted = devices(spec_ctx.mapping.devmap, ms, spec_ctx.device_memory)
    assert [(d["id"], d["memory_gb"], d["source"]) for d in entries] == [
        ("big-card", 24, "spec-big-card"), ("small-board", 4, "bianco2018-paper-text")]
    assert omitted == []


def test_device_specs_conflicting_with_devices_map_stop_the_build(spec_ctx):
    DeviceSpecsAdapter(spec_ctx).build()
    devmap = {"devices": [{"id": "big-card", "name": "Big Card", "kind": "gpu", "memory_gb": 16,
                           "memory_source": "other"}]}
    with pytest.raises(SystemExit, match="big-card"):
        devices(devmap, [{"device": "big-card"}], spec_ctx.device_memory)


def test_device_specs_row_citing_text_that_lacks_it_stops_the_build(spec_ctx):
    (spec_ctx.seeds_dir / "003_x.txt").write_text("no memory stated", encoding="utf-8")
    with pytest.raises(SystemExit, match="4GB LPDDR4"):
        DeviceSpecsAdapter(spec_ctx).build()
