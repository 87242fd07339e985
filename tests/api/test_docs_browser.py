"""The API documentation pages render in a real browser under the site's strict CSP."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the live server has its own database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]  # fmt: skip


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium",
                      shutil.which("chromium") or ""):  # fmt: skip
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page():
    path = find_chromium()
    if path is None:
        pytest.skip("No Chromium found: the API docs browser test is skipped.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def test_reference_and_console_render_without_errors(page, live_server):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    from mediane.api.api import api_v1

    schema = api_v1.get_openapi_schema()
    operations = sum(len(methods) for methods in schema["paths"].values())
    assert operations >= 10
    page.goto(f"{live_server.url}/api/v1/docs")
    assert page.locator("h1").inner_text() == "API de Médiane"
    assert page.locator("article[id^='op-']").count() == operations

    page.goto(f"{live_server.url}/api/v1/docs/console")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() == operations
    assert problems == []
