"""QA sweep 21, pages: what a planner saw on the map and the pages, each pinned in Chromium."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403

pytestmark = [pytest.mark.browser]


# -- the capacity layer is drawn in its legend's colours, not blended with the township fill below ---------
def test_the_capacity_layer_is_opaque_as_its_legend(page):
    page.goto(page.base + "/map/welfare_home?lang=en")
    wait_map(page)
    page.locator(".leaflet-control-layers-overlays label", has_text="Capacity (supply").first.click()
    poll_js(page, "window.coverplanMaps.map.layers.capacity.getLayers().length === 129")
    opacities = page.evaluate("window.coverplanMaps.map.layers.capacity.getLayers().map(l => l.options.fillOpacity)")
    # at 0.7 over the covered-share fill (0.55) its red and green mixed into shades the legend lacks
    assert set(opacities) == {1}, set(opacities)


# -- the plan package on a phone: both tables fit the screen, nothing hidden sideways ---------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_package_tables_fit_a_phone(page, proposal_id, lang):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + f"/plan?proposals={proposal_id}&lang={lang}")
    poll_js(page, "document.getElementById('plan-targets').dataset.ready === '1'")
    poll_js(page, "document.querySelectorAll('#plan-proposals input.pick').length > 0")
    widths = page.evaluate("""() => ['plan-proposals', 'plan-targets'].map(id => {
        const t = document.getElementById(id); return [id, t.scrollWidth, t.clientWidth]; })""")
    for name, scroll, client in widths:
        # the data version (picker) and "after" (targets) columns were scrolled off the screen's right edge
        assert scroll <= client + 1, (name, scroll, client)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# -- the sized form pairs each cost with its size, as the server does (review of QA 21) ---------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sized_form_pairs_costs_with_their_sizes(page, lang):
    from planner.i18n import t

    page.goto(page.base + f"/proposals?lang={lang}")
    page.select_option("#p-type", "elderly_complex")
    page.select_option("#p-kind", "sized")
    # sizes out of order: the cheapest site is size 30 at 300 (the form said size 100, its costs unsorted)
    page.fill("#p-sizes", "100,30")
    page.fill("#p-costs", "750,300")
    page.fill("#p-budget-cost", "10")
    page.click("#p-submit")
    msg = page.eval_on_selector("#p-budget-cost", "e => e.validationMessage")
    assert msg == t("form_budget_min", lang, cost="300", size="30"), msg
    page.fill("#p-budget-cost", "")
    # a size twice with costs: said as such (it was "one cost per size: 1 in all", and the server said 2)
    page.fill("#p-sizes", "30,30")
    page.fill("#p-costs", "300,300")
    page.click("#p-submit")
    msg = page.eval_on_selector("#p-costs", "e => e.validationMessage")
    assert msg == t("form_size_twice", lang, value="30"), msg
