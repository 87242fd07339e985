"""The API documentation pages render in a real browser under the site's strict CSP."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reference_and_console_render_without_errors(page):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    from mediane.api.api import api_v1

    schema = api_v1.get_openapi_schema()
    operations = sum(len(methods) for methods in schema["paths"].values())
    assert operations >= 10
    page.goto(f"{page.base_url}/api/v1/docs")
    assert page.locator("h1").inner_text() == "API de Médiane"
    assert page.locator("article[id^='op-']").count() == operations

    page.goto(f"{page.base_url}/api/v1/docs/console")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() == operations
    assert problems == []
