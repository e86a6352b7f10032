"""Compiled pricing for the set-partitioning capacitated p-median.

A column of the set-partitioning master is one site and the set of points it
serves.  Pricing a site means the 0-1 knapsack "most dual profit within the
capacity", less a penalty ``sigma_r`` for every subset-row cut ``r`` (three
points) of which the set holds two or more.  The penalties make it a
nonlinear knapsack, so it is solved by depth-first branch and bound: items in
decreasing profit-per-load order, each node bounded by the exact penalty-free
knapsack of the items still to decide (a table built once per site; the
penalties only ever lower a set's value, so the bound stays valid).

The same search, with a fixed floor instead of a rising one, lists every set
whose reduced cost stays within a gap (:func:`enumerate_sets`), which is how
the root of the tree is closed.

This is the hot loop of the exact capacitated solver (tens of thousands of
calls per instance), hence numba rather than Python: in Python it took about
25 ms per call on OR-Library pmedcap1-20.
"""
from __future__ import annotations

import numpy as np
from planner.models.jit import cached_njit

EPS = 1e-9


@cached_njit
def _take(i, ptr, idx, sig, cnt):
    """Count point ``i`` into its cuts; the penalties of the cuts it brings to two."""
    pen = 0.0
    for e in range(ptr[i], ptr[i + 1]):
        r = idx[e]
        cnt[r] += 1
        if cnt[r] == 2:
            pen += sig[r]
    return pen


@cached_njit
def _drop(i, ptr, idx, cnt):
    for e in range(ptr[i], ptr[i + 1]):
        cnt[idx[e]] -= 1


@cached_njit
def _search(val, dd, items, room, acc, floor, collect, ptr, idx, sig, cnt, best_set,
            j, out_site, out_ptr, out_idx, tally):
    """Depth-first search over ``items`` (value ``val[t]`` each, less the cut penalties).

    ``collect`` False: the best set worth more than ``floor`` goes to
    ``best_set`` (``tally[0]`` = 1) and its value is returned (else ``floor``).
    ``collect`` True: every nonempty set worth at least ``floor`` is written
    to ``out_*`` (``tally`` = sets, points written); returns -1 / -2 when
    ``out_site`` / ``out_idx`` is full, else 0.  Every node is bounded by the
    exact penalty-free knapsack of the items still to decide (the penalties
    only ever lower a value).
    """
    k = items.size
    # back[t, q]: the most items t.. can still add within q units.
    back = np.zeros((k + 1, room + 1))
    for t in range(k - 1, -1, -1):
        for q in range(room + 1):
            v = back[t + 1, q]
            if dd[t] <= q and val[t] > 0:
                w = back[t + 1, q - dd[t]] + val[t]
                if w > v:
                    v = w
            back[t, q] = v
    best = floor
    chosen = np.zeros(k, np.bool_)
    step_pen = np.zeros(k)
    state = np.zeros(k + 1, np.int8)   # 0 fresh, 1 item taken, 2 item skipped
    t = 0
    q = room
    n_in = 0
    while True:
        descend = False
        if collect:
            alive = acc + back[t, q] >= floor - EPS
        else:
            alive = acc + back[t, q] > best + EPS
        if alive:
            if t < k:
                descend = True
            elif collect:
                if n_in > 0:
                    if tally[0] >= out_site.size:
                        return -1
                    if tally[1] + n_in > out_idx.size:
                        return -2
                    out_site[tally[0]] = j
                    for u in range(k):
                        if chosen[u]:
                            out_idx[tally[1]] = items[u]
                            tally[1] += 1
                    tally[0] += 1
                    out_ptr[tally[0]] = tally[1]
            else:
                best = acc
                tally[0] = 1
                best_set[:] = chosen[:]
        if descend:
            if dd[t] <= q:
                step_pen[t] = _take(items[t], ptr, idx, sig, cnt)
                acc += val[t] - step_pen[t]
                q -= dd[t]
                chosen[t] = True
                n_in += 1
                state[t] = 1
            else:
                state[t] = 2
            t += 1
            continue
        # Back to the deepest item whose "skip" branch is still open.
        t -= 1
        while t >= 0:
            if state[t] == 1:
                _drop(items[t], ptr, idx, cnt)
                acc -= val[t] - step_pen[t]
                q += dd[t]
                chosen[t] = False
                n_in -= 1
                state[t] = 2
                t += 1
                break
            state[t] = 0
            t -= 1
        if t < 0:
            break
    return best if not collect else 0


@cached_njit
def _site(j, prof, allowed, forced, loads, cap, floor, ptr, idx, sig, cnt, member):
    """Best value of site ``j`` above ``floor`` (else ``floor``); its set in ``member``."""
    n = prof.shape[0]
    base = 0.0
    room = cap
    for i in range(n):
        if forced[i, j]:
            base += prof[i, j]
            room -= loads[i]
    if room < 0:
        return -np.inf
    forced_items = np.flatnonzero(forced[:, j])
    pen0 = 0.0                      # penalties the forced points already incur
    for i in forced_items:
        pen0 += _take(i, ptr, idx, sig, cnt)
    # Free items worth taking (positive profit, fitting), best profit per load first.
    ok = np.zeros(n, np.bool_)
    for i in range(n):
        ok[i] = allowed[i, j] and not forced[i, j] and prof[i, j] > EPS and loads[i] <= room
    items = np.flatnonzero(ok)
    ratio = np.empty(items.size)
    for t in range(items.size):
        ratio[t] = -prof[items[t], j] / max(loads[items[t]], 1e-9)
    items = items[np.argsort(ratio, kind="mergesort")]
    val = np.empty(items.size)
    dd = np.empty(items.size, np.int64)
    for t in range(items.size):
        val[t] = prof[items[t], j]
        dd[t] = loads[items[t]]
    best_set = np.zeros(items.size, np.bool_)
    tally = np.zeros(2, np.int64)
    none = np.zeros(0, np.int64)
    best = _search(val, dd, items, room, base - pen0, floor, False, ptr, idx, sig, cnt,
                   best_set, j, none, none, none, tally)
    for i in forced_items:
        _drop(i, ptr, idx, cnt)
    member[:] = False
    if tally[0] == 0:
        return floor
    member[forced_items] = True
    member[items[best_set]] = True
    return best


@cached_njit
def _price(prof, allowed, forced, loads, caps, sites, floors, ptr, idx, sig, values, members):
    cnt = np.zeros(sig.size, np.int64)
    for s in range(sites.size):
        j = sites[s]
        values[s] = _site(j, prof, allowed, forced, loads, caps[j], floors[s], ptr, idx, sig, cnt,
                          members[s])


def price_sites(prof: np.ndarray, allowed: np.ndarray, forced: np.ndarray, loads: np.ndarray,
                caps: np.ndarray, sites: np.ndarray, floors: np.ndarray, cuts: np.ndarray,
                penalties: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact penalised knapsack of each listed site.

    Parameters
    ----------
    prof : (n, U) float
        Dual profit of serving point ``i`` from site ``j``.
    allowed, forced : (n, U) bool
        Pairs that may be used / must be used (forced pairs are always taken).
    loads, caps : int arrays
        Point loads (n,) and site capacities (U,), in the same integer units.
    sites : (S,) int
        Sites to price; ``floors`` (S,) the value a set must beat.
    cuts : (C, 3) int
        Points of each subset-row cut; ``penalties`` (C,) its penalty (>= 0).

    Returns
    -------
    values : (S,) float
        Best value per site when it beats its floor, else the floor
        (``-inf``: the forced points do not fit).
    members : (S, n) bool
        The best set per site (all False when the floor was not beaten).
    """
    n = prof.shape[0]
    ptr, idx, sig = _cut_index(n, cuts, penalties)
    values = np.empty(sites.size)
    members = np.zeros((sites.size, n), np.bool_)
    _price(np.ascontiguousarray(prof, dtype=np.float64), np.ascontiguousarray(allowed),
           np.ascontiguousarray(forced), loads.astype(np.int64), caps.astype(np.int64),
           sites.astype(np.int64), floors.astype(np.float64), ptr, idx, sig, values, members)
    return values, members


@cached_njit
def _enumerate(r, allowed, loads, caps, sites, limits, ptr, idx, sig, out_site, out_ptr, out_idx):
    """Every nonempty set of each site with summed item cost plus penalties <= its limit.

    Returns the number of sets written, -1 when there are more than
    ``out_site`` holds, -2 when ``out_idx`` is too short for their points.
    """
    n = r.shape[0]
    cnt = np.zeros(sig.size, np.int64)
    tally = np.zeros(2, np.int64)
    none = np.zeros(0, np.bool_)
    for s in range(sites.size):
        j = sites[s]
        ok = np.zeros(n, np.bool_)
        for i in range(n):
            ok[i] = allowed[i, j] and loads[i] <= caps[j]
        items = np.flatnonzero(ok)
        key = np.empty(items.size)
        for t in range(items.size):
            key[t] = r[items[t], j]
        items = items[np.argsort(key, kind="mergesort")]
        # As a search for value: value = -cost, kept when at least -limit.
        val = np.empty(items.size)
        dd = np.empty(items.size, np.int64)
        for t in range(items.size):
            val[t] = -r[items[t], j]
            dd[t] = loads[items[t]]
        got = _search(val, dd, items, caps[j], 0.0, -limits[s], True, ptr, idx, sig, cnt, none,
                      j, out_site, out_ptr, out_idx, tally)
        if got < 0:
            return int(got)
    return int(tally[0])


def _cut_index(n: int, cuts: np.ndarray, penalties: np.ndarray):
    """Per point, the live cuts (penalty > 0) holding it, as CSR (ptr, idx), and their penalties."""
    live = np.flatnonzero(penalties > EPS)
    c3 = cuts[live].astype(np.int64).ravel()
    order = np.argsort(c3, kind="stable")
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, c3 + 1, 1)
    ptr = np.cumsum(ptr)
    idx = np.repeat(np.arange(live.size), 3)[order].astype(np.int64)
    return ptr, idx, np.ascontiguousarray(penalties[live], dtype=np.float64)


def enumerate_sets(item_cost: np.ndarray, allowed: np.ndarray, loads: np.ndarray, caps: np.ndarray,
                   sites: np.ndarray, limits: np.ndarray, cuts: np.ndarray, penalties: np.ndarray,
                   *, max_sets: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Every set of each listed site whose item costs plus cut penalties stay within its limit.

    Parameters
    ----------
    item_cost : (n, U) float
        Reduced cost of serving point ``i`` from site ``j``.
    allowed : (n, U) bool
    loads, caps : int arrays
    sites, limits : (S,)
        Sites to enumerate and the most a set of each may cost.
    cuts, penalties : as in :func:`price_sites`.
    max_sets : int
        Give up (return ``None``) beyond this many sets.

    Returns
    -------
    (site, ptr, points) : the N sets as CSR -- set ``q`` is ``site[q]`` serving
    ``points[ptr[q]:ptr[q + 1]]`` -- or ``None`` when there are too many.
    """
    n = item_cost.shape[0]
    ptr, idx, sig = _cut_index(n, cuts, penalties)
    out_site = np.zeros(max_sets, np.int64)
    out_ptr = np.zeros(max_sets + 1, np.int64)
    size = max_sets * 8                  # points per set: grown when needed, not n per set
    while True:
        out_idx = np.zeros(size, np.int64)
        got = _enumerate(np.ascontiguousarray(item_cost, dtype=np.float64),
                         np.ascontiguousarray(allowed), loads.astype(np.int64),
                         caps.astype(np.int64), sites.astype(np.int64),
                         limits.astype(np.float64), ptr, idx, sig, out_site, out_ptr, out_idx)
        if got != -2 or size >= max_sets * n:
            break
        size = min(4 * size, max_sets * n)
    if got < 0:
        return None
    return out_site[:got], out_ptr[:got + 1], out_idx[:out_ptr[got]]


def warm_up() -> None:
    """Compile (or load from numba's cache) both searches on a tiny input.

    The first compilation takes about 12 s on this machine; ``make`` runs
    this once after installing so that no solve pays it.
    """
    none = np.zeros((0, 3), np.int64)
    one = np.ones((2, 1))
    price_sites(one, one > 0, one < 0, np.ones(2, np.int64), np.array([1]), np.array([0]),
                np.zeros(1), none, np.zeros(0))
    enumerate_sets(-one, one > 0, np.ones(2, np.int64), np.array([1]), np.array([0]),
                   np.zeros(1), none, np.zeros(0), max_sets=4)
    # The other compiled kernels: the covering models' moves, the p-median
    # tree's node bound and the capacitated relaxation's knapsacks (dense, and
    # sparse for large instances).
    from .cover_kernels import warm_up as cover_warm_up
    from .knapsack_kernels import warm_up as knapsacks_warm_up
    from .knapsack_sparse import warm_up as sparse_knapsacks_warm_up
    from .median_tree import warm_up as tree_warm_up
    cover_warm_up()
    knapsacks_warm_up()
    sparse_knapsacks_warm_up()
    tree_warm_up()
