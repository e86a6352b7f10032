"""F5: township and village imports that changed the coverage under a warning, and what the summaries say of them.

1. A self-crossing township polygon repaired to a sliver of the township (大木厂镇 337 km² -> 8 km²) was taken
   with a warning; now refused, named with its areas. The villages the new boundaries leave outside their own
   township are said first in the report (a warning: see geo.imports._villages_outside for why).
2. A village point in another county than its code's was taken with a warning that named two 城关镇 alike; the
   row is refused now, both counties named; the own township is named with its county.
3. A village on two rows: the first won silently; both are refused, each naming both lines.
4. `region info` called a type "planner-supplied" when one county's rows were imported and the rest synthetic.
5. The 示意 summaries called the township boundaries approximate after an import, without its file.

F10 review: a plain copy of a village's row is taken once (both were refused); the summaries name every file the
boundaries came in (only the last import's was named, credited with every boundary); the villages already outside
their township are not blamed on a boundary import; the Chinese refusal of a lossy repair gives GEOS's reason.
"""
from __future__ import annotations

import dataclasses
import json

import geopandas as gpd
import pytest
import shapely
import shapely.affinity
import shapely.geometry

from geo import settings
from geo.errors import InputDataError
from geo.imports import check_townships, check_villages, township_issues, village_placement_issues
from test_qa21_cli import run

DAMU = "420325104"  # 大木厂镇, 房县
JUNDIAN = "420325101"  # 军店镇, 房县
CHENGGUAN = "420325100"  # 城关镇, 房县
YX_CHENGGUAN = "420322100"  # 城关镇, 郧西县


def _write(tmp_path, features, name="t.geojson"):
    """A township GeoJSON of (code, geometry) pairs."""
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"代码": code}, "geometry": shapely.geometry.mapping(g)}
        for code, g in features]}
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def _km2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=settings.STORAGE_CRS).to_crs(settings.METRIC_CRS).area.iloc[0] / 1e6)


def _metric(geom, fn):
    """``geom`` changed by ``fn`` in metres, back in lon/lat."""
    m = gpd.GeoSeries([geom], crs=settings.STORAGE_CRS).to_crs(settings.METRIC_CRS)
    return gpd.GeoSeries([fn(m.iloc[0])], crs=settings.METRIC_CRS).to_crs(settings.STORAGE_CRS).iloc[0]


# -- 1. repairs that lose the township, villages left outside -------------------------------------------------
def test_a_bow_tie_repaired_to_a_sliver_of_the_township_is_refused_with_its_areas(shiyan, tmp_path):
    p = shiyan.townships.loc[DAMU, "geometry"].representative_point()
    x, y, d = p.x, p.y, 0.02  # a bow tie of about 4 km drawn for the township (as the tester's file)
    bow = shapely.Polygon([(x - d, y - d), (x + d, y + d), (x + d, y - d), (x - d, y + d), (x - d, y - d)])
    assert not bow.is_valid
    path = _write(tmp_path, [(JUNDIAN, shiyan.townships.loc[JUNDIAN, "geometry"]), (DAMU, bow)])
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, path)
    now = _km2(shiyan.townships.loc[DAMU, "geometry"])
    after = _km2(shapely.make_valid(bow))
    zh, en = e.value.message("zh"), e.value.message("en")
    assert f"大木厂镇（{DAMU}，第 2 个要素）" in zh and f"{after:,.2f} 平方千米" in zh and f"该乡镇现有面积 {now:,.2f}" in zh, zh
    assert f"大木厂镇 ({DAMU}, feature 2)" in en and f"{after:,.2f} km²" in en and f"{now:,.2f} km², the township's area now" in en
    assert "不能导入" in zh and "would lose most of their area" in en
    # GEOS's reason, with the place it found, in both languages (the Chinese said "如边线自相交" only)
    reason = en.split("feature 2) is invalid (", 1)[1].split(")", 1)[0]
    assert reason.startswith("Self-intersection["), en
    lon, lat = (float(v) for v in reason.split("[", 1)[1].rstrip("]").split())
    assert f"边界无效（边线自相交，位于 {lon:.5f}, {lat:.5f}）" in zh, zh
    assert "GIS" in e.value.hint_zh and "Fix Geometries" in e.value.hint_en
    (d,) = e.value.details["repair_loss"]
    assert d["code"] == DAMU and d["basis"] == "now" and d["km2_after"] < d["km2_before"] / 2


def test_a_township_drawn_twice_in_one_feature_loses_its_overlap_to_the_repair_and_is_refused(shiyan, tmp_path):
    g = shiyan.townships.loc[DAMU, "geometry"]
    g = max(getattr(g, "geoms", [g]), key=lambda part: part.area)
    twice = shapely.MultiPolygon([g, shapely.affinity.translate(g, xoff=0.003)])  # parts overlapping: invalid
    assert not twice.is_valid
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, _write(tmp_path, [(DAMU, twice)]))
    (d,) = e.value.details["repair_loss"]
    assert d["basis"] == "outline" and "边线所围面积" in e.value.message("zh")
    assert "the area its outline encloses" in e.value.message("en")


def test_a_repair_that_keeps_the_township_is_still_a_warning(shiyan, tmp_path):
    g = shiyan.townships.loc[DAMU, "geometry"]
    ring = list(shapely.get_exterior_ring(max(getattr(g, "geoms", [g]), key=lambda part: part.area)).coords)
    m = len(ring) // 2
    ring[m], ring[m + 1] = ring[m + 1], ring[m]  # two neighbouring vertices swapped: a tiny crossing
    poly = shapely.Polygon(ring)
    assert not poly.is_valid
    out = check_townships(shiyan, _write(tmp_path, [(DAMU, poly)]))
    assert [i["code"] for i in township_issues(out) if i["code"] == "geometry_repaired"] == ["geometry_repaired"]


def test_villages_the_new_boundaries_leave_outside_are_said_first(shiyan, tmp_path):
    smaller = _metric(shiyan.townships.loc[JUNDIAN, "geometry"], lambda g: g.buffer(-1500))
    out = check_townships(shiyan, _write(tmp_path, [(JUNDIAN, smaller)]))
    issues = township_issues(out)
    first = issues[0]
    assert first["code"] == "villages_outside_township" and first["severity"] == "warning" and first["row"] is None
    v = shiyan.villages[shiyan.villages["township_code"].astype(str) == JUNDIAN]
    outside = int((~shapely.contains(smaller, v.geometry.values)).sum())
    assert outside > 0
    assert f"房县军店镇（{JUNDIAN}）{len(v)} 个中的 {outside} 个" in first["message_zh"], first["message_zh"]
    assert f"军店镇 ({JUNDIAN}, Fang County) {outside} of {len(v)}" in first["message_en"], first["message_en"]
    assert "示意" in first["message_zh"] and "moved inside" in first["message_en"]
    assert first["value"].startswith(f"{JUNDIAN} {outside}/{len(v)}") and first["fix_zh"] and first["fix_en"]
    # the planner's own village points are not moved: said as such (a copy of the region, never the loaded one)
    vills = shiyan.villages.copy()
    vills.loc[v.index, "location_quality"] = "official"
    mine = dataclasses.replace(shiyan, villages=vills)
    said = township_issues(check_townships(mine, _write(tmp_path, [(JUNDIAN, smaller)])))[0]
    assert "均为规划人员导入的点位" in said["message_zh"] and "stay where they are" in said["message_en"]
    assert (shiyan.villages["location_quality"] == "synthetic").all()
    # the township's own boundary again: nothing to say
    same = check_townships(shiyan, _write(tmp_path, [(JUNDIAN, shiyan.townships.loc[JUNDIAN, "geometry"])]))
    assert not [i for i in township_issues(same) if i["code"] == "villages_outside_township"]


def test_villages_outside_their_township_already_are_not_blamed_on_the_import(shiyan, tmp_path):
    """F10: every village of the county was checked against the new boundaries, so the planner's own points already
    outside their (approximate) township, in a township the file does not touch, were counted as the import's."""
    v_ch = shiyan.villages[shiyan.villages["township_code"].astype(str) == CHENGGUAN].sort_index()
    moved = v_ch.index[:2]
    there = shiyan.townships.loc[DAMU, "geometry"].representative_point()
    vills = shiyan.villages.copy()
    vills.loc[moved, "geometry"] = [there, there]  # the planner's points, in 大木厂镇: outside 城关镇 before any import
    vills.loc[moved, "location_quality"] = "official"
    mine = dataclasses.replace(shiyan, villages=vills)
    same = check_townships(mine, _write(tmp_path, [(JUNDIAN, shiyan.townships.loc[JUNDIAN, "geometry"])]))
    assert not [i for i in township_issues(same) if i["code"] == "villages_outside_township"]
    # a real change is still said, counting only what the import leaves outside
    smaller = _metric(shiyan.townships.loc[JUNDIAN, "geometry"], lambda g: g.buffer(-1500))
    (said,) = [i for i in township_issues(check_townships(mine, _write(tmp_path, [(JUNDIAN, smaller)])))
               if i["code"] == "villages_outside_township"]
    v = shiyan.villages[shiyan.villages["township_code"].astype(str) == JUNDIAN]
    outside = int((~shapely.contains(smaller, v.geometry.values)).sum())
    assert said["value"] == f"{JUNDIAN} {outside}/{len(v)}" and CHENGGUAN not in said["message_zh"], said
    assert f"导入后将有 {outside} 个村（社区）" in said["message_zh"] and "均为示意" in said["message_zh"]
    assert (shiyan.villages["location_quality"] == "synthetic").all()


# -- 2. a village point in another county ---------------------------------------------------------------------
def _village_of(region, township: str, k: int = 0) -> tuple[str, str]:
    v = region.villages[region.villages["township_code"].astype(str) == township].sort_index()
    return str(v.index[k]), str(v["name"].iloc[k])


def test_a_village_point_in_another_county_is_refused_naming_both_counties(shiyan, tmp_path):
    code, name = _village_of(shiyan, CHENGGUAN)
    good, _ = _village_of(shiyan, CHENGGUAN, 1)
    far = shiyan.townships.loc[YX_CHENGGUAN, "geometry"].representative_point()
    g = shiyan.villages.loc[good, "geometry"]
    path = tmp_path / "v.csv"
    path.write_text(f"code,lon,lat\n{code},{far.x:.6f},{far.y:.6f}\n{good},{g.x:.6f},{g.y:.6f}\n", "utf-8")
    pts = check_villages(shiyan, path)
    assert list(pts["code"]) == [good]
    (r,) = pts.attrs["refused"]
    assert r["row"] == 2 and r["code"] == "outside_own_county" and r["severity"] == "error" and r["column"] == "lon"
    assert f"{name}（{code}）属于房县城关镇（{CHENGGUAN}），但点位落在郧西县城关镇（{YX_CHENGGUAN}）内" in r["message_zh"]
    assert "在房县以外约" in r["message_zh"], r["message_zh"]
    assert f"belongs to 城关镇 ({CHENGGUAN}), Fang County, but its point lies in 城关镇 ({YX_CHENGGUAN}), Yunxi " \
           "County" in r["message_en"] and "km outside Fang County" in r["message_en"], r["message_en"]
    assert "county its code" in r["fix_en"] and "县区" in r["fix_zh"]


def test_a_point_just_over_the_county_line_stays_a_warning_naming_the_own_township(shiyan, tmp_path):
    fang = shiyan.counties.loc["420325", "geometry"]
    code, name = _village_of(shiyan, CHENGGUAN)
    near = None
    for other in shiyan.counties.index.drop("420325"):
        sliver = shiyan.counties.loc[other, "geometry"].intersection(_metric(fang, lambda g: g.buffer(400)))
        if not sliver.is_empty and sliver.area > 0:
            near = sliver.representative_point()
            break
    assert near is not None and not fang.contains(near)
    path = tmp_path / "v.csv"
    path.write_text(f"code,lon,lat\n{code},{near.x:.6f},{near.y:.6f}\n", "utf-8")
    pts = check_villages(shiyan, path)
    assert not pts.attrs["refused"] and len(pts) == 1
    (w,) = [i for i in village_placement_issues(shiyan, pts) if i["code"] == "outside_own_township"]
    assert f"{name}（{code}）属于房县城关镇（{CHENGGUAN}），但点位" in w["message_zh"], w["message_zh"]
    assert f"belongs to 城关镇 ({CHENGGUAN}), Fang County, but" in w["message_en"], w["message_en"]


def test_a_point_in_another_township_of_the_county_is_a_warning_naming_both(shiyan, tmp_path):
    code, name = _village_of(shiyan, CHENGGUAN)
    p = shiyan.townships.loc[JUNDIAN, "geometry"].representative_point()
    path = tmp_path / "v.csv"
    path.write_text(f"code,lon,lat\n{code},{p.x:.6f},{p.y:.6f}\n", "utf-8")
    pts = check_villages(shiyan, path)
    (w,) = [i for i in village_placement_issues(shiyan, pts) if i["code"] == "outside_own_township"]
    assert w["message_zh"] == f"{name}（{code}）属于房县城关镇（{CHENGGUAN}），但点位落在军店镇（{JUNDIAN}）内"
    assert w["message_en"] == f"{name} ({code}) belongs to 城关镇 ({CHENGGUAN}), Fang County, but its point lies in " \
                              f"军店镇 ({JUNDIAN})"


# -- 3. one village on two rows -------------------------------------------------------------------------------
def test_a_village_on_two_rows_refuses_both_naming_both_lines(shiyan, tmp_path):
    a, _ = _village_of(shiyan, CHENGGUAN)
    b, _ = _village_of(shiyan, CHENGGUAN, 1)
    ga, gb = shiyan.villages.loc[a, "geometry"], shiyan.villages.loc[b, "geometry"]
    path = tmp_path / "v.csv"
    path.write_text(f"code,lon,lat\n{b},{gb.x:.6f},{gb.y:.6f}\n{a},{ga.x:.6f},{ga.y:.6f}\n"
                    f"{a},{ga.x + 0.01:.6f},{ga.y:.6f}\n", "utf-8")
    pts = check_villages(shiyan, path)
    assert list(pts["code"]) == [b]
    refused = {r["row"]: r for r in pts.attrs["refused"]}
    assert sorted(refused) == [3, 4]
    for r in refused.values():
        assert r["code"] == "duplicate_code" and r["value"] == a and r["column"] == "code"
        assert "第 3、4 行" in r["message_zh"] and "均不导入" in r["message_zh"], r["message_zh"]
        assert f"village {a} is on rows 3 and 4: neither is imported" in r["message_en"], r["message_en"]


def test_a_village_row_copied_is_taken_once_with_a_warning_naming_both_lines(shiyan, tmp_path):
    """F10: a plain copy-paste duplicate (the same point, the same cells) lost both rows; the first is taken now."""
    from geo.imports import village_placement_issues

    a, name_a = _village_of(shiyan, CHENGGUAN)
    b, name_b = _village_of(shiyan, CHENGGUAN, 1)
    ga, gb = shiyan.villages.loc[a, "geometry"], shiyan.villages.loc[b, "geometry"]
    path = tmp_path / "v.csv"
    path.write_text(f"序号,村代码,名称,经度,纬度\n1,{b},{name_b},{gb.x:.6f},{gb.y:.6f}\n2,{a},{name_a},{ga.x:.6f},{ga.y:.6f}\n"
                    f"3,{a},{name_a},{ga.x + 0.000004:.6f},{ga.y:.6f}\n", "utf-8")  # 0.4 m off: the same point
    pts = check_villages(shiyan, path)
    assert sorted(pts["code"]) == sorted([a, b]) and not pts.attrs["refused"]
    assert list(pts.attrs["rows"]) == [2, 3] and pts.attrs["read"] == 3
    (w,) = [i for i in village_placement_issues(shiyan, pts) if i["code"] == "duplicate_row_skipped"]
    assert w["row"] == 4 and w["severity"] == "warning" and w["value"] == a and w["column"] == "村代码"
    assert f"村（社区）{a} 在第 3、4 行重复出现" in w["message_zh"] and "导入第 3 行" in w["message_zh"], w["message_zh"]
    assert f"village {a} is on rows 3 and 4 with the same point and cells: row 3 is imported" in w["message_en"]
    # rows = accepted + refused + skipped, as the report counts them
    assert pts.attrs["read"] == len(pts) + len(pts.attrs["refused"]) + len(pts.attrs["skipped"])
    # the same point under another name: which row is right cannot be told, both refused
    path.write_text(f"村代码,名称,经度,纬度\n{a},{name_a},{ga.x:.6f},{ga.y:.6f}\n{a},{name_a}二组,{ga.x:.6f},{ga.y:.6f}\n"
                    f"{b},{name_b},{gb.x:.6f},{gb.y:.6f}\n", "utf-8")
    pts = check_villages(shiyan, path)
    assert list(pts["code"]) == [b] and sorted(r["row"] for r in pts.attrs["refused"]) == [2, 3]
    r = pts.attrs["refused"][0]
    assert "点位相同但名称不同" in r["message_zh"] and "the same point but a different 名称" in r["message_en"], r


def test_a_feature_copied_in_a_layer_is_taken_once(shiyan, tmp_path):
    a, name_a = _village_of(shiyan, CHENGGUAN)
    g = shiyan.villages.loc[a, "geometry"]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"fid": k, "code": a, "name": name_a},
         "geometry": {"type": "Point", "coordinates": [g.x, g.y]}} for k in (1, 2)]}
    path = tmp_path / "v.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    pts = check_villages(shiyan, path)
    assert list(pts["code"]) == [a] and not pts.attrs["refused"]
    assert [r["row"] for r in pts.attrs["skipped"]] == [2]


# -- 4. region info: a register imported for one county -------------------------------------------------------
def test_region_info_says_a_register_imported_for_one_county_is_partly_the_sample(var_dir, tmp_path, shiyan, capsys):
    from test_qa29_carried import register_of

    path = tmp_path / "fang.csv"
    path.write_bytes(register_of(shiyan, "420325", 3, "甲"))
    code, _, err = run(capsys, "data", "import", "facilities", str(path), "--type", "day_care")
    assert code == 0, err
    total = int((shiyan.facilities["facility_type"] == "day_care").sum())
    fang = int(((shiyan.facilities["facility_type"] == "day_care")
                & (shiyan.facilities["township_code"].astype(str).str[:6] == "420325")).sum())
    n, rest = total - fang + 3, total - fang
    code, out, err = run(capsys, "region", "info")
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.strip().startswith("社区(村)日间照料中心"))
    assert line.strip() == (f"社区(村)日间照料中心：{n:,} 处，部分导入：3 处为规划人员提供（fang.csv，数据版本 1），"
                            f"其余 {rest:,} 处仍为 coverplan 合成示例（示意）"), line
    code, out, err = run(capsys, "--lang", "en", "region", "info")
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.strip().startswith("Community/village day-care centre:"))
    assert "partly imported: 3 planner-supplied (fang.csv, data version 1); the other" in line, line
    assert f"the other {rest:,} still the coverplan synthetic sample (illustrative)" in line and \
        "planner-supplied: fang.csv" not in line, line


# -- 5. the 示意 summaries after a boundary import ---------------------------------------------------------------
def test_the_summaries_name_the_imported_boundaries_and_count_the_approximate_ones(var_dir, shiyan, tmp_path):
    from geo.datasets import DatasetStore, default_db_path
    from geo.imports import import_townships
    from planner.maplayers import provenance_labels, provenance_note

    path = _write(tmp_path, [(JUNDIAN, shiyan.townships.loc[JUNDIAN, "geometry"])], name="军店.geojson")
    assert import_townships(shiyan, path)["version"] == 1
    region = DatasetStore(default_db_path(), region="shiyan").region()
    n = len(region.townships)
    zh = provenance_labels(region, "zh", types={})["by_layer"]["townships"]
    en = provenance_labels(region, "en", types={})["by_layer"]["townships"]
    assert zh == f"{n - 1}/{n} 个乡镇边界为近似（1 个取自已导入的军店.geojson，数据版本 1）", zh
    assert en == f"{n - 1} of {n} township boundaries approximated (1 from the imported 军店.geojson, data version 1)"
    assert "乡镇边界为近似（1 个" in provenance_note(region, "zh", types={})
    # every boundary the planner's: not 示意, named as imported
    towns = region.townships.copy()
    towns["geometry_quality"] = "official"
    prov = json.loads(json.dumps(region.provenance))
    prov["layers"]["townships"].update({"geometry_quality": "official", "synthetic": False})
    whole = dataclasses.replace(region, townships=towns, provenance=prov)
    labels = provenance_labels(whole, "zh", types={})
    assert "townships" not in labels["by_layer"] and "乡镇边界取自已导入的军店.geojson（数据版本 1）" in labels["imported"]
    assert "township boundaries from the imported 军店.geojson (data version 1)" in \
        provenance_labels(whole, "en", types={})["imported"]
    # the embedded boundaries: approximate, as before
    assert provenance_labels(shiyan, "zh", types={})["by_layer"]["townships"] == "乡镇边界为近似"



def test_the_maps_name_the_imported_boundaries(var_dir, shiyan, tmp_path):
    """The live map's note (data-approx-towns, read by map.js) and the offline map say how many boundaries are still
    approximate and the file the others came in, as the summaries do (both said "乡镇边界为近似" after the import)."""
    import html

    from geo.datasets import default_db_path
    from geo.imports import import_townships
    from web.app import create_app

    path = _write(tmp_path, [(JUNDIAN, shiyan.townships.loc[JUNDIAN, "geometry"])], name="军店.geojson")
    assert import_townships(shiyan, path)["version"] == 1
    phrase = "个乡镇边界为近似（1 个取自已导入的军店.geojson，数据版本 1）"
    app = create_app({"DB_PATH": str(default_db_path()), "TESTING": True})  # the store the import wrote
    try:
        c = app.test_client()
        for url in ("/map/day_care?lang=zh", "/?lang=zh"):
            page = html.unescape(c.get(url).get_data(as_text=True))
            assert phrase in page.split('data-approx-towns="', 1)[1].split('"', 1)[0], url
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    out = tmp_path / "m.html"
    from cli.main import main
    assert main(["map", "--type", "day_care", "--out", str(out)]) == 0
    assert phrase in out.read_text("utf-8")


def test_the_summaries_name_every_file_the_boundaries_came_in(var_dir, shiyan, tmp_path):
    """F10: geo.datasets merges each township import on top of the earlier ones; the summaries credited every
    boundary to the last file. Each file is named with its version, while its boundaries are still in the layer."""
    from geo.datasets import DatasetStore, default_db_path
    from geo.imports import import_townships
    from planner.maplayers import provenance_labels, township_sources

    a = _write(tmp_path, [(JUNDIAN, shiyan.townships.loc[JUNDIAN, "geometry"])], name="A.geojson")
    b = _write(tmp_path, [(YX_CHENGGUAN, shiyan.townships.loc[YX_CHENGGUAN, "geometry"])], name="B.geojson")
    assert import_townships(shiyan, a)["version"] == 1
    assert import_townships(shiyan, b)["version"] == 2
    store = DatasetStore(default_db_path(), region="shiyan")
    region = store.region()
    n = len(region.townships)
    assert township_sources(region) == [("A.geojson", 1), ("B.geojson", 2)]
    zh = provenance_labels(region, "zh", types={})["by_layer"]["townships"]
    en = provenance_labels(region, "en", types={})["by_layer"]["townships"]
    assert zh == f"{n - 2}/{n} 个乡镇边界为近似（2 个取自已导入的A.geojson，数据版本 1；B.geojson，数据版本 2）", zh
    assert en == (f"{n - 2} of {n} township boundaries approximated (2 from the imported A.geojson, data version 1; "
                  "B.geojson, data version 2)"), en
    # a neighbour in A's county imported larger: 军店镇 gives way, its boundary still A's
    bigger = _metric(shiyan.townships.loc[CHENGGUAN, "geometry"], lambda g: g.buffer(800))
    assert bigger.intersects(region.townships.loc[JUNDIAN, "geometry"])
    c = _write(tmp_path, [(CHENGGUAN, bigger)], name="C.geojson")
    assert import_townships(shiyan, c)["version"] == 3
    region = store.region()
    assert region.townships.loc[JUNDIAN, "geometry"].area < shiyan.townships.loc[JUNDIAN, "geometry"].area
    assert [(s["file"], s["dataset_version"], s["count"]) for s in region.provenance["layers"]["townships"]["sources"]] \
        == [("A.geojson", 1, 1), ("B.geojson", 2, 1), ("C.geojson", 3, 1)]
    # 军店镇 imported again: A's file has no boundary left in the layer, and is not named
    again = _write(tmp_path, [(JUNDIAN, shiyan.townships.loc[JUNDIAN, "geometry"])], name="A2.geojson")
    assert import_townships(shiyan, again)["version"] == 4
    assert township_sources(store.region()) == [("B.geojson", 2), ("C.geojson", 3), ("A2.geojson", 4)]
    # back to version 2: the imports after it are not named
    assert store.rollback(2) == 5
    assert township_sources(store.region()) == [("A.geojson", 1), ("B.geojson", 2)]
    # every boundary the planner's: both files named as imported
    towns = region.townships.copy()
    towns["geometry_quality"] = "official"
    whole = dataclasses.replace(region, townships=towns)
    assert "乡镇边界取自已导入的A.geojson（数据版本 1）、B.geojson（数据版本 2）、C.geojson（数据版本 3）" in \
        provenance_labels(whole, "zh", types={})["imported"]
    # the embedded boundaries restored: nothing of the planner's named
    store.restore_embedded()
    assert township_sources(store.region()) == [] and \
        provenance_labels(store.region(), "zh", types={})["by_layer"]["townships"] == "乡镇边界为近似"


def test_a_version_diff_counts_the_villages_new_boundaries_moved(var_dir, shiyan, tmp_path):
    """A township import moves the synthetic villages its boundaries leave outside (settle_villages): the diff of
    the versions, and the import's own preview, said "villages moved: 0" (QA 30)."""
    from geo.datasets import DatasetStore, default_db_path
    from geo.imports import import_townships

    smaller = _metric(shiyan.townships.loc[JUNDIAN, "geometry"], lambda g: g.buffer(-1500))
    path = _write(tmp_path, [(JUNDIAN, smaller)], name="军店小.geojson")
    store = DatasetStore(default_db_path(), region="shiyan")
    assert import_townships(shiyan, path)["version"] == 1
    moved = store.diff(0, 1)["villages"]["moved"]
    assert moved and all(str(m["code"])[:9] == JUNDIAN for m in moved), moved[:3]
    inside = shiyan.villages[shiyan.villages["township_code"].astype(str) == JUNDIAN]
    assert len(moved) < len(inside)  # only those the smaller boundary left outside


def test_region_info_names_every_file_the_boundaries_came_in(var_dir, shiyan, tmp_path, capsys):
    from cli.main import main
    from geo.imports import import_townships

    a = _write(tmp_path, [(JUNDIAN, shiyan.townships.loc[JUNDIAN, "geometry"])], name="A.geojson")
    b = _write(tmp_path, [(YX_CHENGGUAN, shiyan.townships.loc[YX_CHENGGUAN, "geometry"])], name="B.geojson")
    assert import_townships(shiyan, a)["version"] == 1 and import_townships(shiyan, b)["version"] == 2
    capsys.readouterr()
    assert main(["--lang", "en", "region", "info"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("townships"))
    assert "A.geojson" in line and "B.geojson" in line, line
