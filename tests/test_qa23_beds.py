"""QA 23 (beds and capacity): `beds --target 100` counted every township's few new beds as a site ("17 new beds
/ 8 sites"); `capacity` printed a county whose only facility has no bed count as "0" with no word; `beds --type
cemetery` was taken and ignored; an English `propose --sizes` said "cost 2250 万元"."""
from __future__ import annotations

import json
import math

import pytest

from cli.capacity import UNKNOWN_MARK, wan
from geo import settings
from planner.beds import allocate_beds, check_bed_type
from test_qa21_cli import error, run


@pytest.fixture
def var(tmp_path, monkeypatch):
    """An isolated data store (no import of another test or of the QA's)."""
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    return tmp_path


# --- 4: new sites only where a township's new beds make one -------------------------------------------------

@pytest.mark.parametrize("target", [100, 7136])
def test_new_sites_are_counted_only_where_the_new_beds_make_a_site(shiyan, target):
    out = allocate_beds(shiyan, target, year=2025)
    json.dumps(out, allow_nan=False)
    assert out["allocated"] + out["not_allocated"] == target
    size, least = out["new_site_size"], out["new_site_min"]
    assert (out["new_site_type"], size, least) == ("elderly_complex", 100, 30)  # its size classes 30, 60, 100
    small = 0
    for r in out["by_township"]:
        nb = r["new_beds"]
        assert r["enlarge_existing"] + nb == r["allocated"]
        if nb >= least:
            assert r["new_sites"] == math.ceil(nb / size) and r["beds_to_place"] == 0
            assert nb / r["new_sites"] >= least       # every site counted holds at least the smallest class
        else:
            assert r["new_sites"] == 0 and r["beds_to_place"] == nb
            small += nb > 0
    place = sum(r["beds_to_place"] for r in out["by_township"])
    assert out["beds_to_place"] == place == sum(c["beds_to_place"] for c in out["by_county"])
    assert sum(c["new_sites"] for c in out["by_county"]) == sum(r["new_sites"] for r in out["by_township"])
    if target == 100:  # the QA's run: 100 beds over 35 townships is not dozens of new facilities
        assert small >= 20 and sum(r["new_sites"] for r in out["by_township"]) <= 1
    # the rule is stated, with this breakdown's count, in both languages
    assert any("最小规模档次" in n and f"本次共有 {place:,} 张待安排床位" in n for n in out["notes_zh"])
    assert any(f"once they reach {least:g}" in n and f"{place:,} beds to place in {small:,} townships" in n
               for n in out["notes_en"])


def test_beds_text_says_the_beds_to_place(capsys, var):
    code, text, err = run(capsys, "--lang", "en", "beds", "--target", "100")
    assert code == 0, err
    rows = [ln for ln in text.splitlines() if ln.startswith("  42")]
    assert len(rows) == 8 and sum("to place)" in ln for ln in rows) >= 6, text
    for ln in rows:  # new beds in no site are said as beds to place
        if "/ 0 sites" in ln and "new 0 /" not in ln:
            assert "to place)" in ln, ln
    assert "beds to place" in err and "once they reach 30" in err
    code, text, err = run(capsys, "beds", "--target", "100")
    assert code == 0 and "待安排" in text and "待安排床位" in err, (text, err)
    # the QA's run: 丹江口市's 16-17 beds over its townships are no longer "8 处"
    row = next(ln for ln in text.splitlines() if "420381" in ln)
    assert "/ 0 处" in row, row


# --- 11: beds --type: a type with beds is used, one without is refused ----------------------------------------

@pytest.mark.parametrize("key, unit_en, unit_zh", [("cemetery", "plots", "墓穴/格位"),
                                                   ("day_care", "day places", "日托位")])
def test_beds_refuses_a_type_without_beds(capsys, var, key, unit_en, unit_zh):
    line = error(capsys, "en", "beds", "--target", "100", "--type", key)
    assert f"--type {key}:" in line and f"no beds (its capacity is in {unit_en})" in line, line
    assert "welfare_home (Rural welfare home)" in line and "leave --type out" in line, line
    line = error(capsys, "zh", "beds", "--target", "100", "--type", key)
    assert f"--type {key} 无效" in line and unit_zh in line and "welfare_home（农村福利院）" in line, line
    code, out, _ = run(capsys, "beds", "--target", "100", "--type", key, "--json")
    assert code == 2 and json.loads(out)["details"]["bed_types"] == [
        "elderly_complex", "disabled_care", "regional_center", "mutual_aid", "welfare_home"]


def test_a_type_without_beds_is_refused_by_the_planner_too(shiyan):
    from geo.errors import InputDataError

    assert check_bed_type(None) is None and check_bed_type("welfare_home").key == "welfare_home"
    with pytest.raises(InputDataError) as e:
        allocate_beds(shiyan, 100, bed_type="meal_service")
    assert e.value.details["parameter"] == "type" and "meal places" in str(e.value)


def test_beds_type_makes_the_new_beds_that_types(shiyan, capsys, var):
    every = allocate_beds(shiyan, 7136, year=2025)
    assert every["bed_type"] is None and len({e["type"] for e in every["enlarge"]}) > 1
    homes = allocate_beds(shiyan, 7136, year=2025, bed_type="mutual_aid")
    # the same shortfalls (all beds against the standard), shared over the townships the type serves ...
    assert homes["allocated"] + homes["not_allocated"] == 7136
    towns = {r["township_code"] for r in homes["by_township"] if r["allocated"]}
    from planner.sites import demand_units
    assert towns and towns <= set(demand_units(shiyan, check_bed_type("mutual_aid"))["township_code"].astype(str))
    # ... but only mutual-aid centres enlarged, and new sites of their size classes (10, 20, 30)
    assert homes["bed_type"] == homes["new_site_type"] == "mutual_aid"
    assert {e["type"] for e in homes["enlarge"]} == {"mutual_aid"}
    assert (homes["new_site_size"], homes["new_site_min"]) == (30, 10)
    assert sum(r["new_sites"] for r in homes["by_township"]) > sum(r["new_sites"] for r in every["by_township"])
    assert any("Rural mutual-aid care centre" in n for n in homes["notes_en"])
    # the command says what --type means for it, and uses it
    code, out, _ = run(capsys, "beds", "--help")
    assert "only its facilities are enlarged" in out or "只扩建该类现有设施" in out, out
    code, out, err = run(capsys, "beds", "--target", "7136", "--year", "2025", "--type", "mutual_aid", "--json")
    assert code == 0 and json.loads(out)["new_site_type"] == "mutual_aid", err


# --- 5: capacity's text says which supply is not known --------------------------------------------------------

def test_capacity_marks_a_county_whose_capacity_is_unknown(capsys, var):
    reg = var / "homes.csv"
    # the QA's register, cut down: 茅箭区's only welfare home with no bed count, another with its beds
    reg.write_text("编号,名称,类型,经度,纬度,床位数,乡镇代码\n"
                   "WH001,茅塔乡福利院甲,农村福利院,110.8350152,32.4915102,,420302201\n"
                   "WH008,白桑关镇福利院甲,农村福利院,111.0374446,32.9471623,105,420304104\n", encoding="utf-8")
    code, _, err = run(capsys, "data", "import", "facilities", str(reg), "--partial", "--replace", "city")
    assert code == 0, err
    code, out, _ = run(capsys, "--lang", "en", "capacity", "--type", "welfare_home", "--json")
    d = json.loads(out)
    row = next(r for r in d["by_county"] if r["county_code"] == "420302")
    assert (row["facilities"], row["capacity_known"], row["supply_whole"]) == (1, 0, 0)
    code, text, err = run(capsys, "--lang", "en", "capacity", "--type", "welfare_home")
    assert code == 0, err
    lines = text.splitlines()
    maojian = next(ln for ln in lines if "420302" in ln)
    assert f"0 {UNKNOWN_MARK}" in maojian, text
    assert UNKNOWN_MARK not in next(ln for ln in lines if "420304" in ln)  # its beds are known: no mark
    assert UNKNOWN_MARK in next(ln for ln in lines if "citywide" in ln)
    note = next(ln for ln in lines if ln.strip().startswith(f"{UNKNOWN_MARK} capacity unknown"))
    assert "1 facility leaves the register's beds column empty (Maojian District 1 of 1)" in note
    assert "counts as 0" in note and "Fill in the beds column" in note, note
    # the columns stay aligned: the "now" figures end where the marked ones' figures end
    at = maojian.index(f" 0 {UNKNOWN_MARK}") + 1
    zhangwan = next(ln for ln in lines if "420303" in ln)  # no facility: 0, unmarked
    assert zhangwan[at - 1:at + 2] == " 0 ", (maojian, zhangwan)
    code, text, _ = run(capsys, "capacity", "--type", "welfare_home")
    assert "茅箭区" in next(ln for ln in text.splitlines() if "420302" in ln) and f"0 {UNKNOWN_MARK}" in text
    assert "1 处设施在名录中的床位数为空（茅箭区 1/1 处），按 0 计" in text and "补填床位数" in text, text
    # all beds together: the same mark
    code, text, _ = run(capsys, "--lang", "en", "capacity", "--beds")
    assert code == 0 and f"{UNKNOWN_MARK} capacity unknown" in text, text


def test_capacity_has_no_mark_when_every_capacity_is_known(capsys, var):
    code, text, err = run(capsys, "--lang", "en", "capacity", "--type", "welfare_home")
    assert code == 0 and "capacity unknown" not in text and f" {UNKNOWN_MARK}" not in text, text


# --- 13b: an English run says its costs in English --------------------------------------------------------------

def test_wan_in_each_language():
    assert wan(2250, "en") == "2,250 × 10,000 yuan" and wan(2250.0, "zh") == "2,250 万元"  # grouped as the brief (QA 29)
    assert wan(337.5, "en") == "337.5 × 10,000 yuan" and wan(12345.25, "zh") == "12,345.25 万元"


def test_sized_proposal_cost_in_english(capsys, var):
    code, text, err = run(capsys, "--lang", "en", "propose", "--type", "welfare_home", "--sizes", "30,60,100",
                          "--budget", "3")
    assert code == 0, err
    first = text.splitlines()[0]
    assert "× 10,000 yuan" in first and "万元" not in first, first
    # the sites' generated words in English too (拟建土门镇农村福利院 in an English run), the place kept
    sites = text.splitlines()[1:4]
    assert all("proposed rural welfare home" in line and "拟建" not in line for line in sites), sites
    code, text, err = run(capsys, "propose", "--type", "welfare_home", "--sizes", "30,60,100", "--budget", "3")
    assert code == 0 and "万元" in text.splitlines()[0], text


def test_the_api_takes_a_bed_type_and_refuses_one_without_beds(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        c = app.test_client()
        r = c.get("/api/beds?target=500&type=cemetery&lang=en")
        assert r.status_code == 400 and "has no beds" in r.get_json()["message"], r.data[:300]
        assert "welfare_home" in r.get_json()["message"]
        assert c.get("/api/beds?target=500&type=nope").status_code == 404
        every = c.get("/api/beds?target=500").get_json()
        homes = c.get("/api/beds?target=500&type=welfare_home").get_json()
        assert every["allocated"] == homes["allocated"] == 500
        # only welfare homes are enlarged, and only townships they serve get their beds (no city street)
        assert homes["enlarge"] and {e["type"] for e in homes["enlarge"]} == {"welfare_home"}
        served = {r["township_code"] for r in homes["by_township"] if r["allocated"]}
        assert served and served < {r["township_code"] for r in every["by_township"]}
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_bed_types_table_says_its_type(capsys, var, tmp_path):
    out = tmp_path / "b.csv"
    code, _, err = run(capsys, "--lang", "en", "beds", "--target", "100", "--type", "welfare_home", "--out", str(out))
    assert code == 0, err
    assert "bed type Rural welfare home" in out.read_text("utf-8-sig").splitlines()[0]
    code, _, err = run(capsys, "--lang", "en", "beds", "--target", "100", "--out", str(out))
    assert code == 0 and "bed type" not in out.read_text("utf-8-sig").splitlines()[0]


def test_a_bed_types_beds_go_only_to_the_townships_it_serves(shiyan):
    """`beds --type welfare_home` put rural welfare-home sites in city streets (车城路街道, 五堰街道)."""
    from planner.sites import demand_units

    out = allocate_beds(shiyan, 300, bed_type="welfare_home")
    served = set(demand_units(shiyan, check_bed_type("welfare_home"))["township_code"].astype(str))
    given = {r["township_code"] for r in out["by_township"] if r["allocated"]}
    assert given and given <= served
    streets = {r["township_code"] for r in out["by_township"] if r["township_name"].endswith("街道")}
    assert streets and not (streets & given)
    assert out["allocated"] + out["not_allocated"] == 300
    assert any("city streets" in n for n in out["notes_en"]) and any("城区街道" in n for n in out["notes_zh"])
    # every bed type together: the streets share the beds as before
    every = allocate_beds(shiyan, 300)
    assert streets & {r["township_code"] for r in every["by_township"] if r["allocated"]}
