"""Importers: benchmark-tool outputs (benchncnn, TFLite benchmark_model, trtexec, ...) -> catalog files.

Submodules: ``rows`` (the row contract shared with the catalog build), one parser module per format, and ``api``
(``import_results``). Kept import-light: the build imports ``modelpick.importers.rows`` alone.
"""
