"""Accounts: open mode on localhost, login required beyond it, login/logout, wrong password,
lockout, the one-time password flow, safe ``next`` redirects, the session key, the audit log.

CSRF (web/security.py) has its own tests; it is off here so that these tests
speak to the login rules alone.
"""
from __future__ import annotations

import os
import stat

import pytest

from web import users as users_mod
from web.app import create_app


def make_app(tmp_path, **cfg):
    config = {"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "CSRF_ENABLED": False}
    config.update(cfg)
    return create_app(config)


@pytest.fixture()
def secured(tmp_path, capsys):
    """A server that listens beyond loopback (login required), and its first admin's one-time password."""
    app = make_app(tmp_path, LISTEN_HOST="0.0.0.0")
    out = capsys.readouterr().out
    yield app, out
    app.extensions["coverplan"]["jobs"].shutdown()


def store(app) -> users_mod.UserStore:
    return app.extensions["coverplan"]["users"]


def login(client, name, password, **extra):
    return client.post("/login", json={"name": name, "password": password, **extra})


def onetime(out: str) -> str:
    # "... one-time password XXXX (to be changed ...)"
    return out.split("one-time password ")[1].split()[0]


def test_open_mode_on_localhost_needs_no_login(tmp_path):
    for cfg in ({}, {"LISTEN_HOST": "127.0.0.1"}, {"LISTEN_HOST": "localhost"}, {"LISTEN_HOST": "::1"}):
        app = make_app(tmp_path / str(len(cfg)) / (cfg.get("LISTEN_HOST") or "none").replace(":", "_"), **cfg)
        c = app.test_client()
        assert c.get("/").status_code == 200
        assert c.get("/api/types").status_code == 200
        me = c.get("/api/me").get_json()
        assert me["id"] == "local" and me["role"] == "admin" and me["login"] is False
        assert store(app).count() == 0  # no account is made on a desk
        # no login link or user in the header of an open server
        assert b'id="logout"' not in c.get("/").data
        app.extensions["coverplan"]["jobs"].shutdown()


def test_required_beyond_loopback_every_page_and_api(secured):
    app, out = secured
    assert app.config["AUTH_REQUIRED"] is True
    c = app.test_client()
    r = c.get("/townships?lang=en")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    assert r.headers["Location"] == "/login?next=/townships?lang%3Den"
    for path in ("/api/types", "/api/proposals", "/api/data/versions", "/charts/coverage_by_county/day_care.svg"):
        r = c.get(path)
        assert r.status_code == 401, path
        assert r.get_json()["error"] == "LoginRequired"
    assert c.post("/api/proposals", json={"type": "day_care"}).status_code == 401
    assert c.get("/healthz").status_code == 200  # monitoring stays reachable
    assert c.get("/static/app.css").status_code == 200  # the login page needs its styles
    assert c.get("/login").status_code == 200


def test_auth_config_values(tmp_path):
    assert make_app(tmp_path / "a", AUTH="required").config["AUTH_REQUIRED"] is True
    assert make_app(tmp_path / "b", AUTH="open", LISTEN_HOST="0.0.0.0").config["AUTH_REQUIRED"] is False
    assert make_app(tmp_path / "c", LISTEN_HOST="192.168.1.20").config["AUTH_REQUIRED"] is True
    with pytest.raises(ValueError):
        make_app(tmp_path / "d", AUTH="sometimes")


def test_first_admin_one_time_password_must_be_changed(secured):
    app, out = secured
    assert "admin" in out and "一次性密码" in out
    pw = onetime(out)
    admin = store(app).by_name("admin")
    assert admin.role == "admin" and admin.must_change
    c = app.test_client()
    r = login(c, "admin", pw, next="/proposals")
    assert r.status_code == 200
    assert r.get_json()["next"].startswith("/account/password")
    # until the password is changed nothing else opens
    assert c.get("/proposals").status_code == 302
    assert c.get("/proposals").headers["Location"].startswith("/account/password")
    assert c.get("/api/types").get_json()["error"] == "PasswordChangeRequired"
    bad = c.post("/account/password", json={"current": pw, "new": "short", "again": "short"})
    assert bad.status_code == 400
    same = c.post("/account/password", json={"current": pw, "new": pw, "again": pw})
    assert same.status_code == 400
    ok = c.post("/account/password", json={"current": pw, "new": "bureau-2025!", "again": "bureau-2025!"})
    assert ok.status_code == 200, ok.data
    assert c.get("/api/types").status_code == 200
    # the one-time password is gone
    c2 = app.test_client()
    assert login(c2, "admin", pw).status_code == 401
    assert login(c2, "admin", "bureau-2025!").status_code == 200
    # no default password anywhere: a second start creates no second admin and prints nothing
    assert store(app).count() == 1


def test_no_first_admin_when_users_exist(tmp_path, capsys):
    u = users_mod.UserStore(tmp_path / "p.sqlite")
    u.add("chen", "admin", password="chen-password")
    capsys.readouterr()
    app = make_app(tmp_path, AUTH="required")
    assert "一次性密码" not in capsys.readouterr().out
    assert store(app).count() == 1


def test_login_logout_wrong_password_and_header(secured):
    app, _ = secured
    store(app).add("wang", "planner", "420325", password="wang-password", must_change=False)
    c = app.test_client()
    r = c.post("/login", data={"name": "wang", "password": "nope"})
    assert r.status_code == 401 and "用户名或密码不正确".encode() in r.data
    r = c.post("/login?lang=en", data={"name": "wang", "password": "nope"})
    assert b"Wrong user name or password." in r.data
    # a script's JSON login is answered in both languages, as every other error is
    body = c.post("/login", json={"name": "wang", "password": "nope"}).get_json()
    assert body["error"] == "LoginFailed" and body["message_zh"] == "用户名或密码不正确。"
    assert body["message_en"] == "Wrong user name or password."
    r = c.post("/login", data={"name": "wang", "password": "wang-password", "next": "/townships"})
    assert r.status_code == 302 and r.headers["Location"] == "/townships"
    page = c.get("/townships?lang=zh").data.decode()
    assert "wang" in page and "规划人员" in page and "房县" in page and 'id="logout"' in page
    assert '"citywide": false' in page and '"rights": ["view", "edit"]' in page
    assert c.get("/api/me").get_json()["county"] == "420325"
    assert c.post("/logout").status_code == 302
    assert c.get("/api/types").status_code == 401
    actions = [e["action"] for e in store(app).audit_list()[1]]
    assert actions[:4] == ["logout", "login", "login_failed", "login_failed"]


def test_lockout_after_five_failures(secured):
    app, _ = secured
    store(app).add("li", "viewer", password="li-password", must_change=False)
    c = app.test_client()
    codes = [login(c, "li", f"guess{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    # locked: even the right password is refused, with the waiting time
    r = login(c, "li", "li-password")
    assert r.status_code == 429 and "分钟" in r.get_json()["message"]
    # another name is not locked
    store(app).add("zhao", "viewer", password="zhao-password", must_change=False)
    assert login(c, "zhao", "zhao-password").status_code == 200
    assert store(app).audit_list(action="login_locked")[0] == 1
    assert store(app).audit_list(action="login_failed", user="li")[0] == 5


def test_lock_runs_out(tmp_path):
    s = users_mod.UserStore(tmp_path / "u.sqlite")
    s.add("li", "viewer", password="li-password", must_change=False)
    t0 = 1_000_000.0
    for i in range(4):
        assert s.authenticate("li", "x", now=t0 + i) is None
    with pytest.raises(users_mod.Locked):
        s.authenticate("li", "x", now=t0 + 5)
    with pytest.raises(users_mod.Locked):
        s.authenticate("li", "li-password", now=t0 + 5 + users_mod.LOCK - 1)
    assert s.authenticate("li", "li-password", now=t0 + 5 + users_mod.LOCK + 1).name == "li"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "http:/evil", "javascript:alert(1)", " /x", "/\x00x", "evil.example"])
def test_next_cannot_leave_the_site(secured, target):
    app, _ = secured
    store(app).add("ma", "viewer", password="ma-password", must_change=False)
    c = app.test_client()
    r = c.post("/login", data={"name": "ma", "password": "ma-password", "next": target})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_next_keeps_a_local_path(secured):
    app, _ = secured
    store(app).add("ma", "viewer", password="ma-password", must_change=False)
    r = app.test_client().post("/login", data={"name": "ma", "password": "ma-password",
                                               "next": "/map/day_care?county=420325"})
    assert r.headers["Location"] == "/map/day_care?county=420325"


def test_password_change_or_disable_ends_sessions(secured):
    app, _ = secured
    s = store(app)
    s.add("sun", "planner", password="sun-password", must_change=False)
    c = app.test_client()
    assert login(c, "sun", "sun-password").status_code == 200
    assert c.get("/api/types").status_code == 200
    s.set_password("sun", "sun-password-2")
    assert c.get("/api/types").status_code == 401
    assert login(c, "sun", "sun-password-2").status_code == 200
    s.update("sun", disabled=True)
    assert c.get("/api/types").status_code == 401
    assert login(c, "sun", "sun-password-2").status_code == 401


def test_secret_key_kept_beside_the_database(tmp_path):
    a = make_app(tmp_path)
    key = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    b = make_app(tmp_path)
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"] == key.read_text().strip()
    assert len(a.config["SECRET_KEY"]) >= 32
    other = make_app(tmp_path / "elsewhere")
    assert other.config["SECRET_KEY"] != a.config["SECRET_KEY"]


def test_session_survives_a_restart(tmp_path, capsys):
    app = make_app(tmp_path, AUTH="required")
    store(app).add("he", "viewer", password="he-password", must_change=False)
    c = app.test_client()
    assert login(c, "he", "he-password").status_code == 200
    cookie = c.get_cookie("session")
    again = make_app(tmp_path, AUTH="required")  # a restart: same database, same key file
    c2 = again.test_client()
    c2.set_cookie("session", cookie.value)
    assert c2.get("/api/types").status_code == 200


def test_admin_api_users_and_audit(secured):
    app, _ = secured
    s = store(app)
    s.add("boss", "admin", password="boss-password", must_change=False)
    s.add("viewer1", "viewer", password="viewer-password", must_change=False)
    v = app.test_client()
    login(v, "viewer1", "viewer-password")
    assert v.get("/admin").status_code == 403
    assert v.get("/api/admin/users").status_code == 403
    assert v.post("/api/admin/users", json={"name": "x", "role": "admin"}).status_code == 403
    c = app.test_client()
    assert login(c, "boss", "boss-password").status_code == 200
    assert c.get("/admin").status_code == 200
    r = c.post("/api/admin/users", json={"name": "zhou", "role": "planner", "county": "420323"})
    assert r.status_code == 201
    pw = r.get_json()["password"]
    assert len(pw) >= 12 and r.get_json()["user"]["must_change"] is True
    assert c.post("/api/admin/users", json={"name": "zhou", "role": "planner"}).status_code == 400
    assert c.post("/api/admin/users", json={"name": "q", "role": "planner", "county": "999999"}).status_code == 400
    assert c.post("/api/admin/users", json={"name": "q", "role": "god"}).status_code == 400
    r = c.patch("/api/admin/users/zhou", json={"county": "420325"})
    assert r.get_json()["user"]["county"] == "420325"
    r = c.patch("/api/admin/users/zhou", json={"disabled": True})
    assert r.get_json()["user"]["disabled"] is True
    assert c.patch("/api/admin/users/boss", json={"disabled": True}).status_code == 400  # not oneself
    r = c.post("/api/admin/users/zhou/reset")
    assert r.get_json()["password"] and r.get_json()["password"] != pw
    users = {u["name"]: u for u in c.get("/api/admin/users").get_json()}
    assert users["zhou"]["county_name"] == "房县"
    audit = c.get("/api/admin/audit?limit=100").get_json()
    acts = [(a["action"], a["object"]) for a in audit["rows"]]
    for want in [("user_added", "zhou"), ("user_changed", "zhou"), ("user_disabled", "zhou"), ("password_reset", "zhou")]:
        assert want in acts
    assert all(a["user"] == "boss" for a in audit["rows"] if a["object"] == "zhou")
    page = c.get("/api/admin/audit?action=user_added&limit=1").get_json()
    assert page["total"] >= 2 and len(page["rows"]) == 1 and page["rows"][0]["action_text"] == "新增用户"
    nxt = c.get("/api/admin/audit?action=user_added&limit=1&offset=1").get_json()
    assert nxt["rows"][0]["id"] != page["rows"][0]["id"]
    assert c.get("/api/admin/audit?q=zhou").get_json()["total"] >= 4
    assert c.get("/api/admin/audit?q=%25").get_json()["total"] == 0  # LIKE wildcards are literal


def test_last_admin_cannot_be_removed(tmp_path):
    s = users_mod.UserStore(tmp_path / "u.sqlite")
    s.add("a", "admin", password="a-password")
    with pytest.raises(users_mod.AccountError):
        s.update("a", role="viewer")
    with pytest.raises(users_mod.AccountError):
        s.update("a", disabled=True)
    s.add("b", "admin", password="b-password")
    assert s.update("a", role="viewer").role == "viewer"


def test_passwords_are_hashed(tmp_path):
    import sqlite3
    s = users_mod.UserStore(tmp_path / "u.sqlite")
    s.add("a", "viewer", password="plain-secret-1")
    raw = sqlite3.connect(tmp_path / "u.sqlite").execute("SELECT pw_hash FROM users").fetchone()[0]
    assert "plain-secret-1" not in raw and raw.startswith(("scrypt:", "pbkdf2:"))


def test_the_network_size_limit_is_for_network_uploads_by_city_accounts_only(secured):
    """?kind=network raised the body limit to the network's for any upload, even a county planner's
    facility register (QA 14): a county planner is refused before the body is read, and a city account
    must upload a network under it."""
    import io

    app, _ = secured
    app.config.update(MAX_CONTENT_LENGTH=2**20, MAX_NETWORK_UPLOAD=8 * 2**20)
    store(app).add("wang", "planner", "420325", password="wang-password", must_change=False)
    store(app).add("city", "planner", password="city-password", must_change=False)
    big = b"name,lon,lat\n" + b"x,110.8,32.6\n" * (3 * 2**20 // 13)   # 3 MB: over the 1 MB limit
    county = app.test_client()
    assert login(county, "wang", "wang-password").status_code == 200
    r = county.post("/api/data/uploads?kind=network", content_type="multipart/form-data",
                    data={"kind": "facilities", "file": (io.BytesIO(big), "homes.csv")})
    assert r.status_code == 403 and "市级" in r.get_json()["message_zh"]
    r = county.post("/api/data/uploads", content_type="multipart/form-data",
                    data={"kind": "facilities", "file": (io.BytesIO(big), "homes.csv")})
    assert r.status_code == 413
    city = app.test_client()
    assert login(city, "city", "city-password").status_code == 200
    r = city.post("/api/data/uploads?kind=network", content_type="multipart/form-data",
                  data={"kind": "facilities", "file": (io.BytesIO(big), "homes.csv")})
    body = r.get_json()
    assert r.status_code == 400 and "kind=network" in body["message_en"] and "kind=network" in body["message_zh"]
    from pathlib import Path
    assert not any((Path(app.config["DATA_DIR"]) / "uploads").glob("*/src/*"))  # nothing kept


def test_logout_ends_the_login_on_the_server_and_only_that_one(secured):
    """Logging out only cleared the browser's cookie: a copy of it still read and changed data
    (QA 15). Now the server forgets that login; the person's other logins go on."""
    app, _ = secured
    store(app).add("zhao", "planner", password="zhao-password", must_change=False)
    a, b = app.test_client(), app.test_client()
    for c in (a, b):
        assert c.post("/login", json={"name": "zhao", "password": "zhao-password"}).status_code == 200
    kept = a.get_cookie("session").value  # what a copy of the cookie would hold
    assert a.post("/logout").status_code == 302
    copy = app.test_client()
    copy.set_cookie("session", kept)
    assert copy.get("/api/me").status_code == 401
    assert copy.get("/api/types").status_code == 401
    assert b.get("/api/me").status_code == 200  # the other login (another tab, another computer) stays
    # a password change ends the other logins but not the one that made it
    assert b.post("/account/password", json={"current": "zhao-password", "new": "zhao-password-2",
                                             "again": "zhao-password-2"}).status_code == 200
    assert b.get("/api/me").status_code == 200
    c = app.test_client()
    assert c.post("/login", json={"name": "zhao", "password": "zhao-password-2"}).status_code == 200
    assert c.get("/api/me").status_code == 200


def test_a_login_over_another_ends_the_first(secured):
    app, _ = secured
    store(app).add("qian", "viewer", password="qian-password", must_change=False)
    store(app).add("sun", "viewer", password="sun-password", must_change=False)
    c = app.test_client()
    assert c.post("/login", json={"name": "qian", "password": "qian-password"}).status_code == 200
    kept = c.get_cookie("session").value
    assert c.post("/login", json={"name": "sun", "password": "sun-password"}).status_code == 200
    assert c.get("/api/me").get_json()["name"] == "sun"
    copy = app.test_client()
    copy.set_cookie("session", kept)
    assert copy.get("/api/me").status_code == 401
