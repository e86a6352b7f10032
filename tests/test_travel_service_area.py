"""Service areas: estimate circles and network reach polygons (EPSG:4326)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point

from geo import network
from geo.travel import EstimateParams, service_area, travel_costs
from osm_fixtures import lonlat, write_town


@pytest.fixture(scope="module")
def G(tmp_path_factory):
    d = tmp_path_factory.mktemp("town")
    write_town(d / "town.osm")
    return network.build_graph(d / "town.osm", cache_dir=d / "cache").graph


def test_estimate_circle_radius():
    # 10 min rural: 10 x 666.7 m/min / 1.6 = 4,166.7 m straight line
    poly = service_area(Point(110.78, 32.60), 10)
    assert poly.geom_type == "Polygon" and poly.is_valid
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(poly)
    r = 10 * 40_000 / 60 / 1.6
    assert abs(area) == pytest.approx(math.pi * r * r, rel=0.01)
    urban = service_area((110.78, 32.60), 10, urban=True, params=EstimateParams())
    r_u = 10 * 500 / 1.3
    assert abs(Geod(ellps="WGS84").geometry_area_perimeter(urban)[0]) == pytest.approx(
        math.pi * r_u ** 2, rel=0.01)
    # metres: radius = cutoff / detour
    pm = service_area((110.78, 32.60), 1600, unit="m")
    assert abs(Geod(ellps="WGS84").geometry_area_perimeter(pm)[0]) == pytest.approx(
        math.pi * 1000 ** 2, rel=0.01)


def test_network_area_covers_what_is_reached(G):
    start = lonlat(10, 10)
    cutoff = 2.0
    poly = service_area(start, cutoff, mode="network", graph=G)
    assert poly.geom_type == "Polygon" and not poly.is_empty and poly.is_valid
    nodes = list(G.nodes)
    xy = np.array([[G.nodes[n]["x"], G.nodes[n]["y"]] for n in nodes])
    tm = travel_costs(np.array([start]), xy, mode="network", graph=G)
    # destinations exactly at nodes have no access leg beyond ~0 m
    reached = np.isfinite(tm.costs[0]) & (tm.costs[0] <= cutoff)
    assert reached.sum() >= 3
    inside = shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
    assert inside[reached].all()
    # the village across the river and the island are out of reach in 2 minutes
    for far in [(1200, 600), (3000, 3000)]:
        assert not poly.contains(Point(lonlat(*far)))
    bigger = service_area(start, 6.0, mode="network", graph=G)
    assert bigger.area > poly.area and bigger.contains(Point(lonlat(1000, 400)))


def test_network_area_empty_when_off_road(G):
    assert service_area(lonlat(5000, -4000), 10, mode="network", graph=G).is_empty
