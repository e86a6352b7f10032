"""The data-import page's QA defects (qa7): what township and village uploads report, identical
re-imports, the report workbook's sheet name, and the language of map edits' notes."""
from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pytest


def upload(client, content: bytes, name: str, lang: str = "zh", **form):
    data = {"coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post(f"/api/data/uploads?lang={lang}", data=data, content_type="multipart/form-data")


def villages_csv(shiyan, n=3, encoding="gbk") -> bytes:
    v = shiyan.villages.head(n)
    lines = ["代码,经度,纬度"] + [f"{c},{g.x:.6f},{g.y:.6f}" for c, g in zip(v.index, v.geometry)]
    return ("\n".join(lines) + "\n").encode(encoding)


def township_layer(shiyan, crs="EPSG:4326") -> gpd.GeoDataFrame:
    t = shiyan.townships
    g = t.loc[[t.index[5]], ["geometry"]].copy()
    g["code"] = t.index[5]
    return gpd.GeoDataFrame(g.reset_index(drop=True), crs="EPSG:4326").to_crs(crs)


def geojson_bytes(gdf: gpd.GeoDataFrame, with_crs: bool) -> bytes:
    d = json.loads(gdf.to_json())
    if with_crs:
        d["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{gdf.crs.to_epsg()}"}}
    return json.dumps(d).encode("utf-8")


def test_village_csv_reports_its_detected_encoding(client, shiyan):
    for enc, label in (("gbk", "GBK"), ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)")):
        rep = upload(client, villages_csv(shiyan, encoding=enc), "村点.csv", kind="villages").get_json()
        assert rep["counts"]["accepted"] == 3, rep
        assert rep["encoding"] == label
        assert rep["crs"] is None  # lon/lat in a table: no CRS stated (as a facility register's report)
        assert not rep["issues"]


def test_township_geojson_reports_the_crs_it_states_or_the_spec_default(client, shiyan):
    # no "crs" member: GeoJSON is WGS84 lon/lat by its standard, nothing is assumed
    rep = upload(client, geojson_bytes(township_layer(shiyan), False), "乡镇.geojson", kind="townships").get_json()
    assert (rep["crs"], rep["encoding"], rep["counts"]["warnings"]) == ("EPSG:4326", "UTF-8", 0), rep
    rep = upload(client, geojson_bytes(township_layer(shiyan, "EPSG:3857"), True), "乡镇.geojson", "en",
                 kind="townships").get_json()
    assert rep["counts"]["accepted"] == 1 and rep["crs"] == "EPSG:3857", rep


@pytest.mark.parametrize("lang,words", [("zh", "没有给出坐标系"), ("en", "states no coordinate system")])
def test_township_shapefile_without_prj_warns_that_the_crs_was_assumed(client, shiyan, tmp_path, lang, words):
    shp = tmp_path / "towns"
    shp.mkdir()
    township_layer(shiyan).to_file(shp / "towns.shp", encoding="utf-8")
    (shp / "towns.prj").unlink()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in shp.iterdir():
            z.write(f, f.name)
    rep = upload(client, buf.getvalue(), "towns.zip", lang, kind="townships").get_json()
    assert rep["counts"]["accepted"] == 1 and rep["counts"]["warnings"] == 1, rep
    issue = rep["issues"][0]
    assert issue["code"] == "crs_assumed" and issue["severity"] == "warning" and words in issue["message"]
    assert rep["crs"] == "EPSG:4326" and rep["encoding"] == "UTF-8"
    # the downloadable report lists it too, in the language asked then
    other = "en" if lang == "zh" else "zh"
    text = client.get(f"/api/data/uploads/{rep['upload_id']}/report.csv?lang={other}").data.decode("utf-8-sig")
    assert ("states no coordinate system" if other == "en" else "没有给出坐标系") in text


def register_csv(shiyan, address="人民路1号") -> bytes:
    v = shiyan.villages.iloc[[10, 20]]
    lines = ["名称,类型,经度,纬度,地址"] + [f"{r['name'][:-3]}日间照料中心,日间照料中心,{r.geometry.x:.6f},{r.geometry.y:.6f},{address}"
                                          for _, r in v.iterrows()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def versions(client) -> list[int]:
    return [v["version"] for v in client.get("/api/data/versions").get_json()["versions"]]


@pytest.mark.parametrize("kind", ["facilities", "townships", "villages"])
def test_the_same_data_again_is_said_and_its_confirm_refused(client, app, shiyan, kind):
    body, name = {"facilities": (register_csv(shiyan), "名录.csv"),
                  "townships": (geojson_bytes(township_layer(shiyan), False), "乡镇.geojson"),
                  "villages": (villages_csv(shiyan), "村点.csv")}[kind]
    first = upload(client, body, name, kind=kind).get_json()
    assert first["identical"] is None
    v = client.post(f"/api/data/uploads/{first['upload_id']}/confirm").get_json()["version"]
    again = upload(client, body, name, kind=kind).get_json()
    assert again["identical"] == {"version": v, "text": f"本文件的数据与当前版本（v{v}）完全相同，确认不会产生新版本。"}
    en = upload(client, body, name, "en", kind=kind).get_json()
    assert f"exactly the data of the current version (v{v})" in en["identical"]["text"]
    before = versions(client)
    for uid, lang, words in ((again["upload_id"], "zh", "完全相同"), (en["upload_id"], "en", "exactly the data")):
        r = client.post(f"/api/data/uploads/{uid}/confirm?lang={lang}")
        assert r.status_code == 400 and words in r.get_json()["message"], r.get_json()
    assert versions(client) == before


def test_a_register_differing_only_in_an_address_is_not_the_same(client, app, shiyan):
    first = upload(client, register_csv(shiyan), "名录.csv", kind="facilities").get_json()
    client.post(f"/api/data/uploads/{first['upload_id']}/confirm")
    other = upload(client, register_csv(shiyan, "人民路2号"), "名录.csv", kind="facilities").get_json()
    assert other["identical"] is None  # the version diff does not list addresses; this check does
    r = client.post(f"/api/data/uploads/{other['upload_id']}/confirm")
    assert r.status_code == 200 and len(versions(client)) == 3


@pytest.mark.parametrize("lang,sheet", [("zh", "校验报告"), ("en", "Validation report")])
def test_the_report_workbook_sheet_is_named_in_the_language_asked(client, lang, sheet):
    import openpyxl

    body = "名称,类型,经度,纬度\n甲中心,日间照料中心,abc,32.6\n".encode("utf-8")
    uid = upload(client, body, "bad.csv", kind="facilities").get_json()["upload_id"]
    r = client.get(f"/api/data/uploads/{uid}/report.xlsx?lang={lang}")
    assert r.status_code == 200 and "validation-report" in r.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == [sheet, "变更" if lang == "zh" else "Changes"]  # the confirm's changes beside it (QA 33)


def test_edit_notes_are_shown_in_the_language_asked(client, app, shiyan):
    p = shiyan.townships.iloc[40].geometry.representative_point()
    r = client.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "城关 / 新区公墓",
                                             "lon": p.x, "lat": p.y, "note": "县局核实：已验收"}).get_json()
    fid = [f["properties"]["id"] for f in client.get("/api/coverage/cemetery/layers").get_json()["facilities"]["features"]
           if f["properties"]["name"] == "城关 / 新区公墓"][0]
    client.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": fid, "name": "新区公墓"})
    client.post("/api/data/edits", json={"action": "remove", "type": "cemetery", "id": fid})

    def notes(lang):
        return [v["note"] for v in client.get(f"/api/data/versions?lang={lang}").get_json()["versions"][:3]]
    # an edit names the facility as the planner knows it, its id after it (QA 32: the list named ids alone)
    assert notes("zh") == [f"删除 新区公墓（{fid}）", f"更名 城关 / 新区公墓（{fid}）为 新区公墓",
                           f"新增 城关 / 新区公墓（{fid}）：县局核实：已验收"]
    assert notes("en") == [f"removed 新区公墓 ({fid})", f"renamed 城关 / 新区公墓 ({fid}) to 新区公墓",
                           f"added 城关 / 新区公墓 ({fid}): 县局核实：已验收"]
    # stored as before (both languages: the CLI and notes stored earlier read the same)
    store = app.extensions["coverplan"]["datasets"]
    assert store.version(r["version"]).note == f"新增 城关 / 新区公墓（{fid}） / added 城关 / 新区公墓 ({fid})：县局核实：已验收"


def test_an_imports_refused_rows_note_in_one_language(client, app):
    from web.data import note_in

    stored = "年检 （3 行未导入，见校验报告 / 3 rows refused）"
    assert note_in(stored, "zh") == "年检 （3 行未导入，见校验报告）"
    assert note_in(stored, "en") == "年检 (3 rows refused, see the report)"
    assert note_in("a free note / with a slash", "en") == "a free note / with a slash"


def test_a_county_planners_check_of_other_counties_villages_is_reported_not_refused(tmp_path, shiyan):
    """The identical-data check runs a county planner's scope first: rows outside his county must
    not turn the check (which writes nothing) into a 403; the confirm refuses them as before."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "AUTH": "required",
                      "CSRF_ENABLED": False})
    app.extensions["coverplan"]["users"].add("fang", "planner", "420325", password="qa7-password-x", must_change=False)
    c = app.test_client()
    assert c.post("/login", json={"name": "fang", "password": "qa7-password-x"}).status_code == 200
    v = shiyan.villages[shiyan.villages["county_code"] != "420325"].head(2)
    body = ("代码,经度,纬度\n" + "".join(f"{k},{g.x:.6f},{g.y:.6f}\n" for k, g in zip(v.index, v.geometry))).encode()
    r = upload(c, body, "村点.csv", kind="villages")
    assert r.status_code == 200 and r.get_json()["identical"] is None, r.data[:300]
    assert c.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm").status_code == 403
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_village_file_in_another_encoding_than_the_form_says(client, shiyan, lang):
    r = upload(client, villages_csv(shiyan), "村点.csv", lang, kind="villages", encoding="utf-8")
    msg = r.get_json()["message"]
    assert r.status_code == 400 and "UTF-8" in msg
    assert "--encoding" not in msg and "codec" not in msg and "position" not in msg  # no CLI flag, no Python error
