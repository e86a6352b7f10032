"""`coverplan backup` / `coverplan restore` (geo/backup.py): round trip, refusals, backups during writes."""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import zipfile
from pathlib import Path

import pytest

from cli.main import main
from geo import backup as bk
from geo.datasets import DatasetStore
from web.store import ProposalStore


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A server's folder: its database and datasets/ (as `coverplan serve --db site/app.sqlite` has it)."""
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var-unused"))
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


def open_stores(folder: Path):
    db = folder / "app.sqlite"
    return (DatasetStore(db, region="shiyan", root=folder / "datasets" / "shiyan"), ProposalStore(db))


def day_care(store: DatasetStore, n: int):
    f = store.layers()["facilities"]
    return f[f["facility_type"] == "day_care"].iloc[:n]


def register(tmp: Path, gdf, name: str = "日间照料中心名录.geojson") -> Path:
    path = tmp / name
    gdf.to_file(path, driver="GeoJSON")
    return path


def add_proposal(proposals: ProposalStore, name: str) -> str:
    return proposals.add(name=name, type_key="day_care", params={"p": 1}, summary={"before": {}, "after": {}},
                         geojson={"type": "FeatureCollection", "features": []})


def state(folder: Path) -> tuple:
    """Everything a restore must bring back: the data versions (rows and files) and the proposals."""
    store, proposals = open_stores(folder)
    return store.fingerprint(), sorted((p["id"], p["name"]) for p in proposals.list())


def test_round_trip_brings_the_earlier_state_back(site, tmp_path, capsys):
    store, proposals = open_stores(site)
    assert store.commit_layer("facilities:day_care", day_care(store, 12),
                              source_path=register(tmp_path, day_care(store, 12)), note="名录") == 1
    kept = add_proposal(proposals, "十二处方案")
    before = state(site)
    archive = tmp_path / "backups" / "备份.zip"
    archive.parent.mkdir()  # backup makes no folder for --out (QA 21: it made /nonexistent at the root)

    assert main(["--lang", "zh", "backup", "--out", str(archive), "--db", str(site / "app.sqlite")]) == 0
    said = capsys.readouterr().out
    assert "已备份" in said
    # the archive's own size first, the files' uncompressed beside it (QA 32: "1.1 MB" read as the zip's 94 KB)
    kb = archive.stat().st_size / 1024
    assert (f"（{kb:.1f} KB）" if kb < 1024 else f"（{kb / 1024:.1f} MB）") in said and "未压缩" in said, said
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
    assert {"manifest.json", "database.sqlite", "datasets/shiyan/1/facilities-day_care.geojson"} <= names
    assert any(n.startswith("datasets/shiyan/1/source/") for n in names)  # the planner's original file

    # things change after the backup
    store.commit_layer("facilities:day_care", day_care(store, 3), note="later")
    proposals.delete(kept)
    add_proposal(proposals, "后来的方案")
    assert state(site) != before

    assert main(["--lang", "en", "restore", str(archive), "--db", str(site / "app.sqlite"), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["versions"] == [["shiyan", 1]]
    assert state(site) == before
    store, proposals = open_stores(site)
    assert [v.version for v in store.versions()] == [0, 1] and store.current().version == 1
    assert len(day_care(store, 1000)) == 12
    assert proposals.get(kept)["name"] == "十二处方案"
    assert not [p for p in site.iterdir() if p.name.startswith(".restore")]  # nothing left over
    # and the restored installation keeps working
    # and numbers on above the replaced database's v2 ("later"): a number is never given to two versions (QA 32)
    assert store.commit_layer("facilities:day_care", day_care(store, 5), note="after restore") == 3


def _rewrite(src: Path, dst: Path, change) -> None:
    """A copy of a backup archive with ``change(name, data) -> data or None`` applied to each member."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def _with_manifest(manifest_change):
    def change(name, data):
        if name != "manifest.json":
            return data
        m = json.loads(data)
        manifest_change(m)
        return json.dumps(m).encode()
    return change


def test_restore_refuses_broken_or_foreign_archives_and_changes_nothing(site, tmp_path):
    store, proposals = open_stores(site)
    store.commit_layer("facilities:day_care", day_care(store, 6), note="v1")
    add_proposal(proposals, "方案")
    good = tmp_path / "good.zip"
    bk.backup(site / "app.sqlite", out=good)
    before = state(site)

    layer = "datasets/shiyan/1/facilities-day_care.geojson"
    bad = {
        "not a zip": lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"),
        "truncated": lambda p: p.write_bytes(good.read_bytes()[: good.stat().st_size // 2]),
        "foreign zip": lambda p: zipfile.ZipFile(p, "w").writestr("readme.txt", "hello"),
        "other format": lambda p: _rewrite(good, p, _with_manifest(lambda m: m.update(format="something-else"))),
        "edited layer": lambda p: _rewrite(good, p, lambda n, d: d.replace(b"day_care", b"day_caro") if n == layer
                                           else d),
        "member dropped": lambda p: _rewrite(good, p, lambda n, d: None if n == layer else d),
        "member added": lambda p: (_rewrite(good, p, lambda n, d: d),
                                   zipfile.ZipFile(p, "a").writestr("datasets/shiyan/9/x.geojson", "{}")),
        "path escapes": lambda p: _rewrite(good, p, _with_manifest(
            lambda m: m["files"].__setitem__("../../evil.txt", m["files"].pop(layer)))),
        "edited database": lambda p: _rewrite(good, p, lambda n, d: d[:4096] + b"\x00" * 512 + d[4608:]
                                              if n == "database.sqlite" else d),
    }
    for what, make in bad.items():
        path = tmp_path / f"{what.replace(' ', '-')}.zip"
        make(path)
        with pytest.raises(bk.BackupError) as err:
            bk.restore(path, site / "app.sqlite")
        assert err.value.zh and err.value.en and "Nothing was changed" in err.value.message("en"), what
        assert state(site) == before, what
        assert not [p for p in site.iterdir() if p.name.startswith(".restore")], what
    # the CLI says it in the planner's language, exit code 2
    assert main(["--lang", "zh", "restore", str(tmp_path / "foreign-zip.zip"), "--db", str(site / "app.sqlite")]) == 2
    # and the good one still restores
    bk.restore(good, site / "app.sqlite")
    assert state(site) == before


def test_a_failed_swap_puts_the_previous_state_back(site, tmp_path, monkeypatch):
    store, proposals = open_stores(site)
    store.commit_layer("facilities:day_care", day_care(store, 4), note="v1")
    archive = tmp_path / "b.zip"
    bk.backup(site / "app.sqlite", out=archive)
    store.commit_layer("facilities:day_care", day_care(store, 2), note="v2")
    add_proposal(proposals, "之后")
    before = state(site)
    real = os.replace

    def failing(a, b):
        if Path(a).name == bk.DATABASE:  # the very last step: moving the restored database in
            raise OSError("disk full")
        return real(a, b)

    monkeypatch.setattr(bk.os, "replace", failing)
    # undone, and said as a BackupError (the CLI showed the OSError's traceback: QA 21)
    with pytest.raises(bk.BackupError, match="could not be put in place .disk full.: nothing was changed"):
        bk.restore(archive, site / "app.sqlite")
    monkeypatch.setattr(bk.os, "replace", real)
    assert state(site) == before
    assert not [p for p in site.iterdir() if p.name.startswith(".restore")]


def test_backups_taken_during_writes_are_consistent(site, tmp_path):
    store, proposals = open_stores(site)
    stop = threading.Event()
    errors: list = []

    def writer():
        n = 0
        try:
            while not stop.is_set() and n < 12:
                n += 1
                store.commit_layer("facilities:day_care", day_care(store, 3 + n % 5), note=f"edit {n}",
                                   kind="edit")
                add_proposal(proposals, f"方案{n}")
        except Exception as exc:  # reported below: a writer failing would hide the point of the test
            errors.append(exc)

    t = threading.Thread(target=writer)
    t.start()
    archives = []
    try:
        while t.is_alive() and len(archives) < 16:  # back up again and again while the writer works
            archives.append(tmp_path / f"during-{len(archives)}.zip")
            bk.backup(site / "app.sqlite", out=archives[-1])
    finally:
        stop.set()
        t.join()
    assert not errors, errors
    seen = set()
    for archive in archives:
        unpacked = tmp_path / f"x-{archive.stem}"
        unpacked.mkdir()
        manifest = bk.verify(archive, unpacked)  # integrity_check, checksums, every stored layer's hash
        con = sqlite3.connect(unpacked / "database.sqlite")
        current = con.execute("SELECT version FROM dataset_current").fetchone()[0]
        n_props = con.execute("SELECT COUNT(*) FROM proposals").fetchone()[0]
        con.close()
        assert [v for _, v in manifest["versions"]] == list(range(1, current + 1))
        # the snapshot's versions all have their files: opening the copy marks none missing
        copy = DatasetStore(unpacked / "database.sqlite", region="shiyan", root=unpacked / "datasets" / "shiyan")
        assert all(v.status == "ok" for v in copy.versions())
        assert not [p for p in (unpacked / "datasets" / "shiyan").iterdir() if p.name.startswith(".tmp-")]
        copy.layers()
        # a proposal is added right after each version, so the snapshot holds one or the other count
        assert n_props in (current - 1, current)
        seen.add(current)
    assert len(seen - {0, 12}) >= 1, seen  # some backups really ran between the writer's commits


def test_restore_refuses_while_a_server_holds_the_database(site, tmp_path):
    import subprocess
    import sys
    import time

    store, proposals = open_stores(site)
    add_proposal(proposals, "kept")
    archive = tmp_path / "b.zip"
    bk.backup(site / "app.sqlite", out=archive)
    before = state(site)
    # a "server": another process holding the lock `coverplan serve` takes
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; from geo.backup import serving_lock;"
                               f"l = serving_lock({str(site / 'app.sqlite')!r}); l.acquire(timeout=5);"
                               "print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(bk.CoverplanError) as info:
            bk.restore(archive, site / "app.sqlite")
        assert "停止服务" in info.value.message("zh") and "stop it first" in info.value.message("en")
        assert state(site) == before
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    bk.restore(archive, site / "app.sqlite")   # the dead server's lock is gone with it
    assert state(site) == before


def test_a_backup_after_lost_files_restores_and_says_what_it_lacks(site, tmp_path, capsys):
    """Layer files lost while the database still said "ok": the backup reported "1 data version" and
    its restore was refused as damaged (QA 17). The archive now marks such versions missing, as the
    store would, restores, and the command says which versions lack their files."""
    import json as _json

    from cli.main import main

    store, _ = open_stores(site)
    assert store.commit_layer("facilities:day_care", day_care(store, 5)) == 1
    assert store.commit_layer("facilities:day_care", day_care(store, 7)) == 2
    for f in (site / "datasets" / "shiyan" / "2").glob("*.geojson"):
        f.unlink()
    db = site / "app.sqlite"
    assert main(["--lang", "en", "backup", "--db", str(db), "--out", str(tmp_path / "b.zip")]) == 0
    err = capsys.readouterr().err
    assert "data version(s) v2 are missing or changed" in err
    assert main(["restore", str(tmp_path / "b.zip"), "--db", str(tmp_path / "new" / "db.sqlite"), "--json"]) == 0
    out = _json.loads(capsys.readouterr().out)
    assert out["missing_versions"] == [["shiyan", 2]]
    again = DatasetStore(tmp_path / "new" / "db.sqlite", region="shiyan")
    assert {v.version: v.status for v in again.versions()} == {0: "ok", 1: "ok", 2: "missing"}
    assert again.current().version == 1


def test_a_backup_that_finds_no_version_files_is_refused(site, tmp_path, capsys):
    """With the server's data elsewhere (its DATA_DIR), every version was marked missing and the archive
    'backed up' nothing usable, with one line on stderr (review of QA 17)."""
    from cli.main import main

    store, _ = open_stores(site)
    assert store.commit_layer("facilities:day_care", day_care(store, 5)) == 1
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert main(["--lang", "en", "backup", "--db", str(site / "app.sqlite"), "--data-dir", str(elsewhere),
                 "--out", str(tmp_path / "b.zip")]) == 2
    assert "--data-dir" in capsys.readouterr().err and not (tmp_path / "b.zip").exists()
