"""The real application served by waitress on a free local port, driven by Debian's Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _chromium_path() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if path is None:
        reason = "chromium is not installed (apt-get install chromium); browser tests skipped"
        if os.environ.get("AIGUILLAGE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " but AIGUILLAGE_REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(reason)
    return path


@contextlib.contextmanager
def _served_demo(instance, cases: bool):
    """A demo installation served by waitress in a background thread: (its URL, the demo)."""
    import waitress

    from webui.cli.serve import prepare_demo

    # Bind first to learn the free port, then build the app with the matching base URL.
    probe = waitress.create_server(lambda environ, start: [], host="127.0.0.1", port=0)
    port = probe.effective_port
    probe.close()
    demo = prepare_demo(instance, f"http://127.0.0.1:{port}", echo=lambda *args, **kwargs: None, cases=cases)
    server = waitress.create_server(demo.app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", demo
    finally:
        server.close()
        thread.join(timeout=5)
        demo.container.dispose()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The demo installation (demo pathway and users) without the demo's cases: each journey finds
    in its lists the work of the case it opened itself."""
    with _served_demo(tmp_path_factory.mktemp("demo-instance"), cases=False) as served:
        yield served


@pytest.fixture(scope="module")
def own_demo_server(tmp_path_factory):
    """A demo installation of the module's own, without the demo's cases: for a journey that moves its
    cases and its clock."""
    with _served_demo(tmp_path_factory.mktemp("own-demo-instance"), cases=False) as served:
        yield served


@pytest.fixture(scope="module")
def demo_server_with_cases(tmp_path_factory):
    """The demo as `aiguillage demo` serves it, with the cases it opens for each role."""
    with _served_demo(tmp_path_factory.mktemp("demo-with-cases"), cases=True) as served:
        yield served


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium, shared by one module's browser tests (Playwright stops after them)."""
    path = _chromium_path()
    from playwright.sync_api import sync_playwright

    # The sync API runs its own event loop: it must not start inside a running one (the SMTP
    # tests' aiosmtpd runs its loop in a thread of its own, so this thread has none).
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        pytest.fail("an asyncio loop is running in the test thread; Playwright's sync API cannot start")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser tab whose browser asks for French, recording policy violations."""
    context = chromium.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    tab = context.new_page()
    tab.console_problems = []
    tab.on("console", lambda message: tab.console_problems.append(message.text)
           if message.type in ("error", "warning") else None)
    yield tab
    context.close()


def sign_in(page, url: str, username: str, password: str) -> None:
    """Sign in through the form, as a person does, and wait for the page it leads to (a busy machine may take
    longer than the next line's look at the page)."""
    page.goto(url + "/login")
    page.fill("#field-username", username)
    page.fill("#field-password", password)
    with page.expect_navigation():
        page.locator("form:has(#field-password) button[type=submit]").click()
    assert page.locator("h1").count() == 1, page.url
