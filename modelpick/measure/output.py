"""The output catalog file of a measurement run: read (to resume) or started afresh, and rewritten atomically.

Every save validates the whole document as a catalog file and replaces the file with a temp file + rename, so
Ctrl-C or a kill at any moment leaves a valid file with every row measured so far.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_HEADER = """\
# Written by `modelpick measure`. A valid modelpick catalog file: merge it with
#   modelpick best --data {name} --device {device} ...
# or list it in MODELPICK_DATA. Edit the device entry freely. Rerunning the same
# command skips the rows already here. Accuracy is never measured here: it comes
# from the catalog's checkpoints of each architecture.
"""


def _no_alias_dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:  # shared dicts must not become &id001 anchors
            return True

    return Dumper


class Document:
    """The output file as plain dicts, validated and written atomically on every save."""

    def __init__(self, path: Path, *, restart: bool):
        from ..catalog import read_catalog_file

        self.path = path
        if path.exists() and not restart:
            cf = read_catalog_file(path)  # an invalid file is an error: never overwrite the user's data blindly
            self.doc = cf.model_dump(mode="json", exclude_none=True)
            for key in ("device_families",):
                if not self.doc.get(key):
                    self.doc.pop(key, None)
        else:
            self.doc = {"schema_version": 1}
        for key in ("sources", "devices", "architectures", "checkpoints", "measurements", "failures"):
            self.doc.setdefault(key, [])

    def find(self, kind: str, ident: str) -> dict[str, Any] | None:
        return next((x for x in self.doc[kind] if x.get("id") == ident), None)

    def save(self) -> None:
        import yaml

        from .._fileio import write_atomic
        from ..schema import CatalogFile

        doc = {k: v for k, v in self.doc.items() if v or k == "schema_version"}
        CatalogFile.model_validate(doc)  # a bug here must never leave an invalid file
        text = _HEADER.format(name=self.path.name, device=(self.doc["devices"] or [{}])[0].get("id", "ID"))
        text += yaml.dump(doc, Dumper=_no_alias_dumper(), sort_keys=False, allow_unicode=True, width=120,
                          default_flow_style=None)
        write_atomic(self.path, text)
