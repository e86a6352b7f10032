"""The embedded Shiyan region: partition, containment, census sums, flags, determinism."""
from __future__ import annotations

import filecmp

import numpy as np
import pytest
import shapely

from geo.crs import to_metric
from geo.regions import POP_BANDS

CENSUS = {  # 2020 census (NBS county tabulation), as in docs/mission.md
    "420302": (601548, 70879, 49779, 7322), "420303": (431859, 65233, 48586, 8400),
    "420304": (395222, 91321, 69065, 8694), "420322": (371012, 80649, 61375, 7547),
    "420323": (346069, 74868, 56404, 7995), "420324": (283578, 61072, 45855, 5807),
    "420325": (369776, 86653, 62933, 8387), "420381": (409940, 79914, 57980, 7485),
}


def test_counts(shiyan):
    assert len(shiyan.counties) == 8
    assert len(shiyan.townships) == 129
    assert len(shiyan.villages) == 1979
    assert shiyan.townships["code"].is_unique and shiyan.villages["code"].is_unique


def test_county_area_matches_official_total(shiyan):
    total = to_metric(shiyan.counties).area.sum() / 1e6
    assert abs(total - 23680) / 23680 < 0.01


def test_townships_partition_each_county(shiyan):
    counties = to_metric(shiyan.counties)
    towns = to_metric(shiyan.townships)
    for code, county in counties.iterrows():
        mine = towns[towns["county_code"] == code]
        assert abs(mine.area.sum() - county.geometry.area) / county.geometry.area < 0.001, code
        union = shapely.union_all(mine.geometry.values)
        assert shapely.symmetric_difference(union, county.geometry).area / county.geometry.area < 0.001
    geoms = towns.geometry.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlaps = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlaps.max() < 1.0  # m²


def test_townships_are_valid_and_flagged(shiyan):
    t = shiyan.townships
    assert t.geometry.is_valid.all()
    assert (t["geometry_quality"] == "approximate").all()
    assert (shiyan.counties["geometry_quality"] == "official").all()
    assert (shiyan.villages["location_quality"] == "synthetic").all()
    assert shiyan.facilities["synthetic"].astype(bool).all()
    layers = shiyan.provenance["layers"]
    assert layers["townships"]["synthetic"] and layers["villages"]["synthetic"]
    assert "示意" in layers["facilities"]["source"]


def test_every_seat_inside_its_township(shiyan):
    t = shiyan.townships
    seats = shapely.points(t["seat_lon"], t["seat_lat"])
    assert shapely.contains(t.geometry.values, seats).all()


def test_every_village_inside_its_township(shiyan):
    v = shiyan.villages
    polys = shiyan.townships.loc[v["township_code"], "geometry"].values
    assert shapely.contains(polys, v.geometry.values).all()


def test_village_kinds_and_counts_match_the_register(shiyan):
    v, t = shiyan.villages, shiyan.townships
    per_town = v.groupby("township_code").size()
    expected = t["n_communities"] + t["n_villages"] + t["n_other"]
    assert (per_town.reindex(t.index, fill_value=0) == expected).all()
    assert set(v["kind"]) == {"community", "village"}


def test_census_sums_hold_for_every_county_and_band(shiyan):
    v, t, c = shiyan.villages, shiyan.townships, shiyan.counties
    for code, figures in CENSUS.items():
        for band, value in zip(POP_BANDS, figures):
            assert int(v.loc[v["county_code"] == code, band].sum()) == value, (code, band)
            assert int(t.loc[t["county_code"] == code, band].sum()) == value, (code, band)
            assert int(c.loc[code, band]) == value
    assert int(v["population"].sum()) == 3_209_004
    assert int(v["aged_60"].sum()) == 610_589


def test_age_bands_nest_in_every_unit(shiyan):
    v = shiyan.villages
    assert (v["population"] >= v["aged_60"]).all()
    assert (v["aged_60"] >= v["aged_65"]).all()
    assert (v["aged_65"] >= v["aged_80"]).all()
    assert (v["population"] > 0).all()


def test_urban_units_are_small_and_near_their_county_seat(shiyan):
    t = to_metric(shiyan.townships)
    urban, rural = t[t["kind"] == "街道"], t[t["kind"].isin(["镇", "乡"])]
    assert urban.area.median() * 4 < rural.area.median()


def test_sample_register_has_gaps(shiyan):
    f = shiyan.facilities
    assert set(f["facility_type"]) == {"elderly_complex", "day_care", "cemetery", "charity_station",
                                       "mutual_aid", "welfare_home", "meal_service"}  # the last three: issue 16
    towns_with_complex = f.loc[f["facility_type"] == "elderly_complex", "township_code"].nunique()
    assert 0 < towns_with_complex < 129 / 2
    assert (f.loc[f["facility_type"] == "charity_station", "township_code"] != "420381450").all()


@pytest.mark.slow
def test_build_is_byte_identical(tmp_path):
    """A build here is byte for byte the build the app uses (made by `make region`, in another process): the build
    is deterministic, and its datum conversion (GCJ-02 seats and scenic points to WGS84, tests/test_region_datum.py)
    is done once, from the source, so building again moves nothing. One build, not two: a second one in this process
    proved no more and cost half a minute (so did the datum tests' own pair of builds)."""
    from geo.build_region import shiyan as builder
    from geo.regions import region_dir

    built = tmp_path / "a"
    builder.build(out=built)
    names = sorted(p.name for p in built.iterdir())
    app_build = region_dir("shiyan") / "build"
    assert all((app_build / n).is_file() for n in names), names
    assert set(names) >= {f"{n}.geojson" for n in ("counties", "townships", "villages", "facilities")}
    match, mismatch, errors = filecmp.cmpfiles(built, app_build, names, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)


def test_partition_math_on_a_square():
    """A 20 km square county with 4 rural units and 1 urban unit tiles exactly."""
    from geo.build_region.partition import Unit, partition_county

    county = shapely.box(0, 0, 20_000, 20_000)
    units = [Unit(code=str(i), urban=(i == 0)) for i in range(5)]
    polys, seats = partition_county(units, county, np.array([10_000.0, 10_000.0]))
    assert abs(sum(p.area for p in polys) - county.area) < 1.0
    assert shapely.union_all(polys).symmetric_difference(county).area < 1.0
    for p, s in zip(polys, seats):
        assert p.contains(shapely.Point(s))
    assert polys[0].area < min(p.area for p in polys[1:])
