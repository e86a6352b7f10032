"""QA 26 (importing a bureau's own layers): a township boundary with a NaN or Infinity coordinate crashed the
check (shapely's "orientationIndex encountered NaN/Inf numbers": a 500 on the data page, a traceback from
`coverplan data import townships` and `coverplan region import --townships`); a facility register feature
that is a polygon with a NaN vertex was accepted at its first vertex, and one with no area (all its vertices
the same) at that point; and a coordinate of 1e300 was echoed as a 301-digit number."""
from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from conftest import SameOriginClient
from geo.errors import InputDataError
from geo.imports import check_townships
from planner.register import validate_register
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run

TOWN = "420302001"
#: the QA's ring: its second vertex's longitude is replaced by the value under test (written as JSON has it)
RING = "[[110.7,32.5],[{x},32.6],[110.8,32.6],[110.7,32.5]]"
#: a U-shaped (concave) polygon in 茅箭区: its centroid lies outside it, its first vertex on its edge
U_SHAPE = [(110.76, 32.62), (110.80, 32.62), (110.80, 32.66), (110.79, 32.66), (110.79, 32.63), (110.77, 32.63),
           (110.77, 32.66), (110.76, 32.66), (110.76, 32.62)]


def _township_text(x: str, code: str = TOWN) -> str:
    """A township GeoJSON of one feature (``code``) whose second vertex has longitude ``x`` (raw JSON text:
    NaN and Infinity are not JSON, but GDAL reads them)."""
    return ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"%s"},'
            '"geometry":{"type":"Polygon","coordinates":[%s]}}]}' % (code, RING.format(x=x)))


def _write(tmp_path: Path, text: str, name: str = "t.geojson") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _register_text(geometry: str, name: str = "a") -> str:
    return ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"名称":"%s","类型":"公墓"},'
            '"geometry":%s}]}' % (name, geometry))


@pytest.fixture()
def app(tmp_path, var):  # noqa: F811  (var: the data store the uploads write to)
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


# -- 1. a township boundary with a coordinate that is no finite number ---------------------------------------
@pytest.mark.parametrize("x, shown", [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity")])
def test_a_township_vertex_that_is_no_finite_number_is_refused_naming_the_feature(shiyan, tmp_path, x, shown):
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, _write(tmp_path, _township_text(x)))
    e = exc.value
    assert TOWN in e.en and TOWN in e.zh
    assert "not a finite number" in e.en and "vertex 2" in e.en and shown in e.en, e.en
    assert "不是有限的数" in e.zh and "第 2 个顶点" in e.zh and shown in e.zh, e.zh
    assert e.details["not_finite"] == [TOWN]
    assert "GIS" in e.hint_en and "GIS" in e.hint_zh


def test_every_problem_of_the_file_is_said_with_the_one_not_finite(shiyan, tmp_path):
    """The other features are still checked: an unknown code and a degenerate ring of the same file are said
    in the same message, and the good feature is not named."""
    good = json.loads(json.dumps(shapely.geometry.mapping(shiyan.townships.loc[TOWN, "geometry"])))
    text = ('{"type":"FeatureCollection","features":['
            '{"type":"Feature","properties":{"code":"%s"},"geometry":%s},'
            '{"type":"Feature","properties":{"code":"420302002"},"geometry":{"type":"Polygon","coordinates":[%s]}},'
            '{"type":"Feature","properties":{"code":"420302100"},"geometry":{"type":"Polygon","coordinates":'
            '[[[110.7,32.5],[110.7,32.5],[110.7,32.5],[110.7,32.5]]]}},'
            '{"type":"Feature","properties":{"code":"420302999"},"geometry":%s}]}'
            % (TOWN, json.dumps(good), RING.format(x="NaN"), json.dumps(good)))
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, _write(tmp_path, text))
    e = exc.value
    assert e.details["not_finite"] == ["420302002"]
    assert e.details["tiny_polygons"] == ["420302100"] and e.details["unknown"] == ["420302999"]


def test_a_geopackage_township_with_a_nan_vertex_is_refused_too(shiyan, tmp_path):
    path = tmp_path / "t.gpkg"
    poly = shapely.Polygon([(110.7, 32.5), (float("nan"), 32.6), (110.8, 32.6), (110.7, 32.5)])
    gpd.GeoDataFrame({"code": [TOWN]}, geometry=[poly], crs="EPSG:4326").to_file(path, driver="GPKG")
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, path)
    assert "not a finite number" in exc.value.en and TOWN in exc.value.en and "NaN" in exc.value.en


@pytest.mark.parametrize("lang, words", [("zh", ("420302001", "不是有限的数", "NaN")),
                                         ("en", ("420302001", "not a finite number", "NaN"))])
@pytest.mark.parametrize("x", ["NaN", "Infinity"])
def test_the_data_page_answers_400_naming_the_feature(app, lang, words, x):
    c = SameOriginClient(app)
    r = c.post(f"/api/data/uploads?lang={lang}", content_type="multipart/form-data",
               data={"kind": "townships", "coords": "wgs84",
                     "file": (io.BytesIO(_township_text(x).encode()), "t_nan.geojson")})
    assert r.status_code == 400, r.data[:500]
    message = r.get_json()["message"]
    words = words if x == "NaN" else (*words[:2], "Infinity")
    assert all(w in message for w in words), message
    if lang == "en":
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in message), message


@pytest.mark.parametrize("lang, word", [("zh", "不是有限的数"), ("en", "not a finite number")])
@pytest.mark.parametrize("how", ["data", "region"])
def test_the_cli_refuses_it_without_a_traceback(shiyan, tmp_path, var, capsys, lang, word, how):  # noqa: F811
    path = _write(tmp_path, _township_text("NaN"))
    argv = (("data", "import", "townships", str(path), "--dry-run") if how == "data"
            else ("region", "import", "--townships", str(path)))
    code, out, err = run(capsys, "--lang", lang, *argv)
    assert code == 2 and "Traceback" not in err and "GEOSException" not in err, err
    assert word in err and TOWN in err, err
    assert not (var / "regions" / "shiyan").exists() or not any((var / "regions" / "shiyan").iterdir())


# -- 2. a register feature that is a polygon --------------------------------------------------------------
def test_a_register_polygon_with_a_nan_vertex_is_refused(shiyan, tmp_path):
    path = _write(tmp_path, _register_text('{"type":"Polygon","coordinates":[%s]}' % RING.format(x="NaN")),
                  "f.geojson")
    report = validate_register(path, region=shiyan, type_key="cemetery")
    assert report.refused_rows == [1] and len(report.accepted) == 0
    issue = next(i for i in report.issues if i.row == 1 and i.severity == "error")
    assert "not a finite number" in issue.message_en and "NaN" in issue.message_en and "vertex 2" in issue.message_en
    assert "不是有限的数" in issue.message_zh and "第 2 个顶点" in issue.message_zh
    assert issue.fix_en and issue.fix_zh
    assert not any(i.code == "not_point" for i in report.issues)  # not "a point inside it is used"


@pytest.mark.parametrize("ring", [
    [[110.78, 32.63]] * 4,                                              # every vertex the same
    [[110.76, 32.62], [110.78, 32.63], [110.80, 32.64], [110.76, 32.62]]])  # on one line
def test_a_register_polygon_without_area_is_refused(shiyan, tmp_path, ring):
    path = _write(tmp_path, _register_text(json.dumps({"type": "Polygon", "coordinates": [ring]})), "f.geojson")
    report = validate_register(path, region=shiyan, type_key="cemetery")
    assert report.refused_rows == [1]
    issue = next(i for i in report.issues if i.row == 1 and i.severity == "error")
    assert "no area" in issue.message_en and "面积" in issue.message_zh


@pytest.mark.parametrize("ring", [
    U_SHAPE,
    # a bow tie (its signed area is 0): repaired, not refused, and the point lies in one of its halves
    [(110.76, 32.62), (110.80, 32.66), (110.80, 32.62), (110.76, 32.66), (110.76, 32.62)]])
def test_a_register_polygon_is_placed_at_a_point_inside_it(shiyan, tmp_path, ring):
    geom = {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}
    path = _write(tmp_path, _register_text(json.dumps(geom)), "f.geojson")
    report = validate_register(path, region=shiyan, type_key="cemetery")
    assert report.refused_rows == [] and len(report.accepted) == 1
    point = report.accepted.geometry.iloc[0]
    assert shapely.make_valid(shapely.Polygon(ring)).contains(point), point
    assert (point.x, point.y) != tuple(ring[0])
    assert any(i.code == "not_point" for i in report.issues)


def test_the_data_page_refuses_the_polygon_row(app):
    c = SameOriginClient(app)
    for lang, word in (("zh", "不是有限的数"), ("en", "not a finite number")):
        text = _register_text('{"type":"Polygon","coordinates":[%s]}' % RING.format(x="NaN"))
        r = c.post(f"/api/data/uploads?lang={lang}", content_type="multipart/form-data",
                   data={"kind": "facilities", "type": "cemetery", "coords": "wgs84",
                         "file": (io.BytesIO(text.encode()), "f.geojson")})
        assert r.status_code == 200, r.data[:500]
        issues = r.get_json()["issues"]
        assert [i["severity"] for i in issues if i["row"] == 1] == ["error"], issues
        assert word in issues[0]["message"] and "NaN" in issues[0]["message"], issues


# -- 3. a huge coordinate shown compactly ----------------------------------------------------------------
def test_huge_numbers_are_shown_compactly():
    from geo.points import plain_number as shown_number

    assert shown_number(1e300) == "1e+300" and shown_number(-2.5e20) == "-2.5e+20"
    assert shown_number(12333273.4) == "12333273" and shown_number(110.791674) == "110.791674"
    assert shown_number(float("nan")) == "NaN" and shown_number(float("-inf")) == "-Infinity"


def test_a_township_coordinate_of_1e300_is_shown_compactly(shiyan, tmp_path):
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, _write(tmp_path, _township_text("1e300")))
    e = exc.value
    assert "1e+300" in e.en and "1e+300" in e.zh
    assert "0000000000" not in e.en and "0000000000" not in e.zh and len(e.en) < 1000


def test_a_township_coordinate_of_1e300_under_a_lon_lat_crs_is_shown_compactly(shiyan, tmp_path):
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, _write(tmp_path, _township_text("1e300")), crs="EPSG:4326")
    assert "1e+300" in exc.value.en and "0000000000" not in exc.value.zh


def test_a_register_point_of_1e300_is_shown_compactly(shiyan, tmp_path):
    # two good points beside it: the file is read and the row refused alone (one of one is the file's CRS)
    feats = [{"type": "Feature", "properties": {"名称": n, "类型": "公墓"},
              "geometry": {"type": "Point", "coordinates": [x, 32.63]}} for n, x in (("b", 110.78), ("c", 110.79))]
    text = _register_text('{"type":"Point","coordinates":[1e300,32.6]}')
    doc = json.loads(text)
    doc["features"] += feats
    path = _write(tmp_path, json.dumps(doc, ensure_ascii=False), "f.geojson")
    report = validate_register(path, region=shiyan, type_key="cemetery")
    issue = next(i for i in report.issues if i.row == 1 and i.severity == "error")
    assert "1e+300" in issue.message_en and "0000000000" not in issue.message_zh + issue.value, issue
