"""Research benchmark: branch-cut-and-price with subset-row cuts for one capacitated instance.

Why this exists: Osman-Christofides problem 20 (``pmedcap1-20``) is the one
OR-Library instance the engine does not prove within 60 s. Its root LP is 961,
the Lagrangean / Dantzig-Wolfe bound 973.6, the optimum 1005. This script
measures the next step: the set-partitioning master (one column per site and
set of points it serves) strengthened with 3-point subset-row cuts
(sum of the columns holding at least two of three points <= 1), priced by a
knapsack with cut penalties, and branched on sites, then on (point, site) pairs.

Measured on this machine (2 cores), pmedcap1-20 with the incumbent 1005:

* root bound 973.6 -> 1001.7 after 13 rounds of 100 cuts when every round's
  column generation runs to the end; the tree then has 5-7 nodes and proves
  1005 optimal in 6-10 minutes;
* as committed (first rounds separated on the heuristic-priced LP, root bound
  998.75): 15 nodes, 1,038 s, of which 902 s pricing and 114 s LP.

So the bound is the answer, the implementation is not fast enough yet: a
compiled penalised-knapsack pricing, dual stabilisation tuned for it, and cut
and column purging are what would bring it into the 60 s target.

Usage (reads ../shared like bench/orlib.py; never copied into the project)::

    .venv/bin/python bench/cpmp_cuts.py pmedcap1-20 --ub 1005
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import highspy
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from orlib import DEFAULT_SHARED, read_cap  # noqa: E402

from planner.models import capacitated as C  # noqa: E402

INF = highspy.kHighsInf
BIG = 1e6            # profit bonus that forces an item into a knapsack
ENUMERATE = 18       # up to this many positive items a site's pricing enumerates all subsets


class BranchCutPrice:
    """Set-partitioning master on HiGHS, column pool, subset-row cuts, depth-first tree."""

    def __init__(self, costs, demand, p, cap, *, ub, keep, closed, max_cuts, rounds_root,
                 rounds_node, alpha):
        self.costs, self.p = costs, p
        self.n = n = costs.shape[0]
        self.ks = C.integer_tables(demand, np.full(n, cap), n)
        self.dem = self.ks.loads
        self.best, self.cut = ub, ub - 1 + 1e-6          # integral objective
        self.max_cuts, self.rounds_root, self.rounds_node, self.alpha = \
            max_cuts, rounds_root, rounds_node, alpha
        self.stats = dict(nodes=0, lp=0, t_lp=0.0, t_price=0.0, exact=0, cuts=0)
        self.take = np.zeros((n, n, self.ks.width), bool)
        h = self.h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        e, ef = np.array([], np.int32), np.array([])
        h.addRows(n, np.ones(n), np.ones(n), 0, e, e, ef)                 # each point once
        h.addRows(1, np.array([-INF]), np.array([float(p)]), 0, e, e, ef)  # at most p sites
        h.addRows(n, np.full(n, -INF), np.ones(n), 0, e, e, ef)           # one column per site
        for i in range(n):   # artificial cover, so every node's LP stays feasible
            h.addCol(float(costs.max() * 10), 0, INF, 1, np.array([i], np.int32), np.array([1.0]))
        self.n_art, self.cut_row0 = n, 2 * n + 1
        self.site = np.zeros(0, np.int64)
        self.mem = np.zeros((0, n), bool)
        self.keys: set = set()
        self.cuts = np.zeros((0, 3), np.int64)
        self.add_columns(np.arange(n), np.zeros((n, n), bool))
        self.root = (keep.copy(), np.zeros((n, n), bool), np.zeros(n, bool), closed.copy())

    # -- master ---------------------------------------------------------------
    def hits(self, m):
        return np.flatnonzero(m[self.cuts].sum(1) >= 2) if len(self.cuts) else np.zeros(0, np.int64)

    def add_columns(self, sites, X):
        new_s, new_m = [], []
        for s, j in enumerate(sites):
            m = X[:, s]
            key = (int(j), m.tobytes())
            if key in self.keys:
                continue
            self.keys.add(key)
            idx = np.flatnonzero(m)
            rows = np.concatenate([idx, [self.n, self.n + 1 + j], self.cut_row0 + self.hits(m)])
            self.h.addCol(float(self.costs[idx, j].sum()), 0, INF, rows.size, rows.astype(np.int32),
                          np.ones(rows.size))
            new_s.append(j)
            new_m.append(m.copy())
        if new_s:
            self.site = np.concatenate([self.site, new_s])
            self.mem = np.vstack([self.mem, np.array(new_m)])

    def set_node(self, state):
        allowed, forced, so, sc = state
        S, Mm = self.site, self.mem
        ok = ~sc[S] & ~(Mm & ~allowed[:, S].T).any(1) & ~(forced[:, S].T & ~Mm).any(1)
        k = S.size
        self.h.changeColsBounds(k, np.arange(self.n_art, self.n_art + k, dtype=np.int32), np.zeros(k),
                                np.where(ok, INF, 0.0))
        self.h.changeRowsBounds(self.n, np.arange(self.n + 1, 2 * self.n + 1, dtype=np.int32),
                                np.where(so, 1.0, -INF), np.where(sc, 0.0, 1.0))

    def separate(self, x):
        """Add the most violated 3-point subset-row cuts of the LP point ``x``."""
        pos = x > 1e-9
        mx, xp = self.mem[pos].astype(float), x[pos]
        pair = (mx.T * xp) @ mx
        pts = np.flatnonzero(mx[xp < 1 - 1e-6].sum(0) > 0)
        ps, ms = pair[np.ix_(pts, pts)], mx[:, pts]
        found = []
        for a in range(pts.size):
            for b in range(a + 1, pts.size - 1):
                if ps[a, b] < 1e-6:
                    continue
                cs = np.arange(b + 1, pts.size)
                triple = (ms[:, a] * ms[:, b] * xp) @ ms[:, cs]
                val = ps[a, b] + ps[a, cs] + ps[b, cs] - 2 * triple
                sel = val > 1 + 1e-3
                found += [(v, pts[a], pts[b], pts[c]) for c, v in zip(cs[sel], val[sel])]
        found.sort(reverse=True)
        have = {tuple(t) for t in self.cuts.tolist()}
        added = []
        for _, a, b, c in found:
            key = tuple(sorted((int(a), int(b), int(c))))
            if key not in have:
                have.add(key)
                added.append(key)
            if len(added) >= self.max_cuts:
                break
        for t in added:
            cols = np.flatnonzero(self.mem[:, list(t)].sum(1) >= 2) + self.n_art
            self.h.addRow(-INF, 1.0, cols.size, cols.astype(np.int32), np.ones(cols.size))
        if added:
            self.cuts = np.vstack([self.cuts, np.array(added)])
        self.stats["cuts"] = len(self.cuts)
        return len(added)

    # -- pricing --------------------------------------------------------------
    def true_value(self, m, j, prof, sig):
        return float(prof[m, j].sum()) - float(-sig[self.hits(m)].sum())

    def exact(self, j, prof_j, sig, forced_j, floor):
        """Best profit minus cut penalties of one site's knapsack (above ``floor``, else None)."""
        self.stats["exact"] += 1
        n, dem = self.n, self.dem
        F = np.flatnonzero(forced_j)
        P = np.setdiff1d(np.flatnonzero(prof_j > 0), F)
        room, base = int(self.ks.caps[j] - dem[F].sum()), float(prof_j[F].sum())
        act = np.flatnonzero(sig < -1e-9)
        T, s = self.cuts[act], -sig[act]
        rel = np.isin(T, np.concatenate([P, F])).sum(1) >= 2
        T, s = T[rel], s[rel]
        k = P.size
        if k <= ENUMERATE:
            Z = ((np.arange(1 << k)[:, None] >> np.arange(k)) & 1).astype(bool)
            Z = Z[Z @ dem[P] <= room]
            val = Z @ prof_j[P] + base
            if len(T):
                inc = np.zeros((n, len(T)), np.float32)
                for q in range(3):
                    inc[T[:, q], np.arange(len(T))] += 1
                val = val - ((Z.astype(np.float32) @ inc[P] + inc[F].sum(0)) >= 1.5) @ s
            b = int(np.argmax(val))
            if val[b] <= floor + 1e-9:
                return floor, None
            m = np.zeros(n, bool)
            m[P[Z[b]]] = True
            m[F] = True
            return float(val[b]), m
        # Branch and bound, items by profit, bounded by the penalty-free knapsack.
        order = P[np.argsort(-prof_j[P])]
        pr, dd = prof_j[order].tolist(), dem[order].tolist()
        back = np.zeros((k + 1, room + 1))
        for i in range(k - 1, -1, -1):
            back[i] = back[i + 1]
            if dd[i] <= room:
                back[i, dd[i]:] = np.maximum(back[i + 1, dd[i]:], back[i + 1, :room + 1 - dd[i]] + pr[i])
        cnt = np.zeros(len(T), np.int64)
        for f in F:
            cnt += (T == f).any(1)
        item_cuts = [np.flatnonzero((T == it).any(1)) for it in order]
        best, best_set, chosen = [floor], [None], []

        def rec(i, q, acc):
            if acc + back[i, q] <= best[0] + 1e-9:
                return
            if i == k:
                best[0], best_set[0] = acc, list(chosen)
                return
            if dd[i] <= q:
                cs = item_cuts[i]
                cnt[cs] += 1
                pen = float(s[cs[cnt[cs] == 2]].sum())
                chosen.append(i)
                rec(i + 1, q - dd[i], acc + pr[i] - pen)
                chosen.pop()
                cnt[cs] -= 1
            rec(i + 1, q, acc)

        rec(0, room, base - float(s[cnt >= 2].sum()))
        if best_set[0] is None:
            return floor, None
        m = np.zeros(n, bool)
        m[order[best_set[0]]] = True
        m[F] = True
        return float(best[0]), m

    def price(self, duals, state, exact):
        """Lagrangean bound at ``duals`` and columns with positive profit there."""
        n, allowed, forced, so, sc = self.n, *state
        lam, v, w, sig = duals[:n], duals[n], duals[n + 1:2 * n + 1], duals[self.cut_row0:]
        prof = np.where(allowed, lam[:, None] - self.costs, -np.inf)
        prof_b = np.where(forced, prof + BIG, prof)
        fsum = (forced * BIG).sum(0)
        val = C.knapsack(prof_b, self.ks, self.take) - fsum      # penalty-free upper bound
        thr = -v - w
        act = np.flatnonzero(sig < -1e-9)
        cand = np.flatnonzero((val > thr + 1e-6) & ~sc)
        if act.size and cand.size:
            # A cut's penalty is at least s * (count - 1) / 2: a second, linear upper bound.
            ta, sa = self.cuts[act], -sig[act]
            rel = (prof_b > 0)[ta].sum(1) >= 2
            sr = sa[:, None] * rel
            share = np.zeros((n, n))
            for q in range(3):
                np.add.at(share, ta[:, q], sr / 2)
            val = np.minimum(val, C.knapsack(np.where(allowed, prof_b - share, -np.inf), self.ks)
                             - fsum + sr.sum(0) / 2)
        best = val.copy()
        cand = np.flatnonzero((val > thr + 1e-6) & ~sc)
        new_s, new_x = [], []
        if cand.size:
            xs = C.backtrack(self.take, self.ks, cand)
            bestv = np.array([self.true_value(xs[:, q], j, prof, sig) for q, j in enumerate(cand)])
            bestm = [xs[:, q] for q in range(cand.size)]
            if act.size:   # penalty-aware heuristics: knapsacks with the penalties spread on items
                spread = np.zeros(n)
                np.add.at(spread, self.cuts[act].ravel(), np.repeat(-sig[act], 3))
                for a in (0.5, 1.0):
                    C.knapsack(np.where(allowed, prof_b - a * spread[:, None], -np.inf), self.ks, self.take)
                    xa = C.backtrack(self.take, self.ks, cand)
                    for q, j in enumerate(cand):
                        tv = self.true_value(xa[:, q], j, prof, sig)
                        if tv > bestv[q] + 1e-9:
                            bestv[q], bestm[q] = tv, xa[:, q]
            for q, j in enumerate(cand):
                if bestv[q] > thr[j] + 1e-6:
                    new_s.append(j)
                    new_x.append(bestm[q])
            if not new_s and exact:
                for q in np.argsort(-(bestv - thr[cand])):
                    j = cand[q]
                    bv, bm = self.exact(j, prof[:, j], sig, forced[:, j], max(thr[j], bestv[q]))
                    if bm is not None and bv > thr[j] + 1e-6:
                        new_s.append(j)
                        new_x.append(bm)
                        best[j] = bv
                    else:
                        best[j] = max(thr[j], bestv[q])
        rho = np.where(sc, np.inf, -best)
        free = np.flatnonzero(~so & ~sc)
        kk = self.p - so.sum()
        low = np.sort(rho[free])[:kk]
        bound = lam.sum() + sig.sum() + rho[so].sum() + np.minimum(low, 0).sum()
        return bound, new_s, new_x

    def reduced_costs(self, sites, xs, duals):
        n = self.n
        return np.array([float(self.costs[m, j].sum() - duals[:n][m].sum() - duals[n] - duals[n + 1 + j]
                               - duals[self.cut_row0 + self.hits(m)].sum()) for j, m in zip(sites, xs)])

    def column_generation(self, state, exact):
        """(status, value, x): 'pruned' when the Lagrangean bound passes the cut-off."""
        best_bound, hat = -np.inf, None
        while True:
            t = time.perf_counter()
            self.h.run()
            self.stats["t_lp"] += time.perf_counter() - t
            self.stats["lp"] += 1
            rd = np.array(self.h.getSolution().row_dual)
            z = self.h.getInfo().objective_function_value
            t = time.perf_counter()
            if not exact:
                _, S, X = self.price(rd, state, False)
            else:
                # Wentges smoothing towards the best duals seen; a miss falls back to the LP duals.
                pis = rd if hat is None else self.alpha * hat + (1 - self.alpha) * rd
                bound, S, X = self.price(pis, state, True)
                if bound > best_bound:
                    best_bound, hat = bound, pis.copy()
                if S:
                    rc = self.reduced_costs(S, X, rd)
                    S, X = [S[q] for q in np.flatnonzero(rc < -1e-6)], [X[q] for q in np.flatnonzero(rc < -1e-6)]
                if not S and pis is not rd:
                    bound, S, X = self.price(rd, state, True)
                    if bound > best_bound:
                        best_bound, hat = bound, rd.copy()
                if best_bound > self.cut:
                    self.stats["t_price"] += time.perf_counter() - t
                    return "pruned", best_bound, None
            self.stats["t_price"] += time.perf_counter() - t
            if not S or (exact and best_bound >= z - 1e-6):
                break
            self.add_columns(np.array(S), np.array(X).T)
        x = np.array(self.h.getSolution().col_value)[self.n_art:]
        return ("pruned" if exact and z > self.cut else "lp"), z, x

    # -- tree -----------------------------------------------------------------
    def node(self, state, depth, t0):
        allowed, forced, so, sc = state
        if so.sum() > self.p or np.any((forced * self.dem[:, None]).sum(0) > self.ks.caps):
            return "infeasible", None, None
        self.set_node(state)
        rounds = self.rounds_root if depth == 0 else self.rounds_node
        prev = -np.inf
        for r in range(rounds + 1):
            st, z, x = self.column_generation(state, exact=(r == rounds))
            if depth == 0:
                print(f"  root round {r}: {st} {z:.3f} with {len(self.cuts)} cuts "
                      f"({time.perf_counter() - t0:.1f} s)", flush=True)
            if st != "lp" or r == rounds:
                return st, z, x
            if (depth > 0 and z - prev < 0.05) or not self.separate(x):
                return self.column_generation(state, exact=True)
            prev = z
        return st, z, x

    def branch(self, x):
        y = np.bincount(self.site, weights=x, minlength=self.n)
        frac = np.flatnonzero((y > 1e-6) & (y < 1 - 1e-6))
        if frac.size:
            j = frac[np.argmin(np.abs(y[frac] - 0.5))]
            return [("open", -1, j), ("close", -1, j)]
        X = np.zeros((self.n, self.n))
        np.add.at(X.T, self.site, self.mem * x[:, None])
        frac = (X > 1e-6) & (X < 1 - 1e-6)
        if not frac.any():
            return None
        i, j = np.unravel_index(np.argmin(np.where(frac, np.abs(X - 0.5), 9)), X.shape)
        return [("force", i, j), ("forbid", i, j)]

    @staticmethod
    def child(state, decision):
        allowed, forced, so, sc = (a.copy() for a in state)
        kind, i, j = decision
        if kind == "close":
            sc[j], allowed[:, j] = True, False
        elif kind == "open":
            so[j] = True
        elif kind == "forbid":
            allowed[i, j] = False
        else:
            forced[i, j], allowed[i, :], allowed[i, j], so[j] = True, False, True, True
        return allowed, forced, so, sc

    def dfs(self, state, depth, t0):
        self.stats["nodes"] += 1
        st, z, x = self.node(state, depth, t0)
        print(f"node {self.stats['nodes']} depth {depth}: {st} "
              f"{'' if z is None else round(z, 2)} ({time.perf_counter() - t0:.1f} s)", flush=True)
        if st != "lp":
            return
        decisions = self.branch(x)
        if decisions is None:
            if z < self.best - 1e-6:
                self.best, self.cut = z, z - 1 + 1e-6
            return
        for d in decisions:
            self.dfs(self.child(state, d), depth + 1, t0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instance", nargs="?", default="pmedcap1-20")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--ub", type=float, help="incumbent value (default: the Lagrangean heuristic's)")
    ap.add_argument("--pre", type=float, default=12.0, help="seconds for the Lagrangean start")
    ap.add_argument("--cuts", type=int, default=100, help="cuts added per round")
    ap.add_argument("--root-rounds", type=int, default=30)
    ap.add_argument("--node-rounds", type=int, default=3)
    ap.add_argument("--alpha", type=float, default=0.7, help="dual smoothing factor")
    args = ap.parse_args(argv)
    path = args.shared / "benchmarks" / "orlib-pmed" / "capacitated-osman-christofides" / f"{args.instance}.txt"
    costs, demand, p, cap = read_cap(path)
    costs = costs.astype(float)
    n = costs.shape[0]
    t0 = time.perf_counter()
    pre = C.preprocess(costs, demand, np.full(n, cap), np.zeros(n, bool), p, deadline=t0 + args.pre,
                       probe_deadline=t0 + 1.7 * args.pre, integral=True)
    ub = args.ub if args.ub is not None else pre.value
    print(f"start: incumbent {pre.value}, Lagrangean bound {pre.bound:.2f}, "
          f"{int(pre.closed.sum())} sites and {n * n - int(pre.keep.sum())} pairs removed "
          f"({time.perf_counter() - t0:.1f} s); proving against {ub}", flush=True)
    bcp = BranchCutPrice(costs, demand, p, cap, ub=ub, keep=pre.keep & ~pre.closed[None, :],
                         closed=pre.closed, max_cuts=args.cuts, rounds_root=args.root_rounds,
                         rounds_node=args.node_rounds, alpha=args.alpha)
    bcp.dfs(bcp.root, 0, t0)
    print(f"best {bcp.best} proven optimal; {bcp.stats} total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
