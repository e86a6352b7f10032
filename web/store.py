"""Saved proposals in SQLite (stdlib ``sqlite3``).

One row per proposal: its parameters, its summary (the planner's ``to_dict``)
and its sites as GeoJSON, so that a saved proposal reopens exactly as solved
even after the region data or the solver change. A new connection per call
keeps it safe across waitress threads and job threads.
"""
from __future__ import annotations

import json
import sqlite3
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

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
"""


class ProposalStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(SCHEMA)

    @contextmanager
    def _connect(self):
        con = sqlite3.connect(self.path, timeout=10)
        con.row_factory = sqlite3.Row
        try:
            yield con
            con.commit()
        finally:
            con.close()

    def add(self, *, name: str, type_key: str, params: dict, summary: dict, geojson: dict) -> str:
        pid = uuid.uuid4().hex[:10]
        with self._connect() as con:
            con.execute("INSERT INTO proposals VALUES (?,?,?,?,?,?,?)",
                        (pid, name, type_key, time.time(), json.dumps(params, ensure_ascii=False),
                         json.dumps(summary, ensure_ascii=False), json.dumps(geojson, ensure_ascii=False)))
        return pid

    @staticmethod
    def _head(r: sqlite3.Row) -> dict:
        return {"id": r["id"], "name": r["name"], "type": r["type_key"], "created": r["created"],
                "params": json.loads(r["params"])}

    def list(self) -> list[dict]:
        """Every saved proposal's headline numbers, newest first.

        SQLite's JSON functions pick the few fields the list shows, so the
        full summaries and site collections are never parsed here.
        """
        with self._connect() as con:
            rows = con.execute(
                "SELECT id, name, type_key, created, params, "
                "json_extract(summary, '$.before') AS before, json_extract(summary, '$.after') AS after, "
                "json_array_length(geojson, '$.features') AS n_sites "
                "FROM proposals ORDER BY created DESC").fetchall()
        return [{**self._head(r), "before": json.loads(r["before"] or "{}"),
                 "after": json.loads(r["after"] or "{}"), "n_sites": int(r["n_sites"] or 0)} for r in rows]

    def get(self, pid: str) -> dict | None:
        with self._connect() as con:
            r = con.execute("SELECT * FROM proposals WHERE id = ?", (pid,)).fetchone()
        if r is None:
            return None
        return {**self._head(r), "summary": json.loads(r["summary"]), "geojson": json.loads(r["geojson"])}

    def delete(self, pid: str) -> bool:
        with self._connect() as con:
            cur = con.execute("DELETE FROM proposals WHERE id = ?", (pid,))
            return cur.rowcount > 0
