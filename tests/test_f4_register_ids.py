"""Fixer F4 (a tester's findings on registers without ids, and what a check says of a refused import):

1. A register without an id column gave each row ``type-sha1(name)[:8]``: every county has a 城关镇中心敬老院, so
   郧西县's own file (no ids at all) was refused after 房县's as "using the id of another county's facility",
   with the advice to change ids the file does not have; a tie in one file took the row number. Made ids now
   name the county (the township for namesakes of one county), and a row without an id takes the id of the
   current register's facility of its type, county and name: importing a file again changes nothing.
2. The dry run (and the page's check) of a file the import refuses (real ids of another county's facilities)
   said ``blocked: null`` and listed a whole-city replace: it now says blocked, why, and no change.
3. The Data page's Confirm stayed on beside "the confirm will be refused".
4. The two-sheet workbook's message said every upload replaces the whole layer.
5. A point hundreds of km outside the region was told to choose gcj02 (a datum's offset is under 1.5 km).
"""
from __future__ import annotations

import dataclasses
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.errors import InputDataError
from planner.register import validate_register
from browser import browser, page, poll_js, server  # noqa: F401  (the suite's fixtures)
from test_qa21_cli import run
from test_qa27_provenance import upload

FANG, YUNXI = "420325", "420322"
FANG_TOWN, YUNXI_TOWN = "420325100", "420322100"  # each county's 城关镇
HEAD = "名称,乡镇,县区,经度,纬度,床位数"


def _seat(shiyan, code: str) -> tuple[float, float]:
    t = shiyan.townships.loc[code]
    return float(t["seat_lon"]), float(t["seat_lat"])


def _file(shiyan, county: str, county_name: str, *, ids: bool = False) -> bytes:
    """A county's welfare homes: its 城关镇中心敬老院 and one more, by name (ids only when asked)."""
    towns = shiyan.townships[shiyan.townships.index.astype(str).str.startswith(county)]
    rows = []
    for k, (code, t) in enumerate(towns.iloc[:2].iterrows()):
        lon, lat = _seat(shiyan, code)
        rows.append((f"ID{county}{k}," if ids else "")
                    + f"{t['name']}中心敬老院,{t['name']},{county_name},{lon:.6f},{lat:.6f},{40 + k}")
    head = ("编号," if ids else "") + HEAD
    return ("\n".join([head] + rows) + "\n").encode("utf-8")


def _confirm(client, body: bytes, name: str) -> dict:
    r = upload(client, body, name, type="welfare_home")
    assert r.status_code == 200, r.data[:500]
    rep = r.get_json()
    assert rep["blocked"] is None, rep["blocked"]
    done = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert done.status_code == 200, done.data[:500]
    return done.get_json()


def _welfare(app) -> gpd.GeoDataFrame:
    fac = app.extensions["coverplan"]["datasets"].region().facilities
    return fac[fac["facility_type"] == "welfare_home"]


# -- 1. two counties' files without ids, each with its 城关镇中心敬老院 ----------------------------------------------
def test_two_counties_files_without_ids_both_import_and_keep_their_rows(app, shiyan):
    c = app.test_client()
    v1 = _confirm(c, _file(shiyan, FANG, "房县"), "fang.csv")["version"]
    v2 = _confirm(c, _file(shiyan, YUNXI, "郧西县"), "yunxi.csv")["version"]
    assert (v1, v2) == (1, 2)
    w = _welfare(app)
    same = w[w["name"] == "城关镇中心敬老院"]
    assert sorted(same["county_code"].astype(str)) == [YUNXI, FANG]
    assert same["id"].is_unique and all(cc in i for i, cc in zip(same["id"], same["county_code"].astype(str)))
    assert int((w["county_code"] == FANG).sum()) == 2 and int((w["county_code"] == YUNXI).sum()) == 2
    # each file again: the same data, no new version (its rows keep their ids)
    for body, name in ((_file(shiyan, FANG, "房县"), "fang2.csv"), (_file(shiyan, YUNXI, "郧西县"), "yunxi2.csv")):
        rep = upload(c, body, name, type="welfare_home").get_json()
        assert rep["identical"] and rep["identical"]["version"] == 2, rep.get("identical")
        assert rep["blocked"] is None


def test_cli_keeps_ids_imported_before_and_imports_the_other_county(var_dir, tmp_path, capsys, shiyan):
    """房县's file imported with the ids the old rule made (type-sha1(name)[:8]), then without ids: the same
    facilities, no new version; then 郧西县's file without ids imports, not refused for 房县's id."""
    import hashlib

    from planner.locate import fold

    old = "welfare_home-" + hashlib.sha1(fold("城关镇中心敬老院").encode()).hexdigest()[:8]
    plain = _file(shiyan, FANG, "房县").decode()
    lines = plain.strip().split("\n")
    with_ids = "\n".join(["编号," + lines[0], f"{old}," + lines[1], "welfare_home-0a0b0c0d," + lines[2]]) + "\n"
    (tmp_path / "fang_ids.csv").write_text(with_ids, "utf-8")
    (tmp_path / "fang.csv").write_text(plain, "utf-8")
    (tmp_path / "yunxi.csv").write_bytes(_file(shiyan, YUNXI, "郧西县"))
    imp = ("data", "import", "facilities", "--type", "welfare_home")
    code, out, err = run(capsys, *imp, str(tmp_path / "fang_ids.csv"))
    assert code == 0, err
    code, out, err = run(capsys, *imp, str(tmp_path / "fang.csv"), "--json")
    assert code == 0, err
    again = json.loads(out)
    assert again["version"] is None and again["unchanged"] == 1, again
    code, out, err = run(capsys, *imp, str(tmp_path / "yunxi.csv"), "--json")
    assert code == 0, err
    done = json.loads(out)
    assert done["version"] == 2 and done["blocked"] is None
    from geo.datasets import DatasetStore

    fac = DatasetStore(str(var_dir / "proposals.sqlite"), region="shiyan").region().facilities
    w = fac[fac["name"] == "城关镇中心敬老院"].set_index("county_code")
    assert w.loc[FANG, "id"] == old and w.loc[YUNXI, "id"] != old and YUNXI in w.loc[YUNXI, "id"]


def test_namesakes_of_one_county_get_ids_by_township_whatever_the_row_order(shiyan, tmp_path):
    towns = ["420325100", "420325101", "420325102"]
    rows = [f"中心敬老院,{shiyan.townships.loc[t, 'name']},房县,{_seat(shiyan, t)[0]:.6f},{_seat(shiyan, t)[1]:.6f},30"
            for t in towns]
    got = []
    for order in (rows, rows[::-1]):
        path = tmp_path / f"n{len(got)}.csv"
        path.write_text("\n".join([HEAD] + order) + "\n", "utf-8")
        acc = validate_register(path, region=shiyan, type_key="welfare_home").accepted
        got.append(dict(zip(acc["township_code"].astype(str), acc["id"])))
    assert got[0] == got[1]
    assert len(set(got[0].values())) == 3 and all(t in got[0][t] for t in towns), got[0]


def test_a_row_without_an_id_takes_the_current_facilitys_id_of_its_county_and_name(shiyan, tmp_path):
    """The current register (a copy of the region, not the shared one) holds 城关镇中心敬老院 in 房县 as X:
    房县's row of that name takes X, 郧西县's does not (nor any id of the register)."""
    fac = shiyan.facilities
    lon, lat = _seat(shiyan, FANG_TOWN)
    mine = gpd.GeoDataFrame({"id": ["welfare_home-X"], "facility_type": ["welfare_home"], "name": ["城关镇中心敬老院"],
                             "township_code": [FANG_TOWN], "county_code": [FANG], "synthetic": [False]},
                            geometry=[shapely.Point(lon + 0.001, lat)], crs=fac.crs)
    current = gpd.GeoDataFrame(pd.concat([fac, mine]), geometry="geometry", crs=fac.crs)
    current.index = current["id"].astype(str)
    region = dataclasses.replace(shiyan, facilities=current)
    y_lon, y_lat = _seat(shiyan, YUNXI_TOWN)
    path = tmp_path / "two.csv"
    path.write_text(f"{HEAD}\n城关镇中心敬老院,城关镇,郧西县,{y_lon:.6f},{y_lat:.6f},30\n"
                    f"城关镇中心敬老院,城关镇,房县,{lon:.6f},{lat:.6f},40\n", "utf-8")
    acc = validate_register(path, region=region, type_key="welfare_home").accepted.set_index("county_code")
    assert acc.loc[FANG, "id"] == "welfare_home-X"
    assert acc.loc[YUNXI, "id"].startswith(f"welfare_home-{YUNXI}-") and acc.loc[YUNXI, "id"] not in set(current["id"])


# -- 2. a file the import refuses: the dry run and the check say blocked, and no change --------------------------------
def _clashing(shiyan) -> tuple[bytes, str]:
    """郧西县's rows, one with the id of a facility of another county (a real id, given in the file)."""
    fac = shiyan.facilities
    other = str(fac[(fac["facility_type"] == "welfare_home") & (fac["county_code"] != YUNXI)]["id"].iloc[0])
    body = _file(shiyan, YUNXI, "郧西县", ids=True).decode().replace(f"ID{YUNXI}0,", f"{other},")
    return body.encode("utf-8"), other


def test_the_dry_run_of_a_refused_file_says_blocked_and_no_change(var_dir, tmp_path, capsys, shiyan):
    body, other = _clashing(shiyan)
    f = tmp_path / "clash.csv"
    f.write_bytes(body)
    imp = ("data", "import", "facilities", str(f), "--type", "welfare_home")
    code, out, err = run(capsys, "--lang", "en", *imp, "--dry-run", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["blocked"] and d["blocked"]["ids"] == [other] and d["blocked"]["rows"] == [2], d["blocked"]
    assert "Nothing will be imported" in d["blocked"]["text"] and other in d["blocked"]["text"]
    assert d["changes"] is None and d["version"] is None
    code, out, err = run(capsys, "--lang", "zh", *imp, "--dry-run")
    assert code == 0, err
    assert "不会导入任何行" in out and "移除设施" not in out and "将产生的变化" not in out, out
    code, out, err = run(capsys, "--lang", "zh", *imp)  # the import itself refuses it, as it said
    assert code == 2 and other in err and "加 --replace city" in err, err
    code, out, err = run(capsys, "--lang", "en", *imp, "--replace", "city", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["blocked"] is None, err


def test_the_dry_run_of_a_refused_file_also_names_its_refused_rows(var_dir, tmp_path, capsys, shiyan):
    """A file refused for another county's id that has a bad row besides: the dry run says both (the refusal's
    sentence replaced the refused rows' one, review)."""
    body, other = _clashing(shiyan)
    lines = body.decode("utf-8").splitlines()
    cells = lines[-1].split(",")
    cells[-3] = "abc"  # a longitude that is no number: that row refused
    f = tmp_path / "clash-bad.csv"
    f.write_text("\n".join(lines[:-1] + [",".join(cells)]) + "\n", "utf-8")
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(f), "--type", "welfare_home",
                         "--dry-run", "--json")
    assert code == 0, err
    b = json.loads(out)["blocked"]
    assert other in b["text"] and "Besides, 1 row was refused" in b["text"], b
    assert b["rows"] == [2, len(lines)], b


def test_the_pages_check_of_a_refused_file_says_blocked(app, shiyan):
    body, other = _clashing(shiyan)
    c = app.test_client()
    rep = upload(c, body, "clash.csv", type="welfare_home").get_json()
    assert rep["blocked"] and other in rep["blocked"]["text"] and "不会导入任何行" in rep["blocked"]["text"]
    assert rep["blocked"]["lines"] == [2]
    assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 400
    city = upload(c, body, "clash.csv", type="welfare_home", replace="city").get_json()
    assert city["blocked"] is None


def test_a_county_planners_check_of_a_refused_file_says_blocked(tmp_path, shiyan):
    from accounts import accounts_app, signed_in

    app = accounts_app(tmp_path / "acc", (("yunxi", "planner", YUNXI),))
    try:
        c = signed_in(app, "yunxi")
        body, other = _clashing(shiyan)
        rep = upload(c, body, "clash.csv", type="welfare_home").get_json()
        assert rep["blocked"] and other in rep["blocked"]["text"], rep["blocked"]
        assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 403
        # without ids: imported (the made ids are 郧西县's own)
        ok = upload(c, _file(shiyan, YUNXI, "郧西县"), "yunxi.csv", type="welfare_home").get_json()
        assert ok["blocked"] is None
        assert c.post(f"/api/data/uploads/{ok['upload_id']}/confirm").status_code == 200
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 4. the two-sheet workbook's message -------------------------------------------------------------------------------
def test_the_two_sheet_message_says_what_each_upload_replaces(shiyan, tmp_path):
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as xl:
        for county, code in (("房县", FANG_TOWN), ("郧西县", YUNXI_TOWN)):
            lon, lat = _seat(shiyan, code)
            pd.DataFrame({"名称": [f"{county}福利院"], "类型": ["农村福利院"], "经度": [lon], "纬度": [lat]}) \
                .to_excel(xl, sheet_name=county, index=False)
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan)
    zh, en = e.value.message("zh"), e.value.message("en")
    assert "替换整个图层" not in zh and "replaces the whole layer" not in en
    assert "只替换文件各行所在县区的该类设施" in zh and "only in the counties its rows lie in" in en, en
    assert "村（社区）文件只更新文件中列出的村（社区）" in zh


# -- 5. a point far outside the region is no datum's doing -------------------------------------------------------------
def test_a_far_point_is_not_told_to_choose_gcj02_a_near_one_is(shiyan, tmp_path):
    lon, lat = _seat(shiyan, YUNXI_TOWN)
    # the region's westmost vertex, and a point about 3 km west of it
    edge = shapely.get_coordinates(shiyan.counties.geometry.union_all())
    wx, wy = edge[edge[:, 0].argmin()]
    path = tmp_path / "out.csv"
    path.write_text(f"名称,类型,经度,纬度\n甲,农村福利院,116.40,39.90\n乙,农村福利院,{wx - 0.03:.6f},{wy:.6f}\n"
                    f"丙,农村福利院,{lon:.6f},{lat:.6f}\n", "utf-8")
    issues = {i.row: i for i in validate_register(path, region=shiyan).issues if i.code == "outside_region"}
    assert sorted(issues) == [2, 3], issues
    far, near = issues[2], issues[3]
    assert "gcj02" not in far.fix_en and "gcj02" not in far.fix_zh
    assert "swapped" in far.fix_en and "填反" in far.fix_zh and "another region" in far.fix_en, far.fix_en
    assert "公里" in far.fix_zh and "km from Shiyan" in far.fix_en, far.fix_en
    assert "gcj02" in near.fix_en and "gcj02" in near.fix_zh, near.fix_en  # a few km: a datum may be it


# -- 3. the Data page's Confirm is off when the check says the import would be refused --------------------------------
@pytest.mark.browser
def test_the_data_page_turns_confirm_off_with_the_reason(page, tmp_path, shiyan):
    body, other = _clashing(shiyan)
    f = tmp_path / "clash.csv"
    f.write_bytes(body)
    page.goto(page.base + "/data?lang=zh")
    page.select_option("#u-kind", "facilities")
    page.select_option("#u-type", "welfare_home")
    page.select_option("#u-coords", "wgs84")
    page.set_input_files("#u-file", str(f))
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1'", timeout=60)
    assert page.is_disabled("#r-confirm")
    assert page.is_visible("#r-confirm-why") and "导入将被拒绝" in page.inner_text("#r-confirm-why")
    assert other in page.get_attribute("#r-confirm-why", "title")
    assert "不会导入任何行" in page.inner_text("#r-counts")
    # a file the import takes: Confirm on, no reason beside it
    ok = tmp_path / "ok.csv"
    ok.write_bytes(_file(shiyan, YUNXI, "郧西县"))
    page.set_input_files("#u-file", str(ok))
    page.evaluate("document.getElementById('report').dataset.ready = '0'")
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1'", timeout=60)
    assert not page.is_disabled("#r-confirm") and page.is_hidden("#r-confirm-why")
