"""QA 34 (fixer F2): the printed brief and a county proposal's "before".

1. The brief (/proposals/<id>/brief) gave the app's notes but not the planner's own note, which the proposal page
   and the list show: it gives it (escaped), cut to two lines so a long one keeps the brief on one A4 page.
2. A county's proposal page and brief said its "before" may be below the coverage map's figure for the county
   without giving that figure: it is recorded when the proposal is solved (the map's own per-county figure,
   planner.proposals.county_map_figure) and said beside the "before"; a proposal saved before keeps the old words.
"""
from __future__ import annotations

import html as markup
import re

import pytest
from markupsafe import escape

from browser import ARTIFACTS, browser, page, server, wait_map  # noqa: F401  (fixtures)
from planner.i18n import share_text, t

MAOJIAN, YUNXI, FANG = "420302", "420322", "420325"
PAGE_OBJECT = re.compile(rb"/Type\s*/Page[^s]")
NOTE = "先看<b>茅箭区</b> & 武当路 <script>alert(1)</script>"
LONG = ("请在县政府常务会上先讨论茅箭区的站点，再报市民政局审定；" * 60)[:1990]
LONG_EN = ("Discuss the Maojian sites at the county's standing meeting first, then send them to the city's civil "
           "affairs bureau. " * 20)[:1990]


@pytest.fixture(scope="module")
def made(server):
    """A county proposal (new sites) with a note of markup, a sized one, one of ten sites, an upgrade, and a city
    one."""
    c = server.app.test_client()

    def solve(body):
        r = c.post("/api/proposals?wait=120&lang=en", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["proposal"]
    return {"county": solve({"type": "elderly_complex", "county": MAOJIAN, "p": 3, "note": NOTE}),
            "sized": solve({"type": "elderly_complex", "kind": "sized", "county": YUNXI, "budget_sites": 50,
                            "note": LONG}),
            "county10": solve({"type": "elderly_complex", "county": YUNXI, "model": "mclp", "p": 10}),
            # K left blank: the type's default lowered to the county's facilities, and said in the app's notes
            "upgrade": solve({"type": "mutual_aid", "kind": "upgrade", "county": FANG}),
            "city": solve({"type": "elderly_complex", "p": 3})}


def _planner_note(html: str) -> str | None:
    m = re.search(r'<p class="small" id="brief-planner-note"[^>]*>(.*?)</p>', html, re.S)
    return m.group(1) if m else None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_brief_gives_the_planners_note_escaped(server, made, lang):
    c = server.app.test_client()
    html = c.get(f"/proposals/{made['county']['id']}/brief?lang={lang}").get_data(as_text=True)
    got = _planner_note(html)
    assert got is not None, "the planner's note is not on the brief"
    assert str(escape(NOTE)) in got and "<script>" not in got and "<b>茅箭区" not in got
    assert got.startswith(f"<b>{t('note', lang)}{': ' if lang == 'en' else '：'}</b>")
    # apart from the app's notes, and after them; a proposal without a note of the planner's has none
    assert "<script>alert" not in html
    html = c.get(f"/proposals/{made['city']['id']}/brief?lang={lang}").get_data(as_text=True)
    assert 'id="brief-planner-note"' not in html


def test_a_long_note_is_cut_and_its_lines_run_together(server, made):
    """A note of 2,000 characters and several lines: one paragraph, cut with "…" (brief.css shows two lines)."""
    store = server.app.extensions["coverplan"]["store"]
    rec = store.get(made["city"]["id"])
    pid = store.add(name="long note", type_key=rec["type"], summary=rec["summary"], geojson=rec["geojson"],
                    params=rec["params"], note="第一行\n\n第二行 " + LONG)
    html = server.app.test_client().get(f"/proposals/{pid}/brief?lang=zh").get_data(as_text=True)
    text = markup.unescape(re.sub(r"<[^>]+>", "", _planner_note(html)))
    assert text.startswith("备注：第一行 第二行 请在") and text.endswith("…") and len(text) < 320, text
    # the page keeps it whole
    page_html = server.app.test_client().get(f"/proposals/{pid}?lang=zh").get_data(as_text=True)
    assert "第一行\n\n第二行 " + LONG[:200] in page_html


def _map_row(client, type_key: str, county: str, mode: str = "estimate") -> dict:
    body = client.get(f"/api/coverage/{type_key}?mode={mode}").get_json()
    return next(r for r in body["by_county"] if str(r["county_code"]) == county)


@pytest.mark.parametrize("key", ["county", "sized"])
def test_a_county_proposal_records_the_coverage_maps_figure(server, made, key):
    c = server.app.test_client()
    county = MAOJIAN if key == "county" else YUNXI
    rec = server.app.extensions["coverplan"]["store"].get(made[key]["id"])
    recorded = rec["summary"]["scope_map"]
    row = _map_row(c, "elderly_complex", county)
    assert recorded["county"] == county
    assert recorded["covered_share"] == pytest.approx(row["covered_share"], abs=1e-12)
    assert (recorded["covered_weight"], recorded["weight"]) == (row["covered_weight"], row["weight"])
    assert (recorded["covered_units"], recorded["units"]) == (row["covered_units"], row["units"])
    # the county's own "before" is not above it (its neighbours' facilities are left out), and here below it
    before = rec["summary"]["before"]["covered_share"]
    assert before < recorded["covered_share"], (before, recorded)
    # the API's view gives it with the proposal's scope
    api = c.get(f"/api/proposals/{made[key]['id']}?lang=en").get_json()
    assert api["scope"]["map"]["covered_share"] == recorded["covered_share"]
    # a city proposal records none
    assert "scope_map" not in server.app.extensions["coverplan"]["store"].get(made["city"]["id"])["summary"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("key", ["county", "sized"])
def test_the_page_and_the_brief_give_both_figures(server, made, key, lang):
    c = server.app.test_client()
    rec = server.app.extensions["coverplan"]["store"].get(made[key]["id"])
    county = MAOJIAN if key == "county" else YUNXI
    before = share_text(rec["summary"]["before"]["covered_share"])
    row = _map_row(c, "elderly_complex", county)
    on_map = share_text(row["covered_share"])
    # each figure named by what it weighs, and the map's own (its share of units) as the map writes it (QA 34, F17)
    who = t("weight_aged_60", lang)
    said = t("qa34f17_scope_before", lang, before=before, map=on_map, who=who) + (" " if lang == "en" else "") + \
        t("qa34f17_scope_map_units", lang, units=share_text(row["covered_units"] / row["units"]),
          covered=f"{row['covered_units']:,}", n=f"{row['units']:,}")
    assert before in said and on_map in said and before != on_map
    for url, mark in ((f"/proposals/{made[key]['id']}", "scope-before-note"),
                      (f"/proposals/{made[key]['id']}/brief", "brief-scope-before-note")):
        html = c.get(f"{url}?lang={lang}").get_data(as_text=True)
        m = re.search(rf'id="{mark}">(.*?)</(?:p|span)>', html, re.S)
        assert m and markup.unescape(m.group(1)) == said, (url, m and m.group(1))
    # the share the "before" row of the page's table gives is the one the note gives
    html = c.get(f"/proposals/{made[key]['id']}?lang={lang}").get_data(as_text=True)
    assert f'<td class="num">{before}</td>' in html


def test_an_older_county_proposal_keeps_the_words_without_figures(server, made):
    store = server.app.extensions["coverplan"]["store"]
    rec = store.get(made["county"]["id"])
    summary = {k: v for k, v in rec["summary"].items() if k != "scope_map"}
    pid = store.add(name="older", type_key=rec["type"], summary=summary, geojson=rec["geojson"], params=rec["params"])
    c = server.app.test_client()
    for lang in ("zh", "en"):
        html = c.get(f"/proposals/{pid}/brief?lang={lang}").get_data(as_text=True)
        assert f'id="brief-scope-before-note">{escape(t("qa33f11_scope_before", lang))}</p>' in html
        html = c.get(f"/proposals/{pid}?lang={lang}").get_data(as_text=True)
        assert f'id="scope-before-note">{escape(t("qa33f11_scope_before", lang))}</p>' in html
    # solved at another standard than the map's: the figures are said not to compare
    std = {**rec["summary"], "standard": {**rec["summary"]["standard"], "urban": 45.0, "rural": 45.0}}
    pid = store.add(name="std", type_key=rec["type"], summary=std, geojson=rec["geojson"], params=rec["params"])
    html = c.get(f"/proposals/{pid}?lang=en").get_data(as_text=True)
    m = re.search(r'id="scope-before-note">(.*?)</p>', html, re.S)
    assert markup.unescape(m.group(1)).startswith(t("qa34f17_scope_before_std", "en", before="X", map="Y", who="Z")[:60])
    assert "are not to be compared" in m.group(1)
    # the map's figure the county's own (no village reached from a neighbour alone): "the same", not "can be lower"
    alike = {**rec["summary"], "scope_map": {**rec["summary"]["scope_map"],
                                             "covered_share": rec["summary"]["before"]["covered_share"]}}
    pid = store.add(name="alike", type_key=rec["type"], summary=alike, geojson=rec["geojson"], params=rec["params"])
    html = c.get(f"/proposals/{pid}/brief?lang=zh").get_data(as_text=True)
    m = re.search(r'id="brief-scope-before-note">(.*?)</p>', html, re.S)
    before = share_text(rec["summary"]["before"]["covered_share"])
    m_ = rec["summary"]["scope_map"]
    assert markup.unescape(m.group(1)) == t("qa34f17_scope_before_same", "zh", before=before, who="60岁以上人口") + \
        t("qa34f17_scope_map_units", "zh", units=share_text(m_["covered_units"] / m_["units"]),
          covered=f"{m_['covered_units']:,}", n=f"{m_['units']:,}")
    assert "可能低于" not in m.group(1)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("key", ["sized", "county10", "upgrade"])
def test_a_county_brief_with_a_long_note_prints_on_one_page(page, server, made, key, lang):
    """The longest briefs (a county's, its note on the "before" with both figures: sized, and ten new sites, whose
    notes go under the map; an upgrade's, its notes under its sites) with a note of 2,000 characters: two lines of
    it, and one A4 page (Playwright's A4 and the page's own @page)."""
    store = server.app.extensions["coverplan"]["store"]
    rec = store.get(made[key]["id"])
    pid = store.add(name=rec["name"], type_key=rec["type"], summary=rec["summary"], geojson=rec["geojson"],
                    params=rec["params"], note=LONG_EN if lang == "en" else LONG)
    page.set_viewport_size({"width": 718, "height": 1047})  # A4 less its 10 mm margins: the printed layout
    page.goto(f"{page.base}/proposals/{pid}/brief?lang={lang}")
    wait_map(page)
    page.emulate_media(media="print")
    box = page.eval_on_selector("#brief-planner-note", """e => {
        const h = e.getBoundingClientRect().height, line = parseFloat(getComputedStyle(e).lineHeight);
        const props = ['-webkit-line-clamp', 'line-clamp', 'display'];
        props.forEach(k => e.style.setProperty(k, k === 'display' ? 'block' : 'none'));
        const full = e.getBoundingClientRect().height;  // the note unclamped
        props.forEach(k => e.style.removeProperty(k));
        return {h, line, full}; }""")
    assert box["h"] <= 2.2 * box["line"] and box["full"] > box["h"], box
    if key == "county10":  # the notes under the map, the key beside them
        at = page.evaluate("""() => Object.fromEntries(['#map', '#brief-top-notes', '.brief-side', '.brief-key']
            .map(s => [s, document.querySelector(s).getBoundingClientRect().toJSON()]))""")
        assert at["#brief-top-notes"]["top"] >= at["#map"]["bottom"] - 1
        assert at["#brief-top-notes"]["right"] <= at[".brief-side"]["left"] + 1
        assert at[".brief-key"]["left"] >= at[".brief-side"]["left"] - 1
        assert page.locator("#brief-top-notes #brief-scope-before-note").count() == 1
    if key == "upgrade":
        assert page.locator("#brief-top-notes #brief-auto-notes").count() == 1
    for prefer_css in (False, True):
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=prefer_css)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"brief-qa34-note-{key}-{lang}.pdf").write_bytes(pdf)
        assert len(PAGE_OBJECT.findall(pdf)) == 1, prefer_css
