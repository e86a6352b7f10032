"""QA sweep 9 (data): /api/data/edits quotes a refused control character as \\uXXXX (as PATCH
/api/proposals does), not as U+FFFD or a space; a note or a field value that is not text is a 400."""
from __future__ import annotations

import pytest


def point(shiyan, i=0):
    return shiyan.townships.iloc[i].geometry.representative_point()


def a_facility(client, type_key="day_care") -> str:
    return client.get(f"/api/coverage/{type_key}/layers").get_json()["facilities"]["features"][0]["properties"]["id"]


def versions(client) -> list[int]:
    return [v["version"] for v in client.get("/api/data/versions").get_json()["versions"]]


@pytest.mark.parametrize("extra,shown", [
    ({"action": "rename", "name": "a\u0001b"}, '"a\\u0001b"'),
    ({"action": "add", "name": "a\tb"}, '"a\\u0009b"'),
    ({"action": "update", "fields": {"address": "x\u0000y"}}, '"x\\u0000y"'),
    ({"action": "update", "fields": {"address": "x"}, "note": "a\u0002"}, '"a\\u0002"'),
])
def test_a_refused_control_character_is_quoted_escaped(client, shiyan, extra, shown):
    p = point(shiyan, 3)
    body = {"type": "day_care", "id": a_facility(client), "lon": p.x, "lat": p.y, **extra}
    before = versions(client)
    for lang in ("zh", "en"):
        r = client.post(f"/api/data/edits?lang={lang}", json=body)
        assert r.status_code == 400, r.get_json()
        msg = r.get_json()["message"]
        assert shown in msg and "\ufffd" not in msg, msg
        assert ("控制字符" if lang == "zh" else "control characters") in msg
    assert versions(client) == before


@pytest.mark.parametrize("extra,field", [
    ({"action": "rename", "name": "新名称", "note": 5}, "note"),
    ({"action": "update", "fields": {"phone": 12345678}}, "fields.phone"),
    ({"action": "update", "fields": {"address": 1.5}}, "fields.address"),
])
def test_a_note_or_field_that_is_not_text_is_refused(client, extra, field):
    body = {"type": "day_care", "id": a_facility(client), **extra}
    before = versions(client)
    zh = client.post("/api/data/edits?lang=zh", json=body)
    en = client.post("/api/data/edits?lang=en", json=body)
    assert zh.status_code == en.status_code == 400
    assert zh.get_json()["details"]["parameter"] == field
    assert "应为文本" in zh.get_json()["message"] and "expected text" in en.get_json()["message"]
    assert versions(client) == before
