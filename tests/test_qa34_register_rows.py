"""QA 34 (fixer F11): a bureau's own register checked on the Data page, row by row.

1. Two rows of one name, type and county far apart (房县中坝乡福利院, 60 and 50 beds, 5.8 km) were both imported without
   a word: each now names the other, the distance and the cells they differ by (a warning; both are imported).
2. A row without coordinates placed by a misspelt township (军店真 -> 房县·军店镇) had no line in the report, and moved the
   facility it stands for: a loose match is a warning naming the cell and the place, an exact one a note line, and a
   row placed by name that moves a current facility says how far.
3. A file missing only its name column (the type chosen in the form) was "accepted 0 · refused 20": it is now a
   whole-file error naming the name as missing, which the web answers with its column-mapping card.
4. A row refused for its empty name at a current facility's exact point removed that facility: it now keeps it.
5. An invalid capacity cell (1e999, -5, nan, inf, 12.7 beds) wiped the known beds of the facility a row stands for:
   that facility keeps them, and the warning says so; a new facility's capacity stays unknown.
6. The English report of a picked place said the Chinese path.
7. The data store's "too many facilities" said the type's key (day_care): it says the type's name.
"""
from __future__ import annotations

import copy
import io

import numpy as np
import pytest

from geo.crs import lonlat_to_metric
from geo.errors import InputDataError
from planner.register import validate_register

FANG = "420325"
HEAD = "名称,类型,经度,纬度,床位,所在乡镇"
TOWNS = ("城关镇", "军店镇", "土城镇", "中坝乡", "白鹤镇")
BEDS = {"城关镇": 80, "军店镇": 100, "土城镇": 60, "中坝乡": 70, "白鹤镇": 90}


def table(rows: list, head: str = HEAD) -> bytes:
    return ("\n".join([head] + [",".join(str(c) for c in r) for r in rows]) + "\n").encode("utf-8")


def xy(p) -> list[str]:
    return [f"{p[0]:.7f}", f"{p[1]:.7f}"]


def metres(p, q) -> float:
    x, y = lonlat_to_metric(np.array([p[0], q[0]]), np.array([p[1], q[1]]))
    return float(np.hypot(x[1] - x[0], y[1] - y[0]))


@pytest.fixture(scope="module")
def fang(tmp_path_factory):
    """A copy of the region whose register holds five welfare homes of 房县 (房县{town}福利院, at a village of the
    township, with BEDS), imported from a bureau file without ids; the points {town: (lon, lat)} and the seats."""
    from geo.regions import load_region

    shiyan = load_region("shiyan")
    v = shiyan.villages
    v = v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == FANG)]
    towns = shiyan.townships[shiyan.townships.index.astype(str).str[:6] == FANG]
    code = {str(n): str(c) for c, n in towns["name"].items()}
    pts = {}
    for n in TOWNS:
        g = v[v["township_code"].astype(str) == code[n]].geometry.iloc[0]
        pts[n] = (float(g.x), float(g.y))
    seats = {n: (float(towns.loc[towns.index.astype(str) == code[n], "seat_lon"].iloc[0]),
                 float(towns.loc[towns.index.astype(str) == code[n], "seat_lat"].iloc[0])) for n in TOWNS}
    f = tmp_path_factory.mktemp("qa34f11") / "v1.csv"
    f.write_bytes(table([[f"房县{n}福利院", "农村福利院", *xy(pts[n]), BEDS[n], n] for n in TOWNS]))
    first = validate_register(f, region=shiyan, coords="wgs84")
    assert first.counts["accepted"] == 5 and not first.issues
    region = copy.copy(shiyan)  # never the process-wide region itself
    region.facilities = first.accepted.copy()
    ids = {n: str(first.accepted.loc[first.accepted["name"] == f"房县{n}福利院", "id"].iloc[0]) for n in TOWNS}
    return region, pts, seats, ids


def check(fang, tmp_path, rows, **kw):
    f = tmp_path / "v2.csv"
    f.write_bytes(table(rows, kw.pop("head", HEAD)))
    return validate_register(f, region=fang[0], coords="wgs84", **kw)


def row(n: str, p=None, beds=None, town=None, name=None) -> list:
    return [f"房县{n}福利院" if name is None else name, "农村福利院", *(xy(p) if p is not None else ["", ""]),
            BEDS[n] if beds is None else beds, n if town is None else town]


def of(rep, code: str) -> list:
    return [i for i in rep.issues if i.code == code]


def east(p, m: float) -> tuple[float, float]:
    return p[0] + m / (111_320 * np.cos(np.radians(p[1]))), p[1]


# -- 1. one name, far apart ------------------------------------------------------------------------------------------
def test_two_rows_of_one_name_far_apart_each_name_the_other(fang, tmp_path):
    _, pts, _, _ = fang
    far = east(pts["中坝乡"], 5800)
    rows = [row(n, pts[n]) for n in TOWNS]
    rows[3][4] = 60
    rows.append(row("中坝乡", far, beds=50))  # row 7 (the header is row 1)
    rep = check(fang, tmp_path, rows)
    assert rep.counts["accepted"] == 6 and rep.counts["refused"] == 0  # a warning: both imported
    warned = {i.row: i for i in of(rep, "namesake_far")}
    assert set(warned) == {5, 7}, [(i.row, i.code) for i in rep.issues]
    a, b = warned[5], warned[7]
    assert a.severity == "warning" and a.column == "名称"
    assert a.message_zh.startswith("与第 7 行同名（房县中坝乡福利院），相距 5.8 公里") and "床位（60 与 50）" in a.message_zh
    assert "是同一设施录入了两次，还是更正后的点位" in a.message_zh
    assert a.message_en.startswith("same name as row 7 (房县中坝乡福利院), 5.8 km away") and "床位 (60 and 50)" in a.message_en
    assert "the same facility entered twice, or a corrected point?" in a.message_en
    assert "与第 5 行同名" in b.message_zh and "床位（50 与 60）" in b.message_zh and "same name as row 5" in b.message_en
    assert "delete the wrong row" in a.fix_en and "删去错误的一行" in a.fix_zh
    # nothing else about them: no namesake within 100 m, no "exactly the same row"
    assert not of(rep, "duplicate_name") and not of(rep, "duplicate_row")


def test_a_namesake_near_or_in_another_county_is_not_said_far(fang, tmp_path):
    _, pts, _, _ = fang
    rows = [row(n, pts[n]) for n in TOWNS]
    rows.append(row("城关镇", east(pts["城关镇"], 40), beds=81))  # 40 m: a namesake nearby (said as before)
    rep = check(fang, tmp_path, rows)
    assert not of(rep, "namesake_far")
    assert [i.row for i in of(rep, "duplicate_name")] == [7]
    # the same name in another county (茅箭区's village) is another facility
    shiyan = fang[0]
    v = shiyan.villages
    other = v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == "420302")].geometry.iloc[0]
    rows = [row(n, pts[n]) for n in TOWNS] + [row("城关镇", (other.x, other.y), town="")]
    rep = check(fang, tmp_path, rows)
    assert not of(rep, "namesake_far"), [(i.row, i.code, i.message_en) for i in rep.issues]


# -- 2. rows placed by name ------------------------------------------------------------------------------------------
def test_a_misspelt_township_is_said_with_the_place_it_was_matched_to(fang, tmp_path):
    _, pts, seats, ids = fang
    rows = [row(n, pts[n]) for n in TOWNS if n != "军店镇"] + [row("军店镇", town="军店真")]  # row 6
    rep = check(fang, tmp_path, rows)
    assert rep.counts["accepted"] == 5 and rep.counts["located_by_name"] == 1
    (loose,) = of(rep, "name_matched_loosely")
    assert loose.row == 6 and loose.severity == "warning" and loose.column == "所在乡镇" and loose.value == "军店真"
    assert "所在乡镇“军店真”匹配为乡镇（街道）“军店镇”" in loose.message_zh and "定位于房县·军店镇（乡镇驻地）" in loose.message_zh
    assert "所在乡镇 '军店真' was matched to the township '军店镇'" in loose.message_en
    assert "placed at Fang County·军店镇 (the township seat)" in loose.message_en
    # the row stands for 房县军店镇福利院, which the confirm moves from its point to the seat: said, with how far
    assert rep.accepted.loc[ids["军店镇"], "location_method"] == "located_by_name"
    (moves,) = of(rep, "name_moves_facility")
    d = metres(pts["军店镇"], seats["军店镇"])
    km = f"{d / 1000:,.1f}"
    assert d > 1000 and moves.row == 6
    assert f"现有设施“房县军店镇福利院”将从现有位置移动约 {km} 公里" in moves.message_zh, moves.message_zh
    assert f"moves the current facility '房县军店镇福利院' about {km} km" in moves.message_en, moves.message_en
    assert "填写其坐标" in moves.fix_zh and "give its coordinates" in moves.fix_en


def test_an_exact_township_placement_is_a_note_line(fang, tmp_path):
    _, pts, _, _ = fang
    rows = [row(n, pts[n]) for n in TOWNS if n != "土城镇"] + [row("土城镇")]  # row 6, 所在乡镇 土城镇
    rep = check(fang, tmp_path, rows)
    assert not of(rep, "name_matched_loosely")
    zh = [z for z, _ in rep.notes if "按所填地名" in z]
    en = [e for _, e in rep.notes if "placed by place names" in e]
    assert zh and "第 6 行定位于房县·土城镇（乡镇驻地）" in zh[0], rep.notes
    assert en and en[0].startswith("1 row without coordinates was placed") and "row 6 at Fang County·土城镇" in en[0]
    # its facility lies at a village, not at the seat: the move is said too
    assert [i.row for i in of(rep, "name_moves_facility")] == [6]


def test_a_township_with_another_suffix_is_a_loose_match(fang, tmp_path):
    _, pts, _, _ = fang
    rows = [row(n, pts[n]) for n in TOWNS if n != "土城镇"] + [row("土城镇", town="土城乡")]
    rep = check(fang, tmp_path, rows)
    (loose,) = of(rep, "name_matched_loosely")
    assert "“土城乡”匹配为乡镇（街道）“土城镇”" in loose.message_zh


# -- 3. no name column -----------------------------------------------------------------------------------------------
NAMELESS = "站点,X,Y,床位(张),镇"


def test_a_file_missing_only_its_name_column_is_a_mapping_question(fang, tmp_path):
    _, pts, _, _ = fang
    f = tmp_path / "nameless.csv"
    f.write_bytes(table([[f"{n}站", *xy(pts[n]), BEDS[n], n] for n in TOWNS], NAMELESS))
    with pytest.raises(InputDataError) as e:
        validate_register(f, region=fang[0], coords="wgs84", type_key="welfare_home")
    assert e.value.details["missing"] == ["name"] and e.value.details["columns"] == NAMELESS.split(",")
    assert "没有名称列" in e.value.message("zh") and "站点" in e.value.message("zh")
    assert "no name column" in e.value.message("en") and "站点" in e.value.message("en")
    assert "无法读取该文件：文件没有名称列" in e.value.message("zh") and "the file cannot be loaded" in e.value.message("en")
    assert "which column holds the facilities' names" in e.value.hint_en and "指定哪一列是设施名称" in e.value.hint_zh
    # mapped, the same file is read
    rep = validate_register(f, region=fang[0], coords="wgs84", type_key="welfare_home", column_map={"name": "站点"})
    assert rep.counts["accepted"] == 5


def test_the_data_page_answers_a_missing_name_column_with_the_mapping_card(app, shiyan):
    from test_qa27_provenance import upload

    v = shiyan.villages
    g = v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == FANG)].geometry
    content = table([[f"{k}号站", *xy((g.iloc[k].x, g.iloc[k].y)), 50, "城关镇"] for k in range(20)], NAMELESS)
    c = app.test_client()
    r = upload(c, content, "nameless.csv", type="welfare_home")
    assert r.status_code == 422, r.get_data()[:400]
    body = r.get_json()
    assert body["needs_mapping"] and body["missing"] == ["name"] and body["type"] == "welfare_home", body
    again = c.post(f"/api/data/uploads/{body['upload_id']}/recheck?lang=en",
                   json={"column_map": {**body["column_map"], "name": "站点"}, "type": "welfare_home"})
    assert again.status_code == 200, again.get_data()[:400]
    assert again.get_json()["counts"]["accepted"] == 20


# -- 4. a refused row at a current facility's point ------------------------------------------------------------------
def test_a_nameless_row_at_a_facility_keeps_it(fang, tmp_path):
    from planner import register_scope

    region, pts, _, ids = fang
    rows = [row(n, pts[n]) for n in TOWNS if n != "土城镇"] + [row("土城镇", pts["土城镇"], name="")]  # row 6
    rep = check(fang, tmp_path, rows)
    assert rep.refused_rows == [6]
    assert rep.accepted.attrs["refused_current"] == [{"row": 6, "id": ids["土城镇"]}]
    (kept,) = of(rep, "refused_near_current")
    assert kept.row == 6 and kept.severity == "warning"
    assert "现有设施“房县土城镇福利院”相距不到 1 米" in kept.message_zh and "按现状保留" in kept.message_zh
    assert "under 1 m from the current facility '房县土城镇福利院'" in kept.message_en and "not removed" in kept.message_en
    layer = "facilities:welfare_home"
    named = register_scope.refused_named(layer, rep.accepted, region.facilities)
    assert [(k["id"], k["row"]) for k in named] == [(ids["土城镇"], 6)]
    committed, _ = register_scope.keep_refused(layer, rep.accepted, rep.accepted, region.facilities)
    assert ids["土城镇"] in set(committed["id"]) and len(committed) == 5


def test_the_data_page_keeps_the_facility_of_a_nameless_row(app, fang):
    from test_qa27_provenance import upload

    _, pts, _, _ = fang
    c = app.test_client()
    first = upload(c, table([row(n, pts[n]) for n in TOWNS]), "v1.csv", type="welfare_home").get_json()
    assert c.post(f"/api/data/uploads/{first['upload_id']}/confirm").status_code == 200
    body = table([row(n, pts[n]) for n in TOWNS if n != "土城镇"] + [row("土城镇", pts["土城镇"], name="")])
    for lang in ("en", "zh"):
        r = c.post(f"/api/data/uploads?lang={lang}", data={"kind": "facilities", "coords": "wgs84",
                                                            "type": "welfare_home", "file": (io.BytesIO(body), "v2.csv")},
                   content_type="multipart/form-data")
        rep = r.get_json()
        text = rep["replaces"]["text"]
        assert [k["name"] for k in rep["replaces"]["refused_kept"]] == ["房县土城镇福利院"], text
        assert ("房县土城镇福利院（第 6 行）" if lang == "zh" else "房县土城镇福利院 (row 6)") in text, text
        removed = (rep.get("changes") or {}).get("removed_text") or ""
        assert "房县土城镇福利院" not in removed, removed  # it was "确认后将移除 1 处现有设施：房县土城镇福利院"
    done = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()
    rows = c.get("/api/facilities?type=welfare_home").get_json()["rows"]
    assert "房县土城镇福利院" in {r["name"] for r in rows}, done


def test_a_nameless_row_keeps_no_facility_another_row_names_or_far_off(fang, tmp_path):
    _, pts, _, ids = fang
    # another row lists 房县土城镇福利院 (moved 300 m): that row takes it; the nameless one keeps nothing
    rows = [row(n, pts[n]) for n in TOWNS if n != "土城镇"] + [row("土城镇", east(pts["土城镇"], 300)),
                                                                row("土城镇", pts["土城镇"], name="")]
    rep = check(fang, tmp_path, rows)
    assert rep.refused_rows == [7] and ids["土城镇"] in set(rep.accepted["id"])
    assert rep.accepted.attrs["refused_current"] == [] and not of(rep, "refused_near_current")
    # 50 m off: not that facility's point
    rows = [row(n, pts[n]) for n in TOWNS if n != "土城镇"] + [row("土城镇", east(pts["土城镇"], 50), name="")]
    rep = check(fang, tmp_path, rows)
    assert rep.accepted.attrs["refused_current"] == [] and not of(rep, "refused_near_current")


# -- 5. invalid capacity cells ---------------------------------------------------------------------------------------
def test_an_invalid_capacity_keeps_the_current_one(fang, tmp_path):
    _, pts, _, ids = fang
    bad = {"城关镇": "1e999", "军店镇": "-5", "土城镇": "nan", "中坝乡": "inf", "白鹤镇": "12.7"}
    rows = [row(n, pts[n], beds=bad[n]) for n in TOWNS] + [
        ["房县新建福利院", "农村福利院", *xy(east(pts["城关镇"], 2000)), "abc", "城关镇"],  # row 7: new
        row("城关镇", east(pts["城关镇"], 3000), beds="", name="房县另一福利院")]  # row 8: new, blank
    rep = check(fang, tmp_path, rows)
    acc = rep.accepted.set_index("name")
    for n in TOWNS:
        assert acc.loc[f"房县{n}福利院", "beds"] == BEDS[n], (n, acc.loc[f"房县{n}福利院", "beds"])
        assert acc.loc[f"房县{n}福利院", "id"] == ids[n]
    assert np.isnan(acc.loc["房县新建福利院", "beds"]) and np.isnan(acc.loc["房县另一福利院", "beds"])
    said = {i.row: i for i in rep.issues if i.code in ("capacity_not_number", "capacity_negative")}
    assert set(said) == {2, 3, 4, 5, 6, 7}
    assert said[2].message_zh == "床位“1e999”不是整数：该设施保留现有的床位数（80 张）", said[2].message_zh
    assert said[2].message_en == "床位 '1e999' is not a whole number: the facility keeps the 80 beds it has now"
    assert said[3].message_zh == "床位“-5”为负数：该设施保留现有的床位数（100 张）"
    assert said[3].message_en == "床位 '-5' is negative: the facility keeps the 100 beds it has now"
    assert "保留现有的床位数（90 张）" in said[6].message_zh and "keeps the 90 beds" in said[6].message_en  # 12.7
    assert "按容量未知导入" in said[7].message_zh and "capacity unknown" in said[7].message_en  # a new facility
    assert "kept_fields" in acc and acc.loc["房县城关镇福利院", "kept_fields"] == "beds"


# -- 6. a pick in English --------------------------------------------------------------------------------------------
def test_a_picked_place_is_said_in_the_reports_language(fang, tmp_path):
    _, pts, _, _ = fang
    rows = [row(n, pts[n]) for n in TOWNS] + [row("城关镇", town="城关", name="房县新福利院")]  # row 7
    plain = check(fang, tmp_path, rows)
    assert 7 in plain.refused_rows  # 城关 fits several townships
    rep = check(fang, tmp_path, rows, picks={"7": f"{FANG}100"})
    (picked,) = of(rep, "picked")
    assert picked.message_zh == "已按规划人员的选择定位到：房县·城关镇"
    assert picked.message_en == "Placed where the planner picked: Fang County·城关镇"


# -- 7. too many facilities of a type --------------------------------------------------------------------------------
def test_too_many_facilities_names_the_type():
    from geo.datasets import too_many_facilities

    e = too_many_facilities("day_care", 12_000, 10_000, {"zh": "日间照料中心", "en": "day-care centre"})
    assert "类型“日间照料中心”的设施有 12,000 处" in e.message("zh") and "day_care" not in e.message("zh")
    assert "facilities of type 'day-care centre'" in e.message("en") and e.details["type"] == "day_care"
    assert "类型“日间照料中心”" in too_many_facilities("日间照料中心", 2, 1).message("zh")  # a label for both


def test_the_confirm_refused_for_too_many_names_the_type(app, shiyan, monkeypatch):
    import geo.datasets
    from planner.facility_types import get_type
    from test_qa27_provenance import upload

    v = shiyan.villages
    g = v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == FANG)].geometry
    content = table([[f"{k}号中心", "日间照料中心", *xy((g.iloc[k].x, g.iloc[k].y))] for k in range(4)],
                    "名称,类型,经度,纬度")
    c = app.test_client()
    r = upload(c, content, "dc.csv")
    assert r.status_code == 200, r.get_data()[:300]
    uid = r.get_json()["upload_id"]
    monkeypatch.setattr(geo.datasets, "facility_row_limit", lambda units: 3)  # the store's limit only
    ft = get_type("day_care")
    for lang, said, key in (("zh", f"类型“{ft.name_zh}”的设施有", "“day_care”"),
                            ("en", f"facilities of type '{ft.name_en_in_sentence()}'", "'day_care'")):
        r = c.post(f"/api/data/uploads/{uid}/confirm?lang={lang}")
        assert r.status_code == 400, r.get_data()[:300]
        message = r.get_json()["message"]
        assert said in message and key not in message, message
