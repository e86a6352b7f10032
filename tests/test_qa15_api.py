"""What QA sweep 15 sent a shared server, as a hostile or careless client would, and its answers."""
from __future__ import annotations

import pytest

from tests.accounts import PW, accounts_app, signed_in

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa15"), (("boss", "admin", None), ("city", "planner", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("path, body, where", [
    ("/login", b'{"name":"x","password":"\\ud800"}', "password 处"),
    ("/api/proposals", b'{"type":"day_care","model":"\\udc00x"}', "model 处"),
    ("/api/data/edits", b'{"action":"add","fields":{"\\ud800":"a"}}', "fields.（属性名） 处"),
    ("/api/data/rollback", b'{"version":"\\ud800"}', "version 处"),
    ("/api/admin/users", b'{"name":"a","role":"\\ud83d"}', "role 处"),
])
def test_a_lone_surrogate_is_a_400_naming_where_not_a_500(app, path, body, where):
    """A string with half a UTF-16 pair is valid JSON that cannot be written out: /login's SQLite query
    and the error handler's own answer failed on it, with a traceback, for anyone (QA 15)."""
    c = signed_in(app, "boss") if path != "/login" else app.test_client()
    r = c.post(path, data=body, headers=JSON)
    assert r.status_code == 400 and r.is_json, r.data[:200]
    msg = r.get_json()["message"]
    assert "代理项" in msg and where in msg, msg
    assert "surrogate" in r.get_json()["message_en"]


def test_a_pair_of_surrogates_is_a_character(app):
    c = signed_in(app, "boss")
    r = c.post("/api/data/edits", data='{"action":"rename","type":"day_care","id":"nope","name":"站\\ud83d\\ude00"}',
               headers=JSON)
    assert r.status_code in (400, 404) and "代理项" not in r.get_json()["message"]


def test_a_5000_digit_number_and_a_null_body_are_said_in_words(app):
    c = signed_in(app, "city")
    r = c.post("/api/proposals", data=b'{"type":"day_care","p":' + b"9" * 5001 + b"}", headers=JSON)
    body = r.get_json()
    assert r.status_code == 400 and "5,001 位" in body["message"] and "Exceeds" not in body["message"]
    assert "set_int_max_str_digits" not in body["message_en"] and "5,001 digits" in body["message_en"]
    r = c.post("/api/proposals", data=b"null", headers=JSON)
    assert r.status_code == 400 and "应为 JSON 对象" in r.get_json()["message"]
    assert "finite" not in r.get_json()["message_en"]


def test_a_json_login_gets_json_errors(app):
    r = app.test_client().post("/login", data=b"{", headers=JSON)
    assert r.status_code == 400 and r.is_json and r.get_json()["error"] == "InputDataError"
    ok = app.test_client().post("/login", json={"name": "boss", "password": PW})
    assert ok.status_code == 200 and ok.get_json()["user"]["name"] == "boss"


def test_an_empty_network_is_refused_at_once_and_job_errors_name_no_server_path(app, tmp_path):
    import io
    import time

    c = signed_in(app, "city")
    r = c.post("/api/data/uploads?kind=network", data={"kind": "network", "file": (io.BytesIO(b""), "e.osm.pbf")},
               content_type="multipart/form-data")
    assert r.status_code == 400 and "文件是空的" in r.get_json()["message"]
    # a broken one fails in its job: the error names the file, never where the server keeps it
    r = c.post("/api/data/uploads?kind=network", data={"kind": "network", "file": (io.BytesIO(b"\x00junk" * 50), "e.osm.pbf")},
               content_type="multipart/form-data")
    assert r.status_code == 202, r.data[:300]
    url = r.get_json()["url"]
    for _ in range(100):
        job = c.get(url).get_json()
        if job["state"] in ("failed", "done"):
            break
        time.sleep(0.1)
    assert job["state"] == "failed"
    text = str(job["error"])
    listed = signed_in(app, "boss").get("/api/jobs").get_data(as_text=True)
    data_dir = str(app.config["DATA_DIR"])
    assert data_dir not in text and data_dir not in listed and "/uploads/" not in listed
    assert "e.osm.pbf" in text


@pytest.mark.parametrize("name", ["a/b", "a\\b", "a?b", "a#b", "a%2Fb"])
def test_a_user_name_the_admin_could_not_address_is_refused(app, name):
    c = signed_in(app, "boss")
    r = c.post("/api/admin/users", json={"name": name, "role": "viewer"})
    assert r.status_code == 400 and "/ \\ ? # %" in r.get_json()["message"], r.data[:300]


def test_a_county_by_its_one_character_stem(app):
    """county=房 was a 400 although 竹山, 丹江口 and 茅箭 worked (QA 15)."""
    c = signed_in(app, "boss")
    rows = c.get("/api/townships?type=day_care&county=房").get_json()
    assert rows and {r["county_code"] for r in rows} == {"420325"}
    assert c.get("/api/townships?type=day_care&county=郧").status_code == 400  # no county's name or stem


def test_account_errors_have_the_common_shape_and_an_unknown_account_is_404(app):
    c = signed_in(app, "boss")
    for r in (c.patch("/api/admin/users/nobody-here", json={"role": "viewer"}),
              c.post("/api/admin/users/nobody-here/reset")):
        body = r.get_json()
        assert r.status_code == 404, r.data[:200]
        assert {"error", "message", "message_en", "message_zh", "details"} <= set(body)
    r = c.post("/account/password", json={"current": "wrong", "new": "x" * 10, "again": "x" * 10})
    body = r.get_json()
    assert r.status_code == 400 and body["message_en"] == "The current password is wrong." and "details" in body


def test_a_proposal_edit_without_a_change_and_lscp_with_p_are_refused(app):
    c = signed_in(app, "boss")
    r = c.post("/api/proposals", json={"type": "cemetery", "model": "lscp", "p": 3})
    assert r.status_code == 400 and "lscp" in r.get_json()["message"]
    for bad in (-0.0, 0, False):
        r = c.post("/api/proposals", json={"type": "cemetery", "model": bad})
        assert r.status_code == 400, (bad, r.data[:200])
    pid = app.extensions["coverplan"]["store"].add(name="甲", type_key="day_care", params={}, summary={},
                                                   geojson={"type": "FeatureCollection", "features": []})
    assert c.patch(f"/api/proposals/{pid}", json={}).status_code == 400
    assert c.patch(f"/api/proposals/{pid}", json={"name": "乙"}).status_code == 200


def test_a_form_of_many_small_parts_is_not_called_too_large(app):
    c = signed_in(app, "city")
    data = {f"f{i}": "x" for i in range(2000)}
    r = c.post("/api/data/uploads", data=data, content_type="multipart/form-data")
    assert r.status_code == 413 and "字段或文件过多" in r.get_json()["message"], r.data[:200]


@pytest.mark.parametrize("asked", ["EN", "en-US", "en_GB"])
def test_a_language_code_as_browsers_write_it(app, asked):
    """?lang=EN and ?lang=en-US were taken as Chinese, with no cookie set (QA 15)."""
    r = signed_in(app, "boss").get(f"/api/proposals/nope?lang={asked}")
    assert r.status_code == 404 and r.get_json()["message"] == r.get_json()["message_en"]
