"""QA 22 (jobs): the seconds a job has spent in its present stage, for the page's solve clock."""
from __future__ import annotations


def test_a_job_says_the_seconds_in_its_stage():
    """The page's solve clock counted from the first poll that showed "solving" (a second early after a
    reload): the job now says the seconds in its stage, a solve's steps being one stage."""
    import threading
    import time

    from web.jobs import JobRunner

    runner = JobRunner(workers=1)
    steps = {name: threading.Event() for name in ("read", "solve", "step", "end")}

    def work(progress, should_stop):
        progress(0.1, "reading")
        steps["read"].set()
        time.sleep(0.6)
        progress(0.3, "solving mclp: reductions")
        steps["solve"].wait(5)
        time.sleep(0.4)
        progress(0.5, "solving mclp: MIP")
        steps["step"].set()
        steps["end"].wait(5)
        return 1

    try:
        job = runner.submit("t", work)
        assert steps["read"].wait(5)
        time.sleep(0.3)
        d = runner.get(job.id).to_dict()
        assert d["message"] == "reading" and 0.2 <= d["stage_elapsed"] <= d["elapsed"]
        time.sleep(0.5)  # the solve has begun
        solve_began = time.time()
        steps["solve"].set()
        assert steps["step"].wait(5)
        d = runner.get(job.id).to_dict()
        # counted from the solve's first step, not from its second, and not from the job's start
        assert d["message"] == "solving mclp: MIP" and 0.35 <= d["stage_elapsed"] < d["elapsed"] - 0.5
        assert d["stage_elapsed"] <= time.time() - solve_began + 0.4
        steps["end"].set()
        assert runner.wait(job.id, 5).to_dict()["stage_elapsed"] is None  # ended: no stage
    finally:
        steps["end"].set()
        runner.shutdown()
