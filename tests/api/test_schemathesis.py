"""Schemathesis against /api/openapi.json through the WSGI app: no input makes the API answer 5xx.

Every operation, called with a bearer token of a city administrator (who reaches everything) and of a
resident (who reaches almost nothing), with examples derived deterministically from the schema and
bounded per operation so that the whole run fits in `make test`.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import build_scene
from wuyi.accounts.models import ApiToken
from wuyi.wsgi import application

MAX_EXAMPLES = (
    20  # per operation and phase: enough to reach each branch of the validation, fast enough for CI
)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def keep_the_test_connection():
    """The WSGI app closes the database connection around each request, and with it the test's transaction;
    Django's test client unhooks the same signal handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["city_admin", "resident"])
def credentials(request, db, keep_the_test_connection) -> dict[str, dict[str, str]]:
    scene = build_scene()
    _token, key = ApiToken.issue(scene.user(request.param), "schemathesis")
    return {
        "headers": {"Authorization": f"Bearer {key}"},
    }


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_input_makes_a_server_error(case, credentials):
    case.call_and_validate(checks=[not_a_server_error], **credentials)
