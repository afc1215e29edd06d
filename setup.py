"""Package layout (the rest of the metadata is in pyproject.toml).

* ``modelpick`` and its subpackages, found automatically;
* ``modelpick.data``: the shipped tables, from the repository's ``data/`` folder (the build writes them there),
  read at run time through ``importlib.resources`` (``modelpick._data``), so ``pip install --user`` and
  ``--target`` find them too;
* ``modelpick_service``: the Flask app, from the repository's ``service/`` folder, under a name that cannot
  clash with a user's own ``service`` module (``gunicorn "modelpick_service:create_app()"`` once installed;
  from the repository, ``gunicorn "service:create_app()"`` keeps working).
"""

from setuptools import find_packages, setup

SHIPPED_TABLES = ["benchmarks.yaml", "aliases.yaml", "fast_runtimes.yaml", "predict_fit.npz", "detector_eval.json",
                  "benchmarks.sha256"]

setup(
    packages=[*find_packages(include=["modelpick", "modelpick.*"]), "modelpick.data", "modelpick_service"],
    package_dir={"modelpick.data": "data", "modelpick_service": "service"},
    package_data={"modelpick": ["py.typed"], "modelpick.data": SHIPPED_TABLES,
                  "modelpick_service": ["static/*", "gunicorn.conf.py", "nginx/modelpick.conf"]},
    exclude_package_data={"modelpick.data": ["build_log.txt", "devices_map.yaml"]},
)
