"""The HiGHS runner: one MIP (or LP) in, a :class:`MipOutcome` out.

Every model states its formulation as arrays -- objective ``c``, column
bounds, a sparse row matrix with row bounds, integrality flags -- and calls
:func:`solve_mip`.  Here they become a HiGHS model; the solve runs in the
background while this thread waits in short slices, so the caller's stop
request and progress callback (:mod:`.control`) act during the solve, and a
watchdog stops HiGHS where it overruns its own time limit.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from . import budget
from .control import report_progress, stop_poll, watched

__all__ = ["MipOutcome", "solve_mip", "DEFAULT_OPTIONS"]

#: HiGHS options applied to every solve (tests and benchmarks may tune them).
DEFAULT_OPTIONS: dict = {}

_POLL_S = 0.2  # how often a running HiGHS solve checks the caller's stop request

_BANNER_DONE = False


def _own_locks(h: highspy.Highs) -> highspy.Highs:
    """Give ``h`` its own start/stop locks.

    highspy 1.16 keeps the locks behind ``startSolve`` / ``wait`` on the
    *class*, so a solve running in one thread makes every other instance's
    ``startSolve`` fail with "Solver is already running": a bed breakdown
    asked in the web app while a proposal job solved (or two jobs with
    JOB_WORKERS > 1) failed. Instance attributes shadow the class
    ones (the names are highspy's name-mangled privates, pinned with it;
    tests/test_cancel.py runs solves in parallel threads to catch a change).
    """
    h._Highs__solver_stopped = threading.RLock()
    h._Highs__solver_started = threading.Lock()
    return h


def _new_highs() -> highspy.Highs:
    """A HiGHS instance, without the banner HiGHS writes to stdout.

    HiGHS prints "Running HiGHS ..." from C++ to file descriptor 1 the first
    time an instance is created in a process, before any option can be set;
    that would corrupt ``--json`` output, so fd 1 points at /dev/null then.
    """
    global _BANNER_DONE
    if _BANNER_DONE:
        return _own_locks(highspy.Highs())
    import os
    import sys
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    _BANNER_DONE = True
    return _own_locks(h)


@dataclass
class MipOutcome:
    status: str            # one of result.STATUSES
    x: np.ndarray | None   # column values (None when no solution)
    objective: float       # objective of x (as HiGHS reports it)
    bound: float           # best proven dual bound
    gap: float             # relative gap
    seconds: float


def solve_mip(*, c: np.ndarray, lb: np.ndarray, ub: np.ndarray, a: sp.spmatrix,
              rlo: np.ndarray, rhi: np.ndarray, integer: np.ndarray,
              maximize: bool = False, offset: float = 0.0, time_limit: float = 60.0,
              gap: float = 0.0, verbose: bool = False, start: np.ndarray | None = None,
              options: dict | None = None) -> MipOutcome:
    """Solve ``min/max c.x + offset`` s.t. ``rlo <= a x <= rhi``, ``lb <= x <= ub``.

    ``integer`` flags integer columns.  ``start`` is a full primal point
    passed to HiGHS as a warm start.
    """
    t0 = time.perf_counter()
    out = _run_highs(c=c, lb=lb, ub=ub, a=a, rlo=rlo, rhi=rhi, integer=integer,
                     maximize=maximize, offset=offset, time_limit=time_limit, gap=gap,
                     verbose=verbose, start=start, options=options)
    if start is not None and out.x is not None:
        # HiGHS 1.16 can report the optimum of the presolved model yet hand
        # back the (worse) user start as the column values.  Trust only a
        # point whose objective matches the reported one; otherwise solve
        # again without the start.
        val = float(np.dot(c, out.x) + offset)
        if abs(val - out.objective) > 1e-6 * max(1.0, abs(out.objective)):
            rest = max(time_limit - (time.perf_counter() - t0), 0.01)
            out = _run_highs(c=c, lb=lb, ub=ub, a=a, rlo=rlo, rhi=rhi, integer=integer,
                             maximize=maximize, offset=offset, time_limit=rest, gap=gap,
                             verbose=verbose, start=None, options=options)
    out.seconds = time.perf_counter() - t0
    return out


def _run_highs(*, c, lb, ub, a, rlo, rhi, integer, maximize, offset, time_limit, gap,
               verbose, start, options=None) -> MipOutcome:
    t0 = time.perf_counter()
    h = _new_highs()
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", float(gap))
    # The default absolute gap (1e-6) is fine: all objectives here are sums
    # of user-scale numbers, and 0 relative gap must mean "proven".
    h.setOptionValue("random_seed", 0)
    for key, val in {**DEFAULT_OPTIONS, **(options or {})}.items():
        h.setOptionValue(key, val)
    a = sp.csc_matrix(a)
    lp = highspy.HighsLp()
    lp.num_col_ = int(c.size)
    lp.num_row_ = int(a.shape[0])
    lp.col_cost_ = np.asarray(c, dtype=np.float64)
    lp.col_lower_ = np.asarray(lb, dtype=np.float64)
    lp.col_upper_ = np.asarray(ub, dtype=np.float64)
    inf = highspy.kHighsInf
    lp.row_lower_ = np.where(np.isfinite(rlo), rlo, -inf).astype(np.float64)
    lp.row_upper_ = np.where(np.isfinite(rhi), rhi, inf).astype(np.float64)
    lp.offset_ = float(offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.a_matrix_.num_col_ = int(c.size)
    lp.a_matrix_.num_row_ = int(a.shape[0])
    if np.any(integer):
        lp.integrality_ = [highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
                           for f in np.asarray(integer, dtype=bool)]
    if maximize:
        lp.sense_ = highspy.ObjSense.kMaximize
    h.passModel(lp)
    if start is not None:
        h.setSolution(int(c.size), np.arange(c.size, dtype=np.int32),
                      np.asarray(start, dtype=np.float64))
    # HiGHS 1.16 does not always honour time_limit, so a watchdog asks it to
    # stop shortly after.  This only works where HiGHS polls its interrupt
    # callback: the loop seen on pmedcap1-16 polled neither and is avoided
    # by turning MIP restarts off for that model instead.
    h.HandleUserInterrupt = True
    should_stop = stop_poll()
    listening = watched()
    h.startSolve()
    deadline = time.perf_counter() + float(time_limit) + max(
        budget.HIGHS_GRACE_SECONDS, budget.HIGHS_GRACE_SHARE * float(time_limit))
    finished = False
    while not finished:
        # wait in short slices so a caller's cancel (web job) stops HiGHS mid-solve
        # and its progress bar moves while HiGHS works
        left = deadline - time.perf_counter()
        if left <= 0 or (should_stop is not None and should_stop()):
            break
        report_progress("MIP")
        finished, _ = h.wait(min(_POLL_S, left) if listening else left)
    if not finished:
        h.cancelSolve()
        h.wait()
    ms = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value) if has_sol else None
    obj = float(info.objective_function_value) if has_sol else np.nan
    if np.any(integer):
        bound = float(info.mip_dual_bound)
        rel = float(info.mip_gap) if has_sol else np.inf
    else:
        bound, rel = obj, 0.0
    S = highspy.HighsModelStatus
    if ms == S.kOptimal:
        status = "optimal" if rel <= 1e-9 or not np.any(integer) else "feasible"
        if abs(obj - bound) <= 1e-6 * max(1.0, abs(obj)):
            status, rel = "optimal", 0.0
    elif ms in (S.kInfeasible, S.kUnboundedOrInfeasible):
        status = "infeasible"
    elif ms in (S.kTimeLimit, S.kInterrupt, S.kHighsInterrupt):
        status = "time_limit"
    elif has_sol:
        status = "feasible"
    else:
        status = "time_limit"
    return MipOutcome(status, x, obj, bound, rel, time.perf_counter() - t0)
