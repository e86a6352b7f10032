"""QA 36 (fixer QA36-G3): a Big5 register read as GB18030, and per-row coordinate systems written as people write them.

1. With no encoding chosen, the first codec that decoded a file won: GB18030 decodes any Big5 bytes, so a
   traditional-Chinese register saved as Big5 was accepted with its names garbled (十堰市社會福利院 as 橱カ穦褐皘), and
   one with a Big5 header was refused for its columns ("found: 嘿, 摸 ..."). A GBK/GB18030 reading that Big5 reads
   clearly better (geo.points.big5_reading, by geo.points.common_share) is now read as Big5, with a note saying it was
   detected; with GBK or GB18030 chosen by hand the file is refused with what Big5 reads and "detect" as the advice
   (Big5 is not offered to choose). GBK files, with traditional characters or not, are read as GBK as before.
2. A 坐标系 column holding WGS-84坐标系, CGCS2000坐标, 2000国家大地坐标系, GCJ-02坐标, 高德坐标, 百度坐标, BD-09坐标,
   EPSG:4326 or GPS坐标 had 9 rows of 10 refused "unknown coordinate system": each is now read as its datum
   (planner.register_checks.norm_datum), CGCS2000 as WGS84 as everywhere in coverplan.
"""
from __future__ import annotations

import numpy as np
import prcoords
import pytest

from geo.errors import InputDataError
from geo.points import decode_text
from geo.tables import read_table
from planner.register import validate_register
from planner.register_checks import norm_datum

#: Two real facilities' places in 张湾区 (lon, lat inside the region), written in traditional Chinese.
BIG5_ROWS = "name,type,lon,lat\n十堰市社會福利院,welfare_home,110.79,32.63\n張灣區養護院,welfare_home,110.75,32.65\n"
#: The same with a traditional-Chinese header.
BIG5_HEADER = "名稱,類型,經度,緯度\n十堰市社會福利院,welfare_home,110.79,32.63\n張灣區養護院,welfare_home,110.75,32.65\n"


def _refused(fn, *args, **kwargs) -> InputDataError:
    with pytest.raises(InputDataError) as exc:
        fn(*args, **kwargs)
    return exc.value


# -- 1. Big5 -----------------------------------------------------------------------------------------------
def test_the_case_is_one_gb18030_decodes_into_nonsense():
    """(else the tests below would test another path: a file nothing decodes)"""
    assert BIG5_ROWS.encode("cp950").decode("gb18030") != BIG5_ROWS
    with pytest.raises(UnicodeDecodeError):
        BIG5_ROWS.encode("cp950").decode("utf-8")


def test_a_big5_register_is_read_as_big5_with_its_names_and_a_note(shiyan, tmp_path):
    path = tmp_path / "名錄.csv"
    path.write_bytes(BIG5_ROWS.encode("cp950"))
    rep = validate_register(path, region=shiyan)
    assert rep.encoding == "Big5"
    assert rep.counts["accepted"] == 2 and rep.counts["refused"] == 0, rep.issues
    assert sorted(rep.accepted["name"]) == sorted(["十堰市社會福利院", "張灣區養護院"])
    zh, en = next(n for n in rep.notes if "Big5" in n[0])
    assert "文字编码识别为 Big5（繁体中文），已按 Big5 读取" in zh and "另存为“CSV UTF-8”" in zh, zh
    assert "detected as Big5 (traditional Chinese) and read as such" in en and "'CSV UTF-8'" in en, en


def test_a_big5_header_is_read_not_blamed_on_the_columns(shiyan, tmp_path):
    path = tmp_path / "名錄.csv"
    path.write_bytes(BIG5_HEADER.encode("cp950"))
    table = read_table(path)
    assert list(table.frame.columns) == ["名稱", "類型", "經度", "緯度"] and table.encoding == "Big5"
    # the headers as written are named (traditional headers are not among the known names: mapped by hand)
    err = _refused(validate_register, path, region=shiyan)
    assert "名稱, 類型, 經度, 緯度" in err.en and "嘿" not in err.en, err.en
    rep = validate_register(path, region=shiyan,
                            column_map={"name": "名稱", "type": "類型", "lon": "經度", "lat": "緯度"})
    assert rep.counts["accepted"] == 2, rep.issues
    assert "十堰市社會福利院" in set(rep.accepted["name"])


def test_plain_gbk_and_gbk_with_traditional_characters_stay_gbk(shiyan, tmp_path):
    """The other direction: GBK files are not taken for Big5, the region's own names (simplified) nor traditional
    ones written in GBK."""
    names = [str(n) for n in shiyan.villages["name"][:300]] + [str(n) for n in shiyan.townships["name"]]
    plain = "name,lon,lat\n" + "".join(f"{n},110.79,32.63\n" for n in names)
    assert decode_text(plain.encode("gbk"), "村.csv") == (plain, "gbk")
    # each name alone too (a short file has few characters to tell by): none is read as Big5
    for n in names:
        one = f"name,lon,lat\n{n}养老院,110.79,32.63\n"
        assert decode_text(one.encode("gbk"), "一.csv")[1] == "gbk", n
    mixed = "名称,类型,经度,纬度\n十堰市社會福利院,welfare_home,110.79,32.63\n張灣區養護院,welfare_home,110.75,32.65\n"
    path = tmp_path / "繁体.csv"
    path.write_bytes(mixed.encode("gbk"))
    rep = validate_register(path, region=shiyan)
    assert rep.encoding == "GBK" and not any("Big5" in zh for zh, _ in rep.notes)
    assert sorted(rep.accepted["name"]) == sorted(["十堰市社會福利院", "張灣區養護院"])


@pytest.mark.parametrize("chosen, shown", [("gb18030", "GB18030"), ("gbk", "GBK")])
def test_a_big5_file_with_gbk_or_gb18030_chosen_is_refused_with_detect_as_the_advice(tmp_path, chosen, shown):
    path = tmp_path / "名錄.csv"
    path.write_bytes(BIG5_ROWS.encode("cp950"))
    err = _refused(read_table, path, encoding=chosen)
    assert err.details["detected"] == "Big5", err.details
    assert "“自动识别”" in err.hint_zh and "Big5（繁体中文）" in err.hint_zh, err.hint_zh
    assert '"detect"' in err.hint_en and "Big5 (traditional Chinese)" in err.hint_en, err.hint_en
    if chosen == "gb18030":  # decoded, into nonsense: what Big5 reads is quoted
        assert "所选的文字编码 GB18030 把文件读成了乱码" in err.zh and "十堰市社會福利院" in err.zh, err.zh
        assert 'where Big5 reads "十堰市社會福利院"' in err.en, err.en
    else:  # GBK cannot decode it at all
        assert f"无法以 {shown} 编码读取文件" in err.zh and f"the text encoding chosen, {shown}, cannot read" in err.en


# -- 2. per-row coordinate systems ----------------------------------------------------------------------------
#: Cells of a 坐标系 column as planners write them, and the datum each names.
DATUM_CELLS = [("WGS-84坐标系", "wgs84"), ("CGCS2000坐标", "wgs84"), ("2000国家大地坐标系", "wgs84"),
               ("GCJ-02坐标", "gcj02"), ("高德坐标", "gcj02"), ("百度坐标", "bd09"), ("BD-09坐标", "bd09"),
               ("EPSG:4326", "wgs84"), ("GPS坐标", "wgs84"), ("wgs84", "wgs84")]


@pytest.mark.parametrize("cell, datum", DATUM_CELLS + [
    ("EPSG:4490", "wgs84"), ("天地图", "wgs84"), ("火星坐标系", "gcj02"), ("腾讯地图", "gcj02"), ("BD09LL", "bd09"),
    ("ＷＧＳ８４", "wgs84"), ("", ""), ("1980西安坐标系", None), ("北京54", None), ("百度墨卡托", None), ("BD09MC", None),
    ("CGCS2000 3度带", None), ("EPSG:3857", None), ("WGS84转GCJ02", None), ("xyz", None)])
def test_norm_datum_reads_a_cell_as_written(cell, datum):
    assert norm_datum(cell) == datum


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_coordinate_system_column_written_in_words_is_read_row_by_row(shiyan, tmp_path, lang):
    """Ten rows at one WGS84 place, each in the datum its cell names (converted from WGS84 with prcoords): all are
    accepted and come back to that place; before, 9 of 10 were refused "unknown coordinate system"."""
    lon0, lat0 = 110.79, 32.63
    forward = {"wgs84": lambda c: c, "gcj02": prcoords.wgs_gcj, "bd09": prcoords.wgs_bd}
    lines = ["name,type,lon,lat,坐标系"]
    for k, (cell, datum) in enumerate(DATUM_CELLS):
        c = forward[datum](prcoords.Coords(lat=lat0, lon=lon0))
        lines.append(f"养护院{k},welfare_home,{c.lon:.7f},{c.lat:.7f},{cell}")
    path = tmp_path / "坐标系.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = validate_register(path, region=shiyan)
    assert rep.counts["accepted"] == 10 and rep.counts["refused"] == 0, [i.message_en for i in rep.issues]
    pts = rep.accepted.geometry
    assert np.allclose(pts.x, lon0, atol=2e-5) and np.allclose(pts.y, lat0, atol=2e-5), list(zip(pts.x, pts.y))


def test_an_unknown_coordinate_system_names_the_accepted_chinese_names(shiyan, tmp_path):
    path = tmp_path / "坐标系.csv"
    path.write_text("name,type,lon,lat,坐标系\n养护院,welfare_home,110.79,32.63,北京54\n", encoding="utf-8")
    rep = validate_register(path, region=shiyan)
    issue = next(i for i in rep.issues if i.code == "unknown_datum")
    assert issue.message_zh == "未知坐标系“北京54”" and issue.message_en == "unknown coordinate system '北京54'"
    for word in ("GPS", "天地图", "CGCS2000", "2000国家大地坐标系", "高德", "腾讯", "火星坐标", "百度"):
        assert word in issue.fix_zh, (word, issue.fix_zh)
    for word in ("CGCS2000", "EPSG:4326", "Amap", "Baidu", "Chinese names"):
        assert word in issue.fix_en, (word, issue.fix_en)
