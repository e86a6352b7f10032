"""Read the tables and point layers planners bring, whatever the bureau keeps them in.

CSV (UTF-8, UTF-8-BOM, GBK, GB18030, UTF-16; comma, tab or semicolon), Excel
(XLSX; XLS via ``xlrd``), GeoJSON, zipped Shapefile (.cpg encoding and .prj CRS
honoured), GeoPackage and KML/KMZ all come back as one :class:`Table` (GIS layers through geo.gisfiles): the
file's own columns (headers as written) with the file's row numbers, and for
GIS layers the geometries in WGS84. Spreadsheets often carry a title row above
the header; the header row is the one among the first rows whose cells look
most like column names the caller knows.

Only whole-file problems are raised here (empty, too large, not what the name
says, unreadable); what is wrong in a row is the caller's to report.
"""
from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from geo import archives, gisfiles
from geo.archives import check_file, file_error
from geo.points import decode_text, encoding_label, encoding_notes, utf16_without_bom

#: Files larger than this are refused before they are read (bytes; tests lower it).
MAX_BYTES = 200 * 1024 * 1024
#: How many leading rows may hold a title above the header.
HEADER_SCAN = 10

KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls",
         ".geojson": "geojson", ".json": "geojson", ".zip": "shapefile", ".shp": "shapefile",
         ".gpkg": "gpkg", ".kml": "kml", ".kmz": "kmz"}
#: What the first bytes of each kind look like (see _sniff).
_EXPECT = {"csv": "text", "xlsx": "zip", "xls": "ole", "geojson": "json", "shapefile": "zip",
           "gpkg": "sqlite", "kml": "xml", "kmz": "zip"}
_LOOKS = {"zip": ("a zip archive (e.g. an XLSX workbook or zipped Shapefile)", "zip压缩文件（如XLSX工作簿或压缩的Shapefile）"),
          "ole": ("an old Excel workbook (.xls)", "旧版Excel工作簿（.xls）"),
          "sqlite": ("a GeoPackage / SQLite database", "GeoPackage/SQLite数据库"),
          "json": ("a JSON file", "JSON文件"), "xml": ("an XML/HTML file", "XML/HTML文件"),
          "html": ("a web page (HTML), as some systems export \"Excel\"", "网页（HTML），部分系统导出的“Excel”即是如此"),
          "text": ("a text (CSV) file", "文本（CSV）文件"), "binary": ("a binary file", "二进制文件")}


class RowList(list):
    """A list of one entry per row (each row's line, the rows refused) kept in a frame's ``attrs``.

    pandas deep-copies ``attrs`` into every frame it derives from one (a column, a selection, a copy): a
    village file of 200,000 rows kept three such lists there and took 10 minutes to check, 89 % of it in
    ``copy.deepcopy`` (QA 28). A RowList is not copied (the copies share it) and so cannot be changed:
    ``list(rows)`` makes a list that can."""

    __slots__ = ()

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):  # pickled as its items (list's own way appends them, which is refused here)
        return type(self), (list(self),)

    def _frozen(self, *args, **kwargs):
        raise TypeError("a RowList is shared by the frames derived from one and cannot be changed; "
                        "make a list of it (list(rows))")

    append = extend = insert = remove = pop = clear = sort = reverse = _frozen
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _frozen


@dataclass
class Table:
    """One table as read: ``frame`` has the file's columns (cells as read, "" when empty),
    ``rows`` the file's row number of each frame row (spreadsheet row / CSV line, the
    header being row ``header_row``; feature number from 1 for GIS layers)."""

    frame: pd.DataFrame
    rows: list[int]
    kind: str
    source: str
    encoding: str | None = None
    crs: str | None = None          # the CRS the coordinates were in, e.g. "EPSG:4547"
    geometry: object = None         # GIS layers: a GeoSeries in WGS84, aligned with frame
    layer: str | None = None        # sheet or layer read
    header_row: int | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (zh, en) things worth telling
    crs_assumed: bool = False       # a GIS layer without a CRS, read as WGS84 lon/lat (its values in degree range)
    #: what some of ``notes`` are made of, so that they can be said again without rows taken out
    #: (:meth:`without_rows`): rows with cells beyond the header, and formula cells without a saved result
    #: as (column heading, row, cell reference)
    beyond_lines: list[int] = field(default_factory=list)
    formula_cells: list[tuple[str, int, str]] = field(default_factory=list)
    #: a workbook's data rows hidden in the sheet (their row numbers), and its hidden columns that hold a value
    #: as (column heading, column letter, the rows with a value in it): read as any other, and said (QA 32)
    hidden_lines: list[int] = field(default_factory=list)
    hidden_columns: list[tuple[str, str, list[int]]] = field(default_factory=list)

    def without_rows(self, drop) -> "Table":
        """This table without the rows numbered ``drop`` (file row numbers: a totals row, a footer), its notes
        said of the rows kept (a formula without a saved result in the totals row that was taken out is no
        longer a note: QA 27)."""
        drop = set(drop)
        keep = [k for k, r in enumerate(self.rows) if r not in drop]
        if len(keep) == len(self.rows):
            return self
        frame = self.frame.iloc[keep].reset_index(drop=True)
        geometry = self.geometry.iloc[keep].reset_index(drop=True) if self.geometry is not None else None
        beyond = [r for r in self.beyond_lines if r not in drop]
        formulas = [c for c in self.formula_cells if c[1] not in drop]
        hidden = [r for r in self.hidden_lines if r not in drop]
        hidden_cols = [(h, letter, kept) for h, letter, rows in self.hidden_columns
                       if (kept := [r for r in rows if r not in drop])]
        said = set(_beyond_header_note(self.beyond_lines) + _formula_notes(self.formula_cells)
                   + hidden_notes(self.hidden_lines, self.hidden_columns))
        notes = [n for n in self.notes if n not in said] + _beyond_header_note(beyond) + _formula_notes(formulas) \
            + hidden_notes(hidden, hidden_cols)
        return replace(self, frame=frame, rows=[self.rows[k] for k in keep], geometry=geometry, notes=notes,
                       beyond_lines=beyond, formula_cells=formulas, hidden_lines=hidden, hidden_columns=hidden_cols)


def norm_header(text) -> str:
    """A header as compared: full-width folded (（村）→(村)), spaces dropped, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def header_keys(text) -> tuple[str, ...]:
    """The header itself and, when it carries a qualifier in brackets (经度(GCJ02)), without it."""
    full = norm_header(text)
    bare = re.sub(r"\(.*?\)|\[.*?\]", "", full)
    return (full, bare) if bare and bare != full else (full,)


def _sniff(head: bytes) -> str:
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if start.startswith((b"{", b"[")):
        return "json"
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")):
        return "html"
    if start.startswith(b"<"):
        return "xml"
    if b"\x00" in head[:4096]:  # UTF-16 without its byte-order mark has zero bytes too (QA 23)
        return "text" if utf16_without_bom(head) else "binary"
    return "text"


#: The streams of a workbook saved with an open password (MS-OFFCRYPTO): the encrypted .xlsx and how it is
#: encrypted, each named in the OLE file's directory in UTF-16LE with its terminating zero.
_ENCRYPTED_STREAMS = tuple(n.encode("utf-16-le") + b"\0\0" for n in ("EncryptionInfo", "EncryptedPackage"))


def encrypted_package(path) -> bool:
    """Whether the OLE file ``path`` holds a password-protected workbook: its directory names both streams of
    :data:`_ENCRYPTED_STREAMS`. A directory entry is 128 bytes, the name first and its length in bytes at byte 64,
    and entries start at multiples of 128 in the file (the 512-byte header, then whole sectors): a cell's text
    that happens to spell the name is not taken for one. Read 1 MB at a time (a multiple of 128: no entry is cut)."""
    found = set()
    with open(path, "rb") as fh:
        base = 0
        while len(found) < len(_ENCRYPTED_STREAMS):
            block = fh.read(1 << 20)
            if not block:
                break
            for name in _ENCRYPTED_STREAMS:
                i = block.find(name)
                while i >= 0:
                    if (base + i) % 128 == 0 and block[i + 64:i + 66] == len(name).to_bytes(2, "little"):
                        found.add(name)
                        break
                    i = block.find(name, i + 1)
            base += len(block)
    return len(found) == len(_ENCRYPTED_STREAMS)


def _utf16_named(encoding: str | None) -> bool:
    """Whether ``encoding`` is UTF-16 (utf-16, utf-16le, UTF_16_BE ...)."""
    import codecs
    try:
        return bool(encoding) and codecs.lookup(encoding).name.startswith("utf-16")
    except LookupError:
        return False


#: What an empty file is told to hold, by the kind of data the reader was asked for (``what`` of :func:`read_table`
#: and geo.imports.read_gis: the data store's layer names): (en, zh) for a text file, then for a workbook. QA 34: an
#: empty workbook uploaded as village points was told "one row per facility". "" (a reader not told): no kind named.
EMPTY_NEEDS = {
    "facilities": (("A facility register has a header row, then one row per facility: export it again.",
                    "设施名录第一行为表头，之后每行一处设施：请重新导出名录。"),
                   ("Put a header row and one row per facility on the first sheet.",
                    "请在第一个工作表中填写表头，每行一处设施。")),
    "villages": (("A village file has the header code,lon,lat, then one row per village or community.",
                  "村（社区）点位文件第一行为表头 code,lon,lat，之后每行一个村（社区）。"),
                 ("Put the header code,lon,lat and one row per village or community on the first sheet.",
                  "请在第一个工作表中填写表头 code,lon,lat，每行一个村（社区）。")),
    "townships": (("A township boundary layer holds one polygon per township or street with its 9-digit township code: "
                   "export it from your GIS as GeoJSON, GeoPackage or a zipped Shapefile (a CSV needs a WKT column of "
                   "the polygons and a code column).",
                   "乡镇边界图层每个乡镇（街道）一个面要素，并带 9 位乡镇代码：请从 GIS 软件导出为 GeoJSON、GeoPackage "
                   "或压缩的 Shapefile（CSV 文件须有面要素的 WKT 列和代码列）。"),
                  ("A township boundary layer holds one polygon per township or street with its 9-digit township code: "
                   "a workbook holds no polygons; export the layer from your GIS as GeoJSON, GeoPackage or a zipped "
                   "Shapefile.",
                   "乡镇边界图层每个乡镇（街道）一个面要素，并带 9 位乡镇代码；工作簿中没有面要素，"
                   "请从 GIS 软件导出为 GeoJSON、GeoPackage 或压缩的 Shapefile。")),
    "population": (("A population table has a header row with a code column (12-digit village codes) and the "
                    "population columns, then one row per village or community.",
                    "人口表第一行为表头，含代码列（12位村级代码）和人口列，之后每行一个村（社区）。"),
                   ("Put a header row with a code column (12-digit village codes) and the population columns, and "
                    "one row per village or community, on the first sheet.",
                    "请在第一个工作表中填写表头（代码列为12位村级代码，以及人口列），每行一个村（社区）。")),
    "": (("Add a header row, then one row per record.", "请填写表头，之后每行一条记录。"),
         ("Put a header row and the data rows on the first sheet.", "请在第一个工作表中填写表头和数据行。")),
}


def empty_needs(what: str = "", workbook: bool = False) -> tuple[str, str]:
    """(en, zh) saying what an empty file of the kind ``what`` (:data:`EMPTY_NEEDS`) is to hold."""
    return EMPTY_NEEDS.get(what or "", EMPTY_NEEDS[""])[1 if workbook else 0]


def blank_bytes(path, *, separators: bytes = b"") -> bool:
    """Whether the file ``path`` holds nothing: 0 bytes, or only blank space (spaces, tabs, line breaks) after a
    byte-order mark, UTF-8's or UTF-16's (and ``separators``: a CSV of commas only). Read a block at a time: a
    file with content is told at its first block."""
    blank = b" \t\r\n\x0b\x0c" + separators
    with open(path, "rb") as fh:
        block = fh.read(1 << 16)
        utf16 = block.startswith((b"\xff\xfe", b"\xfe\xff"))
        if utf16:
            blank += b"\x00"
        block = block.removeprefix(b"\xef\xbb\xbf").removeprefix(b"\xff\xfe").removeprefix(b"\xfe\xff")
        while block:
            if block.translate(None, blank):
                return False
            block = fh.read(1 << 16)
    return True


def empty_file_error(label: str, size: int, what: str = "", *, workbook: bool = False, separators: bool = False,
                     layer: bool = False, fix=None):
    """The error for an empty file (``size`` bytes: 0, or only blank space, and ``separators`` if a CSV's may be
    there too; a GIS ``layer``'s has no features, a table no header or rows) of the kind ``what``: it is empty,
    and what a file of that kind holds (``fix``, (en, zh), instead when given)."""
    en, zh = fix or empty_needs(what, workbook)
    if workbook:
        return file_error(label, "the workbook is empty.", "工作簿是空的。", en, zh)
    if size == 0:
        return file_error(label, "the file is empty (0 bytes).", "文件是空的（0 字节）。", en, zh, size=0)
    blank_en, blank_zh = ("blank space or separators", "空白或分隔符") if separators else ("blank space", "空白")
    none_en, none_zh = ("no features", "没有要素") if layer else ("no header or rows", "没有表头或数据行")
    return file_error(label, f"the file is empty: its {size:,} bytes are only {blank_en}, with {none_en}.",
                      f"文件是空的：{size:,} 字节全是{blank_zh}，{none_zh}。", en, zh, size=size)


def read_table(path, *, encoding: str | None = None, crs: str | None = None,
               header_names=frozenset(), max_bytes: int | None = None, what: str = "",
               empty_fix: tuple[str, str] | None = None) -> Table:
    """Read ``path`` into a :class:`Table`; raise InputDataError for whole-file problems.

    ``encoding`` forces a text or Shapefile encoding; ``crs`` is the CRS of a GIS
    layer that states none (or overrides the one it states); ``header_names`` are
    normalised column names (:func:`norm_header`) that tell the header row; ``what`` is
    the kind of data asked for ("facilities", "villages", "townships", "population":
    :data:`EMPTY_NEEDS`), which an empty file or workbook is told to hold ("" names
    none); ``empty_fix`` (en, zh), when given, is said of an empty file instead.
    """
    path = Path(path)
    label = path.name
    check_file(path)
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise file_error(label, f"unsupported file type '{path.suffix}'.", f"不支持的文件类型“{path.suffix}”。",
                         "Use CSV, XLSX/XLS, GeoJSON, a zipped Shapefile, GeoPackage or KML/KMZ.",
                         "请使用 CSV、XLSX/XLS、GeoJSON、压缩的Shapefile、GeoPackage 或 KML/KMZ 文件。")
    size, limit = path.stat().st_size, MAX_BYTES if max_bytes is None else max_bytes
    if size > limit:
        raise file_error(label, f"the file is {size / 2**20:.1f} MB; at most {limit / 2**20:.1f} MB are accepted.",
                         f"文件大小 {size / 2**20:.1f} MB，超过上限 {limit / 2**20:.1f} MB。",
                         "Keep only this region's rows, or split the file.", "请只保留本地区的数据，或拆分文件。",
                         size=size, limit=limit)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    looks = _sniff(head)
    if looks == "binary" and kind == "csv" and _utf16_named(encoding):
        looks = "text"  # --encoding utf-16 said so: its bytes are read as such (decode_text says if they are not)
    if looks == "empty" or (looks == "text" and blank_bytes(path, separators=b",;")):
        raise empty_file_error(label, size, what, separators=True, fix=empty_fix)
    if looks == "ole" and kind in ("xlsx", "xls") and encrypted_package(path):
        # Excel saves a workbook with an open password as an OLE file holding the encrypted .xlsx: it was said to
        # be "an old .xls, give it the right extension" (review of QA 35)
        raise archives.password_error(label, workbook=True)
    expected = "binary" if path.suffix.lower() == ".shp" else _EXPECT[kind]  # a bare .shp beside its .dbf
    if looks != expected and not (kind == "csv" and looks == "json"):
        en, zh = _LOOKS.get(looks, _LOOKS["binary"])
        raise file_error(label, f"the name says {kind.upper()} but the content is {en}.",
                         f"文件扩展名为 {kind.upper()}，但内容是{zh}。",
                         "Open it in the program that made it and save it again in the format its name says "
                         "(or give it the right extension).",
                         "请用生成该文件的软件打开并另存为扩展名所示的格式（或改为正确的扩展名）。",
                         expected=kind, found=looks)
    if kind == "csv":
        table = _read_csv(path, encoding, header_names, what, empty_fix)
    elif kind in ("xlsx", "xls"):
        table = _read_excel(path, kind, header_names, what, empty_fix)
    else:
        # (a Shapefile field name cut short is read as the one of header_names it can be: 设施类 as 设施类型)
        layer = gisfiles.read_layer(path, kind, encoding=encoding, crs=crs, known=header_names)
        table = Table(layer.frame, list(range(1, len(layer.frame) + 1)), kind, path.name,
                      encoding=encoding_label(layer.encoding),
                      crs=layer.crs, geometry=layer.geometry, layer=layer.layer, notes=layer.notes,
                      crs_assumed=layer.crs_assumed)
    n = len(table.frame.columns)
    if n > MAX_COLUMNS:
        # (20,000 columns made an 826 KB answer listing them all, and a mapping form no one can use)
        raise file_error(label, f"the table has {n:,} columns; a register or list has at most {MAX_COLUMNS}.",
                         f"表格有 {n:,} 列，名录或清单最多 {MAX_COLUMNS} 列。",
                         "Keep the columns the import reads (name, type, coordinates or place names, attributes) "
                         "and save the file again.",
                         "请只保留导入所需的列（名称、类型、坐标或地名、属性）后重新保存。", columns=n, limit=MAX_COLUMNS)
    return table


#: Columns a table may have: a register has a dozen or two; thousands are a wrong file or a wrong export.
MAX_COLUMNS = 500


def differing_cells(frame: pd.DataFrame, rows, used: str, other: str) -> list[tuple[int, str, str]]:
    """(file row, cell of column ``used``, cell of column ``other``) for each row where ``other`` holds a value
    that ``used`` has not: two columns under one heading (经度 twice, read as 经度 and 经度.2), or under two names
    of one field (lon and 经度), that are no copy of each other. Numbers are compared as numbers (110.5 and
    110.50 are one value); an empty cell of ``other`` differs from nothing (only ``used`` is read: nothing of
    ``other`` is lost there). ``rows``: each frame row's row in the file."""
    def text(col) -> pd.Series:
        v = frame[col]
        v = v.iloc[:, 0] if isinstance(v, pd.DataFrame) else v
        return v.astype(object).where(v.notna(), "").map(str).str.strip().reset_index(drop=True)
    a, b = text(used), text(other)
    na, nb = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    same_number = na.notna() & nb.notna() & ((na - nb).abs() <= 1e-9 * (1 + na.abs()))
    differ = (b != "") & (a != b) & ~same_number
    rows = list(rows)
    return [(int(rows[k]) if k < len(rows) else k + 2, a.iat[k], b.iat[k]) for k in np.flatnonzero(differ.to_numpy())]


#: What two columns of one field whose values differ are told ({what}: the column not read, {used}: the one read,
#: {n}: rows that differ, {row}, {a}, {b}: the first of them and its cells in the column read and in the other, as
#: :func:`differing_cells` gives them), as a register's report words a file's issue (planner.register: ``text=``),
#: and the fix (the Data page's words: the command line says --column instead, by the issue's code
#: column_values_differ, cli.data.CLI_FIXES). The two cells are given in the order the sentence names their columns,
#: {what}'s first (QA 32: "column 编号 holds other values than column id (row 1: fly_named.1 and FX-FLY-001)" gave
#: id's cell first).
COLUMNS_DIFFER = {"zh": "{what}与{used}的值不同（{n} 行不同，如第 {row} 行：{b} 与 {a}），只读取了{used}",
                  "en": "{what} holds other values than {used} ({n} rows differ, e.g. row {row}: {b} and {a}); only "
                        "{used} was read"}
COLUMNS_DIFFER_FIX = {"zh": "请核对哪一列正确：删去或重命名另一列，或在“数据管理”页面的列对应关系中选择要读取的列",
                      "en": "Check which column is right: delete or rename the other one, or choose the column to read "
                            "in the column mapping on the Data page"}


def header_looks_like_data(columns) -> bool:
    """Whether a table's header row is really a data row (a file without a header, or
    one whose header the scan missed): some of its cells are plain numbers, e.g. 110.79."""
    def number(v) -> bool:
        try:
            return math.isfinite(float(str(v).replace(",", "")))
        except ValueError:
            return False
    return any(number(c) for c in columns)


NO_HEADER_EN = ("The first row looks like data, not column names ({cells}). Add a header row as the first line, "
                "e.g. 名称,类型,经度,纬度 (or name,type,lon,lat).")
NO_HEADER_ZH = "第一行看起来是数据而不是列名（{cells}）。请在第一行加上表头，如 名称,类型,经度,纬度（或 name,type,lon,lat）。"


def _frame_from_rows(raw: list[list], line_of: list[int], header_names,
                     merges=()) -> tuple[pd.DataFrame, list[int], int]:
    """Header detection over raw cell rows: (frame, file row numbers, header row number).

    ``merges``: a workbook sheet's merged cells, (first row, first column, last row, last column) from 1
    (:func:`merged_cells`), which tell a header written over two rows. ``attrs["header_span"]`` of the frame is
    (first row, last row) of such a header, ``attrs["header_cells"]`` the names of every column."""
    width = max((len(r) for r in raw), default=0)
    cells = [[_unguarded("" if v is None else str(v).strip()) for v in r] + [""] * (width - len(r)) for r in raw]
    nonblank = [i for i, r in enumerate(cells) if any(r)]
    if not nonblank:
        return pd.DataFrame(), [], 0
    scan = nonblank[:HEADER_SCAN]
    # a row with plain numbers is data, not a header, even when a cell happens to be a column name
    # ("1,3,x" under "foo,bar,baz": x is also a name for longitude); only a file whose every row
    # has numbers (no header at all) takes its first row, which the caller then reports as such
    scan = [i for i in scan if not header_looks_like_data(cells[i])] or scan
    score = [sum(1 for v in cells[i] if v and set(header_keys(v)) & header_names) for i in scan]
    h = scan[score.index(max(score))] if max(score) > 0 else scan[0]
    head = list(cells[h])
    start, top = h + 1, h
    # a header written over two rows (坐标 or 位置 merged over several columns, the names under it in the next
    # row; 序号, 机构名称 merged down over both): the row picked may be either half. Each column is named by its
    # lower cell where it has one, else by the upper (QA 20: the lower half was read as a facility; QA 31: the
    # upper half, 机构名称 with it, was left out as a title: "no name column", and every row "more cells than
    # the header")
    below = next((i for i in nonblank if i > h), None)
    above = next((i for i in reversed(nonblank) if i < h), None)
    if below is not None and _two_row_header(cells, h, below, header_names, merges, line_of, picked="upper"):
        top, bottom = h, below
    elif above is not None and _two_row_header(cells, above, h, header_names, merges, line_of, picked="lower"):
        top, bottom = above, h
    else:
        bottom = None
    if bottom is not None:
        head = _combined_header(cells[top], cells[bottom])
        start = bottom + 1
    split = None if bottom is not None else _lonlat_split(head, cells[start:], merges, line_of[h], header_names)
    if split:
        j, lon, lat, _, _ = split
        head[j], head[j + 1] = lon, lat
    names = unique_names(head)
    body = [(line_of[i], cells[i]) for i in range(start, len(cells)) if any(cells[i])]
    frame = pd.DataFrame([r for _, r in body], columns=names, dtype=object) if body \
        else pd.DataFrame(columns=names, dtype=object)
    # columns with neither a header nor a value are spreadsheet debris
    keep = [c for j, c in enumerate(names) if head[j] or (frame[c] != "").any()]
    # cells beyond the header's last name (a row with one value too many, a shifted row): kept as
    # "columnN", which nothing reads, so the rows are named (QA 19: they were dropped without a word)
    last = max((j for j, v in enumerate(head) if v), default=-1)
    beyond = [n for n, r in body if any(r[last + 1:])]
    out = frame[keep]
    out.attrs["beyond_header"] = RowList(beyond)  # (not copied into every derived frame: QA 28)
    # each column's place in the rows read (0 for the first cell: column A of a workbook's sheet)
    out.attrs["column_index"] = RowList(j for j, c in enumerate(names) if head[j] or (frame[c] != "").any())
    out.attrs["header_cells"] = RowList(head)
    if bottom is not None:
        out.attrs["header_span"] = (line_of[top], line_of[bottom])
    if split:
        out.attrs["lonlat_split"] = split
    return out, [n for n, _ in body], line_of[top]


def unique_names(head) -> list[str]:
    """A name for each header cell (``column3`` for an empty one), a repeated name numbered ``X.2``, ``X.3`` ... with
    the first number no other cell uses: 备注, 备注, 备注.2 gave two columns 备注.2, and one name then selected two
    columns at once (an uncaught ValueError in the register, review of QA 35)."""
    written = {v for v in head if v}
    names, used = [], set()
    for j, v in enumerate(head):
        base = v or f"column{j + 1}"
        name, k = base, 1
        while name in used or (name != v and name in written):  # (a name another cell has is not given)
            k += 1
            name = f"{base}.{k}"
        used.add(name)
        names.append(name)
    return names


#: The heading of one column holding both coordinates, in English (planner.register_columns' lonlat field): its
#: two halves are named lon and lat (:func:`_lonlat_split`).
_PAIR_EN = ("lonlat", "lnglat", "coordinates")
#: Two numbers in one cell (110.78,32.65): a cell of lon and lat both, which no second column is needed for.
_TWO_NUMBERS = re.compile(r"\d\s*[,，;；/|]\s*[-+]?\.?\d|\d\s+[-+]?\.?\d")


def _pair_names(text: str) -> tuple[str, str] | None:
    """(lon heading, lat heading) for a heading of lon and lat together: 经纬度 → 经度, 纬度; 百度坐标 → 百度经度,
    百度纬度 (so that the datum it names is read still); lonlat (GCJ02) → lon (GCJ02), lat (GCJ02); else None."""
    text = str(text).strip()
    bare = header_keys(text)[-1]
    if bare in _PAIR_EN:
        qualifier = text[len(re.split(r"[(（\[【]", text, maxsplit=1)[0]):]
        return "lon" + qualifier, "lat" + qualifier
    if "经纬度" in text:
        return text.replace("经纬度", "经度", 1), text.replace("经纬度", "纬度", 1)
    if "坐标" in text:
        before, _, after = text.rpartition("坐标")
        return before + "经度" + after, before + "纬度" + after
    return None


def _lonlat_split(head: list[str], body: list[list[str]], merges, line: int,
                  header_names) -> tuple[int, str, str, bool, str] | None:
    """A heading of lon and lat together (经纬度) over two columns, lon in the first and lat in the second:
    (its column index, the lon and lat headings the two are read under, whether the workbook merges the heading
    over exactly these two columns, the heading as written); None when there is none.

    The heading is merged over them in a workbook (``merges`` of the header row ``line``), or followed by a column
    without heading (the same sheet saved as CSV). Read as one column, each row was refused "经纬度 '110.78' holds
    one number", with an "extra separator" note for the lat and the column named column4 (review of QA 35). Not
    when a cell under it holds two numbers (the column is lon and lat already), nor when the next column is empty;
    without a merge, only when some row has a plain number in both."""
    for j in range(len(head) - 1):
        if not head[j] or head[j + 1] or not _known(head[j], header_names):
            continue
        names = _pair_names(head[j])
        if names is None or not all(_known(n, header_names) for n in names):
            continue
        merged = any(r1 == r2 == line and (c1, c2) == (j + 1, j + 2) for r1, c1, r2, c2 in merges)
        across = any(r1 <= line <= r2 and c1 <= j + 1 <= c2 and (c1, c2) != (j + 1, j + 2) for r1, c1, r2, c2 in merges)
        first = [r[j] for r in body if len(r) > j + 1 and any(r)]
        second = [r[j + 1] for r in body if len(r) > j + 1 and any(r)]
        if across or any(_TWO_NUMBERS.search(v) for v in first) or not any(second):
            continue
        if not merged and not any(_number(a) and _number(b) for a, b in zip(first, second)):
            continue
        return j, names[0], names[1], merged, head[j]
    return None


def _number(text: str) -> bool:
    try:
        return math.isfinite(float(str(text).replace(",", "")))
    except ValueError:
        return False


def _lonlat_note(split) -> list[tuple[str, str]]:
    """(zh, en) saying how a heading of lon and lat over two columns was read (:func:`_lonlat_split`)."""
    if not split:
        return []
    from openpyxl.utils import get_column_letter

    j, lon, lat, merged, heading = split
    a, b = get_column_letter(j + 1), get_column_letter(j + 2)
    if merged:
        zh = f"表头“{heading}”合并了 {a}、{b} 两列：{a} 列读作“{lon}”，{b} 列读作“{lat}”"
        en = (f"the heading '{heading}' is merged over columns {a} and {b}: column {a} was read as the longitude "
              f"('{lon}') and column {b} as the latitude ('{lat}')")
    else:
        zh = f"表头“{heading}”之后的一列（第 {j + 2} 列）没有列名：“{heading}”下的一列读作“{lon}”，其后一列读作“{lat}”"
        en = (f"the column after the heading '{heading}' (column {j + 2}) has no heading: the column under "
              f"'{heading}' was read as the longitude ('{lon}') and the next as the latitude ('{lat}')")
    return [(zh + "；如顺序相反，请把两列的列名改为“纬度”“经度”后重新上传",
             en + "; if they are the other way round, head the two columns lat and lon and upload again")]


def _known(text: str, header_names) -> bool:
    return bool(text) and bool(set(header_keys(text)) & header_names)


def _two_row_header(cells: list[list[str]], upper: int, lower: int, header_names, merges, line_of,
                    picked: str) -> bool:
    """Whether rows ``upper`` and ``lower`` (indices into ``cells``, the next rows with a value) are one header
    written over two rows; ``picked`` is the half the header scan chose ("upper" or "lower").

    They are when neither holds a plain number, the upper has at least two cells (a title has one, often merged
    across the whole table), the lower fills the gaps of the upper (a cell under an empty upper cell: the upper
    one merged across several columns) and the upper names columns the lower leaves empty (merged down over both
    rows), and a lower cell standing under a filled upper cell is a column name the caller knows or lies under a
    merged cell (a data row has its values there). The half not picked must add what tells a header: a column
    name the caller knows where the other half has none, or merged cells of the workbook over both rows.
    """
    top, bottom = cells[upper], cells[lower]
    if header_looks_like_data(top) or header_looks_like_data(bottom):
        return False
    top_filled = [j for j, v in enumerate(top) if v]
    bottom_filled = [j for j, v in enumerate(bottom) if v]
    if len(top_filled) < 2 or not bottom_filled:
        return False
    r_top, r_bottom = line_of[upper], line_of[lower]
    used = set(top_filled) | set(bottom_filled)
    across, down = set(), False
    for r1, c1, r2, c2 in merges:
        span = set(range(c1 - 1, c2))
        if r1 == r_top and r2 == r_bottom:
            down = True  # 序号 merged down over both rows
        elif r1 == r2 == r_top and c2 > c1 and span & set(bottom_filled) and not used <= span:
            across |= span  # 位置 merged over the columns the lower row names (a title's merge spans them all)
    under_blank = [j for j in bottom_filled if not top[j]]
    over_blank = [j for j in top_filled if not bottom[j]]
    if not (under_blank or across) or not over_blank:
        return False
    # a data row under the header: its values stand under the header's names. Not when the workbook merges a
    # cell down over exactly these two rows (序号): they are one header, and a lower name the caller does not know
    # under an unmerged upper cell (服务 over 日均服务人次, QA 31) is its own column's
    if not down and not all(_known(bottom[j], header_names) or j in across for j in bottom_filled if top[j]):
        return False
    if down or across:
        return True
    if picked == "lower":  # the upper half names columns the lower leaves empty (机构名称)
        return any(_known(top[j], header_names) for j in over_blank)
    return any(_known(bottom[j], header_names) for j in bottom_filled)


def _combined_header(top: list[str], bottom: list[str]) -> list[str]:
    """One name a column of a two-row header: the lower cell where it has text, else the upper. A lower name
    that two columns share (名称 under 机构 and under 负责人) is given with the upper cell it stands under
    (机构名称, 负责人名称), that cell spanning the columns to its right the lower row names (a merged cell)."""
    group, over = [], ""
    for a, b in zip(top, bottom):
        over = a or (over if b else "")
        group.append(over)
    head = [b or a for a, b in zip(top, bottom)]
    shared = {b for b in bottom if b and head.count(b) > 1}  # counted before any is renamed: each gets its group
    for j, (b, g) in enumerate(zip(bottom, group)):
        if b in shared and g and g != b:
            head[j] = g + b
    return head


def merged_cells(zf, member: str, last_row: int = 50) -> list[tuple[int, int, int, int]]:
    """The merged cells of a workbook's sheet (member ``member`` of the zip ``zf``) that start in its first
    ``last_row`` rows: (first row, first column, last row, last column), from 1. Read from the sheet's XML
    (``<mergeCell ref="A1:B2"/>``, after its rows), streamed."""
    from openpyxl.utils.cell import range_boundaries

    pattern = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')
    found = [m.group(1).decode("ascii") for text, end in _xml_pieces(zf, member)
             for m in pattern.finditer(text, 0, end)]
    out = []
    for ref in found:
        try:
            c1, r1, c2, r2 = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
        except ValueError:
            continue
        if r1 <= last_row:
            out.append((r1, c1, r2, c2))
    return out


def _header_span_note(span, heads=()) -> list[tuple[str, str]]:
    """(zh, en) saying the header was read from two rows (``span``: its first and last row), with the names
    its columns were given (``heads``)."""
    if not span:
        return []
    a, b = span
    shown = [h for h in heads if h][:12]
    more = len([h for h in heads if h]) > len(shown)
    return [(f"表头占第 {a}-{b} 行（上下两行组成的表头）：各列取下一行的列名，下一行为空处取上一行的列名，"
             f"读作 {'、'.join(shown)}{'等' if more else ''}",
             f"the header spans rows {a}-{b} (a header written over two rows): each column is named by its cell in "
             f"the lower row, or by the upper one where the lower is empty, read as {', '.join(shown)}"
             f"{' ...' if more else ''}")]


def _beyond_header_note(lines) -> list[tuple[str, str]]:
    """(zh, en) for the rows that have cells beyond the header (their line numbers)."""
    if not lines:
        return []
    from geo.errors import listed
    return [(f"第 {listed(lines[:10], 'zh', total=len(lines))} 行的单元格多于表头的列数，多出的单元格未读取；"
             "请检查这些行是否错位（多了分隔符）",
             f"{'line' if len(lines) == 1 else 'lines'} {listed(lines[:10], 'en', total=len(lines))} "
             f"{'has' if len(lines) == 1 else 'have'} more cells than the header: the extra cells are not read; "
             "check whether the row is shifted (an extra separator)")]


#: A cell text starting with one of these is read as a formula by Excel, LibreOffice or WPS
#: (tab and carriage return too: some of them strip leading blanks first).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: What our exports put an apostrophe before, so that a spreadsheet shows the text rather than run it
#: as a formula (planner.cells.safe_text); read back, the apostrophe goes again.
_GUARDED = tuple("'" + c for c in FORMULA_START)


def _unguarded(text: str) -> str:
    return text[1:] if text.startswith(_GUARDED) else text


def _first_lines(text: str, n: int) -> list[str]:
    """The first ``n`` lines of ``text`` (as ``text.splitlines()[:n]``), without splitting the whole text: a
    20 MB file made a list of 700,000 lines for the dialect's 20-line sample."""
    end = -1
    for _ in range(n + 1):
        end = text.find("\n", end + 1)
        if end < 0:
            return text.splitlines()[:n]
    return text[:end].splitlines()[:n]


def _read_csv(path: Path, encoding, header_names, what: str = "", empty_fix=None) -> Table:
    data = path.read_bytes()
    text, enc = decode_text(data, path.name, encoding)  # (checked whole: the encoding fits every byte)
    sample = "\n".join(_first_lines(text, 20))
    del text  # (a text with one Chinese character holds two bytes a character: 40 MB for a 20 MB file)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel

    def lines():
        """The file's lines, decoded as they are read (split as a StringIO of the text splits them, which held four
        bytes a character: 80 MB more for a 20 MB file)."""
        return io.TextIOWrapper(io.BytesIO(data), encoding=enc, newline="")
    reader = csv.reader(lines(), dialect)
    raw, line_of, first_line = [], [], []
    # rows holding a value, counted as they are read and no further than MAX_ROWS + 1: a CSV far over the limit is
    # refused as a workbook is (too_many_rows), not read whole first (QA 35: 715,501 rows, 15-50 s and ~900 MB
    # before the register's row count refused them)
    counted = 0
    try:
        for row in reader:
            first_line.append(line_of[-1] + 1 if line_of else 1)
            raw.append(row)
            line_of.append(reader.line_num)
            if any(v.strip() for v in row):  # (a row of separators or blank space holds no value)
                counted += 1
                if counted > MAX_ROWS:
                    raise too_many_rows(path.name, "the file has", "文件", workbook=False, line=reader.line_num)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # one cell over csv's 128 KB: a stray quote, mostly
            kb = csv.field_size_limit() // 1024
            raise file_error(path.name, f"a cell from line {reader.line_num} on runs over {kb} KB, "
                             "usually because a quotation mark (\") opens a cell and is never closed.",
                             f"从第 {reader.line_num} 行起有一个单元格超过 {kb} KB，"
                             "通常是某处的英文双引号（\"）开始了一个单元格却没有结束。",
                             "Find the unpaired quotation mark near that line (or save the file again as CSV from "
                             "the spreadsheet program).",
                             "请在该行附近找出不成对的双引号（或在表格软件中重新另存为CSV）。") from exc
        raise file_error(path.name, f"not a readable CSV table (line {reader.line_num}: {exc}).",
                         f"无法解析为CSV表格（第 {reader.line_num} 行：{exc}）。",
                         "Save it again as CSV from the spreadsheet program.", "请在表格软件中重新另存为CSV。") from exc
    _unpaired_quote(path.name, lines, dialect, raw, first_line, line_of)
    frame, rows, header = _frame_from_rows(raw, line_of, header_names)
    if frame.shape[1] == 0:  # (lines of separators only, in a dialect the blank check does not strip)
        en, zh = empty_fix or empty_needs(what)
        raise file_error(path.name, "the file is empty: it has no header or rows, only separators and blank space.",
                         "文件是空的：只有分隔符和空白，没有表头或数据行。", en, zh)
    beyond = list(frame.attrs.get("beyond_header") or [])
    return Table(frame, rows, "csv", path.name, encoding=encoding_label(enc), header_row=header,
                 notes=encoding_notes(enc)  # (Big5: detected by its text alone, and not offered to choose)
                 + _header_span_note(frame.attrs.get("header_span"), frame.attrs.get("header_cells") or ())
                 + _lonlat_note(frame.attrs.get("lonlat_split")) + _beyond_header_note(beyond),
                 beyond_lines=beyond)


def _unpaired_quote(label: str, lines, dialect, raw: list[list], first_line: list[int],
                    line_of: list[int]) -> None:
    """Refuse a CSV in which a quotation mark opens a cell that swallows the rows after it.

    A cell may hold line breaks when quoted, so a record over several lines is no error in itself;
    but one whose quote is never closed (it runs to the end of the file), or whose cell holds whole
    rows (a following line with as many separators as the header), is a stray quotation mark: the
    next facilities became part of one name, and the report named the wrong line with a "control
    character" (QA 20).
    """
    delim = getattr(dialect, "delimiter", ",")
    width = max((len(r) for r in raw[:HEADER_SCAN]), default=0)
    at = None
    for row, start, end in zip(raw, first_line, line_of):
        if end == start:
            continue
        for cell in row:
            if "\n" in cell and width >= 2 and any(part.count(delim) >= width - 1 for part in cell.split("\n")[1:]):
                at = (start, end)
                break
        if at:
            break
    if at is None and raw and line_of[-1] > first_line[-1]:
        try:  # the last record over several lines: is its quote ever closed?
            for _ in csv.reader(lines(), dialect, strict=True):  # (``lines``: the file's lines read afresh)
                pass
        except csv.Error:
            at = (first_line[-1], line_of[-1])
    if at is None:
        return
    start, end = at
    span = f"{start + 1}" if end == start + 1 else f"{start + 1}-{end}"
    rows_en = f"the row on line {span}" if end == start + 1 else f"the rows of lines {span}"
    raise file_error(label, f"an unpaired quotation mark (\") on line {start}: it opens a cell that runs on to line "
                     f"{end}, so {rows_en} would be read as part of that one cell.",
                     f"第 {start} 行有不成对的英文双引号（\"）：它开始的单元格一直延续到第 {end} 行，"
                     f"第 {span} 行会被读成这一个单元格的内容。",
                     f"Delete the quotation mark on line {start} (or close it where the cell ends) and save the file "
                     "again; a spreadsheet program's \"Save as CSV\" writes the quotes correctly.",
                     f"请删去第 {start} 行的双引号（或在单元格结束处补上另一个双引号）后重新保存；"
                     "用表格软件“另存为CSV”可正确写出引号。", line=start, until=end)


#: Rows holding a value a sheet of a workbook may have (title and header rows included). A register or a village
#: list of a region has some thousands; a near-20 MB workbook of 800,000 rows was read whole (a minute and more)
#: before the register's row limit refused it. Counted while the sheet is streamed, before it is read.
MAX_ROWS = 100_000


def _sheet_parts(zf) -> list[tuple[str, str]]:
    """(sheet name, member in the zip) of a workbook's worksheets, in the workbook's order."""
    import posixpath
    from xml.etree import ElementTree

    try:
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") or "" for r in rels if r.tag.endswith("Relationship")}
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        names = set(zf.namelist())
        out = []
        for sheet in book.iter():
            if not sheet.tag.endswith("}sheet"):
                continue
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            t = target.get(rid, "")
            member = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
            if member in names:
                out.append((str(sheet.get("name") or member), member))
        if out:
            return out
    except (KeyError, ElementTree.ParseError):
        pass
    return [(n.rsplit("/", 1)[-1].removesuffix(".xml"), n) for n in sorted(zf.namelist())
            if n.startswith("xl/worksheets/") and n.endswith(".xml") and n.count("/") == 2]


def sheet_rows(zf, member: str, limit: int) -> int:
    """The rows of a workbook's sheet (member ``member`` of the zip ``zf``) that hold a value, counted while the
    sheet's XML is streamed (ElementTree's iterparse) and no further than ``limit + 1``: a workbook far over the
    limit is refused after reading up to the limit, not all of it. (openpyxl's read-only mode parses a sheet
    whole when its ``<dimension>`` is missing, and builds every cell: about 70 microseconds a row.)"""
    from xml.etree import ElementTree

    count = 0
    with zf.open(member) as fh:
        for _, el in ElementTree.iterparse(fh, events=("end",)):
            if el.tag.rsplit("}", 1)[-1] != "row":
                continue
            # a row of formatting only has no value (<v>) nor inline string (<is>) in its cells
            if any(sub.tag.rsplit("}", 1)[-1] in ("v", "is") for cell in el for sub in cell):
                count += 1
                if count > limit:
                    break
            el.clear()  # the sheet is never held whole
    return count


def _refuse_long_sheets(zf, label: str) -> None:
    """Refuse a workbook whose sheets hold more than :data:`MAX_ROWS` rows with a value, together, before it is
    read (pandas reads every sheet: several sheets each under the limit were read whole, review of QA 30)."""
    limit, total, first = MAX_ROWS, 0, None
    for name, member in _sheet_parts(zf):
        n = sheet_rows(zf, member, limit - total)
        first = first or (name if n else None)
        total += n
        if total > limit:
            one = first == name  # the whole limit passed in one sheet: that sheet named
            where_en = f"sheet '{name}' has" if one else "its sheets have"
            where_zh = f"工作表“{name}”" if one else "各工作表合计"
            raise too_many_rows(label, where_en, where_zh, workbook=True, **({"sheet": name} if one else {}))


def too_many_rows(label: str, where_en: str, where_zh: str, *, workbook: bool, **details):
    """The refusal of a file with more than :data:`MAX_ROWS` rows holding a value, counted no further than the limit
    (so "more than", never a total it did not count): a workbook's (:func:`_refuse_long_sheets`) and a CSV's
    (:func:`_read_csv`) in the same words. ``where_en`` / ``where_zh``: what has them ("sheet 'x' has", "the file
    has")."""
    limit = MAX_ROWS
    what_en, what_zh = ("workbook", "工作簿") if workbook else ("file", "文件")
    return file_error(label, f"{where_en} more than {limit:,} rows; a register or list has at most "
                      f"{limit:,}. The {what_en} was not read further.",
                      f"{where_zh}超过 {limit:,} 行，名录或清单最多 {limit:,} 行；{what_zh}未继续读取。",
                      "Check that each row is one facility or village (no repeated rows, not another region's "
                      "or another kind of table); keep only this region's rows, or split the file.",
                      "请核对是否每行一处设施或一个村（社区）（没有重复行，也不是其他地区或其他类型的表格）；"
                      "只保留本地区的数据，或拆分文件。", **details, limit=limit)


def _read_excel(path: Path, kind: str, header_names, what: str = "", empty_fix=None) -> Table:
    merges, hidden_tabs = {}, set()
    if kind == "xlsx":
        with archives.open_checked(path, workbook=True) as zf:  # a workbook is a zip: same limits as any upload
            # a member whose data is damaged (a bad CRC, a cut-off stream) is said so, not an uncaught zlib.error
            with archives.member_reads(path.name, workbook=True):
                _refuse_long_sheets(zf, path.name)  # a sheet far too long: refused before it is read
                # merged cells (pandas reads a merged cell's value in its first cell only) tell a two-row header
                try:
                    merges = {name: merged_cells(zf, member) for name, member in _sheet_parts(zf)}
                except (KeyError, OSError, zipfile.BadZipFile):
                    merges = {}
                hidden_tabs = hidden_sheets(zf)
    try:
        source = path
        if kind == "xls":  # (opened here to see which sheets are hidden; pandas reads the cells of the same book)
            import xlrd

            source = xlrd.open_workbook(path)
            hidden_tabs = {s.name for s in source.sheets() if s.visibility}
        sheets = pd.read_excel(source, sheet_name=None, header=None, dtype=object,
                               engine="openpyxl" if kind == "xlsx" else "xlrd")
    except ImportError as exc:
        raise file_error(path.name, "old .xls workbooks cannot be read on this installation.",
                         "本系统无法读取旧版 .xls 工作簿。", "Open it in Excel and save it as .xlsx.",
                         "请用Excel打开并另存为 .xlsx 格式。") from exc
    except Exception as exc:  # openpyxl/xlrd raise many types for damaged workbooks
        # (their English, "Expected 'little-endian' marker", was put inside the Chinese message: review of QA 35)
        if "encrypted" in str(exc).lower():  # xlrd: "Workbook is encrypted" (an .xls with an open password)
            raise archives.password_error(path.name, workbook=True) from exc
        raise archives.damaged_error(path.name, exc, workbook=True, ext=f".{kind}") from exc
    parsed = []
    for name, sheet in sheets.items():
        raw = sheet.astype(object).where(sheet.notna(), None).values.tolist()
        frame, rows, header = _frame_from_rows(raw, list(range(1, len(raw) + 1)), header_names,
                                               merges.get(str(name), ()))
        known = sum(1 for c in frame.columns if set(header_keys(c)) & header_names)
        parsed.append((name, frame, rows, header, known))
    # a hidden sheet (a template's lists for its drop-downs: 类型, 县区, 乡镇) is not read when a shown sheet holds
    # data rows: it was counted as a second sheet of data, and the workbook refused with the advice to copy its rows
    # into the data sheet (review of QA 35). A workbook whose data is in hidden sheets only is read as before.
    shown = [x for x in parsed if str(x[0]) not in hidden_tabs]
    use = shown if any(known >= 2 and len(frame) for _, frame, _, _, known in shown) else parsed
    left_hidden = [str(x[0]) for x in parsed if str(x[0]) in hidden_tabs and x[1].shape[1]] if use is shown else []
    best, data_sheets = None, []
    for name, frame, rows, header, known in use:
        if frame.shape[1] and (best is None or known > best[0]):
            best = (known, name, frame, rows, header)
        if known >= 2 and len(frame):
            data_sheets.append((str(name), len(frame)))
    if len(data_sheets) > 1:
        # one sheet a county is a common way to keep a register: one sheet is read per upload, and the
        # others' rows would be left out without a word. Uploaded one by one, the sheets all stay: a
        # register replaces its types only in the counties of its rows (unless the whole city's is chosen),
        # a village file changes only the villages it lists (the message said "only the last would stay")
        listed_zh = "、".join(f"“{n}”（{k:,} 行）" for n, k in data_sheets)
        listed_en = ", ".join(f"'{n}' ({k:,} {'row' if k == 1 else 'rows'})" for n, k in data_sheets)
        raise file_error(path.name, f"{len(data_sheets)} sheets of the workbook hold data rows: {listed_en}. "
                         "One upload reads one sheet: the other sheets' rows would not be imported.",
                         f"工作簿中有 {len(data_sheets)} 个工作表都有数据行：{listed_zh}。一次上传只读取一个工作表，"
                         "其余工作表的数据行不会导入。",
                         "Copy the rows of every sheet into one sheet under one header row (a county column may "
                         "tell them apart), delete the other sheets and upload again; or save each sheet as a "
                         "file of its own and upload them one by one. A facility register replaces its types only "
                         "in the counties its rows lie in, so with one sheet a county every county's rows stay (if "
                         "you choose to replace the whole city's facilities of the type, only the last sheet's "
                         "rows stay); a village file changes only the villages it lists.",
                         "请把各工作表的数据行复制到同一个工作表、共用一行表头（可加一列“区县”区分），删去其余工作表后"
                         "重新上传；也可把各工作表分别另存为文件逐个上传。设施名录只替换文件各行所在县区的该类设施，"
                         "每县一个工作表逐个上传时各县的数据都会保留（如选择替换全市的该类设施，则只会留下最后一个"
                         "工作表的数据）；村（社区）文件只更新文件中列出的村（社区）。",
                         sheets=[n for n, _ in data_sheets], sheet_rows=[int(k) for _, k in data_sheets])
    if best is None:  # (said of the kind of data asked for: QA 34 told a village file "one row per facility")
        raise empty_file_error(path.name, path.stat().st_size, what, workbook=True, fix=empty_fix)
    _, name, frame, rows, header = best
    for c in frame.columns:  # Excel stores whole numbers as 420302001.0
        frame[c] = [_cell(v) for v in frame[c]]
    others = [str(x[0]) for x in use if x[0] != name]
    notes = [(f"读取工作表“{name}”（其余工作表没有可导入的数据：{'、'.join(others)}）",
              f"read sheet '{name}' (the other sheets hold nothing to import: {', '.join(others)})")] if others else []
    notes += _hidden_sheets_note(left_hidden, str(name))
    notes += _header_span_note(frame.attrs.get("header_span"), frame.attrs.get("header_cells") or ())
    notes += _lonlat_note(frame.attrs.get("lonlat_split"))
    beyond = list(frame.attrs.get("beyond_header") or [])
    notes += _beyond_header_note(beyond)
    formulas = _uncached_formulas(path, name, header, rows, list(frame.attrs.get("header_cells") or [])) \
        if kind == "xlsx" else []
    notes += _formula_notes(formulas)
    hidden, hidden_cols = _hidden_cells(path, str(name), frame, rows) if kind == "xlsx" else ([], [])
    notes += hidden_notes(hidden, hidden_cols)
    return Table(frame, rows, kind, path.name, layer=str(name), header_row=header, notes=notes,
                 beyond_lines=beyond, formula_cells=formulas, hidden_lines=hidden, hidden_columns=hidden_cols)


def hidden_sheets(zf) -> set[str]:
    """The names of a workbook's hidden sheets (hidden or "very hidden": ``<sheet name="字典" state="hidden"/>`` in
    its xl/workbook.xml, member of the zip ``zf``); none when that cannot be read (it is read again by pandas)."""
    from xml.etree import ElementTree

    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError):
        return set()
    return {str(el.get("name")) for el in book.iter() if el.tag.endswith("}sheet") and el.get("name")
            and (el.get("state") or "visible") != "visible"}


def _hidden_sheets_note(names: list[str], read: str) -> list[tuple[str, str]]:
    """(zh, en) saying that the hidden sheets ``names`` were not read, ``read`` being the sheet that was."""
    if not names:
        return []
    one = len(names) == 1
    zh = "、".join(f"“{n}”" for n in names[:10]) + ("等" if len(names) > 10 else "")
    en = ", ".join(f"'{n}'" for n in names[:10]) + (" ..." if len(names) > 10 else "")
    return [(f"隐藏的工作表{zh}未读取（模板常用隐藏的工作表存放下拉列表的选项）；如其中有要导入的数据，请取消隐藏，"
             f"把数据行复制到工作表“{read}”后重新上传",
             f"the hidden {'sheet' if one else 'sheets'} {en} {'was' if one else 'were'} not read (templates keep "
             f"the options of their drop-down lists in hidden sheets); if {'it holds' if one else 'they hold'} rows "
             f"to import, unhide {'it' if one else 'them'}, copy the rows into sheet '{read}' and upload again")]


def hidden_parts(zf, member: str) -> tuple[set[int], set[int]]:
    """The hidden rows and hidden columns of a workbook's sheet (member ``member`` of the zip ``zf``): (row numbers,
    column numbers), both from 1. Read from the sheet's XML (``<row r="6" hidden="1">``, ``<col min="12" max="12"
    hidden="1"/>``), streamed; a row filtered out by an AutoFilter is hidden too. A range of hidden columns
    reaching the sheet's last column (hiding all to the right) is taken only as far as the 1,000th."""
    rows, cols = set(), set()
    tag = re.compile(rb"<(?:\w+:)?(row|col)\b([^>]*)>")
    hidden = re.compile(rb"""\bhidden\s*=\s*["'](?:1|true)["']""")

    def number(attrs: bytes, name: bytes) -> int | None:
        m = re.search(rb"\b" + name + rb"""\s*=\s*["']([0-9]+)["']""", attrs)
        return int(m.group(1)) if m else None

    last = 0
    for text, end in _xml_pieces(zf, member):
        for m in tag.finditer(text, 0, end):
            kind, attrs = m.group(1), m.group(2)
            if kind == b"row":
                last = number(attrs, b"r") or last + 1  # (r may be left out: the row after the last)
                if hidden.search(attrs):
                    rows.add(last)
            elif hidden.search(attrs):
                lo, hi = number(attrs, b"min"), number(attrs, b"max")
                if lo:
                    cols.update(range(lo, min(hi or lo, 1000) + 1))
    return rows, cols


def _xml_pieces(zf, member: str):
    """A workbook sheet's XML (member ``member`` of the zip ``zf``) read 1 MB at a time, as (text, end): search
    ``text`` up to ``end``, which stops before its last tag's ``<`` (a tag cut by the read is whole in the next
    piece, and the last piece is searched to its end). Streamed: a sheet of 100,000 rows is never held whole."""
    tail = b""
    with zf.open(member) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            text = tail + chunk
            cut = text.rfind(b"<")
            cut = cut if cut > 0 else len(text)
            yield text, cut
            tail = text[cut:]
    yield tail, len(tail)


def _hidden_cells(path: Path, sheet: str, frame: pd.DataFrame,
                  rows: list[int]) -> tuple[list[int], list[tuple[str, str, list[int]]]]:
    """The data rows of ``frame`` (read from ``sheet`` of the workbook ``path``; ``rows``: their row numbers) that
    the sheet hides, and its hidden columns with a value, as (heading, letter, rows with a value). Hidden rows
    and columns are read as any other (hiding is not deleting), but they were imported without a word: a
    hidden row the bureau had meant to leave out, a hidden 备注 of "已撤并，待核销" (QA 32)."""
    from openpyxl.utils import get_column_letter

    try:
        with zipfile.ZipFile(path) as zf:
            member = dict(_sheet_parts(zf)).get(sheet)
            if member is None:
                return [], []
            hidden_rows, hidden_cols = hidden_parts(zf, member)
    except (KeyError, OSError, *archives.DAMAGED):  # (a damaged sheet was refused as such before it was read)
        return [], []
    if not hidden_rows and not hidden_cols:
        return [], []
    lines = [int(r) for r in rows if r in hidden_rows]
    index = list(frame.attrs.get("column_index") or range(len(frame.columns)))
    cols = []
    for c, j in zip(frame.columns, index):
        if j + 1 not in hidden_cols:
            continue
        cells = frame[c].astype(object).where(frame[c].notna(), "").map(str).str.strip().to_numpy()
        with_value = [int(rows[k]) for k in np.flatnonzero(cells != "") if k < len(rows)]
        if with_value:
            heading = "" if re.fullmatch(r"column[0-9]+", str(c)) else str(c)
            cols.append((heading, get_column_letter(j + 1), with_value))
    return lines, cols


def hidden_notes(lines, columns) -> list[tuple[str, str]]:
    """(zh, en) saying which data rows (``lines``) and which columns with a value (``columns``: heading, letter,
    rows) the workbook hides, and that they were read all the same (:func:`_hidden_cells`)."""
    from geo.errors import listed

    notes = []
    if lines:
        one = len(lines) == 1
        shown_zh, shown_en = listed(lines[:10], "zh", total=len(lines)), listed(lines[:10], "en", total=len(lines))
        notes.append((f"第 {shown_zh} 行在表格中被隐藏，已照常读入：若{'该行' if one else '这些行'}不应导入，"
                      f"请删除{'该行' if one else '这些行'}后重新上传",
                      f"{'row' if one else 'rows'} {shown_en} {'is' if one else 'are'} hidden in the workbook and "
                      f"{'was' if one else 'were'} read as usual: if {'it' if one else 'they'} should not be imported, "
                      f"delete {'the row' if one else 'those rows'} and upload again"))
    if columns:
        one = len(columns) == 1
        zh = listed([f"“{h}”列（{letter} 列）" if h else f"{letter} 列" for h, letter, _ in columns[:10]], "zh",
                    total=len(columns))
        en = listed([f"'{h}' (column {letter})" if h else f"column {letter}" for h, letter, _ in columns[:10]], "en",
                    total=len(columns))
        notes.append((f"{zh}在表格中被隐藏，但其中有内容：隐藏的列与显示的列一样读取；若{'该列' if one else '这些列'}"
                      f"不应导入，请删除{'该列' if one else '这些列'}后重新上传",
                      f"{'column' if one else 'columns'} {en} {'is' if one else 'are'} hidden in the workbook but "
                      f"{'holds' if one else 'hold'} values: hidden columns are read like the others; if "
                      f"{'it' if one else 'they'} should not be imported, delete {'the column' if one else 'them'} "
                      "and upload again"))
    return notes


def _uncached_formulas(path: Path, sheet, header: int, rows: list[int],
                       heads: list[str] | None = None) -> list[tuple[str, int, str]]:
    """Formula cells of the data rows whose result the workbook does not store: (column heading, row, cell).

    Excel saves each formula's last result beside it, and that result is what is read. A
    workbook written by a program that does not compute formulas (a script, some exporters)
    has none, and such a cell reads as empty: a bed count of =A2*10 became "unknown" without
    a word. Named by column and cell, as Excel shows them; ``heads``, the name of every column (a header over
    two rows has its names in both), else the header row's cells.
    """
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    with zipfile.ZipFile(path) as z, archives.member_reads(path.name, workbook=True):
        # most workbooks have no formula at all: skip the second read
        if not any(b"<f" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")):
            return []
    wanted = set(rows)
    header_cells, found = [], {}
    books = [load_workbook(path, read_only=True, data_only=flag) for flag in (False, True)]
    try:
        for r, (formulas, values) in enumerate(zip(books[0][sheet].iter_rows(values_only=True),
                                                   books[1][sheet].iter_rows(values_only=True)), start=1):
            if r == header:
                header_cells = heads or ["" if v is None else str(v).strip() for v in values]
            if r not in wanted:
                continue
            for c, (f, v) in enumerate(zip(formulas, values)):
                formula = (isinstance(f, str) and f.startswith("=")) or type(f).__name__ in ("ArrayFormula",
                                                                                          "DataTableFormula")
                if formula and v is None:
                    found.setdefault(c, []).append((r, f"{get_column_letter(c + 1)}{r}"))
    finally:
        for book in books:
            book.close()
    return [(header_cells[c] if c < len(header_cells) and header_cells[c] else get_column_letter(c + 1), r, ref)
            for c, cells in found.items() for r, ref in cells]


def _formula_notes(formulas) -> list[tuple[str, str]]:
    """(zh, en) per column for its formula cells without a saved result (:func:`_uncached_formulas`)."""
    by_head: dict[str, list[str]] = {}
    for head, _, ref in formulas:
        by_head.setdefault(head, []).append(ref)
    notes = []
    for head, cells in by_head.items():
        shown = "、".join(cells[:5]) + (f" 等 {len(cells):,} 个" if len(cells) > 5 else "")
        shown_en = ", ".join(cells[:5]) + (f" and {len(cells) - 5:,} more" if len(cells) > 5 else "")
        notes.append((f"“{head}”列的公式没有保存计算结果（{shown}），按空值读取。请在Excel中打开、保存后重新上传，"
                      "或把公式列复制后“粘贴为数值”。",
                      f"the formulas of column '{head}' have no saved result ({shown_en}) and were read as empty. "
                      "Open the workbook in Excel, save it and upload again, or paste that column as values."))
    return notes


def _cell(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, str) and re.fullmatch(r"-?\d+\.0", v):
        return v[:-2]
    return "" if v is None else str(v).strip()


#: A totals row's label (QA 27: 合计 under the last facility was refused as a facility without a type or a name):
#: 合计, 总计, 小计, 共计 and the like, spaces inside taken out (合 计), after a short qualifier (全县合计, 农村福利院小计)
#: and before a colon, a bracket or a count (合计：17处); Total, Subtotal, Grand total.
_TOTAL = re.compile(r"^.{0,10}?(?:合计|总计|小计|共计|累计|汇总|总数)(?:[:：(（\[].*|\d.*)?$"
                    r"|^(?:grand)?(?:sub)?totals?(?:[:(\[].*|\d.*)?$|^sum(?:[:(\[].*)?$", re.IGNORECASE)
#: A footer row's first cell: who filled the table in, who checked it, a note under it (填报单位：…, 制表人：…,
#: 备注：…); the short words only before a colon.
_FOOTER = re.compile(r"^(?:填报单位|填表单位|报送单位|制表单位|填报人|填表人|制表人|审核人|审批人|统计人|"
                     r"填报日期|填表日期|制表日期|单位负责人|分管领导)"
                     r"|^(?:制表|审核|审批|负责人|联系人|联系电话|备注|说明|注|附注|数据来源|资料来源|统计时间|截止时间|"
                     r"截至时间|日期|preparedby|compiledby|checkedby|approvedby|reportedby|notes?|source|remarks?)[:：]",
                     re.IGNORECASE)


def summary_cell(text) -> str | None:
    """"total" for a totals row's label (合计, 合 计, 全县合计, 合计：17处, Total), "footer" for a footer's
    opening (填报单位：…, 制表人：…, 备注：…), else None. Only the label: whether the row is one is the
    caller's to tell (:func:`summary_row`; a facility's name that merely holds 合计 is none)."""
    folded = re.sub(r"[\s\-_]+", "", unicodedata.normalize("NFKC", str(text or "")))
    if not folded:
        return None
    if _TOTAL.match(folded):
        return "total"
    if _FOOTER.match(folded):
        return "footer"
    return None


def summary_row(cells) -> tuple[str, int] | None:
    """(kind, index of the cell) when a row's cells (in the file's column order) read as a totals row (a cell
    that is a totals label, :func:`summary_cell`) or a footer (its first filled cell opens one); else None.
    The caller tells a facility from them by what the row holds besides (a name, coordinates)."""
    texts = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip() for v in cells]
    first = next((k for k, v in enumerate(texts) if v), None)
    if first is None:
        return None
    if summary_cell(texts[first]) == "footer":
        return "footer", first
    hit = next((k for k, v in enumerate(texts) if v and summary_cell(v) == "total"), None)
    return ("total", hit) if hit is not None else None


def summary_cells(values) -> "pd.Series":
    """Whether each of ``values`` is a totals label or a footer's opening (:func:`summary_cell`), for a whole
    column at once (a register of 20,000 rows is told in a moment, not cell by cell)."""
    s = pd.Series(values, dtype=object)
    text = s.where(s.notna(), "").astype(str).str.normalize("NFKC").str.replace(r"[\s\-_]+", "", regex=True)
    return (text != "") & (text.str.match(_TOTAL) | text.str.match(_FOOTER))
