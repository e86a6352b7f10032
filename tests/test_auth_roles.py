"""Role rules on a shared server: a viewer changes nothing, a county planner changes only his
county (facility edits, imports, proposals), rollback and road networks are city-wide, a
proposal or a job belongs to its author. Every refusal is a 403 naming the county.

CSRF (web/security.py) is off here: these tests are about who may do what.
"""
from __future__ import annotations

import io
import threading

import pytest

from accounts import PW, accounts_app
from accounts import signed_in as as_user

FANG, ZHUSHAN = "420325", "420323"   # 房县, 竹山县


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("roles"),
                       (("boss", "admin", None), ("city", "planner", None), ("fang", "planner", FANG),
                        ("zhushan", "planner", ZHUSHAN), ("viewer", "viewer", None)), MAX_JOBS_PER_USER=10)
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def audit(app, action):
    return app.extensions["coverplan"]["users"].audit_list(action=action, limit=500)[1]


def facility_in(shiyan, county, type_key="cemetery"):
    f = shiyan.facilities
    return str(f[(f["facility_type"] == type_key) & (f["county_code"] == county)]["id"].iloc[0])


def village_in(shiyan, county):
    v = shiyan.villages
    return v[v["county_code"] == county].iloc[0]


def unsafe_routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            yield rule, method


def test_a_viewer_can_change_nothing(app):
    v = as_user(app, "viewer")
    assert v.get("/api/proposals").status_code == 200  # but reads everything
    assert v.get("/proposals").status_code == 200
    checked = 0
    for rule, method in unsafe_routes(app):
        if rule.endpoint in ("auth.login", "auth.logout", "auth.password"):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", "x" * 32).replace(f"<path:{arg}>", "x")
        r = v.open(url, method=method, json={})
        assert r.status_code == 403, (method, url, r.status_code)
        assert "查看" in r.get_json()["message"]
        checked += 1
    assert checked >= 12  # proposals, jobs, data uploads/confirm/rollback/edits, admin ...


def test_county_planner_edits_only_his_county(app, shiyan):
    other = facility_in(shiyan, ZHUSHAN)
    mine = facility_in(shiyan, FANG)
    fang = as_user(app, "fang")
    r = fang.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": other, "name": "改名"})
    assert r.status_code == 403
    msg = r.get_json()["message"]
    assert "竹山县" in msg and "房县" in msg
    assert r.get_json()["details"]["county"] == ZHUSHAN
    en = fang.post("/api/data/edits?lang=en", json={"action": "remove", "type": "cemetery", "id": other})
    assert en.status_code == 403 and "only" in en.get_json()["message"]
    # a point in another county: neither added nor moved there
    p = village_in(shiyan, ZHUSHAN).geometry
    add = fang.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "越界公墓",
                                            "lon": p.x, "lat": p.y})
    # (the ?lang=en above is remembered: the message is English, its Chinese twin names 竹山县)
    assert add.status_code == 403 and "竹山县" in add.get_json()["message_zh"]
    assert "Zhushan County" in add.get_json()["message"]
    move = fang.post("/api/data/edits", json={"action": "move", "type": "cemetery", "id": mine, "lon": p.x, "lat": p.y})
    assert move.status_code == 403
    before = len(audit(app, "edit"))
    # his own county: allowed
    ok = fang.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": mine, "name": "房县公墓（改）"})
    assert ok.status_code == 200, ok.data
    q = village_in(shiyan, FANG).geometry
    ok2 = fang.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "房县新公墓", "lon": q.x, "lat": q.y})
    assert ok2.status_code == 200, ok2.data
    entries = audit(app, "edit")
    assert len(entries) == before + 2 and entries[0]["user"] == "fang" and entries[1]["object"] == mine
    # the city bureau and the admin edit every county
    for name in ("city", "boss"):
        r = as_user(app, name).post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": other,
                                                             "name": f"竹山公墓 {name}"})
        assert r.status_code == 200, (name, r.data)


def _register(rows) -> bytes:
    lines = ["机构名称,类型,经度,纬度"] + [f"{n},城乡公益性公墓,{x:.6f},{y:.6f}" for n, x, y in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _upload(client, body: bytes, answer: bool = False):
    r = client.post("/api/data/uploads", data={"kind": "facilities", "coords": "wgs84", "type": "cemetery",
                                               "file": (io.BytesIO(body), "公墓.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.data[:300]
    return r.get_json() if answer else r.get_json()["upload_id"]


def test_county_planner_imports_only_his_county(app, shiyan):
    fang = as_user(app, "fang")
    f1, f2 = (village_in(shiyan, FANG).geometry, shiyan.villages[shiyan.villages["county_code"] == FANG].iloc[5].geometry)
    z = village_in(shiyan, ZHUSHAN).geometry
    rep = _upload(fang, _register([("房县一号公墓", f1.x, f1.y), ("竹山越界公墓", z.x, z.y), ("房县二号公墓", f2.x, f2.y)]),
                  answer=True)
    # the report says it before confirming: the row outside his county, and what his rows replace
    fac0 = app.extensions["coverplan"]["service"].region.facilities  # the module's app: earlier tests edit it
    in_fang = int(((fac0["facility_type"] == "cemetery") & (fac0["county_code"] == FANG)).sum())
    assert rep["replaces"]["outside_county"] == 1 and rep["replaces"]["county"] == FANG
    assert rep["replaces"]["types"][0]["incoming"] == 2 and rep["replaces"]["types"][0]["current"] == in_fang
    assert "房县" in rep["replaces"]["text"] and "1 行不在" in rep["replaces"]["text"]
    outside = [i for i in rep["issues"] if i["code"] == "outside_county"]  # listed in the report's table
    assert [i["value"] for i in outside] == ["竹山越界公墓"] and outside[0]["row"] == 3
    # and where the row lies instead (QA 22: the report said only that it was not his county)
    assert outside[0]["message"] == "位于 竹山县（420323），不在您可修改的 房县（420325） 内", outside[0]
    uid = rep["upload_id"]
    r = fang.post(f"/api/data/uploads/{uid}/confirm")
    assert r.status_code == 403
    body = r.get_json()
    assert body["details"]["refused"] == 1
    assert body["details"]["rows"][0]["name"] == "竹山越界公墓" and body["details"]["rows"][0]["row"] is not None
    assert "竹山县" in body["message"] and "竹山越界公墓" in body["message"]
    versions = as_user(app, "boss").get("/api/data/versions").get_json()["current"]
    # only his county's rows: imported, and the other counties' cemeteries are kept as they were
    svc = app.extensions["coverplan"]["service"]
    others_before = svc.region.facilities
    others_before = set(others_before[(others_before["facility_type"] == "cemetery")
                                      & (others_before["county_code"] != FANG)]["id"])
    uid = _upload(fang, _register([("房县一号公墓", f1.x, f1.y), ("房县二号公墓", f2.x, f2.y)]))
    r = fang.post(f"/api/data/uploads/{uid}/confirm")
    assert r.status_code == 200, r.data[:400]
    assert r.get_json()["version"] == versions + 1
    fac = svc.region.facilities
    cem = fac[fac["facility_type"] == "cemetery"]
    assert set(cem[cem["county_code"] != FANG]["id"]) == others_before
    assert sorted(cem[cem["county_code"] == FANG]["name"]) == ["房县一号公墓", "房县二号公墓"]
    last = audit(app, "import_confirmed")[0]
    assert last["user"] == "fang" and last["object"] == str(versions + 1)


def test_only_the_uploader_maps_reads_or_confirms_an_upload(app, shiyan):
    """A county planner could confirm an upload a city planner had checked (all its rows in his
    county) and be credited with the version (QA 14): an upload is its uploader's alone."""
    f1 = village_in(shiyan, FANG).geometry
    city, fang = as_user(app, "city"), as_user(app, "fang")
    uid = _upload(city, _register([("房县城建公墓", f1.x, f1.y)]))
    for r in (fang.post(f"/api/data/uploads/{uid}/confirm"), as_user(app, "boss").post(f"/api/data/uploads/{uid}/confirm"),
              fang.post(f"/api/data/uploads/{uid}/recheck", json={"column_map": {}}),
              fang.get(f"/api/data/uploads/{uid}/report.csv")):
        assert r.status_code == 403, r.data[:300]
        assert "其他账号上传" in r.get_json()["message"]
    # refused, the upload stays for its uploader
    assert city.get(f"/api/data/uploads/{uid}/report.csv").status_code == 200
    r = city.post(f"/api/data/uploads/{uid}/confirm")
    assert r.status_code == 200, r.data[:300]
    assert audit(app, "import_confirmed")[0]["user"] == "city"


def test_rollback_and_road_network_are_city_wide(app):
    fang = as_user(app, "fang")
    r = fang.post("/api/data/rollback", json={"version": 0})
    assert r.status_code == 403 and "市级" in r.get_json()["message"]
    net = fang.post("/api/data/uploads", data={"kind": "network", "file": (io.BytesIO(b"<osm></osm>"), "roads.osm")},
                    content_type="multipart/form-data")
    assert net.status_code == 403
    r = as_user(app, "city").post("/api/data/rollback", json={"version": 0})
    assert r.status_code == 200
    entry = audit(app, "rollback")[0]
    assert entry["user"] == "city" and entry["detail"]["rolled_back_to"] == 0


def test_county_planner_proposal_is_limited_to_his_county(app):
    fang = as_user(app, "fang")
    r = fang.post("/api/proposals", json={"type": "elderly_complex", "model": "mclp", "p": 2, "county": ZHUSHAN})
    assert r.status_code == 403 and "竹山县" in r.get_json()["message"]
    r = fang.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2,
                                                    "time_limit": 30})
    assert r.status_code == 201, r.data[:400]
    prop = r.get_json()["proposal"]
    assert prop["params"]["county"] == FANG
    assert prop["sites"] and {s["county_code"] for s in prop["sites"]} == {FANG}
    # demand too: the before/after shares are of his county's units only
    rec = app.extensions["coverplan"]["store"].get(prop["id"])
    users = app.extensions["coverplan"]["users"]
    assert rec["owner"] == users.by_name("fang").id
    saved = [e for e in audit(app, "proposal_saved") if e["object"] == prop["id"]]
    assert saved and saved[0]["user"] == "fang"
    # a city planner may solve for one county, or for the whole city
    assert as_user(app, "city").post("/api/proposals", json={"type": "elderly_complex", "county": "nowhere"}).status_code == 400


def _saved(app, county, owner_name):
    users = app.extensions["coverplan"]["users"]
    return app.extensions["coverplan"]["store"].add(
        name=f"测试方案 {county}", type_key="day_care", params={"county": county, "type": "day_care"},
        summary={}, geojson={"type": "FeatureCollection", "features": []}, owner=users.by_name(owner_name).id)


def test_proposals_of_another_county_cannot_be_renamed_or_deleted(app):
    other = _saved(app, ZHUSHAN, "zhushan")
    fang = as_user(app, "fang")
    r = fang.delete(f"/api/proposals/{other}")
    assert r.status_code == 403 and "竹山县" in r.get_json()["message"]
    assert fang.patch(f"/api/proposals/{other}", json={"name": "改"}).status_code == 403
    assert fang.get(f"/api/proposals/{other}").status_code == 200  # he still sees it
    # the same county: a colleague's proposal (another planner of 竹山县) may be changed
    app.extensions["coverplan"]["users"].add("zhushan2", "planner", ZHUSHAN, password=PW, must_change=False)
    z2 = as_user(app, "zhushan2")
    assert z2.patch(f"/api/proposals/{other}", json={"name": "竹山方案（改）"}).status_code == 200
    assert z2.delete(f"/api/proposals/{other}").status_code == 200
    # his own county's: allowed; the admin: everything; legacy rows without owner or county: city-wide only
    mine = _saved(app, FANG, "fang")
    assert fang.delete(f"/api/proposals/{mine}").status_code == 200
    third = _saved(app, ZHUSHAN, "zhushan")
    assert as_user(app, "boss").delete(f"/api/proposals/{third}").status_code == 200
    legacy = app.extensions["coverplan"]["store"].add(name="旧方案", type_key="day_care", params={}, summary={},
                                                      geojson={"type": "FeatureCollection", "features": []})
    assert fang.delete(f"/api/proposals/{legacy}").status_code == 403
    assert as_user(app, "city").delete(f"/api/proposals/{legacy}").status_code == 200
    deleted = {e["object"]: e["user"] for e in audit(app, "proposal_deleted")}
    assert deleted[other] == "zhushan2" and deleted[mine] == "fang" and deleted[third] == "boss"
    assert any(e["object"] == other for e in audit(app, "proposal_renamed"))


def test_of_two_deletes_at_once_one_deletes(app, monkeypatch):
    """Two deletes of one proposal at once both answered 200 and both were audited (QA 15): the one
    that finds the row gone when it deletes is a 404."""
    pid = _saved(app, FANG, "fang")
    store = app.extensions["coverplan"]["store"]
    real = store.delete
    monkeypatch.setattr(store, "delete", lambda p: real(p) and False)  # the other request deleted it first
    before = len(audit(app, "proposal_deleted"))
    r = as_user(app, "boss").delete(f"/api/proposals/{pid}")
    assert r.status_code == 404 and len(audit(app, "proposal_deleted")) == before


def test_only_the_owner_or_an_admin_cancels_a_job(app):
    jobs = app.extensions["coverplan"]["jobs"]
    users = app.extensions["coverplan"]["users"]
    gate = threading.Event()

    def slow(progress, should_stop):
        while not should_stop() and not gate.is_set():
            gate.wait(0.05)

    def job_of(name):
        job = jobs.submit("test", slow, {})
        job.owner = f"user:{users.by_name(name).id}"
        return job

    try:
        a = job_of("fang")
        # another planner's job is "not found" (a 403 told that the id exists), for cancel and finish alike
        for action in ("cancel", "finish"):
            r = as_user(app, "zhushan").post(f"/api/jobs/{a.id}/{action}")
            assert r.status_code == 404 and r.get_json()["error"] == "NotFoundError", r.get_json()
        assert jobs.get(a.id).state in ("queued", "running")
        # 202: a running job is asked to stop (200: a queued one is dropped at once; QA 21)
        assert as_user(app, "fang").post(f"/api/jobs/{a.id}/cancel").status_code in (200, 202)
        b = job_of("fang")
        assert as_user(app, "boss").post(f"/api/jobs/{b.id}/cancel").status_code in (200, 202)
        assert jobs.wait(a.id, 10).state == "cancelled" and jobs.wait(b.id, 10).state == "cancelled"
        who = {e["object"]: e["user"] for e in audit(app, "job_cancelled")}
        assert who == {a.id: "fang", b.id: "boss"}
    finally:
        gate.set()


def test_header_and_page_rights_per_role(app):
    page = as_user(app, "viewer").get("/proposals").data.decode()
    assert '"rights": ["view"]' in page and "查看者" in page
    page = as_user(app, "fang").get("/proposals").data.decode()
    assert '"rights": ["view", "edit"]' in page and '"citywide": false' in page
    page = as_user(app, "boss").get("/proposals").data.decode()
    assert 'href="/admin"' in page


@pytest.fixture()
def fresh(tmp_path):  # its own server: the refusals of the tests above are not repeated here
    app = accounts_app(tmp_path, (("boss", "admin", None), ("city", "planner", None), ("fang", "planner", FANG),
                                  ("viewer", "viewer", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_refusals_are_in_the_audit_log_with_their_reason(fresh, shiyan):
    """A refused change (a viewer's, a county planner's in another county, a non-admin at the admin
    API) is an audit line naming the request and the reason given, in the reader's language."""
    app = fresh
    other = facility_in(shiyan, ZHUSHAN)
    before = len(audit(app, "refused"))
    r = as_user(app, "fang").post("/api/data/edits", json={"action": "remove", "type": "cemetery", "id": other})
    assert r.status_code == 403
    assert as_user(app, "viewer").post("/api/proposals", json={}).status_code == 403
    assert as_user(app, "city").get("/api/admin/users").status_code == 403
    ok = as_user(app, "city").get("/api/proposals")  # allowed requests are not refusals
    assert ok.status_code == 200
    rows = audit(app, "refused")
    assert len(rows) == before + 3
    newest = {e["user"]: e for e in rows[:3]}
    assert newest["fang"]["object"] == "POST /api/data/edits"
    assert "竹山县" in newest["fang"]["detail"]["reason"]["zh"]
    assert newest["viewer"]["object"] == "POST /api/proposals"
    assert newest["city"]["object"] == "GET /api/admin/users"
    boss = as_user(app, "boss")
    for lang, words in (("zh", ("被拒绝的操作", "原因：", "竹山县")), ("en", ("refused", "reason: ", "Zhushan County"))):
        listed = boss.get(f"/api/admin/audit?action=refused&lang={lang}").get_json()
        line = next(x for x in listed["rows"] if x["user"] == "fang")
        text = line["action_text"] + " " + line["detail_text"]
        assert all(w in text for w in words), (lang, text)
        assert "refused" in listed["actions"]


def test_the_map_popup_names_who_made_an_edit(app, shiyan):
    mine = facility_in(shiyan, FANG)
    fang = as_user(app, "fang")
    r = fang.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": mine, "name": "房县公墓（再改）"})
    assert r.status_code == 200, r.data
    for lang, words in (("zh", "操作人 fang"), ("en", ", by fang")):
        layers = fang.get(f"/api/coverage/cemetery/layers?lang={lang}").get_json()
        row = next(f["properties"] for f in layers["facilities"]["features"] if f["properties"]["id"] == mine)
        assert words in row["source_text"], row["source_text"]
        assert str(row["source_version"]) in row["source_text"]
        # the facility list says the same
        listed = fang.get(f"/api/facilities?type=cemetery&lang={lang}&q={mine}").get_json()
        assert any(words in str(x) for x in listed.get("rows", listed.get("features", []))), listed


def test_a_flood_of_refusals_does_not_bury_the_audit_log(fresh):
    """A script sending the same refused request again and again is one line; thousands of different
    ones stop at REFUSAL_MAX lines an account; a path that hides or reverses text is written out."""
    from web.auth import REFUSAL_MAX

    v = as_user(fresh, "viewer")
    for _ in range(50):
        assert v.post("/api/proposals", json={}).status_code == 403
    assert len(audit(fresh, "refused")) == 1
    for i in range(3 * REFUSAL_MAX):
        assert v.post(f"/api/proposals/x{i}/rename", json={}).status_code == 403
    assert len(audit(fresh, "refused")) == REFUSAL_MAX
    # the admin's own events still lead the log
    boss = as_user(fresh, "boss")
    assert boss.post("/api/admin/users", json={"name": "new1", "role": "viewer"}).status_code == 201
    assert boss.get("/api/admin/audit?limit=1").get_json()["rows"][0]["action"] == "user_added"
    # another account's refusals are its own count; an odd path is written out and cut
    c = as_user(fresh, "city")
    assert c.patch("/api/admin/users/" + "\u202e" + "x" * 400, json={}).status_code == 403
    line = audit(fresh, "refused")[0]
    assert line["user"] == "city" and "\\u202e" in line["object"] and "\u202e" not in line["object"]
    assert len(line["object"]) <= 170 and line["object"].endswith("…")
