"""QA sweep 11, exports: a proposal's CSV/XLSX gives the units a site serves before "of which beyond the
standard" (and no second column with the same count under a near-identical name); the proposal page says
the same and its downloads carry the page's language; the offline map states its data version, opens
click popups with units (no jQuery in the file) and names counties in English in an English export.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    tmp = tmp_path_factory.mktemp("qa11e")
    app = create_app({"DB_PATH": str(tmp / "p.sqlite"), "TESTING": True, "WARM": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def pids(app):
    c = app.test_client()
    out = {}
    for key in ("cemetery", "day_care"):  # weighted by units / by people aged 60+
        r = c.post("/api/proposals?wait=120", json={"type": key, "model": "mclp", "p": 5})
        assert r.status_code == 201, r.get_json()
        out[key] = r.get_json()["proposal"]["id"]
    return out


def _csv(c, url):
    r = c.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    return rows[1], rows[2:]  # row 0: the title line


def test_csv_of_which_follows_the_units_served(app, pids):
    c = app.test_client()
    pid = pids["cemetery"]
    sites = c.get(f"/api/proposals/{pid}").get_json()["sites"]
    head, rows = _csv(c, f"/api/proposals/{pid}.csv?lang=zh")
    served = head.index("由该点服务的单元（以其为最近设施）")
    beyond = head.index("其中超出服务标准的单元")
    assert beyond == served + 1  # the "of which" right after its whole
    # a cemetery weighs each unit 1: its added weight is the unit count, given once
    assert "新增覆盖需求单元" not in head and head.count("新增覆盖单元") == 1
    assert len(rows) == len(sites)
    for row, s in zip(rows, sites):
        assert int(row[served]) == s["served_units"]
        assert int(row[beyond]) == s["beyond_standard_units"] <= s["served_units"]
    # each site's reason, as the page gives it: what a planner takes to the meeting (QA 15)
    why = head.index("选址理由")
    assert [r[why] for r in rows] == [s["reason_zh"] for s in sites] and all(r[why] for r in rows)
    head_en, rows_en = _csv(c, f"/api/proposals/{pid}.csv?lang=en")
    assert [r[head_en.index("Why here")] for r in rows_en] == [s["reason_en"] for s in sites]


def test_xlsx_weighted_type_names_its_weight(app, pids):
    c = app.test_client()
    r = c.get(f"/api/proposals/{pids['day_care']}.xlsx?lang=en")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.get_data())).active
    head = [cell.value for cell in ws[2]]
    assert "Added covered people aged 60+" in head and "Added covered units" in head
    assert not any(h and "weight" in h.lower() for h in head)  # no bare "Added covered weight"
    assert head.index("Of which beyond the standard") == head.index("Units it serves (its nearest facility)") + 1


def test_proposal_page_sites_table_and_download_language(app, pids):
    c = app.test_client()
    pid = pids["cemetery"]
    page = c.get(f"/proposals/{pid}?lang=en").get_data(as_text=True)
    for path in (f"/api/proposals/{pid}.csv", f"/api/proposals/{pid}.xlsx", f"/api/proposals/{pid}.geojson",
                 f"/proposals/{pid}/export.html", f"/proposals/{pid}/brief"):
        assert f'href="{path}?lang=en"' in page, path
    table = page[page.index('id="rationale"'):]
    table = table[:table.index("</table>")]
    assert "Added covered demand units" not in table  # the same number twice, under two names
    assert "Units it serves (its nearest facility)" in table
    sites = c.get(f"/api/proposals/{pid}").get_json()["sites"]
    cells = re.findall(r'<td class="num served">(\d+)', table)
    assert [int(x) for x in cells] == [s["served_units"] for s in sites]
    zh = c.get(f"/proposals/{pid}?lang=zh").get_data(as_text=True)
    assert f'href="/api/proposals/{pid}.csv?lang=zh"' in zh
    brief = c.get(f"/proposals/{pid}/brief?lang=en").get_data(as_text=True)
    assert f'href="/proposals/{pid}/export.html?lang=en"' in brief
    # a type weighted by people keeps its weight column, named by what it counts
    dc = c.get(f"/proposals/{pids['day_care']}?lang=zh").get_data(as_text=True)
    assert "新增覆盖60岁以上人口" in dc[dc.index('id="rationale"'):]


# -- the offline map, opened from disk with the network blocked -------------------------------------
FIND_MAP = "() => { for (const k of Object.keys(window)) { try { if (window[k] instanceof L.Map) return k; } catch (e) {} } }"


def _click(page, name, find_js, zoom):
    """Centre the map on what ``find_js`` finds, hover and click it; (tooltip text, popup text)."""
    pt = page.evaluate(f"""() => {{ const m = window['{name}']; const ll = ({find_js})(m);
        m.setView(ll, {zoom}, {{animate: false}}); const p = m.latLngToContainerPoint(ll); return [p.x, p.y]; }}""")
    page.wait_for_timeout(300)
    page.mouse.move(*pt)
    page.wait_for_timeout(200)
    tip = page.evaluate("() => Array.from(document.querySelectorAll('.leaflet-tooltip')).map(e => e.innerText).join('|')")
    page.mouse.click(*pt)
    page.wait_for_timeout(300)
    pop = page.evaluate("() => { const e = document.querySelector('.leaflet-popup-content'); return e ? e.innerText : ''; }")
    page.evaluate(f"() => {{ window['{name}'].closePopup(); }}")
    return tip, pop


def _township(name):
    return f"""m => {{ let r; m.eachLayer(l => {{ if (!r && l.feature && l.feature.geometry.type.includes('Polygon')
        && l.feature.properties.name === {json.dumps(name)}) r = l.getCenter(); }}); return r; }}"""


def _marker(text):
    return f"""m => {{ let r; m.eachLayer(l => {{ const t = l.getTooltip && l.getTooltip();
        if (!r && t && l.getLatLng && String(t.getContent()).includes({json.dumps(text)})) r = l.getLatLng(); }}); return r; }}"""


@pytest.fixture(scope="module")
def offline(app, pids, tmp_path_factory):
    pytest.importorskip("playwright.sync_api")
    from browser import playwright
    tmp = tmp_path_factory.mktemp("offline")
    c = app.test_client()
    files = {}
    for key, url in (("prop_en", f"/proposals/{pids['day_care']}/export.html?lang=en"),
                     ("prop_zh", f"/proposals/{pids['cemetery']}/export.html?lang=zh"),
                     ("map_en", "/map/cemetery/export.html?lang=en")):
        r = c.get(url)
        assert r.status_code == 200
        files[key] = tmp / f"{key}.html"
        files[key].write_bytes(r.get_data())
    with playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])

        def open_file(key):
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.asked = []
            page.errors = []
            page.on("pageerror", lambda e: page.errors.append(str(e)))

            def route(r):
                if r.request.url.startswith("file:"):
                    return r.continue_()
                page.asked.append(r.request.url)
                return r.abort()
            page.route("**/*", route)
            page.goto(files[key].as_uri())
            page.wait_for_timeout(500)
            page.map_name = page.evaluate(FIND_MAP)
            return page
        yield open_file
        browser.close()


def test_offline_proposal_map_english(offline, app, pids):
    page = offline("prop_en")
    card = page.inner_text("#cp-title")
    assert "Data version\tv0" in card or "Data version v0" in card
    assert "Covered share (by people aged 60+)" in card
    site = app.test_client().get(f"/api/proposals/{pids['day_care']}?lang=en").get_json()["sites"][0]
    tip, pop = _click(page, page.map_name, _marker("#1 "), 14)
    assert tip.strip() == f"#1 {site['name']}"  # the hover stays short
    assert site["reason_en"] in pop
    assert f"Added covered people aged 60+\t{site['added_weight']:,.0f}" in pop
    assert f"Units it serves (its nearest facility)\t{site['served_units']}" in pop
    assert re.search(r"Farthest served cost\t[\d.,]+ (km|m)\b", pop), pop
    assert "Nearest existing facility\t" in pop and site["county_name_en"] in pop
    tip, pop = _click(page, page.map_name, _township("上津镇"), 12)
    assert "Yunxi County" in pop and "郧西县" not in pop
    assert re.search(r"Covered · people aged 60\+\t[\d,]+ / [\d,]+", pop), pop
    assert "Status\t" in pop and "Quality\tillustrative" in pop
    assert not page.asked and not page.errors


def test_offline_maps_zh_popups_and_units(offline):
    page = offline("prop_zh")
    assert "数据版本" in page.inner_text("#cp-title")
    tip, pop = _click(page, page.map_name, _marker("#1 "), 14)
    assert "新增覆盖单元\t" in pop and "最近现有设施\t" in pop and "由该点服务的单元" in pop
    assert re.search(r"最远服务对象成本\t[\d.]+ 分钟", pop), pop
    tip, pop = _click(page, page.map_name, _marker("公益性公墓(示意)"), 14)
    assert pop.startswith(tip.strip()) and "代码\tcemetery-" in pop and "质量\t示意" in pop
    # a cemetery weighs units: its share says so (not "weighted" without saying by what)
    assert "覆盖率（按单元）" in page.inner_text("#cp-title")
    assert not page.asked and not page.errors

    page = offline("map_en")
    assert "Data version" in page.inner_text("#cp-title")
    tip, pop = _click(page, page.map_name, _township("上津镇"), 12)
    assert "Yunxi County" in pop and "Covered share (units)" in pop
    tip, pop = _click(page, page.map_name, _marker("not covered"), 14)
    assert re.search(r"Travel cost\t[\d.]+ min", pop) and "Service standard\t" in pop
    assert not page.asked and not page.errors


def test_offline_proposal_map_is_of_the_data_it_was_solved_on(tmp_path):
    """After a later edit (v1) the proposal's offline map still draws, and states, v0: the data its page's
    map and its CSV title are of."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "WARM": False, "CSRF_ENABLED": False})
    try:
        c = app.test_client()
        r = c.post("/api/proposals?wait=120", json={"type": "cemetery", "model": "mclp", "p": 2})
        assert r.status_code == 201, r.get_json()
        pid = r.get_json()["proposal"]["id"]
        r = c.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "后加公墓",
                                            "lon": 110.79, "lat": 32.65})
        assert r.status_code == 200, r.get_json()
        assert app.extensions["coverplan"]["service"].version() == 1
        html = c.get(f"/proposals/{pid}/export.html?lang=zh").get_data(as_text=True)
        found = re.findall(r"数据版本\s*(?:<[^>]+>\s*)+v(\d+)", html)
        assert found == ["0"], found
        assert "后加公墓" not in html
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_brief_and_compare_state_the_data_version_and_which_share(app, pids):
    """The printed brief did not say which data version its numbers rest on, and the proposal's and the
    compare page's shares did not say they are weighted by people (the map's county chart counts units) (QA 15)."""
    c = app.test_client()
    pid = pids["day_care"]
    v = (c.get(f"/api/proposals/{pid}").get_json()["params"] or {}).get("dataset_version") or 0
    brief = c.get(f"/proposals/{pid}/brief?lang=zh").get_data(as_text=True)
    assert f'id="brief-data-version">数据版本 v{v}<' in brief
    page = c.get(f"/proposals/{pid}?lang=en").get_data(as_text=True)
    assert 'id="county-share-label">Covered share (people aged 60+)<' in page
    # a second proposal of the type: a proposal compared with itself is now asked for two (QA 21)
    other = c.post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": 2}).get_json()
    cmp = c.get(f"/proposals/compare?a={pid}&b={other['proposal']['id']}&lang=zh").get_data(as_text=True)
    assert f'<tr id="cmp-data-version"><td>数据版本</td><td class="num">v{v}</td>' in cmp
    assert "<td>覆盖率（按60岁以上人口） · 方案前</td>" in cmp


def test_an_error_page_under_proposals_leads_back_to_the_list(app, pids):
    c = app.test_client()
    r = c.get("/proposals/compare?a=nope1&b=nope2&lang=en")
    assert r.status_code == 404
    assert 'href="/proposals">Go to the site proposals list</a>' in r.get_data(as_text=True)
