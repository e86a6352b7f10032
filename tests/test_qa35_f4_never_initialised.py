"""QA 35 (fixer QA35-F4): a database a failed writer left empty is said to be never initialised, and how to start.

A command that writes makes its database file (0600, before SQLite writes it: QA 34); one that then fails right
away (`data import --region nosuch`) leaves that file empty, and every command that only reads then said
"... is empty (0 bytes): it is not a SQLite database", as if the server's data were gone. Now it says plainly that
the database was never initialised and which command sets it up, in the CLI's language.
"""
from __future__ import annotations

import os
import stat

import pytest

from test_qa21_cli import run


@pytest.fixture()
def left_empty(var_dir, tmp_path, capsys):
    db = tmp_path / "site" / "coverplan.sqlite"
    table = tmp_path / "名录.csv"
    table.write_text("名称,类型,经度,纬度\n某某日间照料中心,day_care,110.8,32.6\n", encoding="utf-8")
    code, _, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(table), "--db", str(db),
                       "--region", "nosuch")
    assert code == 2 and "nosuch" in err, err
    # (the file the writer made, empty: what the read-only commands below are given)
    assert db.is_file() and db.stat().st_size == 0 and stat.S_IMODE(os.stat(db).st_mode) == 0o600
    return db


@pytest.mark.parametrize("argv", [("users", "list"), ("data", "versions")])
def test_a_reader_says_it_was_never_initialised_and_how_to_start(left_empty, capsys, argv):
    db = str(left_empty)
    code, out, err = run(capsys, "--lang", "en", *argv, "--db", db)
    assert code == 2 and "Traceback" not in err, err
    assert "The database was never initialised" in err, err
    assert f"`coverplan serve --db {db}`" in err and f"`coverplan users add NAME --role admin --db {db}`" in err, err
    assert "\u201c" not in err and "\u201d" not in err  # straight quotes in English
    code, out, err = run(capsys, "--lang", "zh", *argv, "--db", db)
    assert code == 2 and "该数据库从未初始化" in err and f"`coverplan serve --db {db}`" in err, err
    assert "请先用会建立数据库的命令初始化" in err, err


def test_the_command_it_names_sets_it_up(left_empty, capsys):
    db = str(left_empty)
    code, _, err = run(capsys, "--lang", "en", "users", "add", "boss", "--role", "admin", "--db", db)
    assert code == 0, err
    code, out, err = run(capsys, "--lang", "en", "users", "list", "--db", db)
    assert code == 0 and "boss" in out, (out, err)
