"""The solver takes estimated rows from the estimator it is handed (modelpick.solver.Estimator), never from an import."""

from __future__ import annotations

import pytest

from modelpick import InvalidQuery, NoFeasibleModel
from modelpick.predict.estimates import PredictedCells
from modelpick.solver import Catalog, EstimatedCell


def _cell(**overrides):
    fields = dict(architecture="large", input_size=320, runtime="tensorrt", precision="fp16", batch_size=1,
                  latency_ms=4.0, latency_low_ms=3.0, latency_high_ms=5.0, memory_mb=None, memory_low_mb=None,
                  memory_high_mb=None, memory_method="unknown (stub)", settings={"stub": True}, method="stub estimator")
    return EstimatedCell(**{**fields, **overrides})


class StubEstimator:
    def __init__(self, cells):
        self.cells = cells
        self.calls: list[tuple[str, int | None]] = []

    def estimated_cells(self, catalog, device, batch_size):
        self.calls.append((device, batch_size))
        return self.cells


def test_estimated_rows_come_from_the_handed_estimator(mini_catalog):
    stub = StubEstimator([_cell()])
    cat = Catalog(mini_catalog._m, estimator=stub)
    rec = cat.best("BA", min_top1=82.5, estimates="include")  # only large.hi (320 px) is that accurate
    assert rec.checkpoint == "large.hi" and rec.latency_estimated
    assert (rec.latency_ms, rec.latency_low_ms, rec.latency_high_ms) == (4.0, 3.0, 5.0)
    assert rec.settings == {"stub": True} and rec.sources["latency"] is None
    assert rec.memory_mb is None and not rec.memory_estimated
    assert stub.calls == [("board-a", 1)]  # the canonical device id
    cat.best("board-a", min_top1=82.5, estimates="include")
    assert stub.calls == [("board-a", 1)]  # the view is built once per (device, batch size)
    # a limit is met only by the interval's conservative end
    with pytest.raises(NoFeasibleModel):
        cat.best("board-a", min_top1=82.5, max_latency_ms=4.5, estimates="include")


def test_estimated_cells_pair_only_with_float_checkpoints(mini_catalog):
    # an estimated cell has no source, so quantized weights never pair with it (as for predictions)
    stub = StubEstimator([_cell(precision="int8")])
    view = Catalog(mini_catalog._m, estimator=stub).with_estimates("board-a", 1)
    assert not view.columns["latency_estimated"].any()


def test_a_catalog_without_an_estimator_says_so(mini_catalog):
    with pytest.raises(InvalidQuery) as info:
        Catalog(mini_catalog._m).best("board-a", estimates="include")
    assert info.value.param == "estimates" and "estimator" in str(info.value)
    assert Catalog(mini_catalog._m).best("board-a").checkpoint == mini_catalog.best("board-a").checkpoint


def test_load_catalog_hands_the_prediction_estimator(mini_catalog):
    assert isinstance(mini_catalog._estimator, PredictedCells)
