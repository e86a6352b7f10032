"""Incumbents and Lagrangean bounds for the covering models.

Set covering (LSCP, minimise ``c.x`` with every row covered):

* :func:`greedy_cover` -- cheapest cost per newly covered row, then
  redundant columns removed;
* :func:`weighted_cover` -- row-weighting local search (unit costs): works
  one column below the best cover found, swapping columns and raising the
  weight of rows left open;
* :func:`cover_lagrangean` -- subgradient on the covering rows; gives a lower
  bound, multipliers for reduced-cost fixing, and a Lagrangean heuristic
  (the relaxation's columns completed greedily).

Maximal covering (MCLP, ``k`` columns, maximise covered row weight):

* :func:`improve_max_cover` -- best-improvement swaps (one column out, one
  in), all swap values from one sparse product per move;
* :func:`max_cover_lagrangean` -- subgradient on ``z_i <= sum_j a_ij y_j``;
  gives an upper bound and the multipliers for fixing.

Everything works on a 0/1 CSR matrix of the (reduced) problem and is exact
in what it claims: a cover is a cover, a bound is a bound.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .control import poll
from .cover_kernels import complete_and_trim, max_cover_swaps, weighted_cover_search

__all__ = ["greedy_cover", "weighted_cover", "cover_lagrangean", "LagrangeanCover",
           "improve_max_cover", "max_cover_lagrangean", "LagrangeanMaxCover",
           "covering_fixings", "max_cover_fixings"]


def _csr(a) -> sp.csr_matrix:
    a = sp.csr_matrix(a, dtype=np.float64)
    a.sort_indices()
    return a


# --------------------------------------------------------------------------- #
# Set covering
# --------------------------------------------------------------------------- #
@dataclass
class _CoverArrays:
    """A 0/1 matrix as the compiled kernels take it (:mod:`.cover_kernels`)."""
    r_ptr: np.ndarray
    r_idx: np.ndarray
    c_ptr: np.ndarray
    c_idx: np.ndarray
    cost: np.ndarray
    order: np.ndarray    # redundant columns are dropped dearest first, then fewest rows

    @classmethod
    def of(cls, a, cost: np.ndarray | None) -> "_CoverArrays":
        a_csr = _csr(a)
        a_csc = a_csr.tocsc()
        ncol = a_csr.shape[1]
        cost = np.ones(ncol) if cost is None else np.asarray(cost, dtype=np.float64)
        deg = np.diff(a_csc.indptr)
        i64 = np.int64
        return cls(a_csr.indptr.astype(i64), a_csr.indices.astype(i64),
                   a_csc.indptr.astype(i64), a_csc.indices.astype(i64),
                   np.ascontiguousarray(cost), np.lexsort((deg, -cost)).astype(i64))

    def args(self):
        return self.r_ptr, self.r_idx, self.c_ptr, self.c_idx, self.cost, self.order

    def greedy(self, x0: np.ndarray | None) -> np.ndarray:
        ncol = self.c_ptr.size - 1
        x = np.zeros(ncol, dtype=bool) if x0 is None else np.array(x0, dtype=bool)
        complete_and_trim(*self.args(), x)
        return x


def greedy_cover(a, cost: np.ndarray | None = None, *,
                 x0: np.ndarray | None = None) -> np.ndarray:
    """A cover (bool per column): ``x0`` completed greedily, redundant columns removed.

    The greedy takes the column of least cost per newly covered row (ties:
    the lowest index), then drops chosen columns
    whose rows are all covered twice, dearest first.  Every row of ``a``
    must have a column.
    """
    return _CoverArrays.of(a, cost).greedy(x0)


def weighted_cover(a, x: np.ndarray, *, steps: int = 50_000, seed: int = 0,
                   target: float = -np.inf) -> np.ndarray:
    """Row-weighting local search from the cover ``x`` (unit costs); the smallest cover found.

    Stops after ``steps`` steps or once the cover has ``target`` columns or
    fewer (a lower bound).  See :func:`.cover_kernels.weighted_cover_search`
    (Gao, Weise and Li's RWLS); on the uniform 2,000 x 500 instances of
    bench/solve.py (seeds 1-12) 50,000 steps, about 0.06 s, reach the optimum
    from the plain greedy on all twelve, where the former plateau search
    reached it on 5 of 12 in 20,000 moves.
    """
    arr = _CoverArrays.of(a, None)
    cur = np.array(x, dtype=bool)
    best = cur.copy()
    goal = int(np.floor(target + 1e-9)) if np.isfinite(target) else -1
    weighted_cover_search(arr.r_ptr, arr.r_idx, arr.c_ptr, arr.c_idx, cur, best, int(steps),
                          int(seed) % 2**32, goal)
    return best


@dataclass
class LagrangeanCover:
    bound: float             # lower bound on the optimum of the (reduced) problem
    u: np.ndarray            # multipliers of the best bound
    reduced_cost: np.ndarray  # c - A^T u at those multipliers
    best: np.ndarray         # best cover found by the Lagrangean heuristic
    best_value: float
    iterations: int


def cover_lagrangean(a, cost: np.ndarray | None = None, *, upper: float,
                     incumbent: np.ndarray | None = None, max_iter: int = 600,
                     seconds: float = 1.0, integral: bool = True) -> LagrangeanCover:
    """Subgradient optimisation of the covering rows' Lagrangean (Beasley's scheme).

    ``L(u) = sum(u) + sum_j min(0, c_j - sum_{i in j} u_i)`` is a lower bound
    for every ``u >= 0``.  Stops when the bound meets ``upper`` (rounded up
    when costs are integral), when the step has shrunk away, or at the
    iteration/time limit.  Every 10th step the relaxation's columns are
    completed into a cover, which may lower ``upper``.
    """
    a_csr = _csr(a)
    at = a_csr.T.tocsr()
    nrow, ncol = a_csr.shape
    cost = np.ones(ncol) if cost is None else np.asarray(cost, dtype=np.float64)
    arr = _CoverArrays.of(a_csr, cost)
    best_x = None if incumbent is None else np.asarray(incumbent, dtype=bool).copy()
    best_val = float(upper)
    # Start: each row's cheapest cost per covered row (Beasley 1990).
    deg = np.maximum(np.diff(a_csr.tocsc().indptr), 1)
    per = cost / deg
    u = np.full(nrow, np.inf)
    if a_csr.nnz:
        u = np.minimum.reduceat(per[a_csr.indices], a_csr.indptr[:-1]) if nrow else u
    u = np.where(np.isfinite(u), u, 0.0)
    best_l, best_u = -np.inf, u.copy()
    f, stall = 2.0, 0
    end = time.perf_counter() + seconds
    it = 0
    for it in range(1, max_iter + 1):
        rc = cost - at @ u
        x = rc < 0
        lval = float(u.sum() + rc[x].sum())
        if lval > best_l + 1e-9:
            best_l, best_u, stall = lval, u.copy(), 0
        else:
            stall += 1
            if stall >= 20:
                f, stall = f / 2.0, 0
        if it % 10 == 1:
            cand = arr.greedy(x)
            val = float(cost[cand].sum())
            if val < best_val - 1e-9:
                best_x, best_val = cand, val
        target = np.ceil(best_l - 1e-6) if integral else best_l
        if target >= best_val - 1e-9 or f < 1e-4 or time.perf_counter() > end or poll("bound"):
            break
        s = 1.0 - a_csr @ x.astype(np.float64)
        s[(u <= 0) & (s < 0)] = 0.0
        norm = float(s @ s)
        if norm == 0.0:
            break       # the relaxation's solution is a cover at zero slack: optimal
        u = np.maximum(0.0, u + f * (1.05 * best_val - lval) / norm * s)
    rc = cost - at @ best_u
    return LagrangeanCover(best_l, best_u, rc, best_x if best_x is not None else
                           np.zeros(ncol, dtype=bool), best_val, it)


def covering_fixings(lag: LagrangeanCover, upper: float, incumbent: np.ndarray, *,
                     integral: bool = True):
    """Columns that every cover cheaper than ``upper`` leaves out / takes (reduced costs).

    With ``x_j`` forced to 1 the relaxation's bound becomes
    ``L + max(rc_j, 0)``; forced to 0, ``L + max(-rc_j, 0)``.  When that
    bound already rules out beating ``upper`` the opposite value is fixed.
    Only fixings the incumbent satisfies are returned, so it stays a valid
    warm start: the MIP then either finds a cheaper cover (which obeys
    every fixing) or proves the incumbent optimal.
    """
    goal = upper - 1.0 + 1e-6 if integral else upper - 1e-9 * max(1.0, abs(upper))
    inc = np.asarray(incumbent, dtype=bool)
    zero = (lag.bound + np.maximum(lag.reduced_cost, 0.0) > goal) & ~inc
    one = (lag.bound + np.maximum(-lag.reduced_cost, 0.0) > goal) & inc
    return zero, one


# --------------------------------------------------------------------------- #
# Maximal covering
# --------------------------------------------------------------------------- #
def improve_max_cover(a, w: np.ndarray, chosen, *, seconds: float = 0.5,
                      movable: np.ndarray | None = None) -> np.ndarray:
    """Best-improvement swaps from the column set ``chosen``; returns the improved set.

    With ``cnt`` the cover count of each row, a swap of ``j`` out and ``l``
    in changes the covered weight by ``gain[l] - loss[j] + both[j, l]``:
    ``gain`` the weight of uncovered rows ``l`` covers, ``loss`` the weight
    only ``j`` covers, ``both`` the part of that ``l`` covers too.
    ``movable`` restricts both ends of a swap.  The swaps run compiled
    (:func:`.cover_kernels.max_cover_swaps`).
    """
    arr = _CoverArrays.of(a, None)
    ncol = arr.c_ptr.size - 1
    movable = np.ones(ncol, dtype=bool) if movable is None else np.asarray(movable, bool)
    x = np.zeros(ncol, dtype=bool)
    x[np.asarray(chosen, dtype=np.int64)] = True
    _swaps(arr, np.asarray(w, dtype=np.float64), x, movable, time.perf_counter() + seconds)
    return np.flatnonzero(x)


#: Swaps per compiled call; between calls the time limit and the caller's
#: stop request are checked.
SWAP_CHUNK = 20


def _swaps(arr: _CoverArrays, w, x, movable, end) -> None:
    """:func:`improve_max_cover` on prepared arrays, ``x`` (bool per column) in place."""
    tol = 1e-9 * max(1.0, float(w.sum()))
    while time.perf_counter() < end and not poll("heuristic"):
        made = max_cover_swaps(arr.r_ptr, arr.r_idx, arr.c_ptr, arr.c_idx, w, x, movable,
                               SWAP_CHUNK, tol)
        if made < SWAP_CHUNK:
            break       # no swap gains any more


@dataclass
class LagrangeanMaxCover:
    bound: float            # upper bound on the covered weight (reduced problem)
    lam: np.ndarray         # multipliers of the best bound
    value: np.ndarray       # column values A^T lam at those multipliers
    iterations: int
    best: np.ndarray        # best column set found (the incumbent or a Lagrangean one)
    best_value: float       # its covered weight


def max_cover_lagrangean(a, w: np.ndarray, k: int, *, lower: float, max_iter: int = 600,
                         seconds: float = 1.0, integral: bool = False,
                         incumbent=None, heuristic_every: int = 0) -> LagrangeanMaxCover:
    """Subgradient on the coverage rows of the MCLP; an upper bound on its optimum.

    Relaxing ``z_i <= sum_j a_ij y_j`` with ``0 <= lam_i <= w_i`` leaves
    ``L = sum_i max(0, w_i - lam_i) + (sum of the k largest (A^T lam)_j)``,
    an upper bound for every such ``lam`` (group limits are relaxed too).
    Stops when the bound meets ``lower`` (the incumbent's covered weight).

    With ``heuristic_every > 0``, every so many steps the relaxation's ``k``
    columns are improved by swaps (:func:`improve_max_cover`) into a
    solution, which replaces ``incumbent`` (column indices) when it covers
    more: a Lagrangean heuristic.  The relaxation's columns cover what the
    multipliers price highest, often a better start than the greedy's; on
    uniform 2,000 x 500 instances the swaps from there reached the optimum
    on most seeds.  Group limits are relaxed, so callers with groups leave
    it off.
    """
    a_csr = _csr(a)
    at = a_csr.T.tocsr()
    arr = _CoverArrays.of(a_csr, None) if heuristic_every > 0 else None
    nrow, ncol = a_csr.shape
    w = np.asarray(w, dtype=np.float64)
    k = int(min(k, ncol))
    best_y = np.zeros(0, np.int64) if incumbent is None else np.asarray(incumbent, np.int64)
    lower = float(lower)
    # The step aims at the caller's incumbent, not at a better one found on
    # the way: tried on uniform 2,000 x 500 instances, aiming higher made the
    # steps shorter and the final bound weaker.
    step_goal = lower
    lam = 0.5 * w
    best_l, best_lam = np.inf, lam.copy()
    f, stall = 2.0, 0
    end = time.perf_counter() + seconds
    movable = np.ones(ncol, dtype=bool)

    def improve(x: np.ndarray, until: float) -> None:
        """Swaps from the column set ``x``; keeps the result if it beats ``lower``."""
        nonlocal best_y, lower
        _swaps(arr, w, x, movable, until)
        val = float(w[(a_csr @ x.astype(np.float64)) > 0].sum())
        if val > lower + 1e-9 * max(1.0, abs(lower)):
            best_y, lower = np.flatnonzero(x), val

    it = 0
    for it in range(1, max_iter + 1):
        v = at @ lam
        top = np.argpartition(-v, k - 1)[:k] if 0 < k < ncol else np.arange(ncol)[:k]
        z = w > lam
        lval = float((w - lam)[z].sum() + v[top].sum())
        if lval < best_l - 1e-9:
            best_l, best_lam, stall = lval, lam.copy(), 0
        else:
            stall += 1
            if stall >= 20:
                f, stall = f / 2.0, 0
        y = np.zeros(ncol)
        y[top] = 1.0
        if heuristic_every > 0 and it % heuristic_every == 1:
            improve(y > 0, end)
        target = np.floor(best_l + 1e-6) if integral else best_l
        if target <= lower + 1e-9 * max(1.0, abs(lower)) or f < 1e-4 \
                or time.perf_counter() > end or poll("bound"):
            break
        g = (a_csr @ y) - z      # dL/dlam_i
        g[(lam <= 0) & (g > 0)] = 0.0
        g[(lam >= w) & (g < 0)] = 0.0
        norm = float(g @ g)
        if norm == 0.0:
            break
        lam = np.clip(lam - f * (lval - step_goal) / norm * g, 0.0, w)
    value = at @ best_lam
    if heuristic_every > 0 and 0 < k < ncol:
        # The best multipliers' columns too (most often the best start of all).
        x = np.zeros(ncol, dtype=bool)
        x[np.argpartition(-value, k - 1)[:k]] = True
        improve(x, max(end, time.perf_counter() + 0.01))
    return LagrangeanMaxCover(best_l, best_lam, value, it, best_y, lower)


def max_cover_fixings(lag: LagrangeanMaxCover, k: int, lower: float, incumbent, *,
                      integral: bool = False):
    """Columns that no solution better than ``lower`` takes / leaves (keeps the incumbent valid).

    Forcing ``y_j = 1`` for a column outside the relaxation's top ``k``
    swaps it for the k-th best: bound ``L - v_(k) + v_j``; forcing a top
    column out brings in the (k+1)-th: ``L - v_j + v_(k+1)``.
    """
    v = lag.value
    ncol = v.size
    inc = np.zeros(ncol, dtype=bool)
    inc[np.asarray(incumbent, dtype=np.int64)] = True
    if k <= 0 or k >= ncol:
        return np.zeros(ncol, bool), np.zeros(ncol, bool)
    srt = np.sort(v)[::-1]
    vk, vk1 = srt[k - 1], srt[k]
    goal = lower + 1.0 - 1e-6 if integral else lower + 1e-9 * max(1.0, abs(lower))
    # Ties at the k-th value make "in the top k" ambiguous; both tests below
    # hold for whichever top set the relaxation picks.
    in_top = v > vk
    out_top = v < vk
    zero = out_top & (lag.bound - vk + v < goal) & ~inc
    one = in_top & (lag.bound - v + vk1 < goal) & inc
    return zero, one
