"""The build's adapter contract (scripts/build_catalog/): rows, name mapping, table accounting, YAML emission.

These run without the public tables: each builds a tiny source in a temporary folder.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from modelpick.importers.rows import SourceRow  # noqa: E402
from scripts.build_catalog.adapters import ADAPTERS  # noqa: E402
from scripts.build_catalog.base import SourceAdapter, TableAdapter  # noqa: E402
from scripts.build_catalog.cells import fnum, intnum  # noqa: E402
from scripts.build_catalog.context import MEASUREMENT_FIELDS, BuildContext  # noqa: E402
from scripts.build_catalog.emit import render, to_json  # noqa: E402
from scripts.build_catalog.tables import EXCLUDED_TABLES, table_statuses  # noqa: E402

ALIASES = {
    "timm_to_canonical": {},
    "sources": {"toy-bench": {"ResNet-50": "resnet50",
                              "MobileNet Q": {"arch": "mobilenet_v2", "input_size": 224, "precision": "int8"},
                              "Mystery": {"arch": None, "reason": "graph unknown"}}},
}
DEVICES = {
    "devices": [{"id": "jetson-nano", "name": "Jetson Nano", "kind": "gpu", "aliases": ["NVIDIA Jetson Nano"]}],
    "excluded_device_strings": {"Desktop CPU": "CPU model not stated"},
}
TOY_CSV = """model,device,latency_ms,batch_size,input_size
ResNet-50,NVIDIA Jetson Nano,41.5,1,224
MobileNet Q,NVIDIA Jetson Nano,9.25,1,
ResNet-50,Desktop CPU,80,1,224
Mystery,NVIDIA Jetson Nano,5,1,224
ResNet-51,NVIDIA Jetson Nano,5,1,224
ResNet-50,Some Phone,30,1,224
ResNet-50,NVIDIA Jetson Nano,,1,224
ResNet-51,Desktop CPU,5,1,224
"""


class ToyAdapter(TableAdapter):
    source_id = "toy-bench"
    table = "toy.csv"
    meta = {"title": "a toy table"}

    def source_row(self, raw):
        if raw["latency_ms"] == "":
            self.ctx.exclude(self.source_id, "empty latency")
            return None
        return SourceRow(model=raw["model"], device=raw["device"], runtime="tensorrt", precision="fp16",
                         batch_size=intnum(raw["batch_size"]), input_size=intnum(raw["input_size"]),
                         latency_ms=fnum(raw["latency_ms"]), settings={"z": 1, "a": 2})

    def checkpoint(self, raw, entry, measurement):
        return {"id": f"toy/{raw['model']}", "architecture": entry.arch, "top1": 70.5,
                "input_size": measurement["input_size"], "precision": "fp32"}


@pytest.fixture
def ctx(tmp_path):
    data, sources = tmp_path / "data", tmp_path / "sources"
    data.mkdir()
    sources.mkdir()
    (data / "aliases.yaml").write_text(yaml.safe_dump(ALIASES), encoding="utf-8")
    (data / "devices_map.yaml").write_text(yaml.safe_dump(DEVICES), encoding="utf-8")
    (sources / "toy.csv").write_text(TOY_CSV, encoding="utf-8")
    return BuildContext(sources, tmp_path / "seeds", data)


def test_table_adapter_maps_names_and_accounts_for_every_row(ctx):
    ToyAdapter(ctx).build()
    assert ctx.sources == {"toy-bench": {"title": "a toy table", "id": "toy-bench"}}
    # the alias entry supplies the architecture, and precision / input size where it states them
    assert [(m["architecture"], m["precision"], m["input_size"], m["name"]) for m in ctx.measurements] == [
        ("resnet50", "fp16", 224, "ResNet-50"), ("mobilenet_v2", "int8", 224, "MobileNet Q")]
    first = ctx.measurements[0]
    assert first["source"] == "toy-bench"
    assert sorted(ctx.checkpoints) == ["toy/MobileNet Q", "toy/ResNet-50"]
    assert ctx.checkpoints["toy/ResNet-50"]["source"] == "toy-bench"
    assert list(first) == [k for k in MEASUREMENT_FIELDS if k in first]  # the file's key order
    assert list(first["settings"]) == ["a", "z"]
    assert ctx.stats == {"toy-bench": {"read": 8, "kept": 2}}
    # names go through the library's row contract (modelpick.importers.rows.map_model)
    report = ctx.mapping.report
    # every row is looked up for both its model and its device, so a row with two problems reports both
    assert report.unmapped == {("toy-bench", "ResNet-51"): 2}
    assert report.left_out == {("toy-bench", "Mystery"): "graph unknown"}
    assert ctx.exclusions["toy-bench"] == {"device 'Desktop CPU': CPU model not stated": 2,
                                          "UNMAPPED device string 'Some Phone'": 1, "empty latency": 1}


def test_conflicting_checkpoint_ids_stop_the_build(ctx):
    row = {"id": "toy/a", "architecture": "resnet50", "source": "toy-bench", "top1": 76.1, "input_size": 224,
           "precision": "fp32"}
    ctx.add_checkpoint(row)
    ctx.add_checkpoint(dict(row))  # the same values again: fine
    with pytest.raises(SystemExit, match="toy/a"):
        ctx.add_checkpoint({**row, "top1": 76.2})


def test_every_table_is_claimed_or_excluded(ctx):
    adapters = [ToyAdapter(ctx)]
    excluded = next(iter(EXCLUDED_TABLES))
    assert table_statuses(["toy.csv", excluded], adapters) == {
        "toy.csv": "read", excluded: "EXCLUDED - " + EXCLUDED_TABLES[excluded]}
    with pytest.raises(SystemExit, match="new_table.csv is neither read nor excluded"):
        table_statuses(["toy.csv", "new_table.csv"], adapters)


def test_adapters_declare_the_contract():
    ids = [a.source_id for a in ADAPTERS]
    assert len(ids) == len(set(ids)) and all(ids)
    for a in ADAPTERS:
        assert issubclass(a, SourceAdapter) and a.meta.get("title"), a
        # only the paper-text adapter reads no table (it reads the seed text)
        assert a.tables or a.source_id == "bianco2018-paper-text", a


def test_every_build_module_says_what_it_is_for():
    for path in sorted((REPO / "scripts").rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and doc.splitlines()[0].strip(), path


# any text: the writer escapes what YAML would refuse or read as a line break
_text = st.text(max_size=30)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                     st.floats(allow_nan=False, allow_infinity=False), _text)


_field_names = st.from_regex(r"[a-z_][a-z0-9_]{0,11}", fullmatch=True)  # keys are schema field names


@given(st.dictionaries(_field_names, st.one_of(_scalars, st.dictionaries(_field_names, _scalars, max_size=3),
                                               st.lists(_scalars, max_size=3)), max_size=6))
def test_json_lines_read_the_same_with_pyyaml_and_the_fast_reader(row):
    """Each written row is one line that PyYAML, JSON and modelpick's fast reader all read as the row."""
    from modelpick.catalog import parse_json_lines

    line = to_json(row)
    assert "\n" not in line and yaml.safe_load(line) == row
    text = render({"schema_version": 1, "description": "d", "sources": [], "device_families": {"fam": "dev"},
                   "devices": [row], "architectures": [], "checkpoints": [row, row], "measurements": []})
    assert yaml.safe_load(text) == parse_json_lines(text) == {
        "schema_version": 1, "description": "d", "sources": [], "device_families": {"fam": "dev"}, "devices": [row],
        "architectures": [], "checkpoints": [row, row], "measurements": []}


def test_repo_source_tables_are_listed_and_must_be_claimed(tmp_path):
    from scripts.build_catalog.tables import source_tables, table_statuses
    from scripts.build_catalog.cells import table_path

    shared, repo = tmp_path / "shared", tmp_path / "repo"
    (shared).mkdir()
    (repo / "vendor").mkdir(parents=True)
    (shared / "a.csv").write_text("x\n1\n")
    (repo / "vendor" / "rows.csv").write_text("x\n1\n")
    tables = source_tables(shared, repo)
    assert tables == ["a.csv", "repo:vendor/rows.csv"]
    assert table_path(shared, "repo:vendor/rows.csv", repo) == repo / "vendor" / "rows.csv"
    with pytest.raises(SystemExit, match="repo:vendor/rows.csv"):
        table_statuses(["repo:vendor/rows.csv"], [])
