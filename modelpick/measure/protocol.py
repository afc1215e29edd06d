"""The parent's side of the worker protocol (see :mod:`modelpick.measure.worker`): one process per model, its JSON
events read on a thread, a deadline, and each event turned into the output document's rows as it arrives; a crash,
a kill or a timeout becomes failure rows for the batch sizes left.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import InvalidQuery
from .backend import BackendOptions, BackendUnavailable
from .output import Document
from .planning import MeasureResult, PlannedModel
from .results import ArchitectureMismatch, add_architecture, add_measurement, count_differences, ensure_described


class Worker:
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


def remote_invalid(event: dict[str, Any]) -> InvalidQuery:
    """The worker's InvalidQuery (bad device/precision), rebuilt with its message and choices."""
    exc = InvalidQuery.__new__(InvalidQuery)
    exc.param, exc.value = event.get("param", "device"), event.get("value")
    exc.choices, exc.close_matches = event.get("choices"), event.get("close_matches") or []
    Exception.__init__(exc, event["message"])
    return exc


def run_model(job: dict[str, Any], pm: PlannedModel, doc: Document, result: MeasureResult, state: dict[str, Any],
              stderr_path: Path, bar: Any, *, timeout_s: float | None, device_id: str, device_name: str | None,
              device_kind: str | None, source_id: str, backend_cls: Any, warmup: int, runs: int, train: bool,
              precision: str | None, out_path: Path, force_architecture: bool = False) -> None:
    worker = Worker(job, stderr_path)
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
                        raise remote_invalid(event)
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
                ensure_described(event, doc, state, device_id=device_id, device_name=device_name,
                                 device_kind=device_kind, source_id=source_id, backend_name=job["backend"],
                                 warmup=warmup, runs=runs, train=train,
                                 precision=precision or "the backend's default (see each row's precision)",
                                 out_path=out_path)
            elif kind == "model":
                model_info = event
                differences = count_differences(pm, event)
                if differences and not force_architecture:
                    worker.kill()  # before any row of it is written
                    raise ArchitectureMismatch(pm.spec.text, pm.architecture, differences)
                add_architecture(pm, event, doc, source_id, forced=differences)
                doc.save()
            elif kind == "start":
                running = event["batch_size"]
            elif kind == "batch":
                bs = event["batch_size"]
                if event["status"] == "ok":
                    add_measurement(pm, event, model_info or {}, doc, device_id, source_id, backend_cls.runtime)
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
