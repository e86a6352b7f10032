"""Heuristics for the single-source capacitated p-median: assignment and location-allocation.

Given a set of open sites, :func:`assign_to_sites` places every point within
capacity (regret greedy, then shift and swap moves) and
:func:`exact_assignment` solves the generalised assignment MIP exactly;
:func:`improve_sites` moves the sites themselves (each cluster's best median,
median swaps); :func:`restricted_mip` solves the whole problem on a small
neighbourhood (promising sites, each point's nearest of them).  The Lagrangean start (:mod:`.lagrangean_capacitated`) and the
branch-cut-and-price root (:mod:`.branch_cut_price`) use them to turn site
sets into incumbents.  Indices are "usable site" indices (columns of ``cost``).
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from .control import poll
from .highs import solve_mip

__all__ = ["assign_to_sites", "improve_sites", "exact_assignment", "restricted_mip"]

#: Up to this many points the greedy re-ranks regrets after every placement,
#: and the swap neighbourhood (an n x n table) is searched.
DYNAMIC_REGRET = 400
SWAP_POINTS = 2500


def assign_to_sites(cost: np.ndarray, loads: np.ndarray, caps: np.ndarray, open_sites: np.ndarray,
                    hint: np.ndarray | None = None, *, passes: int = 50) -> np.ndarray | None:
    """Single-source assignment of every point to ``open_sites`` within capacity.

    Starts from ``hint`` ((n, len(open_sites)) bool, e.g. the relaxation's
    knapsacks: a point taken once keeps its site), places the rest by regret,
    then improves by shift and swap moves.  Returns per point the position in
    ``open_sites`` or ``None`` when the greedy cannot fit everyone.
    """
    n = cost.shape[0]
    c = cost[:, open_sites]
    residual = caps[open_sites].astype(float).copy()
    a = np.full(n, -1, dtype=np.int64)
    if hint is not None:
        once = hint.sum(axis=1) == 1
        for i in np.flatnonzero(once):
            j = int(np.argmax(hint[i]))
            if np.isfinite(c[i, j]) and residual[j] >= loads[i] - 1e-9:
                a[i] = j
                residual[j] -= loads[i]
    while True:
        todo = np.flatnonzero(a < 0)
        if not todo.size:
            break
        fits = (residual[None, :] >= loads[todo, None] - 1e-9) & np.isfinite(c[todo])
        cc = np.where(fits, c[todo], np.inf)
        srt = np.sort(cc, axis=1)
        if np.isinf(srt[:, 0]).any():
            return None
        second = srt[:, 1] if srt.shape[1] > 1 else np.full(todo.size, np.inf)
        regret = np.where(np.isfinite(second), second - srt[:, 0], np.inf)
        # Most regret first; among equals the heavier point (harder to place).
        order = np.lexsort((-loads[todo], -regret))
        # Small instances re-rank after every point; large ones place points
        # in this order until a first choice no longer fits (n^2 otherwise).
        for pick in order[:1] if n <= DYNAMIC_REGRET else order:
            i = todo[pick]
            j = int(np.argmin(cc[pick]))
            if residual[j] < loads[i] - 1e-9:
                break
            a[i] = j
            residual[j] -= loads[i]
    _improve(c, loads, residual, a, passes=passes)
    return a


def _improve(c, loads, residual, a, *, passes):
    n = c.shape[0]
    idx = np.arange(n)
    for _ in range(passes):
        moved = False
        # Shift: the cheapest site with room, one point at a time.
        for i in np.argsort(-(c[idx, a] - c.min(axis=1))):
            cur = c[i, a[i]]
            room = residual >= loads[i] - 1e-9
            room[a[i]] = False
            gain = np.where(room, cur - c[i], -np.inf)
            j = int(np.argmax(gain))
            if gain[j] > 1e-9:
                residual[a[i]] += loads[i]
                residual[j] -= loads[i]
                a[i] = j
                moved = True
        if n > SWAP_POINTS:
            if not moved:
                break
            continue
        # Swap: exchange the sites of two points when both fit and it pays.
        cur = c[idx, a]
        delta = c[:, a]                               # delta[i, i2] = c[i, a[i2]]
        gain = cur[:, None] + cur[None, :] - delta - delta.T
        li = loads[:, None] - loads[None, :]          # load moving from a[i] to a[i2]
        fit = (residual[a][None, :] >= li - 1e-9) & (residual[a][:, None] >= -li - 1e-9)
        gain = np.where(fit & (a[:, None] != a[None, :]), gain, -np.inf)
        while True:
            flat = int(np.argmax(gain))
            i, i2 = divmod(flat, n)
            if not gain[i, i2] > 1e-9:
                break
            ji, j2 = a[i], a[i2]
            moving = loads[i] - loads[i2]
            if residual[j2] < moving - 1e-9 or residual[ji] < -moving - 1e-9:
                gain[i, i2] = -np.inf          # an earlier swap used the room
                continue
            residual[ji] += loads[i] - loads[i2]
            residual[j2] += loads[i2] - loads[i]
            a[i], a[i2] = j2, ji
            moved = True
            gain[[i, i2], :] = -np.inf
            gain[:, [i, i2]] = -np.inf
        if not moved:
            break


def _cluster_medians(cost, caps, members_load, a, open_sites, movable):
    """Per open site, the best site for its cluster (cheapest total cost that holds its load)."""
    best = open_sites.copy()
    for s in np.flatnonzero(movable):
        rows = np.flatnonzero(a == s)
        if not rows.size:
            continue
        tot = cost[rows].sum(axis=0)
        tot = np.where(caps >= members_load[s] - 1e-9, tot, np.inf)
        tot[np.setdiff1d(open_sites, open_sites[s])] = np.inf
        j = int(np.argmin(tot))
        if tot[j] < tot[open_sites[s]] - 1e-9:
            best[s] = j
    return best


def improve_sites(cost: np.ndarray, loads: np.ndarray, caps: np.ndarray, fixed_idx: np.ndarray,
                  chosen: np.ndarray, allowed: np.ndarray, *, deadline: float,
                  hint: np.ndarray | None = None, swaps: int = 6):
    """Location-allocation: assign, move each median to its cluster's best site, swap; repeat.

    ``chosen`` are the free sites to start from, ``allowed`` (U,) bool the
    free sites that may replace them.  Returns ``(value, chosen, a)`` with
    ``a`` the position in ``fixed + chosen`` serving each point, or ``None``.
    """
    n = cost.shape[0]
    rows = np.arange(n)
    masked_caps = np.where(allowed, caps, -np.inf)
    nf = fixed_idx.size

    def evaluate(ch, h=None):
        open_sites = np.concatenate([fixed_idx, ch])
        a = assign_to_sites(cost, loads, caps, open_sites, h)
        if a is None:
            return np.inf, None
        return float(cost[rows, open_sites[a]].sum()), a

    def kept(a, dropped):
        # Points stay where they are; those of a replaced median are re-placed.
        h = np.zeros((n, nf + chosen.size), dtype=bool)
        h[rows, a] = True
        if dropped is not None:
            h[:, dropped] = False
        return h

    val, a = evaluate(chosen, hint)
    if a is None:
        return None
    chosen = chosen.copy()
    while time.perf_counter() < deadline and not poll("heuristic"):
        improved = False
        open_sites = np.concatenate([fixed_idx, chosen])
        load = np.bincount(a, weights=loads, minlength=open_sites.size)
        movable = np.arange(open_sites.size) >= nf
        moved = _cluster_medians(cost, masked_caps, load, a, open_sites, movable)
        if np.any(moved != open_sites):
            cand = moved[nf:]
            v, a2 = evaluate(cand, kept(a, None))
            if v < val - 1e-9:
                val, a, chosen, improved = v, a2, cand, True
        if not improved:
            # Swap one median for one of the sites that serve its cluster best.
            for s in range(chosen.size):
                members = np.flatnonzero(a == nf + s)
                if not members.size:
                    continue
                tot = cost[members].sum(axis=0)
                tot = np.where(allowed, tot, np.inf)
                tot[np.concatenate([fixed_idx, chosen])] = np.inf
                for j in np.argsort(tot)[:swaps]:
                    if not np.isfinite(tot[j]) or time.perf_counter() > deadline or poll("heuristic"):
                        break
                    cand = chosen.copy()
                    cand[s] = j
                    v, a2 = evaluate(cand, kept(a, nf + s))
                    if v < val - 1e-9:
                        val, a, chosen, improved = v, a2, cand, True
                        break
                if improved:
                    break
        if not improved:
            break
    return val, chosen, a


def exact_assignment(cost: np.ndarray, loads: np.ndarray, caps: np.ndarray,
                     open_sites: np.ndarray, start: np.ndarray | None, *,
                     time_limit: float) -> np.ndarray | None:
    """Best single-source assignment to ``open_sites`` (a generalised assignment MIP).

    With the sites fixed the MIP is small (points x open sites) and HiGHS
    usually proves it in well under a second; it often beats the shift/swap
    local search by a few units.  Returns positions in ``open_sites`` or
    ``None`` (no better solution than ``start`` within the time).
    """
    n, s = cost.shape[0], open_sites.size
    c = cost[:, open_sites]
    pi, pj = np.nonzero(np.isfinite(c))
    npair = pi.size
    a = sp.vstack([sp.csr_matrix((np.ones(npair), (pi, np.arange(npair))), shape=(n, npair)),
                   sp.csr_matrix((loads[pi], (pj, np.arange(npair))), shape=(s, npair))]).tocsc()
    x0 = None
    if start is not None:
        x0 = (pj == start[pi]).astype(float)
    out = solve_mip(c=c[pi, pj], lb=np.zeros(npair), ub=np.ones(npair), a=a,
                    rlo=np.concatenate([np.ones(n), np.full(s, -np.inf)]),
                    rhi=np.concatenate([np.ones(n), caps[open_sites]]),
                    integer=np.ones(npair, dtype=bool), time_limit=time_limit, start=x0)
    if out.x is None:
        return None
    take = out.x > 0.5
    res = np.full(n, -1, dtype=np.int64)
    res[pi[take]] = pj[take]
    return res if np.all(res >= 0) else None



#: The restricted MIP keeps this many times k of the most promising free
#: sites, and each point's NEAREST of them (plus the incumbent's pairs).
RESTRICTED_SITES = 3.0
RESTRICTED_NEAREST = 8


def restricted_mip(cost: np.ndarray, loads: np.ndarray, caps: np.ndarray, fixed: np.ndarray,
                   k: int, rank: np.ndarray, *, incumbent: tuple | None,
                   time_limit: float, sites_factor: float | None = None,
                   nearest: int | None = None) -> tuple | None:
    """Single-source capacitated p-median on a small neighbourhood, by HiGHS.

    Why: the relaxation's site sets repaired by local search stayed 6-10 %
    above the optimum on the Lorena-Senne SJC instances (300-400 points),
    the moves being too local.  A matheuristic in the spirit of Stefanello,
    de Araújo & Müller (2015) -- the exact model restricted to the
    ``RESTRICTED_SITES * k`` free sites that rank best (``rank``, smaller is
    better: the Lagrangean ``rho``) plus the incumbent's, each point allowed
    only its ``RESTRICTED_NEAREST`` nearest of them -- found the optimum of
    SJC3a in 4 s.  Any solution of the restricted model is feasible for the
    full one.

    ``incumbent`` is ``(chosen free sites, per-point site)`` or ``None``; it
    is the warm start and its pairs stay in the model.  ``sites_factor`` and
    ``nearest`` override :data:`RESTRICTED_SITES` and
    :data:`RESTRICTED_NEAREST`.  Returns ``(value, chosen, assign)``
    (assign: the usable site of each point) or ``None``.
    """
    n, u = cost.shape
    free = np.flatnonzero(~fixed & np.isfinite(rank))
    keep = np.zeros(u, dtype=bool)
    keep[fixed] = True
    factor = RESTRICTED_SITES if sites_factor is None else sites_factor
    keep[free[np.argsort(rank[free], kind="stable")[:int(np.ceil(factor * k))]]] = True
    if incumbent is not None:
        keep[incumbent[0]] = True
        keep[incumbent[1]] = True
    sites = np.flatnonzero(keep)
    c = cost[:, sites]
    t = min(RESTRICTED_NEAREST if nearest is None else nearest, sites.size)
    near = np.argpartition(c, t - 1, axis=1)[:, :t] if t < sites.size else np.tile(
        np.arange(sites.size), (n, 1))
    pair = np.zeros((n, sites.size), dtype=bool)
    pair[np.repeat(np.arange(n), near.shape[1]), near.ravel()] = True
    pos = np.full(u, -1)
    pos[sites] = np.arange(sites.size)
    if incumbent is not None:
        pair[np.arange(n), pos[incumbent[1]]] = True
    pair &= np.isfinite(c) & (loads[:, None] <= caps[sites][None, :])
    if not pair.any(axis=1).all():
        return None
    pi, pj = np.nonzero(pair)
    npair, ns = pi.size, sites.size
    is_free = ~fixed[sites]
    ycol = np.full(ns, -1)
    ycol[is_free] = np.arange(int(is_free.sum()))
    ny = int(is_free.sum())
    xs = ny + np.arange(npair)
    # Rows: each point once; load within capacity (times y for free sites);
    # x_ij <= y_j (the strong linking keeps the LP close); k free sites.
    fr = is_free[pj]
    rows = [sp.csr_matrix((np.ones(npair), (pi, xs)), shape=(n, ny + npair)),
            sp.coo_matrix((np.concatenate([loads[pi], -caps[sites][is_free]]),
                           (np.concatenate([pj, np.flatnonzero(is_free)]),
                            np.concatenate([xs, np.arange(ny)]))), shape=(ns, ny + npair)),
            sp.coo_matrix((np.concatenate([np.ones(int(fr.sum())), -np.ones(int(fr.sum()))]),
                           (np.tile(np.arange(int(fr.sum())), 2),
                            np.concatenate([xs[fr], ycol[pj[fr]]]))),
                          shape=(int(fr.sum()), ny + npair)),
            sp.csr_matrix(np.concatenate([np.ones(ny), np.zeros(npair)])[None, :])]
    a = sp.vstack(rows).tocsc()
    cap_fixed = np.where(is_free, 0.0, caps[sites])
    start = None
    if incumbent is not None:
        start = np.zeros(ny + npair)
        start[ycol[pos[incumbent[0]]]] = 1.0
        start[ny + np.flatnonzero(pj == pos[incumbent[1]][pi])] = 1.0
    out = solve_mip(c=np.concatenate([np.zeros(ny), c[pi, pj]]), lb=np.zeros(ny + npair),
                    ub=np.ones(ny + npair), a=a,
                    rlo=np.concatenate([np.ones(n), np.full(ns, -np.inf),
                                        np.full(int(fr.sum()), -np.inf), [k]]),
                    rhi=np.concatenate([np.ones(n), cap_fixed, np.zeros(int(fr.sum())), [k]]),
                    integer=np.ones(ny + npair, dtype=bool), time_limit=time_limit, start=start)
    if out.x is None:
        return None
    take = out.x[ny:] > 0.5
    assign = np.full(n, -1, dtype=np.int64)
    assign[pi[take]] = sites[pj[take]]
    if np.any(assign < 0):
        return None
    chosen = sites[is_free][out.x[:ny] > 0.5]
    return float(cost[np.arange(n), assign].sum()), np.sort(chosen), assign
