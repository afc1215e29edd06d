"""The ONNX Runtime backend: any execution provider the installed onnxruntime offers.

Runs ``.onnx`` files; torch models are exported first (TorchScript exporter,
dynamic batch axis). ``--device`` picks the execution provider: ``cpu``,
``cuda``, ``tensorrt``, ``openvino``... or a full provider name such as
``CoreMLExecutionProvider``.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from ..errors import InvalidQuery
from . import sysinfo
from .backend import Backend, BackendOptions, LoadedModel, MemoryReport, host_memory_report

_ELEM_PRECISION = {"tensor(float)": "fp32", "tensor(float16)": "fp16", "tensor(bfloat16)": "bf16",
                   "tensor(double)": "fp64", "tensor(uint8)": "uint8", "tensor(int8)": "int8"}
_GPU_PROVIDERS = ("CUDAExecutionProvider", "TensorrtExecutionProvider", "ROCMExecutionProvider",
                  "MIGraphXExecutionProvider", "DmlExecutionProvider", "NvTensorRTRTXExecutionProvider")
_NPU_PROVIDERS = ("QNNExecutionProvider", "NnapiExecutionProvider", "CoreMLExecutionProvider", "VitisAIExecutionProvider",
                  "RknpuExecutionProvider", "CANNExecutionProvider")


def provider_name(device: str | None, available: list[str]) -> str | None:
    """'cuda' -> 'CUDAExecutionProvider'; exact names are matched case-insensitively. None if not available."""
    want = (device or "cpu").strip().lower().removesuffix("executionprovider")
    for p in available:
        if p.lower().removesuffix("executionprovider") == want:
            return p
    return None


class OnnxRuntimeBackend(Backend):
    name = "onnxruntime"
    runtime = "onnxruntime"
    requires = ("onnxruntime",)
    install_hint = "pip install 'modelpick[measure]'   (or: pip install onnxruntime, or onnxruntime-gpu for CUDA)"
    model_kinds = ("onnx", "torch")

    def __init__(self, options: BackendOptions):
        super().__init__(options)
        import onnxruntime as ort

        self.ort = ort
        self.available = list(ort.get_available_providers())
        self.provider = provider_name(options.device, self.available)
        self.session: Any = None
        self.input_name = ""
        self.input_shape: list[Any] = []
        self.input_dtype: Any = None
        self.input_dtype_name: str | None = None
        self._precision = options.precision
        self.baseline_rss_mb: float | None = None
        self._counts: dict[str, Any] = {}
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self.input_size = 224
        self.channels = 3

    @classmethod
    def planned_settings(cls, options: BackendOptions) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if options.device:
            out["provider"] = options.device  # normalised to the full provider name in settings()
        if options.threads:
            out["threads"] = options.threads
        return out

    def devices(self) -> list[str]:
        return self.available

    def check_device(self) -> None:
        if self.provider is None:
            short = [p.removesuffix("ExecutionProvider").lower() for p in self.available]
            raise InvalidQuery("device", self.options.device, "not an execution provider of the installed onnxruntime",
                               choices=short + self.available)
        if self.options.compile or self.options.channels_last:
            bad = "compile" if self.options.compile else "channels_last"
            raise InvalidQuery(bad, True, "not an onnxruntime backend option (torch backend only)")
        unknown = set(self.options.extra) - {"graph_optimization_level"}
        if unknown:
            raise InvalidQuery("backend_option", ",".join(sorted(unknown)), "unknown onnxruntime option",
                               choices=["graph_optimization_level"])

    @property
    def is_cpu(self) -> bool:
        return self.provider == "CPUExecutionProvider"

    def describe(self) -> dict[str, Any]:
        versions = {"onnxruntime": self.ort.__version__}
        try:
            import onnx

            versions["onnx"] = onnx.__version__
        except ImportError:
            pass
        out: dict[str, Any] = {"versions": versions, "provider": self.provider, "providers": self.available}
        if self.provider in _GPU_PROVIDERS:
            out.update(kind="gpu", name=self._gpu_name() or self.provider, memory_gb=None,
                       accelerator=f"{self._gpu_name() or 'GPU'} via {self.provider}", driver=sysinfo.nvidia_driver())
        elif self.provider in _NPU_PROVIDERS:
            out.update(kind="npu", name=f"{sysinfo.board_model() or sysinfo.cpu_model()} ({self.provider})",
                       memory_gb=sysinfo.ram_gb(), accelerator=self.provider)
        else:
            out.update(kind="cpu", name=sysinfo.cpu_model(), memory_gb=sysinfo.ram_gb(), accelerator=None)
        return out

    @staticmethod
    def _gpu_name() -> str | None:
        import shutil
        import subprocess

        if not shutil.which("nvidia-smi"):
            return None
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                                 text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        lines = out.stdout.strip().splitlines()
        return lines[0].strip() if out.returncode == 0 and lines else None

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {"provider": self.provider}
        if self.is_cpu:
            out["threads"] = self.options.threads or 0  # 0 = onnxruntime's default (one per physical core)
        return out

    @property
    def precision(self) -> str:
        return self._precision or _ELEM_PRECISION.get(str(self.input_dtype_name), "fp32")

    # -- running -----------------------------------------------------------
    def _export(self, model: LoadedModel, input_size: int) -> str:
        import torch

        from .torch_backend import count_torch_module

        module = model.obj.eval()
        example = torch.randn(1, model.channels, input_size, input_size)
        self._counts = count_torch_module(module, example)
        self._tmpdir = tempfile.TemporaryDirectory(prefix="modelpick-onnx-")
        path = os.path.join(self._tmpdir.name, "model.onnx")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's deprecation notice is not the user's concern
            torch.onnx.export(module, (example,), path, dynamo=False, input_names=["input"], output_names=["output"],
                              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=17)
        return path

    def load(self, model: LoadedModel, input_size: int) -> None:
        ort = self.ort
        self.input_size, self.channels = input_size, model.channels
        path = self._export(model, input_size) if model.kind == "torch" else str(model.obj)
        opts = ort.SessionOptions()
        if self.options.threads:
            opts.intra_op_num_threads = int(self.options.threads)
        level = str(self.options.extra.get("graph_optimization_level", "all")).lower()
        levels = {"disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL, "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                  "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED, "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL}
        if level not in levels:
            raise InvalidQuery("graph_optimization_level", level, "unknown level", choices=levels)
        opts.graph_optimization_level = levels[level]
        self.session = ort.InferenceSession(path, sess_options=opts, providers=[self.provider])
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            raise ValueError(f"the model has {len(inputs)} inputs ({', '.join(i.name for i in inputs)}); "
                             "modelpick measures single-input image classifiers")
        self.input_name, self.input_shape = inputs[0].name, list(inputs[0].shape)
        self.input_dtype_name = inputs[0].type
        import numpy as np

        self.input_dtype = {"tensor(float)": np.float32, "tensor(float16)": np.float16,
                            "tensor(double)": np.float64}.get(inputs[0].type)
        if self.input_dtype is None:
            raise ValueError(f"input {self.input_name!r} has type {inputs[0].type}; modelpick feeds float images")
        if not self._counts and model.kind == "onnx":
            self._counts = self._count_initializers(path)

    @staticmethod
    def _count_initializers(path: str) -> dict[str, Any]:
        try:
            import onnx
        except ImportError:
            return {}
        graph = onnx.load(path, load_external_data=False).graph
        total = 0
        for init in graph.initializer:
            if init.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.BFLOAT16,
                                  onnx.TensorProto.DOUBLE, onnx.TensorProto.INT8, onnx.TensorProto.UINT8):
                n = 1
                for d in init.dims:
                    n *= d
                total += n
        return {"params": total, "params_method": "elements of the ONNX file's weight initializers"}

    def make_inputs(self, batch_size: int) -> Any:
        import numpy as np

        shape = []
        for i, dim in enumerate(self.input_shape):
            if i == 0:
                if isinstance(dim, int) and dim != batch_size:
                    raise ValueError(f"the ONNX model has a fixed batch size of {dim}; batch size {batch_size} cannot run "
                                     "(export it with a dynamic batch axis)")
                shape.append(batch_size)
            elif isinstance(dim, int) and dim > 0:
                shape.append(dim)
            else:
                shape.append(self.channels if i == 1 else self.input_size)
        rng = np.random.default_rng(0)
        return rng.standard_normal(shape, dtype=np.float32).astype(self.input_dtype, copy=False)

    def run_batch(self, inputs: Any) -> None:
        # run() returns host arrays, so it returns only after the provider finished.
        self.session.run(None, {self.input_name: inputs})

    def memory(self) -> MemoryReport:
        report = host_memory_report(self.baseline_rss_mb, main=self.is_cpu)
        return report

    def memory_method(self) -> str:
        if self.is_cpu:
            return ("memory_mb: CPU peak RSS increase: the kernel's peak resident set (VmHWM, reset per batch size via "
                    "/proc/self/clear_refs) during warm-up and timed runs minus the RSS before the session was created")
        return (f"not measured on {self.provider}: device memory of execution providers is not reported by "
                "onnxruntime; memory_details_mb has the host RSS only")

    def timing_method(self) -> str:
        copies = "" if self.is_cpu else "; it includes copying the input to the device and the output back"
        return (f"each run is one InferenceSession.run() of the whole batch on {self.provider} with a numpy "
                f"standard-normal input; run() returns host arrays, so it is synchronous{copies}; time.perf_counter")

    def count(self) -> dict[str, Any]:
        return dict(self._counts)

    def close(self) -> None:
        self.session = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
