"""QA sweep 19, the pages: what a planner saw in the browser, each fixed with a test of the outcome.

One server with accounts (web/auth.py, login required) for the module: an administrator, a city-wide
planner and a county planner of 房县, and proposals of the city-wide planner and of the county planner.
"""
from __future__ import annotations

import re
import threading
import time

import pytest
from accounts import PW, accounts_app, signed_in
from browser import browser, poll_js, wait_map  # noqa: F401  (browser: the suite's chromium fixture)

from planner.i18n import _STRINGS, t

FANG = "420325"
ACCOUNTS = [("admin1", "admin", None), ("city", "planner", None), ("fang", "planner", FANG)]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa19p"), ACCOUNTS)
    app.extensions["coverplan"]["service"].region_layers()
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _saved(client, body) -> str:
    r = client.post("/api/proposals?wait=120", json=body)
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]["id"]


@pytest.fixture(scope="module")
def props(app):
    city, fang = signed_in(app, "city"), signed_in(app, "fang")
    return {"city": _saved(city, {"type": "elderly_complex", "model": "mclp", "p": 3}),
            "convert": _saved(city, {"type": "welfare_home", "kind": "upgrade", "k": 8, "convert": True}),
            "fang": _saved(fang, {"type": "elderly_complex", "model": "mclp", "p": 2})}


@pytest.fixture(scope="module")
def base(app, props):
    from waitress.server import create_server

    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()


@pytest.fixture()
def login(browser, base):
    """login(name, width=1280) -> a page logged in as ``name``; no JavaScript error may happen on it."""
    made = []

    def open_as(name: str, width: int = 1280):
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", bypass_csp=True)
        pg = ctx.new_page()
        pg.errors = []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.set_default_timeout(30_000)
        pg.goto(base + "/login")
        pg.fill("#login-name", name)
        pg.fill("#login-password", PW)
        with pg.expect_navigation():
            pg.click("#login-submit")
        pg.base = base
        made.append((ctx, pg))
        return pg

    yield open_as
    for ctx, pg in made:
        ctx.close()
        assert pg.errors == [], f"JavaScript errors: {pg.errors}"


def saved_rows(pg):
    poll_js(pg, "document.getElementById('saved').dataset.rows && document.getElementById('saved').dataset.rows !== 'error'")


# -- 1. a county planner is not offered Delete (nor rename) where the server refuses it ----------------
@pytest.mark.browser
def test_a_county_planner_sees_delete_only_on_proposals_he_may_delete(login, props):
    pg = login("fang")
    pg.goto(pg.base + "/proposals")
    saved_rows(pg)
    has_delete = pg.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#saved tbody tr')]
        .map(r => [r.dataset.id, !!r.querySelector('button.del')]))""")
    assert has_delete[props["fang"]] is True
    assert has_delete[props["city"]] is False and has_delete[props["convert"]] is False
    # the city-wide planner and the administrator still have it on the city's proposals
    for name in ("city", "admin1"):
        other = login(name)
        other.goto(other.base + "/proposals")
        saved_rows(other)
        assert other.locator(f"#saved tr[data-id='{props['city']}'] button.del").count() == 1


@pytest.mark.browser
def test_a_refused_delete_says_why(login, app):
    """A delete the server refuses (here: the proposal is gone meanwhile) shows its message, no console error."""
    mine = _saved(signed_in(app, "fang"), {"type": "day_care", "model": "mclp", "p": 1})
    pg = login("fang")
    pg.goto(pg.base + "/proposals")
    saved_rows(pg)
    assert signed_in(app, "admin1").delete(f"/api/proposals/{mine}").status_code == 200
    said = []
    pg.on("dialog", lambda d: (said.append(d.message), d.accept()))
    pg.click(f"#saved tr[data-id='{mine}'] button.del")
    deadline = time.time() + 10
    while len(said) < 2 and time.time() < deadline:
        pg.wait_for_timeout(100)
    assert len(said) == 2, said  # the confirm, then the server's answer
    assert "已于" in said[1] and "被 admin1 删除" in said[1], said[1]  # the server's words


@pytest.mark.browser
def test_the_proposal_page_offers_no_rename_on_a_proposal_he_may_not_change(login, props):
    pg = login("fang")
    pg.goto(pg.base + f"/proposals/{props['city']}")
    poll_js(pg, "document.getElementById('e-save').disabled === true", timeout=10)
    assert pg.locator("#e-name").is_disabled()
    assert "创建者" in pg.locator("#e-save").get_attribute("title")
    pg.goto(pg.base + f"/proposals/{props['fang']}")  # his own: open
    pg.wait_for_timeout(800)
    assert not pg.locator("#e-save").is_disabled() and not pg.locator("#e-name").is_disabled()


# -- 2. the one-time password goes when another account is added ----------------------------------------
@pytest.mark.browser
def test_the_one_time_password_is_not_left_beside_a_refused_add(login):
    pg = login("admin1")
    pg.goto(pg.base + "/admin")
    pg.fill("#nu-name", "qa19new")
    pg.click("#nu-submit")
    poll_js(pg, "!document.getElementById('nu-result').hidden")
    assert "qa19new" in pg.locator("#nu-result").inner_text()
    pg.fill("#nu-name", "qa19new")  # the same name again: refused
    pg.click("#nu-submit")
    poll_js(pg, "!document.getElementById('nu-error').hidden")
    assert pg.locator("#nu-result").is_hidden()
    assert pg.evaluate("document.getElementById('nu-result').textContent") == ""


# -- 3. a rename refused for a colleague's change: the heading shows the name saved now ---------------
@pytest.mark.browser
def test_a_refused_rename_shows_the_colleagues_name_in_the_heading(login, app, props):
    pid = props["city"]
    pg = login("city")
    pg.goto(pg.base + f"/proposals/{pid}")
    assert signed_in(app, "admin1").patch(f"/api/proposals/{pid}", json={"name": "同事改的名字"}).status_code == 200
    pg.fill("#e-name", "我的新名字")
    pg.click("#e-save")
    poll_js(pg, "document.getElementById('e-status').textContent.length > 0")
    assert "同事改的名字" in pg.locator("#e-status").inner_text()
    assert pg.locator("h1 .proposal-name").inner_text() == "同事改的名字"
    assert pg.title().startswith("同事改的名字")


# -- 4. a page whose login ended says so, with the way back --------------------------------------------
@pytest.mark.browser
def test_a_401_says_log_in_again_once_with_a_link_back(login):
    pg = login("city")
    pg.goto(pg.base + "/map/day_care?lang=en")
    wait_map(pg)
    pg.context.clear_cookies()  # the login is gone (logged out elsewhere, account disabled...)
    for _ in range(2):  # twice: one notice, no loop
        answer = pg.evaluate("() => CP.json('/api/search?q=wu').then(() => 'ok', e => e.error)")
        assert answer == "LoginRequired"
    box = pg.locator("#cp-login-ended")
    assert box.count() == 1 and box.is_visible()
    assert "login has ended" in box.inner_text()
    assert box.locator("a").get_attribute("href") == "/login?next=" + "%2Fmap%2Fday_care%3Flang%3Den"
    assert "/map/day_care" in pg.url  # not sent away


@pytest.mark.browser
def test_a_wrong_password_is_no_ended_login(browser, base):
    pg = browser.new_page()
    pg.goto(base + "/login")
    pg.evaluate("""() => CP.json('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({name: 'city', password: 'wrong-one'})}).catch(e => e)""")
    assert pg.locator("#cp-login-ended").count() == 0
    pg.close()


# -- 5. English strings hold English quotes -----------------------------------------------------------
def test_english_strings_use_english_quotes_and_single_spaces():
    bad = {k: en for k, (zh, en) in _STRINGS.items() if re.search(r"[“”‘’]| {2}", en)}
    assert bad == {}
    assert t("plan_none_picked", "en") == 'No proposal picked: the "After the package" column equals the current state.'


def test_the_plan_page_catalogue_has_the_english_note(app):
    page = signed_in(app, "city").get("/plan?lang=en").get_data(as_text=True)
    assert "the \\u201c" not in page and "No proposal picked: the \\\"After the package\\\" column" in page


# -- 6. a county planner is told who can roll back ----------------------------------------------------
REPORT = {"upload_id": "u1", "kind": "facilities", "file": {"name": "f.csv", "size": 10},
          "counts": {"accepted": 2, "refused": 0, "warnings": 0, "rows": 2}, "issues": [],
          "preview": {"type": "FeatureCollection", "features": []}, "preview_total": 0,
          "replaces": {"types": [{"type": "welfare_home", "name": "农村福利院", "current": 13, "synthetic": 13,
                                  "incoming": 2}], "county": FANG, "outside_county": 0, "outside_rows": [],
                       "shrinks": True,
                       "text": "确认后，本文件的 2 处农村福利院将替换房县（420325）现有的 13 处；现有但不在文件中的将不再出现在当前版本（可回滚恢复）。"}}


@pytest.mark.browser
@pytest.mark.parametrize("name, told", [("fang", True), ("city", False)])
def test_the_replace_text_names_who_can_roll_back_for_a_county_planner(login, tmp_path, name, told):
    import json

    pg = login(name)
    pg.route("**/api/data/uploads?*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(REPORT)))
    pg.goto(pg.base + "/data")
    f = tmp_path / "f.csv"
    f.write_text("name\nx\n", "utf-8")
    pg.set_input_files("#u-file", str(f))
    pg.click("#u-check")
    poll_js(pg, "document.getElementById('report').dataset.ready === '1'")
    note = t("data_rollback_county_note", "zh")
    assert (note in pg.locator("#r-replace").inner_text()) is told
    asked = []
    pg.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    pg.click("#r-confirm")
    pg.wait_for_timeout(300)
    assert asked and (note in asked[0]) is told


# -- 7. a conversion's map says its facilities are the sample ------------------------------------------
@pytest.mark.browser
def test_the_conversion_map_labels_its_sample_facilities(login, props):
    import json

    pg = login("city")

    def no_flag(route):  # the conversion's target type with a register of its own (not the sample)
        answer = route.fetch()
        data = answer.json()
        data["facilities_synthetic"] = False
        route.fulfill(response=answer, body=json.dumps(data))

    pg.route("**/api/proposals/*/layers*", no_flag)
    pg.goto(pg.base + f"/proposals/{props['convert']}")
    wait_map(pg)
    note = pg.locator(".map-note").inner_text()
    assert "设施名录为合成数据" in note
    labels = pg.evaluate("[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent)")
    assert any("拟转型设施" in x and "示意" in x for x in labels), labels


def test_the_conversion_page_marks_its_sites_synthetic(app, props):
    c = signed_in(app, "city")
    assert 'data-sites-synthetic="1"' in c.get(f"/proposals/{props['convert']}").get_data(as_text=True)
    brief = c.get(f"/proposals/{props['convert']}/brief").get_data(as_text=True)
    assert 'data-sites-synthetic="1"' in brief and re.search(r"拟转型设施\s*（?\(?示意", brief)
    assert "data-sites-synthetic" not in c.get(f"/proposals/{props['city']}").get_data(as_text=True)


# -- 8. the overview's targets and coverage rows carry 示意 ------------------------------------------------
@pytest.mark.browser
def test_the_overview_badges_rows_on_synthetic_data(login):
    pg = login("city")
    pg.goto(pg.base + "/")
    poll_js(pg, "document.getElementById('targets-table') && document.getElementById('citywide-table')")
    targets = pg.evaluate("[...document.querySelectorAll('#targets-table tbody tr')].map(r => !!r.querySelector('.badge-approx'))")
    cover = pg.evaluate("[...document.querySelectorAll('#citywide-table tbody tr')].map(r => !!r.querySelector('.badge-approx'))")
    assert targets and all(targets)  # the sample data: every row rests on it
    assert cover and all(cover)


# -- 9. the mean and percentile costs say what they are weighted by ---------------------------------------
def test_the_travel_costs_say_what_they_are_weighted_by(app, props):
    c = signed_in(app, "city")
    assert "按80岁以上人口加权" in c.get("/map/welfare_home").get_data(as_text=True)
    assert "weighted by people aged 60+" in c.get("/map/day_care?lang=en").get_data(as_text=True)
    assert "each counted equally" in c.get("/map/cemetery?lang=en").get_data(as_text=True)
    for url in (f"/proposals/{props['city']}", f"/proposals/{props['city']}/brief"):
        html = c.get(url + "?lang=en").get_data(as_text=True)
        assert "Mean and 90th percentile travel costs are weighted by people aged 60+." in html, url
    # an upgrade's numbers are people served: no travel cost, no note
    assert 'id="cost-weight-note"' not in c.get(f"/proposals/{props['convert']}").get_data(as_text=True)


# -- 10. phone layout ---------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_checklist_status_is_on_a_phone_screen_and_its_header_is_short(login, lang):
    pg = login("city", width=390)
    pg.goto(pg.base + f"/townships?lang={lang}")
    poll_js(pg, "document.querySelectorAll('#checklist tbody tr').length > 10")
    box = pg.evaluate("""() => { const th = document.querySelector('#checklist th[data-key=status]').getBoundingClientRect();
        const wrap = document.querySelector('#checklist').closest('.table-wrap').getBoundingClientRect();
        return {right: th.right, edge: Math.min(wrap.right, innerWidth), height: th.height}; }""")
    assert box["right"] <= box["edge"], box
    assert box["height"] < 60, box  # two lines at most
    # the first row's status is readable on the screen too
    st = pg.evaluate("document.querySelector('#checklist tbody tr .st').getBoundingClientRect().right")
    assert st <= box["edge"]
    # wider screens keep the code column
    pg.set_viewport_size({"width": 1280, "height": 900})
    assert pg.locator("#checklist th[data-key=township_code]").is_visible()


@pytest.mark.browser
def test_county_names_and_type_names_do_not_break_inside_a_word_on_a_phone(login, app, props):
    pg = login("city", width=390)
    pg.goto(pg.base + f"/proposals/{props['convert']}")
    lines = pg.evaluate("""[...document.querySelectorAll('#rationale tbody td.place')].map(td => {
        const r = document.createRange(); r.selectNodeContents(td);
        return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })""")
    assert lines and max(lines) == 1, lines
    _saved(signed_in(app, "city"), {"type": "day_care", "model": "mclp", "p": 1})
    pg.goto(pg.base + "/proposals?lang=en")
    saved_rows(pg)
    # "Community/village day-care centre": "village" on one line (it read "vill / age")
    split = pg.evaluate("""[...document.querySelectorAll('#saved tbody td:nth-child(3)')].flatMap(td => {
        const out = [], walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
        for (let n; (n = walker.nextNode());) {
          for (const m of n.textContent.matchAll(/[A-Za-z]{4,}/g)) {
            const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
            if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) out.push(m[0]);
          }
        }
        return out; })""")
    assert split == []
    assert pg.evaluate("document.querySelector('#saved tbody td:nth-child(3)').textContent") != ""


# -- (found on the way) a target's long note stays in the proposal page's side card --------------------
@pytest.mark.browser
def test_a_targets_note_wraps_inside_the_side_card(login, app):
    pid = _saved(signed_in(app, "city"), {"type": "regional_center", "model": "mclp", "p": 3})
    pg = login("city")
    pg.goto(pg.base + f"/proposals/{pid}")
    box = pg.evaluate("""() => { const card = document.getElementById('proposal-targets').getBoundingClientRect();
        const table = document.querySelector('#proposal-targets table').getBoundingClientRect();
        const first = document.querySelector('#proposal-targets tbody td').getBoundingClientRect();
        return {card: card.right, table: table.right, target: first.width}; }""")
    assert box["table"] <= box["card"] + 0.5, box
    assert box["target"] > 60, box  # a few words a line, not a character a line (it was 20 px)


# -- 11. a colleague's new data version is said on an open page (kept last: it makes a version) ----------------
def test_healthz_gives_the_data_version(app):
    assert signed_in(app, "city").get("/api/healthz").get_json()["data_version"] == \
        app.extensions["coverplan"]["service"].version()


@pytest.mark.browser
def test_an_open_page_says_when_a_colleague_made_a_new_data_version(login, app):
    pg = login("city")
    pg.context.add_init_script("window.CP_VERSION_POLL_MS = 300")
    pg.goto(pg.base + "/townships")
    shown = pg.get_attribute("#data-version", "data-v")
    time.sleep(1)
    assert pg.locator("#cp-data-changed").count() == 0  # nothing new: nothing said
    admin = signed_in(app, "admin1")
    row = admin.get("/api/facilities?type=cemetery").get_json()["rows"][0]
    r = admin.post("/api/data/edits", json={"action": "update", "type": "cemetery", "id": row["id"],
                                            "fields": {"remark": "QA 19 版本提示"}})
    assert r.status_code == 200, r.get_json()
    new = r.get_json()["version"]
    poll_js(pg, "!!document.getElementById('cp-data-changed')", timeout=15)
    text = pg.inner_text("#cp-data-changed")
    assert f"v{new}" in text and f"v{shown}" in text and "刷新本页" in text
    assert pg.locator("#cp-data-changed").count() == 1  # said once


@pytest.mark.browser
def test_a_planners_own_import_is_not_taken_for_a_colleagues(login, app, tmp_path):
    from geo.regions import load_region

    pg = login("city")
    pg.context.add_init_script("window.CP_VERSION_POLL_MS = 300")
    pg.goto(pg.base + "/data")
    g = load_region("shiyan").villages.geometry.iloc[9]
    f = tmp_path / "own.csv"
    f.write_text(f"名称,类型,经度,纬度\n自己的站,慈善工作站点,{g.x:.6f},{g.y:.6f}\n", "utf-8")
    pg.set_input_files("#u-file", str(f))
    pg.click("#u-check")
    poll_js(pg, "document.getElementById('report').dataset.ready === '1'")
    pg.on("dialog", lambda d: d.accept())
    before = pg.get_attribute("#data-version", "data-v")
    pg.click("#r-confirm")
    poll_js(pg, f"document.getElementById('data-version').dataset.v !== '{before}'", timeout=30)
    time.sleep(1.5)  # five checks of the server's version
    assert pg.locator("#cp-data-changed").count() == 0


def test_own_import_held_in_flight_is_not_taken_for_a_colleagues(login, app, tmp_path):
    """CI caught the race the test above leaves to chance: the server commits the import, the
    version check sees the new version, and the confirm's answer has not reached the page yet. The
    answer is held here for two seconds while the page checks every 100 ms."""
    from geo.regions import load_region

    pg = login("city")
    pg.context.add_init_script("window.CP_VERSION_POLL_MS = 100")
    pg.goto(pg.base + "/data")
    g = load_region("shiyan").villages.geometry.iloc[11]
    f = tmp_path / "held.csv"
    f.write_text(f"名称,类型,经度,纬度\n慢回答的站,慈善工作站点,{g.x:.6f},{g.y:.6f}\n", "utf-8")
    pg.set_input_files("#u-file", str(f))
    pg.click("#u-check")
    poll_js(pg, "document.getElementById('report').dataset.ready === '1'")
    pg.on("dialog", lambda d: d.accept())
    seen = []

    def hold(route):
        resp = route.fetch()  # the server commits now
        time.sleep(2.0)
        seen.append(resp.status)
        route.fulfill(response=resp)

    pg.route("**/confirm?*", hold)
    before = pg.get_attribute("#data-version", "data-v")
    pg.click("#r-confirm")
    poll_js(pg, f"document.getElementById('data-version').dataset.v !== '{before}'", timeout=30)
    time.sleep(0.6)
    assert seen == [200]
    assert pg.locator("#cp-data-changed").count() == 0
