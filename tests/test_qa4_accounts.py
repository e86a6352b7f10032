"""QA sweep 4, accounts: PATCH validates like POST (a county only for planners, no unknown
fields), refused values are quoted as sent (no Python reprs), the audit log and the county
names speak the page's language, a JSON body with the wrong Content-Type is told so, and the
login lockout holds per name and client address.

CSRF is off here: these tests are about what the account endpoints answer.
"""
from __future__ import annotations

import re

import pytest

from accounts import PW, accounts_app, signed_in
from web.app import create_app
from web import users as users_mod

FANG = "420325"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa4acc"),
                       (("boss", "admin", None), ("li", "viewer", None), ("fangp", "planner", FANG)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def as_user(app, name, addr="127.0.0.1"):
    return signed_in(app, name, addr)


def user_row(app, name):
    return app.extensions["coverplan"]["users"].by_name(name)


# -- 21c, 21d: PATCH checks what POST checks, and refuses what it does not know ----------------
def test_patch_refuses_a_county_for_a_viewer_like_create_does(app):
    c = as_user(app, "boss")
    create = c.post("/api/admin/users", json={"name": "wu", "role": "viewer", "county": FANG})
    patch = c.patch("/api/admin/users/li", json={"county": FANG})
    assert create.status_code == 400 and patch.status_code == 400
    assert patch.get_json()["message_zh"] == create.get_json()["message_zh"]
    assert patch.get_json()["message_en"] == create.get_json()["message_en"]
    assert "只有规划人员可限定县区" in patch.get_json()["message_zh"]
    assert user_row(app, "li").county is None and user_row(app, "li").role == "viewer"
    # role and county together: the role that will hold decides
    assert c.patch("/api/admin/users/li", json={"role": "admin", "county": FANG}).status_code == 400
    assert user_row(app, "li").role == "viewer"
    # the admin page's own save (county null for a non-planner) still works; one that changes
    # nothing is told so (QA 20)
    same = c.patch("/api/admin/users/li", json={"role": "viewer", "county": None})
    assert same.status_code == 400 and same.get_json()["message_en"].startswith("Nothing to change")
    # a planner made viewer without naming a county loses his county (nothing asked, nothing refused)
    users = app.extensions["coverplan"]["users"]
    users.add("tmp_v", "viewer", None, password=PW, must_change=False)
    assert c.patch("/api/admin/users/tmp_v", json={"role": "admin", "county": None}).status_code == 200
    users.add("tmp_p", "planner", FANG, password=PW, must_change=False)
    r = c.patch("/api/admin/users/tmp_p", json={"role": "viewer"})
    assert r.status_code == 200 and r.get_json()["user"]["county"] is None


def test_patch_refuses_unknown_fields_naming_them(app):
    c = as_user(app, "boss")
    r = c.patch("/api/admin/users/li", json={"bogus": 1})
    assert r.status_code == 400
    body = r.get_json()
    for text in (body["message_zh"], body["message_en"]):
        assert '"bogus"' in text and "role" in text and "county" in text and "disabled" in text
    # a known field beside an unknown one changes nothing either
    r = c.patch("/api/admin/users/li", json={"role": "planner", "passwrd": "x"})
    assert r.status_code == 400 and user_row(app, "li").role == "viewer"


# -- 21e: refused values quoted as sent -----------------------------------------------------------
@pytest.mark.parametrize("role, shown", [({"a": [1]}, '{"a": [1]}'), ("boss", '"boss"'), (True, "true"), (7, "7")])
def test_refused_role_is_quoted_as_sent(app, role, shown):
    c = as_user(app, "boss")
    for r in (c.post("/api/admin/users", json={"name": "wu2", "role": role}),
              c.patch("/api/admin/users/li", json={"role": role})):
        assert r.status_code == 400
        body = r.get_json()
        assert shown in body["message_zh"] and shown in body["message_en"]
        assert "'" not in body["message_zh"] and "'a'" not in body["message_en"]


def test_refused_county_is_quoted_as_sent(app):
    c = as_user(app, "boss")
    r = c.patch("/api/admin/users/fangp", json={"county": ["x"]})
    assert r.status_code == 400 and '["x"]' in r.get_json()["message_zh"] and "['x']" not in r.get_json()["message_zh"]
    r = c.patch("/api/admin/users/fangp", json={"county": "nowhere"})
    assert r.status_code == 400 and '"nowhere"' in r.get_json()["message_en"]


# -- 24: a JSON body with the wrong Content-Type --------------------------------------------------
@pytest.mark.parametrize("url, method", [("/api/admin/users/li", "patch"), ("/api/data/edits", "post"),
                                         ("/api/data/rollback", "post")])
def test_json_sent_as_text_plain_is_told_to_use_the_header(app, url, method):
    c = as_user(app, "boss")
    r = getattr(c, method)(url, data='{"role": "viewer"}', content_type="text/plain")
    assert r.status_code == 400
    body = r.get_json()
    assert "Content-Type: application/json" in body["message_en"] and "text/plain" in body["message_en"]
    assert "Content-Type: application/json" in body["message_zh"] and "JSON" in body["message_zh"]
    assert "无效" not in body["message_zh"] and "valid JSON" not in body["message_en"]


def test_json_endpoint_posted_as_a_form_is_told_to_use_json(app):
    c = as_user(app, "boss")
    r = c.post("/api/data/edits", data={"action": "add", "type": "cemetery"})
    assert r.status_code == 400
    assert "application/x-www-form-urlencoded" in r.get_json()["message_en"]
    assert "Content-Type: application/json" in r.get_json()["message_zh"]
    # broken JSON that is labelled JSON is still "invalid JSON"
    r = c.post("/api/data/edits", data="{broken", content_type="application/json")
    assert r.status_code == 400 and "有效的 JSON" in r.get_json()["message_zh"]


# -- 21a, 21b: the admin page in the page's language ----------------------------------------------
def test_audit_rows_are_worded_in_the_pages_language(app):
    users = app.extensions["coverplan"]["users"]
    users.audit("user_added", user_name="(server start)", obj="admin", detail={"role": "admin", "first_admin": True})
    c = as_user(app, "boss")
    assert c.patch("/api/admin/users/li", json={"role": "planner", "county": FANG}).status_code == 200
    zh = c.get("/api/admin/audit?lang=zh&limit=500").get_json()["rows"]
    en = c.get("/api/admin/audit?lang=en&limit=500").get_json()["rows"]
    start_zh = next(r for r in zh if r["user"] == "(server start)")
    start_en = next(r for r in en if r["user"] == "(server start)")
    assert start_zh["user_text"] == "服务启动" and start_en["user_text"] == "server start"
    assert "管理员" in start_zh["detail_text"] and "first_admin" not in start_zh["detail_text"]
    assert "administrator" in start_en["detail_text"] and "=" not in start_en["detail_text"]
    changed_zh = next(r for r in zh if r["action"] == "user_changed" and r["object"] == "li")
    changed_en = next(r for r in en if r["action"] == "user_changed" and r["object"] == "li")
    assert "规划人员" in changed_zh["detail_text"] and "房县（420325）" in changed_zh["detail_text"]
    assert "查看者" in changed_zh["detail_text"]  # what it was
    assert "Fang County (420325)" in changed_en["detail_text"] and "房县" not in changed_en["detail_text"]
    assert "planner" in changed_en["detail_text"] and "viewer" in changed_en["detail_text"]
    for r in zh + en:
        assert not re.search(r"\w+=", r["detail_text"]), r  # never key=value
    # the raw values stay for scripts
    assert start_en["detail"] == {"role": "admin", "first_admin": True}


def test_admin_page_lists_counties_in_the_pages_language(app):
    c = as_user(app, "boss")
    en = c.get("/admin?lang=en").get_data(as_text=True)
    zh = c.get("/admin?lang=zh").get_data(as_text=True)
    assert re.search(r'<option value="420302">Maojian District \(420302\)</option>', en)
    assert "茅箭区" not in en
    assert '<option value="420302">茅箭区（420302）</option>' in zh
    rows = {u["name"]: u for u in c.get("/api/admin/users?lang=en").get_json()}
    assert rows["fangp"]["county_name"] == "Fang County"
    rows = {u["name"]: u for u in c.get("/api/admin/users?lang=zh").get_json()}
    assert rows["fangp"]["county_name"] == "房县"


# -- 30: the lockout is per name and client address -------------------------------------------------
def test_wrong_passwords_from_elsewhere_do_not_lock_out_the_real_admin(app):
    users = app.extensions["coverplan"]["users"]
    users.add("chief", "admin", None, password=PW, must_change=False)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    codes = [attacker.post("/login", json={"name": "chief", "password": f"guess{i}"}).status_code for i in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    # the attacker stays locked, even with the right password
    assert attacker.post("/login", json={"name": "chief", "password": PW}).status_code == 429
    # the admin at his own desk logs in
    as_user(app, "chief", addr="10.1.2.3")
    # a reset ends every lock of the name
    users.set_password("chief", PW)
    assert attacker.post("/login", json={"name": "chief", "password": PW}).status_code == 200


def test_store_lockout_keys_on_the_client(tmp_path):
    s = users_mod.UserStore(tmp_path / "u.sqlite")
    s.add("Li", "viewer", password="li-password", must_change=False)
    t0 = 1_000_000.0
    for i in range(4):
        assert s.authenticate("li", "x", now=t0 + i, client="198.51.100.1") is None
    with pytest.raises(users_mod.Locked):
        s.authenticate("li", "x", now=t0 + 5, client="198.51.100.1")
    with pytest.raises(users_mod.Locked):
        s.authenticate("LI", "li-password", now=t0 + 6, client="198.51.100.1")  # names are case-blind
    assert s.authenticate("li", "li-password", now=t0 + 6, client="198.51.100.2").name == "Li"
    s.set_password("Li", "li-password-2")
    assert s.authenticate("li", "li-password-2", now=t0 + 7, client="198.51.100.1").name == "Li"


def test_audit_says_what_changed_and_who_in_open_mode(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "AUTH": "open", "CSRF_ENABLED": False})
    try:
        c = app.test_client()
        # no account is added through the page of a server that asks for no login (409 OpenMode, QA 20):
        # it is prepared with `coverplan users add`, as here
        assert c.post("/api/admin/users", json={"name": "zs", "role": "planner", "county": FANG}).status_code == 409
        app.extensions["coverplan"]["users"].add("zs", "planner", FANG, password="a-long-password-1",
                                                 must_change=False)
        assert c.patch("/api/admin/users/zs", json={"county": "420302"}).status_code == 200
        rows = c.get("/api/admin/audit?lang=en").get_json()["rows"]
        changed = next(r for r in rows if r["action"] == "user_changed")
        assert changed["user_text"] == "local (no login)"
        # the role did not change: "was" names the county only
        assert changed["detail_text"].endswith("was county Fang County (420325)"), changed["detail_text"]
        zh = next(r for r in c.get("/api/admin/audit?lang=zh").get_json()["rows"] if r["action"] == "user_changed")
        assert zh["user_text"] == "本机（免登录）" and zh["detail_text"].endswith("原为 县区 房县（420325）")
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_disabled_must_be_a_boolean_and_says_what_came(app):
    c = as_user(app, "boss")
    r = c.patch("/api/admin/users/li", json={"disabled": "yes"})
    assert r.status_code == 400 and '"yes"' in r.get_json()["message_zh"] and "true" in r.get_json()["message_en"]
