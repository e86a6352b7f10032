"""QA sweep 18, data: the sample register exported and imported again stays the sample (示意), and is
recognised as the data already there; a field saying 示意 in a row not marked so is a warning."""
from __future__ import annotations

import io

import pandas as pd

from planner.register import validate_register


def upload(client, content: bytes, name: str, **form):
    data = {"kind": "facilities", "coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post("/api/data/uploads?lang=zh", data=data, content_type="multipart/form-data")


def test_the_sample_register_exported_and_imported_again_stays_the_sample(client, app):
    v0 = client.get("/api/data/versions").get_json()["current"]
    for fmt in ("xlsx", "csv"):
        exported = client.get(f"/api/facilities.{fmt}?type=cemetery")
        assert exported.status_code == 200
        rep = upload(client, exported.data, f"公墓名录.{fmt}", type="cemetery").get_json()
        assert rep["counts"]["refused"] == 0, rep["issues"][:3]
        # recognised as the current data: it had been taken as new, the planner's own, 示意 dropped
        assert rep["identical"] and rep["identical"]["version"] == v0, rep.get("identical")
        r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
        assert r.status_code == 400 and "完全相同" in r.get_json()["message"]
    assert client.get("/api/data/versions").get_json()["current"] == v0
    layers = client.get("/api/coverage/cemetery/layers").get_json()
    assert layers["facilities_synthetic"] is True


def test_rows_marked_in_the_column_are_sample_data_the_others_the_planners(client, app, shiyan):
    pts = shiyan.villages.iloc[[3, 40, 80]]
    lines = ["名称,类型,经度,纬度,示意"] + [f"{n},农村福利院,{g.x:.6f},{g.y:.6f},{s}" for n, g, s in
                                        zip(["甲福利院", "乙福利院", "丙福利院"], pts.geometry, ["是", "否", ""])]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "wh.csv", type="welfare_home").get_json()
    assert rep["counts"]["refused"] == 0 and not [i for i in rep["issues"] if i["code"].startswith("synthetic")]
    assert client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    fac = app.extensions["coverplan"]["service"].region.facilities
    wh = fac[fac["facility_type"] == "welfare_home"].set_index("name")
    assert [bool(wh.loc[n, "synthetic"]) for n in ("甲福利院", "乙福利院", "丙福利院")] == [True, False, False]


def test_a_field_saying_shiyi_without_the_mark_is_a_warning(shiyan, tmp_path):
    g = shiyan.villages.geometry.iloc[5]
    p = tmp_path / "dc.csv"
    p.write_text("名称,类型,经度,纬度,地址,示意\n"
                 f"窑淮镇日间照料中心,日间照料中心,{g.x},{g.y},示意,\n"
                 f"某中心,日间照料中心,{g.x + 0.01},{g.y},一号路,也许\n", encoding="utf-8")
    rep = validate_register(p, region=shiyan)
    got = {(i.row, i.code) for i in rep.issues}
    assert (2, "synthetic_text") in got and (3, "synthetic_unclear") in got, got
    w = next(i for i in rep.issues if i.code == "synthetic_text")
    assert "写有“示意”" in w.message_zh and "增加“示意”列" in w.fix_zh and w.severity == "warning"
    assert not rep.accepted["synthetic"].any() and len(rep.accepted) == 2


def test_a_register_far_larger_than_the_region_is_refused(client, app, shiyan, tmp_path):
    """200,000 day-care rows were confirmed and made every page of the type unusable for everyone."""
    from geo.datasets import facility_row_limit

    limit = facility_row_limit(len(shiyan.villages) + len(shiyan.townships))
    g = shiyan.villages.geometry
    n = limit + 1
    lines = ["名称,类型,经度,纬度"] + [f"中心{i},日间照料中心,{g.iloc[i % len(g)].x + (i // len(g)) * 1e-5:.6f},"
                                    f"{g.iloc[i % len(g)].y:.6f}" for i in range(n)]
    v0 = client.get("/api/data/versions").get_json()["current"]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "big.csv", type="day_care").get_json()
    assert f"{n:,}" in rep["replaces"]["text"] and "确认导入将被拒绝" in rep["replaces"]["text"], rep["replaces"]["text"]
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 400 and "超过本地区名录的上限" in r.get_json()["message"], r.data[:300]
    assert client.get("/api/data/versions").get_json()["current"] == v0


INVISIBLE = ["Admin1\ufe0f", "\u034f", "\u115f\u1160", "\U000e0100", "\u0301", "\u3164", "\u2800", "中心\u3164"]


def test_names_that_show_as_nothing_or_hide_a_character_are_refused():
    """QA 18: "Admin1\\ufe0f" was made as a second "Admin1"; "\\u3164" named a facility and a proposal."""
    import pytest

    from planner import textrules
    from web.users import AccountError, check_name

    for name in INVISIBLE:
        assert textrules.first_refused(name, multiline=False) is not None, repr(name)
        with pytest.raises(AccountError):
            check_name(name)
    for ok in ("Admin1", "王规划", "café", "a\u0301b"):
        assert textrules.first_refused(ok, multiline=False) is None
    assert check_name("王规划") == "王规划"
    # a note may still hold an emoji's variation selector
    assert textrules.first_refused("好\u2764\ufe0f", multiline=True) is None


def test_the_api_refuses_an_invisible_facility_or_proposal_name(client, app, shiyan):
    g = shiyan.villages.geometry.iloc[9]
    v0 = client.get("/api/data/versions").get_json()["current"]
    for name in ("\u3164", "\u2800", "\u115f\u1160", "x\ufe0f"):
        r = client.post("/api/data/edits?lang=en", json={"action": "add", "type": "cemetery", "name": name,
                                                         "lon": g.x, "lat": g.y})
        assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "name", (name, r.data[:300])
        r = client.post("/api/proposals?lang=en", json={"type": "elderly_complex", "p": 1, "name": name})
        assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "name", (name, r.data[:300])
    assert client.get("/api/data/versions").get_json()["current"] == v0


def test_a_citywide_shortfall_that_nets_county_surpluses_says_so(client):
    """/api/capacity/day_care gave a citywide shortfall of 0 beside county rows adding up to hundreds."""
    for lang, words in (("zh", "各县（市、区）缺口合计"), ("en", "The counties lack")):
        d = client.get(f"/api/capacity/day_care?lang={lang}").get_json()
        city, counties = d["citywide"], d["by_county"]
        assert city["shortfall_counties_whole"] == sum(c["shortfall_whole"] for c in counties)
        assert city["shortfall_counties_whole"] > city["shortfall_whole"]
        note = next(n for n in d["notes"] if words in n)
        assert f"{city['shortfall_counties_whole']:,}" in note


def test_the_plan_package_says_upgraded_not_added(client):
    """An upgrade of 50 mutual-aid centres read "新增 50 处" in the plan package; a sized (new-build) welfare
    home proposal put "新增 0 处" beside the upgrade target, with no word that new sites do not count there."""
    up = client.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade", "k": 5})
    assert up.status_code == 201, up.data[:300]
    sized = client.post("/api/proposals?wait=120", json={"type": "welfare_home", "kind": "sized", "sizes": "30,60",
                                                         "budget_sites": 2})
    assert sized.status_code == 201, sized.data[:300]
    ids = f"{up.get_json()['proposal']['id']},{sized.get_json()['proposal']['id']}"
    rows = {r["key"]: r for r in client.get(f"/api/targets?proposals={ids}&lang=zh").get_json()}
    assert rows["mutual_aid_upgraded_2025"]["after"]["sites_upgraded"] == 5
    assert "sites_added" not in rows["mutual_aid_upgraded_2025"]["after"]
    assert rows["welfare_home_upgraded_2025"]["after"]["sites_upgraded"] == 0
    csv = client.get(f"/plan/targets.csv?proposals={ids}&lang=zh").get_data(as_text=True)
    line = next(x for x in csv.splitlines() if "改造提升农村老年人互助照料中心" in x)
    assert "改造 5 处" in line and "新增" not in line, line
    line = next(x for x in csv.splitlines() if "提档升级农村福利院" in x)
    assert "新建不计入改造提升目标" in line and "新增 0 处" not in line, line


def test_the_register_export_title_counts_the_sample_rows_when_only_some_are(client, shiyan):
    pts = shiyan.villages.iloc[[3, 40]]
    lines = ["名称,类型,经度,纬度"] + [f"院{i},农村福利院,{g.x:.6f},{g.y:.6f}" for i, g in enumerate(pts.geometry)]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "wh.csv", type="welfare_home", replace="city").get_json()
    assert client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    first = client.get("/api/facilities.csv?lang=zh").get_data(as_text=True).splitlines()[0]
    n = len(client.get("/api/facilities").get_json()["rows"])
    assert f"含示意数据：{n:,} 行中 {n - 2:,} 行为合成示例" in first, first
    only_sample = client.get("/api/facilities.csv?lang=zh&type=day_care").get_data(as_text=True).splitlines()[0]
    assert "示意数据（合成示例，非真实设施）" in only_sample
    own = client.get("/api/facilities.csv?lang=zh&type=welfare_home").get_data(as_text=True).splitlines()[0]
    assert "示意" not in own.split("·")[1], own


def test_a_longitude_column_without_latitude_is_said(client, shiyan, tmp_path):
    """名称,类型,经度,乡镇: the longitudes were dropped and the rows placed by name, without a word."""
    import pytest

    from geo.errors import InputDataError

    p = tmp_path / "dc.csv"
    p.write_text("名称,类型,经度,乡镇\nA中心,日间照料中心,110.74,城关镇\n", encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(p, region=shiyan)
    assert "有经度列（经度），但没有纬度列" in e.value.message("zh") and e.value.details["missing"] == ["lat"]
    rep = upload(client, p.read_bytes(), "dc.csv", type="day_care").get_json()
    assert "纬度" in str(rep) and (rep.get("needs_mapping") or rep.get("mapping")), rep


def test_more_headers_bureaus_use_are_read():
    from planner.register_columns import map_columns

    got = map_columns(["机构", "类型", "所在乡镇", "所在村", "所在县区", "经度", "纬度"], None, "x.csv")
    assert got == {"name": "机构", "type": "类型", "township": "所在乡镇", "village": "所在村", "county": "所在县区",
                   "lon": "经度", "lat": "纬度"}


def test_a_name_several_townships_share_is_settled_by_the_point(shiyan, tmp_path):
    """"城关镇对应多个地点" was said of a row whose point lay in one of them."""
    t = shiyan.townships
    chengguan = t[t["name"] == "城关镇"]
    assert len(chengguan) > 1
    inside = chengguan.geometry.iloc[0].representative_point()
    other = t[t["name"] != "城关镇"].geometry.iloc[3].representative_point()
    p = tmp_path / "r.csv"
    p.write_text("名称,类型,经度,纬度,乡镇\n"
                 f"甲中心,日间照料中心,{inside.x:.6f},{inside.y:.6f},城关镇\n"
                 f"乙中心,日间照料中心,{other.x:.6f},{other.y:.6f},城关镇\n", encoding="utf-8")
    rep = validate_register(p, region=shiyan)
    said = [(i.row, i.code) for i in rep.issues if i.code == "names_unmatched"]
    assert said == [(3, "names_unmatched")], [(i.row, i.code, i.message_zh) for i in rep.issues]


def test_a_damaged_geopackage_or_a_kml_with_a_doctype_is_said_in_words(tmp_path, recwarn):
    """They answered with SQLite's query text and the KML parser's, and the log got GDAL's warning
    with the upload's path on the server."""
    import pytest

    from geo.errors import InputDataError
    from geo.imports import read_gis

    (tmp_path / "x.gpkg").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    (tmp_path / "x.kml").write_text('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "b">]>'
                                    '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>&a;</Document></kml>')
    for name, words in (("x.gpkg", "GeoPackage 文件已损坏"), ("x.kml", "KML 无法解析")):
        with pytest.raises(InputDataError) as e:
            read_gis(tmp_path / name)
        zh, en = e.value.message("zh"), e.value.message("en")
        assert words in zh and "sqlite3_" not in en and "ERROR parsing" not in en, en
        assert str(tmp_path) not in zh + en
    assert not [w for w in recwarn if str(tmp_path) in str(w.message)]


def test_a_name_the_app_made_follows_the_page_language(client):
    """A proposal made on an English page kept its English name in the Chinese exports and pages."""
    r = client.post("/api/proposals?wait=120&lang=en", json={"type": "mutual_aid", "kind": "upgrade", "k": 3})
    assert r.status_code == 201, r.data[:300]
    pid = r.get_json()["proposal"]["id"]
    en = client.get(f"/api/proposals/{pid}?lang=en").get_json()["name"]
    zh = client.get(f"/api/proposals/{pid}?lang=zh").get_json()["name"]
    assert en.startswith("Rural mutual-aid care centre · upgrade 3") and zh.startswith("农村老年人互助照料中心·改造提升3处")
    listed = {p["id"]: p["name"] for p in client.get("/api/proposals?lang=zh").get_json()}
    assert listed[pid] == zh
    assert zh in client.get(f"/api/proposals/{pid}.csv?lang=zh").get_data(as_text=True).splitlines()[0]
    # renamed by a planner: his name, in every language
    assert client.patch(f"/api/proposals/{pid}", json={"name": "县局方案"}).status_code == 200
    assert client.get(f"/api/proposals/{pid}?lang=en").get_json()["name"] == "县局方案"


def test_an_english_page_saves_a_note_on_a_proposal_named_in_chinese(client):
    """The page sends the name it showed (the English form of a name the app made): not a colleague's change."""
    r = client.post("/api/proposals?wait=120&lang=zh", json={"type": "mutual_aid", "kind": "upgrade", "k": 2})
    pid = r.get_json()["proposal"]["id"]
    en = client.get(f"/api/proposals/{pid}?lang=en").get_json()["name"]
    r = client.patch(f"/api/proposals/{pid}?lang=en", json={"name": "My plan", "was": {"name": en}})
    assert r.status_code == 200, r.data[:300]
    r = client.patch(f"/api/proposals/{pid}?lang=en", json={"name": "Other", "was": {"name": en}})
    assert r.status_code == 409 and "My plan" in r.get_json()["message"]


def test_review_the_cap_and_the_sample_rows_are_said_for_a_type_not_held_yet(client, shiyan):
    from geo.datasets import facility_row_limit

    limit = facility_row_limit(len(shiyan.villages) + len(shiyan.townships))
    g = shiyan.villages.geometry
    lines = ["名称,类型,经度,纬度"] + [f"站{i},失能失智老人养护设施,{g.iloc[i % len(g)].x + (i // len(g)) * 1e-5:.6f},"
                                    f"{g.iloc[i % len(g)].y:.6f}" for i in range(limit + 1)]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "big.csv", type="disabled_care").get_json()
    assert "目前没有此类设施" in rep["replaces"]["text"] and "确认导入将被拒绝" in rep["replaces"]["text"]
    pts = shiyan.villages.iloc[[3, 40, 80]]
    lines = ["名称,类型,经度,纬度,示意"] + [f"院{i},农村福利院,{p.x:.6f},{p.y:.6f},{s}" for i, (p, s) in
                                        enumerate(zip(pts.geometry, ["是", "是", "否"]))]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "wh.csv", type="welfare_home").get_json()
    assert "其中 2 行在“示意”列标为示意数据" in rep["replaces"]["text"], rep["replaces"]["text"]


def test_review_a_leading_combining_mark_said_dropped_is_dropped():
    from planner import textrules

    assert textrules.without_refused("\u0301一号路") == "一号路"
    assert textrules.first_refused(textrules.without_refused("\u0301\u200bx"), multiline=False) is None


def test_review_an_upgrade_of_sites_upgraded_already_is_not_called_new_builds(client, shiyan):
    up = client.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade", "k": 2})
    pid = up.get_json()["proposal"]["id"]
    rows = {r["key"]: r for r in client.get(f"/api/targets?proposals={pid}&lang=zh").get_json()}
    assert rows["mutual_aid_upgraded_2025"]["after"]["upgrade_proposals"] is True
    sized = client.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "sized", "sizes": "10",
                                                         "budget_sites": 1})
    if sized.status_code == 201:
        sid = sized.get_json()["proposal"]["id"]
        rows = {r["key"]: r for r in client.get(f"/api/targets?proposals={sid}&lang=zh").get_json()}
        assert rows["mutual_aid_upgraded_2025"]["after"]["upgrade_proposals"] is False


def test_review_the_geojson_and_layers_name_follow_the_language(client):
    r = client.post("/api/proposals?wait=120&lang=en", json={"type": "mutual_aid", "kind": "upgrade", "k": 2})
    pid = r.get_json()["proposal"]["id"]
    zh = client.get(f"/api/proposals/{pid}?lang=zh").get_json()["name"]
    assert client.get(f"/api/proposals/{pid}.geojson?lang=zh").get_json()["coverplan"]["name"] == zh
    assert client.get(f"/api/proposals/{pid}/layers?lang=zh").get_json()["proposal"]["name"] == zh
