"""QA 31 (fixer F4): a header over two rows, one swapped township polygon, swapped village points read as a
register's are, and two columns of one field whose values differ.

1. A bureau's header over two rows (位置 merged over 乡镇|乡镇代码|经度|纬度, 序号 and 机构名称 merged down over
   both), under a title or not, was read from its lower row: "no name column" and every row "more cells than
   the header (an extra separator)".
2. One township polygon with x and y swapped among good ones was "of (almost) no area (nan m²)".
3. A village file refused a swapped point that a register reads the other way round with a warning.
4. Two 经度 columns with different values were "the same field" (a village file read the first silently).
"""
from __future__ import annotations

import io
import json

import pytest
import shapely

from geo.errors import InputDataError
from geo.imports import CODE_ALIASES, check_townships, check_villages, pick_code_column, village_placement_issues
from geo.tables import read_table
from planner.register_columns import HEADER_NAMES
from tests.accounts import accounts_app, signed_in
from test_qa21_cli import run

HEAD_TOP = ["序号", "机构名称", "位置", None, None, None, "床位数", "建成年份"]
HEAD_LOW = [None, None, "乡镇", "乡镇代码", "经度", "纬度", None, None]
COMBINED = ["序号", "机构名称", "乡镇", "乡镇代码", "经度", "纬度", "床位数", "建成年份"]


def _villages(shiyan, n: int = 3):
    """``n`` villages of 武当路街道: (code, lon, lat) at their points."""
    v = shiyan.villages[shiyan.villages["township_code"].astype(str) == "420302001"].iloc[:n]
    return [(str(c), round(r.geometry.x, 6), round(r.geometry.y, 6)) for c, r in v.iterrows()]


def _bureau_workbook(path, shiyan, *, title: bool):
    """The tester's workbook: (a title row,) a header over two rows with merged cells, three facilities."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    off = 1 if title else 0
    if title:
        ws.cell(1, 1, "十堰市养老机构名录（2024年）")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    for j, (a, b) in enumerate(zip(HEAD_TOP, HEAD_LOW), start=1):
        if a:
            ws.cell(1 + off, j, a)
        if b:
            ws.cell(2 + off, j, b)
    for j in (1, 2, 7, 8):  # merged down over both rows
        ws.merge_cells(start_row=1 + off, start_column=j, end_row=2 + off, end_column=j)
    ws.merge_cells(start_row=1 + off, start_column=3, end_row=1 + off, end_column=6)  # 位置 over four columns
    for k, (c, x, y) in enumerate(_villages(shiyan), start=1):
        ws.append([k, f"第{k}敬老院", "武当路街道", "420302001", x, y, 50 + k, 2000 + k])
    wb.save(path)
    return path


# -- 1. a header over two rows ----------------------------------------------------------------------------
@pytest.mark.parametrize("title", [False, True])
def test_a_two_row_merged_header_is_read_as_one_name_a_column(shiyan, tmp_path, title):
    table = read_table(_bureau_workbook(tmp_path / "r.xlsx", shiyan, title=title), header_names=HEADER_NAMES)
    assert list(table.frame.columns) == COMBINED
    assert table.rows == [3 + title, 4 + title, 5 + title] and len(table.frame) == 3
    a, b = 1 + title, 2 + title
    zh, en = zip(*table.notes)
    assert any(f"表头占第 {a}-{b} 行" in n for n in zh) and any(f"the header spans rows {a}-{b}" in n for n in en)
    assert not any("多于表头的列数" in n for n in zh), zh  # no false "extra separator" note
    assert table.beyond_lines == []


def test_a_register_with_a_two_row_header_has_its_name_column(shiyan, tmp_path):
    from planner.register import validate_register

    rep = validate_register(_bureau_workbook(tmp_path / "r.xlsx", shiyan, title=True), region=shiyan,
                            type_key="welfare_home")
    assert rep.column_map["name"] == "机构名称" and rep.column_map["lon"] == "经度"
    assert rep.column_map["beds"] == "床位数" and rep.column_map["built_year"] == "建成年份"
    assert [i.code for i in rep.issues if i.severity == "error"] == []
    assert sorted(rep.accepted["source_row"]) == [4, 5, 6]


def test_a_csv_whose_second_row_fills_the_first_rows_gaps_is_one_header(shiyan, tmp_path):
    rows = "".join(f"{k},第{k}敬老院,武当路街道,420302001,{x},{y},5{k},200{k}\n"
                   for k, (_, x, y) in enumerate(_villages(shiyan), start=1))
    path = tmp_path / "r.csv"
    path.write_text("序号,机构名称,位置,,,,床位数,建成年份\n,,乡镇,乡镇代码,经度,纬度,,\n" + rows, "utf-8")
    table = read_table(path, header_names=HEADER_NAMES)
    assert list(table.frame.columns) == COMBINED and table.rows == [3, 4, 5]
    assert any("表头占第 1-2 行" in zh for zh, _ in table.notes)
    assert not any("多于表头" in zh for zh, _ in table.notes)


def test_merged_cells_alone_tell_a_two_row_header(tmp_path):
    """Column names no caller knows: the workbook's merged cells tell the two rows one header; the same rows in
    a CSV (no merged cells, no known name) are left as they are."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "单位", "所在", None, "备用"])
    ws.append([None, None, "甲", "乙", None])
    ws.append(["1", "某单位", "一", "二", "三"])
    for col in ("A", "B", "E"):
        ws.merge_cells(f"{col}1:{col}2")
    ws.merge_cells("C1:D1")
    wb.save(tmp_path / "m.xlsx")
    table = read_table(tmp_path / "m.xlsx", header_names=frozenset())
    assert list(table.frame.columns) == ["编号", "单位", "甲", "乙", "备用"] and table.rows == [3]
    (tmp_path / "m.csv").write_text("编号,单位,所在,,备用\n,,甲,乙,\n1,某单位,一,二,三\n", "utf-8")
    assert read_table(tmp_path / "m.csv", header_names=frozenset()).rows == [2, 3]


@pytest.mark.parametrize("text, columns, rows", [
    # a title (one cell) above a header with a blank heading is no upper half
    ("十堰市名录,,,\n名称,类型,,经度\n甲站,day_care,x,110.7\n", ["名称", "类型", "column3", "经度"], [3]),
    # a data row without numbers under a header with a blank heading is data, not a lower half
    ("名称,类型,,乡镇\n甲站,day_care,备注,武当路街道\n", ["名称", "类型", "column3", "乡镇"], [2]),
])
def test_rows_that_are_no_half_of_a_header_stay_as_they_are(tmp_path, text, columns, rows):
    path = tmp_path / "r.csv"
    path.write_text(text, "utf-8")
    table = read_table(path, header_names=HEADER_NAMES)
    assert list(table.frame.columns) == columns and table.rows == rows
    assert not any("表头占" in zh for zh, _ in table.notes)


# -- 2. one township polygon swapped among good ones ------------------------------------------------------
def _townships_file(shiyan, tmp_path, change):
    codes = ["420302001", "420302002", "420302003"]
    feats = []
    for code in codes:
        g = shiyan.townships.loc[code, "geometry"].simplify(0.002)
        if code == codes[1]:
            g = change(g)
        feats.append({"type": "Feature", "properties": {"code": code, "name": shiyan.townships.loc[code, "name"]},
                      "geometry": shapely.geometry.mapping(g)})
    path = tmp_path / "t.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), "utf-8")
    return path


def test_one_township_polygon_with_swapped_axes_is_named_as_swapped(shiyan, tmp_path):
    swap = lambda g: shapely.transform(g, lambda xy: xy[:, ::-1])  # noqa: E731
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, _townships_file(shiyan, tmp_path, swap))
    name = shiyan.townships.loc["420302002", "name"]
    assert f"420302002（{name}，第 2 个要素）" in e.value.zh and "经纬度颠倒" in e.value.zh
    assert "420302002" in e.value.en and "swapped" in e.value.en
    assert "交换所列各面的 x、y 坐标" in e.value.hint_zh and "Swap the x and y" in e.value.hint_en
    assert "nan" not in e.value.message("zh").lower() and "nan" not in e.value.message("en").lower()
    assert "面积为零" not in e.value.zh
    assert e.value.details["swapped_features"] == [{"feature": 2, "code": "420302002", "name": name}]


def test_a_polygon_whose_area_cannot_be_measured_is_never_nan_m2(shiyan, tmp_path):
    beyond = lambda g: shapely.box(110.6, 95.0, 110.7, 95.1)  # noqa: E731  (a latitude beyond 90)
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, _townships_file(shiyan, tmp_path, beyond))
    assert "无法计算面积" in e.value.zh and "cannot be measured" in e.value.en and "420302002" in e.value.zh
    assert "nan" not in e.value.message("zh").lower() and "nan" not in e.value.message("en").lower()


# -- 3. a swapped village point is read the other way round, as a register's ------------------------------
def test_a_swapped_village_point_is_read_back_with_a_warning(shiyan, tmp_path):
    (c1, x1, y1), (c2, x2, y2), (c3, x3, y3) = _villages(shiyan)
    path = tmp_path / "v.csv"
    path.write_text(f"村代码,经度,纬度\n{c1},{x1},{y1}\n{c2},{y2},{x2}\n{c3},{x3},{y3}\n", "utf-8")
    pts = check_villages(shiyan, path)
    assert pts.attrs["refused"] == [] and list(pts["code"]) == [c1, c2, c3]
    assert (float(pts["lon"].iloc[1]), float(pts["lat"].iloc[1])) == (x2, y2)
    (w,) = [i for i in village_placement_issues(shiyan, pts) if i["code"] == "swapped"]
    assert w["row"] == 3 and w["column"] == "经度" and w["severity"] == "warning" and w["fixed"]
    assert w["message_zh"].endswith("已交换后读取") and w["message_en"].endswith("read the other way round")
    assert "此处不自动改正" in w["unfixed_zh"] and "not corrected here" in w["unfixed_en"]
    assert "其他行无误" in w["fix_zh"]


def test_a_swapped_village_point_in_gcj02_is_swapped_back_before_it_is_converted(shiyan, tmp_path):
    import prcoords

    (c1, x1, y1), (c2, x2, y2) = _villages(shiyan, 2)
    g1, g2 = (prcoords.wgs_gcj(prcoords.Coords(lat=y, lon=x)) for x, y in ((x1, y1), (x2, y2)))
    path = tmp_path / "v.csv"
    path.write_text(f"code,lon,lat\n{c1},{g1.lon},{g1.lat}\n{c2},{g2.lat},{g2.lon}\n", "utf-8")
    pts = check_villages(shiyan, path, coords="gcj02")
    assert [i["row"] for i in pts.attrs["corrected"]] == [3]
    assert abs(float(pts["lon"].iloc[1]) - x2) < 1e-5 and abs(float(pts["lat"].iloc[1]) - y2) < 1e-5


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa31f4"), (("city", "planner", None),))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_the_web_upload_treats_a_swapped_village_as_a_swapped_facility(web, shiyan):
    c = signed_in(web, "city")
    (c1, x1, y1), (c2, x2, y2) = _villages(shiyan, 2)

    def post(kind, body):
        return c.post("/api/data/uploads?lang=zh", data={"kind": kind, "coords": "wgs84",
                                                         "file": (io.BytesIO(body.encode()), "f.csv")},
                      content_type="multipart/form-data").get_json()
    vil = post("villages", f"code,lon,lat\n{c1},{x1},{y1}\n{c2},{y2},{x2}\n")
    fac = post("facilities", f"名称,类型,经度,纬度\n甲站,day_care,{x1},{y1}\n乙站,day_care,{y2},{x2}\n")
    for rep in (vil, fac):
        assert rep["counts"]["accepted"] == 2 and rep["counts"]["refused"] == 0, rep
    got = [[(i["row"], i["severity"], i["message"]) for i in rep["issues"] if i["code"] == "swapped"]
           for rep in (vil, fac)]
    assert got[0] == got[1] == [(3, "warning", f"经纬度似乎写反了（经度 {y2}，纬度 {x2}），已交换后读取")]
    assert c.post(f"/api/data/uploads/{vil['upload_id']}/confirm").status_code == 200


def test_the_cli_takes_a_swapped_village_with_partial_as_a_swapped_facility(var_dir, shiyan, tmp_path, capsys):
    (c1, x1, y1), (c2, x2, y2) = _villages(shiyan, 2)
    vil = tmp_path / "v.csv"
    vil.write_text(f"code,经度,纬度\n{c1},{x1},{y1}\n{c2},{y2},{x2}\n", "utf-8")
    fac = tmp_path / "f.csv"
    fac.write_text(f"名称,类型,经度,纬度\n甲站,day_care,{x1},{y1}\n乙站,day_care,{y2},{x2}\n", "utf-8")
    said = []
    for kind, path in (("villages", vil), ("facilities", fac)):
        code, out, err = run(capsys, "--lang", "en", "data", "import", kind, str(path))
        assert code == 2 and "Traceback" not in err
        said.append(err[err.index("[error] row 3"):].split(";")[0])
    assert said[0] == said[1] and "look swapped" in said[0] and "not corrected here" in said[0]
    code, out, err = run(capsys, "data", "import", "villages", str(vil), "--partial", "--json")
    assert code == 0, err
    from geo.datasets import DatasetStore

    v = DatasetStore(var_dir / "proposals.sqlite", region="shiyan").region().villages
    assert (round(v.loc[c2, "geometry"].x, 6), round(v.loc[c2, "geometry"].y, 6)) == (x2, y2)


# -- 4. two columns of one field whose values differ ------------------------------------------------------
def test_two_longitude_columns_with_different_values_refuse_a_village_file(shiyan, tmp_path):
    pts = _villages(shiyan)
    path = tmp_path / "v.csv"
    path.write_text("村代码,经度,纬度,经度\n" + "".join(f"{c},{x},{y},111.0\n" for c, x, y in pts), "utf-8")
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, path)
    x = pts[0][1]
    assert f"第 2 个“经度”列与第 1 个“经度”列的值不同（3 行不同，如第 2 行：111.0 与 {x}）" in e.value.zh
    assert "同一项" not in e.value.zh and "无法判断应读取哪一列" in e.value.zh
    assert "hold different values (3 rows differ, e.g. row 2" in e.value.en and "cannot be told" in e.value.en
    # lon beside 经度, differing: the same
    path.write_text("code,lon,lat,经度\n" + "".join(f"{c},{x},{y},111.0\n" for c, x, y in pts), "utf-8")
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, path)
    assert "“经度”列与“lon”列的值不同" in e.value.zh
    # a copy of the column (the same numbers written otherwise) is read
    path.write_text("村代码,经度,纬度,经度\n" + "".join(f"{c},{x},{y},{x}0\n" for c, x, y in pts), "utf-8")
    assert len(check_villages(shiyan, path)) == 3


def test_the_cells_two_columns_differ_in_are_named(tmp_path):
    import pandas as pd

    from geo.tables import COLUMNS_DIFFER, differing_cells

    frame = pd.DataFrame({"经度": ["110.5", "110.6", "", "110.8"], "经度.2": ["110.50", "111", "111", ""]})
    assert differing_cells(frame, [2, 3, 4, 5], "经度", "经度.2") == [(3, "110.6", "111"), (4, "", "111")]
    text = COLUMNS_DIFFER["zh"].format(what="第 2 个“经度”列", used="第 1 个“经度”列", n=2, row=3, a="110.6", b="111")
    assert text == "第 2 个“经度”列与第 1 个“经度”列的值不同（2 行不同，如第 3 行：111 与 110.6），只读取了第 1 个“经度”列"


@pytest.mark.parametrize("column", ["乡镇编码", "乡镇（街道）编码", "乡镇(街道)代码", "所属乡镇代码"])
def test_a_township_code_column_as_bureaus_head_it(column):
    import pandas as pd

    frame = pd.DataFrame({"名称": ["武当路街道"], column: ["420302001"]})
    assert pick_code_column(frame, CODE_ALIASES, (9, 12)) == column


def test_a_registers_second_column_with_other_values_is_said_to_differ(shiyan, tmp_path):
    from planner.register import validate_register

    (_, x, y), = _villages(shiyan, 1)
    path = tmp_path / "r.csv"
    path.write_text(f"名称,类型,经度,纬度,经度\n甲站,day_care,{x},{y},111.0\n乙站,day_care,{x},{y},{x}\n", "utf-8")
    rep = validate_register(path, region=shiyan)
    (issue,) = [i for i in rep.issues if i.code in ("column_values_differ", "column_shadowed")]
    assert issue.code == "column_values_differ" and issue.severity == "warning"
    assert issue.message_zh == (f"第 2 个“经度”列与第 1 个“经度”列的值不同（1 行不同，如第 2 行：111.0 与 {x}），"
                                "只读取了第 1 个“经度”列")
    assert "holds other values than the first" in issue.message_en and "同一项" not in issue.message_zh
    assert "删去或重命名另一列" in issue.fix_zh and "Check which column is right" in issue.fix_en


def test_an_unmerged_group_cell_over_an_unknown_name_keeps_the_header_whole(shiyan, tmp_path):
    """Round 2: 服务 (not merged) over 日均服务人次, a name the reader does not know, beside columns merged down over
    both rows, refused the whole file ("no name column"): the cells merged down tell the two rows are one header."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.cell(1, 1, "十堰市老年助餐服务点名录")
    ws.merge_cells("A1:G1")
    for j, (a, b) in enumerate([("序号", ""), ("机构名称", ""), ("位置", "经度"), ("", "纬度"), ("所属区划", "县区"),
                                ("", "乡镇"), ("服务", "日均服务人次")], start=1):
        ws.cell(2, j, a or None)
        ws.cell(3, j, b or None)
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:D2")
    ws.merge_cells("E2:F2")
    for k, (_, x, y) in enumerate(_villages(shiyan), start=1):
        ws.append([k, f"第{k}助餐点", x, y, "茅箭区", "武当路街道", 30 + k])
    path = tmp_path / "meal.xlsx"
    wb.save(path)
    table = read_table(path, header_names=HEADER_NAMES)
    assert list(table.frame.columns) == ["序号", "机构名称", "经度", "纬度", "县区", "乡镇", "日均服务人次"]
    assert table.rows == [4, 5, 6]
