"""QA sweep 21 (hostile client), accounts and the security layer:

1. two admins demoting or disabling each other at the same moment both succeeded, leaving no active
   admin: the rule "the last active admin stays" is now checked and written in one write transaction;
2. a password change, a new account's password and a script's login took a list, a number or null
   as the text of it (``str(["abcdefgh1"])`` became the password): 400 naming the field;
3. "web", "local" (and the app's other placeholder names) could be given to real accounts;
4. passwords nobody can type (spaces only, zero-width spaces, control characters, several lines
   piped to ``--password-stdin``) were set;
5. the CSRF, Origin and Host refusals ignored Accept-Language, and an empty Host was named
   "waitress.invalid";
6. the open server's author header X-Coverplan-User was stored garbled (UTF-8 read as latin-1) and
   kept text-direction controls.
"""
from __future__ import annotations

import io
import sys
import threading
import time

import pytest
from conftest import plain_client

from accounts import PW, accounts_app, signed_in
from web.app import create_app
from web.users import AccountError, UserStore, check_name, check_password


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa21acc"),
                       (("boss", "admin", None), ("boss2", "admin", None), ("li", "viewer", None),
                        ("wang", "planner", None)))
    store_of(app).update("admin", disabled=True)  # the first start's admin: boss and boss2 are the admins
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def store_of(app) -> UserStore:
    return app.extensions["coverplan"]["users"]


def active_admins(store: UserStore) -> list[str]:
    return sorted(u.name for u in store.list() if u.role == "admin" and not u.disabled)


@pytest.fixture()
def slow_check(monkeypatch):
    """The count of the other active admins takes a while (a busy disk): two changes at once both
    counted before either wrote, and both went through."""
    original = UserStore._active_admins

    def slow(self, *args, **kwargs):
        n = original(self, *args, **kwargs)
        time.sleep(0.15)
        return n

    monkeypatch.setattr(UserStore, "_active_admins", slow)


def at_once(*calls):
    """Run the calls in threads released together; each one's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            out[i] = call()
        except Exception as exc:  # noqa: BLE001 - the refusal is the result looked at
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


# -- 1. the last active admin stays, also when two admins act at the same moment --------------------
@pytest.mark.parametrize("change", [{"disabled": True}, {"role": "viewer"}, {"role": "planner"}])
def test_two_admins_removing_each_other_at_once_leave_one_admin(tmp_path, slow_check, change):
    store = UserStore(tmp_path / "u.sqlite")
    store.add("a1", "admin", password=PW, must_change=False)
    store.add("a2", "admin", password=PW, must_change=False)
    for _ in range(4):
        results = at_once(lambda: store.update("a1", **change), lambda: store.update("a2", **change))
        refused = [r for r in results if isinstance(r, AccountError)]
        done = [r for r in results if not isinstance(r, Exception)]
        assert len(done) == 1 and len(refused) == 1, results
        assert refused[0].code == "last_admin" and "last active admin" in refused[0].en
        assert "最后一个有效的管理员" in refused[0].zh
        assert len(active_admins(store)) == 1
        # put the other one back for the next round
        store.update(done[0].name, role="admin", disabled=False) if "role" in change else \
            store.update(done[0].name, disabled=False)
        assert active_admins(store) == ["a1", "a2"]


def test_the_same_holds_without_a_slow_disk(tmp_path):
    store = UserStore(tmp_path / "u.sqlite")
    store.add("a1", "admin", password=PW, must_change=False)
    store.add("a2", "admin", password=PW, must_change=False)
    for _ in range(10):
        at_once(lambda: store.update("a1", disabled=True), lambda: store.update("a2", disabled=True))
        assert len(active_admins(store)) == 1
        for name in ("a1", "a2"):
            if store.by_name(name).disabled:
                store.update(name, disabled=False)


def test_two_admins_demoting_each_other_through_the_api(app, slow_check):
    a, b = signed_in(app, "boss"), signed_in(app, "boss2")
    for _ in range(3):
        r1, r2 = at_once(lambda: a.patch("/api/admin/users/boss2?lang=en", json={"role": "viewer"}),
                         lambda: b.patch("/api/admin/users/boss?lang=en", json={"role": "viewer"}))
        codes = sorted((r1.status_code, r2.status_code))
        assert codes == [200, 400], (r1.get_json(), r2.get_json())
        refused = r1 if r1.status_code == 400 else r2
        assert refused.get_json()["code"] == "last_admin"
        assert refused.get_json()["message"] == "This is the last active admin: make another admin first."
        assert len(active_admins(store_of(app))) == 1
        # the admin left promotes the other again
        winner, loser = (a, "boss2") if r1.status_code == 200 else (b, "boss")
        assert winner.patch(f"/api/admin/users/{loser}", json={"role": "admin"}).status_code == 200
    assert active_admins(store_of(app)) == ["boss", "boss2"]


# -- 2. values that are not text ----------------------------------------------------------------------
@pytest.mark.parametrize("value", [["abcdefgh1"], 123456789, {"a": "abcdefgh1"}, True, None])
def test_a_password_change_refuses_values_that_are_not_text(tmp_path, value):
    app = accounts_app(tmp_path, (("zhao", "planner", None),))
    try:
        c = signed_in(app, "zhao")
        for lang, said in (("en", "The field new (new password) must be text"), ("zh", "字段 new（新密码）须为文本")):
            r = c.post("/account/password", json={"current": PW, "new": value, "again": value},
                       headers={"Accept-Language": lang})
            assert r.status_code == 400, r.get_data(as_text=True)
            body = r.get_json()
            assert body["details"] == {"field": "new"} and body["message"].startswith(said), body
        users = store_of(app)
        assert users.verify(users.by_name("zhao").id, PW)  # unchanged
        assert not users.verify(users.by_name("zhao").id, str(value))
        # the current password given as a list: refused by its name, and not counted as a wrong one
        for _ in range(6):
            r = c.post("/account/password", json={"current": [PW], "new": "abcdefgh1", "again": "abcdefgh1"})
            assert r.status_code == 400 and r.get_json()["details"] == {"field": "current"}
        r = c.post("/account/password", json={"current": PW, "new": "abcdefgh1"})  # "again" left out
        assert r.status_code == 400 and r.get_json()["details"] == {"field": "again"}
        assert "again" in r.get_json()["message_en"] and "missing" in r.get_json()["message_en"]
        # text still works, and so does the page's form
        r = c.post("/account/password", json={"current": PW, "new": "abcdefgh1", "again": "abcdefgh1"})
        assert r.status_code == 200, r.get_json()
        c2 = signed_in_with(app, "zhao", "abcdefgh1")
        r = c2.post("/account/password", data={"current": "abcdefgh1", "new": "abcdefgh2", "again": "abcdefgh2"})
        assert r.status_code == 302 and users.verify(users.by_name("zhao").id, "abcdefgh2")
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def signed_in_with(app, name, password):
    c = app.test_client()
    assert c.post("/login", json={"name": name, "password": password}).status_code == 200
    return c


@pytest.mark.parametrize("value, shown", [(12345678, "12345678"), (["abcdefgh1"], '["abcdefgh1"]'),
                                          (False, "false"), ({"p": 1}, '{"p": 1}')])
def test_a_new_accounts_password_must_be_text(app, value, shown):
    c = signed_in(app, "boss")
    r = c.post("/api/admin/users", json={"name": "newbie", "role": "viewer", "password": value},
               headers={"Accept-Language": "en"})
    assert r.status_code == 400
    body = r.get_json()
    assert body["details"] == {"field": "password"}
    assert body["message"] == f"A password is text, in quotes (got {shown})."
    assert body["message_zh"] == f"密码须为文本（带引号的字符串），收到 {shown}。"
    assert store_of(app).by_name("newbie") is None
    # a name that is not text is said so too
    r = c.post("/api/admin/users", json={"name": 123, "role": "viewer"})
    assert r.status_code == 400 and "用户名须为文本" in r.get_json()["message"]


@pytest.mark.parametrize("kwargs, field", [
    ({"data": "null", "content_type": "application/json"}, "body"),
    ({"data": '{"name": "boss", "password": "x"}', "content_type": "text/plain"}, "body"),
    ({"json": {"name": ["boss"], "password": PW}}, "name"),
    ({"json": {"name": "boss"}}, "password"),
    ({"json": {"name": "boss", "password": None}}, "password"),
    ({"json": {"name": "boss", "password": 12345678}}, "password"),
    ({"json": {"password": PW}}, "name"),
])
def test_a_scripts_login_with_a_wrong_body_is_a_json_400_naming_the_field(app, kwargs, field):
    c = app.test_client()
    r = c.post("/login", headers={"Accept-Language": "en"}, **kwargs)
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
    assert r.is_json, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert (body["details"].get("field") or body["details"].get("parameter")) == field, body
    if field != "body":
        assert field in body["message"] and "Wrong user name" not in body["message"]
        assert body["message"] == body["message_en"]  # Accept-Language: en


def test_the_browsers_login_form_still_works(app):
    c = app.test_client()
    bad = c.post("/login", data={"name": "li", "password": "wrong-password"})
    assert bad.status_code == 401 and bad.mimetype == "text/html"
    empty = c.post("/login", data={"name": "", "password": ""})
    assert empty.status_code == 401 and empty.mimetype == "text/html"
    ok = c.post("/login", data={"name": "li", "password": PW, "next": "/admin"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/admin")
    assert c.get("/api/me").get_json()["name"] == "li"


# -- 3. reserved names -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["web", "WEB", "local", "Local", "coverplan", "unknown"])
def test_placeholder_names_are_reserved(app, name):
    with pytest.raises(AccountError) as exc:
        check_name(name)
    assert exc.value.code == "name" and "reserved" in exc.value.en and "保留" in exc.value.zh
    c = signed_in(app, "boss")
    r = c.post("/api/admin/users", json={"name": name, "role": "admin"}, headers={"Accept-Language": "en"})
    assert r.status_code == 400 and r.get_json()["details"] == {"field": "name"}
    assert r.get_json()["message"].startswith(f'The name "{name}" is reserved')
    assert store_of(app).by_name(name) is None
    assert check_name("webster") == "webster" and check_name("locals") == "locals"


def test_cli_refuses_the_reserved_names(tmp_path, capsys):
    from cli.main import main

    db = str(tmp_path / "p.sqlite")
    assert main(["users", "add", "local", "--role", "admin", "--db", db]) == 2
    assert "保留" in capsys.readouterr().err
    assert main(["--lang", "en", "users", "add", "Web", "--role", "viewer", "--db", db]) == 2
    assert "is reserved" in capsys.readouterr().err
    assert UserStore(db).list() == []


# -- 4. passwords nobody can type --------------------------------------------------------------------
UNTYPABLE = [" " * 8, "\u200b" * 8, "\u3000" * 8, " \u200b\u2028\ufeff    ", "abcdefgh\x00", "abc\tdefgh",
             "abcdefgh\n", "abcd\x1bdefgh", "abcdefgh\x7f", "abcdefgh\x85"]


@pytest.mark.parametrize("password", UNTYPABLE)
def test_passwords_nobody_can_type_are_refused(app, password):
    with pytest.raises(AccountError) as exc:
        check_password(password)
    assert exc.value.code == "password"
    assert ("control characters" in exc.value.en or "spaces or invisible" in exc.value.en), exc.value.en
    c = signed_in(app, "boss")
    r = c.post("/api/admin/users", json={"name": "typist", "role": "viewer", "password": password})
    assert r.status_code == 400 and r.get_json()["details"] == {"field": "password"}
    assert store_of(app).by_name("typist") is None


def test_a_password_with_spaces_inside_is_still_fine():
    for ok in ("pass phrase words", "  padded password  ", "密码密码密码密码", "emoji\u200dpass"):
        assert check_password(ok) == ok


def test_password_change_refuses_an_invisible_password(tmp_path):
    app = accounts_app(tmp_path, (("qian", "planner", None),))
    try:
        c = signed_in(app, "qian")
        r = c.post("/account/password?lang=en", json={"current": PW, "new": "\u200b" * 8, "again": "\u200b" * 8})
        assert r.status_code == 400 and "spaces or invisible characters" in r.get_json()["message"]
        users = store_of(app)
        assert users.verify(users.by_name("qian").id, PW)
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def cli(capsys, monkeypatch, stdin, *argv):
    from cli.main import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_refuses_untypable_and_multi_line_passwords(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "p.sqlite")
    for stdin in (" " * 8 + "\n", "\u200b" * 8 + "\n", "abc\x00defgh\n"):
        code, _, err = cli(capsys, monkeypatch, stdin, "--lang", "en", "users", "add", "sun", "--role", "viewer",
                           "--password-stdin", "--db", db)
        assert code == 2 and ("control characters" in err or "spaces or invisible" in err), err
    assert UserStore(db).by_name("sun") is None
    # several lines: only the first was taken, silently
    code, _, err = cli(capsys, monkeypatch, "first-password\nsecond-line\n", "--lang", "en", "users", "add", "sun",
                       "--role", "viewer", "--password-stdin", "--db", db)
    assert code == 2 and "Standard input holds 2 lines" in err, err
    assert UserStore(db).by_name("sun") is None
    code, _, err = cli(capsys, monkeypatch, "first-password\n\n", "users", "add", "sun", "--role", "viewer",
                       "--password-stdin", "--db", db)
    assert code == 2 and "标准输入有 2 行" in err, err
    # one line, with or without its line ending (\n, \r\n), is the password
    for stdin, name in (("one-password\n", "sun"), ("two-password\r\n", "zhou"), ("three-password", "wu")):
        code, _, err = cli(capsys, monkeypatch, stdin, "users", "add", name, "--role", "viewer",
                           "--password-stdin", "--db", db)
        assert code == 0, err
        assert UserStore(db).authenticate(name, stdin.rstrip("\r\n")) is not None
    # passwd: the same rules
    code, _, err = cli(capsys, monkeypatch, "new-password\nmore\n", "users", "passwd", "sun", "--password-stdin",
                       "--db", db)
    assert code == 2 and "2 行" in err
    code, _, err = cli(capsys, monkeypatch, "        \n", "users", "passwd", "sun", "--password-stdin", "--db", db)
    assert code == 2 and "空格或不可见字符" in err
    assert UserStore(db).authenticate("sun", "one-password") is not None


# -- 5. the security layer speaks the request's language -----------------------------------------
@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa21csrf") / "p.sqlite"), "TESTING": True,
                      "WARM": False, "LANG": "zh"})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _no_token(c, **headers):
    return c.post("/api/data/rollback", json={"version": "x"}, headers=headers)


def test_csrf_origin_and_host_refusals_follow_accept_language(csrf_app):
    c = plain_client(csrf_app)
    token = c.get("/api/csrf").get_json()["token"]
    cases = {
        "CSRFTokenMissing": lambda **h: _no_token(c, **h),
        "CrossOrigin": lambda **h: _no_token(c, **{"X-CSRF-Token": token, "Origin": "http://evil.example", **h}),
        "HostNotAllowed": lambda **h: c.get("/api/region", headers={"Host": "evil.example", **h}),
    }
    for code, send in cases.items():
        en = send(**{"Accept-Language": "en-US,en;q=0.9"}).get_json()
        assert en["error"] == code and en["message"] == en["message_en"], en
        zh = send(**{"Accept-Language": "zh-CN,zh;q=0.9"}).get_json()
        assert zh["message"] == zh["message_zh"], zh
        assert send().get_json()["message"] == zh["message_zh"]  # no preference: the server's language
    # ?lang= and the language cookie still win over the browser's preference
    assert _no_token(c, **{"Accept-Language": "en"}).get_json()["message"].startswith("Refused")
    r = c.post("/api/data/rollback?lang=zh", json={"version": "x"}, headers={"Accept-Language": "en"})
    assert r.get_json()["message"].startswith("已拒绝")
    from planner.i18n import COOKIE

    c.set_cookie(COOKIE, "zh")
    assert _no_token(c, **{"Accept-Language": "en"}).get_json()["message"].startswith("已拒绝")


def test_a_refused_page_puts_the_readers_language_first(csrf_app):
    c = plain_client(csrf_app)
    r = c.post("/logout", data={"x": "1"}, headers={"Accept-Language": "en"})
    assert r.status_code == 403 and r.mimetype == "text/html"
    # QA 24: the app's own page (a stale form), in the reader's language only
    main = r.get_data(as_text=True).split("<main")[1].split("</main>")[0]
    assert "Refused" in main and "已拒绝" not in main


def test_an_empty_host_is_said_to_be_empty(csrf_app):
    c = plain_client(csrf_app)
    for environ in ({"HTTP_HOST": "", "SERVER_NAME": "waitress.invalid"}, {"HTTP_HOST": "  "}):
        r = c.get("/api/region?lang=en", environ_overrides=environ)
        body = r.get_json()
        assert r.status_code == 400 and body["error"] == "HostNotAllowed"
        assert "waitress.invalid" not in body["message_en"] + body["message_zh"]
        assert body["message"].startswith("The request's Host header is empty or missing")
        assert "Host 请求头为空或缺失" in body["message_zh"]


# -- 6. the open server's author header --------------------------------------------------------------
@pytest.fixture(scope="module")
def open_app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa21open") / "p.sqlite"), "TESTING": True,
                      "WARM": False, "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _wire(text: str) -> str:
    """A header value as a WSGI server hands it over: the UTF-8 bytes read as latin-1."""
    return text.encode("utf-8").decode("latin-1")


def _site_edit(c, shiyan, name, **headers):
    v = shiyan.villages
    p = v[v["county_code"] == "420322"].geometry.iloc[0]
    return c.post("/api/data/edits", json={"action": "add_site", "type": "day_care", "name": name,
                                           "lon": p.x, "lat": p.y}, headers=headers)


def _latest_author(c):
    versions = c.get("/api/data/versions").get_json()["versions"]
    return max(versions, key=lambda v: v["version"])["author"]


def test_the_author_header_is_read_as_utf8(open_app, shiyan):
    assert not open_app.config["AUTH_REQUIRED"]
    c = open_app.test_client()
    r = _site_edit(c, shiyan, "S张", **{"X-Coverplan-User": _wire("张三")})
    assert r.status_code == 200, r.get_json()
    assert _latest_author(c) == "张三"
    r = _site_edit(c, shiyan, "S李", **{"X-Coverplan-User": _wire("  李四 ")})
    assert r.status_code == 200 and _latest_author(c) == "李四"
    r = _site_edit(c, shiyan, "S-ascii", **{"X-Coverplan-User": "wang"})
    assert r.status_code == 200 and _latest_author(c) == "wang"


@pytest.mark.parametrize("value, said_en, said_zh", [
    (_wire("\u202eabc"), "text-direction control", "文字方向控制符"),
    (_wire("ab\u200bc"), "invisible formatting character", "不可见的格式字符"),
    ("ab\x01c", "control character", "控制字符"),
    ("Jos\xe9", "not UTF-8 text", "不是 UTF-8 文本"),
])
def test_a_bad_author_header_is_a_400_naming_it(open_app, shiyan, value, said_en, said_zh):
    c = open_app.test_client()
    before = c.get("/api/data/versions").get_json()["versions"]
    r = _site_edit(c, shiyan, "S-bad", **{"X-Coverplan-User": value, "Accept-Language": "en"})
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert body["details"]["parameter"] == "X-Coverplan-User"
    assert "X-Coverplan-User" in body["message"] and said_en in body["message"] and said_zh in body["message_zh"]
    assert "\u202e" not in body["message_en"] + body["message_zh"]
    assert c.get("/api/data/versions").get_json()["versions"] == before  # nothing saved
    # a page (GET) with the header is not refused: nothing is written by it
    assert c.get("/api/data/versions", headers={"X-Coverplan-User": value}).status_code == 200
