"""LSCP and MCLP: hand-checked optima, constraints, errors (spopt: test_models_spopt.py)."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from geo.errors import InfeasibleError, InputDataError
from planner.models import LSCP, MCLP, SolveResult

from model_instances import random_costs

# A line of 6 demand points at x = 0..5 and 4 candidates at x = 0, 2, 3, 5.
X_DEMAND = np.arange(6.0)
X_CAND = np.array([0.0, 2.0, 3.0, 5.0])
LINE = np.abs(X_DEMAND[:, None] - X_CAND[None, :])


def random_instance(seed: int, n: int = 60, m: int = 20):
    return random_costs(seed, n, m)


# ------------------------------------------------------------------ LSCP
def test_lscp_line_hand_checked():
    # radius 1: {0,1} needs site 0 (x=0) or 1 (x=2); x=5 demand needs site 3
    # (x=5).  Sites 0 (covers 0,1), 2 (x=3 covers 2,3,4) and 3 (covers 4,5)
    # is one of the 3-site covers; no 2 sites can cover 0..5 with radius 1.
    res = LSCP.from_cost_matrix(LINE, radius=1.0).solve()
    assert isinstance(res, SolveResult)
    assert res.model == "lscp" and res.status == "optimal"
    assert res.objective == 3 and res.selected.size == 3
    assert res.covered.all() and res.covered_share == 1.0
    # Every demand point is assigned to an open site within the radius.
    assert np.all(LINE[np.arange(6), res.assignment] <= 1.0)
    assert set(res.assignment) <= set(res.open_sites)
    assert res.mip_gap == 0.0 and set(res.seconds) == {"build", "solve", "total"}


def test_lscp_existing_sites_are_free_and_reported_open():
    res = LSCP.from_cost_matrix(LINE, radius=1.0, existing=[3]).solve()
    assert res.objective == 2                  # only 0..3 left to cover
    assert 3 in res.open_sites and 3 not in res.selected


def test_lscp_required_and_forbidden():
    res = LSCP.from_cost_matrix(LINE, radius=1.0, forbidden=[1]).solve()
    assert 1 not in res.selected and res.objective == 3
    res = LSCP.from_cost_matrix(LINE, radius=1.5, required=[1]).solve()
    assert 1 in res.selected
    with pytest.raises(InputDataError):
        LSCP.from_cost_matrix(LINE, radius=1.0, required=[1], forbidden=np.array([0, 1, 0, 0], bool))


def test_lscp_unreachable_demand_is_infeasible_with_ids():
    with pytest.raises(InfeasibleError) as err:
        LSCP.from_cost_matrix(LINE, radius=1.0, forbidden=[3],
                              demand_ids=[f"d{i}" for i in range(6)])
    e = err.value
    assert e.details["demand"] == ["d5"] and e.details["demand_index"] == [5]
    assert "radius" in e.message("en") and "半径" in e.message("zh")


def test_lscp_group_max_makes_it_infeasible():
    groups = ["a", "a", "a", "b"]
    with pytest.raises(InfeasibleError) as err:
        LSCP.from_cost_matrix(LINE, radius=1.0, groups=groups, group_max={"a": 1}).solve()
    assert err.value.details["status"] == "infeasible"
    res = LSCP.from_cost_matrix(LINE, radius=1.0, groups=groups, group_max={"a": 2}).solve()
    assert res.objective == 3
    assert np.isin(res.selected, [0, 1, 2]).sum() <= 2


def test_lscp_sparse_costs_missing_is_unreachable():
    dense = LINE.copy()
    s = sp.csr_matrix(np.where(dense <= 1.0, dense, 0.0))
    s.data[:] = dense[s.nonzero()]
    # Stored zeros (demand on a candidate) must stay reachable.
    rows, cols = np.nonzero(dense <= 1.0)
    s = sp.csr_matrix((dense[rows, cols], (rows, cols)), shape=dense.shape)
    assert (s.data == 0).any()
    assert LSCP.from_cost_matrix(s, radius=1.0).solve().objective == 3


# ------------------------------------------------------------------ MCLP
def test_mclp_line_hand_checked():
    w = np.array([1, 1, 1, 1, 1, 10.0])
    # p = 1, radius 1: site 3 (x=5) covers x=4,5 -> 11; site 2 (x=3) covers
    # 2,3,4 -> 3; site 1 covers 1,2,3 -> 3.
    res = MCLP.from_cost_matrix(LINE, radius=1.0, p=1, weights=w).solve()
    assert res.status == "optimal" and res.objective == 11
    assert res.selected.tolist() == [3]
    assert res.covered.tolist() == [False, False, False, False, True, True]
    assert res.assignment.tolist() == [-1, -1, -1, -1, 3, 3]
    assert res.covered_weight == 11 and res.covered_share == pytest.approx(11 / 15)
    # p = 2: add site 1 (covers 1,2,3) -> 14, sites listed by marginal gain.
    res = MCLP.from_cost_matrix(LINE, radius=1.0, p=2, weights=w).solve()
    assert res.objective == 14 and res.selected.tolist() == [3, 1]


def test_mclp_existing_count_as_open_not_in_p():
    w = np.array([1, 1, 1, 1, 1, 10.0])
    res = MCLP.from_cost_matrix(LINE, radius=1.0, p=1, weights=w, existing=[3]).solve()
    assert res.objective == 14 and res.selected.tolist() == [1]
    assert res.open_sites.tolist() == [1, 3]


def test_mclp_group_min_forces_choice():
    w = np.array([1, 1, 1, 1, 1, 10.0])
    groups = ["west", "west", "east", "east"]
    res = MCLP.from_cost_matrix(LINE, radius=1.0, p=2, weights=w, groups=groups,
                                group_min={"west": 2}).solve()
    assert sorted(res.selected.tolist()) == [0, 1] and res.objective == 4
    # One per group ("one per township"): int limit for every label.
    res = MCLP.from_cost_matrix(LINE, radius=1.0, p=2, weights=w, groups=groups,
                                group_max=1).solve()
    assert res.objective == 14 and sorted(res.selected.tolist()) == [1, 3]


def test_mclp_capacitated_limits_served_weight():
    w = np.array([1, 1, 1, 1, 1, 10.0])
    cap = np.array([100, 100, 100, 4.0])
    res = MCLP.from_cost_matrix(LINE, radius=1.0, p=1, weights=w, capacities=cap).solve()
    # Site 3 could serve 11 but holds 4; site 1/2 serve 3 -> best is 4 (split).
    assert res.objective == pytest.approx(4.0)
    res = MCLP.from_cost_matrix(LINE, radius=1.0, p=2, weights=w, capacities=cap).solve()
    assert res.objective == pytest.approx(7.0)
    # Single-source: demand 5 (weight 10) cannot go to a site of capacity 4.
    res = MCLP.from_cost_matrix(LINE, radius=1.0, p=1, weights=w, capacities=cap,
                                single_source=True).solve()
    assert res.objective == pytest.approx(3.0)


def test_mclp_p_too_large_is_infeasible():
    with pytest.raises(InfeasibleError) as err:
        MCLP.from_cost_matrix(LINE, radius=1.0, p=4, existing=[0])
    assert err.value.details["p"] == 4 and err.value.details["choosable"] == 3
    assert "p = 4" in err.value.zh


def test_mclp_bad_inputs():
    with pytest.raises(InputDataError):
        MCLP.from_cost_matrix(LINE, radius=None, p=1)
    with pytest.raises(InputDataError):
        MCLP.from_cost_matrix(LINE, radius=1.0, p=1, weights=np.ones(3))
    with pytest.raises(InputDataError):
        MCLP.from_cost_matrix(-LINE, radius=1.0, p=1)
    with pytest.raises(InputDataError):
        MCLP.from_cost_matrix(LINE[0], radius=1.0, p=1)


def test_heuristic_method_gives_a_feasible_answer():
    cost, w = random_instance(3)
    exact = MCLP.from_cost_matrix(cost, radius=25, p=4, weights=w).solve()
    heur = MCLP.from_cost_matrix(cost, radius=25, p=4, weights=w).solve(method="heuristic")
    assert heur.status == "feasible" and heur.selected.size == 4
    assert heur.objective <= exact.objective + 1e-9
    assert heur.objective >= 0.8 * exact.objective
