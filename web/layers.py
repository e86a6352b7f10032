"""GeoDataFrames to light GeoJSON for the browser.

Geometry is simplified and rounded by :func:`planner.maplayers.light_geometry`
(the offline maps use the same); the colours of the map are in planner/palette.py.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
from shapely.geometry import mapping

from planner.maplayers import light_geometry
from planner.register_scope import edited_flags  # noqa: F401 (web.layers.edited_flags, as its callers read it)

#: Simplification tolerances in degrees (1e-3 deg is about 100 m at 32.6N).
TOL_COUNTY = 0.002
TOL_TOWNSHIP = 0.0015


def clean(value):
    """A JSON-safe scalar: numpy -> Python, NaN/inf -> None."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if not math.isfinite(v) else v
    if isinstance(value, np.bool_):
        return bool(value)
    if value is None:
        return None
    try:
        import pandas as pd
        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return value


def feature_collection(gdf, props: Iterable[str], *, tolerance: float = 0.0,
                       extra: dict | None = None, rename: dict | None = None) -> dict:
    """GeoJSON FeatureCollection of ``gdf`` keeping only ``props`` columns."""
    props = [p for p in props if p in gdf.columns]
    rename = rename or {}
    features = []
    for row, geom in zip(gdf[props].itertuples(index=False, name=None), gdf.geometry):
        g = light_geometry(geom, tolerance)
        if g is None:
            continue
        features.append({"type": "Feature", "geometry": mapping(g),
                         "properties": {rename.get(k, k): clean(v) for k, v in zip(props, row)}})
    fc = {"type": "FeatureCollection", "features": features}
    if extra:
        fc.update(extra)
    return fc


def bounds(gdf) -> list[list[float]]:
    """Leaflet bounds [[south, west], [north, east]]."""
    x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
    return [[round(y0, 5), round(x0, 5)], [round(y1, 5), round(x1, 5)]]


