"""QA 29 in Chromium: a proposal's map note words the register as its brief does. After one county's day-care
register was imported, the proposal page's note fell back to "设施名录为合成数据" (the whole register synthetic)
while its brief, CSV and the live map said "设施名录部分为合成示例（其余取自已导入的名录：…）"."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403
from planner.i18n import t
from test_qa29_carried import confirm, register_of

pytestmark = [pytest.mark.browser, pytest.mark.csp]


@pytest.fixture(scope="module")
def imported_proposal(server):
    c = server.app.test_client()
    region = server.app.extensions["coverplan"]["service"].region
    confirm(c, register_of(region, "420325", 5, "甲"), "fang.csv")
    r = c.post("/api/proposals?wait=120", json={"type": "day_care", "county": "420325", "p": 2})
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]["id"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_proposal_map_note_says_the_register_is_partly_imported(page, imported_proposal, lang):
    page.goto(page.base + f"/proposals/{imported_proposal}?lang={lang}")
    wait_map(page)
    poll_js(page, "!!document.querySelector('.map-note')")
    note = page.inner_text(".map-note")
    part = t("approx_facilities_part", lang).split("{")[0]
    assert part in note and "fang.csv" in note, note
    assert t("approx_facilities", lang) not in note.replace(part, ""), note


def _edge_pixels(page, sel: str) -> tuple[int, int]:
    """The grey level (0-255, the darkest of the row's channels) one pixel inside the element's left and right
    edges, half-way down: below 250 where a scroll shadow is drawn."""
    import io

    from PIL import Image

    el = page.query_selector(sel)
    el.scroll_into_view_if_needed()
    box = el.bounding_box()  # in the viewport now; a band at the table's top, as a planner first sees it
    top = max(box["y"], 0)
    band = {"x": box["x"], "y": top, "width": box["width"], "height": min(160, box["y"] + box["height"] - top)}
    img = Image.open(io.BytesIO(page.screenshot(clip=band))).convert("L")
    y = img.height - 20  # below the header row, whose own background covers the shadow
    return img.getpixel((1, y)), img.getpixel((img.width - 2, y))


def test_a_table_wider_than_a_phone_shows_where_it_scrolls(page, imported_proposal):
    """The compare page's English "Change" column was cut off on a phone with nothing telling the table
    scrolls: a shadow now marks the edge with more to see, and goes when that end is reached."""
    other = page.app.test_client().post("/api/proposals?wait=120",
                                        json={"type": "day_care", "county": "420325", "p": 4}).get_json()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + f"/proposals/compare?a={imported_proposal}&b={other['proposal']['id']}&lang=en")
    page.wait_for_selector("#diff")
    wide = page.evaluate("(() => { const t = document.getElementById('diff'); return t.scrollWidth - t.clientWidth; })()")
    assert wide > 0, "the table fits: nothing to test"
    left, right = _edge_pixels(page, "#diff")
    assert left >= 250 and right < 240, (left, right)
    page.evaluate("document.getElementById('diff').scrollLeft = 100000")
    page.wait_for_timeout(100)
    left, right = _edge_pixels(page, "#diff")
    assert left < 240 and right >= 250, (left, right)


@pytest.mark.parametrize("path,sel", [("/facilities?lang=zh", "#facilities"), ("/townships?lang=en", "table.data")])
def test_a_long_wide_table_shows_its_scroll_shadow_at_the_top_too(page, path, sel):
    """On the facilities list (a table 60,000 px tall) the shadow, a radial gradient over the whole height,
    had faded to nothing where the planner looks."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + path)
    page.wait_for_selector(sel + " tbody tr")
    poll_js(page, f"document.querySelector('{sel}').scrollHeight > 2000")
    wide = page.evaluate(f"(() => {{ const t = document.querySelector('{sel}'); return t.scrollWidth - t.clientWidth; }})()")
    assert wide > 0, "the table fits: nothing to test"
    left, right = _edge_pixels(page, sel)
    assert left >= 250 and right < 240, (left, right)
