"""Shared machinery of the location models: input checking, site roles, HiGHS.

Every model works on a cost matrix of ``n`` demand points (rows) by ``m``
candidate sites (columns).  Sites have one of four roles:

* **existing** -- already built: always open, never counted in ``p``;
* **required** -- new sites that must be chosen (they count in ``p``);
* **forbidden** -- may not be chosen;
* **free** -- everything else, the decision variables of the MIP.

Only the free sites become binary columns; existing and required ones are
folded into constants (or fixed columns when capacities need them), which keeps
every formulation as small as the inputs allow.
"""
from __future__ import annotations

import contextvars

import time
from dataclasses import dataclass, field
from typing import Any, Hashable, Mapping

import highspy
import numpy as np
import scipy.sparse as sp

from geo.errors import InfeasibleError, InputDataError

__all__ = ["SolveResult", "LocationModel"]

#: Statuses a solve can report.
STATUSES = ("optimal", "feasible", "infeasible", "time_limit")


@dataclass
class SolveResult:
    """Outcome of :meth:`LocationModel.solve`.

    Attributes
    ----------
    model : str
        ``"lscp"``, ``"mclp"``, ``"pmedian"`` or ``"pcenter"``.
    status : str
        ``"optimal"`` (proven), ``"feasible"`` (a solution whose optimality is
        not proven; see ``mip_gap``), ``"time_limit"`` (the time limit stopped
        the search; the best solution found is returned) or ``"infeasible"``.
    objective : float
        LSCP: number of new sites; MCLP: covered weight (existing sites
        count as open); p-median: sum of weight x cost to the serving site;
        p-center: largest cost from a demand point to its nearest open site.
    selected : numpy.ndarray
        Indices of the NEW sites.  For MCLP/LSCP in priority order (largest
        marginal gain first), otherwise ascending.
    open_sites : numpy.ndarray
        Existing plus new site indices, ascending.
    assignment : numpy.ndarray
        Per demand point, index of the serving site (``-1``: none / not
        covered).
    covered : numpy.ndarray
        Per demand point, whether it is served (within the radius for the
        coverage models).
    covered_weight, covered_share : float
        Weight of the covered demand and its share of the total weight.
    mip_gap : float
        Relative gap between the objective and the best proven bound
        (0 when optimal, ``inf`` when no bound is known).
    seconds : dict
        Wall-clock seconds: ``build``, ``solve`` and ``total``.
    """

    model: str
    status: str
    objective: float
    selected: np.ndarray
    open_sites: np.ndarray
    assignment: np.ndarray
    covered: np.ndarray
    covered_weight: float
    covered_share: float
    mip_gap: float
    seconds: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-friendly dictionary (arrays become lists)."""
        return {
            "model": self.model, "status": self.status,
            "objective": float(self.objective),
            "selected": self.selected.tolist(),
            "open_sites": self.open_sites.tolist(),
            "covered_weight": float(self.covered_weight),
            "covered_share": float(self.covered_share),
            "mip_gap": float(self.mip_gap),
            "seconds": dict(self.seconds),
        }


# --------------------------------------------------------------------------- #
# Input normalisation
# --------------------------------------------------------------------------- #

def as_cost_csr(costs: Any) -> sp.csr_matrix:
    """Reachable pairs of ``costs`` as a CSR matrix (stored entry = reachable).

    Dense input: ``inf`` and ``nan`` mean unreachable.  Sparse input: entries
    not stored mean unreachable, and a stored ``0`` is a real zero cost.
    """
    if sp.issparse(costs):
        csr = sp.csr_matrix(costs, dtype=np.float64, copy=True)
        csr.sum_duplicates()
        if csr.ndim != 2:
            raise _shape_error(csr.shape)
        keep = np.isfinite(csr.data)
        if not keep.all():
            # Explicit inf/nan entries are unreachable too: drop them without
            # losing stored zeros (eliminate_zeros would drop real zero costs).
            rows = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
            csr = sp.csr_matrix((csr.data[keep], (rows[keep], csr.indices[keep])),
                                shape=csr.shape)
        csr.sort_indices()
    else:
        arr = np.asarray(costs, dtype=np.float64)
        if arr.ndim != 2:
            raise _shape_error(arr.shape)
        rows, cols = np.nonzero(np.isfinite(arr))
        csr = sp.csr_matrix((arr[rows, cols], (rows, cols)), shape=arr.shape)
    if csr.shape[0] == 0 or csr.shape[1] == 0:
        raise _shape_error(csr.shape)
    if csr.nnz and csr.data.min() < 0:
        i = int(np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))[np.argmin(csr.data)])
        raise InputDataError(
            f"The cost matrix has negative costs (first in demand row {i}).",
            f"成本矩阵含负值（首个在需求点第 {i} 行）。",
            hint_en="Costs must be distances or times >= 0; use inf for unreachable pairs.",
            hint_zh="成本应为非负的距离或时间；不可达请用 inf。",
            details={"demand_index": i})
    return csr


def _shape_error(shape) -> InputDataError:
    return InputDataError(
        f"The cost matrix must be 2-D (demand points x candidate sites) and non-empty, got shape {tuple(shape)}.",
        f"成本矩阵必须是非空的二维矩阵（需求点 × 候选点），实际形状为 {tuple(shape)}。",
        hint_en="Pass one row per demand point and one column per candidate site.",
        hint_zh="请按每个需求点一行、每个候选点一列提供。",
        details={"shape": list(shape)})


def as_mask(value: Any, m: int, name: str) -> np.ndarray:
    """Boolean mask of length ``m`` from a mask or an index array (or None)."""
    if value is None:
        return np.zeros(m, dtype=bool)
    arr = np.asarray(value)
    if arr.dtype == bool:
        if arr.shape != (m,):
            raise InputDataError(
                f"`{name}` is a boolean mask of length {arr.size}, but there are {m} candidate sites.",
                f"`{name}` 布尔掩码长度为 {arr.size}，但候选点有 {m} 个。",
                hint_en="Give one flag per candidate, or an array of candidate indices.",
                hint_zh="请为每个候选点给一个标记，或给出候选点下标数组。",
                details={"argument": name, "length": int(arr.size), "expected": m})
        return arr.copy()
    arr = arr.ravel()
    if arr.size == 0:
        return np.zeros(m, dtype=bool)
    if not np.issubdtype(arr.dtype, np.integer):
        raise InputDataError(
            f"`{name}` must be a boolean mask or integer candidate indices.",
            f"`{name}` 必须是布尔掩码或整数候选点下标。",
            details={"argument": name})
    bad = arr[(arr < 0) | (arr >= m)]
    if bad.size:
        raise InputDataError(
            f"`{name}` has candidate indices outside 0..{m - 1}: {bad[:10].tolist()}.",
            f"`{name}` 中的候选点下标超出 0..{m - 1}：{bad[:10].tolist()}。",
            details={"argument": name, "indices": bad[:50].tolist()})
    mask = np.zeros(m, dtype=bool)
    mask[arr] = True
    return mask


def as_weights(weights: Any, n: int) -> np.ndarray:
    """Demand weights (default all ones), checked finite and >= 0."""
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != (n,):
        raise InputDataError(
            f"There are {w.size} weights but {n} demand points.",
            f"权重有 {w.size} 个，但需求点有 {n} 个。",
            hint_en="Give one weight per demand point (row of the cost matrix).",
            hint_zh="请为每个需求点（成本矩阵的每一行）给一个权重。",
            details={"weights": int(w.size), "demand_points": n})
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise InputDataError(
            f"Weights must be finite and >= 0; bad at demand rows {bad[:10].tolist()}.",
            f"权重必须是有限的非负数；以下需求点行有误：{bad[:10].tolist()}。",
            details={"demand_index": bad[:50].tolist()})
    return w


def ids_of(ids: np.ndarray | None, idx: np.ndarray) -> list:
    """Ids for indices (the indices themselves when no ids were given)."""
    idx = np.asarray(idx, dtype=np.int64)
    if ids is None:
        return idx.tolist()
    return [ids[i].item() if hasattr(ids[i], "item") else ids[i] for i in idx]


# --------------------------------------------------------------------------- #
# Site roles and group limits
# --------------------------------------------------------------------------- #

@dataclass
class GroupRows:
    """Group limits rewritten on the free columns: lo <= sum(y[members]) <= hi."""

    labels: list
    members: list          # list of int arrays (indices into free columns)
    lo: np.ndarray
    hi: np.ndarray
    of_site: np.ndarray    # per candidate: group row index or -1


class SiteRoles:
    """Existing / required / forbidden / free partition and group limits."""

    def __init__(self, m: int, *, existing: Any, required: Any, forbidden: Any,
                 groups: Any, group_min: Any, group_max: Any,
                 candidate_ids: np.ndarray | None) -> None:
        self.m = m
        self.candidate_ids = candidate_ids
        self.existing = as_mask(existing, m, "existing")
        self.required = as_mask(required, m, "required") & ~self.existing
        self.forbidden = as_mask(forbidden, m, "forbidden")
        for other, en, zh in ((self.existing, "existing", "现有"),
                              (self.required, "required", "必选")):
            clash = np.flatnonzero(other & self.forbidden)
            if clash.size:
                raise InputDataError(
                    f"Candidate sites {ids_of(candidate_ids, clash[:10])} are both {en} and forbidden.",
                    f"候选点 {ids_of(candidate_ids, clash[:10])} 同时被标为{zh}和禁选。",
                    hint_en="Remove them from one of the two lists.",
                    hint_zh="请从其中一个列表中去掉它们。",
                    details={"candidates": ids_of(candidate_ids, clash)})
        self.fixed = self.existing | self.required          # open for sure
        self.free = ~self.fixed & ~self.forbidden            # decision columns
        self.free_idx = np.flatnonzero(self.free)
        self.fixed_idx = np.flatnonzero(self.fixed)
        self.col_of = np.full(m, -1, dtype=np.int64)         # candidate -> free column
        self.col_of[self.free_idx] = np.arange(self.free_idx.size)
        self.n_required = int(self.required.sum())
        self.groups = self._group_rows(groups, group_min, group_max)

    def _group_rows(self, groups, group_min, group_max) -> GroupRows:
        empty = GroupRows([], [], np.zeros(0), np.zeros(0), np.full(self.m, -1))
        if groups is None:
            if group_min or group_max:
                raise InputDataError(
                    "group_min/group_max were given without `groups`.",
                    "给了 group_min/group_max 但没有给 `groups`（分组）。",
                    hint_en="Pass one group label per candidate site.",
                    hint_zh="请为每个候选点给出分组标签。")
            return empty
        labels = np.asarray(groups, dtype=object).ravel()
        if labels.shape != (self.m,):
            raise InputDataError(
                f"`groups` has {labels.size} labels but there are {self.m} candidate sites.",
                f"`groups` 有 {labels.size} 个标签，但候选点有 {self.m} 个。",
                details={"groups": int(labels.size), "candidates": self.m})
        uniq, inverse = _factorize(labels)

        def limits(spec, name) -> dict:
            if spec is None:
                return {}
            if isinstance(spec, Mapping):
                out = dict(spec)
            else:   # one number for every group, e.g. "one per township"
                out = {lab: spec for lab in uniq}
            for lab, val in out.items():
                if int(val) != val or val < 0:
                    raise InputDataError(
                        f"`{name}` for group {lab!r} must be a whole number >= 0, got {val!r}.",
                        f"分组 {lab!r} 的 `{name}` 必须是非负整数，实际为 {val!r}。",
                        details={"argument": name, "group": str(lab)})
            return {lab: int(v) for lab, v in out.items()}

        gmin, gmax = limits(group_min, "group_min"), limits(group_max, "group_max")
        pos = {lab: k for k, lab in enumerate(uniq)}
        unknown = [lab for lab in list(gmin) + list(gmax) if lab not in pos]
        if unknown:
            raise InputDataError(
                f"Group limits name groups no candidate belongs to: {unknown[:10]}.",
                f"分组限制中的分组没有任何候选点：{unknown[:10]}。",
                hint_en="Check the spelling of the group labels.",
                hint_zh="请检查分组名称拼写。",
                details={"groups": [str(u) for u in unknown]})
        out = GroupRows([], [], [], [], np.full(self.m, -1))
        for lab in uniq:
            if lab not in gmin and lab not in gmax:
                continue
            sites = np.flatnonzero(inverse == pos[lab])
            req = int(self.required[sites].sum())
            free_sites = sites[self.free[sites]]
            lo, hi = gmin.get(lab, 0), gmax.get(lab, np.inf)
            if hi < req or lo > req + free_sites.size:
                bad = hi < req
                raise InfeasibleError(
                    (f"Group {lab!r} allows at most {hi} new sites but {req} are required."
                     if bad else
                     f"Group {lab!r} needs at least {lo} new sites but only {req + free_sites.size} can be chosen there."),
                    (f"分组 {lab!r} 最多允许 {hi} 个新站点，但必选了 {req} 个。"
                     if bad else
                     f"分组 {lab!r} 至少需要 {lo} 个新站点，但只有 {req + free_sites.size} 个可选。"),
                    hint_en="Relax the group limit or change the required/forbidden sites.",
                    hint_zh="请放宽分组限制，或调整必选/禁选站点。",
                    details={"group": str(lab), "min": lo, "max": None if hi == np.inf else hi,
                             "required": req, "choosable": int(req + free_sites.size)})
            row = len(out.labels)
            out.labels.append(lab)
            out.members.append(self.col_of[free_sites])
            out.lo.append(max(lo - req, 0))
            out.hi.append(min(hi - req, free_sites.size))
            out.of_site[sites] = row
        out.lo = np.asarray(out.lo, dtype=np.float64)
        out.hi = np.asarray(out.hi, dtype=np.float64)
        return out

    def check_p(self, p: Any) -> int:
        """Validate ``p`` (number of new sites) against the roles and groups."""
        if p is None or int(p) != p or p < 0:
            raise InputDataError(
                f"p (the number of new sites) must be a whole number >= 0, got {p!r}.",
                f"p（新建站点数）必须是非负整数，实际为 {p!r}。",
                hint_en="Pass p=N.", hint_zh="请指定 p=N。", details={"p": str(p)})
        p = int(p)
        n_choosable = self.n_required + self.free_idx.size
        if p > n_choosable:
            raise InfeasibleError(
                f"p = {p} new sites asked, but only {n_choosable} candidate sites can be chosen "
                f"({int(self.existing.sum())} are existing, {int(self.forbidden.sum())} forbidden).",
                f"要求新建 p = {p} 个站点，但只有 {n_choosable} 个候选点可选"
                f"（{int(self.existing.sum())} 个为现有设施，{int(self.forbidden.sum())} 个禁选）。",
                hint_en="Lower p or add candidate sites.",
                hint_zh="请减小 p 或增加候选点。",
                details={"p": p, "choosable": n_choosable})
        if p < self.n_required:
            raise InfeasibleError(
                f"p = {p} but {self.n_required} sites are required.",
                f"p = {p}，但必选站点有 {self.n_required} 个。",
                hint_en="Raise p to at least the number of required sites.",
                hint_zh="请把 p 提高到不少于必选站点数。",
                details={"p": p, "required": ids_of(self.candidate_ids, np.flatnonzero(self.required))})
        g = self.groups
        k = p - self.n_required
        if len(g.labels):
            in_group = np.zeros(self.free_idx.size, dtype=bool)
            for mem in g.members:
                in_group[mem] = True
            most = g.hi.sum() + (~in_group).sum()
            least = g.lo.sum()
            if k > most or k < least:
                raise InfeasibleError(
                    (f"The group limits allow at most {int(most) + self.n_required} new sites, fewer than p = {p}."
                     if k > most else
                     f"The group minimums need at least {int(least) + self.n_required} new sites, more than p = {p}."),
                    (f"分组上限最多只允许 {int(most) + self.n_required} 个新站点，少于 p = {p}。"
                     if k > most else
                     f"分组下限至少需要 {int(least) + self.n_required} 个新站点，多于 p = {p}。"),
                    hint_en="Change p or the group limits.",
                    hint_zh="请调整 p 或分组限制。",
                    details={"p": p, "group_max_total": int(most) + self.n_required,
                             "group_min_total": int(least) + self.n_required})
        return p

    def new_sites(self, cols: np.ndarray) -> np.ndarray:
        """Required sites plus the chosen free columns, as sorted candidate indices."""
        return np.sort(np.concatenate([np.flatnonzero(self.required),
                                       self.free_idx[np.asarray(cols, dtype=np.int64)]]))

    def group_matrix(self) -> sp.csr_matrix:
        """Rows of group limits over the free columns."""
        g = self.groups
        if not g.labels:
            return sp.csr_matrix((0, self.free_idx.size))
        rows = np.concatenate([np.full(mem.size, r) for r, mem in enumerate(g.members)])
        cols = np.concatenate(g.members)
        return sp.csr_matrix((np.ones(cols.size), (rows, cols)),
                             shape=(len(g.labels), self.free_idx.size))


def _factorize(labels: np.ndarray):
    """Unique labels (first-seen order) and the inverse index, for any hashables."""
    pos: dict[Hashable, int] = {}
    inverse = np.empty(labels.size, dtype=np.int64)
    for k, lab in enumerate(labels.tolist()):
        inverse[k] = pos.setdefault(lab, len(pos))
    return list(pos), inverse


# --------------------------------------------------------------------------- #
# HiGHS
# --------------------------------------------------------------------------- #

#: HiGHS options applied to every solve (tests and benchmarks may tune them).
DEFAULT_OPTIONS: dict = {}

#: The caller's "should I stop?" poll for the solve running in this thread
#: (set by :meth:`LocationModel.solve`); a context variable so that every MIP a
#: model runs sees it without threading it through each model's code.
_SHOULD_STOP: contextvars.ContextVar = contextvars.ContextVar("coverplan_should_stop", default=None)
_POLL_S = 0.2  # how often a running HiGHS solve checks the caller's stop request

#: The caller's progress reporter for the solve running in this thread (set by
#: :meth:`LocationModel.solve`), read the same way as ``_SHOULD_STOP``.
_PROGRESS: contextvars.ContextVar = contextvars.ContextVar("coverplan_progress", default=None)
#: Stages a solve reports (the second argument of the progress callback).
STAGES = ("heuristic", "bound", "MIP")
_REPORT_S = 0.25  # at most this often per stage, so a tight loop does not flood the caller


class _Progress:
    """Progress of one solve as elapsed / time limit: monotone, below 1.

    The time limit is the only scale every model shares (a solve may finish
    well before it, and the caller then jumps to its next stage); reports are
    throttled to one per ``_REPORT_S`` (a fifth of that when the stage changes).
    """

    def __init__(self, fn, time_limit: float) -> None:
        self.fn, self.time_limit = fn, float(time_limit)
        self.t0 = time.perf_counter()
        self.fraction, self.stage, self.last = 0.0, None, -np.inf

    def report(self, stage: str) -> None:
        now = time.perf_counter()
        # a new stage shows soon, but stages alternating in a loop do not flood
        if now - self.last < (_REPORT_S if stage == self.stage else _REPORT_S / 5):
            return
        self.fraction = min(max((now - self.t0) / self.time_limit, self.fraction), 0.99)
        self.stage, self.last = stage, now
        self.fn(self.fraction, stage)


def stop_requested() -> bool:
    """Whether the caller of the solve running in this thread asked it to stop."""
    should_stop = _SHOULD_STOP.get()
    return bool(should_stop is not None and should_stop())


def report_progress(stage: str) -> None:
    """Tell the caller of the solve running in this thread how far it is (cheap, throttled)."""
    rep = _PROGRESS.get()
    if rep is not None:
        rep.report(stage)


def poll(stage: str) -> bool:
    """Report progress at ``stage`` and answer whether the caller asked the solve to stop.

    Long loops (heuristics, subgradient steps, probing) call this once per
    iteration: both checks cost a function call when nobody listens.
    """
    report_progress(stage)
    return stop_requested()

_BANNER_DONE = False


def _new_highs() -> highspy.Highs:
    """A HiGHS instance, without the banner HiGHS writes to stdout.

    HiGHS prints "Running HiGHS ..." from C++ to file descriptor 1 the first
    time an instance is created in a process, before any option can be set;
    that would corrupt ``--json`` output, so fd 1 points at /dev/null then.
    """
    global _BANNER_DONE
    if _BANNER_DONE:
        return highspy.Highs()
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
    return h


@dataclass
class MipOutcome:
    status: str            # one of STATUSES
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
    should_stop = _SHOULD_STOP.get()
    listening = should_stop is not None or _PROGRESS.get() is not None
    h.startSolve()
    deadline = time.perf_counter() + float(time_limit) + max(1.0, 0.05 * float(time_limit))
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


def capacitated_rows(roles: SiteRoles, n: int, pi: np.ndarray, pj: np.ndarray,
                     pair_load: np.ndarray, cap: np.ndarray, *, k: int, serve_all: bool):
    """Rows of the capacitated assignment model over columns ``[y (free sites), x (pairs)]``.

    ``(pi[q], pj[q])`` are the (demand, candidate) pairs that may be used and
    ``pair_load[q]`` the capacity pair ``q`` takes.  Rows: (1) each demand
    point's shares sum to 1 (``serve_all``) or at most 1; (2) a site's load
    is within its capacity, and zero unless it is open (fixed sites: within
    capacity); (3) ``x_ij <= y_j`` for free sites (tightens the LP a lot);
    (4) ``sum y = k``; (5) the group limits.  Returns ``(a, rlo, rhi)``.
    """
    m = roles.m
    usable = np.flatnonzero(roles.fixed | roles.free)
    site_row = np.full(m, -1, dtype=np.int64)
    site_row[usable] = np.arange(usable.size)
    ycol = roles.col_of
    ny, npair = roles.free_idx.size, pi.size
    xs = ny + np.arange(npair)
    r1 = sp.csr_matrix((np.ones(npair), (pi, xs)), shape=(n, ny + npair))
    r2 = sp.coo_matrix((np.concatenate([pair_load, -cap[roles.free_idx]]),
                        (np.concatenate([site_row[pj], site_row[roles.free_idx]]),
                         np.concatenate([xs, np.arange(ny)]))),
                       shape=(usable.size, ny + npair))
    fr = ycol[pj] >= 0
    nfr = int(fr.sum())
    r3 = sp.coo_matrix((np.concatenate([np.ones(nfr), -np.ones(nfr)]),
                        (np.tile(np.arange(nfr), 2), np.concatenate([xs[fr], ycol[pj[fr]]]))),
                       shape=(nfr, ny + npair))
    r4 = sp.csr_matrix(np.concatenate([np.ones(ny), np.zeros(npair)])[None, :])
    r5 = sp.hstack([roles.group_matrix(), sp.csr_matrix((len(roles.groups.labels), npair))])
    a = sp.vstack([r1, r2, r3, r4, r5]).tocsc()
    cap_fixed = np.where(roles.fixed[usable], cap[usable], 0.0)
    rlo = np.concatenate([np.ones(n) if serve_all else np.full(n, -np.inf),
                          np.full(usable.size, -np.inf), np.full(nfr, -np.inf), [k],
                          roles.groups.lo])
    rhi = np.concatenate([np.ones(n), cap_fixed, np.zeros(nfr), [k], roles.groups.hi])
    return a, rlo, rhi


def no_solution_in_time(model: str) -> InfeasibleError:
    """The error for a solve stopped before finding any solution (not a status code)."""
    return InfeasibleError("No solution was found within the time limit.",
                           "在时间限制内未找到可行解。",
                           hint_en="Raise --time-limit.", hint_zh="请增大 --time-limit。",
                           details={"model": model, "status": "time_limit"})


def raise_if_no_solution(out: "MipOutcome", model: str) -> None:
    """A MIP stopped before finding any solution: say so plainly."""
    if out.x is None:
        raise no_solution_in_time(model)


def largest_share_assignment(n: int, pi: np.ndarray, pj: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Serving site of each demand point when demand may be split (capacitated models).

    ``(pi[k], pj[k])`` are the assignment pairs and ``x[k]`` their shares; each
    point is reported as served by the site carrying its largest share
    (``-1`` where nothing serves it).
    """
    assign = np.full(n, -1, dtype=np.int64)
    big = x > 1e-6
    order = np.lexsort((-x[big], pi[big]))
    bi, bj = pi[big][order], pj[big][order]
    first = np.ones(bi.size, dtype=bool)
    first[1:] = bi[1:] != bi[:-1]
    assign[bi[first]] = bj[first]
    return assign


def combine_status(status: str, gap: float) -> str:
    """Status to report after post-processing a MIP outcome."""
    if status == "optimal" and gap > 1e-9:
        return "feasible"
    return status


# --------------------------------------------------------------------------- #
# Base model
# --------------------------------------------------------------------------- #

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

    # -- helpers for subclasses ------------------------------------------- #
    @staticmethod
    def _common(costs, *, weights, existing, required, forbidden, groups, group_min,
                group_max, demand_ids, candidate_ids):
        csr = as_cost_csr(costs)
        n, m = csr.shape
        w = as_weights(weights, n)
        cids = None if candidate_ids is None else np.asarray(candidate_ids, dtype=object)
        dids = None if demand_ids is None else np.asarray(demand_ids, dtype=object)
        roles = SiteRoles(m, existing=existing, required=required, forbidden=forbidden,
                          groups=groups, group_min=group_min, group_max=group_max,
                          candidate_ids=cids)
        return csr, w, roles, dids

    def _require_reachable(self) -> None:
        """Every demand point must reach some existing, required or free site."""
        r = self.roles
        usable = np.flatnonzero(r.fixed | r.free)
        bad = np.flatnonzero(np.asarray(self.costs[:, usable].getnnz(axis=1)) == 0)
        if bad.size:
            dids = self.demand_ids
            raise InfeasibleError(
                f"{bad.size} demand point(s) cannot reach any allowed site: "
                f"{ids_of(dids, bad[:10])}{' ...' if bad.size > 10 else ''}.",
                f"有 {bad.size} 个需求点无法到达任何可用站点：{ids_of(dids, bad[:10])}"
                f"{' ……' if bad.size > 10 else ''}。",
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
            :data:`STAGES`: ``"heuristic"``, ``"bound"`` or ``"MIP"``.

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
        if not (time_limit > 0):
            raise InputDataError(
                f"time_limit must be > 0 seconds, got {time_limit!r}.",
                f"time_limit 必须大于 0 秒，实际为 {time_limit!r}。")
        if not (0 <= gap < 1):
            raise InputDataError(
                f"gap must be in [0, 1), got {gap!r}.", f"gap 必须在 [0, 1) 内，实际为 {gap!r}。")
        token = _SHOULD_STOP.set(should_stop)
        ptoken = _PROGRESS.set(None if progress is None else _Progress(progress, time_limit))
        try:
            return self._solve(time_limit=float(time_limit), gap=float(gap), verbose=bool(verbose),
                               heuristic_only=(method == "heuristic"))
        finally:
            _PROGRESS.reset(ptoken)
            _SHOULD_STOP.reset(token)

    def _solve(self, *, time_limit: float, gap: float, verbose: bool,
               heuristic_only: bool) -> SolveResult:  # pragma: no cover - abstract
        raise NotImplementedError
