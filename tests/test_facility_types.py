"""Facility types are data: the shipped file, a planner's own type, and clear errors."""
from __future__ import annotations

import pytest

from geo.errors import InputDataError
from planner.coverage import analyse_coverage
from planner.facility_types import load_facility_types
from planner.proposals import propose

CORE = {"elderly_complex", "day_care", "cemetery", "charity_station"}


def test_shipped_types_cover_the_plan():
    types = load_facility_types()
    assert CORE <= set(types)
    assert {"disabled_care", "funeral_home", "regional_center"} <= set(types)
    for t in types.values():
        assert t.name_zh and t.name_en and t.assumptions and t.assumptions_zh
        assert t.standard_urban > 0 and t.standard_rural > 0
    assert types["elderly_complex"].targets[0]["min"] == 8
    assert types["cemetery"].targets[0]["min"] == 30
    assert types["funeral_home"].demand_counties == ("420323", "420324", "420325")


def test_a_planner_adds_a_type_without_code(tmp_path, shiyan):
    path = tmp_path / "types.toml"
    path.write_text('''
[types.meal_point]
name_zh = "老年助餐点"
name_en = "Meal service point"
demand = "villages"
weight = "aged_65"
standard = { urban = 800, rural = 2500, unit = "m" }
rule = "within"
checklist = "all_covered"
candidates = "villages"
default_model = "mclp"
default_p = 20
''', encoding="utf-8")
    meal = load_facility_types(path)["meal_point"]
    cov = analyse_coverage(shiyan, meal)
    assert cov.summary["facilities"] == 0 and cov.summary["weight"] == 451_977  # census 65+
    prop = propose(shiyan, meal, p=20)
    assert len(prop.sites) == 20 and prop.after["covered_weight"] > 0


@pytest.mark.parametrize("block, needle", [
    ('demand = "planets"', "demand"),
    ('rule = "nearby"', "rule"),
    ('standard = { urban = 0, rural = 5, unit = "min" }', "standard"),
    ('standard = { urban = 5, rural = 5, unit = "hours" }', "standard"),
])
def test_bad_type_blocks_are_named(tmp_path, block, needle):
    base = {"demand": 'demand = "villages"', "rule": 'rule = "within"',
            "standard": 'standard = { urban = 5, rural = 5, unit = "min" }'}
    base[needle] = block
    path = tmp_path / "bad.toml"
    path.write_text(f'''[types.x]
name_zh = "x"
name_en = "x"
weight = "units"
checklist = "all_covered"
candidates = "villages"
{base["demand"]}
{base["rule"]}
{base["standard"]}
''', encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        load_facility_types(path)
    assert "[types.x]" in e.value.message("en") and needle in e.value.message("en")


def test_missing_fields_and_broken_toml(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('[types.y]\nname_zh = "y"\n', encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        load_facility_types(path)
    assert "lacks" in e.value.message("en") and "缺少" in e.value.message("zh")
    path.write_text("[types.y\n", encoding="utf-8")
    with pytest.raises(InputDataError):
        load_facility_types(path)


def test_standard_text_gives_distances_in_km_as_the_pages_do():
    types = load_facility_types()
    assert types["day_care"].standard_text("zh") == "城镇 1公里 / 农村 3公里"
    assert types["day_care"].standard_text("en") == "urban 1 km / rural 3 km"
    assert types["meal_service"].standard_text("en") == "urban 1 km / rural 1.5 km"
    assert types["charity_station"].standard_text("zh") == "3公里"
    assert types["elderly_complex"].standard_text("zh") == "城镇 15分钟 / 农村 30分钟"
    assert types["cemetery"].standard_text("en") == "30 min"
