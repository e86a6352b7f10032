"""English pages as drawn in Chromium: county names in English where the scripts draw them
(the map's county select, popups, search results, the checklist), the plan's sections
numbered; the Chinese pages unchanged. (The server side is in tests/test_english_pages.py.)"""
from __future__ import annotations

import re

import pytest

from browser import *  # noqa: F401,F403

pytestmark = pytest.mark.browser

EN = ["Maojian District", "Zhangwan District", "Yunyang District", "Yunxi County", "Zhushan County",
      "Zhuxi County", "Fang County", "Danjiangkou City"]
ZH = ["茅箭区", "张湾区", "郧阳区", "郧西县", "竹山县", "竹溪县", "房县", "丹江口市"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_overview_county_select_and_sections(page, lang):
    page.goto(page.base + f"/?lang={lang}")
    wait_map(page)
    options = page.eval_on_selector_all(".map-county option", "o => o.map(x => x.textContent)")
    assert options == (["Whole city"] + EN if lang == "en" else ["全市"] + ZH)
    page.wait_for_selector("#targets-table tbody tr")
    sections = page.eval_on_selector_all("#targets-table tbody tr td:first-child", "c => c.map(x => x.textContent)")
    if lang == "en":
        assert all(re.fullmatch(r"§\d+(, §\d+)*", s) for s in sections), sections
        assert "§9, §10" in sections and "§24" in sections
        types = page.eval_on_selector_all("#targets-table tbody tr td:nth-child(2)", "c => c.map(x => x.textContent)")
        assert "Village/community programme" in types and "village/community programme" not in types
    else:
        assert "(九)、(十)" in sections and "(二十四)" in sections
    page.wait_for_selector("#beds-by-county p")
    note = page.inner_text("#beds-by-county p")
    assert ("work plan §8" in note) if lang == "en" else ("第(八)条" in note)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_map_popups_and_search_name_counties_in_the_page_language(page, lang):
    page.goto(page.base + f"/map/elderly_complex?lang={lang}")
    wait_map(page)
    assert page.eval_on_selector_all(".map-county option", "o => o.map(x => x.textContent)")[1:] == (EN if lang == "en" else ZH)
    page.evaluate("() => { const l = window.coverplanMaps.map.layers.townships.getLayers()"
                  ".find(x => x.feature.properties.county_code === '420323'); l.openPopup(l.getCenter()); }")
    county = page.inner_text(".leaflet-popup-content h4 small")
    assert county == ("Zhushan County" if lang == "en" else "竹山县")
    page.fill(".map-search-input", "城关镇")
    page.wait_for_selector(".map-search-results li[data-i]")
    found = page.inner_text(".map-search-results")
    assert ("Fang County" in found and "房县" not in found) if lang == "en" else ("房县" in found)


def test_seat_named_after_a_county_in_english(page):
    page.goto(page.base + "/map/funeral_home?lang=en")
    wait_map(page)
    name = page.evaluate("""() => {
        const out = window.coverplanMaps.map;
        const all = out.layers.uncovered_units.getLayers().concat(out.layers.covered_units.getLayers());
        const l = all.find(x => x.feature.properties.name === '房县县城');
        if (!out.map.hasLayer(out.layers.covered_units)) out.layers.covered_units.addTo(out.map);
        l.openPopup();
        return document.querySelector('.leaflet-popup-content h4').textContent; }""")
    assert name == "Fang County seat"


def test_checklist_county_column_in_english(page):
    page.goto(page.base + "/townships?type=cemetery&lang=en")
    poll_js(page, "document.getElementById('checklist').dataset.ready === '1'")
    counties = set(page.eval_on_selector_all("#checklist tbody tr td:nth-child(3)", "c => c.map(x => x.textContent)"))
    assert counties == set(EN)
    page.select_option("#f-county", "420325")
    poll_js(page, "document.getElementById('checklist').dataset.ready === '1' && "
                  "[...document.querySelectorAll('#checklist tbody tr')].every(r => r.dataset.county === '420325')")
    assert set(page.eval_on_selector_all("#checklist tbody tr td:nth-child(3)", "c => c.map(x => x.textContent)")) == {"Fang County"}


def test_facilities_township_list_in_english(page):
    page.goto(page.base + "/facilities?lang=en")
    page.wait_for_selector("#f-township option[value='420325100']", state="attached")
    label = page.inner_text("#f-township option[value='420325100']")
    assert label.endswith(" (Fang County)") and "（" not in label
    assert page.inner_text("#f-township option[value='']") == "All"
