"""QA 28 (fixer F6): two planners on one shared server, who changed what.

- A confirm refused because the data changed after the check said only version numbers: it now names who
  made the newer version, when and what (the file imported), in the message and in ``details``.
- A city-wide register's report did not say that some of the facilities it replaces came from a colleague's
  recent import: the ``replaces`` text now names that import (who, file, version, rows).
- A map edit's conflict after a rollback said "zhao于 … 修改了设施 welfare_home-…" of a facility the rollback
  had removed ("Zhao" in English): it now says removed by the rollback, with the facility's name, and the
  account name as typed. A county planner's refusal for another county's facility names it too.
"""
from __future__ import annotations

import io

import pytest

from accounts import accounts_app
from accounts import signed_in as as_user

FANG, ZHUSHAN = "420325", "420323"   # 房县, 竹山县


@pytest.fixture()
def app(tmp_path):
    app = accounts_app(tmp_path, (("li", "planner", ZHUSHAN), ("wang", "planner", None),
                                  ("zhao", "planner", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def desk(tmp_path):
    """A desk server (no accounts), as ``coverplan serve`` runs by default."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "desk.sqlite"), "TESTING": True})
    yield app.test_client()
    app.extensions["coverplan"]["jobs"].shutdown()


def register(shiyan, county: str, names: list[str], start: int = 0) -> bytes:
    """A welfare-home register (WGS84) of ``names`` at villages of ``county``."""
    v = shiyan.villages[shiyan.villages["county_code"] == county]
    rows = ["名称,经度,纬度,床位数"] + [f"{n},{v.iloc[start + 7 * i].geometry.x:.6f},"
                                       f"{v.iloc[start + 7 * i].geometry.y:.6f},{50 + i}"
                                       for i, n in enumerate(names)]
    return ("\n".join(rows) + "\n").encode("utf-8")


def upload(client, body: bytes, name: str, lang: str = "zh"):
    r = client.post(f"/api/data/uploads?lang={lang}",
                    data={"kind": "facilities", "coords": "wgs84", "type": "welfare_home",
                          "file": (io.BytesIO(body), name)}, content_type="multipart/form-data")
    assert r.status_code == 200, r.data[:400]
    return r.get_json()


def confirmed(client, rep) -> int:
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 200, r.data[:400]
    return r.get_json()["version"]


def test_a_city_register_names_the_colleagues_import_it_replaces(app, shiyan):
    li, wang = as_user(app, "li"), as_user(app, "wang")
    v_li = confirmed(li, upload(li, register(shiyan, ZHUSHAN, ["竹山甲福利院", "竹山乙福利院", "竹山丙福利院"]),
                                "f_welfare_zs.csv"))
    city = register(shiyan, ZHUSHAN, ["市局竹山福利院"], start=3) + \
        register(shiyan, FANG, ["市局房县福利院"]).split(b"\n", 1)[1]
    zh = upload(wang, city, "f_welfare_city.csv")["replaces"]
    text = zh["text"]
    assert "3 处来自 li 于" in text and "导入的 f_welfare_zs.csv" in text and f"v{v_li}" in text, text
    item = zh["types"][0]["imported"]
    assert [(i["version"], i["author"], i["file"], i["rows"]) for i in item] == [(v_li, "li", "f_welfare_zs.csv", 3)]
    en = upload(wang, city, "f_welfare_city.csv", lang="en")["replaces"]["text"]
    assert "3 from f_welfare_zs.csv, imported by li at" in en and f"(data version v{v_li})" in en, en
    # the sample alone is not named as anyone's import
    fresh = upload(wang, register(shiyan, FANG, ["房县新福利院"]), "f_fang.csv")["replaces"]
    assert "imported" not in fresh["types"][0] and "来自" not in fresh["text"], fresh["text"]


def test_a_confirm_after_a_colleagues_import_names_who_and_what(app, shiyan):
    li, wang = as_user(app, "li"), as_user(app, "wang")
    mine = upload(li, register(shiyan, ZHUSHAN, ["竹山甲福利院", "竹山乙福利院"]), "f_welfare_zs.csv")
    theirs = upload(wang, register(shiyan, ZHUSHAN, ["市局竹山福利院"], start=3), "f_welfare_city.csv")
    v_wang = confirmed(wang, theirs)
    for lang in ("zh", "en"):
        r = li.post(f"/api/data/uploads/{mine['upload_id']}/confirm?lang={lang}")
        assert r.status_code == 409, r.data[:400]
        e = r.get_json()
        if lang == "zh":
            assert "wang 于" in e["message"] and "导入 f_welfare_city.csv" in e["message"], e["message"]
            assert f"数据版本 v{v_wang}" in e["message"] and "未导入任何内容" in e["message"]
        else:
            assert "wang imported f_welfare_city.csv at" in e["message"], e["message"]
            assert "Wang" not in e["message"]
        d = e["details"]
        assert d["changed_by"] == "wang" and d["changed_in"] == v_wang and d["changed_at"], d
        assert d["changes"][-1]["file"] == "f_welfare_city.csv" and d["recheck"]


def test_a_confirm_on_a_desk_server_says_this_computer(desk, shiyan):
    client = desk
    rep = upload(client, register(shiyan, ZHUSHAN, ["竹山甲福利院"]), "a.csv")
    p = shiyan.villages[shiyan.villages["county_code"] == FANG].iloc[2].geometry
    added = client.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "刚加的中心",
                                                 "lon": p.x, "lat": p.y})
    assert added.status_code == 200
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm?lang=zh")
    assert r.status_code == 409
    msg = r.get_json()["message"]
    assert "本机于" in msg and "在地图上编辑" in msg and f"v{added.get_json()['version']}" in msg, msg
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm?lang=en")
    assert "this computer edited the data on the map" in r.get_json()["message"], r.get_json()["message"]


def test_an_edit_of_a_facility_a_rollback_removed_says_removed_with_its_name(app, shiyan):
    li, wang, zhao = as_user(app, "li"), as_user(app, "wang"), as_user(app, "zhao")
    v_li = confirmed(li, upload(li, register(shiyan, ZHUSHAN, ["溢水镇福利院", "麻家渡镇福利院"]), "f_welfare_zs.csv"))
    rows = wang.get("/api/facilities?type=welfare_home").get_json()["rows"]
    fid = next(r["id"] for r in rows if r["name"] == "溢水镇福利院")
    back = zhao.post("/api/data/rollback", json={"version": 0})
    assert back.status_code == 200, back.data[:300]
    for lang in ("zh", "en"):
        r = wang.post(f"/api/data/edits?lang={lang}", json={"action": "rename", "type": "welfare_home", "id": fid,
                                                            "name": "改名", "base": v_li})
        assert r.status_code == 409, r.data[:300]
        e = r.get_json()
        if lang == "zh":
            assert "zhao 于" in e["message"] and "回退到 v0 时移除了" in e["message"], e["message"]
            assert f"设施“溢水镇福利院”（{fid}）" in e["message"] and "修改了" not in e["message"]
        else:
            assert e["message"].startswith("zhao removed the facility 溢水镇福利院"), e["message"]
            assert "by rolling back to v0" in e["message"] and "Zhao" not in e["message"]
        assert e["details"]["happened"] == "removed" and e["details"]["facility_name"] == "溢水镇福利院"


def test_a_county_planners_refusal_names_the_other_countys_facility(app, shiyan):
    li = as_user(app, "li")
    f = shiyan.facilities
    row = f[(f["facility_type"] == "welfare_home") & (f["county_code"] == FANG)].iloc[0]
    r = li.post("/api/data/edits?lang=zh", json={"action": "rename", "type": "welfare_home", "id": str(row["id"]),
                                                "name": "越界改名"})
    assert r.status_code == 403
    assert f"设施“{row['name']}”（{row['id']}）位于" in r.get_json()["message"], r.get_json()["message"]
    en = li.post("/api/data/edits?lang=en", json={"action": "rename", "type": "welfare_home", "id": str(row["id"]),
                                                 "name": "越界改名"}).get_json()["message"]
    assert f"the facility {row['name']} ({row['id']}) lies in" in en, en
