"""QA round 11, reading a facility register: every candidate place (or how many more, and what narrows
them), a GIS point with swapped coordinates read as a table's swapped row is, no "inf" in a message,
and no warning for a row placed by its point that names only its (agreeing) county.

Every input is written here in tmp_path.
"""
from __future__ import annotations

import json

import pytest

from planner.locate import MAX_CANDIDATES
from planner.register import validate_register


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def _geojson(tmp_path, features):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": n, "类型": "公墓"}, "geometry": {"type": "Point", "coordinates": xy}}
        for n, xy in features]}
    return _write(tmp_path, "cem.geojson", json.dumps(doc, ensure_ascii=False))


def _no_python_values(report):
    for i in report.issues:
        for text in (i.message_zh, i.message_en, i.fix_zh, i.fix_en):
            assert "inf" not in text.split() and " inf " not in text and "nan" not in text.lower().split(), text
            assert "约 inf" not in text and "about inf" not in text


def test_every_village_of_a_shared_name_is_offered(shiyan, tmp_path):
    # 东沟村: seven villages in the region, in five counties (竹溪县 and 房县 among them)
    path = _write(tmp_path, "reg.csv", "名称,类型,村\n东沟村公墓,公墓,东沟村\n")
    issue = next(i for i in validate_register(path, region=shiyan).issues if i.code == "ambiguous")
    paths = [c["path"] for c in issue.candidates]
    assert len(paths) == 7
    assert any(p.startswith("房县·") for p in paths) and any(p.startswith("竹溪县·") for p in paths)
    assert "未列出" not in issue.fix_zh and "not listed" not in issue.fix_en


def test_more_candidates_than_shown_are_counted_with_what_narrows_them(shiyan, tmp_path):
    # 郧西县 alone: its 19 townships are the candidates, MAX_CANDIDATES shown and the rest counted
    path = _write(tmp_path, "reg.csv", "名称,类型,县区\n某公墓,公墓,郧西县\n")
    issue = next(i for i in validate_register(path, region=shiyan).issues if i.code == "county_only")
    n = (shiyan.townships["county_code"] == "420322").sum()
    assert n > MAX_CANDIDATES and len(issue.candidates) == MAX_CANDIDATES
    more = n - MAX_CANDIDATES
    assert f"另有 {more} 处" in issue.fix_zh and "乡镇（街道）列" in issue.fix_zh and "县区" not in issue.fix_zh
    assert f"{more} more possible places are not listed" in issue.fix_en and "township column" in issue.fix_en


def test_geojson_point_with_swapped_coordinates_is_read_swapped_as_a_csv_row_is(shiyan, tmp_path):
    # one point of three (most swapped would be refused as a layer in metres, geo.gisfiles)
    path = _geojson(tmp_path, [("反了的公墓", [32.90, 110.50]), ("店子镇公墓", [109.85841, 33.079231]),
                               ("城区公墓", [110.446179, 32.975888])])
    report = validate_register(path, region=shiyan)
    _no_python_values(report)
    assert report.refused_rows == []
    swapped = [i for i in report.issues if i.code == "swapped"]
    assert [i.row for i in swapped] == [1] and swapped[0].fixed
    assert "写反" in swapped[0].message_zh and "原图层" in swapped[0].fix_zh and "layer" in swapped[0].fix_en
    pt = report.accepted.geometry.iloc[0]
    assert (pt.x, pt.y) == pytest.approx((110.50, 32.90))
    # the same row in a CSV: the same reading
    csv = _write(tmp_path, "cem.csv", "名称,类型,经度,纬度\n反了的公墓,公墓,32.90,110.50\n")
    rep = validate_register(csv, region=shiyan)
    assert [i.code for i in rep.issues] == ["swapped"] and rep.accepted.geometry.iloc[0].y == pytest.approx(32.90)


def test_a_latitude_beyond_90_is_said_in_words_never_inf(shiyan, tmp_path):
    # both beyond ±90: swapping cannot help, and no distance can be computed
    path = _geojson(tmp_path, [("坏点", [100.0, 150.0]), ("店子镇公墓", [109.85841, 33.079231]),
                               ("城区公墓", [110.446179, 32.975888])])
    for report in (validate_register(path, region=shiyan),
                   validate_register(_write(tmp_path, "bad.csv", "名称,类型,经度,纬度\n坏点,公墓,100,150\n"),
                                     region=shiyan)):
        _no_python_values(report)
        issue = next(i for i in report.issues if i.code == "outside_region")
        assert issue.severity == "error" and report.refused_rows
        assert "纬度 150 超出 ±90" in issue.message_zh and "latitude 150 is beyond ±90" in issue.message_en
        assert "公里" not in issue.message_zh and " km " not in issue.message_en


def test_a_row_placed_by_its_point_naming_only_its_county_needs_no_warning(shiyan, tmp_path):
    lon, lat = 110.446179, 32.975888  # in 郧西县
    path = _write(tmp_path, "reg.csv", f"名称,类型,经度,纬度,县区,乡镇\n甲,公墓,{lon},{lat},郧西县,\n"
                                       f"乙,公墓,{lat},{lon},郧西县,\n")
    report = validate_register(path, region=shiyan)
    assert [i.code for i in report.issues] == ["swapped"]  # row 3 is swapped; neither names_unmatched
    assert set(report.accepted["county_code"]) == {"420322"}


def test_a_county_that_disagrees_with_the_point_is_said_so(shiyan, tmp_path):
    lon, lat = 110.446179, 32.975888  # in 郧西县, not 房县
    path = _write(tmp_path, "reg.csv", f"名称,类型,经度,纬度,县区,乡镇\n甲,公墓,{lon},{lat},房县,\n")
    report = validate_register(path, region=shiyan)
    assert [(i.code, i.severity, i.column, i.candidates) for i in report.issues] == \
        [("county_disagrees", "warning", "县区", [])]
    issue = report.issues[0]
    assert "房县" in issue.message_zh and "郧西县·" in issue.message_zh and "按坐标" in issue.message_zh
    assert "Yunxi" in issue.message_en and "未能匹配" not in issue.message_zh
    assert report.accepted["county_code"].iloc[0] == "420322"


def test_unmatched_names_of_a_row_with_coordinates_offer_no_buttons(shiyan, tmp_path):
    # a pick for a row placed by its point is refused (web.data): no candidate buttons lead there
    lon, lat = 110.446179, 32.975888
    path = _write(tmp_path, "reg.csv", f"名称,类型,经度,纬度,县区,乡镇\n甲,公墓,{lon},{lat},郧西县,城关\n"
                                       f"乙,公墓,{lon},{lat},郧西县,不存在镇\n")
    issues = validate_register(path, region=shiyan).issues
    assert [(i.row, i.code, i.candidates) for i in issues] == [(3, "names_unmatched", [])]


def test_a_geojson_layer_written_all_in_lat_lon_order_is_read_swapped_not_refused_as_metres(shiyan, tmp_path):
    """Every point [lat, lon]: not projected metres (the numbers are degrees, swapped); each row says it was
    swapped and lands where the villages are."""
    import json

    from planner.register import validate_register
    v = shiyan.villages[shiyan.villages["county_code"] == "420322"].geometry[:3]
    feats = [{"type": "Feature", "properties": {"name": f"站{i}", "type": "日间照料中心"},
              "geometry": {"type": "Point", "coordinates": [round(p.y, 6), round(p.x, 6)]}} for i, p in enumerate(v)]
    path = tmp_path / "swapped.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), "utf-8")
    rep = validate_register(path, region=shiyan, type_key="day_care")
    assert rep.counts["accepted"] == 3 and [i.code for i in rep.issues] == ["swapped"] * 3
    for got, want in zip(rep.accepted.geometry, v):
        assert got.distance(want) < 1e-6
