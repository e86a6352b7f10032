"""Light geometry for maps: simplified, rounded shapes and the service-area layer.

Both the web map (web/layers.py, web/service.py) and the offline maps
(planner/mapexport.py) draw these. Pages must stay under 3 MB on an intranet
desktop, so polygons are simplified (Douglas-Peucker, topology preserved) and
every coordinate is rounded to 5 decimals (about 1 m, far finer than the 示意
geometry is accurate).
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.ops import unary_union

from geo.travel import service_area

#: Coordinates kept: 5 decimals of a degree, about 1 m.
DECIMALS = 5
#: Simplification of the dissolved service areas, in degrees (1e-3 deg is about 100 m at 32.6N).
TOL_SERVICE_AREA = 0.002


def _round(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, DECIMALS)


def light_geometry(geom, tolerance: float = 0.0):
    """Simplified, rounded copy of ``geom`` (None stays None)."""
    if geom is None or geom.is_empty:
        return None
    if tolerance and geom.geom_type not in ("Point", "MultiPoint"):
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    return shapely.transform(geom, _round)


def service_area_layer(region, ft, facilities, mode: str = "estimate", graph=None) -> dict | None:
    """Union of the facilities' service areas (one light polygon layer).

    Drawn as one dissolved layer: hundreds of overlapping circles would be
    heavier to ship and their stacked opacity would look like extra coverage.
    """
    if ft.rule != "within" or not len(facilities):
        return None
    kind = region.townships["kind_group"]
    # Only the part over the region is drawn: a very large standard would give
    # circles that wrap around the globe and break the union.
    frame = shapely.box(*region.counties.total_bounds).buffer(0.5)
    shapes = []
    for code, geom in zip(facilities["township_code"], facilities.geometry):
        urban = bool(kind.get(code) == "urban")
        cutoff = ft.standard_urban if urban else ft.standard_rural
        area = service_area(geom, cutoff, mode=mode, unit=ft.unit, urban=urban, graph=graph)
        if not area.is_empty:
            shapes.append(shapely.make_valid(area).intersection(frame))
    merged = unary_union([s for s in shapes if not s.is_empty])
    geom = light_geometry(merged, TOL_SERVICE_AREA)
    return {"type": "FeatureCollection",
            "features": [] if geom is None else [{"type": "Feature", "geometry": mapping(geom),
                                                  "properties": {"type": ft.key}}]}
