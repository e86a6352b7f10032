"""QA 30, in a real browser: pages print their tables whole on A4 (the phone rules clipped them), and a
viewer's proposal form and proposal page say why they are locked in the viewer's words."""
from __future__ import annotations

import threading

import pytest

from browser import *  # noqa: F401,F403
from browser import Server

pytestmark = pytest.mark.browser
PW = "browser-qa30-pw"
A4_PX = 718  # 210 mm less 2 x 10 mm margins, at 96 px an inch


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from waitress.server import create_server

    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa30") / "p.sqlite"), "AUTH": "required"})
    users = app.extensions["coverplan"]["users"]
    users.add("wang", "planner", "420325", password=PW, must_change=False)
    users.add("guest", "viewer", password=PW, must_change=False)
    app.extensions["coverplan"]["service"].region_layers()
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    yield Server(f"http://127.0.0.1:{srv.effective_port}", app)
    srv.close()
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def county_proposal(server):
    """A 房县 proposal saved by its county planner (through the API, CSRF and all)."""
    c = server.app.test_client()
    origin = {"Origin": "http://localhost"}
    token = c.get("/api/csrf").get_json()["token"]
    head = {**origin, "X-CSRF-Token": token}
    assert c.post("/login", json={"name": "wang", "password": PW}, headers=head).status_code == 200
    token = c.get("/api/csrf").get_json()["token"]  # a new session, a new token
    resp = c.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2, "county": "420325"},
                  headers={**origin, "X-CSRF-Token": token})
    assert resp.status_code == 201, resp.data[:300]
    # then an edit: the proposal is on an older data version, and its page offers the re-run
    f = server.app.extensions["coverplan"]["service"].region.facilities
    fid = str(f[(f["facility_type"] == "cemetery") & (f["county_code"] == "420325")]["id"].iloc[0])
    edit = c.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": fid, "name": "改名公墓"},
                  headers={**origin, "X-CSRF-Token": token})
    assert edit.status_code in (200, 201), edit.data[:300]
    return resp.get_json()["proposal"]["id"]


def log_in(page, name, path):
    page.goto(page.base + path)
    page.fill("#login-name", name)
    page.fill("#login-password", PW)
    page.click("#login-submit")
    page.wait_for_url("**" + path)


@pytest.mark.parametrize("path", ["/townships", "/proposals/{pid}"])
def test_printed_tables_keep_every_column_on_a4(page, county_proposal, path):
    log_in(page, "wang", "/")
    page.set_viewport_size({"width": A4_PX, "height": 1000})
    page.goto(page.base + path.format(pid=county_proposal))
    page.wait_for_selector("table.data tbody tr")
    page.emulate_media(media="print")
    boxes = page.eval_on_selector_all(
        "table.data", "ts => ts.filter(t => t.offsetParent).map(t => [t.scrollWidth, t.clientWidth, "
                      "getComputedStyle(t).display, t.getBoundingClientRect().right])")
    assert boxes
    for scroll, client, display, right in boxes:
        assert display == "table"                  # not the phone's scroll box, which paper clips
        assert right <= A4_PX + 1 and scroll <= client + 1, boxes
    page.emulate_media(media="screen")             # the phone's scrolling table on screen stays as it was
    assert page.eval_on_selector("table.data", "t => getComputedStyle(t).display") == "block"


def test_a_viewer_is_told_he_only_views(page, county_proposal):
    log_in(page, "guest", "/proposals")
    assert page.is_disabled("#p-submit")
    for model in ("mclp", "pmedian"):  # the model's handler re-enabled the number of sites
        page.eval_on_selector("#p-model", "(s, m) => { s.disabled = false; s.value = m; "
                              "s.dispatchEvent(new Event('change')); s.disabled = true; }", model)
        # (the property: Playwright's is_disabled also counts the aria-disabled the lock sets)
        assert page.eval_on_selector("#p-p", "e => e.disabled"), model
    page.goto(page.base + f"/proposals/{county_proposal}")
    page.wait_for_selector("#rerun", state="attached")  # shown when the data changed since; locked either way
    poll_js(page, "document.getElementById('rerun').disabled")
    title = page.get_attribute("#rerun", "title")
    assert "只有查看权限" in title and "本县区" not in title


def test_a_county_planners_file_wholly_outside_his_county_says_only_that_it_is_refused(page, tmp_path):
    """All rows in another county: "this file's 0 facilities replace the 18 now in 房县" stood beside "Nothing
    will be imported", as if his county's facilities would be removed."""
    from test_qa29_carried import register_of

    path = tmp_path / "郧西.csv"
    path.write_bytes(register_of(page.app.extensions["coverplan"]["service"].region, "420322", 2, "郧西"))
    log_in(page, "wang", "/data")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    page.select_option("#u-kind", "facilities")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1'")
    assert page.eval_on_selector("#r-confirm", "e => e.disabled")
    assert page.eval_on_selector("#r-replace", "e => e.hidden"), page.inner_text("#r-replace")
    assert "不会导入任何行" in page.inner_text("#report")
