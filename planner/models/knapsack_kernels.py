"""Compiled 0-1 knapsacks of the capacitated p-median's Lagrangean relaxation.

Relaxing the assignment rows leaves one 0-1 knapsack per site (profit
``lam_i - c_ij``, load ``d_i``, the site's capacity): see
:mod:`.lagrangean_capacitated`.  In numpy each knapsack sweep was a Python
loop over the points with an (sites x capacity) array operation per point,
and the backtracking kept an (points x sites x capacity) table: on the
Lorena-Senne SJC instances (300-400 points and sites, capacity 720-740)
about 0.7 s a subgradient step, so the start's share of a 120 s solve
allowed about ten steps and its bound and site sets stayed poor.  Here each
site's knapsack is a plain loop over its profitable points only, a few
milliseconds for all sites.

All loads and capacities are integers (scaled beforehand where needed, see
:func:`.lagrangean_capacitated.integer_tables`); ``cost_t`` is the weighted
cost with sites as rows (``inf``: the pair may not be used).
"""
from __future__ import annotations

import numpy as np
from planner.models.jit import cached_njit

__all__ = ["knapsack_values", "knapsack_sets", "forced_values", "warm_up"]


@cached_njit
def _fill(cost_row, lam, loads, cap, f, items):
    """Best profit within each capacity ``0..cap`` (``f``, in place) over the
    profitable points; returns how many there were (listed in ``items``)."""
    n = lam.size
    cnt = 0
    tot = 0
    for i in range(n):
        p = lam[i] - cost_row[i]
        if p > 0.0 and loads[i] <= cap:
            items[cnt] = i
            cnt += 1
            tot += loads[i]
    f[:cap + 1] = 0.0
    if tot <= cap:
        # Everything fits: no table needed for the value.
        s = 0.0
        for t in range(cnt):
            s += lam[items[t]] - cost_row[items[t]]
        f[:cap + 1] = s          # only f[cap] is read by the caller in this case
        return -cnt - 1
    for t in range(cnt):
        i = items[t]
        p = lam[i] - cost_row[i]
        d = loads[i]
        for q in range(cap, d - 1, -1):
            v = f[q - d] + p
            if v > f[q]:
                f[q] = v
    return cnt


@cached_njit
def knapsack_values(cost_t, lam, loads, caps):
    """Best total positive profit of every site's knapsack, shape (U,)."""
    u, n = cost_t.shape
    width = 0
    for j in range(u):
        if caps[j] > width:
            width = caps[j]
    f = np.zeros(width + 1)
    items = np.empty(n, dtype=np.int64)
    out = np.zeros(u)
    for j in range(u):
        _fill(cost_t[j], lam, loads, caps[j], f, items)
        out[j] = f[caps[j]]
    return out


@cached_njit
def knapsack_sets(cost_t, lam, loads, caps, sites):
    """(n, len(sites)) bool: the points each listed site's best knapsack takes."""
    u, n = cost_t.shape
    x = np.zeros((n, sites.size), dtype=np.bool_)
    items = np.empty(n, dtype=np.int64)
    for s in range(sites.size):
        j = sites[s]
        cap = caps[j]
        row = cost_t[j]
        cnt = 0
        tot = 0
        for i in range(n):
            if lam[i] - row[i] > 0.0 and loads[i] <= cap:
                items[cnt] = i
                cnt += 1
                tot += loads[i]
        if tot <= cap:
            for t in range(cnt):
                x[items[t], s] = True
            continue
        f = np.zeros(cap + 1)
        take = np.zeros((cnt, cap + 1), dtype=np.bool_)
        for t in range(cnt):
            i = items[t]
            p = lam[i] - row[i]
            d = loads[i]
            for q in range(cap, d - 1, -1):
                v = f[q - d] + p
                if v > f[q]:
                    f[q] = v
                    take[t, q] = True
        q = cap
        for t in range(cnt - 1, -1, -1):
            if take[t, q]:
                x[items[t], s] = True
                q -= loads[items[t]]
    return x


@cached_njit
def forced_values(cost_t, lam, loads, caps):
    """(n, U): each site's best knapsack value with point ``i`` forced in.

    A forward table over the points before ``i`` and a backward one over
    those after it, both "best within capacity q" (so non-decreasing in q),
    give the value with ``i`` in: its profit plus the best split of the
    capacity left.  ``-inf`` where the point does not fit or may not use the
    site.
    """
    u, n = cost_t.shape
    out = np.full((n, u), -np.inf)
    for j in range(u):
        cap = caps[j]
        row = cost_t[j]
        w = cap + 1
        back = np.zeros((n + 1, w))
        for i in range(n - 1, -1, -1):
            back[i, :] = back[i + 1, :]
            p = lam[i] - row[i]
            d = loads[i]
            if p > 0.0 and d <= cap:
                for q in range(cap, d - 1, -1):
                    v = back[i + 1, q - d] + p
                    if v > back[i, q]:
                        back[i, q] = v
        fwd = np.zeros(w)
        for i in range(n):
            p = lam[i] - row[i]
            d = loads[i]
            if np.isfinite(row[i]) and d <= cap:
                rem = cap - d
                best = -np.inf
                for q in range(rem + 1):
                    v = fwd[q] + back[i + 1, rem - q]
                    if v > best:
                        best = v
                out[i, j] = p + best
            if p > 0.0 and d <= cap:
                for q in range(cap, d - 1, -1):
                    v = fwd[q - d] + p
                    if v > fwd[q]:
                        fwd[q] = v
    return out


def warm_up() -> None:
    """Compile (or load from numba's cache) the three kernels on a tiny input (see pricing.warm_up)."""
    ct = np.array([[1.0, 2.0], [2.0, 1.0]])
    lam = np.full(2, 3.0)
    loads = np.ones(2, np.int64)
    caps = np.ones(2, np.int64)
    knapsack_values(ct, lam, loads, caps)
    knapsack_sets(ct, lam, loads, caps, np.arange(2, dtype=np.int64))
    forced_values(ct, lam, loads, caps)
