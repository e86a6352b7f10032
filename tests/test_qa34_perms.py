"""QA 34 (fixer QA34-F7): the database's file modes, and a county proposal's "outdated" flag.

1. The server's database (password hashes, live login tokens) was made 0644 under the usual umask 022, its -wal
   and -shm too, and stayed so after a restore; the backup archives holding it were 0644 as well, while the
   session key beside it was 0600. Now the database (made 0600 before SQLite writes it: its -wal/-shm take that
   mode), the backups and a restored database are the owner's alone whatever the umask, and a database made 0644
   before is narrowed when a writer (the server) opens it -- silently when it cannot (not its owner).
2. A county's proposal was marked outdated when a village moved (or a population row changed) in another county:
   the townships, villages and population rows were compared city-wide. They are compared in its county now.
"""
from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from geo import backup as bk
from geo.dbfile import check_database
from geo.imports import check_villages
from test_qa21_cli import run
from web.users import UserStore

YUNYANG, YUNXI = "420304", "420322"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@contextmanager
def open_wal(db: Path):
    """A connection holding ``db`` open in WAL mode after a write: its -wal and -shm files exist meanwhile."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS qa34_probe (x)")
        con.execute("INSERT INTO qa34_probe VALUES (1)")
        con.commit()
        yield
    finally:
        con.close()


def wal_files(db: Path) -> list[Path]:
    files = [db.with_name(db.name + s) for s in ("-wal", "-shm")]
    assert all(f.is_file() for f in files), files
    return files


# -- 1. the file modes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_the_servers_new_database_and_its_wal_files_are_the_owners_alone(tmp_path, mask):
    from web.app import create_app

    db = tmp_path / "var" / "proposals.sqlite"  # its folder is made too, as a first start makes it
    with umask(mask):
        app = create_app({"DB_PATH": str(db), "TESTING": True})
        try:
            assert mode(db) == 0o600, oct(mode(db))
            with open_wal(db):
                for f in wal_files(db):
                    assert mode(f) == 0o600, (f, oct(mode(f)))
            # the data and accounts are there: the app opened it as before
            assert app.test_client().get("/api/proposals").status_code == 200
        finally:
            app.extensions["coverplan"]["jobs"].shutdown()
    # the session key beside it, as it was
    assert mode(db.parent / "secret_key") == 0o600


def test_users_add_makes_the_database_owner_only(tmp_path, capsys):
    db = tmp_path / "new.sqlite"
    with umask(0o022):
        code, out, err = run(capsys, "--lang", "en", "users", "add", "boss", "--role", "admin", "--db", str(db))
    assert code == 0, err
    assert mode(db) == 0o600, oct(mode(db))


def test_an_existing_0644_database_is_narrowed_when_the_server_opens_it(tmp_path):
    from web.app import create_app

    db = tmp_path / "old.sqlite"
    UserStore(db).add("boss", "admin", None, password="a long enough pass 1")
    with open_wal(db):  # an older install's files, -wal and -shm left beside it
        os.chmod(db, 0o644)
        for f in wal_files(db):
            os.chmod(f, 0o644)
        app = create_app({"DB_PATH": str(db), "TESTING": True})
        try:
            assert mode(db) == 0o600, oct(mode(db))
            for f in wal_files(db):
                assert mode(f) == 0o600, (f, oct(mode(f)))
            assert app.extensions["coverplan"]["users"].by_name("boss") is not None  # its data kept
        finally:
            app.extensions["coverplan"]["jobs"].shutdown()


def test_a_database_it_cannot_narrow_opens_without_a_word(tmp_path, monkeypatch):
    db = tmp_path / "theirs.sqlite"
    UserStore(db)
    os.chmod(db, 0o644)

    def refused(path, *a, **kw):  # not the file's owner
        raise PermissionError(1, "Operation not permitted", path)
    monkeypatch.setattr(os, "chmod", refused)
    assert check_database(db, create=True) == db
    monkeypatch.undo()
    assert mode(db) == 0o644  # left as it was; the store still opens
    assert UserStore(db).list() == []


def test_a_read_only_opening_reads_a_0644_database_as_before(tmp_path, capsys):
    db = tmp_path / "ro.sqlite"
    code, _, err = run(capsys, "--lang", "en", "users", "add", "boss", "--role", "admin", "--db", str(db))
    assert code == 0, err
    os.chmod(db, 0o644)
    code, out, err = run(capsys, "--lang", "en", "users", "list", "--db", str(db))
    assert code == 0 and "boss" in out, err
    assert check_database(db, create=False) == db and mode(db) == 0o644  # a mere check changes nothing
    code, out, err = run(capsys, "--lang", "en", "data", "versions", "--db", str(db))
    assert code == 0 and "embedded" in out, err
    # and the analyses' read-only store (SQLite mode=ro) reads it
    from geo.datasets import DatasetStore
    assert DatasetStore.reader(db, region="shiyan").current().version == 0


@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_backups_and_restored_databases_are_the_owners_alone(tmp_path, capsys, monkeypatch, mask):
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var-unused"))
    site = tmp_path / "site"
    site.mkdir()
    db = site / "app.sqlite"
    UserStore(db).add("boss", "admin", None, password="a long enough pass 1")
    with umask(mask):
        archive = tmp_path / "bk.zip"
        code, _, err = run(capsys, "--lang", "en", "backup", "--out", str(archive), "--db", str(db))
        assert code == 0, err
        assert mode(archive) == 0o600, oct(mode(archive))
        # over an older archive of the same name, made 0644: the new one is 0600
        older = tmp_path / "older.zip"
        older.write_bytes(b"")
        os.chmod(older, 0o644)
        bk.backup(db, out=older)
        assert mode(older) == 0o600, oct(mode(older))
        # a restore to a new place, and over a database made 0644
        fresh = tmp_path / "elsewhere" / "app.sqlite"
        code, _, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(fresh))
        assert code == 0, err
        assert mode(fresh) == 0o600, oct(mode(fresh))
        os.chmod(db, 0o644)
        code, _, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(db))
        assert code == 0, err
        assert mode(db) == 0o600, oct(mode(db))
        with open_wal(db):  # the server's files beside it, once it runs on the restored database
            for f in wal_files(db):
                assert mode(f) == 0o600, (f, oct(mode(f)))
    assert UserStore(db).by_name("boss") is not None  # the restored database is whole


# -- 2. a county's proposal is outdated by its county's places only ---------------------------------------------
def _rows(c) -> dict:
    return {p["id"]: p for p in c.get("/api/proposals?lang=en").get_json()}


def _move_village(store, county: str) -> int:
    """A new data version with one village of ``county`` moved about 150 m; its number."""
    v = store.region().villages
    village = v[v["county_code"].astype(str) == county].iloc[0]
    path = Path(tempfile.mkdtemp()) / "村庄.csv"
    g = village.geometry
    path.write_text(f"代码,经度,纬度\n{village['code']},{g.x + 0.001:.6f},{g.y + 0.001:.6f}\n", encoding="utf-8")
    return store.commit_layer("villages", check_villages(store.region(), path), source_path=path)


def test_a_county_proposal_is_outdated_by_its_countys_villages_and_population_only(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    c = app.test_client()
    try:
        ids = {}
        for key, county in (("county", YUNYANG), ("city", None)):
            body = {"type": "mutual_aid", "kind": "upgrade", "k": 2, **({"county": county} if county else {})}
            r = c.post("/api/proposals?wait=120", json=body)
            assert r.status_code == 201, r.data[:300]
            ids[key] = r.get_json()["proposal"]["id"]
        store = app.extensions["coverplan"]["service"].datasets
        # a village of another county moved: the city's proposal rests on it, the county's not
        _move_village(store, YUNXI)
        rows = _rows(c)
        assert rows[ids["city"]]["outdated"] is True
        assert rows[ids["county"]]["outdated"] is False, rows[ids["county"]]
        assert rows[ids["county"]]["data_changed"] == [] and "village" in rows[ids["county"]]["data_note"].lower()
        assert c.get(f"/api/proposals/{ids['county']}").get_json()["outdated"] is False
        # population rows of another county: still not the county's
        v = store.region().villages
        elsewhere = v[v["county_code"].astype(str) == YUNXI].index[:2].astype(str).tolist()
        store.commit_layer("population", pd.DataFrame({"code": elsewhere, "population": [900, 800]}))
        assert _rows(c)[ids["county"]]["outdated"] is False
        # a village of its own county moved: outdated, the village layer named
        _move_village(store, YUNYANG)
        row = _rows(c)[ids["county"]]
        assert row["outdated"] is True and len(row["data_changed"]) == 1, row
        assert c.get(f"/api/proposals/{ids['county']}").get_json()["outdated"] is True
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_population_row_of_its_county_makes_a_county_proposal_outdated(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        service = app.extensions["coverplan"]["service"]
        store = service.datasets
        v = store.region().villages
        here = v[v["county_code"].astype(str) == YUNYANG].index[:1].astype(str).tolist()
        there = v[v["county_code"].astype(str) == YUNXI].index[:1].astype(str).tolist()
        v1 = store.commit_layer("population", pd.DataFrame({"code": there, "population": [900]}))
        v2 = store.commit_layer("population", pd.DataFrame({"code": there + here, "population": [900, 700]}))
        with app.test_request_context("/"):
            places = ("townships", "villages", "population")
            assert service.changed_layers(0, places, YUNYANG, to=v1) == []
            assert service.changed_layers(0, places, YUNXI, to=v1) == ["population"]
            assert service.changed_layers(0, places, to=v1) == ["population"]  # city-wide, as before
            assert service.changed_layers(v1, places, YUNYANG, to=v2) == ["population"]
            assert service.changed_layers(v1, places, YUNXI, to=v2) == []
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
