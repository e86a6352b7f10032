"""The contraction-hierarchy engine of network-mode travel costs (geo/router.py).

Checked against scipy's Dijkstra on a generated road graph (one-way streets,
parallel edges, an island with no road out), its on-disk cache (reused, stale
and damaged caches rebuilt) and the fallback to scipy when the library is
missing or fails.
"""
from __future__ import annotations

import json
import logging
import math
import sys

import networkx as nx
import numpy as np
import pytest

from geo import network, router, settings
from geo.errors import InputDataError
from geo.travel import travel_costs

pytest.importorskip("routingkit_cch")

LON0, LAT0 = 110.78, 32.63
M_LAT = 110_900.0
M_LON = 111_320.0 * math.cos(math.radians(LAT0))


def road_graph(side: int = 30, seed: int = 3) -> nx.MultiDiGraph:
    """A perturbed grid of roads (150 m apart) with speeds, one-ways, a parallel edge and an island."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(crs="EPSG:4326")
    pos = {}
    for i in range(side):
        for j in range(side):
            x = (j + rng.uniform(-0.3, 0.3)) * 150.0
            y = (i + rng.uniform(-0.3, 0.3)) * 150.0
            pos[(i, j)] = (x, y)
            G.add_node(i * side + j, x=LON0 + x / M_LON, y=LAT0 + y / M_LAT)

    def add(a, b, oneway):
        (xa, ya), (xb, yb) = pos[a], pos[b]
        length = float(np.hypot(xa - xb, ya - yb) * rng.uniform(1.0, 1.5))
        kmh = float(rng.choice([15.0, 30.0, 40.0, 60.0]))
        attrs = {"length": length, "speed_kph": kmh, "travel_time": length / (kmh / 3.6)}
        u, v = a[0] * side + a[1], b[0] * side + b[1]
        G.add_edge(u, v, **attrs)
        if not oneway:
            G.add_edge(v, u, **dict(attrs))

    for i in range(side):
        for j in range(side):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < side and j + dj < side and rng.random() > 0.07:
                    add((i, j), (i + di, j + dj), oneway=rng.random() < 0.06)
    # a slower parallel road between two nodes: the faster must count
    G.add_edge(0, 1, length=9999.0, speed_kph=5.0, travel_time=9999.0)
    # an island of three nodes, reachable from nowhere
    base = side * side
    for k in range(3):
        G.add_node(base + k, x=LON0 + (side + 5 + k) * 150.0 / M_LON, y=LAT0)
    for k in range(2):
        G.add_edge(base + k, base + k + 1, length=150.0, speed_kph=30.0, travel_time=18.0)
        G.add_edge(base + k + 1, base + k, length=150.0, speed_kph=30.0, travel_time=18.0)
    return G


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    # in-memory graphs keep their hierarchy under the cache folder: never the project's
    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")


@pytest.fixture(scope="module")
def graph():
    return road_graph()


def _close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-6) -> bool:
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb):
        return False
    return bool(np.all(np.abs(a[fa] - b[fa]) <= rtol * np.maximum(1.0, np.abs(b[fa]))))


@pytest.mark.parametrize("unit", ["min", "m"])
def test_ch_equals_dijkstra_on_generated_graph(graph, unit):
    net = network.RoadNetwork(graph)
    rng = np.random.default_rng(7)
    src = rng.integers(0, net.n_nodes, 150)          # duplicates on purpose
    dst = np.concatenate([rng.integers(0, net.n_nodes, 120), [net.n_nodes - 1]])  # island node
    ref = net.costs(src, dst, unit=unit)
    got, rep = router.path_costs(net, src, dst, unit=unit, engine="ch")
    assert rep.engine == "ch" and rep.note_en == ""
    assert got.shape == ref.shape == (150, 121)
    assert np.isinf(ref[:, -1]).all() and np.isfinite(ref[:, :-1]).mean() > 0.9
    assert _close(got, ref)
    # a tolerance that tight is meaningful: the costs are tens of minutes / kilometres
    assert np.nanmax(np.where(np.isfinite(ref), ref, np.nan)) > (10 if unit == "min" else 3000)


def test_many_to_one_direction_and_cutoff(graph):
    net = network.RoadNetwork(graph)
    rng = np.random.default_rng(11)
    src = rng.integers(0, net.n_nodes, 90)     # more sources than targets: pinned sources
    dst = rng.integers(0, net.n_nodes, 12)
    ref = net.costs(src, dst, unit="min", limit=8.0)
    got, rep = router.path_costs(net, src, dst, unit="min", limit=8.0, engine="ch")
    assert rep.engine == "ch"
    assert np.isinf(ref).any() and np.isfinite(ref).any()
    assert _close(got, ref)


def test_travel_costs_says_which_engine_ran(graph):
    rng = np.random.default_rng(5)
    lon = np.array([d["x"] for _, d in graph.nodes(data=True)])
    lat = np.array([d["y"] for _, d in graph.nodes(data=True)])
    pts = np.column_stack([rng.uniform(lon.min(), lon.max() - 0.02, 40),
                           rng.uniform(lat.min(), lat.max(), 40)])
    net = network.RoadNetwork(graph)
    a = travel_costs(pts, pts[:25], mode="network", graph=net, engine="ch")
    b = travel_costs(pts, pts[:25], mode="network", graph=net, engine="scipy")
    assert (a.engine, b.engine) == ("ch", "scipy")
    assert a.engine_report["hierarchy"]["library"] == "routingkit-cch"
    assert _close(a.costs, b.costs)
    c = travel_costs(pts, pts[:25], mode="network", graph=net, engine="ch", cutoff=6.0)
    d = travel_costs(pts, pts[:25], mode="network", graph=net, engine="scipy", cutoff=6.0)
    assert c.is_sparse and c.costs.nnz == d.costs.nnz > 0
    assert _close(c.to_dense(), d.to_dense())
    assert travel_costs(pts[:2], pts[:2]).engine == "estimate"


def test_auto_uses_the_hierarchy_only_for_big_uncut_matrices(graph, monkeypatch):
    net = network.RoadNetwork(graph)
    few = np.arange(5)
    assert router.path_costs(net, few, few, unit="min")[1].engine == "scipy"
    monkeypatch.setattr(router, "AUTO_MIN_SEARCHES", 5)
    assert router.path_costs(net, few, few, unit="min")[1].engine == "ch"
    assert router.path_costs(net, few, few, unit="min", limit=5.0)[1].engine == "scipy"
    with pytest.raises(InputDataError):
        router.path_costs(net, few, few, unit="min", engine="osrm")


def test_hierarchy_cached_next_to_graphml_reused_stale_and_damaged_rebuilt(graph, tmp_path, caplog):
    path = tmp_path / "roads.graphml"
    network._save_graphml(graph, path)
    src, dst = np.arange(0, 400, 3), np.arange(1, 500, 4)

    def run():
        net = network.RoadNetwork(network.load_graphml(path))
        net.source_path = path      # as network.prepare(path) sets it
        ref = net.costs(src, dst, unit="min")
        got, rep = router.path_costs(net, src, dst, unit="min", engine="ch")
        assert rep.engine == "ch" and _close(got, ref)
        return rep.hierarchy

    first = run()
    order_file = tmp_path / "roads.graphml.cch" / "min.order.npy"
    meta_file = tmp_path / "roads.graphml.cch" / "min.meta.json"
    assert first["cache_hit"] is False and first["cache_path"] == str(order_file)
    assert order_file.is_file() and meta_file.is_file()
    assert run()["cache_hit"] is True

    # damaged: a few bytes flipped in the order file -> checksum differs -> rebuilt
    raw = bytearray(order_file.read_bytes())
    raw[-8:] = bytes(8)
    order_file.write_bytes(bytes(raw))
    with caplog.at_level(logging.WARNING, logger="coverplan.router"):
        assert run()["cache_hit"] is False
    assert "damaged" in caplog.text
    assert run()["cache_hit"] is True

    # stale: the cache belongs to another graph (e.g. the GraphML was rebuilt)
    meta = json.loads(meta_file.read_text())
    meta["fingerprint"] = "0" * 64
    meta_file.write_text(json.dumps(meta))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="coverplan.router"):
        assert run()["cache_hit"] is False
    assert "stale" in caplog.text

    # a valid checksum over a file that is not a node order is refused too
    bad = np.arange(10, dtype=np.uint32)
    np.save(order_file, bad)
    meta = json.loads(meta_file.read_text())
    meta["order_sha256"] = router._sha256_file(order_file)
    meta_file.write_text(json.dumps(meta))
    assert run()["cache_hit"] is False


def test_prepare_from_graphml_path_keeps_the_hierarchy_beside_it(graph, tmp_path):
    path = tmp_path / "g.graphml"
    network._save_graphml(graph, path)
    net = network.prepare(path)
    _, rep = router.path_costs(net, np.arange(20), np.arange(20, 40), unit="m", engine="ch")
    assert rep.hierarchy["cache_path"] == str(tmp_path / "g.graphml.cch" / "m.order.npy")


def test_missing_library_falls_back_to_scipy_with_a_message(graph, monkeypatch):
    monkeypatch.setitem(sys.modules, "routingkit_cch", None)   # import now raises ImportError
    net = network.RoadNetwork(graph)
    src, dst = np.arange(0, 300, 7), np.arange(0, 300, 5)
    got, rep = router.path_costs(net, src, dst, unit="min", engine="ch")
    assert rep.engine == "scipy" and rep.requested == "ch"
    assert "routingkit-cch" in rep.note_en and "pip install" in rep.note_en
    assert "scipy" in rep.note_zh and "未能加载" in rep.note_zh
    assert np.array_equal(got, net.costs(src, dst, unit="min"))
    tm = travel_costs(np.array([[LON0, LAT0]]), np.array([[LON0 + 0.01, LAT0 + 0.01]]),
                      mode="network", graph=net, engine="ch")
    assert tm.engine == "scipy" and "routingkit-cch" in tm.engine_report["note_en"]


def test_library_failure_falls_back_to_scipy(graph, monkeypatch):
    lib = router.load_library()

    class Broken:
        def __getattr__(self, name):
            if name == "compute_order_inertial":
                def fail(*a, **k):
                    raise RuntimeError("separator search failed")
                return fail
            return getattr(lib, name)

    monkeypatch.setattr(router, "load_library", lambda: Broken())
    net = network.RoadNetwork(graph)
    src = np.arange(0, 200, 9)
    got, rep = router.path_costs(net, src, src, unit="min", engine="ch")
    assert rep.engine == "scipy" and "separator search failed" in rep.note_en and rep.note_zh
    assert np.array_equal(got, net.costs(src, src, unit="min"))


@pytest.mark.parametrize("n_src,n_dst", [(150, 121), (121, 40)])
def test_forked_workers_give_the_single_process_answer(graph, monkeypatch, n_src, n_dst):
    """Rows split over forked processes (shared memory) equal one process's rows,
    in both query directions."""
    net = network.RoadNetwork(graph)
    rng = np.random.default_rng(5)
    src = rng.choice(net.n_nodes, n_src, replace=False)
    dst = rng.choice(net.n_nodes, n_dst, replace=False)
    r = router.router_for(net, "min")
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", 1)
    one = r.costs(src, dst)
    monkeypatch.setattr(router.threading, "active_count", lambda: 1)
    monkeypatch.setattr(router, "FORK_MIN_ROWS", 10)
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", 3)
    assert router._processes_for(min(n_src, n_dst)) == 3
    forked = []
    real_fork = router._fork_rows
    monkeypatch.setattr(router, "_fork_rows", lambda *a: forked.append(1) or real_fork(*a))
    many = r.costs(src, dst)
    assert len(forked) == 2
    assert np.array_equal(one, many)
    assert _close(many, net.costs(src, dst, unit="min"))


@pytest.fixture()
def two_workers(graph, monkeypatch):
    """(network, router, sources, targets) with forking forced on: two processes, 100 x 110."""
    net = network.RoadNetwork(graph)
    rng = np.random.default_rng(6)
    src = rng.choice(net.n_nodes, 100, replace=False)
    dst = rng.choice(net.n_nodes, 110, replace=False)
    monkeypatch.setattr(router.threading, "active_count", lambda: 1)
    monkeypatch.setattr(router, "FORK_MIN_ROWS", 10)
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", 2)
    return net, router.router_for(net, "min"), src, dst


def test_a_dead_worker_costs_time_not_the_answer(two_workers, monkeypatch, caplog):
    net, r, src, dst = two_workers

    def dying_child(*_a):
        pid = router.os.fork()
        if pid == 0:
            router.os._exit(3)  # e.g. killed by the out-of-memory killer
        return pid

    monkeypatch.setattr(router, "_fork_rows", dying_child)
    with caplog.at_level(logging.WARNING, logger="coverplan.router"):
        got = r.costs(src, dst)
    assert "failed" in caplog.text
    assert _close(got, net.costs(src, dst, unit="min"))


def test_no_fork_in_a_threaded_process(monkeypatch):
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", 0)
    monkeypatch.setattr(router.threading, "active_count", lambda: 4)  # e.g. the web server
    assert router._processes_for(10_000) == 1
    monkeypatch.setattr(router.threading, "active_count", lambda: 1)
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", 1)
    assert router._processes_for(10_000) == 1
    monkeypatch.setattr(settings, "ROUTER_PROCESSES", 2)
    assert router._processes_for(10_000) == 2
    assert router._processes_for(50) == 1  # too few rows to be worth a fork


def test_an_error_in_the_parent_leaves_no_worker_behind(two_workers, monkeypatch):
    _, r, src, dst = two_workers
    pids = []
    real_fork = router._fork_rows
    monkeypatch.setattr(router, "_fork_rows", lambda *a: pids.append(real_fork(*a)) or pids[-1])

    def interrupted(steps):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        r.costs(src, dst, progress=interrupted)
    assert len(pids) == 1
    with pytest.raises(ChildProcessError):  # already reaped: nothing left running
        router.os.waitpid(pids[0], 0)
