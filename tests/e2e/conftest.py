"""Browser tests: Playwright driving Debian's chromium against the live test server."""

import os
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(
    os.environ.get("WEISHANG_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server with one request inside the application at a time (each connection still
    has its thread, so a browser's kept-alive connections wait their turn, never each other). On
    SQLite the test database lives in memory and every request thread shares its one
    connection: two requests at once (a post page's pictures) would use it together and fail."""

    def set_app(self, application):
        turn = threading.Lock()

        def in_turn(environ, start_response):
            with turn:
                return application(environ, start_response)

        super().set_app(in_turn)


@pytest.fixture(scope="session", autouse=True)
def live_server_in_turn_on_sqlite():
    if "sqlite" not in settings.DATABASES["default"]["ENGINE"]:
        yield
        return
    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = OneRequestAtATime
    yield
    LiveServerThread.server_class = threaded


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Opens a fresh browser context (its own cookies) sized like a phone or a laptop. Any script
    or style the Content Security Policy refuses fails the test."""
    contexts = []
    refused = []

    def make(
        *, phone: bool = True, size: tuple[int, int] | None = None, user_agent: str | None = None
    ):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 860}
        if size:
            viewport = {"width": size[0], "height": size[1]}
        extra = {"user_agent": user_agent} if user_agent else {}
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", device_scale_factor=1, **extra
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and refused.append(f"{page.url}: {message.text}")
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not refused, refused


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def picture_width():
    """The natural width of the first picture the selector finds, once the browser has loaded it
    (pictures load lazily: reading the width at once may read a picture not yet fetched)."""

    def width(page, selector: str) -> int:
        picture = page.locator(selector).first
        picture.scroll_into_view_if_needed()
        picture.evaluate(
            "img => img.complete ? null : new Promise(done => {"
            " img.addEventListener('load', done); img.addEventListener('error', done); })"
        )
        return picture.evaluate("img => img.naturalWidth")

    return width
