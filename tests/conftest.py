"""Shared fixtures. Every test session gets its own catalog cache directory."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("MODELPICK_CACHE_DIR", str(tmp_path_factory.mktemp("modelpick-cache")))
    mp.delenv("MODELPICK_DATA", raising=False)
    yield
    mp.undo()


@pytest.fixture(scope="session")
def mini_catalog():
    """The hand-made fixture catalog alone (no embedded table)."""
    from modelpick import load_catalog

    return load_catalog(FIXTURES / "mini.yaml", embedded=False, use_env=False)


@pytest.fixture(scope="session")
def full_catalog():
    """The embedded curated table."""
    from modelpick import load_catalog

    return load_catalog(use_env=False)


@pytest.fixture(scope="module")
def app():
    """The service on the hand-made fixture catalog alone, one app per test module (a module overrides it for
    another catalog or configuration)."""
    from service import create_app

    return create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(FIXTURES / "mini.yaml")]})


@pytest.fixture()
def client(app):
    """Flask's test client of the module's `app`."""
    return app.test_client()


def count_answered(catalog, queries) -> int:
    """How many (device, query) pairs of a trace test's seeded queries get an answer (the rest: no feasible model)."""
    from modelpick.errors import NoFeasibleModel

    answered = 0
    for device, query in queries:
        try:
            catalog.best(device, **query)
            answered += 1
        except NoFeasibleModel:
            pass
    return answered
