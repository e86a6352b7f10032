"""Print and brief in a real browser: the one-page A4 brief, the print stylesheet, the offline map.

The PDFs are made by Chromium itself (print media, A4), as a planner's "print to PDF" would;
they are kept in test-artifacts/ next to the screenshots for people to look at.
"""
from __future__ import annotations

import re

import pytest

from browser import *  # noqa: F401,F403
from browser import ARTIFACTS, wait_map

pytestmark = pytest.mark.browser

PAGE_OBJECT = re.compile(rb"/Type\s*/Page[^s]")
DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d"


@pytest.fixture(scope="module")
def proposals(server):
    """Two saved proposals: 8 sites, and 40 (more than the brief lists)."""
    client = server.app.test_client()

    def make(p: int) -> str:
        resp = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": p})
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["result"]["proposal_id"]
    return {8: make(8), 40: make(40)}


def _pdf(page, name: str) -> bytes:
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    return pdf


def _pages(pdf: bytes) -> int:
    return len(PAGE_OBJECT.findall(pdf))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_brief_fits_one_a4_page(page, proposals, lang):
    pid = proposals[8]
    rec = page.app.extensions["coverplan"]["store"].get(pid)
    page.goto(f"{page.base}/proposals/{pid}/brief?lang={lang}")
    wait_map(page)
    text = page.inner_text("#brief")
    # name (a name the app made, in the page's language), both dates, the parameters with their units,
    # the numbers, the caveat
    from web.proposals import display_name

    assert display_name(rec, lang) in text
    assert re.search(rf"{'保存日期' if lang == 'zh' else 'Saved'}: {DATE}", text)
    assert re.search(rf"{'生成日期' if lang == 'zh' else 'Generated'}: {DATE}", text)
    params = page.inner_text("#brief-params")
    if lang == "zh":
        for s in ("最大覆盖（MCLP）", "城镇服务标准\t15 分钟", "农村服务标准\t30 分钟",
                  "估算（直线×绕行系数）", "出行成本为估算值\t是", "新增站点数\t8"):
            assert s in params, s
        assert "乡镇(街道)养老服务综合体" in text and "示意" in page.inner_text("#brief-caveat")
    else:
        for s in ("maximal covering (MCLP)", "Urban standard\t15 min", "Rural standard\t30 min",
                  "estimate (straight line × detour)", "Travel costs estimated\tyes", "Number of new sites\t8"):
            assert s in params, s
        assert "Township elderly-service complex" in text
        assert "示意 (illustrative)" in page.inner_text("#brief-caveat")
    numbers = page.inner_text("#brief-numbers")
    after = rec["summary"]["after"]
    assert f"{100 * after['covered_share']:.1f}%" in numbers
    assert f"{after['covered_units']:,} / {after['units']:,}" in numbers
    assert re.search(r"\d+ (分钟|min)", numbers)  # travel costs with their unit
    # plan targets and all 8 sites, nothing left over
    assert page.locator("#brief-targets tbody tr").count() >= 1
    assert page.locator("#brief-sites tbody tr").count() == 8
    assert page.locator("#brief-more").count() == 0
    # the map drew the proposal (8 numbered sites)
    assert page.evaluate("window.coverplanMaps.map.layers.sites.getLayers().length") == 8

    pdf = _pdf(page, f"brief-{lang}")
    assert _pages(pdf) == 1
    # on paper: no toolbar, print button, navigation, language switch or map controls
    for sel in ("#brief-print", ".brief-bar", "header.top", "#lang-switch", ".leaflet-control-zoom",
                ".leaflet-control-layers"):
        assert not page.locator(sel).first.is_visible(), sel
    # the key stays, under the map (a legend box over a 10 cm map hid a third of it)
    assert not page.locator("#map .legend").count()
    key = page.locator(".brief-key")
    assert key.is_visible() and "100%" in key.inner_text() and "0–24%" in key.inner_text()
    from planner.i18n import t
    assert t("legend_share", lang) in key.inner_text()


def test_brief_of_40_sites_still_one_page(page, proposals):
    pid = proposals[40]
    page.goto(f"{page.base}/proposals/{pid}/brief?lang=zh")
    wait_map(page)
    assert page.locator("#brief-sites tbody tr").count() == 10
    assert page.inner_text("#brief-more") == "……另有 30 处，详见完整方案"
    assert "前 10 处，共 40 处" in page.inner_text("#brief-sites h2")
    assert page.evaluate("window.coverplanMaps.map.layers.sites.getLayers().length") == 40
    assert _pages(_pdf(page, "brief-40-sites")) == 1


def test_print_button_calls_print(page, proposals):
    page.goto(f"{page.base}/proposals/{proposals[8]}/brief")
    wait_map(page)
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.click("#brief-print")
    assert page.evaluate("window.__printed") == 1


def test_proposal_page_links_and_prints_cleanly(page, proposals):
    pid = proposals[8]
    page.goto(f"{page.base}/proposals/{pid}?lang=en")
    wait_map(page)
    assert page.get_attribute("#brief-link", "href") == f"/proposals/{pid}/brief?lang=en"  # the page's language
    assert page.inner_text("#brief-link") == "Brief"
    assert page.get_attribute("#offline-map-link", "href") == f"/proposals/{pid}/export.html?lang=en"
    assert page.inner_text("#offline-map-link") == "Offline map"
    screen = page.evaluate("""() => { const m = window.coverplanMaps.map.map;
        // runs after print.js's own beforeprint handler (registered earlier): what goes on paper
        window.addEventListener("beforeprint", () => { window.__onPaper = {
            width: m.getContainer().getBoundingClientRect().width, view: m.getBounds().toBBoxString()}; });
        return {width: m.getContainer().getBoundingClientRect().width, view: m.getBounds().toBBoxString()}; }""")

    pdf = _pdf(page, "proposal-page")
    assert _pages(pdf) >= 1
    for sel in ("header.top", ".toolbar", "#lang-switch", ".leaflet-control-zoom", ".leaflet-control-layers"):
        assert not page.locator(sel).first.is_visible(), sel
    # table rows are never cut across pages, headers repeat, scrolling boxes print whole
    assert page.evaluate("getComputedStyle(document.querySelector('table.data tbody tr')).breakInside") == "avoid"
    assert page.evaluate("getComputedStyle(document.querySelector('table.data thead')).display") == "table-header-group"
    assert page.evaluate("getComputedStyle(document.querySelector('.table-wrap')).overflowY") == "visible"
    # Chromium announced the print; the map was scaled to the A4 width (718 CSS px) and refitted
    # to what the screen showed, instead of printing the screen-sized view cropped
    paper = page.evaluate("window.__onPaper")
    assert paper, "no beforeprint event reached the page"
    assert paper["width"] <= 190 * 96 / 25.4 < screen["width"]
    w0, s0, e0, n0 = map(float, screen["view"].split(","))
    w1, s1, e1, n1 = map(float, paper["view"].split(","))
    assert w1 <= w0 + 0.01 and e1 >= e0 - 0.01 and s1 <= s0 + 0.01 and n1 >= n0 - 0.01
    # afterwards the map is back to its screen size
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert page.evaluate("window.coverplanMaps.map.map.getContainer().style.width") == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_offline_proposal_map_renders_offline(page, proposals, lang):
    """The exported file, opened in the browser: metric scale only, no flag, title and legend shown."""
    pid = proposals[8]
    page.goto(f"{page.base}/proposals/{pid}/brief?lang={lang}")  # a local page first (the fixture wants one)
    wait_map(page)
    html = page.app.test_client().get(f"/proposals/{pid}/export.html?lang={lang}").get_data(as_text=True)
    page.set_content(html, wait_until="load")
    page.wait_for_selector(".cp-site")
    scale = page.locator(".leaflet-control-scale-line")
    assert scale.count() == 1 and re.fullmatch(r"\d+ k?m", scale.inner_text())
    attribution = page.locator(".leaflet-control-attribution")
    assert attribution.locator("svg").count() == 0 and "Leaflet" not in attribution.inner_text()
    assert page.locator(".leaflet-marker-pane .cp-site").count() == 8
    assert page.locator("#cp-title").is_visible() and page.locator("#cp-legend").is_visible()
    assert ("示意" if lang == "zh" else "illustrative") in page.inner_text("#cp-title")
