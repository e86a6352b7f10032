"""At phone width (390 x 844) no page is wider than the screen, the header's links stay on the
header, forms put labels over their fields, and the map's layer list starts folded (QA 14: every
page was 600-980 px wide, the links past the fourth ran off the dark header onto the page)."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403

PAGES = ["/", "/map/day_care", "/townships", "/proposals", "/facilities", "/plan", "/data", "/api-doc"]

LAYOUT_JS = """() => {
  const header = document.querySelector('header.top').getBoundingClientRect();
  const off = [...document.querySelectorAll('header.top nav > a, header.top nav .dropdown > a')]
    .map(a => a.getBoundingClientRect()).filter(r => r.right > innerWidth + 1 || r.bottom > header.bottom + 1);
  return {width: document.documentElement.scrollWidth, off: off.length};
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_is_wider_than_a_phone(browser, server, lang):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    try:
        pg = ctx.new_page()
        for path in PAGES:
            pg.goto(f"{server}{path}?lang={lang}")
            pg.wait_for_load_state("networkidle")
            got = pg.evaluate(LAYOUT_JS)
            assert got == {"width": 390, "off": 0}, (path, got)
        pg.goto(f"{server}/map/day_care?lang={lang}")
        wait_map(pg)
        # the layer list is a button on a phone (open it covered half the map and the search box)
        assert pg.locator("#map .leaflet-control-layers-expanded").count() == 0
        assert pg.locator("#map .leaflet-control-layers-toggle").is_visible()
        pg.goto(f"{server}/data?lang={lang}")
        label, field = (pg.locator(s).bounding_box() for s in ("label[for=u-kind]", "#u-kind"))
        assert field["y"] >= label["y"] + label["height"] - 1 and field["width"] > 300   # over, full width
    finally:
        ctx.close()



@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_tables_fit_a_phone(browser, server, lang):
    """The overview's targets table scrolled sideways in its card at 390 px, its progress column off
    the screen (its article column was 12 em wide), and so did the beds and coverage tables. They fit
    now: the article sits above the type, the beds' standard and the coverage's map links are left out
    (the type's name is its map's link), and nothing leaves out the figures."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    try:
        pg = ctx.new_page()
        pg.goto(f"{server}/?lang={lang}")
        poll_js(pg, "['targets-table', 'beds-table', 'citywide-table'].every(i => "
                    "document.querySelector('#' + i + ' tbody tr'))")
        fit = pg.evaluate("""() => ['targets-table', 'beds-table', 'citywide-table'].map(i => {
            const t = document.getElementById(i);
            return [i, t.scrollWidth <= t.clientWidth + 1];})""")
        assert all(ok for _, ok in fit), fit
        first = pg.locator("#targets-table tbody tr").first
        article = pg.evaluate("getComputedStyle(document.querySelector('#targets-table td.type-cell'), '::before').content")
        assert article.strip('"') and article != "none", article   # the article, above the type
        assert first.locator("td").last.is_visible()            # the progress column is on the screen
        link = pg.locator("#citywide-table tbody tr td:first-child a").first
        assert link.is_visible() and link.get_attribute("href").startswith("/map/")
    finally:
        ctx.close()


def test_the_map_menu_opens_from_the_keyboard(page):
    page.goto(f"{page.base}/?lang=en")
    menu = page.locator("header .dropdown .menu")
    assert not menu.is_visible()
    page.locator("header .dropdown > a").focus()
    assert menu.is_visible()           # it opened on hover only


def test_the_type_select_waits_for_enter_and_headers_sort_from_the_keyboard(page):
    """ArrowDown on the map's type select opened the next type's page at once (WCAG 3.2.2); the
    sortable headers of the township checklist could not be reached with Tab."""
    page.goto(f"{page.base}/map/day_care?lang=en")
    wait_map(page)
    sel = page.locator("#type-select")
    sel.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(400)
    assert "/map/day_care" in page.url and sel.input_value() != "day_care"
    chosen = sel.input_value()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"/map/{chosen}" in page.url
    page.goto(f"{page.base}/townships?lang=en")
    th = page.locator("th.sortable[data-key=township_name]")
    poll_js(page, "document.querySelectorAll('#townships tbody tr, table.data tbody tr').length > 10")
    th.focus()
    page.keyboard.press("Enter")
    assert "sort-asc" in th.get_attribute("class")
    page.keyboard.press(" ")
    assert "sort-desc" in th.get_attribute("class")


def test_leaflet_labels_in_chinese_and_times_unambiguous_in_english(page):
    """Leaflet said "Zoom in" / "Layers" on Chinese maps; English times read 04/12/2026 (12 April?)."""
    page.goto(f"{page.base}/map/day_care?lang=zh")
    wait_map(page)
    assert page.get_attribute("#map .leaflet-control-zoom-in", "title") == "放大"
    assert page.get_attribute("#map .leaflet-control-zoom-out", "title") == "缩小"
    assert page.get_attribute("#map .leaflet-control-layers-toggle", "title") == "图层"
    page.goto(f"{page.base}/data?lang=en")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    when = page.locator("#versions tbody tr td.small").first.inner_text()
    import re
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", when), when


def test_a_proposal_site_opens_from_the_keyboard(page, proposal_id):
    """The sites on the canvas map cannot take focus: their rows in the rationale can (QA 14)."""
    page.goto(f"{page.base}/proposals/{proposal_id}?lang=en")
    wait_map(page)
    page.locator("#rationale tr.site-row").first.focus()
    page.keyboard.press("Enter")
    poll_js(page, "!!document.querySelector('#map .leaflet-popup')")
