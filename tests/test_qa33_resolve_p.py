"""QA 33 (fixer QA33-F12): a re-solve's number of new sites, the app's notes, a re-solve's name.

1. A county proposal with p left blank (茅箭区 complexes: 6, not the type's default 8), then a complex added in the
   county (5 candidates left): the re-solve failed "p = 6 new sites asked, but only 5 candidate sites can be
   chosen". It now takes 5 and its notes say so, and that the 6 was the county's limit in place of the default; a
   city-wide p above the city's candidates is lowered the same way; with none left, a 400 in words.
2. The notes the app writes (a default p or K lowered, a re-solve's p or K lowered) were added to the planner's note
   in the asking page's language: they are kept apart (``params.auto_notes``, both languages), shown in the page's
   language on the proposal page, the list and the brief; the API's ``note`` still reads as before.
3. A re-solve of a proposal the app named was named in Chinese only (``auto_name`` null): it has its own name in
   both languages, with "·v<version>"; a planner's name is kept with "·v<version>".
"""
from __future__ import annotations

import pytest
from markupsafe import escape

from browser import browser, page, poll_js, server  # noqa: F401  (fixtures)
from planner.i18n import t
from test_qa33_upgrade_k import rerun_page

MAOJIAN, ZHANGWAN = "420302", "420303"
TYPE = "elderly_complex"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa33f12") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _svc(app):
    return app.extensions["coverplan"]["service"]


def _limit(app, type_key: str, county: str | None) -> int:
    """The candidate sites a proposal of the type may choose in the county (or the city) on the app's current data."""
    from planner.coverage import county_type, existing_facilities
    from planner.sites import choosable_counts

    s = _svc(app)
    ft = county_type(s.get_type(type_key), county, s.region)
    n = choosable_counts(s.region, ft, existing_facilities(s.region, ft))
    return n["by_county"].get(county, 0) if county else n["total"]




@pytest.fixture(scope="module")
def county(app):
    """The 茅箭区 complexes with p left blank, from a Chinese page, with a note of the planner's."""
    r = app.test_client().post("/api/proposals?wait=120&lang=zh",
                               json={"type": TYPE, "county": MAOJIAN, "note": "先做茅箭"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


def test_the_apps_note_is_kept_apart_in_both_languages(app, county):
    from planner.facility_types import get_type

    c = app.test_client()
    limit, default = _limit(app, TYPE, MAOJIAN), get_type(TYPE).default_p
    assert 1 < limit < default and county["params"]["p"] == limit
    rec = app.extensions["coverplan"]["store"].get(county["id"])
    assert rec["note"] == "先做茅箭"  # the planner's, as typed
    zh = t("qa33f11_p_note", "zh", p=limit, default=default, where="茅箭区")
    en = t("qa33f11_p_note", "en", p=limit, default=default, where="Maojian District")
    assert rec["params"]["auto_notes"] == [{"zh": zh, "en": en}] and rec["params"]["p_default"] == default
    for lang, said in (("zh", zh), ("en", en)):
        got = c.get(f"/api/proposals/{county['id']}?lang={lang}").get_json()
        assert got["auto_notes"] == [said] and got["planner_note"] == "先做茅箭"
        assert got["note"] == f"先做茅箭\n{said}"  # as the note read before the two were apart
        row = next(r for r in c.get(f"/api/proposals?lang={lang}").get_json() if r["id"] == county["id"])
        assert row["auto_notes"] == [said] and row["planner_note"] == "先做茅箭"
        # the page: the app's notes in its language, the planner's note alone in the field he edits
        page = c.get(f"/proposals/{county['id']}?lang={lang}").get_data(as_text=True)
        assert 'id="proposal-auto-notes"' in page and str(escape(said)) in page
        assert str(escape(zh if lang == "en" else en)) not in page
        assert '<textarea id="e-note" maxlength="2000" rows="2">先做茅箭</textarea>' in page
        # the brief: near its key numbers
        brief = c.get(f"/proposals/{county['id']}/brief?lang={lang}").get_data(as_text=True)
        tail = brief.split('id="brief-numbers"', 1)[1]
        assert 'id="brief-auto-notes"' in tail and str(escape(said)) in tail.split('id="brief-auto-notes"', 1)[1][:600]
        assert f"{t('brief_notes', lang)}{':' if lang == 'en' else '：'}" in tail


def test_a_note_change_leaves_the_apps_notes_and_accepts_either_note_shown(app, county):
    c = app.test_client()
    pid = county["id"]
    combined = c.get(f"/api/proposals/{pid}?lang=en").get_json()["note"]
    # an API client that showed the combined note (in English) as "was": not a colleague's change
    r = c.patch(f"/api/proposals/{pid}?lang=en", json={"note": "Maojian first", "was": {"note": combined}})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["planner_note"] == "Maojian first" and len(body["auto_notes"]) == 1
    r = c.patch(f"/api/proposals/{pid}?lang=zh", json={"note": "先做茅箭", "was": {"note": "Maojian first"}})
    assert r.status_code == 200, r.get_json()
    assert app.extensions["coverplan"]["store"].get(pid)["note"] == "先做茅箭"
    r = c.patch(f"/api/proposals/{pid}", json={"note": "x", "was": {"note": "别人看到的旧备注"}})
    assert r.status_code == 409, r.get_json()


def test_a_blank_default_k_lowered_in_a_county_is_an_app_note(app):
    r = app.test_client().post("/api/proposals?wait=120&lang=en",
                               json={"type": "mutual_aid", "kind": "upgrade", "county": ZHANGWAN, "note": "mine"})
    assert r.status_code == 201, r.get_json()
    p = r.get_json()["proposal"]
    k = p["params"]["k"]
    rec = app.extensions["coverplan"]["store"].get(p["id"])
    assert rec["note"] == "mine" and len(rec["params"]["auto_notes"]) == 1
    note = rec["params"]["auto_notes"][0]
    assert note["en"].startswith(f"K = {k}, not the type's default") and "Zhangwan District" in note["en"]
    assert note["zh"].startswith(f"K 取 {k}，而非该类型默认的") and "张湾区" in note["zh"]


def test_a_re_solve_with_a_candidate_taken_lowers_p_says_why_and_is_named_in_both_languages(app, county):
    from planner.facility_types import get_type

    c = app.test_client()
    was, default = county["params"]["p"], get_type(TYPE).default_p
    r = c.post("/api/data/edits", json={"action": "add", "type": TYPE, "name": "茅箭新综合体", "lon": 110.80, "lat": 32.58})
    assert r.status_code == 200, r.get_json()
    version = r.get_json()["version"]
    now = _limit(app, TYPE, MAOJIAN)
    assert 1 <= now < was, (now, was)  # 5 of 6: the tester's case

    new = rerun_page(app, c, county["id"], "en")
    assert new["params"]["p"] == now and len(new["sites"]) == now and new["params"]["county"] == MAOJIAN
    assert new["planner_note"] == "先做茅箭"
    said = new["auto_notes"][-1]
    assert said.startswith(f"Solved again with {now} new sites, not {was}: Maojian District has only {now} "), said
    assert t("qa33f12_was_default_lowered", "en", old=was, default=default, where="Maojian District") in said
    # the first solve's note is replaced by it, which says how the 6 was set ("p = 6, not the default 8" beside a
    # 5-site re-solve read as a contradiction: round 3)
    assert len(new["auto_notes"]) == 1
    zh = c.get(f"/api/proposals/{new['id']}?lang=zh").get_json()
    assert zh["auto_notes"][-1].startswith(f"重新求解时新增站点数由 {was} 降为 {now}：当前数据中茅箭区只有 {now} 个"), zh
    assert "首次求解时茅箭区可选的候选点数，代替该类型默认的 8 处" in zh["auto_notes"][-1]

    # its name: the app's, made again in both languages from its own numbers, with the version
    orig = app.extensions["coverplan"]["store"].get(county["id"])["params"]["auto_name"]
    auto = new["params"]["auto_name"]
    assert isinstance(auto, dict) and set(auto) >= {"zh", "en"}, new["params"]
    stamp = orig["zh"].rsplit("·", 1)[1]  # the first solve's time
    assert auto["zh"] == f"乡镇(街道)养老服务综合体·最大覆盖·{now}处·{stamp}·v{version}", auto
    assert auto["en"].endswith(f"·v{version}") and f"{now}" in auto["en"] and auto["en"] != auto["zh"]
    assert new["name"] == auto["en"] and zh["name"] == auto["zh"]
    assert all("\u4e00" > ch for ch in auto["en"]), auto["en"]  # no Chinese in the English name


def test_a_hand_named_re_solve_keeps_the_planners_name(app, county):
    from web.proposals import rerun_params

    rec = dict(app.extensions["coverplan"]["store"].get(county["id"]), name="茅箭一期")
    with app.test_request_context("/?lang=en"):
        params = rerun_params(rec, _svc(app))
    assert params["name"] == f"茅箭一期·v{_svc(app).version()}" and "auto_name" not in params


def test_a_city_wide_p_above_the_citys_candidates_is_lowered_and_said(app, county):
    from flask import g

    from web.proposals import rerun_params

    total = _limit(app, TYPE, None)
    rec = app.extensions["coverplan"]["store"].get(county["id"])
    rec = {**rec, "params": {k: v for k, v in rec["params"].items()
                             if k not in ("county", "p_default", "auto_notes")} | {"p": total + 3}}
    for lang, where in (("en", "the city"), ("zh", "全市")):
        with app.test_request_context():
            g.lang = lang
            params = rerun_params(rec, _svc(app))
        assert params["p"] == total and params.get("county") is None
        assert params["auto_notes"] == [{la: t("qa33f12_rerun_p", la, p=total, old=total + 3,
                                                where=where if la == lang else ("全市" if la == "zh" else "the city"))
                                         for la in ("zh", "en")}]
        assert "default" not in params["auto_notes"][0]["en"]  # a p the planner typed is not said to be the default


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_re_solve_with_no_candidate_left_is_a_400_in_words(app, county, lang):
    store = app.extensions["coverplan"]["store"]
    rec = store.get(county["id"])
    assert _limit(app, "welfare_home", ZHANGWAN) == 0
    pid = store.add(name="张湾福利院", type_key="welfare_home", summary=rec["summary"], geojson=rec["geojson"],
                    params={**rec["params"], "type": "welfare_home", "county": ZHANGWAN, "p": 2,
                            "model": "mclp", "model_effective": "mclp", "auto_name": None, "auto_notes": []})
    r = app.test_client().post(f"/api/proposals/{pid}/rerun?lang={lang}")
    err = r.get_json()
    assert r.status_code == 400 and err["details"]["parameter"] == "p", err
    v = _svc(app).version()
    assert err["message_zh"].startswith(f"无法重新求解此方案：当前数据（版本 {v}）中张湾区没有可选的候选点（均为现有设施或已标记为禁选）。"
                                        "请在地图上添加候选点"), err
    assert err["message_en"].startswith(f"This proposal cannot be solved again: in the current data (version {v}) "
                                        "Zhangwan District has no candidate site"), err
    assert err["message"] == err["message_zh" if lang == "zh" else "message_en"]


def test_a_proposal_saved_before_keeps_its_note_and_its_default_is_read_from_it(app, county):
    """Saved before the notes were apart: its note (with the app's sentence in it) is shown as it is, nothing
    under "Notes"; a re-solve that lowers its p still says the old p was the county's limit in place of the default."""
    from flask import g

    from planner.facility_types import get_type
    from web.proposals import rerun_params

    store = app.extensions["coverplan"]["store"]
    rec = store.get(county["id"])
    default, was = get_type(TYPE).default_p, rec["params"]["p"]
    said = t("qa33f11_p_note", "zh", p=was, default=default, where="茅箭区")
    old = {k: v for k, v in rec["params"].items() if k not in ("auto_notes", "p_default")}
    pid = store.add(name="旧方案", type_key=TYPE, summary=rec["summary"], geojson=rec["geojson"],
                    params={**old, "auto_name": None, "note": said}, note=said)
    c = app.test_client()
    got = c.get(f"/api/proposals/{pid}?lang=en").get_json()
    assert got["note"] == said and got["planner_note"] == said and got["auto_notes"] == []
    assert 'id="proposal-auto-notes"' not in c.get(f"/proposals/{pid}?lang=en").get_data(as_text=True)
    with app.test_request_context():
        g.lang = "en"
        params = rerun_params(store.get(pid), _svc(app))
    assert params["note"] == said and params["p"] < was
    assert t("qa33f12_was_default_lowered", "en", old=was, default=default, where="Maojian District") \
        in params["auto_notes"][-1]["en"]


def test_the_list_and_the_page_show_the_apps_notes_apart_and_a_save_keeps_them_out_of_the_note(page):
    """In a browser (English pages): the list's row gives the planner's note and, under it, the app's note in
    English; the proposal page's note field holds the planner's note alone, and saving it leaves the app's out."""
    from planner.facility_types import get_type

    app = page.app
    r = app.test_client().post("/api/proposals?wait=120&lang=zh", json={"type": TYPE, "county": MAOJIAN, "note": "甲"})
    assert r.status_code == 201, r.get_json()
    pid, p = r.get_json()["proposal"]["id"], r.get_json()["proposal"]["params"]["p"]
    said = t("qa33f11_p_note", "en", p=p, default=get_type(TYPE).default_p, where="Maojian District")
    page.goto(page.base + "/proposals?lang=en")
    row = page.wait_for_selector(f"tr[data-id='{pid}']")
    assert row.query_selector(".auto-notes").inner_text() == f"Notes: {said}"
    assert "甲" in row.inner_text() and "新增站点数" not in row.inner_text()
    page.goto(page.base + f"/proposals/{pid}?lang=en")
    assert page.input_value("#e-note") == "甲"
    assert page.inner_text("#proposal-auto-notes") == f"Notes: {said}"
    page.fill("#e-note", "甲乙")
    page.click("#e-save")
    poll_js(page, "document.getElementById('e-status').textContent.length > 0")
    assert page.inner_text("#e-status").startswith(t("saved", "en")), page.inner_text("#e-status")
    assert page.input_value("#e-note") == "甲乙"
    assert app.extensions["coverplan"]["store"].get(pid)["note"] == "甲乙"
