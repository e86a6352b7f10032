"""QA 32 (fixer QA32-FG): a bureau's files brought in.

1. A KML written by GDAL/QGIS: its automatic placemark ids (fly_named.1 ...) were read as the facilities' ids
   instead of the file's 编号 (changing with the file's name), and an empty Name column beat 机构名称 ("no name
   given" on every row). Two columns that differ were named in one order and their cells in the other.
2. A workbook's hidden rows and hidden columns with a value were imported without a word.
3. A village file with one code written 4.20325E+11 was refused whole, even with --partial.
4. A village report's counts left out the copy skipped: rows 19 = accepted 13 + refused 5, with 1 skipped unsaid.
"""
from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo.errors import InputDataError
from geo.imports import check_villages
from geo.tables import read_table
from planner.register import validate_register
from planner.register_columns import HEADER_NAMES
from test_qa21_cli import run

FANG = "420325"


def _homes(region, n: int = 4) -> list:
    """``n`` village points of 房县: (code, township code, lon, lat)."""
    v = region.villages
    v = v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == FANG)].iloc[:n]
    return [(str(c), str(r.township_code), round(r.geometry.x, 6), round(r.geometry.y, 6)) for c, r in v.iterrows()]


def _gdal_kml(path, region, *, named: bool, layer: str):
    """A register written as GDAL's KML driver writes one (QGIS exports through it): a <Schema> of the columns,
    placemarks with ids "<layer>.<n>", and a <name> only when the layer has a Name field (``named``: a copy of
    机构名称, as QGIS writes the label field)."""
    homes = _homes(region)
    frame = {"编号": [f"FX-FLY-{k:03d}" for k in range(1, len(homes) + 1)],
             "机构名称": [f"房县{k}号福利院" for k in range(1, len(homes) + 1)],
             "类型": ["农村福利院"] * len(homes), "床位数": ["40"] * len(homes)}
    if named:
        frame = {"Name": list(frame["机构名称"]), **frame}
    gdf = gpd.GeoDataFrame(frame, geometry=[shapely.Point(x, y) for *_, x, y in homes], crs=4326)
    pyogrio.write_dataframe(gdf, path, driver="KML", layer=layer)
    text = path.read_text("utf-8")
    # the shape GDAL writes: automatic placemark ids, a <name> of the folder and (``named``) of each placemark
    assert f'<Placemark id="{layer}.1">' in text and text.count("<name>") == (len(homes) + 1 if named else 1)
    return frame


# -- 1. KML from GDAL/QGIS ---------------------------------------------------------------------------------
@pytest.mark.parametrize("named", [False, True])
def test_a_gdal_kml_is_read_by_its_own_columns(shiyan, tmp_path, named):
    path = tmp_path / ("fly_named.kml" if named else "fly.kml")
    truth = _gdal_kml(path, shiyan, named=named, layer=path.stem)
    rep = validate_register(path, region=shiyan, type_key="welfare_home")
    assert not rep.errors(), [i.message_en for i in rep.issues]
    acc = rep.accepted
    assert acc["id"].tolist() == truth["编号"] and acc["name"].tolist() == truth["机构名称"]
    # no warning about GDAL's columns (the copy of 机构名称 in <name>, the placemark ids)
    assert not [i for i in rep.issues if i.code in ("column_shadowed", "column_values_differ")], \
        [i.message_en for i in rep.issues]


def test_the_ids_do_not_change_with_the_files_name(shiyan, tmp_path):
    a, b = tmp_path / "fly_named.kml", tmp_path / "福利院_2025.kml"
    _gdal_kml(a, shiyan, named=True, layer=a.stem)
    _gdal_kml(b, shiyan, named=True, layer=b.stem)
    ids = [validate_register(p, region=shiyan, type_key="welfare_home").accepted["id"].tolist() for p in (a, b)]
    assert ids[0] == ids[1] == ["FX-FLY-001", "FX-FLY-002", "FX-FLY-003", "FX-FLY-004"]


def test_a_real_placemark_name_and_id_are_kept(shiyan, tmp_path):
    """A <name> that copies no column is the file's own: read as the name; ids that are not "<layer>.<n>" too."""
    homes = _homes(shiyan, 2)
    gdf = gpd.GeoDataFrame({"Name": ["甲福利院", "乙福利院"], "类型": ["农村福利院"] * 2},
                           geometry=[shapely.Point(x, y) for *_, x, y in homes], crs=4326)
    path = tmp_path / "外业.kml"
    pyogrio.write_dataframe(gdf, path, driver="KML", layer="外业")
    path.write_text(path.read_text("utf-8").replace('id="外业.1"', 'id="FX-9"').replace('id="外业.2"', 'id="FX-8"'),
                    "utf-8")
    acc = validate_register(path, region=shiyan, type_key="welfare_home").accepted
    assert acc["name"].tolist() == ["甲福利院", "乙福利院"] and acc["id"].tolist() == ["FX-9", "FX-8"]


def test_the_generated_columns_told_apart():
    import pandas as pd

    from geo.gisfiles import kml_generated_columns

    frame = pd.DataFrame({"id": ["fly.1", "fly.2"], "Name": ["", None], "Description": ["甲", "乙"],
                          "编号": ["A", "B"], "机构名称": ["甲", "乙"]})
    assert kml_generated_columns(frame, ["fly"]) == ["id", "Name", "Description"]
    frame["id"] = ["fly.1", "FX-2"]  # not every id is an automatic one: the file's own
    frame["Name"] = ["甲", "丙"]  # not a copy of a column
    assert kml_generated_columns(frame, ["fly"]) == ["Description"]


def test_two_columns_that_differ_give_their_cells_in_the_order_they_are_named(shiyan, tmp_path):
    """"column 编号 holds other values than column id (row 1: fly_named.1 and FX-FLY-001)": 编号's cell first."""
    (_, _, x, y), = _homes(shiyan, 1)
    path = tmp_path / "r.csv"
    path.write_text(f"id,编号,名称,类型,经度,纬度\nfly.1,FX-001,甲福利院,农村福利院,{x},{y}\n", "utf-8")
    (issue,) = [i for i in validate_register(path, region=shiyan).issues if i.code == "column_values_differ"]
    assert "column “编号” holds other values than column “id” (1 rows differ, e.g. row 2: FX-001 and fly.1)" \
        in issue.message_en, issue.message_en
    assert "“编号”列与“id”列的值不同（1 行不同，如第 2 行：FX-001 与 fly.1）" in issue.message_zh


# -- 2. hidden rows and columns of a workbook -------------------------------------------------------------
def _hidden_workbook(path, shiyan, *, hide_total: bool = False):
    """名称,类型,经度,纬度,床位数,备注 with four homes and a totals row; row 3 hidden, 备注 (F) hidden and holding
    a value on row 3, an empty hidden column G (its header only)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "类型", "经度", "纬度", "床位数", "备注", "附注"])
    for k, (_, _, x, y) in enumerate(_homes(shiyan), start=1):
        ws.append([f"房县{k}号福利院", "农村福利院", x, y, 40, "已撤并，待核销" if k == 2 else None, None])
    ws.append(["合计", None, None, None, 160, None, None])
    ws.row_dimensions[3].hidden = True
    if hide_total:
        ws.row_dimensions[6].hidden = True
    ws.column_dimensions["F"].hidden = True
    ws.column_dimensions["G"].hidden = True
    wb.save(path)


ROW_NOTE = ("第 3 行在表格中被隐藏，已照常读入：若该行不应导入，请删除该行后重新上传",
            "row 3 is hidden in the workbook and was read as usual: if it should not be imported, delete the row and "
            "upload again")
COL_NOTE = ("“备注”列（F 列）在表格中被隐藏，但其中有内容：隐藏的列与显示的列一样读取；若该列不应导入，请删除该列后重新上传",
            "column '备注' (column F) is hidden in the workbook but holds values: hidden columns are read like the "
            "others; if it should not be imported, delete the column and upload again")


def test_hidden_rows_and_columns_are_read_and_said(shiyan, tmp_path):
    path = tmp_path / "福利院.xlsx"
    _hidden_workbook(path, shiyan)
    table = read_table(path, header_names=HEADER_NAMES)
    assert table.hidden_lines == [3] and [(h, c) for h, c, _ in table.hidden_columns] == [("备注", "F")]
    assert ROW_NOTE in table.notes and COL_NOTE in table.notes
    assert not any("G 列" in zh for zh, _ in table.notes)  # a hidden column without a value is nothing to say
    rep = validate_register(path, region=shiyan, type_key="welfare_home")
    # hiding is not deleting: the hidden row is imported, the hidden remark read
    assert "房县2号福利院" in rep.accepted["name"].tolist() and len(rep.accepted) == 4
    assert ROW_NOTE in rep.notes and COL_NOTE in rep.notes, rep.notes


def test_a_hidden_totals_row_left_out_is_not_said(shiyan, tmp_path):
    path = tmp_path / "福利院.xlsx"
    _hidden_workbook(path, shiyan, hide_total=True)
    table = read_table(path, header_names=HEADER_NAMES)
    assert table.hidden_lines == [3, 6]
    kept = table.without_rows({6})  # the totals row, taken out by the register
    assert kept.hidden_lines == [3] and ROW_NOTE in kept.notes
    assert not any("3、6" in zh for zh, _ in kept.notes)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_command_line_says_the_hidden_cells(var_dir, capsys, shiyan, tmp_path, lang):
    path = tmp_path / "福利院.xlsx"
    _hidden_workbook(path, shiyan)
    code, out, err = run(capsys, "--lang", lang, "data", "import", "facilities", str(path), "--type", "welfare_home",
                         "--dry-run")
    assert code == 0, err
    k = 0 if lang == "zh" else 1
    said = err + out  # (the reader's notes go to stderr, before the report)
    assert ROW_NOTE[k][1:] in said and COL_NOTE[k][1:] in said, said


# -- 3. one code in scientific notation --------------------------------------------------------------------
def _village_csv(path, shiyan, *, sci_rows=(2,), copy=False):
    """code,lon,lat of six 房县 villages, the codes of ``sci_rows`` (0-based) written 4.20325E+11 (as Excel saves
    one it shows so); ``copy``: the first row again at the end."""
    v = shiyan.villages
    v = v[v["township_code"].astype(str).str[:6] == FANG].iloc[:6]
    rows = [(("4.20325E+11" if k in sci_rows else str(c)), round(g.x, 6), round(g.y, 6))
            for k, (c, g) in enumerate(zip(v.index, v.geometry))]
    if copy:
        rows.append(rows[0])
    path.write_text("统计用区划代码,经度,纬度\n" + "".join(f"{c},{x},{y}\n" for c, x, y in rows), "gbk")
    return rows


def test_a_code_in_scientific_notation_refuses_its_row_only(shiyan, tmp_path):
    path = tmp_path / "villages.csv"
    _village_csv(path, shiyan)
    pts = check_villages(shiyan, path)
    assert len(pts) == 5
    (r,) = pts.attrs["refused"]
    assert r["row"] == 4 and r["code"] == "code_scientific" and r["value"] == "4.20325E+11"
    assert r["column"] == "统计用区划代码"
    assert "scientific notation" in r["message_en"] and "lost its digits" in r["message_en"]
    assert "科学计数法" in r["message_zh"] and "未知" not in r["message_zh"]
    assert "Text" in r["fix_en"] and "文本" in r["fix_zh"]
    # every code so: the whole file, as before (no row can be matched)
    _village_csv(path, shiyan, sci_rows=range(6))
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, path)
    assert "scientific notation by Excel" in e.value.message("en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_region_import_partial_takes_the_other_rows(var_dir, capsys, shiyan, tmp_path, lang):
    path = tmp_path / "villages.csv"
    _village_csv(path, shiyan)
    code, out, err = run(capsys, "--lang", lang, "region", "import", "--villages", str(path), "--partial",
                         "--dry-run")
    assert code == 0, err
    assert ("科学计数法" if lang == "zh" else "scientific notation") in out, out
    assert ("5 of" in out) if lang == "en" else ("5" in out), out
    # without --partial: refused, the row said with the same words
    code, out, err = run(capsys, "--lang", lang, "region", "import", "--villages", str(path))
    assert code == 2, (out, err)
    said = err + out
    assert ("第 4 行" in said and "科学计数法" in said) if lang == "zh" else \
        ("row 4" in said and "scientific notation" in said), said


# -- 4. the counts add up ----------------------------------------------------------------------------------
def test_the_village_counts_name_the_copy_skipped(shiyan, tmp_path):
    path = tmp_path / "villages.csv"
    _village_csv(path, shiyan, copy=True)
    pts = check_villages(shiyan, path)
    read, accepted, refused, skipped = pts.attrs["read"], len(pts), len(pts.attrs["refused"]), len(pts.attrs["skipped"])
    assert (read, accepted, refused, skipped) == (7, 5, 1, 1)
    assert read == accepted + refused + skipped
    assert pts.attrs["skipped_copies"] == 1 and pts.attrs["skipped_summary"] == 0
    zh, en = pts.attrs["notes"][-1]
    assert en == ("row 8 copies an earlier row: skipped (1 row, counted neither as accepted nor as refused): "
                  "7 rows = 5 accepted + 1 refused + 1 skipped")
    assert zh == "第 8 行是重复行，已略过（共 1 行，不计入接受或拒绝的行）：共 7 行 = 接受 5 行 + 拒绝 1 行 + 略过 1 行"
    # said in the report (the web's and the command line's warnings)
    from geo.imports import village_placement_issues
    assert any(i["message_en"] == en for i in village_placement_issues(shiyan, pts))
    # nothing skipped: nothing said
    _village_csv(path, shiyan)
    assert not any("skipped" in en for _, en in check_villages(shiyan, path).attrs["notes"])
