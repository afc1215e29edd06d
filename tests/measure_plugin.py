"""A third-party-style backend for the plugin-discovery test: pure Python, no framework."""

from __future__ import annotations

from typing import Any

from modelpick.measure import Backend, LoadedModel, MemoryReport
from modelpick.measure.backend import host_memory_report


class DummyBackend(Backend):
    name = "dummy"
    runtime = "dummy-rt"
    requires = ()
    model_kinds = ("python",)

    def devices(self) -> list[str]:
        return ["abacus"]

    def check_device(self) -> None:
        from modelpick import InvalidQuery

        if (self.options.device or "abacus") != "abacus":
            raise InvalidQuery("device", self.options.device, "not a dummy device", choices=self.devices())

    def describe(self) -> dict[str, Any]:
        return {"kind": "cpu", "name": "Dummy abacus", "memory_gb": None, "accelerator": None,
                "versions": {"dummy": "0.1"}}

    def settings(self) -> dict[str, Any]:
        return {"beads": 10}

    def load(self, model: LoadedModel, input_size: int) -> None:
        self.model, self.input_size = model.obj, input_size

    def make_inputs(self, batch_size: int) -> Any:
        return [[float(i)] * self.input_size for i in range(batch_size)]

    def run_batch(self, inputs: Any) -> None:
        self.model(inputs)

    def memory(self) -> MemoryReport:
        return host_memory_report(getattr(self, "baseline_rss_mb", None))


class NeedsMissingModule(DummyBackend):
    name = "needs-missing"
    requires = ("modelpick_no_such_module_xyz",)
    install_hint = "pip install modelpick-no-such-module-xyz"


def summer():
    """A 'model' the dummy backend runs: sums each row."""

    def model(rows):
        return [sum(r) for r in rows]

    model.input_size = 8
    return model
