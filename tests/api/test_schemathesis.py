"""Every operation of the OpenAPI document, called with generated input (schemathesis).

The schema is loaded from the Django application itself (WSGI, no network). Each operation gets
a bounded, derandomised number of examples, once anonymous and once with a valid API token (and
once with input that breaks the schema: no server error), on a database holding a small
directory (territories, organisations of each visibility, members).
Checked on every response: no server error, a documented status code, a documented content type
and a body matching the documented schema. Failures are collected over all operations and
reported together, so one run shows every broken operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mediane.accounts.models import Membership
from mediane.wsgi import application
from tests.api.conftest import make_user, token_headers

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
HYPOTHESIS_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def unlimited_rates(settings):
    settings.API_RATE_ANON = "1000000/min"
    settings.API_RATE_TOKEN = "1000000/min"


@pytest.fixture
def keep_connection():
    """Calls go straight to the WSGI application, not through Django's test client: like the
    client, keep the request signals from closing the test's database connection (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _run_all_operations(
    headers: dict[str, str],
    mode: GenerationMode = GenerationMode.POSITIVE,
    checks: list = CHECKS,
) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @HYPOTHESIS_SETTINGS
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        try:
            check()
        except Unsatisfiable:  # negative mode: the operation has no input that can be made wrong
            continue
        except Exception as exc:  # noqa: BLE001 — collected, reported below with the operation
            failures.append(f"{operation.label}: {exc}")
    assert operations > 20, "the OpenAPI document lost its operations"
    return failures


@pytest.mark.django_db(transaction=False)
def test_every_operation_anonymous(orgs, unlimited_rates, keep_connection):
    failures = _run_all_operations({})
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db(transaction=False)
def test_every_operation_with_a_token(orgs, unlimited_rates, keep_connection):
    user = make_user("fuzz@example.org")
    Membership.objects.create(user=user, organisation=orgs["private"], role="admin")
    failures = _run_all_operations({"Authorization": token_headers(user)["HTTP_AUTHORIZATION"]})
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db(transaction=False)
def test_every_operation_with_wrong_input(orgs, unlimited_rates, keep_connection):
    """Input that breaks the schema (wrong types, missing fields…): refused, never a 500."""
    failures = _run_all_operations({}, GenerationMode.NEGATIVE, [not_a_server_error])
    assert not failures, "\n\n".join(failures)
