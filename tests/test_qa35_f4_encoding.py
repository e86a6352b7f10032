"""QA 35 (fixer QA35-F4): traditional Chinese in UTF-8 read in the GBK chosen, and a Shapefile's .cpg.

1. A UTF-8 file in traditional Chinese read with GBK or GB18030 chosen read as garbled text without a word: the
   check (geo.points.misread_error) compared the shares of GB2312's characters, and 養護機構 are not in GB2312 while
   part of the garbled reading (椁婅) is. Common characters are now those of one script, simplified (GB2312) or
   traditional (Big5's frequently used), whichever the text has more of.
2. A Shapefile whose .dbf is UTF-8 while its .cpg says GBK (936, as ArcGIS writes it) was read as mojibake, silently
   (GDAL falls back to ISO-8859-1: 名称 became å\x90\x8dç§°); one read with GBK or GB18030 chosen too. Both are now
   refused with what the text reads as and what to do, for registers (geo.tables) and township/village layers
   (geo.imports). A .cpg naming no encoding is not taken as one: the text is detected, as without a .cpg.
"""
from __future__ import annotations

import zipfile

import geopandas as gpd
import pytest
import shapely

from geo.errors import InputDataError
from geo.imports import check_villages, read_gis
from geo.points import decode_text
from geo.tables import read_table

#: A register in traditional Chinese (UTF-8): GB18030 decodes it, into garbled text.
TRAD_REGISTER = "名稱,類型,經度,緯度\n竹山縣養護院,長照機構,110.8,32.6\n"
#: A village list with a traditional name column (UTF-8): GBK and GB18030 both decode it.
TRAD_VILLAGES = "code,lon,lat,名稱\n420302001001,110.80,32.60,社區\n420302001002,110.81,32.61,社區\n"


def _refused(fn, *args, **kwargs) -> InputDataError:
    with pytest.raises(InputDataError) as exc:
        fn(*args, **kwargs)
    return exc.value


def test_the_cases_decode_in_the_encoding_chosen():
    """(else the tests below would test the other error: an encoding that cannot read the file)"""
    assert TRAD_REGISTER.encode().decode("gb18030").startswith("鍚嶇ū")
    assert TRAD_VILLAGES.encode().decode("gbk").startswith("code,lon,lat,鍚嶇ū")


# -- 1. traditional Chinese in UTF-8, read with GBK or GB18030 chosen ------------------------------------------
@pytest.mark.parametrize("text, chosen, shown", [(TRAD_REGISTER, "gb18030", "GB18030"),
                                                 (TRAD_VILLAGES, "gbk", "GBK"), (TRAD_VILLAGES, "gb18030", "GB18030")])
def test_traditional_utf8_read_as_the_gbk_chosen_names_utf8(tmp_path, text, chosen, shown):
    path = tmp_path / "名錄.csv"
    path.write_bytes(text.encode("utf-8"))
    err = _refused(read_table, path, encoding=chosen)
    assert f"名錄.csv：所选的文字编码 {shown} 把文件读成了乱码" in err.zh and "（按 UTF-8 读取）" in err.zh, err.zh
    assert "“名稱”" in err.zh and "鍚嶇ū" in err.zh and "“文字编码”改为 UTF-8" in err.hint_zh, err.zh
    assert f"the text encoding chosen, {shown}, reads this file as garbled text" in err.en, err.en
    assert 'where UTF-8 reads "名稱"' in err.en and '"Text encoding" to UTF-8' in err.hint_en, err.en
    assert err.details["detected"] == "UTF-8", err.details


def test_a_village_list_in_traditional_utf8_with_gbk_chosen_is_refused(shiyan, tmp_path):
    path = tmp_path / "村.csv"
    path.write_bytes(TRAD_VILLAGES.encode("utf-8"))
    err = _refused(check_villages, shiyan, path, encoding="gbk")
    assert "所选的文字编码 GBK 把文件读成了乱码" in err.zh and "“名稱”" in err.zh, err.zh


@pytest.mark.parametrize("text", [TRAD_REGISTER, TRAD_VILLAGES])
@pytest.mark.parametrize("enc", ["gbk", "gb18030"])
def test_traditional_chinese_in_gbk_still_reads_with_gbk_chosen(text, enc):
    assert decode_text(text.encode(enc), "x.csv", enc) == (text, enc)


# -- 2. a Shapefile's .cpg, and the encoding chosen for one ------------------------------------------------------
FIELDS = {"simplified": {"名称": ["白马沟村养老院"], "类型": ["养老院"], "经度": [110.8], "纬度": [32.6]},
          "traditional": {"名稱": ["竹山縣養護院"], "類型": ["長照機構"], "經度": [110.8], "緯度": [32.6]}}


def _shapefile(tmp_path, script: str, encoding: str, cpg: str | None, name: str = "layer.zip"):
    """A zipped point Shapefile (``FIELDS[script]``) whose .dbf is in ``encoding``, with a .cpg saying ``cpg``."""
    folder = tmp_path / f"{script}-{encoding}-{cpg}"
    folder.mkdir()
    gpd.GeoDataFrame(FIELDS[script], geometry=[shapely.Point(110.8, 32.6)], crs="EPSG:4326").to_file(
        folder / "设施.shp", encoding=encoding)
    (folder / "设施.cpg").unlink(missing_ok=True)
    if cpg is not None:
        (folder / "设施.cpg").write_text(cpg)
    z = folder / name
    with zipfile.ZipFile(z, "w") as zf:
        for p in folder.iterdir():
            if p != z:
                zf.write(p, p.name)
    return z


def _read(reader, path, **kw):
    return read_table(path, **kw).frame if reader == "register" else read_gis(path, **kw)


@pytest.mark.parametrize("reader", ["register", "layer"])
@pytest.mark.parametrize("script, head, garbled", [("simplified", "名称", "鍚嶇О"), ("traditional", "名稱", "鍚嶇ū")])
@pytest.mark.parametrize("cpg", ["936", "GBK"])
def test_a_utf8_shapefile_whose_cpg_says_gbk_is_refused(tmp_path, reader, script, head, garbled, cpg):
    z = _shapefile(tmp_path, script, "utf-8", cpg)
    err = _refused(_read, reader, z)
    assert err.en.startswith("layer.zip: its .cpg file names the text encoding GBK, but the layer's text is UTF-8")
    assert f'"{garbled}" where UTF-8 reads "{head}"' in err.en, err.en
    assert '"Text encoding" to UTF-8' in err.hint_en and "\u201c" not in err.en + err.hint_en, err.hint_en
    assert "其 .cpg 文件注明的文字编码为 GBK，但图层的文字是 UTF-8 编码" in err.zh, err.zh
    assert f"“{head}”（按 UTF-8 读取）被读成“{garbled}”" in err.zh and "“文字编码”改为 UTF-8" in err.hint_zh, err.zh
    # what the message says to do reads it
    assert head in list(_read(reader, z, encoding="utf-8").columns)


@pytest.mark.parametrize("reader", ["register", "layer"])
@pytest.mark.parametrize("chosen, shown", [("gbk", "GBK"), ("gb18030", "GB18030")])
def test_a_utf8_shapefile_read_with_gbk_chosen_is_refused(tmp_path, reader, chosen, shown):
    z = _shapefile(tmp_path, "traditional", "utf-8", "UTF-8")
    err = _refused(_read, reader, z, encoding=chosen)
    assert f"the text encoding chosen, {shown}, reads this file as garbled text" in err.en, err.en
    assert 'where UTF-8 reads "名稱"' in err.en and f"所选的文字编码 {shown} 把文件读成了乱码" in err.zh, err.zh


@pytest.mark.parametrize("reader", ["register", "layer"])
@pytest.mark.parametrize("script, head", [("simplified", "名称"), ("traditional", "名稱")])
def test_a_gbk_shapefile_with_its_cpg_still_reads(tmp_path, reader, script, head):
    for cpg in ("936", "GBK"):
        got = _read(reader, _shapefile(tmp_path, script, "gbk", cpg))
        assert head in list(got.columns), list(got.columns)


def test_a_cpg_naming_no_encoding_is_not_taken_for_one(tmp_path):
    """The register's reader took the .cpg's word for the encoding: the .dbf was read as ISO-8859-1 (mojibake),
    reported as "klingon". Now it is detected, as the layer reader (geo.imports) did already."""
    z = _shapefile(tmp_path, "traditional", "utf-8", "klingon")
    table = read_table(z)
    assert list(table.frame.columns)[:2] == ["名稱", "類型"] and table.encoding == "UTF-8", table
    assert list(read_gis(z).columns)[:2] == ["名稱", "類型"]
