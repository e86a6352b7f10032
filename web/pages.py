"""HTML pages. They render a frame; the maps and tables fill in from the JSON API,
so everything a page shows is also reachable without the browser."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, g, render_template, request, url_for

from geo.errors import CoverplanError
from web.app import ext

bp = Blueprint("pages", __name__)


def svc():
    return ext()["service"]


@bp.get("/healthz")
def healthz():
    from web.api import healthz as api_healthz
    return api_healthz()


@bp.get("/")
def overview():
    s = svc()
    info = s.region_summary()
    return render_template("overview.html", active="overview", info=info,
                           provenance=s.region.provenance.get("layers", {}))


@bp.get("/api-doc")
def api_doc():
    text = (Path(__file__).parent / "API.md").read_text("utf-8")
    return render_template("api_doc.html", active="api", text=text)


@bp.get("/map/<type_key>")
def coverage_map(type_key: str):
    s = svc()
    ft = s.get_type(type_key)
    mode = request.args.get("mode", "estimate")
    cov = s.coverage_dict(ft.key, g.lang, mode=mode if mode in ("estimate", "network") else "estimate")
    township = request.args.get("township") or ""
    if township and township not in s.region.townships.index:
        township = ""  # an unknown code just shows the whole city
    return render_template("map.html", active="map", ft=ft, cov=cov, township=township,
                           layers_url=url_for("api.coverage_layers", type_key=ft.key, lang=g.lang))


@bp.get("/townships")
def townships():
    s = svc()
    return render_template("townships.html", active="townships", types=list(s.types().values()),
                           counties=s.region.counties[["code", "name"]].to_dict("records"),
                           sel={k: request.args.get(k, "") for k in ("type", "county", "status")})


@bp.get("/proposals")
def proposals():
    s = svc()
    return render_template("proposals.html", active="proposals", types=list(s.types().values()),
                           sel_type=request.args.get("type", ""))
