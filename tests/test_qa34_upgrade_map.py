"""QA 34 (fixer F14): the map of an upgrade proposal is the coverage after it, and says what it counts.

1. The "after" map of an upgrade (/api/proposals/<id>/layers, the offline export, `coverplan map --proposal`) was
   the coverage before it: the chosen facilities were added again as new sites at the normal reach (126 units,
   19,101 people, beside "served 19,101 → 30,298"). They are now those facilities at the upgraded reach
   (planner.coverage.analyse_coverage, planner.maplayers.service_area_layer): the map counts the proposal's own
   "within reach after it", more than before, and its service areas are drawn and named at the upgraded reach. A
   conversion's map (its facilities as the type they become) counts what the proposal records as within reach; where
   that is not the "served" of its headline (capacity counted too) the page, the brief and the offline map say why.
2. A conversion is named as one in the list, on its page and on its offline map (农村福利院 → 区域性特困供养服务中心
   （转型）), the list's share as the regional centres'; its offline map's 示意 line names the sample register its
   facilities come from.
3. `coverplan upgrade --out`: the demand column names the reach (once upgraded) and the table gives what each
   facility serves now.
"""
from __future__ import annotations

import html as markup
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.i18n import share_text, t
from browser import browser, page, server  # noqa: F401  (fixtures)
from test_qa21_cli import run
from web.app import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa34f14") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def made(app):
    c = app.test_client()

    def solve(body):
        r = c.post("/api/proposals?wait=120", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["proposal"]
    return {"upgrade": solve({"type": "mutual_aid", "kind": "upgrade", "k": 50}),
            "convert": solve({"type": "welfare_home", "kind": "upgrade", "k": 8, "convert": True}),
            "same_reach": solve({"type": "welfare_home", "kind": "upgrade", "k": 5})}


def _text(fragment: str) -> str:
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _existing(app, key: str) -> int:
    fac = app.extensions["coverplan"]["service"].region.facilities
    return int((fac["facility_type"].astype(str) == key).sum())


def test_an_upgrade_map_counts_the_upgraded_reach(app, made):
    p = made["upgrade"]
    lay = app.test_client().get(f"/api/proposals/{p['id']}/layers").get_json()
    s = lay["summary"]
    # more than before: the chosen facilities reach 1.5 times as far, and it is what the proposal records
    assert s["covered_weight"] > round(p["before"]["covered"]), (s, p["before"])
    assert s["covered_weight"] == round(p["after"]["covered"]), (s, p["after"])
    assert s["weight"] == round(p["after"]["demand"])
    # each facility counted once: 50 of the existing ones upgraded, none added as a new site
    assert s["facilities"] == _existing(app, "mutual_aid")
    assert s["upgraded_facilities"] == 50 and s["proposed_facilities"] == 0
    # the villages drawn uncovered are those outside the upgraded reach
    unc = [f["properties"]["weight"] for f in lay["units"]["features"] if not f["properties"]["covered"]]
    assert round(sum(unc)) == s["weight"] - s["covered_weight"]
    # the service areas' key names the upgraded reach (rural 3 km x 1.5), and what the map measures is said
    assert "4.5" in lay["standard_text"] and "1.5" in lay["standard_text"], lay["standard_text"]
    assert lay["proposal"]["measure"] == "within_reach"
    assert lay["proposal"]["map_caption"] == t("qa34f14_map_caption_upgrade", "zh")


def test_an_upgrades_service_areas_reach_further():
    """planner.maplayers: a facility with a reach factor draws a larger service area (3 km -> 4.5 km)."""
    from geo.regions import load_region
    from planner.facility_types import get_type
    from planner.maplayers import service_area_layer

    region = load_region()
    ft = get_type("mutual_aid")
    fac = region.facilities[region.facilities["facility_type"] == "mutual_aid"].head(1)
    fac = gpd.GeoDataFrame(fac[["township_code", "geometry"]].copy(), geometry="geometry", crs=fac.crs)

    def area(frame) -> float:
        fc = service_area_layer(region, ft, frame)
        return sum(shapely.geometry.shape(f["geometry"]).area for f in fc["features"])
    now = area(fac)
    up = area(fac.assign(reach_factor=1.5))
    assert up / now == pytest.approx(2.25, rel=0.1)


def test_an_upgrade_that_keeps_its_reach_draws_each_facility_once(app, made):
    p = made["same_reach"]
    lay = app.test_client().get(f"/api/proposals/{p['id']}/layers").get_json()
    s = lay["summary"]
    assert s["facilities"] == _existing(app, "welfare_home") and s["upgraded_facilities"] == 5
    assert s["covered_weight"] == round(p["after"]["covered"]) == round(p["before"]["covered"])
    assert t("qa34f14_reach_same", "zh", std="45 分钟") in lay["standard_text"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_conversion_map_agrees_with_what_it_covers_and_says_why_served_differs(app, made, lang):
    p = made["convert"]
    c = app.test_client()
    lay = c.get(f"/api/proposals/{p['id']}/layers?lang={lang}").get_json()
    s = lay["summary"]
    covered, demand, served = p["after"]["covered"], p["after"]["demand"], p["after"]["served"]
    assert s["covered_weight"] == round(covered) and s["weight"] == round(demand)
    assert round(covered) != round(served)  # the map's covered and the headline's served differ here ...
    page = c.get(f"/proposals/{p['id']}?lang={lang}").get_data(as_text=True)
    m = re.search(r'id="map-measure-note">(.*?)</p>', page, re.S)
    assert m, "the page does not say what its map shows"
    note = _text(m.group(1))
    # ... and the page says both, with why: the map's figure and share, the served figure and share
    for x in (f"{covered:,.0f}", share_text(covered / demand), f"{served:,.0f}", share_text(served / demand)):
        assert x in note, (x, note)
    assert ("distance only" if lang == "en" else "只计距离") in note
    assert share_text(s["covered_share"]) == share_text(covered / demand)


def test_an_upgrade_page_and_brief_say_what_the_map_shows(app, made):
    p = made["upgrade"]
    c = app.test_client()
    page = c.get(f"/proposals/{p['id']}?lang=zh").get_data(as_text=True)
    note = _text(re.search(r'id="map-measure-note">(.*?)</p>', page, re.S).group(1))
    assert f"{p['after']['covered']:,.0f}" in note and "4.5 公里" in note, note
    brief = c.get(f"/proposals/{p['id']}/brief?lang=zh").get_data(as_text=True)
    key = _text(re.search(r'<figcaption class="brief-key">(.*?)</figcaption>', brief, re.S).group(1))
    assert t("qa34f14_map_caption_upgrade", "zh") in key and t("brief_map", "zh") not in key
    # the standard rows of its parameters give the upgraded reach its service areas are drawn at
    params = _text(re.search(r'id="brief-params">(.*?)</table>', brief, re.S).group(1))
    assert f"{t('brief_standard_rural', 'zh')} 3.0 公里（改造后 4.5 公里）" in params, params
    en = c.get(f"/proposals/{p['id']}/brief?lang=en").get_data(as_text=True)
    assert t("qa34f14_map_caption_upgrade", "en") in _text(en) and "3.0 km (4.5 km once upgraded)" in _text(en)
    assert 'id="brief-map-note"' not in brief  # within reach as many as served: nothing to square
    # a conversion's brief, whose map's figure is not its served one, gives the map's
    q = made["convert"]
    brief = c.get(f"/proposals/{q['id']}/brief?lang=zh").get_data(as_text=True)
    key = _text(re.search(r'<figcaption class="brief-key">(.*?)</figcaption>', brief, re.S).group(1))
    covered = q["after"]["covered"]
    assert t("qa34f14_map_caption_convert", "zh") in key
    assert f"{covered:,.0f}" in key and share_text(covered / q["after"]["demand"]) in key, key


def _title_block(page: str) -> str:
    return _text(re.search(r'<div class="cp-box cp-title".*?</table>', page, re.S).group(0))


def test_the_offline_map_of_an_upgrade_is_after_it(app, made):
    p = made["upgrade"]
    page = app.test_client().get(f"/proposals/{p['id']}/export.html?lang=zh").get_data(as_text=True)
    head = _title_block(page)
    before, after = p["before"]["covered"], p["after"]["covered"]
    row = f"{t('qa34f14_fact_covered', 'zh')} {before:,.0f} → {after:,.0f}"
    assert row in head, head
    assert "4.5 公里" in head  # the note on what the map shows, with the upgraded reach
    areas = [markup.unescape(x) for x in re.findall(r"服务范围（[^<\"]*", page)]
    assert areas and all("4.5 公里" in a for a in areas), areas


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_conversion_is_named_as_one_everywhere(app, made, lang):
    p = made["convert"]
    c = app.test_client()
    home = "农村福利院" if lang == "zh" else "Rural welfare home"
    centre = "区域性特困供养服务中心" if lang == "zh" else "Regional care centre for the extremely poor"
    label = t("qa34f14_type_converted", lang, src=home, dst=centre)
    # the list
    rows = {r["id"]: r for r in c.get(f"/api/proposals?lang={lang}").get_json()}
    row = rows[p["id"]]
    assert row["type_label"] == label and row["role_name"] == centre
    assert "type_label" not in rows[made["upgrade"]["id"]]  # an upgrade is its type's
    # the page's header line and the brief
    page = c.get(f"/proposals/{p['id']}?lang={lang}").get_data(as_text=True)
    solver = _text(re.search(r'id="solver-line">(.*?)</p>', page, re.S).group(1))
    assert solver.startswith(label), solver
    brief = _text(c.get(f"/proposals/{p['id']}/brief?lang={lang}").get_data(as_text=True))
    assert label in brief
    # the offline map: its title line, and the 示意 line names the sample register the converted homes are rows of
    export = c.get(f"/proposals/{p['id']}/export.html?lang={lang}").get_data(as_text=True)
    assert label in _title_block(export)
    note = _text(re.search(r'<div class="note">(.*?)</div>', export, re.S).group(1))
    assert t("approx_facilities", lang) in note, note


@pytest.mark.browser
def test_the_list_and_the_map_say_it_in_a_browser(page, server):
    """The list's row of a conversion names it as one and its share as the regional centres'; an upgrade's page map
    keys its service areas with the upgraded reach (map.js reads the layers' standard_text)."""
    from browser import poll_js, wait_map

    c = server.app.test_client()
    conv = c.post("/api/proposals?wait=120", json={"type": "welfare_home", "kind": "upgrade", "k": 2,
                                                   "convert": True}).get_json()["proposal"]
    up = c.post("/api/proposals?wait=120",
                json={"type": "mutual_aid", "kind": "upgrade", "k": 3}).get_json()["proposal"]
    page.goto(f"{page.base}/proposals?lang=zh")
    poll_js(page, f"!!document.querySelector(\"tr[data-id='{conv['id']}'] .measure-tag\")")
    cells = page.eval_on_selector(f"tr[data-id='{conv['id']}']", "r => [...r.cells].map(c => c.innerText.trim())")
    assert t("qa34f14_type_converted", "zh", src="农村福利院", dst="区域性特困供养服务中心") in cells, cells
    tag = page.inner_text(f"tr[data-id='{conv['id']}'] .measure-tag")
    assert tag == t("qa34f14_list_served_role", "zh", role="区域性特困供养服务中心"), tag
    assert page.inner_text(f"tr[data-id='{up['id']}'] .measure-tag") == t("list_served_share", "zh")
    page.goto(f"{page.base}/proposals/{up['id']}?lang=zh")
    wait_map(page)
    legend = page.locator(".legend").inner_text()
    assert "农村 4.5 公里" in legend, legend
    assert "农村 4.5 公里" in page.inner_text("#map-measure-note")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upgrade_out_names_the_reach_and_gives_served_now(capsys, tmp_path, monkeypatch, lang):
    import pandas as pd

    from geo import settings
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    out = tmp_path / "up.csv"
    code, text, err = run(capsys, "--lang", lang, "upgrade", "--type", "mutual_aid", "--k", "5", "--out", str(out),
                          "--json")
    assert code == 0, err
    sites = json.loads(text)["sites"]
    df = pd.read_csv(out, header=1, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    heads = list(df.columns)
    demand = [h for h in heads if ("服务半径内需求" if lang == "zh" else "Demand within reach") in h]
    assert demand == [("改造后服务半径内需求（60岁以上老人）" if lang == "zh"
                       else "Demand within reach once upgraded (people aged 60+)")], heads
    now = [h for h in heads if h.startswith("现服务人数" if lang == "zh" else "Served now")]
    assert len(now) == 1, heads
    assert [float(x) for x in df[now[0]]] == [round(s["served_before"]) for s in sites]
    after = next(h for h in heads if ("改造后服务人数" if lang == "zh" else "Serves once") in h)
    # now + what it serves more itself = once upgraded (planner.upgrades' served_after)
    assert all(float(a) >= float(b) for a, b in zip(df[after], df[now[0]]))


def test_the_cli_map_of_an_upgrade_file_is_after_it(capsys, tmp_path, monkeypatch):
    from geo import settings
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    geo = tmp_path / "p_up.geojson"
    code, text, err = run(capsys, "upgrade", "--type", "mutual_aid", "--k", "10", "--out", str(geo), "--json")
    assert code == 0, err
    plan = json.loads(text)
    html_out = tmp_path / "m.html"
    code, _, err = run(capsys, "map", "--type", "mutual_aid", "--proposal", str(geo), "--out", str(html_out))
    assert code == 0, err
    head = _title_block(html_out.read_text(encoding="utf-8"))
    before, after = plan["before"]["covered"], plan["after"]["covered"]
    assert after > before
    assert f"{t('qa34f14_fact_covered', 'zh')} {before:,.0f} → {after:,.0f}" in head, head
    # the map's own count (its coverage with the file's facilities upgraded) is the plan's
    from geo.regions import load_region
    from planner.coverage import analyse_coverage
    from planner.proposals import load_proposal_sites

    sites = load_proposal_sites(str(geo))["sites"]
    cov = analyse_coverage(load_region(), "mutual_aid", extra_sites=sites)
    assert cov.summary["covered_weight"] == round(after) and cov.summary["upgraded_facilities"] == 10
    assert np.isclose(cov.facilities.loc[cov.facilities["upgraded"].astype(bool), "reach_factor"], 1.5).all()
