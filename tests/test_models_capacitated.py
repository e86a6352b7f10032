"""Capacitated p-median: the Lagrangean knapsack bound, heuristic and reductions.

The dynamic programmes are checked against enumeration; the reduced solve
against the plain assignment MIP (the same HiGHS model without the
Lagrangean start, reductions or probing) on tight random instances.
"""
from itertools import combinations

import numpy as np
import pytest

from planner.models import PMedian
from planner.models import lagrangean_capacitated as C
from planner.models import pmedian_capacitated
from planner.models.heuristics_capacitated import assign_to_sites


def _knap_brute(profit, loads, cap):
    n = profit.size
    best = 0.0
    for r in range(1, n + 1):
        for sub in combinations(range(n), r):
            sub = list(sub)
            if loads[sub].sum() <= cap and np.all(np.isfinite(profit[sub])):
                best = max(best, float(profit[sub].sum()))
    return best


@pytest.mark.parametrize("seed", range(3))
def test_knapsack_and_forced_items_match_enumeration(seed):
    rng = np.random.default_rng(seed)
    n, u = 9, 4
    cost = rng.integers(0, 20, size=(n, u)).astype(float)
    cost[rng.random((n, u)) < 0.1] = np.inf          # some pairs unusable
    loads = rng.integers(1, 7, size=n).astype(float)
    caps = rng.integers(8, 16, size=u).astype(float)
    lam = rng.uniform(0, 20, size=n)
    ks = C.integer_tables(loads, caps, u)
    assert ks.exact
    take = np.zeros((n, u, ks.width), dtype=bool)
    prof = lam[:, None] - cost
    val = C.knapsack(prof, ks, take)
    x = C.backtrack(take, ks, np.arange(u))
    forced = C.forced_pair_values(cost, lam, ks)
    for j in range(u):
        assert val[j] == pytest.approx(_knap_brute(np.where(prof[:, j] > 0, prof[:, j], 0.0)
                                                   + np.where(np.isfinite(prof[:, j]), 0, -np.inf),
                                                   loads, caps[j]))
        # the backtracked set is feasible and worth the value
        assert loads[x[:, j]].sum() <= caps[j]
        assert prof[x[:, j], j].sum() == pytest.approx(val[j])
        for i in range(n):
            if not np.isfinite(cost[i, j]) or loads[i] > caps[j]:
                assert forced[i, j] == -np.inf
                continue
            rest = np.delete(np.arange(n), i)
            sub = prof[rest, j]
            want = prof[i, j] + _knap_brute(np.where(np.isfinite(sub), np.maximum(sub, 0), -np.inf),
                                            loads[rest], caps[j] - loads[i])
            assert forced[i, j] == pytest.approx(want)


def test_scaled_tables_keep_every_fitting_set():
    loads = np.array([0.35, 1.2, 2.71, 0.05])
    caps = np.array([3.0, 4.06])
    ks = C.integer_tables(loads, caps, 2)
    assert not ks.exact
    for j in range(2):
        for r in range(1, 5):
            for sub in combinations(range(4), r):
                if loads[list(sub)].sum() <= caps[j]:
                    assert ks.loads[list(sub)].sum() <= ks.caps[j]


def _instance(seed, n=26, m=9, fill=0.92, integer=True):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    site = xy[rng.choice(n, m, replace=False)]
    cost = np.linalg.norm(xy[:, None] - site[None], axis=2)
    if integer:
        cost = np.floor(cost)
    loads = rng.integers(1, 12, size=n).astype(float)
    return cost, loads, fill


def _plain(monkeypatch, build):
    with monkeypatch.context() as mp:
        mp.setattr(pmedian_capacitated, "PRE_CELLS", 0)
        return build().solve(time_limit=60)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("integer", [True, False])
def test_reduced_solve_matches_plain_mip(monkeypatch, seed, integer):
    cost, loads, fill = _instance(seed, integer=integer)
    p = 4
    cap = np.full(cost.shape[1], np.ceil(loads.sum() / (p * fill)))
    ex = np.zeros(cost.shape[1], bool)
    if seed % 2:
        ex[0] = True                      # an existing site with capacity
    forb = np.zeros(cost.shape[1], bool)
    forb[-1] = seed == 2

    def build():
        return PMedian.from_cost_matrix(cost, p=p, loads=loads, capacities=cap, existing=ex,
                                        forbidden=forb, single_source=True)

    ours = build().solve(time_limit=60)
    ref = _plain(monkeypatch, build)
    assert ours.status == ref.status == "optimal"
    assert ours.objective == pytest.approx(ref.objective, rel=1e-9)
    served = np.bincount(ours.assignment, weights=loads, minlength=cost.shape[1])
    assert np.all(served <= cap + 1e-9)
    assert set(np.flatnonzero(ex)) <= set(ours.open_sites.tolist())
    assert ours.details["lower_bound"] <= ours.objective + 1e-6
    assert ours.details["lagrangean_bound"] <= ours.objective + 1e-6
    # the reductions did remove pairs (so the comparison tests them)
    assert ours.details["reduced_pairs"] < cost.size


def test_lagrangean_bound_never_exceeds_optimum():
    for seed in range(5, 9):
        cost, loads, fill = _instance(seed, n=20, m=7)
        cap = np.full(7, np.ceil(loads.sum() / (3 * 0.95)))
        res = PMedian.from_cost_matrix(cost, p=3, loads=loads, capacities=cap,
                                       single_source=True).solve(time_limit=60)
        assert res.status == "optimal"
        assert res.details["lagrangean_bound"] <= res.objective + 1e-6


def test_group_limits_hold_with_the_heuristic(monkeypatch):
    cost, loads, fill = _instance(3, n=24, m=8)
    cap = np.full(8, np.ceil(loads.sum() / 3.5))
    groups = np.array(list("aaaabbbb"))

    def build():
        return PMedian.from_cost_matrix(cost, p=4, loads=loads, capacities=cap, groups=groups,
                                        group_max={"a": 1}, single_source=True)

    ours = build().solve(time_limit=60)
    ref = _plain(monkeypatch, build)
    assert (groups[ours.selected] == "a").sum() <= 1
    assert ours.objective == pytest.approx(ref.objective, rel=1e-9)


def test_split_demand_is_solved_without_the_knapsack_reductions(monkeypatch):
    cost, loads, fill = _instance(4, n=24, m=8, integer=False)
    cap = np.full(8, np.ceil(loads.sum() / 3.6))

    def build():
        return PMedian.from_cost_matrix(cost, p=4, loads=loads, capacities=cap)

    ours = build().solve(time_limit=60)
    ref = _plain(monkeypatch, build)
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(ref.objective, rel=1e-7)
    assert ours.details.get("reduced_pairs") is None    # the 0-1 knapsack bound is not valid


def test_assign_to_sites_respects_capacity_and_improves():
    cost, loads, _ = _instance(9, n=40, m=10)
    caps = np.full(10, np.ceil(loads.sum() / 4 / 0.9))
    open_sites = np.array([1, 4, 6, 8])
    a = assign_to_sites(cost, loads, caps, open_sites)
    assert a is not None
    load = np.bincount(a, weights=loads, minlength=4)
    assert np.all(load <= caps[open_sites] + 1e-9)
    # No single improving shift is left.
    c = cost[:, open_sites]
    cur = c[np.arange(40), a]
    for i in range(40):
        for j in range(4):
            if j != a[i] and load[j] + loads[i] <= caps[open_sites[j]] + 1e-9:
                assert c[i, j] >= cur[i] - 1e-9
