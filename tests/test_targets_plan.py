"""`coverplan targets` lists every facility target of the plan (§九, 十, 十七, 二十, 二十二, 二十三, 二十四)."""
from __future__ import annotations

import json

import pytest

from cli.main import main
from planner.targets import plan_targets, village_target_rows

PLAN = {  # key -> (section, target) as the work plan states them
    "elderly_complex_new_2025": ("(九)", 8), "day_care_full_coverage": ("(九)", 1.0),
    "mutual_aid_upgraded_2025": ("(九)", 50), "meal_service_network": ("(九)", 1.0),
    "welfare_home_upgraded_2025": ("(十)", 5), "regional_center_new_2025": ("(十)", 8),
    "disabled_care_every_county": ("(十)", 1.0),
    "cemetery_new_2025": ("(十七)", 30), "cemetery_full_coverage": ("(十七)", 1.0),
    "funeral_home_three_counties": ("(十七)", 1.0),
    "mental_rehab_every_county": ("(二十)", 1.0), "incubation_base_every_county": ("(二十二)", 1.0),
    "charity_scenic_areas": ("(二十三)", 1.0),
    "charity_fund_share": ("(二十四)", 0.9), "happy_home_all_villages": ("(二十四)", 1.0),
}


@pytest.fixture(scope="module")
def rows(shiyan):
    return {r["key"]: r for r in plan_targets(shiyan)}


def test_every_target_of_the_plan_has_a_row_with_its_value(rows):
    for key, (section, target) in PLAN.items():
        r = rows[key]
        assert section in r["section"], key
        assert r["target"] == target and r["value"] is not None and r["status"] in ("met", "not_met"), key
        assert r["text_zh"] and r["text_en"]
    json.dumps(list(rows.values()), allow_nan=False)


def test_upgrade_targets_count_the_registers_upgrades(shiyan):
    import dataclasses

    reg = shiyan.facilities.copy()
    ids = reg.index[reg["facility_type"] == "mutual_aid"][:3]
    reg["upgraded_year"] = None
    reg.loc[ids, "upgraded_year"] = 2025
    region = dataclasses.replace(shiyan, facilities=reg)
    r = next(r for r in plan_targets(region, facilities=reg) if r["key"] == "mutual_aid_upgraded_2025")
    assert r["value"] == 3 and r["numbers"]["from_register"] == 3


def test_charity_funds_share_by_township_and_county_and_who_lacks_one(shiyan, rows):
    r = rows["charity_fund_share"]
    v = shiyan.villages
    n = r["numbers"]
    assert n["villages"] == len(v) == 1979
    assert n["with_attribute"] == int(v["charity_fund"].sum())
    assert r["value"] == pytest.approx(v["charity_fund"].mean())
    assert sum(c["villages"] for c in n["by_county"]) == 1979 and len(n["by_county"]) == 8
    assert sum(t["with"] for t in n["by_township"]) == n["with_attribute"]
    lacking = {x["code"] for x in n["lacking_villages"]}
    assert lacking == set(v.index[~v["charity_fund"].astype(bool)].astype(str))
    assert r["synthetic_inputs"] and r["attribute_quality"] == "synthetic"
    assert r["status"] == "not_met"  # the sample has 72 %


def test_a_region_without_the_attribute_reports_none(shiyan):
    import dataclasses
    region = dataclasses.replace(shiyan, villages=shiyan.villages.drop(columns=["charity_fund"]))
    r = next(r for r in village_target_rows(region) if r["key"] == "charity_fund_share")
    assert r["value"] == 0 and r["attribute_quality"] == "missing" and r["numbers"]["lacking"] == 1979


def test_cli_targets_text_shows_counts(capsys):
    assert main(["targets"]) == 0
    out = capsys.readouterr().out
    assert "改造提升农村老年人互助照料中心不少于50个: 0 / 50" in out
    assert "社区公益基金" in out and "%" in out
