"""The solver's memo of base filters and known-memory masks (modelpick/_masks.py): bounded by bytes like every
per-worker store, read-only, and an answer read from it is the answer computed afresh."""

from __future__ import annotations

from modelpick import NoFeasibleModel, _masks


def _answer(catalog, device, **kwargs):
    try:
        return [(a.checkpoint, a.runtime, a.batch_size) for a in catalog.recommend(device=device, limit=3, **kwargs)]
    except NoFeasibleModel as exc:  # an infeasible answer is an answer too: compare its message
        return str(exc)


def test_the_mask_memo_stays_under_its_byte_budget_and_answers_do_not_change(full_catalog, monkeypatch):
    devices = [d.id for d in full_catalog.devices()][:40]
    fresh = {}
    for dev in devices:
        full_catalog.__dict__.pop("_mask_memo", None)
        fresh[dev] = _answer(full_catalog, dev, include_suspect=True)
    monkeypatch.setattr(_masks, "_MEMO_BYTES", 64 * 1024)
    full_catalog.__dict__.pop("_mask_memo", None)
    for _ in range(2):
        for dev in devices:
            for kwargs in ({}, {"include_suspect": True}, {"strict": True}):
                _answer(full_catalog, dev, **kwargs)
                memo = full_catalog.__dict__["_mask_memo"]
                held = sum(a.nbytes + b.nbytes for a, b in memo.values())
                biggest = max(a.nbytes + b.nbytes for a, b in memo.values())
                assert held <= max(_masks._MEMO_BYTES, biggest)
                assert all(not a.flags.writeable and not b.flags.writeable for a, b in memo.values())
    for dev in devices:
        assert _answer(full_catalog, dev, include_suspect=True) == fresh[dev]
