"""Travel costs between points: one interface, two sources.

* ``mode="estimate"`` — straight-line distance (geodesic on the WGS84
  ellipsoid, or planar in UTM 49N) times a detour factor, converted to minutes
  at an average speed. Urban and rural/mountain areas get different factors
  (:class:`EstimateParams`). Always available; reported as an estimate.
* ``mode="network"`` — shortest paths on a real road graph (osmnx, built by
  :mod:`geo.network`). Points are snapped to the nearest road node; the snap
  distance is walked at an access speed and reported. Points farther than
  ``max_snap_m`` from any road node are flagged and get infinite costs rather
  than being silently snapped. One-way streets are respected; pairs in
  different components of the graph are unreachable (inf).

Examples
--------
>>> from geo.travel import travel_costs
>>> tm = travel_costs([[110.78, 32.63]], [[110.80, 32.65]])     # doctest: +SKIP
>>> tm.costs.shape, tm.unit, tm.is_estimate                      # doctest: +SKIP
((1, 1), 'min', True)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
from scipy import sparse

from geo import settings
from geo.errors import InputDataError, NetworkError, listed

MODES = ("estimate", "network")
UNITS = ("min", "m")


@dataclass(frozen=True)
class EstimateParams:
    """Parameters of the straight-line travel estimate.

    Parameters
    ----------
    detour_urban, detour_rural : float
        Road distance / straight-line distance. Mountain roads wind: the rural
        default (1.6) is deliberately larger than the urban one (1.3).
    speed_urban_kmh, speed_rural_kmh : float
        Average door-to-door driving speed (km/h) over the road distance.
    method : {"geodesic", "projected"}
        Straight-line distance on the WGS84 ellipsoid (pyproj ``Geod``), or
        planar distance in ``settings.METRIC_CRS`` (UTM 49N).
    """

    detour_urban: float = 1.3
    detour_rural: float = 1.6
    speed_urban_kmh: float = 30.0
    speed_rural_kmh: float = 40.0
    method: str = "geodesic"

    def __post_init__(self) -> None:
        for name in ("detour_urban", "detour_rural"):
            if not getattr(self, name) >= 1.0:
                raise InputDataError(f"{name} must be >= 1 (got {getattr(self, name)}).",
                                     f"绕行系数 {name} 必须不小于1（当前 {getattr(self, name)}）。",
                                     hint_en="Road distance is never shorter than the straight line.",
                                     hint_zh="道路距离不会短于直线距离。")
        for name in ("speed_urban_kmh", "speed_rural_kmh"):
            if not getattr(self, name) > 0:
                raise InputDataError(f"{name} must be positive (got {getattr(self, name)}).",
                                     f"速度 {name} 必须为正数（当前 {getattr(self, name)}）。")
        if self.method not in ("geodesic", "projected"):
            raise InputDataError(f"Unknown distance method {self.method!r}.",
                                 f"未知的距离计算方法 {self.method!r}。",
                                 hint_en="Use 'geodesic' or 'projected'.",
                                 hint_zh="请使用 'geodesic' 或 'projected'。")


@dataclass
class TravelMatrix:
    """Origin x destination travel costs.

    Attributes
    ----------
    costs : numpy.ndarray or scipy.sparse.csr_matrix
        Rows are origins, columns destinations, in input order. Dense with
        ``np.inf`` for unreachable pairs; or, when a cutoff was given, CSR
        whose *stored* entries are exactly the pairs reachable within the
        cutoff (a zero cost is stored explicitly; an absent entry means
        beyond the cutoff or unreachable — use :meth:`to_dense`).
    unit : {"min", "m"}
    mode : {"estimate", "network"}
    is_estimate : bool
        True for straight-line estimates.
    snap : dict
        ``origins_m`` / ``destinations_m`` (snap distance of each point, m),
        ``max_snap_m``, ``n_flagged_origins`` / ``n_flagged_destinations``,
        and in network mode ``origin_nodes`` / ``destination_nodes``.
    flagged_origins, flagged_destinations : numpy.ndarray of int
        Indices of points farther than ``max_snap_m`` from the road network
        (their rows/columns are unreachable).
    seconds : float
        Wall time of the computation.
    cutoff : float or None
    engine : str
        What computed the costs: "estimate", "scipy" (Dijkstra) or "ch"
        (contraction hierarchy, :mod:`geo.router`).
    engine_report : dict
        Network mode: the engine asked for, why another one answered
        (``note_en`` / ``note_zh``, e.g. the router library is missing) and the
        hierarchy's cache and timings.
    """

    costs: np.ndarray | sparse.csr_matrix
    unit: str
    mode: str
    is_estimate: bool
    snap: dict = field(default_factory=dict)
    flagged_origins: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    flagged_destinations: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    seconds: float = 0.0
    cutoff: float | None = None
    engine: str = "estimate"
    engine_report: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.costs.shape)

    @property
    def is_sparse(self) -> bool:
        return sparse.issparse(self.costs)

    def to_dense(self) -> np.ndarray:
        """Dense costs with ``np.inf`` for unreachable / beyond-cutoff pairs."""
        if not self.is_sparse:
            return np.asarray(self.costs)
        out = np.full(self.shape, np.inf)
        coo = self.costs.tocoo()
        out[coo.row, coo.col] = coo.data
        return out

    def reachable(self) -> np.ndarray:
        """Boolean matrix: pair reachable (within the cutoff, if any)."""
        if self.is_sparse:
            out = np.zeros(self.shape, dtype=bool)
            coo = self.costs.tocoo()
            out[coo.row, coo.col] = True
            return out
        return np.isfinite(self.costs)

    @property
    def n_unreachable(self) -> int:
        """Pairs unreachable (or beyond the cutoff)."""
        n = self.shape[0] * self.shape[1]
        if self.is_sparse:
            return int(n - self.costs.nnz)
        return int(n - np.isfinite(self.costs).sum())


# --------------------------------------------------------------------------- inputs

def as_lonlat(points, *, name: str = "points") -> np.ndarray:
    """Points as an ``(N, 2)`` float array of WGS84 lon/lat.

    Parameters
    ----------
    points : GeoSeries, GeoDataFrame, shapely Point, sequence or array
        GeoPandas input in any CRS is converted (no CRS = WGS84 assumed);
        arrays are read as ``(lon, lat)`` columns in WGS84.
    name : str
        Used in error messages ("origins", "destinations").
    """
    try:
        import geopandas as gpd
        from shapely.geometry.base import BaseGeometry
    except ImportError:  # pragma: no cover
        gpd = None
        BaseGeometry = ()
    if gpd is not None and isinstance(points, (gpd.GeoSeries, gpd.GeoDataFrame)):
        geom = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        if geom.crs is not None and not geom.crs.equals(settings.STORAGE_CRS):
            geom = geom.to_crs(settings.STORAGE_CRS)
        if len(geom) and (geom.is_empty.any() or geom.isna().any()):
            bad = np.flatnonzero((geom.is_empty | geom.isna()).to_numpy())
            raise InputDataError(f"{name}: {len(bad)} empty geometries (rows {listed(bad[:10], 'en', total=len(bad))}).",
                                 f"{name}：有 {len(bad)} 个空几何（行 {listed(bad[:10], 'zh', total=len(bad))}）。",
                                 hint_en="Remove or fix those rows.", hint_zh="请删除或修正这些行。",
                                 details={"rows": bad.tolist()})
        if len(geom) and not (geom.geom_type == "Point").all():
            geom = geom.representative_point()
        arr = np.column_stack([geom.x.to_numpy(float), geom.y.to_numpy(float)]) if len(geom) \
            else np.empty((0, 2))
    elif isinstance(points, BaseGeometry):
        p = points.representative_point() if points.geom_type != "Point" else points
        arr = np.array([[p.x, p.y]], dtype=float)
    else:
        try:
            arr = np.asarray(points, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputDataError(f"{name}: cannot read coordinates ({exc}).",
                                 f"{name}：无法读取坐标（{exc}）。",
                                 hint_en="Give an (N, 2) lon/lat array or a GeoSeries of points.",
                                 hint_zh="请提供 (N, 2) 经纬度数组或点要素GeoSeries。") from exc
        if arr.ndim == 1 and arr.shape == (2,):
            arr = arr[None, :]
        if arr.size == 0:
            arr = np.empty((0, 2))
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise InputDataError(f"{name}: expected an (N, 2) lon/lat array, got shape {arr.shape}.",
                                 f"{name}：应为 (N, 2) 经纬度数组，实际形状为 {arr.shape}。",
                                 hint_en="Columns are longitude then latitude (WGS84).",
                                 hint_zh="第一列为经度，第二列为纬度（WGS84）。")
    if not np.isfinite(arr).all():
        bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
        # an array holds numbers only: NaN is a missing value, inf a number that is no place (QA 22)
        raise InputDataError(f"{name}: missing or not finite coordinates in rows {listed(bad[:10], 'en', total=len(bad))}.",
                             f"{name}：第 {listed(bad[:10], 'zh', total=len(bad))} 行坐标缺失或不是有限的数值。",
                             hint_en="Fill in the coordinates or drop those rows.",
                             hint_zh="请补全坐标或删除这些行。", details={"rows": bad.tolist()})
    bad = np.flatnonzero((np.abs(arr[:, 0]) > 180) | (np.abs(arr[:, 1]) > 90))
    if len(bad):
        raise InputDataError(f"{name}: coordinates out of range in rows {listed(bad[:10], 'en', total=len(bad))}.",
                             f"{name}：第 {listed(bad[:10], 'zh', total=len(bad))} 行坐标超出经纬度范围。",
                             hint_en="Are longitude and latitude swapped? Columns are lon, lat.",
                             hint_zh="经纬度是否写反？应先经度后纬度。", details={"rows": bad.tolist()})
    return arr


def _urban_mask(urban, n: int) -> np.ndarray:
    if urban is None:
        return np.zeros(n, dtype=bool)
    mask = np.asarray(urban, dtype=bool)
    if mask.ndim == 0:
        return np.full(n, bool(mask))
    if mask.shape != (n,):
        raise InputDataError(f"urban must have one value per origin ({n}), got {mask.shape}.",
                             f"urban 须为每个起点给出一个值（{n} 个），实际形状 {mask.shape}。")
    return mask


def _check_common(mode: str, unit: str, cutoff) -> None:
    if mode not in MODES:
        raise InputDataError(f"Unknown mode {mode!r}.", f"未知模式 {mode!r}。",
                             hint_en="Use 'estimate' or 'network'.",
                             hint_zh="请使用 'estimate'（估算）或 'network'（路网）。")
    if unit not in UNITS:
        raise InputDataError(f"Unknown unit {unit!r}.", f"未知单位 {unit!r}。",
                             hint_en="Use 'min' (minutes) or 'm' (metres).",
                             hint_zh="请使用 'min'（分钟）或 'm'（米）。")
    if cutoff is not None and not (np.isfinite(cutoff) and cutoff >= 0):
        raise InputDataError(f"cutoff must be a non-negative number (got {cutoff}).",
                             f"阈值 cutoff 必须为非负数（当前 {cutoff}）。")


# --------------------------------------------------------------------------- estimate

def straight_line_m(orig: np.ndarray, dest: np.ndarray, *, method: str = "geodesic",
                    max_block: int = 2_000_000) -> np.ndarray:
    """Straight-line distances (m), ``(len(orig), len(dest))``.

    ``method="geodesic"`` uses pyproj's vectorised ``Geod.inv`` on the WGS84
    ellipsoid; ``"projected"`` planar distance in ``settings.METRIC_CRS``.
    """
    from pyproj import Geod

    from geo import crs

    n, m = len(orig), len(dest)
    out = np.empty((n, m))
    if n == 0 or m == 0:
        return out
    if method == "projected":
        ox_, oy = crs.lonlat_to_metric(orig[:, 0], orig[:, 1])
        dx_, dy = crs.lonlat_to_metric(dest[:, 0], dest[:, 1])
        from scipy.spatial.distance import cdist
        return cdist(np.column_stack([ox_, oy]), np.column_stack([dx_, dy]))
    geod = Geod(ellps="WGS84")
    rows = max(1, max_block // m)
    for a in range(0, n, rows):
        b = min(n, a + rows)
        lon1 = np.repeat(orig[a:b, 0], m)
        lat1 = np.repeat(orig[a:b, 1], m)
        lon2 = np.tile(dest[:, 0], b - a)
        lat2 = np.tile(dest[:, 1], b - a)
        _, _, d = geod.inv(lon1, lat1, lon2, lat2)
        out[a:b] = np.asarray(d).reshape(b - a, m)
    return out


def _estimate(orig, dest, unit, urban, params: EstimateParams) -> np.ndarray:
    dist = straight_line_m(orig, dest, method=params.method)
    detour = np.where(urban, params.detour_urban, params.detour_rural)
    road_m = dist * detour[:, None]
    if unit == "m":
        return road_m
    speed_m_per_min = np.where(urban, params.speed_urban_kmh, params.speed_rural_kmh) * 1000.0 / 60.0
    return road_m / speed_m_per_min[:, None]


# --------------------------------------------------------------------------- interface

def _to_cutoff_csr(dense: np.ndarray, cutoff: float) -> sparse.csr_matrix:
    keep = np.isfinite(dense) & (dense <= cutoff)
    r, c = np.nonzero(keep)
    return sparse.csr_matrix((dense[r, c], (r, c)), shape=dense.shape)


def _access(dist_m: np.ndarray, unit: str, access_speed_kmh: float) -> np.ndarray:
    if unit == "m":
        return dist_m.copy()
    return dist_m / (access_speed_kmh * 1000.0 / 60.0)


def travel_costs(origins, destinations, *, mode: str = "estimate", unit: str = "min",
                 cutoff: float | None = None, graph=None, urban=None,
                 params: EstimateParams | None = None, access_speed_kmh: float = 5.0,
                 max_snap_m: float = 1000.0,
                 progress: Callable[[Iterable], Iterable] | None = None,
                 engine: str = "auto") -> TravelMatrix:
    """Travel costs from every origin to every destination.

    Parameters
    ----------
    origins, destinations : GeoSeries, GeoDataFrame or array-like
        Points (any CRS for GeoPandas input) or ``(N, 2)`` WGS84 lon/lat arrays.
    mode : {"estimate", "network"}
        Straight-line estimate, or shortest paths on a road graph.
    unit : {"min", "m"}
        Minutes (fastest path / estimated drive time) or metres (shortest
        path / estimated road distance).
    cutoff : float, optional
        Maximum cost of interest (in ``unit``). When given, ``costs`` is a
        CSR matrix holding only the pairs within it, and network searches stop
        early.
    graph : networkx.MultiDiGraph, path or geo.network.RoadNetwork, optional
        Road graph for ``mode="network"`` (osmnx graph with ``travel_time``,
        a GraphML file, or an ``.osm``/``.osm.pbf`` file built via the cache).
    urban : bool or array of bool, optional
        Per origin, whether the urban estimate parameters apply (default:
        all rural/mountain). Estimate mode only.
    params : EstimateParams, optional
        Estimate parameters (defaults: detour 1.3/1.6, 30/40 km/h).
    access_speed_kmh : float, default 5
        Speed of the leg between a point and its snapped road node (network
        mode, unit "min"). In unit "m" the snap distance is added as is.
    max_snap_m : float, default 1000
        Points farther than this from any road node are flagged; their
        costs are inf.
    progress : callable, optional
        Wraps the iterator over blocks of shortest-path searches.
    engine : {"auto", "ch", "scipy"}, default "auto"
        Network mode: contraction hierarchy or scipy Dijkstra (see
        :func:`geo.router.path_costs`); the result's ``engine`` says which ran.

    Returns
    -------
    TravelMatrix

    Raises
    ------
    InputDataError
        Bad points, mode, unit or cutoff.
    NetworkError
        No usable road graph in network mode.
    """
    t0 = time.perf_counter()
    _check_common(mode, unit, cutoff)
    # a walk at 0 km/h made every cost infinite, a negative snap distance flagged every point (QA 17)
    for name, value, low in (("access_speed_kmh", access_speed_kmh, 0.0), ("max_snap_m", max_snap_m, 0.0)):
        if not (isinstance(value, (int, float, np.integer, np.floating)) and np.isfinite(value) and value > low):
            raise InputDataError(f"{name} must be a finite number above 0 (got {value}).",
                                 f"{name} 必须为大于 0 的有限数（当前 {value}）。",
                                 details={"parameter": name, "value": str(value)})
    orig = as_lonlat(origins, name="origins")
    dest = as_lonlat(destinations, name="destinations")
    n, m = len(orig), len(dest)
    empty = np.empty(0, dtype=np.int64)

    if mode == "estimate":
        params = params or EstimateParams()
        dense = _estimate(orig, dest, unit, _urban_mask(urban, n), params)
        snap = {"origins_m": np.zeros(n), "destinations_m": np.zeros(m),
                "max_snap_m": None, "n_flagged_origins": 0, "n_flagged_destinations": 0}
        flagged_o = flagged_d = empty
        report = {}
    else:
        if not access_speed_kmh > 0:
            raise InputDataError("access_speed_kmh must be positive.", "接驳速度必须为正数。")
        from geo import network, router
        net = network.prepare(graph)  # a missing graph is refused there
        net.weights(unit)  # fail early if the attribute is missing
        o_idx, o_d = net.snap(orig[:, 0], orig[:, 1])
        d_idx, d_d = net.snap(dest[:, 0], dest[:, 1])
        ok_o = o_d <= max_snap_m
        ok_d = d_d <= max_snap_m
        acc_o = _access(o_d, unit, access_speed_kmh)
        acc_d = _access(d_d, unit, access_speed_kmh)
        dense = np.full((n, m), np.inf)
        report = {"engine": "scipy", "requested": engine}
        if ok_o.any() and ok_d.any():
            path, rep = router.path_costs(net, o_idx[ok_o], d_idx[ok_d], unit=unit, limit=cutoff,
                                          engine=engine, progress=progress)
            report = rep.to_dict()
            block = path + acc_o[ok_o][:, None] + acc_d[ok_d][None, :]
            dense[np.ix_(ok_o, ok_d)] = block
        flagged_o = np.flatnonzero(~ok_o)
        flagged_d = np.flatnonzero(~ok_d)
        snap = {"origins_m": o_d, "destinations_m": d_d, "max_snap_m": float(max_snap_m),
                "n_flagged_origins": int(len(flagged_o)),
                "n_flagged_destinations": int(len(flagged_d)),
                "origin_nodes": net.node_ids[o_idx] if n else net.node_ids[:0],
                "destination_nodes": net.node_ids[d_idx] if m else net.node_ids[:0]}

    costs = dense if cutoff is None else _to_cutoff_csr(dense, float(cutoff))
    return TravelMatrix(costs=costs, unit=unit, mode=mode, is_estimate=(mode == "estimate"),
                        snap=snap, flagged_origins=flagged_o, flagged_destinations=flagged_d,
                        seconds=time.perf_counter() - t0,
                        cutoff=None if cutoff is None else float(cutoff),
                        engine=report.get("engine", mode), engine_report=report)


# --------------------------------------------------------------------------- service areas

def _geodesic_circle(lon: float, lat: float, radius_m: float, n: int = 72):
    from pyproj import Geod
    from shapely.geometry import Polygon

    if radius_m <= 0:
        return Polygon()
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = Geod(ellps="WGS84").fwd(np.full(n, lon), np.full(n, lat), az,
                                            np.full(n, radius_m))
    return Polygon(np.column_stack([lons, lats]))


def service_area(point, cutoff: float, *, mode: str = "estimate", unit: str = "min",
                 graph=None, urban: bool = False, params: EstimateParams | None = None,
                 access_speed_kmh: float = 5.0, max_snap_m: float = 1000.0,
                 ratio: float = 0.3, buffer_m: float = 100.0):
    """Polygon (EPSG:4326) of the area a facility reaches within ``cutoff``.

    Estimate mode: a geodesic circle of radius ``cutoff`` converted to
    straight-line metres (divided by the detour factor). Network mode: a
    concave hull (shapely, ``ratio``) of the road nodes reached and of the
    points part-way along edges where the budget runs out, buffered by
    ``buffer_m``.

    Parameters
    ----------
    point : shapely Point, (lon, lat) or one-row GeoSeries
    cutoff : float
        Budget in ``unit``.
    mode, unit, graph, params, access_speed_kmh, max_snap_m
        As in :func:`travel_costs`.
    urban : bool
        Estimate parameters to use.

    Returns
    -------
    shapely.geometry.Polygon
        Empty when the point is farther than ``max_snap_m`` from the roads.
    """
    import shapely
    from shapely.geometry import MultiPoint, Polygon

    _check_common(mode, unit, cutoff)
    lon, lat = as_lonlat(point, name="point")[0]
    if mode == "estimate":
        params = params or EstimateParams()
        detour = params.detour_urban if urban else params.detour_rural
        if unit == "m":
            radius = cutoff / detour
        else:
            speed = params.speed_urban_kmh if urban else params.speed_rural_kmh
            radius = cutoff * speed * 1000.0 / 60.0 / detour
        return _geodesic_circle(lon, lat, radius)

    from scipy.sparse import csgraph

    from geo import network
    net = network.prepare(graph)
    w = net.weights(unit)
    idx, dist = net.snap([lon], [lat])
    if dist[0] > max_snap_m:
        return Polygon()
    budget = cutoff - _access(dist, unit, access_speed_kmh)[0]
    if budget < 0:
        return Polygon()
    d = csgraph.dijkstra(w, directed=True, indices=int(idx[0]), limit=budget)
    reached = np.flatnonzero(d <= budget)
    # Edges leaving reached nodes only (one row slice, not a scan of the
    # whole graph per facility).
    sub = w[reached].tocoo()
    r, c, wt = reached[sub.row], sub.col, sub.data
    frac = np.clip((budget - d[r]) / wt, 0.0, 1.0)[:, None]
    ends = net.xy[r] + frac * (net.xy[c] - net.xy[r])
    start = net.to_metric([lon], [lat])
    pts = np.vstack([start, net.xy[reached], ends])
    hull = shapely.concave_hull(MultiPoint(pts), ratio=ratio).buffer(buffer_m)
    if hull.geom_type != "Polygon":  # buffering a hull is one polygon; be safe
        hull = hull.convex_hull

    def to_wgs(coords: np.ndarray) -> np.ndarray:
        x, y = net.from_metric(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(hull, to_wgs)
