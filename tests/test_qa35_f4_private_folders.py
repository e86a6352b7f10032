"""QA 35 (fixer QA35-F4): the server's data folders and the files it writes there are the owner's alone.

The database and its backups were 0600 whatever the umask (QA 34), but the folders beside it kept the umask's mode:
under umask 022 every local user could list and read datasets/ (the data versions' layers and the uploaded source
registers), uploads/ (the files being checked), reports/ (the rows a check quotes), a restore's staging folder and
the `.serving` lock. Now the folders the app makes are 0700, the files it writes there (an upload, a kept report,
a restored file, the lock) 0600, and folders made wider before are narrowed when a writer opens them. A folder the
user gave (the database's) is left as it is.
"""
from __future__ import annotations

import io
import os
import stat
from contextlib import contextmanager
from pathlib import Path

import pytest

from geo import backup as bk
from geo.dbfile import PRIVATE_DIR_MODE, private_dir
from test_qa29_carried import register_of


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def _upload(client, body: bytes, name: str):
    data = {"kind": "facilities", "coords": "wgs84", "type": "day_care", "file": (io.BytesIO(body), name)}
    r = client.post("/api/data/uploads?lang=en", data=data, content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["upload_id"]


def _confirm(client, uid: str) -> int:
    r = client.post(f"/api/data/uploads/{uid}/confirm")
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()["version"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server's data made under umask 022: one register checked (its upload kept) and one imported."""
    from web.app import create_app

    home = tmp_path_factory.mktemp("qa35f4")
    os.chmod(home, 0o755)  # a folder of the user's, given for the database
    db = home / "var" / "proposals.sqlite"
    with umask(0o022):  # (restored before the tests run)
        app = create_app({"DB_PATH": str(db), "TESTING": True})
    try:
        c = app.test_client()
        region = app.extensions["coverplan"]["service"].region
        with umask(0o022):
            kept = _upload(c, register_of(region, "420325", 2, "甲"), "fang.csv")
            version = _confirm(c, _upload(c, register_of(region, "420322", 2, "乙"), "yunxi.csv"))
        yield {"app": app, "client": c, "db": db, "home": home, "kept": kept, "version": version, "region": region}
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_folders_the_server_makes_are_0700_under_umask_022(served):
    var = served["db"].parent
    data = var / "datasets" / "shiyan"
    folders = [var, var / "datasets", data, data / str(served["version"]), data / str(served["version"]) / "source",
               var / "uploads", var / "uploads" / served["kept"], var / "uploads" / served["kept"] / "src",
               var / "reports", var / "reports" / f"v{served['version']}"]
    for folder in folders:
        assert folder.is_dir() and mode(folder) == PRIVATE_DIR_MODE, (folder, oct(mode(folder)))
    # the folder given for the database (the user's) is left as it was
    assert mode(served["home"]) == 0o755


def test_the_files_it_writes_there_are_0600(served):
    var = served["db"].parent
    uploaded = list((var / "uploads" / served["kept"] / "src").iterdir())
    reports = list((var / "reports" / f"v{served['version']}").iterdir())
    assert [f.name for f in uploaded] == ["fang.csv"] and sorted(f.name for f in reports) == ["issues.json",
                                                                                              "meta.json"]
    # and the kept upload's own reports and the done markers beside the uploads, the data store's root mark (QA 35:
    # 0644 inside their 0700 folders)
    upload_files = [f for f in (var / "uploads" / served["kept"]).iterdir() if f.is_file()]
    assert {"meta.json", "issues.json"} <= {f.name for f in upload_files}, upload_files
    done = list((var / "uploads").glob("*.done"))
    assert done, list((var / "uploads").iterdir())
    mark = [f for f in (var / "datasets" / "shiyan").iterdir() if f.is_file()]
    assert mark, list((var / "datasets" / "shiyan").iterdir())
    for f in uploaded + reports + upload_files + done + mark + [served["db"], var / "secret_key"]:
        assert mode(f) == 0o600, (f, oct(mode(f)))
    assert uploaded[0].read_bytes().startswith("名称,类型".encode())  # the upload itself, whole


def test_the_serving_lock_is_0600_and_an_older_one_is_narrowed(tmp_path):
    db = tmp_path / "app.sqlite"
    lock_file = Path(str(db) + ".serving")
    with umask(0o022):
        lock = bk.serving_lock(db)
        with lock:
            assert mode(lock_file) == 0o600, oct(mode(lock_file))
    os.chmod(lock_file, 0o644)  # as an older coverplan left it
    with bk.serving_lock(db):
        assert mode(lock_file) == 0o600, oct(mode(lock_file))


def test_folders_made_wider_before_are_narrowed_by_a_writer(served):
    from geo.datasets import DatasetStore

    var, c = served["db"].parent, served["client"]
    datasets, reports, uploads = var / "datasets", var / "reports", var / "uploads"
    for folder in (datasets, datasets / "shiyan", reports, uploads):
        os.chmod(folder, 0o755)  # as an older coverplan made them
    # a listing changes nothing ...
    DatasetStore(served["db"], region="shiyan", root=datasets / "shiyan", readonly=True)
    assert mode(datasets) == 0o755
    # ... a writer (the server at its start, an import) narrows them
    with umask(0o022):
        DatasetStore(served["db"], region="shiyan", root=datasets / "shiyan")
        assert mode(datasets) == mode(datasets / "shiyan") == PRIVATE_DIR_MODE
        # the next upload narrows uploads/, the next import's report reports/
        version = _confirm(c, _upload(c, register_of(served["region"], "420325", 1, "丙"), "next.csv"))
    assert mode(uploads) == mode(reports) == mode(reports / f"v{version}") == PRIVATE_DIR_MODE


def test_a_restore_puts_back_private_folders_and_files(served, tmp_path):
    var = served["db"].parent
    archive = tmp_path / "bk.zip"
    with umask(0o022):
        bk.backup(served["db"], out=archive)
        target = tmp_path / "restored" / "proposals.sqlite"
        bk.restore(archive, target)
    data = target.parent / "datasets" / "shiyan" / str(served["version"])
    files = [p for p in data.rglob("*") if p.is_file()] + \
        [p for p in (target.parent / "reports").rglob("*") if p.is_file()]
    assert len(files) >= 4 and any(p.parent.name == "source" for p in files), files
    for f in files + [target]:
        assert mode(f) == 0o600, (f, oct(mode(f)))
    for folder in {p.parent for p in files} | {target.parent / "datasets", target.parent / "reports", target.parent}:
        assert mode(folder) == PRIVATE_DIR_MODE, (folder, oct(mode(folder)))
    assert not list(target.parent.glob(".restore-*"))  # the staging folders are gone
    assert (var / "datasets").is_dir()  # (the server's own data untouched)


def test_private_dir_whatever_the_umask(tmp_path):
    with umask(0o277):  # a new folder's mode is narrowed by the umask only: 0500 here, unwritable by its owner
        made = private_dir(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == mode(tmp_path / "a" / "b") == PRIVATE_DIR_MODE and made == tmp_path / "a" / "b"
    (made / "f").write_text("x")  # writable
    with pytest.raises(FileExistsError):
        private_dir(made, exist_ok=False)
    with pytest.raises(FileExistsError):
        private_dir(made / "f")  # a file where the folder should be, as Path.mkdir says
    given = tmp_path / "given"
    given.mkdir()
    os.chmod(given, 0o755)
    private_dir(given, narrow=False)
    assert mode(given) == 0o755
    private_dir(given)
    assert mode(given) == PRIVATE_DIR_MODE
