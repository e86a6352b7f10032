"""Capacity: the types file, the register's capacity columns, the synthetic sample and supply vs demand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import InputDataError
from planner.capacity import analyse_beds, analyse_capacity
from planner.facility_types import bed_standard, load_facility_types
from planner.register import validate_register

CENSUS_60 = 610_589  # 2020 census, aged 60+, Shiyan (data/regions/shiyan/source/census2020_county.csv)


def test_types_state_their_capacity_standard_and_source():
    types = load_facility_types()
    assert types["welfare_home"].capacity.field == "beds"
    assert types["day_care"].capacity.field == "day_places"
    assert types["meal_service"].capacity.field == "meal_places"
    cem = types["cemetery"].capacity
    assert cem.field == "plots" and cem.years == 30 and cem.per_1000 == pytest.approx(30 * cem.rate_per_1000)
    for t in types.values():
        if t.capacity:
            assert t.capacity.source and t.capacity.source_zh and t.capacity.max_per_site > 0
    std = bed_standard()
    assert std["per_1000"] == 40 and std["basis"] == "aged_60" and "GB 50437" in std["source"]


def test_sample_register_capacities_are_plausible_and_labelled(shiyan):
    f = shiyan.facilities
    assert (f["capacity_quality"] == "synthetic").all() and f["synthetic"].astype(bool).all()
    types = load_facility_types()
    for key, g in f.groupby("facility_type"):
        spec = types[key].capacity
        if spec is None:
            continue
        values = pd.to_numeric(g[spec.field], errors="coerce")
        assert values.notna().all(), key
        assert (values > 0).all() and (values <= spec.max_per_site).all(), key
    beds = pd.to_numeric(f.loc[f["facility_type"] == "mutual_aid", "beds"])
    assert 4 <= beds.min() and beds.max() <= 20


def test_beds_per_1000_by_county_sum_to_the_census(shiyan):
    rep = analyse_beds(shiyan)
    c = rep.by_county
    assert c["demand"].sum() == CENSUS_60 == rep.citywide["demand"]
    assert rep.by_township["demand"].sum() == CENSUS_60
    f = shiyan.facilities
    bed_rows = f[f["facility_type"].isin(rep.types)]
    assert rep.citywide["supply"] == pytest.approx(pd.to_numeric(bed_rows["beds"]).sum())
    for _, r in c.iterrows():
        assert r["ratio_per_1000"] == pytest.approx(r["supply"] / r["demand"] * 1000, abs=1e-3)
        assert r["shortfall"] == pytest.approx(max(0.0, 40 * r["demand"] / 1000 - r["supply"]), abs=0.01)
        assert r["standard_per_1000"] == 40
    assert rep.citywide["status"] == "not_met"  # the sample is short of 40 per 1,000


def test_capacity_counts_a_proposed_site(shiyan):
    before = analyse_capacity(shiyan, "welfare_home")
    town = before.by_township.sort_values("shortfall", ascending=False).iloc[0]
    extra = pd.DataFrame({"township_code": [town["township_code"]], "county_code": [town["county_code"]],
                          "beds": [60]})
    after = analyse_capacity(shiyan, "welfare_home", extra_sites=extra)
    row = after.by_township.set_index("township_code").loc[town["township_code"]]
    assert row["supply"] == town["supply"] + 60
    assert row["shortfall"] == pytest.approx(max(0.0, town["shortfall"] - 60), abs=0.01)


def test_meal_service_demand_is_the_communities(shiyan):
    rep = analyse_capacity(shiyan, "meal_service")
    comm = shiyan.villages[shiyan.villages["kind"] == "community"]
    assert rep.citywide["demand"] == comm["aged_60"].sum()
    no_comm = set(shiyan.townships.index) - set(comm["township_code"])
    assert (rep.by_township.set_index("township_code").loc[sorted(no_comm), "status"] == "na").all()


def test_a_type_without_capacity_is_a_clear_error(shiyan):
    with pytest.raises(InputDataError) as e:
        analyse_capacity(shiyan, "charity_station")
    assert "welfare_home" in e.value.message("en") and "容量" in e.value.message("zh")


def test_register_capacity_columns_chinese_headers(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,类型,经度,纬度,床位数,墓穴,格位\n"
                    "甲福利院,农村福利院,110.84,32.49,60,,\n"
                    "乙公墓,公益性公墓,110.85,32.50,,3000,500\n", encoding="utf-8")
    rep = validate_register(path, region=shiyan)
    acc = rep.accepted.set_index("name")
    assert not rep.refused_rows
    assert acc.loc["甲福利院", "beds"] == 60
    assert acc.loc["乙公墓", "plots"] == 3500  # plots and niches are both burial places
    assert rep.column_map["beds"] == "床位数"


def test_register_bad_capacities_are_named_and_only_an_implausible_one_refuses_its_row(shiyan, tmp_path):
    """A negative or non-numeric capacity is a typo in one cell: the facility is imported with its
    capacity unknown, with a warning (refusing the row took the facility off the register, QA 15). An
    implausible one (a wrong unit, or a total typed into the row) puts the row in doubt: refused."""
    path = tmp_path / "r.csv"
    path.write_text("名称,类型,经度,纬度,床位数\n"
                    "甲福利院,农村福利院,110.84,32.49,60\n"
                    "乙福利院,农村福利院,110.84,32.50,50000\n"
                    "丙福利院,农村福利院,110.85,32.49,-3\n"
                    "丁福利院,农村福利院,110.86,32.49,约五十\n", encoding="utf-8")
    rep = validate_register(path, region=shiyan)
    assert sorted(rep.refused_rows) == [3]
    by_row = {i.row: i for i in rep.issues}
    assert by_row[3].severity == "error" and by_row[3].code == "capacity_implausible"
    assert "50000" in by_row[3].message_zh and "implausible" in by_row[3].message_en and by_row[3].column == "床位数"
    assert by_row[4].severity == "warning" and by_row[4].code == "capacity_negative"
    assert by_row[5].severity == "warning" and by_row[5].code == "capacity_not_number"
    assert "按容量未知导入" in by_row[5].message_zh and "capacity unknown" in by_row[5].message_en
    beds = rep.accepted.set_index("name")["beds"]
    assert beds["甲福利院"] == 60 and np.isnan(beds["丙福利院"]) and np.isnan(beds["丁福利院"])
    with pytest.raises(InputDataError) as e:
        rep.raise_if_refused()
    text = e.value.message("zh")
    assert "3" in text and "50000" in text


def test_cli_capacity_json(capsys):
    import json

    from cli.main import main
    assert main(["capacity", "--type", "welfare_home", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["type"] == "welfare_home" and out["standard"]["per_1000"] == 30
    assert len(out["by_county"]) == 8 and len(out["by_township"]) == 129
    assert out["synthetic_inputs"] and any("示意" in n for n in out["notes"])
    assert all(np.isfinite(r["supply"]) for r in out["by_township"])
