"""The coverage map in network mode: the page, its layers, chart and export all follow one mode.

Before, ``/map/<type>?mode=network`` computed the summary on the road network while the layers,
the county chart and the offline export stayed on the estimate, and the page had no way to
choose the mode; a network covering a small part of the region showed 0 % with no word why.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from web.app import create_app


@pytest.fixture()
def town_client(tmp_path, monkeypatch):
    """A server given the tiny test town's road graph (27 nodes near the Shiyan seat)."""
    from geo import settings
    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")  # graph cache stays in the tmp dir
    sys.path.insert(0, str(Path(__file__).parent))
    from osm_fixtures import write_town

    write_town(tmp_path / "town.osm")
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "GRAPH": str(tmp_path / "town.osm")})
    yield app.test_client()
    app.extensions["coverplan"]["jobs"].shutdown()


def _attr(html: str, element_id: str, name: str) -> str:
    tag = re.search(rf'<[^>]*id="{element_id}"[^>]*>', html, re.S).group(0)
    return re.search(rf'{name}="([^"]*)"', tag).group(1).replace("&amp;", "&")


def test_map_offers_the_mode_and_every_part_follows_it(town_client):
    c = town_client
    html = c.get("/map/cemetery?mode=network").get_data(as_text=True)
    assert 'id="mode-select"' in html and re.search(r'<option value="network"\s+selected', html)
    # the layers, the chart and its downloads, the export and the proposal link carry the mode
    layers_url = _attr(html, "map", "data-layers")
    chart_url = _attr(html, "county-chart-box", "data-chart")
    assert "mode=network" in layers_url and "mode=network" in chart_url
    assert "mode=network" in _attr(html, "export-map", "href")
    assert re.search(r'href="/proposals\?type=cemetery&amp;mode=network"', html)
    assert c.get(layers_url).get_json()["is_estimate"] is False
    chart = c.get(chart_url).get_json()
    summary = c.get("/api/coverage/cemetery?mode=network").get_json()
    # the chart counts what the summary counts (the tiny town reaches almost no one)
    assert sum(r["covered_units"] for r in chart["rows"]) == summary["citywide"]["covered_units"]
    assert all("mode=network" in u for u in chart["download"].values())
    estimate = c.get("/api/coverage/cemetery").get_json()["citywide"]["covered_units"]
    assert estimate > summary["citywide"]["covered_units"]


def test_network_mode_says_who_is_unreachable(town_client):
    c = town_client
    n = c.get("/api/coverage/cemetery?mode=network").get_json()["citywide"]["unreachable_units"]
    assert n > 100   # a 1 km town network leaves most of the city off the roads
    zh = c.get("/map/cemetery?mode=network").get_data(as_text=True)
    assert f"{n} 个需求单元离路网超过 1 公里" in zh and "出行时间按路网计算（当前数据版本的路网）" in zh
    en = c.get("/map/cemetery?mode=network&lang=en").get_data(as_text=True)
    assert f"{n} demand units are more than 1 km from the road network" in en
    assert "estimated from straight-line" not in en.split('id="summary"')[1].split("</section>")[0]
    # the estimate page has neither note
    assert 'id="network-unreachable"' not in c.get("/map/cemetery").get_data(as_text=True)


def test_offline_export_and_chart_files_follow_the_mode(town_client):
    c = town_client
    net = c.get("/map/cemetery/export.html?mode=network&lang=en").get_data(as_text=True)
    est = c.get("/map/cemetery/export.html?lang=en").get_data(as_text=True)
    assert "straight-line" in est and "straight-line" not in net
    svg_net = c.get("/charts/coverage_by_county/cemetery.svg?mode=network&lang=en")
    svg_est = c.get("/charts/coverage_by_county/cemetery.svg?lang=en")
    assert svg_net.status_code == 200 and svg_net.get_data() != svg_est.get_data()
    bad = c.get("/charts/coverage_by_county/cemetery.svg?mode=%E2%88%9E")
    assert bad.status_code == 400 and "mode" in bad.get_json()["message_en"]
    assert c.get("/api/charts/coverage_by_county/cemetery?mode=nan").status_code == 400


def test_without_a_network_the_map_stays_on_the_estimate(client):
    html = client.get("/map/cemetery?mode=network").get_data(as_text=True)
    assert 'id="mode-select"' not in html          # nothing to choose from
    assert "mode=network" not in _attr(html, "map", "data-layers")
    assert "mode=network" not in _attr(html, "export-map", "href")
    assert client.get("/map/cemetery/export.html?mode=network").status_code == 200


def test_proposal_on_a_partial_network_names_the_real_cause(town_client):
    """Off the network is not "no candidate within the standard", and existing facilities
    that the roads do not reach are not "none yet"."""
    c = town_client
    resp = c.post("/api/proposals?wait=60", json={"type": "day_care", "mode": "network", "model": "mclp", "p": 3})
    assert resp.status_code == 201
    pid = resp.get_json()["proposal"]["id"]
    zh = c.get(f"/api/proposals/{pid}").get_json()
    en = c.get(f"/api/proposals/{pid}?lang=en").get_json()
    assert "离路网超过 1 公里" in zh["explanation"] and "没有任何候选点位" not in zh["explanation"]
    assert "more than 1 km from the road network" in en["explanation"]
    assert all("经路网无法到达任何现有" in s["reason_zh"] and "尚无现有" not in s["reason_zh"] for s in zh["sites"])
    assert all("can be reached from it on the road network" in s["reason_en"] for s in zh["sites"])
    # a site that covers nobody on these roads says so, not "already covered by higher-priority sites"
    for s in zh["sites"]:
        assert (s["added_units"] > 0) != ("服务标准内不覆盖任何需求单元" in s["reason_zh"]), s["reason_zh"]
        assert "更优先的拟建点" not in s["reason_zh"]
    # the town reaches two villages: a third site would add none, so it is left out, and said so
    assert len(zh["sites"]) == 2 and all(s["added_units"] > 0 for s in zh["sites"])
    assert zh["explanation"].startswith("只有 2 处新址能增加覆盖或服务需求单元；另有 1 处候选点不能，未列为新址。")
    assert en["explanation"].startswith("Only 2 new sites add coverage or serve a demand unit; 1 more candidate")
    # the mean cost is over the few units the roads reach, and its label says so (the p90 counts them all)
    assert "平均出行成本（仅计可达单元）" in c.get(f"/proposals/{pid}?lang=zh").get_data(as_text=True)
    assert "Mean travel cost (reachable units only)" in c.get(f"/proposals/{pid}/brief?lang=en").get_data(as_text=True)
    meta = c.get(f"/api/proposals/{pid}.geojson").get_json()["coverplan"]["uncovered_reasons"]
    uncovered = zh["after"]["uncovered_units"]
    assert meta["off_network"] > 1000 and sum(meta.values()) == uncovered


def test_network_brief_says_why_the_rest_is_uncovered(town_client):
    c = town_client
    pid = c.post("/api/proposals?wait=60", json={"type": "cemetery", "mode": "network", "model": "mclp", "p": 1}
                 ).get_json()["proposal"]["id"]
    for lang, words in (("zh", "离路网超过 1 公里"), ("en", "more than 1 km from the road network")):
        html = c.get(f"/proposals/{pid}/brief?lang={lang}").get_data(as_text=True)
        assert 'id="brief-explanation"' in html and words in html


def test_checklist_says_it_is_on_the_estimate_when_a_network_is_loaded(town_client):
    for lang, words in (("zh", "本清单按估算方式"), ("en", "This checklist is measured on the estimate")):
        html = town_client.get(f"/townships?type=day_care&lang={lang}").get_data(as_text=True)
        assert 'id="checklist-mode-note"' in html and words in html


def test_offline_map_on_the_network_says_what_the_roads_do_not_reach(town_client):
    html = town_client.get("/map/day_care/export.html?mode=network&lang=zh").get_data(as_text=True)
    assert "个需求单元离路网超过 1 公里" in html
    assert "离路网超过" not in town_client.get("/map/day_care/export.html?lang=zh").get_data(as_text=True)
