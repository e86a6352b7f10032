"""QA sweep 27, accounts and login (``coverplan serve --auth required``):

1. login locks and address pauses (kept in the database) are listed on /admin and lifted there
   (/api/admin/locks) or by ``coverplan users unlock NAME|--address A|--all``, audited;
2. the right password of a disabled account: 401 AccountDisabled "该账号已停用", not a failure;
3. look-alike names (аdmin with a Cyrillic а, ＡＤＭＩＮ) refused; failed-login names that are no account
   marked, their invisible characters written out in the audit log;
4. /admin asks before a reset or a disable, one's own reset is off, results name what happened;
5. a proposal's 403 names its author;
6. a refused name names the character and its place; decomposed accents are taken as composed;
7. /api/healthz is public as /healthz is;
9. ``coverplan users list`` has a header and aligned columns, an empty --password-stdin says so, the
   command line's audit entries name the computer's user;
10. a signed-out login page says so; GET /logout is a page with a button that posts;
11. the password change's 429 carries Retry-After.
"""
from __future__ import annotations

import re

import pytest
from browser import browser, poll_js  # noqa: F401  (fixtures)
from browser import Server
from test_qa21_cli import run

from accounts import PW, accounts_app, signed_in
from geo import settings
from web.users import ADDRESS_FAILURES, MAX_FAILURES, AccountError, AddressLocked, UserStore, check_name

EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa27acc"),
                       (("boss", "admin", None), ("li", "viewer", None), ("zhang", "planner", "420325"),
                        ("fang2", "planner", "420325"), ("off", "viewer", None), ("lock1", "viewer", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def users_of(app) -> UserStore:
    return app.extensions["coverplan"]["users"]


def client(app, addr: str):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = addr
    return c


# -- 2. a disabled account --------------------------------------------------------------------------
def test_disabled_account_with_right_password_is_told_so_and_not_counted(app):
    users = users_of(app)
    users.update("off", disabled=True)
    c = client(app, "10.27.2.1")
    for _ in range(MAX_FAILURES + 1):  # more than a lock's worth: none of them counts
        r = c.post("/login", json={"name": "off", "password": PW})
        assert r.status_code == 401
        assert r.get_json()["message"] == "该账号已停用，请联系管理员。"
        assert r.get_json()["error"] == "AccountDisabled"
    r = c.post("/login", json={"name": "off", "password": PW}, headers=EN)
    assert r.get_json()["message"] == "This account is disabled; contact your administrator."
    assert users.locks() == [] or all(x["name"] != "off" for x in users.locks())
    # a form login: the page says it too
    page = c.post("/login?lang=en", data={"name": "off", "password": PW})
    assert page.status_code == 401 and "This account is disabled" in page.get_data(as_text=True)
    # a wrong password stays the generic message
    r = client(app, "10.27.2.1").post("/login", json={"name": "off", "password": "wrong-password"})
    assert r.status_code == 401 and r.get_json()["message"] == "用户名或密码不正确。"
    assert r.get_json()["error"] == "LoginFailed"
    entries = users.audit_list(action="login_failed", user="off", limit=50)[1]
    assert any((e["detail"].get("reason") or {}).get("en") == "account disabled" for e in entries)
    text = signed_in(app, "boss").get("/api/admin/audit?action=login_failed&user=off").get_json()["rows"]
    assert any("账号已停用" in r["detail_text"] for r in text)
    users.update("off", disabled=False)
    assert client(app, "10.27.2.1").post("/login", json={"name": "off", "password": PW}).status_code == 200


# -- 1. locks: listed and lifted ---------------------------------------------------------------------
def test_address_pause_is_listed_and_lifted_by_the_admin(app):
    users = users_of(app)
    c = client(app, "10.27.1.1")
    for i in range(ADDRESS_FAILURES):
        c.post("/login", json={"name": f"ghost{i}", "password": "whatever1"})
    r = c.post("/login", json={"name": "boss", "password": PW})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0  # the right password does not pass
    assert "登录限制" in r.get_json()["message"]
    admin = client(app, "10.27.1.2")
    assert admin.post("/login", json={"name": "boss", "password": PW}).status_code == 200
    locks = admin.get("/api/admin/locks").get_json()["locks"]
    pause = [x for x in locks if x["kind"] == "address" and x["address"] == "10.27.1.1"]
    assert len(pause) == 1 and pause[0]["kind_text"] == "地址暂停" and "10.27.1.1" in pause[0]["what"]
    en = admin.get("/api/admin/locks", headers=EN).get_json()["locks"]
    assert any(x["kind_text"] == "address paused" for x in en)
    # a viewer may not list or lift
    assert signed_in(app, "li").get("/api/admin/locks").status_code == 403
    assert signed_in(app, "li").post("/api/admin/locks/lift", json={"key": pause[0]["key"]}).status_code == 403
    r = admin.post("/api/admin/locks/lift", json={"key": pause[0]["key"]})
    assert r.status_code == 200 and r.get_json()["lifted"]["address"] == "10.27.1.1"
    assert admin.post("/api/admin/locks/lift", json={"key": pause[0]["key"]}).status_code == 404
    assert admin.post("/api/admin/locks/lift", json={"key": 5}).status_code == 400
    assert all(x["address"] != "10.27.1.1" or x["kind"] != "address" for x in users.locks())
    assert client(app, "10.27.1.1").post("/login", json={"name": "boss", "password": PW}).status_code == 200
    lifted = users.audit_list(action="lock_lifted", limit=5)[1]
    assert lifted and lifted[0]["user"] == "boss" and lifted[0]["object"] == "10.27.1.1"


def test_name_lock_lifted_by_the_command_line(app, capsys):
    users = users_of(app)
    c = client(app, "10.27.1.9")
    for _ in range(MAX_FAILURES):
        c.post("/login", json={"name": "lock1", "password": "wrong-password"})
    assert c.post("/login", json={"name": "lock1", "password": PW}).status_code == 429
    assert any(x["name"] == "lock1" and x["kind"] == "name" for x in users.locks())
    db = app.config["DB_PATH"]
    code, out, err = run(capsys, "users", "unlock", "lock1", "--db", db)
    assert code == 0 and "已解除 lock1 的 1 项登录限制" in out, (out, err)
    assert c.post("/login", json={"name": "lock1", "password": PW}).status_code == 200
    entry = users.audit_list(action="lock_lifted", limit=1)[1][0]
    assert entry["user"].startswith("(command line) ") and len(entry["user"]) > len("(command line) ")
    row = signed_in(app, "boss").get("/api/admin/audit?action=lock_lifted").get_json()["rows"][0]
    assert row["user_text"].startswith("命令行（")
    # --all lifts every lock and pause; nothing named is an error
    for i in range(ADDRESS_FAILURES):
        client(app, "10.27.1.8").post("/login", json={"name": f"g{i}", "password": "whatever1"})
    assert any(x["kind"] == "address" for x in users.locks())
    code, out, _ = run(capsys, "--lang", "en", "users", "unlock", "--all", "--db", db)
    assert code == 0 and "Lifted" in out and users.locks() == []
    code, _, err = run(capsys, "users", "unlock", "--db", db)
    assert code == 2 and "--all" in err
    code, _, err = run(capsys, "users", "unlock", "nobody", "--db", db)
    assert code == 2 and "nobody" in err


# -- 3. and 6. names --------------------------------------------------------------------------------
@pytest.mark.parametrize("name, place, char", [("王，五", 2, "U+FF0C"), ("\ufb01le", 1, "U+FB01"),
                                               ("\u2460", 1, "U+2460"), ("\u0430dmin", 1, "U+0430"),
                                               ("admin\u200b", 6, "U+200B"), ("pαss", 2, "U+03B1")])
def test_a_refused_name_names_its_character(name, place, char):
    with pytest.raises(AccountError) as exc:
        check_name(name)
    assert f"第 {place} 个字符" in exc.value.zh and char in exc.value.zh
    assert f"character {place}" in exc.value.en and char in exc.value.en
    assert "\u200b" not in exc.value.zh and "\u200b" not in exc.value.en  # written out, never rendered


def test_names_decomposed_mixed_scripts_and_twins(app):
    assert check_name("wa\u0301ng") == "w\u00e1ng"
    assert check_name("王ab12") == "王ab12"
    with pytest.raises(AccountError):  # QA 31: letters a-z (with marks) and Chinese characters only, no Greek
        check_name("Ωμέγα")
    boss = signed_in(app, "boss")
    r = boss.post("/api/admin/users", json={"name": "wa\u0301ng", "role": "viewer"})
    assert r.status_code == 201 and r.get_json()["user"]["name"] == "w\u00e1ng"
    r = boss.post("/api/admin/users", json={"name": "\u0430dmin", "role": "viewer"})
    assert r.status_code == 400 and "西里尔" in r.get_json()["message"]
    r = boss.post("/api/admin/users", json={"name": "\u0430dmin", "role": "viewer"}, headers=EN)
    assert "Cyrillic" in r.get_json()["message"]
    # a twin once NFKC and case are set aside (stored names are NFKC already: compared case-folded); ß is no
    # longer taken (QA 31: Latin letters a-z with marks only): É beside é, which SQLite's NOCASE tells apart
    users_of(app).add("Élan", "viewer", password=PW)
    r = boss.post("/api/admin/users", json={"name": "éLAN", "role": "viewer"})
    assert r.status_code == 400 and r.get_json()["code"] == "exists", r.get_json()
    assert users_of(app).by_name("éLAN") is None


def test_audit_marks_names_that_are_no_account(app):
    c = client(app, "10.27.3.1")
    for name in ("admin\u200b", "\u202eevil\u202c", "zhang"):
        c.post("/login", json={"name": name, "password": "wrong-password"})
    rows = signed_in(app, "boss").get("/api/admin/audit?action=login_failed&limit=10").get_json()["rows"]
    by = {r["object"]: r for r in rows}
    assert by["admin\\u200b"]["user_text"] == "admin\\u200b（无此账号）"
    assert by["\\u202eevil\\u202c"]["no_account"] is True
    assert "无此账号" not in by["zhang"]["user_text"]  # an account: not marked
    en = signed_in(app, "boss").get("/api/admin/audit?action=login_failed&limit=10", headers=EN).get_json()["rows"]
    assert any(r["user_text"] == "admin\\u200b (no such account)" for r in en)
    assert not any("\u200b" in (r["user_text"] + (r["object"] or "")) for r in rows + en)


# -- 5. a proposal's author --------------------------------------------------------------------------
def test_a_proposal_refusal_names_its_author(app):
    users = users_of(app)
    pid = app.extensions["coverplan"]["store"].add(
        name="房县方案", type_key="day_care", params={"county": "420323", "type": "day_care"}, summary={},
        geojson={"type": "FeatureCollection", "features": []}, owner=users.by_name("zhang").id)
    fang2 = signed_in(app, "fang2")
    r = fang2.delete(f"/api/proposals/{pid}")
    assert r.status_code == 403 and "作者：zhang" in r.get_json()["message"]
    r = fang2.patch(f"/api/proposals/{pid}", json={"name": "改"}, headers=EN)
    assert r.status_code == 403 and "author: zhang" in r.get_json()["message"]


# -- 7. healthz --------------------------------------------------------------------------------------
def test_both_healthz_are_public(app):
    c = app.test_client()
    assert c.get("/healthz").status_code == 200
    assert c.get("/api/healthz").status_code == 200


# -- 10. logout --------------------------------------------------------------------------------------
def test_logout_says_so_and_get_logout_is_a_page(app):
    c = signed_in(app, "li")
    page = c.get("/logout?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="logout-form"' in html and 'method="post"' in html and "Sign out?" in html
    assert c.get("/api/me").get_json()["name"] == "li"  # a GET did not sign out
    r = c.post("/logout")
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    html = c.get(r.headers["Location"]).get_data(as_text=True)  # ?lang=en stays
    assert 'id="signed-out"' in html and "You have signed out." in html
    assert 'id="signed-out"' not in c.get("/login").get_data(as_text=True)  # said once
    c2 = signed_in(app, "li")
    c2.post("/logout")
    assert "您已退出。" in c2.get("/login?lang=zh").get_data(as_text=True)
    assert c.get("/api/me").status_code == 401
    assert c.get("/logout").status_code == 302  # signed out already: the login page


# -- 11. the password change's lock -----------------------------------------------------------------
def test_password_change_lock_has_retry_after(app):
    users_of(app).add("pwuser", "viewer", password=PW, must_change=False)
    c = signed_in(app, "pwuser")
    for _ in range(MAX_FAILURES):
        r = c.post("/account/password", json={"current": "wrong-password", "new": "x" * 10, "again": "x" * 10})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    form = c.post("/account/password", data={"current": PW, "new": "y" * 10, "again": "y" * 10})
    assert form.status_code == 429 and int(form.headers["Retry-After"]) > 0
    assert any(x["kind"] == "password" and x["name"] == "pwuser" for x in users_of(app).locks())


# -- 9. the command line ----------------------------------------------------------------------------
def test_cli_list_header_empty_stdin_and_actor(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    store = UserStore(tmp_path / "var" / "proposals.sqlite")
    store.add("王小明", "planner", "420325", password=PW)
    store.add("li", "viewer", password=PW)
    code, out, _ = run(capsys, "users", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["用户名", "角色", "县区", "状态"]

    def col(line, n):  # the display column where the n-th cell starts
        import unicodedata
        cells = re.finditer(r"\S+", line)
        start = [m.start() for m in cells][n]
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:start])
    assert len({col(line, 1) for line in lines}) == 1 and len({col(line, 2) for line in lines}) == 1
    code, out, _ = run(capsys, "--lang", "en", "users", "list")
    assert out.splitlines()[0].split() == ["Name", "Role", "County", "State"]

    import io
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "users", "add", "q5", "--role", "viewer", "--password-stdin")
    assert code == 2 and "标准输入为空" in err and "8 个字符" not in err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "--lang", "en", "users", "add", "q5", "--role", "viewer", "--password-stdin")
    assert code == 2 and "Standard input is empty" in err
    assert store.by_name("q5") is None

    code, _, _ = run(capsys, "users", "disable", "li")
    assert code == 0
    entry = store.audit_list(action="user_disabled", limit=1)[1][0]
    from geo.datasets import os_user
    assert entry["user"] == f"(command line) {os_user()}"
    code, out, _ = run(capsys, "users", "add", "--help")
    assert "西里尔" in out and "全角" in out


# -- 4. the admin page ------------------------------------------------------------------------------
def test_admin_page_confirms_and_names_results(tmp_path, browser):  # noqa: F811
    import threading

    from waitress.server import create_server

    app = accounts_app(tmp_path, (("boss", "admin", None), ("li", "viewer", None)), CSRF_ENABLED=True)
    users = app.extensions["coverplan"]["users"]
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    base = Server(f"http://127.0.0.1:{srv.effective_port}", app)
    # a pause to list: from another address than the browser's
    with pytest.raises(AddressLocked):
        for i in range(ADDRESS_FAILURES):
            users.authenticate(f"ghost{i}", "whatever1", client="10.27.4.4")
    try:
        ctx = browser.new_context(locale="zh-CN")
        page = ctx.new_page()
        page.goto(base + "/login")
        page.fill("#login-name", "boss")
        page.fill("#login-password", PW)
        page.click("#login-submit")
        page.goto(base + "/admin")
        poll_js(page, "!!document.querySelector(\"#users-table tr[data-name='li']\")")
        mine = page.locator("tr[data-name='boss'] .u-reset")
        assert mine.is_disabled() and "/account/password" in mine.get_attribute("title")
        asked = []
        page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        page.click("tr[data-name='li'] .u-reset")
        assert asked == ["重置 li 的密码？其登录将立即失效。"]
        assert users.by_name("li").must_change is False  # dismissed: nothing done
        page.once("dialog", lambda d: d.accept())
        page.click("tr[data-name='li'] .u-disable")
        poll_js(page, "document.getElementById('users-status').textContent.indexOf('已停用 li') >= 0")
        assert page.text_content("#users-status") == "已停用 li，其会话已结束"
        assert users.by_name("li").disabled
        # the login locks: the pause listed, lifted with one click (after a confirm)
        poll_js(page, "document.querySelectorAll('#locks-table tr[data-key]').length === 1")
        assert "10.27.4.4" in page.text_content("#locks-table tbody")
        page.once("dialog", lambda d: d.accept())
        page.click("#locks-table .l-lift")
        poll_js(page, "document.getElementById('locks-status').textContent.indexOf('已解除') >= 0")
        poll_js(page, "document.querySelectorAll('#locks-table tr[data-key]').length === 0")
        assert users.locks() == []
        ctx.close()
    finally:
        srv.close()
        app.extensions["coverplan"]["jobs"].shutdown()


def test_store_disabled_account_is_none_without_say_disabled(tmp_path):
    from web.users import AccountDisabled
    store = UserStore(tmp_path / "p.sqlite")
    store.add("sun", "viewer", password=PW)
    store.update("sun", disabled=True)
    assert store.authenticate("sun", PW, client="10.0.0.1") is None
    with pytest.raises(AccountDisabled):
        store.authenticate("sun", PW, client="10.0.0.1", say_disabled=True)
    import sqlite3
    with sqlite3.connect(tmp_path / "p.sqlite") as con:  # not counted: no failure row at all
        assert con.execute("SELECT COUNT(*) FROM login_failures").fetchone()[0] == 0
