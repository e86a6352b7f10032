"""Stored XSS in real Chromium: markup planted in every stored field stays text on every page.

The server here sends its Content-Security-Policy as report-only, so this checks the escaping
itself (a page that inserted a name as HTML would run it and open a dialog), not just the
policy that would block it in production.
"""
from __future__ import annotations

import io

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures; wait_map, layer_count)

pytestmark = pytest.mark.browser

PAYLOADS = ['<img src=x onerror=alert(1)>', '"><script>alert(2)</script>', "'><svg onload=alert(3)>",
            '<a href="javascript:alert(4)">x</a>']
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The shared server's set-up, but with a report-only policy (see the module's docstring)."""
    from browser import served
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("xss") / "p.sqlite"), "CSP_REPORT_ONLY": True})
    with served(app) as srv:
        yield srv


@pytest.fixture(scope="module")
def planted(server):
    """Every stored field holds markup: proposal name and note, facility names (map edit and
    register upload), register columns, the uploaded file's name and the version notes."""
    c = server.app.test_client()
    p1, p2, p3, p4 = PAYLOADS
    r = c.post("/api/proposals?wait=90", json={"type": "elderly_complex", "model": "mclp", "p": 3,
                                                "name": p1, "note": p2})
    assert r.status_code == 201, r.data[:300]
    pid = r.get_json()["proposal"]["id"]
    r = c.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": p3, "lon": 110.79,
                                        "lat": 32.65, "note": p4})
    assert r.status_code == 200, r.data[:300]
    csv_text = (f'名称,类型,经度,纬度,"{p2.replace(chr(34), chr(34) * 2)}"\n'
                f'"{p1}",日间照料中心,110.80,32.66,"{p3}"\n'
                f'"{p2.replace(chr(34), chr(34) * 2)}",日间照料中心,110.81,32.67,x\n'
                f'"{p4.replace(chr(34), chr(34) * 2)}",日间照料中心,abc,32.67,x\n')
    r = c.post("/api/data/uploads?lang=zh", content_type="multipart/form-data",
               data={"kind": "facilities", "coords": "wgs84", "type": "day_care", "note": p1,
                     "file": (io.BytesIO(csv_text.encode()), f"{p1}.csv")})
    assert r.status_code == 200, r.data[:300]
    assert c.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm").status_code == 200
    return pid


def check_page(pg, dialogs, where):
    assert dialogs == [], f"{where}: a planted name ran as script: {dialogs}"
    assert pg.evaluate("window.__csp") == [], where
    # nothing planted became an element either (an <img src=x> that cannot run is still wrong)
    assert pg.evaluate("document.querySelectorAll('img[src=x], svg[onload], [onerror], a[href^=javascript]').length") == 0, where


def open_every_popup(pg):
    """Leaflet writes a popup's or tooltip's HTML only when it opens: open them (the planted
    facilities and sites all; of the thousands of village points, the first few: same code)."""
    pg.evaluate("""() => Object.values(window.coverplanMaps || {}).forEach(m =>
        Object.entries(m.layers || {}).forEach(([name, group]) => {
            if (!group.getLayers) return;
            const all = group.getLayers(), some = /facil|site|propos/.test(name) ? all : all.slice(0, 20);
            some.forEach(l => {
                if (l.getTooltip && l.getTooltip()) { l.openTooltip(); l.closeTooltip(); }
                if (l.getPopup && l.getPopup()) { l.openPopup(); l.closePopup(); }
            });
        }))""")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_planted_markup_never_runs(page, planted, lang):
    pid = planted
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(WATCH)
    pages = ["/", "/map/day_care", "/map/elderly_complex", "/townships", "/proposals", f"/proposals/{pid}",
             f"/proposals/compare?a={pid}&b={pid}", f"/proposals/{pid}/brief", "/data", "/facilities",
             "/facilities?q=img", f"/plan?proposals={pid}"]
    for path in pages:
        sep = "&" if "?" in path else "?"
        page.goto(page.base + path + sep + "lang=" + lang)
        page.wait_for_load_state("networkidle")
        if path.startswith(("/map/", f"/proposals/{pid}")) and page.locator("#map").count():
            wait_map(page)
            open_every_popup(page)
        page.wait_for_timeout(200)
        check_page(page, dialogs, path)
    # the planted names are shown, as text
    page.goto(page.base + f"/proposals?lang={lang}")
    page.wait_for_load_state("networkidle")
    assert PAYLOADS[0] in page.locator("body").inner_text()
    # the data page: versions with planted notes, and a diff naming planted facilities
    page.goto(page.base + f"/data?lang={lang}")
    page.wait_for_function("document.getElementById('versions').dataset.ready === '1'")
    assert PAYLOADS[0] in page.locator("#versions").inner_text()
    # an upload whose file name, columns and values are markup: the report shows them as text
    page.set_input_files("#u-file", files=[{"name": f"{PAYLOADS[0]}.csv", "mimeType": "text/csv",
                                            "buffer": f"名称,类型,经度,纬度,{PAYLOADS[3]}\n{PAYLOADS[1][2:]},日间照料中心,abc,32.6,x\n".encode()}])
    page.select_option("#u-kind", "facilities")
    page.locator("#upload-form button[type=submit]").first.click()
    page.wait_for_function("document.getElementById('r-file') && document.getElementById('r-file').textContent.length > 0")
    page.wait_for_timeout(300)
    check_page(page, dialogs, "data upload report")
    page.goto(page.base + f"/proposals/{pid}?lang={lang}")  # the screenshot: a proposal named with markup
    wait_map(page)
    open_every_popup(page)
    check_page(page, dialogs, "proposal")
