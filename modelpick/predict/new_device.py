"""Predictions for a device the catalog lacks: calibrate() turns a few measured probes into a LatencyPredictor."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import InvalidQuery, UnknownName
from .batch import BatchCurve
from .models import Models, _default_catalog, models_for
from .probes import suggest_probes
from .types import Column, Prediction, PredictionError

_PROBE_KEYS = ("architecture", "runtime", "precision", "batch_size", "latency_ms", "input_size", "settings",
               "memory_mb")


def _validate_probe(i: int, raw: Any, catalog) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidQuery(f"measurements[{i}]", raw, "each measurement must be a dict with architecture, runtime, "
                           "precision, batch_size and latency_ms")
    unknown = [k for k in raw if k not in _PROBE_KEYS]
    if unknown:
        raise InvalidQuery(f"measurements[{i}].{unknown[0]}", raw[unknown[0]], "unknown key", choices=_PROBE_KEYS)
    missing = [k for k in ("architecture", "runtime", "precision", "latency_ms") if raw.get(k) in (None, "")]
    if missing:
        raise InvalidQuery(f"measurements[{i}].{missing[0]}", None, "required key is missing",
                           choices=["architecture", "runtime", "precision", "batch_size", "latency_ms"])
    raw = dict(raw)
    try:
        arch = catalog.resolve_architecture(raw["architecture"])
    except UnknownName as exc:
        # a benchmark tool's own name (ncnn's 'mobilenet'), mapped by the reviewed alias section of that runtime's tool
        from ..importers.probes import source_architecture

        mapped = source_architecture(str(raw["architecture"]), str(raw.get("runtime", "")))
        if mapped is None:
            raise UnknownName(f"measurements[{i}].architecture", raw["architecture"], "unknown architecture",
                              choices=exc.choices) from None
        arch = catalog.resolve_architecture(mapped["architecture"])
        raw.setdefault("input_size", mapped.get("input_size"))
        if mapped.get("precision"):
            raw["precision"] = mapped["precision"]
    lat = raw["latency_ms"]
    if isinstance(lat, bool) or not isinstance(lat, (int, float)) or not math.isfinite(lat) or lat <= 0:
        raise InvalidQuery(f"measurements[{i}].latency_ms", lat, "must be a finite number > 0 (per-image ms)")
    bs = raw.get("batch_size", 1)
    if isinstance(bs, bool) or not isinstance(bs, int) or bs < 1:
        raise InvalidQuery(f"measurements[{i}].batch_size", bs, "must be an integer >= 1")
    a = catalog._m.architectures[arch]
    size = raw.get("input_size") if raw.get("input_size") is not None else a.input_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidQuery(f"measurements[{i}].input_size", size, "must be an integer >= 1")
    settings = raw.get("settings") or {}
    if not isinstance(settings, Mapping):
        raise InvalidQuery(f"measurements[{i}].settings", settings, "must be a dict such as {'threads': 4}")
    for key in ("runtime", "precision"):
        if not isinstance(raw[key], str):
            raise InvalidQuery(f"measurements[{i}].{key}", raw[key], "must be a string token such as 'ncnn' / 'fp16'")
    return {"architecture": arch, "input_size": size, "runtime": raw["runtime"].strip().lower(),
            "precision": raw["precision"].strip().lower(), "batch_size": bs, "latency_ms": float(lat),
            "settings": dict(settings)}


@dataclass
class _Row:
    runtime: str
    precision: str
    batch_size: int
    settings: dict[str, Any]
    probes: dict[Column, float]  # measured per-image ms
    theta: np.ndarray | None = None
    S: np.ndarray | None = None
    near: np.ndarray | None = None


class LatencyPredictor:
    """Predictions for one device, calibrated from a few measured probes. Made by :func:`calibrate`."""

    def __init__(self, device: str, rows: list[_Row], catalog, models: Models):
        self.device = device
        self._rows = rows
        self._catalog = catalog
        self._models = models
        model = models.transfer
        for row in rows:
            cols = list(row.probes)
            b, V, var, _ = model.column_arrays(cols, [catalog._m.architectures.get(c[0]) for c in cols], row.runtime)
            ok = ~np.isnan(b)
            if not ok.any():
                raise PredictionError(
                    f"none of the probes on {device} ({row.runtime}, {row.precision}, batch {row.batch_size}) is an "
                    f"architecture the model knows or has GMACs for; measure some of: "
                    f"{', '.join(suggest_probes(5, catalog=catalog))}")
            y = np.log([row.probes[c] for c, o in zip(cols, ok) if o])
            row.theta, row.S, row.near = model.row_posterior(b[ok], V[ok], y, row.runtime)

    @property
    def targets(self) -> list[dict[str, Any]]:
        """The (runtime, precision, batch_size, settings) runs this predictor was calibrated for."""
        return [{"runtime": r.runtime, "precision": r.precision, "batch_size": r.batch_size, "settings": r.settings,
                 "probes": len(r.probes)} for r in self._rows]

    def _select(self, runtime: str | None, precision: str | None) -> list[_Row]:
        from .._args import optional_token

        optional_token("runtime", runtime)
        optional_token("precision", precision)
        rows = [r for r in self._rows if (runtime is None or r.runtime == runtime.lower())
                and (precision is None or r.precision == precision.lower())]
        if not rows:
            choices = sorted({f"{r.runtime}/{r.precision}" for r in self._rows})
            param, value = ("runtime", runtime) if runtime is not None and not any(
                r.runtime == runtime.lower() for r in self._rows) else ("precision", precision)
            raise InvalidQuery(param, value, f"no probe on {self.device} was measured with this {param}", choices=choices)
        combos = {(r.runtime, r.precision) for r in rows}
        if len(combos) > 1:
            raise InvalidQuery("runtime", runtime, "probes cover several runtime/precision pairs; name one",
                               choices=sorted(f"{a}/{b}" for a, b in combos))
        return rows

    def predict(self, architecture: str, batch_size: int = 1, *, runtime: str | None = None,
                precision: str | None = None, input_size: int | None = None) -> Prediction:
        """Latency of ``architecture`` on this device with an 80 % interval (``.latency_ms``, ``.low``, ``.high``).

        Batch sizes other than those probed are interpolated by a batch curve through
        the predictions at the probed batch sizes (never beyond
        :data:`BATCH_EXTRAPOLATION_FACTOR` outside them).
        """
        cat = self._catalog
        arch_id = cat.resolve_architecture(architecture)
        arch = cat._m.architectures[arch_id]
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidQuery("batch_size", batch_size, "must be an integer >= 1")
        from .._args import optional_positive_int

        optional_positive_int("input_size", input_size, maximum=4096)  # 0 is an error, never a silent default
        col = (arch_id, int(input_size if input_size is not None else arch.input_size))
        rows = self._select(runtime, precision)
        by_bs = {r.batch_size: r for r in rows}
        if batch_size in by_bs:
            return self._predict_row(by_bs[batch_size], col, arch)
        if len(by_bs) < 2:
            raise PredictionError(
                f"batch_size={batch_size}: the probes on {self.device} were measured at batch "
                f"{', '.join(map(str, sorted(by_bs)))} only; measure the probes at a second batch size to "
                f"interpolate (predictions do not extrapolate across batch sizes)")
        preds = {b: self._predict_row(r, col, arch) for b, r in by_bs.items()}
        curve = BatchCurve.fit(list(preds), [p.latency_ms for p in preds.values()])
        value = curve(batch_size)  # raises far outside the probed batch sizes
        lo_c = BatchCurve.fit(list(preds), [p.latency_low_ms for p in preds.values()])(batch_size)
        hi_c = BatchCurve.fit(list(preds), [p.latency_high_ms for p in preds.values()])(batch_size)
        band = self._models.curve_band or (0.0, 0.0)
        first = next(iter(preds.values()))
        return replace(first, batch_size=batch_size, latency_ms=value, latency_low_ms=min(lo_c * math.exp(band[0]), value),
                       latency_high_ms=max(hi_c * math.exp(band[1]), value),
                       method=first.method + " + batch curve", latency_estimated=True,
                       memory_mb=None, memory_low_mb=None, memory_high_mb=None, memory_method=None)

    def _predict_row(self, row: _Row, col: Column, arch) -> Prediction:
        mem = self._models.memory.predict(arch, col[1], self.device, row.runtime, row.precision, row.batch_size)
        mem_fields = dict(zip(("memory_mb", "memory_low_mb", "memory_high_mb", "memory_method"), mem or (None,) * 4))
        base = dict(architecture=col[0], input_size=col[1], device=self.device, runtime=row.runtime,
                    precision=row.precision, batch_size=row.batch_size, settings=dict(row.settings), **mem_fields)
        if col in row.probes:
            v = row.probes[col]
            return Prediction(latency_ms=v, latency_low_ms=v, latency_high_ms=v, method="measured (probe)",
                              latency_estimated=False, **base)
        model = self._models.transfer
        got = model.column(col, arch, row.runtime)
        if got is None:
            raise PredictionError(
                f"cannot predict {col[0]} at {col[1]}px with {row.runtime}: no device in the catalog measured it with "
                f"{row.runtime} (cross-runtime transfer is not validated), or it was never measured and has no GMACs")
        b, V, var, method = got
        mu, sd = model.predict_new(row.theta, row.S, np.array([b]), V[None, :], np.array([var]), [col], row.near)
        m = model.mult_new_by_runtime.get(row.runtime, model.mult_new)
        return Prediction(latency_ms=float(np.exp(mu[0])), latency_low_ms=float(np.exp(mu[0] - m * sd[0])),
                          latency_high_ms=float(np.exp(mu[0] + m * sd[0])),
                          method=f"calibrated transfer from {len(row.probes)} probe(s) ({method})", **base)

    def predict_all(self, *, runtime: str | None = None, precision: str | None = None,
                    batch_size: int | None = None) -> list[Prediction]:
        """Predictions for every architecture the model can predict, fastest first."""
        rows = self._select(runtime, precision) if (runtime or precision or len(
            {(r.runtime, r.precision) for r in self._rows}) == 1) else self._rows
        out = []
        for row in rows:
            if batch_size is not None and row.batch_size != batch_size:
                continue
            for arch in self._catalog._m.architectures.values():
                try:
                    out.append(self._predict_row(row, (arch.id, arch.input_size), arch))
                except PredictionError:
                    continue
        return sorted(out, key=lambda p: p.latency_ms)


def calibrate(device_id: str, measurements: Sequence[Mapping[str, Any]] = (), catalog=None) -> LatencyPredictor:
    """A predictor for ``device_id`` from a few measured probes.

    ``measurements``: dicts with ``architecture`` (id or any alias the catalog
    knows, or the benchmark tool's own name for that runtime, e.g. ncnn's ``mobilenet``,
    mapped through the reviewed alias table), ``runtime``, ``precision``, ``batch_size`` (default 1),
    ``latency_ms`` (per image), optionally ``input_size`` and ``settings``. For a
    device already in the catalog, its measured cells of the same runtime,
    precision and batch size are used too (the probes take precedence).
    ``measurements`` may also be the path of a catalog file ``modelpick import`` wrote:
    its latency rows (of ``device_id``, if it holds several devices) are the probes.
    """
    cat = _default_catalog(catalog)
    if not isinstance(device_id, str) or not device_id.strip():
        raise InvalidQuery("device_id", device_id, "a device id (new or from the catalog) is required")
    if isinstance(measurements, (str, os.PathLike)) and "\x00" in os.fspath(measurements):
        raise InvalidQuery("measurements", measurements, "not a usable file path (it holds a NUL byte)")
    if isinstance(measurements, (str, os.PathLike)):
        # an imported catalog file (modelpick import ... -o FILE): its latency rows of this device are the probes
        from ..importers.probes import probes_from_file

        measurements = probes_from_file(measurements, device_id)
    if isinstance(measurements, (Mapping, bytes)) or not hasattr(measurements, "__iter__"):
        raise InvalidQuery("measurements", measurements, "must be a list of dicts or an imported catalog file")
    probes = [_validate_probe(i, m, cat) for i, m in enumerate(measurements)]
    measured_runtimes = set(cat.runtimes())
    for i, p in enumerate(probes):
        if p["runtime"] not in measured_runtimes:  # no catalog device to transfer from: a typo, or an unsupported runtime
            raise UnknownName(f"measurements[{i}].runtime", p["runtime"], "no device in the catalog was measured "
                              "with this runtime, so nothing can be transferred from it", choices=sorted(measured_runtimes))
    try:
        device = cat.resolve_device(device_id)
        known = True
    except InvalidQuery:
        device, known = device_id.strip(), False
    models = models_for(cat)
    if models.transfer is None:
        raise PredictionError("the catalog has no measured latencies to transfer from")
    rows: dict[tuple, _Row] = {}
    for p in probes:
        key = (p["runtime"], p["precision"], p["batch_size"])
        row = rows.setdefault(key, _Row(p["runtime"], p["precision"], p["batch_size"], p["settings"], {}))
        col = (p["architecture"], p["input_size"])
        # repeated probes of one architecture: geometric mean
        prev = row.probes.get(col)
        row.probes[col] = p["latency_ms"] if prev is None else math.sqrt(prev * p["latency_ms"])
    if known:
        for (t, col), lat in models.cells.items():
            if t.device != device:
                continue
            key = (t.runtime, t.precision, t.batch_size)
            if probes and key not in rows:
                continue
            row = rows.setdefault(key, _Row(t.runtime, t.precision, t.batch_size, dict(t.settings), {}))
            if not probes and dict(t.settings) != row.settings:
                continue  # one run configuration per row: the first seen
            row.probes.setdefault(col, lat)
    if not rows:
        raise InvalidQuery("measurements", list(measurements), f"no probe measurements given and {device_id!r} has no "
                           f"measured latencies in the catalog; measure these first: "
                           f"{', '.join(suggest_probes(5, catalog=cat))}")
    return LatencyPredictor(device, list(rows.values()), cat, models)
