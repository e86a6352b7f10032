"""Coverage of a facility type: who is reached within the standard, and who is left out.

Every demand unit gets its nearest facility and the travel cost to it; a unit
is covered under the type's rule ("within" the standard, or a facility
"inside" its area). Aggregates by township, county and citywide use the type's
demand weight, so covered shares are shares of people (or of units when the
weight is "units").
"""
from __future__ import annotations

import dataclasses
import math
import re

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.errors import InputDataError
from geo.regions import Region
from geo.travel import EstimateParams, travel_costs
from planner.facility_types import FacilityType, get_type
from planner.sites import demand_units

QUANTILES = (0.5, 0.75, 0.9, 0.95, 1.0)
QUANTILE_KEYS = tuple(f"p{int(q * 100)}" for q in QUANTILES)


def existing_facilities(region: Region, ftype: FacilityType,
                        register: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Facilities of ``ftype`` from a register (the region's sample register by default)."""
    reg = region.facilities if register is None else register
    out = reg[reg["facility_type"] == ftype.key].copy()
    if ftype.county_scope and "county_code" in out:
        # a county's proposal counts its own facilities, as its counts, its upgrades and the form's hint
        # say: a neighbour's complex across the border is that county's to plan (QA 23)
        out = out[out["county_code"].astype(str) == ftype.county_scope]
    if "synthetic" not in out:
        out["synthetic"] = False
    return out


def unit_costs(units: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, ftype: FacilityType, *,
               mode: str = "estimate", graph=None, params=None) -> tuple[np.ndarray, bool]:
    """Dense (units x sites) travel costs in the type's unit; and whether they are estimates."""
    costs, is_estimate, _ = unit_travel(units, sites, ftype, mode=mode, graph=graph, params=params)
    return costs, is_estimate


def unit_travel(units: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, ftype: FacilityType, *,
                mode: str = "estimate", graph=None, params=None) -> tuple[np.ndarray, bool, str]:
    """:func:`unit_costs` and the engine that computed them ("estimate", "ch" or "scipy")."""
    if len(sites) == 0:
        return np.full((len(units), 0), np.inf), mode == "estimate", "estimate" if mode == "estimate" else "none"
    if params is None and mode == "estimate":
        # planar UTM distance: within 0.1% of geodesic over a 200 km region, and an
        # order of magnitude faster on the village x site matrices used here
        params = EstimateParams(method="projected")
    tm = travel_costs(units.geometry, sites.geometry, mode=mode, unit=ftype.unit, graph=graph,
                      urban=units["urban"].to_numpy(bool), params=params)
    return np.asarray(tm.to_dense(), dtype=float), tm.is_estimate, tm.engine


def inside_matrix(units: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> np.ndarray:
    """Boolean (units x sites): the site lies in the unit's area polygon."""
    out = np.zeros((len(units), len(sites)), dtype=bool)
    if len(sites) == 0 or len(units) == 0:
        return out
    tree = shapely.STRtree(sites.geometry.values)
    u_idx, s_idx = tree.query(units["area"].values, predicate="contains")
    out[u_idx, s_idx] = True
    return out


def covered_matrix(units: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, ftype: FacilityType,
                   costs: np.ndarray) -> np.ndarray:
    """Boolean (units x sites): the site covers the unit under the type's rule. A site with a ``reach_factor``
    (a facility upgraded, :func:`upgrade_reach_factors`) reaches that many times the standard."""
    if ftype.rule == "inside":
        return inside_matrix(units, sites)
    std = units["standard"].to_numpy(float)[:, None]
    if "reach_factor" in sites and len(sites):
        std = std * pd.to_numeric(sites["reach_factor"], errors="coerce").fillna(1.0).to_numpy(float)[None, :]
    return costs <= std


def upgrade_reach_factors(sites: pd.DataFrame) -> np.ndarray:
    """Per row of a proposal's sites: how many times the standard it reaches once upgraded, NaN for a row that is
    not an upgraded facility (a new site; a converted one, which reaches its new type's standard).

    An upgrade's chosen facilities say it by ``reach_factor`` (web.proposals.sites_gdf), or by the reaches
    planner.upgrades gives them, ``reach_after`` / ``reach_before`` (the GeoJSON `coverplan upgrade --out` and a
    saved upgrade's download write): the upgraded map drew them at the normal reach (QA 34)."""
    n = len(sites)
    out = np.full(n, np.nan)
    if not n:
        return out
    if "reach_factor" in sites:
        out = pd.to_numeric(sites["reach_factor"], errors="coerce").to_numpy(float)
    if "reach_before" in sites and "reach_after" in sites:
        before = pd.to_numeric(sites["reach_before"], errors="coerce").to_numpy(float)
        after = pd.to_numeric(sites["reach_after"], errors="coerce").to_numpy(float)
        ok = np.isfinite(before) & np.isfinite(after) & (before > 0) & (after > 0)
        ratio = np.divide(after, before, out=np.full(n, np.nan), where=ok)
        out = np.where(np.isfinite(out), out, ratio)
    return np.where(np.isfinite(out) & (out > 0), out, np.nan)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs=QUANTILES) -> list[float | None]:
    """Quantiles of ``values`` where each value counts ``weights`` times (inf kept)."""
    if len(values) == 0 or weights.sum() <= 0:
        return [None for _ in qs]
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order].astype(float)
    cum = np.cumsum(w) / w.sum()
    out = []
    for q in qs:
        x = v[min(np.searchsorted(cum, q - 1e-12), len(v) - 1)]
        out.append(None if not np.isfinite(x) else round(float(x), 2))
    return out


def summarize(weight: np.ndarray, covered: np.ndarray, cost: np.ndarray) -> dict:
    """Units, weights, covered shares and the cost distribution of a set of units."""
    w = weight.astype(float)
    total = float(w.sum())
    cov_w = float(w[covered].sum())
    finite = np.isfinite(cost)
    mean = float((w[finite] * cost[finite]).sum() / w[finite].sum()) if w[finite].sum() > 0 else None
    return {
        "units": int(len(w)), "covered_units": int(covered.sum()),
        "uncovered_units": int((~covered).sum()),
        "weight": int(round(total)), "covered_weight": int(round(cov_w)),
        "covered_share": (cov_w / total) if total > 0 else (float(covered.mean()) if len(w) else None),
        "unit_share": float(covered.mean()) if len(w) else None,
        "mean_cost": None if mean is None else round(mean, 2),
        "cost_quantiles": dict(zip(QUANTILE_KEYS,
                                   weighted_quantiles(cost, w if total > 0 else np.ones_like(w)))),
        "unreachable_units": int((~finite).sum()),
    }


@dataclass
class Coverage:
    """Result of :func:`analyse_coverage`.

    Attributes
    ----------
    units : GeoDataFrame
        One row per demand unit: ids, township, county, weight, standard,
        ``nearest_id``/``nearest_name``, ``cost`` (inf when nothing is reachable),
        ``covered``.
    facilities : GeoDataFrame
        The facilities counted (``proposed`` marks sites added by a proposal).
    by_township, by_county : DataFrame
        Aggregates indexed by code.
    summary : dict
        Citywide figures.
    """

    ftype: FacilityType
    units: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    by_township: pd.DataFrame
    by_county: pd.DataFrame
    summary: dict
    mode: str
    is_estimate: bool
    worst: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the type's register is still the synthetic sample: "none of this type" says nothing about the
    #: real facilities, so a type with none is 示意 too (QA 19: it was reported as not synthetic)
    register_sample: bool = False
    #: what computed the travel costs: "estimate", "ch" (contraction hierarchy) or "scipy" (Dijkstra)
    engine: str = "estimate"

    @property
    def facilities_synthetic(self) -> bool:
        """The facilities counted are (or the register they come from is) the synthetic sample."""
        f = self.facilities
        return bool(self.register_sample or (len(f) and f["synthetic"].astype(bool).any()))

    @property
    def population_derived(self) -> bool:
        """The people it counts (a population-weighted type's) are derived figures, not counts (示意): the rule
        the capacity analysis applies (planner.sites.population_derived), per demand unit."""
        u = self.units
        return bool("population_derived" in u and u["population_derived"].fillna(True).astype(bool).any())

    @property
    def synthetic_inputs(self) -> bool:
        """Anything it is measured on is synthetic or approximate (示意): the demand units' places or the people they
        count (QA 36: official village points with derived populations were reported as counts), or the facilities."""
        return bool(self.units["synthetic"].any() or self.population_derived or self.facilities_synthetic)

    def to_dict(self, *, lang: str = "zh", units: bool = False) -> dict:
        out = {
            "type": self.ftype.key, "type_name": self.ftype.name(lang),
            "standard": self.ftype.to_dict()["standard"], "rule": self.ftype.rule,
            "mode": self.mode, "is_estimate": self.is_estimate, "engine": self.engine,
            "cost_unit": self.ftype.unit,
            "citywide": self.summary,
            "by_county": records(self.by_county),
            "by_township": records(self.by_township),
            "worst_served": records(self.worst),
            "facilities": int(len(self.facilities)),
            "synthetic_inputs": self.synthetic_inputs,
            "facilities_synthetic": self.facilities_synthetic,
            "population_derived": self.population_derived,
        }
        if units:
            out["units"] = records(self.units.drop(columns=["geometry", "area"]))
        return out


def records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: inf/NaN become None, numpy scalars plain Python."""
    out = []
    for rec in df.reset_index(drop=df.index.name is None).to_dict("records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, float) and not np.isfinite(v):
                v = None
            clean[str(k)] = v
        out.append(clean)
    return out


def check_county(region, county) -> str:
    """``county`` as a county code of ``region``, or an InputDataError listing the counties (a planner
    function's ``county``: beds, upgrades)."""
    if str(county) in region.counties.index:
        return str(county)
    known_en = ", ".join(f"{n} ({c})" for c, n in county_names_en(region.counties).items())
    known_zh = "、".join(f"{n}（{c}）" for c, n in region.counties["name"].items())
    raise InputDataError(f"county {county}: no such county; give one of {known_en}.",
                         f"县区 {county} 无效：没有这个县区；请填写以下之一：{known_zh}。",
                         details={"parameter": "county", "value": str(county)})


def county_type(ft, county: str | None, region=None):
    """The facility type with its demand and candidates limited to ``county`` (None: unchanged): a county's
    proposal (the web's county scope, `coverplan propose --county`).

    A county where the type has no demand point (funeral homes outside the three counties that
    plan one, charity stations outside the scenic areas) is a 400 saying where it has demand, not
    a solver failure on an empty matrix. ``region`` (the data solved on) finds those counties.
    """
    if not county:
        return ft
    scoped = dataclasses.replace(ft, demand_counties=(county,), county_scope=county)
    if ft.demand_counties and county not in ft.demand_counties:
        where = list(ft.demand_counties)
    elif region is not None and not len(demand_units(region, scoped)):
        where = sorted(set(demand_units(region, ft)["county_code"].astype(str)))
    else:
        return scoped
    zh_names = region.counties["name"] if region is not None else {}
    en_names = county_names_en(region.counties) if region is not None else {}
    here_zh, here_en = f"{zh_names.get(county, '县区')}（{county}）", f"{en_names.get(county, 'county')} ({county})"
    only_zh = "、".join(str(zh_names.get(c, c)) for c in where) or "无"
    only_en = ", ".join(str(en_names.get(c, c)) for c in where) or "none"
    raise InputDataError(
        f"{ft.name('en')} has no demand points in {here_en}: it has demand only in {only_en}.",
        f"{ft.name('zh')}在{here_zh}没有需求点：此类设施的需求仅在{only_zh}。",
        # said to every planner alike: a city-wide one may pick those counties, a county one may not (QA 32: a
        # city-wide planner was told to leave it to "a city-wide planner")
        hint_en="Choose another facility type, or one of those counties (a county planner plans only his own "
                "county; a city-wide planner may choose any).",
        hint_zh="请选择其他设施类型，或选择上述县区（县级规划人员只能为本县制定方案，市级规划人员可选任一县区）。",
        details={"type": ft.key, "county": county, "demand_counties": where})


def county_names_en(counties: pd.DataFrame) -> pd.Series:
    """English county names by code; the Chinese name where a region has none (e.g. a hand-made one)."""
    zh = counties["name"]
    if "name_en" not in counties:
        return zh.copy()
    en = counties["name_en"].where(counties["name_en"].notna() & (counties["name_en"].astype(str).str.strip() != ""))
    return en.fillna(zh)


def code_as_number(text: str) -> str | None:
    """A six-digit code written as a whole number in another form ("420325.0", "4.20325e5") as its six digits;
    None for anything else (ASCII digits only, no leading zero: "٤٢٠٣٢٥" and "0420325" are no code)."""
    v = str(text).strip()
    if not re.fullmatch(r"[+]?[1-9][0-9]*(\.[0-9]*)?([eE][+]?[0-9]+)?", v):
        return None
    try:
        x = float(v)
    except (ValueError, OverflowError):
        return None
    return str(int(x)) if math.isfinite(x) and x == int(x) and 100000 <= x <= 999999 else None


def match_county(value, names_zh: dict, names_en: dict) -> str | None:
    """The code of the county ``value`` names, or None when it names none (or two).

    Its code, or its Chinese or English name, case and spacing aside, with or without its 县/区/市
    (County/District/City): 420325, 房县, 房, Fang County, fang. The one rule for the API's
    ``county``, the CLI's ``--county`` and an account's county (they took different spellings).
    """
    # the code written as a whole number in another form (a JSON 420325.0, the text 4.20325e5) is that code, as
    # every number the API and the CLI take (QA 31: a proposal took 4.20325e5, an account's county did not)
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    v = str(value).strip()
    if not v:
        return None
    if v in names_zh:
        return v
    code = code_as_number(v)
    if code is not None and code in names_zh:
        return code

    def keys(name: str) -> set[str]:
        n = " ".join(str(name).split()).casefold()
        short = re.sub(r"\s+(county|district|city)$", "", n)
        short = re.sub(r"(?<=.)[县区市]$", "", short)  # 房县 -> 房 too (a one-character stem; two hits are refused)
        return {n, short}

    want = " ".join(v.split()).casefold()
    hits = {code for code in names_zh if want in keys(names_zh[code]) | keys(names_en.get(code, ""))}
    return hits.pop() if len(hits) == 1 else None


def place_names_en(region) -> dict[str, str]:
    """Chinese -> English for the names that have an English form: counties ("房县": "Fang County")
    and the demand points named after them or after a township (planner/sites.py: "房县县城" -> "Fang
    County seat", "茅箭区城区", "香口乡驻地"). Other names (townships, villages, facilities) are proper names."""
    c = region.counties
    out = {}
    for z, e in zip(c["name"].astype(str), county_names_en(c).astype(str)):
        if z != e:
            out[z] = e
            out[z + ("县城" if z.endswith("县") else "城区")] = f"{e} {'seat' if z.endswith('县') else 'urban area'}"
    for town in region.townships["name"].astype(str):
        out[town + "驻地"] = f"{town} seat"
    return out


def _aggregate(units: gpd.GeoDataFrame, key: str, names: pd.Series) -> pd.DataFrame:
    rows = {}
    for code, g in units.groupby(key, sort=True):
        s = summarize(g["weight"].to_numpy(), g["covered"].to_numpy(bool), g["cost"].to_numpy(float))
        worst = g["cost"].max()
        rows[code] = {"name": names.get(code, ""), "units": s["units"], "covered_units": s["covered_units"],
                      "uncovered_units": s["uncovered_units"], "weight": s["weight"],
                      "covered_weight": s["covered_weight"], "covered_share": s["covered_share"],
                      "mean_cost": s["mean_cost"], "worst_cost": float(worst)}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = key
    return df


def _with_facility_rows(agg: pd.DataFrame, codes, names: pd.Series) -> pd.DataFrame:
    """``agg`` (:func:`_aggregate`) with a row of no demand for each place in ``codes`` (the facilities' townships
    or counties) that has a facility but no demand unit of the type (a charity station where no scenic area is):
    the rows' facilities then add up to the city's (QA 34: citywide 1 facility, townships 0)."""
    key = agg.index.name
    missing = [c for c in sorted(set(pd.Series(codes, dtype=object).dropna().astype(str)) - set(agg.index.astype(str)))
               if c in names.index]
    if not missing:
        return agg
    empty = pd.DataFrame({"name": names.reindex(missing).values, "units": 0, "covered_units": 0,
                          "uncovered_units": 0, "weight": 0, "covered_weight": 0, "covered_share": np.nan,
                          "mean_cost": np.nan, "worst_cost": np.nan}, index=pd.Index(missing, name=key))
    out = pd.concat([agg, empty]).sort_index() if len(agg) else empty
    out.index.name = key
    return out


def evaluate(units: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, ftype: FacilityType,
             costs: np.ndarray) -> gpd.GeoDataFrame:
    """Add nearest site, its cost and the covered flag to a copy of ``units``."""
    u = units.copy()
    cov = covered_matrix(units, sites, ftype, costs)
    if len(sites):
        j = np.argmin(costs, axis=1)
        c = costs[np.arange(len(u)), j]
        u["nearest_id"] = np.where(np.isfinite(c), sites["id"].to_numpy()[j], None)
        u["nearest_name"] = np.where(np.isfinite(c), sites["name"].to_numpy()[j], None)
        u["cost"] = c
        u["covered"] = cov.any(axis=1)
    else:
        u["nearest_id"], u["nearest_name"], u["cost"], u["covered"] = None, None, np.inf, False
    return u


def analyse_coverage(region: Region, type_key: str | FacilityType, *,
                     facilities: gpd.GeoDataFrame | None = None,
                     extra_sites: gpd.GeoDataFrame | None = None,
                     mode: str = "estimate", graph=None, params=None) -> Coverage:
    """Coverage of a facility type by a set of facilities.

    Parameters
    ----------
    region : Region
    type_key : str or FacilityType
    facilities : GeoDataFrame, optional
        A register with ``id, name, facility_type, township_code, county_code``
        (default: the region's sample register, 示意).
    extra_sites : GeoDataFrame, optional
        Proposed sites to count as open (``id, name, township_code, county_code``). A row that is an existing
        facility upgraded (:func:`upgrade_reach_factors`: an upgrade proposal's chosen facilities) is not a
        new site: that facility is counted once, reaching ``reach_factor`` times the standard (its service
        area too, planner.maplayers); ``facilities["upgraded"]`` marks it, ``summary["upgraded_facilities"]``
        counts them.
    mode : {"estimate", "network"}
        Straight-line estimate or road network (``graph`` then required).
    """
    ftype = type_key if isinstance(type_key, FacilityType) else get_type(type_key)
    units = demand_units(region, ftype)
    sites = existing_facilities(region, ftype, facilities)
    sites = gpd.GeoDataFrame({
        "id": sites["id"].astype(str).values, "name": sites["name"].values,
        "township_code": sites["township_code"].values, "county_code": sites["county_code"].values,
        "synthetic": sites["synthetic"].astype(bool).values, "proposed": False,
    }, geometry=sites.geometry.values, crs=settings.STORAGE_CRS)
    upgraded = bool(extra_sites is not None and len(extra_sites)
                    and np.isfinite(upgrade_reach_factors(extra_sites)).any())
    if upgraded:  # an upgrade's facilities: their reach enlarged, each counted once (QA 34: added again as new sites)
        factor = upgrade_reach_factors(extra_sites)
        ids = extra_sites["id"].astype(str).to_numpy()
        by_id = {i: f for i, f in zip(ids, factor) if np.isfinite(f)}
        sites["reach_factor"] = [by_id.get(i, 1.0) for i in sites["id"]]
        sites["upgraded"] = sites["id"].isin(list(by_id))
        # one no longer in the register (a file mapped on other data) stays a site of its own, at its reach
        keep = ~pd.Series(ids).isin(sites["id"]).to_numpy()
        extra_sites = extra_sites[keep].assign(reach_factor=np.where(np.isfinite(factor[keep]), factor[keep], 1.0))
    if extra_sites is not None and len(extra_sites):
        extra = gpd.GeoDataFrame({
            "id": extra_sites["id"].astype(str).values, "name": extra_sites["name"].values,
            "township_code": extra_sites["township_code"].values,
            "county_code": extra_sites["county_code"].values, "synthetic": False, "proposed": True,
        }, geometry=extra_sites.geometry.values, crs=settings.STORAGE_CRS)
        if upgraded:
            extra["reach_factor"], extra["upgraded"] = extra_sites["reach_factor"].to_numpy(float), True
        sites = gpd.GeoDataFrame(pd.concat([sites, extra], ignore_index=True), crs=settings.STORAGE_CRS)
    costs, is_estimate, engine = unit_travel(units, sites, ftype, mode=mode, graph=graph, params=params)
    u = evaluate(units, sites, ftype, costs)
    by_t = _aggregate(u, "township_code", region.townships["name"])
    # a township with a facility but no demand unit of the type (a charity station where no scenic area is) gets
    # a row of its own, with no demand: the townships' facilities then add up to the county's and the city's
    # (QA 34: citywide 1 facility, counties 1, townships 0)
    by_t = _with_facility_rows(by_t, sites["township_code"], region.townships["name"])
    by_t.insert(1, "county_code", region.townships["county_code"].reindex(by_t.index).values)
    by_t.insert(2, "county_name", region.counties["name"].reindex(by_t["county_code"]).values)
    counts = sites.groupby("township_code").size()
    by_t["facilities"] = counts.reindex(by_t.index, fill_value=0).astype(int).values
    by_c = _with_facility_rows(_aggregate(u, "county_code", region.counties["name"]), sites["county_code"],
                               region.counties["name"])
    by_c.insert(1, "name_en", county_names_en(region.counties).reindex(by_c.index).fillna(by_c["name"]).values)
    by_c["facilities"] = sites.groupby("county_code").size().reindex(by_c.index, fill_value=0).astype(int).values
    summary = summarize(u["weight"].to_numpy(), u["covered"].to_numpy(bool), u["cost"].to_numpy(float))
    summary["facilities"] = int(len(sites))
    summary["proposed_facilities"] = int(sites["proposed"].sum())
    if upgraded:
        summary["upgraded_facilities"] = int(sites["upgraded"].astype(bool).sum())
    worst = u[~u["covered"]].sort_values(["cost", "weight"], ascending=[False, False]).head(10)
    worst = worst[["id", "name", "township_name", "county_name", "weight", "cost", "standard", "nearest_name"]]
    return Coverage(ftype=ftype, units=u, facilities=sites, by_township=by_t, by_county=by_c,
                    summary=summary, mode=mode, is_estimate=is_estimate, worst=worst, engine=engine,
                    # a register given (the CLI's --facilities) is the planner's: its rows say what is synthetic
                    register_sample=facilities is None and sample_register(region, ftype.key))


def sample_register(region: Region, key: str) -> bool:
    """Whether the type's register is still the synthetic sample (no import of the type, or the
    embedded one): "none of this type" then says nothing about the real facilities."""
    meta = (getattr(region, "provenance", None) or {}).get("layers", {}).get("facilities") or {}
    by_type = meta.get("by_type")
    if by_type is not None:  # after an import: per type, planner-supplied where a version holds rows of its own
        # (a version that only edited sample rows, a capacity typed on the map, imported nothing: QA 28)
        b = by_type.get(key) or {}
        return not b.get("dataset_version") or int(b.get("own", 1)) == 0
    return bool(meta.get("synthetic"))
