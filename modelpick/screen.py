"""Screen measured latencies for implausible rows (suspects).

A source can print a wrong number: a benchmark section whose runs broke halfway (every later network "runs" in
under a millisecond), a row filed under the wrong model. The screen compares each measured latency with two things,
both in time per unit of work, and names a row a *suspect* when it fails either test:

Run test (both directions)
    A *run* is the rows of one source measured together: same source, device, runtime, precision, batch size and
    settings (rows that name their line in the source document, ``settings.readme_line``, are split into sections
    wherever the line numbers jump by more than :data:`SECTION_GAP_LINES`). For each other run that shares at least
    :data:`MIN_SHARED` networks, a resistant line (Tukey's three-group line) predicts this run's log latencies from
    that run's; the row's residual says how much slower or faster it is than the rest of its own run predicts, given
    how the same networks relate elsewhere. A row is a suspect when the median residual over all such runs is at
    least :data:`RUN_FACTOR` times off and :data:`RUN_Z` robust sigmas off, and its *peers* (runs with the same
    device kind, runtime, precision class and backend) agree by the same factor. The peer condition is what keeps
    real hardware effects in: a depthwise-heavy or fallback-heavy network that is slow on every NPU run of a runtime
    is slow on its peers too.

Device-rate test (too fast only)
    A device cannot compute faster than its hardware allows, while it can be slow for many real reasons. The row's
    rate (GMACs per ms, at the row's input size: a source's figure for that size where the catalog has one, else
    scaled by pixel count, a computed figure used only here) is
    compared with the median rate of all the device's rows, after allowing for the network's usual rate relative to
    its devices elsewhere (median over at least :data:`MIN_RATE_DEVICES` other devices). A row more than
    :data:`RATE_FACTOR` times faster than that is a suspect. This test still works when most of a run is broken,
    where the run test cannot tell the good half from the bad.

Thresholds come from the curated table (see README, "Suspect measurements"). On its 34,343 rows with a latency the run test's
residuals fall off smoothly up to 4.8x (a Snapdragon 8 Gen 2 ResNet-18 on 8 threads); the next rows are 7.5x and up:
the two Phytium RegNetY rows, the V100 EfficientNetV2-B0 under Vulkan, and two AI Hub DenseNet-121 rows a reviewer
cleared as a real NPU fallback. The device-rate test's largest excess among genuine rows is 12x (VGG-16 on a V100
under Vulkan, plausible for that GPU); the broken RK3588S Vulkan rows start at 55x.

Peak test (too fast only, where the device's peak compute is known)
    No row can run faster than its hardware's peak: a row whose implied throughput (GMACs x 2 per image over its
    per-image latency, FLOPs counted as Bianco et al. count them) exceeds the vendor's dense peak for its precision
    (``Device.peak_tops``) is a suspect. fp32 rows are bounded by the larger of the fp32 and tf32 peaks (frameworks
    run fp32 convolutions on TF32 tensor cores by default where a GPU has them); a row whose precision the source
    leaves unspecified is taken at its runtime's default: fp32 for TensorFlow/Keras, PyTorch and ONNX Runtime, the
    largest float peak otherwise (TensorRT engines are mostly fp16); ``auto`` (ncnn: fp16 where the hardware has
    it), fp16 and bf16 by the fp16 peak; quantized rows by the int8 peak.

Decisions reviewed by hand (``data/suspects_reviewed.yaml``) confirm rows the tests cannot reach (a broken run's
networks without GMACs) and clear rows the tests flag but a reviewer judged real. The library never needs them: the
build writes each row's verdict into the table as ``suspect: <reason>``.

Pure numpy over plain row dicts; knows nothing of the catalog loader or the solver.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Settings that identify a row within its run (where the source printed it), not a run setting.
ROW_SETTINGS = frozenset({"readme_line", "input_size_stated", "batch_stated"})
#: A jump in ``settings.readme_line`` larger than this starts a new section (a new run) of the same settings.
SECTION_GAP_LINES = 10
#: Runs must share this many networks to be compared.
MIN_SHARED = 5
#: A row is judged by the run test only when at least this many other runs could be compared with its run.
MIN_COMPARISONS = 2
#: Run test: how many times slower or faster than its run predicts, and in how many robust sigmas.
RUN_FACTOR = 6.0
RUN_Z = 4.0
#: Floor of a comparison's robust sigma (log units): timing noise of a good benchmark is a few percent.
SIGMA_FLOOR = math.log(1.15)
#: Device-rate test: how many times faster than the device's usual rate for the network.
RATE_FACTOR = 20.0
#: The network's usual relative rate needs this many other devices.
MIN_RATE_DEVICES = 3
#: The device's median rate needs this many rows with GMACs.
MIN_DEVICE_ROWS = 5
#: A resistant line's slope is kept in this range: times on a big GPU grow slower than the work (launch
#: overheads), never faster than about twice as fast, and never shrink with it.
SLOPE_RANGE = (0.25, 2.0)

QUANTIZED = frozenset({"int8", "uint8", "int4", "w8a8", "w8a16", "w8a8-mixed-int16", "w8a16-mixed-int16"})
#: Precisions the peak test bounds by the fp32 (or tf32) peak.
FP32_LIKE = frozenset({"fp32", "tf32", "float32"})
#: Runtimes whose default is fp32 when a source leaves the precision unspecified (Keras/TensorFlow and PyTorch
#: layers default to float32); another runtime's unspecified row (TensorRT engines are mostly built at fp16) is
#: bounded by the largest float peak.
FP32_DEFAULT_RUNTIMES = frozenset({"tensorflow", "keras", "pytorch", "onnxruntime"})
#: Precisions bounded by the fp16 peak ("auto": ncnn computes in fp16 where the hardware can).
FP16_LIKE = frozenset({"fp16", "bf16", "amp-fp16", "amp-bf16", "amp", "half", "float16", "auto", "mixed"})


def peak_limit(peaks: Mapping[str, float], precision: str, runtime: str = "") -> tuple[float, str] | None:
    """(peak in 10^12 ops/s, what it is) bounding a row of ``precision`` (run on ``runtime``) on a device with
    ``peaks``, or None where the device has no peak for it."""
    p = precision.lower()
    if p == "unspecified":
        p = "fp32" if runtime.lower() in FP32_DEFAULT_RUNTIMES else "fp16"
    if p in QUANTIZED:
        keys = ("int8",)
    elif p in FP32_LIKE:
        keys = ("fp32", "tf32")
    elif p in FP16_LIKE:
        keys = ("fp16",)
    else:  # a precision the test does not know: only the largest peak of any precision bounds it
        keys = tuple(peaks)
    known = [(float(peaks[k]), k) for k in keys if peaks.get(k)]
    if not known:
        return None
    value, key = max(known)
    unit = "TOPS" if key == "int8" else "TFLOPS"
    return value, f"dense {key} peak {value:g} {unit}"


@dataclass(frozen=True)
class ArchInfo:
    """What the screen needs of an architecture: its GMACs at its reference input size (either may be None), and
    the GMACs a source states at other input sizes (``Architecture.sizes``), which win over scaling by pixel count."""

    gmacs: float | None
    input_size: int | None
    gmacs_at_size: Mapping[int, float] = field(default_factory=dict)

    def gmacs_at(self, input_size: int) -> float:
        """GMACs at ``input_size``: the stated figure for that size, else the reference figure scaled by pixels."""
        stated = self.gmacs_at_size.get(input_size)
        if stated:
            return float(stated)
        if self.gmacs and self.input_size:
            return self.gmacs * (input_size / self.input_size) ** 2
        return float("nan")


def per_image_latency_ms(row: Mapping[str, Any]) -> float | None:
    """A row's per-image latency: latency_ms, else batch_latency_ms / batch_size, else 1000 / fps."""
    value = row.get("latency_ms")
    if value:
        return float(value)
    value = row.get("batch_latency_ms")
    if value:
        return float(value) / int(row.get("batch_size") or 1)
    value = row.get("fps")
    if value:
        return 1000.0 / float(value)
    return None


def _settings(row: Mapping[str, Any]) -> Mapping[str, Any]:
    return row.get("settings") or {}


def _run_key(row: Mapping[str, Any]) -> tuple:
    run_settings = tuple(sorted((k, str(v)) for k, v in _settings(row).items() if k not in ROW_SETTINGS))
    return (row["source"], row["device"], row["runtime"], row["precision"], int(row["batch_size"]), run_settings)


def _peer_key(row: Mapping[str, Any], kind: str | None) -> tuple:
    settings = _settings(row)
    return (kind, row["runtime"], row["precision"] in QUANTIZED, settings.get("backend"), settings.get("compute_unit"))


def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else 0.5 * (s[mid - 1] + s[mid])


def _resistant_line(x: list[float], y: list[float]) -> tuple[float, float]:
    """Tukey's three-group resistant line y = a + b x (medians of the outer thirds), slope clamped to SLOPE_RANGE.

    Plain Python: the screen fits over a hundred thousand small lines, where numpy's per-call overhead dominates.
    """
    pairs = sorted(zip(x, y))
    third = max(len(pairs) // 3, 1)
    low, high = pairs[:third], pairs[-third:]
    x_low, x_high = _median([p[0] for p in low]), _median([p[0] for p in high])
    if x_high - x_low < 1e-9:
        slope = 1.0
    else:
        slope = (_median([p[1] for p in high]) - _median([p[1] for p in low])) / (x_high - x_low)
    slope = min(max(slope, SLOPE_RANGE[0]), SLOPE_RANGE[1])
    return _median([yi - slope * xi for xi, yi in zip(x, y)]), slope


def _times(factor_log: float) -> str:
    factor = math.exp(abs(factor_log))
    return f"{factor:.0f}x" if factor >= 10 else f"{factor:.1f}x"


def _fmt_ms(value: float) -> str:
    return f"{value:.3g} ms" if value < 1000 else f"{value:,.0f} ms"


class _Rows:
    """Column view of the rows the screen can use (those with a per-image latency)."""

    def __init__(self, rows: Sequence[Mapping[str, Any]], architectures: Mapping[str, ArchInfo],
                 device_kinds: Mapping[str, str]):
        self.index: list[int] = []
        latency: list[float] = []
        gmacs: list[float] = []
        run_keys: list[tuple] = []
        lines: list[int | None] = []
        for i, row in enumerate(rows):
            value = per_image_latency_ms(row)
            if value is None or not value > 0 or not math.isfinite(value):
                continue
            self.index.append(i)
            latency.append(value)
            info = architectures.get(row["architecture"])
            gmacs.append(float("nan") if info is None else info.gmacs_at(int(row["input_size"])))
            run_keys.append(_run_key(row))
            line = _settings(row).get("readme_line")
            lines.append(int(line) if isinstance(line, (int, float)) and not isinstance(line, bool) else None)
        self.rows = rows
        self.latency_ms = np.array(latency, dtype=float)
        self.log_latency = np.log(self.latency_ms) if latency else np.zeros(0)
        self.gmacs = np.array(gmacs, dtype=float)
        self.device = [rows[i]["device"] for i in self.index]
        self.arch = [rows[i]["architecture"] for i in self.index]
        self.cell_arch = [(rows[i]["architecture"], int(rows[i]["input_size"])) for i in self.index]
        self.kind = [device_kinds.get(d) for d in self.device]
        self.run = self._split_runs(run_keys, lines)

    @staticmethod
    def _split_runs(run_keys: list[tuple], lines: list[int | None]) -> np.ndarray:
        by_key: dict[tuple, list[int]] = defaultdict(list)
        for j, key in enumerate(run_keys):
            by_key[key].append(j)
        run = np.empty(len(run_keys), dtype=int)
        next_run = 0
        for key in sorted(by_key, key=repr):
            members = sorted(by_key[key], key=lambda j: (lines[j] is not None, lines[j] or 0, j))
            previous: int | None = None
            for n, j in enumerate(members):
                line = lines[j]
                new_section = n == 0 or (line is not None and previous is not None and line - previous > SECTION_GAP_LINES)
                if new_section:
                    next_run += 1
                run[j] = next_run - 1
                if line is not None:
                    previous = line
        return run


def _run_test(cols: _Rows, judged: set[int], excluded: set[int]) -> dict[int, str]:
    """Rows (positions in cols) far off their run's prediction, and off their peers too.

    ``excluded`` rows (already suspects) neither get a verdict nor serve as reference: a run whose heavy half broke
    would otherwise make its healthy half look slow.
    """
    # cells: per run, the median log latency of each (architecture, input size)
    cell_values: dict[int, dict[tuple, list[float]]] = defaultdict(lambda: defaultdict(list))
    for j in range(len(cols.index)):
        if j in excluded:
            continue
        cell_values[int(cols.run[j])][cols.cell_arch[j]].append(float(cols.log_latency[j]))
    cells = {r: {a: _median(v) for a, v in arch_values.items()} for r, arch_values in cell_values.items()}
    runs_of_arch: dict[tuple, list[int]] = defaultdict(list)
    for r in sorted(cells):
        for a in cells[r]:
            runs_of_arch[a].append(r)
    first_row = {}
    for j in range(len(cols.index)):
        first_row.setdefault(int(cols.run[j]), j)
    peer = {r: _peer_key(cols.rows[cols.index[j]], cols.kind[j]) for r, j in first_row.items()}
    judged_runs = sorted({int(cols.run[j]) for j in judged if int(cols.run[j]) in cells})

    verdicts: dict[int, str] = {}
    for r in judged_runs:
        mine = cells[r]
        if len(mine) < MIN_SHARED:
            continue
        shared_count: dict[int, int] = defaultdict(int)
        for a in mine:
            for other in runs_of_arch[a]:
                if other != r:
                    shared_count[other] += 1
        residuals: dict[tuple, list[float]] = defaultdict(list)
        zs: dict[tuple, list[float]] = defaultdict(list)
        peer_residuals: dict[tuple, list[float]] = defaultdict(list)
        archs = list(mine)
        for other in sorted(shared_count):
            if shared_count[other] < MIN_SHARED:
                continue
            theirs = cells[other]
            shared = [a for a in archs if a in theirs]
            y = [mine[a] for a in shared]
            x = [theirs[a] for a in shared]
            intercept, slope = _resistant_line(x, y)
            e = [yi - (intercept + slope * xi) for xi, yi in zip(x, y)]
            sigma = max(1.4826 * _median([abs(v) for v in e]), SIGMA_FLOOR)
            is_peer = peer[other] == peer[r]
            for a, ei in zip(shared, e):
                residuals[a].append(ei)
                zs[a].append(ei / sigma)
                if is_peer:
                    peer_residuals[a].append(ei)
        limit = math.log(RUN_FACTOR)
        for a, values in residuals.items():
            if len(values) < MIN_COMPARISONS:
                continue
            x_med, z_med = _median(values), _median(zs[a])
            if abs(x_med) < limit or abs(z_med) < RUN_Z:
                continue
            peers = peer_residuals.get(a)
            peer_med = _median(peers) if peers else None
            if peer_med is not None and (abs(peer_med) < limit or (peer_med > 0) != (x_med > 0)):
                continue
            direction = "slower" if x_med > 0 else "faster"
            reason = (f"{_times(x_med)} {direction} than the rest of its run predicts, judged against {len(values)} "
                      f"runs sharing at least {MIN_SHARED} networks (robust z {z_med:+.1f})")
            if peer_med is not None:
                reason += f"; {_times(peer_med)} against {len(peers)} runs of the same runtime on the same kind of device"
            verdicts[(r, a)] = reason  # type: ignore[index]
    out: dict[int, str] = {}
    for j in judged - excluded:
        reason = verdicts.get((int(cols.run[j]), cols.cell_arch[j]))  # type: ignore[call-overload]
        if reason:
            out[j] = reason
    return out


def _rate_test(cols: _Rows, judged: set[int]) -> dict[int, str]:
    """Rows faster than their device's usual rate for the network allows."""
    has_gmacs = ~np.isnan(cols.gmacs)
    log_rate = np.full(len(cols.index), np.nan)
    log_rate[has_gmacs] = np.log(cols.gmacs[has_gmacs]) - cols.log_latency[has_gmacs]
    by_device: dict[str, list[int]] = defaultdict(list)
    for j in np.flatnonzero(has_gmacs).tolist():
        by_device[cols.device[j]].append(j)
    relative = np.full(len(cols.index), np.nan)
    device_rows: dict[str, int] = {}
    for device, members in by_device.items():
        if len(members) < MIN_DEVICE_ROWS:
            continue
        centre = _median(log_rate[members].tolist())
        relative[members] = log_rate[members] - centre
        device_rows[device] = len(members)
    # the network's relative rate on each device (median of its rows there)
    per_arch_device: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for j in np.flatnonzero(~np.isnan(relative)).tolist():
        per_arch_device[cols.arch[j]][cols.device[j]].append(float(relative[j]))
    arch_device_median = {a: {d: _median(v) for d, v in devs.items()} for a, devs in per_arch_device.items()}
    limit = math.log(RATE_FACTOR)
    out: dict[int, str] = {}
    for j in sorted(judged):
        if math.isnan(relative[j]):
            continue
        elsewhere = [v for d, v in arch_device_median.get(cols.arch[j], {}).items() if d != cols.device[j]]
        if len(elsewhere) < MIN_RATE_DEVICES:
            continue
        excess = float(relative[j]) - _median(elsewhere)
        if excess < limit:
            continue
        reason = (f"implausibly fast: {_fmt_ms(float(cols.latency_ms[j]))} for {cols.gmacs[j]:.3g} GMACs is "
                  f"{_times(excess)} the rate this device shows on its other rows ({device_rows[cols.device[j]]} with "
                  f"GMACs), allowing for this network's usual rate on {len(elsewhere)} other devices")
        lighter = _slower_lighter_net(cols, j)
        if lighter:
            reason += f"; in the same run it beats {lighter}"
        out[j] = reason
    return out


def _slower_lighter_net(cols: _Rows, j: int) -> str | None:
    """The lightest network of j's run that has at most a quarter of j's GMACs yet runs slower, for the reason text."""
    same_run = np.flatnonzero(cols.run == cols.run[j]).tolist()
    best = None
    for k in same_run:
        g = cols.gmacs[k]
        if k == j or math.isnan(g) or g * 4 > cols.gmacs[j] or cols.latency_ms[k] <= cols.latency_ms[j]:
            continue
        if best is None or g < cols.gmacs[best]:
            best = k
    if best is None:
        return None
    return (f"{cols.arch[best]} ({cols.gmacs[best]:.3g} GMACs, {_fmt_ms(float(cols.latency_ms[best]))}), a net "
            f"{cols.gmacs[j] / cols.gmacs[best]:.0f}x lighter")


def _peak_test(cols: _Rows, judged: set[int], device_peaks: Mapping[str, Mapping[str, float]]) -> dict[int, str]:
    """Rows whose implied throughput exceeds their device's published peak for the row's precision."""
    out: dict[int, str] = {}
    for j in sorted(judged):
        peaks = device_peaks.get(cols.device[j])
        g = cols.gmacs[j]
        if not peaks or math.isnan(g):
            continue
        row = cols.rows[cols.index[j]]
        limit = peak_limit(peaks, str(row["precision"]), str(row["runtime"]))
        if limit is None:
            continue
        implied = 2.0 * g / float(cols.latency_ms[j])  # GFLOP per ms = TFLOP/s
        if implied <= limit[0]:
            continue
        batch = int(row.get("batch_size") or 1)
        per = f"{_fmt_ms(float(cols.latency_ms[j]) * batch)} per batch of {batch}" if batch > 1 else \
            f"{_fmt_ms(float(cols.latency_ms[j]))} per image"
        unit = limit[1].rsplit(" ", 1)[-1]
        reason = (f"above the device's peak: {g:.3g} GMACs x 2 x {batch} in {per} is {implied:,.0f} {unit}, "
                  f"{implied / limit[0]:.1f}x its {limit[1]} (vendor figure)")
        if str(row["precision"]) == "unspecified" and limit[1].split()[1] in ("fp32", "tf32"):
            reason += f"; precision unspecified by the source, taken as {row['runtime']}'s default, fp32"
            fp16 = peaks.get("fp16")
            if fp16:
                reason += f" (even fp16, {fp16:g} TFLOPS, would need {implied / fp16:.0%} of peak)"
        out[j] = reason
    return out


def screen_rows(rows: Sequence[Mapping[str, Any]], architectures: Mapping[str, ArchInfo],
                device_kinds: Mapping[str, str], *, judge: Iterable[int] | None = None,
                device_peaks: Mapping[str, Mapping[str, float]] | None = None) -> dict[int, str]:
    """Screen measurement rows; return {row index: reason} for the suspects among the judged rows.

    ``rows`` are measurement dicts as a catalog file holds them (architecture, input_size, device, runtime,
    precision, batch_size, latency_ms/batch_latency_ms/fps, source, settings). All rows serve as reference;
    ``judge`` limits which rows get a verdict (default: all), e.g. only a user's rows checked against the table.
    Rows without a latency are never suspects. ``device_peaks`` ({device id: Device.peak_tops}) adds the peak
    test for the devices it names. The result is deterministic for the same input.
    """
    cols = _Rows(rows, architectures, device_kinds)
    position = {i: j for j, i in enumerate(cols.index)}
    wanted = range(len(rows)) if judge is None else judge
    judged = {position[i] for i in wanted if i in position}
    # the one-sided tests first (physics, then rate): their suspects are then kept out of the run test's reference
    everything = set(range(len(cols.index)))
    above_peak = _peak_test(cols, everything, device_peaks or {})
    too_fast = {**_rate_test(cols, everything), **above_peak}  # a row above peak gives the physical reason
    off_run = _run_test(cols, judged, set(too_fast))
    reasons = {cols.index[j]: reason for j, reason in (*too_fast.items(), *off_run.items()) if j in judged}
    return dict(sorted(reasons.items()))


# ---------------------------------------------------------------------------
# Reviewed decisions

#: Row fields a reviewed decision may match on (besides ``settings``, matched key by key).
MATCH_FIELDS = ("source", "device", "architecture", "input_size", "runtime", "precision", "batch_size")


@dataclass(frozen=True)
class ReviewedDecision:
    """A suspect decision made by hand: ``confirm`` marks matching rows suspect, ``clear`` keeps them in."""

    decision: str
    match: Mapping[str, Any]
    reason: str

    def matches(self, row: Mapping[str, Any]) -> bool:
        for key, value in self.match.items():
            if key == "settings":
                settings = _settings(row)
                if any(settings.get(k) != v for k, v in value.items()):
                    return False
            elif row.get(key) != value:
                return False
        return True


def parse_reviewed(data: Any, where: str = "suspects_reviewed.yaml") -> list[ReviewedDecision]:
    """Validate the reviewed-decisions document: {confirm: [...], clear: [...]}, each {match: {...}, reason: str}."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected a mapping with 'confirm' and 'clear' lists, got {type(data).__name__}")
    unknown = sorted(set(data) - {"confirm", "clear"})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}; valid keys: clear, confirm")
    decisions = []
    for decision in ("confirm", "clear"):
        entries = data.get(decision) or []
        if not isinstance(entries, list):
            raise ValueError(f"{where}: {decision} must be a list")
        for n, entry in enumerate(entries):
            at = f"{where}: {decision}[{n}]"
            if not isinstance(entry, Mapping) or set(entry) != {"match", "reason"}:
                raise ValueError(f"{at}: each entry needs exactly 'match' and 'reason'")
            match, reason = entry["match"], entry["reason"]
            if not isinstance(reason, str) or not reason.strip():
                raise ValueError(f"{at}: reason must be a non-empty string")
            if not isinstance(match, Mapping) or not match:
                raise ValueError(f"{at}: match must be a non-empty mapping")
            for key in match:
                if key not in MATCH_FIELDS and key != "settings":
                    raise ValueError(f"{at}: cannot match on {key!r}; valid fields: "
                                     f"{', '.join(sorted((*MATCH_FIELDS, 'settings')))}")
            if "settings" in match and not isinstance(match["settings"], Mapping):
                raise ValueError(f"{at}: match.settings must be a mapping")
            decisions.append(ReviewedDecision(decision, dict(match), reason.strip()))
    return decisions


def load_reviewed(path: str | Path) -> list[ReviewedDecision]:
    import yaml  # only the build and tests read this file

    text = Path(path).read_text(encoding="utf-8")
    return parse_reviewed(yaml.safe_load(text) or {}, str(path))


def apply_reviewed(rows: Sequence[Mapping[str, Any]], screened: Mapping[int, str],
                   decisions: Sequence[ReviewedDecision]) -> dict[int, str]:
    """Combine the automatic verdicts with reviewed decisions; every decision must match at least one row.

    A clear removes the automatic verdict; a confirm adds ``reviewed: <reason>``. Raises ValueError naming a
    decision that matches nothing (the table changed under it) or a clear of a row the screen does not flag.
    """
    result = dict(screened)
    for decision in decisions:
        hits = [i for i, row in enumerate(rows) if decision.matches(row)]
        if not hits:
            raise ValueError(f"reviewed {decision.decision} matches no measurement: {dict(decision.match)}")
        for i in hits:
            if decision.decision == "clear":
                if i not in screened:
                    raise ValueError(f"reviewed clear of a row the screen does not flag: {dict(decision.match)}")
                result.pop(i, None)
            else:
                result[i] = f"reviewed: {decision.reason}"
    return dict(sorted(result.items()))
