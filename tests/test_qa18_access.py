"""QA sweep 18, accounts: a county planner cannot put his villages down in another county."""
from __future__ import annotations

import io

import pytest

from tests.accounts import accounts_app, signed_in


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa18"), (("boss", "admin", None), ("fang", "planner", "420325")))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _upload(c, body: bytes):
    return c.post("/api/data/uploads?lang=zh", data={"kind": "villages", "file": (io.BytesIO(body), "v.csv")},
                  content_type="multipart/form-data").get_json()


def test_a_county_planner_cannot_move_his_village_into_another_county(app, shiyan):
    c = signed_in(app, "fang")
    v = shiyan.villages[shiyan.villages["county_code"] == "420325"].index[0]
    t = shiyan.townships
    elsewhere = t[t["county_code"] == "420304"].geometry.iloc[0].representative_point()
    home = t[t["county_code"] == "420325"].geometry.iloc[0].representative_point()
    # a point in another county than its code's is refused for every planner since F5 (the row, with the county
    # it would lie in), the county's and the city's alike
    v2 = shiyan.villages[shiyan.villages["county_code"] == "420325"].index[1]
    p2 = shiyan.villages.loc[v2, "geometry"]
    body = f"code,lon,lat\n{v},{elsewhere.x:.6f},{elsewhere.y:.6f}\n{v2},{p2.x:.6f},{p2.y:.6f}\n".encode()
    for who in (c, signed_in(app, "boss")):
        rep = _upload(who, body)
        bad = [i for i in rep["issues"] if i["severity"] == "error"]
        assert [(i["row"], i["code"]) for i in bad] == [(2, "outside_own_county")], rep["issues"]
        assert "郧阳区" in bad[0]["message"] and rep["counts"]["refused"] == 1, rep
    # within his county it goes through
    rep = _upload(c, f"code,lon,lat\n{v},{home.x:.6f},{home.y:.6f}\n".encode())
    assert not rep["replaces"] or not rep["replaces"]["outside_county"], rep["replaces"]
    assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200


def test_a_column_mapping_is_remembered_for_its_planner_only(tmp_path_factory, shiyan):
    """One planner's mapping (longitude and latitude swapped) was applied to a colleague's file of the
    same shape unasked, and refused his row."""
    app = accounts_app(tmp_path_factory.mktemp("maps"), (("a", "planner", None), ("b", "planner", None)))
    try:
        g = shiyan.villages.geometry.iloc[7]
        body = f"aa,bb,cc,dd\n甲中心,日间照料中心,{g.y:.6f},{g.x:.6f}\n".encode()

        def up(c):
            return c.post("/api/data/uploads?lang=zh", data={"kind": "facilities", "type": "day_care",
                                                              "file": (io.BytesIO(body), "r.csv")},
                          content_type="multipart/form-data").get_json()

        a = signed_in(app, "a")
        first = up(a)
        assert first.get("needs_mapping") or first.get("mapping"), list(first)
        r = a.post(f"/api/data/uploads/{first['upload_id']}/recheck",
                   json={"column_map": {"name": "aa", "type": "bb", "lon": "dd", "lat": "cc"}}).get_json()
        assert r["counts"]["accepted"] == 1, r.get("counts")
        again = up(a)  # his next file of this shape: read his way, and said so
        assert again.get("column_map_remembered") and again["counts"]["accepted"] == 1
        other = up(signed_in(app, "b"))  # a colleague's: asked, not read with a's mapping
        assert not other.get("column_map_remembered") and not other.get("column_map_used"), other
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_saving_a_proposal_a_colleague_deleted_says_it_was_deleted(app):
    ext = app.extensions["coverplan"]
    pid = ext["store"].add(name="甲方案", type_key="day_care", params={}, summary={},
                           geojson={"type": "FeatureCollection", "features": []})
    assert signed_in(app, "boss").delete(f"/api/proposals/{pid}").status_code == 200
    r = signed_in(app, "fang").patch(f"/api/proposals/{pid}?lang=zh", json={"note": "我的备注"})
    assert r.status_code == 404, r.data[:300]
    e = r.get_json()
    assert "方案“甲方案”已于" in e["message"] and "被 boss 删除" in e["message"] and e["details"]["deleted"] is True
    other = signed_in(app, "fang").get("/api/proposals/nope?lang=zh")
    assert other.status_code == 404 and "删除" not in other.get_json()["message"]


def test_a_county_planners_village_just_over_the_line_is_a_warning_as_for_the_city(app, shiyan):
    """300 m over the county line is the county polygons' imprecision (geo.imports.COUNTY_SLACK_KM): a warning
    for every planner. A county planner's was counted as the next county's and blocked his whole file (QA 30)."""
    import geopandas as gpd
    import shapely

    from geo import settings

    counties = shiyan.counties.set_index(shiyan.counties["code"].astype(str) if "code" in shiyan.counties
                                         else shiyan.counties.index.astype(str)).to_crs(settings.METRIC_CRS)
    fang, zhu = counties.loc["420325", "geometry"], counties.loc["420323", "geometry"]
    line = fang.boundary.intersection(zhu.boundary)
    inside = zhu.representative_point()
    point = None
    for f in [i / 20 for i in range(1, 20)]:
        p = line.interpolate(f, normalized=True)
        d = shapely.Point(inside.x - p.x, inside.y - p.y)
        n = (d.x ** 2 + d.y ** 2) ** 0.5
        q = shapely.Point(p.x + 300 * d.x / n, p.y + 300 * d.y / n)
        if zhu.contains(q) and fang.distance(q) < 600:
            point = gpd.GeoSeries([q], crs=settings.METRIC_CRS).to_crs(settings.STORAGE_CRS).iloc[0]
            break
    assert point is not None
    v = shiyan.villages[shiyan.villages["county_code"] == "420325"].index[2]
    for who in ("fang", "boss"):
        rep = _upload(signed_in(app, who), f"code,lon,lat\n{v},{point.x:.6f},{point.y:.6f}\n".encode())
        assert rep["counts"]["refused"] == 0 and not rep.get("blocked"), (who, rep.get("blocked"), rep["counts"])
        assert not (rep.get("replaces") or {}).get("outside_county"), (who, rep["replaces"])
        assert any(i["severity"] == "warning" and i["row"] == 2 for i in rep["issues"]), (who, rep["issues"])
