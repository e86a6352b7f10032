"""OR-Library p-median (pmed1-40) and Osman-Christofides capacitated p-median.

Reads the instance files from the shared benchmark folder (never copied into
the project), solves each with :class:`planner.models.PMedian`, and checks
the objective against the published optimum.

    .venv/bin/python bench/orlib.py                        # all 40 + 20
    .venv/bin/python bench/orlib.py --only pmed26 pmed40   # some
    .venv/bin/python bench/orlib.py --shared /path/to/shared --skip-capacitated

pmed files are graphs ("n m p", then m lines "i j cost"): the distance matrix
is all-pairs shortest paths over the undirected graph, and when an edge is
listed more than once the LAST cost counts (OR-Library convention; see the
folder's PROVENANCE.md).  Capacitated files give points and demands; the cost
is the euclidean distance rounded down, capacities are per median, and each
point goes to exactly one median (single-sourcing).
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.models import PMedian  # noqa: E402

DEFAULT_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def read_pmed(path: Path):
    """Distance matrix (all-pairs shortest paths) and p of one pmed file."""
    tok = np.array(path.read_text().split(), dtype=np.int64)
    n, m, p = tok[:3]
    e = tok[3:3 + 3 * m].reshape(m, 3)
    i, j, c = e[:, 0] - 1, e[:, 1] - 1, e[:, 2].astype(float)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    # Keep the last occurrence of each undirected pair: unique over the
    # reversed list returns the first index in it, i.e. the last listed.
    key = lo * n + hi
    _, first_rev = np.unique(key[::-1], return_index=True)
    keep = m - 1 - first_rev
    g = sp.coo_matrix((c[keep], (lo[keep], hi[keep])), shape=(n, n)).tocsr()
    dist = shortest_path(g, method="D", directed=False)
    return dist, int(p)


def read_cap(path: Path):
    """Costs (floor of euclidean), demands, p and capacity of one pmedcap file."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    n, p, cap = int(rows[1][0]), int(rows[1][1]), float(rows[1][2])
    pts = np.array([[float(v) for v in r[1:4]] for r in rows[2:2 + n]])
    xy, demand = pts[:, :2], pts[:, 2]
    costs = np.floor(np.linalg.norm(xy[:, None] - xy[None], axis=2))
    return costs, demand, p, cap


def read_optimal(path: Path) -> dict:
    with path.open() as fh:
        return {r["instance"]: float(r["optimal"]) for r in csv.DictReader(fh)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                    help="shared folder holding benchmarks/orlib-pmed (default ../shared)")
    ap.add_argument("--only", nargs="*", help="instance names to run (e.g. pmed26 pmedcap1-03)")
    ap.add_argument("--limit", type=float, default=60.0, help="time limit per instance (s)")
    ap.add_argument("--skip-capacitated", action="store_true")
    ap.add_argument("--skip-uncapacitated", action="store_true")
    args = ap.parse_args(argv)
    root = args.shared / "benchmarks" / "orlib-pmed"
    if not root.is_dir():
        print(f"no benchmark folder at {root}; pass --shared", file=sys.stderr)
        return 2
    failures, total = 0, 0.0
    if not args.skip_uncapacitated:
        opt = read_optimal(root / "optimal.csv")
        print(f"{'instance':10} {'n':>4} {'p':>3} {'optimum':>8} {'ours':>8} {'status':>10} "
              f"{'seconds':>8} {'iters':>5} {'pairs':>7}")
        t_all = 0.0
        for k in range(1, 41):
            name = f"pmed{k}"
            if args.only and name not in args.only:
                continue
            dist, p = read_pmed(root / f"{name}.txt")
            t = time.perf_counter()
            res = PMedian.from_cost_matrix(dist, p=p).solve(time_limit=args.limit)
            sec = time.perf_counter() - t
            t_all += sec
            ok = res.status == "optimal" and abs(res.objective - opt[name]) < 1e-6
            failures += not ok
            print(f"{name:10} {dist.shape[0]:4d} {p:3d} {opt[name]:8.0f} {res.objective:8.0f} "
                  f"{res.status:>10} {sec:8.2f} {res.details.get('iterations', 0):5d} "
                  f"{res.details.get('reduced_pairs', 0):7d} {'' if ok else 'MISMATCH'}",
                  flush=True)
        print(f"pmed total: {t_all:.1f} s")
        total += t_all
    if not args.skip_capacitated:
        cdir = root / "capacitated-osman-christofides"
        opt = read_optimal(cdir / "optimal.csv")
        print(f"{'instance':12} {'n':>4} {'p':>3} {'optimum':>8} {'ours':>8} {'status':>10} {'seconds':>8}"
              f"  method")
        t_all = 0.0
        for k in range(1, 21):
            name = f"pmedcap1-{k:02d}"
            if args.only and name not in args.only:
                continue
            costs, demand, p, cap = read_cap(cdir / f"{name}.txt")
            t = time.perf_counter()
            # Objective: plain distance (weight 1); demands fill the capacities.
            res = PMedian.from_cost_matrix(costs, p=p, loads=demand,
                                           capacities=np.full(costs.shape[1], cap),
                                           single_source=True).solve(time_limit=args.limit)
            sec = time.perf_counter() - t
            t_all += sec
            ok = res.status == "optimal" and abs(res.objective - opt[name]) < 1e-6
            failures += not ok
            print(f"{name:12} {costs.shape[0]:4d} {p:3d} {opt[name]:8.0f} {res.objective:8.0f} "
                  f"{res.status:>10} {sec:8.2f}  {res.details.get('method', '')}"
                  f"{'' if ok else ' MISMATCH'}", flush=True)
        print(f"capacitated total: {t_all:.1f} s")
        total += t_all
    print(f"all: {total:.1f} s, {failures} not proven at the published optimum")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
