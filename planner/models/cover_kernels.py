"""Compiled covering moves: greedy completion, redundancy removal, local search, swaps.

The algorithms :mod:`.cover_heuristic` describes, as plain loops: a move
touches a few dozen rows and columns, and in numpy each one paid for a dozen
array calls (a set-covering move of the former numpy local search took about
0.27 ms, 0.4 s of the 1.6 s a hard 2,000 x 500 LSCP took; an MCLP swap pass
2-5 ms).  Here a step of the row-weighting search takes about a microsecond.

The matrix comes as both index structures of a 0/1 CSR matrix:
``r_ptr, r_idx`` (the columns of each row) and ``c_ptr, c_idx`` (the rows
of each column).  ``order`` lists every column in the order redundant
columns are dropped (dearest first, then fewest rows).  Random numbers come
from numba's generator, seeded on every call, so a call's result depends on
its arguments only.
"""
from __future__ import annotations

import numpy as np
from planner.models.jit import cached_njit

__all__ = ["complete_and_trim", "weighted_cover_search", "max_cover_swaps", "warm_up"]


@cached_njit
def _cover_counts(c_ptr, c_idx, x, nrow):
    """How many chosen columns (``x``) cover each row."""
    cnt = np.zeros(nrow, np.int64)
    for j in range(c_ptr.size - 1):
        if x[j]:
            for s in range(c_ptr[j], c_ptr[j + 1]):
                cnt[c_idx[s]] += 1
    return cnt


@cached_njit
def _complete(r_ptr, r_idx, c_ptr, c_idx, cost, x, cnt):
    """Cover the rows with ``cnt == 0``: cheapest cost per newly covered row first.

    Ties go to the lowest column index.  ``x`` and ``cnt`` change in place;
    returns the number of rows left open (0 unless some row has no column).
    """
    nrow, ncol = r_ptr.size - 1, c_ptr.size - 1
    # Candidate columns and their counts of open rows.
    newc = np.zeros(ncol, np.int64)
    left = 0
    for i in range(nrow):
        if cnt[i] == 0:
            left += 1
            for t in range(r_ptr[i], r_ptr[i + 1]):
                if not x[r_idx[t]]:
                    newc[r_idx[t]] += 1
    cand = np.flatnonzero(newc)
    while left > 0:
        best, bval = -1, np.inf
        for j in cand:      # ascending, so a strict < keeps the lowest index on ties
            if newc[j] > 0 and not x[j]:
                v = cost[j] / newc[j]
                if v < bval:
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


@cached_njit
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


@cached_njit
def complete_and_trim(r_ptr, r_idx, c_ptr, c_idx, cost, order, x):
    """``x`` (bool per column, in place) completed greedily into a cover, then trimmed.

    Returns the number of rows left uncovered (0 unless some row has no column).
    """
    cnt = _cover_counts(c_ptr, c_idx, x, r_ptr.size - 1)
    left = _complete(r_ptr, r_idx, c_ptr, c_idx, cost, x, cnt)
    if left == 0:
        _trim(c_ptr, c_idx, order, x, cnt)
    return left


@cached_njit
def _flip(j, into, r_ptr, r_idx, c_ptr, c_idx, x, cnt, rw, score, conf, open_rows, open_pos):
    """Put column ``j`` into (``into``) or out of the solution, keeping the
    scores, cover counts, the list of open rows and the neighbours' flags."""
    for s in range(c_ptr[j], c_ptr[j + 1]):
        i = c_idx[s]
        if into:
            if cnt[i] == 0:
                for t in range(r_ptr[i], r_ptr[i + 1]):
                    if r_idx[t] != j:
                        score[r_idx[t]] -= rw[i]
                # close row i: swap it with the last open row
                p = open_pos[i]
                n_open = open_pos[-1]
                last = open_rows[n_open - 1]
                open_rows[p] = last
                open_pos[last] = p
                open_pos[i] = -1
                open_pos[-1] = n_open - 1
            elif cnt[i] == 1:
                for t in range(r_ptr[i], r_ptr[i + 1]):
                    k = r_idx[t]
                    if k != j and x[k]:
                        score[k] += rw[i]
                        break
            cnt[i] += 1
        else:
            cnt[i] -= 1
            if cnt[i] == 0:
                for t in range(r_ptr[i], r_ptr[i + 1]):
                    if r_idx[t] != j:
                        score[r_idx[t]] += rw[i]
                n_open = open_pos[-1]
                open_rows[n_open] = i
                open_pos[i] = n_open
                open_pos[-1] = n_open + 1
            elif cnt[i] == 1:
                for t in range(r_ptr[i], r_ptr[i + 1]):
                    k = r_idx[t]
                    if k != j and x[k]:
                        score[k] -= rw[i]
                        break
        for t in range(r_ptr[i], r_ptr[i + 1]):
            conf[r_idx[t]] = True
    x[j] = into
    score[j] = -score[j]
    conf[j] = into


@cached_njit
def _unlist(j, sel, sel_pos, size):
    """Take ``j`` off the list ``sel`` (``size``: its new length), moving the last one in."""
    p = sel_pos[j]
    last = sel[size]
    sel[p] = last
    sel_pos[last] = p
    sel_pos[j] = -1


@cached_njit
def weighted_cover_search(r_ptr, r_idx, c_ptr, c_idx, x, best, steps, seed, target):
    """Row-weighting local search for unit-cost covering; ``x`` and ``best`` in place.

    The scheme of Gao, Weise and Li (2015, "An efficient local search
    heuristic with row weighting for the unicost set covering problem"):
    whenever the solution is a cover it is recorded and its least needed
    column removed, so the search always works one column below the best
    cover found.  Each step removes the chosen column whose rows lose the
    least weight (not the one added last), adds the column of a random open
    row that closes the most weight among those whose neighbourhood changed
    since they left (configuration checking), and raises the weight of
    every row left open, so rows that stay open pull harder.  Ties go to the
    column that has been still the longest.  ``x`` must be a cover; ``best``
    ends as the smallest cover seen.  Stops after ``steps`` steps or once
    ``best`` has ``target`` columns or fewer.  Returns the size of ``best``.
    """
    np.random.seed(seed)
    nrow, ncol = r_ptr.size - 1, c_ptr.size - 1
    cnt = _cover_counts(c_ptr, c_idx, x, nrow)
    rw = np.ones(nrow, np.int64)
    score = np.zeros(ncol, np.int64)
    conf = np.ones(ncol, np.bool_)
    stamp = np.zeros(ncol, np.int64)
    open_rows = np.empty(nrow + 1, np.int64)
    open_pos = np.full(nrow + 1, -1, np.int64)
    open_pos[-1] = 0                 # the number of open rows, kept in the last slot
    for i in range(nrow):
        if cnt[i] == 0:
            n_open = open_pos[-1]
            open_rows[n_open] = i
            open_pos[i] = n_open
            open_pos[-1] = n_open + 1
    for j in range(ncol):
        for s in range(c_ptr[j], c_ptr[j + 1]):
            i = c_idx[s]
            if x[j] and cnt[i] == 1:
                score[j] -= 1
            elif not x[j] and cnt[i] == 0:
                score[j] += 1
    # The chosen columns as a list (the removal scans them, not every column).
    sel = np.empty(ncol, np.int64)
    sel_pos = np.full(ncol, -1, np.int64)
    size = 0
    for j in range(ncol):
        if x[j]:
            sel[size] = j
            sel_pos[j] = size
            size += 1
    best[:] = x
    best_size = size
    tabu = -1
    for step in range(1, steps + 1):
        while open_pos[-1] == 0:
            # A cover: record it, then drop the column whose rows lose least.
            if size < best_size:
                best[:] = x
                best_size = size
                if best_size <= target:
                    return best_size
            pick, ps, pt = -1, 0, 0
            for q in range(size):
                j = sel[q]
                if pick < 0 or score[j] > ps or (score[j] == ps and stamp[j] < pt):
                    pick, ps, pt = j, score[j], stamp[j]
            if pick < 0:
                return best_size
            _flip(pick, False, r_ptr, r_idx, c_ptr, c_idx, x, cnt, rw, score, conf,
                  open_rows, open_pos)
            stamp[pick] = step
            size -= 1
            _unlist(pick, sel, sel_pos, size)
        # Swap: the least needed chosen column out ...
        pick, ps, pt = -1, 0, 0
        for q in range(size):
            j = sel[q]
            if j != tabu and (pick < 0 or score[j] > ps or (score[j] == ps and stamp[j] < pt)):
                pick, ps, pt = j, score[j], stamp[j]
        if pick >= 0:
            _flip(pick, False, r_ptr, r_idx, c_ptr, c_idx, x, cnt, rw, score, conf,
                  open_rows, open_pos)
            stamp[pick] = step
            size -= 1
            _unlist(pick, sel, sel_pos, size)
        # ... and for a random open row, its best column in.
        i = open_rows[np.random.randint(open_pos[-1])]
        add, ads, adt, adc = -1, 0, 0, False
        for t in range(r_ptr[i], r_ptr[i + 1]):
            j = r_idx[t]
            better = add < 0 or (conf[j] and not adc) or (conf[j] == adc and (
                score[j] > ads or (score[j] == ads and stamp[j] < adt)))
            if better:
                add, ads, adt, adc = j, score[j], stamp[j], conf[j]
        if add < 0:
            break       # a row no column covers (the caller's input was no cover problem)
        _flip(add, True, r_ptr, r_idx, c_ptr, c_idx, x, cnt, rw, score, conf,
              open_rows, open_pos)
        stamp[add] = step
        sel[size] = add
        sel_pos[add] = size
        size += 1
        tabu = add
        # Rows still open weigh one more.
        for q in range(open_pos[-1]):
            i = open_rows[q]
            rw[i] += 1
            for t in range(r_ptr[i], r_ptr[i + 1]):
                score[r_idx[t]] += 1
    if open_pos[-1] == 0 and size < best_size:
        best[:] = x
        best_size = size
    return best_size


@cached_njit
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
    cnt = _cover_counts(c_ptr, c_idx, x, nrow)
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
    complete_and_trim(r_ptr, r_idx, c_ptr, c_idx, cost, order, x)
    max_cover_swaps(r_ptr, r_idx, c_ptr, c_idx, np.ones(3), x, np.ones(2, np.bool_), 3, 1e-9)
    y = np.ones(2, np.bool_)
    weighted_cover_search(r_ptr, r_idx, c_ptr, c_idx, y, y.copy(), 3, 0, 0)
