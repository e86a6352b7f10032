"""Load an embedded region: counties, townships, villages and facilities with provenance.

>>> from geo.regions import load_region
>>> region = load_region("shiyan")
>>> len(region.townships)
129
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.errors import UnknownRegionError

POP_BANDS = ("population", "aged_60", "aged_65", "aged_80")

_BUILDERS = {"shiyan": "geo.build_region.shiyan"}
_cache: dict[str, "Region"] = {}
_embedded: dict[str, "Region"] = {}  # as shipped, before the planner's imports
_lock = threading.Lock()


@dataclass
class Region:
    """Layers of one region, in WGS84, each with its provenance.

    Attributes
    ----------
    name : str
        Region key, e.g. ``"shiyan"``.
    counties, townships, villages, facilities, scenic_areas : geopandas.GeoDataFrame
        Indexed by official code (facilities and scenic areas by id).
    provenance : dict
        Per-layer source and quality flags, as written by the build.
    dataset_version : int or None
        The dataset version (``geo.datasets``) these layers are, when they come
        from the versioned store; None for the embedded layers and legacy imports.
    """

    name: str
    counties: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    scenic_areas: gpd.GeoDataFrame
    provenance: dict = field(default_factory=dict)
    dataset_version: int | None = None

    @property
    def label(self) -> dict:
        return {"zh": self.provenance.get("name_zh", self.name), "en": self.provenance.get("name_en", self.name)}


def region_dir(name: str) -> Path:
    return settings.DATA_DIR / "regions" / name


def available_regions() -> list[str]:
    root = settings.DATA_DIR / "regions"
    return sorted(p.name for p in root.iterdir() if (p / "source").is_dir()) if root.is_dir() else []


def build_region(name: str = settings.DEFAULT_REGION, *, out: Path | None = None) -> dict:
    """(Re)build a region's layers from its shipped sources; return the summary."""
    import importlib

    if name not in _BUILDERS:
        raise UnknownRegionError(
            f"Unknown region {name!r}; available: {', '.join(available_regions()) or 'none'}.",
            f"未知区域“{name}”；可用区域：{'、'.join(available_regions()) or '无'}。")
    module = importlib.import_module(_BUILDERS[name])
    summary = module.build(out=out)
    _cache.pop(name, None)
    _embedded.pop(name, None)
    return summary


def _read(path: Path, index: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path)
    gdf = gdf.set_crs(settings.STORAGE_CRS, allow_override=True)
    for col in ("code", "county_code", "township_code", "id"):
        if col in gdf.columns:
            gdf[col] = gdf[col].astype(str)
    return gdf.set_index(index, drop=False).rename_axis(None)


def load_region(name: str = settings.DEFAULT_REGION, *, rebuild: bool = False,
                imports: bool = True) -> Region:
    """Return the region's layers, building them first when missing.

    Parameters
    ----------
    name : str
        Region key (``"shiyan"`` is embedded).
    rebuild : bool
        Rebuild from sources even when built layers exist.
    imports : bool
        Apply the planner's ``coverplan region import`` files. ``False`` gives the
        layers exactly as shipped: version 0 of the region's datasets (``geo.datasets``).
    """
    with _lock:
        if rebuild:
            _cache.pop(name, None)
            _embedded.pop(name, None)
        if imports and name in _cache:
            return _cache[name]
        base = _embedded.get(name)
        if base is None:
            build = region_dir(name) / "build"
            if rebuild or not (build / "region.json").exists():
                build_region(name)
            provenance = json.loads((build / "region.json").read_text("utf-8"))
            base = Region(
                name=name,
                counties=_read(build / "counties.geojson", "code"),
                townships=_read(build / "townships.geojson", "code"),
                villages=_read(build / "villages.geojson", "code"),
                facilities=_read(build / "facilities.geojson", "id"),
                scenic_areas=_read(build / "scenic_areas.geojson", "id"),
                provenance=provenance,
            )
            _embedded[name] = base
        if not imports:
            return base
        from geo.imports import apply_imports  # the planner's official data, when imported

        region = apply_imports(base)
        _cache[name] = region
        return region


def forget(name: str) -> None:
    """Drop the cached copy of a region (after an import), so the next load reads it anew."""
    with _lock:
        _cache.pop(name, None)


def region_info(region: Region) -> dict:
    """Counts, population totals, area and provenance: what `coverplan region info` prints."""
    t, v = region.townships, region.villages
    summed = population_table(region)          # villages summed per county
    return {
        "region": region.name,
        "name": region.label,
        "counts": {
            "counties": int(len(region.counties)),
            "townships": int(len(t)),
            "townships_by_kind": {k: int(n) for k, n in t["kind"].value_counts().sort_index().items()},
            "villages": int(len(v)),
            "villages_by_kind": {k: int(n) for k, n in v["kind"].value_counts().sort_index().items()},
            "facilities_by_type": {k: int(n) for k, n in
                                   region.facilities["facility_type"].value_counts().sort_index().items()},
        },
        "population": {b: int(region.counties[b].sum()) for b in POP_BANDS},
        "population_by_county": [
            {"code": c, "name": r["name"], **{b: int(r[b]) for b in POP_BANDS},
             "derived_sum_matches_census": bool(c in summed.index and all(
                 int(summed.at[c, b]) == int(r[b]) for b in POP_BANDS))}
            for c, r in region.counties.iterrows()
        ],
        "area_km2": round(float(region.counties["area_km2"].sum()), 1),
        "provenance": region.provenance.get("layers", {}),
    }


def population_table(region: Region, level: str = "county") -> pd.DataFrame:
    """Population bands summed from villages to ``county`` or ``township`` level."""
    key = {"county": "county_code", "township": "township_code"}[level]
    return region.villages.groupby(key)[list(POP_BANDS)].sum()
