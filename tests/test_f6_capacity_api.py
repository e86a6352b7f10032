"""Fixer F6: the capacity answers say their data version; netting notes whenever townships' gaps exceed the level's;
the targets note of a package that builds and converts; a sized proposal's refusal of p; numbers echoed as typed."""
from __future__ import annotations

import pytest

from web.api import DATA_VERSION_HEADER


# -- 1. dataset_version on the capacity, beds, upgrades, access and targets answers ------------------------------------
@pytest.fixture()
def versioned_app(var_dir, tmp_path):
    """An app on a data store of its own, moved to data version 1 by one map edit (so the version said is not
    merely the embedded default's 0)."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    c = app.test_client()
    row = c.get("/api/facilities?type=day_care").get_json()["rows"][0]
    r = c.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": row["id"],
                                        "fields": {"remark": "F6 版本"}})
    assert r.status_code == 200, r.get_json()
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_capacity_answers_say_their_data_version(versioned_app):
    c = versioned_app.test_client()
    current = c.get("/api/healthz").get_json()["data_version"]
    assert current >= 1
    # the value /api/coverage/<type> gives
    assert c.get("/api/coverage/day_care").get_json()["dataset_version"] == current
    for url in ("/api/capacity", "/api/capacity/welfare_home", "/api/capacity/beds", "/api/beds?target=7136",
                "/api/upgrades/welfare_home", "/api/access/day_care?units=0"):
        r = c.get(url)
        assert r.status_code == 200, (url, r.get_json())
        assert r.get_json()["dataset_version"] == current, url
        assert r.headers[DATA_VERSION_HEADER] == str(current), url
    # the targets stay a bare list (the pages read it so); the version is in the header
    r = c.get("/api/targets")
    assert r.status_code == 200 and isinstance(r.get_json(), list) and r.get_json()[0]["key"]
    assert r.headers[DATA_VERSION_HEADER] == str(current)


# -- 2. a shortfall that nets townships' gaps says so, whether it is 0 or only smaller ---------------------------------
def _towns_total(d: dict, county: str | None = None) -> int:
    """The short townships' shortfalls added up, in whole units: the city's rounded; a county's its share of the
    city's by largest remainder, so the counties named add up to the city's figure (planner.capacity.whole_split)."""
    from planner.capacity import whole_split

    def short(code=None) -> float:
        return sum(float(r["shortfall"] or 0) for r in d["by_township"]
                   if r["status"] == "not_met" and (code is None or str(r["county_code"]) == str(code)))
    if county is None:
        return int(round(short()))
    codes = [str(c["county_code"]) for c in d["by_county"]]
    return whole_split(short(), [short(c) for c in codes])[1][codes.index(str(county))]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ["beds", "elderly_complex", "cemetery"])
def test_a_smaller_citywide_shortfall_says_the_townships_total(shiyan, kind, lang):
    from planner.capacity import analyse_beds, analyse_capacity

    d = (analyse_beds(shiyan) if kind == "beds" else analyse_capacity(shiyan, kind)).to_dict(lang)
    city, towns = d["citywide"]["shortfall_whole"], _towns_total(d)
    assert 0 < city < towns  # beds: 15,064 against 16,837 on the embedded data
    assert len(d["level_notes"]) == 1 and d["level_notes"][0] in d["notes"]
    note = d["level_notes"][0]
    assert f"{city:,}" in note and f"{towns:,}" in note, note
    assert ("nets the surplus of some townships against the others' lack" if lang == "en"
            else "富余抵扣其他乡镇（街道）的不足") in note, note
    # a county short by less than its townships is named with both figures
    county = next(c for c in d["by_county"] if 0 < c["shortfall_whole"] < _towns_total(d, c["county_code"]))
    name = county["name_en"] if lang == "en" else county["name"]
    unit = "beds" if kind in ("beds", "elderly_complex") else "plots"
    unit = unit if lang == "en" else ("张床位" if unit == "beds" else "个墓穴/格位")
    both = (f"{name} {_towns_total(d, county['county_code']):,} {unit} against {county['shortfall_whole']:,}"
            if lang == "en" else
            f"{name} {_towns_total(d, county['county_code']):,} {unit}，县级 {county['shortfall_whole']:,} {unit}")
    assert both in note, note


def test_the_counties_named_add_up_to_the_townships_total(shiyan):
    """Each county's township shortfalls rounded alone summed one off the total beside them (16,836 beds against
    16,837 on the embedded data, where every county with a short township is named)."""
    import re

    from planner.capacity import analyse_beds

    d = analyse_beds(shiyan).to_dict("en")
    note = d["level_notes"][0]
    named = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:beds|plots) against", note)]
    short_counties = {str(r["county_code"]) for r in d["by_township"] if r["status"] == "not_met"}
    assert len(named) == len(short_counties)  # every county with a short township is named here
    assert sum(named) == _towns_total(d), note


def test_no_netting_note_where_the_townships_add_up_to_the_level(shiyan):
    from planner.capacity import analyse_capacity

    d = analyse_capacity(shiyan, "regional_center").to_dict("en")  # every county and township short alike
    assert d["citywide"]["shortfall_whole"] > 0 and _towns_total(d) <= d["citywide"]["shortfall_whole"]
    assert d["level_notes"] == []


def test_the_overview_beds_answer_carries_the_note(client):
    """The overview shows the level_notes of /api/capacity under its beds table (web/static/overview.js)."""
    d = client.get("/api/capacity?lang=zh").get_json()
    city, towns = d["citywide"]["shortfall_whole"], _towns_total(d)
    assert any(f"全市缺口为 {city:,} 张床位" in n and f"缺口合计 {towns:,} 张床位" in n for n in d["level_notes"]), \
        d["level_notes"]


# -- 3. a package of a sized welfare-home proposal and a conversion: the upgrade target's note --------------------------
def test_the_upgrade_targets_note_says_the_package_also_converts(app):
    c = app.test_client()

    def saved(body) -> str:
        r = c.post("/api/proposals?wait=120", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["proposal"]["id"]

    sized = saved({"type": "welfare_home", "kind": "sized", "budget_sites": 2})
    conv = saved({"type": "welfare_home", "kind": "upgrade", "k": 8, "convert": True})
    for lang in ("zh", "en"):
        rows = {r["key"]: r for r in c.get(f"/api/targets?proposals={sized},{conv}&lang={lang}").get_json()}
        a = rows["welfare_home_upgraded_2025"]["after"]
        assert a["sites_upgraded"] == 0 and a["converted_out"] == 8, a
        notes = " ".join(a["notes"])
        if lang == "zh":
            assert "只新建设施" not in notes and "转型 8 处" in notes and "只计入转型目标" in notes, notes
            assert "新建不计入改造提升目标" in notes, notes
        else:
            assert "only build new sites" not in notes and "convert 8 facilities" in notes, notes
            assert "conversion target only" in notes, notes
        # the conversions count where the note says: on the conversion target
        assert rows["regional_center_new_2025"]["after"]["sites_converted"] == 8
    # the sized proposal alone still only builds new sites, and says so
    rows = {r["key"]: r for r in c.get(f"/api/targets?proposals={sized}&lang=zh").get_json()}
    assert rows["welfare_home_upgraded_2025"]["after"]["notes"] == ["所选方案只新建设施，新建不计入改造提升目标"]


# -- 4. p sent with a sized proposal: the refusal names what a sized proposal takes, not k -----------------------------
def test_p_with_a_sized_proposal_names_only_what_sized_takes(client):
    r = client.post("/api/proposals", json={"type": "welfare_home", "kind": "sized", "p": 5})
    assert r.status_code == 400
    j = r.get_json()
    assert j["details"]["parameter"] == "p"
    assert "budget_sites" in j["message_zh"] and "budget_cost" in j["message_zh"], j["message_zh"]
    assert "或 k" not in j["message_zh"] and " k " not in j["message_zh"], j["message_zh"]
    assert "budget_sites" in j["message_en"] and " k " not in j["message_en"] and "leave it out" in j["message_en"]
    # an upgrade is told it takes k
    r = client.post("/api/proposals", json={"type": "welfare_home", "kind": "upgrade", "k": 2, "model": "mclp"})
    j = r.get_json()
    assert r.status_code == 400 and j["details"]["parameter"] == "model" and "takes k" in j["message_en"], j


# -- 5. JSON numbers echoed as a planner typed them ---------------------------------------------------------------------
@pytest.mark.parametrize("body, name, shown, not_shown", [
    ({"type": "welfare_home", "kind": "sized", "budget_cost": 1e12}, "budget_cost", "1000000000000", "1000000000000.0"),
    ({"type": "welfare_home", "kind": "sized", "budget_cost": 1e308}, "budget_cost", "1e308", "1e+308"),
    ({"type": "day_care", "p": 1e9}, "p", "1000000000", "1000000000.0"),
    ({"type": "welfare_home", "kind": "upgrade", "k": 1e9}, "k", "1000000000", "1000000000.0"),
    ({"type": "welfare_home", "kind": "sized", "costs": [1e12]}, "costs", "1000000000000", "1e+12"),
])
def test_numbers_are_echoed_as_typed(client, body, name, shown, not_shown):
    r = client.post("/api/proposals", json=body)
    assert r.status_code == 400
    j = r.get_json()
    assert j["details"]["parameter"] == name
    assert j["details"]["value"] == body[name]  # the value sent, a number still
    for msg in (j["message_zh"], j["message_en"]):
        assert shown in msg and not_shown not in msg, msg


def test_shown_number_is_the_shortest_plain_form():
    from web.params import shown_number

    assert [shown_number(x) for x in (1e12, 1e308, 1e9, 2.5, 1e-9, 1.5e20, -3.0, 7)] == \
        ["1000000000000", "1e308", "1000000000", "2.5", "1e-9", "1.5e20", "-3", "7"]


def test_a_county_is_named_only_when_the_figure_shown_exceeds_its_own():
    """QA 31: the decision used the raw sum (5.6 beds against 5) while the sentence showed the whole share (5):
    "County A 5 beds against 5" contradicted itself."""
    from planner.capacity import _township_note

    def town(county, short):
        return {"county_code": county, "status": "not_met", "shortfall": short}
    report = {"notes": [], "citywide": {"shortfall_whole": 3, "shortfall": 3.0},
              "by_county": [{"county_code": "A", "name": "甲县", "name_en": "County A", "shortfall_whole": 5,
                             "shortfall": 5.0},
                            {"county_code": "B", "name": "乙县", "name_en": "County B", "shortfall_whole": 0,
                             "shortfall": 0.0},
                            {"county_code": "C", "name": "丙县", "name_en": "County C", "shortfall_whole": 0,
                             "shortfall": 0.0}],
              "by_township": [town("A", 2.8), town("A", 2.8), town("B", 1.7), town("C", 1.7)]}
    note = _township_note(report, "beds", "en")["notes"][-1]
    assert "against 5" not in note and "County A" not in note, note  # its townships' 5 (of 9) are its own 5
    assert "County B 1" in note and "County C 1" in note, note       # the counties at 0, each one township
