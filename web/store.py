"""Saved proposals and the job journal in SQLite (stdlib ``sqlite3``).

One row per proposal: its parameters, its summary (the planner's ``to_dict``)
and its sites as GeoJSON, so that a saved proposal reopens exactly as solved
even after the region data or the solver change. A new connection per call
keeps it safe across waitress threads and job threads.

Everything is written as standard JSON (web.safejson: no NaN/Infinity), and the
list tolerates a row that is not (written by an older version or by hand): it
is shown as damaged, can be deleted, and never takes the list down.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from web import safejson

SCHEMA = """
CREATE TABLE IF NOT EXISTS proposals (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    type_key    TEXT NOT NULL,
    created     REAL NOT NULL,
    params      TEXT NOT NULL,   -- JSON: model, p, standard, mode ...
    summary     TEXT NOT NULL,   -- JSON: Proposal.to_dict()
    geojson     TEXT NOT NULL    -- JSON FeatureCollection of the proposed sites
);
CREATE INDEX IF NOT EXISTS proposals_created ON proposals(created);
CREATE TABLE IF NOT EXISTS jobs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    params      TEXT NOT NULL,   -- JSON
    state       TEXT NOT NULL,
    created     REAL NOT NULL,
    finished    REAL,
    result      TEXT,            -- JSON
    error       TEXT             -- JSON
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created);
"""

#: Columns added after the first release (added in place on open).
_ADDED_COLUMNS = {"proposals": {"note": "TEXT NOT NULL DEFAULT ''", "updated": "REAL",
                                 # the account that saved it (web/auth.py); NULL for rows saved before accounts
                                 "owner": "TEXT",
                                 # who last renamed it or changed its note (``user:<id>``, ``name:<header>`` on an
                                 # open server, ``local``): a stale edit's 409 names him (QA 33)
                                 "updated_by": "TEXT",
                                 # the same per field: a 409 names who changed the field the page showed
                                 # otherwise, never the author of a change to the other one (QA 33)
                                 "name_updated": "REAL", "name_updated_by": "TEXT",
                                 "note_updated": "REAL", "note_updated_by": "TEXT"},
                   # whom a job counts against and when it began running: after a restart a job that was cut
                   # off is listed to whom started it, with its start (QA 27); ``seen``, the last time a running
                   # job was known to run (its records and web.jobs.HEARTBEAT), ``cut_off``, when a restart found
                   # it cut off, ``dismissed``, when its owner took it out of the list (QA 28)
                   "jobs": {"owner": "TEXT", "started": "REAL", "seen": "REAL", "cut_off": "REAL",
                            "dismissed": "REAL"}}

#: When and by whom a proposal's name and its note were last changed (:meth:`ProposalStore.update`), in its record.
FIELD_CHANGE_COLUMNS = ("name_updated", "name_updated_by", "note_updated", "note_updated_by")

#: Where the release of QA 27 kept a job's owner and start: in its params, under this key (read back still).
_LEGACY_JOB_KEY = "_job"


def _add_columns(con) -> None:
    """The columns added after the first release, added in place to an older database."""
    for table, cols in _ADDED_COLUMNS.items():
        have = {r["name"] for r in con.execute(f"PRAGMA table_info({table})")}
        for col, decl in cols.items():
            if col not in have:
                con.execute(f"ALTER TABLE {table} ADD COLUMN {col} {decl}")

#: Job journal rows kept (older ones are pruned).
JOBS_KEPT = 500

#: Test hook: "proposal" makes a proposal save stop after its INSERT, before the COMMIT, and
#: sleep, so tests/test_kill.py can kill the server with a half-written row in the database.
TEST_PAUSE_ENV = "COVERPLAN_STORE_TEST_PAUSE"
_PAUSE_S = 600


def _pause(point: str) -> None:
    if os.environ.get(TEST_PAUSE_ENV) == point:
        sys.stderr.write(f"coverplan-store: paused at {point}\n")
        sys.stderr.flush()
        time.sleep(_PAUSE_S)


def _dump(obj) -> str:
    return safejson.dumps(obj, ensure_ascii=False)


def _load(text, default=None):
    try:
        return json.loads(text) if text else default
    except (TypeError, ValueError):
        return default


@contextmanager
def _connection(path: Path):
    con = sqlite3.connect(path, timeout=10)
    con.row_factory = sqlite3.Row
    try:
        yield con
        con.commit()
    finally:
        con.close()


class ProposalStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        from geo.dbfile import private_dir
        private_dir(self.path.parent, narrow=False)  # 0700 when made here (QA 35); one given is the user's
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")  # readers never wait for a saving job
            con.executescript(SCHEMA)
            _add_columns(con)

    def _connect(self):
        return _connection(self.path)

    def add(self, *, name: str, type_key: str, params: dict, summary: dict, geojson: dict, note: str = "",
            owner: str | None = None) -> str:
        pid = uuid.uuid4().hex[:10]
        with self._connect() as con:
            con.execute("INSERT INTO proposals (id, name, type_key, created, params, summary, geojson, note, owner) "
                        "VALUES (?,?,?,?,?,?,?,?,?)",
                        (pid, name, type_key, time.time(), _dump(params), _dump(summary), _dump(geojson), note, owner))
            _pause("proposal")
        return pid

    @staticmethod
    def _head(r: sqlite3.Row) -> dict:
        params = _load(r["params"])
        head = {"id": r["id"], "name": r["name"], "type": r["type_key"], "created": r["created"],
                "params": params if isinstance(params, dict) else {}, "note": r["note"] or "",
                "updated": r["updated"], "owner": r["owner"]}
        if not isinstance(params, dict):
            head["damaged"] = True
        return head

    def list(self) -> list[dict]:
        """Every saved proposal's headline numbers, newest first.

        SQLite's JSON functions pick the few fields the list shows, so the
        full summaries and site collections are never parsed here; a row whose
        JSON is not valid comes back marked ``damaged`` instead of failing.
        """
        with self._connect() as con:
            rows = con.execute(
                "SELECT id, name, type_key, created, params, note, updated, owner, "
                "json_valid(summary) AND json_valid(geojson) AS ok, "
                "CASE WHEN json_valid(summary) THEN json_extract(summary, '$.before') END AS before, "
                "CASE WHEN json_valid(summary) THEN json_extract(summary, '$.after') END AS after, "
                "CASE WHEN json_valid(summary) THEN json_extract(summary, '$.kind') END AS kind, "
                "CASE WHEN json_valid(summary) THEN json_extract(summary, '$.role') END AS role, "
                # as web.proposals.synthetic_inputs reads one proposal: its GeoJSON's flag, else its summary's
                "COALESCE(CASE WHEN json_valid(geojson) THEN json_extract(geojson, '$.coverplan.synthetic_inputs') END, "
                "CASE WHEN json_valid(summary) THEN json_extract(summary, '$.synthetic_inputs') END) AS synthetic, "
                "CASE WHEN json_valid(geojson) THEN json_array_length(geojson, '$.features') END AS n_sites, "
                "CASE WHEN json_valid(geojson) THEN (SELECT group_concat(DISTINCT "
                "json_extract(f.value, '$.properties.county_code')) FROM json_each(geojson, '$.features') AS f) "
                "END AS counties "
                "FROM proposals ORDER BY created DESC").fetchall()
        out = []
        for r in rows:
            head = self._head(r)
            before, after = _load(r["before"], {}), _load(r["after"], {})
            if not r["ok"] or not isinstance(before, dict) or not isinstance(after, dict):
                head["damaged"] = True
            out.append({**head, "before": before if isinstance(before, dict) else {},
                        "after": after if isinstance(after, dict) else {}, "n_sites": int(r["n_sites"] or 0),
                        # location, sized or upgrade; an upgrade with a role is a conversion
                        "kind": r["kind"] if r["kind"] in ("sized", "upgrade") else "location",
                        "converted": bool(r["role"]),
                        # 示意: the list said nothing where one proposal and its downloads did (QA 29); a proposal saved
                        # before it was recorded rests on what is not known: illustrative
                        "synthetic_inputs": True if r["synthetic"] is None else bool(r["synthetic"]),
                        "counties": sorted(c for c in (r["counties"] or "").split(",") if c)})
        return out

    def get(self, pid: str) -> dict | None:
        with self._connect() as con:
            r = con.execute("SELECT * FROM proposals WHERE id = ?", (pid,)).fetchone()
        if r is None:
            return None
        summary, geojson = _load(r["summary"]), _load(r["geojson"])
        rec = {**self._head(r), "summary": summary if isinstance(summary, dict) else {},
               "geojson": geojson if isinstance(geojson, dict) else {"type": "FeatureCollection", "features": []},
               # (a database restored from before the column, while the server runs: not known)
               **{k: r[k] if k in r.keys() else None for k in ("updated_by", *FIELD_CHANGE_COLUMNS)}}
        if not isinstance(summary, dict) or not isinstance(geojson, dict):
            rec["damaged"] = True
        return rec

    def update(self, pid: str, *, name: str | None = None, note: str | None = None, by: str | None = None) -> bool:
        """Rename a proposal or change its note (the solve itself never changes); ``by``: who (``updated_by``, and
        per field changed ``name_updated_by`` / ``note_updated_by``, with its time)."""
        sets, args = [], []
        now = time.time()
        for col, value in (("name", name), ("note", note)):
            if value is not None:
                sets.append(f"{col} = ?, {col}_updated = ?, {col}_updated_by = ?")
                args.extend((value, now, by))
        if not sets:
            return self.get(pid) is not None
        with self._connect() as con:
            cur = con.execute(f"UPDATE proposals SET {', '.join(sets)}, updated = ?, updated_by = ? WHERE id = ?",
                              (*args, now, by, pid))
            return cur.rowcount > 0

    def delete(self, pid: str) -> bool:
        with self._connect() as con:
            cur = con.execute("DELETE FROM proposals WHERE id = ?", (pid,))
            return cur.rowcount > 0


class JobJournal:
    """What became of each background job, kept across restarts.

    Jobs run in memory; this table only lets a job that a restart cut off
    answer "interrupted" (with its parameters, so the page can offer a retry)
    instead of "not found".
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        from geo.dbfile import private_dir
        private_dir(self.path.parent, narrow=False)  # 0700 when made here (QA 35); one given is the user's
        with _connection(self.path) as con:
            con.executescript(SCHEMA)
            _add_columns(con)

    def record(self, job) -> None:
        # a running job's record is a time it was known to run
        seen = time.time() if job.state == "running" else None
        with _connection(self.path) as con:
            con.execute("INSERT OR REPLACE INTO jobs (id, kind, params, state, created, finished, result, error, "
                        "owner, started, seen, cut_off, dismissed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (job.id, job.kind, _dump(job.params), job.state, job.created, job.finished,
                         _dump(job.result), _dump(job.error), job.owner, job.started, seen,
                         getattr(job, "cut_off", None), getattr(job, "dismissed", None)))
            con.execute("DELETE FROM jobs WHERE id NOT IN (SELECT id FROM jobs ORDER BY created DESC LIMIT ?)",
                        (JOBS_KEPT,))

    def touch(self, job_id: str, when: float) -> None:
        """A running job still runs at ``when`` (web.jobs.HEARTBEAT)."""
        with _connection(self.path) as con:
            con.execute("UPDATE jobs SET seen = ? WHERE id = ? AND state = 'running'", (when, job_id))

    def dismiss(self, job_id: str, when: float) -> bool:
        """Mark an interrupted job dismissed: it is no longer listed, after a restart either."""
        with _connection(self.path) as con:
            cur = con.execute("UPDATE jobs SET dismissed = ? WHERE id = ? AND dismissed IS NULL", (when, job_id))
            return cur.rowcount > 0

    def interrupt_unfinished(self) -> int:
        """Mark jobs left queued or running by a previous process as interrupted: ``finished`` is the last time each
        was known to run (its last record or heartbeat, else its start), not the restart (the time the server was
        down is not the job's), and ``cut_off`` the time of the restart that found it so."""
        with _connection(self.path) as con:
            cur = con.execute("UPDATE jobs SET state = 'interrupted', cut_off = ?, "
                              "finished = MAX(COALESCE(seen, started, created), COALESCE(started, created)) "
                              "WHERE state IN ('queued', 'running')", (time.time(),))
            return cur.rowcount

    def cut_off_ids(self, since: float, limit: int = 200) -> list[str]:
        """The jobs a previous process left queued or running, and those found cut off after ``since``
        (a second restart must not hide them), newest first."""
        with _connection(self.path) as con:
            # found cut off (the restart's time; a row of an older release kept it as ``finished``), not dismissed
            rows = con.execute("SELECT id FROM jobs WHERE state IN ('queued', 'running') OR "
                               "(state = 'interrupted' AND COALESCE(cut_off, finished) > ? AND dismissed IS NULL) "
                               "ORDER BY created DESC LIMIT ?", (since, limit)).fetchall()
        return [r["id"] for r in rows]

    def get(self, job_id: str):
        from web.jobs import Job

        with _connection(self.path) as con:
            r = con.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if r is None:
            return None
        params = _load(r["params"], {})
        params = params if isinstance(params, dict) else {}
        legacy = params.pop(_LEGACY_JOB_KEY, None)  # a row the QA 27 release wrote
        legacy = legacy if isinstance(legacy, dict) else {}
        owner = r["owner"] if r["owner"] is not None else legacy.get("owner")
        started = r["started"] if r["started"] is not None else legacy.get("started")
        job = Job(id=r["id"], kind=r["kind"], params=params, state=r["state"],
                  result=_load(r["result"]), error=_load(r["error"]), created=r["created"], finished=r["finished"],
                  owner=owner if isinstance(owner, str) else None,
                  started=float(started) if isinstance(started, (int, float)) and not isinstance(started, bool)
                  else None, cut_off=r["cut_off"], dismissed=r["dismissed"])
        if job.state in ("queued", "running"):
            job.state = "interrupted"  # known to the journal but not to this process
            job.finished = None
        if job.state == "interrupted":
            if job.cut_off is None and job.finished is not None:
                # found cut off by an older release, which kept the restart's time as ``finished``
                job.cut_off, job.finished = job.finished, None
            if job.finished is None:  # the last time it was known to run: nothing better known than its start
                job.finished = r["seen"] if r["seen"] is not None else (job.started or job.created)
            job.finished = max(job.finished, job.started or job.created)
        return job


class ColumnMaps:
    """Column mappings a planner chose by hand, remembered per account and file shape.

    A bureau's registers come from the same Excel template year after year: once
    a planner has said which column holds what, the next file with the same
    headers is read the same way without asking again. Only his own: another
    planner's mapping (a swapped pair of columns) was applied to a colleague's file
    unasked (QA 18), while uploads are otherwise private to their uploader.
    """

    SCHEMA = """CREATE TABLE IF NOT EXISTS column_maps (
        signature TEXT PRIMARY KEY, kind TEXT NOT NULL, columns TEXT NOT NULL, mapping TEXT NOT NULL,
        updated REAL NOT NULL)"""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with _connection(self.path) as con:
            con.execute(self.SCHEMA)

    @staticmethod
    def signature(kind: str, columns: list[str], owner: str = "") -> str:
        import hashlib
        shape = kind + "\x1f" + "\x1f".join(sorted(str(c).strip().lower() for c in columns))
        if owner:
            shape = owner + "\x1e" + shape
        return hashlib.sha256(shape.encode("utf-8")).hexdigest()

    def get(self, kind: str, columns: list[str], owner: str = "") -> dict | None:
        with _connection(self.path) as con:
            r = con.execute("SELECT mapping, updated FROM column_maps WHERE signature = ?",
                            (self.signature(kind, columns, owner),)).fetchone()
        if r is None:
            return None
        mapping = _load(r["mapping"], {})
        return {"mapping": mapping, "updated": r["updated"]} if isinstance(mapping, dict) else None

    def put(self, kind: str, columns: list[str], mapping: dict, owner: str = "") -> None:
        with _connection(self.path) as con:
            con.execute("INSERT OR REPLACE INTO column_maps VALUES (?,?,?,?,?)",
                        (self.signature(kind, columns, owner), kind, _dump(list(columns)), _dump(mapping), time.time()))
