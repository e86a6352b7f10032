"""Compiled 0-1 knapsacks over sparse candidate lists (large capacitated p-medians).

The Lagrangean relaxation of the single-source capacitated p-median leaves
one 0-1 knapsack per site (profit ``lam_i - c_ij``, load ``d_i``, the site's
capacity; see :mod:`.lagrangean_capacitated`).  On large instances
(:mod:`.cpmp_large`) each point keeps only its nearest sites, so a site's
knapsack has a few dozen items instead of ``n``: the pairs are stored site
by site (``ptr``, ``item``, ``cost``: a CSC-like layout) and every knapsack
is solved with its chosen items in one sweep.

Loads and capacities are integers (scaled beforehand where needed, see
:func:`.lagrangean_capacitated.integer_tables`).
"""
from __future__ import annotations

import numpy as np
from planner.models.jit import cached_njit

__all__ = ["sparse_knapsacks", "warm_up"]


@cached_njit
def sparse_knapsacks(ptr, item, cost, lam, loads, caps, taken):
    """Best total positive profit of every site's knapsack over its listed pairs.

    ``ptr`` (U + 1,) delimits site ``j``'s pairs ``ptr[j]:ptr[j + 1]`` in
    ``item`` (the point) and ``cost`` (its weighted cost).  Returns the value
    per site, shape (U,); ``taken`` (one flag per pair) is filled in place
    with the pairs each site's best knapsack takes.
    """
    u = ptr.size - 1
    width = 1
    longest = 1
    for j in range(u):
        if caps[j] + 1 > width:
            width = caps[j] + 1
        if ptr[j + 1] - ptr[j] > longest:
            longest = ptr[j + 1] - ptr[j]
    f = np.zeros(width)
    take = np.zeros((longest, width), dtype=np.bool_)
    idx = np.empty(longest, dtype=np.int64)
    out = np.zeros(u)
    for j in range(u):
        cap = caps[j]
        cnt = 0
        tot = 0
        for e in range(ptr[j], ptr[j + 1]):
            taken[e] = False
            i = item[e]
            if lam[i] - cost[e] > 0.0 and loads[i] <= cap:
                idx[cnt] = e
                cnt += 1
                tot += loads[i]
        if tot <= cap:
            # Everything profitable fits: no table needed.
            s = 0.0
            for t in range(cnt):
                e = idx[t]
                taken[e] = True
                s += lam[item[e]] - cost[e]
            out[j] = s
            continue
        for q in range(cap + 1):
            f[q] = 0.0
        for t in range(cnt):
            e = idx[t]
            p = lam[item[e]] - cost[e]
            d = loads[item[e]]
            for q in range(cap + 1):
                take[t, q] = False
            for q in range(cap, d - 1, -1):
                v = f[q - d] + p
                if v > f[q]:
                    f[q] = v
                    take[t, q] = True
        out[j] = f[cap]
        q = cap
        for t in range(cnt - 1, -1, -1):
            if take[t, q]:
                e = idx[t]
                taken[e] = True
                q -= loads[item[e]]
    return out


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernel on a tiny input."""
    ptr = np.array([0, 2, 4], dtype=np.int64)
    item = np.array([0, 1, 0, 1], dtype=np.int64)
    cost = np.array([1.0, 2.0, 2.0, 1.0])
    taken = np.zeros(4, dtype=np.bool_)
    sparse_knapsacks(ptr, item, cost, np.full(2, 3.0), np.ones(2, np.int64),
                     np.ones(2, np.int64), taken)
