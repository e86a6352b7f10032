"""QA 32 (fixer FA2): a bureau's register brought in as it is (/tmp/t3: fly_edge.csv, fly_baidu_bd09.csv).

1. A row refused for a repeated id whose name and place are another facility's (line 6, 房县大木厂镇福利院, under
   line 5's id FX-FLY-004) dropped that facility (FX-FLY-005) at the confirm: it is now matched by type, county
   and name, kept and named; an exact copy of a row stays a plain repeat.
2. A 状态 column was ignored: a row 已关闭 (停用, 撤并, 注销 ...) is not imported, on purpose: a warning per row,
   counted as skipped, not kept, so the confirm takes the closed facility off the register.
3. The columns a register does not read are named in a note (运营方式、在用床位), in both languages.
4. 百度经度/百度纬度 (高德, bd_lng, gcj_lat) are coordinates; the datum their header names is suggested when
   another one is read.
5. Two rows of one type under two names within 50 m are warned of, naming the pair and the distance.
6. An empty cell in "column X holds other values than column Y" is "（空）" / "(empty)", not "-".
7. The replace text counts a sample facility edited on the map once, among the sample data, said as edited.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import prcoords
import pytest
import shapely

from geo.crs import lonlat_to_metric
from planner.register import validate_register
from test_qa21_cli import run
from test_qa27_provenance import upload
from test_qa29_carried import confirm

FANG = "420325"


def points(region, n: int, county: str = FANG) -> list:
    v = region.villages
    return list(v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == county)].iloc[:n].itertuples())


def table(head: str, rows: list) -> bytes:
    return ("\n".join([head] + [",".join(str(c) for c in r) for r in rows]) + "\n").encode("utf-8")


def centres(region, n: int = 5, *, status: list | None = None) -> list[list]:
    """``n`` day-care centres of 房县 with ids FA2-001 ...: [id, name, township code, lon, lat] (+ status)."""
    out = []
    for i, p in enumerate(points(region, n)):
        row = [f"FA2-{i + 1:03d}", f"房县{i + 1}号日间照料中心", p.township_code, f"{p.geometry.x:.6f}", f"{p.geometry.y:.6f}"]
        out.append(row + ([status[i]] if status is not None else []))
    return out


HEAD = "编号,名称,乡镇代码,经度,纬度"


def check(c, body: bytes, name: str) -> dict:
    r = upload(c, body, name, type="day_care")
    assert r.status_code == 200, r.get_data()[:800]
    return r.get_json()


def centres_now(c) -> dict:
    rows = c.get("/api/facilities?type=day_care&lang=zh").get_json()["rows"]
    return {r["id"]: r["name"] for r in rows}


# -- 1. a repeated id on another facility's row --------------------------------------------------------------------
def test_a_row_under_another_rows_id_keeps_the_facility_it_lists(app):
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    rows = centres(region, 6)
    assert confirm(c, table(HEAD, rows[:5]), "v1.csv") == 1
    pasted = [r[:] for r in rows]  # a sixth centre added, and ...
    pasted[2][0] = pasted[1][0]  # line 4 (房县3号, FA2-003) carries line 3's id, copied from the row above
    rep = check(c, table(HEAD, pasted), "v2.csv")
    dup = [i for i in rep["issues"] if i["code"] == "duplicate_id"]
    assert [(i["row"], i["severity"]) for i in dup] == [(4, "error")], rep["issues"]
    kept = rep["replaces"]["refused_kept"]
    assert [(k["id"], k["name"], k["row"]) for k in kept] == [("FA2-003", "房县3号日间照料中心", 4)], kept
    assert "房县3号日间照料中心（第 4 行）" in rep["replaces"]["text"], rep["replaces"]["text"]
    r = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code in (200, 201), r.get_json()
    now = centres_now(c)
    assert now.get("FA2-003") == "房县3号日间照料中心" and now.get("FA2-002") == "房县2号日间照料中心", now
    assert now.get("FA2-006") == "房县6号日间照料中心", now


def test_an_exact_copy_of_a_row_stays_a_plain_repeat(app):
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    rows = centres(region)
    assert confirm(c, table(HEAD, rows), "v1.csv") == 1
    copied = rows[:3] + [rows[2][:]] + rows[3:]  # line 5 repeats line 4 whole
    rep = check(c, table(HEAD, copied), "v2.csv")
    assert [i["row"] for i in rep["issues"] if i["code"] == "duplicate_id"] == [5], rep["issues"]
    assert rep["replaces"]["refused_kept"] == [] and rep["counts"]["accepted"] == 5, rep["counts"]


def test_a_repeated_id_row_matches_by_name_in_the_checked_register(shiyan, tmp_path):
    """The report's own record (accepted.attrs["refused_current"]) of the planner module, without the web: a region
    whose register holds the five centres."""
    import copy

    from planner.register_scope import refused_kept

    rows = centres(shiyan)
    f = tmp_path / "v1.csv"
    f.write_bytes(table(HEAD, rows))
    first = validate_register(f, region=shiyan, type_key="day_care", coords="wgs84")
    region = copy.copy(shiyan)  # never the process-wide region itself
    region.facilities = first.accepted.copy()
    pasted = [r[:] for r in rows]
    pasted[4][0] = pasted[3][0]
    g = tmp_path / "v2.csv"
    g.write_bytes(table(HEAD, pasted))
    rep = validate_register(g, region=region, type_key="day_care", coords="wgs84")
    assert rep.accepted.attrs["refused_current"] == [{"row": 6, "id": "FA2-005"}]
    kept = refused_kept("facilities", rep.accepted, region.facilities)
    assert [(k["id"], k["row"]) for k in kept] == [("FA2-005", 6)]


# -- 2. a status column ----------------------------------------------------------------------------------------------
def test_a_closed_facility_is_not_imported_and_leaves_the_register(app):
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    assert confirm(c, table(HEAD, centres(region)), "v1.csv") == 1
    body = table(HEAD + ",状态", centres(region, status=["运营", "在用", "已关闭", "", "正常"]))
    rep = check(c, body, "v2.csv")
    counts = rep["counts"]
    assert (counts["rows"], counts["accepted"], counts["refused"], counts.get("skipped")) == (5, 4, 0, 1), counts
    assert counts["rows"] == counts["accepted"] + counts["refused"] + counts["skipped"]
    closed = [i for i in rep["issues"] if i["code"] == "closed_row_skipped"]
    assert [(i["row"], i["severity"], i["message"]) for i in closed] == \
        [(4, "warning", "状态为“已关闭”，不导入（已关闭的设施不提供服务）")], rep["issues"]
    assert rep["replaces"]["refused_kept"] == []
    r = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code in (200, 201), r.get_json()
    now = centres_now(c)
    assert "FA2-003" not in now and {"FA2-001", "FA2-002", "FA2-004", "FA2-005"} <= set(now), now


@pytest.mark.parametrize("word", ["已关闭", "停用", "撤并", "注销", "已撤销", "closed", "2023年已撤并"])
def test_closed_words(word):
    from planner.register_columns import status_closed

    assert status_closed(word) is True


@pytest.mark.parametrize("word", ["在用", "正常", "运营", "开放", "", "未关闭", "Open"])
def test_operating_words(word):
    from planner.register_columns import status_closed

    assert status_closed(word) is False


def test_status_in_the_report_of_the_planner(shiyan, tmp_path):
    rows = centres(shiyan, 6, status=["停用", "撤并", "运营", "筹建", "closed", ""])
    f = tmp_path / "s.csv"
    f.write_bytes(table(HEAD + ",运营状态", rows))
    rep = validate_register(f, region=shiyan, type_key="day_care", coords="wgs84")
    assert rep.column_map.get("status") == "运营状态"
    assert rep.skipped_rows == [2, 3, 6] and rep.closed_rows == [2, 3, 6]
    assert (rep.counts["accepted"], rep.counts["skipped"], rep.counts["closed"]) == (3, 3, 3)
    assert rep.to_dict()["closed_rows"] == [2, 3, 6]
    issue = next(i for i in rep.issues if i.row == 2)
    assert issue.text("zh") == "第 2 行：状态为“停用”，不导入（已关闭的设施不提供服务）"
    assert issue.text("en") == "row 2: status '停用': not imported (a closed facility provides no service)"
    unclear = [i for i in rep.issues if i.code == "status_unclear"]
    assert [(i.row, i.value) for i in unclear] == [(5, "筹建")]
    assert set(rep.accepted["name"]) == {"房县3号日间照料中心", "房县4号日间照料中心", "房县6号日间照料中心"}
    zh = [n[0] for n in rep.notes if "已关闭" in n[0]]
    en = [n[1] for n in rep.notes if "closed" in n[1]]
    assert zh == ["第 2、3、6 行的设施已关闭（状态为已关闭、停用、撤并等），未导入（共 3 行，不计入接受或拒绝的行）。"], rep.notes
    assert en and en[0].startswith("rows 2, 3, 6 are closed facilities"), en


def test_a_file_of_closed_facilities_only_is_refused_with_words(shiyan, tmp_path):
    from geo.errors import InputDataError

    f = tmp_path / "all.csv"
    f.write_bytes(table(HEAD + ",状态", centres(shiyan, 2, status=["已关闭", "停用"])))
    with pytest.raises(InputDataError) as err:
        validate_register(f, region=shiyan, type_key="day_care", coords="wgs84")
    assert "都已关闭" in err.value.message("zh") and "closed" in err.value.message("en")


# -- 3. the columns not read -----------------------------------------------------------------------------------------
def test_the_columns_not_read_are_named(shiyan, tmp_path):
    rows = [[k + 1, *r, "公办公营", 30 + k, ""] for k, r in enumerate(centres(shiyan, 3))]
    f = tmp_path / "u.csv"
    f.write_bytes(table("序号," + HEAD + ",运营方式,在用床位,空列", rows))
    rep = validate_register(f, region=shiyan, type_key="day_care", coords="wgs84")
    notes = [n for n in rep.notes if "运营方式" in n[0]]
    assert len(notes) == 1, rep.notes
    zh, en = notes[0]
    assert zh.startswith("文件中有 2 列未被读取为名录的任何字段：运营方式、在用床位。") and "--column" in zh, zh
    assert en.startswith("2 columns of the file were not read as any field of the register: '运营方式', '在用床位'."), en
    assert "序号" not in zh and "空列" not in zh and "名称" not in zh


def test_the_command_line_says_the_closed_rows_and_the_columns_not_read(var, tmp_path, capsys, shiyan):
    f = tmp_path / "cli.csv"
    rows = [r + ["公办公营"] for r in centres(shiyan, 3, status=["运营", "已关闭", "运营"])]
    f.write_bytes(table(HEAD + ",状态,运营方式", rows))
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(f), "--type", "day_care",
                         "--dry-run")
    assert code == 0, err
    assert "row 3 column 状态: status '已关闭': not imported (a closed facility provides no service)" in out, out
    assert "Row 3 is a closed facility" in err and "'运营方式'" in err and "not read as any field" in err, err


@pytest.fixture()
def var(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    return tmp_path / "var"


# -- 4. web maps' coordinate headers ---------------------------------------------------------------------------------
def web_map_rows(region, n: int, to) -> list[list]:
    out = []
    for i, p in enumerate(points(region, n)):
        c = to(prcoords.Coords(lat=p.geometry.y, lon=p.geometry.x))
        out.append([f"房县{i + 1}号日间照料中心", p.township_code, f"{c.lon:.7f}", f"{c.lat:.7f}"])
    return out


def test_baidu_headers_are_coordinates_in_bd09(shiyan, tmp_path):
    f = tmp_path / "bd.csv"
    f.write_bytes(table("名称,乡镇代码,百度经度,百度纬度", web_map_rows(shiyan, 3, prcoords.wgs_bd)))
    rep = validate_register(f, region=shiyan, type_key="day_care", coords="bd09")
    assert rep.column_map["lon"] == "百度经度" and rep.column_map["lat"] == "百度纬度"
    assert rep.counts["located_by_name"] == 0 and rep.counts["accepted"] == 3
    want = [p.geometry for p in points(shiyan, 3)]
    x, y = lonlat_to_metric(np.array([g.x for g in rep.accepted.geometry]), np.array([g.y for g in rep.accepted.geometry]))
    wx, wy = lonlat_to_metric(np.array([g.x for g in want]), np.array([g.y for g in want]))
    assert np.all(np.hypot(x - wx, y - wy) < 5), np.hypot(x - wx, y - wy)
    assert rep.datum_suggestion is None and not [i for i in rep.issues if i.code.startswith("datum")]


@pytest.mark.parametrize("coords", ["auto", "wgs84", "gcj02"])
def test_a_baidu_header_suggests_bd09_when_another_datum_is_read(shiyan, tmp_path, coords):
    f = tmp_path / "bd.csv"
    f.write_bytes(table("名称,乡镇代码,百度经度,百度纬度", web_map_rows(shiyan, 3, prcoords.wgs_bd)))
    rep = validate_register(f, region=shiyan, type_key="day_care", coords=coords)
    assert rep.datum_suggestion and rep.datum_suggestion["datum"] == "bd09", rep.datum_suggestion
    zh, en = rep.suggestion_text("zh"), rep.suggestion_text("en")
    assert "“百度经度”“百度纬度”" in zh and "BD-09" in zh and "--coords bd09" in zh, zh
    assert "columns '百度经度' and '百度纬度' name BD-09" in en, en


def test_amap_style_headers_suggest_gcj02(shiyan, tmp_path):
    f = tmp_path / "gcj.csv"
    f.write_bytes(table("名称,乡镇代码,gcj_lng,gcj_lat", web_map_rows(shiyan, 3, prcoords.wgs_gcj)))
    rep = validate_register(f, region=shiyan, type_key="day_care", coords="auto")
    assert rep.counts["located_by_name"] == 0
    assert rep.datum_suggestion and rep.datum_suggestion["datum"] == "gcj02", rep.datum_suggestion
    g = tmp_path / "plain.csv"  # a header naming no datum suggests nothing (three points tell nothing either)
    g.write_bytes(table("名称,乡镇代码,经度,纬度", web_map_rows(shiyan, 3, lambda c: c)))
    assert validate_register(g, region=shiyan, type_key="day_care", coords="auto").datum_suggestion is None


# -- 5. one facility under two names ---------------------------------------------------------------------------------
def test_two_names_of_one_type_within_50_m_are_warned_of(shiyan, tmp_path):
    p = points(shiyan, 1)[0].geometry
    east = 1 / (111_320 * np.cos(np.radians(p.y)))  # degrees of longitude per metre here

    def at(m: float) -> tuple[str, str]:
        return f"{p.x + m * east:.7f}", f"{p.y:.7f}"

    rows = [["房县尹吉甫镇福利院", "日间照料中心", *at(0), "0719-1"], ["房县尹吉甫镇中心福利院", "日间照料中心", *at(19), "0719-1"],
            ["房县远一点的照料中心", "日间照料中心", *at(90), ""], ["房县农村福利院甲", "农村福利院", *at(95), ""],
            # two names with nothing in common in one building: two facilities; with one phone: maybe one
            ["甲", "日间照料中心", *at(300), ""], ["乙", "日间照料中心", *at(300), ""],
            ["东方红照料站", "日间照料中心", *at(600), "0719-9"], ["夕阳之家", "日间照料中心", *at(610), "0719-9"]]
    f = tmp_path / "pair.csv"
    f.write_bytes(table("名称,类型,经度,纬度,联系电话", rows))
    rep = validate_register(f, region=shiyan, coords="wgs84")
    assert rep.counts["accepted"] == 8
    near = [i for i in rep.issues if i.code == "near_pair"]
    assert [(i.row, i.severity, i.value) for i in near] == [(3, "warning", "房县尹吉甫镇中心福利院"),
                                                            (9, "warning", "夕阳之家")], rep.issues
    x, y = lonlat_to_metric(np.array([p.x, p.x + 19 * east]), np.array([p.y, p.y]))
    m = f"{float(np.hypot(x[1] - x[0], y[1] - y[0])):,.0f}"
    assert near[0].message_zh.startswith(f"与第 2 行“房县尹吉甫镇福利院”类型相同、相距 {m} 米而名称不同"), near[0].message_zh
    assert near[0].message_en.startswith(f"same type as row 2 ('房县尹吉甫镇福利院'), {m} m away"), near[0].message_en


# -- 6. an empty cell where two columns differ -----------------------------------------------------------------------
def test_an_empty_cell_is_said_empty_where_two_columns_differ(shiyan, tmp_path):
    p = points(shiyan, 2)
    rows = [["", "房县城关镇福利院", p[0].geometry.x, p[0].geometry.y], ["乙中心", "乙中心全称", p[1].geometry.x, p[1].geometry.y]]
    f = tmp_path / "two.csv"
    f.write_bytes(table("名称,机构名称,经度,纬度", rows))
    rep = validate_register(f, region=shiyan, type_key="day_care", coords="wgs84")
    issue = next(i for i in rep.issues if i.code == "column_values_differ")
    assert "第 2 行：房县城关镇福利院 与 （空）" in issue.message_zh, issue.message_zh
    assert "row 2: 房县城关镇福利院 and (empty)" in issue.message_en, issue.message_en
    assert " - " not in issue.message_en and "与 -" not in issue.message_zh


# -- 7. a sample facility edited on the map, counted once -------------------------------------------------------------
def test_the_replace_text_counts_an_edited_sample_facility_once():
    from planner import register_scope

    pts = [shapely.Point(110.7 + k / 100, 32.0) for k in range(6)]
    fac = gpd.GeoDataFrame({
        "id": [f"f{k}" for k in range(6)], "facility_type": ["welfare_home"] * 6,
        "county_code": [FANG] * 5 + ["420322"], "synthetic": [True, True, True, False, False, True],
        "edited_on_map": [False, True, False, False, True, False]}, geometry=pts, crs="EPSG:4326")
    accepted = gpd.GeoDataFrame({"id": ["n1", "n2"], "facility_type": ["welfare_home"] * 2,
                                 "county_code": [FANG] * 2, "township_code": [FANG + "100"] * 2},
                                geometry=pts[:2], crs="EPSG:4326")
    city = register_scope.plan("facilities", accepted, fac, "city")[0]
    assert (city["current"], city["current_synthetic"], city["current_synthetic_edited"]) == (6, 4, 1)
    assert city["current"] - city["current_synthetic"] == 2  # the planners' own: f3, f4 (f4 edited, not sample)
    zh = register_scope.plan_text(city, "农村福利院", {}, "zh", "city")
    en = register_scope.plan_text(city, "welfare home", {}, "en", "city")
    assert "全部 6 处（其中 4 处为示意数据，含 1 处在地图上编辑过的示意设施）" in zh, zh
    assert "all 6 now in the register, in the whole city (4 of them synthetic, 示意, 1 of those edited on the map)" in en, en
    here = register_scope.plan("facilities", accepted, fac, "counties")[0]
    assert (here["current"], here["current_synthetic"], here["current_synthetic_edited"]) == (5, 3, 1)
    assert register_scope.sample_counts(fac.iloc[0:0]) == {"synthetic": 0, "edited": 0}
    assert json.dumps(here)  # plain JSON for the page and --json


def test_the_web_replace_text_counts_an_edited_sample_facility_once(client):
    """Round 2 (web): a sample facility edited on the map was counted among the 示意 ones and again among the
    planners' own ("not sample data: 1 edited on the map"): 55 + 2 + 5 + 1 = 63 of 62."""
    rows = client.get("/api/facilities?type=cemetery").get_json()["rows"]
    fid = next(r["id"] for r in rows if r["synthetic"])
    assert client.post("/api/data/edits", json={"action": "update", "type": "cemetery", "id": fid,
                                                "fields": {"phone": "0719-1234567"}}).status_code == 200
    keep = next(r for r in rows if r["id"] != fid)
    body = f"名称,类型,经度,纬度\n{keep['name']}新,公益性公墓,{keep['lon']},{keep['lat']}\n".encode("utf-8")
    rep = upload(client, body, "公墓.csv", replace="city").get_json()
    t = next(x for x in rep["replaces"]["types"] if x["type"] == "cemetery")
    n = sum(r["synthetic"] for r in rows)
    assert f"其中 {n:,} 处为示意数据，含 1 处在地图上编辑过的示意设施" in rep["replaces"]["text"], rep["replaces"]["text"]
    assert not t.get("imported"), t  # not listed again among the planners' own


def test_the_register_exports_own_source_column_is_not_named_as_unread(shiyan, tmp_path):
    """Round 3: the register export cut to a few columns was told its 来源 column (where the app had each row from)
    was not read, as if it held the bureau's data; a column of the bureau's own still is."""
    pts = [(r.geometry.x, r.geometry.y) for r in points(shiyan, 2)]
    p = tmp_path / "导出.csv"
    p.write_text("名称,类型,经度,纬度,来源,运营方式\n" + "".join(
        f"甲{i}日间照料中心,日间照料中心,{x:.6f},{y:.6f},示例名录（示意）,公办\n" for i, (x, y) in enumerate(pts)),
        encoding="utf-8")
    notes = " ".join(zh for zh, _ in validate_register(p, region=shiyan, type_key="day_care").notes)
    assert "运营方式" in notes and "来源" not in notes.split("未被读取")[-1], notes
