"""Site-selection proposals: choose new sites for a facility type and defend each with numbers.

The right model for the question (MCLP "best N", LSCP "full coverage with
fewest", p-median "shortest average travel", p-center "nobody too far") runs
on the type's demand units and candidate sites, with existing facilities kept
open and one-per-township limits where the type asks for them. Each proposed
site gets a priority (build first what adds most) and a rationale.

:func:`propose` runs four steps, each usable (and tested) alone:
:func:`validate` (the request) → :func:`build_instance` (demand units x sites:
costs, coverage, existing facilities, group limits) → :func:`solve_instance`
(the model) → :func:`explain` (priorities, reasons, before/after: the
:class:`Proposal`).
"""
from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo.errors import Cancelled, InfeasibleError, InputDataError
from geo.regions import Region
from planner.coverage import (QUANTILE_KEYS, county_names_en, covered_matrix, existing_facilities,
                              summarize, unit_costs, unit_travel, weighted_quantiles, records)
from planner.facility_types import MODELS, FacilityType, get_type
from planner.models import LSCP, MCLP, PCenter, PMedian
from planner.rationale import readable_infeasible, site_reasons, uncovered_explanation
from planner.sites import candidate_sites, demand_units, site_marks

#: Largest service standard accepted, per unit (FacilityType.unit): 10 hours, or 300 km (Shiyan is
#: about 250 km across; a bigger radius is a typo and makes maps unbuildable). One limit for the web's
#: form (web.proposals.parse_params) and the CLI's `propose --standard`; :func:`validate` does not refuse
#: above it, so a proposal saved with a larger standard by an older version is still solved and drawn.
MAX_STANDARD = {"min": 600.0, "m": 300_000.0}


#: Smallest service standard accepted, per unit: 1 minute, or 100 metres. The smallest reach any planning
#: norm states is the 5-minute (about 300 m) walk of GB 50180-2018's smallest life circle, and the types of
#: data/facility_types.toml ask 15-60 minutes or 1,000-3,000 metres; below a minute or 100 m only a demand
#: point on a candidate site's doorstep is covered, so every unit needs a site of its own (`--standard 1e-320
#: --model lscp` proposed 1,979 sites, one per village, and overflowed numpy on the way: QA 21), and a value
#: that small is a unit mistake (kilometres typed as metres: 3 for 3,000). Refused below it by the web's form
#: and the CLI's `propose --standard`, as above :data:`MAX_STANDARD`; :func:`validate` takes any positive value.
MIN_STANDARD = {"min": 1.0, "m": 100.0}


#: The location models in the words a proposal's default name and a job's progress use (web.proposals.stage_text):
#: (zh, en). LSCP's words say full coverage, so its name gives no number of sites.
MODEL_WORDS = {"mclp": ("最大覆盖", "maximal covering"), "lscp": ("最少设施全覆盖", "set covering"),
               "pmedian": ("总出行最短", "p-median"), "pcenter": ("最远距离最短", "p-center")}


def default_name(kind: str, ftype: FacilityType, lang: str, *, tail: str, model: str | None = None,
                 n: int | None = None, sizes=None, k: int | None = None, convert: bool = False) -> str:
    """The name of a proposal saved without one: "乡镇(街道)养老服务综合体·最大覆盖·8处·12-03 07:15", in ``lang``.

    One rule for the web (a proposal saved without a name: ``tail`` the time it was started) and the CLI (the
    files `propose`/`upgrade --out` write: ``tail`` the file's name, which the planner chose). ``kind``:
    "location" (``model``, a concrete one, and ``n`` the sites asked for; LSCP's words say full coverage, so it
    has no number), "sized" (``sizes``, as solved) or "upgrade" (``k``, ``convert`` for a conversion)."""
    from planner.i18n import t

    name = ftype.name(lang)
    if kind == "sized":
        text = "/".join(f"{float(s):,.0f}" if float(s).is_integer() else f"{float(s):g}" for s in sizes or [])
        return t("f11_name_sized", lang, type=name, sizes=text, tail=tail)
    if kind == "upgrade":
        return t("f11_name_convert" if convert else "f11_name_upgrade", lang, type=name, k=k, tail=tail)
    label = MODEL_WORDS.get(model, (str(model).upper(), str(model).upper()))[1 if lang == "en" else 0]
    if model == "lscp" or n is None:
        return t("f11_name_cover", lang, type=name, model=label, tail=tail)
    return t("f11_name_location_one" if int(n) == 1 else "f11_name_location", lang, type=name, model=label,
             n=f"{int(n):,}", tail=tail)


def max_standard(ftype: FacilityType) -> float:
    """The largest service standard :data:`MAX_STANDARD` allows in ``ftype``'s unit."""
    return MAX_STANDARD.get(ftype.unit, MAX_STANDARD["m"])


def min_standard(ftype: FacilityType) -> float:
    """The smallest service standard :data:`MIN_STANDARD` allows in ``ftype``'s unit."""
    return MIN_STANDARD.get(ftype.unit, MIN_STANDARD["m"])


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
    #: counts by cause (``off_network``, ``no_candidate``, ``one_per_township``, ``not_chosen``)
    #: and ``explanation_zh``/``explanation_en`` ("" when everyone is covered).
    explanation: dict = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    #: the demand units or the register it was solved on hold synthetic or approximate data (示意)
    synthetic_inputs: bool = True

    def to_dict(self, *, lang: str = "zh") -> dict:
        sites = self.sites.drop(columns="geometry").copy()
        sites["lon"], sites["lat"] = self.sites.geometry.x.round(6), self.sites.geometry.y.round(6)
        return {
            "type": self.ftype.key, "type_name": self.ftype.name(lang),
            "type_name_zh": self.ftype.name_zh, "type_name_en": self.ftype.name_en,
            "params": self.params, "cost_unit": self.ftype.unit, "is_estimate": self.is_estimate,
            "synthetic_inputs": self.synthetic_inputs, "standard": self.ftype.to_dict()["standard"],
            "solver": self.solver, "before": self.before, "after": self.after,
            "by_county": self.by_county, "equity": self.equity,
            "sites": records(sites),
            "notes": _notes(self, lang),
            **_explanation_fields(self),
        }

    def to_geojson(self, dataset_version: int | None = None) -> dict:
        """FeatureCollection: every rationale field as properties, plus the proposal's metadata; with
        ``dataset_version``, the data version it was solved on (a file read later, on other data, says so:
        `coverplan targets --proposal`, QA 27; the web's download names it too)."""
        feats = []
        for rec, geom in zip(records(self.sites.drop(columns="geometry")), self.sites.geometry):
            rec["facility_type"] = self.ftype.key
            feats.append({"type": "Feature", "properties": rec,
                          "geometry": {"type": "Point", "coordinates": [round(geom.x, 7), round(geom.y, 7)]}})
        return {"type": "FeatureCollection", "features": feats,
                "coverplan": {"type": self.ftype.key, "params": self.params, "solver": self.solver,
                              "before": self.before, "after": self.after, "is_estimate": self.is_estimate,
                              # a file read alone says what is illustrative (QA 19: it carried no 示意)
                              "synthetic_inputs": self.synthetic_inputs,
                              "notes_zh": _notes(self, "zh"), "notes_en": _notes(self, "en"),
                              **_explanation_fields(self),
                              **({} if dataset_version is None else {"dataset_version": int(dataset_version)})}}

    def table(self, lang: str | None = None) -> pd.DataFrame:
        """The rationale table (no geometry), for CSV/XLSX export; with ``lang``, the
        ``cost_saving`` header names its unit in that language (a bare number of 27,629,646 says nothing)."""
        t = self.sites.drop(columns="geometry").copy()
        t.insert(1, "lon", self.sites.geometry.x.round(6))
        t.insert(2, "lat", self.sites.geometry.y.round(6))
        if lang:
            t = t.rename(columns={"cost_saving": cost_saving_header(self.ftype, lang)})
        return t

    def applied(self) -> dict:
        """``{"type", "sites"}`` for :func:`planner.targets.plan_targets` and coverage."""
        return {"type": self.ftype.key, "sites": self.sites}


def cost_saving_header(ftype: FacilityType, lang: str) -> str:
    """``cost_saving`` with its unit: each site's drop in weighted travel cost for the units already
    reached (see _priority), i.e. the type's weight times its cost unit ("people aged 60+ × min")."""
    from planner.i18n import t

    weight = t("cost_saving_per_unit" if ftype.weight == "units" else f"weight_{ftype.weight}", lang)
    unit = t("minutes" if ftype.unit == "min" else "metres", lang)
    return t("cost_saving_col", lang).format(weight=weight, unit=unit)


def _explanation_fields(p: Proposal) -> dict:
    e = p.explanation or {}
    return {"explanation_zh": e.get("explanation_zh", ""), "explanation_en": e.get("explanation_en", ""),
            "uncovered_reasons": {k: int(e.get(k, 0)) for k in ("off_network", "no_candidate", "one_per_township",
                                                                  "not_chosen")}}


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
    if p.synthetic_inputs:
        out.append("Villages, township polygons or the sample register are approximate/synthetic (示意)."
                   if lang == "en" else "村庄位置、乡镇边界或示例设施名录为近似/合成数据（示意）。")
    return out


#: A priority is a place in the order of building (1, 2, 3...): above this it is a typing slip, and pandas' integers
#: end there anyway.
MAX_PRIORITY = 1_000_000_000


def _shown(value, limit: int = 60) -> str:
    """A value of a hand-edited file as a message quotes it: text as written (cut when long), a number as JSON."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _site_problem(path, n: int, props: dict, en: str, zh: str, hint_en: str, hint_zh: str,
                  check: str) -> InputDataError:
    """What is wrong with feature ``n`` (1-based) of the proposal file ``path``, named by its number and name."""
    name = props.get("name") if props.get("name") not in (None, "") else None
    name_en = props.get("name_en") if props.get("name_en") not in (None, "") else name
    where_en = f"{path}: feature {n}" + (f" ({_shown(name_en)})" if name_en is not None else "")
    where_zh = f"{path}：第 {n} 个要素" + (f"（{_shown(name)}）" if name is not None else "")
    return InputDataError(f"{where_en} {en}", f"{where_zh}{zh}", hint_en=hint_en, hint_zh=hint_zh,
                          details={"parameter": "proposal", "file": str(path), "feature": n, "check": check})


#: The whole globe in lon/lat: a proposal read for no particular region is only checked against it.
WORLD = ((-180.0, -90.0, 180.0, 90.0), "", "")


def _region_boxes(region) -> list[tuple[tuple[float, float, float, float], str, str]]:
    """The lon/lat boxes a proposal's sites must lie in (one of them), each with its region's name (zh, en):
    ``region`` a :class:`Region` (its box in geo.points.REGION_BBOXES, else its townships' extent), a region's name,
    or a list of names (the CLI reads a file before it loads the data: any region shipped on this machine); None,
    or a name without a known box: the globe's (:data:`WORLD`), longitude within ±180 and latitude within ±90."""
    from geo.points import REGION_BBOXES, REGION_NAMES

    if region is None:
        return [WORLD]
    names = [str(r) for r in region] if isinstance(region, (list, tuple)) else [getattr(region, "name", region)]
    out = []
    for key in names:
        box = REGION_BBOXES.get(str(key).lower())
        if box is None and isinstance(region, Region):  # a region of its own: its townships' extent
            x0, y0, x1, y1 = (float(v) for v in region.townships.total_bounds)
            box = (x0 - 0.05, y0 - 0.05, x1 + 0.05, y1 + 0.05)
        if box is None:  # a region whose extent is not known here: the globe's
            return [WORLD]
        zh, en = REGION_NAMES.get(str(key).lower(), (str(key), str(key)))
        out.append((tuple(box), zh, en))
    return out or [WORLD]


def _site_point(path, n: int, props: dict, geom, boxes) -> tuple[float, float]:
    """Feature ``n``'s point (lon, lat): a Point, or a MultiPoint of one point, with two finite numbers in the
    region's bounds; anything else refused in words (QA 33: a Polygon, a swapped or an infinite coordinate ended
    in tracebacks or in geo.travel's "destinations: line 29" -- the existing facilities plus the feature)."""
    example = "[110.8, 32.6]"
    hint_en = (f"Give it a Point geometry with its [longitude, latitude] in decimal degrees, e.g. "
               f"{{\"type\": \"Point\", \"coordinates\": {example}}}, or remove the feature.")
    hint_zh = (f"请将其几何改为点（Point），坐标写作 [经度, 纬度]（十进制度），如 "
               f"{{\"type\": \"Point\", \"coordinates\": {example}}}，或删除该要素。")
    if not isinstance(geom, dict) or geom.get("type") is None:
        raise _site_problem(path, n, props, "has no geometry: a proposed site is one point.",
                            "没有几何（geometry）：方案中的站点须为一个点。", hint_en, hint_zh, "geometry")
    kind, coords = geom.get("type"), geom.get("coordinates")
    if kind == "MultiPoint" and isinstance(coords, list) and len(coords) == 1:
        kind, coords = "Point", coords[0]  # a MultiPoint of one point: that point
    if kind == "MultiPoint":
        many = len(coords) if isinstance(coords, list) else 0
        raise _site_problem(path, n, props, f"is a MultiPoint of {many:,} points: a proposed site is one point.",
                            f"是含 {many:,} 个点的多点（MultiPoint）：方案中的站点须为一个点。",
                            "Give each site a feature of its own with a Point geometry [longitude, latitude], or "
                            "remove the feature.",
                            "请每个站点各用一个要素，几何为点（Point），坐标写作 [经度, 纬度]，或删除该要素。", "geometry")
    if kind != "Point":
        raise _site_problem(path, n, props, f"is a {_shown(kind)}, not a point: a proposed site is one point.",
                            f"的几何为 {_shown(kind)} 而不是点（Point）：方案中的站点须为一个点。",
                            hint_en, hint_zh, "geometry")
    if not (isinstance(coords, (list, tuple)) and len(coords) >= 2
            and all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c)
                    for c in coords[:2])):
        raise _site_problem(path, n, props, f"has the coordinates {_shown(coords)}, which are not two finite "
                            "numbers (longitude, latitude).",
                            f"的坐标 {_shown(coords)} 不是两个有限的数值（经度、纬度）。",
                            f"Write them as numbers in decimal degrees, longitude first, e.g. {example}.",
                            f"请写成十进制度数值，先经度后纬度，如 {example}。", "coordinates")
    lon, lat = float(coords[0]), float(coords[1])

    def inside(x: float, y: float) -> bool:
        return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b, _, _ in boxes)

    if not inside(lon, lat):
        pair = f"[{coords[0]}, {coords[1]}]"
        if inside(lat, lon):
            raise _site_problem(path, n, props, f"has the coordinates {pair}, which look swapped: GeoJSON writes "
                                "the longitude first.",
                                f"的坐标 {pair} 似乎把经纬度写反了：GeoJSON 中应先经度后纬度。",
                                f"Write [{coords[1]}, {coords[0]}].", f"请改为 [{coords[1]}, {coords[0]}]。",
                                "swapped")
        b, zh, en = boxes[0]
        span_en = f"lon {b[0]:g} to {b[2]:g}, lat {b[1]:g} to {b[3]:g}"
        span_zh = f"经度 {b[0]:g}～{b[2]:g}，纬度 {b[1]:g}～{b[3]:g}"
        if not en:  # no region's box: beyond the globe's
            raise _site_problem(path, n, props, f"has the coordinates {pair}, which are no longitude and latitude "
                                f"({span_en}).",
                                f"的坐标 {pair} 不是经纬度（{span_zh}）。",
                                "Write WGS84 longitude and latitude in decimal degrees, longitude first, e.g. "
                                f"{example}.", f"请写成 WGS84 十进制经纬度，先经度后纬度，如 {example}。", "outside")
        raise _site_problem(path, n, props, f"at longitude {coords[0]}, latitude {coords[1]} lies outside the "
                            f"region ({en}: {span_en}).",
                            f"位于经度 {coords[0]}、纬度 {coords[1]}，不在本区域内（{zh}：{span_zh}）。",
                            "Move it to its place in the region (WGS84 longitude and latitude), or remove the "
                            "feature.",
                            "请将其移到本区域内的位置（WGS84 经纬度），或删除该要素。", "outside")
    return lon, lat


def _site_priority(path, n: int, props: dict) -> int | None:
    """Feature ``n``'s priority: a whole number from 1, or None when it has none (numbered by the caller)."""
    p = props.get("priority")
    if p is None:
        return None
    if isinstance(p, (int, float)) and not isinstance(p, bool) and math.isfinite(p) and float(p).is_integer() \
            and 1 <= p <= MAX_PRIORITY:
        return int(p)
    shown = _shown(json.dumps(p, ensure_ascii=False) if isinstance(p, str) else p)  # text in its quotes
    raise _site_problem(path, n, props, f"has the priority {shown}, which is not a whole number from 1 "
                        "(the order in which to build: 1, 2, 3...).",
                        f"的优先序（priority）为 {shown}，不是 1 及以上的整数（建设先后顺序：1、2、3……）。",
                        "Write a whole number such as 3 (without quotes), or leave priority out: the site is then "
                        "numbered after the others.",
                        "请填写整数（如 3，不加引号），或删去 priority：该站点将排在其他站点之后。", "priority")


def _proposal_type(path, key, what_en: str, what_zh: str) -> None:
    """A facility type a proposal file names, refused in get_type's words when this installation has none of
    that key (QA 33: `targets` dropped its sites without a word while `map` refused them)."""
    from geo.errors import UnknownTypeError

    if not isinstance(key, str) or not key.strip():
        raise InputDataError(f"{path}: the proposal names no facility type ({what_en} is {_shown(key)}).",
                             f"{path}：方案未写明设施类型（{what_zh}为 {_shown(key)}）。",
                             hint_en="Use the file as `coverplan propose --out` wrote it.",
                             hint_zh="请使用 `coverplan propose --out` 输出的原文件。",
                             details={"parameter": "proposal", "file": str(path), "check": "type"})
    try:
        get_type(key)
    except UnknownTypeError as exc:
        raise InputDataError(f"{path}: the proposal's facility type ({what_en}): {exc.en}",
                             f"{path}：方案的设施类型（{what_zh}）：{exc.zh}",
                             hint_en="Write one of the known types, or use the file as `coverplan propose --out` "
                                     "wrote it.",
                             hint_zh="请改为可用类型之一，或使用 `coverplan propose --out` 输出的原文件。",
                             details={"parameter": "proposal", "file": str(path), "check": "type",
                                      "known": exc.details.get("known")}) from None


def load_proposal_sites(path, region=None) -> dict:
    """Read a proposal GeoJSON written by ``coverplan propose --out`` back as ``{type, sites, kind, role,
    dataset_version, file, unnumbered, name, auto_name}``.

    A file edited by hand is checked feature by feature (QA 33): each is a Point (a MultiPoint of one point is
    read as its point) with finite coordinates in the region's bounds (``region``: a :class:`Region`, its name or
    a list of names, any of them; None: only a longitude and latitude), a swapped longitude and latitude said as
    swapped; ``priority`` a whole number from 1, or none: such sites are numbered after the others in the file's
    order, and listed in ``unnumbered`` (``[{"feature", "name", "name_en", "priority"}]``) for the caller to say
    so. The facility type (and a conversion's role) must be one this installation knows. Anything else is an
    :class:`InputDataError` naming the file, the feature (1-based) and its name, with ``details["check"]``. The rows of ``sites`` are the
    features in the file's order; :func:`place_proposal_sites` places them in the region's townships."""
    try:
        raw = json.loads(open(path, encoding="utf-8-sig").read())
        feats = raw["features"]
        if not isinstance(feats, list) or not feats:
            raise ValueError("no features")
        meta = raw.get("coverplan") or {}
        if not isinstance(meta, dict):
            raise ValueError("coverplan is not an object")
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
        raise InputDataError(f"{path}: not a coverplan proposal GeoJSON ({exc}).",
                             f"{path}：不是 coverplan 生成的方案 GeoJSON 文件（{exc}）。",
                             hint_en="Use the file written by `coverplan propose --out FILE.geojson`.",
                             hint_zh="请使用 `coverplan propose --out 文件.geojson` 输出的文件。") from exc
    boxes = _region_boxes(region)
    clean, given, unnumbered = [], [], []
    for n, f in enumerate(feats, 1):
        if not isinstance(f, dict) or not isinstance(f.get("properties") or {}, dict):
            raise _site_problem(path, n, {}, "is not a GeoJSON feature with properties.",
                                "不是带属性（properties）的 GeoJSON 要素。",
                                "Each feature is {\"type\": \"Feature\", \"properties\": {...}, \"geometry\": {...}}.",
                                "每个要素应为 {\"type\": \"Feature\", \"properties\": {...}, \"geometry\": {...}}。",
                                "feature")
        props = dict(f.get("properties") or {})
        lon, lat = _site_point(path, n, props, f.get("geometry"), boxes)
        pr = _site_priority(path, n, props)
        given.append(pr)
        clean.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    # sites without a priority: after the others, in the file's order (said by the caller)
    nxt = max((p for p in given if p is not None), default=0)
    for n, (f, pr) in enumerate(zip(clean, given), 1):
        if pr is None:
            nxt += 1
            pr = nxt
            props = f["properties"]
            unnumbered.append({"feature": n, "name": str(props.get("name") or ""),
                               "name_en": str(props.get("name_en") or props.get("name") or ""), "priority": pr})
        f["properties"]["priority"] = pr
    gdf = gpd.GeoDataFrame.from_features(clean, crs=settings.STORAGE_CRS)
    ftype = meta.get("type")
    where = "coverplan.type"
    if ftype in (None, "") and "facility_type" in gdf:  # a file without the block: its sites' own type
        ftype, where = gdf["facility_type"].iloc[0], "facility_type"
    _proposal_type(path, ftype, where, where)
    kind = meta.get("kind", "new_sites")
    role = meta.get("role")
    if kind == "upgrade" and role not in (None, ""):  # a conversion: the type its facilities become
        _proposal_type(path, role, "coverplan.role", "coverplan.role")
    for col in ("id", "name", "township_code", "county_code"):
        if col not in gdf:
            gdf[col] = ""
    gdf["id"] = gdf["id"].astype(str)
    gdf["priority"] = gdf["priority"].astype(int)
    # an upgrade proposal (`coverplan upgrade --out`) lists existing facilities to upgrade or, with a
    # role, to convert into that type (planner.upgrades); planner.targets counts them as such
    # the data version it was solved on (None: a file written before it was recorded, QA 27)
    version = meta.get("dataset_version")
    try:
        version = int(version) if version is not None and not isinstance(version, bool) else None
    except (TypeError, ValueError, OverflowError):  # 1e999 in a hand-edited file: not a version
        version = None
    auto = meta.get("auto_name")
    auto = {k: v for k, v in auto.items() if k in ("zh", "en") and isinstance(v, str) and v.strip()} \
        if isinstance(auto, dict) else {}
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name").strip() else None
    return {"type": ftype, "sites": gdf, "kind": kind, "role": role, "dataset_version": version,
            "file": str(path), "unnumbered": unnumbered, "name": name, "auto_name": auto}


def recorded_name(prop_or_meta: dict, lang: str) -> str | None:
    """The name a proposal file records, in ``lang``: a name coverplan made (``auto_name``, both languages, as
    the web keeps a saved proposal's) in that language while the file's ``name`` is still one of them; a name
    written or edited by hand as written; None when the file records none."""
    name = prop_or_meta.get("name")
    name = name.strip() if isinstance(name, str) and name.strip() else None
    auto = prop_or_meta.get("auto_name")
    if name and isinstance(auto, dict) and name in auto.values() and isinstance(auto.get(lang), str) \
            and auto[lang].strip():
        return auto[lang]
    return name


def place_proposal_sites(prop: dict, region: Region) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """A proposal file's sites (:func:`load_proposal_sites`) placed in ``region``: a site outside the region (by
    more than a register's allowance, planner.register_checks.REGION_BUFFER_M) refused in words naming the file
    and the feature; each new site's township (and county) read from its point, not trusted from the file (QA 33:
    a site moved to Beijing still counted in the township its ``township_code`` named). Returns the sites and
    ``moved``: ``[{"feature", "name", "name_en", "recorded", "township"}]``, the sites whose recorded township was
    not their point's. An upgrade's sites are existing facilities, known by their ids: only checked in the region."""
    from planner.register_checks import RegionShapes

    sites = prop["sites"]
    if sites is None or not len(sites):
        return sites, []
    path = prop.get("file") or "proposal"
    shapes = RegionShapes(region)
    lon, lat = sites.geometry.x.to_numpy(float), sites.geometry.y.to_numpy(float)
    ok = shapes.inside(lon, lat)
    label = getattr(region, "label", None) or {}
    name_zh, name_en = label.get("zh") or region.name, label.get("en") or region.name
    if not ok.all():  # the first one outside, named
        i = int(np.flatnonzero(~ok)[0])
        props = {k: _text(sites, k, i) or None for k in ("name", "name_en")}
        raise _site_problem(path, i + 1, props,
                            f"at longitude {lon[i]:g}, latitude {lat[i]:g} lies outside the region ({name_en}).",
                            f"位于经度 {lon[i]:g}、纬度 {lat[i]:g}，不在本区域（{name_zh}）内。",
                            "Move it to its place in the region (WGS84 longitude and latitude), or remove the "
                            "feature.",
                            "请将其移到本区域内的位置（WGS84 经纬度），或删除该要素。", "outside")
    if prop.get("kind") == "upgrade":
        return sites, []
    towns = region.townships
    codes = shapes.township_of(lon, lat)
    recorded = sites["township_code"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
    moved = []
    sites = sites.copy()
    for i in np.flatnonzero(recorded != codes):
        code = str(codes[i])
        if recorded[i]:  # a code the file gave, not its point's: said (a site without one takes its point's)
            moved.append({"feature": int(i) + 1, "name": _text(sites, "name", i),
                          "name_en": _text(sites, "name_en", i), "recorded": str(recorded[i]), "township": code})
        row = sites.index[i]
        sites.loc[row, "township_code"] = code
        if code in towns.index:  # the rest of its place, from its township (names as the region gives them)
            for col, src_col in (("township_name", "name"), ("county_code", "county_code"),
                                 ("county_name", "county_name")):
                if src_col in towns and (col in sites or col == "county_code"):
                    sites.loc[row, col] = str(towns.loc[code, src_col])
    return sites, moved


def _text(frame, col: str, i: int) -> str:
    """Row ``i``'s ``col`` as text ("" where the column or the value is missing)."""
    if col not in frame:
        return ""
    v = frame[col].iloc[i]
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _equity(units: pd.DataFrame, cost_before: np.ndarray, cost_after: np.ndarray) -> dict:
    w = units["weight"].to_numpy(float)
    if w.sum() <= 0:
        w = np.ones_like(w)
    std = units["standard"].to_numpy(float)
    labels = [f"{a:g}-{b:g}" if np.isfinite(b) else f">{a:g}" for a, b in zip(EQUITY_BINS[:-1], EQUITY_BINS[1:])]

    def hist(cost):
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # a tiny standard: inf, binned last
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


# --------------------------------------------------------------------------- #
# The pipeline: validate -> build_instance -> solve_instance -> explain
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Request:
    """A checked proposal request: what :func:`validate` lets through.

    ``ftype`` already carries any service-standard override, ``model`` is a
    concrete model (never "auto") and ``p`` a positive integer for every model
    but LSCP (which chooses its own number; ``p`` is then passed on as given).
    """

    ftype: FacilityType
    model: str
    p: int | None
    mode: str = "estimate"
    time_limit: float = 60.0
    gap: float = 0.0

    def to_dict(self) -> dict:
        """The proposal's ``params`` as saved and shown."""
        f = self.ftype
        return {"type": f.key, "model": self.model, "p": self.p,
                "standard": {"urban": f.standard_urban, "rural": f.standard_rural, "unit": f.unit},
                "mode": self.mode, "time_limit": self.time_limit, "gap": self.gap}


@dataclass
class Instance:
    """The numbers a model solves: demand units (rows) x sites (columns).

    The columns are the existing facilities of the type (``is_existing``,
    kept open) followed by the candidate sites.
    """

    units: gpd.GeoDataFrame          # demand units with ``weight``, ``standard``, ``county_code``
    existing: gpd.GeoDataFrame       # the register's facilities of the type
    candidates: gpd.GeoDataFrame     # every column: existing facilities and candidate sites
    is_existing: np.ndarray          # bool per column
    costs: np.ndarray                # travel cost per (unit, column) in the type's unit; inf = unreachable
    is_estimate: bool                # costs are straight-line estimates, not road times
    cover: np.ndarray                # bool per (unit, column): the column covers the unit under the type's rule
    weights: np.ndarray              # demand weight per unit
    groups: np.ndarray               # township code per column ("" when unknown)
    group_max: dict | None = None    # {township: 1} for one-per-township types, else None
    marks: np.ndarray | None = None  # per column: the planner's "required" / "forbidden" mark, or ""
    marks_unmatched: list | None = None  # marks naming no candidate of this type

    def mark_kw(self) -> dict:
        """The models' ``required``/``forbidden`` arguments from the planner's marks."""
        if self.marks is None or not (self.marks != "").any():
            return {}
        return {"required": self.marks == "required", "forbidden": self.marks == "forbidden"}

    def group_kw(self) -> dict:
        """The models' ``groups``/``group_max`` arguments (none when the type sets no limit)."""
        return {} if self.group_max is None else {"groups": self.groups, "group_max": self.group_max}


def effective_model(model: str | None, ftype: FacilityType, p: int | None) -> str:
    """The model "auto" stands for: the type's default, but a coverage-for-all default
    (LSCP) becomes MCLP when the planner asked for a number of sites (``p``)."""
    if model not in (None, "auto"):
        return model
    if ftype.default_model == "lscp" and p is not None:
        return "mclp"
    return ftype.default_model


def validate(type_key: str | FacilityType, *, model: str = "auto", p: int | None = None,
             standard: float | dict | None = None, mode: str = "estimate", time_limit: float = 60.0,
             gap: float = 0.0) -> Request:
    """Check the request: the type, the model, a standard override and the number of sites.

    Raises :class:`UnknownTypeError` for an unknown type and
    :class:`InputDataError` (both languages) for an unknown model, a standard
    that is not positive, or a ``p`` that is not a positive integer.
    """
    ftype = type_key if isinstance(type_key, FacilityType) else get_type(type_key)
    model = effective_model(model, ftype, p)
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
        if not (urb > 0 and rur > 0 and math.isfinite(urb) and math.isfinite(rur)):  # inf ended in a traceback
            raise InputDataError(f"The service standard must be a finite number > 0 (got {standard!r}).",
                                 f"服务标准必须为大于0的有限数（当前 {standard!r}）。",
                                 hint_en="Give it in the type's unit, e.g. --standard 30 (minutes) or 3000 (metres).",
                                 hint_zh="请按该设施类型的单位填写，如 --standard 30（分钟）或 3000（米）。")
        ftype = dataclasses.replace(ftype, standard_urban=urb, standard_rural=rur)
    if model == "lscp" and p is not None:  # full coverage decides the number: a p given was dropped
        raise InputDataError(f"Model lscp takes no number of sites (got {p!r}): full coverage decides it.",
                             f"lscp 模型不需要指定站点数（当前 {p!r}）：由全覆盖自行决定。",
                             hint_en="Leave --p out, or choose mclp or pmedian for a fixed number of sites.",
                             hint_zh="请去掉 --p；如需指定站点数，请选择 mclp 或 pmedian。",
                             details={"parameter": "p", "value": str(p)})
    if model != "lscp":
        p = ftype.default_p if p is None else p
        if not isinstance(p, (int, np.integer)) or p < 1:
            raise InputDataError(f"The number of sites must be a positive integer (got {p!r}).",
                                 f"新建设施数量必须为正整数（当前 {p!r}）。")
    return Request(ftype=ftype, model=model, p=p, mode=mode, time_limit=time_limit, gap=gap)


def build_instance(region: Region, req: Request, *, graph=None, travel_params=None,
                   facilities: gpd.GeoDataFrame | None = None,
                   say: Callable[[float, str], None] | None = None,
                   should_stop: Callable[[], bool] | None = None) -> Instance:
    """Demand units, existing facilities and candidates, travel costs and the cover matrix.

    Reports "demand and candidates" (0.05) and "travel costs" (0.15) and
    polls ``should_stop`` after each.
    """
    say = say or (lambda f, m: None)
    ftype = req.ftype
    say(0.05, "demand and candidates")
    units = demand_units(region, ftype)
    existing = existing_facilities(region, ftype, facilities)
    cands = candidate_sites(region, ftype, existing)
    marks, unmatched = site_marks(region, ftype, cands)
    _check(should_stop)

    say(0.15, "travel costs")
    costs, is_estimate = unit_costs(units, cands, ftype, mode=req.mode, graph=graph, params=travel_params)
    cover = covered_matrix(units, cands, ftype, costs)
    _check(should_stop)

    groups = cands["township_code"].fillna("").to_numpy(str)
    return Instance(units=units, existing=existing, candidates=cands,
                    is_existing=cands["existing"].to_numpy(bool), costs=costs, is_estimate=is_estimate,
                    cover=cover, weights=units["weight"].to_numpy(float), groups=groups,
                    group_max={g: 1 for g in np.unique(groups)} if ftype.one_per_township else None,
                    marks=marks, marks_unmatched=unmatched)


def build_model(inst: Instance, req: Request):
    """The request's location model on the instance, ready to ``solve()``.

    May raise :class:`InfeasibleError` already here (e.g. more sites asked
    than there are candidates).
    """
    p, group_kw = req.p, {**inst.group_kw(), **inst.mark_kw()}
    if req.model in ("lscp", "mclp"):
        # coverage models see 0 where a site covers a unit and inf elsewhere, with radius 0: the
        # type's rule (per-unit standard, or "inside") is then exactly the model's coverage
        cover_cost = np.where(inst.cover, 0.0, np.inf)
        if req.model == "lscp":
            return LSCP.from_cost_matrix(cover_cost, radius=0.0, existing=inst.is_existing, **group_kw)
        return MCLP.from_cost_matrix(cover_cost, radius=0.0, p=int(p), weights=inst.weights,
                                     existing=inst.is_existing, **group_kw)
    if req.model == "pmedian":
        return PMedian.from_cost_matrix(inst.costs, p=int(p), weights=np.maximum(inst.weights, 1e-9),
                                        existing=inst.is_existing, **group_kw)
    return PCenter.from_cost_matrix(inst.costs, p=int(p), existing=inst.is_existing, **group_kw)


def solve_instance(inst: Instance, req: Request, *, say: Callable[[float, str], None] | None = None,
                   should_stop: Callable[[], bool] | None = None):
    """Build and solve the model; return its result (``selected``, ``status``, ``objective`` ...).

    The model's own progress is mapped into :data:`SOLVE_SPAN`. An
    infeasible model is re-raised naming the villages/seats concerned; one
    that failed because the solve was stopped becomes :class:`Cancelled`.
    """
    say = say or (lambda f, m: None)
    say(SOLVE_SPAN[0], f"solving {req.model}")
    try:
        m = build_model(inst, req)
        _check(should_stop)
        res = m.solve(time_limit=req.time_limit, gap=req.gap, should_stop=should_stop,
                      progress=_solve_progress(say, req.model))
    except InfeasibleError as exc:
        _check(should_stop)   # "no solution in time" from a solve we stopped is a cancel
        # the models name demand rows by index: say which villages/seats they are
        off_network = None if inst.is_estimate else ~np.isfinite(inst.costs).any(axis=1)
        err = readable_infeasible(exc, req.ftype, req.model, inst.units, req.p, off_network=off_network)
        n_forbidden = int((inst.marks == "forbidden").sum()) if inst.marks is not None else 0
        n_required = int((inst.marks == "required").sum()) if inst.marks is not None else 0
        if n_forbidden or n_required:  # the planner's marks may be why: say so next to the cause
            err.hint_en = (err.hint_en + f" The planner's marks apply: {n_required} required and "
                           f"{n_forbidden} forbidden candidate sites; clearing some may make it solvable.").strip()
            err.hint_zh += (f"（本方案遵守规划标记：必选 {n_required} 个、禁选 {n_forbidden} 个候选点；"
                            "取消部分标记可能使问题有解。）")
            err.details["site_marks"] = {"required": n_required, "forbidden": n_forbidden}
        raise err from exc
    _check(should_stop)
    return res


@dataclass
class Outcome:
    """Coverage and cost per demand unit before and after the chosen sites (in priority order)."""

    order: np.ndarray          # chosen columns, build-first first
    added_weight: np.ndarray   # per chosen site, newly covered weight in that order
    added_units: np.ndarray
    cost_saving: np.ndarray
    base_cover: np.ndarray     # per unit, covered by existing facilities alone
    base_cost: np.ndarray      # per unit, cost to the nearest existing facility
    open_idx: np.ndarray       # existing columns then the chosen ones
    after_cover: np.ndarray
    after_cost: np.ndarray
    serving: np.ndarray        # per unit, the nearest open column (-1 when nothing is open)


def outcome(inst: Instance, model: str, selected) -> Outcome:
    """Prioritise the chosen sites and evaluate every unit before and after."""
    n, costs, cover, is_existing = len(inst.units), inst.costs, inst.cover, inst.is_existing
    base_cover = cover[:, is_existing].any(axis=1) if is_existing.any() else np.zeros(n, bool)
    base_cost = costs[:, is_existing].min(axis=1) if is_existing.any() else np.full(n, np.inf)
    order, add_w, add_u, saving = _priority(model, np.asarray(selected, int), cover, costs, inst.weights,
                                            base_cover, base_cost)
    open_idx = np.concatenate([np.flatnonzero(is_existing), order])
    after_cost = costs[:, open_idx].min(axis=1) if len(open_idx) else np.full(n, np.inf)
    serving = open_idx[np.argmin(costs[:, open_idx], axis=1)] if len(open_idx) else np.full(n, -1)
    after_cover = cover[:, open_idx].any(axis=1) if len(open_idx) else np.zeros(n, bool)
    return Outcome(order=order, added_weight=add_w, added_units=add_u, cost_saving=saving,
                   base_cover=base_cover, base_cost=base_cost, open_idx=open_idx,
                   after_cover=after_cover, after_cost=after_cost, serving=serving)


def _nearest_existing(chosen: gpd.GeoDataFrame, inst: Instance, req: Request, *, graph=None,
                      travel_params=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(id, name, travel cost) of the existing facility nearest to each proposed site."""
    if not (len(inst.existing) and len(chosen)):
        return np.full(len(chosen), None), np.full(len(chosen), None), np.full(len(chosen), np.inf)
    ex_pts = inst.candidates.loc[inst.is_existing]
    # the distance coverage measures (planner.coverage.unit_travel: its method, and the site's place urban or
    # rural), not the rural detour and speed: QA 36, an urban day-care site's was 23% longer than coverage's
    # figure, beside a 1 km standard
    here = chosen if "urban" in chosen else chosen.assign(urban=False)
    d, _, _ = unit_travel(here, ex_pts, req.ftype, mode=req.mode, graph=graph, params=travel_params)
    k = np.argmin(d, axis=1)
    cost = d[np.arange(len(chosen)), k]
    # a site that reaches no existing facility (off the road network) has no nearest one: argmin over
    # an all-inf row would name the register's first facility
    reached = np.isfinite(cost)
    ids = np.where(reached, ex_pts["id"].to_numpy()[k], None)
    names = np.where(reached, ex_pts["name"].to_numpy()[k], None)
    return ids, names, cost


def _served(inst: Instance, out: Outcome) -> tuple[list, list, list, list]:
    """Per chosen site: units and weight it serves, its farthest cost, and how many of them stay uncovered."""
    served_units, farthest, served_weight, beyond = [], [], [], []
    for j in out.order:
        mine = out.serving == j
        served_units.append(int(mine.sum()))
        served_weight.append(float(inst.weights[mine].sum()))
        farthest.append(float(out.after_cost[mine].max()) if mine.any() else None)
        # served by this site yet uncovered: beyond the standard (or, for "inside"
        # types, no facility inside the unit's area)
        beyond.append(int((mine & ~out.after_cover).sum()))
    return served_units, farthest, served_weight, beyond


def sites_table(req: Request, inst: Instance, out: Outcome, *, graph=None,
                travel_params=None) -> gpd.GeoDataFrame:
    """One row per proposed site in priority order, with its numbers and its reason in both languages."""
    ftype = req.ftype
    chosen = inst.candidates.iloc[out.order].reset_index(drop=True)
    near_id, near_name, near_cost = _nearest_existing(chosen, inst, req, graph=graph,
                                                      travel_params=travel_params)
    served_units, farthest, served_weight, beyond = _served(inst, out)

    sites = gpd.GeoDataFrame({
        "priority": np.arange(1, len(chosen) + 1),
        "id": [f"proposed-{ftype.key}-{i:03d}" for i in range(1, len(chosen) + 1)],
        "name": [ftype.site_name(n.replace('驻地', '')) for n in chosen["name"]],
        "name_en": [ftype.site_name_en(n.replace('驻地', '')) for n in chosen["name"]],
        "candidate_id": chosen["id"].values, "candidate_name": chosen["name"].values,
        "township_code": chosen["township_code"].values, "township_name": chosen["township_name"].values,
        "county_code": chosen["county_code"].values, "county_name": chosen["county_name"].values,
        "added_weight": out.added_weight.round(1), "added_units": out.added_units,
        "cost_saving": out.cost_saving.round(1),
        "served_units": served_units, "served_weight": np.round(served_weight, 1),
        "farthest_cost": [None if f is None or not np.isfinite(f) else round(f, 2) for f in farthest],
        "nearest_existing_id": near_id, "nearest_existing_name": near_name,
        "nearest_existing_cost": [None if not np.isfinite(c) else round(float(c), 2) for c in near_cost],
        "beyond_standard_units": beyond,
        "cost_unit": ftype.unit, "weight_field": ftype.weight,
    }, geometry=chosen.geometry.values, crs=settings.STORAGE_CRS)
    sites["reason_zh"], sites["reason_en"] = site_reasons(ftype, req.model, sites, n_existing=len(inst.existing),
                                                          reaches=inst.cover[:, out.order].any(axis=0))
    marked = (inst.marks[out.order] == "required") if inst.marks is not None else np.zeros(len(sites), bool)
    sites["planner_mark"] = np.where(marked, "required", "")
    # a required site is chosen because the planner said so: the reason must say that first
    sites.loc[marked, "reason_zh"] = "规划人员标为必选。" + sites.loc[marked, "reason_zh"]
    sites.loc[marked, "reason_en"] = "Marked required by the planner. " + sites.loc[marked, "reason_en"]
    return sites


def _by_county(region: Region, inst: Instance, out: Outcome, sites: gpd.GeoDataFrame) -> list[dict]:
    """Covered share per county before and after, and the new sites in each."""
    w, rows = inst.weights, []
    names_en = county_names_en(region.counties)
    for code, name in region.counties["name"].items():
        sel = (inst.units["county_code"] == code).to_numpy()
        if not sel.any():
            continue
        b = summarize(w[sel], out.base_cover[sel], out.base_cost[sel])
        a = summarize(w[sel], out.after_cover[sel], out.after_cost[sel])
        rows.append({"county_code": code, "county_name": name, "county_name_en": names_en[code],
                     "weight": b["weight"],
                     "covered_share_before": b["covered_share"], "covered_share_after": a["covered_share"],
                     "new_sites": int((sites["county_code"] == code).sum())})
    return rows


def _units_after(inst: Instance, out: Outcome, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each demand unit's cost and coverage before/after, and the facility serving it after."""
    units_after = inst.units.drop(columns="area").copy()
    units_after["cost_before"], units_after["cost_after"] = out.base_cost, out.after_cost
    units_after["covered_before"], units_after["covered_after"] = out.base_cover, out.after_cover
    # the facility serving each unit after the proposal (existing id, or the proposed site's id)
    site_ids = inst.candidates["id"].to_numpy(object).copy()
    site_ids[out.order] = sites["id"].to_numpy(object)
    units_after["serving_id"] = [site_ids[j] if j >= 0 else None for j in out.serving]
    return units_after


def explain(region: Region, req: Request, inst: Instance, res, *, graph=None, travel_params=None,
            started: float | None = None) -> Proposal:
    """Turn the model's chosen sites into the proposal a planner reads.

    Priorities, coverage after, the nearest existing facility of each site,
    units served and beyond the standard, reasons in both languages, why the
    rest stays uncovered, citywide and per-county before/after and the
    travel-cost distribution. ``started`` (``time.perf_counter()`` at the
    start) gives ``solver.seconds.total_with_costs``.
    """
    ftype, is_existing = req.ftype, inst.is_existing
    out = outcome(inst, req.model, res.selected)
    # a model asked for p sites picks p even when fewer can add anything (a road network reaching a few
    # villages): a site that newly covers no unit and is nearest to none is no proposal to build; it is
    # left out and said so (a required site stays: the planner asked for it)
    required = (inst.marks[out.order] == "required") if inst.marks is not None else np.zeros(len(out.order), bool)
    serves = np.array([(out.serving == j).any() for j in out.order], bool)
    idle = (out.added_units == 0) & ~serves & ~required
    # when none adds anything (a network reaching no village), the sites stay, each saying it covers no
    # unit, and the explanation says why: a proposal of no site would answer nothing
    idle &= bool((~idle).any())
    if req.model != "lscp" and idle.any():
        out = outcome(inst, req.model, out.order[~idle])
    sites = sites_table(req, inst, out, graph=graph, travel_params=travel_params)
    off_network = None if inst.is_estimate else ~np.isfinite(inst.costs).any(axis=1)
    explanation = uncovered_explanation(ftype, req.model, req.p, inst.units, inst.cover, is_existing,
                                        out.order, inst.groups, out.after_cover, off_network=off_network,
                                        marks=inst.marks)
    if req.model != "lscp" and idle.any():
        n, k = int(idle.sum()), len(out.order)
        explanation = {**explanation, "idle_sites": n,
                       "explanation_zh": f"只有 {k} 处新址能增加覆盖或服务需求单元；另有 {n} 处候选点不能，未列为新址。"
                                         + explanation.get("explanation_zh", ""),
                       "explanation_en": f"Only {k} new {'site adds' if k == 1 else 'sites add'} coverage or "
                                         f"{'serves' if k == 1 else 'serve'} a demand unit; {n} more "
                                         f"{'candidate does' if n == 1 else 'candidates do'} not and "
                                         f"{'is' if n == 1 else 'are'} left out. "
                                         + explanation.get("explanation_en", "")}
    if req.model in ("mclp", "pcenter") and len(out.base_cover) and bool(np.all(out.base_cover)):
        # everyone already within the standard: a coverage model still places its p sites, each "+0 covered",
        # and the page said nothing (QA 21, a county planner's proposal); the sites only shorten journeys
        explanation = {**explanation, "already_covered": True,
                       "explanation_zh": "按此服务标准，范围内的需求单元在新建前已全部覆盖，新址不增加覆盖，只缩短出行时间。"
                                         "可减少站点数，或改用 p-median 模型按出行时间选址。"
                                         + explanation.get("explanation_zh", ""),
                       "explanation_en": "Every demand unit in scope is already covered at this standard, so the new "
                                         "sites add no coverage and only shorten journeys. Ask for fewer sites, or "
                                         "use the p-median model to place them by travel time. "
                                         + explanation.get("explanation_en", "")}

    before = summarize(inst.weights, out.base_cover, out.base_cost)
    after = summarize(inst.weights, out.after_cover, out.after_cost)
    before["facilities"], after["facilities"] = int(is_existing.sum()), int(is_existing.sum() + len(out.order))
    by_county = _by_county(region, inst, out, sites)
    units_after = _units_after(inst, out, sites)
    started = time.perf_counter() if started is None else started
    solver = {"model": res.model, "status": res.status, "objective": float(res.objective),
              "mip_gap": float(res.mip_gap), "seconds": {**res.seconds,
                                                          "total_with_costs": round(time.perf_counter() - started, 3)},
              "candidates": int((~is_existing).sum()), "existing": int(is_existing.sum()),
              "demand_units": int(len(inst.units))}
    solver.update(res.engine_fields())   # SCIP or HiGHS for the covering models
    params = req.to_dict()
    if inst.marks is not None:
        params["site_marks"] = {"required": int((inst.marks == "required").sum()),
                                "forbidden": int((inst.marks == "forbidden").sum()),
                                "unmatched": list(inst.marks_unmatched or [])}
    return Proposal(ftype=ftype, params=params, sites=sites, before=before, after=after,
                    by_county=by_county, equity=_equity(inst.units, out.base_cost, out.after_cost),
                    solver=solver, is_estimate=inst.is_estimate, units_after=units_after,
                    explanation=explanation, synthetic_inputs=_synthetic(inst))


def _synthetic(inst: Instance) -> bool:
    """Whether anything the proposal was solved on is synthetic or approximate (示意): the demand
    units (synthetic villages, approximate townships, or the derived populations they weigh: QA 36, as the
    capacity analysis says of them), the register, or the candidate sites."""
    u = inst.units
    if "population_derived" in u and len(u) and bool(u["population_derived"].fillna(True).astype(bool).any()):
        return True
    return any(bool(df["synthetic"].fillna(True).astype(bool).any())
               for df in (inst.units, inst.existing, inst.candidates) if "synthetic" in df and len(df))


def county_map_figure(coverage, county: str | None) -> dict | None:
    """The coverage map's figure for ``county``: its row of ``coverage.by_county`` (a :class:`Coverage` of the
    whole city, as the coverage map and /api/coverage/<type> give it, where villages reached from a neighbouring
    county's facility count too), with the standard it was measured at. None without a county or a row."""
    by = getattr(coverage, "by_county", None)
    if not county or by is None or not len(by):
        return None
    rows = by[by.index.astype(str) == str(county)]
    if not len(rows):
        return None
    r = rows.iloc[0]

    def num(key, kind=float):
        v = r.get(key)
        return kind(v) if v is not None and pd.notna(v) and math.isfinite(float(v)) else None
    ft = coverage.ftype
    return {"county": str(county), "covered_share": num("covered_share"), "covered_weight": num("covered_weight", int),
            "weight": num("weight", int), "covered_units": num("covered_units", int), "units": num("units", int),
            "mode": coverage.mode, "standard": {"urban": ft.standard_urban, "rural": ft.standard_rural}}


def county_scope_summary(summary: dict, facilities: pd.DataFrame, county: str | None,
                         map_figure: dict | None = None) -> dict:
    """A county proposal's before/after in the county's terms throughout (in place; returned).

    Its coverage already is (the demand units of the county, served by the county's own facilities:
    FacilityType.county_scope), so the facility counts are the county's too: ``facilities`` (the
    type's existing facilities, with ``county_code``) in the county, plus the new sites there.
    ``scope`` names the county (the page and the brief label the table with it). ``map_figure``
    (:func:`county_map_figure`: the coverage map's figure for the county, which counts a neighbouring
    county's facilities too) is kept as ``scope_map``, for the page and the brief to give beside the
    "before" (QA 34). Without a county: unchanged.
    """
    if not county:
        return summary
    if map_figure and str(map_figure.get("county")) == str(county):
        summary["scope_map"] = map_figure
    here = int(facilities["county_code"].astype(str).eq(county).sum()) if "county_code" in facilities else 0
    new = sum(1 for x in summary.get("sites") or [] if str(x.get("county_code")) == county)
    for key, n in (("before", here), ("after", here + new)):
        if isinstance(summary.get(key), dict) and "facilities" in summary[key]:
            summary[key]["facilities"] = int(n)
    summary["scope"] = county
    return summary


def propose(region: Region, type_key: str | FacilityType, *, model: str = "auto", p: int | None = None,
            standard: float | dict | None = None, mode: str = "estimate", graph=None, params=None,
            facilities: gpd.GeoDataFrame | None = None, time_limit: float = 60.0, gap: float = 0.0,
            progress: Callable[[float, str], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> Proposal:
    """Propose new sites for a facility type.

    The steps, each usable alone: :func:`validate` → :func:`build_instance`
    → :func:`solve_instance` → :func:`explain`.

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
    params : EstimateParams, optional
        Travel-cost parameters (detour factors, speeds).
    facilities : GeoDataFrame, optional
        The existing register (default: the region's sample register, 示意).
    progress : callable(fraction, message), optional
        Called as the work advances.
    should_stop : callable() -> bool, optional
        Polled between stages; a True answer raises :class:`Cancelled`.
    """
    t0 = time.perf_counter()
    say = progress or (lambda f, m: None)
    req = validate(type_key, model=model, p=p, standard=standard, mode=mode, time_limit=time_limit, gap=gap)
    inst = build_instance(region, req, graph=graph, travel_params=params, facilities=facilities,
                          say=say, should_stop=should_stop)
    res = solve_instance(inst, req, say=say, should_stop=should_stop)
    say(0.85, "rationale")
    proposal = explain(region, req, inst, res, graph=graph, travel_params=params, started=t0)
    say(1.0, "done")
    return proposal
