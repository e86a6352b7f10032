"""QA 36 (fixer S): sized proposals (planner.sizing.propose_sized, POST /api/proposals kind "sized").

1. A type whose rule is "inside" (disabled/dementia care: one inside each county), counted at villages, reached only
   the villages within 60 minutes of its site: Fang County's one 200-bed site (13,333 people aged 80+ of capacity
   against 8,387) served 63 % and left "46 beds" of shortfall that no bed could close, while the coverage page said
   100 %. It reaches the county, as the coverage counts it; the people left unserved are parted into those beyond
   every facility's reach and those short of room. The note on the coverage's figures blamed a different weight
   where both count people aged 80+, and read "的名80岁以上老人".
2. A sized solve with nothing to decide (张湾区 welfare homes: every township has a home with room, no candidate)
   was "not found in time (time_limit) ... extend the time limit" after 0.1 s, and the web's "no site needed" never
   showed; required sites beyond the budget were "(infeasible) ... extend the time limit". The first is the plan
   without a new site, the second an error naming the sites, the budget and the ways out.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from geo.errors import InfeasibleError
from planner.coverage import analyse_coverage, county_type, existing_facilities
from planner.facility_types import get_type
from planner.sites import candidate_sites
from planner.sizing import SizingInstance, propose_sized, solve_sizing

FANG, ZHANGWAN = "420325", "420303"


def _fang_care(shiyan, sizes):
    return propose_sized(shiyan, county_type(get_type("disabled_care"), FANG, shiyan), sizes, budget_sites=1,
                         time_limit=20)


# -- 1. an "inside" type reaches its county ----------------------------------------------------------------------------

def test_fang_countys_one_care_site_serves_the_whole_county(shiyan):
    out = _fang_care(shiyan, [200])
    z = out["summary"]
    assert (z["demand"], z["served"], z["served_share"]) == (8_387, 8_387, 1.0), z
    assert z["unserved"] == 0 and z["shortfall_whole"] == 0 and z["shortfall_capacity"] == 0, z
    assert out["by_county"][0]["shortfall_whole"] == 0
    (site,) = out["sites"]
    v = shiyan.villages
    people = v[(v["county_code"].astype(str) == FANG) & (v["aged_80"] > 0)]
    assert site["load"] == 8_387 and len(site["assigned_villages"]) == len(people) == 305, site["load"]
    # "covered" is the coverage's own: the county's people aged 80+, none before (no facility), all with the site
    cov = analyse_coverage(shiyan, county_type(get_type("disabled_care"), FANG, shiyan)).summary
    assert (z["covered_before"], z["covered_after"]) == (cov["covered_weight"], cov["weight"]) == (0, 8_387)


def test_the_web_plan_and_its_coverage_agree(client):
    r = client.post("/api/proposals?wait=120", json={"type": "disabled_care", "kind": "sized", "sizes": "200",
                                                    "budget_sites": 1, "county": FANG, "time_limit": 20})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["proposal"]["id"]
    s = client.application.extensions["coverplan"]["store"].get(pid)["summary"]
    z = s["sized"]["summary"]
    assert s["after"]["covered_share"] == 1.0 and z["served_share"] == 1.0, (s["after"], z)
    assert z["served"] == s["after"]["covered_weight"] == 8_387 and z["shortfall_whole"] == 0


def test_the_notes_say_the_rule_and_the_coverages_figures(shiyan):
    out = _fang_care(shiyan, [200])
    zh, en = " ".join(out["notes_zh"]), " ".join(out["notes_en"])
    assert "的名80岁以上老人" not in zh and "名80岁以上老人计" not in zh, zh
    # the figures are the coverage's: no word of a different weight or base
    assert "口径不同" not in zh and "a different base" not in en and "two figures do not compare" not in en, en
    assert "0 people aged 80+ live in a county with an existing care facility for disabled/dementia elderly (the " \
           "coverage analysis's \"covered\"), 8,387 with the new sites; 8,387 are served through capacity." in en, en
    assert "所在县（市、区）境内已有失能失智老人养护设施的80岁以上老人有 0 人（即覆盖分析的“已覆盖”），加上新址后有 8,387 人" \
        in zh, zh
    assert "one inside the village's county" in en and "within the standard" not in en, en
    assert not any("not served" in n for n in out["notes_en"])  # everyone served: no split to give


def test_people_short_of_room_are_told_apart_from_people_beyond_reach(shiyan):
    # 50 beds serve 3,333 of Fang County's 8,387: everyone is within reach, the rest lack beds
    z = (out := _fang_care(shiyan, [50]))["summary"]
    assert (z["served"], z["unserved_no_room"], z["unserved_beyond_reach"]) == (3_333, 5_054, 0), z
    assert "All 5,054 people aged 80+ not served are within reach of a facility that is full (76 beds short)." \
        in out["notes_en"], out["notes_en"]
    assert "未服务的 5,054 名80岁以上老人均在设施服务范围内，但设施已满（缺 76 张床位）。" in out["notes_zh"], out["notes_zh"]
    # elderly complexes (within 30 minutes): those beyond every facility of the plan are said apart, with the beds of
    # the remaining shortfall they account for, which more beds cannot close
    out = propose_sized(shiyan, county_type(get_type("elderly_complex"), FANG, shiyan), [30], budget_sites=1,
                        time_limit=20)
    z = out["summary"]
    assert z["unserved_beyond_reach"] == z["demand"] - z["covered_after"] > 0, z
    assert z["unserved_beyond_reach"] + z["unserved_no_room"] == z["unserved"], z
    assert sum(c["unserved_beyond_reach"] for c in out["by_county"]) == z["unserved_beyond_reach"]
    en = next(n for n in out["notes_en"] if n.startswith("Of the "))
    assert f"{z['unserved_beyond_reach']:,} are beyond the standard of every facility of the plan (existing and " \
           "new): more beds cannot serve them, only another site can" in en, en
    assert f"{z['unserved_no_room']:,} are within reach of a facility that is full" in en, en


def test_a_county_seat_type_within_the_standard_names_the_points_not_the_weight(shiyan):
    """The note for a type counted at villages whose coverage counts the same people at county seats: it blamed "a
    different weight" (80岁以上人口) where both count people aged 80+."""
    ft = county_type(dataclasses.replace(get_type("disabled_care"), rule="within"), FANG, shiyan)
    out = propose_sized(shiyan, ft, [200], budget_sites=1, time_limit=20)
    en, zh = " ".join(out["notes_en"]), " ".join(out["notes_zh"])
    assert "counts people aged 80+ too, but at county seats (each with its whole county's people): different " \
           "demand points" in en, en
    assert "同样计80岁以上老人，但以县城（每个县城计入全县人口）为需求点" in zh and "的名80岁以上老人" not in zh, zh


# -- 2. nothing to decide; required sites beyond the budget -----------------------------------------------------------

def test_nothing_to_decide_is_the_plan_without_a_new_site(shiyan):
    out = propose_sized(shiyan, county_type(get_type("welfare_home"), ZHANGWAN, shiyan), [30], budget_sites=1,
                        time_limit=5)
    z = out["summary"]
    assert out["sites"] == [] and out["solver"]["status"] == "optimal"
    assert (z["demand"], z["served"], z["unserved"], z["shortfall_whole"]) == (691, 691, 0, 0), z


def test_the_web_says_no_site_is_needed(client):
    r = client.post("/api/proposals?wait=120", json={"type": "welfare_home", "kind": "sized", "sizes": "30",
                                                    "budget_sites": 1, "county": ZHANGWAN, "time_limit": 5})
    assert r.status_code == 201, r.get_json()
    s = client.application.extensions["coverplan"]["store"].get(r.get_json()["proposal"]["id"])["summary"]
    assert s["no_site_reason"] == "all_served", s.get("no_site_reason")
    assert s["explanation_zh"].startswith("无需新建：张湾区现有农村福利院") and "691" in s["explanation_zh"]
    assert s["explanation_en"].startswith("No new site is needed") and "691" in s["explanation_en"]


@pytest.fixture()
def two_required(shiyan):
    """Fang County's region with two township seats marked required for elderly complexes (a copy: the session's
    region is left as it is)."""
    ft = county_type(get_type("elderly_complex"), FANG, shiyan)
    c = candidate_sites(shiyan, ft, existing_facilities(shiyan, ft))
    ids = c.loc[~c["existing"].astype(bool), "id"].tolist()[:2]
    marks = pd.DataFrame({"facility_type": ft.key, "candidate_id": ids, "mark": "required"})
    return dataclasses.replace(shiyan, site_marks=marks), ft


def test_required_sites_beyond_a_budget_of_sites_are_named(two_required):
    region, ft = two_required
    with pytest.raises(InfeasibleError) as e:
        propose_sized(region, ft, [30], budget_sites=1, time_limit=5)
    zh, en = e.value.message("zh"), e.value.message("en")
    assert "标记为必选的 2 处站点（城关镇驻地、化龙堰镇驻地）无法全部新建：预算只允许新建 1 处。" in zh, zh
    assert "请把预算提高到至少 2 处，或在地图上取消其中 1 处的“必选”标记。" in zh, zh
    assert "The 2 sites marked required (城关镇 seat, 化龙堰镇 seat) cannot all be built: the budget allows 1 new " \
           "site. Raise the budget to at least 2 sites, or lift the required mark of 1 of them on the map." == en, en
    assert "时限" not in zh and "time" not in en
    assert propose_sized(region, ft, [30], budget_sites=2, time_limit=5)["summary"]["new_sites"] == 2


def test_required_sites_beyond_a_budget_of_money_are_named(two_required):
    region, ft = two_required
    with pytest.raises(InfeasibleError) as e:
        propose_sized(region, ft, [30], costs=[300.0], budget_cost=400.0, time_limit=5)
    zh, en = e.value.message("zh"), e.value.message("en")
    assert "至少需 600 万元（最便宜一档为 30 张床位，每处 300 万元），超过预算 400 万元。请把预算提高到至少 600 万元" in zh, zh
    assert "cost at least 600 × 10,000 yuan (the cheapest size, 30 beds: 300 × 10,000 yuan each), more than the " \
           "budget of 400 × 10,000 yuan. Raise the budget to at least 600 × 10,000 yuan, or lift the required mark" \
           in en, en
    assert e.value.details["needed_cost"] == 600.0 and "时限" not in zh and "time" not in en


def test_the_models_own_infeasible_and_empty_answers():
    """solve_sizing itself: required places beyond the budget are that, not "not found in time"; a model with no
    column is the existing plan at once."""
    inst = SizingInstance(weight=np.array([10.0, 20.0]), reach_existing=np.zeros((2, 0), bool),
                          cap_existing=np.zeros(0), reach_new=np.ones((2, 2), bool), sizes=np.array([100.0]),
                          costs=np.array([5.0]), required=np.array([True, True]))
    with pytest.raises(InfeasibleError) as e:
        solve_sizing(inst, max_sites=1, time_limit=5)
    assert "2 sites marked required" in e.value.en and "time" not in e.value.message("en"), e.value.message("en")
    empty = SizingInstance(weight=np.array([10.0, 20.0]), reach_existing=np.ones((2, 1), bool),
                           cap_existing=np.array([50.0]), reach_new=np.zeros((2, 0), bool), sizes=np.array([100.0]),
                           costs=np.array([5.0]))
    sol = solve_sizing(empty, max_sites=1, time_limit=5)
    assert sol["status"] == "optimal" and sol["chosen"] == {} and sol["assign"].tolist() == [0, 0], sol
