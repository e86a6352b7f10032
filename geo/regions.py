"""Load an embedded region: counties, townships, villages and facilities with provenance.

>>> from geo.regions import load_region
>>> region = load_region("shiyan")
>>> len(region.townships)
129
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.errors import CoverplanError, UnknownRegionError

POP_BANDS = ("population", "aged_60", "aged_65", "aged_80")

_BUILDERS = {"shiyan": "geo.build_region.shiyan"}
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
    #: The planner's required/forbidden marks on candidate sites (``geo.datasets.MARKS``): columns
    #: candidate_id, facility_type (``*`` = every type), mark, note. None: no marks.
    site_marks: pd.DataFrame | None = None
    #: Candidate sites the planner added on the map (``geo.datasets.SITES``): points with id,
    #: name, facility_type (``*`` = every type), note. None: none added.
    planner_sites: gpd.GeoDataFrame | None = None

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
    _embedded.pop(name, None)
    return summary


# -- trusting a build -------------------------------------------------------------------
#: Written last by a region build (``write_build_manifest``): the SHA-256 of every file it wrote.
BUILD_MANIFEST = "build-manifest.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_manifest(out: Path) -> dict:
    """The manifest of the build in ``out``: every file but the manifest, with its hash."""
    return {"format": "coverplan-region-build", "files": {
        p.name: _sha256(p) for p in sorted(out.iterdir()) if p.is_file() and p.name != BUILD_MANIFEST
        and not p.name.startswith(".")}}


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step: readers (other processes) see the old file or the new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_build_manifest(out: Path) -> None:
    """Seal a finished build (called last by the builders): from now on a changed file is noticed."""
    body = json.dumps(build_manifest(out), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_atomic(out / BUILD_MANIFEST, body.encode("utf-8"))


def build_problem(name: str) -> str | None:
    """Why the built layers of region ``name`` cannot be trusted; None when they can.

    Missing or damaged files (truncated, garbled: their hash is not the one the
    build recorded), a build without its manifest (cut off before the end) or
    built from other sources than the shipped ones (``sources_sha256`` in
    region.json) all count.
    """
    d = region_dir(name)
    build, source = d / "build", d / "source"
    if not (build / "region.json").is_file():
        return "not built"
    try:
        summary = json.loads((build / "region.json").read_text("utf-8"))
    except (OSError, ValueError):
        return "region.json unreadable"
    manifest_path = build / BUILD_MANIFEST
    if not manifest_path.is_file():
        # A build from before manifests: adopt it when every file reads as JSON and the sources
        # match (a rebuild takes half a minute); otherwise rebuild.
        for p in build.glob("*.geojson"):
            try:
                json.loads(p.read_bytes())
            except ValueError:
                return f"{p.name} unreadable"
        problem = _sources_problem(summary, source)
        if problem:
            return problem
        try:
            write_build_manifest(build)
        except OSError:  # a read-only installation: used as it is, sealed by the next build
            pass
        return None
    try:
        recorded = json.loads(manifest_path.read_text("utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"{BUILD_MANIFEST} unreadable"
    needed = {"region.json"} | {f"{layer}.geojson" for layer in
                                ("counties", "townships", "villages", "facilities", "scenic_areas")}
    if not needed <= set(recorded):
        return f"{BUILD_MANIFEST} lists too few files"
    for file, digest in recorded.items():
        p = build / file
        if not p.is_file():
            return f"{file} missing"
        if _sha256(p) != digest:
            return f"{file} changed or damaged"
    return _sources_problem(summary, source)


def _sources_problem(summary: dict, source: Path) -> str | None:
    """The build's recorded source hashes against the shipped sources (None: the same, or no sources here)."""
    if not source.is_dir():
        return None  # an installation with the built layers only: nothing to compare with
    now = {p.name: _sha256(p) for p in sorted(source.iterdir()) if p.is_file()}
    return None if summary.get("sources_sha256") == now else "sources changed since the build"


def _rebuild_untrusted(name: str, problem: str) -> None:
    d = region_dir(name)
    if not (d / "source").is_dir() or not any((d / "source").iterdir()):
        raise CoverplanError(
            f"The built layers of region {name} cannot be used ({problem}) and its sources are missing: {d / 'source'}.",
            f"区域 {name} 的图层文件无法使用（{problem}），且其源数据缺失：{d / 'source'}。",
            hint_en="Reinstall coverplan (the sources ship with it), then run `coverplan region build`.",
            hint_zh="请重新安装 coverplan（源数据随程序提供），再运行 `coverplan region build`。",
            details={"region": name, "problem": problem})
    if problem not in ("not built", "rebuild asked"):
        logging.getLogger("coverplan.regions").warning("region %s: %s; rebuilding it", name, problem)
    build_region(name)
    again = build_problem(name)
    if again and problem != "rebuild asked":
        raise CoverplanError(f"Region {name} was rebuilt but its layers still cannot be used ({again}).",
                             f"区域 {name} 已重新生成，但图层仍无法使用（{again}）。",
                             hint_en="Run `coverplan region build` and read its messages.",
                             hint_zh="请运行 `coverplan region build` 并查看提示。", details={"region": name})


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
        Take in an older install's ``coverplan region import`` folder first (once: it becomes a data
        version of the default store, ``geo.datasets.take_in_legacy_imports``), and return the region at
        that version then. Otherwise both give the layers exactly as shipped: version 0 of the region's
        datasets. The planner's imports are data versions (``geo.datasets.DatasetStore.region``); they
        are never overlaid here (QA 27: they were, on version 0 only, and lost once any version existed).
    """
    with _lock:
        if rebuild:
            _embedded.pop(name, None)
        base = _embedded.get(name)
        if base is None:
            if name not in _BUILDERS and not (region_dir(name) / "build").is_dir():
                raise UnknownRegionError(  # a typo names no region: say so, not "not built"
                    f"Unknown region {name!r}; available: {', '.join(available_regions()) or 'none'}.",
                    f"未知区域“{name}”；可用区域：{'、'.join(available_regions()) or '无'}。")
            build = region_dir(name) / "build"
            problem = "rebuild asked" if rebuild else build_problem(name)
            if problem:  # a missing, half-written or damaged build is made again, never trusted
                _rebuild_untrusted(name, problem)
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
        from geo.datasets import legacy_imports
        if legacy_imports(name) is None:
            return base
    from geo.datasets import take_in_legacy_imports  # outside the lock: the store loads the region itself

    store = take_in_legacy_imports(name)
    return store.region() if store is not None else base


#: The kinds of township-level units as ``region_info`` names them (the region stores 镇/乡/街道 and "other").
TOWNSHIP_KIND_KEYS = {"镇": "town", "乡": "township", "街道": "subdistrict"}


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
            # keys in English as villages_by_kind's (community, village): the stored 镇/乡/街道 beside "other"
            # mixed two languages in one object (QA 27)
            "townships_by_kind": {TOWNSHIP_KIND_KEYS.get(str(k), str(k)): int(n)
                                  for k, n in t["kind"].value_counts().sort_index().items()},
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
