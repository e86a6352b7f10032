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
    ({"name": "LI"}, "exists", "existing account \"li\" written in other case"),  # another account's name
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


# -- the failure keys move as SQLite compares names; the row is read inside the rename's transaction ----------------
def test_a_rename_to_another_case_of_a_non_ascii_letter_keeps_the_lock(app):
    """Émile renamed émile: SQLite's NOCASE folds ASCII only, so failures typed as 'émile' were against no account;
    the guard compared with Python's case folding, kept them, and the moved rows hit them: "exists" (QA 31)."""
    from web.users import MAX_FAILURES, Locked

    users = app.extensions["coverplan"]["users"]
    users.add("Émile", "viewer", password=PW, must_change=False)
    for i in range(MAX_FAILURES):
        try:
            users.authenticate("Émile", "wrong-password", client="1.2.3.4")
        except Locked:
            assert i == MAX_FAILURES - 1
    for _ in range(2):  # the other case reads as the account (QA 33: a login folds case and accents), so it waits too
        with pytest.raises(Locked):
            users.authenticate("émile", "wrong-password", client="1.2.3.4")
    u = users.rename("Émile", "émile")
    assert u.name == "émile"
    mine = [x for x in users.locks() if x["name"] == "émile"]
    assert len(mine) == 1 and mine[0]["failures"] == MAX_FAILURES and mine[0]["address"] == "1.2.3.4", users.locks()
    with pytest.raises(Locked):  # the lock stayed: the right password from there waits
        users.authenticate("émile", PW, client="1.2.3.4")
    assert users.authenticate("émile", PW, client="5.6.7.8").id == u.id


def test_a_rename_moves_the_failures_of_the_name_the_account_has_now(app, monkeypatch):
    """The account was renamed meanwhile (another admin, the CLI): its name is read in the rename's own transaction,
    and a rename of the name it no longer has is refused (QA 34: it renamed the other admin's new name); its lock
    stays with the name it has now (the failures were orphaned once)."""
    from web.users import MAX_FAILURES, AccountError, Locked

    users = app.extensions["coverplan"]["users"]
    stale = users.find("li")
    users.rename("li", "li2")
    for _ in range(MAX_FAILURES):
        try:
            users.authenticate("li2", "wrong-password", client="1.2.3.4")
        except Locked:
            pass
    monkeypatch.setattr(users, "find", lambda name: stale)  # what this rename read before the other one
    with pytest.raises(AccountError) as e:
        users.rename("li", "li3")
    assert e.value.code == "unknown" and '"li2"' in e.value.en, e.value.en
    monkeypatch.undo()
    assert users.rename("li2", "li3").name == "li3"
    assert [x["name"] for x in users.locks()] == ["li3"], users.locks()
    with pytest.raises(Locked):
        users.authenticate("li3", PW, client="1.2.3.4")


# -- a renamed account's old name is not given to another ------------------------------------------------------
def test_an_old_name_cannot_be_taken_by_another_account(app, capsys):
    boss = signed_in(app, "boss")
    assert boss.patch("/api/admin/users/wang", json={"name": "王建国"}).status_code == 200
    for name in ("wang", "WANG"):
        r = boss.post("/api/admin/users?lang=en", json={"name": name, "role": "viewer"})
        assert r.status_code == 400 and r.get_json()["code"] == "exists", r.get_json()
        msg = r.get_json()["message"]
        assert "now named \"王建国\"" in msg and "until its rename on 20" in msg, msg
    r = boss.patch("/api/admin/users/li?lang=zh", json={"name": "wang"})
    assert r.status_code == 400 and "改名" in r.get_json()["message"] and "王建国" in r.get_json()["message"]
    db = app.config["DB_PATH"]
    code, out, err = run(capsys, "--lang", "en", "users", "add", "Wang", "--role", "viewer", "--db", db)
    assert code == 2 and "王建国" in err and "Traceback" not in err, err
    assert {u["name"] for u in boss.get("/api/admin/users").get_json()} == {"admin", "boss", "王建国", "li"}
    # the account itself takes it back (a rename undone), and then gives it up again: still its own
    assert boss.patch("/api/admin/users/王建国", json={"name": "wang"}).status_code == 200
    assert boss.patch("/api/admin/users/wang", json={"name": "wang_jg"}).status_code == 200
    for name in ("wang", "王建国"):
        r = boss.post("/api/admin/users?lang=en", json={"name": name, "role": "viewer"})
        assert r.status_code == 400 and "now named \"wang_jg\"" in r.get_json()["message"], r.get_json()


def test_an_old_name_is_compared_as_names_are_read(app):
    """Émile's old name refuses émile too, which SQLite's NOCASE tells apart (name_key: case-folded)."""
    from web.users import AccountError

    users = app.extensions["coverplan"]["users"]
    users.add("Émile", "viewer", password=PW, must_change=False)
    users.rename("Émile", "emile_2")
    with pytest.raises(AccountError) as e:
        users.add("émile", "viewer", password=PW)
    assert e.value.code == "exists" and "emile_2" in e.value.zh, e.value.zh


def test_the_audit_filter_finds_the_account_that_had_the_name(app):
    """Filtered by an old name, the entries are those of the account that had it (by its id), under its old name
    and its new one; an entry of another account once named so (made before old names were kept) is not his."""
    from web.users import User

    users = app.extensions["coverplan"]["users"]
    boss = signed_in(app, "boss")
    signed_in(app, "wang")  # a login: an entry under wang
    assert boss.patch("/api/admin/users/wang", json={"name": "王建国"}).status_code == 200
    signed_in(app, "王建国")
    users.audit("login", user=User(id="someone-else", name="wang", role="viewer"), obj="wang")
    app.test_client().post("/login", json={"name": "wang", "password": "wrong-password"})  # no account now
    rows = boss.get("/api/admin/audit?user=wang&action=login").get_json()["rows"]
    assert sorted(r["user"] for r in rows) == ["wang", "王建国"], rows
    assert all(r["user_id"] != "someone-else" for r in rows)
    assert len(boss.get("/api/admin/audit?user=wang&action=login_failed").get_json()["rows"]) == 1
    new = boss.get("/api/admin/audit?user=王建国&action=login").get_json()["rows"]
    assert sorted(r["user"] for r in new) == ["wang", "王建国"], new
    # a name no account ever had: its entries by name, as before
    assert users.audit_list(user="someone")[0] == 0


def test_an_administrator_cannot_reset_his_own_password_here(app):
    """The page greyed his own Reset, but after he renamed himself it found his row no more, and the server
    answered 200 with a one-time password that ended his own sessions (QA 31): the server refuses it."""
    boss = signed_in(app, "boss")
    r = boss.post("/api/admin/users/boss/reset?lang=en")
    assert r.status_code == 400 and "your own password" in r.get_json()["message"], r.get_json()
    assert boss.get("/api/me").get_json()["name"] == "boss"  # still logged in
    assert boss.post("/api/admin/users/wang/reset").status_code == 200  # another's, as before


def test_a_former_name_is_answered_with_the_accounts_name_now(app):
    """Round 3: PATCH or reset by the old name answered 404 "No user named wang" without saying it was renamed."""
    boss = signed_in(app, "boss")
    assert boss.patch("/api/admin/users/wang", json={"name": "王建国"}).status_code == 200
    r = boss.post("/api/admin/users/wang/reset?lang=en")
    assert r.status_code == 404 and 'renamed "王建国"' in r.get_json()["message"], r.get_json()
    r = boss.patch("/api/admin/users/wang?lang=zh", json={"role": "viewer"})
    assert r.status_code == 404 and "已于" in r.get_json()["message"] and "改名为“王建国”" in r.get_json()["message"]
