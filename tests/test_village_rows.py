"""A village file's rows with bad, swapped or far-off coordinates, or a repeated code, are refused one
by one, named in the report, and the other rows can be confirmed (they refused the whole file)."""
from __future__ import annotations

import io

import pytest

from geo.errors import InputDataError
from geo.imports import check_villages
from tests.accounts import accounts_app, signed_in

GOOD = "420302001002,110.79,32.58\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("vrows"), (("city", "planner", None),))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("row, kind, zh", [
    ("420302001003,abc,32.6", "bad_coordinates", "经纬度不是数字：abc，32.6"),
    ("420302001003,,", "bad_coordinates", "经纬度缺失"),
    ("420302001003,2.35,48.85", "outside_china", "点位于中国境外"),
    ("420302001003,116.4,39.9", "outside_region", "点不在十堰市范围内"),
    (",110.8,32.6", "empty_code", "为空"),
])
def test_one_bad_row_is_refused_alone(shiyan, tmp_path, row, kind, zh):
    p = tmp_path / "v.csv"
    p.write_text("code,lon,lat\n" + GOOD + row + "\n420302001004,110.81,32.59\n", encoding="utf-8")
    pts = check_villages(shiyan, p)
    assert list(pts["code"]) == ["420302001002", "420302001004"] and pts.attrs["rows"] == [2, 4]  # file lines
    (r,) = pts.attrs["refused"]
    assert r["row"] == 3 and r["code"] == kind and zh in r["message_zh"] and r["fix_zh"] and r["fix_en"]
    # the file's own columns (code,lon,lat), as a register's report names them (QA 25: "lon/lat" was ours)
    assert r["column"] == ("code" if kind in ("duplicate_code", "empty_code") else "lon")


def test_a_file_swapped_throughout_is_said_once_as_the_columns(shiyan, tmp_path):
    # read the other way round, as a register's (QA 31), each row's warning telling to swap the columns
    p = tmp_path / "v.csv"
    p.write_text("code,lon,lat\n420302001002,32.58,110.79\n420302001003,32.59,110.80\n", encoding="utf-8")
    pts = check_villages(shiyan, p)
    assert list(pts["lon"].astype(float)) == [110.79, 110.80] and not pts.attrs["refused"]
    assert {i["fix_zh"] for i in pts.attrs["corrected"]} == {"请在原表中交换经度、纬度两列"}


def test_a_file_of_another_region_is_said_once(shiyan, tmp_path):
    p = tmp_path / "v.csv"
    p.write_text("code,lon,lat\n420302001002,116.4,39.9\n420302001003,116.5,39.8\n", encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        check_villages(shiyan, p)
    assert "2 point(s) outside the region" in str(e.value)


def test_the_upload_report_names_the_rows_and_the_rest_is_confirmed(app):
    c = signed_in(app, "city")
    body = ("code,lon,lat\n" + GOOD + "420302001003,32.59,110.80\n420302001002,110.8,32.6\n"
            "420302001004,110.81,32.59\n").encode()
    rep = c.post("/api/data/uploads?lang=zh", data={"kind": "villages", "file": (io.BytesIO(body), "v.csv")},
                 content_type="multipart/form-data").get_json()
    assert rep["counts"] == {**rep["counts"], "rows": 4, "accepted": 2, "refused": 2}, rep
    bad = sorted((i["row"], i["code"]) for i in rep["issues"] if i["severity"] == "error")
    # the lines, as a register's; a village on two rows refuses both (F5); a swapped point is read the other
    # way round with a warning, as a register's (QA 31)
    assert bad == [(2, "duplicate_code"), (4, "duplicate_code")]
    assert any(i["code"] == "swapped" and i["row"] == 3 and "交换本行的经度、纬度" in i["fix"] for i in rep["issues"])
    r = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 200, r.data[:300]


def test_columns_a_village_file_holds_besides_its_points_are_named(app):
    """A file's population columns were dropped without a word (QA 18)."""
    c = signed_in(app, "city")
    body = ("code,lon,lat,常住人口,60岁以上\n" + GOOD.strip() + ",1200,300\n").encode()
    rep = c.post("/api/data/uploads?lang=zh", data={"kind": "villages", "file": (io.BytesIO(body), "v.csv")},
                 content_type="multipart/form-data").get_json()
    note = next(i for i in rep["issues"] if i["code"] == "columns_not_read")
    assert note["row"] is None and note["severity"] == "warning" and "常住人口、60岁以上" in note["message"]
    assert rep["counts"]["accepted"] == 1
