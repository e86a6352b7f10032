"""A synthetic sample register of existing facilities (示意), for the four core types.

No register of existing facilities is public. This sample only lets every map
and analysis run out of the box; it is deterministic, sparse enough that gaps
show, flagged ``synthetic`` on every row, and replaced by the planner's own
register (``--facilities FILE`` / upload) in real work.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 2025
COMPLEX_SHARE = 0.25        # of rural townships with a complex at the seat
DAYCARE_COMMUNITY = 0.55    # of communities with a day-care centre
DAYCARE_VILLAGE = 0.22      # of villages with a day-care centre
CEMETERY_TOWNSHIP = 0.12    # of rural townships with a public cemetery
# -- issue 16: more types and capacities (drawn from their own generators, after the rows
# above, so the ids and places of the first sample stay as they were) --
MUTUAL_AID_VILLAGE = 0.08   # of villages (村委会) with a mutual-aid care centre
WELFARE_TOWNSHIP = 0.6      # of rural townships with a welfare home at the seat
MEAL_COMMUNITY = 0.3        # of communities with a meal-service point
CHARITY_FUND_SHARE = 0.72   # of villages/communities with a community charity fund (target 90 %)
HAPPY_HOME_SHARE = 0.85     # of villages/communities in the Happy Home project (target all)
#: Plausible capacity ranges per type (inclusive, rounded to ``step``): the register column
#: and (low, high, step). Chosen from typical sizes of such facilities; synthetic (示意).
CAPACITY_RANGES = {
    "elderly_complex": ("beds", 30, 120, 5),
    "day_care": ("day_places", 10, 40, 5),
    "cemetery": ("plots", 800, 6000, 100),
    "mutual_aid": ("beds", 4, 20, 1),
    "welfare_home": ("beds", 20, 150, 5),
    "meal_service": ("meal_places", 20, 80, 5),
}
#: A county's urban cemetery is larger than a township's.
COUNTY_CEMETERY_PLOTS = (5000, 20000, 500)
CAPACITY_COLUMNS = ("beds", "day_places", "plots", "meal_places")


def sample_register(townships: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """Rows with type, name, township_code, county_code, x, y (metres).

    ``townships`` needs code, name, county_code, kind_group ('urban'/'rural'),
    seat_x, seat_y, seat_town; ``villages`` needs code, name, township_code,
    county_code, kind, x, y.
    """
    rng = np.random.default_rng(SEED)
    rows: list[dict] = []

    def add(ftype: str, name: str, township: str, county: str, x: float, y: float) -> None:
        rows.append({"facility_type": ftype, "name": name, "township_code": township,
                     "county_code": county, "x": x, "y": y})

    rural = townships[townships["kind_group"] == "rural"]
    for county, group in rural.groupby("county_code", sort=True):
        k = max(1, int(round(COMPLEX_SHARE * len(group))))
        for _, t in group.iloc[np.sort(rng.choice(len(group), size=k, replace=False))].iterrows():
            add("elderly_complex", f"{t['name']}养老服务综合体(示意)", t["code"], county,
                t["seat_x"] + 150.0, t["seat_y"] + 150.0)

    draw = rng.random(len(villages))
    share = np.where(villages["kind"] == "community", DAYCARE_COMMUNITY, DAYCARE_VILLAGE)
    for (_, v), hit in zip(villages.iterrows(), draw < share):
        if hit:
            add("day_care", f"{v['name']}日间照料中心(示意)", v["township_code"], v["county_code"],
                v["x"] + 50.0, v["y"] + 50.0)

    for county, group in townships.groupby("county_code", sort=True):
        seat = group[group["seat_town"]]
        anchor = seat.iloc[0] if len(seat) else group.iloc[0]
        add("cemetery", f"{anchor['county_name']}城区公益性公墓(示意)", anchor["code"], county,
            anchor["seat_x"] + 2500.0, anchor["seat_y"] - 2000.0)
    draw = rng.random(len(rural))
    for (_, t), hit in zip(rural.iterrows(), draw < CEMETERY_TOWNSHIP):
        if hit:
            add("cemetery", f"{t['name']}公益性公墓(示意)", t["code"], t["county_code"],
                t["seat_x"] + 1200.0, t["seat_y"] + 900.0)

    # one charity station in 丹江口市's urban area; none yet in 武当山特区 (the plan's gap)
    djk = townships[(townships["county_code"] == "420381") & (townships["kind_group"] == "urban")]
    if len(djk):
        t = djk.sort_values("code").iloc[0]
        add("charity_station", f"{t['name']}慈善工作站(示意)", t["code"], "420381",
            t["seat_x"] + 300.0, t["seat_y"] + 200.0)

    _more_types(townships, villages, add)
    reg = pd.DataFrame(rows)
    reg.insert(0, "id", [f"{t}-{i:04d}" for i, t in enumerate(reg["facility_type"], start=1)])
    return _with_capacities(reg)


def _more_types(townships: pd.DataFrame, villages: pd.DataFrame, add) -> None:
    """Mutual-aid centres, welfare homes and meal points (issue 16), after the first sample."""
    rng = np.random.default_rng(SEED + 16)
    rural_v = villages[villages["kind"] != "community"]
    for (_, v), hit in zip(rural_v.iterrows(), rng.random(len(rural_v)) < MUTUAL_AID_VILLAGE):
        if hit:
            add("mutual_aid", f"{v['name']}互助照料中心(示意)", v["township_code"], v["county_code"],
                v["x"] - 60.0, v["y"] + 40.0)
    rural = townships[townships["kind_group"] == "rural"]
    for (_, t), hit in zip(rural.iterrows(), rng.random(len(rural)) < WELFARE_TOWNSHIP):
        if hit:
            add("welfare_home", f"{t['name']}福利院(示意)", t["code"], t["county_code"],
                t["seat_x"] - 250.0, t["seat_y"] + 180.0)
    comm = villages[villages["kind"] == "community"]
    for (_, v), hit in zip(comm.iterrows(), rng.random(len(comm)) < MEAL_COMMUNITY):
        if hit:
            add("meal_service", f"{v['name']}老年助餐点(示意)", v["township_code"], v["county_code"],
                v["x"] + 40.0, v["y"] - 50.0)


def _with_capacities(reg: pd.DataFrame) -> pd.DataFrame:
    """Capacity columns (beds, day places, plots, meal places) for the sample rows (示意).

    Each row gets a number in its type's CAPACITY_RANGES column (None in the others);
    the county-seat cemeteries (named 城区) are larger. A separate generator keeps the
    rows themselves independent of these draws.
    """
    rng = np.random.default_rng(SEED + 1600)
    for col in CAPACITY_COLUMNS:
        reg[col] = None
    for i, r in reg.iterrows():
        spec = CAPACITY_RANGES.get(r["facility_type"])
        if spec is None:
            continue
        col, low, high, step = spec
        if r["facility_type"] == "cemetery" and "城区" in r["name"]:
            low, high, step = COUNTY_CEMETERY_PLOTS
        reg.at[i, col] = int(rng.integers(low // step, high // step + 1)) * step
    return reg


def village_attributes(villages: pd.DataFrame) -> pd.DataFrame:
    """Per-village register attributes of the plan's §二十四 (synthetic, 示意): ``charity_fund``
    (a community charity fund) and ``happy_home`` (in the Happy Home mutual-aid project)."""
    rng = np.random.default_rng(SEED + 24)
    draw = rng.random((len(villages), 2))
    return pd.DataFrame({"charity_fund": draw[:, 0] < CHARITY_FUND_SHARE,
                         "happy_home": draw[:, 1] < HAPPY_HOME_SHARE}, index=villages.index)
