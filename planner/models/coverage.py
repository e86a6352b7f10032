"""Coverage models: LSCP (set covering) and MCLP (maximal covering).

Both start from the sparse "within radius" matrix ``A`` (``A[i, j]`` true when
``cost[i, j] <= radius``).  Demand points already covered by existing or
required sites drop out (they are covered whatever is chosen), and demand
points with identical coverage sets are merged into one row with the summed
weight: both reductions are exact and often shrink the MIP several-fold.

Hard instances (a radius just above the smallest feasible one, where every
point has a dozen candidates and the LP is fractional) need more before the
MIP (:mod:`.cover_reduce`, :mod:`.cover_heuristic`):

1. reductions until stable -- essential columns, dominated rows and columns
   for LSCP; dominated columns and rows that become equal for MCLP;
2. an incumbent -- greedy plus best-improvement swaps (MCLP); greedy, then
   after the bound below a row-weighting local search (LSCP);
3. a Lagrangean bound -- when it meets the incumbent the solve ends there,
   proven; otherwise its reduced costs fix the columns no better solution
   can use or leave.  For the MCLP its relaxed solutions, improved by
   swaps, are candidate incumbents too (a Lagrangean heuristic);
4. a MIP on what is left, warm-started with the incumbent: SCIP when
   pyscipopt is installed (:mod:`.scip`; on the hard instances its root cuts
   and strong branching close the LP gap in a few nodes) for every LSCP and
   for MCLPs of at least MCLP_SCIP_MIN_COLUMNS columns, HiGHS otherwise or
   when SCIP fails.  The answer's ``details["engine"]`` names the engine;
   ``COVERPLAN_COVER_ENGINE=highs`` (or ``scip``) picks one for every MIP.
"""
from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from geo.errors import InfeasibleError, InputDataError, listed

from .assignment import capacitated_rows, largest_share_assignment
from .base import LocationModel
from .cover_heuristic import (covering_fixings, cover_lagrangean, greedy_cover, weighted_cover,
                              improve_max_cover, max_cover_fixings, max_cover_lagrangean)
from .cover_reduce import merge_equal_rows, reduce_max_cover, reduce_set_cover
from .heuristics import greedy_order, lazy_greedy_cover
from .highs import solve_mip
from .inputs import as_capacities, ids_of
from .result import SolveResult, combine_status, raise_if_no_solution
from .scip import SCIP_PIN, scip_available, solve_mip_scip

__all__ = ["LSCP", "MCLP"]


def _check_radius(radius: Any) -> float:
    try:
        r = float(radius)
    except (TypeError, ValueError):
        r = np.nan
    if radius is None or not np.isfinite(r) or r < 0:
        # "finite": inf is >= 0 but no radius; the value echoed as given (str: the CLI's --radius keeps
        # its text, so -3 is not shown as -3.0), never as a repr
        shown_en = "nothing" if radius is None else str(radius)
        shown_zh = "空" if radius is None else str(radius)
        raise InputDataError(
            f"The service radius must be a finite number >= 0, got {shown_en}.",
            f"服务半径必须是有限的非负数，实际为 {shown_zh}。",
            hint_en="Give the service radius (--radius on the command line) in the unit of the cost matrix.",
            hint_zh="请用与成本矩阵相同的单位指定服务半径（命令行为 --radius）。",
            details={"radius": str(radius)})
    return r


#: Share of the time limit (at most COVER_LS_SECONDS) for the MCLP's swaps
#: after the greedy start.
COVER_LS_SHARE = 0.05
COVER_LS_SECONDS = 0.5
#: Steps of the LSCP's row-weighting local search (cover_heuristic.weighted_cover),
#: before the MIP and as the heuristic-only answer: a count, not a time, so
#: that the start the MIP gets -- and with it the MIP's path -- does not
#: depend on the machine's load.  A step takes about a microsecond on the
#: uniform 2,000 x 500 instances; from the greedy, 50,000 steps reached the
#: optimum on all of seeds 1-12 (20,000 on 11).  The former plateau search
#: (drop a few columns, cover again greedily) reached it on 5 of 12 in
#: 20,000 moves, and the MIP is faster from the optimum: SCIP's CPU time over
#: the 12 reduced problems was 23.0 s from the optimum, 31.0 s from the
#: plateau search's 1,500-move start.
LSCP_SEARCH_STEPS = 50_000
#: Every this many subgradient steps of the MCLP bound, the relaxation's
#: columns are improved by swaps into a solution (a Lagrangean heuristic, see
#: cover_heuristic.max_cover_lagrangean).
MCLP_LAG_HEURISTIC_EVERY = 10
#: Share (at most COVER_BOUND_SECONDS) for the subgradient bound.  It ends
#: earlier when the bound meets the incumbent (clustered instances: at once).
COVER_BOUND_SHARE = 0.05
COVER_BOUND_SECONDS = 1.0
#: HiGHS options for the LSCP MIP once the local search has given it a start
#: (without group limits; with them the start is the plain greedy):
#: its own primal heuristics (sub-MIPs) and strong branching mostly repeat
#: what the start already holds.  On reduced uniform 2,000 x 500 instances
#: (seeds 1-3, one process each, loaded machine) they took the proof from
#: 17-33 s to 15 s, 95 s to 66 s, 80 s to 61 s, and >120 s to 111 s.
LSCP_MIP_OPTIONS = {"mip_heuristic_effort": 0.0, "mip_pscost_minreliable": 0,
                    "mip_allow_cut_separation_at_nodes": False}

#: Engine of the covering MIPs (LSCP, uncapacitated MCLP): "auto" (SCIP when
#: pyscipopt is installed, else HiGHS; small MCLPs HiGHS), "scip" or "highs";
#: the environment variable COVERPLAN_COVER_ENGINE overrides it (read at
#: every solve).
COVER_ENGINE = "auto"
#: SCIP parameters for the LSCP MIP.  Aggregation cuts (c-MIR, flow and
#: knapsack covers) found nothing on set covering and cost a fifth of the
#: root; fewer initial strong-branching candidates (10, not 100) halve the
#: branching time.  CPU seconds on the reduced uniform 2,000 x 500 instances
#: of seeds 1-4 (tuned on) / 5-8 (held out), same start:
#: these options 1.0 2.4 1.8 2.8 / 2.0 10.2 7.1 3.5; SCIP's defaults
#: 1.7 4.0 2.8 5.0 / 3.7 13.8 11.4 4.5; HiGHS with LSCP_MIP_OPTIONS
#: 2.8 7.2 17.3 7.4 / 7.6 19.2 8.8 5.4 (2.4x SCIP's time in all).  Clustered
#: 5,000 x 1,500: 8.2 s, 13-14 s, 10.9 s.  Other settings tried (HiGHS-like
#: "hard LP" emphasis, fewer Gomory rounds, cardinality cut-off row sum x <=
#: incumbent - 1) won on some seeds and lost on others.
#: Gomory cuts off (2026-12-02): the {0,1/2}-cuts do the work on set
#: covering, Gomory cuts only slow the root's LP.  Whole LSCP solve, uniform
#: 2,000 x 500, seeds 1-12, CPU s in all: 42.4 with Gomory cuts, 31.1
#: without (faster on 11 of 12 seeds).  Tried on top and not kept (within
#: 1 % or worse): strong CG and mixed-integer Gomory cuts off, rapid learning
#: off, conflict analysis off (30.9), best-first node selection (43.7), fewer
#: root separation rounds (10 or 5); {0,1/2}-cuts off is far worse (1.6x).
#: At most 30 simplex iterations per strong-branching candidate where SCIP
#: would choose (branching/relpscost/inititer; strong branching was 64 % of
#: the clustered 5,000 x 1,500's MIP time): whole solve, CPU s in all,
#: uniform 2,000 x 500 seeds 1-12 26.1 -> 21.5 and held-out seeds 13-24
#: 52.7 -> 40.1 (20: 42.4; 50 and 100 on seeds 1-12: 24.4, 24.1); clustered
#: 5,000 x 1,500 seeds 1, 2, 4-7 97.4 -> 107.4, faster on four of them but
#: seed 4 59 -> 79 s.  For the MCLP see below.
#: Shared by both covering MIPs (each measured below): Gomory cuts off and
#: 10 initial strong-branching candidates of at most 30 simplex iterations.
_SCIP_COVER_OPTIONS = {"separating/gomory/freq": -1, "branching/relpscost/initcand": 10,
                       "branching/relpscost/inititer": 30}
SCIP_LSCP_OPTIONS = {**_SCIP_COVER_OPTIONS, "separating/aggregation/freq": -1}
#: SCIP parameters for the (uncapacitated) MCLP MIP: Gomory cuts off, as
#: for the LSCP.  Whole solve, CPU s, with / without: uniform 5,000 x 1,500
#: p = 100 41.4 / 19.4 (27.4 / 17.6 without the Lagrangean heuristic's
#: start); clustered 5,000 x 1,500 p = 40 76.1 / 61.6 (seed 1, two processes
#: side by side).  At most one restart of the root (SCIP restarted it four
#: times after global fixings, each with a new root LP of seconds): uniform
#: 5,000 x 1,500 p = 100 seeds 1-4 17.7 / 21.4 / 3.8 / 5.1 s -> 11.2 / 16.5 /
#: 3.7 / 5.1 s; clustered p = 40 seeds 1-2 unchanged (60.2, 106-107 s); no
#: restart at all: seed 1 14.1 s.  Strong branching as for the LSCP (10
#: initial candidates of at most 30 simplex iterations; on clustered p = 40
#: strong branching was 43 s of SCIP's 78 s), SCIP alone on the reduced
#: problems, s (2026-12-02, fourth session): uniform p = 100 seeds 1, 2, 3, 4,
#: 6: 15.1 / 20.2 / 6.5 / 5.6 / 1.6 -> 14.8 / 16.8 / 6.5 / 5.3 / 1.6;
#: clustered p = 40 seed 1 77.5 -> 57.4, seed 2 not proven in 120 s (bound
#: 444,815) -> proven in 118 s (444,726).  The iteration limit alone: 63.4 s.
#: No restart at all since 2026-12-04 (with the strong-branching limits the
#: one restart no longer paid: a cold second root LP of 3.6 s, and the tree
#: after it no smaller), SCIP alone on the reduced problems, s, one restart
#: -> none: clustered p = 40 seed 1 44.5-47.7 -> 35.0-35.2, seed 2 93.9 ->
#: 91.1; uniform p = 100 seeds 1, 2 11.6 / 13.0 -> 7.8 / 9.3; seeds 3, 4, 6
#: unchanged (no restart there).
SCIP_MCLP_OPTIONS: dict = {**_SCIP_COVER_OPTIONS, "presolving/maxrestarts": 0}
#: With "auto", an MCLP MIP goes to SCIP from this many columns (sites and
#: covered-row columns after the reductions), smaller ones to HiGHS.  HiGHS
#: was faster on the 2,000 x 500 instances of bench/solve.py (at most 2,077
#: columns; e.g. uniform p = 25: MIP 0.5 s CPU against 0.9 s); SCIP on the
#: 5,000 x 1,500 ones (5,143-5,401 columns): uniform p = 100 proven in 36 s
#: (26 s CPU), which HiGHS does not prove in 120 s, and for clustered p = 40 a
#: better solution and bound after 60 s (420,759 <= 421,236 against 420,441
#: <= 421,412).
MCLP_SCIP_MIN_COLUMNS = 4000


#: The engines COVER_ENGINE and COVERPLAN_COVER_ENGINE may name.
COVER_ENGINES = ("auto", "scip", "highs")


def cover_engine() -> str:
    """COVERPLAN_COVER_ENGINE in any case (HiGHS is highs), else COVER_ENGINE. Any other value is an
    InputDataError naming the variable: it was taken as auto without a word (QA 22). The CLI asks this
    before any command when the variable is set; a web job says it when it solves."""
    raw = os.environ.get("COVERPLAN_COVER_ENGINE", "")
    if not raw.strip():
        return COVER_ENGINE if COVER_ENGINE in COVER_ENGINES else "auto"
    if (engine := raw.strip().lower()) in COVER_ENGINES:
        return engine
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
                    for c in raw)[:80]  # no raw \u202e
    raise InputDataError(f"COVERPLAN_COVER_ENGINE={shown} is not a solver engine: use auto, scip or highs, "
                         "or unset it (auto).",
                         f"环境变量 COVERPLAN_COVER_ENGINE={shown} 不是可用的求解引擎：可用 auto、scip 或 highs，"
                         "或取消该变量（即 auto）。",
                         details={"parameter": "COVERPLAN_COVER_ENGINE", "value": raw})


def _cover_mip(*, time_limit: float, highs_options: dict | None, scip_options: dict,
               prefer_scip: bool = True, **mip) -> tuple[Any, dict]:
    """Solve a covering MIP with SCIP when available, else HiGHS; details say which.

    ``mip`` holds the arrays of :func:`.highs.solve_mip`.  With the "auto"
    engine ``prefer_scip=False`` sends the MIP to HiGHS (small MCLPs).  A
    SCIP failure (an error, not a time limit) hands the rest of the time to
    HiGHS, so a broken SCIP install never loses the answer.
    """
    engine, note = cover_engine(), None
    if engine == "scip" or (engine == "auto" and prefer_scip):
        if scip_available():
            t = time.perf_counter()
            try:
                out = solve_mip_scip(time_limit=time_limit, options=scip_options, **mip)
            except Exception as exc:  # noqa: BLE001 -- any SCIP failure falls back to HiGHS
                note = (f"SCIP failed ({type(exc).__name__}: {exc}); HiGHS solved the "
                        "reduced problem instead.")
                time_limit = max(time_limit - (time.perf_counter() - t), 0.01)
            else:
                return out, {"engine": "scip"}
        else:
            note = ("pyscipopt (SCIP) is not installed; HiGHS solved the reduced problem. "
                    f"`pip install {SCIP_PIN}` for the faster SCIP engine on hard instances.")
    out = solve_mip(time_limit=time_limit, options=highs_options, **mip)
    return out, ({"engine": "highs"} if note is None else {"engine": "highs", "engine_note": note})


def _merge_rows(a: sp.csr_matrix, w: np.ndarray):
    """Merge rows with the same column set; returns (unique rows, summed weights, row map)."""
    return merge_equal_rows(a, w)


class _CoverageBase(LocationModel):
    """Shared set-up of LSCP and MCLP."""

    def _init_cover(self, radius: float) -> None:
        self.radius = radius
        c = self.costs
        # Copy the index arrays: eliminate_zeros works in place and must not
        # touch the cost matrix's structure.
        within = sp.csr_matrix(((c.data <= radius).astype(np.float64), c.indices.copy(),
                                c.indptr.copy()), shape=c.shape)
        within.eliminate_zeros()
        self.within = within.astype(bool)
        r = self.roles
        fixed = self.within[:, r.fixed_idx]
        self.covered_fixed = np.asarray(fixed.sum(axis=1)).ravel() > 0
        self.a_free = sp.csr_matrix(self.within[:, r.free_idx], dtype=np.float64)

    def _finish(self, new_sites: np.ndarray, *, status: str, objective: float, gap: float,
                t_solve: float, t_build: float) -> SolveResult:
        r = self.roles
        open_sites = np.union1d(np.flatnonzero(r.existing), new_sites)
        assign, _ = self.nearest_open(open_sites, self.radius)
        covered = assign >= 0
        # Priority order: greedy marginal gain among the chosen new sites,
        # counting what the existing sites already cover.
        base = np.asarray(self.within[:, np.flatnonzero(r.existing)].sum(axis=1)).ravel() > 0
        w = self.weights if self.name == "mclp" else np.ones(self.n)
        order = greedy_order(sp.csc_matrix(self.within, dtype=np.float64), w, base, new_sites)
        return self._result(status=status, objective=objective, selected=order,
                            assignment=assign, covered=covered, mip_gap=gap,
                            t_solve=t_solve, t_build_extra=t_build)


class LSCP(_CoverageBase):
    """Location set covering: fewest new sites so that every demand point is covered.

    Build with :meth:`from_cost_matrix`, then :meth:`solve`.
    """

    name = "lscp"

    @classmethod
    def from_cost_matrix(cls, costs: Any, *, radius: float, existing: Any = None,
                         required: Any = None, forbidden: Any = None, groups: Any = None,
                         group_min: dict | None = None, group_max: dict | None = None,
                         demand_ids: Any = None, candidate_ids: Any = None) -> "LSCP":
        """Build an LSCP from a cost matrix.

        Parameters
        ----------
        costs : ndarray or scipy.sparse matrix, shape (n_demand, n_candidates)
            Travel cost; ``inf`` (dense) or a missing entry (sparse) means
            unreachable.
        radius : float
            A demand point is covered by a site with ``cost <= radius``.
        existing, required, forbidden : bool mask or index array, optional
            Site roles (see :mod:`planner.models.roles`).
        groups : array of hashable, optional
            Group label of each candidate.
        group_min, group_max : dict, optional
            Label -> least / most NEW sites in that group.
        demand_ids, candidate_ids : array, optional
            Ids used in error messages instead of indices.

        Raises
        ------
        geo.errors.InfeasibleError
            When a demand point has no allowed site within the radius.
        """
        self = cls._checked(costs, existing=existing, required=required, forbidden=forbidden,
                            groups=groups, group_min=group_min, group_max=group_max,
                            demand_ids=demand_ids, candidate_ids=candidate_ids)
        self._init_cover(_check_radius(radius))
        dids = self.demand_ids
        reach = (np.asarray(self.a_free.sum(axis=1)).ravel() > 0) | self.covered_fixed
        bad = np.flatnonzero(~reach)
        if bad.size:
            raise InfeasibleError(
                f"{bad.size} demand point(s) have no allowed candidate site within radius "
                f"{self.radius:g}: {listed(ids_of(dids, bad[:10]), 'en', total=bad.size)}.",
                f"有 {bad.size} 个需求点在半径 {self.radius:g} 内没有可用候选点："
                f"{listed(ids_of(dids, bad[:10]), 'zh', total=bad.size)}。",
                hint_en="Increase the radius, add candidate sites near them, or un-forbid sites.",
                hint_zh="请增大服务半径、在其附近增加候选点，或取消禁选。",
                details={"demand": ids_of(dids, bad), "demand_index": bad.tolist(),
                         "radius": self.radius})
        return self._built()

    def _solve(self, *, time_limit: float, gap: float, verbose: bool,
               heuristic_only: bool) -> SolveResult:
        t0 = time.perf_counter()
        r = self.roles
        todo = np.flatnonzero(~self.covered_fixed)
        a_rows, _, _ = _merge_rows(self.a_free[todo], np.ones(todo.size))
        g = r.groups
        gcol = g.of_site[r.free_idx]           # group row of each free column, -1 none
        # A column of a group with a minimum may be needed for the minimum
        # itself, so it is never dropped (see cover_reduce).
        droppable = (gcol < 0) | (g.lo[np.maximum(gcol, 0)] <= 0) if len(g.labels) else None
        red = reduce_set_cover(a_rows, group=gcol, droppable=droppable)
        a_red = a_rows[red.rows][:, red.cols].tocsr()
        n_fix = red.fixed.size
        t_build = time.perf_counter() - t0
        ts = time.perf_counter()
        # Incumbent on the reduced problem.  The greedy with group limits
        # works on all free columns; its cover maps onto the kept columns
        # (a dropped column's stand-in covers what it covered, in its group).
        grouped = bool(len(g.labels))
        x = None
        if grouped:
            cols = lazy_greedy_cover(sp.csc_matrix(self.a_free), np.ones(self.n),
                                     self.covered_fixed, k=None, groups=g)
            if cols is not None:
                x = np.isin(red.cols, red.map_columns(cols))
        else:
            x = greedy_cover(a_red)
        if heuristic_only:
            if x is not None and not grouped:
                x = weighted_cover(a_red, x, steps=LSCP_SEARCH_STEPS)
            if x is None:
                raise InfeasibleError(
                    "The greedy heuristic found no cover that keeps the group limits.",
                    "贪心启发式未能找到满足分组限制的覆盖方案。",
                    hint_en="Use method='exact'.", hint_zh="请改用 method='exact'。",
                    details={"model": self.name})
            new = r.new_sites(np.concatenate([red.fixed, red.cols[x]]))
            return self._finish(new, status="feasible", objective=float(new.size), gap=np.inf,
                                t_solve=time.perf_counter() - ts, t_build=t_build)
        details = {"reduction": red.stats}
        lo_fix = np.zeros(red.cols.size)
        hi_fix = np.ones(red.cols.size)
        if x is not None:
            upper = float(x.sum())
            lag = cover_lagrangean(a_red, upper=upper, incumbent=x,
                                   seconds=min(COVER_BOUND_SECONDS, COVER_BOUND_SHARE * time_limit))
            lower = float(np.ceil(lag.bound - 1e-6))
            details["lagrangean_bound"] = float(lag.bound) + n_fix + r.n_required
            if not grouped:
                if lag.best_value < upper:
                    x, upper = lag.best, lag.best_value   # the relaxation's cover is better
                if lower < upper:
                    x = weighted_cover(a_red, x, target=lower, steps=LSCP_SEARCH_STEPS)
                    upper = float(x.sum())
            if lower >= upper:
                # The bound (a relaxation of the group limits too) meets the
                # incumbent: it is optimal, no MIP needed.
                new = r.new_sites(np.concatenate([red.fixed, red.cols[x]]))
                res = self._finish(new, status="optimal", objective=float(new.size), gap=0.0,
                                   t_solve=time.perf_counter() - ts, t_build=t_build)
                res.details.update(details, method="lagrangean bound")
                return res
            zero, one = covering_fixings(lag, upper, x)
            hi_fix[zero] = 0.0
            lo_fix[one] = 1.0
            details["fixed_by_reduced_cost"] = int(zero.sum() + one.sum())
        tb = time.perf_counter()
        nc = red.cols.size
        gm = r.group_matrix()
        fixed_per_group = np.asarray(gm[:, red.fixed].sum(axis=1)).ravel() if len(g.labels) \
            else np.zeros(0)
        if np.any(g.hi - fixed_per_group < 0):
            # Essential sites alone break a group maximum.
            self._raise_solver_infeasible(
                "no set of new sites covers every demand point within the group limits.",
                "在分组限制下没有能覆盖全部需求点的新站点组合。")
        a = sp.vstack([a_red, gm[:, red.cols]]).tocsc()
        rlo = np.concatenate([np.ones(a_red.shape[0]), np.maximum(g.lo - fixed_per_group, 0)])
        rhi = np.concatenate([np.full(a_red.shape[0], np.inf), g.hi - fixed_per_group])
        start = None if x is None else x.astype(np.float64)
        t_build += time.perf_counter() - tb
        out, engine = _cover_mip(
            c=np.ones(nc), lb=lo_fix, ub=hi_fix, a=a, rlo=rlo, rhi=rhi,
            integer=np.ones(nc, dtype=bool), offset=float(r.n_required + n_fix),
            time_limit=max(time_limit - (tb - ts), 0.01), gap=gap, verbose=verbose, start=start,
            highs_options=LSCP_MIP_OPTIONS if start is not None and not grouped else None,
            scip_options=SCIP_LSCP_OPTIONS)
        details.update(engine)
        if out.status == "infeasible":
            self._raise_solver_infeasible(
                "no set of new sites covers every demand point within the group limits.",
                "在分组限制下没有能覆盖全部需求点的新站点组合。")
        if out.x is None:
            raise InfeasibleError(
                "No cover was found within the time limit.",
                "在时间限制内未找到覆盖方案。",
                hint_en="Raise --time-limit.", hint_zh="请增大 --time-limit。",
                details={"model": self.name, "status": "time_limit"})
        cols = np.concatenate([red.fixed, red.cols[out.x > 0.5]])
        new = r.new_sites(cols)
        res = self._finish(new, status=combine_status(out.status, out.gap),
                           objective=float(new.size), gap=out.gap,
                           t_solve=out.seconds + (tb - ts), t_build=t_build)
        res.details.update(details)
        return res


class MCLP(_CoverageBase):
    """Maximal covering: ``p`` new sites covering the most demand weight.

    With ``capacities`` each site serves at most its capacity of covered
    weight (demand may be split between sites unless ``single_source``).
    """

    name = "mclp"

    @classmethod
    def from_cost_matrix(cls, costs: Any, *, radius: float, p: int, weights: Any = None,
                         existing: Any = None, required: Any = None, forbidden: Any = None,
                         groups: Any = None, group_min: dict | None = None,
                         group_max: dict | None = None, capacities: Any = None,
                         single_source: bool = False, demand_ids: Any = None,
                         candidate_ids: Any = None) -> "MCLP":
        """Build an MCLP from a cost matrix.

        Parameters
        ----------
        costs : ndarray or scipy.sparse matrix, shape (n_demand, n_candidates)
            Travel cost; ``inf`` (dense) or a missing entry (sparse) means
            unreachable.
        radius : float
            Coverage radius (``cost <= radius`` covers).
        p : int
            Number of NEW sites to open (existing ones not counted).
        weights : array, optional
            Demand weights (default 1).
        existing, required, forbidden : bool mask or index array, optional
            Site roles.
        groups, group_min, group_max : optional
            Group labels per candidate and limits on new sites per label.
        capacities : array, optional
            Capacity per candidate (in weight units) for the capacitated MCLP.
        single_source : bool, default False
            Capacitated only: each demand point is served by one site.
        demand_ids, candidate_ids : array, optional
            Ids used in error messages.
        """
        self = cls._checked(costs, weights=weights, existing=existing, required=required,
                            forbidden=forbidden, groups=groups, group_min=group_min,
                            group_max=group_max, demand_ids=demand_ids, candidate_ids=candidate_ids)
        self.p = self.roles.check_p(p)
        self._init_cover(_check_radius(radius))
        self.capacities = as_capacities(capacities, self.m)
        self.single_source = bool(single_source)
        return self._built()

    def _solve(self, *, time_limit: float, gap: float, verbose: bool,
               heuristic_only: bool) -> SolveResult:
        if self.capacities is not None:
            return self._solve_capacitated(time_limit=time_limit, gap=gap, verbose=verbose)
        t0 = time.perf_counter()
        r = self.roles
        k = self.p - r.n_required
        base_w = float(self.weights[self.covered_fixed].sum())
        rows = np.flatnonzero(~self.covered_fixed & (np.diff(self.a_free.indptr) > 0))
        rows = rows[self.weights[rows] > 0]
        a_rows, w_rows, _ = _merge_rows(self.a_free[rows], self.weights[rows])
        grouped = bool(len(r.groups.labels))
        # Dropping a dominated column could break a group limit (its stand-in
        # may sit in another group), so with groups every column stays.
        red, w_red = reduce_max_cover(a_rows, w_rows, k, allow_column_rule=not grouped)
        a_red = a_rows[red.rows][:, red.cols].tocsr()
        nc, nz = red.cols.size, red.rows.size
        integral = bool(np.all(w_red == np.round(w_red)))
        t_build = time.perf_counter() - t0
        ts = time.perf_counter()
        start_cols = lazy_greedy_cover(sp.csc_matrix(self.a_free), self.weights,
                                       self.covered_fixed, k=k, groups=r.groups)
        y = None
        if start_cols is not None:
            pos = np.searchsorted(red.cols, red.map_columns(start_cols))
            if pos.size < k:
                # Two picks with one stand-in: fill up with unused kept columns.
                spare = np.setdiff1d(np.arange(nc), pos)[:k - pos.size]
                pos = np.sort(np.concatenate([pos, spare]))
            if not grouped:
                pos = improve_max_cover(a_red, w_red, pos, seconds=min(
                    COVER_LS_SECONDS, COVER_LS_SHARE * time_limit))
            y = np.zeros(nc, dtype=bool)
            y[pos] = True
        if heuristic_only and y is not None:
            return self._finish_cols(red.cols[y], status="feasible", gap=np.inf,
                                     t_solve=time.perf_counter() - ts, t_build=t_build)
        details = {"reduction": red.stats}
        lo_fix = np.zeros(nc)
        hi_fix = np.ones(nc)
        if y is not None:
            lower = float(w_red[(a_red @ y.astype(np.float64)) > 0].sum())
            lag = max_cover_lagrangean(a_red, w_red, k, lower=lower, integral=integral,
                                       seconds=min(COVER_BOUND_SECONDS,
                                                   COVER_BOUND_SHARE * time_limit),
                                       incumbent=np.flatnonzero(y),
                                       heuristic_every=0 if grouped else MCLP_LAG_HEURISTIC_EVERY)
            details["lagrangean_bound"] = float(lag.bound) + base_w
            if lag.best_value > lower:
                y = np.zeros(nc, dtype=bool)
                y[lag.best] = True
                lower = lag.best_value
            top = np.floor(lag.bound + 1e-6) if integral else lag.bound
            if top <= lower + 1e-9 * max(1.0, abs(lower)):
                res = self._finish_cols(red.cols[y], status="optimal", gap=0.0,
                                        t_solve=time.perf_counter() - ts, t_build=t_build)
                res.details.update(details, method="lagrangean bound")
                return res
            zero, one = max_cover_fixings(lag, k, lower, np.flatnonzero(y), integral=integral)
            hi_fix[zero] = 0.0
            lo_fix[one] = 1.0
            details["fixed_by_reduced_cost"] = int(zero.sum() + one.sum())
        tb = time.perf_counter()
        # Columns: y (nc, binary) then z (nz, continuous in [0, 1]).
        # z_g <= sum_{j covers g} y_j ; sum y = k ; group rows.
        # z can stay continuous: for integral y the optimum puts z in {0, 1}.
        cover = sp.hstack([-a_red, sp.identity(nz, format="csr")])
        card = sp.csr_matrix(np.concatenate([np.ones(nc), np.zeros(nz)])[None, :])
        grp = sp.hstack([r.group_matrix()[:, red.cols], sp.csr_matrix((len(r.groups.labels), nz))])
        a = sp.vstack([cover, card, grp]).tocsc()
        rlo = np.concatenate([np.full(nz, -np.inf), [k], r.groups.lo])
        rhi = np.concatenate([np.zeros(nz), [k], r.groups.hi])
        c = np.concatenate([np.zeros(nc), w_red])
        start = None
        if y is not None:
            y0 = y.astype(np.float64)
            start = np.concatenate([y0, np.minimum(a_red @ y0, 1.0)])
        t_build += time.perf_counter() - tb
        out, engine = _cover_mip(
            c=c, lb=np.concatenate([lo_fix, np.zeros(nz)]),
            ub=np.concatenate([hi_fix, np.ones(nz)]), a=a, rlo=rlo, rhi=rhi,
            integer=np.arange(nc + nz) < nc, maximize=True, offset=base_w,
            time_limit=max(time_limit - (tb - ts), 0.01), gap=gap, verbose=verbose, start=start,
            highs_options=None, scip_options=SCIP_MCLP_OPTIONS,
            prefer_scip=nc + nz >= MCLP_SCIP_MIN_COLUMNS)
        details.update(engine)
        if out.status == "infeasible":
            self._raise_solver_infeasible("the group limits cannot be met with p new sites.",
                                          "在 p 个新站点下无法满足分组限制。")
        raise_if_no_solution(out, self.name)
        cols = red.cols[np.flatnonzero(out.x[:nc] > 0.5)]
        res = self._finish_cols(cols, status=combine_status(out.status, out.gap), gap=out.gap,
                                t_solve=out.seconds + (tb - ts), t_build=t_build)
        res.details.update(details)
        return res

    def _finish_cols(self, cols, *, status, gap, t_solve, t_build) -> SolveResult:
        new = self.roles.new_sites(cols)
        res = self._finish(new, status=status, objective=0.0, gap=gap, t_solve=t_solve,
                           t_build=t_build)
        # Objective recomputed from the chosen sites (exact, no solver round-off).
        res.objective = res.covered_weight
        return res

    def _solve_capacitated(self, *, time_limit: float, gap: float, verbose: bool) -> SolveResult:
        """Capacitated MCLP: assignment variables on the covering pairs only."""
        t0 = time.perf_counter()
        r = self.roles
        cap = self.capacities
        k = self.p - r.n_required
        usable = np.flatnonzero(r.fixed | r.free)
        sub = sp.coo_matrix(self.within[:, usable])
        pi, pj = sub.row, usable[sub.col]                    # covering pairs
        keep = self.weights[pi] > 0
        pi, pj = pi[keep], pj[keep]
        npair, ny = pi.size, r.free_idx.size
        wi = self.weights[pi]
        # Columns: y (ny) then x (npair, share of demand pi served by pj);
        # each point is served at most once (covering, not serving all).
        a, rlo, rhi = capacitated_rows(r, self.n, pi, pj, wi, cap, k=k, serve_all=False)
        c = np.concatenate([np.zeros(ny), wi])
        integer = np.zeros(ny + npair, dtype=bool)
        integer[:ny] = True
        if self.single_source:
            integer[ny:] = True
        t_build = time.perf_counter() - t0
        out = solve_mip(c=c, lb=np.zeros(ny + npair), ub=np.ones(ny + npair), a=a, rlo=rlo,
                        rhi=rhi, integer=integer, maximize=True, time_limit=time_limit,
                        gap=gap, verbose=verbose)
        if out.status == "infeasible":
            self._raise_solver_infeasible("the group limits cannot be met with p new sites.",
                                          "在 p 个新站点下无法满足分组限制。")
        raise_if_no_solution(out, self.name)
        x = np.clip(out.x[ny:], 0.0, 1.0)
        cols = np.flatnonzero(out.x[:ny] > 0.5)
        new = r.new_sites(cols)
        served = np.bincount(pi, weights=x, minlength=self.n)
        assign = largest_share_assignment(self.n, pi, pj, x)
        covered = served >= 1 - 1e-6
        cw = float((self.weights * np.minimum(served, 1.0)).sum())
        priority = greedy_order(sp.csc_matrix(self.within, dtype=np.float64), self.weights,
                                np.asarray(self.within[:, np.flatnonzero(r.existing)].sum(axis=1)).ravel() > 0,
                                new)
        res = self._result(status=combine_status(out.status, out.gap), objective=cw,
                           selected=priority, assignment=assign, covered=covered,
                           mip_gap=out.gap, t_solve=out.seconds, t_build_extra=t_build,
                           covered_weight=cw, details={"served_share": np.minimum(served, 1.0)})
        return res

