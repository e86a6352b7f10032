"""QA sweep 10, proposals: a county planner may not re-run another county's (or the city's)
proposal, the audit log names an auto-named proposal, job progress names every model in words,
bad ``k`` / ``limit`` / ``offset`` are 400s naming them, and refusals quote values plainly.

CSRF is off here (tests/accounts.py): these tests are about what the endpoints answer.
"""
from __future__ import annotations

import pytest

from accounts import accounts_app
from accounts import signed_in as as_user

YUNXI, MAOJIAN = "420322", "420302"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qa10p")
    app = accounts_app(tmp, (("boss", "admin", None), ("city", "planner", None), ("yunxi", "planner", YUNXI)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _make(c, **body):
    r = c.post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": 2, **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


@pytest.fixture(scope="module")
def maojian(app):
    return _make(as_user(app, "boss"), county=MAOJIAN, name="茅箭日照方案")


@pytest.fixture(scope="module")
def citywide(app):
    return _make(as_user(app, "boss"), name="全市日照方案")


@pytest.fixture(scope="module")
def yunxi_own(app):
    return _make(as_user(app, "yunxi"))


def _wait(c, job: dict) -> dict:
    got = c.get(f"/api/jobs/{job['id']}").get_json()
    for _ in range(600):
        if got["state"] in ("done", "failed", "cancelled", "interrupted"):
            break
        import time
        time.sleep(0.2)
        got = c.get(f"/api/jobs/{job['id']}").get_json()
    return got


# -- 1: re-run outside the planner's county ------------------------------------------------------
def test_county_planner_cannot_rerun_another_countys_proposal(app, maojian):
    c = as_user(app, "yunxi")
    before = len(c.get("/api/proposals").get_json())
    for lang in ("zh", "en"):
        r = c.post(f"/api/proposals/{maojian['id']}/rerun?lang={lang}", json={})
        assert r.status_code == 403, r.get_json()
        body = r.get_json()
        assert "郧西县（420322）" in body["message_zh"] and "茅箭区（420302）" in body["message_zh"]
        assert "(420322)" in body["message_en"] and "(420302)" in body["message_en"]
    # the same words as creating a proposal for that county
    made = c.post("/api/proposals", json={"type": "day_care", "county": MAOJIAN}).get_json()
    assert made["message_zh"] == body["message_zh"]
    assert len(c.get("/api/proposals").get_json()) == before  # nothing was queued or saved


def test_county_planner_cannot_rerun_a_citywide_proposal(app, citywide):
    c = as_user(app, "yunxi")
    r = c.post(f"/api/proposals/{citywide['id']}/rerun?lang=en", json={})
    assert r.status_code == 403
    assert "(420322)" in r.get_json()["message_en"] and "whole city" in r.get_json()["message_en"]
    assert "全市" in r.get_json()["message_zh"]


def test_county_planner_reruns_his_own_countys_proposal(app, yunxi_own):
    c = as_user(app, "yunxi")
    r = c.post(f"/api/proposals/{yunxi_own['id']}/rerun", json={})
    assert r.status_code == 202, r.get_json()
    job = _wait(c, r.get_json())
    assert job["state"] == "done", job
    new = c.get(f"/api/proposals/{job['result']['proposal_id']}").get_json()
    assert new["params"]["county"] == YUNXI and new["params"]["rerun_of"] == yunxi_own["id"]


@pytest.mark.parametrize("who", ["boss", "city"])
def test_admin_and_citywide_planner_rerun_any_proposal_in_its_scope(app, maojian, who):
    c = as_user(app, who)
    r = c.post(f"/api/proposals/{maojian['id']}/rerun", json={})
    assert r.status_code == 202, r.get_json()
    job = _wait(c, r.get_json())
    assert job["state"] == "done", job
    new = c.get(f"/api/proposals/{job['result']['proposal_id']}").get_json()
    assert new["params"]["county"] == MAOJIAN  # kept its county, not the re-runner's


# -- 2: the audit log names an auto-named proposal -----------------------------------------------
def test_audit_names_an_auto_named_proposal(app, yunxi_own):
    assert yunxi_own["name"]  # generated: the planner left it empty
    rows = as_user(app, "boss").get("/api/admin/audit?action=proposal_saved&limit=500").get_json()["rows"]
    entry = next(r for r in rows if r["object"] == yunxi_own["id"])
    assert entry["detail"]["name"] == yunxi_own["name"]
    assert yunxi_own["name"] in entry["detail_text"]


# -- 3: progress messages name every kind of solve in words ----------------------------------------
@pytest.mark.parametrize("message,params,zh,en", [
    ("solving sized: MIP", {}, "求解（规模与选址） · 整数规划精确求解", "solving (sites and sizes) · exact integer programme"),
    ("solving upgrade: MIP", {"convert": False}, "求解（改造提升选择）", "solving (choosing upgrades)"),
    ("solving upgrade: MIP", {"convert": True}, "求解（转型选择）", "solving (choosing conversions)"),
    ("solving mclp: heuristic", {}, "求解（最大覆盖） · 启发式初始解", "solving (maximal covering) · heuristic start"),
    ("solving pcenter", {}, "求解（最远距离最短）", "solving (p-center)"),
    ("solving something_new: MIP", {}, "求解 · 整数规划精确求解", "solving · exact integer programme"),
])
def test_progress_names_each_kind_in_words(message, params, zh, en):
    from web.proposals import stage_text
    got_zh, got_en = stage_text(message, "zh", params), stage_text(message, "en", params)
    assert got_zh.startswith(zh) and got_en.startswith(en)
    assert not any(w in got_zh + got_en for w in ("SIZED", "UPGRADE", "MIP)", "sized", "upgrade:"))


def test_a_running_sized_job_says_its_kind_in_words(app):
    c = as_user(app, "boss")
    r = c.post("/api/proposals?lang=zh", json={"type": "day_care", "kind": "sized", "sizes": [30, 60],
                                                "budget_sites": 2})
    assert r.status_code == 202, r.get_json()
    seen = set()
    job = r.get_json()
    for _ in range(600):
        got = c.get(f"/api/jobs/{job['id']}?lang=zh").get_json()
        seen.add(got["message"])
        if got["state"] not in ("queued", "running"):
            break
        import time
        time.sleep(0.05)
    assert got["state"] == "done", got
    solving = [m for m in seen if m.startswith("求解")]
    assert not any("SIZED" in m for m in seen), seen
    assert all("规模与选址" in m for m in solving), seen


# -- 11: k, limit and offset are checked, not silently replaced ----------------------------------
@pytest.mark.parametrize("k", ["1.5", "nan", "1e999", "-1", "0", "abc", "501"])
def test_upgrades_k_must_be_a_whole_number(app, k):
    c = as_user(app, "boss")
    for lang in ("zh", "en"):
        r = c.get(f"/api/upgrades/mutual_aid?k={k}&lang={lang}")
        assert r.status_code == 400, (k, r.get_json())
        body = r.get_json()
        assert body["details"]["parameter"] == "k"
    if k in ("-1", "0"):  # a whole number, but not one to choose: the plan's own range (QA 16: not "1 to 500")
        assert "不小于 1 的整数" in body["message_zh"] and "whole number of at least 1" in body["message_en"]
    elif k == "501":  # more than the facilities within the per-county limits: the real limit is named
        assert "过多" in body["message_zh"] and "最多可选" in body["message_zh"] and "500" not in body["message_zh"]
    else:
        assert "整数" in body["message_zh"] and "integer" in body["message_en"]


def test_upgrades_whole_k_still_answers(app):
    r = as_user(app, "boss").get("/api/upgrades/mutual_aid?k=2")
    assert r.status_code == 200 and r.get_json()["params"]["k"] == 2


@pytest.mark.parametrize("query,name", [("limit=-1", "limit"), ("limit=0", "limit"), ("limit=nan", "limit"),
                                        ("limit=1e999", "limit"), ("limit=abc", "limit"), ("limit=2.5", "limit"),
                                        ("limit=501", "limit"), ("offset=-3", "offset"), ("offset=nan", "offset"),
                                        ("offset=1e999", "offset"), ("offset=x", "offset"),
                                        ("limit=1e999&offset=nan", "limit")])
def test_audit_refuses_bad_limit_and_offset(app, query, name):
    r = as_user(app, "boss").get(f"/api/admin/audit?{query}")
    assert r.status_code == 400, (query, r.get_json())
    body = r.get_json()
    assert body["details"]["parameter"] == name and name in body["message_zh"] and name in body["message_en"]


def test_audit_pages_still_work(app):
    c = as_user(app, "boss")
    assert c.get("/api/admin/audit").get_json()["limit"] == 50
    page = c.get("/api/admin/audit?limit=1&offset=1").get_json()
    assert (page["limit"], page["offset"], len(page["rows"])) == (1, 1, 1)


# -- 12: values quoted plainly; a too-deep body says so ---------------------------------------------
def test_not_found_quotes_the_id_with_control_characters_escaped(app):
    c = as_user(app, "boss")
    body = c.get("/api/proposals/%00").get_json()
    assert body["message_en"] == "Proposal “\\u0000” not found."
    assert body["message_zh"] == "未找到方案“\\u0000”。"
    body = c.get("/api/proposals/nope").get_json()
    assert body["message_en"] == "Proposal “nope” not found." and "'" not in body["message_en"]
    assert c.get("/api/proposals/" + "x" * 300).get_json()["message_en"].endswith("…” not found.")


@pytest.mark.parametrize("origin", ["http://evil.com", "null"])
def test_foreign_origin_refusal_quotes_the_origin_plainly(tmp_path, origin):
    from web.app import create_app
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        r = app.test_client().post("/api/proposals", json={"type": "day_care"}, headers={"Origin": origin})
        assert r.status_code == 403
        body = r.get_json()
        assert f"“{origin}”" in body["message_en"] and f"“{origin}”" in body["message_zh"]
        assert f"'{origin}'" not in body["message_en"] and "('" not in body["message_en"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_foreign_host_refusal_quotes_the_name_plainly(tmp_path):
    from web.app import create_app
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        body = app.test_client().get("/api/types", headers={"Host": "evil.example"}).get_json()
        assert "“evil.example”" in body["message_en"] and "'evil.example'" not in body["message_en"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_patch_with_a_too_deep_body_says_it_is_nested_too_deep(app, maojian):
    c = as_user(app, "boss")
    deep = "[" * 100_000 + "]" * 100_000
    for lang, word in (("zh", "32 层"), ("en", "32")):
        r = c.patch(f"/api/proposals/{maojian['id']}?lang={lang}", data=deep, content_type="application/json")
        assert r.status_code == 400
        assert word in r.get_json()["message"], r.get_json()
    posted = c.post("/api/proposals", data=deep, content_type="application/json").get_json()
    patched = c.patch(f"/api/proposals/{maojian['id']}", data=deep, content_type="application/json").get_json()
    assert patched["message_zh"] == posted["message_zh"] and patched["message_en"] == posted["message_en"]
    # an empty body still asks for name and/or note
    r = c.patch(f"/api/proposals/{maojian['id']}", data="", content_type="application/json")
    assert r.status_code == 400 and "name" in r.get_json()["message_en"]
