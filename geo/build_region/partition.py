"""Approximate township polygons: partition a county exactly into its units.

No township boundary polygons exist offline, so each county is cut into its
townships from a fine grid of square cells:

1. *Seeds.* A unit with a matched bounding box (PyPI ``sizhi``) is seeded at the
   box centre; urban units (街道, development zones made of communities) sit on
   a sunflower spiral around the county seat; the 城关镇 seat town at the seat
   itself; every other rural unit takes a k-means centre of the county's cells
   (scikit-learn), the centres nearest the fixed seeds being given up to them.
2. *Cells.* Each cell goes to the seed with the smallest weighted distance
   (multiplicatively weighted Voronoi): urban seeds weigh less, so their units
   stay small around the seat; a unit's own box pulls its cells.
3. *Polygons.* Cells (clipped to the county) are unioned per unit and the
   coverage is simplified with shared edges kept, so the units tile the county
   with no gaps or overlaps and the county outline is untouched.

Everything works in UTM 49N metres and is deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans

CELL_M = 500.0          # grid cell size: fine enough for 129 units, light enough to union
URBAN_WEIGHT = 0.35     # urban units ~ a third of the reach of rural ones
BOX_PULL = 0.7          # distance factor for cells inside a unit's own bounding box
SPIRAL_STEP_M = 1600.0  # spacing of urban seeds around the county seat
SIMPLIFY_M = 120.0      # smooths the 500 m staircase a little, keeps the tiling


@dataclass
class Unit:
    """One township-level unit to place (inputs in metres)."""
    code: str
    urban: bool
    seat_town: bool = False            # 城关镇: the county seat's own town
    box: tuple | None = None           # (xmin, ymin, xmax, ymax) in metres


def _grid(county: shapely.Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Square cells covering the county, clipped to it; return (geoms, centres, (row, col))."""
    xmin, ymin, xmax, ymax = county.bounds
    xs = np.arange(np.floor(xmin / CELL_M) * CELL_M, xmax, CELL_M)
    ys = np.arange(np.floor(ymin / CELL_M) * CELL_M, ymax, CELL_M)
    gx, gy = np.meshgrid(xs, ys)
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + CELL_M, gy.ravel() + CELL_M)
    shapely.prepare(county)
    inside = shapely.contains(county, boxes)
    touch = ~inside & shapely.intersects(county, boxes)
    clipped = shapely.intersection(boxes[touch], county)
    keep = ~shapely.is_empty(clipped) & (shapely.area(clipped) > 1.0)
    geoms = np.concatenate([boxes[inside], clipped[keep]])
    flat = np.arange(gx.size)
    flat = np.concatenate([flat[inside], flat[touch][keep]])
    rowcol = np.column_stack(np.unravel_index(flat, gx.shape))
    # a point on the clipped cell, so every centre lies in the county
    centres = shapely.get_coordinates(shapely.point_on_surface(geoms))
    return geoms, centres, rowcol


def _spiral(seat: np.ndarray, n: int, county: shapely.Geometry, taken: list[np.ndarray]) -> list[np.ndarray]:
    """``n`` points on a sunflower spiral around ``seat``, inside the county, apart from ``taken``."""
    golden = np.pi * (3 - np.sqrt(5))
    out: list[np.ndarray] = []
    k = 1
    while len(out) < n and k < 10_000:
        r = SPIRAL_STEP_M * np.sqrt(k)
        p = seat + r * np.array([np.cos(k * golden), np.sin(k * golden)])
        k += 1
        if not county.contains(shapely.Point(p)):
            continue
        if any(np.hypot(*(p - q)) < 0.8 * SPIRAL_STEP_M for q in taken + out):
            continue
        out.append(p)
    if len(out) < n:
        raise RuntimeError("could not place urban seeds inside the county")
    return out


def _inside(p: np.ndarray, county: shapely.Geometry) -> np.ndarray:
    pt = shapely.Point(p)
    if county.contains(pt):
        return p
    near = shapely.ops.nearest_points(county.buffer(-CELL_M), pt)[0]
    return np.array([near.x, near.y])


def place_seeds(units: list[Unit], county: shapely.Geometry, seat: np.ndarray,
                centres: np.ndarray) -> np.ndarray:
    """Return one seed (x, y) per unit, in the order of ``units``."""
    import shapely.ops  # noqa: F401  (nearest_points)

    seeds = np.full((len(units), 2), np.nan)
    for i, u in enumerate(units):
        if u.box is not None:
            xmin, ymin, xmax, ymax = u.box
            seeds[i] = _inside(np.array([(xmin + xmax) / 2, (ymin + ymax) / 2]), county)
        elif u.seat_town:
            seeds[i] = seat
    fixed = [seeds[i] for i in range(len(units)) if not np.isnan(seeds[i, 0])]
    urban_free = [i for i, u in enumerate(units) if u.urban and np.isnan(seeds[i, 0])]
    seat_free = not any(u.seat_town for u in units)
    if urban_free:
        # the first urban unit without a box takes the seat itself when no seat town does
        pts = ([seat] if seat_free else []) + _spiral(seat, len(urban_free) - int(seat_free), county, fixed)
        for i, p in zip(urban_free, pts):
            seeds[i] = p

    rural = [i for i, u in enumerate(units) if not u.urban]
    rural_free = [i for i in rural if np.isnan(seeds[i, 0])]
    if rural_free:
        km = KMeans(n_clusters=len(rural), n_init=1, random_state=0).fit(centres)
        centers = km.cluster_centers_
        rural_fixed = [i for i in rural if not np.isnan(seeds[i, 0])]
        used: set[int] = set()
        if rural_fixed:
            cost = np.hypot(*(seeds[rural_fixed][:, None, :] - centers[None, :, :]).transpose(2, 0, 1))
            _, cols = linear_sum_assignment(cost)
            used = set(cols.tolist())
        free_centres = [c for j, c in enumerate(centers) if j not in used]
        # no information ties a free unit to a place: deterministic order north-west first
        free_centres.sort(key=lambda c: (-round(c[1], 3), round(c[0], 3)))
        for i, c in zip(rural_free, free_centres):
            seeds[i] = _inside(c, county)
    return seeds


def assign_cells(units: list[Unit], seeds: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the unit owning each cell (weighted nearest seed)."""
    d = np.hypot(centres[:, None, 0] - seeds[None, :, 0], centres[:, None, 1] - seeds[None, :, 1])
    weight = np.array([URBAN_WEIGHT if u.urban else 1.0 for u in units])
    d = d / weight
    for j, u in enumerate(units):
        if u.box is not None:
            xmin, ymin, xmax, ymax = u.box
            inbox = (centres[:, 0] >= xmin) & (centres[:, 0] <= xmax) & \
                    (centres[:, 1] >= ymin) & (centres[:, 1] <= ymax)
            d[inbox, j] *= BOX_PULL
    owner = np.argmin(d, axis=1)
    # every unit keeps the cell under its own seed, so no unit is empty and the
    # seed lies in its polygon; clashes move the later seed to its nearest free cell
    claimed: dict[int, int] = {}
    for j in range(len(units)):
        order = np.argsort(np.hypot(*(centres - seeds[j]).T), kind="stable")
        cell = next(int(c) for c in order if int(c) not in claimed)
        claimed[cell] = j
        owner[cell] = j
        seeds[j] = centres[cell]
    return owner


def merge_fragments(owner: np.ndarray, rowcol: np.ndarray, seeds: np.ndarray,
                    centres: np.ndarray) -> np.ndarray:
    """Give each detached fragment of a unit to the neighbour it borders most.

    Weighted Voronoi on a concave county, and cells meeting only at a corner,
    leave units in several pieces; a planner expects one piece per township
    (except where the county itself is in pieces, which stays).
    """
    from scipy import ndimage

    shape = rowcol.max(axis=0) + 1
    raster = np.full(shape, -1)
    raster[rowcol[:, 0], rowcol[:, 1]] = owner
    cell_at = np.full(shape, -1)
    cell_at[rowcol[:, 0], rowcol[:, 1]] = np.arange(len(owner))
    seed_cell = [int(np.argmin(np.hypot(*(centres - s).T))) for s in seeds]
    for _ in range(3):  # a merge can expose another fragment; converges in a pass or two
        changed = False
        for j in range(len(seeds)):
            labels, n = ndimage.label(raster == j)
            if n <= 1:
                continue
            r0, c0 = rowcol[seed_cell[j]]
            home = labels[r0, c0]
            for lab in range(1, n + 1):
                if lab == home:
                    continue
                part = labels == lab
                ring = ndimage.binary_dilation(part) & ~part
                neighbours = raster[ring]
                neighbours = neighbours[(neighbours >= 0) & (neighbours != j)]
                if len(neighbours) == 0:
                    continue  # an island of the county itself
                raster[part] = np.bincount(neighbours).argmax()
                changed = True
        if not changed:
            break
    return raster[rowcol[:, 0], rowcol[:, 1]]


def partition_county(units: list[Unit], county: shapely.Geometry, seat: np.ndarray
                     ) -> tuple[list[shapely.Geometry], np.ndarray]:
    """Cut ``county`` into one polygon per unit; return (polygons, seat points)."""
    geoms, centres, rowcol = _grid(county)
    if len(geoms) < len(units):
        raise RuntimeError("county smaller than its units' cells")
    seeds = place_seeds(units, county, np.asarray(seat, float), centres)
    owner = assign_cells(units, seeds, centres)
    owner = merge_fragments(owner, rowcol, seeds, centres)
    polys = [shapely.coverage_union_all(geoms[owner == j]) for j in range(len(units))]
    polys = list(shapely.coverage_simplify(np.array(polys, dtype=object), SIMPLIFY_M,
                                           simplify_boundary=False))
    polys = [shapely.make_valid(p) if not p.is_valid else p for p in polys]
    seats = []
    for p, s in zip(polys, seeds):
        pt = shapely.Point(s)
        seats.append(s if p.contains(pt) else np.asarray(shapely.point_on_surface(p).coords[0]))
    return polys, np.array(seats)
