"""QA 22 (hostile client): numbers and echoed values.

- ``/api/data/diff?a=²`` was a 500: ``str.isdigit()`` takes superscripts, ``int()`` does not; Arabic-Indic digits
  were read silently.
- Python's digit separator: ``"1_5"`` was read as 15 in query strings, form fields, JSON bodies and CLI options (a
  Shift slip saved as another number); so were any script's digits (٥) and a number with a no-break or thin space.
  Full-width digits (１５), which a Chinese input method types, are read as digits on purpose, everywhere alike.
- A control or direction character (U+202E) was echoed raw in "Bad parameter" messages and the unknown-type 404:
  the rest of the sentence read backwards wherever it was shown.
- The report of an imported upload said "not confirmed within a day ... upload the file again".
- A boolean capacity was quoted as the text "true"; ``?k=1e308`` was echoed as a 309-digit integer.
"""
from __future__ import annotations

import io

import pytest
from flask import Flask

from cli.main import main
from test_qa21_cli import BASE, FORM, POSITIONAL, csvs, error, fill, no_data, numeric_arguments  # noqa: F401 (fixtures)

#: What int() or float() took and read as another number (or a 500): the separator, other scripts' digits,
#: a superscript, a no-break or thin space inside or around the number.
NOT_NUMBERS = ["1_0", "١٠", "²", "1\u00a0000", "5\u00a0", "\u20095"]
#: The same number, typed in full width (a Chinese input method): taken.
FULL_WIDTH = "１０"
RLO = "\u202e"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa22params") / "p.sqlite"), "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def c(app):
    return app.test_client()


def _both(r, status: int) -> tuple[str, str]:
    assert r.status_code == status, (r.status_code, r.data[:400])
    body = r.get_json()
    return body["message_en"], body["message_zh"]


def _facility(c, type_key="day_care") -> str:
    return c.get(f"/api/facilities?type={type_key}").get_json()["rows"][0]["id"]


# -- D0: the data diff's version numbers ------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["²", "①", "١", "1_0", "\u20090"])
def test_a_diff_version_that_is_no_plain_number_is_a_400_not_a_500(c, value):
    from urllib.parse import quote

    en, zh = _both(c.get(f"/api/data/diff?a={quote(value)}&b=0"), 400)
    shown = value.replace("\u2009", "\\u2009")  # a thin space is shown, as \uXXXX
    assert en == f'Bad parameter a="{shown}": expected a data version number.'
    assert zh == f'参数 a="{shown}" 无效：应为数据版本号。'


def test_a_diff_version_in_full_width_digits_is_read(c):
    r = c.get("/api/data/diff?a=０&b=0")
    assert r.status_code == 200, r.get_json()


# -- D9: one reading of numbers, for every endpoint ---------------------------------------------------------------
#: (request, parameter): each endpoint's number, given as text where the client may type it.
QUERY = [("/api/search?q=wu&limit={v}", "limit"), ("/api/upgrades/mutual_aid?k={v}", "k"),
         ("/api/beds?target={v}", "target"), ("/api/beds?target=7136&year=2{v}", "year"),
         ("/api/townships/at?lon={v}&lat=32.6", "lon"), ("/api/admin/audit?limit={v}", "limit"),
         ("/api/admin/audit?offset={v}", "offset")]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize("url, name", QUERY)
def test_a_query_number_that_is_not_plain_is_refused(c, url, name, value, lang):
    from urllib.parse import quote

    body = c.get(url.format(v=quote(value)) + f"&lang={lang}")
    en, zh = _both(body, 400)
    assert body.get_json()["details"]["parameter"] == name
    assert en.startswith(f"Bad parameter {name}") and ": expected a" in en, en
    assert "无效：应为" in zh and name in zh, zh


@pytest.mark.parametrize("url", ["/api/search?q=wu&limit=５", "/api/beds?target=７１３６", "/api/upgrades/mutual_aid?k=５",
                                 "/api/townships/at?lon=１１０．７９&lat=３２．６５", "/api/admin/audit?limit=５"])
def test_a_query_number_in_full_width_digits_is_read(c, url):
    r = c.get(url)
    assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_no_break_space_in_a_refused_number_is_shown_as_such(c, lang):
    # "5\u00a0" was shown as "5 ": the planner could not see what was wrong
    en, zh = _both(c.get(f"/api/beds?target=5%C2%A0&lang={lang}"), 400)
    assert en == 'Bad parameter target="5\\u00a0": expected a number.', en
    assert zh == '参数 target="5\\u00a0" 无效：应为数值。', zh


def test_full_width_digits_read_as_the_same_number(c):
    assert c.get("/api/beds?target=７１３６").get_json() == c.get("/api/beds?target=7136").get_json()
    assert len(c.get("/api/search?q=乡&limit=３").get_json()) == 3


@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize("field", ["p", "time_limit", "standard"])
@pytest.mark.parametrize("as_form", [False, True])
def test_a_proposal_number_that_is_not_plain_is_refused_and_starts_nothing(c, field, value, as_form):
    before = len(c.get("/api/jobs").get_json())
    fields = {"type": "day_care", "model": "mclp", "p": "3", field: value}
    r = c.post("/api/proposals?lang=en", data=fields) if as_form else c.post("/api/proposals?lang=en", json=fields)
    en, _ = _both(r, 400)
    assert f"Bad parameter {field} (" in en and ("expected a number" in en or "expected an integer" in en), en
    assert len(c.get("/api/jobs").get_json()) == before


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_an_edited_capacity_that_is_not_plain_is_refused_and_saves_nothing(c, value):
    v = c.get("/api/data/versions").get_json()["current"]
    r = c.post("/api/data/edits?lang=en", json={"action": "update", "type": "day_care", "id": _facility(c),
                                                 "fields": {"capacity": value}})
    en, zh = _both(r, 400)
    # worded for the planner at the popup (QA 27), the field still named in the details
    assert en.startswith('Capacity "') and en.endswith('" is not a count: type the number of day places as a whole '
                                                      'number (e.g. 80), or leave it blank when unknown.'), en
    assert zh.startswith("容量“") and zh.endswith("”不是个数。容量请填整数（日托位数，如 80），或留空表示未知。"), zh
    assert r.get_json()["details"]["parameter"] == "fields.capacity"
    assert c.get("/api/data/versions").get_json()["current"] == v


def test_a_moved_longitude_with_a_separator_is_not_a_number_not_out_of_range(c):
    # "110_7" was read as 1107, and the message spoke of the range
    r = c.post("/api/data/edits?lang=en", json={"action": "move", "type": "day_care", "id": _facility(c),
                                                 "lon": "110_7", "lat": "32.6"})
    en, zh = _both(r, 400)
    assert en == 'Bad parameter lon (Longitude) = "110_7": expected a number.', en
    assert "应为数值" in zh


def test_an_edited_capacity_in_full_width_digits_is_saved_as_that_number(c):
    row = c.get("/api/facilities?type=day_care").get_json()["rows"][1]
    new = 17 if row["capacity"] != 17 else 18
    typed = str(new).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = c.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": row["id"],
                                         "fields": {"capacity": typed}})
    assert r.status_code == 200, r.get_json()
    rows = c.get("/api/facilities?type=day_care").get_json()["rows"]
    assert next(x for x in rows if x["id"] == row["id"])["capacity"] == new


def test_the_number_reading_itself():
    from web.params import number_text

    for text in NOT_NUMBERS + ["1,000", "0x10", "1 0", "", "¹", "𝟏"]:
        assert number_text(text) is None, text
    assert [number_text(t) for t in ("１０", "－１．５", " 7 ", "1e3", "+.5")] == ["10", "-1.5", "7", "1e3", "+.5"]


def test_a_huge_whole_number_is_read_exactly():
    from web.params import number

    assert number("12345678901234567891", "k", int) == 12345678901234567891
    assert number(10**30, "k", int) == 10**30


# -- D9: the CLI's number options ------------------------------------------------------------------------------
def _argv(command, option, value):
    if (command, option) in POSITIONAL:
        return [*BASE[command][:2], *POSITIONAL[command, option](value), *BASE[command][2:]]
    return BASE[command] + FORM.get((command, option), []) + [option, value]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("value", ["1_0", "١٠", "²"])
@pytest.mark.parametrize("command, option", numeric_arguments())
def test_every_numeric_option_refuses_what_is_not_a_plain_number(command, option, value, lang, no_data, capsys):
    if (command, option) in POSITIONAL:
        from geo.datasets import DatasetStore

        DatasetStore(no_data / "x.sqlite", region="shiyan")
    line = error(capsys, lang, *fill(_argv(command, option, value), no_data)).replace(str(no_data), "")
    assert value in line, line
    assert ("不是有效的" in line) if lang == "zh" else ("invalid" in line or "is not a" in line), line


@pytest.mark.parametrize("value", ["7\u00a0136", "\u20097136"])
def test_a_cli_number_with_a_no_break_or_thin_space_is_refused(value, no_data, capsys):
    line = error(capsys, "en", "beds", "--target", value)
    assert "argument --target: '" in line, line


@pytest.mark.parametrize("argv", [["beds", "--target", "７１３６"], ["upgrade", "--type", "mutual_aid", "--k", "１０"],
                                  ["propose", "--type", "day_care", "--standard", "１５００"],
                                  ["propose", "--type", "day_care", "--p", "３", "--time-limit", "３０．５"]])
def test_a_cli_number_in_full_width_digits_is_taken(argv, no_data, capsys):
    try:
        code = main(["--lang", "en", *argv])
    except SystemExit as exc:
        code = exc.code
    assert code == 2 and "the data would be loaded now" in capsys.readouterr().err


def test_cli_numbers_read_as_typed():
    from cli.options import given_float, given_int

    assert given_int("１０") == 10 and given_int("-3") == -3 and str(given_float("１e3")) == "１e3"
    # a whole number written as the web takes it (one rule: planner.textrules.number_text)
    assert given_int("1.0") == 1 and given_int("1e3") == 1000 and given_int("5.") == 5
    assert given_int("9" * 400) == int("9" * 400)  # exact
    for bad in ("1_0", "٥", "²", "2.5", "inf", " ５\u00a0"):
        with pytest.raises(ValueError):
            given_int(bad)
    for bad in ("1_0.5", "٥", "5\u2009"):
        with pytest.raises(ValueError):
            given_float(bad)


# -- D4: a control or direction character in an echoed value -----------------------------------------------------
def _escaped_both(r, status: int):
    en, zh = _both(r, status)
    for m in (en, zh):
        assert RLO not in m and "\\u202e" in m, m
    return en, zh


@pytest.mark.parametrize("url", [
    "/api/search?q=wu&limit=%E2%80%AE", "/api/townships?county=ab%E2%80%AEcd", "/api/upgrades/mutual_aid?k=%E2%80%AE",
    "/api/beds?target=%E2%80%AE", "/api/data/diff?a=%E2%80%AE&b=0", "/api/townships?ab%E2%80%AEcd=1",
    "/api/townships?ab%E2%80%AEcd=1&ab%E2%80%AEcd=2", "/api/townships?type=a%E2%80%AE&type=b",
])
def test_a_direction_character_in_the_address_is_echoed_escaped(c, url):
    _escaped_both(c.get(url), 400)


def test_an_unknown_type_key_is_echoed_escaped(c):
    en, zh = _escaped_both(c.get("/api/types/ab%E2%80%AEcd"), 404)
    assert en.startswith("Unknown facility type 'ab\\u202ecd'.") and zh.startswith("未知的设施类型“ab\\u202ecd”。")
    en, _ = _both(c.get("/api/types/" + "x" * 500), 404)
    assert "x" * 59 + "…'" in en and "x" * 60 not in en  # a long key is cut, as a 404 quotes an id


@pytest.mark.parametrize("body, status", [
    ({"type": "day_care", "p": RLO}, 400), ({"type": "day_care", "model": RLO}, 400),
    ({"type": "day_care", "mode": RLO}, 400), ({"type": RLO}, 404), ({"type": "day_care", "p": [RLO]}, 400),
    ({"type": "day_care", "p": 3, "ab" + RLO: 1}, 400),
])
def test_a_direction_character_in_a_proposal_body_is_echoed_escaped(c, body, status):
    _escaped_both(c.post("/api/proposals", json=body), status)


@pytest.mark.parametrize("fields", [{"capacity": RLO}, {"capacity": [RLO]}])
def test_a_direction_character_in_an_edit_is_echoed_escaped(c, fields):
    _escaped_both(c.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": _facility(c),
                                                  "fields": fields}), 400)


def test_the_escape_rule_is_the_404s():
    from web.errors import shown_value

    assert shown_value("a\u202eb\x00c\n") == '"a\\u202eb\\u0000c\\u000a"'
    assert shown_value(["a\u202e"]) == '["a\\u202e"]'
    assert shown_value(True) == "true" and shown_value(None) == "null" and shown_value("张三") == '"张三"'


# -- D8: a boolean capacity shown bare; K as typed -------------------------------------------------------------------
def test_a_boolean_capacity_is_shown_bare_not_as_the_text_true(c):
    en, zh = _both(c.post("/api/data/edits?lang=en", json={"action": "update", "type": "day_care", "id": _facility(c),
                                                            "fields": {"capacity": True}}), 400)
    assert en.startswith("Capacity true is not a number: type the number of day places as a whole number"), en
    assert zh.startswith("容量true不是数字。"), zh


@pytest.mark.parametrize("typed", ["1e308", "1e30", "１e５"])
def test_a_huge_k_in_exponent_notation_is_echoed_as_typed(c, typed):
    en, zh = _both(c.get(f"/api/upgrades/mutual_aid?k={typed}&lang=en"), 400)
    assert en.startswith(f"K = {typed} facilities to upgrade is too many"), en[:200]
    assert typed in zh and "0000000000" not in zh, zh[:200]


# -- D6: the report of an upload that was imported -------------------------------------------------------------
def test_the_report_of_an_imported_upload_names_the_version_it_made(c):
    from geo.regions import load_region

    v = load_region("shiyan").villages
    rows = "\n".join(f"院{i},农村福利院,{g.x:.6f},{g.y:.6f},40" for i, g in enumerate(v.geometry.iloc[[5, 300, 900]]))
    body = f"名称,类型,经度,纬度,床位数\n{rows}\n".encode()
    rep = c.post("/api/data/uploads", content_type="multipart/form-data",
                 data={"kind": "facilities", "coords": "wgs84", "type": "welfare_home",
                       "file": (io.BytesIO(body), "three.csv")}).get_json()
    uid = rep["upload_id"]
    assert c.get(f"/api/data/uploads/{uid}/report.csv").status_code == 200
    done = c.post(f"/api/data/uploads/{uid}/confirm")
    assert done.status_code == 200, done.get_json()
    version = done.get_json()["version"]
    for fmt in ("csv", "xlsx"):
        r = c.get(f"/api/data/uploads/{uid}/report.{fmt}")
        en, zh = _both(r, 404)
        # its report is kept with the version now (QA 25: "no longer kept", while the note said "see the report")
        kept = f"/api/data/versions/{version}/report.xlsx"
        assert en == (f"This upload has been imported already, as data version {version} (see the version list); "
                      f"its report is kept with the version: {kept}."), en
        assert zh == f"该文件已导入，生成了数据版本 {version}（见数据版本列表），其校验报告随该版本保存：{kept}。", zh
        assert "upload the file again" not in r.get_json()["message"] and r.get_json()["details"]["version"] == version
    # a second confirm says the same, and imports nothing
    en, _ = _both(c.post(f"/api/data/uploads/{uid}/confirm?lang=en"), 404)
    assert f"as data version {version}" in en
    assert c.get("/api/data/versions").get_json()["current"] == version


def test_a_huge_whole_number_is_said_too_large_not_not_an_integer():
    from geo.errors import InputDataError
    from web.params import number

    app = Flask(__name__)
    with app.test_request_context("/"):
        with pytest.raises(InputDataError) as e:
            number("9" * 400, "k", int, minimum=1, maximum=500)
        assert e.value.message("en").endswith("expected an integer at least 1 and at most 500.")
        assert number("1e3", "k", int) == 1000 and number("５.", "k", int) == 5 and number(7.0, "k", int) == 7
        with pytest.raises(InputDataError):
            number(2.5, "k", int)
