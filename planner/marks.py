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

MARK_ZH = {"required": "必选", "forbidden": "禁选"}


def township_at(region: Region, lon: float, lat: float) -> str:
    """Code of the township a clicked point lies in; a clear error when it is outside the region."""
    import shapely

    hit = region.townships.index[region.townships.geometry.covers(shapely.Point(float(lon), float(lat)))]
    if not len(hit):
        raise InputDataError(f"The point ({lon:.5f}, {lat:.5f}) is outside the region.",
                             f"点位（{lon:.5f}，{lat:.5f}）不在本区域内。",
                             hint_en="Click inside a township.", hint_zh="请在乡镇范围内点击。")
    return hit[0]


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
        raise InputDataError(f"Unknown mark “{mark}”: use required, forbidden or nothing (clear).",
                             f"未知的标记“{mark}”：只能为 required（必选）、forbidden（禁选）或空（取消）。",
                             details={"parameter": "mark", "value": str(mark)})
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
    held = table[(table["candidate_id"] == candidate_id) & table["facility_type"].isin([ftype.key, ALL_TYPES])]
    if mark and len(held) == 1 and (held["facility_type"].iloc[0], held["mark"].iloc[0]) == (scope, mark) \
            and str(held["note"].fillna("").iloc[0]) == note[:200]:
        # the same mark again (a double click, a retried request) would make an empty data version
        where_zh, where_en = ("全部类型", "all types") if all_types else (ftype.name("zh"), ftype.name("en"))
        raise InputDataError(f"Candidate site {candidate_id!r} is already marked {mark} ({where_en}) with this note: "
                             "nothing to change.",
                             f"候选点“{candidate_id}”已标为{MARK_ZH[mark]}（{where_zh}），备注相同：没有需要修改的内容。",
                             details={"parameter": "mark", "value": mark})
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
    zh = {**MARK_ZH, "": "取消标记"}[mark]
    en = {"required": "required", "forbidden": "forbidden", "": "mark cleared"}[mark]
    where_zh, where_en = ("全部类型", "all types") if all_types else (ftype.name("zh"), ftype.name("en"))
    text = {"zh": f"候选点 {name} {zh}（{where_zh}）", "en": f"candidate {name} {en} ({where_en})"}
    return table[MARK_COLUMNS].reset_index(drop=True), name, text


def changed_sites(region: Region, action: str, *, site_id: str | None = None, name: str = "",
                  lon: float | None = None, lat: float | None = None, type_key: str = "*",
                  note: str = "", number: int = 1) -> tuple:
    """The planner-added candidate sites with one change: ``add``, ``move`` or ``remove``.

    ``type_key`` is the type the new site is offered to (``*``: every type). The point must
    lie in a township of the region. A new site's id is ``cand-plan-NNNN`` from ``number`` on (the
    web app passes the data version the edit makes, so a removed site's id is never reused).
    Returns (sites, the site's id, note text {"zh", "en"}).
    """
    import geopandas as gpd
    import shapely

    from geo import settings
    from geo.datasets import SITE_COLUMNS, empty_sites

    sites = region.planner_sites
    # a layer whose last site was removed may come back without its columns: as the empty layer
    if sites is None or not len(sites):
        sites = empty_sites()
    sites = sites[SITE_COLUMNS + ["geometry"]].copy()
    if action != "add" and site_id not in set(sites["id"]):
        raise NotFoundError(f"No candidate site {site_id!r} added by a planner.",
                            f"没有规划人员添加的候选点“{site_id}”。",
                            hint_en="Only sites added on the map can be moved or removed; other candidates "
                                    "can be marked forbidden.",
                            hint_zh="只有在地图上添加的候选点可以移动或删除；其他候选点可标为禁选。")
    point = None
    if action in ("add", "move"):
        township_at(region, lon, lat)
        point = shapely.Point(float(lon), float(lat))
    if action == "add":
        n = number
        while f"cand-plan-{n:04d}" in set(sites["id"]):
            n += 1
        site_id = f"cand-plan-{n:04d}"
        new = gpd.GeoDataFrame([{"id": site_id, "name": name, "facility_type": type_key, "note": note[:200],
                                 "geometry": point}], geometry="geometry", crs=settings.STORAGE_CRS)
        sites = gpd.GeoDataFrame(pd.concat([sites, new], ignore_index=True), geometry="geometry",
                                 crs=settings.STORAGE_CRS)
        # a version's note names the site and its id (QA 32: the list named a new site by name, others by id)
        text = {"zh": f"新增候选点 {name}（{site_id}）", "en": f"added candidate site {name} ({site_id})"}
    elif action == "move":
        was = str(sites.loc[sites["id"] == site_id, "name"].iloc[0] or "")
        sites.loc[sites["id"] == site_id, "geometry"] = point
        text = ({"zh": f"移动候选点 {was}（{site_id}）", "en": f"moved candidate site {was} ({site_id})"} if was else
                {"zh": f"移动候选点 {site_id}", "en": f"moved candidate site {site_id}"})
    elif action == "remove":
        was = str(sites.loc[sites["id"] == site_id, "name"].iloc[0] or "")
        sites = sites[sites["id"] != site_id]
        text = ({"zh": f"删除候选点 {was}（{site_id}）", "en": f"removed candidate site {was} ({site_id})"} if was else
                {"zh": f"删除候选点 {site_id}", "en": f"removed candidate site {site_id}"})
    else:
        raise InputDataError(f"Unknown action {action!r} (add, move or remove).",
                             f"未知操作 {action!r}（add、move 或 remove）。")
    return gpd.GeoDataFrame(sites.reset_index(drop=True), geometry="geometry", crs=settings.STORAGE_CRS), site_id, text
