"""Which column of a planner's register is what, and which facility type a cell names.

Bureaus head their columns in Chinese or English, with qualifiers in brackets
(经度(GCJ02), 乡镇(街道)) and full-width brackets; types are written as the
full name (社区(村)日间照料中心), the short name (日间照料中心), a common alias
(日照中心) or the key. Both are matched here after the same folding.
"""
from __future__ import annotations

import re
import unicodedata

from geo.datasets import CAPACITY_COLUMNS
from geo.errors import InputDataError
from geo.imports import SCIENTIFIC
from geo.tables import header_keys, norm_header
from planner.textrules import code_text

#: Register fields a planner may map by hand when the headers are not recognised: the Data page's mapping card
#: (web.data) and ``coverplan data import --column FIELD=HEADER`` (cli.data) take the same, with the capacity
#: columns (geo.datasets.CAPACITY_COLUMNS) besides. ``status`` (运营状态: a closed row is not imported,
#: :func:`status_closed`) too: a status column under a header not recognised could not be mapped (QA 33).
MAPPABLE = ("name", "type", "lon", "lat", "county", "township", "village", "address", "id", "code",
            "operator", "phone", "remark", "capacity", "built_year", "status")

#: Register fields and the headers they go by (compared after geo.tables.norm_header).
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "设施编号", "机构编号", "统一社会信用代码", "信用代码"),
    "name": ("name", "名称", "机构名称", "设施名称", "单位名称", "站点名称", "机构全称", "名字", "机构"),
    "type": ("facility_type", "type", "类型", "设施类型", "机构类型", "类别"),
    # X坐标 / Y坐标: a GIS export's names (QA 17: read as nothing, every row was put at its township seat;
    # projected X/Y are then refused with the CRS to give)
    # 百度经度 / 高德纬度, bd_lng / gcj_lat: a web map's export names its datum in the header (QA 32: not read, every
    # row was put at its township seat); :func:`header_datum` reads the datum named there
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "东经", "x坐标", "坐标x", "横坐标", "经度坐标",
            "百度经度", "高德经度", "腾讯经度", "bd_lng", "bd_lon", "bd09_lng", "bd09_lon", "gcj_lng", "gcj_lon",
            "gcj02_lng", "gcj02_lon", "百度地图经度", "高德地图经度"),
    "lat": ("lat", "latitude", "y", "纬度", "北纬", "y坐标", "坐标y", "纵坐标", "纬度坐标",
            "百度纬度", "高德纬度", "腾讯纬度", "bd_lat", "bd09_lat", "gcj_lat", "gcj02_lat", "百度地图纬度", "高德地图纬度"),
    "lonlat": ("经纬度", "坐标", "经纬度坐标", "lnglat", "lonlat", "coordinates", "百度坐标", "高德坐标", "百度经纬度",
               "高德经纬度"),
    "county": ("county", "县区", "县(市、区)", "县(市,区)", "县(市区)", "县市区", "区县", "所属县区", "所属县(市、区)",
               "所在县区", "所在县(市、区)"),
    "township": ("township", "乡镇", "乡镇(街道)", "所属乡镇", "所属乡镇(街道)", "乡镇街道", "街道(乡镇)",
                 "镇(街道)", "乡镇名称", "所在乡镇", "所在乡镇(街道)", "所在街道"),
    "township_code": ("township_code", "乡镇代码", "乡镇区划代码"),
    "village": ("village", "村", "村(社区)", "所属村", "所属村(社区)", "村社区", "社区(村)", "村(居)",
                "村(居)委会", "村委会", "村名", "村(社区)名称", "所在村", "所在村(社区)", "所在社区"),
    "address": ("address", "地址", "详细地址", "机构地址", "设施地址", "所在地址", "所在地"),
    "operator": ("operator", "运营单位", "运营机构", "运营方", "运营主体", "管理单位", "举办单位"),
    "phone": ("phone", "联系电话", "电话", "电话号码", "联系方式"),
    "remark": ("remark", "备注", "备注说明"),
    "code": ("code", "区划代码", "行政区划代码", "统计用区划代码", "村(社区)代码", "村代码"),
    "coords": ("coords", "datum", "坐标系"),
    "built_year": ("built_year", "建成年份", "建设年份", "建成年度", "建成日期", "建成时间"),
    # capacities (issue 16): which one a type uses is its [types.X.capacity] field
    "beds": ("beds", "床位数", "床位", "床位数(张)", "床位(张)", "核定床位", "核定床位数", "养老床位"),
    "day_places": ("day_places", "日托位", "日托位数", "日托床位", "日间照料床位"),
    "plots": ("plots", "墓穴", "墓穴数", "墓位", "墓位数", "穴位"),
    "niches": ("niches", "格位", "格位数", "骨灰格位", "骨灰存放格位"),
    "meal_places": ("meal_places", "助餐位", "助餐位数", "就餐位", "餐位", "餐位数"),
    "upgraded_year": ("upgraded_year", "改造年份", "提升年份", "改造提升年份"),
    # the register's own export (web/exports.py): one capacity column in the unit of each row's type
    "capacity": ("capacity", "容量"),
    "capacity_unit": ("capacity_unit", "capacity unit", "容量单位"),
    # the export's 示意 column: a row marked there is sample data and stays labelled so (QA 18: the
    # sample register exported and imported again came back as the planner's own facilities)
    "synthetic": ("synthetic", "示意", "illustrative", "是否示意", "示意数据", "示意数据(是/否)"),
    # whether the facility operates: a row 已关闭 / 停用 / 撤并 ... is not imported (:func:`status_closed`; QA 32: a
    # closed home counted toward coverage and beds)
    "status": ("status", "状态", "运营状态", "机构状态", "营业状态", "运行状态", "使用状态", "设施状态", "开办状态",
               "operating status", "operatingstatus"),
}
#: Capacity fields, read as numbers and checked (planner.register: negative, non-numeric,
#: implausible for the unit). Plots and niches are both burial places of a cemetery.
CAPACITY_FIELDS = CAPACITY_COLUMNS  # the facility layer's capacity columns (geo.datasets)
#: Fields whose columns are read into the register's own columns (the others stay as they are).
#: (Capacity columns are read into ``beds``, ``day_places`` ... and also kept as the file has them.)
CONSUMED = ("id", "name", "type", "lon", "lat", "lonlat", "township_code", "coords", "built_year",
            "upgraded_year", "address", "operator", "phone", "remark", "capacity", "capacity_unit", "synthetic")
#: A facility's free-text fields, stored under these names as the map editor's (a remark may hold
#: line breaks; the others are one line).
TEXT_FIELDS = ("address", "operator", "phone", "remark")
_ALIAS = {norm_header(a): f for f, names in FIELDS.items() for a in names}
# the keys written as words ("Facility type", "Township code": the register's English export, whose
# headers norm_header folds to facilitytype, townshipcode): QA 22, that export came back needing a mapping
for _a, _f in list(_ALIAS.items()):
    _ALIAS.setdefault(_a.replace("_", ""), _f)
#: What the header row is told by (geo.tables.read_table).
HEADER_NAMES = frozenset(_ALIAS)
_AREA_CODE = re.compile(r"^\d{9}(\d{3})?$", re.ASCII)


def map_columns(columns, column_map: dict | None, label: str) -> dict[str, str]:
    """{field: file column}: ``column_map`` (field -> column) first, then the headers recognised.

    A header matching an alias as written beats one matching only without its
    bracketed qualifier; the first column in the file wins among equals. A field
    mapped to "" (or None) is none: no column is read as it, whatever the headers
    say; ``capacity`` mapped to "" reads no capacity column at all (the beds,
    day places ... columns stay in the register as the file has them), as the
    mapping form's one capacity field stands for them all.
    """
    columns = [str(c) for c in columns]
    out: dict[str, str] = {}
    none: set[str] = set()  # fields the mapping says no column holds (QA 25: "" was read as "not said")
    if column_map:
        by_norm = {norm_header(c): c for c in columns}
        for fld, col in column_map.items():
            if fld not in FIELDS:
                raise InputDataError(f"{label}: unknown field '{fld}' in the column mapping; fields: "
                                     f"{', '.join(FIELDS)}.",
                                     f"{label}：列对应关系中有未知字段“{fld}”；可用字段：{'、'.join(FIELDS)}。")
            if col is None or (isinstance(col, str) and not col.strip()):
                none.add(fld)
                continue
            found = col if col in columns else by_norm.get(norm_header(col))
            if found is None:
                col = col if len(col) <= 60 else col[:59] + "…"  # quoted as sent, not 100,000 characters of it
                raise InputDataError(f"{label}: the column mapping names '{col}', which the file does not have "
                                     f"(columns: {', '.join(columns)}).",
                                     f"{label}：列对应关系中的“{col}”不在文件中（现有列：{'、'.join(columns)}）。",
                                     details={"columns": columns})
            twin = next((f for f, c in out.items() if c == found), None)
            if twin is not None:  # one column read as two fields (lon and lat both from lat_y): refused
                raise InputDataError(f"{label}: the column mapping reads '{found}' as both {twin} and {fld}; "
                                     "give each field its own column.",
                                     f"{label}：列对应关系把“{found}”同时指定为 {twin} 和 {fld}；每个字段须对应不同的列。",
                                     details={"parameter": "column_map", "column": found, "fields": [twin, fld]})
            out[fld] = found
    taken = set(out.values())
    if "capacity" in none:
        none |= set(CAPACITY_FIELDS) - set(out)
    for pass_ in (0, 1):  # 0: the header as written, 1: without its bracketed qualifier
        for col in columns:
            keys = header_keys(col)
            if col in taken or len(keys) <= pass_:
                continue
            fld = _ALIAS.get(keys[pass_])
            if fld and fld not in out and fld not in none:
                out[fld] = col
                taken.add(col)
    return out


def shadowed_columns(columns, cmap: dict[str, str]) -> list[tuple[str, str, int | None]]:
    """(column, column read instead, which repeat) for each column that names a field another column
    gives: two 名称 columns (the second read in as 名称.2: repeat 2), or 名称 beside 机构名称 (None). Only
    the first is read, and the other was passed over without a word (QA 20)."""
    columns = [str(c) for c in columns]
    taken = set(cmap.values())
    out = []
    for col in columns:
        if col in taken:
            continue
        again = re.fullmatch(r"(.*)\.(\d+)", col)  # geo.tables names a heading's repeats 名称.2, 名称.3
        base = again.group(1) if again and again.group(1) in columns else None
        fld = next((_ALIAS[k] for k in header_keys(base or col) if k in _ALIAS), None)
        if fld is not None and fld in cmap:
            out.append((col, cmap[fld], int(again.group(2)) if base == cmap[fld] else None))
    return out


def code_is_id(values) -> bool:
    """A ``code`` column that holds facility numbers rather than 9/12-digit area codes. A code Excel wrote in
    scientific notation (4.20303E+11) is an area code whose digits are lost: the register says so of its row
    (reg_code_scientific); read as a facility number, a 村代码 column of them was "no column to place the facilities
    by", or its rows "id '4.20303E+11' repeats row 2" (QA 36)."""
    cells = [code_text(v) for v in values if str(v).strip()]  # full-width digits are a code's digits too
    codes = sum(bool(_AREA_CODE.match(c) or re.match(SCIENTIFIC, c)) for c in cells)
    return bool(cells) and codes < 0.5 * len(cells)


def fold_type(text) -> str:
    """A type name as compared: NFKC (（村）→(村)), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def type_lookup(types: dict) -> dict[str, str]:
    """{folded name: type key} for every way a type is written: key, full and short Chinese
    name, English name and the TOML ``aliases``; each also without its brackets."""
    out: dict[str, str] = {}
    # a type's own names first, aliases after: an alias never takes another type's name
    for names in (lambda t: (t.key, t.name_zh, t.short_name_zh(), t.name_en), lambda t: t.aliases):
        for key, t in types.items():
            for name in names(t):
                folded = fold_type(name)
                for variant in (folded, re.sub(r"[()]", "", folded)):
                    out.setdefault(variant, key)
    return out


def resolve_type(value, lookup: dict[str, str]) -> str | None:
    folded = fold_type(value)
    return lookup.get(folded) or lookup.get(re.sub(r"[()]", "", folded))


#: Datums a coordinate column's header names (百度经度, 经度(GCJ02), bd_lng), by the words found in it (folded as
#: geo.tables.norm_header folds a header). The first found wins.
_HEADER_DATUMS = (("bd09", re.compile(r"百度|bd09|bd-09|^bd_|^bd(?=lng|lon|lat)|baidu")),
                  ("gcj02", re.compile(r"高德|腾讯|火星|gcj|amap|gaode|tencent")),
                  ("wgs84", re.compile(r"wgs|cgcs|gps|天地图|tianditu")))


def header_datum(header) -> str | None:
    """The datum a coordinate column's header names: 百度经度, bd_lng -> "bd09"; 高德纬度, 经度(GCJ02), gcj_lat ->
    "gcj02"; 经度(WGS84) -> "wgs84"; None where it names none (经度, lng)."""
    text = norm_header(header)
    return next((d for d, words in _HEADER_DATUMS if words.search(text)), None)


#: Status words of a facility that no longer provides a service (folded: NFKC, no spaces, lower case), and of
#: one that operates. A cell holding a closed word (已关闭, 2023年已撤并) is closed unless the word is negated (未关闭, not closed).
_CLOSED = re.compile(r"关闭|关停|停用|停业|停办|停运|撤并|撤销|撤消|注销|拆除|废弃|废止|closed|shut|inactive|deregistered|"
                     r"defunct|decommissioned|cancel")
_NOT_CLOSED = re.compile(r"(?:未|不|非|没有?|无|not|non-?|un)(?:已|被|曾)?$")
_OPERATING = {"", "-", "—", "在用", "正常", "运营", "运营中", "正常运营", "在运营", "开放", "营业", "营业中", "正常营业",
              "在营", "运行", "运行中", "正常运行", "使用", "使用中", "正常使用", "启用", "已启用", "开业", "已开业",
              "存续", "在业", "有效", "是", "open", "operating", "active", "inuse", "normal", "running", "yes"}


def status_closed(value) -> bool | None:
    """Whether a status cell says the facility is closed: True (已关闭, 停用, 撤并, 注销, 已撤销, closed ...), False
    where it operates (在用, 正常, 运营, 开放, blank ...), None for a word that says neither (筹建, 整改中)."""
    text = fold_type(value).strip("。.;；,，")
    if text in _OPERATING:
        return False
    said = [m for m in _CLOSED.finditer(text) if not _NOT_CLOSED.search(text[:m.start()])]
    if said:
        return True
    return False if _CLOSED.search(text) else None  # 未关闭: it operates
