"""`coverplan map`: a coverage map as one self-contained HTML file (folium; opens offline).

With ``--proposal`` the map is the proposal's: coverage after it, its numbered
sites and a title block with the same numbers and parameters as the web's
offline proposal map (``/proposals/<pid>/export.html``), both built by
:mod:`planner.mapexport`. A conversion (``coverplan upgrade --convert``) is drawn as the web draws it: the
coverage of the type it converts into, with --type either type; a sized proposal's title block gives the
people served, the remaining shortfall and the cost recorded in the file.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys

from cli.lang import h
from cli.options import add_coords, add_data_store, add_json, add_mode, add_region


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("map", help=h("导出离线覆盖地图（HTML）", "write an offline HTML coverage map"))
    add_region(p)
    add_data_store(p)
    p.add_argument("--type", required=True,
                   help=h("设施类型代码，如 elderly_complex", "facility type key, e.g. elderly_complex"))
    p.add_argument("--facilities", help=h("本单位设施名录（.csv/.xlsx/.geojson）", "your register (.csv/.xlsx/.geojson)"))
    add_coords(p)  # the values coverage and propose accept for the same --facilities file (auto, cgcs2000)
    p.add_argument("--proposal", help=h("由 `coverplan propose --out` 写出的方案 GeoJSON：站点按编号绘出",
                                        "proposal GeoJSON from `coverplan propose --out`: sites drawn numbered"))
    add_mode(p)
    p.add_argument("--network", help=h("--mode network 所用的路网（.graphml、.osm 或 .osm.pbf）",
                                       "road network for --mode network (.graphml, .osm or .osm.pbf)"))
    p.add_argument("--out", required=True, help=h("输出的 .html 文件", "output .html file"))
    add_json(p)
    p.set_defaults(func=_map)


def _proposal_meta(path: str) -> dict:
    """The solve metadata `coverplan propose --out` stores next to the sites (params, solver...)."""
    with open(path, encoding="utf-8-sig") as fh:
        return json.load(fh).get("coverplan") or {}


def _role(prop: dict) -> str | None:
    """The type a conversion converts its facilities into (``coverplan upgrade --convert``, or the web's
    conversion downloaded), None for any other proposal."""
    role = prop.get("role") if prop.get("kind") == "upgrade" else None
    return str(role) if isinstance(role, str) and role else None


def _type_words(key: str) -> tuple[str, str]:
    """A type by its name and key in English and Chinese, as the planner knows it (QA 27: it said
    "elderly_complex"); a type this installation does not know: its key, all there is."""
    from planner.facility_types import get_type
    try:
        ft = get_type(key)
        return f"{ft.name('en')} ({ft.key})", f"{ft.name('zh')}（{ft.key}）"
    except Exception:
        return str(key), str(key)


def _register(args) -> str | None:
    """The register file the map's facilities come from, as its title block names it: --facilities (the data
    version would read v0 beside it: QA 27); None: the data store's, named from its provenance."""
    if not getattr(args, "facilities", None):
        return None
    from planner.i18n import t
    return t("fac_register_cli", args.lang, file=os.path.basename(args.facilities))


def _saved(meta: dict, path: str) -> tuple[float, str]:
    """When the proposal was saved (its ``created``) and the label. A file that records none: the file's date,
    called 保存日期 only for the file `coverplan propose --out` wrote when it solved (its solver's record, no
    saved proposal's id); any other file's date is called that (QA 29: a download's time read as 保存日期)."""
    from datetime import datetime
    try:
        return datetime.fromisoformat(str(meta["created"])).timestamp(), "brief_saved"
    except (KeyError, TypeError, ValueError):
        written_by_propose = bool(meta.get("solver")) and not meta.get("proposal_id")
        return os.path.getmtime(path), "brief_saved" if written_by_propose else "map_file_date"


def _part(meta: dict, key: str) -> dict:
    """``meta[key]`` when it is an object, else {}: a file may hold anything there ("solver": "mclp" was a
    traceback)."""
    return meta.get(key) if isinstance(meta.get(key), dict) else {}


def _model(meta: dict) -> str:
    """The model the proposal was solved with, from its metadata: the solver's, the parameters', or the kind's
    (a sized proposal is the sizing MIP); "unrecorded" (said in words) where the file has none."""
    model = _part(meta, "solver").get("model") or _part(meta, "params").get("model")
    if not model and meta.get("kind") in ("sized", "upgrade"):
        model = "sized_single_source_mip" if meta["kind"] == "sized" else "upgrade_mip"
    return str(model) if model else "unrecorded"


def _version_row(meta: dict, now: int, lang: str) -> int | str:
    """The data version row: the current one the map is computed on, and the proposal's where it differs."""
    from planner.i18n import t
    try:
        solved = int(meta["dataset_version"])
    except (KeyError, TypeError, ValueError, OverflowError):  # 1e999 in a hand-edited file
        return now
    return now if solved == int(now) else t("map_version_differs", lang, now=now, solved=solved)


def _solved_version(meta: dict) -> int | None:
    """The data version a proposal file records it was solved on, None where it records none (or 1e999)."""
    v = meta.get("dataset_version") if isinstance(meta, dict) else None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        return None
    try:
        v = int(v)
    except (TypeError, ValueError, OverflowError):
        return None
    return v if v >= 0 else None


def _version_region(args, solved: int | None):
    """(region, current version): the region as of ``solved``, the version the proposal was solved on, when the
    data store (--db/--data-dir, as `data versions` reads it) still holds it and it is not the current one; else
    (None, current version), the map then computed on the current data as before (QA 34: a proposal made on an
    older version was always mapped on the current data)."""
    import sqlite3
    from pathlib import Path

    from geo.datasets import DatasetStore, default_db_path
    from geo.errors import CoverplanError
    from geo.regions import load_region

    from cli.options import check_data_dir

    if solved is None:
        return None, None
    check_data_dir(args.data_dir)
    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():  # no store: only the embedded data (version 0) there is
        return None, 0
    root = Path(args.data_dir) / "datasets" / args.region if args.data_dir else None
    try:
        store = DatasetStore.reader(path, region=args.region, root=root)
        now = store.current().version
        if solved == now:
            return None, now
        region = store.region(solved) if solved else load_region(args.region)
    except (CoverplanError, sqlite3.Error, OSError):  # no such version, its files gone, no versions kept
        return None, None
    return region, now


def _map(args) -> int:
    from cli.analysis import check_context, load_context
    from geo.errors import InputDataError
    from planner.coverage import analyse_coverage
    from planner.facility_types import get_type
    from cli.output import load_proposal_file
    from planner.i18n import t
    from planner.mapexport import coverage_map, proposal_map, scope_text, standalone_html
    from planner.coverage import county_type
    from cli.output import data_version, recorded_name, scope_of

    check_context(args)  # the options and files, before any work
    ft = get_type(args.type)
    role = None
    if args.proposal:  # read, and matched with --type, before any data is loaded
        prop = load_proposal_file(args.proposal)  # refuses a file that is not a proposal, in words
        role = _role(prop)
        if ft.key not in (prop["type"], role):  # a conversion's map may be asked for by either type
            were_en, were_zh = _type_words(prop["type"])
            if not role:
                raise InputDataError(f"The proposal is for {were_en}, not {ft.name('en')} (--type {args.type}).",
                                     f"该方案的设施类型为“{were_zh}”，与 --type “{ft.name('zh')}（{args.type}）”不符。")
            role_en, role_zh = _type_words(role)
            raise InputDataError(
                f"The proposal converts {were_en} into {role_en}, neither of which is {ft.name('en')} "
                f"(--type {args.type}).",
                f"该方案将“{were_zh}”转型为“{role_zh}”，均与 --type “{ft.name('zh')}（{args.type}）”不符。",
                hint_en=f"Give --type {prop['type']} or --type {role}: either maps the conversion.",
                hint_zh=f"请使用 --type {prop['type']} 或 --type {role}：两者均绘制该转型方案的地图。",
                details={"parameter": "--type", "value": args.type})
        if role:  # a conversion: drawn as the type it converts into, as the web's offline map of it (web.pages)
            if getattr(args, "facilities", None):
                # a register file is read as --type's facilities: the homes read as existing centres (or the
                # centres as homes), and the map's existing facilities would be the wrong type's (review, QA 30)
                raise InputDataError(
                    "A conversion's map is drawn from the current register: --facilities cannot say which of its "
                    "rows are the facilities converted and which the existing ones of the type they become.",
                    "转型方案的地图按当前设施名录绘制：--facilities 文件无法区分被转型的设施与转型后类型的现有设施。",
                    hint_en="Leave out --facilities, or import the file first (coverplan data import facilities).",
                    hint_zh="请去掉 --facilities，或先导入该文件（coverplan data import facilities）。",
                    details={"parameter": "--facilities"})
            ft = get_type(role)
    meta = _proposal_meta(args.proposal) if args.proposal else {}
    # a proposal solved on an older data version is mapped on that version's data while the store holds it
    then, now = _version_region(args, _solved_version(meta)) if args.proposal else (None, None)
    if then is None:
        region, facilities = load_context(args)
    else:
        # the --facilities file read as any analysis reads it; the data line is this map's (the version solved on)
        facilities = load_context(argparse.Namespace(**{**vars(args), "json": True}))[1] \
            if getattr(args, "facilities", None) else None
        region = then
        if not args.json:
            print(t("qa34f4_map_data_line", args.lang, solved=data_version(region), now=now), file=sys.stderr)
    notes = []
    if args.proposal:  # a site outside the region refused, each counted in its point's township; what a file
        # edited by hand was read as, said (QA 33: planner.proposals.place_proposal_sites, planner.targets)
        from planner.proposals import place_proposal_sites
        from planner.targets import file_site_notes
        notes = file_site_notes(region, prop, os.path.basename(args.proposal), args.lang)
        prop = {**prop, "sites": place_proposal_sites(prop, region)[0]}
    if not args.proposal:
        cov = analyse_coverage(region, ft, facilities=facilities, mode=args.mode, graph=args.network)
        m = coverage_map(region, cov, lang=args.lang, register=_register(args), facilities=facilities)
        title = f"{ft.name(args.lang)} · coverplan"
    else:
        std = _part(_part(meta, "params"), "standard")
        if std.get("urban") and std.get("rural") and not role:  # a standard overridden at solve time is the one
            # to map (a conversion's is the role type's own: its reach is what the converted facilities get)
            ft = dataclasses.replace(ft, standard_urban=float(std["urban"]), standard_rural=float(std["rural"]))
        sites = prop["sites"]
        # the map drawn over the whole city, as the web's offline map of the proposal
        cov = analyse_coverage(region, ft, facilities=facilities, extra_sites=sites, mode=args.mode,
                               graph=args.network)
        # its figures those of its scope: a county's proposal counts the county's demand and facilities, as its
        # brief and the web's map say (QA 29: "39.9% → 44.2%" of the city beside the brief's 62.0% → 90.7%)
        scope = meta.get("scope") if isinstance(meta.get("scope"), dict) else None
        county = str(scope["county"]) if scope and scope.get("county") else None
        codes = set((region.counties["code"] if "code" in region.counties else region.counties.index).astype(str))
        if county is not None and county not in codes:  # another region's file, or a stale code: said as such
            raise InputDataError(f"The proposal file's scope is county {county}, which is not a county of this "
                                 f"region ({args.region}).",
                                 f"方案文件的范围为县区 {county}，而该县区不属于本区域（{args.region}）。",
                                 hint_en="Give a proposal made for this region, or its --region.",
                                 hint_zh="请使用为本区域制定的方案文件，或用 --region 指定其所属区域。",
                                 details={"parameter": "--proposal", "county": county})
        fig_ft = county_type(ft, county, region) if county else ft
        before = analyse_coverage(region, fig_ft, facilities=facilities, mode=args.mode, graph=args.network)
        after = (analyse_coverage(region, fig_ft, facilities=facilities, extra_sites=sites, mode=args.mode,
                                  graph=args.network).summary if county else cov.summary)
        if scope is None:  # a file written before proposals recorded their scope: said, not guessed
            scope_row = t("map_scope_unrecorded", args.lang)
        else:
            scope_row = scope_text({"county": county, "name": scope_of(region, county, args.lang)["name"]}
                                   if county else None, args.lang)
        stem = os.path.splitext(os.path.basename(args.proposal))[0]
        of = get_type(prop["type"]) if role else ft  # whose proposal it is: a conversion is its own type's
        # the name coverplan made in the run's language (QA 33: an English map of a file `propose` wrote in Chinese
        # was titled in Chinese), a name given by hand as it is
        name = recorded_name(meta, args.lang) or f"{of.name(args.lang)} · {t('proposal', args.lang)} {stem}"
        saved, saved_label = _saved(meta, args.proposal)
        version_row = (_version_row(meta, data_version(region), args.lang) if then is None else
                       t("qa34f4_map_version_solved", args.lang, solved=data_version(region), now=now))
        kind = "upgrade" if meta.get("kind") == "upgrade" else None
        if kind and isinstance(meta.get("before"), dict) and isinstance(meta.get("after"), dict):
            # an upgrade's figures are the capacity it serves, as recorded when it was solved (the web's offline map
            # and the brief show them): a coverage recount called the upgraded facilities new sites, 7.3% -> 7.3%
            # beside the brief's 7.3% -> 8.4% (QA 29)
            before, after = meta["before"], meta["after"]
            solved = meta.get("dataset_version")  # the version they were solved on, where the file records it
            version_row = solved if isinstance(solved, int) and not isinstance(solved, bool) else version_row
        else:
            before = before.summary
        sized = None
        if meta.get("kind") == "sized" and isinstance(meta.get("summary"), dict):
            # what its sizes serve and cost, as its brief and the web's offline map give them (from the file, as
            # solved: a recount here would need the solve)
            sized = {"summary": meta["summary"], "field": meta.get("field"), "basis": meta.get("basis")}
        m = proposal_map(region, cov, sites, name=name, before=before, after=after,
                         model=_model(meta), saved=saved, saved_label=saved_label, lang=args.lang,
                         register=_register(args), facilities=facilities, scope=scope_row,
                         data_version=version_row, kind=kind, converted=bool(kind and role), sized=sized)
        title = f"{name} · coverplan"
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(standalone_html(m, title=title))
    if args.json:  # what was written, for a script: the file, its size and what it maps
        from cli.output import print_json

        print_json({"out": str(args.out), "bytes": os.path.getsize(args.out), "type": ft.key,
                    **({"converted_from": prop["type"]} if role else {}),
                    "proposal": args.proposal, "mode": args.mode, "region": args.region, "title": title,
                    "dataset_version": data_version(region),
                    **({"current_version": now} if then is not None else {}), "notes": notes})
    else:
        for note in notes:
            print(f"* {note}{'。' if args.lang == 'zh' else '.'}", file=sys.stderr)
        print(args.out)
    return 0
