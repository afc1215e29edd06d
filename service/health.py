"""``GET /healthz``: liveness and the catalog this worker serves."""

from __future__ import annotations

from flask import Blueprint

import modelpick

from .common import read_args, state
from .json_body import json_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    read_args(())
    st = state()
    return json_response({"status": "ok", "version": modelpick.__version__, "catalog": {**st.info, **st.counts}},
                         headers={"Cache-Control": "no-store"})
