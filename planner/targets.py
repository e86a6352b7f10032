"""The plan's targets (from facility_types.toml) with their status now and after proposals."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.regions import Region
from planner.coverage import analyse_coverage, existing_facilities
from planner.facility_types import load_facility_types, plan_year


def _value(kind: str, cov, region: Region, new_now: int, new_added: int) -> tuple[float, dict]:
    if kind == "new_sites":
        n = new_now + new_added
        return n, {"new_sites": n, "from_register": new_now, "from_proposals": new_added}
    if kind == "covered_share":
        s = cov.summary
        return s["unit_share"] or 0.0, {"units": s["units"], "covered_units": s["covered_units"],
                                        "weight": s["weight"], "covered_weight": s["covered_weight"]}
    # township_share: townships with at least one facility of the type
    with_fac = cov.facilities["township_code"].dropna().nunique()
    n = len(region.townships)
    return with_fac / n, {"townships": n, "townships_with_facility": int(with_fac)}


def plan_targets(region: Region, *, proposals: list[dict] | None = None, facilities=None,
                 mode: str = "estimate", graph=None, coverage_now=None) -> list[dict]:
    """Every target with status now, and after the given proposals when any.

    Parameters
    ----------
    proposals : list of dict, optional
        Each ``{"type": key, "sites": GeoDataFrame}`` (as :func:`load_proposal_sites`
        or :meth:`planner.proposals.Proposal.applied` return).
    coverage_now : callable, optional
        ``coverage_now(ftype)`` returns the current coverage of a type computed
        with the same facilities, mode and graph; a caller that keeps coverage
        (the web service) passes its cache so nothing is computed twice.
        Default: :func:`analyse_coverage`.
    """
    year = plan_year()
    by_type: dict[str, list[gpd.GeoDataFrame]] = {}
    for p in proposals or []:
        by_type.setdefault(p["type"], []).append(p["sites"])
    out = []
    for key, ft in load_facility_types().items():
        if not ft.targets:
            continue
        existing = existing_facilities(region, ft, facilities)
        new_now = int((pd.to_numeric(existing.get("built_year"), errors="coerce") == year).sum()) \
            if "built_year" in existing else 0
        cov_now = coverage_now(ft) if coverage_now is not None else analyse_coverage(
            region, ft, facilities=facilities, mode=mode, graph=graph)
        extra = pd.concat(by_type[key], ignore_index=True) if key in by_type else None
        cov_after = analyse_coverage(region, ft, facilities=facilities, extra_sites=extra, mode=mode,
                                     graph=graph) if extra is not None else None
        for t in ft.targets:
            value, numbers = _value(t["kind"], cov_now, region, new_now, 0)
            row = {"key": t["key"], "type": key, "type_name_zh": ft.name_zh, "type_name_en": ft.name_en,
                   "section": ft.section, "kind": t["kind"], "text_zh": t["text_zh"], "text_en": t["text_en"],
                   "target": t["min"], "value": value, "status": "met" if value >= t["min"] else "not_met",
                   "numbers": numbers, "synthetic_inputs": bool(existing["synthetic"].astype(bool).any())}
            if cov_after is not None:
                v2, n2 = _value(t["kind"], cov_after, region, new_now, len(extra))
                row["after"] = {"value": v2, "status": "met" if v2 >= t["min"] else "not_met", "numbers": n2}
            out.append(row)
    return out
