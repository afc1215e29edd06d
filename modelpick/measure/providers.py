"""Model providers: turn a ``--models`` entry into a model the backends can run.

A model spec is ``[ID=]TARGET`` where TARGET is one of

* ``package.module:function`` -- a Python factory called with no arguments; it returns
  a ``torch.nn.Module`` (or the path of an ``.onnx`` file);
* ``path/to/model.onnx`` -- an ONNX file;
* ``torchvision:NAME`` or ``timm:NAME`` -- a model of that package, built with random weights;
* ``NAME`` -- a torchvision model if torchvision has it, else a timm model (when installed).

``ID`` sets the catalog architecture id of the rows; without it the id is the
model name (the factory's function name, the file stem). When the catalog knows
the id or one of its aliases, the rows reference the catalog's canonical
architecture (and its checkpoints' accuracy); otherwise the output file defines
a new architecture.

Weights are random: timing does not depend on them, and accuracy always comes
from the catalog's checkpoints, never from a measurement run.

The input size a model declares is read from, in order: an ``input_size``
attribute of the module or factory (an int, ``(H, W)`` or ``(C, H, W)``, as
Cadene's pretrainedmodels do), timm's ``pretrained_cfg``, torchvision's weight
transforms, or the ONNX graph's static input shape.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidQuery, ModelpickError
from .backend import LoadedModel

ZOOS = ("torchvision", "timm")
_FACTORY_RE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
_ID_OK = re.compile(r"^[a-z0-9][a-z0-9._+-]*$")


class ModelLoadError(ModelpickError):
    """A model could not be built (bad factory, missing file, missing package)."""


@dataclass(frozen=True)
class ModelSpec:
    """A parsed ``--models`` entry."""

    text: str  # as the user wrote it
    kind: str  # 'factory' | 'onnx' | 'torchvision' | 'timm'
    target: str  # 'pkg.mod:fn', a file path, or the zoo model name
    name: str  # the model's own name (function name, file stem, zoo name)
    explicit_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "target": self.target, "name": self.name,
                "explicit_id": self.explicit_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ModelSpec":
        return cls(**data)


def normalize_id(name: str) -> str:
    """A catalog-valid architecture id from a model name ('MyNet_v2' -> 'mynet_v2')."""
    out = re.sub(r"[^a-z0-9._+-]+", "-", name.strip().lower()).strip("-._+")
    return out or "model"


def _zoo_has(zoo: str, name: str) -> bool | None:
    """True/False when the zoo is installed, None when it is not."""
    if importlib.util.find_spec(zoo) is None:
        return None
    try:
        if zoo == "torchvision":
            import torchvision.models as tvm

            return name in tvm.list_models(module=tvm)
        import timm

        return bool(timm.is_model(name))
    except Exception:  # a broken install (e.g. torchvision built for another torch) counts as not installed
        return None


def _zoo_choices(zoo: str) -> list[str]:
    try:
        if zoo == "torchvision":
            import torchvision.models as tvm

            return list(tvm.list_models(module=tvm))
        import timm

        return list(timm.list_models())
    except Exception:
        return []


def parse_model_spec(text: str, *, check: bool = True) -> ModelSpec:
    """Parse one ``--models`` entry; with ``check``, verify that the file/package/name exists."""
    raw = text.strip()
    if not raw:
        raise InvalidQuery("models", text, "empty model name")
    explicit_id = None
    head, sep, rest = raw.partition("=")
    if sep:
        explicit_id = normalize_id(head)
        if not _ID_OK.match(head.strip().lower()):
            raise InvalidQuery("models", text, f"architecture id {head!r} must be lowercase letters, digits and . _ + -")
        raw = rest.strip()
    if raw.lower().endswith(".onnx"):
        path = Path(raw).expanduser()
        if check and not path.is_file():
            raise InvalidQuery("models", text, f"ONNX file {str(path)!r} does not exist")
        return ModelSpec(text, "onnx", str(path), path.stem, explicit_id)
    zoo, sep, zname = raw.partition(":")
    if sep and zoo.lower() in ("torchvision", "tv", "timm"):
        zoo = "timm" if zoo.lower() == "timm" else "torchvision"
        if check:
            has = _zoo_has(zoo, zname)
            if has is None:
                raise ModelLoadError(f"model {text!r} needs {zoo}, which is not installed (or does not import); "
                                     f"install it with: pip install {zoo}")
            if not has:
                raise InvalidQuery("models", text, f"{zoo} has no model {zname!r}", choices=_zoo_choices(zoo))
        return ModelSpec(text, zoo, zname, zname, explicit_id)
    if sep:
        if not _FACTORY_RE.match(raw):
            raise InvalidQuery("models", text, "a factory must be written 'package.module:function'")
        module_name, _, func = raw.partition(":")
        if check and importlib.util.find_spec(module_name.split(".")[0]) is None:
            raise InvalidQuery("models", text, f"module {module_name!r} is not importable (check PYTHONPATH)")
        return ModelSpec(text, "factory", raw, func.split(".")[-1], explicit_id)
    # A bare name: torchvision first, then timm.
    if check:
        for zoo in ZOOS:
            has = _zoo_has(zoo, raw)
            if has:
                return ModelSpec(text, zoo, raw, raw, explicit_id)
        installed = [z for z in ZOOS if _zoo_has(z, "") is not None]
        if not installed:
            raise ModelLoadError(
                f"unknown model {text!r}: not a factory 'package.module:function' or an .onnx file, and neither "
                "torchvision nor timm is installed to build it by name (pip install torchvision, or timm)")
        choices = [c for z in installed for c in _zoo_choices(z)]
        raise InvalidQuery("models", text, f"not a model of {' or '.join(installed)}", choices=choices)
    return ModelSpec(text, "torchvision", raw, raw, explicit_id)


def parse_model_list(text_or_list: str | list[str] | tuple[str, ...], *, check: bool = True) -> list[ModelSpec]:
    items = [p for p in (text_or_list.split(",") if isinstance(text_or_list, str) else list(text_or_list))]
    if not items or all(not str(p).strip() for p in items):
        raise InvalidQuery("models", text_or_list, "no model given (comma-separated names, factories or .onnx files)")
    specs = [parse_model_spec(str(p), check=check) for p in items if str(p).strip()]
    seen: dict[str, str] = {}
    for s in specs:
        key = s.text.strip()
        if key in seen:
            raise InvalidQuery("models", key, "listed twice")
        seen[key] = key
    return specs


# ---------------------------------------------------------------------------
# Building (in the worker process)


def _size_from(value: Any) -> int | None:
    """An int, (H, W) or (C, H, W) -> the square spatial size."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, int) for v in value):
        h, w = (value[-2], value[-1]) if len(value) >= 2 else (value[0], value[0])
        if h == w and h > 0:
            return h
    return None


def _declared_size(*objs: Any) -> tuple[int | None, str | None]:
    for obj in objs:
        if obj is None:
            continue
        size = _size_from(getattr(obj, "input_size", None))
        if size:
            return size, f"{type(obj).__name__}.input_size"
        for cfg_name in ("pretrained_cfg", "default_cfg"):
            cfg = getattr(obj, cfg_name, None)
            if isinstance(cfg, dict):
                size = _size_from(cfg.get("input_size"))
                if size:
                    return size, f"timm {cfg_name}['input_size']"
    return None, None


def onnx_input_info(path: str) -> tuple[int | None, int]:
    """The static square spatial size and channel count of an ONNX model's first input, when the graph says."""
    try:
        import onnx
    except ImportError:
        return None, 3
    model = onnx.load(path, load_external_data=False)
    inits = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in inits]
    if not inputs:
        return None, 3
    dims = [d.dim_value if d.HasField("dim_value") else None for d in inputs[0].type.tensor_type.shape.dim]
    channels = dims[1] if len(dims) == 4 and dims[1] else 3
    if len(dims) == 4 and dims[2] and dims[2] == dims[3]:
        return dims[2], channels
    return None, channels


def build_model(spec: ModelSpec) -> LoadedModel:
    """Build the model in this process (the worker)."""
    if spec.kind == "onnx":
        size, channels = onnx_input_info(spec.target)
        return LoadedModel("onnx", spec.target, size, "ONNX graph input shape" if size else None, channels)
    if spec.kind == "factory":
        module_name, _, attr = spec.target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ModelLoadError(f"model {spec.text!r}: cannot import {module_name!r}: {exc}") from None
        func: Any = module
        for part in attr.split("."):
            try:
                func = getattr(func, part)
            except AttributeError:
                raise ModelLoadError(f"model {spec.text!r}: {module_name!r} has no attribute {attr!r}") from None
        if not callable(func):
            raise ModelLoadError(f"model {spec.text!r}: {spec.target} is not callable")
        obj = func()
        if isinstance(obj, (str, Path)) and str(obj).lower().endswith(".onnx"):
            size, channels = onnx_input_info(str(obj))
            return LoadedModel("onnx", str(obj), size, "ONNX graph input shape" if size else None, channels)
        size, where = _declared_size(obj, func)
        # Checked by class ancestry so that building a non-torch model never imports torch.
        is_torch = any(c.__module__.startswith("torch.nn") for c in type(obj).__mro__)
        return LoadedModel("torch" if is_torch else "python", obj, size, where, int(getattr(obj, "in_channels", 3) or 3))
    if spec.kind == "torchvision":
        import torchvision.models as tvm

        model = tvm.get_model(spec.target, weights=None)
        size, where = _declared_size(model)
        if size is None:
            try:  # the weights' preprocessing preset knows the crop size; reading it downloads nothing
                crop = tvm.get_model_weights(spec.target).DEFAULT.transforms().crop_size
                size, where = _size_from(list(crop)), "torchvision weights transforms crop_size"
            except Exception:
                pass
        return LoadedModel("torch", model, size, where)
    if spec.kind == "timm":
        import timm

        model = timm.create_model(spec.target, pretrained=False)
        size, where = _declared_size(model)
        return LoadedModel("torch", model, size, where)
    raise ModelLoadError(f"model {spec.text!r}: unknown provider kind {spec.kind!r}")
