"""QA 35 (fixer F6): several planners on one shared server, in real Chromium.

1. A confirm refused because a colleague imported a newer version of the county's register after the check said who,
   what and when in an alert() gone at its OK; the report checked again listed, folded, a change that put back the
   colleague's rename, unmarked. The who/what line now stays above the report, and the changes that would undo the
   newer version's are marked and their lists open.
2. The "data changed" notice said "a colleague may have imported or edited data" of data gone BACK to an earlier
   version (a backup restored): it now says the data were restored to an earlier version.
3. An account disabled and enabled again: the notice at the top kept saying "disabled... contact your administrator"
   beside a Save saying to log in again; it follows the latest answer (and goes once requests are answered again). And
   "Log in again" lost the note being typed on the proposal page: kept as a draft in the tab, restored after the login.
"""
from __future__ import annotations

import pytest

from accounts import PW, accounts_app, signed_in
from browser import ARTIFACTS, browser, poll_js, served  # noqa: F401  (browser: the suite's chromium fixture)
from test_qa27_provenance import upload
from test_qa29_carried import register_of

pytestmark = pytest.mark.browser

FANG, ZHUSHAN = "420325", "420323"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa35f6"), [("boss", "admin", None), ("wang", "planner", None),
                                                            ("li", "planner", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def base(app):
    with served(app) as url:
        yield url


@pytest.fixture()
def login(browser, base):
    """login(name, lang) -> a page logged in as ``name``; no JavaScript error may happen on it."""
    made = []

    def open_as(name: str, width: int = 1366):
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", bypass_csp=True)
        pg = ctx.new_page()
        pg.errors = []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.set_default_timeout(30_000)
        pg.goto(base + "/login")
        sign_in(pg)
        pg.base = base
        made.append((ctx, pg))
        return pg

    def sign_in(pg, name="wang"):
        pg.fill("#login-name", name)
        pg.fill("#login-password", PW)
        with pg.expect_navigation():
            pg.click("#login-submit")

    open_as.sign_in = sign_in
    yield open_as
    for ctx, pg in made:
        ctx.close()
        assert pg.errors == [], f"JavaScript errors: {pg.errors}"


def shots(pg, name: str, at: str | None = None) -> None:
    """Screenshots at a desktop's and a phone's width (scrolled to ``at``), for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    for w in (1366, 390):
        pg.set_viewport_size({"width": w, "height": 900})
        if at and w == 390:
            pg.evaluate(f"document.querySelector('{at}').scrollIntoView({{block: 'start'}})")
        pg.screenshot(path=str(ARTIFACTS / f"qa35f6_{name}_{w}.png"), full_page=w == 1366)
    pg.set_viewport_size({"width": 1366, "height": 900})


def confirmed(client, body: bytes, name: str) -> int:
    r = upload(client, body, name, type="day_care")
    assert r.status_code == 200, r.get_json()
    r = client.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["version"]


# -- 1 ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang,county", [("zh", FANG), ("en", ZHUSHAN)])
def test_a_refused_confirm_keeps_who_and_marks_the_changes_undoing_theirs(login, app, tmp_path, lang, county):
    li = signed_in(app, "li")
    region = app.extensions["coverplan"]["service"].region
    tag = "甲" if lang == "zh" else "丙"
    confirmed(li, register_of(region, county, 3, tag), "county.csv")
    pg = login("wang")
    pg.goto(pg.base + f"/data?lang={lang}")
    poll_js(pg, "document.getElementById('versions').dataset.ready === '1'")
    mine = tmp_path / "mine.csv"
    mine.write_bytes(register_of(region, county, 4, tag))  # the county's three and a fourth
    pg.set_input_files("#u-file", str(mine))
    pg.select_option("#u-type", "day_care")
    pg.select_option("#u-coords", "wgs84")
    pg.click("#u-check")
    poll_js(pg, "document.getElementById('report').dataset.ready === '1'")
    # li renames one of the three meanwhile (a new version of the county's register)
    renamed = register_of(region, county, 3, tag).replace(f"{tag}1号".encode(), "乙1号".encode())
    v_li = confirmed(li, renamed, "li_renamed.csv")
    said = []
    pg.on("dialog", lambda d: (said.append(d.message), d.accept()))
    pg.click("#r-confirm")
    poll_js(pg, "!!document.querySelector('#r-conflict .conflict-undo')")
    poll_js(pg, "document.getElementById('report').dataset.ready === '1'")
    assert not [m for m in said if "li_renamed.csv" in m], said  # no alert gone at its OK
    box = pg.locator("#r-conflict")
    who = box.locator(".conflict-who").inner_text()
    assert "li" in who and "li_renamed.csv" in who and f"v{v_li}" in who, who
    undo = box.locator(".conflict-undo").inner_text()
    if lang == "zh":
        assert f"2 项变更会撤销或覆盖 v{v_li} 所做的修改" in undo, undo
    else:
        assert f"2 of the changes in the report below would undo or overwrite what v{v_li} changed" in undo, undo
    # above the report's counts and Confirm, which is on again
    assert pg.evaluate("document.getElementById('r-conflict').compareDocumentPosition("
                       "document.getElementById('r-counts')) & Node.DOCUMENT_POSITION_FOLLOWING")
    assert pg.is_enabled("#r-confirm")
    # li's 乙1 would go and the old name come back: both marked, their lists open; the file's own new one is not
    removed, added = pg.locator("#r-changes details[data-kind='removed']"), pg.locator("#r-changes details[data-kind='added']")
    assert removed.get_attribute("open") is not None and added.get_attribute("open") is not None
    gone = removed.locator("li.undoes").all_inner_texts()
    back = added.locator("li.undoes").all_inner_texts()
    assert len(gone) == 1 and "乙1号" in gone[0] and f"v{v_li}" in gone[0], gone
    assert len(back) == 1 and f"{tag}1号" in back[0], back
    assert f"{tag}3号" in added.inner_text() and not [t for t in back if f"{tag}3号" in t]
    if lang == "zh":
        assert f"v{v_li} 新增了此设施，确认后它将被移除" in gone[0] and "移除了此设施，确认后它将重新出现" in back[0]
    else:
        assert f"v{v_li} added this facility; confirming removes it" in gone[0], gone
    shots(pg, f"conflict_{lang}", at="#report")
    # a new file: the line was about the last one
    pg.click("#u-check")
    poll_js(pg, "document.getElementById('report').dataset.ready === '1'")
    assert pg.locator("#r-conflict").count() == 0


def _with_places(body: bytes, places: int) -> bytes:
    """The register with a 日托位 column of ``places`` on every row."""
    lines = body.decode("utf-8").strip().splitlines()
    return ("\n".join([lines[0] + ",日托位"] + [f"{x},{places}" for x in lines[1:]]) + "\n").encode("utf-8")


def test_a_change_to_a_facility_the_newer_version_added_is_marked(login, app, tmp_path):
    """QA 35 (the lead, after a tester): li's newer version adds the county's fourth centre with 30 places; wang's file,
    checked before, gives it 20. Re-checked after the refused confirm, that is a capacity change to a facility li
    added: it overwrites what li set, and is marked as the others are (only a change of the same kind was)."""
    li = signed_in(app, "li")
    region = app.extensions["coverplan"]["service"].region
    county, tag = FANG, "丁"
    confirmed(li, register_of(region, county, 3, tag), "county3.csv")
    pg = login("wang")
    pg.goto(pg.base + "/data?lang=zh")
    poll_js(pg, "document.getElementById('versions').dataset.ready === '1'")
    mine = tmp_path / "mine.csv"
    mine.write_bytes(_with_places(register_of(region, county, 4, tag), 20))
    pg.set_input_files("#u-file", str(mine))
    pg.select_option("#u-type", "day_care")
    pg.select_option("#u-coords", "wgs84")
    pg.click("#u-check")
    poll_js(pg, "document.getElementById('report').dataset.ready === '1'")
    v_li = confirmed(li, _with_places(register_of(region, county, 4, tag), 30), "li4.csv")
    pg.on("dialog", lambda d: d.accept())
    pg.click("#r-confirm")
    poll_js(pg, "!!document.querySelector('#r-conflict .conflict-undo')")
    poll_js(pg, "document.getElementById('report').dataset.ready === '1'")
    marks = pg.locator("#r-changes li.undoes").all_inner_texts()
    fourth = [m for m in marks if f"{tag}3号" in m]
    assert fourth and f"v{v_li} 新增了此设施，确认后其内容将被本文件的内容覆盖" in fourth[0], marks
    assert len(marks) == 4, marks  # the three li gave places to, and the one li added


# -- 2 ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_gone_back_to_an_earlier_version_is_said_as_a_restore(login, lang):
    pg = login("wang")
    pg.context.add_init_script("window.CP_VERSION_POLL_MS = 200")
    pg.goto(pg.base + f"/data?lang={lang}")
    now = int(pg.get_attribute("#data-version", "data-v"))
    # the page showed a later version than the server has now: what a backup's restore leaves an open page with
    later = now + 2
    pg.evaluate(f"""() => {{ const b = document.getElementById('data-version');
        b.textContent = b.textContent.replace(/v\\d+/, 'v{later}'); b.dataset.v = '{later}'; }}""")
    poll_js(pg, "!!document.getElementById('cp-data-changed')", timeout=15)
    text = pg.inner_text("#cp-data-changed")
    if lang == "zh":
        assert f"数据已从备份恢复为较早的版本 v{now}（本页显示的是 v{later}" in text and "他人导入" not in text, text
        assert "刷新本页" in text
    else:
        assert f"restored from a backup to an earlier version, v{now} (this page shows v{later}" in text, text
        assert "colleague" not in text and "Reload this page" in text
    assert pg.get_attribute("#cp-data-changed", "data-restored") == "1"
    shots(pg, f"restored_{lang}")


# -- 3 ------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wangs_proposal(app):
    r = signed_in(app, "wang").post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]["id"]


def test_the_login_notice_follows_the_account_and_the_note_survives_logging_in_again(login, app, wangs_proposal):
    users = app.extensions["coverplan"]["users"]
    pid = wangs_proposal
    pg = login("wang")
    pg.goto(pg.base + f"/proposals/{pid}?lang=en")
    note = "Checked with the county office on site: seat 2 is the old school."
    pg.fill("#e-note", note)
    try:
        users.update("wang", disabled=True)
        pg.click("#e-save")
        poll_js(pg, "!!document.getElementById('cp-login-ended')")
        assert "disabled by an administrator" in pg.inner_text("#cp-login-ended")
        users.update("wang", disabled=False)
        pg.click("#e-save")
        poll_js(pg, "document.getElementById('e-status').textContent.includes('enabled again')")
        banner = pg.inner_text("#cp-login-ended")
        assert "enabled again since: log in again" in banner and "Contact your administrator" not in banner, banner
        assert pg.locator("#cp-login-ended").count() == 1
        shots(pg, "reenabled_en")
    finally:
        if users.by_name("wang").disabled:
            users.update("wang", disabled=False)
    with pg.expect_navigation():
        pg.click("#cp-login-ended a")  # "Log in again and come back to this page"
    login.sign_in(pg)
    assert f"/proposals/{pid}" in pg.url
    assert pg.input_value("#e-note") == note  # the draft, restored
    assert "Your unsaved note on this page was restored" in pg.inner_text("#e-status")
    pg.goto(pg.base + f"/proposals/{pid}?lang=zh")  # still kept (not saved yet), said in Chinese too
    assert pg.input_value("#e-note") == note
    assert "已恢复您在本页未保存的备注" in pg.inner_text("#e-status")
    pg.click("#e-save")
    poll_js(pg, "document.getElementById('e-status').textContent === '已保存'"
                " || document.getElementById('e-status').textContent.startsWith('已保存')")
    saved = signed_in(app, "boss").get(f"/api/proposals/{pid}").get_json()
    assert saved.get("planner_note", saved.get("note")) == note
    assert pg.evaluate(f"sessionStorage.getItem('cp-note-draft:{pid}')") is None  # saved: nothing left to restore
    # the notice taken away once requests are answered again (logged in anew in another tab)
    users.update("wang", disabled=True)
    users.update("wang", disabled=False)
    assert pg.evaluate("() => CP.json('/api/me').then(() => 'ok', e => e.error)") == "SessionEnded"
    poll_js(pg, "!!document.getElementById('cp-login-ended')")
    assert "账号现已重新启用" in pg.inner_text("#cp-login-ended")
    shots(pg, "reenabled_zh")
    other = pg.context.new_page()
    other.goto(pg.base + "/login")
    login.sign_in(other)
    other.close()
    assert pg.evaluate("() => CP.json('/api/me').then(() => 'ok', e => e.error)") == "ok"
    assert pg.locator("#cp-login-ended").count() == 0
