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
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path))
    raw = io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x80abc\n"), encoding="utf-8", errors="surrogateescape")
    monkeypatch.setattr(sys, "stdin", raw)
    code = main(["users", "add", "binpw", "--role", "viewer", "--password-stdin"])
    err = capsys.readouterr().err
    assert code == 2 and "不是 UTF-8 文本" in err, err
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-good-password\n"))
    assert main(["users", "add", "binpw", "--role", "viewer", "--password-stdin"]) == 0
