"""QA 32 (the lead's decision): a restore onto an existing database brings back the data, never the accounts.

A restore re-enabled an account disabled after the backup, with its old password and its open logins: a
restore is about data (a bad import, a damaged file), while disabling someone who left or changing a leaked
password is a security decision. Now the restored database keeps the replaced one's account tables (accounts,
former names, open and ended logins, login locks); the backup's accounts are used only where no database with
accounts is replaced (a new place, one without accounts, a damaged file), and that is said. The authors of the
restored proposals keep an account (the backup's row, disabled) when the kept accounts lack theirs.
"""
from __future__ import annotations

import json
import sqlite3

import pytest

from accounts import PW, accounts_app, signed_in
from geo import backup as bk
from test_qa21_cli import run
from web.app import create_app
from web.store import ProposalStore
from web.users import UserStore


from test_backup import site  # noqa: E402,F401  (the server folder fixture, one definition)


def login(app, name: str, password: str):
    c = app.test_client()
    return c, c.post("/login", json={"name": name, "password": password})


def add_proposal(db, name: str, owner: str | None) -> str:
    return ProposalStore(db).add(name=name, type_key="day_care", params={"p": 1}, summary={"before": {}, "after": {}},
                                 geojson={"type": "FeatureCollection", "features": []}, owner=owner)


def test_decisions_made_after_the_backup_survive_a_restore_on_the_server(site, capsys):
    """zhao disabled after the backup stays disabled (his password and his open login refused), li's new
    password stays (the old one refused, the login made with the new one still open), wu added after it exists."""
    db = site / "p.sqlite"
    app = accounts_app(site, [("boss", "admin", None), ("zhao", "planner", None), ("li", "planner", None)])
    try:
        zhao = signed_in(app, "zhao")
        assert zhao.get("/api/types").status_code == 200
        zhao_cookie = zhao.get_cookie("session").value
        archive = site.parent / "bk.zip"
        bk.backup(db, out=archive)  # zhao's login is open in the backup
        users = app.extensions["coverplan"]["users"]
        users.update("zhao", disabled=True)
        users.set_password("li", "li-new-password-2")
        users.add("wu", "viewer", None, password=PW, must_change=False)
        li, r = login(app, "li", "li-new-password-2")
        assert r.status_code == 200
        li_cookie = li.get_cookie("session").value
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()

    capsys.readouterr()  # the first start's one-time admin password
    code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(db), "--json")
    assert code == 0, err
    assert json.loads(out)["account_state"]["kept"] is True

    app = create_app({"DB_PATH": str(db), "TESTING": True, "AUTH": "required", "CSRF_ENABLED": False})
    try:
        old = app.test_client()
        old.set_cookie("session", zhao_cookie)
        assert old.get("/api/types").status_code == 401  # his login from before the backup does not come back
        assert login(app, "zhao", PW)[1].status_code in (401, 403)  # disabled: his password does not work
        assert login(app, "li", PW)[1].status_code == 401  # the backup's password stays gone
        assert login(app, "li", "li-new-password-2")[1].status_code == 200
        kept = app.test_client()
        kept.set_cookie("session", li_cookie)
        assert kept.get("/api/types").status_code == 200  # a login open before the restore stays open
        assert login(app, "wu", PW)[1].status_code == 200  # added after the backup: still there
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert UserStore(db).by_name("zhao").disabled


def test_authors_of_restored_proposals_keep_a_disabled_account(site, tmp_path, capsys):
    """Another server's backup (its account ids unknown here): the accounts stay this server's; li, author of a
    restored proposal, keeps the backup's account, disabled and renamed as "li" is taken here; zhao is named as
    not restored."""
    theirs = tmp_path / "theirs" / "p.sqlite"
    theirs.parent.mkdir()
    them = UserStore(theirs)
    for name in ("li", "zhao"):
        them.add(name, "planner", None, password=PW, must_change=False)
    pid = add_proposal(theirs, "李的方案", them.by_name("li").id)
    add_proposal(theirs, "本机方案", "local")  # the open server's user: no account to keep
    bk.backup(theirs, out=tmp_path / "theirs.zip")

    db = site / "p.sqlite"
    ours = UserStore(db)
    ours.add("boss", "admin", None, password=PW, must_change=False)
    ours.add("li", "viewer", None, password="ours-li-password", must_change=False)
    code, out, err = run(capsys, "--lang", "en", "restore", str(tmp_path / "theirs.zip"), "--db", str(db), "--json")
    assert code == 0, err
    state = json.loads(out)["account_state"]
    assert state == {"kept": True, "reason": None, "authors_kept_disabled": ["li-backup"], "not_restored": ["zhao"]}
    now = {u.name: u for u in UserStore(db).list()}
    assert sorted(now) == ["boss", "li", "li-backup"]
    assert now["li-backup"].disabled and now["li-backup"].id == them.by_name("li").id
    assert not now["li"].disabled and now["li"].role == "viewer"
    assert ProposalStore(db).get(pid)["owner"] == now["li-backup"].id
    assert UserStore(db).authenticate("li", "ours-li-password") is not None
    code, out, err = run(capsys, "--lang", "zh", "restore", str(tmp_path / "theirs.zip"), "--db", str(db))
    assert code == 0, err
    assert "账号保持恢复前的现状" in out, out
    assert "备份中的账号 zhao 在被替换的数据库中不存在，未予恢复" in out, out
    # li-backup is in the kept accounts now: nothing more to keep
    assert "恢复的方案的作者" not in out, out


def test_schemas_that_differ_are_restored_without_a_crash(site, tmp_path, capsys):
    """A backup of an older schema (no former_names, no ended_sessions, users without must_change) restored over
    a current database: the current tables, whole. And a backup without any account table."""
    old = tmp_path / "old" / "p.sqlite"
    old.parent.mkdir()
    UserStore(old).add("zhao", "planner", None, password=PW, must_change=False)
    con = sqlite3.connect(old)
    with con:
        con.execute("DROP TABLE former_names")
        con.execute("DROP TABLE ended_sessions")
        con.execute("ALTER TABLE users DROP COLUMN must_change")
    con.close()
    bk.backup(old, out=tmp_path / "old.zip")
    bare = tmp_path / "bare" / "p.sqlite"
    bare.parent.mkdir()
    add_proposal(bare, "无账号时的方案", None)
    bk.backup(bare, out=tmp_path / "bare.zip")

    db = site / "p.sqlite"
    users = UserStore(db)
    users.add("zhao", "planner", None, password=PW, must_change=False)
    users.rename("zhao", "zhao2")
    users.set_password("zhao2", "zhao-new-password", must_change=True)
    for archive in ("old.zip", "bare.zip"):
        code, out, err = run(capsys, "--lang", "en", "restore", str(tmp_path / archive), "--db", str(db), "--json")
        assert code == 0, err
        assert json.loads(out)["account_state"]["kept"] is True
        u = UserStore(db).by_name("zhao2")
        assert u is not None and u.must_change and UserStore(db).authenticate("zhao2", "zhao-new-password")
        con = sqlite3.connect(db)
        try:
            assert {"former_names", "ended_sessions"} <= {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            assert con.execute("SELECT name FROM former_names").fetchall() == [("zhao",)]
        finally:
            con.close()


def test_the_backups_accounts_where_none_can_be_kept(site, tmp_path, capsys):
    """A replaced database that holds no account, or cannot be read: the backup's accounts, and said why."""
    src = tmp_path / "src" / "p.sqlite"
    src.parent.mkdir()
    UserStore(src).add("zhao", "planner", None, password=PW, must_change=False)
    UserStore(src).update("zhao", disabled=True)
    bk.backup(src, out=tmp_path / "bk.zip")

    empty = site / "empty.sqlite"
    UserStore(empty)  # the tables, no account (a server open on this computer)
    code, out, err = run(capsys, "--lang", "en", "restore", str(tmp_path / "bk.zip"), "--db", str(empty), "--json")
    assert code == 0, err
    assert json.loads(out)["account_state"]["reason"] == "no_accounts"
    assert UserStore(empty).by_name("zhao").disabled

    damaged = site / "damaged" / "p.sqlite"
    damaged.parent.mkdir()
    UserStore(damaged).add("li", "admin", None, password=PW, must_change=False)
    con = sqlite3.connect(damaged)
    con.execute("PRAGMA journal_mode=DELETE")  # one file, damaged below
    con.close()
    raw = bytearray(damaged.read_bytes())
    raw[100:4096] = b"\xff" * (4096 - 100)  # its schema page
    damaged.write_bytes(bytes(raw))
    code, out, err = run(capsys, "--lang", "zh", "restore", str(tmp_path / "bk.zip"), "--db", str(damaged))
    assert code == 0, err
    assert "被替换的数据库中的账号无法读取（文件已损坏）：账号为备份时的状态。" in out, out
    assert "请立即重新停用或重设密码" in out, out
    assert [u.name for u in UserStore(damaged).list()] == ["zhao"]
    row = UserStore(damaged).audit_list(action="restore")[1][0]
    assert row["detail"]["accounts"]["reason"] == "unreadable" and row["detail"]["accounts"]["kept"] is False
