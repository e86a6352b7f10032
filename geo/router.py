"""Router-speed travel-cost matrices: customizable contraction hierarchies, scipy as fallback.

``travel_costs(mode="network")`` asks :func:`path_costs` for the node-to-node
block of an origin-destination matrix. Two engines answer it:

* ``"ch"`` — RoutingKit's customizable contraction hierarchy (CCH), through the
  PyPI package ``routingkit-cch`` (wheels for Linux, macOS and Windows, no
  compiler needed). The expensive part, a nested-dissection node order, depends
  only on the graph's arcs, not on their weights; it is cached on disk next to
  the GraphML (``<graph>.graphml.cch/``) with a fingerprint of the arcs and the
  SHA-256 of the order file, so a stale or damaged cache is rebuilt, never
  trusted. Customising the weights (travel time or length) takes well under a
  second and is kept in memory per prepared network.
* ``"scipy"`` — the blocked multi-source Dijkstra of
  :meth:`geo.network.RoadNetwork.costs`. Always available; it also answers
  whenever the CCH library is missing or fails (the answer then carries a
  message saying so), and for searches with a cutoff, where a bounded Dijkstra
  is already fast.

RoutingKit works with 32-bit integer weights. Edge costs are scaled by ``S``
so that every finite shortest path stays below 2**30 units (a bound computed
from two Dijkstra runs, see :func:`_distance_bound`), then rounded; the
results are divided by ``S`` again. On road graphs the rounding changes a cost
by far less than a millionth of it; the tests check the CCH matrix against
Dijkstra to 1e-6 relative.
"""
from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import signal
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from geo import settings

ENGINES = ("auto", "ch", "scipy")
#: Library behind the "ch" engine (PyPI distribution / import name).
LIBRARY = "routingkit-cch"
_MODULE = "routingkit_cch"
#: Bump when the cached order's format or meaning changes.
ORDER_VERSION = 1
#: Largest scaled path cost allowed (RoutingKit's "infinity" is 2**31 - 1).
_MAX_UNITS = float(2 ** 30)
#: In "auto", below this many searches (the smaller of the two point sets) a
#: few Dijkstra runs beat building or even loading a hierarchy.
AUTO_MIN_SEARCHES = 100

log = logging.getLogger("coverplan.router")


class RouterUnavailable(Exception):
    """The CCH engine cannot be used here; ``en``/``zh`` say why."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def load_library():
    """The ``routingkit_cch`` module, or :class:`RouterUnavailable` with a clear message."""
    try:
        import routingkit_cch
        return routingkit_cch
    except Exception as exc:  # noqa: BLE001 - ImportError, or a broken binary (OSError)
        raise RouterUnavailable(
            f"The contraction-hierarchy router ({LIBRARY}) is not available ({exc}); "
            "travel costs were computed with scipy's Dijkstra instead (same results, slower). "
            f"Install it with `pip install {LIBRARY}`.",
            f"未能加载收缩层次路由库 {LIBRARY}（{exc}），已改用 scipy Dijkstra 计算出行成本"
            f"（结果相同，速度较慢）。可运行 `pip install {LIBRARY}` 安装。") from exc


def library_version() -> str:
    try:
        from importlib.metadata import version
        return version(LIBRARY)
    except Exception:  # noqa: BLE001
        return "unknown"


# --------------------------------------------------------------------------- hierarchy cache

def arcs_fingerprint(tail: np.ndarray, head: np.ndarray, n_nodes: int) -> str:
    """SHA-256 of the arc list: the node order is valid for exactly this topology."""
    h = hashlib.sha256()
    h.update(f"cch-order v{ORDER_VERSION} n={n_nodes} m={len(tail)};".encode())
    h.update(np.ascontiguousarray(tail, dtype=np.uint32).tobytes())
    h.update(np.ascontiguousarray(head, dtype=np.uint32).tobytes())
    return h.hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_dir_for(net, default_root: Path | None = None) -> Path:
    """Where the hierarchy of a prepared network is kept.

    Next to its GraphML file (``roads.graphml`` -> ``roads.graphml.cch/``) when
    the network was loaded from one; otherwise in the graph cache folder.
    """
    src = getattr(net, "source_path", None)
    if src is not None and str(src).lower().endswith(".graphml"):
        return Path(str(src) + ".cch")
    if default_root is not None:
        return Path(default_root)
    from geo.network import graph_cache_dir
    return graph_cache_dir() / "cch"


@dataclass
class OrderCache:
    """One cached node order: ``<dir>/<slot>.order.npy`` and ``<dir>/<slot>.meta.json``."""

    folder: Path
    slot: str

    @property
    def order_path(self) -> Path:
        return self.folder / f"{self.slot}.order.npy"

    @property
    def meta_path(self) -> Path:
        return self.folder / f"{self.slot}.meta.json"

    def load(self, fingerprint: str, n_nodes: int) -> np.ndarray | None:
        """The cached order if it belongs to this topology and is intact, else None.

        Anything wrong (other graph, other format, checksum differs, not a
        permutation) is logged and the files are removed so they are rebuilt.
        """
        if not self.meta_path.is_file() and not self.order_path.is_file():
            return None
        problem = None
        order = None
        try:
            meta = json.loads(self.meta_path.read_text("utf-8"))
            if meta.get("fingerprint") != fingerprint:
                problem = "built for another graph (stale)"
            elif meta.get("order_version") != ORDER_VERSION:
                problem = "older cache format"
            elif meta.get("order_sha256") != _sha256_file(self.order_path):
                problem = "checksum differs (damaged)"
            else:
                order = np.load(self.order_path, allow_pickle=False)
                if (order.shape != (n_nodes,) or order.dtype.kind not in "iu"
                        or not np.array_equal(np.bincount(order, minlength=n_nodes),
                                              np.ones(n_nodes, dtype=np.int64))):
                    problem, order = "not a node order of this graph", None
        except (OSError, ValueError, TypeError, json.JSONDecodeError) as exc:
            problem, order = f"unreadable ({exc.__class__.__name__})", None
        if problem:
            log.warning("contraction hierarchy cache %s: %s; rebuilding it", self.order_path, problem)
            self.remove()
            return None
        return order

    def save(self, order: np.ndarray, fingerprint: str, seconds: float) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.order_path.with_name(self.order_path.name + f".{os.getpid()}.tmp.npy")
        np.save(tmp, np.asarray(order, dtype=np.uint32), allow_pickle=False)
        os.replace(tmp, self.order_path)
        meta = {"fingerprint": fingerprint, "order_version": ORDER_VERSION,
                "order_sha256": _sha256_file(self.order_path), "library": LIBRARY,
                "library_version": library_version(), "nodes": int(len(order)),
                "build_seconds": round(seconds, 3)}
        tmp_meta = self.meta_path.with_name(self.meta_path.name + f".{os.getpid()}.tmp")
        tmp_meta.write_text(json.dumps(meta, indent=1), "utf-8")
        # the meta file is written last: a crash in between leaves no meta, hence no trust
        os.replace(tmp_meta, self.meta_path)

    def remove(self) -> None:
        for p in (self.order_path, self.meta_path):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


# --------------------------------------------------------------------------- the router

def _distance_bound(w: sparse.csr_matrix, w_rev: sparse.csr_matrix) -> float:
    """An upper bound on every finite shortest-path cost of the graph.

    A shortest path enters the largest strongly connected component at most
    once and leaves it at most once, so its part inside costs at most
    (largest cost *to* a root) + (largest cost *from* that root); its parts
    outside use distinct edges outside that component, bounded by their sum.
    Two Dijkstra runs, a few hundredths of a second on 100,000 nodes.
    """
    n = w.shape[0]
    if w.nnz == 0:
        return 1.0
    _, labels = csgraph.connected_components(w, directed=True, connection="strong")
    giant = np.bincount(labels).argmax()
    root = int(np.flatnonzero(labels == giant)[0])
    fwd = csgraph.dijkstra(w, directed=True, indices=root)
    back = csgraph.dijkstra(w_rev, directed=True, indices=root)
    inside = labels == giant
    coo = w.tocoo()
    outside = ~(inside[coo.row] & inside[coo.col])
    bound = (np.max(fwd[inside]) + np.max(back[inside]) + float(coo.data[outside].sum())
             + float(coo.data.max()))
    return float(bound) if np.isfinite(bound) and bound > 0 else 1.0


@dataclass
class CHRouter:
    """A customised CCH over one weight matrix of a prepared road network.

    Build with :func:`router_for`. ``scale`` is the number of integer units
    per cost unit; ``build_seconds`` the time of the node order (0 when it came
    from the cache, see ``cache_hit``), ``customize_seconds`` that of the CCH
    and the weights.
    """

    lib: object
    cch: object
    metric: object
    scale: float
    n_nodes: int
    cache_hit: bool
    cache_path: Path | None
    build_seconds: float
    customize_seconds: float
    fingerprint: str
    info: dict = field(default_factory=dict)
    #: processes that shared the last matrix (see :func:`_processes_for`)
    processes: int = 1

    def costs(self, starts: np.ndarray, targets: np.ndarray, *,
              progress: Callable[[Iterable], Iterable] | None = None) -> np.ndarray:
        """``(len(starts), len(targets))`` costs between *unique* node indices; inf if unreachable.

        One pinned-set sweep per element of the smaller set (RoutingKit's
        one-to-many / many-to-one queries).
        """
        starts = np.asarray(starts, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        by_row = len(starts) <= len(targets)
        loop = starts if by_row else targets
        if len(starts) == 0 or len(targets) == 0:
            return np.empty((len(starts), len(targets)))
        # (len(loop), len(other)) in scaled units, each row one sweep; the
        # rows are split between this process and forked children writing
        # into the same anonymous shared mapping.
        nproc = self.processes = _processes_for(len(loop))
        buf = mmap.mmap(-1, len(starts) * len(targets) * 8) if nproc > 1 else None
        rows = (np.frombuffer(buf, dtype=float).reshape(len(loop), -1) if buf is not None
                else np.empty((len(loop), len(targets) if by_row else len(starts))))
        chunks = np.array_split(np.arange(len(loop)), nproc)
        children = [(_fork_rows(self, by_row, starts, targets, rows, chunk), chunk)
                    for chunk in chunks[1:]]
        try:
            self._rows(by_row, starts, targets, rows, chunks[0], progress)
        except BaseException:  # e.g. Ctrl-C: no orphan keeps computing rows nobody reads
            for pid, _ in children:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            raise
        for pid, chunk in children:
            if not _child_ok(pid):
                # a child that died (killed, out of memory) costs time, never the answer
                log.warning("router worker %s failed; its %d rows are computed here", pid, len(chunk))
                self._rows(by_row, starts, targets, rows, chunk, None)
        out = rows.T.copy() if not by_row else rows.copy()
        del rows
        if buf is not None:
            try:
                buf.close()
            except BufferError:  # a view still alive somewhere; the mapping goes with it
                pass
        out[np.isnan(out)] = np.inf
        out /= self.scale
        return out

    def _rows(self, by_row: bool, starts: np.ndarray, targets: np.ndarray, rows: np.ndarray,
              chunk: np.ndarray, progress) -> None:
        """Fill ``rows[chunk]``: one pinned-set sweep per row (RoutingKit's
        one-to-many / many-to-one queries)."""
        if by_row:
            query = self.lib.CCHOneToMany(self.metric, targets.tolist())
            run, loop = query.distances_from, starts
        else:
            query = self.lib.CCHManyToOne(self.metric, starts.tolist())
            run, loop = query.distances_to, targets
        steps: Iterable = chunk
        if progress is not None:
            steps = progress(steps)
        for k in steps:
            # None (unreachable) becomes nan in a float array, inf in costs()
            rows[k] = np.array(run(int(loop[k])), dtype=float)


#: Fewer sweeps than this per extra process are not worth a fork.
FORK_MIN_ROWS = 200


def _processes_for(n_rows: int) -> int:
    """How many processes share ``n_rows`` sweeps (1 = this one alone)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        # fork() copies only the calling thread; a lock held by another thread
        # (logging, a database) would stay locked forever in the child
        return 1
    want = settings.router_processes()  # after: the web server never forks, so its setting is not asked
    if want == 1:
        return 1
    if want <= 0:
        want = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(want, n_rows // FORK_MIN_ROWS))


def _fork_rows(router: "CHRouter", by_row: bool, starts, targets, rows, chunk) -> int:
    """Fork a child that fills ``rows[chunk]`` (shared memory) and exits; its pid."""
    pid = os.fork()
    if pid == 0:  # child: compute, then leave without running the parent's cleanup
        code = 1
        try:
            router._rows(by_row, starts, targets, rows, chunk, None)
            code = 0
        finally:
            os._exit(code)
    return pid


def _child_ok(pid: int) -> bool:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


_ROUTERS: "weakref.WeakKeyDictionary[object, dict[str, CHRouter]]" = weakref.WeakKeyDictionary()


def router_for(net, unit: str, *, cache: bool = True, cache_dir: Path | None = None) -> CHRouter:
    """The CCH router of a prepared network for ``unit`` (built once per network object).

    Raises :class:`RouterUnavailable` when the library is missing or fails.
    """
    per_net = _ROUTERS.setdefault(net, {})
    if unit in per_net:
        return per_net[unit]
    lib = load_library()
    w = net.weights(unit)
    coo = w.tocoo()
    tail = coo.row.astype(np.uint32)
    head = coo.col.astype(np.uint32)
    n = int(net.n_nodes)
    fp = arcs_fingerprint(tail, head, n)
    folder = cache_dir_for(net, cache_dir)
    store = OrderCache(folder if folder.name.endswith(".cch") else folder / fp[:24], unit)
    try:
        order = store.load(fp, n) if cache else None
        hit = order is not None
        t0 = time.perf_counter()
        tail_l, head_l = tail.tolist(), head.tolist()
        if order is None:
            order = np.asarray(lib.compute_order_inertial(n, tail_l, head_l, net.lat.tolist(),
                                                          net.lon.tolist()), dtype=np.int64)
        build = 0.0 if hit else time.perf_counter() - t0
        if cache and not hit:
            try:
                store.save(order, fp, build)
            except OSError as exc:  # a read-only cache folder must not stop routing
                log.warning("cannot save the contraction hierarchy to %s: %s", store.folder, exc)
        t1 = time.perf_counter()
        bound = _distance_bound(w, net.weights_reversed(unit))
        scale = _MAX_UNITS / bound
        weights = np.rint(coo.data * scale).astype(np.int64)
        cch = lib.CCH(order.tolist(), tail_l, head_l, False)
        metric = lib.CCHMetric(cch, weights.tolist())
        customize = time.perf_counter() - t1
    except RouterUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - a library failure must fall back, not crash
        raise RouterUnavailable(
            f"The contraction-hierarchy router ({LIBRARY}) failed on this graph ({exc}); "
            "travel costs were computed with scipy's Dijkstra instead.",
            f"收缩层次路由库 {LIBRARY} 处理该路网时出错（{exc}），已改用 scipy Dijkstra 计算出行成本。") from exc
    router = CHRouter(lib=lib, cch=cch, metric=metric, scale=scale, n_nodes=n, cache_hit=hit,
                      cache_path=store.order_path if cache else None, build_seconds=build,
                      customize_seconds=customize, fingerprint=fp,
                      info={"library": LIBRARY, "library_version": library_version(),
                            "units_per_cost": scale, "distance_bound": bound})
    per_net[unit] = router
    return router


# --------------------------------------------------------------------------- engine choice

@dataclass
class EngineReport:
    """Which engine answered, and why (part of every network-mode TravelMatrix)."""

    engine: str                       # "ch" or "scipy"
    requested: str                    # "auto", "ch" or "scipy"
    note_en: str = ""
    note_zh: str = ""
    hierarchy: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"engine": self.engine, "requested": self.requested, "note_en": self.note_en,
                "note_zh": self.note_zh, "hierarchy": dict(self.hierarchy)}


def path_costs(net, src: np.ndarray, dst: np.ndarray, *, unit: str, limit: float | None = None,
               engine: str = "auto", progress: Callable[[Iterable], Iterable] | None = None,
               cache: bool = True, cache_dir: Path | None = None) -> tuple[np.ndarray, EngineReport]:
    """Shortest-path costs between node index sets (duplicates allowed), and the engine used.

    ``engine="auto"`` takes the CCH when the library loads, no cutoff is
    given and the smaller of the two unique point sets has at least
    :data:`AUTO_MIN_SEARCHES` members; ``"ch"`` asks for it always;
    ``"scipy"`` never. If the CCH cannot be used the answer comes from scipy
    and the report says why.
    """
    if engine not in ENGINES:
        from geo.errors import InputDataError
        raise InputDataError(f"Unknown routing engine {engine!r}.", f"未知的路径计算引擎 {engine!r}。",
                             hint_en="Use 'auto', 'ch' or 'scipy'.",
                             hint_zh="请使用 'auto'、'ch'（收缩层次）或 'scipy'。")
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    us, inv_s = np.unique(src, return_inverse=True)
    ud, inv_d = np.unique(dst, return_inverse=True)
    want_ch = engine == "ch" or (engine == "auto" and limit is None
                                 and min(len(us), len(ud)) >= AUTO_MIN_SEARCHES)
    report = EngineReport(engine="scipy", requested=engine)
    if want_ch and len(us) and len(ud):
        try:
            router = router_for(net, unit, cache=cache, cache_dir=cache_dir)
            t = time.perf_counter()
            block = router.costs(us, ud, progress=progress)
            if limit is not None:
                block[block > float(limit)] = np.inf
            report.engine = "ch"
            report.hierarchy = {"cache_hit": router.cache_hit,
                                "cache_path": str(router.cache_path) if router.cache_path else None,
                                "order_seconds": round(router.build_seconds, 3),
                                "customize_seconds": round(router.customize_seconds, 3),
                                "query_seconds": round(time.perf_counter() - t, 3),
                                "processes": router.processes,
                                **router.info}
            return block[inv_s.ravel()][:, inv_d.ravel()], report
        except RouterUnavailable as exc:
            log.warning("%s", exc.en)
            report.note_en, report.note_zh = exc.en, exc.zh
        except Exception as exc:  # noqa: BLE001 - a failing query falls back, never crashes
            log.warning("contraction-hierarchy query failed: %s", exc)
            report.note_en = (f"The contraction-hierarchy router ({LIBRARY}) failed ({exc}); "
                              "travel costs were computed with scipy's Dijkstra instead.")
            report.note_zh = (f"收缩层次路由库 {LIBRARY} 查询出错（{exc}），已改用 scipy Dijkstra "
                              "计算出行成本。")
    return net.costs(src, dst, unit=unit, limit=limit, progress=progress), report
