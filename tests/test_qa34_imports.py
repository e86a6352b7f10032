"""QA 34 (fixer F5): a village file's code columns merged as a township file's, and its datum told by its points.

- A village file with two code columns (村代码 and code, 代码 and village_code; a GeoJSON whose features name the
  code differently) read one of them and refused the other's rows as "empty code": each row's code is now taken
  from whichever column has it, a row whose two columns give two codes is refused naming the row, both columns and
  both values, and a township's code column (乡镇代码, or a 代码 of township codes) is never a village's code.
- A GCJ-02 (or BD-09) village file without a header naming its datum was read as WGS84 under --coords auto without
  a word: the points are now compared with the polygons their codes claim (official county boundaries, official
  township ones) and with the villages' official points where there are some, and the datum suggested.
"""
from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from pathlib import Path

import prcoords
import pytest

from geo.errors import InputDataError
from geo.imports import check_villages, village_placement_issues
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run
from test_qa27_provenance import upload

TOWN = "420302001"


def _villages(shiyan, n: int = 4, town: str = TOWN):
    v = shiyan.villages[shiyan.villages["township_code"].astype(str) == town].iloc[:n]
    return [(str(c), f"{r.geometry.x:.7f}", f"{r.geometry.y:.7f}") for c, r in v.iterrows()]


def _csv(tmp_path, header: str, rows, name: str = "v.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n", encoding="utf-8")
    return path


def _geojson(tmp_path, props, rows, name: str = "v.geojson") -> Path:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": {"type": "Point", "coordinates": [float(x), float(y)]}}
        for p, (_, x, y) in zip(props, rows)]}
    path = tmp_path / name
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path


# -- 1. two code columns --------------------------------------------------------------------------------------
@pytest.mark.parametrize("a,b", [("村代码", "code"), ("代码", "village_code"), ("code", "村（社区）代码")])
def test_a_village_table_takes_each_rows_code_from_whichever_code_column_has_it(shiyan, tmp_path, a, b):
    rows = _villages(shiyan)
    split = [(c if i % 2 else "", "" if i % 2 else c, x, y) for i, (c, x, y) in enumerate(rows)]
    pts = check_villages(shiyan, _csv(tmp_path, f"{a},{b},经度,纬度", split))
    assert list(pts["code"]) == [r[0] for r in rows]
    assert pts.attrs["refused"] == [] and pts.attrs["ignored_columns"] == []  # the other code column is read


def test_a_village_geojson_whose_features_name_their_code_differently_is_read_whole(shiyan, tmp_path):
    rows = _villages(shiyan)
    props = [{"村代码": c} if i % 2 else {"code": c, "名称": "x"} for i, (c, _, _) in enumerate(rows)]
    pts = check_villages(shiyan, _geojson(tmp_path, props, rows))
    assert list(pts["code"]) == [r[0] for r in rows] and pts.attrs["refused"] == []


def test_two_codes_of_one_row_refuse_that_row_naming_both_columns_and_values(shiyan, tmp_path):
    rows = _villages(shiyan)
    (c1, x1, y1), (c2, _, _) = rows[0], rows[1]
    table = [(c1, c2, x1, y1)] + [(c, c, x, y) for c, x, y in rows[1:]]
    pts = check_villages(shiyan, _csv(tmp_path, "村代码,village_code,经度,纬度", table))
    assert list(pts["code"]) == [r[0] for r in rows[1:]]  # the other rows are taken; row 3 is not a duplicate
    (bad,) = pts.attrs["refused"]
    assert (bad["row"], bad["code"], bad["severity"]) == (2, "conflicting_codes", "error")
    for lang in ("en", "zh"):
        text = bad[f"message_{lang}"] + bad[f"fix_{lang}"]
        for part in (c1, c2, "村代码", "village_code", "2"):
            assert part in text, (lang, part, text)
    assert "row 2" in bad["message_en"] and "第 2 行" in bad["message_zh"]


def test_a_layers_two_codes_of_one_feature_refuse_it(shiyan, tmp_path):
    rows = _villages(shiyan, 3)
    props = [{"村代码": rows[0][0], "code": rows[2][0]}, {"村代码": rows[1][0]}, {"code": rows[2][0]}]
    pts = check_villages(shiyan, _geojson(tmp_path, props, rows))
    assert list(pts["code"]) == [rows[1][0], rows[2][0]]
    (bad,) = pts.attrs["refused"]
    assert bad["row"] == 1 and bad["code"] == "conflicting_codes" and rows[2][0] in bad["message_en"]


def test_a_township_code_column_never_fills_a_villages_code(shiyan, tmp_path):
    """乡镇代码 in the 12-digit form (420302001000) on every feature, 村代码 on one: the village code is 村代码's, and the
    features without one are refused as having none, not read as "unknown village code 420302001000"."""
    rows = _villages(shiyan)
    props = [{"乡镇代码": c[:9] + "000", **({"村代码": c} if i == 0 else {})} for i, (c, _, _) in enumerate(rows)]
    pts = check_villages(shiyan, _geojson(tmp_path, props, rows))
    assert list(pts["code"]) == [rows[0][0]]
    assert [r["code"] for r in pts.attrs["refused"]] == ["empty_code"] * 3
    assert all("000" not in str(r["value"]) for r in pts.attrs["refused"])


@pytest.mark.parametrize("township", ["9", "12"])
def test_a_plain_code_column_of_township_codes_is_not_read_as_the_villages(shiyan, tmp_path, township):
    rows = _villages(shiyan)
    tcode = TOWN if township == "9" else TOWN + "000"
    pts = check_villages(shiyan, _csv(tmp_path, "代码,村代码,经度,纬度", [(tcode, c, x, y) for c, x, y in rows]))
    assert list(pts["code"]) == [r[0] for r in rows] and pts.attrs["refused"] == []
    assert pts.attrs["column_names"]["code"] == "村代码" and pts.attrs["ignored_columns"] == ["代码"]


def test_a_layer_with_only_a_township_code_column_is_told_it_has_no_village_code(shiyan, tmp_path):
    rows = _villages(shiyan)
    path = _geojson(tmp_path, [{"乡镇代码": c, "名称": "x"} for c, _, _ in rows], rows)
    with pytest.raises(InputDataError) as exc:
        check_villages(shiyan, path)
    e = exc.value
    assert "no village code column" in e.message("en") and "乡镇代码" in e.message("en")
    assert "没有村（社区）代码列" in e.message("zh") and "村代码" in e.hint_zh and "村代码" in e.hint_en


def test_a_row_empty_in_every_code_column_names_them_all(shiyan, tmp_path):
    rows = _villages(shiyan, 3)
    table = [(rows[0][0], "", *rows[0][1:]), ("", rows[1][0], *rows[1][1:]), ("", "", *rows[2][1:])]
    pts = check_villages(shiyan, _csv(tmp_path, "村代码,code,经度,纬度", table))
    (bad,) = pts.attrs["refused"]
    assert bad["row"] == 4 and bad["code"] == "empty_code"
    assert "村代码" in bad["message_en"] and "code" in bad["message_en"] and "均为空" in bad["message_zh"]


# -- 2. the datum a village file's points look like ----------------------------------------------------------
@lru_cache(maxsize=None)
def _region_file(datum: str) -> bytes:
    """Every village of the region at its point, shifted into ``datum`` as an online map exports it."""
    from geo.regions import load_region

    shift = {"gcj02": prcoords.wgs_gcj, "bd09": prcoords.wgs_bd}.get(datum)
    out = ["code,lon,lat"]
    for c, r in load_region("shiyan").villages.iterrows():
        x, y = r.geometry.x, r.geometry.y
        if shift:
            p = shift(prcoords.Coords(lat=y, lon=x))
            x, y = p.lon, p.lat
        out.append(f"{c},{x:.7f},{y:.7f}")
    return ("\n".join(out) + "\n").encode("utf-8")


def _suggestion(issues) -> list[dict]:
    return [i for i in issues if i["code"] == "datum_suggestion"]


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_a_village_file_in_a_web_maps_datum_is_suggested_its_datum(shiyan, tmp_path, datum):
    path = tmp_path / "v.csv"
    path.write_bytes(_region_file(datum))
    pts = check_villages(shiyan, path, coords="wgs84")  # what --coords auto reads
    assert pts.attrs["datum_suggestion"]["datum"] == datum
    (issue,) = _suggestion(village_placement_issues(shiyan, pts))
    assert issue["severity"] == "warning" and issue["row"] is None and issue["value"] == datum
    assert f"--coords {datum}" in issue["fix_en"] and f"--coords {datum}" in issue["fix_zh"]
    name = {"gcj02": "GCJ-02", "bd09": "BD-09"}[datum]
    assert name in issue["message_en"] and name in issue["message_zh"] and "坐标更像是" in issue["message_zh"]
    # read as the datum suggested, the same file is suggested nothing
    assert check_villages(shiyan, path, coords=datum).attrs["datum_suggestion"] is None


def test_a_wgs84_village_file_is_suggested_nothing(shiyan, tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes(_region_file("wgs84"))
    pts = check_villages(shiyan, path)
    assert pts.attrs["datum_suggestion"] is None and _suggestion(village_placement_issues(shiyan, pts)) == []


def test_villages_with_official_points_tell_the_datum_of_a_few_points(shiyan, tmp_path):
    """The eleven villages of one township: their county's boundary does not tell (none of them crosses it) and an
    approximate township's edge is kilometres off; the villages' official points (imported before) tell."""
    rows = _villages(shiyan, 20)
    shifted = [prcoords.wgs_gcj(prcoords.Coords(lat=float(y), lon=float(x))) for _, x, y in rows]
    gcj = [(c, f"{p.lon:.7f}", f"{p.lat:.7f}") for (c, _, _), p in zip(rows, shifted)]
    path = _csv(tmp_path, "村代码,经度,纬度", gcj)
    assert check_villages(shiyan, path).attrs["datum_suggestion"] is None  # synthetic points, approximate townships
    vills = shiyan.villages.copy()
    vills.loc[[c for c, _, _ in rows], "location_quality"] = "official"
    region = dataclasses.replace(shiyan, villages=vills)  # a copy: the loaded region is not touched
    pts = check_villages(region, path)
    found = pts.attrs["datum_suggestion"]
    assert found["datum"] == "gcj02" and found["test"] == "reference" and found["n"] == len(rows)
    assert 400 < found["median_m_before"] < 700 and found["median_m_after"] < 1
    (issue,) = _suggestion(village_placement_issues(region, pts))
    assert f"{len(rows)} villages" in issue["message_en"] and "已有正式点位" in issue["message_zh"]
    wgs = _csv(tmp_path, "村代码,经度,纬度", rows, name="w.csv")
    assert check_villages(region, wgs).attrs["datum_suggestion"] is None
    assert "official" not in set(shiyan.villages["location_quality"])


def test_the_cli_import_of_a_gcj02_village_file_suggests_the_datum(shiyan, tmp_path, var, capsys):
    path = tmp_path / "v.csv"
    path.write_bytes(_region_file("gcj02"))
    code, out, err = run(capsys, "--lang", "en", "data", "import", "villages", str(path), "--coords", "auto",
                         "--dry-run", "--json")
    assert code == 0 and "Traceback" not in err, err
    rep = json.loads(out)
    (issue,) = _suggestion(rep["issues"])
    assert "GCJ-02" in issue["message_en"] and "--coords gcj02" in issue["fix_en"]
    assert rep["counts"]["accepted"] == len(shiyan.villages)  # a suggestion, not a refusal


def test_the_data_page_suggests_the_datum_of_a_gcj02_village_file(client, shiyan):
    rep = upload(client, _region_file("gcj02"), "村点位.csv", kind="villages", coords="auto").get_json()
    (issue,) = _suggestion(rep["issues"])
    assert "GCJ-02" in issue["message"] and "坐标更像是" in issue["message"] and "--coords gcj02" in issue["fix"]
