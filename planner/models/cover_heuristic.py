"""Incumbents and Lagrangean bounds for the covering models.

Set covering (LSCP, minimise ``c.x`` with every row covered):

* :func:`greedy_cover` -- cheapest cost per newly covered row, then
  redundant columns removed;
* :func:`improve_cover` -- iterated local search: drop a few chosen columns
  around a random one, cover again greedily (random ties), remove redundant
  columns, keep the result when it is no worse;
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

import heapq
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .control import poll

__all__ = ["greedy_cover", "improve_cover", "cover_lagrangean", "LagrangeanCover",
           "improve_max_cover", "max_cover_lagrangean", "LagrangeanMaxCover",
           "covering_fixings", "max_cover_fixings"]


def _csr(a) -> sp.csr_matrix:
    a = sp.csr_matrix(a, dtype=np.float64)
    a.sort_indices()
    return a


# --------------------------------------------------------------------------- #
# Set covering
# --------------------------------------------------------------------------- #
def _remove_redundant(a_csc: sp.csc_matrix, cost: np.ndarray, x: np.ndarray,
                      cnt: np.ndarray) -> None:
    """Drop chosen columns whose rows are all covered twice, dearest first (in place)."""
    chosen = np.flatnonzero(x)
    if chosen.size == 0:
        return
    deg = np.diff(a_csc.indptr)
    # Counts only fall as columns go, so only a column whose rows are all
    # covered twice now can ever go: test those (one vectorised pass) and
    # walk just them in the same order as a walk over every chosen column.
    low = np.full(deg.size, np.iinfo(np.int64).max)
    full = deg > 0
    if a_csc.nnz:
        low[full] = np.minimum.reduceat(cnt[a_csc.indices], a_csc.indptr[:-1][full])
    order = chosen[np.lexsort((deg[chosen], -cost[chosen]))]
    for j in order[low[order] >= 2]:
        r = a_csc.indices[a_csc.indptr[j]:a_csc.indptr[j + 1]]
        if np.all(cnt[r] >= 2):
            x[j] = False
            cnt[r] -= 1


def _complete_cover(a_csr: sp.csr_matrix, a_csc: sp.csc_matrix, cost: np.ndarray,
                    x: np.ndarray, cnt: np.ndarray, rng: np.random.Generator | None) -> None:
    """Cover the rows with ``cnt == 0`` greedily by cost per newly covered row (in place).

    Lazy: gains only shrink, so a re-evaluated column still on top of the
    heap is the true best.  ``rng`` adds a tiny random tie-break.  Each
    column's count of open rows is kept up to date as rows close (the
    local search calls this thousands of times).
    """
    open_rows = np.flatnonzero(cnt == 0)
    if open_rows.size == 0:
        return
    # Open rows per column, counted on the structure as the rows are walked below.
    row_of = np.repeat(np.arange(cnt.size), np.diff(a_csr.indptr))
    new = np.bincount(a_csr.indices[cnt[row_of] == 0], minlength=a_csr.shape[1])
    cand = np.flatnonzero(new > 0)
    cand = cand[~x[cand]]
    noise = rng.random(cand.size) * 1e-6 if rng is not None else np.zeros(cand.size)

    def ratio(j: int, eps: float) -> float:
        return np.inf if new[j] == 0 else cost[j] / new[j] + eps

    heap = [(ratio(int(j), e), e, int(j)) for j, e in zip(cand, noise)]
    heapq.heapify(heap)
    left = open_rows.size
    while left and heap:
        val, e, j = heapq.heappop(heap)
        now = ratio(j, e)
        if now == np.inf:
            continue
        if heap and now > heap[0][0]:
            heapq.heappush(heap, (now, e, j))
            continue
        r = a_csc.indices[a_csc.indptr[j]:a_csc.indptr[j + 1]]
        closed = r[cnt[r] == 0]
        left -= closed.size
        cnt[r] += 1
        x[j] = True
        if closed.size:
            # Every column of a row that just closed has one open row fewer.
            cols = np.concatenate([a_csr.indices[a_csr.indptr[i]:a_csr.indptr[i + 1]]
                                   for i in closed])
            np.subtract.at(new, cols, 1)


def greedy_cover(a, cost: np.ndarray | None = None, *, x0: np.ndarray | None = None,
                 rng: np.random.Generator | None = None) -> np.ndarray:
    """A cover (bool per column): ``x0`` completed greedily, redundant columns removed.

    Every row of ``a`` must have a column.
    """
    a_csr = _csr(a)
    a_csc = a_csr.tocsc()
    ncol = a_csr.shape[1]
    cost = np.ones(ncol) if cost is None else np.asarray(cost, dtype=np.float64)
    x = np.zeros(ncol, dtype=bool) if x0 is None else np.asarray(x0, dtype=bool).copy()
    cnt = (a_csr @ x.astype(np.float64)).astype(np.int64)
    _complete_cover(a_csr, a_csc, cost, x, cnt, rng)
    _remove_redundant(a_csc, cost, x, cnt)
    return x


def improve_cover(a, x: np.ndarray, cost: np.ndarray | None = None, *, seconds: float = 0.5,
                  seed: int = 0, max_iter: int = 100_000, target: float = -np.inf) -> np.ndarray:
    """Iterated local search from cover ``x``; returns the best cover found.

    Stops early once the cover costs ``target`` or less (a lower bound).

    Each move drops a chosen column and up to three chosen columns sharing
    rows with it, re-covers greedily with random ties and removes redundant
    columns; a result no dearer than the current one is accepted (moving
    along plateaus is what finds the improvements on unit costs).
    """
    a_csr = _csr(a)
    a_csc = a_csr.tocsc()
    ncol = a_csr.shape[1]
    cost = np.ones(ncol) if cost is None else np.asarray(cost, dtype=np.float64)
    rng = np.random.default_rng(seed)
    cur = np.asarray(x, dtype=bool).copy()
    cnt = (a_csr @ cur.astype(np.float64)).astype(np.int64)
    best, best_val = cur.copy(), float(cost[cur].sum())
    cur_val = best_val
    end = time.perf_counter() + seconds
    it = 0
    while it < max_iter and time.perf_counter() < end and best_val > target + 1e-9:
        it += 1
        if poll("heuristic"):
            break
        chosen = np.flatnonzero(cur)
        if chosen.size == 0:
            break
        j = int(rng.choice(chosen))
        rows = a_csc.indices[a_csc.indptr[j]:a_csc.indptr[j + 1]]
        near = np.unique(np.concatenate([a_csr.indices[a_csr.indptr[i]:a_csr.indptr[i + 1]]
                                         for i in rows])) if rows.size else np.zeros(0, int)
        near = near[cur[near] & (near != j)]
        drop = [j] + (rng.choice(near, size=min(near.size, int(rng.integers(1, 4))),
                                 replace=False).tolist() if near.size else [])
        trial, tcnt = cur.copy(), cnt.copy()
        for d in drop:
            trial[d] = False
            tcnt[a_csc.indices[a_csc.indptr[d]:a_csc.indptr[d + 1]]] -= 1
        _complete_cover(a_csr, a_csc, cost, trial, tcnt, rng)
        _remove_redundant(a_csc, cost, trial, tcnt)
        val = float(cost[trial].sum())
        if val <= cur_val + 1e-12:
            cur, cnt, cur_val = trial, tcnt, val
            if val < best_val - 1e-12:
                best, best_val = trial.copy(), val
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
            cand = greedy_cover(a_csr, cost, x0=x)
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
    only ``j`` covers, ``both`` the part of that ``l`` covers too (one
    sparse product).  ``movable`` restricts both ends of a swap.
    """
    a_csr = _csr(a)
    a_csc = a_csr.tocsc()
    ncol = a_csr.shape[1]
    w = np.asarray(w, dtype=np.float64)
    movable = np.ones(ncol, dtype=bool) if movable is None else np.asarray(movable, bool)
    x = np.zeros(ncol, dtype=bool)
    x[np.asarray(chosen, dtype=np.int64)] = True
    end = time.perf_counter() + seconds
    tol = 1e-9 * max(1.0, float(w.sum()))
    while time.perf_counter() < end and not poll("heuristic"):
        cnt = a_csr @ x.astype(np.float64)
        gain = a_csc.T @ (w * (cnt == 0))
        only = w * (cnt == 1)
        out = np.flatnonzero(x & movable)
        if out.size == 0:
            break
        loss = a_csc[:, out].T @ only
        both = (a_csc[:, out].T.multiply(only[None, :])).tocsr() @ a_csr   # |out| x ncol
        both = both.toarray()
        delta = gain[None, :] - loss[:, None] + both
        delta[:, x | ~movable] = -np.inf
        pos = int(np.argmax(delta))
        jo, li = divmod(pos, ncol)
        if not delta[jo, li] > tol:
            break
        x[out[jo]] = False
        x[li] = True
    return np.flatnonzero(x)


@dataclass
class LagrangeanMaxCover:
    bound: float            # upper bound on the covered weight (reduced problem)
    lam: np.ndarray         # multipliers of the best bound
    value: np.ndarray       # column values A^T lam at those multipliers
    iterations: int


def max_cover_lagrangean(a, w: np.ndarray, k: int, *, lower: float, max_iter: int = 600,
                         seconds: float = 1.0, integral: bool = False) -> LagrangeanMaxCover:
    """Subgradient on the coverage rows of the MCLP; an upper bound on its optimum.

    Relaxing ``z_i <= sum_j a_ij y_j`` with ``0 <= lam_i <= w_i`` leaves
    ``L = sum_i max(0, w_i - lam_i) + (sum of the k largest (A^T lam)_j)``,
    an upper bound for every such ``lam`` (group limits are relaxed too).
    Stops when the bound meets ``lower`` (the incumbent).
    """
    a_csr = _csr(a)
    at = a_csr.T.tocsr()
    nrow, ncol = a_csr.shape
    w = np.asarray(w, dtype=np.float64)
    k = int(min(k, ncol))
    lam = 0.5 * w
    best_l, best_lam = np.inf, lam.copy()
    f, stall = 2.0, 0
    end = time.perf_counter() + seconds
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
        target = np.floor(best_l + 1e-6) if integral else best_l
        if target <= lower + 1e-9 * max(1.0, abs(lower)) or f < 1e-4 \
                or time.perf_counter() > end or poll("bound"):
            break
        y = np.zeros(ncol)
        y[top] = 1.0
        g = (a_csr @ y) - z      # dL/dlam_i
        g[(lam <= 0) & (g > 0)] = 0.0
        g[(lam >= w) & (g < 0)] = 0.0
        norm = float(g @ g)
        if norm == 0.0:
            break
        lam = np.clip(lam - f * (lval - lower) / norm * g, 0.0, w)
    return LagrangeanMaxCover(best_l, best_lam, at @ best_lam, it)


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
