"""The facility-register API and page, export safety, and plan packages of several proposals."""
from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from web.app import create_app

ERROR_KEYS = {"error", "message", "message_en", "message_zh", "details"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("fac") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def client(app):
    return app.test_client()


def assert_error(resp, status: int, error: str | None = None) -> dict:
    assert resp.status_code == status, resp.data[:300]
    body = resp.get_json()
    assert ERROR_KEYS <= set(body), body
    assert body["message_en"] and body["message_zh"] and body["message_en"] != body["message_zh"]
    if error:
        assert body["error"] == error
    return body


def csv_table(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.data[:300]
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert resp.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


# -- register API -------------------------------------------------------------------------------
def test_counts_equal_the_register(client, shiyan):
    body = client.get("/api/facilities?lang=zh").get_json()
    reg = shiyan.facilities
    assert body["count"] == len(body["rows"]) == body["register_total"] == len(reg)
    assert {r["id"] for r in body["rows"]} == set(reg["id"])
    counts = reg["facility_type"].value_counts()
    assert {b["type"]: b["count"] for b in body["by_type"] if b["count"]} == counts.to_dict()
    assert body["synthetic"] is True and body["register_synthetic"] is True
    row = next(r for r in body["rows"] if r["id"] == reg.index[0])
    f = reg.iloc[0]
    assert row["name"] == f["name"] and row["facility_type"] == f["facility_type"]
    assert row["county_name"] == shiyan.counties.at[f["county_code"], "name"]
    assert row["township_name"] == shiyan.townships.at[f["township_code"], "name"]
    assert row["lon"] == round(f.geometry.x, 6) and row["lat"] == round(f.geometry.y, 6)
    assert row["synthetic"] is True and "示意" in row["source"]
    assert row["map_url"] == f"/map/{f['facility_type']}?township={f['township_code']}"


def test_filters(client, shiyan):
    reg = shiyan.facilities
    cem = client.get("/api/facilities?type=cemetery").get_json()
    assert cem["count"] == int((reg["facility_type"] == "cemetery").sum()) > 0
    assert {r["facility_type"] for r in cem["rows"]} == {"cemetery"}
    # by_type ignores the type filter: it says what each type choice would give
    assert sum(b["count"] for b in cem["by_type"]) == len(reg)

    county = client.get("/api/facilities?county=420325").get_json()
    assert county["count"] == int((reg["county_code"] == "420325").sum()) > 0
    assert all(r["county_code"] == "420325" for r in county["rows"])
    assert client.get("/api/facilities?county=房县").get_json()["rows"] == county["rows"]

    town = county["rows"][0]["township_code"]
    both = client.get(f"/api/facilities?county=420325&township={town}&type=day_care").get_json()
    expected = reg[(reg["township_code"] == town) & (reg["facility_type"] == "day_care")]
    assert {r["id"] for r in both["rows"]} == set(expected["id"])
    assert both["filters"] == {"type": "day_care", "county": "420325", "township": town, "q": None}
    # a township outside the chosen county: nothing, not an error
    assert client.get(f"/api/facilities?county=420302&township={town}").get_json()["count"] == 0

    name = reg.iloc[3]["name"]
    found = client.get("/api/facilities", query_string={"q": name}).get_json()
    assert reg.index[3] in {r["id"] for r in found["rows"]}
    assert all(name in r["name"] or name in r["id"] for r in found["rows"])
    assert client.get("/api/facilities?q=没有这个设施xyz").get_json()["count"] == 0


def test_names_follow_the_language(client, shiyan):
    en = client.get("/api/facilities?type=cemetery&county=420325&lang=en").get_json()
    assert en["rows"]
    r = en["rows"][0]
    assert r["type_name"] == "Public-welfare cemetery"
    if "name_en" in shiyan.counties:
        assert r["county_name"] == shiyan.counties.at["420325", "name_en"]
    assert r["source"] == "coverplan sample register (illustrative)"
    zh = client.get("/api/facilities?type=cemetery&county=420325&lang=zh").get_json()["rows"][0]
    assert zh["type_name"] == "城乡公益性公墓" and zh["county_name"] == "房县" and "示例名录" in zh["source"]


def test_unknown_parameters(client):
    assert_error(client.get("/api/facilities?type=spaceport"), 404, "UnknownTypeError")
    body = assert_error(client.get("/api/facilities?county=999999"), 400, "InputDataError")
    assert body["details"]["parameter"] == "county"
    body = assert_error(client.get("/api/facilities?township=420325999"), 400, "InputDataError")
    assert body["details"]["parameter"] == "township" and "乡镇" in body["message_zh"]
    assert_error(client.get("/api/facilities.csv?township=x"), 400)
    assert_error(client.get("/api/facilities.pdf"), 400)


# -- exports ------------------------------------------------------------------------------------
def test_csv_and_xlsx_hold_exactly_the_filtered_rows(client):
    q = "type=day_care&county=420302&lang=zh"
    rows = client.get(f"/api/facilities?{q}").get_json()["rows"]
    table = csv_table(client.get(f"/api/facilities.csv?{q}"))
    title, header, body = table[0], table[1], table[2:]
    assert "示意" in title[0] and "茅箭区" in title[0] and "社区(村)日间照料中心" in title[0]
    assert date.today().strftime("%Y-%m-%d") in title[0] and f"共 {len(rows)} 条" in title[0]
    assert header[:3] == ["编号", "名称", "设施类型"]
    assert [r[0] for r in body] == [r["id"] for r in rows]
    assert all(r[header.index("示意")] == "是" for r in body)
    lon = header.index("经度")
    assert [float(r[lon]) for r in body] == [r["lon"] for r in rows]   # 6 decimals kept
    # each facility's capacity in its type's unit (an imported 床位数 / 日托位 could not be checked anywhere)
    cap, unit = header.index("容量"), header.index("容量单位")
    assert [r[cap] for r in body] == [str(r["capacity"]) if r["capacity"] is not None else "" for r in rows]
    assert {r[unit] for r in body} == {"个日托位"} and any(r["capacity"] for r in rows)

    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(client.get(f"/api/facilities.xlsx?{q.replace('zh', 'en')}").data)).active
    assert "ILLUSTRATIVE" in ws.cell(1, 1).value and "Maojian" in ws.cell(1, 1).value
    assert ws.cell(2, 1).value == "ID"
    assert [ws.cell(i, 1).value for i in range(3, ws.max_row + 1)] == [r["id"] for r in rows]
    assert ws.freeze_panes == "A3"


def test_unfiltered_export_says_all(client, shiyan):
    table = csv_table(client.get("/api/facilities.csv?lang=en"))
    assert "Filters: all" in table[0][0]
    assert len(table) == len(shiyan.facilities) + 2


def test_safe_text_unit():
    from web.exports import safe_text
    for bad in ("=1+1", "+86 719", "-3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_text(bad) == "'" + bad
    for ok in ("城关镇", "a=b", "", None, -3, 2.5, "'quoted"):
        assert safe_text(ok) == ok


@pytest.fixture()
def injected(app, shiyan, monkeypatch):
    """The app's region with facilities whose names a spreadsheet would run as formulas."""
    from web.service import Service

    reg = shiyan.facilities
    base = reg.iloc[0]
    names = ['=HYPERLINK("http://evil.example/","点我")', "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1", "正常名称"]
    extra = gpd.GeoDataFrame({
        "id": [f"inj-{i}" for i in range(len(names))], "facility_type": base["facility_type"], "name": names,
        "township_code": base["township_code"], "county_code": base["county_code"], "synthetic": True,
        "source": "=cmd|' /C calc'!A0",
    }, geometry=[base.geometry] * len(names), crs=reg.crs)
    extra = extra.set_index("id", drop=False).rename_axis(None)
    region = dataclasses.replace(shiyan, facilities=gpd.GeoDataFrame(pd.concat([reg, extra]), crs=reg.crs))
    monkeypatch.setattr(Service, "region", property(lambda self: region))
    return names


def test_exports_neutralise_formulas(client, injected):
    body = client.get("/api/facilities?q=inj-").get_json()
    assert [r["name"] for r in body["rows"]] == injected  # the API gives the names as they are

    table = csv_table(client.get("/api/facilities.csv?q=inj-&lang=zh"))
    header, rows = table[1], table[2:]
    names = [r[header.index("名称")] for r in rows]
    assert names[:5] == ["'" + n for n in injected[:5]] and names[5] == "正常名称"
    assert all(r[header.index("来源")].startswith("'=") for r in rows)
    for r in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in r)

    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(client.get("/api/facilities.xlsx?q=inj-").data)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)  # not one formula in the sheet
    # the XLSX cell holds the text as typed, as a text cell with the quote prefix (QA 19)
    assert ws.cell(3, 2).value == injected[0] and ws.cell(3, 2).data_type == "s" and ws.cell(3, 2).quotePrefix


def test_other_exports_neutralise_too(client, app, monkeypatch):
    """The checklist export goes through the same cell writer."""
    from web import service
    real = service.Service.township_rows

    def rows(self, lang, **kw):
        out = real(self, lang, **kw)
        out[0] = {**out[0], "township_name": "=1+2"}
        return out
    monkeypatch.setattr(service.Service, "township_rows", rows)
    table = csv_table(client.get("/api/townships.csv?type=cemetery"))
    assert table[2][1] == "'=1+2"  # row 1: title, row 2: header


# -- pages ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_render_with_nav(client, lang):
    for url, label in (("/facilities", ("设施名录", "Facilities")), ("/plan", ("规划组合", "Plan package"))):
        html = client.get(f"{url}?lang={lang}").get_data(as_text=True)
        assert f'href="{url}"' in html and (label[0] if lang == "zh" else label[1]) in html
    html = client.get(f"/facilities?lang={lang}&county=房县&township=420325100").get_data(as_text=True)
    assert 'value="420325" selected' in html and 'data-selected="420325100"' in html
    assert 'id="register-synthetic"' in html   # the sample register is 示意


def test_overview_sources_in_the_page_language(client, shiyan):
    layers = shiyan.provenance["layers"]
    assert all(meta.get("source_zh") for meta in layers.values()), "every layer has a Chinese source"
    zh = client.get("/?lang=zh").get_data(as_text=True)
    en = client.get("/?lang=en").get_data(as_text=True)
    from markupsafe import escape  # the page escapes "'" and friends
    for meta in layers.values():
        assert escape(meta["source_zh"]) in zh and escape(meta["source_zh"]) not in en
        assert escape(meta["source"]) in en and escape(meta["source"]) not in zh
    assert layers["counties"]["notes_zh"] in zh and layers["counties"]["notes"] in en


# -- plan packages -------------------------------------------------------------------------------
def _propose(client, body) -> dict:
    resp = client.post("/api/proposals?wait=120", json=body)
    assert resp.status_code == 201, resp.data[:300]
    return resp.get_json()["proposal"]


@pytest.fixture(scope="module")
def proposals(app):
    c = app.test_client()
    return {
        "ec3": _propose(c, {"type": "elderly_complex", "model": "mclp", "p": 3}),
        "ec3b": _propose(c, {"type": "elderly_complex", "model": "mclp", "p": 3, "name": "same again"}),
        "ec5": _propose(c, {"type": "elderly_complex", "model": "mclp", "p": 5}),
        "cem": _propose(c, {"type": "cemetery", "model": "mclp", "p": 3}),
    }


def _targets(client, *ids) -> dict:
    resp = client.get("/api/targets?proposals=" + ",".join(ids))
    assert resp.status_code == 200, resp.data[:300]
    return {t["key"]: t for t in resp.get_json()}


def test_proposal_list_for_the_plan_page(client, proposals):
    listed = {p["id"]: p for p in client.get("/api/proposals?lang=en").get_json()}
    p = listed[proposals["cem"]["id"]]
    assert p["n_sites"] == 3 and p["type"] == "cemetery" and p["type_name"] == "Public-welfare cemetery"


def test_duplicate_ids_count_once(client, proposals):
    a = proposals["ec3"]["id"]
    once, thrice = _targets(client, a), _targets(client, a, a, a)
    assert thrice == once
    assert once["elderly_complex_new_2025"]["after"]["value"] == 3
    assert once["elderly_complex_new_2025"]["after"]["proposals"] == 1


def test_unknown_proposal_is_404(client, proposals):
    assert_error(client.get("/api/targets?proposals=nope"), 404, "NotFoundError")
    assert_error(client.get(f"/api/targets?proposals={proposals['ec3']['id']},nope"), 404)


def test_two_types_together(client, proposals):
    both = _targets(client, proposals["ec3"]["id"], proposals["cem"]["id"])
    assert both["elderly_complex_new_2025"]["after"]["value"] == 3
    assert both["cemetery_new_2025"]["after"]["value"] == 3
    assert both["cemetery_full_coverage"]["after"]["value"] == pytest.approx(
        proposals["cem"]["after"]["unit_share"])
    assert "after" not in both["day_care_full_coverage"]  # no day-care proposal in the package


def test_same_type_proposals_are_combined(client, proposals):
    a, b, c = proposals["ec3"], proposals["ec3b"], proposals["ec5"]
    # the same three places proposed twice: built once
    twice = _targets(client, a["id"], b["id"])["elderly_complex_new_2025"]["after"]
    assert {s["candidate_id"] for s in a["sites"]} == {s["candidate_id"] for s in b["sites"]}
    assert twice["value"] == 3 and twice["proposals"] == 2 and twice["sites_added"] == 3
    # two different answers: the union of their places
    union = {s["candidate_id"] for s in a["sites"]} | {s["candidate_id"] for s in c["sites"]}
    rows = _targets(client, a["id"], c["id"])
    assert rows["elderly_complex_new_2025"]["after"]["value"] == len(union)
    share = rows["elderly_complex_every_township"]["after"]["numbers"]["townships_with_facility"]
    alone = _targets(client, c["id"])["elderly_complex_every_township"]["after"]["numbers"]["townships_with_facility"]
    assert share >= alone


# -- planner: same-type proposals ------------------------------------------------------------------
def _sites(region, codes: list[str], prefix: str) -> gpd.GeoDataFrame:
    t = region.townships.loc[codes]
    return gpd.GeoDataFrame({
        "id": [f"proposed-{i}" for i in range(1, len(codes) + 1)], "name": [f"{prefix}{n}" for n in t["name"]],
        "candidate_id": ["cand-seat-" + c for c in codes], "township_code": codes,
        "county_code": list(t["county_code"]),
    }, geometry=list(shapely.points(t["seat_lon"], t["seat_lat"])), crs="EPSG:4326")


def test_plan_targets_combines_same_type_proposals(shiyan):
    from planner.targets import combine_sites, plan_targets

    have = set(shiyan.facilities.loc[shiyan.facilities["facility_type"] == "elderly_complex", "township_code"])
    free = [c for c in shiyan.townships.index if c not in have][:3]
    x, y, z = free
    first, second = _sites(shiyan, [x, y], "A"), _sites(shiyan, [y, z], "B")
    combined = combine_sites([first, second])
    assert len(combined) == 3 and combined["id"].is_unique          # y once; ids kept distinct
    rows = {r["key"]: r for r in plan_targets(shiyan, proposals=[
        {"type": "elderly_complex", "sites": first}, {"type": "elderly_complex", "sites": second}])}
    new = rows["elderly_complex_new_2025"]
    assert new["after"]["value"] == 3 and new["after"]["numbers"]["from_proposals"] == 3
    share = rows["elderly_complex_every_township"]
    assert share["after"]["numbers"]["townships_with_facility"] == \
        share["numbers"]["townships_with_facility"] + 3
    # a site without a candidate id is the same place when its coordinates are
    bare = second.drop(columns="candidate_id")
    assert len(combine_sites([first, bare])) == 3
