"""A facility type added in the TOML with no colour, on the web map in real Chromium:
its markers are drawn in the default colour the types file gave it."""
from __future__ import annotations

import threading

import pytest

from browser import *  # noqa: F401,F403  (browser, page fixtures; wait_map, layer_count)
from browser import Server
from planner import facility_types
from test_type_presentation import MEAL, with_meal_points

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, shiyan):
    """The app on waitress with the meal point added to the types file, and three of the
    sample register's facilities registered as meal points (so the map has some to draw)."""
    from waitress.server import create_server

    from geo import settings
    from web.app import create_app
    from web.service import Service

    region = with_meal_points(shiyan, 3)

    class MealService(Service):
        @property
        def region(self):
            return region

    tmp = tmp_path_factory.mktemp("types")
    path = tmp / "facility_types.toml"
    path.write_text((settings.DATA_DIR / "facility_types.toml").read_text("utf-8") + MEAL, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(facility_types, "TYPES_FILE", path)
        app = create_app({"DB_PATH": str(tmp / "p.sqlite")})
        app.extensions["coverplan"]["service"] = MealService(app.config["REGION"])
        srv = create_server(app, host="127.0.0.1", port=0, threads=2)
        threading.Thread(target=srv.run, daemon=True).start()
        yield Server(f"http://127.0.0.1:{srv.effective_port}", app)
        srv.close()
        app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_type_markers_in_their_default_colour(page, lang):
    colour = facility_types.load_facility_types()["meal_point"].colour
    page.goto(page.base + f"/map/meal_point?lang={lang}")
    wait_map(page)
    assert layer_count(page, "facilities") == 3
    fills = page.evaluate("window.coverplanMaps.map.layers.facilities.getLayers().map(l => l.options.fillColor)")
    assert fills == [colour] * 3 and colour != page.evaluate("window.COVERPLAN.palette.other")
