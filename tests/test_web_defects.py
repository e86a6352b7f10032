"""Regression tests for the API defects found by trying the app as a careless or hostile client.

Each test reproduces one defect of issue 12 as it was on main: the request
that broke something, and what must happen instead.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest

from web.app import create_app

STRICT = {"parse_constant": lambda name: (_ for _ in ()).throw(ValueError(f"non-standard JSON: {name}"))}


def strict_json(resp):
    """The body parsed as a browser would: NaN/Infinity are errors."""
    return json.loads(resp.get_data(as_text=True), **STRICT)


def assert_400(resp, parameter=None):
    assert resp.status_code == 400, resp.data[:300]
    body = strict_json(resp)
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    if parameter:
        assert body["details"]["parameter"] == parameter
    return body


# -- 1. non-finite numbers --------------------------------------------------------
@pytest.mark.parametrize("raw", ["inf", "-inf", "nan", "Infinity", "1e999"])
def test_form_standard_must_be_finite(client, raw):
    assert_400(client.post("/api/proposals", data={"type": "cemetery", "standard": raw}), "standard")


@pytest.mark.parametrize("text", ['{"type":"cemetery","standard":1e999}', '{"type":"cemetery","standard":NaN}',
                                  '{"type":"cemetery","standard":Infinity}', '{"type":"cemetery","p":-Infinity}'])
def test_json_body_with_non_finite_numbers_is_400(client, text):
    assert_400(client.post("/api/proposals", data=text, content_type="application/json"))
    assert client.get("/api/proposals").status_code == 200


def test_a_damaged_saved_row_never_takes_the_list_down(app, client):
    """A row written with Infinity (as the old code did) is listed as damaged and can be deleted."""
    db = app.config["DB_PATH"]
    with sqlite3.connect(db) as con:
        con.execute("INSERT INTO proposals (id, name, type_key, created, params, summary, geojson) "
                    "VALUES ('bad1', 'old', 'cemetery', 1, '{\"standard\": Infinity}', "
                    "'{\"before\": {\"covered_share\": NaN}}', '{\"features\": []}')")
    resp = client.get("/api/proposals")
    assert resp.status_code == 200
    rows = strict_json(resp)
    assert [r["id"] for r in rows] == ["bad1"] and rows[0]["damaged"] is True
    assert client.get("/proposals").status_code == 200
    assert client.delete("/api/proposals/bad1").status_code == 200
    assert strict_json(client.get("/api/proposals")) == []


def test_every_json_answer_is_standard_json(app, client):
    """NaN anywhere in an answer comes out as null (browsers cannot parse NaN)."""
    from flask import jsonify
    with app.test_request_context():
        body = jsonify({"a": float("nan"), "b": [1.0, float("inf")], "c": {"d": -float("inf")}}).get_data(as_text=True)
    assert json.loads(body, **STRICT) == {"a": None, "b": [1.0, None], "c": {"d": None}}
    for url in ("/api/jobs", "/api/coverage/day_care?units=1", "/api/coverage/cemetery/layers", "/api/targets"):
        resp = client.get(url)
        assert resp.status_code == 200
        strict_json(resp)


# -- 2. other 500s -------------------------------------------------------------------
def test_huge_integer_is_400_not_overflow(client):
    assert_400(client.post("/api/proposals", data='{"type":"elderly_complex","p":1e999}',
                           content_type="application/json"))
    assert_400(client.post("/api/proposals", data={"type": "elderly_complex", "p": "1e400"}), "p")
    assert_400(client.post("/api/proposals", json={"type": "elderly_complex", "p": 10 ** 30}), "p")


def test_deeply_nested_body_is_400(client):
    for depth in (5000, 100):
        resp = client.post("/api/proposals", data="[" * depth + "]" * depth, content_type="application/json")
        assert_400(resp)


def test_huge_standard_is_refused_and_old_rows_still_draw(app, client):
    body = assert_400(client.post("/api/proposals", json={"type": "day_care", "model": "mclp", "p": 2,
                                                          "standard": 10_000_000}), "standard")
    assert "300,000" in body["message_en"]
    # a proposal saved with such a standard by an older version still has a map
    from web import proposals as wp
    ext = app.extensions["coverplan"]
    with app.app_context():
        params = {"type": "day_care", "model": "mclp", "model_effective": "mclp", "p": 2,
                  "standard": {"urban": 1e7, "rural": 1e7}, "mode": "estimate", "time_limit": 30, "name": "x",
                  "note": ""}
        job = ext["jobs"].wait(wp.start(ext, params).id, 120)
    assert job.state == "done", job.error
    resp = client.get(f"/api/proposals/{job.result['proposal_id']}/layers")
    assert resp.status_code == 200
    assert len(strict_json(resp)["sites"]["features"]) == 2


def test_unexpected_error_is_500_in_chinese_without_trace(app, client, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("internal detail /secret/path")
    monkeypatch.setattr(app.extensions["coverplan"]["service"], "coverage_rows", broken)
    resp = client.get("/api/coverage")
    assert resp.status_code == 500
    body = strict_json(resp)
    assert "服务器内部错误" in body["message_zh"] and body["message"] == body["message_zh"]
    assert "secret" not in resp.get_data(as_text=True) and "Traceback" not in resp.get_data(as_text=True)
    page = client.get("/")
    assert page.status_code == 200  # only the broken call fails


# -- 6. "auto" honours the number of sites -------------------------------------------
def test_auto_model_with_sites_solves_that_many(client):
    resp = client.post("/api/proposals?wait=60", json={"type": "cemetery", "model": "auto", "p": 3})
    assert resp.status_code == 201, resp.data[:300]
    prop = resp.get_json()["proposal"]
    assert len(prop["sites"]) == 3
    assert prop["params"]["p"] == 3 and prop["params"]["model_effective"] == "mclp"
    assert prop["solver"]["model"] == "mclp"
    # without a number, auto still means full coverage for cemeteries
    job = client.post("/api/proposals", json={"type": "cemetery", "model": "auto"}).get_json()
    assert job["params"]["model_effective"] == "lscp" and job["params"]["p"] is None
    client.post(job["cancel"])


def test_urban_and_rural_standards_are_separate(client):
    resp = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2,
                                                       "standard_urban": 10, "standard_rural": 45})
    assert resp.status_code == 201
    std = resp.get_json()["proposal"]["standard"]
    assert (std["urban"], std["rural"]) == (10, 45)
    assert_400(client.post("/api/proposals", json={"type": "elderly_complex", "standard": 20, "standard_rural": 40}),
               "standard")


# -- 8. compare ------------------------------------------------------------------------
def test_compare_refuses_different_types_and_shows_units(client):
    a = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2}).get_json()
    b = client.post("/api/proposals?wait=60", json={"type": "cemetery", "model": "mclp", "p": 2}).get_json()
    c = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 4}).get_json()
    ia, ib, ic = (x["proposal"]["id"] for x in (a, b, c))
    resp = client.get(f"/proposals/compare?a={ia}&b={ib}")
    assert resp.status_code == 400
    assert "同一设施类型" in resp.get_data(as_text=True)
    page = client.get(f"/proposals/compare?a={ia}&b={ic}&lang=zh").get_data(as_text=True)
    assert "分钟" in page and "个百分点" in page and "+2 处" in page
    page = client.get(f"/proposals/compare?a={ia}&b={ic}&lang=en").get_data(as_text=True)
    assert " min" in page and " pt" in page and "+2 sites" in page


# -- rename and note -------------------------------------------------------------------
def test_rename_and_note(client):
    pid = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 1,
                                                      "note": "初稿"}).get_json()["proposal"]["id"]
    resp = client.patch(f"/api/proposals/{pid}", json={"name": "  郧西县补点方案 ", "note": "待县局确认"})
    assert resp.status_code == 200
    got = client.get(f"/api/proposals/{pid}").get_json()
    assert got["name"] == "郧西县补点方案" and got["note"] == "待县局确认" and got["updated"]
    assert client.get("/api/proposals").get_json()[0]["name"] == "郧西县补点方案"
    assert_400(client.patch(f"/api/proposals/{pid}", json={"name": ""}), "name")
    assert_400(client.patch(f"/api/proposals/{pid}", json={"p": 3}), "p")
    assert client.patch("/api/proposals/nope", json={"name": "x"}).status_code == 404


# -- 11. bounded resources -------------------------------------------------------------
def test_job_queue_is_bounded(tmp_path):
    # one client here: the per-user bound (tests/test_security.py) must not hide the global one
    app = create_app({"DB_PATH": str(tmp_path / "q.sqlite"), "MAX_QUEUED_JOBS": 3, "MAX_JOBS_PER_USER": 10})
    c = app.test_client()
    try:
        # (five different requests: an identical one while the first is queued is answered with its job, QA 35)
        codes = [c.post("/api/proposals", json={"type": "day_care", "model": "lscp", "name": f"q{i}"}).status_code
                 for i in range(5)]
        assert codes[:3] == [202, 202, 202] and codes[3:] == [503, 503]
        body = strict_json(c.post("/api/proposals", json={"type": "day_care", "model": "lscp", "name": "q5"}))
        assert "服务器繁忙" in body["message_zh"]
        jobs = c.get("/api/jobs").get_json()
        queued = sorted(j["ahead"] for j in jobs if j["state"] == "queued")
        assert queued and queued[-1] >= 1  # the last one knows how many are before it
    finally:
        for j in c.get("/api/jobs").get_json():
            c.post(f"/api/jobs/{j['id']}/cancel")
        app.extensions["coverplan"]["jobs"].shutdown()


def test_waiting_requests_are_bounded(tmp_path):
    """Only MAX_WAITERS requests hold a thread with ?wait=; the others are answered at once."""
    app = create_app({"DB_PATH": str(tmp_path / "w.sqlite"), "MAX_WAITERS": 1, "MAX_JOBS_PER_USER": 10})
    try:
        results = []

        def post():
            c = app.test_client()
            t0 = time.time()
            r = c.post("/api/proposals?wait=20", json={"type": "day_care", "model": "lscp"})
            results.append((r.status_code, time.time() - t0))

        threads = [threading.Thread(target=post) for _ in range(3)]
        for th in threads:
            th.start()
        deadline = time.time() + 15
        while len(results) < 2 and time.time() < deadline:
            time.sleep(0.05)
        quick = [r for r in results if r[0] == 202]
        # two answered at once while the third still holds its thread (the solves take seconds)
        assert len(quick) == 2 and all(dt < 5 for _, dt in quick), results
        for j in app.test_client().get("/api/jobs").get_json():
            app.test_client().post(f"/api/jobs/{j['id']}/cancel")
        for th in threads:
            th.join(30)
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert_400(app.test_client().post("/api/proposals?wait=1e999", json={"type": "day_care"}), "wait")


def test_request_body_size_is_limited(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "s.sqlite"), "MAX_CONTENT_LENGTH": 1024 * 1024})
    c = app.test_client()
    resp = c.post("/api/proposals", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert resp.status_code == 413
    body = strict_json(resp)
    assert "1 MB" in body["message_en"] and "过大" in body["message_zh"]
    app.extensions["coverplan"]["jobs"].shutdown()


# -- 4 (API side). a job cut off by a restart answers "interrupted" -----------------------
def test_job_from_before_a_restart_is_interrupted(tmp_path):
    db = str(tmp_path / "r.sqlite")
    first = create_app({"DB_PATH": db})
    job = first.test_client().post("/api/proposals", json={"type": "day_care", "model": "lscp"}).get_json()
    first.extensions["coverplan"]["jobs"]._pool.shutdown(wait=False, cancel_futures=True)  # "killed"
    second = create_app({"DB_PATH": db})  # the restarted server
    c = second.test_client()
    got = c.get(f"/api/jobs/{job['id']}?lang=zh")
    assert got.status_code == 200
    body = got.get_json()
    assert body["state"] == "interrupted" and "重启" in body["message"]
    assert body["params"]["type"] == "day_care"  # enough for the page to retry
    assert c.get("/api/jobs/unknown").status_code == 404
    first.extensions["coverplan"]["jobs"].shutdown()
    second.extensions["coverplan"]["jobs"].shutdown()


# -- 10. wording and labels -------------------------------------------------------------
def _hex(c: str) -> tuple[int, int, int]:
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


def test_facility_colours_differ_from_the_uncovered_red():
    from planner.palette import TYPE_COLOURS
    red = _hex("#d7191c")  # uncovered villages (web/static/map.js)
    for key, colour in TYPE_COLOURS.items():
        distance = sum((a - b) ** 2 for a, b in zip(_hex(colour), red)) ** 0.5
        assert distance > 100, f"{key} markers ({colour}) look like uncovered villages"


def _main(html: str) -> str:
    """The visible page body (the script catalogue of every UI string is left out)."""
    return html[html.index("<main>"):html.index("</main>")]


def test_pages_speak_the_units_and_models_of_the_type(client):
    day = _main(client.get("/map/day_care?lang=zh").get_data(as_text=True))
    assert "距离为直线距离×绕行系数估算" in day and "出行时间为直线距离" not in day
    old = _main(client.get("/map/elderly_complex?lang=zh").get_data(as_text=True))
    assert "出行时间为直线距离×绕行系数估算" in old
    form = _main(client.get("/proposals?lang=zh").get_data(as_text=True))
    assert 'value="network"' not in form and "未加载路网" in form  # no road graph on this server
    pid = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp",
                                                      "p": 2}).get_json()["proposal"]["id"]
    page = _main(client.get(f"/proposals/{pid}?lang=zh").get_data(as_text=True))
    assert "最大覆盖（MCLP）" in page and "已证明最优" in page and "(optimal)" not in page
    assert "城镇服务标准 15 分钟" in page


def test_one_unit_township_reads_naturally(shiyan):
    from planner.checklist import checklist_from_coverage
    from planner.coverage import analyse_coverage
    cov = analyse_coverage(shiyan, "cemetery")
    cl = checklist_from_coverage(shiyan, cov)
    one = cl[(cl["units"] == 1) & (cl["status"] == "met")]
    assert len(one), "expected township seats covered on their own"
    assert not one["reason_en"].str.contains("all 1 units").any()
    assert one["reason_en"].str.contains("its one demand unit is covered").all()
