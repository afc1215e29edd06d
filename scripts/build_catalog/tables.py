"""Which source tables the build reads: every CSV under --sources is claimed by an adapter or excluded with a reason."""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

from .base import SourceAdapter
from .cells import REPO_PREFIX, REPO_SOURCES

EXCLUDED_TABLES = {
    "keras_applications_legacy.csv": "older Keras table: its single time column is not stated to be CPU or GPU and gives no batch size, so its latencies are excluded; its accuracies are superseded by keras_applications.csv",
    "zhao2023_colab_latency.csv": "Zhao et al. 2023 Colab times: CIFAR-100 32x32 models (likely CIFAR-adapted graphs, not the ImageNet architectures), timings include data loading, GPU not stated by the repo; names cannot be mapped to the ImageNet architectures with confidence, so the table is excluded",
    "bianco2018_repo_readme_accuracy.csv": "full README accuracy table incl. original-framework rows and ImageNet-5k DPNs; the rows the repo loads are already in bianco2018_models.csv",
    "timm/model_metadata-in1k.csv": "pretrain tags only (no numbers used)",
}


def _csvs(folder: Path) -> list[str]:
    return sorted(str(Path(p).relative_to(folder)) for p in glob.glob(str(folder / "**" / "*.csv"), recursive=True))


def source_tables(sources_dir: Path, repo_sources: Path = REPO_SOURCES) -> list[str]:
    """Every CSV under the shared sources folder (paths relative to it), then every CSV under the repo's
    ``sources/`` as ``repo:<folder>/<file>``, each group sorted."""
    return _csvs(sources_dir) + [REPO_PREFIX + t for t in _csvs(repo_sources)]


def table_statuses(tables: Sequence[str], adapters: Sequence[SourceAdapter]) -> dict[str, str]:
    """Table -> "read" or "EXCLUDED - reason", as the build log lists it; stops on a table nobody accounts for."""
    out: dict[str, str] = {}
    for table in tables:
        owner = next((a for a in adapters if a.claims(table)), None)
        if table in EXCLUDED_TABLES:
            out[table] = "EXCLUDED - " + EXCLUDED_TABLES[table]
        elif owner is not None:
            out[table] = owner.table_status(table)
        else:
            raise SystemExit(f"source table {table} is neither read nor excluded with a reason")
    return out
