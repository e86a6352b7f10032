"""The capacity API: /api/capacity, /api/access, /api/upgrades, /api/beds (zh and en, standard JSON)."""
from __future__ import annotations

import json


def _get(client, url):
    r = client.get(url)
    text = r.get_data(as_text=True)
    assert "NaN" not in text and "Infinity" not in text
    return r.status_code, json.loads(text) if text else None


def test_capacity_beds_and_type(client):
    code, body = _get(client, "/api/capacity?lang=en")
    assert code == 200 and body["standard"]["per_1000"] == 40 and len(body["by_county"]) == 8
    assert body["type_name"] == "Elderly-care beds (all types)"
    code, body = _get(client, "/api/capacity/welfare_home?lang=zh")
    assert code == 200 and body["type_name"] == "农村福利院" and len(body["by_township"]) == 129
    code, body = _get(client, "/api/capacity/nope")
    assert code == 404
    code, body = _get(client, "/api/capacity/charity_station?lang=en")
    assert code == 400 and body["error"] == "InputDataError" and "capacity" in body["message"]
    assert "容量" in body["message_zh"]


def test_capacity_layer_and_checklist_map(client):
    code, fc = _get(client, "/api/capacity/beds/layer")
    assert code == 200 and fc["type"] == "FeatureCollection" and len(fc["features"]) == 129
    p = fc["features"][0]["properties"]
    assert {"ratio_per_1000", "standard_per_1000", "shortfall", "status"} <= set(p)
    code, body = _get(client, "/api/capacity/townships")
    assert code == 200 and {"beds", "welfare_home", "day_care"} <= set(body["types"])
    row = next(iter(body["types"]["beds"].values()))
    assert row["standard_per_1000"] == 40


def test_access_api(client):
    code, body = _get(client, "/api/access/day_care?weight=gaussian&units=0")
    assert code == 200 and body["weight"] == "gaussian" and "units" not in body
    code, fc = _get(client, "/api/access/welfare_home/layer")
    assert code == 200 and fc["features"][0]["geometry"]["type"] == "Point"
    code, body = _get(client, "/api/access/day_care?weight=linear")
    assert code == 400


def test_upgrades_and_beds_api(client):
    code, body = _get(client, "/api/upgrades/welfare_home?k=3")
    assert code == 200 and [s["priority"] for s in body["sites"]] == [1, 2, 3]
    code, body = _get(client, "/api/upgrades/welfare_home?k=0")
    assert code == 400
    code, body = _get(client, "/api/beds?target=7136&year=2025&lang=en")
    assert code == 200 and body["allocated"] == 7136 and len(body["by_county"]) == 8
    code, body = _get(client, "/api/beds")
    assert code == 400
    code, body = _get(client, "/api/beds?target=7136.5&lang=en")   # was cut to 7136 without a word
    assert code == 400 and "whole number" in body["message"]


def test_targets_api_lists_the_new_targets(client):
    code, rows = _get(client, "/api/targets?lang=zh")
    keys = {r["key"]: r for r in rows}
    assert {"mutual_aid_upgraded_2025", "charity_fund_share", "meal_service_network",
            "incubation_base_every_county", "mental_rehab_every_county"} <= set(keys)
    assert keys["mutual_aid_upgraded_2025"]["current_text"] == "0 / 50"


def test_lenient_parameters_are_refused(client):
    """units=abc was taken as yes and an explicit empty size list as the defaults (QA 14)."""
    code, body = _get(client, "/api/access/day_care?units=abc&lang=en")
    assert code == 400 and "units" in body["message"]
    code, body = _get(client, "/api/access/day_care?units=0")
    assert code == 200 and not body.get("units")
    r = client.post("/api/proposals?lang=en", json={"type": "welfare_home", "kind": "sized", "sizes": []})
    assert r.status_code == 400 and "sizes" in r.get_json()["message"]
