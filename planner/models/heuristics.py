"""Heuristics: lazy greedy (coverage), greedy + vertex substitution (p-median).

They give good solutions fast, serve as warm starts for the MIPs (HiGHS
``setSolution``), and are the answer on their own with ``method="heuristic"``.
All of them work on the *free* columns of a model (see :mod:`.roles`) and
respect group limits expressed as ``GroupRows`` over those columns.
"""
from __future__ import annotations

import heapq
import time

import numpy as np
import scipy.sparse as sp

from .control import poll
from .roles import GroupRows

__all__ = ["lazy_greedy_cover", "greedy_order", "greedy_median", "teitz_bart",
           "greedy_center"]


def _group_of_col(groups: GroupRows, n_free: int) -> np.ndarray:
    out = np.full(n_free, -1, dtype=np.int64)
    for r, mem in enumerate(groups.members):
        out[mem] = r
    return out


def lazy_greedy_cover(a: sp.csc_matrix, w: np.ndarray, covered: np.ndarray, *,
                      k: int | None, groups: GroupRows) -> list[int] | None:
    """Greedy maximal covering with lazy gain evaluation.

    Parameters
    ----------
    a : scipy.sparse.csc_matrix, shape (n, F)
        ``a[i, j]`` true when free column ``j`` covers demand ``i``.
    w : ndarray, shape (n,)
        Demand weights (ones for set covering).
    covered : ndarray of bool, shape (n,)
        Demand already covered by the fixed sites (not modified).
    k : int or None
        Number of columns to pick (MCLP).  ``None`` picks until every demand
        that ``a`` can cover is covered (LSCP).
    groups : GroupRows
        Per-group limits on the picked columns.

    Returns
    -------
    list of int or None
        Picked columns in pick order (= decreasing marginal gain), or
        ``None`` when the group limits stop the greedy from reaching its goal.
    """
    a = sp.csc_matrix(a)
    n_free = a.shape[1]
    covered = covered.copy()
    gcol = _group_of_col(groups, n_free)
    count = np.zeros(len(groups.labels))
    picked: list[int] = []
    taken = np.zeros(n_free, dtype=bool)
    indptr, indices = a.indptr, a.indices

    def gain_of(j: int) -> float:
        rows = indices[indptr[j]:indptr[j + 1]]
        return float(w[rows][~covered[rows]].sum())

    def take(j: int) -> None:
        picked.append(j)
        taken[j] = True
        covered[indices[indptr[j]:indptr[j + 1]]] = True
        if gcol[j] >= 0:
            count[gcol[j]] += 1

    def allowed(j: int) -> bool:
        g = gcol[j]
        return not taken[j] and (g < 0 or count[g] < groups.hi[g])

    # Phase 1: meet group minimums, best column of a short group at a time.
    # The groups with minimums are few, so a plain (non-lazy) scan is fine.
    while True:
        short = np.flatnonzero(count < groups.lo) if len(groups.labels) else np.zeros(0, int)
        if short.size == 0 or (k is not None and len(picked) >= k):
            break
        cand = np.flatnonzero(np.isin(gcol, short) & ~taken)
        gains = a[:, cand].T @ (w * ~covered)
        take(int(cand[int(np.argmax(gains))]))

    # Phase 2: lazy greedy.  Gains only shrink as coverage grows, so a stale
    # gain that still tops the heap after re-evaluation is the true maximum.
    gains = a.T @ (w * ~covered)
    heap = [(-g, j) for j, g in enumerate(gains) if not taken[j]]
    heapq.heapify(heap)
    need = None if k is not None else (a @ np.ones(n_free) > 0) & ~covered
    while heap:
        if k is not None and len(picked) >= k:
            break
        if k is None and not (need & ~covered).any():
            break
        _, j = heapq.heappop(heap)
        if not allowed(j):
            continue          # group full: counts only grow, drop for good
        g = gain_of(j)
        if heap and g < -heap[0][0] - 1e-12 * max(1.0, g):
            heapq.heappush(heap, (-g, j))
            continue
        if k is None and g <= 0:
            continue
        take(j)
    if k is not None and len(picked) < k:
        return None
    if k is None and (need & ~covered).any():
        return None
    return picked


def greedy_order(a: sp.csc_matrix, w: np.ndarray, covered: np.ndarray,
                 cols: np.ndarray) -> np.ndarray:
    """Order ``cols`` by greedy marginal covered weight (largest first).

    Used to report the sites of an optimal MCLP/LSCP solution as a build
    priority: opening them in this order covers the most demand soonest.
    Marginal gains only shrink as sites open (coverage is submodular), so a
    lazy greedy re-evaluates just the top of a heap: the same order as a full
    re-scan (ties: earlier position in ``cols``), in near-linear time for the
    thousand-site LSCP solutions of village day-care planning.
    """
    import heapq

    cols = np.asarray(cols, dtype=np.int64)
    a = sp.csc_matrix(a)
    covered = covered.copy()

    def rows(j: int) -> np.ndarray:
        return a.indices[a.indptr[j]:a.indptr[j + 1]]

    def gain(j: int) -> float:
        r = rows(j)
        return float(w[r][~covered[r]].sum())

    heap = [(-gain(int(j)), pos, int(j)) for pos, j in enumerate(cols)]
    heapq.heapify(heap)
    out = []
    while heap:
        _, pos, j = heapq.heappop(heap)
        g = gain(j)
        if heap and (-g, pos) > heap[0][:2]:  # stale bound: another may now beat it
            heapq.heappush(heap, (-g, pos, j))
            continue
        out.append(j)
        covered[rows(j)] = True
    return np.asarray(out, dtype=np.int64)


# --------------------------------------------------------------------------- #
# p-median
# --------------------------------------------------------------------------- #

def _two_nearest(d: np.ndarray, open_cols: np.ndarray, base: np.ndarray):
    """Nearest open column, its cost, and the second-nearest cost per row.

    ``base`` is the cost to the nearest fixed (always open) site, which is
    never removed: it caps both the first and the second distance.
    """
    sub = d[:, open_cols]
    if open_cols.size >= 2:
        part = np.argpartition(sub, 1, axis=1)[:, :2]
        a0 = np.take_along_axis(sub, part, axis=1)
        swap = a0[:, 1] < a0[:, 0]
        first = np.where(swap, part[:, 1], part[:, 0])
        d1 = np.minimum(a0[:, 0], a0[:, 1])
        d2 = np.maximum(a0[:, 0], a0[:, 1])
    elif open_cols.size == 1:
        first = np.zeros(d.shape[0], dtype=np.int64)
        d1 = sub[:, 0]
        d2 = np.full(d.shape[0], np.inf)
    else:
        first = np.full(d.shape[0], -1)
        d1 = d2 = np.full(d.shape[0], np.inf)
    near = np.where(first >= 0, open_cols[np.maximum(first, 0)], -1)
    fixed_wins = base <= d1
    near = np.where(fixed_wins, -1, near)           # -1: served by a fixed site
    d2 = np.where(fixed_wins, d1, np.minimum(d2, base))
    d1 = np.minimum(d1, base)
    return near, d1, d2


def _greedy_start(d: np.ndarray, base: np.ndarray, start: np.ndarray, groups: GroupRows):
    """State of a greedy that begins from ``start``: (group of each column, picks per
    group, chosen columns, current cost per row, taken mask)."""
    n_free = d.shape[1]
    gcol = _group_of_col(groups, n_free)
    count = np.zeros(len(groups.labels))
    chosen = list(np.asarray(start, dtype=np.int64))
    for j in chosen:
        if gcol[j] >= 0:
            count[gcol[j]] += 1
    cur = np.minimum(base, d[:, chosen].min(axis=1)) if chosen else base.copy()
    taken = np.zeros(n_free, dtype=bool)
    taken[chosen] = True
    return gcol, count, chosen, cur, taken


def _allowed(taken: np.ndarray, gcol: np.ndarray, count: np.ndarray, groups: GroupRows) -> np.ndarray:
    """Columns a greedy may add next without breaking the group limits."""
    ok = ~taken
    if len(groups.labels):
        short = count < groups.lo
        full = count >= groups.hi
        ok &= ~((gcol >= 0) & full[np.maximum(gcol, 0)])
        if short.any():
            # Forced picks first so the minimums stay reachable.
            ok &= (gcol >= 0) & short[np.maximum(gcol, 0)]
    return np.flatnonzero(ok)


def _complete(chosen: list, k: int, key: np.ndarray, taken: np.ndarray, gcol: np.ndarray,
              count: np.ndarray, groups: GroupRows) -> np.ndarray | None:
    """Fill ``chosen`` up to ``k`` columns by a fixed ranking (``key``, larger first).

    A greedy past its deadline or stopped by the solve's caller ends here:
    one ranking from the last evaluation instead of one evaluation per pick
    (each an n x F pass, 20 ms on the 1,979 x 1,979 village matrix, so 300
    picks took 6 s), which still gives ``k`` columns that keep the group limits.
    """
    while len(chosen) < k:
        cand = _allowed(taken, gcol, count, groups)
        if cand.size == 0:
            return None
        j = int(cand[int(np.argmax(key[cand]))])
        chosen.append(j)
        taken[j] = True
        if gcol[j] >= 0:
            count[gcol[j]] += 1
    return np.asarray(chosen, dtype=np.int64)


def greedy_median(d: np.ndarray, w: np.ndarray, base: np.ndarray, *, k: int,
                  start: np.ndarray, groups: GroupRows,
                  deadline: float | None = None) -> np.ndarray | None:
    """Greedy adding for p-median: ``k`` more columns, each the best saving.

    ``d`` is (n, F) with a large finite value for unreachable pairs; ``base``
    the cost to the nearest already-open site.  Past ``deadline``
    (``time.perf_counter()``), or when the caller of the solve asks it to
    stop, the remaining picks are taken in the order of the current savings
    (see :func:`_complete`).
    """
    gcol, count, chosen, cur, taken = _greedy_start(d, base, start, groups)
    while len(chosen) < k:
        cand = _allowed(taken, gcol, count, groups)
        if cand.size == 0:
            return None
        saving = (w[:, None] * np.maximum(cur[:, None] - d[:, cand], 0.0)).sum(axis=0)
        if (deadline is not None and time.perf_counter() > deadline) or poll("heuristic"):
            key = np.full(d.shape[1], -np.inf)
            key[cand] = saving
            return _complete(chosen, k, key, taken, gcol, count, groups)
        j = int(cand[int(np.argmax(saving))])
        chosen.append(j)
        taken[j] = True
        if gcol[j] >= 0:
            count[gcol[j]] += 1
        cur = np.minimum(cur, d[:, j])
    return np.asarray(chosen, dtype=np.int64)


def teitz_bart(d: np.ndarray, w: np.ndarray, base: np.ndarray, *, start: np.ndarray,
               locked: np.ndarray, groups: GroupRows, max_iter: int = 10_000,
               deadline: float | None = None) -> np.ndarray:
    """Vertex substitution (Teitz & Bart 1968), best-improvement swaps.

    Every pass evaluates all (remove r, insert j) swaps at once: the saving
    of inserting ``j`` does not depend on ``r``, and the loss of removing
    ``r`` given ``j`` only involves the rows ``r`` serves, so one matrix
    product over the open columns gives every swap's change in cost.

    Parameters
    ----------
    d : ndarray, shape (n, F)
        Costs to the free columns (large finite value when unreachable).
    w : ndarray, shape (n,)
        Demand weights.
    base : ndarray, shape (n,)
        Cost to the nearest fixed site (``inf`` when none).
    start : ndarray of int
        Starting open free columns (kept count).
    locked : ndarray of bool, shape (F,)
        Columns that may not be removed (unused here for required sites,
        which are fixed; kept for callers that pin columns).
    groups : GroupRows
        Group limits that every swap must keep.
    max_iter : int
        Safety bound on the number of swaps.
    deadline : float, optional
        ``time.perf_counter()`` value after which to stop improving.
    """
    n, n_free = d.shape
    open_cols = np.asarray(start, dtype=np.int64).copy()
    if open_cols.size == 0:
        return open_cols
    gcol = _group_of_col(groups, n_free)
    has_groups = len(groups.labels) > 0
    scale = float((w * np.where(np.isfinite(base), base, 0)).sum() + (w * d.min(axis=1)).sum() + 1.0)
    for _ in range(max_iter):
        if (deadline is not None and time.perf_counter() > deadline) or poll("heuristic"):
            break
        near, d1, d2 = _two_nearest(d, open_cols, base)
        # Saving of inserting j (any removal): rows that move to j.
        gain = (w[:, None] * np.maximum(d1[:, None] - d, 0.0)).sum(axis=0)
        # Extra loss when r is removed as well: rows served by r that do not
        # move to j go to min(second nearest, j).
        loss_rows = w[:, None] * np.where(d >= d1[:, None],
                                          np.minimum(d, d2[:, None]) - d1[:, None], 0.0)
        pos = np.full(n_free, -1, dtype=np.int64)
        pos[open_cols] = np.arange(open_cols.size)
        served = near >= 0
        ind = sp.csr_matrix((np.ones(int(served.sum())),
                             (pos[near[served]], np.flatnonzero(served))),
                            shape=(open_cols.size, n))
        delta = np.asarray(ind @ loss_rows) - gain[None, :]      # (open, F)
        delta[:, open_cols] = np.inf
        delta[locked[open_cols], :] = np.inf
        if has_groups:
            cnt = np.bincount(gcol[open_cols][gcol[open_cols] >= 0],
                              minlength=len(groups.labels)).astype(float)
            g_out = gcol[open_cols]
            can_remove = (g_out < 0) | (cnt[np.maximum(g_out, 0)] - 1 >= groups.lo[np.maximum(g_out, 0)])
            can_add = (gcol < 0) | (cnt[np.maximum(gcol, 0)] + 1 <= groups.hi[np.maximum(gcol, 0)])
            same = (g_out[:, None] == gcol[None, :]) & (g_out[:, None] >= 0)
            delta[~(same | (can_remove[:, None] & can_add[None, :]))] = np.inf
        r, j = np.unravel_index(int(np.argmin(delta)), delta.shape)
        if not delta[r, j] < -1e-9 * scale:
            break
        open_cols[r] = j
    return np.sort(open_cols)


def greedy_center(d: np.ndarray, base: np.ndarray, *, k: int, start: np.ndarray,
                  groups: GroupRows, deadline: float | None = None) -> np.ndarray | None:
    """Greedy for p-center: repeatedly add the column that most lowers the max cost.

    Past ``deadline`` or on the caller's stop the rest are picked at once, as
    in :func:`greedy_median`.
    """
    gcol, count, chosen, cur, taken = _greedy_start(d, base, start, groups)
    while len(chosen) < k:
        cand = _allowed(taken, gcol, count, groups)
        if cand.size == 0:
            return None
        new = np.minimum(cur[:, None], d[:, cand])
        # Lexicographic: smallest max, then smallest sum (breaks the many
        # ties the max alone leaves once the worst row is fixed).
        score = new.max(axis=0)
        if (deadline is not None and time.perf_counter() > deadline) or poll("heuristic"):
            # Stopped: rank the rest by this evaluation's max cost at once.
            key = np.full(d.shape[1], -np.inf)
            key[cand] = -score
            return _complete(chosen, k, key, taken, gcol, count, groups)
        best = np.flatnonzero(score <= score.min())
        j = int(cand[best[int(np.argmin(new[:, best].sum(axis=0)))]])
        chosen.append(j)
        taken[j] = True
        if gcol[j] >= 0:
            count[gcol[j]] += 1
        cur = np.minimum(cur, d[:, j])
    return np.asarray(chosen, dtype=np.int64)
