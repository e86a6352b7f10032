"""QA 26 (CLI, b): the --out tables of `coverage`, `check-townships` and `propose` (.csv/.xlsx) were their frames
written as they are: snake_case keys as headers in both languages (id, township_code, priority), the counties in
Chinese on an English run, True/False, shares as 0..1 and "nan". Each is now headed for a planner in the run's
language with its units, the counties named in it, and its figures are the --json answer's, row for row."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from test_qa26_cli_tables import answer, var  # noqa: F401  (the var fixture and the --json helper)

CJK = re.compile(r"[\u4e00-\u9fff]")
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
BAD_CELLS = {"nan", "NaN", "None", "none", "NaT", "<NA>", "True", "False", "inf", "-inf"}
#: the English names of the counties (the region's name_en), by their Chinese names
EN = {"茅箭区": "Maojian District", "张湾区": "Zhangwan District", "郧阳区": "Yunyang District",
      "郧西县": "Yunxi County", "竹山县": "Zhushan County", "竹溪县": "Zhuxi County", "房县": "Fang County",
      "丹江口市": "Danjiangkou City"}
RAW_KEYS = {"id", "name", "kind", "urban", "weight", "standard", "synthetic", "cost", "covered", "priority", "lon",
            "lat", "type", "status", "units", "facilities"}


def read(path) -> pd.DataFrame:
    """The table as written, every cell as its text ("" for an empty one), under the title row."""
    if str(path).endswith(".csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel on Windows needs
        return pd.read_csv(path, header=1, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    from test_qa26_cli_tables import shown_as_percent
    df = pd.read_excel(path, header=1, dtype=str, keep_default_na=False)
    shown_as_percent(df, path)  # a share is a number shown as a percentage
    return df


def check_table(df: pd.DataFrame, lang: str) -> None:
    """Headers a planner reads in ``lang`` (no raw key; English, or Chinese), no "nan"/"None"/"True" cell."""
    heads = [str(h) for h in df.columns]
    assert heads and len(set(heads)) == len(heads), heads
    for h in heads:
        assert not SNAKE.search(h.split(" ")[0]) and h not in RAW_KEYS and not h.startswith("Unnamed"), h
        assert "_" not in h, h
        if lang == "en":
            assert not CJK.search(h) and h[:1].isupper(), h
        else:
            assert CJK.search(h), h
    bad = {(h, v) for h in heads for v in df[h] if str(v).strip() in BAD_CELLS}
    assert not bad, sorted(bad)[:5]
    assert len(df), "no rows"


def col(df: pd.DataFrame, head: str) -> list[str]:
    assert head in df.columns, (head, list(df.columns))
    return list(df[head])


def county_col(df: pd.DataFrame, lang: str, expected_zh: list[str]) -> None:
    """The county column in ``lang``: 房县 -> Fang County on an English run."""
    cells = col(df, "County" if lang == "en" else "县区")
    assert cells == [EN[c] if lang == "en" else c for c in expected_zh]


def yes(lang: str) -> str:
    return "yes" if lang == "en" else "是"


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_coverage_out_is_headed_for_a_planner(var, capsys, lang, ext):
    out = var / f"cov.{ext}"
    d = answer(capsys, lang, "coverage", "--type", "day_care", "--out", str(out))
    df = read(out)
    check_table(df, lang)
    en = lang == "en"
    c = d["citywide"]
    assert len(df) == c["units"]
    covered = col(df, "Covered" if en else "是否覆盖")
    assert set(covered) <= {yes(lang), "no" if en else "否"}
    assert covered.count(yes(lang)) == c["covered_units"]
    weight = col(df, "Demand weight (people aged 60+)" if en else "需求权重（60岁以上人口）")
    assert sum(float(w) for w in weight) == pytest.approx(c["weight"])
    cov_weight = sum(float(w) for w, k in zip(weight, covered) if k == yes(lang))
    assert cov_weight == pytest.approx(c["covered_weight"])
    # the distance in the type's unit (metres for day care), and the counties named in the run's language
    dist = [float(x) for x in col(df, "Distance to the nearest facility (m)" if en else "到最近设施的距离（米）")]
    assert max(dist) == pytest.approx(d["citywide"]["cost_quantiles"]["p100"], abs=1)
    counties = set(col(df, "County" if en else "县区"))
    assert counties == (set(EN.values()) if en else set(EN))
    assert ("Fang County" in counties) == en and ("房县" in counties) != en
    # the codes and coordinates last, lon/lat to 6 decimals
    assert list(df.columns)[-3:-1] == (["Longitude", "Latitude"] if en else ["经度", "纬度"])
    assert list(df.columns)[0] == ("Demand unit code" if en else "需求单元代码")
    lon = col(df, "Longitude" if en else "经度")
    assert all(len(x.split(".")[-1]) <= 6 for x in lon) and 109 < float(lon[0]) < 112


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_check_townships_out_is_headed_as_the_web_checklist(var, capsys, lang, ext):
    out = var / f"chk.{ext}"
    d = answer(capsys, lang, "check-townships", "--type", "day_care", "--out", str(out))
    df = read(out)
    check_table(df, lang)
    en = lang == "en"
    rows = d["townships"]
    assert len(df) == len(rows)
    assert col(df, "Code" if en else "代码") == [r["township_code"] for r in rows]
    county_col(df, lang, [r["county_name"] for r in rows])
    status = {"met": "met", "not_met": "not met", "na": "n/a"} if en else {"met": "达标", "not_met": "未达标", "na": "不适用"}
    assert col(df, "Status" if en else "状态") == [status[r["status"]] for r in rows]
    assert [int(x) for x in col(df, "Covered units" if en else "已覆盖单元")] == [r["covered_units"] for r in rows]
    w = col(df, "Demand weight (people aged 60+)" if en else "需求权重（60岁以上人口）")
    assert sum(float(x) for x in w) == pytest.approx(sum(r["weight"] for r in rows))
    assert col(df, "Reason" if en else "说明") == [r["reason_en" if en else "reason_zh"] for r in rows]
    share = col(df, "Covered share (units)" if en else "覆盖率（按单元）")
    assert all(s.endswith("%") for s in share if s)
    assert col(df, "Facility type" if en else "设施类型")[0] == (
        "Community/village day-care centre" if en else "社区(村)日间照料中心")


def test_check_townships_of_every_type_names_each_weight_unit(var, capsys):
    """All types together: their weights count different people, so the unit is a column of its own."""
    out = var / "chk.csv"
    d = answer(capsys, "en", "check-townships", "--county", "房县", "--out", str(out))
    df = read(out)
    check_table(df, "en")
    assert len(df) == len(d["townships"])
    units = set(col(df, "Demand weight unit"))
    assert {"people aged 60+", "people aged 80+"} <= units
    assert set(col(df, "County")) == {"Fang County"}


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_propose_out_is_headed_as_the_web_download(var, capsys, lang, ext):
    out = var / f"prop.{ext}"
    d = answer(capsys, lang, "propose", "--type", "day_care", "--p", "2", "--county", "房县", "--out", str(out))
    df = read(out)
    check_table(df, lang)
    en = lang == "en"
    sites = d["sites"]
    assert len(df) == len(sites) == 2
    assert list(df.columns)[0] == ("Priority" if en else "优先序")
    assert [int(x) for x in col(df, "Priority" if en else "优先序")] == [s["priority"] for s in sites]
    county_col(df, lang, [s["county_name"] for s in sites])
    assert set(col(df, "County" if en else "县区")) == {"Fang County" if en else "房县"}
    added = col(df, "Added covered people aged 60+" if en else "新增覆盖60岁以上人口")
    assert sum(float(x) for x in added) == pytest.approx(sum(s["added_weight"] for s in sites), abs=1)
    names = col(df, "Name" if en else "名称")
    assert names == [s["name_en"] if en else s["name"] for s in sites]
    assert [float(x) for x in col(df, "Longitude" if en else "经度")] == pytest.approx([s["lon"] for s in sites])
    assert col(df, "Code" if en else "代码") == [s["candidate_id"].removeprefix("cand-") for s in sites]
    # costs in the type's unit (metres), named in the header
    assert "Travel cost (m)" in df.columns if en else "出行成本（米）" in df.columns
    assert col(df, "Why here" if en else "选址理由") == [s["reason_en" if en else "reason_zh"] for s in sites]


def test_propose_geojson_is_unchanged(var, capsys):
    """The GeoJSON a proposal writes keeps its keys: `targets --proposal` reads it."""
    out = var / "p.geojson"
    answer(capsys, "en", "propose", "--type", "day_care", "--p", "1", "--out", str(out))
    props = json.loads(out.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert {"priority", "township_code", "added_weight"} <= set(props)


def test_an_unreached_unit_has_an_empty_distance_not_inf():
    """A cost to no facility reached (inf) is an empty cell, as a missing value is."""
    from cli.output import out_frame

    df = out_frame([{"cost": float("inf"), "n": 2.0}, {"cost": 12.34, "n": None}],
                   [("cost", "Distance (m)", "int"), ("n", "N", "1")], "en")
    assert list(df["Distance (m)"]) == ["", 12] and list(df["N"]) == [2, ""]
