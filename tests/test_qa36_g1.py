"""QA 36 (fixer QA36-G1): area codes read as they are written, in village and township files and in registers.

1. A village file's code of 13 digits (4203020010027) or with a suffix (420302001003-1) was cut to 12 and taken as
   another village without a word; a township file's 4203020017 or 420302001001 was cut to 9 and taken as 420302001.
   Such rows (features) are refused, the cell quoted as written with its digits counted; a township file's 12
   digits ending in 000 are still the township's code.
2. A register's 村代码 was matched by its first 12 or 9 characters: 420302001999 (no such village) was put at its
   township's seat and 4203020010011 / 420302001001-1 at village 420302001001, all without a word. A code of other
   digits refuses its row naming the cell; 12 digits of no village whose first 9 are a township's put the row at the
   seat with a warning and the township's villages to pick from.
3. Full-width codes (４２０３０２００１００１, as a Chinese input method types them) were unknown in village and township
   files: read as their digits, quoted as typed where refused.
4. A register's 村代码 column of codes Excel wrote in scientific notation (4.20303E+11) was taken for facility
   numbers: "no column to place the facilities by", or "id '4.20303E+11' repeats row 2"; now each row is told its
   code lost its digits.
5. A zipped Shapefile without its .shx or .dbf was refused with GDAL's English (or "no code column"); a damaged
   member where a .cpg is looked for raised uncaught; a village file without a code column was told of township
   codes.
"""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest

from geo.errors import InputDataError
from geo.imports import check_townships, check_villages
from planner.locate import PlaceIndex
from planner.register import validate_register

VILLAGE = "420302001001"  # 茅箭区·武当路街道·顾家岗社区居委会
TOWN = "420302001"        # 茅箭区·武当路街道 (its 11 villages: 420302001001 ... 008, 200 ... 202)


def _point(region, code: str) -> str:
    g = region.villages.loc[code].geometry
    return f"{g.x!r},{g.y!r}"


def _villages(region, tmp_path: Path, rows, name: str = "村点位.csv"):
    """check_villages of a CSV ``code,lon,lat`` whose rows are (code cell, village whose point it takes)."""
    f = tmp_path / name
    f.write_text("code,lon,lat\n" + "".join(f"{c},{_point(region, v)}\n" for c, v in rows), encoding="utf-8")
    return check_villages(region, f)


def _townships(region, tmp_path: Path, codes) -> Path:
    """A GeoJSON of 武当路街道's and 东城街道's boundaries under ``codes``."""
    shapes = region.townships.loc[[TOWN, "420302002"]].geometry.values
    f = tmp_path / "乡镇.geojson"
    gpd.GeoDataFrame({"code": list(codes), "name": ["武当路街道", "东城街道"]}, geometry=shapes,
                     crs="EPSG:4326").to_file(f, driver="GeoJSON")
    return f


def _register(region, tmp_path: Path, text: str, **kw):
    f = tmp_path / "名录.csv"
    f.write_text(text, encoding="utf-8")
    return validate_register(f, region=region, **kw)


def _by_row(rep) -> dict:
    return {i.row: i for i in rep.issues if i.row is not None}


# -- 1 and 3: village and township files ------------------------------------------------------------------------------

def test_a_village_code_of_other_digits_refuses_its_row_quoting_the_cell(shiyan, tmp_path):
    out = _villages(shiyan, tmp_path, [(VILLAGE, VILLAGE), ("4203020010027", "420302001002"),
                                       ("420302001003-1", "420302001003"), ("4203020010052", "420302001005"),
                                       ("420302001", "420302001006")])
    assert out["code"].tolist() == [VILLAGE]  # none of the others taken as 420302001002, 003, 005 (or as anything)
    refused = {r["row"]: r for r in out.attrs["refused"]}
    assert sorted(refused) == [3, 4, 5, 6]
    assert {r["code"] for r in refused.values()} == {"malformed_code"}
    assert refused[3]["value"] == "4203020010027" and refused[3]["column"] == "code"
    assert "'4203020010027' has 13 digits" in refused[3]["message_en"]
    assert "“4203020010027”有 13 位数字" in refused[3]["message_zh"]
    assert "a village's code is 12 digits" in refused[3]["message_en"] and "应为12位数字" in refused[3]["message_zh"]
    assert "row 3" in refused[3]["fix_en"] and "第 3 行" in refused[3]["fix_zh"]
    assert "has 13 digits and other characters ('-')" in refused[4]["message_en"]
    assert "有 13 位数字及其他字符（“-”）" in refused[4]["message_zh"]
    # 4203020010052 was refused as "unknown village code 420302001005", a code the file does not hold
    assert "'4203020010052' has 13 digits" in refused[5]["message_en"] and "420302001005 " not in refused[5]["message_en"]
    assert "9 digits (a township's code)" in refused[6]["message_en"] and "是乡镇代码" in refused[6]["message_zh"]


def test_a_village_file_of_full_width_codes_is_read_by_their_digits(shiyan, tmp_path):
    out = _villages(shiyan, tmp_path, [("４２０３０２００１００１", VILLAGE), ("420302001002", "420302001002"),
                                       ("４２０３０２００１９９９", "420302001003")])
    assert out["code"].tolist() == [VILLAGE, "420302001002"]
    (unknown,) = out.attrs["refused"]
    assert unknown["code"] == "unknown_code" and unknown["value"] == "４２０３０２００１９９９"  # quoted as typed
    assert "unknown village code ４２０３０２００１９９９" in unknown["message_en"]


def test_a_village_file_of_malformed_codes_only_is_no_register_given_as_villages(shiyan, tmp_path):
    with pytest.raises(InputDataError) as e:
        _villages(shiyan, tmp_path, [("4203020010027", "420302001002"), ("420302001003-1", "420302001003")])
    assert "no row can be imported" in e.value.en and "'4203020010027' has 13 digits" in e.value.en
    assert "没有可导入的行" in e.value.zh and "Is this a village file" not in e.value.en


@pytest.mark.parametrize("cell,said_en,said_zh", [
    ("4203020017", "'4203020017' has 10 digits", "“4203020017”有 10 位数字"),
    ("420302001001", "'420302001001' has 12 digits not ending in 000 (a village's code)", "末3位不是000"),
    ("420302001-1", "'420302001-1' has 10 digits and other characters ('-')", "其他字符（“-”）"),
])
def test_a_township_code_of_other_digits_is_refused_not_cut_to_nine(shiyan, tmp_path, cell, said_en, said_zh):
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, _townships(shiyan, tmp_path, [cell, "420302002"]))
    assert "1 feature(s) whose code is no township code" in e.value.en and said_en in e.value.en
    assert "feature 1 (武当路街道)" in e.value.en and "第 1 个要素（武当路街道）" in e.value.zh
    assert "不是乡镇代码" in e.value.zh and said_zh in e.value.zh
    assert "9-digit NBS code" in e.value.hint_en and "9位统计用区划代码" in e.value.hint_zh
    assert e.value.details["malformed_codes"] == [{"feature": 1, "code": cell, "name": "武当路街道"}]
    assert "unknown" not in e.value.details  # not also called an unknown code


def test_a_township_file_takes_twelve_digits_ending_in_000_and_full_width_codes(shiyan, tmp_path):
    out = check_townships(shiyan, _townships(shiyan, tmp_path, ["420302001000", "４２０３０２００２"]))
    assert out["code"].tolist() == [TOWN, "420302002"]
    with pytest.raises(InputDataError) as e:  # an unknown one quoted as typed, compared as its digits
        check_townships(shiyan, _townships(shiyan, tmp_path, ["４２０３０２９９９", "420302002"]))
    assert "1 unknown township code(s): ４２０３０２９９９ (feature 1, 武当路街道)" in e.value.en
    assert "未知的乡镇代码：４２０３０２９９９" in e.value.zh and e.value.details["unknown"] == ["420302999"]


# -- 2 and 4: registers ------------------------------------------------------------------------------------------------

def test_a_register_village_code_is_matched_as_it_is(shiyan, tmp_path):
    rep = _register(shiyan, tmp_path, "名称,类型,村代码\n甲,mutual_aid,420302001999\n乙,mutual_aid,4203020010011\n"
                                      "丙,mutual_aid,420302001001-1\n丁,mutual_aid,４２０３０２００１００２\n"
                                      "戊,mutual_aid,420302001000\n")
    rows = _by_row(rep)
    seat = rows[2]
    assert seat.severity == "warning" and seat.code == "village_code_unknown" and seat.column == "村代码"
    assert "unknown village code '420302001999'" in seat.message_en and "placed at its township's seat" in seat.message_en
    assert "未知的村（社区）代码“420302001999”" in seat.message_zh and "乡镇驻地：茅箭区·武当路街道" in seat.message_zh
    # the township's villages to pick from (the register's candidates)
    assert [c["code"] for c in seat.candidates] == sorted(
        shiyan.villages.index[shiyan.villages["township_code"] == TOWN]) and len(seat.candidates) == 11
    for row, value, en, zh in ((3, "4203020010011", "has 13 digits", "有 13 位数字"),
                               (4, "420302001001-1", "has 13 digits and other characters ('-')", "其他字符（“-”）")):
        issue = rows[row]
        assert issue.severity == "error" and issue.code == "malformed_area_code" and issue.value == value
        assert f"村代码 '{value}' {en}" in issue.message_en and f"村代码“{value}”" in issue.message_zh and zh in issue.message_zh
        assert "12-digit village NBS code" in issue.fix_en and "12位村（社区）统计用区划代码" in issue.fix_zh
    assert rep.refused_rows == [3, 4]
    acc = rep.accepted.set_index("name")
    assert acc.loc["甲", "match"] == "茅箭区·武当路街道"  # the seat, said above
    assert acc.loc["丁", "match"] == "茅箭区·武当路街道·龚家湾社区居委会"  # the full-width code is 420302001002
    assert acc.loc["戊", "match"] == "茅箭区·武当路街道" and 5 not in rows  # the township's own code, no warning
    town = shiyan.townships.loc[TOWN]
    assert acc.loc["甲"].geometry.x == pytest.approx(town["seat_lon"])
    # one of them picked places the row there
    rep = _register(shiyan, tmp_path, "名称,类型,村代码\n甲,mutual_aid,420302001999\n", picks={"2": "420302001003"})
    assert rep.accepted["match"].tolist() == ["茅箭区·武当路街道·路北社区居委会"]


def test_a_register_row_with_a_point_and_an_unknown_village_code_is_warned(shiyan, tmp_path):
    rep = _register(shiyan, tmp_path, f"名称,类型,村代码,lon,lat\n甲,mutual_aid,420302001999,{_point(shiyan, VILLAGE)}\n")
    (issue,) = [i for i in rep.issues if i.row == 2]
    assert issue.severity == "warning" and issue.code == "village_code_unknown" and issue.value == "420302001999"
    assert "placed by its coordinates" in issue.message_en and "按坐标定位" in issue.message_zh
    assert rep.accepted["township_code"].tolist() == [TOWN]



def test_place_index_matches_a_code_only_as_it_is(shiyan):
    places = PlaceIndex(shiyan)
    assert places.locate(code="４２０３０２００１００２").code == "420302001002"
    for code in ("4203020010011", "420302001001-1", "4203020011"):
        assert places.locate(code=code).status == "unmatched", code
    seat = places.locate(code="420302001999")
    assert (seat.status, seat.level, seat.code, seat.problem) == ("placed", "township", TOWN, "village_code_unknown")


@pytest.mark.parametrize("coords", [False, True])
def test_a_register_code_column_excel_made_scientific_is_said_so(shiyan, tmp_path, coords):
    xy = ",lon,lat" if coords else ""
    pt = f",{_point(shiyan, VILLAGE)}" if coords else ""
    rep = _register(shiyan, tmp_path, f"名称,类型,村代码{xy}\n甲,mutual_aid,4.20303E+11{pt}\n乙,mutual_aid,4.20303E+11{pt}\n")
    rows = _by_row(rep)
    assert sorted(rows) == [2, 3]
    for issue in rows.values():  # not "no column to place the facilities by", nor "id '4.20303E+11' repeats row 2"
        assert issue.code == "code_scientific" and issue.column == "村代码"
        assert "scientific notation" in issue.message_en and "科学计数法" in issue.message_zh
    assert "村代码" in rep.column_map.values() and rep.column_map.get("code") == "村代码"


# -- 5: zipped Shapefiles, the code column's hint ------------------------------------------------------------------

def _village_shapefile(region, folder: Path) -> Path:
    folder.mkdir()
    pts = region.villages.loc[[VILLAGE, "420302001002"]]
    gpd.GeoDataFrame({"code": list(pts.index)}, geometry=pts.geometry.values, crs="EPSG:4326").to_file(
        folder / "村.shp", encoding="utf-8")
    (folder / "村.cpg").write_text("UTF-8")
    return folder


@pytest.mark.parametrize("missing", [".shx", ".dbf"])
def test_a_zipped_shapefile_without_its_shx_or_dbf_is_said_so(shiyan, tmp_path, missing):
    folder = _village_shapefile(shiyan, tmp_path / "layer")
    z = tmp_path / "村点位.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in folder.iterdir():
            if f.suffix != missing:
                zf.write(f, f.name)
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, z)
    assert e.value.en == f"村点位.zip: 村.shp comes without its {missing} file."
    assert f"村.shp 缺少同名的 {missing} 文件" in e.value.zh and "SHAPE_RESTORE_SHX" not in e.value.en
    assert ".shx, .dbf" in e.value.hint_en


def test_a_damaged_member_where_the_cpg_is_looked_for_is_no_crash(shiyan, tmp_path):
    folder = _village_shapefile(shiyan, tmp_path / "layer")
    z = tmp_path / "村点位.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in folder.iterdir():
            if f.suffix == ".cpg":
                zf.writestr(f.name, b"UTF-8" * 40)
            else:
                zf.write(f, f.name)
        info = zf.getinfo("村.cpg")
    raw = bytearray(z.read_bytes())
    start = info.header_offset + 30 + sum(struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30]))
    raw[start:start + info.compress_size] = bytes(b ^ 0x5A for b in raw[start:start + info.compress_size])
    z.write_bytes(bytes(raw))
    out = check_villages(shiyan, z)  # the .cpg cannot be read: the layer is read as without one
    assert out["code"].tolist() == [VILLAGE, "420302001002"]


def test_a_village_layer_without_a_code_column_is_asked_for_village_codes(shiyan, tmp_path):
    pts = shiyan.villages.loc[[VILLAGE]]
    f = tmp_path / "村点位.geojson"
    gpd.GeoDataFrame({"备注": ["x"]}, geometry=pts.geometry.values, crs="EPSG:4326").to_file(f, driver="GeoJSON")
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, f)
    assert "no code column" in e.value.en
    assert "villages' 12-digit codes" in e.value.hint_en and "township" not in e.value.hint_en
    assert "村（社区）12位统计用区划代码" in e.value.hint_zh and "乡镇" not in e.value.hint_zh
