"""Third-party browser assets served by our own server from installed packages.

Planners' desktops are often on an intranet without CDN access, so Leaflet
comes from the ``xstatic-leaflet`` wheel rather than unpkg.
"""
from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

bp = Blueprint("vendor", __name__)


def _leaflet_dir() -> str:
    import xstatic.pkg.leaflet as leaflet
    return leaflet.BASE_DIR


@bp.get("/static/vendor/leaflet/<path:filename>")
def leaflet(filename: str):
    if filename.endswith(".map"):  # source maps are 1 MB each and only for debugging
        abort(404)
    return send_from_directory(_leaflet_dir(), filename, max_age=86400)


def _markercluster_dir() -> str:
    import xstatic.pkg.leaflet_markercluster as mc
    return mc.BASE_DIR


@bp.get("/static/vendor/markercluster/<path:filename>")
def markercluster(filename: str):
    """Leaflet.markercluster (from ``xstatic-leaflet-markercluster``): large proposals stay readable."""
    if filename.endswith(".map"):
        abort(404)
    return send_from_directory(_markercluster_dir(), filename, max_age=86400)
