"""QA 33 (fixer F10): the bed-target breakdown's shortfall and the capacity analysis' shortfall, one name for two
figures (beds.xlsx "分配前缺口" 茅箭区 2,704 / 全市 16,837 beside `capacity --beds` "缺口" 2,620 / 15,064): the
breakdown now says what its figure adds up and gives the capacity analysis' net figure beside it, and the labels
name each. A township file given as a GBK CSV said "读取程序报告：'utf-8' codec can't decode byte 0xbb" where the
same file in UTF-8 was told it has no shapes; a township GeoJSON whose third feature heads its code `代码` (the
others `code`) was refused as "feature 3 has no township code (column code is empty)", and a feature without a code
was named twice, "第 3 个要素（第 3 个要素）"."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from geo import settings
from geo.errors import InputDataError
from geo.imports import check_townships
from test_qa21_cli import run
from test_qa27_provenance import upload

COUNTY = "420381"  # 丹江口市
MAOJIAN = "420302"  # 茅箭区


# -- 1. the breakdown's shortfall (townships added up) against the capacity analysis' (net) ------------------

@pytest.fixture(scope="module")
def city_beds(shiyan):
    from planner.beds import allocate_beds

    return allocate_beds(shiyan, 7136, year=2025)


@pytest.fixture(scope="module")
def capacity(shiyan):
    from planner.capacity import analyse_beds

    return analyse_beds(shiyan).to_dict("zh")


def test_the_breakdown_says_its_shortfall_adds_the_townships_up_and_gives_the_net_one(city_beds, capacity):
    summed = int(city_beds["citywide"]["shortfall_whole"])
    net = int(capacity["citywide"]["shortfall_whole"])  # what `coverplan capacity --beds` prints as the city's
    assert summed > net > 0  # the two figures the tester saw under one name
    zh, en = city_beds["shortfall_note_zh"], city_beds["shortfall_note_en"]
    assert f"各乡镇（街道）缺口之和（全市 {summed:,} 张）" in zh and f"净缺口" in zh and f"（全市 {net:,} 张）" in zh, zh
    assert "coverplan capacity --beds" in zh and "所以较小" in zh
    assert f"sum of the townships' shortfalls (citywide: {summed:,} beds)" in en, en
    assert f"net shortfall, the beds required by the standard less the beds now (citywide: {net:,} beds)" in en, en
    # said under the card's table and on the CLI's notes, in each language
    assert zh in city_beds["notes_zh"] and en in city_beds["notes_en"]


def test_a_county_breakdown_names_the_county_figures_of_both(shiyan, capacity):
    from planner.beds import allocate_beds

    out = allocate_beds(shiyan, 500, year=2025, county=MAOJIAN)
    summed = int(out["citywide"]["shortfall_whole"])
    net = int(next(c for c in capacity["by_county"] if str(c["county_code"]) == MAOJIAN)["shortfall_whole"])
    assert summed > net  # 2,704 against 2,620 in the tester's data
    assert f"（茅箭区 {summed:,} 张）" in out["shortfall_note_zh"] and f"（茅箭区 {net:,} 张）" in out["shortfall_note_zh"]
    assert f"(Maojian District: {summed:,} beds)" in out["shortfall_note_en"]
    assert f"(Maojian District: {net:,} beds)" in out["shortfall_note_en"]


def test_equal_figures_are_said_equal_not_smaller():
    from planner.beds import shortfall_basis_note

    note = shortfall_basis_note({"shortfall_whole": 120, "required_whole": 320, "supply_whole": 200})
    assert "（全市 120 张）" in note["zh"] and "相同" in note["zh"] and "较小" not in note["zh"]
    assert "equals the net shortfall" in note["en"] and "smaller" not in note["en"]
    note = shortfall_basis_note({"shortfall_whole": 130, "required_whole": 320, "supply_whole": 200}, ("房县", "Fang County"))
    assert "（房县 130 张）" in note["zh"] and "（房县 120 张）" in note["zh"] and "(Fang County: 120 beds)" in note["en"]


def test_the_labels_name_which_shortfall_each_is():
    from planner.i18n import t

    assert t("qa33f10_col_sum_before", "zh").startswith("分配前缺口（") and "各乡镇之和" in t("qa33f10_col_sum_before", "zh")
    assert "sum of townships' shortfalls" in t("qa33f10_col_sum_before", "en")
    assert "各乡镇之和" in t("qa33f10_col_sum_after", "zh")
    assert t("qa33f10_col_net", "zh") == "净缺口" and t("qa33f10_col_net", "en") == "Net shortfall"
    assert t("qa33f10_col_net_unit", "zh", unit="张床位") == "净缺口（张床位）"


# -- 2. a township file as a CSV in GBK -----------------------------------------------------------------

def _county_rows(shiyan):
    towns = shiyan.townships[shiyan.townships["county_code"] == COUNTY]
    return towns


def _plain_csv(shiyan) -> str:
    towns = _county_rows(shiyan)
    return "\n".join(["code,名称"] + [f"{c},{n}" for c, n in zip(towns.index, towns["name"])]) + "\n"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_a_township_csv_in_any_register_encoding_is_told_it_has_no_shapes(shiyan, tmp_path, encoding):
    path = tmp_path / "fx.csv"
    path.write_bytes(_plain_csv(shiyan).encode(encoding))
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, path)
    zh, en = exc.value.message("zh"), exc.value.message("en")
    assert "没有几何图形" in zh and "no geometries" in en, zh
    assert "codec" not in zh and "读取程序报告" not in zh and "codec" not in en


def test_a_gbk_csv_with_shapes_is_read_and_its_encoding_said(shiyan, tmp_path):
    town = _county_rows(shiyan).iloc[:2]
    rows = ["WKT,code,名称"] + [f'"{g.wkt}",{c},{n}' for c, g, n in zip(town.index, town.geometry, town["name"])]
    path = tmp_path / "乡镇边界.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    out = check_townships(shiyan, path)
    assert sorted(out["code"]) == sorted(town.index) and out.attrs["encoding"] == "GBK"
    assert list(tmp_path.iterdir()) == [path]  # (the UTF-8 copy GDAL read is gone)


def test_a_gbk_csv_read_as_utf8_is_said_in_chinese(shiyan, tmp_path):
    path = tmp_path / "fx.csv"
    path.write_bytes(_plain_csv(shiyan).encode("gbk"))
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, path, encoding="utf-8")
    zh = exc.value.message("zh")
    assert "无法以 UTF-8 编码读取文件" in zh and "另存为“CSV UTF-8”" in zh and "codec" not in zh, zh


def test_a_gbk_geojson_is_said_to_be_in_another_encoding(shiyan, tmp_path):
    fc, _ = _townships(shiyan)
    for f in fc["features"]:
        f["properties"]["名称"] = "城关镇"
    path = tmp_path / "t.geojson"
    path.write_bytes(json.dumps(fc, ensure_ascii=False).encode("gbk"))
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, path)
    zh, en = exc.value.message("zh"), exc.value.message("en")
    assert "不是读取时所用的编码" in zh and "--encoding" in zh and "文字编码" in zh, zh
    assert "codec" not in zh and "读取程序报告" not in zh
    assert "not in the encoding it was read as" in en and "--encoding" in en, en
    assert len(check_townships(shiyan, path, encoding="gbk")) == len(fc["features"])  # the fix it names works


def test_the_cli_and_the_data_page_say_the_gbk_csv_has_no_shapes(shiyan, tmp_path, capsys, client):
    path = tmp_path / "fx_gbk.csv"
    body = _plain_csv(shiyan).encode("gbk")
    path.write_bytes(body)
    code, out, err = run(capsys, "--lang", "zh", "region", "import", "--townships", str(path))
    assert code == 2 and "没有几何图形" in err and "codec" not in err and "Traceback" not in err, err
    r = upload(client, body, "fx_gbk.csv", kind="townships")
    assert r.status_code in (400, 422), r.get_json()
    assert "没有几何图形" in r.get_json()["message_zh"] and "codec" not in r.get_json()["message_zh"]


# -- 3. a township code under `代码` on one feature and `code` on the others -------------------------------

def _townships(shiyan, props=None):
    """The county's townships as a FeatureCollection; ``props(i, code, name)`` the properties of feature i
    (1-based), by default {"code": code}."""
    towns = _county_rows(shiyan)
    geoms = gpd.GeoSeries(towns.geometry.values, crs=settings.STORAGE_CRS)
    feats = []
    for i, (code, g) in enumerate(zip(towns.index, geoms), start=1):
        p = props(i, str(code), str(towns.loc[code, "name"])) if props else {"code": str(code)}
        feats.append({"type": "Feature", "properties": p, "geometry": shapely.geometry.mapping(g)})
    return {"type": "FeatureCollection", "features": feats}, towns


def _file(tmp_path, fc, name="t.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("other", ["代码", "乡镇代码"])
def test_a_code_under_another_recognised_header_on_one_feature_is_read(shiyan, tmp_path, other):
    fc, towns = _townships(shiyan, lambda i, c, n: {other: c, "名称": n} if i == 3 else {"code": c, "name": n})
    out = check_townships(shiyan, _file(tmp_path, fc))
    assert list(out["code"]) == list(towns.index)  # feature 3 under its own code, not "no code"
    assert other not in out.attrs["ignored_columns"]  # read, so not listed as a column nothing reads


def test_a_feature_without_any_code_names_every_code_column_and_is_named_once(shiyan, tmp_path):
    fc, towns = _townships(shiyan, lambda i, c, n: {"代码": ""} if i == 3 else {"code": c})
    # its polygon also written with the axes swapped: the message naming it by its code said "第 3 个要素（第 3 个要素）"
    g = shapely.geometry.shape(fc["features"][2]["geometry"])
    fc["features"][2]["geometry"] = shapely.geometry.mapping(shapely.transform(g, lambda xy: xy[:, ::-1]))
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, _file(tmp_path, fc))
    e = exc.value
    assert "没有乡镇代码（code、代码 列均为空）：第 3 个要素。" in e.zh, e.zh
    assert "(columns code and 代码 are all empty): feature 3." in e.en, e.en
    assert "经纬度颠倒" in e.zh and "第 3 个要素（第 3 个要素" not in e.zh and "feature 3 (feature 3" not in e.en, e.zh
    assert e.details["empty_codes"] == [3]


def test_a_named_feature_without_a_code_is_named_once_with_its_name():
    from geo.imports import feature_said

    assert feature_said("", "城关镇", 2) == ("feature 3 (城关镇)", "第 3 个要素（城关镇）")
    assert feature_said("", "", 2) == ("feature 3", "第 3 个要素")
    assert feature_said("420325100", "城关镇", 2) == ("420325100 (城关镇, feature 3)", "420325100（城关镇，第 3 个要素）")
