"""Single-source capacitated p-median: compiled knapsacks and the incumbent.

The compiled kernels (planner/models/knapsack_kernels.py) are checked against
the plain numpy knapsack and against enumeration; the restricted MIP and the
whole Lagrangean start must hand on feasible single-source solutions whose
value is what they claim, never below the optimum (found by brute force over
site sets and an exact assignment per set).
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from planner.models import PMedian
from planner.models import knapsack_kernels as K
from planner.models import lagrangean_capacitated as C
from planner.models.heuristics_capacitated import exact_assignment, restricted_mip


def _instance(seed, n=18, u=7, fill=0.9):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    site = xy[rng.choice(n, u, replace=False)]
    cost = np.floor(np.linalg.norm(xy[:, None] - site[None], axis=2))
    loads = rng.integers(1, 12, size=n).astype(float)
    return cost, loads, fill


def _feasible(cost, loads, caps, fixed, k, chosen, assign):
    """Every point on one open site, within capacity, k free sites open; returns the value."""
    n = cost.shape[0]
    assert assign.shape == (n,) and np.all(assign >= 0)
    assert chosen.size == k and not fixed[chosen].any()
    open_sites = set(np.flatnonzero(fixed).tolist()) | set(chosen.tolist())
    assert set(assign.tolist()) <= open_sites
    used = np.bincount(assign, weights=loads, minlength=cost.shape[1])
    assert np.all(used <= caps + 1e-9)
    v = cost[np.arange(n), assign]
    assert np.isfinite(v).all()
    return float(v.sum())


def _optimum(cost, loads, caps, fixed, k):
    """Brute force: every set of k free sites, its exact single-source assignment."""
    best = np.inf
    fixed_idx = np.flatnonzero(fixed)
    for combo in combinations(np.flatnonzero(~fixed), k):
        open_sites = np.concatenate([fixed_idx, combo]).astype(np.int64)
        if caps[open_sites].sum() < loads.sum():
            continue
        a = exact_assignment(cost, loads, caps, open_sites, None, time_limit=30)
        if a is not None:
            best = min(best, float(cost[np.arange(cost.shape[0]), open_sites[a]].sum()))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_compiled_knapsacks_match_the_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    n, u = 30, 9
    cost = rng.uniform(0, 30, size=(n, u))
    cost[rng.random((n, u)) < 0.15] = np.inf
    loads = rng.integers(1, 9, size=n).astype(float)
    caps = rng.integers(12, 40, size=u).astype(float)
    ks = C.integer_tables(loads, caps, u)
    lam = rng.uniform(0, 30, size=n)
    take = np.zeros((n, u, ks.width), dtype=bool)
    ref = C.knapsack(lam[:, None] - cost, ks, take)
    ct = np.ascontiguousarray(cost.T)
    got = K.knapsack_values(ct, lam, ks.loads, ks.caps)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-9)
    sets = K.knapsack_sets(ct, lam, ks.loads, ks.caps, np.arange(u))
    prof = np.where(np.isfinite(cost), lam[:, None] - cost, 0.0)
    for j in range(u):
        assert ks.loads[sets[:, j]].sum() <= ks.caps[j]
        assert np.isfinite(cost[sets[:, j], j]).all()
        assert prof[sets[:, j], j].sum() == pytest.approx(ref[j])
    # forced values: each (i, j) against enumeration on a small copy
    small = slice(0, 9)
    fv = K.forced_values(np.ascontiguousarray(cost[small].T), lam[small], ks.loads[small], ks.caps)
    for j in range(u):
        for i in range(9):
            if not np.isfinite(cost[i, j]) or ks.loads[i] > ks.caps[j]:
                assert fv[i, j] == -np.inf
                continue
            best = -np.inf
            others = [t for t in range(9) if t != i and np.isfinite(cost[t, j])]
            for r in range(len(others) + 1):
                for sub in combinations(others, r):
                    sub = list(sub)
                    if ks.loads[sub].sum() + ks.loads[i] <= ks.caps[j]:
                        best = max(best, float((lam[sub] - cost[sub, j]).sum()))
            assert fv[i, j] == pytest.approx(lam[i] - cost[i, j] + best)


@pytest.mark.parametrize("seed", range(4))
def test_restricted_mip_gives_a_feasible_single_source_solution(seed):
    cost, loads, fill = _instance(seed)
    n, u = cost.shape
    k = 3
    caps = np.full(u, np.ceil(loads.sum() / (k * fill)))
    fixed = np.zeros(u, bool)
    if seed % 2:
        fixed[0] = True
        caps[0] = np.ceil(0.3 * loads.sum())
    free = np.flatnonzero(~fixed)
    rank = np.where(fixed, np.inf, cost.sum(axis=0))
    # an incumbent: k free sites and their exact assignment
    inc = free[:k]
    open_sites = np.concatenate([np.flatnonzero(fixed), inc]).astype(np.int64)
    a = exact_assignment(cost, loads, caps, open_sites, None, time_limit=30)
    assert a is not None
    inc_val = float(cost[np.arange(n), open_sites[a]].sum())
    got = restricted_mip(cost, loads, caps, fixed, k, rank, incumbent=(inc, open_sites[a]),
                         time_limit=30)
    assert got is not None
    value, chosen, assign = got
    assert _feasible(cost, loads, caps, fixed, k, chosen, assign) == pytest.approx(value)
    assert value <= inc_val + 1e-9                       # the start is in its model
    assert value >= _optimum(cost, loads, caps, fixed, k) - 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_lagrangean_start_incumbent_is_feasible_and_bound_valid(seed):
    cost, loads, fill = _instance(seed + 10, n=20, u=8, fill=0.93)
    n, u = cost.shape
    k = 3
    caps = np.full(u, np.ceil(loads.sum() / (k * fill)))
    fixed = np.zeros(u, bool)
    import time
    t = time.perf_counter()
    pre = C.preprocess(cost, loads, caps, fixed, k, deadline=t + 5, probe_deadline=t + 8,
                       integral=True)
    assert np.isfinite(pre.value)
    assert _feasible(cost, loads, caps, fixed, k, pre.chosen, pre.assign) == pytest.approx(pre.value)
    opt = _optimum(cost, loads, caps, fixed, k)
    assert pre.bound <= opt + 1e-6 <= pre.value + 1e-6
    # the reductions keep the incumbent's pairs and never close its sites
    assert pre.keep[np.arange(n), pre.assign].all() and not pre.closed[pre.chosen].any()


def test_solve_with_loads_matches_brute_force():
    cost, loads, fill = _instance(31, n=20, u=7, fill=0.92)
    k = 3
    caps = np.full(7, np.ceil(loads.sum() / (k * fill)))
    opt = _optimum(cost, loads, caps, np.zeros(7, bool), k)
    res = PMedian.from_cost_matrix(cost, p=k, loads=loads, capacities=caps,
                                   single_source=True).solve(time_limit=60)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(opt)
    served = np.bincount(res.assignment, weights=loads, minlength=7)
    assert np.all(served <= caps + 1e-9)
