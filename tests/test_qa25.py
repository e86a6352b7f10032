"""QA 25: what the QA 24 web sweep saw and left.

1. An upgrade of one facility that adds nobody said "1 of the 1 chosen facilities serve no one more".
2. A proposal for a type counted in units (cemeteries) headed its share "Covered share (weighted)" on the
   proposal page and the brief, while the map says "by units".
3. A sized proposal's English CSV named its sites in Chinese (拟建…), while the page names them in English.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from planner.i18n import t

CJK_PROPOSED = re.compile("拟建")


def test_one_idle_upgrade_is_said_in_the_singular(shiyan):
    from planner.upgrades import propose_upgrades

    plan = propose_upgrades(shiyan, "welfare_home", 1, county="420325")
    assert plan.after["idle"] == 1  # the sample data: the one welfare home chosen in Fang County has room already
    en, zh = plan.to_dict("en")["notes"], plan.to_dict("zh")["notes"]
    assert not any("of the 1 chosen" in n for n in en), en
    assert any(n.startswith("The one chosen facility serves no one more after the upgrade") for n in en), en
    assert not any("所选 1 处中有" in n for n in zh) and any("所选这 1 处改造后不增加服务人数" in n for n in zh), zh
    # nor does its reason assume other chosen sites: there are none
    assert "given the other chosen" not in plan.sites["reason_en"].iloc[0]
    assert "其他选中点位" not in plan.sites["reason_zh"].iloc[0]
    # two or more keep the count, with the verb agreeing with it
    five = propose_upgrades(shiyan, "welfare_home", 5)
    idle = five.after["idle"]
    verb = "serves" if idle == 1 else "serve"
    assert any(f"{idle} of the 5 chosen facilities {verb} no one more" in n for n in five.to_dict("en")["notes"])


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for the module's proposals (solved once)."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa25") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def fresh_app(tmp_path):
    """An app of its own, for a test that makes data versions."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def saved(app):
    c = app.test_client()

    def solve(body):
        r = c.post("/api/proposals?lang=zh&wait=120", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["proposal"]["id"]

    return {"cemetery": solve({"type": "cemetery", "model": "mclp", "p": 3}),
            "complex": solve({"type": "elderly_complex", "model": "mclp", "p": 3}),
            "sized": solve({"type": "welfare_home", "kind": "sized", "sizes": "30,60,100", "budget_sites": 3}),
            "upgrade1": solve({"type": "welfare_home", "kind": "upgrade", "k": 1})}


def test_an_upgrade_of_one_counts_one_site(app, saved):
    html = app.test_client().get(f"/proposals/{saved['upgrade1']}?lang=en").get_data(as_text=True)
    cost = re.search(r'<p id="upgrade-cost">.*?</p>', html, re.S).group(0)
    assert re.search(r"each, 1 site\)", cost) and "1 sites" not in cost, cost


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_unit_counted_proposal_names_its_share_by_units(app, saved, lang):
    c = app.test_client()

    def shown(page):
        r = c.get(page)
        assert r.status_code == 200, page
        # what the page shows: not its scripts (the page's word list for them holds every label)
        return re.sub(r"<script\b.*?</script>", "", r.get_data(as_text=True), flags=re.S)

    for page in (f"/proposals/{saved['cemetery']}?lang={lang}", f"/proposals/{saved['cemetery']}/brief?lang={lang}"):
        html = shown(page)
        assert t("share_by_units", lang) in html, page
        assert t("covered_share_weighted", lang) not in html, page
    # the brief's key names the shading as the map's legend does
    assert t("legend_share_units", lang) in shown(f"/proposals/{saved['cemetery']}/brief?lang={lang}")
    # a type weighted by people names them
    for page in (f"/proposals/{saved['complex']}?lang={lang}", f"/proposals/{saved['complex']}/brief?lang={lang}"):
        html = shown(page)
        assert t("share_by_aged_60", lang) in html, page
        assert f">{t('covered_share_weighted', lang)}<" not in html, page
    assert t("legend_share", lang) in shown(f"/proposals/{saved['complex']}/brief?lang={lang}")


def _csv(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    return rows[1], rows[2:]


def test_sized_proposal_english_export_names_sites_in_english(app, saved):
    c = app.test_client()
    pid = saved["sized"]
    sites = c.get(f"/api/proposals/{pid}?lang=en").get_json()["sites"]
    head, rows = _csv(c, f"/api/proposals/{pid}.csv?lang=en")
    name = head.index(t("name", "en"))
    assert rows and len(rows) == len(sites)
    assert [r[name] for r in rows] == [s["name_en"] for s in sites]
    assert not any(CJK_PROPOSED.search(r[name]) for r in rows)
    assert all(" – proposed " in r[name] for r in rows)
    head, rows = _csv(c, f"/api/proposals/{pid}.csv?lang=zh")
    sites = c.get(f"/api/proposals/{pid}?lang=zh").get_json()["sites"]
    assert [r[head.index(t("name", "zh"))] for r in rows] == [s["name"] for s in sites]
    assert all(r[head.index(t("name", "zh"))].startswith("拟建") for r in rows)


# -- 4. a capacity in another type's unit ----------------------------------------------------------------
def test_a_day_care_row_with_beds_only_is_warned_and_keeps_its_value(shiyan, tmp_path):
    """A day-care centre counts day places; a register giving it 床位数 and no 日托位 was imported with its
    capacity unknown without a word. It is warned of, naming the row, column and value, and nothing is lost."""
    from planner.register import validate_register

    seat = shiyan.townships.iloc[0]
    town = shiyan.villages[shiyan.villages["township_code"].astype(str) == str(seat["code"])].iloc[0].geometry
    lon, lat = town.x, town.y
    path = tmp_path / "units.csv"
    path.write_text("名称,类型,经度,纬度,床位数,日托位,墓穴数,格位数\n"
                    f"甲日照中心,日间照料中心,{lon},{lat},20,,,\n"              # row 2: beds only -> warned
                    f"乙日照中心,日间照料中心,{lon + 0.002},{lat},20,15,,\n"     # row 3: both -> fine
                    f"丙福利院,农村福利院,{lon},{lat + 0.002},40,,,\n"          # row 4: its own unit
                    f"丁公墓,公益性公墓,{lon + 0.004},{lat},,,,300\n"           # row 5: niches are burial places
                    f"戊日照中心,日间照料中心,{lon},{lat + 0.004},,,,\n",       # row 6: nothing given
                    "utf-8")
    report = validate_register(path, region=shiyan)
    warned = [i for i in report.issues if i.code == "capacity_other_unit"]
    assert [(i.row, i.column, i.value, i.severity) for i in warned] == [(2, "床位数", "20", "warning")], warned
    w = warned[0]
    assert "日托位" in w.message_zh and "日间照料中心" in w.message_zh and "“日托位”列" in w.fix_zh
    assert "day places" in w.message_en and "'day_places' or '日托位'" in w.fix_en
    assert "day-care centre's capacity is counted in day places" in w.message_en, w.message_en
    acc = report.accepted.set_index("name")
    assert len(acc) == 5  # a warning: every row imported
    assert acc.at["甲日照中心", "beds"] == 20 and np.isnan(acc.at["甲日照中心", "day_places"])
    assert acc.at["乙日照中心", "day_places"] == 15


# -- 5. metres given a lon/lat CRS, in a register file -------------------------------------------------
def test_a_register_of_metres_given_a_lonlat_crs_says_the_crs_given(shiyan, tmp_path):
    """A GeoJSON register in CGCS2000 Gauss-Kruger metres, imported with --crs EPSG:4326: every row was
    refused on its own without a word on the CRS given; the file is refused once, naming it."""
    import json

    import geopandas as gpd

    from geo.errors import InputDataError
    from planner.register import validate_register

    v = shiyan.villages.iloc[:3]
    pts = gpd.GeoSeries(v.geometry.values, crs="EPSG:4326").to_crs("EPSG:4547")
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": f"甲{i}", "类型": "农村福利院"},
         "geometry": {"type": "Point", "coordinates": [g.x, g.y]}} for i, g in enumerate(pts)]}
    path = tmp_path / "metres.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), "utf-8")
    with pytest.raises(InputDataError) as exc:
        validate_register(path, region=shiyan, crs="EPSG:4326")
    e = exc.value
    assert "look projected" in e.en and "(EPSG:4326) is lon/lat" in e.en, e.en
    assert "所给坐标系（EPSG:4326）却是经纬度" in e.zh, e.zh
    # the right CRS reads all three
    assert len(validate_register(path, region=shiyan, crs="EPSG:4547").accepted) == 3


# -- 6. a version's report is kept with it --------------------------------------------------------------
def test_a_versions_report_is_kept_with_it(fresh_app, shiyan):
    """A version's note says "1 row refused, see the report", and once confirmed the upload's report
    answered 404 "no longer kept": it is kept with the version, linked from the version list."""
    from openpyxl import load_workbook

    app = fresh_app
    c = app.test_client()
    v = shiyan.villages.iloc[0].geometry
    body = ("名称,类型,经度,纬度,床位数\n"
            f"甲福利院,农村福利院,{v.x},{v.y},40\n"
            f"乙福利院,农村福利院,{v.x + 0.01},{v.y},-5\n"  # a warning: capacity unknown
            f"丙福利院,农村福利院,{v.x},{v.y + 0.01},999999\n").encode("utf-8")  # refused: implausible
    r = c.post("/api/data/uploads?lang=zh", content_type="multipart/form-data",
               data={"kind": "facilities", "coords": "wgs84", "file": (io.BytesIO(body), "福利院.csv")})
    assert r.status_code == 200, r.data[:300]
    rep = r.get_json()
    assert rep["counts"]["refused"] == 1
    uid = rep["upload_id"]
    version = c.post(f"/api/data/uploads/{uid}/confirm").get_json()["version"]
    # the upload's own address says where the report is now
    gone = c.get(f"/api/data/uploads/{uid}/report.xlsx?lang=en")
    assert gone.status_code == 404 and gone.get_json()["details"]["report"] == \
        f"/api/data/versions/{version}/report.xlsx"
    row = next(x for x in c.get("/api/data/versions?lang=en").get_json()["versions"] if x["version"] == version)
    assert "1 row refused, see the report" in row["note"] and row["report"].endswith(f"/{version}/report.xlsx")
    ws = load_workbook(io.BytesIO(c.get(row["report"] + "?lang=en").data)).active
    cells = [str(x.value) for r_ in ws.iter_rows() for x in r_ if x.value is not None]
    assert any("999999" in x for x in cells) and any("-5" in x for x in cells)
    text = c.get(f"/api/data/versions/{version}/report.csv?lang=zh").get_data().decode("utf-8-sig")
    assert "999999" in text and "错误" in text
    # a version without a kept report (the embedded one) says so
    assert c.get("/api/data/versions/0/report.xlsx").status_code == 404
    # a report kept for another file of that version number (a backup restored since) is not shown
    kept = Path(app.config["DATA_DIR"]) / "reports" / f"v{version}" / "meta.json"
    meta = json.loads(kept.read_text("utf-8"))
    kept.write_text(json.dumps({**meta, "sha256": "0" * 64}), "utf-8")
    assert c.get(f"/api/data/versions/{version}/report.xlsx").status_code == 404
    assert "report" not in next(x for x in c.get("/api/data/versions").get_json()["versions"]
                                if x["version"] == version)
    assert "report" not in next(x for x in c.get("/api/data/versions").get_json()["versions"]
                                if x["version"] == 0)


# -- 7. parameters' words -------------------------------------------------------------------------------
def test_a_year_bound_has_no_thousands_separator_and_flags_say_what_they_take(app):
    c = app.test_client()
    r = c.get("/api/beds?target=7136&year=1999&lang=en")
    assert r.status_code == 400
    msg = r.get_json()["message"]
    assert "at least 2000" in msg and "at most 2100" in msg and "2,000" not in msg, msg
    r = c.get("/api/upgrades/welfare_home?convert=2&lang=en")
    assert r.status_code == 400 and "yes/no" in r.get_json()["message"], r.get_json()


# -- 8. the mapping's "—" through the web ---------------------------------------------------------------
def test_a_recheck_can_choose_or_clear_the_capacity_column(fresh_app, shiyan):
    """The mapping card's 容量 set to another column is read; set to "—" (sent as "") no capacity column
    is read. The recheck dropped "" and the header was recognised again."""
    app = fresh_app
    c = app.test_client()
    v = shiyan.villages.iloc[0].geometry
    body = ("名称,类型,经度,纬度,核定床位数,实际入住床位\n"
            f"甲福利院,农村福利院,{v.x},{v.y},60,30\n"
            f"乙福利院,农村福利院,{v.x + 0.01},{v.y},70,35\n").encode("utf-8")

    def beds_after(column_map, body=body):
        r = c.post("/api/data/uploads?lang=zh", content_type="multipart/form-data",
                   data={"kind": "facilities", "coords": "wgs84", "replace": "city",
                         "file": (io.BytesIO(body), "两种床位.csv")})
        assert r.status_code == 200, r.data[:300]
        uid = r.get_json()["upload_id"]
        r = c.post(f"/api/data/uploads/{uid}/recheck?lang=en", json={"column_map": column_map})
        assert r.status_code == 200, r.get_json()
        assert c.post(f"/api/data/uploads/{uid}/confirm").status_code == 200
        rows = c.get("/api/facilities?type=welfare_home").get_json()["rows"]
        return sorted((x.get("capacity") for x in rows), key=lambda b: -1 if b is None else b)

    assert beds_after({}) == [60, 70]
    assert beds_after({"capacity": "实际入住床位"}) == [30, 35]
    # "—" reads no column: facilities that stand for current ones keep their beds (QA 32: a file without the
    # column wiped them), new ones are unknown
    others = body.decode("utf-8").replace("甲福利院", "丙福利院").replace("乙福利院", "丁福利院").encode("utf-8")
    assert beds_after({"capacity": ""}, others) == [None, None]
