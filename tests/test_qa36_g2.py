"""Review of QA 35 (fixer G2): uploaded tables and GIS files that were bad in ways the readers did not check.

1. A zip (a zipped Shapefile, a KMZ, an .xlsx) with a password, a member compressed with Deflate64, or one byte
   altered raised an uncaught RuntimeError / NotImplementedError / zlib.error / BadZipFile: each is now refused in
   both languages (a password: zip it again without one; Deflate64: re-zip with Deflate; damaged: the archive or
   workbook is damaged or incomplete).
2. A workbook's hidden sheet of drop-down lists (字典: 类型, 县区, 乡镇) was counted as a second sheet of data, and
   the register refused with "copy the rows of every sheet into one sheet": hidden sheets are left out, and said so.
3. Headers 备注, 备注, 备注.2 gave two columns 备注.2 and an uncaught ValueError in the register.
4. 经纬度 merged over two columns (lon, lat) was read as one column: every row refused "holds one number".
5. A workbook with an open password was "an old .xls: give it the right extension"; a reader's English sat inside
   the Chinese message.
6. A bare .shp without its .shx said GDAL's English.
"""
from __future__ import annotations

import re
import struct
import zipfile

import geopandas as gpd
import pytest
import shapely
from openpyxl import Workbook

from geo.errors import InputDataError
from geo.tables import read_table
from planner.register import validate_register


def _refused(fn, *args, **kwargs) -> tuple[str, str]:
    """(zh, en) message of the InputDataError ``fn`` raises (any other exception fails the test)."""
    with pytest.raises(InputDataError) as exc:
        fn(*args, **kwargs)
    return exc.value.message("zh"), exc.value.message("en")


def _patch_zip(path, member: str, *, flag: int = 0, method: int | None = None, flip: bool = False):
    """Alter the member ``member`` of the zip ``path`` as a zip program would have written it: the flag bits
    ``flag`` set (1: encrypted), compression ``method`` (9: Deflate64), or one byte of its data ``flip``ped."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    eocd = data.rfind(b"PK\x05\x06")
    pos = int.from_bytes(data[eocd + 16:eocd + 20], "little")
    for info in infos:
        assert data[pos:pos + 4] == b"PK\x01\x02"
        n, m, k = struct.unpack("<HHH", data[pos + 28:pos + 34])
        local = info.header_offset
        if info.filename == member:
            data[pos + 8] |= flag
            data[local + 6] |= flag
            if method is not None:
                data[pos + 10:pos + 12] = data[local + 8:local + 10] = struct.pack("<H", method)
            if flip:
                start = local + 30 + sum(struct.unpack("<HH", data[local + 26:local + 30]))
                data[start + info.compress_size // 2] ^= 0xFF
        pos += 46 + n + m + k
    path.write_bytes(bytes(data))
    return path


def _workbook(path, rows, *, merge=None, extra=None):
    wb = Workbook()
    ws = wb.active
    ws.title = "名录"
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    if extra:
        extra(wb)
    wb.save(path)
    return path


ROWS = [["名称", "类型", "经度", "纬度"], ["甲站", "日间照料中心", 110.78, 32.65], ["乙站", "日间照料中心", 110.80, 32.60]]


def _shapefile_zip(tmp_path, name="pts.zip"):
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    gpd.GeoDataFrame({"name": ["a", "b"], "type": ["day_care", "day_care"]},
                     geometry=[shapely.Point(110.78, 32.65), shapely.Point(110.80, 32.60)],
                     crs="EPSG:4326").to_file(folder / "pts.shp")
    out = tmp_path / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)
    return out, folder


def _kmz(tmp_path):
    out = tmp_path / "pts.kmz"
    kml = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           + "".join(f"<Placemark><name>站{k}</name><Point><coordinates>110.7{k},32.6{k}</coordinates></Point>"
                     "</Placemark>" for k in range(20)) + "</Document></kml>")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)
    return out


def _no_reader_words(zh: str, label: str) -> bool:
    """The Chinese message holds no English words but the file's name and the programs it names (a reader's
    "Bad CRC-32", "Error -3 while decompressing" were said inside it)."""
    rest = zh.replace(label, "")
    for word in ("Excel", "WPS", "xlsx", "xls", "CSV", "zip", "rar", "7z", "7-Zip", "Deflate64", "Deflate"):
        rest = rest.replace(word, "")
    return not re.search(r"[A-Za-z]{2,}", rest)


# -- 1. zips with a password, Deflate64, a damaged member ---------------------------------------------------------

def test_a_zipped_shapefile_with_a_password_is_refused_as_such(tmp_path):
    path, _ = _shapefile_zip(tmp_path)
    _patch_zip(path, "pts.dbf", flag=1)
    zh, en = _refused(read_table, path)
    assert "压缩包设有密码" in zh and "请不设密码重新压缩" in zh, zh
    assert "the archive is password-protected" in en and "without a password" in en, en


def test_a_workbook_zip_with_a_password_is_a_password_protected_workbook(tmp_path, shiyan):
    path = _patch_zip(_workbook(tmp_path / "名录.xlsx", ROWS), "xl/worksheets/sheet1.xml", flag=1)
    zh, en = _refused(validate_register, path, region=shiyan)
    assert "工作簿设有打开密码" in zh and "取消密码" in zh, zh
    assert "the workbook is password-protected" in en and "remove the password" in en, en


def test_a_deflate64_member_is_refused_with_the_method_named(tmp_path):
    path, _ = _shapefile_zip(tmp_path)
    _patch_zip(path, "pts.shp", method=9)
    zh, en = _refused(read_table, path)
    assert "Deflate64" in zh and "pts.shp" in zh and "标准的 Deflate 压缩方式重新压缩" in zh, zh
    assert "compressed with Deflate64" in en and "the standard Deflate method" in en, en
    # in a workbook (Excel writes Deflate): a damaged workbook, to be saved again
    book = _patch_zip(_workbook(tmp_path / "b.xlsx", ROWS), "xl/worksheets/sheet1.xml", method=9)
    zh, en = _refused(read_table, book)
    assert "工作簿已损坏或不完整" in zh and "workbook is damaged or incomplete" in en, (zh, en)


@pytest.mark.parametrize("kind", ["shapefile", "kmz", "xlsx"])
def test_a_member_with_one_byte_altered_is_a_damaged_archive(tmp_path, kind):
    if kind == "shapefile":
        path = _patch_zip(_shapefile_zip(tmp_path)[0], "pts.dbf", flip=True)
    elif kind == "kmz":
        path = _patch_zip(_kmz(tmp_path), "doc.kml", flip=True)
    else:
        path = _patch_zip(_workbook(tmp_path / "名录.xlsx", ROWS), "xl/worksheets/sheet1.xml", flip=True)
    zh, en = _refused(read_table, path)
    if kind == "xlsx":
        assert "工作簿已损坏或不完整" in zh and "另存为 .xlsx" in zh, zh
        assert "the workbook is damaged or incomplete" in en and "save it again as .xlsx" in en, en
    else:
        assert "压缩包已损坏或不完整" in zh and "重新用 zip 格式压缩" in zh, zh
        assert "the archive is damaged or incomplete" in en and "Zip the files again" in en, en
    assert _no_reader_words(zh, path.name), zh
    assert "CRC" not in en and "decompress" not in en, en


def test_a_damaged_register_workbook_is_refused_not_an_uncaught_error(tmp_path, shiyan):
    path = _patch_zip(_workbook(tmp_path / "名录.xlsx", ROWS), "xl/worksheets/sheet1.xml", flip=True)
    zh, en = _refused(validate_register, path, region=shiyan)
    assert "工作簿已损坏或不完整" in zh and "workbook is damaged or incomplete" in en


def test_an_intact_shapefile_zip_and_kmz_are_read_still(tmp_path):
    table = read_table(_shapefile_zip(tmp_path)[0])
    assert list(table.frame["name"]) == ["a", "b"]
    assert [round(p.x, 2) for p in table.geometry] == [110.78, 110.80]
    assert len(read_table(_kmz(tmp_path)).frame) == 20


# -- 2. a hidden sheet of drop-down lists -------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_lookup_sheet_is_left_out_and_said(tmp_path, shiyan, state):
    def lookup(wb):
        ws = wb.create_sheet("字典")
        ws.sheet_state = state
        for r in [["类型", "县区", "乡镇"], ["日间照料中心", "茅箭区", "武当路街道"], ["养老服务综合体", "张湾区", "花果街道"],
                  ["农村福利院", "郧阳区", "城关镇"]]:
            ws.append(r)
    report = validate_register(_workbook(tmp_path / "名录.xlsx", ROWS, extra=lookup), region=shiyan)
    assert report.refused_rows == [] and list(report.accepted["name"]) == ["甲站", "乙站"]
    assert report.layer == "名录"
    said = [n for n in report.notes if "字典" in n[0]]
    assert len(said) == 1, report.notes
    zh, en = said[0]
    assert "隐藏的工作表“字典”未读取" in zh and "取消隐藏" in zh and "工作表“名录”" in zh, zh
    assert "the hidden sheet '字典' was not read" in en and "unhide it" in en and "sheet '名录'" in en, en
    assert not any("2 个工作表" in n[0] for n in report.notes)


def test_two_shown_sheets_of_data_are_refused_still(tmp_path):
    def second(wb):
        ws = wb.create_sheet("房县")
        for r in ROWS:
            ws.append(r)
    names = frozenset({"名称", "类型", "经度", "纬度"})
    zh, en = _refused(read_table, _workbook(tmp_path / "两县.xlsx", ROWS, extra=second), header_names=names)
    assert "2 个工作表都有数据行" in zh and "2 sheets of the workbook hold data rows" in en


# -- 3. a repeated header whose numbered name the file has as well ------------------------------------------------

def test_a_repeat_is_numbered_with_a_name_no_other_column_has(tmp_path, shiyan):
    path = tmp_path / "名录.csv"
    path.write_text("名称,类型,经度,纬度,备注,备注,备注.2\n甲站,日间照料中心,110.78,32.65,a,b,c\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.frame.columns) == ["名称", "类型", "经度", "纬度", "备注", "备注.3", "备注.2"]
    assert table.frame.iloc[0].tolist()[4:] == ["a", "b", "c"]  # each cell in its own column
    report = validate_register(path, region=shiyan)
    assert report.refused_rows == [] and list(report.accepted["name"]) == ["甲站"]


# -- 4. 经纬度 over two columns -------------------------------------------------------------------------------------

LONLAT = [["名称", "类型", "经纬度", None], ["甲站", "日间照料中心", 110.78, 32.65], ["乙站", "日间照料中心", 110.80, 32.60]]


def _placed(report) -> list[tuple[str, float, float]]:
    a = report.accepted
    return [(n, round(p.x, 2), round(p.y, 2)) for n, p in zip(a["name"], a.geometry)]


def test_lonlat_merged_over_two_columns_is_read_as_lon_and_lat(tmp_path, shiyan):
    report = validate_register(_workbook(tmp_path / "名录.xlsx", LONLAT, merge="C1:D1"), region=shiyan)
    assert report.refused_rows == [] and not report.issues, report.issues
    assert _placed(report) == [("甲站", 110.78, 32.65), ("乙站", 110.80, 32.60)]
    assert "column4" not in report.columns
    zh = [n[0] for n in report.notes if "经纬度" in n[0]]
    en = [n[1] for n in report.notes if "经纬度" in n[1]]
    assert zh == ["表头“经纬度”合并了 C、D 两列：C 列读作“经度”，D 列读作“纬度”；如顺序相反，请把两列的列名改为“纬度”“经度”后重新上传"]
    assert en[0].startswith("the heading '经纬度' is merged over columns C and D: column C was read as the longitude")
    assert not any("多于表头" in n[0] or "extra separator" in n[1] for n in report.notes), report.notes


def test_a_datum_named_in_the_merged_heading_is_kept(tmp_path):
    rows = [["名称", "类型", "百度坐标", None], ["甲站", "日间照料中心", 110.78, 32.65]]
    names = frozenset({"名称", "类型", "百度坐标", "百度经度", "百度纬度", "经度", "纬度"})
    table = read_table(_workbook(tmp_path / "名录.xlsx", rows, merge="C1:D1"), header_names=names)
    assert list(table.frame.columns) == ["名称", "类型", "百度经度", "百度纬度"]


def test_lonlat_then_a_column_without_heading_in_a_csv(tmp_path, shiyan):
    path = tmp_path / "名录.csv"
    path.write_text("名称,类型,经纬度,\n甲站,日间照料中心,110.78,32.65\n乙站,日间照料中心,110.80,32.60\n", encoding="utf-8")
    report = validate_register(path, region=shiyan)
    assert report.refused_rows == [] and _placed(report) == [("甲站", 110.78, 32.65), ("乙站", 110.80, 32.60)]
    zh = next(n[0] for n in report.notes if "经纬度" in n[0])
    en = next(n[1] for n in report.notes if "经纬度" in n[1])
    assert "没有列名" in zh and "读作“经度”" in zh and "读作“纬度”" in zh, zh
    assert "has no heading" in en and "as the latitude ('纬度')" in en, en


def test_lonlat_cells_of_both_numbers_are_not_split(tmp_path):
    # the pair is in one cell: the column after it (no heading, a remark) is not taken for the latitude
    path = tmp_path / "名录.csv"
    path.write_text('名称,类型,经纬度,\n甲站,日间照料中心,"110.78,32.65",新建\n', encoding="utf-8")
    table = read_table(path, header_names=frozenset({"名称", "类型", "经纬度", "经度", "纬度"}))
    assert list(table.frame.columns)[:3] == ["名称", "类型", "经纬度"]
    assert not any("经纬度" in n[0] for n in table.notes)


# -- 5. a workbook with an open password; other reader errors -----------------------------------------------------

def _ole(streams: dict[str, bytes]) -> bytes:
    """A compound (OLE) file of the streams given, each of at least 4,096 bytes (no mini stream): the container
    Excel saves a workbook with an open password in (MS-OFFCRYPTO) and .xls workbooks are."""
    ssz, free, end, nostream = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF
    fat, placed, nxt = [0xFFFFFFFD, end], [], 2
    for name, data in streams.items():
        data = data.ljust(max(4096, -(-len(data) // ssz) * ssz), b"\0")
        n = len(data) // ssz
        fat += [nxt + k + 1 for k in range(n - 1)] + [end]
        placed.append((name, nxt, data))
        nxt += n
    fat += [free] * (128 - len(fat))

    def entry(name, kind, child, right, start, size):
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1 if name else 0)
                + struct.pack("<III", nostream, right, child) + b"\0" * 36 + struct.pack("<IQ", start, size))
    ents = [entry("Root Entry", 5, 1, nostream, end, 0)]
    ents += [entry(name, 2, nostream, k + 2 if k + 1 < len(placed) else nostream, start, len(data))
             for k, (name, start, data) in enumerate(placed)]
    ents += [entry("", 0, nostream, nostream, 0, 0)] * (4 - len(ents))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0, 0)
              + struct.pack("<I", free) * 108)
    return header + struct.pack("<128I", *fat) + b"".join(ents) + b"".join(d for *_, d in placed)


def _biff_with_filepass() -> bytes:
    """An .xls workbook stream that starts as an encrypted one does: BOF, then FILEPASS."""
    def rec(op, data):
        return struct.pack("<HH", op, len(data)) + data
    return rec(0x0809, struct.pack("<HHHHII", 0x0600, 5, 0x0DBB, 0x07CC, 0, 6)) + rec(0x2F, b"\0\0\1\0\1\0") \
        + rec(0x0A, b"")


@pytest.mark.parametrize("name", ["名录.xlsx", "名录.xls"])
def test_a_workbook_with_an_open_password_is_said_so(tmp_path, shiyan, name):
    path = tmp_path / name
    path.write_bytes(_ole({"EncryptionInfo": b"\4\0\4\0\x40\0\0\0" + b"\1" * 200, "EncryptedPackage": b"\2" * 5000}))
    zh, en = _refused(validate_register, path, region=shiyan)
    assert "工作簿设有打开密码" in zh and "取消密码" in zh and "旧版" not in zh, zh
    assert "the workbook is password-protected" in en and "remove the password" in en, en
    assert "old Excel" not in en and "right extension" not in en, en


def test_an_xls_that_xlrd_finds_encrypted_is_said_so(tmp_path):
    path = tmp_path / "名录.xls"
    path.write_bytes(_ole({"Workbook": _biff_with_filepass()}))
    zh, en = _refused(read_table, path)
    assert "工作簿设有打开密码" in zh and "the workbook is password-protected" in en, (zh, en)


def test_a_damaged_xls_is_said_without_the_readers_english(tmp_path):
    path = tmp_path / "名录.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x07" * 2000)
    zh, en = _refused(read_table, path)
    assert "工作簿已损坏或不完整" in zh and "并非 .xls 文件" in zh and _no_reader_words(zh, path.name), zh
    assert "the workbook is damaged or incomplete" in en and "an .xls file" in en, en
    assert "little-endian" not in zh + en and "Expected" not in en, en


def test_an_ole_file_named_xlsx_without_a_password_is_an_old_xls_still(tmp_path):
    path = tmp_path / "名录.xlsx"
    path.write_bytes(_ole({"Workbook": b"\0" * 100}))
    zh, en = _refused(read_table, path)
    assert "旧版Excel工作簿" in zh and "old Excel workbook" in en, (zh, en)


# -- 6. a bare .shp without its .shx or .dbf ----------------------------------------------------------------------

@pytest.mark.parametrize("gone", [".shx", ".dbf"])
def test_a_bare_shapefile_without_its_parts_is_refused_in_words(tmp_path, gone):
    _, folder = _shapefile_zip(tmp_path)
    (folder / f"pts{gone}").unlink()
    zh, en = _refused(read_table, folder / "pts.shp")
    assert f"pts.shp 缺少同名的 {gone} 文件" in zh and "压缩为一个 .zip 文件" in zh, zh
    assert f"pts.shp comes without its {gone} file" in en and "into one .zip" in en, en
    assert "Unable to open" not in en, en


def test_a_bare_shapefile_with_its_parts_is_read(tmp_path):
    _, folder = _shapefile_zip(tmp_path)
    (folder / "pts.shx").rename(folder / "pts.SHX")  # (GDAL finds an upper-case extension too)
    table = read_table(folder / "pts.shp")
    assert list(table.frame["name"]) == ["a", "b"]
