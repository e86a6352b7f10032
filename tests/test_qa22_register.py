"""QA 22 (hostile client), reading a register: the register's own English export came back needing a column
mapping (Facility type, Township code not recognised) and, past that, with a warning on every row (county
'MaojianDistrict' is not in Shiyan: English county names unknown, and the value quoted without its spaces);
`coverage --facilities` refused a lon/lat-swapped file the import reads swapped without saying why; `od` said
"non-numeric" of a lon of inf.

Every input is written here (tmp_path) or exported by the app under test.
"""
from __future__ import annotations

import io

import pytest

from geo.regions import load_region
from planner.i18n import t
from planner.register import validate_register
from planner.register_columns import map_columns
from test_qa20_cli import var  # noqa: F401  (an empty data store of its own, a fixture)
from test_qa21_cli import run


@pytest.fixture(scope="module")
def shiyan():
    return load_region("shiyan")


# -- D2: every header of the register's export, in either language, is recognised --------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_export_header_names_its_field(lang):
    from web.exports import FACILITY_COLUMNS

    # the export's column key -> the register field it is read back as (source: the file name, not read)
    field = {"type_name": "type", "township_name": "township", "county_name": "county"}
    headers = [t(label, lang) for key, label in FACILITY_COLUMNS if key != "source"]
    cmap = map_columns(headers, None, "export")
    want = {field.get(key, key): t(label, lang) for key, label in FACILITY_COLUMNS if key != "source"}
    assert {f: cmap.get(f) for f in want} == want, cmap


@pytest.mark.parametrize("header", ["Facility type", "FACILITY TYPE", "facility_type", "Facility_Type"])
def test_a_key_is_known_written_as_words(header):
    assert map_columns([header, "Township code", "Built year"], None, "x") == {
        "type": header, "township_code": "Township code", "built_year": "Built year"}


# -- the round trip: export through the web API, upload it back -------------------------------------------
@pytest.mark.parametrize("lang,fmt", [("zh", "csv"), ("en", "csv"), ("zh", "xlsx"), ("en", "xlsx")])
def test_the_registers_own_export_reads_back_as_the_current_data(client, lang, fmt):
    exported = client.get(f"/api/facilities.{fmt}?lang={lang}")
    assert exported.status_code == 200
    r = client.post(f"/api/data/uploads?lang={lang}", content_type="multipart/form-data",
                    data={"kind": "facilities", "file": (io.BytesIO(exported.data), f"facilities.{fmt}")})
    body = r.get_json()
    # read with no mapping asked
    assert r.status_code == 200 and "needs_mapping" not in body, body.get("message")
    assert body["counts"]["refused"] == 0 and body["counts"]["accepted"] == body["counts"]["rows"] > 700
    # no name said unmatched (English county names: 'Maojian District' is in Shiyan)
    unmatched = [i for i in body["issues"] if i["code"] == "names_unmatched"]
    assert not unmatched, unmatched[:3]
    assert body["issues_total"] == len(body["issues"])  # all were listed, so none is hidden
    # and reported identical to the current data
    current = client.get("/api/data/versions").get_json()["current"]
    assert body["identical"] and body["identical"]["version"] == current, body.get("identical")


# -- D3: English county names match; a name not found is quoted as typed ----------------------------------
def test_english_county_names_match(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,类型,县区,乡镇,经度,纬度\n"
                    "甲中心,日间照料中心,Maojian District,茅塔乡,110.839273,32.491245\n"
                    "乙中心,日间照料中心,fang county,,,\n"
                    "丙中心,日间照料中心,Zhushan,宝丰镇,,\n", "utf-8")
    report = validate_register(path, region=shiyan)
    assert not [i for i in report.issues if i.code in ("names_unmatched", "county_unknown")], \
        [(i.row, i.code, i.message_en) for i in report.issues]
    # row 3 names only its county: placed by nothing, but its county was known (not "not in Shiyan")
    assert [i.code for i in report.issues if i.row == 3] == ["county_only"]
    by_row = report.accepted.set_index("source_row")
    assert by_row.loc[4, "township_code"].startswith("420323")  # 竹山县·宝丰镇, placed by name


def test_a_county_not_found_is_quoted_as_typed(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,类型,县区,经度,纬度\n甲中心,日间照料中心,Maojian Distrct,110.839273,32.491245\n"
                    "乙中心,日间照料中心,Maojian Distrct,,\n", "utf-8")
    report = validate_register(path, region=shiyan)
    warn = next(i for i in report.issues if i.row == 2)
    assert warn.code == "names_unmatched" and warn.value == "Maojian Distrct"
    assert "'Maojian Distrct'" in warn.message_en and "“Maojian Distrct”" in warn.message_zh
    refused = next(i for i in report.issues if i.row == 3)
    assert refused.code == "county_unknown" and refused.value == "Maojian Distrct", refused


def test_a_township_not_found_is_quoted_as_typed(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,类型,县区,乡镇\n甲中心,日间照料中心,茅箭区,测 试 乡\n", "utf-8")
    issue = next(i for i in validate_register(path, region=shiyan).issues if i.row == 2)
    assert issue.code == "township_unknown" and issue.value == "测 试 乡", issue


# -- D5: the analysis refuses a swapped pair for want of a confirmation, and says so -----------------------
def test_coverage_says_why_it_does_not_read_a_swapped_register(var, tmp_path, capsys):  # noqa: F811
    path = tmp_path / "swapped.csv"
    path.write_text("名称,类型,经度,纬度\n甲中心,日间照料中心,32.491245,110.839273\n"
                    "乙中心,日间照料中心,32.648719,110.647063\n", "utf-8")
    for lang in ("en", "zh"):
        code, _, err = run(capsys, "--lang", lang, "coverage", "--type", "day_care", "--facilities", str(path))
        assert code == 2 and "Traceback" not in err, err
        # the rows, the fix, and why the Data page / data import read the same file: they are confirmed
        assert ("not corrected here" if lang == "en" else "此处不自动改正") in err, err
        assert t("reg_fix_unconfirmed", lang, file=str(path)) in err, err
        assert "--partial" in err
    # the import's report reads them the other way round (its confirm is the --partial / the Confirm button)
    report = validate_register(path, region=load_region("shiyan"))
    assert [i.code for i in report.issues] == ["swapped", "swapped"] and len(report.accepted) == 2


def test_a_register_with_one_swapped_row_is_refused_with_its_fix_and_the_reason(var, tmp_path, capsys):  # noqa: F811
    path = tmp_path / "one.csv"
    path.write_text("名称,类型,经度,纬度\n甲中心,日间照料中心,110.839273,32.491245\n"
                    "乙中心,日间照料中心,32.648719,110.647063\n", "utf-8")
    code, _, err = run(capsys, "--lang", "en", "coverage", "--type", "day_care", "--facilities", str(path))
    assert code == 2 and "row 3" in err and "takes no automatic correction unconfirmed" in err, err


# -- D8: a coordinate that is a number but not a finite one --------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e999", "Infinity"])
def test_od_says_a_non_finite_coordinate_is_not_finite(var, tmp_path, capsys, value):  # noqa: F811
    (tmp_path / "o.csv").write_text(f"id,lon,lat\na,{value},32.6\nb,110.8,32.6\n", "utf-8")
    (tmp_path / "d.csv").write_text("id,lon,lat\nx,110.8,32.62\n", "utf-8")
    for lang, said, not_said in (("en", "not a finite number", "non-numeric"), ("zh", "不是有限的数值", "不是数字")):
        code, _, err = run(capsys, "--lang", lang, "od", "--origins", str(tmp_path / "o.csv"),
                           "--destinations", str(tmp_path / "d.csv"), "--out", str(tmp_path / "od.npz"))
        assert code == 2 and said in err and not_said not in err and value in err, err


def test_non_finite_and_non_numeric_rows_are_each_said_as_what_they_are(tmp_path):
    import pandas as pd

    from geo.errors import InputDataError
    from geo.points import points_from_table

    df = pd.DataFrame({"id": list("abcd"), "lon": ["inf", "abc", "", "110.8"], "lat": ["32.6", "32.6", "", "nan"]})
    with pytest.raises(InputDataError) as exc:
        points_from_table(df, label="o.csv")
    en = exc.value.message("en")
    assert "missing or non-numeric lon/lat on line(s) 3, 4." in en, en
    assert "not a finite number on line(s) 2, 5 (e.g. inf)" in en, en
    assert en.count("Use decimal degrees") == 1, en
    rows: list = []
    points_from_table(df, label="o.csv", row_issues=rows)
    assert [r["message_en"] for r in rows] == ["lon/lat not a finite number: inf, 32.6", "non-numeric lon/lat: abc, 32.6",
                                               "missing lon/lat", "lon/lat not a finite number: 110.8, nan"]
