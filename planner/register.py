"""Load a planner's own register of existing facilities (CSV, XLSX or GeoJSON).

Registers kept in Excel are often GBK-encoded CSV, often in GCJ-02 (Amap,
Tencent) or BD-09 (Baidu) coordinates, sometimes with latitude and longitude
swapped. Everything is checked and converted here (via ``prcoords`` for the
Chinese datums) before the register meets other layers, and every problem is
reported with the rows concerned and the fix.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import prcoords

from geo import settings
from geo.errors import InputDataError
from geo.points import points_from_table, read_points_csv
from geo.regions import Region
from planner.facility_types import load_facility_types

TYPE_ALIASES = ("facility_type", "type", "类型", "设施类型")
NAME_ALIASES = ("name", "名称", "设施名称")
COORDS = ("wgs84", "gcj02", "bd09")
_CONVERT = {"gcj02": prcoords.gcj_wgs_bored, "bd09": prcoords.bd_wgs_bored}


def _pick(df: pd.DataFrame, names) -> str | None:
    lower = {str(c).lower().strip(): c for c in df.columns}
    return next((lower[n] for n in names if n in lower), None)


def _read_table(path: Path, region_name: str) -> gpd.GeoDataFrame:
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json", ".gpkg", ".shp"):
        try:
            gdf = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises several types for unreadable files
            raise InputDataError(f"{path.name}: cannot read as a GIS layer ({exc}).",
                                 f"{path.name}：无法作为GIS图层读取（{exc}）。") from exc
        if gdf.crs is not None:
            gdf = gdf.to_crs(settings.STORAGE_CRS)
        if len(gdf) == 0:
            raise InputDataError(f"{path.name} has no features.", f"{path.name} 中没有要素。")
        if not (gdf.geometry.geom_type == "Point").all():
            raise InputDataError(f"{path.name}: facilities must be points.", f"{path.name}：设施须为点要素。")
        id_col = _pick(gdf, ("id", "编号", "code"))
        gdf["id"] = gdf[id_col].astype(str) if id_col else [f"row-{i + 1}" for i in range(len(gdf))]
        gdf["lon"], gdf["lat"] = gdf.geometry.x, gdf.geometry.y
        return gdf
    if suffix in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(path, dtype=str, engine="openpyxl", keep_default_na=False)
        except Exception as exc:
            raise InputDataError(f"{path.name}: cannot read the workbook ({exc}).",
                                 f"{path.name}：无法读取Excel工作簿（{exc}）。",
                                 hint_en="Save it as .xlsx.", hint_zh="请另存为 .xlsx 格式。") from exc
        return points_from_table(df, label=path.name)
    if suffix in (".csv", ".txt"):
        return read_points_csv(path)
    raise InputDataError(f"{path.name}: unsupported file type '{suffix}'.",
                         f"{path.name}：不支持的文件类型“{suffix}”。",
                         hint_en="Use .csv, .xlsx or .geojson.", hint_zh="请使用 .csv、.xlsx 或 .geojson 文件。")


def load_register(path: str | Path, *, region: Region, coords: str = "wgs84",
                  facility_type: str | None = None) -> gpd.GeoDataFrame:
    """Read, check and convert a facility register.

    Parameters
    ----------
    path : path
        ``.csv`` (UTF-8 or GBK), ``.xlsx`` or ``.geojson`` with columns ``id``,
        ``name``, ``facility_type`` (or 类型), ``lon``, ``lat`` (or 经度/纬度);
        optional ``township_code``, ``built_year``, ``coords`` (per-row datum).
    region : Region
        The region the facilities must lie in.
    coords : {"wgs84", "gcj02", "bd09"}
        Datum of the coordinates (a ``coords`` column overrides it per row).
    facility_type : str, optional
        Type of every row when the file has no type column.

    Returns
    -------
    GeoDataFrame
        ``id, name, facility_type, township_code, county_code, synthetic=False,
        source`` and any extra columns, in WGS84.
    """
    path = Path(path)
    if coords not in COORDS:
        raise InputDataError(f"Unknown coordinate system '{coords}'; use {', '.join(COORDS)}.",
                             f"未知坐标系“{coords}”；可选 {'、'.join(COORDS)}。")
    gdf = _read_table(path, region.name)
    types = load_facility_types()
    tcol = _pick(gdf, TYPE_ALIASES)
    if tcol is None and facility_type is None:
        raise InputDataError(f"{path.name}: no facility_type column.",
                             f"{path.name}：缺少 facility_type（设施类型）列。",
                             hint_en=f"Add a column facility_type with one of: {', '.join(types)}.",
                             hint_zh=f"请增加 facility_type 列，取值为：{'、'.join(types)}。")
    ftypes = gdf[tcol].astype(str).str.strip() if tcol else pd.Series(facility_type, index=gdf.index)
    # accept Chinese type names too
    by_name = {t.name_zh: k for k, t in types.items()}
    ftypes = ftypes.map(lambda v: by_name.get(v, v))
    unknown = sorted(set(ftypes) - set(types))
    if unknown:
        raise InputDataError(f"{path.name}: unknown facility type(s) {unknown}.",
                             f"{path.name}：未知的设施类型 {unknown}。",
                             hint_en=f"Known types: {', '.join(types)}.",
                             hint_zh=f"可用类型：{'、'.join(f'{k}（{t.name_zh}）' for k, t in types.items())}。",
                             details={"unknown": unknown})
    ncol = _pick(gdf, NAME_ALIASES)
    names = gdf[ncol].astype(str) if ncol else gdf["id"]

    lon, lat = gdf["lon"].to_numpy(float, copy=True), gdf["lat"].to_numpy(float, copy=True)
    ccol = _pick(gdf, ("coords", "坐标系", "datum"))
    datum = gdf[ccol].astype(str).str.lower().str.replace("-", "").str.strip() if ccol \
        else pd.Series(coords, index=gdf.index)
    bad = sorted(set(datum) - set(COORDS))
    if bad:
        raise InputDataError(f"{path.name}: unknown coordinate system(s) {bad} in column {ccol}.",
                             f"{path.name}：{ccol} 列中有未知坐标系 {bad}。",
                             hint_en="Use wgs84, gcj02 or bd09.", hint_zh="请填写 wgs84、gcj02 或 bd09。")
    for d, fn in _CONVERT.items():
        for i in np.flatnonzero((datum == d).to_numpy()):
            c = fn(prcoords.Coords(lat=lat[i], lon=lon[i]))
            lat[i], lon[i] = c.lat, c.lon
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=gdf.index, crs=settings.STORAGE_CRS)

    towns = region.townships
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=pts), towns[["code", "county_code", "geometry"]],
                       how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    outside = joined["code"].isna().to_numpy()
    if outside.any():
        ids = gdf["id"][outside].tolist()
        raise InputDataError(
            f"{path.name}: {int(outside.sum())} facilit(ies) lie outside {region.label['en']}: {ids[:10]}.",
            f"{path.name}：有 {int(outside.sum())} 处设施不在{region.label['zh']}范围内：{ids[:10]}。",
            hint_en="Check the coordinates; if they come from Amap/Tencent use --coords gcj02, "
                    "from Baidu --coords bd09.",
            hint_zh="请核对坐标；如来自高德/腾讯地图请选择 gcj02，来自百度地图请选择 bd09。",
            details={"ids": ids})
    township = joined["code"].astype(str)
    given = _pick(gdf, ("township_code", "乡镇代码"))
    if given:
        codes = gdf[given].astype(str).str.strip()
        unknown_codes = sorted(set(codes[codes != ""]) - set(towns.index))
        if unknown_codes:
            raise InputDataError(f"{path.name}: unknown township code(s) {unknown_codes[:10]}.",
                                 f"{path.name}：未知的乡镇代码 {unknown_codes[:10]}。",
                                 hint_en="Use the 9-digit NBS 2023 codes (e.g. 420302001), or leave the "
                                         "column empty to place facilities by their coordinates.",
                                 hint_zh="请使用9位统计用区划代码（如420302001），或留空由坐标自动判断所属乡镇。",
                                 details={"unknown": unknown_codes})
        # the stated code wins: township polygons here are approximate (示意)
        township = codes.where(codes != "", township)
    out = gpd.GeoDataFrame({
        "id": gdf["id"].astype(str).values, "name": names.values, "facility_type": ftypes.values,
        "township_code": township.values,
        "county_code": township.str[:6].values,
        "synthetic": False, "source": path.name,
    }, geometry=pts.values, crs=settings.STORAGE_CRS)
    if "built_year" in gdf:
        out["built_year"] = pd.to_numeric(gdf["built_year"], errors="coerce").values
    return out.set_index("id", drop=False).rename_axis(None)
