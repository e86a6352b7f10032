"""The JSON API behind every page (documented in web/API.md)."""
from __future__ import annotations

import time

from flask import Blueprint, g, jsonify, request

from web import exports
from web.app import ext
from web.errors import bad_param
from web.service import planner_ready

MODES = ("estimate", "network")

bp = Blueprint("api", __name__, url_prefix="/api")
health = Blueprint("health", __name__)


def svc():
    return ext()["service"]


@bp.get("/region")
def region():
    s = svc()
    info = s.region_summary()
    return jsonify({**info, "provenance_full": s.region.provenance})


@bp.get("/region/layers")
def region_layers():
    return jsonify(svc().region_layers())


@bp.get("/types")
def types():
    s = svc()
    return jsonify([s.type_dict(ft, g.lang) for ft in s.types().values()])


@bp.get("/types/<key>")
def one_type(key: str):
    s = svc()
    return jsonify(s.type_dict(s.get_type(key), g.lang))


@bp.get("/healthz")
def healthz_api():
    return healthz()


def healthz():
    s = svc()
    return jsonify({"status": "ok", "region": s.region_name, "planner": planner_ready(),
                    "time": time.time()})


# -- parameters ------------------------------------------------------------
def arg_choice(name: str, allowed, default=None):
    value = request.args.get(name, default)
    if value in (None, "") and default is None:
        return None
    if value not in allowed:
        raise bad_param(name, value, "one of " + ", ".join(map(str, allowed)), "以下之一：" + "、".join(map(str, allowed)))
    return value


def arg_mode() -> str:
    return arg_choice("mode", MODES, "estimate")


def arg_county():
    value = request.args.get("county")
    if not value:
        return None
    c = svc().region.counties
    if value not in set(c["code"]) | set(c["name"]):
        raise bad_param("county", value, "a county code or name (" + ", ".join(c["code"]) + ")",
                        "县区代码或名称（" + "、".join(c["name"]) + "）")
    return value


def arg_bool(name: str) -> bool:
    value = request.args.get(name, "0").lower()
    if value not in ("0", "1", "true", "false", "yes", "no"):
        raise bad_param(name, value, "0 or 1", "0 或 1")
    return value in ("1", "true", "yes")


# -- coverage --------------------------------------------------------------
@bp.get("/coverage")
def coverage_all():
    return jsonify(svc().coverage_rows(g.lang))


@bp.get("/coverage/<type_key>")
def coverage(type_key: str):
    return jsonify(svc().coverage_dict(type_key, g.lang, units=arg_bool("units"), mode=arg_mode()))


@bp.get("/coverage/<type_key>/layers")
def coverage_layers(type_key: str):
    return jsonify(svc().coverage_layers(type_key, g.lang, mode=arg_mode()))


# -- township checklist ----------------------------------------------------
def _township_query() -> dict:
    s = svc()
    type_key = request.args.get("type") or None
    if type_key:
        s.get_type(type_key)  # 404 with the known types listed
    return {"type_key": type_key, "county": arg_county(),
            "status": arg_choice("status", ("met", "not_met", "na"))}


@bp.get("/townships")
def townships():
    return jsonify(svc().township_rows(g.lang, **_township_query()))


@bp.get("/townships.<fmt>")
def townships_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise bad_param("format", fmt, "csv or xlsx", "csv 或 xlsx")
    rows = svc().township_rows(g.lang, **_township_query())
    return exports.table_response(rows, exports.TOWNSHIP_COLUMNS, fmt, "townships", g.lang)


# -- targets ---------------------------------------------------------------
@bp.get("/targets")
def targets():
    return jsonify(svc().targets(g.lang))
