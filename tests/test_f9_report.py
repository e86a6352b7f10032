"""Fixer F9: the validation report's download (report.xlsx / report.csv) says what the Data page shows above
its table after a check: the counts with the skipped totals rows, the encoding, the datum, the column mapping
(file column -> field), what confirming replaces, and the file's notes and file-wide problems; in the
language asked. The workbook has them as a summary above its table (one sheet, as before); the CSV as
"说明/note" rows after its rows of problems (its header stays the second line)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from test_qa27_provenance import upload

# a GBK register: 院名 is no header the reader knows (mapped by hand to the name), a 合计 row under the homes
REGISTER = ("序号,院名,类型,所属乡镇,经度,纬度\n"
            "1,郧西县城关镇日间照料中心,日间照料中心,城关镇,110.4193,32.9938\n"
            "2,郧西县土门镇日间照料中心,日间照料中心,土门镇,110.1450,33.1320\n"
            ",合计,,,,\n").encode("gbk")
COLON = {"zh": "：", "en": ": "}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("f9") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def checked(client):
    """The upload checked with 院名 mapped to the name, its answers in both languages: (uid, {lang: answer}),
    plus the first check's answer (no name column: the mapping card, QA 34)."""
    first = upload(client, REGISTER, "敬老院名录.csv")
    assert first.status_code == 422, first.data[:300]
    first = first.get_json()
    uid = first["upload_id"]
    assert first["needs_mapping"] and first["missing"] == ["name"], first
    answers = {}
    for lang in ("zh", "en"):  # the English check last: the Chinese download must still say the Chinese
        r = client.post(f"/api/data/uploads/{uid}/recheck?lang={lang}",
                        json={"column_map": {**first["column_map"], "name": "院名"}})
        assert r.status_code == 200, r.data[:300]
        answers[lang] = r.get_json()
    return uid, answers, first


def xlsx_summary(data: bytes, sheet: str) -> tuple[list[tuple[str, object]], list]:
    """(the summary's (label, value) rows, a continued label repeated; the sheet's rows) of a report workbook."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == sheet and wb.active.title == sheet  # the summary above the table; then the 变更 / Changes sheet (QA 33)
    rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] in ("概况", "Summary")) + 1
    out, label = [], None
    for r in rows[start:]:
        if r[0] is None and r[1] is None:
            break
        label = r[0] or label
        out.append((label, r[1]))
    return out, rows


def csv_notes(data: bytes) -> tuple[list[list[str]], list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return rows, [r[3] for r in rows[2:] if r[2] in ("说明", "note")]


def mapping_lines(answer: dict, lang: str) -> list[str]:
    from planner.i18n import t

    return [f"{col} → {t('data_field_' + field, lang)}" for field, col in answer["columns"].items()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_summarises_the_check_as_the_page_does(client, checked, lang):
    uid, answers, _ = checked
    rep = answers[lang]
    c = rep["counts"]
    assert (c["rows"], c["accepted"], c["refused"], c["skipped"]) == (3, 2, 0, 1), c
    assert rep["columns"]["name"] == "院名" and rep["encoding"] == "GBK" and rep["replaces"]["text"]
    r = client.get(f"/api/data/uploads/{uid}/report.xlsx?lang={lang}")
    assert r.status_code == 200
    summary, rows = xlsx_summary(r.data, "校验报告" if lang == "zh" else "Validation report")
    said = dict(summary)
    en = lang == "en"
    assert said["File" if en else "文件"] == "敬老院名录.csv"
    assert said["Rows read" if en else "读取行数"] == c["rows"]
    assert said["Accepted" if en else "可导入"] == c["accepted"]
    assert said["Refused" if en else "被拒绝"] == c["refused"]
    assert said["Warnings" if en else "提醒"] == c["warnings"]
    assert said["Skipped rows (totals, footers, repeated rows or closed facilities)" if en else "略过的行（合计、表尾、重复行或已关闭的设施）"] == ("1 (row 4)" if en else "1 行（第 4 行）")
    assert said["Text encoding" if en else "文字编码"] == rep["encoding"]
    assert said["Datum" if en else "坐标系"] == ("WGS84 / CGCS2000 (GPS, Tianditu)" if en else "WGS84 / CGCS2000（GPS、天地图）")
    mapped = [v for k, v in summary if k == ("Columns (file → field)" if en else "列对应（文件列 → 字段）")]
    assert mapped == mapping_lines(rep, lang) and ("院名 → name" if en else "院名 → 名称") in mapped
    # what confirming replaces: the page's sentence, in the language asked (the last check was in English)
    assert said["Confirming replaces" if en else "确认导入将替换"] == rep["replaces"]["text"]
    # the file's note on the skipped row, as the page lists it
    assert said["Note" if en else "说明"] == rep["notes"][0]
    # the table follows, its header and rows as before
    head = next(i for i, row in enumerate(rows) if row[0] in ("行号", "Row"))
    assert rows[head] == (["Row", "Column", "Level", "Problem", "Fix", "Value as written"] if en
                          else ["行号", "列", "级别", "问题", "处理办法", "原值"])
    assert [row[0] for row in rows[head + 1:] if row[0] is not None] == [4]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_csv_ends_with_the_summary_as_notes(client, checked, lang):
    uid, answers, _ = checked
    rep = answers[lang]
    c = rep["counts"]
    r = client.get(f"/api/data/uploads/{uid}/report.csv?lang={lang}")
    assert r.status_code == 200
    rows, notes = csv_notes(r.data)
    en, colon = lang == "en", COLON[lang]
    # the title says the skipped rows too; the header is still the second line, six columns every row
    assert ("skipped: 1" if en else "已略过: 1") in rows[0][0]
    assert rows[1] == (["Row", "Column", "Level", "Problem", "Fix", "Value as written"] if en
                       else ["行号", "列", "级别", "问题", "处理办法", "原值"])
    assert all(len(row) == 6 for row in rows[1:])
    assert rows[3][0] == "4"  # the note on the skipped row, then its warning: the problems come first
    for label, value in ((("Rows read", "读取行数"), c["rows"]), (("Accepted", "可导入"), c["accepted"]),
                         (("Refused", "被拒绝"), c["refused"]), (("Text encoding", "文字编码"), rep["encoding"]),
                         (("Skipped rows (totals, footers, repeated rows or closed facilities)", "略过的行（合计、表尾、重复行或已关闭的设施）"), "1 (row 4)" if en else "1 行（第 4 行）"),
                         (("Confirming replaces", "确认导入将替换"), rep["replaces"]["text"])):
        assert f"{label[0 if en else 1]}{colon}{value}" in notes, (label, notes)
    head = "Columns (file → field)" if en else "列对应（文件列 → 字段）"
    assert [n for n in notes if n.startswith(head)] == [f"{head}{colon}{m}" for m in mapping_lines(rep, lang)]
    # the summary rows come after the problems
    assert notes.index(f"{'Rows read' if en else '读取行数'}{colon}{c['rows']}") > notes.index(rep["notes"][0])


def test_a_missing_name_column_opens_the_mapping_card_naming_the_columns_not_read(checked):
    *_, first = checked  # a file-wide error before QA 34, with a report; now the mapping card asks for the column
    assert "院名" in first["message_zh"] and "名称" in first["message_zh"], first["message_zh"]
    assert "no name column" in first["message_en"] and "院名" in first["message_en"], first["message_en"]


def test_the_version_keeps_the_summary_and_an_older_report_has_its_counts(client, app, checked):
    uid, answers, _ = checked
    done = client.post(f"/api/data/uploads/{uid}/confirm")
    assert done.status_code == 200, done.data[:300]
    version = done.get_json()["version"]
    url = f"/api/data/versions/{version}/report.xlsx?lang=zh"
    said = dict(xlsx_summary(client.get(url).data, "校验报告")[0])
    # the version's report says which version the file made, and what it replaced as said before (QA 30: it read
    # as a check still to confirm, "confirming replaces")
    assert said["文字编码"] == "GBK" and said["可导入"] == 2 and said["确认后生成的数据版本"] == f"v{version}"
    assert said["确认前的说明（替换范围）"] == answers["zh"]["replaces"]["text"] and "确认导入将替换" not in said
    # a report kept before F9 (or by `coverplan data import`): no facts kept, the counts said, never a 500
    kept = Path(app.config["DATA_DIR"]) / "reports" / f"v{version}" / "meta.json"
    meta = json.loads(kept.read_text("utf-8"))
    kept.write_text(json.dumps({k: v for k, v in meta.items() if k not in ("facts", "options", "version_checked")},
                               ensure_ascii=False), "utf-8")
    for fmt in ("xlsx", "csv"):
        r = client.get(f"/api/data/versions/{version}/report.{fmt}?lang=en")
        assert r.status_code == 200, r.data[:300]
    said = dict(xlsx_summary(client.get(f"/api/data/versions/{version}/report.xlsx?lang=en").data,
                             "Validation report")[0])
    assert said["Accepted"] == 2 and said["Skipped rows (totals, footers, repeated rows or closed facilities)"] == "1 (row 4)"
    assert "Text encoding" not in said and "Confirming replaces" not in said


def test_a_refused_confirm_is_said_with_its_reason_in_the_language_asked(tmp_path, shiyan):
    """A county planner's file with a row outside his county: the confirm is refused while it remains."""
    from accounts import accounts_app, signed_in

    app = accounts_app(tmp_path, (("yunxi", "planner", "420322"),))
    try:
        c = signed_in(app, "yunxi")
        v = shiyan.villages
        pts = [v[v["county_code"] == code].iloc[0].geometry for code in ("420302", "420322")]
        body = ("名称,类型,经度,纬度\n" + "".join(f"中心{i},日间照料中心,{p.x:.6f},{p.y:.6f}\n"
                                             for i, p in enumerate(pts))).encode("utf-8")
        zh = upload(c, body, "越界.csv").get_json()
        en = c.post(f"/api/data/uploads/{zh['upload_id']}/recheck?lang=en", json={}).get_json()
        assert zh["blocked"]["text"].startswith("不会导入任何行") and en["blocked"]["text"].startswith("Nothing will")
        for lang, answer in (("zh", zh), ("en", en)):
            r = c.get(f"/api/data/uploads/{zh['upload_id']}/report.xlsx?lang={lang}")
            said = dict(xlsx_summary(r.data, "校验报告" if lang == "zh" else "Validation report")[0])
            assert said["无法确认导入" if lang == "zh" else "Confirm refused"] == answer["blocked"]["text"]
            assert said["不在您可修改的县区内" if lang == "zh" else "Outside the county you may change"] == 1
            # a county planner is told a rollback is not his to do, as the page tells him
            replaces = said["确认导入将替换" if lang == "zh" else "Confirming replaces"]
            assert replaces.startswith(answer["replaces"]["text"])
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_a_file_wholly_outside_the_county_replaces_nothing_in_its_report(tmp_path, shiyan):
    """The page leaves out "0 facilities replace the 59 now" beside "nothing will be imported"; the download
    said it still (QA 30)."""
    from accounts import accounts_app, signed_in

    app = accounts_app(tmp_path, (("fang", "planner", "420325"),))
    try:
        c = signed_in(app, "fang")
        v = shiyan.villages
        pts = v[v["county_code"] == "420322"].iloc[:2].geometry
        body = ("名称,类型,经度,纬度\n" + "".join(f"中心{i},日间照料中心,{p.x:.6f},{p.y:.6f}\n"
                                             for i, p in enumerate(pts))).encode("utf-8")
        zh = upload(c, body, "郧西.csv").get_json()
        assert zh["blocked"] and zh["counts"]["accepted"] == 0
        said = dict(xlsx_summary(c.get(f"/api/data/uploads/{zh['upload_id']}/report.xlsx?lang=zh").data, "校验报告")[0])
        assert "确认导入将替换" not in said and said["无法确认导入"] == zh["blocked"]["text"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
