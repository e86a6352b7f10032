"""Building, caching and loading road graphs from local OSM files (no internet)."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from geo import network
from geo.errors import InputDataError, NetworkError
from osm_fixtures import write_osm_xml, write_town, xml_to_pbf


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    d = tmp_path_factory.mktemp("town")
    t = write_town(d / "town.osm")
    built = network.build_graph(d / "town.osm", cache_dir=d / "cache")
    return t, built, d


def _edge_set(G):
    return sorted((u, v, round(d["length"], 6), round(d["travel_time"], 6), d["speed_kph"])
                  for u, v, d in G.edges(data=True))


def test_graph_keeps_roads_only(town):
    t, built, _ = town
    G = built.graph
    # 16 grid + bridge middle + 6 village + 4 island; river/footbridge/private road dropped
    assert G.number_of_nodes() == 27
    river_mid = t.at[(800, 300)]
    assert river_mid not in G
    assert t.at[(1400, 400)] not in G  # end of the private road
    assert all("travel_time" in d and d["travel_time"] > 0 for _, _, d in G.edges(data=True))
    highways = {h for _, _, d in G.edges(data=True)
                for h in (d["highway"] if isinstance(d["highway"], list) else [d["highway"]])}
    assert "footway" not in highways and "service" not in highways


def test_one_way_streets_are_directed(town):
    t, built, _ = town
    G = built.graph
    a, b = t.at[(0, 200)], t.at[(200, 200)]   # oneway=yes west->east
    assert G.has_edge(a, b) and not G.has_edge(b, a)
    c, d = t.at[(200, 0)], t.at[(200, 200)]   # oneway=-1 drawn south->north
    assert G.has_edge(d, c) and not G.has_edge(c, d)


def test_default_speeds_by_class(town):
    t, built, _ = town
    G = built.graph
    def speed(p, q):
        return min(d["speed_kph"] for d in G.get_edge_data(t.at[p], t.at[q]).values())
    assert speed((0, 0), (200, 0)) == network.DEFAULT_HWY_SPEEDS["primary"] == 60
    assert speed((0, 600), (200, 600)) == 30          # residential
    assert speed((0, 400), (200, 400)) == 20          # maxspeed=20 wins
    assert speed((1200, 0), (1200, 400)) == 15        # track
    e = min(G.get_edge_data(t.at[(0, 0)], t.at[(200, 0)]).values(), key=lambda d: d["length"])
    assert e["travel_time"] == pytest.approx(e["length"] / (60 / 3.6), rel=1e-3)


def test_components_and_stats(town):
    _, built, _ = town
    st = network.graph_stats(built.graph)
    assert st["nodes"] == 27 and st["edges"] == built.graph.number_of_edges()
    assert st["components_weak"] == 2
    assert st["largest_wcc_share"] == pytest.approx(23 / 27)


def test_cache_hit_on_second_build(town, monkeypatch):
    _, built, d = town
    assert not built.cache_hit and built.cache_path.is_file()
    import osmnx as ox

    def no_parse(*a, **k):
        raise AssertionError("the cache should have been used")
    monkeypatch.setattr(ox, "graph_from_xml", no_parse)
    again = network.build_graph(d / "town.osm", cache_dir=d / "cache")
    assert again.cache_hit and again.cache_path == built.cache_path
    assert _edge_set(again.graph) == _edge_set(built.graph)
    assert sorted(again.graph.nodes) == sorted(built.graph.nodes)


def test_cache_key_follows_content_and_options(town, tmp_path):
    _, built, d = town
    write_town(tmp_path / "town.osm", extra_nodes=2)   # same name, other content
    other = network.build_graph(tmp_path / "town.osm", cache_dir=d / "cache")
    assert not other.cache_hit and other.cache_path != built.cache_path
    assert other.graph.number_of_nodes() == 27 + 2
    slow = network.build_graph(d / "town.osm", cache_dir=d / "cache",
                               hwy_speeds={"primary": 10.0})
    assert not slow.cache_hit and slow.cache_path != built.cache_path


def test_pbf_and_xml_give_the_same_graph(town, tmp_path):
    _, built, d = town
    pbf = xml_to_pbf(d / "town.osm", tmp_path / "town.osm.pbf")
    from_pbf = network.build_graph(pbf, cache_dir=tmp_path / "cache")
    assert not from_pbf.cache_hit
    assert sorted(from_pbf.graph.nodes) == sorted(built.graph.nodes)
    assert _edge_set(from_pbf.graph) == _edge_set(built.graph)
    for n in built.graph.nodes:
        assert from_pbf.graph.nodes[n]["x"] == pytest.approx(built.graph.nodes[n]["x"], abs=1e-9)


def test_out_file_and_load_graph(town, tmp_path):
    _, _, d = town
    out = tmp_path / "g.graphml"
    network.build_graph(d / "town.osm", cache_dir=d / "cache", out=out)
    G = network.load_graph(out)
    assert isinstance(G, nx.MultiDiGraph) and G.number_of_nodes() == 27


def test_csr_takes_min_over_parallel_edges():
    G = nx.MultiDiGraph(crs="EPSG:4326")
    G.add_node(1, x=110.78, y=32.60)
    G.add_node(2, x=110.79, y=32.60)
    G.add_edge(1, 2, length=900.0, travel_time=120.0)
    G.add_edge(1, 2, length=1000.0, travel_time=60.0)
    net = network.RoadNetwork(G)
    i, j = (np.flatnonzero(net.node_ids == k)[0] for k in (1, 2))
    assert net.weights("min")[i, j] == pytest.approx(1.0)
    assert net.weights("m")[i, j] == pytest.approx(900.0)
    assert net.weights("min")[j, i] == 0  # no edge back


def test_errors(tmp_path):
    with pytest.raises(InputDataError):
        network.build_graph(tmp_path / "missing.osm", cache_dir=tmp_path)
    write_osm_xml(tmp_path / "noroads.osm", {1: (110.7, 32.6), 2: (110.71, 32.6)},
                  [(10, [1, 2], {"waterway": "river"})])
    with pytest.raises(NetworkError) as exc:
        network.build_graph(tmp_path / "noroads.osm", cache_dir=tmp_path)
    assert "道路" in exc.value.zh
    (tmp_path / "bad.osm").write_text("<osm><node id=", encoding="utf-8")
    with pytest.raises(InputDataError):
        network.build_graph(tmp_path / "bad.osm", cache_dir=tmp_path)
    with pytest.raises(NetworkError):
        network.load_graphml(tmp_path / "nope.graphml")


def test_offline_download_error(monkeypatch, tmp_path):
    from shapely.geometry import box
    monkeypatch.setattr(network, "_online", lambda *a, **k: False)
    monkeypatch.setattr(network, "region_polygon", lambda region: box(110.7, 32.5, 110.9, 32.7))
    with pytest.raises(NetworkError) as exc:
        network.download_graph("shiyan", cache_dir=tmp_path)
    assert "--osm" in exc.value.hint_en and "离线" in exc.value.zh
