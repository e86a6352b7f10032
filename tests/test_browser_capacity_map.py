"""How much, not only where, in Chromium (issue 16): the capacity, beds and accessibility layers
of a coverage map (fetched only when switched on), upgrade candidates from the K box, and a
sized proposal from the form to its page — in Chinese and English, under the app's CSP."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403

pytestmark = [pytest.mark.browser, pytest.mark.csp]

LABELS = {"zh": {"capacity": "供需", "access": "可达性", "beds": "每千名60岁以上老人床位", "shortfall": "缺口",
                 "method": "方法", "upgrades": "改造提升候选"},
          "en": {"capacity": "Capacity (supply", "access": "Accessibility", "beds": "Beds per 1,000",
                 "shortfall": "Shortfall", "method": "Method", "upgrades": "Upgrade candidates"}}


def _switch_on(page, text):
    page.locator(".leaflet-control-layers-overlays label", has_text=text).first.click()


def _click_first_with_popup(page, layer, css, tries=12):
    """Click (with the mouse, at its pixel) the features of ``layer`` until one opens a popup matching ``css``."""
    for i in range(tries):
        page.evaluate(f"""() => {{ const o = window.coverplanMaps.map; o.map.closePopup();
            const l = o.layers['{layer}'].getLayers()[{i}];
            o.map.setView(l.getLatLng ? l.getLatLng() : l.getCenter(), 10, {{animate: false}}); }}""")
        click_map_at(page, f"(() => {{ const l = window.coverplanMaps.map.layers['{layer}'].getLayers()[{i}];"
                           " return l.getLatLng ? l.getLatLng() : l.getCenter(); })()")
        if page.locator(f".leaflet-popup-content {css}").count():
            return page.inner_text(f".leaflet-popup-content {css}")
    raise AssertionError(f"no click on {layer} opened {css}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_capacity_beds_and_access_layers(page, lang):
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(page.base + f"/map/welfare_home?lang={lang}")
    wait_map(page)
    # the first load does not fetch the capacity layers: they are off until switched on
    assert not [u for u in asked if "/api/capacity" in u or "/api/access" in u]
    overlays = page.inner_text(".leaflet-control-layers-overlays")
    assert LABELS[lang]["capacity"] in overlays and LABELS[lang]["access"] in overlays
    assert ("示意" in overlays) if lang == "zh" else ("illustrative" in overlays)
    assert layer_count(page, "capacity") == 0

    # the villages and facilities sit above the fills: off, so the click reaches the township
    page.evaluate("() => { const o = window.coverplanMaps.map; ['uncovered_units', 'facilities']"
                  ".forEach(k => o.map.removeLayer(o.layers[k])); }")
    _switch_on(page, LABELS[lang]["capacity"])
    poll_js(page, "window.coverplanMaps.map.layers.capacity.getLayers().length === 129")
    assert [u for u in asked if "/api/capacity/welfare_home/layer" in u]
    text = _click_first_with_popup(page, "capacity", ".cap-pop")
    assert LABELS[lang]["shortfall"] in text and "/ 30" in text  # welfare homes: 30 beds per 1,000 aged 80+
    assert ("示意" in text) if lang == "zh" else ("illustrative" in text)
    legend = page.inner_text(".legend")
    assert "≥ 100%" in legend and "< 50%" in legend

    _switch_on(page, LABELS[lang]["beds"])
    poll_js(page, "window.coverplanMaps.map.layers.beds.getLayers().length === 8")
    beds = page.evaluate("window.coverplanMaps.map.layers.beds.getLayers().map(l => l.feature.properties.standard_per_1000)")
    assert set(beds) == {40}

    _switch_on(page, LABELS[lang]["access"])
    poll_js(page, "window.coverplanMaps.map.layers.access.getLayers().length > 1000")
    page.evaluate("() => { const o = window.coverplanMaps.map; ['capacity', 'beds'].forEach(k => o.map.removeLayer(o.layers[k])); }")
    text = _click_first_with_popup(page, "access", ".access-pop")
    assert "E2SFCA" in text and LABELS[lang]["method"] in text
    assert ("分段衰减" in text) if lang == "zh" else ("stepped decay" in text)
    page.evaluate("() => { window.coverplanMaps.map.map.setZoom(8); }")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upgrade_candidates_k5(page, lang):
    page.goto(page.base + f"/map/mutual_aid?lang={lang}")
    wait_map(page)
    page.fill("#upgrade-k", "5")
    page.click("#upgrade-run")
    poll_js(page, "document.getElementById('upgrade-card').dataset.ready === '1'", timeout=120)
    rows = page.eval_on_selector_all("#upgrade-table tbody tr", "rs => rs.map(r => r.children[0].textContent)")
    assert rows == ["1", "2", "3", "4", "5"]
    assert layer_count(page, "upgrades") == 5
    assert LABELS[lang]["upgrades"] in page.inner_text(".leaflet-control-layers-overlays")
    page.click("#upgrade-table tbody tr:first-child")
    page.wait_for_selector(".leaflet-popup-content .upgrade-pop")
    reason = page.inner_text(".leaflet-popup-content .upgrade-pop .reason")
    assert ("容量" in reason) if lang == "zh" else ("capacity" in reason)
    assert page.locator(".site-icon.upgrade-icon").count() == 5


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sized_proposal_from_the_form(page, lang):
    page.goto(page.base + f"/proposals?type=welfare_home&lang={lang}")
    page.select_option("#p-kind", "sized")
    assert page.is_visible("#p-sizes") and not page.is_visible("#p-model")
    hint = page.inner_text("#sizes-hint")
    assert "30,60,100" in hint and "300,500,750" in hint  # the type's sizes and their costs
    # a bad size is refused at once, by the field itself before anything is sent (QA 21; it was the server's
    # refusal after the click)
    page.fill("#p-sizes", "-30,60")
    page.click("#p-submit")
    from planner.i18n import t
    assert page.eval_on_selector("#p-sizes", "e => e.validationMessage") == t("form_sizes_bad", lang, n=8)
    assert page.locator("#job").is_hidden()
    page.fill("#p-sizes", "30,60,100")
    page.fill("#p-budget-sites", "3")
    page.fill("#p-name", "sized-" + lang)
    page.click("#p-submit")
    page.wait_for_url("**/proposals/*", timeout=180_000)
    wait_map(page)
    rows = page.locator("#sized-sites tr")
    assert 1 <= rows.count() <= 3
    sizes = page.eval_on_selector_all("#sized-sites td.size", "c => c.map(x => x.textContent)")
    assert set(sizes) <= {"30", "60", "100"}
    assert layer_count(page, "sites") == rows.count()
    page.click("#sized-sites tr:first-child details summary")
    assert page.is_visible("#sized-sites tr:first-child details span")
    text = page.inner_text("#sized-summary")
    assert ("剩余容量缺口" in text) if lang == "zh" else ("Remaining shortfall" in text)
    page.click("#sized-sites tr:first-child td:nth-child(2)")
    page.wait_for_selector(".leaflet-popup-content")
    pop = page.inner_text(".leaflet-popup-content")
    assert ("使用率" in pop) if lang == "zh" else ("Utilisation" in pop)
