"""Browser tests: Playwright driving the system Chromium (never a downloaded browser).

When no Chromium is installed the tests are skipped, with a warning and a line in the terminal
summary so that the skip is visible. Screenshots of each page go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
# with a running loop unless told that it is safe (the test database is not shared with it).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
_NO_BROWSER: list[str] = []


def find_chromium() -> str | None:
    """The system Chromium: CHROMIUM_PATH, /usr/bin/chromium, or the first one on PATH."""
    candidates = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium"]
    candidates += [
        shutil.which(name) or ""
        for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    if _NO_BROWSER:
        terminalreporter.write_sep("=", "browser tests skipped", yellow=True, bold=True)
        terminalreporter.write_line(_NO_BROWSER[0], yellow=True)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "No Chromium found (looked at CHROMIUM_PATH, /usr/bin/chromium and PATH): the browser "
            "tests are SKIPPED. Install the system package (apt-get install chromium)."
        )
        if not _NO_BROWSER:
            _NO_BROWSER.append(message)
            warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):  # type: ignore[no-untyped-def]
    """One Chromium for the whole session (fast); a fresh context per test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    # Nothing leaves the machine: requests to other hosts (map tiles) fail, as they do offline.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}
            else route.abort()
        ),
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    tab.js_errors = errors  # type: ignore[attr-defined]
    yield tab
    context.close()


@pytest.fixture
def screenshot(request):  # type: ignore[no-untyped-def]
    """Save a full-page PNG named after the test into test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:  # type: ignore[no-untyped-def]
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
