"""Source names -> catalog ids: model names via data/aliases.yaml, device strings via data/devices_map.yaml."""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from modelpick.importers.rows import AliasEntry, AliasTable, MappingReport, map_model

from .emit import load_yaml


class NameMapping:
    """The reviewed mapping tables, plus a record of every name they did not map (for the build log).

    Model names go through the library's row contract (modelpick.importers.rows: the same alias table and
    map_model as the importers), device strings through data/devices_map.yaml. Nothing is guessed: a model name
    missing from the alias table is UNMAPPED, one mapped to ``arch: null`` is left out with its reason, and a
    device string must be an alias in devices_map.yaml or excluded there with a reason.
    """

    def __init__(self, aliases: AliasTable, devmap: dict[str, Any],
                 exclusions: dict[str, collections.Counter]) -> None:
        self.aliases = aliases
        self.devmap = devmap
        self.exclusions = exclusions  # shared with the build context: device exclusions are row exclusions
        self.report = MappingReport()  # unmapped and left-out model names
        self.used_device_strings: set[str] = set()
        self.device_by_string: dict[str, str] = {}
        for dev in devmap["devices"]:
            for a in dev.get("aliases", []):
                if a in self.device_by_string:
                    raise SystemExit(f"alias {a!r} on two devices")
                self.device_by_string[a] = dev["id"]

    @classmethod
    def from_files(cls, data_dir: Path, exclusions: dict[str, collections.Counter]) -> NameMapping:
        return cls(AliasTable.load(data_dir / "aliases.yaml"), load_yaml(data_dir / "devices_map.yaml"), exclusions)

    def device(self, sid: str, text: str) -> str | None:
        if text in self.device_by_string:
            self.used_device_strings.add(text)
            return self.device_by_string[text]
        excl = self.devmap.get("excluded_device_strings", {})
        if text in excl:
            self.exclusions[sid][f"device '{text}': {excl[text]}"] += 1
            return None
        self.exclusions[sid][f"UNMAPPED device string '{text}'"] += 1
        return None

    def model(self, sid: str, name: str) -> AliasEntry | None:
        """The alias entry (arch, input_size?, precision?) of a source's model name, or None (recorded why)."""
        return map_model(name, sid, self.aliases, self.report)

    def mapped_rows(self, sid: str, rows: Iterable[dict[str, str]], model_column: str = "model",
                    device_column: str = "device") -> Iterator[tuple[dict[str, str], AliasEntry, str]]:
        """Rows whose model and device both map. Both are looked up for every row, so each unmapped name and
        device string is counted (mapping first, parsing after: a row is never parsed before it maps)."""
        for r in rows:
            entry = self.model(sid, r[model_column])
            dev = self.device(sid, r[device_column])
            if entry is not None and dev is not None:
                yield r, entry, dev

    def canon_timm(self, arch: str) -> str:
        return self.aliases.canonical_timm(arch)

    def timm_aliases_of(self) -> dict[str, list[str]]:
        """Canonical id -> the timm names folded into it (names equal to the id are not aliases)."""
        alias_of: dict[str, list[str]] = collections.defaultdict(list)
        for t, c in self.aliases.timm_to_canonical.items():
            if t != c:
                alias_of[c].append(t)
        return alias_of


def family_of(arch: str) -> str:
    a = re.sub(r"^(tf_|legacy_|bvlc_)", "", arch)
    m = re.match(r"[a-z]+", a)
    head = m.group(0) if m else a
    if head.endswith("v") and re.match(r"[a-z]+v\d", a):
        head = head[:-1]  # aimv2 -> aim, convnextv2 -> convnext, swinv2 -> swin
    table = {
        "wide": "resnet", "resnext": "resnext", "fbresnet": "resnet", "seresnet": "senet", "seresnext": "senet",
        "senet": "senet", "mobilenetv": "mobilenet", "efficientnetv": "efficientnet",
        "regnetx": "regnet", "regnety": "regnet", "regnetz": "regnet", "bninception": "inception",
        "nasnetalarge": "nasnet", "pnasnet": "nasnet", "deit": "vit", "vit": "vit", "googlenet": "googlenet",
        "squeezenet": "squeezenet", "swin": "swin", "swinv": "swin",
    }
    if arch.startswith("bvlc_googlenet"):
        return "googlenet"
    if head.startswith("mobilenet"):
        return "mobilenet"
    if head.startswith("efficientnet"):
        return "efficientnet"
    if head.startswith("inception"):
        return "inception"
    return table.get(head, head)
