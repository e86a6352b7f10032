"""QA sweep 19 (2026-12-05): what the sweep found, each fixed with a test of the outcome."""
from __future__ import annotations

import re

import pytest
from accounts import PW, accounts_app, signed_in

ACCOUNTS = [("admin1", "admin", None), ("li", "planner", None)]


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, ACCOUNTS)
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def intro(page: str) -> str:
    """The password form's introductory note (the page also carries the whole i18n table)."""
    m = re.search(r'<p class="muted small">(.*?)</p>', page)
    assert m, "the password page has no introductory note"
    return m.group(1)


# -- the password page speaks of a one-time password only when there is one -------------------------
def test_a_voluntary_password_change_is_not_told_about_a_one_time_password(app):
    c = signed_in(app, "li")
    note = intro(c.get("/account/password?lang=en").get_data(as_text=True))
    assert "one-time password" not in note
    assert "at least 8 characters" in note and "other browsers or devices" in note
    answer = c.post("/account/password?lang=en", json={"current": PW, "new": PW, "again": PW})
    assert answer.status_code == 400
    assert answer.get_json()["message_en"] == "Choose a password other than the current one."


def test_a_reset_password_still_asks_for_the_one_time_password_to_be_replaced(app):
    users = app.extensions["coverplan"]["users"]
    users.set_password("li", PW, must_change=True)
    c = signed_in(app, "li")
    assert "一次性密码" in intro(c.get("/account/password").get_data(as_text=True))


# -- a query parameter an API read does not take is refused, not ignored -----------------------------
@pytest.mark.parametrize("url, unknown", [
    ("/api/coverage?type=cemetery", ["type"]),           # /api/coverage lists every type: type is not read
    ("/api/coverage/cemetery?mdoe=network", ["mdoe"]),   # a misspelt mode would have measured the estimate
    ("/api/townships?tpye=cemetery&county=420325", ["tpye"]),
    ("/api/search?q=wu&limit=3&x=1&y=2", ["x", "y"]),
])
def test_an_api_read_refuses_a_parameter_it_does_not_read(app, url, unknown):
    c = signed_in(app, "li")
    answer = c.get(url + "&lang=en")
    assert answer.status_code == 400, answer.get_data(as_text=True)[:200]
    body = answer.get_json()
    assert body["details"]["parameters"] == unknown
    assert all(name in body["message"] for name in unknown)
    assert "check the spelling" in body["message"]
    assert answer.headers["Content-Security-Policy"]  # the refusal keeps the security headers
    zh = c.get(url + "&lang=zh").get_json()["message"]
    assert zh.startswith("未知参数")


def test_the_refusal_lists_what_the_endpoint_reads_and_good_reads_still_answer(app):
    c = signed_in(app, "li")
    body = c.get("/api/townships?county=420325&bogus=1&lang=en").get_json()
    assert {"county", "type", "status"} <= set(body["details"]["reads"])
    assert c.get("/api/townships?county=420325&type=cemetery&status=met&lang=en").status_code == 200
    assert c.get("/api/coverage/cemetery?mode=estimate&units=1&lang=en").status_code == 200
    assert c.get("/api/coverage?lang=en&_=12345").status_code == 200  # a cache-buster is no parameter
    # a page is not an API read: its query string stays the page's business
    assert c.get("/townships?bogus=1").status_code == 200
    # a bad value of a parameter read gets the view's own, more precise error
    assert c.get("/api/coverage/cemetery?mode=bogus").status_code == 400


# -- the conversion target counts conversions, and a home is not counted as upgraded and converted ---------
def _saved(client, body) -> str:
    r = client.post("/api/proposals?wait=120", json=body)
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]["id"]


def test_new_regional_centres_do_not_count_as_conversions_of_welfare_homes(tmp_path):
    """QA 19: a location proposal building 8 new regional centres read "8 / 8 met" on "convert at least 8
    rural welfare homes"; with the conversion too, "16 / 8"."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    client = app.test_client()
    try:
        built = _saved(client, {"type": "regional_center", "model": "mclp", "p": 3})
        conv = _saved(client, {"type": "welfare_home", "kind": "upgrade", "k": 8, "convert": True})
        up = _saved(client, {"type": "welfare_home", "kind": "upgrade", "k": 15})

        rows = {r["key"]: r for r in client.get(f"/api/targets?proposals={built}&lang=en").get_json()}
        a = rows["regional_center_new_2025"]["after"]
        assert a["value"] == rows["regional_center_new_2025"]["value"] and a["sites_converted"] == 0
        assert a["sites_built_not_counted"] == 3 and a["status"] == "not_met"
        assert any("new-built sites do not count" in n for n in a["notes"])

        rows = {r["key"]: r for r in client.get(f"/api/targets?proposals={built},{conv}&lang=zh").get_json()}
        a = rows["regional_center_new_2025"]["after"]
        assert a["sites_converted"] == 8 and a["value"] == rows["regional_center_new_2025"]["value"] + 8

        # the upgrade of 15 and the conversion of 8: homes in both count as converted only
        conv_ids = {s["id"] for s in client.get(f"/api/proposals/{conv}").get_json()["sites"]}
        up_ids = {s["id"] for s in client.get(f"/api/proposals/{up}").get_json()["sites"]}
        both = len(conv_ids & up_ids)
        assert both > 0  # the sample's 15 best upgrades and 8 best conversions share homes (2 on the sample)
        rows = {r["key"]: r for r in client.get(f"/api/targets?proposals={conv},{up}&lang=zh").get_json()}
        a = rows["welfare_home_upgraded_2025"]["after"]
        assert a["sites_upgraded"] == 15 - both and a["also_converted"] == both
        assert any(f"另有 {both} 处同时被转型" in n for n in a["notes"])
        csv = client.get(f"/plan/targets.csv?proposals={built},{conv}&lang=zh").get_data(as_text=True)
        line = next(x for x in csv.splitlines() if "转型建设区域性特困供养服务中心" in x)
        assert "转型 8 处" in line and "新建的 3 处不计入转型目标" in line, line
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_cli_targets_say_what_a_conversion_counts(capsys, tmp_path):
    from cli.main import main

    out = tmp_path / "conv.geojson"
    assert main(["upgrade", "--type", "welfare_home", "--k", "8", "--convert", "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    assert main(["--lang", "en", "targets", "--proposal", str(out)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "regional centres" in x)
    assert "→  8 ✓" in line and "8 converted" in line, line


# -- a location proposal's GeoJSON says what is illustrative -----------------------------------------
def test_a_location_proposals_geojson_carries_the_synthetic_flag_and_notes(app, tmp_path, capsys):
    client = signed_in(app, "li")
    pid = _saved(client, {"type": "elderly_complex", "model": "mclp", "p": 2})
    meta = client.get(f"/api/proposals/{pid}.geojson").get_json()["coverplan"]
    assert meta["synthetic_inputs"] is True
    assert any("示意" in n for n in meta["notes_zh"]) and any("synthetic" in n for n in meta["notes_en"])

    from cli.main import main
    out = tmp_path / "p.geojson"
    assert main(["propose", "--type", "elderly_complex", "--p", "2", "--out", str(out), "--json"]) == 0
    import json
    meta = json.loads(out.read_text(encoding="utf-8"))["coverplan"]
    assert meta["synthetic_inputs"] is True and any("示意" in n for n in meta["notes_zh"])


# -- a township polygon of no area is refused (it took every page of the city down once confirmed) ------
ZERO = '{"type":"Feature","properties":{"code":"420325101"},"geometry":{"type":"Polygon","coordinates":%s}}'
DEGENERATE = {
    "points": "[[[110.7,32.5],[110.7,32.5],[110.7,32.5],[110.7,32.5]]]",
    "line": "[[[110.6,32.1],[110.7,32.1],[110.65,32.1],[110.6,32.1]]]",
    "one square metre": "[[[110.62,32.11],[110.62001,32.11],[110.62001,32.11001],[110.62,32.11]]]",
}


@pytest.mark.parametrize("what", sorted(DEGENERATE))
def test_a_township_polygon_of_no_area_is_refused_and_the_pages_stay_up(tmp_path, what):
    import io

    app = accounts_app(tmp_path, [("fang", "planner", "420325")])
    try:
        c = signed_in(app, "fang")
        body = ('{"type":"FeatureCollection","features":[' + ZERO % DEGENERATE[what] + "]}").encode()
        r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
                   data={"kind": "townships", "coords": "wgs84", "file": (io.BytesIO(body), "t.geojson")})
        assert r.status_code in (400, 422), r.data[:300]
        assert "420325101" in r.get_json()["message"] and "no area" in r.get_json()["message"]
        assert c.get("/api/data/versions").get_json()["current"] == 0
        assert c.get("/api/townships/at?lon=110.622645&lat=32.111887").status_code == 200
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_stored_empty_township_polygon_keeps_the_township_where_it_was(shiyan):
    """A version written before the check (or by hand) must not leave the region unloadable."""
    import geopandas as gpd
    import shapely

    from geo.imports import overlay_townships
    official = gpd.GeoDataFrame({"code": ["420325101"]}, geometry=[shapely.Polygon()], crs="EPSG:4326")
    towns = overlay_townships(shiyan.townships, shiyan.counties, official)
    assert towns.loc["420325101", "geometry"].equals(shiyan.townships.loc["420325101", "geometry"])


# -- requests that take no body refuse one -----------------------------------------------------------
def test_a_confirm_reset_rerun_cancel_or_delete_refuses_a_body_and_does_nothing(app):
    admin = signed_in(app, "admin1")
    users = app.extensions["coverplan"]["users"]
    stamp = users.by_name("li").stamp
    for body, kw in ((b"garbage{", {"content_type": "text/plain"}), (b'{"bogus": 1}', {"content_type": "application/json"})):
        r = admin.post("/api/admin/users/li/reset?lang=en", data=body, **kw)
        assert r.status_code == 400, r.data[:200]
        assert "password" not in (r.get_json() or {})
    assert users.by_name("li").stamp == stamp  # no new password, no session ended
    r = admin.post("/api/admin/users/li/reset?lang=en", json={"bogus": 1})
    assert "takes no fields" in r.get_json()["message"], r.get_json()
    # an empty body and {} still reset (the admin page sends {})
    assert admin.post("/api/admin/users/li/reset", json={}).status_code == 200
    assert admin.post("/api/admin/users/li/reset").status_code == 200
    pid = _saved(admin, {"type": "elderly_complex", "model": "mclp", "p": 1})
    assert admin.post(f"/api/proposals/{pid}/rerun", data=b"x", content_type="text/plain").status_code == 400
    assert admin.delete(f"/api/proposals/{pid}", json={"really": True}).status_code == 400
    assert admin.get(f"/api/proposals/{pid}").status_code == 200
    assert admin.delete(f"/api/proposals/{pid}").status_code in (200, 204)


def test_a_confirm_with_a_body_imports_nothing(app, shiyan):
    import io
    c = signed_in(app, "admin1")
    g = shiyan.villages.geometry.iloc[5]
    csv = f"名称,类型,经度,纬度\n院1,日间照料中心,{g.x:.6f},{g.y:.6f}\n".encode()
    rep = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
                 data={"kind": "facilities", "coords": "wgs84", "file": (io.BytesIO(csv), "d.csv")}).get_json()
    uid = rep["upload_id"]
    assert c.post(f"/api/data/uploads/{uid}/confirm", data=b"garbage{", content_type="text/plain").status_code == 400
    assert c.post(f"/api/data/uploads/{uid}/confirm", json={"bogus": 1}).status_code == 400
    assert c.get("/api/data/versions").get_json()["current"] == 0
    assert c.post(f"/api/data/uploads/{uid}/confirm").status_code == 200  # still there to confirm


def test_a_script_logging_out_with_accept_json_gets_json(app):
    c = signed_in(app, "li")
    r = c.post("/logout", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.get_json()["logged_out"] is True and r.get_json()["csrf"]


# -- coverplan serve on a busy port or a bad host: said, before anything is written -------------------------
def test_serve_says_a_busy_port_and_a_bad_host_in_words(tmp_path, capsys, monkeypatch):
    import json
    import socket

    from cli.main import main

    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        assert main(["--lang", "en", "serve", "--port", str(port), "--no-warm", "--json"]) == 2
        err = json.loads(capsys.readouterr().out)
        assert err["details"] == {"parameter": "--port", "value": port} and "is in use" in err["message"]
    finally:
        busy.close()
    assert main(["serve", "--host", "999.1.1.1", "--port", "5", "--no-warm"]) == 2
    assert "不是本机的地址或主机名" in capsys.readouterr().err
    assert not (tmp_path / "var").exists()  # nothing built or written: no first admin account made


@pytest.mark.parametrize("name", [".", "..", "..."])
def test_a_user_name_of_dots_alone_is_refused(app, name):
    admin = signed_in(app, "admin1")
    r = admin.post("/api/admin/users?lang=en", json={"name": name, "role": "viewer"})
    assert r.status_code == 400 and "not dots alone" in r.get_json()["message"]
    assert admin.post("/api/admin/users", json={"name": "a.b", "role": "viewer"}).status_code == 201


# -- a backup whose database lost a table (its accounts) is refused, not restored --------------------------
def test_a_backup_whose_accounts_table_was_dropped_is_refused(tmp_path):
    import hashlib
    import json
    import sqlite3
    import zipfile

    from geo import backup as bk
    from geo.errors import CoverplanError
    from web.users import UserStore

    site = tmp_path / "site"
    site.mkdir()
    db = site / "app.sqlite"
    UserStore(db).add("li", "planner", None, password=PW, must_change=False)
    good = tmp_path / "good.zip"
    assert bk.backup(db, out=good)["tables"]["users"] == 1

    work = tmp_path / "w"
    work.mkdir()
    with zipfile.ZipFile(good) as z:
        z.extractall(work)
    con = sqlite3.connect(work / "database.sqlite")
    con.execute("DROP TABLE users")
    con.commit()
    con.execute("VACUUM")
    con.close()
    m = json.loads((work / "manifest.json").read_text())
    data = (work / "database.sqlite").read_bytes()
    m["files"]["database.sqlite"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (work / "manifest.json").write_text(json.dumps(m))
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for f in sorted(p for p in work.rglob("*") if p.is_file()):
            z.write(f, f.relative_to(work).as_posix())
    with pytest.raises(CoverplanError) as err:
        bk.restore(bad, db)
    assert "users" in err.value.message("en") and "edited" in err.value.message("en")
    assert UserStore(db).by_name("li") is not None  # nothing changed
    assert bk.restore(good, db)["accounts"] == 1


# -- an edit that changes nothing makes no version -------------------------------------------------------------
def test_an_edit_that_changes_nothing_makes_no_version(app):
    c = signed_in(app, "admin1")
    row = next(r for r in c.get("/api/facilities?type=elderly_complex").get_json()["rows"] if r["capacity"] is None) \
        if any(r["capacity"] is None for r in c.get("/api/facilities?type=elderly_complex").get_json()["rows"]) \
        else c.get("/api/facilities?type=elderly_complex").get_json()["rows"][0]
    v0 = c.get("/api/data/versions").get_json()["current"]
    same = {"capacity": row["capacity"] if row["capacity"] is not None else ""}
    r = c.post("/api/data/edits?lang=en", json={"action": "update", "type": "elderly_complex", "id": row["id"],
                                                "fields": same})
    assert r.status_code == 400 and "nothing to change" in r.get_json()["message"], r.get_json()
    r = c.post("/api/data/edits?lang=en", json={"action": "move", "type": "elderly_complex", "id": row["id"],
                                                "lon": row["lon"] + 1e-13, "lat": row["lat"]})
    assert r.status_code == 400 and "already at that point" in r.get_json()["message"], r.get_json()
    assert c.get("/api/data/versions").get_json()["current"] == v0
    # a real change still makes one
    r = c.post("/api/data/edits", json={"action": "update", "type": "elderly_complex", "id": row["id"],
                                        "fields": {"remark": "新备注"}})
    assert r.status_code == 200 and c.get("/api/data/versions").get_json()["current"] == v0 + 1
    r = c.post("/api/data/edits", json={"action": "move", "type": "elderly_complex", "id": row["id"],
                                        "lon": row["lon"] + 0.0001, "lat": row["lat"]})
    assert r.status_code == 200, r.get_json()


# -- a type with no facility in the sample register is still 示意 -------------------------------------------------
def test_a_type_the_sample_register_lacks_is_reported_as_synthetic(app, shiyan):
    import io
    c = signed_in(app, "admin1")
    d = c.get("/api/coverage/disabled_care").get_json()
    assert d["facilities"] == 0 and d["synthetic_inputs"] is True and d["facilities_synthetic"] is True
    assert c.get("/api/coverage/disabled_care/layers").get_json()["facilities_synthetic"] is True
    # the planner's own register of the type: its facilities are not the sample any more
    g = shiyan.townships.loc["420325101"]
    csv = f"名称,类型,经度,纬度\n房县失能照护中心,失能失智老人养护设施,{g.seat_lon:.6f},{g.seat_lat:.6f}\n".encode()
    rep = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
                 data={"kind": "facilities", "coords": "wgs84", "file": (io.BytesIO(csv), "d.csv")}).get_json()
    assert rep["counts"]["accepted"] == 1, rep["issues"]
    assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    assert c.get("/api/coverage/disabled_care/layers").get_json()["facilities_synthetic"] is False
    assert c.get("/api/coverage/disabled_care").get_json()["facilities_synthetic"] is False


def test_non_finite_geojson_coordinates_are_not_called_projected(shiyan, tmp_path):
    from planner.register import validate_register

    p = tmp_path / "nan.geojson"
    p.write_text('{"type":"FeatureCollection","features":['
                 '{"type":"Feature","properties":{"name":"A","type":"日间照料中心"},'
                 '"geometry":{"type":"Point","coordinates":[NaN,Infinity]}},'
                 '{"type":"Feature","properties":{"name":"D","type":"日间照料中心"},'
                 '"geometry":{"type":"Point","coordinates":[110.78,32.58]}}]}', encoding="utf-8")
    rep = validate_register(p, region=shiyan)  # it was a file error: "the coordinates look projected (nan, inf)"
    # (QA 25: said not a number, as a table's "nan" is, no longer "no coordinates and no place names")
    assert [i.code for i in rep.issues if i.severity == "error"] == ["non_numeric"]
    assert len(rep.accepted) == 1


def test_a_table_of_thousands_of_columns_is_refused_shortly(shiyan, tmp_path):
    from geo.errors import InputDataError
    from geo.tables import MAX_COLUMNS
    from planner.register import validate_register

    p = tmp_path / "wide.csv"
    n = 20_000
    p.write_text(",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" for _ in range(n)) + "\n")
    with pytest.raises(InputDataError) as err:
        validate_register(p, region=shiyan)
    msg = err.value.message("en")
    assert f"{n:,} columns" in msg and str(MAX_COLUMNS) in msg and len(str(err.value.to_dict("en"))) < 2000


def test_a_rollback_version_shows_the_rows_of_the_layer_it_restored(app, shiyan):
    import io
    c = signed_in(app, "admin1")
    before = next(v for v in c.get("/api/data/versions").get_json()["versions"] if v["version"] == 0)
    g = shiyan.villages.geometry.iloc[7]
    csv = f"名称,类型,经度,纬度\n照料1,日间照料中心,{g.x:.6f},{g.y:.6f}\n".encode()
    rep = c.post("/api/data/uploads", content_type="multipart/form-data",
                 data={"kind": "facilities", "coords": "wgs84", "file": (io.BytesIO(csv), "d.csv")}).get_json()
    assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    assert c.post("/api/data/rollback", json={"version": 0}).status_code == 200
    rows = c.get("/api/data/versions?lang=en").get_json()["versions"]
    back = rows[0]
    assert back["kind"] == "rollback" and back["rows"] == before["counts"]["facilities:day_care"], back


def test_an_upload_with_a_field_or_file_twice_is_refused(app, shiyan):
    import io
    c = signed_in(app, "admin1")
    g = shiyan.villages.geometry.iloc[7]
    csv = f"名称,类型,经度,纬度\n照料1,日间照料中心,{g.x:.6f},{g.y:.6f}\n".encode()
    for data in ({"kind": ["facilities", "villages"], "file": (io.BytesIO(csv), "d.csv")},
                 {"kind": "facilities", "file": [(io.BytesIO(csv), "d.csv"), (io.BytesIO(csv), "e.csv")]},
                 {"kind": "facilities", "file": (io.BytesIO(csv), "d.csv"), "file2": (io.BytesIO(csv), "e.csv")}):
        r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data", data=data)
        assert r.status_code == 400, r.data[:300]
    assert c.post("/api/data/uploads", content_type="multipart/form-data",
                  data={"kind": "facilities", "file": (io.BytesIO(csv), "d.csv")}).status_code == 200


def test_a_column_mapping_reading_one_column_as_two_fields_is_refused(shiyan, tmp_path):
    from geo.errors import InputDataError
    from planner.register import validate_register

    p = tmp_path / "r.csv"
    p.write_text("名称,类型,lon_x,lat_y\nA,日间照料中心,110.78,32.58\n", encoding="utf-8")
    with pytest.raises(InputDataError) as err:
        validate_register(p, region=shiyan, column_map={"lon": "lat_y", "lat": "lat_y"})
    assert "both lon and lat" in err.value.message("en")


# -- rural mutual-aid centres serve administrative villages, not urban communities -------------------------------
def test_mutual_aid_demand_is_the_villages_not_the_communities(shiyan):
    from planner.capacity import demand_villages
    from planner.checklist import check_townships
    from planner.coverage import analyse_coverage
    from planner.facility_types import get_type

    v = shiyan.villages
    villages = v[v["kind"] == "village"]
    cov = analyse_coverage(shiyan, "mutual_aid")
    assert cov.summary["units"] == len(villages) < len(v)
    assert cov.summary["weight"] == int(villages["aged_60"].sum())
    assert set(demand_villages(shiyan, get_type("mutual_aid")).index) == set(villages.index)
    rows = check_townships(shiyan, "mutual_aid")
    only_communities = set(v.groupby("township_code")["kind"].agg(lambda k: (k == "community").all()).loc[lambda s: s].index)
    na = rows[rows["township_code"].isin(only_communities) & (rows["facilities"] == 0)]
    assert len(na) and (na["status"] == "na").all() and na["reason_en"].str.contains("no administrative village").all()


def test_region_layers_say_the_population_is_derived(app):
    c = signed_in(app, "li")
    d = c.get("/api/region/layers").get_json()
    assert d["quality"]["population"]["quality"] == "derived"
    props = d["townships"]["features"][0]["properties"]
    assert props["population_quality"] and props["population_quality"] != "official"
    rows = c.get("/api/coverage").get_json()
    assert all("unit_share" in r and "weighted_share" in r and r["synthetic_inputs"] is True for r in rows)


def test_an_upgrade_answer_says_its_rows_do_not_add_up_to_the_gain(shiyan):
    from planner.upgrades import propose_upgrades

    plan = propose_upgrades(shiyan, "mutual_aid", 20)
    d = plan.to_dict("en")
    col = sum(s["added_served"] for s in d["sites"])
    gain = d["after"]["served"] - d["before"]["served"]
    assert abs(col - gain) >= 0.5  # the sample's 20 share demand (6,815 against 7,030)
    assert any(f"add up to {col:,.0f}" in n and f"{gain:,.0f} added" in n for n in d["notes"]), d["notes"]
    one = propose_upgrades(shiyan, "mutual_aid", 1).to_dict("en")  # one site: nothing to add up
    assert not any("add up to" in n for n in one["notes"])


# -- a facility needs a name: an empty cell or a file without a name column is refused, not named "row-10" ----------
def test_a_register_row_without_a_name_is_refused(shiyan, tmp_path):
    from planner.register import validate_register

    g = shiyan.villages.geometry
    p = tmp_path / "r.csv"
    p.write_text(f"名称,类型,经度,纬度\n,日间照料中心,{g.iloc[1].x},{g.iloc[1].y}\n乙,日间照料中心,{g.iloc[2].x},{g.iloc[2].y}\n",
                 encoding="utf-8")
    rep = validate_register(p, region=shiyan)
    assert len(rep.accepted) == 1 and rep.accepted["name"].tolist() == ["乙"]
    assert [(i.row, i.code, i.severity) for i in rep.issues] == [(2, "no_name", "error")]


def test_a_register_without_a_name_column_is_refused_naming_the_columns_not_read(shiyan, tmp_path):
    from planner.register import validate_register

    g = shiyan.villages.geometry.iloc[3]
    p = tmp_path / "r.csv"
    p.write_text(f"站点,X坐标,Y坐标,所在地,备用\n甲站,{g.x},{g.y},某地,\n", encoding="utf-8")
    from geo.errors import InputDataError

    with pytest.raises(InputDataError) as e:  # the whole file (QA 34: the mapping card asks for the column)
        validate_register(p, region=shiyan, type_key="charity_station")
    assert e.value.details["missing"] == ["name"] and "站点" in str(e.value), e.value.details
    assert "which column holds" in e.value.hint_en, e.value.hint_en
    # mapped by hand, the same file is read with its names
    rep = validate_register(p, region=shiyan, type_key="charity_station", column_map={"name": "站点"})
    assert rep.accepted["name"].tolist() == ["甲站"]


def test_a_geojson_property_holding_an_object_refuses_its_row(shiyan, tmp_path):
    from planner.register import validate_register

    g = shiyan.villages.geometry
    p = tmp_path / "o.geojson"
    p.write_text('{"type":"FeatureCollection","features":['
                 '{"type":"Feature","properties":{"name":{"a":[1,2]},"type":"日间照料中心"},'
                 f'"geometry":{{"type":"Point","coordinates":[{g.iloc[1].x},{g.iloc[1].y}]}}}},'
                 '{"type":"Feature","properties":{"name":{"b":1},"type":"日间照料中心"},'
                 f'"geometry":{{"type":"Point","coordinates":[{g.iloc[2].x},{g.iloc[2].y}]}}}}]}}', encoding="utf-8")
    rep = validate_register(p, region=shiyan)
    assert len(rep.accepted) == 0  # it was stored as "{'a': [1, 2]}", a name
    assert {i.code for i in rep.issues if i.severity == "error"} >= {"not_text"}


def test_rows_with_more_cells_than_the_header_are_named(shiyan, tmp_path):
    from planner.register import validate_register

    g = shiyan.villages.geometry
    p = tmp_path / "x.csv"
    p.write_text(f"名称,类型,经度,纬度\n甲,日间照料中心,{g.iloc[1].x},{g.iloc[1].y},extra\n"
                 f"乙,日间照料中心,{g.iloc[2].x},{g.iloc[2].y}\n", encoding="utf-8")
    rep = validate_register(p, region=shiyan)
    assert len(rep.accepted) == 2
    assert any("line 2 has more cells than the header" in en for _, en in rep.notes), rep.notes


def test_a_geojson_naming_an_unknown_crs_is_refused(shiyan, tmp_path):
    from geo.errors import InputDataError
    from planner.register import validate_register

    g = shiyan.villages.geometry.iloc[1]
    body = ('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"%s"}},"features":['
            '{"type":"Feature","properties":{"name":"A","type":"日间照料中心"},'
            f'"geometry":{{"type":"Point","coordinates":[{g.x},{g.y}]}}}}]}}')
    p = tmp_path / "c.geojson"
    p.write_text(body % "EPSG:99999", encoding="utf-8")
    with pytest.raises(InputDataError) as err:  # it was read as WGS84 without a word
        validate_register(p, region=shiyan)
    assert "EPSG:99999" in err.value.message("en")
    p.write_text(body % "urn:ogc:def:crs:OGC:1.3:CRS84", encoding="utf-8")
    assert len(validate_register(p, region=shiyan).accepted) == 1


def test_an_empty_account_change_is_refused(app):
    admin = signed_in(app, "admin1")
    r = admin.patch("/api/admin/users/li?lang=en", json={})
    assert r.status_code == 400 and "Nothing to change" in r.get_json()["message"]
    assert admin.patch("/api/admin/users/li", json={"role": "viewer"}).status_code == 200


# -- the review's findings ------------------------------------------------------------------------------------------
def test_the_cli_reads_the_current_version_beside_a_writer_and_from_another_store(tmp_path, monkeypatch, capsys, shiyan):
    import json
    import sqlite3

    from cli.main import main

    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    g = shiyan.villages.geometry
    reg = tmp_path / "r.csv"
    reg.write_text("名称,类型,经度,纬度\n" + "".join(f"站{i},日间照料中心,{g.iloc[i].x},{g.iloc[i].y}\n" for i in range(3)),
                   encoding="utf-8")
    store = tmp_path / "other"
    assert main(["data", "import", "facilities", str(reg), "--db", str(store / "x.sqlite"),
                 "--data-dir", str(store / "dd"), "--replace", "city", "--json"]) == 0
    capsys.readouterr()
    # an import holding the write lock: the analysis reads on (it waited 30 s and ended in a traceback)
    con = sqlite3.connect(store / "x.sqlite", isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    try:
        assert main(["coverage", "--type", "day_care", "--db", str(store / "x.sqlite"),
                     "--data-dir", str(store / "dd"), "--json"]) == 0
    finally:
        con.execute("ROLLBACK")
        con.close()
    d = json.loads(capsys.readouterr().out)
    assert d["facilities"] == 3 and d["dataset_version"] == 1
    assert not (tmp_path / "var").exists()  # the default store was not made
    assert main(["--lang", "en", "coverage", "--type", "day_care", "--db", str(tmp_path / "nope.sqlite")]) == 2
    assert "no such database" in capsys.readouterr().err


def test_a_register_given_to_the_cli_is_not_called_the_sample(shiyan, tmp_path):
    from planner.coverage import analyse_coverage
    from planner.register import load_register

    g = shiyan.villages.geometry
    p = tmp_path / "r.csv"
    p.write_text("名称,类型,经度,纬度\n" + "".join(f"站{i},日间照料中心,{g.iloc[i].x},{g.iloc[i].y}\n" for i in range(3)),
                 encoding="utf-8")
    cov = analyse_coverage(shiyan, "day_care", facilities=load_register(p, region=shiyan))
    assert cov.to_dict()["facilities_synthetic"] is False
    assert analyse_coverage(shiyan, "day_care").to_dict()["facilities_synthetic"] is True


def test_a_geojson_2008_epsg_crs_is_not_taken_for_a_name(shiyan, tmp_path):
    from planner.register import validate_register

    g = shiyan.villages.geometry.iloc[1]
    p = tmp_path / "c.geojson"
    p.write_text('{"type":"FeatureCollection","crs":{"type":"EPSG","properties":{"code":4326}},"features":['
                 '{"type":"Feature","properties":{"name":"武当山敬老院","type":"日间照料中心"},'
                 f'"geometry":{{"type":"Point","coordinates":[{g.x},{g.y}]}}}}]}}', encoding="utf-8")
    assert len(validate_register(p, region=shiyan).accepted) == 1


def test_a_conversion_defaults_to_the_conversion_target(app):
    from planner.facility_types import default_k, get_type

    assert default_k(get_type("welfare_home")) == 5 and default_k(get_type("welfare_home"), True) == 8
    c = signed_in(app, "li")
    assert c.get("/api/upgrades/welfare_home?convert=1").get_json()["k"] == 8
    assert c.get("/api/upgrades/welfare_home").get_json()["k"] == 5
    page = c.get("/proposals").get_data(as_text=True)
    assert 'data-kconvert="8"' in page


def test_cli_xlsx_tables_hold_text_as_typed(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from cli.output import write_table

    write_table(pd.DataFrame({"phone": ["+86 719 123", "=1+1"]}), str(tmp_path / "t.xlsx"), "title")
    cells = [c for r in load_workbook(tmp_path / "t.xlsx").active.iter_rows() for c in r]
    phone = next(c for c in cells if c.value == "+86 719 123")
    formula = next(c for c in cells if c.value == "=1+1")
    assert phone.data_type == "s" and formula.data_type == "s" and formula.quotePrefix


def test_backup_table_names_are_quoted(tmp_path):
    import sqlite3

    from geo.backup import _row_counts

    db = tmp_path / "x.sqlite"
    con = sqlite3.connect(db)
    con.execute('CREATE TABLE "a""b" (x)')
    con.execute('INSERT INTO "a""b" VALUES (1)')
    con.commit()
    con.close()
    assert _row_counts(db) == {'a"b': 1}
