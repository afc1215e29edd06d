"""Plan a measurement run, drive one worker process per model, and keep the output catalog file valid.

The output file is rewritten atomically (temp file + rename) after every batch
size, so Ctrl-C or a kill at any moment leaves a valid file with every row
measured so far; rerunning the same command skips rows already there.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import queue
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import CatalogError, InvalidQuery, ModelpickError
from .backend import BackendOptions, BackendUnavailable
from .providers import ModelSpec, normalize_id, parse_model_list
from .registry import available_backends, get_backend

#: Bianco et al. 2018's batch sizes.
DEFAULT_BATCH_SIZES: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64)
DEFAULT_WARMUP = 10
DEFAULT_RUNS = 10
_TOKEN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DEVICE_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class MeasureInterrupted(ModelpickError):
    """The run was interrupted; the output file holds every row measured before."""


#: Counted params/MACs may differ from a catalog architecture's by this fraction before a model is refused.
ARCHITECTURE_TOLERANCE = 0.01


class ArchitectureMismatch(InvalidQuery):
    """A measured model's counted params or MACs differ from the catalog architecture it would be filed under.

    Filing it there would pair that architecture's accuracy with another network's latency. ``differences``
    lists (quantity, counted, catalog) triples.
    """

    def __init__(self, model: str, architecture: str, differences: list[tuple[str, float, float]]):
        self.architecture = architecture
        self.differences = differences
        told = "; ".join(f"{name} counted {got:.6g} vs catalog {want:.6g} ({(got - want) / want:+.1%})"
                         for name, got, want in differences)
        super().__init__("models", model, (
            f"is not the catalog's {architecture}: {told} (more than {ARCHITECTURE_TOLERANCE:.0%} apart). Its rows "
            f"would pair {architecture}'s accuracy with this model's speed. Give it its own id (e.g. "
            f"'{architecture}-custom={model.split('=', 1)[-1]}') to file it as a new architecture, or pass "
            "--force-architecture (force_architecture=True) if it really is that architecture"))


# ---------------------------------------------------------------------------
# Argument checking


def parse_batch_sizes(value: str | Iterable[int]) -> list[int]:
    """'1,2,4' or [1, 2, 4] -> ascending unique ints >= 1; a clear error otherwise."""
    items: list[Any] = [p.strip() for p in value.split(",")] if isinstance(value, str) else list(value)
    if not items or items == [""]:
        raise InvalidQuery("batch_sizes", value, "empty; give comma-separated integers such as 1,2,4,8,16,32,64")
    out: list[int] = []
    for item in items:
        if isinstance(item, bool):
            raise InvalidQuery("batch_sizes", value, f"{item!r} is not an integer >= 1")
        try:
            n = int(item)
            if isinstance(item, float) and not item.is_integer():
                raise ValueError
        except (TypeError, ValueError):
            raise InvalidQuery("batch_sizes", value, f"{item!r} is not an integer >= 1 (e.g. 1,2,4,8,16,32,64)") from None
        if n < 1 or n > 1_000_000:
            raise InvalidQuery("batch_sizes", value, f"{n} is out of range; batch sizes are integers from 1 to 1000000")
        if n in out:
            raise InvalidQuery("batch_sizes", value, f"{n} is listed twice")
        out.append(n)
    # Ascending, so an out-of-memory batch size lets the larger ones be skipped.
    return sorted(out)


def _check_count(name: str, value: int, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidQuery(name, value, f"must be an integer >= {low}")
    return value


# ---------------------------------------------------------------------------
# The plan


@dataclass
class PlannedModel:
    spec: ModelSpec
    architecture: str  # canonical catalog id, or the new id this file defines
    known: bool  # the catalog already defines the architecture
    input_size: int | None  # None: the model declares it (known when the worker runs)
    input_size_from: str | None
    to_run: list[int]
    done: list[int]
    failed: dict[int, str]  # batch size -> status recorded earlier
    #: The catalog architecture's params_m / gmacs (gmacs only where the run uses its input size), to check against.
    catalog_counts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.spec.text, "architecture": self.architecture, "in_catalog": self.known,
                "input_size": self.input_size, "input_size_from": self.input_size_from,
                "batch_sizes_to_run": self.to_run, "batch_sizes_done": self.done,
                "batch_sizes_failed": {str(k): v for k, v in self.failed.items()}}


@dataclass
class MeasureResult:
    """What a run did. ``plan`` lists every model; the counts cover this invocation only."""

    output: str
    device_id: str
    source_id: str
    backend: str
    plan: list[PlannedModel]
    dry_run: bool = False
    measured: int = 0  # rows written by this invocation
    failures: list[dict[str, Any]] = field(default_factory=list)  # failures recorded by this invocation
    skipped_existing: int = 0  # cells already in the file (resume)
    models_failed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "device": self.device_id, "source": self.source_id, "backend": self.backend,
                "dry_run": self.dry_run, "measured_rows": self.measured, "failures": self.failures,
                "skipped_existing": self.skipped_existing, "models_failed": self.models_failed,
                "plan": [p.to_dict() for p in self.plan]}


# ---------------------------------------------------------------------------
# The output document


_HEADER = """\
# Written by `modelpick measure`. A valid modelpick catalog file: merge it with
#   modelpick best --data {name} --device {device} ...
# or list it in MODELPICK_DATA. Edit the device entry freely. Rerunning the same
# command skips the rows already here. Accuracy is never measured here: it comes
# from the catalog's checkpoints of each architecture.
"""


def _sig(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


def _no_alias_dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:  # shared dicts must not become &id001 anchors
            return True

    return Dumper


class _Document:
    """The output file as plain dicts, validated and written atomically on every save."""

    def __init__(self, path: Path, *, restart: bool):
        from ..catalog import read_catalog_file

        self.path = path
        if path.exists() and not restart:
            cf = read_catalog_file(path)  # an invalid file is an error: never overwrite the user's data blindly
            self.doc = cf.model_dump(mode="json", exclude_none=True)
            for key in ("device_families",):
                if not self.doc.get(key):
                    self.doc.pop(key, None)
        else:
            self.doc = {"schema_version": 1}
        for key in ("sources", "devices", "architectures", "checkpoints", "measurements", "failures"):
            self.doc.setdefault(key, [])

    def find(self, kind: str, ident: str) -> dict[str, Any] | None:
        return next((x for x in self.doc[kind] if x.get("id") == ident), None)

    def save(self) -> None:
        import yaml

        from .._fileio import write_atomic
        from ..schema import CatalogFile

        doc = {k: v for k, v in self.doc.items() if v or k == "schema_version"}
        CatalogFile.model_validate(doc)  # a bug here must never leave an invalid file
        text = _HEADER.format(name=self.path.name, device=(self.doc["devices"] or [{}])[0].get("id", "ID"))
        text += yaml.dump(doc, Dumper=_no_alias_dumper(), sort_keys=False, allow_unicode=True, width=120,
                          default_flow_style=None)
        write_atomic(self.path, text)


def _row_matches(row: dict[str, Any], arch: str, input_size: int | None, runtime: str, precision: str | None,
                 source: str, device: str, settings: dict[str, Any]) -> bool:
    if row.get("architecture") != arch or row.get("runtime") != runtime or row.get("source") != source:
        return False
    if row.get("device") != device:
        return False
    if input_size is not None and row.get("input_size") != input_size:
        return False
    if precision is not None and row.get("precision") != precision:
        return False
    have = row.get("settings") or {}
    return all(have.get(k) == v for k, v in settings.items())


# ---------------------------------------------------------------------------
# The worker process


class _Worker:
    def __init__(self, job: dict[str, Any], stderr_path: Path):
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.stderr_fh = open(stderr_path, "w+b")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "modelpick.measure.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr_fh, env=env, start_new_session=True,  # Ctrl-C reaches the parent, which stops the child
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write((json.dumps(job) + "\n").encode())
        self.proc.stdin.flush()  # stdin stays open: its closing tells the worker that the parent is gone
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                self.events.put(json.loads(raw))
            except ValueError:
                continue
        self.events.put(None)

    def next_event(self, deadline: float | None) -> dict[str, Any] | None | str:
        """The next event, None at end of stream, or 'timeout'."""
        while True:
            wait = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
            try:
                return self.events.get(timeout=wait)
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    return "timeout"

    def stderr_tail(self, n_chars: int = 800) -> str:
        self.stderr_fh.flush()
        self.stderr_fh.seek(0)
        text = self.stderr_fh.read().decode(errors="replace").strip()
        return text[-n_chars:]

    def exit_description(self) -> str:
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        if code < 0:
            import signal

            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            hint = " (the kernel's OOM killer sends SIGKILL when memory runs out)" if name == "SIGKILL" else ""
            return f"worker killed by {name}{hint}"
        return f"worker exited with code {code}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()

    def close(self) -> None:
        self.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for fh in (self.proc.stdin, self.proc.stdout):
            try:
                if fh:
                    fh.close()
            except OSError:
                pass
        self.stderr_fh.close()


# ---------------------------------------------------------------------------
# The run


def _source_protocol(backend_name: str, facts: dict[str, Any], warmup: int, runs: int, train: bool,
                     precision: str, timing_method: str, memory_method: str) -> dict[str, Any]:
    versions = facts.get("backend", {}).get("versions", {})
    host = facts.get("host", {})
    from .._version import __version__

    runtime = (f"modelpick {__version__} measure, backend {backend_name} ("
               + ", ".join(f"{k} {v}" for k, v in versions.items()) + f"), Python {host.get('python')}, {host.get('os')}")
    timing = (f"{warmup} warm-up runs, then {runs} timed runs per batch size (Bianco et al. 2018's protocol); "
              f"{timing_method}. latency_ms = mean batch time / batch size (ms per image); batch_latency_ms = mean "
              "batch time; stats (ms): mean, median, std (population, as numpy's default), min, max per image, and "
              "batch_* the same per batch")
    if train:
        timing += ("; train_step_batch_* (ms): one training step of the whole batch (forward, cross-entropy loss "
                   "on random labels, backward, SGD step), same warm-up and runs")
    return {
        "runtime": runtime,
        "precision": precision,
        "batch": "the batch sizes of each row; one forward pass processes the whole batch",
        "timing": timing,
        "memory": memory_method,
        "accuracy": "not measured: accuracy comes from the catalog's checkpoints of each architecture (weights here are random)",
    }


def _fingerprint(src: dict[str, Any]) -> tuple:
    return tuple(src.get(k) for k in ("runtime", "precision", "timing", "memory"))


def _stats(times_s: Sequence[float], batch_size: int, prefix: str = "") -> dict[str, float]:
    batch_ms = np.asarray(times_s, dtype=np.float64) * 1e3
    per_image = batch_ms / batch_size
    out: dict[str, float] = {}
    if not prefix:
        for name, arr in (("", per_image), ("batch_", batch_ms)):
            out.update({f"{name}mean": _sig(arr.mean()), f"{name}median": _sig(float(np.median(arr))),
                        f"{name}std": _sig(arr.std()), f"{name}min": _sig(arr.min()), f"{name}max": _sig(arr.max())})
    else:
        out.update({f"{prefix}mean": _sig(batch_ms.mean()), f"{prefix}median": _sig(float(np.median(batch_ms))),
                    f"{prefix}std": _sig(batch_ms.std())})
    return out


def _catalog_for_names(data: Sequence[str | os.PathLike[str]], output: Path, embedded: bool):
    from ..api import load_catalog
    from ..catalog import env_data_paths

    out_resolved = output.resolve()
    paths = [Path(p) for p in [*env_data_paths(), *data] if Path(p).resolve() != out_resolved]
    return load_catalog(*paths, embedded=embedded, use_env=False)


def run(
    models: str | Sequence[str],
    *,
    device_id: str,
    output: str | os.PathLike[str],
    backend: str = "torch",
    batch_sizes: str | Sequence[int] = DEFAULT_BATCH_SIZES,
    device: str | None = None,
    precision: str | None = None,
    compile: bool = False,
    compile_mode: str | None = None,
    channels_last: bool = False,
    threads: int | None = None,
    warmup: int = DEFAULT_WARMUP,
    runs: int = DEFAULT_RUNS,
    train: bool = False,
    input_size: int | None = None,
    backend_options: dict[str, Any] | None = None,
    data: Sequence[str | os.PathLike[str]] = (),
    embedded: bool = True,
    device_name: str | None = None,
    device_kind: str | None = None,
    source_id: str | None = None,
    restart: bool = False,
    retry_failed: bool = False,
    timeout_s: float | None = None,
    dry_run: bool = False,
    progress: bool = True,
    force_architecture: bool = False,
) -> MeasureResult:
    """Measure ``models`` on this machine and write (or extend) the catalog file ``output``.

    ``models``: comma-separated or a list of specs (see :mod:`modelpick.measure.providers`).
    ``device_id``: the catalog id of this machine (kebab-case, e.g. 'my-orin').
    ``backend``: a registered backend ('torch', 'onnxruntime', or a plugin); ``device``
    is the backend's device ('cpu', 'cuda:0', an onnxruntime provider).
    ``data``/``embedded``: catalogs used to resolve model names to canonical architectures.
    ``restart``: ignore and replace an existing output file (default: resume it).
    ``timeout_s``: per-model limit; a model past it is killed and recorded as 'timeout'.
    ``force_architecture``: file a model under the catalog architecture its name resolves to even when its
    counted params or MACs differ from that architecture's by more than 1 % (the difference is noted in the
    source's caveats). Without it such a model raises :class:`ArchitectureMismatch` before any row is written.

    Raises :class:`InvalidQuery` for bad arguments, :class:`BackendUnavailable` with an
    install hint, :class:`MeasureInterrupted` on Ctrl-C (the file stays valid).
    """
    # -- check arguments before anything runs --------------------------------
    if not isinstance(device_id, str) or not _DEVICE_ID_RE.match(device_id):
        raise InvalidQuery("device_id", device_id, "must be kebab-case: lowercase letters and digits joined by '-' (e.g. 'my-orin')")
    sizes = parse_batch_sizes(batch_sizes)
    warmup = _check_count("warmup", warmup, 0)
    runs = _check_count("runs", runs, 1)
    if threads is not None:
        _check_count("threads", threads, 1)
    if input_size is not None and (isinstance(input_size, bool) or not isinstance(input_size, int) or not 0 < input_size <= 4096):
        raise InvalidQuery("input_size", input_size, "must be an integer from 1 to 4096")
    if precision is not None and not _TOKEN_RE.match(precision):
        raise InvalidQuery("precision", precision, "must be a lowercase token such as fp32, fp16, bf16, amp-fp16")
    if device_kind is not None and device_kind not in ("gpu", "cpu", "npu", "tpu", "soc"):
        raise InvalidQuery("device_kind", device_kind, "not a device kind", choices=["gpu", "cpu", "npu", "tpu", "soc"])
    if timeout_s is not None and (not isinstance(timeout_s, (int, float)) or not math.isfinite(timeout_s) or timeout_s <= 0):
        raise InvalidQuery("timeout_s", timeout_s, "must be a number of seconds > 0")
    registry = available_backends()
    if backend not in registry:
        raise InvalidQuery("backend", backend, "unknown backend", choices=list(registry))
    backend_cls = get_backend(backend)  # raises BackendUnavailable with an install hint
    options = BackendOptions(device=device, precision=precision, compile=compile, compile_mode=compile_mode,
                             channels_last=channels_last, threads=threads, extra=dict(backend_options or {}))
    planned_settings = backend_cls.planned_settings(options)
    if source_id is None:
        tail = [precision or "default"] + (["compile"] if compile else []) + (["channels-last"] if channels_last else [])
        dev_tag = re.sub(r"[^a-z0-9]+", "-", (device or "default").lower()).strip("-")
        source_id = f"measure.{device_id}.{backend}.{dev_tag}-{'-'.join(tail)}"
    elif not re.match(r"^[a-z0-9][a-z0-9._+-]*$", source_id):
        raise InvalidQuery("source_id", source_id, "must be lowercase letters, digits and . _ + -")
    specs = parse_model_list(models)
    out_path = Path(output)
    if out_path.exists() and out_path.is_dir():
        raise InvalidQuery("output", str(out_path), "is a directory; give a .yaml file path")

    doc = _Document(out_path, restart=restart)
    existing_src = doc.find("sources", source_id)
    if existing_src is not None and not str(existing_src.get("timing", "")).startswith(
            f"{warmup} warm-up runs, then {runs} timed runs"):
        # Checked here too (not only after the worker describes the backend) to fail before any model runs.
        raise InvalidQuery("source_id", source_id, f"{out_path} already has rows of source {source_id!r} measured with "
                           "a different warm-up/runs protocol; pass --source-id NEW to add this run as a second "
                           "source, --restart to replace the file, or a new -o file")
    cat = _catalog_for_names(data, out_path, embedded)

    # -- plan ---------------------------------------------------------------
    plan: list[PlannedModel] = []
    seen_ids: dict[str, str] = {}
    for spec in specs:
        wanted = spec.explicit_id or spec.name
        try:
            arch, known = cat.resolve_architecture(wanted), True
        except ModelpickError:
            arch, known = normalize_id(wanted), False
        if arch in seen_ids:
            raise InvalidQuery("models", spec.text, f"is the same architecture {arch!r} as {seen_ids[arch]!r}; "
                               "give one an id with ID=MODEL")
        seen_ids[arch] = spec.text
        size, size_from = input_size, "given with --input-size" if input_size else None
        if size is None and known:
            size, size_from = cat.architecture(arch).input_size, "catalog architecture input size"
        if size is None:
            own = doc.find("architectures", arch)
            if own is not None:
                size, size_from = own["input_size"], "architecture entry in the output file"
        done, failed = [], {}
        for bs in sizes:
            hit = [r for r in doc.doc["measurements"] if r.get("batch_size") == bs and _row_matches(
                r, arch, size, backend_cls.runtime, precision, source_id, device_id, planned_settings)]
            if hit:
                done.append(bs)
                continue
            fails = [f for f in doc.doc["failures"] if f.get("batch_size") == bs and _row_matches(
                f, arch, size, backend_cls.runtime, precision, source_id, device_id, planned_settings)]
            if fails and not retry_failed:
                failed[bs] = fails[-1]["status"]
        if retry_failed:
            doc.doc["failures"] = [f for f in doc.doc["failures"] if not _row_matches(
                f, arch, size, backend_cls.runtime, precision, source_id, device_id, planned_settings)]
        to_run = [bs for bs in sizes if bs not in done and bs not in failed]
        catalog_counts: dict[str, float] = {}
        if known:
            entry = cat.architecture(arch)
            if entry.params_m:
                catalog_counts["params_m"] = entry.params_m
            if entry.gmacs and (size is None or size == entry.input_size):
                catalog_counts["gmacs"] = entry.gmacs  # MACs grow with the input: compare only at the same size
        plan.append(PlannedModel(spec, arch, known, size, size_from, to_run, done, failed, catalog_counts))

    result = MeasureResult(str(out_path), device_id, source_id, backend, plan, dry_run=dry_run,
                           skipped_existing=sum(len(p.done) + len(p.failed) for p in plan))
    if dry_run:
        return result

    # -- run ----------------------------------------------------------------
    total = sum(len(p.to_run) for p in plan)
    bar = _progress(total, progress)
    state: dict[str, Any] = {"described": doc.find("sources", source_id) is not None and doc.find("devices", device_id) is not None}
    import tempfile

    base_job = {"backend": backend, "options": {**options.__dict__}, "warmup": warmup, "runs": runs, "train": train,
                "sys_path": [p for p in sys.path if p and os.path.isdir(p)]}
    try:
        with tempfile.TemporaryDirectory(prefix="modelpick-measure-") as tmp:
            for pm in plan:
                if not pm.to_run:
                    continue
                if bar is not None:
                    bar.set_description(pm.architecture[:30])
                job = dict(base_job, model=pm.spec.to_json(), batch_sizes=pm.to_run, input_size=pm.input_size,
                           input_size_from=pm.input_size_from)
                _run_model(job, pm, doc, result, state, Path(tmp) / "stderr.txt", bar, timeout_s=timeout_s,
                           device_id=device_id, device_name=device_name, device_kind=device_kind, source_id=source_id,
                           backend_cls=backend_cls, warmup=warmup, runs=runs, train=train, precision=precision,
                           out_path=out_path, force_architecture=force_architecture)
    except KeyboardInterrupt:
        raise MeasureInterrupted(f"interrupted; {out_path} holds the {result.measured} row(s) measured so far and is "
                                 "valid; rerun the same command to resume") from None
    finally:
        if bar is not None:
            bar.close()
    return result


def _remote_invalid(event: dict[str, Any]) -> InvalidQuery:
    """The worker's InvalidQuery (bad device/precision), rebuilt with its message and choices."""
    exc = InvalidQuery.__new__(InvalidQuery)
    exc.param, exc.value = event.get("param", "device"), event.get("value")
    exc.choices, exc.close_matches = event.get("choices"), event.get("close_matches") or []
    Exception.__init__(exc, event["message"])
    return exc


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="batch", file=sys.stderr, dynamic_ncols=True)


def _ensure_described(facts: dict[str, Any], doc: _Document, state: dict[str, Any], *, device_id: str,
                      device_name: str | None, device_kind: str | None, source_id: str, backend_name: str,
                      warmup: int, runs: int, train: bool, precision: str, out_path: Path) -> None:
    """Add the device and source entries on first contact; refuse to mix protocols under one source id."""
    host, be = facts.get("host", {}), facts.get("backend", {})
    proto = _source_protocol(backend_name, facts, warmup, runs, train, precision, facts.get("timing_method", ""),
                             facts.get("memory_method", ""))
    existing = doc.find("sources", source_id)
    if existing is not None:
        if _fingerprint(existing) != _fingerprint(proto):
            diffs = [k for k in ("runtime", "precision", "timing", "memory") if existing.get(k) != proto.get(k)]
            raise InvalidQuery("source_id", source_id,
                               f"{out_path} already has rows of source {source_id!r} measured with a different "
                               f"{'/'.join(diffs)}; pass --source-id NEW to add this run as a second source, "
                               "--restart to replace the file, or a new -o file")
    else:
        today = _dt.date.today().isoformat()
        title = (f"modelpick measure on {device_id}: {backend_name} on {be.get('accelerator') or be.get('name')}, "
                 f"{today}")
        caveats = ["random weights (timing does not depend on them)",
                   "numbers from one machine and one run; another run's spread is in stats.std"]
        doc.doc["sources"].append({"id": source_id, "title": title,
                                   "published": {"repo": "local", "path": str(out_path)}, **proto,
                                   "caveats": caveats})
    if doc.find("devices", device_id) is None:
        kind = device_kind or be.get("kind") or "cpu"
        cores = f"{host.get('cores_physical') or '?'} cores / {host.get('cores_logical')} threads"
        parts = [f"CPU: {host.get('cpu')}, {cores}" + (f", {host.get('cores_usable')} usable" if host.get("cores_usable") != host.get("cores_logical") else "")]
        if host.get("board"):
            parts.insert(0, f"board: {host['board']}")
        if be.get("accelerator"):
            parts.append(f"accelerator: {be['accelerator']}")
        if be.get("driver"):
            parts.append(f"driver: {be['driver']}")
        parts.append(f"RAM: {host.get('ram_gb')} GB")
        parts.append(f"OS: {host.get('os')}")
        parts.append("software: Python " + str(host.get("python")) + ", "
                     + ", ".join(f"{k} {v}" for k, v in be.get("versions", {}).items()))
        entry: dict[str, Any] = {"id": device_id, "name": device_name or be.get("name") or device_id, "kind": kind}
        mem = be.get("memory_gb")
        if mem:
            entry["memory_gb"] = mem
            entry["source"] = source_id
        entry["description"] = "Auto-described by modelpick measure (edit freely). " + "; ".join(parts)
        doc.doc["devices"].append(entry)
    state["described"] = True
    doc.save()


def _run_model(job: dict[str, Any], pm: PlannedModel, doc: _Document, result: MeasureResult, state: dict[str, Any],
               stderr_path: Path, bar: Any, *, timeout_s: float | None, device_id: str, device_name: str | None,
               device_kind: str | None, source_id: str, backend_cls: Any, warmup: int, runs: int, train: bool,
               precision: str | None, out_path: Path, force_architecture: bool = False) -> None:
    worker = _Worker(job, stderr_path)
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    model_info: dict[str, Any] | None = None
    pending = list(pm.to_run)  # batch sizes with no result yet
    running: int | None = None

    def record_failure(bs: int, status: str, reason: str) -> None:
        info = model_info or {}
        row = {"architecture": pm.architecture, "input_size": info.get("input_size") or pm.input_size or 224,
               "device": device_id, "runtime": backend_cls.runtime,
               "precision": info.get("precision") or precision or "fp32", "batch_size": bs, "source": source_id,
               "status": status, "reason": reason, "settings": info.get("settings") or job_settings()}
        doc.doc["failures"].append(row)
        result.failures.append(row)
        if bs in pending:
            pending.remove(bs)
        if bar is not None:
            bar.update(1)

    def job_settings() -> dict[str, Any]:
        return backend_cls.planned_settings(BackendOptions(**job["options"]))

    try:
        while True:
            event = worker.next_event(deadline)
            if event == "timeout":
                worker.kill()
                reason = f"the model ran past --timeout-s {timeout_s:g}"
                if model_info is None or not state.get("described"):
                    result.models_failed.append(f"{pm.spec.text}: {reason} before it was loaded")
                    return
                first = running if running in pending else (pending[0] if pending else None)
                for bs in list(pending):
                    record_failure(bs, "timeout" if bs == first else "skipped",
                                   reason if bs == first else f"not run: batch size {first} timed out")
                doc.save()
                return
            if event is None:
                break
            assert isinstance(event, dict)
            kind = event.get("event")
            if kind == "fatal":
                if event.get("scope") == "run":
                    if event.get("kind") == "invalid":
                        raise _remote_invalid(event)
                    raise BackendUnavailable(event["message"])
                result.models_failed.append(f"{pm.spec.text}: {event.get('message')}")
                if bar is not None:
                    bar.update(len(pending))
                    bar.write(f"modelpick measure: {pm.spec.text}: could not be loaded: {event.get('message')}",
                              file=sys.stderr)
                else:
                    print(f"modelpick measure: {pm.spec.text}: could not be loaded: {event.get('message')}", file=sys.stderr)
                return
            if kind == "describe":
                # Every worker describes the machine; on resume this also checks the protocol is unchanged.
                _ensure_described(event, doc, state, device_id=device_id, device_name=device_name,
                                  device_kind=device_kind, source_id=source_id, backend_name=job["backend"],
                                  warmup=warmup, runs=runs, train=train,
                                  precision=precision or "the backend's default (see each row's precision)",
                                  out_path=out_path)
            elif kind == "model":
                model_info = event
                differences = _count_differences(pm, event)
                if differences and not force_architecture:
                    worker.kill()  # before any row of it is written
                    raise ArchitectureMismatch(pm.spec.text, pm.architecture, differences)
                _add_architecture(pm, event, doc, source_id, forced=differences)
                doc.save()
            elif kind == "start":
                running = event["batch_size"]
            elif kind == "batch":
                bs = event["batch_size"]
                if event["status"] == "ok":
                    _add_measurement(pm, event, model_info or {}, doc, device_id, source_id, backend_cls.runtime)
                    result.measured += 1
                    if bs in pending:
                        pending.remove(bs)
                    if bar is not None:
                        bar.update(1)
                else:
                    record_failure(bs, event["status"], event.get("reason", ""))
                doc.save()
                running = None
        # End of stream without 'done' for every batch size: the worker died.
        if pending and model_info is not None:
            why = worker.exit_description()
            tail = worker.stderr_tail()
            first = running if running in pending else pending[0]
            for bs in list(pending):
                if bs == first:
                    record_failure(bs, "crash", f"{why} while running batch size {bs}" + (f"; stderr: {tail}" if tail else ""))
                else:
                    record_failure(bs, "skipped", f"not run: the worker crashed at batch size {first}")
            doc.save()
        elif pending and model_info is None:
            why = worker.exit_description()
            tail = worker.stderr_tail()
            result.models_failed.append(f"{pm.spec.text}: {why} before the model was loaded" + (f"; stderr: {tail}" if tail else ""))
            if bar is not None:
                bar.update(len(pending))
    finally:
        worker.close()


def _counted(event: dict[str, Any]) -> dict[str, float]:
    counts = event.get("counts") or {}
    out: dict[str, float] = {}
    if counts.get("params"):
        out["params_m"] = counts["params"] / 1e6
    if counts.get("flops"):
        out["gmacs"] = counts["flops"] / 2 / 1e9
    return out


def _count_differences(pm: PlannedModel, event: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(quantity, counted, catalog) for each count more than ARCHITECTURE_TOLERANCE off the catalog architecture's."""
    if not pm.known:
        return []
    counted = _counted(event)
    out = []
    for name, want in pm.catalog_counts.items():
        got = counted.get(name)
        if got is not None and want > 0 and abs(got - want) > ARCHITECTURE_TOLERANCE * want:
            out.append((name, got, want))
    return out


def _add_architecture(pm: PlannedModel, event: dict[str, Any], doc: _Document, source_id: str,
                      forced: list[tuple[str, float, float]] | None = None) -> None:
    """Define new architectures with their counted params/MACs; note counts for catalog architectures in the source."""
    counts = event.get("counts") or {}
    params = counts.get("params")
    flops, flops_conv = counts.get("flops"), counts.get("flops_conv")
    numbers: dict[str, float] = {}
    if params:
        numbers["params_m"] = _sig(params / 1e6)
    if flops:
        numbers["gmacs"] = _sig(flops / 2 / 1e9)
    if flops_conv:
        numbers["gmacs_conv"] = _sig(flops_conv / 2 / 1e9)
    src = doc.find("sources", source_id)
    method = ("computed by counting: params_m = parameters of the built module"
              if "params_method" not in counts else f"computed by counting: params_m = {counts['params_method']}")
    if flops is not None:
        method += ("; gmacs = torch.utils.flop_counter.FlopCounterMode total FLOPs / 2 for one image at the input size; "
                   "gmacs_conv = its convolution ops only (Bianco 2018 counts conv layers only); bias adds and "
                   "element-wise ops are not counted")
    if src is not None and method not in src["caveats"]:
        src["caveats"].append(method)
    if pm.known:
        if src is not None and numbers:
            text = (f"counted for catalog architecture {pm.architecture} (its catalog entry is unchanged): "
                    + ", ".join(f"{k} {v:g}" for k, v in numbers.items()))
            if text not in src["caveats"]:
                src["caveats"].append(text)
        if src is not None and forced:
            text = (f"filed under catalog architecture {pm.architecture} with --force-architecture although its counts "
                    "differ: " + "; ".join(f"{n} counted {g:.6g} vs catalog {w:.6g}" for n, g, w in forced))
            if text not in src["caveats"]:
                src["caveats"].append(text)
        return
    if doc.find("architectures", pm.architecture) is not None:
        return
    family = re.match(r"[a-z]+", pm.architecture)
    entry: dict[str, Any] = {"id": pm.architecture, "family": family.group(0) if family else pm.architecture,
                             "input_size": int(event["input_size"]), **numbers,
                             "sources": {k: source_id for k in numbers}}
    doc.doc["architectures"].append(entry)
    if event.get("count_error") and src is not None:
        src["caveats"].append(f"{pm.architecture}: FLOPs not counted ({event['count_error']})")


def _add_measurement(pm: PlannedModel, event: dict[str, Any], info: dict[str, Any], doc: _Document, device_id: str,
                     source_id: str, runtime: str) -> None:
    bs = int(event["batch_size"])
    stats = _stats(event["times_s"], bs)
    row: dict[str, Any] = {
        "architecture": pm.architecture, "input_size": int(info.get("input_size") or pm.input_size or 224),
        "device": device_id, "runtime": runtime, "precision": info.get("precision") or "fp32", "batch_size": bs,
        "latency_ms": stats["mean"], "batch_latency_ms": stats["batch_mean"],
    }
    if event.get("memory_mb"):
        row["memory_mb"] = _sig(event["memory_mb"])
        row["memory_includes"] = event["memory_includes"]
    details = {k: _sig(v) for k, v in (event.get("memory_details_mb") or {}).items() if v is not None}
    if details:
        row["memory_details_mb"] = details
    row["source"] = source_id
    row["settings"] = dict(info.get("settings") or {})
    if event.get("train_times_s"):
        stats.update(_stats(event["train_times_s"], bs, prefix="train_step_batch_"))
    row["stats"] = stats
    if pm.spec.name != pm.architecture:
        row["name"] = pm.spec.name
    notes = []
    if info.get("input_size_from"):
        notes.append(f"input size from {info['input_size_from']}")
    if event.get("train_note"):
        notes.append(event["train_note"])
    if notes:
        row["note"] = "; ".join(notes)
    doc.doc["measurements"].append(row)
