"""The planner's required/forbidden marks on candidate sites, changed one at a time.

The marks are a dataset layer (``geo.datasets.MARKS``); this module checks one
change against the type's candidate sites and returns the whole new table,
which the web editor and ``coverplan data mark`` both commit as a new version.
"""
from __future__ import annotations

import pandas as pd

from geo.datasets import ALL_TYPES, MARK_COLUMNS, MARK_VALUES, empty_marks
from geo.errors import InputDataError, NotFoundError
from geo.regions import Region
from planner.coverage import existing_facilities
from planner.facility_types import FacilityType
from planner.sites import candidate_sites


def changed_marks(region: Region, ftype: FacilityType, candidate_id: str, mark: str, *,
                  all_types: bool = False, note: str = "") -> tuple[pd.DataFrame, str, dict]:
    """The marks table with one candidate's mark set (``mark`` = "" clears it).

    Parameters
    ----------
    candidate_id : str
        A candidate site of ``ftype`` (``cand-...``; existing facilities are open anyway).
    mark : {"required", "forbidden", ""}
    all_types : bool
        The mark holds for every facility type (land that is not available is not
        available to any of them); otherwise for ``ftype`` only.

    Returns
    -------
    (table, candidate name, note text in both languages as {"zh", "en"})
    """
    if mark not in MARK_VALUES + ("",):
        raise InputDataError(f"Unknown mark {mark!r}: use required, forbidden or nothing (clear).",
                             f"未知的标记 {mark!r}：只能为 required（必选）、forbidden（禁选）或空（取消）。")
    cands = candidate_sites(region, ftype, existing_facilities(region, ftype))
    cands = cands[~cands["existing"].astype(bool)]
    hit = cands[cands["id"] == candidate_id]
    if hit.empty:
        raise NotFoundError(f"No candidate site {candidate_id!r} for {ftype.name('en')}.",
                            f"{ftype.name('zh')}没有候选点“{candidate_id}”。",
                            hint_en="Candidate ids are shown on the coverage map's candidate layer (cand-...).",
                            hint_zh="候选点编号见覆盖图的“候选点”图层（cand-...）。")
    name = str(hit["name"].iloc[0])
    table = region.site_marks if region.site_marks is not None else empty_marks()
    scope = ALL_TYPES if all_types else ftype.key
    # One mark per candidate and scope. The planner sets a mark looking at this type, so an
    # all-types mark replaces this type's own one too (it would win otherwise); clearing
    # removes both.
    drop = (table["candidate_id"] == candidate_id) & table["facility_type"].isin(
        [ftype.key] if mark and not all_types else [ftype.key, ALL_TYPES])
    if not mark and not drop.any():
        raise NotFoundError(f"Candidate site {candidate_id!r} has no mark to clear.",
                            f"候选点“{candidate_id}”没有可取消的标记。")
    table = table[~drop]
    if mark:
        table = pd.concat([table, pd.DataFrame([{"candidate_id": candidate_id, "facility_type": scope,
                                                 "mark": mark, "note": note[:200]}])], ignore_index=True)
    zh = {"required": "必选", "forbidden": "禁选", "": "取消标记"}[mark]
    en = {"required": "required", "forbidden": "forbidden", "": "mark cleared"}[mark]
    where_zh, where_en = ("全部类型", "all types") if all_types else (ftype.name("zh"), ftype.name("en"))
    text = {"zh": f"候选点 {name} {zh}（{where_zh}）", "en": f"candidate {name} {en} ({where_en})"}
    return table[MARK_COLUMNS].reset_index(drop=True), name, text
