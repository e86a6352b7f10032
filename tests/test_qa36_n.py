"""QA 36 (fixer N): derived populations make coverage and proposals 示意; a population table's bands are
tracked one by one and must nest; forbidden-only units are said so; the nearest existing facility of a site is
measured as coverage measures it; the checklist quotes a unit's own standard and has no "met, 0/0"."""
from __future__ import annotations

import copy
import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.datasets import DatasetStore, population_quality_column
from geo.errors import InputDataError
from planner.capacity import analyse_capacity
from planner.checklist import check_townships
from planner.coverage import analyse_coverage, county_type
from planner.facility_types import get_type
from planner.proposals import propose
from planner.sites import demand_units

CJK = re.compile(r"[\u3400-\u9fff]")


def official_places(shiyan):
    """The region with official village points (a copy: the session region stays as shipped)."""
    r = copy.copy(shiyan)
    v = r.villages.copy()
    v["location_quality"] = "official"
    r.villages = v
    return r


def planners_register(region):
    f = region.facilities.copy()
    f["synthetic"] = False
    return f


# -- 1. derived populations ---------------------------------------------------------------------------------
def test_coverage_of_derived_populations_is_illustrative(shiyan):
    r = official_places(shiyan)
    fac = planners_register(r)
    cov = analyse_coverage(r, "day_care", facilities=fac)
    # the reviewer's figure: 342,363 people aged 60+ covered, all 1,979 village populations derived
    assert len(cov.units) == 1979 and cov.summary["covered_weight"] == 342363
    assert cov.synthetic_inputs and cov.population_derived
    assert cov.to_dict()["synthetic_inputs"] is True and cov.to_dict()["population_derived"] is True
    # the same rule as the capacity analysis on the same inputs
    assert analyse_capacity(r, "day_care", facilities=fac).synthetic_inputs is True
    # counted populations (every band official): no longer 示意, in either
    v = r.villages.copy()
    v["population_quality"] = "official"
    r.villages = v
    cov = analyse_coverage(r, "day_care", facilities=fac)
    assert not cov.population_derived and cov.synthetic_inputs is False
    assert analyse_capacity(r, "day_care", facilities=fac).synthetic_inputs is False


def test_units_weighted_and_census_demand_are_not_derived(shiyan):
    assert not demand_units(shiyan, get_type("charity_station"))["population_derived"].any()
    # a county seat's people are the census: counts
    seats = demand_units(shiyan, get_type("disabled_care"))
    assert len(seats) == 8 and not seats["population_derived"].any()
    assert demand_units(shiyan, get_type("regional_center"))["population_derived"].all()


def test_proposal_on_derived_populations_is_illustrative(shiyan):
    r = official_places(shiyan)
    fac = planners_register(r)
    ft = county_type(get_type("day_care"), "420302", r)
    p = propose(r, ft, model="mclp", p=2, facilities=fac, time_limit=5)
    assert p.synthetic_inputs is True


# -- 2. a population table's bands -----------------------------------------------------------------------------
@pytest.fixture
def store(var_dir) -> DatasetStore:
    return DatasetStore(var_dir / "proposals.sqlite", region="shiyan")


def test_a_table_of_aged_60_only_leaves_80_derived(store):
    r0 = store.region()
    v0 = r0.villages
    rural = r0.townships.index[r0.townships["kind_group"] != "urban"]
    store.commit_layer("population", pd.DataFrame({"code": v0.index, "aged_60": v0["aged_60"].values}))
    r = store.region()
    v = r.villages
    # the welfare home's capacity counts people aged 80+ of rural townships: still derived (示意); it was not
    assert len(v.loc[v["township_code"].isin(rural)])
    assert analyse_capacity(r, "welfare_home", facilities=planners_register(r)).synthetic_inputs is True
    assert (v[population_quality_column("aged_60")] == "official").all()
    assert (v[population_quality_column("aged_80")] == "derived").all()
    assert (v["population_quality"] == "mixed").all()
    # an aged-60+ type on official points counts only counted people now
    r = official_places(r)
    ft80 = dataclasses.replace(get_type("day_care"), weight="aged_80")
    assert not demand_units(r, get_type("day_care"))["population_derived"].any()
    assert demand_units(r, ft80)["population_derived"].all()
    assert analyse_coverage(r, "day_care", facilities=planners_register(r)).synthetic_inputs is False
    # the census totals stay the counties' facts
    assert (r.counties["population_quality"] == "census").all()
    assert r.counties["aged_80"].equals(r0.counties["aged_80"])


def test_bands_that_do_not_nest_are_refused(store):
    codes = list(store.region().villages.index[:3])
    before = store.current().version
    bad = pd.DataFrame({"code": codes, "population": [500, 400, 300], "aged_60": [100, 50, 10],
                        "aged_80": [20, 80, 5]})
    with pytest.raises(InputDataError) as e:
        store.commit_layer("population", bad)
    err = e.value
    en, zh = err.en, err.zh
    assert f"data row 2 (code {codes[1]})" in en and "aged 80+ 80 is more than aged 60+ 50" in en
    assert codes[0] not in en and err.details["codes"] == [codes[1]] and err.details["rows"] == [2]
    assert not CJK.search(en) and not CJK.search(err.hint_en)
    assert f"数据第 2 行（代码 {codes[1]}）" in zh and "80岁以上 80 多于 60岁以上 50" in zh
    assert "更正" in err.hint_zh and "Correct those rows" in err.hint_en
    assert store.current().version == before  # nothing taken


def test_a_derived_band_is_kept_within_the_counted_ones(store):
    r0 = store.region()
    code = r0.villages.index[0]
    small = int(r0.villages.loc[code, "aged_65"]) // 2  # a counted 60+ below the derived 65+
    store.commit_layer("population", pd.DataFrame({"code": [code], "aged_60": [small]}))
    v = store.region().villages.loc[code]
    assert v["aged_60"] == small and v["aged_65"] <= small and v["aged_80"] <= v["aged_65"]
    assert v[population_quality_column("aged_65")] == "derived"


# -- 3. only forbidden candidates reach them -----------------------------------------------------------------
def test_units_reached_only_by_forbidden_candidates_are_said_so(shiyan):
    r = copy.copy(shiyan)
    r.site_marks = pd.DataFrame({"candidate_id": ["cand-scenic-wudangshan"], "facility_type": ["charity_station"],
                                 "mark": ["forbidden"], "note": [""]})
    p = propose(r, "charity_station", model="mclp", p=1, time_limit=5)
    ex = p.explanation
    assert ex["uncovered_units"] == 1 and ex["forbidden_only"] == 1 and ex["not_chosen"] == 0
    assert "禁选" in ex["explanation_zh"] and "武当山风景区" in ex["explanation_zh"]
    assert "LSCP" not in ex["explanation_zh"] and "增加新建数量，或" not in ex["explanation_zh"]
    assert "marked forbidden" in ex["explanation_en"] and "use LSCP" not in ex["explanation_en"]
    assert not CJK.search(ex["explanation_en"].replace("武当山风景区", ""))


# -- 4. nearest existing facility, as coverage measures it ---------------------------------------------------
def test_nearest_existing_of_a_site_is_coverages_distance(shiyan):
    ft = county_type(get_type("day_care"), "420302", shiyan)
    p = propose(shiyan, ft, model="mclp", p=5, time_limit=5)
    units = analyse_coverage(shiyan, ft).units.set_index("id")
    checked = 0
    for _, s in p.sites.iterrows():
        uid = str(s["candidate_id"]).removeprefix("cand-")
        if uid in units.index and np.isfinite(units.loc[uid, "cost"]):
            assert s["nearest_existing_cost"] == pytest.approx(units.loc[uid, "cost"], abs=0.01)
            assert s["nearest_existing_name"] == units.loc[uid, "nearest_name"]
            checked += 1
    assert checked == len(p.sites) == 5


# -- 5, 6. the checklist -------------------------------------------------------------------------------------
def test_checklist_quotes_the_units_own_standard(shiyan):
    cl = check_townships(shiyan, "meal_service")
    row = cl[cl["township_name"] == "五堰街道"].iloc[0]
    assert row["status"] == "not_met"
    assert "最远1.5公里（城镇标准1公里）" in row["reason_zh"] and "农村" not in row["reason_zh"]
    assert "farthest 1.5 km (urban standard 1 km)" in row["reason_en"] and "rural" not in row["reason_en"]
    assert not (cl["reason_zh"].str.contains("城镇 1公里 / 农村")).any()


def test_a_facility_where_no_demand_unit_is_not_met_with_0_of_0(shiyan):
    town = "420381001"  # 均州路街道: communities only, no administrative village
    fac = shiyan.facilities.copy()
    one = fac[fac["facility_type"] == "mutual_aid"].index[0]
    t = shiyan.townships.loc[town]
    fac.loc[one, "township_code"], fac.loc[one, "county_code"] = town, t["county_code"]
    fac.loc[one, "geometry"] = shapely.Point(t["seat_lon"], t["seat_lat"])
    cl = check_townships(shiyan, "mutual_aid", facilities=fac)
    row = cl[cl["township_code"] == town].iloc[0]
    assert row["facilities"] == 1 and row["units"] == 0
    assert row["status"] == "na"
    assert "0/0" not in row["reason_zh"] and "0/0" not in row["reason_en"]
    assert "不适用" in row["reason_zh"] and "not applicable" in row["reason_en"]
    assert not CJK.search(row["reason_en"])
