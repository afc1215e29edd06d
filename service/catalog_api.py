"""``GET /devices``, ``/devices/<id>``, ``/models``, ``/models/<id>``: what the catalog holds."""

from __future__ import annotations

import typing

from flask import Blueprint

from modelpick.errors import InvalidQuery, UnknownDevice, UnknownName
from modelpick.schema import DeviceKind
from modelpick.tasks import DEFAULT_TASK, get_task

from .common import conditional, make_etag, read_args, state
from .problems import Problem, invalid, param_error

bp = Blueprint("catalog", __name__)

DEVICE_KINDS = list(typing.get_args(DeviceKind))
MODEL_KINDS = ["architecture", "checkpoint"]
MAX_PATTERN = 200


def _pattern(args: dict[str, str]) -> str | None:
    q = args.get("q")
    if q is None:
        return None
    if len(q) > MAX_PATTERN:
        raise invalid([param_error(InvalidQuery("q", q, f"longer than {MAX_PATTERN} characters"))])
    return q.strip() or None


def _choice(args: dict[str, str], name: str, choices: list[str]) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    if value.strip().lower() not in choices:
        raise invalid([param_error(InvalidQuery(name, value, f"not a valid {name}", choices=choices))])
    return value.strip().lower()


def _not_found(exc: UnknownDevice | UnknownName, *, list_choices: bool = True) -> Problem:
    entry = param_error(exc)
    if not list_choices:  # thousands of names: keep the close matches, point to the listing
        entry["choices"] = None
        entry["message"] = f"{exc.param}={exc.value!r}: unknown; see GET /models" + (
            f"; did you mean {', '.join(exc.close_matches)}?" if exc.close_matches else "")
    return Problem("not-found", entry["message"], errors=[entry])


@bp.get("/devices")
def devices():
    """Devices whose id, name or alias matches ``q`` (fnmatch pattern, substring without wildcards)."""
    args = read_args(("q", "kind"))
    pattern, kind = _pattern(args), _choice(args, "kind", DEVICE_KINDS)
    st = state()

    def build():
        found = st.catalog.devices(pattern, kind=kind)
        return {"devices": [d.model_dump(mode="json") for d in found], "count": len(found),
                "device_families": st.catalog.device_families, "catalog": st.info}

    return conditional(make_etag("devices", pattern, kind), build)


@bp.get("/devices/<path:device_id>")  # a name with "/" is an unknown device (404 with close matches), not a missing route
def device(device_id: str):
    """One device by id, alias or family name, with what was measured on it."""
    read_args(())
    st = state()
    try:
        canonical = st.catalog.resolve_device(device_id)
    except UnknownDevice as exc:
        raise _not_found(exc) from None

    def build():
        cat = st.catalog
        return {
            "device": cat.device(canonical).model_dump(mode="json"),
            "runtimes": cat.runtimes(canonical),
            "precisions": cat.precisions(canonical),
            "batch_sizes": cat.batch_sizes(canonical),
            "suspects": [m.model_dump(mode="json", exclude_none=True) for m in cat.suspects(canonical)],
            "catalog": st.info,
        }

    return conditional(make_etag("device", canonical), build)


@bp.get("/models")
def models():
    """Architectures and checkpoints matching ``q``; ``kind`` keeps one list; ``architecture`` filters checkpoints."""
    args = read_args(("q", "kind", "architecture", "task"))
    pattern, kind = _pattern(args), _choice(args, "kind", MODEL_KINDS)
    st = state()
    arch, task = args.get("architecture"), args.get("task")
    try:
        if arch is not None:
            arch = st.catalog.resolve_architecture(arch)
        # default: classification, or the named architecture's task
        task = get_task(task).id if task is not None or arch is None else st.catalog.architecture(arch).task
    except InvalidQuery as exc:
        raise invalid([param_error(exc)]) from None

    def build():
        cat = st.catalog
        body = {}
        if kind in (None, "architecture"):
            found = [a for a in cat.architectures(pattern, task=task) if arch is None or a.id == arch]
            body["architectures"] = [a.model_dump(mode="json") for a in found]
        if kind in (None, "checkpoint"):
            body["checkpoints"] = [c.model_dump(mode="json")
                                   for c in cat.checkpoints(pattern, architecture=arch, task=task)]
        body["catalog"] = st.info
        return body

    return conditional(make_etag("models", pattern, kind, arch, *(() if task == DEFAULT_TASK else (task,))), build)


@bp.get("/models/<path:model_id>")
def model(model_id: str):
    """A checkpoint (exact id) or an architecture (id or alias), with its architecture or its checkpoints.

    A name that is both is answered as the checkpoint unless ``kind=architecture``.
    """
    kind = _choice(read_args(("kind",)), "kind", MODEL_KINDS)
    st = state()
    cat = st.catalog
    key = None
    # Lookups in sets built once (State.build): an unknown name costs one close-match search, not three.
    if kind in (None, "checkpoint") and model_id in st.checkpoint_ids:
        key = ("checkpoint", model_id)
    elif kind in (None, "architecture") and model_id.lower() in st.architecture_ids:
        key = ("architecture", st.architecture_ids[model_id.lower()])
    if key is None:
        if kind is None:
            err = UnknownName("model", model_id, "not an architecture or checkpoint", choices=st.model_names)
        elif kind == "checkpoint":
            err = UnknownName("checkpoint", model_id, "unknown checkpoint", choices=st.checkpoint_names)
        else:
            err = UnknownName("architecture", model_id, "unknown architecture", choices=st.architecture_names)
        raise _not_found(err, list_choices=False)

    def build():
        found, ident = key
        info = state().info
        if found == "checkpoint":
            ck = cat.checkpoint(ident)
            return {"kind": found, "checkpoint": ck.model_dump(mode="json"),
                    "architecture": cat.architecture(ck.architecture).model_dump(mode="json"), "catalog": info}
        return {"kind": found, "architecture": cat.architecture(ident).model_dump(mode="json"),
                "checkpoints": [c.model_dump(mode="json") for c in cat.checkpoints(architecture=ident)],
                "catalog": info}

    return conditional(make_etag("model", *key), build)
