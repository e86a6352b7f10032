"""QA sweep 24, accounts mode (``coverplan serve --auth required``):

1. 退出 / Log out from a tab whose CSRF token was stale (the login changed in another tab) was a bare
   403 "CSRFTokenMissing" and the person stayed signed in: a logout from our own pages (same Origin or
   Referer) always ends the session of its cookie; another site still cannot. Another refused form is a
   page of the app in the reader's language, with links; a script keeps its JSON 403;
2. one address trying a password against many names was never throttled, and wrote an audit line a
   try: ADDRESS_FAILURES failures from one address pause its logins (429), with one audit line;
3. a JSON login's "next" was ignored;
4. a login name longer than 40 characters was cut to 40 and signed in as the account it began with;
5. /admin with a 40-character name was wider than the window and crushed the add form; the Chinese
   status "待修改密码" wrapped onto four lines.
"""
from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

import pytest
from browser import browser, poll_js  # noqa: F401  (fixtures)
from browser import Server
from conftest import plain_client

from accounts import PW, accounts_app
from web.users import ADDRESS_FAILURES, ADDRESS_LOCK, MAX_FAILURES, MAX_NAME, AddressLocked, Locked, UserStore

OWN = {"Origin": "http://localhost"}
LONG = "W" * MAX_NAME  # the longest name the rules allow


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Logins required, with the CSRF check on (as ``coverplan serve`` runs)."""
    app = accounts_app(tmp_path_factory.mktemp("qa24acc"),
                       (("boss", "admin", None), ("li", "viewer", None), ("wang", "planner", None),
                        (LONG, "viewer", None)),
                       CSRF_ENABLED=True)
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def users_of(app) -> UserStore:
    return app.extensions["coverplan"]["users"]


def client(app, addr: str):
    """A browser of its own at client address ``addr`` (each test its own: the address's failures are its own)."""
    c = plain_client(app)
    c.environ_base["REMOTE_ADDR"] = addr
    return c


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form_login(c, name: str, lang: str = "zh") -> str:
    """The login page's form, as a browser posts it; the token of the pages after it."""
    token = form_token(c.get(f"/login?lang={lang}").get_data(as_text=True))
    r = c.post("/login", data={"name": name, "password": PW, "csrf_token": token}, headers=OWN)
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return form_token(c.get("/").get_data(as_text=True))


# -- 1. a logout with a stale token ends the session --------------------------------------------------
@pytest.mark.parametrize("source", [{"Origin": "http://localhost"},
                                    {"Referer": "http://localhost/proposals"}])
def test_a_logout_from_a_stale_tab_ends_the_session(app, source):
    c = client(app, "10.1.0.1")
    stale = form_login(c, "li")
    # another tab signs out and in again: a new login, a new token in the cookie both tabs share
    assert c.post("/logout", data={"csrf_token": stale}, headers=OWN).status_code == 302
    fresh = form_login(c, "li")
    assert fresh != stale
    assert c.get("/api/me").status_code == 200
    # the first tab's 退出 button, with the token of its page
    r = c.post("/logout", data={"csrf_token": stale}, headers=source)
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert c.get("/api/me").status_code == 401  # signed out
    assert users_of(app).audit_list(action="logout", user="li")[0] >= 2
    # the next login works as ever (a fresh token, bound to no session)
    form_login(c, "li")
    assert c.get("/api/me").get_json()["name"] == "li"


def test_a_stale_logout_ends_only_its_own_session(app):
    desk = client(app, "10.1.0.2")
    form_login(desk, "wang")
    other = client(app, "10.1.0.3")  # the same account on another computer
    form_login(other, "wang")
    r = desk.post("/logout", data={"csrf_token": "stale-token-stale-token-stale"}, headers=OWN)
    assert r.status_code == 302
    assert desk.get("/api/me").status_code == 401
    assert other.get("/api/me").get_json()["name"] == "wang"


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"},
                                     {"Referer": "http://127.0.0.1:9999/page"},
                                     {}])  # neither: nothing says it came from our pages
def test_a_logout_without_our_origin_still_needs_the_token(app, headers):
    c = client(app, "10.1.0.4")
    form_login(c, "li")
    r = c.post("/logout", data={"csrf_token": "stale-token-stale-token-stale"}, headers=headers)
    assert r.status_code == 403
    assert c.get("/api/me").get_json()["name"] == "li"  # still signed in


def test_the_stale_logout_exemption_is_only_the_logouts(app):
    c = client(app, "10.1.0.5")
    form_login(c, "boss")
    r = c.post("/api/admin/users", json={"name": "zhao", "role": "viewer"}, headers=OWN)
    assert r.status_code == 403 and r.get_json()["error"] == "CSRFTokenMissing"
    assert users_of(app).by_name("zhao") is None


# -- 1. a refused form is a page of the app ---------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_login_form_refused_for_its_token_is_a_page_in_the_readers_language(app, lang):
    c = client(app, "10.1.0.6")
    page = c.get(f"/login?next=/admin&lang={lang}").get_data(as_text=True)
    token = form_token(page)
    data = {"name": "boss", "password": PW, "csrf_token": token, "next": "/admin"}
    assert c.post("/login", data=data, headers=OWN).status_code == 302  # the first tab signs in
    # the second tab's login form still holds the token of before
    r = c.post("/login", data=data, headers={**OWN, "Referer": "http://localhost/login?next=/admin"})
    assert r.status_code == 403 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert '<header class="top' in html and "app.css" in html  # the app's layout, not a bare line
    assert f'<html lang="{"en" if lang == "en" else "zh-CN"}">' in html
    main = html[html.index("<main>"):html.index("</main>")]
    if lang == "en":
        assert "This form has expired" in main and "missing or invalid" in main
        assert "You are signed in as boss." in main
        assert not re.search(r"[\u4e00-\u9fff]", main)  # in English only
    else:
        assert "表单已失效" in main and "缺失或无效" in main and "您当前以 boss 的身份登录。" in main
        assert "Refused" not in main
    assert 'href="/login?next=/admin" id="csrf-reload"' in main  # the page the form was on
    assert 'href="/admin" id="csrf-continue"' in main  # signed in meanwhile: go on
    # the header's logout button carries the token that works
    assert c.post("/logout", data={"csrf_token": form_token(html)}).status_code == 302


def test_a_password_form_after_the_login_ended_elsewhere(app):
    c = client(app, "10.1.0.7")
    stale = form_login(c, "li", "en")
    assert c.post("/logout", data={"csrf_token": stale}, headers=OWN).status_code == 302  # another tab
    r = c.post("/account/password", data={"current": PW, "new": "another-pass-1", "again": "another-pass-1",
                                          "csrf_token": stale},
               headers={**OWN, "Referer": "http://localhost/account/password?next=/townships"})
    assert r.status_code == 403 and r.mimetype == "text/html"
    main = r.get_data(as_text=True).split("<main>")[1].split("</main>")[0]
    assert "You are not signed in." in main
    assert 'href="/account/password?next=/townships" id="csrf-reload"' in main
    assert 'id="csrf-sign-in"' in main and "/login?next=" in main
    assert users_of(app).authenticate("li", PW) is not None  # nothing changed


def test_a_script_keeps_its_json_refusal(app):
    c = client(app, "10.1.0.8")
    r = c.post("/api/data/rollback?lang=en", json={"version": "x"}, headers=OWN)
    body = r.get_json()
    assert r.status_code == 403 and body["error"] == "CSRFTokenMissing"
    assert "missing from the request or invalid" in body["message"] and body["message"] == body["message_en"]
    assert "缺少" in body["message_zh"] and "无效" in body["message_zh"]
    # a form post that asks for JSON gets JSON too
    r = c.post("/login", data={"name": "li", "password": PW}, headers={**OWN, "Accept": "application/json"})
    assert r.status_code == 403 and r.get_json()["error"] == "CSRFTokenMissing"


# -- 2. password spraying -------------------------------------------------------------------------
def json_login(c, name: str, password: str, **extra):
    token = c.get("/api/csrf").get_json()["token"]
    return c.post("/login?lang=en", json={"name": name, "password": password, **extra},
                  headers={"X-CSRF-Token": token})


def test_one_address_trying_many_names_is_paused_with_one_audit_line(app):
    users = users_of(app)
    before = users.audit_list(action="login_failed")[0]
    c = client(app, "10.2.0.1")
    codes = [json_login(c, f"user{i}", "Spring2024!").status_code for i in range(60)]
    assert codes[:ADDRESS_FAILURES - 1] == [401] * (ADDRESS_FAILURES - 1)
    assert set(codes[ADDRESS_FAILURES - 1:]) == {429}  # the failure that reaches the limit is refused so
    r = json_login(c, "boss", PW)  # the right password too, while the address is paused
    body = r.get_json()
    assert r.status_code == 429 and body["error"] == "LoginFailed" and int(r.headers["Retry-After"]) > 0
    assert "network address" in body["message"] and "paused" in body["message"]
    assert "网络地址" in body["message_zh"] and "暂停" in body["message_zh"]
    # one line a failure until the pause, then one line saying so: not 60
    total, rows = users.audit_list(action="login_failed", limit=500)
    assert total - before == ADDRESS_FAILURES
    throttled = [row for row in rows if row["ip"] == "10.2.0.1" and row["detail"].get("throttled")]
    assert len(throttled) == 1
    # the admin's audit page words it
    admin = client(app, "10.2.0.2")
    form_login(admin, "boss", "en")
    shown = admin.get("/api/admin/audit?action=login_failed&limit=500&lang=en").get_json()["rows"]
    assert any("logins from it paused" in row["detail_text"] for row in shown)
    # another address is not affected
    assert json_login(client(app, "10.2.0.3"), "li", PW).status_code == 200


def test_a_form_login_from_a_paused_address_says_so(app):
    c = client(app, "10.2.0.4")
    for i in range(ADDRESS_FAILURES):
        token = form_token(c.get("/login").get_data(as_text=True))
        c.post("/login", data={"name": f"n{i}", "password": "x", "csrf_token": token}, headers=OWN)
    token = form_token(c.get("/login?lang=zh").get_data(as_text=True))
    r = c.post("/login", data={"name": "li", "password": PW, "csrf_token": token}, headers=OWN)
    assert r.status_code == 429
    assert "本机网络地址的登录失败次数过多" in r.get_data(as_text=True)


def test_the_address_pause_ends_and_counts_locked_names_too(tmp_path):
    store = UserStore(tmp_path / "u.sqlite")
    store.add("li", "viewer", password=PW, must_change=False)
    now = 1_000_000.0
    # guessing one name: its own lock first (MAX_FAILURES), then knocking on it counts for the address
    for i in range(ADDRESS_FAILURES - 1):
        try:
            assert store.authenticate("li", "wrong", now=now + i, client="10.3.0.1") is None
            assert i < MAX_FAILURES - 1
        except AddressLocked:
            pytest.fail(f"the address was paused after {i + 1} failures")
        except Locked as exc:  # the name's lock: the 5th failure sets it, every try after it meets it
            assert i >= MAX_FAILURES - 1 and exc.code == "locked"
    with pytest.raises(AddressLocked) as caught:
        store.authenticate("li", "wrong", now=now + 30, client="10.3.0.1")
    assert getattr(caught.value, "new", False)
    with pytest.raises(AddressLocked):  # the right password while paused
        store.authenticate("li", PW, now=now + 60, client="10.3.0.1")
    # the pause ends; a login elsewhere, and without an address (the command line), was never paused
    assert store.authenticate("li", PW, now=now, client="10.3.0.2") is not None
    assert store.authenticate("li", PW, now=now + 30 + ADDRESS_LOCK + 1, client="10.3.0.1") is not None


# -- 3. a JSON login's next -----------------------------------------------------------------------------
@pytest.mark.parametrize("asked, went", [("/proposals?type=day_care", "/proposals?type=day_care"),
                                         ("https://evil.example/", "/"), ("//evil.example", "/"),
                                         ("/\\evil.example", "/"), (5, "/")])
def test_a_json_login_goes_to_its_next(app, asked, went):
    r = json_login(client(app, "10.4.0.1"), "li", PW, next=asked)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["next"] == went


def test_a_json_next_wins_over_the_query_and_leads_through_the_password_change(app):
    c = client(app, "10.4.0.2")
    token = c.get("/api/csrf").get_json()["token"]
    r = c.post("/login?next=/data", json={"name": "li", "password": PW, "next": "/townships"},
               headers={"X-CSRF-Token": token})
    assert r.get_json()["next"] == "/townships"
    users_of(app).add("newbie", "viewer", password=PW, must_change=True)
    r = json_login(client(app, "10.4.0.3"), "newbie", PW, next="/townships")
    assert r.get_json()["next"] == "/account/password?next=/townships"


# -- 4. a name longer than any account's --------------------------------------------------------------------
@pytest.mark.parametrize("extra", ["x", "x" * 20, " " * 3 + "y"])
def test_a_name_longer_than_40_characters_is_a_wrong_name(app, extra):
    c = client(app, "10.5.0.1")
    wrong = json_login(c, "boss", "not-the-password").get_json()
    r = json_login(c, LONG + extra, PW)  # its first 40 characters are an account's name, the password his
    assert r.status_code == 401
    body = r.get_json()
    assert body["error"] == "LoginFailed" and body["message"] == wrong["message"]  # says nothing more
    assert c.get("/api/me").status_code == 401
    # the name itself still signs in
    assert json_login(c, LONG, PW).status_code == 200


def test_a_long_name_on_the_form_is_refused_and_shown_cut(app):
    c = client(app, "10.5.0.2")
    token = form_token(c.get("/login").get_data(as_text=True))
    r = c.post("/login", data={"name": LONG + "W" * 20, "password": PW, "csrf_token": token}, headers=OWN)
    assert r.status_code == 401
    assert f'value="{LONG}…"' in r.get_data(as_text=True)
    rows = users_of(app).audit_list(action="login_failed", q=LONG)[1]
    assert rows and all(len(row["user"]) <= MAX_NAME + 1 for row in rows)


def test_the_store_refuses_a_long_name_too(tmp_path):
    store = UserStore(tmp_path / "u.sqlite")
    store.add(LONG, "viewer", password=PW, must_change=False)
    assert store.authenticate(LONG + "W", PW) is None
    assert store.authenticate(LONG, PW) is not None


# -- 5 and 1 in Chromium -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from waitress.server import create_server

    app = accounts_app(tmp_path_factory.mktemp("qa24web"), (("boss", "admin", None), ("li", "viewer", None)),
                       CSRF_ENABLED=True)
    users = app.extensions["coverplan"]["users"]
    users.add(LONG, "planner", password=PW, must_change=False)
    users.add("x" * MAX_NAME, "viewer", password=None)  # must change its password: the longest status
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    yield Server(f"http://127.0.0.1:{srv.effective_port}", app)
    srv.close()
    app.extensions["coverplan"]["jobs"].shutdown()


def sign_in(pg, base, name, lang, path="/"):
    pg.goto(f"{base}/login?lang={lang}&next={path}")
    pg.fill("#login-name", name)
    pg.fill("#login-password", PW)
    with pg.expect_navigation():
        pg.click("#login-submit")


@pytest.mark.browser
@pytest.mark.parametrize("lang, width", [("en", 1366), ("zh", 1366), ("en", 1280), ("en", 1100)])
def test_the_admin_page_with_a_40_character_name_fits_the_window(browser, server, lang, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900},
                              locale="en-US" if lang == "en" else "zh-CN")
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(pg, server, "boss", lang, "/admin")
        poll_js(pg, f"!!document.querySelector(\"#users-table tr[data-name='{LONG}']\")")
        m = pg.evaluate("""() => {
            const r = id => document.getElementById(id).getBoundingClientRect();
            const lines = td => { const g = document.createRange(); g.selectNodeContents(td);
                                  return new Set([...g.getClientRects()].map(x => Math.round(x.top))).size; };
            const status = [...document.querySelectorAll('#users-table td.u-status')];
            return {page: document.documentElement.scrollWidth, view: window.innerWidth,
                    name: r('nu-name').width, submit: r('nu-submit').right, card: r('add-card').right,
                    table: r('users-table').right, users: r('users-card').right,
                    statusLines: Math.max(...status.map(lines)),
                    mustChange: status.map(td => td.textContent)};
        }""")
        assert m["page"] <= m["view"], m  # 1420 px at 1366 before
        assert m["name"] >= 150, m  # 8 px before
        assert m["submit"] <= m["card"], m  # the Add button inside its card
        assert m["table"] <= m["users"], m  # the table inside its card
        if lang == "zh":
            assert "待修改密码" in m["mustChange"]
            assert m["statusLines"] == 1, m  # 4 lines before
        else:
            assert m["statusLines"] <= 2, m  # "must change / password"
        assert errors == []
    finally:
        ctx.close()


@pytest.mark.browser
def test_log_out_from_a_tab_whose_login_changed_in_another(browser, server):
    ctx = browser.new_context(locale="zh-CN")
    tab1 = ctx.new_page()
    try:
        sign_in(tab1, server, "li", "zh", "/townships")
        stale = tab1.evaluate("document.querySelector('form.logout input[name=csrf_token]').value")
        # another tab signs out and in again
        tab2 = ctx.new_page()
        tab2.goto(server + "/townships")
        with tab2.expect_navigation():
            tab2.click("#logout")
        tab2.fill("#login-name", "li")
        tab2.fill("#login-password", PW)
        with tab2.expect_navigation():
            tab2.click("#login-submit")
        assert tab1.evaluate("document.querySelector('form.logout input[name=csrf_token]').value") == stale
        # the first tab's 退出: signed out, on the login page (a bare 403 before, still signed in)
        with tab1.expect_navigation():
            tab1.click("#logout")
        assert "/login" in tab1.url and tab1.inner_text("h1") == "登录"
        assert tab2.evaluate("fetch('/api/me').then(r => r.status)") == 401
        # the second tab's login form, now stale too (the logout made a new token): the app's page, in Chinese
        tab3 = ctx.new_page()
        tab3.goto(server + "/login?next=/townships")
        tab1.fill("#login-name", "li")
        tab1.fill("#login-password", PW)
        with tab1.expect_navigation():
            tab1.click("#login-submit")
        tab3.fill("#login-name", "li")
        tab3.fill("#login-password", PW)
        with tab3.expect_navigation():
            tab3.click("#login-submit")
        assert tab3.inner_text("#csrf-refused h1") == "表单已失效"
        assert "缺失或无效" in tab3.inner_text("#csrf-refused")
        assert tab3.is_visible("#account .who")  # the header, with who is signed in
        with tab3.expect_navigation():
            tab3.click("#csrf-continue")
        assert urlsplit(tab3.url).path == "/townships"
    finally:
        ctx.close()
