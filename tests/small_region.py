"""A tiny hand-made region whose coverage numbers can be checked by hand.

One 20 km x 10 km county near Shiyan cut into two townships (west, east);
points are placed in UTM 49N metres so straight-line distances are exact.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo import settings
from geo.crs import metric_to_lonlat
from geo.regions import Region

X0, Y0 = 680_000.0, 3_610_000.0  # inside Shiyan, UTM 49N


def _pt(dx: float, dy: float):
    lon, lat = metric_to_lonlat(X0 + dx, Y0 + dy)
    return shapely.Point(float(lon), float(lat))


def _poly(x0, y0, x1, y1):
    xs, ys = np.array([x0, x1, x1, x0, x0]) + X0, np.array([y0, y0, y1, y1, y0]) + Y0
    lon, lat = metric_to_lonlat(xs, ys)
    return shapely.Polygon(np.column_stack([lon, lat]))


def small_region(facilities: list[tuple[str, str, float, float, str]] | None = None) -> Region:
    """Villages (id, kind, dx, dy, weight): see the table in the body.

    ``facilities``: (id, facility_type, dx, dy, township_code) tuples.
    """
    crs = settings.STORAGE_CRS
    counties = gpd.GeoDataFrame({
        "code": ["999901"], "name": ["测试县"], "seat_lon": [_pt(1000, 5000).x], "seat_lat": [_pt(1000, 5000).y],
        "population": [1000], "aged_60": [300], "aged_65": [200], "aged_80": [50],
        "area_km2": [200.0], "geometry_quality": ["official"],
    }, geometry=[_poly(0, 0, 20_000, 10_000)], crs=crs).set_index("code", drop=False).rename_axis(None)
    townships = gpd.GeoDataFrame({
        "code": ["999901001", "999901101"], "name": ["西街道", "东镇"], "kind": ["街道", "镇"],
        "kind_group": ["urban", "rural"], "county_code": ["999901", "999901"],
        "seat_lon": [_pt(1000, 5000).x, _pt(15_000, 5000).y and _pt(15_000, 5000).x],
        "seat_lat": [_pt(1000, 5000).y, _pt(15_000, 5000).y],
        "population": [400, 600], "aged_60": [100, 200], "aged_65": [60, 140], "aged_80": [10, 40],
        "geometry_quality": ["approximate"] * 2,
    }, geometry=[_poly(0, 0, 10_000, 10_000), _poly(10_000, 0, 20_000, 10_000)],
        crs=crs).set_index("code", drop=False).rename_axis(None)
    # id, kind, dx, dy, township, aged_60
    rows = [
        ("V1", "community", 1000, 5000, "999901001", 40),
        ("V2", "community", 1900, 5000, "999901001", 60),   # 900 m from V1
        ("V3", "village", 12_000, 5000, "999901101", 50),
        ("V4", "village", 13_500, 5000, "999901101", 70),  # 1.5 km from V3
        ("V5", "village", 16_000, 5000, "999901101", 80),  # 4.0 km from V3
    ]
    villages = gpd.GeoDataFrame({
        "code": [r[0] for r in rows], "name": [f"{r[0]}村" for r in rows], "kind": [r[1] for r in rows],
        "urban": [r[1] == "community" for r in rows], "township_code": [r[4] for r in rows],
        "county_code": ["999901"] * 5, "aged_60": [r[5] for r in rows],
        "population": [r[5] * 3 for r in rows], "aged_65": [r[5] // 2 for r in rows],
        "aged_80": [r[5] // 10 for r in rows],
    }, geometry=[_pt(r[2], r[3]) for r in rows], crs=crs).set_index("code", drop=False).rename_axis(None)
    facilities = facilities or []
    fac = gpd.GeoDataFrame({
        "id": [f[0] for f in facilities], "facility_type": [f[1] for f in facilities],
        "name": [f"{f[0]}设施" for f in facilities], "township_code": [f[4] for f in facilities],
        "county_code": ["999901"] * len(facilities), "synthetic": [False] * len(facilities),
    }, geometry=[_pt(f[2], f[3]) for f in facilities], crs=crs)
    fac = fac.set_index("id", drop=False).rename_axis(None)
    scenic = gpd.GeoDataFrame({"id": [], "name": [], "township_code": [], "county_code": []},
                              geometry=[], crs=crs)
    return Region(name="test", counties=counties, townships=townships, villages=villages,
                  facilities=fac, scenic_areas=scenic, provenance={"layers": {}})
