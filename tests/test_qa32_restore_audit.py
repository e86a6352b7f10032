"""QA 32 (shared server): what `coverplan restore` does to the accounts and the audit log, said.

A restore silently took the accounts back to the backup's state (an account disabled after the backup came
back enabled; the restore's answer named only versions and proposals) and replaced the audit log with the
backup's copy (the disable entry and the earlier restores' own entries were gone). Now the audit entries made
after the backup are carried into the restored log before the restore's own entry, and the accounts stay as
they are (the lead's decision: a restore is about data; disabling someone or changing a leaked password is a
security decision it must not undo), said by the restore's answer and its audit entry; the backup's accounts
only where no database with accounts is replaced (tests/test_qa32_restore_accounts.py). An upload checked
before a restore hears that the data were restored from a backup (which archive, when), not "version 25, now
version 23".
"""
from __future__ import annotations

import json

import pytest

from accounts import PW, signed_in
from geo import backup as bk
from planner.i18n import restore_accounts_text
from test_qa21_cli import run
from test_qa32_restore import upload_checked_before_a_restore
from web.app import create_app
from web.users import AccountError, UserStore


from test_backup import site  # noqa: E402,F401  (the server folder fixture, one definition)


def accounts(db, *rows) -> UserStore:
    users = UserStore(db)
    for name, role, county in rows:
        users.add(name, role, county, password=PW, must_change=False)
    return users


def restore_entries(db) -> list[dict]:
    return sorted(UserStore(db).audit_list(limit=500, action="restore")[1], key=lambda r: r["id"])


def test_audit_entries_made_after_the_backup_survive_restores(site, tmp_path, capsys):
    db = site / "app.sqlite"
    users = accounts(db, ("zhao", "planner", None), ("boss", "admin", None))
    users.audit("login", user=users.by_name("boss"))
    archive = tmp_path / "bk1.zip"
    bk.backup(db, out=archive)
    # the tester's case: after the backup zhao is disabled (an audit entry), then bk1 is restored three times
    code, out, err = run(capsys, "--lang", "en", "users", "disable", "zhao", "--db", str(db))
    assert code == 0, err
    disabled = UserStore(db).audit_list(action="user_disabled")[1]
    assert [r["object"] for r in disabled] == ["zhao"]
    for i in range(3):
        code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(db), "--json")
        assert code == 0, err
        # each restore carries what the log held after the backup: the disable, then the restores before it
        assert json.loads(out)["audit_kept"] == 1 + i, out

    log = UserStore(db)
    total, rows = log.audit_list(limit=500)
    rows = sorted(rows, key=lambda r: r["id"])
    assert [r["action"] for r in rows] == ["login", "user_disabled", "restore", "restore", "restore"], rows
    assert rows[1]["id"] == disabled[0]["id"] and rows[1]["at"] == disabled[0]["at"]  # the same entry, kept
    assert all(r["object"] == "bk1.zip" for r in rows[2:])
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)  # in the order they were made
    # a new entry numbers on after the carried ones (the log's AUTOINCREMENT follows the kept ids)
    log.audit("login", user_name="boss")
    assert log.audit_list(limit=1)[1][0]["id"] == rows[-1]["id"] + 1
    # and zhao, disabled after the backup, stays disabled through the three restores
    assert log.by_name("zhao").disabled


def test_two_restores_in_a_row_of_different_backups_keep_both_entries(site, tmp_path, capsys):
    db = site / "app.sqlite"
    users = accounts(db, ("zhao", "planner", None))
    bk.backup(db, out=tmp_path / "a.zip")
    users.audit("user_disabled", user_name="(command line) wang", obj="zhao")
    bk.backup(db, out=tmp_path / "b.zip")
    users.audit("user_enabled", user_name="(command line) wang", obj="zhao")
    for name in ("a.zip", "b.zip"):
        code, out, err = run(capsys, "--lang", "zh", "restore", str(tmp_path / name), "--db", str(db))
        assert code == 0, err
    rows = sorted(UserStore(db).audit_list(limit=500)[1], key=lambda r: r["id"])
    # b holds the disable; the enable and the first restore come after it, once each; then b's restore
    assert [(r["action"], r["object"]) for r in rows] == [
        ("user_disabled", "zhao"), ("user_enabled", "zhao"), ("restore", "a.zip"), ("restore", "b.zip")], rows
    assert [r["object"] for r in restore_entries(db)] == ["a.zip", "b.zip"]


def test_the_restore_keeps_the_accounts_as_they_are_now(site, tmp_path, capsys):
    db = site / "app.sqlite"
    users = accounts(db, ("zhao", "planner", None), ("li", "planner", "420322"), ("wang", "viewer", None),
                     ("boss", "admin", None))
    at_backup = _hashes(db)
    archive = tmp_path / "周一备份.zip"
    bk.backup(db, out=archive)
    # after the backup: zhao disabled, li2 added, wang renamed and made a planner, li's password and county changed
    users.update("zhao", disabled=True)
    users.add("li2", "planner", "420325", password=PW, must_change=False)
    users.rename("wang", "wang2")
    users.update("wang2", role="planner")
    users.update("li", county="420325")
    users.set_password("li", "another-password-123")
    before = _hashes(db)
    assert before["li"] != at_backup["li"]

    code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(db), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["account_state"] == {"kept": True, "reason": None, "authors_kept_disabled": [], "not_restored": []}
    assert answer["accounts"] == 5
    assert not any(h in out for h in before.values())  # never a password hash
    # every decision made after the backup stands
    now = {u.name: u for u in UserStore(db).list()}
    assert sorted(now) == ["boss", "li", "li2", "wang2", "zhao"], sorted(now)
    assert now["zhao"].disabled and now["wang2"].role == "planner" and now["li"].county == "420325"
    assert _hashes(db) == before
    assert UserStore(db).authenticate("li", "another-password-123") is not None
    assert UserStore(db).authenticate("li", PW) is None  # the backup's password stays gone
    assert UserStore(db).authenticate("zhao", PW) is None  # disabled
    # wang's former name stays his (former_names kept): nobody else may take it
    with pytest.raises(AccountError, match="was the name of another account, now named .?wang2"):
        UserStore(db).add("wang", "viewer", None, password=PW, must_change=False)

    # its audit entry says so
    row = restore_entries(db)[-1]
    assert row["object"] == "周一备份.zip"
    assert row["detail"]["accounts"] == answer["account_state"]
    assert "account_changes" not in row["detail"]

    # the text, both languages; no advice to disable again (nothing was undone)
    code, out, err = run(capsys, "--lang", "zh", "restore", str(archive), "--db", str(db))
    assert code == 0, err
    assert "账号保持恢复前的现状（未恢复为备份时的状态）" in out, out
    assert "重新启用" not in out and "请立即重新停用或重设密码" not in out, out
    code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(db))
    assert code == 0, err
    assert "Accounts kept as they are now (not taken back to the backup)" in out, out
    assert "enabled again" not in out and "disable it or set its password again now" not in out, out
    assert UserStore(db).by_name("zhao").disabled and _hashes(db) == before
    assert restore_accounts_text(row["detail"]["accounts"], "en").startswith(
        "Accounts kept as they are now (not taken back to the backup)")
    assert restore_accounts_text(row["detail"]["accounts"], "zh").startswith("账号保持恢复前的现状")


def test_onto_a_new_place_the_backups_accounts_are_used_and_said(site, tmp_path, capsys):
    db = site / "app.sqlite"
    accounts(db, ("zhao", "planner", None))
    UserStore(db).update("zhao", disabled=True)
    bk.backup(db, out=tmp_path / "bk.zip")
    # onto a new database: nothing replaced, the backup's accounts, said, with the advice
    new = tmp_path / "new" / "db.sqlite"
    code, out, err = run(capsys, "--lang", "en", "restore", str(tmp_path / "bk.zip"), "--db", str(new), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["account_state"] == {"kept": False, "reason": "new", "authors_kept_disabled": [],
                                       "not_restored": []}
    assert answer["audit_kept"] == 0 and answer["accounts"] == 1
    assert UserStore(new).by_name("zhao").disabled  # as in the backup
    assert restore_entries(new)[-1]["detail"]["accounts"]["reason"] == "new"
    code, out, err = run(capsys, "--lang", "zh", "restore", str(tmp_path / "bk.zip"), "--db",
                         str(tmp_path / "new2" / "db.sqlite"))
    assert code == 0, err
    assert "此处原无数据库：账号为备份时的状态。" in out and "请立即重新停用或重设密码" in out, out
    assert "账号保持恢复前的现状" not in out, out


def _hashes(db) -> dict[str, str]:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT name, pw_hash FROM users"))
    finally:
        con.close()


def test_an_upload_checked_before_a_restore_hears_of_the_restore(tmp_path, capsys, monkeypatch):
    """li's upload is checked on v2; v2 is dropped by a restore of the backup of v1: his confirm's 409 names
    the restore (archive, when), in both languages, and asks for the file to be checked again."""
    db, archive, stale_id = upload_checked_before_a_restore(tmp_path, monkeypatch)

    code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(db))
    assert code == 0, err
    created = restore_entries(db)[-1]["detail"]["backup_created"][:16].replace("T", " ")

    app = create_app({"DB_PATH": str(db), "TESTING": True, "AUTH": "required", "CSRF_ENABLED": False})
    try:
        li = signed_in(app, "li")
        r = li.post(f"/api/data/uploads/{stale_id}/confirm?lang=zh")
        assert r.status_code == 409, (r.status_code, r.get_json())
        body = r.get_json()
        assert body["details"]["recheck"] is True
        assert body["details"]["restored"]["archive"] == "周一备份.zip"
        zh, en = body["message_zh"], body["message_en"]
        assert zh.startswith("本文件校验后数据已从备份恢复：命令行（"), zh
        assert "校验报告所基于的数据版本 2 已不在恢复后的数据中" in zh, zh
        assert "恢复了备份 周一备份.zip（备份时间 " + created + "）" in zh and "命令行（" in zh, zh
        assert "当前为版本 1" in zh and "须重新校验本文件" in zh, zh
        assert "当前已是版本" not in zh  # not "data going backwards"
        assert "The data were restored from a backup after this file was checked" in en, en
        assert "restored the backup 周一备份.zip (made " + created + ")" in en and "command line (" in en, en
        assert "The report was made on data version 2, which the restored data do not hold; version 1 is now " \
               "current." in en, en
        assert "must be checked again" in en, en
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_admin_page_words_the_restores_accounts_detail():
    from web.auth import audit_detail_text

    detail = {"accounts": {"kept": True, "reason": None, "authors_kept_disabled": [], "not_restored": []}}
    zh, en = audit_detail_text(detail, "zh"), audit_detail_text(detail, "en")
    assert "账号保持恢复前的现状" in zh and "Accounts kept as they are now" in en
    assert "{" not in zh + en and "kept" not in zh
