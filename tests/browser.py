"""Shared set-up of the real-browser tests (Debian /usr/bin/chromium driven by Playwright).

The app runs on waitress in a background thread on a free port; every request
the browser makes is recorded and must go to that local server only (planners
work offline). Screenshots land in test-artifacts/ for people to look at.
Browser test modules import the fixtures with ``from browser import *``.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

__all__ = ["server", "browser", "page", "proposal_id", "wait_map", "poll_js", "layer_count", "click_map_at", "layer_point",
           "CHROMIUM", "ARTIFACTS", "ARGS", "playwright"]

CHROMIUM = os.environ.get("COVERPLAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions"]


class Server(str):
    """The server's base URL (a str, as before) that also carries the Flask app."""

    def __new__(cls, url: str, app):
        obj = super().__new__(cls, url)
        obj.app = app
        return obj


@contextlib.contextmanager
def served(app):
    """``app`` served by waitress on a free port of 127.0.0.1 (its region's layers warmed before the first page),
    as a :class:`Server`; closed, and its jobs shut down, after. The module fixtures of the browser tests share it."""
    from waitress.server import create_server

    app.extensions["coverplan"]["service"].region_layers()  # warm before the first page
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    try:
        yield Server(f"http://127.0.0.1:{srv.effective_port}", app)
    finally:
        srv.close()
        app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from web.app import create_app

    with served(create_app({"DB_PATH": str(tmp_path_factory.mktemp("browser") / "p.sqlite")})) as srv:
        yield srv


@pytest.fixture(scope="module")
def proposal_id(server):
    """A saved proposal on the module's server: 3 township complexes by MCLP."""
    resp = server.app.test_client().post("/api/proposals?wait=60",
                                         json={"type": "elderly_complex", "model": "mclp", "p": 3})
    assert resp.status_code == 201, resp.data[:300]
    return resp.get_json()["proposal"]["id"]


def _driver_pids() -> set[int]:
    """The Playwright driver processes (node ... run-driver) this test process started (Linux /proc)."""
    me, found = os.getpid(), set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == me and b"run-driver" in (d / "cmdline").read_bytes():
                found.add(int(d.name))
        except (OSError, ValueError, IndexError):  # gone meanwhile, or not ours to read
            continue
    return found


@contextlib.contextmanager
def playwright(start_within: float = 90.0):
    """``sync_playwright()`` that cannot hang the run: once in a full run the driver and Python each waited
    for the other at start-up, forever (a worker of ``pytest -n``, the machine under heavy load). A start that
    takes longer than ``start_within`` seconds has its driver killed, which makes the start raise, and is
    tried once more."""
    from playwright.sync_api import sync_playwright

    for attempt in (1, 2):
        before = _driver_pids()

        def kill_stuck_driver() -> None:
            for pid in _driver_pids() - before:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        watchdog = threading.Timer(start_within, kill_stuck_driver)
        watchdog.start()
        try:
            p = sync_playwright().start()
        except Exception:
            if attempt == 2:
                raise
            continue
        finally:
            watchdog.cancel()
        try:
            yield p
        finally:
            p.stop()
        return


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # CI installs chromium: a missing browser there is a failure
            pytest.fail(f"{CHROMIUM} not installed although CI=true (.ci/run should install it)")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium; .ci/run does it)")
    with playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server, request):
    # Playwright's wait_for_function evaluates its predicate with eval() inside the page, which the
    # app's Content-Security-Policy forbids: tests bypass the policy unless marked ``csp``
    # (tests/test_browser_security.py enforces it on every page and waits with poll_js).
    enforce = request.node.get_closest_marker("csp") is not None
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", bypass_csp=not enforce)
    pg = ctx.new_page()
    requests, errors = [], []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(30_000)
    pg.base = server
    pg.app = server.app  # e.g. to simulate a restart by swapping the job runner
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    ctx.close()
    hosts = {urlparse(u).hostname for u in requests if not u.startswith(("data:", "blob:", "about:"))}
    assert requests, "the page made no requests at all"
    assert hosts == {"127.0.0.1"}, f"requests left the local server: {sorted(hosts)}"
    assert errors == [], f"JavaScript errors: {errors}"


def poll_js(pg, expression: str, timeout: float = 30.0) -> None:
    """Wait until ``expression`` is true in the page, evaluated from outside (works under the CSP)."""
    import time

    from playwright.sync_api import Error

    deadline = time.time() + timeout
    while True:
        try:
            if pg.evaluate(expression):
                return
        except Error as exc:  # the page navigated while it was asked (a reload after a save): ask the new one
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
        if time.time() > deadline:
            raise TimeoutError(f"still false after {timeout:g} s: {expression}")
        time.sleep(0.1)


def wait_map(pg, map_id="map"):
    poll_js(pg, f"document.getElementById('{map_id}').dataset.ready === '1'")


def layer_count(pg, layer, map_id="map"):
    return pg.evaluate(f"window.coverplanMaps['{map_id}'].layers['{layer}'].getLayers().length")




def layer_point(pg, js_latlng: str, map_id="map") -> tuple[float, float]:
    """Page coordinates of a map position (``js_latlng`` evaluates to a Leaflet LatLng)."""
    return tuple(pg.evaluate(f"""() => {{
        const m = window.coverplanMaps['{map_id}'].map;
        const p = m.latLngToContainerPoint({js_latlng});
        const r = m.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }}"""))


def click_map_at(pg, js_latlng: str, map_id="map") -> None:
    """Click the map where a person would: at the pixel of a map position (the canvas hit-tests it)."""
    x, y = layer_point(pg, js_latlng, map_id)
    pg.mouse.click(x, y)
