"""QA 33 (fixer F5): what an account may do, checked where it was not.

1. An account made a viewer, or moved to another county, while its solve ran: the job saved a proposal the account
   may no longer make. The save re-checks the owner's rights now (as a disabled account's); the admin's change
   cancels such a job as a disable does.
2. A county planner's ``{"county": ""}`` (the whole city) was solved for his county (201): 403 as his re-run of a
   city-wide proposal; no county at all is still his county.
3. A 6 MB JSON login took 2.5 s of CPU before its 400: the sign-in requests have a small body limit, refused first.
4. PATCH /api/proposals/<id> took a form, and a form's csrf_token was refused with the token echoed: JSON only,
   and no error quotes a CSRF token.
5. /plan/targets.csv signed out was a 302 to the login page: a download gets the API's 401 JSON.
6. The 409 of a stale rename said "someone else": it names who and when.
"""
from __future__ import annotations

import io
import json
import threading
import time

import pytest

from accounts import PW, accounts_app, held_at_start, saved_under, signed_in
from web import proposals as web_proposals
from web.jobs import JobRunner, rights_refusal

FANG, ZHUXI = "420325", "420324"
LOCATION = {"type": "elderly_complex", "model": "mclp", "p": 3}


def _app(tmp_path, **config):
    return accounts_app(tmp_path, [("boss", "admin", None), ("zhu", "planner", None), ("zx", "planner", ZHUXI),
                                   ("fang", "planner", FANG)], **config)


@pytest.fixture()
def gated(monkeypatch):
    """The location solve waits at its start until ``gate`` is set (``started`` tells it has begun)."""
    with held_at_start(monkeypatch, web_proposals, "propose") as events:
        yield events


# -- 1. the owner's rights at the save ------------------------------------------------------------------------------
@pytest.mark.parametrize("who, change, county, said_zh, said_en", [
    ("zhu", {"role": "viewer"}, None, "该账号现为查看者", "its role is now viewer"),
    ("zx", {"county": FANG}, ZHUXI, "该账号现限于 房县（420325），而此方案针对竹溪县（420324）",
     "it is now limited to Fang County (420325), and this proposal is for Zhuxi County (420324)"),
])
def test_an_admin_change_that_takes_the_right_away_cancels_the_running_job(tmp_path, gated, who, change, county,
                                                                            said_zh, said_en):
    started, gate = gated
    app = _app(tmp_path)
    jobs, users = app.extensions["coverplan"]["jobs"], app.extensions["coverplan"]["users"]
    try:
        r = signed_in(app, who).post("/api/proposals", json=LOCATION)
        assert r.status_code == 202, r.data[:300]
        job_id = r.get_json()["id"]
        assert r.get_json()["params"]["county"] == county
        assert started.wait(20)
        boss = signed_in(app, "boss")
        assert boss.patch(f"/api/admin/users/{who}", json=change).status_code == 200
        j = boss.get(f"/api/jobs/{job_id}?lang=en").get_json()
        assert j["cancel_requested"] and "an administrator changed the account's rights" in j["message"], j
        gate.set()
        assert jobs.wait(job_id, 90).state == "cancelled"
        for lang, said in (("zh", said_zh), ("en", said_en)):
            j = boss.get(f"/api/jobs/{job_id}?lang={lang}").get_json()
            assert j["state"] == "cancelled" and j["result"] is None and said in j["message"], j
        assert saved_under(app, users.by_name(who).id) == []
        entries = users.audit_list(action="job_cancelled", limit=50)[1]
        assert [e["object"] for e in entries] == [job_id]
        assert entries[0]["user"] == "boss" and entries[0]["detail"]["account"] == who
        assert said_en in entries[0]["detail"]["reason"]["en"]
    finally:
        gate.set()
        jobs.shutdown()


def test_a_change_another_process_makes_stops_the_save(tmp_path, gated):
    """Moved to Fang County from the command line (no cancel reaches the server's jobs): the 竹溪 proposal fails at
    its save, 403 OwnerRightsChanged, nothing saved."""
    started, gate = gated
    app = _app(tmp_path)
    jobs, users = app.extensions["coverplan"]["jobs"], app.extensions["coverplan"]["users"]
    try:
        r = signed_in(app, "zx").post("/api/proposals", json=LOCATION)
        assert r.status_code == 202, r.data[:300]
        assert started.wait(20)
        users.update("zx", county=FANG)  # the database alone, as `coverplan users` writes it
        gate.set()
        job = jobs.wait(r.get_json()["id"], 90)
        assert job.state == "failed" and job.result is None, (job.state, job.error)
        assert job.error["error"] == "OwnerRightsChanged" and job.error["status"] == 403
        assert job.error["details"]["reason"] == "county" and job.error["details"]["scope"] == ZHUXI
        assert "竹溪县（420324）" in job.error["message_zh"] and "未保存" in job.error["message_zh"]
        assert "Zhuxi County (420324)" in job.error["message_en"] and "not saved" in job.error["message_en"]
        assert saved_under(app, users.by_name("zx").id) == []
        assert users.audit_list(action="proposal_saved", limit=50)[1] == []
    finally:
        gate.set()
        jobs.shutdown()


def test_a_change_that_keeps_the_right_leaves_the_job_alone(tmp_path, gated):
    started, gate = gated
    app = _app(tmp_path)
    jobs, users = app.extensions["coverplan"]["jobs"], app.extensions["coverplan"]["users"]
    try:
        r = signed_in(app, "zx").post("/api/proposals", json=LOCATION)
        assert r.status_code == 202, r.data[:300]
        assert started.wait(20)
        # city-wide now: his county's proposal is still his to make
        assert signed_in(app, "boss").patch("/api/admin/users/zx", json={"county": None}).status_code == 200
        gate.set()
        job = jobs.wait(r.get_json()["id"], 90)
        assert job.state == "done", (job.state, job.error)
        assert len(saved_under(app, users.by_name("zx").id)) == 1
        assert users.audit_list(action="job_cancelled", limit=50)[1] == []
    finally:
        gate.set()
        jobs.shutdown()


class _Account:
    def __init__(self, role, county=None):
        self.role, self.county, self.disabled = role, county, False

    @property
    def can_edit(self):
        return self.role in ("planner", "admin")

    @property
    def citywide(self):
        return self.role == "admin" or (self.role == "planner" and not self.county)


def test_a_queued_job_whose_account_lost_the_right_does_not_run():
    runner = JobRunner(workers=1)
    account = {"now": _Account("planner", ZHUXI)}
    runner.owner_rights = lambda job: rights_refusal(account["now"], job, {ZHUXI: "竹溪县", FANG: "房县"})
    gate, ran = threading.Event(), []
    try:
        first = runner.submit("proposal", lambda p, s: gate.wait(10) and None, {"county": ZHUXI})
        first.owner = "user:zx"
        second = runner.submit("proposal", lambda p, s: ran.append(1) or {"ok": 1}, {"county": ZHUXI})
        second.owner = "user:zx"
        account["now"] = _Account("viewer")
        gate.set()
        job = runner.wait(second.id, 10)
        assert job.state == "failed" and ran == [], (job.state, job.error)
        assert job.error["error"] == "OwnerRightsChanged" and "was not run" in job.error["message_en"]
        assert "计算未运行" in job.error["message_zh"]
    finally:
        gate.set()
        runner.shutdown()


def test_the_rights_rule():
    class Job:
        def __init__(self, kind, county=None):
            self.kind, self.params = kind, {"county": county}
    assert rights_refusal(_Account("admin"), Job("proposal", ZHUXI)) is None
    assert rights_refusal(_Account("planner"), Job("proposal", ZHUXI)) is None
    assert rights_refusal(_Account("planner", ZHUXI), Job("proposal", ZHUXI)) is None
    assert rights_refusal(_Account("planner", FANG), Job("proposal", ZHUXI))["code"] == "county"
    assert rights_refusal(_Account("planner", FANG), Job("proposal"))["code"] == "county"  # the whole city's
    assert rights_refusal(_Account("planner", FANG), Job("network"))["code"] == "county"
    assert rights_refusal(_Account("viewer"), Job("proposal"))["code"] == "role"
    assert rights_refusal(None, Job("proposal")) is None  # unknown: owner_active's to tell


# -- 2. the whole city asked by a county planner -----------------------------------------------------------------
@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    app = _app(tmp_path_factory.mktemp("rights"), MAX_JOBS_PER_USER=50, MAX_QUEUED_JOBS=50)
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_a_county_planner_asking_for_the_whole_city_is_refused(shared_app):
    fang = signed_in(shared_app, "fang")
    before = len(shared_app.extensions["coverplan"]["jobs"].list())
    for lang, said in (("en", "You may make proposals for Fang County (420325) only (asked: the whole city)."),
                       ("zh", "您只能为 房县（420325） 制定方案（所选：全市）。")):
        r = fang.post(f"/api/proposals?wait=60&lang={lang}", json={"type": "day_care", "county": ""})
        assert r.status_code == 403, r.data[:300]
        assert r.get_json()["message"] == said
    r = fang.post("/api/proposals?lang=en", data={"type": "day_care", "county": ""})  # a form's 全市 too
    assert r.status_code == 403, r.data[:300]
    assert len(shared_app.extensions["coverplan"]["jobs"].list()) == before  # nothing started


def test_no_county_is_still_his_county_and_a_citywide_planner_keeps_the_whole_city(shared_app):
    for who, body, county in (("fang", {"type": "day_care", "p": 1}, FANG),
                              ("zhu", {"type": "day_care", "p": 1, "county": ""}, None)):
        c = signed_in(shared_app, who)
        r = c.post("/api/proposals", json=body)
        assert r.status_code == 202, r.data[:300]
        assert r.get_json()["params"]["county"] == county
        c.post(r.get_json()["cancel"])


def test_the_proposal_form_of_a_county_planner_holds_his_county(shared_app):
    """The page sends the county its list holds (web/static/proposals.js formBody leaves "" out): his, fixed."""
    html = signed_in(shared_app, "fang").get("/proposals").get_data(as_text=True)
    form = html[html.index('id="p-county"'):]
    form = form[:form.index("</select>")]
    assert f'<option value="{FANG}" selected>' in form and '<option value="">' not in form, form


# -- 3. a small body for the sign-in requests ------------------------------------------------------------------------
def test_a_huge_login_is_refused_at_once_in_its_own_words(shared_app):
    big = json.dumps({f"k{i}": i for i in range(500_000)})  # ~9 MB: within the general 20 MB limit
    c = shared_app.test_client()
    t0 = time.perf_counter()
    r = c.post("/login?lang=en", data=big, content_type="application/json")
    assert time.perf_counter() - t0 < 1.0
    assert r.status_code == 413, r.data[:300]
    body = r.get_json()
    assert body["error"] == "RequestEntityTooLarge" and body["details"]["limit"] == 64 * 1024
    assert "signing in" in body["message_en"] and "64 KB" in body["message_en"]
    assert "登录" in body["message_zh"] and "64 KB" in body["message_zh"]
    assert "proposal" not in body["message_en"].lower() and "方案" not in body["message_zh"]


@pytest.mark.parametrize("path", ["/login", "/logout", "/account/password"])
def test_every_sign_in_request_has_the_small_limit(shared_app, path):
    c = signed_in(shared_app, "zhu") if path != "/login" else shared_app.test_client()
    r = c.post(path, data={"name": "x" * 100_000}, headers={"Accept": "application/json"})
    assert r.status_code == 413 and r.get_json()["details"]["limit"] == 64 * 1024, r.data[:300]
    # a body of untold length (chunked: the server says its stream ends, as waitress does) is read up to the limit
    r = c.post(path, input_stream=io.BytesIO(b'{"a": "' + b"x" * 100_000 + b'"}'), content_type="application/json",
               headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == 413, r.data[:300]


def test_a_normal_login_and_other_routes_keep_working(shared_app):
    c = shared_app.test_client()
    r = c.post("/login", json={"name": "zhu", "password": PW})
    assert r.status_code == 200, r.data[:300]
    # the longest passwords a form may carry fit within the sign-in limit (3 x 1,024 characters, percent-encoded)
    r = c.post("/account/password?lang=en", data={"current": "𝔸" * 1024, "new": "𝔸" * 1024, "again": "𝔸" * 1024},
               headers={"Accept": "application/json"})
    assert r.status_code != 413 and r.status_code < 500, r.data[:300]
    # another route keeps the general limit: a 100 KB body is read (and its unknown field refused), not a 413
    r = c.post("/api/proposals?lang=en", json={"type": "day_care", "zzz": "x" * 100_000})
    assert r.status_code == 400, r.data[:300]


# -- 4. PATCH is JSON only; no CSRF token in an error ---------------------------------------------------------------
def _proposal(app, name="甲", owner=None) -> str:
    return app.extensions["coverplan"]["store"].add(name=name, type_key="day_care", params={}, summary={},
                                                     geojson={"type": "FeatureCollection", "features": []},
                                                     owner=owner)


def test_a_proposal_patch_is_json_only_and_never_quotes_the_csrf_token(tmp_path):
    app = _app(tmp_path, CSRF_ENABLED=True)
    try:
        pid = _proposal(app)
        c = app.test_client()
        r = c.post("/login", json={"name": "boss", "password": PW})
        assert r.status_code == 200, r.data[:300]
        c.csrf = r.get_json()["csrf"]  # the login's own token
        r = c.patch(f"/api/proposals/{pid}?lang=en", data={"note": "表单", "csrf_token": c.csrf})
        assert r.status_code == 400, r.data[:300]
        assert "must be sent as JSON" in r.get_json()["message"] and c.csrf not in r.get_data(as_text=True)
        assert app.extensions["coverplan"]["store"].get(pid)["note"] == ""
        # a JSON body carrying it: refused as a field it does not take, without the token
        for lang in ("zh", "en"):
            r = c.patch(f"/api/proposals/{pid}?lang={lang}", json={"note": "x", "csrf_token": c.csrf})
            assert r.status_code == 400, r.data[:300]
            assert c.csrf not in r.get_data(as_text=True), r.get_json()
            assert r.get_json()["details"]["parameter"] == "csrf_token"
        r = c.patch(f"/api/proposals/{pid}", json={"note": "JSON"})
        assert r.status_code == 200 and r.get_json()["note"] == "JSON"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 5. downloads outside /api answer 401 JSON ------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/plan/targets.csv", "/plan/targets.xlsx"])
def test_a_download_signed_out_is_the_api_401(shared_app, path):
    r = shared_app.test_client().get(path + "?lang=en", headers={"Accept": "text/html"})
    assert r.status_code == 401, (r.status_code, r.location)
    assert r.get_json()["error"] == "LoginRequired" and r.get_json()["message"] == "Please log in first."


def test_a_page_signed_out_still_goes_to_the_login_page(shared_app):
    r = shared_app.test_client().get("/plan", headers={"Accept": "text/html"})
    assert r.status_code == 302 and "/login" in r.location


# -- 6. the 409 of a stale rename names who and when -----------------------------------------------------------------
def test_a_stale_rename_names_who_changed_it_and_when(shared_app):
    pid = _proposal(shared_app, "原名")
    boss, zhu = signed_in(shared_app, "boss"), signed_in(shared_app, "zhu")
    assert boss.patch(f"/api/proposals/{pid}", json={"name": "新名", "was": {"name": "原名"}}).status_code == 200
    when = time.strftime("%H:%M", time.localtime(shared_app.extensions["coverplan"]["store"].get(pid)["updated"]))
    for lang, said in (("zh", f"boss 于 {when} 修改了该方案"), ("en", f"boss changed this proposal at {when}")):
        r = zhu.patch(f"/api/proposals/{pid}?lang={lang}", json={"name": "我的名", "was": {"name": "原名"}})
        assert r.status_code == 409, r.data[:300]
        body = r.get_json()
        assert said in body["message"] and "新名" in body["message"], body
        assert "他人已" not in body["message"] and "Someone else" not in body["message"]
        assert body["details"]["changed_by"] == "boss" and body["details"]["changed_at"] > 0
    # his own change from another tab is said so
    r = boss.patch(f"/api/proposals/{pid}?lang=en", json={"name": "又一名", "was": {"name": "原名"}})
    assert r.status_code == 409 and "You changed this proposal at" in r.get_json()["message"], r.get_json()
    assert shared_app.extensions["coverplan"]["store"].get(pid)["name"] == "新名"
