"""Prediction: latency and memory for cells nobody measured, with 80 % intervals.

Everything here is *computed*: every :class:`Prediction` carries
``latency_estimated=True`` and an interval, and the solver uses predictions only
when asked (``estimates="include"``) and only by their conservative end.

Three pieces:

* **Batch curves.** Within one (architecture, device, runtime, precision,
  settings) cell, per-image time against batch size is fitted as
  ``t(b) = a/b + c`` (a, c >= 0: a fixed per-call cost spread over the batch plus
  a per-image cost). It fills batch sizes inside the measured range and refuses
  to go more than :data:`BATCH_EXTRAPOLATION_FACTOR` beyond either end.
* **Cross-device transfer.** log(latency) over *targets* x *columns* is
  ``a_r + b_c + U_r . V_c``. A target ("device" row) is (device, runtime,
  precision, run settings, batch size): runtime and precision change which
  kernels run, so an int8 ncnn run and an fp16 ncnn run of the same board are
  different rows that share nothing but their architecture columns. A column is
  (architecture, input size). The architecture effect ``b_c`` and factors
  ``V_c`` are shrunk towards a linear function of architecture features (log
  GMACs, log params, log activations, log input size, scaled to the input
  size), which is also the prior for architectures never measured anywhere.
  Fitted by alternating ridge regression on the observed cells only.
* **Calibration for a new device.** The few probe measurements give a Bayesian
  posterior over the new row's ``(a_r, U_r)``, with the prior taken from the
  fitted rows of the same runtime. Interval widths are conformal: the
  predictive standard deviation times a multiplier chosen so that 80 % of
  held-out cells were covered when whole devices were held out and
  re-calibrated from 5 suggested probes (cross-validation by device at fit
  time).
* **Memory.** ``memory_mb = overhead(device, runtime, precision) + alpha x
  weights_mb + beta x activations_mb x batch``, fitted per runtime by
  non-negative least squares on relative error, where measured memory exists.

Fitted models are cached in memory and on disk next to the catalog cache, keyed
by the catalog's content hash.

Modules, one job each: ``types`` (Prediction, PredictionError, Target, Column),
``cells`` (measured cells of a catalog), ``transfer`` (the low-rank model),
``intervals`` (interval calibration), ``batch`` (batch curves), ``memory`` (the
memory model), ``models`` (the fitted bundle per catalog, cached), ``probes``
(probe choice), ``new_device`` (calibrate() and LatencyPredictor),
``catalog_device`` (predict() and predicted_cells()), ``estimates`` (PredictedCells,
the estimator modelpick.load_catalog hands the solver), ``zoo`` (which networks a user can run as probes),
``twins`` (same-family, same-chip and same-figures devices, hidden together by the interval folds),
``detectors`` (the runtimes whose detector latency is predicted: where bench/eval_predict.py measured it to work).
"""

from __future__ import annotations

from .batch import BATCH_EXTRAPOLATION_FACTOR, BatchCurve, batch_curve_errors, batch_curve_groups
from .catalog_device import predict, predicted_cells
from .cells import latency_cells
from .estimates import PredictedCells, catalog_with_estimates
from .intervals import calibrate_intervals
from .memory import MemoryModel
from .models import Models, fit_models, models_for
from .new_device import LatencyPredictor, calibrate
from .probes import suggest_probes
from .transfer import TransferModel
from .types import INTERVAL, Column, Prediction, PredictionError, Target

__all__ = [
    "INTERVAL",
    "BATCH_EXTRAPOLATION_FACTOR",
    "Prediction",
    "PredictionError",
    "LatencyPredictor",
    "BatchCurve",
    "TransferModel",
    "MemoryModel",
    "calibrate",
    "suggest_probes",
    "predict",
    "predicted_cells",
    "catalog_with_estimates",
    "PredictedCells",
    "fit_models",
    "models_for",
    "Models",
    "Target",
    "Column",
    "latency_cells",
    "calibrate_intervals",
    "batch_curve_errors",
    "batch_curve_groups",
]
