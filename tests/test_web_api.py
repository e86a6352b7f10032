"""JSON API of the web app (Flask test client, real planner, real SQLite in a tmp dir)."""
from __future__ import annotations

import csv
import io
import json
import math
import re
import time

import pytest

from planner.i18n import share_text
from web.app import create_app

ERROR_KEYS = {"error", "message", "message_en", "message_zh", "details"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("web") / "proposals.sqlite"
    app = create_app({"DB_PATH": str(db), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def client(app):
    return app.test_client()


def assert_error(resp, status: int, error: str | None = None) -> dict:
    assert resp.status_code == status, resp.data[:300]
    assert resp.is_json
    body = resp.get_json()
    assert ERROR_KEYS <= set(body), body
    assert body["message_en"] and body["message_zh"]
    assert body["message_en"] != body["message_zh"]
    if error:
        assert body["error"] == error
    return body


# -- region ------------------------------------------------------------------
def test_healthz(client):
    for url in ("/healthz", "/api/healthz"):
        body = client.get(url).get_json()
        assert body["status"] == "ok" and body["region"] == "shiyan" and body["planner"] is True


def test_region_counts_and_provenance(client, shiyan):
    body = client.get("/api/region").get_json()
    assert body["counts"]["counties"] == 8 and body["counts"]["townships"] == 129
    assert body["provenance"]["townships"]["geometry_quality"] == "approximate"
    assert body["provenance"]["villages"]["synthetic"] is True
    assert body["population"]["aged_60"] == int(shiyan.counties["aged_60"].sum())


def test_region_layers_are_light_and_complete(client, shiyan):
    resp = client.get("/api/region/layers")
    body = resp.get_json()
    assert len(body["counties"]["features"]) == 8
    towns = body["townships"]["features"]
    assert len(towns) == 129
    assert {f["properties"]["code"] for f in towns} == set(shiyan.townships.index)
    ring = towns[0]["geometry"]["coordinates"][0]
    while isinstance(ring[0][0], list):  # MultiPolygon: one level deeper
        ring = ring[0]
    assert all(round(c, 5) == c for c in ring[0])  # rounded to ~1 m
    assert len(resp.data) < 600_000
    assert body["quality"]["townships"]["geometry_quality"] == "approximate"


# -- types and coverage ----------------------------------------------------------
def test_types(client):
    types = client.get("/api/types").get_json()
    keys = [t["key"] for t in types]
    assert {"elderly_complex", "day_care", "cemetery", "charity_station"} <= set(keys)
    one = client.get("/api/types/day_care?lang=en").get_json()
    assert one["name"] == one["name_en"] and one["standard"]["unit"] == "m"


def test_unknown_type_is_404_everywhere(client):
    for url in ("/api/types/nope", "/api/coverage/nope", "/api/coverage/nope/layers",
                "/api/townships?type=nope", "/charts/coverage_by_county/nope.svg"):
        body = assert_error(client.get(url), 404, "UnknownTypeError")
        assert "day_care" in body["message_en"]  # lists the known types
    assert client.get("/map/nope").status_code == 404


def test_coverage_matches_planner(client, shiyan):
    from planner.coverage import analyse_coverage

    direct = analyse_coverage(shiyan, "elderly_complex").summary
    body = client.get("/api/coverage/elderly_complex").get_json()
    assert body["citywide"]["covered_units"] == direct["covered_units"]
    assert body["citywide"]["covered_share"] == pytest.approx(direct["covered_share"])
    assert len(body["by_county"]) == 8
    assert "units" not in body
    with_units = client.get("/api/coverage/elderly_complex?units=1").get_json()
    assert len(with_units["units"]) == direct["units"]
    rows = {r["key"]: r for r in client.get("/api/coverage").get_json()}
    assert rows["elderly_complex"]["covered_units"] == direct["covered_units"]


def test_coverage_bad_parameters(client):
    assert_error(client.get("/api/coverage/day_care?mode=teleport"), 400, "InputDataError")
    body = assert_error(client.get("/api/coverage/day_care?units=maybe"), 400)
    assert body["details"]["parameter"] == "units"


def test_network_mode_without_graph_is_a_clear_400(client):
    body = assert_error(client.get("/api/coverage/cemetery?mode=network"), 400, "NetworkError")
    assert "--network" in body["message_en"] and "路网" in body["message_zh"]
    assert_error(client.post("/api/proposals", json={"type": "cemetery", "mode": "network"}), 400, "NetworkError")


def test_coverage_layers(client, shiyan):
    body = client.get("/api/coverage/elderly_complex/layers").get_json()
    assert len(body["townships"]["features"]) == 129
    n_fac = int((shiyan.facilities["facility_type"] == "elderly_complex").sum())
    assert len(body["facilities"]["features"]) == n_fac
    units = body["units"]["features"]
    assert len(units) == len(shiyan.villages)
    uncovered = sum(not f["properties"]["covered"] for f in units)
    assert uncovered == body["summary"]["uncovered_units"]
    assert body["service_areas"]["features"], "service areas of the existing complexes"
    assert body["facilities_synthetic"] and body["units_synthetic"] and body["is_estimate"]
    shares = [f["properties"]["covered_share"] for f in body["townships"]["features"]]
    assert all(s is None or 0 <= s <= 1 for s in shares)


# -- township checklist ----------------------------------------------------------
def test_townships_filters(client):
    rows = client.get("/api/townships?type=cemetery").get_json()
    assert len(rows) == 129 and {r["type"] for r in rows} == {"cemetery"}
    county = client.get("/api/townships?type=cemetery&county=420325").get_json()
    assert county and all(r["county_code"] == "420325" for r in county)
    assert len(county) == sum(r["county_code"] == "420325" for r in rows)
    by_name = client.get("/api/townships?type=cemetery&county=房县").get_json()
    assert by_name == county
    not_met = client.get("/api/townships?type=cemetery&status=not_met").get_json()
    assert not_met and all(r["status"] == "not_met" for r in not_met)
    assert len(not_met) == sum(r["status"] == "not_met" for r in rows)
    every = client.get("/api/townships").get_json()
    assert len(every) == 129 * len(client.get("/api/types").get_json())


def test_townships_bad_parameters(client):
    assert_error(client.get("/api/townships?status=perhaps"), 400, "InputDataError")
    body = assert_error(client.get("/api/townships?county=999999"), 400)
    assert body["details"]["parameter"] == "county"
    assert_error(client.get("/api/townships.pdf"), 400)


def test_townships_export_csv_and_xlsx(client):
    rows = client.get("/api/townships?type=day_care&county=420302").get_json()
    resp = client.get("/api/townships.csv?type=day_care&county=420302")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Windows reads UTF-8
    table = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert "示意" in table[0][0] and "茅箭区（420302）" in table[0][0]  # title: what, filters (the county by name), date
    assert table[1][0] == "代码" and len(table) == len(rows) + 2
    assert {r[0] for r in table[2:]} == {r["township_code"] for r in rows}
    assert all(r[4] in ("达标", "未达标", "不适用") for r in table[2:])  # status in words, never met/na
    assert all(r[12].endswith("%") or r[12] == "" for r in table[2:])

    from openpyxl import load_workbook
    resp = client.get("/api/townships.xlsx?type=day_care&county=420302&lang=en")
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert "illustrative" in ws.cell(1, 1).value.lower() and ws.cell(2, 1).value == "Code"  # "Illustrative (示意): …"
    assert ws.max_row == len(rows) + 2
    assert ws.cell(3, 13).number_format == "0.0%"
    assert ws.cell(2, 13).value == "Covered share (units)"  # covered units / units, as on the page


def test_townships_export_has_the_capacity_columns(client):
    """The checklist's capacity columns (per 1,000 against the standard, shortfall) are in the file,
    equal to /api/capacity/townships; a type without a capacity leaves them empty."""
    cap = client.get("/api/capacity/townships").get_json()["types"]
    kind = next(k for k in cap if k != "beds")
    table = list(csv.reader(io.StringIO(client.get(f"/api/townships.csv?type={kind}").data.decode("utf-8-sig"))))
    head = table[1]
    # one type: the per-1,000 headers are what they count ("每千名60岁以上老人日托位（示意）", "…（标准）")
    assert re.fullmatch(r"每千\S+（示意）", head[13]) and head[14] == head[13].replace("（示意）", "（标准）"), head[13:15]
    assert re.fullmatch(r"容量缺口（(张床位|个日托位|个墓穴/格位|个助餐位)）", head[15]), head[15]  # with its unit
    short = []
    for row in table[2:]:
        c = cap[kind][row[0]]
        assert float(row[13]) == round(c["ratio_per_1000"], 1)  # one decimal, as the page
        assert float(row[14]) == pytest.approx(c["standard_per_1000"], abs=1e-4)
        assert int(row[15]) == (math.ceil(c["shortfall"]) if c["shortfall"] > 0 else 0)
        short.append(int(row[15]))
    assert any(short)  # a test that can fail: some township falls short on the sample register
    no_cap = next(r["type"] for r in client.get("/api/townships").get_json() if r["type"] not in cap)
    table = list(csv.reader(io.StringIO(client.get(f"/api/townships.csv?type={no_cap}").data.decode("utf-8-sig"))))
    assert all(r[13:16] == ["", "", ""] for r in table[2:])


def test_targets(client):
    rows = client.get("/api/targets").get_json()
    keys = {r["key"] for r in rows}
    assert "elderly_complex_new_2025" in keys
    for r in rows:
        assert r["status"] in ("met", "not_met") and 0 <= r["progress"] <= 1 and r["text"]


# -- language ----------------------------------------------------------------------
def test_language_switch_and_cookie(app):
    c = app.test_client()
    zh = c.get("/").get_data(as_text=True)
    assert "十堰市民政设施覆盖规划" in zh and 'lang="zh-CN"' in zh
    en = c.get("/?lang=en")
    assert "coverplan_lang=en" in en.headers.get("Set-Cookie", "")
    assert "Shiyan civil-affairs facility coverage planner" in en.get_data(as_text=True)
    # the cookie keeps English on the next page, and errors follow it
    assert 'lang="en"' in c.get("/townships").get_data(as_text=True)
    body = c.get("/api/coverage/nope").get_json()
    assert body["message"] == body["message_en"]
    c.get("/?lang=zh")
    body = c.get("/api/coverage/nope").get_json()
    assert body["message"] == body["message_zh"]


# -- pages, static, errors ---------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/map/day_care", "/map/cemetery?township=420325106", "/townships",
                                 "/proposals", "/api-doc"])
def test_pages_render(client, url):
    resp = client.get(url + ("&" if "?" in url else "?") + "lang=zh")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.css" in html
    import re
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html), "pages load nothing from other hosts"


def test_leaflet_served_locally(client):
    js = client.get("/static/vendor/leaflet/leaflet.js")
    assert js.status_code == 200 and b"Leaflet" in js.data[:400]
    assert client.get("/static/vendor/leaflet/images/layers.png").status_code == 200
    assert client.get("/static/vendor/leaflet/leaflet.js.map").status_code == 404


def test_unknown_route_and_method(client):
    assert_error(client.get("/api/does-not-exist"), 404, "NotFound")
    assert_error(client.delete("/api/types"), 405)


def test_charts(client):
    svg = client.get("/charts/coverage_by_county/day_care.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    png = client.get("/charts/coverage_by_county/cemetery.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert_error(client.get("/charts/coverage_by_county/day_care.gif"), 400)


# -- proposals and jobs ------------------------------------------------------------------
def test_proposal_lifecycle(client, shiyan):
    resp = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 4,
                                                       "name": "测试方案"})
    assert resp.status_code == 201, resp.data[:300]
    body = resp.get_json()
    assert body["state"] == "done"
    prop = body["proposal"]
    pid = prop["id"]
    assert prop["name"] == "测试方案" and len(prop["sites"]) == 4
    assert [s["priority"] for s in prop["sites"]] == [1, 2, 3, 4]
    assert prop["after"]["covered_weight"] >= prop["before"]["covered_weight"]
    assert set(s["township_code"] for s in prop["sites"]) <= set(shiyan.townships.index)

    listed = client.get("/api/proposals").get_json()
    assert pid in [p["id"] for p in listed]
    assert client.get(f"/api/proposals/{pid}").get_json()["sites"] == prop["sites"]

    gj = client.get(f"/api/proposals/{pid}.geojson")
    assert gj.status_code == 200 and len(json.loads(gj.data)["features"]) == 4
    table = list(csv.reader(io.StringIO(client.get(f"/api/proposals/{pid}.csv").data.decode("utf-8-sig"))))
    # the added weight is named by what the type weighs, on the page, in the brief and in the file
    assert "新增覆盖60岁以上人口" in table[1] and "新增覆盖权重" not in table[1]
    for url in (f"/proposals/{pid}?lang=en", f"/proposals/{pid}/brief?lang=en"):
        assert "Added covered people aged 60+" in client.get(url).get_data(as_text=True), url
    assert "方案" in table[0][0] and "分钟" in table[0][0]  # name, parameters with units, date
    assert table[1][0] == "优先序" and [r[0] for r in table[2:]] == ["1", "2", "3", "4"]
    assert any(h.endswith("（分钟）") for h in table[1])
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(client.get(f"/api/proposals/{pid}.xlsx").data)).active
    assert ws.max_row == 6

    targets = {t["key"]: t for t in client.get(f"/api/targets?proposals={pid}").get_json()}
    new = targets["elderly_complex_new_2025"]
    assert new["after"]["numbers"]["from_proposals"] == 4
    assert new["after"]["value"] == new["value"] + 4
    assert_error(client.get("/api/targets?proposals=nope"), 404)

    layers = client.get(f"/api/proposals/{pid}/layers").get_json()
    assert len(layers["sites"]["features"]) == 4 and len(layers["townships"]["features"]) == 129
    assert client.get(f"/api/proposals/{pid}/layers").get_json() == layers   # kept, same answer
    chart = client.get(f"/charts/proposals/{pid}/costs.svg")
    assert chart.status_code == 200 and b"<svg" in chart.data
    page = client.get(f"/proposals/{pid}?lang=en")
    assert page.status_code == 200
    # every before/after row that changed says by how much, the 90th percentile included
    html = page.get_data(as_text=True)
    table = html[html.index('id="before-after"'):]
    table = table[:table.index("</table>")]
    p90 = re.search(r"90th percentile travel cost</td>(.*?)</tr>", table, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", p90, re.S)]
    b, a = prop["before"]["cost_quantiles"]["p90"], prop["after"]["cost_quantiles"]["p90"]
    assert a < b and cells[2].startswith("−") and cells[2].endswith("min")

    assert client.delete(f"/api/proposals/{pid}").get_json() == {"deleted": pid}
    assert_error(client.get(f"/api/proposals/{pid}"), 404, "NotFoundError")
    assert_error(client.delete(f"/api/proposals/{pid}"), 404)
    assert_error(client.get(f"/api/proposals/{pid}.csv"), 404)
    assert_error(client.get(f"/api/proposals/{pid}/layers"), 404)


def test_proposal_async_job_and_compare(client):
    resp = client.post("/api/proposals", json={"type": "cemetery", "model": "mclp", "p": 3})
    assert resp.status_code == 202
    job = resp.get_json()
    assert resp.headers["Location"] == f"/api/jobs/{job['id']}"
    deadline = time.time() + 60
    while job["state"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.1)
        job = client.get(job["url"]).get_json()
    assert job["state"] == "done" and job["progress"] == 1.0
    a = job["result"]["proposal_id"]
    b = client.post("/api/proposals?wait=60", json={"type": "cemetery", "model": "mclp", "p": 6}).get_json()
    b = b["proposal"]["id"]
    html = client.get(f"/proposals/compare?a={a}&b={b}").get_data(as_text=True)
    assert html.count('class="map"') == 2 and 'id="diff"' in html
    assert client.get(f"/proposals/compare?a={a}").status_code == 400
    assert client.get(f"/proposals/compare?a={a}&b=nope").status_code == 404


@pytest.mark.parametrize("body,param", [
    ({"type": "day_care", "p": "x"}, "p"), ({"type": "day_care", "p": 0}, "p"),
    ({"type": "day_care", "p": 2.5}, "p"), ({"type": "day_care", "model": "magic"}, "model"),
    ({"type": "day_care", "mode": "helicopter"}, "mode"), ({"type": "day_care", "standard": -3}, "standard"),
    ({"type": "day_care", "time_limit": 10_000}, "time_limit"), ({}, "type"),
])
def test_proposal_bad_parameters(client, body, param):
    err = assert_error(client.post("/api/proposals", json=body), 400, "InputDataError")
    assert err["details"]["parameter"] == param


def test_proposal_bad_body_and_unknown_type(client):
    assert_error(client.post("/api/proposals", data="{oops", content_type="application/json"), 400)
    assert_error(client.post("/api/proposals", json={"type": "spaceport"}), 404, "UnknownTypeError")
    assert_error(client.post("/api/proposals?wait=x", json={"type": "day_care"}), 400)


def test_more_sites_than_candidates_is_a_400_before_any_job(client):
    """It was a job that failed (422 InfeasibleError, "only 2 candidate sites can be chosen"); since QA 31 the
    number is checked before a job starts, as K is (an infeasible solve's 422: test_qa8_proposals)."""
    before = client.get("/api/jobs").get_json()
    resp = client.post("/api/proposals?wait=60", json={"type": "charity_station", "model": "pcenter", "p": 5})
    body = assert_error(resp, 400, "InputDataError")
    assert body["details"]["parameter"] == "p" and "job" not in body
    assert client.get("/api/jobs").get_json() == before


def test_jobs_unknown(client):
    assert_error(client.get("/api/jobs/nope"), 404)
    assert_error(client.post("/api/jobs/nope/cancel"), 404)
    assert isinstance(client.get("/api/jobs").get_json(), list)


def test_cancel_running_solve_saves_nothing(client):
    """Full day-care coverage (LSCP over 1,979 villages) runs for seconds: cancel it."""
    before = len(client.get("/api/proposals").get_json())
    job = client.post("/api/proposals", json={"type": "day_care", "model": "lscp"}).get_json()
    deadline = time.time() + 30
    while client.get(job["url"]).get_json()["state"] == "queued" and time.time() < deadline:
        time.sleep(0.05)
    assert client.post(job["cancel"]).get_json()["id"] == job["id"]
    while job["state"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.1)
        job = client.get(job["url"]).get_json()
    assert job["state"] == "cancelled" and job["result"] is None
    assert len(client.get("/api/proposals").get_json()) == before


def test_network_mode_with_a_road_graph(tmp_path, monkeypatch):
    """A server given a road graph answers network-mode coverage and proposals (tiny test town)."""
    import sys
    from pathlib import Path

    from geo import settings
    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")  # graph cache stays in the tmp dir
    sys.path.insert(0, str(Path(__file__).parent))
    from osm_fixtures import write_town

    write_town(tmp_path / "town.osm")
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "GRAPH": str(tmp_path / "town.osm")})
    c = app.test_client()
    body = c.get("/api/coverage/cemetery?mode=network").get_json()
    assert body["mode"] == "network" and body["is_estimate"] is False
    # 27 road nodes: too few searches for the hierarchy, so Dijkstra answered, and says so
    assert body["engine"] == "scipy"
    assert c.get("/api/coverage/cemetery").get_json()["engine"] == "estimate"
    layers = c.get("/api/coverage/cemetery/layers?mode=network").get_json()
    assert layers["is_estimate"] is False and len(layers["townships"]["features"]) == 129
    resp = c.post("/api/proposals?wait=60", json={"type": "cemetery", "mode": "network", "model": "mclp", "p": 2})
    assert resp.status_code == 201
    assert resp.get_json()["proposal"]["params"]["mode"] == "network"
    app.extensions["coverplan"]["jobs"].shutdown()


# -- browser charts: county names in both languages, never codes --------------------------
COUNTY_NAMES = {  # code: (Chinese, English)
    "420302": ("茅箭区", "Maojian District"), "420303": ("张湾区", "Zhangwan District"),
    "420304": ("郧阳区", "Yunyang District"), "420322": ("郧西县", "Yunxi County"),
    "420323": ("竹山县", "Zhushan County"), "420324": ("竹溪县", "Zhuxi County"),
    "420325": ("房县", "Fang County"), "420381": ("丹江口市", "Danjiangkou City"),
}


def strict_json(resp):
    """Parse as standard JSON: NaN / Infinity fail the test."""
    assert resp.status_code == 200, resp.data[:300]

    def refuse(const):
        raise AssertionError(f"non-standard JSON number {const}")
    return json.loads(resp.data, parse_constant=refuse)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_data_county_names(client, lang):
    body = strict_json(client.get(f"/api/charts/coverage_by_county/day_care?lang={lang}"))
    rows = body["rows"]
    assert {r["code"] for r in rows} == set(COUNTY_NAMES)
    for r in rows:
        zh, en = COUNTY_NAMES[r["code"]]
        assert (r["name_zh"], r["name_en"]) == (zh, en)
        assert r["name"] == (en if lang == "en" else zh) and r["name"] != r["code"]
        assert 0 <= r["share"] <= 1 and r["share"] == pytest.approx(r["covered_units"] / r["units"])
        # the CLI's share text (never 0% when a unit is covered, nor 100% when one is left: QA 29)
        assert r["label"] == f"{share_text(r['share'])} ({r['covered_units']}/{r['units']})"
    assert [r["share"] for r in rows] == sorted((r["share"] for r in rows), reverse=True)
    names = [r["name"] for r in rows]
    assert ("Danjiangkou City" if lang == "en" else "丹江口市") in names
    assert body["x_label"] == ("Share of units covered (%)" if lang == "en" else "已覆盖单元占比（%）")
    assert body["download"]["svg"] == f"/charts/coverage_by_county/day_care.svg?lang={lang}"
    assert_error(client.get("/api/charts/coverage_by_county/nope"), 404)


def test_coverage_and_proposal_by_county_carry_english_names(client):
    cov = client.get("/api/coverage/day_care").get_json()
    assert {r["county_code"]: (r["name"], r["name_en"]) for r in cov["by_county"]} == COUNTY_NAMES
    resp = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 3})
    assert resp.status_code == 201, resp.data[:300]
    prop = resp.get_json()["proposal"]
    assert {r["county_code"]: (r["county_name"], r["county_name_en"]) for r in prop["by_county"]} == COUNTY_NAMES
    assert {"weight", "covered_share_before", "covered_share_after", "new_sites"} <= set(prop["by_county"][0])

    pid = prop["id"]
    for lang, unit, x_label in (("zh", "min", "出行成本（分钟）"), ("en", "min", "Travel cost (min)")):
        body = strict_json(client.get(f"/api/charts/proposals/{pid}/costs?lang={lang}"))
        assert body["unit"] == unit and body["x_label"] == x_label
        assert len(body["edges"]) == len(body["before"]) + 1 == len(body["after"]) + 1 >= 3
        assert body["edges"] == sorted(body["edges"]) and body["edges"][0] == 0
        # every reachable unit's weight lands in a bin, before and after
        weight = prop["before"]["weight"]
        assert sum(body["before"]) + body["unreachable_before"] == pytest.approx(weight, rel=1e-6)
        assert sum(body["after"]) + body["unreachable_after"] == pytest.approx(weight, rel=1e-6)
        # the proposal moves weight towards short travel: the first bins gain
        assert body["after"][0] >= body["before"][0]
        assert [s["value"] for s in body["standards"]] == [prop["standard"]["urban"], prop["standard"]["rural"]]
        assert body["edges"][-1] >= prop["standard"]["rural"]
    assert_error(client.get("/api/charts/proposals/nope/costs"), 404)


def test_server_chart_labels_counties_by_name(client):
    from web.charts import cjk_font
    en = client.get("/charts/coverage_by_county/day_care.svg?lang=en")
    assert en.status_code == 200
    text = en.data.decode("utf-8")
    assert all(e in text for _, e in COUNTY_NAMES.values())
    assert not [c for c in COUNTY_NAMES if c in text], "county codes in the chart"
    zh = client.get("/charts/coverage_by_county/day_care.svg?lang=zh").data.decode("utf-8")
    # Chinese names where a CJK font can draw them, else English (always renderable)
    want = [z if cjk_font() else e for z, e in COUNTY_NAMES.values()]
    assert all(n in zh for n in want) and not [c for c in COUNTY_NAMES if c in zh]


def test_server_chart_without_a_cjk_font_uses_english_names(client, monkeypatch):
    from web import charts
    monkeypatch.setattr(charts, "chart_lang", lambda lang: "en")
    with client.application.test_request_context("/?lang=zh"):
        from flask import g
        g.lang = "zh"
        svg = charts._county_chart(client.application.extensions["coverplan"]["service"], "cemetery", "svg")
    text = svg.get_data(as_text=True)
    assert "Danjiangkou City" in text and "丹江口市" not in text and "420381" not in text


def test_chart_data_falls_back_to_chinese_without_english_names():
    """A region without name_en (e.g. the hand-made test region) still charts, in Chinese."""
    from small_region import small_region

    from planner.coverage import analyse_coverage
    from web.charts import county_chart_data

    cov = analyse_coverage(small_region([("F1", "day_care", 1000, 5000, "999901001")]), "day_care")
    assert cov.by_county.loc["999901", "name_en"] == "测试县"
    body = county_chart_data(cov, "en")
    assert [(r["code"], r["name"], r["name_en"]) for r in body["rows"]] == [("999901", "测试县", "测试县")]
    assert cov.to_dict()["by_county"][0]["name_en"] == "测试县"


def test_default_proposal_name_is_in_the_page_language(client):
    from planner.facility_types import get_type
    ft = get_type("welfare_home")
    for lang, head in (("en", f"{ft.name_en} · maximal covering · 2 sites · "), ("zh", f"{ft.name_zh}·最大覆盖·2处·")):
        # (a note of its own: the same request again within the minute is answered with the first's proposal, QA 35)
        r = client.post(f"/api/proposals?wait=60&lang={lang}", json={"type": "welfare_home", "model": "mclp", "p": 2,
                                                                     "note": lang})
        assert r.status_code == 201, r.data[:300]
        assert r.get_json()["proposal"]["name"].startswith(head)


def test_exports_drop_control_characters_an_xlsx_cannot_hold(client):
    """A search with an ESC or NUL in it (a pasted terminal line) is quoted in the export's title:
    the XLSX is written without them, never a 500."""
    from openpyxl import load_workbook
    for url in ("/api/facilities.xlsx?q=%1B%5B0m%00x", "/api/townships.xlsx?q=%1B%00"):
        r = client.get(url)
        assert r.status_code == 200, (url, r.data[:200])
        title = load_workbook(io.BytesIO(r.data)).active.cell(1, 1).value
        assert "\x1b" not in title and "\x00" not in title


def test_all_types_checklist_names_each_rows_per_1000_unit(client):
    """Rows of several types count different things per 1,000: a unit column after the two ratio columns."""
    table = list(csv.reader(io.StringIO(client.get("/api/townships.csv?lang=en").data.decode("utf-8-sig"))))
    head = table[1]
    i = head.index("Per-1,000 capacity unit")
    assert head[i - 2:i] == ["Capacity per 1,000 (illustrative)", "Standard per 1,000"]
    units = {r[i] for r in table[2:] if r[i]}
    assert {"Beds per 1,000 people aged 60+", "Day places per 1,000 people aged 60+"} <= units, units
