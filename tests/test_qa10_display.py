"""QA10 display fixes: the county chart's colours are the map legend's classes, the CLI names
what each coverage share is, thousands separators, the checklist export's units."""
from __future__ import annotations

import re

import pytest
from browser import *  # noqa: F401,F403  (server, browser, page fixtures)

from cli.main import main


# -- 6. `coverplan coverage` names its shares ---------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_coverage_names_the_weighted_and_the_unit_share(capsys, lang):
    from geo import settings
    from geo.regions import load_region
    from planner.coverage import analyse_coverage

    assert main(["--lang", lang, "coverage", "--type", "day_care"]) == 0
    out = capsys.readouterr().out
    cov = analyse_coverage(load_region(settings.DEFAULT_REGION), "day_care")
    s = cov.summary
    weighted = f"{s['covered_weight']:,} / {s['weight']:,}"
    if lang == "zh":
        assert f"按单元数：已覆盖 {s['covered_units']:,} / {s['units']:,} 个需求单元" in out
        assert f"按60岁以上人口加权：已覆盖 {weighted} 人（{100 * s['covered_share']:.1f}%）" in out
    else:
        assert f"By units: {s['covered_units']:,} / {s['units']:,} demand units covered" in out
        assert f"Weighted by people aged 60+: {weighted} people covered ({100 * s['covered_share']:.1f}%)" in out
    assert "1979" not in out and "1,979" in out  # thousands separators
    # every county line carries the web chart's unit share (n/m) beside the weighted share
    for code, r in cov.by_county.iterrows():
        line = next(x for x in out.splitlines() if x.strip().startswith(str(code)))
        unit = f"{100 * r['covered_units'] / r['units']:.1f}% ({r['covered_units']}/{r['units']})"
        assert unit in line and f"{100 * r['covered_share']:.1f}%" in line, line


def test_cli_coverage_of_a_type_weighted_by_units_prints_one_share(capsys):
    assert main(["coverage", "--type", "cemetery"]) == 0
    out = capsys.readouterr().out
    assert "按单元数：已覆盖" in out and "加权" not in out


# -- 5. the county chart uses the map legend's classes ------------------------------------------
def test_county_chart_download_uses_the_map_classes_with_a_key(client):
    from planner import palette

    rows = client.get("/api/charts/coverage_by_county/day_care?lang=en").get_json()["rows"]
    assert [r["color"] for r in rows] == [palette.share_colour(r["share"]) for r in rows]
    assert len({r["color"] for r in rows}) >= 3  # a test that can fail: the sample spans classes
    svg = client.get("/charts/coverage_by_county/day_care.svg?lang=en").get_data(as_text=True)
    fills = set(re.findall(r"fill:\s*(#[0-9a-f]{6})", svg))
    assert {r["color"] for r in rows} <= fills and "#2f6ea5" not in fills  # no colour of the chart's own
    for _, colour, label in palette.SHARE_CLASSES:  # the key: every class, as the map legend
        assert label in svg and colour in fills


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_county_chart_bars_take_the_map_class_of_their_share(page, lang):
    from planner import palette

    page.goto(page.base + f"/map/day_care?lang={lang}")
    page.wait_for_selector("#county-chart-box[data-ready='1'] svg")
    rows = page.app.test_client().get(f"/api/charts/coverage_by_county/day_care?lang={lang}").get_json()["rows"]
    fills = page.eval_on_selector_all("#county-chart-box svg rect", "els => els.map(e => e.getAttribute('fill'))")
    assert fills == [palette.share_colour(r["share"]) for r in rows]
    key = page.eval_on_selector_all("#county-chart-box .chart-key span", "els => els.map(e => e.textContent)")
    assert key == [label for _, _, label in palette.SHARE_CLASSES]


@pytest.mark.browser
def test_a_figure_inside_a_light_bar_is_dark(page):
    page.goto(page.base + "/map/welfare_home?lang=en")
    page.wait_for_selector("#county-chart-box[data-ready='1'] svg")
    inks = page.eval_on_selector_all(
        "#county-chart-box svg g.bar",
        "gs => gs.map(g => [g.querySelector('rect').getAttribute('fill'),"
        " getComputedStyle(g.querySelector('text.value')).fill])")
    light = [ink for fill, ink in inks if fill == "#a6d96a"]
    assert light and all(ink != "rgb(255, 255, 255)" for ink in light), inks


# -- 7. the before/after table's metric names stay readable -------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 1100])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_before_after_metric_names_take_at_most_two_lines(page, proposal_id, lang, width):
    page.set_viewport_size({"width": width, "height": 768})
    page.goto(page.base + f"/proposals/{proposal_id}?lang={lang}")
    page.wait_for_selector("table.before-after")
    lines = page.eval_on_selector_all(
        "table.before-after tbody td:first-child",
        "els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return [e.textContent, new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]; })")
    assert len(lines) >= 4 and all(n <= 2 for _, n in lines), lines
    # and the table stays inside its card
    right, card = page.evaluate("(() => { const t = document.querySelector('table.before-after');"
                                " return [t.getBoundingClientRect().right, t.parentElement.getBoundingClientRect().right]; })()")
    assert right <= card + 0.5


# -- 8. thousands separators --------------------------------------------------------------------
def test_map_summary_counts_have_thousands_separators(client):
    html = client.get("/map/day_care?lang=zh").get_data(as_text=True)
    summary = html[html.index('id="summary"'):]
    summary = re.sub(r"\s+", " ", summary[:summary.index("</table>")])
    assert re.search(r"需求单元</th> ?<td class=\"num\">1,979<", summary), summary
    assert ">1979<" not in summary and not re.search(r"\b\d{4,}\b", re.sub(r"\d{1,3}(,\d{3})+", "", summary))


# -- 14. the checklist export names the units of its weights and shortfall -----------------------
def _csv(resp) -> list[list[str]]:
    import csv
    import io
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


@pytest.mark.parametrize("lang, weight, covered, short", [
    ("zh", "需求权重（60岁以上人口）", "已覆盖权重（60岁以上人口）", "容量缺口（个日托位）"),
    ("en", "Demand weight (people aged 60+)", "Covered weight (people aged 60+)", "Capacity shortfall (day places)")])
def test_one_type_checklist_headers_name_their_units(client, lang, weight, covered, short):
    from openpyxl import load_workbook
    import io
    head = _csv(client.get(f"/api/townships.csv?type=day_care&lang={lang}"))[1]
    assert head[10:12] == [weight, covered] and head[15] == short
    ws = load_workbook(io.BytesIO(client.get(f"/api/townships.xlsx?type=day_care&lang={lang}").data)).active
    assert [ws.cell(2, c).value for c in (11, 12, 16)] == [weight, covered, short]
    # a type weighted by units says so
    head = _csv(client.get("/api/townships.csv?type=cemetery&lang=zh"))[1]
    assert head[10] == "需求权重（需求单元数）"


def test_all_types_checklist_gives_each_row_its_units(client):
    from planner.facility_types import load_facility_types
    from planner.i18n import t
    types = load_facility_types()
    table = _csv(client.get("/api/townships.csv?lang=zh"))
    head, rows = table[1], table[2:]
    assert "需求权重" in head and "需求权重单位" in head and "容量缺口单位" in head
    wu, cu, tn, short = (head.index(c) for c in ("需求权重单位", "容量缺口单位", "设施类型", "容量缺口"))
    by_name = {ft.name("zh"): ft for ft in types.values()}
    seen = set()
    for r in rows:
        ft = by_name[r[tn]]
        want = t("weight_units_count", "zh") if ft.weight == "units" else t(f"weight_{ft.weight}", "zh")
        assert r[wu] == want
        if r[short] != "":
            assert r[cu] == t(f"capw_unit_{ft.capacity.field}", "zh")
        seen.add(r[wu])
    assert len(seen) > 1  # a test that can fail: several weights in one file
