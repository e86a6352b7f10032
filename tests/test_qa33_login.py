"""QA sweep 33, the login (``coverplan serve --auth required``):

1. an account is logged in to by any spelling of its name that reads as it alone (name_key: 城市規劃員 for 城市规划员,
   WANG and wáng for wang), with the same password check; its failures and lock are the account's, whatever the
   spelling, and the audit log names the account;
2. the login page shows a signed-out visitor no menu and no data version (their links all led back to the login);
   a signed-in page keeps them.
"""
from __future__ import annotations

import re
import sqlite3

import pytest

from accounts import PW, accounts_app, signed_in
from test_qa27_accounts import client, users_of
from web.users import MAX_FAILURES, UserStore

EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa33login"),
                       (("boss", "admin", None), ("城市规划员", "planner", "420325"), ("wang", "viewer", None),
                        ("Émile", "viewer", None), ("lockme", "viewer", None), ("li", "viewer", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()




def login(c, name: str, password: str = PW):
    return c.post("/login", json={"name": name, "password": password})


# -- 1. any spelling of the name ------------------------------------------------------------------------------
def test_a_traditional_spelling_logs_in_to_the_simplified_account(app):
    c = client(app, "10.33.1.1")
    r = login(c, "城市規劃員")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["user"]["name"] == "城市规划员"
    me = c.get("/api/me").get_json()
    assert me["name"] == "城市规划员" and me["role"] == "planner", me
    # the same password check: the right name in another spelling with a wrong password is refused
    r = login(client(app, "10.33.1.2"), "城市規劃員", "wrong-password")
    assert r.status_code == 401 and r.get_json()["error"] == "LoginFailed"


@pytest.mark.parametrize("typed", ["WANG", "wáng", "WÁNG", "wa\u0301ng", "ｗａｎｇ"])
def test_an_accented_or_other_case_spelling_logs_in_as_the_account(app, typed):
    r = login(client(app, "10.33.2.1"), typed)
    assert r.status_code == 200, (typed, r.get_json())
    assert r.get_json()["user"]["name"] == "wang"


def test_the_login_form_takes_a_spelling_too(app):
    c = client(app, "10.33.2.2")
    r = c.post("/login", data={"name": "emile", "password": PW, "next": "/"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/"), r.status_code
    assert c.get("/api/me").get_json()["name"] == "Émile"


def test_an_unknown_name_and_a_wrong_password_answer_alike(app):
    a = login(client(app, "10.33.3.1"), "wàngg", "wrong-password")
    b = login(client(app, "10.33.3.2"), "wáng", "wrong-password")
    assert a.status_code == b.status_code == 401
    assert a.get_json() == b.get_json()


def test_the_lock_is_the_accounts_whatever_the_spelling(app):
    users = users_of(app)
    c = client(app, "10.33.4.1")
    spellings = ["lockme", "LOCKME", "lóckme", "ｌｏｃｋｍｅ", "LÓCKMÉ"]
    assert len(spellings) == MAX_FAILURES
    for i, typed in enumerate(spellings):
        r = login(c, typed, "wrong-password")
        assert r.status_code == (429 if i == MAX_FAILURES - 1 else 401), (typed, r.get_json())
    mine = [x for x in users.locks() if x["address"] == "10.33.4.1"]
    assert [(x["name"], x["failures"]) for x in mine] == [("lockme", MAX_FAILURES)], users.locks()
    for typed in ("lockme", "lóckme", "LOCKMÉ"):  # the right password, any spelling: still locked
        r = login(c, typed)
        assert r.status_code == 429 and "Retry-After" in r.headers, (typed, r.get_json())
    # the lock holds per name and address: the account from elsewhere logs in, by any spelling
    assert login(client(app, "10.33.4.2"), "lóckme").status_code == 200
    users.unlock("lockme")
    assert login(c, "LOCKMÉ").status_code == 200


def test_the_audit_log_names_the_account_not_the_spelling(app):
    login(client(app, "10.33.5.1"), "WÁNG", "wrong-password")
    assert login(client(app, "10.33.5.2"), "城市規劃員").status_code == 200
    boss = signed_in(app, "boss")
    failed = boss.get("/api/admin/audit?action=login_failed&limit=50").get_json()["rows"]
    rows = users_of(app).audit_list(action="login_failed", limit=200)[1]
    mine = [r for r in rows if r["ip"] == "10.33.5.1"]
    assert [(r["user"], r["object"]) for r in mine] == [("wang", "wang")], mine
    shown = [r for r in failed if r["user"] == "wang"]
    assert shown and not any(r.get("no_account") for r in shown), shown  # the account: not "no such account"
    ok = [r for r in users_of(app).audit_list(action="login", limit=200)[1] if r["ip"] == "10.33.5.2"]
    assert [(r["user"], r["object"]) for r in ok] == [("城市规划员", "城市规划员")], ok
    assert ok[0]["user_id"] == users_of(app).by_name("城市规划员").id
    # a name of no account is logged as typed, as before
    login(client(app, "10.33.5.3"), "nobody-here", "wrong-password")
    none = [r for r in users_of(app).audit_list(action="login_failed", limit=200)[1] if r["ip"] == "10.33.5.3"]
    assert [r["user"] for r in none] == ["nobody-here"]


def test_a_spelling_two_older_accounts_share_names_neither(tmp_path):
    """Accounts made before names were told apart by more than case (wang beside wáng): each logs in by its own
    name; a spelling of both (WÁNG) is no account."""
    store = UserStore(tmp_path / "u.sqlite")
    store.add("wang", "viewer", password=PW, must_change=False)
    with sqlite3.connect(tmp_path / "u.sqlite") as con:  # as an older version made it: no twin check then
        con.execute("INSERT INTO users (id, name, role, county, pw_hash, stamp, must_change, created) "
                    "SELECT 'older1', 'wáng', role, county, pw_hash, 'x', 0, created FROM users WHERE name = 'wang'")
    assert store.login_account("wang").name == "wang"
    assert store.login_account("WANG").name == "wang"
    assert store.login_account("wáng").id == "older1"
    assert store.login_account("WÁNG") is None
    assert store.authenticate("WÁNG", PW) is None
    assert store.authenticate("wáng", PW).id == "older1"
    assert store.login_account("x" * 41) is None and store.login_account("") is None


# -- 2. the login page to a signed-out visitor ----------------------------------------------------------------
def header_of(html: str) -> str:
    m = re.search(r"<header class=\"top[^\"]*\">(.*?)</header>", html, re.S)
    assert m, html[:500]
    return m.group(1)


MENU_LINKS = ("/townships", "/proposals", "/facilities", "/plan", "/data", "/api-doc", "/api/doc")


def test_the_login_page_shows_a_signed_out_visitor_no_menu_and_no_version(app):
    for headers in ({}, EN):
        r = app.test_client().get("/login", headers=headers)
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        head = header_of(html)
        assert "<nav" not in head and 'id="data-version"' not in html, head
        assert not any(f'href="{p}' in head for p in MENU_LINKS), head
        assert 'id="lang-switch"' in head and 'class="title"' in head  # the app's name and the language switch
        assert 'id="login-form"' in html
    assert "English" in header_of(app.test_client().get("/login").get_data(as_text=True))
    # a failed login's page, and the one after signing out, too
    r = app.test_client().post("/login", data={"name": "li", "password": "wrong-password"})
    assert r.status_code == 401 and "<nav" not in header_of(r.get_data(as_text=True))
    c = signed_in(app, "li")
    assert c.post("/logout").status_code == 302
    r = c.get("/logout", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.request.path == "/login" and "<nav" not in header_of(html) and 'id="data-version"' not in html


def test_a_signed_in_page_keeps_the_menu_and_the_version(app):
    c = signed_in(app, "li")
    for path in ("/", "/login", "/logout"):
        r = c.get(path)
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        head = header_of(html)
        assert "<nav>" in head and 'href="/proposals"' in head and 'id="data-version"' in head, (path, head)
        assert 'id="account"' in head
