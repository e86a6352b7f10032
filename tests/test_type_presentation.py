"""How a facility type is shown is data (data/facility_types.toml): marker colour, marker
label and the name of a proposed site, with defaults for a type that gives none."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest

from geo import settings
from geo.errors import InputDataError
from planner import facility_types
from planner.facility_types import DEFAULT_COLOURS, load_facility_types

UNCOVERED_RED = "#d7191c"  # uncovered villages on the web map (web/static/map.js)

#: A type a planner adds, saying nothing about how it looks.
MEAL = '''
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
'''


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _distance(a: str, b: str) -> float:
    return sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b))) ** 0.5


@pytest.fixture()
def meal_types(tmp_path, monkeypatch):
    """The shipped types plus the meal point, as the types file everything reads."""
    path = tmp_path / "facility_types.toml"
    path.write_text((settings.DATA_DIR / "facility_types.toml").read_text("utf-8") + MEAL, encoding="utf-8")
    monkeypatch.setattr(facility_types, "TYPES_FILE", path)
    return load_facility_types()


def with_meal_points(region, n: int = 3):
    """The region with ``n`` of its day-care centres registered as meal points instead."""
    reg = region.facilities.copy()
    ids = reg.index[reg["facility_type"] == "day_care"][:n]
    reg.loc[ids, "facility_type"] = "meal_point"
    return dataclasses.replace(region, facilities=reg)


def assert_sensible(colour: str, others: list[str]) -> None:
    assert re.fullmatch(r"#[0-9a-f]{6}", colour)
    assert colour not in others                       # not mistaken for another type
    assert _distance(colour, UNCOVERED_RED) > 100     # not mistaken for an uncovered village


# -- the shipped types look exactly as they did when the colours and names were code ------
def test_shipped_types_keep_their_colours_and_site_names():
    types = load_facility_types()
    assert {k: t.colour for k, t in types.items()} == {
        "elderly_complex": "#6a3d9a", "day_care": "#1f78b4", "cemetery": "#33a02c", "charity_station": "#00897b",
        "disabled_care": "#ff7f00", "funeral_home": "#444444", "regional_center": "#8c6d31",
        # types of issue 16
        "mutual_aid": "#fdb863", "welfare_home": "#543005", "meal_service": "#e7298a",
        "incubation_base": "#4d9221", "mental_rehab": "#80cdc1"}
    assert {k: t.site_name("武当山") for k, t in types.items()} == {
        "elderly_complex": "拟建武当山养老服务综合体", "day_care": "拟建武当山日间照料中心",
        "cemetery": "拟建武当山公益性公墓", "charity_station": "拟建武当山慈善工作站点",
        "disabled_care": "拟建武当山失能失智老人养护设施", "funeral_home": "拟建武当山殡仪馆",
        "regional_center": "拟建武当山区域性特困供养服务中心",
        "mutual_aid": "拟建武当山互助照料中心", "welfare_home": "拟建武当山农村福利院",
        "meal_service": "拟建武当山老年助餐服务点", "incubation_base": "拟建武当山社会组织孵化基地",
        "mental_rehab": "拟建武当山精神障碍社区康复服务机构"}
    assert all(len(t.icon) == 1 for t in types.values())


def test_every_default_colour_is_far_from_the_uncovered_red():
    for colour in DEFAULT_COLOURS:
        assert _distance(colour, UNCOVERED_RED) > 100, colour


# -- a new type with no presentation gets defaults ---------------------------------------
def test_a_new_type_gets_a_colour_label_and_site_name(meal_types):
    meal = meal_types["meal_point"]
    assert_sensible(meal.colour, [t.colour for k, t in meal_types.items() if k != "meal_point"])
    assert meal.colour == DEFAULT_COLOURS[0]          # the same file always gives the same colour
    assert meal.icon == "老"
    assert meal.site_name("六里坪镇") == "拟建六里坪镇老年助餐点"


def test_default_colours_skip_colours_in_use(tmp_path):
    path = tmp_path / "types.toml"
    # the first default colour taken by a listed type: the new ones get the next ones, in file order
    taken = MEAL.replace("[types.meal_point]", "[types.a]") + f'colour = "{DEFAULT_COLOURS[0].upper()}"\n'
    path.write_text(taken + MEAL.replace("[types.meal_point]", "[types.b]")
                    + MEAL.replace("[types.meal_point]", "[types.c]"), encoding="utf-8")
    types = load_facility_types(path)
    assert [types[k].colour for k in "abc"] == [DEFAULT_COLOURS[0], DEFAULT_COLOURS[1], DEFAULT_COLOURS[2]]


def test_proposed_sites_are_named_by_the_default_pattern(meal_types, shiyan):
    from planner.proposals import propose

    prop = propose(shiyan, meal_types["meal_point"], p=2)
    assert len(prop.sites) == 2
    assert all(n.startswith("拟建") and n.endswith("老年助餐点") and "驻地" not in n for n in prop.sites["name"])


@pytest.mark.parametrize("line, field", [
    ('colour = "red"', "colour"),
    ('colour = "#12345"', "colour"),
    ('icon = "养老服务"', "icon"),
    ('site_name = "拟建助餐点"', "site_name"),           # no {place}: every site would have the same name
    ('site_name = "拟建{town}助餐点"', "site_name"),     # a field nobody fills
    ('site_name = "拟建{place}助餐点{"', "site_name"),
])
def test_bad_presentation_is_named(tmp_path, line, field):
    path = tmp_path / "bad.toml"
    path.write_text(MEAL + line + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        load_facility_types(path)
    assert "[types.meal_point]" in e.value.message("en") and field in e.value.message("en")


# -- ... and is drawn in it, on the web map and in the offline map -------------------------
def test_web_pages_give_the_browser_the_default_colour(meal_types, tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        page = app.test_client().get("/map/meal_point?lang=zh")
        assert page.status_code == 200
        # what web/static/map.js colours facility markers with (window.COVERPLAN.palette.types)
        # (the page's settings are a JSON block, read by common.js: the CSP allows no inline script)
        found = re.search(r'<script type="application/json" id="cp-config">(.*?)</script>',
                          page.get_data(as_text=True), re.S)
        palette = json.loads(found.group(1))["palette"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert palette["types"]["meal_point"] == meal_types["meal_point"].colour
    assert palette["types"]["meal_point"] != palette["other"]
    assert palette["types"]["day_care"] == "#1f78b4"
    assert palette["icons"]["meal_point"] == "老"


def test_offline_map_draws_the_new_type_in_its_default_colour(meal_types, shiyan):
    from planner.coverage import analyse_coverage
    from planner.mapexport import coverage_map, standalone_html

    region = with_meal_points(shiyan, 3)
    cov = analyse_coverage(region, meal_types["meal_point"], facilities=region.facilities)
    page = standalone_html(coverage_map(region, cov, lang="zh"))
    colour = meal_types["meal_point"].colour
    assert page.count(f'"fillColor": "{colour}"') == 3                  # the three markers
    assert f"background:{colour}" in page and "老年助餐点" in page       # and their legend entry
