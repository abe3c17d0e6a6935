"""Browser tests: Playwright's Python package driving Debian's Chromium (never `playwright install`)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, testcases

# Django's live server answers /media/ itself (django.views.static.serve, in front of the site):
# no session check, no Range requests, no download headers. Browser tests get Huddle's own view.
testcases._MediaFilesHandler._should_handle = lambda self, path: False

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _buffers_flushed_by_the_test(monkeypatch):
    """The live server never writes its buffered views on its own here.

    On SQLite the server thread shares the test's in-memory connection, so a beacon's flush
    racing the test's own queries broke its transaction ("no such savepoint"); a test that
    needs the rows calls ``writebuffer.flush_all()`` itself, in its own thread.
    """
    from knowledge import writebuffer

    monkeypatch.setattr(writebuffer, "flush_if_due", lambda: False)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    """``sign_in(user)`` puts a signed-in session cookie into the browser: no login form round trip."""

    def _sign_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return _sign_in


def pytest_terminal_summary(terminalreporter):
    if ARTIFACTS.exists() and any(ARTIFACTS.glob("*.png")):
        terminalreporter.write_line(f"Browser screenshots: {ARTIFACTS}")


def screenshot(page, name: str) -> Path:
    """Saves a PNG under test-artifacts/ so a person can look at what the test saw."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def screenshots(page, name: str) -> list[Path]:
    """Saves the page as a person sees it at 1366x900 and at 390x844, then restores the viewport."""
    original = page.viewport_size
    paths = []
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.wait_for_timeout(150)  # let the layout settle after the resize
        paths.append(screenshot(page, f"{name}-{label}"))
    if original:
        page.set_viewport_size(original)
    return paths


def pause(page, seconds: float = 1.0) -> None:
    """Waits as a person does before clicking: long enough for any live check to fire."""
    page.wait_for_timeout(int(seconds * 1000))


def type_keys(locator, text: str, *, delay: int = 40) -> None:
    """Types into a field one key press at a time, as a person does (``fill`` skips the key events)."""
    locator.click()
    locator.press_sequentially(text, delay=delay)
