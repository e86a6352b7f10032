"""`coverplan capacity | access | upgrade | beds`, and `propose --sizes`: how much, not only where (issue 16)."""
from __future__ import annotations

import argparse
import sys

from cli.analysis import check_county_option, county_option_code, load_context, register_holds
from cli.lang import h
from cli.options import (add_coords, add_data_store, add_json, add_mode,
                         add_region, check_gap, check_time_limit, given_float, option_error, shown)
from cli.output import (ShareCell, cell, columns, county_namer, data_parts, data_version, in_lang, missing,
                        new_sites_text, out_frame, print_json, scope_of, solver_line, table_title, write_table)
from geo.errors import InputDataError
from planner.beds import MAX_TARGET


#: `beds --target`: new beds from 1 to planner.beds.MAX_TARGET, the range the web's /api/beds takes too,
#: checked before any data is loaded. A larger number ended in an OverflowError traceback.
BEDS_TARGET = (1, MAX_TARGET)
#: `beds --year`: the years planner.beds.allocate_beds takes, checked here before any data is loaded.
BEDS_YEARS = (2000, 2100)


def _context_args(p: argparse.ArgumentParser, *, type_required: bool = False, type_help: tuple | None = None) -> None:
    add_region(p)
    add_data_store(p)
    p.add_argument("--type", required=type_required,
                   help=h(*(type_help or ("设施类型代码，如 welfare_home", "facility type key, e.g. welfare_home"))))
    p.add_argument("--facilities", help=h("本单位设施名录（含容量列：床位数/日托位/墓穴/格位/助餐位）",
                                          "your register (with capacity columns beds/day_places/plots/niches/"
                                          "meal_places, or their Chinese headers)"))
    add_coords(p)
    add_json(p)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("capacity", help=h("容量供需：按乡镇（街道）、县区、全市对比容量与需求",
                                          "capacity against demand per township, county, city"))
    _context_args(p)
    p.add_argument("--beds", action="store_true",
                   help=h("全部养老床位合计，按每千名60岁以上老人床位数对照床位标准（须给出 --type 或 --beds）",
                          "all beds together per 1,000 aged 60+ against the bed standard (give --type or --beds)"))
    p.add_argument("--out", help=h("写出各乡镇（街道）明细表（.csv 或 .xlsx）",
                                   "write the per-township table (.csv or .xlsx)"))
    p.set_defaults(func=_capacity)

    p = sub.add_parser("access", help=h("可达性：各村（社区）的 E2SFCA 可达性（可达范围内的容量）",
                                        "E2SFCA accessibility per village (capacity within reach)"))
    _context_args(p, type_required=True)
    p.add_argument("--weight", default="stepped", choices=["stepped", "gaussian"],
                   help=h("服务范围（该类型的服务标准）内的距离衰减方式：stepped 阶梯式，gaussian 高斯",
                          "distance decay inside the catchment (the type's service standard)"))
    add_mode(p)
    p.add_argument("--network", help=h("--mode network 所用的路网", "road network for --mode network"))
    p.add_argument("--out", help=h("写出各村（社区）明细表（.csv 或 .xlsx）",
                                   "write the per-village table (.csv or .xlsx)"))
    p.set_defaults(func=_access)

    p = sub.add_parser("upgrade", help=h("改造提升/转型：选出应改造提升或转型的 K 处现有设施",
                                         "which K existing facilities to upgrade or convert"))
    _context_args(p, type_required=True)
    p.add_argument("--k", type=int, required=True,
                   help=h("改造提升或转型的设施数量", "number of facilities to upgrade or convert"))
    p.add_argument("--convert", action="store_true",
                   help=h("转型为该类型的转型目标（如 welfare_home -> regional_center）",
                          "convert into the type's conversion role (e.g. welfare_home -> regional_center)"))
    p.add_argument("--county", help=h("只在此县区内选择：该县区的现有设施与需求；代码或名称（如 420325 或 房县）",
                                      "only in this county: its facilities and demand; code or name "
                                      "(e.g. 420325 or Fang County)"))
    add_mode(p)
    p.add_argument("--network", help=h("--mode network 所用的路网", "road network for --mode network"))
    p.add_argument("--time-limit", type=given_float, default=60.0,
                   help=h("求解时限（秒，默认 60）", "solver time limit in seconds (default 60)"))
    p.add_argument("--out", help=h("写出方案（.geojson 可供 `targets --proposal` 使用，或 .csv、.xlsx）",
                                   "write the proposal (.geojson for `targets --proposal`, .csv or .xlsx)"))
    p.set_defaults(func=_upgrade)

    p = sub.add_parser("beds", help=h("床位指标分解：把全市新增床位目标分解到各乡镇（街道）",
                                      "break a citywide bed target down over townships"))
    _context_args(p, type_help=("新增床位所属的设施类型（须为按床位计的类型，如 welfare_home）：只扩建该类现有设施，"
                                "新址按该类规模估算；默认各类床位合计，新址按乡镇养老服务综合体估算",
                                "the type the new beds are of (a type counted in beds, e.g. welfare_home): only its "
                                "facilities are enlarged and new sites take its sizes; default: every bed type, new "
                                "sites sized as township complexes"))
    p.add_argument("--target", type=int, required=True,
                   help=h("待分配的新增床位数，如 7136", "new beds to allocate, e.g. 7136"))
    p.add_argument("--year", type=int,
                   help=h("目标对应的年份（默认：规划年份）", "the year of the target (default: the plan year)"))
    p.add_argument("--county", help=h("分解某县区的指标：--target 为该县区的新增床位数，只在其乡镇（街道）间分配；"
                                      "代码或名称（如 420325 或 房县）",
                                      "break down one county's target: --target is that county's new beds, given "
                                      "out over its townships only; code or name (e.g. 420325 or Fang County)"))
    p.add_argument("--out", help=h("写出供各县区民政局使用的明细表：.xlsx 含各乡镇（街道）和各县（市、区）两个工作表，"
                                   ".csv 仅含各乡镇（街道）",
                                   "write the table for the county bureaus: an .xlsx holds a townships sheet and a "
                                   "counties sheet, a .csv the townships only"))
    p.set_defaults(func=_beds)

    # `propose --sizes`: the capacity-aware form of the existing `propose` command (cli.analysis),
    # added here so the two stay one command; without --sizes `propose` is unchanged
    propose = sub.choices.get("propose")
    if propose is not None:
        g = propose.add_argument_group(h("规模与预算（考虑容量）", "sizes and budget (capacity-aware)"))
        g.add_argument("--sizes", help=h("规模档次，按该类型的容量单位，如 30,60,100（床位）；留空（--sizes ''）则按该类型的"
                                         "默认规模，与网页相同",
                                         "size classes in the type's capacity unit, e.g. 30,60,100 (beds); left empty "
                                         "(--sizes ''), the type's own sizes, as on the web"))
        g.add_argument("--costs", help=h("各档规模的造价（万元），如 300,500,750（默认：该类型的设定）",
                                         "cost of each size (10,000 yuan), e.g. 300,500,750 (default: the type's)"))
        g.add_argument("--budget", type=int,
                       help=h("新建站点数的上限（默认：--budget-cost 也不给时为该类型的常用新建数，与网页相同）",
                              "at most this many new sites (default, when --budget-cost is not given either: the "
                              "type's usual number of new sites, as on the web)"))
        g.add_argument("--budget-cost", type=given_float, help=h("总造价的上限（万元）", "at most this total cost (10,000 yuan)"))
        plain = propose.get_default("func")
        # --sizes '' is a sized proposal of the type's own sizes, as the web's blank sizes field (F8): it was an
        # ordinary location plan (mclp, p 5) without a word
        propose.set_defaults(func=lambda args: _propose_sized(args) if args.sizes is not None
                             else _plain_propose(args, plain))


def _plain_propose(args, plain) -> int:
    """`propose` without --sizes: a budget or costs given there would be silently ignored: refused."""
    given = [f for f, v in (("--budget", args.budget), ("--budget-cost", args.budget_cost), ("--costs", args.costs))
             if v is not None]
    if given:
        raise InputDataError(f"{given[0]} applies only with --sizes (a proposal with sizes and a budget); "
                             "without --sizes use --p for the number of new sites.",
                             f"{given[0]} 只用于带 --sizes 的方案（规模与预算）；不带 --sizes 时请用 --p 指定新建站点数。",
                             details={"parameter": given[0].lstrip("-")})
    return plain(args)


def _types(args, *, beds: bool = False) -> list:
    """The facility types an answer counts: --type's, or every type counted in beds (--beds, `beds`)."""
    from planner.capacity import bed_types
    from planner.facility_types import get_type

    if beds or getattr(args, "beds", False) or not getattr(args, "type", None):
        return bed_types()
    return [get_type(args.type)]


def _capacity(args) -> int:
    from planner.capacity import analyse_beds, analyse_capacity
    from planner.i18n import t

    if not args.type and not args.beds:  # no silent default: the planner says which supply is meant
        raise InputDataError("coverplan capacity needs --type TYPE (one facility type, e.g. --type welfare_home) "
                             "or --beds (all elderly-care beds together): give one of them.",
                             "coverplan capacity 需要 --type 类型（某一类设施，如 --type welfare_home）"
                             "或 --beds（各类养老床位合计），请给出其一。",
                             details={"parameter": "type"})
    if args.type and args.beds:  # --beds counts every type's beds: a --type beside it would be quietly ignored
        raise InputDataError("--beds and --type cannot be used together: --beds counts the beds of every "
                             "elderly-care type. Drop --type for all beds, or drop --beds for that one type.",
                             "--beds 与 --type 不能同时使用：--beds 统计各类养老设施的全部床位。"
                             "要看全部床位请去掉 --type，只看该类设施请去掉 --beds。",
                             details={"parameter": "beds"})
    region, facilities = load_context(args)
    register_holds(args, facilities, _types(args), capacity="supply")  # none of the type, or none with a capacity
    rep = analyse_capacity(region, args.type, facilities=facilities) if args.type and not args.beds \
        else analyse_beds(region, facilities=facilities)
    if args.out:
        what = f"{rep.name_zh}（各乡镇（街道））" if args.lang == "zh" else f"{rep.name_en}, per township"
        write_table(capacity_table(rep, region, args.lang), args.out,
                    table_title(what, data_parts(region, args.lang, args.facilities), args.lang,
                                illustrative=bool(rep.synthetic_inputs)))
    d = {**rep.to_dict(args.lang), "dataset_version": data_version(region)}
    if args.json:
        print_json(d)
        return 0
    zh = args.lang == "zh"
    c = d["citywide"]
    name = rep.name_zh if zh else rep.name_en
    # the *_whole figures: the one rounding rule shared with the API and the overview (planner.capacity.whole_units);
    # ratios with one decimal, in the title line as in the table
    ratio = f"{c['ratio_per_1000'] or 0:.1f}"
    # what is counted and per whom (张床位, 80岁以上): "6,075 / 1,356（每千人 134.4…）" named neither (QA 27)
    unit = t(f"capw_unit_{d['field']}", args.lang)
    basis = t(f"{'weight' if zh else 'capw_basis'}_{d['basis']}", args.lang)
    if zh:
        print(f"{name}：现有 / 按标准应有 {c['supply_whole']:,} / {c['required_whole']:,} {unit}，按{basis}计"
              f"（每千人 {ratio}，标准 {rep.per_1000:g}），净缺口 {c['shortfall_whole']:,} {unit}")
    else:
        print(f"{name}: {c['supply_whole']:,} {unit} now / {c['required_whole']:,} needed for {basis} "
              f"({ratio} per 1,000, standard {rep.per_1000:g}), net shortfall {c['shortfall_whole']:,} {unit}")
    # 示意 is said among the notes (stderr), as the capacity report's own note
    # one table, its columns named in the run's language and aligned in terminal columns (a Chinese
    # character takes two), the citywide row last
    county = county_namer(region, args.lang, pad=6)
    heads = (["代码", "县（市、区）", "现有", "按标准应有", "每千人", "净缺口"] if zh
             else ["code", "county", "now", "needed", "per 1,000", "net shortfall"])
    # a county whose facilities' capacity is not all known: its "now" is marked (the unknown count as 0, and a
    # "0" read as none: QA 23) and said in a note; the digits stay aligned with the unmarked rows
    def unknown(r: dict) -> int:
        return max(0, int(r.get("facilities") or 0) - int(r.get("capacity_known") or 0))

    marked = unknown(c) > 0

    def now(r: dict) -> str:
        return f"{r['supply_whole']:,}" + ((f" {UNKNOWN_MARK}" if unknown(r) else "  ") if marked else "")

    rows = [[r["county_code"], county(r["county_code"]).rstrip(), now(r),
             f"{r['required_whole']:,}", f"{r['ratio_per_1000'] or 0:.1f}", f"{r['shortfall_whole']:,}"]
            for r in d["by_county"]]
    rows.append(["", "全市" if zh else "citywide", now(c), f"{c['required_whole']:,}", ratio,
                 f"{c['shortfall_whole']:,}"])
    widths = [max(columns(x[i]) for x in [heads, *rows]) for i in range(len(heads))]
    for row in [heads, *rows]:
        print("  " + "  ".join(cell(x, w, "<" if i < 2 else ">") for i, (x, w) in enumerate(zip(row, widths))).rstrip())
    if marked:
        print(f"  {unknown_note(d, county, zh)}")
    for note in d["notes"]:
        print(f"  * {note}", file=sys.stderr)
    return 0


#: the mark on a `capacity` row whose facilities' capacity is not all known (ASCII: one terminal column)
UNKNOWN_MARK = "?"


def unknown_note(d: dict, county, zh: bool) -> str:
    """The note under `capacity`'s table for the rows marked UNKNOWN_MARK: which counties have facilities of
    unknown capacity, how many of how many, that they count as 0 (the "now" is a floor, the shortfall may be
    smaller) and how to fill it in. ``d``: a capacity report's dict; ``county``: cli.output.county_namer's."""
    from cli.analysis import CAPACITY_COLUMNS

    c = d["citywide"]
    rows = [r for r in d["by_county"] if int(r.get("facilities") or 0) > int(r.get("capacity_known") or 0)]
    col_en, col_zh = CAPACITY_COLUMNS.get(d["field"], (d["field"], d["field"]))
    n = int(c["facilities"]) - int(c["capacity_known"])
    if zh:
        where = "、".join(f"{county(r['county_code']).strip()} {r['facilities'] - r['capacity_known']:,}/{r['facilities']:,} 处"
                         for r in rows)
        return (f"{UNKNOWN_MARK} 容量未知：{n:,} 处设施在名录中的{col_zh}为空（{where}），按 0 计，"
                f"标“{UNKNOWN_MARK}”各行的“现有”只含已知容量，实际缺口可能更小；请在名录中补填{col_zh}后重新导入。")
    where = ", ".join(f"{county(r['county_code']).strip()} {r['facilities'] - r['capacity_known']:,} of "
                      f"{r['facilities']:,}" for r in rows)
    return (f"{UNKNOWN_MARK} capacity unknown: {n:,} {'facility leaves' if n == 1 else 'facilities leave'} the "
            f"register's {col_en} column empty ({where}) and {'counts' if n == 1 else 'count'} as 0: a row marked {UNKNOWN_MARK} "
            "holds the known capacity only in \"now\", and its shortfall may be smaller. Fill in the "
            f"{col_en} column of the register and import it again.")


def _access(args) -> int:
    from planner.access import analyse_access
    from planner.i18n import share_text, t

    region, facilities = load_context(args)
    register_holds(args, facilities, _types(args), capacity="accessibility", region=region)
    rep = analyse_access(region, args.type, facilities=facilities, weight=args.weight, mode=args.mode,
                         graph=args.network)
    if args.out:
        name = rep.ftype.name(args.lang)
        what = f"{name} E2SFCA 可达性（各村（社区））" if args.lang == "zh" else f"{name} E2SFCA accessibility, per village"
        write_table(access_table(rep, region, args.lang), args.out,
                    table_title(what, data_parts(region, args.lang, args.facilities), args.lang,
                                illustrative=bool(rep.synthetic_inputs)))
    if args.json:
        print_json({**rep.to_dict(args.lang), "dataset_version": data_version(region)})
        return 0
    zh = args.lang == "zh"
    c = rep.citywide
    print(f"{rep.ftype.name(args.lang)} E2SFCA ({rep.to_dict(args.lang, units=False)['weight_text']})")
    # what is counted and per whom (个日托位, 60岁以上): "全市平均 1.7 / 15 每千人" named neither (QA 27)
    dd = rep.to_dict(args.lang, units=False)
    unit = t(f"capw_unit_{dd['field']}", args.lang)
    basis = t(f"capw_basis_{dd['basis']}", args.lang)
    # the mean is (about) the city's places over its demand: "19.2 (standard 15)" read as met while 82 % of the
    # people were below the standard and 44 % had no place in reach (F8). The people below it and with none in
    # reach are said beside it, counted in the type's demand, with their share of it (planner.i18n.share_text)
    print(t("f8_access_mean", args.lang, basis=basis, unit=unit, mean=f"{c['access_per_1000']:.1f}",
            standard=f"{c['standard_per_1000']:g}"))
    demand = int(c.get("demand") or 0)
    below, none = int(c.get("below_standard_demand") or 0), int(c.get("zero_access_demand") or 0)
    n_units = int(c.get("zero_access_units") or 0)
    print(t("f8_access_gaps", args.lang, below=f"{below:,}", who=basis,
            below_share=share_text(below / demand if demand else 0), none=f"{none:,}",
            none_share=share_text(none / demand if demand else 0), units=f"{n_units:,}",
            villages=t("f8_village1" if n_units == 1 else "f8_villages", args.lang)))
    if rep.synthetic_inputs:  # said as coverage and propose say it
        print(t("cli_synthetic_inputs", args.lang))
    county = county_namer(region, args.lang, pad=6)
    # one table whose columns are named, as coverage and capacity name theirs (it printed "420302 茅箭区  9.7
    # (64.4%)", no header saying what either number is: QA 33), aligned in terminal columns; the ratio as the
    # web's map writes it (one decimal, planner.i18n.share_text)
    heads = (["代码", "县（市、区）", "每千人可达", "占标准"] if zh else ["code", "county", "per 1,000", "of standard"])
    rows = [[str(code), county(code).rstrip(), f"{r['access_per_1000']:.1f}",
             f"({share_text(r['ratio_to_standard'])})"]
            for code, r in rep.by_county.iterrows()]
    widths = [max(columns(x[i]) for x in [heads, *rows]) for i in range(len(heads))]
    for row in [heads, *rows]:
        print("  " + "  ".join(cell(x, w, "<" if i < 2 else ">") for i, (x, w) in enumerate(zip(row, widths))).rstrip())
    return 0


def _write_geojson(payload: dict, path: str) -> None:
    import json
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=1, allow_nan=False)


def _upgrade(args) -> int:
    from planner.upgrades import propose_upgrades

    if args.k < 1:  # checked here, before loading anything: the planner's check is for K above the limits
        raise InputDataError(f"--k {args.k}: the number of facilities to upgrade must be at least 1 (e.g. --k 5).",
                             f"--k {args.k} 无效：改造数量 K 应为不小于 1 的整数（如 --k 5）。",
                             details={"parameter": "k", "value": str(args.k)})
    check_time_limit(args.time_limit)  # in the option's words (the planner's name its field, time_limit)
    check_county_option(args.county)  # before any data is loaded
    region, facilities = load_context(args)
    county = county_option_code(region, args.county) if args.county is not None else None
    try:
        plan = propose_upgrades(region, args.type, args.k, conversion=args.convert, facilities=facilities,
                                mode=args.mode, graph=args.network, time_limit=args.time_limit, county=county)
    except InputDataError as exc:
        raise _k_error(exc, args, county and (str(region.counties["name"][county]),
                                              county_namer(region, "en")(county).strip())) from None
    where = county_namer(region, args.lang)(county).strip() if county else None
    if args.out:
        _write_upgrade(plan, region, scope_of(region, county, args.lang), args)
    if args.json:
        print_json({**plan.to_dict(args.lang), "county": county, "dataset_version": data_version(region)})
        return 0
    zh = args.lang == "zh"
    b, a = plan.before, plan.after
    n = len(plan.sites)
    cost = "" if a.get("cost") is None else \
        f", {'造价（示意）' if zh else 'illustrative cost '}{wan(a['cost'], args.lang)}"
    print(f"{plan.ftype.name(args.lang)}{f' · {where}' if where else ''} — {n} "
          f"{'处' if zh else ('facility' if n == 1 else 'facilities')}{cost}, "
          f"{'服务' if zh else 'served'} {b['served']:,.0f} → {a['served']:,.0f} / {a['demand']:,.0f} "
          f"({solver_line(plan.solver, args.lang)})")
    reason = "reason_zh" if zh else "reason_en"
    county = county_namer(region, args.lang, pad=1)  # a column: the names after it line up (QA 27)
    for _, s in plan.sites.iterrows():
        print(f"  #{s['priority']:<3} {county(s['county_name'])} {s['name']}: {s[reason]}")
    # the plan's notes (whom the demand counts, upgrades that add nobody, a conversion's other base, 示意), as
    # `capacity` prints its own: none was printed (QA 25)
    for note in plan.to_dict(args.lang)["notes"]:
        print(f"  * {note}", file=sys.stderr)
    return 0


def _write_upgrade(plan, region, scope: dict, args) -> None:
    """`upgrade --out`: the chosen facilities as the web's download of a saved upgrade, with its name (made as the
    web makes one: the type, upgrade or convert and K, then the file's name), the time written, its scope and the
    data version -- in the GeoJSON's ``coverplan`` block (in the run's language; the keys `map --proposal` and
    `targets --proposal` read) or the title row of the .csv/.xlsx."""
    from datetime import datetime

    from cli.output import proposal_name, proposal_record, proposal_title, scope_part
    from planner.i18n import t

    lang, when = args.lang, datetime.now()
    name = proposal_name("upgrade", plan.ftype, lang, args.out, k=args.k, convert=args.convert)
    if args.out.lower().endswith((".geojson", ".json")):
        fc = plan.to_geojson(lang)  # its type, role and notes in the run's language, as the web's ?lang= download
        fc["coverplan"] = {**fc["coverplan"], **proposal_record(name, region, scope, when),
                           "is_estimate": (plan.params or {}).get("mode") != "network"}
        _write_geojson(fc, args.out)
        return
    what = f"{t('capw_convert_title' if args.convert else 'capw_upgrade_title', lang)}: {plan.ftype.name(lang)}"
    model = str((plan.solver or {}).get("model") or "upgrade_mip")
    parts = [what, f"K = {args.k}", f"{t('model', lang)}: {t('model_' + model, lang)}",
             # planner.mapexport.sites_label's words (its module loads folium: not for a table)
             f"{t('capw_n_converted' if plan.role else 'capw_n_upgraded', lang)}: {len(plan.sites)}",
             scope_part(scope, lang), *data_parts(region, lang, args.facilities)]
    synthetic = bool(plan.to_dict(lang)["synthetic_inputs"])
    write_table(upgrade_table(plan, region, lang), args.out, proposal_title(name, parts, lang, illustrative=synthetic))


def _k_error(exc: InputDataError, args, where: tuple[str, str] | None = None) -> InputDataError:
    """The planner's "K = 100 facilities to upgrade is too many" (planner.upgrades, which names its field K, as the
    web's form does) said by the option as typed, ``--k 100``, with the numbers --k may take; only the number the
    data allows is said here (below 1 is refused before the data is loaded). Any other error as it is."""
    from planner.facility_types import get_type

    d = exc.details or {}
    if d.get("parameter") != "k" or d.get("k") != args.k or "max" not in d or args.k < 1:
        return exc
    ft, most, n = get_type(args.type), int(d["max"]), int(d.get("facilities", 0))
    unknown = int(d.get("capacity_unknown") or 0)
    more_en = f" ({unknown:,} more have no capacity in the register and are not counted)" if unknown else ""
    more_zh = f"（另有 {unknown:,} 处容量未知，未计入）" if unknown else ""
    what_en, what_zh = ("convert", "转型") if args.convert else ("upgrade", "改造提升")
    # with --county the facilities and the limit are that county's (``where``: its Chinese and English names)
    in_en, in_zh = (f" in {where[1]}", where[0]) if where else ("", "")
    limit_en, limit_zh = ("the per-county limit allows", "按县上限") if where else ("the per-county limits allow", "按各县上限")
    return InputDataError(f"--k {args.k}: too many facilities to {what_en}: of the {n:,} existing {ft.name_en} "
                          f"facilities{in_en}{more_en}, {limit_en} at most {most:,}; give --k from 1 to "
                          f"{most:,}.",
                          f"--k {args.k} 无效：{what_zh}数量过多：{in_zh}现有{ft.name_zh}共 {n:,} 处{more_zh}，{limit_zh}最多可选 "
                          f"{most:,} 处；请给出 1 至 {most:,} 之间的 --k。",
                          hint_en=exc.hint_en, hint_zh=exc.hint_zh, details={**d, "value": str(args.k)})


def _blank_sizes(args) -> str | None:
    """--sizes left empty ('' or spaces): the type's own size classes, as the web takes a blank sizes field
    (web/capacity_proposals.py: "left blank: the type's own"), set in ``args.sizes`` and returned as shown in the
    notes ("30/60/100"); None when sizes were given. A type with no capacity, or none of its own sizes, is refused
    naming what to give. The CLI went on to an ordinary location plan (mclp, p 5) without a word (F8)."""
    from planner.capacity import no_capacity_error
    from planner.facility_types import get_type

    if args.sizes.strip():
        return None
    ft = get_type(args.type)
    if ft.capacity is None:
        raise no_capacity_error(ft)
    own = list(ft.capacity.sizes or [])
    if not own:
        raise option_error("--sizes", '""', f"{ft.name('en')} has no size classes of its own to take when --sizes is "
                           "left empty; give the sizes, e.g. --sizes 30,60,100",
                           f"{ft.name('zh')}未设定默认规模档次，--sizes 不能留空；请填写规模，如 --sizes 30,60,100")
    args.sizes = ",".join(f"{float(x):g}" for x in own)
    return "/".join(f"{float(x):,.0f}" if float(x).is_integer() else f"{float(x):g}" for x in own)


def _check_sizes(args) -> None:
    """--sizes checked as the planner checks them (planner.sizing: parse_sizes, check_sizes), its errors said
    by the option's name: the planner's name the field the CLI and the web share, sizes."""
    from planner.facility_types import get_type
    from planner.i18n import t
    from planner.sizing import check_sizes, parse_sizes

    ft = get_type(args.type)
    try:
        sizes = parse_sizes(args.sizes)
        if ft.capacity is not None:  # a type without capacity is refused by propose_sized, in its own words
            check_sizes(ft, sizes)
    except InputDataError as exc:
        d = exc.details or {}
        if "not_whole" in d:  # 0.5 beds: a size is a whole number of places (QA 25)
            unit_en = t(f"capw_unit_{ft.capacity.field}", "en") if ft.capacity is not None else "places"
            unit_zh = t(f"capw_unit_{ft.capacity.field}", "zh") if ft.capacity is not None else "容量"
            raise option_error("--sizes", args.sizes,
                               f"{d['not_whole']:g} is not a whole number of 1 or more; give each size as a whole "
                               f"number of {unit_en}, separated by commas (e.g. --sizes 30,60,100)",
                               f"{d['not_whole']:g} 不是不小于 1 的整数；每档规模须为整数（{unit_zh.lstrip('张个')}数），"
                               "以逗号分隔（如 --sizes 30,60,100）", not_whole=d["not_whole"]) from None
        if "max" in d:
            raise InputDataError(f"--sizes {args.sizes}: {d['value']:g} is larger than any single {ft.name('en')} "
                                 f"({d['max']:g} at most); give each site's capacity.",
                                 f"--sizes {args.sizes} 无效：{d['value']:g} 超过单处{ft.name('zh')}的合理规模"
                                 f"（最多 {d['max']:g}），请填写每处的容量。", details=d) from None
        raise InputDataError(f"--sizes {args.sizes}: give sizes > 0 separated by commas, e.g. --sizes 30,60,100.",
                             f"--sizes {args.sizes} 无效：请填写大于 0、以逗号分隔的规模，如 --sizes 30,60,100。",
                             details=d) from None


def _costs(text: str) -> list[float]:
    """--costs as numbers: "abc" stopped in a traceback, and nan or inf made a solve without a cost. Each read by the
    web's rule (planner.sizing.number_values, planner.textrules.number_text): "3_00" and "٣٠٠" were solved as 300
    where the web refuses them (QA 35)."""
    import math

    from planner.sizing import number_items, number_values

    costs = number_values(number_items(text)) or []
    if not costs or not all(math.isfinite(c) and c > 0 for c in costs):
        raise InputDataError(f"--costs {text}: give one cost per size in 10,000 yuan, numbers > 0 separated by "
                             "commas, e.g. --costs 300,500,750.",
                             f"--costs {text} 无效：请为每档规模给出造价（万元），须为大于 0、以逗号分隔的数，如 --costs 300,500,750。",
                             details={"parameter": "costs", "value": text})
    from planner.sizing import cost_out_of_range, cost_range_text

    bad = cost_out_of_range(costs)
    if bad is not None:  # 1e308 overflowed the total; 0.000001 printed as 0 (QA 28)
        typed = [c.strip() for c in number_items(text)]
        en, zh = cost_range_text(typed[bad], costs[bad])
        raise option_error("--costs", text, en, "应为" + zh)
    return costs


def _check_budget(args, costs: list[float] | None) -> None:
    """--budget and --budget-cost as planner.sizing.propose_sized checks them, before any data is loaded and
    named as typed (--budget-cost 1e999 was told as inf, and after the data line)."""
    import math

    from planner.capacity import no_capacity_error
    from planner.facility_types import get_type
    from planner.sizing import MAX_BUDGET_COST, MAX_BUDGET_SITES, size_costs, sized_classes

    ft = get_type(args.type)
    if ft.capacity is None:  # no capacity to size: said now, in the planner's words
        raise no_capacity_error(ft)
    if args.budget is not None and args.budget < 1:
        raise option_error("--budget", args.budget, "the budget must allow at least one new site (give 1 or more)",
                           "预算至少应能新建 1 处（请填写不小于 1 的整数）")
    # the web's bounds (planner.sizing MAX_BUDGET_SITES, MAX_BUDGET_COST): 1,000,000,000 sites and a cost of 1e300
    # were taken here where the web refused them (F8)
    if args.budget is not None and args.budget > MAX_BUDGET_SITES:
        raise option_error("--budget", args.budget,
                           f"give at most {MAX_BUDGET_SITES:,} new sites, as the web does (e.g. --budget 8)",
                           f"新建站点数上限不能超过 {MAX_BUDGET_SITES:,}（与网页相同），请填写 1 至 {MAX_BUDGET_SITES:,} "
                           "之间的整数（如 --budget 8）", max=MAX_BUDGET_SITES)
    if args.budget_cost is None:
        return
    if not (math.isfinite(args.budget_cost) and args.budget_cost > 0):
        raise option_error("--budget-cost", args.budget_cost,
                           "give the total cost allowed (10,000 yuan), a finite number above 0",
                           "请填写总造价上限（万元），须为有限数且大于 0")
    if args.budget_cost > MAX_BUDGET_COST:
        raise option_error("--budget-cost", args.budget_cost,
                           f"give a total cost of at most {MAX_BUDGET_COST:,.0f} (10,000 yuan), as the web does; "
                           "a larger one is most likely yuan typed as 10,000 yuan",
                           f"总造价上限不能超过 {MAX_BUDGET_COST:,.0f} 万元（与网页相同），更大的数多半是把元当成了万元",
                           max=MAX_BUDGET_COST)
    sizes, costs = sized_classes(args.sizes, costs)  # each cost with its size, sorted together
    cost = size_costs(ft, sizes, costs)
    if args.budget_cost < min(cost):
        cheapest = int(min(range(len(cost)), key=cost.__getitem__))
        raise option_error("--budget-cost", args.budget_cost,
                           f"smaller than the cheapest site ({min(cost):g} for size {sizes[cheapest]:g}), so no site "
                           "can be built; raise the budget or add a smaller size",
                           f"小于最便宜的一处站点造价（规模 {sizes[cheapest]:g}，{min(cost):g}），无法新建任何站点；"
                           "请提高预算，或增加更小的规模档次", cheapest=min(cost))


def _check_pairs(args, costs: list[float] | None) -> None:
    """--costs against --sizes, by the options' names and before any data is loaded (planner.sizing.sized_classes
    said "Costs (costs)" after the data line): one cost per size as typed, and then each size once."""
    from planner.sizing import sized_classes

    try:
        sized_classes(args.sizes, costs)
    except InputDataError as exc:
        d = exc.details or {}
        if d.get("parameter") == "costs":
            n = d.get("sizes")
            raise option_error("--costs", args.costs, f"give one cost per size ({n}), in the order of --sizes",
                               f"请为每个规模给一个造价（共 {n} 个），顺序与 --sizes 相同") from None
        if "value" in d:
            v = f"{d['value']:g}"
            raise option_error("--sizes", args.sizes, f"{v} is given twice; with --costs give each size once",
                               f"{v} 重复；给出 --costs 时每个规模只能填一次") from None
        raise


def _unused_with_sizes(args) -> None:
    """--p and --standard are `propose`'s without --sizes: with it they were ignored without a word, whatever
    their value (--p -1 too), as --budget is refused without --sizes (:func:`_plain_propose`)."""
    if args.p is not None:
        raise InputDataError("--p applies only without --sizes; with --sizes, give --budget for the most new sites "
                             "(or --budget-cost for the total cost).",
                             "--p 只用于不带 --sizes 的方案；带 --sizes 时请用 --budget 指定新建站点数上限（或用 --budget-cost 指定总造价上限）。",
                             details={"parameter": "p", "value": str(args.p)})
    if args.standard is not None:
        raise InputDataError("--standard applies only without --sizes: a proposal with sizes uses the type's own "
                             "service standard.",
                             "--standard 只用于不带 --sizes 的方案：带 --sizes 的方案按该设施类型自身的服务标准计算。",
                             details={"parameter": "standard", "value": str(args.standard)})
    if getattr(args, "model", "auto") not in (None, "auto"):  # the web refuses model with kind sized too (QA 30)
        raise InputDataError(f"--model applies only without --sizes: a proposal with sizes is solved by its own "
                             f"sizing model (--model {args.model} would be ignored).",
                             f"--model 只用于不带 --sizes 的方案：带 --sizes 的方案由规模配置模型求解（--model {args.model} 不会被采用）。",
                             details={"parameter": "model", "value": str(args.model)})


def _propose_sized(args) -> int:
    from planner.i18n import share_text
    from planner.sizing import MIN_SIZED_GAP, SIZED_GAP, points_text, propose_sized

    check_time_limit(args.time_limit)  # the options in their own words, before any work
    _unused_with_sizes(args)
    if args.gap is not None:
        check_gap(args.gap)
    default_sizes = _blank_sizes(args)  # --sizes '': the type's own, as the web's blank field (F8)
    _check_sizes(args)
    costs = _costs(args.costs) if args.costs else None
    _check_pairs(args, costs)
    _check_budget(args, costs)
    check_county_option(args.county)  # before any data is loaded
    region, facilities = load_context(args)
    register_holds(args, facilities, _types(args))
    # a county's sized proposal, as the web form's scope: its demand, facilities and candidates (QA 23: the
    # county was ignored and the city's solved)
    from planner.coverage import county_type
    from planner.facility_types import get_type
    from planner.i18n import t
    code = county_option_code(region, args.county) if args.county is not None else None
    ftype = county_type(get_type(args.type), code, region) if code else args.type
    scope = scope_of(region, code, args.lang)
    # neither budget: the type's usual number of new sites, as the web form (and `propose --p`) defaults: the CLI
    # solved without a limit (14 sites where the web built 8 for the same inputs, QA 29)
    budget = args.budget
    usual = budget is None and args.budget_cost is None
    if usual:
        budget = get_type(args.type).default_p
    out = propose_sized(region, ftype, args.sizes, costs=costs, budget_sites=budget,
                        budget_cost=args.budget_cost, facilities=facilities, mode=args.mode,
                        graph=args.network, time_limit=args.time_limit,
                        gap=SIZED_GAP if args.gap is None else max(args.gap, MIN_SIZED_GAP))
    if usual:  # the budget no option gave, said in the notes (printed, and in --json / --out) (QA 29)
        out["notes_zh"].append(t("capw_budget_usual", "zh", n=budget))
        out["notes_en"].append(t("capw_budget_usual", "en", n=budget))
    for lang in ("zh", "en"):  # what the options did not say as given, in the notes of both languages (F8)
        if default_sizes:
            out[f"notes_{lang}"].append(t("f8_sizes_default", lang, sizes=default_sizes))
        if args.gap is not None and args.gap < MIN_SIZED_GAP:  # raised without a word before
            out[f"notes_{lang}"].append(t("f8_gap_raised", lang, given=shown(args.gap), min=f"{MIN_SIZED_GAP:g}"))
    if code and (args.out or args.json):  # the county's terms and the coverage map's figure for it, recorded as the web records them (QA 35)
        from cli.analysis import county_map_record, record_county
        record_county(out, region, args.type, facilities, code,
                      county_map_record(region, args.type, code, facilities, args.mode, args.network))
    if args.out:
        _write_sized(out, region, scope, args)
    out["dataset_version"] = data_version(region)
    if code:
        out["scope"] = scope
    if args.json:
        print_json(out)
        return 0
    zh = args.lang == "zh"
    sm = out["summary"]
    where = f" · {scope['name']}" if code else ""
    # every figure with its unit: the people served are of the type's basis (60+ ...), the shortfall and the
    # sizes in its capacity (beds, day places ...); "服务 55,539/86,653, 剩余缺口 311" said neither (QA 24)
    who = t(f"capw_basis_{out['basis']}", args.lang)

    def amount(x: float) -> str:
        x = float(x)
        num = f"{x:,.0f}" if x == round(x) else f"{x:,.1f}"
        return f"{num} {t(('capw_unit1_' if args.lang == 'en' and x == 1 else 'capw_unit_') + out['field'], args.lang)}"
    short = sm.get("shortfall_whole", round(sm["shortfall_capacity"]))
    # the cost is coverplan's assumption, labelled so as the web's pages label it (QA 25: "cost 6,000 × 10,000 yuan")
    print(f"{out['type_name_zh'] if zh else out['type_name_en']}{where} — {new_sites_text(sm['new_sites'], args.lang)}, "
          f"{'造价（示意）' if zh else 'illustrative cost '}{wan(sm['cost'], args.lang)}; {'服务' if zh else 'served'} "
          f"{sm['served']:,}/{sm['demand']:,} {who}, "
          f"{'剩余缺口' if zh else 'remaining shortfall'} {amount(short)} "
          f"({solver_line(out['solver'], args.lang)})")
    county = county_namer(region, args.lang, pad=1)  # a column: the names after it line up (QA 27)
    for s in out["sites"]:
        name = s["name"] if zh else (s.get("name_en") or s["name"])  # the generated words in English
        n = len(s["assigned_villages"])
        print(f"  #{s['priority']:<3} {county(s['county_name'])} {name} {amount(s['size'])} "
              # share_text as the brief: 99.99% read "100%", 99.2% "99%" (QA 29)
              f"({'使用率' if zh else 'used'} {share_text(s['utilisation'])}, {points_text(n, sm.get('points'), args.lang)})")
    # the plan's notes (the costs illustrative, whose capacities, ...), as `capacity` prints its own
    for note in out.get("notes_zh" if zh else "notes_en") or []:
        print(f"  * {note}", file=sys.stderr)
    return 0


def _write_sized(out: dict, region, scope: dict, args) -> None:
    """`propose --sizes --out`: the sized proposal as the web's download of a saved one, with its name (made as the
    web makes one: the type and sizes, then the file's name), the time written, its scope and the data version --
    in the GeoJSON's ``coverplan`` block (the keys `map --proposal` and `targets --proposal` read) or the title row
    of the .csv/.xlsx, which names the total cost and the remaining shortfall too, as the web's title does."""
    from datetime import datetime

    from cli.output import proposal_name, proposal_record, proposal_title, scope_part
    from planner.facility_types import get_type
    from planner.i18n import t
    from planner.sizing import wan_text

    lang, when = args.lang, datetime.now()
    sizes = (out.get("params") or {}).get("sizes") or []  # as solved (sorted, each once), as the web names it
    name = proposal_name("sized", get_type(args.type), lang, args.out, sizes=sizes)
    if args.out.lower().endswith((".geojson", ".json")):
        feats = [{"type": "Feature", "properties": {**{k: v for k, v in s.items() if k != "assigned_villages"},
                                                    "id": f"site-{s['priority']}", "facility_type": out["type"],
                                                    "assigned_villages": len(s["assigned_villages"])},
                  "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]}} for s in out["sites"]]
        meta = {**{k: v for k, v in out.items() if k not in ("sites", "existing")},
                **proposal_record(name, region, scope, when),
                "notes": out.get("notes_en" if lang == "en" else "notes_zh") or []}
        _write_geojson({"type": "FeatureCollection", "features": feats, "coverplan": meta}, args.out)
        return
    sm = out.get("summary") or {}
    what = f"{t('capw_sized_title', lang)}: {out['type_name_zh' if lang == 'zh' else 'type_name_en']}"
    parts = [what, f"{t('model', lang)}: {t('model_' + str((out.get('solver') or {}).get('model')), lang)}",
             f"{'规模' if lang == 'zh' else 'sizes'}: {args.sizes}",
             f"{t('n_sites', lang)}: {len(out['sites'])}",
             f"{t('capw_total_cost', lang)}: {wan_text(sm.get('cost'))}"]
    if sm.get("shortfall_whole") is not None and out.get("field"):
        n = int(sm["shortfall_whole"])
        parts.append(f"{t('capw_remaining_shortfall', lang)}: {n:,} "
                     f"{t(('capw_unit1_' if n == 1 else 'capw_unit_') + out['field'], lang)}")
    parts += [scope_part(scope, lang), *data_parts(region, lang, args.facilities)]
    write_table(sized_table(out, region, lang), args.out,
                proposal_title(name, parts, lang, illustrative=bool(out.get("synthetic_inputs", True))))


#: The columns of a sized proposal's --out table: (key, header key in planner.i18n), as the web's download
#: (web.capacity_proposals SIZED_COLUMNS) heads them.
SIZED_TABLE = [("priority", "priority"), ("name", "name"), ("site_code", "code"), ("township_code", "fac_township_code"),
               ("township_name", "township"), ("county_name", "county"), ("lon", "lon"), ("lat", "lat"),
               ("size", "capw_size"), ("cost", "capw_cost"), ("load", "capw_load"), ("utilisation", "capw_utilisation"),
               ("n_villages", "capw_n_villages"), ("villages", "capw_village_names")]


def sized_table(out: dict, region, lang: str):
    """A sized proposal's sites as the --out table, as the web's download gives them: headed in ``lang``, the
    names and counties in it, the size in its unit, the cost headed as illustrative, the people served whole and
    the utilisation as a percentage (it wrote raw keys, Chinese counties in English and utilisation 1.0: QA 25)."""
    import pandas as pd

    from planner.i18n import t, with_unit
    from planner.sites import site_code

    en = lang == "en"
    county = county_namer(region, lang)
    unit = t(f"capw_unit_{out['field']}", lang)
    who = t(f"capw_basis_{out['basis']}", lang).removeprefix("名")
    from planner.sizing import points_label  # towns and townships where it counts them at their seats

    points = (out.get("summary") or {}).get("points")
    heads = {k: t(points_label(label, points), lang) for k, label in SIZED_TABLE}
    heads["size"] = with_unit(heads["size"], unit, lang)
    heads["load"] = with_unit(heads["load"], who, lang)

    def whole(x):
        x = float(x)
        return int(x) if x == round(x) else round(x, 2)

    rows = [{"priority": s["priority"], "name": (s.get("name_en") if en else None) or s["name"],
             "site_code": site_code(s.get("candidate_id")), "township_code": s["township_code"],
             "township_name": s["township_name"], "county_name": county(s["county_code"]).strip(),
             "lon": round(float(s["lon"]), 6), "lat": round(float(s["lat"]), 6), "size": whole(s["size"]),
             "cost": whole(s["cost"]), "load": int(round(float(s["load"]))), "utilisation": ShareCell(s["utilisation"]),
             "n_villages": len(s["assigned_villages"]),
             # a township seat in English words ("香口乡 seat"), as the web's file names it (QA 35)
             "villages": (", " if en else "、").join((v.get("name_en") if en else None) or v["name"]
                                                    for v in s["assigned_villages"])}
            for s in out["sites"]]
    return pd.DataFrame(rows, columns=[k for k, _ in SIZED_TABLE]).rename(columns=heads)


# -- the other --out tables: headed in the run's language with their units, as sized_table (QA 26) ----------
# `upgrade`, `capacity`, `access` and `beds` wrote their frames as they are: snake_case keys as headers in both
# languages, the counties in Chinese on an English run, shares as 0.4608, booleans as True/False and "nan".

def _who(basis: str, lang: str) -> str:
    """The people a standard counts, for a header's bracket: 80岁以上老人 / people aged 80+."""
    from planner.i18n import t
    return t(f"capw_basis_{basis}", lang).removeprefix("名")


def _per_1000(field: str, basis: str, lang: str) -> str:
    """每千名80岁以上老人床位 / Beds per 1,000 people aged 80+."""
    from planner.i18n import t
    return t("capw_per_1000_of", lang, basis=t(f"capw_basis_{basis}", lang), unit=t(f"capw_noun_{field}", lang))


def _lower(text: str, lang: str) -> str:
    return text[:1].lower() + text[1:] if lang == "en" else text


def upgrade_table(plan, region, lang: str):
    """An upgrade's (or conversion's) chosen facilities as the --out table: the priority, the facility, its
    county (in English on an English run) and township, what it adds, its capacity in its unit before and after,
    how much it is used now, the people within its reach, the reach in minutes or km, the illustrative cost and
    the reason, then the codes and coordinates (it wrote plan.sites' raw keys: QA 26)."""
    from planner.coverage import records
    from planner.i18n import t

    zh = lang != "en"
    d = plan.to_dict(lang)
    conv = bool(plan.role)
    verb = ("转型" if conv else "改造") if zh else ("converted" if conv else "upgraded")
    unit = t(f"capw_unit_{plan.ftype.capacity.field}", lang) if plan.ftype.capacity else ""
    who = _who(d["basis"], lang) if d.get("basis") else ""
    county = county_namer(region, lang)
    reach_unit = str(plan.sites["reach_unit"].iloc[0]) if len(plan.sites) and "reach_unit" in plan.sites else "min"
    km = reach_unit == "m"
    ru = t("km" if km else "minutes", lang)
    rows = []
    for r in records(plan.sites.drop(columns=["geometry"])) if len(plan.sites) else []:
        reach = {k: (None if missing(r.get(k)) else float(r[k]) / (1000 if km else 1)) for k in ("reach_before", "reach_after")}
        rows.append({**r, **reach, "county": county(r["county_code"]).strip(),
                     "reason": r.get("reason_zh" if zh else "reason_en")})

    hd = in_lang(lang)
    spec = [("priority", t("priority", lang), "int"),
            ("name", t("name", lang), "text"),
            ("county", t("county", lang), "text"),
            ("township_name", t("township", lang), "text"),
            ("added_served", hd(f"新增服务（{who}，其他选中点位已{verb}时）", f"Serves more ({who}, given the others {verb})"), "int"),
            ("added_alone", hd(f"单独{verb}时新增服务（{who}）", f"Serves more if {verb} alone ({who})"), "int"),
            ("capacity_before", hd(f"{verb}前容量（{unit}）", f"Capacity before ({unit})"), "1"),
            ("capacity_after", hd(f"{verb}后容量（{unit}）", f"Capacity after ({unit})"), "1"),
            *([] if conv else [("utilisation_before", hd("现使用率", "Used now"), "pct")]),
            # what it serves now beside what it serves once upgraded (planner.upgrades: served_after is
            # served_before plus what it serves more itself); a conversion serves none as the type it becomes
            *([] if conv else [("served_before", t("qa34f14_col_served_before", lang, who=who), "int")]),
            ("served_after", hd(f"{verb}后服务人数（{who}）", f"Serves once {verb} ({who})"), "int"),
            # the demand within the reach it has once upgraded (reach_after), not the reach it has now (QA 34)
            ("demand_in_reach", t("qa34f14_col_demand_in_reach", lang, verb=verb, who=who), "int"),
            *([] if conv else [("reach_before", hd(f"{verb}前服务半径（{ru}）", f"Reach before ({ru})"), "1")]),
            ("reach_after", hd(f"{verb}后服务半径（{ru}）", f"Reach {'as converted' if conv else 'after'} ({ru})"), "1"),
            ("cost", t("capw_cost", lang), "2"),
            ("reason", t("reason", lang), "text"),
            ("id", t("fac_id", lang), "text"),
            ("township_code", t("fac_township_code", lang), "text"),
            ("lon", t("lon", lang), "6"), ("lat", t("lat", lang), "6"),
            ("synthetic", hd("示意数据", "Illustrative data"), "yesno")]
    return out_frame(rows, spec, lang)


def capacity_table(rep, region, lang: str):
    """`capacity --out`: each township's supply against the standard, headed with its units (beds, people aged
    60+ ...), the county named in the run's language, the share of the standard as a percentage and the status
    in words (it wrote rep.by_township's raw keys: QA 26)."""
    from planner.coverage import records
    from planner.i18n import t

    unit, who = t(f"capw_unit_{rep.field}", lang), _who(rep.basis, lang)
    per = _per_1000(rep.field, rep.basis, lang)
    county = county_namer(region, lang)
    rows = [{**r, "county": county(r["county_code"]).strip()} for r in records(rep.by_township)]

    hd = in_lang(lang)
    spec = [("township_code", t("fac_township_code", lang), "text"),
            ("township_name", t("township", lang), "text"),
            ("county", t("county", lang), "text"),
            ("status", t("status", lang), "status"),
            ("supply", hd(f"现有容量（{unit}）", f"Supply ({unit})"), "1"),
            ("required", hd(f"按标准应有（{unit}）", f"Required by the standard ({unit})"), "1"),
            ("shortfall", hd(f"缺口（{unit}）", f"Shortfall ({unit})"), "1"),
            ("ratio_per_1000", per, "1f"),
            ("standard_per_1000", hd(f"标准（{per}）", f"Standard ({_lower(per, lang)})"), "1"),
            ("ratio_to_standard", t("capw_ratio_to_standard", lang), "pct"),
            ("demand", hd(f"需求人数（{who}）", f"Demand ({who})"), "int"),
            ("facilities", hd("现有设施（处）", "Facilities"), "int"),
            ("capacity_known", hd("其中已填容量（处）", "Of which with a capacity stated"), "int")]
    return out_frame(rows, spec, lang)


def access_table(rep, region, lang: str):
    """`access --out`: each village's E2SFCA accessibility in the standard's unit, headed in the run's
    language, the county named in it, the share of the standard as a percentage and yes/no words (it wrote
    rep.units' raw keys: QA 26)."""
    from planner.coverage import records
    from planner.i18n import t

    cap = rep.ftype.capacity
    per = _per_1000(cap.field, cap.basis, lang)
    county = county_namer(region, lang)
    rows = [{**r, "county": county(r["county_code"]).strip()} for r in records(rep.units)]

    hd = in_lang(lang)
    spec = [("id", hd("村（社区）代码", "Village code"), "text"),
            ("name", hd("村（社区）", "Village"), "text"),
            ("township_name", t("township", lang), "text"),
            ("county", t("county", lang), "text"),
            ("access_per_1000", hd(f"可达性指数（{per}）", f"Access ({_lower(per, lang)} within reach)"), "2"),
            ("ratio_to_standard", t("capw_ratio_to_standard", lang), "pct"),
            ("no_access", hd("无可达设施", "No facility within reach"), "yesno"),
            ("sites_in_reach", hd("服务半径内设施（处）", "Facilities within reach"), "int"),
            ("demand", hd(f"需求人数（{_who(cap.basis, lang)}）", f"Demand ({_who(cap.basis, lang)})"), "int"),
            ("urban", hd("城镇", "Urban"), "yesno"),
            ("township_code", t("fac_township_code", lang), "text")]
    return out_frame(rows, spec, lang)


def beds_total_label(out: dict, lang: str) -> str:
    """The name of a breakdown's total row: 全市 / Citywide, or 房县合计 / Fang County, total for one county's."""
    from planner.i18n import t

    c = out.get("county")
    if not c:
        return t("cap_citywide", lang)
    return t("bt_county_total", lang, county=(c.get("name_en") or c.get("name")) if lang == "en" else c.get("name"))


def beds_tables(out: dict, region, lang: str) -> list:
    """`beds --out`: [(sheet, table)] of the townships and the counties, headed in the run's language with
    their units, the counties named in it, the shortfall ratios as percentages (it wrote the raw keys, and
    county_name in Chinese beside county_name_en: QA 26). Beds are whole, as the overview's card and the text
    show them (planner.beds.whole_beds: 2,835, not 2835.2), and each sheet ends in the total row of the city
    (or of the county broken down), which its rows add up to exactly (QA 32); a county's own breakdown has
    one county row, its own total, on the counties sheet."""
    from planner.i18n import t

    who = _who(out["standard"]["basis"], lang)
    per = _per_1000("beds", out["standard"]["basis"], lang)
    county = county_namer(region, lang)

    hd = in_lang(lang)
    beds = [("allocated", hd("分配床位（张）", "New beds given"), "int"),
            ("enlarge_existing", hd("其中扩建现有（张）", "Of which enlarging existing facilities (beds)"), "int"),
            ("new_beds", hd("其中新建（张）", "Of which in new sites (beds)"), "int"),
            ("new_sites", t("bt_col_sites", lang), "int"),
            ("beds_to_place", hd("待安排床位（不足一处，张）", "Beds to place (too few for a site)"), "int"),
            ("supply_whole", hd("现有床位（张）", "Beds now"), "int"),
            ("required_whole", hd("按标准应有床位（张）", "Beds required by the standard"), "int"),
            ("shortfall_whole", t("qa33f10_col_sum_before", lang), "int"),
            ("shortfall_after_whole", t("qa33f10_col_sum_after", lang), "int")]
    towns = [("township_code", t("fac_township_code", lang), "text"),
             ("township_name", t("township", lang), "text"),
             ("county", t("county", lang), "text"),
             *beds,
             ("shortfall_ratio_before", hd("分配前缺口率", "Shortfall ratio before"), "pct"),
             ("shortfall_ratio_after", hd("分配后缺口率", "Shortfall ratio after"), "pct"),
             ("demand", hd(f"{who}（人）", f"Demand ({who})"), "int")]
    counties = [("county", t("county", lang), "text"),
                ("county_code", hd("县区代码", "County code"), "text"),
                *beds,
                ("beds_per_1000_before", hd(f"分配前{per}", f"{per}, before"), "1f"),
                ("beds_per_1000_after", hd(f"分配后{per}", f"{per}, after"), "1f"),
                ("demand", hd(f"{who}（人）", f"Demand ({who})"), "int")]
    named = [[{**r, "county": county(r["county_code"]).strip()} for r in out[k]] for k in ("by_township", "by_county")]
    # the total row: the city's (or the county's) figures, the sums of the rows above; no ratio of its own
    c = out["citywide"]
    demand = float(c.get("demand") or 0)
    total = {**c, "county_code": "", "township_code": "",
             "beds_per_1000_before": c["supply"] / demand * 1000 if demand else None,
             "beds_per_1000_after": (c["supply"] + c["allocated"]) / demand * 1000 if demand else None}
    label = beds_total_label(out, lang)
    named[0].append({**total, "township_name": label, "county": ""})
    if not out.get("county"):
        named[1].append({**total, "county": label})
    frame = out_frame(named[0], towns, lang)
    # a township a bed type does not serve has no shortfall ratio (planner.beds: None): "n/a" in both columns, not
    # an empty cell read as 0, as its rows read "0% before -> 100% after" (QA 36); the total row has no ratio
    for key, head, _ in towns:
        if key.startswith("shortfall_ratio_"):
            for i, r in enumerate(out["by_township"]):
                if r.get(key) is None:
                    frame.at[i, head] = t("status_na", lang)
    return [(hd("乡镇（街道）", "townships"), frame),
            (hd("县（市、区）", "counties"), out_frame(named[1], counties, lang))]


def wan(amount: float, lang: str) -> str:
    """A cost in 万元 as the run's language writes it: "2,250 万元" (grouped, as the brief and the .xlsx write it:
    QA 29), or "2,250 × 10,000 yuan" as the English pages do (an English run printed "cost 2250 万元")."""
    x = float(amount)
    num = f"{x:,.0f}" if x == round(x) else f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{num} 万元" if lang == "zh" else f"{num} × 10,000 yuan"


def _check_beds(args) -> None:
    """--target and --year in range, named as typed (the planner checks them only once the data is loaded,
    and a target beyond a C long ended in a traceback)."""
    low, high = BEDS_TARGET
    if not low <= args.target <= high:
        raise option_error("--target", args.target,
                           f"give the number of new beds to allocate, a whole number from {low:,} to {high:,} "
                           "(e.g. --target 7136)",
                           f"请填写待分配的新增床位数，须为 {low:,} 至 {high:,} 之间的整数（如 --target 7136）",
                           min=low, max=high)
    low, high = BEDS_YEARS
    if args.year is not None and not low <= args.year <= high:
        raise option_error("--year", args.year, f"give the target's year from {low} to {high} (e.g. 2025)",
                           f"请填写 {low} 至 {high} 之间的目标年份（如 2025）", min=low, max=high)


def _split(r: dict, zh: bool) -> str:
    """Where a row's beds go: enlarged, new (in how many new sites), and of the new ones those too few for a
    site of their own (planner.beds: beds_to_place; "17 new beds / 8 sites" counted each township's few beds
    as a site)."""
    sites, place = int(r["new_sites"]), int(r.get("beds_to_place") or 0)
    if zh:
        return (f"(扩建 {r['enlarge_existing']:,}, 新建 {r['new_beds']:,} / {sites} 处"
                + (f", 待安排 {place:,} 张" if place else "") + ")")
    return (f"(enlarge {r['enlarge_existing']:,}, new {r['new_beds']:,} / {sites} {'site' if sites == 1 else 'sites'}"
            + (f", {place:,} to place" if place else "") + ")")


def _beds_total(out: dict, lang: str, head: str) -> None:
    """The total line under `beds`' rows (QA 32: the text had none): the city's (or the county's) new beds and
    where they go, the sums of the rows above; for the city also its beds per 1,000 before and after."""
    c, zh = out["citywide"], lang == "zh"
    line = f"{head} {c['allocated']:>6,} {_split(c, zh)}"
    demand = float(c.get("demand") or 0)
    if not out.get("county") and demand:
        line += (f"  {c['supply'] / demand * 1000:.1f} → {(c['supply'] + c['allocated']) / demand * 1000:.1f} "
                 f"{'张/千人' if zh else 'per 1,000'}")
    print(line)


def _beds(args) -> int:
    from planner.beds import allocate_beds, check_bed_type
    from planner.coverage import county_names_en

    _check_beds(args)  # before any data is loaded
    check_county_option(args.county)
    bed_type = check_bed_type(args.type, option="--type")  # a cemetery has no beds: refused, before any data
    region, facilities = load_context(args)
    county = county_option_code(region, args.county) if args.county is not None else None
    register_holds(args, facilities, _types(args, beds=True))  # (beds it does not know are said in its notes)
    out = allocate_beds(region, args.target, year=args.year, facilities=facilities, county=county,
                        bed_type=bed_type)
    where = county_namer(region, args.lang)(county).strip() if county else None
    # the counties' English names, as /api/beds gives them (web.api.beds)
    c = region.counties
    en = dict(zip((c["code"] if "code" in c else c.index).astype(str), county_names_en(c).astype(str)))
    out["by_county"] = [{**r, "county_name_en": en.get(str(r["county_code"]), r.get("county_name"))}
                        for r in out["by_county"]]
    out["dataset_version"] = data_version(region)
    if args.out:
        from planner.i18n import t

        zh = args.lang == "zh"
        parts = [f"{'新增床位' if zh else 'new beds'} {out['target']:,}", f"{'年份' if zh else 'year'} {out['year']}",
                 *([where] if where else []),
                 # the bed type the new beds are (else every bed type's), as the file would not say it
                 *([f"{'床位类型' if zh else 'bed type'} {bed_type.name(args.lang)}"] if bed_type is not None else []),
                 *data_parts(region, args.lang, args.facilities)]
        title = table_title(t("bt_title", args.lang), parts, args.lang, illustrative=bool(out["synthetic_inputs"]))
        # the townships, and in an .xlsx the counties on a sheet of their own: what the county bureaus
        # are given (a CSV holds one table: the townships, whose county columns add up to it)
        write_table(beds_tables(out, region, args.lang), args.out, title)
    if args.json:
        print_json(out)
        return 0
    from planner.i18n import share_text

    zh = args.lang == "zh"
    # one decimal, as the web's card and the CSV (planner.i18n.share_text): 0.50071 read "50%" here, "50.1%" there (F8)
    print(f"{out['year']} {where + ' ' if where else ''}{'床位指标' if zh else 'bed target'} {out['target']:,}: "
          f"{'最大缺口比例' if zh else 'largest shortfall ratio'} {share_text(out['max_shortfall_ratio_before'])} → "
          f"{share_text(out['max_shortfall_ratio_after'])}")
    if county:  # one county: its townships (a single county row would only repeat the line above)
        width = max([columns(r["township_name"]) for r in out["by_township"]]
                    + [columns(beds_total_label(out, args.lang))])  # the total line's name too (QA 32)
        for r in out["by_township"]:
            print(f"  {r['township_code']} {cell(r['township_name'], width)} {r['allocated']:>6,} {_split(r, zh)}")
        _beds_total(out, args.lang, f"  {'':9} {cell(beds_total_label(out, args.lang), width)}")
        for note in out["notes_zh" if zh else "notes_en"]:
            print(f"  * {note}", file=sys.stderr)
        return 0
    county = county_namer(region, args.lang, pad=6)
    for c in out["by_county"]:
        print(f"  {c['county_code']} {county(c['county_code'])} {c['allocated']:>6,} {_split(c, zh)}  "
              f"{c['beds_per_1000_before']:.1f} → {c['beds_per_1000_after']:.1f} {'张/千人' if zh else 'per 1,000'}")
    _beds_total(out, args.lang, f"  {'':6} {cell(beds_total_label(out, args.lang), county.width)}")
    for note in out["notes_zh" if zh else "notes_en"]:
        print(f"  * {note}", file=sys.stderr)
    return 0
