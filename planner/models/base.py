"""The base class of every location model and its one construction path.

A model is built from a cost matrix with ``Model.from_cost_matrix(...)``:
each subclass's constructor calls :meth:`LocationModel._checked` (cost matrix,
weights, ids and site roles, checked once for all models), adds its own
checks and ends with :meth:`LocationModel._built`.  :meth:`LocationModel.solve`
checks the solve options, installs the caller's stop/progress hooks
(:mod:`.control`) and runs the subclass's ``_solve``.
"""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from geo.errors import InfeasibleError, InputDataError, listed

from .control import caller_controls
from .inputs import as_cost_csr, as_weights, ids_of
from .result import SolveResult
from .roles import SiteRoles

__all__ = ["LocationModel"]



def check_time_limit(time_limit) -> float:
    """``time_limit`` as a float when it is a finite number of seconds above 0, else InputDataError.

    Infinity and NaN reached the solvers' deadlines (an overflow in a timestamp, an abort in
    HiGHS) from the upgrade and sizing commands (QA 17); 0 gave a "proven optimal" answer nobody
    solved for.
    """
    try:
        value = float(time_limit)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputDataError(
            f"time_limit must be a finite number of seconds above 0, got {time_limit!r}.",
            f"time_limit 必须为大于 0 的有限秒数，实际为 {time_limit!r}。",
            hint_en="Give the seconds the solver may take, e.g. 60.", hint_zh="请给出求解可用的秒数，如 60。")
    return value

class LocationModel:
    """Common state of every model; subclasses implement ``_solve``.

    Not instantiated directly: use ``Model.from_cost_matrix(...)``.
    """

    name = "base"

    def __init__(self, costs: sp.csr_matrix, weights: np.ndarray, roles: SiteRoles,
                 *, demand_ids: np.ndarray | None, build_seconds: float) -> None:
        self.costs = costs
        self.n, self.m = costs.shape
        self.weights = weights
        self.roles = roles
        self.demand_ids = demand_ids
        self.candidate_ids = roles.candidate_ids
        self._build_seconds = build_seconds

    # -- the construction path of every from_cost_matrix ------------------ #
    @classmethod
    def _checked(cls, costs: Any, *, weights: Any = None, existing: Any = None,
                 required: Any = None, forbidden: Any = None, groups: Any = None,
                 group_min: Any = None, group_max: Any = None, demand_ids: Any = None,
                 candidate_ids: Any = None):
        """A model of this class on checked inputs, its build clock started.

        Every ``from_cost_matrix`` starts here (cost matrix, weights, ids,
        site roles and group limits), adds the checks of its own model and
        ends with :meth:`_built`.
        """
        t0 = time.perf_counter()
        csr = as_cost_csr(costs)
        n, m = csr.shape
        w = as_weights(weights, n)
        cids = None if candidate_ids is None else np.asarray(candidate_ids, dtype=object)
        dids = None if demand_ids is None else np.asarray(demand_ids, dtype=object)
        roles = SiteRoles(m, existing=existing, required=required, forbidden=forbidden,
                          groups=groups, group_min=group_min, group_max=group_max,
                          candidate_ids=cids)
        model = cls(csr, w, roles, demand_ids=dids, build_seconds=0.0)
        model._build_started = t0
        return model

    def _built(self):
        """The finished model, its build time recorded (see :meth:`_checked`)."""
        self._build_seconds = time.perf_counter() - self._build_started
        return self

    # -- helpers for subclasses ------------------------------------------- #
    def _require_reachable(self) -> None:
        """Every demand point must reach some existing, required or free site."""
        r = self.roles
        usable = np.flatnonzero(r.fixed | r.free)
        bad = np.flatnonzero(np.asarray(self.costs[:, usable].getnnz(axis=1)) == 0)
        if bad.size:
            dids = self.demand_ids
            raise InfeasibleError(
                f"{bad.size} demand point(s) cannot reach any allowed site: "
                f"{listed(ids_of(dids, bad[:10]), 'en', total=bad.size)}.",
                f"有 {bad.size} 个需求点无法到达任何可用站点：{listed(ids_of(dids, bad[:10]), 'zh', total=bad.size)}"
                "。",
                hint_en="Check the cost matrix (unreachable pairs) or un-forbid sites.",
                hint_zh="请检查成本矩阵中的不可达项，或取消禁选。",
                details={"demand": ids_of(dids, bad), "demand_index": bad.tolist()})

    def free_dense(self):
        """Dense costs to the free columns, and the cost to the nearest fixed site.

        Returns ``(d, base, unreachable)``: ``d`` is (n, F) with a large
        finite value where unreachable (so heuristics can do arithmetic on
        it), ``base`` the per-demand cost to the nearest existing/required
        site (``inf`` when none), ``unreachable`` the mask of the large values.
        """
        r = self.roles
        finite_max = float(self.costs.data.max()) if self.costs.nnz else 1.0
        # Big enough that any solution reaching a point beats one that does not.
        big = (finite_max + 1.0) * (self.n + 1) * 4.0
        sub = self.costs[:, r.free_idx].tocoo()
        d = np.full((self.n, r.free_idx.size), big)
        d[sub.row, sub.col] = sub.data
        unreachable = np.ones(d.shape, dtype=bool)
        unreachable[sub.row, sub.col] = False
        base = np.full(self.n, np.inf)
        if r.fixed_idx.size:
            fx = self.costs[:, r.fixed_idx].tocoo()
            np.minimum.at(base, fx.row, fx.data)
        return d, base, unreachable

    def nearest_open(self, open_sites: np.ndarray, radius: float = np.inf):
        """Per demand: (nearest open site or -1, its cost or inf), within ``radius``."""
        # Ascending unique sites, so that within a row the column order is the
        # site order and the first cheapest entry is the lowest site index.
        open_sites = np.unique(np.asarray(open_sites, dtype=np.int64))
        sub = self.costs[:, open_sites].tocsr() if open_sites.size else sp.csr_matrix((self.n, 0))
        assign = np.full(self.n, -1, dtype=np.int64)
        dist = np.full(self.n, np.inf)
        if sub.nnz:
            sub.sort_indices()
            vals = np.where(sub.data <= radius, sub.data, np.inf)
            counts = np.diff(sub.indptr)
            has = counts > 0
            # Row minimum without sorting (a lexsort of every entry took 0.4 s
            # on 1,979 villages x 770 open sites, the bulk of a cancelled solve).
            row_min = np.full(self.n, np.inf)
            row_min[has] = np.minimum.reduceat(vals, sub.indptr[:-1][has])
            rows = np.repeat(np.arange(self.n), counts)
            at = np.flatnonzero((vals == row_min[rows]) & np.isfinite(vals))
            first = np.ones(at.size, dtype=bool)
            first[1:] = rows[at[1:]] != rows[at[:-1]]
            at = at[first]
            assign[rows[at]] = open_sites[sub.indices[at]]
            dist[rows[at]] = vals[at]
        return assign, dist

    def _result(self, *, status: str, objective: float, selected: np.ndarray,
                assignment: np.ndarray, covered: np.ndarray, mip_gap: float,
                t_solve: float, t_build_extra: float = 0.0,
                covered_weight: float | None = None, details: dict | None = None) -> SolveResult:
        selected = np.asarray(selected, dtype=np.int64)
        open_sites = np.union1d(np.flatnonzero(self.roles.existing), selected).astype(np.int64)
        total_w = float(self.weights.sum())
        cw = float(self.weights[covered].sum()) if covered_weight is None else float(covered_weight)
        build = self._build_seconds + t_build_extra
        return SolveResult(
            model=self.name, status=status, objective=float(objective), selected=selected,
            open_sites=open_sites, assignment=assignment, covered=covered,
            covered_weight=cw, covered_share=(cw / total_w) if total_w > 0 else 1.0,
            mip_gap=float(mip_gap),
            seconds={"build": build, "solve": t_solve, "total": build + t_solve},
            details=details or {})

    def _raise_solver_infeasible(self, what_en: str, what_zh: str) -> None:
        raise InfeasibleError(
            f"The {self.name} model has no solution: {what_en}",
            f"{self.name} 模型无解：{what_zh}",
            hint_en="Relax the group limits, p, capacities or required/forbidden sites.",
            hint_zh="请放宽分组限制、p、容量或必选/禁选设置。",
            details={"model": self.name, "status": "infeasible"})

    def solve(self, *, time_limit: float = 60.0, gap: float = 0.0, verbose: bool = False,
              method: str = "exact", should_stop=None, progress=None) -> SolveResult:
        """Solve the model.

        Parameters
        ----------
        time_limit : float, default 60
            Wall-clock limit in seconds for the whole solve; when reached the
            best solution found so far is returned with status
            ``"time_limit"``.
        gap : float, default 0
            Relative optimality gap at which the MIP may stop (0 = prove
            optimality); a solution stopped by the gap has status
            ``"feasible"``.
        verbose : bool, default False
            Print the HiGHS log.
        method : {"exact", "heuristic"}, default "exact"
            ``"heuristic"`` returns the heuristic solution (lazy greedy or
            vertex substitution) without running the MIP, for instances too
            big to prove; its ``mip_gap`` is ``inf``.
        should_stop : callable() -> bool, optional
            Polled while HiGHS runs; when it answers True the solve stops as
            at a time limit (status ``"time_limit"``, best solution so far).
            Heuristics, bounds and HiGHS all poll it, so the solve returns
            within about a second of the request.
        progress : callable(fraction, stage), optional
            Called while the solve runs (at most a few times a second per
            stage) with the elapsed share of ``time_limit`` (monotone, below
            1; a solve may end well before 1) and a stage from
            :data:`.control.STAGES`: ``"heuristic"``, ``"bound"`` or ``"MIP"``.

        Returns
        -------
        SolveResult

        Raises
        ------
        geo.errors.InfeasibleError
            When the inputs admit no solution.
        """
        if method not in ("exact", "heuristic"):
            raise InputDataError(
                f"Unknown solve method {method!r}; use 'exact' or 'heuristic'.",
                f"未知求解方法 {method!r}；请用 'exact' 或 'heuristic'。")
        check_time_limit(time_limit)
        if not (0 <= gap < 1):
            raise InputDataError(
                f"gap must be in [0, 1), got {gap!r}.", f"gap 必须在 [0, 1) 内，实际为 {gap!r}。")
        with caller_controls(should_stop, progress, time_limit):
            return self._solve(time_limit=float(time_limit), gap=float(gap), verbose=bool(verbose),
                               heuristic_only=(method == "heuristic"))

    def _solve(self, *, time_limit: float, gap: float, verbose: bool,
               heuristic_only: bool) -> SolveResult:  # pragma: no cover - abstract
        raise NotImplementedError
