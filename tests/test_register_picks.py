"""A register with names only: rows placed by name, ambiguous rows listed with the places to pick
from, and a pick (planner.register ``picks``, the Data page's candidate buttons) places the row."""
from __future__ import annotations

import pandas as pd
import pytest

from planner.register import validate_register


def names_only(tmp_path, shiyan):
    v = shiyan.villages
    dup = v["name"][v["name"].duplicated(keep=False)]
    twice = dup.iloc[0]                       # a village name found in two places
    one = v.iloc[10]
    town = shiyan.townships.loc[one["township_code"], "name"]
    rows = [{"机构名称": "甲村日间照料中心", "乡镇": town, "村": one["name"]},
            {"机构名称": "乙村日间照料中心", "乡镇": "", "村": twice},
            {"机构名称": "丙村日间照料中心", "乡镇": "", "村": "不存在的村"}]
    path = tmp_path / "names.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="gbk")
    return path, one, twice


def test_names_only_register_is_placed_by_name_with_ambiguous_rows_listed(tmp_path, shiyan):
    path, one, twice = names_only(tmp_path, shiyan)
    rep = validate_register(path, region=shiyan, type_key="day_care")
    acc = rep.accepted
    assert list(acc["name"]) == ["甲村日间照料中心"]
    assert acc["location_method"].iloc[0] == "located_by_name"
    pt = acc.geometry.iloc[0]
    assert (round(pt.x, 6), round(pt.y, 6)) == (round(one.geometry.x, 6), round(one.geometry.y, 6))
    amb = next(i for i in rep.issues if i.code == "ambiguous")
    assert amb.severity == "error" and len(amb.candidates) >= 2
    assert {c["code"] for c in amb.candidates} <= set(shiyan.villages.index[shiyan.villages["name"] == twice])
    assert any(i.severity == "error" and i.row == amb.row + 1 for i in rep.issues)  # the unmatched row too


def test_a_pick_places_the_row_and_a_bad_pick_is_refused(tmp_path, shiyan):
    path, one, twice = names_only(tmp_path, shiyan)
    first = validate_register(path, region=shiyan, type_key="day_care")
    amb = next(i for i in first.issues if i.code == "ambiguous")
    code = amb.candidates[1]["code"]
    rep = validate_register(path, region=shiyan, type_key="day_care", picks={amb.row: code})
    acc = rep.accepted.set_index("name")
    assert "乙村日间照料中心" in acc.index
    vill = shiyan.villages.loc[code]
    pt = acc.loc["乙村日间照料中心"].geometry
    assert abs(pt.x - vill.geometry.x) < 1e-9 and abs(pt.y - vill.geometry.y) < 1e-9
    assert acc.loc["乙村日间照料中心", "township_code"] == vill["township_code"]
    assert any(i.code == "picked" and i.row == amb.row for i in rep.issues)
    bad = validate_register(path, region=shiyan, type_key="day_care", picks={amb.row: "999999999999"})
    assert any(i.code == "pick_unknown" and i.severity == "error" for i in bad.issues)
    assert "乙村日间照料中心" not in set(bad.accepted["name"])


def test_picks_through_the_web_upload(client, tmp_path, shiyan):
    path, one, twice = names_only(tmp_path, shiyan)
    with open(path, "rb") as fh:
        r = client.post("/api/data/uploads", data={"file": (fh, "名录.csv"), "kind": "facilities", "type": "day_care"})
    rep = r.get_json()
    assert r.status_code == 200, rep
    amb = next(i for i in rep["issues"] if i["code"] == "ambiguous")
    assert rep["counts"]["accepted"] == 1
    code = amb["candidates"][0]["code"]
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck", json={"picks": {str(amb["row"]): code}})
    after = r.get_json()
    assert r.status_code == 200, after
    assert after["counts"]["accepted"] == 2
    # the pick is kept: confirming imports the picked row at its place
    # (no body: a confirm takes none; the note goes with the upload, and the "note" and "partial" this
    # test once sent were dropped without a word, which a confirm now refuses: QA 19)
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 200, r.get_json()
    fac = client.get("/api/coverage/day_care/layers").get_json()["facilities"]["features"]
    assert {"甲村日间照料中心", "乙村日间照料中心"} <= {f["properties"]["name"] for f in fac}
    for bad in ({"picks": {"x": "1"}}, {"picks": {"3": "../etc"}}, {"picks": []}, []):
        r = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck", json=bad)
        assert r.status_code in (400, 404), bad
