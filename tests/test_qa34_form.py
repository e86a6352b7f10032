"""QA 34 (fixer QA34-F3), the proposal form's K (how many facilities an upgrade or a conversion chooses):

1. The form asked GET /api/types once for the per-county limits of upgrades and conversions; until it answered,
   K had the browser's bare "at most N" and no hint. The page now carries the limits (script#p-klimits, from the
   types /api/types says them of): the hint is there at once, with no request for /api/types.
2. The city-wide refusal of a K above the limit kept the browser's "不能大于 15。" (the form) and "at most 15
   (existing facilities within the per-county limits)" (the server), while a county's named the limit and why:
   both now say what the limit is, where it comes from (the facilities of known capacity, counted county by
   county within the plan's per-county limit) and what to type.
"""
from __future__ import annotations

import html
import json
import re

import pytest
from browser import browser, page, poll_js, server  # noqa: F401  (fixtures)

from planner.i18n import t

YUNXI = "420322"


def _klimits(body: str) -> dict:
    m = re.search(r'<script type="application/json" id="p-klimits">(.*?)</script>', body, re.S)
    assert m, "the proposals page carries no K limits"
    return json.loads(html.unescape(m.group(1)))


def _from_api_types(client) -> dict:
    types = client.get("/api/types").get_json()
    return {x["key"]: {"upgrade": (x["upgrade"] or {}).get("per_county_max") or None,
                       "convert": (x["conversion"] or {}).get("per_county_max") or None} for x in types}


# -- 1. the limits are in the page: the same as /api/types, for a city-wide and a county planner ------------------
def test_the_page_carries_the_limits_api_types_says(tmp_path):
    from accounts import accounts_app, signed_in

    app = accounts_app(tmp_path, (("boss", "admin", None), ("yx", "planner", YUNXI)))
    try:
        for who in ("boss", "yx"):
            c = signed_in(app, who)
            r = c.get("/proposals")
            assert r.status_code == 200
            limits = _klimits(r.get_data(as_text=True))
            assert limits == _from_api_types(c), who
            # the plan's limits, not all empty: welfare homes are upgraded and converted at most 2 per county
            assert limits["welfare_home"] == {"upgrade": 2, "convert": 2}
            assert limits["day_care"] == {"upgrade": None, "convert": None}
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 1 and 2 in the browser: the hint at once, no /api/types, the city's refusal in full ----------------------------
@pytest.mark.browser
@pytest.mark.csp  # the limits are read under the app's Content-Security-Policy as planners have it
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ks_hint_and_refusal_need_no_request(page, lang):
    from web.capacity_proposals import upgrade_limit, upgrade_limits_by_county

    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/types" in r.url else None)
    # were it asked, it would never answer: a hint that waited for it would never show
    page.route("**/api/types**", lambda route: None)
    page.goto(f"{page.base}/proposals?lang={lang}")
    page.wait_for_selector("#p-submit")
    service = page.app.extensions["coverplan"]["service"]
    wh = service.get_type("welfare_home")
    cap, limit = wh.upgrade.per_county_max, upgrade_limit(service, wh, False)
    what = t("qa33f16_what_upgrade", lang)
    page.select_option("#p-type", "welfare_home")
    page.select_option("#p-kind", "upgrade")
    # at once: no wait for anything
    assert page.eval_on_selector("#k-hint", "e => !e.hidden && e.textContent") == \
        t("qa33f16_k_city", lang, n=limit, cap=cap, what=what)
    # the city's refusal: the limit, where it comes from, what to type
    page.fill("#p-k", str(limit + 1))
    page.click("#p-submit")
    said = page.eval_on_selector("#p-k", "e => e.validationMessage")
    assert said == t("qa34f3_k_city_bad", lang, n=limit, cap=cap, what=what), said
    assert str(limit) in said and f"1 {'至' if lang == 'zh' else 'to'} {limit}" in said
    assert page.locator("#job").is_hidden()
    # a conversion: its own limit, named as well
    page.fill("#p-k", "")
    page.check("#p-convert")
    conv = upgrade_limit(service, wh, True)
    assert page.eval_on_selector("#k-hint", "e => !e.hidden && e.textContent") == \
        t("qa33f16_k_city", lang, n=conv, cap=wh.conversion.per_county_max, what=t("qa33f16_what_convert", lang))
    page.uncheck("#p-convert")
    # a county picked: its limit, at once too
    page.select_option("#p-county", YUNXI)
    n = upgrade_limits_by_county(service, wh, False)[YUNXI]
    county = service.county_names(lang)[YUNXI]
    assert page.eval_on_selector("#k-hint", "e => !e.hidden && e.textContent") == \
        t("qa33f16_k_cap", lang, county=county, n=n, cap=cap)
    assert asked == [], asked


# -- 2. the server's city-wide refusal says as much --------------------------------------------------------------
@pytest.mark.parametrize("convert", [False, True])
def test_the_servers_city_wide_refusal_names_the_limit_and_why(server, convert):
    from web.capacity_proposals import upgrade_limit

    service = server.app.extensions["coverplan"]["service"]
    wh = service.get_type("welfare_home")
    spec = wh.conversion if convert else wh.upgrade
    limit = upgrade_limit(service, wh, convert)
    c = server.app.test_client()
    r = c.post("/api/proposals?lang=zh", json={"type": "welfare_home", "kind": "upgrade", "k": limit + 1,
                                               "convert": convert})
    assert r.status_code == 400, r.get_json()
    err = r.get_json()
    assert err["details"]["parameter"] == "k"
    zh, en = err["message_zh"], err["message_en"]
    what_zh, what_en = ("转型", "converted") if convert else ("改造提升", "upgraded")
    assert f"应为 1 至 {limit} 的整数" in zh and f"全市可{what_zh}的现有设施（容量已知的）" in zh, zh
    assert f"每县至多计 {spec.per_county_max} 处（规划的每县上限）" in zh and f"合计 {limit} 处" in zh, zh
    assert f"expected a whole number from 1 to {limit}" in en and f"can be {what_en} (those of known capacity)" in en
    assert f"at most {spec.per_county_max} in each (the plan's per-county limit), are {limit} in all" in en, en
    # a county's keeps its own words
    r = c.post("/api/proposals?lang=zh", json={"type": "welfare_home", "kind": "upgrade", "k": limit + 1,
                                               "convert": convert, "county": YUNXI})
    assert r.status_code == 400 and "郧西县" in r.get_json()["message_zh"] and "全市" not in r.get_json()["message_zh"]
