import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from harness import ROOT, SMTPServer, Server
from pgcluster import Cluster
from scaleout import ScaleOut

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / ".build" / "e2e-artifacts"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def smtp():
    server = SMTPServer()
    yield server
    server.stop()


@pytest.fixture
def server(smtp):
    app = Server(smtp)
    yield app
    app.stop()


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster of the run's own for the load and fault tests (each takes a new
    database in it), started on first use."""
    cluster = Cluster()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def scaleout(pg_cluster):
    """The scale-out stack (scaleout.py), shared by the checks of one module."""
    stack = ScaleOut(pg_cluster)
    yield stack
    stack.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class ConsoleWatch:
    """Every JavaScript console error and uncaught page error: a journey must end with none.

    Chromium also logs "Failed to load resource" for a page answered with a 4xx status; that is
    the page's intended status (a refused form, a used link), not an error of the page, so it is
    left out when it is about the document itself. A failing stylesheet, script or image counts."""

    def __init__(self):
        self.errors = []

    def attach(self, page):
        def on_console(message):
            if message.type != "error":
                return
            about_document = message.location.get("url", "").split("#")[0] == page.url.split("#")[0]
            if message.text.startswith("Failed to load resource") and about_document:
                return
            self.errors.append(f"{page.url}: {message.text} ({message.location.get('url')})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))


@pytest.fixture
def console():
    watch = ConsoleWatch()
    yield watch
    assert watch.errors == [], "console errors: " + "\n".join(watch.errors)


@pytest.fixture
def new_page(browser, server, console):
    """Pages in fresh browser contexts (one per person), all watched for console errors."""
    contexts = []

    def make(width=1280, height=900, accept_downloads=False, javascript=True):
        context = browser.new_context(base_url=server.base_url, viewport={"width": width, "height": height},
                                      accept_downloads=accept_downloads, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        console.attach(page)
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
