"""QA 18, security: the password change's current password is throttled per account, a password
has a maximum length wherever one is set, and the CSRF token is bound to the login.

1. ``POST /account/password`` with a wrong current password was never throttled (12 wrong tries,
   12 answers 400); a new password of 1,000,000 characters was taken.
2. The CSRF double-submit token was not tied to the session: admin2's session with cookie and
   header both "a" could write, and so could another login's token.
"""
from __future__ import annotations

import io
import re
import sqlite3
import threading

import pytest
from accounts import PW, accounts_app, signed_in
from conftest import plain_client

from web.users import MAX_FAILURES, UserStore

MAX_PASSWORD = 1024  # web.users.MAX_PASSWORD (QA 18)

ACCOUNTS = [("admin1", "admin", None), ("admin2", "admin", None), ("li", "planner", None)]


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, ACCOUNTS)
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def csrf_app(tmp_path):
    """Accounts with the CSRF check on (accounts_app turns it off for the tests of roles)."""
    app = accounts_app(tmp_path, ACCOUNTS, CSRF_ENABLED=True)
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def change(client, current, new, again=None, **kw):
    return client.post("/account/password", json={"current": current, "new": new,
                                                  "again": new if again is None else again}, **kw)


# -- 1. the current password of a password change ----------------------------------------------------
def test_wrong_current_password_is_throttled_like_a_login_per_account(app):
    c = signed_in(app, "admin1")
    codes = [change(c, f"wrong-guess-{i}", "Newpass123").status_code for i in range(12)]
    assert codes == [400] * (MAX_FAILURES - 1) + [429] * (12 - MAX_FAILURES + 1), codes
    r = change(c, PW, "Newpass123")  # locked: even the right password is refused (the lock stops guessing)
    assert r.status_code == 429
    body = r.get_json()
    assert body["error"] == "PasswordChangeLocked" and "min" in body["message_en"] and "分钟" in body["message_zh"]
    assert body["message"] == body["message_zh"]
    # keyed on the account: another session of admin1, from another address, is locked too
    other = signed_in(app, "admin1", addr="10.0.0.9")
    assert change(other, PW, "Newpass123").status_code == 429
    # ... but nobody else, and logging in still works (a stolen session does not lock its owner out)
    assert change(signed_in(app, "admin2"), PW, "Newpass456").status_code == 200
    users = app.extensions["coverplan"]["users"]
    assert users.verify(users.by_name("admin1").id, PW)  # unchanged
    # the page (a form post) says it too, with 429
    r = c.post("/account/password", data={"current": PW, "new": "Newpass123", "again": "Newpass123"})
    assert r.status_code == 429 and "密码修改已锁定" in r.get_data(as_text=True)
    # an administrator's reset ends the lock (as it ends a login lock)
    users.set_password("admin1", "Another-pass-1")
    c = app.test_client()
    assert c.post("/login", json={"name": "admin1", "password": "Another-pass-1"}).status_code == 200
    assert change(c, "Another-pass-1", "Newpass123").status_code == 200


def test_a_right_current_password_resets_the_count(app):
    c = signed_in(app, "li")
    for i in range(MAX_FAILURES - 1):
        assert change(c, f"wrong-{i}", "Newpass123").status_code == 400
    # right current password, but the new ones differ: no change, and the count starts again
    assert change(c, PW, "Newpass123", "Newpass124").status_code == 400
    for i in range(MAX_FAILURES - 1):
        assert change(c, f"wrong-again-{i}", "Newpass123").status_code == 400
    assert change(c, "wrong-last", "Newpass123").status_code == 429
    with sqlite3.connect(app.config["DB_PATH"]) as con:  # counted on the account, not on the login's
        assert [r[0] for r in con.execute("SELECT name FROM login_failures")] == ["li\t(password change)"]


def test_a_password_has_a_maximum_length_everywhere_it_is_set(app, tmp_path, capsys, monkeypatch):
    c = signed_in(app, "admin1")
    huge = "x" * 5_000  # past the 1,024-character maximum, under the sign-in pages' body limit (64 KB, QA 33)
    r = change(c, PW, huge)
    assert r.status_code == 400
    body = r.get_json()
    assert body["details"] == {"field": "password"}
    assert "at most 1,024" in body["message_en"] and "最多 1024" in body["message_zh"], body
    users = app.extensions["coverplan"]["users"]
    assert users.verify(users.by_name("admin1").id, PW)
    assert change(c, PW, "y" * (MAX_PASSWORD + 1)).status_code == 400
    # an administrator's new account
    r = c.post("/api/admin/users", json={"name": "zhao", "role": "viewer", "password": "z" * (MAX_PASSWORD + 1)})
    assert r.status_code == 400 and r.get_json()["details"] == {"field": "password"}
    assert users.by_name("zhao") is None
    # exactly the maximum is taken
    assert change(c, PW, "k" * MAX_PASSWORD).status_code == 200
    # the command line (web/users.py's check_password too)
    from cli.main import main

    db = str(tmp_path / "cli.sqlite")
    monkeypatch.setattr("sys.stdin", io.StringIO("p" * (MAX_PASSWORD + 1) + "\n"))
    assert main(["--lang", "en", "users", "add", "wu", "--role", "viewer", "--password-stdin", "--db", db]) == 2
    assert "at most 1,024 characters" in capsys.readouterr().err
    assert UserStore(db).by_name("wu") is None
    assert main(["users", "add", "wu", "--role", "viewer", "--db", db]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("q" * 5000 + "\n"))
    assert main(["users", "passwd", "wu", "--password-stdin", "--db", db]) == 2
    assert "最多 1024 个字符" in capsys.readouterr().err


# -- 2. the CSRF token belongs to the login ----------------------------------------------------------
def login(app, name):
    """A script's login (no token or Origin of its own): /api/csrf, then /login with the token."""
    c = plain_client(app)
    token = c.get("/api/csrf").get_json()["token"]
    r = c.post("/login", json={"name": name, "password": PW}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.get_json()
    return c, r.get_json()["csrf"]


def rollback(c, token, **headers):
    """A write that is harmless past the CSRF check (a 400 about its body)."""
    if token is not None:
        headers["X-CSRF-Token"] = token
    return c.post("/api/data/rollback", json={"version": "x"}, headers=headers)


def test_any_value_in_cookie_and_header_no_longer_passes_with_a_session(csrf_app):
    c, _ = login(csrf_app, "admin2")
    for value in ("a", "a" * 43, "made-up-token-made-up-token-made-up"):
        c.set_cookie("cp_csrf", value)
        r = rollback(c, value)  # neither Origin nor Referer: a script's request, bound all the same
        assert r.status_code == 403 and r.get_json()["error"] == "CSRFTokenMissing", value
        r = rollback(c, value, Origin="http://localhost")
        assert r.status_code == 403, value
        # a form post, the token in its field
        r = c.post("/logout", data={"csrf_token": value})
        assert r.status_code == 403, value
    assert c.get("/api/me").get_json()["name"] == "admin2"  # still logged in: the logout was refused


def test_another_logins_token_is_refused(csrf_app):
    c1, t1 = login(csrf_app, "admin1")
    c2, t2 = login(csrf_app, "admin2")
    assert t1 != t2
    c2.set_cookie("cp_csrf", t1)
    assert rollback(c2, t1).status_code == 403
    # a second login of the same account has its own token too
    c3, t3 = login(csrf_app, "admin1")
    assert t3 != t1
    c3.set_cookie("cp_csrf", t1)
    assert rollback(c3, t1).status_code == 403
    # each with its own: accepted (with no Origin or Referer too, as the CLI's scripts post)
    c2.set_cookie("cp_csrf", t2)
    assert rollback(c2, t2).status_code == 400
    assert rollback(c1, t1, Origin="http://localhost").status_code == 400


def test_the_token_changes_at_login_and_the_cookie_and_pages_follow(csrf_app):
    c = plain_client(csrf_app)
    before = c.get("/api/csrf").get_json()["token"]
    r = c.post("/login", json={"name": "li", "password": PW}, headers={"X-CSRF-Token": before})
    after = r.get_json()["csrf"]
    assert after and after != before
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("cp_csrf="))
    assert cookie.startswith(f"cp_csrf={after};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert rollback(c, before).status_code == 403  # the token from before the login is no longer good
    assert rollback(c, after).status_code == 400
    # the pages and /api/csrf give the login's token
    assert c.get("/api/csrf").get_json()["token"] == after
    page = c.get("/").get_data(as_text=True)
    assert re.search(r'"csrf": "([^"]+)"', page).group(1) == after
    # a form login (the login page's own form): the next page carries the new token
    f = plain_client(csrf_app)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', f.get("/login").get_data(as_text=True)).group(1)
    r = f.post("/login", data={"name": "admin1", "password": PW, "csrf_token": form_token})
    assert r.status_code == 302
    page = f.get("/").get_data(as_text=True)
    new = re.search(r'"csrf": "([^"]+)"', page).group(1)
    assert new != form_token
    assert f.post("/logout", data={"csrf_token": form_token}).status_code == 403
    assert f.post("/logout", data={"csrf_token": new}).status_code == 302


def test_password_change_and_logout_give_a_new_token(csrf_app):
    c, t1 = login(csrf_app, "li")
    r = c.post("/account/password", json={"current": PW, "new": "Newpass123", "again": "Newpass123"},
               headers={"X-CSRF-Token": t1})
    assert r.status_code == 200, r.get_json()
    t2 = r.get_json()["csrf"]
    assert t2 and t2 != t1
    assert rollback(c, t1).status_code == 403 and rollback(c, t2).status_code == 400
    r = c.post("/logout", json={}, headers={"X-CSRF-Token": t2})
    t3 = r.get_json()["csrf"]
    assert r.status_code == 200 and t3 not in (t1, t2)
    # logged out: the login form takes the new token (no session to bind to), and logging in again works
    r = c.post("/login", json={"name": "li", "password": "Newpass123"}, headers={"X-CSRF-Token": t3})
    assert r.status_code == 200
    t4 = r.get_json()["csrf"]
    assert t4 not in (t1, t2, t3) and rollback(c, t4).status_code == 400


def test_open_mode_keeps_the_plain_double_submit_token(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "AUTH": "open"})
    try:
        c = plain_client(app)
        c.get("/")
        c.set_cookie("cp_csrf", "b" * 43)
        assert rollback(c, "b" * 43).status_code == 400  # no login to bind to: cookie and header agree
        assert rollback(c, "c" * 43).status_code == 403
        # the logged-in server's answers carry the token: the open mode's JSON login says so
        r = c.post("/login", json={"name": "x", "password": "y"}, headers={"X-CSRF-Token": "b" * 43})
        assert r.get_json()["auth"] == "open"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    # ... and with a login, a login's token was never what a page set: bound
    app = accounts_app(tmp_path / "b", ACCOUNTS, CSRF_ENABLED=True)
    try:
        c, token = login(app, "li")
        c.set_cookie("cp_csrf", "b" * 43)
        assert rollback(c, "b" * 43).status_code == 403
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 2, in Chromium: a page whose login changed in another tab picks up the new token --------------
@pytest.mark.browser
def test_page_picks_up_the_new_token_after_a_login_in_another_tab(tmp_path):
    from pathlib import Path

    from browser import ARGS, CHROMIUM, playwright
    from waitress.server import create_server

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed")

    app = accounts_app(tmp_path, ACCOUNTS, CSRF_ENABLED=True, TESTING=False)
    srv = create_server(app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=srv.run, daemon=True).start()
    base = f"http://127.0.0.1:{srv.effective_port}"
    try:
        with playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            ctx = b.new_context(locale="zh-CN")
            tab1 = ctx.new_page()
            errors = []
            tab1.on("pageerror", lambda e: errors.append(str(e)))
            tab1.goto(base + "/login")
            tab1.fill("#login-name", "admin1")
            tab1.fill("#login-password", PW)
            with tab1.expect_navigation():
                tab1.click("#login-submit")
            tab1.goto(base + "/proposals")
            first = tab1.evaluate("window.COVERPLAN.csrf")
            # tab 2 logs out and in again: a new login, a new token, in the cookie both tabs share
            tab2 = ctx.new_page()
            tab2.goto(base + "/proposals")
            with tab2.expect_navigation():
                tab2.click("#logout")
            tab2.fill("#login-name", "admin1")
            tab2.fill("#login-password", PW)
            with tab2.expect_navigation():
                tab2.click("#login-submit")
            # tab 1's page writes with its old token: refused once, then sent again with the new one
            answer = tab1.evaluate("""() => CP.json('/api/data/rollback', {method: 'POST',
                headers: {'Content-Type': 'application/json'}, body: JSON.stringify({version: 'x'})})
                .then(j => ({ok: j}), e => ({err: e}))""")
            assert "err" in answer and answer["err"]["error"] != "CSRFTokenMissing", answer
            now = tab1.evaluate("window.COVERPLAN.csrf")
            assert now != first
            assert tab1.evaluate("document.querySelector('form.logout input[name=csrf_token]').value") == now
            # so its logout form works too
            with tab1.expect_navigation():
                tab1.click("#logout")
            assert "/login" in tab1.url
            assert errors == []
            b.close()
    finally:
        srv.close()
        app.extensions["coverplan"]["jobs"].shutdown()
