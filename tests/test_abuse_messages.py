"""Abuse corpus, error messages (issue 22): a message quotes at most a short, cut excerpt of a value (60
characters with the ellipsis), never whole lines of a file that is no catalog: ``validate`` on a shadow-format
file, ``MODELPICK_DATA`` or ``--data`` pointing at one, a long value in any field of a catalog file, a long name
in an importer's input."""

from __future__ import annotations

import os
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, REPO

from modelpick._excerpt import EXCERPT_CHARS, excerpt
from modelpick.catalog import check_files
from modelpick.cli import main
from modelpick.errors import InvalidQuery

_rng = random.Random(22)


def _secret(n: int = 400) -> str:
    return "".join(_rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def _shadow() -> str:
    # the layout of /etc/shadow: name:hash:dates; the hashes made up here
    return "".join(f"{user}:$6${_secret(8)}${_secret(86)}:19000:0:99999:7:::\n"
                   for user in ("root", "daemon", "alice", "bob", "backup", "www-data"))


def assert_no_echo(output: str, secret_text: str) -> None:
    """No line of ``secret_text`` and no run of more than EXCERPT_CHARS of its characters is in ``output``."""
    for line in secret_text.splitlines():
        if len(line) >= 12:
            assert line not in output, (line, output[:2000])
    window = EXCERPT_CHARS + 1
    for i in range(0, max(1, len(secret_text) - window + 1)):
        piece = secret_text[i:i + window]
        assert piece not in output, (piece, output[:2000])


@pytest.mark.parametrize("value, expected", [("short", "'short'"), (12, "12"), (None, "None"),
                                             ("x" * 100, "'" + "x" * 55 + "...")])
def test_excerpt_is_short(value, expected):
    assert excerpt(value) == expected
    assert len(excerpt(value)) <= EXCERPT_CHARS


def test_excerpt_of_a_huge_value_costs_nothing():
    assert len(excerpt("y" * 50_000_000)) <= EXCERPT_CHARS
    assert len(excerpt(list(range(1_000)))) <= EXCERPT_CHARS


# ---------------------------------------------------------------------------
# a file that is no catalog


@pytest.fixture
def shadow(tmp_path):
    path = tmp_path / "shadow"
    path.write_text(_shadow())
    return path


def test_validate_a_shadow_file_names_none_of_its_lines(shadow, capsys):
    assert main(["validate", str(shadow)]) == 2
    out, err = capsys.readouterr()
    assert "not a modelpick catalog file" in err and "6 other key(s), not shown" in err
    assert_no_echo(out + err, shadow.read_text())


@pytest.mark.parametrize("how", ["MODELPICK_DATA", "--data"])
def test_a_shadow_file_as_data_names_none_of_its_lines(shadow, how):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "modelpick", "best", "--device", "jetson-nano"]
    if how == "MODELPICK_DATA":
        env["MODELPICK_DATA"] = str(shadow)
    else:
        args += ["--data", str(shadow)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "not a modelpick catalog file" in done.stderr and "Traceback" not in done.stderr
    assert_no_echo(done.stdout + done.stderr, shadow.read_text())


@pytest.mark.skipif(not os.access("/etc/shadow", os.R_OK), reason="/etc/shadow is not readable here")
def test_the_real_etc_shadow_is_not_echoed(capsys):
    text = Path("/etc/shadow").read_text()
    main(["validate", "/etc/shadow"])
    out, err = capsys.readouterr()
    assert "/etc/shadow" in err
    assert_no_echo(out + err, text)


@pytest.mark.parametrize("text", ["root:x:0:0:root:/root:/bin/bash\n" * 3, "[" + _secret() + "]\n",
                                  "- " + _secret() + "\n- " + _secret() + "\n", _secret() + ": [unclosed\n",
                                  "\t" + _secret() + "\n", "%" + _secret() + "\n", "key: 1\n" + _secret() + "\n"])
def test_other_files_that_are_no_catalog(tmp_path, text):
    path = tmp_path / "some.txt"
    path.write_text(text)
    errors, _ = check_files([path], with_embedded=False)
    assert errors
    assert_no_echo("\n".join(errors), text)


# ---------------------------------------------------------------------------
# a catalog file with a long value where a short one belongs: cut to an excerpt

MINI = yaml.safe_load((FIXTURES / "mini.yaml").read_text())

# (section, index, field) of the fixture catalog; None: add an unknown field whose name is the secret
FIELDS = [("devices", 0, "id"), ("devices", 0, "kind"), ("devices", 1, "source"),
          ("devices", 0, None), ("architectures", 0, "id"), ("architectures", 0, "family"),
          ("architectures", 0, "params_m"), ("architectures", 0, "task"), ("architectures", 0, None),
          ("checkpoints", 0, "id"), ("checkpoints", 0, "precision"), ("checkpoints", 0, "top1"),
          ("checkpoints", 0, "metric"), ("checkpoints", 0, None), ("measurements", 0, "runtime"),
          ("measurements", 0, "precision"), ("measurements", 0, "latency_ms"), ("measurements", 0, "batch_size"),
          ("measurements", 0, "device"), ("measurements", 0, None), ("sources", 0, "id"), ("sources", 0, None)]


@pytest.mark.parametrize("section, index, field", FIELDS)
def test_a_long_value_in_a_catalog_file_is_cut(tmp_path, section, index, field):
    secret = "Q$" + _secret()  # '$' fits no id rule (a long id of the checkpoint rule's letters is valid)
    data = yaml.safe_load(yaml.safe_dump(MINI))
    if field is None:
        data[section][index][secret] = 1
    else:
        data[section][index][field] = secret
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=10_000))
    errors, _ = check_files([path], with_embedded=False)
    assert errors
    text = "\n".join(errors)
    assert_no_echo(text, secret)
    assert f"{section}[{index}]" in text  # still says where


def test_a_top_level_unknown_key_beside_a_catalog_is_cut(tmp_path):
    secret = "root:$6$" + _secret(100) + ":19000:0:99999:7:::"
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump({**MINI, secret: 1}, sort_keys=False, width=10_000))
    errors, _ = check_files([path], with_embedded=False)
    assert errors and "unknown field" in errors[0] and "root:$6$" in errors[0]
    assert_no_echo("\n".join(errors), secret)


def test_a_query_error_quotes_an_excerpt():
    exc = InvalidQuery("device", "d" * 10_000, "unknown device")
    assert len(str(exc)) < 200 and "ddddd..." in str(exc)


# ---------------------------------------------------------------------------
# importers: a long name in a tool's output is cut in the kept-out line


def test_an_importers_unknown_long_name_is_cut(tmp_path, capsys):
    name = "net" + _secret(300).lower()
    log = tmp_path / "bench.txt"
    log.write_text("loop_count = 4\nnum_threads = 4\npowersave = 0\ngpu_device = -1\ncooling_down = 0\n"
                   f"  squeezenet  min =   11.73  max =   11.88  avg =   11.78\n"
                   f"  {name}  min =   11.73  max =   11.88  avg =   11.78\n")
    code = main(["import", "benchncnn", str(log), "--device-id", "my-board", "-o", str(tmp_path / "out.yaml")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "not in the alias table" in out + err
    assert_no_echo(out + err, name)


@pytest.mark.parametrize("value", ["\n" * 100, "\x00" * 100, "\\" * 100, "a" * 100, "\u00e9" * 100])
def test_an_excerpt_is_never_longer_than_its_limit(value):
    # repr's escapes ('\n', '\x00', '\\') made a cut string's excerpt up to 4x the limit
    from modelpick._excerpt import EXCERPT_CHARS, excerpt

    text = excerpt(value)
    assert len(text) <= EXCERPT_CHARS and text.endswith("...")
