"""GeoDataFrames to light GeoJSON for the browser.

Pages must stay under 3 MB on an intranet desktop, so polygons are simplified
(Douglas-Peucker, topology preserved) and every coordinate is rounded to
5 decimals (about 1 m, far finer than the 示意 geometry is accurate).
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import shapely
from shapely.geometry import mapping

#: Simplification tolerances in degrees (1e-3 deg is about 100 m at 32.6N).
TOL_COUNTY = 0.002
TOL_TOWNSHIP = 0.0015
TOL_SERVICE_AREA = 0.002
DECIMALS = 5

#: Covered-share classes drawn by the web map and the offline map alike:
#: (lower bound, colour, label), best first.  A share counts as full from
#: FULL_SHARE on (weighted sums do not always add up to exactly 1).
SHARE_CLASSES = ((1.0, "#1a9641", "100%"), (0.75, "#a6d96a", "75–99%"),
                 (0.5, "#fee08b", "50–74%"), (0.25, "#fc8d59", "25–49%"),
                 (0.0, "#d73027", "0–24%"))
FULL_SHARE = 0.99995
NO_DEMAND_COLOUR = "#d9d9d9"
#: Facility marker colours per type; a planner-added type gets OTHER_TYPE_COLOUR.
#: (none close to the uncovered-village red #d7191c: charity stations were red and were mistaken for gaps)
TYPE_COLOURS = {"elderly_complex": "#6a3d9a", "day_care": "#1f78b4", "cemetery": "#33a02c",
                "charity_station": "#00897b", "disabled_care": "#ff7f00", "funeral_home": "#444444",
                "regional_center": "#8c6d31"}
OTHER_TYPE_COLOUR = "#8c8c8c"


def share_colour(share) -> str:
    """Fill colour of a covered share (grey where a township has no demand)."""
    if share is None or (isinstance(share, float) and not math.isfinite(share)):
        return NO_DEMAND_COLOUR
    if share >= FULL_SHARE:
        return SHARE_CLASSES[0][1]
    return next(c for lo, c, _ in SHARE_CLASSES[1:] if share >= lo)


def palette() -> dict:
    """The same classes and colours for the browser scripts."""
    return {"classes": [{"min": lo, "color": c, "label": lab} for lo, c, lab in SHARE_CLASSES],
            "full": FULL_SHARE, "no_demand": NO_DEMAND_COLOUR, "types": TYPE_COLOURS,
            "other": OTHER_TYPE_COLOUR}


def _round(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, DECIMALS)


def light_geometry(geom, tolerance: float = 0.0):
    """Simplified, rounded copy of ``geom`` (None stays None)."""
    if geom is None or geom.is_empty:
        return None
    if tolerance and geom.geom_type not in ("Point", "MultiPoint"):
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    return shapely.transform(geom, _round)


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
