"""`coverplan data ...`: the region's datasets -- import a layer as a new version, list, compare, roll back.

Every import is checked first (the same checks as the web upload), then becomes
one new version in the store (geo.datasets) or, on any error, nothing at all.
"""
from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

from cli.lang import h
from cli.options import add_data_store, add_json, add_region, check_data_dir, check_encoding
from cli.output import issue_text, print_json
from geo.datasets import ANONYMOUS_AUTHOR, CAPACITY_COLUMNS, own_capacity_only
from planner import register_scope
from planner.facility_types import attribute_words, capacity_columns
from planner.register_columns import MAPPABLE

KINDS = ("facilities", "townships", "villages")
#: --coords of `data import`: cgcs2000 read as wgs84, as every analysis command reads it (cli.options.COORDS)
COORDS = ("wgs84", "gcj02", "bd09", "auto", "cgcs2000")
#: Items of each list printed on a terminal (--json gives all).
SHOWN = 15
#: The register fields `data import --column FIELD=HEADER` maps: those of the Data page's mapping card
#: (planner.register_columns.MAPPABLE) and the capacity columns it may set (geo.datasets.CAPACITY_COLUMNS).
COLUMN_FIELDS = (*MAPPABLE, *CAPACITY_COLUMNS)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help=h("数据版本：导入、版本历史、版本比较、回退",
                                      "datasets: import, versions, diff, rollback"))
    ds = p.add_subparsers(dest="data_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        add_region(q)
        add_data_store(q, analysis=False)
        add_json(q)

    imp = ds.add_parser("import", help=h("校验文件并导入为新的数据版本", "check a file and make it a new version"))
    imp.add_argument("kind", choices=KINDS,
                     help=h("文件内容：facilities 设施名录、townships 乡镇（街道）边界、villages 村（社区）点位",
                            "what the file holds"))
    imp.add_argument("file", help=h("facilities：.xlsx/.csv/.geojson 等；townships：面图层"
                                    "（GeoJSON/GPKG/压缩的 SHP/KML）；villages：code,lon,lat 的 CSV 或点图层",
                                    "facilities: .xlsx/.csv/.geojson/...; townships: polygons "
                                    "(GeoJSON/GPKG/zipped SHP/KML); villages: code,lon,lat CSV or points"))
    imp.add_argument("--type", help=h("每一行的设施类型代码（如 day_care）；仅用于 facilities",
                                      "facility type key of every row (e.g. day_care); facilities only"))
    imp.add_argument("--column", action="append", metavar="FIELD=HEADER",
                     help=h("列对应（同“数据管理”页面的“更改列对应”）：指定文件中哪一列是某字段，如 --column name=服务中心名字；"
                            "可重复使用；列名留空（--column address=）表示不读取该字段；仅用于 facilities。字段："
                            + "、".join(COLUMN_FIELDS),
                            "column mapping (the Data page's \"Change the column mapping\"): which column of the file "
                            "holds a field, e.g. --column name=Centre; repeat it for several fields; an empty header "
                            "(--column address=) reads no column as the field; facilities only. Fields: "
                            + ", ".join(COLUMN_FIELDS)))
    imp.add_argument("--crs", help=h("文件未带坐标系时指定，或覆盖文件自带的坐标系（如 EPSG:4546）",
                                     "CRS of a file without one, or to override it (e.g. EPSG:4546)"))
    imp.add_argument("--coords", choices=COORDS, default="wgs84",
                     help=h("经纬度的坐标系：wgs84（默认；cgcs2000 同此）、gcj02（高德/腾讯）、bd09（百度）、"
                            "auto（设施名录：按数据推断；边界/村点位：按 wgs84）",
                            "datum of lon/lat: wgs84 (default; cgcs2000 the same), gcj02 (Amap/Tencent), "
                            "bd09 (Baidu), "
                            "auto (facilities: suggested from the data; boundaries/villages: as wgs84)"))
    imp.add_argument("--encoding", help=h("自动识别失败时指定文本编码：gbk、gb18030 或 utf-8（Excel 的“Unicode 文本”为 utf-16）",
                                          "text encoding when detection fails: gbk, gb18030 or utf-8 (utf-16 for "
                                          "Excel's Unicode text)"))
    imp.add_argument("--dry-run", action="store_true",
                     help=h("只校验并显示报告，不保存", "check and show the report; save nothing"))
    imp.add_argument("--partial", action="store_true",
                     help=h("即使有行被拒绝或被更正，仍导入通过校验的行（全部列出）；不加此项时这样的文件整体不导入",
                            "import the accepted rows although some were refused or corrected (all are listed); "
                            "without it such a file is refused as a whole"))
    imp.add_argument("--replace", choices=register_scope.REPLACE_MODES, default=register_scope.DEFAULT_REPLACE,
                     help=h("facilities：counties 只替换文件各行所在县区的该类设施，其他县区的保持不变（默认）；"
                            "city 以本文件替换全市的该类设施",
                            "facilities: counties replaces the type only in the counties the file's rows lie in, "
                            "the other counties' stay unchanged (default); city replaces the whole city's "
                            "facilities of the type with the file"))
    imp.add_argument("--note", default="", help=h("随版本保存的备注", "note kept with the version"))
    imp.add_argument("--author", help=h("导入人（默认：当前操作系统用户名）", "who imports (default: your operating-system user name)"))
    common(imp)
    imp.set_defaults(func=_import)

    ver = ds.add_parser("versions", help=h("版本历史", "the history"))
    common(ver)
    ver.set_defaults(func=_versions)

    dif = ds.add_parser("diff", help=h("版本比较：两个版本之间的变化", "what changed between two versions"))
    dif.add_argument("v1", type=int, help=h("比较起点的数据版本号", "version to compare from"))
    dif.add_argument("v2", type=int, help=h("比较终点的数据版本号", "version to compare to"))
    common(dif)
    dif.set_defaults(func=_diff)

    mk = ds.add_parser("mark", help=h("把候选点标为方案必选或禁选（候选点必选/禁选）",
                                      "mark a candidate site required or forbidden for proposals"))
    mk.add_argument("candidate", help=h("候选点 id（cand-...，与覆盖地图候选点图层上的一致）",
                                        "candidate site id (cand-..., as on the coverage map's candidate layer)"))
    mk.add_argument("--type", required=True,
                    help=h("设施类型代码（如 elderly_complex）", "facility type key (e.g. elderly_complex)"))
    how = mk.add_mutually_exclusive_group(required=True)
    how.add_argument("--required", dest="mark", action="store_const", const="required",
                     help=h("必选：方案必须选用此候选点", "required: proposals must choose this site"))
    how.add_argument("--forbidden", dest="mark", action="store_const", const="forbidden",
                     help=h("禁选：方案不得选用此候选点", "forbidden: proposals must not choose this site"))
    how.add_argument("--clear", dest="mark", action="store_const", const="",
                     help=h("清除此候选点的必选/禁选标记", "remove the site's required/forbidden mark"))
    mk.add_argument("--all-types", action="store_true",
                    help=h("该标记对所有设施类型有效", "the mark holds for every facility type"))
    mk.add_argument("--note", default="", help=h("随版本保存的备注（接在标记说明之后）",
                                                 "note kept with the version (after the mark's description)"))
    mk.add_argument("--author", help=h("标记人（默认：当前操作系统用户名）", "who marks (default: your operating-system user name)"))
    common(mk)
    mk.set_defaults(func=_mark)

    rb = ds.add_parser("rollback", help=h("回退：新建一个与某一旧版本相同的版本",
                                          "make a new version equal to an older one"))
    rb.add_argument("version", type=int, help=h("要回退到的数据版本号", "the version to go back to"))
    rb.add_argument("--note", default="", help=h("随新版本保存的备注", "note kept with the new version"))
    rb.add_argument("--author", help=h("回退人（默认：当前操作系统用户名）", "who rolls back (default: your operating-system user name)"))
    common(rb)
    rb.set_defaults(func=_rollback)


def _check_text(args) -> None:
    """--note and --author as the browser takes them: no control, direction or invisible characters
    (U+202E turned "a\u202eb" round in `data versions`); a note may have line breaks and tabs, and holds at
    most geo.datasets.MAX_EDIT_TEXT characters, as the web's (a 300-character note was taken: QA 23)."""
    from geo.datasets import MAX_EDIT_TEXT
    from geo.errors import InputDataError
    from planner import textrules

    note = (getattr(args, "note", None) or "").strip()
    if len(note) > MAX_EDIT_TEXT:
        raise InputDataError(f"--note holds {len(note):,} characters: a note can have at most {MAX_EDIT_TEXT}; "
                             "shorten it.",
                             f"--note 共 {len(note):,} 个字符：备注最多 {MAX_EDIT_TEXT} 个字符，请缩短。",
                             details={"parameter": "--note", "length": len(note), "max": MAX_EDIT_TEXT})

    for flag, value, multiline in (("--note", getattr(args, "note", None), True),
                                   ("--author", getattr(args, "author", None), False)):
        at = textrules.first_refused(value, multiline=multiline) if value else None
        if at is not None:
            what_en, what_zh = textrules.char_kind(value[at])
            code = f"U+{ord(value[at]):04X}"
            raise InputDataError(f"{flag} holds {code} ({what_en}) at character {at + 1}: remove it.",
                                 f"{flag} 的第 {at + 1} 个字符为 {code}（{what_zh}），请删去。",
                                 details={"parameter": flag, "value": textrules.escaped(value[:80])})


def _store(args, *, create: bool = True):
    """The data versions of ``--db``, their files in ``--data-dir`` (default: beside the database, as
    the web app and `coverplan backup` keep them). A command that only reads (``create=False``:
    versions, diff, a dry run) refuses a --db or --data-dir that does not exist (a mistyped path) rather than
    making an empty database or folder there; the default database is made on first use, as the server makes it."""
    from geo.datasets import DatasetStore, default_db_path
    from geo.dbfile import check_database

    _check_text(args)
    check_data_dir(args.data_dir, create=create)  # a file, or a folder not there for a command that reads (QA 23)
    db = check_database(Path(args.db) if args.db else default_db_path(), create=create or not args.db)
    root = Path(args.data_dir) / "datasets" / args.region if args.data_dir else None
    # a folder typed (--data-dir) without the versions' files is refused, not recovered as a lost one
    return DatasetStore(db, region=args.region, root=root, readonly=not create, root_given=root is not None)


def _crs(value: str | None) -> str | None:
    """``4546`` or ``EPSG:4546`` as a CRS pyproj knows, or a clear error (geo.crs.parse_crs)."""
    from geo.crs import parse_crs
    return parse_crs(value)


# -- --column: the command line's column mapping ---------------------------------------------------------
def column_map(values: list[str] | None, kind: str = "facilities") -> dict[str, str] | None:
    """``--column FIELD=HEADER`` (repeated) as the {field: column} the web's mapping card sends
    (planner.register.validate_register's ``column_map``: the same reading on both faces); None when none is
    given. A header left empty (``--column address=``) reads no column as the field, as the card's "—".
    Said before any file is read: a value without "=", an unknown field, a field given twice, a non-register."""
    from geo.errors import InputDataError

    if not values:
        return None
    fields_en, fields_zh = ", ".join(COLUMN_FIELDS), "、".join(COLUMN_FIELDS)
    if kind != "facilities":
        raise InputDataError("--column is for facilities only: a township or village file is read by its own "
                             "headers (code/代码, lon, lat).",
                             "--column 仅用于设施名录（facilities）：乡镇边界和村点位文件按其列名（code/代码、经度、纬度）读取。",
                             details={"parameter": "--column", "value": values[0]})
    out: dict[str, str] = {}
    for value in values:
        field, eq, header = value.partition("=")
        field, header = field.strip(), header.strip()
        shown = value if len(value) <= 60 else value[:59] + "…"
        if not eq or not field:
            raise InputDataError(
                f"--column {shown}: give FIELD=HEADER, a field, \"=\" and the column's header as the file has it "
                f"(e.g. --column name=\"Centre name\"); fields: {fields_en}.",
                f"--column {shown} 无效：应为 字段=列名，即字段、等号和文件中该列的列名（如 --column name=服务中心名字）；"
                f"可用字段：{fields_zh}。",
                details={"parameter": "--column", "value": shown, "fields": list(COLUMN_FIELDS)})
        if field not in COLUMN_FIELDS:
            raise InputDataError(f"--column {shown}: unknown field '{field}'; fields: {fields_en}.",
                                 f"--column {shown} 无效：没有字段“{field}”；可用字段：{fields_zh}。",
                                 details={"parameter": "--column", "value": shown, "fields": list(COLUMN_FIELDS)})
        if field in out:
            raise InputDataError(f"--column gives the field {field} twice ({field}={out[field]}, {field}={header}): "
                                 "give each field once.",
                                 f"--column 两次指定了字段 {field}（{field}={out[field]}、{field}={header}）：每个字段只能指定一次。",
                                 details={"parameter": "--column", "value": shown, "field": field})
        out[field] = header
    return out


def _recognised(header) -> str | None:
    """The field a header is read as when no mapping names it (planner.register_columns.map_columns), or None."""
    from planner.register_columns import map_columns

    found = map_columns([str(header)], None, "")
    return next(iter(found), None)


def _quoted(col: str) -> str:
    return f'"{col}"' if any(ch in col for ch in " \t'\"") else col


def column_example(columns, mapped: dict | None, field: str = "name") -> dict[str, str]:
    """", e.g. --column name=服务中心名字" in both languages, naming the first of the file's ``columns`` no field
    reads (``mapped``: {field: column}) and no header names as another field; "" when there is none.

    A column whose header names ``field`` (名称 for name) that the planner's own --column maps to another field
    (--column lon=名称) is said so instead, with the mapping that reads it as ``field`` (QA 31: "e.g. --column
    name=经度" for --column lon=名称, the longitude column being the one left unread)."""
    mapped = {f: str(c) for f, c in (mapped or {}).items() if c}
    used = set(mapped.values())
    cols = [str(c) for c in columns or [] if str(c) != "geometry"]
    taken = next(((c, f) for c in cols if _recognised(c) == field
                  for f, m in mapped.items() if m == c and f != field), None)
    if taken is not None:
        col, other = taken
        # the column the other field would have read were it not mapped by hand (经度 for lon), if unread
        alt = next((c for c in cols if c not in used and _recognised(c) == other), None)
        given = f"--column {other}={_quoted(col)}"
        then_en = f" --column {other}={_quoted(alt)} instead" if alt else f", and leave out {given}"
        then_zh = f" --column {other}={_quoted(alt)}" if alt else f"，并去掉 {given}"
        return {"en": f"; the file's column '{col}' would be read as {field}, but your own {given} reads it as {other}: "
                      f"to read it as {field}, give --column {field}={_quoted(col)}{then_en}",
                "zh": f"；文件中的“{col}”列本应读作 {field}，但您所给的 {given} 把它读作 {other}：如要读作 {field}，"
                      f"请改用 --column {field}={_quoted(col)}{then_zh}"}
    unread = [c for c in cols if c not in used and _recognised(c) in (None, field)]
    col = unread[0] if unread else None
    return {"en": f", e.g. --column {field}={_quoted(col)}" if col else "",
            "zh": f"，如 --column {field}={_quoted(col)}" if col else ""}


#: Fixes of a register's issues in the command line's words, by issue code (planner.register names the Data
#: page's "更改列对应" button, which `data import` has not: it has --column). ``import``: `data import`;
#: ``facilities``: an analysis's --facilities file (no mapping there: the file, or `data import --column`).
CLI_FIXES = {
    ("import", "column_shadowed"): (
        "请删去或重命名多余的一列，或用 --column 字段=列名 指定要读取的列",
        "Delete or rename the extra column, or name the column to read with --column FIELD=HEADER"),
    # two columns of one field whose values differ (geo.tables.COLUMNS_DIFFER_FIX names the Data page: QA 31)
    ("import", "column_values_differ"): (
        "请核对哪一列正确：删去或重命名另一列，或用 --column 字段=列名 指定要读取的列{zh}",
        "Check which column is right: delete or rename the other one, or name the column to read with "
        "--column FIELD=HEADER{en}"),
    ("facilities", "column_shadowed"): (
        "请删去或重命名多余的一列；也可用 coverplan data import facilities 文件 --column 字段=列名 导入该名录，"
        "再不加 --facilities 分析",
        "Delete or rename the extra column; or import the register with coverplan data import facilities FILE "
        "--column FIELD=HEADER and run the analysis without --facilities"),
    ("facilities", "column_values_differ"): (
        "请核对哪一列正确：删去或重命名另一列；也可用 coverplan data import facilities 文件 --column 字段=列名 "
        "导入该名录（指定要读取的列），再不加 --facilities 分析",
        "Check which column is right: delete or rename the other one; or import the register with coverplan data "
        "import facilities FILE --column FIELD=HEADER (naming the column to read) and run the analysis without "
        "--facilities"),
}


def _differ_example(issue, columns, mapped: dict | None) -> dict[str, str]:
    """", e.g. --column lon=经度" for two columns of one field under their own headers whose values differ (the
    issue's value is the column not read): the mapping that reads the other one; "" for a heading the file has
    twice (--column cannot tell the two apart: one is renamed first)."""
    from planner.register_columns import shadowed_columns

    value = str(issue["value"])
    for col, used, repeat in shadowed_columns(columns or (), {f: c for f, c in (mapped or {}).items() if c}):
        field = next((f for f, c in (mapped or {}).items() if c == used), None)
        if col == value and repeat is None and field:
            return {"en": f", e.g. --column {field}={_quoted(col)} to read column '{col}' instead of '{used}'",
                    "zh": f"，如 --column {field}={_quoted(col)} 改为读取“{col}”列"}
    return {"en": "", "zh": ""}


def cli_fixes(issues, face: str, columns=(), mapped: dict | None = None) -> None:
    """Give the ``issues`` (dicts or planner.register_report.RowIssue) whose fix names the web's column mapping
    the command line's fix (:data:`CLI_FIXES`), in place."""
    eg = column_example(columns, mapped)
    for issue in issues:
        pair = CLI_FIXES.get((face, issue["code"]))
        if pair is None:
            continue
        said = _differ_example(issue, columns, mapped) if issue["code"] == "column_values_differ" else eg
        zh, en = pair[0].format(zh=said["zh"]), pair[1].format(en=said["en"])
        if isinstance(issue, dict):
            issue["fix_zh"], issue["fix_en"] = zh, en
        else:
            issue.fix_zh, issue.fix_en = zh, en


def mapping_hint(exc, face: str) -> None:
    """A register refused for a column it lacks (``details["missing"]``: the web answers it with its mapping
    card) gets the command line's way to name the column, appended to its hint, in place: ``import``:
    --column; ``facilities`` (an analysis): import the file with --column, or head the columns as read. A file
    without a type column whose headers were all read is not told so: --type is its fix (as the web's card is not
    shown then)."""
    d = getattr(exc, "details", None) or {}
    missing, columns = d.get("missing"), d.get("columns")
    if not missing or not isinstance(columns, list):
        return
    mapped = d.get("column_map") or {}
    if missing == ["type"] and all(c in set(mapped.values()) for c in columns):
        return
    field = next((f for f in missing if f != "type"), missing[0])
    eg = column_example(columns, mapped, field)
    fields_en, fields_zh = ", ".join(missing), "、".join(missing)
    if face == "import":
        en = f"On the command line, --column FIELD=HEADER says which column holds a field ({fields_en} missing){eg['en']}."
        zh = f"命令行中可用 --column 字段=列名 指定某字段所在的列（缺少：{fields_zh}）{eg['zh']}。"
    else:
        en = (f"A file whose headers are not recognised can be imported with coverplan data import facilities FILE "
              f"--column FIELD=HEADER ({fields_en} missing){eg['en']}; then run the analysis without --facilities.")
        zh = (f"列名无法识别的名录可用 coverplan data import facilities 文件 --column 字段=列名 导入（缺少：{fields_zh}）"
              f"{eg['zh']}，再不加 --facilities 分析。")
    exc.hint_en = f"{exc.hint_en} {en}".strip()
    exc.hint_zh = f"{exc.hint_zh}{zh}"


def _column_not_found(exc, cmap: dict | None) -> None:
    """The mapping's refusal of a header the file has not (planner.register_columns.map_columns: "the column
    mapping names 'X'") names the option it came from, in place."""
    from geo.tables import norm_header

    d = getattr(exc, "details", None) or {}
    columns = d.get("columns")
    if not cmap or not isinstance(columns, list) or d.get("missing"):
        return
    have = {norm_header(c) for c in columns}
    bad = next(((f, c) for f, c in cmap.items() if c and c not in columns and norm_header(c) not in have), None)
    if bad is None:
        return
    exc.hint_en = f"{exc.hint_en} Give --column {bad[0]}= one of the file's headers as written.".strip()
    exc.hint_zh += f"请在 --column {bad[0]}= 后填写文件中的某个列名（按文件中的写法）。"


def sheets_error(exc, face: str, file: str):
    """A workbook with several sheets of data rows (geo.tables: ``details["sheets"]``) said for the command line
    (its words were the web upload's: "one upload reads one sheet", "upload again", "if you choose to replace
    the whole city's"): ``import`` for `data import`, ``facilities`` for an analysis's --facilities file, which
    replaces nothing. Another error comes back as it is."""
    from geo.errors import InputDataError

    d = getattr(exc, "details", None) or {}
    sheets = d.get("sheets")
    if not isinstance(sheets, list) or len(sheets) < 2:
        return exc
    rows = d.get("sheet_rows")
    if isinstance(rows, list) and len(rows) == len(sheets):  # geo.tables may give each sheet's rows
        en_list = ", ".join(f"'{n}' ({k:,} {'row' if k == 1 else 'rows'})" for n, k in zip(sheets, rows))
        zh_list = "、".join(f"“{n}”（{k:,} 行）" for n, k in zip(sheets, rows))
    else:
        en_list, zh_list = ", ".join(f"'{n}'" for n in sheets), "、".join(f"“{n}”" for n in sheets)
    name = Path(file).name
    n = len(sheets)
    if face == "facilities":
        return InputDataError(
            f"{name} (the --facilities file): {n} sheets of the workbook hold data rows: {en_list}. An analysis reads "
            "one register from one sheet: the facilities of the other sheets would be left out of the answer.",
            f"{name}（--facilities 所指文件）：工作簿中有 {n} 个工作表都有数据行：{zh_list}。分析只从一个工作表读取名录，"
            "其余工作表的设施不会计入结果。",
            hint_en="Give --facilities a file of one sheet: keep the sheet to analyse (delete the others, or save it "
                    "as a file of its own, .xlsx or .csv); to analyse every sheet's facilities together, copy their "
                    "rows into one sheet under one header row (a county column may tell them apart). Or import "
                    "the sheets one by one with coverplan data import facilities and leave --facilities out.",
            hint_zh="请用只有一个工作表的文件作 --facilities：保留要分析的工作表（删去其余工作表，或把它另存为单独的 "
                    ".xlsx 或 .csv 文件）；如要一起分析各工作表的设施，请把各表的数据行复制到同一个工作表、共用一行表头"
                    "（可加一列“区县”区分）。也可把各工作表逐个用 coverplan data import facilities 导入，再不加 "
                    "--facilities 分析。",
            details={**d, "parameter": "--facilities"})
    return InputDataError(
        f"{name}: {n} sheets of the workbook hold data rows: {en_list}. `data import` reads one sheet: the other "
        "sheets' rows would not be imported.",
        f"{name}：工作簿中有 {n} 个工作表都有数据行：{zh_list}。data import 只读取一个工作表，其余工作表的数据行不会导入。",
        hint_en="Copy the rows of every sheet into one sheet under one header row (a county column may tell them "
                "apart) and delete the other sheets; or save each sheet as a file of its own and import them one by "
                "one. A facility register replaces its types only in the counties its rows lie in, so with one "
                "sheet a county every county's rows stay (with --replace city only the last sheet's rows would "
                "stay); a village file changes only the villages it lists.",
        hint_zh="请把各工作表的数据行复制到同一个工作表、共用一行表头（可加一列“区县”区分），删去其余工作表；也可把各"
                "工作表分别另存为文件逐个导入。设施名录只替换文件各行所在县区的该类设施，每县一个工作表逐个导入时各县的"
                "数据都会保留（加 --replace city 时只会留下最后一个工作表的数据）；村（社区）文件只更新文件中列出的村（社区）。",
        details=d)


# -- facilities: planner.register's report ----------------------------------------------
def _facilities(args, region) -> tuple:
    """Validate a register; (accepted GeoDataFrame, issues, counts)."""
    from geo.errors import InputDataError
    from planner import register as reg
    from planner.facility_types import get_type

    if args.type:
        get_type(args.type)  # an unknown key is refused here, with the known ones listed
    validate = getattr(reg, "validate_register", None)
    if validate is not None:
        cmap = getattr(args, "column_map", None)
        wanted = {"region": region, "type_key": args.type, "coords": args.coords, "encoding": args.encoding,
                  "crs": _crs(args.crs), "column_map": cmap}  # --column: as the web's mapping card sends it
        accepts = inspect.signature(validate).parameters
        kwargs = {k: v for k, v in wanted.items()
                  if k in accepts and (v is not None or k in ("type_key", "encoding"))}
        try:
            report = validate(args.file, **kwargs)
        except InputDataError as exc:  # a column missing: --column names it on the command line (QA 31)
            mapping_hint(exc, "import")
            _column_not_found(exc, cmap)
            raise
        # fixes naming the Data page's "Change the column mapping": --column here (QA 31)
        cli_fixes(report.issues, "import", getattr(report, "columns", ()), getattr(report, "column_map", None))
        # how the file was read (the README says the report shows it): text and --json
        args.read_info = {"read": {"columns": dict(getattr(report, "column_map", None) or {}),
                                   "encoding": getattr(report, "encoding", None), "crs": getattr(report, "crs", None),
                                   "coords": getattr(report, "datum", None)},
                          "notes": [[zh, en] for zh, en in getattr(report, "notes", None) or []]}
        for zh, en in getattr(report, "notes", None) or []:  # the sheet read, formulas without results ...
            print(zh if getattr(args, "lang", "zh") == "zh" else en[:1].upper() + en[1:], file=sys.stderr)
        issues = [dict(i) for i in (getattr(report, "issues", None) or [])]
        counts = dict(getattr(report, "counts", None) or {})
        accepted = report.accepted
        if args.type and accepted is not None and "facility_type" in accepted:
            column = (getattr(report, "column_map", None) or {}).get("type") or "type"
            accepted, counts = _other_types_refused(accepted, args.type, issues, counts, column)
        return accepted, issues, counts
    # the register reader of before (no per-row report): one error stops the file
    if args.coords == "auto":
        raise InputDataError("--coords auto needs the register validation of a newer coverplan; "
                             "give wgs84, gcj02 or bd09.",
                             "此版本的名录读取不支持 --coords auto，请指定 wgs84、gcj02 或 bd09。")
    if args.crs:
        raise InputDataError("--crs is not supported for registers by this version; convert to WGS84.",
                             "此版本的名录读取不支持 --crs，请先转换为WGS84经纬度。")
    gdf = reg.load_register(args.file, region=region, coords=args.coords, facility_type=args.type)
    return gdf, [], {"rows": int(len(gdf)), "accepted": int(len(gdf)), "refused": 0, "warnings": 0}


def _other_types_refused(acc, type_key: str, issues: list, counts: dict, column: str):
    """Rows whose type column names another type than --type: refused, each named with its row, as the web's
    import names them (web.data), with the fix in the CLI's words. The layer of --type cannot hold them: the
    store refused the whole file with a Python list, "holds facilities of another type: ['welfare_home']"
    (QA 23)."""
    from planner.facility_types import get_type

    other = acc["facility_type"].astype(str) != type_key
    if not other.any():
        return acc, counts

    def name(key: str, lang: str) -> str:
        try:
            return get_type(key).name(lang)
        except Exception:  # a key the types file does not know: the key names it
            return key
    if other.all():  # not one row of --type: one sentence naming the file's types, not the same line per row
        from geo.errors import InputDataError, listed

        found = acc["facility_type"].astype(str).value_counts()
        parts = {lang: listed([f"{n:,} {'row' if n == 1 else 'rows'} of \"{name(k, 'en')}\" ({k})" if lang == "en"
                               else f"“{name(k, 'zh')}”（{k}）{n:,} 行" for k, n in found.items()], lang)
                 for lang in ("en", "zh")}
        first = str(found.index[0])
        rows = [int(x) for x in acc["source_row"]] if "source_row" in acc else []
        raise InputDataError(
            f"No row of this file is of the facility type chosen by --type, \"{name(type_key, 'en')}\" ({type_key}): "
            f"its type column ({column}) gives {parts['en']}.",
            f"该文件中没有 --type 所选设施类型“{name(type_key, 'zh')}”（{type_key}）的行：其类型列（{column}）为{parts['zh']}。",
            hint_en=f"Choose --type {first}, or leave --type out to take the file's type column.",
            hint_zh=f"请改用 --type {first}，或不加 --type（按文件中的类型列导入）。",
            details={"parameter": "--type", "value": type_key, "types": {str(k): int(n) for k, n in found.items()},
                     "refused_rows": rows})
    for _, r in acc[other].iterrows():
        row_type = str(r["facility_type"])
        issues.append({
            "row": int(r["source_row"]) if "source_row" in r and r["source_row"] == r["source_row"] else None,
            "column": column, "severity": "error", "code": "type_mismatch", "value": row_type, "candidates": [],
            "message_zh": f"类型列为“{name(row_type, 'zh')}”（{row_type}），与 --type 所选设施类型“{name(type_key, 'zh')}”"
                          f"（{type_key}）不符",
            "message_en": f"the type column says \"{name(row_type, 'en')}\" ({row_type}), not the facility type "
                          f"chosen by --type, \"{name(type_key, 'en')}\" ({type_key})",
            "fix_zh": f"请改用 --type {row_type}，或不加 --type（按文件中的类型列导入），或改正该行的类型",
            "fix_en": f"Choose --type {row_type}, or leave --type out to take the file's type column, or correct "
                      "the row's type"})
    n = int(other.sum())
    counts = {**counts, "accepted": int(counts.get("accepted", len(acc))) - n,
              "refused": int(counts.get("refused", 0)) + n}
    return acc[~other], counts


def _read(args, region) -> tuple:
    """(layer name, checked layer, issues, counts) for the file of ``args.kind``."""
    from geo.errors import InputDataError
    from geo.imports import check_townships, check_villages
    from planner.i18n import t

    if args.type and args.kind != "facilities":
        raise InputDataError("--type is for facilities only.", "--type 仅用于设施名录。")
    if args.kind == "facilities":
        gdf, issues, counts = _facilities(args, region)
        layer = f"facilities:{args.type}" if args.type else "facilities"
    else:
        check = check_townships if args.kind == "townships" else check_villages
        coords = "wgs84" if args.coords == "auto" else args.coords
        gdf = check(region, args.file, crs=_crs(args.crs), coords=coords, encoding=args.encoding)
        args.read_info = {"read": {"columns": {}, "encoding": gdf.attrs.get("encoding"), "crs": gdf.attrs.get("crs"),
                                   "coords": coords}}
        issues, refused = [], []
        if gdf.attrs.get("crs_assumed"):  # a layer without .prj read as lon/lat: said first, as the browser does
            issues.append({"row": None, "column": None, "severity": "warning", "code": "crs_assumed",
                           "message_zh": t("reg_crs_assumed", "zh"), "message_en": t("reg_crs_assumed", "en"),
                           "fix_zh": t("reg_fix_crs_assumed", "zh"), "fix_en": t("reg_fix_crs_assumed", "en"),
                           "value": "", "candidates": []})
        if args.kind == "villages":  # refused rows and points outside their township, row by row, as in the browser
            from geo.imports import village_placement_issues
            refused = gdf.attrs.get("refused") or []
            issues += refused + village_placement_issues(region, gdf)
        else:  # the columns nothing reads, and polygons repaired, as in the browser
            from geo.imports import township_issues
            issues += township_issues(gdf)
        counts = {"rows": int(gdf.attrs.get("read") or len(gdf)), "accepted": int(len(gdf)), "refused": len(refused),
                  "warnings": len(issues) - len(refused),
                  # totals and footer rows of a village file, skipped with a note each (rows = accepted + refused
                  # + skipped, as the data page counts them)
                  **({"skipped": len(gdf.attrs["skipped"])} if gdf.attrs.get("skipped") else {})}
        layer = args.kind
    name = Path(args.file).name
    blocking = [i for i in issues if i.get("severity") == "error" or i.get("fixed")]
    empty = gdf is None or len(gdf) == 0
    rows = sorted({i["row"] for i in blocking if i.get("row") is not None})
    # all or nothing: a row refused (or corrected automatically) stops the import unless the planner,
    # having seen the list, takes the accepted rows with --partial (in the browser, the Confirm given
    # under the report is that choice); --dry-run shows the report, and says the import would stop
    if empty or (blocking and not args.partial and not args.dry_run):
        shown = blocking[:10]
        key = "ds_no_rows" if empty else "ds_rows_refused"
        raise InputDataError(
            t(key, "en", file=name, n=len(rows)) + " " + "; ".join(
                issue_text(i, "en", strict=True).strip() + _candidates_text(i.get("candidates"), "en", inline=True)
                for i in shown) + ("." if shown else ""),
            t(key, "zh", file=name, n=len(rows)) + "；".join(
                issue_text(i, "zh", strict=True).strip() + _candidates_text(i.get("candidates"), "zh", inline=True)
                for i in shown) + ("。" if shown else ""),
            hint_en="" if empty else t("ds_partial_hint", "en"), hint_zh="" if empty else t("ds_partial_hint", "zh"),
            details={"refused_rows": rows, "issues": issues, "counts": counts})
    blocked = _blocked(rows, len(blocking), getattr(args, "lang", "zh")) if blocking and not args.partial else None
    return layer, gdf, issues, counts, blocked


def _blocked(rows: list, n: int, lang: str) -> dict:
    """What a dry run says of a file the import would refuse without --partial (QA 26: it said "Would change:
    facilities added: 6", exit 0, while the import refused the file): the rows, and a sentence in ``lang``."""
    count = len(rows) or n
    shown = ", ".join(str(r) for r in rows[:20]) + (", ..." if len(rows) > 20 else "")
    shown_zh = "、".join(str(r) for r in rows[:20])  # "第 2、3 … 21 行等": 等 after 行 (it read "21等 行")
    if lang == "en":
        text = (f"Without --partial nothing would be imported: {count:,} {'row was' if count == 1 else 'rows were'} "
                "refused or corrected automatically" + (f" (row {shown})" if len(rows) == 1 else
                                                       f" (rows {shown})" if rows else "")
                + ". Fix them and import again, or add --partial to import the accepted rows, those corrected "
                "automatically as corrected (--dry-run --partial lists the corrections). With --partial the "
                "import would change:")
    else:
        text = (f"不加 --partial 时整个文件不会导入：有 {count:,} 行被拒绝或被自动更正" + (f"（第 {shown_zh} 行{'等' if len(rows) > 20 else ''}）" if rows else "")
                + "。请修改这些行后重新导入；或加 --partial 导入通过校验的行（被自动更正的行按更正后导入，"
                "--dry-run --partial 会列出所做的更正）。加 --partial 时将产生的变化：")
    return {"rows": rows, "text": text}


def _import(args) -> int:
    from geo.archives import check_file
    from geo.datasets import check_source_size
    from geo.errors import InputDataError
    from geo.import_reports import refused_note, report_facts

    args.column_map = column_map(getattr(args, "column", None), args.kind)  # said before any file is read
    args.encoding = check_encoding(args.encoding)  # latin1 read Chinese headers as mojibake (QA 33)
    if args.coords == "cgcs2000":  # the same lon/lat as WGS84 to centimetres, as the analysis commands read it
        args.coords = "wgs84"
    path = Path(args.file)
    check_file(path)
    check_source_size(path)
    store = _store(args, create=not args.dry_run)  # a dry run saves nothing: it makes no folder either
    before = store.current()
    region = store.region()
    try:
        layer, gdf, issues, counts, blocked = _read(args, region)
    except InputDataError as exc:  # a workbook of several sheets: said in the command line's words (QA 31)
        said = sheets_error(exc, "import", args.file)
        if said is exc:
            raise
        raise said from exc
    scope, scope_text = _scope(args, layer, gdf, region)
    # ids of another county's facilities, kept as they are: the import refuses the file (keep_other_counties
    # raises it); a dry run says so as blocked, with no change list: nothing would change (it listed a
    # whole-city replace, blocked null)
    refused = register_scope.refusal(scope, args.replace, cli=True)
    if refused is not None and args.dry_run:
        rows_refused = blocked  # the rows refused besides, said too (the refusal's text replaced it: review)
        blocked = register_scope.blocked(refused, gdf, getattr(args, "lang", "zh"))
        if rows_refused:
            lines = rows_refused["rows"]
            shown = ", ".join(str(r) for r in lines[:20]) + (", ..." if len(lines) > 20 else "")
            blocked["text"] += (f" Besides, {len(lines):,} {'row was' if len(lines) == 1 else 'rows were'} refused "
                                f"or corrected automatically (row{'s' if len(lines) != 1 else ''} {shown})."
                                if getattr(args, "lang", "zh") == "en" else
                                f"此外有 {len(lines):,} 行被拒绝或被自动更正（第 {'、'.join(str(r) for r in lines[:20])} 行"
                                f"{'等' if len(lines) > 20 else ''}）。") if lines else ""
            blocked["rows"] = sorted(set(blocked["rows"]) | set(lines))
        preview, same = None, None
    else:
        # the other counties' facilities of the type kept as they are (the default)
        accepted = gdf
        if scope is not None and args.replace != "city":
            gdf = register_scope.keep_other_counties(layer, gdf, region.facilities, cli=True,
                                                     provenance=region.provenance)
        # and the facilities the rows refused stand for (--partial), as the browser's confirm keeps them (QA 31)
        if scope is not None:
            gdf, _ = register_scope.keep_refused(layer, gdf, accepted, region.facilities,
                                                 provenance=region.provenance)
        # the same data again (the register's own export, say) makes no version, as in the browser: the
        # history would hold a version whose diff is "no change"
        preview, same = store.import_check(layer, gdf, path.name)
        own_capacity_only(preview, capacity_columns())  # as the Data page's preview counts capacity (QA 33)
    version, replaced_text = None, ""
    if not args.dry_run and same is None:
        note = refused_note((args.note or "").strip(), int(counts.get("refused") or 0))  # "see the report", as the web's
        version = store.commit_layer(layer, gdf, source_path=path, author=args.author, note=note)
        # what the import replaced, as the web's confirm keeps it: both languages, as said before it (a dry run)
        replaces = {lang: " ".join(_scope_lines(scope, region, lang, args.replace)) for lang in ("zh", "en")} \
            if scope else None
        facts = report_facts(getattr(args, "read_info", {}).get("read"),
                             located_by_name=int(counts.get("located_by_name") or 0),
                             replace=args.replace if layer.startswith("facilities") else None, replaces=replaces)
        _keep_report(args, store, version, path, layer, counts, issues, before.version, facts)
        if scope:  # and said now in the past (it said "on confirm, this file's ... replace": QA 31)
            replaced_text = "\n".join(_replaced_lines(scope, region, getattr(args, "lang", "zh"), args.replace,
                                                      before.version))
    out = {"dry_run": bool(args.dry_run), "kind": args.kind, "layer": layer, "file": path.name,
           "version": version, "current": version if version is not None else before.version,
           "previous": before.version, "unchanged": same, "counts": counts, "issues": issues, "changes": preview,
           "blocked": blocked, "replace": args.replace if layer.startswith("facilities") else None,
           "scope": scope, "scope_text": scope_text, "replaced_text": replaced_text or None,
           **getattr(args, "read_info", {})}
    if version is not None:
        row = store.version(version)
        out.update({"sha256": row.source_sha256, "rows": row.rows, "replaced": row.replaced})
    if args.json:
        print_json(out)
        return 0
    _print_import(out, args.lang)
    return 0


def _scope(args, layer: str, gdf, region) -> tuple[list | None, str]:
    """What a register replaces (planner.register_scope), per type, and the sentences saying it in --lang."""
    if not layer.startswith("facilities") or gdf is None or not len(gdf):
        return None, ""
    items = register_scope.plan(layer, gdf, region.facilities, args.replace)
    return items, "\n".join(_scope_lines(items, region, getattr(args, "lang", "zh"), args.replace))


def _type_name(key: str, lang: str) -> str:
    from planner.facility_types import get_type

    try:
        return get_type(key).name(lang)
    except Exception:  # a type the types file does not know: its key names it
        return key


def _scope_lines(items: list, region, lang: str, mode: str) -> list[str]:
    """What the import replaces and keeps, type by type, as said before it (a dry run; the kept report)."""
    names = register_scope.county_names(region, lang)
    lines = []
    for it in items:
        lines.append(register_scope.plan_text(it, _type_name(it["type"], lang), names, lang, mode))
        if it.get("refused_kept"):  # the facilities the refused rows stand for, kept as they are (QA 31)
            lines.append(register_scope.refused_text(it["refused_kept"], lang))
        if it["clash"]:
            lines.append(register_scope.clash_error(it["clash"], True).message(lang))
    choice = register_scope.choice_text(items, lang, mode, choice_zh="加 --replace city",
                                        choice_en="add --replace city")
    return lines + ([choice] if choice else [])


def _replaced_lines(items: list, region, lang: str, mode: str, previous: int) -> list[str]:
    """What the import replaced and kept, type by type, said after it in the past: the planner's sentences
    (planner.register_report.replaced_lines, QA 34), with the command that brings the replaced back."""
    from planner.register_report import replaced_lines

    return replaced_lines(items, region, lang, mode, f"coverplan data rollback {previous}")


def _keep_report(args, store, version: int, path: Path, layer: str, counts: dict, issues: list, checked: int,
                 facts: dict | None = None) -> None:
    """Keep the report of the check that made ``version`` where the web app keeps an upload's
    (``<data dir>/reports/v<N>/``, geo.import_reports): the version list offers it, `coverplan backup` takes
    it. A version made by `data import` kept none (QA 26: report null, its report.xlsx 404)."""
    from geo.datasets import sha256_file
    from geo.import_reports import keep_report, report_issue

    lang = getattr(args, "lang", "zh")
    meta = {"original": path.name, "size": path.stat().st_size, "sha256": sha256_file(path), "layer": layer,
            "counts": counts, "status": "checked", "blocked_rows": None, "version_checked": checked,
            "notes": getattr(args, "read_info", {}).get("notes") or [],  # the file's notes: the download lists them
            "made_by": "cli",
            "options": {"kind": args.kind, "type": args.type or "", "coords": args.coords,
                        "encoding": args.encoding or "", "crs": _crs(args.crs), "note": (args.note or "").strip(),
                        "partial": bool(args.partial),
                        "column_map": dict(getattr(args, "column_map", None) or {})},  # --column, as the web keeps it
            # what the report's download lists above its table: how the file was read, what it replaced (QA 31)
            **({"facts": facts} if facts else {})}
    try:
        keep_report(store.root.parent.parent, version, [report_issue(i, lang) for i in issues], meta)
    except (OSError, ValueError) as exc:  # the version is made; it is not undone over its report
        print(("未能保存该版本的校验报告：" if lang == "zh" else "Could not keep the version's validation report: ")
              + str(exc), file=sys.stderr)


def _print_import(out: dict, lang: str) -> None:
    from planner.i18n import t

    c = out["counts"]
    refused = c.get("refused", 0)
    warnings = c.get("warnings", sum(1 for i in out["issues"] if i.get("severity") == "warning"))
    blocked = out.get("blocked")
    skipped = c.get("skipped") or 0
    # rows skipped on purpose (totals, footers, copies) said, so the counts add up to the file's rows (QA 32)
    print(t("ds_validated", lang, accepted=c.get("accepted", c.get("rows", "?")), refused=refused,
            warnings=warnings) + (t("ds_validated_skipped", lang, rows=c.get("rows", "?"), skipped=skipped)
                                  if skipped else ""))
    read = _read_text(out.get("read"), lang)
    if read:
        print(read)
    for issue in out["issues"][:SHOWN]:
        # as the JSON says it (a swapped pair fixed is a warning, read the other way round); a dry run of a file
        # the import would refuse without --partial adds that the correction is not made then (QA 27)
        line = issue_text(issue, lang)
        if blocked and issue.get("fixed"):
            line += "（不加 --partial 时此处不自动改正）" if lang == "zh" else " (without --partial: not corrected here)"
        cands = _candidates_text(issue.get("candidates"), lang)
        if cands:
            line += cands
        print(line)
    if len(out["issues"]) > SHOWN:
        print("  " + t("ds_issue_more", lang, n=len(out["issues"]) - SHOWN))
    if out.get("unchanged") is not None:
        print(t("ds_unchanged", lang, v=out["unchanged"]))
        return
    if out.get("replaced_text"):  # made: what it replaced and kept, in the past
        print(out["replaced_text"])
    elif out.get("scope_text"):  # what the import replaces, and what it keeps (planner.register_scope)
        print(out["scope_text"])
    if out["dry_run"]:
        print(t("ds_dry_run", lang, v=out["previous"]))
        print(blocked["text"] if blocked else t("ds_would_change", lang))
    else:
        print(t("ds_committed", lang, v=out["version"], layer=_layer_name(out["layer"], lang),
                file=out["file"], rows=out.get("rows")))
        print(t("ds_changes", lang))
    if out["changes"] is not None:  # None: the import would be refused as a whole (blocked says why)
        _print_changes(out["changes"], lang)


def _candidates_text(cands, lang: str, inline: bool = False) -> str:
    """An ambiguous name's candidates, as the page lists them to pick from ("请从候选中选择")."""
    if not cands:
        return ""
    shown = []
    for c in cands[:8]:
        if isinstance(c, dict):
            path = c.get("path_en" if lang == "en" else "path") or c.get("path") or ""
            shown.append(f"{path} ({c.get('code')})" if lang == "en" else f"{path}（{c.get('code')}）")
        else:
            shown.append(str(c))
    more = len(cands) - len(shown)
    if inline:  # within an error's sentence
        if lang == "en":
            return " (candidates: " + "; ".join(shown) + (f"; {more} more" if more > 0 else "") + ")"
        return "（候选：" + "；".join(shown) + (f"；另有 {more} 个" if more > 0 else "") + "）"
    if lang == "en":
        return "\n      candidates: " + "; ".join(shown) + (f"; {more} more (--json)" if more > 0 else "")
    return "\n      候选：" + "；".join(shown) + (f"；另有 {more} 个（见 --json）" if more > 0 else "")


def _read_text(read: dict | None, lang: str) -> str:
    """How the file was read: the column mapping, the encoding, the CRS and the lon/lat datum."""
    if not read:
        return ""
    cols = read.get("columns") or {}
    datum = {"wgs84": "WGS84/CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}.get(read.get("coords") or "", read.get("coords"))
    if lang == "en":
        parts = ["Columns: " + (", ".join(f"{c} -> {k}" for k, c in cols.items() if c) or "-")] if cols else []
        parts += [f"encoding: {read.get('encoding') or '-'}", f"CRS: {read.get('crs') or '-'}",
                  f"lon/lat datum: {datum or '-'}"]
        return "  " + "; ".join(parts)
    parts = ["列对应：" + ("，".join(f"{c} → {k}" for k, c in cols.items() if c) or "—")] if cols else []
    parts += [f"编码：{read.get('encoding') or '—'}", f"坐标系：{read.get('crs') or '—'}", f"经纬度基准：{datum or '—'}"]
    return "  " + "；".join(parts)


# -- versions, diff, rollback ------------------------------------------------------------
def _layer_name(layer: str | None, lang: str) -> str:
    from planner.i18n import t

    if not layer:
        return "–"
    names = []
    for part in layer.split(","):
        base, _, ftype = part.partition(":")
        text = t(f"ds_layer_{base}", lang)
        if ftype:
            try:
                from planner.facility_types import get_type
                text += f"（{get_type(ftype).name(lang)}）" if lang == "zh" else f" ({get_type(ftype).name(lang)})"
            except Exception:  # a type removed from the TOML since: its key still names it
                text += f":{ftype}"
        names.append(text)
    return "、".join(names) if lang == "zh" else ", ".join(names)


def _versions(args) -> int:
    from geo.datasets import EDIT_FIELDS, note_in
    from planner.i18n import t

    from geo.import_reports import kept_meta, version_rows

    store = _store(args, create=False)
    rows = [v.to_dict() for v in store.versions()]
    for r in rows:  # "rows" as the Data page and its API say it: the layer's rows after the version (QA 31)
        kept = kept_meta(store.root.parent.parent, r["version"], r.get("source_sha256")) if r["version"] else None
        r.update(version_rows(r, kept, args.lang))
    if args.json:
        print_json({"region": args.region, "current": next(r["version"] for r in rows if r["current"]),
                    "versions": rows})
        return 0
    from cli.output import cell, columns

    lang = args.lang
    table = [[t("ds_version", lang), t("ds_created", lang), t("ds_kind", lang), t("ds_layer", lang),
              t("ds_rows", lang), t("ds_source", lang), t("ds_author", lang), t("note", lang)]]
    for r in rows:
        mark = "*" if r["current"] else " "
        what = _layer_name(r["layer"], lang)
        # an edit's "<zh> / <en>" and the web's refused-rows count: one half; attribute keys of notes stored
        # before in the popup's words (地址、联系电话), as the data page shows them
        note = note_in(r["note"] or "", lang, fields=lambda keys: "、".join(t("field_" + k, "zh") for k in keys)
                       if set(keys) <= set(EDIT_FIELDS) else None)
        if r["kind"] == "rollback":
            what = t("ds_rollback_to", lang, v=r["target"])
        if r["kind"] == "embedded":
            what, note = t("ds_embedded_note", lang), ""
        status = "" if r["status"] == "ok" else f" [{t('ds_status_' + r['status'], lang)}]"
        table.append([f"{mark}{r['version']}", r["created_iso"], t("ds_kind_" + r["kind"], lang), what,
                      "" if r["rows"] is None else f"{r['rows']:,}", _source_cell(r, lang),
                      t("ds_author_here", lang) if r["author"] == ANONYMOUS_AUTHOR else r["author"] or "",
                      f"{note}{status}"])
    # columns aligned by display width (a Chinese character takes two: QA 27), numbers to the right
    widths = [max(columns(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for n, row in enumerate(table):
        line = "  ".join(cell(v, widths[i], ">" if i in (0, 4) and n else "<") for i, v in enumerate(row[:-1]))
        print((line + "  " + row[-1]).rstrip())
    cur = next(r["version"] for r in rows if r["current"])
    print(f"* {t('ds_current', lang)}: {cur}")
    return 0


def _source_cell(r: dict, lang: str) -> str:
    """A version's file, with its rows when it is an import ("v.csv（文件 13 行）"): the rows column is the layer's."""
    name, note = r.get("source_name") or "", r.get("rows_note") or ""
    if not note:
        return name
    return f"{name}（{note}）" if lang == "zh" else f"{name} ({note})".strip()


def _check_versions(*versions: int) -> None:
    """A version number beyond SQLite's integers (data rollback 99999999999999999999999) cannot name a version:
    said in the store's words, before it is opened (it was an OverflowError traceback: QA 21)."""
    from geo.errors import NotFoundError

    for v in versions:
        if not -2**63 <= v < 2**63:
            raise NotFoundError(f"No data version {v}.", f"没有数据版本 {v}。",
                                hint_en="`coverplan data versions` lists them.",
                                hint_zh="可用 `coverplan data versions` 查看全部版本。", details={"version": str(v)})


def _diff(args) -> int:
    from planner.i18n import t

    _check_versions(args.v1, args.v2)
    # a day-care centre's beds changing is a detail, not a capacity change, as the Data page counts it (QA 33)
    d = own_capacity_only(_store(args, create=False).diff(args.v1, args.v2), capacity_columns())
    if args.json:
        print_json(d)
        return 0
    print(t("ds_diff_title", args.lang, a=d["from"], b=d["to"]))
    _print_changes(d, args.lang)
    return 0


def _count(v, lang: str) -> str:
    return ("未知" if lang == "zh" else "unknown") if v is None else f"{v:,.0f}"


def _quality(value, lang: str) -> str:
    """A geometry_quality value in words (近似 / approximate: planner.i18n's q_* words, as `region info` says
    them); a value without words as stored. The Chinese diff said "(approximate → official)" (QA 23)."""
    from planner.i18n import t

    if value is None:
        return "–"
    key = f"q_{value}"
    word = t(key, lang)
    return str(value) if word == key else word


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _print_changes(d: dict, lang: str) -> None:
    from planner.i18n import t
    from planner.numbers import moved_text

    changed = d.get("layers", {}).get("changed", [])
    print(f"  {t('ds_layers_changed', lang)}: "
          f"{_layer_name(','.join(changed), lang) if changed else t('ds_no_change', lang)}")
    f = d["facilities"]
    sections = [
        ("ds_fac_added", f["added"], lambda r: f"{r['id']} {r['name']} ({r['facility_type']}) {r['lon']},{r['lat']}"),
        ("ds_fac_removed", f["removed"], lambda r: f"{r['id']} {r['name']} ({r['facility_type']})"),
        # a move's distance as the web's comparison and report say it ("移动 939 米", not "移动 938.8 米": QA 34)
        ("ds_fac_moved", f["moved"], lambda r: f"{r['id']} {r['name']}: {moved_text(r, lang)}"),
        ("ds_fac_changed", f["changed"], lambda r: f"{r['id']} {r['name_before']} → {r['name']}"),
        # an address or phone changed (the diff's facilities_attributes): listed as the web's comparison lists
        # them (QA 31: an import's "Changes:" left out the 10 addresses it changed)
        (("属性变化的设施", "facilities with changed attributes"), f.get("attributes", []),
         lambda r: f"{r['id']} {r['name']}" + _paren(attribute_words(r, lang), lang)),
        ("ds_fac_capacity", f.get("capacity", []),
         lambda r: f"{r['id']} {r['name']} ({r['field']}): {_count(r['before'], lang)} → {_count(r['after'], lang)}"),
        ("ds_town_changed", d["townships"]["changed"],
         lambda r: f"{r['code']} {r['name']}: " + t("ds_area_change", lang, a=f"{r['area_km2_before']:,.2f}",
                                                     b=f"{r['area_km2_after']:,.2f}", c=f"{r['changed_km2']:,.2f}")
         + _paren(f"{_quality(r['geometry_quality_before'], lang)} → {_quality(r['geometry_quality_after'], lang)}",
                  lang)),
        ("ds_town_requalified", d["townships"].get("requalified", []), None),  # often all of them: a count
        ("ds_vill_moved", d["villages"]["moved"],
         lambda r: f"{r['code']} {r['name']}: {moved_text(r, lang)}"),
        # a village whose point is now official (or 示意 again) where it stood: a count, as townships' (QA 34)
        ("qa34_vill_requalified", d["villages"].get("requalified", []), None),
        ("ds_pop_changed", [{"code": c} for c in d["population"]["changed"]], lambda r: r["code"]),
        ("ds_sites_changed", [dict(r, how=k) for k in ("added", "moved", "removed")
                              for r in d.get("planner_sites", {}).get(k, [])],
         lambda r: f"{r['id']} {r['name']} ({r['facility_type']}): {r['how']}"),
        ("ds_marks_changed", [dict(r, how=k) for k in ("added", "changed", "removed")
                              for r in d.get("site_marks", {}).get(k, [])],
         lambda r: f"{r['candidate_id']} ({r['facility_type']}): {r['how']} {r.get('mark', '')}"),
    ]
    shown = [(key, items, fmt) for key, items, fmt in sections if items]
    for key, items, fmt in shown:
        title = (key[0] if lang == "zh" else key[1]) if isinstance(key, tuple) else t(key, lang)
        print(f"  {title}: {len(items)}")
        for r in (items[:SHOWN] if fmt else []):
            print(f"    {fmt(r)}")
        if fmt and len(items) > SHOWN:
            print("    " + t("ds_issue_more", lang, n=len(items) - SHOWN))


def _mark(args) -> int:
    from geo.datasets import MARKS
    from planner.facility_types import get_type
    from planner.marks import changed_marks

    store = _store(args)
    ftype = get_type(args.type)
    table, _, text = changed_marks(store.region(), ftype, args.candidate, args.mark,
                                   all_types=args.all_types, note=args.note)
    note = f"{text['zh']} / {text['en']}" + (f"：{args.note}" if args.note else "")
    version = store.commit_layer(MARKS, table, author=args.author, note=note, kind="edit")
    if args.json:
        print_json({"version": version, "candidate_id": args.candidate, "type": ftype.key, "mark": args.mark,
                    "scope": "all" if args.all_types else "type"})
        return 0
    print(f"{text['zh' if args.lang == 'zh' else 'en']} → v{version}")
    return 0


def _rollback(args) -> int:
    from planner.i18n import t

    _check_versions(args.version)
    from geo.errors import InputDataError

    store = _store(args)
    try:
        new = store.rollback(args.version, author=args.author, note=args.note)
    except InputDataError as exc:
        # the store's hint names the web page's "Compare"; on the command line that is `data diff` (QA 27)
        cur = (exc.details or {}).get("current")
        if cur is not None and "version" == (exc.details or {}).get("parameter"):
            exc.hint_en = (f"Choose a version whose data differ (`coverplan data diff {args.version} {cur}` shows "
                           "what changed between two versions; `coverplan data versions` lists them).")
            exc.hint_zh = (f"请选择数据不同的版本（`coverplan data diff {args.version} {cur}` 可查看两个版本的差异；"
                           "`coverplan data versions` 列出全部版本）。")
        raise
    row = store.version(new)
    if args.json:
        print_json({"version": new, "target": args.version, "current": new, "row": row.to_dict()})
        return 0
    print(t("ds_rolled_back", args.lang, v=new, target=args.version))
    return 0
