"""QA sweep 20, the pages (part b): what a planner saw in the browser, each fixed with a test of the outcome.

One open-mode server for the module (tests/browser.py): the upgrade card of the welfare-home map, the
saved-proposal list and the compare page, the beds-per-1,000 layer, an upgrade proposal's page and the
township checklist. The test that makes a new data version runs last (it changes what "current" means).
"""
from __future__ import annotations

import re
from collections import Counter
from io import BytesIO

import pytest
from browser import browser, page, poll_js, proposal_id, server, wait_map  # noqa: F401  (fixtures)

from planner.i18n import t

FANG = "420325"
CJK = re.compile(r"[\u3400-\u9fff]")


def _saved(server, body) -> dict:
    r = server.app.test_client().post("/api/proposals?wait=120", json=body)
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]


@pytest.fixture(scope="module")
def upgrade(server):
    """One welfare home of Fang County upgraded: on the sample data it serves no one more (+0)."""
    return _saved(server, {"type": "welfare_home", "kind": "upgrade", "k": 1, "county": "420325"})


@pytest.fixture(scope="module")
def lscp(server):
    """Day-care centres by set covering: more than a thousand sites (1,337 on the sample data)."""
    p = _saved(server, {"type": "day_care", "model": "lscp"})
    assert len(p["sites"]) >= 1000, len(p["sites"])
    return p


def saved_rows(pg):
    poll_js(pg, "document.getElementById('saved').dataset.rows && document.getElementById('saved').dataset.rows !== 'error'")


# -- 1. the map's upgrade card names the counties in English on an English page -------------------------
def test_the_upgrade_answers_give_the_english_county_names(server):
    c = server.app.test_client()
    en = server.app.extensions["coverplan"]["service"].county_names("en")
    plan = c.get("/api/upgrades/welfare_home?k=5&lang=en").get_json()
    assert plan["sites"] and all(s["county_name_en"] == en[s["county_code"]] for s in plan["sites"])
    assert all(not CJK.search(s["county_name_en"]) for s in plan["sites"])
    assert all(r["name_en"] == en[r["county_code"]] for r in plan["by_county"])
    layer = c.get("/api/upgrades/welfare_home/layer?k=8&convert=1&lang=en").get_json()
    props = [f["properties"] for f in layer["features"]]
    assert props and all(p["county_name_en"] == en[p["county_code"]] for p in props)
    assert all(r["name_en"] == en[r["county_code"]] for r in layer["coverplan"]["by_county"])


@pytest.mark.browser
@pytest.mark.parametrize("k, convert", [("5", False), ("8", True)])
def test_the_upgrade_card_names_counties_in_english(page, k, convert):
    page.goto(page.base + "/map/welfare_home?lang=en")
    wait_map(page)
    page.fill("#upgrade-k", k)
    if convert:
        page.check("#upgrade-convert")
    page.click("#upgrade-run")
    poll_js(page, "document.getElementById('upgrade-card').dataset.ready === '1'", timeout=120)
    lines = page.evaluate("[...document.querySelectorAll('#upgrade-table tbody td:nth-child(2) .small')].map(d => d.textContent)")
    assert len(lines) == int(k)
    counties = [x.split(" · ")[0] for x in lines]
    assert all(not CJK.search(x) for x in counties), counties  # "竹溪县 · 向坝乡" on an English page
    en = set(page.app.extensions["coverplan"]["service"].county_names("en").values())
    assert set(counties) <= en, counties
    # the Chinese page keeps the Chinese names
    page.goto(page.base + "/map/welfare_home?lang=zh")
    wait_map(page)
    page.fill("#upgrade-k", k)
    page.click("#upgrade-run")
    poll_js(page, "document.getElementById('upgrade-card').dataset.ready === '1'", timeout=120)
    first = page.evaluate("document.querySelector('#upgrade-table tbody td:nth-child(2) .small').textContent")
    assert CJK.search(first.split(" · ")[0]), first


# -- 3. the beds layer is drawn in the legend's colours, in classes that tell the counties apart -------------
def _legend_class(labels_colours, value):
    """The legend colour of ``value`` from labels "≥ 40", "30–40", "< 5", "0"."""
    for label, colour in labels_colours:
        s = label.replace(",", "").strip()
        if s == "0":
            if value == 0:
                return colour
        elif s.startswith("≥"):
            if value >= float(s[1:]):
                return colour
        elif s.startswith("<"):
            if 0 < value < float(s[1:]):
                return colour
        else:
            lo, hi = (float(x) for x in s.split("–"))
            if lo <= value < hi:
                return colour
    raise AssertionError(f"no legend class for {value}: {labels_colours}")


INSIDE_JS = """() => {
  const o = window.coverplanMaps.map, m = o.map, box = m.getContainer().getBoundingClientRect();
  const inside = (pt, ring) => { let c = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i], b = ring[j];
      if ((a.y > pt.y) !== (b.y > pt.y) && pt.x < (b.x - a.x) * (pt.y - a.y) / (b.y - a.y) + a.x) c = !c; }
    return c; };
  return o.layers.beds.getLayers().map(l => {
    const rings = [];
    const walk = x => { if (x.length && x[0].lat !== undefined) rings.push(x.map(ll => m.latLngToContainerPoint(ll))); else x.forEach(walk); };
    walk(l.getLatLngs());
    const b = l.getBounds(), nw = m.latLngToContainerPoint(b.getNorthWest()), se = m.latLngToContainerPoint(b.getSouthEast());
    const pts = [];
    for (let x = Math.ceil(nw.x); x < se.x; x += 4) for (let y = Math.ceil(nw.y); y < se.y; y += 4) {
      const pt = L.point(x, y);
      if (x < 0 || y < 0 || x >= box.width || y >= box.height) continue;
      if (rings.filter(r => inside(pt, r)).length % 2 === 1) pts.push([x, y]);
    }
    return {name: l.feature.properties.name, value: l.feature.properties.ratio_per_1000, pts: pts};
  });
}"""

LEGEND_JS = """() => [...document.querySelectorAll('#map .legend .lg-grid')]
  .filter(g => g.offsetParent !== null && /每千名|Beds per/.test(g.previousElementSibling.textContent))
  .map(g => [...g.children].map(d => [d.querySelector('span').textContent, getComputedStyle(d.querySelector('i')).backgroundColor]))"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_beds_layer_is_drawn_in_its_legend_colours_and_tells_the_counties_apart(page, lang):
    from PIL import Image

    page.goto(page.base + f"/map/welfare_home?lang={lang}")
    wait_map(page)
    label = "每千名60岁以上老人床位" if lang == "zh" else "Beds per"
    page.locator(".leaflet-control-layers-overlays label", has_text=label).first.click()
    poll_js(page, "window.coverplanMaps.map.layers.beds.getLayers().length === 8")
    # the dots and markers above the fill off: what is left is the county fill as drawn
    page.evaluate("() => { const o = window.coverplanMaps.map; ['uncovered_units', 'facilities']"
                  ".forEach(k => o.layers[k] && o.map.removeLayer(o.layers[k])); }")
    page.wait_for_timeout(400)
    legends = page.evaluate(LEGEND_JS)
    assert len(legends) == 1, legends
    legend = [(lab, tuple(int(v) for v in re.findall(r"\d+", col)[:3])) for lab, col in legends[0]]
    counties = page.evaluate(INSIDE_JS)
    box = page.locator("#map").bounding_box()
    shot = Image.open(BytesIO(page.screenshot(clip=box))).convert("RGB")
    drawn = {}
    for c in counties:
        assert len(c["pts"]) > 20, c["name"]
        colours = Counter(shot.getpixel((x, y)) for x, y in c["pts"])
        drawn[c["name"]] = colours.most_common(1)[0][0]
        want = _legend_class(legend, c["value"])
        # the county's colour on the map is the legend's swatch for its figure (it was blended into brown)
        assert max(abs(a - b) for a, b in zip(drawn[c["name"]], want)) <= 3, (c["name"], c["value"], drawn[c["name"]], want)
    # the counties short of half the standard (3-20 per 1,000) are not one colour
    low = {drawn[c["name"]] for c in counties if c["value"] < 20}
    assert len(low) >= 3, (low, [(c["name"], c["value"]) for c in counties])


# -- 4 and 5. an upgrade proposal's page: the reasons fit, and a change of nothing is neutral ----------------
@pytest.mark.browser
def test_the_upgrade_reasons_wrap_inside_their_box_at_1366(page, upgrade):
    page.set_viewport_size({"width": 1366, "height": 900})
    for lang in ("en", "zh"):
        page.goto(page.base + f"/proposals/{upgrade['id']}?lang={lang}")
        box = page.evaluate("""() => { const t = document.getElementById('rationale'), w = t.closest('.table-wrap');
            const right = w.getBoundingClientRect().right;
            return {table: t.getBoundingClientRect().width, wrap: w.clientWidth, scroll: w.scrollWidth - w.clientWidth,
                    cut: [...t.querySelectorAll('td.reason')].filter(td => td.getBoundingClientRect().right > right + 0.5).length,
                    reason: Math.min(...[...t.querySelectorAll('td.reason')].map(td => td.getBoundingClientRect().width))}; }""")
        assert box["scroll"] <= 1 and box["table"] <= box["wrap"] + 0.5 and box["cut"] == 0, (lang, box)
        assert box["reason"] > 150, (lang, box)  # a readable column, not a sliver


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_change_of_nothing_is_not_in_the_worse_colour(page, upgrade, lang):
    page.goto(page.base + f"/proposals/{upgrade['id']}?lang={lang}")
    rows = page.evaluate("""[...document.querySelectorAll('#upgrade-before-after tbody tr')].map(r => {
        const c = r.querySelector('td:last-child');
        return {text: c.textContent.trim(), cls: c.className, colour: getComputedStyle(c).color,
                plain: getComputedStyle(r.querySelector('td:first-child')).color}; })""")
    zero = [r for r in rows if re.fullmatch(r"[+−-]?0(\.0)?( .*)?", r["text"])]
    assert zero, rows  # Served N → N: +0
    for r in zero:
        assert "delta-neg" not in r["cls"] and "delta-pos" not in r["cls"] and r["colour"] == r["plain"], r


def test_the_headline_calls_no_change_neither_better_nor_worse(server, upgrade):
    from web.proposals import headline
    with server.app.test_request_context():
        for lang in ("zh", "en"):
            _, numbers = headline(upgrade, lang)
            served = numbers[0]
            assert served["change"] == "+0" and served["good"] is None, served


# -- 6. an empty name is said plainly, as an error ---------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_name_is_said_plainly_in_red(page, proposal_id, lang):
    page.goto(page.base + f"/proposals/{proposal_id}?lang={lang}")
    before = server_name(page, proposal_id)
    for value in ("", "   "):
        page.fill("#e-name", value)
        page.click("#e-save")
        poll_js(page, "document.getElementById('e-status').textContent.length > 0", timeout=10)
        status = page.locator("#e-status")
        assert status.inner_text() == t("proposal_name_empty", lang)
        assert "name" not in status.inner_text().replace("The name", "")  # never the field's key
        colour = status.evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(192, 57, 43)", colour  # the error colour (--accent), not the grey of "saved"
        page.evaluate("document.getElementById('e-status').textContent = ''")
    # the name is unchanged, and a good save still reads "saved" in grey
    assert server_name(page, proposal_id) == before
    page.fill("#e-name", "QA20 新名字" if lang == "zh" else "QA20 new name")
    page.click("#e-save")
    poll_js(page, "document.getElementById('e-status').textContent.length > 0", timeout=10)
    assert page.locator("#e-status").inner_text().startswith(t("saved", lang))
    assert page.locator("#e-status").evaluate("e => getComputedStyle(e).color") != "rgb(192, 57, 43)"


def server_name(page, pid) -> str:
    return page.app.test_client().get(f"/api/proposals/{pid}").get_json()["name"]


# -- 7. counts with their separators on the list and the compare page ------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_thousand_sites_are_written_with_a_separator(page, lscp, lang):
    page.goto(page.base + f"/proposals?lang={lang}")
    saved_rows(page)
    cell = page.evaluate(f"""document.querySelector("#saved tr[data-id='{lscp['id']}'] td.num").firstChild.textContent""")
    assert cell == f"{len(lscp['sites']):,}", cell  # "1337" beside "+1,332 sites"
    mclp = page.app.test_client().post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": 5})
    b = mclp.get_json()["proposal"]["id"]
    page.goto(page.base + f"/proposals/compare?a={lscp['id']}&b={b}&lang={lang}")
    row = page.evaluate("""[...document.querySelectorAll('#diff tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()))
        .find(r => r[0] === '""" + t("n_sites", lang) + """')""")
    assert row[1] == f"{len(lscp['sites']):,}" and row[2] == "5", row
    numbers = page.evaluate("[...document.querySelectorAll('#diff tbody td.num')].map(c => c.textContent.trim())")
    assert not [x for x in numbers if re.fullmatch(r"\d{4,}", x)], numbers


# -- 8. the checklist's heading says 示意, and why -----------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_checklist_heading_has_the_illustrative_badge(page, lang):
    page.goto(page.base + f"/townships?lang={lang}")
    badge = page.locator("h1 .badge-approx")
    assert badge.count() == 1 and badge.is_visible()
    assert badge.inner_text() == t("illustrative", lang)
    assert badge.get_attribute("title")  # what is approximate or synthetic, on hover
    note = page.locator("#checklist-synthetic-note")
    assert note.is_visible() and t("checklist_illustrative_note", lang) in note.inner_text()
    text = note.inner_text()
    assert ("村（社区）" in text) if lang == "zh" else ("Villages" in text and not CJK.search(text))


# -- 2. the list says each proposal's scope and data version (kept last: it makes a data version) -----------------
@pytest.fixture(scope="module")
def versions(server, proposal_id):
    """A county proposal and a city one on data v0, then a new data version and a proposal on it."""
    c = server.app.test_client()
    fang = _saved(server, {"type": "elderly_complex", "model": "mclp", "p": 2, "county": FANG})
    old = server.app.extensions["coverplan"]["service"].version()
    # an edit of data both old proposals were solved on: a Fang County complex (QA 32: an edit of another type's
    # register, or of another county's complex for the county proposal, leaves a proposal current)
    row = next(x for x in c.get("/api/facilities?type=elderly_complex").get_json()["rows"]
               if str(x.get("county_code")) == FANG)
    r = c.post("/api/data/edits", json={"action": "update", "type": "elderly_complex", "id": row["id"],
                                        "fields": {"remark": "QA 20 版本"}})
    assert r.status_code == 200, r.get_json()
    new = _saved(server, {"type": "elderly_complex", "model": "mclp", "p": 3})
    return {"fang": fang["id"], "city_old": proposal_id, "city_new": new["id"], "old": old, "new": r.get_json()["version"]}


def test_the_list_answer_gives_scope_and_data_version(server, versions):
    rows = {r["id"]: r for r in server.app.test_client().get("/api/proposals?lang=en").get_json()}
    assert rows[versions["fang"]]["scope"] == {"county": FANG, "name": "Fang County"}
    assert rows[versions["city_old"]]["scope"] == {"county": None, "name": "Whole city"}
    assert rows[versions["city_old"]]["data_version"] == versions["old"] and rows[versions["city_old"]]["outdated"] is True
    assert rows[versions["city_new"]]["data_version"] == versions["new"] and rows[versions["city_new"]]["outdated"] is False


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_list_shows_scope_and_data_version_and_marks_older_data(page, versions, lang):
    page.goto(page.base + f"/proposals?lang={lang}")
    saved_rows(page)
    head = page.evaluate("[...document.querySelectorAll('#saved thead th')].map(th => th.textContent.trim())")
    assert t("list_scope_data", lang) in head, head

    def cell(pid):
        return page.evaluate(f"""(() => {{ const td = document.querySelector("#saved tr[data-id='{pid}'] td.scope-data");
            return td && {{text: td.innerText, outdated: !!td.querySelector('.outdated-tag'), version: td.dataset.version}}; }})()""")
    fang, old, new = cell(versions["fang"]), cell(versions["city_old"]), cell(versions["city_new"])
    assert fang and old and new
    county = "房县" if lang == "zh" else "Fang County"
    assert county in fang["text"] and t("scope_city", lang) in old["text"] and t("scope_city", lang) in new["text"]
    assert f"v{versions['old']}" in old["text"] and f"v{versions['new']}" in new["text"]
    assert old["outdated"] and fang["outdated"] and not new["outdated"]
    assert t("list_outdated", lang) in old["text"]
    if lang == "en":
        assert not CJK.search(fang["text"] + old["text"]), (fang, old)
    # still fits the card (a column more in a half-width card)
    for width in (1100, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        scroll = page.evaluate("(() => { const t = document.getElementById('saved'); return t.parentElement.scrollWidth - t.parentElement.clientWidth; })()")
        assert scroll <= 1, (width, scroll)
