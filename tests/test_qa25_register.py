"""QA 25 (b): what a tester saw importing a facility register, each fixed with a test of the outcome.

1. The planner's own capacity column (容量 -> 实际入住床位) was shown on the mapping card but not used: the
   column 核定床位数, recognised by its header as beds, was read all the same. A capacity mapped to "" read a
   recognised capacity column all the same.
2. The 422 "needs mapping" answer named only ``type`` as missing for a file with no name column either;
   once the type was chosen, every row was refused for the name column.
3. An ambiguous township (城关镇) in a row with an empty 村 cell was reported in the 村 column.
4. A 县区 cell that contradicts the row's 乡镇代码 (and its point) said nothing; without the code it warned.
5. A GeoJSON feature at [NaN, 32.5] was said to have no coordinates and no place names.
"""
from __future__ import annotations

import io
import json

import pytest

from geo.errors import InputDataError
from planner.register import validate_register
from test_qa20_cli import var  # noqa: F401  (an empty data store of its own, a fixture)

# a welfare home per row with both its approved beds (核定床位数) and its beds in use (实际入住床位)
TWO_BEDS = ("编号,名称,设施类型,乡镇代码,经度,纬度,核定床位数,实际入住床位\n"
            "FLY001,茅塔乡中心福利院,农村福利院,420302201,110.837015,32.492510,60,30\n"
            "FLY002,黄龙镇中心福利院,农村福利院,420303100,110.511294,32.690120,65,32\n"
            "FLY003,柏林镇中心福利院,农村福利院,420303101,110.777979,32.690880,70,35\n")


def _by_row(report):
    return report.accepted.set_index("source_row")


# -- 1. the mapped capacity column is the one read ------------------------------------------------------------------
def test_a_mapped_capacity_column_wins_over_a_recognised_beds_column(shiyan, tmp_path):
    p = tmp_path / "twobeds.csv"
    p.write_text(TWO_BEDS, encoding="utf-8")
    plain = validate_register(p, region=shiyan)
    assert plain.column_map["beds"] == "核定床位数" and _by_row(plain)["beds"].tolist() == [60, 65, 70]
    rep = validate_register(p, region=shiyan, column_map={"capacity": "实际入住床位"})
    assert _by_row(rep)["beds"].tolist() == [30, 32, 35]
    # the mapping used says so (no "核定床位数 -> 床位数" beside it), and the column passed over is named
    assert rep.column_map.get("capacity") == "实际入住床位" and "beds" not in rep.column_map
    said = [i for i in rep.issues if i.code == "capacity_column_superseded"]
    assert len(said) == 1 and said[0].row is None and said[0].severity == "warning"
    assert "“核定床位数”" in said[0].message_zh and "“实际入住床位”" in said[0].message_zh
    assert "'核定床位数'" in said[0].message_en and "'实际入住床位'" in said[0].message_en
    # the approved beds stay in the register as the file has them
    assert _by_row(rep)["核定床位数"].astype(int).tolist() == [60, 65, 70]
    assert not rep.refused_rows
    # both mapped by hand: the beds column is the beds (the more specific field), nothing said
    both = validate_register(p, region=shiyan, column_map={"capacity": "实际入住床位", "beds": "核定床位数"})
    assert _by_row(both)["beds"].tolist() == [60, 65, 70]
    assert not [i for i in both.issues if i.code == "capacity_column_superseded"]


def test_a_capacity_mapped_to_nothing_reads_no_capacity(shiyan, tmp_path):
    p = tmp_path / "twobeds.csv"
    p.write_text(TWO_BEDS, encoding="utf-8")
    rep = validate_register(p, region=shiyan, column_map={"capacity": ""})
    assert "beds" not in rep.column_map and "capacity" not in rep.column_map
    assert "beds" not in rep.accepted.columns or rep.accepted["beds"].isna().all()
    assert _by_row(rep)["核定床位数"].astype(int).tolist() == [60, 65, 70]  # kept as the file has it
    # a field mapped to "" is none, even where a header names it: 设施类型 is then not the type
    with pytest.raises(InputDataError) as e:
        validate_register(p, region=shiyan, column_map={"type": ""})
    assert "type" in e.value.details["missing"]


def test_the_mapped_capacity_is_used_through_the_recheck(client, var, tmp_path):  # noqa: F811
    r = client.post("/api/data/uploads?lang=zh", content_type="multipart/form-data",
                    data={"kind": "facilities", "coords": "wgs84",
                          "file": (io.BytesIO(TWO_BEDS.encode()), "twobeds.csv")})
    assert r.status_code == 200, r.data[:300]
    uid = r.get_json()["upload_id"]
    first = r.get_json()["columns"]
    assert first.get("beds") == "核定床位数"
    from web.data import MAPPABLE

    cmap = {k: v for k, v in first.items() if k in MAPPABLE}  # as the mapping card sends it (no beds field there)
    again = client.post(f"/api/data/uploads/{uid}/recheck?lang=en", json={"column_map": {**cmap, "capacity": "实际入住床位"}})
    assert again.status_code == 200, again.data[:300]
    body = again.get_json()
    assert body["columns"].get("capacity") == "实际入住床位" and "beds" not in body["columns"]
    assert any(i["code"] == "capacity_column_superseded" for i in body["issues"])


# -- 2. a file without a name column says so in the mapping answer ---------------------------------------------------
WRONG_COLS = ("ID,Facility,Kind,Town,X,Y,Addr,Beds\n"
              "FLY001,茅塔乡中心福利院,农村福利院,420302201,110.837015,32.492510,茅箭区茅塔乡人民路1号,60\n"
              "FLY002,黄龙镇中心福利院,农村福利院,420303100,110.511294,32.690120,张湾区黄龙镇人民路2号,65\n")


def test_a_file_without_a_name_column_names_it_missing(shiyan, tmp_path):
    p = tmp_path / "wrong_cols.csv"
    p.write_text(WRONG_COLS, encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(p, region=shiyan)
    assert e.value.details["missing"] == ["type", "name"]
    assert "名称" in e.value.message("zh") and "names" in e.value.message("en")
    # with the name column mapped, only the type is missing
    with pytest.raises(InputDataError) as e:
        validate_register(p, region=shiyan, column_map={"name": "Facility"})
    assert e.value.details["missing"] == ["type"]
    # no place column either: the name is named beside lon/lat
    q = tmp_path / "noplace.csv"
    q.write_text("Facility,Kind\n甲,农村福利院\n", encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(q, region=shiyan)
    assert e.value.details["missing"] == ["lon", "lat", "name"]


def test_the_mapping_answer_stars_the_name(client, var):  # noqa: F811
    r = client.post("/api/data/uploads?lang=zh", content_type="multipart/form-data",
                    data={"kind": "facilities", "coords": "wgs84",
                          "file": (io.BytesIO(WRONG_COLS.encode()), "wrong_cols.csv")})
    assert r.status_code == 422 and r.get_json()["needs_mapping"], r.data[:300]
    assert set(r.get_json()["missing"]) == {"type", "name"}


# -- 3. an ambiguous township is said in the township column ---------------------------------------------------------
def test_an_ambiguous_township_is_said_in_its_own_column(shiyan, tmp_path):
    p = tmp_path / "amb.csv"
    p.write_text("名称,村,乡镇,县区,床位数\n城关敬老院,,城关镇,,30\n", encoding="utf-8")
    rep = validate_register(p, region=shiyan, type_key="welfare_home")
    amb = [i for i in rep.issues if i.code == "ambiguous"]
    assert len(amb) == 1 and amb[0].column == "乡镇" and amb[0].value == "城关镇", rep.issues
    assert len(amb[0].candidates) > 1
    # with a point, the warning that the point settles none of them is in the township column too
    far = tmp_path / "amb_xy.csv"
    far.write_text("名称,村,乡镇,经度,纬度\n城关敬老院,,城关镇,110.837015,32.492510\n", encoding="utf-8")
    rep = validate_register(far, region=shiyan, type_key="welfare_home")
    said = [i for i in rep.issues if i.code == "names_unmatched"]
    assert said and all(i.column == "乡镇" for i in said)


# -- 4. a county that contradicts the row's township code --------------------------------------------------------------
def test_a_county_against_the_township_code_is_warned(shiyan, tmp_path):
    p = tmp_path / "county.csv"
    p.write_text("名称,县区,乡镇代码,经度,纬度\n"
                 "黄龙镇中心福利院,房县,420303100,110.511294,32.690120\n"
                 "黄龙镇福利院乙,房县,,110.521294,32.690120\n"
                 "黄龙镇福利院丙,张湾区,420303100,110.515294,32.690120\n", encoding="utf-8")
    rep = validate_register(p, region=shiyan, type_key="welfare_home")
    warned = {i.row: i for i in rep.issues if i.code == "county_disagrees"}
    assert set(warned) == {2, 3}, rep.issues  # the row whose county is the code's: nothing
    assert all(i.severity == "warning" and i.column == "县区" for i in warned.values())
    assert "420303100" in warned[2].message_zh and "张湾区·黄龙镇" in warned[2].message_zh
    assert "房县" in warned[2].message_zh and "'房县'" in warned[2].message_en
    assert "Zhangwan" in warned[2].message_en and "township code" in warned[2].message_en
    assert "与坐标不符" in warned[3].message_zh
    assert not rep.refused_rows and _by_row(rep).loc[2, "township_code"] == "420303100"


def test_a_county_against_the_code_of_a_row_without_coordinates_is_warned(shiyan, tmp_path):
    p = tmp_path / "county_nopoint.csv"
    p.write_text("名称,县区,乡镇代码,村代码\n"
                 "甲,房县,420303100,\n乙,张湾区,420303100,\n丙,房县,,420303100201\n丁,Fang County,420325100,\n",
                 encoding="utf-8")
    rep = validate_register(p, region=shiyan, type_key="welfare_home")
    warned = {i.row: i for i in rep.issues if i.code == "county_disagrees"}
    assert set(warned) == {2, 4}, rep.issues  # 张湾区 and Fang County are their codes' counties
    assert "乡镇代码“420303100”" in warned[2].message_zh and "区划代码“420303100201”" in warned[4].message_zh
    assert all(i.severity == "warning" and i.column == "县区" for i in warned.values())
    assert not rep.refused_rows and set(rep.accepted["township_code"]) == {"420303100", "420325100"}


# -- 5. a GeoJSON point that is not a number ----------------------------------------------------------------------------
def test_a_geojson_point_of_nan_is_said_not_a_number(shiyan, tmp_path):
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [NAN_TOKEN, 32.5]},
              "properties": {"名称": "柏林镇中心福利院", "设施类型": "农村福利院", "床位数": 70}},
             {"type": "Feature", "geometry": {"type": "Point", "coordinates": [110.612457, INF_TOKEN]},
              "properties": {"名称": "方滩乡中心福利院", "设施类型": "农村福利院", "床位数": 75}},
             {"type": "Feature", "geometry": {"type": "Point", "coordinates": [110.581223, 32.564083]},
              "properties": {"名称": "西沟乡中心福利院", "设施类型": "农村福利院", "床位数": 80}}]
    p = tmp_path / "bad.geojson"
    text = json.dumps({"type": "FeatureCollection", "features": feats})
    p.write_text(text.replace(f'"{NAN_TOKEN}"', "NaN").replace(f'"{INF_TOKEN}"', "Infinity"), encoding="utf-8")
    rep = validate_register(p, region=shiyan)
    by = {i.row: i for i in rep.issues if i.row is not None}
    assert by[1].code == "non_numeric" and by[1].severity == "error", rep.issues
    assert "经度“NaN”不是有效的坐标" in by[1].message_zh and "longitude 'NaN' is not a number" in by[1].message_en
    assert by[2].code == "non_numeric" and "纬度“Infinity”" in by[2].message_zh
    assert not [i for i in rep.issues if i.code == "no_location"]
    assert sorted(rep.refused_rows) == [1, 2] and len(rep.accepted) == 1


NAN_TOKEN, INF_TOKEN = "@@NAN@@", "@@INF@@"
