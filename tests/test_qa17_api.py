"""What QA sweep 17 sent the API as a careless or hostile client, and its answers now: a misspelt
field is refused, not ignored; a value a request would not use is refused, not dropped."""
from __future__ import annotations

import io

import pytest

from tests.accounts import accounts_app, signed_in

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa17"), (("boss", "admin", None), ("city", "planner", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("path, body, field", [
    ("/api/proposals", {"type": "day_care", "modle": "mclp", "pp": 3}, "modle"),
    ("/api/data/edits", {"action": "rename", "type": "day_care", "id": "x", "name": "新名", "bogus": 1}, "bogus"),
    ("/api/data/edits", {"action": "move", "type": "day_care", "id": "x", "lon": 110.7, "lat": 32.6,
                         "name": "moved-renamed"}, "name"),
    ("/api/data/rollback", {"version": 0, "bogus": 1}, "bogus"),
    ("/api/admin/users", {"name": "ok4", "role": "viewer", "bogus": 1}, "bogus"),
])
def test_a_field_a_request_does_not_take_is_refused(app, path, body, field):
    """A misspelt field ("modle") was ignored and the solve ran with the default model; a name sent
    with a move was dropped while the move answered 200. Now a 400 names it, and nothing is done."""
    c = signed_in(app, "boss")
    before = c.get("/api/data/versions").get_json()["current"]
    r = c.post(path + "?lang=en", json=body)
    assert r.status_code == 400, r.data[:300]
    e = r.get_json()
    assert f'Unknown field "{field}"' in e["message"] or f'"{field}"' in e["message"], e["message"]
    assert e["details"]["parameter"] == field and "未知字段" in e["message_zh"]
    assert c.get("/api/data/versions").get_json()["current"] == before
    assert not [u for u in c.get("/api/admin/users").get_json() if u["name"] == "ok4"]


@pytest.mark.parametrize("body, field", [
    ({"type": "welfare_home", "kind": "sized", "sizes": "30,60", "p": 5}, "p"),
    ({"type": "welfare_home", "kind": "upgrade", "k": 2, "model": "mclp"}, "model"),
    ({"type": "welfare_home", "kind": "upgrade", "k": 2, "standard": 30}, "standard"),
])
def test_a_sized_or_upgrade_proposal_refuses_the_location_models_fields(app, body, field):
    """They were dropped without a word (p and model belong to a location proposal)."""
    r = signed_in(app, "boss").post("/api/proposals", json=body)
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == field, r.data[:300]


def test_an_added_facility_takes_its_beds_and_address(app):
    """fields sent with an add (its beds, its phone) were dropped: the facility stood at "capacity unknown"."""
    c = signed_in(app, "city")
    region = app.extensions["coverplan"]["service"].region
    p = region.townships.iloc[40].geometry.representative_point()
    r = c.post("/api/data/edits", json={"action": "add", "type": "welfare_home", "name": "带床位的院",
                                        "lon": p.x, "lat": p.y, "fields": {"capacity": 30, "phone": "0719-1234"}})
    assert r.status_code == 200, r.data[:300]
    feats = c.get("/api/coverage/welfare_home/layers").get_json()["facilities"]["features"]
    new = next(f["properties"] for f in feats if f["properties"]["name"] == "带床位的院")
    assert new["capacity"] == 30 and new["phone"] == "0719-1234"
    bad = c.post("/api/data/edits", json={"action": "add", "type": "welfare_home", "name": "坏床位",
                                          "lon": p.x, "lat": p.y, "fields": {"capacity": -3}})
    assert bad.status_code == 400 and not any(f["properties"]["name"] == "坏床位" for f in
                                              c.get("/api/coverage/welfare_home/layers").get_json()["facilities"]["features"])


@pytest.mark.parametrize("url, field", [
    ("/api/search?q=房&limit=2.5", "limit"), ("/api/beds?target=100&year=2030.5", "year"),
    ("/api/admin/audit?action=bogus", "action")])
def test_a_number_or_word_the_query_cannot_use_is_a_400(app, url, field):
    """limit=2.5 gave 2 results, year=2030.5 the year 2030, action=bogus an empty page."""
    r = signed_in(app, "boss").get(url)
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == field, r.data[:300]


def test_an_upload_with_a_misspelt_field_or_a_hidden_character_in_its_name(app):
    """typ=day_care was read as "no type"; a name with U+202E was shown as sent in the report."""
    c = signed_in(app, "city")
    body = "名称,类型,经度,纬度\n甲中心,日间照料中心,110.79,32.58\n".encode()
    r = c.post("/api/data/uploads", data={"kind": "facilities", "typ": "day_care", "file": (io.BytesIO(body), "a.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "typ"
    r = c.post("/api/data/uploads", data={"kind": "facilities", "file": (io.BytesIO(body), "a\u202egnp.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 200, r.data[:300]
    assert r.get_json()["file"]["name"] == "a_gnp.csv"


def test_a_page_address_asked_for_json_answers_json(app):
    """/plan/targets.exe with Accept: application/json answered an HTML page."""
    r = signed_in(app, "boss").get("/plan/targets.exe", headers={"Accept": "application/json"})
    assert r.status_code in (400, 404) and r.is_json, r.data[:200]


def test_an_open_servers_json_login_answers_json(tmp_path):
    """In open mode a JSON login was sent to a page (302)."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "o.sqlite"), "TESTING": True, "AUTH": "open"})
    try:
        r = app.test_client().post("/login", json={"name": "x", "password": "y"})
        assert r.status_code == 200 and r.get_json()["auth"] == "open"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_colleagues_rename_is_not_put_back(app):
    """Two planners with one proposal open: the second's save put back the name the first had just given,
    and both read "saved". The page sends what it showed (``was``): a stale save is a 409 naming the new
    name, and a save of only the note keeps the name."""
    ext = app.extensions["coverplan"]
    pid = ext["store"].add(name="原名", type_key="day_care", params={}, summary={}, geojson={"type": "FeatureCollection", "features": []})
    city, boss = signed_in(app, "city"), signed_in(app, "boss")
    assert city.patch(f"/api/proposals/{pid}", json={"name": "市局命名", "was": {"name": "原名"}}).status_code == 200
    r = boss.patch(f"/api/proposals/{pid}?lang=en", json={"name": "原名", "note": "备注", "was": {"name": "原名", "note": ""}})
    assert r.status_code == 409 and "市局命名" in r.get_json()["message"], r.data[:300]
    assert r.get_json()["details"]["current"]["name"] == "市局命名"
    assert ext["store"].get(pid)["name"] == "市局命名" and not ext["store"].get(pid).get("note")
    assert boss.patch(f"/api/proposals/{pid}", json={"note": "备注", "was": {"note": ""}}).status_code == 200
    assert ext["store"].get(pid)["name"] == "市局命名" and ext["store"].get(pid)["note"] == "备注"


def test_a_facility_a_colleague_changed_since_the_map_showed_it_is_a_409(app):
    """Two planners renamed one facility: both got 200 and the last won. The map sends the data version
    it showed (``base``): an edit of a facility changed since is refused; another facility is not."""
    c = signed_in(app, "city")
    feats = c.get("/api/coverage/mutual_aid/layers").get_json()["facilities"]["features"]
    a, b = feats[0]["properties"]["id"], feats[1]["properties"]["id"]
    base = c.get("/api/data/versions").get_json()["current"]
    r = c.post("/api/data/edits", json={"action": "rename", "type": "mutual_aid", "id": a, "name": "市局改名", "base": base})
    assert r.status_code == 200, r.data[:300]
    now = r.get_json()["version"]
    r = c.post("/api/data/edits?lang=en", json={"action": "rename", "type": "mutual_aid", "id": a, "name": "县局改名",
                                                  "base": base})
    assert r.status_code == 409 and f"v{base}" in r.get_json()["message"] and "nothing was saved" in r.get_json()["message"]
    # named as the map shows it, with its id (QA 18: the id alone)
    assert f"the facility 市局改名 ({a})" in r.get_json()["message"], r.get_json()["message"]
    assert c.get("/api/data/versions").get_json()["current"] == now
    r = c.post("/api/data/edits", json={"action": "rename", "type": "mutual_aid", "id": b, "name": "另一处", "base": base})
    assert r.status_code == 200, r.data[:300]
    assert c.post("/api/data/edits", json={"action": "rename", "type": "mutual_aid", "id": a, "name": "县局改名",
                                           "base": r.get_json()["version"]}).status_code == 200


def test_a_gis_export_s_x_and_y_columns_are_coordinates_and_others_are_pointed_out(app):
    """名字,种类,X坐标,Y坐标 ...: the coordinates were read as nothing and every row put at its township seat,
    without a word. X坐标/Y坐标 are read as lon/lat now; columns that only look like them are named in a
    note, and the report offers the column mapping again."""
    c = signed_in(app, "city")
    t = app.extensions["coverplan"]["service"].region.townships.iloc[:3]
    for hx, hy, placed in (("X坐标", "Y坐标", "coordinates"), ("东坐标", "北坐标", "by name")):
        body = "\n".join([f"名称,类型,{hx},{hy},乡镇"] + [f"{r['name']}院,农村福利院,{r['seat_lon'] + 0.01:.6f},"
                                                       f"{r['seat_lat']:.6f},{r['name']}" for _, r in t.iterrows()])
        rep = c.post("/api/data/uploads?lang=zh", data={"kind": "facilities", "file": (io.BytesIO(body.encode()), "xy.csv")},
                     content_type="multipart/form-data").get_json()
        assert rep["file_columns"] == ["名称", "类型", hx, hy, "乡镇"] and "lon" in rep["fields"]
        if placed == "coordinates":
            assert rep["columns"]["lon"] == "X坐标" and rep["located_by_name"] == 0 and not rep["notes"]
        else:
            assert rep["located_by_name"] == 3 and any("“东坐标”“北坐标”两列像是经度、纬度" in n for n in rep["notes"])
            again = c.post(f"/api/data/uploads/{rep['upload_id']}/recheck",
                           json={"column_map": {"lon": "东坐标", "lat": "北坐标"}}).get_json()
            assert again["located_by_name"] == 0 and again["columns"]["lon"] == "东坐标" and not again["notes"]


def test_a_proposal_geojson_says_what_it_was_solved_on(app):
    """The downloaded GeoJSON had no data version and no estimate flag (a sized one not even its summary)."""
    c = signed_in(app, "boss")
    r = c.post("/api/proposals?wait=60", json={"type": "welfare_home", "kind": "sized", "budget_sites": 1})
    assert r.status_code == 201, r.data[:300]
    pid = r.get_json()["proposal"]["id"]
    meta = c.get(f"/api/proposals/{pid}.geojson").get_json()["coverplan"]
    assert meta["proposal_id"] == pid and meta["kind"] == "sized" and meta["is_estimate"] is True
    assert isinstance(meta["dataset_version"], int) and meta["summary"]["demand"] > 0 and meta["created"]


def test_a_village_point_in_another_county_is_reported_on_the_data_page(app):
    c = signed_in(app, "city")
    body = b"code,lon,lat\n420302001002,110.62,32.11\n420302001004,110.81,32.59\n"
    rep = c.post("/api/data/uploads?lang=zh", data={"kind": "villages", "file": (io.BytesIO(body), "v.csv")},
                 content_type="multipart/form-data").get_json()
    # in another county than its code's: the row is refused (F5), both counties named
    assert rep["counts"]["refused"] == 1 and rep["issues"][0]["code"] == "outside_own_county"
    assert "军店镇" in rep["issues"][0]["message"] and "茅箭区" in rep["issues"][0]["message"]


def test_a_code_typed_into_search_finds_places_in_code_order(app):
    rows = signed_in(app, "boss").get("/api/search?q=4203&limit=5").get_json()
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes, key=lambda c: (len(c), c)) and codes[0] == "420302", codes


def test_an_upgrade_page_says_its_per_site_column_does_not_add_up(app):
    """The "serves more" column added up to 13,222 beside a headline of +13,437, with no word."""
    c = signed_in(app, "boss")
    r = c.post("/api/proposals?wait=60", json={"type": "mutual_aid", "kind": "upgrade", "k": 8})
    assert r.status_code == 201, r.data[:300]
    p = r.get_json()["proposal"]
    total = p["after"]["served"] - p["before"]["served"]
    col = sum(s["added_served"] for s in p["sites"])
    html = c.get(f"/proposals/{p['id']}?lang=zh").get_data(as_text=True)
    if abs(col - total) >= 1:
        assert 'id="upgrade-sum-note"' in html and f"{total:,.0f}" in html
    else:
        assert 'id="upgrade-sum-note"' not in html


def test_two_sized_proposals_compare_on_what_they_build_and_serve(app):
    """The compare page gave two sized proposals' distances only: no sizes, cost, served or shortfall."""
    c = signed_in(app, "boss")
    ids = []
    for n in (1, 3):
        # (named: the same request as an earlier test's within the minute is answered with its proposal, QA 35)
        r = c.post("/api/proposals?wait=60", json={"type": "welfare_home", "kind": "sized", "budget_sites": n,
                                                   "name": f"qa17-sized-{n}"})
        assert r.status_code == 201, r.data[:300]
        ids.append(r.get_json()["proposal"]["id"])
    html = c.get(f"/proposals/compare?a={ids[0]}&b={ids[1]}&lang=zh").get_data(as_text=True)
    for label in ("规模档次", "新址总造价", "剩余容量缺口", "未服务的村（社区）"):
        assert label in html, label


def test_a_facility_both_upgraded_and_converted_in_one_package_is_said(app):
    """Welfare homes chosen by an upgrade proposal and by a conversion counted for both targets."""
    c = signed_in(app, "boss")
    ids, sites = [], []
    for body in ({"type": "welfare_home", "kind": "upgrade", "k": 5},
                 {"type": "welfare_home", "kind": "upgrade", "k": 8, "convert": True}):
        r = c.post("/api/proposals?wait=60", json=body)
        assert r.status_code == 201, r.data[:300]
        ids.append(r.get_json()["proposal"]["id"])
        sites.append({s["id"] for s in r.get_json()["proposal"]["sites"]})
    rows = c.get(f"/api/targets?proposals={ids[0]},{ids[1]}&lang=zh").get_json()
    noted = [r for r in rows if r.get("overlap_note")]
    if sites[0] & sites[1]:
        assert noted and all("不能既提档升级又转型" in r["overlap_note"] for r in noted)
        assert {r["type"] for r in noted} >= {"welfare_home"}
        csv = c.get(f"/plan/targets.csv?proposals={ids[0]},{ids[1]}&lang=zh").get_data(as_text=True)
        assert "不能既提档升级又转型" in csv
    else:
        assert not noted


def test_a_village_file_with_one_unknown_code_is_reported_row_by_row(app):
    """One unknown code stopped the whole village file with no row report; now that row is refused,
    named, and the others can be confirmed."""
    c = signed_in(app, "city")
    body = b"code,lon,lat\n420302001002,110.79,32.58\n999999999999,110.8,32.6\n"
    rep = c.post("/api/data/uploads?lang=en", data={"kind": "villages", "file": (io.BytesIO(body), "v2.csv")},
                 content_type="multipart/form-data").get_json()
    assert rep["counts"] == {**rep["counts"], "rows": 2, "accepted": 1, "refused": 1}, rep["counts"]
    bad = [i for i in rep["issues"] if i["severity"] == "error"]
    assert bad[0]["row"] == 3 and "999999999999" in bad[0]["message"]  # its line, the header line 1
    r = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 200, r.data[:300]


@pytest.mark.parametrize("path, body, field, status", [
    ("/api/data/edits", {"action": "rename", "type": "day_care", "id": "x", "name": "a", "base": 10 ** 30}, "base", 400),
    ("/api/data/edits", {"action": "rename", "type": "day_care", "id": "x", "name": "a", "base": "3"}, "base", 400),
    ("/api/data/edits", {"action": "rename", "type": "day_care", "id": "x", "name": "a", "base": True}, "base", 400),
])
def test_a_base_version_that_is_no_version_is_a_400(app, path, body, field, status):
    """A base after the current version was read as "changed since" (a 409 naming v10^30)."""
    r = signed_in(app, "city").post(path, json=body)
    assert r.status_code == status and r.get_json()["details"]["parameter"] == field, r.data[:300]


def test_a_was_that_is_not_text_is_a_400(app):
    ext = app.extensions["coverplan"]
    pid = ext["store"].add(name="甲", type_key="day_care", params={}, summary={}, geojson={"type": "FeatureCollection", "features": []})
    r = signed_in(app, "boss").patch(f"/api/proposals/{pid}", json={"name": "乙", "was": {"name": ["甲"]}})
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "was"


def test_a_note_saved_with_crlf_is_the_note_the_page_showed(app):
    """A note saved by a script with \\r\\n comes back from the page's textarea with \\n: its first edit
    on that page was a 409 (review of QA 17)."""
    ext = app.extensions["coverplan"]
    pid = ext["store"].add(name="甲", type_key="day_care", params={}, summary={}, geojson={"type": "FeatureCollection", "features": []})
    ext["store"].update(pid, note="第一行\r\n第二行")
    r = signed_in(app, "boss").patch(f"/api/proposals/{pid}", json={"note": "新备注", "was": {"note": "第一行\n第二行"}})
    assert r.status_code == 200, r.data[:300]


def test_the_map_asks_where_a_point_lies_before_a_name(app):
    """Adding a facility asked for its name and note, then said the point was outside the region."""
    c = signed_in(app, "city")
    t = app.extensions["coverplan"]["service"].region.townships.iloc[7]
    p = t.geometry.representative_point()
    r = c.get(f"/api/townships/at?lon={p.x}&lat={p.y}&lang=en").get_json()
    assert r["township_code"] == str(t.name) and r["county_code"] == str(t["county_code"]) and r["county_name"]
    out = c.get("/api/townships/at?lon=100&lat=30&lang=en")
    assert out.status_code == 400 and "outside the region" in out.get_json()["message"]
    for q in ("lon=abc&lat=30", "lon=1e999&lat=30", "lat=30"):
        assert c.get(f"/api/townships/at?{q}").status_code == 400, q
