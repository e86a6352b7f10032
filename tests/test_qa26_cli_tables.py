"""QA 26 (CLI): the --out tables of `upgrade` (and `--convert`), `capacity`, `access` and `beds` were their frames
written as they are: snake_case keys as headers in both languages, county names in Chinese on an English run,
shares as 0.4608, booleans as True/False and missing values as "nan". Each is now headed for a planner in the
run's language with its units, the counties named in it, and its figures are the --json answer's, row for row."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from planner.i18n import share_text, t
from test_qa21_cli import run

CJK = re.compile(r"[\u4e00-\u9fff]")
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
BAD_CELLS = {"nan", "NaN", "None", "none", "NaT", "<NA>", "True", "False", "inf", "-inf"}
#: the English names of the counties (the region's name_en), by code
EN = {"420302": "Maojian District", "420303": "Zhangwan District", "420304": "Yunyang District",
      "420322": "Yunxi County", "420323": "Zhushan County", "420324": "Zhuxi County", "420325": "Fang County",
      "420381": "Danjiangkou City"}
ZH = {"420302": "茅箭区", "420303": "张湾区", "420304": "郧阳区", "420322": "郧西县", "420323": "竹山县", "420324": "竹溪县",
      "420325": "房县", "420381": "丹江口市"}


@pytest.fixture
def var(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    return tmp_path


def answer(capsys, lang: str, *argv) -> dict:
    """The --json answer of ``coverplan --lang LANG ARGV`` (which also writes its --out)."""
    code, out, err = run(capsys, "--lang", lang, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def read(path, sheet=0) -> pd.DataFrame:
    """The table as written, every cell as its text ("" for an empty one), under the title row."""
    if str(path).endswith(".csv"):
        df = pd.read_csv(path, header=1, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        df = pd.read_excel(path, sheet_name=sheet, header=1, dtype=str, keep_default_na=False)
        shown_as_percent(df, path, sheet)
    return df


def shown_as_percent(df: pd.DataFrame, path, sheet=0) -> None:
    """An .xlsx share is a number with a percent format (it was text): in ``df`` (read under the title row)
    each such cell becomes the text Excel shows, e.g. 0.4608 with "0.0%" -> "46.1%"."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            fmt = cell.number_format
            if fmt.endswith("%") and isinstance(cell.value, (int, float)):
                decimals = len(fmt) - fmt.index(".") - 2 if "." in fmt else 0
                df.iat[cell.row - 3, cell.column - 1] = f"{100 * cell.value:.{decimals}f}%"


def check_table(df: pd.DataFrame, lang: str, keys: set[str]) -> None:
    """Headers a planner reads in ``lang`` (no raw key, English or Chinese), and no "nan"/"None"/"True" cell."""
    heads = [str(h) for h in df.columns]
    assert heads and len(set(heads)) == len(heads), heads
    for h in heads:
        assert not SNAKE.match(h) and h not in keys and not h.startswith("Unnamed"), h
        if lang == "en":
            assert h.isascii() and h[:1].isupper(), h  # English words, capitalised as a header
        else:
            assert CJK.search(h), h
    bad = {(h, v) for h in heads for v in df[h] if str(v).strip() in BAD_CELLS}
    assert not bad, sorted(bad)[:5]


def col(df: pd.DataFrame, *words: str) -> list[str]:
    """The one column whose header holds every one of ``words``."""
    found = [h for h in df.columns if all(w in str(h) for w in words)]
    if len(found) > 1:  # "County" beside "County code": the header that is the word itself
        found = [h for h in found if str(h) == words[0]]
    assert len(found) == 1, (words, list(df.columns))
    return list(df[found[0]])


def num(cells) -> list[float]:
    return [float(c) for c in cells]


def county_name(code: str, zh_name: str, lang: str) -> str:
    return EN[str(code)] if lang == "en" else zh_name


# -- upgrade (and --convert) -------------------------------------------------------------------------------
UPGRADE_WORDS = {  # the columns checked against the JSON answer: (words in the zh header, in the en header)
    "priority": (("优先序",), ("Priority",)),
    "name": (("名称",), ("Name",)),
    "township_name": (("乡镇（街道）",), ("Township",)),
    "county": (("县区",), ("County",)),
    "added_served": (("新增服务", "其他选中点位"), ("Serves more", "given the others")),
    "added_alone": (("单独",), ("alone",)),
    "capacity_before": (("前容量", "张床位"), ("Capacity before", "beds")),
    "capacity_after": (("后容量", "张床位"), ("Capacity after", "beds")),
    "served_after": (("后服务人数", "80岁以上老人"), ("Serves once", "aged 80+")),
    "demand_in_reach": (("服务半径内需求", "80岁以上老人"), ("Demand within reach", "aged 80+")),
    "reach_after": (("后服务半径", "分钟"), ("Reach after", "(min)")),
    "cost": (("造价", "万元"), ("Cost", "10,000 yuan")),
    "id": (("编号",), ("ID",)),
    "lon": (("经度",), ("Longitude",)),
    "lat": (("纬度",), ("Latitude",)),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_upgrade_out_table_is_headed_for_a_planner_and_matches_the_json(lang, ext, var, capsys):
    out = var / f"plan.{ext}"
    # Fang County alone: its English name must replace 房县 on an English run
    res = answer(capsys, lang, "upgrade", "--type", "welfare_home", "--k", "3", "--out", str(out))
    df = read(out)
    sites = res["sites"]
    assert len(df) == len(sites) == 3
    check_table(df, lang, set(sites[0]))
    w = {k: v[0 if lang == "zh" else 1] for k, v in UPGRADE_WORDS.items()}
    assert [int(x) for x in col(df, *w["priority"])] == [s["priority"] for s in sites]
    assert col(df, *w["name"]) == [s["name"] for s in sites]  # facility names as in the register
    assert col(df, *w["township_name"]) == [s["township_name"] for s in sites]
    assert col(df, *w["county"]) == [county_name(s["county_code"], s["county_name"], lang) for s in sites]
    for key in ("added_served", "added_alone", "served_after", "demand_in_reach"):  # whole people
        assert num(col(df, *w[key])) == [round(s[key]) for s in sites], key
    for key in ("capacity_before", "capacity_after", "reach_after", "cost"):
        assert num(col(df, *w[key])) == pytest.approx([s[key] for s in sites], abs=0.051), key
    assert col(df, *w["id"]) == [s["id"] for s in sites]
    assert num(col(df, *w["lon"])) == pytest.approx([s["lon"] for s in sites], abs=1e-6)
    assert num(col(df, *w["lat"])) == pytest.approx([s["lat"] for s in sites], abs=1e-6)
    used = col(df, "现使用率") if lang == "zh" else col(df, "Used now")
    assert used == [share_text(s["utilisation_before"]) if s["utilisation_before"] is not None else "" for s in sites]
    flag = col(df, "示意数据") if lang == "zh" else col(df, "Illustrative data")
    assert flag == [("是" if s["synthetic"] else "否") if lang == "zh" else ("yes" if s["synthetic"] else "no")
                    for s in sites]
    reason = col(df, "说明") if lang == "zh" else col(df, "Reason")
    assert reason == [s["reason_zh" if lang == "zh" else "reason_en"] for s in sites]
    # the order a planner reads: rank, name, county, township, then what it adds
    heads = list(df.columns)
    assert heads[:4] == [col_head(df, w["priority"]), col_head(df, w["name"]), col_head(df, w["county"]),
                         col_head(df, w["township_name"])]
    assert heads[4] == col_head(df, w["added_served"])


def col_head(df: pd.DataFrame, words) -> str:
    return next(h for h in df.columns if all(x in str(h) for x in words))


def test_upgrade_out_names_a_county_in_english(var, capsys):
    """--county 房县 on an English run: every row's county is Fang County, none 房县."""
    out = var / "fang.csv"
    res = answer(capsys, "en", "upgrade", "--type", "welfare_home", "--k", "2", "--county", "房县", "--out", str(out))
    df = read(out)
    assert {s["county_code"] for s in res["sites"]} == {"420325"}
    assert col(df, "County") == ["Fang County", "Fang County"]
    assert not any(CJK.search(str(h)) for h in df.columns)


@pytest.mark.parametrize("lang, ext", [("en", "csv"), ("zh", "xlsx")])
def test_convert_out_table_is_headed_for_a_planner_and_matches_the_json(lang, ext, var, capsys):
    out = var / f"conv.{ext}"
    res = answer(capsys, lang, "upgrade", "--type", "welfare_home", "--k", "2", "--convert", "--out", str(out))
    df = read(out)
    sites = res["sites"]
    assert len(df) == len(sites) == 2
    check_table(df, lang, set(sites[0]))
    zh = lang == "zh"
    # a conversion's words, not an upgrade's; no "utilisation now" nor "reach before" (they mean nothing here)
    assert not any(("改造" if zh else "upgraded") in str(h) for h in df.columns), list(df.columns)
    assert not any(("使用率" if zh else "Used now") in str(h) for h in df.columns)
    added = col(df, "其他选中点位已转型") if zh else col(df, "given the others converted")
    assert num(added) == [round(s["added_served"]) for s in sites]
    assert col(df, "县区" if zh else "County") == [county_name(s["county_code"], s["county_name"], lang) for s in sites]
    assert num(col(df, *(("转型前容量", "张床位") if zh else ("Capacity before", "beds")))) == \
        pytest.approx([s["capacity_before"] for s in sites])


def test_upgrade_geojson_out_is_unchanged(var, capsys):
    out = var / "plan.geojson"
    res = answer(capsys, "en", "upgrade", "--type", "welfare_home", "--k", "2", "--out", str(out))
    fc = json.loads(out.read_text(encoding="utf-8"))
    props = [f["properties"] for f in fc["features"]]
    assert [p["id"] for p in props] == [s["id"] for s in res["sites"]]
    assert "capacity_before" in props[0] and "county_name" in props[0]  # the raw keys `targets --proposal` reads


# -- capacity (per township) ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, ext, argv", [
    ("en", "csv", ["--beds"]), ("zh", "xlsx", ["--beds"]), ("en", "xlsx", ["--type", "welfare_home"]),
    ("zh", "csv", ["--type", "welfare_home"]),
])
def test_capacity_out_table_is_headed_for_a_planner_and_matches_the_json(lang, ext, argv, var, capsys):
    out = var / f"cap.{ext}"
    res = answer(capsys, lang, "capacity", *argv, "--out", str(out))
    df = read(out)
    rows = res["by_township"]
    assert len(df) == len(rows) > 100
    check_table(df, lang, set(rows[0]))
    zh = lang == "zh"
    unit = "张床位" if zh else "(beds)"
    assert col(df, "乡镇代码" if zh else "Township code") == [r["township_code"] for r in rows]
    assert col(df, "乡镇（街道）" if zh else "Township") == [r["township_name"] for r in rows]
    assert col(df, "县区" if zh else "County") == [county_name(r["county_code"], r["county_name"], lang) for r in rows]
    assert num(col(df, "现有容量" if zh else "Supply", unit)) == pytest.approx([r["supply"] for r in rows], abs=0.051)
    assert num(col(df, "按标准应有" if zh else "Required", unit)) == pytest.approx([r["required"] for r in rows], abs=0.051)
    assert num(col(df, "缺口" if zh else "Shortfall", unit)) == pytest.approx([r["shortfall"] for r in rows], abs=0.051)
    assert num(col(df, "需求人数" if zh else "Demand")) == [round(r["demand"]) for r in rows]
    ratio = col(df, "达标率" if zh else "Share of the standard")
    assert ratio == [share_text(r["ratio_to_standard"]) if r["ratio_to_standard"] is not None else "" for r in rows]
    per = list(df[next(h for h in df.columns if str(h).startswith("每千名" if zh else "Beds per 1,000"))])
    assert [float(x) if x else None for x in per] == \
        [pytest.approx(r["ratio_per_1000"], abs=0.051) if r["ratio_per_1000"] is not None else None for r in rows]
    status = {"met": ("达标", "met"), "not_met": ("未达标", "not met"), "na": ("不适用", "n/a")}
    assert col(df, "状态" if zh else "Status") == [status[r["status"]][0 if zh else 1] for r in rows]


# -- access (per village) ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, ext", [("en", "csv"), ("zh", "xlsx")])
def test_access_out_table_is_headed_for_a_planner_and_matches_the_json(lang, ext, var, capsys):
    out = var / f"acc.{ext}"
    res = answer(capsys, lang, "access", "--type", "welfare_home", "--out", str(out))
    df = read(out)
    units = res["units"]
    assert len(df) == len(units) > 1000
    check_table(df, lang, set(units[0]))
    zh = lang == "zh"
    assert col(df, "村（社区）代码" if zh else "Village code") == [u["id"] for u in units]
    assert col(df, "县区" if zh else "County") == [(ZH if zh else EN)[u["county_code"]] for u in units]
    assert num(col(df, "可达性指数" if zh else "Access")) == pytest.approx([u["access_per_1000"] for u in units], abs=0.0051)
    assert col(df, "达标率" if zh else "Share of the standard") == [share_text(u["ratio_to_standard"]) for u in units]
    yes, no = ("是", "否") if zh else ("yes", "no")
    assert col(df, "无可达设施" if zh else "No facility within reach") == [yes if u["no_access"] else no for u in units]
    assert col(df, "城镇" if zh else "Urban") == [yes if u["urban"] else no for u in units]
    assert num(col(df, "服务半径内设施" if zh else "Facilities within reach")) == [u["sites_in_reach"] for u in units]


# -- beds (townships and counties) ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_beds_out_tables_are_headed_for_a_planner_and_match_the_json(lang, var, capsys):
    out = var / "beds.xlsx"
    res = answer(capsys, lang, "beds", "--target", "500", "--out", str(out))
    zh = lang == "zh"
    sheets = pd.ExcelFile(out).sheet_names
    assert sheets == (["乡镇（街道）", "县（市、区）"] if zh else ["townships", "counties"])
    towns, counties = read(out, sheets[0]), read(out, sheets[1])
    total = t("cap_citywide", lang)  # each sheet ends in the city's total row, the sum of the rows (QA 32)
    assert col(towns, "乡镇（街道）" if zh else "Township")[-1] == total == col(counties, "县区" if zh else "County")[-1]
    towns, counties = towns.iloc[:-1], counties.iloc[:-1]
    for df, rows in ((towns, res["by_township"]), (counties, res["by_county"])):
        assert len(df) == len(rows)
        check_table(df, lang, set(rows[0]))
        assert col(df, "县区" if zh else "County") == [county_name(r["county_code"], r["county_name"], lang)
                                                       for r in rows]
        assert num(col(df, "分配床位" if zh else "New beds given")) == [r["allocated"] for r in rows]
        assert num(col(df, "其中扩建" if zh else "enlarging")) == [r["enlarge_existing"] for r in rows]
        assert num(col(df, "新建处数" if zh else "New sites")) == [r["new_sites"] for r in rows]
        # whole beds, as the card shows them (QA 32: 2835.2)
        assert num(col(df, "按标准应有" if zh else "required by the standard")) == [r["required_whole"] for r in rows]
        assert num(col(df, "分配后缺口（" if zh else "Shortfall after")) == [r["shortfall_after_whole"] for r in rows]
    assert sum(num(col(counties, "分配床位" if zh else "New beds given"))) == res["allocated"] == 500
    assert col(towns, "分配后缺口率" if zh else "Shortfall ratio after") == \
        [share_text(r["shortfall_ratio_after"]) for r in res["by_township"]]
    assert num(col(counties, *(("分配后每千名",) if zh else ("per 1,000", "after")))) == \
        pytest.approx([r["beds_per_1000_after"] for r in res["by_county"]], abs=0.051)
    # the English names are the county column's now, not a column of their own beside the Chinese
    assert not any("county_name" in str(h) for h in counties.columns)


def test_beds_csv_holds_the_townships_headed_in_english(var, capsys):
    out = var / "beds.csv"
    res = answer(capsys, "en", "beds", "--target", "500", "--out", str(out))
    df = read(out)
    check_table(df, "en", set(res["by_township"][0]))
    assert col(df, "Township code") == [r["township_code"] for r in res["by_township"]] + [""]  # + the total row
    assert not any(CJK.search(c) for c in col(df, "County"))
