"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser) against the live server.

Without chromium on the PATH the tests are skipped locally and fail in CI (WUYI_REQUIRE_BROWSER=1).
"""

import os
import shutil

import pytest

from tests.world import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 800}}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        message = "Debian's chromium is not on the PATH (apt-get install -y chromium)"
        if os.environ.get("WUYI_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _context(browser, live_server, options):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser, live_server):
    """A page in a phone-sized viewport."""
    for ctx in _context(browser, live_server, PHONE):
        yield ctx.new_page()


@pytest.fixture
def desk(browser, live_server):
    """A page on a desktop screen (a community worker at a desk)."""
    for ctx in _context(browser, live_server, DESK):
        yield ctx.new_page()


@pytest.fixture
def other_desk(browser, live_server):
    """A second, separate browser session."""
    for ctx in _context(browser, live_server, DESK):
        yield ctx.new_page()


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
