"""Datums of the embedded Shiyan region: GCJ-02 sources converted once, every layer's datum stated.

The county seats and scenic areas were read off Chinese web maps (GCJ-02,
about 0.55 km from WGS84 here); the build converts them with prcoords. These
tests check against the source file's own numbers, not against numbers copied
from the build.
"""
from __future__ import annotations

import csv
import json

import prcoords
import pytest

from geo import settings
from geo.build_region import datum
from geo.build_region import shiyan as steps
from geo.regions import region_dir

SOURCE = settings.DATA_DIR / "regions" / "shiyan" / "source"
POINT_LAYERS = ("counties", "townships", "villages", "facilities", "scenic_areas")


def _rows(name: str) -> list[dict]:
    with (SOURCE / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _metres(a: prcoords.Coords, b: prcoords.Coords) -> float:
    return prcoords.Coords(*a).distance(prcoords.Coords(*b))


def _expected(row: dict) -> prcoords.Coords:
    return prcoords.gcj_wgs_bored(prcoords.Coords(lat=float(row["lat"]), lon=float(row["lon"])))


def test_gcj02_shift_here_is_half_a_kilometre():
    """The size of what is corrected: a GCJ-02 point in Shiyan lies ~0.5-0.6 km from its WGS84 place."""
    for row in _rows("county_seats_approx.csv"):
        src = prcoords.Coords(lat=float(row["lat"]), lon=float(row["lon"]))
        assert 500 < _metres(src, _expected(row)) < 650, row["name"]


def test_built_county_seats_are_the_converted_source(shiyan):
    """Each seat of counties.geojson is prcoords' GCJ-02 → WGS84 of the source's numbers, within 1 m."""
    assert datum.SOURCE_DATUM["county_seats_approx.csv"] == datum.GCJ02
    counties = shiyan.counties
    rows = _rows("county_seats_approx.csv")
    assert sorted(r["code"] for r in rows) == sorted(counties.index)
    for row in rows:
        built = prcoords.Coords(lat=counties.loc[row["code"], "seat_lat"], lon=counties.loc[row["code"], "seat_lon"])
        assert _metres(built, _expected(row)) < 1.0, row["name"]
        # and not the unconverted number (the shift is ~0.55 km)
        assert _metres(built, prcoords.Coords(lat=float(row["lat"]), lon=float(row["lon"]))) > 400


def test_scenic_points_are_converted_or_at_their_township_seat(shiyan):
    scenic, towns = shiyan.scenic_areas, shiyan.townships
    for row in _rows("scenic_areas_approx.csv"):
        s = scenic.loc[row["id"]]
        built = prcoords.Coords(lat=s.geometry.y, lon=s.geometry.x)
        if s["location_method"] == "approximate point":
            assert _metres(built, _expected(row)) < 1.0, row["id"]
        else:   # fell outside its approximate township: at that township's seat (already WGS84)
            t = towns.loc[row["township_code"]]
            assert _metres(built, prcoords.Coords(lat=t["seat_lat"], lon=t["seat_lon"])) < 1.0


def test_read_sources_converts_once_and_keeps_the_source_numbers():
    """Reading the sources twice gives the same WGS84 points; the file's numbers stay beside them."""
    a, b = steps.read_sources(SOURCE), steps.read_sources(SOURCE)
    for table in (a.seats, a.scenic):
        assert {"lon", "lat", "source_lon", "source_lat"} <= set(table.columns)
    assert a.seats[["lon", "lat"]].equals(b.seats[["lon", "lat"]])
    assert a.scenic[["lon", "lat"]].equals(b.scenic[["lon", "lat"]])
    by_code = {r["code"]: r for r in _rows("county_seats_approx.csv")}
    for code, s in a.seats.iterrows():
        assert (s["source_lon"], s["source_lat"]) == (by_code[code]["lon"], by_code[code]["lat"])
        built = prcoords.Coords(lat=s["lat"], lon=s["lon"])
        assert _metres(built, _expected(by_code[code])) < 1.0
    # the county layer and the partition take the converted seats as they are (no second conversion)
    c = steps.county_layer(a).set_index("code")
    assert (c["seat_lon"] == a.seats.loc[c.index, "lon"]).all() and (c["seat_lat"] == a.seats.loc[c.index, "lat"]).all()


def test_to_wgs84_refuses_an_unknown_datum_and_leaves_wgs84_alone():
    lon, lat = datum.to_wgs84([110.8], [32.6], datum.WGS84, 7)
    assert (lon[0], lat[0]) == (110.8, 32.6)
    lon, lat = datum.to_wgs84([110.8], [32.6], datum.CGCS2000, 7)
    assert (lon[0], lat[0]) == (110.8, 32.6)
    bd = prcoords.wgs_bd(prcoords.Coords(lat=32.6, lon=110.8))
    lon, lat = datum.to_wgs84([bd.lon], [bd.lat], datum.BD09, 7)
    assert _metres(prcoords.Coords(lat=lat[0], lon=lon[0]), prcoords.Coords(32.6, 110.8)) < 0.01
    with pytest.raises(ValueError, match="unknown datum"):
        datum.to_wgs84([110.8], [32.6], "Xian80", 7)


def test_every_source_has_a_declared_datum():
    files = {p.name for p in SOURCE.iterdir() if p.suffix in (".csv", ".geojson")}
    with_coords = {n for n in files if n.endswith(".geojson") or
                   {"lon", "lat"} <= set(_rows(n)[0]) or {"west", "east"} <= set(_rows(n)[0])}
    assert with_coords == set(datum.SOURCE_DATUM)


def test_provenance_names_the_datum_of_every_point_layer(shiyan):
    summary = json.loads((region_dir("shiyan") / "build" / "region.json").read_text("utf-8"))
    assert summary["crs"] == "EPSG:4326 (WGS84)"
    known = {datum.WGS84, datum.CGCS2000, datum.GCJ02, datum.BD09}
    for name in POINT_LAYERS:
        parts = summary["layers"][name]["datum"]
        assert parts, name
        for part in parts.values():
            assert part["source_datum"] in known and part["conversion"] and part["conversion_zh"], (name, part)
    layers = summary["layers"]
    assert layers["counties"]["datum"]["seats"]["source_datum"] == datum.GCJ02
    assert "gcj_wgs_bored" in layers["counties"]["datum"]["seats"]["conversion"]
    assert layers["counties"]["datum"]["polygons"]["source_datum"] == datum.CGCS2000
    assert layers["scenic_areas"]["datum"]["points"]["source_datum"] == datum.GCJ02
    # the page shows notes: the conversion of the seats is stated there in both languages
    assert "GCJ-02" in layers["counties"]["notes"] and "GCJ-02" in layers["counties"]["notes_zh"]
    # the region object the app loads carries the same statement
    assert shiyan.provenance["layers"]["counties"]["datum"] == layers["counties"]["datum"]
