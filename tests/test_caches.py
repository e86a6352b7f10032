"""Damaged caches are noticed and rebuilt, never trusted: the region build and the road-graph cache.

The region build is checked against the manifest its builder writes last
(geo.regions.build_problem); the road-graph cache against the checksum written
beside it and the source file's digest carried in the graph (geo.network).
The layer files of the data versions are data, not a cache: a changed one is a
clear error (tests/test_datasets.py), and the web app's layer caches live in
memory only, keyed by the data version.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo import network, regions, settings
from geo.errors import CoverplanError
from osm_fixtures import write_town

SHIPPED = regions.region_dir("shiyan")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A copy of the shipped region (sources and build) that the test may damage.

    The builder is replaced by one that copies the pristine build back (the real
    build takes half a minute and is tested in tests/test_region.py); it counts its calls.
    """
    root = tmp_path / "data"
    for part in ("source", "build"):
        shutil.copytree(SHIPPED / part, root / "regions" / "shiyan" / part)
    regions.build_problem("shiyan")  # the shipped build has its manifest from here on
    pristine = tmp_path / "pristine"
    shutil.copytree(SHIPPED / "build", pristine)
    monkeypatch.setattr(settings, "DATA_DIR", root)
    monkeypatch.setattr(regions, "_embedded", {})
    calls = []

    def fake_build(name, *, out=None):
        calls.append(name)
        build = regions.region_dir(name) / "build"
        shutil.rmtree(build, ignore_errors=True)
        shutil.copytree(pristine, build)
        if (regions.region_dir(name) / "source" / "extra.txt").exists():  # sources changed: record them
            summary = json.loads((build / "region.json").read_text("utf-8"))
            src = regions.region_dir(name) / "source"
            summary["sources_sha256"] = {p.name: regions._sha256(p) for p in sorted(src.iterdir()) if p.is_file()}
            (build / "region.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")
            regions.write_build_manifest(build)
        return {}

    monkeypatch.setattr(regions, "build_region", fake_build)
    return {"build": root / "regions" / "shiyan" / "build", "pristine": pristine, "calls": calls}


def fresh_load():
    regions._embedded.clear()
    return regions.load_region("shiyan", imports=False)


def test_an_intact_build_is_used_as_it_is(data_dir):
    assert regions.build_problem("shiyan") is None
    assert len(fresh_load().townships) == 129
    assert data_dir["calls"] == []


@pytest.mark.parametrize("damage", ["truncated", "garbled", "deleted", "manifest garbled", "manifest lost"])
def test_a_damaged_build_is_rebuilt(data_dir, damage):
    b = data_dir["build"]
    towns = b / "townships.geojson"
    if damage == "truncated":
        towns.write_bytes(towns.read_bytes()[:1000])
    elif damage == "garbled":  # still valid JSON, so only the checksum can tell
        data = bytearray(towns.read_bytes())
        i = next(i for i in range(len(data) // 2, len(data)) if chr(data[i]).isdigit())
        data[i] = ord("0") + (data[i] - ord("0") + 1) % 10  # one coordinate digit off
        towns.write_bytes(bytes(data))
        json.loads(towns.read_bytes())
    elif damage == "deleted":
        towns.unlink()
    elif damage == "manifest garbled":
        (b / regions.BUILD_MANIFEST).write_text("{not json", "utf-8")
    else:  # a build cut off before its last file; with a truncated layer it must not be adopted
        (b / regions.BUILD_MANIFEST).unlink()
        towns.write_bytes(towns.read_bytes()[:1000])
    assert regions.build_problem("shiyan")
    region = fresh_load()
    assert data_dir["calls"] == ["shiyan"]
    assert len(region.townships) == 129
    assert towns.read_bytes() == (data_dir["pristine"] / "townships.geojson").read_bytes()
    assert regions.build_problem("shiyan") is None


def test_a_build_of_other_sources_is_rebuilt(data_dir):
    src = settings.DATA_DIR / "regions" / "shiyan" / "source"
    (src / "extra.txt").write_text("a new source file", "utf-8")
    assert regions.build_problem("shiyan") == "sources changed since the build"
    fresh_load()
    assert data_dir["calls"] == ["shiyan"]
    assert regions.build_problem("shiyan") is None


def test_a_damaged_build_without_sources_is_a_clear_error(data_dir):
    shutil.rmtree(settings.DATA_DIR / "regions" / "shiyan" / "source")
    (data_dir["build"] / "villages.geojson").write_bytes(b'{"type":"FeatureCollection","feat')
    with pytest.raises(CoverplanError) as err:
        fresh_load()
    assert "源数据缺失" in err.value.message("zh") and "sources are missing" in err.value.message("en")
    assert data_dir["calls"] == []


def test_an_old_build_without_manifest_is_adopted_when_intact(data_dir):
    (data_dir["build"] / regions.BUILD_MANIFEST).unlink()
    assert regions.build_problem("shiyan") is None
    assert (data_dir["build"] / regions.BUILD_MANIFEST).is_file()
    assert data_dir["calls"] == []


# -- road graph cache ---------------------------------------------------------------------
@pytest.fixture
def town(tmp_path):
    osm = tmp_path / "town.osm"
    write_town(osm)
    first = network.build_graph(osm, cache_dir=tmp_path / "cache")
    assert not first.cache_hit and network._checksum_path(first.cache_path).is_file()
    return osm, first


def rebuilt(osm: Path, cache_dir: Path):
    again = network.build_graph(osm, cache_dir=cache_dir)
    return again


def test_an_intact_graph_cache_is_used(town, tmp_path):
    osm, first = town
    again = rebuilt(osm, tmp_path / "cache")
    assert again.cache_hit and again.graph.number_of_edges() == first.graph.number_of_edges()


@pytest.mark.parametrize("damage", ["truncated", "garbled", "checksum lost and unreadable", "other source"])
def test_a_damaged_graph_cache_is_rebuilt(town, tmp_path, damage):
    osm, first = town
    path = first.cache_path
    check = network._checksum_path(path)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbled":  # still well-formed XML: only the checksum tells
        assert b">30.0<" in data or b">40.0<" in data
        path.write_bytes(data.replace(b">30.0<", b">99.0<").replace(b">40.0<", b">99.0<"))
    elif damage == "checksum lost and unreadable":
        check.unlink()
        path.write_bytes(data[:200])
    else:  # a graph of another OSM file under this key (copied by hand), checksum made to match
        import osmnx as ox
        G = first.graph.copy()
        G.graph["coverplan_source_sha256"] = "0" * 64
        ox.save_graphml(G, path)
        network._write_checksum(path)
    again = rebuilt(osm, tmp_path / "cache")
    assert not again.cache_hit
    assert again.graph.number_of_edges() == first.graph.number_of_edges()
    speeds = {d["speed_kph"] for _, _, d in again.graph.edges(data=True)}
    assert 99.0 not in speeds
    # the rebuilt cache is sealed again and then trusted
    assert network._checksum_path(path).is_file()
    assert rebuilt(osm, tmp_path / "cache").cache_hit


def test_an_old_graph_cache_without_checksum_is_sealed(town, tmp_path):
    osm, first = town
    network._checksum_path(first.cache_path).unlink()
    again = rebuilt(osm, tmp_path / "cache")
    assert again.cache_hit and network._checksum_path(first.cache_path).is_file()
