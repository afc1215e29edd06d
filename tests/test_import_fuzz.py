"""Bad or cut-off input never crashes an importer: it parses, or raises ImportFormatError naming the file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpick.importers.api import FORMATS, parser_module
from modelpick.importers.base import ImportFormatError, ParseOptions

FIX = Path(__file__).parent / "fixtures" / "import"
SAMPLES = {fmt: sorted((FIX / fmt).rglob("*.*")) for fmt in FORMATS}
OPTS = ParseOptions(architecture="resnet50", input_size=224, source_device="Samsung Galaxy S24")


def _parse(fmt: str, text: str, name: str = "sample.txt") -> None:
    path = Path("/nonexistent") / fmt / name
    try:
        parser_module(fmt).parse(path, text, OPTS)
    except ImportFormatError as exc:
        assert str(path) in str(exc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(sorted(FORMATS)), data=st.data())
def test_truncated_real_outputs_parse_or_fail_cleanly(fmt, data):
    sample = data.draw(st.sampled_from(SAMPLES[fmt]))
    text = sample.read_text()
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    _parse(fmt, text[:cut], sample.name)


@settings(max_examples=150, deadline=None)
@given(fmt=st.sampled_from(sorted(FORMATS)), data=st.data())
def test_mangled_lines_parse_or_fail_cleanly(fmt, data):
    sample = data.draw(st.sampled_from(SAMPLES[fmt]))
    lines = sample.read_text().splitlines()
    i = data.draw(st.integers(min_value=0, max_value=max(len(lines) - 1, 0)))
    junk = data.draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
    if lines:
        lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))] + junk
    _parse(fmt, "\n".join(lines), sample.name)


@settings(max_examples=100, deadline=None)
@given(fmt=st.sampled_from(sorted(FORMATS)), text=st.text(max_size=300))
def test_arbitrary_text_parses_or_fails_cleanly(fmt, text):
    _parse(fmt, text)


def test_lone_carriage_returns_fail_cleanly_in_every_format():
    # found by hypothesis: csv.DictReader raised a bare csv.Error on a lone '\r' inside a field
    for fmt in sorted(FORMATS):
        for text in ("\r", "model\r,x\n", "a\rb\r\nc", 'model,"x\r'):
            _parse(fmt, text, "sample.csv")
