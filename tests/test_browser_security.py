"""Hardening in real Chromium: the Content-Security-Policy breaks no page, and a page served
from another origin (a second local server, another port) can neither create a proposal with a
plain form post nor cancel a running job with a no-cors fetch."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures; wait_map, layer_count)

pytestmark = [pytest.mark.browser, pytest.mark.csp]  # the page fixture enforces the app's CSP

CSP_LISTENER = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));"""


@pytest.fixture(scope="module")
def pid(proposal_id):  # (tests/browser.py makes it)
    return proposal_id


@pytest.fixture(scope="module")
def pid2(server):
    """A second proposal of the type: the compare page of two draws its maps (one with itself is a message)."""
    r = server.app.test_client().post("/api/proposals?wait=90", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]["id"]


def main_pages(pid: str, pid2: str) -> list[str]:
    return ["/", "/map/day_care", "/map/elderly_complex", "/townships", "/proposals", f"/proposals/{pid}",
            f"/proposals/compare?a={pid}&b={pid2}", f"/proposals/{pid}/brief", "/data", "/facilities",
            f"/plan?proposals={pid}", "/api-doc", "/nosuch-page"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_csp_violation_on_any_page(page, pid, pid2, lang):
    page.add_init_script(CSP_LISTENER)
    for path in main_pages(pid, pid2):
        sep = "&" if "?" in path else "?"
        page.goto(page.base + path + sep + "lang=" + lang)
        page.wait_for_load_state("networkidle")
        if page.locator("#map").count() and path.startswith(("/map/", f"/proposals/{pid}")):
            wait_map(page)
        assert page.evaluate("window.__csp") == [], path
        assert page.evaluate("typeof window.CP === 'object' && window.COVERPLAN.lang") == lang, path
        if path == "/map/day_care":
            assert layer_count(page, "facilities") > 0  # the scripts did draw under the policy
    page.goto(page.base + f"/proposals/{pid}?lang={lang}")  # the screenshot: a page with a map
    wait_map(page)


def test_csrf_token_lets_the_pages_own_forms_work(page, pid):
    """The rename form on a proposal's page posts with the token (common.js) and is accepted."""
    page.goto(page.base + f"/proposals/{pid}?lang=zh")
    store = page.app.extensions["coverplan"]["store"]
    old = store.get(pid)["name"]
    try:
        page.fill("#e-name", "改名测试")
        with page.expect_response(lambda r: r.request.method == "PATCH") as resp:
            page.click("#e-save")
        assert resp.value.status == 200
        assert store.get(pid)["name"] == "改名测试"
    finally:
        store.update(pid, name=old)


class Attacker:
    """A second web server on 127.0.0.1 (another port: another origin) with hostile pages."""

    def __init__(self, pages: dict[str, str]):
        html = pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                body = html.get(self.path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def test_foreign_page_cannot_create_or_cancel(page):
    app = page.app
    jobs, store = app.extensions["coverplan"]["jobs"], app.extensions["coverplan"]["store"]
    release = threading.Event()

    def long_job(progress, should_stop):  # stands for a long solve
        while not should_stop() and not release.wait(0.05):
            pass

    job = jobs.submit("proposal", long_job, {"type": "day_care"})
    for _ in range(100):
        if jobs.get(job.id).state == "running":
            break
        time.sleep(0.05)
    saved_before, jobs_before = len(store.list()), len(jobs.list())
    target = page.base
    evil = Attacker({
        "/form.html": f"""<!doctype html><title>prize</title>
<form method="post" action="{target}/api/proposals"><input name="type" value="day_care">
<input name="model" value="lscp"><input name="name" value="evil"></form>
<script>document.forms[0].submit()</script>""",
        "/cancel.html": f"""<!doctype html><title>waiting</title><script>
fetch("{target}/api/jobs/{job.id}/cancel", {{method: "POST", mode: "no-cors", credentials: "include"}})
  .then(() => document.title = "sent", () => document.title = "sent");
</script>""",
    })
    try:
        page.goto(target + "/proposals?lang=zh")  # the planner has the app (and its cookie) open
        page.wait_for_load_state("networkidle")
        with page.expect_response(lambda r: r.url.startswith(target + "/api/proposals")) as answer:
            page.goto(evil.base + "/form.html")
        assert answer.value.status == 403
        page.goto(evil.base + "/cancel.html")
        poll_js(page, "document.title === 'sent'")
        time.sleep(0.3)
        assert jobs.get(job.id).state == "running"
        assert len(store.list()) == saved_before and len(jobs.list()) == jobs_before
        page.goto(target + "/proposals?lang=zh")  # the screenshot: the app, untouched
        page.wait_for_load_state("networkidle")
    finally:
        evil.close()
        release.set()
        jobs.cancel(job.id)
