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

    reg = pd.DataFrame(rows)
    reg.insert(0, "id", [f"{t}-{i:04d}" for i, t in enumerate(reg["facility_type"], start=1)])
    return reg
