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
