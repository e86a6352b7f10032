"""QA 31: names from the data stay text in the offline HTML maps (planner.mapexport: `coverplan map`, the web's
``/map/<type>/export.html`` and ``/proposals/<id>/export.html``).

folium writes a tooltip's text into a JavaScript template literal (bindTooltip(`...`)), and html.escape leaves
``${...}`` and the backtick alone: a facility renamed "${alert(document.title)}综合体" opened an alert in every
downloaded map, and one named "a`;x;`福利院" broke the map's script (a blank map). Facility, township, county,
proposal and site names, addresses, source files and reasons are drawn here in a real browser: no dialog opens,
no script error, the markers are drawn and their tooltips and popups show the names as typed.
"""
from __future__ import annotations

import dataclasses
import re

import geopandas as gpd
import pytest

from browser import browser  # noqa: F401 (the fixture)

TYPE = "elderly_complex"
#: Each carries "QA31" (found by it in the page) and one way to break out of a template literal, a JS string
#: or the HTML: ${...} runs, ` ends the literal, a trailing \ escapes the closing `, </script> ends the block.
EVIL = ["${alert(1)}QA31a", "a`;x;`QA31b", "</script><script>alert(2)</script>QA31c", "QA31d\\",
        "QA31e\\u{zz}'\"<img src=x onerror=alert(3)>"]
TOWN = "`${alert(5)}`QA31t镇"
COUNTY = "${alert(6)}QA31k县"
ADDRESS = "${alert(7)}QA31addr`"
SOURCE = "x${alert(8)}`QA31.xlsx"
PROPOSAL = "方案${alert(document.title)}`QA31p"
SITES = ["${alert(9)}QA31s1", "b`;y;`QA31s2", "</script>QA31s3\\"]


@pytest.fixture(scope="module")
def region(shiyan):
    """A copy of the region (its frames copied, the loaded region untouched) whose first elderly complexes,
    one township and its county carry the names above."""
    fac = shiyan.facilities.copy()
    ids = fac.index[fac["facility_type"] == TYPE][:len(EVIL)]
    fac.loc[ids, "name"] = EVIL
    fac["address"] = None
    fac.loc[ids[0], "address"] = ADDRESS
    fac["source_file"] = None
    fac.loc[ids[1], ["synthetic", "source_file"]] = [False, SOURCE]
    towns = shiyan.townships.copy()
    counties = shiyan.counties.copy()
    town = fac.at[ids[0], "township_code"]
    towns.loc[town, "name"] = TOWN
    counties.loc[counties["code"].astype(str) == str(fac.at[ids[0], "county_code"]), "name"] = COUNTY
    out = dataclasses.replace(shiyan, facilities=fac, townships=towns, counties=counties)
    out.evil_town = town
    return out


@pytest.fixture(scope="module")
def pages(region):
    """The coverage map and a proposal's map (three sites with the names above) of ``region``, rendered."""
    from planner.coverage import analyse_coverage
    from planner.mapexport import coverage_map, proposal_map, standalone_html

    cov = analyse_coverage(region, TYPE)
    v = region.villages
    picked = v[v["county_code"].astype(str) == str(region.townships.at[region.evil_town, "county_code"])].iloc[:3]
    sites = gpd.GeoDataFrame({
        "id": [f"s{i}" for i in range(3)], "name": SITES, "priority": [1, 2, 3],
        "township_code": picked["township_code"].values, "county_code": picked["county_code"].values,
        "township_name": [TOWN] * 3, "reason_zh": ["理由${alert(10)}`QA31r"] * 3,
        "added_weight": [10.0, 20.0, 30.0], "added_units": [1, 2, 3],
        "nearest_existing_name": [EVIL[1]] * 3, "nearest_existing_cost": [5.0] * 3,
    }, geometry=picked.geometry.values, crs=v.crs)
    after = analyse_coverage(region, TYPE, extra_sites=sites)
    return {
        "coverage": standalone_html(coverage_map(region, cov, lang="zh"), title=TOWN),
        "proposal": standalone_html(proposal_map(region, after, sites, name=PROPOSAL, before=cov.summary,
                                                 model="mclp", lang="zh"), title=PROPOSAL),
    }


FIND_MAP = ("() => { for (const k of Object.keys(window)) "
            "{ try { if (window[k] instanceof L.Map) return k; } catch (e) {} } }")

#: Every marker whose tooltip names a QA31 thing: its tooltip's and popup's text as the page shows them.
SHOWN = """name => { const m = window[name], out = [];
    m.eachLayer(l => {
        const t = l.getTooltip && l.getTooltip();
        if (!t || !l.getLatLng || !String(t.getContent()).includes('QA31')) return;
        l.openTooltip(); const tip = l.getTooltip().getElement().innerText; l.closeTooltip();
        l.openPopup();
        const pop = l.getPopup().getElement().querySelector('.leaflet-popup-content').innerText; m.closePopup();
        out.push({tip: tip, pop: pop, on: m.hasLayer(l)});
    });
    return out; }"""

#: The township's tooltip and popup (bound on its GeoJson layer, by function), opened on the township's polygon.
TOWN_SHOWN = """([name, code]) => { const m = window[name]; let r = null;
    m.eachLayer(g => {
        if (r || !g.getLayers || !g.getTooltip || !g.getTooltip()) return;
        const l = g.getLayers().find(x => x.feature && x.feature.properties.code === code);
        if (!l) return;
        const at = {latlng: l.getCenter()};  // as a pointer over it and a click on it (the group binds them)
        l.fire('mouseover', at, true); const tip = g.getTooltip().getElement().innerText; g.closeTooltip();
        l.fire('click', at, true);
        const pop = g.getPopup().getElement().querySelector('.leaflet-popup-content').innerText;
        m.closePopup(); r = {tip: tip, pop: pop};
    });
    return r; }"""


def _open(browser, page_html):  # noqa: F811
    """The page opened with every dialog and script error recorded, nothing fetched from elsewhere."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 800})
    pg = ctx.new_page()
    pg.dialogs, pg.errors, pg.asked = [], [], []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def route(r):
        pg.asked.append(r.request.url)
        r.abort()
    pg.route("**/*", route)
    pg.set_content(page_html, wait_until="load")
    pg.wait_for_timeout(200)
    pg.map_name = pg.evaluate(FIND_MAP)
    return ctx, pg


def _clean(pg):
    assert pg.dialogs == [], f"a name ran as script: {pg.dialogs}"
    assert pg.errors == [], f"the map's script broke: {pg.errors}"
    assert pg.map_name, "no map was made"
    assert not pg.asked, pg.asked


def test_the_facility_and_place_names_of_a_coverage_map_stay_text(browser, pages, region):  # noqa: F811
    ctx, pg = _open(browser, pages["coverage"])
    try:
        _clean(pg)
        shown = pg.evaluate(SHOWN, pg.map_name)
        assert len(shown) == len(EVIL) and all(s["on"] for s in shown), shown  # every marker drawn
        tips = sorted(s["tip"].strip() for s in shown)
        assert tips == sorted(EVIL), tips  # the hover shows each name as typed
        for s in shown:
            assert s["pop"].startswith(s["tip"].strip()), s  # and so does the popup's heading
        pops = "\n".join(s["pop"] for s in shown)
        assert ADDRESS in pops and SOURCE in pops and COUNTY in pops and TOWN in pops, pops
        town = pg.evaluate(TOWN_SHOWN, [pg.map_name, region.evil_town])
        assert town and town["tip"].startswith(TOWN + " · "), town
        assert town["pop"].startswith(TOWN) and COUNTY in town["pop"], town
        assert pg.title() == TOWN
        # a real hover on the first name's marker opens its tooltip with the name
        pt = pg.evaluate("""name => { const m = window[name]; let r;
            m.eachLayer(l => { const t = l.getTooltip && l.getTooltip();
                if (!r && t && l.getLatLng && String(t.getContent()).includes('QA31a')) r = l.getLatLng(); });
            m.setView(r, 14, {animate: false}); const p = m.latLngToContainerPoint(r);
            const b = m.getContainer().getBoundingClientRect(); return [b.left + p.x, b.top + p.y]; }""",
                         pg.map_name)
        pg.wait_for_timeout(200)
        pg.mouse.move(*pt)
        pg.wait_for_timeout(200)
        shown = pg.eval_on_selector_all(".leaflet-tooltip", "els => els.map(e => e.innerText.trim())")
        assert EVIL[0] in shown, shown
        _clean(pg)
    finally:
        ctx.close()


def test_the_names_of_a_proposal_map_stay_text(browser, pages):  # noqa: F811
    ctx, pg = _open(browser, pages["proposal"])
    try:
        _clean(pg)
        assert pg.eval_on_selector_all(".cp-site", "els => els.length") >= 3  # the numbered sites drawn
        shown = pg.evaluate(SHOWN, pg.map_name)
        tips = [s["tip"].strip() for s in shown]
        for i, name in enumerate(SITES, 1):
            assert f"#{i} {name}" in tips, tips
        site = next(s for s in shown if s["tip"].strip() == f"#1 {SITES[0]}")
        assert "理由${alert(10)}`QA31r" in site["pop"] and TOWN in site["pop"] and EVIL[1] in site["pop"], site
        assert PROPOSAL in pg.inner_text("#cp-title h1")
        assert pg.title() == PROPOSAL
        _clean(pg)
    finally:
        ctx.close()


def test_no_name_reaches_a_template_literal(pages):
    """What the browser test sees, in the file: the data's text is in the scripts only inside JSON strings
    (folium's template literals gone). The title block and <title> are HTML, escaped as HTML."""
    for page in pages.values():
        assert not re.search(r"bindTooltip\(\s*`", page), "a tooltip in a template literal"
        ours = [x for x in re.findall(r"<script[^>]*>(.*?)</script>", page, re.S) if "QA31" in x]
        assert ours
        for script in ours:
            bare = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', script)  # every JSON string emptied
            assert "QA31" not in bare, bare[max(0, bare.find("QA31") - 200):bare.find("QA31") + 100]
        assert page.count("<script") == page.count("</script>")  # no block ended early or begun by a name


# -- the web: a planner's rename and a planner-added site reach both downloads -------------------------------
@pytest.fixture(scope="module")
def web_pages(tmp_path_factory, shiyan):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa31f1") / "p.sqlite"), "TESTING": True,
                      "WARM": False, "CSRF_ENABLED": False})
    try:
        c = app.test_client()
        fid = c.get(f"/api/facilities?type={TYPE}").get_json()["rows"][0]["id"]
        r = c.post("/api/data/edits", json={"action": "rename", "type": TYPE, "id": fid,
                                            "name": "${alert(document.title)}QA31综合体"})
        assert r.status_code == 200, r.get_json()
        pt = shiyan.townships.iloc[40].geometry.representative_point()
        r = c.post("/api/data/edits", json={"action": "add_site", "type": TYPE, "name": "a`;x;`QA31福利院",
                                            "lon": pt.x, "lat": pt.y, "note": "${alert(11)}`"})
        assert r.status_code == 200, r.get_json()
        sid = r.get_json()["id"]
        r = c.post("/api/data/edits", json={"action": "mark", "type": TYPE, "candidate_id": sid, "mark": "required"})
        assert r.status_code == 200, r.get_json()
        r = c.post("/api/proposals?wait=120", json={"type": TYPE, "model": "mclp", "p": 1})
        assert r.status_code == 201, r.get_data(as_text=True)[:300]
        pid = r.get_json()["proposal"]["id"]
        site = c.get(f"/api/proposals/{pid}").get_json()["sites"][0]
        assert site["candidate_id"] == sid
        out = {"site": site}
        for key, url in (("map", f"/map/{TYPE}/export.html?lang=zh"), ("proposal", f"/proposals/{pid}/export.html")):
            r = c.get(url)
            assert r.status_code == 200
            out[key] = r.get_data(as_text=True)
        return out
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_renamed_facility_and_a_planners_site_stay_text_in_the_webs_downloads(browser, web_pages):  # noqa: F811
    for key in ("map", "proposal"):
        ctx, pg = _open(browser, web_pages[key])
        try:
            _clean(pg)
            tips = [s["tip"].strip() for s in pg.evaluate(SHOWN, pg.map_name)]
            assert "${alert(document.title)}QA31综合体" in tips, (key, tips)
            if key == "proposal":  # the site keeps the planner's name, as text
                name = web_pages["site"]["name"]
                assert f"#1 {name}" in tips and "a`;x;`QA31福利院" in name, (tips, name)
            _clean(pg)
        finally:
            ctx.close()
