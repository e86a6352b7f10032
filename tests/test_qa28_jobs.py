"""QA 28, jobs a restart cut off: every one listed to its owner with its start, Dismiss kept on the server (it came
back in another browser), another planner's job "not found" by its id (it showed his name and parameters), and an
interrupted job's elapsed time without the time the server was down (14.6 s for a solve killed at 2.5 s).

A restart is a second app on the same database (its job runner finds the journal's running jobs cut off).
"""
from __future__ import annotations

import threading
import time

import pytest

from accounts import PW, accounts_app, signed_in
from conftest import plain_client
from web.app import create_app


def restart(db, **config):
    """The server started again on ``db`` (what a restart does to the jobs: a new runner on the same journal)."""
    return create_app({"DB_PATH": str(db), "TESTING": True, **config})


def cut_off_job(journal, job_id: str, owner: str, name: str, *, kind="sized", ran=2.5, ago=60.0):
    """A proposal job the journal saw running (started ``ago`` seconds ago, last known to run ``ran`` s later):
    what a server killed in the middle of a solve leaves behind."""
    import sqlite3

    from web.jobs import Job

    now = time.time()
    job = Job(id=job_id, kind="proposal", state="running", owner=owner, created=now - ago - 1, started=now - ago,
              params={"type": "elderly_complex", "kind": kind, "budget_sites": 40, "name": name})
    journal.record(job)
    with sqlite3.connect(journal.path) as con:  # its last record while running, ``ran`` s after its start
        if "seen" in {r[1] for r in con.execute("PRAGMA table_info(jobs)")}:  # (a release without it: the start)
            con.execute("UPDATE jobs SET seen = ? WHERE id = ?", (now - ago + ran, job_id))
    return job


def shut(*apps):
    for a in apps:
        a.extensions["coverplan"]["jobs"].shutdown()


# -- item 10: an interrupted job's elapsed is the time it is known to have run, not the downtime -------------------
def test_a_job_cut_off_by_a_restart_counts_only_the_time_it_was_known_to_run(tmp_path, monkeypatch):
    from web import jobs as jobs_mod

    monkeypatch.setattr(jobs_mod, "HEARTBEAT", 0.1, raising=False)
    db = tmp_path / "p.sqlite"
    first = create_app({"DB_PATH": str(db), "TESTING": True})
    runner = first.extensions["coverplan"]["jobs"]
    gate = threading.Event()

    def solve(progress, should_stop):  # a solver polling its stop, as the MIP's callbacks do
        while not gate.is_set() and not should_stop():
            time.sleep(0.02)

    runner.owner_of = lambda: "addr:127.0.0.1"  # started from this computer (the test client's address)
    job = runner.submit("proposal", solve, {"type": "elderly_complex", "kind": "sized", "name": "night-run"})
    try:
        deadline = time.time() + 10
        while runner.get(job.id).state != "running":
            assert time.time() < deadline
            time.sleep(0.02)
        time.sleep(1.0)  # it runs for a second ...
        runner.journal = None  # ... and the process dies: nothing more reaches the journal
        time.sleep(2.0)  # the server is down for two seconds
        second = restart(db)
    finally:
        gate.set()
        runner.shutdown()
    try:
        c = second.test_client()
        for lang, said in (("zh", "服务器已重启"), ("en", "server restarted")):
            got = c.get(f"/api/jobs/{job.id}?lang={lang}").get_json()
            assert got["state"] == "interrupted" and said in got["message"]
            # about the second it ran (heartbeats every 0.1 s here), not the 3 s to the restart
            assert 0.7 <= got["elapsed"] <= 1.5, got
            assert got["finished"] == pytest.approx(got["started"] + got["elapsed"], abs=0.01)
            # when the restart found it cut off, said apart
            assert got["cut_off"] is not None and got["cut_off"] - got["finished"] >= 1.8, got
        listed = {j["id"]: j for j in c.get("/api/jobs").get_json()}
        assert 0.7 <= listed[job.id]["elapsed"] <= 1.5
        # a second restart keeps it so (and still lists it)
        third = restart(db)
        try:
            again = third.test_client().get(f"/api/jobs/{job.id}").get_json()
            assert again["elapsed"] == pytest.approx(listed[job.id]["elapsed"], abs=0.01)
            assert job.id in {j["id"] for j in third.test_client().get("/api/jobs").get_json()}
        finally:
            shut(third)
    finally:
        shut(second)


def test_without_a_later_record_the_elapsed_ends_at_its_start_or_last_record(tmp_path):
    db = tmp_path / "p.sqlite"
    first = restart(db)
    journal = first.extensions["coverplan"]["jobs"].journal
    cut_off_job(journal, "aaa111bbb222", "addr:127.0.0.1", "killed-at-2.5s", ran=2.5, ago=60)
    # a row of the release before: running, no record after its start
    cut_off_job(journal, "ccc333ddd444", "addr:127.0.0.1", "no-heartbeat", ran=0, ago=30)
    import sqlite3
    with sqlite3.connect(db) as con:
        if "seen" in {r[1] for r in con.execute("PRAGMA table_info(jobs)")}:
            con.execute("UPDATE jobs SET seen = NULL WHERE id = 'ccc333ddd444'")
    second = restart(db)
    try:
        c = second.test_client()
        a = c.get("/api/jobs/aaa111bbb222").get_json()
        assert a["elapsed"] == pytest.approx(2.5, abs=0.05), a  # was 60 s: the time to the restart
        b = c.get("/api/jobs/ccc333ddd444").get_json()
        assert b["elapsed"] == pytest.approx(0, abs=0.05), b  # nothing known beyond its start: no invented time
    finally:
        shut(first, second)


def test_a_row_an_older_release_marked_interrupted_is_not_counted_to_the_restart(tmp_path):
    import sqlite3
    db = tmp_path / "p.sqlite"
    first = restart(db)
    journal = first.extensions["coverplan"]["jobs"].journal
    cut_off_job(journal, "eee555fff666", "addr:127.0.0.1", "old-release", ran=0, ago=600)
    now = time.time()
    with sqlite3.connect(db) as con:  # what the older release wrote at the restart: finished = the restart's time
        con.execute("UPDATE jobs SET state = 'interrupted', finished = ? WHERE id = 'eee555fff666'", (now,))
    second = restart(db)
    try:
        got = second.test_client().get("/api/jobs/eee555fff666").get_json()
        assert got["state"] == "interrupted" and got["elapsed"] == pytest.approx(0, abs=0.05), got
        assert got["cut_off"] == pytest.approx(now, abs=0.01)
        assert "eee555fff666" in {j["id"] for j in second.test_client().get("/api/jobs").get_json()}
    finally:
        shut(first, second)


# -- items 4 and 5: every interrupted job listed to its owner; Dismiss on the server; others' jobs "not found" ---------
@pytest.fixture()
def shared(tmp_path):
    first = accounts_app(tmp_path, [("wang", "planner", None), ("li", "planner", None), ("boss", "admin", None)])
    users = first.extensions["coverplan"]["users"]
    journal = first.extensions["coverplan"]["jobs"].journal
    ids = {}
    for job_id, who, name in (("a1a1a1a1a1a1", "wang", "night-run-1"), ("a2a2a2a2a2a2", "wang", "night-run-2"),
                              ("b1b1b1b1b1b1", "li", "night-run-li")):
        cut_off_job(journal, job_id, f"user:{users.by_name(who).id}", name)
        ids[job_id] = who
    second = restart(tmp_path / "p.sqlite", AUTH="required", CSRF_ENABLED=False)
    yield second, tmp_path / "p.sqlite"
    shut(first, second)


def test_every_interrupted_job_is_listed_to_its_owner_with_its_start(shared):
    app, _ = shared
    wang = signed_in(app, "wang")
    listed = {j["id"]: j for j in wang.get("/api/jobs?lang=en").get_json()}
    assert set(listed) == {"a1a1a1a1a1a1", "a2a2a2a2a2a2"}
    for j in listed.values():
        assert j["state"] == "interrupted" and j["started"] is not None and j["cut_off"] is not None
        assert j["params"]["kind"] == "sized" and j["dismissed"] is None
    assert {j["id"] for j in signed_in(app, "li").get("/api/jobs").get_json()} == {"b1b1b1b1b1b1"}


def test_another_planners_job_is_not_found_by_its_id(shared):
    app, _ = shared
    li = signed_in(app, "li")
    for lang, said in (("zh", "未找到任务"), ("en", "not found")):
        r = li.get(f"/api/jobs/a1a1a1a1a1a1?lang={lang}")
        assert r.status_code == 404, r.data[:300]
        body = r.get_json()
        assert said in body["message"] and "night-run-1" not in r.get_data(as_text=True)
        # the same answer as for an id that does not exist: ids cannot be probed
        unknown = li.get(f"/api/jobs/ffffffffffff?lang={lang}").get_json()
        assert body["error"] == unknown["error"] and body["message"].replace("a1a1a1a1a1a1", "X") == \
            unknown["message"].replace("ffffffffffff", "X")
    # its owner and an administrator still see it
    assert signed_in(app, "wang").get("/api/jobs/a1a1a1a1a1a1").status_code == 200
    assert signed_in(app, "boss").get("/api/jobs/a1a1a1a1a1a1").get_json()["params"]["name"] == "night-run-1"
    # a running job of another planner too
    jobs = app.extensions["coverplan"]["jobs"]
    users = app.extensions["coverplan"]["users"]
    gate = threading.Event()
    running = jobs.submit("proposal", lambda progress, stop: gate.wait(10), {"type": "day_care", "name": "wang-live"})
    running.owner = f"user:{users.by_name('wang').id}"
    try:
        assert li.get(f"/api/jobs/{running.id}").status_code == 404
        assert running.id not in {j["id"] for j in li.get("/api/jobs").get_json()}
        assert signed_in(app, "wang").get(f"/api/jobs/{running.id}").status_code == 200
        assert running.id in {j["id"] for j in signed_in(app, "boss").get("/api/jobs").get_json()}
    finally:
        gate.set()


def test_dismiss_is_kept_on_the_server_across_browsers_and_restarts(shared):
    app, db = shared
    wang = signed_in(app, "wang")
    # another planner may not dismiss it (nor learn it exists)
    assert signed_in(app, "li").post("/api/jobs/a1a1a1a1a1a1/dismiss?lang=en").status_code == 404
    r = wang.post("/api/jobs/a1a1a1a1a1a1/dismiss?lang=en")
    assert r.status_code == 200, r.data[:300]
    assert r.get_json()["dismissed"] is not None and r.get_json()["state"] == "interrupted"
    assert wang.post("/api/jobs/a1a1a1a1a1a1/dismiss").status_code == 200  # twice: the same, one audit entry
    entries = app.extensions["coverplan"]["users"].audit_list(action="job_dismissed", limit=50)[1]
    assert [(e["object"], e["user"]) for e in entries] == [("a1a1a1a1a1a1", "wang")]
    # another browser of his (a new login) no longer sees it; the other one stays
    assert {j["id"] for j in signed_in(app, "wang").get("/api/jobs").get_json()} == {"a2a2a2a2a2a2"}
    # an administrator may dismiss another's
    assert signed_in(app, "boss").post("/api/jobs/b1b1b1b1b1b1/dismiss").status_code == 200
    assert signed_in(app, "li").get("/api/jobs").get_json() == []
    # after a restart too
    again = restart(db, AUTH="required", CSRF_ENABLED=False)
    try:
        assert {j["id"] for j in signed_in(again, "wang").get("/api/jobs").get_json()} == {"a2a2a2a2a2a2"}
        assert signed_in(again, "li").get("/api/jobs").get_json() == []
        assert signed_in(again, "wang").get("/api/jobs/a1a1a1a1a1a1").get_json()["dismissed"] is not None
    finally:
        shut(again)


def test_only_an_interrupted_job_is_dismissed_and_the_post_needs_its_token(tmp_path):
    app = restart(tmp_path / "p.sqlite")
    try:
        jobs = app.extensions["coverplan"]["jobs"]
        c = app.test_client()
        done = jobs.submit("proposal", lambda progress, stop: {"ok": 1}, {"type": "day_care"})
        jobs.wait(done.id, 10)
        for lang, said in (("zh", "只有因服务器重启而中断的计算可以关闭"), ("en", "only one a server restart cut off")):
            r = c.post(f"/api/jobs/{done.id}/dismiss?lang={lang}")
            assert r.status_code == 409 and said in r.get_json()["message"], r.data[:300]
        gate = threading.Event()
        live = jobs.submit("proposal", lambda progress, stop: gate.wait(10), {"type": "day_care"})
        try:
            r = c.post(f"/api/jobs/{live.id}/dismiss?lang=en")
            assert r.status_code == 400 and "Cancel it instead" in r.get_json()["message"]
        finally:
            gate.set()
        assert c.post("/api/jobs/nojob/dismiss?lang=en").status_code == 404
        cut_off_job(jobs.journal, "c1c1c1c1c1c1", "addr:127.0.0.1", "desk")
    finally:
        shut(app)
    # the desk mode (no accounts): its computer's interrupted job, dismissed with the page's token only
    again = restart(tmp_path / "p.sqlite")
    try:
        r = plain_client(again).post("/api/jobs/c1c1c1c1c1c1/dismiss")
        assert r.status_code == 403 and r.get_json()["error"] == "CSRFTokenMissing"
        c = again.test_client()
        assert "c1c1c1c1c1c1" in {j["id"] for j in c.get("/api/jobs").get_json()}
        assert c.post("/api/jobs/c1c1c1c1c1c1/dismiss", data=b"x").status_code == 400  # no body is taken
        assert c.post("/api/jobs/c1c1c1c1c1c1/dismiss").status_code == 200
        assert "c1c1c1c1c1c1" not in {j["id"] for j in c.get("/api/jobs").get_json()}
    finally:
        shut(again)


# -- the page: the list, with each job's start, Retry and Dismiss; Dismiss from the server ---------------------------
def test_the_page_lists_each_interrupted_job_and_dismisses_on_the_server(tmp_path):
    app = restart(tmp_path / "p.sqlite")
    try:
        page = app.test_client().get("/proposals?lang=en").get_data(as_text=True)
        assert 'id="jobs-restored"' in page and 'id="jobs-restored-list"' in page
        js = app.test_client().get("/static/proposals.js").get_data(as_text=True)
        assert "/dismiss?lang=" in js and "localStorage.setItem" not in js
        assert "job_restored_started" in js and "job.started" in js
    finally:
        shut(app)


def test_browser_lists_every_interrupted_job_and_dismiss_holds_in_another_browser(tmp_path):
    from pathlib import Path

    from browser import ARGS, CHROMIUM, playwright
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed")
    from waitress.server import create_server

    db = tmp_path / "p.sqlite"
    first = restart(db)
    journal = first.extensions["coverplan"]["jobs"].journal
    cut_off_job(journal, "d1d1d1d1d1d1", "addr:127.0.0.1", "night-run-1", ago=3600)
    cut_off_job(journal, "d2d2d2d2d2d2", "addr:127.0.0.1", "night-run-2", kind="upgrade", ago=1800)
    shut(first)
    app = restart(db, TESTING=False)
    started = {j: app.extensions["coverplan"]["jobs"].get(j).started for j in ("d1d1d1d1d1d1", "d2d2d2d2d2d2")}
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    base = f"http://127.0.0.1:{srv.effective_port}"
    try:
        with playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                def items(ctx_page):
                    deadline = time.time() + 20
                    while time.time() < deadline:
                        got = ctx_page.evaluate("Array.from(document.querySelectorAll('#jobs-restored-list li'))"
                                                ".map(li => [li.dataset.id, li.innerText])")
                        if got and not ctx_page.evaluate("document.getElementById('jobs-restored').hidden"):
                            return got
                        time.sleep(0.1)
                    return []

                one = b.new_context(locale="en-US").new_page()
                one.goto(base + "/proposals?lang=en")
                got = dict(items(one))
                assert set(got) == {"d1d1d1d1d1d1", "d2d2d2d2d2d2"}, got
                text = got["d1d1d1d1d1d1"]
                when = one.evaluate(f"CP.datetime({started['d1d1d1d1d1d1']}, true)")
                assert f"started {when}" in text and "cut off by a server restart" in text, text
                assert "night-run-1" in text and "New sites with sizes and a budget" in text, text
                assert "it had run at least 2 s" in text, text  # its last record 2.5 s after its start
                assert "Upgrade existing facilities" in got["d2d2d2d2d2d2"]
                one.locator("#jobs-restored-list li[data-id='d1d1d1d1d1d1'] .restored-dismiss").click()
                deadline = time.time() + 10
                while one.locator("#jobs-restored-list li").count() != 1:
                    assert time.time() < deadline
                    time.sleep(0.1)
                one.screenshot(path=str(tmp_path / "restored.png"))
                # another PC (a browser of its own: nothing shared but the server)
                other = b.new_context(locale="zh-CN").new_page()
                other.goto(base + "/proposals?lang=zh")
                zh = dict(items(other))
                assert set(zh) == {"d2d2d2d2d2d2"}, zh
                assert "开始于" in zh["d2d2d2d2d2d2"] and "因服务器重启而中断" in zh["d2d2d2d2d2d2"]
            finally:
                b.close()
    finally:
        srv.close()
        shut(app)
