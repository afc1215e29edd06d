"""The PyTorch backend: CPU, CUDA and Apple MPS; eager or ``torch.compile``; fp32/fp16/bf16/AMP; channels_last.

Follows Bianco et al. 2018's ``compute_inference_time.py``: ``cudnn.benchmark = True``,
``torch.randn`` input at the model's input size, forward passes under
``torch.no_grad()`` with ``torch.cuda.synchronize()`` around each timed run.
"""

from __future__ import annotations

import gc
from typing import Any

from ..errors import InvalidQuery
from .backend import Backend, BackendOptions, LoadedModel, MemoryReport, host_memory_report
from . import sysinfo

PRECISIONS = ("fp32", "fp16", "bf16", "amp-fp16", "amp-bf16")


def count_torch_module(module: Any, example: Any, autocast: Any = None) -> dict[str, Any]:
    """Parameters and FLOPs of one forward pass, counted by PyTorch's own ``FlopCounterMode``.

    Returns ``params`` (unique parameters), ``flops`` (total) and ``flops_conv``
    (convolution ops only, as Bianco 2018 counts). FLOPs = 2 x multiply-adds; bias
    additions and element-wise ops are not counted (the counter's convention).
    """
    import contextlib

    import torch
    from torch.utils.flop_counter import FlopCounterMode

    params = sum(p.numel() for p in {id(p): p for p in module.parameters()}.values())
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter, (autocast if autocast is not None else contextlib.nullcontext()):
        module(example)
    per_op = counter.get_flop_counts().get("Global", {})
    conv = sum(v for op, v in per_op.items() if "convolution" in str(op))
    return {"params": int(params), "flops": int(counter.get_total_flops()), "flops_conv": int(conv),
            "flops_by_op": {str(op): int(v) for op, v in per_op.items()}}


class TorchBackend(Backend):
    name = "torch"
    runtime = "pytorch"
    requires = ("torch",)
    install_hint = "pip install 'modelpick[measure]'   (pins torch==2.13.0, the CPU build this project tests with)"
    model_kinds = ("torch",)

    def __init__(self, options: BackendOptions):
        super().__init__(options)
        import torch

        self.torch = torch
        self.device = self.normalize_device(options.device)
        self._precision = options.precision or "fp32"
        if options.threads:
            torch.set_num_threads(options.threads)
        self.model: Any = None
        self.eager: Any = None
        self.input_size = 224
        self.channels = 3
        self.baseline_rss_mb: float | None = None
        self._dev_used_before_mb: float | None = None
        self._optimizer: Any = None
        self._labels: dict[int, Any] = {}

    # -- device ------------------------------------------------------------
    @staticmethod
    def normalize_device(device: str | None) -> str:
        d = (device or "cpu").strip().lower()
        return {"cuda": "cuda:0", "gpu": "cuda:0"}.get(d, d)

    @classmethod
    def planned_settings(cls, options: BackendOptions) -> dict[str, Any]:
        out: dict[str, Any] = {"execution": "compile" if options.compile else "eager",
                               "channels_last": bool(options.channels_last)}
        if options.compile and options.compile_mode:
            out["compile_mode"] = options.compile_mode
        if options.threads:
            out["threads"] = options.threads
        return out

    @classmethod
    def precisions(cls) -> list[str]:
        return list(PRECISIONS)

    @property
    def is_cuda(self) -> bool:
        return self.device.startswith("cuda")

    @property
    def precision(self) -> str:
        return self._precision

    def devices(self) -> list[str]:
        torch = self.torch
        out = ["cpu"]
        if torch.cuda.is_available():
            out += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            out.append("mps")
        return out

    def check_device(self) -> None:
        choices = self.devices()
        if self.device not in choices:
            raise InvalidQuery("device", self.options.device, "not available to the torch backend on this machine",
                               choices=choices)
        if self._precision not in PRECISIONS:
            raise InvalidQuery("precision", self._precision, "not a torch backend precision", choices=PRECISIONS)
        if self.options.compile_mode and not self.options.compile:
            raise InvalidQuery("compile_mode", self.options.compile_mode, "needs --compile")
        if self.options.extra:
            raise InvalidQuery("backend_option", ",".join(self.options.extra), "the torch backend takes no extra options",
                               choices=[])

    def begin(self) -> None:
        torch = self.torch
        if self.is_cuda:
            # Device memory before this process creates its CUDA context (NVML; creates no context).
            try:
                self._dev_used_before_mb = torch.cuda.device_memory_used(self.device) / 2**20
            except Exception:
                self._dev_used_before_mb = None
            torch.cuda.set_device(self.device)
            torch.backends.cudnn.benchmark = True  # as Bianco's script

    def describe(self) -> dict[str, Any]:
        torch = self.torch
        versions = {"torch": torch.__version__}
        out: dict[str, Any] = {"versions": versions}
        if self.is_cuda:
            props = torch.cuda.get_device_properties(self.device)
            versions["cuda"] = str(torch.version.cuda)
            versions["cudnn"] = str(torch.backends.cudnn.version())
            out.update(kind="gpu", name=props.name, memory_gb=round(props.total_memory / 2**30, 2),
                       accelerator=(f"{props.name}, {props.total_memory / 2**30:.1f} GB, compute capability "
                                    f"{props.major}.{props.minor}, {props.multi_processor_count} SMs"),
                       driver=sysinfo.nvidia_driver())
        elif self.device == "mps":
            out.update(kind="soc", name=sysinfo.cpu_model(), memory_gb=sysinfo.ram_gb(), accelerator="Apple MPS")
        else:
            out.update(kind="cpu", name=sysinfo.cpu_model(), memory_gb=sysinfo.ram_gb(), accelerator=None)
        out["threads"] = torch.get_num_threads()
        return out

    def settings(self) -> dict[str, Any]:
        out = self.planned_settings(self.options)
        if self.device == "cpu":
            out["threads"] = self.torch.get_num_threads()
        return out

    # -- running -----------------------------------------------------------
    def _dtype(self):
        torch = self.torch
        return {"fp16": torch.float16, "bf16": torch.bfloat16}.get(self._precision, torch.float32)

    def _autocast(self):
        if not self._precision.startswith("amp-"):
            return None
        torch = self.torch
        dtype = torch.float16 if self._precision == "amp-fp16" else torch.bfloat16
        return torch.autocast(device_type=self.device.split(":")[0], dtype=dtype)

    def load(self, model: LoadedModel, input_size: int) -> None:
        torch = self.torch
        module = model.obj
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"the torch backend needs a torch.nn.Module, got {type(module).__name__}")
        self.input_size, self.channels = input_size, model.channels
        module = module.eval().to(self.device)
        if self._precision in ("fp16", "bf16"):
            module = module.to(self._dtype())
        if self.options.channels_last:
            module = module.to(memory_format=torch.channels_last)
        self.eager = module
        self.model = torch.compile(module, mode=self.options.compile_mode, dynamic=False) if self.options.compile else module

    def make_inputs(self, batch_size: int) -> Any:
        torch = self.torch
        x = torch.randn(batch_size, self.channels, self.input_size, self.input_size, device=self.device,
                        dtype=self._dtype())
        if self.options.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def synchronize(self) -> None:
        if self.is_cuda:
            self.torch.cuda.synchronize(self.device)
        elif self.device == "mps":
            self.torch.mps.synchronize()

    def run_batch(self, inputs: Any) -> None:
        autocast = self._autocast()
        with self.torch.no_grad():
            if autocast is not None:
                with autocast:
                    self.model(inputs)
            else:
                self.model(inputs)
        self.synchronize()

    def train_step(self, inputs: Any) -> None:
        torch = self.torch
        model = self.model
        model.train()
        try:
            if self._optimizer is None:
                # Plain SGD keeps no state, so training leaves no buffers behind to skew later memory figures.
                self._optimizer = torch.optim.SGD(self.eager.parameters(), lr=1e-4)
            autocast = self._autocast()
            if autocast is not None:
                with autocast:
                    out = model(inputs)
            else:
                out = model(inputs)
            if isinstance(out, (tuple, list)):
                out = out[0]
            out = getattr(out, "logits", out)
            if out.ndim == 2:
                bs = inputs.shape[0]
                labels = self._labels.get(bs)
                if labels is None:
                    labels = self._labels[bs] = torch.randint(0, out.shape[1], (bs,), device=self.device)
                loss = torch.nn.functional.cross_entropy(out.float(), labels)
            else:
                loss = out.float().mean()
            loss.backward()
            self._optimizer.step()
            self._optimizer.zero_grad(set_to_none=True)
            self.synchronize()
        finally:
            model.eval()

    def reset_peak_memory(self) -> None:
        super().reset_peak_memory()
        gc.collect()
        if self.is_cuda:
            self.torch.cuda.empty_cache()
            self.torch.cuda.reset_peak_memory_stats(self.device)

    def memory(self) -> MemoryReport:
        torch = self.torch
        if not self.is_cuda and self.device != "mps":
            return host_memory_report(self.baseline_rss_mb)
        host = host_memory_report(self.baseline_rss_mb, main=False)
        details = dict(host.details_mb)
        if self.device == "mps":
            used = torch.mps.driver_allocated_memory() / 2**20
            details["mps_driver_allocated"] = round(used, 3)
            return MemoryReport(round(used, 3), "MPS driver-allocated memory of the process after the runs", details)
        alloc = torch.cuda.max_memory_allocated(self.device) / 2**20
        reserved = torch.cuda.max_memory_reserved(self.device) / 2**20
        details["cuda_peak_allocated"] = round(alloc, 3)
        details["cuda_peak_reserved"] = round(reserved, 3)
        try:
            used_now = torch.cuda.device_memory_used(self.device) / 2**20
        except Exception:
            used_now = None
        if used_now is not None and self._dev_used_before_mb is not None:
            incl = max(used_now - self._dev_used_before_mb, 0.0)
            details["cuda_device_used_incl_context"] = round(incl, 3)
            return MemoryReport(round(incl, 3), (
                "GPU memory used on the device (NVML) after this batch size's runs minus before this process "
                "created its CUDA context: CUDA context, cuDNN/cuBLAS handles and the PyTorch caching allocator, "
                "which keeps its peak reservation (Bianco 2018: used minus the empty-GPU baseline)"), details)
        return MemoryReport(round(reserved, 3), "CUDA peak memory reserved by the PyTorch caching allocator of the "
                            "process during the runs (weights, activations, workspaces; not the CUDA context)", details)

    def memory_method(self) -> str:
        """How memory is measured, for the source entry."""
        if self.is_cuda:
            return ("memory_mb: GPU used on the device (NVML, torch.cuda.device_memory_used) after each batch size's "
                    "runs minus before the process created its CUDA context, so it includes the context; falls back "
                    "to the allocator's peak reserved when NVML is unavailable. memory_details_mb: "
                    "cuda_peak_allocated and cuda_peak_reserved (torch.cuda.max_memory_allocated/reserved, reset "
                    "with empty_cache before each batch size), cuda_device_used_incl_context, host_peak_rss(_increase)")
        return ("memory_mb: CPU peak RSS increase: the kernel's peak resident set (VmHWM, reset per batch size via "
                "/proc/self/clear_refs) during warm-up and timed runs minus the RSS before the model was built. "
                "memory_details_mb: host_peak_rss_increase, host_peak_rss; train_* for the training step")

    def timing_method(self) -> str:
        sync = "torch.cuda.synchronize() before and after each run" if self.is_cuda else (
            "torch.mps.synchronize() before and after each run" if self.device == "mps" else "CPU runs are synchronous")
        compiled = (f"torch.compile(dynamic=False, mode={self.options.compile_mode!r}); compilation happens in the "
                    "warm-up runs" if self.options.compile else "eager")
        return (f"each run is one forward pass of the whole batch under torch.no_grad() ({compiled}) on a torch.randn "
                f"input already on the device; {sync}; cudnn.benchmark=True on CUDA; time.perf_counter")

    def is_out_of_memory(self, exc: BaseException) -> bool:
        oom = getattr(self.torch, "OutOfMemoryError", None) or getattr(self.torch.cuda, "OutOfMemoryError", None)
        if oom is not None and isinstance(exc, oom):
            return True
        return super().is_out_of_memory(exc)

    def after_failure(self) -> None:
        self._optimizer = None
        gc.collect()
        if self.is_cuda:
            self.torch.cuda.empty_cache()

    def count(self) -> dict[str, Any]:
        x = self.make_inputs(1)
        return count_torch_module(self.eager, x, self._autocast())
