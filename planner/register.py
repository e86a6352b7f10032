"""A planner's own register of existing facilities: read as the bureau keeps it, checked row by row.

Registers come as GBK CSV, XLSX with a title row, zipped Shapefiles, KML from
a phone, often in GCJ-02 (Amap, Tencent) or BD-09 (Baidu) coordinates,
sometimes with latitude and longitude swapped, sometimes with no coordinates
at all but the township and village names. :func:`validate_register` reads
any of them (geo.tables), recognises the columns (planner.register_columns),
places rows by coordinates or by name (planner.locate), and reports every
problem per row, in Chinese and English, with the fix; nothing is dropped
without a line in the report. :func:`load_register` is the strict form for
callers that cannot show a report: any refused row stops it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo import settings
from geo.coords import DATUMS, datum_by_reference, to_wgs84_xy
from geo.crs import lonlat_to_metric
from geo.crs import parse_crs
from geo.errors import InputDataError, listed
from geo.imports import SCIENTIFIC
from geo.gisfiles import first_not_finite
from geo.points import parse_coordinate, plain_number, spaced_numbers
from geo.regions import Region
from geo.tables import (COLUMNS_DIFFER, COLUMNS_DIFFER_FIX, NO_HEADER_EN, NO_HEADER_ZH, differing_cells,
                        header_keys, header_looks_like_data, read_table, summary_cells,
                        summary_row)
from planner import textrules
from planner.facility_types import get_type, load_facility_types
from planner.i18n import t
from planner.locate import MAX_CANDIDATES, Located, PlaceIndex, fold, name_keys
from planner.numbers import distance_text
from planner.register_checks import RegionShapes, datum_evidence, norm_datum
from planner.register_columns import (CAPACITY_FIELDS, CONSUMED, FIELDS, HEADER_NAMES, TEXT_FIELDS, code_is_id, header_datum,
                                      map_columns, resolve_type, shadowed_columns, status_closed, type_lookup)
from planner.register_report import RegisterReport, RowIssue

__all__ = ["COORDS", "RegisterReport", "RowIssue", "load_register", "validate_register"]

#: A facility's attributes a register may have no column for (QA 32: a file without 床位 wiped the beds of every
#: facility it replaced): a row standing for a current facility keeps its current values of each attribute the
#: file has no column for (:meth:`_Rows.keep_current`), a new one has it unknown. Capacities by unit (a cemetery's
#: plots and niches together: its plots count its niches), kept only for a facility of the same type (another
#: type counts in another unit); the details whatever the type.
KEPT_CAPACITY = {"beds": ("beds",), "day_places": ("day_places",), "plots": ("plots", "niches"),
                 "meal_places": ("meal_places",)}
KEPT_DETAILS = (*TEXT_FIELDS, "built_year", "upgraded_year")
#: Datums a caller may declare; "auto" reads as WGS84 and suggests a conversion when the points say so.
COORDS = ("auto", *DATUMS, "cgcs2000")
#: A file with more rows of one type than this many times the most a version may hold
#: (geo.datasets.facility_row_limit) is refused before its rows are checked (:func:`_check_row_count`).
EARLY_LIMIT_FACTOR = 2
#: Two rows of one type and name closer than this are probably one facility listed twice.
DUPLICATE_M = 100.0
#: Two rows of one type under different names closer than this may be one facility listed twice under two names
#: (房县尹吉甫镇福利院 and 房县尹吉甫镇中心福利院, 19 m apart, one phone, 95 beds each: QA 32): a warning naming both.
NEAR_PAIR_M = 50.0
#: ... when their names share this much of their text (difflib's ratio of the folded names: 0.9 for those two), or
#: they have one phone or address.
NEAR_NAME_RATIO = 0.6
#: A row carrying a current facility's id under a name not that facility's (:func:`one_facility_names`) lying
#: farther than this from it, or in another county, may carry a shifted id (the id column pasted one row off: the
#: id of 城关敬老院 on the row of 武当敬老院, 12 km away): warned of, refused when the file lists that facility by its
#: name on another row (:meth:`_Rows.shifted_ids`; QA 33).
ID_SHIFT_M = 1000.0
#: Headers of a column not worth naming among the columns not read (:meth:`_Rows.unread_note`): a row number.
_ROW_NUMBER_HEADERS = {"序号", "序", "no", "no.", "#", "index", "fid", "objectid", "oid", "编号序号", "行号"}
#: A point more than this many km outside the region is not in another datum (GCJ-02 and BD-09 are under about
#: 1.5 km off WGS84; 5 km leaves room for a point on the region's edge): its fix points to the digits, swapped
#: columns, the projected CRS or another region's rows.
FAR_OUTSIDE_KM = 5.0
#: Rows without an id matched by distance to the current register's namesakes (same type and county) when
#: there are at most this many (row, facility) pairs of one name; beyond it, in the order of their points.
MAX_ID_PAIRS = 250_000
#: A refused row whose point is known (finite and in the region) stands for a current namesake no farther than this
#: (:meth:`_Rows.refused_current`): a refused row 40 km off is another facility, not the one the file drops.
REFUSED_MATCH_M = 5000.0
#: A refused row that names no current facility (its name empty or refused) stands for the current facility of its
#: type lying no farther than this from its point, unless another row names that facility (:meth:`_Rows.refused_current`;
#: QA 34: a row refused for its empty name at 房县土城镇福利院's exact point removed that home).
REFUSED_NEAR_M = 10.0
_PLACE_FIELDS = ("county", "township", "village", "address", "code", "township_code")
#: The file column an issue points at, by field: the first of these the file has.
_COLUMN_OF = {"lon": ("lon", "lonlat"), "lat": ("lat", "lonlat"),
              "township": ("township", "township_code", "code", "village", "address"),
              **{f: (f, "capacity") for f in CAPACITY_FIELDS}}
#: Message of each name-matching problem (planner.locate.Located.problem).
#: Largest plausible capacity of one facility per column when its type states none
#: ([types.X.capacity] max_per_site wins where it does): a bigger number is a wrong unit or a
#: total typed into a row (a bed count of 50,000), refused with the row named.
CAPACITY_MAX = {"beds": 3000, "day_places": 500, "plots": 200000, "niches": 200000, "meal_places": 2000}
#: A 示意 column's words: the export writes 是/否 (Yes/No in English).
_YES = {"是", "yes", "y", "true", "1", "示意", "√", "✓"}
_NO = {"", "否", "no", "n", "false", "0", "×"}
#: A capacity as bureaus write it: "1,200", "120张", "60 个".
_CAPACITY = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(张|个|位|穴|格|床|人)?\s*$")
_PROBLEM_KEY = {"county_unknown": "reg_county_unknown", "township_unknown": "reg_township_unknown",
                "village_unknown": "reg_village_unknown", "village_code_unknown": "qa36g1_village_code_unknown",
                "ambiguous": "reg_ambiguous",
                "village_ambiguous": "reg_ambiguous", "county_only": "reg_county_only", "nothing": "reg_nothing"}
#: Messages worded here ({"zh", "en"} templates, :meth:`_Rows.add`'s ``text``).
_TEXTS = {
    # the ids' suggestion when the points converted lie on the current ones (reg_datum_suggest_ids says "about N m")
    "datum_suggest_ids_close": {
        "zh": "坐标更像是 {datum}：文件中 {n} 处设施与现有名录编号相同，按 WGS84 读取时与现有位置相距中位约 {d0} 米，"
              "换算为 WGS84 后与现有位置相距不到 1 米",
        "en": "The coordinates look like {datum}: {n} facilities of the file have the ids of the current register; "
              "read as WGS84 they lie a median of about {d0} m from their current places; converted to WGS84, "
              "under 1 m"},
    # a capacity column recognised by its header (核定床位数) left unread: the mapping named another (容量)
    "capacity_superseded": {
        "zh": "{cols}列未作为{fields}读取：列对应中已将容量指定为“{used}”列，各行按其设施类型的单位（床位、日托位……）取该列的值。"
              "{cols}列仍按原样保留在名录中；如需按其导入，请在列对应中把容量改为该列后重新校验",
        "en": "The {cols} {was} not read as {fields}: the column mapping names column '{used}' as the capacity, "
              "read in each row's type's unit (beds, day places ...). Its values stay in the register as the file "
              "has them; to import the {cols} as the capacity instead, map the capacity to it and check again"},
    # a county cell that is not the county of the row's township code (nor of its point)
    "county_disagrees_code": {
        "zh": "所填县区“{value}”与{source}“{number}”不符：该代码为{declared}{also}；按{source}确定所属乡镇",
        "en": "the county given, '{value}', does not match the {source} '{number}', which is {declared}{also}; "
              "the township is taken from the {source}"},
    # several numbers in one coordinate cell that are not degrees, minutes and seconds (32.5 29 10, 32 29 29 4)
    # a vertex of a polygon (line, multipoint) feature that is NaN or Infinity: the feature has no place (QA 26:
    # its first vertex was used)
    "not_finite_vertex": {
        "zh": "要素（{kind}）的第 {vertex} 个顶点的坐标不是有限的数（{value}），无法确定设施位置",
        "en": "vertex {vertex} of the feature (a {kind}) has a coordinate that is not a finite number ({value}): "
              "the facility's place cannot be told"},
    "fix_not_finite_vertex": {
        "zh": "请在GIS软件中修正或删除该顶点，或以设施的点位代替该要素，然后重新导出；坐标须为数字，如 110.78、32.63",
        "en": "Correct or delete that vertex in your GIS program, or give the facility as a point instead, and "
              "export the file again; coordinates must be numbers such as 110.78 and 32.63"},
    # a polygon whose vertices coincide or lie on one line: no point inside it (QA 26: its vertex was used)
    "no_area": {
        "zh": "要素是面（{kind}），但面积为零（顶点重合或共线），没有可取的内部点",
        "en": "the feature is a {kind} with no area (its vertices coincide or lie on one line): it has no point "
              "inside it to use"},
    "fix_no_area": {
        "zh": "请在GIS软件中检查该面的顶点，或以设施的点位代替该面后重新导出",
        "en": "Check the polygon's vertices in your GIS program, or give the facility as a point instead, and "
              "export the file again"},
    # a totals or footer row under the facilities (QA 27: refused as a facility without a type and a name)
    "skipped_total": {"zh": "合计行（“{value}”），已略过，不作为设施导入",
                      "en": "a totals row ('{value}'): skipped, not imported as a facility"},
    "skipped_footer": {"zh": "表尾落款行（“{value}”），已略过，不作为设施导入",
                       "en": "a footer row ('{value}'): skipped, not imported as a facility"},
    "fix_skipped": {"zh": "如该行是一处设施，请填写其名称或坐标后重新校验",
                    "en": "If the row is a facility, give its name or its coordinates and check again"},
    # a township not in the county the row names, but in another (QA 27: 竹溪县 / 宝丰镇, which is 竹山县's)
    "township_elsewhere": {
        "zh": "找不到乡镇（街道）“{value}”：{county}没有这个乡镇（街道）；县区可能填错：{town}在{where}",
        "en": "no township '{value}' found: {county} has none of that name; the county may be wrong: {town} is "
              "in {where}"},
    "fix_township_elsewhere": {
        "zh": "请核对县区：如是{path}，请改正县区，或选择第一个候选；否则请从候选中选择，或核对名称",
        "en": "Check the county: if it is {path}, correct the county or pick the first candidate; otherwise pick "
              "one of the candidates, or check the name"},
    "spaced_numbers": {
        "zh": "{column}“{value}”含有以空格分隔的几个数，但不是“度 分 秒”（如 32 29 29.4），无法确定所表示的坐标",
        "en": "{column} '{value}' holds numbers separated by spaces that are not degrees, minutes and seconds "
              "(e.g. 32 29 29.4): which coordinate it means cannot be told"},
}


#: A polygon feature smaller than this (square degrees, about 0.01 m²) has no area: its vertices coincide or
#: lie on one line (the float noise of such a ring is far below it, the smallest real plot far above).
MIN_FEATURE_AREA = 1e-12


#: Longest facility name kept (the longest real names are about 30 characters).
MAX_NAME = 100
#: Earliest year a facility's 建成年份 / 改造年份 is taken as (the register's facilities are those of the
#: People's Republic's civil-affairs system); a later one than this calendar year is not yet built. A year
#: outside this range is a typo or another number in the column (a bed count, an Excel date serial):
#: warned with the row and the value, and left empty, never stored as a year.
MIN_YEAR = 1949
#: A year written with 年 (2025年, 2025年6月, 2025年6月1日): pandas reads no Chinese dates.
_YEAR_NIAN = re.compile(r"^(\d{4})\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?\s*(?:底|初|末|中)?$")
#: Excel date serial numbers (days since 1899-12-30) of the years 1949-2064: a date column whose format was lost.
_EXCEL_SERIAL = (17533, 60000)


#: ``accepted.attrs`` key: the source rows labelled sample data (示意) because they keep a sample facility's values
#: (:meth:`_Rows.keep_current`), not because the file marks them so in a 示意 column.
KEPT_SYNTHETIC_ROWS = "kept_synthetic_rows"


def kept_synthetic_text(n: int, lang: str) -> str:
    """The sentence saying ``n`` rows stay sample data (示意) for the values they keep of sample facilities: the
    check's note and the Data page's "what confirming replaces" say it in these words (QA 34: the page said
    "N rows marked 示意 in the Illustrative column" of a file that has no such column)."""
    def en(one: str, many: str) -> str:
        return one if n == 1 else many

    if lang == "en":
        return t("qa32fa_kept_synthetic", "en", n=f"{n:,}", facilities=en("facility", "facilities"),
                 keep=en("keeps", "keep"), they=en("it", "they"), stay=en("stays", "stay")) + "."
    return t("qa32fa_kept_synthetic", "zh", n=f"{n:,}") + "。"


def read_year(cell: str) -> tuple[float, str | None, str]:
    """A 建成年份 / 改造年份 cell as a year: (year or NaN, problem or None, what the value looks like).

    Read: a plain year (2025, 2025.0), a year with 年 (2025年, 2025年6月), a date in any form pandas
    reads (2025-06-01, 2016-03, 2016/3/1, 2016.3, an Excel date cell). Problems: "unreadable" (abc),
    "excel_serial" (44000: an Excel date serial number, its date given as the third item), "early"
    (before :data:`MIN_YEAR`), "future" (after this calendar year).
    """
    import datetime
    import unicodedata
    import warnings

    text = unicodedata.normalize("NFKC", str(cell)).strip()
    if not text:
        return float("nan"), None, ""
    year = None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None and np.isfinite(number) and number.is_integer():
        year = int(number)
        if len(str(abs(year))) != 4:
            if _EXCEL_SERIAL[0] <= year <= _EXCEL_SERIAL[1]:
                day = (pd.Timestamp("1899-12-30") + pd.Timedelta(days=year)).date().isoformat()
                return float("nan"), "excel_serial", day
            return float("nan"), "unreadable", ""
    elif (m := _YEAR_NIAN.match(text)) is not None:
        year = int(m.group(1))
    else:
        with warnings.catch_warnings():  # "could not infer format": the value is read or refused all the same
            warnings.simplefilter("ignore")
            try:
                when = pd.to_datetime(text, errors="coerce")
            except (ValueError, TypeError, OverflowError):
                when = pd.NaT
        if pd.isna(when):
            return float("nan"), "unreadable", ""
        year = int(when.year)
    if year < MIN_YEAR:
        return float("nan"), "early", ""
    if year > datetime.date.today().year:
        return float("nan"), "future", ""
    return float(year), None, ""


def names_alike(a, b) -> bool:
    """Whether two facility names read alike: :data:`NEAR_NAME_RATIO` of their folded text shared (difflib's ratio)."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, fold(a), fold(b)).ratio() >= NEAR_NAME_RATIO


def one_facility_names(a, b) -> bool:
    """Whether two names may be one facility's, before and after a rename: alike (:func:`names_alike`), and what
    each has that the other has not (the text left once the start and the end they share are taken off) alike too,
    or nothing, or one inside the other. Two homes of one type share their ending and often their county's prefix
    (城关敬老院 and 武当敬老院 are 0.6 alike: the 城关 and 武当 they differ by are nothing alike); a rename keeps the
    name's own part (武当敬老院 and 武当山特区中心敬老院)."""
    fa, fb = fold(a), fold(b)
    if fa == fb:
        return True
    if not names_alike(fa, fb):
        return False
    k = len(os.path.commonprefix([fa, fb]))
    fa, fb = fa[k:], fb[k:]
    k = len(os.path.commonprefix([fa[::-1], fb[::-1]]))
    fa, fb = fa[:len(fa) - k], fb[:len(fb) - k]
    return not fa or not fb or fa in fb or fb in fa or names_alike(fa, fb)


def _finite(v) -> float | None:
    """A stored cell as a finite number; None for an empty, non-numeric or non-finite one."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def _text(v) -> str | None:
    """A stored text cell; None for an empty one (None, NaN, "", spaces)."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA or v is pd.NaT:
        return None
    text = str(v).strip()
    return text or None


def distance_words(metres: float) -> dict:
    """A distance as the report says it, in each language: "under 1 m", "315 m", "5.8 km" (planner.numbers'
    rule, as moves are said on the Data page). The Chinese number comes with the space that sets it off from the
    word before it ("相距 315 米", "相距不到 1 米")."""
    if metres < 1:
        return {"zh": "不到 1 米", "en": "under 1 m"}
    return {"zh": " " + distance_text(metres, "zh"), "en": distance_text(metres, "en")}


def _metres_or_inf(dx: float, dy: float) -> float:
    """The length of (dx, dy); infinity where a point is missing (NaN sorts nowhere)."""
    d = float(np.hypot(dx, dy))
    return d if np.isfinite(d) else float("inf")


def _pair(cell: str) -> list[str]:
    """An 经纬度 cell's parts: split at its comma or semicolon, else (none there) at its spaces."""
    text = cell.strip("()（） ")
    parts = [x for x in re.split(r"\s*[,，;；]+\s*", text) if x]
    return parts if len(parts) >= 2 else re.split(r"\s+", text)


def _check_args(coords: str, type_key: str | None, crs: str | None) -> str:
    if coords not in COORDS:
        raise InputDataError(f"Unknown coordinate system '{coords}'; use {', '.join(COORDS)}.",
                             f"未知坐标系“{coords}”；可选 {'、'.join(COORDS)}。")
    if type_key:
        get_type(type_key)  # an unknown key is refused with the known ones listed
    parse_crs(crs)  # an unknown CRS is refused with an example of a good one
    return "wgs84" if coords == "cgcs2000" else coords


def validate_register(path, *, region: Region, type_key: str | None = None, coords: str = "auto",
                      encoding: str | None = None, column_map: dict | None = None, crs: str | None = None,
                      max_bytes: int | None = None, picks: dict | None = None) -> RegisterReport:
    """Read and check a facility register; row problems are reported, never raised.

    Parameters
    ----------
    path : path
        CSV (UTF-8, UTF-8-BOM, GBK, GB18030), XLSX/XLS, GeoJSON, zipped Shapefile,
        GeoPackage or KML/KMZ. Headers in Chinese or English (see
        planner.register_columns.FIELDS); a title row above the header is skipped.
    region : Region
        The region the facilities must lie in and whose official names are matched.
    type_key : str, optional
        Type of every row whose type cell is empty, or of all rows when there is no type column.
    coords : {"auto", "wgs84", "gcj02", "bd09", "cgcs2000"}
        Datum of the coordinates. "auto" reads them as WGS84 and reports a
        suggested datum with its evidence; only a declared datum is applied.
    encoding : str, optional
        Force the text encoding (default: detected).
    column_map : dict, optional
        {field: file column} where the headers are not recognised (fields:
        ``planner.register_columns.FIELDS``).
    crs : str, optional
        CRS of the coordinates when the file states none, e.g. "EPSG:4547"
        (projected x/y in a table, or a Shapefile without .prj).
    max_bytes : int, optional
        Size limit (default geo.tables.MAX_BYTES).
    picks : dict, optional
        {report row number: official code}: the place the planner picked for a
        row whose names were ambiguous or unmatched (one of the candidates the
        report listed, or any village/township code). The row is placed there,
        flagged ``located_by_name`` with the pick shown.

    Raises
    ------
    InputDataError
        Whole-file problems only: missing, empty, too large, not what its name
        says, unreadable, no column to place facilities by, no type, no name
        column (``details["missing"]`` names the fields a column mapping must
        give: the web answers it with its mapping card).
    """
    path = Path(path)
    datum_mode = _check_args(coords, type_key, crs)
    table = read_table(path, encoding=encoding, crs=crs, header_names=HEADER_NAMES, max_bytes=max_bytes,
                       what="facilities")
    cmap = map_columns(table.frame.columns, column_map, path.name)
    # the planner's own capacity column wins over one recognised by its header (核定床位数 as beds): the
    # mapping said 实际入住床位 and 核定床位数 was read all the same (QA 25); the one passed over is said
    chosen = {f for f, c in (column_map or {}).items() if isinstance(c, str) and c.strip()}
    superseded = {f: cmap.pop(f) for f in CAPACITY_FIELDS if "capacity" in chosen and f in cmap and f not in chosen}
    if "code" in cmap and "id" not in cmap and code_is_id(table.frame[cmap["code"]]):
        cmap["id"] = cmap.pop("code")
    _check_columns(table, cmap, type_key, path.name)
    _check_row_count(table, cmap, type_key, region, path.name)  # first: a file far too long is refused at once
    table, skipped = _summary_rows(table, cmap, path.name)
    table, closed, gone = _closed_rows(table, cmap, path.name)
    return _Rows(table, cmap, region, type_key, datum_mode, crs, picks=picks, superseded=superseded,
                 skipped=skipped + closed, closed=gone).report()


def _closed_rows(table, cmap: dict, label: str) -> tuple:
    """The table without the rows whose status cell says the facility is closed (已关闭, 停用, 撤并, 注销 ...:
    planner.register_columns.status_closed), those rows [(row, "closed", column, cell)], and what they name
    ({"ids", "names", "table"}: the file's ids, the folded names of those without one, and the table of the closed
    rows only). A closed facility is not imported, on purpose: counted as skipped, neither accepted nor refused, each
    with a warning (:meth:`_Rows.skipped_issues`), and no refused row stands for it (:meth:`_Rows.refused_current`), so
    confirming takes it off the register; it still names its facility (:meth:`_Rows.shifted_ids`). A file of closed
    facilities only is refused: it would import nothing. QA 32: a row 状态 已关闭 imported as an operating facility
    and counted toward coverage and beds."""
    col = cmap.get("status")
    if col is None:
        return table, [], {"ids": set(), "names": set()}
    frame = table.frame

    def text(v) -> str:
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()

    found, ids, names = [], set(), set()
    for k, v in enumerate(frame[col]):
        cell = text(v) if not isinstance(v, (dict, list, tuple)) else ""
        if cell and status_closed(cell):
            found.append((table.rows[k], "closed", str(col), cell))
            fid = text(frame[cmap["id"]].iat[k]) if "id" in cmap else ""
            if fid:
                ids.add(fid)
            elif "name" in cmap:  # no id: the facility of its name
                names.add(fold(text(frame[cmap["name"]].iat[k])))
    if not found:
        return table, [], {"ids": set(), "names": set()}
    if len(found) == len(frame):
        rows = [r for r, *_ in found]
        raise InputDataError(
            f"{label}: no facility to import: the status column ({col}) says every row's facility is closed "
            f"({'row' if len(rows) == 1 else 'rows'} {listed(rows[:10], 'en', total=len(rows))}).",
            f"{label}：没有可导入的设施：状态列（{col}）显示每一行的设施都已关闭（第 {listed(rows[:10], 'zh', total=len(rows))} 行）。",
            hint_en="A closed facility (its status says closed, out of use, merged ...) is not imported. If these "
                    "facilities operate, set their status to operating (or the file's word for it) or leave it blank.",
            hint_zh="已关闭（停用、撤并、注销等）的设施不导入。如这些设施仍在运营，请把状态改为“运营”或留空。",
            details={"skipped_rows": rows, "column": str(col)})
    gone = {r for r, *_ in found}
    # the closed rows themselves: a closed row names its facility for the shifted-id rule (:meth:`_Rows.closed_named`)
    return table.without_rows(gone), found, {"ids": ids - {""}, "names": names - {""},
                                             "table": table.without_rows(set(table.rows) - gone)}


def _summary_rows(table, cmap: dict, label: str) -> tuple:
    """The table without its totals and footer rows, and those rows: [(row, kind, column, cell)].

    A row is one when a cell is a totals label (合计, 合 计, 小计, Total ...) or its first filled cell opens a
    footer (填报单位：…, 制表人：…, 备注：…) (geo.tables.summary_row), and it holds nothing of a facility: no
    name (or the label itself in the name column) and no coordinates. QA 27: the 合计 row under the last
    facility and the 填报单位 line under the table were each refused as a facility without a type and a name
    (or with 1010 beds). A facility whose name merely holds 合计 is checked as any other; so is a remark
    column's 备注：… in a row that has more.
    """
    frame = table.frame
    cols = [c for c in frame.columns if c != "geometry"]

    def text(v) -> str:
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()

    def blank(col) -> np.ndarray:
        s = frame[col]
        return (s.isna() | (s.astype(str).str.strip() == "")).to_numpy(bool)

    # what may be one: no facility's name (none, or the label itself in the name column: 合计 under 机构名称),
    # no coordinates; only those rows' cells are read one by one
    maybe = np.ones(len(frame), bool)
    if "name" in cmap:
        maybe &= blank(cmap["name"]) | summary_cells(frame[cmap["name"]]).to_numpy(bool)
    for f in ("lon", "lat", "lonlat"):
        if f in cmap:
            maybe &= blank(cmap[f])
    if table.geometry is not None:
        maybe &= np.array([g is None or g.is_empty for g in table.geometry], bool)
    rows = np.flatnonzero(maybe)
    if len(rows):  # and a cell that is a label (column by column: a file without names has many such rows)
        sub = frame.iloc[rows]
        labelled = np.zeros(len(rows), bool)
        for c in cols:
            labelled |= summary_cells(sub[c]).to_numpy(bool)
        maybe[:] = False
        maybe[rows[labelled]] = True
    found = []
    for k in np.flatnonzero(maybe):
        values = [frame[c].iat[k] for c in cols]
        hit = summary_row(values)
        if hit is None:
            continue
        kind, at = hit
        if kind == "footer" and cols[at] == cmap.get("remark") and sum(bool(text(v)) for v in values) > 1:
            continue  # 备注：… in the remark column of a row that holds more
        found.append((table.rows[k], kind, str(cols[at]), text(values[at])))
    if not found:
        return table, []
    if len(found) == len(frame):
        rows = [r for r, *_ in found]
        raise InputDataError(
            f"{label}: no facility rows: every row under the header is a totals or footer row "
            f"({'row' if len(rows) == 1 else 'rows'} {listed(rows[:10], 'en', total=len(rows))}).",
            f"{label}：没有设施行：表头下的各行都是合计行或表尾落款行（第 {listed(rows[:10], 'zh', total=len(rows))} 行）。",
            hint_en="Add one row per facility above the totals.", hint_zh="请在合计行之上每行填写一处设施。",
            details={"skipped_rows": rows})
    return table.without_rows({r for r, *_ in found}), found


def _check_columns(table, cmap: dict, type_key, label: str) -> None:
    cols = [str(c) for c in table.frame.columns]
    details = {"columns": cols, "column_map": cmap}
    if not cmap and header_looks_like_data(cols):  # no header at all: its first row was read as one
        cells = ", ".join(cols[:6])
        raise InputDataError(f"{label}: {NO_HEADER_EN.format(cells=cells)}",
                             f"{label}：{NO_HEADER_ZH.format(cells='、'.join(cols[:6]))}",
                             details={**details, "header_row": table.header_row})
    if len(table.frame) == 0:
        raise InputDataError(f"{label} has a header but no rows.", f"{label} 只有表头，没有数据行。",
                             hint_en="Add one row per facility.", hint_zh="请每行填写一处设施。", details=details)
    xy = table.geometry is not None or {"lon", "lat"} <= set(cmap) or "lonlat" in cmap
    # a file without a name column is refused (below); named as missing beside the other missing fields, so the
    # mapping card stars it too (QA 25: only the type was starred)
    unnamed = [] if "name" in cmap else ["name"]
    half = ({"lon", "lat"} & set(cmap)) if not xy else set()
    if half:
        # one coordinate column without the other: its values were dropped and every row placed by name,
        # without a word (QA 18); the mapping form lets the planner name the other column
        have, lack = ("lon", "lat") if "lon" in half else ("lat", "lon")
        words = {"lon": ("经度", "longitude"), "lat": ("纬度", "latitude")}
        raise InputDataError(
            f"{label}: a {words[have][1]} column ({cmap[have]}) but no {words[lack][1]} column "
            f"(found: {', '.join(cols)}).",
            f"{label}：有{words[have][0]}列（{cmap[have]}），但没有{words[lack][0]}列（现有列：{'、'.join(cols)}）。",
            hint_en=f"Add the {words[lack][1]} column ({lack}, {words[lack][0]}) or say which column holds it; "
                    "without coordinates, delete the other one too and the rows are placed by their place names.",
            hint_zh=f"请补上{words[lack][0]}列（{words[lack][0]} 或 {lack}），或指定哪一列是{words[lack][0]}；"
                    f"如没有坐标，请一并删去{words[have][0]}列，各行将按地名定位。",
            details={**details, "missing": [lack, *unnamed]})
    if not xy and not set(_PLACE_FIELDS) & set(cmap):
        raise InputDataError(
            f"{label}: no column to place the facilities by: neither lon/lat (经度/纬度) nor township, village "
            f"or address (found: {', '.join(cols)}).",
            f"{label}：缺少定位所需的列：既没有经度/纬度，也没有乡镇、村（社区）或地址（现有列：{'、'.join(cols)}）。",
            hint_en="Head the columns lon and lat (or 经度, 纬度), or 乡镇 and 村; or map the columns by hand. "
                    "If the headers look garbled, the file is in another encoding: save it as CSV UTF-8.",
            hint_zh="请将列名改为“经度”“纬度”（或 lon、lat），或“乡镇”“村”；也可手动指定列对应关系。"
                    "如表头显示为乱码，说明文件为其他编码，请另存为“CSV UTF-8”。",
            details={**details, "missing": ["lon", "lat", *unnamed]})
    if "type" not in cmap and not type_key:
        types = load_facility_types()
        # every other column may be fine: the usual fix is to say the type of the whole file
        # nor a name column: said too, with its fix (its rows would all be refused once the type is chosen)
        no_name = {"en": " Nor does any column hold the facilities' names (name, 名称).",
                   "zh": "，也没有设施名称列（名称）。",
                   "hint_en": " Also say which column holds the names, or head it 名称 / name.",
                   "hint_zh": "另请指定哪一列是设施名称，或将其列名改为“名称”。"} if unnamed else \
            {"en": "", "zh": "。", "hint_en": "", "hint_zh": ""}
        raise InputDataError(f"{label}: no column says each facility's type.{no_name['en']}",
                             f"{label}：文件中没有说明设施类型的列{no_name['zh']}",
                             hint_en="Choose the type of all its facilities when importing (the Facility type field "
                                     "on the page, --type on the command line), or add a column 类型 / type with "
                                     f"one of: {', '.join(t.name_en for t in types.values())}.{no_name['hint_en']}",
                             hint_zh="请在导入时选择这些设施的类型（网页上的“设施类型”，命令行的 --type），"
                                     f"或在文件中增加“类型”列，取值为：{'、'.join(t.name_zh for t in types.values())}。"
                                     f"{no_name['hint_zh']}",
                             details={**details, "missing": ["type", *unnamed]})
    if unnamed:
        # the name column alone missing: a whole-file problem as the others are (details "missing": the web's mapping
        # card, the command line's --column), not a report of every row refused (QA 34: "accepted 0 · refused 20"
        # with one file-level error for a file whose type was chosen in the form, the card for the same file without)
        used = {str(c) for c in cmap.values()}
        unread = [c for c in cols if c not in used and c != "geometry"]
        shown = {lang: listed(unread[:8], lang, total=len(unread)) if unread else t("reg_none", lang)
                 for lang in ("zh", "en")}
        raise InputDataError(f"{label}: {t('qa34f11_no_name_column', 'en', columns=shown['en'])}.",
                             f"{label}：{t('qa34f11_no_name_column', 'zh', columns=shown['zh'])}。",
                             hint_en=t("qa34f11_fix_no_name_column", "en") + ".",
                             hint_zh=t("qa34f11_fix_no_name_column", "zh") + "。",
                             details={**details, "missing": ["name"]})


def _check_row_count(table, cmap: dict, type_key, region: Region, label: str) -> None:
    """Refuse, before any row is checked, a file with more than :data:`EARLY_LIMIT_FACTOR` times the rows of one
    type a version may hold (geo.datasets.facility_row_limit): the confirm would refuse it whatever the rows
    held, and checking them first took minutes (QA 23: 545,629 rows, 1 min 55 s before the refusal). A file
    just over the limit is still checked, its report saying the confirm will be refused: refused rows (repeated
    ones) may bring it under."""
    from geo.datasets import facility_row_limit

    limit = facility_row_limit(len(region.villages) + len(region.townships))
    if len(table.frame) <= EARLY_LIMIT_FACTOR * limit:
        return
    known = load_facility_types()
    per: dict[str, int] = {}
    if "type" in cmap:
        lookup = type_lookup(known)
        cells = pd.Series(["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
                           for v in table.frame[cmap["type"]]], dtype=object)
        for value, n in cells.value_counts().items():
            key = (resolve_type(value, lookup) if value else None) or (None if value else type_key)
            if key:
                per[key] = per.get(key, 0) + int(n)
    elif type_key:
        per[type_key] = len(table.frame)
    over = [(k, n) for k, n in per.items() if n > EARLY_LIMIT_FACTOR * limit]
    if not over:
        return
    key, n = max(over, key=lambda kn: kn[1])
    ft = known.get(key)
    name_zh, name_en = (ft.name_zh, ft.name_en) if ft else (key, key)
    raise InputDataError(
        f"{label}: {n:,} rows of type '{name_en}', more than twice what a register of this region can hold "
        f"(at most {limit:,} facilities of a type: five for each village, community and township). The file "
        "was not checked row by row.",
        f"{label}：类型“{name_zh}”有 {n:,} 行，超过本地区名录上限（每类至多 {limit:,} 处，即每个村（社区）、乡镇5处）"
        "的两倍，未逐行校验。",
        hint_en="Check that each row is one facility (not a total, not repeated rows) and that the file is a "
                "facility register.",
        hint_zh="请核对是否每行一处设施（不是合计行、没有重复行），以及文件是否为设施名录。",
        details={"type": key, "rows": int(n), "limit": int(limit), "file_rows": int(len(table.frame))})


class _Rows:
    """The row-by-row checks of one register (state shared by the steps of :meth:`report`)."""

    def __init__(self, table, cmap: dict, region: Region, type_key, datum_mode: str, crs, *,
                 picks: dict | None = None, superseded: dict | None = None, skipped: list | None = None,
                 closed: dict | None = None) -> None:
        self.table, self.cmap, self.region, self.type_key = table, cmap, region, type_key
        #: totals and footer rows taken out of ``table`` (:func:`_summary_rows`), and the rows of closed facilities
        #: (:func:`_closed_rows`): [(row, kind, column, cell)]
        self.skipped = list(skipped or [])
        #: the ids and folded names of the closed facilities' rows: no refused row stands for them
        self.closed = closed or {"ids": set(), "names": set()}
        #: {row: first row} of each row refused for another row's id, and whether it repeats that row as well
        #: (same type, name and place): :meth:`ids`, :meth:`refused_current`
        self.id_repeats: dict[int, tuple[int, bool]] = {}
        #: rows refused for a current facility's id the file lists on another row by its name (:meth:`shifted_ids`):
        #: the id is none of theirs, they are matched by name as rows without an id
        self.shifted: set[int] = set()
        #: {capacity field: column} recognised by its header but not read: the mapping chose the capacity column
        self.superseded = dict(superseded or {})
        self.datum_mode, self.crs = datum_mode, crs
        self.n = len(table.frame)
        self.rownum = list(table.rows)
        self.issues: list[RowIssue] = []
        self.refused = np.zeros(self.n, bool)
        self._not_text: set[tuple[int, str]] = set()  # (row, field) said to hold an object, not text
        self.shapes = RegionShapes(region)
        self.places = PlaceIndex(region)
        self.region_name = {"zh": region.label["zh"], "en": region.label["en"]}
        # a place path starts with its county: English messages name it in English (townships stay as they are)
        from planner.coverage import county_names_en
        self.county_en = {str(region.counties.loc[c, "name"]): str(n)
                          for c, n in county_names_en(region.counties).items()}
        self.picks = {str(k): str(v) for k, v in (picks or {}).items()}
        #: rows placed by their exact place names or their code: (row index, place path, level, "name" or "code"),
        #: listed in a note (:meth:`name_match`, :meth:`by_name_note`)
        self.by_name_rows: list[tuple[int, str, str, str]] = []
        #: invalid capacity cells {row index: [(field, issue)]}: a row standing for a current facility keeps its value
        #: (:meth:`capacities`, :meth:`keep_current`)
        self.bad_capacity: dict[int, list] = {}

    # -- helpers ------------------------------------------------------------------------------
    def cell(self, fld: str) -> list[str]:
        col = self.cmap.get(fld)
        if col is None:
            return [""] * self.n
        out = []
        for i, v in enumerate(self.table.frame[col]):
            if isinstance(v, (dict, list, tuple)):
                # a GeoJSON property holding an object or a list ({"a": [1, 2]}): it was stored as Python's
                # repr of it, "{'a': [1, 2]}", as a name (QA 19); the row is refused, once per field
                if (i, fld) not in self._not_text:
                    self._not_text.add((i, fld))
                    self.add(i, fld, "error", "not_text", "reg_not_text", "reg_fix_not_text",
                             json.dumps(v, ensure_ascii=False, default=str)[:60])
                out.append("")
                continue
            out.append("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
        return out

    def add(self, i: int | None, fld: str | None, severity: str, code: str, key: str, fix: str = "",
            value="", candidates=(), fixed: bool = False, fix_kw=None, unfixed: str = "", text=None,
            fix_text=None, **kw) -> None:
        """Record an issue of row ``i`` (None: the file). ``kw`` fill the message and ``fix_kw`` the
        fix; a value given as {"zh": ..., "en": ...} is taken in each language. ``text`` ({"zh", "en"}
        templates) words the message in place of ``key``'s (one of :data:`_TEXTS`), ``fix_text`` the fix
        in place of ``fix``'s."""
        def args(given, lang):
            return {k: v[lang] if isinstance(v, dict) and set(v) == {"zh", "en"} else v for k, v in given.items()}
        msg = {lang: (text[lang].format(value=value, **args(kw, lang)) if text else
                      t(key, lang, value=value, **args(kw, lang))) for lang in ("zh", "en")}
        fixes = {lang: fix_text[lang].format(**args(fix_kw or {}, lang)) if fix_text else
                 t(fix, lang, **args(fix_kw or {}, lang)) if fix else "" for lang in ("zh", "en")}
        column = next((self.cmap[f] for f in _COLUMN_OF.get(fld, (fld,)) if f in self.cmap), None) if fld else None
        # ``unfixed``: the message where the automatic correction (``fixed``) is not made
        kept = {lang: t(unfixed, lang, value=value, **args(kw, lang)) if unfixed else "" for lang in ("zh", "en")}
        # each candidate with its path for an English page too (data.js shows path_en there)
        candidates = [{**c, "path_en": self.path_in(c["path"])["en"]} if isinstance(c, dict) and c.get("path") else c
                      for c in candidates]
        if len(candidates) > MAX_CANDIDATES:  # the rest are not silently left out: say how many, and what narrows
            more = self.more_candidates(i, len(candidates) - MAX_CANDIDATES)
            fixes = {lang: f"{fixes[lang]}{'；' if lang == 'zh' else '; '}{more[lang]}" if fixes[lang] else more[lang]
                     for lang in ("zh", "en")}
            candidates = candidates[:MAX_CANDIDATES]
        self.issues.append(RowIssue(self.rownum[i] if i is not None else None, column, severity, code, msg["zh"],
                                    msg["en"], fixes["zh"], fixes["en"], str(value), list(candidates), fixed,
                                    kept["zh"], kept["en"]))
        if severity == "error" and i is not None:
            self.refused[i] = True

    def more_candidates(self, i: int | None, n: int) -> dict:
        """"N more not listed", in each language, with the column(s) row ``i`` lacks that would narrow them."""
        if not hasattr(self, "_place_cells"):
            self._place_cells = {f: self.cell(f) for f in ("county", "township")}
        lacks = [f for f in ("county", "township") if i is None or not self._place_cells[f][i]]
        if not lacks:
            return {lang: t("reg_more_candidates_check", lang, n=n) for lang in ("zh", "en")}
        cols = {"zh": "或".join(t(f"reg_col_{f}", "zh") for f in lacks) + "列",
                "en": " or ".join(t(f"reg_col_{f}", "en") for f in lacks) + " column"}
        return {lang: t("reg_more_candidates", lang, n=n, cols=cols[lang]) for lang in ("zh", "en")}

    def path_in(self, path: str) -> dict:
        """A place path ("茅箭区·茅塔乡") in each language: in English, its county's English name."""
        head, sep, rest = str(path).partition("·")
        return {"zh": path, "en": self.county_en.get(head, head) + sep + rest}

    # -- steps --------------------------------------------------------------------------------
    def report(self) -> RegisterReport:
        if self.table.crs_assumed:
            self.add(None, None, "warning", "crs_assumed", "reg_crs_assumed", "reg_fix_crs_assumed")
        for col, used, repeat in shadowed_columns(self.table.frame.columns, self.cmap):
            if repeat is not None:  # a heading the file has twice
                what = {"zh": f"第 {repeat} 个“{used}”列", "en": f"column “{used}” number {repeat}"}
                first = {"zh": f"第 1 个“{used}”列", "en": f"the first “{used}” column"}
            else:
                what = {"zh": f"“{col}”列", "en": f"column “{col}”"}
                first = {"zh": f"“{used}”列", "en": f"column “{used}”"}
            # two columns of one field whose values differ are no copy: said so, with a row where they differ
            # (QA 31: a second 经度 of 111.0 on every row was called "the same field" as the first)
            differ = differing_cells(self.table.frame, self.table.rows, used, col)
            if differ:
                row, a, b = differ[0]
                # an empty cell said as the village file says it, not "-" (QA 32: "row 1: - and 房县城关镇福利院")
                empty = {"zh": "（空）", "en": "(empty)"}
                self.add(None, None, "warning", "column_values_differ", "", "", col, text=COLUMNS_DIFFER,
                         fix_text=COLUMNS_DIFFER_FIX, what=what, used=first, n=len(differ), row=row,
                         a=a[:20] or empty, b=b[:20] or empty)
                continue
            self.add(None, None, "warning", "column_shadowed", "reg_column_shadowed", "reg_fix_column_shadowed",
                     col, what=what, used=first)
        if self.superseded:
            cols = list(self.superseded.values())
            self.add(None, None, "warning", "capacity_column_superseded", "", "", "、".join(cols),
                     text=_TEXTS["capacity_superseded"], used=self.cmap["capacity"],
                     cols={"zh": "、".join(f"“{c}”" for c in cols),
                           "en": ("column " if len(cols) == 1 else "columns ") + ", ".join(f"'{c}'" for c in cols)},
                     was={"zh": "", "en": "was" if len(cols) == 1 else "were"},
                     fields={"zh": "、".join(FIELDS[f][1] for f in self.superseded),
                             "en": ", ".join(f.replace("_", " ") for f in self.superseded)})
        types = self.types()
        names = self.names()
        lon, lat, has_xy = self.coordinates()
        row_datum = self.row_datums()
        # rows refused from here on are refused for a code or a name, not for their point: the point is still
        # tested against the region, so a row's errors are all said at once (QA 21: Beijing coordinates with
        # an unknown code were refused for the code alone)
        point_ok = has_xy & ~self.refused
        declared, located = self.declared_places(has_xy)
        evidence, suggestion = self.evidence(lon, lat, has_xy, row_datum, declared, types, names)
        suggestion = self.header_datum(suggestion)
        for datum in ("gcj02", "bd09"):
            mask = has_xy & (row_datum == datum)
            lon[mask], lat[mask] = to_wgs84_xy(lon[mask], lat[mask], datum)
        method, match = self.place_by_name(lon, lat, has_xy, located)
        self.region_test(lon, lat, point_ok)
        township = self.townships(lon, lat, has_xy, declared)
        self.ids(types, names, lon, lat)
        self.shifted_ids(types, names, lon, lat, has_xy, township, match)
        self.near_pairs(types, names, lon, lat, has_xy)
        self.far_namesakes(types, names, lon, lat, has_xy, township)
        self.statuses()
        self.capacity = self.capacities(types)
        self.text = self.texts()
        self.year_values = self.years()
        self.synthetic = self.synthetic_flags()
        self.issues += self.skipped_issues()
        self.issues.sort(key=lambda i: (i.row is not None, i.row or 0))
        keep = ~self.refused
        # once every refusal is known: a refused row takes no current facility's id, nor a namesake's place
        ids = self.row_ids(types, names, lon, lat, township)
        # a row placed by its names that stands for a current facility elsewhere moves it: said with the distance
        self.name_moves(ids, method, match, lon, lat)
        out = self.frame(keep, ids, types, names, township, method, match, lon, lat)
        # the current facilities the refused rows stand for: a confirm keeps them as they are (QA 31: a typo in
        # a row's code deleted the facility it listed; planner.register_scope.keep_refused)
        out.attrs["refused_current"] = self.refused_current(ids, types, names, lon, lat, township)
        # the attributes the file has no column for: the current facilities its rows stand for keep theirs (QA 32)
        kept_notes, kept = self.keep_current(out, keep)
        self.issues.sort(key=lambda i: (i.row is not None, i.row or 0))  # the lines added since, in their rows' place
        applied = self.datum_mode if self.datum_mode != "auto" else "wgs84"
        return RegisterReport(
            source=self.table.source, accepted=out, issues=self.issues, rows=self.n + len(self.skipped),
            refused_rows=[self.rownum[i] for i in np.flatnonzero(self.refused)], column_map=dict(self.cmap),
            columns=[str(c) for c in self.table.frame.columns], file_kind=self.table.kind,
            encoding=self.table.encoding, crs=self.table.crs or self.crs, datum=applied,
            datum_suggestion=suggestion, datum_evidence=evidence, layer=self.table.layer,
            header_row=self.table.header_row, notes=list(self.table.notes) + self.unused_coordinates()
            + self.skipped_note() + self.by_name_note() + kept_notes + self.unread_note(),
            skipped_rows=[r for r, *_ in self.skipped],
            kept=kept, closed_rows=[r for r, k, *_ in self.skipped if k == "closed"])

    def keep_current(self, out: gpd.GeoDataFrame, keep) -> tuple[list[tuple[str, str]], dict]:
        """Fill in ``out`` (the accepted rows, :meth:`frame`) what the file has no column for; (notes, summary).

        A row standing for a current facility (its id is one: its own, or the one :meth:`row_ids` gave it by type,
        county and name) keeps that facility's value of each attribute the file has no column for: its capacity in
        each unit the file does not give for the row's type (:data:`KEPT_CAPACITY`, same type only), its address,
        operator, phone, remark and years (:data:`KEPT_DETAILS`). A column the file has keeps its meaning (its
        value; a blank cell is unknown), and a new facility has the attribute unknown, as before. QA 32: a
        register without 床位 replaced 13 welfare homes with 13 of unknown beds, the report saying nothing.

        Honest labels: a row that keeps a value of a sample (示意) facility is labelled sample data as that
        facility was (its ``synthetic`` flag, and ``capacity_quality`` with a kept capacity), as a sample
        facility edited on the map stays one; ``kept_fields`` names the attributes kept and ``kept_from_file``
        / ``kept_from_version`` where they came from (the current facility's file and data version, or its
        source: the sample register), not the new file. The notes say it per unit, before the confirm, which
        commits these rows as they are (the web's confirm and ``coverplan data import`` check the file again)."""
        from planner.register_scope import stamp_own_rows

        fac = getattr(self.region, "facilities", None)
        if fac is None or not len(fac) or "id" not in fac or "facility_type" not in fac or not len(out):
            return [], {}
        known = load_facility_types()
        unit_of = {k: ft.capacity.field for k, ft in known.items() if ft.capacity}
        generic = "capacity" in self.cmap
        # a column of the attribute's name that the register did not read as it (the mapping said none holds
        # it): the file's, kept as it has it; never overwritten
        raw = {f for f in out.columns if f not in self.capacity and f not in self.text and f not in self.year_values}

        def supplied(group: str, kind) -> bool:
            fields = KEPT_CAPACITY[group]
            return any(f in self.cmap or f in raw for f in fields) or (generic and unit_of.get(kind) in fields)

        details = [f for f in KEPT_DETAILS if f not in self.cmap and f not in raw]
        kinds = set(out["facility_type"].astype(str))
        groups = {k: [g for g in KEPT_CAPACITY if not supplied(g, k)] for k in kinds}
        rows = np.flatnonzero(keep)
        # the accepted rows' invalid capacity cells (12.7, -5, nan, 1e999: :meth:`capacities`), by position in ``out``
        bad = {j: self.bad_capacity[i] for j, i in enumerate(rows) if i in self.bad_capacity}
        if not details and not any(groups.values()) and not bad:
            return [], {}
        now = fac.drop_duplicates("id")
        now = now[now["id"].astype(str).isin(set(out["id"].astype(str)))]
        if not len(now):
            return [], {}
        provenance = getattr(self.region, "provenance", None) or {}
        now = pd.concat([stamp_own_rows(part.copy(), provenance, str(k))
                         for k, part in now.groupby(now["facility_type"].astype(str), sort=False)])
        current = {str(r["id"]): r for r in now.to_dict("records")}

        n = len(out)
        columns: dict[str, list] = {}

        def column(f: str, number: bool) -> list:
            if f not in columns:
                columns[f] = (list(out[f]) if f in out else [np.nan if number else "" for _ in range(n)])
            return columns[f]

        row_syn = out["synthetic"].astype(bool).to_numpy() if "synthetic" in out else np.zeros(n, bool)
        flipped: list[int] = []
        fields_of = [""] * n
        origin: list[tuple[str, float]] = [("", np.nan)] * n
        stats: dict[str, dict] = {}
        detail_stats = {"kept": 0, "new": 0, "fields": set()}
        counted_type = self.type_key
        for j, (fid, kind) in enumerate(zip(out["id"].astype(str), out["facility_type"].astype(str))):
            cur = current.get(fid)
            same = cur is not None and str(cur.get("facility_type")) == kind
            counted = counted_type is None or kind == counted_type  # another type than the form's: refused there
            taken: list[str] = []
            unit = unit_of.get(kind)
            for g in groups.get(kind, ()):
                values = {f: _finite(cur.get(f)) for f in KEPT_CAPACITY[g]} if same else {}
                values = {f: v for f, v in values.items() if v is not None}
                for f, v in values.items():
                    column(f, True)[j] = v
                    taken.append(f)
                if counted and unit in KEPT_CAPACITY[g]:
                    s = stats.setdefault(unit, {"kept": 0, "known": 0, "total": 0.0, "new": 0})
                    if same:
                        s["kept"] += 1
                        v = values.get(unit)
                        if v is not None:
                            s["known"] += 1
                            s["total"] += v
                    else:
                        s["new"] += 1
            for f, issue in bad.get(j, ()) if same else ():
                # an invalid cell where the facility's current value is known: that value kept, and said so
                v = _finite(cur.get(f))
                if v is None:
                    continue
                column(f, True)[j] = v
                taken.append(f)
                if f == "niches" and "niches" in self.capacity:  # a cemetery's plots count its niches (:meth:`frame`)
                    plots = column("plots", True)
                    plots[j] = (0.0 if not np.isfinite(plots[j]) else plots[j]) + v
                self.capacity_kept(issue, f, v)
            if details:
                had = False
                for f in details:
                    number = f in ("built_year", "upgraded_year")
                    v = None if cur is None else _finite(cur.get(f)) if number else _text(cur.get(f))
                    if v is None:
                        continue
                    column(f, number)[j] = v
                    taken.append(f)
                    detail_stats["fields"].add(f)
                    had = True
                if counted and (had or cur is None):
                    detail_stats["kept" if had else "new"] += 1
            if not taken:
                continue
            fields_of[j] = ",".join(taken)
            # where the values came from: the facility's own file and version; those it kept itself from an
            # earlier version (a second file without the column) still come from there
            before = set((_text(cur.get("kept_fields")) or "").split(","))
            if set(taken) <= before and (_text(cur.get("kept_from_file")) or _finite(cur.get("kept_from_version"))):
                source, version = _text(cur.get("kept_from_file")), _finite(cur.get("kept_from_version"))
            else:
                source = _text(cur.get("source_file")) or _text(cur.get("source"))
                version = _finite(cur.get("source_version"))
            origin[j] = (source or "", np.nan if version is None else version)
            quality = _text(cur.get("capacity_quality"))
            if quality and any(f in CAPACITY_FIELDS for f in taken):  # "synthetic": the sample's capacity
                column("capacity_quality", False)[j] = quality
            if not row_syn[j] and str(cur.get("synthetic")).strip().lower() in ("true", "1", "1.0"):
                flipped.append(j)
        if not any(fields_of):
            return [], {}
        for f, values in columns.items():
            out[f] = values
        out["kept_fields"] = fields_of
        out["kept_from_file"] = [o[0] for o in origin]
        out["kept_from_version"] = [o[1] for o in origin]
        if flipped:
            syn = out["synthetic"].astype(bool).to_numpy().copy()
            syn[flipped] = True
            out["synthetic"] = syn
            # which rows are sample data for the values they keep, not for a 示意 column the file has: what the
            # import replaces says them in these words, not "marked in the 示意 column" (QA 34)
            out.attrs[KEPT_SYNTHETIC_ROWS] = [int(out["source_row"].iloc[j]) for j in flipped] \
                if "source_row" in out else []
            # "the row is not marked sample data: imported as the planner's own" is no longer so
            lines = {self.rownum[rows[j]] for j in flipped}
            self.issues[:] = [i for i in self.issues if not (i.code == "synthetic_text" and i.row in lines)]
        return self.kept_notes(stats, detail_stats, len(flipped)), {
            "capacity": {u: {k: (round(v, 6) if isinstance(v, float) else v) for k, v in s.items()}
                         for u, s in stats.items()},
            "details": {"fields": sorted(detail_stats["fields"], key=KEPT_DETAILS.index),
                        "kept": detail_stats["kept"], "new": detail_stats["new"]},
            "synthetic": len(flipped)}

    @staticmethod
    def capacity_kept(issue: RowIssue, fld: str, value: float) -> None:
        """Reword the warning of an invalid capacity cell (``issue``: "imported with its capacity unknown") where the
        row keeps its facility's current ``value`` of ``fld`` (:meth:`keep_current`)."""
        unit = "plots" if fld == "niches" else fld
        why = "negative" if issue.code == "capacity_negative" else "not_number"
        shown = f"{value:,.0f}"
        for lang in ("zh", "en"):
            text = t("qa34f11_cap_kept", lang, column=issue.column or fld, value=issue.value,
                     why=t(f"qa34f11_cap_{why}", lang), current=shown, noun=t(f"qa32fa_noun_{unit}", lang),
                     unit=t(f"qa32fa_unit_{unit}", lang))
            setattr(issue, f"message_{lang}", text)
            setattr(issue, f"fix_{lang}", t("qa34f11_fix_cap_kept", lang))

    @staticmethod
    def kept_notes(stats: dict, detail_stats: dict, flipped: int) -> list[tuple[str, str]]:
        """The report's notes on what :meth:`keep_current` kept: per capacity unit the file has no column for
        ("文件没有床位（容量）列：13 处现有设施保留原床位（共 1,234 张），2 处新设施床位未知"), the details, and
        the rows labelled sample data for a value kept from a sample facility. Nothing where nothing was kept."""
        def en(n: int, one: str, many: str) -> str:
            return one if n == 1 else many

        def sentence(parts: dict) -> tuple[str, str]:
            return parts["zh"] + "。", parts["en"] + "."

        notes = []
        for unit, s in stats.items():
            if not s["known"]:
                continue  # nothing known to keep: unknown before, unknown after
            total = f"{s['total']:,.0f}"
            unknown = s["kept"] - s["known"]
            zh = t("qa32fa_no_capacity", "zh", noun=t(f"qa32fa_noun_{unit}", "zh")) + "：" + t(
                "qa32fa_kept_capacity", "zh", n=f"{s['kept']:,}", noun=t(f"qa32fa_noun_{unit}", "zh"), total=total,
                unit=t(f"qa32fa_unit_{unit}", "zh"),
                unknown=t("qa32fa_kept_unknown", "zh", n=f"{unknown:,}") if unknown else "")
            noun_en = t(f"qa32fa_noun_{unit}", "en")
            english = t("qa32fa_no_capacity", "en", noun=noun_en) + ": " + t(
                "qa32fa_kept_capacity", "en", n=f"{s['kept']:,}", noun=noun_en, total=total,
                facilities=en(s["kept"], "facility", "facilities"), keep=en(s["kept"], "keeps", "keep"),
                their=en(s["kept"], "its", "their"),
                unknown=t("qa32fa_kept_unknown", "en", n=f"{unknown:,}", had=en(unknown, "has", "have"))
                if unknown else "")
            if s["new"]:
                zh += "，" + t("qa32fa_new_capacity", "zh", n=f"{s['new']:,}", noun=t(f"qa32fa_noun_{unit}", "zh"))
                english += ", " + t("qa32fa_new_capacity", "en", n=f"{s['new']:,}", noun=noun_en,
                                    facilities=en(s["new"], "facility", "facilities"), have=en(s["new"], "has", "have"))
            notes.append(sentence({"zh": zh, "en": english}))
        if detail_stats["kept"]:
            fields = sorted(detail_stats["fields"], key=KEPT_DETAILS.index)
            key = {f: ("field_" if f in TEXT_FIELDS else "data_field_") + f for f in fields}
            names = {"zh": "、".join(t(key[f], "zh") for f in fields),
                     "en": listed([t(key[f], "en").lower() for f in fields], "en")}
            k, m = detail_stats["kept"], detail_stats["new"]
            zh = t("qa32fa_no_details", "zh", fields=names["zh"]) + "：" + t(
                "qa32fa_kept_details", "zh", n=f"{k:,}", fields=names["zh"])
            english = t("qa32fa_no_details", "en", fields=names["en"]) + ": " + t(
                "qa32fa_kept_details", "en", n=f"{k:,}", facilities=en(k, "facility", "facilities"),
                keep=en(k, "keeps", "keep"), their=en(k, "its", "their"))
            if m:
                zh += "，" + t("qa32fa_new_details", "zh", n=f"{m:,}")
                english += ", " + t("qa32fa_new_details", "en", n=f"{m:,}", facilities=en(m, "facility", "facilities"),
                                    have=en(m, "has", "have"))
            notes.append(sentence({"zh": zh, "en": english}))
        if flipped:
            notes.append((kept_synthetic_text(flipped, "zh"), kept_synthetic_text(flipped, "en")))
        return notes

    def skipped_issues(self) -> list[RowIssue]:
        """One warning per totals or footer row taken out (:func:`_summary_rows`): skipped, not a facility."""
        out = []
        for row, kind, column, cell in self.skipped:
            shown = cell if len(cell) <= 30 else cell[:30] + "…"
            if kind == "closed":  # a closed facility's row (:func:`_closed_rows`), not imported on purpose
                text = {lang: t("qa32fa2_closed", lang, value=shown) for lang in ("zh", "en")}
                fix = {lang: t("qa32fa2_fix_closed", lang) for lang in ("zh", "en")}
            else:
                text = {lang: _TEXTS["skipped_" + kind][lang].format(value=shown) for lang in ("zh", "en")}
                fix = _TEXTS["fix_skipped"]
            out.append(RowIssue(row, column, "warning", f"{kind}_row_skipped", text["zh"], text["en"], fix["zh"],
                                fix["en"], shown))
        return out

    def skipped_note(self) -> list[tuple[str, str]]:
        """The rows skipped, said once beside the counts: read = accepted + refused + skipped."""
        out = []
        summary = [(r, k) for r, k, *_ in self.skipped if k != "closed"]
        if summary:
            rows = [r for r, _ in summary]
            n = len(rows)
            kinds = {k for _, k in summary}
            what = {"zh": "合计行" if kinds == {"total"} else "表尾落款行" if kinds == {"footer"} else "合计行或表尾落款行",
                    "en": {frozenset({"total"}): "totals", frozenset({"footer"}): "footer"}.get(frozenset(kinds),
                                                                                               "totals or footer")}
            out.append((f"第 {listed(rows[:10], 'zh', total=n)} 行是{what['zh']}，已略过（共 {n} 行，不计入接受或拒绝的行）",
                        f"{'row' if n == 1 else 'rows'} {listed(rows[:10], 'en', total=n)} "
                        f"{'is a' if n == 1 else 'are'} {what['en']} {'row' if n == 1 else 'rows'}: skipped "
                        f"({n} {'row' if n == 1 else 'rows'}, counted neither as accepted nor as refused)"))
        closed = [r for r, k, *_ in self.skipped if k == "closed"]
        if closed:  # the closed facilities' rows (:func:`_closed_rows`), said apart: they are no totals
            n = len(closed)
            out.append((t("qa32fa2_closed_note", "zh", rows=listed(closed[:10], "zh", total=n), n=f"{n:,}"),
                        t("qa32fa2_closed_note", "en", rows=listed(closed[:10], "en", total=n), n=f"{n:,}",
                          row="row" if n == 1 else "rows", is_a="is a" if n == 1 else "are",
                          facility="facility" if n == 1 else "facilities")))
        return out

    def unused_coordinates(self) -> list[tuple[str, str]]:
        """A note when the facilities are placed by name while two columns the mapping left out hold
        numbers that look like longitude and latitude (X坐标/Y坐标 were dropped without a word and every
        row put at its township seat, QA 17)."""
        if self.table.geometry is not None or {"lon", "lat"} <= set(self.cmap) or "lonlat" in self.cmap:
            return []
        used = set(self.cmap.values())
        lon = lat = None
        for col in self.table.frame.columns:
            if col in used or col == "geometry":
                continue
            v = pd.to_numeric(pd.Series(self.table.frame[col]).astype(str).str.strip(), errors="coerce")
            if v.notna().mean() < 0.8:
                continue
            med = float(v.median())
            if lon is None and 73 <= med <= 136:
                lon = str(col)
            elif lat is None and 3 <= med <= 54:
                lat = str(col)
        if lon is None or lat is None:
            return []
        return [(f"“{lon}”“{lat}”两列像是经度、纬度，但未被用作坐标：各设施按名称定位。如是坐标，请在列对应中将其指定为经度、纬度后重新校验。",
                 f"the columns “{lon}” and “{lat}” look like longitude and latitude but were not read as coordinates: "
                 "the facilities are placed by their names. If they are coordinates, map them to lon and lat and "
                 "check again.")]

    def types(self) -> list[str | None]:
        known = load_facility_types()
        lookup = type_lookup(known)
        # each key with its name in both languages (the English hint listed bare keys: QA 29)
        names = {"zh": "、".join(f"{k}（{v.short_name_zh()}）" for k, v in known.items()),
                 "en": "; ".join(f"{k} ({v.name_en})" for k, v in known.items())}
        out = []
        for i, v in enumerate(self.cell("type")):
            key = resolve_type(v, lookup) if v else self.type_key
            if key is None:
                self.add(i, "type", "error", "unknown_type" if v else "no_type",
                         "reg_unknown_type" if v else "reg_no_type", "reg_fix_type", v, fix_kw={"known": names})
            out.append(key)
        return out

    def names(self) -> list[str]:
        # a facility needs a name: without one it was imported as "row-10", which reads as data (QA 19); a file
        # without a name column never gets here (_check_columns refuses it)
        out = self.cell("name")
        for i, v in enumerate(out):
            if not v:
                self.add(i, "name", "error", "no_name", "reg_no_name", "reg_fix_name")
            elif len(v) > MAX_NAME:  # a whole paragraph pasted into the name cell: refused, not cut
                self.add(i, "name", "error", "name_too_long", "reg_name_too_long", "reg_fix_name_too_long",
                         v[:30] + "…", n=len(v), fix_kw={"max": MAX_NAME})
            elif (at := textrules.first_refused(v, multiline=False)) is not None:
                # as a map edit refuses it: a name that reads backwards (U+202E) or hides a break
                self.add(i, "name", "error", "name_control", "reg_name_control", "reg_fix_name_control",
                         textrules.escaped(v), at=at + 1, char=f"U+{ord(v[at]):04X}",
                         what={"en": textrules.char_kind(v[at])[0], "zh": textrules.char_kind(v[at])[1]})
        return out

    def texts(self) -> dict[str, list[str]]:
        """Address, operator, phone and remark as the map editor stores them; a character an edit
        would refuse is dropped, with a warning naming it (the row stays: its place and name are good)."""
        out = {}
        for fld in TEXT_FIELDS:
            if fld not in self.cmap:
                continue
            values = self.cell(fld)
            multiline = fld == "remark"
            for i, v in enumerate(values):
                if (at := textrules.first_refused(v, multiline=multiline)) is not None:
                    self.add(i, fld, "warning", "text_control", "reg_text_control", "", textrules.escaped(v, multiline=multiline),
                             column=self.cmap[fld], at=at + 1, char=f"U+{ord(v[at]):04X}",
                             what={"en": textrules.char_kind(v[at])[0], "zh": textrules.char_kind(v[at])[1]})
                    values[i] = textrules.without_refused(v, multiline=multiline)
            out[fld] = values
        return out

    def years(self) -> dict[str, np.ndarray]:
        """建成年份 / 改造年份 as years (NaN where blank): a date or 2025年 gives its year; a value that is no
        year, or an implausible one, is left empty with a warning naming the row and the value (QA 20: 2025年
        and Excel dates became NaN without a word, and the year's new-sites target counted none of them)."""
        import datetime

        out = {}
        for fld in ("built_year", "upgraded_year"):
            if fld not in self.cmap:
                continue
            values = np.full(self.n, np.nan)
            for i, cell in enumerate(self.cell(fld)):
                year, problem, day = read_year(cell)
                values[i] = year
                if problem:
                    self.add(i, fld, "warning", f"year_{problem}", f"reg_year_{problem}", "reg_fix_year", cell,
                             column=self.cmap[fld], day=day, min=MIN_YEAR, max=datetime.date.today().year,
                             fix_kw={"min": MIN_YEAR, "max": datetime.date.today().year})
            out[fld] = values
        return out

    def synthetic_flags(self) -> np.ndarray:
        """Rows marked sample data (示意) in the file's 示意 column; a field that says 示意 without the
        mark is a warning, as the row is taken as the planner's own data."""
        flags = np.zeros(self.n, bool)
        if "synthetic" in self.cmap:
            for i, v in enumerate(self.cell("synthetic")):
                word = str(v or "").strip().lower()
                if word in _YES:
                    flags[i] = True
                elif word not in _NO:
                    self.add(i, "synthetic", "warning", "synthetic_unclear", "reg_synthetic_unclear",
                             "reg_fix_synthetic_unclear", v, column=self.cmap["synthetic"])
        cells = {f: self.cell(f) for f in ("name", *TEXT_FIELDS) if f in self.cmap}
        for i in np.flatnonzero(~flags):
            said = [f for f, values in cells.items() if "示意" in values[i]]
            if said:
                self.add(i, said[0], "warning", "synthetic_text", "reg_synthetic_text", "reg_fix_synthetic_text",
                         cells[said[0]][i], column=self.cmap[said[0]])
        return flags

    def coordinates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lon, lat = np.full(self.n, np.nan), np.full(self.n, np.nan)
        if self.table.geometry is not None:
            for i, g in enumerate(self.table.geometry):
                if g is None or g.is_empty:
                    continue
                if g.geom_type == "MultiPoint" and len(g.geoms) == 1:
                    g = g.geoms[0]
                elif g.geom_type != "Point":
                    g = self.inside_point(i, g)
                    if g is None:
                        continue
                lon[i], lat[i] = g.x, g.y
                bad = next(((w, v) for w, v in (({"zh": "要素的经度", "en": "The feature's longitude"}, lon[i]),
                                                ({"zh": "要素的纬度", "en": "The feature's latitude"}, lat[i]))
                            if not np.isfinite(v)), None)
                if bad is not None:
                    # [NaN, 32.5]: said as a table's "nan" is, not "no coordinates and no place names" (QA 25);
                    # the number as JSON writes it
                    v = bad[1]
                    self.add(i, None, "error", "non_numeric", "reg_non_numeric", "reg_fix_decimal",
                             "NaN" if np.isnan(v) else "Infinity" if v > 0 else "-Infinity", column=bad[0])
                    lon[i] = lat[i] = np.nan
            # a layer's CRS was applied when it was read; a feature still beyond degree range is refused
            has = self.refuse_projected(lon, lat, np.isfinite(lon) & np.isfinite(lat), None)
            # a point typed in as [lat, lon] (GeoJSON by hand, a KML from a phone app) as a table's swapped columns
            return lon, lat, self.unswap(lon, lat, has, None, "reg_fix_swapped_layer")
        if "lonlat" in self.cmap and not {"lon", "lat"} <= set(self.cmap):
            # a pair split at its comma (or semicolon); only where it has none, at its spaces (110.78 32.63):
            # "110 50 6.1, 32 29 29.4" is two coordinates in degrees, minutes and seconds, not six numbers
            raw = [_pair(v) if v else [] for v in self.cell("lonlat")]
            pairs = []
            for i, (p, v) in enumerate(zip(raw, self.cell("lonlat"))):
                if v and len(p) == 1 and np.isfinite(parse_coordinate(p[0])):
                    # one number where a pair belongs: it was read as both longitude and latitude (QA 20)
                    self.add(i, "lonlat", "error", "lonlat_single", "reg_lonlat_single", "reg_fix_lonlat_single",
                             v, column=self.cmap["lonlat"])
                    pairs.append(("", ""))
                    continue
                pairs.append((p[0], p[1]) if len(p) == 2 else (v, v) if v else ("", ""))
            cols = ("lonlat", "lonlat")
        elif {"lon", "lat"} <= set(self.cmap):
            pairs = list(zip(self.cell("lon"), self.cell("lat")))
            cols = ("lon", "lat")
        else:
            return lon, lat, np.zeros(self.n, bool)
        for i, (x, y) in enumerate(pairs):
            if not x and not y:
                continue
            lon[i], lat[i] = parse_coordinate(x), parse_coordinate(y)
            for fld, raw_v, v in ((cols[0], x, lon[i]), (cols[1], y, lat[i])):
                if not np.isfinite(v):
                    # several numbers that are no degrees, minutes and seconds: said as such, not "not a number"
                    spaced = _TEXTS["spaced_numbers"] if raw_v and spaced_numbers(raw_v) else None
                    self.add(i, fld, "error", "non_numeric" if raw_v else "missing_coordinate",
                             "reg_non_numeric" if raw_v else "reg_missing_coord", "reg_fix_decimal", raw_v,
                             column=self.cmap[fld], text=spaced)
                    break
        has = np.isfinite(lon) & np.isfinite(lat) & ~self.refused
        if self.crs:  # projected (or other) coordinates in a table, CRS chosen by the planner
            x, y = lon[has], lat[has]
            if CRS(self.crs).is_projected and x.size and np.all((np.abs(x) <= 180) & (np.abs(y) <= 90)):
                # degrees read as metres land near (0°, 0°): every row refused "N km outside", with a
                # GCJ-02 hint that pointed the wrong way (QA 14)
                raise InputDataError(
                    f"The coordinates look like longitude/latitude in degrees (e.g. {plain_number(x[0])}, "
                    f"{plain_number(y[0])}), but the projected coordinate system {self.crs} (in metres) was chosen.",
                    f"坐标看起来是以度为单位的经纬度（如 {plain_number(x[0])}, {plain_number(y[0])}），"
                    f"但所选的投影坐标系 {self.crs} 以米为单位。",
                    hint_en="Leave the Projected CRS field on the Data page empty for longitude/latitude (on the "
                            "command line, leave out --crs).",
                    hint_zh="经纬度请将“投影坐标系”留空（“数据管理”页面；命令行则不用 --crs）。", details={"crs": str(self.crs)})
            tr = Transformer.from_crs(self.crs, settings.STORAGE_CRS, always_xy=True)
            lon[has], lat[has] = tr.transform(lon[has], lat[has])
        has = self.refuse_projected(lon, lat, has, cols[0])
        return lon, lat, self.unswap(lon, lat, has, cols[0], "reg_fix_swapped")

    def inside_point(self, i: int, geom):
        """The point row ``i``'s feature that is no point (a polygon, a line, several points) is placed at: one
        inside it (a polygon crossing itself is repaired first, as a township's is), with the warning that
        says so; None, with the row refused, when a vertex is NaN or Infinity or a polygon has no area (QA 26:
        both were placed at their first vertex, a NaN one with a GEOS warning)."""
        kind = geom.geom_type
        bad = first_not_finite(geom)
        if bad is not None:
            k, x, y = bad
            self.add(i, None, "error", "non_numeric", "", "", f"{plain_number(x)}, {plain_number(y)}",
                     text=_TEXTS["not_finite_vertex"], fix_text=_TEXTS["fix_not_finite_vertex"], kind=kind,
                     vertex=k)
            return None
        if kind in ("Polygon", "MultiPolygon"):
            # a bow tie's area as GEOS sums it is 0 (its halves cancel): measured once repaired
            shape = geom if geom.is_valid else shapely.make_valid(geom)
            if shape.area < MIN_FEATURE_AREA:
                self.add(i, None, "error", "no_area", "", "", text=_TEXTS["no_area"],
                         fix_text=_TEXTS["fix_no_area"], kind=kind)
                return None
            geom = shape
        self.add(i, None, "warning", "not_point", "reg_not_point", kind=kind)
        return geom.representative_point()

    def unswap(self, lon, lat, has, fld, fix: str) -> np.ndarray:
        """Swap back (in place, with a warning) the points of ``has`` whose lon/lat look swapped; ``has``."""
        # latitude in China is 3-54, longitude 73-136: the other way round is a swap; so is a latitude
        # beyond ±90 whose longitude would be a latitude (both beyond it: swapping cannot help)
        swapped = has & (((np.abs(lat) > 90) & (np.abs(lon) <= 90))
                         | ((lat >= 73) & (lat <= 136) & (lon >= 3) & (lon <= 54)))
        if fix == "reg_fix_swapped" and swapped.sum() < has.sum():
            fix = "reg_fix_swapped_row"  # swapping the columns would break the rows that are right
        for i in np.flatnonzero(swapped):
            self.add(i, fld, "warning", "swapped", "reg_swapped", fix,
                     f"{plain_number(lon[i])}, {plain_number(lat[i])}", fixed=True, unfixed="reg_swapped_kept",
                     lon=plain_number(lon[i]),
                     lat=plain_number(lat[i]))
            lon[i], lat[i] = lat[i], lon[i]
        return has

    def refuse_projected(self, lon, lat, has, fld) -> np.ndarray:
        """Refuse the rows of ``has`` beyond degree range (metres: a projected CRS not given); the rest."""
        for i in np.flatnonzero(has & ((np.abs(lon) > 180) | (np.abs(lat) > 180))):
            x, y = plain_number(lon[i]), plain_number(lat[i])  # 12333300, not 1.23333e+07; 1e+300, not 301 digits
            self.add(i, fld, "error", "projected", "reg_projected", "reg_fix_projected", f"{x}, {y}", lon=x, lat=y)
        return has & ~self.refused

    def row_datums(self) -> np.ndarray:
        default = "wgs84" if self.datum_mode == "auto" else self.datum_mode
        out = np.full(self.n, default, dtype=object)
        for i, v in enumerate(self.cell("coords")):
            d = norm_datum(v)
            if d is None:
                self.add(i, "coords", "error", "unknown_datum", "reg_datum_unknown", "reg_fix_datum", v)
            elif d:
                out[i] = d
        return out

    def declared_places(self, has_xy) -> tuple[np.ndarray, list]:
        """Township each row names (by code or by name; "" if none), and the name matches."""
        declared = np.full(self.n, "", dtype=object)
        #: the field whose cell named each row's township: an issue about it shows that cell as written
        self.declared_from = np.full(self.n, "", dtype=object)
        located: list = [None] * self.n
        #: the county a row with coordinates names and nothing finer: checked against its point (townships)
        self.named_county = np.full(self.n, "", dtype=object)
        self.ambiguous: dict[int, tuple] = {}  # rows whose names fit several places: (column, Located, detail)
        #: rows whose township is not in the county they name but in another (:meth:`township_elsewhere`)
        self.elsewhere: dict[int, dict] = {}
        # codes as the digits they stand for: full-width ones (４２０３０２２０１, typed with a Chinese input method)
        # were all "unknown" while the same file's full-width coordinates were read (QA 23); quoted as typed
        tcells, ccells = self.cell("township_code"), self.cell("code")
        tcodes = [textrules.code_text(v) for v in tcells]
        codes = [textrules.code_text(v) for v in ccells]
        county, town, vill, addr = (self.cell(f) for f in ("county", "township", "village", "address"))
        known_towns = set(self.region.townships.index.astype(str))
        #: a code in the township column that places a row without coordinates (a village's, or a township's
        #: where no name says more)
        self.code_place = [""] * self.n
        for i in range(self.n):
            if tcodes[i] and re.match(SCIENTIFIC, tcodes[i]):
                # 4.20302E+08: Excel showed the code as a number and saved it so; its digits are gone (QA 20)
                self.add(i, "township_code", "error", "code_scientific", "reg_code_scientific",
                         "reg_fix_code_scientific", tcells[i], column=self.cmap["township_code"])
            elif tcodes[i]:
                code, place = self.township_of_code(tcodes[i], known_towns)
                if code:
                    declared[i], self.declared_from[i] = code, "township_code"
                    if place and (len(place) == 12 or not (vill[i] or addr[i])):
                        self.code_place[i] = place
                elif tcodes[i].isascii() and tcodes[i].isdigit() and len(tcodes[i]) not in (9, 12):
                    # 42032510: a digit lost or added (QA 22), not an unknown township
                    self.add(i, "township_code", "error", "unknown_township_code", "reg_code_digits", "reg_fix_code",
                             tcells[i], n=len(tcodes[i]))
                else:
                    self.add(i, "township_code", "error", "unknown_township_code", "reg_unknown_code", "reg_fix_code",
                             tcells[i])
            if codes[i] and re.match(SCIENTIFIC, codes[i]):
                self.add(i, "code", "error", "code_scientific", "reg_code_scientific", "reg_fix_code_scientific",
                         ccells[i], column=self.cmap["code"])
            elif codes[i]:
                # the code as it is, never its first 12 or 9 characters (QA 36: 4203020010011 and 420302001001-1 were
                # placed at village 420302001001, and 420302001999 at its township's seat, without a word)
                code, exact = codes[i], bool(re.fullmatch(r"[0-9]{9}|[0-9]{12}", codes[i]))
                unit = self.places.by_code.get(code) if exact else None
                seat = self.places.by_code.get(code[:9]) if exact and unit is None and len(code) == 12 else None
                seat = seat if seat is not None and seat.level == "township" else None
                digits = len(re.findall(r"[0-9]", code))
                if not exact and digits:  # a digit lost or added, a suffix (-1): which place it means cannot be told
                    other = "".join(dict.fromkeys(re.sub(r"[0-9]", "", code)))[:10]
                    self.add(i, "code", "error", "malformed_area_code",
                             "qa36g1_area_code_chars" if other else "qa36g1_area_code_digits", "qa36g1_fix_area_code",
                             ccells[i], column=self.cmap["code"], n=digits, chars=other)
                elif seat is not None:
                    # 12 digits of no village whose first 9 are a township's: that township, at its seat where the row
                    # has no point (planner.locate says so, with its villages to pick from); 420302001000 is the
                    # township's own code
                    if not declared[i]:
                        declared[i], self.declared_from[i] = seat.code, "code"
                    if has_xy[i] and not code.endswith("000"):
                        self.add(i, "code", "warning", "village_code_unknown", "qa36g1_village_code_unknown_xy",
                                 "qa36g1_fix_village_code_xy", ccells[i], path=self.path_in(seat.path))
                elif unit is None or unit.level == "county":
                    self.add(i, "code", "error", "unknown_area_code", "reg_unknown_area_code", "reg_fix_area_code",
                             ccells[i])
                elif not declared[i]:
                    declared[i], self.declared_from[i] = unit.township_code, "code"
            pick = self.picks.get(str(self.rownum[i]))
            if pick and not has_xy[i]:
                if self.pick_outside(i, pick, county[i], town[i], vill[i], addr[i], codes[i] or self.code_place[i],
                                     declared[i]):
                    continue
                located[i] = self.picked(i, pick)
                # (a township its code declared in another county than the pick's is not the pick's: review of QA 35)
                if located[i] is not None and (not declared[i] or declared[i][:6] != located[i].county_code):
                    declared[i] = located[i].township_code
                continue
            # a row without coordinates is placed by its code: the 区划代码 column's, else the township column's
            # (a village's 12 digits there: that village; QA 23, it was refused as an unknown township)
            place_code = (codes[i] or self.code_place[i]) if not has_xy[i] else ""
            if county[i] or town[i] or vill[i] or addr[i] or place_code:
                loc = self.places.locate(county=county[i], township=town[i], village=vill[i], address=addr[i],
                                         code=(codes[i] or place_code) if not self.refused[i] else None)
                located[i] = loc
                if loc.problem == "township_unknown" and county[i] and town[i]:
                    self.township_elsewhere(i, loc, county[i], town[i], vill[i])
                if place_code and county[i] and loc.status == "placed" and not self.refused[i]:
                    # placed by its code, whatever its county cell says: a county that is not the code's is
                    # said, as a row with coordinates says it (townships)
                    named = self.places.county_codes(county[i])
                    if named and loc.county_code not in named:
                        fld = "code" if codes[i] else "township_code"
                        self.add(i, "county", "warning", "county_disagrees", "", "reg_fix_check_county", county[i],
                                 text=_TEXTS["county_disagrees_code"],
                                 number=re.sub(r"\.0$", "", (ccells if codes[i] else tcells)[i]),
                                 source={"zh": "乡镇代码", "en": "township code"} if fld == "township_code" else
                                 {"zh": "区划代码", "en": "area code"}, declared=self.path_in(loc.path),
                                 also={"zh": "", "en": ""})
                if loc.status == "placed" and not declared[i]:
                    declared[i] = loc.township_code
                    self.declared_from[i] = next((f for f, v in (("township", town[i]), ("village", vill[i]),
                                                                 ("address", addr[i]), ("county", county[i]),
                                                                 ("code", codes[i])) if v), "")
                if has_xy[i] and loc.problem == "county_only":
                    # placed by its point, naming only its county: nothing failed to match; the county is
                    # compared with the point's once the datum is applied (townships)
                    self.named_county[i] = loc.county_code or ""
                elif has_xy[i] and (county[i] or town[i] or vill[i]) and (loc.status != "placed" or loc.problem) \
                        and not self.refused[i] and loc.problem != "village_code_unknown":  # (said above, by its code)
                    # (a row refused, for its township code, is not "taken from the coordinates": QA 21)
                    detail = {lang: t(_PROBLEM_KEY[loc.problem], lang, value=loc.value, region=self.region_name[lang])
                              for lang in ("zh", "en")}
                    if i in self.elsewhere:  # the township is another county's: said, as for a row without a point
                        where = self.elsewhere[i]
                        detail = {lang: _TEXTS["township_elsewhere"][lang].format(value=loc.value, **{
                            k: v[lang] for k, v in where.items()}) for lang in ("zh", "en")}
                    # no candidates to pick: the row is placed by its point, and a pick for it is refused
                    # (web.data), so a button would only lead to an error
                    # the column of the name that did not match (a village's is the village column)
                    fld = self.ambiguous_field(i, loc) or {"county_unknown": "county", "village_unknown": "village",
                                                           "village_ambiguous": "village"}.get(loc.problem, "township")
                    if loc.problem in ("ambiguous", "village_ambiguous") and loc.candidates:
                        # "城关镇" names several townships: the point may settle which (townships(), once
                        # the datum is applied); said only when it lies in none of them (QA 18)
                        self.ambiguous[i] = (fld, loc, detail)
                        continue
                    self.add(i, fld, "warning", "names_unmatched", "reg_names_unmatched",
                             "reg_fix_check_place", loc.value, detail=detail)
        return declared, located

    def township_elsewhere(self, i: int, loc, county: str, town: str, village: str) -> None:
        """A township not found in the county the row names but named so in another county (竹溪县 / 宝丰镇, and
        宝丰镇 is 竹山县's): its place is offered first among ``loc``'s candidates (the village of that name in it,
        where the row names one), and :attr:`elsewhere` keeps the words that say the county may be wrong. The
        row is not placed there: its county says otherwise (QA 27: only 竹溪县's 天宝乡 and 丰溪镇 were offered)."""
        named = self.places.county_codes(county)
        if not named:
            return
        others = [u for u in self.places.towns if u.county_code not in named]
        folded = fold(town)
        towns = [u for u in others if fold(u.name) == folded]
        if not towns:  # 宝丰 for 宝丰镇: the longest spelling shared, as planner.locate matches a township
            keys = name_keys(town, "township")
            shared = [(max(len(k) for k in u.keys & keys), u) for u in others if u.keys & keys]
            top = max((n for n, _ in shared), default=0)
            towns = [u for n, u in shared if n == top]
        if not towns:
            return
        found: list[dict] = []
        for u in towns:
            cname = self.places.by_code[u.county_code].name
            sub = self.places.locate(county=cname, township=u.name, village=village) if village else None
            if sub is not None and sub.status == "placed" and sub.level == "village" and not sub.problem:
                found.append({"code": sub.code, "path": sub.path})
            elif sub is not None and sub.status == "ambiguous" and sub.candidates:
                found += sub.candidates
            else:
                found.append({"code": u.code, "path": u.path})
        codes = {c["code"] for c in found}
        loc.candidates = found + [c for c in loc.candidates if c.get("code") not in codes]
        county_zh = [self.places.by_code[c].name for c in sorted(named)]
        where = list(dict.fromkeys(self.places.by_code[u.county_code].name for u in towns))
        town_names = "、".join(dict.fromkeys(u.name for u in towns))
        self.elsewhere[i] = {
            "town": {"zh": town_names, "en": town_names.replace("、", ", ")},
            "county": {"zh": "、".join(county_zh), "en": ", ".join(self.county_en.get(c, c) for c in county_zh)},
            "where": {"zh": "、".join(where), "en": " and ".join(self.county_en.get(c, c) for c in where)},
            "path": {"zh": "、".join(c["path"] for c in found[:3]),
                     "en": ", ".join(self.path_in(c["path"])["en"] for c in found[:3])}}

    def ambiguous_field(self, i: int, loc) -> str | None:
        """The field of the name that fits several places (None for another problem): the township's when the
        candidates are townships, the village's when villages, the address where that cell named them. An
        ambiguous 城关镇 in a row with an empty 村 cell was said in the 村 column (QA 25)."""
        if loc.problem not in ("ambiguous", "village_ambiguous"):
            return None
        if not hasattr(self, "_name_cells"):
            self._name_cells = {f: self.cell(f) for f in ("township", "village", "address")}
        # planner.locate gives a township 9 digits, a village 12; village_ambiguous: an address naming villages
        village = loc.problem == "village_ambiguous" or any(len(str(c.get("code", ""))) == 12 for c in loc.candidates)
        fld = "village" if village else "township"
        if not self._name_cells[fld][i] and self._name_cells["address"][i]:
            return "address"
        return fld

    def township_of_code(self, code: str, known_towns: set) -> tuple[str, str]:
        """(township, place) a township-column code names, ("", "") when none: a township's 9 digits; a
        village's 12 (the message for a code of another length asks for 9 or 12), its township and the
        village; 12 digits of no village (a village since renamed, or 000) whose first 9 are a township's,
        that township."""
        if not (code.isascii() and code.isdigit()):
            return "", ""
        if len(code) == 9 and code in known_towns:
            return code, code
        if len(code) == 12:
            unit = self.places.by_code.get(code)
            if unit is not None and unit.level == "village" and unit.township_code in known_towns:
                return unit.township_code, code
            if code[:9] in known_towns:
                return code[:9], code[:9]
        return "", ""

    def pick_outside(self, i: int, code: str, county: str, town: str, village: str, address: str, place_code: str,
                     declared: str) -> bool:
        """Refuse (an error naming the row, the pick's place and the row's own) a pick of row ``i`` outside the county
        its 县区 cell names (or its named township's county), or outside the township it names (by code or name),
        unless the pick is one of the places the row's report offers (宝丰镇 of 竹山县 for a row naming 竹溪县 and
        宝丰镇: :meth:`township_elsewhere`). QA 34: a pick of a 茅箭区 community for a 房县 row was taken without a word,
        and the confirm removed a 茅箭区 facility. True where refused."""
        unit = self.places.by_code.get(code)
        if unit is None or unit.level == "county":
            return False  # :meth:`picked` says the code is unknown
        towns: set = {declared} if declared else set()
        if town and not towns:
            loc = self.places.locate(county=county or None, township=town)
            if loc.status == "placed" and loc.township_code:
                towns = {str(loc.township_code)}
            elif loc.status == "ambiguous":
                towns = {str(c["code"])[:9] for c in loc.candidates}
        counties = self.places.county_codes(county) if county else set()
        # a township the row's code put in another county than its county cell names (said as county_disagrees)
        # does not bind the pick: the county cell does, else no place would be a pick the check takes
        towns = {t for t in towns if not counties or t[:6] in counties}
        counties = counties or {t[:6] for t in towns}
        outside_county = bool(counties) and unit.county_code not in counties
        outside_town = bool(towns) and unit.township_code not in towns
        if not (outside_county or outside_town):
            return False
        # a place the report offers this row is its to pick
        offered = self.places.locate(county=county, township=town, village=village, address=address,
                                     code=place_code or None)
        if offered.problem == "township_unknown" and county and town:
            kept = self.elsewhere.pop(i, None)
            self.township_elsewhere(i, offered, county, town, village)  # its candidates only: its words are not said
            self.elsewhere.pop(i, None)
            if kept is not None:
                self.elsewhere[i] = kept
        if {unit.code, unit.township_code} & {str(c.get("code", "")) for c in offered.candidates}:
            return False
        by_code = self.places.by_code
        if outside_town:
            named = [by_code[t].path for t in sorted(towns) if t in by_code]
        else:
            named = [by_code[c].path for c in sorted(counties) if c in by_code]
        declared_in = {"zh": "、".join(named), "en": ", ".join(self.path_in(p)["en"] for p in named)}
        # the row's candidates again, to pick from without editing the file (QA 35: the refusal offered none, and its
        # fix said "pick one of the row's candidate places"): those the report offers it (each one a pick this check
        # takes), else the places inside the township or county it names
        offer = list(offered.candidates) or self.places_inside(offered, counties, towns)
        self.add(i, "village", "error", "pick_outside", "qa34f18_pick_outside", "qa34f18_fix_pick_outside", code,
                 offer, row=self.rownum[i], found=self.path_in(unit.path), declared=declared_in,
                 what={"zh": "乡镇" if outside_town else "县区", "en": "township" if outside_town else "county"})
        return True

    def places_inside(self, located, counties: set, towns: set) -> list[dict]:
        """Places a row whose pick was refused may be picked at, for a row the report offers none (its names placed it,
        or named nothing finer than its township): the place its names found (``located``), then the townships
        ``towns`` (else the one it was placed in) and their villages, else the townships of the ``counties``."""
        by_code = self.places.by_code
        found = by_code.get(str(located.code or "")) if located.status == "placed" else None
        # a place outside the declared counties (a row's code names another county's village) is refused too: neither
        # it nor its township may be offered, or every pick offered is refused again (review of QA 35)
        if found is not None and counties and found.county_code not in counties:
            found = None
        towns = {t for t in towns if not counties or t[:6] in counties}
        towns = towns or ({str(found.township_code)} if found is not None and found.township_code else set())
        units = [found] if found is not None else []
        if towns:
            units += [by_code[t] for t in sorted(towns) if t in by_code]
            units += [v for v in self.places.villages if v.township_code in towns]
        elif counties:
            units += [u for u in self.places.towns if u.county_code in counties]
        seen: set = set()
        return [{"code": u.code, "path": u.path} for u in units if not (u.code in seen or seen.add(u.code))]

    def picked(self, i: int, code: str):
        """The place the planner picked for row ``i`` (from the report's candidates), or None (an error)."""
        unit = self.places.by_code.get(code)
        if unit is None or unit.level == "county":
            self.add(i, "village", "error", "pick_unknown", "reg_pick_unknown", "reg_fix_pick", code)
            return None
        # the place in the report's language: the English report said the Chinese path (QA 34)
        self.add(i, "village", "warning", "picked", "qa34f11_picked", "", unit.path, path=self.path_in(unit.path))
        return Located("placed", level=unit.level, code=unit.code, township_code=unit.township_code,
                       county_code=unit.county_code, lon=unit.lon, lat=unit.lat, path=unit.path)

    def evidence(self, lon, lat, has_xy, row_datum, declared, types, names) -> tuple[dict, dict | None]:
        default = "wgs84" if self.datum_mode == "auto" else self.datum_mode
        sample = has_xy & ~self.refused & (row_datum == default)
        if not sample.any():
            return {}, None
        evidence, suggestion = datum_evidence(self.shapes, lon[sample], lat[sample], declared[sample], default)
        if not suggestion:
            # a datum's 0.5 km rarely takes a point out of its township: the rows naming current facilities tell it,
            # by their ids, else (rows without an id) by their names
            told = (self.datum_by_ids(lon, lat, sample, default)
                    or self.datum_by_names(lon, lat, sample, default, declared, types, names))
            if told:
                return evidence, told
        if suggestion:
            b, a = suggestion["before"], suggestion["after"]
            label = {lang: t("data_coords_" + suggestion["datum"], lang) for lang in ("zh", "en")}
            kw = {"datum": label, "n": b["points"],
                  "tb": f"{b['inside_named_township']}/{b['named_township']}",
                  "ta": f"{a['inside_named_township']}/{a['named_township']}",
                  "rb": f"{b['inside_region']}/{b['points']}", "ra": f"{a['inside_region']}/{a['points']}"}
            self.add(None, "lon", "warning", "datum_suggestion", "reg_datum_suggest", "reg_fix_datum_suggest",
                     suggestion["datum"], fix_kw={"datum": label, "code": suggestion["datum"]}, region=self.region_name, **kw)
        return evidence, suggestion

    def datum_by_ids(self, lon, lat, sample, default: str) -> dict | None:
        """A datum told by the register's own ids: a bureau's register exported again through Amap or Baidu
        keeps its facilities' ids, and each point then lies the datum's offset (0.5 km, 1.2 km) from where
        the current data has it; the same offset rarely takes a point out of its township, so the township
        test above cannot tell (QA 22: a whole BD-09 file was read as WGS84 without a word). Suggested by
        geo.coords.datum_by_reference, the rows matched by id against their facilities' current points: at least
        MIN_MATCHES of them, read as ``default`` lying a median of more than OFFSET_M from their current places,
        converted from another datum four in five within a fifth of that and the median within CLOSE_M."""
        if "id" not in self.cmap or "id" not in self.region.facilities:
            return None
        fac = self.region.facilities.drop_duplicates("id").set_index("id")
        ids = np.array(self.cell("id"), dtype=object)
        rows = np.flatnonzero(sample & np.isin(ids, fac.index.to_numpy(dtype=object)))
        if not len(rows):
            return None
        here = fac.loc[ids[rows]].geometry
        found = datum_by_reference(lon[rows], lat[rows], here.x.to_numpy(), here.y.to_numpy(), default)
        # a file made from the current register through the web map lies within centimetres of it once
        # converted: "about 0 m" read as a number gone wrong (QA 23), said "under 1 m"
        return self.datum_told(found, "by_ids", "reg_datum_suggest_ids", text_close=_TEXTS["datum_suggest_ids_close"])

    def datum_by_names(self, lon, lat, sample, default: str, declared, types, names) -> dict | None:
        """A datum told by the rows without an id that name current facilities (QA 34: a register copied from Amap
        without its id column was read as WGS84 without a word when the township test could not tell). The rows are
        matched as :meth:`row_ids` gives them their facility's id (same type, county and folded name, sample data or
        not; the nearest first: :meth:`pair_namesakes`), the county being the row's named township's or its point's
        as read; then geo.coords.datum_by_reference against those facilities' current points, as by ids."""
        fac = getattr(self.region, "facilities", None)
        if fac is None or not len(fac) or "name" not in self.cmap:
            return None
        given = self.cell("id")
        todo = [i for i in np.flatnonzero(sample) if not given[i] and names[i] and types[i]]
        if not todo:
            return None
        current = self.current_ids()
        if not len(current):
            return None
        found_town = self.shapes.township_of(lon[todo], lat[todo])
        town = {i: str(declared[i] or found_town[k] or "") for k, i in enumerate(todo)}
        syn = [str(v or "").strip().lower() in _YES for v in self.cell("synthetic")] if "synthetic" in self.cmap \
            else [False] * self.n
        key = {i: (types[i], town[i][:6], fold(names[i]), bool(syn[i])) for i in todo}
        free = current[~current["id"].isin(set(given))]
        x, y = lonlat_to_metric(lon, lat)
        matched = self.pair_namesakes(key, free, x, y, lon, lat)
        rows = np.array(sorted(matched), dtype=int)
        if not len(rows):
            return None
        pts = fac.drop_duplicates("id").set_index("id").geometry.loc[[matched[i] for i in rows]]
        hx = np.array([g.x if g is not None and not g.is_empty and g.geom_type == "Point" else np.nan for g in pts])
        hy = np.array([g.y if g is not None and not g.is_empty and g.geom_type == "Point" else np.nan for g in pts])
        found = datum_by_reference(lon[rows], lat[rows], hx, hy, default)
        return self.datum_told(found, "by_names", "qa34f10_datum_suggest_names",
                               key_close="qa34f10_datum_suggest_names_close")

    def datum_told(self, found: dict | None, by: str, key: str, text_close=None, key_close: str = "") -> dict | None:
        """The warning of a datum told by matched facilities (geo.coords.datum_by_reference's ``found``), worded by
        ``key`` (by ``text_close`` or ``key_close`` when the points converted lie under 1 m from the current ones),
        and the suggestion: {"datum", "against", ``by``: how many matched, "median_m_before", "median_m_after"}."""
        if found is None:
            return None
        datum, default = found["datum"], found["against"]
        label = {lang: t("data_coords_" + datum, lang) for lang in ("zh", "en")}
        kw = {"datum": label, "n": found["n"], "d0": f"{found['median_m_before']:,.0f}",
              "d1": f"{found['median_m_after']:,.0f}", "applied": {"wgs84": "WGS84", "gcj02": "GCJ-02", "bd09": "BD-09"}[default]}
        close = found["median_m_after"] < 1.0
        self.add(None, "lon", "warning", "datum_suggestion", key_close if close and key_close else key,
                 "reg_fix_datum_suggest", datum, fix_kw={"datum": label, "code": datum},
                 text=text_close if close else None, **kw)
        return {"datum": datum, "against": default, by: found["n"], "median_m_before": found["median_m_before"],
                "median_m_after": found["median_m_after"]}

    def place_by_name(self, lon, lat, has_xy, located) -> tuple[list, list]:
        method = ["coordinates" if h else "located_by_name" for h in has_xy]
        match = [""] * self.n
        place_cols = [f for f in ("village", "township", "county", "address", "code") if f in self.cmap]
        for i in np.flatnonzero(~has_xy & ~self.refused):
            loc = located[i]
            if loc is None:
                self.add(i, place_cols[0] if place_cols else None, "error", "no_location", "reg_no_location",
                         "reg_fix_location")
                continue
            fld = self.ambiguous_field(i, loc) or \
                {"county_unknown": "county", "township_unknown": "township"}.get(loc.problem, "village")
            fld = fld if fld in self.cmap else (place_cols[0] if place_cols else None)
            # "pick one of the candidates" only where there are some to pick from
            pick = "reg_fix_pick" if loc.candidates else "reg_fix_check_name"
            if loc.status == "placed":
                lon[i], lat[i], match[i] = loc.lon, loc.lat, loc.path
                if loc.problem == "village_code_unknown":
                    # a village code of no village, its first 9 digits a township's: said at the cell that holds it
                    # (the 区划代码 column's, or a 村 / 乡镇 cell where a code was typed), its villages to pick from
                    if not hasattr(self, "_placing_cells"):
                        self._placing_cells = {f: self.cell(f) for f in ("code", "village", "township")}
                    at = next((f for f, v in self._placing_cells.items()
                               if f in self.cmap and textrules.code_text(v[i]) == loc.value), fld)
                    self.add(i, at, "warning", loc.problem, "qa36g1_at_seat_code", "qa36g1_fix_village_code",
                             self._placing_cells[at][i] if at in self._placing_cells else loc.value, loc.candidates,
                             path=self.path_in(loc.path))
                elif loc.problem:
                    self.add(i, fld, "warning", loc.problem,
                             "reg_at_seat" if loc.problem == "village_unknown" else "reg_at_seat_ambiguous",
                             pick, loc.value, loc.candidates, path=self.path_in(loc.path))
                elif str(self.rownum[i]) not in self.picks:  # a pick says its place itself (:meth:`picked`)
                    self.name_match(i, loc)
                continue
            fix = {"ambiguous": "reg_fix_ambiguous", "county_only": "reg_fix_county_only"}.get(loc.problem, pick)
            where = self.elsewhere.get(i)
            self.add(i, fld, "error", loc.problem, _PROBLEM_KEY[loc.problem], fix, loc.value, loc.candidates,
                     region=self.region_name, text=_TEXTS["township_elsewhere"] if where else None,
                     fix_text=_TEXTS["fix_township_elsewhere"] if where else None, fix_kw=where, **(where or {}))
        return method, match

    def name_match(self, i: int, loc) -> None:
        """Say how row ``i`` (no coordinates, placed by its names without a problem: ``loc``) was placed. A name cell
        that is none of the matched place's spellings (planner.locate.name_keys: its name, or the name without its
        镇 / 村委会 ...) was matched loosely (军店真 holds 军店: 房县·军店镇; 军店乡 shares 军店 with 军店镇; an address
        holds the name): a warning naming each such cell and the place it was matched to. A row placed by its
        exact names or by its code is listed in a note (:meth:`by_name_note`). QA 34: 所在乡镇 军店真 was placed at
        房县·军店镇 with no line in the report, and the confirm moved the facility the row stands for 315 m."""
        by_code = self.places.by_code
        unit = by_code.get(str(loc.code or ""))
        if unit is None:
            return
        if not hasattr(self, "_match_cells"):
            self._match_cells = {f: self.cell(f) for f in ("county", "township", "village", "address", "code")}
        cells = {f: v[i] for f, v in self._match_cells.items()}
        # a code (the 区划代码 column's, the township column's, or typed where a name goes) placed it: exact
        codes = [textrules.code_text(cells["code"]), self.code_place[i] if hasattr(self, "code_place") else "",
                 *(textrules.code_text(cells[f]) for f in ("township", "village"))]
        if any(c and (c[:12] == unit.code or c[:9] == unit.code) for c in codes):
            self.by_name_rows.append((i, loc.path, loc.level, "code"))
            return
        town = by_code.get(str(loc.township_code or ""))
        county = by_code.get(str(loc.county_code or ""))
        loose = []  # (field, cell, the unit it was matched to)

        def spelled(cell: str, u) -> bool:
            return fold(cell) in u.keys

        if cells["village"] and loc.level == "village" and not spelled(cells["village"], unit):
            loose.append(("village", cells["village"], unit))
        if cells["township"] and town is not None and not spelled(cells["township"], town):
            loose.append(("township", cells["township"], town))
        if cells["county"] and county is not None and not spelled(cells["county"], county):
            english = self.county_en.get(county.name, "")
            if fold(cells["county"]).lower() != fold(english).lower() and textrules.code_text(cells["county"]) != county.code:
                loose.append(("county", cells["county"], county))
        # the address named the place the other cells did not (a township or a village found in its text)
        if cells["address"] and ((loc.level == "village" and not cells["village"])
                                 or (town is not None and not cells["township"] and not cells["village"])):
            loose.append(("address", cells["address"], unit if loc.level == "village" and not cells["village"] else town))
        if not loose:
            self.by_name_rows.append((i, loc.path, loc.level, "name"))
            return
        what = {"county": ("县区", "county"), "township": ("乡镇（街道）", "township"),
                "village": ("村（社区）", "village or community")}

        def said(lang: str) -> str:
            parts = []
            for f, cell, u in loose:
                column = self.cmap.get(f, f)
                shown = cell if len(cell) <= 30 else cell[:30] + "…"
                parts.append(t("qa34f11_matched_cell", lang, column=column, value=shown, name=u.name,
                               what=what[u.level][0 if lang == "zh" else 1]))
            return ("；" if lang == "zh" else "; ").join(parts)

        at = {lang: t("qa34f11_at_" + ("village" if loc.level == "village" else "seat"), lang) for lang in ("zh", "en")}
        self.add(i, loose[0][0], "warning", "name_matched_loosely", "qa34f11_name_loose", "qa34f11_fix_name_loose",
                 loose[0][1], cells={"zh": said("zh"), "en": said("en")}, path=self.path_in(loc.path), at=at)

    def by_name_note(self) -> list[tuple[str, str]]:
        """The rows without coordinates placed by their exact place names or by their code (:meth:`name_match`),
        in a note beside the counts: which row was placed where (a seat or a village point), so that none is placed
        without a line (a loose match has its own warning)."""
        rows = [(self.rownum[i], path, level, how) for i, path, level, how in self.by_name_rows if not self.refused[i]]
        if not rows:
            return []
        n = len(rows)
        shown = rows[:10]

        def listing(lang: str) -> str:
            sep = "；" if lang == "zh" else "; "
            out = sep.join(t("qa34f11_by_name_row", lang, row=r, path=self.path_in(p)[lang],
                             at=t("qa34f11_at_" + ("village" if lvl == "village" else "seat"), lang),
                             how=t("qa34f11_by_code", lang) if how == "code" else "")
                           for r, p, lvl, how in shown)
            return out + (t("qa34f11_more_rows", lang, n=f"{n - len(shown):,}") if n > len(shown) else "")

        return [(t("qa34f11_by_name_note", "zh", n=f"{n:,}", rows=listing("zh")) + "。",
                 t("qa34f11_by_name_note", "en", n=f"{n:,}", rows=listing("en"), row="row" if n == 1 else "rows",
                   was="was" if n == 1 else "were") + ".")]

    def name_moves(self, ids, method, match, lon, lat) -> None:
        """Warn of a row placed by its names (no coordinates) that stands for a current facility with a point
        elsewhere: confirming moves that facility to the seat or village point the names give, said with the
        distance (QA 34: a misspelt township moved the facility 315 m without a word)."""
        rows = [i for i in range(self.n) if method[i] == "located_by_name" and not self.refused[i]]
        if not rows:
            return
        current = self.current_ids()
        if not len(current):
            return
        at = {fid: k for k, fid in enumerate(current["id"])}
        fac = self.region.facilities.drop_duplicates("id")  # the rows of current_ids, in its order
        names = [str(v) for v in fac["name"]] if "name" in fac else [""] * len(fac)
        x, y = lonlat_to_metric(np.asarray(lon, float), np.asarray(lat, float))
        for i in rows:
            k = at.get(str(ids[i]))
            if k is None:
                continue
            metres = float(np.hypot(x[i] - current["x"].iat[k], y[i] - current["y"].iat[k]))
            if not np.isfinite(metres) or metres < 1.0:
                continue
            path = self.path_in(str(match[i]))
            self.add(i, None, "warning", "name_moves_facility", "qa34f11_name_moves", "qa34f11_fix_name_moves",
                     names[k], name=names[k], d=distance_words(metres), path=path)

    def region_test(self, lon, lat, check) -> None:
        """Refuse the points of ``check`` outside the region (a row refused for its code is tested too)."""
        inside = self.shapes.inside(lon, lat)
        # a minus sign before a longitude (or latitude) that would lie in the region without it: said as such,
        # not "choose gcj02" (QA 20)
        flip_lon = self.shapes.inside(-lon, lat) & (lon < 0)
        flip_lat = self.shapes.inside(lon, -lat) & (lat < 0)
        for i in np.flatnonzero(check & ~inside):
            if flip_lon[i] or flip_lat[i]:
                which = {"zh": "经度", "en": "longitude"} if flip_lon[i] else {"zh": "纬度", "en": "latitude"}
                self.add(i, "lon" if flip_lon[i] else "lat", "error", "negative_coordinate", "reg_negative_coord",
                         "reg_fix_negative_coord", f"{plain_number(lon[i])}, {plain_number(lat[i])}",
                         which=which, region=self.region_name, fix_kw={"which": which})
                continue
            km = self.shapes.km_outside(lon[i], lat[i])
            if km is None:  # a latitude beyond ±90 has no distance: said in words, never "inf km"
                self.add(i, "lon", "error", "outside_region", "reg_outside_no_km", "reg_fix_outside_no_km",
                         f"{lon[i]:g}, {lat[i]:g}", lon=plain_number(lon[i]), lat=plain_number(lat[i]),
                         region=self.region_name)
                continue
            # GCJ-02 and BD-09 lie under about 1.5 km from WGS84: a point far out is no datum's doing, and
            # "choose gcj02" sent the planner the wrong way (a digit, swapped columns, a CRS, another region)
            fix = "f4_fix_outside_far" if km > FAR_OUTSIDE_KM else "reg_fix_outside"
            self.add(i, "lon", "error", "outside_region", "reg_outside", fix, f"{lon[i]:g}, {lat[i]:g}",
                     lon=lon[i], lat=lat[i], km=km, region=self.region_name,
                     fix_kw={"km": f"{km:,.0f}", "region": self.region_name})

    def townships(self, lon, lat, has_xy, declared) -> np.ndarray:
        found = self.shapes.township_of(lon, lat)
        for i, (fld, loc, detail) in sorted(self.ambiguous.items()):
            if self.refused[i]:  # refused: not "taken from the coordinates"
                continue
            if not (found[i] and any(str(c["code"])[:9] == str(found[i]) for c in loc.candidates)):
                self.add(i, fld, "warning", "names_unmatched", "reg_names_unmatched",
                         "reg_fix_check_place", loc.value, detail=detail)
        xy = has_xy & ~self.refused
        named = xy & (declared != "")
        inside = self.shapes.in_township(lon, lat, np.where(named, declared, ""))
        path = {u.code: u.path for u in self.places.towns}
        source = getattr(self, "declared_from", np.full(self.n, "", dtype=object))
        cells = {}
        for i in np.flatnonzero(named & ~inside & (found != declared)):
            # the cell as the file holds it (上津镇), not the township code it was matched to
            fld = source[i] or "township"
            if fld not in cells:  # a code read from a spreadsheet as a number: 420322102, not 420322102.0
                cells[fld] = [re.sub(r"\.0$", "", v) if fld in ("township_code", "code") else v for v in self.cell(fld)]
            self.add(i, fld, "warning", "outside_named_township", "reg_outside_township",
                     "reg_fix_check_place", cells[fld][i] or declared[i],
                     found=self.path_in(path.get(found[i], found[i])),
                     declared=self.path_in(path.get(declared[i], declared[i])))
        named_county = getattr(self, "named_county", np.full(self.n, "", dtype=object))
        cname = {u.code: u.name for u in self.places.counties}
        county_cells = None
        # with a township code too (QA 25: 房县 beside 420303100, 张湾区·黄龙镇, and a point there, said nothing);
        # a county that is the code's own is left to the township's warning above (the point lies elsewhere)
        for i in np.flatnonzero(xy & (named_county != "")):
            if declared[i] and str(declared[i])[:6] == named_county[i]:
                continue
            if found[i] and str(found[i])[:6] != named_county[i]:
                county_cells = county_cells or self.cell("county")
                value = county_cells[i] or cname.get(named_county[i], named_county[i])
                fld = source[i]
                if declared[i] and fld in ("township_code", "code"):
                    # the township is the code's: said so, with the code as the file holds it
                    if fld not in cells:
                        cells[fld] = [re.sub(r"\.0$", "", v) for v in self.cell(fld)]
                    self.add(i, "county", "warning", "county_disagrees", "", "reg_fix_check_county", value,
                             text=_TEXTS["county_disagrees_code"], number=cells[fld][i],
                             source={"zh": "乡镇代码", "en": "township code"} if fld == "township_code" else
                             {"zh": "区划代码", "en": "area code"},
                             declared=self.path_in(path.get(declared[i], declared[i])),
                             also={"zh": "，点位也在该乡镇", "en": ", where the point lies too"} if found[i] == declared[i]
                             else {"zh": "", "en": ""})
                    continue
                self.add(i, "county", "warning", "county_disagrees", "reg_county_disagrees", "reg_fix_check_county",
                         value, found=self.path_in(path.get(found[i], found[i])))
        return np.where(declared != "", declared, found)

    def ids(self, types, names, lon, lat) -> None:
        """Refuse a repeated id, and a row that repeats another (same type and name, under 1 m); warn of
        a namesake of the same type within DUPLICATE_M. The ids themselves: :meth:`row_ids`."""
        given = self.cell("id")
        first: dict[str, int] = {}
        x, y = lonlat_to_metric(lon, lat)
        for i in np.flatnonzero(~self.refused):
            if given[i] and given[i] in first:
                j = first[given[i]]
                self.add(i, "id", "error", "duplicate_id", "reg_dup_id", "reg_fix_dup_id", given[i],
                         other=self.rownum[j])
                # a copy of row j (same type, name and place) or another facility under j's id (an id pasted from
                # the row above: QA 32, the facility the row lists was dropped): refused_current tells them apart
                metres = float(np.hypot(x[i] - x[j], y[i] - y[j]))
                same_place = metres < 1.0 or not (np.isfinite(x[i]) or np.isfinite(x[j]))
                self.id_repeats[i] = (j, bool(types[i] == types[j] and fold(names[i]) == fold(names[j]) and same_place))
            elif given[i]:
                first[given[i]] = i
        seen: dict[tuple, list[int]] = {}
        for i in np.flatnonzero(~self.refused):
            if not names[i]:
                continue
            key = (fold(names[i]), types[i])
            # the nearest earlier row of the same name and type: an exact copy is found even behind a
            # namesake a few metres off
            near = min(((float(np.hypot(x[i] - x[j], y[i] - y[j])), j) for j in seen.get(key, [])), default=None)
            if near is not None and near[0] < 1.0:  # the same facility listed twice: counted once, its beds once
                self.add(i, "name", "error", "duplicate_row", "reg_dup_row", "reg_fix_dup_row", names[i],
                         other=self.rownum[near[1]])
            elif near is not None and near[0] < DUPLICATE_M:
                self.add(i, "name", "warning", "duplicate_name", "reg_dup_name", "reg_fix_dup_name", names[i],
                         other=self.rownum[near[1]], m=near[0])
            seen.setdefault(key, []).append(i)

    def shifted_ids(self, types, names, lon, lat, has_xy, township, match) -> None:
        """Warn of a row carrying a current facility's id under a name not that facility's (:func:`one_facility_names`)
        and lying more than ID_SHIFT_M from it or in another county (a row without coordinates: outside its
        township): the id column may be pasted one row off, and importing it renames and moves that facility (QA 33:
        the id of 城关敬老院 on the row of 武当敬老院, 12 km away, took 城关敬老院 over without a word). Both names and the
        distance are said; the row is imported (a facility may really be renamed and moved). Where another row of the
        file lists that facility by its name (same type and county; a closed row too: :meth:`closed_named`), the id
        is shifted: the row is refused, and matched by its name as a row without an id (:attr:`shifted`), so that
        facility keeps its id through its own row (:meth:`row_ids`) or as a refused row's facility
        (:meth:`refused_current`); a closed row still closes it."""
        if "id" not in self.cmap:
            return
        fac = getattr(self.region, "facilities", None)
        current = self.current_ids()
        if fac is None or not len(current) or "name" not in fac:
            return
        fac = fac.drop_duplicates("id")  # the rows of current_ids, in its order
        given = self.cell("id")
        at = {fid: k for k, fid in enumerate(current["id"])}
        rows = [i for i in np.flatnonzero(~self.refused) if given[i] in at and names[i]]
        if not rows:
            return

        def code(v) -> str:
            v = "" if v is None or (isinstance(v, float) and np.isnan(v)) else re.sub(r"\.0$", "", str(v))
            return "" if v in ("nan", "None") else v

        fac_names = [code(n) for n in fac["name"]]
        fac_towns = [code(v) for v in (fac["township_code"] if "township_code" in fac else [""] * len(fac))]
        town = [code(township[i]) for i in range(self.n)]
        path = {u.code: u.path for u in self.places.towns}
        cname = {u.code: u.name for u in self.places.counties}
        by_name: dict[str, list[int]] = {}
        for j in range(self.n):
            if names[j]:
                by_name.setdefault(fold(names[j]), []).append(j)
        x, y = lonlat_to_metric(lon, lat)
        closed = None  # the closed rows, read at the first row that needs them
        for i in rows:
            k = at[given[i]]
            name = fac_names[k]
            if not name or one_facility_names(names[i], name):
                continue
            kind, county = current["key"].iat[k][0], current["key"].iat[k][1]
            other_county = bool(county and town[i] and town[i][:6] != county)
            metres = float(np.hypot(x[i] - current["x"].iat[k], y[i] - current["y"].iat[k]))
            own = bool(has_xy[i] and np.isfinite(metres))
            if own:
                far = other_county or metres > ID_SHIFT_M
            else:  # placed by its place names, or the facility has no point: by the township
                far = other_county or bool(fac_towns[k] and town[i] and fac_towns[k] != town[i])
            if not far:
                continue
            where = {"zh": f"（{path.get(fac_towns[k], cname.get(county, ''))}）" if fac_towns[k] or county else "",
                     "en": f" ({self.path_in(path.get(fac_towns[k], cname.get(county, '')))['en']})"
                     if fac_towns[k] or county else ""}
            there = cname.get(town[i][:6], town[i][:6])
            there = {"zh": there, "en": self.county_en.get(there, there)}
            if own:
                km = f"{metres / 1000:,.1f}"
                apart = {"zh": f"相距 {km} 公里" + (f"，且在另一县区（{there['zh']}）" if other_county else ""),
                         "en": f"lies {km} km from it" + (f", in another county ({there['en']})" if other_county else "")}
            else:
                placed = match[i] or path.get(town[i], there["zh"])
                unit = {"zh": "县区", "en": "county"} if other_county else {"zh": "乡镇", "en": "township"}
                apart = {"zh": f"{'本行无坐标，按所填地名' if not has_xy[i] else ''}位于{placed}，不在该设施所在{unit['zh']}",
                         "en": f"{'has no coordinates and its place names put it' if not has_xy[i] else 'lies'} in "
                               f"{self.path_in(placed)['en']}, outside that facility's {unit['en']}"}
            same = [self.rownum[j] for j in by_name.get(fold(name), []) if j != i
                    and (not types[j] or not kind or types[j] == kind)
                    and (not town[j] or not county or town[j][:6] == county)]
            # a closed row names its facility too (taken out before these checks: :meth:`closed_named`)
            if closed is None:
                closed = self.closed_named()
            same += [r for r, folded, kind_j, town_j in closed if folded == fold(name)
                     and (not kind_j or not kind or kind_j == kind)
                     and (not town_j or not county or town_j[:6] == county)]
            kw = {"name": name, "place": where, "row_name": names[i], "apart": apart}
            if same:
                self.add(i, "id", "error", "id_shifted", "qa33f3_id_shifted", "qa33f3_fix_id_shifted", given[i],
                         other=min(same), fix_kw={"name": name}, **kw)
                self.shifted.add(i)
            else:
                self.add(i, "id", "warning", "id_elsewhere", "qa33f3_id_elsewhere", "qa33f3_fix_id_elsewhere",
                         given[i], fix_kw={"value": given[i]}, **kw)

    def closed_named(self) -> list[tuple[int, str, str | None, str]]:
        """The closed rows (:func:`_closed_rows`: taken out before the row checks) as :meth:`shifted_ids` compares
        them: [(row, folded name, type, township code)], the type and township read as an open row's are (by its
        type cell, its point or its place names; "" or None where they cannot be told). Their own problems are none
        of the report's: such a row is not imported. QA 33: a row carrying 军店镇福利院's id under the name
        城关镇福利院, 12 km off, was only warned of when the row of 军店镇福利院 was a closed one (停用), and the import
        moved 军店镇福利院 onto 城关镇福利院 and removed the real one."""
        table = self.closed.get("table")
        if table is None or not len(table.frame) or "name" not in self.cmap:
            return []
        sub = _Rows(table, self.cmap, self.region, self.type_key, self.datum_mode, self.crs, picks=self.picks)
        types, names = sub.types(), sub.names()
        lon, lat, has_xy = sub.coordinates()
        row_datum = sub.row_datums()
        declared, located = sub.declared_places(has_xy)
        for datum in ("gcj02", "bd09"):
            mask = has_xy & (row_datum == datum)
            lon[mask], lat[mask] = to_wgs84_xy(lon[mask], lat[mask], datum)
        sub.place_by_name(lon, lat, has_xy, located)
        township = sub.townships(lon, lat, has_xy, declared)
        return [(sub.rownum[j], fold(names[j]), types[j], str(township[j] or "")) for j in range(sub.n) if names[j]]

    def near_pairs(self, types, names, lon, lat, has_xy) -> None:
        """Warn of a row lying within NEAR_PAIR_M of an earlier row of the same type under another name that reads
        alike (:data:`NEAR_NAME_RATIO` of its text shared), or with the same phone or address: one facility may be
        listed twice under two names (QA 32: 房县尹吉甫镇福利院 and 房县尹吉甫镇中心福利院, 19 m apart, one phone, 95
        beds each, both imported, the beds counted twice). The nearest such row is named, with the distance; both
        rows are imported (two homes may share a compound). Rows placed by name (at a seat) are not compared, nor
        two names with nothing in common and nothing else shared (甲 and 乙 of one building)."""
        from scipy.spatial import cKDTree

        shared = [self.cell(f) for f in ("phone", "address") if f in self.cmap]

        def alike(i: int, j: int) -> bool:
            if any(cells[i] and cells[i] == cells[j] for cells in shared):
                return True
            return names_alike(names[i], names[j])

        rows = np.flatnonzero(has_xy & ~self.refused & np.isfinite(lon) & np.isfinite(lat))
        rows = np.array([i for i in rows if names[i] and types[i]], dtype=int)
        if len(rows) < 2:
            return
        x, y = lonlat_to_metric(lon[rows], lat[rows])
        ok = np.isfinite(x) & np.isfinite(y)
        rows, x, y = rows[ok], x[ok], y[ok]
        if len(rows) < 2:
            return
        pairs = cKDTree(np.column_stack([x, y])).query_pairs(NEAR_PAIR_M, output_type="ndarray")
        nearest: dict[int, tuple[float, int]] = {}
        for a, b in pairs:
            i, j = (rows[a], rows[b]) if rows[a] > rows[b] else (rows[b], rows[a])  # j: the earlier row
            if types[i] != types[j] or fold(names[i]) == fold(names[j]) or not alike(i, j):
                continue  # another type; the same name (said as a namesake or a repeat: :meth:`ids`); another name
            metres = float(np.hypot(x[a] - x[b], y[a] - y[b]))
            if metres < NEAR_PAIR_M and (i not in nearest or (metres, j) < nearest[i]):
                nearest[i] = (metres, j)
        for i, (metres, j) in sorted(nearest.items()):
            shown = {"zh": "不到 1", "en": "under 1"} if metres < 1 else f"{metres:,.0f}"
            self.add(i, "name", "warning", "near_pair", "qa32fa2_near_pair", "qa32fa2_fix_near_pair", names[i],
                     other=self.rownum[j], other_name=names[j], m=shown)

    def far_namesakes(self, types, names, lon, lat, has_xy, township) -> None:
        """Warn, on both rows, of two rows of one type, county and (folded) name lying DUPLICATE_M or more apart:
        one facility entered twice (a corrected point beside the old one), or two facilities that need names telling
        them apart; each row names the other, the distance and the cells they differ by. Both are imported, as two
        facilities (QA 34: rows 18 and 23, both 房县中坝乡福利院, 60 and 50 beds, 5.8 km apart, both accepted without a
        word, the confirm adding a second facility). Rows closer than DUPLICATE_M: :meth:`ids`."""
        town = [str(township[i] or "") for i in range(self.n)]
        groups: dict[tuple, list[int]] = {}
        for i in np.flatnonzero(~self.refused & np.isfinite(lon) & np.isfinite(lat)):
            if names[i] and types[i]:
                groups.setdefault((types[i], town[i][:6], fold(names[i])), []).append(int(i))
        groups = {k: rows for k, rows in groups.items() if len(rows) > 1}
        if not groups:
            return
        x, y = lonlat_to_metric(np.asarray(lon, float), np.asarray(lat, float))
        # the cells the two rows may differ by, as the file heads them
        compared = [f for f in ("id", *CAPACITY_FIELDS, "capacity", "township", "village", "address", "phone",
                                "operator", "built_year", "upgraded_year", "status", "remark") if f in self.cmap]
        cells = {f: self.cell(f) for f in compared}
        for rows in groups.values():
            if len(rows) > 500:  # hundreds of one name in one county: each row with the next only
                pairs = {i: [j] for i, j in zip(rows, rows[1:])} | {j: [i] for i, j in zip(rows, rows[1:])}
            else:
                pairs = {i: [j for j in rows if j != i] for i in rows}
            for i, others in pairs.items():
                far = [(float(np.hypot(x[i] - x[j], y[i] - y[j])), self.rownum[j], j) for j in others]
                far = [d for d in far if np.isfinite(d[0]) and d[0] >= DUPLICATE_M]
                if not far:
                    continue
                metres, _, j = min(far)
                differ = [(self.cmap[f], cells[f][i], cells[f][j]) for f in compared if cells[f][i] != cells[f][j]]
                empty = {"zh": "（空）", "en": "(empty)"}

                def diff(lang: str) -> str:
                    if not differ:
                        return t("qa34f11_namesake_same", lang)
                    shown = [t("qa34f11_namesake_cell", lang, column=c, a=(a[:20] or empty[lang]),
                               b=(b[:20] or empty[lang])) for c, a, b in differ[:3]]
                    more = t("qa34f11_more_cells", lang, n=len(differ) - 3) if len(differ) > 3 else ""
                    return t("qa34f11_namesake_differ", lang, cells=("、" if lang == "zh" else ", ").join(shown) + more)

                # a row placed by its names lies at a seat: the distance is that seat's
                by_name = not (has_xy[i] and has_xy[j])
                d = distance_words(metres)
                apart = {lang: t("qa34f11_about" if by_name else "qa34f11_exactly", lang, d=d[lang]) for lang in ("zh", "en")}
                self.add(i, "name", "warning", "namesake_far", "qa34f11_namesake_far", "qa34f11_fix_namesake_far",
                         names[i], other=self.rownum[j], name=names[i], apart=apart,
                         differ={"zh": diff("zh"), "en": diff("en")},
                         seat={lang: t("qa34f11_namesake_seat", lang) if by_name else "" for lang in ("zh", "en")})

    def statuses(self) -> None:
        """Warn of a status cell that says neither operating nor closed (筹建, 整改中): the row is imported as an
        operating facility, and the planner may correct it. Closed rows were taken out before (:func:`_closed_rows`)."""
        if "status" not in self.cmap:
            return
        for i, v in enumerate(self.cell("status")):
            if v and not self.refused[i] and status_closed(v) is None:
                self.add(i, "status", "warning", "status_unclear", "qa32fa2_status_unclear",
                         "qa32fa2_fix_status_unclear", v[:30], column=self.cmap["status"])

    def header_datum(self, suggestion: dict | None) -> dict | None:
        """The datum suggestion (``suggestion``, from the points: :meth:`evidence`), or one told by the coordinate
        columns' headers: 百度经度/百度纬度 (bd_lng) name BD-09, 高德经度 (gcj_lat, 经度(GCJ02)) GCJ-02, 经度(WGS84)
        WGS84. Where the datum read (the one chosen, WGS84 for "auto") is another, it is said with the datum to
        choose, as a suggestion the page shows (QA 32: a Baidu export read as WGS84 without a word). A datum the
        points already suggest stands; a per-row datum column (坐标系) says the rows' own."""
        if self.table.geometry is not None or "coords" in self.cmap:
            return suggestion
        cols = [self.cmap[f] for f in ("lon", "lat", "lonlat") if f in self.cmap]
        named = {header_datum(c) for c in cols} - {None}
        if len(named) != 1:
            return suggestion
        datum = named.pop()
        applied = "wgs84" if self.datum_mode == "auto" else self.datum_mode
        if datum == applied or (suggestion is not None and suggestion.get("datum") == datum):
            return suggestion
        label = {lang: t("data_coords_" + datum, lang) for lang in ("zh", "en")}
        read_as = {lang: t("data_coords_" + applied, lang) for lang in ("zh", "en")}
        shown = [c for c in cols if header_datum(c) == datum]
        kw = {"cols": {"zh": "".join(f"“{c}”" for c in shown),
                       "en": ("column " if len(shown) == 1 else "columns ") + " and ".join(f"'{c}'" for c in shown)},
              "name": {"zh": "", "en": "names" if len(shown) == 1 else "name"}, "datum": label, "applied": read_as}
        # a suggestion of another datum by the points: said beside it, not in its place
        code = "datum_suggestion" if suggestion is None else "datum_header"
        self.add(None, "lon" if "lon" in self.cmap else "lonlat", "warning", code, "qa32fa2_datum_header",
                 "reg_fix_datum_suggest", datum, fix_kw={"datum": label, "code": datum}, **kw)
        if suggestion is not None:
            return suggestion
        return {"datum": datum, "against": applied, "by_header": shown}

    def unread_note(self) -> list[tuple[str, str]]:
        """A note naming the file's columns the register does not read as any field (运营方式、在用床位), so that a
        planner knows they were passed over and may map one (QA 32: only village and township files named theirs).
        Columns said otherwise are left out: a second column of a field read (:func:`shadowed_columns`), a capacity
        column the mapping passed over, a column headed as a field the mapping says no column holds (床位数 with the
        capacity mapped to none: the planner's choice), a row number (序号), an empty column; none where no name
        column was found (its error lists them)."""
        if "name" not in self.cmap:
            return []
        used = set(self.cmap.values()) | set(self.superseded.values())
        used |= {c for c, _, _ in shadowed_columns(self.table.frame.columns, self.cmap)}
        # the register export's own 来源 / Source column (where the app had each row from): not the bureau's data
        own = {t("source", lang).lower() for lang in ("zh", "en")}
        unread = []
        for col in self.table.frame.columns:
            key = re.sub(r"\s+", "", str(col)).lower()
            if col in used or col == "geometry" or key in _ROW_NUMBER_HEADERS or key in own:
                continue
            if any(k in HEADER_NAMES for k in header_keys(col)):  # a field's own header: left out by the mapping
                continue
            values = self.table.frame[col]
            if not values.map(lambda v: _text(v) is not None if not isinstance(v, (dict, list, tuple)) else True).any():
                continue
            unread.append(str(col))
        if not unread:
            return []
        n = len(unread)
        return [(t("qa32fa2_unread", "zh", cols=listed(unread[:10], "zh", total=n), n=f"{n:,}"),
                 t("qa32fa2_unread", "en", cols=listed([f"'{c}'" for c in unread[:10]], "en", total=n), n=f"{n:,}",
                   column="column" if n == 1 else "columns", was="was" if n == 1 else "were"))]

    def row_ids(self, types, names, lon, lat, township) -> list[str]:
        """Each row's id: the file's own, else one made for it (a refused row's is ``row-N``: it is not kept).

        A row without an id first takes the id of the current register's facility of its type, county and
        (folded) name (the nearest one where the county has several): importing a file again, or a file
        imported before ids were made this way, keeps its facilities' ids and changes nothing. Any other gets
        ``type-county-sha1(name)[:8]``, qualified by its county (every county has a 城关镇中心敬老院: an id of
        type and name alone was another county's facility's, and a county's file without ids was refused as
        "using another county's ids"); namesakes of one county in the file take their township's code
        instead, in the order of their points, not of the rows (an id changed when the rows were sorted).
        An id made here is never the id of another facility of the register nor of another row of the file:
        a made id cannot clash with a facility kept in another county (planner.register_scope).
        """
        given = self.cell("id")
        out = [given[i] or f"row-{self.rownum[i]}" for i in range(self.n)]
        todo = [i for i in np.flatnonzero(~self.refused) if not given[i] and names[i] and types[i]]
        if not todo:
            return out
        town = [str(township[i] or "") for i in range(self.n)]
        synthetic = np.asarray(getattr(self, "synthetic", np.zeros(self.n, bool)), bool)
        x, y = lonlat_to_metric(lon, lat)
        key = {i: (types[i], town[i][:6], fold(names[i]), bool(synthetic[i])) for i in todo}
        current = self.current_ids()
        taken = set(given) | set(current["id"])
        # 1. the current register's facility of the same type, county and name (not an id the file gives; an id a
        # row refused as shifted carries is none of its own: :meth:`shifted_ids`)
        free = current[~current["id"].isin({given[k] for k in range(self.n) if k not in self.shifted})]
        paired = self.pair_namesakes(key, free, x, y, lon, lat)
        for i, fid in paired.items():
            out[i] = fid
        new = [i for i in todo if i not in paired]
        # 2. a new id, qualified by the county (by the township where the county has namesakes in the file)
        groups: dict[tuple, list[int]] = {}
        for i in new:
            groups.setdefault((types[i], town[i][:6], fold(names[i])), []).append(i)
        for (kind, county, folded), rows in sorted(groups.items()):
            digest = hashlib.sha1(folded.encode()).hexdigest()[:8]
            rows.sort(key=lambda i: (town[i], round(float(lon[i]), 7), round(float(lat[i]), 7), self.rownum[i]))
            for i in rows:
                place = county if len(rows) == 1 else town[i]
                base = f"{kind}-{place}-{digest}" if place else f"{kind}-{digest}"
                fid, k = base, 1
                while fid in taken:
                    k += 1
                    fid = f"{base}-{k}"
                taken.add(fid)
                out[i] = fid
        return out

    def pair_namesakes(self, key: dict, free: pd.DataFrame, x, y, lon, lat) -> dict[int, str]:
        """Rows paired with current facilities of their key: {row: id}. ``key``: {row: (type, county, folded name,
        sample data or not)}; ``free``: the facilities a row may take (:meth:`current_ids`); ``x, y`` (metres) and
        ``lon, lat``: the rows' points. Nearest pairs first, each row and facility once; ties by id and by the row's
        point, never by the row's place in the file; beyond MAX_ID_PAIRS pairs of one key, in the order of their
        points (:meth:`row_ids`, :meth:`datum_by_names`)."""
        by_key: dict[tuple, list] = {}
        for fid, k, cx, cy in zip(free["id"], free["key"], free["x"], free["y"]):
            by_key.setdefault(k, []).append((fid, cx, cy))
        rows_by_key: dict[tuple, list[int]] = {}
        for i, k in key.items():
            rows_by_key.setdefault(k, []).append(i)
        out: dict[int, str] = {}
        for k, rows in rows_by_key.items():
            have = by_key.get(k, [])
            if len(rows) * len(have) > MAX_ID_PAIRS:  # thousands of namesakes: paired in the order of their points
                have = sorted(have, key=lambda h: (h[1], h[2], h[0]))
                mine = sorted(rows, key=lambda i: (float(x[i]), float(y[i]), self.rownum[i]))
                pairs = [(0.0, h[0], 0.0, 0.0, i) for h, i in zip(have, mine)]
            else:  # nearest pairs first; ties by id and by the row's point, never by the row's place in the file
                pairs = sorted((_metres_or_inf(x[i] - cx, y[i] - cy), fid, float(lon[i]), float(lat[i]), i)
                               for i in rows for fid, cx, cy in have)
            used = set()
            for _, fid, _, _, i in pairs:
                if i in out or fid in used:
                    continue
                out[i] = fid
                used.add(fid)
        return out

    def current_ids(self) -> pd.DataFrame:
        """The current register's facilities as :meth:`row_ids` matches them: id, key (type, county, folded
        name, sample data or not) and point (metres)."""
        fac = getattr(self.region, "facilities", None)
        cols = ("id", "facility_type", "name")
        if fac is None or not len(fac) or any(c not in fac for c in cols):
            return pd.DataFrame({"id": pd.Series([], dtype=object), "key": [], "x": [], "y": []})
        fac = fac.drop_duplicates("id")
        county = fac["county_code"] if "county_code" in fac else fac.get("township_code", pd.Series("", fac.index))
        county = county.astype(object).map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                                           else re.sub(r"\.0$", "", str(v))[:6])
        syn = (fac["synthetic"].astype(object).map(lambda v: str(v).strip().lower() in ("true", "1", "1.0"))
               if "synthetic" in fac else pd.Series(False, fac.index))
        pts = [(g.x, g.y) if g is not None and not g.is_empty and g.geom_type == "Point" else (np.nan, np.nan)
               for g in fac.geometry]
        x, y = lonlat_to_metric(np.array([p[0] for p in pts], float), np.array([p[1] for p in pts], float))
        keys = [(str(t), c, fold(n), bool(s)) for t, c, n, s in zip(fac["facility_type"], county, fac["name"], syn)]
        return pd.DataFrame({"id": fac["id"].astype(str).to_numpy(), "key": keys, "x": x, "y": y})

    def refused_current(self, ids, types, names, lon, lat, township) -> list[dict]:
        """The current register's facility each refused row stands for: [{"row", "id"}] (the row's line, the
        facility's id). The facility of the row's own id when the register has it; else (no id, or one the register
        has not: a first import with 统一社会信用代码 over made ids) the facility whose id the row would take were it
        accepted (:meth:`row_ids`: same type, county and folded name, sample data or not; the nearest where there are
        several). A row whose type cell was refused matches on county and name across the types the file's accepted
        rows have, when that gives one facility. The row's county is its township's (by code or by point), else its
        county cell's or the county of its code's first six digits (a code one digit wrong, 420325999); where none is
        known, the one facility of its type and name in the counties the file's accepted rows of the type lie in
        (those the import replaces), if there is only one. A row whose point is known (finite, in the region) stands
        for no facility farther than REFUSED_MATCH_M from it. None stands for a facility an accepted row takes, nor
        for one of the type, county and name of an accepted row whose id is no current facility's (the file lists it
        under a new id), nor for a closed facility (:func:`_closed_rows`: it leaves the register), nor does a row
        refused as a repeat of another (same type, name and place: a copy, under its id or not) or with an accepted
        row's id. A row refused for another row's id whose name or place differ is matched by type, county and name
        as a row without an id (QA 32: 房县大木厂镇福利院 under the id of the row above dropped that home). The import keeps
        these facilities as they are (planner.register_scope.keep_refused): a typo in one cell took the facility the
        row lists off the register (QA 31)."""
        # a row repeating another (a copy: same type, name and place; under its id too) stands for no facility of its
        # own; a row refused for another row's id whose name or place differ lists another facility (QA 32: line 6,
        # 房县大木厂镇福利院 under line 5's id, dropped FX-FLY-005 房县大木厂镇福利院): matched by type, county and name
        # as a row without an id
        repeats = {i.row for i in self.issues if i.code == "duplicate_row"}
        repeats |= {self.rownum[i] for i, (_, copy) in self.id_repeats.items() if copy}
        rows = [i for i in np.flatnonzero(self.refused) if self.rownum[i] not in repeats]
        if not rows:
            return []
        current = self.current_ids()
        if not len(current):
            return []
        # a closed facility's row (:func:`_closed_rows`) takes it off the register: no refused row keeps it
        closed_ids, closed_names = self.closed["ids"], self.closed["names"]
        if closed_ids or closed_names:
            current = current[~(current["id"].isin(closed_ids)
                                | current["key"].map(lambda k: k[2] in closed_names).astype(bool))]
            if not len(current):
                return []
        given = self.cell("id")
        # another facility under another row's id, or under a shifted id (:meth:`shifted_ids`): its id is none of its own
        others = set(self.id_repeats) | self.shifted
        accepted = np.flatnonzero(~self.refused)
        used = {ids[i] for i in accepted}
        known = set(current["id"])
        county_of = [re.sub(r"\.0$", "", str(township[i] or ""))[:6] for i in range(self.n)]
        # the counties the file replaces, per type (those its accepted rows lie in), and the (type, county, name)
        # of the accepted rows carrying an id no current facility has: each may be a current facility under a new id
        replaced: dict[str, set] = {}
        for j in accepted:
            replaced.setdefault(types[j], set()).add(county_of[j])
        anew = {(types[j], county_of[j], fold(names[j])) for j in accepted if ids[j] not in known}
        found: dict[int, str] = {}
        todo = []
        for i in rows:
            if i in others:
                if names[i]:
                    todo.append(i)
                continue
            if given[i] and given[i] in known:  # its own id, the register's: that facility, or none
                if given[i] not in used:
                    found[i] = given[i]
                    used.add(given[i])
            elif given[i] and given[i] in used:  # an accepted row's id: that row's facility, in the file
                continue
            elif names[i]:  # no id, or one the register has not: by its name
                todo.append(i)
        synthetic = np.asarray(getattr(self, "synthetic", np.zeros(self.n, bool)), bool)
        by_name: dict[tuple, list] = {}
        # an id the file gives is that row's facility, never another row's (but a shifted id's facility is its own row's)
        taken = used | {given[k] for k in range(self.n) if k not in self.shifted}
        for fid, (kind, county, folded, syn), cx, cy in zip(current["id"], current["key"], current["x"], current["y"]):
            if fid not in taken:
                by_name.setdefault((kind, folded, syn), []).append((fid, county, cx, cy))
        x, y = lonlat_to_metric(lon, lat)
        located = self.shapes.inside(np.asarray(lon, float), np.asarray(lat, float))
        pairs = []
        for i in todo:
            folded = fold(names[i])
            # a row whose type was refused: any type the file replaces (its accepted rows' types)
            kinds = [types[i]] if types[i] else sorted(k for k in replaced if k)
            counties = self.row_counties(i, township)
            have = []
            for kind in kinds:
                for fid, county, cx, cy in by_name.get((kind, folded, bool(synthetic[i])), []):
                    if county not in (counties or replaced.get(kind, ())):
                        continue
                    metres = _metres_or_inf(x[i] - cx, y[i] - cy)
                    if located[i] and not metres <= REFUSED_MATCH_M:
                        continue
                    if (kind, county, folded) in anew:  # the file lists it under a new id
                        continue
                    have.append((metres, fid))
            if (not counties or not types[i] or not located[i]) and len(have) != 1:
                # no county, no type or no point, and several namesakes: which one it is cannot be told (without a
                # point every namesake of the county was as near as the next, and id order chose: the wrong one)
                continue
            pairs += [(metres, fid, self.rownum[i], i) for metres, fid in have]
        for _, fid, _, i in sorted(pairs):
            if i not in found and fid not in used:
                found[i] = fid
                used.add(fid)
        # a refused row standing for no facility by its id or its name (no name: QA 34, the row of 房县土城镇福利院 with
        # its exact point and an empty name removed that home) that lies within REFUSED_NEAR_M of a current facility
        # of its type: that facility, unless another row of the file names it
        named: dict[tuple, set[int]] = {}  # (type, folded name): the rows naming it
        for j in range(self.n):
            if names[j]:
                named.setdefault((types[j], fold(names[j])), set()).add(j)
        near = [i for i in rows if i not in found and located[i] and not (given[i] and given[i] in used | known)]
        pairs = []
        cx, cy = current["x"].to_numpy(float), current["y"].to_numpy(float)
        for i in near:
            with np.errstate(invalid="ignore"):
                close = np.flatnonzero(np.hypot(x[i] - cx, y[i] - cy) <= REFUSED_NEAR_M)
            if not len(close):
                continue
            kinds = [types[i]] if types[i] else sorted(k for k in replaced if k)
            counties = self.row_counties(i, township)
            for k in close:
                fid, (kind, county, folded, _) = current["id"].iat[k], current["key"].iat[k]
                if kind not in kinds or fid in taken or fid in used or (counties and county not in counties):
                    continue
                if not named.get((kind, folded), set()) - {i}:  # no other row names it
                    pairs.append((_metres_or_inf(x[i] - cx[k], y[i] - cy[k]), fid, self.rownum[i], i))
        fac = getattr(self.region, "facilities", None)
        fac_names = {str(a): str(b) for a, b in zip(fac["id"], fac["name"])} \
            if pairs and fac is not None and "name" in fac else {}
        for metres, fid, _, i in sorted(pairs):
            if i not in found and fid not in used:
                found[i] = fid
                used.add(fid)
                name = fac_names.get(str(fid), str(fid))
                self.add(i, None, "warning", "refused_near_current", "qa34f11_refused_near", "qa34f11_fix_refused_near",
                         name, name=name, d=distance_words(metres))
        return [{"row": int(self.rownum[i]), "id": str(found[i])} for i in sorted(found)]

    def row_counties(self, i: int, township) -> set[str]:
        """The county codes row ``i`` may lie in: its township's; else its county cell's, or the county of the
        first six digits of its township or area code; empty where none is known."""
        town = township[i]
        if town is not None and str(town) not in ("", "nan", "None"):
            return {str(town)[:6]}
        if not hasattr(self, "_county_cells"):
            self._county_cells = {f: self.cell(f) for f in ("county", "township_code", "code")}
        known = {u.code for u in self.places.counties}
        out = set(self.places.county_codes(self._county_cells["county"][i])) if self._county_cells["county"][i] else set()
        for fld in ("township_code", "code"):
            code = textrules.code_text(self._county_cells[fld][i])
            if code[:6] in known:
                out.add(code[:6])
        return out

    def capacities(self, types) -> dict[str, np.ndarray]:
        """Capacity columns as numbers (NaN where blank); a negative, non-numeric or implausibly
        large value (a wrong unit) refuses the row with a message naming the column and value."""
        known = load_facility_types()
        out = {}
        # the export's one "容量" column: each row's value is in its type's field (beds, day places ...),
        # unless the file also has that field's own column
        generic = self.cell("capacity") if "capacity" in self.cmap else None
        own = {fld: ft.capacity.field for fld, ft in known.items() if ft.capacity}
        if generic is not None:  # a count for a type that counts none (a charity station): said, not kept
            for i in np.flatnonzero(~self.refused):
                if generic[i] and types[i] in known and types[i] not in own:
                    self.add(i, "capacity", "warning", "capacity_not_counted", "cap_not_counted", "", generic[i],
                             column=self.cmap["capacity"])
        for fld in CAPACITY_FIELDS:
            rows_generic = ({i for i in range(self.n) if generic[i] and own.get(types[i]) == fld}
                            if generic is not None and fld not in self.cmap else set())
            if fld not in self.cmap and not rows_generic:
                continue
            values = np.full(self.n, np.nan)
            cells = self.cell(fld) if fld in self.cmap else [generic[i] if i in rows_generic else ""
                                                               for i in range(self.n)]
            col = self.cmap.get(fld) or self.cmap["capacity"]
            for i, cell in enumerate(cells):
                if not cell:
                    continue
                m = _CAPACITY.match(cell.replace(",", "").replace("，", ""))
                # a capacity that is not a count ("约80", "二十", 65.5) or negative: the facility is still
                # there and counts for coverage, so it is imported with its capacity unknown, and said so
                # (refusing the row took the facility off the register for a typo in one cell)
                ft = known.get(types[i]) if types[i] else None
                limit = ft.capacity.max_per_site if ft and ft.capacity and ft.capacity.field == \
                    ("plots" if fld == "niches" else fld) else CAPACITY_MAX[fld]
                try:  # 1e12: a number, only far too big (it was "not a whole number", QA 20)
                    number = float(cell.replace(",", "").replace("，", "")) if m is None else float("nan")
                except ValueError:
                    number = float("nan")
                if np.isfinite(number) and number > limit:
                    self.add(i, fld, "error", "capacity_implausible", "cap_implausible", "cap_fix_unit", cell,
                             column=col, limit=f"{limit:,.0f}")
                    continue
                if m is None or float(m.group(1)) != int(float(m.group(1))):
                    # 12.7 beds, 1e999, inf, nan: no count; a row standing for a current facility keeps its value
                    # (:meth:`keep_current`, QA 34: known beds were wiped by such a cell)
                    self.add(i, fld, "warning", "capacity_not_number", "cap_not_number", "cap_fix_number", cell,
                             column=col)
                    self.bad_capacity.setdefault(i, []).append((fld, self.issues[-1]))
                    continue
                # "-0" (or "+0") is 0: stored and said as 0, not "-0 beds" (QA 34)
                v = float(m.group(1)) or 0.0
                if v < 0:
                    self.add(i, fld, "warning", "capacity_negative", "cap_negative", "cap_fix_number", cell,
                             column=col)
                    self.bad_capacity.setdefault(i, []).append((fld, self.issues[-1]))
                elif v > limit:  # a wrong unit or a total row: the row itself is in doubt
                    self.add(i, fld, "error", "capacity_implausible", "cap_implausible", "cap_fix_unit", cell,
                             column=col, limit=f"{limit:,.0f}")
                else:
                    values[i] = v
            out[fld] = values
        self.other_units(types, out, known)
        return out

    def other_units(self, types, out: dict, known: dict) -> None:
        """Warn of a row whose capacity is given only in another type's unit: a day-care centre with 床位数
        and no 日托位 was imported with its capacity unknown without a word (QA 24). The value stays in its
        column as the file has it; it is not taken as the type's capacity, whose unit differs."""
        burial = {"plots", "niches"}  # a cemetery's two kinds of burial place, both its capacity
        for i in np.flatnonzero(~self.refused):
            ft = known.get(types[i]) if types[i] else None
            if ft is None or not ft.capacity:
                continue
            mine = ft.capacity.field
            if any(np.isfinite(out[f][i]) for f in ({mine} | (burial if mine in burial else set())) if f in out):
                continue
            given = next((f for f in out if f in self.cmap and np.isfinite(out[f][i])
                          and not (f in burial and mine in burial)), None)
            if given is None:
                continue
            noun = {"zh": t(f"capw_noun_{mine}", "zh"), "en": t(f"capw_noun_{mine}", "en").lower()}  # 日托位, day places
            # the fix names the column mapping too: the web card's (or --column's) capacity reads the column in the
            # type's unit (QA 33: it said only "give them in a 日托位 column")
            self.add(i, given, "warning", "capacity_other_unit", "cap_other_unit", "qa33f15_cap_fix_other_unit",
                     self.cell(given)[i], column=self.cmap[given], type={"zh": ft.name_zh, "en": ft.name_en_in_sentence()}, unit=noun,
                     fix_kw={"unit": noun, "header_zh": FIELDS[mine][1], "header_en": FIELDS[mine][0],
                             "column": self.cmap[given]})

    def frame(self, keep, ids, types, names, township, method, match, lon, lat) -> gpd.GeoDataFrame:
        idx = np.flatnonzero(keep)
        town = np.asarray(township, dtype=object)[idx].astype(str)
        data = {
            "id": [ids[i] for i in idx], "facility_type": [types[i] for i in idx],
            "name": [names[i] or ids[i] for i in idx], "township_code": town,
            "county_code": [c[:6] for c in town], "synthetic": self.synthetic[idx], "source": self.table.source,
            "location_method": [method[i] for i in idx], "match": [match[i] for i in idx],
            "source_row": [self.rownum[i] for i in idx],
        }
        for fld, values in self.year_values.items():
            data[fld] = values[idx]
        for fld, values in self.text.items():
            data[fld] = [values[i] for i in idx]
        for fld, values in self.capacity.items():
            data[fld] = values[idx]
        if "niches" in self.capacity:  # a cemetery's burial places are its plots and its niches
            plots = self.capacity.get("plots", np.full(self.n, np.nan))
            both = np.where(np.isnan(plots) & np.isnan(self.capacity["niches"]), np.nan,
                            np.nan_to_num(plots) + np.nan_to_num(self.capacity["niches"]))
            data["plots"] = both[idx]
        consumed = {self.cmap[f] for f in CONSUMED if f in self.cmap}
        for col in self.table.frame.columns:
            if col in consumed or col == "geometry":
                continue
            name = col if col not in data else f"{col} (file)"
            data[name] = self.table.frame[col].iloc[idx].values
        out = gpd.GeoDataFrame(data, geometry=shapely.points(lon[idx], lat[idx]), crs=settings.STORAGE_CRS)
        out = out.set_index("id", drop=False).rename_axis(None)
        # each type's name in both languages, for the data store's messages (geo.datasets.too_many_facilities: it
        # cannot read the types file, and said the type's key: "类型“day_care”的设施有 12,000 处", QA 34)
        from geo.datasets import TYPE_NAMES_ATTR

        known = load_facility_types()
        out.attrs[TYPE_NAMES_ATTR] = {k: {"zh": known[k].name_zh, "en": known[k].name_en_in_sentence()}
                                      for k in sorted({str(types[i]) for i in idx if types[i]}) if k in known}
        return out


def load_register(path, *, region: Region, coords: str = "wgs84", facility_type: str | None = None,
                  type_key: str | None = None, encoding: str | None = None, column_map: dict | None = None,
                  crs: str | None = None) -> gpd.GeoDataFrame:
    """The checked register, or InputDataError when any row is refused.

    :func:`validate_register` without the report, for callers that cannot show
    one (the analysis commands): a refused row, or an automatic fix (swapped
    lon/lat) no one has confirmed, stops the load with the rows and the fixes.
    ``facility_type`` (or ``type_key``) is the type of rows without one.
    """
    report = validate_register(path, region=region, type_key=facility_type or type_key, coords=coords,
                               encoding=encoding, column_map=column_map, crs=crs)
    report.raise_if_refused()
    return report.accepted
