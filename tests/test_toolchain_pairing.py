"""No quantized latency in the curated catalog is joined with a float accuracy or with another toolchain's accuracy.

Checked over every joined candidate of the embedded table (the columns the solver answers from), and over the
answers of the devices whose fast runtime is quantized (Hailo's HailoRT, Coral's Edge TPU, Qualcomm's NPU).
"""

from __future__ import annotations

import pytest

from modelpick.catalog import QUANTIZED_PRECISIONS, load_table


@pytest.fixture(scope="module")
def table():
    return load_table(use_env=False)


def test_every_quantized_candidate_carries_its_own_toolchains_quantized_accuracy(table):
    cols, strings = table.columns, table.strings
    ckpt_ids = strings["checkpoint"]
    quantized = float_ = 0
    for i in range(len(cols["checkpoint"])):
        m = table.measurements[int(cols["measurement"][i])]
        c = table.checkpoints[ckpt_ids[int(cols["checkpoint"][i])]]
        where = f"{c.id} x {m['source']} {m['device']} {m['architecture']} {m['precision']}"
        if m["precision"] in QUANTIZED_PRECISIONS:
            quantized += 1
            assert c.precision in QUANTIZED_PRECISIONS, f"float accuracy on a quantized run: {where}"
            assert table.sources[c.source].toolchain_id == table.sources[m["source"]].toolchain_id, (
                f"accuracy from another toolchain on a quantized run: {where}")
        else:
            float_ += 1
            assert c.precision not in QUANTIZED_PRECISIONS, f"quantized accuracy on a float run: {where}"
    assert quantized > 0 and float_ > 0  # the table has both kinds, so the loop checked something


@pytest.mark.parametrize("device", ["hailo-8", "hailo-8l", "hailo-10h", "hailo-15h", "hailo-15l"])
def test_hailo_answers_with_its_own_chips_hardware_accuracy(full_catalog, table, device):
    r = full_catalog.best(device, min_fps=30)
    assert r.runtime == "hailort" and r.precision == "int8"
    chip = device.replace("-", "")
    # the hardware accuracy of the same chip's table (its HEF), never the float model's
    assert r.checkpoint.endswith(":" + chip) and table.checkpoints[r.checkpoint].precision == "int8", r.checkpoint
    assert r.sources["accuracy"] == r.sources["latency"] == f"hailo-model-zoo-{chip}"


@pytest.mark.parametrize("precision", ["w8a8", "w8a16"])
def test_galaxy_s24_quantized_runs_answer_with_ai_hubs_own_quantized_accuracy(full_catalog, table, precision):
    r = full_catalog.best("samsung-galaxy-s24", precision=precision)
    assert r.precision == precision and r.sources["latency"] == "qualcomm-aihub"
    ck = table.checkpoints[r.checkpoint]
    assert ck.precision == precision and table.sources[ck.source].toolchain_id == "qualcomm-aihub"
    assert "1000 ImageNet val images" in ck.name  # the subset size is in the name the answer shows


@pytest.mark.parametrize("device", ["coral-dev-board", "coral-usb-accelerator"])
def test_coral_answers_with_the_edge_tpu_models_top1(full_catalog, table, device):
    r = full_catalog.best(device, min_fps=30)
    assert (r.runtime, r.precision) == ("edgetpu", "int8") and r.sources == {
        "accuracy": "coral-models", "latency": "coral-edgetpu", "memory": None}
    assert table.sources["coral-models"].toolchain_id == table.sources["coral-edgetpu"].toolchain_id
