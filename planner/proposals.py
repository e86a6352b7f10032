"""Site-selection proposals: choose new sites for a facility type and defend each with numbers.

The right model for the question (MCLP "best N", LSCP "full coverage with
fewest", p-median "shortest average travel", p-center "nobody too far") runs
on the type's demand units and candidate sites, with existing facilities kept
open and one-per-township limits where the type asks for them. Each proposed
site gets a priority (build first what adds most) and a rationale.
"""
from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo.errors import Cancelled, InfeasibleError, InputDataError
from geo.regions import Region
from geo.travel import travel_costs
from planner.coverage import (QUANTILE_KEYS, county_names_en, covered_matrix, existing_facilities,
                              summarize, unit_costs, weighted_quantiles, _records)
from planner.facility_types import MODELS, FacilityType, get_type
from planner.models import LSCP, MCLP, PCenter, PMedian
from planner.rationale import readable_infeasible, short_name_zh, site_reasons, uncovered_explanation
from planner.sites import candidate_sites, demand_units

#: Histogram bins of travel cost, in multiples of each unit's standard.
EQUITY_BINS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, np.inf)
#: The model's solve reports its progress inside this share of the proposal's
#: own (after travel costs, before the rationale), as "solving MODEL: STAGE".
SOLVE_SPAN = (0.35, 0.85)


def _check(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled("The proposal was cancelled.", "方案计算已取消。")


@dataclass
class Proposal:
    """A site-selection proposal with its rationale.

    Attributes
    ----------
    sites : GeoDataFrame
        One row per proposed site in priority order (``priority`` 1 = build
        first): township, county, ``added_weight``/``added_units`` (newly
        covered when built in this order), ``served_units``, ``farthest_cost``
        (from the farthest unit it serves), ``beyond_standard_units`` (units
        it serves that stay uncovered: beyond the standard), ``nearest_existing_*``,
        and ``reason_zh``/``reason_en`` (one or two sentences to read aloud).
    before, after : dict
        Citywide coverage without and with the proposal.
    by_county : list of dict
        Covered share per county before and after.
    equity : dict
        Distribution of travel cost before and after (quantiles and a
        histogram in multiples of the standard).
    solver : dict
        Model, status, objective, gap, seconds.
    """

    ftype: FacilityType
    params: dict
    sites: gpd.GeoDataFrame
    before: dict
    after: dict
    by_county: list
    equity: dict
    solver: dict
    is_estimate: bool
    units_after: gpd.GeoDataFrame | None = None
    #: Why units stay uncovered after the proposal: ``uncovered_units``,
    #: counts by cause (``no_candidate``, ``one_per_township``, ``not_chosen``)
    #: and ``explanation_zh``/``explanation_en`` ("" when everyone is covered).
    explanation: dict = field(default_factory=dict)
    created: float = field(default_factory=time.time)

    def to_dict(self, *, lang: str = "zh") -> dict:
        sites = self.sites.drop(columns="geometry").copy()
        sites["lon"], sites["lat"] = self.sites.geometry.x.round(6), self.sites.geometry.y.round(6)
        return {
            "type": self.ftype.key, "type_name": self.ftype.name(lang),
            "type_name_zh": self.ftype.name_zh, "type_name_en": self.ftype.name_en,
            "params": self.params, "cost_unit": self.ftype.unit, "is_estimate": self.is_estimate,
            "standard": self.ftype.to_dict()["standard"],
            "solver": self.solver, "before": self.before, "after": self.after,
            "by_county": self.by_county, "equity": self.equity,
            "sites": _records(sites),
            "notes": _notes(self, lang),
            **_explanation_fields(self),
        }

    def to_geojson(self) -> dict:
        """FeatureCollection: every rationale field as properties, plus the proposal's metadata."""
        feats = []
        for rec, geom in zip(_records(self.sites.drop(columns="geometry")), self.sites.geometry):
            rec["facility_type"] = self.ftype.key
            feats.append({"type": "Feature", "properties": rec,
                          "geometry": {"type": "Point", "coordinates": [round(geom.x, 7), round(geom.y, 7)]}})
        return {"type": "FeatureCollection", "features": feats,
                "coverplan": {"type": self.ftype.key, "params": self.params, "solver": self.solver,
                              "before": self.before, "after": self.after, "is_estimate": self.is_estimate,
                              **_explanation_fields(self)}}

    def table(self) -> pd.DataFrame:
        """The rationale table (no geometry), for CSV/XLSX export."""
        t = self.sites.drop(columns="geometry").copy()
        t.insert(1, "lon", self.sites.geometry.x.round(6))
        t.insert(2, "lat", self.sites.geometry.y.round(6))
        return t

    def applied(self) -> dict:
        """``{"type", "sites"}`` for :func:`planner.targets.plan_targets` and coverage."""
        return {"type": self.ftype.key, "sites": self.sites}


def _explanation_fields(p: Proposal) -> dict:
    e = p.explanation or {}
    return {"explanation_zh": e.get("explanation_zh", ""), "explanation_en": e.get("explanation_en", ""),
            "uncovered_reasons": {k: int(e.get(k, 0)) for k in ("no_candidate", "one_per_township", "not_chosen")}}


def _solve_progress(say: Callable[[float, str], None], model: str) -> Callable[[float, str], None]:
    """The model's (fraction, stage) mapped into SOLVE_SPAN of the proposal's progress.

    Strictly increasing and below the span's end, so the bar only moves forward
    and the "rationale" stage that follows is always a step up.
    """
    lo, hi = SOLVE_SPAN
    last = [lo]

    def report(fraction: float, stage: str) -> None:
        v = max(lo + (hi - lo) * min(max(float(fraction), 0.0), 1.0), last[0] + 1e-4)
        if v >= hi - 1e-3:
            return
        last[0] = v
        say(v, f"solving {model}: {stage}")
    return report


def _notes(p: Proposal, lang: str) -> list[str]:
    out = []
    if p.is_estimate:
        out.append("Travel costs are straight-line estimates (detour factor and speed), not road times."
                   if lang == "en" else "出行成本为直线距离估算（绕行系数与车速），非实际路网时间。")
    out.append("Villages, township polygons and the sample register are approximate/synthetic (示意)."
               if lang == "en" else "村庄位置、乡镇边界与示例设施名录为近似/合成数据（示意）。")
    return out


def load_proposal_sites(path) -> dict:
    """Read a proposal GeoJSON written by ``coverplan propose --out`` back as ``{type, sites}``."""
    try:
        raw = json.loads(open(path, encoding="utf-8-sig").read())
        gdf = gpd.GeoDataFrame.from_features(raw["features"], crs=settings.STORAGE_CRS)
        ftype = raw.get("coverplan", {}).get("type") or gdf["facility_type"].iloc[0]
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise InputDataError(f"{path}: not a coverplan proposal GeoJSON ({exc}).",
                             f"{path}：不是 coverplan 生成的方案 GeoJSON 文件（{exc}）。",
                             hint_en="Use the file written by `coverplan propose --out FILE.geojson`.",
                             hint_zh="请使用 `coverplan propose --out 文件.geojson` 输出的文件。") from exc
    for col in ("id", "name", "township_code", "county_code"):
        if col not in gdf:
            gdf[col] = ""
    gdf["id"] = gdf["id"].astype(str)
    return {"type": ftype, "sites": gdf}


def _equity(units: pd.DataFrame, cost_before: np.ndarray, cost_after: np.ndarray) -> dict:
    w = units["weight"].to_numpy(float)
    if w.sum() <= 0:
        w = np.ones_like(w)
    std = units["standard"].to_numpy(float)
    labels = [f"{a:g}-{b:g}" if np.isfinite(b) else f">{a:g}" for a, b in zip(EQUITY_BINS[:-1], EQUITY_BINS[1:])]

    def hist(cost):
        ratio = cost / std
        idx = np.clip(np.searchsorted(EQUITY_BINS, ratio, side="right") - 1, 0, len(labels) - 1)
        return [round(float(w[idx == k].sum()), 1) for k in range(len(labels))]

    q = QUANTILE_KEYS
    return {
        "bins_in_standards": labels,
        "weight_before": hist(cost_before), "weight_after": hist(cost_after),
        "quantiles_before": dict(zip(q, weighted_quantiles(cost_before, w))),
        "quantiles_after": dict(zip(q, weighted_quantiles(cost_after, w))),
        "beyond_standard_before": round(float(w[cost_before > std].sum()), 1),
        "beyond_standard_after": round(float(w[cost_after > std].sum()), 1),
        "costs_before": [None if not np.isfinite(c) else round(float(c), 2) for c in cost_before],
        "costs_after": [None if not np.isfinite(c) else round(float(c), 2) for c in cost_after],
        "weights": [float(x) for x in units["weight"]],
    }


def _priority(model: str, selected: np.ndarray, cover: np.ndarray, costs: np.ndarray, w: np.ndarray,
              base_cover: np.ndarray, base_cost: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order the chosen sites greedily by what each adds given the ones before it.

    Coverage models rank by newly covered weight, median/center models by the
    drop in total weighted cost; both gains are submodular (they only shrink as
    sites are added), so the sequence is non-increasing and a lazy greedy
    (re-evaluate only the top of a heap) gives the same order as a full one.
    Returns (order, added_weight, added_units, cost_saving).
    """
    import heapq

    covered, best = base_cover.copy(), base_cost.copy()
    rows = {int(j): np.flatnonzero(cover[:, j]) for j in selected}

    def gain(j: int) -> float:
        if model in ("mclp", "lscp"):
            r = rows[j]
            return float(w[r[~covered[r]]].sum())
        c = costs[:, j]
        finite = np.isfinite(best)
        # reaching a unit nothing reached before counts more than any finite saving
        return float((w[finite] * (best[finite] - np.minimum(best[finite], c[finite]))).sum()
                     + 1e12 * w[~finite & np.isfinite(c)].sum())

    heap = [(-gain(int(j)), int(j)) for j in selected]
    heapq.heapify(heap)
    order, add_w, add_u, saving = [], [], [], []
    while heap:
        neg, j = heapq.heappop(heap)
        g = gain(j)
        if heap and g < -heap[0][0] - 1e-9:   # stale bound: push back with the fresh gain
            heapq.heappush(heap, (-g, j))
            continue
        newly = cover[:, j] & ~covered
        new_best = np.minimum(best, costs[:, j])
        finite = np.isfinite(best)
        order.append(j)
        add_w.append(float(w[newly].sum()))
        add_u.append(int(newly.sum()))
        saving.append(float((w[finite] * (best[finite] - new_best[finite])).sum()))
        covered |= cover[:, j]
        best = new_best
    return np.array(order, dtype=int), np.array(add_w), np.array(add_u), np.array(saving)


def propose(region: Region, type_key: str | FacilityType, *, model: str = "auto", p: int | None = None,
            standard: float | dict | None = None, mode: str = "estimate", graph=None, params=None,
            facilities: gpd.GeoDataFrame | None = None, time_limit: float = 60.0, gap: float = 0.0,
            progress: Callable[[float, str], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> Proposal:
    """Propose new sites for a facility type.

    Parameters
    ----------
    model : {"auto", "mclp", "lscp", "pmedian", "pcenter"}
        ``auto`` takes the type's default (see facility_types.toml).
    p : int, optional
        Number of new sites (MCLP, p-median, p-center); default from the type.
    standard : float or dict, optional
        Override the service standard: one value for urban and rural, or
        ``{"urban": .., "rural": ..}``, in the type's unit.
    mode : {"estimate", "network"}
        Travel-cost source (``graph`` required for network).
    facilities : GeoDataFrame, optional
        The existing register (default: the region's sample register, 示意).
    progress : callable(fraction, message), optional
        Called as the work advances.
    should_stop : callable() -> bool, optional
        Polled between stages; a True answer raises :class:`Cancelled`.
    """
    t0 = time.perf_counter()
    say = progress or (lambda f, m: None)
    ftype = type_key if isinstance(type_key, FacilityType) else get_type(type_key)
    model = ftype.default_model if model in (None, "auto") else model
    if model not in MODELS:
        raise InputDataError(f"Unknown model '{model}'; use auto, {', '.join(MODELS)}.",
                             f"未知模型“{model}”；可选 auto、{'、'.join(MODELS)}。")
    if standard is not None:
        urb, rur = (standard.get("urban"), standard.get("rural")) if isinstance(standard, dict) \
            else (standard, standard)
        try:
            urb, rur = float(urb), float(rur)
        except (TypeError, ValueError):
            urb = rur = -1.0
        if not (urb > 0 and rur > 0):
            raise InputDataError(f"The service standard must be positive (got {standard!r}).",
                                 f"服务标准必须为正数（当前 {standard!r}）。")
        ftype = dataclasses.replace(ftype, standard_urban=urb, standard_rural=rur)
    if model != "lscp":
        p = ftype.default_p if p is None else p
        if not isinstance(p, (int, np.integer)) or p < 1:
            raise InputDataError(f"The number of sites must be a positive integer (got {p!r}).",
                                 f"新建设施数量必须为正整数（当前 {p!r}）。")

    say(0.05, "demand and candidates")
    units = demand_units(region, ftype)
    existing = existing_facilities(region, ftype, facilities)
    cands = candidate_sites(region, ftype, existing)
    is_existing = cands["existing"].to_numpy(bool)
    _check(should_stop)

    say(0.15, "travel costs")
    costs, is_estimate = unit_costs(units, cands, ftype, mode=mode, graph=graph, params=params)
    cover = covered_matrix(units, cands, ftype, costs)
    _check(should_stop)

    w = units["weight"].to_numpy(float)
    groups = cands["township_code"].fillna("").to_numpy(str)
    group_kw = {}
    if ftype.one_per_township:
        group_kw = {"groups": groups, "group_max": {g: 1 for g in np.unique(groups)}}
    # coverage models see 0 where a site covers a unit and inf elsewhere, with radius 0: the
    # type's rule (per-unit standard, or "inside") is then exactly the model's coverage
    cover_cost = np.where(cover, 0.0, np.inf)
    say(SOLVE_SPAN[0], f"solving {model}")
    try:
        if model == "lscp":
            m = LSCP.from_cost_matrix(cover_cost, radius=0.0, existing=is_existing, **group_kw)
        elif model == "mclp":
            m = MCLP.from_cost_matrix(cover_cost, radius=0.0, p=int(p), weights=w, existing=is_existing, **group_kw)
        elif model == "pmedian":
            m = PMedian.from_cost_matrix(costs, p=int(p), weights=np.maximum(w, 1e-9), existing=is_existing,
                                         **group_kw)
        else:
            m = PCenter.from_cost_matrix(costs, p=int(p), existing=is_existing, **group_kw)
        _check(should_stop)
        res = m.solve(time_limit=time_limit, gap=gap, should_stop=should_stop,
                      progress=_solve_progress(say, model))
    except InfeasibleError as exc:
        _check(should_stop)   # "no solution in time" from a solve we stopped is a cancel
        # the models name demand rows by index: say which villages/seats they are
        raise readable_infeasible(exc, ftype, model, units, p) from exc
    _check(should_stop)

    say(0.85, "rationale")
    base_cover = cover[:, is_existing].any(axis=1) if is_existing.any() else np.zeros(len(units), bool)
    base_cost = costs[:, is_existing].min(axis=1) if is_existing.any() else np.full(len(units), np.inf)
    order, add_w, add_u, saving = _priority(model, np.asarray(res.selected, int), cover, costs, w,
                                            base_cover, base_cost)
    open_idx = np.concatenate([np.flatnonzero(is_existing), order])
    after_cost = costs[:, open_idx].min(axis=1) if len(open_idx) else np.full(len(units), np.inf)
    serving = open_idx[np.argmin(costs[:, open_idx], axis=1)] if len(open_idx) else np.full(len(units), -1)
    after_cover = cover[:, open_idx].any(axis=1) if len(open_idx) else np.zeros(len(units), bool)

    chosen = cands.iloc[order].reset_index(drop=True)
    # nearest existing facility from each proposed site
    if len(existing) and len(chosen):
        ex_pts = cands.loc[is_existing]
        tm = travel_costs(chosen.geometry, ex_pts.geometry, mode=mode, unit=ftype.unit, graph=graph,
                          urban=np.zeros(len(chosen), bool), params=params)
        d = np.asarray(tm.to_dense(), float)
        k = np.argmin(d, axis=1)
        near_id = ex_pts["id"].to_numpy()[k]
        near_name = ex_pts["name"].to_numpy()[k]
        near_cost = d[np.arange(len(chosen)), k]
    else:
        near_id = near_name = np.full(len(chosen), None)
        near_cost = np.full(len(chosen), np.inf)
    served_units, farthest, served_weight, beyond = [], [], [], []
    for j in order:
        mine = serving == j
        served_units.append(int(mine.sum()))
        served_weight.append(float(w[mine].sum()))
        farthest.append(float(after_cost[mine].max()) if mine.any() else None)
        # served by this site yet uncovered: beyond the standard (or, for "inside"
        # types, no facility inside the unit's area)
        beyond.append(int((mine & ~after_cover).sum()))

    name_suffix = short_name_zh(ftype)
    sites = gpd.GeoDataFrame({
        "priority": np.arange(1, len(chosen) + 1),
        "id": [f"proposed-{ftype.key}-{i:03d}" for i in range(1, len(chosen) + 1)],
        "name": [f"拟建{n.replace('驻地', '')}{name_suffix}" for n in chosen["name"]],
        "candidate_id": chosen["id"].values, "candidate_name": chosen["name"].values,
        "township_code": chosen["township_code"].values, "township_name": chosen["township_name"].values,
        "county_code": chosen["county_code"].values, "county_name": chosen["county_name"].values,
        "added_weight": add_w.round(1), "added_units": add_u, "cost_saving": saving.round(1),
        "served_units": served_units, "served_weight": np.round(served_weight, 1),
        "farthest_cost": [None if f is None or not np.isfinite(f) else round(f, 2) for f in farthest],
        "nearest_existing_id": near_id, "nearest_existing_name": near_name,
        "nearest_existing_cost": [None if not np.isfinite(c) else round(float(c), 2) for c in near_cost],
        "beyond_standard_units": beyond,
        "cost_unit": ftype.unit, "weight_field": ftype.weight,
    }, geometry=chosen.geometry.values, crs=settings.STORAGE_CRS)
    sites["reason_zh"], sites["reason_en"] = site_reasons(ftype, model, sites)
    explanation = uncovered_explanation(ftype, model, p, units, cover, is_existing, order, groups, after_cover)

    before = summarize(w, base_cover, base_cost)
    after = summarize(w, after_cover, after_cost)
    before["facilities"], after["facilities"] = int(is_existing.sum()), int(is_existing.sum() + len(order))
    by_county = []
    names_en = county_names_en(region.counties)
    for code, name in region.counties["name"].items():
        sel = (units["county_code"] == code).to_numpy()
        if not sel.any():
            continue
        b, a = summarize(w[sel], base_cover[sel], base_cost[sel]), summarize(w[sel], after_cover[sel], after_cost[sel])
        by_county.append({"county_code": code, "county_name": name, "county_name_en": names_en[code],
                          "weight": b["weight"],
                          "covered_share_before": b["covered_share"], "covered_share_after": a["covered_share"],
                          "new_sites": int((sites["county_code"] == code).sum())})
    units_after = units.drop(columns="area").copy()
    units_after["cost_before"], units_after["cost_after"] = base_cost, after_cost
    units_after["covered_before"], units_after["covered_after"] = base_cover, after_cover
    # the facility serving each unit after the proposal (existing id, or the proposed site's id)
    site_ids = cands["id"].to_numpy(object).copy()
    site_ids[order] = sites["id"].to_numpy(object)
    units_after["serving_id"] = [site_ids[j] if j >= 0 else None for j in serving]
    solver = {"model": res.model, "status": res.status, "objective": float(res.objective),
              "mip_gap": float(res.mip_gap), "seconds": {**res.seconds,
                                                          "total_with_costs": round(time.perf_counter() - t0, 3)},
              "candidates": int((~is_existing).sum()), "existing": int(is_existing.sum()),
              "demand_units": int(len(units))}
    say(1.0, "done")
    return Proposal(ftype=ftype, params={"type": ftype.key, "model": model, "p": p,
                                         "standard": {"urban": ftype.standard_urban, "rural": ftype.standard_rural,
                                                      "unit": ftype.unit},
                                         "mode": mode, "time_limit": time_limit, "gap": gap},
                    sites=sites, before=before, after=after, by_county=by_county,
                    equity=_equity(units, base_cost, after_cost), solver=solver, is_estimate=is_estimate,
                    units_after=units_after, explanation=explanation)
