"""QA 18's command-line defects: usage errors that ignored --json (and `map`, which had no --json),
Ctrl+C told only as a line on stderr with --json, and a restore that reported the versions its
(edited) manifest claimed instead of those it restored."""
from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import pytest

from cli.main import build_parser, main
from geo import backup as bk
from geo.datasets import DatasetStore


@pytest.fixture
def var(tmp_path, monkeypatch):
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    return tmp_path / "var"


def run(argv: list[str]) -> int:
    """main()'s exit code; argparse's errors leave by SystemExit (as without --json)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def _json_error(capsys) -> dict:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "usage:" not in captured.out and "用法" not in captured.out
    return json.loads(captured.out)


# --- 1. usage errors with --json ----------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("argv, option, value, choices", [
    (["check-townships", "--status", "bogus", "--json"], "--status", "bogus", ["met", "not_met", "na"]),
    (["beds", "--target", "2.5", "--json"], "--target", "2.5", None),  # 1e308 is a whole number (QA 22: the web's rule)
    (["access", "--type", "day_care", "--weight", "foo", "--json"], "--weight", "foo", ["stepped", "gaussian"]),
    (["access", "--json", "--type", "day_care", "--weight", "foo", "--lang", "zh"], "--weight", "foo",
     ["stepped", "gaussian"]),
])
def test_a_usage_error_with_json_is_a_json_error_object(lang, argv, option, value, choices, var, capsys):
    code = run(["--lang", lang, *argv])
    out = _json_error(capsys)
    assert code == 2
    assert out["error"] == "UsageError" and out["code"] == "usage"
    assert {"message", "message_en", "message_zh", "hint", "details"} <= set(out)
    assert out["message"] == out["message_en" if lang == "en" else "message_zh"]
    assert out["details"]["option"] == option and out["details"]["value"] == value
    assert option in out["message_en"] and option in out["message_zh"] and value in out["message_zh"]
    if choices:
        assert out["details"]["choices"] == choices
        assert all(c in out["message_en"] and c in out["message_zh"] for c in choices)
    else:
        assert out["details"]["expected"] == "int" and "整数" in out["message_zh"]
    assert "-h" in out["hint"] and f"coverplan {argv[0]}" in out["hint"]


def test_the_default_language_is_the_clis(var, capsys, monkeypatch):
    """No --lang: the language the CLI speaks by default (settings.LANG)."""
    from geo import settings

    monkeypatch.setattr(settings, "LANG", "en")
    assert run(["check-townships", "--status", "bogus", "--json"]) == 2
    out = _json_error(capsys)
    assert out["message"] == out["message_en"] and "invalid choice" in out["message"]
    monkeypatch.setattr(settings, "LANG", "zh")
    assert run(["check-townships", "--status", "bogus", "--json"]) == 2
    out = _json_error(capsys)
    assert out["message"] == out["message_zh"] and "不是可选值" in out["message"]


@pytest.mark.parametrize("argv, key, value", [
    (["coverage", "--json"], "required", ["--type"]),
    (["coverage", "--type", "day_care", "--bogus", "--json"], "unrecognized", ["--bogus"]),
    (["--json"], "unrecognized", ["--json"]),
    (["region", "--json"], "unrecognized", ["--json"]),
])
def test_other_usage_errors_with_json_are_json_too(argv, key, value, var, capsys):
    assert run(["--lang", "en", *argv]) == 2
    out = _json_error(capsys)
    assert out["code"] == "usage" and out["details"][key] == value, out


def test_without_json_a_usage_error_is_the_usage_text_as_before(var, capsys):
    assert run(["--lang", "en", "check-townships", "--status", "bogus"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("usage: coverplan check-townships")
    assert "invalid choice: 'bogus'" in captured.err
    assert run(["check-townships", "--status", "bogus"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("用法：") and "不是可选值" in captured.err


def _leaves(parser, path=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield " ".join(path), parser
        return
    for name, sub in subs[0].choices.items():
        yield from _leaves(sub, (*path, name))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_takes_json(lang):
    """README: every command takes --json (`map` and `serve` did not)."""
    leaves = dict(_leaves(build_parser(lang)))
    assert {"map", "serve", "restore", "users add"} <= set(leaves)
    assert [name for name, p in leaves.items() if "--json" not in p._option_string_actions] == []


def test_map_json_says_what_it_wrote(var, tmp_path, capsys):
    out = tmp_path / "m.html"
    assert main(["--lang", "en", "map", "--type", "day_care", "--out", str(out), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["out"] == str(out) and answer["bytes"] == out.stat().st_size > 0
    assert answer["type"] == "day_care" and answer["proposal"] is None


# --- 2. Ctrl+C with --json -------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ctrl_c_with_json_is_a_json_error_object_too(lang, var, tmp_path, capsys, monkeypatch):
    import cli.map

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.map, "_map", interrupted)
    argv = ["--lang", lang, "map", "--type", "day_care", "--out", str(tmp_path / "m.html")]
    assert main([*argv, "--json"]) == 130
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["code"] == "interrupted" and out["error"] == "Interrupted"
    assert out["message"] == out["message_en" if lang == "en" else "message_zh"] and out["message_zh"]
    assert ("interrupted" if lang == "en" else "已中断") in captured.err
    # without --json: the line on stderr only, as before
    assert main(argv) == 130
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip()


# --- 3. restore reports what it restored; a malformed versions entry is refused ----------------

def _site_with_versions(root: Path, n: int) -> Path:
    site = root / "site"
    site.mkdir()
    store = DatasetStore(site / "app.sqlite", region="shiyan", root=site / "datasets" / "shiyan")
    f = store.layers()["facilities"]
    f = f[f["facility_type"] == "day_care"]
    for i in range(n):
        assert store.commit_layer("facilities:day_care", f.iloc[: 3 + i], note=f"v{i + 1}") == i + 1
    return site


def _with_versions(src: Path, dst: Path, versions) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "manifest.json":
                m = json.loads(data)
                m["versions"] = versions
                data = json.dumps(m).encode()
            zout.writestr(info.filename, data)
    return dst


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(".restore") or p.suffix == ".serving")


@pytest.mark.parametrize("versions", [
    [["../x", 1], ["shiyan", "1; drop"]],
    [["shiyan", 1], ["shiyan", True]],
    [["shiyan", 1], ["shiyan", 0]],
    [["shiyan", 1], ["shiyan", 2, 3]],
    [["shiyan", 1], ["shiyan", 1.5]],
    "shiyan 1, 2",
    [["shiyan", 1], ["shiyan", 1]],
    None,
])
def test_a_malformed_versions_entry_is_refused_and_nothing_changes(versions, var, tmp_path, capsys):
    site = _site_with_versions(tmp_path, 2)
    good = tmp_path / "good.zip"
    bk.backup(site / "app.sqlite", out=good)
    edited = _with_versions(good, tmp_path / "edited.zip", versions)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))

    # onto the existing installation and into a new folder: neither is touched
    for db in (site / "app.sqlite", tmp_path / "new" / "deeper" / "db.sqlite"):
        for lang in ("zh", "en"):
            code = main(["--lang", lang, "restore", str(edited), "--db", str(db), "--json"])
            out = json.loads(capsys.readouterr().out)
            assert code == 2 and out["error"] == "BackupError", out
            assert "versions" in out["message_en"] and "Nothing was changed" in out["message_en"]
            assert "versions" in out["message_zh"] and "未做任何改动" in out["message_zh"]
            assert out["message"] == out["message_en" if lang == "en" else "message_zh"]
        assert main(["--lang", "en", "restore", str(edited), "--db", str(db)]) == 2
        assert "malformed" in capsys.readouterr().err
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert _leftovers(tmp_path) == [] and not (tmp_path / "new").exists()


def test_a_manifest_listing_other_versions_than_the_database_is_refused(var, tmp_path):
    site = _site_with_versions(tmp_path, 2)
    good = tmp_path / "good.zip"
    bk.backup(site / "app.sqlite", out=good)
    edited = _with_versions(good, tmp_path / "edited.zip", [["shiyan", v] for v in range(1, 18)])
    with pytest.raises(bk.BackupError) as err:
        bk.restore(edited, tmp_path / "new" / "db.sqlite")
    assert "lists 17 data version(s) but the database in the backup holds 2" in err.value.message("en")
    assert not (tmp_path / "new").exists() and _leftovers(tmp_path) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_restore_counts_and_lists_the_versions_it_restored(lang, var, tmp_path, capsys):
    site = _site_with_versions(tmp_path, 3)
    archive = tmp_path / "b.zip"
    bk.backup(site / "app.sqlite", out=archive)
    db = tmp_path / "new" / "db.sqlite"
    assert main(["--lang", lang, "restore", str(archive), "--db", str(db), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    held = [[v.region, v.version] for v in DatasetStore(db, region="shiyan").versions() if v.version > 0]
    assert answer["versions"] == held == [["shiyan", 1], ["shiyan", 2], ["shiyan", 3]]
    assert answer["missing_versions"] == []
    db.unlink()
    assert main(["--lang", lang, "restore", str(archive), "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert ("3 个数据版本：shiyan v1–v3" if lang == "zh" else "3 data version(s): shiyan v1–v3") in text, text


def test_restore_reports_the_restored_database_not_the_manifest(var, tmp_path, monkeypatch, capsys):
    """Whatever the manifest says, the answer is read from the restored database (the check that the two
    agree is bypassed here, to see where the count comes from)."""
    site = _site_with_versions(tmp_path, 2)
    archive = tmp_path / "b.zip"
    manifest = bk.backup(site / "app.sqlite", out=archive)
    real_verify = bk.verify

    def verify(path, into):
        m = real_verify(path, into)
        return {**m, "versions": [["shiyan", 1]] * 5}

    monkeypatch.setattr(bk, "verify", verify)
    assert main(["--lang", "en", "restore", str(archive), "--db", str(tmp_path / "n" / "db.sqlite"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["versions"] == manifest["versions"] == [["shiyan", 1], ["shiyan", 2]]
