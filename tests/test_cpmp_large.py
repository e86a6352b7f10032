"""The large-instance path of the single-source capacitated p-median (planner/models/cpmp_large.py).

Small generated instances; the path is forced by lowering the driver's
limit (``LARGE_CELLS``), and short candidate lists make the multipliers'
ceiling (what keeps the sparse bound valid for the full problem) bind.
"""
from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from planner.models import PMedian, cpmp_large, pmedian_capacitated
from planner.models.inputs import as_cost_csr
from planner.models.knapsack_sparse import sparse_knapsacks


def _instance(n: int, p: int, seed: int, *, fill: float = 0.8, integer: bool = True):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    loads = rng.integers(1, 20, size=n).astype(float)
    if not integer:
        loads = loads + rng.uniform(0, 1, size=n)
    cap = np.full(n, np.ceil(loads.sum() / (fill * p)))
    dist = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    return dist, loads, cap


def _check_solution(res, dist, loads, cap, p):
    n = dist.shape[0]
    a = res.assignment
    assert a.shape == (n,) and np.all(a >= 0)
    assert set(np.unique(a)) <= set(res.selected.tolist())
    assert res.selected.size == p
    used = np.bincount(a, weights=loads, minlength=dist.shape[1])
    assert np.all(used <= cap + 1e-9)
    assert res.objective == pytest.approx(dist[np.arange(n), a].sum(), rel=1e-12)


def _large(monkeypatch, neighbours=None):
    monkeypatch.setattr(pmedian_capacitated, "LARGE_CELLS", 0)
    if neighbours is not None:
        monkeypatch.setattr(cpmp_large, "NEIGHBOURS", neighbours)


def _brute_force(dist, loads, cap, p):
    """Optimum by enumerating every site set and solving its assignment by HiGHS."""
    from planner.models.heuristics_capacitated import exact_assignment
    n = dist.shape[0]
    best = np.inf
    for sites in itertools.combinations(range(dist.shape[1]), p):
        s = np.array(sites)
        if cap[s].sum() < loads.sum():
            continue
        a = exact_assignment(dist, loads, cap, s, None, time_limit=10.0)
        if a is not None:
            best = min(best, float(dist[np.arange(n), s[a]].sum()))
    return best


def test_sparse_knapsacks_match_brute_force():
    rng = np.random.default_rng(3)
    n, u = 9, 4
    cost = rng.uniform(0, 10, size=(n, u))
    listed = rng.random((n, u)) < 0.7
    loads = rng.integers(1, 6, size=n)
    caps = rng.integers(4, 12, size=u)
    lam = rng.uniform(0, 12, size=n)
    pi, pj = np.nonzero(listed)
    order = np.lexsort((pi, pj))
    pi, pj = pi[order], pj[order]
    ptr = np.zeros(u + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(pj, minlength=u))
    taken = np.zeros(pi.size, dtype=np.bool_)
    val = sparse_knapsacks(ptr, pi.astype(np.int64), cost[pi, pj], lam, loads.astype(np.int64),
                           caps.astype(np.int64), taken)
    for j in range(u):
        items = np.flatnonzero(listed[:, j])
        best = 0.0
        for r in range(items.size + 1):
            for sub in itertools.combinations(items, r):
                sub = list(sub)
                if loads[sub].sum() <= caps[j]:
                    best = max(best, float((lam[sub] - cost[sub, j]).sum()))
        assert val[j] == pytest.approx(best)
        mine = pi[ptr[j]:ptr[j + 1]][taken[ptr[j]:ptr[j + 1]]]
        assert loads[mine].sum() <= caps[j]
        assert float((lam[mine] - cost[mine, j]).sum()) == pytest.approx(best)


def test_nearest_pairs_ceiling_is_cheapest_left_out():
    dist, _, _ = _instance(12, 3, 1)
    pairs = cpmp_large.nearest_pairs(as_cost_csr(dist), 4)
    for i in range(12):
        mine = np.sort(pairs.cost[pairs.point == i])
        srt = np.sort(dist[i])
        assert np.allclose(mine, srt[:4])
        assert pairs.lam_cap[i] == srt[4]


def _large_solve_around(dist, loads, cap, p, opt, *, time_limit):
    """Solve on the large path: a feasible answer, its bound at or below ``opt``, its value at or above."""
    res = PMedian.from_cost_matrix(dist, p=p, loads=loads, capacities=cap,
                                   single_source=True).solve(time_limit=time_limit)
    assert res.details["method"].startswith("large")
    _check_solution(res, dist, loads, cap, p)
    lb = res.details["lower_bound"]
    assert lb <= opt + 1e-6 * opt
    assert res.objective >= opt - 1e-6 * opt
    return res, lb


@pytest.mark.parametrize("seed", [0, 1])
def test_large_path_bound_below_brute_force_optimum(monkeypatch, seed):
    n, p = 11, 3
    dist, loads, cap = _instance(n, p, seed)
    opt = _brute_force(dist, loads, cap, p)
    # Lists of 3 sites out of 11: the ceiling on the multipliers binds.
    _large(monkeypatch, neighbours=3)
    res, lb = _large_solve_around(dist, loads, cap, p, opt, time_limit=5)
    assert np.isfinite(lb)
    assert res.objective >= lb - 1e-9 * res.objective
    assert res.mip_gap == pytest.approx(0.0 if res.status == "optimal"
                                        else (res.objective - lb) / res.objective)


def test_large_path_against_full_model_optimum(monkeypatch):
    n, p = 60, 8
    dist, loads, cap = _instance(n, p, 5)
    exact = PMedian.from_cost_matrix(dist, p=p, loads=loads, capacities=cap,
                                     single_source=True).solve(time_limit=60)
    assert exact.status == "optimal"
    _large(monkeypatch, neighbours=6)
    res, lb = _large_solve_around(dist, loads, cap, p, exact.objective, time_limit=8)
    # A decent heuristic and bound on an easy instance.
    assert res.objective <= 1.05 * exact.objective
    assert lb >= 0.9 * exact.objective


def test_large_path_fractional_loads_and_existing_site(monkeypatch):
    n, p = 40, 5
    dist, loads, cap = _instance(n, p, 7, integer=False)
    existing = np.zeros(n, dtype=bool)
    existing[0] = True
    exact = PMedian.from_cost_matrix(dist, p=p, loads=loads, capacities=cap, existing=existing,
                                     single_source=True).solve(time_limit=60)
    _large(monkeypatch, neighbours=5)
    res = PMedian.from_cost_matrix(dist, p=p, loads=loads, capacities=cap, existing=existing,
                                   single_source=True).solve(time_limit=5)
    assert res.details["method"].startswith("large")
    assert 0 in res.open_sites
    a = res.assignment
    assert set(np.unique(a)) <= set(res.open_sites.tolist())
    assert np.all(np.bincount(a, weights=loads, minlength=n) <= cap + 1e-9)
    lb = res.details["lower_bound"]
    assert lb <= exact.details["lower_bound"] + 1e-6 * exact.objective
    assert lb <= exact.objective + 1e-6 * exact.objective <= res.objective + 2e-6 * exact.objective


def test_large_path_honours_the_time_limit(monkeypatch):
    n, p = 400, 60
    dist, loads, cap = _instance(n, p, 11)
    _large(monkeypatch)
    model = PMedian.from_cost_matrix(dist, p=p, loads=loads, capacities=cap, single_source=True)
    t = time.perf_counter()
    res = model.solve(time_limit=3)
    sec = time.perf_counter() - t
    assert sec <= 3.0 + 1.0
    assert res.details["method"].startswith("large")
    _check_solution(res, dist, loads, cap, p)
    assert res.objective >= res.details["lower_bound"] - 1e-9 * res.objective


def test_rebalance_moves_a_median_to_where_it_saves_most():
    # Cluster A: 24 spread points, cluster B: 8 tight points far away.  The
    # start puts 2 medians in each; region MIPs keep each area's count, the
    # rebalance moves one from B (cheap to lose) to A (saves most).
    rng = np.random.default_rng(2)
    a_pts = rng.uniform(-50, 50, size=(24, 2))
    b_pts = np.array([1000.0, 0.0]) + rng.uniform(-1, 1, size=(8, 2))
    xy = np.vstack([a_pts, b_pts])
    dist = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    n = xy.shape[0]
    loads, caps = np.ones(n), np.full(n, 12.0)
    cost = as_cost_csr(dist)
    pairs = cpmp_large.nearest_pairs(cost, 10)
    fixed = np.zeros(n, dtype=bool)
    rank = np.sort(dist, axis=1)[:, :8].sum(axis=1)
    reg = cpmp_large._Regions(cost, pairs, loads, caps, fixed, rank)
    is_open = np.zeros(n, dtype=bool)
    a_med = np.array([0, 1])
    is_open[a_med] = True
    is_open[[24, 25]] = True
    # A: each point to the nearer of its two medians within 12; B: 4 and 4.
    assign = np.empty(n, dtype=np.int64)
    order = np.argsort(dist[:24, 0] - dist[:24, 1])
    assign[order[:12]], assign[order[12:]] = 0, 1
    assign[24:28], assign[28:] = 24, 25
    before = dist[np.arange(n), assign].sum()
    changed = reg.rebalance(assign, is_open, 8, np.random.default_rng(0),
                            deadline=time.perf_counter() + 20, time_limit=5)
    assert changed.any() and reg.moved == 1
    assert is_open.sum() == 4
    assert is_open[:24].sum() == 3 and is_open[24:].sum() == 1
    assert set(np.unique(assign)) <= set(np.flatnonzero(is_open).tolist())
    assert np.all(np.bincount(assign, weights=loads, minlength=n) <= caps)
    assert dist[np.arange(n), assign].sum() < before
