"""Predictions for a device the catalog lacks: calibrate() turns a few measured probes into a LatencyPredictor."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import InvalidQuery, UnknownName
from ..schema import RANGES
from .batch import BatchCurve
from .calibrated_run import CalibratedRun
from .detectors import detector_refusal, is_detector
from .explain import choose_run, unpredictable_reason
from .plausibility import cap, column_gmacs
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
    note = None
    try:
        arch = catalog.resolve_architecture(raw["architecture"])
    except UnknownName as exc:
        # a benchmark tool's own name (ncnn's 'mobilenet'), mapped by the reviewed alias section of that runtime's tool
        from ..importers.probes import RUNTIME_SECTIONS, source_architecture

        mapped = source_architecture(str(raw["architecture"]), str(raw.get("runtime", "")))
        if mapped is None:
            raise UnknownName(f"measurements[{i}].architecture", raw["architecture"], "unknown architecture",
                              choices=exc.choices) from None
        arch = catalog.resolve_architecture(mapped["architecture"])
        raw.setdefault("input_size", mapped.get("input_size"))
        if mapped.get("precision"):
            raw["precision"] = mapped["precision"]
        note = (f"probe {raw['architecture']!r} read as {arch}"
                + (f" ({mapped['precision']})" if mapped.get("precision") else "")
                + f": the name {RUNTIME_SECTIONS[str(raw['runtime']).strip().lower()]} uses for it (data/aliases.yaml)")
    lat = raw["latency_ms"]
    lo, hi, what = RANGES["latency_ms"]
    if isinstance(lat, bool) or not isinstance(lat, (int, float)) or not math.isfinite(lat) or not lo <= lat <= hi:
        raise InvalidQuery(f"measurements[{i}].latency_ms", lat, f"must be a per-image time in ms from {lo:g} to {hi:g} "
                           f"({what})")
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
            "settings": dict(settings), "note": note}


@dataclass
class _Row:
    runtime: str
    precision: str
    batch_size: int
    settings: dict[str, Any]
    probes: dict[Column, float]  # measured per-image ms
    run: CalibratedRun | None = None


class LatencyPredictor:
    """Predictions for one device, calibrated from a few measured probes. Made by :func:`calibrate`."""

    def __init__(self, device: str, rows: list[_Row], catalog, models: Models, notes: Sequence[str] = ()):
        self.device = device
        self._rows = rows
        self._catalog = catalog
        self._models = models
        #: How probe names were read (e.g. ncnn's 'mobilenet' as mobilenet_v1); repeated on every prediction.
        self.notes = tuple(notes)
        lookup = catalog._m.architectures.get
        for row in rows:
            try:
                row.run = CalibratedRun.fit(models.transfer, row.runtime, row.probes, lookup)
            except PredictionError as exc:
                raise PredictionError(
                    f"cannot calibrate {device} ({row.runtime}, {row.precision}, batch {row.batch_size}): {exc}; "
                    f"measure some of: {', '.join(suggest_probes(5, runtime=row.runtime, catalog=catalog))}") from None

    @property
    def targets(self) -> list[dict[str, Any]]:
        """The (runtime, precision, batch_size, settings) runs this predictor was calibrated for."""
        return [{"runtime": r.runtime, "precision": r.precision, "batch_size": r.batch_size, "settings": r.settings,
                 "probes": len(r.probes)} for r in self._rows]

    def _select(self, runtime: str | None, precision: str | None) -> tuple[list[_Row], tuple[str, ...]]:
        from .._args import optional_token

        optional_token("runtime", runtime)
        optional_token("precision", precision)
        pairs = sorted({(r.runtime, r.precision) for r in self._rows})
        (rt, pr), note = choose_run(pairs, runtime, precision, f"the probes on {self.device}")
        return [r for r in self._rows if (r.runtime, r.precision) == (rt, pr)], note

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
        rows, note = self._select(runtime, precision)
        by_bs = {r.batch_size: r for r in rows}
        if batch_size in by_bs:
            got = self._predict_cols(by_bs[batch_size], [col], [arch], note)[0]
            if isinstance(got, str):
                raise PredictionError(got)
            return got
        if len(by_bs) < 2:
            raise PredictionError(
                f"batch_size={batch_size}: the probes on {self.device} were measured at batch "
                f"{', '.join(map(str, sorted(by_bs)))} only; measure the probes at a second batch size to "
                f"interpolate (predictions do not extrapolate across batch sizes)")
        preds = {}
        for b, r in by_bs.items():
            got = self._predict_cols(r, [col], [arch], note)[0]
            if isinstance(got, str):
                raise PredictionError(got)
            preds[b] = got
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

    def _predict_cols(self, row: _Row, cols: Sequence[Column], archs: Sequence[Any],
                      note: tuple[str, ...] = ()) -> list[Prediction | str]:
        """A Prediction per column, or the reason it cannot be predicted."""
        models, model = self._models, self._models.transfer
        mu, half, _, methods = row.run.predict(model, cols, archs)
        probe_rates = {}
        for c, v in row.probes.items():
            g = column_gmacs(self._catalog._m.architectures.get(c[0]), c[1])
            if g:
                probe_rates[c[0]] = v / g
        notes = self.notes + note
        out: list[Prediction | str] = []
        for j, (col, arch) in enumerate(zip(cols, archs)):
            mem = models.memory.predict(arch, col[1], self.device, row.runtime, row.precision, row.batch_size)
            base = dict(architecture=col[0], input_size=col[1], device=self.device, runtime=row.runtime,
                        precision=row.precision, batch_size=row.batch_size, settings=dict(row.settings), notes=notes,
                        **dict(zip(("memory_mb", "memory_low_mb", "memory_high_mb", "memory_method"), mem or (None,) * 4)))
            if col in row.probes:
                v = row.probes[col]
                out.append(Prediction(latency_ms=v, latency_low_ms=v, latency_high_ms=v, method="measured (probe)",
                                      latency_estimated=False, **base))
            elif is_detector(arch) and detector_refusal(row.runtime):
                where = f"{self.device} ({row.runtime}/{row.precision}, batch {row.batch_size})"
                out.append(f"cannot predict {col[0]} on {where}: {detector_refusal(row.runtime)}")
            elif np.isnan(mu[j]):
                where = f"{self.device} ({row.runtime}/{row.precision}, batch {row.batch_size})"
                out.append(unpredictable_reason(model, col, arch, row.runtime, where))
            else:
                pred = Prediction(latency_ms=float(np.exp(mu[j])), latency_low_ms=float(np.exp(mu[j] - half[j])),
                                  latency_high_ms=float(np.exp(mu[j] + half[j])), method=methods[j], **base)
                out.append(cap(pred, models.floor, column_gmacs(arch, col[1]), probe_rates))
        return out

    def predict_all(self, *, runtime: str | None = None, precision: str | None = None,
                    batch_size: int | None = None) -> list[Prediction]:
        """Predictions for every architecture the model can predict, fastest first."""
        if runtime or precision or len({(r.runtime, r.precision) for r in self._rows}) == 1:
            rows, note = self._select(runtime, precision)
        else:
            rows, note = self._rows, ()
        archs = list(self._catalog._m.architectures.values())
        out = []
        for row in rows:
            if batch_size is not None and row.batch_size != batch_size:
                continue
            got = self._predict_cols(row, [(a.id, a.input_size) for a in archs], archs, note)
            out.extend(p for p in got if isinstance(p, Prediction))
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
    models = models_for(cat)
    if models.transfer is None:
        raise PredictionError("the catalog has no measured latencies to transfer from")
    try:
        device = cat.resolve_device(device_id)
        known = True
    except InvalidQuery:
        device, known = device_id.strip(), False
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
        try:
            first = f"measure these first: {', '.join(suggest_probes(5, catalog=cat))}"
        except PredictionError:  # a catalog without zoo networks: no suggestion to make
            first = "measure a few networks the catalog also has"
        raise InvalidQuery("measurements", list(measurements), f"no probe measurements given and {device_id!r} has no "
                           f"measured latencies in the catalog; {first}")
    notes = tuple(dict.fromkeys(p["note"] for p in probes if p["note"]))
    return LatencyPredictor(device, list(rows.values()), cat, models, notes)
