"""QA 32: "who changed this facility?" The audit log records an import under its file and a rollback under its
version, so a search by a facility's id found only the map's edits. GET /api/admin/audit?q=<id> now also
answers the data versions that changed the facility (web/auth.py facility_history), and /admin shows them."""
from __future__ import annotations

import pytest

from accounts import accounts_app, signed_in
from test_qa27_provenance import upload
from test_qa29_carried import confirm


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, [("boss", "admin", None), ("li", "planner", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _day_care(app):
    """An embedded day-care centre of one county and the county's other centres: (its row, the others)."""
    fac = app.extensions["coverplan"]["service"].region.facilities
    dc = fac[fac["facility_type"] == "day_care"]
    one = dc.iloc[0]
    county = str(one["county_code"])
    return one, dc[dc["county_code"].astype(str) == county]


def _register(rows) -> bytes:
    """A day-care register with ids: each row (id, name, lon, lat)."""
    lines = ["编号,名称,类型,经度,纬度"] + [f"{i},{n},日间照料中心,{x:.6f},{y:.6f}" for i, n, x, y in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_audit_search_by_facility_id_lists_the_import_and_the_rollback_that_changed_it(app):
    boss = signed_in(app, "boss")
    one, county = _day_care(app)
    fid = str(one["id"])
    # the county's register again, the facility renamed (the import does it, not a map edit)
    rows = [(str(r["id"]), ("改名后的照料中心" if str(r["id"]) == fid else str(r["name"])),
             r.geometry.x, r.geometry.y) for _, r in county.to_crs(4326).iterrows()]
    v_import = confirm(boss, _register(rows), "改名名录.csv")
    after = app.extensions["coverplan"]["service"].region.facilities
    assert after.loc[after["id"] == fid, "name"].iloc[0] == "改名后的照料中心"
    r = boss.post("/api/data/rollback", json={"version": 0})
    assert r.status_code in (200, 201), r.get_json()
    v_back = r.get_json()["version"]

    d = boss.get(f"/api/admin/audit?q={fid}&lang=zh").get_json()
    fh = d["facility"]
    assert fh is not None and fh["id"] == fid and fh["type"] == "day_care", fh
    got = [(v["version"], v["kind"], v["happened"]) for v in fh["versions"]]
    assert got == [(v_import, "import", "changed"), (v_back, "rollback", "changed")], got
    imp, back = fh["versions"]
    assert imp["file"] == "改名名录.csv" and imp["author"] == "boss" and imp["created_iso"]
    assert imp["diff"] == {"a": 0, "b": v_import} and back["diff"] == {"a": v_import, "b": v_back}
    assert imp["kind_text"] == "导入" and back["kind_text"] == "回退"
    assert back["happened_text"] == "回退到 v0 时改回", back

    en = boss.get(f"/api/admin/audit?q={fid}&lang=en").get_json()["facility"]
    assert [v["kind_text"] for v in en["versions"]] == ["import", "rollback"]
    assert en["versions"][1]["happened_text"] == "changed back by rolling back to v0"
    assert en["type_text"] != fh["type_text"]  # the type in each language

    # a word of the search is the id too; another facility of the type, untouched, has no version
    assert boss.get(f"/api/admin/audit?q={fid}%20rename").get_json()["facility"]["id"] == fid
    other = str(county.iloc[1]["id"]) if len(county) > 1 else None
    if other:
        fo = boss.get(f"/api/admin/audit?q={other}").get_json()["facility"]
        assert fo["id"] == other and fo["versions"] == [], fo
    # a search that names no facility: no facility block
    assert boss.get("/api/admin/audit?q=boss").get_json()["facility"] is None


def test_a_facility_the_current_data_no_longer_hold_is_found_by_its_id(app):
    """An import that removed a facility: it is in no current data, its versions are still answered; so are those of
    a facility under an id of the planner's file (no type in it), added by one import and dropped by the next."""
    boss = signed_in(app, "boss")
    one, county = _day_care(app)
    fid = str(one["id"])
    rows = [(str(r["id"]), str(r["name"]), r.geometry.x, r.geometry.y)
            for _, r in county.to_crs(4326).iterrows() if str(r["id"]) != fid]
    x, y = rows[0][2] + 0.01, rows[0][3] + 0.01
    v1 = confirm(boss, _register(rows + [("DC-9001", "自编号照料中心", x, y)]), "少一处.csv")
    v2 = confirm(boss, _register(rows), "再导入.csv")
    fac = app.extensions["coverplan"]["service"].region.facilities
    assert not {fid, "DC-9001"} & set(fac["id"].astype(str))
    fh = boss.get(f"/api/admin/audit?q={fid}&lang=en").get_json()["facility"]
    assert [(v["version"], v["happened"], v["happened_text"]) for v in fh["versions"]] == [
        (v1, "removed", "removed")], fh
    own = boss.get("/api/admin/audit?q=DC-9001&lang=zh").get_json()["facility"]
    assert own["type"] == "day_care", own
    assert [(v["version"], v["happened_text"], v["file"]) for v in own["versions"]] == [
        (v1, "加入", "少一处.csv"), (v2, "移除", "再导入.csv")], own


# -- in a real browser: the admin page shows the versions; a proposal's tables fit a phone ---------------------------
from browser import *  # noqa: E402,F401,F403

PHONE = 390
#: Per visible table.data: [id, scrollWidth, clientWidth, right edge, display].
BOXES = """() => Array.from(document.querySelectorAll('table.data')).filter(t => t.offsetParent).map(t =>
    [t.id || t.className, t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right, getComputedStyle(t).display])"""


@pytest.mark.browser
def test_admin_page_shows_the_versions_that_changed_a_facility(page, server):
    """The audit section, searched by a facility's id, lists the import above the log's entries (at 390 px, as
    labelled blocks), and its "show the changes" link shows the version's comparison in words."""
    c = server.app.test_client()
    origin = {"Origin": "http://localhost"}
    token = c.get("/api/csrf").get_json()["token"]
    one, county = _day_care(server.app)
    fid = str(one["id"])
    rows = [(str(r["id"]), ("浏览器改名照料中心" if str(r["id"]) == fid else str(r["name"])), r.geometry.x, r.geometry.y)
            for _, r in county.to_crs(4326).iterrows()]
    data = {"kind": "facilities", "coords": "wgs84", "type": "day_care",
            "file": (__import__("io").BytesIO(_register(rows)), "浏览器名录.csv")}
    up = c.post("/api/data/uploads?lang=zh", data=data, content_type="multipart/form-data",
                headers={**origin, "X-CSRF-Token": token})
    assert up.status_code == 200, up.get_json()
    done = c.post(f"/api/data/uploads/{up.get_json()['upload_id']}/confirm", headers={**origin, "X-CSRF-Token": token})
    assert done.status_code in (200, 201), done.get_json()
    v = done.get_json()["version"]
    page.set_viewport_size({"width": PHONE, "height": 900})
    for lang, title, kind in (("zh", "数据版本中对该设施的改动", "导入"), ("en", "Data versions that changed this facility", "import")):
        page.goto(page.base + f"/admin?lang={lang}")
        page.wait_for_selector("#audit-table tbody tr")
        page.fill("#af-q", fid)
        page.click("#af-apply")
        page.wait_for_selector(f"#facility-versions tr[data-version='{v}']")
        assert page.inner_text("#audit-facility h3") == title
        row = page.inner_text(f"#facility-versions tr[data-version='{v}']")
        assert kind in row and "浏览器名录.csv" in row, row
        page.click(f"#facility-versions tr[data-version='{v}'] a.fv-diff")
        page.wait_for_selector("#fv-diff[data-ready='1']")
        assert "浏览器改名照料中心" in page.inner_text("#fv-diff")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_proposal_tables_fit_a_phone_and_print_whole(page, proposal_id, lang):
    """At 390 px the rationale table (10 columns, 1,213 px wide in Chinese) and the brief's sites (600 px) fit the
    screen without scrolling sideways, each header label over its values; a laptop and paper keep the table."""
    url = page.base + f"/proposals/{proposal_id}?lang={lang}"
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto(url)
    page.wait_for_selector("#rationale tbody tr")
    for name, scroll, client, right, _ in page.evaluate(BOXES):
        if name == "rationale":
            assert scroll <= client + 1 and right <= PHONE, (name, scroll, client, right)
    # each label stands over its values: the header's cells and the first site's share their columns
    lefts = page.eval_on_selector("#rationale", """t => Array.from(t.tHead.rows[0].cells).map((h, i) =>
        [Math.round(h.getBoundingClientRect().left), Math.round(t.tBodies[0].rows[0].cells[i].getBoundingClientRect().left)])""")
    assert all(abs(a - b) <= 1 for a, b in lefts), lefts
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.goto(page.base + f"/proposals/{proposal_id}/brief?lang={lang}")
    page.wait_for_selector("table.brief-sites tbody tr")
    sites = [b for b in page.evaluate(BOXES) if "brief-sites" in b[0]]
    assert sites and all(s[1] <= s[2] + 1 and s[3] <= PHONE for s in sites), sites
    # a laptop's screen and A4 paper: the rationale is the table it was
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url)
    page.wait_for_selector("#rationale tbody tr")
    assert page.eval_on_selector("#rationale tbody tr", "r => getComputedStyle(r).display") == "table-row"
    page.set_viewport_size({"width": 718, "height": 1000})
    page.emulate_media(media="print")
    assert page.eval_on_selector("#rationale tbody tr", "r => getComputedStyle(r).display") == "table-row"
    assert page.eval_on_selector("#rationale", "t => getComputedStyle(t).display") == "table"
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": PHONE, "height": 900})  # the artifact: the phone's page
    page.wait_for_timeout(300)
