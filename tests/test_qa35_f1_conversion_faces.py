"""QA 35 (fixer QA35-F1): a conversion's map keys, and a proposal's data note after villages made official.

1. A conversion (农村福利院 -> 区域性特困供养服务中心) of a welfare-home register only partly the sample's (one county's
   imported) said "facility register synthetic" on its page map's key and its offline map's key, while the offline
   map's title block said "partly synthetic": the key read the provenance of the type the facilities become, not of
   the register they are rows of. Every face now words the registers of the facilities it draws
   (planner.maplayers.shown_register_label; web.proposals.map_facilities).
2. Its page map and brief keyed "existing facilities" of the new type over a map that draws none; the brief's
   "within reach" note sat between two of the key's entries: it comes after the key.
3. After a data version that only made a village point official where it stands, a proposal solved before it said
   its version "holds the same data" as the current one, while the version list names the villages layer: it now says
   the data changed (what) but not in a way that touches its figures.
"""
from __future__ import annotations

import html as markup
import io
import re
from pathlib import Path

import pytest

from browser import browser, page, poll_js, server, wait_map  # noqa: F401  (fixtures)
from planner.i18n import t

SHOTS = Path("/tmp/qa35f1")
VILLAGE = "420322105210"  # a village of Yunxi (郧西县), at its sample (示意) point in the embedded data
WH_FILE = "wh_one_county.csv"


def _text(fragment: str) -> str:
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _confirmed(client, data: dict) -> int:
    r = client.post("/api/data/uploads?lang=zh", content_type="multipart/form-data", data=data)
    assert r.status_code == 200 and r.get_json().get("upload_id"), r.get_json()
    done = client.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm")
    assert done.status_code in (200, 201), done.get_json()
    return done.get_json()["version"]


@pytest.fixture(scope="module")
def made(server):
    """One welfare home of one county imported (the rest of the register the sample's), then a conversion of three
    welfare homes (sample rows) and an upgrade of three mutual-aid centres, both on that version."""
    c = server.app.test_client()
    csv = "名称,类型,经度,纬度,床位数\n余咀村福利院,welfare_home,110.707432,33.064409,40\n".encode("utf-8")
    version = _confirmed(c, {"kind": "facilities", "coords": "wgs84", "type": "welfare_home",
                             "file": (io.BytesIO(csv), WH_FILE)})

    def solve(body):
        r = c.post("/api/proposals?wait=120", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["proposal"]
    return {"version": version,
            "convert": solve({"type": "welfare_home", "kind": "upgrade", "k": 3, "convert": True}),
            "upgrade": solve({"type": "mutual_aid", "kind": "upgrade", "k": 3})}


def _partly(lang: str, version: int) -> str:
    return t("approx_facilities_part", lang, where=t("prov_file_version", lang, file=WH_FILE, v=version))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_conversions_faces_say_its_register_is_partly_synthetic(server, made, lang):
    p, c = made["convert"], server.app.test_client()
    assert all(s["synthetic"] for s in p["sites"])  # the converted homes are sample rows of a partly imported register
    partly, plain = _partly(lang, made["version"]), t("approx_facilities", lang)
    assert plain not in partly
    # the offline map: its key's 示意 line as its title block's 设施名录 row
    export = c.get(f"/proposals/{p['id']}/export.html?lang={lang}").get_data(as_text=True)
    note = _text(re.search(r'<div class="note">(.*?)</div>', export, re.S).group(1))
    assert partly in note and plain not in note, note
    # the page map's key (map.js, with proposal.js: the browser test below) is given the registers of what it draws
    page_html = c.get(f"/proposals/{p['id']}?lang={lang}").get_data(as_text=True)
    el = re.search(r'<div id="map"[^>]*>', page_html, re.S).group(0)
    assert f'data-approx-facilities="{markup.escape(partly, quote=True)}"' in el and 'data-sites-synthetic="1"' in el
    api = c.get(f"/api/proposals/{p['id']}?lang={lang}").get_json()
    assert api["map_register_note"] == partly and api["map_existing"] == 0
    # the brief's footer
    brief = c.get(f"/proposals/{p['id']}/brief?lang={lang}").get_data(as_text=True)
    caveat = _text(re.search(r'id="brief-caveat">(.*?)</p>', brief, re.S).group(1))
    assert partly in caveat and plain not in caveat, caveat


def test_the_registers_of_the_facilities_drawn_are_worded_together(server, made):
    """planner.maplayers.shown_register_label: the one type with sample rows drawn gives its words; two such types are
    named; none, nothing."""
    from planner.maplayers import shown_register_label, shown_types

    region = server.app.extensions["coverplan"]["service"].region_at(made["version"])
    partly = _partly("zh", made["version"])
    assert shown_register_label(region, "zh", {"regional_center": False, "welfare_home": True}) == partly
    assert shown_register_label(region, "zh", {"welfare_home": False}) is None
    both = shown_register_label(region, "zh", {"welfare_home": True, "mutual_aid": True})
    assert "互助照料" in both and "农村福利院" in both and WH_FILE in both, both
    fac = region.facilities
    assert shown_types(fac[fac["facility_type"] == "mutual_aid"].head(3), "x") == {"mutual_aid": True}
    assert shown_types(fac.iloc[0:0], "x") == {}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_conversions_keys_show_only_what_its_map_draws(server, made, lang):
    c = server.app.test_client()
    conv, up = made["convert"], made["upgrade"]
    # no regional centre yet: the layers carry none, so the page map keys none (map.js keys the layers it has)
    lay = c.get(f"/api/proposals/{conv['id']}/layers?lang={lang}").get_json()
    assert lay["facilities"] is None and len(lay["sites"]["features"]) == 3
    assert c.get(f"/api/proposals/{up['id']}/layers?lang={lang}").get_json()["facilities"]["features"]
    existing = t("existing_facilities", lang)
    for pid, drawn in ((conv["id"], False), (up["id"], True)):
        brief = c.get(f"/proposals/{pid}/brief?lang={lang}").get_data(as_text=True)
        key = re.search(r'<figcaption class="brief-key">(.*?)</figcaption>', brief, re.S).group(1)
        assert (existing in _text(key)) is drawn, (pid, _text(key))
    # the conversion's "within reach" note after the key's entries, not between two of them
    brief = c.get(f"/proposals/{conv['id']}/brief?lang={lang}").get_data(as_text=True)
    key = re.search(r'<figcaption class="brief-key">(.*?)</figcaption>', brief, re.S).group(1)
    entries = [m.start() for m in re.finditer(r"<span><i class=\"k-", key)]
    note = key.index('id="brief-map-note"')
    assert entries and note > max(entries), _text(key)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_and_brief_keys_in_a_browser(page, server, made, lang):
    """The page map's 示意 line says "partly synthetic" and its legend keys no existing facility; the brief's key has
    no existing-facility swatch and its note sits under the key's entries. Screenshots in /tmp/qa35f1/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pid = made["convert"]["id"]
    partly, plain = _partly(lang, made["version"]), t("approx_facilities", lang)
    page.goto(f"{page.base}/proposals/{pid}?lang={lang}")
    wait_map(page)
    poll_js(page, "!!document.querySelector('#map .map-note')")
    note = page.inner_text("#map .map-note")
    assert partly in note and plain not in note, note
    legend = page.locator("#map .legend").inner_text()
    assert t("existing_facilities", lang) not in legend and t("capw_converted_sites", lang) in legend, legend
    page.screenshot(path=str(SHOTS / f"page-{lang}.png"), full_page=True)
    page.set_viewport_size({"width": 718, "height": 1047})  # A4 less its margins, as the brief prints
    page.goto(f"{page.base}/proposals/{pid}/brief?lang={lang}")
    wait_map(page)
    key = page.inner_text(".brief-key")
    assert t("existing_facilities", lang) not in key, key
    at = page.evaluate("""() => {
        const box = s => document.querySelector(s).getBoundingClientRect().toJSON();
        const spans = [...document.querySelectorAll('.brief-key > span:not(#brief-map-note)')];
        return {note: box('#brief-map-note'), last: Math.max(...spans.map(e => e.getBoundingClientRect().bottom))};
    }""")
    assert at["note"]["top"] >= at["last"] - 1, at
    page.screenshot(path=str(SHOTS / f"brief-{lang}.png"), full_page=True)


def test_a_version_that_only_makes_villages_official_is_named_in_the_data_note(server, made):
    """Last (it adds a data version): a village given at the point it has, made official. The proposals solved
    before keep their figures (not outdated) and their note says the data changed since, and what."""
    c = server.app.test_client()
    region = server.app.extensions["coverplan"]["service"].region_at(made["version"])
    assert region.villages.loc[VILLAGE, "location_quality"] == "synthetic"
    at = region.villages.loc[VILLAGE].geometry
    body = f"code,lon,lat\n{VILLAGE},{at.x!r},{at.y!r}\n".encode()
    v = _confirmed(c, {"kind": "villages", "coords": "wgs84", "file": (io.BytesIO(body), "村点位.csv")})
    assert v == made["version"] + 1
    for key in ("convert", "upgrade"):
        pid = made[key]["id"]
        for lang, what in (("zh", "1 个村（社区）点位原地改为实测位置"), ("en", "1 village point made official at the same place")):
            s = c.get(f"/api/proposals/{pid}?lang={lang}").get_json()
            assert s["outdated"] is False and s["data_changed"] == [], s["data_changed"]
            said = t("qa35f1_data_unaffected", lang, v=made["version"], cur=v, changes=what)
            assert s["data_note"] == said, s["data_note"]
            assert t("qa32fe_data_same", lang, v=made["version"], cur=v) != said
            row = next(r for r in c.get(f"/api/proposals?lang={lang}").get_json() if r["id"] == pid)
            assert row["data_note"] == said, row.get("data_note")
