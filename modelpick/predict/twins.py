"""Which catalog devices are twins of each other: the interval calibration's folds and bench/eval_predict.py's
twin-free evaluation hide a device together with its twins.

A user's new board has no same-chip twin in the catalog, so a held-out device's twins leave the fit with it:
every device that shares with it any of:

* the catalog family (``family``: jetson, rockchip, snapdragon, galaxy, ...);
* a chip named in its name, aliases or description (RK3588 / RK3588S, SM8550 / QCS8550, Kirin 980, A311D, ...);
* its published figures: on the cells both measured (same runtime, precision, settings, batch size, architecture),
  at least half are equal within 0.5 % (one board's numbers listed under two names).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Mapping

#: Part-number-like tokens: letters then 3-5 digits, optional suffix (RK3588S, MSM8998, QCS8550, A311D, MT6989).
_PART = re.compile(r"(?<![A-Z0-9])([A-Z]{1,4})-?(\d{3,5})([A-Z]{0,2})(?![A-Z0-9])")
_NAMED = [re.compile(p) for p in (r"SNAPDRAGON\s*(\d{3}\+?|\d\s*GEN\s*\d|8\s*ELITE(?:\s*GEN\s*\d)?|X\s*ELITE)",
                                   r"KIRIN\s*(\d{3})", r"DIMENSITY\s*(\d{4})", r"EXYNOS\s*(\d{4})")]
#: Qualcomm prefixes of one silicon number (SM8550 phone part, QCS8550 IoT part of the same die).
_QUALCOMM = {"SM", "MSM", "SDM", "QCS", "QCM", "QRB", "SA", "APQ"}
#: Tokens that name CPU cores, GPUs or ISAs, not a chip (many chips share them).
_NOT_CHIPS = {"GS264", "GS464", "LA264", "LA364", "LA464", "LA664", "C906", "SW831", "SW421"}


def chips(device) -> set[str]:
    """Normalised chip names found in a catalog Device's name, aliases and description."""
    text = " ".join([device.id.replace("-", " "), device.name or "", *(device.aliases or []),
                     getattr(device, "description", None) or ""]).upper()
    out = set()
    for pre, num, suf in _PART.findall(text):
        tok = f"{pre}{num}{suf}"
        if tok in _NOT_CHIPS or pre in {"X", "GTX", "RTX", "RX", "I", "V"} or len(num) < 3:
            continue
        if pre in _QUALCOMM:
            out.add(f"QUALCOMM-{num}")
        elif pre == "RK":
            out.add(f"RK{num}")  # RK3588S is the RK3588 die with fewer I/O lanes: same cores and clocks
        else:
            out.add(tok)
    for pat in _NAMED:
        for got in pat.findall(text):
            out.add(pat.pattern.split("\\")[0] + "-" + re.sub(r"\s+", "", got))
    return out


def identical_figures(cells: Mapping, min_common: int = 3, share: float = 0.5) -> set[frozenset[str]]:
    """Pairs of devices whose common cells are mostly equal (within 0.5 %)."""
    by_cell: dict[tuple, dict[str, float]] = defaultdict(dict)
    for (t, col), v in cells.items():
        by_cell[(t.runtime, t.precision, t.settings, t.batch_size, col)][t.device] = v
    common: dict[frozenset, list[int]] = defaultdict(lambda: [0, 0])
    for devs in by_cell.values():
        if len(devs) < 2 or len(devs) > 40:
            continue
        items = sorted(devs.items())
        for i, (a, va) in enumerate(items):
            for b, vb in items[i + 1:]:
                c = common[frozenset((a, b))]
                c[0] += 1
                c[1] += abs(math.log(va / vb)) < 0.005
    return {pair for pair, (n, same) in common.items() if n >= min_common and same >= share * n}


def twin_sets(devices_info: Mapping, cells: Mapping, family: bool = True) -> dict[str, set[str]]:
    """{device: devices to hide with it (itself included)}, for every device with cells.

    ``devices_info``: {device id: catalog Device}; devices missing from it are twins by figures only.
    ``family=False``: same chip or same figures only (the catalog family is not a twin).
    """
    devices = sorted({t.device for t, _ in cells})
    info = {d: devices_info.get(d) for d in devices}
    fam = {d: getattr(info[d], "family", None) for d in devices}
    chip = {d: chips(info[d]) if info[d] is not None else set() for d in devices}
    same = identical_figures(cells)
    out = {}
    for d in devices:
        out[d] = {o for o in devices if o == d or (family and fam[d] and fam[o] == fam[d]) or (chip[d] & chip[o])
                  or frozenset((d, o)) in same}
    return out
