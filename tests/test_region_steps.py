"""The steps of the Shiyan region build, one by one (``geo.build_region.shiyan``).

``build`` only calls these in order (test_region.py checks the whole build is
byte-identical); here each step is checked on its own.
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import shapely

from geo import settings
from geo.build_region import shiyan as steps
from geo.build_region.population import BANDS
from geo.regions import region_dir

SOURCE = settings.DATA_DIR / "regions" / "shiyan" / "source"
# 2020 census (NBS county tabulation): population, 60+, 65+, 80+ (as in test_region.py)
CENSUS = {
    "420302": (601548, 70879, 49779, 7322), "420303": (431859, 65233, 48586, 8400),
    "420304": (395222, 91321, 69065, 8694), "420322": (371012, 80649, 61375, 7547),
    "420323": (346069, 74868, 56404, 7995), "420324": (283578, 61072, 45855, 5807),
    "420325": (369776, 86653, 62933, 8387), "420381": (409940, 79914, 57980, 7485),
}


@pytest.fixture(scope="module")
def src():
    return steps.read_sources(SOURCE)


def test_read_sources_counts_and_order(src):
    assert len(src.counties) == 8 and len(src.towns) == 129 and len(src.vills) == 1979
    assert list(src.counties["code"]) == sorted(CENSUS)
    assert src.towns["code"].is_monotonic_increasing and src.vills["code"].is_monotonic_increasing
    assert len(src.names_en) == 8 and all(n and n.isascii() for n in src.names_en)
    assert src.counties_m.crs == settings.METRIC_CRS and src.census["population"].dtype == np.int64
    assert set(src.seats.index) == set(CENSUS)


def test_english_names_must_match_the_chinese(tmp_path, src):
    """A stale table of English names fails the build instead of mislabelling a county."""
    shutil.copytree(SOURCE, tmp_path, dirs_exist_ok=True)
    names = tmp_path / "county_names_en.csv"
    first = src.counties["name"].iloc[0]
    names.write_text(names.read_text(encoding="utf-8").replace(first, first + "X", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="no English name"):
        steps.read_sources(tmp_path)


def test_county_layer_carries_the_census(src):
    c = steps.county_layer(src).set_index("code")
    for code, figures in CENSUS.items():
        assert tuple(int(c.loc[code, b]) for b in BANDS) == figures
    assert (c["geometry_quality"] == "official").all() and abs(c["area_km2"].sum() - 23680) / 23680 < 0.01


def test_classify_villages_keeps_the_nbs_kind(src):
    v = steps.classify_villages(src.vills)
    assert set(v["kind"]) == {"community", "village"}
    assert (v["nbs_kind"] == src.vills["kind"]).all()
    assert "nbs_kind" not in src.vills     # the source table is left as read


def test_split_population_sums_to_the_census_exactly(src):
    vills, towns = steps.split_population(steps.classify_villages(src.vills), src.towns, src.census)
    assert len(vills) == 1979 and len(towns) == 129
    for code, figures in CENSUS.items():
        for band, value in zip(BANDS, figures):
            assert int(vills.loc[vills["county_code"] == code, band].sum()) == value, (code, band)
            assert int(towns.loc[towns["county_code"] == code, band].sum()) == value, (code, band)
    assert int(vills["population"].sum()) == 3_209_004
    assert (vills["population"] >= vills["aged_60"]).all() and (vills["aged_65"] >= vills["aged_80"]).all()


def test_provenance_counts_the_layers(tmp_path, src):
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    layers = {"counties": steps.county_layer(src), "townships": range(129), "villages": range(1979),
              "facilities": range(5), "scenic_areas": range(2)}
    summary = steps.provenance(layers, tmp_path)
    assert {k: summary["layers"][k].get("count") for k in layers} == \
        {"counties": 8, "townships": 129, "villages": 1979, "facilities": 5, "scenic_areas": 2}
    assert list(summary["sources_sha256"]) == ["a.csv"]
    assert summary["layers"]["villages"]["synthetic"] and "示意" in summary["layers"]["facilities"]["source"]


@pytest.mark.slow
def test_partition_and_villages_steps_give_the_shipped_layers(tmp_path, src):
    towns = steps.partition_townships(src)
    assert len(towns.geoms) == 129 and all(towns.seat_method)
    for code, county in src.counties_m.set_index("code").geometry.items():
        mine = [g for g, c in zip(towns.geoms, towns.table["county_code"]) if c == code]
        assert abs(sum(g.area for g in mine) - county.area) / county.area < 0.001, code
    vills = steps.place_villages(src.vills, towns)
    geom_of = dict(zip(towns.table["code"], towns.geoms))
    polys = [geom_of[t] for t in vills["township_code"]]
    assert shapely.contains_xy(np.array(polys), vills["x"], vills["y"]).all()

    vills, table = steps.split_population(vills, towns.table, src.census)
    t_out = steps.township_layer(table, towns.geoms, towns.seat_method)
    layers = {"counties": steps.county_layer(src), "townships": t_out, "villages": steps.village_layer(vills),
              "facilities": steps.facility_layer(table, vills, towns.geoms), "scenic_areas": steps.scenic_layer(src.scenic, t_out)}
    steps.write(layers, steps.provenance(layers, SOURCE), tmp_path)
    shipped = region_dir("shiyan") / "build"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in shipped.iterdir())
    for name in names:   # the steps, called by hand, write exactly the files the app reads
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name
