"""CLI answers to hostile input that ended in tracebacks (QA 15): a GeoJSON nested thousands deep
given as a proposal, and binary bytes piped as a password."""
from __future__ import annotations

import io
import sys

import pytest

from cli.main import main


@pytest.mark.parametrize("argv", [["targets", "--json"], ["map", "--type", "day_care", "--out", "m.html"]])
def test_a_deeply_nested_proposal_file_is_said_to_be_one(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    deep = tmp_path / "deep.geojson"
    deep.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    code = main(["--lang", "en"] + argv[:1] + ["--proposal", str(deep)] + argv[1:])
    out = capsys.readouterr()
    assert code == 2 and "nested thousands of levels deep" in out.out + out.err
    assert "Traceback" not in out.err and not (tmp_path / "m.html").exists()


def test_binary_bytes_as_a_password_are_refused_in_words(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "p.sqlite")
    raw = io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x80abc\n"), encoding="utf-8", errors="surrogateescape")
    monkeypatch.setattr(sys, "stdin", raw)
    code = main(["users", "add", "binpw", "--role", "viewer", "--password-stdin", "--db", db])
    err = capsys.readouterr().err
    assert code == 2 and "不是 UTF-8 文本" in err, err
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-good-password\n"))
    assert main(["users", "add", "binpw", "--role", "viewer", "--password-stdin", "--db", db]) == 0


def test_a_device_or_a_pipe_is_said_to_be_one(tmp_path, capsys):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path in ("/dev/zero", "/dev/null", str(fifo)):
        code = main(["data", "import", "facilities", path, "--type", "day_care", "--dry-run"])
        err = capsys.readouterr().err
        assert code == 2 and "不是普通文件" in err and "找不到" not in err, (path, err)
