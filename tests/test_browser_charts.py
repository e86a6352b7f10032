"""Charts drawn in the browser (web/static/charts.js): county names in the page's language.

The county chart and the proposal's cost histogram are inline SVG built from
/api/charts/...; their <text> elements are read back from real Chromium.
"""
from __future__ import annotations

import re

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures; wait_map, layer_count)

pytestmark = pytest.mark.browser

COUNTIES = {  # code: (Chinese, English)
    "420302": ("茅箭区", "Maojian District"), "420303": ("张湾区", "Zhangwan District"),
    "420304": ("郧阳区", "Yunyang District"), "420322": ("郧西县", "Yunxi County"),
    "420323": ("竹山县", "Zhushan County"), "420324": ("竹溪县", "Zhuxi County"),
    "420325": ("房县", "Fang County"), "420381": ("丹江口市", "Danjiangkou City"),
}
CODE = re.compile(r"\b\d{6}\b")


def chart_texts(page, box: str) -> list[str]:
    page.wait_for_selector(f"{box}[data-ready='1'] svg")
    return page.eval_on_selector_all(f"{box} svg text", "els => els.map(e => e.textContent)")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_county_chart_names_in_the_page_language(page, lang):
    page.goto(page.base + f"/map/day_care?lang={lang}")
    texts = chart_texts(page, "#county-chart-box")
    names = page.eval_on_selector_all("#county-chart-box svg text.county-name", "els => els.map(e => e.textContent)")
    want = {zh if lang == "zh" else en for zh, en in COUNTIES.values()}
    other = {en if lang == "zh" else zh for zh, en in COUNTIES.values()}
    assert sorted(names) == sorted(want)
    assert not other & set(texts), "names in the other language"
    assert not [s for s in texts if CODE.search(s)], f"county codes shown: {texts}"
    # one bar per county, each with its "NN.N% (n/m)" figure, best covered on top
    assert page.locator("#county-chart-box svg rect").count() == 8
    values = page.eval_on_selector_all("#county-chart-box svg text.value", "els => els.map(e => e.textContent)")
    assert len(values) == 8 and all(re.fullmatch(r"[<>]?\d+(\.\d+)?% \(\d+/\d+\)", v) for v in values), values
    shares = [float(v.split("%")[0].lstrip("<>")) for v in values]
    assert shares == sorted(shares, reverse=True)
    # bar colours are the map legend's classes (window.COVERPLAN.palette), with their key
    palette = page.evaluate("window.COVERPLAN.palette")
    fills = set(page.eval_on_selector_all("#county-chart-box svg rect", "els => els.map(e => e.getAttribute('fill'))"))
    assert fills <= {c["color"] for c in palette["classes"]}
    # the server-rendered chart stays as a download
    href = page.get_attribute(".chart-dl a", "href")
    assert href.startswith("/charts/coverage_by_county/day_care.svg") and f"lang={lang}" in href


def test_overview_county_chart_follows_the_type(page):
    page.goto(page.base + "/?lang=en")
    chart_texts(page, "#county-chart-box")
    page.select_option("#chart-type", "cemetery")
    page.wait_for_function("document.getElementById('county-chart-box').dataset.chart.includes('/cemetery')"
                           " && document.getElementById('county-chart-box').dataset.ready === '1'")
    names = page.eval_on_selector_all("#county-chart-box svg text.county-name", "els => els.map(e => e.textContent)")
    assert sorted(names) == sorted(en for _, en in COUNTIES.values())
    assert "cemetery" in page.get_attribute("#county-chart-png", "href")


@pytest.mark.parametrize("lang, unit", [("zh", "分钟"), ("en", "min")])
def test_proposal_cost_histogram_is_drawn(page, proposal_id, lang, unit):
    page.goto(page.base + f"/proposals/{proposal_id}?lang={lang}")
    texts = chart_texts(page, "#costs-chart")
    data = page.app.test_client().get(f"/api/charts/proposals/{proposal_id}/costs?lang={lang}").get_json()
    # two step lines (before, after), one vertical step per bin
    paths = page.eval_on_selector_all("#costs-chart svg path.step", "els => els.map(e => e.getAttribute('d'))")
    assert len(paths) == 2
    for d in paths:
        assert d.count("H") == len(data["edges"]) - 1
    assert len(set(paths)) == 2, "before and after are the same line"
    # dashed line(s) at the service standard(s), labelled
    assert page.locator("#costs-chart svg line.standard").count() == len(data["standards"]) >= 1
    labels = {s["label"] for s in data["standards"]}
    assert labels <= set(texts)
    # axis titles with their units, legend in the page's language
    assert any(unit in s and s == data["x_label"] for s in texts), texts
    assert data["y_label"] in texts
    # and the y axis says what the weight counts (it said "Demand weight" alone)
    assert data["y_label"].endswith("）" if lang == "zh" else ")") and data["y_label"] != data["x_label"], data["y_label"]
    assert {"方案前", "方案后"} <= set(texts) if lang == "zh" else {"Before", "After"} <= set(texts)
