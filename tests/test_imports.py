"""A planner's official township boundaries and village coordinates replace the approximations."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from cli.main import main
from geo import settings
from geo.errors import InputDataError
from geo.imports import import_townships, import_villages
from geo.regions import load_region

CODE = "420302001"  # 武当路街道


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    yield tmp_path


def _current(name="shiyan"):
    """The region at the store's current data version: an import is a data version (QA 27), never an
    overlay load_region applies (it was, on version 0 only, and lost once any version existed)."""
    from geo.datasets import DatasetStore, default_db_path
    return DatasetStore(default_db_path(), region=name).region()


def _official_polygon(region):
    """A stand-in 'official' boundary: the approximate one grown by 1 km inside its county."""
    t = region.townships.to_crs(settings.METRIC_CRS)
    c = region.counties.to_crs(settings.METRIC_CRS)
    grown = t.loc[CODE, "geometry"].buffer(1000).intersection(c.loc[CODE[:6], "geometry"])
    return gpd.GeoDataFrame({"代码": [CODE + "000"]}, geometry=[grown], crs=settings.METRIC_CRS)


def test_township_import_is_official_and_keeps_the_tiling(var_dir):
    region = load_region("shiyan")
    path = var_dir / "official.geojson"
    _official_polygon(region).to_file(path, driver="GeoJSON")  # UTM CRS in the file: converted
    summary = import_townships(region, path)
    assert summary["imported"] == 1 and summary["version"] == 1
    assert load_region("shiyan").townships.loc[CODE, "geometry_quality"] == "approximate"  # version 0 as shipped
    after = _current()
    t = after.townships
    assert t.loc[CODE, "geometry_quality"] == "official"
    assert (t.drop(index=CODE)["geometry_quality"] == "approximate").all()
    assert after.provenance["layers"]["townships"]["geometry_quality"] == "mixed"
    # the neighbours gave way: still no overlaps, union still the county
    m = t[t["county_code"] == CODE[:6]].to_crs(settings.METRIC_CRS)
    county = after.counties.to_crs(settings.METRIC_CRS).loc[CODE[:6], "geometry"]
    assert abs(m.area.sum() - county.area) / county.area < 0.001
    seats = shapely.points(t["seat_lon"], t["seat_lat"])
    assert shapely.contains(t.geometry.values, seats).all()
    v = after.villages
    assert shapely.contains(t.loc[v["township_code"], "geometry"].values, v.geometry.values).all()
    # census sums untouched
    assert int(v["aged_60"].sum()) == 610_589


def test_village_import_marks_official_points(var_dir):
    region = load_region("shiyan")
    path = var_dir / "villages.csv"
    path.write_text("code,lon,lat\n420302001001,110.80,32.60\n", encoding="utf-8")
    assert import_villages(region, path)["version"] == 1
    v = _current().villages
    assert v.loc["420302001001", "location_quality"] == "official"
    assert v.loc["420302001001", "geometry"].equals(shapely.Point(110.80, 32.60))
    assert (v.drop(index="420302001001")["location_quality"] == "synthetic").all()


def test_bad_imports_are_refused_with_reasons(var_dir):
    region = load_region("shiyan")
    bad = _official_polygon(region)
    bad["代码"] = ["429999999"]
    bad.to_file(var_dir / "bad.geojson", driver="GeoJSON")
    with pytest.raises(InputDataError) as e:
        import_townships(region, var_dir / "bad.geojson")
    assert "unknown township code" in e.value.message("en") and "未知的乡镇代码" in e.value.message("zh")
    shifted = _official_polygon(region).to_crs(settings.STORAGE_CRS)
    shifted["geometry"] = shifted.geometry.translate(xoff=2.0)  # 2 degrees east: wrong CRS
    shifted.to_file(var_dir / "shifted.geojson", driver="GeoJSON")
    with pytest.raises(InputDataError) as e:
        import_townships(region, var_dir / "shifted.geojson")
    assert "outside their county" in e.value.message("en")
    (var_dir / "v.csv").write_text("code,lon,lat\n420302999999,110.8,32.6\n", encoding="utf-8")
    with pytest.raises(InputDataError):
        import_villages(region, var_dir / "v.csv")
    # a table without shapes as township boundaries (it was an AttributeError, a 500 on the web)
    (var_dir / "t.csv").write_text("code,name,population\n420302001,武当路街道,1000\n420302002,二堰街道,2000\n",
                                   encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        import_townships(region, var_dir / "t.csv")
    assert "no geometries" in e.value.message("en") and "没有几何图形" in e.value.message("zh")


def test_cli_import_and_reset(var_dir, capsys):
    region = load_region("shiyan")
    path = var_dir / "official.geojson"
    _official_polygon(region).to_file(path, driver="GeoJSON")
    assert main(["region", "import", "--townships", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imports"][0]["imported"] == 1
    assert main(["region", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["provenance"]["townships"]["geometry_quality"] == "mixed"
    assert main(["region", "import", "--reset", "--json"]) == 0
    capsys.readouterr()
    assert main(["region", "info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["provenance"]["townships"]["geometry_quality"] == "approximate"


def test_cli_import_says_what_it_did_in_words(var_dir, capsys):
    """It printed a Python dict ({'layer': 'villages', 'imported': 1, ...}) in both languages (QA 14)."""
    region = load_region("shiyan")
    path = var_dir / "official.geojson"
    _official_polygon(region).to_file(path, driver="GeoJSON")
    assert main(["region", "import", "--townships", str(path)]) == 0
    out = capsys.readouterr().out
    assert "已从 official.geojson 导入乡镇（街道）边界：文件 1 行中 1 行。" in out and "{" not in out, out
    assert main(["--lang", "en", "region", "import", "--reset"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Imported township boundaries and village points cleared") and "{" not in out, out


def test_a_register_given_as_villages_is_not_called_unknown_codes(var_dir):
    """Its 名称 column was read as codes: "2 unknown village code(s): 测试日间照料中心, …" (QA 14)."""
    from geo.imports import import_villages

    region = load_region("shiyan")
    path = var_dir / "reg.csv"
    path.write_text("名称,类型,经度,纬度\n测试日间照料中心,日照中心,110.79,32.65\n第二中心,日照中心,110.8,32.65\n",
                    encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        import_villages(region, path)
    assert "no village codes" in e.value.message("en") and "这是村（社区）点位文件吗" in e.value.message("zh")
    assert "code,lon,lat" in e.value.hint_en


def test_a_village_file_is_told_all_its_problems_at_once_by_its_own_column(var_dir):
    """One problem a round trip (duplicate, then out of the region, then non-numeric), and "duplicate id"
    where the file's column is "code" (QA 14)."""
    from geo.imports import import_villages

    region = load_region("shiyan")
    v = region.villages.iloc[:2]
    code0, code1 = v.index[0], v.index[1]
    x, y = v.geometry.iloc[0].x, v.geometry.iloc[0].y
    path = var_dir / "v.csv"
    code2 = region.villages.index[2]
    g2 = region.villages.geometry.iloc[2]
    path.write_text(f"code,lon,lat\n{code0},{x},{y}\n{code0},{x + 0.01},{y}\n{code1},abc,{y}\n{code1},116.4,39.9\n"
                    f"{code2},{g2.x},{g2.y}\n", encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        import_villages(region, path)
    en = e.value.message("en")
    assert "4 rows cannot be imported" in en and "row 4: non-numeric lon/lat: abc" in en, en
    # a village on two rows: both refused, each naming both (F5: the first won silently)
    assert "row 5: point outside the region" in en and f"row 3: village {code0} is on rows 2 and 3" in en, en
    assert f"row 2: village {code0} is on rows 2 and 3: neither is imported" in en, en
    assert "第 3 行：村（社区）" in e.value.message("zh")
    assert [p["row"] for p in e.value.details["problems"]] == [2, 3, 4, 5]  # file lines, the header line 1
