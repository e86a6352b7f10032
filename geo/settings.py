"""One place for paths and defaults that several modules share.

Every value can be overridden by an environment variable so that a planner's
installation (or a test) can point coverplan elsewhere without code changes.
"""
from __future__ import annotations

import os
from pathlib import Path

#: Repository root (``geo/..``). The project is installed editable, so the
#: ``data/`` folder beside the packages is the one that ships.
PROJECT_DIR = Path(__file__).resolve().parent.parent

#: Shipped data: regions, facility types, plan rules.
DATA_DIR = Path(os.environ.get("COVERPLAN_DATA", PROJECT_DIR / "data"))

#: Caches (road graphs, OD matrices). Safe to delete.
CACHE_DIR = Path(os.environ.get("COVERPLAN_CACHE", PROJECT_DIR / "cache"))

#: Saved work (proposals) lives in an SQLite file here.
VAR_DIR = Path(os.environ.get("COVERPLAN_VAR", PROJECT_DIR / "var"))

#: Storage CRS of every layer (WGS84 lon/lat). Tianditu's CGCS2000 (EPSG:4490)
#: differs from it by under a metre, far below our approximation error.
STORAGE_CRS = "EPSG:4326"

#: Metric CRS for distances and areas: UTM zone 49N covers all of Shiyan
#: (108.9E-111.6E lies within 108E-114E).
METRIC_CRS = "EPSG:32649"

#: Default language of messages: "zh" (Chinese) or "en".
LANG = os.environ.get("COVERPLAN_LANG", "zh")

DEFAULT_REGION = "shiyan"

#: Processes that share a large contraction-hierarchy matrix (geo.router):
#: 0 = one per usable CPU core, 1 = never fork. The bindings hold Python's
#: GIL, so threads would not help; forked processes inherit the customised
#: hierarchy for free. Forking is skipped in a multi-threaded process (the web
#: server), where it is not safe.
ROUTER_PROCESSES = int(os.environ.get("COVERPLAN_ROUTER_PROCESSES", "0") or 0)
