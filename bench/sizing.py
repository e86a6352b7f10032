"""Benchmark: sized proposals (beds, places) under two HiGHS settings, side by side in one process.

The sized MIP (planner.sizing.solve_sizing) packs whole villages into the beds of new and existing
facilities. Its LP bound is tight, but on the larger questions HiGHS's default heuristic effort finds a
plan within the 0.01 % gap late. This script runs each question under ``planner.sizing.SIZING_OPTIONS``
(the setting the app uses; HiGHS's defaults) and under the options given with ``--options``, each with
the HiGHS random seeds given, and prints seconds, status and the people served, with the ratio of the
times (app / tried).

Questions: every type with size classes on the embedded Shiyan default, city-wide and per county,
with budgets of 1, 3, 8 and 15 new sites (``--budgets``).

Usage::

    .venv/bin/python bench/sizing.py --options '{"mip_heuristic_effort": 0.8}'    # all questions, seed 0
    .venv/bin/python bench/sizing.py --options '{"mip_heuristic_effort": 0.8}' --types elderly_complex \
        --budgets 8 --seeds 0 1 2 --city-only
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    import planner.sizing as sizing
    from geo.regions import load_region
    from planner.coverage import county_type
    from planner.facility_types import get_type, load_facility_types

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--types", nargs="*", help="type keys (default: every type with size classes)")
    ap.add_argument("--budgets", nargs="*", type=int, default=[1, 3, 8, 15])
    ap.add_argument("--seeds", nargs="*", type=int, default=[0])
    ap.add_argument("--city-only", action="store_true", help="only the city-wide questions")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--options", type=json.loads, required=True, help="HiGHS options to try, as JSON")
    args = ap.parse_args(argv)

    region = load_region()
    types = load_facility_types()
    keys = args.types or [k for k, ft in types.items() if ft.capacity is not None and ft.capacity.sizes]
    counties = [] if args.city_only else list(region.counties["code"].astype(str))
    app, tuned = dict(sizing.SIZING_OPTIONS), dict(args.options)
    print(f"settings: app = {app or 'HiGHS defaults'}; tried = {tuned}; seeds {args.seeds}; "
          f"time limit {args.time_limit:g} s")
    print("| type | scope | budget | app s (seeds) | tried s (seeds) | app served | tried served | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    ratios = []
    for key in keys:
        ft = types[key]
        sizes = list(ft.capacity.sizes)
        for scope in [None, *counties]:
            ftype = county_type(get_type(key), scope, region) if scope else key
            for budget in args.budgets:
                row = {}
                for name, opts in (("default", app), ("tuned", tuned)):
                    secs, served, status = [], [], []
                    for seed in args.seeds:
                        sizing.SIZING_OPTIONS = {**opts, "random_seed": seed}
                        t0 = time.perf_counter()
                        out = sizing.propose_sized(region, ftype, sizes, budget_sites=budget,
                                                   time_limit=args.time_limit)
                        secs.append(time.perf_counter() - t0)
                        served.append(out["summary"]["served"])
                        status.append(out["solver"]["status"][:4])
                    row[name] = (secs, served, status)
                sizing.SIZING_OPTIONS = app
                d, t = row["default"], row["tuned"]
                ratio = statistics.mean(d[0]) / statistics.mean(t[0])
                ratios.append(ratio)
                print(f"| {key} | {scope or 'city'} | {budget} | "
                      f"{' '.join(f'{s:.1f}{st[0]}' for s, st in zip(d[0], d[2]))} | "
                      f"{' '.join(f'{s:.1f}{st[0]}' for s, st in zip(t[0], t[2]))} | "
                      f"{' '.join(f'{v:,.0f}' for v in d[1])} | {' '.join(f'{v:,.0f}' for v in t[1])} | "
                      f"{ratio:.2f} |", flush=True)
    if ratios:
        print(f"time ratio app/tried: geometric mean "
              f"{statistics.geometric_mean(ratios):.2f}, min {min(ratios):.2f}, max {max(ratios):.2f} "
              "(status letters: o optimal, f feasible within the gap, t time limit)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
