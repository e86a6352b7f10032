"""The datum of every Shiyan source, and the conversion of its points to WGS84.

Layers are stored in WGS84. Points read off Chinese web maps are not: Amap and
Tencent show GCJ-02 and Baidu BD-09, whose published obfuscation moves a point
here by about 0.5 km east and 0.25 km south (0.52-0.60 km over Shiyan). The
source files keep the numbers as they were read; the build converts them once,
in :func:`to_wgs84`, and writes the datum of each layer into ``region.json``.
PROVENANCE.md says how each source's datum was established.
"""
from __future__ import annotations

from importlib.metadata import version

import numpy as np
import prcoords

WGS84, CGCS2000, GCJ02, BD09 = "WGS84", "CGCS2000", "GCJ-02", "BD-09"

# Declared here, in the build, rather than as a column of the source tables:
# the sources stay as they were taken, and provenance() can state each layer's
# datum without re-reading them.
SOURCE_DATUM = {
    # EPSG:4490, within 1 m of WGS84: used as is
    "counties_tianditu.geojson": CGCS2000,
    # sizhi.box() treats its table as WGS84 (it offers wgs84_to_gcj02/bd09 on
    # output); its county boxes match the Tianditu extents without the GCJ shift
    "township_boxes_sizhi.csv": WGS84,
    # read off general public web maps, which in China show GCJ-02
    "county_seats_approx.csv": GCJ02,
    "scenic_areas_approx.csv": GCJ02,
}

# prcoords' iterative inverses ("bored": ~0.1 mm), not the one-step ones (~1 m);
# the name is what region.json cites
_TO_WGS84 = {GCJ02: ("gcj_wgs_bored", prcoords.gcj_wgs_bored), BD09: ("bd_wgs_bored", prcoords.bd_wgs_bored)}


def conversion(datum: str) -> tuple[str, str]:
    """How the build brings points of ``datum`` to WGS84, in English and Chinese."""
    if datum in _TO_WGS84:
        fn = _TO_WGS84[datum][0]
        lib = f"prcoords {version('prcoords')} {fn}"
        return (f"converted {datum} → WGS84 at build time ({lib})", f"构建时由 {datum} 转换为 WGS84（{lib}）")
    if datum == CGCS2000:
        return ("none: CGCS2000 agrees with WGS84 within 1 m", "无需转换：CGCS2000 与 WGS84 相差不到 1 米")
    if datum == WGS84:
        return ("none", "无需转换")
    raise ValueError(f"unknown datum {datum!r}")


def to_wgs84(lon, lat, datum: str, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """``lon``/``lat`` (degrees, ``datum``) as WGS84, rounded to ``decimals`` for byte-stable output."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    conversion(datum)  # refuses an unknown datum
    if datum in _TO_WGS84:
        fn = _TO_WGS84[datum][1]
        pts = [fn(prcoords.Coords(lat=y, lon=x)) for x, y in zip(lon, lat)]
        lon, lat = np.array([p.lon for p in pts]), np.array([p.lat for p in pts])
    return np.round(lon, decimals), np.round(lat, decimals)
