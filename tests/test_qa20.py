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
