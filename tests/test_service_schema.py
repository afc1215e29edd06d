"""Schemathesis against /openapi.json: every generated request gets a response that conforms to the
document (status code, content type, headers, body schema) and none is a 5xx.

Bounded for CI: a fixed number of examples per operation, no deadline (the run takes ~15 s here).

Two of schemathesis's checks are tuned, not dropped:

* ``positive_data_acceptance`` is off: a schema-valid ``device`` string can name no device (400 with
  close matches) and schema-valid limits can be infeasible (422 with a diagnosis); a JSON Schema
  cannot express catalog membership or feasibility.
* ``negative_data_rejection`` also accepts 414, the answer to a schema-violating query string that is
  too long to read.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from conftest import FIXTURES

from service import create_app

#: Examples per operation; MODELPICK_SCHEMATHESIS_EXAMPLES raises it for a longer run outside CI.
MAX_EXAMPLES = int(os.environ.get("MODELPICK_SCHEMATHESIS_EXAMPLES", "20"))

# The rate limit is off here so that every generated request reaches the endpoint (429 is documented too).
app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(FIXTURES / "mini.yaml")],
                  "MODELPICK_RATE_LIMIT": "off"})
config = SchemathesisConfig.from_dict({
    "checks": {
        "positive_data_acceptance": {"enabled": False},
        "negative_data_rejection": {"expected-statuses": [400, 404, 414]},
    },
})
schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck), database=None)
def test_responses_conform_and_no_server_errors(case):
    response = case.call_and_validate()
    assert response.status_code < 500
