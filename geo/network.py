"""Road networks: build, cache and load osmnx graphs, and route on them fast.

A road graph is an osmnx ``MultiDiGraph`` whose edges carry ``length`` (m),
``speed_kph`` and ``travel_time`` (s). It is built once from a local
OpenStreetMap file (or downloaded for a region boundary when online) and saved
as GraphML under ``geo.settings.CACHE_DIR / "graphs"``, keyed by a hash of the
source file's content and of the build options, so later runs load it at once.

For routing, :class:`RoadNetwork` turns the graph into compressed sparse row
(CSR) matrices (minimum weight over parallel edges) and a KD-tree of node
positions in metres; :func:`RoadNetwork.costs` then answers a whole
origin-destination block with one multi-source run of
:func:`scipy.sparse.csgraph.dijkstra`.

Default speeds
--------------
Where an edge has no usable ``maxspeed`` tag, its speed (km/h) comes from its
``highway`` class (:data:`DEFAULT_HWY_SPEEDS`), chosen for Chinese roads in
hilly terrain: expressway (motorway) 100, national/provincial trunk 80,
primary 60, secondary 50, tertiary 40, unclassified/residential 30,
living_street and service 20, track 15, link roads about 60 % of their class.
Other classes get the mean speed observed on their class, else 30 km/h.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
import time
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo import settings
from geo.archives import check_file, reader_message
from geo.errors import InputDataError, NetworkError

#: Typical speeds (km/h) by OSM ``highway`` class, used when ``maxspeed`` is missing.
DEFAULT_HWY_SPEEDS: dict[str, float] = {
    "motorway": 100.0, "motorway_link": 60.0,
    "trunk": 80.0, "trunk_link": 50.0,
    "primary": 60.0, "primary_link": 40.0,
    "secondary": 50.0, "secondary_link": 30.0,
    "tertiary": 40.0, "tertiary_link": 25.0,
    "unclassified": 30.0, "residential": 30.0, "road": 30.0,
    "living_street": 20.0, "service": 20.0,
    "track": 15.0,
}

#: Speed (km/h) for classes neither listed above nor tagged anywhere.
FALLBACK_SPEED_KMH = 30.0

#: Bump this when the way graphs are built changes, to invalidate caches.
BUILD_VERSION = 1


def graph_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """Folder holding cached GraphML road graphs (created on demand)."""
    path = Path(cache_dir) if cache_dir is not None else Path(settings.CACHE_DIR) / "graphs"
    return path


@dataclass
class BuiltGraph:
    """Result of :func:`build_graph`.

    Attributes
    ----------
    graph : networkx.MultiDiGraph
        The road graph with ``length``, ``speed_kph`` and ``travel_time`` on edges.
    cache_path : pathlib.Path or None
        GraphML file the graph was saved to or loaded from.
    cache_hit : bool
        True when the graph was loaded from the cache rather than built.
    source : str
        What it was built from (file path or region name).
    seconds : float
        Wall time of the build or load.
    """

    graph: nx.MultiDiGraph
    cache_path: Path | None
    cache_hit: bool
    source: str
    seconds: float


def _options_key(options: dict) -> str:
    return json.dumps(options, sort_keys=True, ensure_ascii=True)


def _add_speeds(G: nx.MultiDiGraph, hwy_speeds: dict[str, float] | None,
                fallback_kmh: float) -> nx.MultiDiGraph:
    import osmnx as ox

    if G.number_of_edges() == 0:
        raise NetworkError("The road graph has no edges.", "路网没有任何道路边。",
                           hint_en="Check that the OSM data covers roads.",
                           hint_zh="请检查OSM数据是否包含道路。")
    speeds = dict(DEFAULT_HWY_SPEEDS if hwy_speeds is None else hwy_speeds)
    G = ox.add_edge_speeds(G, hwy_speeds=speeds, fallback=fallback_kmh)
    return ox.add_edge_travel_times(G)


def _save_graphml(G: nx.MultiDiGraph, path: Path) -> None:
    import osmnx as ox

    path.parent.mkdir(parents=True, exist_ok=True)
    # a temporary name beside it, created by the writer with the usual mode (the umask's, as every other file
    # written): mkstemp's 0600 made `network build --out` a graph no one else could read (QA 33)
    tmp = str(path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp.graphml")
    try:
        ox.save_graphml(G, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_graphml(path: str | Path) -> nx.MultiDiGraph:
    """Load a GraphML road graph saved by osmnx/coverplan.

    Raises
    ------
    NetworkError
        The file is missing or is not an osmnx GraphML graph.
    """
    import osmnx as ox

    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"Road graph file not found: {path}.", f"找不到路网文件：{path}。",
                           hint_en="Build one with `coverplan network build --osm FILE`.",
                           hint_zh="请先运行 `coverplan network build --osm 文件` 生成路网。",
                           details={"path": str(path)})
    try:
        return ox.load_graphml(path)
    except Exception as exc:  # noqa: BLE001 - any parse failure means an unusable file
        why = reader_message(exc, path.name).rstrip(". ")  # (the server's paths in it: the file's name)
        from geo.osmfile import technical_zh

        # (in Chinese what is wrong, the reader's English words after it, marked: QA 33)
        raise NetworkError(f"Cannot read road graph {path.name}: {why}.",
                           f"无法读取路网文件 {path.name}：它不是 coverplan（osmnx）保存的 GraphML 路网文件，或文件已损坏。",
                           hint_en="Rebuild it with `coverplan network build`.",
                           hint_zh=f"请用 `coverplan network build` 重新生成。{technical_zh(why)}",
                           details={"path": str(path), "reader": why}) from exc


def build_graph(osm: str | Path, *, drive_only: bool = True,
                hwy_speeds: dict[str, float] | None = None,
                fallback_kmh: float = FALLBACK_SPEED_KMH, simplify: bool = False,
                retain_all: bool = True, cache: bool = True,
                cache_dir: str | Path | None = None,
                out: str | Path | None = None) -> BuiltGraph:
    """Build (or load from cache) the road graph of a local OpenStreetMap file.

    Parameters
    ----------
    osm : path
        ``.osm`` XML or ``.osm.pbf`` file.
    drive_only : bool, default True
        Keep only ways open to cars (see :func:`geo.osmfile.is_drivable`).
    hwy_speeds : dict, optional
        Speeds (km/h) by ``highway`` class for edges without ``maxspeed``;
        default :data:`DEFAULT_HWY_SPEEDS`.
    fallback_kmh : float, default 30
        Speed for classes neither in ``hwy_speeds`` nor tagged anywhere.
    simplify : bool, default False
        Merge chains of degree-2 nodes into single edges (osmnx). Off by
        default: points snap to the nearest *node*, and on a simplified graph
        a long winding mountain road keeps no node between its junctions, so
        villages along it would snap to a junction kilometres away. The CSR
        router copes easily with the extra nodes.
    retain_all : bool, default True
        Keep every connected component (islands, valleys with no road out).
        Pairs across components are unreachable (inf). With False, only the
        largest weakly connected component is kept.
    cache : bool, default True
        Reuse / store the GraphML cache keyed by file content and options.
    cache_dir : path, optional
        Cache folder; default ``settings.CACHE_DIR / "graphs"``.
    out : path, optional
        Also write the graph to this GraphML file.

    Returns
    -------
    BuiltGraph
    """
    import osmnx as ox

    from geo import osmfile

    t0 = time.perf_counter()
    osm = Path(osm)
    if osm.is_dir():
        check_file(osm)  # a folder: said as such, not "not found"
    if not osm.is_file():
        raise InputDataError(
            f"OSM file not found: {osm}.", f"找不到OSM文件：{osm}。",
            hint_en="Check the path; coverplan reads .osm and .osm.pbf files.",
            hint_zh="请检查路径；支持 .osm 与 .osm.pbf 文件。", details={"path": str(osm)})
    options = {"v": BUILD_VERSION, "osmnx": ox.__version__, "drive_only": drive_only,
               "simplify": simplify,
               "retain_all": retain_all, "fallback": fallback_kmh,
               "speeds": DEFAULT_HWY_SPEEDS if hwy_speeds is None else hwy_speeds}
    digest = osmfile.file_digest(osm)
    key = hashlib.sha256((digest + _options_key(options)).encode()).hexdigest()[:20]
    stem = osm.name.split(".")[0] or "graph"
    cache_path = graph_cache_dir(cache_dir) / f"{stem}-{key}.graphml"

    def make() -> nx.MultiDiGraph:
        with tempfile.TemporaryDirectory(prefix="coverplan-osm-") as tmp:
            roads = Path(tmp) / "roads.osm"
            osmfile.extract_roads(osm, roads, drive_only=drive_only)
            try:
                G = ox.graph_from_xml(roads, simplify=simplify, retain_all=retain_all)
            except Exception as exc:  # noqa: BLE001
                why = reader_message(exc, osm.name).rstrip(". ")
                raise NetworkError(f"osmnx could not build a graph from {osm.name}: {why}.",
                                   f"无法由 {osm.name} 构建路网：文件中的道路数据不完整或有误（如道路用到的节点不在文件中）。",
                                   hint_en="Check that the file is valid OpenStreetMap data. "
                                           f"{osmfile.OSM_EXPORT_HINT_EN}",
                                   hint_zh=f"{osmfile.OSM_EXPORT_HINT_ZH}{osmfile.technical_zh(why)}",
                                   details={"file": osm.name, "reader": why}) from exc
        G = _add_speeds(G, hwy_speeds, fallback_kmh)
        G.graph["coverplan_source_sha256"] = digest
        return G

    return _cached(cache_path, make, cache=cache, out=out, source=str(osm), t0=t0, fingerprint=digest)


def _checksum_path(cache_path: Path) -> Path:
    return cache_path.with_name(cache_path.name + ".sha256")


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _trusted_cache(cache_path: Path, fingerprint: str | None) -> nx.MultiDiGraph | None:
    """The cached graph, or None when it cannot be trusted (then it is deleted, to be rebuilt).

    A cache file is written whole and renamed into place, then its SHA-256 is
    written beside it; a file whose hash differs (truncated by a full disk,
    garbled, edited), that does not parse, or whose graph was built from
    another source file (``coverplan_source_sha256``) is not used.
    """
    import logging

    check = _checksum_path(cache_path)
    problem = None
    if check.is_file():
        try:
            if check.read_text("ascii").strip() != _file_sha256(cache_path):
                problem = "checksum differs"
        except (OSError, UnicodeDecodeError):
            problem = "checksum unreadable"
    G = None
    if problem is None:
        try:
            G = load_graphml(cache_path)
        except NetworkError:
            problem = "unreadable"
    if G is not None and fingerprint is not None and G.graph.get("coverplan_source_sha256") != fingerprint:
        problem, G = "built from another source file", None
    if problem:
        logging.getLogger("coverplan.network").warning("road graph cache %s: %s; rebuilding it", cache_path.name, problem)
        for p in (cache_path, check):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        return None
    if not check.is_file():  # a cache from before checksums that loaded fine: seal it now
        _write_checksum(cache_path)
    return G


def _write_checksum(cache_path: Path) -> None:
    check = _checksum_path(cache_path)
    tmp = check.with_name(check.name + f".{os.getpid()}.tmp")
    tmp.write_text(_file_sha256(cache_path) + "\n", "ascii")
    os.replace(tmp, check)


def _cached(cache_path: Path, make: Callable[[], nx.MultiDiGraph], *, cache: bool, out, source: str, t0: float,
            fingerprint: str | None = None) -> BuiltGraph:
    """Load ``cache_path`` if caching and it can be trusted, else ``make()`` and store it; copy to ``out``.

    ``fingerprint``: the source file's digest the cached graph must carry (None: not checked).
    """
    G = _trusted_cache(cache_path, fingerprint) if cache and cache_path.is_file() else None
    hit = G is not None
    if G is None:
        G = make()
    if cache and not hit:
        _save_graphml(G, cache_path)
        _write_checksum(cache_path)
    if out is not None:
        _save_graphml(G, Path(out))
    return BuiltGraph(G, cache_path if cache else (Path(out) if out else None), hit,
                      source, time.perf_counter() - t0)


def region_polygon(region: str = "shiyan"):
    """Boundary polygon (EPSG:4326) of a region, for downloading its roads.

    Uses the union of the region's counties (:func:`geo.regions.load_region`)
    when available, else the region's bounding box.
    """
    from shapely.geometry import box

    from geo.points import REGION_BBOXES

    key = {"十堰": "shiyan", "十堰市": "shiyan"}.get(region, region.lower())
    try:
        from geo.regions import load_region
        counties = load_region(key).counties
        if len(counties):
            return counties.to_crs(settings.STORAGE_CRS).union_all()
    except ImportError:
        pass
    except Exception as exc:  # noqa: BLE001 - unknown region or unbuilt layers
        if key not in REGION_BBOXES:
            from geo.errors import CoverplanError, UnknownRegionError
            if isinstance(exc, CoverplanError):
                raise
            raise UnknownRegionError(f"Unknown region: {region}.", f"未知地区：{region}。",
                                     hint_en="Known region: shiyan.",
                                     hint_zh="可用地区：shiyan（十堰）。") from exc
    if key not in REGION_BBOXES:
        from geo.errors import UnknownRegionError
        raise UnknownRegionError(f"Unknown region: {region}.", f"未知地区：{region}。",
                                 hint_en="Known region: shiyan.", hint_zh="可用地区：shiyan（十堰）。")
    return box(*REGION_BBOXES[key])


def _online(host: str = "overpass-api.de", port: int = 443, timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def download_graph(region: str = "shiyan", *, hwy_speeds: dict[str, float] | None = None,
                   fallback_kmh: float = FALLBACK_SPEED_KMH, cache: bool = True,
                   cache_dir: str | Path | None = None,
                   out: str | Path | None = None) -> BuiltGraph:
    """Download the drivable road graph of a region with osmnx (needs internet).

    The region boundary comes from :func:`region_polygon`; the result is cached
    like :func:`build_graph` (keyed by the boundary and options).

    Raises
    ------
    NetworkError
        Offline, or the download failed.
    """
    import osmnx as ox

    t0 = time.perf_counter()
    polygon = region_polygon(region)
    options = {"v": BUILD_VERSION, "osmnx": ox.__version__, "polygon": polygon.wkb_hex,
               "fallback": fallback_kmh,
               "speeds": DEFAULT_HWY_SPEEDS if hwy_speeds is None else hwy_speeds}
    key = hashlib.sha256(_options_key(options).encode()).hexdigest()[:20]
    cache_path = graph_cache_dir(cache_dir) / f"{region.lower()}-download-{key}.graphml"
    def make() -> nx.MultiDiGraph:
        if not _online():
            raise NetworkError(
                f"Cannot download the road network of {region}: no internet connection "
                "to the OpenStreetMap Overpass API.",
                f"无法下载{region}的路网：无法连接OpenStreetMap Overpass服务（当前离线）。",
                hint_en="Download an OSM extract (e.g. hubei-latest.osm.pbf) on a connected "
                        "machine and run `coverplan network build --osm FILE`.",
                hint_zh="请在联网电脑上下载OSM数据（如 hubei-latest.osm.pbf），再运行 "
                        "`coverplan network build --osm 文件`。",
                details={"region": region})
        try:
            G = ox.graph_from_polygon(polygon, network_type="drive", retain_all=True)
        except Exception as exc:  # noqa: BLE001
            raise NetworkError(f"Download of the road network failed: {str(exc).rstrip('. ')}.",
                               f"路网下载失败（{str(exc).rstrip('. ')}）。",
                               hint_en="Retry later, or build from a local OSM file with --osm.",
                               hint_zh="请稍后重试，或用 --osm 从本地OSM文件构建。") from exc
        return _add_speeds(G, hwy_speeds, fallback_kmh)

    return _cached(cache_path, make, cache=cache, out=out, source=region, t0=t0)


def load_graph(graph) -> nx.MultiDiGraph:
    """Return a road graph from a graph, a GraphML path or an OSM file path."""
    if isinstance(graph, nx.MultiDiGraph):
        return graph
    if isinstance(graph, RoadNetwork):
        return graph.graph
    if isinstance(graph, (str, Path)):
        from geo.osmfile import is_osm_file
        if is_osm_file(graph) and not str(graph).lower().endswith(".graphml"):
            return build_graph(graph).graph
        return load_graphml(graph)
    if graph is None:
        raise NetworkError("Network mode needs a road graph.", "路网模式需要提供路网。",
                           # read by the CLI's and the web's users as well as Python callers: no keyword names
                           hint_en="Give a road network (a GraphML or OSM file, or an osmnx graph), or use "
                                   "the estimate mode.",
                           hint_zh="请提供路网（GraphML/OSM文件或osmnx图），或改用估算模式。")
    raise NetworkError(f"Unsupported road graph object: {type(graph).__name__}.",
                       f"不支持的路网对象类型：{type(graph).__name__}。",
                       hint_en="Use an osmnx MultiDiGraph or a GraphML path.",
                       hint_zh="请使用osmnx MultiDiGraph或GraphML文件路径。")


def graph_stats(G: nx.MultiDiGraph) -> dict:
    """Node/edge counts and the share of nodes in the largest components."""
    n = G.number_of_nodes()
    if n == 0:
        return {"nodes": 0, "edges": 0, "largest_scc_share": 0.0, "largest_wcc_share": 0.0,
                "components_weak": 0}
    net = prepare(G)
    a = net.weights("min")
    n_s, lab_s = csgraph.connected_components(a, directed=True, connection="strong")
    n_w, lab_w = csgraph.connected_components(a, directed=True, connection="weak")
    return {"nodes": n, "edges": G.number_of_edges(),
            "largest_scc_share": float(np.bincount(lab_s).max() / n),
            "largest_wcc_share": float(np.bincount(lab_w).max() / n),
            "components_weak": int(n_w), "components_strong": int(n_s)}


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 UTM zone holding (lon, lat) (32649 for Shiyan)."""
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def _min_csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sparse.csr_matrix:
    """CSR adjacency keeping the minimum weight over parallel edges."""
    keep = (u != v) & np.isfinite(w)
    u, v, w = u[keep], v[keep], w[keep]
    # explicit zeros would be dropped as "no edge" by some csgraph paths: nudge them
    w = np.where(w <= 0.0, 1e-9, w)
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, w = u[first], v[first], w[first]
    return sparse.csr_matrix((w, (u, v)), shape=(n, n))


class RoadNetwork:
    """A road graph prepared for bulk routing (CSR matrices + KD-tree).

    Build with :func:`prepare` (cached per graph object).

    Attributes
    ----------
    graph : networkx.MultiDiGraph
    node_ids : numpy.ndarray
        Graph node ids; row/column ``i`` of the matrices is ``node_ids[i]``.
    lon, lat : numpy.ndarray
        Node positions (WGS84).
    xy : numpy.ndarray
        Node positions (m) in :attr:`metric_crs`.
    metric_crs : str
        Local UTM CRS used for snapping distances.
    """

    def __init__(self, G: nx.MultiDiGraph) -> None:
        from pyproj import CRS, Transformer

        self.graph = G
        self.signature = (G.number_of_nodes(), G.number_of_edges())
        nodes = list(G.nodes)
        n = len(nodes)
        if n == 0:
            raise NetworkError("The road graph has no nodes.", "路网没有任何节点。",
                               hint_en="Check the OSM data covers the area.",
                               hint_zh="请检查OSM数据是否覆盖该地区。")
        self.node_ids = np.asarray(nodes)
        index = {node: i for i, node in enumerate(nodes)}
        try:
            x = np.fromiter((G.nodes[nd]["x"] for nd in nodes), float, n)
            y = np.fromiter((G.nodes[nd]["y"] for nd in nodes), float, n)
        except KeyError as exc:
            raise NetworkError("Road graph nodes lack x/y coordinates.",
                               "路网节点缺少 x/y 坐标。",
                               hint_en="Use a graph built by osmnx or coverplan.",
                               hint_zh="请使用osmnx或coverplan生成的路网。") from exc
        crs = CRS.from_user_input(G.graph.get("crs", settings.STORAGE_CRS))
        if crs.is_geographic:
            self.lon, self.lat = x, y
        else:
            self.lon, self.lat = Transformer.from_crs(crs, settings.STORAGE_CRS,
                                                      always_xy=True).transform(x, y)
        self.metric_crs = f"EPSG:{utm_epsg(float(np.nanmean(self.lon)), float(np.nanmean(self.lat)))}"
        self._to_metric = Transformer.from_crs(settings.STORAGE_CRS, self.metric_crs,
                                               always_xy=True)
        self._from_metric = Transformer.from_crs(self.metric_crs, settings.STORAGE_CRS,
                                                 always_xy=True)
        mx, my = self._to_metric.transform(self.lon, self.lat)
        self.xy = np.column_stack([mx, my])

        m = G.number_of_edges()
        u = np.empty(m, dtype=np.int64)
        v = np.empty(m, dtype=np.int64)
        tt = np.full(m, np.nan)
        ln = np.full(m, np.nan)
        for i, (a, b, d) in enumerate(G.edges(data=True)):
            u[i] = index[a]
            v[i] = index[b]
            tt[i] = d.get("travel_time", np.nan)
            ln[i] = d.get("length", np.nan)
        self.has_travel_time = bool(m) and not np.isnan(tt).all()
        self.has_length = bool(m) and not np.isnan(ln).all()
        self._csr = {}
        if self.has_travel_time:
            self._csr["min"] = _min_csr(u, v, tt / 60.0, n)
        if self.has_length:
            self._csr["m"] = _min_csr(u, v, ln, n)
        self._csr_t: dict[str, sparse.csr_matrix] = {}
        self._tree: cKDTree | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    def weights(self, unit: str) -> sparse.csr_matrix:
        """CSR matrix of edge costs in ``unit`` ("min" travel time or "m" length)."""
        if unit not in ("min", "m"):
            raise InputDataError(f"Unknown unit {unit!r}.", f"未知单位 {unit!r}。",
                                 hint_en="Use 'min' or 'm'.", hint_zh="请使用 'min' 或 'm'。")
        if unit not in self._csr:
            attr = "travel_time" if unit == "min" else "length"
            raise NetworkError(f"Road graph edges have no '{attr}' attribute.",
                               f"路网的边缺少“{attr}”属性。",
                               hint_en="Build the graph with `coverplan network build`, or "
                                       "run osmnx add_edge_speeds/add_edge_travel_times.",
                               hint_zh="请用 `coverplan network build` 生成路网，或先运行osmnx的"
                                       "add_edge_speeds/add_edge_travel_times。")
        return self._csr[unit]

    def weights_reversed(self, unit: str) -> sparse.csr_matrix:
        """Transposed :meth:`weights` (for routing *to* a set of nodes)."""
        if unit not in self._csr_t:
            self._csr_t[unit] = self.weights(unit).T.tocsr()
        return self._csr_t[unit]

    @property
    def tree(self) -> cKDTree:
        if self._tree is None:
            self._tree = cKDTree(self.xy)
        return self._tree

    def to_metric(self, lon, lat) -> np.ndarray:
        x, y = self._to_metric.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])

    def from_metric(self, x, y):
        return self._from_metric.transform(x, y)

    def snap(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Nearest graph node (index into :attr:`node_ids`) and distance (m) per point."""
        pts = self.to_metric(lon, lat)
        if len(pts) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        dist, idx = self.tree.query(pts, k=1)
        return idx.astype(np.int64), dist

    def costs(self, src: np.ndarray, dst: np.ndarray, *, unit: str = "min",
              limit: float | None = None, max_block_bytes: int = 256 << 20,
              progress: Callable[[Iterable], Iterable] | None = None) -> np.ndarray:
        """Shortest-path costs between node index sets, in bulk.

        Runs :func:`scipy.sparse.csgraph.dijkstra` from the smaller of the two
        *unique* node sets (on the reversed graph when that is ``dst``), in
        blocks of sources so that the working array stays under
        ``max_block_bytes``.

        Parameters
        ----------
        src, dst : numpy.ndarray of int
            Node indices (rows / columns of the result; duplicates allowed).
        unit : {"min", "m"}
        limit : float, optional
            Stop searching beyond this cost; farther pairs come back as inf.
        progress : callable, optional
            Wraps the iterator over source blocks (e.g. a tqdm bar).

        Returns
        -------
        numpy.ndarray
            ``(len(src), len(dst))`` costs, inf where unreachable.
        """
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        out = np.full((len(src), len(dst)), np.inf)
        if len(src) == 0 or len(dst) == 0:
            return out
        us, inv_s = np.unique(src, return_inverse=True)
        ud, inv_d = np.unique(dst, return_inverse=True)
        reverse = len(ud) < len(us)
        if reverse:
            graph, starts, targets = self.weights_reversed(unit), ud, us
        else:
            graph, starts, targets = self.weights(unit), us, ud
        block = max(1, int(max_block_bytes // (8 * self.n_nodes)))
        res = np.empty((len(starts), len(targets)))
        chunks = range(0, len(starts), block)
        if progress is not None:
            chunks = progress(chunks)
        kw = {} if limit is None else {"limit": float(limit)}
        for a in chunks:
            b = min(a + block, len(starts))
            d = csgraph.dijkstra(graph, directed=True, indices=starts[a:b], **kw)
            res[a:b] = d[:, targets]
        if reverse:
            res = res.T
        out[:] = res[inv_s.ravel()][:, inv_d.ravel()]
        return out


_BY_PATH: dict[tuple, RoadNetwork] = {}
_PREPARED: "weakref.WeakKeyDictionary[nx.MultiDiGraph, RoadNetwork]" = weakref.WeakKeyDictionary()


def prepare(graph) -> RoadNetwork:
    """Return the :class:`RoadNetwork` of a graph (built once per graph object).

    ``graph`` may be a :class:`RoadNetwork`, an osmnx ``MultiDiGraph`` or a
    GraphML/OSM path. The preparation is redone if the graph's node or edge
    count changed since.
    """
    if isinstance(graph, RoadNetwork):
        return graph
    if isinstance(graph, (str, Path)):
        p = Path(graph)
        if not p.exists():  # missing, or a link to nothing or to itself (resolve() would raise on a loop)
            return RoadNetwork(load_graph(p))  # which says what is wrong with the path
        st = p.stat()
        key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
        if key in _BY_PATH:
            return _BY_PATH[key]
        net = RoadNetwork(load_graph(p))
        net.source_path = p  # geo.router keeps the contraction hierarchy next to this file
        _BY_PATH.clear()  # keep one file's network in memory at most
        _BY_PATH[key] = net
        return net
    G = load_graph(graph)
    net = _PREPARED.get(G)
    if net is None or net.signature != (G.number_of_nodes(), G.number_of_edges()):
        net = RoadNetwork(G)
        _PREPARED[G] = net
    return net
