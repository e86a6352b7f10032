"""`coverplan network build` and `coverplan od`, end to end (no internet)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from cli.main import main
from geo import network, settings
from osm_fixtures import lonlat, write_town, xml_to_pbf


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache"


@pytest.fixture()
def town(tmp_path):
    write_town(tmp_path / "town.osm")
    return tmp_path / "town.osm"


def run(capsys, *argv):
    code = main(["--lang", "en", *map(str, argv)])
    out = capsys.readouterr().out
    return code, (json.loads(out) if "--json" in argv else out)


def write_csv(path, rows, encoding="utf-8"):
    path.write_text("id,lon,lat\n" + "".join(f"{i},{lo},{la}\n" for i, lo, la in rows),
                    encoding=encoding)
    return path


def test_network_build_json_and_cache(capsys, cache, town, tmp_path):
    code, js = run(capsys, "network", "build", "--osm", town, "--json")
    assert code == 0
    assert js["nodes"] == 27 and js["edges"] > 0 and js["cache_hit"] is False
    assert js["largest_scc_share"] == pytest.approx(23 / 27)
    assert js["cache_path"].startswith(str(cache / "graphs"))
    code, js2 = run(capsys, "network", "build", "--osm", town, "--out", tmp_path / "g.graphml",
                    "--json")
    assert js2["cache_hit"] is True and (tmp_path / "g.graphml").is_file()
    pbf = xml_to_pbf(town, tmp_path / "town.osm.pbf")
    code, js3 = run(capsys, "network", "build", "--osm", pbf, "--json")
    assert (js3["nodes"], js3["edges"]) == (js["nodes"], js["edges"])


def test_network_build_place_offline(capsys, cache, monkeypatch):
    from shapely.geometry import box
    monkeypatch.setattr(network, "_online", lambda *a, **k: False)
    monkeypatch.setattr(network, "region_polygon", lambda region: box(110.7, 32.5, 110.9, 32.7))
    code, js = run(capsys, "network", "build", "--place", "shiyan", "--json")
    assert code == 2 and js["error"] == "NetworkError"
    assert "offline" in js["message_en"] or "internet" in js["message_en"]
    assert "离线" in js["message_zh"]


def test_od_estimate(capsys, tmp_path):
    o = write_csv(tmp_path / "o.csv", [("敬老院A", 110.78, 32.60), ("b", 110.80, 32.62)],
                  encoding="gbk")
    d = write_csv(tmp_path / "d.csv", [("x", 110.78, 32.70)])
    code, js = run(capsys, "od", "--origins", o, "--destinations", d, "--out",
                   tmp_path / "c.npz", "--json")
    assert code == 0 and js["shape"] == [2, 1] and js["is_estimate"] is True
    assert js["encoding"]["origins"] == "gbk"
    z = np.load(tmp_path / "c.npz")
    assert z["costs"].shape == (2, 1)
    assert z["costs"][0, 0] == pytest.approx(26.6, abs=0.05)   # see test_travel_estimate
    assert z["origin_ids"].tolist() == ["敬老院A", "b"]


def test_od_network_end_to_end(capsys, cache, town, tmp_path):
    pts_o = [("o1", *lonlat(15, 10)), ("o2", *lonlat(1190, 580)), ("far", *lonlat(5000, -4000))]
    pts_d = [("d1", *lonlat(600, 600)), ("island", *lonlat(3190, 3180))]
    o = write_csv(tmp_path / "o.csv", pts_o)
    d = write_csv(tmp_path / "d.csv", pts_d)
    code, js = run(capsys, "od", "--origins", o, "--destinations", d, "--mode", "network",
                   "--network", town, "--out", tmp_path / "c.npz", "--json")
    assert code == 0, js
    assert js["shape"] == [3, 2] and js["is_estimate"] is False
    costs = np.load(tmp_path / "c.npz")["costs"]
    from geo.travel import travel_costs
    G = network.build_graph(town).graph
    ref = travel_costs(np.array([p[1:] for p in pts_o]), np.array([p[1:] for p in pts_d]),
                       mode="network", graph=G).costs
    np.testing.assert_allclose(costs, ref)
    assert np.isinf(costs[:, 1]).all() and np.isinf(costs[2]).all()
    assert js["unreachable_pairs"] == 4
    assert js["snap"]["origins"]["flagged_ids"] == ["far"]
    # with a cutoff: beyond-cutoff pairs are inf in the npz too
    code, js = run(capsys, "od", "--origins", o, "--destinations", d, "--mode", "network",
                   "--network", town, "--cutoff", "1", "--out", tmp_path / "c1.npz", "--json")
    c1 = np.load(tmp_path / "c1.npz")["costs"]
    assert np.all((c1 <= 1) | np.isinf(c1)) and js["reachable_pairs"] == (ref <= 1).sum()
    assert js["engine"] == "scipy"   # a cutoff: Dijkstra stops early, no hierarchy


def test_od_engine_is_chosen_and_reported(capsys, cache, town, tmp_path):
    o = write_csv(tmp_path / "o.csv", [("o1", *lonlat(15, 10)), ("o2", *lonlat(1190, 580))])
    d = write_csv(tmp_path / "d.csv", [("d1", *lonlat(600, 600)), ("d2", *lonlat(30, 1150))])
    got = {}
    for engine in ("ch", "scipy"):
        code, js = run(capsys, "od", "--origins", o, "--destinations", d, "--mode", "network",
                       "--network", town, "--engine", engine, "--out", tmp_path / f"{engine}.npz",
                       "--json")
        assert code == 0, js
        assert js["engine"] == engine and js["engine_report"]["requested"] == engine
        got[engine] = np.load(tmp_path / f"{engine}.npz")["costs"]
    np.testing.assert_allclose(got["ch"], got["scipy"], rtol=1e-6)
    assert np.isfinite(got["ch"]).all()
    network._BY_PATH.clear()   # as a new process would: the hierarchy comes from the disk cache
    code, out = run(capsys, "od", "--origins", o, "--destinations", d, "--mode", "network",
                    "--network", town, "--engine", "ch", "--out", tmp_path / "t.npz")
    assert "engine: contraction hierarchy, hierarchy from cache" in out


@pytest.mark.parametrize("content,needle", [
    ("id,x\n1,2\n", "missing column"),
    ("", "empty"),
    ("id,lon,lat\n", "no rows"),
    ("id,lon,lat\na,32.6,110.78\n", "swapped"),
    ("id,lon,lat\na,2.35,48.85\n", "outside China"),
    ("id,lon,lat\na,114.3,30.6\n", "outside the region"),
    ("id,lon,lat\na,110.7,abc\n", "non-numeric"),
])
def test_od_bad_csv(capsys, tmp_path, content, needle):
    (tmp_path / "o.csv").write_text(content, encoding="utf-8")
    d = write_csv(tmp_path / "d.csv", [("x", 110.78, 32.70)])
    code, js = run(capsys, "od", "--origins", tmp_path / "o.csv", "--destinations", d,
                   "--out", tmp_path / "c.npz", "--json")
    assert code == 2 and js["error"] == "InputDataError"
    assert needle in js["message_en"]
    assert js["message_zh"]


def test_od_network_requires_file(capsys, tmp_path):
    o = write_csv(tmp_path / "o.csv", [("a", 110.78, 32.60)])
    code, js = run(capsys, "od", "--origins", o, "--destinations", o, "--mode", "network",
                   "--out", tmp_path / "c.npz", "--json")
    assert code == 2 and "--network" in js["message_en"]
