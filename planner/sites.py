"""Demand units and candidate sites of a facility type, drawn from a region.

Both are GeoDataFrames of points in WGS84 with the township and county they
belong to, so every later number can be traced back to a named place. Demand
units also carry their area polygon (``area``) for the "inside" rule.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.datasets import population_quality_column
from geo.regions import POP_BANDS, Region
from planner.facility_types import FacilityType

COLUMNS = ["id", "name", "kind", "township_code", "township_name", "county_code", "county_name",
           "urban", "weight", "standard", "synthetic"]


def _township_of(region: Region, points: gpd.GeoSeries) -> pd.Series:
    """Code of the township polygon containing each point (aligned to ``points``)."""
    t = region.townships
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=points, crs=settings.STORAGE_CRS),
                       t[["code", "geometry"]].rename(columns={"code": "t_code"}),
                       how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    return joined["t_code"].reindex(points.index)


def not_official(table: pd.DataFrame, column: str) -> pd.Series | bool:
    """Whether each row's place is illustrative (示意): its ``column`` (``location_quality``, ``seat_quality``)
    says anything but "official"; without the column, True (the built data's places are approximate or
    synthetic unless an import said otherwise). The units' ``synthetic`` flag was hard-coded: county seats
    "no" though the provenance calls them approximate, imported official village points "yes" (QA 27)."""
    if column not in table:
        return True
    return table[column].astype(str).str.strip().str.lower().ne("official").to_numpy()


#: Population qualities that are counts, not estimates: a planner's table ("official"), the census (a county's).
COUNTED = ("official", "census")


def derived_rows(table: pd.DataFrame, band: str | None = None) -> np.ndarray:
    """Per row of ``table`` (villages, townships, counties): whether its ``band`` figure is derived (示意), not
    counted. The band's own quality column (geo.datasets.population_quality_column: a population table may give
    some bands only) where there is one, else ``population_quality``; a table without either says nothing, so
    nothing is taken as derived (a hand-made region)."""
    col = population_quality_column(band) if band else None
    if col and col in table:
        q = table[col]
    elif "population_quality" in table:
        q = table["population_quality"]
    else:
        return np.zeros(len(table), bool)
    return ~q.astype(str).str.strip().str.lower().isin(COUNTED).to_numpy()


def population_derived(table: pd.DataFrame, band: str | None = None) -> bool:
    """Whether any of ``table``'s ``band`` figures is derived (示意): the one rule of the capacity analysis
    (planner.capacity), the coverage and the proposals, so that the same inputs are 示意 in all of them (QA 36:
    the coverage of derived village populations was not, the capacity analysis was)."""
    return bool(derived_rows(table, band).any())


def _derived_by_band(table: pd.DataFrame) -> dict:
    """``derived_<band>`` columns of a demand-point frame: per row, whether its figure of that band is derived."""
    return {f"derived_{b}": derived_rows(table, b) for b in POP_BANDS}


def _county_seats(region: Region) -> gpd.GeoDataFrame:
    c = region.counties
    pts = gpd.GeoSeries(shapely.points(c["seat_lon"], c["seat_lat"]), index=c.index, crs=settings.STORAGE_CRS)
    town = _township_of(region, pts)
    return gpd.GeoDataFrame({
        "id": "county-" + c["code"],
        "name": [n + ("县城" if n.endswith("县") else "城区") for n in c["name"]],
        "kind": "county_seat", "township_code": town,
        "county_code": c["code"], "urban": True, "synthetic": not_official(c, "seat_quality"),
        "area": c.geometry,
        **{b: c[b] for b in ("population", "aged_60", "aged_65", "aged_80")},
        **_derived_by_band(c),  # the census: counted
    }, geometry=pts, crs=settings.STORAGE_CRS)


def _township_seats(region: Region) -> gpd.GeoDataFrame:
    t = region.townships
    # a township's people are its villages' (summed, geo.datasets): derived where any of its villages' are; a
    # township without villages keeps its own flag
    v = region.villages
    derived = {}
    for b in POP_BANDS:
        by_town = pd.Series(derived_rows(v, b), index=v.index).groupby(v["township_code"]).any()
        own = pd.Series(derived_rows(t, b), index=t.index)
        derived[f"derived_{b}"] = by_town.reindex(t.index).fillna(own).astype(bool).to_numpy()
    return gpd.GeoDataFrame({
        "id": "seat-" + t["code"], "name": t["name"] + "驻地",
        "kind": "township_seat", "township_code": t["code"], "county_code": t["county_code"],
        # a township seat is derived (seat_method), never imported: official only if a seat_quality says so
        "urban": t["kind_group"] == "urban", "synthetic": not_official(t, "seat_quality"), "area": t.geometry,
        **{b: t[b] for b in ("population", "aged_60", "aged_65", "aged_80")}, **derived,
    }, geometry=shapely.points(t["seat_lon"], t["seat_lat"]), crs=settings.STORAGE_CRS)


def _villages(region: Region) -> gpd.GeoDataFrame:
    v = region.villages
    area = region.townships.loc[v["township_code"], "geometry"].values
    return gpd.GeoDataFrame({
        "id": v["code"], "name": v["name"], "kind": v["kind"], "township_code": v["township_code"],
        "county_code": v["county_code"], "urban": v["urban"].astype(bool),
        "synthetic": not_official(v, "location_quality"), "area": area, **{b: v[b] for b in ("population", "aged_60", "aged_65", "aged_80")},
        **_derived_by_band(v),
    }, geometry=v.geometry.values, crs=settings.STORAGE_CRS)


def _scenic(region: Region) -> gpd.GeoDataFrame:
    s = region.scenic_areas
    area = region.townships.loc[s["township_code"], "geometry"].values
    return gpd.GeoDataFrame({
        "id": s["id"], "name": s["name"], "kind": "scenic_area", "township_code": s["township_code"],
        "county_code": s["county_code"], "urban": False, "synthetic": not_official(s, "location_quality"), "area": area,
        "population": 0, "aged_60": 0, "aged_65": 0, "aged_80": 0, **{f"derived_{b}": False for b in POP_BANDS},
    }, geometry=s.geometry.values, crs=settings.STORAGE_CRS)


def _points(region: Region, which: str) -> gpd.GeoDataFrame:
    if which == "villages":
        g = _villages(region)
    elif which == "township_seats":
        g = _township_seats(region)
    elif which == "rural_villages":
        # administrative villages (村委会) only: a rural mutual-aid centre serves a village and its
        # neighbours, not the communities (社区) of towns and cities (QA 19: 350,358 of its 610,589
        # people aged 60+ were urban communities' people)
        g = _villages(region)
        g = g[g["kind"] == "village"]
    elif which == "rural_township_seats":
        # the seats of towns and townships (乡、镇) only: a rural welfare home serves rural
        # people, and an urban subdistrict (街道) is neither its demand nor its place
        g = _township_seats(region)
        g = g[~g["urban"]]
    elif which == "county_seats":
        g = _county_seats(region)
    elif which == "seats":
        g = pd.concat([_county_seats(region), _township_seats(region)], ignore_index=True)
    elif which == "scenic_areas":
        g = _scenic(region)
    elif which == "meal_communities":
        # communities (社区居委会) of urban units, and of rural townships: a rural township's
        # communities are its seat town (the villages are 村委会), so they stand for the
        # township-seat communities of the meal-service plan (§九)
        g = _villages(region)
        g = g[g["kind"] == "community"]
    else:  # checked when the types file is read
        raise ValueError(which)
    g = gpd.GeoDataFrame(g, geometry="geometry", crs=settings.STORAGE_CRS)
    tnames = region.townships["name"]
    g["township_name"] = g["township_code"].map(tnames).fillna("")
    g["county_name"] = g["county_code"].map(region.counties["name"])
    return g.reset_index(drop=True)


def demand_units(region: Region, ftype: FacilityType) -> gpd.GeoDataFrame:
    """The demand units of ``ftype`` with weight and service standard.

    ``weight`` is the type's population band (or 1 per unit); ``standard`` is
    the urban or rural standard by the unit's ``urban`` flag, in ``ftype.unit``.
    A county seat's population is the whole county's, so on "seats" demand a
    population weight would count people twice: use ``weight = "units"`` there.
    ``population_derived``: the weight is a derived population (示意), not a count
    (:func:`derived_rows`); never for ``weight = "units"``.
    """
    g = _points(region, ftype.demand)
    if ftype.demand_counties:
        g = g[g["county_code"].isin(ftype.demand_counties)].reset_index(drop=True)
    if ftype.weight == "units":
        g["weight"] = 1
        g["population_derived"] = False
    else:
        g["weight"] = g[ftype.weight]
        g["population_derived"] = g[f"derived_{ftype.weight}"].astype(bool)
    g["weight"] = g["weight"].astype(np.int64)
    g["standard"] = np.where(g["urban"], ftype.standard_urban, ftype.standard_rural)
    return g[COLUMNS + ["population_derived", "area", "geometry"]]


def _planner_sites(region: Region, ftype: FacilityType) -> gpd.GeoDataFrame | None:
    """Candidate sites the planner added on the map for this type (or for every type).

    They are offered whatever the type's rule for candidates says (the planner chose the
    place); the type's limits (one per township) still hold in the model.
    """
    sites = getattr(region, "planner_sites", None)
    if sites is None or not len(sites):
        return None
    sites = sites[sites["facility_type"].isin([ftype.key, "*"])]
    if not len(sites):
        return None
    town = _township_of(region, sites.geometry)
    county = town.map(region.townships["county_code"])
    keep = town.notna()  # a site outside every township cannot serve the region
    if ftype.demand_counties:
        keep &= county.isin(ftype.demand_counties)
    sites, town, county = sites[keep], town[keep], county[keep]
    return gpd.GeoDataFrame({
        "id": sites["id"].astype(str).values, "name": sites["name"].astype(str).values, "kind": "planner_site",
        "township_code": town.values, "county_code": county.values, "existing": False, "synthetic": False,
        "urban": _urban_township(region, town).values,
    }, geometry=sites.geometry.values, crs=settings.STORAGE_CRS)


def _urban_township(region: Region, codes: pd.Series) -> pd.Series:
    """Whether each township code is an urban unit (a subdistrict): the travel standard of a place with no
    village of its own (an existing facility, a site added on the map)."""
    return pd.Series(codes).map(region.townships["kind_group"].eq("urban")).fillna(False).astype(bool)


def candidate_sites(region: Region, ftype: FacilityType, existing: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Existing facilities (first, ``existing=True``) followed by new candidate sites.

    With ``one_per_township``, candidates in a township that already has a
    facility of the type are left out. ``urban``: the place's urban flag, as a
    demand unit there has it (an existing facility or a planner's site: its
    township's), so that travel from a site is costed as coverage costs it.
    """
    ex = gpd.GeoDataFrame({
        "id": existing["id"].astype(str).values, "name": existing["name"].values,
        "kind": "existing",
        "township_code": existing["township_code"].values, "county_code": existing["county_code"].values,
        "existing": True, "synthetic": existing["synthetic"].astype(bool).values,
        "urban": _urban_township(region, pd.Series(existing["township_code"].values)).values,
    }, geometry=existing.geometry.values, crs=settings.STORAGE_CRS)
    new = _points(region, ftype.candidates)
    if ftype.demand_counties:
        new = new[new["county_code"].isin(ftype.demand_counties)]
    if ftype.one_per_township:
        new = new[~new["township_code"].isin(set(ex["township_code"]))]
    new = gpd.GeoDataFrame({
        "id": "cand-" + new["id"].astype(str), "name": new["name"], "kind": new["kind"],
        "township_code": new["township_code"], "county_code": new["county_code"],
        "existing": False, "synthetic": new["synthetic"].astype(bool),  # the place's own quality (QA 27)
        "urban": new["urban"].astype(bool),
    }, geometry=new.geometry.values, crs=settings.STORAGE_CRS)
    own = _planner_sites(region, ftype)
    out = pd.concat([ex, new] + ([own] if own is not None else []), ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=settings.STORAGE_CRS)
    out["township_name"] = out["township_code"].map(region.townships["name"]).fillna("")
    out["county_name"] = out["county_code"].map(region.counties["name"]).fillna("")
    return out


def site_marks(region: Region, ftype: FacilityType, candidates: gpd.GeoDataFrame) -> tuple[np.ndarray, list[dict]]:
    """The planner's required/forbidden mark of each candidate column (aligned to ``candidates``).

    A mark for this type wins over one for every type (``*``). Existing
    facilities are never marked (they are open anyway). Returns the marks
    (``"required"``, ``"forbidden"`` or ``""`` per column) and the marks that
    match no candidate of this type (e.g. a village left out because its
    township already has a facility), so the proposal can say so.
    """
    marks = np.full(len(candidates), "", dtype=object)
    table = getattr(region, "site_marks", None)
    if table is None or not len(table):
        return marks, []
    table = table[table["facility_type"].isin([ftype.key, "*"])]
    # the type's own mark first, so that drop_duplicates keeps it over the "*" one
    table = table.assign(_own=table["facility_type"] == ftype.key).sort_values("_own", ascending=False)
    table = table.drop_duplicates("candidate_id")
    by_id = dict(zip(table["candidate_id"], table["mark"]))
    ids = candidates["id"].astype(str).to_numpy()
    new = ~candidates["existing"].to_numpy(bool)
    for j in np.flatnonzero(new):
        marks[j] = by_id.get(ids[j], "")
    known = set(ids[new])
    unmatched = [{"candidate_id": c, "mark": m} for c, m in by_id.items() if c not in known]
    return marks, unmatched


def choosable_counts(region: Region, ftype: FacilityType, existing: gpd.GeoDataFrame) -> dict:
    """How many new sites a location proposal of ``ftype`` may open: its candidate sites that are not existing
    facilities and not forbidden (the ``p`` limit planner.models.roles checks), in all (``"total"``) and per
    county code (``"by_county"``). The proposal form bounds its number of sites by them (QA 31: p = 4,999 was
    queued and failed after the click, with 101 candidates)."""
    cands = candidate_sites(region, ftype, existing)
    marks, _ = site_marks(region, ftype, cands)
    ok = ~cands["existing"].astype(bool).to_numpy() & (marks != "forbidden")
    counties = cands.loc[ok, "county_code"].astype(str)
    return {"total": int(ok.sum()), "by_county": {str(c): int(n) for c, n in counties.value_counts().items()}}


def forbidden_ids(region: Region, type_key: str) -> set[str]:
    """The candidate ids the planner's marks forbid for ``type_key`` now (a mark for the type wins over one for
    every type, as in :func:`site_marks`): a proposal solved before a mark may stand on one (QA 27)."""
    table = getattr(region, "site_marks", None)
    if table is None or not len(table):
        return set()
    table = table[table["facility_type"].isin([type_key, "*"])]
    table = table.assign(own=table["facility_type"] == type_key).sort_values("own", ascending=False)
    table = table.drop_duplicates("candidate_id")
    return {str(c) for c, m in zip(table["candidate_id"], table["mark"]) if m == "forbidden"}


def site_code(candidate_id) -> str:
    """A proposed site's own code, from its candidate's id (planner.sites candidate_sites): a village's or
    community's code (cand-420304115001 -> 420304115001), a township seat's township code
    (cand-seat-420302003), a county seat's county code (cand-county-420322); a site without an
    administrative code (one a planner added on the map, a scenic area) keeps its candidate id, the id the
    GeoJSON and the site marks know it by. "" without a candidate."""
    cid = str(candidate_id or "").strip()
    if not cid:
        return ""
    code = cid.removeprefix("cand-")
    for prefix in ("seat-", "county-"):
        code = code.removeprefix(prefix)
    return code if code.isdigit() else cid
