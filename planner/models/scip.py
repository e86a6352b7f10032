"""The SCIP runner (optional): the arrays of :func:`.highs.solve_mip`, solved by SCIP.

SCIP comes from PyPI's ``pyscipopt`` (MIT; its wheels bundle SCIP, Apache
2.0).  It is optional: :func:`scip_available` tells whether it is installed,
and the models that use it (:mod:`.coverage`) fall back to HiGHS when it is
missing or fails.  Why SCIP at all: on the hard set-covering instances its
root cuts (Gomory and {0,1/2}-cuts) and strong branching close the LP gap in
a few nodes where HiGHS branches for long -- measured in :mod:`.coverage`.

The caller's stop request and progress callback (:mod:`.control`) act
through an event handler called after every LP solve and every node, which
interrupts SCIP as HiGHS's runner cancels HiGHS; SCIP's own (wall-clock)
time limit is the remaining time.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from .control import report_progress, stop_poll
from .highs import MipOutcome

try:   # imported with the models, as highspy is, not inside the first solve
    import pyscipopt as _ps
except ImportError:
    _ps = None

__all__ = ["scip_available", "solve_mip_scip", "SCIP_PIN"]

#: The pyscipopt release measured in :mod:`.coverage` (named in messages).
SCIP_PIN = "pyscipopt==6.3.0"


def scip_available() -> bool:
    """Whether ``pyscipopt`` (SCIP) is installed."""
    return _ps is not None


def _watch(ps, model, should_stop):
    """An event handler that reports progress and interrupts SCIP on a stop request."""

    class _Watch(ps.Eventhdlr):
        mask = ps.SCIP_EVENTTYPE.LPSOLVED | ps.SCIP_EVENTTYPE.NODESOLVED

        def eventinit(self):
            self.model.catchEvent(self.mask, self)

        def eventexit(self):
            self.model.dropEvent(self.mask, self)

        def eventexec(self, event):
            report_progress("MIP")
            if should_stop is not None and should_stop():
                self.model.interruptSolve()
            return {}

    handler = _Watch()
    model.includeEventhdlr(handler, "coverplan_watch", "caller's stop request and progress")
    return handler


def _is_feasible(x, lb, ub, a, rlo, rhi, integer) -> bool:
    """Whether ``x`` satisfies bounds, rows and integrality (a start SCIP may store)."""
    tol = 1e-9
    ax = a @ x
    return bool(np.all(x >= lb - tol) and np.all(x <= ub + tol)
                and np.all(ax >= rlo - 1e-6) and np.all(ax <= rhi + 1e-6)
                and np.all(np.abs(x[integer] - np.round(x[integer])) <= tol))


def solve_mip_scip(*, c: np.ndarray, lb: np.ndarray, ub: np.ndarray, a: sp.spmatrix,
                   rlo: np.ndarray, rhi: np.ndarray, integer: np.ndarray,
                   maximize: bool = False, offset: float = 0.0, time_limit: float = 60.0,
                   gap: float = 0.0, verbose: bool = False, start: np.ndarray | None = None,
                   options: dict | None = None) -> MipOutcome:
    """Solve ``min/max c.x + offset`` s.t. ``rlo <= a x <= rhi``, ``lb <= x <= ub`` with SCIP.

    Same arguments and outcome as :func:`.highs.solve_mip`; ``options`` are
    SCIP parameters (``{"separating/aggregation/freq": -1}``).  ``start``
    is given to SCIP when it is feasible (an infeasible start is ignored).

    Raises
    ------
    ImportError
        When pyscipopt is not installed (check :func:`scip_available`).
    """
    if _ps is None:
        raise ImportError(f"pyscipopt is not installed (pip install {SCIP_PIN}).")
    ps = _ps
    t0 = time.perf_counter()
    c = np.asarray(c, dtype=np.float64)
    lb, ub = np.asarray(lb, dtype=np.float64), np.asarray(ub, dtype=np.float64)
    rlo, rhi = np.asarray(rlo, dtype=np.float64), np.asarray(rhi, dtype=np.float64)
    integer = np.asarray(integer, dtype=bool)
    a_csr = sp.csr_matrix(a, dtype=np.float64)
    m = ps.Model()
    m.hideOutput(not verbose)
    m.setParam("limits/time", float(max(time_limit, 0.01)))
    m.setParam("limits/gap", float(gap))
    m.setParam("timing/clocktype", 2)   # wall clock, as the caller's limit
    for key, val in (options or {}).items():
        m.setParam(key, val)
    x = []
    for j in range(c.size):
        lo = None if not np.isfinite(lb[j]) else float(lb[j])
        hi = None if not np.isfinite(ub[j]) else float(ub[j])
        if integer[j] and lo is not None and hi is not None and lo >= 0 and hi <= 1:
            vt = "B"
        else:
            vt = "I" if integer[j] else "C"
        x.append(m.addVar(vtype=vt, lb=lo, ub=hi, obj=float(c[j])))
    for i in range(a_csr.shape[0]):
        sl = slice(a_csr.indptr[i], a_csr.indptr[i + 1])
        expr = ps.quicksum(float(v) * x[j] for j, v in zip(a_csr.indices[sl], a_csr.data[sl]))
        lo, hi = rlo[i], rhi[i]
        if np.isfinite(lo) and np.isfinite(hi):
            m.addCons(expr == lo if lo == hi else lo <= (expr <= hi))
        elif np.isfinite(lo):
            m.addCons(expr >= lo)
        elif np.isfinite(hi):
            m.addCons(expr <= hi)
    if offset:
        m.addObjoffset(float(offset))
    if maximize:
        m.setMaximize()
    if start is not None:
        s0 = np.asarray(start, dtype=np.float64)
        if _is_feasible(s0, lb, ub, a_csr, rlo, rhi, integer):
            sol = m.createSol()
            for j in np.flatnonzero(s0):
                m.setSolVal(sol, x[j], float(s0[j]))
            m.addSol(sol)
    _watch(ps, m, stop_poll())
    report_progress("MIP")
    # Without the GIL: the web server's other threads go on while SCIP works
    # (the event handler takes the GIL back for its calls).
    m.optimizeNogil()
    st = m.getStatus()
    has_sol = m.getNSols() > 0
    best = m.getBestSol() if has_sol else None
    xv = np.array([m.getSolVal(best, v) for v in x]) if has_sol else None
    obj = float(m.getSolObjVal(best)) if has_sol else np.nan
    bound = float(m.getDualbound())
    rel = abs(obj - bound) / max(abs(obj), 1e-9) if has_sol else np.inf
    if st in ("optimal", "gaplimit"):
        status = "optimal"
        if st == "optimal" or abs(obj - bound) <= 1e-6 * max(1.0, abs(obj)):
            rel = 0.0
    elif st in ("infeasible", "inforunbd"):
        status = "infeasible"
    else:   # timelimit, userinterrupt, node/memory limits
        status = "time_limit"
    return MipOutcome(status, xv, obj, bound, rel, time.perf_counter() - t0)
