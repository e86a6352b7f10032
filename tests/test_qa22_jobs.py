"""QA 22 (jobs): the seconds a job has spent in its present stage, for the page's solve clock."""
from __future__ import annotations


def test_a_job_says_the_seconds_in_its_stage():
    """The page's solve clock counted from the first poll that showed "solving" (a second early after a
    reload): the job now says the seconds in its stage, a solve's steps being one stage. The worker waits
    on events at each step, and says when it began the solve, so no bound rests on a sleep's accuracy."""
    import threading
    import time

    from web.jobs import JobRunner

    runner = JobRunner(workers=1)
    go = {name: threading.Event() for name in ("reading", "solving", "step", "end")}
    began = {}

    def work(progress, should_stop):
        progress(0.1, "reading")
        go["reading"].set()
        go["solving"].wait(5)
        began["solve"] = time.time()
        progress(0.3, "solving mclp: reductions")
        time.sleep(0.4)
        progress(0.5, "solving mclp: MIP")
        go["step"].set()
        go["end"].wait(5)
        return 1

    try:
        job = runner.submit("t", work)
        assert go["reading"].wait(5)
        time.sleep(0.3)
        d = runner.get(job.id).to_dict()
        assert d["message"] == "reading" and 0.25 <= d["stage_elapsed"] <= d["elapsed"]
        go["solving"].set()
        assert go["step"].wait(5)
        d, now = runner.get(job.id).to_dict(), time.time()
        # counted from the solve's first step ("reductions"), not from its second, nor from the job's start
        assert d["message"] == "solving mclp: MIP"
        assert abs(d["stage_elapsed"] - (now - began["solve"])) < 0.2, (d, now - began["solve"])
        assert d["stage_elapsed"] >= 0.35 and d["stage_elapsed"] < d["elapsed"] - 0.25
        go["end"].set()
        assert runner.wait(job.id, 5).to_dict()["stage_elapsed"] is None  # ended: no stage
    finally:
        for e in go.values():
            e.set()
        runner.shutdown()
