"""Exact single-source capacitated p-median by branch-cut-and-price.

Why: the Lagrangean bound of :mod:`.lagrangean_capacitated` equals the Dantzig-Wolfe
bound, and on tight instances it stays well below the optimum (OR-Library
pmedcap1-20: bound 973.6, optimum 1005, 94 % of the capacity used), a gap
HiGHS on the assignment model did not close in minutes.  What closes it:

* the **set-partitioning master** (:mod:`.bcp_master`): one column per site
  and set of points it serves, rows "each point once", "at most k new sites",
  "one column per site";
* **3-point subset-row cuts** (Jepsen et al. 2008): of any three points, at
  most one column may hold two or more.  They are valid for integer
  solutions only and lift pmedcap1-20's root bound to about 1002;
* columns **priced** exactly by a knapsack per site with the cut penalties
  (:mod:`.pricing`, compiled), with Wentges dual smoothing;
* depth-first **branching** on sites, then on (point, site) pairs, against
  the incumbent of the Lagrangean heuristic; every node is pruned as soon as
  the Lagrangean bound of its pricing passes the incumbent.

Only used where the knapsack loads and capacities are integers (a scaled
table could admit columns that do not fit in reality) and without group
limits.  Indices here are "usable site" indices, as in :mod:`.lagrangean_capacitated`.
Time shares: :mod:`.budget`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp

from . import budget
from .bcp_master import INF, TOL, Master, Node
from .heuristics_capacitated import exact_assignment, improve_sites
from .highs import solve_mip
from .pricing import enumerate_sets, price_sites

__all__ = ["applies", "solve", "BranchCutPrice", "Outcome"]

#: Cuts added per separation round, and separation rounds at the root / at other nodes.
CUTS_PER_ROUND = 100
ROOT_ROUNDS = 30
NODE_ROUNDS = 3
#: Cut separation stops once a round lifts the bound by less than this.
TAILING = 0.05
#: The root's gap is closed by enumeration when at most this many columns
#: could still be in a better solution; their set-partitioning MIP then gets
#: up to :data:`.budget.ENUM_SHARE` of the time left.
MAX_ENUMERATED = 200_000
#: First gap the enumeration tries (objective units when the objective is
#: integral, else relative); doubled until it covers the gap to the incumbent.
#: (pmedcap1-20 with a weak incumbent, 1013: the full gap of 10.5 lists 25,000
#: columns whose MIP took 55 s; a gap of 2-4 lists a few thousand.)
ENUM_FIRST_GAP_UNITS = 2.0
ENUM_FIRST_GAP = 0.002
#: Largest capacity (in load units) the pricing's per-site tables take.
MAX_CAPACITY = 20_000


def applies(loads: np.ndarray, caps: np.ndarray, *, n_points: int, groups: int,
            max_points: int = 400) -> bool:
    """Whether this method handles the instance (integer loads and capacities, no groups)."""
    return (groups == 0 and n_points <= max_points and caps.size > 0
            and bool(np.all(loads == np.round(loads))) and bool(np.all(caps == np.round(caps)))
            and float(caps.max()) <= MAX_CAPACITY and bool(np.all(loads >= 0)))


@dataclass
class Outcome:
    status: str                      # "optimal" or "time_limit"
    value: float
    chosen: np.ndarray | None        # free sites of the best solution
    assign: np.ndarray | None        # per point, its site
    bound: float
    stats: dict = field(default_factory=dict)


class BranchCutPrice(Master):
    """Branch-cut-and-price on the :class:`~.bcp_master.Master`: cuts, nodes, branching, root closing.

    Parameters as for :class:`~.bcp_master.Master`.
    """

    # -- cuts -----------------------------------------------------------------
    def purge_cuts(self) -> int:
        """Drop the cuts the current LP does not need (zero dual, slack row).

        Every cut row makes each LP solve dearer (on pmedcap1-08 800 rows took
        ~40 ms a solve, mostly fixed cost); a dropped cut that matters again is
        simply separated again.
        """
        if not len(self.cuts):
            return 0
        sol = self.h.getSolution()
        dual = np.asarray(sol.row_dual)[self.cut_row0:]
        act = np.asarray(sol.row_value)[self.cut_row0:]
        drop = np.flatnonzero((np.abs(dual) < 1e-9) & (act < 1 - 1e-6))
        if drop.size:
            self.h.deleteRows(drop.size, (self.cut_row0 + drop).astype(np.int32))
            self.cuts = np.delete(self.cuts, drop, axis=0)
            self.stats["cuts_dropped"] = self.stats.get("cuts_dropped", 0) + int(drop.size)
        return int(drop.size)

    def separate(self, x: np.ndarray, *, purge_first: bool = False) -> int:
        """Add the most violated 3-point subset-row cuts of the LP point ``x``."""
        pos = x > 1e-9
        mx, xp = self.mem[pos].astype(float), x[pos]
        pair = (mx.T * xp) @ mx                      # pair[a, b]: LP weight of columns with a and b
        pts = np.flatnonzero(mx[xp < 1 - TOL].sum(0) > 0)
        ps, ms = pair[np.ix_(pts, pts)], mx[:, pts]
        found = []
        for a in range(pts.size):
            for b in range(a + 1, pts.size - 1):
                if ps[a, b] < TOL:
                    continue
                cs = np.arange(b + 1, pts.size)
                triple = (ms[:, a] * ms[:, b] * xp) @ ms[:, cs]
                # Columns with two or more of (a, b, c): pairs counted once each, triples once.
                val = ps[a, b] + ps[a, cs] + ps[b, cs] - 2 * triple
                sel = val > 1 + 1e-3
                found += [(v, pts[a], pts[b], pts[c]) for c, v in zip(cs[sel], val[sel])]
        found.sort(reverse=True)
        have = {tuple(t) for t in self.cuts.tolist()}   # (a purged cut may come back)
        added = []
        for _, a, b, c in found:
            key = tuple(sorted((int(a), int(b), int(c))))
            if key not in have:
                have.add(key)
                added.append(key)
            if len(added) >= CUTS_PER_ROUND:
                break
        if added and purge_first:
            self.purge_cuts()
        for t in added:
            cols = np.flatnonzero(self.mem[:, list(t)].sum(1) >= 2) + self.n_art
            self.h.addRow(-INF, 1.0, cols.size, cols.astype(np.int32), np.ones(cols.size))
        if added:
            self.cuts = np.vstack([self.cuts, np.array(added, np.int64)])
        self.stats["cuts"] = len(self.cuts)
        return len(added)

    # -- tree -----------------------------------------------------------------
    def process(self, node: Node, deadline: float, stop):
        if (int((node.opened & ~self.fixed).sum()) > self.k
                or np.any(node.forced.T @ self.loads > self.caps)):
            return "pruned", np.inf, None
        self.set_node(node)
        rounds = ROOT_ROUNDS if node.depth == 0 else NODE_ROUNDS
        prev = -np.inf
        for r in range(rounds + 1):
            st, z, x = self.column_generation(node, deadline, stop)
            if st != "lp" or r == rounds:
                break
            if x[:self.n_art].max() > TOL:
                break          # still leaning on artificials: cuts would not help
            if z - prev < TAILING and r >= 2:
                break
            prev = z
            # Purging discards the LP's solution, so only when cuts follow
            # (the heuristics after the root read the last LP's duals).
            if not self.separate(x[self.n_art:], purge_first=True):
                break
        return st, z, x

    def branch(self, node: Node, x: np.ndarray):
        """Two children of a fractional node, or ``None`` when ``x`` is integral."""
        lam = x[self.n_art:]
        y = np.bincount(self.site, weights=lam, minlength=self.u)
        frac = np.flatnonzero((y > TOL) & (y < 1 - TOL) & ~self.fixed)
        if frac.size:
            j = frac[np.argmin(np.abs(y[frac] - 0.5))]
            return [self.child(node, "open", -1, j), self.child(node, "close", -1, j)]
        xs = np.zeros((self.n, self.u))
        np.add.at(xs.T, self.site, self.mem * lam[:, None])
        frac = (xs > TOL) & (xs < 1 - TOL)
        if not frac.any():
            return None
        i, j = np.unravel_index(np.argmin(np.where(frac, np.abs(xs - 0.5), 9.0)), xs.shape)
        return [self.child(node, "force", i, j), self.child(node, "forbid", i, j)]

    @staticmethod
    def child(node: Node, kind: str, i: int, j: int) -> Node:
        c = Node(node.allowed.copy(), node.forced.copy(), node.opened.copy(), node.closed.copy(),
                 depth=node.depth + 1)
        if kind == "close":
            c.closed[j], c.allowed[:, j] = True, False
        elif kind == "open":
            c.opened[j] = True
        elif kind == "forbid":
            c.allowed[i, j] = False
        else:
            c.forced[i, j], c.allowed[i, :], c.allowed[i, j], c.opened[j] = True, False, True, True
        return c

    def pool_heuristic(self, time_limit: float):
        """Best set partition from the columns the current node may use (a MIP on HiGHS).

        The cut rounds leave thousands of good columns; picking the best
        partition among them often finds the optimum before any branching, and
        a better incumbent prunes the whole tree harder.
        """
        # Reduced costs of the LP just solved: a column whose reduced cost
        # exceeds the gap to the cut-off is in no better solution (the cuts
        # are valid for every integer solution, so this holds with them).
        if not self.lp_optimal():
            return
        rc = np.asarray(self.h.getSolution().col_dual)[self.n_art:]
        rc = np.concatenate([rc, np.full(self.site.size - rc.size, -np.inf)])
        z = self.h.getInfo().objective_function_value
        cols = np.flatnonzero(self.ok & (rc <= max(self.cutoff, self.best_value) - z + TOL))
        self.stats["pool_columns"] = int(cols.size)
        if not cols.size or time_limit <= 0.05:
            return
        start = None
        if self.best_cols is not None:
            # The incumbent's clusters, when all are in the pool and usable here.
            sites = np.unique(self.best_cols)
            idx = [self.keys.get((int(j), (self.best_cols == j).tobytes()), -1) for j in sites]
            where = np.searchsorted(cols, idx)
            if min(idx) >= 0 and np.all(cols[np.minimum(where, cols.size - 1)] == idx):
                start = np.zeros(cols.size)
                start[where] = 1.0
        rows, pts = np.nonzero(self.mem[cols])
        ptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=cols.size))])
        self._partition_mip(self.site[cols], ptr, pts, time_limit=time_limit, start=start)
        self.stats["pool_mips"] = self.stats.get("pool_mips", 0) + 1

    def enumerate_and_solve(self, node: Node, deadline: float) -> bool:
        """Close the root by enumerating every column a better solution could use.

        For duals ``d`` of the root LP (with its cuts) and any integer
        solution, cost >= D + sum of its columns' reduced costs, D the dual
        objective.  With ``m_j <= 0`` the least reduced cost of site ``j``
        (exact pricing; 0 once column generation has converged), a column
        can only be in a solution below the cut-off when its reduced cost is
        at most ``cutoff - D - sum(m_j)``.  Such columns are listed (compiled
        enumeration), in widening gaps, and HiGHS solves the set-partitioning
        MIP over them; its optimum, or its infeasibility, settles the
        problem.  Returns True when it did.
        """
        if not np.isfinite(self.cutoff):
            return False
        if not self.lp_optimal():
            self.h.run()          # the heuristics' columns reset HiGHS's status
            if not self.lp_optimal():
                return False
        n, u = self.n, self.u
        rd = np.asarray(self.h.getSolution().row_dual)
        lam, v = rd[:n], min(rd[n], 0.0)
        w = np.minimum(rd[n + 1:n + 1 + u], 0.0)
        sig = np.minimum(rd[self.cut_row0:], 0.0)
        dual_obj = lam.sum() + self.k * v + w.sum() + sig.sum()
        base = -w - np.where(self.fixed, 0.0, v)          # >= 0: the column's own rows
        sites = np.flatnonzero(~node.closed)
        prof = np.where(node.allowed, lam[:, None] - self.finite_cost, -np.inf)
        vals, _ = price_sites(prof, node.allowed, node.forced, self.loads, self.caps, sites,
                              base[sites], self.cuts, -sig)
        floor = dual_obj + np.minimum(base[sites] - vals, 0.0).sum()   # D + sum(m_j)
        self.stats["enum_gap"] = round(float(self.cutoff - floor), 3)
        # Guess and verify: list the columns within a small gap first and
        # widen it only when needed.  The MIP over the columns with reduced
        # cost <= g holds every solution worth at most floor + g, so an
        # optimum within that is the global one, and a MIP optimum above it
        # (or none) proves nothing is worth floor + g or less.
        g = ENUM_FIRST_GAP * max(1.0, abs(floor)) if not self.integral else ENUM_FIRST_GAP_UNITS
        while True:
            full = self.cutoff - floor
            if full < -TOL:
                return True                   # nothing can beat the incumbent
            if full <= 2 * g:
                g = full                      # the next step would cover it anyway
            got = enumerate_sets(self.finite_cost - lam[:, None], node.allowed, self.loads,
                                 self.caps, sites, g - base[sites], self.cuts, -sig,
                                 max_sets=MAX_ENUMERATED)
            if got is None:
                self.stats["enumerated"] = -1
                return False
            site, ptr, pts = got
            nc = site.size
            self.stats["enumerated"] = int(nc)
            left = min(deadline - time.perf_counter(), 1e5)   # no "inf" for HiGHS
            value = self._partition_mip(site, ptr, pts, time_limit=max(budget.ENUM_SHARE * left, 0.05))
            self.stats["enum_mips"] = self.stats.get("enum_mips", 0) + 1
            if value is None:
                return False                  # out of time
            if value <= floor + g + TOL or g >= full:
                return True
            self.lower_bound = max(self.lower_bound, floor + g)
            g *= 2.0

    def _partition_mip(self, site, ptr, pts, *, time_limit: float,
                       start: np.ndarray | None = None) -> float | None:
        """Best set partition over the listed sets (recorded when it beats the incumbent).

        Set ``q`` is ``site[q]`` serving ``pts[ptr[q]:ptr[q + 1]]``.  Returns its
        value (``inf``: no partition), ``None`` when HiGHS ran out of time.
        """
        n, u, nc = self.n, self.u, site.size
        if nc == 0:
            return np.inf
        col = np.repeat(np.arange(nc), np.diff(ptr))
        cost = np.bincount(col, weights=self.finite_cost[pts, site[col]], minlength=nc)
        a = sp.vstack([sp.csr_matrix((np.ones(pts.size), (pts, col)), shape=(n, nc)),
                       sp.csr_matrix((~self.fixed[site]).astype(float)[None, :]),
                       sp.csr_matrix((np.ones(nc), (site, np.arange(nc))), shape=(u, nc))]).tocsc()
        out = solve_mip(c=cost, lb=np.zeros(nc), ub=np.ones(nc), a=a,
                        rlo=np.concatenate([np.ones(n), np.full(1 + u, -np.inf)]),
                        rhi=np.concatenate([np.ones(n), [float(self.k)], np.ones(u)]),
                        integer=np.ones(nc, bool), time_limit=time_limit, gap=0.0, start=start)
        if out.status == "infeasible":
            return np.inf
        if out.x is not None:
            assign = np.full(n, -1)
            for q in np.flatnonzero(out.x > 0.5):
                assign[pts[ptr[q]:ptr[q + 1]]] = site[q]
            if not (assign < 0).any():
                self.record_assignment(assign)
        if out.status != "optimal":
            return None
        return float(out.objective)

    def rounding_heuristic(self, node: Node, x: np.ndarray, time_limit: float):
        """The k free sites the LP uses most, assigned exactly, then location-allocation."""
        if time_limit <= 0.05:
            return
        t_end = time.perf_counter() + time_limit
        lam = x[self.n_art:]
        y = np.bincount(self.site, weights=lam, minlength=self.u)
        free = ~self.fixed & ~node.closed
        chosen = np.flatnonzero(free)[np.argsort(-y[free], kind="stable")][:self.k]
        fixed_idx = np.flatnonzero(self.fixed)
        open_sites = np.concatenate([fixed_idx, chosen])
        cost = np.where(node.allowed, self.cost, np.inf)
        loads, caps = self.loads.astype(float), self.caps.astype(float)
        a = exact_assignment(cost, loads, caps, open_sites, None,
                             time_limit=budget.ROUNDING_ASSIGNMENT_SHARE * time_limit)
        if a is None:
            return
        self.record_assignment(open_sites[a])
        hint = np.zeros((self.n, open_sites.size), bool)
        hint[np.arange(self.n), a] = True
        got = improve_sites(cost, loads, caps, fixed_idx, chosen, free, deadline=t_end, hint=hint)
        if got is not None:
            self.record_assignment(np.concatenate([fixed_idx, got[1]])[got[2]])

    def solve(self, root: Node, *, deadline: float, stop: Callable | None = None) -> Outcome:
        stack = [root]
        status = "optimal"
        while stack:
            node = stack.pop()
            if node.parent_bound > self.cutoff:
                continue
            self.stats["nodes"] += 1
            st, z, x = self.process(node, deadline, stop)
            if st == "time":
                stack.append(node)
                status = "time_limit"
                break
            if st != "lp":
                continue
            kids = self.branch(node, x)
            if kids is not None and node.depth == 0:
                left = min(deadline - time.perf_counter(), 1e5)   # no "inf" for HiGHS
                self.pool_heuristic(min(budget.POOL_SECONDS, budget.POOL_SHARE * left))
                self.rounding_heuristic(node, x, min(budget.POOL_SECONDS, budget.POOL_SHARE * left))
                if z > self.cutoff:
                    continue
                if self.enumerate_and_solve(node, deadline):
                    break
            if kids is None:
                if x[:self.n_art].max() <= TOL:
                    self.record(x)
                continue
            for c in reversed(kids):       # the first child is explored first
                c.parent_bound = z
                stack.append(c)
            self.stats["max_depth"] = max(self.stats.get("max_depth", 0), node.depth + 1)
        if status == "optimal":
            # Nodes were pruned at the cut-off: with a relative gap that is
            # below the best value (an integral objective stays exact).
            bound = self.best_value if self.integral else self.best_value - self.gap_abs
        else:
            open_bound = min(nd.parent_bound for nd in stack if nd.parent_bound <= self.cutoff) \
                if any(nd.parent_bound <= self.cutoff for nd in stack) else self.best_value
            bound = min(self.best_value, max(open_bound, self.lower_bound))
        assign = self.best_cols if self.improved else None
        return Outcome(status, self.best_value, None, assign, bound, dict(self.stats))


def solve(cost: np.ndarray, loads: np.ndarray, caps: np.ndarray, fixed: np.ndarray, k: int, *,
          allowed: np.ndarray, closed: np.ndarray, incumbent: float,
          incumbent_assign: np.ndarray | None, integral: bool, gap: float,
          deadline: float, stop: Callable | None = None) -> Outcome:
    """Prove (or improve) the incumbent of the single-source capacitated p-median.

    ``allowed`` (n, U) are the pairs left by the reductions, ``closed`` (U,)
    the sites proven useless.  Returns the best solution (``assign`` is
    ``None`` when the incumbent stood) and a lower bound.
    """
    n, u = cost.shape
    scale = abs(incumbent) if np.isfinite(incumbent) else 0.0
    bcp = BranchCutPrice(cost, loads, caps, fixed, k, integral=integral,
                         gap_abs=max(gap * scale, 1e-9 * max(1.0, scale)))
    bcp.set_incumbent(incumbent, incumbent_assign)
    root = Node(allowed & ~closed[None, :], np.zeros((n, u), bool), np.zeros(u, bool), closed.copy())
    out = bcp.solve(root, deadline=deadline, stop=stop)
    out.chosen = None if out.assign is None else np.unique(out.assign[~fixed[out.assign]])
    return out
