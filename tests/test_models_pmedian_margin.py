"""Uncapacitated p-median: the Lagrangean branch and bound (planner/models/median_tree.py).

Every optimum is checked against brute force over all site sets; the node
bound and the probing are checked to be valid (never above the best solution
they claim to bound).
"""
from __future__ import annotations

import time
from itertools import combinations

import numpy as np
import pytest

from planner.models import PMedian
from planner.models import median_tree as T

from model_instances import random_costs


def _brute(c, fixed_c, k, must=(), never=()):
    """Cheapest weighted cost of k open columns (including ``must``, avoiding ``never``)."""
    free = [j for j in range(c.shape[1]) if j not in must and j not in never]
    best, arg = np.inf, None
    for combo in combinations(free, k - len(must)):
        cols = list(must) + list(combo)
        v = float(np.minimum(fixed_c, c[:, cols].min(axis=1)).sum())
        if v < best:
            best, arg = v, cols
    return best, arg


def _instance(seed, n=30, m=12, integer=True, fixed=False):
    cost, w = random_costs(seed, n, m)
    if integer:
        cost = np.floor(cost)
    c = w[:, None] * cost
    fixed_c = np.full(n, np.inf)
    if fixed:
        # an always-open site that is not among the columns
        fixed_c = w * np.floor(np.random.default_rng(seed).uniform(20, 90, n))
    return c, fixed_c


def _start_lam(c, fixed_c):
    srt = np.sort(c, axis=1)
    return np.minimum(srt[:, 1], fixed_c)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("integer", [True, False])
def test_tree_finds_brute_force_optimum_from_a_poor_incumbent(seed, integer):
    c, fixed_c = _instance(seed, integer=integer, fixed=seed % 3 == 1)
    k = 2 + seed % 3
    opt, _ = _brute(c, fixed_c, k)
    # The worst k columns as incumbent: the tree must find better solutions itself.
    bad = np.argsort(c.sum(axis=0))[-k:]
    ub = float(np.minimum(fixed_c, c[:, bad].min(axis=1)).sum())
    out = T.branch_and_bound(c, fixed_c, k=k, closed=np.zeros(c.shape[1], bool),
                             lam0=_start_lam(c, fixed_c), ub=ub, ub_sites=bad, integral=integer,
                             deadline=time.perf_counter() + 60)
    assert out.proven
    assert out.value == pytest.approx(opt, rel=1e-12)
    assert out.sites.size == k
    assert float(np.minimum(fixed_c, c[:, out.sites].min(axis=1)).sum()) == pytest.approx(opt)
    assert out.bound <= opt + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_node_bound_never_exceeds_the_best_solution_of_its_node(seed):
    c, fixed_c = _instance(seed + 10, n=24, m=10, integer=False)
    k = 3
    rng = np.random.default_rng(seed)
    cs, cj = T.sorted_costs(c)
    for _ in range(5):
        state = np.zeros(c.shape[1], np.int8)
        pick = rng.choice(c.shape[1], 3, replace=False)
        state[pick[0]] = 1
        state[pick[1:]] = -1
        opt, _ = _brute(c, fixed_c, k, must=[pick[0]], never=list(pick[1:]))
        lam = _start_lam(c, fixed_c)
        bound, rho, chosen, _freq, its, _feas = T.node_bound(
            cs, cj, fixed_c, state, lam, k, opt * 1.01, np.inf, 200, 5, 1.0)
        assert its > 1
        assert bound <= opt + 1e-7 * opt
        assert chosen.sum() == k and chosen[pick[0]] and not chosen[pick[1:]].any()
        assert np.isinf(rho[pick[1:]]).all()


@pytest.mark.parametrize("seed", range(4))
def test_probing_closes_only_sites_no_better_solution_opens(seed):
    c, fixed_c = _instance(seed + 20, n=30, m=12, integer=True)
    k = 3
    opt, arg = _brute(c, fixed_c, k)
    closed = T.probe(c, fixed_c, _start_lam(c, fixed_c), k=k, alive=np.ones(12, bool),
                     keep=np.isin(np.arange(12), arg), order=np.arange(12), ub=opt,
                     integral=True, deadline=time.perf_counter() + 30)
    assert closed.any()                         # the test exercises something
    for j in np.flatnonzero(closed):
        with_j, _ = _brute(c, fixed_c, k, must=[j])
        # no solution opening j beats the optimum (whole-number costs: by 1)
        assert with_j > opt - 1 + 1e-9


def test_stopped_tree_reports_a_valid_bound():
    c, fixed_c = _instance(3, n=40, m=16, integer=False)
    k = 4
    opt, _ = _brute(c, fixed_c, k)
    out = T.branch_and_bound(c, fixed_c, k=k, closed=np.zeros(16, bool),
                             lam0=_start_lam(c, fixed_c), ub=np.inf, ub_sites=None,
                             integral=False, deadline=time.perf_counter() - 1.0)
    assert not out.proven and out.nodes == 0
    assert out.bound <= opt


@pytest.mark.parametrize("seed", range(5))
def test_pmedian_solve_through_the_tree_matches_brute_force(seed, monkeypatch):
    # Large enough that the Lagrangean bound alone does not prove the incumbent,
    # so the tree runs; with the radius MIP's threshold at 0 nothing else could prove it.
    cost, w = random_costs(seed + 40, 45, 16)
    p = 3 + seed % 3
    opt, _ = _brute(w[:, None] * cost, np.full(45, np.inf), p)
    res = PMedian.from_cost_matrix(cost, p=p, weights=w).solve(time_limit=60)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(opt, rel=1e-9)
    assert res.details["lower_bound"] <= res.objective + 1e-6


def test_pmedian_tree_is_what_proves_when_the_bound_does_not():
    # Find an instance whose Lagrangean bound leaves a gap: the tree runs and proves it.
    for seed in range(60, 90):
        cost, w = random_costs(seed, 40, 14)
        res = PMedian.from_cost_matrix(cost, p=4, weights=w).solve(time_limit=60)
        tree = res.details.get("tree")
        if tree is not None:
            opt, _ = _brute(w[:, None] * cost, np.full(40, np.inf), 4)
            assert tree["proven"] and tree["nodes"] >= 1
            assert res.status == "optimal" and res.objective == pytest.approx(opt, rel=1e-9)
            assert res.details["iterations"] == 0          # no radius MIP was needed
            return
    pytest.fail("no instance needed the tree")


def test_radius_mip_takes_over_when_the_tree_has_no_time(monkeypatch):
    from planner.models import pmedian
    monkeypatch.setattr(pmedian, "TREE_SHARE", 0.0)
    for seed in range(60, 90):
        cost, w = random_costs(seed, 40, 14)
        res = PMedian.from_cost_matrix(cost, p=4, weights=w).solve(time_limit=60)
        tree = res.details.get("tree")
        if tree is not None:
            opt, _ = _brute(w[:, None] * cost, np.full(40, np.inf), 4)
            assert not tree["proven"] and tree["nodes"] == 0
            assert res.details["iterations"] >= 1              # the radius MIP ran
            assert res.status == "optimal" and res.objective == pytest.approx(opt, rel=1e-9)
            return
    pytest.fail("no instance needed the tree")
