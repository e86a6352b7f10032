"""p-center: ``p`` new sites minimising the largest cost to the nearest open site.

Solved exactly as a sequence of covering questions: the optimal value is one
of the distinct costs in the matrix, and "can ``p`` new sites serve everyone
within ``r``?" is a small set-covering feasibility MIP.  A binary search over
the sorted distinct costs between a lower bound (every point's cheapest
possible site) and the greedy upper bound needs about log2(#costs) of them,
and every feasible answer shrinks the upper bound to its *actual* largest
cost, which usually skips many steps.  Each question only has rows for the
points the fixed sites do not already serve within ``r``.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from geo.errors import InfeasibleError

from . import budget
from .base import LocationModel
from .control import stop_requested
from .heuristics import greedy_center
from .highs import solve_mip
from .result import SolveResult, no_solution_in_time

__all__ = ["PCenter"]


class PCenter(LocationModel):
    """p-center.  Build with :meth:`from_cost_matrix`."""

    name = "pcenter"

    @classmethod
    def from_cost_matrix(cls, costs: Any, *, p: int, weights: Any = None, existing: Any = None,
                         required: Any = None, forbidden: Any = None, groups: Any = None,
                         group_min: dict | None = None, group_max: dict | None = None,
                         demand_ids: Any = None, candidate_ids: Any = None) -> "PCenter":
        """Build a p-center model from a cost matrix.

        Parameters
        ----------
        costs : ndarray or scipy.sparse matrix, shape (n_demand, n_candidates)
            Travel cost; ``inf`` (dense) or a missing entry (sparse) means
            unreachable.
        p : int
            Number of NEW sites (existing ones are open and not counted).
        weights : array, optional
            Ignored by the objective (the unweighted p-center); used only for
            the reported covered weight.
        existing, required, forbidden : bool mask or index array, optional
            Site roles.
        groups, group_min, group_max : optional
            Group labels per candidate and limits on new sites per label.
        demand_ids, candidate_ids : array, optional
            Ids used in error messages.
        """
        self = cls._checked(costs, weights=weights, existing=existing, required=required,
                            forbidden=forbidden, groups=groups, group_min=group_min,
                            group_max=group_max, demand_ids=demand_ids, candidate_ids=candidate_ids)
        self.p = self.roles.check_p(p)
        self._require_reachable()
        return self._built()

    def _solve(self, *, time_limit: float, gap: float, verbose: bool,
               heuristic_only: bool) -> SolveResult:
        t0 = time.perf_counter()
        deadline = t0 + time_limit
        r = self.roles
        k = self.p - r.n_required
        d, base, unreachable = self.free_dense()
        d = np.where(unreachable, np.inf, d)
        # the greedy's share of the time; the covering MIPs prove or improve what it finds
        cols = greedy_center(d, base, k=k, start=np.zeros(0, dtype=np.int64), groups=r.groups,
                             deadline=t0 + budget.PCENTER_GREEDY_SHARE * time_limit)

        def radius_of(c: np.ndarray) -> float:
            cur = base if c.size == 0 else np.minimum(base, d[:, c].min(axis=1))
            return float(cur.max())

        best_cols, ub = (cols, radius_of(cols)) if cols is not None else (None, np.inf)
        lb = float(np.minimum(base, d.min(axis=1) if d.size else np.inf).max())
        if heuristic_only and best_cols is not None:
            return self._finish(best_cols, status="feasible",
                                gap=(ub - lb) / ub if ub > 0 else 0.0,
                                t_solve=time.perf_counter() - t0)
        if best_cols is not None and stop_requested() and ub > lb:
            # The caller asked to stop: the greedy answer, as at a time limit.
            return self._finish(best_cols, status="time_limit", gap=(ub - lb) / ub,
                                t_solve=time.perf_counter() - t0)
        # Candidate optimal values: distinct finite costs from lb up.
        vals = np.concatenate([d[np.isfinite(d)], base[np.isfinite(base)]])
        vals = np.unique(vals[vals >= lb])
        gmat, glo, ghi = r.group_matrix(), r.groups.lo, r.groups.hi
        n_free = d.shape[1]
        n_mip = 0

        def cover_within(radius: float):
            """New columns serving everyone within ``radius``; None if impossible, False on timeout."""
            nonlocal n_mip
            need = np.flatnonzero(base > radius)
            cover = sp.csr_matrix(d[need] <= radius, dtype=np.float64)
            if (np.diff(cover.indptr) == 0).any():
                return None           # someone has no site within radius at all
            remaining = deadline - time.perf_counter()
            if remaining <= 0.01:
                return False
            a = sp.vstack([cover, sp.csr_matrix(np.ones((1, n_free))), gmat]).tocsc()
            # Zero objective: any feasible point answers the question, so
            # HiGHS stops at the first one it finds.
            out = solve_mip(c=np.zeros(n_free), lb=np.zeros(n_free), ub=np.ones(n_free), a=a,
                            rlo=np.concatenate([np.ones(need.size), [k], glo]),
                            rhi=np.concatenate([np.full(need.size, np.inf), [k], ghi]),
                            integer=np.ones(n_free, dtype=bool), time_limit=remaining,
                            gap=0.0, verbose=verbose)
            n_mip += 1
            if out.x is not None:
                return np.flatnonzero(out.x > 0.5)
            return None if out.status == "infeasible" else False

        status = "optimal"
        if best_cols is None and vals.size:
            # The greedy could not meet the group limits: ask the MIP directly.
            got = cover_within(float(vals[-1]))
            if got is False:
                status = "time_limit"
            elif got is not None:
                best_cols, ub = got, radius_of(got)
        lo = 0
        hi = int(np.searchsorted(vals, ub)) if best_cols is not None else 0
        while best_cols is not None and lo < hi:   # invariant: vals[hi] == ub is feasible
            if ub - vals[lo] <= gap * ub:
                status = "feasible"
                break
            if stop_requested():
                status = "time_limit"
                break
            mid = (lo + hi) // 2
            got = cover_within(float(vals[mid]))
            if got is False:
                status = "time_limit"
                break
            if got is None:
                lo = mid + 1
            else:
                rad = radius_of(got)
                if rad < ub:
                    best_cols, ub = got, rad
                hi = int(np.searchsorted(vals, ub))
        if best_cols is None and status == "time_limit":
            raise no_solution_in_time(self.name)
        if best_cols is None:
            raise InfeasibleError(
                "No p-center solution keeps the group limits.",
                "没有满足分组限制的 p-center 方案。",
                hint_en="Relax the group limits or p.", hint_zh="请放宽分组限制或调整 p。",
                details={"model": self.name, "status": "infeasible"})
        low = vals[lo] if vals.size else ub
        g = 0.0 if status == "optimal" else ((ub - low) / ub if ub > 0 else 0.0)
        res = self._finish(best_cols, status=status, gap=g, t_solve=time.perf_counter() - t0)
        res.details.update({"covering_mips": n_mip, "lower_bound": float(low)})
        return res

    def _finish(self, cols, *, status, gap, t_solve) -> SolveResult:
        r = self.roles
        new = r.new_sites(cols)
        open_sites = np.union1d(np.flatnonzero(r.existing), new)
        assign, dist = self.nearest_open(open_sites)
        covered = assign >= 0
        return self._result(status=status, objective=float(dist.max()), selected=new,
                            assignment=assign, covered=covered, mip_gap=gap, t_solve=t_solve)
