"""A region's datasets with their version history: SQLite rows plus layer files.

A *dataset* is a region's layers -- townships, villages, facilities (one layer
per facility type), optionally a road network and a population table -- and
every change to it is a new *version*:

- **version 0** is the embedded default as shipped (``load_region(name,
  imports=False)``). It has no files of its own, is re-created if the database
  is lost, and a trigger refuses to delete it (no version is ever deleted);
- each import or edit creates version N+1 = the current version's layers with
  one layer replaced (townships and villages: the given units overlaid on the
  current layer, exactly as ``geo.imports`` overlays them; facilities: the whole
  layer of each type given). The original file is kept beside the layer;
- a rollback creates a *new* version whose layers are those of an older one:
  history is never rewritten.

Storage: the app's SQLite file (``dataset_versions``, ``dataset_layers``,
``dataset_current``, ``dataset_roots``; WAL mode) and ``datasets/<region>/<version>/`` beside it
(one GeoJSON per layer -- readable in any GIS, byte-identical for the same
data -- and ``source/`` with the uploaded file). A layer that did not change is
not copied: the version's layer map points at the version that stored it.

Writes are all-or-nothing. A commit takes SQLite's write lock first, writes
everything into a temporary directory, fsyncs, renames it to the version
number and only then inserts the version's rows and moves ``current`` in one
transaction. A crash at any point leaves no row, so the previous version stays
current; the next open removes the leftover directory (and marks versions
whose files have gone missing, so they are never made current).

>>> store = DatasetStore(settings.VAR_DIR / "proposals.sqlite", region="shiyan")  # doctest: +SKIP
>>> v = store.commit_layer("facilities:day_care", register, source_path="日间照料中心.xlsx",
...                        author="张三", note="2025 register")                    # doctest: +SKIP
>>> store.region().dataset_version                                                  # doctest: +SKIP
1
"""
from __future__ import annotations

import copy
import getpass
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import sqlite3
import sys
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.archives import check_file
from geo.dbfile import check_database, immediate, narrow_to_owner, private_dir, write_private_text
from geo.errors import CoverplanError, DataChanged, InputDataError, NotFoundError, listed
from geo.imports import overlay_townships, overlay_villages, settle_villages
from geo.regions import POP_BANDS, Region, load_region, region_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS dataset_versions (
    region        TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    parent        INTEGER,          -- the version that was current when this one was made
    created       REAL    NOT NULL, -- unix time
    author        TEXT    NOT NULL,
    note          TEXT    NOT NULL DEFAULT '',
    kind          TEXT    NOT NULL CHECK (kind IN ('embedded', 'import', 'edit', 'rollback')),
    layer         TEXT,             -- the layer(s) changed, comma-separated; NULL for 0 and rollbacks
    target        INTEGER,          -- the version a rollback restores
    source_name   TEXT,             -- the uploaded file's name
    source_sha256 TEXT,
    rows          INTEGER,          -- rows the version took (the townships or villages given, a facility layer's)
    counts        TEXT    NOT NULL, -- JSON {layer: rows} of every layer of the version
    replaced      TEXT    NOT NULL, -- JSON [{layer, version, rows}]: what the change replaced
    status        TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing')),
    PRIMARY KEY (region, version)
);
CREATE TABLE IF NOT EXISTS dataset_layers (
    region    TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    layer     TEXT    NOT NULL,
    stored_in INTEGER NOT NULL,     -- the version whose directory holds the file (0: embedded)
    file      TEXT,                 -- file name in that directory; NULL for the embedded layers
    sha256    TEXT,
    rows      INTEGER,
    PRIMARY KEY (region, version, layer)
);
CREATE TABLE IF NOT EXISTS dataset_current (
    region  TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dataset_fixups (
    region  TEXT NOT NULL,
    name    TEXT NOT NULL,  -- a one-time correction of older rows, done (see DatasetStore._fixups)
    PRIMARY KEY (region, name)
);
CREATE TABLE IF NOT EXISTS dataset_roots (
    region  TEXT PRIMARY KEY,
    token   TEXT NOT NULL  -- also in <root>/.coverplan-store: the folder of layer files is this database's
);
CREATE TRIGGER IF NOT EXISTS dataset_versions_kept BEFORE DELETE ON dataset_versions
BEGIN
    SELECT RAISE(ABORT, 'dataset versions are never deleted (version 0 is the embedded default)');
END;
CREATE TRIGGER IF NOT EXISTS dataset_layers_kept BEFORE DELETE ON dataset_layers
BEGIN
    SELECT RAISE(ABORT, 'dataset versions are never deleted (version 0 is the embedded default)');
END;
"""

TOWNSHIPS, VILLAGES, NETWORK, POPULATION = "townships", "villages", "network", "population"
FACILITIES = "facilities"
#: The planner's marks on candidate sites: a table (candidate_id, facility_type, mark, note).
MARKS = "site_marks"
#: Values of ``mark``: a site proposals must open (``required``) or may never use (``forbidden``,
#: e.g. the land is not available).
MARK_VALUES = ("required", "forbidden")
#: ``facility_type`` of a mark that holds for every type (land not available is for all of them).
ALL_TYPES = "*"
MARK_COLUMNS = ["candidate_id", "facility_type", "mark", "note"]
#: Candidate sites the planner added on the map (land the bureau holds, a building offered):
#: points with id (``cand-plan-NNNN``), name, facility_type (``*`` = every type) and note.
SITES = "planner_sites"
SITE_COLUMNS = ["id", "name", "facility_type", "note"]
#: Layer names: ``facilities:<type key>`` holds one facility type.
_LAYER_RE = re.compile(r"^(townships|villages|network|population|site_marks|planner_sites|facilities(:[a-z0-9_]+)?)$")
KINDS = ("import", "edit", "rollback")

#: Facilities further apart than this between two versions count as moved.
MOVED_M = 10.0
#: Village points further apart than this count as moved (official points are re-surveyed to the metre).
VILLAGE_MOVED_M = 1.0
#: A township boundary counts as changed where it moved by more than twice this (metres). The
#: embedded polygons overshoot their county line by up to 0.4 m, so clipping them to it (as every
#: township import does) is not a change; a boundary the planner corrected moves by metres.
BOUNDARY_TOLERANCE_M = 0.5

#: The file in a store's folder of layer files that names the database it belongs to (its token in
#: ``dataset_roots``): a store never cleans up a folder that is another database's.
ROOT_MARK = ".coverplan-store"

#: Longest note a version keeps, in characters (after the spaces around it are taken off), and the longest
#: address, operator, phone or remark an edit on the map takes: refused beyond it, never cut. The web's
#: import form and edits and ``coverplan data`` (--note) say the same limit.
MAX_EDIT_TEXT = 200

#: The author the web records for a version made on an open desk server's page (no account): this computer's
#: page, not a person called web (QA 27); the web's version list and ``coverplan data versions`` say 本机.
ANONYMOUS_AUTHOR = "web"

#: The attributes of a facility a planner edits (the map's popup, web/data.py): versions' notes name them.
EDIT_FIELDS = ("address", "operator", "phone", "remark", "capacity")

#: What the web's import (web/data.py) appends to an import's note when rows were refused, in both languages
#: ("（3 行未导入，见校验报告 / 3 rows refused）"), and what :func:`note_in` makes of it.
REFUSED_NOTE = re.compile(r"（(?P<n>\d+) 行未导入，见校验报告 / (?P=n) rows? refused）$")

#: What the web's edits on the map (web/data.py) and ``coverplan data mark`` write as a version's note,
#: "<zh> / <en>" (then "：<the planner's note>"), as (zh, en) patterns: the same names in both halves
#: (backreferences) tell where one ends even when a name holds " / " or "：".
EDIT_NOTES = (
    # since QA 32 an edit names the facility and its id, "移动 城关敬老院（mutual_aid-0614）"; before, its id alone
    (r"移动 (?P<a>.+)（(?P<i>[^（）]+)）", r"moved (?P=a) \((?P=i)\)"),
    (r"更名 (?P<a>.+)（(?P<i>[^（）]+)）为 (?P<n>.+)", r"renamed (?P=a) \((?P=i)\) to (?P=n)"),
    (r"修改 (?P<a>.+)（(?P<i>[^（）]+)）的属性（(?P<b>.+)）", r"edited (?P=a) \((?P=i)\) \((?P<c>.+)\)"),
    (r"删除 (?P<a>.+)（(?P<i>[^（）]+)）", r"removed (?P=a) \((?P=i)\)"),
    (r"新增 (?P<a>.+)（(?P<i>[^（）]+)）", r"added (?P=a) \((?P=i)\)"),
    (r"新增候选点 (?P<a>.+)（(?P<i>[^（）]+)）", r"added candidate site (?P=a) \((?P=i)\)"),
    (r"移动候选点 (?P<a>.+)（(?P<i>[^（）]+)）", r"moved candidate site (?P=a) \((?P=i)\)"),
    (r"删除候选点 (?P<a>.+)（(?P<i>[^（）]+)）", r"removed candidate site (?P=a) \((?P=i)\)"),
    (r"新增 (?P<a>.+)", r"added (?P=a)"),
    (r"移动 (?P<a>.+)", r"moved (?P=a)"),
    (r"更名 (?P<a>.+) 为 (?P<b>.+)", r"renamed (?P=a) to (?P=b)"),
    (r"修改 (?P<a>.+) 的属性（(?P<b>.+)）", r"edited (?P=a) \((?P<c>.+)\)"),
    (r"删除 (?P<a>.+)", r"removed (?P=a)"),
    (r"候选点 (?P<a>.+) (?:必选|禁选|取消标记)（.+）", r"candidate (?P=a) (?:required|forbidden|mark cleared) \(.+\)"),
    (r"新增候选点 (?P<a>.+)", r"added candidate site (?P=a)"),
    (r"移动候选点 (?P<a>.+)", r"moved candidate site (?P=a)"),
    (r"删除候选点 (?P<a>.+)", r"removed candidate site (?P=a)"),
    # `coverplan region import --reset` and an older install's import folder taken in (QA 27)
    (r"恢复内置的乡镇（街道）边界和村（社区）点位", r"the embedded township boundaries and village points restored"),
    (r"迁移旧版 region import 导入的(?P<a>乡镇（街道）边界|村（社区）点位)（原文件 (?P<b>.+)）",
     r"taken in from an earlier region import: (?:township boundaries|village points) \((?:the file )?(?P=b)\)"),
)
_EDIT_NOTE_RES = [re.compile(f"^(?P<zh>{zh}) / (?P<en>{en})(?P<tail>：.*)?$", re.S) for zh, en in EDIT_NOTES]


def note_in(note: str, lang: str, *, fields=None) -> str:
    """A version's note in one language: an edit's "<zh> / <en>：note" (:data:`EDIT_NOTES`) and an import's
    refused-rows count (:data:`REFUSED_NOTE`) become the half of ``lang``; the planner's own words stay as
    typed, and any other note is returned as stored. ``fields(keys) -> text or None``: the Chinese words of
    attribute keys (address, phone) that notes stored before named by their keys (the web's and the CLI's
    listing word them so; None leaves them as stored)."""
    note = note or ""
    m = REFUSED_NOTE.search(note)
    if m:
        n = int(m["n"])
        note = note[:m.start()] + (f"（{n} 行未导入，见校验报告）" if lang == "zh"
                                   else f"({n} {'row' if n == 1 else 'rows'} refused, see the report)")
    for rx in _EDIT_NOTE_RES:
        m = rx.match(note)
        if m:
            tail = m["tail"] or ""
            half = m["zh"]
            if lang == "zh" and fields is not None and "b" in rx.groupindex:
                words = fields(m["b"].split(", "))  # a note stored before: keys -> 地址、联系电话
                if words:
                    half = half[:m.start("b")] + words + half[m.end("b"):]
            return half + tail if lang == "zh" else m["en"] + (": " + tail[1:] if tail else "")
    return note


#: Largest uploaded file (registers, boundaries, village lists). Bureau files are a few MB; a file
#: far larger is a mistake (a whole-province export, an image) and would hold the write lock long.
#: The road network is exempt: an .osm.pbf extract is large by nature.
MAX_SOURCE_BYTES = 100 * 1024 * 1024

#: Test hook: "partial" (source copied, layer not yet written), "staged" (all written, not
#: renamed) or "renamed" (in place, row not committed) makes a commit stop there and sleep,
#: so a test can kill the process at that point.
TEST_PAUSE_ENV = "COVERPLAN_DATASETS_TEST_PAUSE"
_PAUSE_S = 600

_frames: OrderedDict[tuple, gpd.GeoDataFrame | pd.DataFrame] = OrderedDict()
_frames_lock = threading.Lock()
_FRAMES_KEPT = 48


@dataclass(frozen=True)
class LayerRef:
    """Where a version's layer lives: the version that stored it and its file (None: embedded)."""

    layer: str
    stored_in: int
    file: str | None
    sha256: str | None
    rows: int | None


@dataclass(frozen=True)
class DatasetVersion:
    """One row of a region's history.

    Attributes
    ----------
    version, parent : int
        This version and the one current when it was made (None for 0).
    kind : {"embedded", "import", "edit", "rollback"}
    layer : str or None
        Layer(s) changed, comma-separated (``facilities:day_care``).
    target : int or None
        The version a rollback restores.
    source_name, source_sha256 : str or None
        The uploaded file, as named by the planner, and its hash.
    rows : int or None
        Rows the version took: those of a facility layer (replaced as a whole, so the register's rows), the
        townships or villages given (overlaid on the layer: the file's rows, not the layer's 1,979), a
        population table's; None for the road network and a rollback.
    counts : dict
        ``{layer: rows}`` of every layer of the version.
    replaced : list of dict
        ``{"layer", "version", "rows"}``: the layers this version replaced and
        the versions that had stored them.
    status : {"ok", "missing"}
        ``missing`` when files of the version are gone (it can then not be used).
    current : bool
        Whether this is the active version.
    """

    region: str
    version: int
    parent: int | None
    created: float
    author: str
    note: str
    kind: str
    layer: str | None
    target: int | None
    source_name: str | None
    source_sha256: str | None
    rows: int | None
    counts: dict = field(default_factory=dict)
    replaced: list = field(default_factory=list)
    status: str = "ok"
    current: bool = False

    def to_dict(self) -> dict:
        """Plain JSON-ready fields, with ``created_iso`` (local time) for people."""
        d = asdict(self)
        d["created_iso"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.created))
        return d


def check_source_size(path: str | Path, *, layer: str = "") -> None:
    """Refuse a source file over :data:`MAX_SOURCE_BYTES` before anything reads it (network exempt)."""
    path = Path(path)
    if layer == NETWORK or not path.is_file():
        return
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        mb, limit = size / 2**20, MAX_SOURCE_BYTES // 2**20
        raise InputDataError(f"{path.name} is too large ({mb:.0f} MB; at most {limit} MB).",
                             f"{path.name} 文件过大（{mb:.0f} MB，上限 {limit} MB）。",
                             hint_en="Export only this region's rows and the columns needed.",
                             hint_zh="请只导出本地区的记录和所需的列。",
                             details={"bytes": size, "limit": MAX_SOURCE_BYTES})


def default_db_path() -> Path:
    """The app's database file (``web.app`` uses the same default)."""
    return settings.VAR_DIR / "proposals.sqlite"


#: The note of the version `coverplan region import --reset` makes (see :data:`EDIT_NOTES`).
RESET_NOTE = "恢复内置的乡镇（街道）边界和村（社区）点位 / the embedded township boundaries and village points restored"


def legacy_imports(region: str) -> Path | None:
    """An older install's `region import` folder for ``region`` (``VAR_DIR/regions/<name>`` holding
    ``imports.json``) not yet taken in as a data version, or None."""
    from geo.imports import user_dir

    folder = user_dir(region)
    return folder if (folder / "imports.json").is_file() else None


def _is_default_db(path) -> bool:
    try:
        return Path(path).resolve() == default_db_path().resolve()
    except OSError:
        return False


def take_in_legacy_imports(region: str):
    """Take an older install's `region import` folder in as data versions of the default store (made when
    missing); return that store, or None when there is no such folder."""
    if legacy_imports(region) is None:
        return None
    return DatasetStore(default_db_path(), region=region)


def os_user() -> str:
    """The logged-in user's name, for ``author`` when none is given."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # getpass raises several types where no user name is set
        return "unknown"


#: The table in which a restore (geo.backup) leaves, per region, the highest data version number the database it
#: replaced had handed out. A store numbers its next version above it and above its own versions, so that a
#: number never names two versions: after a restore to v6, the next edit was a second "v7", and an upload checked
#: on the first v7, an export or a proposal saying "数据版本 v7" then named other data (QA 32).
NUMBERS_TABLE = "dataset_numbers"


def highest_numbers(db_path: str | Path) -> dict[str, int]:
    """Per region, the highest data version number the SQLite file ``db_path`` has handed out: its versions' and
    the one a restore recorded in it (:data:`NUMBERS_TABLE`). Only reads; {} for a file that holds neither, is
    not there, or cannot be read (a damaged database being restored over)."""
    path = Path(db_path)
    out: dict[str, int] = {}
    if not path.is_file() or path.stat().st_size == 0:
        return out
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return out
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        queries = [q for t, q in (("dataset_versions", "SELECT region, MAX(version) FROM dataset_versions GROUP BY region"),
                                  (NUMBERS_TABLE, f"SELECT region, highest FROM {NUMBERS_TABLE}"))  # noqa: S608
                   if t in tables]
        for q in queries:
            for region, v in con.execute(q):
                if isinstance(v, int) and not isinstance(v, bool):
                    out[str(region)] = max(out.get(str(region), 0), v)
    except sqlite3.Error:  # damaged: what could be read
        pass
    finally:
        con.close()
    return out


def keep_numbers_above(db_path: str | Path, highest: dict[str, int]) -> None:
    """Record in the SQLite file ``db_path`` that the data version numbers up to ``highest[region]`` are taken (a
    restore: those the database it replaces handed out), keeping a higher one recorded before."""
    taken = [(str(r), int(v)) for r, v in highest.items() if int(v) > 0]
    if not taken:
        return
    con = sqlite3.connect(db_path, timeout=30)
    try:
        with con:
            con.execute(f"CREATE TABLE IF NOT EXISTS {NUMBERS_TABLE} (region TEXT PRIMARY KEY, "
                        "highest INTEGER NOT NULL)")
            con.executemany(f"INSERT INTO {NUMBERS_TABLE} (region, highest) VALUES (?, ?) ON CONFLICT(region) "  # noqa: S608
                            "DO UPDATE SET highest = MAX(highest, excluded.highest)", taken)
    finally:
        con.close()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_file(path: Path) -> None:
    """Flush a version's file to disk, and make it the owner's alone (0600, as its folder is 0700 and the database
    0600): a layer is a bureau's register (QA 35)."""
    with open(path, "rb+") as f:
        if os.name == "posix":
            os.fchmod(f.fileno(), 0o600)
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to flush."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pause(point: str) -> None:
    """The test hook (:data:`TEST_PAUSE_ENV`): say where, then wait to be killed."""
    if os.environ.get(TEST_PAUSE_ENV) == point:
        sys.stderr.write(f"coverplan-datasets: paused at {point}\n")
        sys.stderr.flush()
        time.sleep(_PAUSE_S)


def _layer_file(layer: str) -> str:
    if layer in (POPULATION, MARKS):
        return layer + ".csv"
    return layer.replace(":", "-") + ".geojson"


def _json_safe(value):
    """Numbers and strings as JSON allows them (no NaN, no numpy scalars)."""
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


class DatasetStore:
    """The versions of one region's dataset.

    Parameters
    ----------
    db_path : path
        The SQLite file (shared with the web app's proposals: ``default_db_path()``).
    region : str
        Region key (``"shiyan"``).
    root : path, optional
        Directory of the layer files (default ``datasets/<region>`` beside the database, where the
        web app and ``coverplan backup`` keep them). It belongs to one database: a folder that
        holds another database's versions is refused (:meth:`_claim_root`), never cleaned up.
    timeout : float
        Seconds to wait for another writer's lock.
    readonly : bool
        Only read (a listing): no folder mark is written and nothing left by a crash is moved.
    root_given : bool
        ``root`` was typed by the planner (``--data-dir``): opened for writing without the files of
        versions that have them, it is refused as a typo. Otherwise (the server's own folder, lost)
        the versions are marked missing, as after any lost file, and the store opens.

    Notes
    -----
    Opening the store creates the tables and version 0 when missing and cleans up
    after a crashed commit (see the module docstring). A new SQLite connection is
    made per call, so one store may serve several threads.
    """

    def __init__(self, db_path: str | Path, *, region: str = settings.DEFAULT_REGION,
                 root: str | Path | None = None, timeout: float = 30.0, readonly: bool = False,
                 root_given: bool = False) -> None:
        self.readonly = readonly
        self.db_path = check_database(db_path, create=True)
        self.region_name = region
        self.root = Path(root) if root is not None else self.db_path.parent / "datasets" / region
        self.timeout = timeout
        self._embedded = load_region(region, imports=False)  # raises UnknownRegionError for unknown names
        private_dir(self.db_path.parent, narrow=False)  # (a folder given for the database is the user's)
        if not readonly:  # the versions' files are a bureau's registers: datasets/ the owner's alone (made 0755 by
            # an older coverplan: narrowed; QA 35)
            for folder in ((self.root.parent,) if self.root.parent.name == "datasets" else ()) + (self.root,):
                if folder.is_dir():
                    narrow_to_owner(folder)
        blocked = self._root_error()  # a file where the folder should be: said, not a NotADirectoryError (QA 23)
        if blocked is not None:
            raise blocked
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")  # readers (the web app) never wait for an import
            con.executescript(SCHEMA)
            if not self._holds_versions():
                # a folder given (--data-dir) that is not there (or holds no version) while usable versions
                # keep their files elsewhere: a typo. Made anew, every version was marked missing and the
                # embedded data made current (:meth:`_recover`), and a listing made a folder at the typo (QA 23).
                # A listing makes nothing and is refused nothing: it reads no file. The default folder (the
                # server's, beside its database) is recovered as before: versions whose files are gone are
                # marked missing and said on the data page, so a lost folder does not stop the server.
                stored = con.execute(
                    "SELECT MIN(l.stored_in) AS a, MAX(l.stored_in) AS b FROM dataset_layers l "
                    "JOIN dataset_versions v ON v.region=l.region AND v.version=l.stored_in "
                    "WHERE l.region=? AND l.stored_in>0 AND l.file IS NOT NULL AND v.status='ok'",
                    (self.region_name,)).fetchone()
                if stored["a"] is not None and not readonly and root_given:
                    raise self._root_error(stored=(stored["a"], stored["b"]), missing=True)
                if not readonly or root is None:  # the default folder is made with its database; a folder
                    private_dir(self.root, narrow=not readonly)  # given (--data-dir) never by a listing; 0700
        with self._write() as con:
            self._ensure_version0(con)
            self._claim_root(con)
            if not readonly:  # a listing (data versions, diff) moves nothing
                self._recover(con)
                self._fixups(con)
        if not readonly:
            self.take_in_legacy_imports()

    @classmethod
    def reader(cls, db_path: str | Path, *, region: str = settings.DEFAULT_REGION,
               root: str | Path | None = None, timeout: float = 5.0) -> DatasetStore:
        """A store that only reads an existing database: opened read-only (SQLite ``mode=ro``), with no
        table, folder or version 0 made and no write lock taken (the analysis commands of the CLI read
        the current version so beside a running server or an import; QA 19: opening the store for
        writing waited 30 s for an import's lock and ended in a traceback)."""
        if legacy_imports(region) is not None and _is_default_db(db_path) and Path(db_path).is_file():
            # an older install's `region import` folder: taken in once as a data version (a write), so the
            # analyses that read the store answer on it as they did (QA 27)
            cls(db_path, region=region, root=root)
        store = cls.__new__(cls)
        store.readonly, store._strict_ro = True, True
        store.db_path, store.region_name, store.timeout = Path(db_path), region, timeout
        store.root = Path(root) if root is not None else store.db_path.parent / "datasets" / region
        store._embedded = load_region(region, imports=False)
        return store

    # -- connections ---------------------------------------------------------------
    _strict_ro = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self._strict_ro:
            con = sqlite3.connect(f"{self.db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=self.timeout,
                                  isolation_level=None)
        else:
            con = sqlite3.connect(self.db_path, timeout=self.timeout, isolation_level=None)
        con.row_factory = sqlite3.Row
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding SQLite's write lock from the start (BEGIN IMMEDIATE)."""
        with self._connect() as con, immediate(con):
            yield con

    # -- opening -------------------------------------------------------------------
    def _ensure_version0(self, con: sqlite3.Connection) -> None:
        if con.execute("SELECT 1 FROM dataset_versions WHERE region=? AND version=0",
                       (self.region_name,)).fetchone():
            if not con.execute("SELECT 1 FROM dataset_current WHERE region=?", (self.region_name,)).fetchone():
                con.execute("INSERT INTO dataset_current VALUES (?, 0)", (self.region_name,))
            return
        emb = self._embedded
        refs = [LayerRef(TOWNSHIPS, 0, None, None, len(emb.townships)),
                LayerRef(VILLAGES, 0, None, None, len(emb.villages))]
        for ftype, n in emb.facilities["facility_type"].astype(str).value_counts().sort_index().items():
            refs.append(LayerRef(f"{FACILITIES}:{ftype}", 0, None, None, int(n)))
        build = region_dir(self.region_name) / "build"
        h = hashlib.sha256()
        for name in ("region.json", "townships.geojson", "villages.geojson", "facilities.geojson"):
            if (build / name).is_file():
                h.update(sha256_file(build / name).encode())
        self._insert(con, version=0, parent=None, author="coverplan", note="",
                     kind="embedded", layer=None, target=None, source_name=f"embedded:{self.region_name}",
                     source_sha256=h.hexdigest(), rows=None, refs=refs, replaced=[])
        con.execute("INSERT OR REPLACE INTO dataset_current VALUES (?, 0)", (self.region_name,))

    def _mark_of(self, token: str) -> dict:
        """What :data:`ROOT_MARK` says of this store: its database's token and where the database lies
        from the folder (relative: the folder and its database may move together; a copy of the
        database beside it, with the same token, is another database)."""
        try:
            db = os.path.relpath(self.db_path.resolve(), self.root.resolve())
        except ValueError:  # another drive (Windows): the absolute path
            db = str(self.db_path.resolve())
        return {"token": token, "db": Path(db).as_posix()}

    def _read_mark(self) -> dict | None:
        mark = self.root / ROOT_MARK
        if not mark.is_file():
            return None
        text = mark.read_text("utf-8").strip()
        try:
            owner = json.loads(text)
        except ValueError:
            owner = {"token": text, "db": None}
        return owner if isinstance(owner, dict) else {"token": str(owner), "db": None}

    def _root_error(self, *, stored: tuple[int, int] | None = None, missing: bool = False,
                    version: int | None = None) -> InputDataError | None:
        """What is wrong with the folder of layer files, :attr:`root`, in words (None: nothing): a file in its
        place or on its way (``--data-dir`` naming a file), or -- ``missing`` -- a folder that does not exist
        though versions keep their files there (``stored``: the first and last of them; ``version``: the one
        being read). Said for what it is, not as a layer file "missing or changed" to restore from a backup."""
        blocking = next((p for p in (self.root, *self.root.parents) if p.exists() and not p.is_dir()), None)
        hint_en = ("Give the folder that holds datasets/ (--data-dir; by default the database's folder, as the web "
                   "app keeps it)")
        hint_zh = "请指定存放 datasets/ 的文件夹（--data-dir；默认为数据库所在文件夹，与网页版相同）"
        details = {"root": str(self.root), "db": str(self.db_path)}
        if blocking is not None:
            return InputDataError(
                f"The data versions' files are kept in the folder {self.root}, but {blocking} is a file, not a "
                "folder: nothing was read or changed.",
                f"数据版本的文件保存在文件夹 {self.root} 中，但 {blocking} 是文件而不是文件夹：未读取或改动任何内容。",
                hint_en=hint_en + ".", hint_zh=hint_zh + "。", details={**details, "file": str(blocking)})
        if not missing or self._holds_versions():
            return None
        if version is not None:
            which_en, which_zh = f"version {version} keeps its files there", f"版本 {version} 的文件保存在那里"
        elif stored is not None and stored[0] != stored[1]:
            which_en, which_zh = f"versions {stored[0]} to {stored[1]} keep their files there", \
                f"版本 {stored[0]} 至 {stored[1]} 的文件保存在那里"
        else:
            v = stored[0] if stored else "?"
            which_en, which_zh = f"version {v} keeps its files there", f"版本 {v} 的文件保存在那里"
        there = self.root.is_dir()
        return InputDataError(
            f"The folder of the data versions' files, {self.root}, " + ("holds none of them" if there else "does not exist")
            + f", though {which_en}: nothing was read or changed.",
            f"数据版本文件所在的文件夹 {self.root} " + ("中没有任何数据版本" if there else "不存在")
            + f"，而{which_zh}：未读取或改动任何内容。",
            hint_en=hint_en + ", or restore the data versions from a backup (`coverplan restore`).",
            hint_zh=hint_zh + "，或从备份恢复数据版本（`coverplan restore`）。", details=details)

    def _holds_versions(self) -> bool:
        """Whether :attr:`root` is a folder holding at least one version's folder (``1/``, ``2/`` ...)."""
        try:
            return any(c.name.isdigit() for c in self.root.iterdir())
        except OSError:  # not there, or not a folder
            return False

    def _foreign(self) -> InputDataError:
        return InputDataError(
            f"The folder {self.root} holds the data versions of another database, not of {self.db_path}: "
            "nothing was read or changed.",
            f"文件夹 {self.root} 保存的是另一个数据库的数据版本，不属于 {self.db_path}：未读取或改动任何内容。",
            hint_en="Open the database that goes with this folder (--db), or give this database its own folder "
                    f"(--data-dir). If this database was moved or renamed on purpose, delete {ROOT_MARK} in that "
                    "folder.",
            hint_zh=f"请打开与该文件夹对应的数据库（--db），或为本数据库另指定文件夹（--data-dir）。如本数据库是有意移动或改名的，"
                    f"请删除该文件夹中的 {ROOT_MARK} 文件。",
            details={"root": str(self.root), "db": str(self.db_path)})

    def _claim_root(self, con: sqlite3.Connection) -> None:
        """Bind the folder of layer files to this database, or refuse one that is another's.

        :meth:`_recover` sets aside the version folders its database does not know (a crashed
        commit's). Opened on another database's folder it deleted that database's versions: the
        CLI kept every database's files in one folder, and ``data versions --db other.sqlite``
        emptied it (QA 17). The folder names its database in :data:`ROOT_MARK` (token and path);
        another database -- a copy beside it too -- is refused. A mark is only taken over when it
        protects nothing: no version folder, and its database gone or made anew in its place. A
        folder without a mark (made before) is taken when it holds no version folder, at least one
        this database knows, or only the next one (a crashed first commit's). A read-only store
        writes no mark.
        """
        row = con.execute("SELECT token FROM dataset_roots WHERE region=?", (self.region_name,)).fetchone()
        token = row["token"] if row else None
        me = self._mark_of(token or "")
        owner = self._read_mark()
        # (a read-only store on a folder not there: a listing of a new database, nothing to read)
        found = {int(c.name) for c in self.root.iterdir() if c.name.isdigit()} if self.root.is_dir() else set()
        if owner is not None:
            if owner.get("token") != token or owner.get("db") not in (None, me["db"]):
                there = owner.get("db")
                gone = there is not None and there != me["db"] and not (self.root / there).exists()
                if found or not (there == me["db"] or gone):
                    raise self._foreign()
                owner = None  # nothing to protect: this database's now
        elif found:
            known = {r["version"] for r in con.execute(
                "SELECT version FROM dataset_versions WHERE region=?", (self.region_name,))}
            # (only the next version's folder, unknown: the first commit crashed after its rename; it
            # is set aside by _recover, not deleted)
            if not found & known and found != {max(known) + 1}:
                raise self._foreign()
        if token is None:
            token = secrets.token_hex(16)
            con.execute("INSERT INTO dataset_roots VALUES (?, ?)", (self.region_name, token))
        if owner is None and not self.readonly:
            tmp = self.root / f"{ROOT_MARK}.{uuid.uuid4().hex[:8]}.tmp"
            write_private_text(tmp, json.dumps(self._mark_of(token)) + "\n")
            os.replace(tmp, self.root / ROOT_MARK)
        self._token = token

    def _check_owner(self) -> None:
        """Under the write lock, before a commit writes: the folder is still this database's (another
        store may have been opened on it since this one was)."""
        owner = self._read_mark()
        if owner is not None and (owner.get("token") != self._token or owner.get("db") not in (None, self._mark_of("")["db"])):
            raise self._foreign()

    def _recover(self, con: sqlite3.Connection) -> None:
        """Clear away what a crashed commit left and mark versions whose files are gone.

        Runs under the write lock: a live commit holds that lock from its first
        file to its last row, so whatever is found here belongs to a dead one. A
        version folder the database does not know is set aside (``.orphan-<n>-...``),
        never deleted: it is the crashed commit's, or data the planner may still want.
        """
        known = {r["version"] for r in con.execute(
            "SELECT version FROM dataset_versions WHERE region=?", (self.region_name,))}
        for child in self.root.iterdir():
            if child.name.startswith(".tmp-"):
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.isdigit() and int(child.name) not in known:
                os.replace(child, self.root / f".orphan-{child.name}-{uuid.uuid4().hex[:8]}")
        for v in sorted(known - {0}):
            refs = self._refs(con, v)
            ok = all(r.file is None or (self.root / str(r.stored_in) / r.file).is_file() for r in refs.values())
            con.execute("UPDATE dataset_versions SET status=? WHERE region=? AND version=? AND status<>?",
                        ("ok" if ok else "missing", self.region_name, v, "ok" if ok else "missing"))
        cur = con.execute("SELECT version FROM dataset_current WHERE region=?", (self.region_name,)).fetchone()
        status = con.execute("SELECT status FROM dataset_versions WHERE region=? AND version=?",
                             (self.region_name, cur["version"])).fetchone() if cur else None
        if status is None or status["status"] != "ok":
            best = con.execute("SELECT MAX(version) AS v FROM dataset_versions WHERE region=? AND status='ok'",
                               (self.region_name,)).fetchone()["v"]
            con.execute("INSERT OR REPLACE INTO dataset_current VALUES (?, ?)", (self.region_name, best))

    def _fixups(self, con: sqlite3.Connection) -> None:
        """Correct, once, rows that older releases wrote otherwise than this one does.

        ``changed_layers_by_rows`` (QA 34): before QA 33 an import that rewrote several facility layers (a whole
        register) listed every one of them in its ``layer`` column, where only the types whose rows differ
        changed; such versions kept listing all seven on the Data page. Their list is worked out again as a
        commit works it out now (:meth:`_differing` against the version's parent). A version whose files
        cannot be read keeps its list (nothing of it can be vouched for).
        """
        name = "changed_layers_by_rows"
        if con.execute("SELECT 1 FROM dataset_fixups WHERE region=? AND name=?", (self.region_name, name)).fetchone():
            return
        rows = con.execute("SELECT version, parent, layer FROM dataset_versions WHERE region=? AND kind='import' "
                           "AND parent IS NOT NULL AND layer LIKE ?", (self.region_name, f"%{FACILITIES}:%")).fetchall()
        for r in rows:
            listed = str(r["layer"]).split(",")
            written = [n for n in listed if n.startswith(FACILITIES + ":")]
            if len(written) < 2:  # one layer written: its list was already what it changed (or what it wrote)
                continue
            try:
                mine = self._refs(con, r["version"])
                frames = {n: self._frame(mine[n]) for n in written if n in mine}
                differ = set(self._differing(self._refs(con, r["parent"]), frames))
            except Exception:  # noqa: BLE001 -- unreadable files: the list stays, and the store still opens
                continue
            kept = [n for n in listed if not n.startswith(FACILITIES + ":") or n in differ]
            if kept and kept != listed:
                con.execute("UPDATE dataset_versions SET layer=? WHERE region=? AND version=?",
                            (",".join(kept), self.region_name, r["version"]))
        con.execute("INSERT INTO dataset_fixups VALUES (?, ?)", (self.region_name, name))

    # -- reading rows --------------------------------------------------------------
    def _refs(self, con: sqlite3.Connection, version: int) -> dict[str, LayerRef]:
        rows = con.execute("SELECT layer, stored_in, file, sha256, rows FROM dataset_layers "
                           "WHERE region=? AND version=? ORDER BY layer", (self.region_name, version))
        return {r["layer"]: LayerRef(r["layer"], r["stored_in"], r["file"], r["sha256"], r["rows"]) for r in rows}

    def _row(self, r: sqlite3.Row, current: int) -> DatasetVersion:
        return DatasetVersion(
            region=r["region"], version=r["version"], parent=r["parent"], created=r["created"],
            author=r["author"], note=r["note"], kind=r["kind"], layer=r["layer"], target=r["target"],
            source_name=r["source_name"], source_sha256=r["source_sha256"], rows=r["rows"],
            counts=json.loads(r["counts"]), replaced=json.loads(r["replaced"]), status=r["status"],
            current=r["version"] == current)

    def _current(self, con: sqlite3.Connection) -> int:
        return con.execute("SELECT version FROM dataset_current WHERE region=?",
                           (self.region_name,)).fetchone()["version"]

    def versions(self) -> list[DatasetVersion]:
        """Every version of the region, oldest first."""
        with self._connect() as con:
            cur = self._current(con)
            return [self._row(r, cur) for r in con.execute(
                "SELECT * FROM dataset_versions WHERE region=? ORDER BY version", (self.region_name,))]

    def current(self) -> DatasetVersion:
        """The active version."""
        with self._connect() as con:
            cur = self._current(con)
            return self._row(con.execute("SELECT * FROM dataset_versions WHERE region=? AND version=?",
                                         (self.region_name, cur)).fetchone(), cur)

    def version(self, version: int) -> DatasetVersion:
        """One version's row; :class:`NotFoundError` when there is none."""
        with self._connect() as con:
            return self._row(self._version_row(con, version), self._current(con))

    def _version_row(self, con: sqlite3.Connection, version: int) -> sqlite3.Row:
        r = con.execute("SELECT * FROM dataset_versions WHERE region=? AND version=?",
                        (self.region_name, int(version))).fetchone()
        if r is None:
            last = con.execute("SELECT MAX(version) AS v FROM dataset_versions WHERE region=?",
                               (self.region_name,)).fetchone()["v"]
            raise NotFoundError(f"No data version {version} (versions 0-{last}).",
                                f"没有数据版本 {version}（现有版本 0-{last}）。",
                                hint_en="`coverplan data versions` lists them.",
                                hint_zh="可用 `coverplan data versions` 查看全部版本。",
                                details={"version": version, "last": last})
        return r

    def _usable(self, con: sqlite3.Connection, version: int | None) -> tuple[int, dict[str, LayerRef]]:
        v = self._current(con) if version is None else int(version)
        r = self._version_row(con, v)
        if r["status"] != "ok":
            raise CoverplanError(f"Data version {v} cannot be used: its files are missing.",
                                 f"数据版本 {v} 无法使用：其文件已缺失。",
                                 hint_en=f"Restore {self.root / str(v)} from a backup, or use another version.",
                                 hint_zh=f"请从备份恢复 {self.root / str(v)}，或改用其他版本。",
                                 details={"version": v})
        return v, self._refs(con, v)

    def refs(self, version: int | None = None) -> dict[str, LayerRef]:
        """A version's layer map: layer name -> where its data lives."""
        with self._connect() as con:
            return self._usable(con, version)[1]

    def same_data(self, a: int, b: int) -> bool:
        """Whether versions ``a`` and ``b`` hold the same data, layer for layer (a rollback to ``a``
        makes a new version ``b`` with ``a``'s very files). A version that cannot be read is not the same."""
        if int(a) == int(b):
            return True
        try:
            with self._connect() as con:
                ra, rb = self._refs(con, int(a)), self._refs(con, int(b))
        except (CoverplanError, sqlite3.Error):
            return False
        if not ra or not rb:  # no such version
            return False
        return ({n: (r.sha256, r.rows) for n, r in ra.items()} == {n: (r.sha256, r.rows) for n, r in rb.items()})

    def layer_path(self, layer: str, version: int | None = None) -> Path | None:
        """The stored file of a layer (the road network's ``.osm.pbf``...), None when embedded or absent."""
        ref = self.refs(version).get(layer)
        return None if ref is None or ref.file is None else self.root / str(ref.stored_in) / ref.file

    def source_path(self, version: int) -> Path | None:
        """The original file a version was imported from (kept under ``<version>/source/``)."""
        folder = self.root / str(int(version)) / "source"
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        name = self.version(version).source_name
        return next((f for f in files if f.name == name), files[0] if files else None)

    # -- layers --------------------------------------------------------------------
    def _frame(self, ref: LayerRef) -> gpd.GeoDataFrame | pd.DataFrame:
        """One layer's data (a cached, read-only copy: callers copy before changing it)."""
        if ref.stored_in == 0:
            emb = self._embedded
            if ref.layer == TOWNSHIPS:
                return emb.townships
            if ref.layer == VILLAGES:
                return emb.villages
            ftype = ref.layer.split(":", 1)[1]
            return emb.facilities[emb.facilities["facility_type"].astype(str) == ftype]
        path = self.root / str(ref.stored_in) / ref.file
        try:
            st = path.stat()
        except OSError:
            st = None
        # size and mtime in the key: a file changed behind our back is read (and its hash checked) again
        key = (str(path.resolve()), ref.sha256, st and st.st_size, st and st.st_mtime_ns)
        with _frames_lock:
            if st is not None and key in _frames:
                _frames.move_to_end(key)
                return _frames[key]
        if st is None:  # the whole folder wrong (--data-dir a file, or a folder that is not there): said so
            wrong = self._root_error(missing=True, version=ref.stored_in)
            if wrong is not None:
                raise wrong
        if st is None or sha256_file(path) != ref.sha256:
            raise CoverplanError(f"The file of layer {ref.layer} (version {ref.stored_in}) is missing or changed: "
                                 f"{path}.", f"图层 {ref.layer}（版本 {ref.stored_in}）的文件缺失或已被改动：{path}。",
                                 hint_en="Restore it from a backup; stored layers must not be edited by hand.",
                                 hint_zh="请从备份恢复；已保存的图层文件不可手工修改。",
                                 details={"layer": ref.layer, "version": ref.stored_in})
        frame = _read_layer(ref.layer, path)
        with _frames_lock:
            _frames[key] = frame
            while len(_frames) > _FRAMES_KEPT:
                _frames.popitem(last=False)
        return frame

    def layers(self, version: int | None = None) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
        """A version's layers (default: the current one).

        Returns
        -------
        dict
            ``"townships"`` and ``"villages"`` (GeoDataFrames indexed by code),
            ``"facilities"`` (one GeoDataFrame of every type, indexed by id,
            with ``facility_type``) and, when the version has one,
            ``"population"`` (DataFrame ``code`` + population bands). The road
            network is a file: :meth:`layer_path`.
        """
        with self._connect() as con:
            _, refs = self._usable(con, version)
        return self._layers_of(refs)

    def _layers_of(self, refs: dict[str, LayerRef]) -> dict:
        out = {TOWNSHIPS: self._frame(refs[TOWNSHIPS]).copy(), VILLAGES: self._frame(refs[VILLAGES]).copy()}
        # the synthetic villages inside the planner's boundaries, as the region has them: a version's diff
        # compares the points the analyses used (a township import moved 14 and said "villages moved: 0", QA 30)
        if refs[TOWNSHIPS].stored_in:
            out[VILLAGES] = settle_villages(out[TOWNSHIPS], out[VILLAGES])
        parts = [self._frame(r) for name, r in sorted(refs.items()) if name.startswith(FACILITIES + ":")]
        parts = [p for p in parts if len(p)]
        fac = pd.concat(parts) if parts else self._embedded.facilities.iloc[0:0]
        out[FACILITIES] = gpd.GeoDataFrame(fac, geometry="geometry", crs=settings.STORAGE_CRS).copy()
        if POPULATION in refs:
            out[POPULATION] = self._frame(refs[POPULATION]).copy()
        out[MARKS] = self._frame(refs[MARKS]).copy() if MARKS in refs else empty_marks()
        out[SITES] = self._frame(refs[SITES]).copy() if SITES in refs else empty_sites()
        return out

    def region(self, version: int | None = None) -> Region:
        """The region as of a version: its layers in place of the embedded ones, with provenance.

        Townships and villages supplied by the planner are flagged
        ``geometry_quality``/``location_quality = "official"`` and
        ``*_source = "planner-supplied"``; the layer provenance says which
        version and file each layer came from; ``region.dataset_version`` and
        ``region.provenance["dataset"]`` name the version, so every analysis can
        state what it used.
        """
        with self._connect() as con:
            v, refs = self._usable(con, version)
            row = self._row(self._version_row(con, v), self._current(con))
            sources = {r["version"]: (r["source_name"], r["created"]) for r in con.execute(
                "SELECT version, source_name, created FROM dataset_versions WHERE region=?", (self.region_name,))}
            town_chain = self._township_chain(con, refs[TOWNSHIPS])
        lay = self._layers_of(refs)
        emb = self._embedded
        towns, vills = lay[TOWNSHIPS], lay[VILLAGES]  # (the villages settled in their townships: _layers_of)
        if POPULATION in lay:
            vills, towns = _apply_population(vills, towns, lay[POPULATION])
        provenance = copy.deepcopy(emb.provenance)
        meta = provenance.setdefault("layers", {})

        def supplied(ref: LayerRef, part: tuple[int, int, str, str] | None = None) -> dict:
            """Where a planner's layer came from; ``part`` = (supplied, total, noun en, noun zh) when only
            some of its rows are the planner's (one township of 129: the rest stay the embedded ones)."""
            name, created = sources.get(ref.stored_in, (None, None))
            if name:
                en, zh = f"planner-supplied: {name}", f"规划人员提供：{name}"
            else:  # an edit (a candidate's mark, a site added) has no file: made on the map or with
                # `coverplan data mark` (QA 27: "edited on the map" after a mark set on the command line)
                en, zh = "set by planners (on the map or on the command line)", "规划人员设定（地图上或命令行）"
            en, zh = f"{en} (data version {ref.stored_in})", f"{zh}（数据版本 {ref.stored_in}）"
            if part and part[0] < part[1]:
                n, total, noun_en, noun_zh = part
                en += f", {n:,} of {total:,} {noun_en}; the others embedded (示意)"
                zh += f"，共 {total:,} 个{noun_zh}中的 {n:,} 个；其余为内置数据（示意）"
            return {"dataset_version": ref.stored_in, "supplied_by": "planner", "file": name,
                    "imported_at": created, "source": en, "source_zh": zh}

        if refs[TOWNSHIPS].stored_in:
            q = towns["geometry_quality"]
            meta.setdefault(TOWNSHIPS, {}).update({
                **supplied(refs[TOWNSHIPS], (int((q == "official").sum()), len(towns), "townships", "乡镇（街道）")),
                "count": int(len(towns)),
                "geometry_quality": "official" if (q == "official").all() else "mixed",
                "synthetic": bool((q != "official").any()),
                # every file the planner's boundaries still in the layer came in (the layer's file is only the
                # last import's: a county's file merges on top of another county's, F10)
                "sources": [{"dataset_version": ver, "file": sources.get(ver, (None,))[0], "count": n}
                            for ver, n in self._township_sources(town_chain)]})
        if refs[VILLAGES].stored_in:
            q = vills["location_quality"]
            meta.setdefault(VILLAGES, {}).update({
                **supplied(refs[VILLAGES], (int((q == "official").sum()), len(vills), "villages", "村（社区）")),
                "count": int(len(vills)),
                "location_quality": "official" if (q == "official").all() else "mixed",
                "synthetic": bool((q != "official").any())})
        if POPULATION in refs:
            meta.setdefault(POPULATION, {}).update({**supplied(refs[POPULATION]), "quality": "mixed"})
        fac = lay[FACILITIES]
        by_type = {}
        for name, ref in refs.items():
            if name.startswith(FACILITIES + ":"):
                ftype = name.split(":", 1)[1]
                part = fac[fac["facility_type"].astype(str) == ftype]
                fake = part["synthetic"].fillna(False).astype(bool) if "synthetic" in part else None
                by_type[ftype] = {"dataset_version": ref.stored_in, "count": int(len(part)),
                                  "synthetic": bool(fake.any()) if fake is not None else False,
                                  # the rows that are the planner's own, not the sample's: a map edit of
                                  # sample rows makes a version of the type's layer but imports nothing
                                  "own": int((~fake).sum()) if fake is not None else int(len(part)),
                                  "file": sources.get(ref.stored_in, (None,))[0] if ref.stored_in else None}
        if any(r.stored_in for n, r in refs.items() if n.startswith(FACILITIES + ":")):
            m = meta.setdefault(FACILITIES, {})
            m.update({"count": int(len(fac)), "by_type": by_type,
                      "synthetic": any(t["synthetic"] for t in by_type.values()), "supplied_by": "planner",
                      # plain words (the CLI prints them); by_type says which types, with version and file
                      "source": "the planner's own register for the types imported; the coverplan "
                                "synthetic sample (示意) for the others",
                      "source_zh": "已导入的类型为规划人员提供的名录，其余类型为 coverplan 合成示例（示意）"})
        provenance["dataset"] = {"region": self.region_name, "version": v, "created": row.created,
                                 "kind": row.kind, "note": row.note,
                                 "layers": {n: r.stored_in for n, r in refs.items()}}
        if refs.get(NETWORK):
            provenance["dataset"]["network"] = str(self.root / str(refs[NETWORK].stored_in) / refs[NETWORK].file)
        if SITES in refs:
            meta.setdefault(SITES, {}).update({**supplied(refs[SITES]), "count": int(len(lay[SITES])),
                                               "synthetic": False})
        if MARKS in refs:
            meta.setdefault(MARKS, {}).update({**supplied(refs[MARKS]), "count": int(len(lay[MARKS])),
                                               "synthetic": False})
        return Region(name=emb.name, counties=emb.counties, townships=towns, villages=vills,
                      facilities=fac, scenic_areas=emb.scenic_areas, provenance=provenance, dataset_version=v,
                      site_marks=lay[MARKS], planner_sites=lay[SITES])

    def _township_chain(self, con: sqlite3.Connection, ref: LayerRef) -> list[LayerRef]:
        """The township layers ``ref`` was built from, oldest first, ``ref`` last: each stored version's layer
        is its import merged on top of the layer it replaced (the version row's ``replaced``), back to the
        embedded one (not included). Empty for the embedded layer; a rollback's layer is the older version's,
        so its chain is that version's (the imports after it are not in it)."""
        chain: list[LayerRef] = []
        seen: set[int] = set()
        while ref is not None and ref.stored_in and ref.stored_in not in seen:
            seen.add(ref.stored_in)
            chain.append(ref)
            row = con.execute("SELECT parent, replaced FROM dataset_versions WHERE region=? AND version=?",
                              (self.region_name, ref.stored_in)).fetchone()
            if row is None:
                break
            base = next((r.get("version") for r in json.loads(row["replaced"] or "[]")
                         if isinstance(r, dict) and r.get("layer") == TOWNSHIPS), None)
            if base is None and row["parent"] is not None:  # no record of what it replaced: the parent's layer
                base = (self._refs(con, int(row["parent"])).get(TOWNSHIPS) or LayerRef(TOWNSHIPS, 0, None, None, None)
                        ).stored_in
            ref = self._refs(con, int(base)).get(TOWNSHIPS) if base else None
        return chain[::-1]

    def _township_sources(self, chain: list[LayerRef]) -> list[tuple[int, int]]:
        """(data version, how many of the last layer's planner boundaries it supplied) for each version of
        ``chain`` (:meth:`_township_chain`) whose boundaries are still in the last layer, oldest first.

        A township's boundary is the version's that last took it in: one that became ``official`` there, or
        an official one whose polygon there is not a part of its polygon before (imported again). An official
        polygon that only shrank gave way to a neighbour imported then (geo.imports.overlay_townships) and
        stays the earlier version's; a boundary imported again unchanged, or smaller only, is counted so too."""
        if not chain:
            return []
        owner: dict[str, int] = {}
        before = self._embedded.townships
        try:
            for ref in chain:
                layer = self._frame(ref)
                q = layer["geometry_quality"].astype(str) if "geometry_quality" in layer else None
                if q is None:
                    before = layer
                    continue
                was = before["geometry_quality"].astype(str).reindex(layer.index) if "geometry_quality" in before \
                    else pd.Series("approximate", index=layer.index)
                old = before.geometry.reindex(layer.index)
                for code in layer.index[(q == "official").to_numpy()]:
                    new_g, old_g = layer.geometry.loc[code], old.loc[code]
                    if was.loc[code] != "official" or code not in owner or old_g is None:
                        owner[code] = ref.stored_in
                    elif not shapely.equals_exact(new_g, old_g, 1e-9):
                        grown = shapely.area(shapely.difference(new_g, old_g))
                        if grown > max(shapely.area(new_g), 1e-12) * 1e-4:  # not a part of it: imported again
                            owner[code] = ref.stored_in
                before = layer
        except (CoverplanError, OSError, ValueError, shapely.errors.GEOSException):
            # a layer of the chain unreadable: the last layer's version alone, as before
            return [(chain[-1].stored_in, int((self._frame(chain[-1])["geometry_quality"] == "official").sum()))]
        last = self._frame(chain[-1])
        official = set(last.index[(last["geometry_quality"].astype(str) == "official").to_numpy()])
        counts: dict[int, int] = {}
        for code in official:
            v = owner.get(code, chain[-1].stored_in)
            counts[v] = counts.get(v, 0) + 1
        return sorted(counts.items())

    # -- writing -------------------------------------------------------------------
    def _expand(self, layer: str, gdf) -> dict[str, object]:
        """``facilities`` with several types -> one ``facilities:<type>`` layer per type."""
        if not _LAYER_RE.match(layer or ""):
            raise InputDataError(f"Unknown layer '{layer}'.", f"未知图层“{layer}”。",
                                 hint_en="Layers: townships, villages, facilities[:type], population, network.",
                                 hint_zh="可用图层：townships、villages、facilities[:类型]、population、network。")
        if layer == NETWORK:
            if gdf is not None:
                raise InputDataError("The network layer is its source file: give no table.",
                                     "路网图层即其源文件，无需提供数据表。")
            return {NETWORK: None}
        if gdf is None:
            raise InputDataError(f"Layer {layer}: no data given.", f"图层 {layer}：未提供数据。")
        if layer.startswith(FACILITIES + ":") and "facility_type" in gdf:
            key = layer.split(":", 1)[1]
            types = gdf["facility_type"].dropna().astype(str)
            other = sorted(set(types) - {key})
            if other:  # the types named in words, with the fix (it was a Python list: ['welfare_home'], QA 23)
                n = int((types != key).sum())
                rows_en = f"{n} row is" if n == 1 else f"{n} rows are"
                raise InputDataError(
                    f"Layer {layer} holds facilities of type {key} only, but {rows_en} of another type: "
                    f"{listed(other, 'en')}.",
                    f"图层 {layer} 只能保存类型为 {key} 的设施，但有 {n} 行为其他类型：{listed(other, 'zh')}。",
                    hint_en=f"Give those rows as the layer of their own type (facilities:{other[0]}), or as "
                            "facilities, which makes one layer per type.",
                    hint_zh=f"请将这些行作为其所属类型的图层（facilities:{other[0]}）导入，或作为 facilities 导入"
                            "（按类型分别生成图层）。",
                    details={"types": other, "rows": n, "layer": layer})
        if layer != FACILITIES:
            return {layer: gdf}
        if "facility_type" not in gdf or gdf["facility_type"].isna().any():
            raise InputDataError("Facilities need a facility_type on every row.",
                                 "每条设施记录都须有设施类型（facility_type）。")
        types = sorted(set(gdf["facility_type"].astype(str)))
        if not types:
            raise InputDataError("No facilities given.", "没有设施记录。")
        return {f"{FACILITIES}:{t}": gdf[gdf["facility_type"].astype(str) == t] for t in types}

    def _build(self, refs: dict[str, LayerRef], changes: dict[str, object], source_name: str | None):
        """The new frames of the changed layers, merged with the version ``refs`` describes."""
        emb = self._embedded
        out: dict[str, object] = {}
        for layer, data in changes.items():
            if layer == TOWNSHIPS:
                out[layer] = _merge_townships(self._frame(refs[TOWNSHIPS]), emb, data)
            elif layer == VILLAGES:
                out[layer] = _merge_villages(self._frame(refs[VILLAGES]), data, source_name)
            elif layer == POPULATION:
                out[layer] = _check_population(data, self._frame(refs[VILLAGES]))
            elif layer == MARKS:
                out[layer] = _check_marks(data)
            elif layer == SITES:
                out[layer] = _check_sites(data)
            elif layer.startswith(FACILITIES + ":"):
                limit = facility_row_limit(len(emb.villages) + len(emb.townships))
                if data is not None and hasattr(data, "__len__") and len(data) > limit:
                    key = layer.split(":", 1)[1]
                    # the type's name as the frame's maker gave it (planner.register: TYPE_NAMES_ATTR), else its key
                    names = (getattr(data, "attrs", None) or {}).get(TYPE_NAMES_ATTR) or {}
                    raise too_many_facilities(key, len(data), limit, names.get(key) if isinstance(names, dict) else None)
                out[layer] = _check_facilities(layer.split(":", 1)[1], data, source_name)
            else:
                out[layer] = None
        fac_layers = [n for n in out if n.startswith(FACILITIES + ":")]
        if fac_layers:  # ids identify facilities across versions: one id, one facility
            mine = pd.concat([out[n]["id"] for n in fac_layers])
            others = pd.concat([self._frame(r)["id"].astype(str) for n, r in refs.items()
                                if n.startswith(FACILITIES + ":") and n not in out] or [pd.Series(dtype=str)])
            clash = sorted(set(mine) & set(others))
            if clash:
                raise InputDataError(f"{len(clash)} facility id(s) already belong to facilities of another type: "
                                     f"{clash[:10]}.", f"有 {len(clash)} 个设施编号已被其他类型的设施使用：{clash[:10]}。",
                                     hint_en="Give the facilities of each type their own ids.",
                                     hint_zh="请为各类设施使用互不相同的编号。", details={"ids": clash})
        return out

    def preview(self, layer: str, gdf, source_name: str | None = None) -> dict:
        """What committing ``gdf`` as ``layer`` would change (the diff against the current version), writing nothing."""
        return self.import_check(layer, gdf, source_name)[0]

    def import_check(self, layer: str, gdf, source_name: str | None = None) -> tuple[dict, int | None]:
        """:meth:`preview` and :meth:`unchanged_by` from one build of the layers (the browser's and
        the CLI's import ask both, and a township file's build, where the neighbours give way, is the
        slow part). Raises what the commit would refuse, as :meth:`preview` does."""
        changes = self._expand(layer, gdf)
        with self._connect() as con:
            v, refs = self._usable(con, None)
        frames = self._build(refs, changes, source_name)
        return self._diff_of(v, refs, changes, frames), self._same_as(v, refs, layer, gdf, frames)

    def _diff_of(self, v: int, refs: dict[str, LayerRef], changes: dict, frames: dict) -> dict:
        before = self._layers_of(refs)
        after = dict(before)
        for name, frame in frames.items():
            if name in (TOWNSHIPS, VILLAGES, POPULATION, MARKS, SITES):
                after[name] = frame
        if TOWNSHIPS in frames or (VILLAGES in frames and refs[TOWNSHIPS].stored_in):
            after[VILLAGES] = settle_villages(after[TOWNSHIPS], after[VILLAGES])  # as the region will have them
        fac = [f for n, f in frames.items() if n.startswith(FACILITIES + ":")]
        if fac:
            types = {n.split(":", 1)[1] for n in frames if n.startswith(FACILITIES + ":")}
            keep = before[FACILITIES][~before[FACILITIES]["facility_type"].astype(str).isin(types)]
            after[FACILITIES] = gpd.GeoDataFrame(pd.concat([keep] + [f for f in fac if len(f)]),
                                                 geometry="geometry", crs=settings.STORAGE_CRS)
        out = diff_layers(before, after, changed=set(changes))
        out.update({"from": v, "to": None, "layers": {"changed": self._differing(refs, frames)}})
        return out

    def _differing(self, refs: dict[str, LayerRef], frames: dict, written: dict | None = None) -> list[str]:
        """The layers of ``frames`` (new frames built on the version ``refs`` describes) whose data differ from that
        version's, sorted: a facility layer holding the same facilities (:func:`same_facilities`, or its very file:
        ``written``, layer -> LayerRef of the file written) is none, nor a new facility layer without a row; another
        layer is one unless ``written`` shows the version's very file. QA 33: a whole register (every type in one
        file, or the register's export imported again) rewrites each type's layer, and each was listed as changed
        (the upload's changes, the version list's Layer column, GET /api/data/diff) where one type's rows differ."""
        out = []
        for name, frame in frames.items():
            ref, new = refs.get(name), (written or {}).get(name)
            if ref is not None and new is not None and new.sha256 is not None \
                    and (new.sha256, new.rows) == (ref.sha256, ref.rows):
                continue
            if name.startswith(FACILITIES + ":") and frame is not None:
                if ref is None and not len(frame):
                    continue
                try:
                    if ref is not None and same_facilities(frame, self._frame(ref)):
                        continue
                except CoverplanError:  # the version's file unreadable: changed, as far as anyone can tell
                    pass
            out.append(name)
        return sorted(out)

    def changed_since(self, layer: str, since: int, row_id: str | None = None) -> bool:
        """Whether ``layer`` (or, for a facility layer, its row ``row_id``) differs between version
        ``since`` and the current one: an edit made on a page that showed ``since`` is then made on
        data its author has not seen (two planners renaming one facility: the last one won, and
        both read "saved"). An unknown ``since`` counts as changed.
        """
        with self._connect() as con:
            cur = self._current(con)
            if since == cur:
                return False
            known = {r["version"] for r in con.execute(
                "SELECT version FROM dataset_versions WHERE region=?", (self.region_name,))}
            if since not in known:
                return True
            a, b = self._refs(con, since).get(layer), self._refs(con, cur).get(layer)
        if a is None or b is None:
            return a is not b
        if (a.stored_in, a.file) == (b.stored_in, b.file):
            return False
        if row_id is None or not layer.startswith(FACILITIES + ":"):
            return True
        fa, fb = self._frame(a), self._frame(b)
        ra, rb = fa[fa["id"].astype(str) == row_id], fb[fb["id"].astype(str) == row_id]
        if len(ra) != len(rb):
            return True
        return bool(len(ra)) and not same_facilities(ra, rb)

    def row_changes(self, layer: str, since: int, row_id: str) -> list[dict]:
        """The versions after ``since`` (up to the current one, along its parents) that changed facility
        ``row_id`` of facility layer ``layer``, oldest first: ``{"version", "happened"}`` with happened
        ``added``, ``removed`` or ``changed`` (what that version did to the row, against the version before
        it). A version that wrote the layer but left this row as it was is not one of them (a colleague's
        edit of another facility of the type: QA 31). [] when nothing can be read."""
        try:
            with self._connect() as con:
                cur = self._current(con)
                parents = {r["version"]: r["parent"] for r in con.execute(
                    "SELECT version, parent FROM dataset_versions WHERE region=?", (self.region_name,))}
                if since not in parents:
                    return []
                chain, v = [], cur
                while v is not None and v > since and v not in chain:
                    chain.append(v)
                    v = parents.get(v)
                chain.append(since)  # the page's version: the first one after it is compared with it
                refs = {v: self._refs(con, v).get(layer) for v in chain}
        except (CoverplanError, sqlite3.Error):
            return []
        rows: dict = {}

        def row_of(ref):
            if ref is None:
                return None
            key = (ref.stored_in, ref.file)
            if key not in rows:
                frame = self._frame(ref)
                hit = frame[frame["id"].astype(str) == row_id] if "id" in frame else frame.iloc[0:0]
                rows[key] = hit if len(hit) else None
            return rows[key]

        out = []
        chain.reverse()  # since, ..., current
        try:
            for before, after in zip(chain, chain[1:]):
                a, b = refs[before], refs[after]
                if a is not None and b is not None and (a.stored_in, a.file) == (b.stored_in, b.file):
                    continue
                ra, rb = row_of(a), row_of(b)
                if ra is None and rb is None:
                    continue
                if ra is None or rb is None:
                    out.append({"version": after, "happened": "added" if ra is None else "removed"})
                elif not same_facilities(ra, rb):
                    out.append({"version": after, "happened": "changed"})
        except CoverplanError:  # a file gone: the versions read so far
            return out
        return out

    def unchanged_by(self, layer: str, gdf, source_name: str | None = None) -> int | None:
        """The current version when committing ``gdf`` as ``layer`` would store every layer it
        touches exactly as that version holds it (the same data imported again), else None.

        :meth:`commit_layer` commits such a layer as asked (this module's tests rely on it); an
        interface that wants no version without a difference (the browser's and the CLI's import)
        asks here first. The
        frames are built by the commit's own steps. For a facility layer "the same" is
        :func:`same_facilities`: every facility with the data the app reads, shows and exports,
        whatever the file was called and whichever columns it carried besides (the register's own
        export, imported again, holds the same data under another file name, with its 来源 and 示意
        columns). For other layers it is byte for byte the file a commit would store (for
        townships: the rows of the units given, since the units around imported polygons give way
        anew at each commit and their vertices move by float noise). An input the commit would
        refuse gives None: the commit says what is wrong.
        """
        current = self.current().version
        refs = self.refs(current)
        try:
            frames = self._build(refs, self._expand(layer, gdf), source_name)
        except CoverplanError:
            return None
        return self._same_as(current, refs, layer, gdf, frames)

    def _same_as(self, current: int, refs: dict[str, LayerRef], layer: str, gdf, frames: dict) -> int | None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="coverplan-same-") as tmp:
            for name, frame in frames.items():
                ref = refs.get(name)
                if frame is None or ref is None:
                    return None
                if name.startswith(FACILITIES + ":"):
                    # the embedded sample too (v0, no file): its export imported again is the sample (QA 18)
                    if not same_facilities(frame, self._frame(ref)):
                        return None
                    continue
                if ref.stored_in == 0 or not ref.file:  # v0: no file
                    return None
                out = Path(tmp) / ref.file
                if name == TOWNSHIPS:
                    codes = [c for c in gdf["code"].astype(str) if c in frame.index]
                    before = self._frame(ref)
                    if len(codes) != len(gdf) or not set(codes) <= set(before.index):
                        return None
                    (Path(tmp) / "before").mkdir()
                    was = Path(tmp) / "before" / ref.file  # the same name: a GeoJSON names itself after its file
                    _write_layer(before.loc[codes], was)
                    _write_layer(frame.loc[codes], out)
                    if sha256_file(out) != sha256_file(was):
                        return None
                else:
                    _write_layer(frame, out)
                    if sha256_file(out) != ref.sha256:
                        return None
        return current

    def commit_layer(self, layer: str, gdf, *, source_path: str | Path | None = None,
                     author: str | None = None, note: str = "", kind: str = "import",
                     base: int | None = None) -> int:
        """Make a new version: the current layers with ``layer`` replaced; return its number.

        Parameters
        ----------
        layer : str
            ``"townships"`` (``code`` + polygons: those units are replaced, the
            rest of their county gives way), ``"villages"`` (``code`` + points
            or ``lon``/``lat``: those villages move), ``"facilities:<type>"``
            (every facility of that type: the layer is replaced as a whole),
            ``"facilities"`` (one layer per ``facility_type`` present),
            ``"population"`` (``code`` of villages + population bands) or
            ``"network"`` (``gdf=None``; the source file is the layer).
        gdf : GeoDataFrame, DataFrame or None
            The layer, already validated by the caller (``geo.imports.check_*``,
            ``planner.register``), in WGS84.
        source_path : path, optional
            The uploaded file: kept under ``<version>/source/`` with its hash
            (a Shapefile's sidecar files too). None for an edit made on the map.
        author : str, optional
            Who made it (default: the OS user).
        note : str
            Free text shown in the history.
        kind : {"import", "edit"}
            Import of a file or an edit (``rollback`` has its own method).
        base : int, optional
            The version ``gdf`` was made from (an edit reads the layer, changes it and writes it
            back): when another version has become current meanwhile, nothing is written, so a
            second server process's edit is never silently dropped. None: no check (an import
            replaces the layer whatever came before).

        Returns
        -------
        int
            The new version, now current.

        Raises
        ------
        InputDataError
            Unknown layer, missing columns, ids clashing with another type's.
            Nothing is written then.
        DataChanged
            ``base`` is given and is no longer the current version. Nothing is written.
        """
        if kind not in ("import", "edit"):
            raise InputDataError(f"Unknown kind '{kind}' (import or edit).", f"未知的版本类型“{kind}”（import 或 edit）。")
        changes = self._expand(layer, gdf)
        src = Path(source_path) if source_path is not None else None
        if src is not None:
            check_file(src)
            check_source_size(src, layer=layer)
        if layer == NETWORK and src is None:
            raise InputDataError("The network layer needs its source file.", "路网图层须提供源文件。")
        author = author or os_user()
        with self._write() as con:  # the write lock is held from the first file to the last row
            self._check_owner()
            parent, refs = self._usable(con, None)
            if base is not None and parent != int(base):
                raise DataChanged(int(base), parent)
            frames = self._build(refs, changes, src.name if src else None)
            tmp = self.root / f".tmp-{uuid.uuid4().hex}"
            final: Path | None = None
            try:
                private_dir(tmp, exist_ok=False)  # 0700, as the folder it becomes (QA 35)
                source_sha = None
                if src is not None:
                    private_dir(tmp / "source", exist_ok=False)
                    for f in _with_sidecars(src):
                        shutil.copyfile(f, tmp / "source" / f.name)
                        _fsync_file(tmp / "source" / f.name)
                    source_sha = sha256_file(src)
                _pause("partial")
                new_refs = dict(refs)
                for name, frame in frames.items():
                    if name == NETWORK:
                        file = "network" + (".osm.pbf" if src.name.lower().endswith(".osm.pbf")
                                            else src.suffix.lower())
                        shutil.copyfile(src, tmp / file)
                        rows = None
                    else:
                        file = _layer_file(name)
                        _write_layer(frame, tmp / file)
                        rows = int(len(frame))
                    _fsync_file(tmp / file)
                    new_refs[name] = LayerRef(name, -1, file, sha256_file(tmp / file), rows)
                _fsync_dir(tmp)
                _pause("staged")
                version = self._next_version(con)
                final = self.root / str(version)
                if final.exists():  # no row owns it (we hold the lock): a crashed commit's leftover
                    shutil.rmtree(final)
                os.replace(tmp, final)
                _fsync_dir(self.root)
                _pause("renamed")
                new_refs = {n: (LayerRef(n, version, r.file, r.sha256, r.rows) if r.stored_in == -1 else r)
                            for n, r in new_refs.items()}
                replaced = [{"layer": n, "version": refs[n].stored_in, "rows": refs[n].rows}
                            if n in refs else {"layer": n, "version": None, "rows": 0} for n in sorted(frames)]
                # the layers whose data differ (:meth:`_differing`); what was written is ``replaced``. A commit that
                # changes nothing (allowed here: interfaces ask unchanged_by first) names what it wrote
                changed = self._differing(refs, frames, new_refs) or sorted(frames)
                self._insert(con, version=version, parent=parent, author=author, note=note, kind=kind,
                             layer=",".join(changed), target=None, source_name=src.name if src else None,
                             source_sha256=source_sha,
                             rows=sum(_rows_taken(n, changes.get(n), new_refs[n].rows) for n in frames)
                             if frames else None,
                             refs=list(new_refs.values()), replaced=replaced)
                con.execute("UPDATE dataset_current SET version=? WHERE region=?", (version, self.region_name))
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                if final is not None:
                    shutil.rmtree(final, ignore_errors=True)
                raise
        return version

    def restore_embedded(self, layers=(TOWNSHIPS, VILLAGES), *, author: str | None = None,
                         note: str = "") -> int | None:
        """Make a new version whose ``layers`` are the embedded ones (version 0's), the others as they are
        (`coverplan region import --reset`: the facilities, marks and sites stay); return its number, or
        None when those layers are the embedded ones already (no version is made)."""
        author = author or os_user()
        with self._write() as con:
            self._check_owner()
            parent, now = self._usable(con, None)
            base = self._refs(con, 0)
            changed = sorted(n for n in layers if now.get(n) != base.get(n))
            if not changed:
                return None
            new = self._next_version(con)
            if (self.root / str(new)).exists():  # no row owns it (we hold the lock): a crashed commit's leftover
                shutil.rmtree(self.root / str(new))
            refs = dict(now)
            refs.update({n: base[n] for n in changed})
            replaced = [{"layer": n, "version": now[n].stored_in if n in now else None,
                         "rows": now[n].rows if n in now else 0} for n in changed]
            self._insert(con, version=new, parent=parent, author=author,
                         note=note or RESET_NOTE, kind="edit", layer=",".join(changed), target=None,
                         source_name=None, source_sha256=None, rows=None, refs=list(refs.values()),
                         replaced=replaced)
            con.execute("UPDATE dataset_current SET version=? WHERE region=?", (new, self.region_name))
        return new

    def take_in_legacy_imports(self) -> list[int]:
        """Commit an older install's `region import` folder (``geo.imports.user_dir`` with ``imports.json``)
        as data versions, once, then rename the folder (``<name>.taken-in-v<N>``) so it is not taken twice.

        Before QA 27 `coverplan region import` wrote that folder and only version 0 read it (an import was
        silently lost once any data version existed); it is now a data version as `data import` makes.
        Only the store beside the folder (``VAR_DIR/proposals.sqlite``) takes it in. Returns the versions made."""
        folder = legacy_imports(self.region_name)
        if folder is None or not _is_default_db(self.db_path):
            return []
        from geo.imports import TOWNSHIPS_FILE, VILLAGES_FILE

        try:
            notes = json.loads((folder / "imports.json").read_text("utf-8"))
        except (OSError, ValueError):
            notes = {}
        made: list[int] = []
        try:
            for layer, file, words in ((TOWNSHIPS, TOWNSHIPS_FILE, "乡镇（街道）边界"), (VILLAGES, VILLAGES_FILE, "村（社区）点位")):
                path = folder / file
                if not path.is_file():
                    continue
                if layer == TOWNSHIPS:
                    data = gpd.read_file(path).set_crs(settings.STORAGE_CRS, allow_override=True)
                else:
                    data = pd.read_csv(path, dtype={"code": str})
                data["code"] = data["code"].astype(str)
                original = str((notes.get(layer) or {}).get("file") or file)
                en = "township boundaries" if layer == TOWNSHIPS else "village points"
                note = (f"迁移旧版 region import 导入的{words}（原文件 {original}） / taken in from an earlier region "
                        f"import: {en} (the file {original})")
                if self.unchanged_by(layer, data, path.name) is not None:
                    continue
                made.append(self.commit_layer(layer, data, source_path=path, note=note))
        except (CoverplanError, OSError, ValueError) as exc:  # left as it is: said, and tried again next time
            import logging
            logging.getLogger("coverplan.datasets").warning(
                "the earlier region import in %s could not be taken in as a data version: %s", folder, exc)
            return made
        target = folder.with_name(f"{folder.name}.taken-in-v{made[-1] if made else 0}")
        n = 1
        while target.exists():
            target, n = folder.with_name(f"{folder.name}.taken-in-v{made[-1] if made else 0}-{n}"), n + 1
        try:
            folder.rename(target)
        except OSError:
            pass
        return made

    def rollback(self, version: int, *, author: str | None = None, note: str = "") -> int:
        """Make a new version whose layers are those of ``version``; return its number.

        Nothing is removed: the versions after ``version`` stay in the history
        and can themselves be restored.
        """
        author = author or os_user()
        with self._write() as con:
            self._check_owner()
            target, refs = self._usable(con, version)
            parent, now = self._usable(con, None)
            new = self._next_version(con)
            if (self.root / str(new)).exists():  # no row owns it (we hold the lock): a crashed commit's leftover
                shutil.rmtree(self.root / str(new))
            changed = sorted(n for n in set(refs) | set(now) if refs.get(n) != now.get(n))
            if not changed:  # e.g. the same rollback sent twice: a new version would change nothing
                raise InputDataError(
                    f"Version {version} holds the same data as the current version {parent}: nothing would change.",
                    f"版本 {version} 的数据与当前版本 {parent} 相同，回退不会改变任何数据。",
                    hint_en="Choose a version whose data differ (Compare in the version history shows what changed).",
                    hint_zh="请选择数据不同的版本（版本历史中的“对比”可查看差异）。",
                    details={"parameter": "version", "value": version, "current": parent})
            replaced = [{"layer": n, "version": now[n].stored_in if n in now else None,
                         "rows": now[n].rows if n in now else 0} for n in changed]
            self._insert(con, version=new, parent=parent, author=author,
                         note=note, kind="rollback", layer=None,
                         target=target, source_name=None, source_sha256=None, rows=None,
                         refs=list(refs.values()), replaced=replaced)
            con.execute("UPDATE dataset_current SET version=? WHERE region=?", (new, self.region_name))
        return new

    def _next_version(self, con: sqlite3.Connection) -> int:
        """The number of the next version: above every version of the region and above the highest number a
        database a restore replaced had handed out (:data:`NUMBERS_TABLE`): a number is never given twice."""
        top = con.execute("SELECT COALESCE(MAX(version), 0) AS v FROM dataset_versions WHERE region=?",
                          (self.region_name,)).fetchone()["v"]
        if con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (NUMBERS_TABLE,)).fetchone():
            floor = con.execute(f"SELECT highest FROM {NUMBERS_TABLE} WHERE region=?",  # noqa: S608
                                (self.region_name,)).fetchone()
            if floor is not None and isinstance(floor["highest"], int):
                top = max(top, floor["highest"])
        return top + 1

    def _insert(self, con: sqlite3.Connection, *, version: int, parent: int | None, author: str, note: str,
                kind: str, layer: str | None, target: int | None, source_name: str | None,
                source_sha256: str | None, rows: int | None, refs: list[LayerRef], replaced: list) -> None:
        counts = {r.layer: r.rows for r in sorted(refs, key=lambda r: r.layer)}
        con.execute("INSERT INTO dataset_versions (region, version, parent, created, author, note, kind, layer, "
                    "target, source_name, source_sha256, rows, counts, replaced, status) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?, 'ok')",
                    (self.region_name, version, parent, time.time(), author, note or "", kind, layer, target,
                     source_name, source_sha256, rows, json.dumps(counts), json.dumps(replaced)))
        con.executemany("INSERT INTO dataset_layers VALUES (?,?,?,?,?,?,?)",
                        [(self.region_name, version, r.layer, r.stored_in, r.file, r.sha256, r.rows) for r in refs])

    def fingerprint(self) -> str:
        """A hash of the region's rows and of every file under its directory.

        Equal before and after an operation means it changed nothing (a refused
        import, a dry run, a crashed commit after the next open's clean-up).
        """
        h = hashlib.sha256()
        with self._connect() as con:
            for table, order in (("dataset_versions", "version"), ("dataset_layers", "version, layer"),
                                 ("dataset_current", "region")):
                for r in con.execute(f"SELECT * FROM {table} WHERE region=? ORDER BY {order}",  # noqa: S608
                                     (self.region_name,)):
                    h.update(json.dumps(list(r), ensure_ascii=False).encode())
        # (a crashed commit's folder set aside, .orphan-*, is no longer the store's)
        for f in sorted(p for p in self.root.rglob("*") if p.is_file()
                        and not p.relative_to(self.root).parts[0].startswith(".orphan-")):
            h.update(f.relative_to(self.root).as_posix().encode())
            h.update(sha256_file(f).encode())
        return h.hexdigest()

    # -- comparing -----------------------------------------------------------------
    def diff(self, v1: int, v2: int) -> dict:
        """What changed from version ``v1`` to ``v2``.

        Returns
        -------
        dict
            ``layers`` (``changed``: layer names whose data differ),
            ``facilities`` (``added``, ``removed``, ``moved`` -- same id, more
            than 10 m apart --, ``changed``: other name or type, and ``attributes``:
            other address, operator, phone or remark, each row naming them in
            ``attributes``; a facility is in every list whose change it has),
            ``townships`` (``changed``: boundary moved by over 1 m -- code, name,
            area before/after, the area that changed hands, quality before/after;
            ``requalified``: same boundary, other quality flag), ``villages`` (``moved``)
            and ``population`` (``changed`` codes). Standard JSON throughout.
        """
        with self._connect() as con:
            a, refs1 = self._usable(con, v1)
            b, refs2 = self._usable(con, v2)
        changed = {n for n in set(refs1) | set(refs2)
                   if (refs1.get(n) and (refs1[n].stored_in, refs1[n].sha256)) !=
                   (refs2.get(n) and (refs2[n].stored_in, refs2[n].sha256))}
        # a facility layer rewritten with the same facilities (a whole register imported again) did not change
        rewritten = {n for n in changed if n.startswith(FACILITIES + ":") and n in refs1 and n in refs2}
        changed -= rewritten - set(self._differing(refs1, {n: self._frame(refs2[n]) for n in rewritten}))
        out = diff_layers(self._layers_of(refs1), self._layers_of(refs2), changed=changed)
        out.update({"from": a, "to": b, "layers": {"changed": sorted(changed)}})
        return out


# -- layer files -------------------------------------------------------------------------
def _rows_taken(layer: str, given, layer_rows: int | None) -> int:
    """The rows a version took of ``layer``: the townships or villages ``given`` (they are overlaid on the
    layer, so its own rows are the region's 129 or 1,979 whatever the file held: `data versions` listed an
    8-row village file as 1,979 rows beside facility imports listed by their file's rows, QA 23), else the
    rows of the layer written (a facility layer is replaced as a whole: the register's rows)."""
    if layer in (TOWNSHIPS, VILLAGES) and given is not None and hasattr(given, "__len__"):
        return int(len(given))
    return int(layer_rows or 0)


def _with_sidecars(src: Path) -> list[Path]:
    """A Shapefile given as its .shp brings its .shx/.dbf/.prj/.cpg along."""
    if src.suffix.lower() != ".shp":
        return [src]
    return [src] + sorted(p for p in src.parent.glob(src.stem + ".*")
                          if p != src and p.suffix.lower() in (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn"))


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Columns a GeoJSON property can hold: lists/dicts as JSON text, extension dtypes as plain ones."""
    df = df.copy()
    for col in df.columns:
        if col == "geometry":
            continue
        s = df[col]
        if s.dtype == object and s.map(lambda v: isinstance(v, (list, dict, tuple))).any():
            df[col] = s.map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict, tuple)) else v)
        elif isinstance(s.dtype, pd.StringDtype):
            df[col] = s.astype(object)
    return df


def _write_layer(frame, path: Path) -> None:
    if isinstance(frame, gpd.GeoDataFrame):
        out = _plain(frame.reset_index(drop=True))
        out.to_file(path, driver="GeoJSON", engine="pyogrio")
    else:
        frame.reset_index(drop=True).to_csv(path, index=False, lineterminator="\n")


def _read_layer(layer: str, path: Path):
    if layer == POPULATION:
        return pd.read_csv(path, dtype={"code": str})
    if layer == MARKS:
        return pd.read_csv(path, dtype=str, keep_default_na=False)[MARK_COLUMNS]
    gdf = gpd.read_file(path, engine="pyogrio")
    gdf = gdf.set_crs(settings.STORAGE_CRS, allow_override=True)
    index = "id" if layer.startswith(FACILITIES) or layer == SITES else "code"
    if index not in gdf:
        gdf[index] = pd.Series(dtype=str)
    for col in ("code", "county_code", "township_code", "id"):
        if col in gdf.columns:
            gdf[col] = gdf[col].where(gdf[col].isna(), gdf[col].astype(str))
    return gdf.set_index(index, drop=False).rename_axis(None)


# -- building a changed layer -------------------------------------------------------------
def _merge_townships(current: gpd.GeoDataFrame, emb: Region, new: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if "code" not in new or not isinstance(new, gpd.GeoDataFrame):
        raise InputDataError("Townships need a code column and polygons.", "乡镇图层须有代码列和面要素。")
    new = new.to_crs(settings.STORAGE_CRS)
    codes = new["code"].astype(str)
    unknown = sorted(set(codes) - set(current.index))
    if unknown:
        raise InputDataError(f"Unknown township code(s): {unknown[:10]}.", f"未知的乡镇代码：{unknown[:10]}。",
                             details={"unknown": unknown})
    towns = current.copy()
    if "geometry_source" not in towns:
        towns["geometry_source"] = "embedded"
    towns = overlay_townships(towns, emb.counties, gpd.GeoDataFrame({"code": codes.values},
                                                                     geometry=new.geometry.values,
                                                                     crs=settings.STORAGE_CRS))
    towns.loc[codes.values, "geometry_source"] = "planner-supplied"
    return towns


def _merge_villages(current: gpd.GeoDataFrame, new, source_name: str | None) -> gpd.GeoDataFrame:
    if "code" not in new:
        raise InputDataError("Villages need a code column.", "村（社区）图层须有代码列。")
    if "lon" in new and "lat" in new:
        pts = pd.DataFrame({"code": new["code"].astype(str).values, "lon": new["lon"].astype(float).values,
                            "lat": new["lat"].astype(float).values})
    elif isinstance(new, gpd.GeoDataFrame):
        g = new.to_crs(settings.STORAGE_CRS).geometry
        pts = pd.DataFrame({"code": new["code"].astype(str).values, "lon": g.x.values, "lat": g.y.values})
    else:
        raise InputDataError("Villages need lon/lat or point geometries.", "村（社区）图层须有经纬度或点要素。")
    unknown = sorted(set(pts["code"]) - set(current.index))
    if unknown:
        raise InputDataError(f"Unknown village code(s): {unknown[:10]}.", f"未知的村（社区）代码：{unknown[:10]}。",
                             details={"unknown": unknown})
    vills = current.copy()
    if "location_source" not in vills:
        vills["location_source"] = "embedded"
    vills = overlay_villages(vills, pts)
    vills.loc[pts["code"].values, "location_source"] = "planner-supplied"
    return vills


def facility_row_limit(n_units: int) -> int:
    """The most facilities of one type a version may hold: five for every village, community and
    township of the region, and at least 5,000. More is no register (a total per row, rows repeated,
    another table), and one such version made every page of the type slow to unusable for everyone
    on the server (QA 18: 200,000 day-care rows, 5.4 GB, a map of 268 MB)."""
    return max(5000, 5 * int(n_units))


#: ``attrs`` key of a facilities frame naming its types in each language ({type key: {"zh": ..., "en": ...}}): this
#: module cannot read the types file (planner.facility_types), so the frame's maker (planner.register) says them.
TYPE_NAMES_ATTR = "type_names"


def too_many_facilities(ftype: str, n: int, limit: int, names: dict | str | None = None) -> InputDataError:
    """The refusal of ``n`` facilities of type ``ftype`` (its key) over ``limit``, naming the type by ``names``
    ({"zh", "en"}: its name in each language; a str: one label for both) or else by its key. QA 34: the key was
    said ("类型“day_care”的设施有 12,000 处")."""
    if isinstance(names, dict):
        zh, en = str(names.get("zh") or ftype), str(names.get("en") or names.get("zh") or ftype)
    else:
        zh = en = str(names or ftype)
    return InputDataError(
        f"{n:,} facilities of type '{en}' are more than a register of this region can hold "
        f"(at most {limit:,}: five for each village, community and township).",
        f"类型“{zh}”的设施有 {n:,} 处，超过本地区名录的上限（{limit:,} 处，即每个村（社区）、乡镇5处）。",
        hint_en="Check that each row is one facility (not a total, not repeated rows) and that the file "
                "is a facility register.",
        hint_zh="请核对是否每行一处设施（不是合计行、没有重复行），以及文件是否为设施名录。",
        details={"type": ftype, "rows": int(n), "limit": int(limit)})


def _check_facilities(ftype: str, gdf, source_name: str | None) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputDataError("Facilities must be a GeoDataFrame of points.", "设施图层须为点要素的 GeoDataFrame。")
    gdf = gdf.to_crs(settings.STORAGE_CRS) if gdf.crs is not None else gdf.set_crs(settings.STORAGE_CRS)
    if len(gdf) and not (gdf.geometry.geom_type == "Point").all():
        raise InputDataError("Facilities must be points.", "设施须为点要素。")
    if "id" not in gdf:
        raise InputDataError("Facilities need an id column.", "设施图层须有 id（编号）列。")
    out = gdf.copy()
    out["id"] = out["id"].astype(str)
    dup = sorted(set(out["id"][out["id"].duplicated()]))
    if dup:
        raise InputDataError(f"Duplicate facility id(s): {dup[:10]}.", f"设施编号重复：{dup[:10]}。",
                             details={"ids": dup})
    out["facility_type"] = ftype
    if "synthetic" not in out:
        out["synthetic"] = False
    if "source" not in out and source_name:
        out["source"] = source_name
    out = out.sort_values("id", kind="stable")  # the same register gives the same file
    return gpd.GeoDataFrame(out.set_index("id", drop=False).rename_axis(None), geometry="geometry",
                            crs=settings.STORAGE_CRS)


def _check_population(table, villages: gpd.GeoDataFrame) -> pd.DataFrame:
    if "code" not in table:
        raise InputDataError("The population table needs a code column (12-digit village codes).",
                             "人口表须有代码列（12位村级代码）。")
    bands = [b for b in POP_BANDS if b in table]
    if not bands:
        raise InputDataError(f"The population table has none of the columns {', '.join(POP_BANDS)}.",
                             f"人口表缺少人口列（{'、'.join(POP_BANDS)}）。")
    df = pd.DataFrame({"code": table["code"].astype(str).values})
    for b in bands:
        v = pd.to_numeric(pd.Series(table[b]).reset_index(drop=True), errors="coerce")
        bad = df["code"][v.isna() | (v < 0)].tolist()
        if bad:
            raise InputDataError(f"Population column {b}: missing or negative for {bad[:10]}.",
                                 f"人口列 {b}：{bad[:10]} 缺失或为负数。", details={"codes": bad})
        df[b] = v.round().astype("int64").values
    unknown = sorted(set(df["code"]) - set(villages.index))
    if unknown:
        raise InputDataError(f"Unknown village code(s) in the population table: {unknown[:10]}.",
                             f"人口表中有未知的村（社区）代码：{unknown[:10]}。", details={"unknown": unknown})
    dup = sorted(set(df["code"][df["code"].duplicated()]))
    if dup:
        raise InputDataError(f"Duplicate codes in the population table: {dup[:10]}.",
                             f"人口表代码重复：{dup[:10]}。", details={"duplicates": dup})
    _check_band_order(df)
    return df.sort_values("code").reset_index(drop=True)


#: The population bands from the narrowest to the widest: each row must hold 80+ <= 65+ <= 60+ <= total.
BAND_ORDER = ("aged_80", "aged_65", "aged_60", "population")
_BAND_WORDS = {"aged_80": ("80岁以上", "aged 80+"), "aged_65": ("65岁以上", "aged 65+"),
               "aged_60": ("60岁以上", "aged 60+"), "population": ("总人口", "total population")}


def _check_band_order(df: pd.DataFrame) -> None:
    """Refuse rows whose bands break 80+ <= 65+ <= 60+ <= total (QA 36: such a row was taken, and every
    analysis counted more people aged 80+ than aged 60+ there). Only the bands the table gives: a band it does not
    give stays derived, and is kept within the given ones when applied (:func:`_apply_population`)."""
    given = [b for b in BAND_ORDER if b in df]
    vals = {b: df[b].to_numpy(float) for b in given}
    broken: dict[int, list[tuple[str, str]]] = {}
    for lo, hi in zip(given, given[1:]):
        for i in np.flatnonzero(vals[lo] > vals[hi]):
            broken.setdefault(int(i), []).append((lo, hi))
    if not broken:
        return

    def fig(b: str, i: int, lang: str) -> str:
        return f"{_BAND_WORDS[b][0 if lang == 'zh' else 1]} {int(vals[b][i]):,}"

    rows = sorted(broken)
    codes = [str(df["code"].iloc[i]) for i in rows]
    said_zh = "；".join(f"数据第 {i + 1} 行（代码 {codes[k]}）："
                       + "，".join(f"{fig(lo, i, 'zh')} 多于 {fig(hi, i, 'zh')}" for lo, hi in broken[i])
                       for k, i in enumerate(rows[:10]))
    said_en = "; ".join(f"data row {i + 1} (code {codes[k]}): "
                        + ", ".join(f"{fig(lo, i, 'en')} is more than {fig(hi, i, 'en')}" for lo, hi in broken[i])
                        for k, i in enumerate(rows[:10]))
    more_zh = f"；共 {len(rows):,} 行" if len(rows) > 10 else ""
    more_en = f"; {len(rows):,} rows in all" if len(rows) > 10 else ""
    raise InputDataError(
        f"The population table has {len(rows):,} row(s) whose age bands do not nest "
        f"(aged 80+ <= aged 65+ <= aged 60+ <= total population): {said_en}{more_en}.",
        f"人口表有 {len(rows):,} 行各年龄段人数不符合 80岁以上 ≤ 65岁以上 ≤ 60岁以上 ≤ 总人口：{said_zh}{more_zh}。",
        hint_en="Correct those rows in the table and import it again: people aged 80+ are also counted in aged 65+ "
                "and aged 60+, and all of them in the total population (check that no two columns are swapped).",
        hint_zh="请在表中更正这些行后重新导入：80岁以上老人也计入65岁以上和60岁以上人数，各年龄段都计入总人口"
                "（请检查是否有两列填反）。",
        details={"codes": codes, "rows": [i + 1 for i in rows]})


def population_quality_column(band: str) -> str:
    """The villages' column saying where their ``band`` figures come from ("official": a planner's population table
    gave that band; else the layer's ``population_quality``). A table may give some bands only (aged 60+ alone):
    its other bands stay derived (QA 36: the whole row was marked official, and 示意 dropped for aged-80+ types)."""
    return f"population_quality_{band}"


def empty_marks() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=str) for c in MARK_COLUMNS})


def empty_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: pd.Series(dtype=str) for c in SITE_COLUMNS}, geometry=gpd.GeoSeries([]),
                            crs=settings.STORAGE_CRS)


def _check_sites(gdf) -> gpd.GeoDataFrame:
    """Planner-added candidate sites: points with a unique id, a name and a type (``*`` = every type)."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputDataError("Candidate sites must be points.", "候选点须为点要素。")
    missing = [c for c in ("id", "name", "facility_type") if c not in gdf]
    if missing:
        raise InputDataError(f"Candidate sites need the columns {missing}.", f"候选点缺少列：{missing}。")
    gdf = gdf.to_crs(settings.STORAGE_CRS) if gdf.crs is not None else gdf.set_crs(settings.STORAGE_CRS)
    if len(gdf) and not (gdf.geometry.geom_type == "Point").all():
        raise InputDataError("Candidate sites must be points.", "候选点须为点要素。")
    out = gpd.GeoDataFrame({c: (gdf[c] if c in gdf else "").astype(str).values for c in SITE_COLUMNS},
                           geometry=gdf.geometry.values, crs=settings.STORAGE_CRS)
    dup = sorted(set(out["id"][out["id"].duplicated()]))
    if dup:
        raise InputDataError(f"Duplicate candidate-site id(s): {dup[:10]}.", f"候选点编号重复：{dup[:10]}。")
    out = out.sort_values("id", kind="stable")
    return out.set_index("id", drop=False).rename_axis(None)


def _check_marks(table) -> pd.DataFrame:
    """One mark per (candidate, type): ``required`` or ``forbidden``; ``*`` as type = every type."""
    missing = [c for c in ("candidate_id", "facility_type", "mark") if c not in table]
    if missing:
        raise InputDataError(f"Site marks need the columns {missing}.", f"候选点标记缺少列：{missing}。")
    df = pd.DataFrame({c: (table[c] if c in table else "").astype(str).str.strip().values
                       for c in MARK_COLUMNS}) if len(table) else empty_marks()
    df["note"] = df["note"].str.slice(0, 200)
    bad = df[~df["mark"].isin(MARK_VALUES)]
    if len(bad):
        raise InputDataError(f"Unknown mark(s) {sorted(set(bad['mark']))[:5]}: use required or forbidden.",
                             f"未知的标记 {sorted(set(bad['mark']))[:5]}：只能为 required（必选）或 forbidden（禁选）。")
    if (df["candidate_id"] == "").any() or (df["facility_type"] == "").any():
        raise InputDataError("Every site mark needs a candidate id and a facility type (* for all).",
                             "每条候选点标记须有候选点编号和设施类型（* 表示全部类型）。")
    dup = df[df.duplicated(["candidate_id", "facility_type"], keep=False)]
    if len(dup):
        ids = sorted(set(dup["candidate_id"]))[:10]
        raise InputDataError(f"Candidate(s) {ids} are marked twice for the same type.",
                             f"候选点 {ids} 对同一设施类型有重复标记。", details={"candidates": ids})
    return df.sort_values(["facility_type", "candidate_id"]).reset_index(drop=True)


def _apply_population(vills: gpd.GeoDataFrame, towns: gpd.GeoDataFrame, table: pd.DataFrame):
    """Planner-supplied village populations, and township sums recomputed from them (counties keep the census)."""
    vills, towns = vills.copy(), towns.copy()
    table = table[table["code"].isin(vills.index)].set_index("code")
    given = [b for b in POP_BANDS if b in table]
    before = (vills["population_quality"] if "population_quality" in vills
              else pd.Series("derived", index=vills.index)).astype(object)
    for b in POP_BANDS:
        col = population_quality_column(b)
        if col not in vills:
            vills[col] = before
        if b in given:
            vills.loc[table.index, b] = table[b].astype(vills[b].dtype).values
            vills.loc[table.index, col] = "official"
    # the row as a whole is official only when the table gave every band; the bands say which are (per band above)
    vills.loc[table.index, "population_quality"] = "official" if len(given) == len(POP_BANDS) else "mixed"
    # a band the table did not give stays derived, but within the counted ones (80+ <= 65+ <= 60+ <= total): a
    # derived 65+ above a counted 60+ would have every analysis count more people aged 65+ than aged 60+ there
    rows = vills.loc[table.index]
    for k, b in enumerate(BAND_ORDER):
        if b in given or b not in vills:
            continue
        lower = [rows[x].to_numpy(float) for x in BAND_ORDER[:k] if x in given]
        upper = [rows[x].to_numpy(float) for x in BAND_ORDER[k + 1:] if x in given]
        v = rows[b].to_numpy(float)
        if lower:
            v = np.maximum(v, np.max(lower, axis=0))
        if upper:
            v = np.minimum(v, np.min(upper, axis=0))
        vills.loc[table.index, b] = v.astype(vills[b].dtype)
    touched = set(vills.loc[table.index, "township_code"])
    sums = vills.groupby("township_code")[list(POP_BANDS)].sum()
    for code in touched:
        towns.loc[code, list(POP_BANDS)] = sums.loc[code].values
        towns.loc[code, "population_quality"] = "mixed"
    return vills, towns


# -- differences -------------------------------------------------------------------------
def _metric_xy(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    m = gdf.geometry.to_crs(settings.METRIC_CRS)
    return pd.DataFrame({"x": m.x.values, "y": m.y.values}, index=gdf.index)


def _facility_row(f) -> dict:
    g = f.geometry
    return {"id": str(f["id"]), "name": _json_safe(f.get("name")), "facility_type": str(f["facility_type"]),
            "township_code": _json_safe(f.get("township_code")),
            "lon": round(float(g.x), 6), "lat": round(float(g.y), 6)}


#: Facility attributes whose change counts in a diff (besides the place): what the map's editor changes.
DIFF_ATTRIBUTES = ("facility_type", "name", "address", "operator", "phone", "remark")
#: Of those, the ones reported as "attributes changed" (name and type are "changed": renamed or retyped).
DETAIL_ATTRIBUTES = DIFF_ATTRIBUTES[2:]


#: Capacity columns of the facility layer: what a register's capacity cells are read into (planner.register).
CAPACITY_COLUMNS = ("beds", "day_places", "plots", "niches", "meal_places")


def _capacity(f, col: str) -> float | None:
    v = f.get(col)
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _attribute(f, col: str):
    """A facility's attribute for comparing: an empty cell, "" and a column the version lacks are alike
    (an edit stores a cleared field as empty; a register without the column never had one)."""
    v = _json_safe(f.get(col))
    return None if v is None or (isinstance(v, str) and not v.strip()) else v


#: How far a facility may lie from where a version has it and still be "the same data" imported again:
#: the register's export writes six decimals of a degree, at most 0.06 m off.
SAME_PLACE_M = 0.1
#: Facility fields that make "the same data": the place, and what the map, the analyses and the exports read.
SAME_FIELDS = ("facility_type", "name", "township_code", *DETAIL_ATTRIBUTES, "built_year", "upgraded_year")


def same_facilities(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> bool:
    """Whether two versions of a facility layer hold the same facilities with the same data.

    The same ids, each within :data:`SAME_PLACE_M` of its place, with the same :data:`SAME_FIELDS`,
    capacities (a column only one frame has counts as unknown there, unlike :func:`diff_layers`:
    beds given where there were none are new data) and synthetic flag. Where the data came from
    (``source``, ``source_row``) and columns the app does not read are not compared.
    """
    ia, ib = a["id"].astype(str), b["id"].astype(str)
    if len(a) != len(b) or set(ia) != set(ib) or ia.duplicated().any():
        return False
    a = a.set_axis(ia.values)
    b = b.set_axis(ib.values).loc[a.index]
    if len(a):
        xa, xb = _metric_xy(a), _metric_xy(b)
        if float(np.hypot(xa["x"] - xb["x"], xa["y"] - xb["y"]).max()) > SAME_PLACE_M:
            return False
    for (_, fa), (_, fb) in zip(a.iterrows(), b.iterrows()):
        if any(_attribute(fa, c) != _attribute(fb, c) for c in SAME_FIELDS):
            return False
        if any(_capacity(fa, c) != _capacity(fb, c) for c in CAPACITY_COLUMNS):
            return False
        if bool(_attribute(fa, "synthetic") or False) != bool(_attribute(fb, "synthetic") or False):
            return False
    return True


def diff_layers(before: dict, after: dict, *, changed: set[str] | None = None) -> dict:
    """Compare two sets of layers (as :meth:`DatasetStore.layers` returns them).

    ``changed`` limits the work to the layers known to differ (None: all).
    """
    def touched(prefix: str) -> bool:
        return changed is None or any(n == prefix or n.startswith(prefix + ":") for n in changed)

    out: dict = {"facilities": {"added": [], "removed": [], "moved": [], "changed": [], "attributes": [],
                                "capacity": []},
                 "townships": {"changed": [], "requalified": []}, "villages": {"moved": [], "requalified": []},
                 "population": {"changed": []},
                 "site_marks": {"added": [], "removed": [], "changed": []},
                 "planner_sites": {"added": [], "removed": [], "moved": []}}
    if touched(FACILITIES):
        a, b = before[FACILITIES], after[FACILITIES]
        a = a[~a.index.duplicated()]
        b = b[~b.index.duplicated()]
        ids_a, ids_b = set(a.index), set(b.index)
        out["facilities"]["added"] = [_facility_row(b.loc[i]) for i in sorted(ids_b - ids_a)]
        out["facilities"]["removed"] = [_facility_row(a.loc[i]) for i in sorted(ids_a - ids_b)]
        both = sorted(ids_a & ids_b)
        # capacity columns both versions have: a column only one has (a cemetery's niches, kept beside
        # the plots that already count them; another type's column a file happened to carry) is not
        # a capacity that changed
        caps = [c for c in CAPACITY_COLUMNS if c in a.columns and c in b.columns]
        if both:
            xa, xb = _metric_xy(a.loc[both]), _metric_xy(b.loc[both])
            dist = np.hypot(xa["x"] - xb["x"], xa["y"] - xb["y"])
            # a facility is listed under every kind of change it has (moved and renamed: both)
            for i in both:
                d = float(dist[i])
                fa, fb = a.loc[i], b.loc[i]
                if d > MOVED_M:
                    row = _facility_row(fb)
                    row.update({"distance_m": round(d, 1), "from": [round(float(fa.geometry.x), 6),
                                                                     round(float(fa.geometry.y), 6)]})
                    out["facilities"]["moved"].append(row)
                if _attribute(fa, "name") != _attribute(fb, "name") or str(fa["facility_type"]) != str(fb["facility_type"]):
                    row = _facility_row(fb)
                    row.update({"name_before": _json_safe(fa.get("name")),
                                "facility_type_before": str(fa["facility_type"])})
                    out["facilities"]["changed"].append(row)
                fields = [c for c in DETAIL_ATTRIBUTES if _attribute(fa, c) != _attribute(fb, c)]
                if fields:
                    row = _facility_row(fb)
                    row["attributes"] = fields
                    out["facilities"]["attributes"].append(row)
                # beds and the other capacities: what the plan's "how much" numbers rest on (a re-import
                # that lost them was reported as one rename)
                for c in caps:
                    ca, cb = _capacity(fa, c), _capacity(fb, c)
                    if ca != cb:
                        row = _facility_row(fb)
                        row.update({"field": c, "before": ca, "after": cb})
                        out["facilities"]["capacity"].append(row)
    if touched(TOWNSHIPS):
        a, b = before[TOWNSHIPS], after[TOWNSHIPS]
        both = [c for c in a.index if c in b.index]
        # made valid in metres: a polygon valid in degrees may cross itself by a hair once projected, and
        # the overlay then raised a TopologyException (a 500 on the data page's diff)
        ga = shapely.make_valid(a.loc[both].geometry.to_crs(settings.METRIC_CRS).values)
        gb = shapely.make_valid(b.loc[both].geometry.to_crs(settings.METRIC_CRS).values)
        sym = shapely.symmetric_difference(ga, gb)
        moved = shapely.area(sym)
        # what is left of the change after shaving BOUNDARY_TOLERANCE_M off every side: slivers
        # from float noise or from clipping to the county line vanish, a moved boundary stays
        real = ~shapely.is_empty(shapely.buffer(sym, -BOUNDARY_TOLERANCE_M))
        for code, m2, pa, pb, is_real in zip(both, moved, shapely.area(ga), shapely.area(gb), real):
            qa, qb = _json_safe(a.loc[code].get("geometry_quality")), _json_safe(b.loc[code].get("geometry_quality"))
            if is_real:
                out["townships"]["changed"].append({
                    "code": code, "name": _json_safe(b.loc[code].get("name")),
                    "county_name": _json_safe(b.loc[code].get("county_name")),
                    "area_km2_before": round(float(pa) / 1e6, 3), "area_km2_after": round(float(pb) / 1e6, 3),
                    "changed_km2": round(float(m2) / 1e6, 3),
                    "geometry_quality_before": qa, "geometry_quality_after": qb})
            elif qa != qb:
                out["townships"]["requalified"].append({
                    "code": code, "name": _json_safe(b.loc[code].get("name")),
                    "geometry_quality_before": qa, "geometry_quality_after": qb})
    # (new boundaries move the synthetic villages they leave outside: compared when either changed, and both
    # sets of layers hold the villages)
    if (touched(VILLAGES) or touched(TOWNSHIPS)) and VILLAGES in before and VILLAGES in after:
        a, b = before[VILLAGES], after[VILLAGES]
        both = [c for c in a.index if c in b.index]
        xa, xb = _metric_xy(a.loc[both]), _metric_xy(b.loc[both])
        dist = np.hypot(xa["x"] - xb["x"], xa["y"] - xb["y"])
        none = pd.Series(None, index=both, dtype=object)
        flag_a = a.loc[both, "location_quality"] if "location_quality" in a.columns else none
        flag_b = b.loc[both, "location_quality"] if "location_quality" in b.columns else none
        for code, fa, fb in zip(both, flag_a, flag_b):
            d = float(dist[code])
            qa, qb = _json_safe(fa), _json_safe(fb)
            if d > VILLAGE_MOVED_M:
                out["villages"]["moved"].append({
                    "code": code, "name": _json_safe(b.loc[code].get("name")),
                    "township_code": _json_safe(b.loc[code].get("township_code")), "distance_m": round(d, 1),
                    "location_quality_before": qa, "location_quality_after": qb})
            elif qa != qb:  # the same place, another flag (a sample point given as official, QA 34): said, not a move
                out["villages"]["requalified"].append({
                    "code": code, "name": _json_safe(b.loc[code].get("name")),
                    "township_code": _json_safe(b.loc[code].get("township_code")),
                    "location_quality_before": qa, "location_quality_after": qb})
    if touched(POPULATION):
        pa = before.get(POPULATION, pd.DataFrame(columns=["code"])).set_index("code")
        pb = after.get(POPULATION, pd.DataFrame(columns=["code"])).set_index("code")
        codes = sorted(set(pa.index) | set(pb.index))
        out["population"]["changed"] = [c for c in codes if c not in pa.index or c not in pb.index
                                        or not pa.loc[c].equals(pb.loc[c])]
    if touched(SITES):
        a = before.get(SITES, empty_sites())
        b = after.get(SITES, empty_sites())
        ia, ib = set(a.index), set(b.index)
        row = lambda f: {"id": str(f["id"]), "name": _json_safe(f.get("name")),  # noqa: E731
                         "facility_type": str(f["facility_type"]),
                         "lon": round(float(f.geometry.x), 6), "lat": round(float(f.geometry.y), 6)}
        out["planner_sites"]["added"] = [row(b.loc[i]) for i in sorted(ib - ia)]
        out["planner_sites"]["removed"] = [row(a.loc[i]) for i in sorted(ia - ib)]
        both = sorted(ia & ib)
        if both:
            xa, xb = _metric_xy(a.loc[both]), _metric_xy(b.loc[both])
            dist = np.hypot(xa["x"] - xb["x"], xa["y"] - xb["y"])
            out["planner_sites"]["moved"] = [dict(row(b.loc[i]), distance_m=round(float(dist[i]), 1))
                                             for i in both if float(dist[i]) > MOVED_M]
    if touched(MARKS):
        key = ["candidate_id", "facility_type"]
        ma = before.get(MARKS, empty_marks()).set_index(key)
        mb = after.get(MARKS, empty_marks()).set_index(key)
        for k in sorted(set(ma.index) | set(mb.index)):
            row = {"candidate_id": k[0], "facility_type": k[1]}
            if k not in ma.index:
                out["site_marks"]["added"].append({**row, "mark": mb.loc[k, "mark"], "note": mb.loc[k, "note"]})
            elif k not in mb.index:
                out["site_marks"]["removed"].append({**row, "mark": ma.loc[k, "mark"]})
            elif ma.loc[k, "mark"] != mb.loc[k, "mark"]:
                out["site_marks"]["changed"].append({**row, "mark_before": ma.loc[k, "mark"],
                                                     "mark": mb.loc[k, "mark"]})
    out["counts"] = {"facilities_added": len(out["facilities"]["added"]),
                     "facilities_removed": len(out["facilities"]["removed"]),
                     "facilities_moved": len(out["facilities"]["moved"]),
                     "facilities_changed": len(out["facilities"]["changed"]),
                     "facilities_attributes": len(out["facilities"]["attributes"]),
                     # one per capacity that changed, as the list and the diff's lines count them (all 0 here
                     # while they listed a changed bed count: QA 21)
                     "facilities_capacity": len(out["facilities"]["capacity"]),
                     "townships_changed": len(out["townships"]["changed"]),
                     "townships_requalified": len(out["townships"]["requalified"]),
                     "villages_moved": len(out["villages"]["moved"]),
                     "villages_requalified": len(out["villages"]["requalified"]),
                     "population_changed": len(out["population"]["changed"]),
                     "site_marks_changed": sum(len(v) for v in out["site_marks"].values()),
                     "planner_sites_changed": sum(len(v) for v in out["planner_sites"].values())}
    return out


def own_capacity_only(diff: dict | None, own: dict) -> dict | None:
    """``diff`` (:func:`diff_layers`' shape) with ``facilities.capacity`` holding only the changes of each facility's
    own capacity: ``own`` maps a facility type to the capacity columns that are its capacity (() for a type that
    counts none; a type not in ``own`` keeps every column). The change of another column the layer stores (the beds
    of a day-care centre, whose capacity is its day places) is a detail: listed under ``attributes``, the column named
    in the row's ``attributes`` and its values in ``other_capacity`` ([{field, before, after}]); the counts follow.
    In place, and returned (None as given). QA 33: a day-care file with 床位数 and no 日托位 was previewed as "37
    facilities with a changed capacity: unknown -> 25 beds" beside the note that their day places were kept."""
    fac = (diff or {}).get("facilities")
    if not isinstance(fac, dict) or not fac.get("capacity"):
        return diff
    keep, moved = [], {}
    for r in fac["capacity"]:
        ftype = str(r.get("facility_type"))
        if ftype not in own or r.get("field") in (own[ftype] or ()):
            keep.append(r)
        else:
            moved.setdefault(str(r.get("id")), []).append(r)
    if not moved:
        return diff
    fac["capacity"] = keep
    attrs = fac.setdefault("attributes", [])
    by_id = {str(r.get("id")): r for r in attrs}
    for fid, rows in moved.items():
        row = by_id.get(fid)
        if row is None:  # a facility whose only detail that changed is that column
            row = {k: v for k, v in rows[0].items() if k not in ("field", "before", "after")}
            row["attributes"] = []
            attrs.append(row)
            by_id[fid] = row
        for r in rows:
            if r.get("field") not in row["attributes"]:
                row["attributes"] = [*row["attributes"], r.get("field")]
            row["other_capacity"] = [*(row.get("other_capacity") or []),
                                     {"field": r.get("field"), "before": r.get("before"), "after": r.get("after")}]
    attrs.sort(key=lambda r: str(r.get("id")))  # in the order of ids, as diff_layers lists them
    counts = diff.get("counts")
    if isinstance(counts, dict):
        counts["facilities_capacity"] = len(keep)
        counts["facilities_attributes"] = len(attrs)
    return diff
