"""QA sweep 11, the facility register and the version history: a map edit's 来源 in the page's language
with who made it (finding 2); the attributes a planner edits (address, operator, phone, remark) in the
register's rows and downloads, formula-like text neutralised (3); the version comparison names an
attribute change as such and lists a facility under every change it has (4); an edit's note and an
unknown field named in words (12)."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from accounts import accounts_app
from accounts import signed_in as as_user

YUNXI = "420322"


@pytest.fixture(scope="module")
def acc_app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa11f"), (("yx", "planner", YUNXI),))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def edited(acc_app, shiyan):
    """yx adds a day-care centre in his county (v1), moves it (v2), renames it (v3), then sets its
    address and phone (v4): the QA's steps."""
    yx = as_user(acc_app, "yx")
    v = shiyan.villages
    p, q = v[v["county_code"] == YUNXI].geometry.iloc[0], v[v["county_code"] == YUNXI].geometry.iloc[1]

    def edit(**body):
        r = yx.post("/api/data/edits", json={"type": "day_care", **body})
        assert r.status_code == 200, r.data[:400]
        return r.get_json()["version"]

    assert edit(action="add", name="QA新增日照中心", lon=p.x, lat=p.y) == 1
    fid = "edit-day_care-0001"
    facts = {"v1_zh": _row(yx, fid, "zh"), "v1_en": _row(yx, fid, "en")}
    assert edit(action="move", id=fid, lon=q.x, lat=q.y) == 2
    assert edit(action="rename", id=fid, name="QA改名") == 3
    assert edit(action="update", id=fid, fields={"address": "上津镇 1号", "phone": "=1+1"}) == 4
    return yx, fid, facts


def _row(client, fid, lang):
    rows = client.get(f"/api/facilities?type=day_care&county={YUNXI}&lang={lang}").get_json()["rows"]
    return next(r for r in rows if r["id"] == fid)


# -- 2: the source of a map edit, in the page's language, with the account --------------------------
def test_register_source_of_a_map_edit_is_worded_and_names_the_account(edited):
    yx, fid, facts = edited
    assert facts["v1_zh"]["source"] == "在地图上添加（数据版本 1），操作人 yx"
    assert facts["v1_en"]["source"] == "added on the map (data version 1), by yx"
    now = _row(yx, fid, "zh")
    assert now["source"] == "在地图上修改（数据版本 4），操作人 yx"
    assert "planner edit" not in now["source"] and "web" not in now["source"]
    # the download's 来源 is the same words (the page and the file show the same rows)
    text = yx.get(f"/api/facilities.csv?type=day_care&county={YUNXI}&lang=zh").data.decode("utf-8-sig")
    assert "planner edit (web)" not in text and "在地图上修改（数据版本 4），操作人 yx" in text


def test_register_page_shows_no_english_source(edited):
    yx, fid, _ = edited
    html = yx.get(f"/facilities?lang=zh&type=day_care&county={YUNXI}").data.decode()
    assert "planner edit" not in html
    assert 'id="th-details">容量、地址等<' in html   # the column of the capacity and the edited attributes


# -- 3: the attributes a planner edits are in the rows and the downloads -----------------------------
def test_register_rows_carry_the_edited_attributes(edited):
    yx, fid, _ = edited
    row = _row(yx, fid, "zh")
    assert row["address"] == "上津镇 1号" and row["phone"] == "=1+1"
    assert row["operator"] is None and row["remark"] is None


def _csv_table(client, lang):
    text = client.get(f"/api/facilities.csv?type=day_care&county={YUNXI}&lang={lang}").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    return lines[1], lines[2:]   # line 0: the title


def test_register_csv_and_xlsx_have_the_attributes_with_formulas_neutralised(edited):
    yx, fid, _ = edited
    head, body = _csv_table(yx, "zh")
    for col in ("地址", "运营单位", "联系电话", "备注"):
        assert col in head, head
    row = next(r for r in body if r[0] == fid)
    assert row[head.index("地址")] == "上津镇 1号"
    assert row[head.index("联系电话")] == "'=1+1"   # the exports' leading apostrophe: not run as a formula
    head_en, _ = _csv_table(yx, "en")
    assert {"Address", "Operator", "Phone", "Remark"} <= set(head_en)
    wb = load_workbook(io.BytesIO(yx.get(f"/api/facilities.xlsx?type=day_care&county={YUNXI}&lang=zh").data))
    rows = list(wb.active.iter_rows(values_only=True))
    head = list(rows[1])
    row = next(r for r in rows[2:] if r[0] == fid)
    # XLSX: the text as typed in a text cell with the quote prefix (the CSV keeps the apostrophe; QA 19)
    assert row[head.index("联系电话")] == "=1+1" and row[head.index("地址")] == "上津镇 1号"
    cell = next(c for r in wb.active.iter_rows() for c in r if c.value == "=1+1")
    assert cell.data_type == "s" and cell.quotePrefix


# -- 4: the version comparison -------------------------------------------------------------------
def test_diff_names_an_attribute_change_not_a_rename(edited):
    yx, fid, _ = edited
    d = yx.get("/api/data/diff?a=3&b=4&lang=zh").get_json()
    assert d["facilities"]["changed"] == [] and d["facilities"]["moved"] == []
    assert [(r["id"], r["attributes"]) for r in d["facilities"]["attributes"]] == [(fid, ["address", "phone"])]
    assert d["lines"] == ["属性变化的设施 1 处（地址、联系电话）：QA改名"]
    en = yx.get("/api/data/diff?a=3&b=4&lang=en").get_json()["lines"]
    assert en == ["1 facility with changed attributes (address, phone): QA改名"]


def test_diff_lists_a_facility_under_every_change(edited):
    yx, fid, _ = edited
    d = yx.get("/api/data/diff?a=1&b=4&lang=zh").get_json()
    fac = d["facilities"]
    assert [r["id"] for r in fac["moved"]] == [fid]
    assert [(r["id"], r["name_before"], r["name"]) for r in fac["changed"]] == [(fid, "QA新增日照中心", "QA改名")]
    assert [r["id"] for r in fac["attributes"]] == [fid]
    lines = d["lines"]
    assert any(x.startswith("位置变化的设施 1 处") for x in lines)
    assert any(x.startswith("名称或类型变化的设施 1 处") for x in lines)
    assert any(x.startswith("属性变化的设施 1 处（地址、联系电话）") for x in lines)


# -- 12: the edit's note and an unknown field, in words ------------------------------------------
def test_version_note_names_the_attributes_in_words(edited):
    yx, fid, _ = edited
    zh = yx.get("/api/data/versions?lang=zh").get_json()["versions"]
    en = yx.get("/api/data/versions?lang=en").get_json()["versions"]
    assert zh[0]["version"] == 4 and re.fullmatch(rf"修改 .+（{fid}）的属性（地址、联系电话）", zh[0]["note"])
    assert re.fullmatch(rf"edited .+ \({fid}\) \(address, phone\)", en[0]["note"])


def test_a_note_stored_before_names_the_attributes_in_chinese_too():
    from web.data import note_in
    old = "修改 x-1 的属性（address, phone） / edited x-1 (address, phone)：电话改了"
    assert note_in(old, "zh") == "修改 x-1 的属性（地址、联系电话）：电话改了"
    assert note_in(old, "en") == "edited x-1 (address, phone): 电话改了"


def test_unknown_field_is_named(edited):
    yx, fid, _ = edited
    r = yx.post("/api/data/edits?lang=zh", json={"action": "update", "type": "day_care", "id": fid,
                                                  "fields": {"address": "x", "bogus": "y", "phone": "1"}})
    assert r.status_code == 400
    j = r.get_json()
    assert "未知字段“bogus”" in j["message_zh"] and "地址（address）" in j["message_zh"]
    assert "[" not in j["message_zh"] and "“address”" not in j["message_zh"]   # not the list as sent
    assert "Unknown field “bogus”" in j["message_en"] and "editable: address, operator, phone, remark" in j["message_en"]
    assert j["details"]["unknown"] == ["bogus"]
    # nothing was written
    assert yx.get("/api/data/versions").get_json()["current"] == 4
