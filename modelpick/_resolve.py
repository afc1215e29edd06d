"""Query resolution, a mixin of :class:`modelpick.solver.Catalog`: device, architecture and checkpoint names
to canonical ids, the catalog's lists (devices, architectures, checkpoints, runtimes ...), device blocks, and
validated :class:`Query` objects."""

from __future__ import annotations

from typing import Any, get_args

import numpy as np

from .catalog import match_patterns, natural_key, normalize_name
from .errors import InvalidQuery, UnknownDevice, UnknownName
from .schema import Architecture, Checkpoint, Device, DeviceKind, Measurement, Query
from .tasks import get_task

_DEVICE_KINDS = frozenset(get_args(DeviceKind))


def make_query(device: Any, **kwargs: Any) -> Query:
    """Validate query arguments; errors name the argument, the value and the valid range or choices."""
    from pydantic import ValidationError

    try:
        return Query(device=device, **kwargs)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        param = str(err["loc"][0]) if err["loc"] else "query"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            raise InvalidQuery(param, value, "unknown argument", choices=list(Query.model_fields)) from None
        if err["type"] == "literal_error":
            choices = list(Query.model_fields[param].annotation.__args__) if param in Query.model_fields else None
            raise InvalidQuery(param, value, "not a valid choice", choices=choices) from None
        raise InvalidQuery(param, value, err["msg"]) from None


class Lookups:
    """Names to ids, the catalog's lists, and query validation (reads ``_m``, ``_cols``, ``_str``, ``_code``)."""

    def resolve_device(self, name: str) -> str:
        """Canonical device id for an id, alias or family name (case-insensitive)."""
        if not isinstance(name, str) or not name.strip():
            raise UnknownDevice("device", name, "a device id, alias or family is required", choices=self._m.devices)
        hit = self._device_names.get(normalize_name(name))
        if hit is None and normalize_name(name) in self._device_groups:
            members = sorted(self._device_groups[normalize_name(name)], key=natural_key)
            raise UnknownDevice("device", name, f"names a group of {len(members)} devices, not one device; pick one",
                                choices=members)
        if hit is None:
            choices = sorted(set(self._m.devices) | set(self._m.device_families))
            raise UnknownDevice("device", name, "unknown device", choices=choices)
        return hit

    def device(self, name: str) -> Device:
        return self._m.devices[self.resolve_device(name)]

    def resolve_architecture(self, name: str) -> str:
        hit = self._arch_names.get(str(name).lower())
        if hit is None:
            raise UnknownName("architecture", name, "unknown architecture", choices=self._m.architectures)
        return hit

    def architecture(self, name: str) -> Architecture:
        return self._m.architectures[self.resolve_architecture(name)]

    def checkpoint(self, name: str) -> Checkpoint:
        try:
            return self._m.checkpoints[name]
        except KeyError:
            raise UnknownName("checkpoint", name, "unknown checkpoint", choices=self._m.checkpoints) from None

    def devices(self, pattern: str | None = None, *, kind: str | None = None) -> list[Device]:
        """Devices whose id, name or alias matches the fnmatch pattern (substring without wildcards).

        A pattern that is a device kind ('cpu', 'gpu', ...) or tag ('phone', 'android', 'amd', ...) lists exactly
        the devices of that kind or with that tag, not every name that happens to contain the word.
        """
        group = normalize_name(pattern) if pattern is not None else None
        by_group = group is not None and (group in _DEVICE_KINDS or group in self._device_groups)
        # the device `--device PATTERN` resolves to (a family's default, e.g. 'xeon') and its family are listed too
        resolved = self._device_names.get(group) if group is not None else None
        out = []
        for d in self._m.devices.values():
            if kind and d.kind != kind:
                continue
            if resolved is not None and not by_group and (d.id == resolved or normalize_name(d.family or "") == group):
                out.append(d)
            elif by_group:
                if d.kind == group or group in {normalize_name(t) for t in d.tags}:
                    out.append(d)
            elif pattern is None or match_patterns([d.id, d.name, *d.aliases], pattern):
                out.append(d)
        return sorted(out, key=lambda d: natural_key(d.id))

    def architectures(self, pattern: str | None = None, *, task: str | None = None) -> list[Architecture]:
        """Architectures of ``task`` (default classification) whose id or alias matches the pattern."""
        tid = get_task(task).id
        out = [a for a in self._m.architectures.values()
               if a.task == tid and (pattern is None or match_patterns([a.id, *a.aliases], pattern))]
        return sorted(out, key=lambda a: natural_key(a.id))

    def checkpoints(self, pattern: str | None = None, *, architecture: str | None = None,
                    task: str | None = None) -> list[Checkpoint]:
        """Checkpoints of ``task`` (default: the named architecture's task, else classification)."""
        arch = self.resolve_architecture(architecture) if architecture else None
        tid = get_task(task).id if task is not None or arch is None else self._m.architectures[arch].task
        archs = self._m.architectures
        out = [c for c in self._m.checkpoints.values()
               if (arch is None or c.architecture == arch) and archs[c.architecture].task == tid
               and (pattern is None or match_patterns([c.id, c.architecture, c.name or ""], pattern))]
        return sorted(out, key=lambda c: natural_key(c.id))

    def suspects(self, device: str | None = None) -> list[Measurement]:
        """Measurements the suspect screen judged implausible (``suspect`` says why), of one device or all.

        Answers leave them out unless asked (``include_suspect=True``).
        """
        dev = self.resolve_device(device) if device is not None else None
        # only the suspect rows become objects: all 37,000 cost a service worker 44 MB (200 MB once copied on write)
        built, raw, keep = self._measurement_objs, self._m.measurements, set(Measurement.model_fields)
        return [built[i] if built is not None
                else Measurement.model_construct(**{k: v for k, v in raw[i].items() if k in keep})
                for i in sorted(self._m.suspects) if dev is None or raw[i]["device"] == dev]

    def runtimes(self, device: str | None = None) -> list[str]:
        return self._distinct("runtime", device)

    def precisions(self, device: str | None = None) -> list[str]:
        return self._distinct("precision", device)

    def batch_sizes(self, device: str | None = None) -> list[int]:
        lo, hi = self._block(device) if device else (0, len(self))
        return sorted({int(b) for b in np.unique(self._cols["batch_size"][lo:hi])})

    def _distinct(self, kind: str, device: str | None) -> list[str]:
        if device is None:
            if self._m.known and kind in self._m.known:
                return list(self._m.known[kind])
            return sorted({m[kind] for m in self._m.measurements})
        lo, hi = self._block(device)
        return sorted(self._str[kind][c] for c in np.unique(self._cols[kind][lo:hi]))

    def _block(self, device: str) -> tuple[int, int]:
        code = self._code["device"].get(self.resolve_device(device))
        return self._blocks.get(code, (0, 0)) if code is not None else (0, 0)

    # -- solving ---------------------------------------------------------------
    def query(self, device: Any, **kwargs: Any) -> Query:
        """Validate arguments into a normalised :class:`Query` with the canonical device id."""
        return self.normalize(make_query(device, **kwargs))

    def normalize(self, q: Query) -> Query:
        """An already valid :class:`Query` with the canonical device id, task and lower-case runtime/precision
        (no second validation: the REST service parses its query string once, straight into a Query)."""
        dev = self.resolve_device(q.device)
        task = get_task(q.task)
        if q.min_top1 is not None and task.score_field != "top1":
            raise InvalidQuery("min_top1", q.min_top1, f"min_top1 is the ImageNet top-1 limit of classifiers; "
                               f"task={task.id!r} ranks by {task.label} ({task.metric}): use min_score")
        updates: dict[str, Any] = {"device": dev, "task": task.id}
        for kind in ("runtime", "precision"):
            value = getattr(q, kind)
            if value is None:
                continue
            known = self._distinct(kind, None)
            low = value.strip().lower()
            if low not in known:
                raise UnknownName(kind, value, f"unknown {kind}", choices=known)
            on_device = self._distinct(kind, dev)
            if low not in on_device:
                raise UnknownName(kind, value, f"no candidate on {dev} uses this {kind} (a measurement there may exist "
                                               f"but pair with no checkpoint)", choices=on_device)
            updates[kind] = low
        return q.model_copy(update=updates)
