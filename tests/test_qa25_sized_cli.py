"""QA 25 (the plan's "how much" answers): fractional sizes were solved (0.5-bed sites); a sized proposal with no
existing facility of the type said its capacities were "the imported register's"; `propose --sizes` and `upgrade`
printed no notes and an unlabelled cost, and the sized --out table had raw keys, Chinese counties in English and
utilisation 1.0; "shortfall 0 / met" at city and county level hid short townships; "1 new sites"; a county's
upgrade compared its demand with the whole city's; a conversion said "at township seats" of the whole city's
figure; a size beyond the type's cost range got an extrapolated cost without a word."""
from __future__ import annotations

import csv

import pytest

from geo.errors import InputDataError
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run

FANG, ZHANGWAN = "420325", "420303"


def _short_townships(report: dict, county: str | None = None) -> tuple[int, int]:
    rows = [r for r in report["by_township"] if r["status"] == "not_met"
            and (county is None or str(r["county_code"]) == county)]
    return len(rows), int(round(sum(float(r["shortfall"]) for r in rows)))


# -- 1. sizes are whole numbers of 1 or more ---------------------------------------------------------------------
@pytest.mark.parametrize("sizes, bad", [("0.5", "0.5"), ("1e-9", "1e-09"), ("30.5", "30.5"), ("30,0.5", "0.5")])
def test_cli_refuses_sizes_that_are_not_whole(var, capsys, sizes, bad):  # noqa: F811
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "elderly_complex", "--sizes", sizes,
                         "--budget", "1")
    assert code == 2 and out == "" and "Traceback" not in err, (out, err)
    assert f"--sizes {sizes}: {bad} is not a whole number of 1 or more" in err and "beds" in err, err
    assert "data version" not in err  # before any data is loaded
    code, out, err = run(capsys, "propose", "--type", "elderly_complex", "--sizes", sizes, "--budget", "1")
    assert code == 2 and f"--sizes {sizes} 无效：{bad} 不是不小于 1 的整数" in err and "床位数" in err, err


@pytest.mark.parametrize("sizes", ["0.5", [0.5], "1e-9", [30, 30.5], "60,0.25"])
def test_the_planner_refuses_sizes_that_are_not_whole(shiyan, sizes):
    from planner.sizing import parse_sizes, propose_sized, sized_classes

    for call in (lambda: parse_sizes(sizes), lambda: sized_classes(sizes, None),
                 lambda: propose_sized(shiyan, "elderly_complex", sizes, budget_sites=1)):
        with pytest.raises(InputDataError) as e:
            call()
        assert e.value.details["parameter"] == "sizes" and "not a whole number of 1 or more" in e.value.message("en")
        assert "不是不小于 1 的整数" in e.value.message("zh")
    assert parse_sizes("30,60,100") == [30.0, 60.0, 100.0] and parse_sizes([1]) == [1.0]


# -- 2 and 8. the notes of a sized proposal: no facility of the type; an extrapolated cost --------------------------
def test_a_sized_proposal_without_existing_facilities_says_so(shiyan):
    from planner.coverage import county_type
    from planner.facility_types import get_type
    from planner.sizing import propose_sized

    ft = county_type(get_type("disabled_care"), FANG, shiyan)
    out = propose_sized(shiyan, ft, "50", budget_sites=1)
    assert out["existing"] == []
    zh, en = out["notes_zh"][0], out["notes_en"][0]
    assert "imported register" not in en and "已导入的名录" not in zh, (zh, en)
    assert "there is no existing care facility for disabled/dementia elderly in Fang County" in en, en
    assert "房县现有失能失智老人养护设施 0 处" in zh, zh
    assert not any("extrapolated" in n for n in out["notes_en"])  # 50 is within the type's classes


def test_a_size_beyond_the_types_cost_range_is_noted(shiyan):
    from planner.coverage import county_type
    from planner.facility_types import get_type
    from planner.sizing import extrapolated_note, propose_sized, size_costs

    ft = get_type("elderly_complex")
    lo, hi = min(ft.capacity.sizes), max(ft.capacity.sizes)
    assert extrapolated_note(ft, [lo, hi], size_costs(ft, [lo, hi])) is None
    cost = size_costs(ft, [1000.0])[0]
    note = extrapolated_note(ft, [1000.0], [cost])
    assert f"Size 1,000 beds ({cost:,.0f} × 10,000 yuan) is outside the size classes the type states costs for " \
           f"({lo:,.0f}–{hi:,.0f} beds): its cost is extrapolated" in note["en"], note
    assert f"规模 1,000 张床位（{cost:,.0f} 万元）超出该类型设定的造价档次（{lo:,.0f}–{hi:,.0f} 张床位）" in note["zh"], note
    out = propose_sized(shiyan, county_type(ft, FANG, shiyan), "1000", budget_sites=1)
    assert any("is extrapolated beyond that range" in n for n in out["notes_en"]), out["notes_en"]
    assert any("外推" in n for n in out["notes_zh"]), out["notes_zh"]
    # costs the planner gives are his own: nothing extrapolated
    given = propose_sized(shiyan, county_type(ft, FANG, shiyan), "1000", costs=[9000.0], budget_sites=1)
    assert not any("extrapolated" in n for n in given["notes_en"])


# -- 3 and 5. the CLI prints the notes, labels the cost, counts one site as one -------------------------------------
def test_cli_sized_proposal_prints_notes_and_an_illustrative_cost(var, tmp_path, capsys):  # noqa: F811
    path = tmp_path / "s.csv"
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "disabled_care", "--sizes", "50", "--budget",
                         "1", "--county", "房县", "--out", str(path))
    assert code == 0, err
    head = out.splitlines()[0]
    assert "— 1 new site, illustrative cost 800 × 10,000 yuan;" in head and "new sites" not in head, head
    assert "  * Costs are coverplan's illustrative assumptions" in err and "no existing care facility" in err, err
    assert "  * Each village is served whole by one facility" in err
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header, first = rows[1], dict(zip(rows[1], rows[2]))
    assert "Cost (10,000 yuan, illustrative)" in header and "Utilisation" in header and "County" in header, header
    assert "county_name" not in header and "capacity_people" not in header, header
    assert first["County"] == "Fang County" and first["Utilisation"].endswith("%"), first
    assert first["Size (beds)"] == "50" and first["Cost (10,000 yuan, illustrative)"] == "800", first
    assert "proposed care facility" in first["Name"] and first["Priority"] == "1", first
    code, out, err = run(capsys, "propose", "--type", "disabled_care", "--sizes", "50", "--budget", "1",
                         "--county", "房县", "--out", str(path))
    assert code == 0 and "— 1 处新址, 造价（示意）800 万元;" in out.splitlines()[0], out
    assert "  * 造价为 coverplan 示意假设" in err and "房县现有失能失智老人养护设施 0 处" in err, err
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    first = dict(zip(rows[1], rows[2]))
    assert first["县区"] == "房县" and first["使用率"].endswith("%") and first["造价（万元，示意）"] == "800", first


def test_cli_upgrade_prints_its_notes_and_counts_one_facility(var, capsys, shiyan):  # noqa: F811
    code, out, err = run(capsys, "--lang", "en", "upgrade", "--type", "welfare_home", "--k", "5")
    assert code == 0, err
    assert "— 5 facilities, illustrative cost 750 × 10,000 yuan, served" in out.splitlines()[0], out
    assert "of the 5 chosen facilities serve no one more after the upgrade" in err, err
    assert "  * Demand counts people aged 80+ of rural towns and townships" in err and "(示意)" in err, err
    census = float(shiyan.villages["aged_80"].sum())
    code, out, err = run(capsys, "--lang", "en", "upgrade", "--type", "welfare_home", "--k", "1", "--convert")
    assert code == 0 and "— 1 facility, illustrative cost" in out.splitlines()[0], out
    assert "  * Converted, a facility serves the demand of its new type" in err and f"{census:,.0f} in all" in err, err
    code, out, err = run(capsys, "upgrade", "--type", "welfare_home", "--k", "1", "--convert")
    assert code == 0 and "— 1 处, 造价（示意）" in out.splitlines()[0], out
    assert "  * 转型后按新类型（区域性特困供养服务中心）的服务对象计算" in err, err


def test_cli_location_proposal_of_one_site_says_site(var, capsys):  # noqa: F811
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "day_care", "--p", "1")
    assert code == 0, err
    assert out.splitlines()[0].endswith(", 1 new site"), out


# -- 4. a shortfall of 0 that nets short townships says so ----------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_city_without_shortfall_names_its_short_townships(shiyan, lang):
    from planner.capacity import analyse_capacity

    d = analyse_capacity(shiyan, "welfare_home").to_dict(lang)
    assert d["citywide"]["shortfall_whole"] == 0 and all(c["shortfall_whole"] == 0 for c in d["by_county"])
    n, x = _short_townships(d)
    assert n > 0 and x > 0
    if lang == "en":
        note = next(s for s in d["notes"] if "townships are short" in s)
        assert f"The citywide shortfall is 0, yet {n:,} townships are short, {x:,} beds in all" in note, note
        assert "nets the surplus of some townships against the others' lack" in note
        assert "The counties of the short townships show no shortfall either" in note and "Fang County" in note
    else:
        note = next(s for s in d["notes"] if "乡镇（街道）存在缺口" in s)
        assert f"全市缺口为 0，但有 {n:,} 个乡镇（街道）存在缺口，合计 {x:,} 张床位" in note and "抵扣" in note, note


def test_counties_without_shortfall_name_their_short_townships(shiyan):
    from planner.capacity import analyse_capacity

    d = analyse_capacity(shiyan, "day_care").to_dict("en")
    met = [c for c in d["by_county"] if c["shortfall_whole"] == 0]
    inside = [(c, _short_townships(d, c["county_code"])) for c in met]
    inside = [(c, nx) for c, nx in inside if nx[0]]
    assert inside and len(inside) < len(d["by_county"])
    m = sum(nx[0] for _, nx in inside)
    note = next(s for s in d["notes"] if "townships are short" in s)
    assert f"In {len(inside)} counties that show no shortfall, {m} townships are short" in note, note
    assert all(f"{c['name_en']} {nx[0]}" in note for c, nx in inside), note
    # a city short at every level needs no such note
    short = analyse_capacity(shiyan, "elderly_complex").to_dict("en")
    assert short["citywide"]["shortfall_whole"] > 0
    assert not any("townships are short" in s or "townships is short" in s for s in short["notes"])


def test_the_note_reaches_the_cli_and_the_api(var, capsys, tmp_path):  # noqa: F811
    code, out, err = run(capsys, "--lang", "en", "capacity", "--type", "welfare_home")
    assert code == 0 and "  * The citywide shortfall is 0, yet" in err, err
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    d = app.test_client().get("/api/capacity/welfare_home?lang=zh").get_json()
    assert any(n.startswith("全市缺口为 0，但有") for n in d["notes"]), d["notes"]


# -- 6 and 7. whose people an upgrade's and a conversion's notes count ---------------------------------------------
def test_a_county_upgrade_compares_with_the_county_not_the_city(shiyan):
    from planner.upgrades import propose_upgrades

    plan = propose_upgrades(shiyan, "welfare_home", 2, county=ZHANGWAN)
    demand = plan.before["demand"]
    county = float(shiyan.villages.loc[shiyan.villages["county_code"].astype(str) == ZHANGWAN, "aged_80"].sum())
    assert county > demand
    zh, en = plan.notes[0]["zh"], plan.notes[0]["en"]
    assert "whole city" not in en and "全市" not in zh, (zh, en)
    assert en.endswith(f": {demand:,.0f}; Zhangwan District has {county:,.0f} people aged 80+ in all, the other "
                       f"{county - demand:,.0f} are not counted."), en
    assert zh.endswith(f"共 {demand:,.0f} 人；张湾区80岁以上人口共 {county:,.0f} 人，其余 {county - demand:,.0f} 人不计入。"), zh


def test_a_conversion_says_whose_people_its_total_counts(shiyan):
    from planner.upgrades import propose_upgrades

    census = float(shiyan.villages["aged_80"].sum())
    plan = propose_upgrades(shiyan, "welfare_home", 1, conversion=True)
    assert plan.after["demand"] == pytest.approx(census)
    note = next(n for n in plan.notes if n["en"].startswith("Converted, a facility serves"))
    assert "township seats" not in note["en"] and "乡镇驻地" not in note["zh"], note
    assert f"people aged 80+ of the whole city (towns, townships and urban subdistricts), {census:,.0f} in all" \
        in note["en"], note
    assert f"全市全部乡镇（街道）的80岁以上老人，共 {census:,.0f} 人" in note["zh"], note
    fang = propose_upgrades(shiyan, "welfare_home", 1, conversion=True, county=FANG)
    note = next(n for n in fang.notes if n["en"].startswith("Converted, a facility serves"))
    assert f"of all towns, townships and subdistricts of Fang County, {fang.after['demand']:,.0f} in all" in note["en"]
    assert f"房县全部乡镇（街道）的80岁以上老人，共 {fang.after['demand']:,.0f} 人" in note["zh"], note
