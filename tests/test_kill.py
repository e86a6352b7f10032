"""Crash safety of the real server: ``kill -9`` in the middle of a job, an import, an edit, a save.

One folder (database + data files) is shared by the tests below, in order, the
way a bureau's server lives through several crashes: each test starts
``coverplan serve`` on it (a child process, waitress, a free 127.0.0.1 port),
first checks what the previous kill left -- ``PRAGMA integrity_check`` is ok,
everything committed is still there, nothing half-written is visible,
interrupted jobs say "interrupted" -- then does its own operation over HTTP
and kills the process in the middle of it. The test hooks
(``COVERPLAN_DATASETS_TEST_PAUSE`` in geo/datasets.py, ``COVERPLAN_STORE_TEST_PAUSE``
in web/store.py) hold the write at a known point, so the kill lands mid-write
every time, not by luck of timing.
"""
from __future__ import annotations

import json
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from bench.live import LiveServer  # noqa: E402

from geo.datasets import TEST_PAUSE_ENV as DATASETS_PAUSE  # noqa: E402
from web.store import TEST_PAUSE_ENV as STORE_PAUSE  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

VILLAGES = ROOT / "data" / "regions" / "shiyan" / "build" / "villages.geojson"


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """The shared folder and what the tests so far committed and left half-done."""
    return {"folder": tmp_path_factory.mktemp("killed"), "proposals": set(), "versions": [0],
            "pending": None}


def village_points(n: int, start: int = 0) -> list[tuple[str, float, float]]:
    feats = json.loads(VILLAGES.read_text("utf-8"))["features"][start:start + n]
    return [(f["properties"]["name"], *f["geometry"]["coordinates"]) for f in feats]


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def rows(db: Path, sql: str) -> list:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def in_background(fn) -> threading.Thread:
    """A request that will never be answered (the server dies during it)."""
    def run():
        try:
            fn()
        except Exception:  # the connection is cut by the kill: expected
            pass
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def start_and_check(chain, env: dict | None = None) -> LiveServer:
    """Start the server on the shared folder and check the aftermath of the last kill."""
    srv = LiveServer(chain["folder"], env=env)
    db = srv.db
    if db.exists():  # before any process opened it again: the file as the crash left it
        assert integrity(db) == "ok"
    srv.start()
    try:
        return _checked(chain, srv, db)
    except BaseException:  # a failed check must not leave the server running after the test
        srv.stop()
        raise


def _checked(chain, srv: LiveServer, db) -> LiveServer:
    assert integrity(db) == "ok"
    c = srv.client()
    versions = c.get("/api/data/versions").json()
    assert sorted(v["version"] for v in versions["versions"]) == chain["versions"], "a committed version was lost"
    assert versions["current"] == chain["versions"][-1]
    saved = {p["id"] for p in c.get("/api/proposals").json()}
    assert saved == chain["proposals"], "saved proposals changed across the crash"
    root = chain["folder"] / "datasets" / "shiyan"
    # the folder's owner mark and a crashed commit's version folder set aside (.orphan-*) are not versions
    on_disk = sorted(p.name for p in root.iterdir() if not p.name.startswith((".coverplan-store", ".orphan-")))
    assert on_disk == [str(v) for v in chain["versions"] if v], f"half-written files left: {on_disk}"
    pending = chain["pending"]
    if pending and pending.get("job"):
        job = c.get(f"/api/jobs/{pending['job']}").json()
        assert job["state"] == "interrupted", job
        assert "重启" in job["message"]
        assert c.get(f"/api/jobs/{pending['job']}?lang=en").json()["message"].startswith("The server restarted")
    chain["pending"] = None
    srv.c = c
    return srv


def test_a_job_killed_while_solving_shows_interrupted(chain):
    srv = start_and_check(chain)
    try:
        c = srv.c
        # something committed before the crash: a proposal saved in full
        done = c.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2,
                                                     "name": "保存完整的方案"})
        assert done.status_code == 201, done.text[:300]
        chain["proposals"].add(done.json()["proposal"]["id"])
        # a solve big enough to be still running when the process dies
        job = c.post("/api/proposals", json={"type": "day_care", "model": "pmedian", "p": 150,
                                             "time_limit": 120}).json()
        deadline = time.time() + 60
        # the journal row is written just after the job starts: wait for both
        while (c.get(f"/api/jobs/{job['id']}").json()["state"] != "running"
               or rows(srv.db, f"SELECT state FROM jobs WHERE id='{job['id']}'") != [("running",)]):
            assert time.time() < deadline
            time.sleep(0.05)
        assert srv.kill9() == -signal.SIGKILL
    finally:
        srv.stop()
    chain["pending"] = {"job": job["id"]}


def test_an_import_killed_before_its_rename_leaves_no_version(chain):
    srv = start_and_check(chain, env={DATASETS_PAUSE: "staged"})
    try:
        c = srv.c
        lines = ["机构名称,类型,经度,纬度"] + [f"{n}日间照料中心,日间照料中心,{x:.6f},{y:.6f}"
                                           for n, x, y in village_points(6)]
        rep = c.post("/api/data/uploads", data={"kind": "facilities", "coords": "wgs84"},
                     files={"file": ("日间照料中心名录.csv", ("\n".join(lines) + "\n").encode("utf-8"))})
        assert rep.status_code == 200, rep.text[:300]
        uid = rep.json()["upload_id"]
        in_background(lambda: c.post(f"/api/data/uploads/{uid}/confirm"))
        srv.wait_for_log("paused at staged")
        root = chain["folder"] / "datasets" / "shiyan"
        assert any(p.name.startswith(".tmp-") for p in root.iterdir())  # the files were being written
        assert srv.kill9() == -signal.SIGKILL
    finally:
        srv.stop()


def test_an_edit_killed_after_its_rename_leaves_no_version(chain):
    srv = start_and_check(chain, env={DATASETS_PAUSE: "renamed"})
    try:
        c = srv.c
        # every commit of this process pauses, so the edit committed in full is the next test's
        name, x, y = village_points(1, start=500)[0]
        in_background(lambda: c.post("/api/data/edits", json={"action": "add", "type": "cemetery",
                                                              "name": "半截公墓", "lon": x, "lat": y}))
        srv.wait_for_log("paused at renamed")
        assert (chain["folder"] / "datasets" / "shiyan" / "1").is_dir()  # in place, row not committed
        assert srv.kill9() == -signal.SIGKILL
    finally:
        srv.stop()


def test_a_proposal_save_killed_before_commit_is_not_visible(chain):
    srv = start_and_check(chain, env={STORE_PAUSE: "proposal"})
    try:
        c = srv.c
        # an edit committed in full (this server's datasets hook is off)
        name, x, y = village_points(1, start=700)[0]
        r = c.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "完整公墓",
                                            "lon": x, "lat": y})
        assert r.status_code == 200, r.text[:300]
        chain["versions"].append(r.json()["version"])
        job = c.post("/api/proposals", json={"type": "elderly_complex", "model": "mclp", "p": 3,
                                             "name": "半截方案"}).json()
        srv.wait_for_log("paused at proposal")
        # the row is written inside the open transaction, not committed: no other reader sees it
        assert rows(srv.db, "SELECT COUNT(*) FROM proposals WHERE name='半截方案'") == [(0,)]
        assert srv.kill9() == -signal.SIGKILL
    finally:
        srv.stop()
    chain["pending"] = {"job": job["id"]}


def test_after_all_the_crashes_the_server_is_consistent_and_works(chain):
    srv = start_and_check(chain)
    try:
        c = srv.c
        assert rows(srv.db, "SELECT COUNT(*) FROM proposals WHERE name='半截方案'") == [(0,)]
        facilities = c.get("/api/facilities?type=cemetery").json()
        names = {r["name"] for r in facilities["rows"]}
        assert "完整公墓" in names and "半截公墓" not in names
        assert rows(srv.db, "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')") == [(0,)]
        # and it still writes
        r = c.post("/api/data/rollback", json={"version": 0})
        assert r.status_code == 200, r.text[:300]
    finally:
        srv.stop()
