"""Schemathesis against the generated OpenAPI schema, in process (the Django
WSGI app, the test database), authenticated as a resident with a token: no
operation answers with a server error, and every answer matches the schema
(status code, content type, body). Bounded to a few examples per operation
so that the whole run takes a minute or two."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from issues import services

EXAMPLES = 5


@pytest.fixture
def _keep_the_test_connection():
    """Django closes the connection after each WSGI request; in a test that
    would end the test's transaction (its own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, cast, reports, _keep_the_test_connection):
    # Something to find: a published report, one in moderation, a notice.
    services.publish(cast.moderator, reports.new())
    reports.new()
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case, cast):
    # Made again for every case: DELETE /auth/token/ revokes it.
    token, _ = Token.objects.get_or_create(user=cast.resident)
    case.call_and_validate(
        headers={"Authorization": f"Token {token.key}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
