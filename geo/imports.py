"""A planner's authoritative data replacing the embedded approximations.

Township boundaries from the 区划地名 database and village coordinates from a
village list are imported once (``coverplan region import ...``), checked, and
kept beside the user's other saved work (``settings.VAR_DIR/regions/<name>``);
:func:`geo.regions.load_region` applies them on every load. Imported layers
are flagged ``official``; what stays approximate keeps its flag.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.errors import InputDataError

CODE_ALIASES = ("code", "township_code", "代码", "区划代码", "乡镇代码", "xzqdm", "qhdm")
TOWNSHIPS_FILE = "townships_official.geojson"
VILLAGES_FILE = "villages_official.csv"


def user_dir(name: str) -> Path:
    return settings.VAR_DIR / "regions" / name


def _code_column(df: pd.DataFrame, label: str) -> str:
    lower = {str(c).lower().strip(): c for c in df.columns}
    for alias in CODE_ALIASES:
        if alias in lower:
            return lower[alias]
    raise InputDataError(f"{label}: no code column (found: {', '.join(map(str, df.columns))}).",
                         f"{label}：缺少代码列（现有列：{'、'.join(map(str, df.columns))}）。",
                         hint_en="Name the column with the 9-digit township codes `code`.",
                         hint_zh="请将9位乡镇区划代码所在列命名为 code 或“代码”。")


def _normalise_codes(codes: pd.Series, width: int) -> pd.Series:
    """Official codes come as 9 or 12 digits (with trailing zeros); keep the first ``width``."""
    c = codes.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return c.where(c.str.len() <= width, c.str[:width])


def import_townships(region, path: str | Path) -> dict:
    """Check and store official township polygons for ``region``; return a summary.

    Parameters
    ----------
    region : geo.regions.Region
        The embedded region (codes and counties to check against).
    path : path
        GeoJSON, GeoPackage or Shapefile of polygons with a code column
        (9-digit, or 12-digit with trailing zeros). Any CRS; a file without
        one is taken as WGS84/CGCS2000.
    """
    path = Path(path)
    label = path.name
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputDataError(f"{label}: cannot read as a GIS layer ({exc}).",
                             f"{label}：无法作为GIS图层读取（{exc}）。",
                             hint_en="Use GeoJSON, GeoPackage or a zipped Shapefile.",
                             hint_zh="请使用 GeoJSON、GeoPackage 或 Shapefile 文件。") from exc
    if len(gdf) == 0:
        raise InputDataError(f"{label} has no features.", f"{label} 中没有要素。")
    gdf = gdf.set_crs(settings.STORAGE_CRS) if gdf.crs is None else gdf.to_crs(settings.STORAGE_CRS)
    col = _code_column(gdf, label)
    codes = _normalise_codes(gdf[col], 9)
    known = set(region.townships.index)
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InputDataError(f"{label}: {len(unknown)} unknown township code(s): {unknown[:10]}.",
                             f"{label}：有 {len(unknown)} 个未知的乡镇代码：{unknown[:10]}。",
                             hint_en="Codes must be the NBS 2023 township codes of this region "
                                     "(e.g. 420302001).",
                             hint_zh="代码须为本地区2023年统计用区划代码中的乡镇代码（如420302001）。",
                             details={"unknown": unknown})
    dup = sorted(set(codes[codes.duplicated()]))
    if dup:
        raise InputDataError(f"{label}: duplicate township code(s) {dup[:10]}.",
                             f"{label}：乡镇代码重复：{dup[:10]}。", hint_en="One polygon per township.",
                             hint_zh="每个乡镇只能有一个面。", details={"duplicates": dup})
    kinds = gdf.geometry.geom_type
    bad = codes[~kinds.isin(["Polygon", "MultiPolygon"]) | gdf.geometry.is_empty].tolist()
    if bad:
        raise InputDataError(f"{label}: not polygons for {bad[:10]}.", f"{label}：{bad[:10]} 不是面要素。")
    geoms = gdf.geometry.make_valid()
    county = region.counties.loc[codes.str[:6], "geometry"].values
    share = shapely.area(shapely.intersection(geoms.values, county)) / shapely.area(geoms.values)
    off = codes[share < 0.5].tolist()
    if off:
        raise InputDataError(
            f"{label}: {len(off)} polygon(s) lie mostly outside their county: {off[:10]}.",
            f"{label}：有 {len(off)} 个乡镇面大部分不在所属县区内：{off[:10]}。",
            hint_en="Check the coordinate system (GCJ-02 data must be converted; the file's CRS must be set).",
            hint_zh="请检查坐标系（GCJ-02数据须先转换；文件须带有正确的坐标系定义）。",
            details={"codes": off})
    out = gpd.GeoDataFrame({"code": codes.values}, geometry=geoms.values, crs=settings.STORAGE_CRS)
    target = user_dir(region.name)
    target.mkdir(parents=True, exist_ok=True)
    out.to_file(target / TOWNSHIPS_FILE, driver="GeoJSON")
    _note(region.name, "townships", {"file": label, "count": int(len(out)), "imported_at": time.time()})
    return {"layer": "townships", "imported": int(len(out)), "of": int(len(known)), "file": label}


def import_villages(region, path: str | Path) -> dict:
    """Check and store official village/community coordinates (CSV ``code,lon,lat``)."""
    from geo.points import read_points_csv

    path = Path(path)
    pts = read_points_csv(path, region=region.name if region.name == "shiyan" else None)
    codes = _normalise_codes(pts["id"], 12)
    unknown = sorted(set(codes) - set(region.villages.index))
    if unknown:
        raise InputDataError(f"{path.name}: {len(unknown)} unknown village code(s): {unknown[:10]}.",
                             f"{path.name}：有 {len(unknown)} 个未知的村（社区）代码：{unknown[:10]}。",
                             hint_en="Use the 12-digit NBS 2023 village codes (e.g. 420302001001).",
                             hint_zh="请使用12位统计用区划代码（如420302001001）。",
                             details={"unknown": unknown})
    target = user_dir(region.name)
    target.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"code": codes, "lon": pts["lon"], "lat": pts["lat"]}).to_csv(
        target / VILLAGES_FILE, index=False)
    _note(region.name, "villages", {"file": path.name, "count": int(len(pts)), "imported_at": time.time()})
    return {"layer": "villages", "imported": int(len(pts)), "of": int(len(region.villages)), "file": path.name}


def clear_imports(name: str) -> None:
    """Forget every import for region ``name`` (back to the embedded approximations)."""
    shutil.rmtree(user_dir(name), ignore_errors=True)


def _note(name: str, layer: str, meta: dict) -> None:
    path = user_dir(name) / "imports.json"
    notes = json.loads(path.read_text("utf-8")) if path.exists() else {}
    notes[layer] = meta
    path.write_text(json.dumps(notes, ensure_ascii=False, indent=2), encoding="utf-8")


def _inside_point(poly, seed: int):
    """A deterministic point inside ``poly`` (a synthetic village that fell outside new boundaries)."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = poly.bounds
    for _ in range(200):
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if poly.contains(shapely.Point(x, y)):
            return shapely.Point(x, y)
    return poly.representative_point()


def apply_imports(region):
    """Return ``region`` with the user's imports applied (unchanged when there are none)."""
    folder = user_dir(region.name)
    notes_path = folder / "imports.json"
    if not notes_path.exists():
        return region
    notes = json.loads(notes_path.read_text("utf-8"))
    towns, vills = region.townships.copy(), region.villages.copy()
    if (folder / TOWNSHIPS_FILE).exists():
        off = gpd.read_file(folder / TOWNSHIPS_FILE).set_crs(settings.STORAGE_CRS, allow_override=True)
        off["code"] = off["code"].astype(str)
        off = off.set_index("code")
        for county_code, county in region.counties.iterrows():
            mine = off[off.index.str[:6] == county_code]
            if len(mine) == 0:
                continue
            clipped = mine.geometry.intersection(county.geometry)
            taken = shapely.union_all(clipped.values)
            for code in towns.index[towns["county_code"] == county_code]:
                if code in clipped.index:
                    towns.loc[code, "geometry"] = clipped[code]
                    towns.loc[code, "geometry_quality"] = "official"
                else:
                    rest = towns.loc[code, "geometry"].difference(taken)
                    if not rest.is_empty:  # the approximate unit gives way to official neighbours
                        towns.loc[code, "geometry"] = rest
        towns = gpd.GeoDataFrame(towns, geometry="geometry", crs=settings.STORAGE_CRS)
        towns["area_km2"] = (towns.to_crs(settings.METRIC_CRS).area / 1e6).round(3)
        seats = gpd.GeoSeries(shapely.points(towns["seat_lon"], towns["seat_lat"]), index=towns.index,
                              crs=settings.STORAGE_CRS)
        moved = ~towns.geometry.contains(seats)
        rep = towns.geometry[moved].representative_point()
        towns.loc[moved, "seat_lon"], towns.loc[moved, "seat_lat"] = rep.x.values, rep.y.values
        towns.loc[moved, "seat_method"] = "moved inside the imported boundary"
        # synthetic villages that the new boundaries leave outside their township move inside it
        poly = towns.loc[vills["township_code"], "geometry"].values
        outside = ~shapely.contains(poly, vills.geometry.values) & (vills["location_quality"] == "synthetic").values
        for code in vills.index[outside]:
            vills.loc[code, "geometry"] = _inside_point(towns.loc[vills.loc[code, "township_code"], "geometry"],
                                                        int(code))
    if (folder / VILLAGES_FILE).exists():
        pts = pd.read_csv(folder / VILLAGES_FILE, dtype={"code": str})
        pts = pts[pts["code"].isin(vills.index)]
        vills.loc[pts["code"], "geometry"] = shapely.points(pts["lon"], pts["lat"])
        vills.loc[pts["code"], "location_quality"] = "official"
    vills = gpd.GeoDataFrame(vills, geometry="geometry", crs=settings.STORAGE_CRS)
    provenance = json.loads(json.dumps(region.provenance))
    layers = provenance.setdefault("layers", {})
    if "townships" in notes:
        n = notes["townships"]
        layers.setdefault("townships", {}).update({
            "imported": n, "geometry_quality": "official" if (towns["geometry_quality"] == "official").all()
            else "mixed", "synthetic": bool((towns["geometry_quality"] != "official").any())})
    if "villages" in notes:
        n = notes["villages"]
        layers.setdefault("villages", {}).update({
            "imported": n, "location_quality": "official" if (vills["location_quality"] == "official").all()
            else "mixed", "synthetic": bool((vills["location_quality"] != "official").any())})
    return type(region)(name=region.name, counties=region.counties, townships=towns, villages=vills,
                        facilities=region.facilities, scenic_areas=region.scenic_areas, provenance=provenance)
