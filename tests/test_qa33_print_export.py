"""QA 33 (fixer F16), a county planner of 郧西县:

1. The English brief of the county's sized proposal (50 sites) printed on two A4 pages under "Prints on one A4
   page": it lists 8 sites on one line each (the rest counted), the county note under the map's key.
2. The coverage map's offline export ignored the county shown (/map/day_care?county=420322): its link carries the
   county, kept to the map's county filter, and the file opens framed on it.
3. The proposal form greyed "改造提升现有设施" out for 10 of 12 types without a word; K = 3 welfare homes in 郧西县
   got only "不能大于 2。": the kind says why, K's hint and refusal name the per-county limit.
4. A refused candidate mark named the candidate by its id alone: its name now, the id after it.
"""
from __future__ import annotations

import re

import pytest

from browser import ARTIFACTS, browser, page, poll_js, server, wait_map  # noqa: F401  (fixtures)
from planner.i18n import t

YUNXI, ZHUSHAN = "420322", "420323"
PAGE_OBJECT = re.compile(rb"/Type\s*/Page[^s]")


def _solve(client, body: dict) -> dict:
    r = client.post("/api/proposals?wait=120", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


@pytest.fixture(scope="module")
def sized(server):
    """郧西县's sized proposals: 50 day-care centres (the tester's), and the complexes (the longest English page)."""
    c = server.app.test_client()
    return {"day_care": _solve(c, {"type": "day_care", "kind": "sized", "county": YUNXI, "budget_sites": 50}),
            "elderly_complex": _solve(c, {"type": "elderly_complex", "kind": "sized", "county": YUNXI,
                                          "budget_sites": 50})}


# -- 1. the sized county brief on one A4 page -----------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("key", ["day_care", "elderly_complex"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_county_sized_brief_prints_on_one_page(page, sized, key, lang):
    rec = sized[key]
    total = len(rec["sites"])
    assert total > 8
    page.goto(f"{page.base}/proposals/{rec['id']}/brief?lang={lang}")
    wait_map(page)
    # 8 listed, the rest counted; the map still draws them all
    assert page.locator("#brief-sites tbody tr").count() == 8
    assert page.inner_text("#brief-more") == t("brief_and_more", lang, n=total - 8)
    # the county note under the map's key (beside the capacity table it took the page to a second sheet)
    said = page.evaluate(f"fetch('/api/proposals/{rec['id']}?lang={lang}').then(r => r.json())")["scope"]["before_note"]
    assert page.locator(".brief-key #brief-scope-before-note").inner_text() == said
    assert page.locator(".brief-side #brief-scope-before-note").count() == 0
    page.emulate_media(media="print")
    # one line a site: the name is cut (its whole text kept in the cell and its title), the row no taller
    rows = page.eval_on_selector_all("#brief-sites tbody tr", """rs => rs.map(r => {
        const c = r.querySelector('td.site-name'), cut = c.querySelector('.cut');
        return {h: r.getBoundingClientRect().height, line: parseFloat(getComputedStyle(cut).lineHeight) ||
                1.3 * parseFloat(getComputedStyle(cut).fontSize), text: c.textContent.trim(), title: c.title,
                nowrap: getComputedStyle(cut).whiteSpace}; })""")
    assert len(rows) == 8
    for r in rows:
        assert r["nowrap"] == "nowrap" and r["title"] == r["text"] and r["h"] < 1.6 * r["line"], r
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"brief-sized-county-{key}-{lang}.pdf").write_bytes(pdf)
    assert len(PAGE_OBJECT.findall(pdf)) == 1


def test_a_sized_sites_illustrative_label_stays_after_its_cut_name(server, sized):
    """A name ending in 示意 keeps the label whole after the part that is cut."""
    store = server.app.extensions["coverplan"]["store"]
    rec = store.get(sized["day_care"]["id"])
    summary = {**rec["summary"], "sites": [dict(s) for s in rec["summary"]["sites"]]}
    first = min(summary["sites"], key=lambda s: s["priority"])
    first["name"] = first["name"] + "（示意）"
    first.pop("name_en", None)
    pid = store.add(name="label", type_key=rec["type"], summary=summary, geojson=rec["geojson"], params=rec["params"])
    html = server.app.test_client().get(f"/proposals/{pid}/brief?lang=zh").get_data(as_text=True)
    cell = re.search(r'<td class="site-name" title="([^"]*)">(.*?)</td>', html, re.S)
    assert cell.group(1) == first["name"]
    assert '<span class="keep-label">（示意）</span>' in cell.group(2)
    assert f'<span class="cut">{first["name"][:-4]}</span>' in cell.group(2)


# -- 2. the coverage map's export frames on the county shown ------------------------------------------
def _fit(html: str) -> tuple[float, float, float, float]:
    """The bounds the offline map fits once loaded (south, west, north, east)."""
    m = re.search(r"L\.latLngBounds\(\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]\)", html)
    assert m, "no fit in the offline map"
    return tuple(float(x) for x in m.groups())


def test_the_coverage_export_opens_on_the_county_shown(server, shiyan):
    c = server.app.test_client()
    counties = shiyan.counties
    cw, cs, ce, cn = counties[counties["code"].astype(str) == YUNXI].total_bounds
    tw, ts, te, tn = counties.total_bounds
    # the page's link carries the county it shows; the city's does not
    html = c.get(f"/map/day_care?county={YUNXI}&lang=en").get_data(as_text=True)
    href = re.search(r'id="export-map" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"county={YUNXI}" in href and "lang=en" in href
    for page_url in ("/map/day_care", "/map/day_care?county=999999"):
        href0 = re.search(r'id="export-map" href="([^"]+)"', c.get(page_url).get_data(as_text=True)).group(1)
        assert "county" not in href0, href0
    # the file: framed on the county, named for it
    r = c.get(href)
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith(f"coverage-day_care-{YUNXI}.html")
    s, w, n, e = _fit(r.get_data(as_text=True))
    eps = 1e-5
    assert (s, w, n, e) == pytest.approx((cs, cw, cn, ce), abs=eps)
    # its figures are the city's, said in its title block (round 3)
    assert "the figures are the city&#x27;s" in r.get_data(as_text=True)
    assert (n - s) * (e - w) < 0.5 * (tn - ts) * (te - tw)
    # the city's (none, or one unknown): the whole city, as before
    for url in ("/map/day_care/export.html?lang=en", "/map/day_care/export.html?county=999999"):
        r = c.get(url)
        assert r.status_code == 200 and r.headers["Content-Disposition"].endswith("coverage-day_care.html")
        assert "the figures are the city" not in r.get_data(as_text=True)
        assert _fit(r.get_data(as_text=True)) == pytest.approx((ts, tw, tn, te), abs=eps)


@pytest.mark.browser
def test_the_export_link_follows_the_maps_county_filter(page):
    page.goto(f"{page.base}/map/day_care?county={YUNXI}")
    wait_map(page)
    assert f"county={YUNXI}" in page.get_attribute("#export-map", "href")
    page.select_option(".map-county select", ZHUSHAN)
    poll_js(page, f"document.getElementById('export-map').getAttribute('href').includes('county={ZHUSHAN}')")
    href = page.get_attribute("#export-map", "href")
    assert href.startswith("/map/day_care/export.html?") and "lang=zh" in href and YUNXI not in href
    page.select_option(".map-county select", "")
    poll_js(page, "!document.getElementById('export-map').getAttribute('href').includes('county=')")


# -- 3. the form's kinds and K ---------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_form_says_why_a_kind_is_greyed_and_names_ks_limit(page, lang):
    from planner.facility_types import get_type
    from web.capacity_proposals import upgrade_limits_by_county

    page.goto(f"{page.base}/proposals?lang={lang}")
    page.wait_for_selector("#p-submit")
    ft = get_type("day_care")
    page.select_option("#p-type", "day_care")
    upgrade = page.locator("#p-kind option[value='upgrade']")
    why = t("qa33f16_no_upgrade", lang, kind=t("capw_kind_upgrade", lang), type=ft.name(lang))
    assert upgrade.is_disabled() and upgrade.get_attribute("title") == why
    assert page.locator("#kind-hint").is_visible() and page.inner_text("#kind-hint") == why
    # a type without sizes: both said
    page.select_option("#p-type", "charity_station")
    hint = page.inner_text("#kind-hint")
    assert t("qa33f16_no_sizes", lang, kind=t("capw_kind_sized", lang), type=get_type("charity_station").name(lang)) in hint
    # welfare homes have both: nothing to say
    page.select_option("#p-type", "welfare_home")
    assert not page.locator("#kind-hint").is_visible()
    page.select_option("#p-kind", "upgrade")
    service = page.app.extensions["coverplan"]["service"]
    wh = service.get_type("welfare_home")
    cap, n = wh.upgrade.per_county_max, upgrade_limits_by_county(service, wh, False)[YUNXI]
    assert n == cap == 2  # the case the tester met: the plan's limit, not the facilities there
    page.select_option("#p-county", YUNXI)
    county = service.county_names(lang)[YUNXI]
    poll_js(page, "!document.getElementById('k-hint').hidden")
    assert page.inner_text("#k-hint") == t("qa33f16_k_cap", lang, county=county, n=n, cap=cap)
    page.fill("#p-k", str(n + 1))
    page.click("#p-submit")
    assert page.eval_on_selector("#p-k", "e => e.validationMessage") == t("qa33f16_k_cap_bad", lang, n=n, cap=cap,
                                                                          county=county)
    assert page.locator("#job").is_hidden()
    # the whole city: the hint says the per-county limit too
    page.fill("#p-k", "")
    page.select_option("#p-county", "")
    most = page.get_attribute("#p-k", "max")
    assert page.inner_text("#k-hint") == t("qa33f16_k_city", lang, n=most, cap=cap,
                                           what=t("qa33f16_what_upgrade", lang))


# -- 4. a refused candidate mark names the candidate ----------------------------------------------
def test_a_refused_candidate_mark_names_the_candidate(tmp_path, shiyan):
    from accounts import accounts_app, signed_in
    from planner.coverage import existing_facilities
    from planner.facility_types import get_type
    from planner.sites import candidate_sites

    ft = get_type("day_care")
    cands = candidate_sites(shiyan, ft, existing_facilities(shiyan, ft))
    row = cands[cands["county_code"].astype(str) == ZHUSHAN].iloc[0]
    cid, name = str(row["id"]), str(row["name"])
    app = accounts_app(tmp_path, [("yx", "planner", YUNXI)])
    try:
        c = signed_in(app, "yx")
        for lang, said in (("zh", f"候选点“{name}”（{cid}）位于 竹山县"),
                           ("en", f"the candidate site {name} ({cid}) lies in Zhushan County")):
            r = c.post(f"/api/data/edits?lang={lang}", json={"action": "mark", "type": "day_care",
                                                              "candidate_id": cid, "mark": "required"})
            assert r.status_code == 403, r.get_json()
            assert said in r.get_json()["message"], r.get_json()["message"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
