"""QA 28 (shared-server operations): a backup of another region restored without a word (this server's imports
gone); an unwritable COVERPLAN_VAR a sqlite3 traceback; a mistyped COVERPLAN_VAR given an empty new database by
`users list` ("No users yet"); `users unlock` capitalising a name, silent about a paused address and auditing
"0 locks lifted"; a truncated backup called "not a coverplan backup"; COVERPLAN_ROUTER_PROCESSES=-3 "not a whole
number" and 99999 taken."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import zipfile
from contextlib import nullcontext
from pathlib import Path

import pytest

from geo import backup as bk
from geo import settings
from geo.datasets import DatasetStore
from geo.errors import InputDataError
from test_qa20_cli import CJK
from test_qa21_cli import run
from web.store import ProposalStore
from web.users import ADDRESS_FAILURES, Locked, UserStore

PW = "correct horse 28"


def set_var(monkeypatch, value: str) -> None:
    """COVERPLAN_VAR set to ``value`` as geo.settings would have read it at import."""
    monkeypatch.setenv("COVERPLAN_VAR", value)
    monkeypatch.setitem(settings._GIVEN, "COVERPLAN_VAR", value)
    monkeypatch.setattr(settings, "VAR_DIR", Path(value))


def one_line(err: str, lang: str) -> str:
    assert "Traceback" not in err and err.strip().count("\n") == 0, err
    assert err.startswith("错误：" if lang == "zh" else "error: "), err
    assert bool(CJK.search(err)) == (lang == "zh"), err
    return err.strip()


# -- 1. a backup of another region ------------------------------------------------------------------------------
@pytest.fixture
def site(tmp_path, monkeypatch):
    """A server's folder with one imported data version (shiyan v1) and a proposal, and its backup."""
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var-unused"))
    folder = tmp_path / "site"
    folder.mkdir()
    db = folder / "app.sqlite"
    store = DatasetStore(db, region="shiyan", root=folder / "datasets" / "shiyan")
    f = store.layers()["facilities"]
    rows = f[f["facility_type"] == "day_care"].iloc[:5]
    source = tmp_path / "名录.geojson"
    rows.to_file(source, driver="GeoJSON")
    assert store.commit_layer("facilities:day_care", rows, source_path=source, note="import") == 1
    ProposalStore(db).add(name="kept", type_key="day_care", params={"p": 1}, summary={"before": {}, "after": {}},
                          geojson={"type": "FeatureCollection", "features": []})
    archive = tmp_path / "b.zip"
    bk.backup(db, out=archive)
    return folder, archive


def other_region(archive: Path, out: Path, region: str = "wuhan") -> Path:
    """``archive`` made a backup of ``region``: its manifest, datasets/ folder and dataset_* rows say so, the checksums
    redone (as the tester made /tmp/qa28c/in/wuhan.zip): an intact archive, only of another region."""
    unpacked = out.parent / (out.stem + "-unpacked")
    with zipfile.ZipFile(archive) as z:
        z.extractall(unpacked)
    con = sqlite3.connect(unpacked / "database.sqlite")
    with con:
        for table in ("dataset_versions", "dataset_layers", "dataset_current", "dataset_roots"):
            con.execute(f"UPDATE {table} SET region = ? WHERE region = 'shiyan'", (region,))
    con.close()
    shutil.move(unpacked / "datasets" / "shiyan", unpacked / "datasets" / region)
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    manifest["versions"] = [[region, v] for _, v in manifest["versions"]]
    files = {}
    for name in manifest["files"]:
        name = name.replace("datasets/shiyan/", f"datasets/{region}/")
        body = (unpacked / name).read_bytes()
        files[name] = {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    manifest["files"] = files
    with zipfile.ZipFile(out, "w") as z:
        for name in files:
            z.write(unpacked / name, name)
        z.writestr("manifest.json", json.dumps(manifest))
    return out


def fingerprint(folder: Path) -> tuple:
    db = folder / "app.sqlite"
    store = DatasetStore(db, region="shiyan", root=folder / "datasets" / "shiyan")
    return store.fingerprint(), store.current().version, sorted(p["name"] for p in ProposalStore(db).list()), \
        sorted(p.name for p in (folder / "datasets").iterdir())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_backup_of_another_region_is_refused_and_nothing_changes(site, tmp_path, capsys, lang):
    folder, archive = site
    wuhan = other_region(archive, tmp_path / "wuhan.zip")
    before = fingerprint(folder)
    assert before[1] == 1
    code, out, err = run(capsys, "--lang", lang, "restore", str(wuhan), "--db", str(folder / "app.sqlite"))
    assert code == 2 and not out, (out, err)
    line = one_line(err, lang)
    assert "wuhan" in line and "shiyan" in line, line
    assert ("1 data version(s) now in" in line and "Nothing was changed" in line) if lang == "en" else \
        ("现有的 1 个数据版本将丢失" in line and "未做任何改动" in line), line
    assert fingerprint(folder) == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".restore")) == []


def test_the_regions_a_restore_takes_are_the_installed_ones(site, tmp_path):
    folder, archive = site
    wuhan = other_region(archive, tmp_path / "wuhan.zip")
    assert "shiyan" in bk.installed_regions() and "wuhan" not in bk.installed_regions()
    with pytest.raises(bk.BackupError) as exc:
        bk.restore(wuhan, tmp_path / "new" / "db.sqlite")
    assert exc.value.details["backup_regions"] == ["wuhan"] and "shiyan" in exc.value.details["installed_regions"]
    assert not (tmp_path / "new").exists()  # a refused restore leaves no folder behind
    # a server of that region takes it; this installation's own backup still restores
    assert bk.restore(wuhan, tmp_path / "w" / "db.sqlite", regions=["wuhan"])["versions"] == [["wuhan", 1]]
    assert bk.restore(archive, folder / "app.sqlite")["versions"] == [["shiyan", 1]]


# -- 8. a truncated backup ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("cut", ["half", "end"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_truncated_backup_is_called_damaged_or_incomplete(site, tmp_path, capsys, cut, lang):
    folder, archive = site
    body = archive.read_bytes()
    short = tmp_path / "short.zip"
    short.write_bytes(body[:len(body) // 2] if cut == "half" else body[:-30])
    before = fingerprint(folder)
    code, _, err = run(capsys, "--lang", lang, "restore", str(short), "--db", str(folder / "app.sqlite"))
    line = one_line(err, lang)
    assert code == 2
    if lang == "en":
        assert "short.zip is damaged or incomplete" in line and "cut off" in line and "Nothing was changed" in line
        assert "not a coverplan backup" not in line, line
    else:
        assert "short.zip 已损坏或不完整" in line and "中断" in line and "未做任何改动" in line, line
    assert fingerprint(folder) == before


def test_an_empty_or_text_file_is_still_no_backup(tmp_path, capsys):
    empty, text = tmp_path / "e.zip", tmp_path / "t.zip"
    empty.write_bytes(b"")
    text.write_text("not a zip\n", encoding="utf-8")
    _, _, err = run(capsys, "--lang", "en", "restore", str(empty), "--db", str(tmp_path / "x.sqlite"))
    assert "e.zip is empty (0 bytes)" in one_line(err, "en")
    _, _, err = run(capsys, "--lang", "en", "restore", str(text), "--db", str(tmp_path / "x.sqlite"))
    assert "t.zip is not a coverplan backup (not a zip archive)" in one_line(err, "en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.zip", "t.zip"]


# -- 2. a COVERPLAN_VAR that cannot be written ---------------------------------------------------------------------
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("argv", [("users", "list"), ("data", "versions"), ("serve", "--port", "1", "--no-warm")])
def test_an_unwritable_var_folder_is_one_sentence(argv, lang, capsys, monkeypatch):
    set_var(monkeypatch, "/proc/self")
    code, out, err = run(capsys, "--lang", lang, *argv)
    assert code == 2 and not out, (out, err)
    line = one_line(err, lang)
    assert ("COVERPLAN_VAR=/proc/self names a folder coverplan cannot write in" in line and
            "point it at the folder for saved work" in line) if lang == "en" else \
        ("环境变量 COVERPLAN_VAR=/proc/self 所指的文件夹无法写入" in line), line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in any folder")
def test_a_var_folder_without_write_permission_is_said(tmp_path, capsys, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        set_var(monkeypatch, str(ro))
        code, _, err = run(capsys, "--lang", "en", "users", "list")
        assert code == 2 and "cannot write in (no permission" in one_line(err, "en"), err
    finally:
        ro.chmod(0o755)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_a_user_store_in_a_folder_that_refuses_it_is_said(capsys):
    with pytest.raises(InputDataError) as exc:
        UserStore("/proc/self/x.sqlite")
    assert "/proc/self/x.sqlite cannot be opened for writing" in exc.value.en and "无法以写入方式打开" in exc.value.zh
    code, _, err = run(capsys, "--lang", "en", "users", "add", "bob", "--role", "viewer",
                       "--db", "/proc/self/x.sqlite")
    # the command line checks the path before the store opens it (QA 29: `serve` and `data import` were tracebacks)
    assert code == 2 and "/proc/self/x.sqlite cannot be made or written" in one_line(err, "en")


# -- 3. a mistyped COVERPLAN_VAR -----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("argv", [("users", "list"), ("users", "unlock", "li"), ("users", "disable", "li"),
                                  ("users", "list", "--json")])
def test_a_read_command_at_a_mistyped_var_makes_no_database(argv, lang, tmp_path, capsys, monkeypatch):
    typo = tmp_path / "relative" / "dir"
    set_var(monkeypatch, str(typo))
    code, out, err = run(capsys, "--lang", lang, *argv)
    assert code == 2 and "No users yet" not in out and "尚无用户" not in out, (out, err)
    if "--json" in argv:
        said = json.loads(out)["message"]
    else:
        said = one_line(err, lang)
    db = typo / "proposals.sqlite"
    assert (f"There is no database at {db}" in said and f"COVERPLAN_VAR is {typo}" in said) if lang == "en" else \
        (f"{db} 处没有数据库" in said and f"当前 COVERPLAN_VAR 为 {typo}" in said), said
    assert not (tmp_path / "relative").exists()


def test_users_add_still_makes_a_new_servers_database_and_says_so(tmp_path, capsys, monkeypatch):
    var = tmp_path / "var"
    set_var(monkeypatch, str(var))
    code, out, err = run(capsys, "--lang", "en", "users", "add", "first", "--role", "admin")
    assert code == 0 and "Added user first" in out, (out, err)
    assert f"there was no database at {var / 'proposals.sqlite'}; a new one was made" in err
    code, out, err = run(capsys, "--lang", "en", "users", "list")
    assert code == 0 and "first" in out and not err


# -- 7. users unlock -----------------------------------------------------------------------------------------------
@pytest.fixture
def accounts(tmp_path):
    db = tmp_path / "acc.sqlite"
    store = UserStore(db)
    store.add("li", "viewer", password=PW)
    store.add("admin", "admin", password=PW)
    return store, str(db)


def test_unlock_of_an_unlocked_name_keeps_its_case_and_audits_nothing(accounts, capsys):
    store, db = accounts
    code, out, err = run(capsys, "--lang", "en", "users", "unlock", "li", "--db", db)
    assert code == 0, err
    assert "The account li had no login lock in force" in out and "Li had" not in out, out
    code, out, _ = run(capsys, "--lang", "zh", "users", "unlock", "li", "--db", db)
    assert "li 当前没有登录限制" in out
    assert store.audit_list(action="lock_lifted", limit=5)[1] == []  # not "account locked; 0 locks lifted"
    code, out, _ = run(capsys, "--lang", "en", "users", "unlock", "--address", "10.0.0.9", "--db", db)
    assert "The address 10.0.0.9 had no login lock" in out
    run(capsys, "users", "unlock", "--all", "--db", db)
    assert store.audit_list(action="lock_lifted", limit=5)[1] == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_unlock_of_a_name_points_to_a_paused_address(accounts, capsys, lang):
    store, db = accounts
    for i in range(ADDRESS_FAILURES):
        with pytest.raises(Locked) if i == ADDRESS_FAILURES - 1 else nullcontext():
            store.authenticate(f"guess{i}", "wrong-password", client="127.0.0.1")
    assert any(x["kind"] == "address" and x["address"] == "127.0.0.1" for x in store.locks())
    code, out, err = run(capsys, "--lang", lang, "users", "unlock", "admin", "--db", db)
    assert code == 0, err
    assert "coverplan users unlock --address 127.0.0.1" in out, out
    assert ("every login from 127.0.0.1 is still paused" in out) if lang == "en" else ("仍被暂停" in out), out
    code, out, _ = run(capsys, "--lang", lang, "users", "unlock", "--address", "127.0.0.1", "--db", db)
    assert ("Lifted 1 login lock of the address 127.0.0.1" in out) if lang == "en" else \
        ("已解除 地址 127.0.0.1 的 1 项登录限制" in out), out
    entries = store.audit_list(action="lock_lifted", limit=5)[1]
    assert len(entries) == 1 and entries[0]["object"] == "127.0.0.1"  # the one that lifted something
    code, out, _ = run(capsys, "--lang", "en", "users", "unlock", "admin", "--db", db)
    assert "--address" not in out


# -- 9. COVERPLAN_ROUTER_PROCESSES ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["-3", " -1 "])
def test_a_negative_router_processes_is_said_to_be_below_zero(value, monkeypatch):
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", None)
    monkeypatch.setenv("COVERPLAN_ROUTER_PROCESSES", value)
    with pytest.raises(InputDataError) as exc:
        settings.router_processes()
    most = settings.max_router_processes()
    assert f"is below 0: the number of processes must be 0 or more (0: one per CPU core, 1: never fork, at most " \
           f"{most})" in exc.value.en and "whole number" not in exc.value.en
    assert "进程数须为 0 或以上" in exc.value.zh and "不是整数" not in exc.value.zh


def test_router_processes_has_a_maximum_of_four_per_core(monkeypatch, capsys):
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", None)
    most = settings.max_router_processes()
    assert most == 4 * settings.usable_cpus() >= 4
    monkeypatch.setenv("COVERPLAN_ROUTER_PROCESSES", str(most))
    assert settings.router_processes() == most
    monkeypatch.setenv("COVERPLAN_ROUTER_PROCESSES", "99999")
    code, _, err = run(capsys, "--lang", "en", "users", "list")
    line = one_line(err, "en")
    assert code == 2 and f"COVERPLAN_ROUTER_PROCESSES=99999 is more than {most}" in line and \
        f"from 0 (one per CPU core) to {most}" in line, line
