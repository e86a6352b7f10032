"""How much, not only where: capacity supply against demand per township, county and citywide.

A facility with 20 beds does not serve 3,000 people aged 60+ however close it
is. Each type with a ``[types.X.capacity]`` block says which register column
holds its capacity (beds, day places, plots, meal places), the population the
standard is stated per (``basis``) and the standard itself (``per_1000``). Here
the register's capacities are summed where the facilities stand and held
against the standard times the population living there:

- ``required  = per_1000 x demand / 1000`` (demand = people of ``basis``),
- ``ratio_per_1000 = supply / demand x 1000`` (e.g. beds per 1,000 aged 60+),
- ``shortfall = max(0, required - supply)``.

A type served per county from its seat (``demand = "county_seats"``) is compared
per county and citywide only: its township rows are ``status = "na"``.

Demand comes from the villages and communities (their census-derived bands add
up to the census exactly): of the type's demand units when they are villages
or communities, otherwise of every village of the counties the type serves (a
county seat's population is the whole county's and would be counted twice).
:func:`analyse_beds` does the same for all beds together against the file's
``[bed_standard]`` (40 per 1,000 aged 60+).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.apportion import apportion
from geo.errors import InputDataError
from geo.regions import Region
from planner.coverage import county_names_en, existing_facilities, records
from planner.facility_types import FacilityType, bed_standard, get_type, load_facility_types
from planner.sites import population_derived

LEVELS = ("township", "county", "city")


def no_capacity_error(ftype: FacilityType) -> InputDataError:
    with_cap = [k for k, t in load_facility_types().items() if t.capacity]
    return InputDataError(
        f"Type '{ftype.key}' states no capacity ([types.{ftype.key}.capacity]); types with one: "
        f"{', '.join(with_cap)}.",
        f"设施类型“{ftype.key}”（{ftype.name_zh}）未设定容量（[types.{ftype.key}.capacity]）；"
        f"设有容量的类型：{'、'.join(with_cap)}。",
        hint_en="Add a capacity block to data/facility_types.toml or choose another type.",
        hint_zh="请在 data/facility_types.toml 中增加容量设定，或选择其他类型。",
        details={"type": ftype.key, "types_with_capacity": with_cap})


def demand_villages(region: Region, ftype: FacilityType) -> pd.DataFrame:
    """Villages/communities whose people make up the type's capacity demand (see module doc)."""
    v = region.villages
    if ftype.demand == "meal_communities":
        v = v[v["kind"] == "community"]
    elif ftype.demand == "rural_villages":
        v = v[v["kind"] == "village"]
    elif ftype.demand == "rural_township_seats":
        rural = region.townships.index[region.townships["kind_group"] != "urban"]
        v = v[v["township_code"].isin(rural)]
    if ftype.demand_counties:
        v = v[v["county_code"].isin(ftype.demand_counties)]
    return v


def site_capacity(sites: pd.DataFrame, field: str) -> tuple[np.ndarray, np.ndarray]:
    """The capacity of each site (0 where unknown) and whether it was known."""
    if field in sites:
        raw = pd.to_numeric(sites[field], errors="coerce").to_numpy(float)
    else:
        raw = np.full(len(sites), np.nan)
    known = np.isfinite(raw)
    return np.where(known, raw, 0.0), known


@dataclass
class CapacityReport:
    """Supply against demand of one capacity (one type's, or all beds) at three levels."""

    key: str                 # type key, or "beds" for all bed types together
    name_zh: str
    name_en: str
    field: str               # beds | day_places | plots | meal_places
    basis: str               # aged_60 | ...
    per_1000: float
    source: str
    source_zh: str
    by_township: pd.DataFrame
    by_county: pd.DataFrame
    citywide: dict
    types: list[str]
    synthetic_inputs: bool
    #: the register's capacities are the sample's (the population split below county level is derived
    #: in any case: synthetic_inputs): the notes name the sample only while it is one
    capacities_synthetic: bool = True
    #: the types whose capacities are still the sample's, (zh, en) names: all beds together may be mixed
    sample_types: list = field(default_factory=list)

    def to_dict(self, lang: str = "zh") -> dict:
        # whole beds/places as the API, the CLI and the overview all show them
        return _township_note(_netted_note(whole_units({"type": self.key, "type_name": self.name_en if lang == "en" else self.name_zh,
                "field": self.field, "basis": self.basis,
                "standard": {"per_1000": self.per_1000, "basis": self.basis, "field": self.field,
                             "source": self.source_zh if lang == "zh" and self.source_zh else self.source,
                             "source_en": self.source, "source_zh": self.source_zh},
                "types": self.types, "citywide": self.citywide,
                "by_county": records(self.by_county), "by_township": records(self.by_township),
                "synthetic_inputs": self.synthetic_inputs, "capacities_synthetic": self.capacities_synthetic,
                "sample_types": [{"zh": zh, "en": en} for zh, en in self.sample_types],
                "notes": _notes(self, lang),
                # the note on facilities without a capacity (counted as 0), apart too: the overview shows it
                # under its beds table (QA 27: 1,470 beds with 7 of 62 facilities unknown, without a word)
                "unknown_note": unknown_capacity_note(self.citywide.get("facilities", 0),
                                                      self.citywide.get("capacity_known", 0), self.field, lang),
                # the notes on netting between levels, apart: the overview shows these under its own table
                "level_notes": []}), self.field, lang), self.field, lang)


def _netted_note(report: dict, field: str, lang: str) -> dict:
    """``citywide.shortfall_counties_whole`` (the counties' shortfalls added up) and, where it is larger
    than the citywide shortfall, a note saying why: the citywide row nets one county's surplus against
    another's lack (QA 18: citywide 0 beside county rows adding up to 1,566)."""
    city = report["citywide"]
    total = int(sum(c.get("shortfall_whole", 0) for c in report.get("by_county") or []))
    city["shortfall_counties_whole"] = total
    if total > city.get("shortfall_whole", 0):
        from planner.i18n import t

        unit = t(f"capw_unit_{field}", lang)  # 张床位 / beds, 个日托位 / day places ...
        n = city.get("shortfall_whole", 0)
        report["notes"].append(
            f"The counties lack {total:,} {unit} in all; the citywide shortfall ({n:,}) nets the surplus of "
            "some counties against the others' lack. Where places cannot be shared across county lines, "
            "the counties' total is the one to plan for." if lang == "en" else
            f"各县（市、区）缺口合计 {total:,} {unit}；全市缺口（{n:,}）为全市供需之差，已用部分县的富余抵扣"
            "其他县的不足。容量不能跨县调剂时，应以各县缺口合计为准。")
        report.setdefault("level_notes", []).append(report["notes"][-1])
    return report


def _township_note(report: dict, field: str, lang: str) -> dict:
    """A note wherever the townships' shortfalls add up to more than the city's or a county's: that level nets
    one township's surplus against another's lack. "shortfall 0 / met" at city and county level hid 49
    welfare-home townships 599 beds short, and the day-care counties "met" beside townships hundreds of places
    short (QA 25); a smaller shortfall hides a gap the same way (all beds: the city 15,064 short, its townships
    16,837 in all), and was said nowhere. How many townships, how much in all against the level's own figure."""
    towns = [r for r in report.get("by_township") or [] if r.get("status") == "not_met"]
    if not towns:
        return report
    from planner.i18n import t

    def unit(n: int) -> str:
        return t(('capw_unit1_' if lang == 'en' and n == 1 else 'capw_unit_') + field, lang)

    def amount(x: float) -> str:
        n = int(round(x))
        return f"{n:,} {unit(n)}"

    def short(rows: list) -> float:
        return float(sum(float(r.get("shortfall") or 0.0) for r in rows))

    def netted(total: float, row: dict) -> bool:
        # the townships' sum beyond the level's own shortfall by a whole unit as shown, and by more than rounding
        return int(round(total)) > int(row.get("shortfall_whole", 0)) and \
            total - float(row.get("shortfall") or 0.0) >= 0.5

    city = report["citywide"]
    parts = []
    n, x = len(towns), short(towns)
    if netted(x, city):
        c_short = int(city.get("shortfall_whole", 0))
        if c_short == 0:
            parts.append(
                f"The citywide shortfall is 0, yet {n:,} {'township is' if n == 1 else 'townships are'} short, "
                f"{amount(x)} in all: the citywide figure nets the surplus of some townships against the others' "
                "lack." if lang == "en" else
                f"全市缺口为 0，但有 {n:,} 个乡镇（街道）存在缺口，合计 {amount(x)}：全市数字已用部分乡镇（街道）的富余"
                "抵扣其他乡镇（街道）的不足。")
        else:
            parts.append(
                f"The citywide shortfall is {amount(c_short)}, but the shortfalls of the {n:,} short "
                f"{'township' if n == 1 else 'townships'} add up to {amount(x)}: the citywide figure nets the "
                "surplus of some townships against the others' lack." if lang == "en" else
                f"全市缺口为 {amount(c_short)}，但 {n:,} 个存在缺口的乡镇（街道）缺口合计 {amount(x)}：全市数字已用"
                "部分乡镇（街道）的富余抵扣其他乡镇（街道）的不足。")
    inside, smaller = [], []  # counties at 0 with short townships; counties short by less than their townships
    counties = [(c, [r for r in towns if str(r.get("county_code")) == str(c.get("county_code"))])
                for c in report.get("by_county") or []]
    # each county's sum of township shortfalls in whole units that add up to the city's sum as shown (each
    # rounded alone, the counties summed one off the citywide figure beside them)
    whole = dict(zip((id(c) for c, _ in counties), whole_split(short([r for _, rows in counties for r in rows]),
                                                                   [short(rows) for _, rows in counties])[1]))
    for c, rows in counties:
        # decided on the figure the sentence shows: "5 beds against 5" read as no netting at all
        if not rows or whole[id(c)] <= int(c.get("shortfall_whole", 0)) or not netted(short(rows), c):
            continue
        (inside if int(c.get("shortfall_whole", 0)) == 0 else smaller).append((c, rows))
    if inside:
        m, y = sum(len(rows) for _, rows in inside), sum(whole[id(c)] for c, _ in inside)
        every = bool(parts) and m == len(towns)  # the city's sentence already gave these numbers
        k = len(inside)
        if lang == "en":
            each = ", ".join(f"{c.get('name_en') or c.get('name')} {len(rows):,}" for c, rows in inside)
            parts.append(f"The counties of the short townships show no shortfall either ({each}): a county's figure "
                         "nets its townships the same way." if every else
                         f"In {k:,} {'county that shows' if k == 1 else 'counties that show'} no shortfall, {m:,} "
                         f"{'township is' if m == 1 else 'townships are'} short, {amount(y)} in all ({each}): a "
                         "county's figure nets its townships the same way.")
        else:
            each = "、".join(f"{c.get('name')} {len(rows):,} 个" for c, rows in inside)
            parts.append(f"存在缺口的乡镇（街道）所在县（市、区）的缺口也均为 0（{each}）：县级数字同样已在乡镇（街道）之间"
                         "相互抵扣。" if every else
                         f"在缺口为 0 的县（市、区）中，有 {k:,} 个仍有乡镇（街道）存在缺口，共 {m:,} 个，合计 {amount(y)}"
                         f"（{each}）：县级数字同样已在乡镇（街道）之间相互抵扣。")
    if smaller:
        k = len(smaller)
        if lang == "en":
            each = "; ".join(f"{c.get('name_en') or c.get('name')} {amount(whole[id(c)])} against "
                             f"{int(c.get('shortfall_whole', 0)):,}" for c, rows in smaller)
            parts.append(f"In {k:,} {'county' if k == 1 else 'counties'} the short townships lack more than the "
                         f"county's own shortfall ({each}): a county's figure nets the surplus of some of its "
                         "townships against the others' lack.")
        else:
            each = "；".join(f"{c.get('name')} {amount(whole[id(c)])}，县级 {amount(c.get('shortfall_whole', 0))}"
                            for c, rows in smaller)
            parts.append(f"有 {k:,} 个县（市、区）的乡镇（街道）缺口合计大于县级缺口（{each}）：县级数字已用"
                         "部分乡镇（街道）的富余抵扣其他乡镇（街道）的不足。")
    if parts:
        parts.append("Where places cannot be shared across township lines, the townships' shortfalls are the ones "
                     "to plan for." if lang == "en" else "容量不能跨乡镇（街道）调剂时，应以各乡镇（街道）的缺口为准。")
        report["notes"].append((" " if lang == "en" else "").join(parts))
        report.setdefault("level_notes", []).append(report["notes"][-1])
    return report


def whole_units(report: dict) -> dict:
    """Add whole-unit figures (``supply_whole``, ``required_whole``, ``shortfall_whole``) to the county rows
    and the citywide row of a capacity report's dict (``CapacityReport.to_dict``), in place; returns it.

    One rounding rule for the API, the CLI and the overview's bed table, so that they show the same numbers
    and the table adds up: the citywide supply and need are rounded to the nearest whole unit, and each is
    split over the counties by largest remainder (``geo.apportion``) so the county rows sum to the citywide
    row exactly (rounding each county on its own, or up, made the sum differ by a few beds). A shortfall is
    ``max(0, need - supply)`` of the whole numbers of its row, so every row adds up on screen.
    """
    counties = report.get("by_county") or []
    city = report["citywide"] = dict(report.get("citywide") or {})  # a copy: the report itself is cached

    for key in ("supply", "required"):
        n, parts = whole_split(city.get(key), [c.get(key) for c in counties])
        for c, v in zip(counties, parts):
            c[f"{key}_whole"] = v
        city[f"{key}_whole"] = n
    for r in [*counties, city]:
        r["shortfall_whole"] = max(0, r["required_whole"] - r["supply_whole"])
    return report


def whole_split(total, parts: list) -> tuple[int, list[int]]:
    """``total`` rounded to the nearest whole unit, and ``parts`` (its county shares) split by largest
    remainder so they add up to it: the one rounding rule of :func:`whole_units`, also used for a sized
    proposal's remaining shortfall (planner.sizing.whole_shortfall). Missing or non-finite values count 0."""
    def num(v) -> float:
        try:
            x = float(v if v is not None else 0.0)
        except (TypeError, ValueError):
            return 0.0
        return x if math.isfinite(x) else 0.0

    n = int(round(num(total)))
    w = [max(0.0, num(v)) for v in parts]
    return n, ([int(x) for x in apportion(n, w)] if n > 0 and sum(w) > 0 else [int(round(x)) for x in w])


def unknown_capacity_note(n: int, known: int, field: str, lang: str) -> str | None:
    """The sentence a report carries when some of its ``n`` facilities state no capacity (``field``): they
    count as 0, so the figures are low for want of numbers, not of facilities (QA 24: an imported register
    without its 日托位 column showed 0 everywhere on the map, without a word)."""
    unknown = int(n) - int(known)
    if unknown <= 0:
        return None
    zh_col, en_col = FIELD_COLUMNS.get(field, (field, field))
    if lang == "en":
        who = ("The one facility states no capacity" if n == 1 else
               f"None of the {n:,} facilities states a capacity" if unknown == n else
               f"{unknown:,} of the {n:,} facilities state{'s' if unknown == 1 else ''} no capacity")
        return (f"{who} ({en_col}): counted as 0, so the figures are low for want of the numbers. Fill in the "
                f"{en_col} column of the register and import it again.")
    who = f"全部 {n:,} 处设施均" if unknown == n else f"{n:,} 处设施中有 {unknown:,} 处"
    return f"{who}未填写容量（{zh_col}），按 0 计，数字偏低是缺少容量数据所致。请在名录中填写{zh_col}列后重新导入。"


#: A capacity field's register column, as a planner reads it (zh, en).
FIELD_COLUMNS = {"beds": ("床位数", "beds"), "day_places": ("日托位", "day places"),
                 "plots": ("墓穴/格位", "plots / niches"), "niches": ("墓穴/格位", "plots / niches"),
                 "meal_places": ("助餐位", "meal places")}


def _notes(rep: CapacityReport, lang: str) -> list[str]:
    unknown = unknown_capacity_note(rep.citywide.get("facilities", 0), rep.citywide.get("capacity_known", 0),
                                    rep.field, lang)
    return _sample_notes(rep, lang) + ([unknown] if unknown else [])


def _sample_notes(rep: CapacityReport, lang: str) -> list[str]:
    if lang == "en":
        out = ["Demand below county level is derived from the 2020 census by a documented rule (示意); "
               "the sums equal the census."]
        if rep.sample_types:  # some bed types imported, the others still the sample's: named
            out.append(f"The capacities of {', '.join(en for _, en in rep.sample_types)} are still the sample "
                       "register's (示意); the others are the imported register's.")
        elif rep.capacities_synthetic:
            out.append("Capacities of the sample register are synthetic (示意): load your register with its "
                       "capacity columns (床位数, 日托位, 墓穴/格位, 助餐位).")
        return out
    out = ["乡镇、村级人口由2020年人口普查县级数据按公开规则分解（示意），合计与普查一致。"]
    if rep.sample_types:
        out.append(f"{'、'.join(zh for zh, _ in rep.sample_types)}的容量仍为示例名录的合成数据（示意），其余取自已导入的名录。")
    elif rep.capacities_synthetic:
        out.append("示例名录的容量为合成数据（示意），请导入含容量列（床位数、日托位、墓穴/格位、助餐位）的实际名录。")
    return out


def _row(supply: float, known: int, n: int, demand: float, per_1000: float) -> dict:
    required = per_1000 * demand / 1000.0
    return {"facilities": int(n), "capacity_known": int(known), "supply": round(float(supply), 2),
            "demand": int(round(demand)), "required": round(required, 2),
            "ratio_per_1000": round(supply / demand * 1000.0, 3) if demand > 0 else None,
            "standard_per_1000": per_1000,
            "ratio_to_standard": round(supply / required, 4) if required > 0 else None,
            "shortfall": round(max(0.0, required - supply), 2),
            "status": "met" if supply + 1e-9 >= required else "not_met"}


def _levels(region: Region, sites: pd.DataFrame, cap: np.ndarray, known: np.ndarray,
            people: pd.DataFrame, basis: str, per_1000: float) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Per township (every township of the region), per county and citywide rows."""
    s = pd.DataFrame({"township_code": sites["township_code"].astype(str).to_numpy(),
                      "county_code": sites["county_code"].astype(str).to_numpy(), "cap": cap, "known": known})
    d = pd.DataFrame({"township_code": people["township_code"].astype(str).to_numpy(),
                      "county_code": people["county_code"].astype(str).to_numpy(),
                      "demand": people[basis].to_numpy(float)})
    rows_t, rows_c = [], []
    towns, counties = region.townships, region.counties
    sup_t = s.groupby("township_code").agg(cap=("cap", "sum"), known=("known", "sum"), n=("cap", "size"))
    dem_t = d.groupby("township_code")["demand"].sum()
    for code, t in towns.iterrows():
        g = sup_t.loc[code] if code in sup_t.index else None
        row = _row(g["cap"] if g is not None else 0.0, g["known"] if g is not None else 0,
                   g["n"] if g is not None else 0, float(dem_t.get(code, 0.0)), per_1000)
        rows_t.append({"township_code": code, "township_name": t["name"], "county_code": t["county_code"],
                       "county_name": counties.loc[t["county_code"], "name"], **row})
    sup_c = s.groupby("county_code").agg(cap=("cap", "sum"), known=("known", "sum"), n=("cap", "size"))
    dem_c = d.groupby("county_code")["demand"].sum()
    names_en = county_names_en(counties)
    for code, c in counties.iterrows():
        g = sup_c.loc[code] if code in sup_c.index else None
        row = _row(g["cap"] if g is not None else 0.0, g["known"] if g is not None else 0,
                   g["n"] if g is not None else 0, float(dem_c.get(code, 0.0)), per_1000)
        rows_c.append({"county_code": code, "name": c["name"], "name_en": names_en.get(code, c["name"]), **row})
    city = _row(float(cap.sum()), int(known.sum()), len(s), float(d["demand"].sum()), per_1000)
    by_t = pd.DataFrame(rows_t)
    # a township with no demand of this kind (e.g. no community for meal service) has nothing to meet
    by_t.loc[by_t["demand"] == 0, "status"] = "na"
    return by_t, pd.DataFrame(rows_c), city


def analyse_capacity(region: Region, type_key: str | FacilityType, *, facilities: gpd.GeoDataFrame | None = None,
                     extra_sites: pd.DataFrame | None = None) -> CapacityReport:
    """Capacity of one type against its standard (see the module doc).

    ``extra_sites`` are proposed sites (``township_code``, ``county_code`` and the
    capacity column, or ``capacity``) counted as built.
    """
    ft = type_key if isinstance(type_key, FacilityType) else get_type(type_key)
    if ft.capacity is None:
        raise no_capacity_error(ft)
    spec = ft.capacity
    sites = existing_facilities(region, ft, facilities)
    cap, known = site_capacity(sites, spec.field)
    synthetic = bool(sites["synthetic"].astype(bool).any())
    if extra_sites is not None and len(extra_sites):
        col = spec.field if spec.field in extra_sites else "capacity"
        extra_cap, extra_known = site_capacity(extra_sites, col)
        sites = pd.concat([sites[["township_code", "county_code"]],
                           extra_sites[["township_code", "county_code"]]], ignore_index=True)
        cap, known = np.concatenate([cap, extra_cap]), np.concatenate([known, extra_known])
    people = demand_villages(region, ft)
    by_t, by_c, city = _levels(region, sites, cap, known, people, spec.basis, spec.per_1000)
    if ft.demand == "county_seats":
        # One facility per county, at its seat, serving the whole county: a township's own people
        # against the beds in it would show every other township short and the seat in surplus
        # (and contradict the checklist's "no demand units here"). Compared per county only.
        by_t = by_t.assign(status="na", shortfall=0.0, ratio_per_1000=None, ratio_to_standard=None)
    return CapacityReport(key=ft.key, name_zh=ft.name_zh, name_en=ft.name_en, field=spec.field, basis=spec.basis,
                          per_1000=spec.per_1000, source=spec.source, source_zh=spec.source_zh,
                          by_township=by_t, by_county=by_c, citywide=city, types=[ft.key],
                          synthetic_inputs=synthetic or _derived(people, spec.basis), capacities_synthetic=synthetic)


def _derived(people: pd.DataFrame, band: str | None = None) -> bool:
    """Whether the demand rests on derived (not counted) village populations of ``band`` (示意): the rule the
    coverage and the proposals apply too (planner.sites.population_derived)."""
    return population_derived(people, band)


def bed_types() -> list[FacilityType]:
    """Every type whose capacity is counted in beds."""
    return [t for t in load_facility_types().values() if t.capacity and t.capacity.field == "beds"]


def analyse_beds(region: Region, *, facilities: gpd.GeoDataFrame | None = None,
                 extra_sites: pd.DataFrame | None = None) -> CapacityReport:
    """All beds (every bed type together) per 1,000 of the ``[bed_standard]`` basis, against it."""
    std = bed_standard()
    if std is None:
        raise InputDataError("The facility-types file states no [bed_standard].",
                             "设施类型文件未设定 [bed_standard]（床位配置标准）。",
                             hint_en="Add [bed_standard] basis and per_1000.",
                             hint_zh="请增加 [bed_standard] 的 basis 和 per_1000。")
    types = bed_types()
    frames = [existing_facilities(region, t, facilities) for t in types]
    sites = pd.concat([f for f in frames if len(f)] or [pd.DataFrame(columns=["township_code", "county_code",
                                                                              "synthetic"])], ignore_index=True)
    cap, known = site_capacity(sites, "beds")
    synthetic = bool(sites["synthetic"].astype(bool).any()) if len(sites) else False
    sample = [(t.name_zh, t.name_en) for t, f in zip(types, frames)
              if len(f) and "synthetic" in f and f["synthetic"].astype(bool).any()]
    if extra_sites is not None and len(extra_sites):
        col = "beds" if "beds" in extra_sites else "capacity"
        extra_cap, extra_known = site_capacity(extra_sites, col)
        sites = pd.concat([sites[["township_code", "county_code"]],
                           extra_sites[["township_code", "county_code"]]], ignore_index=True)
        cap, known = np.concatenate([cap, extra_cap]), np.concatenate([known, extra_known])
    by_t, by_c, city = _levels(region, sites, cap, known, region.villages, std["basis"], float(std["per_1000"]))
    return CapacityReport(key="beds", name_zh="养老床位（各类合计）", name_en="Elderly-care beds (all types)",
                          field="beds", basis=std["basis"], per_1000=float(std["per_1000"]),
                          source=std.get("source", ""), source_zh=std.get("source_zh", ""),
                          by_township=by_t, by_county=by_c, citywide=city, types=[t.key for t in types],
                          synthetic_inputs=synthetic or _derived(region.villages, std["basis"]),
                          capacities_synthetic=synthetic,
                          sample_types=sample if len(sample) < len([f for f in frames if len(f)]) else [])
