"""QA sweep 7 (data API): map edits refuse control characters and over-long notes, English answers
name counties in English, the validation report shows the cell as written, and a facility added on
the map keeps the data version it was added in."""
from __future__ import annotations

import pytest

from accounts import signed_in


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


def test_a_lone_surrogate_is_a_400_not_a_500(client, app, shiyan):
    p = point(shiyan)
    raw = '{"action": "add", "type": "day_care", "name": "x\\ud800", "lon": %r, "lat": %r}' % (p.x, p.y)
    r = client.post("/api/data/edits", data=raw, content_type="application/json")
    assert r.status_code == 400 and "U+D800" in r.get_json()["message_en"]
    raw = '{"action": "add", "type": "day_care", "name": "ok", "lon": %r, "lat": %r, "note": "\\udfff"}' % (p.x, p.y)
    assert client.post("/api/data/edits", data=raw, content_type="application/json").status_code == 400
    assert client.get("/api/data/versions").get_json()["current"] == 0


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


# -- 3. English answers name counties in English ------------------------------------------------------
YUNXI, FANG = "420322", "420325"


@pytest.fixture(scope="module")
def roles_app(tmp_path_factory):
    from accounts import accounts_app

    app = accounts_app(tmp_path_factory.mktemp("qa7roles"),
                       (("yunxi", "planner", YUNXI), ("fang", "planner", FANG), ("boss", "admin", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_refusals_name_the_counties_in_the_language_asked(roles_app, shiyan):
    yx = signed_in(roles_app, "yunxi")
    r = yx.post("/api/data/rollback?lang=en", json={"version": 0})
    j = r.get_json()
    assert r.status_code == 403 and "Yunxi County (420322)" in j["message"] and "郧西县" not in j["message_en"]
    assert "郧西县（420322）" in j["message_zh"]
    v = shiyan.villages
    p = v[v["county_code"] == FANG].iloc[0].geometry
    r = yx.post("/api/data/edits?lang=en", json={"action": "add", "type": "day_care", "name": "x", "lon": p.x, "lat": p.y})
    j = r.get_json()
    assert r.status_code == 403 and "Yunxi County (420322)" in j["message"] and "Fang County (420325)" in j["message"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in j["message_en"]), j["message_en"]
    assert "房县（420325）" in j["message_zh"]
    pid = roles_app.extensions["coverplan"]["store"].add(
        name="房县方案", type_key="day_care", params={"county": FANG, "type": "day_care"}, summary={},
        geojson={"type": "FeatureCollection", "features": []}, owner=roles_app.extensions["coverplan"]["users"].by_name("fang").id)
    r = yx.delete(f"/api/proposals/{pid}?lang=en")
    assert r.status_code == 403 and "(Fang County (420325))" in r.get_json()["message"]
    assert "房县" not in r.get_json()["message_en"]


def test_an_unknown_county_lists_english_names_in_english(roles_app):
    from web.users import AccountError

    users = roles_app.extensions["coverplan"]["users"]
    with pytest.raises(AccountError) as e:
        users.check_county("北京")
    assert "420322 Yunxi County" in e.value.en and "郧西县" not in e.value.en and "420322 郧西县" in e.value.zh
    assert users.check_county("Fang County") == FANG and users.check_county("fang county") == FANG


# -- 4. the CLI's users output in one language ----------------------------------------------------------
def cli(capsys, *argv, stdin=None, monkeypatch=None):
    import io

    from cli.main import main
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_users_say_role_and_county_in_the_cli_language(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "p.sqlite")
    code, out, _ = cli(capsys, "users", "add", "cityp", "--role", "planner", "--db", db)
    assert code == 0 and "已新增用户 cityp（规划人员）" in out and "planner" not in out
    code, out, _ = cli(capsys, "users", "add", "yunxi", "--role", "planner", "--county", "郧西县", "--password-stdin",
                       "--db", db, stdin="Passw0rd!2025\n", monkeypatch=monkeypatch)
    assert code == 0 and "已新增用户 yunxi（规划人员，县区 郧西县（420322））" in out, out
    code, out, _ = cli(capsys, "--lang", "en", "users", "add", "v1", "--role", "viewer", "--password-stdin",
                       "--db", db, stdin="Passw0rd!2025\n", monkeypatch=monkeypatch)
    assert "Added user v1 (viewer)." in out
    code, out, _ = cli(capsys, "users", "list", "--db", db)
    assert "郧西县（420322）" in out and "规划人员" in out and "查看者" in out and "全市" in out
    assert "planner" not in out and "viewer" not in out
    code, out, _ = cli(capsys, "--lang", "en", "users", "list", "--db", db)
    assert "Yunxi County (420322)" in out and "planner" in out and "whole city" in out and "郧西" not in out
    code, _, err = cli(capsys, "--lang", "en", "users", "add", "x", "--role", "planner", "--county", "北京", "--db", db)
    assert code == 2 and "420322 Yunxi County" in err and "郧西县" not in err


# -- 5. the report's "value as written" -------------------------------------------------------------------
def misplaced_register(shiyan, with_code=False) -> tuple[bytes, str, str]:
    """One day-care centre at a village of one township whose row names another township of the county."""
    t = shiyan.townships
    v = shiyan.villages
    here = v.iloc[100]
    other = t[(t["county_code"] == here["county_code"]) & (t.index != here["township_code"])]
    other = other[~other["name"].duplicated(keep=False)].iloc[0]
    head = "名称,类型,经度,纬度," + ("乡镇代码" if with_code else "乡镇")
    cell = str(other.name) if with_code else other["name"]
    row = f"测试日间照料中心,日间照料中心,{here.geometry.x:.6f},{here.geometry.y:.6f},{cell}"
    return (head + "\n" + row + "\n").encode("utf-8"), cell, str(other.name)


@pytest.mark.parametrize("with_code", [False, True])
def test_the_report_shows_the_township_cell_as_written(client, shiyan, with_code):
    import io

    import openpyxl

    body, cell, code = misplaced_register(shiyan, with_code)
    rep = client.post("/api/data/uploads?lang=zh", data={"coords": "wgs84", "kind": "facilities",
                                                         "file": (io.BytesIO(body), "reg.csv")},
                      content_type="multipart/form-data").get_json()
    issue = next(i for i in rep["issues"] if i["code"] == "outside_named_township")
    assert issue["value"] == cell and issue["column"] == ("乡镇代码" if with_code else "乡镇")
    for lang in ("zh", "en"):
        r = client.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang={lang}")
        assert r.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(r.data)).worksheets[0]
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        head = next(r for r in rows if r and ("原值" in r or "Value as written" in r))
        col = head.index("原值" if lang == "zh" else "Value as written")
        values = [str(r[col]) for r in rows[rows.index(head) + 1:] if r and r[col] is not None]
        assert cell in values, rows
        if not with_code:
            assert code not in values


# -- 6. a facility added on the map keeps its own data version ---------------------------------------------
def props(client, type_key="day_care"):
    fc = client.get(f"/api/coverage/{type_key}/layers").get_json()["facilities"]["features"]
    return {f["properties"]["id"]: f["properties"] for f in fc}


def test_added_and_imported_facilities_keep_the_version_they_came_in(client, app, shiyan):
    import io

    p, q = point(shiyan, 3), point(shiyan, 7)
    # an imported register first: its rows keep the import's version and file
    body, _, _ = misplaced_register(shiyan)
    rep = client.post("/api/data/uploads", data={"coords": "wgs84", "kind": "facilities", "type": "day_care",
                                                 "file": (io.BytesIO(body), "reg.csv")},
                      content_type="multipart/form-data").get_json()
    v_import = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"]
    imported = next(k for k, x in props(client).items() if x["name"] == "测试日间照料中心")
    a = client.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "甲", "lon": p.x, "lat": p.y})
    v_a = a.get_json()["version"]
    b = client.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "乙", "lon": q.x, "lat": q.y})
    v_b = b.get_json()["version"]
    rows = props(client)
    ida = next(k for k, x in rows.items() if x["name"] == "甲")
    idb = next(k for k, x in rows.items() if x["name"] == "乙")
    assert rows[ida]["source_version"] == v_a and type(rows[ida]["source_version"]) is int
    assert rows[idb]["source_version"] == v_b
    assert rows[imported]["source_version"] == v_import and rows[imported]["source_file"] == "reg.csv"
    assert rows[ida]["source_file"] == "" and rows[idb]["source_file"] == ""
    # an edit of one row: that row now says the edit's version, the others keep theirs
    v_r = client.post("/api/data/edits", json={"action": "rename", "type": "day_care", "id": ida,
                                               "name": "甲（改）"}).get_json()["version"]
    rows = props(client)
    assert rows[ida]["source_version"] == v_r and rows[idb]["source_version"] == v_b
    assert rows[imported]["source_version"] == v_import and rows[imported]["source_file"] == "reg.csv"
    # the raw JSON carries integers, never 15.0
    raw = client.get("/api/coverage/day_care/layers").get_data(as_text=True)
    assert f'"source_version": {v_b}.0' not in raw and f'"source_version":{v_b}.0' not in raw
    # a rollback to the first edit shows that version's rows as they were then
    client.post("/api/data/rollback", json={"version": v_a})
    rows = props(client)
    assert rows[ida]["source_version"] == v_a and idb not in rows and rows[imported]["source_version"] == v_import
