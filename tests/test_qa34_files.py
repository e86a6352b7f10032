"""QA 34 (fixer F12): what the file readers say of an empty file and of a wrong encoding chosen by hand.

1. An empty workbook uploaded as village points was told "one row per facility": every empty file or workbook is
   now told what the kind of data asked for holds (facilities, village points, township boundaries, population).
2. An empty CSV uploaded as township boundaries (read as a GIS layer) was "cannot read as a GIS layer (damaged, or
   another format)": it is said to be empty (0 bytes, or only blank space), with what the layer needs.
3. A GBK file read with 文字编码 = UTF-8 chosen by hand (or a UTF-8 file with GBK) was told "save it as 'CSV UTF-8',
   or state its encoding": it now says the encoding chosen cannot read it (the byte and line), and what to choose
   instead (the encoding detected, else 自动识别 / "detect"). Auto-detection's message is as it was.
"""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from geo.errors import InputDataError
from geo.imports import check_townships, check_villages
from geo.tables import read_table
from test_qa27_provenance import upload


def _empty_workbook(path):
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)
    return path


def _refused(fn, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(InputDataError) as exc:
        fn(*args, **kwargs)
    return exc.value.message("zh"), exc.value.message("en")


# -- 1. an empty file or workbook is told what the kind asked for holds ----------------------------------------

@pytest.mark.parametrize("what, zh_word, en_word", [
    ("facilities", "每行一处设施", "one row per facility"),
    ("villages", "每行一个村（社区）", "one row per village or community"),
    ("townships", "乡镇边界图层", "township boundary layer"),
    ("population", "人口列", "population columns"),
])
@pytest.mark.parametrize("name", ["e.xlsx", "e.csv"])
def test_an_empty_table_is_told_what_its_kind_holds(tmp_path, what, zh_word, en_word, name):
    path = _empty_workbook(tmp_path / name) if name.endswith(".xlsx") else tmp_path / name
    if name.endswith(".csv"):
        path.write_bytes(b"")
    zh, en = _refused(read_table, path, what=what)
    assert ("工作簿是空的" if name.endswith(".xlsx") else "文件是空的（0 字节）") in zh, zh
    assert ("the workbook is empty" if name.endswith(".xlsx") else "the file is empty (0 bytes)") in en, en
    assert zh_word in zh and en_word in en, (zh, en)
    others = {"facilities": ("设施", "facilit"), "villages": ("村", "village"), "townships": ("乡镇", "township")}
    for kind, (z, e) in others.items():  # no other kind's words ("one row per facility" of a village file)
        if kind != what and not (what == "population" and kind == "villages"):
            assert z not in zh and e not in en.lower(), (what, zh, en)


def test_a_reader_not_told_the_kind_names_none(tmp_path):
    zh, en = _refused(read_table, _empty_workbook(tmp_path / "e.xlsx"))
    assert "工作簿是空的" in zh and "设施" not in zh and "村" not in zh, zh
    assert "the workbook is empty" in en and "facilit" not in en and "village" not in en, en


def test_an_empty_village_workbook_speaks_of_villages(shiyan, tmp_path):
    """The tester's case: an empty .xlsx read as 村（社区）点位 by the village reader itself."""
    zh, en = _refused(check_villages, shiyan, _empty_workbook(tmp_path / "村.xlsx"))
    assert "工作簿是空的" in zh and "code,lon,lat" in zh and "村（社区）" in zh and "设施" not in zh, zh
    assert "the workbook is empty" in en and "village or community" in en and "facilit" not in en, en
    # a CSV of blank space and a BOM too, with its bytes said
    (tmp_path / "村.csv").write_bytes(b"\xef\xbb\xbf \r\n,,\r\n")
    zh, en = _refused(check_villages, shiyan, tmp_path / "村.csv")
    assert "文件是空的：10 字节全是空白或分隔符" in zh and "村（社区）" in zh and "设施" not in zh, zh
    assert "its 10 bytes are only blank space or separators" in en and "village" in en, en


# -- 2. an empty file read as a GIS layer is said to be empty ------------------------------------------------

@pytest.mark.parametrize("body, name, zh_said, en_said", [
    (b"", "乡镇.csv", "文件是空的（0 字节）", "the file is empty (0 bytes)"),
    (b"\xef\xbb\xbf  \n\n", "乡镇.csv", "文件是空的：7 字节全是空白，没有要素", "the file is empty: its 7 bytes are only blank space, with no features"),
    (b"\xff\xfe \x00\n\x00", "乡镇.csv", "文件是空的：6 字节全是空白", "the file is empty: its 6 bytes are only blank space"),
    (b"", "乡镇.geojson", "文件是空的（0 字节）", "the file is empty (0 bytes)"),
    (b"", "乡镇.zip", "文件是空的（0 字节）", "the file is empty (0 bytes)"),
])
def test_an_empty_township_file_is_said_to_be_empty(shiyan, tmp_path, body, name, zh_said, en_said):
    (tmp_path / name).write_bytes(body)
    zh, en = _refused(check_townships, shiyan, tmp_path / name)
    assert zh.startswith(f"{name}：{zh_said}") and "乡镇边界图层每个乡镇（街道）一个面要素" in zh, zh
    assert en.startswith(f"{name}: {en_said}") and "one polygon per township" in en, en
    assert "GIS图层读取" not in zh and "cannot read as a GIS layer" not in en and "damaged" not in en, en


def test_an_empty_village_layer_is_said_to_be_empty(shiyan, tmp_path):
    (tmp_path / "村.geojson").write_bytes(b"  \n")
    zh, en = _refused(check_villages, shiyan, tmp_path / "村.geojson")
    assert "文件是空的：3 字节全是空白，没有要素" in zh and "村（社区）" in zh, zh
    assert "the file is empty: its 3 bytes" in en and "village" in en and "cannot read" not in en, en


def test_a_layer_with_content_is_still_read(shiyan, tmp_path):
    """The blank check stops at the first byte that is not blank space: a damaged layer is still said as such."""
    (tmp_path / "乡镇.geojson").write_bytes(b"   \n" + b"x" * 100)
    zh, en = _refused(check_townships, shiyan, tmp_path / "乡镇.geojson")
    assert "文件是空的" not in zh and "empty" not in en, en


# -- 3. an encoding chosen by hand that does not read the file -----------------------------------------------

VILLAGES = "代码,经度,纬度\n420302001001,110.8,32.6\n"


def test_gbk_read_as_the_utf8_chosen_names_gbk(shiyan, tmp_path):
    (tmp_path / "村.csv").write_bytes(VILLAGES.encode("gbk"))
    zh, en = _refused(check_villages, shiyan, tmp_path / "村.csv", encoding="utf-8")
    assert "UTF-8 为所选的文字编码" in zh and "第 1 行的字节 0xB4" in zh, zh
    assert "文件可按 GBK 编码读取" in zh and "“文字编码”改为 GBK" in zh and "“自动识别”" in zh, zh
    assert "指定文件的编码" not in zh, zh
    assert "the text encoding chosen, UTF-8, cannot read the file (byte 0xB4 on line 1)" in en, en
    assert "The file reads as GBK" in en and '"Text encoding" to GBK' in en and '"detect"' in en, en
    assert "--encoding" not in en and "state its encoding" not in en, en  # one wording for every face


def test_utf8_read_as_the_gbk_chosen_names_utf8(shiyan, tmp_path):
    (tmp_path / "乡镇.csv").write_bytes(VILLAGES.encode("utf-8"))
    for check in (check_villages, check_townships):  # a table and a text layer
        zh, en = _refused(check, shiyan, tmp_path / "乡镇.csv", encoding="gbk")
        assert "无法以 GBK 编码读取文件（GBK 为所选的文字编码；第 1 行的字节" in zh, zh
        assert "文件可按 UTF-8 编码读取" in zh and "“自动识别”" in zh and "另存为" not in zh, zh
        assert "the text encoding chosen, GBK, cannot read the file (byte 0x" in en, en
        assert "The file reads as UTF-8" in en and "--encoding" not in en and "save the table" not in en, en


def test_nothing_reads_it_suggests_detect(tmp_path):
    (tmp_path / "x.csv").write_bytes(b"code,lon,lat\n1,2,3\n\xff\xfe\xff\n")
    zh, en = _refused(read_table, tmp_path / "x.csv", encoding="gbk")
    assert "GBK 为所选的文字编码；第 3 行的字节 0xFF" in zh and "“自动识别”" in zh and "文件可按" not in zh, zh
    assert "byte 0xFF on line 3" in en and '"detect"' in en and "reads as" not in en, en
    # detected, the message is as it was
    zh, en = _refused(read_table, tmp_path / "x.csv")
    assert "无法以 UTF-8、GBK、GB18030 编码读取文件（第 3 行起）" in zh and "指定文件的编码" in zh, zh
    assert "Save the table as 'CSV UTF-8' in your spreadsheet program, or state its encoding." in en, en


# -- through the Data page's upload ---------------------------------------------------------------------------

def test_the_upload_says_it_of_the_kind_chosen(client):
    r = upload(client, b"", "乡镇边界.csv", kind="townships")
    body = r.get_json()
    assert r.status_code == 400, body
    assert "文件是空的（0 字节）" in body["message"] and "乡镇" in body["message"], body
    assert "the file is empty (0 bytes)" in body["message_en"] and "GIS layer" not in body["message_en"], body
    buf = io.BytesIO()
    Workbook().save(buf)
    r = upload(client, buf.getvalue(), "村.xlsx", kind="villages")
    body = r.get_json()
    assert r.status_code == 400 and "工作簿是空的" in body["message"] and "村（社区）" in body["message"], body
    assert "设施" not in body["message"] and "facilit" not in body["message_en"], body
    r = upload(client, VILLAGES.encode("gbk"), "村.csv", kind="villages", encoding="utf-8")
    body = r.get_json()
    assert r.status_code == 400 and "改为 GBK" in body["message"] and "The file reads as GBK" in body["message_en"], body
