"""QA sweep 8 (data): a facility changed on the map is credited to that edit (a sample row so changed is
no longer wholly synthetic), English county names are accepted, a shapefile's .cpg encoding is reported,
null ids in edits are 400s, /api/csrf answers before login, and the CLI's users list names the county."""
from __future__ import annotations

import io

import pytest



def point(shiyan, i=0):
    return shiyan.townships.iloc[i].geometry.representative_point()


def props(client, type_key="day_care"):
    fc = client.get(f"/api/coverage/{type_key}/layers").get_json()["facilities"]["features"]
    return {f["properties"]["id"]: f["properties"] for f in fc}


def misplaced_register(shiyan) -> tuple[bytes, str, str]:
    """One day-care centre at a village of one township whose row names another township of the county."""
    t, v = shiyan.townships, shiyan.villages
    here = v.iloc[100]
    other = t[(t["county_code"] == here["county_code"]) & (t.index != here["township_code"])]
    other = other[~other["name"].duplicated(keep=False)].iloc[0]
    row = f"测试日间照料中心,日间照料中心,{here.geometry.x:.6f},{here.geometry.y:.6f},{other['name']}"
    return ("名称,类型,经度,纬度,乡镇\n" + row + "\n").encode("utf-8"), other["name"], str(other.name)


def test_a_changed_sample_row_takes_the_edit_version_and_says_so(client, shiyan):
    p = point(shiyan, 5)
    # an edit of the sample layer makes the layer's version; the sample rows untouched stay 示意 without a source
    v_add = client.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "新增甲",
                                                 "lon": p.x, "lat": p.y}).get_json()["version"]
    rows = props(client)
    sample_id = next(k for k, x in rows.items() if x["synthetic"])
    assert rows[sample_id].get("source_version") is None
    v_r = client.post("/api/data/edits", json={"action": "rename", "type": "day_care", "id": sample_id,
                                               "name": "改名的示例"}).get_json()["version"]
    assert v_r > v_add
    rows = props(client)
    r = rows[sample_id]
    assert r["source_version"] == v_r and r["source_edited"] is True and r["source_file"] == ""
    assert r["source_text"] == f"示例数据（示意），在地图上修改（数据版本 {v_r}）"
    added = next(x for x in rows.values() if x["name"] == "新增甲")
    assert added["source_version"] == v_add and added["source_text"] == f"在地图上添加（数据版本 {v_add}）"
    # a later edit of another row keeps the changed sample row's version
    other = next(k for k, x in rows.items() if x["synthetic"] and k != sample_id)
    v_m = client.post("/api/data/edits", json={"action": "move", "type": "day_care", "id": other,
                                               "lon": p.x, "lat": p.y}).get_json()["version"]
    rows = props(client)
    assert rows[sample_id]["source_version"] == v_r and rows[other]["source_version"] == v_m
    en = {f["properties"]["id"]: f["properties"] for f in client.get(
        "/api/coverage/day_care/layers?lang=en").get_json()["facilities"]["features"]}
    assert en[other]["source_text"] == f"sample data (illustrative), changed on the map (data version {v_m})"


def test_an_imported_row_edited_on_the_map_is_credited_to_the_edit_not_the_file(client, shiyan):
    body, _, _ = misplaced_register(shiyan)
    rep = client.post("/api/data/uploads", data={"coords": "wgs84", "kind": "facilities", "type": "day_care",
                                                 "file": (io.BytesIO(body), "cem.csv")},
                      content_type="multipart/form-data").get_json()
    v_import = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"]
    fid = next(k for k, x in props(client).items() if x["name"] == "测试日间照料中心")
    assert props(client)[fid]["source_text"] == f"规划人员提供（cem.csv，数据版本 {v_import}）"
    v_e = client.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": fid,
                                               "fields": {"remark": "已核实"}}).get_json()["version"]
    r = props(client)[fid]
    assert r["source_version"] == v_e and r["source_file"] == "cem.csv" and r["source_edited"] is True
    assert r["source_text"] == f"规划人员提供（cem.csv），在地图上修改（数据版本 {v_e}）"
    assert f"cem.csv，数据版本 {v_e}" not in r["source_text"]


# -- 2. English county names in a county argument ----------------------------------------------------------
def test_county_arguments_take_english_names_any_case(client):
    for name in ("Yunxi County", "yunxi county", "YUNXI", " Yunxi ", "郧西县", "郧西", "420322"):
        r = client.get(f"/api/townships?county={name}&lang=en")
        assert r.status_code == 200, (name, r.get_json())
        rows = r.get_json()
        assert rows and all(x["county_code"] == "420322" for x in rows)
        fac = client.get(f"/api/facilities?county={name}").get_json()["rows"]
        assert fac and all(x["county_code"] == "420322" for x in fac)
    csv = client.get("/api/townships.csv?county=Yunxi County&lang=en")
    assert csv.status_code == 200 and "Yunxi County (420322)" in csv.get_data(as_text=True)


def test_an_unknown_county_is_refused_listing_code_and_name_in_the_language_asked(client):
    for bad in ("Atlantis", "县", "County", "<script>", "420399", "a" * 300):
        en = client.get("/api/townships", query_string={"county": bad, "lang": "en"})
        assert en.status_code == 400
        m = en.get_json()["message"]
        assert "Yunxi County (420322)" in m and "郧西县" not in m
        zh = client.get("/api/townships", query_string={"county": bad, "lang": "zh"})
        m = zh.get_json()["message"]
        assert "郧西县（420322）" in m and "Yunxi" not in m


# -- 3. a Shapefile's .cpg is the encoding reported ----------------------------------------------------------
def _gbk_shapefile(tmp_path, cpg: bytes | None):
    import zipfile

    import geopandas as gpd
    import shapely

    d = tmp_path / "shp"
    d.mkdir()
    gdf = gpd.GeoDataFrame({"code": ["420302201"], "名称": ["茅塔乡"]},
                           geometry=[shapely.box(110.80, 32.40, 110.95, 32.55)], crs="EPSG:4326").to_crs("EPSG:4546")
    gdf.to_file(d / "乡镇界.shp", encoding="gbk")
    for p in d.glob("*.cpg"):
        p.unlink()
    if cpg is not None:
        (d / "乡镇界.cpg").write_bytes(cpg)
    z = tmp_path / "twn.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in d.iterdir():
            zf.write(p, p.name)
    return z, d / "乡镇界.shp"


def test_a_shapefile_read_by_its_cpg_reports_that_encoding(tmp_path):
    from geo.imports import read_gis

    z, shp = _gbk_shapefile(tmp_path, b"GBK")
    for path in (z, shp):
        g = read_gis(path)
        assert g.attrs["encoding"] == "GBK" and list(g["名称"]) == ["茅塔乡"]
    assert read_gis(z, encoding="gbk").attrs["encoding"] == "GBK"


def test_a_cpg_naming_no_encoding_is_not_reported(tmp_path):
    from geo.imports import read_gis

    z, _ = _gbk_shapefile(tmp_path, b"<script>alert(1)</script>")
    assert read_gis(z).attrs["encoding"] != "<script>alert(1)</script>"


def test_the_upload_report_says_the_cpg_encoding(client, tmp_path):
    z, _ = _gbk_shapefile(tmp_path, b"GBK\r\n")
    rep = client.post("/api/data/uploads?lang=zh", data={"kind": "townships", "file": (open(z, "rb"), "twn.zip")},
                      content_type="multipart/form-data").get_json()
    assert rep.get("encoding") == "GBK", rep


# -- 4. a null or non-text id in an edit is a 400 naming it ---------------------------------------------------
@pytest.mark.parametrize("value", [None, 7, "", "   ", ["x"], {"a": 1}, True])
@pytest.mark.parametrize("body,param", [
    ({"action": "mark", "mark": "required"}, "candidate_id"),
    ({"action": "move_site", "lon": 110.8, "lat": 32.6}, "id"),
    ({"action": "remove_site"}, "id"),
    ({"action": "rename", "name": "新名"}, "id"),
    ({"action": "remove"}, "id"),
])
def test_a_null_or_non_text_id_is_a_400_naming_it(client, app, value, body, param):
    store = app.extensions["coverplan"]["datasets"]
    fp = store.fingerprint()
    for lang in ("zh", "en"):
        r = client.post(f"/api/data/edits?lang={lang}", json={**body, "type": "day_care", param: value})
        assert r.status_code == 400, r.get_json()
        j = r.get_json()
        assert j["details"]["parameter"] == param and param in j["message"]
        assert "None" not in j["message"] and "未找到" not in j["message_zh"]
    assert store.fingerprint() == fp


# -- 5. English validation report: English county names, an ASCII colon ----------------------------------
def test_the_english_report_names_counties_in_english(client, shiyan):
    body, _, code = misplaced_register(shiyan)
    county = shiyan.counties.loc[shiyan.townships.loc[code, "county_code"]]
    town = shiyan.townships.loc[code, "name"]
    # a second row: a village name several places have, answered with candidates to pick from
    v = shiyan.villages
    twice = v[v["name"].duplicated(keep=False)]["name"].iloc[0]
    body += f"测试二,日间照料中心,,,,{twice}\n".encode()
    body = body.replace("乡镇\n".encode(), "乡镇,村\n".encode(), 1)
    for lang in ("en", "zh"):
        rep = client.post(f"/api/data/uploads?lang={lang}", data={"coords": "wgs84", "kind": "facilities",
                                                                  "file": (io.BytesIO(body), "reg.csv")},
                          content_type="multipart/form-data").get_json()
        issue = next(i for i in rep["issues"] if i["code"] == "outside_named_township")
        if lang == "en":
            assert f"{county['name_en']}·{town}" in issue["message"] and county["name"] not in issue["message"]
        else:
            assert f"{county['name']}·{town}" in issue["message"]
        cands = [c for i in rep["issues"] for c in i.get("candidates") or []]
        assert cands and all(c["path_en"].split("·")[0] in set(shiyan.counties["name_en"]) for c in cands)
        xlsx = client.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang=en")
        assert xlsx.status_code == 200


# -- 6. the documented script flow under a required login: /api/csrf, then /login, then the API ------------
def test_a_script_gets_the_token_before_login_and_logs_in_with_it(tmp_path):
    from conftest import plain_client  # no token or Origin of its own: what curl has
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "AUTH": "required"})
    try:
        app.extensions["coverplan"]["users"].add("li", "planner", None, password="pw-long-enough-1", must_change=False)
        c = plain_client(app)
        r = c.get("/api/csrf")
        assert r.status_code == 200, r.get_json()
        token = r.get_json()["token"]
        assert token and "cp_csrf" in r.headers.get("Set-Cookie", "")
        # without the token a login is still refused; with it the script is in
        assert c.post("/login", json={"name": "li", "password": "pw-long-enough-1"}).status_code == 403
        r = c.post("/login", json={"name": "li", "password": "pw-long-enough-1"}, headers={"X-CSRF-Token": token})
        assert r.status_code == 200, r.get_json()
        # the API is still closed to one who has only the token
        other = plain_client(app)
        other.get("/api/csrf")
        assert other.get("/api/townships").status_code == 401
        assert c.get("/api/townships").status_code == 200
        # the token belongs to the login (QA 18): the one from before it is refused, the login's own is taken
        login_token = r.get_json()["csrf"]
        assert login_token != token
        r = c.post("/api/data/rollback", json={"version": "x"}, headers={"X-CSRF-Token": token})
        assert r.status_code == 403
        r = c.post("/api/data/rollback", json={"version": "x"}, headers={"X-CSRF-Token": login_token})
        assert r.status_code == 400  # past the CSRF check: the answer is about the body
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 7 (and 5 on the page). /data in Chromium: the network's formats, its colours, the candidates' colon ------
from browser import browser, page, server  # noqa: E402,F401  (fixtures: only the tests below start them)


def _fake_network_job(page, near, total=100):
    import json

    page.route("**/api/data/uploads?*", lambda r: r.fulfill(
        status=202, content_type="application/json", body=json.dumps({"kind": "network", "id": "jobqa8", "state": "queued"})))
    page.route("**/api/jobs/jobqa8*", lambda r: r.fulfill(content_type="application/json", body=json.dumps(
        {"id": "jobqa8", "state": "done", "progress": 1, "result": {"nodes": 27, "edges": 66, "version": 1,
                                                                    "villages": total, "villages_near": near}})))


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("near,red,note", [(100, False, False), (80, False, True), (30, True, True)])
def test_the_network_upload_says_its_formats_and_is_red_only_when_most_villages_are_off(page, tmp_path, lang,
                                                                                       near, red, note):
    _fake_network_job(page, near)
    page.goto(page.base + f"/data?lang={lang}")
    hint = page.locator("#u-formats")
    assert "Excel" in hint.inner_text()
    page.select_option("#u-kind", "network")
    assert "Excel" not in hint.inner_text() and ".osm.pbf" in hint.inner_text() and ".graphml" in hint.inner_text()
    assert ".osm" in page.locator("#u-file").get_attribute("accept")
    f = tmp_path / "town.osm"
    f.write_text("<osm/>")
    page.set_input_files("#u-file", str(f))
    page.click("#u-check")
    status = page.locator("#u-status")
    page.wait_for_function("document.getElementById('u-status').textContent.indexOf('27') >= 0")
    cls = status.get_attribute("class")
    assert ("bad" in cls) is red and ("good" in cls) is (not red)
    partial = "请上传覆盖全市的路网" if lang == "zh" else "upload a network that covers it"
    assert (partial in status.inner_text()) is note
    page.screenshot(path=str(tmp_path / f"net_{lang}_{near}.png"))
    page.select_option("#u-kind", "facilities")
    assert "Excel" in hint.inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_candidates_read_in_the_page_language(page, shiyan, tmp_path, lang):
    v = shiyan.villages
    twice = v[v["name"].duplicated(keep=False)]["name"].iloc[0]
    f = tmp_path / "reg.csv"
    f.write_text(f"名称,类型,村\n测试二,日间照料中心,{twice}\n", encoding="utf-8")
    page.goto(page.base + f"/data?lang={lang}")
    page.select_option("#u-kind", "facilities")
    page.set_input_files("#u-file", str(f))
    page.click("#u-check")
    page.wait_for_function("document.getElementById('report').dataset.ready === '1'")
    text = page.locator("#issues .candidates").first.inner_text()
    page.screenshot(path=str(tmp_path / f"cands_{lang}.png"), full_page=True)
    en_counties = set(shiyan.counties["name_en"])
    if lang == "en":
        assert text.startswith("Candidates: ") and "：" not in text
        assert any(n in text for n in en_counties) and not any(n in text for n in shiyan.counties["name"])
    else:
        assert text.startswith("可能是：") and not any(n in text for n in en_counties)


# -- 8. coverplan users: list --json names the county, add's errors read as the other commands' --------------
def _cli(capsys, *argv):
    from cli.main import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_list_json_names_the_county_and_add_errors_read_as_the_other_commands(tmp_path, capsys):
    import json

    db = str(tmp_path / "p.sqlite")
    assert _cli(capsys, "users", "add", "wang", "--role", "planner", "--county", "房县", "--db", db)[0] == 0
    assert _cli(capsys, "users", "add", "boss", "--role", "admin", "--db", db)[0] == 0
    rows = {r["name"]: r for r in json.loads(_cli(capsys, "users", "list", "--json", "--db", db)[1])}
    assert rows["wang"]["county_name"] == "房县" and rows["boss"]["county_name"] == ""
    rows = {r["name"]: r for r in json.loads(_cli(capsys, "--lang", "en", "users", "list", "--json", "--db", db)[1])}
    assert rows["wang"]["county_name"] == "Fang County"
    code, _, err = _cli(capsys, "users", "add", "li", "--role", "planner", "--county", "Atlan\"tis", "--db", db)
    assert code == 2 and err.startswith("错误：") and "错误: " not in err and "“Atlan" in err
    code, _, err = _cli(capsys, "users", "add", "wang", "--role", "viewer", "--db", db)
    assert code == 2 and err.startswith("错误：")
    code, _, err = _cli(capsys, "--lang", "en", "users", "add", "li", "--role", "planner", "--county", "Atlantis",
                        "--db", db)
    assert code == 2 and err.startswith("error: ") and '"Atlantis"' in err
