"""QA 31: an account can be renamed (a mistyped name could only be disabled and made again, leaving its proposals
with the old account). The id stays: proposals, role, county and open sessions stay; the audit log keeps the
names its entries were made under and records the rename; a lock stays with the account."""
from __future__ import annotations

import json

import pytest

from accounts import PW, accounts_app, signed_in
from test_qa21_cli import run


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, [("boss", "admin", None), ("wang", "planner", "420325"), ("li", "viewer", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_a_rename_keeps_the_accounts_proposals_sessions_and_rights(app):
    wang = signed_in(app, "wang")
    saved = wang.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 1,
                                                      "county": "420325"})
    assert saved.status_code == 201, saved.data[:300]
    pid = saved.get_json()["proposal"]["id"]
    boss = signed_in(app, "boss")
    r = boss.patch("/api/admin/users/wang", json={"name": "王建国"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["user"]["name"] == "王建国" and r.get_json()["user"]["county"] == "420325"
    me = wang.get("/api/me").get_json()  # his open session goes on, under the new name
    assert me["name"] == "王建国" and me["role"] == "planner", me
    assert wang.get(f"/api/proposals/{pid}?lang=en").get_json()["owner_name"] == "王建国"
    listed = {p["id"]: p["owner_name"] for p in boss.get("/api/proposals").get_json()}
    assert listed[pid] == "王建国"
    # he edits his own proposal still; the old name no longer logs in, the new one does
    assert wang.patch(f"/api/proposals/{pid}", json={"note": "改名后"}).status_code == 200
    fresh = app.test_client()
    assert fresh.post("/login", json={"name": "wang", "password": PW}).status_code == 401
    assert fresh.post("/login", json={"name": "王建国", "password": PW}).status_code == 200
    # the audit log: older entries under the name they were made under, the rename said in words
    rows = boss.get("/api/admin/audit?lang=en").get_json()["rows"]
    ren = next(a for a in rows if a["action"] == "user_renamed")
    assert ren["object"] == "王建国" and ren["user"] == "boss" and "was named wang" in ren["detail_text"], ren
    assert any(a["action"] == "proposal_saved" and a["user"] == "wang" for a in rows)
    # filtered by his new name, his history under the old one is there too
    mine = boss.get("/api/admin/audit?user=王建国").get_json()["rows"]
    assert any(a["action"] == "proposal_saved" and a["user"] == "wang" for a in mine), mine
    zh = boss.get("/api/admin/audit?lang=zh").get_json()["rows"]
    assert any("原用户名 wang" in a["detail_text"] for a in zh if a["action"] == "user_renamed")


@pytest.mark.parametrize(("body", "code", "words"), [
    ({"name": "LI"}, "exists", "exists already"),           # another account's name, in another case
    ({"name": "ｌｉ"}, "name", "full-width"),                 # refused as a new account's name would be
    ({"name": "wang wang"}, "name", "space"),
    ({"name": 7}, "name", "text"),
    ({"name": "wang"}, "field", "already named"),            # its own name: nothing to change
    ({"name": "zhang", "role": "viewer"}, "field", "alone"),  # one change at a time
])
def test_a_rename_is_refused_with_the_reason(app, body, code, words):
    boss = signed_in(app, "boss")
    r = boss.patch("/api/admin/users/wang?lang=en", json=body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["code"] == code, r.get_json()
    msg = r.get_json()["message"]
    assert words in msg, msg
    # nothing changed (admin: the first administrator the server made at its start)
    assert {u["name"] for u in boss.get("/api/admin/users").get_json()} == {"admin", "boss", "wang", "li"}


def test_only_an_administrator_renames(app):
    for who in ("wang", "li"):
        r = signed_in(app, who).patch("/api/admin/users/li", json={"name": "li2"})
        assert r.status_code == 403, (who, r.status_code)
    assert app.extensions["coverplan"]["users"].by_name("li") is not None


def test_a_rename_does_not_lift_a_lock(app):
    users = app.extensions["coverplan"]["users"]
    c = app.test_client()
    for _ in range(12):
        c.post("/login", json={"name": "li", "password": "wrong-password"})
    assert any(x["name"] == "li" for x in users.locks())
    users.rename("li", "li_new")
    assert any(x["name"] == "li_new" for x in users.locks()) and not any(x["name"] == "li" for x in users.locks())
    assert app.test_client().post("/login", json={"name": "li_new", "password": PW}).status_code in (401, 429)


def test_the_cli_renames_and_says_so(app, capsys):
    db = app.config["DB_PATH"]
    code, out, err = run(capsys, "--lang", "en", "users", "rename", "WANG", "wang_jg", "--db", db)
    assert code == 0, err
    assert out.strip() == "Renamed user wang to wang_jg; the account's proposals, role, county and sessions stay."
    code, out, err = run(capsys, "users", "rename", "wang_jg", "boss", "--db", db, "--json")
    assert code == 2 and json.loads(out)["code"] == "exists", out
    code, out, err = run(capsys, "--lang", "zh", "users", "rename", "nobody", "x1", "--db", db)
    assert code == 2 and "没有名为" in err and "Traceback" not in err, err
    u = app.extensions["coverplan"]["users"].by_name("wang_jg")
    assert u is not None and u.county == "420325" and u.role == "planner"
    rows = app.extensions["coverplan"]["users"].audit_list(action="user_renamed")[1]
    assert rows[0]["object"] == "wang_jg" and rows[0]["detail"] == {"was": "wang"}, rows
