"""p-center: hand-checked optima, brute force, constraints, errors (spopt: test_models_spopt.py)."""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp

from geo.errors import InfeasibleError
from planner.models import PCenter, SolveResult

from model_instances import random_costs

X_DEMAND = np.arange(6.0)
X_CAND = np.array([0.0, 2.0, 3.0, 5.0])
LINE = np.abs(X_DEMAND[:, None] - X_CAND[None, :])


def random_instance(seed: int, n: int = 50, m: int = 18):
    return random_costs(seed, n, m)[0]


def brute(cost, p, existing=(), ok=lambda cols: True):
    free = [j for j in range(cost.shape[1]) if j not in existing]
    return min(float(cost[:, list(existing) + list(cb)].min(axis=1).max())
               for cb in combinations(free, p) if ok(cb))


def test_pcenter_line_hand_checked():
    # p = 1: x=2 or x=3 -> worst 3; p = 2: x=2 & x=5 -> worst 2 (x=0), and
    # no pair gives 1 (0..5 needs 3 sites of radius 1); p = 3: 1.
    res = PCenter.from_cost_matrix(LINE, p=1).solve()
    assert isinstance(res, SolveResult) and res.model == "pcenter"
    assert res.status == "optimal" and res.objective == 3
    res = PCenter.from_cost_matrix(LINE, p=2).solve()
    assert res.objective == 2 and res.mip_gap == 0.0
    assert res.objective == LINE[np.arange(6), res.assignment].max()
    res = PCenter.from_cost_matrix(LINE, p=3).solve()
    assert res.objective == 1


def test_pcenter_existing_and_forbidden():
    res = PCenter.from_cost_matrix(LINE, p=1, existing=[0]).solve()
    # With x=0 open: adding x=3 or x=5 leaves a worst cost of 2, x=2 leaves 3.
    assert res.objective == 2 and res.selected.tolist() in ([2], [3])
    assert 0 in res.open_sites
    res = PCenter.from_cost_matrix(LINE, p=1, existing=[0], forbidden=[2, 3]).solve()
    assert res.objective == 3 and res.selected.tolist() == [1]


@pytest.mark.parametrize("seed", range(3))
def test_pcenter_random_matches_brute_force(seed):
    cost = random_instance(seed, n=40, m=12)
    res = PCenter.from_cost_matrix(cost, p=3, existing=[0]).solve()
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute(cost, 3, existing=(0,)))


def test_pcenter_groups():
    cost = random_instance(4, n=40, m=12)
    groups = np.arange(12) % 4
    res = PCenter.from_cost_matrix(cost, p=4, groups=groups, group_max=1).solve()
    assert sorted(groups[res.selected].tolist()) == [0, 1, 2, 3]      # one per group
    best = brute(cost, 4, ok=lambda cb: len(set(groups[list(cb)])) == 4)
    assert res.objective == pytest.approx(best)


def test_pcenter_sparse_and_errors():
    cost = random_instance(5, n=20, m=6)
    s = sp.csr_matrix(cost)
    assert PCenter.from_cost_matrix(s, p=2).solve().objective == pytest.approx(brute(cost, 2))
    bad = cost.copy()
    bad[3] = np.inf
    with pytest.raises(InfeasibleError) as err:
        PCenter.from_cost_matrix(bad, p=2)
    assert err.value.details["demand_index"] == [3]
    with pytest.raises(InfeasibleError):
        PCenter.from_cost_matrix(cost, p=7)


def test_pcenter_time_limit_reports_status():
    cost = random_instance(6, n=200, m=60)
    res = PCenter.from_cost_matrix(cost, p=8).solve(time_limit=1e-3)
    assert res.status in ("time_limit", "optimal")
    assert res.selected.size == 8 and np.isfinite(res.objective)
    if res.status == "time_limit":
        assert res.mip_gap > 0
