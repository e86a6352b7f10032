"""QA 35 (fixer F2): the facility-register check on the Data page.

1. A register under the type's row limit (geo.datasets.facility_row_limit) whose written layer, with the other
   counties' facilities of the type carried over from the current version, is over it left Confirm on after the
   check; the confirm then refused it. The check now says so (what, how many over, what to do, in zh and en) and
   blocks the confirm, as it blocks a file itself over the limit (QA 34).
2. A row whose place pick is refused (a pick outside the county or township the row names: "pick_outside") got no
   candidate buttons: its candidates are offered again, so the planner picks again without editing the file.

The limit is lowered for the tests (the region's is 10,540: a real one would take a 10,000-row file per test).
"""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from accounts import accounts_app, signed_in
from planner.register import validate_register
from test_qa27_provenance import upload
from test_qa29_carried import register_of
from test_qa34_picks import of, write  # a register file of these rows; a report's issues of one code and row

FANG = "420325"
MAOJIAN_COMMUNITY = "420302001001"  # 茅箭区·武当路街道·顾家岗社区居委会
HEAD = "名称,类型,县区,乡镇,村,床位\n"


def day_care_now(app) -> tuple[int, int]:
    """(the day-care centres of the current version, those of 房县)."""
    fac = app.extensions["coverplan"]["service"].region.facilities
    day = fac[fac["facility_type"].astype(str) == "day_care"]
    return len(day), int((day["county_code"].astype(str) == FANG).sum())


@pytest.fixture()
def limit_under_written(tmp_path, monkeypatch):
    """An app whose type limit lies between a 40-row 房县 day-care file and the layer a confirm of it writes
    (the other counties' centres carried over): returns (app, limit, written)."""
    import geo.datasets
    import web.data
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    total, fang = day_care_now(app)
    written = 40 + total - fang
    limit = written - 4
    assert 40 < limit < written
    monkeypatch.setattr(web.data, "facility_row_limit", lambda units: limit)
    monkeypatch.setattr(geo.datasets, "facility_row_limit", lambda units: limit)  # the store's, which the confirm meets
    yield app, limit, written
    app.extensions["coverplan"]["jobs"].shutdown()


def test_a_file_under_the_limit_whose_written_layer_is_over_it_is_blocked(limit_under_written):
    app, limit, written = limit_under_written
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    r = upload(c, register_of(region, FANG, 40, "甲"), "fang.csv", type="day_care")
    assert r.status_code == 200, r.get_json()
    rep = r.get_json()
    assert rep["counts"]["accepted"] == 40 and rep["counts"]["refused"] == 0
    blocked = rep["blocked"]
    assert blocked, rep["replaces"]  # data.js turns Confirm off on it, the reason beside it
    text = blocked["text"]
    assert text.startswith("不会导入任何行") and f"将有 {written:,} 处" in text, text
    assert "本文件的 40 处" in text and f"其他县区保持不变的 {written - 40:,} 处" in text, text
    assert f"上限（{limit:,} 处" in text and "）4 处" in text and "删去至少 4 行" in text, text
    assert "替换全市该类设施" in text  # a city-wide planner's other way out
    assert rep["changes"] is None
    assert "确认导入将被拒绝" in rep["replaces"]["text"] and f"将有 {written:,} 处" in rep["replaces"]["text"]
    (over,) = rep["replaces"]["too_many"]
    assert over == {"type": "day_care", "rows": written, "limit": limit, "in_file": 40, "carried": written - 40,
                    "kept": 0}
    uid = rep["upload_id"]
    # in English too: the page's recheck, and the report's download
    en = c.post(f"/api/data/uploads/{uid}/recheck?lang=en", json={"replace": "counties"}).get_json()
    said = en["blocked"]["text"]
    assert said.startswith("Nothing will be imported") and f"would hold {written:,} facilities" in said, said
    assert "4 more than a register of this region can hold" in said and "Remove at least 4 rows" in said, said
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in said.replace("示意", "")), said
    for lang, want in (("zh", f"将有 {written:,} 处"), ("en", f"would hold {written:,} facilities")):
        x = c.get(f"/api/data/uploads/{uid}/report.xlsx?lang={lang}")
        assert x.status_code == 200
        cells = [str(v) for row in load_workbook(io.BytesIO(x.get_data())).worksheets[0].iter_rows(values_only=True)
                 for v in row if v is not None]
        assert any(want in v for v in cells), cells[:40]
    # the confirm sent all the same is refused by the store for the very count the check said
    r = c.post(f"/api/data/uploads/{uid}/confirm")
    assert r.status_code == 400 and r.get_json()["details"]["rows"] == written, r.get_json()


def test_the_whole_citys_layer_is_not_blocked(limit_under_written):
    # the file replaces the whole city's: nothing carried over, the written layer is the file's 40
    app, limit, _ = limit_under_written
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    rep = upload(c, register_of(region, FANG, 40, "乙"), "fang.csv", type="day_care").get_json()
    rep = c.post(f"/api/data/uploads/{rep['upload_id']}/recheck", json={"replace": "city"}).get_json()
    assert rep["blocked"] is None and "too_many" not in rep["replaces"], rep["blocked"]
    assert rep["changes"] is not None


def test_a_county_planner_is_told_what_he_can_do(tmp_path, monkeypatch):
    import geo.datasets
    import web.data

    app = accounts_app(tmp_path, [("fang", "planner", FANG)])
    try:
        total, fang = day_care_now(app)
        written = 40 + total - fang
        monkeypatch.setattr(web.data, "facility_row_limit", lambda units: written - 1)
        monkeypatch.setattr(geo.datasets, "facility_row_limit", lambda units: written - 1)
        c = signed_in(app, "fang")
        region = app.extensions["coverplan"]["service"].region
        rep = upload(c, register_of(region, FANG, 40, "丙"), "fang.csv", type="day_care").get_json()
        text = rep["blocked"]["text"]
        assert f"将有 {written:,} 处" in text and "删去至少 1 行" in text and "市级规划人员或管理员" in text, text
        assert "替换全市" not in text  # not his to choose
        assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 400
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_file_within_the_limit_with_what_it_carries_is_not_blocked(tmp_path, monkeypatch):
    import web.data
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        total, fang = day_care_now(app)
        monkeypatch.setattr(web.data, "facility_row_limit", lambda units: 40 + total - fang)  # exactly at it
        c = app.test_client()
        region = app.extensions["coverplan"]["service"].region
        rep = upload(c, register_of(region, FANG, 40, "丁"), "fang.csv", type="day_care").get_json()
        assert rep["blocked"] is None and "too_many" not in rep["replaces"], rep["blocked"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 2. a refused pick: the row's candidates again -------------------------------------------------------------------
def test_a_refused_pick_offers_the_rows_candidates_again(tmp_path, shiyan):
    p = write(tmp_path, "东河福利院,农村福利院,房县,,东河村,10\n")
    (amb,) = of(validate_register(p, region=shiyan), "ambiguous", 2)
    rep = validate_register(p, region=shiyan, picks={"2": MAOJIAN_COMMUNITY})
    (bad,) = of(rep, "pick_outside", 2)
    assert [c["code"] for c in bad.candidates] == [c["code"] for c in amb.candidates]
    assert all(c["code"].startswith(FANG) and c["path_en"].startswith("Fang County·") for c in bad.candidates)
    # each is a pick the check takes
    again = validate_register(p, region=shiyan, picks={"2": bad.candidates[-1]["code"]})
    assert 2 not in again.refused_rows and of(again, "picked", 2)


def test_a_refused_pick_of_a_row_its_names_placed_offers_places_inside_its_township(tmp_path, shiyan):
    # 军店镇 with a village it has none of: placed at the township's seat, no candidate of its own
    p = write(tmp_path, "军店福利院,农村福利院,房县,军店镇,无此村,10\n")
    other = next(c for c in shiyan.villages.index.astype(str) if c.startswith("420325104"))
    rep = validate_register(p, region=shiyan, picks={"2": other})
    (bad,) = of(rep, "pick_outside", 2)
    codes = [c["code"] for c in bad.candidates]
    assert codes and codes[0] == "420325101" and all(c.startswith("420325101") for c in codes), codes
    in_town = sum(1 for c in shiyan.villages.index.astype(str) if c.startswith("420325101"))
    if in_town + 1 > 12:  # the rest are said, not silently left out
        assert "未列出" in bad.fix_zh or "more" in bad.fix_en, bad.fix_zh
    ok = validate_register(p, region=shiyan, picks={"2": codes[1]})
    assert 2 not in ok.refused_rows and ok.accepted["township_code"].iloc[0] == "420325101"


def test_the_web_recheck_offers_candidates_for_a_refused_pick(client, shiyan):
    body = (HEAD + "东河福利院,农村福利院,房县,,东河村,10\n").encode("utf-8")
    rep = upload(client, body, "名录.csv").get_json()
    uid = rep["upload_id"]
    after = client.post(f"/api/data/uploads/{uid}/recheck", json={"picks": {"2": MAOJIAN_COMMUNITY}}).get_json()
    (bad,) = [i for i in after["issues"] if i["code"] == "pick_outside"]
    assert bad["candidates"] and all(c["code"].startswith(FANG) for c in bad["candidates"])
    assert after["counts"]["accepted"] == 0
    picked = client.post(f"/api/data/uploads/{uid}/recheck",
                         json={"picks": {"2": bad["candidates"][0]["code"]}}).get_json()
    assert picked["counts"]["accepted"] == 1 and not [i for i in picked["issues"] if i["code"] == "pick_outside"]
