"""QA sweep 21: a package's upgrades and conversions count only facilities that are in the current data."""
from __future__ import annotations

import pytest

from geo.regions import load_region
from planner.coverage import existing_facilities
from planner.facility_types import load_facility_types
from planner.targets import after_notes, plan_targets


@pytest.fixture(scope="module")
def region():
    return load_region("shiyan")


def _row(rows, key):
    return next(r for r in rows if r["key"] == key)


def _homes(region):
    return existing_facilities(region, load_facility_types()["welfare_home"], None)


def test_upgrades_solved_on_older_data_count_only_the_homes_still_there(region):
    homes = _homes(region)
    upgrade = {"kind": "upgrade", "type": "welfare_home", "sites": homes.iloc[:5]}
    # the data now: a register of 3 homes, two of them among the 5 upgraded (ids kept), one new
    reg = region.facilities
    now = reg[(reg["facility_type"] != "welfare_home") | reg["id"].isin(homes["id"].iloc[3:6])].copy()
    rows = plan_targets(region, proposals=[upgrade], facilities=now, types={"welfare_home"})
    after = _row(rows, "welfare_home_upgraded_2025")["after"]
    # 5 of 5 "met" before: the three that are gone were counted as upgraded
    assert after["sites_upgraded"] == 2 and after["value"] == 2 and after["status"] == "not_met", after
    assert after["sites_not_in_data"] == 3
    assert any("3 of the proposals' facilities are not in the current data" in n for n in after_notes(after, "en"))
    assert any("3 处设施不在当前数据中" in n for n in after_notes(after, "zh"))
    # on the data the proposal was solved on, all five count and nothing is said
    same = _row(plan_targets(region, proposals=[upgrade], types={"welfare_home"}), "welfare_home_upgraded_2025")
    assert same["after"]["sites_upgraded"] == 5 and not same["after"]["sites_not_in_data"]
    assert not any("not in the current data" in n for n in after_notes(same["after"], "en"))


def test_conversions_of_homes_no_longer_in_the_data_are_not_counted(region):
    homes = _homes(region)
    convert = {"kind": "upgrade", "type": "welfare_home", "role": "regional_center", "sites": homes.iloc[:4]}
    reg = region.facilities
    now = reg[(reg["facility_type"] != "welfare_home") | reg["id"].isin(homes["id"].iloc[2:])].copy()
    rows = plan_targets(region, proposals=[convert], facilities=now, types={"regional_center"})
    conv = next(r for r in rows if r["kind"] == "converted")
    assert conv["after"]["sites_converted"] == 2 and conv["after"]["sites_not_in_data"] == 2, conv["after"]


def test_a_conversion_says_its_demand_is_the_new_types(region):
    from planner.upgrades import propose_upgrades

    up = propose_upgrades(region, "welfare_home", 3)
    conv = propose_upgrades(region, "welfare_home", 3, conversion=True)
    # two totals of "people aged 80+" side by side on the map's card, with no word why they differ
    assert up.before["demand"] != conv.before["demand"]
    said = [n for n in conv.notes if "a different base" in n["en"]]
    assert len(said) == 1 and f"{conv.before['demand']:,.0f} in all" in said[0]["en"]
    assert f"共 {conv.before['demand']:,.0f} 人" in said[0]["zh"] and "名80" not in said[0]["zh"]
    assert not [n for n in up.notes if "a different base" in n["en"]]


def test_a_coverage_model_on_a_fully_covered_scope_says_the_sites_add_no_coverage(region):
    import dataclasses

    from planner.proposals import propose

    ft = dataclasses.replace(load_facility_types()["welfare_home"], demand_counties=("420325",))
    prop = propose(region, ft, model="mclp", p=3)
    assert prop.before["covered_share"] == 1.0 and len(prop.sites)
    # three sites, each "+0 covered", and the explanation box was empty
    assert prop.explanation["already_covered"] is True
    assert "already covered at this standard" in prop.explanation["explanation_en"]
    assert "已全部覆盖" in prop.explanation["explanation_zh"]
    # not where some are left out
    open_ = propose(region, "elderly_complex", model="mclp", p=2)
    assert not open_.explanation.get("already_covered")


def test_sizes_given_out_of_order_keep_their_costs():
    from geo.errors import InputDataError
    from planner.sizing import sized_classes

    # "100,30" with "750,300" was solved as size 30 at 750 and size 100 at 300
    assert sized_classes("100,30", [750, 300]) == ([30.0, 100.0], [300.0, 750.0])
    assert sized_classes([60, 30, 100], None) == ([30.0, 60.0, 100.0], None)
    with pytest.raises(InputDataError, match="given twice"):
        sized_classes("30,30", [300, 400])
    with pytest.raises(InputDataError, match="one cost per size"):
        sized_classes("30,60", [300])


def test_the_web_form_stores_sizes_and_costs_sorted_together(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "CSRF_ENABLED": False})
    try:
        resp = app.test_client().post("/api/proposals?wait=0", json={
            "type": "elderly_complex", "kind": "sized", "sizes": "100,30", "costs": "750,300", "budget_sites": 1,
            "time_limit": 5})
        assert resp.status_code in (201, 202), resp.get_json()
        params = resp.get_json()["params"]
        assert params["sizes"] == [30.0, 100.0] and params["size_costs"] == [300.0, 750.0], params
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_facilities_two_proposals_share_are_one_facility_gone(region):
    homes = _homes(region)
    a = {"kind": "upgrade", "type": "welfare_home", "sites": homes.iloc[:5]}
    b = {"kind": "upgrade", "type": "welfare_home", "sites": homes.iloc[:5]}
    reg = region.facilities
    now = reg[(reg["facility_type"] != "welfare_home") | reg["id"].isin(homes["id"].iloc[3:6])].copy()
    after = _row(plan_targets(region, proposals=[a, b], facilities=now, types={"welfare_home"}),
                 "welfare_home_upgraded_2025")["after"]
    # the same three homes gone, counted once (6 before), as the upgraded ones are
    assert after["sites_upgraded"] == 2 and after["sites_not_in_data"] == 3, after


def test_an_upgrade_of_a_type_no_longer_known_counts_nothing_and_does_not_fail(region):
    homes = _homes(region)
    ghost = {"kind": "upgrade", "type": "no_such_type", "sites": homes.iloc[:2]}
    rows = plan_targets(region, proposals=[ghost], types={"welfare_home"})
    assert _row(rows, "welfare_home_upgraded_2025")["value"] == 0
