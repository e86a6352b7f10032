"""E2SFCA (planner.access) against PySAL `access`, an independent implementation, and on the region."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from access import Access, weights

from cli.main import main
from planner.access import analyse_access, decay, e2sfca
from planner.capacity import demand_villages
from planner.facility_types import get_type

# PySAL access 1.1.10 calls set_index(inplace=True), deprecated in pandas: its warning, not ours
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning",
                                        "ignore:The inplace keyword")


def _generated(seed: int, n: int = 60, m: int = 12):
    rng = np.random.default_rng(seed)
    xy_d, xy_s = rng.uniform(0, 10_000, (n, 2)), rng.uniform(0, 10_000, (m, 2))
    costs = np.hypot(xy_d[:, None, 0] - xy_s[None, :, 0], xy_d[:, None, 1] - xy_s[None, :, 1])
    demand = rng.integers(50, 3000, n).astype(float)
    supply = rng.integers(5, 120, m).astype(float)
    return demand, supply, costs


def _pysal(demand, supply, costs, d0, weight_fn) -> np.ndarray:
    n, m = costs.shape
    dem = pd.DataFrame({"geoid": range(n), "demand": demand})
    sup = pd.DataFrame({"geoid": range(m), "supply": supply})
    cost = pd.DataFrame([(i, j, costs[i, j]) for i in range(n) for j in range(m)], columns=["origin", "dest", "cost"])
    a = Access(demand_df=dem, demand_index="geoid", demand_value="demand",
               supply_df=sup, supply_index="geoid", supply_value="supply",
               cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost")
    out = a.enhanced_two_stage_fca(name="e2", cost="cost", max_cost=d0, weight_fn=weight_fn, normalize=False)
    return out.iloc[:, 0].reindex(range(n)).fillna(0.0).to_numpy()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stepped_e2sfca_equals_pysal_access(seed):
    demand, supply, costs = _generated(seed)
    d0 = 3000.0
    ours, _, _ = e2sfca(demand, supply, costs, np.full(len(demand), d0), "stepped")
    # Luo & Qi's zones as PySAL states them: weights at or below each threshold
    theirs = _pysal(demand, supply, costs, d0, weights.step_fn({d0 / 3: 1.0, 2 * d0 / 3: 0.68, d0: 0.22}))
    assert ours.max() > 0 and (costs > d0).any()  # some pairs lie beyond the catchment
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [4, 5])
def test_gaussian_e2sfca_equals_pysal_access(seed):
    demand, supply, costs = _generated(seed)
    d0 = 2500.0
    ours, _, _ = e2sfca(demand, supply, costs, np.full(len(demand), d0), "gaussian")
    theirs = _pysal(demand, supply, costs, d0, weights.gaussian(d0 / 2))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_decay_zones_and_catchment_per_unit():
    costs = np.array([[0.0, 1000, 1001, 2000, 2999, 3000, 3001]])
    np.testing.assert_allclose(decay(costs, [3000.0], "stepped"), [[1, 1, 0.68, 0.68, 0.22, 0.22, 0]])
    # an urban unit with a 1 km catchment does not reach what a rural one reaches
    two = np.array([[800.0, 1500.0], [800.0, 1500.0]])
    w = decay(two, [1000.0, 3000.0], "stepped")
    assert w[0, 1] == 0 and w[1, 1] == 0.68


def test_e2sfca_conserves_supply_that_someone_reaches():
    demand, supply, costs = _generated(7)
    acc, ratio, load = e2sfca(demand, supply, costs, np.full(len(demand), 3000.0), "gaussian")
    reached = load > 0
    assert (demand * acc).sum() == pytest.approx(supply[reached].sum(), rel=1e-12)
    assert (ratio[~reached] == 0).all()


def test_region_access_welfare_home(shiyan):
    rep = analyse_access(shiyan, "welfare_home")
    d = rep.to_dict("en")
    json.dumps(d, allow_nan=False)
    assert d["method"] == "E2SFCA" and "0.68" in d["weight_text"]
    # a rural welfare home's demand: the villages of towns and townships, no urban subdistrict's
    assert len(d["units"]) == len(demand_villages(shiyan, get_type("welfare_home"))) < len(shiyan.villages)
    # weighted mean access equals the capacity that villages reach, per 1,000
    reached = rep.sites["weighted_demand"] > 0
    assert rep.citywide["access_per_1000"] * rep.citywide["demand"] / 1000 == pytest.approx(
        rep.sites.loc[reached, "capacity"].sum(), rel=1e-6)
    gj = rep.to_geojson("zh")
    assert gj["features"][0]["geometry"]["type"] == "Point" and gj["coverplan"]["synthetic_inputs"]


def test_cli_access_json_and_csv(capsys, tmp_path):
    out = tmp_path / "a.csv"
    assert main(["access", "--type", "day_care", "--weight", "gaussian", "--json", "--out", str(out)]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["weight"] == "gaussian" and res["catchment"] == {"urban": 1000.0, "rural": 3000.0, "unit": "m"}
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"id": str}, skiprows=1)  # row 1: the title (示意)
    assert len(table) == len(res["units"]) and "可达性指数（每千名60岁以上老人日托位）" in table


def test_cli_access_type_without_capacity(capsys):
    assert main(["access", "--type", "charity_station", "--json"]) == 2
    assert "capacity" in json.loads(capsys.readouterr().out)["message_en"]
