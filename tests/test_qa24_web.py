"""QA 24, web pages and downloads (qa24w).

1. The proposal's travel-cost chart ended at 95 min while np.clip put every village beyond into its last bar
   (3,855 people 95-153 min away counted in "90-95"), and nothing said so: the last bar is now labelled
   open-ended ("≥ 90"), shaded, and a note says what it holds (page, SVG and PNG).
2. A phone's English proposal page cut the "Coverage by county" table's "After" column.
3. The proposal CSV/XLSX "代码/Code" column held the township's code (the township column's again): it holds
   the site's own code now (a village's, a township seat's), and the township's code has a column of its own.
4. An 80-character name without spaces widened /plan and the proposal page on a phone (907 px).
5. /map/cemetery (a type counting units) said "覆盖率（按需求权重）" while its legend says 按单元数.
6. The map's upgrade card kept the K=1 answer beside a refused K=0, said "1 facilities", and let K go to 500
   while the server takes 67 (mutual aid).
7. The English brief cut its site names ("五堰街道 – propos…"), on paper too.
8. "新增 1337 处": the plan's notes had no thousands separator.
9. The map legend (English, 1366x768, every layer on) cut its last row, scrolling without a visible bar.
"""
from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest

from browser import *  # noqa: F401,F403
from browser import poll_js, wait_map
from planner.i18n import t

PHONE = {"width": 390, "height": 844}
LONG_NAME = "x" * 80


# -- fixtures: one server, a few proposals --------------------------------------------------------------
def _solve(client, body: dict) -> dict:
    r = client.post("/api/proposals?lang=zh&wait=120", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


@pytest.fixture(scope="module")
def props(server):
    c = server.app.test_client()
    return {
        "complex": _solve(c, {"type": "elderly_complex", "model": "mclp", "p": 8}),
        "day_care": _solve(c, {"type": "day_care", "model": "mclp", "p": 5}),
        "sized": _solve(c, {"type": "welfare_home", "kind": "sized", "sizes": "30,60,100", "budget_sites": 3}),
    }


@pytest.fixture(scope="module")
def long_named(server):
    """A proposal renamed to 80 characters without a space (the name field allows 80)."""
    c = server.app.test_client()
    pid = _solve(c, {"type": "elderly_complex", "model": "mclp", "p": 3})["id"]
    r = c.patch(f"/api/proposals/{pid}", json={"name": LONG_NAME})
    assert r.status_code == 200, r.get_json()
    assert c.get(f"/api/proposals/{pid}").get_json()["name"] == LONG_NAME
    return pid


def _csv(client, url: str) -> tuple[list[str], list[list[str]]]:
    r = client.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    return rows[1], rows[2:]  # row 0: the title line


# -- 1. the travel-cost chart's last bar ---------------------------------------------------------------
def test_cost_bins_say_when_the_last_bar_holds_the_tail():
    from web.charts import cost_bins, open_end_labels

    before = np.r_[np.linspace(1, 40, 300), 153.0]  # one village far beyond the others
    after = np.linspace(1, 20, 301)
    weights = np.r_[np.full(300, 10.0), 3855.0]
    h = cost_bins(before, after, np.ones(301), 30.0, n_bins=10)
    # the range ends near the standard; 153 lies beyond it and is counted in the last bar
    assert h["edges"][-1] < 153 and h["open_end"] and h["max"] == 153
    h = cost_bins(before, after, weights, 30.0, n_bins=10)
    assert h["before"][-1] >= 3855 and sum(h["before"]) == pytest.approx(weights.sum())
    lo = h["edges"][-2]
    zh, en = open_end_labels(h, 1.0, "分钟", "zh"), open_end_labels(h, 1.0, "min", "en")
    assert en["open_label"] == zh["open_label"] == f"≥ {lo:g}"
    assert "153\u00a0min" in en["open_note"] and f"≥ {lo:g}\u00a0min" in en["open_note"]
    assert "153\u00a0分钟" in zh["open_note"] and "不封顶" in zh["open_note"]
    assert not re.search(r"[“”‘’]", en["open_note"])
    # nothing beyond the range: an ordinary last bar, no label
    closed = cost_bins(np.array([1.0, 2, 3]), np.array([1.0, 2, 3]), np.ones(3), 30.0)
    assert not closed["open_end"] and open_end_labels(closed, 1.0, "min", "en") == {}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cost_chart_data_and_downloads_label_the_open_last_bar(server, props, lang):
    c = server.app.test_client()
    pid = props["complex"]["id"]
    d = c.get(f"/api/charts/proposals/{pid}/costs?lang={lang}").get_json()
    # eight complexes leave villages far beyond the charted range (QA: 95 min, the farthest 153)
    assert d["open_end"] is True
    lo = d["edges"][-2]
    assert d["open_label"] == f"≥ {lo:g}"
    unit = t("minutes", lang)
    assert f"≥ {lo:g}\u00a0{unit}" in d["open_note"]
    farthest = float(re.search(r"(\d[\d,.]*)\u00a0" + unit + r"\W*$", d["open_note"]).group(1).replace(",", ""))
    assert farthest > d["edges"][-1]
    # every reachable unit's weight is still in a bar
    assert sum(d["before"]) + d["unreachable_before"] == pytest.approx(props["complex"]["before"]["weight"], rel=1e-6)
    # the downloads: the SVG keeps its text (the label is there); the PNG renders
    svg = c.get(f"/charts/proposals/{pid}/costs.svg?lang={lang}")
    assert svg.status_code == 200 and f"≥ {lo:g}" in svg.get_data(as_text=True)
    png = c.get(f"/charts/proposals/{pid}/costs.png?lang={lang}")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cost_chart_on_the_page_labels_its_last_bar(page, props, lang):
    pid = props["complex"]["id"]
    d = page.app.test_client().get(f"/api/charts/proposals/{pid}/costs?lang={lang}").get_json()
    page.goto(f"{page.base}/proposals/{pid}?lang={lang}")
    poll_js(page, "document.getElementById('costs-chart').dataset.ready === '1'")
    assert page.text_content("#costs-chart svg text.open-label") == d["open_label"]
    assert page.eval_on_selector("#costs-chart .open-end-note", "e => e.textContent") == d["open_note"]
    assert page.locator("#costs-chart svg rect.open-bin").count() == 1
    # the axis ends with the last bar: no tick beyond it, none under the "≥" label
    ticks = page.eval_on_selector_all("#costs-chart svg text.tick[text-anchor='middle']:not(.open-label)",
                                      "els => els.map(e => e.textContent)")  # the x axis's (the y axis's end-anchored)
    xs = [float(x.replace(",", "")) for x in ticks if re.fullmatch(r"[\d,.]+", x)]
    assert xs and max(xs) <= d["edges"][-1]


# -- 2. and 4. the phone: the county table, and a long name ----------------------------------------------
@pytest.mark.browser
def test_phone_county_table_shows_every_column(page, props):
    page.set_viewport_size(PHONE)
    pid = props["complex"]["id"]
    page.goto(f"{page.base}/proposals/{pid}?lang=en")
    page.locator("#county-table").scroll_into_view_if_needed()
    box = page.evaluate("""() => { const t = document.getElementById('county-table'), w = t.parentElement;
        const last = t.querySelector('thead th:last-child').getBoundingClientRect();
        return {wrap: w.classList.contains('table-wrap'), table: t.scrollWidth, room: w.clientWidth,
                lastRight: last.right, wrapRight: w.getBoundingClientRect().right,
                page: document.documentElement.scrollWidth, head: t.querySelector('thead th:last-child').textContent}; }""")
    assert box["wrap"], box  # in a scroll box, as the other tables
    assert box["table"] <= box["room"] + 1 and box["lastRight"] <= box["wrapRight"] + 1, box  # "After" on the screen
    assert box["head"] == "After" and box["page"] <= PHONE["width"], box
    # its figures whole ("89.5%", not "89")
    cells = page.eval_on_selector_all("#county-table tbody td:last-child", "els => els.map(e => [e.scrollWidth, e.clientWidth, e.textContent])")
    assert cells and all(re.fullmatch(r"\d+\.\d%", txt) and sw <= cw + 1 for sw, cw, txt in cells), cells


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 768}], ids=["phone", "desktop"])
def test_a_long_name_does_not_widen_the_pages(page, long_named, viewport):
    page.set_viewport_size(viewport)
    width = viewport["width"]
    page.goto(f"{page.base}/proposals/{long_named}?lang=en")
    page.wait_for_selector("#map")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    h1 = page.eval_on_selector(".page-head h1", "e => e.getBoundingClientRect().right")
    assert h1 <= width
    page.goto(f"{page.base}/plan?lang=zh")
    poll_js(page, "document.querySelectorAll('#plan-proposals input.pick').length > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the picker's table stays in its card, the long name broken inside its cell
    inside = page.evaluate("""() => { const t = document.getElementById('plan-proposals'), card = t.closest('section');
        return [t.getBoundingClientRect().right, card.getBoundingClientRect().right]; }""")
    assert inside[0] <= inside[1] + 1, inside
    # the compare page and the brief
    other = page.app.test_client().get("/api/proposals").get_json()
    same = next(p["id"] for p in other if p["type"] == "elderly_complex" and p["id"] != long_named)
    page.goto(f"{page.base}/proposals/compare?a={long_named}&b={same}&lang=en")
    page.wait_for_selector("#diff")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(f"{page.base}/proposals/{long_named}/brief?lang=en")
    right = page.evaluate("""() => [document.getElementById('brief-name').getBoundingClientRect().right,
                                    document.getElementById('brief').getBoundingClientRect().right]""")
    assert right[0] <= right[1] + 1, right


# -- 3. the site's own code in the downloads -----------------------------------------------------------
def test_site_code_from_the_candidate():
    from web.exports import site_code

    assert site_code("cand-420304115001") == "420304115001"
    assert site_code("cand-seat-420302003") == "420302003"
    assert site_code("cand-county-420322") == "420322"
    assert site_code("cand-plan-0001") == "cand-plan-0001"  # a planner's own site: the id it is known by
    assert site_code(None) == site_code("") == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_proposal_csv_code_is_the_sites_own(server, props, lang):
    c = server.app.test_client()
    pid = props["day_care"]["id"]
    sites = c.get(f"/api/proposals/{pid}").get_json()["sites"]
    head, rows = _csv(c, f"/api/proposals/{pid}.csv?lang={lang}")
    code, town = head.index(t("code", lang)), head.index(t("fac_township_code", lang))
    assert town == code + 1 and len(rows) == len(sites)
    for row, s in zip(rows, sites):
        assert row[code] == s["candidate_id"].removeprefix("cand-")  # the village's code: 420304115001
        assert len(row[code]) == 12 and row[town] == s["township_code"] != row[code]
    # the XLSX says the same
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(c.get(f"/api/proposals/{pid}.xlsx?lang={lang}").data)).active
    xhead = [cell.value for cell in ws[2]]
    assert xhead == head
    assert [ws.cell(row=3 + i, column=code + 1).value for i in range(len(sites))] == [r[code] for r in rows]


def test_sized_proposal_csv_code_is_the_sites_own(server, props):
    c = server.app.test_client()
    pid = props["sized"]["id"]
    head, rows = _csv(c, f"/api/proposals/{pid}.csv?lang=en")
    code, town = head.index("Code"), head.index("Township code")
    assert town == code + 1 and rows
    geo = c.get(f"/api/proposals/{pid}.geojson?lang=en").get_json()["features"]
    assert [r[code] for r in rows] == [site_code_of(f["properties"]) for f in geo]
    assert [r[town] for r in rows] == [f["properties"]["township_code"] for f in geo]


def site_code_of(props_: dict) -> str:
    cid = props_["candidate_id"]
    return cid.removeprefix("cand-").removeprefix("seat-")


# -- 5. the map summary's share, per type ---------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_summary_names_the_share_by_the_types_demand(server, lang):
    c = server.app.test_client()
    types = c.get("/api/types").get_json()
    by_units = {x["key"] for x in types if x.get("weight_field", x.get("weight")) == "units"}
    assert {"cemetery", "charity_station"} <= by_units
    for key, want in (("cemetery", "covered_share_units"), ("charity_station", "covered_share_units"),
                      ("elderly_complex", "covered_share_weighted"), ("day_care", "covered_share_weighted")):
        html = c.get(f"/map/{key}?lang={lang}").get_data(as_text=True)
        head = re.search(r'<th id="share-head">([^<]*)</th>', html).group(1)
        assert head == t(want, lang), (key, head)


# -- 6. the upgrade card: singular, a refused K, the K's limit -------------------------------------------
def test_upgrade_k_limit_is_the_proposals_forms(server):
    c = server.app.test_client()
    form = c.get("/proposals?lang=en").get_data(as_text=True)
    for key in ("mutual_aid", "welfare_home"):
        html = c.get(f"/map/{key}?lang=en").get_data(as_text=True)
        box = re.search(r'<input id="upgrade-k"[^>]*>', html, re.S).group(0)
        most = re.search(r'\bmax="(\d+)"', box).group(1)
        opt = re.search(rf'<option[^>]*value="{key}"[^>]*>', form, re.S).group(0)
        assert most == re.search(r'data-kmax="(\d+)"', opt).group(1) == re.search(r'data-kmax="(\d+)"', box).group(1)
        assert int(most) < 500, (key, most)
        conv = re.search(r'data-kmaxconvert="(\d+)"', opt)
        assert (conv.group(1) if conv else None) == (m.group(1) if (m := re.search(r'data-kmaxconvert="(\d+)"', box)) else None)
    # the server agrees: one more than the limit is refused
    most = int(re.search(r'\bmax="(\d+)"', re.search(r'<input id="upgrade-k"[^>]*>',
               c.get("/map/mutual_aid").get_data(as_text=True), re.S).group(0)).group(1))
    assert c.get(f"/api/upgrades/mutual_aid/layer?k={most + 1}").status_code == 400


def test_singular_english_and_thousands_in_the_plans_notes():
    from planner.targets import after_notes

    assert t("capw_upgrade_result_one", "en").startswith("{n} facility;")
    assert after_notes({"sites_added": 1}, "en") == ["1 site added"]
    assert after_notes({"sites_added": 1337}, "en") == ["1,337 sites added"]
    assert after_notes({"sites_added": 1337}, "zh") == ["新增 1,337 处"]
    assert after_notes({"sites_not_in_data": 1}, "en")[-1].startswith("1 of the proposals' facilities is not")
    assert after_notes({"sites_built_not_counted": 1}, "en") == ["the 1 new-built site does not count: only rural "
                                                                 "welfare homes converted do"]
    assert after_notes({"proposals": 1}, "en") == []
    assert after_notes({"sites_converted": 1200, "proposals": 2}, "en") == ["1,200 converted", "2 proposals combined"]


def test_plan_export_writes_thousands(server):
    c = server.app.test_client()
    # a package that adds 1,000 or more sites: the LSCP of day-care centres adds about 1,300
    pid = _solve(c, {"type": "day_care", "model": "lscp"})["id"]
    n = len(c.get(f"/api/proposals/{pid}").get_json()["sites"])
    assert n >= 1000
    body = c.get(f"/plan/targets.csv?lang=zh&proposals={pid}").get_data().decode("utf-8-sig")
    assert f"新增 {n:,} 处" in body and f"新增 {n} 处" not in body
    assert f"{n:,} sites added" in c.get(f"/plan/targets.csv?lang=en&proposals={pid}").get_data().decode("utf-8-sig")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upgrade_card_one_facility_then_a_refused_k(page, lang):
    page.goto(f"{page.base}/map/mutual_aid?lang={lang}")
    wait_map(page)
    page.fill("#upgrade-k", "1")
    page.click("#upgrade-run")
    poll_js(page, "['1', 'error'].includes(document.getElementById('upgrade-card').dataset.ready)", timeout=90)
    status = page.inner_text("#upgrade-status")
    assert status.startswith("1 facility;" if lang == "en" else "1 处；"), status
    assert page.locator("#upgrade-table tbody tr").count() == 1
    layer = "(() => { const o = window.coverplanMaps.map; return !!(o.layers.upgrades && o.map.hasLayer(o.layers.upgrades)); })()"
    assert page.evaluate(layer)
    # K = 0: the browser refuses it, and the K = 1 answer goes from the card and the map
    page.fill("#upgrade-k", "0")
    page.click("#upgrade-run")
    poll_js(page, "document.getElementById('upgrade-table').hidden")
    assert page.locator("#upgrade-table tbody tr").count() == 0
    assert page.inner_text("#upgrade-status") == "" and page.inner_text("#upgrade-notes") == ""
    assert not page.evaluate(layer)


# -- 7. the brief's site names ------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("key", ["complex", "day_care"])
def test_brief_site_names_are_whole_on_paper(page, props, key):
    pid = props[key]["id"]
    page.goto(f"{page.base}/proposals/{pid}/brief?lang=en")
    wait_map(page)
    page.emulate_media(media="print")
    names = page.eval_on_selector_all("#brief-sites td.site-name", """els => els.map(e => ({
        cut: e.scrollWidth > e.clientWidth + 1, ellipsis: getComputedStyle(e).textOverflow,
        lines: Math.round(e.getBoundingClientRect().height), text: e.textContent}))""")
    assert names and all(not n["cut"] and n["ellipsis"] != "ellipsis" for n in names), names
    assert all(" – proposed " in n["text"] for n in names)  # the English names, whole
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


# -- 9. the map legend ---------------------------------------------------------------------------------
def _all_layers_and_legend(page):
    wait_map(page)
    n = page.locator(".leaflet-control-layers-overlays input[type=checkbox]").count()
    for i in range(n):
        box = page.locator(".leaflet-control-layers-overlays input[type=checkbox]").nth(i)
        if not box.is_checked():
            box.click()
    # every layer on: beds and capacity fill the same areas, so the beds (listed after it) switch capacity off
    poll_js(page, f"document.querySelectorAll('.leaflet-control-layers-overlays input:checked').length === {n - 1}")
    page.wait_for_timeout(1500)  # the beds and access layers load, and their keys join the legend
    if page.get_attribute(".lg-toggle", "aria-expanded") == "false":
        page.click(".lg-toggle")
    page.wait_for_timeout(300)


LEGEND = """() => { const l = document.querySelector('.legend'), rows = l.querySelectorAll('.lg-body div, .lg-body span');
    const last = rows[rows.length - 1].getBoundingClientRect(), box = l.getBoundingClientRect(), more = l.querySelector('.lg-more');
    return {over: l.scrollHeight - l.clientHeight - parseFloat(getComputedStyle(l).paddingBottom), lastBottom: last.bottom, boxBottom: box.bottom,
            more: !!more && !more.hidden && more.getBoundingClientRect().width > 0}; }"""


@pytest.mark.browser
def test_open_legend_of_every_layer_fits_at_1366x768(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{page.base}/map/elderly_complex?lang=en")
    _all_layers_and_legend(page)
    m = page.evaluate(LEGEND)
    assert m["over"] <= 1 and m["lastBottom"] <= m["boxBottom"] and not m["more"], m


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1000, "height": 600}, {"width": 1280, "height": 600}])
def test_open_legend_fits_the_smallest_map(page, viewport):
    page.set_viewport_size(viewport)  # the map at its least height, 520 px
    page.goto(f"{page.base}/map/elderly_complex?lang=en")
    _all_layers_and_legend(page)
    m = page.evaluate(LEGEND)
    assert m["over"] <= 1 and m["lastBottom"] <= m["boxBottom"] and not m["more"], m


@pytest.mark.browser
def test_a_legend_with_rows_below_says_so(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{page.base}/map/elderly_complex?lang=en")
    _all_layers_and_legend(page)
    # a map lower than any page makes it (a window zoomed in): the legend has less room than its rows
    page.evaluate("""() => { const el = document.getElementById('map'); el.style.minHeight = '0'; el.style.height = '420px';
        window.coverplanMaps.map.map.invalidateSize(); }""")
    page.wait_for_timeout(500)
    m = page.evaluate(LEGEND)
    assert m["over"] > 1 and m["lastBottom"] > m["boxBottom"], m  # too little room: it scrolls
    assert m["more"] and page.inner_text(".legend .lg-more") == "▾ " + t("legend_more", "en")
    page.click(".legend .lg-more button")
    poll_js(page, "(() => { const l = document.querySelector('.legend'); "
                  "return l.scrollTop + l.clientHeight >= l.scrollHeight - 2; })()")
    m = page.evaluate(LEGEND)
    assert m["lastBottom"] <= m["boxBottom"] + 1 and not m["more"], m  # the last row whole, the band gone
