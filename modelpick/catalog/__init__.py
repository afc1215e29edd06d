"""The catalog: read, validate and merge catalog YAML files into one columnar table (knows nothing of the solver).

The embedded table (``data/benchmarks.yaml``) is merged with user files given
to :func:`load_table`, listed in ``MODELPICK_DATA`` (an ``os.pathsep``-separated
path list) or passed with ``--data`` on the command line. The result is a
:class:`CatalogTable`: the merged entities plus the joined candidate columns,
which :class:`modelpick.solver.Catalog` wraps to answer queries
(``modelpick.load_catalog`` does both).

Private modules, one job each: ``_files`` (read + validate one file), ``_merge``
(files -> one table, references checked), ``_columns`` (the checkpoint x
measurement join into numpy columns), ``_cache`` (disk cache keyed by content
and code), ``_table`` (the table type), ``_names`` (name helpers), ``_load``
(the pipeline, with a per-process memo), ``_screen`` (the suspect screen run on
user files for ``validate``).
"""

from __future__ import annotations

from ._cache import cache_dir
from ._columns import QUANTIZED_PRECISIONS, accuracy_applies, unjoined_reason
from ._files import embedded_table_path, env_data_paths, parse_json_lines, read_catalog_file
from ._load import check_files, load_table, validate_files
from ._names import match_patterns, natural_key, normalize_name
from ._screen import screen_files, screen_verdicts
from ._table import CatalogTable

__all__ = [
    "CatalogTable",
    "load_table",
    "validate_files",
    "check_files",
    "screen_files",
    "screen_verdicts",
    "read_catalog_file",
    "parse_json_lines",
    "embedded_table_path",
    "env_data_paths",
    "cache_dir",
    "accuracy_applies",
    "unjoined_reason",
    "QUANTIZED_PRECISIONS",
    "match_patterns",
    "natural_key",
    "normalize_name",
]
