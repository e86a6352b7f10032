"""Page layout at common desktop window sizes, in real Chromium (zh and en).

At 1100 x 800 and 1400 x 900, on the overview, /proposals, /data and a coverage map: no page
scrolls sideways (wide tables may scroll inside their own box), the language switch stays on
the brand's line of the header, every layer toggle of the map can be clicked (the legend does
not cover it), and the proposals filters keep each label beside its list. The travel-cost
chart of a proposal, drawn with close urban and rural standards, never overlaps their labels.
One browser context per window size and language.
"""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from browser import *  # noqa: F401,F403  (server, browser fixtures; poll_js)
from browser import ARTIFACTS

pytestmark = pytest.mark.browser

SIZES = [(1100, 800), (1400, 900)]
LANGS = ["zh", "en"]
MAP = "/map/elderly_complex"
# page: a JS expression that is true once the page's data has been drawn
PAGES = {
    "/": "!!document.getElementById('citywide-table') && !!document.getElementById('targets-table')",
    "/proposals": "!!document.getElementById('saved').dataset.rows",
    "/data": "document.getElementById('versions').dataset.ready === '1'",
    MAP: "document.getElementById('map').dataset.ready === '1'",
}

LAYOUT_JS = """() => {
  const box = el => el.getBoundingClientRect();
  const out = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
  const lang = box(document.getElementById('lang-switch')), brand = box(document.querySelector('header.top .brand'));
  const mid = (lang.top + lang.bottom) / 2;
  out.langOnBrandLine = mid > brand.top && mid < brand.bottom;
  out.lang = [lang.left, lang.top, lang.right, lang.bottom].map(Math.round);
  out.brand = [brand.left, brand.top, brand.right, brand.bottom].map(Math.round);
  // what sticks out on the right, when the page scrolls sideways
  out.wide = out.scrollWidth > out.innerWidth ? [...document.querySelectorAll('body *')]
    .filter(e => box(e).right > out.innerWidth + 1 && !e.closest('.leaflet-container'))
    .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + Math.round(box(e).right)) : [];
  return out;
}"""

RECT_JS = "q => { const r = document.querySelector(q).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"

# each layer toggle: scrolled into view (the layer list may scroll), then what is under its centre
TOGGLES_JS = """() => [...document.querySelectorAll('#map .leaflet-control-layers-selector')].map(cb => {
  cb.scrollIntoView({block: 'nearest'});
  const r = cb.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
  const hit = document.elementFromPoint(x, y);
  const label = cb.closest('label').textContent.trim();
  const ok = r.width > 0 && (hit === cb || (hit && hit.closest('label') === cb.closest('label')));
  return {label, ok, hit: hit ? hit.tagName.toLowerCase() + '.' + String(hit.className).split(' ')[0] : null};
})"""

# The travel-cost chart of a proposal (CPCharts.costs, web/static/charts.js) drawn from made-up
# data whose urban and rural standards are close, in a box as narrow as the proposal page's side
# column and in a wide one: the two standard labels must not overlap, nor leave the chart.
LABELS = {"zh": ["城镇服务标准", "农村服务标准"], "en": ["Urban standard", "Rural standard"]}
CHART_JS = """([labels, width, values]) => {
  const el = document.createElement('div');
  el.className = 'chart'; el.style.width = width + 'px';
  document.querySelector('main').appendChild(el);
  const edges = [...Array(25).keys()].map(i => 5 * i);
  CPCharts.costs(el, {edges, before: edges.slice(1).map(v => 1000 + 30 * v), after: edges.slice(1).map(v => 900 + 20 * v),
    series: [{key: 'before', label: 'B', color: '#d7191c'}, {key: 'after', label: 'A', color: '#2b83ba'}],
    standards: values.map((v, i) => ({value: v, label: labels[i]})), x_label: 'x', y_label: 'y', title: 't'});
  const svgW = el.querySelector('svg').viewBox.baseVal.width;
  const ts = [...el.querySelectorAll('svg text.standard-label')].map(t => {
    const b = t.getBBox(); return {s: t.textContent, x0: b.x, x1: b.x + b.width, y0: b.y, y1: b.y + b.height};
  });
  const r = v => [v.x0, v.y0, v.x1, v.y1].map(Math.round);
  const clash = [];
  ts.forEach((a, i) => ts.slice(i + 1).forEach(b => {
    if (a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5)
      clash.push(`${a.s} [${r(a)}] over ${b.s} [${r(b)}]`);
  }));
  ts.forEach(t => { if (t.x0 < 0 || t.x1 > svgW) clash.push(`${t.s} [${r(t)}] outside the chart`); });
  const n = ts.length, lines = el.querySelectorAll('svg line.standard').length;
  el.remove();
  return {n, lines, clash};
}"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_layout_at_desktop_sizes(browser, server, size, lang):
    width, height = size
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", bypass_csp=True)
    pg = ctx.new_page()
    requests, errors, problems = [], [], []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(30_000)
    try:
        for path, ready in PAGES.items():
            pg.goto(f"{server}{path}?lang={lang}")
            poll_js(pg, ready)
            m = pg.evaluate(LAYOUT_JS)
            if m["scrollWidth"] > m["innerWidth"]:
                problems.append(f"{path}: scrolls sideways, scrollWidth {m['scrollWidth']} > {m['innerWidth']} {m['wide']}")
            if not m["langOnBrandLine"]:
                problems.append(f"{path}: language switch {m['lang']} not on the brand's line {m['brand']}")
            if path == "/":  # charts.js is loaded here
                for chart_width in (300, 1000):
                    for values in ([15, 18], [15, 16], [15, 30]):
                        c = pg.evaluate(CHART_JS, [LABELS[lang], chart_width, values])
                        where = f"cost chart, standards {values}, {chart_width} px wide"
                        if not c["n"] == c["lines"] == 2:
                            problems.append(f"{where}: {c['lines']} standard lines, {c['n']} labels (text.standard-label)")
                        problems += [f"{where}: {x}" for x in c["clash"]]
            if path == "/proposals":
                # each filter's label sits on the line of its list, just before it
                for sel in ("f-county", "f-ptype"):
                    lab, box = (pg.evaluate(RECT_JS, q) for q in (f"label[for={sel}]", f"#{sel}"))
                    same_line = lab[1] < box[3] and box[1] < lab[3]
                    if not (same_line and 0 <= box[0] - lab[2] < 40):
                        problems.append(f"/proposals: label of #{sel} {lab} apart from its list {box}")
            if path == MAP:
                for t in pg.evaluate(TOGGLES_JS):
                    if not t["ok"]:
                        problems.append(f"{path}: layer toggle '{t['label']}' covered by {t['hit']}")
                ARTIFACTS.mkdir(exist_ok=True)
                pg.screenshot(path=str(ARTIFACTS / f"layout-map-{width}-{lang}.png"))
    finally:
        ctx.close()
    assert problems == [], "\n".join(problems)
    assert errors == [], f"JavaScript errors: {errors}"
    hosts = {urlparse(u).hostname for u in requests if not u.startswith(("data:", "blob:", "about:"))}
    assert hosts == {"127.0.0.1"}, f"requests left the local server: {sorted(hosts)}"
