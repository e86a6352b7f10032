"""QA 23 (township boundaries): an official polygon smaller than the approximate one it replaced left
29 km² of 房县 in no township, though the report said the area "changed hands" (the README promises the
county stays tiled); two polygons of a file that overlap were taken without a word; a file with latitude
written as x was refused as polygons "of no area (nan m²)"; a ring that is not closed was refused in
GEOS's words ("IllegalArgumentException ...") in the Chinese run too."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from geo import settings
from geo.errors import InputDataError
from geo.imports import check_townships, overlay_townships, township_issues

CHENGGUAN, FANG = "420325100", "420325"


def _write(tmp_path, features: list[tuple[str, object]], name="t.geojson"):
    fc = {"type": "FeatureCollection",
          "features": [{"type": "Feature", "properties": {"code": c}, "geometry": shapely.geometry.mapping(g)
                        if not isinstance(g, dict) else g} for c, g in features]}
    path = tmp_path / name
    path.write_text(json.dumps(fc), encoding="utf-8")
    return path


def _county_cover(towns, county_geom) -> tuple[float, float]:
    """(km² of the county in no township, km² counted twice) in metres."""
    mine = towns[towns["county_code"] == FANG].to_crs(settings.METRIC_CRS)
    whole = gpd.GeoSeries([county_geom], crs=settings.STORAGE_CRS).to_crs(settings.METRIC_CRS).iloc[0]
    union = shapely.union_all(mine.geometry.values)
    return whole.difference(union).area / 1e6, (mine.area.sum() - union.area) / 1e6


def test_a_smaller_official_township_leaves_no_land_without_a_township(shiyan, tmp_path):
    towns0 = shiyan.townships
    county = shiyan.counties.loc[FANG, "geometry"]
    gap0, twice0 = _county_cover(towns0, county)
    metric = gpd.GeoSeries([towns0.loc[CHENGGUAN, "geometry"]], crs=settings.STORAGE_CRS).to_crs(settings.METRIC_CRS)
    smaller = metric.buffer(-1500).to_crs(settings.STORAGE_CRS).iloc[0]  # the official one is 1.5 km inside
    off = check_townships(shiyan, _write(tmp_path, [(CHENGGUAN, smaller)]))
    towns = overlay_townships(towns0, shiyan.counties, off)
    freed = (towns0.loc[[CHENGGUAN]].to_crs(settings.METRIC_CRS).area.iloc[0]
             - towns.loc[[CHENGGUAN]].to_crs(settings.METRIC_CRS).area.iloc[0]) / 1e6
    assert freed > 5  # a real piece of land changed hands
    gap, twice = _county_cover(towns, county)
    # the county is as tiled as before the import: the freed land went to the neighbours
    assert gap == pytest.approx(gap0, abs=0.01) and twice == pytest.approx(twice0, abs=0.01), (gap, twice)
    grew = (towns.to_crs(settings.METRIC_CRS).area - towns0.to_crs(settings.METRIC_CRS).area) / 1e6
    neighbours = grew[(grew > 0.01) & (towns["county_code"] == FANG)]
    assert len(neighbours) >= 1 and CHENGGUAN not in neighbours.index
    assert neighbours.sum() == pytest.approx(freed, rel=0.01)
    # the grown neighbours touch the township that shrank, and stay approximate; other counties unchanged
    assert all(towns.loc[c, "geometry_quality"] != "official" for c in neighbours.index)
    assert all(towns0.loc[c, "geometry"].touches(towns0.loc[CHENGGUAN, "geometry"])
               or towns0.loc[c, "geometry"].intersects(towns0.loc[CHENGGUAN, "geometry"]) for c in neighbours.index)
    others = towns["county_code"] != FANG
    assert towns.loc[others, "geometry"].geom_equals(towns0.loc[others, "geometry"]).all()


def test_official_townships_drawn_short_of_the_county_line_close_up_to_it(shiyan, tmp_path):
    """A county's official polygons drawn 200 m short of each other and of the county line (another source's
    generalisation): the strips reach the county line, so the townships take them, each only next to itself
    (no piece far from its own polygon), and the county is tiled."""
    codes = list(shiyan.townships.index[shiyan.townships["county_code"] == FANG])
    metric = shiyan.townships.loc[codes].to_crs(settings.METRIC_CRS)
    smaller = metric.buffer(-200).to_crs(settings.STORAGE_CRS)
    off = check_townships(shiyan, _write(tmp_path, list(zip(codes, smaller.values)))).set_index("code")
    towns = overlay_townships(shiyan.townships, shiyan.counties, off.reset_index())
    after = towns.loc[codes].to_crs(settings.METRIC_CRS)
    for c in codes:  # each keeps its file polygon and grows by at most the strips beside it
        assert towns.loc[c, "geometry"].buffer(1e-7).contains(off.loc[c, "geometry"]), c
        own = smaller.to_crs(settings.METRIC_CRS)[c]
        extra = after.loc[c, "geometry"].difference(own)
        # all but crumbs at the corners where three strips meet lie beside it
        assert extra.difference(own.buffer(450)).area < 0.01 * extra.area, c
    gap, _ = _county_cover(towns, shiyan.counties.loc[FANG, "geometry"])
    assert gap < 0.01


def test_overlapping_polygons_of_a_file_are_said(shiyan, tmp_path):
    a = shiyan.townships.loc[CHENGGUAN, "geometry"]
    b_code = next(c for c in shiyan.townships.index[shiyan.townships["county_code"] == FANG]
                  if c != CHENGGUAN and shiyan.townships.loc[c, "geometry"].touches(a))
    b = shiyan.townships.loc[b_code, "geometry"].union(a.buffer(0.01).intersection(shiyan.counties.loc[FANG, "geometry"]))
    off = check_townships(shiyan, _write(tmp_path, [(CHENGGUAN, a), (b_code, b)]))
    found = [i for i in township_issues(off) if i["code"] == "townships_overlap"]
    assert len(found) == 1 and found[0]["value"] == f"{CHENGGUAN}, {b_code}"
    assert "重叠约" in found[0]["message_zh"] and "overlap by about" in found[0]["message_en"]
    # the file's own polygons side by side, as they are: no warning
    off = check_townships(shiyan, _write(tmp_path, [(CHENGGUAN, a), (b_code, shiyan.townships.loc[b_code, "geometry"])]))
    assert not [i for i in township_issues(off) if i["code"] == "townships_overlap"]


def test_swapped_axes_are_said_not_read_as_polygons_of_no_area(shiyan, tmp_path):
    g = shiyan.townships.loc[CHENGGUAN, "geometry"]
    swapped = shapely.transform(g, lambda xy: xy[:, ::-1])
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, _write(tmp_path, [(CHENGGUAN, swapped)]))
    assert "look swapped" in e.value.en and "nan" not in e.value.en
    assert "经纬度似乎颠倒" in e.value.zh
    check_townships(shiyan, _write(tmp_path, [(CHENGGUAN, g)]))  # the same polygon the right way round is read


def test_a_ring_that_is_not_closed_is_said_in_words(shiyan, tmp_path):
    path = _write(tmp_path, [(CHENGGUAN, {"type": "Polygon", "coordinates": [[[110.1, 32.1], [110.2, 32.1]]]})])
    with pytest.raises(InputDataError) as e:
        check_townships(shiyan, path)
    assert "IllegalArgumentException" not in e.value.zh and "未闭合" in e.value.zh
    assert "not closed" in e.value.en
    # the fix is to close the ring, not another file format (it said "Use GeoJSON ..." of a GeoJSON)
    assert "Close the ring" in e.value.hint_en and "GeoJSON" not in e.value.hint_en and "闭合" in e.value.hint_zh


@pytest.mark.parametrize("code", ["420302001", "420303101", "420304105", "420322101"])
def test_a_shifted_official_township_leaves_valid_neighbours(shiyan, code):
    """An official polygon 190 m east of the approximate one (an unconverted datum, say) frees a sliver on
    its west; the neighbours that take it stay valid polygons in metres too (the diff measures them there:
    the first version of the gap filling left vertices that crossed once projected)."""
    moved = shapely.affinity.translate(shiyan.townships.loc[code, "geometry"], 0.002, 0.0)
    off = gpd.GeoDataFrame({"code": [code]}, geometry=[moved], crs=settings.STORAGE_CRS)
    towns = overlay_townships(shiyan.townships, shiyan.counties, off)
    assert towns.geometry.is_valid.all() and towns.to_crs(settings.METRIC_CRS).geometry.is_valid.all()
    county = towns.loc[code, "county_code"]
    mine = towns[towns["county_code"] == county].to_crs(settings.METRIC_CRS)
    whole = shiyan.counties.loc[[county]].to_crs(settings.METRIC_CRS).geometry.iloc[0]
    assert whole.difference(shapely.union_all(mine.geometry.values)).area < 0.01e6  # under 0.01 km² untiled


def test_every_sample_facility_lies_in_its_own_township(shiyan):
    """The sample register (示意) contradicted its own townships: 青曲镇福利院 (郧阳区) lay in 郧西县 河夹镇 and
    four more outside theirs, so every register built from the sample was warned of rows it had not made."""
    f, t = shiyan.facilities, shiyan.townships
    inside = shapely.contains(t.loc[f["township_code"].astype(str), "geometry"].values, f.geometry.values)
    assert inside.all(), f.loc[~inside, ["name", "township_code"]].to_string()


def test_the_diff_measures_a_township_that_crosses_itself(shiyan):
    """A stored polygon that crosses itself (or one valid in degrees that crosses by a hair once projected to
    metres) made the diff's overlay raise a TopologyException: the data page's diff was a 500."""
    from geo.datasets import diff_layers

    after = shiyan.townships.copy()
    x0, y0, x1, y1 = after.loc[CHENGGUAN, "geometry"].bounds
    after.loc[CHENGGUAN, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])  # a bow tie
    assert not after.loc[CHENGGUAN, "geometry"].is_valid
    out = diff_layers({"townships": shiyan.townships}, {"townships": after}, changed={"townships"})
    assert CHENGGUAN in str(out)


def test_the_upload_report_names_the_neighbours_that_give_way(shiyan, tmp_path):
    """The data page's report said nothing of the townships outside the file whose boundaries confirming would
    change (the CLI's dry run listed them): the planner confirmed blind."""
    import io

    from web.app import create_app

    metric = gpd.GeoSeries([shiyan.townships.loc[CHENGGUAN, "geometry"]], crs=settings.STORAGE_CRS).to_crs(
        settings.METRIC_CRS)
    smaller = metric.buffer(-1500).to_crs(settings.STORAGE_CRS).iloc[0]
    body = _write(tmp_path, [(CHENGGUAN, smaller)]).read_bytes()
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        c = app.test_client()
        for lang, said in (("zh", "确认后，文件以外的"), ("en", "not in the file change their boundaries")):
            r = c.post(f"/api/data/uploads?lang={lang}", content_type="multipart/form-data",
                       data={"kind": "townships", "coords": "wgs84", "file": (io.BytesIO(body), "t.geojson")})
            assert r.status_code == 200, r.data[:300]
            rep = r.get_json()["replaces"]
            assert rep and said in rep["text"], rep
            names = {n["code"] for n in rep["neighbours"]}
            assert names and CHENGGUAN not in names and all(n["change_km2"] > 0 for n in rep["neighbours"])
            assert all(shiyan.townships.loc[n, "county_code"] == FANG for n in names)
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
