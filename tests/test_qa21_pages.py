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
