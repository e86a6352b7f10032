"""QA 24 (data store): a township upload's report built the candidate layers twice (the diff, then
"is it the same data?"), now once (``DatasetStore.import_check``), with the same answers; and the
data page's diff named changed townships without saying by how much their areas changed (the
CLI's diff gives the areas)."""
from __future__ import annotations

import pytest

from geo import settings
from geo.datasets import DatasetStore
from geo.imports import check_townships
from geo.regions import load_region
from web.data import diff_lines

CODE = "420302001"  # 武当路街道


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    yield DatasetStore(tmp_path / "var" / "proposals.sqlite", region="shiyan")


def _grown(tmp_path, metres: float):
    t = load_region("shiyan", imports=False).townships[["code", "geometry"]].reset_index(drop=True)
    m = t.to_crs(settings.METRIC_CRS)
    m = m[m["code"] == CODE]
    m["geometry"] = m.buffer(metres)
    path = tmp_path / "townships.geojson"
    m.to_file(path, driver="GeoJSON")
    return path


def test_one_build_gives_the_preview_and_the_unchanged_answer(store, tmp_path, monkeypatch):
    path = _grown(tmp_path, 400)
    gdf = check_townships(store.region(), path)
    builds = []
    real = DatasetStore._build
    monkeypatch.setattr(DatasetStore, "_build", lambda self, *a, **k: builds.append(1) or real(self, *a, **k))
    diff, same = store.import_check("townships", gdf, path.name)
    assert len(builds) == 1
    assert same is None  # a new boundary: not the current data
    assert diff == store.preview("townships", gdf, path.name)
    changed = {r["code"]: r for r in diff["townships"]["changed"]}
    assert CODE in changed and changed[CODE]["area_km2_after"] > changed[CODE]["area_km2_before"]
    assert len(changed) >= 2  # the neighbours it grew into gave way
    # committed, the same file again is the current version, from one build too
    v = store.commit_layer("townships", gdf, source_path=path)
    builds.clear()
    diff2, same2 = store.import_check("townships", gdf, path.name)
    assert same2 == v == store.unchanged_by("townships", gdf, path.name)
    assert len(builds) == 2 and diff2["townships"]["changed"] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_web_diff_gives_each_changed_townships_area(lang):
    d = {"townships": {"changed": [{"code": CODE, "name": "武当路街道", "area_km2_before": 12.345,
                                    "area_km2_after": 14.01}, {"code": "420302002", "name": "二堰街道"}]}}
    line, = diff_lines(d, lang)
    if lang == "en":
        assert line == "2 township boundaries changed: 武当路街道 (12.3 → 14.0 km²), 二堰街道"
    else:
        assert line == "乡镇边界变化 2 个：武当路街道（12.3→14.0 平方千米）、二堰街道"


def test_a_character_past_ffff_is_written_with_eight_digits():
    from planner.textrules import code_point, escaped
    assert code_point("\U000e0041") == "\\U000e0041" and code_point("\u202e") == "\\u202e"
    # "\ue0041" read as U+E004 followed by a 1
    assert escaped("甲\U000e0041乙") == "甲\\U000e0041乙"
