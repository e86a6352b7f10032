"""Coverage, checklist and proposals checked by hand on a tiny region, then on Shiyan."""
from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from planner.checklist import check_townships
from planner.coverage import analyse_coverage
from planner.proposals import load_proposal_sites, propose
from planner.targets import plan_targets
from small_region import small_region

# day_care: 1 km urban / 3 km rural; estimate = straight line x 1.3 (urban) or 1.6 (rural)


def test_coverage_by_hand():
    region = small_region([("F1", "day_care", 1000, 5000, "999901001"),
                           ("F2", "day_care", 12_000, 5000, "999901101")])
    cov = analyse_coverage(region, "day_care")
    u = cov.units.set_index("id")
    # V1 at the facility; V2 900 m x 1.3 = 1170 m > 1000 m urban standard
    assert u.loc["V1", "cost"] == pytest.approx(0, abs=1)
    assert u.loc["V2", "cost"] == pytest.approx(1170, rel=1e-3)
    assert not u.loc["V2", "covered"]
    # V4 1.5 km x 1.6 = 2.4 km <= 3 km; V5 4 km x 1.6 = 6.4 km > 3 km
    assert u.loc["V4", "cost"] == pytest.approx(2400, rel=1e-3) and u.loc["V4", "covered"]
    assert u.loc["V5", "cost"] == pytest.approx(6400, rel=1e-3) and not u.loc["V5", "covered"]
    s = cov.summary
    assert (s["units"], s["covered_units"]) == (5, 3)
    assert (s["weight"], s["covered_weight"]) == (300, 40 + 50 + 70)
    assert s["covered_share"] == pytest.approx(160 / 300)
    west = cov.by_township.loc["999901001"]
    assert (west["units"], west["covered_units"], west["covered_weight"]) == (2, 1, 40)
    assert cov.by_county.loc["999901", "weight"] == 300


def test_checklist_reasons_by_hand():
    region = small_region([("F2", "day_care", 12_000, 5000, "999901101")])
    rows = check_townships(region, "day_care").set_index("township_code")
    west, east = rows.loc["999901001"], rows.loc["999901101"]
    assert west["status"] == "not_met" and "no facility" in west["reason_en"]
    assert east["status"] == "not_met" and "1 of 3 units uncovered" in east["reason_en"]
    assert "6.4 km" in east["reason_en"] and "6.4公里" in east["reason_zh"]
    # elderly complex rule: one inside the township
    region = small_region([("C1", "elderly_complex", 15_000, 5000, "999901101")])
    rows = check_townships(region, "elderly_complex").set_index("township_code")
    assert rows.loc["999901101", "status"] == "met"
    assert rows.loc["999901001", "status"] == "not_met"


def test_full_coverage_proposal_makes_the_checklist_pass_small():
    region = small_region([("F2", "day_care", 12_000, 5000, "999901101")])
    prop = propose(region, "day_care", model="lscp")
    assert prop.solver["status"] == "optimal"
    # V1 and V2 are 1170 m apart (> 1 km): two urban sites; V5 needs its own: 3 new sites
    assert len(prop.sites) == 3
    rows = check_townships(region, "day_care", extra_sites=prop.sites)
    assert (rows["status"] == "met").all()
    assert prop.after["covered_share"] == 1.0


def test_pmedian_proposal_matches_brute_force():
    region = small_region([("F2", "day_care", 12_000, 5000, "999901101")])
    prop = propose(region, "day_care", model="pmedian", p=2)
    u = prop.units_after
    cost_matrix = _brute_costs(region)
    w = u["weight"].to_numpy(float)
    best = min(
        (w * np.minimum(cost_matrix[:, [0]].min(axis=1), cost_matrix[:, list(c)].min(axis=1))).sum()
        for c in itertools.combinations(range(1, cost_matrix.shape[1]), 2))
    assert prop.solver["objective"] == pytest.approx(best, rel=1e-6)


def _brute_costs(region):
    """Estimate costs (units x [existing F2, candidate villages]) computed independently."""
    from geo.crs import to_metric
    v = to_metric(region.villages)
    f = to_metric(region.facilities)
    pts = np.vstack([np.column_stack([f.geometry.x, f.geometry.y]),
                     np.column_stack([v.geometry.x, v.geometry.y])])
    vx = np.column_stack([v.geometry.x, v.geometry.y])
    d = np.hypot(vx[:, None, 0] - pts[None, :, 0], vx[:, None, 1] - pts[None, :, 1])
    detour = np.where(region.villages["urban"].to_numpy(), 1.3, 1.6)[:, None]
    return d * detour


def test_proposal_priorities_are_non_increasing_and_geojson_round_trips(tmp_path):
    region = small_region([])
    prop = propose(region, "day_care", model="mclp", p=3)
    added = prop.sites["added_weight"].to_numpy()
    assert (np.diff(added) <= 1e-9).all() and (added > 0).all()
    assert prop.sites["priority"].tolist() == [1, 2, 3]
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps(prop.to_geojson(), ensure_ascii=False), encoding="utf-8")
    back = load_proposal_sites(path)
    assert back["type"] == "day_care" and len(back["sites"]) == 3
    for field in ("priority", "added_weight", "farthest_cost", "township_name", "nearest_existing_id"):
        assert field in back["sites"].columns


# --- on the embedded Shiyan region -------------------------------------------------


def test_elderly_complex_eight_sites_in_eight_townships_lacking_one(shiyan):
    prop = propose(shiyan, "elderly_complex", p=8)
    s = prop.sites
    assert len(s) == 8 and s["township_code"].nunique() == 8
    have = set(shiyan.facilities.loc[shiyan.facilities["facility_type"] == "elderly_complex", "township_code"])
    assert not set(s["township_code"]) & have
    assert (s["added_weight"] > 0).all()
    assert (np.diff(s["added_weight"].to_numpy()) <= 1e-9).all()
    assert s["priority"].tolist() == list(range(1, 9))
    assert prop.after["covered_weight"] == prop.before["covered_weight"] + s["added_weight"].sum()


def test_day_care_lscp_reaches_every_village_and_the_checklist_passes(shiyan):
    prop = propose(shiyan, "day_care", model="lscp")
    assert prop.after["unit_share"] == 1.0 and prop.after["covered_share"] == 1.0
    rows = check_townships(shiyan, "day_care", extra_sites=prop.sites)
    assert len(rows) == 129 and (rows["status"] == "met").all()
    before = check_townships(shiyan, "day_care")
    assert (before["status"] == "not_met").any()


def test_numbers_add_up_to_the_census(shiyan):
    cov = analyse_coverage(shiyan, "elderly_complex")
    assert cov.summary["weight"] == 610_589
    assert cov.by_county["weight"].sum() == 610_589
    assert cov.by_township["weight"].sum() == 610_589
    assert cov.by_township["covered_weight"].sum() == cov.summary["covered_weight"]
    assert cov.by_township["units"].sum() == 1979


def test_targets_now_and_after_a_proposal(shiyan):
    now = {t["key"]: t for t in plan_targets(shiyan)}
    assert now["day_care_full_coverage"]["status"] == "not_met"
    assert now["elderly_complex_new_2025"]["value"] == 0
    prop = propose(shiyan, "elderly_complex", p=8)
    after = {t["key"]: t for t in plan_targets(shiyan, proposals=[prop.applied()])}
    t = after["elderly_complex_new_2025"]
    assert t["after"]["value"] == 8 and t["after"]["status"] == "met"
    share = after["elderly_complex_every_township"]
    assert share["after"]["numbers"]["townships_with_facility"] == \
        share["numbers"]["townships_with_facility"] + 8


def test_unknown_type_and_bad_parameters_are_clear(shiyan):
    from geo.errors import InputDataError, UnknownTypeError
    with pytest.raises(UnknownTypeError) as e:
        analyse_coverage(shiyan, "spa")
    assert "elderly_complex" in e.value.message("en") and "未知" in e.value.message("zh")
    with pytest.raises(InputDataError):
        propose(shiyan, "elderly_complex", p=0)
    with pytest.raises(InputDataError):
        propose(shiyan, "elderly_complex", standard=-5)
