"""QA 35 (fixer QA35-F9): the numbered sites' key of an upgrade or a conversion, and a sized proposal's English seats.

1. A conversion (welfare homes -> regional centres, k 3) after one county's welfare-home register was imported (one of
   its three facilities a real row, two the sample's) keyed every one of them 示意: the page's layer box and legend
   and the brief's key said "拟转型设施（示意）", the offline map's key said nothing. Every face now says what is true
   (planner.maplayers sample_words): 示意 when all are sample rows, 部分示意 / "partly illustrative" when only some,
   nothing when none. An ordinary upgrade (mutual-aid centres) the same.
2. A sized welfare-home proposal's English CSV/XLSX listed its assigned points as "土门镇驻地, 香口乡驻地": they are
   named as other English faces name a seat ("土门镇 seat", planner.coverage.place_names_en), on its page too.
"""
from __future__ import annotations

import html as markup
import io
import json
import re
from pathlib import Path

import pytest

from browser import browser, page, poll_js, server, wait_map  # noqa: F401  (fixtures)
from planner.i18n import t
from test_qa29_carried import confirm  # a register uploaded and confirmed: the version made

SHOTS = Path("/tmp/qa35f9")
#: the welfare home of 化龙堰镇 (房县) and the mutual-aid centre of 曹家沟, at their sample points: imported as real rows,
#: each its county's whole register, they are among the facilities the conversion and the upgrade pick
WELFARE = "名称,类型,经度,纬度,床位数\n房县化龙堰镇福利院,welfare_home,110.5600838,32.116467,140\n"
MUTUAL = "名称,类型,经度,纬度,床位数\n曹家沟村互助照料中心,mutual_aid,109.8174338,32.493964,19\n"
REAL = {"房县化龙堰镇福利院", "曹家沟村互助照料中心"}


def _text(fragment: str) -> str:
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.fixture(scope="module")
def made(server):
    """An upgrade of three mutual-aid centres on the sample (all 示意); then one county's welfare homes and one's
    mutual-aid centres imported, a conversion of three welfare homes and an upgrade of three centres (one real row
    each: 部分示意), an upgrade of one centre (the real one: no 示意), and a sized welfare-home proposal."""
    c = server.app.test_client()

    def solve(body):
        r = c.post("/api/proposals?wait=120", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["proposal"]
    out = {"all": solve({"type": "mutual_aid", "kind": "upgrade", "k": 3})}
    confirm(c, WELFARE.encode("utf-8"), "fang_wh.csv", type_key="welfare_home")
    confirm(c, MUTUAL.encode("utf-8"), "ma.csv", type_key="mutual_aid")
    out.update({"convert": solve({"type": "welfare_home", "kind": "upgrade", "k": 3, "convert": True}),
                "part": solve({"type": "mutual_aid", "kind": "upgrade", "k": 3}),
                "none": solve({"type": "mutual_aid", "kind": "upgrade", "k": 1}),
                "sized": solve({"type": "welfare_home", "kind": "sized", "sizes": "30,60,100", "budget_sites": 1})})
    return out


#: which of the made proposals' facilities are the sample's, and the word their keys say
SAMPLE = {"all": "illustrative", "convert": "qa35f9_partly_illustrative", "part": "qa35f9_partly_illustrative",
          "none": None}


def test_the_made_proposals_are_what_the_keys_are_checked_on(made):
    flags = {k: [s["synthetic"] for s in made[k]["sites"]] for k in SAMPLE}
    assert all(flags["all"]) and not any(flags["none"]), flags
    for k in ("convert", "part"):  # one real row, the others the sample's
        assert any(flags[k]) and not all(flags[k]), flags
        assert REAL & {s["name"] for s in made[k]["sites"]}


#: the (proposal, language) pairs whose offline map is checked too: every proposal, each language
EXPORT_CHECKED = {("all", "zh"), ("convert", "en"), ("part", "zh"), ("none", "en")}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("key", list(SAMPLE))
def test_every_face_keys_the_numbered_sites_as_they_are(server, made, key, lang):
    p, c = made[key], server.app.test_client()
    label = t("capw_converted_sites" if key == "convert" else "capw_upgraded_sites", lang)
    word = t(SAMPLE[key], lang) if SAMPLE[key] else None
    o, cl = ("（", "）") if lang == "zh" else (" (", ")")
    others = {t("illustrative", lang), t("qa35f9_partly_illustrative", lang)} - {word}
    # the page: its map's key words (map.js reads data-sites-sample for the layer box and the legend)
    page_html = c.get(f"/proposals/{p['id']}?lang={lang}").get_data(as_text=True)
    el = re.search(r'<div id="map"[^>]*>', page_html, re.S).group(0)
    said = re.search(r'data-sites-sample="([^"]*)"', el)
    assert (markup.unescape(said.group(1)) if said else None) == word, el
    assert c.get(f"/api/proposals/{p['id']}?lang={lang}").get_json()["sites_sample"] == word
    # the brief's key
    brief = c.get(f"/proposals/{p['id']}/brief?lang={lang}").get_data(as_text=True)
    key_text = _text(re.search(r'<figcaption class="brief-key">(.*?)</figcaption>', brief, re.S).group(1))
    assert (label + o + word + cl if word else label) in key_text, key_text
    assert not any(label + o + w in key_text for w in others), key_text
    # the offline map's key: the word after its priority (one language a proposal, the other the next one's: an
    # offline map costs seconds, and its words are the page's)
    if (key, lang) not in EXPORT_CHECKED:
        return
    export = c.get(f"/proposals/{p['id']}/export.html?lang={lang}").get_data(as_text=True)
    at = export.index('class="cp-site"')
    entry = _text(export[at:export.index("</div>", at)].split(">", 1)[1])
    assert entry == f"1{label}{o}{t('priority', lang)}{cl}" + (o + word + cl if word else ""), entry
    # ...and its layer list (folium's layer names, JSON in its script)
    assert re.search(re.escape(json.dumps(label + (o + word + cl if word else ""))) + r"\s*:", export), label


def test_the_words_follow_the_rows():
    import pandas as pd

    from planner.maplayers import sample_share, sample_words

    assert sample_share(pd.DataFrame({"synthetic": [True, True]})) == "all"
    assert sample_share(pd.DataFrame({"synthetic": [True, None]})) == "part"
    assert sample_share([{"synthetic": False}, {}]) is None and sample_share(pd.DataFrame({"x": [1]})) is None
    assert sample_words([{"synthetic": True}, {"synthetic": False}], "zh") == "部分示意"
    assert sample_words([{"synthetic": True}], "en") == "illustrative"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_sized_proposals_english_file_names_the_seats_in_english(server, made, fmt):
    import openpyxl

    p, c = made["sized"], server.app.test_client()
    assert p["sites"] and all(v["name"].endswith("驻地") for v in p["sites"][0]["assigned_villages"])
    seats = [v["name"].removesuffix("驻地") + " seat" for v in p["sites"][0]["assigned_villages"]]
    r = c.get(f"/api/proposals/{p['id']}.{fmt}?lang=en")
    assert r.status_code == 200
    if fmt == "csv":
        body = r.get_data(as_text=True)
    else:
        book = openpyxl.load_workbook(io.BytesIO(r.data), read_only=True)
        body = "\n".join(",".join(str(x) for x in row if x is not None) for row in book.active.iter_rows(values_only=True))
    assert "驻地" not in body and ", ".join(seats) in body, body[-800:]
    zh = c.get(f"/api/proposals/{p['id']}.{fmt}?lang=zh")
    assert fmt == "xlsx" or "、".join(v["name"] for v in p["sites"][0]["assigned_villages"]) in zh.get_data(as_text=True)


def test_a_sized_proposals_english_page_and_map_name_the_seats_in_english(server, made):
    p, c = made["sized"], server.app.test_client()
    page_html = c.get(f"/proposals/{p['id']}?lang=en").get_data(as_text=True)
    cell = _text(re.search(r'<td class="villages">(.*?)</td>', page_html, re.S).group(1))
    first = p["sites"][0]["assigned_villages"][0]
    assert f"{first['name'].removesuffix('驻地')} seat ({first['demand']:,})" in cell and "驻地" not in cell, cell
    assert "驻地" not in c.get(f"/proposals/{p['id']}/export.html?lang=en").get_data(as_text=True)
    zh = c.get(f"/proposals/{p['id']}?lang=zh").get_data(as_text=True)
    assert f"{first['name']} ({first['demand']:,})" in _text(re.search(r'<td class="villages">(.*?)</td>', zh, re.S).group(1))


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_and_brief_keys_in_a_browser(page, server, made, lang):
    """The conversion's page map: its layer box and its legend say 部分示意; its brief's key too. Screenshots in
    /tmp/qa35f9/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pid, word = made["convert"]["id"], t("qa35f9_partly_illustrative", lang)
    label = t("capw_converted_sites", lang) + ("（" + word + "）" if lang == "zh" else f" ({word})")
    page.goto(f"{page.base}/proposals/{pid}?lang={lang}")
    wait_map(page)
    poll_js(page, "!!document.querySelector('#map .legend [data-lg=sites]')")
    layers = page.locator("#map .leaflet-control-layers-overlays").inner_text()
    legend = page.locator("#map .legend").inner_text()
    assert label in layers and label in legend, (layers, legend)
    page.screenshot(path=str(SHOTS / f"page-{lang}.png"), full_page=True)
    page.set_viewport_size({"width": 718, "height": 1047})  # A4 less its margins, as the brief prints
    page.goto(f"{page.base}/proposals/{pid}/brief?lang={lang}")
    wait_map(page)
    key = page.inner_text(".brief-key")
    assert label in key, key
    page.screenshot(path=str(SHOTS / f"brief-{lang}.png"), full_page=True)


@pytest.mark.browser
def test_the_coverage_maps_upgrade_key_says_partly(page, server, made):
    """The coverage map's upgrade run (map.js upgradeKey) keys its numbered facilities as a proposal's page does:
    the conversion of three welfare homes, one of them imported, is "partly illustrative"."""
    page.goto(f"{page.base}/map/welfare_home?lang=en")
    wait_map(page)
    if page.get_attribute("#map .lg-toggle", "aria-expanded") == "false":
        page.click("#map .lg-toggle")
    page.fill("#upgrade-k", "3")
    page.check("#upgrade-convert")
    page.fill("#upgrade-k", "3")
    page.click("#upgrade-run")
    poll_js(page, "document.getElementById('upgrade-card').dataset.ready === '1'", timeout=120)
    legend = page.inner_text("#map .legend .lg-body")
    assert t("capw_converted_sites", "en") + " (partly illustrative)" in legend, legend
    page.screenshot(path=str(SHOTS / "coverage-map-upgrades-en.png"))
