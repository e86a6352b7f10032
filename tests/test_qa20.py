"""QA sweep 20 (2026-12-05, third session): what it found, each fixed with a test of the outcome."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa20") / "p.sqlite"), "CSRF_ENABLED": False})

    def client():
        return app.test_client()

    client.app = app
    yield client
    app.extensions["coverplan"]["jobs"].shutdown()


def _lang_of(resp) -> str:
    """The language an answer speaks: its message's (API) or its page's <html lang>."""
    if resp.is_json:
        body = resp.get_json()
        return "en" if body["message"] == body["message_en"] else "zh"
    page = resp.get_data(as_text=True)
    return "en" if '<html lang="en"' in page else "zh"


# -- a first visit reads in the browser's language ----------------------------------------------------
@pytest.mark.parametrize("header, lang", [
    (None, "zh"),                                   # no preference: the server's default
    ("en-US,en;q=0.9", "en"),
    ("en-GB", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("zh-TW", "zh"),
    ("fr-FR,en;q=0.5", "en"),                        # the first language we have
    ("en;q=0.1,zh;q=0.9", "zh"),                     # by weight, not by order
    ("fr, de", "zh"),                                # neither: the server's default
    ("*", "zh"),
])
def test_accept_language_chooses_before_the_switch_is_used(client, header, lang):
    c = client()
    headers = {"Accept-Language": header} if header else {}
    api = c.get("/api/coverage?tpye=x", headers=headers)
    assert api.status_code == 400 and _lang_of(api) == lang
    page = c.get("/", headers=headers)
    assert page.status_code == 200 and _lang_of(page) == lang
    assert {"Cookie", "Accept-Language"} <= set(page.vary)


def test_the_switch_and_its_cookie_win_over_accept_language(client):
    c = client()
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    assert _lang_of(c.get("/?lang=zh", headers=english_browser)) == "zh"
    assert _lang_of(c.get("/", headers=english_browser)) == "zh"   # the cookie keeps the choice
    chinese_browser = {"Accept-Language": "zh-CN"}
    assert _lang_of(c.get("/?lang=en", headers=chinese_browser)) == "en"
    assert _lang_of(c.get("/api/coverage?tpye=x", headers=chinese_browser)) == "en"


def test_a_server_started_in_english_still_reads_chinese_to_a_chinese_browser(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "LANG": "en"})
    try:
        c = app.test_client()
        assert _lang_of(c.get("/")) == "en"
        assert _lang_of(c.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})) == "zh"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_login_page_and_a_refusal_before_login_read_in_the_browsers_language(tmp_path):
    from accounts import accounts_app

    app = accounts_app(tmp_path, [("li", "planner", None)])
    try:
        c = app.test_client()
        english = {"Accept-Language": "en-US,en;q=0.9"}
        login = c.get("/login", headers=english)
        assert login.status_code == 200 and _lang_of(login) == "en"
        refused = c.get("/api/coverage", headers=english)
        assert refused.status_code == 401 and _lang_of(refused) == "en"
        assert _lang_of(c.get("/api/coverage", headers={"Accept-Language": "zh-CN"})) == "zh"
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- an upload id that is not one of ours is a 404, not a server error ---------------------------------
@pytest.mark.parametrize("uid", ["a" * 260, "../" * 40, "0" * 31])
def test_confirming_a_made_up_upload_id_is_not_found(client, uid):
    (Path(client.app.config["DATA_DIR"]) / "uploads").mkdir(parents=True, exist_ok=True)  # as after an upload
    answer = client().post(f"/api/data/uploads/{uid}/confirm")
    assert answer.status_code == 404, answer.data[:300]
    assert answer.get_json()["error"] in ("NotFoundError", "NotFound")  # ours, or no such route


# -- a road network refused for a full queue is not kept, and the refusal reads in the page's language -
def test_a_network_upload_refused_by_the_queue_keeps_no_file(client, monkeypatch):
    import io

    from web.errors import TooManyJobs

    jobs = client.app.extensions["coverplan"]["jobs"]

    def full(*args, **kwargs):
        raise TooManyJobs(2, 2)

    monkeypatch.setattr(jobs, "submit", full)
    uploads = Path(client.app.config["DATA_DIR"]) / "uploads"
    before = set(uploads.iterdir()) if uploads.exists() else set()
    c = client()
    answer = c.post("/api/data/uploads?kind=network", data={"kind": "network", "file": (io.BytesIO(b"<osm/>"), "g.osm")},
                    content_type="multipart/form-data")
    assert answer.status_code == 429
    body = answer.get_json()
    assert body["message"] == body["message_zh"] and "每位用户最多 2 个" in body["message"]
    after = set(uploads.iterdir()) if uploads.exists() else set()
    assert after == before, f"left behind: {sorted(map(str, after - before))}"


# -- an edit that changes nothing makes no data version -------------------------------------------------
def test_the_same_mark_twice_and_the_same_rollback_twice_make_no_empty_version(client):
    c = client()
    layers = c.get("/api/coverage/elderly_complex/layers").get_json()
    seat = layers["candidates"]["features"][0]["properties"]["id"]
    mark = {"action": "mark", "type": "elderly_complex", "candidate_id": seat, "mark": "forbidden", "note": "无用地"}
    first = c.post("/api/data/edits", json=mark)
    assert first.status_code == 200, first.get_json()
    v = first.get_json()["version"]
    again = c.post("/api/data/edits?lang=en", json=mark)
    assert again.status_code == 400
    assert "already marked forbidden" in again.get_json()["message"] and "nothing to change" in again.get_json()["message"]
    assert c.get("/api/data/versions").get_json()["current"] == v
    # another note is a change (the note is kept with the mark)
    assert c.post("/api/data/edits", json={**mark, "note": "用地已收回"}).status_code == 200
    current = c.get("/api/data/versions").get_json()["current"]
    back = c.post("/api/data/rollback", json={"version": v - 1})
    assert back.status_code == 200, back.get_json()
    twice = c.post("/api/data/rollback", json={"version": v - 1})
    assert twice.status_code == 400
    assert "回退不会改变任何数据" in twice.get_json()["message_zh"]
    assert c.get("/api/data/versions").get_json()["current"] == back.get_json()["version"] == current + 1


# -- fields of the wrong kind are refused, not taken as absent ------------------------------------------
@pytest.mark.parametrize("field, value", [("county", []), ("county", {}), ("county", False), ("county", 0),
                                          ("kind", []), ("kind", {}), ("kind", 0), ("kind", False)])
def test_a_proposal_field_of_the_wrong_kind_is_a_400_naming_it(client, field, value):
    answer = client().post("/api/proposals", json={"type": "day_care", "p": 3, field: value})
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["details"]["parameter"] == field


def test_the_whole_city_is_still_chosen_by_an_empty_county(client):
    answer = client().post("/api/proposals?wait=60", json={"type": "day_care", "p": 2, "county": ""})
    assert answer.status_code in (200, 201, 202), answer.get_json()


@pytest.mark.parametrize("k", ["2000000", "99999999999"])
def test_a_k_too_large_is_told_the_real_limit(client, k):
    answer = client().get(f"/api/upgrades/mutual_aid?k={k}&lang=en")
    assert answer.status_code == 400
    message = answer.get_json()["message"]
    assert "1,000,000" not in message and "choose between 1 and" in message


# -- a long file name keeps its suffix -----------------------------------------------------------------
def test_a_long_file_name_is_shortened_in_the_middle_and_still_read_as_csv(client):
    import io

    c = client()
    body = "名称,类型,经度,纬度\n测试站,day_care,110.79,32.58\n".encode()
    answer = c.post("/api/data/uploads", data={"kind": "facilities", "file": (io.BytesIO(body), "a" * 5000 + ".csv")},
                    content_type="multipart/form-data")
    assert answer.status_code in (200, 201), answer.get_json()
    name = answer.get_json()["file"]["name"]
    assert len(name) <= 120 and name.endswith("….csv")


# -- a name given twice, a body sent empty --------------------------------------------------------------
def test_a_json_body_with_a_name_given_twice_is_refused(client):
    answer = client().post("/api/proposals?lang=en", data='{"type": "day_care", "p": 2, "p": 3}',
                           content_type="application/json")
    assert answer.status_code == 400
    assert 'the name "p" is given twice' in answer.get_json()["message"]


def test_an_empty_json_body_is_told_it_is_empty(client):
    answer = client().post("/api/data/edits?lang=en", data=b"", content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["message"] == "The request has no body: send a JSON object."


# -- the 413 answer gives advice that works -------------------------------------------------------------
def test_a_too_large_upload_is_told_what_works(tmp_path):
    import io

    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "CSRF_ENABLED": False, "MAX_CONTENT_LENGTH": 1024})
    try:
        answer = app.test_client().post("/api/data/uploads?lang=en", data={
            "kind": "facilities", "file": (io.BytesIO(b"x" * 4096), "big.csv")}, content_type="multipart/form-data")
        assert answer.status_code == 413
        message = answer.get_json()["message"]
        assert "compress" not in message and ".xlsx" in message and "coverplan data import" in message
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- the login and password forms refuse fields they do not take; an account change must change something -
def test_login_password_and_account_changes_refuse_what_they_do_not_take(tmp_path):
    from accounts import PW, accounts_app, signed_in

    app = accounts_app(tmp_path, [("admin1", "admin", None), ("view1", "viewer", None), ("li", "planner", None)])
    try:
        c = app.test_client()
        bogus = c.post("/login?lang=en", json={"name": "li", "password": PW, "bogus": 1})
        assert bogus.status_code == 400 and "bogus" in bogus.get_json()["message"]
        assert c.get("/api/me").status_code == 401  # not signed in by the refused request
        li = signed_in(app, "li")
        extra = li.post("/account/password", json={"current": PW, "new": "another-pass-1", "again": "another-pass-1",
                                                   "extra": 1})
        assert extra.status_code == 400 and "extra" in extra.get_json()["message"]
        assert signed_in(app, "li")  # the password did not change
        admin = signed_in(app, "admin1")
        for same in ({"role": "viewer"}, {"disabled": False}, {"county": ""}):
            answer = admin.patch("/api/admin/users/view1?lang=en", json=same)
            assert answer.status_code == 400, (same, answer.get_json())
            assert answer.get_json()["message"].startswith("Nothing to change: view1")
        assert admin.patch("/api/admin/users/view1", json={"role": "planner"}).status_code == 200
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- a cancelled job says so ------------------------------------------------------------------------------
def test_a_cancelled_job_says_cancelled_not_the_stage_it_was_at(client):
    import time

    c = client()
    start = c.post("/api/proposals", json={"type": "day_care", "model": "pmedian", "p": 60, "time_limit": 120})
    assert start.status_code == 202, start.get_json()
    job = start.get_json()
    c.post(job["cancel"])
    for _ in range(300):
        now = c.get(job["url"] + "?lang=en").get_json()
        if now["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert now["state"] == "cancelled" and now["message"] == "Cancelled."
    assert c.get(job["url"] + "?lang=zh").get_json()["message"] == "已取消。"
