"""suggest_probes on the embedded catalog offers cheap zoo networks a user can run (issue 20)."""

from __future__ import annotations

import pytest

import modelpick
from modelpick.errors import InvalidQuery
from modelpick.predict import PredictionError
from modelpick.predict.zoo import PROBE_MAX_GMACS, zoo_architectures


@pytest.fixture(scope="module")
def cat():
    return modelpick.load_catalog(use_env=False)


@pytest.mark.parametrize("runtime", [None, "pytorch", "ncnn", "tflite", "tensorrt", "qnn-dlc"])
def test_default_probes_are_small_zoo_networks(cat, runtime):
    picks = modelpick.suggest_probes(5, runtime=runtime, catalog=cat)
    zoo = zoo_architectures(cat)
    assert len(picks) == 5 == len(set(picks))
    for a in picks:
        arch = cat._m.architectures[a]
        assert arch.gmacs <= PROBE_MAX_GMACS, (a, arch.gmacs)
        assert a in zoo and not a.startswith("test_")


def test_pytorch_probes_are_torchvision_classics(cat):
    picks = modelpick.suggest_probes(5, runtime="pytorch", catalog=cat)
    # torchvision weights or ncnn benchmark models (tf_efficientnetv2_b0), never timm-only networks
    assert set(picks) <= zoo_architectures(cat)
    assert not {"aimv2_3b_patch14_448", "vit_pe_spatial_gigantic_patch14_448", "test_vit2"} & set(picks)


def test_max_gmacs_widens_and_among_is_honoured(cat):
    narrow = modelpick.suggest_probes(50, runtime="ncnn", catalog=cat)  # every candidate
    wide = modelpick.suggest_probes(50, runtime="ncnn", max_gmacs=50, catalog=cat)
    assert set(narrow) < set(wide) and any(cat._m.architectures[a].gmacs > PROBE_MAX_GMACS for a in wide)
    among = ["resnet18", "mobilenet_v2", "squeezenet1_1"]
    got = modelpick.suggest_probes(5, runtime="ncnn", among=among, catalog=cat)
    assert set(got) <= set(among) and len(got) == 3
    with pytest.raises(InvalidQuery, match="max_gmacs"):
        modelpick.suggest_probes(2, among=["vgg16"], catalog=cat)
    assert modelpick.suggest_probes(1, among=["vgg16"], max_gmacs=20, catalog=cat) == ["vgg16"]
    with pytest.raises(InvalidQuery, match="max_gmacs"):
        modelpick.suggest_probes(2, max_gmacs=0, catalog=cat)
    with pytest.raises(PredictionError, match="among"):
        modelpick.suggest_probes(2, runtime="ncnn", max_gmacs=0.001, catalog=cat)
