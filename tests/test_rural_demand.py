"""Rural welfare homes (农村福利院) serve towns and townships, not urban subdistricts (街道):
their demand units, candidate sites, bed demand and checklist leave the subdistricts out."""
from __future__ import annotations

import pytest

from planner.capacity import demand_villages
from planner.checklist import check_townships
from planner.coverage import analyse_coverage, existing_facilities
from planner.facility_types import get_type
from planner.sites import candidate_sites, demand_units


@pytest.fixture(scope="module")
def urban(shiyan):
    t = shiyan.townships
    codes = set(t.index[t["kind_group"] == "urban"])
    assert codes and len(codes) < len(t)
    return codes


def test_demand_and_candidates_are_rural_seats_only(shiyan, urban):
    ft = get_type("welfare_home")
    units = demand_units(shiyan, ft)
    assert not set(units["township_code"]) & urban
    assert len(units) == len(shiyan.townships) - len(urban)
    # the census: the units' 80+ are the rural townships' 80+, to the person
    rural = shiyan.townships.loc[~shiyan.townships.index.isin(urban)]
    assert int(units["weight"].sum()) == int(rural["aged_80"].sum())
    cands = candidate_sites(shiyan, ft, existing_facilities(shiyan, ft))
    new = cands[cands["kind"] == "township_seat"]
    assert len(new) and not set(new["township_code"]) & urban
    # bed demand counts the villages of rural townships, every one of them
    v = demand_villages(shiyan, ft)
    assert not set(v["township_code"]) & urban
    assert len(v) == int((~shiyan.villages["township_code"].isin(urban)).sum())
    # a township-seat type that serves everyone still counts the subdistricts
    assert set(demand_units(shiyan, get_type("regional_center"))["township_code"]) & urban


def test_checklist_says_na_for_urban_subdistricts(shiyan, urban):
    rows = check_townships(shiyan, "welfare_home").set_index("township_code")
    sub = rows.loc[sorted(urban)]
    no_home = sub[sub["facilities"] == 0]
    assert len(no_home) and (no_home["status"] == "na").all()
    assert (no_home["reason_zh"] == "城区单元（街道，或以社区为主的开发区），不属农村福利院服务范围").all()
    assert (no_home["reason_en"] == "urban unit (a subdistrict, or a development zone mostly of communities): "
                                    "not served by rural welfare homes").all()
    wudang = rows[rows["township_name"] == "武当路街道"]
    assert len(wudang) == 1 and wudang["status"].iloc[0] == "na"
    # rural townships keep their rule: met with a home inside, not met without
    rural = rows.loc[~rows.index.isin(urban)]
    assert set(rural["status"]) <= {"met", "not_met"}
    assert ((rural["facilities"] > 0) == (rural["status"] == "met")).all()


def test_coverage_share_is_of_rural_demand(shiyan, urban):
    cov = analyse_coverage(shiyan, "welfare_home")
    assert cov.summary["units"] == len(shiyan.townships) - len(urban)
