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
