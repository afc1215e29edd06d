"""Abuse corpus, device ids (issue 22): every entry point that names a new device applies the limits a query
has (ASCII kebab-case, at most 200 characters: Query.device), so no device exists that no query can ask for; a
bad id gets a message that names the rule (a non-ASCII id got only a pydantic URL)."""

from __future__ import annotations

import pytest
import yaml

from conftest import FIXTURES

from modelpick.catalog import check_files
from modelpick.cli import main
from modelpick.errors import InvalidQuery
from modelpick.importers.api import import_results
from modelpick.schema import DEVICE_ID_MAX_CHARS, Query, device_id_problem

NCNN = FIXTURES / "import" / "benchncnn" / "threadripper_3970x_and_quadro_rtx8000.txt"

BAD = [("a" * (DEVICE_ID_MAX_CHARS + 1), "201 characters"), ("a" * 59_999, "59,999 characters"),
       ("jétson", "'é' (U+00E9) is not ASCII"), ("jetson-ｎano", "is not ASCII"), ("ڤ", "is not ASCII"),
       ("my-board\u200b", "is not ASCII"), ("My_Board", "got 'My_Board'"), ("-x", "got '-x'"),
       ("x--y", "got 'x--y'"), ("a b", "got 'a b'"), ("", "got ''")]
GOOD = ["a", "my-board", "a" * DEVICE_ID_MAX_CHARS, "rtx-4090", "x1-y2-z3"]


@pytest.mark.parametrize("value, says", BAD)
def test_the_rule_is_named(value, says):
    problem = device_id_problem(value)
    assert problem and "ASCII kebab-case" in problem and f"at most {DEVICE_ID_MAX_CHARS} characters" in problem
    assert says in problem and "pydantic" not in problem and len(problem) < 400


@pytest.mark.parametrize("value", GOOD)
def test_a_good_id_is_one_a_query_takes(value):
    assert device_id_problem(value) is None
    assert Query(device=value).device == value


@pytest.mark.parametrize("value, says", BAD)
def test_import_refuses_what_no_query_can_ask_for(tmp_path, value, says):
    out = tmp_path / "mine.yaml"
    with pytest.raises(InvalidQuery) as info:
        import_results("benchncnn", NCNN, device_id=value, output=out)
    assert info.value.param == "device_id"
    text = str(info.value)
    assert "ASCII kebab-case" in text and says in text and "errors.pydantic.dev" not in text
    assert not out.exists()


@pytest.mark.parametrize("value", ["jétson", "a" * 300])
def test_import_cli_names_the_rule(tmp_path, capsys, value):
    code = main(["import", "benchncnn", str(NCNN), "--device-id", value, "-o", str(tmp_path / "o.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and "ASCII kebab-case" in err and "pydantic" not in err and "Traceback" not in err
    assert len(err) < 600


def test_the_longest_imported_id_is_one_a_query_takes(tmp_path):
    dev = "b" * DEVICE_ID_MAX_CHARS
    out = tmp_path / "mine.yaml"
    import_results("benchncnn", NCNN, device_id=dev, output=out)
    from modelpick import load_catalog

    cat = load_catalog(out, use_env=False)
    assert cat.resolve_device(Query(device=dev).device) == dev


@pytest.mark.parametrize("value, says", BAD[:6])
def test_a_catalog_file_applies_the_same_limits(tmp_path, value, says):
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text())
    data["devices"].append({"id": value, "name": "x", "kind": "soc"})
    path = tmp_path / "dev.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100_000))
    errors, _ = check_files([path], with_embedded=False)
    assert errors and "devices[2].id: must be ASCII kebab-case" in errors[0] and says in errors[0]


@pytest.mark.parametrize("value", ["jétson", "a" * 201])
def test_measure_applies_the_same_limits(tmp_path, value):
    from modelpick import measure

    with pytest.raises(InvalidQuery) as info:
        measure.run("resnet18", device_id=value, output=tmp_path / "m.yaml")
    assert "ASCII kebab-case" in str(info.value)
