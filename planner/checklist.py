"""Township checklist: for each township and facility type, is the plan's rule met, and if not why."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from geo.regions import Region
from planner.coverage import Coverage, analyse_coverage
from planner.facility_types import FacilityType, get_type, load_facility_types

STATUSES = ("met", "not_met", "na")


def _fmt(cost: float, unit: str, lang: str) -> str:
    if not np.isfinite(cost):
        return "unreachable" if lang == "en" else "不可达"
    if unit == "m":
        return f"{cost / 1000:.1f} km" if lang == "en" else f"{cost / 1000:.1f}公里"
    return f"{cost:.0f} min" if lang == "en" else f"{cost:.0f}分钟"


def _unit_standard(ft: FacilityType, unit, lang: str) -> str:
    """The standard that applies to one demand unit (a row of the coverage's units): its own, urban or rural,
    where the type's differ (QA 36: an urban unit 1.5 km away read "standard urban 1 km / rural 1.5 km", as if
    within it); the type's one standard otherwise."""
    if ft.standard_urban == ft.standard_rural or unit is None:
        return ("standard " if lang == "en" else "标准") + ft.standard_text(lang)
    urban = bool(unit["urban"])
    v = unit.get("standard")
    v = float(v) if pd.notna(v) else (ft.standard_urban if urban else ft.standard_rural)
    one = dataclasses.replace(ft, standard_urban=v, standard_rural=v).standard_text(lang)
    if lang == "en":
        return f"{'urban' if urban else 'rural'} standard {one}"
    return f"{'城镇' if urban else '农村'}标准{one}"


def checklist_from_coverage(region: Region, cov: Coverage) -> pd.DataFrame:
    """One row per township (all of the region's), from a computed coverage.

    The counts come from ``cov.by_township`` (townships without demand units
    get zeros); only the two costs the reasons quote are added here.
    """
    ft, u = cov.ftype, cov.units
    fac_per_town = cov.facilities.groupby("township_code").size()
    agg = cov.by_township.reindex(region.townships.index)
    counts = agg[["units", "covered_units", "weight", "covered_weight"]].fillna(0).astype(int)
    nearest = u.groupby("township_code")["cost"].min().reindex(region.townships.index)
    farthest_out = u.loc[~u["covered"]].groupby("township_code")["cost"].max()
    # the units those two costs are of, whose own standard (urban or rural) the reason quotes
    ranked = u.assign(_c=u["cost"].astype(float)).sort_values("_c", kind="stable")
    nearest_unit = ranked.drop_duplicates("township_code", keep="first").set_index("township_code")
    farthest_unit = ranked.loc[~ranked["covered"].astype(bool)].drop_duplicates(
        "township_code", keep="last").set_index("township_code")
    rows = []
    for code, t in region.townships.iterrows():
        n_fac = int(fac_per_town.get(code, 0))
        c = counts.loc[code]
        n_units, n_cov = int(c["units"]), int(c["covered_units"])
        near = float(nearest.get(code, np.inf)) if n_units else np.inf
        row = {"township_code": code, "township_name": t["name"], "county_code": t["county_code"],
               "county_name": region.counties.loc[t["county_code"], "name"], "type": ft.key,
               "type_name_zh": ft.name_zh, "type_name_en": ft.name_en,
               "facilities": n_fac, "units": n_units, "covered_units": n_cov,
               "uncovered_units": n_units - n_cov,
               "weight": int(c["weight"]), "covered_weight": int(c["covered_weight"])}
        if ft.checklist == "facility_in_township" and n_units == 0:
            # e.g. a rural welfare home in an urban subdistrict: the rule does not apply there, a facility there
            # or not (QA 36: one with a facility read "met", "0/0 units within the standard")
            status, zh, en = "na", "本乡镇无此类需求单元", "no demand unit of this type here"
            if n_fac:
                zh, en = "本乡镇无此类需求单元可服务", "no demand unit of this type here to serve"
            if ft.demand == "rural_villages":
                zh = f"本乡镇（街道）只有社区，没有行政村，不属{ft.name_zh}服务范围"
                en = f"only communities here, no administrative village: not served by {ft.name_en.lower()}s"
            elif ft.demand == "rural_township_seats" and t.get("kind_group") == "urban":
                zh = f"城区单元（街道，或以社区为主的开发区），不属{ft.name_zh}服务范围"
                en = f"urban unit (a subdistrict, or a development zone mostly of communities): not served by {ft.name_en.lower()}s"
            if n_fac:
                zh = f"乡镇内有{n_fac}处，但{zh}（不适用）"
                en = f"{n_fac} in the township, but {en} (not applicable)"
        elif ft.checklist == "facility_in_township":
            met = n_fac > 0
            if met:
                zh = f"乡镇内有{n_fac}处；{n_cov}/{n_units}个单元在服务标准内"
                en = f"{n_fac} in the township; {n_cov}/{n_units} units within the standard"
            else:
                zh = (f"乡镇内无设施（最近设施{_fmt(near, ft.unit, 'zh')}）；"
                      f"{n_units - n_cov}/{n_units}个单元未覆盖")
                en = (f"no facility in the township (nearest {_fmt(near, ft.unit, 'en')}); "
                      f"{n_units - n_cov}/{n_units} units uncovered")
            status = "met" if met else "not_met"
        elif n_units == 0:
            status, zh, en = "na", "本乡镇无此类需求单元", "no demand unit of this type here"
        elif n_cov == n_units:
            status = "met"
            zh = f"全部{n_units}个单元已覆盖" if n_units > 1 else "唯一的需求单元已覆盖"
            en = f"all {n_units} units covered" if n_units > 1 else "its one demand unit is covered"
        else:
            status = "not_met"
            far = float(farthest_out.get(code, np.inf))
            if not np.isfinite(far):
                zh, en = "无可达设施", "no facility within reach"
            elif ft.rule == "inside":
                zh, en = "辖区内无设施", "no facility inside the area"
            elif n_fac == 0 and n_cov == 0:
                unit = nearest_unit.loc[code] if code in nearest_unit.index else None
                zh = f"无设施，最近设施{_fmt(near, ft.unit, 'zh')}（{_unit_standard(ft, unit, 'zh')}）"
                en = f"no facility; nearest {_fmt(near, ft.unit, 'en')} ({_unit_standard(ft, unit, 'en')})"
            else:
                unit = farthest_unit.loc[code] if code in farthest_unit.index else None
                zh = (f"{n_units - n_cov}/{n_units}个单元未覆盖，最远{_fmt(far, ft.unit, 'zh')}"
                      f"（{_unit_standard(ft, unit, 'zh')}）")
                en = (f"{n_units - n_cov} of {n_units} units uncovered, farthest "
                      f"{_fmt(far, ft.unit, 'en')} ({_unit_standard(ft, unit, 'en')})")
        row.update({"status": status, "reason_zh": zh, "reason_en": en})
        rows.append(row)
    return pd.DataFrame(rows)


def check_townships(region: Region, type_key: str | FacilityType | None = None, *,
                    facilities=None, extra_sites=None, mode: str = "estimate", graph=None,
                    params=None) -> pd.DataFrame:
    """Checklist rows for one type, or for every type when ``type_key`` is None.

    Columns: township_code, township_name, county_code, county_name, type,
    status ('met' / 'not_met' / 'na'), reason_zh, reason_en, facilities,
    units, covered_units, uncovered_units, weight, covered_weight.
    """
    keys = [type_key] if type_key is not None else list(load_facility_types())
    frames = []
    for k in keys:
        ft = k if isinstance(k, FacilityType) else get_type(k)
        cov = analyse_coverage(region, ft, facilities=facilities,
                               extra_sites=extra_sites if type_key is not None else None,
                               mode=mode, graph=graph, params=params)
        frames.append(checklist_from_coverage(region, cov))
    return pd.concat(frames, ignore_index=True)
