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
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
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
        pg.wait_for_timeout(700)
        assert not any(pg.evaluate(CLEAR_JS)["under"])
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"qa8-map-{path.strip('/').split('?')[0].replace('/', '-') or 'overview'}"
                                           f"-{size[0]}-{lang}.png"))
    finally:
        ctx.close()
