"""QA sweep 33, edges (fixer QA33-F14):

1. on a server that asks for a login, every page shown to a visitor not signed in (an error page: a 413, a 403 of a
   login form without its token, a 404 of /static/...) has no menu and no data version, as the login page has not;
   a signed-in visitor's error page and an open server's keep them;
2. a whole number of thousands of digits in a query parameter (?offset=, ?limit=) is said to be beyond the range
   ("at most 100,000,000"), not "not an integer", quoted cut; a data version report's address of 5,000 digits is a
   404 quoting it cut;
3. ``coverplan users unlock|disable|rename|passwd`` take any spelling of a name the login takes (WANG for wang) and
   say (and audit) the account by its stored name;
4. a proposal's 409 names the field that differs from what the page showed, and who changed that field and when
   only when someone did (the store records it per field); a wrong ``was`` is said as such;
5. the report's Changes sheet lists added before removed, as the version comparison (/data?diff) does.
"""
from __future__ import annotations

import re
import time

import pytest

from accounts import PW, accounts_app, signed_in
from conftest import plain_client
from test_qa21_cli import run
from web.app import create_app

EN = {"Accept-Language": "en"}
HTML = {"Accept": "text/html"}


def header_of(html: str) -> str:
    m = re.search(r"<header class=\"top[^\"]*\">(.*?)</header>", html, re.S)
    assert m, html[:500]
    return m.group(1)


def menu_shown(r) -> tuple[bool, bool]:
    html = r.get_data(as_text=True)
    return "<nav" in header_of(html), 'id="data-version"' in html


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa33edges"),
                       (("boss", "admin", None), ("zhu", "planner", None), ("wang", "viewer", None),
                        ("lockme", "viewer", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


# -- 1. signed-out pages ----------------------------------------------------------------------------------------
def test_every_page_to_a_signed_out_visitor_hides_the_menu_and_the_version(tmp_path):
    app = accounts_app(tmp_path, (("li", "viewer", None),), CSRF_ENABLED=True)
    try:
        c = plain_client(app)  # a form without its token (the suite's client sends one)
        for headers in ({}, EN):
            cases = {"404 static": c.get("/static/nope.js", headers={**headers, **HTML}),
                     "413 login": c.post("/login", data={"name": "li", "password": "x" * 100_000},
                                         headers={**headers, **HTML}),
                     "403 no token": c.post("/login", data={"name": "li", "password": PW}, headers={**headers, **HTML})}
            for what, r in cases.items():
                assert r.status_code == int(what[:3]), (what, r.status_code)
                assert menu_shown(r) == (False, False), (what, header_of(r.get_data(as_text=True)))
                assert 'id="lang-switch"' in header_of(r.get_data(as_text=True))  # the language switch stays
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_signed_in_error_page_and_an_open_servers_keep_the_menu(app, tmp_path):
    r = signed_in(app, "wang").get("/static/nope.js", headers=HTML)
    assert r.status_code == 404 and menu_shown(r) == (True, True), header_of(r.get_data(as_text=True))
    open_app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        for path in ("/static/nope.js", "/no-such-page"):
            r = open_app.test_client().get(path, headers=HTML)
            assert r.status_code == 404 and menu_shown(r) == (True, True), path
    finally:
        open_app.extensions["coverplan"]["jobs"].shutdown()


# -- 2. huge numbers -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query,said_en,said_zh", [
    ("offset=" + "9" * 5000, "at most 100,000,000", "不超过 100,000,000"),
    ("limit=" + "9" * 5000, "at most 5,000", "不超过 5,000"),
    ("offset=-" + "9" * 5000, "at least 0", "不小于 0")])
def test_a_number_of_5000_digits_is_beyond_the_range_quoted_cut(app, query, said_en, said_zh):
    c = signed_in(app, "wang")
    for lang, said, wrong in (("en", said_en, "expected an integer."), ("zh", said_zh, "应为整数。")):
        r = c.get(f"/api/facilities?{query}&lang={lang}")
        assert r.status_code == 400, r.data[:300]
        body = r.get_json()
        assert said in body["message"] and not body["message"].endswith(wrong), body["message"]
        assert len(r.data) < 1200, len(r.data)
        assert len(body["details"]["value"]) <= 41 and body["details"]["value"].endswith("…"), body["details"]
        assert body["details"]["parameter"] == query.split("=")[0]


def test_the_audit_offset_of_5000_digits_and_a_plain_one(app):
    boss = signed_in(app, "boss")
    r = boss.get("/api/admin/audit?lang=en&offset=" + "9" * 5000)
    assert r.status_code == 400 and "at most 100,000,000" in r.get_json()["message"], r.data[:300]
    assert len(r.data) < 1200
    assert boss.get("/api/admin/audit?offset=0&limit=5").status_code == 200


def test_number_reads_a_long_number_by_its_digits():
    from geo.errors import InputDataError
    from web.params import number

    assert number("0" * 5000 + "7", "k", int, maximum=10) == 7  # leading zeros are no size
    assert number("12", "k", int, minimum=0, maximum=100) == 12
    with pytest.raises(InputDataError) as e:
        number("9" * 5000, "k", int)  # no bound: how many digits a number may have
    assert "at most 300 digits" in e.value.message("en") and "不超过 300 位的整数" in e.value.message("zh")
    with pytest.raises(InputDataError) as e:
        number(10 ** 305, "k", int, maximum=5)  # a JSON integer of 306 digits: its digits cut, as text
    assert e.value.details["value"].endswith("…") and len(e.value.details["value"]) == 41
    assert "at most 5" in e.value.message("en")
    with pytest.raises(InputDataError) as e:
        number("x" * 5000, "k", int)
    assert len(e.value.details["value"]) == 41 and "expected an integer" in e.value.message("en")


def test_a_version_reports_address_of_5000_digits_is_a_404_quoted_cut(app):
    c = signed_in(app, "wang")
    for fmt in ("xlsx", "csv"):
        r = c.get(f"/api/data/versions/{'9' * 5000}/report.{fmt}?lang=en")
        assert r.status_code == 404 and len(r.data) < 800, (r.status_code, len(r.data))
        body = r.get_json()
        assert "Validation report of data version “9999" in body["message"] and "…" in body["message"], body
        assert len(body["details"]["id"]) == 41
    r = c.get("/api/data/versions/77/report.xlsx?lang=en")  # a version there is not
    assert r.status_code == 404 and r.get_json()["details"]["id"] == 77
    assert c.get("/api/data/versions/0/report.pdf").status_code == 400


# -- 3. the users commands take the login's spellings ------------------------------------------------------------
def test_unlock_says_and_audits_the_accounts_stored_name(app, capsys):
    from web.users import MAX_FAILURES

    users = app.extensions["coverplan"]["users"]
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = "10.33.14.1"
    for _ in range(MAX_FAILURES):
        c.post("/login", json={"name": "LOCKME", "password": "wrong-password"})
    assert any(x["name"] == "lockme" for x in users.locks())
    db = app.config["DB_PATH"]
    code, out, err = run(capsys, "users", "unlock", "LOCKME", "--db", db)
    assert code == 0 and "已解除 lockme 的 1 项登录限制" in out and "LOCKME" not in out, (out, err)
    assert users.audit_list(action="lock_lifted", limit=1)[1][0]["object"] == "lockme"
    assert not any(x["name"] == "lockme" for x in users.locks())
    code, out, _ = run(capsys, "--lang", "en", "users", "unlock", "LockMe", "--db", db)
    assert code == 0 and "the account lockme had no login lock" in out.lower(), out


def test_disable_rename_and_passwd_name_the_stored_account(app, capsys):
    users = app.extensions["coverplan"]["users"]
    db = app.config["DB_PATH"]
    users.add("chen", "viewer", None, password=PW, must_change=False)
    for argv, said in ((("disable", "CHÉN"), "Disabled user chen"), (("disable", "Che\u0301n", "--enable"), "Enabled user chen"),
                       (("passwd", "CHEN", "--reset"), "Changed the password of chen")):
        code, out, err = run(capsys, "--lang", "en", "users", *argv, "--db", db)
        assert code == 0 and said in out and argv[1] not in out, (argv, out, err)
    assert [e["object"] for e in users.audit_list(limit=3)[1]] == ["chen"] * 3
    code, out, err = run(capsys, "--lang", "en", "users", "rename", "CHÉN", "chen2", "--db", db)
    assert code == 0 and "Renamed user chen to chen2" in out, (out, err)
    assert users.audit_list(action="user_renamed", limit=1)[1][0]["detail"] == {"was": "chen"}
    code, out, err = run(capsys, "--lang", "en", "users", "disable", "nobody-here", "--db", db)
    assert code == 2 and "nobody-here" in err  # a name no account has is said as typed


# -- 4. a proposal's 409 names the field that differs, and who changed it only when someone did ---------------
def _proposal(app, name: str) -> str:
    return app.extensions["coverplan"]["store"].add(name=name, type_key="day_care", params={}, summary={},
                                                     geojson={"type": "FeatureCollection", "features": []})


def test_a_wrong_was_of_a_field_nobody_changed_is_not_blamed_on_a_change(app):
    store = app.extensions["coverplan"]["store"]
    pid = _proposal(app, "甲方案")
    boss, zhu = signed_in(app, "boss"), signed_in(app, "zhu")
    assert boss.patch(f"/api/proposals/{pid}", json={"note": "改了备注", "was": {"note": ""}}).status_code == 200
    rec = store.get(pid)
    assert rec["note_updated_by"] == rec["updated_by"] and rec["note_updated"] and rec["name_updated"] is None
    for c in (boss, zhu):  # the note's author, or another: nobody changed the name
        for lang, said, claim in (
                ("en", "the name this page showed, “wrong old”, is not the proposal's name, “甲方案”", "changed"),
                ("zh", "页面显示的名称“wrong old”与该方案的名称“甲方案”不符", "修改了")):
            r = c.patch(f"/api/proposals/{pid}?lang={lang}", json={"name": "new name", "was": {"name": "wrong old"}})
            assert r.status_code == 409, r.data[:300]
            body = r.get_json()
            assert said.lower() in body["message"].lower() and claim not in body["message"], body["message"]
            assert body["details"]["changed"] == ["name"] and body["details"]["changed_by"] is None
            assert body["details"]["shown"] == {"name": "wrong old"}
    assert store.get(pid)["name"] == "甲方案"


def test_the_409_names_who_changed_the_field_the_page_showed(app):
    store = app.extensions["coverplan"]["store"]
    pid = _proposal(app, "乙方案")
    boss, zhu = signed_in(app, "boss"), signed_in(app, "zhu")
    assert boss.patch(f"/api/proposals/{pid}", json={"name": "乙方案（修订）", "was": {"name": "乙方案"}}).status_code == 200
    assert zhu.patch(f"/api/proposals/{pid}", json={"note": "朱的备注"}).status_code == 200  # the last change: zhu's
    rec = store.get(pid)
    assert rec["updated_by"] == rec["note_updated_by"] != rec["name_updated_by"]
    when = time.strftime("%H:%M", time.localtime(rec["name_updated"]))
    # zhu's stale name: boss changed the name, not zhu (though zhu made the latest change, to the note)
    r = zhu.patch(f"/api/proposals/{pid}?lang=en", json={"name": "朱的名", "was": {"name": "乙方案"}})
    assert r.status_code == 409
    msg = r.get_json()["message"]
    assert f"boss changed this proposal at {when}" in msg and "乙方案（修订）" in msg and "You changed" not in msg, msg
    assert r.get_json()["details"]["changed_by"] == "boss"
    # boss's own stale page: his change from another tab
    r = boss.patch(f"/api/proposals/{pid}?lang=zh", json={"name": "又一名", "was": {"name": "乙方案"}})
    assert r.status_code == 409 and f"您已于 {when} 在其他标签页" in r.get_json()["message"], r.get_json()
    # both fields stale: the name said with its author, the note with its own
    r = boss.patch(f"/api/proposals/{pid}?lang=en", json={"name": "x", "note": "y", "was": {"name": "乙方案", "note": ""}})
    msg = r.get_json()["message"]
    assert r.status_code == 409 and msg.startswith("You changed this proposal") and "zhu changed this proposal" in msg, msg
    assert "its note is now “朱的备注”" in msg and "): nothing was saved." in msg


# -- 5. the Changes sheet in the comparison's order -------------------------------------------------------------
def test_the_changes_sheet_lists_added_before_removed_as_the_comparison_does(tmp_path):
    import io

    from openpyxl import Workbook, load_workbook

    from web.data import PAGE_KINDS, changes_rows, changes_sheet, diff_lines

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        fac = {"removed": [{"id": "R1", "name": "旧站", "facility_type": "day_care", "lon": 110.8, "lat": 32.6}],
               "added": [{"id": "A1", "name": "新站", "facility_type": "day_care", "lon": 110.9, "lat": 32.7}],
               "moved": [{"id": "M1", "name": "搬站", "facility_type": "day_care", "lon": 110.7, "lat": 32.5,
                          "from": [110.6, 32.4], "distance_m": 1500}]}
        diff = {"facilities": fac}
        blank = io.BytesIO()
        Workbook().save(blank)
        with app.test_request_context("/?lang=zh"):
            page = [line.split(" ")[0] for line in diff_lines(diff, "zh")]
            assert page == ["新增设施", "移除设施", "位置变化的设施"]  # the comparison's order, which the sheet follows
            assert [r[2] for r in changes_rows(diff, "zh")] == ["A1", "R1", "M1"]
            ws = load_workbook(io.BytesIO(changes_sheet(blank.getvalue(), "zh", "标题", diff, None, "无")))["变更"]
            cells = [[c.value for c in row] for row in ws.iter_rows()]
            assert cells[1][1] == "新增设施 1 处 · 移除设施 1 处 · 位置变化的设施 1 处", cells[:3]
            assert [row[2] for row in cells[3:]] == ["A1", "R1", "M1"], cells
        with app.test_request_context("/?lang=en"):
            assert [r[0] for r in changes_rows(diff, "en")][:2] == ["Added", "Removed"]
        assert PAGE_KINDS[:2] == ("added", "removed")
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
