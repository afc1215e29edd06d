"""Run the suspect screen (modelpick.screen) on user catalog files, against the embedded table, for ``validate``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..screen import ArchInfo, screen_rows
from ._files import embedded_table_path, read_catalog_file
from ._load import load_table
from ._table import CatalogTable


def screen_files(paths: Sequence[str | os.PathLike[str]], *, with_embedded: bool = True) -> list[str]:
    """Warnings for the measurements of ``paths`` that the suspect screen judges implausible.

    The files must be valid (see :func:`validate_files`). Every row of the merged table serves as reference, except
    rows the table already marks suspect; only the files' own rows get a verdict. Returns
    ``'file: measurements[i] (...): suspect: reason'`` lines; an empty list means no suspects.
    """
    warnings = []
    for path, index, row, reason in screen_verdicts(paths, with_embedded=with_embedded):
        latency = row["per_image_latency_ms"]
        warnings.append(f"{path}: measurements[{index}] ({row['architecture']} @ {row['input_size']}px on "
                        f"{row['device']}, {row['runtime']} {row['precision']}, batch {row['batch_size']}, "
                        f"{latency:.3g} ms/image): suspect: {reason}")
    return warnings


def screen_verdicts(paths: Sequence[str | os.PathLike[str]], *,
                    with_embedded: bool = True) -> list[tuple[Path, int, dict, str]]:
    """(file, index in its measurements, merged row, reason) for each row of ``paths`` the screen judges a suspect."""
    table = load_table(*paths, embedded=with_embedded, use_env=False)
    # load_table merges files in order and skips a file given twice; follow the same order to find each file's rows
    seen = {embedded_table_path().resolve()} if with_embedded else set()
    owners: list[tuple[Path, int]] = []  # (file, index in that file) of the last rows of the merged table
    for p in map(Path, paths):
        resolved = p.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        owners.extend((p, i) for i in range(len(read_catalog_file(p).measurements)))
    rows = table.measurements
    start = len(rows) - len(owners)
    reference = [i for i in range(len(rows)) if i >= start or rows[i].get("suspect") is None]
    judge = [k for k, i in enumerate(reference) if i >= start and rows[i].get("suspect") is None]
    architectures = arch_infos(table)
    kinds = {d.id: d.kind for d in table.devices.values()}
    peaks = {d.id: d.peak_tops for d in table.devices.values() if d.peak_tops}
    verdicts = screen_rows([rows[i] for i in reference], architectures, kinds, judge=judge, device_peaks=peaks)
    return [(*owners[reference[k] - start], rows[reference[k]], reason) for k, reason in sorted(verdicts.items())]


def arch_infos(table: CatalogTable) -> dict[str, ArchInfo]:
    """What the screen needs of each architecture: GMACs at its reference size and at the sizes a source states."""
    return {a.id: ArchInfo(a.gmacs, a.input_size, {z.input_size: z.gmacs for z in a.sizes if z.gmacs})
            for a in table.architectures.values()}
