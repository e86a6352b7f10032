"""QA sweep 8, proposals: null names/notes are a 400 (not a 500), invisible and separator characters
are refused in names, ``convert`` is true/false only, a county planner's K is checked against his
county naming it, and in network mode a site off the roads has no "nearest existing facility" and an
LSCP refusal says the villages are off the network (not that they lack candidates).

CSRF is off here: these tests are about what the proposal endpoints answer.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from accounts import accounts_app
from accounts import signed_in as as_user

YUNXI = "420322"


@pytest.fixture(scope="module")
def app(tmp_path_factory, ):
    tmp = tmp_path_factory.mktemp("qa8p")
    sys.path.insert(0, str(Path(__file__).parent))
    from osm_fixtures import write_town
    write_town(tmp / "town.osm")
    from geo import settings
    old = settings.CACHE_DIR
    settings.CACHE_DIR = tmp / "cache"  # the graph cache stays in the tmp dir
    app = accounts_app(tmp, (("boss", "admin", None), ("yunxi", "planner", YUNXI)), GRAPH=str(tmp / "town.osm"))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()
    settings.CACHE_DIR = old


@pytest.fixture(scope="module")
def saved(app):
    c = as_user(app, "boss")
    r = c.post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": 3, "mode": "network"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


# -- 1: null name / note ----------------------------------------------------------------------
def test_patch_null_name_is_a_400_naming_name(app, saved):
    c = as_user(app, "boss")
    for lang in ("zh", "en"):
        r = c.patch(f"/api/proposals/{saved['id']}?lang={lang}", json={"name": None})
        assert r.status_code == 400, r.get_data(as_text=True)[:300]
        body = r.get_json()
        assert body["details"]["parameter"] == "name" and "null" in body["message"]
    # a null note clears it (a note that is empty already: nothing to change, QA 21); POST with null name
    # and note is as if they were left out
    assert c.patch(f"/api/proposals/{saved['id']}", json={"note": "备注"}).status_code == 200
    assert c.patch(f"/api/proposals/{saved['id']}", json={"note": None}).status_code == 200
    assert c.get(f"/api/proposals/{saved['id']}").get_json().get("note") in ("", None)
    r = c.post("/api/proposals", json={"type": "welfare_home", "kind": "upgrade", "k": 1, "name": None, "note": None})
    assert r.status_code == 202, r.get_json()


# -- 7: invisible and separator characters --------------------------------------------------------
@pytest.mark.parametrize("ch", ["\u2028", "\u2029", "\u061c", "\u200b", "\ufeff"])
def test_name_refuses_invisible_and_separator_characters(app, saved, ch):
    c = as_user(app, "boss")
    r = c.patch(f"/api/proposals/{saved['id']}", json={"name": f"a{ch}b"})
    assert r.status_code == 400
    assert f"U+{ord(ch):04X}" in r.get_json()["message_zh"]
    r = c.post("/api/proposals", json={"type": "day_care", "name": f"a{ch}b"})
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "name"


def test_note_refuses_line_separators_keeps_line_breaks(app, saved):
    c = as_user(app, "boss")
    for ch in ("\u2028", "\u2029"):
        r = c.patch(f"/api/proposals/{saved['id']}", json={"note": f"a{ch}b"})
        assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "note"
    assert c.patch(f"/api/proposals/{saved['id']}", json={"note": "a\nb\tc"}).status_code == 200


def test_lone_surrogate_is_an_invalid_character_not_a_control_one(app, saved):
    c = as_user(app, "boss")
    r = c.patch(f"/api/proposals/{saved['id']}", data='{"name":"a\\ud800b"}', content_type="application/json")
    assert r.status_code == 400
    body = r.get_json()
    assert "无效字符" in body["message_zh"] and "控制字符" not in body["message_zh"]
    assert "invalid character" in body["message_en"] and "control" not in body["message_en"]


# -- 8: convert is true/false ---------------------------------------------------------------------
@pytest.mark.parametrize("value", ["maybe", 2, [1], {"a": 1}])
def test_convert_must_be_true_or_false(app, value):
    c = as_user(app, "boss")
    r = c.post("/api/proposals", json={"type": "welfare_home", "kind": "upgrade", "k": 1, "convert": value})
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["details"]["parameter"] == "convert"


# -- 6: a county planner's K is his county's --------------------------------------------------------
@pytest.mark.parametrize("k", [500, 40])
def test_county_upgrade_k_names_the_county_limit(app, k):
    c = as_user(app, "yunxi")
    for lang, word in (("zh", "郧西县"), ("en", "Yunxi County")):
        r = c.post(f"/api/proposals?lang={lang}", json={"type": "mutual_aid", "kind": "upgrade", "k": k})
        assert r.status_code == 400, r.get_json()
        msg = r.get_json()["message"]
        assert word in msg and "各县上限" not in msg and "per-county limits" not in msg, msg


# -- 2: network sites off the roads have no nearest existing facility --------------------------------
def test_unreachable_site_has_no_nearest_existing(app, saved):
    assert saved["sites"]
    for s in saved["sites"]:
        if s["nearest_existing_cost"] is None:
            assert s["nearest_existing_id"] is None and s["nearest_existing_name"] is None
    assert any(s["nearest_existing_cost"] is None for s in saved["sites"])
    c = as_user(app, "boss")
    html = c.get(f"/proposals/{saved['id']}?lang=zh").get_data(as_text=True)
    assert "无法到达任何现有" in html


# -- 4: LSCP refusal in network mode says off the network -------------------------------------------
def test_network_lscp_refusal_says_off_the_network(app):
    c = as_user(app, "boss")
    r = c.post("/api/proposals?wait=120&lang=zh", json={"type": "day_care", "model": "lscp", "mode": "network"})
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert "路网" in body["message_zh"] and "提高服务标准" not in body["message_zh"] + str(body.get("hint_zh"))
    assert "off the road network" in body["message_en"] and "1,97" in body["message_en"]
    assert body["details"]["off_network"] > 0


# -- 3: a network proposal says so, and its targets are measured on the road network too --------------
def test_network_proposal_page_says_road_network(app, saved):
    c = as_user(app, "boss")
    for lang, word in (("zh", "路网"), ("en", "road network")):
        html = c.get(f"/proposals/{saved['id']}?lang={lang}").get_data(as_text=True)
        line = html[html.index('id="solver-line"'):]
        line = line[:line.index("</p>")]
        assert word in line.lower() or word in line


def test_network_proposal_targets_are_on_the_network(app, saved):
    """The day-care coverage target's "before" on a network proposal's page and brief is the share
    covered on the road network (a small town extract: few villages), not the estimate's."""
    s = app.extensions["coverplan"]["service"]
    on = {m: s.coverage("day_care", m).summary["unit_share"] for m in ("estimate", "network")}
    assert on["network"] < on["estimate"] - 0.05  # the two measures differ, so the test can tell them apart
    c = as_user(app, "boss")
    for url in (f"/proposals/{saved['id']}", f"/proposals/{saved['id']}/brief"):
        for lang, note in (("zh", "同样按路网衡量"), ("en", "measured on the road network, as")):
            html = c.get(f"{url}?lang={lang}").get_data(as_text=True)
            assert 'data-mode="network"' in html and note in html, url
            assert f"{100 * on['network']:.1f}% / " in html
            assert f"{100 * on['estimate']:.1f}% / " not in html


# -- 10: the offline map's file name carries the mode ---------------------------------------------------
def test_offline_map_name_carries_the_network_mode(app):
    c = as_user(app, "boss")
    r = c.get("/map/day_care/export.html?mode=network")
    assert "coverage-day_care-network.html" in r.headers["Content-Disposition"]
    assert "coverage-day_care.html" in c.get("/map/day_care/export.html").headers["Content-Disposition"]


# -- 9: deltas from the shown figures --------------------------------------------------------------------
def test_changes_are_of_the_shown_figures():
    from web.proposals import _changes_as_shown
    from planner.i18n import t
    rows = [{"label": "x", "before": "29.3%", "after": "71.9%", "change": "+42.7 pt", "good": True},
            {"label": t("mean_cost", "zh"), "before": "19 分钟", "after": "28 分钟", "change": "+9.5 分钟", "good": False}]
    p = {"before": {"mean_cost": 19.4}, "after": {"mean_cost": 28.4}}
    _changes_as_shown(rows, p, "min", "zh")
    assert rows[0]["change"] == "+42.6 个百分点" and rows[1]["change"] == "+9 分钟"   # a Chinese page's unit
    en = [{"label": "x", "before": "71.9%", "after": "29.3%", "change": "-42.7 pt", "good": False}]
    _changes_as_shown(en, p, "min", "en")
    assert en[0]["change"] == "−42.6 pt"


# -- 5: compare labels each side's scope and does not subtract across scopes -----------------------------
def test_compare_county_with_city_is_not_subtracted(app):
    county = as_user(app, "yunxi").post("/api/proposals?wait=120",
                                        json={"type": "elderly_complex", "model": "mclp", "p": 1})
    city = as_user(app, "boss").post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert county.status_code == 201 and city.status_code == 201
    a, b = county.get_json()["proposal"]["id"], city.get_json()["proposal"]["id"]
    c = as_user(app, "boss")
    for lang, where, city_word, word in (("zh", "郧西县", "全市", "不可比"), ("en", "Yunxi County", "Whole city", "not comparable")):
        html = c.get(f"/proposals/compare?a={a}&b={b}&lang={lang}").get_data(as_text=True)
        assert where in html and city_word in html and word in html
        assert html.count(word) >= 4  # coverage after, covered units, mean and p90 cost: no differences given


def test_network_proposal_targets_fall_back_to_the_estimate_without_a_network(app, saved):
    """The same saved proposal on a server started without a road network: its targets are measured on
    the estimate, and the page says why they differ from its before/after figures."""
    from web.app import create_app
    plain = create_app({"DB_PATH": app.config["DB_PATH"], "TESTING": True, "CSRF_ENABLED": False})
    try:
        share = plain.extensions["coverplan"]["service"].coverage("day_care").summary["unit_share"]
        c = plain.test_client()
        for lang, note in (("zh", "当前没有加载路网"), ("en", "No road network is loaded now")):
            html = c.get(f"/proposals/{saved['id']}?lang={lang}").get_data(as_text=True)
            assert 'data-mode="estimate"' in html and note in html
            assert f"{100 * share:.1f}% / " in html
    finally:
        plain.extensions["coverplan"]["jobs"].shutdown()


def test_compare_network_with_estimate_is_not_subtracted(app, saved):
    """A proposal on the road network and one on the estimate measure coverage differently: the table
    names each side's travel mode and gives no differences, the "before" row included."""
    est = as_user(app, "boss").post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": 3})
    assert est.status_code == 201, est.get_json()
    c = as_user(app, "boss")
    for lang, net_word, word in (("zh", "路网", "出行方式不同，不可比"), ("en", "road network", "different travel modes")):
        html = c.get(f"/proposals/compare?a={saved['id']}&b={est.get_json()['proposal']['id']}&lang={lang}"
                     ).get_data(as_text=True)
        table = html[html.index('id="diff"'):html.index("</table>", html.index('id="diff"'))]
        assert net_word in table and table.count(word) == 5  # before, after, units, mean and p90
        # a count of sites compares across modes (the network proposal keeps the 2 of 3 that add coverage)
        assert "+1 site" in table or "+1 处" in table
    # the same scope and mode: the "before" row has no difference to give
    again = as_user(app, "boss").post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": 5})
    html = c.get(f"/proposals/compare?a={est.get_json()['proposal']['id']}&b={again.get_json()['proposal']['id']}"
                 "&lang=en").get_data(as_text=True)
    table = html[html.index('id="diff"'):html.index("</table>", html.index('id="diff"'))]
    assert "not comparable" not in table
    before = table[table.lower().index("· before"):]
    assert before[:before.index("</tr>")].endswith('<td class="num"></td>')
