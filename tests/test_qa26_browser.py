"""QA 26 in Chromium: the overview's bed-target card and the coverage map's upgrade card check their
numbers in the page's language (as the proposal form), and the map legend follows the layers shown.

1. 床位指标分解 (#bt-target) and 改造提升候选 (#upgrade-k) showed the browser's own messages ("Value must
   be greater than or equal to 1." on the Chinese page): now the page's words, what is wrong and how to
   put it right, the value kept and nothing asked of the server.
2. The map legend listed every layer's key with every layer unticked, and had no key for the numbered
   upgrade markers: now a layer's key shows while the layer does, the markers' key while they are shown.
"""
from __future__ import annotations

import re

import pytest

from browser import *  # noqa: F401,F403
from planner.i18n import t

pytestmark = [pytest.mark.browser, pytest.mark.csp]

LANGS = ["zh", "en"]


def _bound(v: float) -> str:
    """A bound as the page writes it (CP.fmt: grouped thousands in both languages)."""
    return f"{v:,.0f}" if float(v) == int(v) else f"{v:,}"


def _message(page, sel: str) -> str:
    return page.eval_on_selector(sel, "e => e.validationMessage")


def _type_into(page, sel: str, text: str) -> None:
    """What a person types: the field emptied, then the keys (fill() refuses "1e" in a number field)."""
    page.fill(sel, "")
    page.click(sel)
    if text:
        page.keyboard.type(text)


# -- 1. the bed target card -----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_bed_target_says_what_is_wrong_in_the_pages_language(page, lang):
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/beds" in r.url else None)
    page.goto(page.base + f"/?lang={lang}")
    page.wait_for_selector("#bt-form")
    page.select_option("#bt-county", "420325")  # 房县: a county's own target
    most = _bound(float(page.get_attribute("#bt-target", "max")))
    cases = [("0", t("form_too_small", lang).replace("{min}", "1")),
             ("-5", t("form_too_small", lang).replace("{min}", "1")),
             ("500.5", t("form_whole_number", lang)),
             ("2000000", t("form_too_large", lang).replace("{max}", most)),
             ("1e", t("form_not_a_number", lang)),
             ("", t("form_bt_target_missing", lang))]
    for typed, want in cases:
        _type_into(page, "#bt-target", typed)
        page.click("#bt-run")
        page.wait_for_timeout(200)
        assert _message(page, "#bt-target") == want, typed
        if typed != "1e":  # what the field holds of "1e" is "" (the browser's own reading)
            assert page.input_value("#bt-target") == typed  # the value kept, to be put right
    assert asked == [], asked  # none of them was sent
    page.screenshot(path=str(ARTIFACTS / f"qa26_bt_invalid_{lang}.png"))
    # put right: the message goes and the target is given out
    _type_into(page, "#bt-target", "1000")
    assert _message(page, "#bt-target") == ""
    page.click("#bt-run")
    poll_js(page, "document.getElementById('beds-target-card').dataset.ready === '1'", timeout=60)
    assert len(asked) == 1 and "target=1000" in asked[0]


# -- 1. the upgrade card's K ----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_upgrade_k_says_what_is_wrong_in_the_pages_language(page, lang):
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/upgrades" in r.url else None)
    page.goto(page.base + f"/map/welfare_home?lang={lang}")
    wait_map(page)
    most = int(page.get_attribute("#upgrade-k", "max"))
    cases = [("0", t("form_too_small", lang).replace("{min}", "1")),
             ("2.5", t("form_whole_number", lang)),
             (str(most + 1), t("form_too_large", lang).replace("{max}", _bound(most))),
             ("1e", t("form_not_a_number", lang))]
    for typed, want in cases:
        _type_into(page, "#upgrade-k", typed)
        page.click("#upgrade-run")
        page.wait_for_timeout(200)
        assert _message(page, "#upgrade-k") == want, typed
        if typed != "1e":
            assert page.input_value("#upgrade-k") == typed
    assert asked == [], asked
    page.screenshot(path=str(ARTIFACTS / f"qa26_upgrade_k_invalid_{lang}.png"))
    # converting has its own most: the K typed for it is checked against that one
    if page.locator("#upgrade-convert:not([disabled])").count():
        page.check("#upgrade-convert")
        most_conv = int(page.get_attribute("#upgrade-k", "max"))
        _type_into(page, "#upgrade-k", str(most_conv + 1))
        page.click("#upgrade-run")
        page.wait_for_timeout(200)
        assert _message(page, "#upgrade-k") == t("form_too_large", lang).replace("{max}", _bound(most_conv))
        page.uncheck("#upgrade-convert")
        assert asked == [], asked
    _type_into(page, "#upgrade-k", "3")
    assert _message(page, "#upgrade-k") == ""
    page.click("#upgrade-run")
    poll_js(page, "document.getElementById('upgrade-card').dataset.ready === '1'", timeout=120)
    assert len(asked) == 1 and "k=3" in asked[0]


# -- 2. the legend follows the layers -------------------------------------------------------------------
def _legend(page) -> str:
    return page.inner_text("#map .legend .lg-body")


def _toggle(page, label: str) -> None:
    page.locator(".leaflet-control-layers-overlays label", has_text=re.compile(r"^\s*" + re.escape(label))).first.click()
    page.wait_for_timeout(150)


def _checked(page, label: str) -> bool:
    return page.locator(".leaflet-control-layers-overlays label", has_text=re.compile(r"^\s*" + re.escape(label))) \
        .first.locator("input").is_checked()


@pytest.mark.parametrize("lang", LANGS)
def test_the_legend_shows_the_keys_of_the_layers_shown(page, lang):
    page.goto(page.base + f"/map/welfare_home?lang={lang}")
    wait_map(page)
    if page.get_attribute("#map .lg-toggle", "aria-expanded") == "false":
        page.click("#map .lg-toggle")
    overlays = page.inner_text(".leaflet-control-layers-overlays")
    pts = "points" if t("uncovered_points", lang) in overlays else "villages"
    # the layer list's name -> what the legend says of it
    keys = {t("service_areas", lang): t("service_areas", lang),
            t("township_polygons", lang): t("legend_share", lang),
            t("county_boundaries", lang): t("county_boundaries", lang),
            t("uncovered_" + pts, lang): t("uncovered_" + pts, lang),
            t("covered_" + pts, lang): t("covered_" + pts, lang),
            t("candidate_sites", lang): t("candidate_sites", lang),
            t("existing_facilities", lang): t("existing_facilities", lang)}

    def has(text, key):  # whole lines: "Covered demand points" is in "Uncovered demand points"
        return any(line.strip().startswith(key) for line in text.splitlines())

    # as loaded: the keys of the layers that are on, none of those that are off (candidates, covered points)
    legend = _legend(page)
    for name, key in keys.items():
        assert has(legend, key) == _checked(page, name), (name, legend)
    assert not has(legend, t("candidate_sites", lang)) and not has(legend, t("covered_" + pts, lang))
    # each layer off: its key goes; on again: it comes back
    for name, key in keys.items():
        on = _checked(page, name)
        _toggle(page, name)
        assert has(_legend(page), key) == (not on), (name, _legend(page))
        _toggle(page, name)
        assert has(_legend(page), key) == on, (name, _legend(page))
    # every layer off (QA 26: the legend still listed them all over an empty map)
    for name in keys:
        if _checked(page, name):
            _toggle(page, name)
    legend = _legend(page)
    page.screenshot(path=str(ARTIFACTS / f"qa26_legend_none_{lang}.png"))
    for name, key in keys.items():
        assert not has(legend, key), (name, legend)
    assert "100%" not in legend  # the covered-share classes went with the townships
    # every one on: every key
    for name in keys:
        _toggle(page, name)
    legend = _legend(page)
    for name, key in keys.items():
        assert has(legend, key), (name, legend)
    page.screenshot(path=str(ARTIFACTS / f"qa26_legend_all_{lang}.png"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_upgrade_markers_have_a_legend_key_while_shown(page, lang):
    page.goto(page.base + f"/map/welfare_home?lang={lang}")
    wait_map(page)
    if page.get_attribute("#map .lg-toggle", "aria-expanded") == "false":
        page.click("#map .lg-toggle")
    converted, upgraded = t("capw_converted_sites", lang), t("capw_upgraded_sites", lang)
    assert converted not in _legend(page) and upgraded not in _legend(page)
    # K = 8, converted (the tester's run): the numbered markers' key, worded as a proposal's page
    _type_into(page, "#upgrade-k", "8")
    page.check("#upgrade-convert")
    _type_into(page, "#upgrade-k", "8")
    page.click("#upgrade-run")
    poll_js(page, "document.getElementById('upgrade-card').dataset.ready === '1'", timeout=120)
    assert layer_count(page, "upgrades") == 8
    legend = _legend(page)
    assert converted + " (" + t("illustrative", lang) + ")" in legend, legend  # the sample register's homes
    assert upgraded not in legend
    # the key shows the markers' own swatch: a number in the upgrade markers' colour
    colours = page.evaluate("""() => [getComputedStyle(document.querySelector('#map .legend .lg-body .site-sw.upgrade-sw')).backgroundColor,
        getComputedStyle(document.querySelector('.site-icon.upgrade-icon span')).backgroundColor]""")
    assert colours[0] == colours[1], colours
    page.screenshot(path=str(ARTIFACTS / f"qa26_legend_upgrades_{lang}.png"))
    # the markers off in the layer list: their key goes; on again: back
    _toggle(page, t("capw_layer_upgrades", lang))
    assert converted not in _legend(page)
    _toggle(page, t("capw_layer_upgrades", lang))
    assert converted in _legend(page)
    # upgraded, not converted: the key says so (one key, the last run's)
    page.uncheck("#upgrade-convert")
    _type_into(page, "#upgrade-k", "5")
    page.click("#upgrade-run")
    poll_js(page, "document.getElementById('upgrade-card').dataset.ready === '1' && "
                  "window.coverplanMaps.map.layers.upgrades && window.coverplanMaps.map.layers.upgrades.getLayers().length === 5")
    legend = _legend(page)
    assert upgraded in legend and converted not in legend and legend.count(upgraded) == 1, legend
    # a K the field refuses takes the markers off the map: their key goes with them
    _type_into(page, "#upgrade-k", "0")
    page.click("#upgrade-run")
    page.wait_for_timeout(200)
    assert upgraded not in _legend(page)


# -- the data page: a type picked for a register does not go with a village file --------------------------------------
def test_a_village_file_is_checked_after_a_type_was_picked_for_a_register(page, shiyan, tmp_path):
    """The server now refuses a type for villages (QA 26), and the form sent its disabled type box's value."""
    v = shiyan.villages.iloc[:3]
    path = tmp_path / "villages.csv"
    path.write_text("code,lon,lat\n" + "".join(f"{c},{g.x},{g.y}\n" for c, g in zip(v.index, v.geometry)), "utf-8")
    page.goto(page.base + "/data?lang=en")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    page.select_option("#u-kind", "facilities")
    page.select_option("#u-type", "cemetery")
    page.select_option("#u-kind", "villages")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1' || "
                  "document.getElementById('u-status').className.indexOf('bad') >= 0")
    assert page.locator("#u-status").get_attribute("class").find("bad") < 0, page.inner_text("#u-status")
    assert page.evaluate("document.getElementById('report').dataset.ready") == "1"
