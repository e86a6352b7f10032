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


def test_compare_frames_a_county_proposal_on_its_county(tmp_path):
    """A county planner's proposal beside a city-wide one: its small map opens on his county."""
    from accounts import accounts_app, signed_in

    app = accounts_app(tmp_path, (("boss", "admin", None), ("yx", "planner", "420322")))
    try:
        yx, boss = signed_in(app, "yx"), signed_in(app, "boss")
        a = yx.post("/api/proposals?wait=120", json={"type": "day_care", "p": 2}).get_json()["proposal"]["id"]
        b = boss.post("/api/proposals?wait=120", json={"type": "day_care", "p": 2}).get_json()["proposal"]["id"]
        html = boss.get(f"/proposals/compare?a={a}&b={b}").get_data(as_text=True)
        maps = [m for m in html.split('class="map"')[1:3]]
        assert 'data-county="420322"' in maps[0].split(">")[0] and "data-county" not in maps[1].split(">")[0]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
