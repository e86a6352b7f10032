"""Compiled covering moves: greedy completion, redundancy removal, local search, swaps.

The algorithms :mod:`.cover_heuristic` describes, as plain loops: a move
touches a few dozen rows and columns, and in numpy each one paid for a dozen
array calls (a set-covering move took about 0.27 ms, 0.4 s of the 1.6 s a
hard 2,000 x 500 LSCP took; an MCLP swap pass 2-5 ms).  Here a set-covering
move takes a few microseconds.

The matrix comes as both index structures of a 0/1 CSR matrix:
``r_ptr, r_idx`` (the columns of each row) and ``c_ptr, c_idx`` (the rows
of each column).  ``order`` lists every column in the order redundant
columns are dropped (dearest first, then fewest rows).  Random numbers come
from numba's generator, seeded on every call, so a call's result depends on
its arguments only.
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["complete_and_trim", "cover_search", "max_cover_swaps", "warm_up"]


@njit(cache=True)
def _complete(r_ptr, r_idx, c_ptr, c_idx, cost, x, cnt, noisy, newc, seen, stamp):
    """Cover the rows with ``cnt == 0``: cheapest cost per newly covered row first.

    ``noisy`` adds a random tie-break below 1e-6 to each candidate's ratio.
    ``newc`` and ``seen`` are work arrays of one entry per column; ``seen``
    holds stamps, ``stamp`` is a value not in it yet.
    """
    nrow = r_ptr.size - 1
    # Candidate columns and their counts of open rows.
    cand = np.empty(c_ptr.size - 1, np.int64)
    nc = 0
    left = 0
    for i in range(nrow):
        if cnt[i] == 0:
            left += 1
            for t in range(r_ptr[i], r_ptr[i + 1]):
                j = r_idx[t]
                if x[j]:
                    continue
                if seen[j] != stamp:
                    seen[j] = stamp
                    newc[j] = 0
                    cand[nc] = j
                    nc += 1
                newc[j] += 1
    noise = np.zeros(nc)
    if noisy:
        for t in range(nc):
            noise[t] = np.random.random() * 1e-6
    while left > 0:
        best, bval = -1, np.inf
        for t in range(nc):
            j = cand[t]
            if newc[j] > 0 and not x[j]:
                v = cost[j] / newc[j] + noise[t]
                if v < bval or (v == bval and j < best):
                    best, bval = j, v
        if best < 0:
            break       # a row no column covers: the caller's input was infeasible
        x[best] = True
        for t in range(c_ptr[best], c_ptr[best + 1]):
            i = c_idx[t]
            if cnt[i] == 0:
                left -= 1
                # Every column of a row that just closed has one open row fewer.
                for s in range(r_ptr[i], r_ptr[i + 1]):
                    newc[r_idx[s]] -= 1
            cnt[i] += 1
    return left


@njit(cache=True)
def _trim(c_ptr, c_idx, order, x, cnt):
    """Drop chosen columns whose rows are all covered twice, in ``order`` (in place)."""
    for t in range(order.size):
        j = order[t]
        if not x[j]:
            continue
        spare = True
        for s in range(c_ptr[j], c_ptr[j + 1]):
            if cnt[c_idx[s]] < 2:
                spare = False
                break
        if spare:
            x[j] = False
            for s in range(c_ptr[j], c_ptr[j + 1]):
                cnt[c_idx[s]] -= 1


@njit(cache=True)
def complete_and_trim(r_ptr, r_idx, c_ptr, c_idx, cost, order, x, seed):
    """``x`` (bool per column, in place) completed greedily into a cover, then trimmed.

    ``seed < 0``: no random tie-break (ties go to the lowest column index).
    Returns the number of rows left uncovered (0 unless some row has no column).
    """
    nrow, ncol = r_ptr.size - 1, c_ptr.size - 1
    cnt = np.zeros(nrow, np.int64)
    for j in range(ncol):
        if x[j]:
            for s in range(c_ptr[j], c_ptr[j + 1]):
                cnt[c_idx[s]] += 1
    if seed >= 0:
        np.random.seed(seed)
    newc = np.zeros(ncol, np.int64)
    seen = np.full(ncol, -1, np.int64)
    left = _complete(r_ptr, r_idx, c_ptr, c_idx, cost, x, cnt, seed >= 0, newc, seen, 0)
    if left == 0:
        _trim(c_ptr, c_idx, order, x, cnt)
    return left


@njit(cache=True)
def cover_search(r_ptr, r_idx, c_ptr, c_idx, cost, order, cur, best, moves, seed, target):
    """Iterated local search from the cover ``cur``; returns the number of moves made.

    ``cur`` (the current cover) and ``best`` (the best cover, no dearer than
    ``cur``) are updated in place, so a search can go on in another call.

    Each move drops a random chosen column and one to three chosen columns
    sharing rows with it, covers again greedily with random ties, drops
    redundant columns, and keeps the result when it is no dearer (moving
    along plateaus is what finds the improvements on unit costs).  Stops
    after ``moves`` moves or once the best cover costs ``target`` or less.
    """
    np.random.seed(seed)
    nrow, ncol = r_ptr.size - 1, c_ptr.size - 1
    cnt = np.zeros(nrow, np.int64)
    cur_val = 0.0
    best_val = 0.0
    for j in range(ncol):
        if best[j]:
            best_val += cost[j]
        if cur[j]:
            cur_val += cost[j]
            for s in range(c_ptr[j], c_ptr[j + 1]):
                cnt[c_idx[s]] += 1
    trial = np.empty(ncol, np.bool_)
    tcnt = np.empty(nrow, np.int64)
    chosen = np.empty(ncol, np.int64)
    near = np.empty(ncol, np.int64)
    mark = np.full(ncol, -1, np.int64)
    newc = np.zeros(ncol, np.int64)
    seen = np.full(ncol, -1, np.int64)
    it = 0
    while it < moves and best_val > target + 1e-9:
        nch = 0
        for j in range(ncol):
            if cur[j]:
                chosen[nch] = j
                nch += 1
        if nch == 0:
            break
        j0 = chosen[np.random.randint(nch)]
        # Chosen columns sharing a row with j0.
        mark[j0] = it
        nn = 0
        for s in range(c_ptr[j0], c_ptr[j0 + 1]):
            i = c_idx[s]
            for t in range(r_ptr[i], r_ptr[i + 1]):
                j = r_idx[t]
                if cur[j] and mark[j] != it:
                    mark[j] = it
                    near[nn] = j
                    nn += 1
        trial[:] = cur
        tcnt[:] = cnt
        k = min(nn, np.random.randint(1, 4))
        for d in range(k + 1):
            if d == 0:
                j = j0
            else:
                # Partial shuffle: a random one of the near columns not yet taken.
                pick = d - 1 + np.random.randint(nn - d + 1)
                j = near[pick]
                near[pick] = near[d - 1]
                near[d - 1] = j
            trial[j] = False
            for s in range(c_ptr[j], c_ptr[j + 1]):
                tcnt[c_idx[s]] -= 1
        it += 1
        left = _complete(r_ptr, r_idx, c_ptr, c_idx, cost, trial, tcnt, True, newc, seen, it)
        if left:
            continue
        _trim(c_ptr, c_idx, order, trial, tcnt)
        val = 0.0
        for j in range(ncol):
            if trial[j]:
                val += cost[j]
        if val <= cur_val + 1e-12:
            cur[:] = trial
            cnt[:] = tcnt
            cur_val = val
            if val < best_val - 1e-12:
                best[:] = trial
                best_val = val
    return it


@njit(cache=True)
def max_cover_swaps(r_ptr, r_idx, c_ptr, c_idx, w, x, movable, max_moves, tol):
    """Best-improvement swaps for maximal covering, ``x`` (bool per column) in place.

    A swap of chosen ``j`` for ``l`` changes the covered weight by
    ``gain[l] - loss[j] + both[j, l]``: ``gain`` the weight of uncovered rows
    ``l`` covers, ``loss`` the weight only ``j`` covers, ``both`` the part of
    that ``l`` covers too.  Takes the best swap (first in column order on
    ties) while it gains more than ``tol``, at most ``max_moves`` swaps; both
    ends of a swap must be ``movable``.  Returns the number of swaps made.
    """
    nrow, ncol = r_ptr.size - 1, c_ptr.size - 1
    cnt = np.zeros(nrow, np.int64)
    for j in range(ncol):
        if x[j]:
            for s in range(c_ptr[j], c_ptr[j + 1]):
                cnt[c_idx[s]] += 1
    gain = np.zeros(ncol)
    for i in range(nrow):
        if cnt[i] == 0:
            for t in range(r_ptr[i], r_ptr[i + 1]):
                gain[r_idx[t]] += w[i]
    both = np.zeros(ncol)
    moves = 0
    while moves < max_moves:
        best, bj, bl = tol, -1, -1
        for j in range(ncol):
            if not (x[j] and movable[j]):
                continue
            loss = 0.0
            for s in range(c_ptr[j], c_ptr[j + 1]):
                i = c_idx[s]
                if cnt[i] == 1:
                    loss += w[i]
                    for t in range(r_ptr[i], r_ptr[i + 1]):
                        both[r_idx[t]] += w[i]
            for l in range(ncol):
                if not x[l] and movable[l]:
                    d = gain[l] - loss + both[l]
                    if d > best:
                        best, bj, bl = d, j, l
            for s in range(c_ptr[j], c_ptr[j + 1]):
                i = c_idx[s]
                if cnt[i] == 1:
                    for t in range(r_ptr[i], r_ptr[i + 1]):
                        both[r_idx[t]] = 0.0
        if bj < 0:
            break
        x[bj] = False
        for s in range(c_ptr[bj], c_ptr[bj + 1]):
            i = c_idx[s]
            cnt[i] -= 1
            if cnt[i] == 0:
                for t in range(r_ptr[i], r_ptr[i + 1]):
                    gain[r_idx[t]] += w[i]
        x[bl] = True
        for s in range(c_ptr[bl], c_ptr[bl + 1]):
            i = c_idx[s]
            if cnt[i] == 0:
                for t in range(r_ptr[i], r_ptr[i + 1]):
                    gain[r_idx[t]] -= w[i]
            cnt[i] += 1
        moves += 1
    return moves


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernels on a tiny input."""
    r_ptr = np.array([0, 1, 3, 4], np.int64)
    r_idx = np.array([0, 0, 1, 1], np.int64)
    c_ptr = np.array([0, 2, 4], np.int64)
    c_idx = np.array([0, 1, 1, 2], np.int64)
    cost = np.ones(2)
    order = np.arange(2, dtype=np.int64)
    x = np.zeros(2, np.bool_)
    complete_and_trim(r_ptr, r_idx, c_ptr, c_idx, cost, order, x, -1)
    cover_search(r_ptr, r_idx, c_ptr, c_idx, cost, order, x, x.copy(), 3, 0, 0.0)
    max_cover_swaps(r_ptr, r_idx, c_ptr, c_idx, np.ones(3), x, np.ones(2, np.bool_), 3, 1e-9)
