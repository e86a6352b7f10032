"""Registers as bureaus keep them: every format, encoding, datum and the names-only register.

Every file here is made by the test (pandas, geopandas, openpyxl, zipfile).
"""
from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import prcoords
import pytest
import shapely

from cli.main import main
from geo import archives, tables
from geo.crs import lonlat_to_metric, metric_to_lonlat
from geo.errors import InputDataError
from planner.locate import fold, name_keys
from planner.register import load_register, validate_register

SEATS = ("420302001", "420303001", "420304101", "420381450", "420325100")


def _seat(shiyan, code):
    t = shiyan.townships.loc[code]
    return float(t["seat_lon"]), float(t["seat_lat"])


def _metres(a, b) -> np.ndarray:
    """Distance in metres between two (lon, lat) arrays."""
    x0, y0 = lonlat_to_metric(*a)
    x1, y1 = lonlat_to_metric(*b)
    return np.hypot(np.asarray(x1) - x0, np.asarray(y1) - y0)


def _xy(gdf):
    return gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()


# -- the four registers refused before --------------------------------------------------------
def test_gbk_csv_with_short_type_name_loads(shiyan, tmp_path):
    lon, lat = _seat(shiyan, "420302001")
    path = tmp_path / "名录.csv"
    path.write_bytes(f"编号,名称,类型,经度,纬度\nA1,武当路日照中心,日间照料中心,{lon},{lat}\n"
                     f"A2,顾家岗站,日照中心,{lon + 0.01},{lat}\n"
                     f"A3,全称站,社区（村）日间照料中心,{lon},{lat + 0.01}\n".encode("gbk"))
    reg = load_register(path, region=shiyan)
    assert reg["facility_type"].tolist() == ["day_care"] * 3
    assert reg.loc["A1", "township_code"] == "420302001"


def test_register_without_id_column_gets_stable_unique_ids(shiyan, tmp_path):
    lon, lat = _seat(shiyan, "420303001")
    path = tmp_path / "noid.csv"
    path.write_text(f"名称,类型,经度,纬度\n甲站,day_care,{lon},{lat}\n乙站,day_care,{lon + 0.01},{lat}\n"
                    f"甲站,day_care,{lon},{lat + 0.01}\n", "utf-8")
    first = load_register(path, region=shiyan)
    again = load_register(path, region=shiyan)
    assert first.index.is_unique and len(first) == 3
    assert first["id"].tolist() == again["id"].tolist()
    # namesakes of one county: ids by their township and points, qualified by the place, never by the row
    # number (a row without a name is refused since QA 19)
    assert first["id"].iloc[2] != first["id"].iloc[0] and not first["id"].iloc[2].endswith("-4")
    assert all(i.startswith("day_care-420303") for i in first["id"]), first["id"].tolist()


def test_given_type_applies_to_a_file_without_type_column(shiyan, tmp_path, capsys):
    lon, lat = _seat(shiyan, "420304101")
    path = tmp_path / "day_care.csv"
    path.write_text(f"名称,经度,纬度\n甲站,{lon},{lat}\n乙站,{lon + 0.01},{lat}\n", "utf-8")
    reg = load_register(path, region=shiyan, facility_type="day_care")
    assert reg["facility_type"].tolist() == ["day_care", "day_care"]
    # and through the command line, as a planner runs it
    assert main(["coverage", "--type", "day_care", "--facilities", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["citywide"]["facilities"] == 2


def test_xlsx_with_chinese_name_and_lng_lat_headers(shiyan, tmp_path):
    lon, lat = _seat(shiyan, "420381450")
    path = tmp_path / "reg.xlsx"
    pd.DataFrame({"机构名称": ["武当山日照中心", "老营站"], "类型": ["日照中心", "日照中心"],
                  "lng": [lon, lon + 0.005], "lat": [lat, lat], "床位数": [30, 12]}).to_excel(path, index=False)
    reg = load_register(path, region=shiyan)
    assert reg["name"].tolist() == ["武当山日照中心", "老营站"]
    assert reg["床位数"].tolist() == ["30", "12"]  # kept as the file has it
    assert set(reg["location_method"]) == {"coordinates"}


# -- encodings and formats --------------------------------------------------------------------
@pytest.mark.parametrize("encoding, reported", [("gbk", "GBK"), ("gb18030", "GB18030"), ("utf-8-sig", "UTF-8 (BOM)")])
def test_csv_encodings_are_detected(shiyan, tmp_path, encoding, reported):
    lon, lat = _seat(shiyan, "420302001")
    # 𠮷 is outside GBK: only GB18030 (or UTF-8) can hold it
    name = "𠮷祥日照中心" if encoding != "gbk" else "吉祥日照中心"
    path = tmp_path / "enc.csv"
    path.write_bytes(f"名称,类型,经度,纬度\n{name},日照中心,{lon},{lat}\n".encode(encoding))
    report = validate_register(path, region=shiyan)
    assert report.encoding == reported
    assert report.accepted["name"].tolist() == [name]


def test_xlsx_with_title_row_and_chinese_place_headers(shiyan, tmp_path):
    lon, lat = _seat(shiyan, "420302001")
    path = tmp_path / "名录.xlsx"
    body = pd.DataFrame({"序号": [1, 2], "设施名称": ["武当路站", "二堰站"], "设施类型": ["日照中心", "公墓"],
                         "经度": [lon, lon + 0.01], "纬度": [lat, lat], "乡镇（街道）": ["武当路街道", ""],
                         "床位数": [20, None]})
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame([["十堰市民政设施名录（2025年）"]]).to_excel(xl, index=False, header=False)
        body.to_excel(xl, index=False, startrow=2)
    report = validate_register(path, region=shiyan)
    assert report.header_row == 3 and report.rows == 2
    assert report.column_map["township"] == "乡镇（街道）" and report.column_map["type"] == "设施类型"
    acc = report.accepted
    assert acc["facility_type"].tolist() == ["day_care", "cemetery"]
    assert acc["source_row"].tolist() == [4, 5]  # spreadsheet rows
    assert acc["township_code"].iloc[0] == "420302001"

def test_a_workbook_with_a_sheet_a_county_is_refused_naming_its_sheets(shiyan, tmp_path):
    """One sheet was read and the others dropped without a word: confirming would have replaced the
    city's register with one county's rows (QA 14). A title sheet beside one data sheet is fine."""
    lon, lat = _seat(shiyan, "420302001")
    path = tmp_path / "per_county.xlsx"
    with pd.ExcelWriter(path) as xl:
        for county, n in (("茅箭区", 2), ("张湾区", 3), ("房县", 1)):
            pd.DataFrame({"名称": [f"{county}福利院{i}" for i in range(n)], "类型": ["农村福利院"] * n,
                          "经度": [lon] * n, "纬度": [lat] * n}).to_excel(xl, sheet_name=county, index=False)
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan)
    zh, en = e.value.message("zh"), e.value.message("en")
    assert "3 个工作表" in zh and "“茅箭区”（2 行）" in zh and "“房县”（1 行）" in zh, zh
    assert "'张湾区' (3 rows)" in en and "'房县' (1 row)" in en and "only the last" in e.value.hint_en, en
    assert e.value.details["sheets"] == ["茅箭区", "张湾区", "房县"]

    one = tmp_path / "titled.xlsx"
    with pd.ExcelWriter(one) as xl:
        pd.DataFrame([["说明：本表为2025年名录"]]).to_excel(xl, sheet_name="说明", index=False, header=False)
        pd.DataFrame({"名称": ["甲", "乙"], "类型": ["农村福利院"] * 2, "经度": [lon] * 2,
                      "纬度": [lat] * 2}).to_excel(xl, sheet_name="福利院", index=False)
    report = validate_register(one, region=shiyan)
    assert report.rows == 2 and report.layer == "福利院"
    assert report.notes == [("读取工作表“福利院”（其余工作表没有可导入的数据：说明）",
                             "read sheet '福利院' (the other sheets hold nothing to import: 说明)")]



def _points(shiyan, n=5):
    """n true WGS84 points near township seats, with names."""
    lonlat = [_seat(shiyan, c) for c in SEATS[:n]]
    return gpd.GeoDataFrame({"名称": [f"站点{i}" for i in range(n)], "类型": ["日照中心"] * n},
                            geometry=[shapely.Point(x, y) for x, y in lonlat], crs=4326)


@pytest.mark.parametrize("epsg", [4547, 32649])
def test_zipped_shapefile_with_gbk_cpg_and_projected_prj(shiyan, tmp_path, epsg):
    truth = _points(shiyan)
    folder = tmp_path / "shp"
    folder.mkdir()
    truth.to_crs(epsg).to_file(folder / "设施.shp", encoding="gbk")
    assert (folder / "设施.cpg").read_text().strip().upper() == "GBK"
    path = tmp_path / "设施.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"data/{f.name}")
    report = validate_register(path, region=shiyan)
    assert report.crs == f"EPSG:{epsg}" and report.encoding.upper() == "GBK"
    acc = report.accepted
    assert acc["name"].tolist() == truth["名称"].tolist()  # Chinese read right through the .cpg
    assert _metres(_xy(truth), _xy(acc)).max() < 1.0


def test_shapefile_without_cpg_is_decoded_anyway(shiyan, tmp_path):
    truth = _points(shiyan, 3)
    truth.to_file(tmp_path / "reg.shp", encoding="gbk")
    (tmp_path / "reg.cpg").unlink()
    path = tmp_path / "reg.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj"):
            zf.write(tmp_path / f"reg.{ext}", f"reg.{ext}")
    report = validate_register(path, region=shiyan)
    assert report.accepted["name"].tolist() == truth["名称"].tolist()


def test_bare_shapefile_beside_its_files(shiyan, tmp_path):
    truth = _points(shiyan, 2)
    truth.to_crs(4547).to_file(tmp_path / "reg.shp", encoding="utf-8")
    report = validate_register(tmp_path / "reg.shp", region=shiyan)
    assert report.accepted["name"].tolist() == truth["名称"].tolist() and report.crs == "EPSG:4547"


def test_kml_from_a_phone_map_app(shiyan, tmp_path):
    truth = _points(shiyan, 4).rename(columns={"名称": "Name"}).drop(columns="类型")
    path = tmp_path / "外业采集.kml"
    truth.to_file(path, driver="KML")
    reg = load_register(path, region=shiyan, facility_type="day_care")
    assert reg["name"].tolist() == truth["Name"].tolist()
    assert _metres(_xy(truth), _xy(reg)).max() < 0.5
    # KMZ: the same document zipped
    kmz = tmp_path / "外业采集.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.write(path, "doc.kml")
    assert load_register(kmz, region=shiyan, facility_type="day_care")["name"].tolist() == truth["Name"].tolist()


def test_geopackage(shiyan, tmp_path):
    truth = _points(shiyan, 3)
    path = tmp_path / "reg.gpkg"
    truth.to_file(path, layer="设施", driver="GPKG")
    report = validate_register(path, region=shiyan)
    assert report.layer == "设施" and len(report.accepted) == 3 and not report.errors()


# -- datums -------------------------------------------------------------------------------------
def _near_edges(shiyan, n=30, inside_m=150.0, seed=3):
    """True WGS84 points ``inside_m`` inside the boundary of n townships, with their codes."""
    rng = np.random.default_rng(seed)
    towns = shiyan.townships.sample(n, random_state=seed)
    out = []
    for code, geom in zip(towns.index, towns.geometry):
        metric = shapely.transform(geom, lambda c: np.column_stack(lonlat_to_metric(c[:, 0], c[:, 1])))
        core = metric.buffer(-inside_m)
        ring = max(getattr(core, "geoms", [core]), key=lambda g: g.area).exterior
        p = ring.interpolate(rng.uniform(0, ring.length))
        out.append((code, *metric_to_lonlat(p.x, p.y)))
    return pd.DataFrame(out, columns=["code", "lon", "lat"])


def _gcj_register(shiyan, tmp_path) -> tuple:
    truth = _near_edges(shiyan)
    shifted = [prcoords.wgs_gcj(prcoords.Coords(lat=la, lon=lo)) for lo, la in zip(truth["lon"], truth["lat"])]
    path = tmp_path / "高德坐标.csv"
    pd.DataFrame({"名称": [f"站{c}" for c in truth["code"]], "类型": "日照中心", "乡镇代码": truth["code"],
                  "经度": [c.lon for c in shifted], "纬度": [c.lat for c in shifted]}).to_csv(path, index=False)
    return truth, path


def test_gcj02_declared_lands_within_5_m_of_the_true_points(shiyan, tmp_path):
    truth, path = _gcj_register(shiyan, tmp_path)
    report = validate_register(path, region=shiyan, coords="gcj02")
    acc = report.accepted
    assert len(acc) == len(truth) and report.datum == "gcj02"
    assert _metres((truth["lon"], truth["lat"]), _xy(acc)).max() < 5.0
    assert report.datum_suggestion is None  # declared right: nothing to suggest


def test_auto_suggests_gcj02_with_evidence_and_does_not_apply_it(shiyan, tmp_path):
    truth, path = _gcj_register(shiyan, tmp_path)
    report = validate_register(path, region=shiyan, coords="auto")
    s = report.datum_suggestion
    assert s is not None and s["datum"] == "gcj02" and s["against"] == "wgs84"
    assert s["after"]["inside_named_township"] > s["before"]["inside_named_township"]
    ev = report.datum_evidence["gcj02"]
    assert ev["better"] > ev["worse"] and ev["p_value"] < 0.01
    note = next(i for i in report.issues if i.code == "datum_suggestion")
    assert note.row is None and "GCJ-02" in note.message_en and "GCJ-02（高德、腾讯）" in note.message_zh
    assert "--coords gcj02" in note.fix_en and "--coords gcj02" in note.fix_zh
    # only suggested: the points stay where the file puts them
    assert report.datum == "wgs84"
    assert _metres((truth["lon"], truth["lat"]), _xy(report.accepted)).min() > 100


def test_cli_coords_auto_prints_the_suggestion(shiyan, tmp_path, capsys):
    _, path = _gcj_register(shiyan, tmp_path)
    assert main(["--lang", "en", "coverage", "--type", "day_care", "--facilities", str(path),
                 "--coords", "auto", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["citywide"]["facilities"] == 30
    assert "look like GCJ-02 (Amap, Tencent)" in captured.err
    assert main(["coverage", "--type", "day_care", "--facilities", str(path), "--coords", "gcj02", "--json"]) == 0
    assert "gcj02" not in capsys.readouterr().err


def test_wgs84_register_gets_no_suggestion(shiyan, tmp_path):
    truth = _near_edges(shiyan)
    path = tmp_path / "wgs.csv"
    pd.DataFrame({"名称": truth["code"], "类型": "日照中心", "乡镇代码": truth["code"],
                  "经度": truth["lon"], "纬度": truth["lat"]}).to_csv(path, index=False)
    report = validate_register(path, region=shiyan, coords="auto")
    assert report.datum_suggestion is None and not report.errors()


# -- located by name ----------------------------------------------------------------------------
def _village_names(shiyan):
    """(a village name unique in the region, its row) and (a name shared by two townships, codes)."""
    v = shiyan.villages
    bare = v["name"].map(lambda n: min(name_keys(n, "village"), key=len))
    counts = bare.value_counts()
    unique = v[bare == counts[counts == 1].index[0]].iloc[0]
    shared = counts[(counts >= 2)].index[0]
    return unique, shared, set(v.index[bare == shared])


def test_names_only_register_is_placed_by_name(shiyan, tmp_path):
    unique, shared, shared_codes = _village_names(shiyan)
    town = shiyan.townships.loc[unique["township_code"]]
    county = shiyan.counties.loc[unique["county_code"], "name"]
    village_bare = min(name_keys(unique["name"], "village"), key=len)
    seat_town = shiyan.townships.loc["420381450"]
    path = tmp_path / "只有地名.csv"
    pd.DataFrame({
        "机构名称": ["村站", "特区站", "重名站", "地址站"],
        "县（市、区）": [county, "", "", ""],
        "乡镇（街道）": [town["name"].replace("街道", "").replace("镇", ""), "武当山特区", "", ""],
        "村（社区）": [village_bare + "村", "", shared, ""],
        "地址": ["", "", "", f"湖北省十堰市{county}{town['name']}{unique['name']}12号"],
    }).to_csv(path, index=False, encoding="gbk")
    report = validate_register(path, region=shiyan, type_key="day_care")
    acc = report.accepted
    assert report.refused_rows == [4]
    assert set(acc["location_method"]) == {"located_by_name"}
    village_pt = shiyan.villages.loc[unique["code"], "geometry"]
    placed = acc[acc["name"] == "村站"].iloc[0]
    assert placed.geometry.distance(village_pt) < 1e-9
    assert placed["match"] == f"{county}·{town['name']}·{unique['name']}"
    assert placed["township_code"] == unique["township_code"]
    seat = acc[acc["name"] == "特区站"].iloc[0]
    assert (seat.geometry.x, seat.geometry.y) == (seat_town["seat_lon"], seat_town["seat_lat"])
    by_address = acc[acc["name"] == "地址站"].iloc[0]
    assert by_address.geometry.distance(village_pt) < 1e-9
    ambiguous = next(i for i in report.issues if i.row == 4)
    assert ambiguous.severity == "error" and ambiguous.code == "ambiguous" and ambiguous.column == "村（社区）"
    from planner.locate import MAX_CANDIDATES
    # every place of that name, when they are few: 东沟 names 7 villages, all offered
    assert 2 <= len(ambiguous.candidates) == min(len(shared_codes), MAX_CANDIDATES)
    assert {c["code"] for c in ambiguous.candidates} <= shared_codes
    assert all(c["path"].count("·") == 2 for c in ambiguous.candidates)


def test_unknown_village_falls_back_to_the_township_seat_with_a_warning(shiyan, tmp_path):
    path = tmp_path / "seat.csv"
    path.write_text("名称,乡镇,村\n某站,武当路街道,没有这个村\n", "utf-8")
    report = validate_register(path, region=shiyan, type_key="day_care")
    t = shiyan.townships.loc["420302001"]
    g = report.accepted.geometry.iloc[0]
    assert (g.x, g.y) == (t["seat_lon"], t["seat_lat"])
    assert [i.code for i in report.warnings()] == ["village_unknown"]


def test_name_folding():
    assert fold("武当路　街道（办事处）") == "武当路街道办事处"
    assert {"郑家"} <= name_keys("郑家村委会", "village") and {"郑家"} <= name_keys("郑家村", "village")
    assert "郧阳区" in name_keys("郧县", "county")  # renamed in 2014


# -- row checks ---------------------------------------------------------------------------------
def test_row_problems_are_reported_not_raised(shiyan, tmp_path):
    lon, lat = _seat(shiyan, "420302001")
    path = tmp_path / "rows.csv"
    path.write_text(
        "编号,名称,类型,经度,纬度,乡镇代码\n"
        f"A,甲,day_care,待补充,{lat},\n"               # 2 non-numeric
        f"B,乙,day_care,{lat},{lon},\n"                # 3 swapped: fixed with a warning
        "C,丙,day_care,113.27,23.13,\n"                # 4 Guangzhou: another province
        f"D,丁,sauna,{lon},{lat},\n"                   # 5 unknown type
        f"E,戊,day_care,{lon},{lat},429999999\n"       # 6 unknown township code
        f"F,甲,day_care,{lon + 0.0005},{lat},\n"       # 7 same name as row 2? row 2 refused: no warning
        f"G,己,day_care,{lon},{lat},\n"                # 8
        f"G,庚,day_care,{lon + 0.02},{lat},\n"         # 9 same id as row 8
        f"H,己,day_care,{lon + 0.0003},{lat},\n"       # 10 same name as row 8, ~28 m away
        f"I,辛,day_care,110°47′41.5″,32°34′31.9″,\n",  # 11 degrees-minutes-seconds
        "utf-8")
    report = validate_register(path, region=shiyan)
    by_row = {}
    for i in report.issues:
        by_row.setdefault(i.row, []).append(i)
    assert report.refused_rows == [2, 4, 5, 6, 9]
    assert by_row[2][0].code == "non_numeric" and by_row[2][0].column == "经度" and by_row[2][0].value == "待补充"
    assert by_row[3][0].code == "swapped" and by_row[3][0].severity == "warning" and by_row[3][0].fixed
    assert by_row[4][0].code == "outside_region" and "外" not in by_row[4][0].message_en
    assert by_row[5][0].code == "unknown_type" and "day_care" in by_row[5][0].fix_en
    assert by_row[6][0].code == "unknown_township_code"
    assert by_row[9][0].code == "duplicate_id" and "8" in by_row[9][0].message_en
    assert by_row[10][0].code == "duplicate_name" and by_row[10][0].severity == "warning"
    assert 7 not in by_row
    acc = report.accepted
    assert acc.loc["B"].geometry.x == pytest.approx(lon)  # swapped back
    assert acc.loc["I"].geometry.x == pytest.approx(110 + 47 / 60 + 41.5 / 3600)
    assert report.counts == {"rows": 10, "accepted": 5, "refused": 5, "warnings": 2, "located_by_name": 0}
    for i in report.issues:  # every message in both languages, with a fix where there is one
        assert i.message_zh and i.message_en and i.message_zh != i.message_en
    json.dumps(report.to_dict())  # standard JSON
    assert list(report.issues_frame("zh").columns)[:3] == ["行号", "列", "级别"]
    # the strict loader stops on the refused rows and on the unconfirmed swap
    with pytest.raises(InputDataError) as e:
        load_register(path, region=shiyan)
    assert e.value.details["refused_rows"] == [2, 3, 4, 5, 6, 9]
    assert "row 3" in e.value.message("en") and "第 2 行" in e.value.message("zh")


def test_outside_named_township_is_a_warning(shiyan, tmp_path):
    lon, lat = _seat(shiyan, "420325100")  # 房县 城关镇, far from 茅箭区
    path = tmp_path / "town.csv"
    path.write_text(f"名称,类型,经度,纬度,乡镇代码\n甲,day_care,{lon},{lat},420302001\n", "utf-8")
    report = validate_register(path, region=shiyan)
    assert [i.code for i in report.issues] == ["outside_named_township"]
    assert report.accepted["township_code"].iloc[0] == "420302001"  # the named one is kept


def test_column_map_for_unrecognised_headers(shiyan, tmp_path):
    lon, lat = _seat(shiyan, "420302001")
    path = tmp_path / "odd.csv"
    path.write_text(f"站名,E,N\n甲,{lon},{lat}\n", "utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan, type_key="day_care")
    assert e.value.details["columns"] == ["站名", "E", "N"]
    report = validate_register(path, region=shiyan, type_key="day_care",
                               column_map={"name": "站名", "lon": "E", "lat": "N"})
    assert report.accepted["name"].tolist() == ["甲"]


# -- broken files -------------------------------------------------------------------------------
def _raises(path, shiyan, needle_en: str, needle_zh: str, **kw) -> InputDataError:
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan, type_key="day_care", **kw)
    assert needle_en in e.value.message("en"), e.value.message("en")
    assert needle_zh in e.value.message("zh"), e.value.message("zh")
    assert path.name in e.value.message("en")  # says where
    return e.value


def test_wrong_encoding(shiyan, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,lon,lat\ncafé ÿ,110.8,32.6\n".encode("latin-1"))
    _raises(path, shiyan, "cannot decode", "编码")


def test_missing_columns(shiyan, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("名称,备注\n甲,无\n", "utf-8")
    err = _raises(path, shiyan, "no column to place", "缺少定位所需的列")
    assert err.details["columns"] == ["名称", "备注"]


def test_empty_file_and_header_only(shiyan, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    _raises(path, shiyan, "empty", "空")
    path.write_text("名称,经度,纬度\n", "utf-8")
    _raises(path, shiyan, "no rows", "没有数据行")
    # two data rows and no header: the first was read as the header, and the planner is told so
    path.write_text("甲养老院,elderly_complex,110.79,32.65\n乙养老院,elderly_complex,110.80,32.66\n", "utf-8")
    err = _raises(path, shiyan, "looks like data, not column names", "看起来是数据而不是列名")
    assert "110.79" in err.message("zh") and "名称,类型,经度,纬度" in err.message("zh")


def test_point_file_without_header_says_so(tmp_path):
    from geo.points import read_points_csv
    path = tmp_path / "v.csv"
    path.write_text("420302001001,110.79,32.65\n420302001002,110.80,32.66\n", "utf-8")
    with pytest.raises(InputDataError) as e:
        read_points_csv(path)
    assert "looks like data" in e.value.message("en") and "id,lon,lat" in e.value.message("zh")


def test_content_not_what_the_extension_says(shiyan, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("名称,经度,纬度\n甲,110.8,32.6\n", "utf-8")
    _raises(path, shiyan, "the content is a text (CSV) file", "文本（CSV）文件")


def test_zip_without_shapefile(shiyan, tmp_path):
    path = tmp_path / "nodata.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("说明.txt", "nothing here")
    _raises(path, shiyan, "no Shapefile (.shp)", "没有Shapefile")


def test_zip_slip_member_is_refused(shiyan, tmp_path):
    path = tmp_path / "slip.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../evil.shp", b"x")
    _raises(path, shiyan, "outside the archive", "压缩包目录之外")
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_limits(shiyan, tmp_path, monkeypatch):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(4):
            zf.writestr(f"f{k}.txt", "0" * 200_000)
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    _raises(path, shiyan, "at most 3", "最多接受 3")
    monkeypatch.setattr(archives, "MAX_MEMBERS", 200)
    monkeypatch.setattr(archives, "RATIO_FLOOR", 1000)  # 800 KB of zeros pack to ~1 KB
    _raises(path, shiyan, "zip bomb", "压缩比")
    monkeypatch.setattr(archives, "MAX_UNZIPPED", 100_000)
    _raises(path, shiyan, "unpacks to", "解压后")


def test_file_over_the_size_limit(shiyan, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("名称,经度,纬度\n" + "甲,110.8,32.6\n" * 100, "utf-8")
    monkeypatch.setattr(tables, "MAX_BYTES", 1000)
    err = _raises(path, shiyan, "at most", "超过上限")
    assert err.details["limit"] == 1000


def test_geojson_and_a_combined_lonlat_column(shiyan, tmp_path):
    truth = _points(shiyan, 3)
    path = tmp_path / "reg.geojson"
    truth.assign(id=["a", "b", "c"]).to_file(path, driver="GeoJSON")
    reg = load_register(path, region=shiyan)
    assert reg.index.tolist() == ["a", "b", "c"] and _metres(_xy(truth), _xy(reg)).max() < 0.5
    csv = tmp_path / "lonlat.csv"
    lon, lat = _seat(shiyan, "420302001")
    csv.write_text(f"名称,经纬度\n甲,\"{lon},{lat}\"\n乙,{lon + 0.01}，{lat}\n", "utf-8")
    reg = load_register(csv, region=shiyan, facility_type="day_care")
    assert reg.geometry.x.tolist() == pytest.approx([lon, lon + 0.01])


def test_place_names_that_contradict_nothing_but_match_nothing_are_a_warning(shiyan, tmp_path):
    lon, lat = _seat(shiyan, "420302001")
    path = tmp_path / "names.csv"
    path.write_text(f"名称,类型,经度,纬度,乡镇\n甲,day_care,{lon},{lat},不存在镇\n", "utf-8")
    report = validate_register(path, region=shiyan)
    assert [(i.code, i.severity, i.column) for i in report.issues] == [("names_unmatched", "warning", "乡镇")]
    assert len(report.accepted) == 1 and report.accepted["location_method"].iloc[0] == "coordinates"


def test_html_saved_as_xls_is_named_for_what_it_is(shiyan, tmp_path):
    path = tmp_path / "系统导出.xls"
    path.write_text("<html><table><tr><td>名称</td></tr></table></html>", "utf-8")
    _raises(path, shiyan, "web page (HTML)", "网页")


def test_a_name_too_long_refuses_its_row(shiyan, tmp_path):
    from planner.register import validate_register
    path = tmp_path / "long.csv"
    path.write_text("名称,类型,经度,纬度\n" + "长" * 5000 + ",elderly_complex,110.79,32.65\n"
                    "甲养老院,elderly_complex,110.80,32.66\n", "utf-8")
    rep = validate_register(path, region=shiyan)
    d = rep.to_dict() if hasattr(rep, "to_dict") else rep
    text = json.dumps(d, ensure_ascii=False)
    assert "名称过长（5000 个字符）" in text
    assert d["counts"]["refused"] == 1 and d["counts"]["accepted"] == 1
    assert "长" * 200 not in text  # the report quotes the start, not the paragraph


def test_address_operator_phone_and_remark_are_stored_and_hidden_characters_are_refused(shiyan, tmp_path):
    """地址、运营单位、联系电话、备注 were kept under the file's headers, so the register's own fields (the
    map editor's) stayed empty; a name with U+202E or a line break came in although an edit refuses it
    (QA 14)."""
    lon, lat = _seat(shiyan, "420302001")
    path = tmp_path / "attrs.csv"
    pd.DataFrame({"名称": ["甲福利院", "乙\u202e福利院", "丙福利院"], "类型": ["农村福利院"] * 3,
                  "经度": [lon] * 3, "纬度": [lat] * 3, "地址": ["人民路1号", "", "北京路\u200b2号"],
                  "运营单位": ["市社会福利中心", "", ""], "联系电话": ["0719-8888888", "", ""],
                  "备注": ["第一行\n第二行", "", "x\u202ey"]}).to_csv(path, index=False)
    report = validate_register(path, region=shiyan)
    acc = report.accepted.set_index("name")
    assert list(acc.index) == ["甲福利院", "丙福利院"]              # the reversed name is refused
    assert acc.loc["甲福利院", ["address", "operator", "phone", "remark"]].tolist() == \
        ["人民路1号", "市社会福利中心", "0719-8888888", "第一行\n第二行"]  # a remark keeps its line break
    assert acc.loc["丙福利院", "address"] == "北京路2号" and acc.loc["丙福利院", "remark"] == "xy"
    assert "地址" not in report.accepted  # stored once, under the field's name
    by = {(i.code, i.column): i for i in report.issues}
    name = by[("name_control", "名称")]
    assert name.severity == "error" and "U+202E" in name.message_zh and "\\u202e" in name.message_en
    assert "文字方向控制符" in name.message_zh and "text-direction control" in name.message_en
    assert by[("text_control", "地址")].severity == "warning" and "U+200B" in by[("text_control", "地址")].message_zh
    assert by[("text_control", "备注")].severity == "warning"


def test_degrees_under_a_projected_crs_are_said_to_be_degrees(shiyan, tmp_path):
    """EPSG:3857 typed for a lon/lat file refused every row "19,496 km outside" with a GCJ-02 hint (QA 14)."""
    lon, lat = _seat(shiyan, "420302001")
    path = tmp_path / "deg.csv"
    path.write_text(f"名称,类型,经度,纬度\n甲站,日照中心,{lon},{lat}\n", encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan, crs="EPSG:3857")
    assert "look like longitude/latitude in degrees" in e.value.message("en")
    assert "请将“投影坐标系”留空" in e.value.message("zh")


def test_no_candidates_no_pick_one_of_them(shiyan, tmp_path):
    """An unknown township with nothing like it: the fix said "pick one of the candidates" with none shown."""
    path = tmp_path / "byname.csv"
    path.write_text("名称,类型,县区,乡镇\n甲站,农村福利院,房县,火星镇\n", encoding="utf-8")
    report = validate_register(path, region=shiyan)
    issue = next(i for i in report.issues if i.severity == "error")
    if issue.candidates:
        pytest.skip("the region has a place name like 火星镇")
    assert issue.fix_zh.startswith("请核对名称") and "候选" not in issue.fix_zh, issue


def test_formula_cells_without_a_saved_result_are_named(shiyan, tmp_path):
    """A workbook written by a script has formulas without their results; such a bed count read
    as unknown without a word (QA 14). Now the report names the column and the cells."""
    from openpyxl import Workbook

    lon, lat = _seat(shiyan, "420302001")
    book = Workbook()
    ws = book.active
    ws.append(["名称", "类型", "经度", "纬度", "床位数", "单价"])
    for i in range(7):
        ws.append([f"福利院{i}", "农村福利院", lon, lat + 0.001 * i, f"=F{i + 2}*10", 3])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    report = validate_register(path, region=shiyan)
    assert report.rows == 7
    zh = [z for z, _ in report.notes if "公式" in z]
    en = [e for _, e in report.notes if "formula" in e]
    assert len(zh) == 1 and "“床位数”列" in zh[0] and "E2、E3、E4、E5、E6 等 7 个" in zh[0], zh
    assert "column '床位数'" in en[0] and "E2, E3, E4, E5, E6 and 2 more" in en[0], en

    # saved by a program that computes them: no note
    plain = tmp_path / "plain.xlsx"
    pd.DataFrame({"名称": ["甲"], "类型": ["农村福利院"], "经度": [lon], "纬度": [lat],
                  "床位数": [30]}).to_excel(plain, index=False)
    assert not [z for z, _ in validate_register(plain, region=shiyan).notes if "公式" in z]


def test_one_facility_listed_twice_is_imported_once(shiyan, tmp_path):
    """The exact copy of a row (same name, type and place) was accepted with a reminder, and its 85 beds
    counted twice in its county (QA 15): the copy is refused, naming the row it repeats."""
    lon, lat = _seat(shiyan, SEATS[0])
    path = tmp_path / "twice.csv"
    path.write_text("名称,类型,经度,纬度,床位数\n"
                    f"竹山福利院,农村福利院,{lon},{lat},85\n"
                    f"竹山福利院,农村福利院,{lon},{lat},85\n"
                    f"竹山福利院,农村福利院,{lon + 0.0003},{lat},85\n", "utf-8")
    report = validate_register(path, region=shiyan)
    by_row = {i.row: i for i in report.issues}
    assert by_row[3].code == "duplicate_row" and by_row[3].severity == "error" and "第 2 行" in by_row[3].message_zh
    assert by_row[4].code == "duplicate_name" and by_row[4].severity == "warning"  # 28 m away: maybe two
    assert report.refused_rows == [3] and report.accepted["beds"].sum() == 170


def test_an_exact_copy_behind_a_namesake_and_a_capacity_for_a_type_without_one(shiyan, tmp_path):
    lon, lat = _seat(shiyan, SEATS[0])
    path = tmp_path / "copies.csv"
    path.write_text("名称,类型,经度,纬度,容量\n"
                    f"甲福利院,农村福利院,{lon + 0.0003},{lat},40\n"
                    f"甲福利院,农村福利院,{lon},{lat},40\n"
                    f"甲福利院,农村福利院,{lon},{lat},40\n"
                    f"慈善站,慈善工作站点,{lon},{lat + 0.01},5\n", "utf-8")
    report = validate_register(path, region=shiyan)
    by_row = {i.row: i for i in report.issues}
    assert by_row[4].code == "duplicate_row" and "第 3 行" in by_row[4].message_zh  # the copy, not the namesake
    assert by_row[3].code == "duplicate_name"
    assert by_row[5].code == "capacity_not_counted" and by_row[5].severity == "warning"
    assert "charity_station" in set(report.accepted["facility_type"])
