"""p-median: ``p`` new sites minimising total weight x cost to the nearest open site.

Uncapacitated:

1. vertex substitution (:mod:`.heuristics`) gives the incumbent, the warm
   start and the first cut-offs;
2. a Lagrangean bound closes the sites no better solution opens
   (:mod:`.lagrangean`), and probing closes more (:mod:`.median_tree`);
3. a Lagrangean branch and bound over the remaining sites, its nodes bounded
   by compiled subgradient steps (:mod:`.median_tree`), proves the optimum --
   on OR-Library pmed1-40 always, pmed36 in a few seconds where HiGHS on the
   radius model below needed 40-60 s;
4. if the tree has not finished in :data:`TREE_SHARE` of the time left, the
   radius formulation (:mod:`.radius`) is solved the way García, Labbé &
   Marín (2011) do -- on a reduced set of radii that is enlarged until the
   reduced problem is provably exact.  The radius model keeps each point's
   cost levels up to a cut-off ``v_K`` just beyond its cost in the incumbent
   (and up to its Lagrangean multiplier); charging ``min(cost, v_K)`` is a
   lower bound on the true cost.  HiGHS solves it, and the charged and true
   costs of its optimum are compared; where they differ the cut-off of those
   points moves out to their true cost and the model is solved again.  When
   they agree the reduced optimum is optimal for the full problem.

With ``capacities`` the solve goes to the capacitated driver
(:mod:`.pmedian_capacitated`), a base class of :class:`PMedian`.  Time shares:
:mod:`.budget`.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import budget
from .control import poll, stop_requested
from .heuristics import greedy_median, teitz_bart
from .highs import solve_mip
from .inputs import as_capacities, as_weights
from .lagrangean import closed_by_bound, lagrangean_fixing
from .median_tree import branch_and_bound, probe
from .pmedian_capacitated import CapacitatedDriver
from .radius import RadiusLevels
from .result import SolveResult, no_solution_in_time

__all__ = ["PMedian"]

CUT_FACTOR = 1.5
#: Random-start vertex substitution runs after the greedy one (their time cap:
#: :data:`.budget.RESTART_SECONDS`).
RESTARTS = 16
#: Below this many usable (demand, site) pairs the full radius model is solved directly.
FULL_PAIRS = 80_000
HIGHS_OPTIONS: dict = {}
#: Share of the time left after probing that the Lagrangean branch and bound
#: (:mod:`.median_tree`) may use before the radius MIP takes over from its
#: best solution and bound.  On OR-Library pmed1-40 it finishes every
#: instance well inside this (pmed36: about 500 nodes, 3 s, where HiGHS on
#: the radius model needed 40-60 s); the MIP is the fallback for instances
#: whose Lagrangean tree grows too large.
TREE_SHARE = 0.5
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


class PMedian(CapacitatedDriver):
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
        self = cls._checked(costs, weights=weights, existing=existing, required=required,
                            forbidden=forbidden, groups=groups, group_min=group_min,
                            group_max=group_max, demand_ids=demand_ids, candidate_ids=candidate_ids)
        self.p = self.roles.check_p(p)
        self.capacities = as_capacities(capacities, self.m)
        self.single_source = bool(single_source)
        self.loads = self.weights if loads is None else as_weights(loads, self.n)
        self._require_reachable()
        if self.capacities is not None:
            self._check_capacity()
        return self._built()

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
        t_end = min(deadline, time.perf_counter() + budget.RESTART_SECONDS)
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
        cols = self._heuristic(d, base, deadline=t_start + budget.HEURISTIC_SHARE * time_limit)
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
        tree_info = None
        t_lag = time.perf_counter()
        if cols is not None and not len(r.groups.labels) and 0 < k < d.shape[1]:
            lb, rho, lam = lagrangean_fixing(
                d, unreachable, w, base, k=k, ub=best_ub,
                deadline=time.perf_counter() + budget.LAGRANGEAN_SHARE * time_limit, with_lam=True)
            # Lagrangean heuristic: the relaxation's k sites, improved by
            # vertex substitution, often beat the greedy start; a lower
            # incumbent closes more sites.
            alt = teitz_bart(d, w, base, start=np.argpartition(rho, k - 1)[:k],
                             locked=np.zeros(d.shape[1], dtype=bool), groups=r.groups,
                             deadline=(time.perf_counter()
                                       + budget.LAGRANGEAN_HEURISTIC_SHARE * time_limit))
            alt_ub = float(w @ self._true_cost(alt, d, base))
            if alt_ub < best_ub:
                best_cols, best_ub = alt, alt_ub
            closed = closed_by_bound(rho, lb, k=k, ub=best_ub)
            # Probing: re-optimise the multipliers with each remaining site
            # forced open; a site whose bound then exceeds the incumbent is
            # closed too (compiled, :func:`.median_tree.probe`).  The
            # incumbent's sites stay, so the warm start remains feasible in
            # the reduced model.  Then the Lagrangean branch and bound; what
            # it does not prove in its share goes to the radius MIP below.
            c_w = np.where(unreachable, np.inf, w[:, None] * d)
            fixed_c = np.where(np.isfinite(base), w * base, np.inf)
            if best_ub - lb > max(gap * abs(best_ub), 1e-9 * abs(best_ub), 1e-9):
                keep = np.zeros(d.shape[1], dtype=bool)
                keep[best_cols] = True
                closed |= probe(c_w, fixed_c, lam, k=k, alive=~closed, keep=keep,
                                order=np.argsort(-rho, kind="stable"), ub=best_ub,
                                integral=self._integral_objective,
                                deadline=time.perf_counter() + budget.PROBE_SHARE * time_limit)
            if (best_ub - lb > max(gap * abs(best_ub), 1e-9 * abs(best_ub), 1e-9)
                    and not stop_requested()):
                left = deadline - time.perf_counter()
                tree = branch_and_bound(c_w, fixed_c, k=k, closed=closed, lam0=lam, ub=best_ub,
                                        ub_sites=best_cols, integral=self._integral_objective,
                                        deadline=time.perf_counter() + TREE_SHARE * left, gap=gap)
                tree_info = {"nodes": tree.nodes, "proven": tree.proven}
                if tree.value < best_ub:
                    best_ub, best_cols = tree.value, tree.sites
                lb = max(lb, tree.bound)
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
                                "closed_by_bound": int(closed.sum()), "tree": tree_info})
            return res
        # Sites the bound closes are never worth opening: drop their pairs.
        levels = RadiusLevels(d, unreachable | closed[None, :], base)
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
                            "lower_bound": lb, "closed_by_bound": int(closed.sum()),
                            "tree": tree_info})
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
