"""QA 34 (a bureau's admin on a shared server): a renamed account's refused logins read as "no such account" and the
audit filter by its new name missed them; two admins' changes of one account overwrote each other silently (a stale
page's save, two renames at once); the audit log could not be read from the command line."""
from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from accounts import PW, accounts_app, signed_in
from browser import browser, page  # noqa: F401 (the fixtures of the admin page's browser test)
from test_qa21_cli import run


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, [("boss", "admin", None), ("chief", "admin", None),
                                  ("zhushan", "planner", "420325"), ("temp2", "viewer", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def users_of(app):
    return app.extensions["coverplan"]["users"]


def refused_logins(app):
    """A wrong password, a lock (5 wrong ones) and the right password of the account disabled: each logged."""
    c = app.test_client()
    for _ in range(5):
        c.post("/login", json={"name": "zhushan", "password": "wrong-password"})
    assert c.post("/login", json={"name": "zhushan", "password": PW}).status_code == 429  # locked
    users_of(app).unlock("zhushan")
    users_of(app).update("zhushan", disabled=True)
    r = app.test_client().post("/login", json={"name": "zhushan", "password": PW})
    assert r.status_code == 401 and r.get_json()["error"] == "AccountDisabled"
    users_of(app).update("zhushan", disabled=False)


# -- 1: a renamed account's refused logins -----------------------------------------------------------------------
def test_a_renamed_accounts_refused_logins_are_its_own_under_both_names(app):
    refused_logins(app)
    boss = signed_in(app, "boss")
    assert boss.patch("/api/admin/users/zhushan", json={"name": "竹山规划"}).status_code == 200
    uid = users_of(app).by_name("竹山规划").id
    for lang in ("zh", "en"):
        rows = boss.get(f"/api/admin/audit?lang={lang}&limit=500").get_json()["rows"]
        refused = [r for r in rows if r["action"] in ("login_failed", "login_locked") and r["user"] == "zhushan"]
        assert len(refused) >= 7, refused  # 5 wrong, a locked one, the disabled one
        assert all(r["user_id"] == uid for r in refused), refused  # recorded under the account's id
        assert not any(r.get("no_account") for r in refused), refused
        assert not any("无此账号" in r["user_text"] or "no such account" in r["user_text"] for r in refused)
    # the filter: the same entries by the new name and the old one, the refused logins included
    new = boss.get("/api/admin/audit?user=竹山规划&limit=500&lang=zh").get_json()
    old = boss.get("/api/admin/audit?user=zhushan&limit=500").get_json()
    assert new["total"] == old["total"] and {r["id"] for r in new["rows"]} == {r["id"] for r in old["rows"]}
    assert sum(r["action"] == "login_failed" for r in new["rows"]) >= 6, new["rows"]
    assert any("账号已停用" in r["detail_text"] for r in new["rows"])


def test_entries_logged_by_name_only_before_the_fix_are_found_and_not_marked(app):
    """Rows written before refused logins carried the account id (user_id NULL, the old name): the filter by the new
    name finds them, and they are not "no such account"; a name no account ever had still is."""
    users = users_of(app)
    users.audit("login_failed", user_name="zhushan", obj="zhushan", detail={"reason": {"zh": "账号已停用",
                                                                                       "en": "account disabled"}})
    users.audit("login_failed", user_name="zhushan", obj="zhushan")
    users.audit("login_failed", user_name="nobody9", obj="nobody9")
    boss = signed_in(app, "boss")
    assert boss.patch("/api/admin/users/zhushan", json={"name": "竹山规划"}).status_code == 200
    rows = boss.get("/api/admin/audit?user=竹山规划&action=login_failed&lang=zh").get_json()["rows"]
    assert len(rows) == 2 and all(r["user"] == "zhushan" for r in rows), rows
    assert all("无此账号" not in r["user_text"] for r in rows), rows
    every = boss.get("/api/admin/audit?action=login_failed&lang=en").get_json()["rows"]
    nobody = next(r for r in every if r["user"] == "nobody9")
    assert nobody["no_account"] and nobody["user_text"] == "nobody9 (no such account)", nobody
    assert boss.get("/api/admin/audit?user=nobody9").get_json()["total"] == 1


def test_a_former_name_tried_at_the_login_is_not_another_account(app):
    boss = signed_in(app, "boss")
    assert boss.patch("/api/admin/users/zhushan", json={"name": "竹山规划"}).status_code == 200
    app.test_client().post("/login", json={"name": "zhushan", "password": "wrong-password"})
    rows = boss.get("/api/admin/audit?action=login_failed&lang=zh").get_json()["rows"]
    assert rows and rows[0]["user"] == "zhushan" and "无此账号" not in rows[0]["user_text"], rows
    assert boss.get("/api/admin/audit?user=竹山规划&action=login_failed").get_json()["total"] == 1


# -- 2: two admins, one account ------------------------------------------------------------------------------------
def test_a_stale_pages_save_is_refused_naming_the_change_who_and_when(app):
    boss, chief = signed_in(app, "boss"), signed_in(app, "chief")
    shown = {"role": "planner", "county": "420325", "name": "zhushan"}  # what both pages showed
    r = chief.patch("/api/admin/users/zhushan", json={"role": "planner", "county": "420322", "was": shown})
    assert r.status_code == 200 and r.get_json()["user"]["county"] == "420322", r.get_json()
    # boss's page still shows 420325: his save (a role change) would put the county back
    for lang, words in (("zh", ["chief", "县区现为", "420322", "未保存"]),
                        ("en", ["chief changed the account zhushan", "county is now", "420322", "nothing was saved"])):
        r = boss.patch(f"/api/admin/users/zhushan?lang={lang}",
                       json={"role": "viewer", "county": "420325", "was": shown})
        assert r.status_code == 409, r.get_json()
        body = r.get_json()
        assert body["error"] == "EditConflict" and body["details"]["changed"] == ["county"], body
        assert all(w in body["message"] for w in words), body["message"]
        change = body["details"]["changes"][0]
        assert change["by"] == "chief" and change["value"] == "420322" and change["at"], change
    now = users_of(app).by_name("zhushan")
    assert (now.role, now.county) == ("planner", "420322")  # nothing was saved
    # the page, reloaded, sends what it shows now: saved
    shown["county"] = "420322"
    assert boss.patch("/api/admin/users/zhushan", json={"role": "viewer", "county": None, "was": shown}).status_code == 200
    # without was (an API client, the command line): as before
    assert boss.patch("/api/admin/users/zhushan", json={"role": "planner"}).status_code == 200


def test_his_own_change_in_another_tab_is_said_so(app):
    boss = signed_in(app, "boss")
    shown = {"role": "viewer", "county": None, "name": "temp2"}
    assert boss.patch("/api/admin/users/temp2", json={"role": "planner", "was": shown}).status_code == 200
    r = boss.patch("/api/admin/users/temp2?lang=en", json={"role": "admin", "was": shown})
    assert r.status_code == 409 and "You changed the account temp2" in r.get_json()["message"], r.get_json()
    assert "another tab or window" in r.get_json()["message"]


def test_two_renames_from_stale_pages_the_second_is_refused(app):
    boss, chief = signed_in(app, "boss"), signed_in(app, "chief")
    a = boss.patch("/api/admin/users/temp2", json={"name": "tempA", "was": {"name": "temp2"}})
    assert a.status_code == 200
    b = chief.patch("/api/admin/users/temp2?lang=zh", json={"name": "tempB", "was": {"name": "temp2"}})
    assert b.status_code == 409, b.get_json()
    msg = b.get_json()["message"]
    assert "boss" in msg and "用户名现为“tempA”" in msg and "未保存" in msg, msg
    users = users_of(app)
    assert users.by_name("tempA") is not None and users.by_name("tempB") is None
    renames = [r for r in users.audit_list(action="user_renamed")[1]]
    assert len(renames) == 1 and renames[0]["object"] == "tempA", renames


def test_two_renames_at_once_in_threads_one_wins(app):
    """Both at the same moment (no page, no was): one renames temp2, the other is refused, never a rename of the
    first's new name under "was named temp2"."""
    users = users_of(app)
    boss, chief = signed_in(app, "boss"), signed_in(app, "chief")
    start, out = threading.Barrier(2), {}
    real = users.find

    def slow_find(name):  # both read temp2 before either writes
        found = real(name)
        if name == "temp2":
            try:
                start.wait(5)
            except threading.BrokenBarrierError:
                pass
        return found

    users.find = slow_find
    try:
        def rename(client, new):
            out[new] = client.patch("/api/admin/users/temp2?lang=en", json={"name": new})

        threads = [threading.Thread(target=rename, args=(boss, "tempA")),
                   threading.Thread(target=rename, args=(chief, "tempB"))]
        [t.start() for t in threads]
        [t.join(20) for t in threads]
    finally:
        users.find = real
    codes = sorted(r.status_code for r in out.values())
    assert codes == [200, 404], {k: (r.status_code, r.get_json()) for k, r in out.items()}
    won = next(k for k, r in out.items() if r.status_code == 200)
    lost = next(r for r in out.values() if r.status_code == 404)
    assert f'renamed "{won}"' in lost.get_json()["message"], lost.get_json()
    renames = users.audit_list(action="user_renamed")[1]
    assert len(renames) == 1 and renames[0]["detail"] == {"was": "temp2"}, renames
    assert {u.name for u in users.list()} == {"admin", "boss", "chief", "zhushan", won}


def test_a_stale_was_after_a_command_line_change_names_the_command_line(app, tmp_path, capsys):
    db = str(tmp_path / "p.sqlite")
    code, out, err = run(capsys, "users", "rename", "temp2", "tempC", "--db", db)
    assert code == 0, err
    boss = signed_in(app, "boss")
    r = boss.patch("/api/admin/users/temp2?lang=en", json={"role": "planner", "was": {"role": "viewer", "county": None,
                                                                                      "name": "temp2"}})
    assert r.status_code == 409 and "command line (" in r.get_json()["message"], r.get_json()
    assert "its user name is now tempC" in r.get_json()["message"]


@pytest.mark.parametrize("was", ["planner", {"role": 3}, {"colour": "red"}, {"county": "nowhere"}])
def test_a_malformed_was_is_a_400_naming_it(app, was):
    r = signed_in(app, "boss").patch("/api/admin/users/zhushan?lang=en", json={"role": "viewer", "was": was})
    assert r.status_code == 400 and r.get_json()["code"] == "was" and "was (" in r.get_json()["message"], r.get_json()
    assert users_of(app).by_name("zhushan").role == "planner"


def test_the_admin_page_sends_what_it_showed():
    from pathlib import Path

    js = (Path(__file__).resolve().parent.parent / "web" / "static" / "admin.js").read_text("utf-8")
    assert "was: shown(tr)" in js and "was: {name: name}" in js and "EditConflict" in js


# -- 3: the audit log on the command line ----------------------------------------------------------------------
def test_the_cli_prints_the_audit_as_the_api_gives_it(app, tmp_path, capsys):
    refused_logins(app)
    boss = signed_in(app, "boss")
    assert boss.patch("/api/admin/users/zhushan", json={"name": "竹山规划"}).status_code == 200
    db = str(tmp_path / "p.sqlite")
    before = (tmp_path / "p.sqlite").stat().st_mtime_ns
    for lang in ("zh", "en"):
        api = boss.get(f"/api/admin/audit?user=竹山规划&limit=5&lang={lang}").get_json()
        code, out, err = run(capsys, "--lang", lang, "users", "audit", "--user", "竹山规划", "--limit", "5", "--db", db)
        assert code == 0, err
        lines = out.strip().splitlines()
        head = ("时间", "用户名", "操作", "对象", "详情") if lang == "zh" else ("Time", "User name", "Action", "Object")
        assert all(h in lines[0] for h in head), lines[0]
        assert len(lines) == 1 + 5 + 1  # header, 5 rows, "(N entries, the newest 5 shown)"
        for row, line in zip(api["rows"], lines[1:6]):
            for k in ("user_text", "action_text", "detail_text"):
                assert row[k] in line, (k, row[k], line)
        assert str(api["total"]) in lines[-1]
        code, out, err = run(capsys, "--lang", lang, "users", "audit", "--user", "zhushan", "--limit", "500",
                             "--db", db, "--json")
        got = json.loads(out)
        full = boss.get(f"/api/admin/audit?user=zhushan&limit=500&lang={lang}").get_json()
        assert got["total"] == full["total"]
        assert [(r["id"], r["user_text"], r["action_text"], r["detail_text"]) for r in got["rows"]] == \
            [(r["id"], r["user_text"], r["action_text"], r["detail_text"]) for r in full["rows"]]
    assert "无此账号" not in out and "no such account" not in out


def test_the_cli_audit_reads_only(tmp_path, capsys, monkeypatch):
    from web.users import UserStore

    db = tmp_path / "ro.sqlite"
    users = UserStore(db)
    users.add("wang", "viewer", password=PW)
    users.audit("login_failed", user_name="ghost", obj="ghost")
    db.chmod(0o444)
    try:
        code, out, err = run(capsys, "--lang", "en", "users", "audit", "--db", str(db))
    finally:
        db.chmod(0o644)
    assert code == 0, err  # the file is read-only: any write would have failed
    from planner.i18n import t

    assert "ghost (no such account)" in out and t("audit_login_failed", "en") in out, out
    # nothing made in a database that has no accounts' tables
    bare = tmp_path / "bare.sqlite"
    sqlite3.connect(bare).execute("CREATE TABLE t (a)").connection.commit()
    code, out, err = run(capsys, "--lang", "zh", "users", "audit", "--db", str(bare))
    assert code == 0 and "尚无记录" in out, (out, err)
    assert {r[0] for r in sqlite3.connect(bare).execute("SELECT name FROM sqlite_master")} == {"t"}


@pytest.mark.parametrize("limit", ["0", "501", "abc", "2.5"])
def test_the_cli_audit_refuses_a_bad_limit(tmp_path, capsys, limit):
    from web.users import UserStore

    db = tmp_path / "l.sqlite"
    UserStore(db)
    for lang in ("zh", "en"):
        code, out, err = run(capsys, "--lang", lang, "users", "audit", "--limit", limit, "--db", str(db))
        assert code == 2 and "Traceback" not in err and "--limit" in err, err
        assert ("1 至 500" in err) if lang == "zh" else ("1 to 500" in err), err


# -- the admin page in a browser: a stale row's save is refused, said, and the row read again ----------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from browser import served
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa34") / "p.sqlite"), "AUTH": "required"})
    users = app.extensions["coverplan"]["users"]
    for name, role, county in (("boss", "admin", None), ("chief", "admin", None), ("wang", "planner", "420325")):
        users.add(name, role, county, password=PW, must_change=False)
    with served(app) as srv:
        yield srv


@pytest.mark.browser
def test_the_admin_page_says_another_admins_change_and_reloads_the_row(page):
    users = page.app.extensions["coverplan"]["users"]
    page.goto(page.base + "/admin?lang=zh")
    page.fill("#login-name", "boss")
    page.fill("#login-password", PW)
    page.click("#login-submit")
    row = "#users-table tbody tr[data-name='wang']"
    page.wait_for_selector(row)
    # another admin changes wang's county after this page showed it
    users.update("wang", county="420322", by=f"user:{users.by_name('chief').id}")
    page.select_option(row + " .u-role", "viewer")  # boss's change, on the stale row (its county still 420325)
    page.click(row + " .u-save")
    page.wait_for_function("document.getElementById('users-status').textContent.includes('重新载入')")
    status = page.inner_text("#users-status")
    assert "chief" in status and "县区现为“郧西县（420322）”" in status and "未保存" in status, status
    assert page.query_selector(row + ".u-reloaded") is not None
    assert page.input_value(row + " .u-county") == "420322" and page.input_value(row + " .u-role") == "planner"
    assert (users.by_name("wang").role, users.by_name("wang").county) == ("planner", "420322")  # nothing saved
    # the row now shows the account as it is: the change made again is saved
    page.select_option(row + " .u-role", "viewer")
    page.click(row + " .u-save")
    page.wait_for_function("!document.getElementById('users-status').textContent.includes('重新载入')")
    page.wait_for_function("document.querySelector(\"#users-table tr[data-name='wang']\").dataset.role === 'viewer'")
    assert users.by_name("wang").role == "viewer"


@pytest.mark.browser
@pytest.mark.parametrize("button", ["u-reset", "u-disable"])
def test_a_reset_or_disable_of_an_account_renamed_meanwhile_reloads_its_row(page, button):
    users = page.app.extensions["coverplan"]["users"]
    name = f"temp-{button}"
    users.add(name, "planner", None, password=PW, must_change=False)
    page.goto(page.base + "/admin?lang=zh")
    if page.query_selector("#login-name"):
        page.fill("#login-name", "boss")
        page.fill("#login-password", PW)
        page.click("#login-submit")
    row = f"#users-table tbody tr[data-name='{name}']"
    page.wait_for_selector(row)
    account = users.by_name(name).id
    users.rename(name, name + "-new")  # another admin renames it after this page showed it
    page.once("dialog", lambda d: d.accept())
    page.click(f"{row} .{button}")
    page.wait_for_function("document.getElementById('users-status').textContent.includes('重新载入')")
    assert "改名为" in page.inner_text("#users-status")
    page.wait_for_selector(f"#users-table tbody tr[data-name='{name}-new']")
    now = users.by_name(name + "-new")
    assert now.id == account and not now.disabled  # nothing done to it


@pytest.mark.browser
def test_a_stale_disable_of_an_account_already_disabled_reloads_its_row_and_is_seen(page):
    users = page.app.extensions["coverplan"]["users"]
    users.add("temp-twice", "planner", None, password=PW, must_change=False)
    page.set_viewport_size({"width": 390, "height": 700})  # the message lies below the whole table on a phone
    page.goto(page.base + "/admin?lang=en")
    if page.query_selector("#login-name"):
        page.fill("#login-name", "boss")
        page.fill("#login-password", PW)
        page.click("#login-submit")
    row = "#users-table tbody tr[data-name='temp-twice']"
    page.wait_for_selector(row)
    users.update("temp-twice", disabled=True)  # another admin disables it after this page showed it
    page.once("dialog", lambda d: d.accept())
    page.click(f"{row} .u-disable")
    page.wait_for_function("document.getElementById('users-status').textContent.includes('already disabled')")
    page.wait_for_function(f"document.querySelector(\"{row} .u-disable\").dataset.disabled === '1'")
    page.wait_for_function("document.getElementById('users-status').textContent.includes('now shows the account')")
    inside = page.evaluate("""() => { const r = document.getElementById('users-status').getBoundingClientRect();
                                      return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    assert inside, "the message is out of sight"
