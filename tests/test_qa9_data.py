"""QA sweep 9 (data): /api/data/edits quotes a refused control character as \\uXXXX (as PATCH
/api/proposals does), not as U+FFFD or a space; a note or a field value that is not text is a 400."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures)


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
    # each action with the fields it takes (since QA 17 a field it does not take is refused first)
    where = {"lon": p.x, "lat": p.y} if extra["action"] == "add" else {"id": a_facility(client)}
    body = {"type": "day_care", **where, **extra}
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


def props(client, lang="zh", type_key="day_care"):
    fc = client.get(f"/api/coverage/{type_key}/layers?lang={lang}").get_json()["facilities"]["features"]
    return {f["properties"]["id"]: f["properties"] for f in fc}


def test_a_map_edit_is_not_credited_to_a_planner(client, shiyan):
    """An administrator edits on the map too, and a row keeps no editor's role: the popup says where
    (on the map, in which version), not "by the planner"."""
    p = point(shiyan, 5)
    v_add = client.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "新增乙",
                                                 "lon": p.x, "lat": p.y}).get_json()["version"]
    sample_id = next(k for k, x in props(client).items() if x["synthetic"])
    v_r = client.post("/api/data/edits", json={"action": "rename", "type": "day_care", "id": sample_id,
                                               "name": "改名的示例乙"}).get_json()["version"]
    added_id = next(k for k, x in props(client).items() if x["name"] == "新增乙")
    v_m = client.post("/api/data/edits", json={"action": "move", "type": "day_care", "id": added_id,
                                               "lon": p.x + 0.001, "lat": p.y}).get_json()["version"]
    v_a2 = client.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "新增丙",
                                                "lon": p.x, "lat": p.y}).get_json()["version"]
    assert v_add < v_r < v_m < v_a2
    zh, en = props(client, "zh"), props(client, "en")
    added2 = next(k for k, x in zh.items() if x["name"] == "新增丙")
    assert zh[sample_id]["source_text"] == f"示例数据（示意），在地图上修改（数据版本 {v_r}）"
    assert en[sample_id]["source_text"] == f"sample data (illustrative), changed on the map (data version {v_r})"
    assert zh[added_id]["source_text"] == f"在地图上修改（数据版本 {v_m}）"
    assert en[added_id]["source_text"] == f"changed on the map (data version {v_m})"
    assert zh[added2]["source_text"] == f"在地图上添加（数据版本 {v_a2}）"
    assert en[added2]["source_text"] == f"added on the map (data version {v_a2})"
    for rows in (zh, en):
        assert not any("规划人员在地图" in (x.get("source_text") or "") or "by the planner" in (x.get("source_text") or "")
                       for x in rows.values())


@pytest.mark.parametrize("lang,words", [("zh", "路网（OpenStreetMap .osm/.osm.pbf 或 GraphML .graphml）"),
                                        ("en", "road network (OpenStreetMap .osm/.osm.pbf or GraphML .graphml)")])
def test_the_network_kind_option_names_graphml(client, lang, words):
    import re

    html = client.get(f"/data?lang={lang}").get_data(as_text=True)
    option = re.search(r'<option value="network"[^>]*>([^<]*)</option>', html)
    assert option and option.group(1) == words, option and option.group(1)


def upload(client, content: bytes, name: str, lang: str = "zh", **form):
    import io

    data = {"coords": "wgs84", "kind": "facilities", "type": "day_care", **form, "file": (io.BytesIO(content), name)}
    return client.post(f"/api/data/uploads?lang={lang}", data=data, content_type="multipart/form-data")


def register(shiyan, rows=(10, 20)) -> bytes:
    v = shiyan.villages.iloc[list(rows)]
    lines = ["名称,类型,经度,纬度"] + [f"{r['name'][:-3]}日间照料中心,日间照料中心,{r.geometry.x:.6f},{r.geometry.y:.6f}"
                                    for _, r in v.iterrows()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_the_same_file_checked_twice_then_confirmed_twice_says_why_the_second_is_refused(client, shiyan):
    """Both checks ran before the first confirm: the second report rightly said "replaces" (nothing
    was imported yet); its confirm is refused as identical and says the version came after its check."""
    body = register(shiyan)
    a = upload(client, body, "名录.csv").get_json()
    b = upload(client, body, "名录.csv").get_json()
    en = upload(client, body, "名录.csv", "en").get_json()
    assert a["identical"] is None and b["identical"] is None and b["replaces"]
    checked = b["current_version"]
    v = client.post(f"/api/data/uploads/{a['upload_id']}/confirm").get_json()["version"]
    assert v > checked
    r = client.post(f"/api/data/uploads/{b['upload_id']}/confirm?lang=zh")
    assert r.status_code == 400
    assert f"本文件的数据与当前版本（v{v}）完全相同（v{v} 是在本文件按 v{checked} 校验之后生成的）" in r.get_json()["message"]
    r = client.post(f"/api/data/uploads/{en['upload_id']}/confirm?lang=en")
    assert r.status_code == 400
    assert f"(v{v} was made after this file was checked against v{checked})" in r.get_json()["message"]
    # checked now, it is said at once, and the confirm's refusal names no earlier check
    again = upload(client, body, "名录.csv").get_json()
    assert again["identical"]["version"] == v
    r = client.post(f"/api/data/uploads/{again['upload_id']}/confirm?lang=zh")
    assert r.status_code == 400 and "校验之后生成" not in r.get_json()["message"]


def test_the_same_file_under_another_name_agrees_at_check_and_confirm(client, shiyan):
    """The same rows under another file name are the same data (the register's own export, downloaded
    again as 名录(1).csv, was a new version the diff called "no difference"): said at the check and
    refused at the confirm alike; the version keeps naming the file the data first came in."""
    body = register(shiyan)
    a = upload(client, body, "名录.csv").get_json()
    v = client.post(f"/api/data/uploads/{a['upload_id']}/confirm").get_json()["version"]
    b = upload(client, body, "名录2.csv").get_json()
    assert b["identical"] and b["identical"]["version"] == v
    r = client.post(f"/api/data/uploads/{b['upload_id']}/confirm")
    assert r.status_code == 400 and client.get("/api/data/versions").get_json()["current"] == v


@pytest.mark.browser
@pytest.mark.parametrize("lang,words", [("zh", "完全相同"), ("en", "exactly the data")])
def test_the_page_shows_identical_alone_not_a_replaces_block(page, shiyan, tmp_path, lang, words):
    """The same file checked again: "identical" and a disabled Confirm, without "replaces the N now"."""
    path = tmp_path / "名录.csv"
    path.write_bytes(register(shiyan, (30, 40) if lang == "en" else (50, 60)))  # the server is the module's
    page.goto(page.base + f"/data?lang={lang}")
    page.wait_for_function("document.getElementById('versions').dataset.ready === '1'")
    page.select_option("#u-type", "day_care")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    page.wait_for_function("document.getElementById('report').dataset.ready === '1'")
    assert page.locator("#r-replace").is_visible() and not page.locator("#r-identical").is_visible()
    start = int(page.locator("#current-version").inner_text().lstrip("v"))
    page.once("dialog", lambda d: d.accept())
    page.click("#r-confirm")
    page.wait_for_function(f"document.getElementById('current-version').textContent === 'v{start + 1}'")
    page.evaluate("document.getElementById('report').dataset.ready = ''")
    page.click("#u-check")
    page.wait_for_function("document.getElementById('report').dataset.ready === '1'")
    assert page.locator("#r-identical").is_visible() and words in page.locator("#r-identical").inner_text()
    assert not page.locator("#r-replace").is_visible()
    assert page.locator("#r-confirm").is_disabled()
