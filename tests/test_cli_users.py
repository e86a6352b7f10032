"""`coverplan users add|list|disable|passwd` on the web app's database."""
from __future__ import annotations

import io
import json

from cli.main import main
from web.users import UserStore


def run(capsys, monkeypatch, *argv, stdin: str | None = None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_disable_passwd(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "p.sqlite")
    code, out, _ = run(capsys, monkeypatch, "users", "add", "wang", "--role", "planner", "--county", "房县", "--db", db)
    assert code == 0 and "一次性密码" in out
    generated = out.split("一次性密码：")[1].split("（")[0]
    store = UserStore(db)
    wang = store.by_name("wang")
    assert wang.county == "420325" and wang.must_change  # county by name, stored as its code
    assert store.authenticate("wang", generated).name == "wang"

    code, out, _ = run(capsys, monkeypatch, "--lang", "en", "users", "add", "chen", "--role", "admin",
                       "--password-stdin", "--db", db, stdin="chen-secret-pw\n")
    assert code == 0 and "Added user chen" in out and "One-time" not in out
    assert not store.by_name("chen").must_change and store.authenticate("chen", "chen-secret-pw")

    code, out, _ = run(capsys, monkeypatch, "users", "list", "--json", "--db", db)
    rows = {r["name"]: r for r in json.loads(out)}
    assert set(rows) == {"wang", "chen"} and rows["wang"]["role"] == "planner" and "pw_hash" not in rows["wang"]
    code, out, _ = run(capsys, monkeypatch, "users", "list", "--db", db)
    assert "wang" in out and "420325" in out and "待修改密码" in out

    code, out, _ = run(capsys, monkeypatch, "users", "disable", "wang", "--db", db)
    assert code == 0 and "已停用" in out
    assert store.by_name("wang").disabled and store.authenticate("wang", generated) is None

    code, out, _ = run(capsys, monkeypatch, "users", "passwd", "chen", "--password-stdin", "--db", db,
                       stdin="new-chen-secret\n")
    assert code == 0
    assert store.authenticate("chen", "new-chen-secret") and not store.verify(store.by_name("chen").id, "chen-secret-pw")
    code, out, _ = run(capsys, monkeypatch, "users", "passwd", "chen", "--reset", "--json", "--db", db)
    reset = json.loads(out)
    assert reset["password"] and reset["user"]["must_change"] is True

    actions = [e["action"] for e in store.audit_list()[1]]
    assert actions.count("user_added") == 2 and "user_disabled" in actions and "password_reset" in actions


def test_refusals_are_clear_in_both_languages(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "p.sqlite")
    run(capsys, monkeypatch, "users", "add", "wang", "--role", "viewer", "--db", db)
    code, _, err = run(capsys, monkeypatch, "users", "add", "wang", "--role", "viewer", "--db", db)
    assert code == 2 and "已存在" in err
    code, _, err = run(capsys, monkeypatch, "--lang", "en", "users", "add", "li", "--role", "planner",
                       "--county", "999999", "--db", db)
    assert code == 2 and "Unknown county" in err
    code, _, err = run(capsys, monkeypatch, "users", "add", "li", "--role", "viewer", "--password-stdin",
                       "--db", db, stdin="short\n")
    assert code == 2 and "至少 8" in err
    code, out, _ = run(capsys, monkeypatch, "users", "disable", "nobody", "--json", "--db", db)
    assert code == 2 and json.loads(out)["code"] == "unknown"
    assert UserStore(db).count() == 1


def test_passwd_without_a_terminal_says_how_and_an_unknown_user_is_said_first(tmp_path, capsys, monkeypatch):
    """`users passwd NAME < /dev/null` ended in an EOFError traceback, and an unknown user was asked
    for a password before being refused (QA 14)."""
    db = str(tmp_path / "p.sqlite")
    assert run(capsys, monkeypatch, "users", "add", "wang", "--role", "viewer", "--db", db)[0] == 0
    code, _, err = run(capsys, monkeypatch, "--lang", "en", "users", "passwd", "wang", "--db", db, stdin="")
    assert code == 2 and "--password-stdin" in err and "Traceback" not in err, err
    code, _, err = run(capsys, monkeypatch, "users", "passwd", "wang", "--db", db, stdin="")
    assert code == 2 and err.startswith("错误：没有可输入密码的终端"), err
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked")))
    code, _, err = run(capsys, monkeypatch, "--lang", "en", "users", "passwd", "nobody", "--db", db)
    assert code == 2 and 'No user named "nobody"' in err, err
