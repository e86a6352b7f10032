"""CRS handling: layers are stored in WGS84 and measured in UTM 49N.

All transforms go through pyproj (via geopandas); nothing here hand-writes a
projection.
"""
from __future__ import annotations

import geopandas as gpd
from pyproj import Transformer

from geo import settings

_TO_METRIC = Transformer.from_crs(settings.STORAGE_CRS, settings.METRIC_CRS, always_xy=True)
_TO_STORAGE = Transformer.from_crs(settings.METRIC_CRS, settings.STORAGE_CRS, always_xy=True)


def to_metric(gdf: gpd.GeoDataFrame | gpd.GeoSeries):
    """Project a layer to the metric CRS (UTM 49N) for distances and areas."""
    return gdf.to_crs(settings.METRIC_CRS)


def to_storage(gdf: gpd.GeoDataFrame | gpd.GeoSeries):
    """Return a layer in the storage CRS (WGS84 lon/lat)."""
    return gdf.to_crs(settings.STORAGE_CRS)


def lonlat_to_metric(lon, lat):
    """Vectorised lon/lat (degrees) to UTM 49N x/y (metres)."""
    return _TO_METRIC.transform(lon, lat)


def metric_to_lonlat(x, y):
    """Vectorised UTM 49N x/y (metres) to lon/lat (degrees)."""
    return _TO_STORAGE.transform(x, y)


def area_km2(gdf: gpd.GeoDataFrame | gpd.GeoSeries):
    """Areas in km², measured in the metric CRS and aligned to the input index."""
    return to_metric(gdf).area / 1e6


def parse_crs(value: str | None) -> str | None:
    """A CRS as a planner types it (``4546``, ``EPSG:4546``, a WKT or PROJ string), checked.

    Returns the text pyproj accepts (digits become ``EPSG:<n>``), None for an
    empty value; an unknown CRS is an InputDataError with an example of a good one.
    """
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    from geo.errors import InputDataError

    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    text = f"EPSG:{text}" if text.isdigit() else text
    try:
        CRS.from_user_input(text)
    except CRSError as exc:
        raise InputDataError(f"Unknown coordinate reference system (CRS) '{value}'.", f"未知坐标参考系（CRS）“{value}”。",
                             hint_en="Give an EPSG code, e.g. EPSG:4546 (CGCS2000 / 3-degree Gauss-Kruger CM 111E).",
                             hint_zh="请填写EPSG代码，如 EPSG:4546（CGCS2000 3度带，中央经线111°E）。") from exc
    return text
