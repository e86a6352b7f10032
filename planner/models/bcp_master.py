"""The set-partitioning master of branch-cut-and-price: columns, cut rows, pricing.

One column per site and set of points it serves; rows "each point once", "at
most k new sites", "one column per site", and one row per subset-row cut
(separated in :mod:`.branch_cut_price`).  :class:`Master` keeps the master LP
on HiGHS with its column pool, prices columns exactly per site
(:mod:`.pricing`, compiled) with Wentges dual smoothing, and runs column
generation at one node of the tree.  It also holds the incumbent, so every
integer point the LPs meet can improve it.  Indices are "usable site"
indices, as in :mod:`.lagrangean_capacitated`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import highspy
import numpy as np

from .pricing import price_sites

__all__ = ["Master", "Node", "INF", "TOL"]

INF = highspy.kHighsInf
#: Wentges smoothing: weight of the best duals seen so far.
SMOOTHING = 0.7
TOL = 1e-6


@dataclass
class Node:
    allowed: np.ndarray      # (n, U) pairs that may be used
    forced: np.ndarray       # (n, U) pairs that must be used
    opened: np.ndarray       # (U,) sites that must have a column
    closed: np.ndarray       # (U,) sites that may not
    parent_bound: float = -np.inf
    depth: int = 0


class Master:
    """Set-partitioning master on HiGHS with a column pool, cut rows and the incumbent.

    Parameters
    ----------
    cost : (n, U) float
        Weighted cost; ``inf`` where a pair may not be used.
    loads, caps : int arrays
        Point loads (n,) and site capacities (U,).
    fixed : (U,) bool
        Sites that are always open and not counted in ``k``.
    k : int
        New (free) sites to open at most.
    """

    def __init__(self, cost: np.ndarray, loads: np.ndarray, caps: np.ndarray,
                 fixed: np.ndarray, k: int, *, integral: bool, gap_abs: float = 1e-9):
        self.n, self.u = n, u = cost.shape
        self.cost = cost
        self.finite_cost = np.where(np.isfinite(cost), cost, 0.0)
        self.loads, self.caps = loads.astype(np.int64), caps.astype(np.int64)
        self.fixed, self.k, self.integral = fixed, k, integral
        self.gap_abs = gap_abs             # how much better a solution must be (non-integral)
        self.stats = dict(nodes=0, lp=0, pricing=0, cuts=0, columns=0, t_lp=0.0, t_price=0.0)
        self.site = np.zeros(0, np.int64)
        self.mem = np.zeros((0, n), bool)
        self.ok = np.zeros(0, bool)        # pool columns the current node may use
        self.keys: dict = {}               # (site, member bytes) -> pool index
        self.cuts = np.zeros((0, 3), np.int64)
        self.best_value, self.best_cols = np.inf, None
        self.improved = False              # whether the tree beat the given incumbent
        self.lower_bound = -np.inf         # proven by the enumeration, whatever the tree
        h = self.h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        # Each LP starts from the last basis; presolve would only discard it
        # (measured: half the LP time on pmedcap1-08).
        h.setOptionValue("presolve", "off")
        e, ef = np.array([], np.int32), np.array([])
        h.addRows(n, np.ones(n), np.ones(n), 0, e, e, ef)                    # each point once
        h.addRows(1, np.array([-INF]), np.array([float(k)]), 0, e, e, ef)    # at most k new sites
        h.addRows(u, np.full(u, -INF), np.ones(u), 0, e, e, ef)              # one column per site
        self.cut_row0 = n + 1 + u
        # Artificial columns keep every node's LP feasible -- one per point
        # row and one per site row (a site opened by branching may have no
        # usable column yet; without it the LP was infeasible and its duals
        # meaningless).  A node whose LP needs them at the end is infeasible.
        self.big = float(np.max(self.finite_cost, axis=1).sum() + 1.0)
        art_rows = np.concatenate([np.arange(n), n + 1 + np.arange(u)]).astype(np.int32)
        na = art_rows.size
        h.addCols(na, np.full(na, self.big), np.zeros(na), np.full(na, INF), na,
                  np.arange(na, dtype=np.int32), art_rows, np.ones(na))
        self.n_art = na
        # An open site may serve nobody: its empty column (cost 0) is always
        # there.  Pricing never offers it (it only returns sets with points),
        # and without it a site opened by branching whose points all cost
        # more than their duals left the LP on its artificial column -- a
        # node bound far too high, which could prune the optimum.
        self.add_columns(np.arange(u), np.zeros((u, n), bool))

    # -- incumbent ------------------------------------------------------------
    def set_incumbent(self, value: float, assign: np.ndarray | None):
        self.best_value, self.best_cols = value, assign
        self.improved = False
        if assign is not None:
            self.add_clusters(assign)    # seeds the pool, so the first LP is already good

    def add_clusters(self, assign: np.ndarray):
        """One column per site of an assignment (point -> site): the points it serves."""
        sites = np.unique(assign)
        mem = np.zeros((sites.size, self.n), bool)
        mem[np.searchsorted(sites, assign), np.arange(self.n)] = True
        self.add_columns(sites, mem)

    @property
    def cutoff(self) -> float:
        """Node bounds above this cannot lead to a better solution."""
        if not np.isfinite(self.best_value):
            return np.inf
        if self.integral:
            return self.best_value - 1.0 + TOL
        return self.best_value - self.gap_abs

    # -- master ---------------------------------------------------------------
    def hits(self, m: np.ndarray) -> np.ndarray:
        """Cuts a column with point set ``m`` (bool, n) enters."""
        if not len(self.cuts):
            return np.zeros(0, np.int64)
        return np.flatnonzero(m[self.cuts].sum(1) >= 2)

    def add_columns(self, sites: np.ndarray, mem: np.ndarray) -> int:
        added_s, added_m = [], []
        for j, m in zip(sites, mem):
            key = (int(j), m.tobytes())
            if key in self.keys:
                continue
            self.keys[key] = self.site.size + len(added_s)
            idx = np.flatnonzero(m)
            own = [self.n + 1 + j] if self.fixed[j] else [self.n, self.n + 1 + j]
            rows = np.concatenate([idx, own, self.cut_row0 + self.hits(m)]).astype(np.int32)
            c = float(self.cost[idx, j].sum())
            self.h.addCol(c, 0.0, INF, rows.size, rows, np.ones(rows.size))
            added_s.append(j)
            added_m.append(m.copy())
        if added_s:
            self.site = np.concatenate([self.site, added_s])
            self.mem = np.vstack([self.mem, np.array(added_m)])
            self.ok = np.concatenate([self.ok, np.ones(len(added_s), bool)])
            self.stats["columns"] = int(self.site.size)
        return len(added_s)

    def set_node(self, node: Node):
        """Column and site-row bounds of ``node``."""
        s, mm = self.site, self.mem
        ok = (~node.closed[s] & ~(mm & ~node.allowed[:, s].T).any(1)
              & ~(node.forced[:, s].T & ~mm).any(1))
        self.ok = ok
        c = s.size
        self.h.changeColsBounds(c, np.arange(self.n_art, self.n_art + c, dtype=np.int32),
                                np.zeros(c), np.where(ok, INF, 0.0))
        self.h.changeRowsBounds(self.u, np.arange(self.n + 1, self.n + 1 + self.u, dtype=np.int32),
                                np.where(node.opened, 1.0, -INF), np.where(node.closed, 0.0, 1.0))

    def lp_optimal(self) -> bool:
        """Whether HiGHS holds an optimal solution of the master as it stands."""
        return self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal

    # -- pricing --------------------------------------------------------------
    def price(self, duals: np.ndarray, node: Node):
        """Lagrangean bound at ``duals`` and the columns with negative reduced cost there."""
        n, u = self.n, self.u
        lam, v, w = duals[:n], duals[n], duals[n + 1:n + 1 + u]
        sig = np.minimum(duals[self.cut_row0:], 0.0)
        prof = np.where(node.allowed, lam[:, None] - self.finite_cost, -np.inf)
        thr = -w - np.where(self.fixed, 0.0, v)      # a column must beat this profit
        sites = np.flatnonzero(~node.closed)
        t = time.perf_counter()
        vals, mem = price_sites(prof, node.allowed, node.forced, self.loads, self.caps, sites,
                                thr[sites], self.cuts, -sig)
        self.stats["t_price"] += time.perf_counter() - t
        self.stats["pricing"] += sites.size
        best = np.full(u, -np.inf)
        best[sites] = vals
        # Without the forced points a site's best set may be empty (value 0).
        empty_ok = ~node.forced.any(0)
        best = np.where(empty_ok, np.maximum(best, 0.0), best)
        rho = -best
        must = node.opened & ~node.closed
        free = ~self.fixed & ~node.closed & ~must
        kk = self.k - int((must & ~self.fixed).sum())
        if kk < 0:
            return np.inf, sites[:0], mem[:0]
        low = np.sort(np.minimum(rho[free], 0.0))[:kk]
        opt = self.fixed & ~must & ~node.closed
        bound = (lam.sum() + sig.sum() + rho[must].sum() + np.minimum(rho[opt], 0.0).sum()
                 + low.sum())
        improving = (vals > thr[sites] + TOL) & mem.any(1)
        return float(bound), sites[improving], mem[improving]

    def reduced_costs(self, sites, mem, duals) -> np.ndarray:
        n = self.n
        out = np.empty(sites.size)
        for q, (j, m) in enumerate(zip(sites, mem)):
            out[q] = (self.cost[m, j].sum() - duals[:n][m].sum()
                      - (0.0 if self.fixed[j] else duals[n]) - duals[n + 1 + j]
                      - duals[self.cut_row0 + self.hits(m)].sum())
        return out

    def column_generation(self, node: Node, deadline: float, stop: Callable | None):
        """Solve the node's master LP: (status, value, x); status 'lp', 'pruned' or 'time'."""
        best_bound, hat = -np.inf, None
        while True:
            if time.perf_counter() > deadline or (stop is not None and stop()):
                return "time", best_bound, None
            t = time.perf_counter()
            self.h.run()
            self.stats["t_lp"] += time.perf_counter() - t
            self.stats["lp"] += 1
            rd = np.asarray(self.h.getSolution().row_dual)
            z = self.h.getInfo().objective_function_value
            pis = rd if hat is None else SMOOTHING * hat + (1 - SMOOTHING) * rd
            bound, sites, mem = self.price(pis, node)
            if bound > best_bound:
                best_bound, hat = bound, pis.copy()
            if sites.size and pis is not rd:
                keep = self.reduced_costs(sites, mem, rd) < -TOL
                sites, mem = sites[keep], mem[keep]
            if not sites.size and pis is not rd:
                # Mispricing at the smoothed duals: price the LP's own.
                bound, sites, mem = self.price(rd, node)
                if bound > best_bound:
                    best_bound, hat = bound, rd.copy()
            if best_bound > self.cutoff:
                return "pruned", best_bound, None
            if not sites.size or best_bound >= z - TOL:
                break
            if not self.add_columns(sites, mem):
                break          # nothing new (only possible through round-off): no loop
        x = np.asarray(self.h.getSolution().col_value)
        if z > self.cutoff:
            return "pruned", z, None
        return "lp", max(z, best_bound), x

    def record_assignment(self, assign: np.ndarray):
        value = float(self.cost[np.arange(self.n), assign].sum())
        if value < self.best_value - 1e-9:
            self.best_value = value
            self.best_cols = assign
            self.improved = True
            self.add_clusters(assign)

    def record(self, x: np.ndarray):
        lam = x[self.n_art:]
        use = np.flatnonzero(lam > 0.5)
        assign = np.full(self.n, -1)
        for q in use:
            assign[self.mem[q]] = self.site[q]
        if not (assign < 0).any():
            self.record_assignment(assign)

