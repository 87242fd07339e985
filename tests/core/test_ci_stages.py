"""The `no_database` mark (tests/conftest.py): the PostgreSQL stage of .ci/run leaves out the
tests that pytest-django keeps away from the database, and the browser journeys
(docs/decisions/0006-ci-stages.md)."""

import pytest


def test_a_test_without_the_database_is_marked(request):
    assert request.node.get_closest_marker("no_database") is not None


def test_a_test_with_the_db_fixture_is_not_marked(request, db):
    assert request.node.get_closest_marker("no_database") is None


@pytest.mark.django_db
def test_a_test_with_the_django_db_mark_is_not_marked(request):
    assert request.node.get_closest_marker("no_database") is None


def test_a_test_with_the_live_server_is_not_marked(request, live_server):
    assert request.node.get_closest_marker("no_database") is None


def test_the_postgresql_stage_leaves_out_these_and_the_browser_journeys():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    stage = next(
        line for line in script.splitlines() if "DATABASE_URL=" in line and "make test" in line
    )
    assert "-m 'not no_database and not browser'" in stage
