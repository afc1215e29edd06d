"""Save and restore fitted objects as data only: JSON for structure, numpy arrays without pickle.

A cache file that another user could write must never become code, so no pickle. :func:`dumps` walks an
object graph of plain values, numpy arrays and instances of an explicit list of classes; :func:`loads`
rebuilds it, creating instances only of those classes (``__new__`` plus their saved attributes: no
``__init__``, ``__setstate__`` or ``__reduce__`` runs) and reading arrays with ``allow_pickle=False``.
Anything else in the graph (a function, an object array, an unlisted class) is a :class:`TypeError` when
saving, and any unexpected shape when loading is a :class:`ValueError`: callers treat both as a cache miss.

The file is one ``.npz``: the large arrays, plus the JSON structure as the uint8 array ``__state__``; small
arrays travel inside the JSON as base64 of their bytes (thousands of tiny zip members would cost more to
open than to decode).
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any, Iterable

import numpy as np
import orjson

_STATE = "__state__"
#: Arrays up to this many bytes are stored inline in the JSON.
_INLINE_BYTES = 4096


def dumps(obj: Any, classes: Iterable[type], *, compress: bool = False) -> bytes:
    """``compress``: deflate every member, with fixed member dates, so that the same object gives the same bytes
    (a file shipped with the package)."""
    by_name = {c.__qualname__: c for c in classes}
    arrays: dict[str, np.ndarray] = {}

    def enc(o: Any) -> Any:
        if o is None or isinstance(o, (bool, str)):
            return o
        if isinstance(o, int) and type(o) is int:
            return o
        if type(o) is float:
            return o if math.isfinite(o) else {"$float": repr(o)}
        if isinstance(o, np.ndarray):
            if o.dtype.hasobject:
                raise TypeError("object arrays cannot be saved without pickle")
            if o.nbytes <= _INLINE_BYTES:
                data = np.ascontiguousarray(o).tobytes()
                return {"$inline": [o.dtype.str, list(o.shape), base64.b64encode(data).decode()]}
            key = f"a{len(arrays)}"
            arrays[key] = o
            return {"$array": key}
        if isinstance(o, np.generic):
            return {"$scalar": o.dtype.str, "value": enc(o.item())}
        if type(o) is list:
            return [enc(x) for x in o]
        if type(o) is tuple:
            return {"$t": [enc(x) for x in o]}
        if isinstance(o, tuple):
            return {"$tuple": _allowed(type(o), by_name), "items": [enc(x) for x in o]}
        if type(o) is dict:
            return {"$dict": [[enc(k), enc(v)] for k, v in o.items()]}
        if type(o) in (set, frozenset):
            # Sorted by encoding: set order follows string hashing, which changes per process, and the
            # shipped fit must rebuild byte for byte.
            items = sorted((enc(x) for x in o), key=orjson.dumps)
            return {"$set": items, "frozen": type(o) is frozenset}
        name = _allowed(type(o), by_name)
        if not hasattr(o, "__dict__"):
            raise TypeError(f"{name} has no __dict__ to save")
        return {"$object": name, "state": enc(dict(vars(o)))}

    state = orjson.dumps(enc(obj))
    buf = io.BytesIO()
    members = {**arrays, _STATE: np.frombuffer(state, dtype=np.uint8)}
    if not compress:
        np.savez(buf, **members)
        return buf.getvalue()
    import zipfile

    from numpy.lib import format as npformat

    with zipfile.ZipFile(buf, "w") as zf:
        for name, array in members.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as member:
                npformat.write_array(member, np.asanyarray(array), allow_pickle=False)
    return buf.getvalue()


def _allowed(cls: type, by_name: dict[str, type]) -> str:
    name = cls.__qualname__
    if by_name.get(name) is not cls:
        raise TypeError(f"{cls.__module__}.{name} is not in the list of classes that may be saved")
    return name


#: Largest saved state read back.
MAX_LOAD_BYTES = 512 * 2**20


def npz_arrays(buf) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` in ``buf``, without pickle; ``ValueError`` for any member whose header claims
    more data than the member holds (a planted header with shape (2**40,) must not allocate terabytes)."""
    import zipfile

    from numpy.lib import format as npformat

    with zipfile.ZipFile(buf) as zf:
        if sum(info.file_size for info in zf.infolist()) > 2 * MAX_LOAD_BYTES:
            raise ValueError("the members would inflate past the size a saved state may have")
        for info in zf.infolist():
            with zf.open(info) as member:
                version = npformat.read_magic(member)
                if version not in ((1, 0), (2, 0), (3, 0)):
                    raise ValueError("unknown .npy version")
                reader = npformat.read_array_header_1_0 if version == (1, 0) else npformat.read_array_header_2_0
                shape, _, dtype = reader(member)
                if dtype.hasobject:
                    raise ValueError("object array")
                count = 1
                for n in shape:
                    count *= int(n)
                if count * dtype.itemsize > info.file_size:
                    raise ValueError(f"{info.filename}: header claims more data than the member holds")
        buf.seek(0)
    with np.load(buf, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def load(path, classes: Iterable[type]) -> Any:
    """Rebuild the object saved by :func:`dumps` in the file at ``path`` (a regular file within
    :data:`MAX_LOAD_BYTES`; anything else is an ``OSError``)."""
    from ._fileio import FileReadError, read_bounded

    by_name = {c.__qualname__: c for c in classes}
    try:
        raw = read_bounded(path, MAX_LOAD_BYTES, what="saved state")
    except FileReadError as exc:
        raise OSError(str(exc)) from None
    arrays = npz_arrays(io.BytesIO(raw))
    if _STATE not in arrays:
        raise ValueError("not a saved state")
    state = orjson.loads(arrays.pop(_STATE).tobytes())

    def dec(node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [dec(x) for x in node]
        if not isinstance(node, dict) or len(node) > 2:
            raise ValueError("not a saved state")
        if "$float" in node:
            return float(node["$float"])
        if "$t" in node:
            return tuple([dec(x) for x in node["$t"]])
        if "$inline" in node:
            dtype, shape, data = node["$inline"]
            dtype = np.dtype(dtype)
            if dtype.hasobject:
                raise ValueError("not a saved state")
            return np.frombuffer(base64.b64decode(data), dtype=dtype).reshape(shape).copy()
        if "$array" in node:
            return arrays[node["$array"]]
        if "$scalar" in node:
            return np.dtype(node["$scalar"]).type(dec(node["value"]))
        if "$tuple" in node:
            items = [dec(x) for x in node["items"]]
            return tuple(items) if node["$tuple"] is None else _cls(node["$tuple"], by_name)(*items)
        if "$dict" in node:
            return {_hashable(dec(k)): dec(v) for k, v in node["$dict"]}
        if "$set" in node:
            items = {_hashable(dec(x)) for x in node["$set"]}
            return frozenset(items) if node["frozen"] else items
        if "$object" in node:
            cls = _cls(node["$object"], by_name)
            attrs = dec(node["state"])
            if not isinstance(attrs, dict) or not all(isinstance(k, str) for k in attrs):
                raise ValueError("not a saved state")
            obj = cls.__new__(cls)
            obj.__dict__.update(attrs)
            return obj
        raise ValueError("not a saved state")

    return dec(state)


def _cls(name: Any, by_name: dict[str, type]) -> type:
    if not isinstance(name, str) or name not in by_name:
        raise ValueError(f"a saved state names an unknown class {name!r}")
    return by_name[name]


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, dict, set, np.ndarray)):
        raise ValueError("not a saved state")
    return value
