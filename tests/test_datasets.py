"""Versioned datasets (geo.datasets): version 0 kept, imports as versions, diff, rollback, crash safety."""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import settings
from geo.datasets import TEST_PAUSE_ENV, DatasetStore, population_quality_column
from geo.errors import CoverplanError, InputDataError, NotFoundError
from geo.imports import check_townships, check_villages
from geo.regions import load_region

ROOT = Path(__file__).resolve().parent.parent
CODE = "420302001"  # 武当路街道


@pytest.fixture
def store(var_dir) -> DatasetStore:
    return DatasetStore(var_dir / "proposals.sqlite", region="shiyan")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def day_care(store: DatasetStore, version: int | None = None) -> gpd.GeoDataFrame:
    f = store.layers(version)["facilities"]
    return f[f["facility_type"] == "day_care"]


def register_file(tmp: Path, gdf: gpd.GeoDataFrame, name: str = "register.geojson") -> Path:
    path = tmp / name
    gdf.reset_index(drop=True).to_file(path, driver="GeoJSON")
    return path


def moved_boundary_file(tmp: Path, *, metres: float = 300, suffix: str = "geojson") -> Path:
    """Every embedded township as a planner's file, one of them grown by ``metres``."""
    t = load_region("shiyan", imports=False).townships[["code", "geometry"]].reset_index(drop=True)
    m = t.to_crs(settings.METRIC_CRS)
    i = m.index[m["code"] == CODE][0]
    m.loc[i, "geometry"] = m.loc[i, "geometry"].buffer(metres)
    path = tmp / f"townships.{suffix}"
    m.rename(columns={"code": "代码"}).to_file(path, driver="GeoJSON")
    return path


# -- version 0 ---------------------------------------------------------------------------
def test_version_0_is_the_embedded_default_and_cannot_be_deleted(store, var_dir):
    [v0] = store.versions()
    assert (v0.version, v0.kind, v0.current, v0.status) == (0, "embedded", True, "ok")
    emb = load_region("shiyan", imports=False)
    assert v0.counts["townships"] == 129 and v0.counts["villages"] == 1979
    assert sum(n for k, n in v0.counts.items() if k.startswith("facilities:")) == len(emb.facilities)
    region = store.region()
    assert region.dataset_version == 0 and region.provenance["dataset"]["version"] == 0
    assert region.townships.geometry.equals(emb.townships.geometry)
    assert (region.townships["geometry_quality"] == "approximate").all()

    with sqlite3.connect(var_dir / "proposals.sqlite") as con:
        with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
            con.execute("DELETE FROM dataset_versions WHERE version=0")
        with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
            con.execute("DELETE FROM dataset_layers WHERE version=0")
    # it has no files to lose, and a lost database brings it back
    (var_dir / "proposals.sqlite").unlink()
    for extra in var_dir.glob("proposals.sqlite-*"):
        extra.unlink()
    again = DatasetStore(var_dir / "proposals.sqlite", region="shiyan")
    assert [v.version for v in again.versions()] == [0] and again.current().version == 0


def test_unknown_version_is_a_clear_error(store):
    with pytest.raises(NotFoundError) as e:
        store.diff(0, 7)
    assert "No data version 7" in e.value.message("en") and "没有数据版本 7" in e.value.message("zh")


# -- imports ----------------------------------------------------------------------------
def test_import_is_version_1_with_counts_hash_and_the_original_file(store, tmp_path):
    reg = day_care(store).iloc[:6].drop(columns=["synthetic", "source"])
    src = register_file(tmp_path, reg, "日间照料中心名录.geojson")
    v = store.commit_layer("facilities:day_care", reg, source_path=src, author="张三", note="2025年名录")
    assert v == 1
    row = store.current()
    assert (row.version, row.parent, row.kind, row.author, row.note) == (1, 0, "import", "张三", "2025年名录")
    assert row.layer == "facilities:day_care" and row.rows == 6
    assert row.source_name == "日间照料中心名录.geojson" and row.source_sha256 == sha(src)
    assert row.counts["facilities:day_care"] == 6 and row.counts["townships"] == 129
    assert row.replaced == [{"layer": "facilities:day_care", "version": 0, "rows": 473}]
    assert store.source_path(1).read_bytes() == src.read_bytes()  # the original is kept
    layer_file = store.layer_path("facilities:day_care")
    assert layer_file == store.root / "1" / "facilities-day_care.geojson"
    assert store.refs()["facilities:day_care"].sha256 == sha(layer_file)
    # the new version: day care replaced, the other layers those of version 0
    assert len(day_care(store)) == 6 and len(day_care(store, 0)) == 473
    emb = load_region("shiyan", imports=False).facilities
    other = store.layers()["facilities"]
    assert len(other[other["facility_type"] != "day_care"]) == int((emb["facility_type"] != "day_care").sum())
    assert store.refs()["townships"].stored_in == 0  # unchanged layers are not copied
    region = store.region()
    assert region.dataset_version == 1
    by_type = region.provenance["layers"]["facilities"]["by_type"]
    assert by_type["day_care"] == {"dataset_version": 1, "count": 6, "synthetic": False, "own": 6,
                                   "file": "日间照料中心名录.geojson"}
    assert by_type["elderly_complex"]["dataset_version"] == 0 and by_type["elderly_complex"]["synthetic"]


def test_the_same_layer_gives_the_same_file(store):
    reg = day_care(store).iloc[:20]
    store.commit_layer("facilities:day_care", reg)
    store.commit_layer("facilities:day_care", reg.iloc[::-1])  # row order does not matter
    r1, r2 = store.refs(1)["facilities:day_care"], store.refs(2)["facilities:day_care"]
    assert (r1.stored_in, r2.stored_in) == (1, 2) and r1.sha256 == r2.sha256


def test_facilities_diff_lists_added_removed_and_moved(store):
    before = day_care(store)
    reg = before.iloc[:30].copy()
    metric = reg.geometry.to_crs(settings.METRIC_CRS)
    far, near = reg.index[0], reg.index[1]
    metric[far] = shapely.affinity.translate(metric[far], xoff=50)   # moved
    metric[near] = shapely.affinity.translate(metric[near], xoff=5)  # within 10 m: not moved
    reg["geometry"] = metric.to_crs(settings.STORAGE_CRS).values
    reg.loc[reg.index[2], "name"] = "改名后的日间照料中心"
    new = gpd.GeoDataFrame({"id": ["dc-new-1"], "name": ["新建日间照料中心"], "facility_type": ["day_care"],
                            "township_code": [CODE]}, geometry=[shapely.Point(110.79, 32.58)],
                           crs=settings.STORAGE_CRS).set_index("id", drop=False)
    reg = pd.concat([reg.drop(index=reg.index[3]), new])
    v = store.commit_layer("facilities:day_care", gpd.GeoDataFrame(reg, crs=settings.STORAGE_CRS))
    d = store.diff(0, v)
    assert d["layers"]["changed"] == ["facilities:day_care"]
    f = d["facilities"]
    assert [r["id"] for r in f["added"]] == ["dc-new-1"]
    removed = set(before.index) - set(reg.index)
    assert {r["id"] for r in f["removed"]} == removed and len(removed) == 473 - 29
    assert [r["id"] for r in f["moved"]] == [far] and 49 < f["moved"][0]["distance_m"] < 51
    assert [r["id"] for r in f["changed"]] == [reg.index[2]]
    assert d["townships"]["changed"] == [] and d["villages"]["moved"] == []
    back = store.diff(v, 0)["facilities"]
    assert [r["id"] for r in back["removed"]] == ["dc-new-1"] and len(back["added"]) == len(removed)


def test_township_boundaries_diff_rollback_and_the_approximation_returns(store, tmp_path):
    region0 = store.region()
    official = check_townships(region0, moved_boundary_file(tmp_path))
    v1 = store.commit_layer("townships", official, source_path=tmp_path / "townships.geojson",
                            author="planner", note="区划地名库边界")
    r1 = store.region()
    t = r1.townships
    assert r1.dataset_version == v1 == 1
    assert (t["geometry_quality"] == "official").all() and (t["geometry_source"] == "planner-supplied").all()
    meta = r1.provenance["layers"]["townships"]
    assert meta["geometry_quality"] == "official" and meta["supplied_by"] == "planner"
    assert meta["dataset_version"] == 1 and "townships.geojson" in meta["source"]
    assert t.loc[CODE, "area_km2"] > region0.townships.loc[CODE, "area_km2"] + 5  # grown by 300 m
    # villages stay inside their (new) townships
    v = r1.villages
    assert shapely.contains(t.loc[v["township_code"], "geometry"].values, v.geometry.values).all()

    d = store.diff(0, 1)
    assert d["layers"]["changed"] == ["townships"]
    assert [c["code"] for c in d["townships"]["changed"]] == [CODE]
    c = d["townships"]["changed"][0]
    assert c["geometry_quality_before"] == "approximate" and c["geometry_quality_after"] == "official"
    assert c["area_km2_after"] > c["area_km2_before"]
    assert len(d["townships"]["requalified"]) == 128

    v2 = store.rollback(0, author="planner", note="退回示意边界")
    assert v2 == 2 and store.current().version == 2
    row = store.current()
    assert (row.kind, row.target, row.parent) == ("rollback", 0, 1)
    assert row.replaced == [{"layer": "townships", "version": 1, "rows": 129}]
    r2 = store.region()
    assert r2.dataset_version == 2
    assert (r2.townships["geometry_quality"] == "approximate").all()
    assert r2.townships.geometry.equals(region0.townships.geometry)
    assert r2.provenance["layers"]["townships"]["geometry_quality"] == "approximate"
    assert store.diff(0, 2)["layers"]["changed"] == []
    # history is never rewritten: version 1 is still there and can be restored
    assert [v.version for v in store.versions()] == [0, 1, 2]
    store.rollback(1)
    assert (store.region().townships["geometry_quality"] == "official").all()


def test_a_second_township_import_overlays_the_first(store, tmp_path):
    region0 = store.region()
    one = check_townships(region0, moved_boundary_file(tmp_path))
    store.commit_layer("townships", one[one["code"] == CODE])
    t1 = store.region().townships
    assert t1.loc[CODE, "geometry_quality"] == "official"
    assert (t1.drop(index=CODE)["geometry_quality"] == "approximate").all()
    other = "420302002"
    store.commit_layer("townships", one[one["code"] == other])
    t2 = store.region().townships
    assert set(t2.index[t2["geometry_quality"] == "official"]) == {CODE, other}
    assert store.region().provenance["layers"]["townships"]["geometry_quality"] == "mixed"


def test_village_points_population_and_network(store, tmp_path):
    csv = tmp_path / "村庄.csv"
    csv.write_text("代码,经度,纬度\n420302001001,110.80,32.60\n", encoding="gbk")
    pts = check_villages(store.region(), csv)
    v = store.commit_layer("villages", pts, source_path=csv)
    vills = store.region().villages
    assert vills.loc["420302001001", "location_quality"] == "official"
    assert vills.loc["420302001001", "location_source"] == "planner-supplied"
    assert vills.loc["420302001001", "geometry"].equals(shapely.Point(110.80, 32.60))
    assert store.region().provenance["layers"]["villages"]["location_quality"] == "mixed"
    assert [m["code"] for m in store.diff(0, v)["villages"]["moved"]] == ["420302001001"]

    pop = pd.DataFrame({"code": ["420302001001", "420302001002"], "population": [5000, 4000],
                        "aged_60": [900, 800]})
    store.commit_layer("population", pop, note="2024年户籍人口")
    r = store.region()
    assert r.villages.loc["420302001001", "population"] == 5000
    assert r.villages.loc["420302001002", "aged_60"] == 800
    assert r.townships.loc[CODE, "population"] == r.villages.loc[
        r.villages["township_code"] == CODE, "population"].sum()
    # the table gave the total and aged 60+ only: those bands are official, 65+ and 80+ stay derived (QA 36)
    assert r.villages.loc["420302001001", "population_quality"] == "mixed"
    assert r.villages.loc["420302001001", population_quality_column("aged_60")] == "official"
    assert r.villages.loc["420302001001", population_quality_column("aged_80")] == "derived"
    assert store.diff(v, store.current().version)["population"]["changed"] == ["420302001001", "420302001002"]

    pbf = tmp_path / "roads.osm.pbf"
    pbf.write_bytes(b"not parsed here: the network build reads it")
    store.commit_layer("network", None, source_path=pbf)
    assert store.layer_path("network").name == "network.osm.pbf"
    assert store.layer_path("network").read_bytes() == pbf.read_bytes()
    assert store.layer_path("network", 0) is None


# -- refusals and integrity --------------------------------------------------------------
def test_refused_layers_leave_the_store_identical(store):
    store.commit_layer("facilities:day_care", day_care(store).iloc[:5])
    before = store.fingerprint()
    elderly = store.layers()["facilities"]
    elderly = elderly[elderly["facility_type"] == "elderly_complex"].copy()
    clash = day_care(store).iloc[:1].copy()
    clash["facility_type"] = "cemetery"
    with pytest.raises(InputDataError, match="another type"):  # an id of day care reused
        store.commit_layer("facilities:cemetery", clash)
    with pytest.raises(InputDataError, match="Unknown layer"):
        store.commit_layer("roads", elderly)
    with pytest.raises(InputDataError, match="another type"):
        store.commit_layer("facilities:day_care", elderly)
    bad = gpd.GeoDataFrame({"code": ["429999999"]}, geometry=[shapely.box(110, 32, 110.1, 32.1)], crs=4326)
    with pytest.raises(InputDataError, match="Unknown township code"):
        store.commit_layer("townships", bad)
    dup = pd.concat([elderly.iloc[:1], elderly.iloc[:1]])
    with pytest.raises(InputDataError, match="Duplicate facility id"):
        store.commit_layer("facilities:elderly_complex", dup)
    assert store.fingerprint() == before and store.current().version == 1


def test_preview_writes_nothing_and_says_what_would_change(store):
    before = store.fingerprint()
    p = store.preview("facilities:day_care", day_care(store).iloc[:3])
    assert p["from"] == 0 and p["to"] is None
    assert len(p["facilities"]["removed"]) == 470 and p["facilities"]["added"] == []
    assert store.fingerprint() == before


def test_versions_whose_files_are_missing_are_marked_and_never_current(store, var_dir):
    store.commit_layer("facilities:day_care", day_care(store).iloc[:5])
    store.commit_layer("facilities:cemetery", store.layers()["facilities"].query("facility_type == 'cemetery'").iloc[:2])
    assert store.current().version == 2
    (store.root / "2" / "facilities-cemetery.geojson").unlink()
    again = DatasetStore(var_dir / "proposals.sqlite", region="shiyan")
    status = {v.version: v.status for v in again.versions()}
    assert status == {0: "ok", 1: "ok", 2: "missing"}
    assert again.current().version == 1
    with pytest.raises(CoverplanError, match="missing"):
        again.layers(2)
    # a file changed by hand is caught by its hash
    layer = again.root / "1" / "facilities-day_care.geojson"
    layer.write_bytes(layer.read_bytes().replace(b"day_care", b"day_caro"))
    with pytest.raises(CoverplanError, match="missing or changed"):
        DatasetStore(var_dir / "proposals.sqlite", region="shiyan").layers()


# -- a crash during a commit ---------------------------------------------------------------
CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from geo.datasets import DatasetStore
    store = DatasetStore(Path(sys.argv[1]), region="shiyan")
    f = store.layers()["facilities"]
    reg = f[f["facility_type"] == "day_care"].iloc[:40]
    store.commit_layer("facilities:day_care", reg, source_path=Path(sys.argv[2]), note="killed")
    print("committed", flush=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
@pytest.mark.parametrize("point", ["partial", "staged", "renamed"])
def test_a_process_killed_during_an_import_leaves_the_previous_version(store, var_dir, tmp_path, point):
    first = day_care(store).iloc[:10]
    src = register_file(tmp_path, first)
    assert store.commit_layer("facilities:day_care", first, source_path=src) == 1
    before, layer_sha = store.fingerprint(), sha(store.layer_path("facilities:day_care"))

    env = dict(os.environ, COVERPLAN_VAR=str(var_dir), **{TEST_PAUSE_ENV: point})
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(var_dir / "proposals.sqlite"), str(src)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        line = ""
        while time.time() < deadline and "paused at" not in line:
            line = child.stderr.readline()
            if not line and child.poll() is not None:
                break
        assert f"paused at {point}" in line, child.stderr.read()
        leftovers = [p.name for p in store.root.iterdir()]
        assert (point == "renamed") == ("2" in leftovers)  # the files were there when it died
        assert (point != "renamed") == any(n.startswith(".tmp-") for n in leftovers)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    reopened = DatasetStore(var_dir / "proposals.sqlite", region="shiyan")
    assert [v.version for v in reopened.versions()] == [0, 1]
    assert reopened.current().version == 1
    # no temp dir, no half version: a version folder the database does not know is set aside, never
    # deleted (.orphan-2-...); the folder's mark names its database (geo.datasets.ROOT_MARK)
    names = sorted(p.name for p in reopened.root.iterdir())
    assert [n for n in names if not n.startswith(".")] == ["1"] and ".coverplan-store" in names
    assert not any(n.startswith(".tmp-") for n in names)
    assert (point == "renamed") == any(n.startswith(".orphan-2-") for n in names)
    assert sha(reopened.layer_path("facilities:day_care")) == layer_sha
    assert reopened.fingerprint() == before
    assert len(day_care(reopened)) == 10
    # and the store still works
    assert reopened.commit_layer("facilities:day_care", day_care(reopened).iloc[:3]) == 2


def test_unchanged_by_tells_the_same_data_from_a_change(store):
    """unchanged_by: the same layer again names the current version; any change, or v0, gives None."""
    reg = day_care(store).iloc[:20]
    assert store.unchanged_by("facilities:day_care", reg) is None   # v0 is built in: no file to match
    v = store.commit_layer("facilities:day_care", reg)
    assert store.unchanged_by("facilities:day_care", reg) == v
    assert store.unchanged_by("facilities:day_care", reg.iloc[::-1]) == v   # row order does not matter
    moved = reg.copy()
    moved.loc[moved.index[0], "name"] = "改名后的中心"
    assert store.unchanged_by("facilities:day_care", moved) is None
    assert store.unchanged_by("facilities:day_care", reg.iloc[:19]) is None
    assert store.unchanged_by("no-such-layer", reg) is None            # the commit says what is wrong
    assert store.current().version == v                               # asking writes nothing


def test_unchanged_by_compares_the_data_not_the_file_it_came_in(store):
    """The register's own export imported again was not "the same data": the file had another name, its
    rows other numbers, and it carried the export's 来源 and 示意 columns. The data is compared now:
    place (to 0.1 m, the export's six decimals), the fields the app reads, shows and exports, capacities."""
    import numpy as np
    import shapely

    reg = day_care(store).iloc[:12].copy()
    reg["day_places"] = 20.0
    v = store.commit_layer("facilities:day_care", reg)
    again = reg.copy()
    again["source"], again["source_row"] = "export.xlsx", np.arange(3, 15)
    again["来源"], again["示意"] = "规划人员提供", "否"
    again["operator"] = ""                                   # an empty column is no data
    again = again.set_geometry(shapely.points(np.round(reg.geometry.x, 6), np.round(reg.geometry.y, 6)))
    assert store.unchanged_by("facilities:day_care", again, "export.xlsx") == v
    for col, value in (("address", "新地址"), ("day_places", 25.0), ("day_places", np.nan), ("beds", 5.0),
                       ("synthetic", not bool(reg["synthetic"].iloc[3]))):
        changed = again.copy()
        changed.loc[changed.index[3], col] = value
        assert store.unchanged_by("facilities:day_care", changed, "export.xlsx") is None, (col, value)
    moved = again.copy()
    moved.geometry = moved.geometry.translate(xoff=2e-6)     # about 0.2 m east
    assert store.unchanged_by("facilities:day_care", moved, "export.xlsx") is None


def test_an_edit_built_on_an_older_version_is_refused_and_writes_nothing(store):
    """Two server processes editing at once: the one that commits second built its layer on a
    version that is no longer current; it is refused (DataChanged), not written over the first."""
    from geo.errors import DataChanged

    reg = day_care(store)
    store.commit_layer("facilities:day_care", reg.iloc[:30], kind="edit", base=0)   # base 0: the embedded default
    with pytest.raises(DataChanged) as err:
        store.commit_layer("facilities:day_care", reg.iloc[:10], kind="edit", base=0)
    assert err.value.details == {"base": 0, "current": 1}
    assert "版本 1" in err.value.message("zh") and "Reload" in err.value.message("en")
    assert [v.version for v in store.versions()] == [0, 1] and store.current().version == 1
    assert len(day_care(store)) == 30
    assert store.commit_layer("facilities:day_care", reg.iloc[:10], kind="edit", base=1) == 2


def test_a_copy_of_the_database_or_a_neighbour_never_takes_the_folder(tmp_path):
    """A copy of the database beside it has its token: it was let in, and its clean-up deleted the live
    database's version 1 (review of QA 17). A second database in the same folder rewrote the mark of a
    folder that held no version yet, and the server's next commit went into a folder it no longer owned."""
    import shutil as _shutil

    from geo.errors import InputDataError as _Err

    folder = tmp_path / "var"
    live = DatasetStore(folder / "proposals.sqlite", region="shiyan")
    other_db = folder / "other.sqlite"
    with pytest.raises(_Err, match="another database"):          # nothing committed yet: still the live one's
        DatasetStore(other_db, region="shiyan")
    assert live.commit_layer("facilities:day_care", day_care(live).iloc[:5]) == 1
    _shutil.copyfile(folder / "proposals.sqlite", folder / "copy.sqlite")
    with pytest.raises(_Err, match="another database"):
        DatasetStore(folder / "copy.sqlite", region="shiyan")
    again = DatasetStore(folder / "proposals.sqlite", region="shiyan")
    assert [(v.version, v.status) for v in again.versions()] == [(0, "ok"), (1, "ok")]
    # a read-only listing of the live database writes and moves nothing
    before = again.fingerprint()
    assert DatasetStore(folder / "proposals.sqlite", region="shiyan", readonly=True).current().version == 1
    assert again.fingerprint() == before
