"""p-median: ``p`` new sites minimising total weight x cost to the nearest open site.

Uncapacitated: the *radius* (covering) formulation of Elloumi (2010) solved
the way García, Labbé & Marín (2011, "Solving large p-median problems with a
radius formulation", INFORMS J. Computing 23(4)) do -- on a reduced set of
radii that is enlarged until the reduced problem is provably exact.

For demand point ``i`` let ``v_1 < v_2 < ... < v_G`` be the distinct costs
to the sites that may serve it (stopping at the cost ``f_i`` of its nearest
fixed, always-open site).  Its cost in a solution is::

    v_1 + sum_k (v_{k+1} - v_k) * [no open site with cost <= v_k]

and the indicators become continuous ``z_ik`` with the chain rows
``z_i1 + sum_{c_ij = v_1} y_j >= 1`` and ``z_ik + sum_{c_ij = v_k} y_j >= z_i,k-1``.
Every assignment pair appears exactly once, so the model has as many
non-zeros as the classical one, but it only needs the levels up to a cut-off
``v_K``: charging ``min(cost, v_K)`` is a *lower bound* on the true cost.  We
start with ``v_K`` just beyond each point's cost in the vertex-substitution
solution, solve, and compare the charged and the true cost of the optimum of
the reduced model; where they differ the cut-off of those points moves out to
their true cost and the model is solved again.  When they agree the reduced
optimum is optimal for the full problem (its value is a lower bound and is
attained).  On OR-Library instances the reduced models keep a small fraction
of the n x m pairs.

Capacitated: the classical assignment formulation with ``x_ij <= y_j``
(strong linking), optionally single-sourcing (``x_ij`` binary).  With
single-sourcing a Lagrangean knapsack relaxation runs first
(:mod:`.capacitated`): its heuristic gives HiGHS a warm start, and its bound
removes the sites and pairs that cannot be in a better solution.  Where the
loads and capacities are integers and there are no group limits (up to
:data:`BCP_POINTS` points), the proof then goes to branch-cut-and-price on the
set-partitioning model (:mod:`.partition`), whose subset-row cuts close gaps
the assignment model leaves open; if it has not finished within
:data:`BCP_SHARE` of the time left, HiGHS on the assignment model continues
from its best solution and bound.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from geo.errors import InfeasibleError

from .base import (LocationModel, SolveResult, as_weights, capacitated_rows, combine_status,
                   ids_of, largest_share_assignment, no_solution_in_time, poll,
                   raise_if_no_solution, solve_mip, stop_requested)
from .coverage import _check_capacities
from . import capacitated, partition
from .heuristics import greedy_median, teitz_bart

__all__ = ["PMedian"]

CUT_FACTOR = 1.5
#: Random-start vertex substitution runs after the greedy one (and their time cap).
RESTARTS = 16
RESTART_SECONDS = 2.0
#: Share of the time limit that probing (see :func:`probe_sites`) may use.
PROBE_SHARE = 0.2
#: Below this many usable (demand, site) pairs the full radius model is solved directly.
FULL_PAIRS = 80_000
HIGHS_OPTIONS: dict = {}
#: Capacitated: the Lagrangean heuristic and bound (see capacitated.py) may use
#: this share of the time limit, probing up to the second share; they run on
#: instances up to PRE_CELLS (demand x usable sites) cells.
PRE_SHARE = 0.2
PROBE_CAP_SHARE = 0.35
PRE_CELLS = 4_000_000
PRE_POINTS = 20_000
#: Single-source capacitated instances up to this many points (and integer
#: loads and capacities, no group limits) are proven by branch-cut-and-price
#: (partition.py) instead of HiGHS on the assignment model.
BCP_POINTS = 400
#: ... whose own bound and heuristics are strong enough that the Lagrangean
#: start gets a smaller share there (measured on pmedcap1-20: 12 s + 8 s of
#: probing bought nothing the branch-cut-and-price root does not find itself).
BCP_PRE_SHARE = 0.06
BCP_PROBE_SHARE = 0.1
#: Share of the time left after the start that branch-cut-and-price may use
#: before HiGHS on the assignment model takes over (a 200-point instance with
#: 25-point clusters: column generation had not finished the root in 60 s, HiGHS
#: proved it in 15 s).
BCP_SHARE = 0.4
BCP_DETAILS = ("nodes", "cuts", "columns", "lp")
#: Capacitated with a heuristic start: HiGHS's own primal heuristics rarely
#: beat the location-allocation incumbent; its time goes to the bound instead.
WARM_CAPACITATED: dict = {"mip_heuristic_effort": 0.05, "mip_heuristic_run_feasibility_jump": False}
#: With a vertex-substitution incumbent as the warm start HiGHS's own primal
#: heuristics (RINS/RENS sub-MIPs, feasibility jump) rarely beat it and took
#: about half the time on the small-p OR-Library instances (pmed16: 17 s -> 9 s).
WARM_OPTIONS: dict = {"mip_heuristic_effort": 0.0, "mip_heuristic_run_rins": False,
                      "mip_heuristic_run_rens": False,
                      "mip_heuristic_run_root_reduced_cost": False,
                      "mip_heuristic_run_feasibility_jump": False,
                      # No strong branching: the radius LPs are slow and
                      # degenerate; pseudo-costs alone finished pmed36's tree
                      # faster.
                      "mip_pscost_minreliable": 0}


class PMedian(LocationModel):
    """p-median (optionally capacitated).  Build with :meth:`from_cost_matrix`."""

    name = "pmedian"

    @classmethod
    def from_cost_matrix(cls, costs: Any, *, p: int, weights: Any = None, existing: Any = None,
                         required: Any = None, forbidden: Any = None, groups: Any = None,
                         group_min: dict | None = None, group_max: dict | None = None,
                         capacities: Any = None, single_source: bool = False,
                         loads: Any = None, demand_ids: Any = None,
                         candidate_ids: Any = None) -> "PMedian":
        """Build a p-median model from a cost matrix.

        Parameters
        ----------
        costs : ndarray or scipy.sparse matrix, shape (n_demand, n_candidates)
            Travel cost; ``inf`` (dense) or a missing entry (sparse) means
            unreachable (such a pair can never be an assignment).
        p : int
            Number of NEW sites (existing ones are open and not counted).
        weights : array, optional
            Demand weights (default 1).
        existing, required, forbidden : bool mask or index array, optional
            Site roles.
        groups, group_min, group_max : optional
            Group labels per candidate and limits on new sites per label.
        capacities : array, optional
            Capacity per candidate in weight units (capacitated p-median).
        single_source : bool, default False
            Capacitated only: each demand point goes to exactly one site
            (the capacitated clustering problem of Osman & Christofides).
        loads : array, optional
            Capacitated only: capacity each demand point uses, when it differs
            from its objective weight (Osman & Christofides minimise plain
            distance while demands fill the capacities).  Default: ``weights``.
        demand_ids, candidate_ids : array, optional
            Ids used in error messages.

        Raises
        ------
        geo.errors.InfeasibleError
            A demand point reaches no allowed site, ``p`` is too large or
            too small, or the capacity cannot hold the demand.
        """
        t0 = time.perf_counter()
        csr, w, roles, dids = cls._common(
            costs, weights=weights, existing=existing, required=required, forbidden=forbidden,
            groups=groups, group_min=group_min, group_max=group_max,
            demand_ids=demand_ids, candidate_ids=candidate_ids)
        self = cls(csr, w, roles, demand_ids=dids, build_seconds=0.0)
        self.p = roles.check_p(p)
        self.capacities = _check_capacities(capacities, self.m)
        self.single_source = bool(single_source)
        self.loads = w if loads is None else as_weights(loads, self.n)
        self._require_reachable()
        if self.capacities is not None:
            self._check_capacity()
        self._build_seconds = time.perf_counter() - t0
        return self

    def _check_capacity(self) -> None:
        r, cap = self.roles, self.capacities
        total = float(self.loads.sum())
        k = self.p - r.n_required
        best = float(cap[r.fixed].sum() + np.sort(cap[r.free_idx])[::-1][:k].sum())
        if best + 1e-9 * max(1.0, total) < total:
            raise InfeasibleError(
                f"Total demand {total:g} exceeds the largest capacity p = {self.p} new sites "
                f"plus the existing ones can offer ({best:g}).",
                f"总需求 {total:g} 超过了 p = {self.p} 个新站点加现有设施所能提供的最大容量（{best:g}）。",
                hint_en="Raise p or the capacities.",
                hint_zh="请增大 p 或站点容量。",
                details={"total_demand": total, "max_capacity": best, "p": self.p})
        if self.single_source:
            usable = np.flatnonzero(r.fixed | r.free)
            sub = self.costs[:, usable].tocoo()
            best_cap = np.zeros(self.n)
            np.maximum.at(best_cap, sub.row, cap[usable][sub.col])
            bad = np.flatnonzero(self.loads > best_cap + 1e-9)
            if bad.size:
                raise InfeasibleError(
                    f"{bad.size} demand point(s) weigh more than any reachable site's capacity: "
                    f"{ids_of(self.demand_ids, bad[:10])}.",
                    f"有 {bad.size} 个需求点的需求量超过任何可达站点的容量："
                    f"{ids_of(self.demand_ids, bad[:10])}。",
                    hint_en="Raise capacities or allow split assignment (single_source=False).",
                    hint_zh="请增大容量，或允许拆分分配（single_source=False）。",
                    details={"demand": ids_of(self.demand_ids, bad),
                             "demand_index": bad.tolist()})

    # ------------------------------------------------------------------ #
    def _heuristic(self, d, base, deadline):
        r = self.roles
        k = self.p - r.n_required
        start = greedy_median(d, self.weights, base, k=k, start=np.zeros(0, dtype=np.int64),
                              groups=r.groups, deadline=deadline)
        if start is None:
            return None
        locked = np.zeros(d.shape[1], dtype=bool)
        best = teitz_bart(d, self.weights, base, start=start, locked=locked, groups=r.groups,
                          deadline=deadline)
        if len(r.groups.labels) or not 0 < k < d.shape[1]:
            return best
        # Restarts from random k-subsets (fixed seed: reproducible): vertex
        # substitution from the greedy start alone stalls on some small-p
        # instances (OR-Library pmed22: 8669 vs the optimum 8579).
        best_v = float(self.weights @ self._true_cost(best, d, base))
        rng = np.random.default_rng(12345)
        t_end = min(deadline, time.perf_counter() + RESTART_SECONDS)
        for _ in range(RESTARTS):
            if time.perf_counter() > t_end or poll("heuristic"):
                break
            cols = teitz_bart(d, self.weights, base,
                              start=rng.choice(d.shape[1], size=k, replace=False),
                              locked=locked, groups=r.groups, deadline=t_end)
            v = float(self.weights @ self._true_cost(cols, d, base))
            if v < best_v - 1e-9 * max(1.0, abs(best_v)):
                best, best_v = cols, v
        return best

    def _true_cost(self, cols: np.ndarray, d: np.ndarray, base: np.ndarray) -> np.ndarray:
        dist = base.copy()
        if cols.size:
            dist = np.minimum(dist, d[:, cols].min(axis=1))
        return dist

    def _solve(self, *, time_limit: float, gap: float, verbose: bool,
               heuristic_only: bool) -> SolveResult:
        if self.capacities is not None:
            return self._solve_capacitated(time_limit=time_limit, gap=gap, verbose=verbose)
        t_start = time.perf_counter()
        deadline = t_start + time_limit
        r = self.roles
        k = self.p - r.n_required
        w = self.weights
        d, base, unreachable = self.free_dense()
        # Vertex substitution: the upper bound, the warm start and the cut-offs.
        cols = self._heuristic(d, base, deadline=t_start + 0.3 * time_limit)
        t_heur = time.perf_counter() - t_start
        if heuristic_only and cols is not None:
            return self._finish(cols, status="feasible", gap=np.inf, t_solve=t_heur, t_build=0.0,
                                d=d, base=base)
        if cols is not None and stop_requested():
            # The caller asked to stop: the heuristic's answer, as at a time limit.
            return self._finish(cols, status="time_limit", gap=np.inf, t_solve=t_heur, t_build=0.0,
                                d=d, base=base)
        best_cols = cols
        best_ub = float(w @ self._true_cost(cols, d, base)) if cols is not None else np.inf
        lb = -np.inf
        closed = np.zeros(d.shape[1], dtype=bool)
        lam = None
        t_lag = time.perf_counter()
        if cols is not None and not len(r.groups.labels) and 0 < k < d.shape[1]:
            lb, rho, lam = lagrangean_fixing(d, unreachable, w, base, k=k, ub=best_ub,
                                             deadline=time.perf_counter() + 0.15 * time_limit,
                                             with_lam=True)
            # Lagrangean heuristic: the relaxation's k sites, improved by
            # vertex substitution, often beat the greedy start; a lower
            # incumbent closes more sites.
            alt = teitz_bart(d, w, base, start=np.argpartition(rho, k - 1)[:k],
                             locked=np.zeros(d.shape[1], dtype=bool), groups=r.groups,
                             deadline=time.perf_counter() + 0.1 * time_limit)
            alt_ub = float(w @ self._true_cost(alt, d, base))
            if alt_ub < best_ub:
                best_cols, best_ub = alt, alt_ub
            closed = closed_by_bound(rho, lb, k=k, ub=best_ub)
            # Probing: re-optimise the multipliers with each remaining site
            # forced open; a site whose bound then exceeds the incumbent is
            # closed too (on pmed38 this closes 71 of the 121 sites the plain
            # reduced-cost test leaves).  The incumbent's sites stay, so the
            # warm start remains feasible in the reduced model.
            if best_ub - lb > max(gap * abs(best_ub), 1e-9 * abs(best_ub), 1e-9):
                keep = np.zeros(d.shape[1], dtype=bool)
                keep[best_cols] = True
                closed |= probe_sites(d, unreachable, w, base, lam, closed=closed, keep=keep,
                                      rho=rho, k=k, ub=best_ub,
                                      deadline=time.perf_counter() + PROBE_SHARE * time_limit)
        t_lag = time.perf_counter() - t_lag
        t_heur += t_lag
        if best_cols is not None and stop_requested() and not (
                best_ub - lb <= max(gap * abs(best_ub), 1e-9 * abs(best_ub), 1e-9)):
            # Stopped during the bound: skip building the reduced model.
            gap_v = (best_ub - lb) / abs(best_ub) if np.isfinite(lb) and best_ub != 0 else np.inf
            return self._finish(best_cols, status="time_limit", gap=max(gap_v, 0.0),
                                t_solve=t_heur, t_build=0.0, d=d, base=base)
        if best_ub - lb <= max(gap * abs(best_ub), 1e-9 * abs(best_ub), 1e-9):
            # The Lagrangean bound already proves the heuristic optimal.
            res = self._finish(best_cols, status="optimal" if best_ub - lb <= max(
                1e-9 * abs(best_ub), 1e-6) else "feasible", gap=max(best_ub - lb, 0.0) / max(abs(best_ub), 1e-12),
                t_solve=t_heur, t_build=0.0, d=d, base=base)
            res.details.update({"iterations": 0, "reduced_pairs": 0, "lower_bound": lb,
                                "closed_by_bound": int(closed.sum())})
            return res
        # Sites the bound closes are never worth opening: drop their pairs.
        levels = _Levels(d, unreachable | closed[None, :], base)
        if best_cols is not None:
            cut = levels.level_index(CUT_FACTOR * self._true_cost(best_cols, d, base)) + 2
        else:
            cut = np.minimum(levels.n_levels, 2)
        if lam is not None:
            # Keep every level below the point's Lagrangean multiplier: the
            # reduced model's charge min(cost, v_K) then equals the true one
            # wherever the relaxation sees a saving, so its bound is at least
            # the Lagrangean one (with the incumbent's cut alone the root LP
            # of pmed36 was 2.5 % below it).
            pos_w = w > 0
            q = np.where(pos_w, lam / np.where(pos_w, w, 1.0), 0.0)
            cut = np.maximum(cut, levels.level_index(q) + 1)
        cut = np.minimum(cut, levels.n_levels)
        if levels.ei.size <= FULL_PAIRS:
            # Small enough to take whole: one MIP beats several reduced ones.
            cut = levels.n_levels.copy()
        status, t_build, t_mip = "optimal", 0.0, 0.0
        iterations = 0
        while True:
            iterations += 1
            tb = time.perf_counter()
            mip = levels.build(cut, w, r.group_matrix(), r.groups, k)
            start = levels.start_point(best_cols, cut) if best_cols is not None else None
            t_build += time.perf_counter() - tb
            remaining = deadline - time.perf_counter()
            if remaining <= 0.01 or stop_requested():
                status = "time_limit"
                break
            opts = {**WARM_OPTIONS, **HIGHS_OPTIONS} if start is not None else HIGHS_OPTIONS
            out = solve_mip(**mip, time_limit=remaining, gap=gap, verbose=verbose, start=start,
                            options=opts)
            t_mip += out.seconds
            if out.status == "infeasible":
                self._raise_solver_infeasible(
                    "the group limits cannot be met with p new sites.",
                    "在 p 个新站点下无法满足分组限制。")
            lb = max(lb, out.bound)
            if out.x is None:
                status = "time_limit"
                break
            new_cols = np.flatnonzero(out.x[:levels.n_free] > 0.5)
            dist = self._true_cost(new_cols, d, base)
            true = float(w @ dist)
            if true < best_ub:
                best_ub, best_cols = true, new_cols
            under = dist > levels.cap_value(cut) * (1 + 1e-12) + 1e-12
            if out.status == "time_limit":
                status = "time_limit"
                break
            if not under.any() or best_ub - lb <= max(gap * abs(best_ub), 1e-9 * abs(best_ub), 1e-9):
                status = "optimal" if best_ub - lb <= max(1e-9 * abs(best_ub), 1e-6) else "feasible"
                break
            # Move the cut-off of the undercharged points out to their true
            # cost (one level further, so nearby alternatives are seen too).
            need = levels.level_index(dist[under], np.flatnonzero(under)) + 2
            cut[under] = np.minimum(np.maximum(cut[under], need), levels.n_levels[under])
        if best_cols is None:
            raise no_solution_in_time(self.name)
        gap_v = 0.0 if status == "optimal" else (
            (best_ub - lb) / abs(best_ub) if np.isfinite(lb) and best_ub != 0 else np.inf)
        res = self._finish(best_cols, status=status, gap=max(gap_v, 0.0),
                           t_solve=t_heur + t_mip, t_build=t_build, d=d, base=base)
        res.details.update({"iterations": iterations, "reduced_pairs": int(mip["a"].nnz),
                            "lower_bound": lb, "closed_by_bound": int(closed.sum())})
        return res

    def _finish(self, cols, *, status, gap, t_solve, t_build, d, base) -> SolveResult:
        r = self.roles
        new = r.new_sites(cols)
        open_sites = np.union1d(np.flatnonzero(r.existing), new)
        assign, dist = self.nearest_open(open_sites)
        covered = assign >= 0
        obj = float(self.weights[covered] @ dist[covered])
        return self._result(status=status, objective=obj, selected=new, assignment=assign,
                            covered=covered, mip_gap=gap, t_solve=t_solve, t_build_extra=t_build)

    # ------------------------------------------------------------------ #
    def _solve_capacitated(self, *, time_limit: float, gap: float, verbose: bool) -> SolveResult:
        t0 = time.perf_counter()
        r = self.roles
        cap = self.capacities
        k = self.p - r.n_required
        usable = np.flatnonzero(r.fixed | r.free)
        ycol = r.col_of                # candidate -> y column (-1: not free)
        site_row = np.full(self.m, -1, dtype=np.int64)
        site_row[usable] = np.arange(usable.size)
        sub = self.costs[:, usable].tocoo()
        pi, pj, pc = sub.row, usable[sub.col], sub.data
        bcp = partition.applies(self.loads, cap[usable], n_points=self.n,
                                groups=len(r.groups.labels), max_points=BCP_POINTS)
        pre = self._capacitated_start(pi, pj, pc, usable, site_row, k, t0=t0,
                                      time_limit=time_limit, bcp=bcp)
        ny = r.free_idx.size
        y_lo, y_hi = np.zeros(ny), np.ones(ny)
        if pre is not None and pre.keep is not None:
            keep = pre.keep[pi, site_row[pj]]
            pi, pj, pc = pi[keep], pj[keep], pc[keep]
            fr_u = usable[pre.closed]
            y_hi[ycol[fr_u]] = 0.0
            y_lo[ycol[usable[pre.opened]]] = 1.0
        t_pre = time.perf_counter() - t0
        if pre is not None and np.isfinite(pre.value) and self._bound_proves(pre.bound, pre.value, gap):
            # The Lagrangean bound alone proves the heuristic (within the gap).
            exact = self._bound_proves(pre.bound, pre.value, 0.0)
            res = self._capacitated_result(pre.chosen_sites, pre.assign_sites,
                                           "optimal" if exact else "feasible", pre, t_pre, 0.0,
                                           pre.bound)
            res.details["method"] = "lagrangean bound"
            return res
        tried = None
        if bcp and pre is not None and pre.keep is not None and np.isfinite(pre.value):
            left = time_limit - (time.perf_counter() - t0)
            res, chosen, assign, lb_bcp = self._capacitated_bcp(
                pre, usable, k, t0=t0, deadline=time.perf_counter() + BCP_SHARE * left, gap=gap)
            if res.status != "time_limit" or stop_requested():
                return res
            # Not proven in its share (slow column generation on large
            # clusters): HiGHS on the assignment model gets the rest of the
            # time, starting from the best solution and bound so far.
            tried = {key: res.details[key] for key in BCP_DETAILS}
            pre.value, pre.chosen_sites, pre.assign_sites = res.objective, chosen, assign
            pre.bound = lb_bcp
            t_pre = time.perf_counter() - t0
        npair = pi.size
        wi = self.weights[pi]          # objective weight
        li = self.loads[pi]            # capacity used
        a, rlo, rhi = capacitated_rows(r, self.n, pi, pj, li, cap, k=k, serve_all=True)
        c = np.concatenate([np.zeros(ny), wi * pc])
        integer = np.zeros(ny + npair, dtype=bool)
        integer[:ny] = True
        if self.single_source:
            integer[ny:] = True
        start = None
        options = {"mip_allow_restart": False,
                   # More primal heuristics: without a start the capacitated
                   # incumbent was the weak side (OR-Library pmedcap1-20
                   # stopped at 1030 vs 1005).
                   "mip_heuristic_effort": 0.3}
        if pre is not None and pre.assign_sites is not None:
            start = np.zeros(ny + npair)
            start[ycol[pre.chosen_sites]] = 1.0
            key = pi * self.m + pj
            order = np.argsort(key)
            want = np.arange(self.n) * self.m + pre.assign_sites
            start[ny + order[np.searchsorted(key, want, sorter=order)]] = 1.0
            options = {"mip_allow_restart": False, **WARM_CAPACITATED}
        t_build = time.perf_counter() - t0 - t_pre
        # No restarts: with them HiGHS 1.16 was seen to loop without ever
        # checking its time limit (Osman-Christofides problem 16).
        out = solve_mip(c=c, lb=np.concatenate([y_lo, np.zeros(npair)]),
                        ub=np.concatenate([y_hi, np.ones(npair)]), a=a, rlo=rlo,
                        rhi=rhi, integer=integer,
                        time_limit=max(time_limit - (time.perf_counter() - t0), 0.01),
                        gap=gap, verbose=verbose, start=start, options=options)
        if out.status == "infeasible":
            self._raise_solver_infeasible(
                "the capacities cannot hold the demand with p new sites under these limits.",
                "在这些限制下，p 个新站点的容量无法容纳全部需求。")
        lb = out.bound if pre is None else max(out.bound, pre.bound)
        better = out.x is not None and (pre is None or out.objective < pre.value - 1e-9)
        if not better:
            if pre is None or pre.assign_sites is None:
                raise_if_no_solution(out, self.name)
            status = "optimal" if out.status == "optimal" else (
                "feasible" if out.status == "feasible" else "time_limit")
            if self._bound_proves(lb, pre.value, 0.0):
                status = "optimal"
            res = self._capacitated_result(pre.chosen_sites, pre.assign_sites, status, pre,
                                           t_pre + out.seconds, t_build, lb)
            res.details["method"] = "assignment MIP"
            if tried:
                res.details["branch_cut_price"] = tried
            return res
        x = np.clip(out.x[ny:], 0.0, 1.0)
        cols = np.flatnonzero(out.x[:ny] > 0.5)
        new = r.new_sites(cols)
        assign = largest_share_assignment(self.n, pi, pj, x)
        covered = assign >= 0
        obj = float(c[ny:] @ x)
        load = np.bincount(pj, weights=li * x, minlength=self.m)
        status = combine_status(out.status, out.gap)
        gap_v = out.gap
        if status != "optimal" and self._bound_proves(lb, obj, 0.0):
            status, gap_v = "optimal", 0.0
        res = self._result(status=status, objective=obj,
                           selected=new, assignment=assign, covered=covered, mip_gap=gap_v,
                           t_solve=t_pre + out.seconds, t_build_extra=t_build,
                           details={"load": load, "shares": (pi, pj, x)})
        res.details.update(self._pre_details(pre, lb))
        res.details["method"] = "assignment MIP"
        if tried:
            res.details["branch_cut_price"] = tried
        return res

    def _capacitated_bcp(self, pre, usable, k, *, t0, deadline, gap):
        """Branch-cut-and-price from the Lagrangean start (see partition.py).

        Returns the result, its free sites and assignment (candidate
        indices) and its lower bound.
        """
        r = self.roles
        out = partition.solve(pre.cost, self.loads, self.capacities[usable], r.fixed[usable], k,
                              allowed=pre.keep, closed=pre.closed, incumbent=pre.value,
                              incumbent_assign=pre.assign, integral=self._integral_objective,
                              gap=gap, deadline=deadline, stop=lambda: poll("MIP"))
        lb = max(pre.bound, out.bound)
        if out.assign is None:
            chosen, assign = pre.chosen_sites, pre.assign_sites
        else:
            chosen, assign = usable[out.chosen], usable[out.assign]
            # Capacity may leave a site idle: p sites are still reported,
            # topped up from the Lagrangean incumbent's.
            extra = np.setdiff1d(pre.chosen_sites, chosen)[:max(k - chosen.size, 0)]
            chosen = np.sort(np.concatenate([chosen, extra]))
        if self._bound_proves(lb, out.value, 0.0):
            status = "optimal"
        elif out.status == "optimal" or self._bound_proves(lb, out.value, gap):
            status = "feasible"           # proven within the requested gap
        else:
            status = "time_limit"
        res = self._capacitated_result(chosen, assign, status, pre, time.perf_counter() - t0, 0.0, lb)
        res.details.update({"method": "branch-cut-and-price",
                            **{key: out.stats[key] for key in BCP_DETAILS}})
        return res, chosen, assign, lb

    def _bound_proves(self, bound: float, value: float, gap: float) -> bool:
        """Whether ``bound`` proves ``value`` optimal (within ``gap``)."""
        if not np.isfinite(bound) or not np.isfinite(value):
            return False
        slack = max(gap * abs(value), 1e-9 * max(1.0, abs(value)))
        if self._integral_objective:
            return np.ceil(bound - 1e-6) >= value - 1e-6 - slack
        return bound >= value - slack

    @property
    def _integral_objective(self) -> bool:
        """Every weight x cost is a whole number (then bounds round up)."""
        if not hasattr(self, "_integral_cache"):
            rows = np.repeat(np.arange(self.n), np.diff(self.costs.indptr))
            v = self.weights[rows] * self.costs.data
            self._integral_cache = bool(np.all(np.abs(v - np.round(v)) <= 1e-9 * np.maximum(1.0, np.abs(v))))
        return self._integral_cache

    def _capacitated_start(self, pi, pj, pc, usable, site_row, k, *, t0, time_limit, bcp):
        """Lagrangean heuristic, bound and reductions, or ``None`` where they do not apply."""
        r = self.roles
        # Split demand: HiGHS handles the (mostly continuous) model well and a
        # single-source start rarely helps it (300 x 80 test: 22 s plain,
        # 27.5 s with the start), and the 0-1 knapsack bound would not hold.
        if (not self.single_source or k <= 0 or self.n * usable.size > PRE_CELLS
                or self.n > PRE_POINTS):
            return None
        cost = np.full((self.n, usable.size), np.inf)
        cost[pi, site_row[pj]] = self.weights[pi] * pc
        fixed_u = r.fixed[usable]
        site_ok = None
        if len(r.groups.labels):
            def site_ok(chosen):  # chosen: usable-row indices of new free sites
                counts = np.asarray(r.group_matrix() @ np.bincount(
                    r.col_of[usable[chosen]], minlength=r.free_idx.size)).ravel()
                return bool(np.all(counts >= r.groups.lo - 1e-9) and np.all(counts <= r.groups.hi + 1e-9))
        pre = capacitated.preprocess(cost, self.loads, self.capacities[usable], fixed_u, k,
                                     deadline=t0 + (BCP_PRE_SHARE if bcp else PRE_SHARE) * time_limit,
                                     probe_deadline=t0 + (BCP_PROBE_SHARE if bcp else PROBE_CAP_SHARE)
                                     * time_limit,
                                     integral=self._integral_objective, site_ok=site_ok)
        pre.cost = cost
        pre.chosen_sites = None if pre.chosen is None else usable[pre.chosen]
        pre.assign_sites = None if pre.assign is None else usable[pre.assign]
        return pre

    def _pre_details(self, pre, lb) -> dict:
        if pre is None:
            return {"lower_bound": lb}
        return {"lower_bound": lb, "lagrangean_bound": pre.bound, "heuristic": pre.value,
                "closed_by_bound": int(pre.closed.sum()), "probed": pre.probed,
                "reduced_pairs": None if pre.keep is None else int(pre.keep.sum())}

    def _capacitated_result(self, chosen_sites, assign_sites, status, pre, t_solve, t_build, lb):
        r = self.roles
        new = np.sort(np.concatenate([np.flatnonzero(r.required), chosen_sites]))
        rows = np.arange(self.n)
        cost = np.asarray(self.costs[rows, assign_sites]).ravel()
        obj = float(self.weights @ cost)
        x = np.ones(self.n)
        load = np.bincount(assign_sites, weights=self.loads, minlength=self.m)
        gap_v = 0.0 if status == "optimal" else (
            max(obj - lb, 0.0) / abs(obj) if np.isfinite(lb) and obj != 0 else np.inf)
        res = self._result(status=status, objective=obj, selected=new, assignment=assign_sites,
                           covered=np.ones(self.n, dtype=bool), mip_gap=gap_v, t_solve=t_solve,
                           t_build_extra=t_build,
                           details={"load": load, "shares": (rows, assign_sites, x)})
        res.details.update(self._pre_details(pre, lb))
        return res


def lagrangean_fixing(d: np.ndarray, unreachable: np.ndarray, w: np.ndarray, base: np.ndarray,
                      *, k: int, ub: float, deadline: float, max_iter: int = 1500,
                      lam0: np.ndarray | None = None, with_lam: bool = False):
    """Lagrangean lower bound and the free sites it proves useless (Beasley 1985 style).

    Relaxing "every demand point is assigned once" with multipliers ``lam``
    leaves ``sum(lam) + sum_i min(0, w_i f_i - lam_i) + (k smallest rho_j)``
    with ``rho_j = sum_i min(0, w_i d_ij - lam_i)``; subgradient steps raise
    it.  Forcing a site outside the chosen k open costs at least
    ``rho_j - rho_(k)`` more, so when ``bound + rho_j - rho_(k) > ub`` no
    solution better than the incumbent opens it and the site is closed.

    Returns
    -------
    bound : float
        Best Lagrangean lower bound found.
    rho : ndarray
        Reduced cost of every free column at the best multipliers (see
        :func:`closed_by_bound`); its k smallest are the relaxation's choice.
    """
    c = np.where(unreachable, np.inf, w[:, None] * d)
    fixed_c = np.where(np.isfinite(base), w * base, np.inf)
    srt = np.sort(np.where(np.isfinite(c), c, np.inf), axis=1)
    lam = np.minimum(srt[:, min(1, c.shape[1] - 1)], fixed_c)
    lam = np.where(np.isfinite(lam), lam, np.minimum(srt[:, 0], fixed_c))
    if lam0 is not None:
        lam = np.asarray(lam0, dtype=np.float64).copy()
    best, best_lam = -np.inf, lam.copy()
    step, stall = 2.0, 0
    for _ in range(max_iter):
        red = np.minimum(0.0, c - lam[:, None])
        rho = red.sum(axis=0)
        chosen = np.argpartition(rho, k - 1)[:k]
        fixed_red = np.minimum(0.0, fixed_c - lam)
        value = float(lam.sum() + fixed_red.sum() + rho[chosen].sum())
        if not np.isfinite(best) or value > best + 1e-9 * max(1.0, abs(best)):
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= 30:      # halve the step when the bound stalls
                step, stall = step / 2.0, 0
        if (step < 1e-4 or ub - best <= 1e-9 * max(1.0, abs(ub)) or time.perf_counter() > deadline
                or poll("bound")):
            break
        g = 1.0 - (red[:, chosen] < 0).sum(axis=1) - (fixed_red < 0)
        gg = float(g @ g)
        if gg == 0:
            break            # the relaxed solution is feasible: the bound is optimal
        lam = lam + step * max(ub - value, 1e-9 * max(1.0, abs(ub))) / gg * g
    rho = np.minimum(0.0, c - best_lam[:, None]).sum(axis=0)
    if with_lam:
        return best, rho, best_lam
    return best, rho


def probe_sites(d: np.ndarray, unreachable: np.ndarray, w: np.ndarray, base: np.ndarray,
                lam0: np.ndarray, *, closed: np.ndarray, keep: np.ndarray, rho: np.ndarray,
                k: int, ub: float, deadline: float, iters: int = 60,
                rounds: int = 3, step0: float = 2.0, patience: int = 5,
                overshoot: float = 5e-3) -> np.ndarray:
    """Free sites that no solution better than ``ub`` opens, by probing.

    For each site ``j`` still open (not ``closed``, not ``keep``) the
    Lagrangean relaxation over the open sites is solved again with ``y_j = 1``
    forced: ``sum(lam) + fixed part + rho_j + (k - 1 smallest other rho)``,
    subgradient steps from ``lam0`` towards the target ``ub``.  Every value it
    reaches is a lower bound on any solution opening ``j`` (and avoiding the
    closed sites, which no improving solution opens); above ``ub`` plus a
    clear margin the site is closed.  Rounds repeat while sites close, as the
    relaxation over fewer sites is tighter.

    Returns the newly closed sites as a boolean mask over the free columns.
    """
    out = np.zeros(d.shape[1], dtype=bool)
    fixed_c = np.where(np.isfinite(base), w * base, np.inf)
    margin = 1e-7 * max(1.0, abs(ub))
    for _ in range(rounds):
        alive = np.flatnonzero(~closed & ~out)
        if alive.size <= k:
            break
        c = np.where(unreachable[:, alive], np.inf, w[:, None] * d[:, alive])
        todo = np.flatnonzero(~keep[alive])
        todo = todo[np.argsort(-rho[alive[todo]], kind="stable")]
        found = False
        for jj in todo:
            if time.perf_counter() > deadline:
                return out
            lam = lam0.copy()
            best, step, stall = -np.inf, step0, 0
            for _it in range(iters):
                if poll("bound"):
                    return out        # the sites closed so far are proven
                red = np.minimum(0.0, c - lam[:, None])
                r = red.sum(axis=0)
                fixed_red = np.minimum(0.0, fixed_c - lam)
                if k > 1:
                    rr = r.copy()
                    rr[jj] = np.inf
                    ch = np.append(np.argpartition(rr, k - 2)[:k - 1], jj)
                else:
                    ch = np.array([jj])
                value = float(lam.sum() + fixed_red.sum() + r[ch].sum())
                if value > best + 1e-9 * max(1.0, abs(best) if np.isfinite(best) else 1.0):
                    best, stall = value, 0
                else:
                    stall += 1
                    if stall >= patience:
                        step, stall = step / 2.0, 0
                if best > ub + margin or step < 1e-3:
                    break
                g = 1.0 - (red[:, ch] < 0).sum(axis=1) - (fixed_red < 0)
                gg = float(g @ g)
                if gg == 0:
                    break
                lam = lam + step * max(ub + overshoot * abs(ub) - value, margin) / gg * g
            if best > ub + margin:
                out[alive[jj]] = True
                found = True
        if not found:
            break
    return out


def closed_by_bound(rho: np.ndarray, bound: float, *, k: int, ub: float) -> np.ndarray:
    """Free sites whose forced opening lifts the Lagrangean bound above ``ub``."""
    kth = np.partition(rho, k - 1)[k - 1]
    inset = np.zeros(rho.size, dtype=bool)
    inset[np.argpartition(rho, k - 1)[:k]] = True
    # Margin: a site is closed only when its bound beats ub by a clear
    # relative tolerance, so float round-off never cuts the optimum away.
    return ~inset & (bound + rho - kth > ub + 1e-7 * max(1.0, abs(ub)))


class _Levels:
    """Distinct cost levels per demand point, for the radius formulation.

    Built once from the dense free-column costs; :meth:`build` then writes
    the reduced model for any vector of per-point cut-offs with numpy only.
    """

    def __init__(self, d: np.ndarray, unreachable: np.ndarray, base: np.ndarray) -> None:
        n, F = d.shape
        self.n, self.n_free = n, F
        self.base = base
        # Entries that can matter: reachable and strictly cheaper than the
        # nearest fixed site (which caps every point's cost).
        ok = ~unreachable & (d < base[:, None])
        ei, ej = np.nonzero(ok)
        ed = d[ei, ej]
        order = np.lexsort((ed, ei))
        ei, ej, ed = ei[order], ej[order], ed[order]
        new_level = np.ones(ei.size, dtype=bool)
        new_level[1:] = (ei[1:] != ei[:-1]) | (ed[1:] != ed[:-1])
        row_start = np.searchsorted(ei, np.arange(n))
        cum = np.cumsum(new_level) - 1                 # global level number
        first_level = np.zeros(n, dtype=np.int64)
        has = np.bincount(ei, minlength=n) > 0
        first_level[has] = cum[row_start[has]]
        self.lvl = cum - first_level[ei]               # 0-based level within row
        self.ei, self.ej, self.ed = ei, ej, ed
        n_free_levels = np.bincount(ei, weights=new_level, minlength=n).astype(np.int64)
        self.has_fixed = np.isfinite(base)
        # Level values flattened: free levels of row i, then base[i] if finite.
        self.n_levels = n_free_levels + self.has_fixed
        self.offset = np.concatenate([[0], np.cumsum(self.n_levels)[:-1]])
        vals = np.empty(int(self.n_levels.sum()))
        vals[self.offset[ei[new_level]] + self.lvl[new_level]] = ed[new_level]
        fx = np.flatnonzero(self.has_fixed)
        vals[self.offset[fx] + n_free_levels[fx]] = base[fx]
        self.values = vals
        self.n_free_levels = n_free_levels
        # Level values are sorted within rows: shift each row into its own
        # band so one global searchsorted answers every row at once.
        self._span = (np.nanmax(np.where(np.isfinite(vals), vals, 0)) + 1.0) if vals.size else 1.0
        self._key = vals + np.repeat(np.arange(self.n), self.n_levels) * self._span * 2.0

    def level_index(self, q: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """0-based index of the first level >= q for each row (``n_levels`` if none)."""
        rows = np.arange(self.n) if rows is None else rows
        q = np.asarray(q, dtype=np.float64)
        if q.size != rows.size:
            raise ValueError("q and rows differ in length")
        span = self._span
        qq = np.where(np.isfinite(q), q, span * 1.5) + rows * span * 2.0
        pos = np.searchsorted(self._key, qq * (1 - 1e-15) - 1e-12, side="left")
        return np.clip(pos - self.offset[rows], 0, self.n_levels[rows])

    def cap_value(self, cut: np.ndarray) -> np.ndarray:
        """Cost charged at the cut-off level of each row (``inf`` when uncut)."""
        v = np.full(self.n, np.inf)
        ok = cut >= 1
        v[ok] = self.values[self.offset[ok] + cut[ok] - 1]
        # Every level kept: the row is charged exactly (up to the fixed
        # site's cost where it has one), so nothing is undercharged.
        v[cut >= self.n_levels] = np.inf
        return v

    def build(self, cut: np.ndarray, w: np.ndarray, grp: sp.csr_matrix, groups, k: int) -> dict:
        """Reduced radius model with ``cut[i]`` levels kept for row ``i``."""
        n, F = self.n, self.n_free
        cut = np.maximum(cut, np.minimum(1, self.n_levels))
        nz = np.maximum(cut - 1, 0)                       # z variables per row
        # A row with every free level kept and no fixed site must be served:
        # one more chain row whose z is forced to 0 (a "guard").
        guard = (cut >= self.n_levels) & ~self.has_fixed & (self.n_levels > 0)
        nrow = nz + guard
        zoff = np.concatenate([[0], np.cumsum(nz)[:-1]])
        roff = np.concatenate([[0], np.cumsum(nrow)[:-1]])
        Z, R = int(nz.sum()), int(nrow.sum())
        # y entries: level l of row i goes into chain row l when l < nrow[i].
        use = self.lvl < nrow[self.ei]
        y_rows = roff[self.ei[use]] + self.lvl[use]
        y_cols = self.ej[use]
        # z entries: +1 on z_ik in chain row k; -1 on z_i,k-1 in row k (k >= 1).
        zi = np.repeat(np.arange(n), nz)
        zk = np.arange(Z) - zoff[zi]
        gi = np.repeat(np.arange(n), nrow)
        gk = np.arange(R) - roff[gi]
        prev = gk >= 1
        rows = np.concatenate([y_rows, roff[zi] + zk, roff[gi[prev]] + gk[prev]])
        cols = np.concatenate([y_cols, F + zoff[zi] + zk, F + zoff[gi[prev]] + gk[prev] - 1])
        vals = np.concatenate([np.ones(y_rows.size), np.ones(Z), -np.ones(int(prev.sum()))])
        chain = sp.csr_matrix((vals, (rows, cols)), shape=(R, F + Z))
        rlo_chain = (gk == 0).astype(np.float64)
        card = sp.csr_matrix((np.ones(F), (np.zeros(F, dtype=np.int64), np.arange(F))),
                             shape=(1, F + Z))
        g = sp.hstack([grp, sp.csr_matrix((grp.shape[0], Z))]).tocsr()
        a = sp.vstack([chain, card, g]).tocsc()
        # Objective: w_i * (v_{k+1} - v_k) on z_ik, constant w_i * v_1.
        flat = self.offset[zi] + zk
        c = np.concatenate([np.zeros(F), w[zi] * (self.values[flat + 1] - self.values[flat])])
        has = self.n_levels > 0
        offset = float(w[has] @ self.values[self.offset[has]])
        self._zoff, self._nz, self._cut = zoff, nz, cut
        return dict(c=c, lb=np.zeros(F + Z), ub=np.ones(F + Z), a=a,
                    rlo=np.concatenate([rlo_chain, [k], groups.lo]),
                    rhi=np.concatenate([np.full(R, np.inf), [k], groups.hi]),
                    integer=np.arange(F + Z) < F, offset=offset)

    def start_point(self, cols: np.ndarray, cut: np.ndarray) -> np.ndarray:
        """Primal point of the last built model for the open free columns ``cols``."""
        y = np.zeros(self.n_free)
        y[cols] = 1.0
        # Cost of each row in the solution, from the entry lists.
        opened = y[self.ej] > 0
        dist = self.base.copy()
        np.minimum.at(dist, self.ei[opened], self.ed[opened])
        zi = np.repeat(np.arange(self.n), self._nz)
        zk = np.arange(int(self._nz.sum())) - self._zoff[zi]
        z = (dist[zi] > self.values[self.offset[zi] + zk]).astype(np.float64)
        return np.concatenate([y, z])
