"""Small torch models for the measurement tests, referenced as factories 'measure_models:NAME'."""

from __future__ import annotations

import os
import time

import torch
from torch import nn


class TinyCNN(nn.Module):
    """Two convolutions and a linear head: conv-only MACs differ from the total."""

    input_size = 32

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class TinyMLP(nn.Module):
    """No convolutions at all: conv-only MACs are zero. Declares its input as (C, H, W)."""

    input_size = (3, 16, 16)

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class FailsFromBatch8(TinyCNN):
    """Raises at batch size >= 8, as a model that breaks on large batches would."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] >= 8:
            raise RuntimeError(f"deliberate failure at batch size {x.shape[0]}")
        return super().forward(x)


class OomFromBatch4(TinyCNN):
    """Simulates running out of memory at batch size >= 4 (the message PyTorch's CPU allocator gives)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] >= 4:
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: "
                               "you tried to allocate 99999999999 bytes")
        return super().forward(x)


class CrashAtBatch2(TinyCNN):
    """Kills its own process at batch size >= 2, as a segfault or the kernel OOM killer would."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] >= 2:
            os._exit(139)
        return super().forward(x)


class Slow(TinyCNN):
    """Sleeps in every forward pass, so a run can be interrupted half way."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(float(os.environ.get("MODELPICK_TEST_SLEEP_S", "0.05")))
        return super().forward(x)


def tiny_cnn() -> nn.Module:
    return TinyCNN()


def tiny_mlp() -> nn.Module:
    return TinyMLP()


def fails_from_batch8() -> nn.Module:
    return FailsFromBatch8()


def oom_from_batch4() -> nn.Module:
    return OomFromBatch4()


def crash_at_batch2() -> nn.Module:
    return CrashAtBatch2()


def slow_cnn() -> nn.Module:
    return Slow()


def tiny_onnx(path: str) -> str:
    """Write a small ONNX classifier (conv -> relu -> global pool -> flatten -> gemm) with onnx.helper."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "conv_w")
    b = numpy_helper.from_array(np.zeros(8, np.float32), "conv_b")
    fc_w = numpy_helper.from_array(rng.standard_normal((10, 8)).astype(np.float32), "fc_w")
    fc_b = numpy_helper.from_array(np.zeros(10, np.float32), "fc_b")
    nodes = [
        helper.make_node("Conv", ["input", "conv_w", "conv_b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["p"]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["output"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_onnx",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 24, 24])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 10])],
        initializer=[w, b, fc_w, fc_b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path
