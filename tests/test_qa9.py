"""QA sweep 9: refused values are shown as JSON sends them (never a Python type name or None),
and percentage-point changes speak the page's language."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("body, shown", [("[1,2]", "[1, 2]"), ('"hello"', "hello"), ("true", "true"), ("3", "3")])
def test_a_body_that_is_not_an_object_is_shown_as_sent(client, body, shown):
    for path in ("/api/proposals", "/api/data/edits"):
        r = client.post(path, data=body, content_type="application/json")
        assert r.status_code == 400, path
        j = r.get_json()
        assert f'"{shown}"' in j["message_zh"] and f'"{shown}"' in j["message_en"], j
        assert not any(w in j["message_en"] for w in ('"list"', '"str"', '"bool"', '"int"')), j


def test_null_coordinates_are_said_as_null(client):
    r = client.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "n", "lon": None, "lat": 32.6})
    assert r.status_code == 400
    j = r.get_json()
    assert "null,32.6" in j["message_en"] and "None" not in j["message_en"] + j["message_zh"]


def test_percentage_point_changes_in_the_page_language(client):
    pid = client.post("/api/proposals?wait=120", json={"type": "elderly_complex", "p": 3}).get_json()["proposal"]["id"]
    zh = client.get(f"/proposals/{pid}?lang=zh").get_data(as_text=True)
    en = client.get(f"/proposals/{pid}?lang=en").get_data(as_text=True)
    assert "个百分点" in zh and " pt<" not in zh
    assert " pt" in en
