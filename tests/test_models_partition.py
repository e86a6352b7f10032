"""Branch-cut-and-price for the single-source capacitated p-median (branch_cut_price.py).

The compiled penalised-knapsack pricing is checked against enumeration; the
whole method against exhaustive search on small tight instances (so the
subset-row cuts, the branching and the pruning all have to be right) and
against HiGHS on the assignment model through PMedian.
"""
from itertools import combinations, product

import numpy as np
import pytest

from planner.models import PMedian, branch_cut_price, budget, pmedian_capacitated
from planner.models.pricing import enumerate_sets, price_sites


def _best_subset(prof, allowed, forced, loads, cap, cuts, pen):
    n = prof.size
    best = -np.inf
    for z in product([False, True], repeat=n):
        z = np.array(z)
        if (z & ~allowed).any() or (forced & ~z).any() or loads[z].sum() > cap:
            continue
        v = prof[z].sum() - (pen[z[cuts].sum(1) >= 2].sum() if len(cuts) else 0.0)
        best = max(best, v)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_pricing_matches_enumeration(seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n, u = int(rng.integers(3, 11)), 3
        prof = rng.normal(0, 5, (n, u))
        allowed = rng.random((n, u)) < 0.85
        forced = np.zeros((n, u), bool)
        if rng.random() < 0.4:
            forced[rng.integers(n), 1] = True
            allowed |= forced
        loads = rng.integers(1, 8, n)
        caps = rng.integers(5, 20, u)
        nc = int(rng.integers(0, 8))
        cuts = np.array([rng.choice(n, 3, replace=False) for _ in range(nc)], np.int64).reshape(nc, 3)
        pen = rng.random(nc) * 4 * (rng.random(nc) < 0.8)
        floors = np.full(u, rng.choice([-100.0, -1.0, 2.0]))
        vals, mem = price_sites(prof, allowed, forced, loads, caps, np.arange(u), floors, cuts, pen)
        for j in range(u):
            best = _best_subset(prof[:, j], allowed[:, j], forced[:, j], loads, caps[j], cuts, pen)
            if not np.isfinite(best):
                assert vals[j] == -np.inf
            elif best > floors[j] + 1e-9:
                assert vals[j] == pytest.approx(best)
                z = mem[j]
                # the returned set is feasible and worth what is reported
                assert loads[z].sum() <= caps[j] and not (z & ~allowed[:, j]).any()
                assert not (forced[:, j] & ~z).any()
                got = prof[z, j].sum() - (pen[z[cuts].sum(1) >= 2].sum() if nc else 0.0)
                assert got == pytest.approx(best)
            else:
                assert vals[j] == floors[j] and not mem[j].any()


@pytest.mark.parametrize("seed", range(3))
def test_enumeration_lists_exactly_the_sets_within_the_limit(seed):
    rng = np.random.default_rng(50 + seed)
    for _ in range(40):
        n, u = int(rng.integers(3, 10)), 3
        r = rng.normal(0, 4, (n, u))
        allowed = rng.random((n, u)) < 0.85
        loads = rng.integers(1, 8, n)
        caps = rng.integers(5, 20, u)
        nc = int(rng.integers(0, 6))
        cuts = np.array([rng.choice(n, 3, replace=False) for _ in range(nc)], np.int64).reshape(nc, 3)
        pen = rng.random(nc) * 4
        limits = rng.normal(0, 3, u)
        site, ptr, pts = enumerate_sets(r, allowed, loads, caps, np.arange(u), limits, cuts, pen,
                                        max_sets=10_000)
        got = {(int(j), tuple(sorted(pts[ptr[q]:ptr[q + 1]]))) for q, j in enumerate(site)}
        assert len(got) == site.size                      # no set twice
        want = set()
        for j in range(u):
            for z in product([False, True], repeat=n):
                z = np.array(z)
                if not z.any() or (z & ~allowed[:, j]).any() or loads[z].sum() > caps[j]:
                    continue
                v = r[z, j].sum() + (pen[z[cuts].sum(1) >= 2].sum() if nc else 0.0)
                if v <= limits[j] + 1e-9:
                    want.add((j, tuple(np.flatnonzero(z))))
        assert got == want
    # large sets (11 and 12 of 12 points): the point index grows to hold them
    site, ptr, pts = enumerate_sets(np.full((12, 1), -1.0), np.ones((12, 1), bool),
                                    np.ones(12, np.int64), np.array([12]), np.array([0]),
                                    np.array([-10.5]), np.zeros((0, 3), np.int64), np.zeros(0),
                                    max_sets=13)
    assert site.size == 13 and ptr[-1] == 12 * 11 + 12
    # too many sets: it says so instead of truncating
    assert enumerate_sets(np.full((12, 1), -1.0), np.ones((12, 1), bool), np.ones(12, np.int64),
                          np.array([12]), np.array([0]), np.array([0.0]), np.zeros((0, 3), np.int64),
                          np.zeros(0), max_sets=100) is None


def _brute_cpmp(cost, loads, caps, fixed, k):
    """Optimum over every site set (fixed plus k free) and every assignment."""
    n, u = cost.shape
    free = np.flatnonzero(~fixed)
    best = np.inf
    for sub in combinations(free, min(k, free.size)):
        open_ = np.concatenate([np.flatnonzero(fixed), sub]).astype(int)
        a = np.array(list(product(range(open_.size), repeat=n)))         # all assignments
        sites = open_[a]
        c = cost[np.arange(n), sites].sum(1)
        load = np.zeros((a.shape[0], u))
        np.add.at(load, (np.repeat(np.arange(a.shape[0]), n), sites.ravel()), np.tile(loads, a.shape[0]))
        ok = np.all(load <= caps, axis=1) & np.isfinite(c)
        if ok.any():
            best = min(best, float(c[ok].min()))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_branch_cut_price_matches_exhaustive_search(seed):
    rng = np.random.default_rng(100 + seed)
    n, u, k = 8, 5, 2
    xy = rng.uniform(0, 50, (n, 2))
    site = xy[rng.choice(n, u, replace=False)] + rng.normal(0, 3, (u, 2))
    integral = seed % 2 == 0
    cost = np.linalg.norm(xy[:, None] - site[None], axis=2) * rng.integers(1, 4, n)[:, None]
    if integral:
        cost = np.floor(cost)
    cost[rng.random((n, u)) < 0.1] = np.inf
    loads = rng.integers(2, 9, n)
    fixed = np.zeros(u, bool)
    fixed[0] = seed % 3 == 1
    opened = k + int(fixed.sum())
    caps = np.full(u, int(np.ceil(loads.sum() / opened / 0.93)))
    want = _brute_cpmp(cost, loads, caps, fixed, k)
    assert np.isfinite(want)
    out = branch_cut_price.solve(cost, loads, caps, fixed, k, allowed=np.isfinite(cost),
                                 closed=np.zeros(u, bool), incumbent=np.inf, incumbent_assign=None,
                                 integral=integral, gap=0.0, deadline=float("inf"))
    assert out.status == "optimal"
    assert out.value == pytest.approx(want)
    assert out.bound == pytest.approx(want)
    a = out.assign
    assert cost[np.arange(n), a].sum() == pytest.approx(want)
    assert np.all(np.bincount(a, weights=loads, minlength=u) <= caps)
    assert np.sum(~fixed[np.unique(a)]) <= k


def _hard(seed, n=30, u=10, k=4, fill=0.98):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n, 2))
    cost = np.floor(np.linalg.norm(xy[:, None] - xy[rng.choice(n, u, replace=False)][None], axis=2))
    cost *= rng.integers(1, 3, n)[:, None]
    loads = rng.integers(1, 15, n)
    return cost, loads, np.full(u, int(np.ceil(loads.sum() / (k * fill)))), k


_REFERENCE: dict = {}   # seed -> the assignment MIP's result, shared by the modes

MODES = {   # (MAX_ENUMERATED, ROOT_ROUNDS = NODE_ROUNDS, CUTS_PER_ROUND, ENUM_FIRST_GAP_UNITS)
    "enumeration, no cuts": (200_000, 0, 100, 2.0),
    "enumeration in widening steps": (200_000, 0, 100, 0.1),
    "tree, no cuts": (0, 0, 100, 2.0),
    "tree with a few cuts": (0, 1, 5, 2.0),
    "default": (branch_cut_price.MAX_ENUMERATED, branch_cut_price.ROOT_ROUNDS,
                branch_cut_price.CUTS_PER_ROUND, branch_cut_price.ENUM_FIRST_GAP_UNITS),
}


@pytest.mark.parametrize("mode", MODES)
def test_each_part_of_the_method_agrees_with_the_assignment_mip(monkeypatch, mode):
    # On small instances the set-partitioning LP (with cuts) is mostly integral
    # at the root; switching parts off makes the tree and the enumeration work.
    enum, rounds, per_round, first_gap = MODES[mode]
    used = {"nodes": 0, "cuts": 0, "enumerated": 0, "enum_mips": 0}
    for seed in range(2, 9):
        cost, loads, caps, k = _hard(seed)
        n, u = cost.shape
        if seed not in _REFERENCE:
            with monkeypatch.context() as mp:
                mp.setattr(pmedian_capacitated, "PRE_CELLS", 0)      # plain HiGHS assignment model
                ref = PMedian.from_cost_matrix(cost, p=k, loads=loads.astype(float),
                                               capacities=caps.astype(float),
                                               single_source=True).solve(time_limit=60)
            assert ref.status == "optimal"
            _REFERENCE[seed] = ref
        ref = _REFERENCE[seed]
        with monkeypatch.context() as mp:
            mp.setattr(branch_cut_price, "MAX_ENUMERATED", enum)
            mp.setattr(branch_cut_price, "ROOT_ROUNDS", rounds)
            mp.setattr(branch_cut_price, "NODE_ROUNDS", rounds)
            mp.setattr(branch_cut_price, "CUTS_PER_ROUND", per_round)
            mp.setattr(branch_cut_price, "ENUM_FIRST_GAP_UNITS", first_gap)
            out = branch_cut_price.solve(cost, loads, caps, np.zeros(u, bool), k,
                                         allowed=np.ones((n, u), bool), closed=np.zeros(u, bool),
                                         incumbent=np.inf, incumbent_assign=None, integral=True,
                                         gap=0.0, deadline=float("inf"))
        assert out.status == "optimal"
        assert out.value == pytest.approx(ref.objective)
        assert out.bound == pytest.approx(ref.objective)
        a = out.assign
        assert cost[np.arange(n), a].sum() == pytest.approx(ref.objective)
        assert np.all(np.bincount(a, weights=loads, minlength=u) <= caps)
        used["nodes"] = max(used["nodes"], out.stats["nodes"])
        used["cuts"] = max(used["cuts"], out.stats["cuts"])
        used["enumerated"] = max(used["enumerated"], out.stats.get("enumerated") or 0)
        used["enum_mips"] = max(used["enum_mips"], out.stats.get("enum_mips") or 0)
    if mode.startswith("tree"):
        assert used["nodes"] > 1                 # branching did happen
    if mode.startswith("enumeration"):
        assert used["enumerated"] > 0
    if mode == "enumeration in widening steps":
        assert used["enum_mips"] > 1         # a narrow first gap had to be widened
    if "cuts" in mode and "no cuts" not in mode:
        assert used["cuts"] > 0


def test_a_worse_incumbent_is_improved_and_a_passed_deadline_keeps_it():
    rng = np.random.default_rng(7)
    n, u, k = 8, 5, 2
    cost = np.floor(rng.uniform(0, 40, (n, u)))
    loads = rng.integers(2, 9, n)
    caps = np.full(u, int(np.ceil(loads.sum() / k / 0.9)))
    want = _brute_cpmp(cost, loads, caps, np.zeros(u, bool), k)
    common = dict(allowed=np.ones((n, u), bool), closed=np.zeros(u, bool), integral=True, gap=0.0)
    out = branch_cut_price.solve(cost, loads, caps, np.zeros(u, bool), k, incumbent=want + 25,
                                 incumbent_assign=None, deadline=float("inf"), **common)
    assert out.status == "optimal" and out.value == pytest.approx(want) and out.assign is not None
    late = branch_cut_price.solve(cost, loads, caps, np.zeros(u, bool), k, incumbent=want + 25,
                                  incumbent_assign=None, deadline=0.0, **common)
    assert late.status == "time_limit"
    assert late.value == want + 25 and late.assign is None
    assert late.bound <= want


def _tight(seed, n=30, m=10, p=4, fill=0.97):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    cost = np.floor(np.linalg.norm(xy[:, None] - xy[rng.choice(n, m, replace=False)][None], axis=2))
    loads = rng.integers(1, 15, size=n).astype(float)
    cap = np.full(m, np.ceil(loads.sum() / (p * fill)))
    return cost, loads, cap


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_engine_uses_it_and_agrees_with_the_assignment_mip(monkeypatch, seed):
    cost, loads, cap = _tight(seed)
    ex = np.zeros(cost.shape[1], bool)
    ex[3] = seed == 1

    def build():
        return PMedian.from_cost_matrix(cost, p=4, loads=loads, capacities=cap, existing=ex,
                                        single_source=True)

    with monkeypatch.context() as mp:
        # a Lagrangean start too short to prove anything leaves the proof to the tree
        mp.setattr(budget, "BCP_PRE_SHARE", 0.0005)
        mp.setattr(budget, "BCP_PROBE_SHARE", 0.001)
        ours = build().solve(time_limit=60)
    with monkeypatch.context() as mp:
        mp.setattr(pmedian_capacitated, "PRE_CELLS", 0)               # plain HiGHS assignment model
        ref = build().solve(time_limit=60)
    assert ours.details.get("method") == "branch-cut-and-price"
    assert ours.status == ref.status == "optimal"
    assert ours.objective == pytest.approx(ref.objective)
    assert ours.selected.size == 4
    served = np.bincount(ours.assignment, weights=loads, minlength=cost.shape[1])
    assert np.all(served <= cap + 1e-9)
    assert set(ours.assignment.tolist()) <= set(ours.open_sites.tolist())


def test_highs_takes_over_when_its_share_runs_out(monkeypatch):
    cost, loads, cap = _tight(0)

    def build():
        return PMedian.from_cost_matrix(cost, p=4, loads=loads, capacities=cap, single_source=True)

    with monkeypatch.context() as mp:
        mp.setattr(budget, "BCP_PRE_SHARE", 0.0005)
        mp.setattr(budget, "BCP_PROBE_SHARE", 0.001)
        mp.setattr(budget, "BCP_SHARE", 0.0)          # no time at all for the tree
        ours = build().solve(time_limit=60)
    with monkeypatch.context() as mp:
        mp.setattr(pmedian_capacitated, "PRE_CELLS", 0)
        ref = build().solve(time_limit=60)
    assert ours.details["method"] == "assignment MIP"
    assert ours.details["branch_cut_price"]["nodes"] <= 1
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(ref.objective)
    assert ours.selected.size == 4


def _master_lp(cost, loads, caps, k, opened):
    """The set-partitioning LP over every feasible set (empty ones too), by scipy's linprog."""
    from scipy.optimize import linprog
    n, u = cost.shape
    cols = [(j, z) for j in range(u) for z in product([0, 1], repeat=n)
            if np.dot(z, loads) <= caps[j]]
    c = [float(np.dot(z, cost[:, j])) for j, z in cols]
    a_eq = np.array([[z[i] for j, z in cols] for i in range(n)])
    site = np.array([[1.0 if j == s else 0.0 for j, _ in cols] for s in range(u)])
    a_ub = np.vstack([np.ones(len(cols))[None], site, -site[opened]])
    b_ub = np.concatenate([[k], np.ones(u), -np.ones(int(opened.sum()))])
    return linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.ones(n), bounds=(0, None)).fun


@pytest.mark.parametrize("seed", [19, 239, 7, 8])
def test_node_lp_with_opened_sites_equals_the_full_master_lp(seed):
    # A site opened by branching may best serve nobody; the master must allow
    # that (an empty column), or its LP bound is too high and prunes wrongly.
    rng = np.random.default_rng(seed)
    n, u, k = 6, 4, 2
    cost = np.floor(rng.uniform(0, 30, (n, u)))
    loads, caps = rng.integers(1, 6, n), rng.integers(4, 14, u)
    opened = np.zeros(u, bool)
    opened[rng.choice(u, k, replace=False)] = True
    bcp = branch_cut_price.BranchCutPrice(cost, loads, caps, np.zeros(u, bool), k, integral=True)
    node = branch_cut_price.Node(np.ones((n, u), bool), np.zeros((n, u), bool), opened, np.zeros(u, bool))
    bcp.set_node(node)
    st, z, x = bcp.column_generation(node, float("inf"), None)
    assert st == "lp"
    assert z == pytest.approx(_master_lp(cost, loads, caps, k, opened))
