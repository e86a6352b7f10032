"""Marking candidate sites required/forbidden on the coverage map, in real Chromium, and the
proposal form that keeps to the marks."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures; wait_map, layer_count)

pytestmark = pytest.mark.browser
TYPE = "elderly_complex"


def wait_true(page, expression: str, arg=None, timeout: float = 30.0) -> None:
    """Wait for ``expression`` across the reload an edit makes (the page is replaced meanwhile)."""
    import time
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if page.evaluate(expression, arg):
                return
        except Exception:  # the page is being replaced: ask the new one
            pass
        time.sleep(0.2)
    raise TimeoutError(expression)


def open_candidate(page, cid: str) -> None:
    page.evaluate("(cid) => { const m = window.coverplanMaps.map; m.layers.candidates.addTo(m.map);"
                  " m.layers.candidates.eachLayer(l => { if (l.feature.properties.id === cid) {"
                  " m.map.setView(l.getLatLng(), 12, {animate: false}); l.openPopup(); } }); }", cid)


def test_mark_a_candidate_required_then_forbidden_then_clear(page, shiyan):
    page.goto(page.base + f"/map/{TYPE}?lang=zh")
    wait_map(page)
    cands = page.evaluate("() => window.coverplanMaps.map.data.candidates.features.map(f => f.properties.id)")
    assert len(cands) > 50
    cid = cands[7]
    page.click("#edit-toggle")
    page.on("dialog", lambda d: d.accept("已落实用地"))
    open_candidate(page, cid)
    page.click(".edit-actions .mark-required")
    page.wait_for_url("**edit=1**")
    wait_map(page)
    props = page.evaluate("(cid) => window.coverplanMaps.map.data.candidates.features"
                          ".find(f => f.properties.id === cid).properties", cid)
    assert props["mark"] == "required"
    # marked candidates are on the map at once, drawn in the marks' colour
    assert page.evaluate("() => window.coverplanMaps.map.map.hasLayer(window.coverplanMaps.map.layers.candidates)")
    assert "必选 1 · 禁选 0" in page.locator(".leaflet-control-layers").inner_text()
    page.screenshot(path="test-artifacts/marks-map-zh.png")

    # the proposal form says the type's proposals keep to the mark
    page.goto(page.base + f"/proposals?type={TYPE}&lang=zh")
    page.wait_for_selector("#p-marks:not([hidden])")
    assert "1 个必选" in page.locator("#p-marks").inner_text()
    page.goto(page.base + f"/proposals?type={TYPE}&lang=en")
    assert "1 required" in page.locator("#p-marks").inner_text()
    page.screenshot(path="test-artifacts/marks-form-en.png")

    # forbidden for every type, then cleared
    page.goto(page.base + f"/map/{TYPE}?lang=en&edit=1")
    wait_map(page)
    open_candidate(page, cid)
    page.check(".edit-actions .mark-all")
    page.click(".edit-actions .mark-forbidden")
    wait_true(page, "(cid) => window.coverplanMaps && window.coverplanMaps.map && window.coverplanMaps.map.data"
                    ".candidates.features.some(f => f.properties.id === cid && f.properties.mark === 'forbidden')", cid)
    assert "0 required · 1 forbidden" in page.locator(".leaflet-control-layers").inner_text()
    open_candidate(page, cid)
    assert "for every facility type" in page.locator(".cand-pop").inner_text()
    page.screenshot(path="test-artifacts/marks-map-en.png")
    page.click(".edit-actions .mark-clear")
    wait_true(page, "() => window.coverplanMaps && window.coverplanMaps.map && window.coverplanMaps.map.data.marks &&"
                    " window.coverplanMaps.map.data.marks.forbidden === 0")
    store = page.app.extensions["coverplan"]["service"].datasets
    assert [v.kind for v in store.versions()][-3:] == ["edit", "edit", "edit"]
    assert store.region().site_marks.empty


def test_names_only_register_ambiguous_row_resolved_by_clicking_a_candidate(page, shiyan, tmp_path):
    from test_register_picks import names_only

    path, one, twice = names_only(tmp_path, shiyan)
    page.goto(page.base + "/data?lang=zh")
    page.wait_for_function("document.getElementById('versions').dataset.ready === '1'")
    page.select_option("#u-kind", "facilities")
    page.select_option("#u-type", "day_care")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    page.wait_for_function("document.getElementById('report').dataset.ready === '1'")
    assert "可导入 1" in page.locator("#r-counts").inner_text()
    picks = page.locator("#issues .pick")
    assert picks.count() >= 2
    page.screenshot(path="test-artifacts/picks-before-zh.png")
    page.evaluate("() => { document.getElementById('report').dataset.ready = ''; }")
    picks.first.click()
    page.wait_for_function("document.getElementById('report').dataset.ready === '1'")
    assert "可导入 2" in page.locator("#r-counts").inner_text()
    assert "已按规划人员的选择定位到" in page.locator("#issues").inner_text()
    assert page.evaluate("window.coverplanMaps['preview-map'].layers.preview.getLayers().length") == 2
    page.screenshot(path="test-artifacts/picks-after-zh.png")


def test_add_a_candidate_site_of_ones_own_on_the_map_then_remove_it(page, shiyan):
    page.goto(page.base + f"/map/{TYPE}?lang=zh")
    wait_map(page)
    page.click("#edit-toggle")
    assert page.locator("#edit-what").is_visible()
    page.select_option("#edit-what", "site_all")
    town = shiyan.townships.iloc[70].geometry.representative_point()
    page.evaluate(f"() => {{ const m = window.coverplanMaps.map; m.map.setView([{town.y}, {town.x}], 13, {{animate: false}});"
                  " m.layers.uncovered_units.remove(); m.layers.candidates.remove(); }")
    answers = iter(["村委会闲置校舍", "镇政府提供"])
    page.on("dialog", lambda d: d.accept(next(answers, "")))
    click_map_at(page, f"L.latLng({town.y}, {town.x})")
    page.wait_for_url("**edit=1**")
    wait_map(page)
    own = page.evaluate("() => window.coverplanMaps.map.data.candidates.features"
                        ".filter(f => f.properties.kind === 'planner_site').map(f => f.properties)")
    assert [s["name"] for s in own] == ["村委会闲置校舍"]
    # shown at once (the planner's own sites are never out of sight), in zh and en
    assert page.evaluate("() => window.coverplanMaps.map.map.hasLayer(window.coverplanMaps.map.layers.candidates)")
    page.screenshot(path="test-artifacts/own-site-zh.png")
    open_candidate(page, own[0]["id"])
    assert "规划人员添加" in page.locator(".cand-pop").inner_text()
    page.click(".edit-actions .site-remove")  # confirm and note: accepted by the handler above
    wait_true(page, "() => window.coverplanMaps && window.coverplanMaps.map && window.coverplanMaps.map.data"
                    ".candidates.features.every(f => f.properties.kind !== 'planner_site')")
