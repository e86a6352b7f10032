"""The web app in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The app runs on waitress in a background thread on a free port; every request
the browser makes is recorded and must go to that local server only (planners
work offline). Screenshots land in test-artifacts/ for people to look at.
"""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures; wait_map, layer_count)

pytestmark = pytest.mark.browser

def test_overview_region_map(page):
    page.goto(page.base + "/?lang=zh")
    wait_map(page)
    assert layer_count(page, "townships") == 129
    assert layer_count(page, "counties") == 8
    assert "示意" in page.locator(".map-note").inner_text()
    page.wait_for_selector("#targets-table")
    page.wait_for_selector("#citywide-table")
    assert page.locator("#citywide-table tbody tr").count() >= 4
    page.wait_for_selector("#county-chart-box[data-ready='1'] svg")
    names = page.eval_on_selector_all("#county-chart-box svg text.county-name", "els => els.map(e => e.textContent)")
    assert len(names) == 8 and "丹江口市" in names


def test_coverage_map_layers(page, shiyan):
    n_fac = int((shiyan.facilities["facility_type"] == "elderly_complex").sum())
    page.goto(page.base + "/map/elderly_complex?lang=zh")
    wait_map(page)
    assert layer_count(page, "townships") == 129
    assert layer_count(page, "facilities") == n_fac
    uncovered = page.evaluate("window.coverplanMaps.map.data.summary.uncovered_units")
    assert layer_count(page, "uncovered_units") == uncovered > 0
    legend = page.locator(".legend").inner_text()
    assert "乡镇覆盖率" in legend and "100%" in legend and "0–24%" in legend
    assert "示意" in page.locator(".leaflet-control-layers").inner_text()
    # a township popup carries the numbers
    # (a point inside the township, away from the villages drawn over it)
    page.evaluate("() => { window.coverplanMaps.map.map.setView(window.coverplanMaps.map.layers.townships"
                  ".getLayers()[40].getCenter(), 11); }")
    page.evaluate("() => { window.coverplanMaps.map.layers.uncovered_units.remove(); }")
    click_map_at(page, "window.coverplanMaps.map.layers.townships.getLayers()[40].getCenter()")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "60岁以上人口" in popup and "覆盖率" in popup
    # page weight: everything the browser fetched for this page
    size = page.evaluate("performance.getEntriesByType('resource').reduce((s, e) => s + e.encodedBodySize, 0)"
                         " + performance.getEntriesByType('navigation')[0].encodedBodySize")
    assert size < 3_000_000, f"coverage map page weighs {size} bytes"


def test_map_zooms_to_township(page, shiyan):
    code = shiyan.townships.index[100]
    page.goto(page.base + f"/map/cemetery?township={code}")
    wait_map(page)
    assert page.evaluate("window.coverplanMaps.map.focused") == code
    zoom = page.evaluate("window.coverplanMaps.map.map.getZoom()")
    page.goto(page.base + "/map/cemetery")
    wait_map(page)
    assert zoom > page.evaluate("window.coverplanMaps.map.map.getZoom()")


def test_checklist_filters_sort_and_links(page):
    page.goto(page.base + "/townships?type=cemetery&lang=zh")
    page.wait_for_function("document.getElementById('checklist').dataset.ready === '1'")
    rows = page.locator("#checklist tbody tr")
    assert rows.count() == 129
    page.select_option("#f-county", "420325")
    page.wait_for_function("document.getElementById('checklist').dataset.ready === '1' && "
                           "document.querySelectorAll('#checklist tbody tr[data-county=\"420325\"]').length"
                           " === document.querySelectorAll('#checklist tbody tr').length")
    n_county = rows.count()
    assert 0 < n_county < 129
    page.select_option("#f-status", "not_met")
    page.wait_for_function("document.getElementById('checklist').dataset.ready === '1' && "
                           "[...document.querySelectorAll('#checklist tbody tr')].every(r => r.dataset.status === 'not_met')")
    assert rows.count() <= n_county
    assert "county=420325" in page.locator("#export-csv").get_attribute("href")
    assert "status=not_met" in page.locator("#export-xlsx").get_attribute("href")
    # sorting by code descending
    page.select_option("#f-status", "")
    page.wait_for_function(f"document.querySelectorAll('#checklist tbody tr').length === {n_county}")
    header = page.locator("th[data-key=township_code]")
    assert "sort-asc" in header.get_attribute("class")
    header.click()
    codes = page.eval_on_selector_all("#checklist tbody tr", "rs => rs.map(r => r.dataset.code)")
    assert codes == sorted(codes, reverse=True) and "sort-desc" in header.get_attribute("class")
    page.locator("th[data-key=facilities]").click()
    counts = page.eval_on_selector_all("#checklist tbody tr td:nth-child(6)", "cs => cs.map(c => +c.textContent)")
    assert counts == sorted(counts)
    # text search, then the row's link opens the map on that township
    page.fill("#f-text", codes[0])
    assert rows.count() == 1
    # the language switch keeps the search text (it lives in the address with the filters)
    assert f"q={codes[0]}" in page.locator("#lang-switch").get_attribute("href")
    page.click("#lang-switch")
    page.wait_for_function("document.documentElement.lang === 'en' && "
                           "document.getElementById('checklist').dataset.ready === '1'")
    assert page.input_value("#f-text") == codes[0] and rows.count() == 1
    page.locator("a.to-map").first.click()
    page.wait_for_url(f"**/map/cemetery?township={codes[0]}")
    wait_map(page)
    assert page.evaluate("window.coverplanMaps.map.focused") == codes[0]


def test_proposal_form_to_numbered_sites(page):
    page.goto(page.base + "/proposals?lang=zh")
    page.select_option("#p-type", "elderly_complex")
    page.select_option("#p-model", "mclp")
    page.fill("#p-p", "3")
    page.fill("#p-name", "浏览器测试方案")
    page.click("#p-submit")
    page.wait_for_url("**/proposals/*", timeout=60_000)
    wait_map(page)
    icons = page.locator(".site-icon span")
    assert icons.count() == 3
    assert sorted(icons.all_inner_texts()) == ["1", "2", "3"]
    assert page.locator("#rationale tbody tr").count() == 3
    assert "浏览器测试方案" in page.locator("h1").inner_text()
    ba = page.locator("table.before-after").inner_text()
    assert "方案前" in ba and "方案后" in ba
    page.wait_for_selector("#costs-chart[data-ready='1'] svg")
    assert page.locator("#costs-chart svg path.step").count() == 2
    # the saved list shows it, and two saved proposals can be compared
    page.goto(page.base + "/proposals")
    page.wait_for_function("document.getElementById('saved').dataset.rows === '1'")
    page.select_option("#p-type", "elderly_complex")
    page.select_option("#p-model", "mclp")
    page.fill("#p-p", "6")
    page.click("#p-submit")
    page.wait_for_url("**/proposals/*", timeout=60_000)
    page.goto(page.base + "/proposals")
    page.wait_for_function("document.getElementById('saved').dataset.rows === '2'")
    page.locator(".pick").nth(0).check()
    page.locator(".pick").nth(1).check()
    page.click("#compare")
    page.wait_for_url("**/proposals/compare?*")
    wait_map(page, "map-1")
    wait_map(page, "map-2")
    counts = sorted([layer_count(page, "sites", "map-1"), layer_count(page, "sites", "map-2")])
    assert counts == [3, 6]
    assert page.locator("#diff tbody tr").count() >= 5


def test_proposal_cancel_from_the_form(page):
    page.goto(page.base + "/proposals")
    page.select_option("#p-type", "day_care")
    page.select_option("#p-model", "lscp")
    page.click("#p-submit")
    page.wait_for_selector("#job:not([hidden])")
    page.wait_for_function("['running','queued'].includes(document.getElementById('job').dataset.state)")
    page.click("#job-cancel")
    page.wait_for_function("document.getElementById('job').dataset.state === 'cancelled'", timeout=60_000)
    assert page.locator("#job-state").inner_text() == "已取消"


def test_english_switch(page):
    page.goto(page.base + "/townships?lang=zh")
    assert page.locator("header nav").inner_text().startswith("总览")
    page.click("#lang-switch")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Township coverage checklist" in page.locator("h1").inner_text()
    page.goto(page.base + "/")  # the cookie keeps English
    assert "Overview" in page.locator("h1").inner_text()
    page.goto(page.base + "/?lang=zh")
