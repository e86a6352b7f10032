"""QA sweep 7 (pages): the overview's bed table shows the API's figures, the map's controls leave the
region visible, the capacity legend follows its layer."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403


def _num(s: str) -> int:
    return int(s.replace(",", "").strip())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_bed_table_matches_api_and_adds_up(page, lang):
    api = page.request.get(page.base + "/api/capacity").json()
    page.goto(page.base + f"/?lang={lang}")
    page.wait_for_selector("#beds-table tbody tr")
    rows = page.eval_on_selector_all("#beds-table tbody tr",
                                     "rows => rows.map(r => [...r.children].map(c => c.textContent))")
    assert len(rows) == 9
    *counties, city = rows
    # have, needed, shortfall (columns 1, 2, 5): the API's whole figures, the citywide row their sum
    for row, c in zip(counties, api["by_county"]):
        assert [_num(row[1]), _num(row[2]), _num(row[5])] == [c["supply_whole"], c["required_whole"],
                                                              c["shortfall_whole"]]
    for col in (1, 2):
        assert sum(_num(r[col]) for r in counties) == _num(city[col])
    assert _num(city[2]) == api["citywide"]["required_whole"] == 24424
    assert _num(city[5]) == api["citywide"]["shortfall_whole"] == 15064 == _num(city[2]) - _num(city[1])


# -- 6. the compare page: one minus sign (U+2212) for every negative delta --

@pytest.fixture(scope="module")
def cmp_pair(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa7cmp") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    c = app.test_client()
    ids = []
    for p in (2, 60):   # far enough apart that the shown travel costs differ too (deltas come from them)
        r = c.post("/api/proposals?wait=120", json={"type": "day_care", "p": p})
        assert r.status_code == 201, r.data[:300]
        ids.append(r.get_json()["proposal"]["id"])
    yield c, ids
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_deltas_use_one_minus_sign(cmp_pair, lang):
    import re
    c, (two, four) = cmp_pair
    deltas = []
    for a, b in ((two, four), (four, two)):  # both ways round: each delta is negative once
        html = c.get(f"/proposals/compare?a={a}&b={b}&lang={lang}").get_data(as_text=True)
        deltas += re.findall(r'<td class="num">([^<]*)</td></tr>', html.split("<table", 2)[1])
    deltas = [d for d in deltas if d and d != "–"]
    assert deltas and not [d for d in deltas if re.match(r"^-", d)], deltas  # no hyphen-minus
    negative = [d for d in deltas if d.startswith("−")]
    assert any(("个百分点" if lang == "zh" else " pt") in d for d in negative), deltas
    assert any(u in d for d in negative for u in (("米", "公里", "分钟") if lang == "zh" else ("m", "km", "min"))), deltas
    assert any(d.startswith("+") for d in deltas)



# -- 7. the map's controls leave the region visible; the capacity legend follows its layer --

VISIBLE_JS = """() => {
  const o = window.coverplanMaps.map, b = o.layers.counties.getBounds(), m = o.map;
  const box = document.getElementById('map').getBoundingClientRect();
  const ne = m.latLngToContainerPoint(b.getNorthEast()), sw = m.latLngToContainerPoint(b.getSouthWest());
  const right = [...document.querySelectorAll('#map .leaflet-right > *')].map(e => e.getBoundingClientRect().left - box.left);
  return {east: ne.x, west: sw.x, width: box.width, controlsLeft: Math.min(...right)};
}"""
CAP_JS = "() => { const c = document.querySelector('#map .legend .lg-cap'); return c && !c.hidden && c.offsetHeight > 0; }"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1100, 800)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_controls_leave_the_region_visible(browser, server, size, lang):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", bypass_csp=True)
    pg = ctx.new_page()
    try:
        pg.goto(f"{server}/map/day_care?lang={lang}")
        poll_js(pg, "document.getElementById('map').dataset.ready === '1'")
        v = pg.evaluate(VISIBLE_JS)
        # the whole region lies left of the layer list and the (folded) legend
        assert v["west"] >= 0 and v["east"] <= v["controlsLeft"], v
        assert pg.get_attribute("#map .lg-toggle", "aria-expanded") == "false"
        assert not pg.is_visible("#map .legend .lg-body")
        pg.click("#map .lg-toggle")  # unfolds on a click, folds again on the next
        assert pg.is_visible("#map .legend .lg-body") and pg.get_attribute("#map .lg-toggle", "aria-expanded") == "true"
        pg.click("#map .lg-toggle")
        assert not pg.is_visible("#map .legend .lg-body")
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"qa7-map-{size[0]}-{lang}.png"))
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_capacity_legend_shows_only_while_its_layer_is_on(page, lang):
    page.goto(page.base + f"/map/welfare_home?lang={lang}")
    wait_map(page)
    assert page.get_attribute("#map .lg-toggle", "aria-expanded") == "true"  # 1440 px wide: open
    legend = page.inner_text("#map .legend")
    assert "≥ 100%" not in legend and not page.evaluate(CAP_JS)  # capacity layers start off
    label = "供需" if lang == "zh" else "Capacity"
    page.locator(".leaflet-control-layers-overlays label", has_text=label).first.click()
    poll_js(page, "window.coverplanMaps.map.layers.capacity.getLayers().length === 129")
    assert page.evaluate(CAP_JS) and "≥ 100%" in page.inner_text("#map .legend")
    page.locator(".leaflet-control-layers-overlays label", has_text=label).first.click()  # off again
    assert not page.evaluate(CAP_JS) and "≥ 100%" not in page.inner_text("#map .legend")
    # switched off from code (not the layer list) too; and beds / accessibility count as well
    page.evaluate("() => { const o = window.coverplanMaps.map; o.map.addLayer(o.layers.beds); }")
    assert page.evaluate(CAP_JS)
    page.evaluate("() => { const o = window.coverplanMaps.map; o.map.removeLayer(o.layers.beds); }")
    assert not page.evaluate(CAP_JS)
