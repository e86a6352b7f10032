"""QA 28 (a planner's own village and township files on a shared server):

- a village file of 200,000 rows (10.7 MB, under the upload limit) took 10 minutes to check and one of 20,000
  rows 46-96 s, 89 % of it in pandas deep-copying the per-row lists geo.imports kept in ``DataFrame.attrs``
  (the refused rows, each row's line) into every frame derived from the checked one. Those lists are now
  shared, not copied (geo.tables.RowList), GCJ-02/BD-09 points convert all at once, and a file of more rows
  than a village file can mean (ten a village, at least 20,000) is refused before any row is checked.
  Speed itself is measured in bench/imports.py; these tests assert what makes it linear.
- a totals row (合计,244个村,,) under the villages was refused as "missing lon/lat"; a register skips it.
- a township file with an unknown code and a polygon drawn in another county named neither feature, nor the
  county the polygon lies in, and blamed the coordinate system only.
"""
from __future__ import annotations

import copy
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandas.core.generic as pd_generic
import pytest

from geo.errors import InputDataError
from geo.imports import check_townships, check_villages, village_placement_issues, village_row_limit


def _village_csv(shiyan, path: Path, rows: int, *, tail: str = "") -> Path:
    """``rows`` lines: every village once at its point, then codes no village has (refused row by row; a village
    on two rows refuses both since F5, so repeats would refuse every row)."""
    v = shiyan.villages
    codes, x, y = v.index.astype(str), v.geometry.x.to_numpy(), v.geometry.y.to_numpy()
    lines = ["村代码,村名称,经度,纬度"] + [f"{codes[i] if i < len(v) else f'42999{i:07d}'},{v['name'].iat[i % len(v)]},"
                                       f"{x[i % len(v)]:.6f},{y[i % len(v)]:.6f}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n" + tail, encoding="utf-8")
    return path


def _copied(obj) -> int:
    """How many objects a deep copy of ``obj`` copies (what pandas does to ``attrs`` for every derived frame)."""
    memo: dict = {}
    copy.deepcopy(obj, memo)
    return len(memo)


def upload(client, content: bytes, name: str, **form):
    data = {"kind": "villages", "coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post("/api/data/uploads?lang=zh", data=data, content_type="multipart/form-data")


# -- item 1: a large village file ------------------------------------------------------------------------------
def test_the_checked_frames_attrs_copy_in_constant_work_whatever_the_rows(shiyan, tmp_path):
    small = check_villages(shiyan, _village_csv(shiyan, tmp_path / "a.csv", 300))
    large = check_villages(shiyan, _village_csv(shiyan, tmp_path / "b.csv", 6000), coords="gcj02")
    assert len(large.attrs["refused"]) == 6000 - len(shiyan.villages) and large.attrs["read"] == 6000
    # a derived frame (a column, a copy) copies attrs: as little for 6,000 rows as for 300
    assert _copied(large.attrs) == _copied(small.attrs) < 100
    for derived in (large.copy(), large[["code"]], large.iloc[:10]):
        assert derived.attrs["refused"] == large.attrs["refused"] and derived.attrs["rows"] == large.attrs["rows"]
    # the lists read as lists (the report, the CLI and the tests compare them so), and cannot be changed under
    # the frames that share them
    assert large.attrs["rows"] == list(range(2, 2 + len(shiyan.villages)))
    assert large.attrs["refused"][0]["row"] == 2 + len(shiyan.villages)
    with pytest.raises(TypeError):
        large.attrs["refused"].append({})


def test_the_data_pages_check_copies_no_per_row_list_into_derived_frames(client, shiyan, monkeypatch):
    """The whole check of the data page (web/data.py: _check, _report, the store's build, the preview)."""
    copied = []

    def counting(obj, memo=None):
        memo = {} if memo is None else memo
        out = copy.deepcopy(obj, memo)
        copied.append(len(memo))
        return out
    monkeypatch.setattr(pd_generic, "deepcopy", counting)
    buf = io.StringIO()
    v = shiyan.villages
    buf.write("code,lon,lat\n")
    for i in range(5000):  # every village once, then codes no village has (refused row by row)
        code = v.index[i] if i < len(v) else f"42999{i:07d}"
        buf.write(f"{code},{v.geometry.x.iat[i % len(v)]:.6f},{v.geometry.y.iat[i % len(v)]:.6f}\n")
    r = upload(client, buf.getvalue().encode(), "v.csv")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["counts"]["rows"] == 5000 and r.get_json()["counts"]["refused"] == 5000 - len(v)
    # every copy pandas made of attrs was small: none of them grew with the 5,000 rows
    assert copied and max(copied) < 100


def test_a_village_file_of_more_rows_than_a_village_list_can_mean_is_refused_before_its_rows_are_checked(
        shiyan, tmp_path, client):
    limit = village_row_limit(len(shiyan.villages))
    assert limit == max(20_000, 10 * len(shiyan.villages))
    path = _village_csv(shiyan, tmp_path / "v.csv", limit + 1)
    with pytest.raises(InputDataError) as exc:
        check_villages(shiyan, path)
    e = exc.value
    assert f"the file has {limit + 1:,} rows" in e.message("en") and f"at most {limit:,} rows" in e.message("en")
    assert f"文件有 {limit + 1:,} 行" in e.message("zh") and f"最多 {limit:,} 行" in e.message("zh")
    assert e.details == {"rows": limit + 1, "limit": limit, "villages": len(shiyan.villages)}
    r = upload(client, path.read_bytes(), "v.csv")
    assert r.status_code == 400 and f"最多 {limit:,} 行" in r.get_json()["message"]
    # the limit itself passes (refused row by row: the codes no village has)
    ok = check_villages(shiyan, _village_csv(shiyan, tmp_path / "w.csv", limit))
    assert ok.attrs["read"] == limit and len(ok) == len(shiyan.villages)


# -- item 4: a totals row under the villages ---------------------------------------------------------------------
DIRTY_TAIL = "合计,244个村,,\n"


def test_a_totals_row_of_a_village_file_is_skipped_with_a_warning_not_refused(shiyan, tmp_path):
    path = _village_csv(shiyan, tmp_path / "v.csv", 3)
    text = path.read_text("utf-8") + "420323999999,虚构村,110.2,32.2\n" + DIRTY_TAIL + "填报单位：竹山县民政局,,,\n"
    path.write_text(text, "utf-8")
    out = check_villages(shiyan, path)
    assert len(out) == 3 and [r["row"] for r in out.attrs["refused"]] == [5]  # the unknown code alone
    skipped = out.attrs["skipped"]
    assert [(s["row"], s["code"], s["column"], s["value"]) for s in skipped] == [
        (6, "total_row_skipped", "村代码", "合计"), (7, "footer_row_skipped", "村代码", "填报单位：竹山县民政局")]
    assert skipped[0]["message_zh"] == "合计行（“合计”），已略过，不作为村（社区）导入"
    assert skipped[0]["message_en"] == "a totals row ('合计'): skipped, not imported as a village or community"
    assert all(s["severity"] == "warning" for s in skipped)
    # rows = accepted + refused + skipped
    assert out.attrs["read"] == 6 == len(out) + len(out.attrs["refused"]) + len(skipped)
    issues = village_placement_issues(shiyan, out)
    assert [i["row"] for i in issues if i["code"].endswith("_row_skipped")] == [6, 7]


def test_the_data_page_counts_the_skipped_totals_row(client, shiyan, tmp_path):
    path = _village_csv(shiyan, tmp_path / "v.csv", 4, tail=DIRTY_TAIL)
    j = upload(client, path.read_bytes(), "v.csv").get_json()
    assert j["counts"]["rows"] == 5 and j["counts"]["accepted"] == 4 and j["counts"]["refused"] == 0
    assert j["counts"]["skipped"] == 1 and j["counts"]["warnings"] >= 1
    (i,) = [i for i in j["issues"] if i["code"] == "total_row_skipped"]
    assert i["row"] == 6 and i["severity"] == "warning" and "合计行" in i["message"] and "已略过" in i["message"]
    # a file without one says no "skipped" (as a register's report)
    j = upload(client, _village_csv(shiyan, tmp_path / "w.csv", 4).read_bytes(), "w.csv").get_json()
    assert "skipped" not in j["counts"] and j["counts"]["rows"] == 4


def test_a_village_row_with_a_code_and_no_point_is_still_refused(shiyan, tmp_path):
    code = str(shiyan.villages.index[0])
    path = tmp_path / "v.csv"
    path.write_text(f"村代码,村名称,经度,纬度\n{code},合计,,\n{shiyan.villages.index[1]},乙村,110.8,32.6\n", "utf-8")
    out = check_villages(shiyan, path)
    assert [(r["row"], r["code"]) for r in out.attrs["refused"]] == [(2, "bad_coordinates")]
    assert not out.attrs["skipped"]


def test_a_village_file_of_totals_rows_only_is_refused_as_such(shiyan, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("村代码,村名称,经度,纬度\n" + DIRTY_TAIL, "utf-8")
    with pytest.raises(InputDataError) as exc:
        check_villages(shiyan, path)
    assert "没有村（社区）行" in exc.value.message("zh") and "no village rows" in exc.value.message("en")
    assert exc.value.details["skipped_rows"] == [2]


# -- item 5: a township file with an unknown code and a polygon in the wrong county ------------------------------
def _bad_townships(shiyan, path: Path, *, names: bool = True) -> tuple[str, str, str]:
    """竹山县's townships, the first drawn with a 房县 township's polygon, and a 虚构镇 of an unknown code last."""
    t = shiyan.townships
    zs = t[t["county_code"] == "420323"].sort_index()
    fang = t[t["county_code"] == "420325"].iloc[0].geometry
    first = str(zs.index[0])
    geoms = [fang] + list(zs.geometry.iloc[1:]) + [zs.geometry.iloc[1].buffer(-0.001)]
    codes = [first] + [str(c) for c in zs.index[1:]] + ["420323999"]
    cols = {"乡镇代码": codes}
    if names:
        cols["乡镇名称"] = [str(zs.loc[first, "name"])] + [str(n) for n in zs["name"].iloc[1:]] + ["虚构镇"]
    gpd.GeoDataFrame(cols, geometry=geoms, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return first, str(zs.loc[first, "name"]), str(len(codes))


def test_a_township_problem_is_named_by_feature_name_and_the_county_the_polygon_lies_in(shiyan, tmp_path):
    path = tmp_path / "t_bad.geojson"
    first, name, last = _bad_townships(shiyan, path)
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, path)
    e = exc.value
    zh, en = e.message("zh"), e.message("en")
    assert f"{name}（{first}，第 1 个要素）大部分位于房县，而非其代码所属的竹山县" in zh
    assert f"{first} ({name}, feature 1) lies mostly in Fang County, not in Zhushan County, the county of its code" in en
    assert f"420323999（第 {last} 个要素“虚构镇”）" in zh and f"420323999 (feature {last}, 虚构镇)" in en
    # the fix: the code or the polygon, not the coordinate system (the file's other polygons are in place)
    assert "请核对所列乡镇面的代码，或该面本身" in e.hint_zh and "坐标系" not in e.hint_zh
    assert "Check the code of each polygon named, or the polygon itself" in e.hint_en
    assert "coordinate system" not in e.hint_en
    # the details the page and the tests read, and each feature's
    assert e.details["codes"] == [first] and e.details["unknown"] == ["420323999"]
    assert e.details["outside"] == [{"feature": 1, "code": first, "name": name, "county": "420323", "lies_in": "420325"}]
    assert e.details["unknown_features"] == [{"feature": int(last), "code": "420323999", "name": "虚构镇"}]


def test_without_a_name_column_the_regions_name_and_the_feature_number_are_given(shiyan, tmp_path):
    path = tmp_path / "t_bad.geojson"
    first, name, last = _bad_townships(shiyan, path, names=False)
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, path)
    zh = exc.value.message("zh")
    assert f"{name}（{first}，第 1 个要素）大部分位于房县" in zh and f"420323999（第 {last} 个要素）" in zh


def test_a_file_whose_every_polygon_is_elsewhere_is_told_to_check_the_coordinate_system_too(shiyan, tmp_path):
    t = shiyan.townships
    zs = t[t["county_code"] == "420323"].sort_index().iloc[:3]
    moved = zs.geometry.translate(xoff=5)  # every polygon 5° east: out of the region
    path = tmp_path / "t.geojson"
    gpd.GeoDataFrame({"code": list(zs.index)}, geometry=list(moved), crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, path)
    e = exc.value
    assert "本区域各县区以外" in e.message("zh") and "outside every county of the region" in e.message("en")
    assert "坐标系" in e.hint_zh and "coordinate system" in e.hint_en
    assert [d["lies_in"] for d in e.details["outside"]] == [None] * 3


def test_pandas_still_copies_attrs_so_the_shared_lists_are_what_keeps_it_cheap():
    """(Guards the premise: if pandas stopped copying attrs, the check above would pass for nothing.)"""
    df = pd.DataFrame({"a": [1, 2]})
    df.attrs["x"] = [[1], [2]]
    assert df[["a"]].attrs["x"] == [[1], [2]] and df[["a"]].attrs["x"] is not df.attrs["x"]
