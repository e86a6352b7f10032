"""QA 33 (fixer F11): a county's new-sites proposal with the number of sites (p) left blank.

1. 乡镇(街道)养老服务综合体 in 茅箭区 with p blank failed "“新增站点数”（p）填写的 8 无效：应为不超过 6": the type's
   default 8 the planner never typed. Left blank, p is now the county's candidate sites when they are fewer, the
   proposal's note says so, and the form's hint says that number; a p typed above them is still refused, and a
   county with none to choose is refused in words that do not say "填写的".
2. Its "before" (the county's own facilities) is below the coverage map's figure for the county: the page says why.
3. Its offline map opened on the whole city: it opens framed on the county.
4. The page's "规划标记：" had a full-width colon on the English page too.
"""
from __future__ import annotations

import re

import pytest
from markupsafe import escape

from browser import browser, page, poll_js, server  # noqa: F401  (fixtures)
from planner.i18n import t

MAOJIAN, ZHANGWAN = "420302", "420303"
TYPE = "elderly_complex"


def _limit(region, type_key: str, county: str) -> int:
    """The candidate sites a proposal of the type may choose in the county (as web.api.check_sites counts them)."""
    from planner.coverage import county_type, existing_facilities
    from planner.facility_types import get_type
    from planner.sites import choosable_counts

    ft = county_type(get_type(type_key), county, region)
    return choosable_counts(region, ft, existing_facilities(region, ft))["by_county"].get(county, 0)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa33p") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def county_proposal(app):
    """The 茅箭区 complexes with p left blank, asked from an English page (its note in English)."""
    r = app.test_client().post("/api/proposals?wait=120&lang=en",
                               json={"type": TYPE, "county": MAOJIAN, "note": "county first"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


def test_a_blank_p_in_a_county_takes_its_candidate_sites_and_says_so(app, county_proposal, shiyan):
    from planner.facility_types import get_type

    limit, default = _limit(shiyan, TYPE, MAOJIAN), get_type(TYPE).default_p
    assert 1 < limit < default  # 6 of the default 8: the case the tester met
    p = county_proposal
    assert p["params"]["p"] == limit and p["params"]["county"] == MAOJIAN
    assert len(p["sites"]) == limit
    said = t("qa33f11_p_note", "en", p=limit, default=default, where="Maojian District")
    assert p["note"] == f"county first\n{said}", p["note"]
    assert "6 new sites, not the type's default of 8" in said
    # in Chinese from a Chinese page, without a note of the planner's: the sentence alone (202, then the job)
    c = app.test_client()
    r = c.post("/api/proposals?lang=zh", json={"type": TYPE, "county": MAOJIAN})
    assert r.status_code == 202, r.get_json()
    job = app.extensions["coverplan"]["jobs"].wait(r.get_json()["id"], timeout=120)
    assert job.state == "done", job.error
    rec = c.get(f"/api/proposals/{job.result['proposal_id']}?lang=zh").get_json()
    assert rec["params"]["p"] == limit
    assert rec["note"] == f"新增站点数取 {limit}，而非该类型默认的 {default}：茅箭区只有 {limit} 个可选的候选点（不含现有设施和禁选点）。"


def test_a_blank_p_with_another_model_on_a_full_coverage_type(app, shiyan):
    """A type solved by full coverage (LSCP) by default takes the default p with MCLP: lowered the same way, and a
    single candidate is said in the singular."""
    limit = _limit(shiyan, "disabled_care", MAOJIAN)
    assert limit == 1
    r = app.test_client().post("/api/proposals?wait=120&lang=en",
                               json={"type": "disabled_care", "model": "mclp", "county": MAOJIAN})
    assert r.status_code == 201, r.get_json()
    p = r.get_json()["proposal"]
    assert p["params"]["p"] == 1 and p["note"].startswith("1 new site, not the type's default of 8:"), p["note"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_typed_p_above_the_county_is_refused_and_a_county_with_none_says_so(app, shiyan, lang):
    c = app.test_client()
    limit = _limit(shiyan, TYPE, MAOJIAN)
    typed = c.post(f"/api/proposals?lang={lang}", json={"type": TYPE, "county": MAOJIAN, "p": limit + 1})
    err = typed.get_json()
    assert typed.status_code == 400 and err["details"]["parameter"] == "p", err
    assert err["message_zh"].startswith(f"“新增站点数”（p）填写的 {limit + 1} 无效：应为不超过 {limit}，"), err
    assert f"at most {limit}" in err["message_en"]
    # 张湾区 has no welfare-home candidate to choose: the default (5) is refused in words, not as "填写的 5"
    assert _limit(shiyan, "welfare_home", ZHANGWAN) == 0
    none = c.post(f"/api/proposals?lang={lang}", json={"type": "welfare_home", "county": ZHANGWAN})
    err = none.get_json()
    assert none.status_code == 400 and err["details"]["parameter"] == "p", err
    assert "填写" not in err["message_zh"] and "Bad parameter" not in err["message_en"], err
    assert err["message_zh"].startswith("无法在张湾区新建选址：张湾区没有可选的候选点"), err
    assert err["message_en"].startswith("No new sites can be proposed in Zhangwan District:"), err
    assert err["message"] == err["message_zh" if lang == "zh" else "message_en"]


def test_the_page_and_the_brief_say_why_a_county_before_is_lower(app, county_proposal):
    c = app.test_client()
    for lang in ("zh", "en"):
        for url, mark in ((f"/proposals/{county_proposal['id']}", 'id="scope-before-note"'),
                          (f"/proposals/{county_proposal['id']}/brief", 'id="brief-scope-before-note"')):
            html = c.get(f"{url}?lang={lang}").get_data(as_text=True)
            # the note as the proposal words it (QA 34: with the coverage map's figure for the county)
            said = c.get(f"/api/proposals/{county_proposal['id']}?lang={lang}").get_json()["scope"]["before_note"]
            note = str(escape(said))
            assert mark in html and note in html, (url, lang)


def _fit(html: str) -> tuple[float, float, float, float]:
    """The bounds the offline map fits once loaded (south, west, north, east)."""
    m = re.search(r"L\.latLngBounds\(\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]\)", html)
    assert m, "no fit in the offline map"
    return tuple(float(x) for x in m.groups())


def test_the_offline_map_of_a_county_proposal_opens_on_the_county(app, county_proposal, shiyan):
    c = app.test_client()
    html = c.get(f"/proposals/{county_proposal['id']}/export.html?lang=en").get_data(as_text=True)
    s, w, n, e = _fit(html)
    counties = shiyan.counties
    cw, cs, ce, cn = counties[counties["code"].astype(str) == MAOJIAN].total_bounds
    tw, ts, te, tn = counties.total_bounds
    eps = 1e-5
    assert cs - eps <= s < n <= cn + eps and cw - eps <= w < e <= ce + eps, (s, w, n, e)
    assert (n - s) * (e - w) < 0.5 * (tn - ts) * (te - tw)  # not the whole city
    for site in county_proposal["sites"]:
        assert s <= site["lat"] <= n and w <= site["lon"] <= e
    # the app's note on p, in the title block as in the brief (the lead's)
    import html as markup
    assert county_proposal["auto_notes"] and markup.escape(county_proposal["auto_notes"][0]) in html


def test_the_marks_colon_is_the_page_languages(app, county_proposal):
    """A proposal kept to planner's marks says so after a colon: ": " in English, "：" in Chinese."""
    ext = app.extensions["coverplan"]
    rec = ext["store"].get(county_proposal["id"])
    pid = ext["store"].add(name="marks", type_key=rec["type"], summary=rec["summary"], geojson=rec["geojson"],
                           params={**rec["params"], "site_marks": {"required": 1, "forbidden": 2}})
    c = app.test_client()
    en = c.get(f"/proposals/{pid}?lang=en").get_data(as_text=True)
    zh = c.get(f"/proposals/{pid}?lang=zh").get_data(as_text=True)
    assert f'id="proposal-marks">{escape(t("planner_mark", "en"))}: ' in en
    assert "：" not in en.split('id="proposal-marks">')[1][:40]
    assert f'id="proposal-marks">{t("planner_mark", "zh")}：' in zh


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_form_says_the_county_default_and_a_blank_submit_is_solved(page, lang, shiyan):
    from planner.facility_types import get_type

    limit, default = _limit(shiyan, TYPE, MAOJIAN), get_type(TYPE).default_p
    page.goto(page.base + f"/proposals?lang={lang}")
    page.wait_for_selector("#p-submit")
    page.select_option("#p-type", TYPE)
    page.select_option("#p-kind", "location")
    assert page.input_value("#p-p") == ""
    assert page.inner_text("#p-hint") == t("n_sites_hint_p", lang, p=default)
    page.select_option("#p-county", MAOJIAN)
    county = page.eval_on_selector("#p-county", "e => e.selectedOptions[0].textContent.trim()")
    assert page.inner_text("#p-hint") == t("qa33f11_hint_county", lang, p=limit, county=county, default=default)
    assert page.get_attribute("#p-p", "placeholder") == str(limit)
    # back to the whole city: the default again
    page.select_option("#p-county", "")
    assert page.inner_text("#p-hint") == t("n_sites_hint_p", lang, p=default)
    page.select_option("#p-county", MAOJIAN)
    # a name per language: the same request again within a minute is answered with the proposal made (QA 35)
    page.fill("#p-name", f"qa33 county default {lang}")
    sent = []
    page.on("request", lambda r: sent.append(r.post_data_json)
            if r.method == "POST" and "/api/proposals" in r.url else None)
    page.click("#p-submit")
    page.wait_for_url(re.compile(r"/proposals/[^/?]+$"), timeout=120_000)
    assert sent and "p" not in sent[0] and sent[0]["county"] == MAOJIAN
    note = page.inner_text("#proposal-auto-notes")  # the app's notes, apart from the planner's (QA 33)
    assert str(limit) in note and str(default) in note
    assert page.locator("#scope-before-note").is_visible()
