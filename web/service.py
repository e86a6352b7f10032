"""What the pages and the API show, computed once and cached per process.

The web layer never re-implements planning: it calls ``planner`` and
``geo`` and only reshapes their results for the browser (light GeoJSON, rows
in the user's language). Results depend only on the region and the inputs, so
caching them per (type, mode) is safe until the process restarts.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from contextlib import contextmanager

import numpy as np
import pandas as pd
from flask import g, has_request_context

from geo.datasets import FACILITIES
from geo.errors import CoverplanError
from geo.regions import load_region, region_info
from planner.checklist import checklist_from_coverage
from planner.coverage import analyse_coverage, county_names_en, existing_facilities, place_names_en
from planner.facility_types import COUNT_KINDS, get_type, load_facility_types
from planner.i18n import pick, share_text, t
from planner.maplayers import service_area_layer
from planner.sites import candidate_sites, site_marks
from planner.targets import after_notes, plan_targets
from planner.targets import progress as target_progress
from web import layers
from web import pinyin
from web.errors import TooManyJobs
from web.pinyin import pinyin_keys, pinyin_query

#: Saved proposals whose map layers stay in memory (each about 1 MB).
PROPOSAL_LAYERS_KEPT = 8
#: Answers to a query with a free number (a bed target, an upgrade's K) kept per kind, the least recently used
#: dropped: every target from 1 to 1,000,000 was a new entry of about 170 KB, kept until the data changed (review 36).
PARAM_ANSWERS_KEPT = 16
#: Offline map files (each about 4 MB) kept per kind: built in 11-13 s of CPU, they were built again on each click.
EXPORTS_KEPT = 4
#: Heavy answers (a bed breakdown, an upgrade's solve, an offline map) one user may have computing at once: the
#: solves' queue (MAX_JOBS_PER_USER) did not cover these GETs, and a few in parallel held both cores (review 36).
HEAVY_PER_USER = 2
#: When to try a refused heavy answer again (seconds): about what one takes.
HEAVY_RETRY_AFTER = 10

_MISSING = object()


class HeavyBusy(TooManyJobs):
    """One user already has :data:`HEAVY_PER_USER` heavy answers computing: a 429 (as a solve over the user's share
    of the queue), with ``Retry-After``."""

    def __init__(self, active: int, limit: int) -> None:
        CoverplanError.__init__(
            self,
            f"You already have {active} large calculations running (at most {limit} per user at once). "
            "Wait for them to finish, then try again.",
            f"您已有 {active} 个较大的计算正在运行（每位用户同时最多 {limit} 个）。请等待完成后再试。",
            hint_en="A map file or a breakdown already made is answered at once.",
            hint_zh="已生成的地图文件或分解结果会立即返回。",
            details={"active": active, "limit": limit, "retry_after": HEAVY_RETRY_AFTER})


def _in_county(a: dict, b: dict, county: str | None):
    """``ours(layer, code)``: whether the township (``layer`` townships) or village (villages; a population row is
    a village's) of ``code`` lies in ``county``, by the county code it carries in layers ``a`` or ``b`` (two
    versions' layers, geo.datasets.DatasetStore.layers: a row of either version in the county is the county's);
    a code neither version places counts by its first six digits (a county's code heads its townships' and
    villages'). Every row is ours for a city-wide proposal (``county`` None)."""
    from geo.datasets import TOWNSHIPS, VILLAGES

    if not county:
        return lambda layer, code: True
    county = str(county)
    counties: dict[str, dict[str, set]] = {}
    for layer in (TOWNSHIPS, VILLAGES):
        seen: dict[str, set] = {}
        for frame in (a.get(layer), b.get(layer)):
            if frame is None or "county_code" not in getattr(frame, "columns", ()):
                continue
            for code, c in zip(frame.index.astype(str), frame["county_code"]):
                if c is not None and not (isinstance(c, float) and np.isnan(c)):
                    seen.setdefault(code, set()).add(str(c))
        counties[layer] = seen

    def ours(layer: str, code) -> bool:
        code = str(code or "")
        known = counties.get(layer, {}).get(code)
        return county in known if known else code[:6] == county
    return ours


def _county_rows(frame, layer: str, ours):
    """The rows of ``frame`` (a version's townships, villages or population layer, as geo.datasets.DatasetStore.layers
    gives them; None: the version has none) that ``ours`` (:func:`_in_county`) places in the county, indexed by
    their code as text and sorted, with their columns sorted: what a proposal is solved on. A township with its
    columns and the geometry as WKB (two versions' rows compare with ``equals``, on the columns both have); a
    village by its point alone, ``x`` and ``y`` in metres (:meth:`Service._same_rows`: coverage uses the point, and its
    bookkeeping -- ``location_quality``, ``location_source``, written by an import that gave a sample point as
    official at the same place -- is no change of the data solved on, QA 34); a population row by its numbers
    (every band, as floats), as its village's (``code``). A version without population rows has none."""
    import geopandas as gpd

    from geo import settings as geo_settings
    from geo.datasets import POPULATION, VILLAGES

    if frame is None:
        frame = pd.DataFrame(columns=["code"])
    if layer == POPULATION:
        codes = frame["code"].astype(str)
        rows = pd.DataFrame(frame).set_index(codes.to_numpy()).drop(columns=["code"])
        rows = rows.apply(pd.to_numeric, errors="coerce").astype(float)
        layer = VILLAGES
    else:
        rows = pd.DataFrame(frame)
        rows.index = rows.index.astype(str)
    rows = rows[np.fromiter((ours(layer, c) for c in rows.index), bool, len(rows))].copy()
    if layer == VILLAGES and "geometry" in rows.columns:  # the point, in metres
        xy = gpd.GeoSeries(rows["geometry"], crs=getattr(frame, "crs", None) or geo_settings.STORAGE_CRS)
        xy = xy.to_crs(geo_settings.METRIC_CRS)
        rows = pd.DataFrame({"x": xy.x.to_numpy(float), "y": xy.y.to_numpy(float)}, index=rows.index)
    elif "geometry" in rows.columns:  # exact coordinates, as stored
        rows["geometry"] = [None if g is None else g.wkb for g in rows["geometry"]]
    return rows.sort_index().sort_index(axis=1)


class Service:
    """Region-bound facade with caches; one per app."""

    def __init__(self, region_name: str, graph_path: str | None = None, datasets=None) -> None:
        self.region_name = region_name
        self.graph_path = graph_path
        #: geo.datasets.DatasetStore of the planner's data versions (None: embedded data only)
        self.datasets = datasets
        self._cache: dict = {}
        self._cache_version: int | None = None
        self._regions: OrderedDict = OrderedDict()
        self._locks: dict = {}  # key -> its lock, while it is computed
        self._kept: dict = {}  # kind -> OrderedDict of its keys, the last used last (cached(..., kept=n))
        self._heavy: dict = {}  # user -> heavy answers he has computing (heavy())
        self._guard = threading.Lock()
        self._proposal_layers: OrderedDict = OrderedDict()
        self._forgotten: dict[str, int] = {}  # pid -> times forgotten (a layer computed across one is not kept)
        self._after: OrderedDict = OrderedDict()  # targets after saved proposals (_targets_after)
        self._same: dict = {}  # (version, current version) -> same data (is_current)

    # -- data versions -------------------------------------------------------
    def version(self) -> int:
        """The active data version (0: the embedded default).

        Read once per request (a database query each time was a good part of a
        small answer's cost under load, bench/load.py), which also keeps one
        request on one version even when an import commits meanwhile.
        """
        if self.datasets is None:
            return 0
        if has_request_context():
            memo = g.get("_cp_data_version")
            if memo is not None and memo[0] is self:
                return memo[1]
            v = self.datasets.current().version
            g._cp_data_version = (self, v)
            return v
        return self.datasets.current().version

    def is_current(self, version, layers=None, county: str | None = None) -> bool:
        """Whether data version ``version`` holds the current data: it is the current version, or the
        current one is a rollback to it (the same files). A proposal solved on v0 was called outdated
        after a rollback to v0 made v2 (QA 22).

        ``layers`` (and ``county``): only those layers count, as :meth:`changed_layers` compares them -- a
        proposal is outdated when the data it was solved on changed, not when any data did (QA 32: one
        county's welfare-home edit marked every saved proposal outdated; web.proposals.data_state passes a
        proposal's). Left out, every layer."""
        try:
            v = int(version or 0)
        except (TypeError, ValueError):
            return False
        cur = self.version()
        if v == cur or self.datasets is None:
            return v == cur
        if layers is not None:
            return not self.changed_layers(v, layers, county)
        key = (v, cur)  # versions never change: the answer is kept
        if key not in self._same:
            self._same[key] = self.datasets.same_data(v, cur)
        return self._same[key]

    def changed_layers(self, version: int, layers, county: str | None = None, to: int | None = None) -> list[str]:
        """Which of ``layers`` differ between data version ``version`` and the current one (or version ``to``:
        a re-solve's own, web/api.py proposal_rerun_diff), in the order
        given: a layer whose stored file is the same (or holds the same data: a rollback, a re-import of the
        same file) did not change; nor did a facility layer whose facilities are the same in both versions
        (geo.datasets.same_facilities, the row-level compare the store's edits use: a whole register imported
        again rewrites every type's layer, and one type's rows differ, QA 33), with ``county`` its facilities in
        that county (another county's edit of the type did not change it for that county's proposal); the
        townships, villages and population rows likewise, for a county's proposal those of that county (QA 34: a
        village moved in another county marked it outdated; web.service.layer_counts counts them so), villages by
        their points (a village file that only flagged a sample point official at the same place changed no
        proposal's data, city-wide or a county's). A version that cannot be read counts as every layer changed."""
        cur = self.version() if to is None else int(to)
        layers = tuple(dict.fromkeys(str(x) for x in layers))
        v = int(version)
        if v == cur or self.datasets is None:
            return [] if v == cur else list(layers)
        key = ("layers", v, cur, layers, county)  # versions never change: the answer is kept
        if key in self._same:
            return self._same[key]
        try:
            old, now = self.datasets.refs(v), self.datasets.refs(cur)
        except Exception:  # no such version, or its files are gone: nothing of it can be vouched for
            self._same[key] = list(layers)
            return self._same[key]

        def same(a, b) -> bool:
            if a is None or b is None:
                return a is b
            return (a.stored_in, a.file) == (b.stored_in, b.file) or (
                a.sha256 is not None and (a.sha256, a.rows) == (b.sha256, b.rows))

        changed = [name for name in layers if not same(old.get(name), now.get(name))]
        # the candidate marks and planner-added sites of other types (a mark for day-care centres) are not
        # this proposal's; nor, for a county's proposal, another county's facilities of its type; a facility
        # layer rewritten with the same facilities did not change
        types = {name.split(":", 1)[1] for name in layers if name.startswith(FACILITIES + ":")}
        read: dict = {}  # each version's layers read once for all the layers compared (a whole register: 7 types)

        def data(version: int) -> dict:
            if version not in read:
                read[version] = self.datasets.layers(version)
            return read[version]
        changed = [name for name in changed if not self._same_rows(data, v, cur, name, types, county)]
        self._same[key] = changed
        return changed

    def layer_counts(self, version: int, to: int, layers, county: str | None = None) -> dict[str, dict]:
        """What changed in each of ``layers`` from data version ``version`` to ``to``, counted as GET
        /api/data/diff counts it (geo.datasets.diff_layers): a facility layer's facilities of its type (in
        ``county`` for a county's proposal) ``added``, ``removed``, ``moved``, ``renamed`` (or retyped), with
        another ``capacity`` or other ``details``; township boundaries ``changed`` or ``requalified``, village
        points ``moved``, population rows ``changed``; the candidate marks and planner-added sites of the
        layers' types (or of every type). A layer with nothing to count (the road network) is left out, and
        every one when either version cannot be read. For a county's proposal (``county``) the townships, villages
        and population rows are those of that county too (their county codes in either version: QA 34, a village
        moved in another county was counted as a change of a county's proposal)."""
        from geo.datasets import ALL_TYPES, MARKS, POPULATION, SITES, TOWNSHIPS, VILLAGES, diff_layers, own_capacity_only
        from planner.facility_types import capacity_columns

        layers = tuple(dict.fromkeys(str(x) for x in layers))
        if self.datasets is None or not layers:
            return {}
        key = ("counts", int(version), int(to), layers, county)  # versions never change: the answer is kept
        if key in self._same:
            return self._same[key]
        types = {name.split(":", 1)[1] for name in layers if name.startswith(FACILITIES + ":")}
        out: dict[str, dict] = {}
        try:
            a, b = self.datasets.layers(int(version)), self.datasets.layers(int(to))
            for name in layers:
                if not name.startswith(FACILITIES + ":"):
                    continue
                ftype = name.split(":", 1)[1]

                def mine(fac):
                    fac = fac[fac["facility_type"].astype(str) == ftype]
                    return fac[fac["county_code"].astype(str) == str(county)] if county else fac
                # a day-care centre's beds changing is a detail, not a capacity change, as the Data page counts it
                f = own_capacity_only(diff_layers({FACILITIES: mine(a[FACILITIES])}, {FACILITIES: mine(b[FACILITIES])},
                                                  changed={name}), capacity_columns(self.types()))["facilities"]
                out[name] = {"added": len(f["added"]), "removed": len(f["removed"]), "moved": len(f["moved"]),
                             "renamed": len(f["changed"]), "capacity": len({r["id"] for r in f["capacity"]}),
                             "details": len(f["attributes"])}
            rest = {x for x in layers if x in (TOWNSHIPS, VILLAGES, POPULATION, MARKS, SITES)}
            if rest:
                d = diff_layers(a, b, changed=rest)
                kept = {*types, ALL_TYPES}

                def theirs(rows: list) -> int:  # the marks and sites of other types are not this proposal's
                    return sum(1 for r in rows if not types or str(r.get("facility_type")) in kept)
                ours = _in_county(a, b, county)  # every row for a city-wide proposal

                def here(rows: list, layer: str) -> int:
                    return sum(1 for r in rows if ours(layer, r if isinstance(r, str) else r.get("code")))
                every = {TOWNSHIPS: {"changed": here(d["townships"]["changed"], TOWNSHIPS),
                                     "requalified": here(d["townships"]["requalified"], TOWNSHIPS)},
                         VILLAGES: {"moved": here(d["villages"]["moved"], VILLAGES)},
                         POPULATION: {"changed": here(d["population"]["changed"], VILLAGES)},
                         MARKS: {k: theirs(d["site_marks"][k]) for k in ("added", "removed", "changed")},
                         SITES: {k: theirs(d["planner_sites"][k]) for k in ("added", "removed", "moved")}}
                out.update({x: every[x] for x in layers if x in rest})
        except Exception:  # no such version, or its files are gone: nothing to count
            out = {}
        self._same[key] = out
        return out

    def layer_names(self, version: int) -> tuple[str, ...]:
        """Every layer data version ``version`` or the current one has (none without a store, or when
        either cannot be read)."""
        if self.datasets is None:
            return ()
        cur = self.version()
        key = ("names", int(version), cur)  # versions never change: the answer is kept
        if key not in self._same:
            try:
                self._same[key] = tuple(sorted({*self.datasets.refs(int(version)), *self.datasets.refs(cur)}))
            except Exception:  # no such version, or its files are gone
                return ()
        return self._same[key]

    def _same_rows(self, data, v: int, cur: int, layer: str, types: set, county: str | None) -> bool:
        """Whether a changed ``layer`` holds the same rows for a proposal of ``types`` (in ``county``) in
        versions ``v`` and ``cur`` (``data``: a version's layers, as geo.datasets.DatasetStore.layers gives
        them): the facilities of the type, in the county if one is given (geo.datasets.same_facilities, the
        store's own row compare), the marks and planner-added sites of the types or of every type. False for
        any other layer, and when either version cannot be read. The townships, villages and population rows too,
        with ``county`` those of that county (:func:`_county_rows`, placed by :func:`_in_county` as the re-solve
        card's counts are; every row for a city-wide proposal): a layer whose rows there are the same in both
        versions did not change for it -- villages by code and point (none moved over geo.datasets.VILLAGE_MOVED_M,
        as the comparison and the card count a move; a sample point flagged official where it stood is no change)."""
        from geo.datasets import ALL_TYPES, MARKS, POPULATION, SITES, TOWNSHIPS, VILLAGES, same_facilities

        # (a city-wide proposal's too, every row its own: a village file that only flagged a sample point official at
        # the same place rewrote the layer's file, and marked every proposal outdated, QA 34)
        if layer in (TOWNSHIPS, VILLAGES, POPULATION):
            try:
                a, b = data(v), data(cur)
                ours = _in_county(a, b, county)
                rows_a, rows_b = _county_rows(a.get(layer), layer, ours), _county_rows(b.get(layer), layer, ours)
                if len(rows_a) == len(rows_b) == 0:  # none there in either: the same
                    return True
                if layer == VILLAGES:  # the same villages, none moved by more than the comparison calls a move
                    from geo.datasets import VILLAGE_MOVED_M
                    if not rows_a.index.equals(rows_b.index):
                        return False
                    moved = np.hypot(rows_a["x"].to_numpy() - rows_b["x"].to_numpy(),
                                     rows_a["y"].to_numpy() - rows_b["y"].to_numpy())
                    return bool(np.all(moved <= VILLAGE_MOVED_M))
                if layer == POPULATION:  # every band: a band one version has and the other lacks is a change
                    return rows_a.equals(rows_b)
                # on the columns both have: a column one version adds to every row (the townships' geometry_source
                # an import writes) is no change of the county's rows
                both = [col for col in rows_a.columns if col in rows_b.columns]
                return rows_a[both].equals(rows_b[both])
            except Exception:  # unreadable: changed, as far as anyone can tell
                return False
        if not (layer in (MARKS, SITES) or layer.startswith(FACILITIES + ":")):
            return False
        try:
            frames = []
            for version in (v, cur):
                if layer in (MARKS, SITES):
                    rows = data(version)[layer]
                    rows = rows[rows["facility_type"].astype(str).isin({*types, ALL_TYPES})]
                    if layer == SITES:  # the place, to the centimetre, and what it is called
                        rows = pd.DataFrame({"id": rows["id"].astype(str), "name": rows["name"].astype(str),
                                             "facility_type": rows["facility_type"].astype(str),
                                             "x": rows.geometry.x.round(7), "y": rows.geometry.y.round(7)})
                    else:  # the note on a mark is not solved on
                        rows = rows[["candidate_id", "facility_type", "mark"]].astype(str)
                    frames.append(rows.sort_values(list(rows.columns)).reset_index(drop=True))
                else:
                    fac = data(version)[FACILITIES]
                    ftype = layer.split(":", 1)[1]
                    mine = fac["facility_type"].astype(str) == ftype
                    if county:
                        mine &= fac["county_code"].astype(str) == str(county)
                    frames.append(fac[mine])
            a, b = frames
            if layer in (MARKS, SITES):
                return a.equals(b)
            return bool(same_facilities(a, b))
        except Exception:  # unreadable: changed, as far as anyone can tell
            return False

    def reread_version(self) -> None:
        """Forget this request's data version: the next :meth:`version` reads the store again (a map
        edit, once it holds the edit lock, builds on what an edit just before it committed)."""
        if has_request_context():
            g.pop("_cp_data_version", None)

    def region_at(self, version: int | None = None):
        """The region as of a data version (default: the active one); a few are kept in memory."""
        v = self.version() if version is None else int(version)
        if self.datasets is None or v == 0:
            # the embedded default as shipped (dataset_version None = 0): an import is a data version, never
            # an overlay on version 0 (QA 27: `region import` was applied here only, lost once v1 existed)
            return load_region(self.region_name, imports=False)
        with self._guard:
            if v in self._regions:
                self._regions.move_to_end(v)
                return self._regions[v]
        region = self.datasets.region(v)
        with self._guard:
            self._regions[v] = region
            while len(self._regions) > 3:
                self._regions.popitem(last=False)
        return region

    # -- caching: one computation per key even under concurrent requests (also used by web.charts)
    def cached(self, key, compute, *, kept: int | None = None):
        """``compute()``'s answer for ``key``, computed once per data version. ``kept``: at most that many answers of
        the key's kind (its first item) are kept, the least recently used dropped -- for kinds with a free number
        in the key (a bed target), which were kept without bound. A key's lock lives only while it is computed:
        one made for a key whose computation failed (an unknown type's 404) was kept for ever (review 36)."""
        # Everything cached derives from the data: a new version starts a fresh cache.
        v = self.version()
        kind = key[0] if isinstance(key, tuple) and key else key
        with self._guard:
            if v != self._cache_version:
                self._cache, self._locks, self._kept, self._cache_version = {}, {}, {}, v
            cache = self._cache
            value = cache.get(key, _MISSING)
            if value is not _MISSING:
                if kept and key in self._kept.get(kind, ()):
                    self._kept[kind].move_to_end(key)
                return value
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            value = cache.get(key, _MISSING)  # computed by another request meanwhile
            if value is not _MISSING:
                return value
            try:
                value = compute()
            except BaseException:
                with self._guard:
                    if self._locks.get(key) is lock:
                        del self._locks[key]
                raise
            with self._guard:
                if cache is self._cache:  # not across a data version change: that answer is of the old data
                    cache[key] = value
                    if kept:
                        order = self._kept.setdefault(kind, OrderedDict())
                        order[key] = None
                        while len(order) > kept:
                            cache.pop(order.popitem(last=False)[0], None)
                if self._locks.get(key) is lock:
                    del self._locks[key]  # the answer is in the cache: later requests never wait for it
        return value

    def cache_sizes(self) -> dict:
        """How much the answer cache holds: ``entries`` per kind, ``locks`` (keys being computed now) and ``heavy``
        (heavy answers computing now): what bounds its memory, for the tests and a look at a live server."""
        with self._guard:
            entries: dict = {}
            for key in self._cache:
                kind = key[0] if isinstance(key, tuple) and key else key
                entries[kind] = entries.get(kind, 0) + 1
            return {"entries": entries, "locks": len(self._locks), "heavy": sum(self._heavy.values())}

    @contextmanager
    def heavy(self, who):
        """Count a heavy computation (a bed breakdown, an upgrade's solve, an offline map) against user ``who``;
        over :data:`HEAVY_PER_USER` at once is :class:`HeavyBusy` (429). Wrapped around the computation only: an
        answer already in the cache is never refused."""
        with self._guard:
            active = self._heavy.get(who, 0)
            if active >= HEAVY_PER_USER:
                raise HeavyBusy(active, HEAVY_PER_USER)
            self._heavy[who] = active + 1
        try:
            yield
        finally:
            with self._guard:
                left = self._heavy.get(who, 1) - 1
                if left > 0:
                    self._heavy[who] = left
                else:
                    self._heavy.pop(who, None)

    def version_authors(self) -> dict[int, str]:
        """Data version -> who made it, as the versions list names him; empty on a server without
        versions, and nobody for the open server's placeholder. Once per data version (each
        facility list and coverage map asked the store for every version)."""
        if self.datasets is None:
            return {}
        from web.data import ANONYMOUS_AUTHOR

        return self.cached(("version_authors",), lambda: {
            v.version: v.author for v in self.datasets.versions() if v.author and v.author != ANONYMOUS_AUTHOR})

    def proposal_layers(self, pid: str, lang: str, compute) -> dict:
        """A saved proposal's map layers, kept for the last few proposals viewed.

        A saved proposal's sites never change, but its name and note may (PATCH) and it may be
        deleted: both call :meth:`forget_proposal`. Its layers -- a coverage analysis and about a
        megabyte of GeoJSON each -- are computed once per language; a computation that a rename or a
        delete crossed is answered but not kept (QA 24: kept, the deleted proposal's layers answered
        200 ever after, and a renamed one's kept the old name).
        """
        key = (pid, lang)
        with self._guard:
            if key in self._proposal_layers:
                self._proposal_layers.move_to_end(key)
                return self._proposal_layers[key]
            seen = self._forgotten.get(pid, 0)
        value = compute()
        with self._guard:
            if self._forgotten.get(pid, 0) == seen:
                self._proposal_layers[key] = value
                while len(self._proposal_layers) > PROPOSAL_LAYERS_KEPT:
                    self._proposal_layers.popitem(last=False)
        return value

    def _targets_after(self, proposals: list[dict], plan, scope: tuple = ()) -> list[dict]:
        """The targets once some proposals are built: a proposal page computes them on every view
        (about a second of CPU), and saved proposals never change, so the last few are kept."""
        key = (self.version(), self.graph_source(), *scope, _proposals_key(proposals))
        kept = self._after
        with self._guard:
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        rows = plan()
        with self._guard:
            kept[key] = rows
            while len(kept) > PROPOSAL_LAYERS_KEPT:
                kept.popitem(last=False)
        return rows

    def forget_proposal(self, pid: str) -> None:
        with self._guard:
            self._forgotten[pid] = self._forgotten.get(pid, 0) + 1
            for key in [k for k in self._proposal_layers if k[0] == pid]:
                del self._proposal_layers[key]

    @property
    def region(self):
        return self.region_at(None)

    # -- region --------------------------------------------------------
    def region_summary(self) -> dict:
        return self.cached("region_info", lambda: region_info(self.region))

    def county_names(self, lang: str) -> dict[str, str]:
        """County code -> name in ``lang``: the English name where the region has one (else the Chinese)."""
        def build():
            c = self.region.counties
            codes = (c["code"] if "code" in c else c.index).astype(str)
            return {"zh": dict(zip(codes, c["name"].astype(str))),
                    "en": dict(zip(codes, county_names_en(c).astype(str)))}
        return self.cached("county_names", build)["en" if lang == "en" else "zh"]

    def place_names_en(self) -> dict[str, str]:
        """Chinese -> English for the names that have an English form: counties ("房县": "Fang County")
        and the demand points named after them or after a township (planner/sites.py: "房县县城",
        "茅箭区城区", "香口乡驻地"). Other names (townships, villages, facilities) are proper names."""
        return self.cached("place_names_en", lambda: place_names_en(self.region))

    def county_name_en(self, codes) -> list:
        """English county names for a column of county codes (pages pick ``county_name_en`` in English)."""
        names = self.county_names("en")
        return [names.get(str(c)) for c in codes]

    def county_layer(self) -> dict:
        def build():
            c = self.region.counties
            c = c.assign(name_en=county_names_en(c).values)
            return layers.feature_collection(
                c, ["code", "name", "name_en", "population", "aged_60", "area_km2", "geometry_quality"],
                tolerance=layers.TOL_COUNTY)
        return self.cached("counties_fc", build)

    def township_layer(self) -> dict:
        def build():
            t = self.region.townships
            t = t.assign(county_name_en=self.county_name_en(t["county_code"]))
            return layers.feature_collection(
                t, ["code", "name", "kind", "county_code", "county_name", "county_name_en", "population", "aged_60",
                    "area_km2", "geometry_quality"] + (["population_quality"] if "population_quality" in t else []),
                tolerance=layers.TOL_TOWNSHIP)
        return self.cached("townships_fc", build)

    def region_layers(self) -> dict:
        def build():
            r = self.region
            prov = r.provenance.get("layers", {})
            return {"dataset_version": self.version(), "counties": self.county_layer(),
                    "townships": self.township_layer(), "bounds": layers.bounds(r.counties),
                    # population's is "quality" (derived: census county totals split below county level)
                    "quality": {k: {q: v.get(q) for q in ("geometry_quality", "location_quality", "quality",
                                                          "synthetic") if q in v} for k, v in prov.items()}}
        # one object per data version: web/answers.py encodes and compresses it once
        return self.cached("region_layers", build)

    # -- finding places by name ----------------------------------------
    def place_index(self) -> pd.DataFrame:
        """Counties, townships and villages with a point each, for the maps' search box."""
        def build():
            r = self.region
            c = r.counties
            cp = c.geometry.representative_point()
            codes = (c["code"] if "code" in c else c.index).astype(str)
            counties = pd.DataFrame({"kind": "county", "code": codes.values, "name": c["name"].values,
                                     "township_name": None, "county_name": c["name"].values,
                                     "county_name_en": self.county_name_en(codes),
                                     "lon": cp.x.values, "lat": cp.y.values,
                                     "quality": c["geometry_quality"].values})
            t = r.townships
            pt = t.geometry.representative_point()
            towns = pd.DataFrame({"kind": "township", "code": t.index, "name": t["name"].values,
                                  "township_name": t["name"].values, "county_name": t["county_name"].values,
                                  "county_name_en": self.county_name_en(t["county_code"]),
                                  "lon": pt.x.values, "lat": pt.y.values,
                                  "quality": t["geometry_quality"].values})
            v = r.villages
            county = r.counties["name"].reindex(v["county_code"]).values
            vill = pd.DataFrame({"kind": "village", "code": v.index, "name": v["name"].values,
                                 "township_name": v["township_name"].values, "county_name": county,
                                 "county_name_en": self.county_name_en(v["county_code"]),
                                 "lon": v.geometry.x.values, "lat": v.geometry.y.values,
                                 "quality": v["location_quality"].values})
            out = pd.concat([counties, towns, vill], ignore_index=True)
            out["key"] = out["name"].str.lower()
            # a county is found by its English name too ("fang county"); a township by its county's
            # names ("房县", "Fang"), below the places that carry the words in their own name
            is_county = out["kind"] == "county"
            out["key_en"] = out["county_name_en"].fillna("").str.lower().where(is_county, "")
            out["county_key"] = (out["county_name"].fillna("") + " " + out["county_name_en"].fillna("")).str.lower() \
                .where(out["kind"] == "township", "")
            # every place by its name's pinyin too ("yunxi", "yxx"): an English page keeps the Chinese names
            keys = [pinyin_keys(n) for n in out["name"]]
            out["py"] = [k[0] for k in keys]      # the usual reading
            out["py_all"] = [k[1] for k in keys]  # every reading (长 chang and zhang)
            return out
        return self.cached("place_index", build)

    def search(self, query: str, *, limit: int = 20, lang: str = "zh") -> list[dict]:
        """Places whose name (a county's also in English) contains ``query``, or whose code starts
        with it, then the townships of a county so named, then places whose name's pinyin has it
        from a syllable's start ("huanglong", "Huang Long") or whose initials start with it ("hlz");
        exact names (or a whole reading, or the initials) first, counties before townships before
        villages. A county is named in ``lang``."""
        q = query.strip().lower()
        if not q:
            return []
        idx = self.place_index()
        own = (idx["key"].str.contains(q, regex=False) | idx["key_en"].str.contains(q, regex=False)
               | idx["code"].str.startswith(q))
        py = pinyin_query(q)
        # pinyin says less than characters (fang: 方, 房, 防, 坊...): its matches come after a place's own
        # name and after the townships of a county so named, a query ending inside a syllable ("yunxi"
        # on the way to 云霄) and a character's rarer reading (园 wan) last
        tier = pd.Series(0, index=idx.index)
        if py:
            pattern = pinyin.match_pattern(py)
            usual = ~own & idx["py"].str.contains(pattern, regex=True)
            rare = ~own & ~usual & idx["py_all"].str.contains(pattern, regex=True)
            typing = ~idx["py_all"].str.contains(pattern + r"(?=[\s|])", regex=True)
            tier = tier.mask(usual, 2).mask(usual & typing, 3).mask(rare, 4)
            found = usual | rare
        else:
            found = pd.Series(False, index=idx.index)
        by_county = ~own & idx["county_key"].str.contains(q, regex=False)
        tier = tier.mask(by_county, 1)
        hit = idx[own | by_county | found]
        exact = (hit["key"] == q) | (hit["key_en"] == q)
        if py:  # the whole usual reading, or its initials: "yunxixian", "yxx"
            exact |= hit["py"].str.replace(" ", "", regex=False).str.contains(pinyin.whole(py), regex=False)
        kind = hit["kind"].map({"county": 0, "township": 1, "village": 2})
        rank = (~exact).astype(int) * 100 + tier[hit.index] * 10 + kind
        # a code typed ("4203"): in code order (420302 before 420325), not by the names' length
        order = ["_rank", "code"] if q.isdigit() else ["_rank", "_len", "code"]
        hit = hit.assign(_rank=rank, _len=hit["name"].str.len()).sort_values(order)
        rows = hit.head(limit)
        if lang == "en":  # a county's own name in English (townships and villages are proper names)
            rows = rows.assign(name=rows["name"].where(rows["kind"] != "county", rows["county_name_en"]))
        return [{"kind": k, "code": c, "name": n, "township_name": tn, "county_name": cn, "county_name_en": ce,
                 "lon": round(float(x), 6), "lat": round(float(y), 6), "quality": q,
                 "approximate": q != "official"}
                for k, c, n, tn, cn, ce, x, y, q in rows[["kind", "code", "name", "township_name", "county_name",
                                                          "county_name_en", "lon", "lat", "quality"]].itertuples(
                    index=False, name=None)]

    # -- facility types ------------------------------------------------
    def types(self) -> dict:
        return load_facility_types()

    def get_type(self, key: str):
        return get_type(key)

    def type_dict(self, ft, lang: str) -> dict:
        d = ft.to_dict()
        d["name"] = ft.name(lang)
        d["standard_text"] = ft.standard_text(lang)
        d["counts"] = {"existing": int((self.region.facilities["facility_type"] == ft.key).sum())}
        return d

    # -- road network (only for mode="network") ----------------------------
    def graph_source(self) -> str | None:
        """The road network in use: the server's ``--network`` file, else the current data version's."""
        if self.graph_path:
            return str(self.graph_path)
        if self.datasets is not None:
            path = self.datasets.layer_path("network")
            return str(path) if path else None
        return None

    def has_graph(self) -> bool:
        """Whether network mode can be offered (the server was given a road graph)."""
        return bool(self.graph_source())

    def graph(self, mode: str):
        """The prepared road network for network mode; None for estimates."""
        if mode != "network":
            return None
        source = self.graph_source()
        if not source:
            from geo.errors import NetworkError
            raise NetworkError(
                "Network mode needs a road graph, and none is loaded.",
                "路网模式需要路网数据，但当前未加载路网。",
                hint_en="Upload an OpenStreetMap extract (.osm/.osm.pbf) on the Data page, or start the server "
                        "with `coverplan serve --network FILE`, or use the estimate mode.",
                hint_zh="请在“数据管理”页上传 OpenStreetMap 路网（.osm/.osm.pbf），或用 `coverplan serve --network 路网文件` "
                        "启动，或改用估算模式。",
                details={"parameter": "mode"})
        from geo import network
        return self.cached(("graph", source), lambda: network.prepare(source))

    # -- coverage --------------------------------------------------------
    def coverage(self, type_key: str, mode: str = "estimate"):
        ft = self.get_type(type_key)  # unknown type -> 404 before any work
        return self.cached(("coverage", ft.key, mode),
                            lambda: analyse_coverage(self.region, ft, mode=mode, graph=self.graph(mode)))

    def checklist(self, type_key: str, mode: str = "estimate") -> pd.DataFrame:
        def build():
            cov = self.coverage(type_key, mode)
            return checklist_from_coverage(self.region, cov)
        return self.cached(("checklist", type_key, mode), build)

    def coverage_dict(self, type_key: str, lang: str, *, units: bool = False, mode: str = "estimate") -> dict:
        cov = self.coverage(type_key, mode)
        out = cov.to_dict(lang=lang, units=units)
        out["dataset_version"] = self.version()
        out["standard_text"] = cov.ftype.standard_text(lang)
        return out

    def coverage_rows(self, lang: str) -> list[dict]:
        """Citywide headline per type (the overview table)."""
        rows = []
        for key, ft in self.types().items():
            s = self.coverage(key).summary
            rows.append({"key": key, "name": ft.name(lang), "section": ft.section,
                         "section_text": section_text(ft.section, lang),
                         "standard_text": ft.standard_text(lang), "facilities": s.get("facilities"),
                         "units": s["units"], "covered_units": s["covered_units"],
                         # covered_share here is the unit share (the overview's first figure, kept for the
                         # clients that read it); unit_share and weighted_share say which is which, as
                         # /api/coverage/<type>'s citywide covered_share is the weighted one (QA 19)
                         "covered_share": s["unit_share"], "covered_weight_share": s["covered_share"],
                         "unit_share": s["unit_share"], "weighted_share": s["covered_share"],
                         "synthetic_inputs": self.coverage(key).synthetic_inputs,
                         "mean_cost": s["mean_cost"], "cost_unit": ft.unit})
        return rows

    def service_areas(self, type_key: str, mode: str = "estimate") -> dict | None:
        cov = self.coverage(type_key, mode)
        return self.cached(("service_areas", type_key, mode),
                            lambda: service_area_layer(self.region, cov.ftype, cov.facilities, mode,
                                                       graph=self.graph(mode)))

    def coverage_layers(self, type_key: str, lang: str, mode: str = "estimate") -> dict:
        """Everything the coverage map draws, in one response."""
        return self.cached(("coverage_layers", type_key, mode, lang),
                            lambda: {**self.layers_from_coverage(self.coverage(type_key, mode), lang,
                                                                 checklist=self.checklist(type_key, mode),
                                                                 areas=self.service_areas(type_key, mode)),
                                     **self.candidate_layer(type_key)})

    def mark_counts(self) -> dict:
        """{type: {"required": n, "forbidden": n}}: the marks each type's proposals keep to."""
        def count():
            r, out = self.region, {}
            if r.site_marks is None or not len(r.site_marks):
                return {k: {"required": 0, "forbidden": 0} for k in self.types()}
            for k, ft in self.types().items():
                marks, _ = site_marks(r, ft, candidate_sites(r, ft, existing_facilities(r, ft)))
                out[k] = {"required": int((marks == "required").sum()), "forbidden": int((marks == "forbidden").sum())}
            return out
        return self.cached(("mark_counts",), count)

    def candidate_layer(self, type_key: str) -> dict:
        """The type's candidate sites with the planner's required/forbidden marks (the map's
        "candidate sites" layer, where the marks are edited)."""
        r, ft = self.region, self.get_type(type_key)
        cands = candidate_sites(r, ft, existing_facilities(r, ft))
        marks, _ = site_marks(r, ft, cands)
        table = r.site_marks if r.site_marks is not None else pd.DataFrame(columns=["candidate_id", "facility_type"])
        scope = dict(zip(table["candidate_id"], table["facility_type"]))
        c = cands.assign(mark=marks)
        c = c[~c["existing"].astype(bool)]
        c["mark_scope"] = [("all" if scope.get(i) == "*" else "type") if m else "" for i, m in zip(c["id"], c["mark"])]
        if "county_code" in c:
            c["county_name_en"] = self.county_name_en(c["county_code"])
        c["name_en"] = c["name"].map(self.place_names_en())  # a seat: "香口乡 seat" (None: a proper name)
        return {"candidates": layers.feature_collection(c, ["id", "name", "kind", "township_name", "county_name",
                                                            "county_name_en", "name_en", "mark", "mark_scope"]),
                "marks": {"required": int((marks == "required").sum()), "forbidden": int((marks == "forbidden").sum())},
                # seats and villages placed by the embedded build are approximate: the layer says so
                "candidates_synthetic": bool(c["synthetic"].astype(bool).any())}

    def layers_from_coverage(self, cov, lang: str, *, checklist: pd.DataFrame | None = None,
                             areas: dict | None = None, existing_only: bool = False, region=None) -> dict:
        r = region if region is not None else self.region  # a saved proposal passes the data it was solved on
        ft = cov.ftype
        bt = cov.by_township
        if checklist is None:
            checklist = checklist_from_coverage(r, cov)
        cl = checklist.set_index("township_code")
        towns = r.townships[["code", "name", "county_code", "county_name", "aged_60", "geometry"]].copy()
        towns.insert(4, "county_name_en", county_names_en(r.counties).reindex(towns["county_code"]).values)
        for col in ("units", "covered_units", "weight", "covered_weight", "covered_share", "facilities"):
            towns[col] = bt[col].reindex(towns.index) if col in bt else None
        towns["covered_share"] = towns["covered_share"].where(towns["units"].fillna(0) > 0, None)
        towns["status"] = cl["status"].reindex(towns.index)
        towns["reason"] = cl[f"reason_{'en' if lang == 'en' else 'zh'}"].reindex(towns.index)
        town_fc = layers.feature_collection(towns, list(towns.columns.drop("geometry")), tolerance=layers.TOL_TOWNSHIP)
        u = cov.units
        names_en = self.place_names_en()
        # a village point the planner imported (official) is not 示意 where it stands (map.js): its quality travels
        quality = (r.villages["location_quality"].astype(str).reindex(u["id"].astype(str)).where(lambda q: q.notna(), None)
                   .to_numpy(object) if "location_quality" in r.villages else np.full(len(u), None, object))
        unit_fc = layers.feature_collection(
            u.assign(cost=u["cost"].round(1), name_en=u["name"].map(names_en), location_quality=quality),
            ["id", "name", "name_en", "township_name", "weight", "standard", "nearest_name", "cost", "covered",
             "location_quality"])
        f = cov.facilities
        if areas is None:
            areas = service_area_layer(r, ft, f, cov.mode, graph=self.graph(cov.mode))
        if existing_only and "proposed" in f:
            f = f[~f["proposed"].astype(bool)]
        f = f.assign(facility_type=ft.key)
        f["township_name"] = r.townships["name"].reindex(f["township_code"]).values
        # the attributes a planner edits in the popup travel with the layer when the register has them
        extra = [c for c in ("address", "operator", "phone", "remark") if c in r.facilities]
        reg = r.facilities[~r.facilities.index.duplicated()]  # the register by id, for the rows' attributes
        if extra:
            f = f.assign(**{c: reg[c].reindex(f["id"].astype(str)).values for c in extra})
        if ft.capacity:  # its beds (day places ...): shown in the popup, and edited there (null = unknown)
            field = ft.capacity.field
            vals = (pd.to_numeric(reg[field], errors="coerce").reindex(f["id"].astype(str)).to_numpy(float)
                    if field in reg else np.full(len(f), np.nan))
            f = f.assign(capacity=[float(v) if np.isfinite(v) else None for v in vals])
            extra = extra + ["capacity"]
        # an imported register names its file and data version in the popup (the sample says 示意 instead)
        src = ((r.provenance.get("layers", {}).get("facilities") or {}).get("by_type") or {}).get(ft.key) or {}
        if src.get("dataset_version"):
            ids = f["id"].astype(str)
            # a row the planner changed on the map (web/data.py marks it): credited to that edit, not to its file,
            # and a sample row so changed is no longer wholly synthetic
            edited = (layers.edited_flags(reg["edited_on_map"].reindex(ids)).to_numpy()
                      if "edited_on_map" in reg else np.zeros(len(f), dtype=bool))
            sample = f["synthetic"].fillna(False).astype(bool).to_numpy()
            own = ~sample | edited
            if "proposed" in f:
                own &= ~f["proposed"].fillna(False).astype(bool).to_numpy()
            # each row's own version and file (web/data.py writes them down at each edit); empty: the layer's
            row_v = (pd.to_numeric(reg["source_version"], errors="coerce").reindex(ids).to_numpy()
                     if "source_version" in reg else [float("nan")] * len(f))
            row_f = reg["source_file"].reindex(ids).to_numpy() if "source_file" in reg else [None] * len(f)
            came_in = [file if isinstance(file, str) else (src.get("file") or "") for file in row_f]
            # ints in an object column: a column of numbers and None would come out as floats (15.0)
            versions = [(int(v) if v == v else int(src["dataset_version"])) if o else None
                        for o, v in zip(own, row_v)]
            # source_file: the file a row came in with ("" for one added on the map), as data; what the popup
            # says is source_text, the whole sentence (a changed row is credited to the edit, not its file)
            f["source_file"] = pd.Series([(orig if isinstance(orig, str) else "") if o else None
                                          for o, orig in zip(own, came_in)], index=f.index, dtype=object)
            f["source_version"] = pd.Series(versions, index=f.index, dtype=object)
            f["source_edited"] = pd.Series([bool(e) if o else None for o, e in zip(own, edited)],
                                           index=f.index, dtype=object)
            authors = self.version_authors()  # who made the version, as the facility list says it

            def credited(text, v):
                return t("fac_src_author", lang, text=text, author=authors[v]) if authors.get(v) else text

            f["source_text"] = pd.Series([credited(source_text(lang, fl, v, bool(e), bool(s)), v) if o else None
                                          for o, fl, v, e, s in zip(own, came_in, versions, edited, sample)],
                                         index=f.index, dtype=object)
            extra += ["source_file", "source_version", "source_edited", "source_text"]
        # county_code: the map offers a county planner the edit buttons of his county's facilities only
        fac_fc = layers.feature_collection(f, ["id", "name", "facility_type", "township_name", "county_code",
                                              "synthetic"] + extra)
        return {"dataset_version": getattr(r, "dataset_version", None) or 0,
                "type": ft.key, "type_name": ft.name(lang), "standard_text": ft.standard_text(lang),
                "unit": ft.unit, "rule": ft.rule, "demand": ft.demand, "weight_field": ft.weight,
                "is_estimate": bool(cov.is_estimate), "mode": cov.mode,
                "summary": cov.summary, "bounds": layers.bounds(r.counties),
                "counties": self.county_layer(), "townships": town_fc,
                "service_areas": areas, "units": unit_fc, "facilities": fac_fc,
                "facilities_synthetic": bool(cov.facilities_synthetic or (len(f) and f["synthetic"].astype(bool).any())),
                "units_synthetic": bool(u["synthetic"].astype(bool).any()),
                "townships_approximate": bool((r.townships.get("geometry_quality", pd.Series(["approximate"]))
                                               .astype(str) != "official").any()),
                # what a facility's capacity counts (张床位 / beds), for its popup; null for a type without one
                "capacity_unit": t(f"capw_unit_{ft.capacity.field}", lang) if ft.capacity else None}

    # -- checklist rows for the table -------------------------------------
    def township_rows(self, lang: str, *, type_key: str | None = None, county: str | None = None,
                      status: str | None = None) -> list[dict]:
        # the checklist table is read far more often than the data change: built once per filter
        # (the filters are checked values: a few hundred combinations at most)
        rows = self.cached(("township_rows", lang, type_key, county, status),
                           lambda: self._township_rows(lang, type_key=type_key, county=county, status=status))
        return [dict(r) for r in rows]

    def _township_rows(self, lang: str, *, type_key: str | None = None, county: str | None = None,
                       status: str | None = None) -> list[dict]:
        keys = [self.get_type(type_key).key] if type_key else list(self.types())
        frames = []
        types = self.types()
        for k in keys:
            df = self.checklist(k).copy()
            df["type_name"] = types[k].name(lang)
            frames.append(df)
        df = pd.concat(frames, ignore_index=True)
        if county:
            df = df[(df["county_code"] == county) | (df["county_name"] == county)]
        if status:
            df = df[df["status"] == status]
        if lang == "en":  # county names have English names (township names are proper names, kept)
            df["county_name"] = [n or z for n, z in zip(self.county_name_en(df["county_code"]), df["county_name"])]
        df["reason"] = df[f"reason_{'en' if lang == 'en' else 'zh'}"]
        df["covered_share"] = (df["covered_units"] / df["units"]).where(df["units"] > 0)
        cols = ["township_code", "township_name", "county_code", "county_name", "type", "type_name",
                "status", "reason", "facilities", "units", "covered_units", "uncovered_units", "weight",
                "covered_weight", "covered_share"]
        return [{c: layers.clean(v) for c, v in zip(cols, row)}
                for row in df[cols].itertuples(index=False, name=None)]

    # -- plan targets -------------------------------------------------------
    def targets(self, lang: str, proposals: list[dict] | None = None, *, mode: str = "estimate",
                types: set[str] | None = None) -> list[dict]:
        """The plan's targets, measured in ``mode`` (a network proposal's page measures them on the
        road network it was solved on); ``types`` limits them to some facility types."""
        graph = self.graph(mode)  # no road network loaded -> NetworkError before any work

        def plan():
            # Current coverage comes from this service's cache (also used by
            # the maps), so a proposal view only computes the "after" side.
            return plan_targets(self.region, proposals=proposals, mode=mode, graph=graph, types=types,
                                coverage_now=lambda ft: self.coverage(ft.key, mode))
        scope = (mode, tuple(sorted(types)) if types is not None else None)
        rows = self.cached(("targets", *scope), plan) if not proposals else self._targets_after(
            proposals, plan, scope)
        out = []
        for r in rows:
            r = dict(r)
            r["type_name"] = pick(r["type_name_zh"], r["type_name_en"], lang)
            if r["kind"] == "attribute_share":  # a per-village attribute, not a facility type
                r["type_name"] = t("tgt_village_attribute", lang)
            r["section_text"] = section_text(r.get("section"), lang)
            r["text"] = pick(r["text_zh"], r["text_en"], lang)
            r["met"] = r["status"] == "met"
            r["progress"] = target_progress(r["value"], r["target"])
            r["current_text"] = _target_text(r["kind"], r["value"], r["target"])
            if "after" in r:
                a = r["after"] = dict(r["after"])
                a["met"] = a["status"] == "met"
                a["progress"] = target_progress(a["value"], r["target"])
                a["text"] = _target_text(r["kind"], a["value"], r["target"])
                a["notes"] = after_notes(a, lang)
            out.append(r)
        return out


def source_text(lang: str, file, version: int, edited: bool, sample: bool) -> str:
    """Where a facility row's current content comes from, in words (the popup's 来源 line)."""
    file = file if isinstance(file, str) else ""
    # "on the map", not "by the planner": an administrator edits on the map too (the row keeps no role)
    if edited and sample:
        return t("src_map_edited_sample", lang, v=version)
    if edited:
        return t("src_edited_import", lang, file=file, v=version) if file else t("src_map_edited", lang, v=version)
    return t("map_src_planner", lang, file=file, v=version) if file else t("src_map_added", lang, v=version)


def _proposals_key(proposals: list[dict]) -> tuple:
    """What the targets after some proposals depend on: their types and sites (ids and points)."""
    key = []
    for p in proposals:
        sites = p["sites"]
        xy = tuple(zip(sites.geometry.x.round(7), sites.geometry.y.round(7))) if len(sites) else ()
        key.append((p["type"], tuple(sites["id"].astype(str)) if "id" in sites else (), xy))
    return tuple(key)


def _target_text(kind: str, value: float, target: float) -> str:
    if kind in COUNT_KINDS:  # counts of sites (upgraded: issue 16; converted: QA 19)
        return f"{int(value)} / {int(target)}"
    # a share short of its target never reads as the target ("100.0% / 100%" beside 未达标)
    return f"{share_text(value)} / {100 * target:.0f}%"


# -- the plan's section references in English ------------------------------------
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMERAL = "[零一二两三四五六七八九十百]+"


def cn_number(text: str) -> int | None:
    """A Chinese numeral up to the hundreds ("九" 9, "十" 10, "二十四" 24, "一百零二" 102); None if it is not one."""
    if not text or any(ch not in _CN_DIGITS and ch not in "十百" for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:  # 十 or 百 multiply the digit before them (none: one)
            total += (1 if digit is None else digit) * (10 if ch == "十" else 100)
            digit = None
    return total + (digit or 0)


_SECTION = re.compile(rf"[(（]({_CN_NUMERAL})[)）]|({_CN_NUMERAL})")
_SECTION_REF = re.compile(rf"§\s*(?:[(（]({_CN_NUMERAL})[)）]|({_CN_NUMERAL}))")


def section_text(section: str | None, lang: str) -> str:
    """The plan's section of a type or target for people: as written in Chinese ("(九)、(十)"),
    numbered in English ("§9, §10"). Anything that is not a numbered section stays as it is."""
    section = (section or "").strip()
    if lang != "en" or not section:
        return section
    parts = [p for p in re.split(r"[、,，;；\s]+", section) if p]
    numbers = []
    for p in parts:
        m = _SECTION.fullmatch(p)
        n = cn_number(m.group(1) or m.group(2)) if m else None
        if n is None:
            return section
        numbers.append(f"§{n}")
    return ", ".join(numbers)


def english_text(text: str | None, county_names: dict[str, str] | None = None) -> str:
    """An English text written with Chinese bits a reader of English cannot use: the plan's sections
    ("§十", "§(八)") become numbers ("§10", "§8") and county names ({"竹山县": "Zhushan County"}) their
    English names. Other Chinese (a document's title, a term quoted in brackets) stays."""
    if not text:
        return text or ""
    out = _SECTION_REF.sub(lambda m: f"§{n}" if (n := cn_number(m.group(1) or m.group(2))) is not None
                           else m.group(0), text)
    for zh in sorted(county_names or {}, key=len, reverse=True):  # the longest first: no name inside another
        if zh and zh != county_names[zh]:
            out = out.replace(zh, county_names[zh])
    return out
