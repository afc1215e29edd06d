"""The adapter contract: one class per public source turns its table(s) into catalog rows on a BuildContext."""

from __future__ import annotations

import fnmatch
from typing import Any, ClassVar

from modelpick.importers.rows import AliasEntry, SourceRow, to_measurement

from .cells import read_csv, table_path
from .context import BuildContext


class SourceAdapter:
    """One public source. Subclasses set the class attributes and implement build().

    - ``source_id``: the id of the catalog ``sources:`` entry the rows cite.
    - ``tables``: the files (paths under --sources, glob patterns allowed) this adapter reads; every CSV there must
      be claimed by an adapter or listed in tables.EXCLUDED_TABLES, so no table is silently ignored.
    - ``meta``: the source entry (provenance and meaning of the numbers, from the sources' READMEs).

    build() reads the tables, maps names through ``self.mapping`` and adds rows: measurements as
    :class:`~modelpick.importers.rows.SourceRow` objects through :meth:`add_row` (the row contract the benchmark-log
    importers use too), checkpoints with ``ctx.add_checkpoint``. It counts rows with ``ctx.stat`` and records each
    excluded row group with its reason (``ctx.exclude``). finish() runs once the architecture table exists.
    """

    source_id: ClassVar[str] = ""
    tables: ClassVar[tuple[str, ...]] = ()
    meta: ClassVar[dict[str, Any]] = {}

    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.mapping = ctx.mapping

    def claims(self, table: str) -> bool:
        return any(fnmatch.fnmatchcase(table, pattern) for pattern in self.tables)

    def table_status(self, table: str) -> str:
        """How the build log describes a claimed table ("read", or "EXCLUDED - reason")."""
        return "read"

    def read(self, table: str) -> list[dict[str, str]]:
        return read_csv(table_path(self.ctx.sources_dir, table))

    def register(self, sid: str | None = None, extra: dict[str, Any] | None = None) -> str:
        """Add this source's entry (``extra`` overrides ``meta``); returns its id."""
        sid = sid or self.source_id
        self.ctx.add_source(sid, {**self.meta, **(extra or {})})
        return sid

    def add_row(self, row: SourceRow, entry: AliasEntry, device: str, sid: str | None = None) -> dict[str, Any]:
        """Add one measurement: ``row`` in the source's words, mapped by ``entry`` onto ``device``; returns it."""
        m = to_measurement(row, entry, device, sid or self.source_id)
        self.ctx.add_measurement(m)
        return m

    def build(self) -> None:
        raise NotImplementedError

    def finish(self, architectures: list[dict[str, Any]]) -> None:
        """Source rules that need the finished architecture table (e.g. parameter counts). Default: none."""


class TableAdapter(SourceAdapter):
    """A source with one table of one measurement per row, keyed by a model-name and a device-string column.

    Each row is mapped first (model name and device string; unmapped ones are logged), then parsed: subclasses
    implement source_row(), the row as a SourceRow in the source's own words, or None after recording with
    ctx.exclude why the row is kept out. The alias entry then supplies the architecture, and the precision and input
    size where the entry states them (modelpick.importers.rows.to_measurement). Optionally checkpoint() returns an
    accuracy row the same source publishes next to that measurement.
    """

    table: ClassVar[str] = ""
    model_column: ClassVar[str] = "model"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.table and not cls.tables:
            cls.tables = (cls.table,)

    def build(self) -> None:
        sid = self.register()
        rows = self.read(self.table)
        kept = 0
        for raw, entry, device in self.mapping.mapped_rows(sid, rows, model_column=self.model_column):
            m = self.measurement(raw, entry, device)
            if m is None:
                continue
            self.ctx.add_measurement(m)
            kept += 1
            c = self.checkpoint(raw, entry, m)
            if c is not None:
                self.ctx.add_checkpoint({**c, "source": sid})
        self.ctx.stat(sid, len(rows), kept)

    def measurement(self, raw: dict[str, str], entry: AliasEntry, device: str) -> dict[str, Any] | None:
        """The catalog measurement of one mapped row (override to add build-internal keys)."""
        row = self.source_row(raw)
        return None if row is None else to_measurement(row, entry, device, self.source_id)

    def source_row(self, raw: dict[str, str]) -> SourceRow | None:
        raise NotImplementedError

    def checkpoint(self, raw: dict[str, str], entry: AliasEntry,
                   measurement: dict[str, Any]) -> dict[str, Any] | None:
        return None
