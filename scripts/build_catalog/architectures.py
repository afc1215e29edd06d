"""The architectures table: one entry per referenced network, with input size, params, GMACs and activations sourced."""

from __future__ import annotations

import collections
from typing import Any

from .cells import fnum, intnum
from .context import BuildContext
from .mapping import family_of

FIELD_ORDER = ("id", "family", "task", "input_size", "params_m", "gmacs", "activations_m", "sources", "aliases", "sizes",
               "computed")
SIZE_FIELD_ORDER = ("input_size", "gmacs", "activations_m", "sources", "computed")


def architectures(ctx: BuildContext) -> list[dict[str, Any]]:
    """Entries for every architecture a measurement or checkpoint refers to, sorted by id.

    Preference: torchvision's metadata (plus timm's activation count for the same graph), else timm's fixed
    benchmark file at the architecture's default size, else timm's results table, else Bianco et al.'s repo.
    """
    facts = ctx.facts
    alias_of = ctx.mapping.timm_aliases_of()
    used_sizes: dict[str, set[int]] = collections.defaultdict(set)  # arch -> input sizes its rows use
    for row in [*ctx.measurements, *ctx.checkpoints.values()]:
        used_sizes[row["architecture"]].add(row["input_size"])
    out = []
    for arch in sorted(ctx.arch_refs):
        a: dict[str, Any] = {"id": arch, "family": family_of(arch)}
        srcs: dict[str, str] = {}
        if arch in facts.detectors:
            _detector(ctx, a, srcs)
        elif arch in facts.torchvision:
            tv = facts.torchvision[arch]
            a["input_size"] = tv["input_size"]
            a["params_m"] = tv["params_m"]
            srcs["params_m"] = "torchvision-weights"
            if tv["gmacs"] is not None:
                a["gmacs"] = tv["gmacs"]
                srcs["gmacs"] = "torchvision-weights"
            # torchvision publishes no activation count; timm's benchmark does, for the same network
            # (same name or a reviewed alias) at the same input size. Take it only when timm's parameter
            # count agrees with torchvision's within 1%, i.e. it really is the same graph.
            for name in [arch] + sorted(alias_of.get(arch, [])):
                row = facts.timm_fixed.get(name, {}).get(a["input_size"])
                macts, params = (fnum(row.get("infer_macts", "")), fnum(row.get("param_count", ""))) if row else (None, None)
                if macts and params and abs(params - a["params_m"]) <= 0.01 * a["params_m"]:
                    a["activations_m"] = macts
                    srcs["activations_m"] = facts.timm_fixed_source
                    break
        else:
            timm_names = [arch] + alias_of.get(arch, [])
            by_size = next((facts.timm_fixed[n] for n in timm_names if n in facts.timm_fixed), None)
            fixed = None
            if by_size:
                # the arch's default input size: the fixed-file size used most by its ImageNet checkpoints,
                # else the smallest benchmarked size (ties -> smaller)
                ck_sizes: collections.Counter = collections.Counter()
                for n in timm_names:
                    ck_sizes.update(facts.timm_results_sizes.get(n, {}))
                size = sorted(by_size, key=lambda z: (-ck_sizes.get(z, 0), z))[0]
                fixed = by_size[size]
            if fixed is not None:
                a["input_size"] = intnum(fixed["infer_img_size"])
                for fld, col in (("params_m", "param_count"), ("gmacs", "infer_gmacs"), ("activations_m", "infer_macts")):
                    v = fnum(fixed.get(col, ""))
                    if v:
                        a[fld] = v
                        srcs[fld] = facts.timm_fixed_source
            elif arch in facts.timm_bench_size:
                a["input_size"] = facts.timm_bench_size[arch]
            elif arch in facts.timm_results_sizes:
                cnt = facts.timm_results_sizes[arch]
                a["input_size"] = sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if "params_m" not in a and arch in facts.timm_results_params and facts.timm_results_params[arch]:
                a["params_m"] = facts.timm_results_params[arch]
                srcs["params_m"] = "timm-results-imagenet"
            if "params_m" not in a and arch in facts.bianco_rows and facts.bianco_rows[arch]["params_m"]:
                br = facts.bianco_rows[arch]
                a.setdefault("input_size", intnum(br["input_size"]))
                a["params_m"] = fnum(br["params_m"])
                srcs["params_m"] = "bianco2018-repo"
                if br["gmacs_3rdparty"] and br["gmacs_input"] == br["input_size"] and int(br["input_size"]) == a["input_size"]:
                    a["gmacs"] = fnum(br["gmacs_3rdparty"])
                    srcs["gmacs"] = "bianco2018-repo"
        if "input_size" not in a:
            sizes = collections.Counter(m["input_size"] for m in ctx.measurements if m["architecture"] == arch)
            sizes.update(c["input_size"] for c in ctx.checkpoints.values() if c["architecture"] == arch)
            a["input_size"] = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if srcs:
            a["sources"] = dict(sorted(srcs.items()))
        if alias_of.get(arch):
            a["aliases"] = sorted(alias_of[arch])
        sizes = other_sizes(ctx, a, [arch] + sorted(alias_of.get(arch, [])), used_sizes[arch])
        if sizes:
            a["sizes"] = sizes
        out.append({k: a[k] for k in FIELD_ORDER if k in a})
    return out


def _detector(ctx: BuildContext, a: dict[str, Any], srcs: dict[str, str]) -> None:
    """A detection architecture's entry from what the detection sources state (adapters/_detection.py)."""
    d = ctx.facts.detectors[a["id"]]
    a["family"], a["task"] = d["family"], "detection"
    if d.get("input_size"):
        a["input_size"] = d["input_size"]
    if d.get("params_m"):
        a["params_m"], srcs["params_m"] = d["params_m"]
    if d.get("gmacs"):
        a["gmacs"], srcs["gmacs"], how = d["gmacs"]
        if how:
            a["computed"] = {"gmacs": how}


def _sig(x: float) -> float:
    """A computed value to 4 significant digits (it is an estimate; more digits would claim precision it lacks)."""
    return float(f"{x:.4g}")


def other_sizes(ctx: BuildContext, a: dict[str, Any], names: list[str], used: set[int]) -> list[dict[str, Any]]:
    """GMACs and activations at every input size other than the default that a measurement or checkpoint uses.

    A source's own figure for that size comes first: timm's benchmark row at that size (any inference file; for a
    torchvision architecture only when timm's parameter count agrees within 1%, i.e. the same graph), else a model
    table's own count (EfficientNet-Lite madds, TF-slim MobileNet MACs). Otherwise the default-size figure is scaled
    by pixel count, (size / default)^2, and marked computed; ``sources`` then names the figure it was scaled from.
    """
    arch, default = a["id"], a["input_size"]
    out = []
    for size in sorted(used - {default}):
        entry: dict[str, Any] = {"input_size": size}
        srcs: dict[str, str] = {}
        computed: dict[str, str] = {}
        timm_row = None
        for name in names:
            hit = ctx.facts.timm_sized.get(name, {}).get(size)
            if hit is None:
                continue
            params = fnum(hit[0].get("param_count", ""))
            if a.get("sources", {}).get("params_m", "").startswith("timm-") or (
                    params and a.get("params_m") and abs(params - a["params_m"]) <= 0.01 * a["params_m"]):
                timm_row = hit
                break
        table = ctx.facts.sized_complexity.get((arch, size), {})
        for fld, col in (("gmacs", "infer_gmacs"), ("activations_m", "infer_macts")):
            value = fnum(timm_row[0].get(col, "")) if timm_row else None
            if value:
                entry[fld], srcs[fld] = value, timm_row[1]
            elif fld in table:
                entry[fld], srcs[fld] = table[fld]
            elif a.get(fld):
                entry[fld] = _sig(a[fld] * (size / default) ** 2)
                srcs[fld] = a["sources"][fld]
                computed[fld] = f"scaled from {default} px by pixel count ({size}/{default})^2"
                if fld in a.get("computed", {}):
                    computed[fld] = f"{a['computed'][fld]}, {computed[fld]}"
        if srcs:
            entry["sources"] = dict(sorted(srcs.items()))
            if computed:
                entry["computed"] = dict(sorted(computed.items()))
            out.append({k: entry[k] for k in SIZE_FIELD_ORDER if k in entry})
    return out
