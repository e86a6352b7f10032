"""QA7 fixes: an account PATCH names every unknown field; `solve` refuses p < 1 like `propose`;
English county names on the compare page and the CLI; the unit of the proposals' cost saving;
place search finds counties (Chinese and English) and townships by their county."""
from __future__ import annotations

import pytest

from web.app import create_app

PW = "qa7-account-password"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa7") / "p.sqlite"), "TESTING": True,
                      "AUTH": "required", "CSRF_ENABLED": False})
    users = app.extensions["coverplan"]["users"]
    users.add("boss", "admin", None, password=PW, must_change=False)
    users.add("li", "viewer", None, password=PW, must_change=False)
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def as_user(app, name):
    c = app.test_client()
    assert c.post("/login", json={"name": name, "password": PW}).status_code == 200
    return c


# -- 1: every unknown field of a PATCH is named --------------------------------------------------
def test_patch_names_every_unknown_field(app):
    c = as_user(app, "boss")
    r = c.patch("/api/admin/users/li", json={"bogus": 1, "passwrd": "x", "role": "planner"})
    assert r.status_code == 400
    body = r.get_json()
    assert '"bogus"、"passwrd"' in body["message_zh"] and "role、county、disabled" in body["message_zh"]
    assert 'Unknown fields "bogus", "passwrd"' in body["message_en"]
    assert "role, county, disabled" in body["message_en"]
    for text in (body["message_zh"], body["message_en"]):
        assert "[" not in text and "'" not in text
    assert app.extensions["coverplan"]["users"].by_name("li").role == "viewer"


def test_patch_with_very_many_unknown_fields_stays_short(app):
    c = as_user(app, "boss")
    r = c.patch("/api/admin/users/li", json={f"f{i:04d}": i for i in range(2000)})
    assert r.status_code == 400
    body = r.get_json()
    assert '"f0000"' in body["message_en"] and '"f0009"' in body["message_en"] and '"f0010"' not in body["message_en"]
    assert "…" in body["message_en"] and "……" in body["message_zh"]
    assert len(body["message_zh"]) < 400


# -- 2: the web form refuses p < 1 as `solve` and `propose` do ------------------------------------
@pytest.mark.parametrize("p", [0, -1, "0"])
def test_web_proposal_refuses_p_below_one(app, p):
    c = as_user(app, "boss")
    r = c.post("/api/proposals", json={"type": "day_care", "model": "pmedian", "p": p})
    assert r.status_code == 400
    body = r.get_json()
    assert "不小于 1" in body["message_zh"] and "at least 1" in body["message_en"]
