"""Large single-source capacitated p-medians: sparse Lagrangean bound and region MIPs.

Above the limits of the exact path (:data:`.pmedian_capacitated.LARGE_CELLS`
(point, site) pairs; the Lorena-Senne p3038 instances have 9.2 million) the
dense Lagrangean start and the assignment MIP do not fit.  Here:

1. **Sparse candidate lists.**  Each point keeps its :data:`NEIGHBOURS`
   cheapest sites.  They are used by the relaxation and to build the
   sub-problems; solutions are always valued on the full costs.
2. **Lagrangean bound** (relaxing "each point assigned once", one 0-1
   knapsack per site over its listed points, the ``k`` best sites open; see
   :mod:`.lagrangean_capacitated`) tuned by subgradient steps, with the
   compiled :func:`.knapsack_sparse.sparse_knapsacks`.  **Why the bound is
   valid for the full problem, not only the sparse one:** each multiplier
   ``lam_i`` is kept at most ``cap_i``, the cost of point ``i``'s cheapest
   pair left out of its list.  A left-out pair then has profit
   ``lam_i - c_ij <= 0``; a knapsack never gains by taking it, so every
   site's knapsack value over its listed pairs equals its value over all
   its pairs, and ``L(lam)`` computed sparsely is the full problem's
   Lagrangean function at ``lam`` -- a lower bound for any ``lam``.
   Scaled loads (rounded down) and capacities (rounded up) only enlarge the
   knapsacks, which keeps the bound valid.
3. **Lagrangean heuristic**: the relaxation's sites, assigned within capacity
   by regret and shift moves (:func:`.heuristics_capacitated.assign_to_sites`),
   then location-allocation sweeps (:func:`_alternate`).
4. **Region MIPs** (a decomposition matheuristic in the spirit of Stefanello,
   de Araújo & Müller 2015): a few neighbouring medians and their points are
   re-solved exactly by HiGHS (:func:`.heuristics_capacitated.restricted_mip`
   over the sites of their points' lists, warm-started from the incumbent, so
   it never gets worse).  When no region of the current size improves,
   medians move between regions (:meth:`_Regions.rebalance`: one more where
   it saves most, one fewer where it costs least), then regions grow.
5. The multipliers are polished against the final incumbent for the bound.

Every stage stops at the solve's deadline (HiGHS calls get what is left).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from . import budget
from .control import poll, stop_requested
from .heuristics_capacitated import assign_to_sites, restricted_mip
from .knapsack_sparse import sparse_knapsacks
from .lagrangean_capacitated import Knapsacks

__all__ = ["NEIGHBOURS", "SparsePairs", "nearest_pairs", "LargeResult", "solve"]

#: Sites each point keeps in its list.  The multipliers' ceiling is the cost
#: of the first site left out; with 30 it did not bind on Lorena-Senne
#: p3038_600 (about 5 points per site; ``multipliers_at_ceiling`` in the
#: details was 0 at the best multipliers).
NEIGHBOURS = 30
#: Lagrangean heuristic at most every this many subgradient steps (each is a
#: regret assignment of every point: about 0.1-0.5 s on 3,038 points).
HEURISTIC_EVERY = 25
#: Medians per region at first, the growth factor when no region of that
#: size improves, and the largest (time shares: :mod:`.budget`, LARGE_*).
REGION_SITES = 8
REGION_GROWTH = 1.5
REGION_MAX = 40
#: A region MIP keeps this many times its medians of the candidate sites
#: (those the relaxation ranks best, plus the incumbent's), and each point
#: its REGION_NEAREST nearest of them.
REGION_SITES_FACTOR = 3.0
REGION_NEAREST = 8
#: Largest capacity tabulated as is; larger (or fractional) loads and
#: capacities are scaled to GRID units (loads down, capacities up).
MAX_WIDTH = 100_000
GRID = 1000


@dataclass
class SparsePairs:
    """Each point's cheapest sites, stored site by site (see :mod:`.knapsack_sparse`)."""

    ptr: np.ndarray       # (U + 1,) site j's pairs are ptr[j]:ptr[j + 1]
    point: np.ndarray     # (nnz,) point of each pair
    site: np.ndarray      # (nnz,) site of each pair
    cost: np.ndarray      # (nnz,) weighted cost
    lam_cap: np.ndarray   # (n,) cost of the point's cheapest pair left out (inf: none)


def nearest_pairs(cost: sp.csr_matrix, neighbours: int) -> SparsePairs:
    """The ``neighbours`` cheapest stored pairs of every row of ``cost`` (n x U, CSR)."""
    n, u = cost.shape
    cost = cost.tocsr()
    pts, sts, cst = [], [], []
    lam_cap = np.full(n, np.inf)
    for i in range(n):
        lo, hi = cost.indptr[i], cost.indptr[i + 1]
        data, cols = cost.data[lo:hi], cost.indices[lo:hi]
        if data.size > neighbours:
            part = np.argpartition(data, neighbours)
            # The (neighbours+1)-th smallest is the cheapest pair left out.
            lam_cap[i] = data[part[neighbours]]
            part = part[:neighbours]
            data, cols = data[part], cols[part]
        pts.append(np.full(data.size, i, dtype=np.int64))
        sts.append(cols.astype(np.int64))
        cst.append(data)
    point, site, c = np.concatenate(pts), np.concatenate(sts), np.concatenate(cst)
    order = np.lexsort((point, site))
    ptr = np.zeros(u + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(site, minlength=u))
    return SparsePairs(ptr, point[order], site[order], c[order], lam_cap)


def knapsack_units(loads: np.ndarray, caps: np.ndarray) -> Knapsacks:
    """Integer loads and capacities for the knapsacks (scaled when needed)."""
    top = float(caps.max())
    if (np.all(loads == np.round(loads)) and np.all(caps == np.round(caps))
            and top <= MAX_WIDTH):
        return Knapsacks(loads.astype(np.int64), caps.astype(np.int64), True)
    s = GRID / max(top, 1e-300)
    # Loads down, capacities up: whatever fits in reality fits in the table.
    return Knapsacks(np.floor(loads * s + 1e-9).astype(np.int64),
                     np.ceil(caps * s - 1e-9).astype(np.int64), False)


@dataclass
class LargeResult:
    """Best solution (usable-site indices) and the Lagrangean bound."""

    value: float
    chosen: np.ndarray | None       # free sites opened
    assign: np.ndarray | None       # per point, its site
    bound: float
    details: dict = field(default_factory=dict)


class _Relaxation:
    """The sparse Lagrangean function and its subgradient steps."""

    def __init__(self, pairs: SparsePairs, ks: Knapsacks, fixed: np.ndarray, k: int) -> None:
        self.pairs, self.ks, self.k = pairs, ks, k
        self.fixed_idx = np.flatnonzero(fixed)
        self.free_idx = np.flatnonzero(~fixed)
        self.n = pairs.lam_cap.size
        self.taken = np.zeros(pairs.point.size, dtype=np.bool_)
        srt_lam = np.full(self.n, np.inf)
        np.minimum.at(srt_lam, pairs.point, pairs.cost)
        self.cheapest = np.where(np.isfinite(srt_lam), srt_lam, 0.0)
        self.best_bound, self.best_lam, self.best_rho = -np.inf, None, None
        self.iterations = 0

    def evaluate(self, lam: np.ndarray):
        """``L(lam)``, the site values, the k free sites opened and the subgradient."""
        pr = self.pairs
        rho = -sparse_knapsacks(pr.ptr, pr.point, pr.cost, lam, self.ks.loads, self.ks.caps,
                                self.taken)
        free_rho = rho[self.free_idx]
        if self.k < free_rho.size:
            pick = np.argpartition(free_rho, self.k - 1)[:self.k]
        else:
            pick = np.arange(free_rho.size)
        chosen = self.free_idx[pick]
        bound = float(lam.sum() + rho[self.fixed_idx].sum() + rho[chosen].sum())
        is_open = np.zeros(rho.size, dtype=bool)
        is_open[self.fixed_idx] = True
        is_open[chosen] = True
        x = self.taken & is_open[pr.site]
        g = 1.0 - np.bincount(pr.point[x], minlength=self.n)
        return bound, rho, chosen, x, g

    def run(self, lam: np.ndarray, *, ub: float, deadline: float, on_sites=None,
            max_iter: int = 100_000, step: float = 2.0) -> np.ndarray:
        """Subgradient steps from ``lam`` until the deadline; returns the last multipliers.

        ``on_sites(chosen, x)`` (the Lagrangean heuristic) may return a new
        upper bound; it is called on improving iterations at most every
        :data:`HEURISTIC_EVERY` steps.
        """
        cap = self.pairs.lam_cap
        lam = np.minimum(lam, cap)
        stall, since = 0, HEURISTIC_EVERY
        for _ in range(max_iter):
            bound, rho, chosen, x, g = self.evaluate(lam)
            self.iterations += 1
            since += 1
            if bound > self.best_bound + 1e-9 * max(1.0, abs(bound)):
                self.best_bound, self.best_lam, self.best_rho = bound, lam.copy(), rho.copy()
                stall = 0
                if on_sites is not None and since >= HEURISTIC_EVERY:
                    since = 0
                    got = on_sites(chosen, x)
                    if got is not None:
                        ub = min(ub, got)
            else:
                stall += 1
            if self.best_bound >= ub - 1e-9 * max(1.0, abs(ub)):
                break
            if stall >= 30:
                step, stall = step / 2, 0
                if step < 1e-5:
                    break
            if time.perf_counter() > deadline or poll("bound"):
                break
            norm = float(g @ g)
            if norm == 0:
                break   # the relaxation's assignment is feasible: bound attained
            target = ub if np.isfinite(ub) else bound + 0.05 * max(1.0, abs(bound))
            # The ceiling keeps every left-out pair unprofitable (module docstring).
            lam = np.minimum(lam + step * (target - bound) / norm * g, cap)
        return lam


def _dense(cost: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """cost[rows][:, cols] as a dense array with ``inf`` where no pair is stored."""
    sub = cost[rows][:, cols].tocoo()
    out = np.full((rows.size, cols.size), np.inf)
    out[sub.row, sub.col] = sub.data
    return out


class _Regions:
    """The incumbent and the region MIPs that improve it."""

    def __init__(self, cost: sp.csr_matrix, pairs: SparsePairs, loads: np.ndarray,
                 caps: np.ndarray, fixed: np.ndarray, rank: np.ndarray) -> None:
        self.cost, self.pairs, self.loads, self.caps, self.fixed = cost, pairs, loads, caps, fixed
        self.rank = rank
        n = cost.shape[0]
        # Each point's listed sites, point by point.
        order = np.argsort(pairs.point, kind="stable")
        self.lst_site = pairs.site[order]
        self.lst_ptr = np.zeros(n + 1, dtype=np.int64)
        self.lst_ptr[1:] = np.cumsum(np.bincount(pairs.point, minlength=n))
        self.lst_cost = pairs.cost[order]
        self.tried = self.improved = self.moved = 0

    def region(self, seed: int, assign: np.ndarray, is_open: np.ndarray, size: int,
               exclude: np.ndarray | None = None) -> np.ndarray:
        """``size`` open sites around ``seed``, each the open site a member lists cheapest.

        Sites flagged in ``exclude`` are not added.
        """
        region = [seed]
        in_reg = {seed}
        frontier: dict = {}

        def scan(site):
            for i in np.flatnonzero(assign == site):
                lo, hi = self.lst_ptr[i], self.lst_ptr[i + 1]
                for s, c in zip(self.lst_site[lo:hi], self.lst_cost[lo:hi]):
                    if (is_open[s] and s not in in_reg and c < frontier.get(s, np.inf)
                            and (exclude is None or not exclude[s])):
                        frontier[int(s)] = c
        scan(seed)
        while len(region) < size and frontier:
            s = min(frontier, key=frontier.get)
            del frontier[s]
            region.append(s)
            in_reg.add(s)
            scan(s)
        return np.array(region, dtype=np.int64)

    def resolve(self, region: np.ndarray, assign: np.ndarray, is_open: np.ndarray,
                time_limit: float, k_delta: int = 0):
        """Best solution of the region's points with its free medians plus ``k_delta``.

        Returns ``(old cost, new cost, new free sites, (points, their sites))``
        or ``None``.  With ``k_delta = 0`` the incumbent is the warm start, so
        the new cost is never higher.
        """
        pts = np.flatnonzero(np.isin(assign, region))
        k = int((~self.fixed[region]).sum()) + k_delta
        if not pts.size or k <= 0 and k_delta == 0:
            return None
        listed = np.concatenate([self.lst_site[self.lst_ptr[i]:self.lst_ptr[i + 1]] for i in pts])
        cand = np.union1d(region, listed[~is_open[listed]])
        fx = self.fixed[cand]
        if k < 0 or k > int((~fx).sum()):
            return None
        c = _dense(self.cost, pts, cand)
        pos = np.searchsorted(cand, region)
        free_reg = pos[~fx[pos]]
        inc_assign = np.searchsorted(cand, assign[pts])
        old = float(c[np.arange(pts.size), inc_assign].sum())
        rank = np.where(fx, np.inf, self.rank[cand])
        self.tried += 1
        inc_chosen = free_reg
        if k_delta == 1:
            # The incumbent plus an idle site (the best-ranked one) is a start.
            other = np.setdiff1d(np.flatnonzero(~fx), free_reg)
            if other.size:
                inc_chosen = np.append(free_reg, other[np.argmin(rank[other])])
        elif k_delta == -1 and free_reg.size:
            # Start: the lightest median closed, its points re-placed greedily.
            used = np.bincount(inc_assign, weights=self.loads[pts], minlength=cand.size)
            drop = free_reg[np.argmin(used[free_reg])]
            rest = pos[pos != drop]
            if not rest.size:
                return None     # no site would be left to serve the points
            hint = inc_assign[:, None] == rest[None, :]
            a = assign_to_sites(c, self.loads[pts], self.caps[cand], rest, hint, passes=3)
            if a is not None:
                inc_chosen, inc_assign = free_reg[free_reg != drop], rest[a]
        # Without a start of the right size HiGHS drops it; the incumbent's
        # sites and pairs still stay in the model.
        got = restricted_mip(c, self.loads[pts], self.caps[cand], fx, k, rank,
                             incumbent=(inc_chosen, inc_assign), time_limit=time_limit,
                             sites_factor=REGION_SITES_FACTOR, nearest=REGION_NEAREST)
        if got is None:
            return None
        return old, got[0], cand[got[1]], (pts, cand[got[2]])

    def solve(self, region: np.ndarray, assign: np.ndarray, is_open: np.ndarray,
              time_limit: float):
        """Re-solve the region's points exactly; returns (gain, new sites, their points' sites)."""
        got = self.resolve(region, assign, is_open, time_limit)
        if got is None or got[1] >= got[0] - 1e-9 * max(1.0, abs(got[0])):
            return 0.0, None, None
        self.improved += 1
        return got[0] - got[1], got[2], got[3]

    def rebalance(self, assign: np.ndarray, is_open: np.ndarray, size: int, rng, *,
                  deadline: float, time_limit: float) -> np.ndarray:
        """Move medians between regions (one more where it saves, one fewer where it costs least).

        Region MIPs keep each region's number of medians; a start with too
        many medians in one area and too few in another stays so.  Here the
        open sites are tiled into disjoint regions, each is solved with one
        median more and one fewer, and the pairs (more in ``a``, fewer in
        ``b``) that lower the total are applied.  Works in place; returns the
        mask of the sites changed.
        """
        free_open = np.flatnonzero(is_open & ~self.fixed)
        tiled = np.zeros(is_open.size, dtype=bool)
        tiles = []
        for seed in rng.permutation(free_open):
            if tiled[seed]:
                continue
            reg = self.region(int(seed), assign, is_open, size, exclude=tiled)
            tiled[reg] = True
            tiles.append(reg)
        plus, minus = [], []
        for t in tiles:
            left = deadline - time.perf_counter()
            if left <= 0.05 or poll("heuristic"):
                return np.zeros(is_open.size, dtype=bool)
            plus.append(self.resolve(t, assign, is_open, min(time_limit, left), +1))
            left = deadline - time.perf_counter()
            if left <= 0.05:
                return np.zeros(is_open.size, dtype=bool)
            minus.append(self.resolve(t, assign, is_open, min(time_limit, left), -1))
        gain = np.array([-np.inf if g is None else g[0] - g[1] for g in plus])
        loss = np.array([np.inf if g is None else g[1] - g[0] for g in minus])
        changed = np.zeros(is_open.size, dtype=bool)
        used = np.zeros(len(tiles), dtype=bool)
        newly = np.zeros(is_open.size, dtype=bool)   # sites opened by applied pairs
        for a in np.argsort(-gain):
            if not np.isfinite(gain[a]):
                break
            if used[a] or newly[plus[a][2]].any():
                continue
            for b in np.argsort(loss):
                if used[b] or b == a or not np.isfinite(loss[b]):
                    continue
                if gain[a] - loss[b] <= 1e-9 * max(1.0, abs(loss[b])):
                    break
                if newly[minus[b][2]].any() or np.intersect1d(plus[a][2], minus[b][2]).size:
                    continue        # two regions would open the same site
                for t, g in ((tiles[a], plus[a]), (tiles[b], minus[b])):
                    is_open[t[~self.fixed[t]]] = False
                    is_open[g[2]] = True
                    assign[g[3][0]] = g[3][1]
                    changed[t] = True
                    changed[g[2]] = True
                    newly[g[2]] = True
                used[a] = used[b] = True
                self.moved += 1
                break
        return changed


def _alternate(cost: sp.csr_matrix, csc: sp.csc_matrix, reg: "_Regions", loads: np.ndarray,
               caps: np.ndarray, fixed: np.ndarray, assign: np.ndarray, is_open: np.ndarray,
               *, deadline: float) -> int:
    """Location-allocation (Cooper): each median to its cluster's best listed site, then shifts.

    Works in place on ``assign`` and ``is_open``; returns the number of sweeps.
    Cheap next to the region MIPs, and on p3038 it takes the Lagrangean
    heuristic's solution most of the way before they start.
    """
    n = assign.size
    rows = np.arange(n)
    sweeps = 0
    while time.perf_counter() < deadline and not poll("heuristic"):
        sweeps += 1
        moved = 0
        order = np.argsort(assign, kind="stable")
        bounds = np.searchsorted(assign[order], np.arange(caps.size + 1))
        for s in np.flatnonzero(is_open & ~fixed):
            members = order[bounds[s]:bounds[s + 1]]
            if not members.size:
                continue
            listed = np.concatenate([reg.lst_site[reg.lst_ptr[i]:reg.lst_ptr[i + 1]]
                                     for i in members])
            cand = np.union1d([s], listed[~is_open[listed]])
            cand = cand[caps[cand] >= loads[members].sum() - 1e-9]
            if cand.size < 2:
                continue
            tot = _dense(cost, members, cand).sum(axis=0)
            j = int(cand[np.argmin(tot)])
            if j != s and tot.min() < tot[np.searchsorted(cand, s)] - 1e-9:
                is_open[s], is_open[j] = False, True
                assign[members] = j
                moved += 1
        open_sites = np.flatnonzero(is_open)
        pos = np.full(caps.size, -1)
        pos[open_sites] = np.arange(open_sites.size)
        c = _dense(csc, rows, open_sites)
        before = float(c[rows, pos[assign]].sum())
        hint = np.zeros((n, open_sites.size), dtype=bool)
        hint[rows, pos[assign]] = True
        a = assign_to_sites(c, loads, caps[open_sites], np.arange(open_sites.size), hint,
                            passes=10)
        shifted = a is not None and float(c[rows, a].sum()) < before - 1e-9
        if shifted:
            assign[:] = open_sites[a]
        if not moved and not shifted:
            break
    return sweeps


def solve(cost: sp.csr_matrix, loads: np.ndarray, caps: np.ndarray, fixed: np.ndarray, k: int,
          *, deadline: float, neighbours: int | None = None, seed: int = 0) -> LargeResult:
    """Heuristic solution and valid Lagrangean lower bound (see the module docstring).

    ``cost`` (n x U, CSR) is the weighted cost (a missing entry: the pair may
    not be used), ``loads`` the capacity each point uses, ``caps`` the
    sites' capacities, ``fixed`` the always-open sites; ``k`` free sites are
    opened.  Stops at ``deadline`` (``time.perf_counter()`` seconds).
    ``neighbours``: sites per point's list (default :data:`NEIGHBOURS`).
    """
    t0 = time.perf_counter()
    span = max(deadline - t0, 1e-3)
    neighbours = NEIGHBOURS if neighbours is None else int(neighbours)
    n, u = cost.shape
    cost = cost.tocsr()
    csc = cost.tocsc()
    pairs = nearest_pairs(cost, neighbours)
    ks = knapsack_units(loads, caps)
    rel = _Relaxation(pairs, ks, fixed, k)
    fixed_idx = np.flatnonzero(fixed)
    rows = np.arange(n)
    best = {"value": np.inf, "chosen": None, "assign": None}

    def open_cost(open_sites):
        return _dense(csc, rows, open_sites)

    def heuristic(chosen, x):
        open_sites = np.concatenate([fixed_idx, chosen])
        pos = np.full(u, -1)
        pos[open_sites] = np.arange(open_sites.size)
        hint = np.zeros((n, open_sites.size), dtype=bool)
        hint[pairs.point[x], pos[pairs.site[x]]] = True
        c = open_cost(open_sites)
        a = assign_to_sites(c, loads, caps[open_sites], np.arange(open_sites.size), hint,
                            passes=3)
        if a is None:
            return None
        val = float(c[rows, a].sum())
        if val < best["value"]:
            best.update(value=val, chosen=np.sort(chosen), assign=open_sites[a])
        return best["value"]

    # Start each multiplier at the point's second-cheapest listed cost: high
    # enough that most knapsacks take something, low enough not to overshoot.
    srt = np.lexsort((pairs.cost, pairs.point))
    cnt = np.bincount(pairs.point, minlength=n)
    first = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    at = np.minimum(first + np.minimum(1, np.maximum(cnt - 1, 0)), max(srt.size - 1, 0))
    lam0 = np.where(cnt > 0, pairs.cost[srt][at], 0.0)
    lam = rel.run(lam0, ub=np.inf, deadline=t0 + budget.LARGE_BOUND_SHARE * span,
                  on_sites=heuristic)
    if rel.best_lam is not None:
        # The best multipliers' sites, whether or not the heuristic saw them.
        _, _, chosen, x, _ = rel.evaluate(rel.best_lam)
        heuristic(chosen, x)
    details = {"neighbours": neighbours, "pairs": int(pairs.point.size),
               "lagrangean_heuristic": best["value"]}
    if best["assign"] is None or stop_requested():
        return LargeResult(best["value"], best["chosen"], best["assign"],
                           rel.best_bound, {**details, "iterations": rel.iterations})
    # Region MIPs until REGIONS_END of the time.
    rank = rel.best_rho
    reg = _Regions(cost, pairs, loads, caps, fixed, rank)
    assign = best["assign"].copy()
    is_open = np.zeros(u, dtype=bool)
    is_open[fixed_idx] = True
    is_open[best["chosen"]] = True
    sweeps = _alternate(cost, csc, reg, loads, caps, fixed, assign, is_open,
                        deadline=t0 + budget.LARGE_REGIONS_END * span)
    details["alternate_sweeps"] = sweeps
    details["after_alternate"] = float(np.asarray(cost[rows, assign]).ravel().sum())
    rng = np.random.default_rng(seed)
    size = REGION_SITES
    end = t0 + budget.LARGE_REGIONS_END * span
    dirty = is_open & ~fixed
    while time.perf_counter() < end and not poll("heuristic"):
        todo = np.flatnonzero(dirty & is_open & ~fixed)
        if not todo.size:
            changed = reg.rebalance(assign, is_open, REGION_SITES, rng, deadline=end,
                                    time_limit=budget.LARGE_REGION_SECONDS)
            if changed.any():
                dirty = changed & is_open
                continue
            if size >= REGION_MAX or size >= k:
                break
            size = min(int(np.ceil(size * REGION_GROWTH)), REGION_MAX)
            dirty = is_open & ~fixed
            continue
        s = int(rng.choice(todo))
        dirty[s] = False
        region = reg.region(s, assign, is_open, size)
        left = end - time.perf_counter()
        if left <= 0.05:
            break
        gain, new_sites, moved = reg.solve(region, assign, is_open,
                                           time_limit=min(budget.LARGE_REGION_SECONDS, left))
        if new_sites is None:
            # The nearer half of a region that did not improve is not tried
            # as a seed again until something near it changes.
            dirty[region[:max(1, region.size // 2)]] = False
            continue
        is_open[region[~fixed[region]]] = False
        is_open[new_sites] = True
        pts, sites = moved
        assign[pts] = sites
        # What changed is worth another look (as seeds, their regions cover
        # the sites around them).
        dirty[region] = True
        dirty[new_sites] = True
    # Valued afresh on the full costs (the gains were summed region by region).
    value = float(np.asarray(cost[rows, assign]).ravel().sum())
    if value < best["value"]:
        best.update(value=value, chosen=np.sort(np.flatnonzero(is_open & ~fixed)), assign=assign)
    # Polish the multipliers against the final incumbent.
    if not stop_requested():
        rel.run(rel.best_lam if rel.best_lam is not None else lam, ub=best["value"],
                deadline=deadline - min(1.0, 0.01 * span), step=0.5)
    capped = 0
    if rel.best_lam is not None:
        capped = int(np.sum(rel.best_lam >= pairs.lam_cap - 1e-12))
    details.update({"iterations": rel.iterations, "regions_tried": reg.tried,
                    "regions_improved": reg.improved,
                    "medians_moved": reg.moved, "region_size": size,
                    "multipliers_at_ceiling": capped})
    return LargeResult(best["value"], best["chosen"], best["assign"], rel.best_bound, details)
