"""The location models against PySAL spopt (PuLP) on the same random matrices.

Skipped as a whole when spopt or PuLP is not installed; the models' own tests
(hand-checked optima, brute force, errors) are in the other test_models_*
files and run without it.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from planner.models import LSCP, MCLP, PCenter, PMedian

from model_instances import random_costs, spopt_solver

spopt_locate = pytest.importorskip("spopt.locate")
pulp = pytest.importorskip("pulp")


# The instance sizes each model's tests have always used.
def coverage_instance(seed: int, n: int = 60, m: int = 20):
    return random_costs(seed, n, m)


def median_instance(seed: int, n: int = 50, m: int = 18):
    return random_costs(seed, n, m)


def center_instance(seed: int, n: int = 50, m: int = 18):
    return random_costs(seed, n, m)[0]


# ------------------------------------------------------------------ LSCP, MCLP
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("with_existing", [False, True])
def test_coverage_models_match_spopt(seed, with_existing):
    cost, w = coverage_instance(seed)
    m = cost.shape[1]
    ex = np.zeros(m, bool)
    if with_existing:
        ex[np.random.default_rng(seed + 100).choice(m, 2, replace=False)] = True
    pre = ex.astype(int) if with_existing else None
    ne = int(ex.sum())
    radius = float(cost.min(axis=1).max()) + 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = spopt_locate.LSCP.from_cost_matrix(cost, radius, predefined_facilities_arr=pre)
        ref.solve(spopt_solver())
        ours = LSCP.from_cost_matrix(cost, radius=radius, existing=ex).solve()
        assert ours.status == "optimal"
        # spopt counts the predefined sites in its objective; we count new ones.
        assert ours.objective == pytest.approx(pulp.value(ref.problem.objective) - ne)
        assert ours.covered.all()

        ref = spopt_locate.MCLP.from_cost_matrix(cost, w, 25.0, 3 + ne,
                                                 predefined_facilities_arr=pre)
        ref.solve(spopt_solver())
        ours = MCLP.from_cost_matrix(cost, radius=25.0, p=3, weights=w, existing=ex).solve()
        assert ours.status == "optimal"
        assert ours.objective == pytest.approx(pulp.value(ref.problem.objective))
        # The objective is what the chosen sites really cover.
        within = (cost[:, ours.open_sites] <= 25.0).any(axis=1)
        assert ours.objective == pytest.approx(w[within].sum())


# ------------------------------------------------------------------ p-median
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("with_existing", [False, True])
def test_pmedian_matches_spopt(seed, with_existing):
    cost, w = median_instance(seed)
    m = cost.shape[1]
    ex = np.zeros(m, bool)
    if with_existing:
        ex[np.random.default_rng(seed + 100).choice(m, 2, replace=False)] = True
    ne = int(ex.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = spopt_locate.PMedian.from_cost_matrix(
            cost, w, 3 + ne, predefined_facilities_arr=ex.astype(int) if ne else None)
        ref.solve(spopt_solver())
    ours = PMedian.from_cost_matrix(cost, p=3, weights=w, existing=ex).solve()
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(pulp.value(ref.problem.objective), rel=1e-9)


@pytest.mark.parametrize("seed", range(2))
def test_capacitated_pmedian_matches_spopt(seed):
    cost, w = median_instance(seed, n=25, m=8)
    cap = np.full(8, np.ceil(w.sum() / 3) + 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = spopt_locate.PMedian.from_cost_matrix(cost, w, 4, facility_capacities=cap)
        ref.solve(spopt_solver())
    # spopt's assignment variables are binary: single-sourcing.
    ours = PMedian.from_cost_matrix(cost, p=4, weights=w, capacities=cap,
                                    single_source=True).solve()
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(pulp.value(ref.problem.objective), rel=1e-9)


# ------------------------------------------------------------------ p-center
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("with_existing", [False, True])
def test_pcenter_matches_spopt(seed, with_existing):
    cost = center_instance(seed, n=40, m=15)
    m = cost.shape[1]
    ex = np.zeros(m, bool)
    if with_existing:
        ex[np.random.default_rng(seed + 100).choice(m, 2, replace=False)] = True
    ne = int(ex.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = spopt_locate.PCenter.from_cost_matrix(
            cost, 3 + ne, predefined_facilities_arr=ex.astype(int) if ne else None)
        ref.solve(spopt_solver())
    ours = PCenter.from_cost_matrix(cost, p=3, existing=ex).solve()
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(pulp.value(ref.problem.objective), abs=1e-6)
