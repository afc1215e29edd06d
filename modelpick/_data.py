"""Files shipped with modelpick (the embedded table, the reviewed alias table), found where pip put them.

An installed modelpick (``pip install``, ``--user``, ``--target``, a wheel) carries them inside the package,
in ``modelpick/data/``, read through :mod:`importlib.resources`. A source checkout (an editable install,
or tests run from the repository) reads the repository's ``data/`` folder, the one the build writes.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .errors import CatalogError


def data_file(name: str) -> Path:
    """The shipped file ``name`` (e.g. ``benchmarks.yaml``) as a path on disk (looked up once per process)."""
    hit = _FOUND.get(name)
    if hit is None:
        hit = _FOUND[name] = _find(name)
    return hit


_FOUND: dict[str, Path] = {}


def _find(name: str) -> Path:
    packaged = files("modelpick").joinpath("data", name)
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent
    repo = checkout / "data" / name
    if repo.is_file() and (checkout / "pyproject.toml").is_file():
        return repo
    raise CatalogError([f"{name} is not installed with modelpick; looked in {packaged} and {repo}"])
