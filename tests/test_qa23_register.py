"""QA 23, reading a register: full-width township codes were all "unknown" while the same file's full-width
coordinates were read; "32 29 29.4" was read as 322929 and refused as metres; a village's 12-digit code in the
township-code column was refused although the message asks for 9 (or 12) digits; a 545,629-row file was checked
row by row for 2 minutes before the row count refused it; the GCJ-02 suggestion said "about 0 m" and ran into
its fix; a UTF-16 file without its byte-order mark was "a binary file", even with --encoding utf-16.

Every input is written here (tmp_path).
"""
from __future__ import annotations

import io

import pytest

from geo.errors import InputDataError
from geo.points import parse_coordinate, spaced_numbers
from geo.tables import read_table
from planner.register import validate_register
from planner.register_report import sentences
from test_qa20_cli import var  # noqa: F401  (an empty data store of its own, a fixture)
from test_qa21_cli import run

FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")


def upload(client, content: bytes, name: str, lang: str = "zh", **form):
    data = {"kind": "facilities", **form, "file": (io.BytesIO(content), name)}
    return client.post(f"/api/data/uploads?lang={lang}", data=data, content_type="multipart/form-data")


def by_row(report):
    return report.accepted.set_index("source_row")


# -- 6: full-width codes are the codes they stand for -------------------------------------------------------------
FULLWIDTH = ("名称,类型,经度,纬度,床位数,乡镇代码\n"
             f"茅塔乡福利院甲,农村福利院,{'110.8350152'.translate(FULL)},{'32.4915102'.translate(FULL)},"
             f"{'100'.translate(FULL)},{'420302201'.translate(FULL)}\n"
             f"柏林镇福利院甲,农村福利院,{'110.7759794'.translate(FULL)},{'32.6898797'.translate(FULL)},"
             f"{'70'.translate(FULL)},{'420303101'.translate(FULL)}\n")


def test_full_width_township_codes_are_read_as_their_digits(shiyan, tmp_path):
    path = tmp_path / "fullwidth.csv"
    path.write_text(FULLWIDTH, "utf-8")
    report = validate_register(path, region=shiyan)
    assert not report.errors(), [(i.row, i.message_en) for i in report.errors()]
    rows = by_row(report)
    assert rows.loc[2, "township_code"] == "420302201" and rows.loc[3, "township_code"] == "420303101"
    assert rows.loc[2, "county_code"] == "420302" and rows.loc[2, "beds"] == 100


def test_full_width_area_and_county_codes_place_a_row(shiyan, tmp_path):
    path = tmp_path / "codes.csv"
    # a village's code under 区划代码; a county's code in the county column, with the township's name
    path.write_text("名称,类型,县区,乡镇,区划代码\n"
                    f"甲站,日间照料中心,,,{'420303101001'.translate(FULL)}\n"
                    f"乙站,日间照料中心,{'420323'.translate(FULL)},宝丰镇,\n", "utf-8")
    report = validate_register(path, region=shiyan)
    assert not report.errors(), [(i.row, i.message_en) for i in report.errors()]
    rows = by_row(report)
    assert rows.loc[2, "township_code"] == "420303101" and "柏林社区" in rows.loc[2, "match"]
    assert rows.loc[3, "township_code"].startswith("420323") and "宝丰镇" in rows.loc[3, "match"]


def test_an_unknown_full_width_code_is_still_refused_quoted_as_typed(shiyan, tmp_path):
    path = tmp_path / "bad.csv"
    typed = "420399999".translate(FULL)
    path.write_text(f"名称,类型,经度,纬度,乡镇代码\n甲院,农村福利院,110.8350152,32.4915102,{typed}\n", "utf-8")
    issue = validate_register(path, region=shiyan).errors()[0]
    assert issue.code == "unknown_township_code" and issue.value == typed, issue


def test_full_width_codes_upload_as_on_the_command_line(client):
    body = upload(client, FULLWIDTH.encode("utf-8"), "fullwidth.csv").get_json()
    assert body["counts"]["refused"] == 0 and body["counts"]["accepted"] == 2, body.get("issues")


# -- 9: degrees, minutes and seconds written with spaces -----------------------------------------------------------
@pytest.mark.parametrize("text, value", [("32 29 29.4", 32.4915), ("32 29.49", 32.4915), ("110 50 6.1", 110.835028),
                                         ("N 32 29 29.4", 32.4915), ("110 50 6.1E", 110.835028),
                                         ("S 32 29 29.4", -32.4915), ("３２ ２９ ２９．４", 32.4915),
                                         ("32\t29\t29.4", 32.4915), ("32°29′29.4″", 32.4915), ("110.835", 110.835)])
def test_space_separated_dms_is_read_as_dms(text, value):
    assert parse_coordinate(text) == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize("text", ["32.5 29 10", "32 29 29 4", "32 75", "32 29.5 10", "32 29 61"])
def test_several_numbers_that_are_no_dms_are_no_coordinate(text):
    # their spaces taken out they were another number: 32.5 29 10 was 32.52910
    assert parse_coordinate(text) != parse_coordinate(text)  # NaN
    assert spaced_numbers(text)


def test_a_number_grouped_by_thousands_is_still_that_number():
    assert parse_coordinate("3 606 460") == 3606460 and parse_coordinate("480 155") == 480155
    # a second group of 000-059 is thousands too, not minutes (480 055 was read as 480°55')
    assert parse_coordinate("480 055") == 480055 and parse_coordinate("110 050 000") == 110050000


def test_a_register_in_spaced_dms_is_read_and_ambiguous_text_refused_with_a_reason(shiyan, tmp_path):
    path = tmp_path / "dms_cn.csv"
    path.write_text("名称,类型,经度,纬度,乡镇代码\n"
                    "茅塔乡福利院甲,农村福利院,110度50分6.1秒,32 29 29.4,420302201\n"
                    "柏林镇福利院甲,农村福利院,110 46 33.5,32 41 23.6,420303101\n"
                    "丙院,农村福利院,110.8350152,32.5 29 10,420302201\n", "utf-8")
    report = validate_register(path, region=shiyan)
    rows = by_row(report)
    assert rows.loc[2].geometry.y == pytest.approx(32.4915, abs=1e-6)
    assert rows.loc[2].geometry.x == pytest.approx(110.835028, abs=1e-6)
    assert rows.loc[3].geometry.x == pytest.approx(110.775972, abs=1e-6)
    assert not [i for i in report.issues if i.code == "projected"]
    issue = next(i for i in report.errors() if i.row == 4)
    assert issue.code == "non_numeric" and issue.value == "32.5 29 10"
    assert "not degrees, minutes and seconds" in issue.message_en and "度 分 秒" in issue.message_zh, issue
    assert report.refused_rows == [4]


def test_a_lonlat_column_in_spaced_dms(shiyan, tmp_path):
    path = tmp_path / "pair.csv"
    path.write_text('名称,类型,经纬度\n甲院,农村福利院,"110 50 6.1, 32 29 29.4"\n乙院,农村福利院,"110.79 32.65"\n',
                    "utf-8")
    report = validate_register(path, region=shiyan)
    assert not report.errors(), [i.message_en for i in report.errors()]
    point = by_row(report).loc[2].geometry
    assert (point.x, point.y) == (pytest.approx(110.835028, abs=1e-6), pytest.approx(32.4915, abs=1e-6))
    assert by_row(report).loc[3].geometry.x == pytest.approx(110.79)


def test_spaced_dms_uploads_as_on_the_command_line(client):
    content = "名称,类型,经度,纬度\n甲院,农村福利院,110 50 6.1,32 29 29.4\n".encode()
    body = upload(client, content, "dms.csv", lang="en").get_json()
    assert body["counts"]["accepted"] == 1 and body["counts"]["refused"] == 0, body.get("issues")
    assert not [i for i in body["issues"] if i["code"] == "projected"]


# -- a code in the township NAME column (乡镇), as registers often carry it -------------------------------------------
def test_a_code_in_the_township_name_column_is_read_as_a_code(shiyan, tmp_path):
    """QA 23 (second round): a 乡镇 column of codes was matched as names: "找不到乡镇（街道）"420325100""."""
    path = tmp_path / "codes_as_names.csv"
    path.write_text("名称,类型,乡镇\n"
                    "甲中心,社区(村)日间照料中心,420303101\n"              # a township's code
                    "乙中心,社区(村)日间照料中心,420303101001\n"           # a village's
                    "丙中心,社区(村)日间照料中心,４２０３０３１０１００１\n"  # the same, full-width
                    "丁中心,社区(村)日间照料中心,420303999\n", "utf-8")    # no such township: said as typed
    report = validate_register(path, region=shiyan)
    rows = by_row(report)
    assert set(rows.loc[[2, 3, 4], "township_code"]) == {"420303101"}
    village = shiyan.villages.loc["420303101001"].geometry
    assert (rows.loc[3].geometry.x, rows.loc[3].geometry.y) == pytest.approx((village.x, village.y))
    assert (rows.loc[4].geometry.x, rows.loc[4].geometry.y) == pytest.approx((village.x, village.y))
    assert [i.row for i in report.errors()] == [5] and "420303999" in report.errors()[0].message_zh


# -- 10: a 12-digit code in the township-code column -----------------------------------------------------------------
def test_a_village_code_in_the_township_column_names_its_township_and_village(shiyan, tmp_path):
    path = tmp_path / "code12.csv"
    path.write_text("名称,类型,经度,纬度,乡镇代码\n"
                    "甲福利院,农村福利院,110.775979,32.68988,420303101001\n"   # 柏林社区, with its point
                    "乙福利院,农村福利院,110.775979,32.68988,420303101\n"
                    "丙福利院,农村福利院,,,420303101001\n"                    # no point: at the village
                    "丁福利院,农村福利院,,,420303101\n"                       # no point: at the township seat
                    "戊福利院,农村福利院,110.775979,32.68988,420303101999\n"   # no such village: its township
                    "己福利院,农村福利院,110.775979,32.68988,4203031\n"        # 7 digits: still said so
                    "庚福利院,农村福利院,110.775979,32.68988,420399999001\n", "utf-8")
    report = validate_register(path, region=shiyan)
    assert {i.row: i.code for i in report.errors()} == {7: "unknown_township_code", 8: "unknown_township_code"}
    digits = next(i for i in report.errors() if i.row == 7)
    assert "should have 9 (or 12)" in digits.message_en
    rows = by_row(report)
    assert set(rows.loc[[2, 3, 4, 5, 6], "township_code"]) == {"420303101"}
    village = shiyan.villages.loc["420303101001"].geometry
    assert rows.loc[4, "location_method"] == "located_by_name" and "柏林社区" in rows.loc[4, "match"]
    assert (rows.loc[4].geometry.x, rows.loc[4].geometry.y) == pytest.approx((village.x, village.y))
    seat = shiyan.townships.loc["420303101"]
    assert rows.loc[5, "location_method"] == "located_by_name"
    assert (rows.loc[5].geometry.x, rows.loc[5].geometry.y) == pytest.approx((seat["seat_lon"], seat["seat_lat"]))


def test_a_village_code_in_the_township_column_uploads_as_on_the_command_line(client):
    content = "名称,类型,经度,纬度,乡镇代码\n甲福利院,农村福利院,110.775979,32.68988,420303101001\n".encode()
    body = upload(client, content, "code12.csv").get_json()
    assert body["counts"]["accepted"] == 1 and body["counts"]["refused"] == 0, body.get("issues")


# -- 18: far too many rows are refused before they are checked one by one --------------------------------------------
def few_facilities_allowed(monkeypatch, n: int = 5):
    import geo.datasets

    monkeypatch.setattr(geo.datasets, "facility_row_limit", lambda units: n)


def many_rows(path, n: int, kind: str = "日间照料中心"):
    # every row bad (no name, no place): checked one by one they would make a report, not an error
    path.write_text("名称,类型,经度,纬度\n" + "".join(f",{kind},abc,\n" for _ in range(n)), "utf-8")
    return path


def test_a_file_of_more_than_twice_the_limit_is_refused_before_its_rows_are_checked(shiyan, tmp_path, monkeypatch):
    few_facilities_allowed(monkeypatch)
    with pytest.raises(InputDataError) as exc:
        validate_register(many_rows(tmp_path / "big.csv", 11), region=shiyan)
    assert exc.value.details["rows"] == 11 and exc.value.details["limit"] == 5
    en, zh = exc.value.message("en"), exc.value.message("zh")
    assert "11 rows of type 'Community/village day-care centre'" in en and "not checked row by row" in en, en
    assert "有 11 行" in zh and "未逐行校验" in zh, zh
    # twice the limit and less: checked, each row's problems said (the import says the confirm is refused)
    report = validate_register(many_rows(tmp_path / "ten.csv", 10), region=shiyan)
    assert report.rows == 10 and len(report.refused_rows) == 10


def test_the_rows_are_counted_by_type(shiyan, tmp_path, monkeypatch):
    few_facilities_allowed(monkeypatch)
    path = tmp_path / "mixed.csv"
    path.write_text("名称,类型,经度,纬度\n" + "".join(f",{k},abc,\n" for k in ["日间照料中心", "农村福利院"] * 8),
                    "utf-8")
    assert validate_register(path, region=shiyan).rows == 16  # 8 of each type: checked
    # the type given for the file counts its rows without a type column
    path.write_text("名称,经度,纬度\n" + ",abc,\n" * 11, "utf-8")
    with pytest.raises(InputDataError, match="11 rows"):
        validate_register(path, region=shiyan, type_key="welfare_home")


def test_the_command_and_the_page_refuse_it_so(var, tmp_path, capsys, monkeypatch, client):  # noqa: F811
    few_facilities_allowed(monkeypatch)
    path = many_rows(tmp_path / "big.csv", 11)
    code, _, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(path), "--dry-run")
    assert code == 2 and "not checked row by row" in err and "Traceback" not in err, err
    r = upload(client, path.read_bytes(), "big.csv", lang="en")
    assert r.status_code == 400 and "not checked row by row" in r.get_json()["message"], r.data[:400]


# -- 19a: the datum suggestion's number and its sentences ---------------------------------------------------------------
def test_a_suggestion_whose_points_fall_on_the_current_ones_says_under_1_m(shiyan, tmp_path):
    import prcoords

    fac = shiyan.facilities[shiyan.facilities["facility_type"] == "welfare_home"].iloc[:9]
    lines = []
    for _, f in fac.iterrows():
        c = prcoords.wgs_gcj(prcoords.Coords(lat=f.geometry.y, lon=f.geometry.x))
        lines.append(f"{f['id']},{f['name']},农村福利院,{c.lon:.7f},{c.lat:.7f}")
    path = tmp_path / "gcj02.csv"
    path.write_text("编号,名称,类型,经度,纬度\n" + "\n".join(lines) + "\n", "utf-8")
    report = validate_register(path, region=shiyan)
    said = next(i for i in report.issues if i.code == "datum_suggestion")
    # before: the shift the file has (GCJ-02 is about half a kilometre off in Shiyan); after: within centimetres
    assert 300 < report.datum_suggestion["median_m_before"] < 800
    assert "under 1 m" in said.message_en and "about 0 m" not in said.message_en, said.message_en
    assert "不到 1 米" in said.message_zh and "约 0 米" not in said.message_zh, said.message_zh
    en, zh = report.suggestion_text("en"), report.suggestion_text("zh")
    assert "under 1 m. If so, check again" in en and en.endswith("line).") and "  " not in en, en
    assert "不到 1 米。如确认，" in zh and zh.endswith("导入。"), zh


def test_sentences_are_joined_as_sentences():
    assert sentences(["about 544 m", "if so, check again"], "en") == "About 544 m. If so, check again."
    assert sentences(["约 544 米", "如确认，请重新校验", ""], "zh") == "约 544 米。如确认，请重新校验。"
    assert sentences(["Done.", None], "en") == "Done."


# -- 19b: UTF-16 without its byte-order mark ------------------------------------------------------------------------------
UTF16_TEXT = "名称,类型,经度,纬度,乡镇代码\n茅塔乡福利院甲,农村福利院,110.8350152,32.4915102,420302201\n" \
             "一号院,农村福利院,110.7759794,32.6898797,420303101\n"


@pytest.mark.parametrize("codec, encoding, label", [("utf-16-le", None, "UTF-16LE"), ("utf-16-be", None, "UTF-16BE"),
                                                    ("utf-16-le", "utf-16", "UTF-16LE"),
                                                    ("utf-16-be", "utf-16", "UTF-16BE"),
                                                    ("utf-16-le", "utf-16le", "UTF-16LE")])
def test_utf16_without_a_bom_is_read(shiyan, tmp_path, codec, encoding, label):
    path = tmp_path / "nobom.csv"
    path.write_bytes(UTF16_TEXT.encode(codec))
    report = validate_register(path, region=shiyan, encoding=encoding)
    assert report.encoding == label and not report.errors(), [i.message_en for i in report.errors()]
    assert list(report.accepted["name"]) == ["茅塔乡福利院甲", "一号院"]


def test_utf16_read_as_another_encoding_is_told_what_it_looks_like(tmp_path):
    path = tmp_path / "nobom.csv"
    path.write_bytes(UTF16_TEXT.encode("utf-16-le"))
    with pytest.raises(InputDataError) as exc:
        read_table(path, encoding="utf-8")
    assert "UTF-16 (utf-16le)" in exc.value.hint_en and "utf-16le" in exc.value.hint_zh, exc.value.hint_en
    # a file with zero bytes that is no UTF-16 text is still a binary file
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputDataError, match="binary"):
        read_table(tmp_path / "bin.csv")


def test_utf16_without_a_bom_on_the_command_line_and_the_page(var, tmp_path, capsys, client):  # noqa: F811
    path = tmp_path / "nobom.csv"
    path.write_bytes(UTF16_TEXT.encode("utf-16-le"))
    for extra in ((), ("--encoding", "utf-16")):
        code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(path), "--dry-run", *extra)
        assert code == 0 and "2 rows accepted" in out, (extra, out, err)
    body = upload(client, path.read_bytes(), "nobom.csv").get_json()
    assert body["counts"]["accepted"] == 2 and body["encoding"] == "UTF-16LE", body
