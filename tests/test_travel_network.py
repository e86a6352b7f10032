"""Network-mode travel costs equal networkx's shortest paths plus snap access."""
from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from pyproj import Transformer
from scipy import sparse

from geo import network
from geo.errors import NetworkError
from geo.travel import TravelMatrix, travel_costs
from osm_fixtures import lonlat, write_town

ACCESS_KMH = 5.0


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    d = tmp_path_factory.mktemp("town")
    t = write_town(d / "town.osm")
    G = network.build_graph(d / "town.osm", cache_dir=d / "cache").graph
    return t, G, d


# positions (metres) of test points: off the nodes by a few tens of metres
ORIGINS_M = [(15, 10), (210, 190), (590, 420), (1010, 30), (1190, 580), (3020, 3010),
             (420, 610), (5000, -4000)]          # last one: 6 km from any road
DESTS_M = [(0, 0), (600, 600), (200, 230), (1200, 380), (3190, 3180), (395, 15)]


def _pts(ms):
    return np.array([lonlat(x, y) for x, y in ms])


def _expected(G, orig, dest, weight, max_snap_m=1000.0):
    """Brute force: nearest node in UTM 49N, networkx Dijkstra, access legs added."""
    tr = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
    nodes = list(G.nodes)
    nxy = np.column_stack(tr.transform([G.nodes[n]["x"] for n in nodes],
                                       [G.nodes[n]["y"] for n in nodes]))

    def snap(p):
        q = np.array(tr.transform(p[0], p[1]))
        dist = np.hypot(*(nxy - q).T)
        k = int(np.argmin(dist))
        return nodes[k], dist[k]

    def access(dm):
        return dm if weight == "length" else dm / (ACCESS_KMH * 1000 / 60)

    scale = 1.0 if weight == "length" else 1 / 60.0
    out = np.full((len(orig), len(dest)), np.inf)
    for i, o in enumerate(orig):
        on, od = snap(o)
        if od > max_snap_m:
            continue
        for j, de in enumerate(dest):
            dn, dd = snap(de)
            if dd > max_snap_m:
                continue
            try:
                L = nx.shortest_path_length(G, on, dn, weight=weight)
            except nx.NetworkXNoPath:
                continue
            out[i, j] = L * scale + access(od) + access(dd)
    return out


@pytest.mark.parametrize("unit,weight", [("min", "travel_time"), ("m", "length")])
def test_matrix_equals_networkx(town, unit, weight):
    _, G, _ = town
    o, d = _pts(ORIGINS_M), _pts(DESTS_M)
    tm = travel_costs(o, d, mode="network", graph=G, unit=unit, access_speed_kmh=ACCESS_KMH)
    assert isinstance(tm, TravelMatrix) and not tm.is_estimate and tm.mode == "network"
    assert tm.costs.shape == (len(o), len(d)) and tm.unit == unit
    exp = _expected(G, o, d, weight)
    assert np.array_equal(np.isinf(tm.costs), np.isinf(exp))
    fin = np.isfinite(exp)
    np.testing.assert_allclose(tm.costs[fin], exp[fin], rtol=1e-9)
    # sanity of the expectation itself: the island and the far point are cut off
    assert np.isinf(tm.costs[5, :4]).all() and np.isfinite(tm.costs[5, 4])
    assert np.isinf(tm.costs[7]).all()


def test_far_points_flagged_not_snapped(town):
    _, G, _ = town
    o, d = _pts(ORIGINS_M), _pts(DESTS_M)
    tm = travel_costs(o, d, mode="network", graph=G, max_snap_m=1000)
    assert tm.flagged_origins.tolist() == [7]
    assert tm.flagged_destinations.tolist() == []
    assert tm.snap["n_flagged_origins"] == 1
    assert tm.snap["origins_m"][7] > 5000
    assert tm.snap["origins_m"][0] == pytest.approx(np.hypot(15, 10), rel=0.02)
    # a stricter limit flags more points
    tm2 = travel_costs(o, d, mode="network", graph=G, max_snap_m=15)
    assert 0 in tm2.flagged_origins and np.isinf(tm2.costs[0]).all()


def test_one_way_asymmetry(town):
    t, G, _ = town
    a, b = _pts([(0, 200)]), _pts([(200, 200)])
    ab = travel_costs(a, b, mode="network", graph=G).costs[0, 0]
    ba = travel_costs(b, a, mode="network", graph=G).costs[0, 0]
    # a->b: the one-way 200 m residential street, 24 s
    assert ab == pytest.approx(200 / (30 / 3.6) / 60, rel=0.01)
    assert ba > ab * 2  # must go round the block


def test_river_crossed_only_at_the_bridge(town):
    _, G, _ = town
    # both ends of the footbridge: 400 m apart, but cars go via the bridge at y=400
    tm = travel_costs(_pts([(600, 600)]), _pts([(1000, 600)]), mode="network", graph=G, unit="m")
    assert tm.costs[0, 0] == pytest.approx(200 + 400 + 200, rel=0.01)


def test_cutoff_sparse_and_respected(town):
    _, G, _ = town
    o, d = _pts(ORIGINS_M), _pts(DESTS_M)
    full = travel_costs(o, d, mode="network", graph=G).costs
    cut = 3.0
    tm = travel_costs(o, d, mode="network", graph=G, cutoff=cut)
    assert sparse.issparse(tm.costs) and tm.costs.format == "csr"
    assert (tm.costs.data <= cut).all()
    within = full <= cut
    assert tm.costs.nnz == within.sum() > 0
    assert np.array_equal(tm.reachable(), within)
    dense = tm.to_dense()
    np.testing.assert_allclose(dense[within], full[within])
    assert np.isinf(dense[~within]).all()
    assert tm.n_unreachable == (~within).sum()


def test_few_destinations_route_backwards_same_answer(town):
    _, G, _ = town
    o, d = _pts(ORIGINS_M), _pts(DESTS_M)
    full = travel_costs(o, d, mode="network", graph=G).costs
    one = travel_costs(o, d[1:2], mode="network", graph=G).costs  # reversed graph used
    np.testing.assert_allclose(one[:, 0], full[:, 1])
    dup = travel_costs(np.vstack([o[:2], o[:2]]), d, mode="network", graph=G).costs
    np.testing.assert_allclose(dup[2:], full[:2])


def test_geoseries_any_crs_and_graph_paths(town):
    _, G, d = town
    o, dd = _pts(ORIGINS_M[:3]), _pts(DESTS_M[:3])
    ref = travel_costs(o, dd, mode="network", graph=G).costs
    gs = gpd.GeoSeries.from_xy(o[:, 0], o[:, 1], crs="EPSG:4326").to_crs("EPSG:32649")
    gdf = gpd.GeoDataFrame(geometry=gpd.GeoSeries.from_xy(dd[:, 0], dd[:, 1], crs="EPSG:4326"))
    np.testing.assert_allclose(travel_costs(gs, gdf, mode="network", graph=G).costs, ref,
                               rtol=1e-7)
    gml = d / "town.graphml"
    import osmnx as ox
    ox.save_graphml(G, gml)
    np.testing.assert_allclose(travel_costs(o, dd, mode="network", graph=gml).costs, ref)


def test_network_needs_graph():
    with pytest.raises(NetworkError):
        travel_costs([[110.78, 32.6]], [[110.79, 32.6]], mode="network")


def test_graph_without_travel_time_is_refused():
    G = nx.MultiDiGraph(crs="EPSG:4326")
    G.add_node(1, x=110.78, y=32.60)
    G.add_node(2, x=110.79, y=32.60)
    G.add_edge(1, 2, length=900.0)
    with pytest.raises(NetworkError):
        travel_costs([[110.78, 32.6]], [[110.79, 32.6]], mode="network", graph=G)
    tm = travel_costs([[110.78, 32.6]], [[110.79, 32.6]], mode="network", graph=G, unit="m")
    assert tm.costs[0, 0] == pytest.approx(900.0)
