"""The README's CLI examples and Python snippets run as written (outside the prediction section, which tests its own).

Each line of a fenced ``bash`` block that starts with ``modelpick `` is run as ``python -m modelpick ...`` in a
scratch folder holding the files the README tells a user to write: ``my-board.yaml`` (and
``data/devices/my-board.yaml``) from the "Adding your own data" YAML block, and ``bench.txt`` (real benchncnn
output) for the import example. Optional ``[--flag value]`` parts run once without and once with them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
BENCHNCNN_FIXTURE = REPO / "tests" / "fixtures" / "import" / "benchncnn" / "threadripper_3970x_and_quadro_rtx8000.txt"

#: Sections whose examples another test owns.
SKIPPED_SECTIONS = {"## Predictions for unmeasured cells": "the predict tests run the prediction examples"}

#: Examples that take too long for a unit test or need optional heavy parts, with the reason.
SLOW = {
    "modelpick measure ": "measures real models with torch (minutes); tests/test_measure.py covers it",
}
if importlib.util.find_spec("matplotlib") is None:
    SLOW["modelpick plot "] = "plots need matplotlib (pip install 'modelpick[plot]')"


def _sections():
    """(heading, text) for each '## ' section of the README."""
    parts = re.split(r"^(## .*)$", README, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def _expand_optional(command):
    """A usage line with '[--opt value]' parts -> the line without them and the line with all of them."""
    if "[" not in command:
        return [command]
    bare = re.sub(r"\s*\[[^\]]*\]", "", command)
    full = re.sub(r"\[([^\]]*)\]", r"\1", command)
    return [bare, full]


def readme_cli_blocks():
    """One param per fenced bash block with runnable examples (run in order, in one folder), and one skipped
    param per example left out, with its reason."""
    params = []
    for heading, body in _sections():
        skipped = next((why for prefix, why in SKIPPED_SECTIONS.items() if heading.startswith(prefix)), None)
        for block in re.findall(r"```bash\n(.*?)```", body, flags=re.S):
            commands = []
            block_skip = None  # after a skipped example, later ones of the block may need its output
            for line in block.replace("\\\n", " ").splitlines():
                line = line.strip()
                if not line.startswith("modelpick "):
                    continue
                # '# comment' after the command; '&&' chains run one after the other
                line = re.split(r"\s+#\s", line)[0].strip()
                for command in (part.strip() for part in line.split("&&")):
                    slow = next((why for prefix, why in SLOW.items() if command.startswith(prefix)), None)
                    if not slow and block_skip:
                        slow = f"uses what the skipped '{block_skip}' above writes"
                    elif slow:
                        block_skip = command.split()[1]
                    if "|" in command:
                        slow = "usage notation (a|b alternatives, placeholder values), not a command"
                    for variant in _expand_optional(command):
                        if skipped or slow:
                            params.append(pytest.param([variant], id=variant[len("modelpick "):][:60],
                                                       marks=pytest.mark.skip(reason=skipped or slow)))
                        else:
                            commands.append(variant)
            if commands:
                params.append(pytest.param(commands, id=f"{heading[3:30]}: {commands[0][len('modelpick '):][:40]}"))
    return params


EXAMPLES = readme_cli_blocks()


def test_readme_has_cli_examples():
    runnable = [command for p in EXAMPLES if not p.marks for command in p.values[0]]
    assert len(runnable) >= 15, runnable


@pytest.fixture
def user_folder(tmp_path):
    """A scratch folder with the files the README's examples name: the repository's shipped examples/ and the
    user's own benchmark output."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    shutil.copy(BENCHNCNN_FIXTURE, tmp_path / "bench.txt")
    return tmp_path


def test_the_files_the_readme_examples_name_ship_with_the_repository():
    named = set(re.findall(r"\bexamples/[\w.-]+", README))
    assert "examples/my-board.yaml" in named
    assert all((REPO / path).is_file() for path in named), sorted(p for p in named if not (REPO / p).is_file())
    section = dict(_sections())["## Adding your own data"]
    assert re.search(r"```yaml\n(.*?)```", section, flags=re.S).group(1) == (REPO / "examples/my-board.yaml").read_text()


@pytest.mark.parametrize("commands", EXAMPLES)
def test_readme_cli_examples_run(commands, user_folder):
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("MODELPICK_DATA", None)
    for command in commands:
        done = subprocess.run([sys.executable, "-m", "modelpick", *shlex.split(command)[1:]], cwd=user_folder,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command}\nexit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def readme_python_blocks():
    params = []
    for heading, body in _sections():
        skipped = next((why for prefix, why in SKIPPED_SECTIONS.items() if heading.startswith(prefix)), None)
        for block in re.findall(r"```python\n(.*?)```", body, flags=re.S):
            if "Client(" in block:
                skipped = "needs a running service; tests/test_client.py runs the client against one"
            marks = [pytest.mark.skip(reason=skipped)] if skipped else []
            params.append(pytest.param(block, id=heading[3:40], marks=marks))
    return params


@pytest.mark.parametrize("snippet", readme_python_blocks())
def test_readme_python_snippets_run(snippet, user_folder):
    # a later snippet may go on from the first one's `import modelpick`
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("MODELPICK_DATA", None)
    done = subprocess.run([sys.executable, "-c", "import modelpick\n" + snippet], cwd=user_folder, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"{snippet}\nexit {done.returncode}\n{done.stderr[-3000:]}"


def test_quick_start_runs_a_classification_and_a_detection_query():
    """Issue 18: the quick start shows a detection query next to the classification one, and both run here (as
    every runnable README example does) — so neither may hide inside a line the example runner skips."""
    section = dict(_sections())["## Quick start (fresh machine, Python 3.11)"]
    block = re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0]
    queries = [re.split(r"\s+#\s", line.strip())[0].strip() for line in block.splitlines()
               if line.strip().startswith("modelpick best ")]
    assert [("--task detection" in q) for q in queries] == [False, True], queries
    runnable = {command for p in EXAMPLES if not p.marks for command in p.values[0]}
    assert set(queries) <= runnable
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("MODELPICK_DATA", None)
    done = subprocess.run([sys.executable, "-m", "modelpick", *shlex.split(queries[1])[1:]], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "mAP50-95" in done.stdout and "source: ultralytics" in done.stdout
