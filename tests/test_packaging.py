"""The wheel carries the shipped tables inside the package and the Flask app as modelpick_service, so an
install anywhere (``pip install --target``, ``--user``, a plain wheel) finds them without the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out),
                           str(REPO)], capture_output=True, text=True, timeout=600, cwd=out)
    if proc.returncode != 0:
        pytest.fail(proc.stdout[-2000:] + proc.stderr[-2000:])
    (path,) = out.glob("modelpick-*.whl")
    return path


def test_wheel_layout(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"modelpick/data/benchmarks.yaml", "modelpick/data/aliases.yaml", "modelpick/data/detector_eval.json",
            "modelpick_service/__init__.py",
            "modelpick_service/gunicorn.conf.py", "modelpick_service/static/index.html",
            "modelpick_service/nginx/modelpick.conf"} <= names
    assert not any(n.startswith(("service/", "data/", "share/")) or "/data/build_log" in n for n in names)


def test_pip_install_target_finds_the_table_and_the_app(wheel, tmp_path):
    target = tmp_path / "target"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    script = (
        "import modelpick, modelpick_service\n"
        "from modelpick.importers.rows import default_aliases_path\n"
        "print(modelpick.embedded_table_path()); print(default_aliases_path())\n"
        "print(modelpick.best('jetson', max_mem_gb=1, min_fps=30).checkpoint)\n"
        "print(modelpick_service.create_app().test_client().get('/healthz').status_code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target), "MODELPICK_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("MODELPICK_DATA", None)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table, aliases, best, status = proc.stdout.split()
    assert table == str(target / "modelpick" / "data" / "benchmarks.yaml")
    assert aliases == str(target / "modelpick" / "data" / "aliases.yaml")
    assert best and status == "200"
