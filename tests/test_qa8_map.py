"""QA sweep 8 (map): the region is fitted clear of the left-hand boxes too (the 示意 note over the
southern tip, the search box over the north-west), and the capacity legend is titled for its layer."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403

# every county-outline vertex that lies under a left-hand control, and the region's extent against
# the right-hand column
CLEAR_JS = """() => {
  const o = window.coverplanMaps.map, m = o.map, box = document.getElementById('map').getBoundingClientRect();
  const pts = [];
  o.layers.counties.eachLayer(l => l.getLatLngs().flat(3).forEach(p => pts.push(m.latLngToContainerPoint(p))));
  const rect = e => { const r = e.getBoundingClientRect();
    return {l: r.left - box.left, t: r.top - box.top, r: r.right - box.left, b: r.bottom - box.top}; };
  const blocks = [...document.querySelectorAll('#map .leaflet-left .leaflet-control')].map(rect);
  const under = blocks.map(k => pts.filter(p => p.x >= k.l && p.x <= k.r && p.y >= k.t && p.y <= k.b).length);
  const right = Math.min(...[...document.querySelectorAll('#map .leaflet-right > *')].map(e => rect(e).l));
  const xs = pts.map(p => p.x), ys = pts.map(p => p.y);
  return {under, notes: document.querySelectorAll('#map .leaflet-left .map-note').length, right,
          west: Math.min(...xs), east: Math.max(...xs), north: Math.min(...ys), south: Math.max(...ys),
          height: box.height, zoom: m.getZoom()};
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1100, 800)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("path", ["/map/day_care", "/map/welfare_home?mode=network", "/"])
def test_region_clear_of_the_note_and_the_controls(browser, server, path, size, lang):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", bypass_csp=True)
    pg = ctx.new_page()
    try:
        pg.goto(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
        poll_js(pg, "document.getElementById('map').dataset.ready === '1'")
        v = pg.evaluate(CLEAR_JS)
        assert v["notes"] == 1, v
        assert v["under"] and not any(v["under"]), v  # no outline under the note, scale, zoom, search, filter
        assert v["west"] >= 0 and v["east"] <= v["right"] and v["north"] >= 0 and v["south"] <= v["height"], v
        assert v["zoom"] >= 7.75, v  # still a city-sized map, not a postage stamp
        # the county filter's "whole city" frames the region the same way again
        pg.select_option("#map .map-county select", index=1)
        pg.select_option("#map .map-county select", "")  # at once: the county's zoom is still animating
        # settled: the county's move has ended and the region is framed again (a loaded CI machine
        # can take longer than any fixed pause; a fit that never comes fails on the timeout)
        poll_js(pg, "!window.coverplanMaps.map.map._animatingZoom && !window.coverplanMaps.map.countyMoving", 10)
        pg.wait_for_timeout(100)
        assert not any(pg.evaluate(CLEAR_JS)["under"]), pg.evaluate(CLEAR_JS)
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"qa8-map-{path.strip('/').split('?')[0].replace('/', '-') or 'overview'}"
                                           f"-{size[0]}-{lang}.png"))
    finally:
        ctx.close()


LEGEND_JS = """() => {
  const l = document.querySelector('#map .legend'), r = l.getBoundingClientRect();
  const list = document.querySelector('#map .leaflet-control-layers').getBoundingClientRect();
  const m = document.getElementById('map').getBoundingClientRect(), cap = l.querySelector('.lg-cap');
  // since QA 20 the beds layer has its own block (.lg-beds) beside the share of the standard (.lg-ratio)
  const block = sel => { const b = cap.querySelector(sel); return cap.hidden || b.hidden ? null : b; };
  const beds = block('.lg-beds'), ratio = block('.lg-ratio');
  return {title: beds ? beds.querySelector('.lg-title').textContent : null,
          labels: beds ? [...beds.querySelectorAll('.lg-grid span')].map(s => s.textContent) : [],
          ratio_title: ratio ? ratio.querySelector('.lg-title').textContent : null,
          ratio_labels: ratio ? [...ratio.querySelectorAll('.lg-grid span')].map(s => s.textContent) : [],
          scroll: l.scrollHeight - l.clientHeight, top: r.top - list.bottom, bottom: m.bottom - r.bottom};
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_supply_legend_is_titled_for_its_layer_and_fits(browser, server, lang):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", bypass_csp=True)
    pg = ctx.new_page()
    try:
        pg.goto(f"{server}/map/welfare_home?lang={lang}")
        poll_js(pg, "document.getElementById('map').dataset.ready === '1'")
        pg.click("#map .lg-toggle")  # folded at 1366 px: open it
        beds = "每千名60岁以上老人床位" if lang == "zh" else "Beds per"
        pg.locator(".leaflet-control-layers-overlays label", has_text=beds).first.click()
        poll_js(pg, "window.coverplanMaps.map.layers.beds.getLayers().length === 8")
        v = pg.evaluate(LEGEND_JS)
        assert v["title"] == ("每千名60岁以上老人床位（标准 40 张）" if lang == "zh"
                              else "Beds per 1,000 aged 60+ (standard: 40)"), v
        assert v["labels"] == ["≥ 40", "30–40", "20–30", "15–20", "10–15", "5–10", "< 5", "0"], v
        # the whole open legend shows: nothing to scroll, under the layer list, inside the map
        assert v["scroll"] <= 1 and v["top"] >= 0 and v["bottom"] >= 0, v
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"qa8-legend-beds-{lang}.png"))
        cap = "供需" if lang == "zh" else "Capacity"
        pg.locator(".leaflet-control-layers-overlays label", has_text=cap).first.click()
        poll_js(pg, "window.coverplanMaps.map.layers.capacity.getLayers().length === 129")
        # capacity on switches beds off (both fill the area; the one on top hid the other, QA 20): its legend alone
        poll_js(pg, "!window.coverplanMaps.map.map.hasLayer(window.coverplanMaps.map.layers.beds)")
        v = pg.evaluate(LEGEND_JS)
        assert v["title"] is None and not pg.evaluate("window.coverplanMaps.map.map.hasLayer("
                                                      "window.coverplanMaps.map.layers.beds)"), v
        assert v["ratio_title"] == ("容量/按标准应有" if lang == "zh" else "Capacity ÷ required by the standard"), v
        assert v["ratio_labels"][0] == "≥ 100%" and v["scroll"] <= 1, v
        layer_list = pg.locator(".leaflet-control-layers-overlays label", has_text=beds).first
        assert not layer_list.locator("input").is_checked()  # the layer list says so too
        pg.locator(".leaflet-control-layers-overlays label", has_text="Accessibility" if lang == "en" else "可达性").first.click()
        v = pg.evaluate(LEGEND_JS)  # accessibility (points) beside capacity: one share-of-standard block for both
        assert v["ratio_title"] == ("占标准的比例（各已开图层）" if lang == "zh" else "Share of the standard (layers on)"), v
        assert v["scroll"] <= 1, v
        pg.locator(".leaflet-control-layers-overlays label", has_text="Accessibility" if lang == "en" else "可达性").first.click()
        pg.locator(".leaflet-control-layers-overlays label", has_text=cap).first.click()
        v = pg.evaluate(LEGEND_JS)
        assert v["title"] is None and v["ratio_title"] is None
        # and the other way round: capacity on, then beds on, leaves beds alone
        pg.locator(".leaflet-control-layers-overlays label", has_text=cap).first.click()
        pg.locator(".leaflet-control-layers-overlays label", has_text=beds).first.click()
        poll_js(pg, "!window.coverplanMaps.map.map.hasLayer(window.coverplanMaps.map.layers.capacity)")
        assert pg.evaluate(LEGEND_JS)["ratio_title"] is None
        assert not pg.locator(".leaflet-control-layers-overlays label", has_text=cap).first.locator("input").is_checked()
    finally:
        ctx.close()


# -- 3. the county chart's downloads say their travel mode (title and file name) --

@pytest.fixture()
def town_client(tmp_path, monkeypatch):
    """A server given the tiny test town's road graph (as test_web_network_map)."""
    import sys
    from pathlib import Path

    from geo import settings
    from web.app import create_app
    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")
    sys.path.insert(0, str(Path(__file__).parent))
    from osm_fixtures import write_town
    write_town(tmp_path / "town.osm")
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "GRAPH": str(tmp_path / "town.osm")})
    yield app.test_client()
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_county_chart_download_names_its_travel_mode(town_client, lang):
    c = town_client
    road = "（路网）" if lang == "zh" else " (road network)"
    for fmt in ("svg", "png"):
        est = c.get(f"/charts/coverage_by_county/cemetery.{fmt}?lang={lang}")
        net = c.get(f"/charts/coverage_by_county/cemetery.{fmt}?lang={lang}&mode=network")
        assert est.status_code == net.status_code == 200
        assert est.headers["Content-Disposition"] == f'inline; filename="coverage_by_county_cemetery.{fmt}"'
        assert net.headers["Content-Disposition"] == f'inline; filename="coverage_by_county_cemetery_network.{fmt}"'
        if fmt == "svg":  # text stays text in the SVG: the title is readable in it (English without a CJK font)
            from web.charts import chart_lang
            drawn = "（路网）" if chart_lang(lang) == "zh" else " (road network)"
            assert drawn in net.get_data(as_text=True) and drawn not in est.get_data(as_text=True)
        assert est.get_data() != net.get_data()
    # the page's own chart (JSON) has the same title
    assert c.get(f"/api/charts/coverage_by_county/cemetery?lang={lang}&mode=network").get_json()["title"].endswith(road)
    assert not c.get(f"/api/charts/coverage_by_county/cemetery?lang={lang}").get_json()["title"].endswith(road)
    assert c.get(f"/charts/coverage_by_county/cemetery.svg?lang={lang}&mode=roads").status_code == 400


# -- 5. a body refused as JSON: what is wrong and where, not "finite numbers, 32 levels" --

@pytest.fixture(scope="module")
def api_client(tmp_path_factory):
    from web.app import create_app
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa8json") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    yield app.test_client()
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("path", ["/api/proposals", "/api/data/edits"])
@pytest.mark.parametrize("body, zh, en", [
    (b'{"type": "day_care", "name": "a\x01b"}', "第 1 行第 32 列（第 32 个字符）的字符串中含控制字符 U+0001",
     "a control character (U+0001) inside a string at character 32 (line 1, column 32)"),
    (b'{"type":\n "a\tb"}', "第 2 行第 4 列（第 13 个字符）的字符串中含控制字符 U+0009",
     "(U+0009) inside a string at character 13 (line 2, column 4)"),
    (b'{"type": "day_care"', "第 1 行第 20 列（第 20 个字符）：此处应为逗号", "Expecting ',' delimiter at character 20"),
    (b'{"p": NaN}', "NaN 不是有限数", "NaN is not a JSON number: numbers must be finite"),
    (b'{"p": 1e999}', "1e999 不是有限数", "1e999 is out of range"),
    (b"[" * 40 + b"]" * 40, "嵌套超过 32 层", "nested deeper than 32 levels"),
])
def test_bad_json_body_says_what_and_where(api_client, path, body, zh, en):
    for lang, words in (("zh", zh), ("en", en)):
        r = api_client.post(f"{path}?lang={lang}", data=body, content_type="application/json")
        assert r.status_code == 400
        msg = r.get_json()["message"]
        assert words in msg and ("请求内容不是有效的 JSON" if lang == "zh" else "The request body is not valid JSON") in msg, msg
        if b"\x01" in body or b"\t" in body:  # not the old words about numbers and nesting
            assert "有限数" not in msg and "finite" not in msg, msg
