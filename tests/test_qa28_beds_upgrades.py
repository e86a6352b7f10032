"""QA 28 (beds and upgrades): the bed-target card's summary said "已分配 2,139 张" of 房县's 7,136 and left the 4,997
not allocated to the last note under the table; `?target=7,136` said only "expected a number"; `?k=` (empty) was
the default without a word while an empty `convert=` or `target=` is a 400; an upgrade's reason said "服务半径
45分钟→45分钟" as if the reach changed."""
from __future__ import annotations

import pytest
from browser import *  # noqa: F401,F403 (server, browser, page, poll_js)

from planner.i18n import t

FANG = "420325"


# -- 4. the bed-target card's summary line says what is not allocated ----------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_bed_card_summary_says_the_beds_not_allocated(page, lang):
    page.goto(page.base + f"/?lang={lang}")
    poll_js(page, "!!document.getElementById('bt-target')", timeout=30)
    page.select_option("#bt-county", FANG)
    page.fill("#bt-target", "7136")
    page.click("#bt-run")
    poll_js(page, "document.getElementById('beds-target-card').dataset.ready === '1'", timeout=90)
    status = page.inner_text("#bt-status")
    d = page.app.test_client().get(f"/api/beds?target=7136&county={FANG}&lang={lang}").get_json()
    left = d["not_allocated"]
    assert left > 0 and d["allocated"] + left == 7136, d["allocated"]
    if lang == "zh":
        assert f"已分配 {d['allocated']:,} / 7,136 张（{left:,} 张未分配" in status, status
        assert "超出标准" in status, status
    else:
        assert f"{d['allocated']:,} of 7,136 beds given out ({left:,} not allocated" in status, status
        assert "beyond the standard" in status, status
    assert "{" not in status, status
    # a target given out in full says no "not allocated"
    page.fill("#bt-target", "100")
    page.click("#bt-run")
    poll_js(page, "document.getElementById('beds-target-card').dataset.ready === '1'", timeout=90)
    status = page.inner_text("#bt-status")
    assert ("未分配" not in status) if lang == "zh" else ("not allocated" not in status), status
    assert "{" not in status, status


# -- 9. a thousands separator: the message says to remove it -------------------------------------------------------
@pytest.mark.parametrize("typed", ["7,136", "７，１３６", "7 136"])
def test_a_thousands_separator_in_the_target_is_said(client, typed):
    for lang, want in (("zh", "请删去分隔符，填写 7136"), ("en", "remove them and give 7136")):
        r = client.get("/api/beds", query_string={"target": typed, "lang": lang})
        assert r.status_code == 400
        body = r.get_json()
        assert want in body["message"] and body["details"]["parameter"] == "target", body["message"]
    # full-width digits without a separator are taken
    assert client.get("/api/beds", query_string={"target": "７１３６"}).status_code == 200


def test_a_thousands_separator_in_k_is_said(client):
    r = client.get("/api/upgrades/welfare_home", query_string={"k": "1,000", "lang": "en"})
    assert r.status_code == 400
    assert "remove them and give 1000" in r.get_json()["message"], r.get_json()["message"]


# -- 8. an empty k is refused as an empty convert= is -----------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/upgrades/welfare_home", "/api/upgrades/welfare_home/layer"])
def test_an_empty_k_is_a_400_naming_k(client, path):
    for lang, want in (("zh", "k 为空"), ("en", "k is empty")):
        r = client.get(path, query_string={"k": "", "lang": lang})
        assert r.status_code == 400, r.data[:200]
        body = r.get_json()
        assert body["details"]["parameter"] == "k" and want in body["message"], body["message"]
    r = client.get(path, query_string={"k": " ", "convert": "1", "lang": "en"})
    assert r.status_code == 400 and "convert" in r.get_json()["message"]


# -- 10. an upgrade's reason says an unchanged reach as unchanged -----------------------------------------------------
def test_an_unchanged_reach_is_not_said_as_a_change(client):
    d = client.get("/api/upgrades/welfare_home?k=3").get_json()
    assert d["sites"]
    for s in d["sites"]:
        assert s["reach_before"] == s["reach_after"]  # a welfare home's upgrade does not lengthen its reach
        assert "→45分钟" not in s["reason_zh"] and "（不变）" in s["reason_zh"], s["reason_zh"]
        assert "(unchanged)" in s["reason_en"] and "→45 min" not in s["reason_en"], s["reason_en"]
    # a longer reach is still said as a change
    d = client.get("/api/upgrades/mutual_aid?k=2").get_json()
    for s in d["sites"]:
        assert s["reach_after"] > s["reach_before"]
        assert "不变" not in s["reason_zh"] and "→" in s["reason_zh"].split("服务半径")[1].split("；")[0], s["reason_zh"]


def test_the_summary_keys_are_in_both_languages():
    for key in ("bt_summary_left", "bt_summary_county_left"):
        for lang in ("zh", "en"):
            text = t(key, lang)
            assert "{allocated}" in text and "{target}" in text and "{left}" in text, (key, lang)


def test_an_empty_year_is_a_400_naming_year(client):
    for lang, want in (("zh", "year 为空"), ("en", "year is empty")):
        r = client.get("/api/beds", query_string={"target": "100", "year": "", "lang": lang})
        assert r.status_code == 400
        body = r.get_json()
        assert body["details"]["parameter"] == "year" and want in body["message"], body["message"]
    assert client.get("/api/beds", query_string={"target": "100"}).status_code == 200


# -- 5. a county code sent as a JSON number ---------------------------------------------------------------------------
def test_a_county_code_sent_as_a_json_number_is_taken(client):
    r = client.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 1,
                                                     "county": int(FANG)})
    assert r.status_code == 201, r.data[:300]
    assert r.get_json()["proposal"]["params"]["county"] == FANG
    # a number that is no county is still refused, naming the field; true is not 1
    for bad in (420399, True):
        r = client.post("/api/proposals?lang=en", json={"type": "elderly_complex", "model": "mclp", "p": 1,
                                                        "county": bad})
        assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "county", r.data[:300]


def test_an_upgrade_k_over_a_numeric_countys_limit_names_the_county(client):
    """The K of an upgrade for a county sent as a JSON number is checked against that county, naming it (it was
    told the city's limit first)."""
    for county in (FANG, int(FANG)):
        r = client.post("/api/proposals?lang=en", json={"type": "welfare_home", "kind": "upgrade", "k": 20,
                                                        "county": county})
        assert r.status_code == 400, r.data[:300]
        assert "Fang County" in r.get_json()["message"], (county, r.get_json()["message"])
