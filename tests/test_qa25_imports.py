"""QA 25 (importing a bureau's own layers on the data page and with `coverplan data import`): a village file
headed 村代码,名称,经度,纬度 (the NBS layout; 统计用区划代码,名称,X,Y alike) was refused as "no village codes"
because its 名称 was read as the codes, and a township GeoJSON whose code column is 统计用区划代码 as "no code
column"; a zipped UTF-8 Shapefile whose Chinese field name the .dbf's 10 bytes cut mid-character (设施类型 is
12 bytes) was refused with Python's "'utf-8' codec can't decode byte 0xe5"; a village import's report named
its own fields (code, lon/lat, lon) instead of the file's columns, and gave the village code as the value of a
swapped or non-numeric point."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.errors import InputDataError
from geo.points import plain_number
from geo.imports import check_townships, check_villages, read_gis, township_issues, village_placement_issues
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run

TOWN = "420303100"  # 黄龙镇


def _villages(shiyan, n: int = 4):
    """``n`` villages of one township: (code, name, lon, lat) at their points."""
    v = shiyan.villages[shiyan.villages["township_code"].astype(str) == "420302001"].iloc[:n]
    return [(str(c), str(r["name"]), r.geometry.x, r.geometry.y) for c, r in v.iterrows()]


def _csv(tmp_path, header: str, rows, name: str = "v.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n", encoding="utf-8")
    return path


# -- 1. the code column of a village file named beside a 名称 --------------------------------------------
@pytest.mark.parametrize("header", ["村代码,名称,经度,纬度", "统计用区划代码,名称,X,Y", "名称,村代码,经度,纬度",
                                    "name,村（社区）代码,lon,lat"])
def test_a_village_file_with_a_name_column_is_read_by_its_code_column(shiyan, tmp_path, header):
    rows = _villages(shiyan)
    if header.startswith(("名称", "name")):
        rows = [(n, c, x, y) for c, n, x, y in rows]
    pts = check_villages(shiyan, _csv(tmp_path, header, rows))
    assert list(pts["code"]) == [r[0] for r in _villages(shiyan)]
    assert pts.attrs["refused"] == [] and pts.attrs["ignored_columns"] == []


def test_a_column_of_12_digit_codes_beats_one_of_text_named_as_an_id(shiyan, tmp_path):
    """编号 (a serial of the bureau's) comes before 村代码 among the names a code column has: its cells decide."""
    rows = [(f"A{i}", c, n, x, y) for i, (c, n, x, y) in enumerate(_villages(shiyan))]
    pts = check_villages(shiyan, _csv(tmp_path, "编号,村代码,名称,经度,纬度", rows))
    assert list(pts["code"]) == [r[1] for r in rows] and pts.attrs["refused"] == []
    assert pts.attrs["column_names"]["code"] == "村代码"


def test_a_register_given_as_villages_is_still_asked_whether_it_is_a_village_file(shiyan, tmp_path):
    path = _csv(tmp_path, "名称,类型,经度,纬度", [("测试中心", "日照中心", 110.79, 32.65), ("第二中心", "日照中心", 110.8, 32.65)])
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, path)
    assert "这是村（社区）点位文件吗" in e.value.message("zh")


@pytest.mark.parametrize("column", ["统计用区划代码", "行政区划代码", "区划代码"])
def test_a_township_file_coded_by_the_standard_code_columns_is_read(shiyan, tmp_path, column):
    geom = shiyan.townships.loc[TOWN, "geometry"]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "黄龙镇", column: TOWN + "000"},
         "geometry": json.loads(json.dumps(shapely.geometry.mapping(geom)))}]}
    path = tmp_path / "t.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    out = check_townships(shiyan, path)
    assert list(out["code"]) == [TOWN]


def test_a_village_layer_is_read_by_its_village_code_beside_a_township_code(shiyan, tmp_path):
    rows = _villages(shiyan)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"乡镇代码": c[:9], "村代码": c, "名称": n},
         "geometry": {"type": "Point", "coordinates": [x, y]}} for c, n, x, y in rows]}
    path = tmp_path / "v.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    pts = check_villages(shiyan, path)
    assert list(pts["code"]) == [r[0] for r in rows] and pts.attrs["refused"] == []


# -- 2. a UTF-8 Shapefile field name cut mid-character -----------------------------------------------------
def _dbf_names(dbf: Path) -> list[bytes]:
    """The raw field names of a .dbf (32-byte descriptors after the 32-byte header, up to 0x0D): the test's
    premise, that the writer cut a name in the middle of a character."""
    raw = dbf.read_bytes()
    out, at = [], 32
    while raw[at] != 0x0D:
        out.append(raw[at:at + 11].split(b"\x00")[0])
        at += 32
    return out


def _shapefile(tmp_path, frame: dict, points, *, name: str = "layer", encoding: str = "utf-8",
               cpg: bool = True) -> Path:
    """A zipped Shapefile of ``frame``'s columns at ``points`` (lon/lat), its text in ``encoding``."""
    folder = tmp_path / f"shp_{name}"
    folder.mkdir()
    gdf = gpd.GeoDataFrame(frame, geometry=[shapely.Point(x, y) for x, y in points], crs="EPSG:4326")
    gdf.to_crs(4546).to_file(folder / f"{name}.shp", encoding=encoding)
    zpath = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in sorted(folder.iterdir()):
            if cpg or f.suffix != ".cpg":
                zf.write(f, f.name)
    return zpath


def _register_layer(shiyan, tmp_path, **kw) -> Path:
    rows = _villages(shiyan, 3)
    frame = {"编号": ["F1", "F2", "F3"], "名称": ["甲福利院", "乙福利院", "丙福利院"],
             "设施类型": ["农村福利院"] * 3, "床位数": [60, 65, 70]}
    return _shapefile(tmp_path, frame, [(x, y) for _, _, x, y in rows], name="fly", **kw)


def test_a_utf8_shapefile_whose_field_name_was_cut_is_read_and_the_cut_said(shiyan, tmp_path):
    path = _register_layer(shiyan, tmp_path)
    with zipfile.ZipFile(path) as zf:
        zf.extract("fly.dbf", tmp_path)
    cut = [n for n in _dbf_names(tmp_path / "fly.dbf") if len(n) == 10]
    with pytest.raises(UnicodeDecodeError):  # the premise: 设施类型 cut after 10 of its 12 bytes
        cut[0].decode("utf-8")
    gdf = read_gis(path)
    assert list(gdf.columns[:4]) == ["编号", "名称", "设施类", "床位数"] and list(gdf["名称"])[0] == "甲福利院"
    assert gdf.attrs["encoding"] == "UTF-8" and gdf.attrs["crs"] == "EPSG:4546"
    ((zh, en),) = gdf.attrs["notes"]
    assert "“设施类”" in zh and "10 个字节" in zh and "GeoPackage" in zh
    assert "'设施类'" in en and "10 bytes" in en and "shorter names" in en and "GeoPackage or GeoJSON" in en
    assert "codec" not in zh + en and "“" not in en and "”" not in en


def test_a_register_shapefile_whose_field_name_was_cut_is_read_with_a_note(shiyan, tmp_path):
    """The data page's and `data import facilities`'s reader (geo.tables, through geo.gisfiles)."""
    from geo.tables import read_table

    table = read_table(_register_layer(shiyan, tmp_path))
    assert list(table.frame.columns) == ["编号", "名称", "设施类", "床位数"] and len(table.frame) == 3
    assert list(table.frame["设施类"]) == ["农村福利院"] * 3 and table.encoding == "UTF-8"
    assert any("“设施类”" in zh and "'设施类'" in en for zh, en in table.notes), table.notes


def test_a_cut_field_name_is_read_as_the_one_register_column_it_can_be(shiyan, tmp_path, var, capsys):
    """设施类 and the first byte of 型 (e5) can be only 设施类型 of the register's column names: the facility
    type column is found, and the import needs no --type (it said "no column says each facility's type")."""
    from geo.tables import read_table
    from planner.register_columns import HEADER_NAMES

    path = _register_layer(shiyan, tmp_path)
    table = read_table(path, header_names=HEADER_NAMES)
    assert list(table.frame.columns) == ["编号", "名称", "设施类型", "床位数"]
    assert any("“设施类”按已知列名“设施类型”读取" in zh and "as the known column name '设施类型'" in en
               for zh, en in table.notes), table.notes
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(path), "--dry-run", "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["counts"]["accepted"] == 3 and rep["counts"]["refused"] == 0, rep["counts"]


def test_a_cut_field_name_without_a_cpg_is_still_read_as_utf8(shiyan, tmp_path):
    from geo.tables import read_table

    table = read_table(_register_layer(shiyan, tmp_path, cpg=False))
    assert list(table.frame.columns) == ["编号", "名称", "设施类", "床位数"] and table.encoding == "UTF-8"
    assert list(table.frame["名称"]) == ["甲福利院", "乙福利院", "丙福利院"]
    assert any("“设施类”" in zh for zh, _ in table.notes)


def test_the_same_layer_in_gbk_still_reads_without_a_note(shiyan, tmp_path):
    from geo.tables import read_table

    path = _register_layer(shiyan, tmp_path, encoding="gbk", cpg=False)
    table = read_table(path)
    assert list(table.frame.columns) == ["编号", "名称", "设施类型", "床位数"] and table.notes == []
    assert list(table.frame["名称"])[0] == "甲福利院"
    assert list(read_gis(path).columns[:4]) == ["编号", "名称", "设施类型", "床位数"]


def test_a_village_shapefile_with_a_cut_field_name_imports_and_says_so(shiyan, tmp_path, var, capsys):
    rows = _villages(shiyan)
    path = _shapefile(tmp_path, {"村代码": [r[0] for r in rows], "村庄名称": [r[1] for r in rows]},
                      [(x, y) for _, _, x, y in rows], name="vil")
    pts = check_villages(shiyan, path)
    assert list(pts["code"]) == [r[0] for r in rows] and pts.attrs["refused"] == []
    note = next(i for i in village_placement_issues(shiyan, pts) if i["code"] == "table_note")
    assert "“村庄名”" in note["message_zh"] and "'村庄名'" in note["message_en"]
    code, out, err = run(capsys, "--lang", "en", "data", "import", "villages", str(path), "--dry-run", "--json")
    assert code == 0 and "Traceback" not in err, err
    rep = json.loads(out)
    assert rep["counts"]["accepted"] == len(rows)
    assert any("'村庄名'" in i["message_en"] and "10 bytes" in i["message_en"] for i in rep["issues"]), rep["issues"]


def test_a_township_shapefile_with_a_cut_field_name_says_so(shiyan, tmp_path):
    geom = shiyan.townships.loc[TOWN, "geometry"]
    folder = tmp_path / "shp_town"
    folder.mkdir()
    gpd.GeoDataFrame({"乡镇代码": [TOWN], "乡镇名称": ["黄龙镇"]}, geometry=[geom], crs="EPSG:4326") \
        .to_file(folder / "town.shp", encoding="utf-8")
    zpath = tmp_path / "town.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    out = check_townships(shiyan, zpath)
    assert list(out["code"]) == [TOWN]
    # 乡镇代码 and 乡镇名称 are 12 bytes in UTF-8: cut to 乡镇代 and 乡镇名 plus the first byte of 码 and 称, which
    # only the known names 乡镇代码 and 乡镇名称 fit; said, and read as them
    note = next(i for i in township_issues(out) if i["code"] == "table_note")
    assert "“乡镇代”按已知列名“乡镇代码”读取" in note["message_zh"] and "“乡镇名”按已知列名“乡镇名称”读取" in note["message_zh"]
    assert "'乡镇代' as the known column name '乡镇代码'" in note["message_en"]
    assert not any(i["code"] == "columns_not_read" for i in township_issues(out))


# -- 3. a village report names the file's columns and the offending values ----------------------------------
def test_refused_village_rows_name_the_files_columns_and_values(shiyan, tmp_path):
    (c1, n1, x1, y1), (c2, n2, x2, y2), (c3, n3, x3, y3), (c4, n4, x4, y4) = _villages(shiyan)
    path = _csv(tmp_path, "村代码,村名称,经度,纬度", [
        ("420302999999", n1, x1, y1),                     # line 2: unknown code
        (c2, n2, f"{y2:.7f}", f"{x2:.7f}"),               # line 3: swapped
        (c3, n3, "nan", f"{y3:.7f}"),                      # line 4: NaN longitude
        (c4, n4, f"{x4:.7f}", "abc"),                      # line 5: a latitude that is no number
        (c3, "重复", x3, y3),                                # line 6: repeats line 4's code (line 4 refused)
        (c4, "重复", x4, y4),                                # line 7: the first good row of c4
        (c4, "再重复", x4, y4),                              # line 8: c4 again
    ])
    pts = check_villages(shiyan, path)
    got = {r["row"]: (r["code"], r["column"], r["value"]) for r in pts.attrs["refused"]}
    assert got[2] == ("unknown_code", "村代码", "420302999999")
    # a swapped point is read the other way round with a warning, as a register's (QA 31), named alike
    (fixed,) = pts.attrs["corrected"]
    assert 3 not in got and (fixed["row"], fixed["code"], fixed["column"], fixed["value"]) == \
        (3, "swapped", "经度", f"{plain_number(f'{y2:.7f}')}, {plain_number(f'{x2:.7f}')}")
    assert got[4] == ("bad_coordinates", "经度", "nan")
    assert got[5] == ("bad_coordinates", "纬度", "abc")
    assert got[8] == ("duplicate_code", "村代码", c4)
    assert all(c not in ("code", "lon", "lat", "lon/lat") for _, c, _ in got.values())


def test_a_point_outside_its_township_is_named_by_the_files_longitude_column(shiyan, tmp_path):
    (c1, n1, x1, y1), (c2, n2, x2, y2) = _villages(shiyan, 2)
    # another township of the same county (a point in another county's township is refused since F5)
    far = shiyan.townships.loc["420302002", "geometry"].representative_point()
    path = _csv(tmp_path, "村代码,名称,经度,纬度", [(c1, n1, x1, y1), (c2, n2, f"{far.x:.6f}", f"{far.y:.6f}")])
    pts = check_villages(shiyan, path)
    elsewhere = shiyan.townships.loc[TOWN, "geometry"].representative_point()  # 黄龙镇, 张湾区
    refused = check_villages(shiyan, _csv(tmp_path, "村代码,名称,经度,纬度", [
        (c1, n1, x1, y1), (c2, n2, f"{elsewhere.x:.6f}", f"{elsewhere.y:.6f}")], name="w.csv")).attrs["refused"]
    assert [(r["row"], r["code"], r["column"]) for r in refused] == [(3, "outside_own_county", "经度")]
    (issue,) = [i for i in village_placement_issues(shiyan, pts) if i["code"] == "outside_own_township"]
    assert issue["row"] == 3 and issue["column"] == "经度" and issue["value"] == f"{far.x:g}, {far.y:g}"


def test_a_village_layers_rows_name_its_code_column_and_their_points(shiyan, tmp_path):
    (c1, _, x1, y1), (c2, _, x2, y2), (c3, _, x3, y3) = _villages(shiyan, 3)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"村代码": c}, "geometry": {"type": "Point", "coordinates": xy}}
        for c, xy in ((c1, [x1, y1]), (None, [x2, y2]), (c3, [round(y3, 6), round(x3, 6)]))]}
    path = tmp_path / "v.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    pts = check_villages(shiyan, path)
    got = {r["row"]: r for r in pts.attrs["refused"]}
    assert got[2]["code"] == "empty_code" and got[2]["column"] == "村代码" and got[2]["value"] == ""
    assert got[2]["message_en"] == "empty 村代码"
    # a layer's point is its feature's geometry: no column (as a register's layer), the point as the value
    (fixed,) = pts.attrs["corrected"]  # read swapped back, with a warning (QA 31)
    assert 3 not in got and fixed["row"] == 3 and fixed["code"] == "swapped" and fixed["column"] is None
    assert fixed["value"] == f"{plain_number(round(y3, 6))}, {plain_number(round(x3, 6))}"


def test_the_cli_report_of_the_qa_file_names_the_columns_and_values(shiyan, tmp_path, var, capsys):
    (c1, n1, x1, y1), (c2, n2, x2, y2) = _villages(shiyan, 2)
    path = _csv(tmp_path, "村代码,村名称,经度,纬度", [(c1, n1, x1, y1), (c2, n2, "nan", f"{y2:.7f}")])
    code, out, err = run(capsys, "data", "import", "villages", str(path), "--dry-run", "--json")
    assert code == 0, err
    (issue,) = [i for i in json.loads(out)["issues"] if i["severity"] == "error"]
    assert (issue["row"], issue["column"], issue["value"]) == (3, "经度", "nan")
