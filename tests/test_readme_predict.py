"""Every example in the README's prediction section runs as written, on the embedded table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _section_blocks(lang: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- section:predict -->")
    end = text.find("<!-- section:", start + 1)
    section = text[start:end if end != -1 else len(text)]
    return re.findall(rf"```{lang}\n(.*?)```", section, flags=re.S)


def test_the_section_has_examples():
    assert _section_blocks("python") and _section_blocks("bash")


@pytest.mark.parametrize("index", range(len(_section_blocks("python"))))
def test_python_example_runs_as_written(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = _section_blocks("python")[index]
    exec(compile(code, f"README.md (prediction section, python block {index + 1})", "exec"), {"__name__": "__readme__"})


@pytest.mark.parametrize("index", range(len(_section_blocks("bash"))))
def test_shell_example_runs_as_written(index, tmp_path):
    # `modelpick` on PATH is this interpreter's entry point, whatever the venv's scripts were installed as
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "modelpick"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m modelpick "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    script = _section_blocks("bash")[index]
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"README bash block {index + 1} failed:\n{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
