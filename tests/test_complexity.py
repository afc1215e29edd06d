"""He & Sun conv time complexity (modelpick.complexity)."""

from __future__ import annotations

import pytest

from modelpick import InvalidQuery
from modelpick.complexity import ConvLayer, conv_time, output_size


def test_seed_004_single_filter_hand_count():
    # one 3x3 filter over a 100x100 single-channel image, stride 1, no padding -> 98 x 98 outputs,
    # each 9 multiplies + 8 adds = 17 operations: 98 * 98 * 17 = 163,268 FLOPs
    r = conv_time([ConvLayer.from_input(1, 1, 3, 100)])
    assert r.layers[0].output_size == 98
    assert r.macs == 98 * 98 * 9 == 86_436
    assert r.flops_no_bias == 98 * 98 * 17 == 163_268
    assert r.flops == 2 * r.macs == 172_872  # the 2 x MACs convention (= 9 mults + 9 adds incl. a bias)


def test_vgg_first_two_convs_on_224():
    # VGG conv1_1: 3 -> 64, 3x3, padding 1 keeps 224x224: 3*9*64*224^2 = 86.7 M MACs ~ 0.17 GFLOPs
    first = conv_time([ConvLayer.from_input(3, 64, 3, 224, padding=1)])
    assert first.macs == 3 * 9 * 64 * 224 * 224 == 86_704_128
    assert first.gflops == pytest.approx(0.1734, abs=1e-4)
    assert first.flops_no_bias / 1e9 == pytest.approx(0.1702, abs=1e-4)
    # conv1_2: 64 -> 64: 64*9*64*224^2 = 1.85 G MACs ~ 3.7 GFLOPs, ~ (64/3) x the first, as seed 004 says
    second = conv_time([(64, 64, 3, 224)])
    assert second.macs == 64 * 9 * 64 * 224 * 224
    assert second.gflops == pytest.approx(3.70, abs=0.01)
    assert second.macs / first.macs == pytest.approx(64 / 3)
    both = conv_time([ConvLayer.from_input(3, 64, 3, 224, padding=1), (64, 64, 3, 224)])
    assert both.macs == first.macs + second.macs
    assert [layer["macs"] for layer in both.per_layer()] == [first.macs, second.macs]


def test_he_sun_formula_and_groups():
    # sum n_{l-1} s^2 n_l m^2 over layers; a depthwise conv (groups = channels) costs channels * s^2 * m^2
    r = conv_time([{"in_channels": 16, "out_channels": 32, "kernel_size": 5, "output_size": 7},
                   {"in_channels": 32, "out_channels": 32, "kernel_size": 3, "output_size": 7, "groups": 32}])
    assert r.macs == 16 * 25 * 32 * 49 + 32 * 9 * 49
    d = r.to_dict()
    assert d["computed"] is True and "He & Sun" in d["method"] and d["gmacs"] == pytest.approx(r.macs / 1e9)


def test_output_size():
    assert output_size(224, 7, stride=2, padding=3) == 112  # ResNet stem
    assert output_size(224, 3, padding=1) == 224
    assert output_size(5, 3, dilation=2) == 1


@pytest.mark.parametrize("layers,match", [
    ([], "at least one"),
    ([(3, 64, 0, 224)], "kernel_size"),
    ([(3, 64, 3, 224, 2)], "groups"),
    ([{"in_channels": 3, "out_channels": 64, "kernel": 3, "output_size": 8}], "unknown layer field.*kernel_size"),
    ([{"in_channels": 3, "out_channels": 64, "output_size": 8}], "missing kernel_size"),
    (["conv3x3"], "expected a ConvLayer"),
    ([(3.5, 64, 3, 224)], "in_channels"),
])
def test_bad_layers_are_named(layers, match):
    with pytest.raises(InvalidQuery, match=match):
        conv_time(layers)


def test_filter_larger_than_input():
    with pytest.raises(InvalidQuery, match="does not fit a 2px input"):
        ConvLayer.from_input(1, 1, 3, 2)
