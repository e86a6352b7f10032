"""QA round 4, imports: the files that crashed, misread or spoke jargon, each made here in tmp_path.

Nothing reads /tmp/qa4 or ../shared: every input is written by the test.
"""
from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import prcoords
import pytest
import shapely

from geo.errors import InputDataError
from geo.imports import check_townships, check_villages, to_wgs84 as layer_to_wgs84
from geo.points import plain_number, read_points_csv
from planner.register import validate_register
from planner.register_checks import to_wgs84

SEATS = ("420302001", "420303001", "420304101", "420381450", "420325100")


def _seats(shiyan, n=5):
    t = shiyan.townships.loc[list(SEATS[:n])]
    return t["seat_lon"].astype(float).tolist(), t["seat_lat"].astype(float).tolist()


def _facilities(shiyan, n=5) -> gpd.GeoDataFrame:
    lon, lat = _seats(shiyan, n)
    return gpd.GeoDataFrame({"name": [f"站点{i}" for i in range(n)], "type": ["day_care"] * n},
                            geometry=shapely.points(lon, lat), crs=4326)


def _geojson_without_crs(gdf: gpd.GeoDataFrame) -> bytes:
    """The layer's coordinates as they are, with no "crs" member (what many web exports write)."""
    doc = json.loads(gdf.to_json())
    doc.pop("crs", None)
    return json.dumps(doc).encode()


# -- 2: a GeoJSON in web-map metres without a crs member ---------------------------------------
def test_geojson_in_metres_without_crs_is_a_clear_error_not_a_crash(shiyan, tmp_path):
    path = tmp_path / "fac_3857.geojson"
    path.write_bytes(_geojson_without_crs(_facilities(shiyan).to_crs(3857)))
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan)
    en, zh = e.value.message("en"), e.value.message("zh")
    assert "look projected (metres" in en and "crs" in en and "Projected CRS" in en
    assert "投影坐标" in zh and "“投影坐标系”一栏" in zh and "EPSG:3857" in zh
    assert "e+0" not in en + zh  # plain numbers: 12333273, not 1.23333e+07
    # with the CRS given in the form it reads right
    report = validate_register(path, region=shiyan, crs="EPSG:3857")
    assert len(report.accepted) == 5 and report.crs == "EPSG:3857"


def test_geojson_in_metres_through_the_web_is_400(client, shiyan):
    body = _geojson_without_crs(_facilities(shiyan).to_crs(3857))
    resp = client.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
                       data={"kind": "facilities", "coords": "auto", "file": (io.BytesIO(body), "fac.geojson")})
    assert resp.status_code == 400
    assert "projected" in resp.get_json()["message"]


def test_datum_conversions_leave_out_of_range_points_alone():
    # metres read as degrees made prcoords fail with "math domain error"
    lon, lat = to_wgs84(np.array([12333273.0, 110.8, np.nan]), np.array([3840334.0, 32.6, 1.0]), "gcj02")
    assert lon[0] == 12333273.0 and lat[0] == 3840334.0 and np.isnan(lon[2])
    assert abs(lon[1] - 110.8) > 1e-4  # a point in China is still converted
    geoms = gpd.GeoSeries([shapely.Point(12333273.0, 3840334.0), shapely.Point(110.8, 32.6)], crs=4326)
    out = layer_to_wgs84(geoms, "bd09")
    assert out.iloc[0].equals(shapely.Point(12333273.0, 3840334.0)) and not out.iloc[1].equals(geoms.iloc[1])


# -- 26: projected coordinates in a table, shown as plain numbers ------------------------------
def test_projected_coordinates_are_shown_as_plain_numbers(shiyan, tmp_path):
    gdf = _facilities(shiyan, 2).to_crs(3857)
    path = tmp_path / "metres.csv"
    path.write_text("名称,类型,经度,纬度\n" + "".join(f"站{i},day_care,{p.x:.1f},{p.y:.1f}\n"
                                                   for i, p in enumerate(gdf.geometry)), "utf-8")
    report = validate_register(path, region=shiyan)
    issues = [i for i in report.issues if i.code == "projected"]
    assert len(issues) == 2
    x = plain_number(gdf.geometry.iloc[0].x)
    assert "e+" not in issues[0].message_zh + issues[0].message_en
    assert x in issues[0].message_zh and x in issues[0].message_en and x.isdigit()
    assert plain_number(110.791674) == "110.791674" and plain_number(12333273.4) == "12333273"


# -- 19: a Shapefile without .prj in degrees: accepted, with a warning that WGS84 was assumed ----
def test_shapefile_without_prj_warns_that_wgs84_was_assumed(shiyan, tmp_path):
    _facilities(shiyan, 3).to_file(tmp_path / "fac.shp", encoding="utf-8")
    path = tmp_path / "fac.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for ext in ("shp", "shx", "dbf", "cpg"):  # no .prj
            zf.write(tmp_path / f"fac.{ext}", f"fac.{ext}")
    report = validate_register(path, region=shiyan)
    assert len(report.accepted) == 3
    warn = [i for i in report.issues if i.code == "crs_assumed"]
    assert len(warn) == 1 and warn[0].severity == "warning" and warn[0].row is None
    assert "WGS84" in warn[0].message_zh and ".prj" in warn[0].message_zh and "“投影坐标系”一栏" in warn[0].fix_zh
    assert "degree range" in warn[0].message_en and "Projected CRS" in warn[0].fix_en
    # the same layer with its .prj: no warning
    with zipfile.ZipFile(tmp_path / "ok.zip", "w") as zf:
        for ext in ("shp", "shx", "dbf", "cpg", "prj"):
            zf.write(tmp_path / f"fac.{ext}", f"fac.{ext}")
    assert not [i for i in validate_register(tmp_path / "ok.zip", region=shiyan).issues if i.code == "crs_assumed"]


# -- 7: a header whose data row holds a column name ---------------------------------------------
def test_real_header_row_is_kept_when_a_data_cell_looks_like_a_column_name(shiyan, tmp_path):
    path = tmp_path / "wrong_cols.csv"
    path.write_text("foo,bar,baz\n1,3,x\n2,4,y\n", "utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan)
    assert e.value.details["columns"] == ["foo", "bar", "baz"]
    assert "foo、bar、baz" in e.value.message("zh")
    # a file with no header at all is still told so
    (tmp_path / "nohead.csv").write_text("站一,day_care,110.79,32.6\n站二,day_care,110.8,32.61\n", "utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(tmp_path / "nohead.csv", region=shiyan)
    assert "第一行看起来是数据" in e.value.message("zh")


# -- 15: the encoding as detected ---------------------------------------------------------------
@pytest.mark.parametrize("data, reported", [
    ("名称,类型,经度,纬度\n站,day_care,{lon},{lat}\n".encode("utf-8"), "UTF-8"),
    (b"\xef\xbb\xbf" + "名称,类型,经度,纬度\n站,day_care,{lon},{lat}\n".encode("utf-8"), "UTF-8 (BOM)"),
    ("名称,类型,经度,纬度\n吉祥站,day_care,{lon},{lat}\n".encode("gbk"), "GBK"),
    ("名称,类型,经度,纬度\n𠮷祥站,day_care,{lon},{lat}\n".encode("gb18030"), "GB18030"),
])
def test_encoding_is_reported_as_detected(shiyan, tmp_path, data, reported):
    lon, lat = _seats(shiyan, 1)
    path = tmp_path / "enc.csv"
    path.write_bytes(data.replace(b"{lon}", str(lon[0]).encode()).replace(b"{lat}", str(lat[0]).encode()))
    report = validate_register(path, region=shiyan)
    assert report.encoding == reported and len(report.accepted) == 1


# -- 8: township and village imports speak plainly ----------------------------------------------
def _no_reprs(text: str) -> None:
    assert "[" not in text and "'" not in text and "--region" not in text and "shiyan" not in text


def test_village_messages_list_rows_plainly_and_name_the_region(shiyan, tmp_path):
    code = shiyan.villages.index[0]
    path = tmp_path / "villages.csv"
    path.write_text(f"code,lon,lat\n{code},110.8,32.6\n420302001002,,\n420302001003,abc,32.6\n", "utf-8")
    # rows refused one by one (lines 3 and 4), each said plainly
    refused = check_villages(shiyan, path).attrs["refused"]
    assert [(r["row"], r["message_zh"]) for r in refused] == [(3, "经纬度缺失"), (4, "经纬度不是数字：abc，32.6")]
    assert refused[1]["message_en"] == "non-numeric lon/lat: abc, 32.6"
    for r in refused:
        _no_reprs(r["message_zh"] + r["message_en"] + r["fix_zh"] + r["fix_en"])
    path.write_text(f"code,lon,lat\n{code},110.8,32.6\n420302001002,114.3,30.6\n", "utf-8")  # Wuhan
    (r,) = check_villages(shiyan, path).attrs["refused"]
    zh, en = r["message_zh"] + r["fix_zh"], r["message_en"] + r["fix_en"]
    assert "不在十堰市范围内" in zh and r["row"] == 3 and "outside the region Shiyan" in en
    _no_reprs(zh)
    _no_reprs(en)
    # the travel command's reader keeps its own flag in the advice
    with pytest.raises(InputDataError) as e:
        read_points_csv(path, region="shiyan")
    assert "--region none" in e.value.message("en")


def test_township_problems_are_reported_together_without_reprs(shiyan, tmp_path):
    towns = shiyan.townships.loc[["420302001", "420302002"], ["geometry"]].reset_index(drop=True)
    towns["code"] = ["420302999", "420302998"]
    extra = gpd.GeoDataFrame({"code": ["420302001", "420302001"]},
                             geometry=list(shiyan.townships.loc[["420302001", "420302001"], "geometry"]), crs=4326)
    gdf = pd.concat([gpd.GeoDataFrame(towns, geometry="geometry", crs=4326), extra], ignore_index=True)
    path = tmp_path / "towns.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, path)
    zh, en = e.value.message("zh"), e.value.message("en")
    assert "有 2 个未知的乡镇代码：420302998、420302999" in zh and "乡镇代码重复：420302001" in zh
    assert "420302998, 420302999" in en and "duplicate township code(s): 420302001" in en
    _no_reprs(zh)
    _no_reprs(en)
    assert e.value.details["unknown"] == ["420302998", "420302999"] and e.value.details["duplicates"] == ["420302001"]


# -- 9: every register issue carries both languages --------------------------------------------
def test_register_issues_carry_both_languages(shiyan, tmp_path):
    lon, lat = _seats(shiyan, 1)
    path = tmp_path / "mixed.csv"
    path.write_text(f"名称,类型,经度,纬度\n甲,day_care,{lat[0]},{lon[0]}\n乙,nonsense,{lon[0]},{lat[0]}\n"
                    f"丙,day_care,abc,{lat[0]}\n", "utf-8")
    report = validate_register(path, region=shiyan)
    assert len(report.issues) >= 3
    for i in report.issues:
        assert i.message_zh and i.message_en and i.fix_zh and i.fix_en


def test_prcoords_shift_is_still_detected_in_china():
    # guard for the guard: the China box does not exclude Shiyan
    c = prcoords.wgs_gcj(prcoords.Coords(lat=32.6, lon=110.8))
    lon, lat = to_wgs84(np.array([c.lon]), np.array([c.lat]), "gcj02")
    assert abs(lon[0] - 110.8) < 1e-6 and abs(lat[0] - 32.6) < 1e-6


def test_township_boundaries_in_metres_without_crs_say_so(shiyan, tmp_path):
    towns = shiyan.townships.loc[["420302001"], ["geometry"]].reset_index(drop=True)
    towns["code"] = ["420302001"]
    path = tmp_path / "towns.geojson"
    path.write_bytes(_geojson_without_crs(gpd.GeoDataFrame(towns, geometry="geometry", crs=4326).to_crs(3857)))
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, path)
    assert "投影坐标" in e.value.message("zh") and "look projected" in e.value.message("en")
    assert len(check_townships(shiyan, path, crs="EPSG:3857")) == 1
