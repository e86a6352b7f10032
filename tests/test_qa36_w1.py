"""QA 36 (fixer W1): the web layer under a careless or hostile client.

1. A county planner moved or removed another county's planner-added site by naming a type whose counties do not
   hold it (funeral_home: 竹山, 竹溪, 房县): the county check looked among that type's candidates only, found
   nothing, and checked nothing. The site's own point decides, whatever the type.
2. A rollback chosen on the page's v2 while a colleague made v3 silently undid v3: ``base`` (the version the page
   showed) makes it a 409 DataChanged naming who made what since; without ``base`` it rolls back as before.
3. A 416 (a Range past the file's end) said "Requested Range Not Satisfiable" in ``message_zh``: every werkzeug code
   has Chinese, and a code without words of its own says its number in Chinese.
4. A 600 KB multipart text field was a 413 "too many fields or files": the field's own check answers it; with a
   text-field limit below the body's, the 413 names the field's limit.
5. A job's unexpected failure put Python's English text and a server path in both messages: fixed words.
"""
from __future__ import annotations

import re

import pytest

from accounts import accounts_app, signed_in

DJK, FANG = "420381", "420325"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _point(shiyan, county: str):
    v = shiyan.villages
    p = v[v["county_code"] == county].geometry.iloc[0]
    return float(p.x), float(p.y)


def _versions(c) -> list[int]:
    return sorted(v["version"] for v in c.get("/api/data/versions").get_json()["versions"])


# -- 1. another county's site, named under a type that does not reach it -------------------------------------------
@pytest.fixture()
def county_app(tmp_path):
    app = accounts_app(tmp_path, [("boss", "admin", None), ("djk", "planner", DJK), ("fangp", "planner", FANG)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("added", [{"type": "funeral_home"}, {"type": "day_care", "all_types": True}])
def test_a_county_planner_cannot_move_or_remove_another_countys_site_under_any_type(county_app, shiyan, added):
    from planner.facility_types import get_type

    assert DJK not in get_type("funeral_home").demand_counties  # the type that did not find the site
    djk, fangp = signed_in(county_app, "djk"), signed_in(county_app, "fangp")
    lon, lat = _point(shiyan, DJK)
    r = djk.post("/api/data/edits", json={"action": "add_site", "name": "丹江口民政用地", "lon": lon, "lat": lat,
                                          **added})
    assert r.status_code == 200, r.get_json()
    sid = r.get_json()["id"]
    before = _versions(djk)
    flon, flat = _point(shiyan, FANG)
    for body in ({"action": "remove_site", "type": "funeral_home", "id": sid},
                 {"action": "move_site", "type": "funeral_home", "id": sid, "lon": flon, "lat": flat},
                 {"action": "remove_site", "type": "day_care", "id": sid}):
        if body["type"] == "day_care" and "all_types" not in added:
            continue  # a funeral_home site under day_care is the type's 400, before any county
        for lang in ("zh", "en"):
            r = fangp.post(f"/api/data/edits?lang={lang}", json=body)
            assert r.status_code == 403, (body, r.get_json())
            err = r.get_json()
            assert "您只能修改 房县（420325） 的数据" in err["message_zh"], err
            assert f"候选点“丹江口民政用地”（{sid}）位于 丹江口市（420381）" in err["message_zh"], err
            assert "You may change data of Fang County (420325) only" in err["message_en"], err
            assert f"the candidate site 丹江口民政用地 ({sid}) lies in" in err["message_en"]
            assert "(420381)" in err["message_en"] and err["details"]["county"] == DJK
    assert _versions(fangp) == before  # nothing was saved
    # its own county's planner still moves and removes it under that type (now checked, and his)
    lon2, lat2 = _point(shiyan, DJK)
    r = djk.post("/api/data/edits", json={"action": "move_site", "type": "funeral_home", "id": sid,
                                          "lon": lon2 + 0.001, "lat": lat2})
    assert r.status_code == 200, r.get_json()
    r = djk.post("/api/data/edits", json={"action": "remove_site", "type": "funeral_home", "id": sid})
    assert r.status_code == 200, r.get_json()
    assert len(_versions(djk)) == len(before) + 2


def test_a_city_wide_account_still_moves_any_countys_site(county_app, shiyan):
    djk, boss = signed_in(county_app, "djk"), signed_in(county_app, "boss")
    lon, lat = _point(shiyan, DJK)
    sid = djk.post("/api/data/edits", json={"action": "add_site", "type": "funeral_home", "name": "S1",
                                            "lon": lon, "lat": lat}).get_json()["id"]
    flon, flat = _point(shiyan, FANG)
    r = boss.post("/api/data/edits", json={"action": "move_site", "type": "funeral_home", "id": sid,
                                           "lon": flon, "lat": flat})
    assert r.status_code == 200, r.get_json()
    # now in 房县: 房县's planner may remove it, 丹江口's may not
    r = djk.post("/api/data/edits", json={"action": "remove_site", "type": "funeral_home", "id": sid})
    assert r.status_code == 403 and "房县（420325）" in r.get_json()["message_zh"], r.get_json()
    r = signed_in(county_app, "fangp").post("/api/data/edits", json={"action": "remove_site", "type": "funeral_home",
                                                                     "id": sid})
    assert r.status_code == 200, r.get_json()


# -- 2. a rollback on the page's version ----------------------------------------------------------------------------
@pytest.fixture()
def city_app(tmp_path):
    app = accounts_app(tmp_path, [("wang", "planner", None), ("zhao", "planner", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _add(c, shiyan, name):
    lon, lat = _point(shiyan, "420322")
    r = c.post("/api/data/edits", json={"action": "add_site", "type": "day_care", "name": name, "lon": lon, "lat": lat})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["version"]


def test_a_rollback_chosen_before_a_colleagues_change_is_refused_naming_it(city_app, shiyan):
    wang, zhao = signed_in(city_app, "wang"), signed_in(city_app, "zhao")
    v1 = _add(wang, shiyan, "W1")
    v2 = _add(wang, shiyan, "W2")
    shown = wang.get("/api/data/versions").get_json()["current"]  # wang's Data page shows v2
    assert shown == v2
    v3 = _add(zhao, shiyan, "Z3")  # zhao's change meanwhile
    for lang in ("zh", "en"):
        r = wang.post(f"/api/data/rollback?lang={lang}", json={"version": v1, "base": shown})
        assert r.status_code == 409, r.get_json()
        err = r.get_json()
        assert err["error"] == "DataChanged"
        d = err["details"]
        assert (d["base"], d["current"], d["version"], d["changed_by"], d["changed_in"]) == (v2, v3, v1, "zhao", v3)
        assert [c["version"] for c in d["changes"]] == [v3]
        assert f"页面打开（数据版本 v{v2}）后数据已更新：此后 zhao 于" in err["message_zh"], err
        assert f"在地图上编辑了数据（数据版本 v{v3}）" in err["message_zh"]
        assert f"当前已是版本 {v3}。未回退：现在回退到 v{v1} 也会撤销这些修改。" in err["message_zh"]
        assert f"The data changed after the page showed data version {v2}; since then, zhao" in err["message_en"]
        assert f"version {v3} is now current. Nothing was rolled back" in err["message_en"]
        assert not CJK.search(err["message_en"].replace("示意", "")), err["message_en"]
    current = wang.get("/api/data/versions").get_json()["current"]
    assert current == v3  # nothing rolled back
    # on the page's current version (the list shown again), or without base (a script), it rolls back
    r = wang.post("/api/data/rollback", json={"version": v1, "base": v3})
    assert r.status_code == 200 and r.get_json()["rolled_back_to"] == v1, r.get_json()
    r = wang.post("/api/data/rollback", json={"version": v2})
    assert r.status_code == 200 and r.get_json()["rolled_back_to"] == v2, r.get_json()


@pytest.mark.parametrize("base", ["x", 2.5, True, -1])
def test_a_rollback_base_that_is_no_version_is_a_400(city_app, shiyan, base):
    wang = signed_in(city_app, "wang")
    v1 = _add(wang, shiyan, "W1")
    _add(wang, shiyan, "W2")
    r = wang.post("/api/data/rollback", json={"version": v1, "base": base})
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "base", r.get_json()


def test_the_data_page_sends_the_listed_version_with_a_rollback():
    from pathlib import Path

    js = (Path(__file__).resolve().parent.parent / "web" / "static" / "data.js").read_text("utf-8")
    assert "listedVersion = d.current;" in js and "body.base = +listedVersion;" in js
    assert 'e.error === "DataChanged"' in js


# -- 3. every HTTP error in Chinese ---------------------------------------------------------------------------------
def test_every_werkzeug_error_code_has_chinese_words():
    from werkzeug.exceptions import default_exceptions

    from web.app import HTTP_ZH

    missing = [c for c in default_exceptions if c not in HTTP_ZH or not CJK.search(HTTP_ZH[c])]
    assert missing == []


@pytest.mark.parametrize("rng", ["bytes=99999999-", "bytes=5-2"])
def test_a_range_past_the_file_is_a_416_in_chinese(client, rng):
    r = client.get("/static/common.js", headers={"Range": rng, "Accept": "application/json"})
    assert r.status_code == 416
    body = r.get_json()
    assert body["message_zh"] == "请求的文件范围（Range）无效或超出文件大小。", body
    assert "requested range" in body["message_en"]
    page = client.get("/static/common.js?lang=zh", headers={"Range": rng})
    assert page.status_code == 416 and "请求的文件范围（Range）无效或超出文件大小。" in page.get_data(as_text=True)


def test_a_code_without_words_says_its_number_in_chinese(tmp_path):
    from werkzeug.exceptions import HTTPException

    from web.app import create_app

    class Odd(HTTPException):
        code = 499
        description = "Something odd."

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        def odd():
            raise Odd()
        app.add_url_rule("/api/qa36-odd", "qa36_odd", odd)
        body = app.test_client().get("/api/qa36-odd").get_json()
        assert body["message_zh"] == "请求无法完成（HTTP 499）。" and body["message_en"] == "Something odd.", body
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 4. one large multipart field -----------------------------------------------------------------------------------
def _form_app(tmp_path, **config):
    return accounts_app(tmp_path, [("wang", "planner", None)], **config)


def test_a_large_multipart_name_gets_the_names_own_400(tmp_path):
    app = _form_app(tmp_path)
    try:
        c = signed_in(app, "wang")
        r = c.post("/api/proposals?lang=en", data={"type": "cemetery", "name": "x" * 600_000},
                   content_type="multipart/form-data")
        assert r.status_code == 400, r.get_data(as_text=True)[:300]
        err = r.get_json()
        assert err["details"]["parameter"] == "name" and "at most 80 characters" in err["message_en"], err
        assert "too many fields" not in err["message_en"]
        # many small parts (under the body's limit, so under a text field's too): werkzeug's parts limit, said so
        many = {f"f{i}": "1" for i in range(1100)}
        r = c.post("/api/proposals", data=many, content_type="multipart/form-data")
        assert r.status_code == 413 and "too many fields or files" in r.get_json()["message_en"], r.get_json()
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_field_over_a_lower_text_field_limit_is_named_so(tmp_path):
    app = _form_app(tmp_path, MAX_FORM_MEMORY_SIZE=100_000)
    try:
        c = signed_in(app, "wang")
        r = c.post("/api/proposals", data={"type": "cemetery", "name": "x" * 150_000},
                   content_type="multipart/form-data")
        assert r.status_code == 413, r.get_data(as_text=True)[:300]
        err = r.get_json()
        assert err["message_en"].startswith("A form field is larger than the limit of 97 KB for a text field"), err
        assert err["message_zh"].startswith("表单中有文本字段超过 97 KB 的上限"), err
        assert err["details"]["field_limit"] == 100_000
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 5. a job's unexpected failure ----------------------------------------------------------------------------------
def test_a_jobs_unexpected_failure_says_fixed_words_and_keeps_its_own_errors():
    from geo.errors import InputDataError
    from web.jobs import JOB_FAILED_EN, JOB_FAILED_ZH, JobRunner

    runner = JobRunner(workers=1)
    try:
        def full_disk(progress, should_stop):
            raise OSError(28, "No space left on device", "/var/coverplan/data/v9/layer.parquet")

        def refused(progress, should_stop):
            raise InputDataError("No township 4203.", "没有乡镇 4203。")

        job = runner.submit("proposal", full_disk)
        runner.wait(job.id, 10)
        err = job.error
        assert job.state == "failed" and err["status"] == 500
        assert (err["message_zh"], err["message_en"], err["message"]) == (JOB_FAILED_ZH, JOB_FAILED_EN, JOB_FAILED_ZH)
        assert err["details"] == {"exception": "OSError"}
        said = str(err)
        assert "/var/" not in said and "Errno" not in said and "No space" not in said
        assert CJK.search(err["message_zh"]) and not CJK.search(err["message_en"])
        job = runner.submit("proposal", refused)
        runner.wait(job.id, 10)
        assert (job.error["message_zh"], job.error["message_en"]) == ("没有乡镇 4203。", "No township 4203.")
    finally:
        runner.shutdown()
