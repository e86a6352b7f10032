"""QA 35 (fixer F2), in a browser: the Data page says a register whose written layer is over the type's limit and
keeps Confirm off; a row whose pick was refused offers its candidates again, and a click on one places it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures)
from browser import poll_js
from test_qa29_carried import register_of

SHOTS = Path("/tmp/qa35f2")
FANG = "420325"
MAOJIAN_COMMUNITY = "420302001001"  # 茅箭区·武当路街道·顾家岗社区居委会


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def check_file(page, path: Path, lang: str) -> None:
    page.goto(page.base + f"/data?lang={lang}")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    page.select_option("#u-kind", "facilities")
    page.select_option("#u-coords", "wgs84")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1'")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_says_the_written_layer_is_over_the_limit(page, lang, tmp_path, monkeypatch):
    import geo.datasets
    import web.data

    region = page.app.extensions["coverplan"]["service"].region
    fac = region.facilities
    day = fac[fac["facility_type"].astype(str) == "day_care"]
    written = 40 + int((day["county_code"].astype(str) != FANG).sum())
    monkeypatch.setattr(web.data, "facility_row_limit", lambda units: written - 4)
    monkeypatch.setattr(geo.datasets, "facility_row_limit", lambda units: written - 4)
    path = tmp_path / "fang.csv"
    path.write_bytes(register_of(region, FANG, 40, "甲"))
    check_file(page, path, lang)
    counts = page.inner_text("#r-counts")
    replace = page.inner_text("#r-replace")
    if lang == "zh":
        assert counts.startswith("不会导入任何行") and f"将有 {written:,} 处" in counts and "删去至少 4 行" in counts, counts
        assert "确认导入将被拒绝" in replace, replace
    else:
        assert counts.startswith("Nothing will be imported") and f"would hold {written:,} facilities" in counts, counts
        assert "Remove at least 4 rows" in counts and "The confirm will be refused" in replace, replace
    assert page.is_disabled("#r-confirm")
    assert page.is_visible("#r-confirm-why") and page.get_attribute("#r-confirm-why", "title")
    shot(page, f"written_over_limit_{lang}")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refused_pick_offers_its_candidates_again(page, lang, tmp_path):
    path = tmp_path / "名录.csv"
    path.write_text("名称,类型,县区,乡镇,村,床位\n东河福利院,农村福利院,房县,,东河村,10\n", encoding="utf-8")
    check_file(page, path, lang)
    assert page.locator("#issues .pick").count() == 2
    # the pick the server is sent is one outside 房县 (as a pick kept from an earlier check, or the API, sends it)
    swapped = []

    def outside(route):
        body = json.loads(route.request.post_data or "{}")
        if "picks" in body and not swapped:
            swapped.append(body["picks"])
            return route.continue_(post_data=json.dumps({"picks": {k: MAOJIAN_COMMUNITY for k in body["picks"]}}))
        return route.continue_()
    page.route("**/recheck*", outside)
    page.locator("#issues .pick").first.click()
    poll_js(page, "document.querySelector('#issues tbody').textContent.includes('" +
            ("所选地点不在其内" if lang == "zh" else "the pick lies outside it") + "')")
    assert swapped
    row = page.locator("#issues tbody tr", has_text="所选地点不在其内" if lang == "zh" else "the pick lies outside it")
    buttons = row.locator(".pick")
    assert buttons.count() == 2, row.inner_text()
    labels = buttons.all_inner_texts()
    assert all(("房县·" if lang == "zh" else "Fang County·") in b and f"({FANG}" in b for b in labels), labels
    assert page.is_disabled("#r-confirm")
    shot(page, f"refused_pick_{lang}")
    page.unroute("**/recheck*")
    buttons.nth(1).click()
    poll_js(page, "!document.querySelector('#issues tbody').textContent.includes('" +
            ("所选地点不在其内" if lang == "zh" else "the pick lies outside it") + "')")
    assert ("可导入 1" if lang == "zh" else "accepted 1") in page.inner_text("#r-counts")
    assert not page.is_disabled("#r-confirm")
    shot(page, f"picked_again_{lang}")
