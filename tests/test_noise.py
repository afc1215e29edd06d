"""Issue 21, noise in the answers: one checkpoint for the same weights under two names, one row per architecture
by default in the library and REST lists, and no empty trade-off lines ("for +0.00 top-1 ...")."""

from __future__ import annotations

import json

import pytest
import yaml

from modelpick import CatalogError, load_catalog
from modelpick.cli import main as cli_main

SRC = "fixture"
TV, TIMM = "torchvision/Net_Weights.IMAGENET1K_V2", "timm/net.tv2_in1k:224"


def _doc(checkpoints, measurements=None):
    return {
        "schema_version": 1,
        "sources": [{"id": SRC, "title": "noise fixture", "published": {"url": "https://example.invalid/n"}}],
        "devices": [{"id": "board-n", "name": "Board N", "kind": "cpu"}],
        "architectures": [
            {"id": "net", "family": "toy", "input_size": 224, "params_m": 20.0, "gmacs": 4.0,
             "sources": {"params_m": SRC, "gmacs": SRC}},
            {"id": "tiny", "family": "toy", "input_size": 224, "params_m": 2.0, "gmacs": 0.3,
             "sources": {"params_m": SRC, "gmacs": SRC}},
        ],
        "checkpoints": checkpoints,
        "measurements": measurements or [
            {"architecture": "net", "input_size": 224, "device": "board-n", "runtime": "onnxruntime",
             "precision": "fp32", "batch_size": 1, "latency_ms": 40.0, "source": SRC},
            {"architecture": "net", "input_size": 224, "device": "board-n", "runtime": "ncnn",
             "precision": "fp32", "batch_size": 1, "latency_ms": 20.0, "source": SRC},
            {"architecture": "tiny", "input_size": 224, "device": "board-n", "runtime": "onnxruntime",
             "precision": "fp32", "batch_size": 1, "latency_ms": 5.0, "source": SRC},
        ],
    }


def _ck(cid, arch, top1, **extra):
    return {"id": cid, "architecture": arch, "source": SRC, "top1": top1, "input_size": 224, **extra}


def _write(tmp_path, doc, name="noise.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture()
def twins(tmp_path):
    path = _write(tmp_path, _doc([_ck(TV, "net", 80.858), _ck(TIMM, "net", 80.846, same_weights_as=TV),
                                  _ck("tiny.a", "tiny", 70.0)]))
    return load_catalog(path, embedded=False, use_env=False), path


def test_same_weights_under_two_names_show_as_one_checkpoint_naming_both(twins, capsys):
    cat, path = twins
    recs = cat.recommend("board-n", limit=50, per_architecture=False)
    names = [r.checkpoint for r in recs]
    assert names == [TV, "tiny.a"]  # once, never under the copy's name
    assert all(r.also_named == [TIMM] for r in recs if r.checkpoint == TV)
    assert recs[0].to_dict()["also_named"] == [TIMM]
    tiny = next(r for r in recs if r.checkpoint == "tiny.a")
    assert tiny.also_named == [] and "also_named" not in tiny.to_dict()  # left out where there is none
    assert "2 feasible checkpoint(s)" in cat.best("board-n").why[0]  # the copy is not a candidate of its own
    # REST answers name both, as the library's to_dict does
    from service import create_app

    body = create_app({"MODELPICK_CATALOG": cat}).test_client().get(
        "/recommend?device=board-n&per_architecture=false").get_json()
    assert body["best"] == recs[0].to_dict() | {"why": body["best"]["why"]}
    assert body["best"]["also_named"] == [TIMM] and "also_named" not in body["alternatives"][-1]
    # the CLI card and table say it in words
    assert cli_main(["best", "--data", str(path), "--device", "board-n"]) == 0
    assert f"{TV}  (same weights as {TIMM})" in capsys.readouterr().out
    assert cli_main(["recommend", "--data", str(path), "--device", "board-n"]) == 0
    assert f"= {TV}: the same weights as {TIMM} (shown once)" in capsys.readouterr().out


@pytest.mark.parametrize("target, what", [("nope/x", "unknown checkpoint"), ("tiny.a", "differs in architecture")])
def test_same_weights_as_must_name_a_primary_of_the_same_cell(tmp_path, target, what):
    path = _write(tmp_path, _doc([_ck(TV, "net", 80.9), _ck(TIMM, "net", 80.8, same_weights_as=target),
                                  _ck("tiny.a", "tiny", 70.0)]))
    with pytest.raises(CatalogError, match=what):
        load_catalog(path, embedded=False, use_env=False)


def test_embedded_table_links_timms_tv2_copies_to_torchvisions_v2_weights(full_catalog):
    every_copy = {c.id: c.same_weights_as for c in full_catalog.checkpoints() if c.same_weights_as}
    # other sources' copies (a README's own checkpoint of weights timm hosts) point at timm; these are timm's
    copies = {k: v for k, v in every_copy.items() if k.startswith("timm/")}
    assert copies["timm/resnet50.tv2_in1k:224"] == "torchvision/ResNet50_Weights.IMAGENET1K_V2"
    assert len(copies) == 7 and all(k.endswith(".tv2_in1k:224") for k in copies)
    # the Core ML READMEs' checkpoints point at timm's copy of their weights, the CoreML Model Zoo's converted files
    # at the torchvision or Keras weights they were converted from
    assert all(v.startswith(("timm/", "torchvision/", "keras/")) for k, v in every_copy.items() if k not in copies)
    assert all(v.startswith("timm/") for k, v in every_copy.items()
               if k not in copies and not k.startswith("coreml-model-zoo/"))
    assert "timm/resnet50.tv2_in1k:176" not in copies  # another input size: its own cell
    recs = full_catalog.recommend("jetson-nano", limit=1000, per_architecture=False)
    assert not {r.checkpoint for r in recs} & set(copies)
    v2 = [r for r in recs if r.checkpoint == "torchvision/ResNet50_Weights.IMAGENET1K_V2"]
    assert v2 and all(r.also_named == ["timm/resnet50.tv2_in1k:224"] for r in v2)


def test_recommend_lists_one_row_per_architecture_by_default_in_library_and_rest(twins):
    import modelpick
    from service import create_app

    cat, _ = twins
    assert [r.checkpoint for r in cat.recommend("board-n")] == [TV, "tiny.a"]
    assert cat.recommend("board-n")[0].why[0].startswith("highest top-1 of 2 feasible architecture(s)")
    client = create_app({"MODELPICK_CATALOG": cat}).test_client()
    body = client.get("/recommend?device=board-n").get_json()
    assert [r["checkpoint"] for r in [body["best"], *body["alternatives"]]] == [TV, "tiny.a"]
    assert body["query"]["per_architecture"] is True
    every = client.get("/recommend?device=board-n&per_architecture=false").get_json()
    assert len(every["alternatives"]) == 1 and len(cat.recommend("board-n", per_architecture=False)) == 2
    spec = client.get("/openapi.json").get_json()
    param = next(p for p in spec["paths"]["/recommend"]["get"]["parameters"] if p["name"] == "per_architecture")
    assert param["schema"]["default"] is True
    # the library's module-level function and the REST client default the same way
    import inspect

    from modelpick.client import Client as ClientCls

    assert inspect.signature(modelpick.recommend).parameters["per_architecture"].default is True
    assert inspect.signature(ClientCls.recommend).parameters["per_architecture"].default is True
    assert ClientCls._query_params("board-n", per_architecture=True) == {"device": "board-n"}
    assert ClientCls._query_params("board-n", per_architecture=False)["per_architecture"] == "false"
    # best() answers are unchanged: one answer, whose why counts checkpoints
    assert "feasible checkpoint(s)" in cat.best("board-n").why[0]


def test_no_trade_off_line_for_a_gain_that_prints_as_zero(tmp_path):
    doc = _doc([_ck("net.a", "net", 80.004, input_size=256), _ck("net.b", "net", 80.0), _ck("tiny.a", "tiny", 70.0)],
               [{"architecture": "net", "input_size": 256, "device": "board-n", "runtime": "onnxruntime",
                 "precision": "fp32", "batch_size": 1, "latency_ms": 100.0, "source": SRC},
                {"architecture": "net", "input_size": 224, "device": "board-n", "runtime": "onnxruntime",
                 "precision": "fp32", "batch_size": 1, "latency_ms": 40.0, "source": SRC},
                {"architecture": "tiny", "input_size": 224, "device": "board-n", "runtime": "onnxruntime",
                 "precision": "fp32", "batch_size": 1, "latency_ms": 5.0, "source": SRC}])
    cat = load_catalog(_write(tmp_path, doc), embedded=False, use_env=False)
    # net.b (80.00 % at 25 FPS) wins at >= 20 FPS; the only more accurate one, net.a, is +0.004 at 10 FPS
    rec = cat.best("board-n", min_fps=20)
    assert rec.checkpoint == "net.b"
    assert not any(line.startswith("for +") for line in rec.why), rec.why
    rec = cat.best("board-n", min_fps=100)
    assert rec.checkpoint == "tiny.a"
    lines = [line for line in rec.why if line.startswith("for +")]
    assert lines and lines[0].startswith("for +10.00 top-1 (net.b, 80.00%)"), rec.why  # a real step still shows
