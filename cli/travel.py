"""`coverplan network build` and `coverplan od`: road graphs and travel-cost matrices."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from cli.lang import h
from cli.options import add_json, add_mode, check_files, given_float, option_error, resolve_mode
from cli.output import print_json, progress
from geo.errors import InputDataError


def register(sub: argparse._SubParsersAction) -> None:
    net = sub.add_parser("network", help=h("路网", "road networks"))
    ns = net.add_subparsers(dest="network_command", required=True)
    b = ns.add_parser("build", help=h("构建（或从缓存读取）路网图", "build (or load from cache) a road graph"))
    src = b.add_mutually_exclusive_group(required=True)
    src.add_argument("--osm", type=Path, help=h("本地 OpenStreetMap 文件（.osm 或 .osm.pbf）",
                                                "local OpenStreetMap file (.osm or .osm.pbf)"))
    src.add_argument("--place",
                     help=h("要下载的区域（如 shiyan；需联网）", "region to download (e.g. shiyan; needs internet)"))
    b.add_argument("--out", type=Path,
                   help=h("另将路网图写入此 GraphML 文件", "also write the graph to this GraphML file"))
    b.add_argument("--simplify", action="store_true",
                   help=h("合并度为 2 的节点（图更小，点位吸附到路网更粗略）",
                          "merge degree-2 nodes (smaller graph, coarser snapping)"))
    b.add_argument("--largest-only", action="store_true",
                   help=h("只保留最大的连通分量", "keep only the largest connected component"))
    b.add_argument("--no-cache", action="store_true",
                   help=h("重新构建，不读也不写缓存", "rebuild and do not touch the cache"))
    add_json(b)
    b.set_defaults(func=_network_build)

    od = sub.add_parser("od", help=h("起讫点出行成本矩阵", "origin-destination travel costs"))
    od.add_argument("--origins", type=Path, required=True,
                    help=h("起点 CSV，列为 id,lon,lat（WGS84）", "CSV id,lon,lat (WGS84)"))
    od.add_argument("--destinations", type=Path, required=True,
                    help=h("终点 CSV，列为 id,lon,lat（WGS84）", "CSV id,lon,lat (WGS84)"))
    add_mode(od)
    od.add_argument("--network", type=Path,
                    help=h("路网图：GraphML，或 .osm/.osm.pbf（经缓存构建）",
                           "road graph: GraphML, or .osm/.osm.pbf (built via the cache)"))
    od.add_argument("--cutoff", type=given_float,
                    help=h("忽略出行成本超过此值的起讫点对", "ignore pairs costing more than this"))
    od.add_argument("--unit", choices=["min", "m"], default="min",
                    help=h("出行成本的单位：min 出行时间（分钟，默认），m 距离（米）；--cutoff 亦用此单位",
                           "unit of the costs: min travel time in minutes (default), m distance in metres; "
                           "--cutoff is in it too"))
    od.add_argument("--urban", action="store_true",
                    help=h("估算方式：所有起点按城区的绕行系数和车速计算（默认按乡村）",
                           "estimate mode: urban detour/speed for all origins (default rural)"))
    od.add_argument("--max-snap", type=given_float, default=1000.0,
                    help=h("距任何道路超过此距离（米）的点予以标出（默认 1000）",
                           "flag points farther than this (m) from any road (default 1000)"))
    od.add_argument("--access-speed", type=given_float, default=5.0,
                    help=h("点与其最近路网节点之间的速度，公里/小时（默认 5）",
                           "km/h between a point and its road node (default 5)"))
    od.add_argument("--engine", choices=["auto", "ch", "scipy"], default="auto",
                    help=h("路网方式：ch 为收缩层次（routingkit-cch，缓存于路网图旁），scipy 为 Dijkstra，"
                           "auto 对不设截断的大矩阵用收缩层次（默认）",
                           "network mode: 'ch' contraction hierarchy (routingkit-cch, cached next to "
                           "the graph), 'scipy' Dijkstra, 'auto' the hierarchy for large uncut "
                           "matrices (default)"))
    od.add_argument("--region", default="shiyan",
                    help=h("拒绝落在此区域范围框之外的点（none 表示不检查）",
                           "refuse points outside this region's box ('none' to skip)"))
    od.add_argument("--out", type=Path, required=True,
                    help=h("输出的 .npz 文件（数组 “costs”）", "output .npz (array 'costs')"))
    add_json(od)
    od.set_defaults(func=_od)


def _network_build(args) -> int:
    from geo import network

    if args.osm is not None:
        built = network.build_graph(args.osm, simplify=args.simplify,
                                    retain_all=not args.largest_only,
                                    cache=not args.no_cache, out=args.out)
    else:
        built = network.download_graph(args.place, cache=not args.no_cache, out=args.out)
    stats = network.graph_stats(built.graph)
    payload = {"source": built.source, **stats,
               "cache_path": str(built.cache_path) if built.cache_path else None,
               "cache_hit": built.cache_hit, "out": str(args.out) if args.out else None,
               "seconds": round(built.seconds, 3)}
    if args.json:
        print_json(payload)
        return 0
    zh = args.lang == "zh"
    print(f"{'节点' if zh else 'nodes'}: {stats['nodes']:,}  {'边' if zh else 'edges'}: "
          f"{stats['edges']:,}  {'最大强连通分量占比' if zh else 'largest SCC share'}: "
          f"{stats['largest_scc_share']:.1%}")
    print(f"{'缓存' if zh else 'cache'}: {payload['cache_path']} "
          f"({'命中' if zh else 'hit'}={built.cache_hit}, {built.seconds:.2f}s)")
    return 0


def _snap_stats(d: np.ndarray) -> dict:
    if len(d) == 0:
        return {"max_m": None, "mean_m": None, "p95_m": None}
    return {"max_m": round(float(d.max()), 1), "mean_m": round(float(d.mean()), 1),
            "p95_m": round(float(np.percentile(d, 95)), 1)}


def _check_od(args) -> None:
    """od's numbers and files, named as typed and checked before the points are read (geo.travel checks the
    numbers by their field names, access_speed_kmh, once the points are read)."""
    import math

    unit = "minutes" if args.unit == "min" else "metres"
    unit_zh = "分钟" if args.unit == "min" else "米"
    if args.cutoff is not None and not (math.isfinite(args.cutoff) and args.cutoff >= 0):
        raise option_error("--cutoff", args.cutoff,
                           f"the cutoff must be a finite number of at least 0, in the --unit of the costs ({unit})",
                           f"截断值须为不小于 0 的有限数，单位同 --unit（{unit_zh}）")
    if not (math.isfinite(args.max_snap) and args.max_snap > 0):
        raise option_error("--max-snap", args.max_snap,
                           "the distance to the road must be a finite number above 0, in metres (e.g. --max-snap 1000)",
                           "到道路的距离须为大于 0 的有限数，单位为米（如 --max-snap 1000）")
    if not (math.isfinite(args.access_speed) and args.access_speed > 0):
        raise option_error("--access-speed", args.access_speed,
                           "the speed must be a finite number above 0, in km/h (e.g. --access-speed 5)",
                           "速度须为大于 0 的有限数，单位为公里/小时（如 --access-speed 5）")
    check_files(args, "origins", "destinations", "network")
    resolve_mode(args)  # --network alone measures on it, as coverage and propose do (QA 27)
    if args.mode == "network" and args.network is None:
        raise InputDataError("--mode network needs --network FILE.",
                             "--mode network 需要 --network 文件参数。",
                             hint_en="Give a GraphML or .osm/.osm.pbf file, or use --mode estimate.",
                             hint_zh="请提供GraphML或.osm/.osm.pbf路网文件，或改用 --mode estimate。")


def _od(args) -> int:
    from geo.points import read_points_csv
    from geo.travel import travel_costs

    t0 = time.perf_counter()
    _check_od(args)  # the options and files, before any point is read
    region = None if str(args.region).lower() == "none" else args.region
    o = read_points_csv(args.origins, region=region)
    d = read_points_csv(args.destinations, region=region)
    graph = None
    if args.mode == "network":
        from geo import network
        graph = network.prepare(args.network)
    quiet = bool(args.json)
    tm = travel_costs(o, d, mode=args.mode, unit=args.unit, cutoff=args.cutoff, graph=graph,
                      urban=args.urban, max_snap_m=args.max_snap,
                      access_speed_kmh=args.access_speed, engine=args.engine,
                      progress=lambda it: progress(it, quiet=quiet, desc="routing"))
    dense = tm.to_dense()
    out = args.out
    if out.suffix != ".npz":
        out = out.with_name(out.name + ".npz")
    np.savez_compressed(out, costs=dense, origin_ids=o["id"].to_numpy(str),
                        destination_ids=d["id"].to_numpy(str), unit=np.array(tm.unit),
                        mode=np.array(tm.mode))
    finite = np.isfinite(dense)
    payload = {
        "shape": list(dense.shape), "mode": tm.mode, "unit": tm.unit,
        "is_estimate": tm.is_estimate, "cutoff": tm.cutoff,
        "pairs": int(dense.size), "reachable_pairs": int(finite.sum()),
        "unreachable_pairs": int(dense.size - finite.sum()),
        "min": float(dense[finite].min()) if finite.any() else None,
        "median": float(np.median(dense[finite])) if finite.any() else None,
        "max": float(dense[finite].max()) if finite.any() else None,
        "snap": {"max_snap_m": tm.snap.get("max_snap_m"),
                 "origins": {**_snap_stats(tm.snap["origins_m"]),
                             "flagged": int(len(tm.flagged_origins)),
                             "flagged_ids": o["id"].to_numpy()[tm.flagged_origins].tolist()},
                 "destinations": {**_snap_stats(tm.snap["destinations_m"]),
                                  "flagged": int(len(tm.flagged_destinations)),
                                  "flagged_ids": d["id"].to_numpy()[tm.flagged_destinations]
                                  .tolist()}},
        "encoding": {"origins": o.attrs.get("encoding"),
                     "destinations": d.attrs.get("encoding")},
        "out": str(out), "seconds": round(time.perf_counter() - t0, 3),
        "seconds_costs": round(tm.seconds, 3),
        "engine": tm.engine, "engine_report": tm.engine_report,
    }
    if args.json:
        print_json(payload)
        return 0
    zh = args.lang == "zh"
    kind = ("估算" if zh else "estimate") if tm.is_estimate else ("路网" if zh else "network")
    print(f"{dense.shape[0]}×{dense.shape[1]} {tm.unit} ({kind}) -> {out}")
    print(f"{'不可达' if zh else 'unreachable'}: {payload['unreachable_pairs']:,} / {dense.size:,}   "
          f"{'耗时' if zh else 'time'}: {payload['seconds']:.2f}s")
    if tm.mode == "network":
        names = {"ch": ("收缩层次路由", "contraction hierarchy"), "scipy": ("Dijkstra", "Dijkstra")}
        hier = tm.engine_report.get("hierarchy") or {}
        cached = ""
        if tm.engine == "ch":
            cached = (("，层次取自缓存" if hier.get("cache_hit") else "，层次新建并已缓存") if zh
                      else (", hierarchy from cache" if hier.get("cache_hit")
                            else ", hierarchy built and cached"))
        print(f"{'路径引擎' if zh else 'engine'}: {names.get(tm.engine, (tm.engine,) * 2)[0 if zh else 1]}"
              f"{cached}")
        note = tm.engine_report.get("note_zh" if zh else "note_en")
        if note:
            print(note)
    if tm.flagged_origins.size or tm.flagged_destinations.size:
        print(("远离道路而被标记的点" if zh else "points flagged far from roads") +
              f": {payload['snap']['origins']['flagged_ids']} "
              f"{payload['snap']['destinations']['flagged_ids']}")
    return 0
