"""QA sweep 7 (data API): map edits refuse control characters and over-long notes, English answers
name counties in English, the validation report shows the cell as written, and a facility added on
the map keeps the data version it was added in."""
from __future__ import annotations

import pytest


def point(shiyan, i=0):
    return shiyan.townships.iloc[i].geometry.representative_point()


def some_facility(shiyan, type_key="day_care"):
    f = shiyan.facilities
    return str(f[f["facility_type"] == type_key]["id"].iloc[0])


# -- 1. control characters in what an edit writes ----------------------------------------------------
@pytest.mark.parametrize("name", ["\u0000\u0001", "敬老院\u0007", "日间\u202e照料", "a\nb", "a\u2028b", "x\u0085y", "\u0000"])
def test_control_characters_in_a_facility_name_are_refused(client, app, shiyan, name):
    p = point(shiyan)
    store = app.extensions["coverplan"]["datasets"]
    fp = store.fingerprint()
    for lang in ("zh", "en"):
        r = client.post(f"/api/data/edits?lang={lang}", json={"action": "add", "type": "day_care", "name": name,
                                                               "lon": p.x, "lat": p.y})
        assert r.status_code == 400, r.get_json()
        j = r.get_json()
        assert "设施名称" in j["message_zh"] and "控制字符" in j["message_zh"]
        assert "Facility name" in j["message_en"] and "control characters" in j["message_en"]
        assert "U+" in j["message"]
        assert not any(c in j["message_en"] + j["message_zh"] for c in name if not c.isprintable())
    r = client.post("/api/data/edits", json={"action": "add_site", "type": "day_care", "name": name,
                                             "lon": p.x, "lat": p.y})
    assert r.status_code == 400 and "候选点名称" in r.get_json()["message_zh"]
    assert store.fingerprint() == fp


def test_control_characters_in_fields_and_notes_are_refused_but_remark_lines_are_kept(client, app, shiyan):
    fid = some_facility(shiyan)
    store = app.extensions["coverplan"]["datasets"]
    fp = store.fingerprint()
    for key, label in (("address", "地址"), ("operator", "运营单位"), ("phone", "联系电话"), ("remark", "备注")):
        r = client.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": fid,
                                                 "fields": {key: "好\u0000"}})
        assert r.status_code == 400 and label in r.get_json()["message_zh"] and f"fields.{key}" in r.get_json()["message_zh"]
    r = client.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": fid,
                                             "fields": {"address": "人民路\n1号"}})
    assert r.status_code == 400 and "换行" in r.get_json()["message_zh"]
    r = client.post("/api/data/edits", json={"action": "rename", "type": "day_care", "id": fid, "name": "新名",
                                             "note": "核实\u001b[31m"})
    assert r.status_code == 400 and "备注" in r.get_json()["message_zh"]
    assert store.fingerprint() == fp
    # several lines in a remark or a note are fine
    r = client.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": fid,
                                             "fields": {"remark": "第一行\n第二行\t完"}, "note": "县局\n核实"})
    assert r.status_code == 200, r.get_json()
    f = app.extensions["coverplan"]["service"].region.facilities
    assert f.loc[f["id"].astype(str) == fid, "remark"].iloc[0] == "第一行\n第二行\t完"


# -- 2. the note's limit ------------------------------------------------------------------------------
def test_an_edit_note_over_200_characters_is_refused_not_cut(client, app, shiyan):
    p = point(shiyan)
    body = {"action": "add", "type": "day_care", "name": "新点", "lon": p.x, "lat": p.y}
    for lang in ("zh", "en"):
        r = client.post(f"/api/data/edits?lang={lang}", json={**body, "note": "n" * 201})
        assert r.status_code == 400
        j = r.get_json()
        assert "200" in j["message_zh"] and "201" in j["message_zh"] and "备注" in j["message_zh"]
        assert "at most 200 characters" in j["message_en"] and "Note" in j["message_en"]
    r = client.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": some_facility(shiyan),
                                             "fields": {"address": "路" * 201}})
    assert r.status_code == 400 and "地址" in r.get_json()["message_zh"]
    assert client.get("/api/data/versions").get_json()["current"] == 0
    r = client.post("/api/data/edits", json={**body, "note": "n" * 200})
    assert r.status_code == 200
    v = client.get("/api/data/versions?lang=zh").get_json()["versions"][0]
    assert v["note"].endswith("n" * 200)
