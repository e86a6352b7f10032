"""QA sweep 21, hostile client of the HTTP API: each finding pinned by a test that fails without its fix."""
from __future__ import annotations

import io
import threading
import time

import pytest


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa21api") / "p.sqlite"), "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def c(app):
    return app.test_client()


def _audit(app, action: str, obj: str | None = None) -> list[dict]:
    rows = app.extensions["coverplan"]["users"].audit_list(limit=500, action=action)[1]
    return [r for r in rows if obj is None or r["object"] == obj]


def _saved(app, name="甲", note="") -> str:
    store = app.extensions["coverplan"]["store"]
    pid = store.add(name=name, type_key="day_care", params={}, summary={},
                    geojson={"type": "FeatureCollection", "features": []})
    if note:
        store.update(pid, note=note)
    return pid


# -- 1. a parameter given twice is refused, not read as its first value -----------------------------------------
@pytest.mark.parametrize("url, name", [
    ("/api/townships?type=cemetery&type=day_care", "type"),
    ("/api/townships?status=met&status=not_met", "status"),
    ("/api/townships/at?lon=110.79&lat=32.65&lon=1", "lon"),
    ("/api/data/diff?a=0&b=0&a=1", "a"),
    ("/api/search?limit=5&limit=7", "limit"),
    ("/api/coverage/day_care?mode=estimate&mode=network", "mode"),
    ("/api/facilities.csv?county=420325&county=420322", "county"),
    ("/charts/coverage_by_county/day_care.svg?mode=estimate&mode=network", "mode"),
    ("/plan/targets.csv?proposals=a&proposals=b", "proposals"),
])
def test_a_query_parameter_given_twice_is_refused_naming_it(c, url, name):
    r = c.get(url)
    assert r.status_code == 400, r.data[:300]
    body = r.get_json()
    assert body["details"]["repeated"] == [name] and body["details"]["parameter"] == name
    assert f"参数 {name} 出现了多次" in body["message"]  # the request's language (zh by default)
    en = c.get(url + "&lang=en").get_json()
    assert en["message"] == en["message_en"] and f"Parameter {name} given more than once" in en["message"]


def test_lang_given_twice_is_refused_too_and_single_parameters_still_work(c):
    assert c.get("/api/facilities.csv?lang=zh&lang=en").status_code == 400
    assert c.get("/api/townships?type=day_care&status=met&lang=en").status_code == 200
    assert c.get("/api/search?q=房县&limit=5").status_code == 200


def test_a_form_field_given_twice_is_refused_and_starts_nothing(app, c):
    before = len(c.get("/api/jobs").get_json())
    r = c.post("/api/proposals?lang=en", data="type=day_care&p=1&p=2000",
               content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400, r.data[:300]
    body = r.get_json()
    assert body["details"]["parameter"] == "p" and body["details"]["values"] == {"p": ["1", "2000"]}
    assert "in the form" in body["message"] and "Nothing was done" in body["message"]
    assert len(c.get("/api/jobs").get_json()) == before
    pid = _saved(app)
    r = c.patch(f"/api/proposals/{pid}", data="name=a&name=b", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "name"
    assert app.extensions["coverplan"]["store"].get(pid)["name"] == "甲"


def test_an_upload_with_kind_twice_says_the_field_is_repeated(c):
    r = c.post("/api/data/uploads", content_type="multipart/form-data",
               data={"kind": ["facilities", "villages"], "file": (io.BytesIO(b"a,b\n1,2\n"), "d.csv")})
    assert r.status_code == 400
    msg = r.get_json()["message"]
    # not "“方案类型”（kind）填写的 null": it is no proposal type, and nobody sent null
    assert "方案类型" not in msg and "null" not in msg
    assert "kind" in msg and "出现了多次" in msg and r.get_json()["details"]["repeated"] == ["kind"]


# -- 2. a write's unknown query parameter is refused before anything is done ---------------------------------------
def test_a_misspelt_wait_is_refused_and_starts_no_job(c):
    before = len(c.get("/api/jobs").get_json())
    r = c.post("/api/proposals?wiat=60&lang=en", json={"type": "day_care", "p": 1})
    assert r.status_code == 400, r.data[:300]
    body = r.get_json()
    assert body["details"]["parameters"] == ["wiat"] and body["details"]["accepted"] == ["wait", "lang"]
    assert "wiat" in body["message"] and "wait" in body["message"]
    assert len(c.get("/api/jobs").get_json()) == before


def test_an_upload_refuses_an_unknown_query_parameter_and_a_kind_other_than_network(c):
    files = {"kind": "facilities", "file": (io.BytesIO(b"a,b\n1,2\n"), "d.csv")}
    r = c.post("/api/data/uploads?kind=xxx&foo=1", content_type="multipart/form-data", data=dict(files))
    assert r.status_code == 400 and r.get_json()["details"]["parameters"] == ["foo"]
    r = c.post("/api/data/uploads?kind=xxx", content_type="multipart/form-data",
               data={"kind": "facilities", "file": (io.BytesIO(b"a,b\n1,2\n"), "d.csv")})
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "kind"


def test_every_write_takes_only_lang_unless_it_declares_more(app, c):
    pid = _saved(app)
    for method, url in (("patch", f"/api/proposals/{pid}"), ("delete", f"/api/proposals/{pid}"),
                        ("post", f"/api/proposals/{pid}/rerun"), ("post", "/api/jobs/nope/cancel"),
                        ("post", "/api/data/rollback"), ("post", "/api/data/edits")):
        r = getattr(c, method)(url + "?dry_run=1", json={"name": "x"} if method == "patch" else None)
        assert r.status_code == 400 and r.get_json()["details"]["parameters"] == ["dry_run"], (method, url)
    assert app.extensions["coverplan"]["store"].get(pid) is not None  # the delete did not run
    assert c.patch(f"/api/proposals/{pid}?lang=en", json={"name": "乙"}).status_code == 200


# -- 3. a rename to the name it has changes nothing: 400, and no audit entry -------------------------------------
def test_renaming_a_proposal_to_its_own_name_is_nothing_to_change(app, c):
    pid = _saved(app, name="旧名", note="备注")
    assert c.patch(f"/api/proposals/{pid}", json={"name": "same"}).status_code == 200
    r = c.patch(f"/api/proposals/{pid}?lang=en", json={"name": "same"})
    assert r.status_code == 400 and "nothing to change" in r.get_json()["message"]
    assert "无需修改" in r.get_json()["message_zh"]
    assert c.patch(f"/api/proposals/{pid}", json={"note": "备注"}).status_code == 400
    assert c.patch(f"/api/proposals/{pid}", json={"name": " same ", "note": "备注"}).status_code == 400
    assert len(_audit(app, "proposal_renamed", pid)) == 1
    # a change of one of the two: saved, and the log names only what changed
    assert c.patch(f"/api/proposals/{pid}", json={"name": "same", "note": "新备注"}).status_code == 200
    entries = _audit(app, "proposal_renamed", pid)
    assert len(entries) == 2 and entries[0]["detail"] == {"note": "新备注"}


# -- 4. cancelling a job: ended 409, running 202 with cancel_requested, the kind in words -------------------------
def test_cancelling_a_finished_job_is_409_and_not_logged(app, c):
    jobs = app.extensions["coverplan"]["jobs"]
    job = jobs.submit("proposal", lambda progress, should_stop: {"ok": True}, {"type": "day_care"})
    assert jobs.wait(job.id, 30).state == "done"
    before = len(_audit(app, "job_cancelled"))
    for lang in ("zh", "en"):
        r = c.post(f"/api/jobs/{job.id}/cancel?lang={lang}")
        assert r.status_code == 409, r.data[:300]
        body = r.get_json()
        assert body["error"] == "JobEnded" and body["details"]["state"] == "done"
    assert "已结束" in body["message_zh"] and "already ended" in body["message_en"]
    assert jobs.get(job.id).state == "done"
    assert len(_audit(app, "job_cancelled")) == before


def test_cancelling_a_running_job_says_the_cancel_was_taken(app, c):
    from web.auth import audit_detail_text

    jobs = app.extensions["coverplan"]["jobs"]
    gate = threading.Event()

    def slow(progress, should_stop):
        while not should_stop() and not gate.is_set():
            gate.wait(0.02)

    try:
        running = jobs.submit("proposal", slow, {"type": "day_care", "county": None})
        queued = jobs.submit("proposal", slow, {"type": "day_care", "county": None})
        deadline = time.time() + 30
        while jobs.get(running.id).state != "running" and time.time() < deadline:
            time.sleep(0.02)
        # a queued job is dropped at once
        r = c.post(f"/api/jobs/{queued.id}/cancel")
        assert r.status_code == 200 and r.get_json()["state"] == "cancelled"
        # a running one is asked to stop: 202, the state it has and the sign that the cancel was taken
        gate_stop = running._stop
        r = c.post(f"/api/jobs/{running.id}/cancel?lang=en")
        assert r.status_code == 202, r.data[:300]
        body = r.get_json()
        assert body["cancel_requested"] is True and body["state"] in ("running", "cancelled")
        assert gate_stop.is_set()
        assert jobs.wait(running.id, 10).state == "cancelled"
        assert c.post(f"/api/jobs/{running.id}/cancel").status_code == 409
        entries = _audit(app, "job_cancelled", running.id)
        assert len(entries) == 1
        with app.test_request_context("/"):
            zh, en = audit_detail_text(entries[0]["detail"], "zh"), audit_detail_text(entries[0]["detail"], "en")
        assert "proposal" not in zh and "日间照料" in zh, zh
        assert "proposal" not in en and "day-care" in en.lower(), en
    finally:
        gate.set()


# -- 5. a diff whose only change is a capacity counts it -------------------------------------------------------
def test_a_capacity_change_is_counted_in_the_diff(c):
    rows = c.get("/api/facilities?type=elderly_complex").get_json()["rows"]
    row = next(r for r in rows if r["capacity"] is not None)
    before = c.get("/api/data/versions").get_json()["current"]
    r = c.post("/api/data/edits", json={"action": "update", "type": "elderly_complex", "id": row["id"],
                                        "fields": {"capacity": int(row["capacity"]) + 7}})
    assert r.status_code == 200, r.data[:300]
    after = r.get_json()["version"]
    d = c.get(f"/api/data/diff?a={before}&b={after}").get_json()
    assert len(d["facilities"]["capacity"]) == 1 and d["lines"]
    assert d["counts"]["facilities_capacity"] == 1
    assert sum(d["counts"].values()) == 1  # the one change, counted once


# -- 6. messages ---------------------------------------------------------------------------------------------------
def test_a_missing_latitude_is_named_not_shown_as_none(c):
    body = c.get("/api/townships/at?lon=110.8").get_json()
    assert body["details"]["parameter"] == "lat" and "None" not in body["message_en"] + body["message_zh"]
    assert "lat" in body["message_zh"] and "纬度" in body["message_zh"]
    body = c.get("/api/townships/at?lat=32.6&lang=en").get_json()
    assert body["details"]["missing"] == ["lon"] and "Missing parameter lon" in body["message"]


def test_a_huge_k_is_echoed_as_typed(c):
    body = c.get("/api/upgrades/mutual_aid?k=99999999999999999999999").get_json()
    assert "99999999999999999999999" in body["message_zh"] and "99999999999999991611392" not in str(body)


def test_a_too_large_json_body_is_told_as_a_request_not_as_a_file(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "CSRF_ENABLED": False, "MAX_CONTENT_LENGTH": 2**20})
    try:
        c = app.test_client()
        big = b'{"type": "day_care", "note": "' + b"x" * (2 * 2**20) + b'"}'
        for method, url in (("post", "/api/proposals"), ("patch", "/api/proposals/x"), ("post", "/api/data/edits")):
            r = getattr(c, method)(url + "?lang=en", data=big, content_type="application/json")
            assert r.status_code == 413, (url, r.data[:300])
            body = r.get_json()
            text = body["message_en"] + body["message_zh"]
            assert "1 MB" in body["message_en"] and "1 MB" in body["message_zh"] and body["details"]["limit"] == 2**20
            for upload_words in (".xlsx", "data import", "rows", "行"):
                assert upload_words not in text, (upload_words, text)
        # sent in chunks, its length untold: the same answer
        r = c.post("/api/proposals", input_stream=io.BytesIO(big), content_type="application/json",
                   environ_overrides={"wsgi.input_terminated": True})
        assert r.status_code == 413 and "过大" in r.get_json()["message_zh"] and ".xlsx" not in r.get_json()["message_zh"]
        # an upload keeps its own advice
        r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
                   data={"kind": "facilities", "file": (io.BytesIO(b"x" * (2 * 2**20)), "big.csv")})
        assert r.status_code == 413 and ".xlsx" in r.get_json()["message"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_recheck_without_a_body_is_a_recheck_with_an_empty_object(c, shiyan):
    g = shiyan.villages.geometry.iloc[11]
    csv = f"名称,类型,经度,纬度\n照料QA21,日间照料中心,{g.x:.6f},{g.y:.6f}\n".encode()
    r = c.post("/api/data/uploads", content_type="multipart/form-data",
               data={"kind": "facilities", "coords": "wgs84", "file": (io.BytesIO(csv), "d.csv")})
    assert r.status_code == 200, r.data[:300]
    uid = r.get_json()["upload_id"]
    empty = c.post(f"/api/data/uploads/{uid}/recheck")
    assert empty.status_code == 200, empty.data[:300]
    braces = c.post(f"/api/data/uploads/{uid}/recheck", json={})
    assert braces.status_code == 200 and empty.get_json()["counts"] == braces.get_json()["counts"]
    assert c.post(f"/api/data/uploads/{uid}/recheck", data=b"garbage{",
                  content_type="application/json").status_code == 400


# -- 7. the plan package's download answers its refusals as its API twin does ------------------------------------
@pytest.mark.parametrize("ids", ["../../x", "nosuch"])
def test_the_plan_download_answers_an_unknown_id_in_json_as_api_targets(c, ids):
    api = c.get(f"/api/targets?proposals={ids}")
    for accept in (None, "text/html,application/xhtml+xml,*/*;q=0.8"):
        r = c.get(f"/plan/targets.csv?proposals={ids}", headers={"Accept": accept} if accept else {})
        assert r.status_code == api.status_code == 404 and r.is_json, r.data[:200]
        assert r.get_json()["error"] == "NotFoundError" and ids in r.get_json()["message"]
    r = c.get("/plan/targets.pdf", headers={"Accept": "text/html"})
    assert r.status_code == 400 and r.is_json
    ok = c.get("/plan/targets.csv")
    assert ok.status_code == 200 and ok.mimetype == "text/csv"
