"""A planner's authoritative data replacing the embedded approximations.

Township boundaries from the 区划地名 database and village coordinates from a
village list are checked and committed as a data version of the region's
datasets (``geo.datasets.DatasetStore``), as ``coverplan data import`` and the
data page do; ``coverplan region import`` is that import. Imported layers are
flagged ``official``; what stays approximate keeps its flag. (Before QA 27 they
were kept in ``settings.VAR_DIR/regions/<name>`` and overlaid on version 0
only; such a folder is taken in as a data version once:
``geo.datasets.DatasetStore.take_in_legacy_imports``.)

The checks (:func:`check_townships`, :func:`check_villages`) and the overlays
(:func:`overlay_townships`, :func:`overlay_villages`, :func:`settle_villages`)
are separate functions so that the versioned datasets (``geo.datasets``) commit
exactly what this import would.
"""
from __future__ import annotations

import codecs
import glob
import logging
import math
import shutil
import warnings
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import prcoords
import pyogrio
import shapely

from geo import settings
from geo.archives import check_file, open_checked, reader_hint, reader_message, reader_reason
from geo.errors import InputDataError
from geo.gisfiles import ASSUMED_CRS_NOTE, check_shapefile_parts, first_not_finite, read_shapefile, to_storage
from geo.points import encoding_label, join_list, plain_number, points_from_table, read_swapped_back
from geo.tables import RowList

_log = logging.getLogger("coverplan.imports")
#: A township file's code column as GIS exports and the NBS tables head it (QA 25: 统计用区划代码 was "no code
#: column"); matched as :func:`geo.tables.norm_header` compares headers.
CODE_ALIASES = ("code", "township_code", "代码", "区划代码", "乡镇代码", "统计用区划代码", "行政区划代码", "乡镇区划代码",
                "xzqdm", "qhdm",
                # as bureaus head it too (QA 31): 编码 for 代码, 乡镇（街道）, 所属乡镇 (full-width brackets fold)
                "乡镇编码", "乡镇(街道)代码", "乡镇(街道)编码", "乡镇街道代码", "乡镇街道编码", "街道代码", "街道编码",
                "所属乡镇代码", "所属乡镇编码", "所属乡镇(街道)代码", "乡镇区划编码", "区划编码", "行政区划编码")
TOWNSHIPS_FILE = "townships_official.geojson"
VILLAGES_FILE = "villages_official.csv"
#: A village file's header as the messages ask for it (the README's; the code is the 12-digit NBS code)
VILLAGE_HEADER = "code,lon,lat"
#: A village table's code column as statistics and civil-affairs tables head it (QA 22: 村代码 was "no column
#: code"; a village file has no column-mapping step, so the names it is known by are listed here).
VILLAGE_CODE_ALIASES = ("村代码", "村（社区）代码", "村(社区)代码", "社区代码", "村级代码", "行政区划代码", "区划代码",
                        "统计用区划代码", "村编码", "编码", "village_code", "village code",
                        "村(社区)编码", "社区编码", "村居代码", "村居编码", "村委会代码", "区划编码", "行政区划编码")
#: Headers that name a place's name, not its code: a code column of another name comes first (QA 25:
#: 村代码,名称,经度,纬度 was read by its 名称 and refused as "no village codes").
NAME_HEADERS = frozenset({"name", "名称"})
#: A township polygon smaller than this (km²) is degenerate or mis-scaled: the region's smallest
#: township-level unit covers about 1 km², and a zero-area ring once took every page down (QA 19)
MIN_TOWNSHIP_KM2 = 0.1

#: Layers a zip may hold, in the order they are looked for.
LAYER_SUFFIXES = (".shp", ".geojson", ".json", ".gpkg", ".kml")
#: Files read as GIS layers (anything else is read as a CSV table).
GIS_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".kmz")
#: Text files GDAL reads as a layer (a township file given as a CSV): decoded as a register's CSV is first
TEXT_LAYER_SUFFIXES = (".csv", ".tsv")
#: Inverse datum shifts (the iterative ones, accurate to centimetres).
_DATUMS = {"gcj02": prcoords.gcj_wgs_bored, "bd09": prcoords.bd_wgs_bored}


class _Problems:
    """The problems found in one file, raised together as one InputDataError (each with its fix)."""

    def __init__(self, label: str) -> None:
        self.label, self.items, self.details = label, [], {}

    def add(self, en: str, zh: str, hint_en: str, hint_zh: str, **details) -> None:
        self.items.append((en, zh, hint_en, hint_zh))
        self.details.update(details)

    def raise_any(self) -> None:
        if not self.items:
            return
        en = " ".join(i[0] for i in self.items)
        zh = "".join(i[1] for i in self.items)
        raise InputDataError(f"{self.label}: {en}", f"{self.label}：{zh}",
                             hint_en=" ".join(i[2] for i in self.items),
                             hint_zh="".join(i[3] for i in self.items), details=self.details)


def user_dir(name: str) -> Path:
    return settings.VAR_DIR / "regions" / name


def _normalised(names) -> frozenset:
    """Column names as :func:`geo.tables.norm_header` compares them."""
    from geo.tables import norm_header
    return frozenset(norm_header(n) for n in names)


def _code_share(values: pd.Series, widths: tuple[int, ...]) -> float:
    """The share of the filled cells of ``values`` that are codes of ``widths`` digits (420302001001,
    420302001001.0 as Excel saves a number) or such a code Excel put in scientific notation (4.20302E+11)."""
    import unicodedata

    text = _code_text(values).map(lambda v: unicodedata.normalize("NFKC", v).strip())
    text = text[text != ""]
    if not len(text):
        return 0.0
    pattern = "(?:" + "|".join(f"[0-9]{{{int(w)}}}" for w in widths) + r")(?:\.0+)?"
    codes = text.str.fullmatch(pattern, na=False) | text.str.match(SCIENTIFIC, na=False)
    return float(codes.mean())


def pick_code_column(frame: pd.DataFrame, names, widths: tuple[int, ...]):
    """The column of ``frame`` that holds the codes (None when no column is named as one).

    Among the columns named as one of ``names`` (compared as :func:`geo.tables.norm_header` does; their
    order the preference): one whose cells are mostly codes of ``widths`` digits comes first, then one
    named as a code over one named as a name (:data:`NAME_HEADERS`), then the order of ``names``. A
    village file's 名称 was read as its codes beside a 村代码 column of 12-digit codes (QA 25).
    """
    from geo.tables import norm_header

    order: dict[str, int] = {}
    for k, n in enumerate(names):
        order.setdefault(norm_header(n), k)
    found = [(c, order[norm_header(c)]) for c in frame.columns
             if str(c) != "geometry" and norm_header(c) in order]
    if not found:
        # a Shapefile field name cut by the .dbf's 10 bytes (乡镇代码 in UTF-8 is 12: 乡镇代): the start of a
        # code column's name, taken when its cells are codes (geo.gisfiles.read_shapefile says the cut)
        for c in frame.attrs.get("cut_names") or []:
            key = norm_header(c)
            k = next((order[n] for n in order if len(key) >= 2 and n.startswith(key)), None)
            if k is not None and c in frame.columns and _code_share(frame[c], widths) >= 0.5:
                found.append((c, k))
    if not found:
        return None

    def rank(item):
        col, k = item
        return (_code_share(frame[col], widths) < 0.5, norm_header(col) in NAME_HEADERS, k)
    return min(found, key=rank)[0]


def _code_column(df: pd.DataFrame, label: str, names=CODE_ALIASES, widths: tuple[int, ...] = (9, 12)) -> str:
    col = pick_code_column(df, names, widths)
    if col is not None:
        return col
    if tuple(widths) == (12,):  # a village file: its own 12-digit codes, not a township's (QA 36)
        hint_en, hint_zh = ("Name the column with the villages' 12-digit codes (e.g. 420302001001) `code`.",
                            "请将村（社区）12位统计用区划代码（如420302001001）所在列命名为 code 或“村代码”。")
    else:
        hint_en, hint_zh = ("Name the column with the township codes (9 or 12 digits) `code`.",
                            "请将乡镇区划代码（9 位或 12 位）所在列命名为 code 或“代码”。")
    if any(any("\u0080" <= ch <= "\u00ff" for ch in str(c)) for c in df.columns):
        # 代码 read in the wrong encoding (´úÂë): renaming the column is no fix; naming the encoding is
        hint_en = ("The column names look garbled: the file's text is in another encoding than the one read. Give "
                   "it in the Text encoding field on the Data page, or with --encoding on the command line (gbk or "
                   "utf-8), or add a .cpg file naming it to the zip.")
        hint_zh = ("列名显示为乱码：文件的文字编码与读取时所用的不同。请在“数据管理”页面的“文字编码”一栏选择，"
                   "或在命令行使用 --encoding（gbk 或 utf-8），或在压缩包中加入注明编码的 .cpg 文件。")
    raise InputDataError(f"{label}: no code column (found: {', '.join(map(str, df.columns))}).",
                         f"{label}：缺少代码列（现有列：{'、'.join(map(str, df.columns))}）。",
                         hint_en=hint_en, hint_zh=hint_zh, details={"columns": [str(c) for c in df.columns]})


def merged_codes(frame: pd.DataFrame, col, names=CODE_ALIASES, widths: tuple[int, ...] = (9, 12)):
    """(the codes of ``col``, each empty cell filled from another column headed as a code (``names``) where that
    holds a code of ``widths`` digits on the same row; the code columns read, ``col`` first).

    A GeoJSON whose features name their code differently (`代码` on one, `code` on the others; each feature's
    properties are its own) is read by GDAL as two columns, each empty where the other is filled: the
    township file was refused as "feature 3 has no township code (column code is empty)" (QA 33). Where both
    are filled, ``col`` (:func:`pick_code_column`'s choice) is read. Only a code fills a cell: a 6-digit
    county code or a name under such a header is no township's code."""
    from geo.tables import norm_header

    wanted = {norm_header(n) for n in names}
    others = [c for c in frame.columns if c != col and str(c) != "geometry" and norm_header(c) in wanted]
    values = frame[col].astype(object)
    pattern = "(?:" + "|".join(f"[0-9]{{{int(w)}}}" for w in widths) + r")(?:\.0+)?"
    for c in others:
        empty = _code_text(values).str.strip() == ""
        other = _code_text(frame[c]).str.strip()
        fill = empty & other.str.fullmatch(pattern, na=False)
        if fill.any():
            values = values.where(~fill, other)
    return values, [col, *others]


#: Words of a header that names a township's code (乡镇代码, 乡镇(街道)编码, 街道代码, township_code): in a village
#: file the township a village lies in, never the village's own code (QA 34).
TOWNSHIP_HEADER_WORDS = ("乡镇", "街道", "town")


def township_code_header(name) -> bool:
    """Whether the header ``name`` names a township's code (:data:`TOWNSHIP_HEADER_WORDS`)."""
    from geo.tables import norm_header
    key = norm_header(name)
    return any(w in key for w in TOWNSHIP_HEADER_WORDS)


def _code_cells(values: pd.Series) -> pd.Series:
    """Each cell as a code is compared: NFKC-folded, stripped, a float's .0 dropped ("" for an empty cell)."""
    import unicodedata
    return _code_text(values).map(lambda v: unicodedata.normalize("NFKC", v).strip()).str.replace(
        r"(?<=[0-9])\.0+$", "", regex=True)


def township_codes_column(values: pd.Series) -> bool:
    """Whether most filled cells of ``values`` are township codes: 9 digits, or 12 ending in 000 (420302001000; a
    village's own code ends in its 001-399). A column under a plain 代码 or code may hold them beside 村代码."""
    cells = _code_cells(values)
    cells = cells[cells != ""]
    if not len(cells):
        return False
    return bool((cells.str.fullmatch(r"[0-9]{9}", na=False) | cells.str.fullmatch(r"[0-9]{9}000", na=False)).mean()
                >= 0.5)


def village_code_column(frame: pd.DataFrame, names):
    """The column of a village file that holds the villages' codes (None when none is named as one): as
    :func:`pick_code_column` chooses among ``names``, but never a township's code column, by its header
    (乡镇代码, township_code: :func:`township_code_header`) or by its cells (:func:`township_codes_column`), while
    another is named as a code (QA 34: a layer's 乡镇代码 of 12-digit township codes was read as the villages')."""
    allowed = tuple(n for n in names if not township_code_header(n))
    named = [c for c in frame.columns if str(c) != "geometry"]
    townish = [c for c in named if township_codes_column(frame[c])]
    col = pick_code_column(frame.drop(columns=townish), allowed, (12,)) if townish else None
    return col if col is not None else pick_code_column(frame, allowed, (12,))


def merged_village_codes(frame: pd.DataFrame, col, names) -> tuple[pd.Series, list, dict]:
    """(the village codes of ``col``, each empty cell filled from another code column, as :func:`merged_codes`
    fills a township file's; the code columns read, ``col`` first; {row index: (column, code, other column, other
    code)} for the rows two of them give different codes).

    The other columns are those named as a village's code (``names``) whose filled cells are mostly 12-digit codes,
    never one headed or filled as a township's (:func:`village_code_column`), nor a name column (名称): a GeoJSON
    whose features name their code 村代码 on some and code on the others, or a table with 代码 and village_code
    columns each filled on some rows (QA 34: one was read, and the rows of the other refused as "empty code"). A
    row whose two columns give two codes is the caller's to refuse: which is right cannot be told."""
    from geo.tables import norm_header

    wanted = {norm_header(n) for n in names if not township_code_header(n)} - {norm_header(n) for n in NAME_HEADERS}
    others = [c for c in frame.columns if c != col and str(c) != "geometry" and norm_header(c) in wanted
              and not township_code_header(c) and _code_share(frame[c], (12,)) >= 0.5
              and not township_codes_column(frame[c])]
    values = _code_text(frame[col])
    source = np.full(len(frame), str(col), dtype=object)
    conflicts: dict[int, tuple] = {}
    for c in others:
        mine, other = _code_cells(values), _code_cells(frame[c])
        code = other.str.fullmatch(r"[0-9]{12}", na=False).to_numpy()
        fill = (mine == "").to_numpy() & code
        clash = mine.str.fullmatch(r"[0-9]{12}", na=False).to_numpy() & code & (mine != other).to_numpy()
        for i in np.flatnonzero(clash):
            conflicts.setdefault(int(i), (source[i], mine.iat[i], str(c), other.iat[i]))
        if fill.any():
            values = values.where(~fill, other.to_numpy())
            source[fill] = str(c)
    return values, [col, *others], conflicts


def code_conflict_row(row: int, conflict: tuple) -> dict:
    """A village file's row refused for two code columns giving two codes (:func:`merged_village_codes`)."""
    a, va, b, vb = conflict
    return _refused_row(
        row, f"{va} / {vb}", "conflicting_codes",
        f"row {row} has two different village codes: {va} in column {a} and {vb} in column {b}; which one is right "
        "cannot be told, so the row is not imported",
        f"第 {row} 行有两个不同的村（社区）代码：“{a}”列为 {va}，“{b}”列为 {vb}；无法判断哪一个正确，该行不导入",
        f"Correct the code in column {a} or {b} of row {row} so that both give the village's 12-digit code (or empty "
        "one of them), and import the file again",
        f"请改正第 {row} 行“{a}”列或“{b}”列的代码，使两列都是该村（社区）的12位代码（或清空其中一列），然后重新导入",
        column=str(a))


def _code_text(values: pd.Series) -> pd.Series:
    """A code column as text, an empty cell (null in a GeoJSON, NaN, None) as "": pandas keeps NaN among
    the strings of astype(str), and sorting the codes then failed on float < str (QA 24)."""
    return values.astype(object).where(values.notna(), "").map(str).astype(str)


def _normalise_codes(codes: pd.Series, width: int) -> tuple[pd.Series, np.ndarray]:
    """(each cell as the code it stands for, which cells hold digits but are no code of ``width`` digits).

    A cell is read as :func:`_code_cells` reads it (full-width ４２０３０２００１ is the code, as a Chinese input method
    types it; a float's .0 dropped; an empty cell ""). A township file (``width`` 9) takes 9 digits, or 12 whose
    last 3 are 000 (420302001000) as their first 9; a village file (12) takes 12 digits. A cell of other digits
    (4203020010027, 420302001003-1, 4203020017) is flagged, for the caller to refuse quoting it: cut to its first
    ``width`` digits it was taken as another village or township without a word (QA 36). Text without a digit (a
    name read as the code) is left for the caller to call unknown, and a code Excel wrote in scientific notation
    for :func:`_excel_numbers` to name."""
    cells = _code_cells(codes)
    if width == 9:
        cells = cells.where(~cells.str.fullmatch(r"[0-9]{9}000", na=False), cells.str[:9])
    ok = cells.str.fullmatch(f"[0-9]{{{int(width)}}}", na=False)
    malformed = ~ok & cells.str.contains(r"[0-9]", na=False) & ~cells.str.match(SCIENTIFIC, na=False)
    return cells, malformed.to_numpy()


def malformed_code_words(typed: str, width: int) -> tuple[str, str]:
    """(en, zh) saying what the cell ``typed`` (as written) holds that is no code of ``width`` digits
    (:func:`_normalise_codes` flagged it): "'4203020017' has 10 digits", its other characters named, a village's
    code in a township file (or a township's in a village file) called so."""
    import re

    folded = _code_cells(pd.Series([typed], dtype=object)).iat[0]  # as the code was compared
    n = len(re.findall(r"[0-9]", folded))
    other = "".join(dict.fromkeys(re.sub(r"[0-9]", "", folded)))[:10]
    if other:
        return f"'{typed}' has {n} digits and other characters ('{other}')", f"“{typed}”有 {n} 位数字及其他字符（“{other}”）"
    if width == 9 and n == 12:  # 420302001001: a village's code in a township file
        return (f"'{typed}' has 12 digits not ending in 000 (a village's code)",
                f"“{typed}”有12位数字且末3位不是000（是村（社区）代码）")
    if width == 12 and n == 9:  # 420302001: a township's code in a village file
        return f"'{typed}' has 9 digits (a township's code)", f"“{typed}”有 9 位数字（是乡镇代码）"
    return f"'{typed}' has {n} digits", f"“{typed}”有 {n} 位数字"


#: Columns naming a township in a boundary file (said beside a feature's number).
NAME_COLUMNS = ("name", "名称", "乡镇", "乡镇名称", "乡镇(街道)", "乡镇（街道）", "乡镇街道", "xzqmc")


def _feature_names(gdf: pd.DataFrame, code_col) -> list[str]:
    """Each feature's name from the file's name column ("" without one), to say which feature a number is."""
    lower = {str(c).lower().strip(): c for c in gdf.columns if c not in (code_col, "geometry")}
    col = next((lower[n] for n in NAME_COLUMNS if n in lower), None)
    if col is None:
        return [""] * len(gdf)
    return [t.strip()[:40] for t in _code_text(gdf[col])]


def _cpg_encoding(path: Path, target: str) -> str | None:
    """The encoding a Shapefile's .cpg names (beside it, or beside it in its zip), or None without one."""
    stem = target[: -len(".shp")]
    try:
        if path.suffix.lower() in (".zip", ".kmz"):
            inner = stem.split(f"{path.resolve().as_posix()}/", 1)[-1] + "."
            with zipfile.ZipFile(path) as zf:  # already checked by open_checked above
                name = next((n for n in zf.namelist() if n.lower() == inner.lower() + "cpg"), None)
                raw = zf.read(name)[:100] if name else b""
        else:
            cpg = next((p for p in Path(stem).parent.glob(Path(stem).name + ".*") if p.suffix.lower() == ".cpg"), None)
            raw = cpg.read_bytes()[:100] if cpg else b""
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError):
        # a damaged member, an encrypted one (RuntimeError) or one of a compression zipfile cannot read: no .cpg to
        # go by, and the layer's own read says what is wrong with the zip (QA 36: it was raised uncaught)
        return None
    text = raw.decode("ascii", errors="ignore").strip()
    # ArcGIS writes a code page number (936) or its ANSI name for some; say it as people name it
    text = {"936": "GBK", "65001": "UTF-8", "54936": "GB18030", "950": "Big5"}.get(text, text)
    try:
        codecs.lookup(text)
    except (LookupError, ValueError):  # a .cpg naming no encoding: GDAL did not use it either
        return None
    return text


def read_gis(path: str | Path, *, crs: str | None = None, encoding: str | None = None,
             known=(), what: str = "") -> gpd.GeoDataFrame:
    """Read a GIS layer (GeoJSON, GeoPackage, Shapefile, KML/KMZ, or any of them zipped) in WGS84.

    Parameters
    ----------
    path : path
        The file. A ``.zip`` is searched for one layer (a ``.shp`` with its
        ``.dbf``/``.prj``/``.cpg``, or a GeoJSON/GeoPackage/KML).
    crs : str, optional
        The file's CRS (``"EPSG:4546"``...) when it has none, or to override
        a wrong ``.prj``; a file without either is taken as WGS84/CGCS2000.
    encoding : str, optional
        Attribute encoding of a Shapefile without a ``.cpg`` (``"gbk"``).
    known : collection of str, optional
        Column names the caller reads (normalised, :func:`geo.tables.norm_header`): a Shapefile field
        name cut short by the .dbf's 10 bytes is read as the one of them it can be (乡镇代 as 乡镇代码).
    what : str, optional
        The kind of data asked for ("townships", "villages": :data:`geo.tables.EMPTY_NEEDS`), which an empty
        file, or one without features, is told to hold.
    """
    from geo.tables import blank_bytes, empty_file_error, empty_needs

    path = Path(path)
    label = path.name
    check_file(path)
    if blank_bytes(path):
        # 0 bytes, or blank space only: said so, not "cannot read as a GIS layer (damaged, or another format)" (QA 34)
        raise empty_file_error(label, path.stat().st_size, what, layer=True)
    target = str(path)
    if path.suffix.lower() in (".zip", ".kmz"):
        try:
            # the same limits as every other upload (zip slip, bombs, links); GDAL reads it next
            with open_checked(path, label) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
        except zipfile.BadZipFile as exc:
            raise InputDataError(f"{label}: not a readable zip archive.", f"{label}：不是有效的zip压缩包。") from exc
        inner = [n for ext in LAYER_SUFFIXES for n in names if n.lower().endswith(ext)]
        if not inner:
            raise InputDataError(f"{label}: the zip holds no .shp, .geojson, .gpkg or .kml layer "
                                 f"(found: {', '.join(names[:10]) or 'nothing'}).",
                                 f"{label}：压缩包中没有 .shp、.geojson、.gpkg 或 .kml 图层"
                                 f"（包含：{'、'.join(names[:10]) or '无'}）。",
                                 hint_en="Zip the .shp together with its .shx, .dbf, .prj (and .cpg).",
                                 hint_zh="请将 .shp 与同名的 .shx、.dbf、.prj（及 .cpg）一起压缩。")
        if len(inner) > 1:  # which one the planner meant is not ours to guess
            raise InputDataError(f"{label}: the zip holds several layers ({', '.join(inner[:10])}).",
                                 f"{label}：压缩包中有多个图层（{'、'.join(inner[:10])}）。",
                                 hint_en="Zip one layer per file.", hint_zh="请每个压缩包只放一个图层。",
                                 details={"layers": inner})
        if inner[0].lower().endswith(".shp"):
            # a .shp zipped without its .shx or .dbf: said so (as a register's zip is), not GDAL's English "Unable to
            # open ... SHAPE_RESTORE_SHX" nor "no code column" of a .shp read without its attributes (QA 36)
            check_shapefile_parts(label, PurePosixPath(inner[0]).name, {n.lower() for n in names}, inner[0][:-4])
        target = f"/vsizip/{path.resolve().as_posix()}/{inner[0]}"
    elif path.suffix.lower() == ".shp":  # a bare .shp: its .shx and .dbf beside it, as geo.gisfiles.read_layer asks
        beside = {q.name.lower() for q in path.parent.glob(glob.escape(path.stem) + ".*") if q.stem == path.stem}
        check_shapefile_parts(label, label, beside, path.stem, zipped=False)
    if path.suffix.lower() in (".geojson", ".json") and not crs:
        # a crs member naming a system no one knows (EPSG:99999) was read as WGS84 without a word (QA 20),
        # as a register's GeoJSON once was (geo.gisfiles)
        from geo.gisfiles import check_named_crs
        check_named_crs(path, label)
    kwargs = {"encoding": encoding} if encoding else {}
    detected = None
    text_copy = None
    if path.suffix.lower() in TEXT_LAYER_SUFFIXES:
        # GDAL decodes a CSV as UTF-8 only: a GBK one (as Excel on Chinese Windows saves it) was refused with
        # "读取程序报告：'utf-8' codec can't decode byte 0xbb" (QA 33). Detected as a register's CSV is (UTF-8
        # with or without BOM, GBK, GB18030, UTF-16; an encoding given that does not fit is said in words),
        # and one other than UTF-8 read from a UTF-8 copy
        target, detected, text_copy = _utf8_text_layer(path, label, encoding)
        kwargs = {}
    if not encoding and target.lower().endswith(".shp") and _cpg_encoding(path, target) is None:
        # no .cpg: GDAL reads the .dbf as ISO-8859-1 and 代码 came out as mojibake, "no code column"
        # (QA 20); detected as a facility register's Shapefile is (UTF-8 or GB18030 when either fits)
        from geo.gisfiles import shapefile_encoding
        try:
            kwargs, detected = shapefile_encoding(target)
        except Exception:  # not readable: the read below says why
            kwargs, detected = {}, None
    if target.lower().endswith(".shp") and (declared := encoding or _cpg_encoding(path, target)):
        # UTF-8 text read in the encoding chosen or its .cpg's was mojibake without a word (QA 35)
        from geo.gisfiles import shapefile_misread
        if (wrong := shapefile_misread(target, label, declared, chosen=bool(encoding))) is not None:
            raise wrong
    notes: list = []
    try:
        # GDAL's warnings name the upload's path on the server: logged with the file's own name instead
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if target.lower().endswith(".shp"):
                    # a UTF-8 field name the .dbf's 10 bytes cut mid-character is read without its broken
                    # byte, and said (QA 25: "'utf-8' codec can't decode byte 0xe5" refused the layer)
                    gdf = read_shapefile(target, notes, source_encoding=encoding or detected
                                         or _cpg_encoding(path, target), known=known, **kwargs)
                else:
                    gdf = gpd.read_file(target, **kwargs)
            finally:
                for w in caught:
                    _log.info("%s: %s", label, reader_message(w.message, label))
    except Exception as exc:  # pyogrio raises several types for unreadable files
        en, zh = reader_reason(exc, label)
        fix_en, fix_zh = reader_hint(exc) or ("Use GeoJSON, GeoPackage or a zipped Shapefile.",
                                              "请使用 GeoJSON、GeoPackage 或 Shapefile 文件。")
        raise InputDataError(f"{label}: cannot read as a GIS layer ({en}).",
                             f"{label}：无法作为GIS图层读取（{zh}）。", hint_en=fix_en, hint_zh=fix_zh) from exc
    finally:
        if text_copy is not None:
            shutil.rmtree(text_copy, ignore_errors=True)
    if path.suffix.lower() in TEXT_LAYER_SUFFIXES:
        encoding = detected  # what the text was read as (a copy GDAL read is UTF-8): the report says it
    cut = list(gdf.attrs.get("cut_names") or [])  # field names the Shapefile limit cut (read_shapefile)
    if len(gdf) == 0:
        fix_en, fix_zh = empty_needs(what, path.suffix.lower() in (".xlsx", ".xlsm", ".xls")) if what else ("", "")
        raise InputDataError(f"{label} has no features.", f"{label} 中没有要素。", hint_en=fix_en, hint_zh=fix_zh)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all():
        # a CSV or a table without shapes: GDAL reads it, but there is nothing to draw
        raise InputDataError(f"{label}: no geometries (a table without shapes, e.g. a CSV); this layer needs "
                             "shapes (township boundaries as polygons).",
                             f"{label}：没有几何图形（如 CSV 等不含形状的表格）；此图层需要形状（乡镇边界为面要素）。",
                             hint_en="Export the layer from your GIS as GeoJSON, GeoPackage or a zipped Shapefile.",
                             hint_zh="请从 GIS 软件将该图层导出为 GeoJSON、GeoPackage 或压缩的 Shapefile。")
    # the upload's rules for a missing CRS: metres without one are refused with the fix, degrees
    # without one are read as WGS84/CGCS2000 lon/lat
    kind = "geojson" if path.suffix.lower() in (".geojson", ".json") else ""
    if crs:
        _check_degrees(gdf, crs, label)
    gdf, used = to_storage(gdf, crs, label, notes, kind)
    # what was found, for the upload's report (as a facility register's says it): the CRS read in,
    # whether it was assumed, and the attribute encoding (the planner's, else GDAL's: .cpg, UTF-8 for GeoJSON)
    if not encoding and detected and kwargs:
        encoding = detected
    if not encoding and target.lower().endswith(".shp"):
        # GDAL decodes a Shapefile by its .cpg but reports the text it hands over (UTF-8): the .cpg says what was read
        encoding = _cpg_encoding(path, target)
    if not encoding:
        try:
            encoding = pyogrio.read_info(target).get("encoding")
        except Exception:  # the layer was read above; not knowing its encoding is no reason to refuse it
            encoding = None
    # (zh, en) things worth telling (field names cut by the Shapefile limit); the assumed CRS is said by its flag
    gdf.attrs.update({"crs": used, "crs_assumed": ASSUMED_CRS_NOTE in notes, "encoding": encoding_label(encoding),
                      "notes": [n for n in notes if n != ASSUMED_CRS_NOTE], "cut_names": cut})
    return gdf


def _utf8_text_layer(path: Path, label: str, encoding: str | None) -> tuple[str, str, str | None]:
    """(the file GDAL is to read, the encoding the text is in, a temporary folder to remove or None) for a text
    layer (a CSV): its text decoded as a register's CSV is (:func:`geo.points.decode_text`: ``encoding`` when
    given, else UTF-8 with or without BOM, GBK, GB18030 or UTF-16; InputDataError in words when none fits),
    and, when that is not UTF-8, written as UTF-8 under its own name in a temporary folder (GDAL reads UTF-8)."""
    import tempfile

    from geo.points import decode_text

    text, used = decode_text(path.read_bytes(), label, encoding)
    if codecs.lookup(used).name in ("utf-8", "utf-8-sig"):
        return str(path), used, None
    folder = tempfile.mkdtemp(prefix="coverplan-text-layer-")
    copy = Path(folder) / path.name
    copy.write_text(text.lstrip("\ufeff"), encoding="utf-8")
    return str(copy), used, folder


def _check_degrees(gdf: gpd.GeoDataFrame, crs: str, label: str) -> None:
    """Refuse coordinates beyond ±180/±90 under a lon/lat CRS the planner gave (``--crs EPSG:4326``):
    read as degrees they went nowhere, and a township file was refused as polygons of "nan m²" (QA 24),
    where a file without a CRS is told its coordinates look projected (geo.gisfiles.to_storage)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError
    try:
        geographic = CRS.from_user_input(crs).is_geographic
    except CRSError:  # to_storage says what is wrong with it
        return
    if not geographic:
        return
    b = gdf.geometry.bounds.to_numpy(float)
    with np.errstate(invalid="ignore"):
        far = (np.abs(b[:, [0, 2]]) > 180).any(axis=1) | (np.abs(b[:, [1, 3]]) > 90).any(axis=1)
    # an Infinity is no metre: the township check names such a vertex as not a finite number (QA 26)
    far &= np.isfinite(b).all(axis=1)
    if not far.any():
        return
    at = int(np.flatnonzero(far)[0])
    x = b[at, 0] if abs(b[at, 0]) >= abs(b[at, 2]) else b[at, 2]
    y = b[at, 1] if abs(b[at, 1]) >= abs(b[at, 3]) else b[at, 3]
    # 1e+300, not its 301 digits (QA 26)
    eg, n, total = f"{plain_number(x)}, {plain_number(y)}", int(far.sum()), len(gdf)
    raise InputDataError(
        f"{label}: the coordinates look projected (metres, e.g. {eg} in feature {at + 1}; {n:,} of {total:,} "
        f"feature(s) lie beyond ±180° longitude or ±90° latitude), not degrees, but the coordinate system given "
        f"for the file ({crs}) is lon/lat.",
        f"{label}：坐标像是投影坐标（米，如第 {at + 1} 个要素的 {eg}；{total:,} 个要素中有 {n:,} 个超出经度 ±180°、"
        f"纬度 ±90° 的范围），不是经纬度，但为文件指定的坐标系（{crs}）是经纬度。",
        hint_en="Give the file's projected coordinate system instead, in the Projected CRS field on the Data page or "
                "with --crs on the command line, e.g. EPSG:4546 for CGCS2000 3-degree Gauss-Kruger CM 111E or "
                "EPSG:3857 for web-map metres; leave it empty when the file has a .prj or crs member.",
        hint_zh="请改为给出文件的投影坐标系：在“数据管理”页面的“投影坐标系”一栏，或在命令行用 --crs（如 CGCS2000 3度带"
                "中央经线111°E为 EPSG:4546，网络地图米制坐标为 EPSG:3857）；文件带有 .prj 或 crs 成员时请留空。",
        details={"file": label, "crs": crs, "example": [float(x), float(y)], "feature": at + 1, "features": n})


def to_wgs84(geoms: gpd.GeoSeries, coords: str) -> gpd.GeoSeries:
    """Convert lon/lat geometries from GCJ-02 (Amap, Tencent) or BD-09 (Baidu) to WGS84.

    Every vertex goes through ``prcoords``' inverse (the iterative "bored" one,
    accurate to centimetres); ``"wgs84"``/``"cgcs2000"`` come back unchanged.
    """
    coords = (coords or "wgs84").lower().replace("-", "")
    if coords in ("wgs84", "cgcs2000", "auto"):
        return geoms
    if coords not in _DATUMS:
        raise InputDataError(f"Unknown coordinate system '{coords}'; use wgs84, gcj02 or bd09.",
                             f"未知坐标系“{coords}”；可选 wgs84、gcj02 或 bd09。")
    fn = _DATUMS[coords]

    def convert(xy: np.ndarray) -> np.ndarray:
        out = np.empty_like(xy)
        for i, (x, y) in enumerate(xy):
            # outside China's box (metres read as degrees, a stray vertex) the datums are not defined and
            # prcoords fails with a math domain error: such vertices stay as they are (the checks name them)
            if not (72.004 <= x <= 137.8347 and 0.8293 <= y <= 55.8271):
                out[i] = (x, y)
                continue
            c = fn(prcoords.Coords(lat=y, lon=x))
            out[i] = (c.lon, c.lat)
        return out

    return gpd.GeoSeries(shapely.transform(geoms.values, convert), index=geoms.index, crs=geoms.crs)


def check_townships(region, path: str | Path, *, crs: str | None = None, coords: str = "wgs84",
                    encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read and check official township polygons; return them (``code``, geometry) in WGS84.

    Parameters
    ----------
    region : geo.regions.Region
        The region (codes and counties to check against).
    path : path
        GeoJSON, GeoPackage, KML or (zipped) Shapefile of polygons with a code
        column (9-digit, or 12-digit with trailing zeros).
    crs, encoding : str, optional
        See :func:`read_gis`.
    coords : {"wgs84", "gcj02", "bd09"}
        Datum of lon/lat vertices (online-map exports are GCJ-02 or BD-09).

    Raises
    ------
    InputDataError
        Unreadable or empty file, no code column, unknown or duplicate codes,
        non-polygons, polygons mostly outside their county.
    """
    path = Path(path)
    label = path.name
    gdf = read_gis(path, crs=crs, encoding=encoding, known=_normalised((*CODE_ALIASES, *NAME_COLUMNS)),
                   what="townships")
    col = _code_column(gdf, label)
    # a feature's code under any header read as one (QA 33: `代码` on one feature, `code` on the others)
    values, code_cols = merged_codes(gdf, col)
    _excel_numbers(values, label, None, 1, "township")
    codes, malformed = _normalise_codes(values, 9)
    typed = _code_text(values).str.strip()  # each code as the file writes it, to quote
    known = set(region.townships.index)
    kinds = gdf.geometry.geom_type
    # every kind of problem of the file at once, so one round of corrections fixes them all
    problems = _Problems(label)
    names = _feature_names(gdf, col)
    empty = np.flatnonzero((codes == "").to_numpy())
    if len(empty):
        # said by feature number (and name, when the file has one): "unknown code nan" named no feature (QA 24)
        at_en = [f"feature {i + 1}" + (f" ({names[i]})" if names[i] else "") for i in empty]
        at_zh = [f"第 {i + 1} 个要素" + (f"（{names[i]}）" if names[i] else "") for i in empty]
        # every column a code was looked for in (a file that mixes `code` and `代码` was told "column code is
        # empty" of a feature whose 代码 was filled: QA 33)
        where_en = (f"column {col} is empty" if len(code_cols) == 1
                    else f"columns {', '.join(map(str, code_cols[:-1]))} and {code_cols[-1]} are all empty")
        where_zh = f"{col} 列为空" if len(code_cols) == 1 else f"{join_list(code_cols)} 列均为空"
        problems.add(f"{len(empty)} feature(s) without a township code ({where_en}): "
                     f"{join_list(at_en, 'en')}.",
                     f"有 {len(empty)} 个要素没有乡镇代码（{where_zh}）：{join_list(at_zh)}。",
                     f"Fill in the 9-digit township code of each of them (e.g. 420302001) in your GIS program's "
                     f"attribute table, or delete features that are no township, and export the file again.",
                     "请在GIS软件的属性表中为这些要素填写9位乡镇代码（如420302001），或删除不是乡镇的要素，然后重新导出。",
                     empty_codes=[int(i) + 1 for i in empty])
    bad = np.flatnonzero(malformed)
    if len(bad):
        # 4203020017 or 420302001001 was cut to 420302001 and taken as that township without a word (QA 36): said
        # as written, with its digits counted, by feature number and name
        said = [(malformed_code_words(typed.iat[i], 9), feature_said("", names[i], int(i))) for i in bad]
        problems.add(f"{len(bad)} feature(s) whose code is no township code (a township's code is 9 digits, or 12 "
                     f"ending in 000): {'; '.join(f'{f[0]}: {w[0]}' for w, f in said)}.",
                     f"有 {len(bad)} 个要素的代码不是乡镇代码（乡镇代码为9位数字，或末3位为000的12位数字）："
                     f"{'；'.join(f'{f[1]}：{w[1]}' for w, f in said)}。",
                     "Correct the code of each feature named in the attribute table of your GIS program to its "
                     "township's 9-digit NBS code (e.g. 420302001; 12 digits ending in 000, 420302001000, also do), "
                     "and export the file again.",
                     "请在GIS软件的属性表中把所列要素的代码改为其乡镇的9位统计用区划代码（如420302001；末3位为000的12位代码，"
                     "如420302001000，亦可），然后重新导出。",
                     malformed_codes=[{"feature": int(i) + 1, "code": typed.iat[i], "name": names[i]} for i in bad])
    unknown = sorted(set(codes[(codes != "") & ~malformed]) - known)
    if unknown:
        # each code's feature(s), by number and the file's name (QA 28: "420323999" alone named no feature)
        at = {c: [int(i) for i in np.flatnonzero((codes == c).to_numpy())] for c in unknown}
        # a full-width code (compared as its digits) quoted as typed (QA 36)
        shown = {c: c if typed.iat[at[c][0]].isascii() else typed.iat[at[c][0]] for c in unknown}
        where_en, where_zh = _unknown_code_features({shown[c]: rows for c, rows in at.items()}, names)
        problems.add(f"{len(unknown)} unknown township code(s): {join_list(list(shown.values()), 'en')} ({where_en}).",
                     f"有 {len(unknown)} 个未知的乡镇代码：{join_list(list(shown.values()))}（{where_zh}）。",
                     "Codes must be the NBS 2023 township codes of this region (e.g. 420302001): correct the code of "
                     "each feature named in the attribute table of your GIS program, or delete features that are no "
                     "township of this region, and export the file again.",
                     "代码须为本地区2023年统计用区划代码中的乡镇代码（如420302001）：请在GIS软件的属性表中改正所列要素的代码，"
                     "或删除不属于本地区的要素，然后重新导出。", unknown=unknown,
                     unknown_features=[{"feature": i + 1, "code": c, "name": names[i]} for c in unknown for i in at[c]])
    dup = sorted(set(codes[codes.duplicated() & (codes != "") & ~malformed]))
    if dup:
        problems.add(f"duplicate township code(s): {join_list(dup, 'en')}.", f"乡镇代码重复：{join_list(dup)}。",
                     "One polygon per township.", "每个乡镇只能有一个面。", duplicates=dup)
    polygonal = kinds.isin(["Polygon", "MultiPolygon"]) & ~gdf.geometry.is_empty
    # a feature without a code is named by its number (it is refused above too)
    shown_en = pd.Series([c or f"feature {i + 1}" for i, c in enumerate(codes)], index=codes.index)
    shown_zh = pd.Series([c or f"第 {i + 1} 个要素" for i, c in enumerate(codes)], index=codes.index)
    # a vertex of NaN or Infinity (GDAL reads them in a GeoJSON; a GeoPackage or Shapefile holds them) crashed
    # make_valid below (QA 26: "orientationIndex encountered NaN/Inf numbers", a 500 and a traceback): said
    # per feature with the vertex, and the feature left out of the checks of shapes that follow
    not_finite = {i: v for i, v in enumerate(first_not_finite(g) for g in gdf.geometry.values) if v is not None}
    if not_finite:
        at_en = [f"{shown_en.iloc[i]} (vertex {k}: {plain_number(x)}, {plain_number(y)})"
                 for i, (k, x, y) in not_finite.items()]
        at_zh = [f"{shown_zh.iloc[i]}（第 {k} 个顶点：{plain_number(x)}, {plain_number(y)}）"
                 for i, (k, x, y) in not_finite.items()]
        problems.add(f"{len(not_finite)} feature(s) with a coordinate that is not a finite number (NaN or "
                     f"Infinity): {join_list(at_en, 'en')}.",
                     f"有 {len(not_finite)} 个要素的坐标不是有限的数（NaN 或 Infinity）：{join_list(at_zh)}。",
                     "Correct or delete those vertices in your GIS program (e.g. check geometry validity) and "
                     "export the file again; every coordinate must be a number such as 110.78.",
                     "请在GIS软件中修正或删除这些顶点（如“检查几何有效性”）后重新导出；每个坐标都须为数字，如 110.78。",
                     not_finite=[str(codes.iloc[i]) or f"feature {i + 1}" for i in not_finite])
    finite = pd.Series([i not in not_finite for i in range(len(gdf))], index=gdf.index)
    bad = codes[~polygonal].tolist()
    if bad:
        problems.add(f"not polygons: {join_list(shown_en[~polygonal], 'en')}.",
                     f"不是面要素：{join_list(shown_zh[~polygonal])}。",
                     "Township boundaries must be polygons.", "乡镇边界须为面要素。", not_polygons=bad)
    polygonal &= finite  # (said above: not measured, repaired or called "no area" too)
    # a ring whose points coincide or lie on a line is made "valid" as a line or nothing: its polygon
    # parts are what is left, and a township of (almost) no area is refused, not put on the map
    raw = to_wgs84(gdf.geometry.where(finite.values, shapely.Polygon()), coords)
    # a ring that crosses itself (a bow tie) is made valid, which changes its shape: said per feature (QA 20:
    # repaired without a word)
    invalid = polygonal & ~raw.is_valid
    repaired = [{"row": int(i) + 1, "column": str(col), "severity": "warning", "code": "geometry_repaired",
                 "value": str(codes.iloc[i]), "candidates": [],
                 "message_zh": f"{codes.iloc[i]} 的边界无效（{_invalid_reason_zh(raw.iloc[i])}），已自动修复后读取，"
                               "形状可能与原图不同",
                 "message_en": f"the boundary of {codes.iloc[i]} is invalid ({shapely.is_valid_reason(raw.iloc[i])}, "
                               "e.g. a ring crossing itself); it was repaired, and its shape may differ from the file",
                 "fix_zh": "请在GIS软件中检查并修复该面（如“修复几何”）后重新导出",
                 "fix_en": "Check the polygon in your GIS program (e.g. Repair/Fix Geometry) and export it again"}
                for i in np.flatnonzero(invalid.to_numpy())]
    if polygonal.any() and _axes_swapped(raw[polygonal].total_bounds, region.counties.total_bounds):
        # (110, 32) written as (32, 110): every area came out "nan m²", read as degenerate polygons (QA 23)
        problems.add("the coordinates look swapped: the x values are this region's latitudes and the y values "
                     "its longitudes.", "坐标的经纬度似乎颠倒：x 值为本区域的纬度，y 值为其经度。",
                     "Export the layer with longitude as x and latitude as y (in a GIS program, swap the axes "
                     "or set the layer's coordinate system correctly).",
                     "请以经度为 x、纬度为 y 重新导出该图层（在GIS软件中交换坐标轴，或正确设置图层坐标系）。",
                     swapped_axes=True)
        problems.raise_any()
    # ... and one polygon swapped among good ones, told by its own extent (QA 31: the file's extent was right, and
    # the polygon was called one "of (almost) no area (nan m²)"); said by its code, and left out of the checks below
    swapped = polygonal & pd.Series([bool(p) and _axes_swapped(b, region.counties.total_bounds)
                                     for p, b in zip(polygonal, shapely.bounds(raw.values))], index=gdf.index)
    if swapped.any():
        at = np.flatnonzero(swapped.to_numpy())
        said = [feature_said(codes.iloc[i], names[i], int(i)) for i in at]
        said_en, said_zh = [en for en, _ in said], [zh for _, zh in said]
        x0, y0, x1, y1 = (plain_number(v) for v in shapely.bounds(raw.iloc[at[0]]))
        problems.add(f"{len(at)} polygon(s) have their coordinates swapped (x is the latitude, y the longitude; "
                     f"e.g. x {x0} to {x1}, y {y0} to {y1}), unlike the file's other polygons: "
                     f"{join_list(said_en, 'en')}.",
                     f"有 {len(at)} 个乡镇面的经纬度颠倒（x 为纬度、y 为经度，如 x 为 {x0} 至 {x1}、y 为 {y0} 至 {y1}），"
                     f"与文件中的其他面不同：{join_list(said_zh)}。",
                     "Swap the x and y of each polygon named in your GIS program (longitude as x, latitude as y; e.g. "
                     "redraw it, or take it again from a source in the right axis order) and export the file again; "
                     "the other polygons are right.",
                     "请在GIS软件中交换所列各面的 x、y 坐标（经度为 x、纬度为 y；可重新绘制，或从坐标顺序正确的来源重新获取）"
                     "后重新导出；其他面无误。",
                     swapped_features=[{"feature": int(i) + 1, "code": str(codes.iloc[i]), "name": names[i]}
                                       for i in at])
        polygonal &= ~swapped
    geoms = raw.make_valid().apply(_polygon_parts)
    with warnings.catch_warnings():  # a vertex beyond ±90° has no area in metres (NaN): said below, not warned
        warnings.simplefilter("ignore", RuntimeWarning)
        km2 = geoms.set_crs(settings.STORAGE_CRS, allow_override=True).to_crs(settings.METRIC_CRS).area / 1e6
    # a polygon whose area cannot be measured (a latitude beyond ±90°, a longitude beyond ±180°): its coordinates
    # are no longitude and latitude; said so, never "nan m²"
    unmeasured = polygonal & ~np.isfinite(km2)
    if unmeasured.any():
        at = np.flatnonzero(unmeasured.to_numpy())
        eg = [plain_number(v) for v in shapely.bounds(raw.iloc[at[0]])]
        problems.add(f"the area of {len(at)} polygon(s) cannot be measured: their coordinates are no longitude and "
                     f"latitude (e.g. x {eg[0]} to {eg[2]}, y {eg[1]} to {eg[3]}): "
                     f"{join_list(shown_en[unmeasured], 'en')}.",
                     f"有 {len(at)} 个乡镇面无法计算面积：其坐标不是有效的经纬度（如 x 为 {eg[0]} 至 {eg[2]}、"
                     f"y 为 {eg[1]} 至 {eg[3]}）：{join_list(shown_zh[unmeasured])}。",
                     "Check the coordinates of those polygons (longitude as x, latitude as y; projected coordinates "
                     "need the file's coordinate system) and export the file again.",
                     "请核对这些面的坐标（经度为 x、纬度为 y；投影坐标须设置文件的坐标系）后重新导出。",
                     unmeasured=[str(codes.iloc[i]) or f"feature {i + 1}" for i in at])
        polygonal &= ~unmeasured
    small = polygonal & ~(km2 >= MIN_TOWNSHIP_KM2)
    # a repair that keeps little of the township (F5: a bow tie of 4 km took 大木厂镇 from 337 km² to 8 km² with
    # only the warning above, and the villages, facilities and coverage followed): refused, named with its areas
    lossy = _lossy_repairs(region, raw, km2,
                           np.flatnonzero((invalid & polygonal & ~small & codes.isin(known)).to_numpy()), codes, names)
    if lossy:
        problems.add(f"{len(lossy)} invalid polygon(s) would lose most of their area to the automatic repair "
                     f"(less than {100 - MAX_REPAIR_LOSS_PCT}% of the area the outline encloses is left, or less "
                     f"than {MIN_REPAIRED_SHARE_PCT}% of the township's area now): "
                     f"{'; '.join(en for en, _, _ in lossy)}.",
                     f"有 {len(lossy)} 个乡镇面的边界无效，自动修复后面积大减（不足边线所围面积的 "
                     f"{100 - MAX_REPAIR_LOSS_PCT}%，或不足该乡镇现有面积的 {MIN_REPAIRED_SHARE_PCT}%），不能导入："
                     f"{'；'.join(zh for _, zh, _ in lossy)}。",
                     "Fix each polygon named in your GIS program (check its validity, then Fix Geometries / Repair "
                     "Geometry, or redraw the edge that crosses itself), check that it covers the whole township, "
                     "and export the file again.",
                     "请在GIS软件中修复所列各面（先“检查有效性”，再“修复几何”，或重画自相交的边线），确认其覆盖整个乡镇后重新导出。",
                     repair_loss=[d for _, _, d in lossy])
    tiny = codes[small].tolist()
    if tiny:
        area = [f"{km2[i] * 1e6:,.0f} m²" for i in codes.index[small]]
        problems.add(f"polygon(s) with (almost) no area: "
                     f"{join_list([f'{c} ({a})' for c, a in zip(shown_en[small], area)], 'en')}; a township covers "
                     f"at least {MIN_TOWNSHIP_KM2} km².",
                     f"乡镇面积为零或过小：{join_list([f'{c}（{a}）' for c, a in zip(shown_zh[small], area)])}；"
                     f"乡镇面积至少为 {MIN_TOWNSHIP_KM2} 平方千米。",
                     "Check the polygon: its points may coincide or lie on one line, or the coordinates may be "
                     "in the wrong unit (set the coordinate system).",
                     "请检查该面：其顶点可能重合或共线，或坐标单位有误（请设置坐标系）。", tiny_polygons=tiny)
    # the county test needs a known code and a measurable polygon: the rows that have both are tested now,
    # so a file with an unknown code and a misplaced polygon hears of both at once (it heard of one per run)
    placed = polygonal & ~small & codes.isin(known)
    if placed.any():
        county_codes = codes[placed].str[:6]
        in_region = county_codes.isin(region.counties.index).to_numpy()
        g = geoms[placed].values[in_region]
        share = shapely.area(shapely.intersection(g, region.counties.loc[county_codes[in_region], "geometry"].values)) \
            / shapely.area(g)
        off = codes[placed][in_region][share < 0.5].tolist()
        if off:
            # each one by its name, feature number and the county it lies in (QA 28: the codes alone, and only
            # the coordinate system blamed, for one polygon drawn in the wrong county)
            at = np.flatnonzero(placed.to_numpy())[in_region][share < 0.5]
            said = [_misplaced(region, geoms.iloc[i], codes.iloc[i], names[i], int(i)) for i in at]
            fix_en = ("Check the code of each polygon named, or the polygon itself (drawn in the wrong place, or "
                      "another township's shape): correct it in your GIS program and export the file again.")
            fix_zh = "请核对所列乡镇面的代码，或该面本身（画错了位置，或用了其他乡镇的面），在GIS软件中改正后重新导出。"
            if len(off) == int(in_region.sum()) and len(off) > 1:  # every polygon elsewhere: the coordinates
                fix_en += (" As every polygon of the file lies outside its county, check the coordinate system "
                           "too (GCJ-02 data must be converted; the file's CRS must be set).")
                fix_zh += "文件中所有乡镇面都不在所属县区内，也请检查坐标系（GCJ-02数据须先转换；文件须带有正确的坐标系定义）。"
            problems.add(f"{len(off)} polygon(s) lie mostly outside their county: "
                         f"{'; '.join(en for en, _, _ in said)}.",
                         f"有 {len(off)} 个乡镇面大部分不在所属县区内：{'；'.join(zh for _, zh, _ in said)}。",
                         fix_en, fix_zh, codes=off, outside=[d for _, _, d in said])
    problems.raise_any()
    out = gpd.GeoDataFrame({"code": codes.values}, geometry=geoms.values, crs=settings.STORAGE_CRS)
    # the file's other columns (a population, an area) are not read: said, as a village file's are
    skip = {"code", "geometry", "name", "名称", "乡镇", "乡镇名称", "乡镇(街道)", "乡镇（街道）"} | GIS_BOOKKEEPING
    ignored = [str(c) for c in gdf.columns if c not in (*code_cols, "geometry") and str(c).strip().lower() not in skip]
    out.attrs.update({"file": label, "count": int(len(out)), "of": int(len(known)), **_found(gdf),
                      "ignored_columns": ignored, "repaired": repaired + _overlaps(out),
                      "notes": list(gdf.attrs.get("notes") or []),
                      # the villages the new boundaries would leave outside their own township: the report's first line
                      "villages_outside": _villages_outside(region, out)})
    return out


#: An invalid township polygon whose repair keeps less than (100 - this) % of the area its outline encloses
#: is refused (a ring folding over itself, parts drawn twice: the repair drops what is covered twice).
MAX_REPAIR_LOSS_PCT = 20
#: ... and so is one that, repaired, covers less than this % of the township it would replace (a bow tie
#: drawn for the township: its outline itself is small). Half: official boundaries differ from the
#: approximate ones, by a third for 城关镇 (QA 23), but a township is not half the size its neighbours left it.
MIN_REPAIRED_SHARE_PCT = 50


def feature_said(code: str, name: str, i: int) -> tuple[str, str]:
    """(en, zh) naming feature ``i`` (0-based) of a township file by its code, its name (when the file has one)
    and its number: "420381001 (均州路街道, feature 1)" / "420381001（均州路街道，第 1 个要素）"; a feature without a
    code by its number first, said once (QA 33: "第 3 个要素（第 3 个要素）")."""
    code, name, n = str(code or "").strip(), str(name or "").strip(), i + 1
    if not code:
        return (f"feature {n}" + (f" ({name})" if name else ""), f"第 {n} 个要素" + (f"（{name}）" if name else ""))
    return (f"{code} (" + (f"{name}, " if name else "") + f"feature {n})",
            f"{code}（" + (f"{name}，" if name else "") + f"第 {n} 个要素）")


def _lossy_repairs(region, raw: gpd.GeoSeries, km2: pd.Series, at, codes: pd.Series,
                   names: list[str]) -> list[tuple[str, str, dict]]:
    """(en, zh, details) for each invalid polygon (positions ``at``) whose repair keeps little: less than
    (100 - :data:`MAX_REPAIR_LOSS_PCT`) % of the area its outline encloses (the shells' union, holes taken
    out: ``make_valid``'s "structure" method), or less than :data:`MIN_REPAIRED_SHARE_PCT` % of the
    township's area in ``region`` now."""
    if not len(at):
        return []
    metric = settings.METRIC_CRS
    outline = gpd.GeoSeries([_polygon_parts(shapely.make_valid(raw.iloc[i], method="structure")) for i in at],
                            crs=settings.STORAGE_CRS).to_crs(metric).area.to_numpy() / 1e6
    towns = region.townships
    now = gpd.GeoSeries(towns.loc[codes.iloc[at].tolist(), "geometry"].values,
                        crs=towns.crs or settings.STORAGE_CRS).to_crs(metric).area.to_numpy() / 1e6
    out = []
    for k, i in enumerate(at):
        after = float(km2.iloc[i])
        drawn = after < outline[k] * (100 - MAX_REPAIR_LOSS_PCT) / 100
        shrunk = after < now[k] * MIN_REPAIRED_SHARE_PCT / 100
        if not (drawn or shrunk):
            continue
        # the larger loss is the one said: the outline's when the repair dropped land, else the township's now
        basis = "outline" if drawn and (not shrunk or outline[k] >= now[k]) else "now"
        before = float(outline[k] if basis == "outline" else now[k])
        code = str(codes.iloc[i])
        name = names[i] or (str(towns.loc[code, "name"]) if "name" in towns else "")
        pct = after / before * 100 if before > 0 else 0.0
        pct_text = f"{pct:.1f}" if pct < 10 else f"{pct:.0f}"
        basis_en = "the area its outline encloses" if basis == "outline" else "the township's area now"
        basis_zh = "边线所围面积" if basis == "outline" else "该乡镇现有面积"
        # GEOS's reason with the place it found ("Self-intersection[110.5 32.4]"), in both languages: where to look
        en = (f"{name + ' (' if name else ''}{code}{', ' if name else ' ('}feature {i + 1}) is invalid "
              f"({shapely.is_valid_reason(raw.iloc[i])}); repaired it covers {after:,.2f} km², {pct_text}% of "
              f"{before:,.2f} km², {basis_en}")
        zh = (f"{name}（{code}，第 {i + 1} 个要素）" if name else f"{code}（第 {i + 1} 个要素）") + \
            f"边界无效（{_invalid_reason_zh(raw.iloc[i])}），修复后面积为 {after:,.2f} 平方千米，仅为{basis_zh} " \
            f"{before:,.2f} 平方千米的 {pct_text}%"
        out.append((en, zh, {"feature": int(i) + 1, "code": code, "name": name, "km2_after": round(after, 2),
                             "km2_before": round(before, 2), "basis": basis}))
    return out


#: GEOS's reasons for an invalid polygon (shapely.is_valid_reason) in Chinese: a Chinese message is Chinese (QA 20)
_INVALID_REASONS_ZH = {
    "self-intersection": "边线自相交", "ring self-intersection": "环自相交", "interior is disconnected": "内部不连通",
    "hole lies outside shell": "内环位于外环之外", "nested holes": "内环相互嵌套", "nested shells": "外环相互嵌套",
    "duplicate rings": "环重复", "too few points in geometry component": "构成部分的点数过少",
    "invalid coordinate": "坐标无效", "ring is not closed": "环未闭合"}


def _invalid_reason_zh(geom) -> str:
    """Why ``geom`` is invalid, in Chinese, with the place GEOS found: "边线自相交，位于 110.75749, 32.60422" for
    "Self-intersection[110.757493575069 32.6042210071137]" (the English message gives GEOS's own words)."""
    text = str(shapely.is_valid_reason(geom))
    kind, _, at = text.partition("[")
    words = _INVALID_REASONS_ZH.get(kind.strip().lower(), "几何无效")  # (a reason GEOS may add later)
    xy = at.rstrip("]").split()
    try:
        place = f"，位于 {float(xy[0]):.5f}, {float(xy[1]):.5f}" if len(xy) >= 2 else ""
    except ValueError:
        place = ""
    return words + place


def _villages_outside(region, official: gpd.GeoDataFrame) -> list[dict]:
    """The report's warning of the villages and communities inside their own township now that would lie outside
    it once ``official`` (checked polygons) is imported into ``region`` (the boundaries as geo.datasets builds
    them, :func:`overlay_townships`): how many, and which townships (F5: 17 of 大木厂镇's 18 villages were left
    outside it without a word). Empty when every one stays inside. A point outside its township already (one of
    the planner's, which stays where it is) is not the import's doing and is not counted.

    A warning, not a refusal: the planner's boundaries are the authority on where a township is, and the
    synthetic (示意) village points were placed inside the approximate boundaries, so they may well
    disagree with the true ones; a boundary known to be broken (a repair that loses most of it) is refused
    by the check itself. Said first in the report, with the split between the synthetic points (moved
    inside their township, :func:`settle_villages`) and the planner's imported ones (left where they are).
    """
    towns, vills, counties = region.townships, getattr(region, "villages", None), region.counties
    need = {"county_code", "geometry_quality", "seat_lon", "seat_lat"}
    if vills is None or not len(official) or not need <= set(towns.columns) or "township_code" not in vills:
        return []
    try:
        after = overlay_townships(towns, counties, official)
    except shapely.errors.GEOSException as exc:  # the commit builds the same layer and says it
        _log.warning("villages outside their township not counted: %s", exc)
        return []
    changed = set(official["code"].astype(str).str[:6])
    own = vills["township_code"].astype(str)
    mine = own.str[:6].isin(changed) & own.isin(after.index)
    v, own = vills[mine], own[mine]
    if not len(v):
        return []
    # only the villages inside their own township now and outside it after: the import's doing (F10: the planner's
    # own points already outside an approximate township the file does not touch were blamed on it)
    now = shapely.contains(towns.loc[own.tolist(), "geometry"].values, v.geometry.values)
    left = now & ~shapely.contains(after.loc[own.tolist(), "geometry"].values, v.geometry.values)
    if not left.any():
        return []
    official_pt = (v["location_quality"].astype(str) == "official").to_numpy() if "location_quality" in v \
        else np.zeros(len(v), bool)
    total = own.value_counts()
    out_by = own[left].value_counts()
    n, n_own = int(left.sum()), int((left & official_pt).sum())
    cnames = counties["name"] if "name" in counties else pd.Series(dtype=object)
    cnames_en = counties["name_en"] if "name_en" in counties else cnames

    def town(code: str, lang: str) -> str:
        name = str(towns.loc[code, "name"]) if "name" in towns else ""
        cc = code[:6]
        if lang == "en":
            county = str(cnames_en.get(cc, cc))
            return f"{name} ({code}, {county})"
        return f"{cnames.get(cc, '')}{name}（{code}）"
    listed_codes = out_by.index.tolist()
    shown = listed_codes[:10]
    en_items = "; ".join(f"{town(c, 'en')} {int(out_by[c]):,} of {int(total[c]):,}" for c in shown)
    zh_items = "；".join(f"{town(c, 'zh')}{int(total[c]):,} 个中的 {int(out_by[c]):,} 个" for c in shown)
    more_en = f"; and {len(listed_codes) - 10:,} more townships" if len(listed_codes) > 10 else ""
    more_zh = f"；另有 {len(listed_codes) - 10:,} 个乡镇" if len(listed_codes) > 10 else ""
    if n_own == 0:
        tail_en = ("All of them are synthetic (示意) points: they are moved inside their township's new boundary, "
                   "and the coverage follows the new polygons")
        tail_zh = "均为示意（合成）点位：将被移入所属乡镇的新边界内，覆盖结果随新边界改变"
    elif n_own == n:
        tail_en = "All of them are points imported by planners: they stay where they are, outside their township"
        tail_zh = "均为规划人员导入的点位：保持原位，即位于所属乡镇以外"
    else:
        tail_en = (f"{n_own:,} of them are points imported by planners, which stay where they are; the other "
                   f"{n - n_own:,} are synthetic (示意) points, moved inside their township's new boundary")
        tail_zh = f"其中 {n_own:,} 个为规划人员导入的点位，保持原位；其余 {n - n_own:,} 个为示意（合成）点位，将被移入所属乡镇的新边界内"
    word = "village or community" if n == 1 else "villages and communities"
    return [{"row": None, "column": None, "severity": "warning", "code": "villages_outside_township",
             # each township's code with how many of its villages would lie outside it, of how many
             "value": ", ".join(f"{c} {int(out_by[c])}/{int(total[c])}" for c in shown)
                      + (f" (+{len(listed_codes) - 10:,})" if len(listed_codes) > 10 else ""),
             "candidates": [],
             "message_zh": f"导入后将有 {n:,} 个村（社区）不在其所属乡镇（街道）的新边界内：{zh_items}{more_zh}。{tail_zh}",
             "message_en": f"after this import {n:,} {word} would lie outside the new boundary of their own "
                           f"township: {en_items}{more_en}. {tail_en}",
             "fix_zh": "请核对所列乡镇的边界和代码（面画错了位置或形状、代码填成了其他乡镇）；边界无误时可照常导入，"
                       "再核对或导入这些村（社区）的坐标",
             "fix_en": "Check the boundaries and codes of the townships named (a polygon drawn in the wrong place or "
                       "shape, another township's code); if the boundaries are right, import as usual and then check "
                       "or import those villages' coordinates"}]


def _unknown_code_features(at: dict, names: list[str]) -> tuple[str, str]:
    """(en, zh) naming the feature(s) of each unknown code, in the order of the codes (the first ten)."""
    def one(rows: list[int], lang: str) -> str:
        nums = [str(i + 1) for i in rows[:5]] + ([("..." if lang == "en" else "…")] if len(rows) > 5 else [])
        named = names[rows[0]] if len(rows) == 1 else ""
        if lang == "en":
            return f"feature{'s' if len(rows) > 1 else ''} {', '.join(nums)}" + (f", {named}" if named else "")
        return f"第 {'、'.join(nums)} 个要素" + (f"“{named}”" if named else "")
    codes = list(at)[:10]
    en = "; ".join((f"{c}: " if len(at) > 1 else "") + one(at[c], "en") for c in codes) + ("; ..." if len(at) > 10 else "")
    zh = "；".join((f"{c}为" if len(at) > 1 else "") + one(at[c], "zh") for c in codes) + ("等" if len(at) > 10 else "")
    return en, zh


def _misplaced(region, geom, code: str, name: str, i: int) -> tuple[str, str, dict]:
    """(en, zh, details) for a township polygon lying mostly outside the county of its code: its name (the
    file's, else the region's), feature number, and the county it lies in mostly (or "outside the region")."""
    counties = region.counties
    own = code[:6]
    area = shapely.area(geom)
    shares = shapely.area(shapely.intersection(geom, counties.geometry.values)) / area if area > 0 \
        else np.zeros(len(counties))
    best = int(np.argmax(shares)) if len(shares) else -1
    # the county holding the most of it; none when most of it lies outside the region
    there = str(counties.index[best]) if best >= 0 and shares.sum() >= 0.5 and shares[best] > 0 else None
    name = name or (str(region.townships.loc[code, "name"]) if code in region.townships.index else "")

    def county(c: str | None, lang: str) -> str:
        if c is None:
            return "outside every county of the region" if lang == "en" else "本区域各县区以外"
        col = "name_en" if lang == "en" and "name_en" in counties else "name"
        return str(counties.loc[c, col]) if c in counties.index else c
    en = (f"{code} ({name + ', ' if name else ''}feature {i + 1}) lies mostly "
          f"{'' if there is None else 'in '}{county(there, 'en')}, not in {county(own, 'en')}, the county of its code")
    zh = (f"{name}（{code}，第 {i + 1} 个要素）" if name else f"{code}（第 {i + 1} 个要素）") \
        + f"大部分位于{county(there, 'zh')}，而非其代码所属的{county(own, 'zh')}"
    return en, zh, {"feature": i + 1, "code": code, "name": name, "county": own, "lies_in": there}


#: Two townships of a file that share more than this (km²) overlap: a boundary drawn twice, not a
#: shared edge's float noise.
MIN_OVERLAP_KM2 = 0.01


def _overlaps(towns: gpd.GeoDataFrame) -> list[dict]:
    """A warning per pair of the file's polygons that overlap (QA 23: a repaired bow tie of 城关镇 took
    1.4 km² of 军店镇): the land is then counted in both; said, as the file is the planner's to correct."""
    metric = towns.to_crs(settings.METRIC_CRS)
    geoms = metric.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    out = []
    for i, j in zip(left, right):
        if i >= j:
            continue
        km2 = shapely.area(shapely.intersection(geoms[i], geoms[j])) / 1e6
        if km2 > MIN_OVERLAP_KM2:
            a, b = str(towns["code"].iloc[i]), str(towns["code"].iloc[j])
            out.append({"row": int(j) + 1, "column": None, "severity": "warning", "code": "townships_overlap",
                        "value": f"{a}, {b}", "candidates": [],
                        "message_zh": f"{a} 与 {b} 的边界重叠约 {km2:,.2f} 平方千米，重叠部分将同时计入两个乡镇",
                        "message_en": f"the boundaries of {a} and {b} overlap by about {km2:,.2f} km²; the overlap "
                                      "counts in both townships",
                        "fix_zh": "请在GIS软件中检查这两个面的公共边（如“拓扑检查”）后重新导出",
                        "fix_en": "Check the two polygons' shared edge in your GIS program (e.g. a topology "
                                  "check) and export them again"})
    return out


def _axes_swapped(bounds, region_bounds, margin: float = 1.0) -> bool:
    """Whether a layer's (minx, miny, maxx, maxy) is the region's box with x and y exchanged (latitude
    written as x), within ``margin`` degrees."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    rx0, ry0, rx1, ry1 = (float(v) for v in region_bounds)
    inside = ry0 - margin <= x0 and x1 <= ry1 + margin and rx0 - margin <= y0 and y1 <= rx1 + margin
    return bool(inside and not (rx0 - margin <= x0 and x1 <= rx1 + margin))


#: Columns GIS programs add to every layer (feature ids, computed lengths and areas): not worth a warning.
GIS_BOOKKEEPING = frozenset({"id", "fid", "gid", "ogc_fid", "objectid", "object_id", "shape_area", "shape_leng",
                             "shape_length", "shape_len"})


def township_issues(townships: gpd.GeoDataFrame) -> list[dict]:
    """Warnings of a checked township file (:func:`check_townships`), as a register report's issues: the
    columns not read and the polygons repaired (each named by its feature number and code)."""
    out = []
    ignored = townships.attrs.get("ignored_columns") or []
    if ignored:
        out.append(_columns_not_read(ignored, "township"))
    # what the reader found (a field name cut by the Shapefile limit), as a village file's notes are said
    out += [_note_issue(zh, en) for zh, en in townships.attrs.get("notes") or []]
    # the villages the new boundaries leave outside their own township first: what the import does to the
    # coverage, before the notes on the file (F5: a repaired bow tie emptied a township under a warning)
    return [dict(i) for i in townships.attrs.get("villages_outside") or []] + out \
        + list(townships.attrs.get("repaired") or [])


def _note_issue(zh: str, en: str) -> dict:
    """A note of the file's reader (geo.tables, geo.gisfiles) as a report's warning."""
    return {"row": None, "column": None, "severity": "warning", "code": "table_note", "value": "",
            "candidates": [], "message_zh": zh, "message_en": en, "fix_zh": "", "fix_en": ""}


def _columns_not_read(ignored: list[str], what: str) -> dict:
    """The warning naming the columns of a township or village file that are not read (all of them counted)."""
    from geo.errors import listed
    shown_zh, shown_en = listed(ignored[:8], "zh", total=len(ignored)), listed(ignored[:8], "en", total=len(ignored))
    more_zh = f"（共 {len(ignored):,} 列）" if len(ignored) > 8 else ""
    more_en = f" ({len(ignored):,} columns in all)" if len(ignored) > 8 else ""
    if what == "township":
        zh_file, en_file = "乡镇（街道）边界文件只读取代码和边界", "A township file gives codes and boundaries only"
        fix_zh = "乡镇人口由村（社区）人口汇总，暂不能从边界文件导入；边界可照常导入"
        fix_en = "Township populations are the sums of their villages' and cannot be imported with the boundaries; " \
                 "the boundaries import as usual"
    else:
        zh_file, en_file = "村（社区）点位文件只读取代码和经纬度", "A village file gives codes and coordinates only"
        fix_zh = "村级人口按2020年普查县级数据由公开规则推算（示意），暂不能导入；点位可照常导入"
        fix_en = "Village populations are derived from the 2020 census county totals by a stated rule " \
                 "(示意) and cannot be imported yet; the points import as usual"
    return {"row": None, "column": None, "severity": "warning", "code": "columns_not_read",
            "value": ", ".join(ignored[:8]) + (f" (+{len(ignored) - 8:,})" if len(ignored) > 8 else ""),
            "candidates": [], "message_zh": f"未读取的列：{shown_zh}{more_zh}。{zh_file}",
            "message_en": f"columns not read: {shown_en}{more_en}. {en_file}", "fix_zh": fix_zh, "fix_en": fix_en}


def _repeated_column_issue(r: dict) -> dict:
    """The warning of a village file's column that repeats a column read (:func:`_columns_disagree`'s copies): named
    as the file heads it ("column '经度' number 2", as a register's report names it), empty or a copy, and that
    nothing is lost (QA 31: "columns not read: 经度.2", a name not in the file, with a fix on village populations)."""
    what, first, empty, n = r["what"], r["first"], int(r.get("empty") or 0), int(r.get("rows") or 0)
    if n and empty >= n:
        en, zh = f"{what['en']} is empty", f"{what['zh']}为空"
    else:
        en = f"{what['en']} repeats {first['en']}" + (
            f" ({empty:,} of its cells {'is' if empty == 1 else 'are'} empty)" if empty else "")
        zh = f"{what['zh']}与{first['zh']}的值相同" + (f"（其中 {empty:,} 个单元格为空）" if empty else "")
    header = r.get("header") or r["used"]  # the extra column's heading as the file has it
    return {"row": None, "column": header, "severity": "warning", "code": "column_repeated", "value": header,
            "candidates": [], "message_en": f"{en}; only {first['en']} was read",
            "message_zh": f"{zh}，只读取了{first['zh']}",
            "fix_en": f"Nothing is lost by reading {first['en']}: delete the extra column to leave this warning out",
            "fix_zh": f"只读取{first['zh']}不会丢失数据；删去多余的一列即可不再提示"}


def _polygon_parts(geom):
    """The polygons of a geometry ``make_valid`` returned (a collection, a line or a point for a
    degenerate ring); an empty polygon when there are none."""
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _found(src) -> dict:
    """The CRS, "CRS assumed" flag and encoding a layer or table was read with (``read_gis``,
    ``read_points_csv``), for the import's report."""
    return {k: src.attrs.get(k, d) for k, d in (("crs", None), ("crs_assumed", False), ("encoding", None))}


def check_villages(region, path: str | Path, *, crs: str | None = None, coords: str = "wgs84",
                   encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read and check official village/community points; return ``code, lon, lat``, geometry (WGS84).

    Parameters
    ----------
    region : geo.regions.Region
        The region (village codes to check against).
    path : path
        CSV ``code,lon,lat`` (UTF-8 or GBK; 代码/经度/纬度 headers work), or a
        GIS point layer (GeoJSON, GeoPackage, KML, zipped Shapefile) with a code column.
    crs : str, optional
        CRS of the x/y columns of a CSV in projected coordinates, or of a GIS
        file without one.
    coords : {"wgs84", "gcj02", "bd09"}
        Datum of lon/lat coordinates.
    encoding : str, optional
        Text encoding of the CSV (detected when not given) or of a Shapefile's attributes.
    """
    path = Path(path)
    label = path.name
    bbox_region = region.name if region.name == "shiyan" else None
    # a row with bad, swapped or far-off coordinates is refused alone, as an unknown code is (below)
    row_issues: list[dict] = []
    # rows are named as a register's are: a table's by its line (the header is line 1), a layer's by
    # its feature number (QA 18: a village file's rows were counted from 1 below the header)
    base = 1 if path.suffix.lower() in GIS_SUFFIXES else 2
    if path.suffix.lower() in GIS_SUFFIXES:
        gdf = read_gis(path, crs=crs, encoding=encoding,
                       known=_normalised((*CODE_ALIASES, *VILLAGE_CODE_ALIASES, "名称", "村名", "村(社区)名称")),
                       what="villages")
        if not (gdf.geometry.geom_type == "Point").all():
            raise InputDataError(f"{label}: villages must be points.", f"{label}：村（社区）须为点要素。")
        _too_many_village_rows(label, len(gdf), len(region.villages))
        # 村代码 of 12-digit codes (a layer's code column is named as a township file's or a village table's), never
        # a township's code column (乡镇代码, or a 代码 of township codes) while there is another (QA 34)
        names = (*CODE_ALIASES, *VILLAGE_CODE_ALIASES)
        col = village_code_column(gdf, names)
        if col is None:
            townish = [str(c) for c in gdf.columns if str(c) != "geometry" and township_code_header(c)]
            if townish:  # only a township's code: said as such, not "no code column" nor "unknown code 420302001"
                raise InputDataError(
                    f"{label}: no village code column: {join_list(townish, 'en')} "
                    f"{'holds' if len(townish) == 1 else 'hold'} township codes, not the villages' own codes.",
                    f"{label}：没有村（社区）代码列：{join_list(townish)}列是乡镇代码，不是村（社区）自身的代码。",
                    hint_en="Add a column of the villages' 12-digit NBS codes headed 村代码 or code (e.g. 420302001001) "
                            "and export the file again.",
                    hint_zh="请加上村（社区）12位统计用区划代码列（列名“村代码”或 code，如420302001001）后重新导出。",
                    details={"columns": [str(c) for c in gdf.columns if str(c) != "geometry"]})
            col = _code_column(gdf, label, names, (12,))  # raises "no code column"
        # a feature's code under any header read as one (村代码 on some features, code on the others), two codes of
        # one feature refusing it (QA 34)
        code_values, code_cols, conflicts = merged_village_codes(gdf, col, names)
        # a point written [lat, lon] is read the other way round with a warning, as a register's layer's, before
        # its datum is applied
        x, y = np.array(gdf.geometry.x, dtype=float), np.array(gdf.geometry.y, dtype=float)
        with np.errstate(invalid="ignore"):
            degrees = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 180)
        if read_swapped_back(x, y, degrees, row_issues, None, layer=True).any():
            gdf = gdf.set_geometry(gpd.GeoSeries(gpd.points_from_xy(x, y), index=gdf.index, crs=gdf.crs))
        geoms = to_wgs84(gdf.geometry, coords)
        # the code column under the file's own name, as messages and the report name it ("empty code"); the
        # coordinates are the features' points (no column: a register's layer says none either)
        pts = pd.DataFrame({str(col): code_values.values, "lon": geoms.x.values, "lat": geoms.y.values})
        pts = points_from_table(pts.astype(str), label=label, region=bbox_region, path=path, row_issues=row_issues,
                                header=VILLAGE_HEADER, columns={"id": str(col), "lon": "lon", "lat": "lat"})
        pts.attrs.update(gdf.attrs)
        pts.attrs["source_columns"] = [c for c in gdf.columns if c not in (*code_cols, "geometry")]
        # the features' other attributes, to tell a copied feature from one of another point or name (below)
        extra = pd.DataFrame(gdf.drop(columns=[*code_cols, gdf.geometry.name])).reset_index(drop=True)
        pts.attrs["column_names"] = {"code": str(col), "lon": None, "lat": None}
        pts.attrs["code_conflicts"] = conflicts
        pts.attrs["code_columns"] = [str(c) for c in code_cols[1:]]
    else:
        # read as a facility register's table is (geo.tables): comma, tab or semicolon, Excel workbooks, a
        # title row, the encodings detected, an unpaired quotation mark named by its line (QA 20: each was
        # refused or misread here), and coordinates in degrees-minutes-seconds as a register's are
        pts = _points_from_table_file(path, encoding=encoding, crs=crs, coords=coords, region=bbox_region,
                                      row_issues=row_issues, n_villages=len(region.villages))
        extra = pd.DataFrame(pts.drop(columns=[c for c in ("id", "lon", "lat", "geometry",
                                                           *pts.attrs.get("code_columns", ())) if c in pts])
                             ).reset_index(drop=True)
    # a code Excel wrote as 4.20325E+11 refuses its row (the whole file only when every code is one)
    scientific = _excel_numbers(pts["id"], label, pts.attrs.get("file_rows"), base, "village", whole=False)
    codes, malformed = _normalise_codes(pts["id"], 12)
    typed = _code_text(pts["id"]).str.strip()  # each code as the file writes it, to quote
    # the line (or feature number) of each row, the header being line 1
    line = pts.attrs.get("file_rows") or [i + base for i in range(len(pts))]
    problems = _Problems(label)
    # an empty code is its row's (below), and so is a cell of digits that is no 12-digit code
    unknown = sorted(set(codes[(codes != "") & ~malformed]) - set(region.villages.index))
    if unknown and not malformed.any() and not any(str(c).isdigit() for c in codes):
        # names read as codes (a facility register given as villages: its 名称 column was taken)
        raise InputDataError(
            f"{label}: no village codes: the column read as the code holds text such as "
            f"{join_list(unknown[:3], 'en')}. Is this a village file?",
            f"{label}：没有村（社区）代码：被当作代码读取的列是文字，如 {join_list(unknown[:3])}。这是村（社区）点位文件吗？",
            hint_en="A village file has a code column of 12-digit NBS codes, and lon, lat: code,lon,lat.",
            hint_zh="村（社区）点位文件须有12位统计用区划代码列及经纬度：code,lon,lat（代码,经度,纬度）。",
            details={"values": unknown[:10]})
    # an unknown code or a repeated village refuses its row, named in the report, not the whole file
    # (QA 17: one mistyped code of 1,979 stopped the import with no row report, unlike a register's)
    refused, known = [], set(region.villages.index)
    first: dict[str, list[int]] = {}
    # a point clearly swapped is read the other way round with a warning, as a register's is (QA 31: a village
    # file refused the row where a register read it swapped back); a row's errors refuse it
    by_row = {r["index"]: r for r in row_issues if r.get("severity", "error") == "error"}
    # two code columns giving one row two codes: refused, both named (QA 34), before any other check of the row
    conflicts = dict(pts.attrs.get("code_conflicts") or {})
    more_codes = list(pts.attrs.get("code_columns") or [])
    swapped_back = [r for r in row_issues if r.get("severity") == "warning"]
    # the file's own columns and the offending cells, as a register's report gives them (QA 25: "code",
    # "lon/lat" and the village code were given for a swapped or NaN point of 村代码,村名称,经度,纬度)
    names = pts.attrs.get("column_names") or {}
    code_col = names.get("code") or "code"
    text = codes.astype(str).to_numpy()
    # every row of a village that is on more than one with a usable point: which point is right cannot be told,
    # so none is taken (F5: the first row won silently and the second was refused). A row refused for its own
    # cells (no number, swapped) offers no point to choose between: the other row is the only one there is
    for i, c in enumerate(text):
        if c in known and i not in by_row and i not in conflicts:
            first.setdefault(c, []).append(i)
    lon = pd.to_numeric(pts["lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(pts["lat"], errors="coerce").to_numpy(float)
    # ... but a plain copy (the same point within SAME_POINT_M, the same other cells) is the village once: the
    # first row is taken, the copies skipped with a warning naming both lines (F10: a pasted row lost both)
    again, copy_of = _repeated_villages({c: rows for c, rows in first.items() if len(rows) > 1}, lon, lat, extra)
    # a point in another county than its code's (F5: moved 109 km into 郧西县, accepted with a warning); a copy's
    # point is its first row's, refused alike
    candidates = np.array([i not in by_row and i not in conflicts and c in known and c not in again
                           for i, c in enumerate(text)], bool)
    elsewhere = _outside_own_county(region, text, lon, lat, candidates)
    copies = []  # the copies skipped: neither taken nor refused (rows = accepted + refused + skipped)
    for i, c in enumerate(text):
        if i in conflicts:
            refused.append(code_conflict_row(line[i], conflicts[i]))
        elif i in by_row:
            r = by_row[i]
            # the cell's column as the file heads it; a layer's points are its features' geometry: no column
            # (as a register's layer says none)
            column = code_col if r["kind"] == "empty_code" else r.get("column") if names.get("lon") else None
            en, zh = r["message_en"], r["message_zh"]
            if r["kind"] == "empty_code" and more_codes:  # every code column read, as a township file's (QA 34)
                cols = [code_col, *more_codes]
                en = f"no village code: columns {join_list(cols, 'en')} are all empty"
                zh = f"没有村（社区）代码：{join_list(cols)} 列均为空"
            refused.append(_refused_row(line[i], r.get("value", c), r["kind"], en, zh,
                                        r["fix_en"], r["fix_zh"], column=column))
        elif scientific[i]:
            refused.append(scientific_code_row(line[i], str(pts["id"].iat[i]), code_col))
        elif malformed[i]:
            # 4203020010027 or 420302001003-1 was cut to 12 digits and taken as another village without a word (QA 36)
            said_en, said_zh = malformed_code_words(typed.iat[i], 12)
            refused.append(_refused_row(
                line[i], typed.iat[i], "malformed_code",
                f"the village code {said_en}: a village's code is 12 digits, so which village it means cannot be told",
                f"村（社区）代码{said_zh}：村（社区）代码应为12位数字，无法判断所指的村（社区）",
                f"Correct the code in column {code_col} of row {line[i]} to the village's 12-digit NBS 2023 code "
                "(e.g. 420302001001) and import the file again",
                f"请把第 {line[i]} 行“{code_col}”列的代码改为该村（社区）的12位统计用区划代码（如420302001001），然后重新导入",
                column=code_col))
        elif c not in known:
            # a full-width code (compared as its digits) quoted as typed (QA 36)
            c = c if typed.iat[i].isascii() else typed.iat[i]
            refused.append(_refused_row(line[i], c, "unknown_code", f"unknown village code {c}",
                                        f"未知的村（社区）代码 {c}",
                                        "Use the 12-digit NBS 2023 village codes (e.g. 420302001001)",
                                        "请使用12位统计用区划代码（如420302001001）", column=code_col))
        elif c in again:
            rows_c, differ = again[c]
            lines = [line[k] for k in rows_c]
            none = "neither is imported" if len(lines) == 2 else "none of them is imported"
            lines_en = f"{lines[0]} and {lines[1]}" if len(lines) == 2 else join_list(lines, "en")
            if differ:  # one point, other cells that differ (two names): which row is right cannot be told either
                cols_en, cols_zh = join_list(differ, "en"), join_list(differ)
                en = (f"village {c} is on rows {lines_en} with the same point but a different {cols_en}: {none}, "
                      "as which row is right cannot be told")
                zh = f"村（社区）{c} 重复出现在第 {join_list(lines)} 行，点位相同但{cols_zh}不同：无法判断哪一行正确，这些行均不导入"
            else:
                en = f"village {c} is on rows {lines_en}: {none}, as which point is right cannot be told"
                zh = f"村（社区）{c} 重复出现在第 {join_list(lines)} 行：无法判断哪一行的点位正确，这些行均不导入"
            refused.append(_refused_row(
                line[i], c, "duplicate_code", en, zh,
                "Keep one row per village, the one with its right point, and import the file again",
                "每个村（社区）只保留一行（点位正确的那一行）后重新导入", column=code_col))
        elif i in elsewhere:
            en, zh = elsewhere[i]
            refused.append(_refused_row(
                line[i], f"{lon[i]:g}, {lat[i]:g}", "outside_own_county", en, zh,
                "Check the point's coordinates (or its code): a village's point must lie in the county its code "
                "names", "请核对该点的坐标（或其代码）：村（社区）点位须位于其代码所属的县区内",
                column=names.get("lon") if "column_names" in pts.attrs else "lon"))
        elif i in copy_of:
            kept = line[copy_of[i]]
            shared = bool(_compared_columns(extra))
            what_en = "the same point and cells" if shared else "the same point"
            what_zh = "点位及其他各列均相同" if shared else "点位相同"
            copies.append({"row": int(line[i]), "column": code_col, "severity": "warning",
                           "code": "duplicate_row_skipped", "value": c, "candidates": [],
                           "message_zh": f"村（社区）{c} 在第 {kept}、{line[i]} 行重复出现，{what_zh}：导入第 {kept} 行，"
                                         "本行作为重复行略过",
                           "message_en": f"village {c} is on rows {kept} and {line[i]} with {what_en}: row {kept} is "
                                         "imported, this copy is skipped",
                           "fix_zh": "删除重复的一行", "fix_en": "Delete the copy"})
    if len(refused) == len(codes) - len(copies) and refused:
        problems.add(f"no row can be imported: {refused[0]['message_en']}" + (" and the others alike" if len(refused) > 1 else "") + ".",
                     f"没有可导入的行：{refused[0]['message_zh']}" + ("，其余各行亦然" if len(refused) > 1 else "") + "。",
                     refused[0]["fix_en"] + ".", refused[0]["fix_zh"] + "。",
                     unknown=[r["value"] for r in refused if r["code"] == "unknown_code"])
    problems.raise_any()
    keep = np.ones(len(codes), bool)
    index_of = {n: i for i, n in enumerate(line)}
    keep[[index_of[r["row"]] for r in refused]] = False
    keep[list(i for i in copy_of if i not in elsewhere)] = False
    # the points' datum as the points tell it, without a header or ids naming it (QA 34: a GCJ-02 file read as WGS84
    # under --coords auto said nothing): the rows taken, and those refused for lying outside their county (a BD-09
    # point 1.2 km over the county line is the datum's doing too)
    told = keep.copy()
    told[list(elsewhere)] = True
    datum = village_datum(region, text[told], lon[told], lat[told], coords)
    # the rows read swapped back that are imported: a warning each, the correction named (``fixed``: the CLI
    # takes it only with --partial, as a register's; the data page's Confirm takes it)
    corrected = [{"row": int(line[r["index"]]), "column": r.get("column") if names.get("lon") else None,
                  "severity": "warning", "code": "swapped", "value": r["value"], "candidates": [],
                  **{k: r[k] for k in ("message_zh", "message_en", "fix_zh", "fix_en", "fixed", "unfixed_zh",
                                       "unfixed_en")}}
                 for r in swapped_back if keep[r["index"]]]
    out = gpd.GeoDataFrame({"code": codes.values[keep], "lon": pts["lon"].values[keep], "lat": pts["lat"].values[keep]},
                           geometry=gpd.points_from_xy(pts["lon"].values[keep], pts["lat"].values[keep]),
                           crs=settings.STORAGE_CRS)
    # what the file holds besides the code and the point (a population, a name) is not read: said in the report
    skip = {"id", "code", "lon", "lat", "geometry", "name", "名称", "村名", "村(社区)名称"} | GIS_BOOKKEEPING
    # (a copy of a column read, 经度 twice: a warning of its own, naming it as the file heads it)
    repeated = list(pts.attrs.get("repeated_columns") or [])
    skip |= {str(r["column"]).strip().lower() for r in repeated}
    skip |= {str(c).strip().lower() for c in pts.attrs.get("code_columns") or []}  # the other code columns read
    ignored = [str(c) for c in pts.attrs.get("source_columns", pts.columns) if str(c).strip().lower() not in skip]
    # the lists of one entry per row are RowLists, which pandas does not copy into every frame derived from
    # this one (QA 28: a check of 200,000 rows took 10 minutes, most of it deep-copying them)
    skipped = RowList(pts.attrs.get("skipped") or [])  # totals and footer rows: neither accepted nor refused
    read = int(len(codes)) + len(skipped)
    # the rows read, said as the sum they are (QA 32: "accepted 13 · refused 5 · rows 19" left out the copy skipped)
    counted = skipped_rows_note(read, int(len(out)), len(refused), [r["row"] for r in copies],
                                [r["row"] for r in skipped])
    skipped = RowList(sorted([*skipped, *copies], key=lambda r: r["row"]))  # and the copies of a row
    out.attrs.update({"file": label, "count": int(len(out)), "of": int(len(region.villages)), **_found(pts),
                      "ignored_columns": ignored, "repeated_columns": repeated,
                      "notes": list(pts.attrs.get("notes") or []) + counted,
                      "skipped_copies": len(copies), "skipped_summary": len(skipped) - len(copies),
                      "rows": RowList(int(line[i]) for i in np.flatnonzero(keep)), "refused": RowList(refused),
                      "read": read, "skipped": skipped, "column_names": dict(names), "corrected": RowList(corrected),
                      "datum_suggestion": datum})
    return out


def skipped_rows_note(read: int, accepted: int, refused: int, copies, summaries) -> list[tuple[str, str]]:
    """(zh, en) saying which rows of a village file were skipped, neither accepted nor refused (``copies``: rows
    that copy an earlier one; ``summaries``: totals and footer rows), and the rows read as the sum they are
    (``read`` = ``accepted`` + ``refused`` + skipped); none when no row was skipped."""
    copies, summaries = sorted(int(r) for r in copies), sorted(int(r) for r in summaries)
    n = len(copies) + len(summaries)
    if not n:
        return []
    parts_zh, parts_en = [], []
    if copies:
        parts_zh.append(f"第 {join_list(copies)} 行是重复行")
        parts_en.append(f"{'row' if len(copies) == 1 else 'rows'} {join_list(copies, 'en')} "
                        f"{'copies' if len(copies) == 1 else 'copy'} "
                        "an earlier row")
    if summaries:
        parts_zh.append(f"第 {join_list(summaries)} 行是合计行或表尾落款行")
        parts_en.append(f"{'row' if len(summaries) == 1 else 'rows'} {join_list(summaries, 'en')} "
                        f"{'is a' if len(summaries) == 1 else 'are'} "
                        f"totals or footer {'row' if len(summaries) == 1 else 'rows'}")
    return [(f"{'，'.join(parts_zh)}，已略过（共 {n:,} 行，不计入接受或拒绝的行）：共 {read:,} 行 = 接受 {accepted:,} 行 + "
             f"拒绝 {refused:,} 行 + 略过 {n:,} 行",
             f"{'; '.join(parts_en)}: skipped ({n:,} {'row' if n == 1 else 'rows'}, counted neither as accepted nor "
             f"as refused): {read:,} rows = {accepted:,} accepted + {refused:,} refused + {n:,} skipped")]


#: Two rows of one village whose points are closer than this (metres), with the same other cells, are one row
#: copied: the first is taken (a register's row repeated under 1 m is one facility listed twice, planner.register).
SAME_POINT_M = 1.0
#: Cells that differ between copies of a row by nature: a running number, a GIS file's feature id.
_ROW_NUMBER_COLUMNS = frozenset({"序号", "行号", "no", "no."})


def _compared_columns(extra: pd.DataFrame) -> list:
    """The columns of ``extra`` (a village file's columns besides the code and the point) two copies of a row
    share: a running number (序号) and a GIS file's feature id differ between copies by nature."""
    return [c for c in extra.columns
            if str(c).strip().lower() not in GIS_BOOKKEEPING | _ROW_NUMBER_COLUMNS and c != "geometry"]


def _repeated_villages(rows_of: dict[str, list[int]], lon: np.ndarray, lat: np.ndarray,
                       extra: pd.DataFrame) -> tuple[dict[str, tuple[list[int], list[str]]], dict[int, int]]:
    """(the villages on several rows that are refused, {code: (rows, the columns that differ: empty when the
    points do)}; the copies, {row index: its first row}).

    A village's rows are copies of one when every one's point lies within :data:`SAME_POINT_M` of the first's
    and its other cells (``extra``, the file's columns besides the code and the point, running numbers and GIS
    feature ids left out) are the first's: the first is taken. Otherwise which row is right cannot be told:
    every row is refused."""
    from geo.crs import lonlat_to_metric

    if not rows_of:
        return {}, {}
    cols = _compared_columns(extra)
    at = sorted({k for rows in rows_of.values() for k in rows})  # only the repeated rows are looked at
    cells = {k: [str(v).strip() for v in extra[cols].iloc[k].tolist()] for k in at}
    x, y = lonlat_to_metric(lon[at], lat[at])
    xy = {k: (float(a), float(b)) for k, a, b in zip(at, np.atleast_1d(x), np.atleast_1d(y))}
    again, copy_of = {}, {}
    for c, rows in rows_of.items():
        a = rows[0]
        near = all(math.isfinite(xy[k][0]) and math.isfinite(xy[a][0])
                   and math.hypot(xy[k][0] - xy[a][0], xy[k][1] - xy[a][1]) < SAME_POINT_M for k in rows[1:])
        differ = [str(col) for j, col in enumerate(cols) if any(cells[k][j] != cells[a][j] for k in rows[1:])]
        if near and not differ:
            copy_of.update({k: a for k in rows[1:]})
        else:
            again[c] = (rows, [] if not near else differ)
    return again, copy_of


#: A village point this far (km) outside the county of its code, in another county or outside the region, is
#: refused; nearer, it is a warning (a point on the county line, the county polygon's own generalisation).
COUNTY_SLACK_KM = 1.0


def _county_label(region, county: str, lang: str) -> str:
    """A county of ``region`` by its name in ``lang`` (its code when the region does not know it)."""
    counties = region.counties
    col = "name_en" if lang == "en" and "name_en" in counties else "name"
    return str(counties.loc[county, col]) if county in counties.index and col in counties else county


def _own_township(region, code: str, lang: str) -> str:
    """A village's own township with its code and county: 房县城关镇（420325100） / 城关镇 (420325100), Fang County
    (F5: "belongs to 城关镇, but its point lies in 城关镇 (420322100), Yunxi County" named two townships alike)."""
    towns = region.townships
    home = str(region.villages.loc[code, "township_code"])
    name = str(towns.loc[home, "name"]) if home in towns.index else ""
    county = home[:6]
    if lang == "en":
        return f"{name} ({home}), {_county_label(region, county, 'en')}"
    return f"{_county_label(region, county, 'zh')}{name}（{home}）"


def _outside_own_county(region, codes, lon, lat, rows) -> dict[int, tuple[str, str]]:
    """{row index: (en, zh)} for the rows flagged in ``rows`` whose point lies more than
    :data:`COUNTY_SLACK_KM` outside the county of their code: which county (and township) it lies in, or
    that it lies outside the region, and how far outside its own county."""
    counties = region.counties
    county = np.array([str(c)[:6] for c in codes], dtype=object)
    ok = np.asarray(rows, bool) & np.isin(county, list(counties.index)) & np.isfinite(lon) & np.isfinite(lat)
    at = np.flatnonzero(ok)
    if not len(at):
        return {}
    # prepared copies: the region's own geometries are not touched
    shapes = {c: shapely.transform(g, lambda xy: xy) for c, g in counties.geometry.items()}
    for g in shapes.values():
        shapely.prepare(g)
    inside = shapely.contains_xy(np.array([shapes[c] for c in county[at]], dtype=object), lon[at], lat[at])
    at = at[~inside]
    if not len(at):
        return {}
    metric = settings.METRIC_CRS
    pts_m = gpd.GeoSeries(gpd.points_from_xy(lon[at], lat[at]), crs=settings.STORAGE_CRS).to_crs(metric).values
    own_m = gpd.GeoSeries([shapes[c] for c in county[at]], crs=counties.crs or settings.STORAGE_CRS).to_crs(metric)
    km = shapely.distance(own_m.values, pts_m) / 1000
    far = km > COUNTY_SLACK_KM
    at, km = at[far], km[far]
    if not len(at):
        return {}
    pts = shapely.points(lon[at], lat[at])
    there_county = np.full(len(at), None, dtype=object)
    for c, g in shapes.items():
        free = np.array([x is None for x in there_county], bool)
        there_county[shapely.contains(g, pts) & free] = c
    towns = region.townships
    tree_at, town_at = shapely.STRtree(towns.geometry.values).query(pts, predicate="within")
    there_town = dict(zip(tree_at.tolist(), (str(towns.index[k]) for k in town_at)))
    vills = region.villages
    out = {}
    for k, i in enumerate(at):
        code = str(codes[i])
        vname = str(vills.loc[code, "name"]) if "name" in vills else ""
        own_zh, own_en = _county_label(region, county[i], "zh"), _county_label(region, county[i], "en")
        c, t = there_county[k], there_town.get(k)
        if c is None:
            where_en, where_zh = "outside the region", "不在本区域内"
        elif t is not None and t[:6] == c:
            where_en = f"in {towns.loc[t, 'name']} ({t}), {_county_label(region, c, 'en')}"
            where_zh = f"落在{_county_label(region, c, 'zh')}{towns.loc[t, 'name']}（{t}）内"
        else:
            where_en, where_zh = f"in {_county_label(region, c, 'en')}", f"落在{_county_label(region, c, 'zh')}内"
        en = (f"{vname + ' (' + code + ')' if vname else code} belongs to {_own_township(region, code, 'en')}, but "
              f"its point lies {where_en}, {km[k]:,.1f} km outside {own_en}")
        zh = (f"{vname}（{code}）" if vname else code) + f"属于{_own_township(region, code, 'zh')}，但点位{where_zh}，" \
            f"在{own_zh}以外约 {km[k]:,.1f} 公里"
        out[int(i)] = (en, zh)
    return out


def _refused_row(row: int, code: str, kind: str, en: str, zh: str, fix_en: str, fix_zh: str, *,
                 column: str = "code") -> dict:
    """A refused row of a village file, as a register report's issue (``row``: its line or feature number)."""
    return {"row": int(row), "column": column, "severity": "error", "code": kind, "value": code, "candidates": [],
            "message_en": en, "message_zh": zh, "fix_en": fix_en, "fix_zh": fix_zh}


def village_datum(region, codes, lon, lat, coords: str) -> dict | None:
    """The datum a village file's points (``lon, lat`` as read, ``codes`` their villages) look like when read as
    WGS84, or None (geo.coords; QA 34: a GCJ-02 file without a header naming its datum was read as WGS84 under
    --coords auto without a word, where a register's ids suggested it).

    Told first by the villages that already have an official point (a village file imported before): the file's
    points lie the datum's offset from them (:func:`geo.coords.datum_by_reference`); then by the polygons each
    point claims by its code (:func:`geo.coords.datum_by_polygons`): its county (official boundaries) and its
    township where the township's boundary is official. An approximate (示意) township or a synthetic village point
    says nothing of a 0.5 km offset (their own error is kilometres), so with neither an official point nor an
    official boundary near the points nothing is suggested: the suggestion is never a guess.

    Only against WGS84 (what --coords auto and wgs84 read): the points of a file read as GCJ-02 or BD-09 were
    converted as the planner chose."""
    from geo.coords import datum_by_polygons, datum_by_reference

    codes = np.asarray(codes, dtype=object)
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    vills = region.villages
    at = np.flatnonzero(np.isin(codes, vills.index.to_numpy(dtype=object)))
    if coords != "wgs84" or not len(at):
        return None
    codes, lon, lat = codes[at], lon[at], lat[at]
    v = vills.loc[codes]
    if "location_quality" in v:
        official = (v["location_quality"].astype(str) == "official").to_numpy()
        ref_lon = np.where(official, v.geometry.x.to_numpy(float), np.nan)
        ref_lat = np.where(official, v.geometry.y.to_numpy(float), np.nan)
        found = datum_by_reference(lon, lat, ref_lon, ref_lat, coords)
        if found is not None:
            return found

    def prepared(frame) -> dict:
        # official boundaries only, as prepared copies: the region's own geometries are not touched
        ok = frame["geometry_quality"].astype(str) == "official" if "geometry_quality" in frame else \
            pd.Series(False, index=frame.index)
        out = {str(c): shapely.transform(g, lambda xy: xy) for c, g in frame.geometry[ok].items()
               if g is not None and not g.is_empty}
        for g in out.values():
            shapely.prepare(g)
        return out
    counties, towns = prepared(region.counties), prepared(region.townships)
    if not counties and not towns:
        return None
    own_town = v["township_code"].astype(str).to_numpy() if "township_code" in v else \
        np.array([str(c)[:9] for c in codes], dtype=object)
    claimed = [(counties.get(str(c)[:6]), towns.get(t)) for c, t in zip(codes, own_town)]
    return datum_by_polygons(lon, lat, claimed, coords)


def datum_issue(suggestion: dict | None, column=None) -> list[dict]:
    """The warning suggesting a village file's datum (:func:`village_datum`), as a register's report gives its own
    (planner.register: "datum_suggestion"), in both languages; none without a suggestion."""
    from geo.coords import DATUM_LABELS

    if not suggestion:
        return []
    datum = suggestion["datum"]
    label = DATUM_LABELS[datum]
    if suggestion.get("test") == "reference":
        d0, d1 = f"{suggestion['median_m_before']:,.0f}", f"{suggestion['median_m_after']:,.0f}"
        n = suggestion["n"]
        zh = (f"坐标更像是 {label['zh']}：文件中 {n} 个村（社区）已有正式点位，按 WGS84 读取时文件中的点与其相距中位约 {d0} 米，"
              f"换算为 WGS84 后约 {d1} 米")
        en = (f"The coordinates look like {label['en']}: {n} villages and communities of the file already have "
              f"official points; read as WGS84 the file's points lie a median of about {d0} m from them, converted to "
              f"WGS84 about {d1} m")
    else:
        b, w, n = suggestion["better"], suggestion["worse"], suggestion["n"]
        zh = (f"坐标更像是 {label['zh']}：按 WGS84 读取时，有 {b} 个点落在其代码所属的县区或乡镇（街道）之外、换算为 WGS84 后"
              f"落入其中，反过来的只有 {w} 个（共 {n} 个点，只与正式边界比较）")
        en = (f"The coordinates look like {label['en']}: read as WGS84, {b} points lie outside the county or township "
              f"their code names and inside it once converted to WGS84, against {w} the other way ({n} points, "
              "compared with official boundaries only)")
    return [{"row": None, "column": column, "severity": "warning", "code": "datum_suggestion", "value": datum,
             "candidates": [], "message_zh": zh, "message_en": en,
             "fix_zh": f"如确认，请把坐标系选为“{label['zh']}”（命令行 --coords {datum}）后重新校验导入",
             "fix_en": f"If so, check again with the coordinates set to {label['en']} (--coords {datum} on the "
                       "command line)"}]


def village_placement_issues(region, points: gpd.GeoDataFrame) -> list[dict]:
    """A warning for each imported village point outside its own township (QA 17: 龚家湾社区 of 武当路街道
    was moved into 军店镇 of another county, accepted with no warning): the row (its line or feature
    number, as the report names it), the township it lies in, and the fix, in both languages; one
    for the file's columns not read (QA 18: a file's population columns were dropped without a word);
    and one for each totals or footer row skipped (``attrs["skipped"]``), and for each point read with its
    longitude and latitude swapped back (``attrs["corrected"]``, ``fixed``: the command takes it with --partial).
    """
    towns, vills = region.townships, region.villages
    # the datum the points look like when read as WGS84 (QA 34), first: it explains the points said outside their
    # township below
    out = datum_issue(points.attrs.get("datum_suggestion"), (points.attrs.get("column_names") or {}).get("lon", "lon"))
    ignored = points.attrs.get("ignored_columns") or []
    if ignored:
        out.append(_columns_not_read(ignored, "village"))
    out += [_repeated_column_issue(r) for r in points.attrs.get("repeated_columns") or []]
    for zh, en in points.attrs.get("notes") or []:  # what the table reader found (cells beyond the header ...)
        out.append(_note_issue(zh, en))
    # totals and footer rows (合计), skipped, one warning each, as a register's (QA 28: refused as "missing lon/lat")
    out += [dict(r) for r in points.attrs.get("skipped") or []]
    # points read with longitude and latitude the other way round, one warning each (as a register's)
    out += [dict(r) for r in points.attrs.get("corrected") or []]
    codes = points["code"].astype(str).to_numpy()
    rows = points.attrs.get("rows") or list(range(1, len(points) + 1))  # the file's rows, refused ones left out
    # the file's longitude column (经度), as a register's report names it; a layer's points have none (QA 25)
    lon_col = (points.attrs.get("column_names") or {}).get("lon", "lon")
    own = vills.loc[codes, "township_code"].astype(str).to_numpy()
    inside = shapely.contains(towns.loc[own, "geometry"].values, points.geometry.values)
    for i in np.flatnonzero(~inside):
        code, home = codes[i], own[i]
        hits = towns.index[towns.geometry.contains(points.geometry.values[i])]
        there = str(hits[0]) if len(hits) else None

        def where(t: str | None, lang: str) -> str:
            if t is None:
                return "outside every township of the region" if lang == "en" else "不在本区域任何乡镇（街道）内"
            county = str(towns.loc[t, "county_code"])
            col = "name_en" if lang == "en" and "name_en" in region.counties else "name"
            cname = str(region.counties.loc[county, col]) if county in region.counties.index else county
            same = county == str(towns.loc[home, "county_code"])
            name = str(towns.loc[t, "name"])
            if lang == "en":
                return f"in {name} ({t})" + ("" if same else f", {cname}")
            return f"落在{'' if same else cname}{name}（{t}）内"
        vname = str(vills.loc[code, "name"])
        # the own township with its code and county, as the other one is named (F5: "belongs to 城关镇, but its
        # point lies in 城关镇 (420322100), Yunxi County")
        out.append({"row": int(rows[i]), "column": lon_col, "severity": "warning", "code": "outside_own_township",
                    "value": f"{points['lon'].iloc[i]:g}, {points['lat'].iloc[i]:g}", "candidates": [],
                    "message_zh": f"{vname}（{code}）属于{_own_township(region, code, 'zh')}，但点位{where(there, 'zh')}",
                    "message_en": f"{vname} ({code}) belongs to {_own_township(region, code, 'en')}, but its point "
                                  f"lies {where(there, 'en')}",
                    "fix_zh": "请核对该点的坐标（或其代码）", "fix_en": "Check the point's coordinates (or its code)"})
    return out


#: A code Excel showed in scientific notation and saved so (4.20302E+11): its digits are lost.
SCIENTIFIC = r"^\s*[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+\s*$"


def _excel_numbers(values: pd.Series, label: str, rows, base: int, what: str, *, whole: bool = True) -> np.ndarray:
    """Refuse a code column Excel turned into numbers in scientific notation (4.20302E+11): the digits
    are gone, so no row can be matched, and "no village codes" or "unknown code" sent the planner the
    wrong way (QA 20). ``what``: "village" or "township". Returns which cells are such numbers: with
    ``whole=False`` the file is refused only when every filled code is one, and the rows of the others are
    the caller's to refuse, one by one (:func:`scientific_code_row`; QA 32: one village code of 1,979 written
    4.20325E+11 refused the whole file, even with --partial)."""
    text = values.astype(str)
    sci = text.str.match(SCIENTIFIC).to_numpy()
    if not sci.any():
        return sci
    filled = text.str.strip().ne("").to_numpy() & ~text.str.strip().isin(["nan", "None"]).to_numpy()
    if not whole and (filled & ~sci).any():
        return sci
    line = list(rows) if rows else [i + base for i in range(len(text))]
    at = [line[i] for i in np.flatnonzero(sci)]
    eg = text[sci].iloc[0].strip()
    zh_what, en_what = ("村（社区）代码", "village codes") if what == "village" else ("乡镇代码", "township codes")
    raise InputDataError(
        f"{label}: the {en_what} were turned into numbers in scientific notation by Excel (e.g. {eg} on line "
        f"{at[0]}; {len(at):,} {'row' if len(at) == 1 else 'rows'}: {join_list(at, 'en')}): their digits are lost.",
        f"{label}：{zh_what}被Excel变成了科学计数法的数字（如第 {at[0]} 行的 {eg}；共 {len(at):,} 行：{join_list(at)}），"
        "代码的位数已丢失。",
        hint_en="In the original workbook, format the code column as Text (Format Cells > Text) and type or paste "
                "the full codes again, then export the file again; do not open the exported CSV in Excel before "
                "uploading.",
        hint_zh="请在原工作簿中把代码列的单元格格式设为“文本”，重新填入（或粘贴）完整代码后再导出；导出的CSV上传前不要再用Excel打开保存。",
        details={"lines": at, "example": eg})


def scientific_code_row(row: int, value: str, column: str) -> dict:
    """A village file's row refused because its code is a number Excel showed in scientific notation (4.20325E+11)
    and saved so: its digits are lost, so which village it is cannot be told (not "unknown village code")."""
    v = str(value).strip()
    return _refused_row(
        row, v, "code_scientific",
        f"the code {v} was shown by Excel in scientific notation and saved so: the 12-digit village code lost its "
        "digits, so which village it is cannot be told",
        f"代码 {v} 被Excel显示成科学计数法后保存，12位村（社区）代码的位数已丢失，无法判断是哪个村（社区）",
        "In the original workbook, set the code column to Text (Format Cells > Text), type or paste the full code "
        "again and export the file again; do not open the exported CSV in Excel before uploading",
        "请在原工作簿中把代码列的单元格格式设为“文本”，重新填入（或粘贴）完整代码后再导出；导出的CSV上传前不要再用Excel打开保存",
        column=column)


def _village_header_names() -> frozenset:
    from geo.points import ALIASES
    from geo.tables import norm_header
    return frozenset(norm_header(n) for names in (*ALIASES.values(), CODE_ALIASES, VILLAGE_CODE_ALIASES)
                     for n in names)


def village_row_limit(n_villages: int) -> int:
    """The most rows a village file may have: ten for every village and community of the region, and at
    least 20,000. More is no village list (rows repeated, another region's or another kind of table), and a
    check of 200,000 such rows held a core of the shared server for 10 minutes (QA 28)."""
    return max(20_000, 10 * int(n_villages))


def _too_many_village_rows(label: str, n: int, n_villages: int) -> None:
    limit = village_row_limit(n_villages)
    if n <= limit:
        return
    raise InputDataError(
        f"{label}: the file has {n:,} rows, but this region has {n_villages:,} villages and communities; a village "
        f"file may have at most {limit:,} rows.",
        f"{label}：文件有 {n:,} 行，而本地区只有 {n_villages:,} 个村（社区）；村（社区）点位文件最多 {limit:,} 行。",
        hint_en="Check the file: one row per village or community, no repeated rows, not another region's or another "
                "kind of table. Keep this region's villages and communities and upload it again.",
        hint_zh="请核对文件：每个村（社区）一行，没有重复行，也不是其他地区或其他类型的表格。只保留本地区的村（社区）后重新上传。",
        details={"rows": int(n), "limit": int(limit), "villages": int(n_villages)})


def _points_from_table_file(path: Path, *, encoding: str | None, crs: str | None, coords: str, region,
                            row_issues: list | None = None, n_villages: int | None = None):
    """A village table (CSV of any separator, XLSX/XLS) read by geo.tables, its coordinates parsed as a
    register's are (decimals, degrees-minutes-seconds), converted from the planner's CRS or datum and
    checked as WGS84 points; ``attrs["file_rows"]`` holds each row's line in the file, ``attrs["skipped"]``
    the totals and footer rows taken out (one warning each, :func:`_village_summary_rows`)."""
    from geo.points import ALIASES, parse_coordinate
    from geo.tables import read_table

    table = read_table(path, encoding=encoding, header_names=_village_header_names(), what="villages")
    if n_villages is not None:  # refused before any row is checked
        _too_many_village_rows(path.name, len(table.frame), n_villages)
    table, skipped = _village_summary_rows(table, path.name)
    df = table.frame.copy()
    df.columns = [str(c) for c in df.columns]
    df = df.astype(str)
    lower = {str(c).lower().strip(): c for c in df.columns}
    # the code column by its name and its cells (村代码 of 12-digit codes before a 名称 of text, QA 25: the
    # 名称 of 村代码,名称,经度,纬度 was read as the codes); kept under the file's own name, which the report gives
    code_names = (*ALIASES["id"], *VILLAGE_CODE_ALIASES)
    code_col = village_code_column(df, code_names)
    xcol = next((lower[n] for n in ALIASES["lon"] if n in lower), None)
    ycol = next((lower[n] for n in ALIASES["lat"] if n in lower), None)
    # (x and y beside lon and lat are another coordinate system's, not a second copy of the points)
    repeats = _columns_disagree(df, table.rows, path.name,
                                {code_col: (), xcol: tuple(n for n in ALIASES["lon"] if n != "x"),
                                 ycol: tuple(n for n in ALIASES["lat"] if n != "y")})
    # a row's code from whichever code column holds it (代码 on some rows, village_code on the others), two codes of
    # one row refusing it; never a township's code column (QA 34)
    code_cols, conflicts = [code_col], {}
    if code_col is not None:
        merged, code_cols, conflicts = merged_village_codes(df, code_col, code_names)
        df[code_col] = merged.to_numpy()
    if xcol is not None and ycol is not None and len(df):
        x = pd.Series([parse_coordinate(v) for v in df[xcol]], index=df.index, dtype=float)
        y = pd.Series([parse_coordinate(v) for v in df[ycol]], index=df.index, dtype=float)
        ok = (np.isfinite(x) & np.isfinite(y)).to_numpy()
        if row_issues is not None and (not crs or crs.upper() in ("EPSG:4326", "EPSG:4490")):
            # a pair clearly written the other way round is read so, with a warning, as a register's (QA 31: a
            # village file refused the row), before the datum is applied
            xs, ys = x.to_numpy(copy=True), y.to_numpy(copy=True)
            with np.errstate(invalid="ignore"):
                degrees = ok & (np.abs(xs) <= 180) & (np.abs(ys) <= 180)
            if read_swapped_back(xs, ys, degrees, row_issues, xcol).any():
                x, y = pd.Series(xs, index=df.index), pd.Series(ys, index=df.index)
        if ok.any():
            pts = gpd.GeoSeries(gpd.points_from_xy(x[ok], y[ok]), crs=crs or settings.STORAGE_CRS)
            pts = to_wgs84(pts.to_crs(settings.STORAGE_CRS), coords)
            # rows that were not numbers stay as they were, so the check below names their values
            df.loc[ok, xcol] = [repr(float(v)) for v in pts.x]
            df.loc[ok, ycol] = [repr(float(v)) for v in pts.y]
    pts = points_from_table(df, label=path.name, region=region, path=path, row_issues=row_issues,
                            header=VILLAGE_HEADER, rows=table.rows, columns={"id": code_col} if code_col else None)
    # x/y in a CRS the planner chose is reported as that CRS; lon/lat as none (a facility register's too)
    pts.attrs.update({"encoding": table.encoding,
                      "crs": crs if crs and crs.upper() not in ("EPSG:4326", "EPSG:4490") else None,
                      "file_rows": RowList(table.rows), "notes": list(table.notes), "skipped": RowList(skipped),
                      "column_names": {"code": code_col, "lon": xcol, "lat": ycol},
                      # the other code columns read (not "columns not read"), and the rows whose two codes differ
                      "code_columns": [str(c) for c in code_cols[1:]], "code_conflicts": conflicts,
                      # a copy of a column read (经度 twice, or empty): a warning of its own, not "columns not read:
                      # 经度.2" (:func:`_repeated_column_issue`)
                      "repeated_columns": repeats})
    return pts


def _columns_disagree(df: pd.DataFrame, rows, label: str, read: dict) -> list[dict]:
    """Refuse a village table with two columns of one field (two 经度 columns, or lon beside 经度) whose values
    differ: which one holds the villages' points cannot be told, and a village file has no column mapping to
    choose one (QA 31: the first was read, and a register's report called the two "the same field").
    ``read``: {column read: the other names of its field}. The others, copies of the column read or empty, are
    returned, each {column (as the frame names it, 经度.2), header (as the file heads it), used, what and first
    ({"zh", "en"}: "column '经度' number 2", "the first '经度' column"), empty (its empty cells), rows}: a warning
    each, not "columns not read"."""
    import re

    from geo.tables import differing_cells

    said, copies = [], []
    for col, names in read.items():
        if col is None:
            continue
        again = re.compile(re.escape(str(col)) + r"\.(\d+)")
        for other in df.columns:
            m = again.fullmatch(str(other))
            if other == col or not (m or str(other).lower().strip() in names):
                continue
            diffs = differing_cells(df, rows, col, other)
            what = ({"zh": f"第 {m.group(1)} 个“{col}”列", "en": f"column '{col}' number {m.group(1)}"} if m else
                    {"zh": f"“{other}”列", "en": f"column '{other}'"})
            used = ({"zh": f"第 1 个“{col}”列", "en": f"the first '{col}' column"} if m else
                    {"zh": f"“{col}”列", "en": f"column '{col}'"})
            if not diffs:  # a copy of the column (or empty): nothing is lost by reading the first; said as such
                cells = df[other].astype(str).str.strip()
                copies.append({"column": str(other), "header": str(col if m else other), "used": str(col),
                               "what": what, "first": used,
                               "empty": int((cells == "").sum()), "rows": int(len(cells))})
                continue
            row, a, b = diffs[0]
            # the two cells in the order the sentence names their columns: the other one's first (QA 32)
            said.append(({lang: f"{what[lang]}与{used[lang]}" if lang == "zh" else f"{what[lang]} and {used[lang]}"
                          for lang in ("zh", "en")}, len(diffs), row, b[:20], a[:20], str(col), str(other)))
    if not said:
        return copies
    en = "; ".join(f"{w['en']} hold different values ({n:,} {'row differs' if n == 1 else 'rows differ'}, e.g. row "
                   f"{r}: {a or '(empty)'} and {b or '(empty)'})" for w, n, r, a, b, _, _ in said)
    zh = "；".join(f"{w['zh']}的值不同（{n:,} 行不同，如第 {r} 行：{a or '（空）'} 与 {b or '（空）'}）"
                   for w, n, r, a, b, _, _ in said)
    raise InputDataError(
        f"{label}: {en}: which of them is the right one cannot be told, so nothing was read.",
        f"{label}：{zh}：无法判断应读取哪一列，文件未读取。",
        hint_en="Check which column is right, delete or rename the other one (a village file is read by its column "
                "names: code, lon, lat) and upload the file again.",
        hint_zh="请核对哪一列正确，删去或重命名另一列（村（社区）文件按列名读取：代码、经度、纬度）后重新上传。",
        details={"columns": [[c, o] for *_, c, o in said], "rows": [r for _, _, r, *_ in said]})


#: A village file's totals or footer row, said as a register's is (planner.register): skipped, not refused.
_SKIPPED_TEXT = {
    "total": ("合计行（“{value}”），已略过，不作为村（社区）导入",
              "a totals row ('{value}'): skipped, not imported as a village or community"),
    "footer": ("表尾落款行（“{value}”），已略过，不作为村（社区）导入",
               "a footer row ('{value}'): skipped, not imported as a village or community")}


def _village_summary_rows(table, label: str):
    """The table without its totals and footer rows, and one warning for each (QA 28: 合计,244个村,, under the
    last village was refused as "missing lon/lat", where a register skips it).

    A row is one when it has no coordinates, its code cell holds no code (empty, or the label itself:
    合计 under 村代码), and a cell is a totals label or its first filled cell opens a footer
    (geo.tables.summary_row); a row with a code or a point is checked as any other."""
    from geo.points import ALIASES
    from geo.tables import norm_header, summary_cells, summary_row

    frame = table.frame
    cols = [c for c in frame.columns if c != "geometry"]
    if not len(frame) or not cols:
        return table, []
    by_name = {norm_header(c): c for c in cols}
    coord_cols = [next((by_name[norm_header(n)] for n in ALIASES[k] if norm_header(n) in by_name), None)
                  for k in ("lon", "lat")]
    code_names = {norm_header(n) for n in ("id", "编号", *CODE_ALIASES, *VILLAGE_CODE_ALIASES)}

    def text(col) -> pd.Series:
        s = frame[col]
        return s.where(s.notna(), "").astype(str).str.strip()
    maybe = np.ones(len(frame), bool)
    for c in coord_cols:
        if c is not None:
            maybe &= (text(c) == "").to_numpy()
    for c in cols:  # a code column's cell: empty or not a number (合计 under 村代码)
        if norm_header(c) in code_names:
            maybe &= ~text(c).str.contains(r"[0-9]{6}", regex=True).to_numpy()
    rows = np.flatnonzero(maybe)
    if not len(rows):
        return table, []
    sub = frame.iloc[rows]
    labelled = np.zeros(len(rows), bool)
    for c in cols:
        labelled |= summary_cells(sub[c]).to_numpy(bool)
    found = []
    for k in rows[labelled]:
        values = [frame[c].iat[k] for c in cols]
        hit = summary_row(values)
        if hit is None:
            continue
        kind, at = hit
        cell = str(values[at]).strip()
        shown = cell if len(cell) <= 30 else cell[:30] + "…"
        zh, en = _SKIPPED_TEXT[kind]
        found.append({"row": int(table.rows[k]), "column": str(cols[at]), "severity": "warning",
                      "code": f"{kind}_row_skipped", "value": shown, "candidates": [],
                      "message_zh": zh.format(value=shown), "message_en": en.format(value=shown),
                      "fix_zh": "如该行是一个村（社区），请填写其12位代码和经纬度后重新校验",
                      "fix_en": "If the row is a village or community, give its 12-digit code and its coordinates "
                                "and check again"})
    if not found:
        return table, []
    if len(found) == len(frame):
        lines = [r["row"] for r in found]
        raise InputDataError(
            f"{label}: no village rows: every row under the header is a totals or footer row "
            f"({'row' if len(lines) == 1 else 'rows'} {join_list(lines[:10], 'en')}"
            f"{'' if len(lines) <= 10 else f' and {len(lines) - 10:,} more'}).",
            f"{label}：没有村（社区）行：表头下的各行都是合计行或表尾落款行（第 {join_list(lines[:10])} 行"
            f"{'' if len(lines) <= 10 else f'等 {len(lines):,} 行'}）。",
            hint_en=f"Add one row per village or community above the totals: {VILLAGE_HEADER}.",
            hint_zh=f"请在合计行之上每行填写一个村（社区）：{VILLAGE_HEADER}。", details={"skipped_rows": lines})
    return table.without_rows({r["row"] for r in found}), found


def _store_of(region, store):
    if store is not None:
        return store
    from geo.datasets import DatasetStore, default_db_path
    return DatasetStore(default_db_path(), region=region.name)


def _commit(store, layer: str, data, path: Path, author, note: str) -> tuple[int | None, int | None]:
    """(new version, None) or (None, the version already holding the same data)."""
    same = store.unchanged_by(layer, data, path.name)
    if same is not None:
        return None, same
    return store.commit_layer(layer, data, source_path=path, author=author, note=note), None


def import_townships(region, path: str | Path, *, store=None, author: str | None = None, note: str = "") -> dict:
    """Check official township polygons for ``region`` and commit them as a new data version of ``store``
    (default: the app's, ``geo.datasets.default_db_path``); return a summary with the ``version``.

    Parameters
    ----------
    region : geo.regions.Region
        The embedded region (codes and counties to check against).
    path : path
        GeoJSON, GeoPackage or Shapefile of polygons with a code column
        (9-digit, or 12-digit with trailing zeros). Any CRS; a file without
        one is taken as WGS84/CGCS2000.
    """
    out = check_townships(region, path)
    label = out.attrs["file"]
    version, same = _commit(_store_of(region, store), "townships", out, Path(path), author, note)
    return {"layer": "townships", "imported": int(len(out)), "of": out.attrs["of"], "file": label,
            "version": version, "unchanged": same,
            "issues": township_issues(out)}  # polygons repaired or overlapping, columns not read


def import_villages(region, path: str | Path, *, store=None, author: str | None = None, note: str = "") -> dict:
    """Check official village/community coordinates (CSV ``code,lon,lat``) and commit them as a new data
    version of ``store`` (default: the app's); return a summary with the ``version``.

    Written at once, with no report to review: a file with a refused row, or a row corrected automatically (a
    point read swapped back), is refused as a whole, every row named (the data page and ``coverplan data import``
    refuse the rows alone).
    """
    pts = check_villages(region, path)
    label = pts.attrs["file"]
    # a point read swapped back is corrected automatically: with no report to review, not taken (as the
    # command's import without --partial)
    refused = sorted([*(pts.attrs.get("refused") or []),
                      *({**c, "message_en": c["unfixed_en"], "message_zh": c["unfixed_zh"]}
                        for c in pts.attrs.get("corrected") or [])], key=lambda r: r["row"])
    if refused:
        shown = refused[:20]
        more_en = f"; and {len(refused) - 20} more" if len(refused) > 20 else ""
        more_zh = f"；另有 {len(refused) - 20} 行" if len(refused) > 20 else ""
        raise InputDataError(
            f"{label}: {len(refused)} {'row' if len(refused) == 1 else 'rows'} cannot be imported: "
            + "; ".join(f"row {r['row']}: {r['message_en']}" for r in shown) + more_en + ".",
            f"{label}：{len(refused)} 行无法导入：" + "；".join(f"第 {r['row']} 行：{r['message_zh']}" for r in shown)
            + more_zh + "。",
            hint_en="Fix those rows (a table's rows by their line, the header being line 1), or import the file "
                    "on the data page or with `coverplan data import villages FILE --partial`, which refuse those "
                    "rows alone.",
            hint_zh="请更正这些行（表格按行号计，表头为第 1 行），或在“数据”页面、用 `coverplan data import villages 文件 "
                    "--partial` 导入：那里只拒绝这些行。",
            details={"problems": [{k: r[k] for k in ("row", "code", "value")} for r in refused]})
    version, same = _commit(_store_of(region, store), "villages", pts, Path(path), author, note)
    return {"layer": "villages", "imported": int(len(pts)), "of": pts.attrs["of"], "file": label,
            "version": version, "unchanged": same,
            "issues": village_placement_issues(region, pts)}  # points outside their township, columns not read


def _inside_point(poly, seed: int):
    """A deterministic point inside ``poly`` (a synthetic village that fell outside new boundaries)."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = poly.bounds
    for _ in range(200):
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if poly.contains(shapely.Point(x, y)):
            return shapely.Point(x, y)
    return poly.representative_point()


def overlay_townships(townships: gpd.GeoDataFrame, counties: gpd.GeoDataFrame,
                      official: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Put official polygons in place of the townships they name; the county stays tiled.

    Parameters
    ----------
    townships : GeoDataFrame
        The full township layer (indexed by code) the polygons go into.
    counties : GeoDataFrame
        County polygons (indexed by code): official polygons are clipped to them.
    official : GeoDataFrame
        ``code`` and polygon geometry (WGS84), as :func:`check_townships` returns.

    Returns
    -------
    GeoDataFrame
        A copy with the polygons replaced and flagged ``geometry_quality="official"``;
        the other units of the county give way where the new polygons cover them,
        areas are measured anew and seats left outside their unit move inside.
    """
    towns = townships.copy()
    off = official.copy()
    off["code"] = off["code"].astype(str)
    off = off.set_index("code")
    for county_code, county in counties.iterrows():
        mine = off[off.index.str[:6] == county_code]
        if len(mine) == 0:
            continue
        clipped = mine.geometry.intersection(county.geometry)
        taken = shapely.union_all(clipped.values)
        for code in towns.index[towns["county_code"] == county_code]:
            if code in clipped.index and not (clipped[code] is None or clipped[code].is_empty):
                # (an empty one, which the checks refuse, would leave the township nowhere: it stays as it was)
                towns.loc[code, "geometry"] = clipped[code]
                towns.loc[code, "geometry_quality"] = "official"
            else:
                rest = towns.loc[code, "geometry"].difference(taken)
                if not rest.is_empty:  # the unit not in the file gives way to the new neighbours
                    towns.loc[code, "geometry"] = rest
        _fill_county_gaps(towns, county_code, county.geometry)
    towns = gpd.GeoDataFrame(towns, geometry="geometry", crs=settings.STORAGE_CRS)
    towns["area_km2"] = (towns.to_crs(settings.METRIC_CRS).area / 1e6).round(3)
    seats = gpd.GeoSeries(shapely.points(towns["seat_lon"], towns["seat_lat"]), index=towns.index,
                          crs=settings.STORAGE_CRS)
    moved = ~towns.geometry.contains(seats)
    rep = towns.geometry[moved].representative_point()
    towns.loc[moved, "seat_lon"], towns.loc[moved, "seat_lat"] = rep.x.values, rep.y.values
    towns.loc[moved, "seat_method"] = "moved inside the imported boundary"
    return towns


#: Gaps left in a county smaller than this (degrees², about 100 m² here) are the float noise of the
#: polygon operations, not land without a township.
GAP_NOISE_DEG2 = 1e-8


def _fill_county_gaps(towns: gpd.GeoDataFrame, county_code: str, county_geom) -> None:
    """Give the land of a county that no township holds after an import to its approximate townships.

    An official polygon smaller than the approximate one it replaces (or shifted, as an unconverted
    GCJ-02 file is) frees land that is in no township (QA 23: 29 km² of 房县 after 城关镇 came in
    smaller). It belongs to a neighbour, but which one is not known: each piece goes to the
    approximate townships it touches, split by nearness to their boundaries (a Voronoi split of points
    along them), so the county stays tiled. An official polygon grows only by a piece no approximate
    township touches that reaches the county line (a file drawn or shifted short of the line), never
    by a detached one; a gap between official polygons inside the county is the file's own and stays.
    Changes ``towns`` in place.
    """
    mine = towns.index[towns["county_code"].astype(str) == str(county_code)]
    usable = [c for c in mine if towns.loc[c, "geometry"] is not None and not towns.loc[c, "geometry"].is_empty]
    approx = [c for c in usable if towns.loc[c, "geometry_quality"] != "official"]
    line = county_geom.boundary.buffer(1e-6)
    gap = county_geom.difference(shapely.union_all(towns.loc[mine, "geometry"].values))
    # every polygon of the gap, however the overlay nested them (a collection holding a multipolygon)
    pieces = [p for p in shapely.get_parts(_polygon_parts(shapely.make_valid(gap))) if p.area > GAP_NOISE_DEG2]
    for piece in pieces:
        near = piece.buffer(1e-6)
        touching = [c for c in approx if towns.loc[c, "geometry"].intersects(near)]
        if not touching and piece.intersects(line):
            # between official polygons and the county line (a file drawn or shifted short of it): the
            # official townships it touches take it; a far approximate one would get a piece detached from it.
            # A gap between official polygons inside the county is the file's own: it stays.
            touching = [c for c in usable if c not in approx and towns.loc[c, "geometry"].intersects(near)]
        if not touching:
            continue
        for code, part in _split_by_nearness(piece, {c: towns.loc[c, "geometry"] for c in touching}).items():
            # on a 1 cm grid: the union of a sliver's Voronoi parts left vertices a hair apart, valid in
            # degrees but self-intersecting once projected to metres (the diff then failed on them)
            grown = _polygon_parts(shapely.make_valid(shapely.union(towns.loc[code, "geometry"], part,
                                                                    grid_size=1e-7)))
            if not grown.is_empty:
                towns.loc[code, "geometry"] = grown


def _split_by_nearness(piece, owners: dict) -> dict:
    """``piece`` cut among ``owners`` ({code: polygon}): each part nearest to that owner's boundary."""
    if len(owners) == 1:
        return {next(iter(owners)): piece}
    # degrees between points: a fraction of the piece's width (area / perimeter is about half the width of a
    # strip) so a long thin strip is split where it lies, about 20 m to 500 m
    step = max(min(piece.area / max(piece.length, 1e-12), np.sqrt(piece.area) / 20.0, 0.005), 2e-4)
    pts, who = [], []
    for code, geom in owners.items():
        edge = geom.boundary.intersection(piece.buffer(step * 2))
        xy = shapely.get_coordinates(shapely.segmentize(edge, step)) if not edge.is_empty else np.empty((0, 2))
        pts.append(xy)
        who += [code] * len(xy)
    xy = np.vstack(pts) if pts else np.empty((0, 2))
    if len(xy) < 3:
        return {min(owners, key=lambda c: owners[c].distance(piece)): piece}
    xy, first = np.unique(np.round(xy, 9), axis=0, return_index=True)
    who = [who[i] for i in first]
    cells = shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=piece.envelope.buffer(step * 4),
                                     ordered=True)
    out: dict = {}
    for code in owners:
        mine = [cell for cell, w in zip(cells.geoms, who) if w == code]
        if mine:
            part = _polygon_parts(shapely.make_valid(piece.intersection(shapely.union_all(mine))))
            if not part.is_empty:
                out[code] = part
    return out


def settle_villages(townships: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Move synthetic village points that lie outside their township inside it (deterministically).

    Official points stay where they are: a village outside its official
    township is the planner's to check, not ours to hide.
    """
    vills = villages.copy()
    poly = townships.loc[vills["township_code"], "geometry"].values
    has_area = ~shapely.is_empty(poly) & ~shapely.is_missing(poly)
    outside = ~shapely.contains(poly, vills.geometry.values) & (vills["location_quality"] == "synthetic").values \
        & has_area
    for code in vills.index[outside]:
        vills.loc[code, "geometry"] = _inside_point(townships.loc[vills.loc[code, "township_code"], "geometry"],
                                                    int(code))
    return gpd.GeoDataFrame(vills, geometry="geometry", crs=settings.STORAGE_CRS)


def overlay_villages(villages: gpd.GeoDataFrame, points: pd.DataFrame) -> gpd.GeoDataFrame:
    """Put official points (``code, lon, lat``) in place of the villages they name, flagged ``official``."""
    vills = villages.copy()
    pts = points[points["code"].isin(vills.index)]
    vills.loc[pts["code"], "geometry"] = shapely.points(pts["lon"].astype(float), pts["lat"].astype(float))
    vills.loc[pts["code"], "location_quality"] = "official"
    return gpd.GeoDataFrame(vills, geometry="geometry", crs=settings.STORAGE_CRS)
