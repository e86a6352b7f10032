"""Province-scale coverage and proposals, county by county (the work bench/scale.py measures).

A province (Hubei: about 1,200 township units, 26,000 villages) is too large
for one dense villages x sites matrix: at 26,000 x 26,000 it would need 5.4 GB.
Here the work is split by county, which bounds every matrix:

* coverage: each county's demand points against the facilities that can reach
  them at all -- those within the straight-line reach of the type's largest
  standard (cost = straight line x detour / speed, so straight line <=
  standard x fastest speed / smallest detour). Who is covered is exact; a
  nearest cost beyond that reach is reported as inf ("beyond reach").
* proposals: the type's default model (planner.models: MCLP or LSCP) on the
  county's own demand points and candidate sites, existing facilities kept.
  County-by-county optima are not a province-wide optimum where a site could
  serve across a county border; a planner at that level plans per county.

Each county is an independent part (a dict of numpy arrays), so the parts can
go to a Dask cluster (:func:`geo.distributed.run_parts`).

:func:`generate_region` makes the synthetic (示意) region the benchmark and the
tests use: townships clustered around county seats, villages around township
seats, a register of existing facilities.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from geo.travel import EstimateParams, travel_costs

LON0, LAT0 = 112.0, 30.5
M_LAT = 110_900.0
M_LON = 111_320.0 * math.cos(math.radians(LAT0))
#: Straight-line reach of a cost: the fastest estimate speed over the smallest detour.
_PARAMS = EstimateParams(method="projected")
_FASTEST = max(_PARAMS.speed_urban_kmh, _PARAMS.speed_rural_kmh) * 1000.0 / 60.0
_LEAST_DETOUR = min(_PARAMS.detour_urban, _PARAMS.detour_rural)


@dataclass
class SyntheticRegion:
    """Generated region (示意 / illustrative): villages with county, township, urban flag, 60+ population."""

    x: np.ndarray
    y: np.ndarray
    county: np.ndarray
    township: np.ndarray
    urban: np.ndarray
    aged_60: np.ndarray
    township_seats: np.ndarray   # village index of each township's seat
    county_seats: np.ndarray     # village index of each county's seat
    scenic: np.ndarray           # village indices standing in for scenic areas
    synthetic: bool = True

    @property
    def n(self) -> int:
        return len(self.x)

    @property
    def lonlat(self) -> np.ndarray:
        return np.column_stack([LON0 + self.x / M_LON, LAT0 + self.y / M_LAT])


def generate_region(n_villages: int, *, seed: int = 0, villages_per_township: int = 22,
                    townships_per_county: int = 12) -> SyntheticRegion:
    """A province-like region of ``n_villages`` villages (Hubei's densities: 7.2 km² a village)."""
    rng = np.random.default_rng(seed)
    n = int(n_villages)
    n_town = max(2, round(n / villages_per_township))
    n_cty = max(1, round(n_town / townships_per_county))
    side = math.sqrt(n * 7.2e6)
    k = math.ceil(math.sqrt(n_cty))
    cell = side / k
    cx = (np.arange(n_cty) % k + 0.5 + rng.uniform(-0.2, 0.2, n_cty)) * cell
    cy = (np.arange(n_cty) // k + 0.5 + rng.uniform(-0.2, 0.2, n_cty)) * cell
    t_cty = np.arange(n_town) % n_cty
    tx = cx[t_cty] + rng.normal(0, cell / 4, n_town)
    ty = cy[t_cty] + rng.normal(0, cell / 4, n_town)
    town = np.arange(n) % n_town
    seat_of_town = np.arange(n_town)                 # village t is the seat of township t
    x = tx[town] + rng.normal(0, 2500.0, n)
    y = ty[town] + rng.normal(0, 2500.0, n)
    x[seat_of_town], y[seat_of_town] = tx, ty
    county = t_cty[town]
    county_seat_town = np.arange(n_cty)              # township c is the seat township of county c
    urban = np.isin(town, county_seat_town) & (rng.random(n) < 0.7)
    aged_60 = np.maximum(20, rng.lognormal(math.log(260), 0.5, n)).astype(np.int64)
    scenic = rng.choice(n, size=max(2, n // 1000), replace=False)
    return SyntheticRegion(x=x, y=y, county=county, township=town, urban=urban, aged_60=aged_60,
                           township_seats=seat_of_town, county_seats=county_seat_town,
                           scenic=scenic)


def demand_index(region: SyntheticRegion, demand: str) -> np.ndarray:
    """Village indices standing for a facility type's demand kind."""
    if demand in ("seats", "township_seats"):
        return region.township_seats
    if demand == "rural_villages":
        return np.flatnonzero(~region.urban)
    if demand == "rural_township_seats":
        return region.township_seats[~region.urban[region.township_seats]]
    if demand == "county_seats":
        return region.county_seats
    if demand == "scenic_areas":
        return region.scenic
    if demand == "meal_communities":
        return np.flatnonzero(region.urban)
    return np.arange(region.n)


def register(region: SyntheticRegion, type_key: str, demand: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """A generated register (示意): village indices of existing facilities of a type."""
    rng = np.random.default_rng(abs(hash(type_key)) % (2 ** 32) + seed)
    share = 0.05 if len(demand) > region.n // 2 else 0.35
    k = max(1, int(round(share * len(demand))))
    return np.sort(rng.choice(demand, size=min(k, len(demand)), replace=False))


def reach_m(ftype) -> float:
    """Straight-line distance beyond which no site can meet the type's largest standard."""
    std = max(ftype.standard_urban, ftype.standard_rural)
    return std * (_FASTEST if ftype.unit == "min" else 1.0) / _LEAST_DETOUR


def county_parts(region: SyntheticRegion, ftype, *, seed: int = 0) -> list[dict]:
    """One part per county: its demand points and the sites that can reach them."""
    dem = demand_index(region, ftype.demand)
    sites = register(region, ftype.key, dem, seed=seed)
    reach = reach_m(ftype)
    ll = region.lonlat
    parts = []
    for c in np.unique(region.county[dem]):
        d = dem[region.county[dem] == c]
        if ftype.rule == "inside":
            s = sites[region.county[sites] == c]
        else:
            lo_x, hi_x = region.x[d].min() - reach, region.x[d].max() + reach
            lo_y, hi_y = region.y[d].min() - reach, region.y[d].max() + reach
            s = sites[(region.x[sites] >= lo_x) & (region.x[sites] <= hi_x)
                      & (region.y[sites] >= lo_y) & (region.y[sites] <= hi_y)]
        # candidates of new sites: the county's own demand points (never twice an existing one)
        cand = np.setdiff1d(d, s)
        parts.append({
            "type": ftype.key, "county": int(c), "unit": ftype.unit, "rule": ftype.rule,
            "model": ftype.default_model, "demand": d, "demand_lonlat": ll[d],
            "urban": region.urban[d],
            "weight": (np.ones(len(d), np.int64) if ftype.weight == "units" else region.aged_60[d]),
            "standard": np.where(region.urban[d], ftype.standard_urban, ftype.standard_rural),
            "sites": s, "sites_lonlat": ll[s], "sites_county": region.county[s],
            "candidates": cand, "candidates_lonlat": ll[cand],
            "demand_county": np.full(len(d), c),
        })
    return parts


def _costs(part: dict, to_lonlat: np.ndarray, to_county: np.ndarray) -> np.ndarray:
    if len(to_lonlat) == 0:
        return np.full((len(part["demand"]), 0), np.inf)
    if part["rule"] == "inside":
        # "inside": a site in the demand point's own county (county seats) serves it
        same = part["demand_county"][:, None] == to_county[None, :]
        return np.where(same, 0.0, np.inf)
    tm = travel_costs(part["demand_lonlat"], to_lonlat, mode="estimate", unit=part["unit"],
                      urban=part["urban"], params=_PARAMS)
    return np.asarray(tm.costs, dtype=float)


def county_coverage(part: dict) -> dict:
    """Nearest existing site and covered flag of every demand point of one county part."""
    t = time.perf_counter()
    costs = _costs(part, part["sites_lonlat"], part["sites_county"])
    if costs.shape[1]:
        j = costs.argmin(axis=1)
        near = costs[np.arange(len(costs)), j]
        nearest = np.where(np.isfinite(near), part["sites"][j], -1)
    else:
        near = np.full(len(costs), np.inf)
        nearest = np.full(len(costs), -1)
    near = np.where(near <= 2 * part["standard"], near, np.inf)  # beyond reach: inf
    covered = near <= part["standard"]
    return {"type": part["type"], "county": part["county"], "demand": part["demand"],
            "cost": near, "nearest": nearest, "covered": covered,
            "weight": part["weight"], "seconds": time.perf_counter() - t}


def county_proposal(part: dict, *, time_limit: float = 20.0, mclp_share: float = 0.25) -> dict:
    """The type's default model on one county: LSCP (fewest new sites to cover all) or MCLP.

    MCLP opens ``ceil(mclp_share x uncovered points)`` new sites (at least 1).
    Costs are divided by each point's standard so that one radius (1.0) fits
    urban and rural standards alike.
    """
    from geo.errors import InfeasibleError
    from planner.models import LSCP, MCLP

    t = time.perf_counter()
    all_ll = np.vstack([part["sites_lonlat"], part["candidates_lonlat"]])
    all_cty = np.concatenate([part["sites_county"], np.full(len(part["candidates"]), part["county"])])
    ids = np.concatenate([part["sites"], part["candidates"]])
    n_ex = len(part["sites"])
    costs = _costs(part, all_ll, all_cty) / part["standard"][:, None]
    existing = np.arange(n_ex)
    out = {"type": part["type"], "county": part["county"], "model": part["model"],
           "selected": np.empty(0, np.int64), "status": "nothing to do", "objective": 0.0}
    covered_now = (costs[:, :n_ex] <= 1.0).any(axis=1) if n_ex else np.zeros(len(costs), bool)
    if len(costs) and not covered_now.all() and len(part["candidates"]):
        try:
            if part["model"] == "mclp":
                p = max(1, math.ceil(mclp_share * int((~covered_now).sum())))
                p = min(p, len(part["candidates"]))
                m = MCLP.from_cost_matrix(costs, radius=1.0, p=p, weights=part["weight"],
                                          existing=existing)
            else:
                m = LSCP.from_cost_matrix(costs, radius=1.0, existing=existing)
            res = m.solve(time_limit=time_limit)
            sel = np.asarray(res.selected, dtype=np.int64)   # column indices of the new sites
            out.update(selected=np.sort(ids[sel]), status=res.status, objective=float(res.objective))
        except InfeasibleError as exc:
            out.update(status=f"infeasible: {exc.en}")
    out["seconds"] = time.perf_counter() - t
    return out
