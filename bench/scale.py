"""Benchmark: province scale -- coverage and a default proposal for every facility type, by size.

A generated region (planner.regional.generate_region, 示意: Hubei's densities,
22 villages a township, 12 townships a county, a generated register) of N
villages; for every facility type in data/facility_types.toml:

* coverage: nearest existing facility and covered flag of every demand point,
  county by county against the facilities within reach (straight-line
  estimate, detour 1.3/1.6, 30/40 km/h);
* proposal: the type's default model (LSCP or MCLP, planner.models on HiGHS)
  per county, existing facilities kept.

Each size runs in a fresh process, so its peak memory (``ru_maxrss``) is its
own. Prints seconds (wall and CPU) and peak memory per step, the growth
exponent between sizes (log t / log N) and how the steps are bounded.
``--scheduler tcp://HOST:8786`` hands the counties to a Dask cluster.

Usage::

    .venv/bin/python bench/scale.py                       # N = 2,000 8,000 26,000 100,000
    .venv/bin/python bench/scale.py --sizes 2000 8000     # some sizes
"""
from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOUNDS = ("Bounded: every matrix is one county's demand points x the sites within the straight-line "
          "reach of the type's largest standard (coverage) or x the county's own candidates "
          "(proposals); no province-wide villages x sites matrix is formed (26,000 x 26,000 dense "
          "would be 5.4 GB). Proposals are optimal per county, not across county borders.")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def one_size(n: int, seed: int, scheduler: str | None) -> dict:
    from geo.distributed import run_parts
    from planner import regional
    from planner.facility_types import load_facility_types

    steps = []

    def step(name, f):
        t, c = time.perf_counter(), time.process_time()
        out = f()
        steps.append({"step": name, "wall": time.perf_counter() - t, "cpu": time.process_time() - c,
                      "peak_mb": peak_mb()})
        return out

    region = step("generate region", lambda: regional.generate_region(n, seed=seed))
    types = list(load_facility_types().values())
    parts = step("county parts", lambda: {t.key: regional.county_parts(region, t, seed=seed) for t in types})
    notes = []
    cov_share = {}

    def coverage():
        for t in types:
            res, info = run_parts(regional.county_coverage, parts[t.key], scheduler=scheduler)
            if info.note_en:
                notes.append(info.note_en)
            cov = sum(float(r["weight"][r["covered"]].sum()) for r in res)
            tot = sum(float(r["weight"].sum()) for r in res)
            cov_share[t.key] = cov / tot if tot else 1.0

    def proposals():
        out = {}
        for t in types:
            res, _ = run_parts(regional.county_proposal, parts[t.key], scheduler=scheduler)
            out[t.key] = {"new_sites": int(sum(len(r["selected"]) for r in res)),
                          "counties": len(res),
                          "not_optimal": int(sum(r["status"] not in ("optimal", "nothing to do")
                                                 for r in res))}
        return out

    step("coverage, all types", coverage)
    props = step("proposals, all types", proposals)
    return {"n": n, "townships": int(len(region.township_seats)),
            "counties": int(len(region.county_seats)), "types": len(types), "steps": steps,
            "covered_share": cov_share, "proposals": props, "notes": sorted(set(notes))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 8000, 26000, 100000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (default: this process)")
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one_size(args.one, args.seed, args.scheduler)))
        return 0

    runs = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)]
        if args.scheduler:
            cmd += ["--scheduler", args.scheduler]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        run = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"\nN = {n:,} villages ({run['townships']:,} townships, {run['counties']} counties, "
              f"{run['types']} facility types)")
        print(f"  {'step':<24}{'wall s':>9}{'CPU s':>9}{'peak MB':>10}")
        for s in run["steps"]:
            print(f"  {s['step']:<24}{s['wall']:>9.2f}{s['cpu']:>9.2f}{s['peak_mb']:>10.0f}")
        tot = sum(s["wall"] for s in run["steps"] if s["step"].startswith(("coverage", "proposals")))
        print(f"  coverage + proposals: {tot:.1f}s wall; new sites proposed: "
              + ", ".join(f"{k} {v['new_sites']}" for k, v in run["proposals"].items()))
        bad = {k: v["not_optimal"] for k, v in run["proposals"].items() if v["not_optimal"]}
        if bad:
            print(f"  counties not solved to proven optimality: {bad}")
        for note in run["notes"]:
            print(f"  note: {note}")
    if len(runs) > 1:
        print("\ngrowth exponent (d log CPU s / d log N; N log N is about 1.1, N^2 is 2):")
        for name in ("coverage, all types", "proposals, all types"):
            cells = []
            for a, b in zip(runs[:-1], runs[1:]):
                ta = next(s["cpu"] for s in a["steps"] if s["step"] == name)
                tb = next(s["cpu"] for s in b["steps"] if s["step"] == name)
                cells.append(f"{a['n']:,}->{b['n']:,}: {math.log(tb / ta) / math.log(b['n'] / a['n']):.2f}")
            print(f"  {name:<22} " + "; ".join(cells))
    print("\n" + BOUNDS)
    target = [r for r in runs if r["n"] == 26000]
    if target:
        r = target[0]
        tot = sum(s["wall"] for s in r["steps"] if s["step"].startswith(("coverage", "proposals")))
        cpu = sum(s["cpu"] for s in r["steps"] if s["step"].startswith(("coverage", "proposals")))
        peak = max(s["peak_mb"] for s in r["steps"])
        ok = tot < 120 and peak < 4096
        print(f"26,000 villages: coverage + proposals {tot:.1f}s wall, {cpu:.1f}s CPU "
              f"(target < 120 s; on a shared machine CPU s is the unloaded estimate), peak {peak:,.0f} MB "
              f"(target < 4,096 MB): {'TARGET MET' if ok else 'TARGET MISSED'}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
