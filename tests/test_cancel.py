"""A caller's cancel stops HiGHS mid-solve, and a proposal stops with a clear error."""
from __future__ import annotations

import time

import numpy as np
import pytest

from planner.models import MCLP
from planner.proposals import Cancelled, propose
from web.errors import status_of  # the HTTP status lives in the web layer


def test_should_stop_interrupts_the_mip():
    rng = np.random.default_rng(1)
    d, c = rng.random((1500, 2)), rng.random((400, 2))
    cost = np.hypot(d[:, None, 0] - c[None, :, 0], d[:, None, 1] - c[None, :, 1])
    model = MCLP.from_cost_matrix(cost, radius=0.08, p=25, weights=rng.integers(1, 100, 1500))
    full = model.solve(time_limit=60)
    assert full.status == "optimal"
    t0 = time.perf_counter()
    stopped = model.solve(time_limit=60, should_stop=lambda: True)
    assert stopped.status == "time_limit"          # stopped, best known solution kept
    assert len(stopped.selected) == 25 and stopped.objective <= full.objective
    assert time.perf_counter() - t0 < 5


def test_proposal_cancelled_during_the_solve(shiyan):
    stages = []

    def progress(fraction, message):
        stages.append(message)

    def should_stop():  # the planner asks as soon as the solve has started
        return any(m.startswith("solving") for m in stages)

    with pytest.raises(Cancelled) as e:
        propose(shiyan, "day_care", model="lscp", progress=progress, should_stop=should_stop)
    assert "取消" in e.value.message("zh") and status_of(e.value) == 409


# -- issue 12: a cancel stops any solve within about a second; progress moves during the solve --
import threading

from planner.models import PCenter, PMedian

# Measured 0.05-0.3 s on an idle machine (33-47 s before the fix). The bound is loose on purpose:
# the suite runs on a shared 2-core machine, and a timing test must not fail because of load.
CANCEL_BOUND_S = 8.0


def _run_until_stop(fn, delay: float, timeout: float = 25.0):
    """Run ``fn(should_stop)`` in a thread whose stop turns True ``delay`` s after the start.

    Returns (outcome, seconds from the stop request to the return).
    """
    t0 = time.perf_counter()
    out = {}

    def work():
        try:
            out["value"] = fn(lambda: time.perf_counter() - t0 > delay)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            out["error"] = exc
        out["t"] = time.perf_counter()

    th = threading.Thread(target=work, daemon=True)
    th.start()
    th.join(timeout)
    assert not th.is_alive(), f"still running {timeout} s after the start (stop asked at {delay} s)"
    return out, out["t"] - (t0 + delay)


def test_cancel_of_a_large_pmedian_proposal_is_fast(shiyan):
    # p = 300 day-care centres on 1,979 villages: the greedy start alone took 6 s and the
    # Lagrangean bound and probing 20 s more without asking the caller (issue 12, defect 5)
    out, latency = _run_until_stop(
        lambda stop: propose(shiyan, "day_care", model="pmedian", p=300, should_stop=stop), delay=1.5)
    assert isinstance(out.get("error"), Cancelled), out
    assert latency < CANCEL_BOUND_S


def _instance(n, m, seed):
    rng = np.random.default_rng(seed)
    d, c = rng.random((n, 2)), rng.random((m, 2))
    return np.hypot(d[:, None, 0] - c[None, :, 0], d[:, None, 1] - c[None, :, 1]), rng.integers(1, 100, n)


@pytest.mark.parametrize("kind", ["pmedian", "pcenter"])
def test_stopped_model_returns_its_best_solution_at_once(kind):
    cost, w = _instance(1500, 1500, 3)
    model = (PMedian.from_cost_matrix(cost, p=250, weights=w) if kind == "pmedian"
             else PCenter.from_cost_matrix(cost, p=250))
    out, latency = _run_until_stop(lambda stop: model.solve(time_limit=120, should_stop=stop), delay=1.0)
    res = out["value"]
    assert res.status == "time_limit" and len(res.selected) == 250 and len(set(res.selected)) == 250
    assert latency < CANCEL_BOUND_S


def test_proposal_progress_moves_during_the_solve(shiyan):
    seen = []
    prop = propose(shiyan, "day_care", model="pmedian", p=300, time_limit=4,
                   progress=lambda f, m: seen.append((f, m)))
    during = [(f, m) for f, m in seen if m.startswith("solving pmedian: ")]
    assert len(during) >= 3, seen  # it moves (6 or more ticks unloaded; 5 seen with the machine's two cores busy)
    values = [f for f, _ in during]
    assert all(0.35 < v < 0.85 for v in values)
    assert all(b > a for a, b in zip(values, values[1:]))          # strictly increasing
    assert {m.split(": ", 1)[1] for _, m in during} <= {"heuristic", "bound", "MIP"}
    overall = [f for f, _ in seen]
    assert overall == sorted(overall) and overall[-1] == 1.0
    assert len(prop.sites) == 300
    # the time limit holds for the whole solve, greedy start included
    assert prop.solver["seconds"]["solve"] < 4 + 3     # HiGHS gets 1 s of grace past its limit


def test_model_progress_is_a_share_of_the_time_limit():
    cost, w = _instance(1200, 300, 5)
    model = MCLP.from_cost_matrix(cost, radius=0.06, p=20, weights=w)
    seen = []
    model.solve(time_limit=30, progress=lambda f, stage: seen.append((f, stage)))
    assert seen and all(0 <= f < 1 for f, _ in seen)
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert {s for _, s in seen} <= {"heuristic", "bound", "MIP"}


# -- a sized proposal's MIP stops on the caller's cancel too (web jobs wrap it) --
def test_sized_solve_stops_on_the_callers_poll(shiyan):
    from geo.errors import CoverplanError
    from planner.models.control import caller_controls
    from planner.sizing import propose_sized

    def asked_to_stop(fn):
        t0 = time.perf_counter()
        with caller_controls(lambda: True, None, 60.0):
            try:
                out = fn()
            except CoverplanError as exc:  # "no plan found in time": what the web job turns into "cancelled"
                out = exc
        return out, time.perf_counter() - t0

    out, took = asked_to_stop(lambda: propose_sized(shiyan, "elderly_complex", [30, 60, 100], time_limit=60))
    # unstopped it finds the optimal plan (13 s on an idle machine); stopped at once it has none
    assert isinstance(out, CoverplanError) and "in time" in out.message("en") and took < CANCEL_BOUND_S


# -- two planners' solves at once: highspy 1.16's class-level solver locks made the second fail --
def test_solves_in_parallel_threads_each_finish_with_their_own_answer():
    def instance(seed):
        rng = np.random.default_rng(seed)
        d, c = rng.random((1200, 2)), rng.random((300, 2))
        cost = np.hypot(d[:, None, 0] - c[None, :, 0], d[:, None, 1] - c[None, :, 1])
        return MCLP.from_cost_matrix(cost, radius=0.08, p=20, weights=rng.integers(1, 100, 1200))

    alone = {k: instance(k).solve(time_limit=60).objective for k in range(3)}
    together = {}

    def run(k):
        try:
            res = instance(k).solve(time_limit=60)
            together[k] = (res.status, res.objective)
        except Exception as exc:  # noqa: BLE001 - recorded, asserted below
            together[k] = repr(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert together == {k: ("optimal", alone[k]) for k in range(3)}
