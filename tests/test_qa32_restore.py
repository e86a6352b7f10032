"""QA 32 (shared server): `coverplan restore` and the data version numbers, and its trace in the audit log.

After a restore to a backup of v1, the next edit was a second "v2": an upload checked on the replaced v2 was
then confirmed (200, no DataChanged) on other data, and an export saying "数据版本 v2" named two things. The
restored database now records the highest number the replaced one had handed out and the store numbers its
next version above it, so the stale upload hears the usual 409. And a restore left no trace: the audit log of
the restored database now says who restored which archive, of when, and what it dropped.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from accounts import accounts_app, signed_in
from geo import backup as bk
from geo.datasets import DatasetStore, highest_numbers
from test_qa21_cli import run
from test_qa27_provenance import upload
from test_qa29_carried import register_of
from web.app import create_app
from web.store import ProposalStore
from web.users import UserStore


from test_backup import site  # noqa: E402,F401  (the server folder fixture, one definition)


def store_of(folder: Path) -> DatasetStore:
    return DatasetStore(folder / "app.sqlite", region="shiyan", root=folder / "datasets" / "shiyan")


def day_care(store: DatasetStore, n: int):
    f = store.layers()["facilities"]
    return f[f["facility_type"] == "day_care"].iloc[:n]


def add_proposal(db: Path, name: str) -> str:
    return ProposalStore(db).add(
        name=name, type_key="day_care", params={"p": 1}, summary={"before": {}, "after": {}},
        geojson={"type": "FeatureCollection", "features": []})


def upload_checked_before_a_restore(tmp_path: Path, monkeypatch, others: list = ()) -> tuple[Path, Path, str]:
    """A server of li (and `others`): li's import makes v1, a backup of v1, his import makes v2 and his next upload
    is checked on v2. Returns the database, the backup archive and that upload's id; nothing is restored yet."""
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var-unused"))
    folder = tmp_path / "site"
    folder.mkdir()
    db = folder / "p.sqlite"
    app = accounts_app(folder, [("li", "planner", None), *others])
    try:
        region = app.extensions["coverplan"]["service"].region
        li = signed_in(app, "li")
        r = li.post(f"/api/data/uploads/{upload(li, register_of(region, '420325', 3, '甲'), 'a.csv', type='day_care').get_json()['upload_id']}/confirm")
        assert r.status_code == 200 and r.get_json()["version"] == 1, r.get_json()
        archive = tmp_path / "周一备份.zip"
        bk.backup(db, out=archive)
        r = li.post(f"/api/data/uploads/{upload(li, register_of(region, '420322', 2, '乙'), 'b.csv', type='day_care').get_json()['upload_id']}/confirm")
        assert r.get_json()["version"] == 2
        stale = upload(li, register_of(region, "420325", 4, "丙"), "c.csv", type="day_care")
        assert stale.status_code == 200, stale.get_json()
        return db, archive, stale.get_json()["upload_id"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_numbers_continue_above_the_replaced_database_and_survive_a_second_restore(site, tmp_path, capsys):
    store = store_of(site)
    assert store.commit_layer("facilities:day_care", day_care(store, 12), note="名录") == 1
    archive = tmp_path / "bk.zip"
    bk.backup(site / "app.sqlite", out=archive)
    # after the backup: three versions and two proposals
    add_proposal(site / "app.sqlite", "下午的方案")
    assert store.commit_layer("facilities:day_care", day_care(store, 5), note="later") == 2
    assert store.rollback(1) == 3
    assert store.commit_layer("facilities:day_care", day_care(store, 3), note="later still") == 4
    add_proposal(site / "app.sqlite", "上午的方案")

    code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(site / "app.sqlite"), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["versions"] == [["shiyan", 1]]
    assert answer["dropped"]["versions"] == [["shiyan", 2], ["shiyan", 3], ["shiyan", 4]]
    assert answer["dropped"]["proposals"] == 2
    assert sorted(answer["dropped"]["proposal_names"]) == sorted(["上午的方案", "下午的方案"])
    assert answer["dropped"]["next_version"] == {"shiyan": 5}

    store = store_of(site)
    assert [v.version for v in store.versions()] == [0, 1] and store.current().version == 1
    # not a second v2: every way of making a version numbers above what the replaced database handed out
    assert store.commit_layer("facilities:day_care", day_care(store, 4), note="after restore") == 5
    assert store.rollback(1) == 6
    assert highest_numbers(site / "app.sqlite") == {"shiyan": 6}

    # a second restore of the same archive over this one: the numbers up to v6 stay taken
    code, out, err = run(capsys, "--lang", "zh", "restore", str(archive), "--db", str(site / "app.sqlite"))
    assert code == 0, err
    assert "2 个数据版本（shiyan v5–v6）和 0 个方案已丢弃" in out, out
    assert "此后新的数据版本从 shiyan v7 起编号" in out, out
    store = store_of(site)
    assert [v.version for v in store.versions()] == [0, 1]
    assert store.commit_layer("facilities:day_care", day_care(store, 2), note="again") == 7
    # and a backup of the restored database restores (its manifest lists the table of numbers too)
    bk.backup(site / "app.sqlite", out=tmp_path / "after.zip")
    assert bk.restore(tmp_path / "after.zip", site / "app.sqlite")["dropped"]["versions"] == []
    assert store_of(site).commit_layer("facilities:day_care", day_care(store, 6), note="once more") == 8


def test_a_restore_onto_a_new_database_drops_nothing_and_numbers_as_before(site, tmp_path, capsys):
    store = store_of(site)
    store.commit_layer("facilities:day_care", day_care(store, 12), note="名录")
    archive = tmp_path / "bk.zip"
    bk.backup(site / "app.sqlite", out=archive)
    new = tmp_path / "new" / "db.sqlite"
    code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(new))
    assert code == 0, err
    assert "0 data version(s) and 0 proposal(s) of the replaced database, made after the backup, were dropped" in out
    assert DatasetStore(new, region="shiyan").commit_layer("facilities:day_care", day_care(store, 3)) == 2
    row = UserStore(new).audit_list(action="restore")[1][0]
    assert row["object"] == "bk.zip" and row["detail"]["dropped_versions"] == [] \
        and row["detail"]["dropped_proposals"] == 0


def test_a_stale_upload_is_refused_after_the_restore_and_the_audit_says_what_was_dropped(tmp_path, capsys,
                                                                                         monkeypatch):
    """The tester's case: backup at v1; li's import makes v2 and his next upload is checked on v2; restore;
    zhao's import makes a new version; li's confirm of his old upload: a 409, not a version made on data
    his report never saw."""
    db, archive, stale_id = upload_checked_before_a_restore(tmp_path, monkeypatch, [("zhao", "planner", None),
                                                                                ("boss", "admin", None)])
    add_proposal(db, "上午的方案")

    code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(db))
    assert code == 0, err
    assert "1 data version(s) and 1 proposal(s) of the replaced database, made after the backup, were dropped " \
           "(shiyan v2)" in out, out

    app = create_app({"DB_PATH": str(db), "TESTING": True, "AUTH": "required", "CSRF_ENABLED": False})
    try:
        zhao, li = signed_in(app, "zhao"), signed_in(app, "li")
        region = app.extensions["coverplan"]["service"].region
        r = zhao.post(f"/api/data/uploads/{upload(zhao, register_of(region, '420322', 3, '丁'), 'd.csv', type='day_care').get_json()['upload_id']}/confirm")
        assert r.status_code == 200 and r.get_json()["version"] == 3, r.get_json()  # not a second v2
        r = li.post(f"/api/data/uploads/{stale_id}/confirm")
        assert r.status_code == 409, (r.status_code, r.get_json())
        assert r.get_json()["details"]["recheck"] is True
        versions = [v["version"] for v in li.get("/api/data/versions").get_json()["versions"]]
        assert sorted(versions) == [0, 1, 3]

        # the audit log of the restored database says who restored what, of when, and what is gone
        boss = signed_in(app, "boss")
        for lang, label in (("zh", "恢复备份"), ("en", "backup restored")):
            rows = boss.get(f"/api/admin/audit?action=restore&lang={lang}").get_json()["rows"]
            assert len(rows) == 1, rows
            row = rows[0]
            assert row["action_text"] == label and row["object"] == "周一备份.zip"
            assert row["user"].startswith("(command line) ")
            assert row["user_text"].startswith("命令行（" if lang == "zh" else "command line (")
            created = json.loads(zipfile.ZipFile(archive).read("manifest.json"))["created_iso"]
            assert row["detail"]["backup_created"] == created
            assert row["detail"]["dropped_versions"] == [["shiyan", 2]]
            assert row["detail"]["dropped_proposals"] == 1
            assert row["detail"]["dropped_proposal_names"] == ["上午的方案"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
