"""Breaking a citywide bed target down over townships (分解落实床位指标, work plan §八).

Given a number of new beds for a year, which townships should get them? Each
township needs ``per_1000 x aged 60+ / 1000`` beds ([bed_standard], 40 per
1,000) and has the beds of its facilities (every type counted in beds). Its
shortfall ratio after an allocation ``a_t`` is
``max(0, required_t - beds_t - a_t) / required_t``. The allocation minimises
the largest shortfall ratio (an LP on HiGHS, the engine's runner), in two
stages so that the answer is unique:

1. ``min z``  s.t.  ``a_t + z required_t >= gap_t``,  ``0 <= a_t <= gap_t``,
   ``sum a_t <= target``  (``gap_t = max(0, required_t - beds_t)``);
2. with ``z`` fixed at its optimum, ``min sum a_t``: every township is brought
   up to the same ratio and no bed goes where it is not needed.

Beds are whole: the LP's numbers are rounded by largest remainder so they add
up to the beds given out exactly, and the largest shortfall ratio reported is
that of these whole beds, the table's worst (the LP's optimum, a bound no whole
allocation beats, is given beside it as such). Within a township the beds first
enlarge its existing bed facilities up to the largest size class of their type,
and the rest are new beds. New beds make new sites only where they are enough for one:
a township's new beds of at least the new-site type's smallest size class
(a township complex's 30) count as ``ceil(new beds / its largest size class)``
sites (100 beds each), so every site counted holds at least the smallest size;
fewer are ``beds_to_place`` (no site of their own: a facility nearby is
enlarged, or a neighbouring township's new site takes them). A rule stated in
the notes, for the county bureaus to revise. (Every township's few beds used to
count as a site: 17 new beds were "8 new sites".) Beds beyond every township's
need are reported as not allocated.

``bed_type`` (a type counted in beds, e.g. welfare_home): the new beds are that
type's: only its facilities are enlarged and new sites take its size classes.
The shortfall is still that of all beds against ``[bed_standard]``. The townships the type does not serve
have no shortfall ratio (None, n/a), before or after, and the largest ratios are over the townships it serves.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geo.apportion import apportion
from geo.errors import InputDataError
from geo.regions import Region
from planner.capacity import analyse_beds, bed_types, site_capacity, whole_split
from planner.coverage import existing_facilities, records
from planner.facility_types import FacilityType, get_type, plan_year
from planner.models.highs import solve_mip


def minimax_allocation(required: np.ndarray, have: np.ndarray, target: float) -> tuple[np.ndarray, float]:
    """The two-stage LP of the module doc: (allocation, the largest shortfall ratio after it)."""
    required, have = np.asarray(required, float), np.asarray(have, float)
    gap = np.maximum(0.0, required - have)
    need = gap > 0
    idx = np.flatnonzero(need)
    n = len(idx)
    if n == 0 or target <= 0:
        ratio = float((gap[need] / required[need]).max()) if n else 0.0
        return np.zeros(len(required)), ratio
    # columns: a_0..a_{n-1}, z
    rows = sp.hstack([sp.identity(n, format="csr"), sp.csr_matrix(required[idx][:, None])]).tocsr()
    total = sp.csr_matrix(np.concatenate([np.ones(n), [0.0]])[None, :])
    a = sp.vstack([rows, total]).tocsr()
    lo = np.concatenate([gap[idx], [-np.inf]])
    hi = np.concatenate([np.full(n, np.inf), [float(target)]])
    ub = np.concatenate([gap[idx], [1.0]])
    c1 = np.concatenate([np.zeros(n), [1.0]])
    first = solve_mip(c=c1, lb=np.zeros(n + 1), ub=ub, a=a, rlo=lo, rhi=hi, integer=np.zeros(n + 1, bool))
    z = float(first.x[-1])
    ub2 = ub.copy()
    ub2[-1] = z + 1e-9  # hold the best ratio, then use as few beds as reach it
    c2 = np.concatenate([np.ones(n), [0.0]])
    second = solve_mip(c=c2, lb=np.zeros(n + 1), ub=ub2, a=a, rlo=lo, rhi=hi, integer=np.zeros(n + 1, bool))
    out = np.zeros(len(required))
    out[idx] = np.clip(second.x[:n], 0.0, gap[idx])
    return out, z


def shortfall_basis_note(total: dict, county: tuple[str, str] | None = None) -> dict:
    """{"zh", "en"}: the one line under a breakdown's table saying what its shortfall before is and how it
    differs from the capacity analysis' (QA 33: beds.xlsx said "分配前缺口" 16,837 for the city where
    `coverplan capacity --beds` said "缺口" 15,064, under one name). Here the townships' shortfalls are added up
    (one township's spare beds fill no other's gap); the capacity analysis gives the scope's net shortfall, its
    required beds less its beds now (planner.capacity: townships netted). ``total``: the scope's total row (its
    ``shortfall_whole``, ``required_whole``, ``supply_whole``); ``county``: (name, English name) of a county's
    own breakdown, else the city's."""
    from planner.i18n import t

    summed = int(total.get("shortfall_whole") or 0)
    net = max(0, int(total.get("required_whole") or 0) - int(total.get("supply_whole") or 0))
    key = "qa33f10_gap_note" if summed > net else "qa33f10_gap_note_same"
    out = {}
    for i, lang in enumerate(("zh", "en")):
        scope = county[i] if county else t("qa33f10_scope_city", lang)
        out[lang] = t(key, lang, scope=scope, total=f"{summed:,}", net=f"{net:,}")
    return out


def new_sites_note(site_type: FacilityType, size: float, least: float, to_place: int, towns: int, *,
                   typed: bool = False) -> dict:
    """The note stating how the new beds are placed (the module doc's rule), {"zh": ..., "en": ...}.
    ``typed``: the beds are ``site_type``'s (a bed type given), so only its facilities are enlarged."""
    what_zh, what_en = (site_type.name_zh, site_type.name_en) if typed else ("", "")
    zh = (f"乡镇内优先将现有{what_zh}设施扩建至其类型的最大规模，其余为新增床位。新建处数按{site_type.name_zh}的规模估算："
          f"一个乡镇（街道）的新增床位达到 {least:g} 张（最小规模档次）时，按每处 {size:g} 张计（向上取整），"
          f"不足 {least:g} 张的不足以单独建一处，不计新建处数，列为“待安排床位”，"
          "由就近设施扩建或与相邻乡镇（街道）合建新址承接。")
    en = (f"Within a township, existing {what_en + ' ' if typed else ''}facilities are first enlarged up to their "
          f"type's largest size class; the rest are new beds. New sites are counted at the size of a {site_type.name_en}: "
          f"a township's new beds make ceil(new beds / {size:g}) sites once they reach {least:g} (the smallest size "
          f"class); fewer are too few for a facility of their own and count as no site but as beds to place, "
          "for a facility nearby to enlarge or a new site shared with a neighbouring township.")
    if to_place:
        zh += f"本次共有 {to_place:,} 张待安排床位，分布在 {towns:,} 个乡镇（街道）。"
        en += (f" This breakdown has {to_place:,} {'bed' if to_place == 1 else 'beds'} to place in {towns:,} "
               f"{'township' if towns == 1 else 'townships'}.")
    return {"zh": zh, "en": en}


#: The figures of a breakdown that are not whole beds (the standard's need is 0.04 x people aged 60+): each
#: also given whole, as ``<key>_whole`` (:func:`whole_beds`).
WHOLE_KEYS = ("required", "supply", "shortfall")
#: every whole column of a breakdown's rows
WHOLE = tuple(f"{k}_whole" for k in (*WHOLE_KEYS, "shortfall_after"))


def whole_beds(city_towns: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """``towns`` (rows of ``city_towns``, every township of the city, or one county's) with whole-bed columns:
    ``required_whole, supply_whole, shortfall_whole`` and ``shortfall_after_whole``.

    One rounding rule, that of /api/capacity (planner.capacity.whole_units) and of its netting note: the
    city's figure rounded to the nearest bed, split over the counties by largest remainder
    (:func:`planner.capacity.whole_split`), and each county's split over its townships the same way, so the
    townships add up to their county and the counties to the city exactly (rounded alone, the counties'
    shortfalls summed to 16,836 beside the city's 16,837). A county's figures are the same whether the city's
    target or the county's own is broken down.

    A short township's row reads needed - now = shortfall (508.48 needed and none now was "508, 0, short 509"
    split column by column): its need is its whole beds now plus its whole shortfall, and the rest of its
    county's need is split over the townships that are not short. (Were every township of a county short and
    its need not the sum, the county's need is that sum, a bed off the city's split.) The shortfall after is
    the whole shortfall less the beds given (never below 0), so a row reads before - given = after too."""
    def split(total, parts) -> np.ndarray:  # a share of 0 gives 0 to each part (whole_split rounds them alone)
        return np.asarray(whole_split(total, list(parts))[1] if int(total) > 0 else [0] * len(parts), np.int64)

    out = towns.copy()
    code_all = city_towns["county_code"].astype(str)
    order = list(dict.fromkeys(code_all))
    share = {}
    for key in WHOLE_KEYS:
        by_county = city_towns.groupby(code_all)[key].sum()
        share[key] = dict(zip(order, whole_split(float(city_towns[key].sum()),
                                                 [float(by_county[c]) for c in order])[1]))
    code = out["county_code"].astype(str).to_numpy()
    cols = {key: np.zeros(len(out), np.int64) for key in WHOLE_KEYS}
    for c in dict.fromkeys(code):
        m = np.flatnonzero(code == c)
        exact = {key: out[key].iloc[m].astype(float).to_numpy() for key in WHOLE_KEYS}
        have, short = split(share["supply"][c], exact["supply"]), split(share["shortfall"][c], exact["shortfall"])
        lacking = exact["shortfall"] > 0
        need = np.where(lacking, have + short, 0)
        rest = int(share["required"][c]) - int(need.sum())
        others = exact["required"][~lacking]
        if rest >= 0 and others.size and others.sum() > 0:
            need[~lacking] = split(rest, others)
        else:
            need[~lacking] = np.round(others).astype(np.int64)
        for key, v in (("supply", have), ("shortfall", short), ("required", need)):
            cols[key][m] = v
    for key in WHOLE_KEYS:
        out[f"{key}_whole"] = cols[key]
    if "allocated" in out:
        out["shortfall_after_whole"] = np.maximum(0, out["shortfall_whole"] - out["allocated"].astype(np.int64))
    return out


#: The largest bed target taken (Shiyan's 2025 target is 7,136 new beds; a far larger number is a typo, and
#: one past a machine integer ended in an OverflowError): the web and the CLI check against it too.
MAX_TARGET = 1_000_000


def check_bed_type(key, *, option: str = "type") -> FacilityType | None:
    """The type the new beds are of (``bed_type`` of :func:`allocate_beds`), or None for no type: one counted
    in beds. Another (a cemetery's plots, a day-care centre's day places) has no beds to break a bed target
    down into and is refused, naming the types that have (``beds --type cemetery`` was taken and ignored).
    ``option``: the parameter as the caller names it (``--type`` on the command line)."""
    if key is None or (isinstance(key, str) and not key.strip()):
        return None
    ft = key if isinstance(key, FacilityType) else get_type(str(key).strip())
    beds = bed_types()
    if ft.key in {t.key for t in beds}:
        return ft
    unit_en = {"day_places": "day places", "plots": "plots", "meal_places": "meal places"}
    unit_zh = {"day_places": "日托位", "plots": "墓穴/格位", "meal_places": "助餐位"}
    field = ft.capacity.field if ft.capacity else None
    has_en = f"its capacity is in {unit_en.get(field, field)}" if field else "it states no capacity"
    has_zh = f"其容量按{unit_zh.get(field, field)}计" if field else "未设定容量"
    raise InputDataError(
        f"{option} {ft.key}: {ft.name_en} has no beds ({has_en}), so a bed target cannot be broken down into it. "
        f"The types counted in beds: {', '.join(f'{t.key} ({t.name_en})' for t in beds)}; give one of them, "
        f"or leave {option} out for every bed type.",
        f"{option} {ft.key} 无效：{ft.name_zh}没有床位（{has_zh}），不能分解床位指标。按床位计的类型："
        f"{'、'.join(f'{t.key}（{t.name_zh}）' for t in beds)}；请选择其一，或不给 {option}（各类床位合计）。",
        details={"parameter": "type", "value": ft.key, "bed_types": [t.key for t in beds]})


def allocate_beds(region: Region, target: int, *, year: int | None = None, facilities=None,
                 county: str | None = None, bed_type: str | FacilityType | None = None) -> dict:
    """The bed-target breakdown as a JSON-ready dict (townships, counties, facilities to enlarge).

    ``county`` (a county code): ``target`` is that county's own number of new beds, given out over its
    townships only (the county bureau's share of the city's target, as it was handed down); ``citywide``
    then holds the county's totals and ``county`` names it. A city target cut down to one county's rows
    would leave the county's number to whatever the city-wide levelling gave it.

    ``bed_type`` (a type counted in beds): the new beds are that type's (see the module doc); a type
    without beds is refused (:func:`check_bed_type`).
    """
    if not isinstance(target, (int, np.integer)) or not 0 < target <= MAX_TARGET:
        raise InputDataError(f"--target {target}: give a whole number of beds from 1 to {MAX_TARGET:,} (e.g. 7136).",
                             f"--target {target} 无效：请填写 1 至 {MAX_TARGET:,} 的整数床位数（如 7136）。",
                             details={"parameter": "target", "value": str(target)})
    if year is not None and (not isinstance(year, (int, np.integer)) or not 2000 <= year <= 2100):
        raise InputDataError(f"--year {year}: give the target's year from 2000 to 2100 (e.g. 2025).",
                             f"--year {year} 无效：请填写 2000 至 2100 之间的目标年份（如 2025）。",
                             details={"parameter": "year", "value": str(year)})
    year = year or plan_year()
    ft_new = check_bed_type(bed_type)
    if county is not None:
        from planner.coverage import check_county
        check_county(region, county)
    rep = analyse_beds(region, facilities=facilities)
    t = rep.by_township.copy()
    totals = rep.citywide
    if county is not None:  # the county's townships, and its totals in place of the city's
        county = str(county)
        t = t[t["county_code"].astype(str) == county].reset_index(drop=True)
        totals = rep.by_county.set_index(rep.by_county["county_code"].astype(str)).loc[county].to_dict()
    required, have = t["required"].to_numpy(float), t["supply"].to_numpy(float)
    # a bed type's beds go only to the townships the type serves: rural welfare homes' not to city streets
    # (QA 23: `beds --type welfare_home` put 农村福利院 sites in 车城路街道). Every bed type otherwise.
    eligible = np.ones(len(t), bool)
    if ft_new is not None:
        from planner.sites import demand_units
        served = set(demand_units(region, ft_new)["township_code"].astype(str))
        eligible = t["township_code"].astype(str).isin(served).to_numpy()
    n_left_out = int((~eligible).sum())
    before_ratio = np.where(required > 0, np.maximum(0.0, required - have) / np.where(required > 0, required, 1), 0.0)
    # a township the type does not serve has no ratio to level, before or after (n/a): it read "0% before ->
    # 100% after" with no bed given (QA 36), 0 on one side and its real gap on the other
    before_ratio = np.where(eligible, before_ratio, np.nan)
    alloc = np.zeros(len(t))
    # z: the LP's optimum over fractional beds, a lower bound on the largest ratio any whole allocation reaches;
    # kept apart from the ratio reported, which is the whole beds' (below)
    alloc_e, z = minimax_allocation(required[eligible], have[eligible], float(target)) if eligible.any() \
        else (np.zeros(0), 0.0)
    alloc[eligible] = alloc_e
    whole_gap = np.ceil(np.maximum(0.0, required - have) - 1e-9)  # a bed is whole: 359.08 needed is 360
    whole_gap = np.where(eligible, whole_gap, 0.0)
    if whole_gap.sum() <= target:
        # enough for every township: each gets its whole gap, and none is left a fraction of a bed short
        # (rounded by largest remainder, 花果街道 got 359 of 359.08 while beds were left over)
        beds = whole_gap.astype(np.int64)
    else:
        given = int(round(min(float(target), alloc.sum())))
        beds = apportion(given, alloc) if given > 0 else np.zeros(len(t), np.int64)
        spare = int(target) - int(beds.sum())
        if spare > 0:
            # enough for every fractional gap but not every whole one: the beds left go a bed at a time to
            # the townships still short, the largest shortfall first (13 beds were "not allocated" while
            # 42 townships stayed a fraction of a bed short)
            beds = beds.copy()
            while spare > 0:
                short = np.where(eligible, np.maximum(0.0, required - have - beds), 0.0)
                order = [i for i in np.argsort(-short, kind="stable") if short[i] > 1e-9][:spare]
                if not order:
                    break
                beds[order] += 1
                spare -= len(order)
    t["allocated"] = beds
    after = np.maximum(0.0, required - have - beds)
    t["shortfall_after"] = np.round(after, 2)
    t["shortfall_ratio_before"] = np.round(before_ratio, 6)
    after_ratio = np.where(required > 0, after / np.where(required > 0, required, 1), 0.0)
    t["shortfall_ratio_after"] = np.round(np.where(eligible, after_ratio, np.nan), 6)
    # the headline ratios are the table's, of the whole beds given: the LP's fractional z said 50.07% beside a
    # township left at 52.04% (8 of its 16.68 beds), and 98.6% beside one at 100% (QA 36); over the townships
    # the type serves (the others' are n/a), None when it serves none
    def worst(col: str) -> float | None:
        v = t[col].to_numpy(float)[eligible]
        return float(v.max()) if len(v) else None
    ratio_before, ratio_after = worst("shortfall_ratio_before"), worst("shortfall_ratio_after")
    # where the beds go inside a township: enlarge its bed facilities first, then new sites
    room_rows, room_by_town, unknown = [], {}, []
    for ft in [ft_new] if ft_new is not None else bed_types():
        f = existing_facilities(region, ft, facilities)
        if not len(f) or not ft.capacity.sizes:
            continue
        cap, known = site_capacity(f, "beds")
        top = max(ft.capacity.sizes)
        for (_, r), c, k in zip(f.iterrows(), cap, known):
            if county is not None and str(r["county_code"]) != county:  # another county's: not this breakdown's
                continue
            if not k:  # its beds are not known, not 0: how far it could grow is not known either
                unknown.append({"id": str(r["id"]), "name": r["name"], "type": ft.key,
                                "township_code": str(r["township_code"])})
                continue
            room = max(0.0, top - c)
            if room > 0:
                room_rows.append({"id": str(r["id"]), "name": r["name"], "type": ft.key,
                                  "township_code": str(r["township_code"]), "beds": c, "room": room})
                room_by_town[str(r["township_code"])] = room_by_town.get(str(r["township_code"]), 0.0) + room
    # new sites of the type's size classes (a township complex's without a type): counted only where a
    # township's new beds make one (the smallest class); fewer are beds to place (module doc)
    site_type = ft_new if ft_new is not None else get_type("elderly_complex")
    sizes = [float(x) for x in (site_type.capacity.sizes if site_type.capacity else None) or (100.0,)]
    new_size, min_size = max(sizes), min(sizes)
    t["enlarge_existing"] = [int(min(b, room_by_town.get(code, 0.0))) for b, code in zip(beds, t["township_code"])]
    t["new_beds"] = t["allocated"] - t["enlarge_existing"]
    t["new_sites"] = [math.ceil(nb / new_size) if nb >= min_size else 0 for nb in t["new_beds"]]
    t["beds_to_place"] = [int(nb) if 0 < nb < min_size else 0 for nb in t["new_beds"]]
    n_place, towns_place = int(t["beds_to_place"].sum()), int((t["beds_to_place"] > 0).sum())
    enlarge = []
    for code, g in pd.DataFrame(room_rows).groupby("township_code") if room_rows else []:
        left = int(t.loc[t["township_code"] == code, "enlarge_existing"].iloc[0])
        for _, r in g.sort_values("room", ascending=False).iterrows():  # biggest room first: fewer sites to build on
            if left <= 0:
                break
            add = int(min(left, r["room"]))
            enlarge.append({**r.to_dict(), "add": add})
            left -= add
    # whole beds beside the exact figures, adding up township -> county -> city (whole_beds)
    t = whole_beds(rep.by_township, t)
    counties = t.groupby(["county_code", "county_name"], as_index=False).agg(
        required=("required", "sum"), supply=("supply", "sum"), shortfall=("shortfall", "sum"), allocated=("allocated", "sum"),
        enlarge_existing=("enlarge_existing", "sum"), new_beds=("new_beds", "sum"), new_sites=("new_sites", "sum"),
        beds_to_place=("beds_to_place", "sum"), shortfall_after=("shortfall_after", "sum"), demand=("demand", "sum"),
        **{k: (k, "sum") for k in WHOLE})
    counties["beds_per_1000_before"] = np.round(counties["supply"] / counties["demand"] * 1000, 3)
    counties["beds_per_1000_after"] = np.round((counties["supply"] + counties["allocated"]) / counties["demand"] * 1000, 3)
    cols = ["township_code", "township_name", "county_code", "county_name", "demand", "required", "supply",
            "shortfall", "shortfall_ratio_before", "allocated", "enlarge_existing", "new_beds", "new_sites",
            "beds_to_place", "shortfall_after", "shortfall_ratio_after", *WHOLE]
    # the scope's total row (the city's, or the county's): the sums of its rows, the whole figures too
    summed = {k: int(t[k].sum()) for k in ("demand", "allocated", "enlarge_existing", "new_beds", "new_sites",
                                           "beds_to_place", *WHOLE)}
    summed.update(shortfall=float(t["shortfall"].sum()), shortfall_after=float(t["shortfall_after"].sum()))
    scope_notes = {"zh": [], "en": []}
    where = {"zh": "各县区", "en": "the counties"}
    if county is not None:
        from planner.coverage import county_names_en

        name_zh, name_en = str(region.counties["name"][county]), str(county_names_en(region.counties)[county])
        # the target is the county's: said first, as the city-wide card reads a city number otherwise
        scope_notes = {"zh": [f"本次分解的是{name_zh}的新增床位指标（{int(target):,} 张），只在{name_zh}的 {len(t)} 个"
                              "乡镇（街道）间分配；如需分解全市指标，请选择全市（不指定县区）。"],
                       "en": [f"This breaks down {name_en}'s own target ({int(target):,} new beds) over its {len(t)} "
                              "townships only; to break down the city's target, choose the whole city (no county)."]}
        where = {"zh": name_zh, "en": name_en}
    from planner.i18n import t as t_  # (``t`` is the townships' frame here)

    sites_note = new_sites_note(site_type, new_size, min_size, n_place, towns_place, typed=ft_new is not None)
    # what "shortfall before" adds up, beside the capacity analysis' net figure of the same scope (QA 33)
    gap_note = shortfall_basis_note(summed, None if county is None else (where["zh"], where["en"]))
    # each township's gap is closed in whole beds (0.2 short is a bed), while the shortfall rows are the exact
    # gaps shared out: beds given can exceed the shortfall's total by up to a bed a township (QA 32: the card's
    # rows read 353 short, 354 given, without a word)
    # a bed type's beds close only the gaps of the townships it serves: weighed against those (QA 36)
    served_short = int(t.loc[eligible, "shortfall_whole"].sum())
    over = int(beds.sum()) - (served_short if n_left_out else int(summed.get("shortfall_whole", beds.sum())))
    if over > 0 and n_left_out:
        sites_note = {lang: sites_note[lang] + (" " if lang == "en" else "") + t_(
            "qa36b_over_typed", lang, type=ft_new.name_zh if lang == "zh" else ft_new.name_en.lower(),
            given=f"{int(beds.sum()):,}" + ("" if lang == "zh" else " bed" if int(beds.sum()) == 1 else " beds"),
            short=f"{served_short:,}", over=f"{over:,}") for lang in ("zh", "en")}
    elif over > 0:
        sites_note = {"zh": sites_note["zh"] + f"每个乡镇（街道）的缺口按整张床位补足（缺 0.2 张也补 1 张），所以分配的 "
                                               f"{int(beds.sum()):,} 张比缺口合计 {summed['shortfall_whole']:,} 张多 {over:,} 张。",
                      "en": sites_note["en"] + f" Each township's gap is closed in whole beds (0.2 short gets a bed), so "
                                               f"the {int(beds.sum()):,} beds given exceed the shortfall's total "
                                               f"({summed['shortfall_whole']:,}) by {over:,}."}
    if n_left_out:  # said with the rule of the new sites: the townships the type does not serve get none
        sites_note = {"zh": sites_note["zh"] + f"{ft_new.name_zh}只服务其需求所在的乡镇（街道），其余 {n_left_out} 个"
                                               "（如城区街道）不分配其床位，最大缺口率也只按其服务的乡镇计。",
                      "en": sites_note["en"] + f" A {ft_new.name_en.lower()} serves only the townships where its demand "
                                               f"is; the other {n_left_out} (such as city streets) get none of its "
                                               "beds, and the largest shortfall ratio counts the townships it serves."}
    left_note = None
    if target > beds.sum():
        left, given = int(target - beds.sum()), int(beds.sum())
        if n_left_out:
            # the gaps closed are those of the townships the type serves; the others' are said with the beds they
            # still lack, the table's shortfall after (the note said "every township's gap" beside 5,861 short: QA 36)
            still = int(t.loc[~eligible, "shortfall_after_whole"].sum())

            def beds_en(n: int) -> str:
                return f"{n:,} {'bed' if n == 1 else 'beds'}"

            def towns_en(n: int) -> str:
                return "township" if n == 1 else "townships"

            left_note = {}
            for lang in ("zh", "en"):
                zh = lang == "zh"
                name = ft_new.name_zh if zh else ft_new.name_en.lower()
                text = t_("qa36b_left_typed", lang, left=f"{left:,}" if zh else beds_en(left),
                          left_is="is" if left == 1 else "are", given=f"{given:,}", type=name,
                          served=f"{len(t) - n_left_out:,}", served_towns=towns_en(len(t) - n_left_out),
                          where=where[lang])
                if still:
                    text += ("" if zh else " ") + t_("qa36b_others_short", lang, others=f"{n_left_out:,}",
                                                     others_towns=towns_en(n_left_out), type=name,
                                                     short=f"{still:,}" if zh else beds_en(still))
                left_note[lang] = text
        else:
            left_note = {"zh": f"目标中有 {left:,} 张床位未分配：{given:,} 张已补足各乡镇（街道）按标准的全部缺口，"
                               f"其余超出标准，须由{where['zh']}另行安排。",
                         "en": f"{left:,} {'bed' if left == 1 else 'beds'} of the target {'is' if left == 1 else 'are'} "
                               f"not allocated: {given:,} close every township's gap against the standard, and the "
                               f"rest is beyond it, for {where['en']} to place."}
    return {"target": int(target), "year": int(year), "allocated": int(beds.sum()),
            "not_allocated": int(target - beds.sum()),
            "standard": {"per_1000": rep.per_1000, "basis": rep.basis, "source": rep.source, "source_zh": rep.source_zh},
            "objective": "minimise the largest shortfall ratio (LP, HiGHS)",
            "max_shortfall_ratio_before": ratio_before, "max_shortfall_ratio_after": ratio_after,
            # the LP's optimum over fractional beds: no whole allocation does better (labelled a bound, not shown)
            "max_shortfall_ratio_after_lp_bound": round(float(z), 6),
            "citywide": {"required": totals["required"], "supply": totals["supply"],
                         "after": totals["supply"] + int(beds.sum()), **summed,
                         "after_whole": summed["supply_whole"] + int(beds.sum())},
            "county": None if county is None else {"code": county, "name": where["zh"], "name_en": where["en"]},
            "by_county": records(counties), "by_township": records(t[cols]), "enlarge": enlarge,
            "capacity_unknown": unknown,
            "new_site_size": new_size, "new_site_min": min_size, "new_site_type": site_type.key,
            "bed_type": None if ft_new is None else ft_new.key, "beds_to_place": n_place,
            "synthetic_inputs": rep.synthetic_inputs,
            # the line under the table on its shortfall before (also among the notes): the .xlsx writes it too
            "shortfall_note_zh": gap_note["zh"], "shortfall_note_en": gap_note["en"],
            "notes_zh": scope_notes["zh"] + ["乡镇人口为普查县级数据分解（示意）" + (
                f"；现有床位中{'、'.join(zh for zh, _ in rep.sample_types)}为示例名录（示意），其余取自已导入的名录。"
                if rep.sample_types else "；现有床位为示例名录（示意）。" if rep.capacities_synthetic
                else "；现有床位取自已导入的名录。"),
                         sites_note["zh"], gap_note["zh"]]
            + ([f"{len(unknown):,} 处设施床位数未知，未列入扩建（其所在乡镇的床位按新增计）；补填床位数后重新分解。"]
               if unknown else [])
            + ([left_note["zh"]] if left_note else []),
            "notes_en": scope_notes["en"] + ["Township populations are split from the census county figures (示意); existing beds are "
                         + (f"the sample register's (示意) for {', '.join(en for _, en in rep.sample_types)}, the "
                            "imported register's for the others." if rep.sample_types
                            else "the sample register's (示意)." if rep.capacities_synthetic
                            else "the imported register's."),
                         sites_note["en"], gap_note["en"]]
            + ([f"{len(unknown):,} {'facility has' if len(unknown) == 1 else 'facilities have'} no known bed count "
                f"and {'is' if len(unknown) == 1 else 'are'} not listed for enlarging (their townships' beds count as "
                "new); fill in their beds and break the target down again."] if unknown else [])
            + ([left_note["en"]] if left_note else [])}
