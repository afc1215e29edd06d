"""The table loader's byte-translation scan for exponents answers exactly as the regex it replaces."""

from __future__ import annotations

from hypothesis import given, strategies as st

from modelpick.catalog._files import _EXPONENT, _has_exponent

# Digits, exponent letters, signs and a few look-alikes (full-width digits, which str.isdigit accepts).
_ALPHABET = st.sampled_from(list("0123456789eE+-.x :\"\n") + ["\uff11", "\u0663", "é"])


@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_has_exponent_equals_the_regex(text):
    assert _has_exponent(text) == bool(_EXPONENT.search(text))


def test_has_exponent_examples():
    assert _has_exponent('{"latency_ms": 5.0e-324}')
    assert _has_exponent("1E9")
    assert not _has_exponent('{"latency_ms": 5.0, "commit": "abcdef"}')
    assert not _has_exponent("e5")
