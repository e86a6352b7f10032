"""The app's shared objects, in their own module (the usual Flask layout).

One dict per app, under ``app.extensions["coverplan"]``: the region service,
the proposal store, the job runner and the semaphore limiting requests that
wait for a job. Blueprints read it with :func:`ext` from here, never from
web/app.py: the app factory imports the blueprints, so a blueprint importing
the factory's module would close an import circle.
"""
from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from geo.datasets import DatasetStore

from web.jobs import JobRunner
from web.service import Service
from web.store import ColumnMaps, JobJournal, ProposalStore

KEY = "coverplan"


def init_app(app: Flask) -> dict:
    """Create the shared objects from ``app.config`` and attach them to ``app``."""
    cfg = app.config
    # the planner's data versions share the app's database file (geo.datasets)
    # (files beside the database: a test's temporary database keeps its files with it)
    data_dir = Path(cfg.get("DATA_DIR") or Path(cfg["DB_PATH"]).parent)
    cfg["DATA_DIR"] = str(data_dir)
    datasets = DatasetStore(cfg["DB_PATH"], region=cfg["REGION"], root=data_dir / "datasets" / cfg["REGION"])
    app.extensions[KEY] = {
        "datasets": datasets,
        "service": Service(cfg["REGION"], cfg["GRAPH"], datasets=datasets),
        "store": ProposalStore(cfg["DB_PATH"]),
        "column_maps": ColumnMaps(cfg["DB_PATH"]),
        "jobs": JobRunner(workers=int(cfg["JOB_WORKERS"]), max_active=int(cfg["MAX_QUEUED_JOBS"]),
                          journal=JobJournal(cfg["DB_PATH"])),
        "waiters": threading.BoundedSemaphore(max(1, int(cfg["MAX_WAITERS"]))),
    }
    return app.extensions[KEY]


def ext(app: Flask | None = None) -> dict:
    """The shared objects of ``app`` (default: the app handling the current request)."""
    return (app or current_app).extensions[KEY]
