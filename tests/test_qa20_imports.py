"""QA sweep 20, data imports: years read from dates, metres said as metres, village tables read as a
register's are (separators, Excel, degrees-minutes-seconds, a title row), a stray quotation mark named
by its line, codes Excel turned into 4.20302E+11 said as such, and township files' unread columns,
unknown CRS and repaired polygons said. Every input is written here in tmp_path.
"""
from __future__ import annotations

import datetime
import json
import re
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.errors import InputDataError
import geo.imports as gi
from geo.imports import check_townships, check_villages, village_placement_issues
from planner.register import validate_register
from planner.targets import plan_targets

HAN = re.compile(r"[\u4e00-\u9fff]")


def _english(text: str, *allowed: str) -> None:
    """English text has no Chinese characters apart from the quoted column names / values ``allowed``."""
    for word in allowed:
        text = text.replace(word, "")
    assert not HAN.search(text), text


def _points(shiyan, n: int, start: int = 0):
    """n village points of the region (lon, lat) with their codes."""
    v = shiyan.villages.iloc[start:start + n]
    return [(str(c), round(g.x, 6), round(g.y, 6)) for c, g in zip(v.index, v.geometry)]


def _xlsx(path, rows):
    from openpyxl import Workbook
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


# -- 1. 建成年份 written as 2025年 or an Excel date counts for the year's new-sites target --------------
def test_built_years_from_dates_and_nian_count_for_the_new_sites_target(shiyan, tmp_path):
    pts = _points(shiyan, 9)
    years = ["2025年", datetime.datetime(2025, 6, 1), 2025, "2016-03", "2016.3", "abc", 44000, 1850, 2099]
    rows = [["名称", "类型", "经度", "纬度", "床位", "建成年份"]]
    rows += [[f"综合体{i}", "elderly_complex", x, y, 50, yr] for i, ((_, x, y), yr) in enumerate(zip(pts, years))]
    report = validate_register(_xlsx(tmp_path / "reg.xlsx", rows), region=shiyan)
    acc = report.accepted.sort_values("source_row")
    built = acc["built_year"].tolist()
    assert built[:5] == [2025, 2025, 2025, 2016, 2016]
    assert all(np.isnan(v) for v in built[5:])
    assert len(acc) == 9  # a year that is no year leaves the facility in, its year unknown
    warned = {i.row: i for i in report.issues if i.column == "建成年份"}
    assert sorted(warned) == [7, 8, 9, 10]  # abc, 44000, 1850, 2099 by their spreadsheet rows
    assert warned[7].code == "year_unreadable" and warned[7].message_en == (
        "建成年份 'abc' is not a year; the facility is imported with the year unknown")
    assert warned[7].message_zh == "建成年份“abc”不是年份，该设施按年份未知导入"
    assert warned[8].code == "year_excel_serial" and "2020-06-18" in warned[8].message_en
    assert warned[9].code == "year_early" and "before 1949" in warned[9].message_en
    this_year = datetime.date.today().year
    assert warned[10].code == "year_future" and f"after this year ({this_year})" in warned[10].message_en
    assert f"between 1949 and {this_year}" in warned[10].fix_en
    for i in warned.values():
        _english(i.message_en + i.fix_en, "建成年份")
    target = next(t for t in plan_targets(shiyan, facilities=report.accepted, types={"elderly_complex"})
                  if t["key"] == "elderly_complex_new_2025")
    assert target["value"] == 3


# -- 2. x/y in metres in a village file's lon/lat columns: a CRS to give, not a swap ------------------
def test_village_metres_in_lon_lat_columns_are_said_projected_not_swapped(shiyan, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("code,lon,lat\n420302001001,480155,3606460\n420302001002,480255,3606560\n", "utf-8")
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, path)
    en, zh = e.value.message("en"), e.value.message("zh")
    assert "look projected (metres)" in en and "swap" not in en.lower()
    assert "the Projected CRS field on the Data page, or --crs on the command line" in en
    assert "投影坐标" in zh and "写反" not in zh and "--crs" in zh


# -- 3. a township Shapefile without .cpg is read in its encoding -------------------------------------
@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_a_township_shapefile_without_cpg_is_read_in_its_encoding(shiyan, tmp_path, encoding):
    towns = shiyan.townships.iloc[:2]
    gdf = gpd.GeoDataFrame({"代码": list(towns.index.astype(str)), "名称": list(towns["name"])},
                           geometry=list(towns.geometry), crs="EPSG:4326")
    gdf.to_file(tmp_path / "t.shp", encoding=encoding)
    with zipfile.ZipFile(tmp_path / "t.zip", "w") as z:
        for ext in ("shp", "shx", "dbf", "prj"):
            z.write(tmp_path / f"t.{ext}", f"t.{ext}")
    out = check_townships(shiyan, tmp_path / "t.zip")
    assert list(out["code"]) == list(towns.index.astype(str))


# -- 4, 8, 9. village tables with semicolons or tabs, in Excel, in degrees-minutes-seconds ------------
def _dms(v: float) -> str:
    d = int(v)
    m = int((v - d) * 60)
    s = (v - d - m / 60) * 3600
    return f"{d}°{m}′{s:.4f}″"


@pytest.mark.parametrize("sep", [";", "\t"])
def test_village_csv_with_semicolons_or_tabs_is_read(shiyan, tmp_path, sep):
    pts = _points(shiyan, 3)
    path = tmp_path / "v.csv"
    path.write_text(sep.join(["code", "lon", "lat", "population"]) + "\n"
                    + "".join(sep.join([c, str(x), str(y), "100"]) + "\n" for c, x, y in pts), "utf-8")
    out = check_villages(shiyan, path)
    assert list(out["code"]) == [c for c, _, _ in pts] and out.attrs["refused"] == []


def test_village_list_in_excel_is_read(shiyan, tmp_path):
    pts = _points(shiyan, 3)
    path = _xlsx(tmp_path / "v.xlsx", [["村庄坐标表"], ["code", "lon", "lat"], *[[int(c), x, y] for c, x, y in pts]])
    out = check_villages(shiyan, path)
    assert list(out["code"]) == [c for c, _, _ in pts]
    assert out.attrs["rows"] == [3, 4, 5]  # the title row above the header counts


def test_village_degrees_minutes_seconds_are_read_as_a_register_reads_them(shiyan, tmp_path):
    pts = _points(shiyan, 2)
    path = tmp_path / "v.csv"
    path.write_text("code,lon,lat\n" + "".join(f"{c},{_dms(x)},{_dms(y)}\n" for c, x, y in pts), "utf-8")
    out = check_villages(shiyan, path)
    assert np.allclose(out["lon"], [x for _, x, _ in pts], atol=1e-6)
    assert np.allclose(out["lat"], [y for _, _, y in pts], atol=1e-6)


# -- 5. a two-row header (坐标 over 经度|纬度) and a 坐标 cell holding one number --------------------------
def test_a_two_row_merged_header_is_recognised(shiyan, tmp_path):
    from openpyxl import Workbook
    pts = _points(shiyan, 2)
    wb = Workbook()
    ws = wb.active
    ws.append(["养老服务综合体名录"])
    ws.merge_cells("A1:E1")
    ws.append(["名称", "类型", "坐标", None, "床位"])
    ws.merge_cells("C2:D2")
    ws.append([None, None, "经度", "纬度", None])
    for i, (_, x, y) in enumerate(pts):
        ws.append([f"综合体{i}", "elderly_complex", x, y, 50])
    wb.save(tmp_path / "m.xlsx")
    report = validate_register(tmp_path / "m.xlsx", region=shiyan)
    assert report.rows == 2 and report.refused_rows == []  # the sub-header row is no facility
    assert report.column_map["lon"] == "经度" and report.column_map["lat"] == "纬度"
    acc = report.accepted.sort_values("source_row")
    assert np.allclose(acc.geometry.x, [x for _, x, _ in pts]) and np.allclose(acc.geometry.y, [y for _, _, y in pts])
    assert acc["source_row"].tolist() == [4, 5]


def test_a_coordinate_column_holding_one_number_is_refused_saying_so(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,类型,坐标\n甲综合体,elderly_complex,110.84\n乙综合体,elderly_complex,\"110.65,32.65\"\n", "utf-8")
    report = validate_register(path, region=shiyan)
    issue = next(i for i in report.issues if i.row == 2)
    assert issue.code == "lonlat_single" and issue.severity == "error" and issue.column == "坐标"
    assert issue.message_en == "坐标 '110.84' holds one number, but the column needs both longitude and latitude"
    assert "经度" in issue.fix_zh and "纬度" in issue.fix_zh
    _english(issue.message_en + issue.fix_en, "坐标", "经度", "纬度")
    assert report.refused_rows == [2] and len(report.accepted) == 1


# -- 6. an unpaired quotation mark is named by its line ----------------------------------------------
def test_an_unpaired_quote_in_a_register_is_named_by_its_line(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,类型,经度,纬度\n甲,elderly_complex,110.79,32.58\n\"乙,elderly_complex,110.79,32.57\n"
                    "丙,elderly_complex,110.78,32.58\n", "utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan)
    assert "an unpaired quotation mark (\") on line 3" in e.value.message("en")
    assert "第 3 行有不成对的英文双引号" in e.value.message("zh")
    _english(e.value.message("en"))
    # a quoted cell with a line break in it (a remark) is no stray quote: still read
    (c, x, y), = _points(shiyan, 1)
    path.write_text(f"名称,类型,经度,纬度,备注\n甲综合体,elderly_complex,{x},{y},\"第一行\n第二行\"\n", "utf-8")
    report = validate_register(path, region=shiyan)
    assert len(report.accepted) == 1 and report.accepted["remark"].iloc[0] == "第一行\n第二行"


def test_an_unpaired_quote_in_a_village_file_is_a_sentence_with_its_line(shiyan, tmp_path):
    pts = _points(shiyan, 4)
    lines = [f"{c},{x},{y}" for c, x, y in pts]
    lines[1] = '"' + lines[1]
    path = tmp_path / "v.csv"
    path.write_text("code,lon,lat\n" + "\n".join(lines) + "\n", "utf-8")
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, path)
    assert "on line 3" in e.value.message("en") and "tokenizing" not in e.value.message("en")
    assert "第 3 行" in e.value.message("zh")


# -- 7. a needed CRS is asked for on both faces ------------------------------------------------------
def test_the_projected_crs_fix_serves_the_page_and_the_command_line(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,类型,经度,纬度\n甲综合体,elderly_complex,480155,3606460\n"
                    "乙综合体,elderly_complex,110.8,32.6\n", "utf-8")
    issue = next(i for i in validate_register(path, region=shiyan).issues if i.code == "projected")
    assert "the Projected CRS field on the Data page, or --crs on the command line" in issue.fix_en
    assert "“数据管理”页面的“投影坐标系”" in issue.fix_zh and "--crs" in issue.fix_zh
    assert "form" not in issue.fix_en


# -- 10. codes Excel turned into scientific notation -------------------------------------------------
def test_village_codes_in_scientific_notation_are_said_to_come_from_excel(shiyan, tmp_path):
    pts = _points(shiyan, 2)
    path = tmp_path / "v.csv"
    path.write_text("code,lon,lat\n" + "".join(f"4.20302E+11,{x},{y}\n" for _, x, y in pts), "utf-8")
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, path)
    en, zh = e.value.message("en"), e.value.message("zh")
    assert "scientific notation by Excel" in en and "format the code column as Text" in en and "line 2" in en
    assert "科学计数法" in zh and "文本" in zh and "这是村（社区）点位文件吗" not in zh


def test_register_township_code_in_scientific_notation_is_said_to_come_from_excel(shiyan, tmp_path):
    (c, x, y), = _points(shiyan, 1)
    path = tmp_path / "r.csv"
    path.write_text(f"名称,类型,经度,纬度,乡镇代码\n甲综合体,elderly_complex,{x},{y},4.20302E+08\n", "utf-8")
    issue = next(i for i in validate_register(path, region=shiyan).issues if i.column == "乡镇代码")
    assert issue.code == "code_scientific" and issue.row == 2
    assert issue.message_en == ("乡镇代码 '4.20302E+08' was turned into a number in scientific notation by Excel: "
                                "the code's digits are lost")
    assert "format the column as Text" in issue.fix_en and "未知的乡镇代码" not in issue.message_zh


# -- 11. township files: columns not read, an unknown named CRS, a repaired polygon --------------------
def _towns_geojson(shiyan, tmp_path, *, crs=None, props=None, bowtie=False):
    towns = shiyan.townships.iloc[:2]
    feats = []
    for n, (code, g) in enumerate(zip(towns.index, towns.geometry)):
        geom = json.loads(gpd.GeoSeries([g]).to_json())["features"][0]["geometry"]
        if bowtie and n == 1:  # two neighbouring vertices of the outer ring swapped: the ring crosses itself
            ring = shapely.get_exterior_ring(g.geoms[0] if g.geom_type == "MultiPolygon" else g)
            xy = [list(p) for p in ring.coords]
            m = len(xy) // 2
            xy[m], xy[m + 5] = xy[m + 5], xy[m]
            assert not shapely.Polygon(xy).is_valid
            geom = {"type": "Polygon", "coordinates": [xy]}
        feats.append({"type": "Feature", "properties": {"代码": str(code), **(props or {})}, "geometry": geom})
    doc = {"type": "FeatureCollection", "features": feats}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / "t.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_a_township_population_column_is_named_as_not_read(shiyan, tmp_path):
    out = check_townships(shiyan, _towns_geojson(shiyan, tmp_path, props={"人口": 1000}))
    issue = next(i for i in gi.township_issues(out) if i["code"] == "columns_not_read")
    assert issue["message_zh"].startswith("未读取的列：人口。") and "人口" in issue["message_en"]


def test_a_township_geojson_naming_an_unknown_crs_is_refused(shiyan, tmp_path):
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, _towns_geojson(shiyan, tmp_path, crs="EPSG:99999"))
    assert "EPSG:99999" in e.value.message("en") and "not a coordinate system" in e.value.message("en")


def test_a_self_intersecting_township_polygon_is_repaired_with_a_warning(shiyan, tmp_path):
    out = check_townships(shiyan, _towns_geojson(shiyan, tmp_path, bowtie=True))
    code = str(shiyan.townships.index[1])
    issue = next(i for i in gi.township_issues(out) if i["code"] == "geometry_repaired")
    assert issue["row"] == 2 and issue["value"] == code and code in issue["message_en"]
    _english(issue["message_en"] + issue["fix_en"])
    assert not re.search(r"[A-Za-z]", issue["message_zh"].replace(code, ""))


# -- 12. implausibly large beds, a minus sign, and how many columns are not read ------------------------
def test_a_huge_bed_count_is_implausible_not_a_fraction(shiyan, tmp_path):
    (c, x, y), = _points(shiyan, 1)
    path = tmp_path / "r.csv"
    path.write_text(f"名称,类型,经度,纬度,床位\n甲综合体,elderly_complex,{x},{y},1e12\n", "utf-8")
    issue = next(i for i in validate_register(path, region=shiyan).issues if i.column == "床位")
    assert issue.code == "capacity_implausible" and "is implausible" in issue.message_en


def test_a_minus_sign_before_the_longitude_is_said(shiyan, tmp_path):
    (c, x, y), = _points(shiyan, 1)
    path = tmp_path / "r.csv"
    path.write_text(f"名称,类型,经度,纬度\n甲综合体,elderly_complex,-{x},{y}\n", "utf-8")
    issue = next(i for i in validate_register(path, region=shiyan).issues if i.row == 2)
    assert issue.code == "negative_coordinate" and issue.column == "经度"
    assert "minus sign" in issue.fix_en and "gcj02" not in issue.fix_en and "负号" in issue.fix_zh


def test_many_unread_village_columns_are_counted(shiyan, tmp_path):
    pts = _points(shiyan, 2)
    extra = [f"c{i}" for i in range(20)]
    path = tmp_path / "v.csv"
    path.write_text(",".join(["code", "lon", "lat", *extra]) + "\n"
                    + "".join(",".join([c, str(x), str(y), *["1"] * 20]) + "\n" for c, x, y in pts), "utf-8")
    out = check_villages(shiyan, path)
    issue = next(i for i in village_placement_issues(shiyan, out) if i["code"] == "columns_not_read")
    assert "(20 columns in all)" in issue["message_en"] and "（共 20 列）" in issue["message_zh"]


# -- two columns for one field: the one not read is named -------------------------------------------------
@pytest.mark.parametrize("header, what_en, used_en", [
    ("名称,名称", "column “名称” number 2", "the first “名称” column"),
    ("名称,机构名称", "column “机构名称”", "column “名称”"),
])
def test_a_second_column_for_the_same_field_is_named_as_not_read(shiyan, tmp_path, header, what_en, used_en):
    path = tmp_path / "r.csv"
    path.write_text(f"{header},类型,经度,纬度\n甲站,甲站,day_care,110.79,32.58\n", "utf-8")  # a copy of the column
    report = validate_register(path, region=shiyan)
    issue = next(i for i in report.issues if i.code == "column_shadowed")
    assert issue.severity == "warning" and issue.row is None
    assert issue.message_en == f"{what_en} gives the same field as {used_en}; only {used_en} was read"
    assert "只读取了" in issue.message_zh
    assert report.accepted["name"].tolist() == ["甲站"]


# -- a GeoJSON point whose coordinates are text is told so, not "no coordinates" ---------------------------
def test_geojson_coordinates_written_as_text_are_named(shiyan, tmp_path):
    feats = [{"type": "Feature", "properties": {"名称": f"站{i}", "类型": "day_care"},
              "geometry": {"type": "Point", "coordinates": c}}
             for i, c in enumerate([[110.79, 32.58], ["110.74", "32.05"], ["110.7", 32.1]], start=1)]
    path = tmp_path / "r.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), "utf-8")
    with pytest.raises(InputDataError) as err:
        validate_register(path, region=shiyan)
    assert str(err.value.en).startswith("r.geojson: features 2, 3 give their coordinates as text (e.g. \"110.74\"")
    assert "第 2、3 个要素的坐标写成了文本" in err.value.zh
