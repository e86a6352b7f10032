"""`coverplan coverage | check-townships | targets | propose`: what planners ask."""
from __future__ import annotations

import argparse
import json
import os
import sys

from cli.lang import h
from cli.options import (add_coords, add_data_store, add_json, add_mode, add_region, check_files, check_gap,
                         check_input_file, check_p, check_time_limit, given_float, option_error, p_error,
                         resolve_mode)
from cli.output import (cell, columns, county_namer, data_parts, data_version, in_lang, missing, new_sites_text,
                        out_frame, pad, print_json, progress, scope_of, solver_line, table_title, write_table)


def _common(p: argparse.ArgumentParser, *, type_required: bool = True) -> None:
    add_region(p)
    add_data_store(p)
    p.add_argument("--type", required=type_required,
                   help=h("设施类型代码，如 elderly_complex", "facility type key, e.g. elderly_complex"))
    p.add_argument("--facilities",
                   help=h("本单位现有设施名录（.csv/.xlsx/.xls/.geojson/.zip Shapefile/.gpkg/.kml/.kmz）；"
                          "未填类型的行按 --type 计",
                          "your register of existing facilities (.csv/.xlsx/.xls/.geojson/"
                          ".zip Shapefile/.gpkg/.kml/.kmz); rows without a type take --type"))
    add_coords(p)
    add_mode(p)
    p.add_argument("--network", help=h("--mode network 所用的路网（.graphml、.osm 或 .osm.pbf）",
                                       "road network for --mode network (.graphml, .osm or .osm.pbf)"))
    add_json(p)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("coverage", help=h("覆盖分析：某类设施的覆盖情况", "coverage of a facility type"))
    _common(p)
    p.add_argument("--out", help=h("写出各单元明细表（.csv 或 .xlsx）", "write the per-unit table (.csv or .xlsx)"))
    p.set_defaults(func=_coverage)

    p = sub.add_parser("check-townships", help=h("乡镇全覆盖核查：逐个乡镇（街道）的清单", "per-township checklist"))
    _common(p, type_required=False)
    p.add_argument("--county", help=h("只看此县区：代码或名称（如 420381 或 丹江口市）",
                                      "only this county: code or name (e.g. 420381 or Danjiangkou City)"))
    p.add_argument("--status", choices=["met", "not_met", "na"],
                   help=h("只列出此状态的乡镇（街道）：met 达标、not_met 未达标、na 不适用（无此类需求单元）",
                          "only townships in this state: met, not_met, na (no demand unit of the type)"))
    p.add_argument("--out", help=h("写出核查清单（.csv 或 .xlsx）", "write the checklist (.csv or .xlsx)"))
    p.set_defaults(func=_check)

    p = sub.add_parser("targets", help=h("规划目标：现状及实施方案后的进度", "the plan's targets, now and after proposals"))
    add_region(p)
    add_data_store(p)
    p.add_argument("--proposal", action="append", default=[],
                   help=h("选址方案 GeoJSON（可重复给出）", "proposal GeoJSON (repeatable)"))
    p.add_argument("--facilities",
                   help=h("本单位现有设施名录（格式同 coverage --facilities；每行须写明设施类型）",
                          "your register of existing facilities (as for coverage --facilities; every row "
                          "must name its facility type)"))
    add_coords(p)
    add_mode(p, h("覆盖类目标按估算还是按 --network 路网计算（给出 --network 时默认按路网）",
                  "measure the coverage targets on the estimate or on --network (the default when --network is given)"))
    p.add_argument("--network", help=h("--mode network 所用的路网（.graphml、.osm 或 .osm.pbf）",
                                       "road network for --mode network (.graphml, .osm or .osm.pbf)"))
    add_json(p)
    p.add_argument("--out", help=h("写出目标表（.csv 或 .xlsx，与网页“规划组合”页导出的表相同）",
                                   "write the targets table (.csv or .xlsx, as the web's plan package page exports it)"))
    p.set_defaults(func=_targets)

    p = sub.add_parser("propose", help=h("选址方案：提出新建站点", "propose new sites"))
    _common(p)
    p.add_argument("--model", default="auto", choices=["auto", "mclp", "lscp", "pmedian", "pcenter"],
                   help=h("选址模型：auto 用设施类型的默认模型（默认；该默认为 lscp 且给出 --p 时改用 mclp）、"
                          "mclp 最大覆盖、lscp 全覆盖最少站点、pmedian 总出行最短（p-中位）、"
                          "pcenter 最远距离最短（p-中心）；带 --sizes 时不用",
                          "site model: auto the type's default (default; mclp instead of lscp when --p is given), "
                          "mclp maximal covering, lscp fewest sites covering all, pmedian least total travel, "
                          "pcenter least worst travel; not used with --sizes"))
    p.add_argument("--p", type=int,
                   help=h("新建站点数（mclp、pmedian、pcenter）", "number of new sites (mclp, pmedian, pcenter)"))
    p.add_argument("--standard", type=given_float,
                   help=h("服务标准，按该设施类型的单位（分钟或米）", "service standard in the type's unit (min or m)"))
    p.add_argument("--time-limit", type=given_float, default=60.0,
                   help=h("求解时限（秒，默认 60）", "solver time limit in seconds (default 60)"))
    p.add_argument("--gap", type=given_float, default=None,
                   help=h("达到此相对 MIP 差距即停止（默认 0；带 --sizes 时默认 0.0005，即距最优不超过 0.05%%，"
                          "至少 0.0001）",
                          "relative MIP gap to stop at (default 0; with --sizes 0.0005, within 0.05%% of the best, "
                          "and at least 0.0001)"))
    p.add_argument("--county", help=h("只为此县区选址：按该县区的需求、现有设施与候选点求解（代码或名称，如 420325 或 房县）",
                                      "propose for this county only: its demand, facilities and candidate sites "
                                      "(code or name, e.g. 420325 or Fang County)"))
    p.add_argument("--out", help=h("写出方案（.geojson、.csv 或 .xlsx）", "write the proposal (.geojson, .csv or .xlsx)"))
    p.set_defaults(func=_propose)


def current_region(name: str, db: str | None = None, data_dir: str | None = None):
    """The region at the current data version of the store the `data` commands write (and the web app
    reads: VAR_DIR/proposals.sqlite, its layer files beside it; ``--db``/``--data-dir`` as those commands
    take them), as the web app answers on it; the embedded data (version 0) when no store exists yet (a
    fresh machine: nothing is created) or its current version is 0. The store is only read (SQLite
    read-only: no table, folder or lock is made), and a database that cannot be read is said in words."""
    import sqlite3
    from pathlib import Path

    from geo.datasets import DatasetStore, default_db_path
    from geo.dbfile import check_database
    from geo.errors import InputDataError
    from geo.regions import load_region

    from cli.options import check_data_dir
    check_data_dir(data_dir)  # a file, or a folder not there, named as --data-dir, before any store is opened
    path = Path(db) if db is not None else default_db_path()
    if db is not None:  # a mistyped --db is said, not answered on the embedded data
        check_db(db)
    elif not path.exists():  # a fresh machine: the embedded data
        return load_region(name)
    check_database(path, create=False)  # a folder, or a file that is no database: said as `users`/`data` say it
    root = Path(data_dir) / "datasets" / name if data_dir else None
    store = DatasetStore.reader(path, region=name, root=root)
    try:
        version = store.current().version
    except sqlite3.Error as exc:
        if "no such table" in str(exc):  # a database of accounts only: no data versions yet
            return load_region(name)
        if "not a database" in str(exc):  # its first bytes say SQLite, the rest does not
            raise InputDataError(f"{path} is not a SQLite database (coverplan keeps its data in one): the file is "
                                 "damaged.",
                                 f"{path} 不是 SQLite 数据库文件（coverplan 的数据保存在 SQLite 数据库中）：文件已损坏。",
                                 hint_en="Restore it from a backup (`coverplan restore`), or point --db at the server's "
                                         "database.",
                                 hint_zh="请从备份恢复（`coverplan restore`），或用 --db 指向服务器所用的数据库。",
                                 details={"db": str(path), "sqlite": str(exc)}) from None
        # SQLite's own words (database is locked, disk I/O error) stay in details: the sentence is in one language
        raise InputDataError(f"The data store {path} cannot be read now.", f"暂时无法读取数据库 {path}。",
                             hint_en="If an import or the server is writing to it, try again in a moment; check that "
                                     "the file is readable by this account.",
                             hint_zh="如有导入或服务器正在写入，请稍后再试；并检查本账号能否读取该文件。",
                             details={"db": str(path), "sqlite": str(exc)}) from None
    return store.region(version) if version else load_region(name)


def check_db(db: str) -> None:
    """``--db`` of an analysis: a database file that is there (it is only read, never made), said as the
    `users` and `data` commands say it (geo.dbfile.check_database: a folder, a file that is no database)."""
    from geo.dbfile import check_database
    from geo.errors import InputDataError

    if not str(db).strip() or (os.path.islink(db) and not os.path.exists(db)):  # empty, a link to nothing
        check_input_file("--db", db, what_en="the data store's SQLite database", what_zh="数据版本所在的 SQLite 数据库")
    if not os.path.exists(db):
        raise InputDataError(f"--db {db}: no such database.", f"--db {db}：数据库不存在。",
                             details={"parameter": "db", "value": str(db)})
    check_database(db, create=False)


def check_context(args) -> None:
    """The options every analysis shares, checked before any data is loaded (README: options are checked
    before any work): the facility type, the --db store, the files --facilities, --network and --proposal
    name, and --mode network without a --network to measure on."""
    from geo.errors import InputDataError

    resolve_mode(args)  # --network alone measures on it; --mode estimate beside it is refused
    if getattr(args, "type", None):  # a mistyped type said, not ignored (beds takes it for the register only)
        from planner.facility_types import get_type
        get_type(args.type)
    if getattr(args, "db", None) is not None:
        check_db(args.db)
    check_files(args, "facilities", "network", "proposal")
    if getattr(args, "mode", None) == "network" and not getattr(args, "network", None):
        raise InputDataError("--mode network needs --network FILE: the road network to measure travel on.",
                             "--mode network 需要 --network 文件：用于计算出行的路网。",
                             hint_en="Give a GraphML or .osm/.osm.pbf file, or use --mode estimate.",
                             hint_zh="请提供 GraphML 或 .osm/.osm.pbf 路网文件，或改用 --mode estimate。",
                             details={"parameter": "network"})


def data_line(args, region, sources_of: str | None = None) -> None:
    """The data a text answer rests on, in one line on stderr (beside the notes; stdout keeps the table):
    the data version, and the --facilities register when one is given. ``sources_of`` (a type's key): also the
    file(s) and data version(s) the type's register came in, as the maps name them (:func:`register_files`)."""
    from planner.i18n import t

    v, zh = data_version(region), args.lang == "zh"
    text = (f"数据：数据版本 {v}" + ("（内置数据）" if v == 0 else "（当前版本）")) if zh else \
        (f"data: data version {v}" + (" (the embedded data)" if v == 0 else " (the current one)"))
    if getattr(args, "facilities", None):
        text += f"；现有设施取自 {args.facilities}" if zh else f"; existing facilities from {args.facilities}"
    elif sources_of:
        files = register_files(args, region, sources_of)
        if files:
            # the words of the maps and pages (planner.maplayers.register_sources_text): each file once with its
            # version, the map's edits counted once ("a.csv，数据版本 1；其中 2 处在地图上修改，数据版本 4–9"); a
            # list of every version grew with each edit (QA 31)
            from planner.maplayers import register_sources_text, type_is_sample

            where = register_sources_text(region, sources_of, args.lang)
            key = "approx_facilities_part" if type_is_sample(region, sources_of) else "prov_imported_register"
            text += ("；" if zh else "; ") + t(key, args.lang, where=where)
    print(text, file=sys.stderr)


def register_files(args, region, type_key: str) -> list[dict]:
    """The file(s) a type's register came in, each ``{"file", "dataset_version"}``, oldest first: the planner's
    own rows' (planner.maplayers.register_sources: after two counties' imports, both files), the --facilities
    file when one is given (no data version), none while the register is the embedded synthetic sample (a
    version that only edited the sample's rows imported no file). `coverage` said only "数据版本 N" where the maps
    named the files (F8)."""
    if getattr(args, "facilities", None):
        return [{"file": str(args.facilities), "dataset_version": None}]
    from planner.maplayers import partly_imported, register_sources, type_is_sample

    if type_is_sample(region, type_key) and not partly_imported(region, type_key):
        return []
    return [{"file": f or None, "dataset_version": int(v)} for f, v in register_sources(region, type_key)]


#: The register column of each capacity field (planner.register reads the English or the Chinese header).
CAPACITY_COLUMNS = {"beds": ("beds", "床位数"), "day_places": ("day_places", "日托位"),
                    "plots": ("plots / niches", "墓穴/格位"), "meal_places": ("meal_places", "助餐位")}


def register_holds(args, facilities, types, *, capacity: str | None = None, region=None) -> None:
    """What the --facilities register holds of ``types`` (FacilityType), said before an answer that rests on it.

    A register holding none of them is said on stderr and the answer goes on: a planner may genuinely have none
    (coverage 0 %, a proposal from scratch, supply 0), but a register of day-care centres given for cemeteries
    answered 0 % without a word (QA 21). With ``capacity`` (what the answer measures, "supply" or "accessibility"):
    a register whose facilities of the types all leave their capacity empty is refused, as the answer would be 0
    everywhere for want of a number, not for want of facilities; some left empty are said (counted as 0).

    ``region`` (with ``capacity="accessibility"``): without --facilities, the same check on the data version's
    own register (an imported register with 床位数 but no 日托位 gave `access --type day_care` 0.0 everywhere
    without a word, while --facilities with the same file was refused: QA 24), :func:`version_register_holds`."""
    from planner.facility_types import get_type

    if not getattr(args, "facilities", None) and region is not None and capacity == "accessibility":
        version_register_holds(args, region, types, capacity=capacity)
        return
    if facilities is None or not getattr(args, "facilities", None):
        return
    if capacity is not None and any(t.capacity is None for t in types):
        return  # a type without capacity: the planner refuses it in its own words
    zh = args.lang == "zh"
    name = os.path.basename(str(args.facilities)) or str(args.facilities)
    keys = [t.key for t in types]
    col = facilities["facility_type"].astype(str) if "facility_type" in facilities else None
    mine = facilities[col.isin(keys)] if col is not None else facilities.iloc[0:0]
    if not len(mine):
        held = col.value_counts() if col is not None else {}

        def type_name(key: str, lang: str) -> str:
            try:
                return get_type(key).name(lang)
            except Exception:  # noqa: BLE001 - a type the register names but the types file does not
                return key

        held_zh = "、".join(f"{type_name(k, 'zh')}（{k}）{n:,} 处" for k, n in held.items()) or "无"
        held_en = ", ".join(f"{n:,} {type_name(k, 'en')} ({k})" for k, n in held.items()) or "none"
        want_zh = "、".join(f"{t.name('zh')}（{t.key}）" for t in types)
        want_en = " or ".join(f"{t.name('en')} ({t.key})" for t in types)
        print(f"注意：{name} 中没有{want_zh}；名录中的设施为：{held_zh}。以下按现有 0 处计算；如有误，请检查名录的类型列或 --type。"
              if zh else
              f"Note: {name} holds no {want_en} facility; it holds: {held_en}. The answer below counts none; if that "
              "is wrong, check the register's type column or --type.", file=sys.stderr)
        return
    if capacity is None:
        return
    _capacities_stated(args, mine, types, capacity, where_en=name, where_zh=name, source_en=f"--facilities {args.facilities}",
                       source_zh=f"--facilities {args.facilities}",
                       hint_en="Add the {col_en} column to the register, or leave --facilities out to answer on the "
                               "data version's register.",
                       hint_zh="请在名录中补充{col_zh}列，或去掉 --facilities，按当前数据版本的名录分析。",
                       details={"parameter": "facilities", "value": str(args.facilities)})


def _capacities_stated(args, mine, types, capacity: str, *, where_en: str, where_zh: str, source_en: str,
                       source_zh: str, hint_en: str, hint_zh: str, details: dict) -> None:
    """The facilities ``mine`` of ``types`` all leaving their capacity empty are refused (the answer would be 0
    everywhere for want of the numbers, not of facilities); some left empty are said on stderr (counted as 0).
    ``source_*`` opens the refusal, ``where_*`` names the register in the note; the hints may name {col_en} and
    {col_zh}, the capacity column."""
    from geo.errors import InputDataError
    from planner.capacity import site_capacity

    field = types[0].capacity.field
    _, known = site_capacity(mine, field)
    col_en, col_zh = CAPACITY_COLUMNS.get(field, (field, field))
    what_en, what_zh = {"supply": ("the capacity supply", "现有容量"),
                        "accessibility": ("the accessibility (E2SFCA)", "可达性（E2SFCA）")}[capacity]
    n, unknown = len(mine), int((~known).sum())
    names_en = " / ".join(t.name("en") for t in types)
    names_zh = "、".join(t.name("zh") for t in types)
    if unknown == n:
        raise InputDataError(
            f"{source_en}: "
            + (f"its one {names_en} facility states no capacity" if n == 1 else
               f"none of its {n:,} {names_en} facilities states a capacity")
            + f" (the {col_en} column), so {what_en} would be 0 everywhere for want of the numbers, not of facilities.",
            f"{source_zh}{'：其' if source_zh.startswith('--') else ''}中{'的' if n == 1 else f' {n:,} 处'}{names_zh}"
            f"{'' if n == 1 else '均'}未填写容量（{col_zh}列），{what_zh}将处处为 0——这是缺少容量数字所致，而非没有设施。",
            hint_en=hint_en.format(col_en=col_en, col_zh=col_zh), hint_zh=hint_zh.format(col_en=col_en, col_zh=col_zh),
            details={**details, "facilities": n, "capacity_known": 0, "field": field})
    if unknown:
        zh = args.lang == "zh"
        print(f"注意：{where_zh} 中 {n:,} 处{names_zh}有 {unknown:,} 处未填写容量（{col_zh}），按 0 计。" if zh else
              f"Note: {unknown:,} of the {n:,} {names_en} facilities in {where_en} state no capacity ({col_en}); they "
              "count as 0.", file=sys.stderr)


def version_register_holds(args, region, types, *, capacity: str = "accessibility") -> None:
    """:func:`register_holds`'s capacity check on the register of the data version ``region`` was loaded at (no
    --facilities): its facilities of ``types`` all leaving their capacity empty are refused, in the words the
    --facilities refusal uses, with the fix that data version needs (fill the column in and import the register
    again); some left empty are said on stderr (counted as 0)."""
    from planner.coverage import existing_facilities

    if any(t.capacity is None for t in types):
        return  # the planner refuses a type without capacity in its own words
    facilities = getattr(region, "facilities", None)
    if facilities is None or "facility_type" not in facilities:
        return
    import pandas as pd

    mine = pd.concat([existing_facilities(region, t) for t in types])
    if not len(mine):
        return  # none of the type: a genuine answer (no facilities, no access)
    v = data_version(region)
    where_en = "the embedded data's register" if v == 0 else f"the register of data version {v} (the current one)"
    where_zh = "内置数据的名录" if v == 0 else f"数据版本 {v}（当前版本）的名录"
    _capacities_stated(args, mine, types, capacity, where_en=where_en, where_zh=where_zh,
                       source_en=f"{where_en[:1].upper()}{where_en[1:]}", source_zh=where_zh,
                       hint_en="Fill in the {col_en} column of the register and import it again (coverplan data import "
                               "facilities FILE), or give a register with it by --facilities FILE.",
                       hint_zh="请在名录中补填{col_zh}列后重新导入（coverplan data import facilities 文件），"
                               "或用 --facilities 文件 给出含{col_zh}列的名录。",
                       details={"parameter": "type", "value": str(getattr(args, "type", "") or ""),
                                "dataset_version": v})


def load_context(args, *, sources_of: str | None = None):
    """The region (at the current data version, :func:`current_region`) and the --facilities register, if
    given, which the analysis uses in place of the version's register. A text answer says which data it used
    (``sources_of``: with the file(s) that type's register came in, :func:`data_line`)."""
    from geo.errors import InputDataError
    from planner.register import validate_register

    check_context(args)
    region = current_region(args.region, getattr(args, "db", None), getattr(args, "data_dir", None))
    facilities = None
    if getattr(args, "facilities", None):
        from cli.data import cli_fixes, mapping_hint, sheets_error

        try:
            report = validate_register(args.facilities, region=region, coords=args.coords,
                                       type_key=getattr(args, "type", None))
        except InputDataError as exc:
            # said for an analysis: the upload's words (sheets uploaded one by one, the whole city replaced) and
            # the web's mapping card do not apply to a --facilities file (QA 31)
            said = sheets_error(exc, "facilities", args.facilities)
            if said is not exc:
                raise said from exc
            mapping_hint(exc, "facilities")
            raise
        cli_fixes(report.issues, "facilities", report.columns, report.column_map)  # not the web's button (QA 31)
        try:
            report.raise_if_refused()  # no one confirms a report here: any refused row stops
        except InputDataError as exc:
            # a swapped lon/lat the import reads the other way round once confirmed: the same file is not
            # refused here on another rule, but for want of the confirmation; said so (QA 22)
            if any(i.fixed for i in report.issues):
                from planner.i18n import t
                exc.hint_en = f"{exc.hint_en} {t('reg_fix_unconfirmed', 'en', file=args.facilities)}.".strip()
                exc.hint_zh += t("reg_fix_unconfirmed", "zh", file=args.facilities) + "。"
            raise
        lang = getattr(args, "lang", "zh")
        for zh, en in report.notes:  # the sheet read, formulas without a saved result ...
            print(zh if lang == "zh" else en[:1].upper() + en[1:], file=sys.stderr)
        for issue in report.warnings():  # accepted, but worth a look (a suggested datum among them)
            print(issue.text(lang), file=sys.stderr)
        facilities = report.accepted
    if not getattr(args, "json", False):
        data_line(args, region, sources_of)
    return region, facilities


def _write_table(df, path: str, title: str | None = None) -> None:
    """cli.output.write_table for one table (kept under this name: tests/test_security.py calls it)."""
    write_table(df, path, title)


# -- the --out tables of coverage, check-townships and propose, headed for a planner (QA 26) ------------------
# They wrote their frames as they are: snake_case keys as headers in both languages, the counties in Chinese on
# an English run, True/False, shares as 0..1 and "nan"/"inf". Each is a spec (key, header, kind) read by
# cli.output.out_frame, as cli.capacity's tables: what a planner reads first, the codes and coordinates last;
# headers as the web's exports word them (web.exports TOWNSHIP_COLUMNS, site_columns) where they have one.

# A figure the web's download also writes is of kind "number" (cli.output.table_cell): written by the web's rule
# (planner.numbers.number_cell), so a cost the proposal keeps to 2 decimals reads 25.92 in both files and a per-1,000
# ratio of 0.0 reads 0 (QA 34: the CLI wrote 25.9 / 0.0 beside the web's 25.92 / 0). The figures are already rounded
# where they are made (planner.proposals: costs to 2 decimals; the ratio to 1, as the page shows it).

#: A demand unit's kind in words (planner.sites: the points a type's demand is counted at).
UNIT_KINDS = {"village": ("村", "village"), "community": ("社区", "community"),
              "township_seat": ("乡镇驻地", "township seat"), "county_seat": ("县城（城区）", "county seat"),
              "scenic_area": ("景区", "scenic area")}


def weight_unit(weight: str, lang: str) -> str:
    """What a type's demand weight counts: 60岁以上人口 / people aged 60+, or demand units."""
    from planner.i18n import t
    return t("weight_units_count" if weight == "units" else f"weight_{weight}", lang)


def cost_unit_text(unit: str, lang: str) -> str:
    """A travel cost's unit for a header: 米/m or 分钟/min."""
    from planner.i18n import t
    return t("metres" if unit == "m" else "minutes", lang)


def coverage_table(cov, region, lang: str, cost_unit: str):
    """`coverage --out`: each demand unit (village, community, seat...) with its township and county (in English
    on an English run), whether it is covered, the distance or travel time to its nearest facility in the type's
    unit against its standard, that facility, its demand weight in what it counts (people aged 60+ ...) and
    whether it is urban, then the codes, the coordinates and the illustrative flag."""
    from planner.coverage import records
    from planner.i18n import t, with_unit

    zh = lang != "en"
    county = county_namer(region, lang)
    u = cov.units
    pts = u.geometry
    rows = [{**r, "county": county(r["county_code"]).strip(),
             "kind": (UNIT_KINDS[r["kind"]][0 if zh else 1] if r.get("kind") in UNIT_KINDS else r.get("kind")),
             "lon": None if g is None or g.is_empty else g.x, "lat": None if g is None or g.is_empty else g.y}
            for r, g in zip(records(u.drop(columns=[c for c in ("geometry", "area") if c in u])), pts)]
    unit = cost_unit_text(cost_unit, lang)
    digits = "int" if cost_unit == "m" else "1"

    hd = in_lang(lang)
    reach = hd("距离", "Distance") if cost_unit == "m" else hd("出行时间", "Travel time")
    spec = [("id", hd("需求单元代码", "Demand unit code"), "text"),
            ("name", hd("需求单元", "Demand unit"), "text"),
            ("kind", hd("单元类型", "Unit kind"), "text"),
            ("township_name", t("township", lang), "text"),
            ("county", t("county", lang), "text"),
            ("covered", hd("是否覆盖", "Covered"), "yesno"),
            ("cost", hd(f"到最近设施的{reach}（{unit}）", f"{reach} to the nearest facility ({unit})"), digits),
            ("standard", with_unit(t("standard", lang), unit, lang), "1"),
            ("nearest_name", t("nearest_facility", lang), "text"),
            ("weight", with_unit(t("weight", lang), weight_unit(cov.ftype.weight, lang), lang), "1"),
            ("urban", hd("城镇", "Urban"), "yesno"),
            ("township_code", t("fac_township_code", lang), "text"),
            ("county_code", hd("县区代码", "County code"), "text"),
            ("nearest_id", hd("最近设施编号", "Nearest facility ID"), "text"),
            ("lon", t("lon", lang), "6"), ("lat", t("lat", lang), "6"),
            ("synthetic", hd("示意数据", "Illustrative data"), "yesno")]
    return out_frame(rows, spec, lang)


def checklist_capacity(region, df, facilities=None) -> dict:
    """``{type: {township_code: {ratio_per_1000, standard_per_1000, shortfall, status}}}`` of the checklist's
    types that have a capacity (planner.capacity.analyse_capacity, as the web's checklist and its export use it):
    the capacity columns of `check-townships --out` (the CLI's file lacked them: QA 27)."""
    from planner.capacity import analyse_capacity
    from planner.facility_types import get_type

    out = {}
    for key in sorted({str(k) for k in df["type"].unique()}) if len(df) else []:
        try:
            ft = get_type(key)
        except Exception:  # noqa: BLE001 - a type the types file no longer has: no capacity to give
            continue
        if ft.capacity is None:
            continue
        rep = analyse_capacity(region, ft, facilities=facilities)
        out[key] = {str(r["township_code"]): r for r in rep.by_township.to_dict("records")}
    return out


def checklist_table(df, region, lang: str, capacity: dict | None = None):
    """`check-townships --out`: each township and type, as the web's checklist download heads it (code, township,
    county, facility type, status, reason, facilities, units, covered units, demand weight in what it counts,
    covered share by units, then the capacity columns), the same columns in the same order as the web's
    /api/townships.csv, the type and county in the run's language, the status in words; a list of several
    types, whose weights count different people, gets the unit in a column of its own (as the web's)."""
    from planner.coverage import records
    from planner.facility_types import get_type
    from planner.i18n import t, with_unit

    zh = lang != "en"
    county = county_namer(region, lang)
    rows = records(df)
    units = {}
    for r in rows:
        key = str(r.get("type"))
        if key not in units:
            try:
                units[key] = weight_unit(get_type(key).weight, lang)
            except Exception:  # noqa: BLE001 - a type the types file no longer has: no unit to name
                units[key] = ""
    one = {units[str(r.get("type"))] for r in rows}
    shared = next(iter(one)) if len(one) == 1 else None

    out = [{**r, "county": county(r["county_code"]).strip(),
            "type_name": r.get("type_name_zh" if zh else "type_name_en") or r.get("type"),
            "reason": r.get("reason_zh" if zh else "reason_en"),
            "covered_share": (r["covered_units"] / r["units"]) if r.get("units") else None,
            "weight_unit": units[str(r.get("type"))]} for r in rows]
    # the capacity columns, as the web's export gives them (web.api townships_export): per 1,000 with one
    # decimal, the standard, the shortfall in whole places rounded up; empty where there is nothing to compare
    import math

    from planner.i18n import t as tr
    cap_units = {}
    for r in out:
        c = (capacity or {}).get(str(r.get("type")), {}).get(str(r.get("township_code")))
        if c and c.get("status") != "na":
            ratio = c.get("ratio_per_1000")
            r["cap_ratio"] = None if missing(ratio) else round(float(ratio), 1)
            r["cap_standard"] = c.get("standard_per_1000")
            short = c.get("shortfall")
            r["cap_shortfall"] = math.ceil(short) if not missing(short) and short > 0 else 0
            key = str(r.get("type"))
            if key not in cap_units:
                ft = get_type(key)
                cap_units[key] = (tr("capw_per_1000_of", lang, basis=tr(f"capw_basis_{ft.capacity.basis}", lang),
                                     unit=tr(f"capw_noun_{ft.capacity.field}", lang)),
                                  tr(f"capw_unit_{ft.capacity.field}", lang))
            r["ratio_unit"], r["cap_unit"] = cap_units[key]
    cap_spec = []
    if cap_units:
        if len(set(cap_units.values())) == 1:  # one unit: the headers name it, as the web's ("每千名60岁以上老人日托位（示意）")
            ratio_unit, cap_unit = next(iter(cap_units.values()))
            cap_spec = [("cap_ratio", tr("cap_ratio_export_of", lang, unit=ratio_unit), "number"),
                        ("cap_standard", tr("cap_standard_export_of", lang, unit=ratio_unit), "number"),
                        ("cap_shortfall", with_unit(tr("cap_shortfall_col", lang), cap_unit, lang), "int")]
        else:  # several: generic headers and the unit of each row beside them
            cap_spec = [("cap_ratio", tr("cap_ratio_export", lang), "number"),
                        ("cap_standard", tr("cap_standard_export", lang), "number"),
                        ("ratio_unit", tr("ratio_unit_col", lang), "text"),
                        ("cap_shortfall", tr("cap_shortfall_col", lang), "int"),
                        ("cap_unit", tr("cap_unit_col", lang), "text")]
    spec = [("township_code", t("code", lang), "text"),
            ("township_name", t("township", lang), "text"),
            ("county", t("county", lang), "text"),
            ("type_name", t("facility_type", lang), "text"),
            ("status", t("status", lang), "status"),
            ("reason", t("reason", lang), "text"),
            ("facilities", t("existing_facilities", lang), "int"),
            ("units", t("units", lang), "int"),
            ("covered_units", t("covered_units", lang), "int"),
            ("uncovered_units", t("uncovered_units", lang), "int"),
            ("weight", with_unit(t("weight", lang), shared, lang), "number"),
            ("covered_weight", with_unit(t("covered_weight", lang), shared, lang), "number"),
            *([] if shared is not None else [("weight_unit", t("weight_unit_col", lang), "text")]),
            ("covered_share", t("covered_share_units", lang), "pct"),
            # the web's download (web.exports.TOWNSHIP_COLUMNS) ends with the capacity columns: so does this one
            # (QA 31: two more, 县区代码 and 设施类型代码, documented nowhere; --json keeps county_code and type)
            *cap_spec]
    return out_frame(out, spec, lang)


def proposal_table(prop, region, lang: str):
    """`propose --out` (.csv/.xlsx): the proposed sites as the web's download heads, orders and rounds them
    (web.exports.site_columns: priority, name, the site's code, township, county, coordinates, the people it newly
    covers in what they are, units, the units it serves and of them those beyond the standard, the farthest it serves
    and the nearest existing facility in the type's unit, why here), then what only the CLI's table held (the demand
    it serves, the weighted travel cost saved, the planner's mark), the ids, and the cost unit and weight keys;
    names and counties in ``lang`` (it wrote prop.table's raw keys, cost_saving and all: QA 26)."""
    from planner.coverage import records
    from planner.i18n import t, with_unit
    from planner.sites import site_code

    zh = lang != "en"
    ft = prop.ftype
    county = county_namer(region, lang)
    unit = cost_unit_text(ft.unit, lang)
    by_units = ft.weight == "units"
    who = weight_unit(ft.weight, lang)
    sites = prop.sites
    rows = [{**r, "name": (r.get("name") if zh else (r.get("name_en") or r.get("name"))),
             "site_code": site_code(r.get("candidate_id")), "county": county(r["county_code"]).strip(),
             "reason": r.get("reason_zh" if zh else "reason_en"),
             "mark": t(f"mark_{r['planner_mark']}", lang) if r.get("planner_mark") else "",
             "lon": None if g is None or g.is_empty else g.x, "lat": None if g is None or g.is_empty else g.y}
            for r, g in zip(records(sites.drop(columns="geometry")), sites.geometry)] if len(sites) else []
    added = f"added_weight_{ft.weight}"
    added_head = t(added, lang) if t(added, "zh") != added else with_unit(t("added_weight", lang), who, lang)

    hd = in_lang(lang)
    # the web's download's columns in its order (web.exports.SITE_COLUMNS: the coordinates after the county) and its
    # figures as it writes them ("number": a cost 25.92, not 25.9: QA 34); then what only the CLI's table holds
    spec = [("priority", t("priority", lang), "int"),
            ("name", t("name", lang), "text"),
            ("site_code", t("code", lang), "text"),
            ("township_code", t("fac_township_code", lang), "text"),
            ("township_name", t("township", lang), "text"),
            ("county", t("county", lang), "text"),
            ("lon", t("lon", lang), "coord"), ("lat", t("lat", lang), "coord"),
            *([] if by_units else [("added_weight", added_head, "number")]),
            ("added_units", t("added_units", lang), "int"),
            ("served_units", t("site_served_units", lang), "int"),
            ("beyond_standard_units", t("beyond_standard_units", lang), "int"),
            ("farthest_cost", with_unit(t("farthest_cost", lang), unit, lang), "number"),
            ("nearest_existing_name", t("nearest_existing", lang), "text"),
            ("nearest_existing_cost", with_unit(t("cost", lang), unit, lang), "number"),
            ("reason", t("why_here", lang), "text"),
            *([] if by_units else [("served_weight", hd(f"由该点服务的需求（{who}）", f"Demand it serves ({who})"), "1")]),
            ("cost_saving", hd(f"加权出行成本减少（{who}×{unit}）", f"Weighted travel cost saved ({who} × {unit})"), "1"),
            ("mark", t("planner_mark", lang), "text"),
            ("id", hd("方案站点编号", "Proposed site ID"), "text"),
            ("candidate_id", hd("候选点编号", "Candidate site ID"), "text"),
            ("candidate_name", hd("候选点", "Candidate site"), "text"),
            ("county_code", hd("县区代码", "County code"), "text"),
            ("nearest_existing_id", hd("最近现有设施编号", "Nearest existing facility ID"), "text"),
            # the keys the headers above are worded from, for a program reading the file (test_qa7_misc)
            ("cost_unit", hd("成本单位代码", "Cost unit code"), "text"),
            ("weight_field", hd("需求权重代码", "Demand weight key"), "text")]
    return out_frame(rows, spec, lang)


def region_synthetic(region, types) -> bool:
    """Whether answers on ``region`` for ``types`` rest on synthetic or approximate inputs (示意): village
    points not official, or a register of those types that is (or holds) the synthetic sample."""
    v = region.villages
    f = region.facilities
    f = f[f["facility_type"].astype(str).isin([str(x) for x in types])] if "facility_type" in f else f
    return bool((v["location_quality"].astype(str) != "official").any() if "location_quality" in v else True) \
        or bool("synthetic" in f and f["synthetic"].fillna(False).astype(bool).any())


def _coverage(args) -> int:
    from planner.coverage import analyse_coverage
    from planner.facility_types import get_type
    from planner.i18n import share_text, t

    region, facilities = load_context(args, sources_of=args.type)  # the register's file(s) named (F8)
    register_holds(args, facilities, [get_type(args.type)])
    cov = analyse_coverage(region, args.type, facilities=facilities, mode=args.mode, graph=args.network)
    d = {**cov.to_dict(lang=args.lang), "dataset_version": data_version(region),
         "sources": register_files(args, region, args.type)} if args.out or args.json else {}
    if args.out:
        zh = args.lang == "zh"
        name = cov.ftype.name(args.lang)
        what = f"覆盖分析明细（每个需求单元一行）：{name}" if zh else f"Coverage per demand unit: {name}"
        mode = ("估算" if zh else "estimate") if cov.is_estimate else ("路网" if zh else "road network")
        title = table_title(what, [mode, *data_parts(region, args.lang, args.facilities)], args.lang,
                            illustrative=d["synthetic_inputs"])
        write_table(coverage_table(cov, region, args.lang, d["cost_unit"]), args.out, title)
    if args.json:
        print_json(d)
        return 0
    zh = args.lang == "zh"
    s = cov.summary
    lang = args.lang
    # the mode in words (the raw "network" was printed in the Chinese header: QA 27)
    mode = t("mode_estimate_short" if cov.is_estimate else "mode_network", lang)
    print(f"{cov.ftype.name(lang)}  {'（' + mode + '）' if zh else '(' + mode + ')'}")
    synthetic = bool(cov.units["synthetic"].astype(bool).any()
                     or ("synthetic" in cov.facilities and cov.facilities["synthetic"].astype(bool).any()))
    if synthetic:  # said as on every page and export: the numbers rest on synthetic inputs
        print(t("cli_synthetic_inputs", args.lang))
    print(standard_line(cov.ftype, lang))  # what "covered" means: within 1 km / 3 km, 30 min ... (QA 27)
    # Two shares, each named: the web's county chart shows the share of units, the headline
    # weighs units by the type's demand (people aged 60+, …); unnamed, they read as disagreeing.
    # the web's chart writes its shares by the same rule (planner.i18n.share_text: 1 of 340 is "0.3%", 1 of 3,000
    # not "0.0%"; QA 29: the chart said "0%")
    pct = lambda x: share_text(x or 0)  # noqa: E731
    weight = cov.ftype.weight
    weight_name = t(f"weight_{weight}", lang) if weight != "units" else None
    print(t("cli_cov_units", lang, covered=f"{s['covered_units']:,}", units=f"{s['units']:,}",
            pct=pct(s['covered_units'] / s['units'] if s['units'] else 0)))
    if weight_name:
        print(t("cli_cov_weighted", lang, weight=weight_name, covered=f"{s['covered_weight']:,}",
                total=f"{s['weight']:,}", pct=pct(s['covered_share'])))
    far = int(s.get("unreachable_units") or 0)
    if far and not cov.is_estimate:  # 0.0 % everywhere read as fact (QA 27): said as the web's map says it
        print(t("network_unreachable", lang, n=f"{far:,}"))
    if weight_name:
        print(t("cli_cov_counties", lang, weight=weight_name))
    else:
        print(t("cli_cov_counties_units", lang))
    county = county_namer(region, lang, pad=6)
    rows = [(code, f"{pct(r['covered_units'] / r['units'] if r['units'] else 0)} "
                   f"({r['covered_units']:,}/{r['units']:,})", pct(r['covered_share']), f"{r['uncovered_units']:,}")
            for code, r in cov.by_county.iterrows()]
    head = [t("cli_col_unit_share", lang)] + ([t("cli_col_weighted", lang, weight=weight_name)] if weight_name else [])
    head.append(t("cli_col_uncovered", lang))
    w_units = max(columns(head[0]), *(columns(r[1]) for r in rows)) + 2
    w_weighted = max(columns(head[1]), 7) + 2 if weight_name else 0
    print("  " + " " * (7 + county.width) + cell(head[0], w_units)
          + (cell(head[1], w_weighted) if weight_name else "") + head[-1])
    for code, units, weighted, uncovered in rows:
        print(f"  {code} {county(code)}{cell(units, w_units)}"
              + (cell(weighted, w_weighted) if weight_name else "") + uncovered)
    return 0


def standard_line(ftype, lang: str) -> str:
    """The service standard that makes a unit covered, as a line of a text answer ("服务标准：城镇 1公里 / 农村 3公里以内
    为已覆盖"); coverage text never said it (QA 27)."""
    from planner.i18n import t

    if ftype.rule == "inside":
        return t("cli_standard_inside", lang)
    return t("cli_standard_within", lang, standard=ftype.standard_text(lang))


def county_option_code(region, value: str) -> str:
    """The code of the county ``value`` names (its code, Chinese or English name), as /api/townships
    accepts it; an unknown county is an error naming the valid ones, not an empty checklist."""
    from geo.errors import InputDataError, listed
    from planner.coverage import county_names_en, match_county

    c = region.counties
    codes = (c["code"] if "code" in c else c.index).astype(str).tolist()
    zh, en = c["name"].astype(str).tolist(), county_names_en(c).astype(str).tolist()
    v = value.strip()
    shown = v or '""'
    code = match_county(v, dict(zip(codes, zh)), dict(zip(codes, en)))
    if code is not None:
        return code
    raise InputDataError(
        f"--county {shown}: no such county. Give a county code or name: "
        f"{listed([f'{a} {b}' for a, b in zip(codes, en)], 'en')}.",
        f"--county {shown} 无效：没有这个县区。请填写县区代码或名称：{listed([f'{a} {b}' for a, b in zip(codes, zh)], 'zh')}。",
        details={"parameter": "county", "value": value})


def check_county_option(value: str | None) -> None:
    """--county as far as it can be checked without the data, before any is loaded (QA 21: an empty one was
    said only after it): not empty, no control character, and digits only as a six-digit county code (a
    county name has none). Whether the county exists is said once the region is loaded (:func:`county_option_code`)."""
    import re
    import unicodedata

    from geo.errors import InputDataError

    if value is None:
        return
    v = value.strip()

    def bad(shown: str, en: str, zh: str) -> InputDataError:
        return InputDataError(f"--county {shown}: {en}; give a county code or name (e.g. 420381 or Danjiangkou City).",
                              f"--county {shown} 无效：{zh}；请填写县区代码或名称（如 420381 或 丹江口市）。",
                              details={"parameter": "county", "value": value})

    from planner.textrules import code_point

    def control(c: str) -> bool:
        return unicodedata.category(c) in ("Cc", "Cf")

    if not v:
        raise bad('""', "the county is empty", "县区为空")
    if any(control(c) for c in v):  # shown escaped (a line break as \x0a), not breaking the message's line
        shown = "".join((f"\\x{ord(c):02x}" if ord(c) < 256 else code_point(c)) if control(c) else c for c in v)
        raise bad(shown, "it holds a control character (a line break, a tab or an invisible mark), which no county "
                  "code or name has", "其中含有控制字符（换行、制表符或不可见字符），县区代码和名称中不会有")
    # the code written as a whole number in another form (420325.0, 4.20325e5) is read as the API reads it
    # (planner.coverage.match_county); anything else with digits is no county
    from planner.coverage import code_as_number

    if re.search(r"[0-9]", v) and not re.fullmatch(r"[0-9]{6}", v) and code_as_number(v) is None:
        raise bad(v, "a county code is six digits and a county name has no digits",
                  "县区代码为 6 位数字，县区名称中没有数字")


def _check(args) -> int:
    from planner.checklist import check_townships

    check_county_option(args.county)  # before any data is loaded
    region, facilities = load_context(args)
    county_code = county_option_code(region, args.county) if args.county is not None else None
    if args.type:
        from planner.facility_types import get_type
        register_holds(args, facilities, [get_type(args.type)])
    df = check_townships(region, args.type, facilities=facilities, mode=args.mode, graph=args.network)
    if county_code:
        df = df[df["county_code"] == county_code]
    if args.status:
        df = df[df["status"] == args.status]
    if args.out:
        from planner.facility_types import get_type
        from planner.i18n import t

        lang = args.lang
        names = county_namer(region, lang)
        parts = [f"{t('facility_type', lang)}: {get_type(args.type).name(lang) if args.type else t('all', lang)}",
                 f"{t('county', lang)}: {names(county_code).strip() if county_code else t('whole_city', lang)}",
                 f"{t('status', lang)}: {t('status_' + args.status, lang) if args.status else t('all', lang)}",
                 f"{t('rows', lang)}: {len(df)}", *data_parts(region, lang, args.facilities)]
        title = table_title(t("checklist_title", lang), parts, lang,
                            illustrative=region_synthetic(region, df["type"].unique()))
        write_table(checklist_table(df, region, args.lang, checklist_capacity(region, df, facilities)), args.out, title)
    if args.json:
        summary = df.groupby("type")["status"].value_counts().unstack(fill_value=0)
        print_json({"types": sorted(df["type"].unique()),
                    "summary": {t: {k: int(v) for k, v in row.items()} for t, row in summary.iterrows()},
                    "townships": df.to_dict("records"), "dataset_version": data_version(region)})
        return 0
    reason = "reason_zh" if args.lang == "zh" else "reason_en"
    if len(df) and region_synthetic(region, df["type"].unique()):  # said as coverage and propose say it (QA 27)
        from planner.i18n import t
        print(t("cli_synthetic_inputs", args.lang))
    county = county_namer(region, args.lang)
    for _, r in df.iterrows():
        mark = {"met": "✓", "not_met": "✗", "na": "-"}[r["status"]]
        print(f"{mark} {r['township_code']} {county(r['county_code'])} {r['township_name']} [{r['type']}] {r[reason]}")
    return 0


def _targets(args) -> int:
    from cli.output import load_proposal_file
    from planner.facility_types import COUNT_KINDS
    from planner.i18n import share_text, t
    from planner.targets import plan_targets, proposal_notes

    check_context(args)  # (an --out that is no .csv/.xlsx is refused before any work: cli.main TABLE_OUT)
    # a file given twice counts once, as the web's list of ids ("2 个方案合并" for one proposal: QA 29)
    args.proposal = list({os.path.realpath(p): p for p in args.proposal}.values())
    proposals = [load_proposal_file(p) for p in args.proposal]  # read before any data is loaded
    region, facilities = load_context(args)
    rows = plan_targets(region, proposals=proposals, facilities=facilities, mode=args.mode, graph=args.network)
    # proposals solved on another data version, or on candidates forbidden since: said, as the web's export does
    current = data_version(region)
    file_notes = proposal_notes(region, proposals, [os.path.basename(p) for p in args.proposal], current, args.lang)
    overlap = targets_overlap(args, proposals)
    if args.out:
        write_table(*targets_table(rows, region, args, file_notes, proposals, overlap))
    # the row notes the web's /api/targets and plan package export give, in the text and --json too: an upgrade and
    # a conversion choosing the same facilities (``overlap_note``, the web's key), what the "after" is made of
    # (``after.notes``, the web's) and the data versions behind it (``after.versions_note``)
    noted = []
    for r in rows:
        both, made_of, versions = targets_row_notes(r, overlap, proposals, current, args.lang)
        r = {**r, **({"overlap_note": both} if both else {})}
        if "after" in r:
            r["after"] = {**r["after"], "notes": made_of, **({"versions_note": versions} if versions else {})}
        noted.append(r)
    if args.json:
        print_json({"targets": noted, "proposals": args.proposal, "dataset_version": current, "notes": file_notes})
        return 0
    zh = args.lang == "zh"
    if any(r.get("synthetic_inputs") for r in rows):  # said as coverage and propose say it (QA 27)
        print(t("cli_synthetic_inputs", args.lang))
    for r in noted:
        mark = "✓" if r["status"] == "met" else "✗"
        val = share_text(r["value"]) if r["kind"] not in COUNT_KINDS else f"{int(r['value'])}"
        tgt = f"{r['target']:.0%}" if r["kind"] not in COUNT_KINDS else f"{r['target']}"
        line = f"{mark} {r['text_zh'] if zh else r['text_en']}: {val} / {tgt}"
        if "after" in r:
            a = r["after"]
            aval = share_text(a["value"]) if r["kind"] not in COUNT_KINDS else f"{int(a['value'])}"
            line += f"  →  {aval} {'✓' if a['status'] == 'met' else '✗'}"
            notes = [*a["notes"], *([a["versions_note"]] if a.get("versions_note") else [])]
            if notes:
                line += f"  ({'；'.join(notes) if zh else '; '.join(notes)})"
        print(line)
        if r.get("overlap_note"):  # a sentence of its own, under its row
            print(f"    ! {r['overlap_note']}")
    for note in file_notes:
        print(f"* {note}{'。' if zh else '.'}")
    return 0




def proposal_file_name(path: str) -> str | None:
    """The name a proposal file records (``coverplan.name``: the web's download of a saved proposal, and the files
    `propose`/`upgrade --out` write), or None when it records none."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            meta = json.load(fh).get("coverplan")
    except (OSError, ValueError, AttributeError, RecursionError):
        return None
    name = meta.get("name") if isinstance(meta, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


def targets_files_text(paths: list[str], proposals: list[dict], lang: str) -> str:
    """The proposals of a `targets --out` title, as the web's plan package export names them: each file with the
    name it records and the data version it was solved on ("p.geojson（社区(村)日间照料中心·…，数据版本 v0）")."""
    from cli.output import recorded_name
    from planner.i18n import t

    out = []
    for path, p in zip(paths, proposals):
        v = p.get("dataset_version")
        # the name coverplan made in the run's language, a name given by hand as it is (QA 33)
        name, stem = recorded_name(p, lang) or proposal_file_name(path), os.path.splitext(os.path.basename(path))[0]
        if name and stem and name.endswith(stem):  # the name the CLI gave it: what it is, then the file's
            name = name[:-len(stem)].rstrip(" ·") or None
        bits = [b for b in (name,
                            f"{t('data_version_label', lang)} v{v}" if v is not None else t("f2_version_unrecorded", lang))
                if b]
        out.append(t("f2_targets_file", lang, file=os.path.basename(path), about=t("f2_about_sep", lang).join(bits)))
    return t("layer_list_sep", lang).join(out)


def targets_versions_note(row: dict, proposals: list[dict], current: int, lang: str) -> str | None:
    """The data versions of the proposals behind a target's "after", said on its row when one is not the current
    data's (or the file does not record its own), as the web's plan package export says it (plan_after_versions)."""
    from planner.i18n import t

    key = row.get("type")
    moving = [p for p in proposals if key is not None and key in (p.get("type"), p.get("role"))]
    versions = sorted({p.get("dataset_version") for p in moving}, key=lambda v: (v is None, v or 0))
    if not versions or all(v is not None and int(v) == int(current) for v in versions):
        return None
    shown = t("layer_list_sep", lang).join(f"v{v}" if v is not None else t("f2_version_unrecorded_short", lang)
                                            for v in versions)
    return t("plan_after_versions", lang, versions=shown, cur=current)


def targets_overlap(args, proposals: list[dict]) -> dict[str, str]:
    """{type key: note} of `targets`: an upgrade and a conversion of the same type that choose the same facilities,
    each file named by its own name (planner.targets.overlap_notes, which the web's /api/targets and plan package
    export say too), for its text, --json and --out alike."""
    from planner.targets import overlap_notes

    return overlap_notes(proposals, [os.path.basename(p) for p in args.proposal], args.lang)


def targets_row_notes(row: dict, overlap: dict[str, str], proposals: list[dict], current: int,
                      lang: str) -> tuple[str | None, list[str], str | None]:
    """(overlap note, what the "after" is made of, the data versions behind it) of one `targets` row, in the web's
    order, for its text, --json and --out alike."""
    from planner.targets import after_notes

    a = row.get("after")
    return (overlap.get(row["type"]) if row.get("type") else None, after_notes(a, lang) if a else [],
            targets_versions_note(row, proposals, current, lang) if a else None)


def targets_table(rows: list[dict], region, args, file_notes: list[str], proposals: list[dict] | None = None,
                  overlap: dict[str, str] | None = None):
    """(table, path, title) of `targets --out`: planner.targets rows as the web's plan package export has them,
    with its notes: on each row the upgrades and conversions that choose the same facilities and the data versions
    the proposals behind its "after" were solved on; in the title each file with its name and data version, the
    current data version and what the files' versions mean (planner.targets.proposal_notes)."""
    import pandas as pd

    from cli.output import ShareCell
    from planner.facility_types import COUNT_KINDS
    from planner.i18n import pick, t
    from planner.targets import PLAN_COLUMNS
    from planner.targets import progress as target_progress

    lang = args.lang
    proposals = proposals or []
    current = data_version(region)
    overlap = targets_overlap(args, proposals) if overlap is None else overlap
    status = lambda met: t("status_met" if met else "status_not_met", lang)  # noqa: E731
    out = []
    for r in rows:
        a = r.get("after")
        count = r["kind"] in COUNT_KINDS
        fig = (lambda v: int(v)) if count else (lambda v: ShareCell(float(v)))
        progress = lambda v: ShareCell(target_progress(v, r["target"]))  # noqa: E731  (the overview's)
        # in the web's order: the overlap, what the "after" is made of, the versions it was solved on
        both, made_of, versions = targets_row_notes(r, overlap, proposals, current, lang)
        notes = [*([both] if both else []), *made_of, *([versions] if versions else [])]
        if not a and args.proposal:
            notes.append(t("plan_unchanged", lang))
        out.append({"type_name": t("tgt_village_attribute", lang) if r["kind"] == "attribute_share"
                    else pick(r["type_name_zh"], r["type_name_en"], lang),
                    "text": pick(r["text_zh"], r["text_en"], lang), "current": fig(r["value"]),
                    "met_now": status(r["status"] == "met"), "after": fig((a or r)["value"]),
                    "met_after": status((a or r)["status"] == "met"), "note": " · ".join(notes),
                    "synthetic_inputs": t("yes" if r.get("synthetic_inputs") else "no", lang),
                    "target_value": fig(r["target"]), "progress": progress(r["value"]),
                    "progress_after": progress((a or r)["value"])})
    frame = pd.DataFrame({t(label, lang): pd.Series([o[k] for o in out], dtype=object) for k, label in PLAN_COLUMNS},
                         columns=[t(label, lang) for _, label in PLAN_COLUMNS])
    sep = t("layer_list_sep", lang)
    met_now = sum(o["met_now"] == status(True) for o in out)
    met_after = sum(o["met_after"] == status(True) for o in out)
    names = targets_files_text(args.proposal, proposals, lang) if proposals else \
        sep.join(os.path.basename(p) for p in args.proposal)
    parts = [t("plan_export_proposals", lang, names=names) if args.proposal else t("plan_export_none", lang),
             t("plan_summary", lang).replace("{n}", str(met_after)).replace("{m}", str(len(out)))
             .replace("{k}", str(met_now)),
             *data_parts(region, lang, args.facilities), *file_notes]
    title = table_title(t("plan_title", lang), parts, lang, illustrative=any(r.get("synthetic_inputs") for r in rows))
    return frame, args.out, title


def _check_propose(args) -> None:
    """--p and --standard named as typed, then the request as the planner checks it (planner.proposals.validate:
    the type, lscp with a --p), all before any data is loaded: the planner said "当前 -1.0" after the data line.
    A standard above planner.proposals.MAX_STANDARD (10 hours, 300 km), which the web's form refuses, is refused
    here too (it was solved: QA 21), and one below MIN_STANDARD (1 minute, 100 metres) as well."""
    import math

    from planner.facility_types import get_type
    from planner.proposals import max_standard, min_standard, validate

    check_p(args.p)
    if args.standard is not None and not (math.isfinite(args.standard) and args.standard > 0):
        raise option_error("--standard", args.standard,
                           "the service standard must be a finite number above 0, in the type's unit "
                           "(e.g. --standard 30 for minutes, or 3000 for metres)",
                           "服务标准须为大于 0 的有限数，按该设施类型的单位填写（如 --standard 30 表示 30 分钟，或 3000 表示 3000 米）")
    if args.standard is not None:
        ft = get_type(args.type)  # an unknown type said in its own words
        top = max_standard(ft)
        if args.standard > top:
            minutes = ft.unit == "min"
            unit_en, unit_zh = ("minutes", "分钟") if minutes else ("metres", "米")
            plain_en, plain_zh = (f"{top / 60:g} hours", f"{top / 60:g} 小时") if minutes else \
                (f"{top / 1000:g} km", f"{top / 1000:g} 公里")
            raise option_error("--standard", args.standard,
                               f"the service standard can be at most {top:,.0f} {unit_en} ({plain_en}); give it in "
                               f"{unit_en} ({ft.name_en}: {ft.standard_urban:g} urban, {ft.standard_rural:g} rural "
                               "by default)",
                               f"服务标准最多为 {top:,.0f} {unit_zh}（{plain_zh}），请按{unit_zh}填写"
                               f"（{ft.name_zh}默认为城镇 {ft.standard_urban:g}、农村 {ft.standard_rural:g}）",
                               max=top, unit=ft.unit)
        low = min_standard(ft)
        if args.standard < low:  # 1e-320 was solved: 1,979 sites and numpy's overflow warning (QA 21)
            minutes = ft.unit == "min"
            unit_en, unit_zh = (("minute" if low == 1 else "minutes"), "分钟") if minutes else ("metres", "米")
            raise option_error("--standard", args.standard,
                               f"the service standard must be at least {low:g} {unit_en}; give it in "
                               f"{'minutes' if minutes else 'metres'} ({ft.name_en}: {ft.standard_urban:g} urban, "
                               f"{ft.standard_rural:g} rural by default)",
                               f"服务标准至少为 {low:g} {unit_zh}，请按{unit_zh}填写"
                               f"（{ft.name_zh}默认为城镇 {ft.standard_urban:g}、农村 {ft.standard_rural:g}）",
                               min=low, unit=ft.unit)
    validate(args.type, model=args.model, p=args.p, standard=args.standard, mode=args.mode,
             time_limit=args.time_limit, gap=args.gap)


def county_map_record(region, type_key: str, code: str | None, facilities, mode: str, graph) -> dict | None:
    """The coverage map's figure for a county proposal's county (planner.proposals.county_map_figure), as the web
    records it when it solves one: the whole city's coverage of the type on the data solved on (the register given
    by --facilities, if any), where villages reached from a neighbouring county's facility count too. The web's
    page and brief give it beside the county's "before" (QA 35: the CLI recorded none, and a CLI-made proposal's
    note kept the wording without the figures). None without a county, or when the coverage cannot be had there:
    the proposal is still written, its note then without the figures, as the web's."""
    if code is None:
        return None
    from geo.errors import CoverplanError
    from planner.coverage import analyse_coverage
    from planner.facility_types import get_type
    from planner.proposals import county_map_figure

    try:
        return county_map_figure(analyse_coverage(region, get_type(type_key), facilities=facilities, mode=mode,
                                                  graph=graph), code)
    except CoverplanError:
        return None


def record_county(out: dict, region, type_key: str, facilities, code: str | None, figure: dict | None) -> dict:
    """A county proposal's answer in the county's terms, as the web records it (planner.proposals
    county_scope_summary): the county's own facility counts and the coverage map's figure for the county
    (:func:`county_map_record`) as ``scope_map``. In place; returned. Without a county: unchanged."""
    if code is None:
        return out
    from planner.coverage import existing_facilities
    from planner.facility_types import get_type
    from planner.proposals import county_scope_summary

    return county_scope_summary(out, existing_facilities(region, get_type(type_key), facilities), code, figure)


def write_proposal(prop, region, scope: dict, args, county: dict | None = None) -> None:
    """`propose --out`: the proposal as the web's download of a saved one, with its name (made as the web makes
    one: the type, model and sites, then the file's name), the time written, its scope and the data version it was
    solved on -- in the GeoJSON's ``coverplan`` block (the keys `map --proposal` and `targets --proposal` read) or
    the title row of the .csv/.xlsx (with the type, model, number of sites and the standards, as the web's title).
    ``county`` (a county proposal's: ``{"facilities": ..., "figure": ...}``, :func:`record_county`): the block records
    the county's facility counts and the coverage map's figure for it, as the web's saved proposal does."""
    from datetime import datetime

    from cli.output import proposal_name, proposal_record, proposal_title, scope_part
    from planner.i18n import cost_text, t

    lang, when = args.lang, datetime.now()
    model = str(prop.solver.get("model"))
    # the sites asked for, as the web names it (its p; LSCP's name has none)
    asked = (prop.params or {}).get("p")
    name = proposal_name("location", prop.ftype, lang, args.out, model=model,
                         n=asked if asked is not None else len(prop.sites))
    if args.out.lower().endswith((".geojson", ".json")):
        fc = prop.to_geojson(data_version(region))  # the data version solved on (QA 27), as the web's download
        meta = {**(fc.get("coverplan") or {}), **proposal_record(name, region, scope, when), "kind": "location"}
        if county is not None and scope.get("county"):
            record_county(meta, region, args.type, county.get("facilities"), str(scope["county"]), county.get("figure"))
            meta["scope"] = scope  # the file's scope names the county ({county, name}), as the web's download
        for key, none in (("notes", []), ("explanation", "")):  # the run's language beside both, as the web's
            mine, other = (f"{key}_en", f"{key}_zh") if lang == "en" else (f"{key}_zh", f"{key}_en")
            meta[key] = meta.get(mine) or meta.get(other) or none
        fc["coverplan"] = meta
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(fc, fh, ensure_ascii=False, indent=1)
        return
    std = (prop.params or {}).get("standard") or {}
    unit = std.get("unit") or prop.ftype.unit
    parts = [prop.ftype.name(lang), f"{t('model', lang)}: {t('model_' + model, lang)}",
             f"{t('n_sites', lang)}: {len(prop.sites)}",
             f"{t('standard_urban', lang)} {cost_text(std.get('urban'), unit, lang)} / "
             f"{t('standard_rural', lang)} {cost_text(std.get('rural'), unit, lang)}",
             scope_part(scope, lang), *data_parts(region, lang, args.facilities)]
    write_table(proposal_table(prop, region, lang), args.out,
                proposal_title(name, parts, lang, illustrative=bool(prop.synthetic_inputs)))


def _propose(args) -> int:
    from geo.errors import InfeasibleError, InputDataError
    from planner.proposals import propose

    if args.out and not args.out.lower().endswith((".geojson", ".json", ".csv", ".xlsx")):
        # said before the solve (it came after it), with the GeoJSON the command also writes
        raise InputDataError(f"--out must end in .geojson, .csv or .xlsx (got {args.out}).",
                             f"--out 须为 .geojson、.csv 或 .xlsx 文件（当前 {args.out}）。")
    check_time_limit(args.time_limit)  # in the option's words, before any work
    if args.gap is None:  # not given: a proof (a sized proposal's default is planner.sizing.SIZED_GAP)
        args.gap = 0.0
    check_gap(args.gap)
    resolve_mode(args)  # before the request is checked with the mode
    _check_propose(args)
    check_county_option(args.county)  # before any data is loaded
    region, facilities = load_context(args)
    from planner.coverage import county_type
    from planner.facility_types import get_type
    register_holds(args, facilities, [get_type(args.type)])
    # a county's proposal, as the web form's scope: its demand, facilities and candidates (the same rule)
    ftype = (county_type(get_type(args.type), county_option_code(region, args.county), region)
             if args.county is not None else args.type)
    bar = progress(total=100, quiet=args.json, desc="propose", unit="%")
    last = [0]

    def tick(fraction: float, message: str) -> None:
        step = int(fraction * 100) - last[0]
        if step > 0:
            bar.update(step)
            last[0] += step
        bar.set_postfix_str(message)

    try:
        prop = propose(region, ftype, model=args.model, p=args.p, standard=args.standard,
                       mode=args.mode, graph=args.network, facilities=facilities,
                       time_limit=args.time_limit, gap=args.gap, progress=tick)
    except InfeasibleError as exc:  # more new sites than the data allows: said by --p as typed (QA 21)
        raise p_error(exc, args.p) from None
    finally:
        bar.close()
    from planner.i18n import share_text, t
    # the scope travels with the file, as the web's downloads say it: a county's figures read as the city's
    code = county_option_code(region, args.county) if args.county is not None else None
    scope = scope_of(region, code, args.lang)
    # the coverage map's figure for the county, recorded with the proposal as the web records it (QA 35)
    figure = county_map_record(region, args.type, code, facilities, args.mode, args.network) \
        if args.out or args.json else None
    if args.out:
        write_proposal(prop, region, scope, args, {"facilities": facilities, "figure": figure} if code else None)
    if args.json:
        out = {**prop.to_dict(lang=args.lang), "dataset_version": data_version(region)}
        if code is not None:  # the county's facility counts and the map's figure, as the web's county proposal
            record_county(out, region, args.type, facilities, code, figure)
            out["scope"] = scope  # as the API's
        out["equity"] = {k: v for k, v in out["equity"].items() if k not in ("costs_before", "costs_after", "weights")}
        print_json(out)
        return 0
    zh = args.lang == "zh"
    b, a = prop.before, prop.after
    where = f" · {county_namer(region, args.lang)(prop.ftype.demand_counties[0])}" if args.county is not None else ""
    print(f"{prop.ftype.name(args.lang)}{where} — {prop.solver['model']} ({solver_line(prop.solver, args.lang)}), "
          f"{new_sites_text(len(prop.sites), args.lang)}")
    # the shares as the web writes them (planner.i18n.share_text: 99.96% is not "100.0%")
    print(f"{'覆盖率：' if zh else 'covered share: '}{share_text(b['covered_share'] or 0)} → "
          f"{share_text(a['covered_share'] or 0)}")
    county = county_namer(region, args.lang, pad=1)  # a column: the township names after it line up (QA 27)
    # what the gain counts: the type's demand weight (people aged 60+), or units for a type weighted by units
    ft = prop.ftype
    who = None if ft.weight == "units" else t(f"weight_{ft.weight}", args.lang)
    for _, s in prop.sites.iterrows():
        n = int(s["added_units"])
        units = f"{n:,} 个单元" if zh else f"{n:,} {'unit' if n == 1 else 'units'}"
        gain = f"+{s['added_weight']:,.0f} {who} ({units})" if who else f"+{units}"
        print(f"  #{s['priority']:<3} {county(s['county_name'])} {pad(s['township_name'], 16)} {gain}")
    d = prop.to_dict(lang=args.lang)
    if not prop.is_estimate:  # the estimate's own note says how it measures; a road network is named here
        print(f"  * {'距离/出行时间按路网计算' if zh else 'Distances / travel times on the road network'}"
              f"{'（' + str(args.network) + '）' if zh else ' (' + str(args.network) + ')'}", file=sys.stderr)
    why = (prop.explanation or {}).get("explanation_zh" if zh else "explanation_en")
    if why:  # why the rest stays uncovered (off the network, no candidate in reach...), as the web page says
        print(f"  * {why}", file=sys.stderr)
    for note in d["notes"]:
        print(f"  * {note}", file=sys.stderr)
    return 0
