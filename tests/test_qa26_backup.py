"""QA 26: a backup keeps the validation reports of the data versions.

A confirmed upload's report is kept with the version it made (DATA_DIR/reports/v<N>/, web.data), and the
version's note says "1 row refused, see the report". `coverplan backup` left reports/ out and `restore` did
not bring it back: after a restore the version list's "Download report" link was gone and the note pointed
at nothing. The archive now holds reports/v<N>/{issues.json,meta.json}, listed in its manifest with their
hashes; a restore checks them as hostile input (names, size, JSON, hash, a version the database holds)
and swaps them in with the database, all or nothing.
"""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from geo import backup as bk
from geo import settings
from test_qa21_cli import run


def make_app(folder: Path):
    from web.app import create_app

    return create_app({"DB_PATH": str(folder / "p.sqlite"), "TESTING": True})


def report_of(folder: Path, version: int) -> tuple[int, str | None, dict]:
    """(status, CSV text, version row) of ``version``'s kept report, as an app on ``folder`` serves it."""
    app = make_app(folder)
    try:
        c = app.test_client()
        r = c.get(f"/api/data/versions/{version}/report.csv?lang=en")
        row = next(x for x in c.get("/api/data/versions?lang=en").get_json()["versions"] if x["version"] == version)
        return r.status_code, r.get_data().decode("utf-8-sig") if r.status_code == 200 else None, row
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def site(tmp_path_factory, shiyan):
    """A server's folder with one data version made through the web app from a file with one refused row;
    returns (folder, version, the report's CSV as the app served it)."""
    folder = tmp_path_factory.mktemp("qa26") / "site"
    folder.mkdir()
    app = make_app(folder)
    try:
        c = app.test_client()
        v = shiyan.villages.iloc[0].geometry
        body = ("名称,类型,经度,纬度,床位数\n"
                f"甲福利院,农村福利院,{v.x},{v.y},40\n"
                f"乙福利院,农村福利院,{v.x + 0.01},{v.y},-5\n"  # a warning: capacity unknown
                f"丙福利院,农村福利院,{v.x},{v.y + 0.01},999999\n").encode("utf-8")  # refused: implausible
        r = c.post("/api/data/uploads?lang=zh", content_type="multipart/form-data",
                   data={"kind": "facilities", "coords": "wgs84", "file": (io.BytesIO(body), "福利院.csv")})
        assert r.status_code == 200, r.data[:300]
        assert r.get_json()["counts"]["refused"] == 1
        version = c.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm").get_json()["version"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert (folder / "reports" / f"v{version}" / "issues.json").is_file()
    status, text, row = report_of(folder, version)
    assert status == 200 and "999999" in text and "1 row refused, see the report" in row["note"]
    return folder, version, text


@pytest.fixture(scope="module")
def archive(site, tmp_path_factory):
    folder, _, _ = site
    out = tmp_path_factory.mktemp("qa26-archive") / "backup.zip"
    bk.backup(folder / "p.sqlite", out=out)
    return out


def rewrite(src: Path, dst: Path, change) -> None:
    """Copy archive ``src`` to ``dst`` with ``change(members)`` applied: {name: bytes}, edited in place."""
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    change(members)
    with zipfile.ZipFile(dst, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)


def manifest_of(members: dict) -> dict:
    return json.loads(members["manifest.json"])


def set_manifest(members: dict, m: dict) -> None:
    members["manifest.json"] = json.dumps(m).encode()


def put(members: dict, name: str, data: bytes) -> None:
    """Add or replace member ``name``, listed in the manifest with its true size and hash (a forger's archive)."""
    members[name] = data
    m = manifest_of(members)
    m["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    set_manifest(members, m)


def tree(folder: Path) -> dict:
    """Every file under ``folder`` with its bytes (what a refused restore must leave as it was)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the round trip ---------------------------------------------------------------------------------------
def test_a_restored_version_keeps_its_report(site, archive, tmp_path):
    folder, version, text = site
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
    kept = {f"reports/v{version}/issues.json", f"reports/v{version}/meta.json"}
    assert kept <= names
    assert manifest["reports"] == [version]
    for name in kept:  # listed like the other files: size and hash, so a restore can check them
        body = (folder / name).read_bytes()
        assert manifest["files"][name] == {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}

    new = tmp_path / "new"
    restored = bk.restore(archive, new / "p.sqlite")
    assert bk.describe(restored)["reports"] == 1
    assert (new / "reports" / f"v{version}" / "meta.json").read_bytes() == \
        (folder / "reports" / f"v{version}" / "meta.json").read_bytes()
    status, again, row = report_of(new, version)
    assert status == 200 and again == text
    assert row["report"].endswith(f"/{version}/report.xlsx") and "1 row refused, see the report" in row["note"]
    assert not [p for p in new.iterdir() if p.name.startswith(".restore")]


def test_a_restore_replaces_the_reports_of_the_state_it_replaces(site, archive, tmp_path):
    """reports/ is swapped in with the database: a report left from the replaced state does not stay."""
    folder, version, text = site
    target = tmp_path / "target"
    bk.restore(archive, target / "p.sqlite")
    stale = target / "reports" / "v99"
    stale.mkdir()
    (stale / "issues.json").write_text("[]", "utf-8")
    bk.restore(archive, target / "p.sqlite")
    assert not stale.exists()
    assert sorted(p.name for p in (target / "reports").iterdir()) == [f"v{version}"]
    assert report_of(target, version)[1] == text


def test_an_archive_made_before_reports_were_kept_still_restores(site, archive, tmp_path):
    folder, version, text = site
    old = tmp_path / "old.zip"

    def strip(members):
        for n in [n for n in members if n.startswith("reports/")]:
            del members[n]
        m = manifest_of(members)
        m["files"] = {n: v for n, v in m["files"].items() if not n.startswith("reports/")}
        m.pop("reports", None)  # (none in an archive made before QA 26)
        set_manifest(members, m)
    rewrite(archive, old, strip)

    new = tmp_path / "new"
    bk.restore(old, new / "p.sqlite")
    assert not (new / "reports").exists()  # simply absent
    status, _, row = report_of(new, version)
    assert status == 404 and "report" not in row and row["version"] == version

    # over a folder holding the reports, such an archive leaves them as its restore did then (the app shows
    # a report only for the very file that made its version)
    target = tmp_path / "target"
    bk.restore(archive, target / "p.sqlite")
    bk.restore(old, target / "p.sqlite")
    assert report_of(target, version)[1] == text


def test_a_backup_leaves_out_a_report_it_could_not_restore(site, tmp_path):
    """A report half written (a confirm in flight) or of another file than made its version (left from a
    database restored since) is not archived: the archive would otherwise be refused, or show it."""
    folder, version, _ = site
    for what, edit in {
        "half written": lambda d: (d / "issues.json").write_text('[{"row": 3, "sev', "utf-8"),
        "another file's": lambda d: (d / "meta.json").write_text(json.dumps(
            {**json.loads((d / "meta.json").read_text("utf-8")), "sha256": "0" * 64}), "utf-8"),
        "one file only": lambda d: (d / "meta.json").unlink(),
    }.items():
        copy = tmp_path / what.replace(" ", "-") / "site"
        shutil.copytree(folder, copy)
        edit(copy / "reports" / f"v{version}")
        out = copy.parent / "b.zip"
        manifest = bk.backup(copy / "p.sqlite", out=out)
        assert manifest["reports"] == [], what
        assert not [n for n in zipfile.ZipFile(out).namelist() if n.startswith("reports/")], what
        bk.restore(out, copy.parent / "restored" / "p.sqlite")  # and it restores
        assert report_of(copy.parent / "restored", version)[0] == 404, what


# -- a hostile archive ------------------------------------------------------------------------------------
def tampered(version: int) -> dict:
    """What a forger may do to the reports of an archive, and a word the refusal must say."""
    issues, meta = f"reports/v{version}/issues.json", f"reports/v{version}/meta.json"

    def edited(members):  # the report changed, its hash not: the checksum differs
        members[issues] = members[issues].replace(b"999999", b"888888")

    def invalid(members):  # the report changed with its hash: not JSON
        put(members, issues, members[issues][:-5])

    def not_a_report(members):  # JSON, hashed, but not what the app reads
        put(members, meta, b'{"hello": 1}')

    def escapes(members):
        m = manifest_of(members)
        m["files"][f"reports/v{version}/../../x"] = m["files"].pop(meta)
        set_manifest(members, m)
        members[f"reports/v{version}/../../x"] = members.pop(meta)

    def absolute(members):
        put(members, "/etc/cron.d/x", b"* * * * * root true")

    def other_name(members):
        put(members, f"reports/v{version}/run.sh", b"rm -rf /")

    def leading_zero(members):
        put(members, f"reports/v0{version}/issues.json", members[issues])

    def other_version(members):  # a report for a version the database does not hold
        put(members, "reports/v7/issues.json", members[issues])
        put(members, "reports/v7/meta.json", members[meta])
        m = manifest_of(members)
        m["reports"] = [version, 7]
        set_manifest(members, m)

    def huge_version(members):
        put(members, "reports/v99999999999/issues.json", members[issues])

    def unlisted(members):  # a report the manifest's list does not name
        m = manifest_of(members)
        m["reports"] = []
        set_manifest(members, m)

    def half(members):  # one of its two files
        del members[meta]
        m = manifest_of(members)
        del m["files"][meta]
        set_manifest(members, m)

    def bomb(members):  # a size no backup writes
        m = manifest_of(members)
        m["files"][issues]["bytes"] = 10 ** 12
        set_manifest(members, m)

    def bad_list(members):
        m = manifest_of(members)
        m["reports"] = ["../1"]
        set_manifest(members, m)

    return {"edited": (edited, "checksum"), "invalid JSON": (invalid, "not valid JSON"),
            "not a report": (not_a_report, "not a report's description"),
            "path escapes": (escapes, "not a kept validation report"),
            "absolute": (absolute, "outside the data folder"),
            "other name": (other_name, "not a kept validation report"),
            "leading zero": (leading_zero, "not a kept validation report"),
            "other version": (other_version, "does not hold"),
            "huge version": (huge_version, "not a kept validation report"),
            "unlisted": (unlisted, "not in the manifest's list"), "half": (half, "lacks meta.json"),
            "bomb": (bomb, "at most 256 MB"), "bad list": (bad_list, "malformed")}


def test_a_tampered_report_is_refused_and_nothing_is_restored(site, archive, tmp_path):
    folder, version, text = site
    live = tmp_path / "live"
    bk.restore(archive, live / "p.sqlite")
    (live / "reports" / f"v{version}" / "note.txt").write_text("the live state", "utf-8")
    before = tree(live)
    for what, (change, said) in tampered(version).items():
        bad = tmp_path / f"{what.replace(' ', '-')}.zip"
        rewrite(archive, bad, change)
        # into an empty place: nothing is made
        with pytest.raises(bk.BackupError) as err:
            bk.restore(bad, tmp_path / "empty" / "p.sqlite")
        en, zh = err.value.message("en"), err.value.message("zh")
        assert said in en and bad.name in en and "Nothing was changed" in en, (what, en)
        assert bad.name in zh and "未做任何改动" in zh, (what, zh)
        assert not (tmp_path / "empty").exists(), what
        # over a live state: left as it was
        with pytest.raises(bk.BackupError):
            bk.restore(bad, live / "p.sqlite")
        assert tree(live) == before, what
    assert report_of(live, version)[1] == text


def test_a_report_refusal_names_the_member(site, archive, tmp_path):
    """Where: the member or version the refusal is about, in the error's details (the CLI's --json)."""
    folder, version, _ = site
    bad = tmp_path / "bad.zip"
    rewrite(archive, bad, tampered(version)["other version"][0])
    with pytest.raises(bk.BackupError) as err:
        bk.restore(bad, tmp_path / "x" / "p.sqlite")
    assert err.value.details["member"] == "reports/v7/"
    assert "数据版本 7 的校验报告" in err.value.message("zh") and "没有该版本" in err.value.message("zh")


# -- the CLI ----------------------------------------------------------------------------------------------
def test_the_cli_round_trip_keeps_the_report(site, tmp_path, monkeypatch, capsys):
    folder, version, text = site
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    out = tmp_path / "b.zip"
    code, stdout, err = run(capsys, "--lang", "en", "backup", "--out", str(out), "--db", str(folder / "p.sqlite"),
                            "--json")
    assert code == 0, err
    assert json.loads(stdout)["reports"] == 1
    new = tmp_path / "new" / "p.sqlite"
    code, stdout, err = run(capsys, "--lang", "en", "restore", str(out), "--db", str(new))
    assert code == 0, err
    assert "Restored from" in stdout
    status, again, row = report_of(new.parent, version)
    assert status == 200 and again == text and row["report"].endswith(f"/{version}/report.xlsx")
    # a tampered archive: the planner's language, exit code 2, nothing restored
    bad = tmp_path / "bad.zip"
    rewrite(out, bad, tampered(version)["edited"][0])
    code, _, err = run(capsys, "--lang", "zh", "restore", str(bad), "--db", str(tmp_path / "other" / "p.sqlite"))
    assert code == 2 and "校验值不符" in err and "Traceback" not in err, err
    assert not (tmp_path / "other").exists()


def test_a_failed_swap_puts_the_previous_reports_back(site, archive, tmp_path, monkeypatch):
    """The last rename (the restored database into place) fails: the reports moved aside are back, the
    restored ones taken out again; a reports/ that is a file is refused before anything is moved."""
    import os

    folder, version, text = site
    live = tmp_path / "live"
    bk.restore(archive, live / "p.sqlite")
    (live / "reports" / f"v{version}" / "note.txt").write_text("the live state", "utf-8")
    before = tree(live)
    real = os.replace

    def replace(src, dst):
        if Path(dst) == live / "p.sqlite" and ".restore-old-" not in str(src):  # stage -> db
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(bk.os, "replace", replace)
    with pytest.raises(bk.BackupError) as err:
        bk.restore(archive, live / "p.sqlite")
    assert "nothing was changed" in err.value.message("en")
    assert tree(live) == before
    assert not [p for p in live.iterdir() if p.name.startswith(".restore")]
    monkeypatch.setattr(bk.os, "replace", real)

    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "reports").write_text("a planner's file", "utf-8")
    with pytest.raises(bk.BackupError) as err:
        bk.restore(archive, odd / "p.sqlite")
    assert "reports is not the folder of the versions' validation reports" in err.value.message("en")
    assert tree(odd) == {"reports": b"a planner's file"}
