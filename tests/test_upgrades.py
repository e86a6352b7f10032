"""Upgrades and conversions of existing facilities (planner.upgrades, `coverplan upgrade`)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from cli.main import main
from geo.errors import InputDataError
from planner.upgrades import UpgradeInstance, choose, propose_upgrades, served


def _tiny() -> UpgradeInstance:
    """Three villages, two centres: A (full, nobody new in reach), B (reaches village 2 once upgraded)."""
    base = np.array([[True, False], [False, True], [False, False]])
    up = np.array([[True, False], [False, True], [False, True]])
    return UpgradeInstance(weight=np.array([100.0, 50.0, 80.0]), base_cap=np.array([100.0, 50.0]),
                           up_cap=np.array([150.0, 150.0]), base_reach=base, up_reach=up,
                           county=np.array(["a", "a"]), candidate=np.array([True, True]))


def test_the_mip_picks_the_upgrade_that_serves_more():
    inst = _tiny()
    assert served(inst, np.array([False, False]))[0] == 150
    z, info = choose(inst, 1, None)
    # A upgraded gains nothing (its village is served already); B reaches village 2: +80
    assert list(z) == [False, True] and info["objective"] == pytest.approx(230)
    assert served(inst, z)[0] == pytest.approx(230)


def test_mutual_aid_50_in_priority_order_with_rationale_and_county_limits(shiyan):
    plan = propose_upgrades(shiyan, "mutual_aid", 50)
    s = plan.sites
    assert len(s) == 50 and list(s["priority"]) == list(range(1, 51))
    assert s["id"].is_unique and set(s["id"]) <= set(shiyan.facilities.index)
    assert (shiyan.facilities.loc[s["id"], "facility_type"] == "mutual_aid").all()
    gains = s["added_served"].to_numpy()
    assert (np.diff(gains) <= 1e-9).all() and gains.min() >= 0
    assert plan.after["served"] > plan.before["served"]
    assert plan.solver["status"] == "optimal"
    assert (plan.by_county["chosen"] <= 10).all() and plan.by_county["chosen"].sum() == 50
    assert (s["capacity_after"] == s["capacity_before"] + 10).all()
    assert all("→" in r for r in s["reason_zh"]) and all("once upgraded" in r for r in s["reason_en"])
    # no other choice within the limits serves more: e.g. the first centres of each county in register order
    from planner.facility_types import get_type
    from planner.upgrades import _instance
    ft = get_type("mutual_aid")
    inst, *_ = _instance(shiyan, ft, ft.upgrade, None, "estimate", None)
    other = np.zeros(len(inst.county), bool)
    for code in set(inst.county):
        other[np.flatnonzero(inst.county == code)[:10]] = True
    other[np.flatnonzero(other)[50:]] = False
    assert other.sum() == 50 and served(inst, other)[0] < plan.after["served"]
    json.dumps(plan.to_dict("en"), allow_nan=False)


def test_conversion_to_regional_centres(shiyan):
    plan = propose_upgrades(shiyan, "welfare_home", 8, conversion=True)
    d = plan.to_dict("zh")
    assert d["role"] == "regional_center" and len(d["sites"]) == 8
    assert plan.before["served"] == 0 and plan.after["served"] > 0  # there is no regional centre yet
    assert (plan.by_county["chosen"] <= 2).all()


def test_bad_k_and_type_without_upgrade(shiyan):
    with pytest.raises(InputDataError) as e:
        propose_upgrades(shiyan, "mutual_aid", 0)
    assert e.value.details["parameter"] == "k"
    # zero is too few, not "too many"
    assert "不小于 1" in e.value.message("zh") and "过多" not in e.value.message("zh")
    assert "at least 1" in e.value.message("en")
    with pytest.raises(InputDataError) as e:
        propose_upgrades(shiyan, "welfare_home", 99)
    assert "99" in e.value.message("zh")
    with pytest.raises(InputDataError) as e:
        propose_upgrades(shiyan, "day_care", 3)
    assert "mutual_aid" in e.value.message("en")


def test_cli_upgrade_moves_the_targets(capsys, tmp_path):
    out = tmp_path / "up.geojson"
    assert main(["upgrade", "--type", "mutual_aid", "--k", "50", "--json", "--out", str(out)]) == 0
    res = json.loads(capsys.readouterr().out)
    assert [s["priority"] for s in res["sites"]] == list(range(1, 51))
    conv = tmp_path / "conv.geojson"
    assert main(["upgrade", "--type", "welfare_home", "--k", "8", "--convert", "--out", str(conv), "--json"]) == 0
    capsys.readouterr()
    assert main(["targets", "--proposal", str(out), "--proposal", str(conv), "--json"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)["targets"]}
    up = rows["mutual_aid_upgraded_2025"]
    assert up["status"] == "not_met" and up["after"]["value"] == 50 and up["after"]["status"] == "met"
    rc = rows["regional_center_new_2025"]
    assert rc["value"] == 0 and rc["after"]["value"] == 8 and rc["after"]["status"] == "met"
    assert "after" not in rows["welfare_home_upgraded_2025"]  # a conversion is not an upgrade


def test_the_reasons_and_counts_name_their_units(shiyan):
    """"容量 17→27" and "served 24,942 → 29,083 of 610,589" said neither of what nor whom (QA 14)."""
    plan = propose_upgrades(shiyan, "mutual_aid", 5)
    first = plan.sites.iloc[0]
    from planner.facility_types import get_type
    from planner.i18n import t
    field = get_type("mutual_aid").capacity.field
    assert first["reason_zh"].split("，")[0].endswith(" " + t("capw_unit_" + field, "zh"))
    assert f" {t('capw_unit_' + field, 'en')}, reach" in first["reason_en"]
    d = plan.to_dict("en")
    assert d["basis"] == "aged_60"


def test_upgrades_that_add_nobody_are_said_and_ranked_by_use(shiyan):
    """Five welfare-home upgrades on the sample data add 44 people; three add nobody, and the first
    row read "serves 0 more" (QA 15). The plan now says how many add nobody, ranks them last by
    current use, and gives the most any number of upgrades could serve."""
    from planner.facility_types import get_type
    from planner.upgrades import _instance

    plan = propose_upgrades(shiyan, "welfare_home", 5)
    s = plan.sites
    adds = (s["added_served"].round() > 0) | (s["added_alone"].round() > 0)
    idle = int((~adds).sum())
    assert plan.after["idle"] == idle
    # those that add someone come first; the idle ones by utilisation, highest first
    assert list(adds) == sorted(adds, reverse=True)
    used = s.loc[~adds, "utilisation_before"].fillna(0).to_numpy()
    assert (np.diff(used) <= 1e-9).all()
    # the ceiling is what upgrading every candidate serves, computed independently here
    ft = get_type("welfare_home")
    inst, *_ = _instance(shiyan, ft, ft.upgrade, None, "estimate", None)
    assert plan.after["served_if_all"] == pytest.approx(served(inst, inst.candidate.copy())[0], abs=0.01)
    zh, en = plan.to_dict("zh")["notes"], plan.to_dict("en")["notes"]
    assert idle > 0  # the sample data: most welfare homes have room for the demand in their reach
    assert any(f"有 {idle} 处改造后不增加服务人数" in n for n in zh), zh
    assert any(f"{idle} of the 5 chosen facilities serve no one more" in n for n in en), en
    # and five upgrades already serve all that upgrades can: the rest needs new sites, and it says so
    assert plan.after["served_if_all"] < plan.after["served"] + 0.5 < plan.after["demand"]
    assert any("即使改造全部" in n for n in zh) and any("need new facilities" in n for n in en)
    # the map layer carries the notes in the page's language
    assert plan.to_geojson("en")["coverplan"]["notes"] == en
    # all five add nobody given the others (their 44 people are the same 44): said, not only "3 of 5" (QA 16)
    if (s["added_served"].round() == 0).all() and plan.after["served"] > plan.before["served"] + 0.5:
        assert any("它们服务的是同一批人" in n for n in zh) and any("serve the same people" in n for n in en)
    assert any("不计每县上限" in n for n in zh)


def test_k_upgrades_are_k_sites_and_unknown_capacities_are_left_out_and_named(shiyan):
    """The plan chose 4 (the map 3) of K = 5 without a word, and ranked a facility of unknown beds
    "0 -> 20" among the best (QA 15)."""
    fac = shiyan.facilities.copy()
    wh = fac.index[fac["facility_type"] == "welfare_home"][:3]
    fac.loc[wh, "beds"] = np.nan
    plan = propose_upgrades(shiyan, "welfare_home", 5, facilities=fac)
    assert len(plan.sites) == 5
    assert not set(plan.sites["id"]) & set(wh)
    zh, en = plan.to_dict("zh")["notes"], plan.to_dict("en")["notes"]
    assert any("3 处农村福利院的床位数未知" in n for n in zh), zh
    assert any("3 Rural welfare home facilities have no beds count" in n for n in en), en


def test_no_known_capacity_and_a_default_k_above_the_limit_are_said(shiyan):
    """With every capacity unknown the plan said there was no facility to upgrade; a default K above what
    the facilities of known capacity allow made the map card a 400 (review of QA 15)."""
    fac = shiyan.facilities.copy()
    wh = fac.index[fac["facility_type"] == "welfare_home"]
    fac.loc[wh, "beds"] = np.nan
    with pytest.raises(InputDataError) as e:
        propose_upgrades(shiyan, "welfare_home", 5, facilities=fac)
    assert "床位数均未知" in e.value.message("zh") and e.value.details["capacity_unknown"] == len(wh)
    fac = shiyan.facilities.copy()
    fac.loc[wh[2:], "beds"] = np.nan  # two of known capacity
    with pytest.raises(InputDataError) as e:
        propose_upgrades(shiyan, "welfare_home", 5, facilities=fac)
    assert f"另有 {len(wh) - 2} 处容量未知" in e.value.message("zh")
    plan = propose_upgrades(shiyan, "welfare_home", 5, facilities=fac, clip_k=True)
    assert len(plan.sites) == plan.k <= 2
    assert any("K 取可选上限" in n for n in plan.to_dict("zh")["notes"])
