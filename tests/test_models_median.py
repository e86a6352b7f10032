"""p-median (plain and capacitated): hand-checked optima, errors (spopt: test_models_spopt.py)."""
from __future__ import annotations

import numpy as np
import pytest

from geo.errors import InfeasibleError, InputDataError
from planner.models import PMedian

from model_instances import random_costs

X_DEMAND = np.arange(6.0)
X_CAND = np.array([0.0, 2.0, 3.0, 5.0])
LINE = np.abs(X_DEMAND[:, None] - X_CAND[None, :])


def random_instance(seed: int, n: int = 50, m: int = 18):
    return random_costs(seed, n, m)


def brute_force(cost, w, p, existing=()):
    from itertools import combinations
    free = [j for j in range(cost.shape[1]) if j not in existing]
    best = np.inf
    for combo in combinations(free, p):
        cols = list(existing) + list(combo)
        best = min(best, float(w @ cost[:, cols].min(axis=1)))
    return best


def test_pmedian_line_hand_checked():
    # p = 1: site x=2 gives 2+1+0+1+2+3 = 9, x=3 gives 3+2+1+0+1+2 = 9 ->
    # 9 (tie); p = 2: sites x=0 & x=3 -> 0+1+1+0+1+2 = 5, x=2 & x=5 -> 2+1+0+1+1+0 = 5.
    res = PMedian.from_cost_matrix(LINE, p=1).solve()
    assert res.model == "pmedian" and res.status == "optimal" and res.objective == 9
    res = PMedian.from_cost_matrix(LINE, p=2).solve()
    assert res.objective == 5 and res.selected.size == 2
    assert np.all(res.selected[:-1] < res.selected[1:])          # ascending
    # Assignment = nearest open site, objective consistent with it.
    assert res.objective == pytest.approx(LINE[np.arange(6), res.assignment].sum())
    # Weights: a heavy point at x=5 pulls one median there.
    w = np.array([1, 1, 1, 1, 1, 100.0])
    res = PMedian.from_cost_matrix(LINE, p=1, weights=w).solve()
    assert res.selected.tolist() == [3] and res.objective == 5 + 4 + 3 + 2 + 1


def test_pmedian_existing_required_forbidden():
    res = PMedian.from_cost_matrix(LINE, p=1, existing=[3]).solve()
    # With x=5 open: adding x=2 gives 2+1+0+1+1+0 = 5, x=0 gives
    # 0+1+2+2+1+0 = 6, x=3 gives 3+2+1+0+1+0 = 7.
    assert res.objective == 5 and res.selected.tolist() == [1]
    assert res.open_sites.tolist() == [1, 3]
    res = PMedian.from_cost_matrix(LINE, p=1, existing=[3], forbidden=[1]).solve()
    assert res.objective == 6 and res.selected.tolist() == [0]
    res = PMedian.from_cost_matrix(LINE, p=2, required=[3]).solve()
    assert res.selected.tolist() == [1, 3] and res.objective == 5


@pytest.mark.parametrize("seed", range(3))
def test_pmedian_random_matches_brute_force(seed):
    cost, w = random_instance(seed, n=30, m=10)
    res = PMedian.from_cost_matrix(cost, p=3, weights=w, existing=[4]).solve()
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute_force(cost, w, 3, existing=(4,)))


def test_pmedian_groups_respected():
    cost, w = random_instance(7)
    groups = np.array(["a", "b", "c"])[np.arange(cost.shape[1]) % 3]
    free = PMedian.from_cost_matrix(cost, p=4, weights=w).solve()
    res = PMedian.from_cost_matrix(cost, p=4, weights=w, groups=groups,
                                   group_max={"a": 1, "b": 1}, group_min={"c": 2}).solve()
    g = groups[res.selected]
    assert (g == "a").sum() <= 1 and (g == "b").sum() <= 1 and (g == "c").sum() >= 2
    assert res.objective >= free.objective - 1e-9
    # Brute force over the allowed combinations.
    from itertools import combinations
    best = min(float(w @ cost[:, list(cb)].min(axis=1))
               for cb in combinations(range(cost.shape[1]), 4)
               if (groups[list(cb)] == "a").sum() <= 1 and (groups[list(cb)] == "b").sum() <= 1
               and (groups[list(cb)] == "c").sum() >= 2)
    assert res.objective == pytest.approx(best)


def test_pmedian_unreachable_pairs_are_never_used():
    cost, w = random_instance(5, n=30, m=10)
    cost = cost.copy()
    cost[:10, :5] = np.inf                    # first 10 points only reach sites 5..9
    res = PMedian.from_cost_matrix(cost, p=2, weights=w).solve()
    assert np.isfinite(res.objective)
    assert np.all(res.assignment[:10] >= 5)
    assert np.isfinite(cost[np.arange(30), res.assignment]).all()
    from itertools import combinations
    best = min(float(w @ cost[:, list(cb)].min(axis=1)) for cb in combinations(range(10), 2))
    assert res.objective == pytest.approx(best)


def test_pmedian_errors():
    cost = LINE.copy()
    cost[2, :] = np.inf
    with pytest.raises(InfeasibleError) as err:
        PMedian.from_cost_matrix(cost, p=1, demand_ids=list("abcdef"))
    assert err.value.details["demand"] == ["c"]
    with pytest.raises(InfeasibleError):
        PMedian.from_cost_matrix(LINE, p=5)
    with pytest.raises(InfeasibleError):
        PMedian.from_cost_matrix(LINE, p=1, required=[0, 1])
    with pytest.raises(InputDataError):
        PMedian.from_cost_matrix(LINE, p=1.5)
    with pytest.raises(InputDataError):
        PMedian.from_cost_matrix(LINE, p=1, existing=np.ones(3, bool))
    with pytest.raises(InfeasibleError) as err:
        PMedian.from_cost_matrix(LINE, p=1, groups=list("aabb"), group_min={"a": 1, "b": 1})
    assert "group" in err.value.en and "分组" in err.value.zh


# ------------------------------------------------------------------ capacitated
def test_capacitated_pmedian_hand_checked():
    cap = np.array([3.0, 3.0, 3.0, 3.0])
    # p = 2, each site takes 3 unit demands: x=0 & x=3 -> {0,1,2}->0 cost 0+1+2,
    # {3,4,5}->3 cost 0+1+2 = 6; x=2 & x=5 -> {0,1,2}:2+1+0, {3,4,5}:2+1+0 = 6.
    res = PMedian.from_cost_matrix(LINE, p=2, capacities=cap).solve()
    assert res.status == "optimal" and res.objective == pytest.approx(6.0)
    load = np.bincount(res.assignment, minlength=4)
    assert load.max() <= 3


def test_capacity_below_demand_is_infeasible():
    with pytest.raises(InfeasibleError) as err:
        PMedian.from_cost_matrix(LINE, p=1, capacities=np.full(4, 5.0))
    assert err.value.details["total_demand"] == 6 and err.value.details["max_capacity"] == 5
    assert "capacit" in err.value.en and "容量" in err.value.zh
    with pytest.raises(InfeasibleError):
        PMedian.from_cost_matrix(LINE, p=2, weights=[1, 1, 1, 1, 1, 9], capacities=np.full(4, 8.0),
                                 single_source=True)


def test_capacitated_split_vs_single_source():
    cost, w = random_instance(11, n=30, m=8)
    cap = np.full(8, w.sum() / 3 + 1)
    split = PMedian.from_cost_matrix(cost, p=4, weights=w, capacities=cap).solve()
    single = PMedian.from_cost_matrix(cost, p=4, weights=w, capacities=cap,
                                      single_source=True).solve()
    plain = PMedian.from_cost_matrix(cost, p=4, weights=w).solve()
    assert plain.objective <= split.objective + 1e-6 <= single.objective + 2e-6
    load = np.bincount(single.assignment, weights=w, minlength=8)
    assert np.all(load <= cap + 1e-6)


def test_capacitated_loads_separate_from_objective_weights():
    # Objective counts plain distance; loads fill capacities (Osman-Christofides).
    loads = np.array([1, 1, 1, 1, 1, 4.0])
    res = PMedian.from_cost_matrix(LINE, p=2, loads=loads, capacities=np.full(4, 5.0),
                                   single_source=True).solve()
    served = np.bincount(res.assignment, weights=loads, minlength=4)
    assert np.all(served <= 5.0)
    # Unconstrained optimum (5) puts x=5 and x=4 (load 5) and x=3 on one site;
    # with capacity 5 the best is still 5? check against brute force.
    from itertools import product
    best = np.inf
    for sites in [(a, b) for a in range(4) for b in range(a + 1, 4)]:
        for assign in product(sites, repeat=6):
            a = np.array(assign)
            if np.all(np.bincount(a, weights=loads, minlength=4) <= 5.0):
                best = min(best, float(LINE[np.arange(6), a].sum()))
    assert res.objective == pytest.approx(best)
