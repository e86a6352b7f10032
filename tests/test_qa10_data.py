"""QA sweep 10, the Data page: a county planner's rows outside his county are counted as refused
and the report says nothing is imported while they remain (finding 10); a recheck's wrong picks
are refused naming the row, the code and the actual problem (12); English counts agree with
their number, "1 facility" (13)."""
from __future__ import annotations

import io
import threading

import pytest

from accounts import PW, accounts_app
from accounts import signed_in as as_user
from browser import browser, page  # noqa: F401  (fixtures; ``server`` is this module's own)

YUNXI, MAOJIAN = "420322", "420302"


@pytest.fixture(scope="module")
def acc_app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa10d"), (("boss", "admin", None), ("yunxi", "planner", YUNXI)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _village(shiyan, county, i=0):
    v = shiyan.villages
    return v[v["county_code"] == county].iloc[i].geometry


def _csv(rows) -> bytes:
    lines = ["名称,类型,经度,纬度"] + [f"{n},日间照料中心,{p.x:.6f},{p.y:.6f}" for n, p in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _upload(client, body: bytes, lang: str = "zh", name: str = "日照.csv"):
    r = client.post(f"/api/data/uploads?lang={lang}", data={"kind": "facilities", "coords": "wgs84",
                                                            "file": (io.BytesIO(body), name)},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.data[:400]
    return r.get_json()


# -- 10: rows outside the county are refused, and nothing is imported while they remain ------------
def test_rows_outside_the_county_count_as_refused(acc_app, shiyan):
    yunxi = as_user(acc_app, "yunxi")
    body = _csv([("茅箭越界中心", _village(shiyan, MAOJIAN)), ("郧西一号中心", _village(shiyan, YUNXI))])
    rep = _upload(yunxi, body)
    c = rep["counts"]
    assert (c["rows"], c["accepted"], c["refused"], c["outside_county"]) == (2, 1, 1, 1)
    blocked = rep["blocked"]
    assert blocked["rows"] == 1
    assert blocked["text"].startswith("不会导入任何行") and "郧西县" in blocked["text"] and "其余 1 行" in blocked["text"]
    # the refused row is the one in the table, and red on the preview map
    assert [i["row"] for i in rep["issues"] if i["code"] == "outside_county"] == [2]
    refused = {f["properties"]["name"]: f["properties"]["refused"] for f in rep["preview"]["features"]}
    assert refused == {"茅箭越界中心": True, "郧西一号中心": False}
    en = _upload(yunxi, body, "en")["blocked"]["text"]
    assert en.startswith("Nothing will be imported: first remove the 1 row outside Yunxi County")
    assert "(the other 1 row can then be imported)" in en
    # the downloadable report's title counts the same, and says why nothing is imported
    head = yunxi.get(f"/api/data/uploads/{rep['upload_id']}/report.csv?lang=zh").data.decode("utf-8-sig").splitlines()[0]
    assert "可导入: 1" in head and "被拒绝: 1" in head and "不会导入：有 1 行不在您可修改的县区内" in head
    # what the counts promise is what the confirm does: nothing
    r = yunxi.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 403 and r.get_json()["details"]["refused"] == 1


def test_a_file_all_in_his_county_is_not_blocked(acc_app, shiyan):
    rep = _upload(as_user(acc_app, "yunxi"), _csv([("郧西一号中心", _village(shiyan, YUNXI)),
                                               ("郧西二号中心", _village(shiyan, YUNXI, 5))]))
    assert rep["blocked"] is None and "outside_county" not in rep["counts"]
    assert (rep["counts"]["accepted"], rep["counts"]["refused"]) == (2, 0)
    # the city-wide admin: every county is his, nothing outside
    rep = _upload(as_user(acc_app, "boss"), _csv([("茅箭中心", _village(shiyan, MAOJIAN))]))
    assert rep["blocked"] is None and rep["counts"]["accepted"] == 1


# -- 12: wrong picks name the row, the code and the problem ----------------------------------------
@pytest.mark.parametrize("picks, zh, en", [
    ({"2": "xyz"}, "picks 中第 2 行：没有代码为“xyz”的村（社区）或乡镇",
     'picks: row 2: no village or township has the code "xyz".'),
    ({"2": "999999999999"}, "没有代码为“999999999999”的村（社区）或乡镇",
     'no village or township has the code "999999999999"'),
    ({"999": "420322100001"}, "picks 中的第 999 行在文件中不存在（文件的行号为 2 至 3）",
     "picks: the file has no row 999 (its rows are numbered 2 to 3)."),
    ({"2": 420322100001}, "picks 中第 2 行的地点代码 420322100001 不是文本",
     "picks: row 2: the place code 420322100001 is not text."),
    ({"2": None}, "第 2 行的地点代码 null 不是文本", "the place code null is not text"),
    ({"2": "420322"}, "picks 中第 2 行的“420322”是县区（郧西县）的代码",
     'picks: row 2: "420322" is the code of a county (Yunxi County)'),
    ({"abc": "420322100001"}, "picks 中的“abc”不是行号", 'picks: "abc" is not a row number.'),
    ({"²": "420322100001"}, "picks 中的“²”不是行号", 'picks: "²" is not a row number.'),
    ([], "参数 picks=[] 无效：应为对象 {行号: 地点代码}", "Bad parameter picks=[]: expected an object"),
], ids=["unknown", "unknown_digits", "no_such_row", "number", "null", "county", "not_a_row", "superscript", "list"])
def test_wrong_picks_say_what_is_wrong(client, shiyan, picks, zh, en):
    rep = _upload(client, _csv([("甲中心", _village(shiyan, YUNXI)), ("乙中心", _village(shiyan, YUNXI, 3))]))
    url = f"/api/data/uploads/{rep['upload_id']}/recheck"
    for lang, want in (("zh", zh), ("en", en)):
        r = client.post(f"{url}?lang={lang}", json={"picks": picks})
        assert r.status_code == 400, r.data[:300]
        msg = r.get_json()["message"]
        assert want in msg, msg
        assert '"{' not in msg and "{'" not in msg   # never the object re-serialised inside quotes
    # a refused pick is not kept: the upload checks and confirms as before
    again = client.post(url, json={}).get_json()
    assert again["counts"]["accepted"] == 2


def test_a_good_pick_of_a_row_numbered_with_a_leading_zero_is_used(client, shiyan):
    v = shiyan.villages
    dup = v["name"][v["name"].duplicated(keep=False)].iloc[0]   # a village name found in two places
    body = f"名称,村\n甲中心,{dup}\n".encode("utf-8")
    rep = client.post("/api/data/uploads", data={"kind": "facilities", "type": "day_care",
                                                  "file": (io.BytesIO(body), "名录.csv")},
                      content_type="multipart/form-data").get_json()
    amb = next(i for i in rep["issues"] if i["code"] == "ambiguous")
    code = amb["candidates"][0]["code"]
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck", json={"picks": {f"0{amb['row']}": code}})
    assert r.status_code == 200 and r.get_json()["counts"]["accepted"] == 1


def test_a_pick_for_a_row_with_coordinates_is_refused(client, shiyan):
    """Coordinates place a row; a pick for it would be kept and never used."""
    rep = _upload(client, _csv([("甲中心", _village(shiyan, YUNXI)), ("乙中心", _village(shiyan, YUNXI, 3))]))
    code = str(shiyan.villages[shiyan.villages["county_code"] == YUNXI].index[7])
    url = f"/api/data/uploads/{rep['upload_id']}/recheck"
    for lang, want in (("zh", "picks 中的第 2 行有经纬度，按经纬度定位"), ("en", "picks: row 2 has coordinates, which place it")):
        r = client.post(f"{url}?lang={lang}", json={"picks": {"2": code}})
        assert r.status_code == 400 and want in r.get_json()["message"], r.get_json()
        assert r.get_json()["details"]["row"] == "2"


# -- 13: "1 facility", "1 row" ---------------------------------------------------------------------
def test_english_counts_agree_with_their_number(client, shiyan):
    text = _upload(client, _csv([("甲中心", _village(shiyan, YUNXI))]), "en")["replaces"]["text"]
    assert "this file's 1 facility of type" in text and "replaces the" in text
    assert "1 facilities" not in text
    two = _upload(client, _csv([("甲中心", _village(shiyan, YUNXI)), ("乙中心", _village(shiyan, YUNXI, 3))]),
                  "en")["replaces"]["text"]
    assert "this file's 2 facilities of type" in two and '" replace the' in two


def test_refused_rows_note_and_diff_lines_in_the_singular():
    from web.data import diff_lines, note_in
    assert note_in("年检 （1 行未导入，见校验报告 / 1 row refused）", "en") == "年检 (1 row refused, see the report)"
    assert note_in("（1 行未导入，见校验报告 / 1 rows refused）", "en") == "(1 row refused, see the report)"  # stored before
    assert note_in("（3 行未导入，见校验报告 / 3 rows refused）", "zh") == "（3 行未导入，见校验报告）"
    lines = diff_lines({"townships": {"changed": [{"name": "城关镇"}]}, "villages": {"moved": [{"name": "甲村"}]},
                        "population": {"changed": [{"code": "1"}]}}, "en")
    assert lines == ["1 township boundary changed: 城关镇", "1 village point moved: 甲村", "population changed for 1 unit"]


def test_register_error_counts_one_row_in_the_singular(tmp_path, shiyan):
    from geo.errors import InputDataError
    from planner.register import validate_register
    path = tmp_path / "one.csv"
    path.write_text("名称,类型,经度,纬度\n甲中心,日间照料中心,abc,32.6\n", "utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(path, region=shiyan).raise_if_refused()
    assert "1 row not loaded" in e.value.en


# -- the Data page, as the county planner sees it ----------------------------------------------------
@pytest.fixture(scope="module")
def server(acc_app):
    from waitress.server import create_server

    from browser import Server
    acc_app.extensions["coverplan"]["service"].region_layers()
    srv = create_server(acc_app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    yield Server(f"http://127.0.0.1:{srv.effective_port}", acc_app)
    srv.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang, want, accepted", [
    ("zh", "不会导入任何行：须先从文件中删去不在 郧西县（420322） 内的 1 行（其余 1 行届时可导入）。", "可导入"),
    ("en", "Nothing will be imported: first remove the 1 row outside Yunxi County (420322) from the file "
           "(the other 1 row can then be imported).", "accepted"),
], ids=["zh", "en"])  # (short ids: the page fixture names its screenshot after the test)
def test_data_page_summary_says_nothing_is_imported(page, shiyan, tmp_path, lang, want, accepted):
    path = tmp_path / "日照.csv"
    path.write_bytes(_csv([("茅箭越界中心", _village(shiyan, MAOJIAN)), ("郧西一号中心", _village(shiyan, YUNXI))]))
    page.goto(page.base + f"/login?lang={lang}")
    page.fill("input[name=name]", "yunxi")
    page.fill("input[name=password]", PW)
    with page.expect_navigation():   # signed in (the session cookie set) before the Data page is asked for
        page.keyboard.press("Enter")
    assert "/login" not in page.url, page.url
    page.goto(page.base + f"/data?lang={lang}")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    page.wait_for_selector("#report[data-ready='1']")
    line = page.inner_text("#r-counts")
    assert line.startswith(want), line
    refused = "被拒绝 1" if lang == "zh" else "refused 1"
    assert refused in line and f"{accepted} 1 ·" not in line   # no "accepted 1" beside "nothing is imported"
    assert page.is_disabled("#r-confirm")
    page.locator("#report").screenshot(path=f"test-artifacts/qa10-data-outside-county-{lang}.png")


# -- a county planner's village (or township) layer: rows outside his county are said before confirm --
def test_village_points_outside_the_county_are_said_before_confirm(acc_app, shiyan):
    v = shiyan.villages
    mine, other = v[v["county_code"] == YUNXI].iloc[0], v[v["county_code"] == MAOJIAN].iloc[0]
    body = (f"code,lon,lat\n{mine.name},{mine.geometry.x:.6f},{mine.geometry.y:.6f}\n"
            f"{other.name},{other.geometry.x:.6f},{other.geometry.y:.6f}\n").encode("utf-8")
    yunxi = as_user(acc_app, "yunxi")
    for lang, words in (("zh", ("不会导入任何行", "有 1 行不在您可修改的 郧西县")),
                        ("en", ("Nothing will be imported", "1 row lies outside Yunxi County"))):
        r = yunxi.post(f"/api/data/uploads?lang={lang}", data={"kind": "villages", "coords": "wgs84",
                                                               "file": (io.BytesIO(body), "村点.csv")},
                       content_type="multipart/form-data")
        assert r.status_code == 200, r.data[:400]
        rep = r.get_json()
        c = rep["counts"]
        assert (c["accepted"], c["refused"], c["outside_county"]) == (1, 1, 1)
        assert rep["blocked"]["text"].startswith(words[0]) and words[1] in rep["replaces"]["text"]
        assert [i["row"] for i in rep["issues"] if i["code"] == "outside_county"] == [3]  # its line, the header line 1 (QA 18)
        assert other["name"] in rep["replaces"]["outside_rows"][0]["name"]
    assert yunxi.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 403
