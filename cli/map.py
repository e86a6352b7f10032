"""`coverplan map`: a coverage map as one self-contained HTML file (folium; opens offline)."""
from __future__ import annotations

import argparse

from geo import settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("map", help="导出离线覆盖地图 / write an offline HTML coverage map")
    p.add_argument("--region", default=settings.DEFAULT_REGION)
    p.add_argument("--type", required=True)
    p.add_argument("--facilities", help="your register (.csv/.xlsx/.geojson)")
    p.add_argument("--coords", default="wgs84", choices=["wgs84", "gcj02", "bd09"])
    p.add_argument("--proposal", help="proposal GeoJSON from `coverplan propose --out`: sites drawn numbered")
    p.add_argument("--mode", default="estimate", choices=["estimate", "network"])
    p.add_argument("--network")
    p.add_argument("--out", required=True, help="output .html file")
    p.set_defaults(func=_map)


def _map(args) -> int:
    from cli.analysis import _context
    from geo.errors import InputDataError
    from planner.coverage import analyse_coverage
    from planner.proposals import load_proposal_sites
    from web.mapexport import coverage_map, standalone_html

    region, facilities = _context(args)
    sites = None
    if args.proposal:
        prop = load_proposal_sites(args.proposal)
        if prop["type"] != args.type:
            raise InputDataError(f"The proposal is for '{prop['type']}', not '{args.type}'.",
                                 f"该方案的设施类型为“{prop['type']}”，与 --type “{args.type}”不符。")
        sites = prop["sites"]
    cov = analyse_coverage(region, args.type, facilities=facilities, extra_sites=sites, mode=args.mode,
                           graph=args.network)
    page = standalone_html(coverage_map(region, cov, proposed_sites=sites, lang=args.lang),
                           title=f"{cov.ftype.name(args.lang)} · coverplan")
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(page)
    print(args.out)
    return 0
