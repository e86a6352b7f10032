"""Stop and save: a sized or upgrade solve stopped on request keeps the best plan it has found.

The default sized question (elderly complexes 30/60/100, 8 sites, city-wide) finds a plan within 0.02 % of the
best in a few seconds and may take a minute to close the rest (bench/README.md, sized proposals): the planner may
stop it there and keep that plan, saved as stopped with how far from the best it can be.
"""
from __future__ import annotations

import re
import threading
import time

import pytest

from browser import *  # noqa: F401,F403
from conftest import SameOriginClient


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("finish") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def c(app):
    return SameOriginClient(app)


def _wait_for(c, jid: str, ok, timeout: float = 60.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        j = c.get(f"/api/jobs/{jid}?lang=en").get_json()
        if ok(j):
            return j
        time.sleep(0.1)
    raise AssertionError(f"job {jid} never got there: {j}")


def _ended(j: dict) -> bool:
    return j["state"] not in ("queued", "running")


# -- the whole path, on the real solve -------------------------------------------------------------------------------
def test_a_sized_solve_stopped_and_saved_keeps_its_plan_and_says_how_far_from_the_best(app, c):
    r = c.post("/api/proposals?lang=en", json={"type": "elderly_complex", "kind": "sized", "sizes": "30,60,100",
                                                "budget_sites": 15, "time_limit": 120})
    assert r.status_code == 202, r.data[:300]
    jid = r.get_json()["id"]
    # in its MIP for 3 s: HiGHS has a plan by then (about 2 s) and needs far longer to come within the 0.05 %
    # a sized solve stops at with fifteen sites (eight end within it in seconds since QA 29)
    j = _wait_for(c, jid, lambda j: _ended(j) or (j["message"].startswith("solving")
                                                  and (j.get("stage_elapsed") or 0) > 3))
    assert j["state"] == "running" and j["finish"] == f"/api/jobs/{jid}/finish", j
    asked = time.time()
    r = c.post(f"/api/jobs/{jid}/finish?lang=en")
    assert r.status_code == 202, r.data[:300]
    body = r.get_json()
    assert body["keep_requested"] and body["cancel_requested"]
    assert body["message"] == "Stopping: the best plan found so far will be saved."
    j = _wait_for(c, jid, _ended, timeout=60)
    assert j["state"] == "done", j
    assert time.time() - asked < 30  # it stopped; it did not run on to its 120 s limit
    pid = j["result"]["proposal_id"]
    p = c.get(f"/api/proposals/{pid}").get_json()
    solver = p["solver"]
    # within a fraction of a per cent on an idle machine; on a loaded one HiGHS may be further back at 3 s
    assert solver["status"] == "stopped" and 0 < solver["mip_gap"] < 0.5
    assert len(p["sites"]) == 15
    for lang, status, words in (("en", "stopped early on request and saved", "from the proven best"),
                                ("zh", "按要求提前停止并保存", "距可证明的最优值")):
        html = c.get(f"/proposals/{pid}?lang={lang}").get_data(as_text=True)
        line = re.search(r'id="solver-line">(.*?)</p>', html, re.S).group(1)
        assert status in line and 'id="solver-gap"' in line and words in line, line
    entries = app.extensions["coverplan"]["users"].audit_list(limit=500, action="job_finished")[1]
    assert [e["object"] for e in entries].count(jid) == 1


def test_a_location_proposal_cannot_be_stopped_and_saved(app, c):
    r = c.post("/api/proposals?lang=en", json={"type": "day_care", "p": 1})
    assert r.status_code == 202, r.data[:300]
    jid = r.get_json()["id"]
    assert "finish" not in c.get(f"/api/jobs/{jid}").get_json()
    for lang, words in (("en", "only sized and upgrade proposals"), ("zh", "只有规模方案和改造提升方案")):
        r = c.post(f"/api/jobs/{jid}/finish?lang={lang}")
        if r.status_code == 409:  # it ended first: nothing to stop
            assert r.get_json()["error"] == "JobEnded"
            continue
        assert r.status_code == 400, r.data[:300]
        assert words in r.get_json()["message"]
    j = _wait_for(c, jid, _ended)
    assert j["state"] == "done"  # the refused stop did not cancel it


def test_finish_of_an_ended_or_unknown_job_and_with_a_body(app, c):
    jobs = app.extensions["coverplan"]["jobs"]
    job = jobs.submit("proposal", lambda progress, should_stop: {"ok": True}, {"type": "x", "kind": "sized"})
    assert jobs.wait(job.id, 30).state == "done"
    assert "finish" not in c.get(f"/api/jobs/{job.id}").get_json()  # offered only while it can be used
    r = c.post(f"/api/jobs/{job.id}/finish?lang=en")
    assert r.status_code == 409 and "nothing to stop" in r.get_json()["message"]
    assert c.post("/api/jobs/nope/finish").status_code == 404
    assert c.post(f"/api/jobs/{job.id}/finish", json={"x": 1}).status_code == 400


# -- the job runner's rules --------------------------------------------------------------------------------------------
def _looping(started: threading.Event):
    """A job function that works until asked to stop, then returns its plan if the stop keeps it."""
    def fn(progress, should_stop):
        started.set()
        while not should_stop():
            time.sleep(0.01)
        keep = getattr(should_stop, "keep", None)
        return {"plan": 1} if keep is not None and keep() else None
    return fn


@pytest.mark.parametrize("asks, state", [
    (["keep"], "done"),             # stop and save: the plan is the result
    (["cancel"], "cancelled"),      # a plain cancel saves nothing
    (["keep", "cancel"], "cancelled"),  # a cancel after the stop wins
    (["cancel", "keep"], "cancelled"),  # and one before it
    (["keep", "keep"], "done"),
])
def test_a_cancel_asked_before_or_after_a_stop_and_save_wins(asks, state):
    from web.jobs import JobRunner

    runner = JobRunner(workers=1)
    try:
        started = threading.Event()
        job = runner.submit("proposal", _looping(started), {"kind": "sized"})
        assert started.wait(10)
        for ask in asks:
            runner.request_cancel(job.id, keep=ask == "keep")
        done = runner.wait(job.id, 10)
        assert done.state == state and (done.result == {"plan": 1}) == (state == "done")
    finally:
        runner.shutdown()


def test_a_queued_job_asked_to_stop_and_save_is_dropped():
    from web.jobs import JobRunner

    runner = JobRunner(workers=1)
    try:
        started, release = threading.Event(), threading.Event()
        runner.submit("proposal", lambda progress, should_stop: (started.set(), release.wait(10)), {})
        assert started.wait(10)
        queued = runner.submit("proposal", _looping(threading.Event()), {"kind": "sized"})
        job, outcome = runner.request_cancel(queued.id, keep=True)
        assert outcome == "cancelled" and job.state == "cancelled"
        release.set()
    finally:
        runner.shutdown()


# -- in the browser ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, words", [("en", "stopped early on request and saved"), ("zh", "按要求提前停止并保存")])
def test_the_proposals_page_offers_stop_and_save_while_a_sized_solve_runs(page, lang, words):
    from browser import poll_js

    page.goto(page.base + f"/proposals?lang={lang}")
    page.select_option("#p-type", "elderly_complex")
    page.select_option("#p-kind", "sized")
    page.fill("#p-budget-sites", "15")  # eight sites end within the 0.05 % in seconds (QA 29)
    page.click("#p-submit")
    poll_js(page, "!document.getElementById('job-finish').hidden", timeout=60)
    title = page.get_attribute("#job-finish", "title")
    assert title and ("so far" in title if lang == "en" else "目前找到的最佳方案" in title)
    page.wait_for_timeout(3000)  # a plan within a fraction of a per cent is there after about 2 s
    page.click("#job-finish")
    page.wait_for_url(re.compile(r"/proposals/[0-9a-f]+"), timeout=60_000)
    line = page.inner_text("#solver-line")
    assert words in line and page.locator("#solver-gap").count() == 1, line


def test_a_stop_and_save_before_any_plan_says_nothing_was_saved(app, c):
    jobs = app.extensions["coverplan"]["jobs"]

    def no_plan(progress, should_stop):  # a solve stopped before it found anything: no plan to keep
        while not should_stop():
            time.sleep(0.01)
        return None
    job = jobs.submit("proposal", no_plan, {"type": "elderly_complex", "kind": "sized"})
    _wait_for(c, job.id, lambda j: j["state"] == "running")
    assert c.post(f"/api/jobs/{job.id}/finish").status_code == 202
    j = _wait_for(c, job.id, _ended)
    assert j["state"] == "cancelled" and j["result"] is None
    assert j["message"].startswith("Stopped before any plan was found: nothing was saved.")
    zh = c.get(f"/api/jobs/{job.id}?lang=zh").get_json()["message"]
    assert zh.startswith("在找到任何方案之前已停止，未保存方案。")
    assert c.get(f"/api/jobs/{job.id}?lang=en").get_json().get("finish") is None

