"""QA 34 (fixer F16): an encoding chosen by hand that decodes the file, but into garbled text, is refused.

A UTF-8 file read with 文字编码 = UTF-16 (an even number of bytes) was "缺少列 code、lon、lat（现有列：믤膠辻뫥…）",
and with GBK it read silently as mojibake (only a warning "未读取的列：鍚嶇О"). Now both say the encoding chosen
reads the file as garbled text, quote both readings, and name UTF-8 (the web's Data page, the CLI's --encoding,
every reader: geo.points.decode_text). A file in the encoding chosen still reads; detection is as it was.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geo.errors import InputDataError
from geo.imports import check_villages
from geo.points import decode_text
from geo.tables import read_table
from test_qa21_cli import run
from test_qa27_provenance import upload

SOURCE = Path(__file__).resolve().parent.parent / "data" / "regions" / "shiyan" / "source"

#: The tester's first file: Chinese headers, read with UTF-16 chosen (an even number of bytes: it decodes).
HEADED = "代码,经度,纬度,名称\n420302001001,110.80,32.60,白马沟村\n420302001002,110.81,32.61,店子镇村\n"
#: The tester's second: English headers and a name column, read with GBK chosen.
NAMED = "code,lon,lat,名称\n420302001001,110.80,32.60,白马沟村\n420302001002,110.81,32.61,店子镇村\n"


def _refused(fn, *args, **kwargs) -> InputDataError:
    with pytest.raises(InputDataError) as exc:
        fn(*args, **kwargs)
    return exc.value


def _even(text: str) -> bytes:
    raw = text.encode("utf-8")
    return raw if len(raw) % 2 == 0 else raw + b"\n"


def test_the_cases_decode_silently_without_the_check():
    """The files of the tests below do decode in the encoding chosen (else they would test the other error)."""
    assert len(_even(HEADED)) % 2 == 0 and _even(HEADED).decode("utf-16")
    assert NAMED.encode("utf-8").decode("gbk").startswith("code,lon,lat,鍚嶇О")
    assert NAMED.encode("utf-8").decode("gb18030").startswith("code,lon,lat,鍚嶇О")


# -- 1. a UTF-8 file read with UTF-16 chosen ------------------------------------------------------------------

def test_utf8_read_as_the_utf16_chosen_names_utf8(shiyan, tmp_path):
    path = tmp_path / "村.csv"
    path.write_bytes(_even(HEADED))
    for fn, args in ((read_table, (path,)), (check_villages, (shiyan, path))):
        err = _refused(fn, *args, encoding="utf-16")
        zh, en = err.message("zh"), err.message("en")
        assert "村.csv：所选的文字编码 UTF-16 把文件读成了乱码" in zh and "（按 UTF-8 读取）" in zh, zh
        assert "“代码,经度,纬度,名称”" in zh and "“文字编码”改为 UTF-8" in zh and "“自动识别”" in zh, zh
        assert "缺少列" not in zh and "믤" in zh, zh
        assert "村.csv: the text encoding chosen, UTF-16, reads this file as garbled text: \"믤" in en, en
        assert 'where UTF-8 reads "代码,经度,纬度,名称"' in en, en
        assert 'The file reads as UTF-8: set "Text encoding" to UTF-8, or to "detect".' in en, en
        assert "missing" not in en.lower() and "\u201c" not in en and "\u201d" not in en, en  # straight quotes
        assert err.details["detected"] == "UTF-8" and err.details["encoding"] == "utf-16", err.details


def test_an_odd_length_file_is_still_said_to_be_unreadable(tmp_path):
    """What was caught before (the last byte of an odd length) is said as it was."""
    raw = HEADED.encode("utf-8") + (b"" if len(HEADED.encode("utf-8")) % 2 else b"\n")
    err = _refused(decode_text, raw, "村.csv", "utf-16")
    assert "the text encoding chosen, UTF-16, cannot read the file" in err.en and "UTF-8" in err.hint_en, err.en


def test_gbk_read_as_the_utf16_chosen_names_gbk():
    raw = HEADED.encode("gbk")
    raw += b"" if len(raw) % 2 == 0 else b"\n"
    err = _refused(decode_text, raw, "村.csv", "utf-16")
    assert "所选的文字编码 UTF-16 把文件读成了乱码" in err.zh and "（按 GBK 读取）" in err.zh, err.zh
    assert "“文字编码”改为 GBK" in err.hint_zh, err.hint_zh
    assert 'where GBK reads "代码,经度,纬度,名称"' in err.en and '"Text encoding" to GBK' in err.hint_en, err.en


def test_nothing_reading_it_suggests_detect():
    err = _refused(decode_text, b"\xff\x41,\x41\n\x41\xff\x42", "x.csv", "utf-16")  # no reading but UTF-16's
    assert "none of the commas, tabs or line breaks of a table" in err.en and '"detect"' in err.hint_en, err.en
    assert "读不出表格的逗号、制表符或换行" in err.zh and "“自动识别”" in err.hint_zh, err.zh


# -- 2. a UTF-8 file read with GBK (or GB18030) chosen --------------------------------------------------------

@pytest.mark.parametrize("chosen, shown", [("gbk", "GBK"), ("gb18030", "GB18030")])
def test_utf8_read_as_the_gbk_chosen_names_utf8(shiyan, tmp_path, chosen, shown):
    path = tmp_path / "村.csv"
    path.write_bytes(NAMED.encode("utf-8"))
    for fn, args in ((read_table, (path,)), (check_villages, (shiyan, path))):
        err = _refused(fn, *args, encoding=chosen)
        zh, en = err.message("zh"), err.message("en")
        assert f"村.csv：所选的文字编码 {shown} 把文件读成了乱码：文件中的“名称”（按 UTF-8 读取）被读成“鍚嶇О”" in zh, zh
        assert "文件可按 UTF-8 编码读取：请把“文字编码”改为 UTF-8，或改为“自动识别”。" in zh, zh
        assert f'the text encoding chosen, {shown}, reads this file as garbled text: "鍚嶇О" where UTF-8 reads "名称"' \
            in en, en
        assert '"Text encoding" to UTF-8' in en and "未读取" not in zh, en
    # a BOM too
    path.write_bytes(NAMED.encode("utf-8-sig"))
    err = _refused(read_table, path, encoding=chosen)
    assert "UTF-8" in err.hint_en and "改为 UTF-8" in err.hint_zh, err.en


# -- through the faces: the Data page's upload and the command line -----------------------------------------

def test_the_upload_refuses_both(client):
    for body, chosen, shown in ((NAMED.encode("utf-8"), "gbk", "GBK"), (_even(HEADED), "utf-16", "UTF-16")):
        r = upload(client, body, "村.csv", kind="villages", encoding=chosen)
        got = r.get_json()
        assert r.status_code == 400, got
        assert f"所选的文字编码 {shown} 把文件读成了乱码" in got["message"] and "改为 UTF-8" in got["message"], got
        assert f"the text encoding chosen, {shown}, reads this file as garbled text" in got["message_en"], got
        assert "UTF-8 reads" in got["message_en"] and "缺少列" not in got["message"], got


def test_the_command_refuses_both(var_dir, tmp_path, capsys):
    path = tmp_path / "村.csv"
    for body, chosen, shown in ((NAMED.encode("utf-8"), "gbk", "GBK"), (_even(HEADED), "utf-16", "UTF-16")):
        path.write_bytes(body)
        code, out, err = run(capsys, "--lang", "en", "data", "import", "villages", str(path), "--encoding", chosen,
                             "--dry-run")
        assert code == 2 and "Traceback" not in err, err
        assert f"the text encoding chosen, {shown}, reads this file as garbled text" in err and "UTF-8 reads" in err, err
        code, out, err = run(capsys, "--lang", "zh", "data", "import", "villages", str(path), "--encoding", chosen,
                             "--dry-run")
        assert code == 2 and f"所选的文字编码 {shown} 把文件读成了乱码" in err and "改为 UTF-8" in err, err


# -- 3. files in the encoding chosen still read; detection unchanged ----------------------------------------

def _region_names() -> list[str]:
    names = set()
    for name in ("villages_nbs2023.csv", "townships_nbs2023.csv"):
        with open(SOURCE / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                names.update(v for k, v in row.items() if k in ("name", "township_name") and v)
    return sorted(names)


def test_every_name_of_the_region_in_gbk_reads_with_gbk_chosen():
    names = _region_names()
    assert len(names) > 1500, len(names)
    for enc in ("gbk", "gb18030"):
        for name in names:
            for text in (name, f"code,名称\n1,{name}\n"):  # alone too (a short text is likelier valid UTF-8)
                assert decode_text(text.encode(enc), "x.csv", enc) == (text, enc), (enc, name)


@pytest.mark.parametrize("text", ["茅山", "韪查肪", "濯虹锤", "杈昏砍", "憬搁泊", "悻硅报", "code,name\n1,杈昏砍\n"])
def test_gbk_text_that_is_also_valid_utf8_is_kept(text):
    """GBK bytes that happen to be valid UTF-8 (as 茅山 is, and these three-character strings, whose UTF-8 reading is
    two rarer ideographs: 杈昏砍 as 辻迳) are read as the GBK chosen: its reading is the commoner text."""
    raw = text.encode("gbk")
    raw.decode("utf-8")  # (valid UTF-8 indeed)
    assert decode_text(raw, "x.csv", "gbk") == (text, "gbk")
    assert decode_text(raw, "x.csv", "gb18030") == (text, "gb18030")


@pytest.mark.parametrize("enc, chosen, used", [
    ("gbk", "gbk", "gbk"), ("gb18030", "gb18030", "gb18030"), ("gbk", "gb18030", "gb18030"),
    ("utf-16", "utf-16", "utf-16"), ("utf-16-le", "utf-16", "utf-16-le"), ("utf-16-be", "utf-16", "utf-16-be"),
    ("utf-8", "utf-8", "utf-8")])
def test_a_region_file_in_the_encoding_chosen_reads(tmp_path, enc, chosen, used):
    text = (SOURCE / "villages_nbs2023.csv").read_text("utf-8")
    assert decode_text(text.encode(enc), "v.csv", chosen) == (text, used)
    path = tmp_path / "v.csv"
    path.write_bytes(text.encode(enc))
    assert read_table(path, encoding=chosen).frame.equals(read_table(SOURCE / "villages_nbs2023.csv").frame)


def test_a_village_file_in_gbk_with_gbk_chosen_imports(shiyan, tmp_path):
    path = tmp_path / "村.csv"
    path.write_bytes(NAMED.replace("名称", "名称,乡镇").replace("村\n", "村,武当路街道\n").encode("gbk"))
    for chosen in ("gbk", "gb18030", None):
        got = check_villages(shiyan, path, encoding=chosen)
        assert list(got["code"]) == ["420302001001", "420302001002"], got
        assert got["lon"].tolist() == [110.80, 110.81] and got["lat"].tolist() == [32.60, 32.61], got


@pytest.mark.parametrize("raw, enc", [(NAMED.encode("utf-8"), "utf-8"), (_even(HEADED), "utf-8"),
                                      (NAMED.encode("gbk"), "gbk"), (HEADED.encode("utf-16"), "utf-16"),
                                      (HEADED.encode("utf-16-le"), "utf-16-le")])
def test_detection_is_unchanged(raw, enc):
    text, used = decode_text(raw, "x.csv")
    assert used == enc and "白马沟村" in text
