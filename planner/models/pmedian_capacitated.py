"""The capacitated p-median driver: the half of :class:`~.pmedian.PMedian` used with capacities.

The model is the classical assignment formulation with ``x_ij <= y_j``
(strong linking, :mod:`.assignment`), optionally single-sourcing (``x_ij``
binary).  With single-sourcing a Lagrangean knapsack relaxation runs first
(:mod:`.lagrangean_capacitated`): its heuristic gives HiGHS a warm start, and
its bound removes the sites and pairs that cannot be in a better solution --
and on many instances proves the heuristic optimal on its own.  Where the
loads and capacities are integers and there are no group limits (up to
:data:`BCP_POINTS` points), the proof then goes to branch-cut-and-price on the
set-partitioning model (:mod:`.branch_cut_price`), whose subset-row cuts close
gaps the assignment model leaves open; if it has not finished within
:data:`.budget.BCP_SHARE` of the time left, HiGHS on the assignment model
continues from its best solution and bound.  Single-source instances above
the Lagrangean start's limits (and without group limits) take the large
path instead (:mod:`.cpmp_large`: sparse candidate lists, a Lagrangean
bound valid for the full problem, location-allocation and region MIPs),
where the full assignment model would be hopeless for HiGHS.

:class:`CapacitatedDriver` is a base class of ``PMedian`` and works on its
state (``p``, ``capacities``, ``loads``, ``single_source``).
"""
from __future__ import annotations

import time

import numpy as np

from geo.errors import InfeasibleError, listed

from . import branch_cut_price, budget, cpmp_large, lagrangean_capacitated
from .assignment import capacitated_rows, largest_share_assignment
from .base import LocationModel
from .control import poll, stop_requested
from .highs import solve_mip
from .inputs import ids_of
from .result import SolveResult, combine_status, no_solution_in_time, raise_if_no_solution

__all__ = ["CapacitatedDriver"]

#: The Lagrangean start runs on instances up to PRE_CELLS (demand x usable
#: sites) cells and PRE_POINTS demand points.
PRE_CELLS = 4_000_000
PRE_POINTS = 20_000
#: Single-source instances (without group limits) above LARGE_CELLS demand x
#: usable-site pairs or PRE_POINTS points take the large path
#: (:mod:`.cpmp_large`) instead of HiGHS on the full assignment model.  Kept
#: apart from PRE_CELLS so that lowering that one still means "plain MIP".
LARGE_CELLS = PRE_CELLS
#: Single-source capacitated instances up to this many points (and integer
#: loads and capacities, no group limits) are proven by branch-cut-and-price
#: instead of HiGHS on the assignment model.
BCP_POINTS = 400
BCP_DETAILS = ("nodes", "cuts", "columns", "lp")
#: Capacitated with a heuristic start: HiGHS's own primal heuristics rarely
#: beat the location-allocation incumbent; its time goes to the bound instead.
WARM_CAPACITATED: dict = {"mip_heuristic_effort": 0.05, "mip_heuristic_run_feasibility_jump": False}
#: Single-source models with more (point, site) pairs than this go to HiGHS
#: with presolve off.  Its MIP presolve on these models reduces nothing and
#: then spends a long stretch that checks neither the time limit nor the
#: interrupt: on Lorena-Senne SJC3a (90,000 binary pairs) a 16 s HiGHS call
#: took 72-98 s, all of it "Presolve", and SJC2 (40,000) overran a 120 s
#: solve by 66 s.  With presolve off the same call stopped at 14.6 s.  The
#: Osman-Christofides instances (at most 10,000 pairs) keep it.
PRESOLVE_PAIRS = 20_000


class CapacitatedDriver(LocationModel):
    """Capacity checks and the capacitated solve of :class:`~.pmedian.PMedian`."""

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
                    f"{listed(ids_of(self.demand_ids, bad[:10]), 'en', total=bad.size)}.",
                    f"有 {bad.size} 个需求点的需求量超过任何可达站点的容量："
                    f"{listed(ids_of(self.demand_ids, bad[:10]), 'zh', total=bad.size)}。",
                    hint_en="Raise capacities or allow split assignment (single_source=False).",
                    hint_zh="请增大容量，或允许拆分分配（single_source=False）。",
                    details={"demand": ids_of(self.demand_ids, bad),
                             "demand_index": bad.tolist()})

    def _solve_capacitated(self, *, time_limit: float, gap: float, verbose: bool) -> SolveResult:
        t0 = time.perf_counter()
        r = self.roles
        cap = self.capacities
        k = self.p - r.n_required
        usable = np.flatnonzero(r.fixed | r.free)
        ycol = r.col_of                # candidate -> y column (-1: not free)
        site_row = np.full(self.m, -1, dtype=np.int64)
        site_row[usable] = np.arange(usable.size)
        if self._large(usable, k):
            return self._solve_large(usable, k, t0=t0, time_limit=time_limit, gap=gap)
        sub = self.costs[:, usable].tocoo()
        pi, pj, pc = sub.row, usable[sub.col], sub.data
        bcp = branch_cut_price.applies(self.loads, cap[usable], n_points=self.n,
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
                pre, usable, k, t0=t0, deadline=time.perf_counter() + budget.BCP_SHARE * left, gap=gap)
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
        if self.single_source and npair > PRESOLVE_PAIRS:
            options["presolve"] = "off"
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

    def _large(self, usable: np.ndarray, k: int) -> bool:
        """Whether the solve takes the large-instance path (:mod:`.cpmp_large`)."""
        return bool(self.single_source and k > 0 and not len(self.roles.groups.labels)
                    and k < int(self.roles.free[usable].sum())
                    and (self.n * usable.size > LARGE_CELLS or self.n > PRE_POINTS))

    def _solve_large(self, usable, k, *, t0, time_limit, gap) -> SolveResult:
        """Sparse Lagrangean bound and region-MIP heuristic (see cpmp_large.py)."""
        r = self.roles
        # Objective weight x cost, usable sites only (a stored entry: reachable;
        # scaled in place, as a sparse product would drop the stored zeros).
        cost = self.costs[:, usable].tocsr()
        cost.data = cost.data * np.repeat(self.weights, np.diff(cost.indptr))
        out = cpmp_large.solve(cost, self.loads, self.capacities[usable], r.fixed[usable],
                               k, deadline=t0 + time_limit)
        if out.assign is None:
            raise no_solution_in_time(self.name)
        lb = out.bound
        if self._bound_proves(lb, out.value, 0.0):
            status = "optimal"
        elif self._bound_proves(lb, out.value, gap):
            status = "feasible"          # proven within the requested gap
        else:
            status = "time_limit"
        res = self._capacitated_result(usable[out.chosen], usable[out.assign], status, None,
                                       time.perf_counter() - t0, 0.0, lb)
        res.details.update({"method": "large lagrangean + region MIPs",
                            "lagrangean_bound": lb, **out.details})
        return res

    def _capacitated_bcp(self, pre, usable, k, *, t0, deadline, gap):
        """Branch-cut-and-price from the Lagrangean start (see branch_cut_price.py).

        Returns the result, its free sites and assignment (candidate
        indices) and its lower bound.
        """
        r = self.roles
        out = branch_cut_price.solve(pre.cost, self.loads, self.capacities[usable], r.fixed[usable],
                                     k, allowed=pre.keep, closed=pre.closed, incumbent=pre.value,
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
        if self._bound_proves(lb, out.value, 0.0) or (out.status == "optimal" and gap <= 0):
            # With no gap asked for, the search prunes only at a float tolerance
            # (1e-9 of the value), so its "optimal" is a proof; the bound it
            # reports sits exactly that tolerance below the value, which the
            # test above can miss by rounding on fractional objectives
            # (Lorena-Senne SJC1: euclidean distances, proven, reported "feasible").
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
        pre_share = budget.BCP_PRE_SHARE if bcp else budget.PRE_SHARE
        probe_share = budget.BCP_PROBE_SHARE if bcp else budget.PROBE_CAP_SHARE
        pre = lagrangean_capacitated.preprocess(cost, self.loads, self.capacities[usable], fixed_u, k,
                                                deadline=t0 + pre_share * time_limit,
                                                probe_deadline=t0 + probe_share * time_limit,
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
