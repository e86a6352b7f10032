"""Application factory: ``create_app(config=None)``.

Config keys (all optional; pass a dict, e.g. from a test):

REGION        region key (default ``geo.settings.DEFAULT_REGION``)
LANG          default UI language, "zh" or "en" (default ``geo.settings.LANG``)
DB_PATH       SQLite file of saved proposals and data versions (default ``VAR_DIR/proposals.sqlite``)
DATA_DIR      data versions' layer files and pending uploads (default: the folder of DB_PATH)
BASEMAP       "none" (default: offline), "osm", or "tianditu"
TIANDITU_KEY  key for Tianditu tiles (only with BASEMAP="tianditu")
GRAPH         road graph (GraphML, .osm or .osm.pbf) for mode="network"; none by default
JOB_WORKERS   threads solving proposals in the background (default 1: the
              machine is shared, and HiGHS is itself multi-threaded)
MAX_QUEUED_JOBS  jobs waiting or running at once; more answer 503 "busy" (default 8)
MAX_WAITERS   requests allowed to hold a thread with ``?wait=`` at once (default 2;
              others get the 202 job answer at once, so the server stays responsive)
MAX_CONTENT_LENGTH  largest request body in bytes (default 20 MB; more answers 413)
MAX_NETWORK_UPLOAD  largest road-network extract uploaded on the Data page (default 200 MB)
MAX_FORM_MEMORY_SIZE  largest multipart text field in bytes (default: MAX_CONTENT_LENGTH, so that a
              field's own check answers for it, as for the same field urlencoded)
ALLOWED_HOSTS  names the server answers to (Host header); others get 400 (default: loopback
              names, the names of LISTEN_HOST (all of the machine's for 0.0.0.0) and
              EXTRA_ALLOWED_HOSTS, which ``coverplan serve --host/--allowed-host`` set)
MAX_JOBS_PER_USER  jobs queued or running per user (or client address) at once; more answer 429 (default 2)
SOLVE_TIME_LIMIT  seconds any solve may take (default 300; the form's time limit is capped by it)
CSRF_ENABLED  default True (see web/security.py); only a test of something else may turn it off
CSP_REPORT_ONLY  send the Content-Security-Policy as report-only (default False; tests of escaping)
AUTH          "open", "required" or "auto" (default: login required when LISTEN_HOST is
              beyond the loopback address; open otherwise); see web/auth.py
LISTEN_HOST   the address `coverplan serve` listens on (None: a test or an embedding: open)
SECRET_KEY    session key (default: random, kept in ``secret_key`` beside DB_PATH, mode 0600)
WARM          build the region layers now, not on the first request (default False;
              ``coverplan serve`` sets it so that the first page is fast)

The shared objects (service, store, jobs) are made by web/extensions.py; the
blueprints read them from there, so nothing imports this module but the faces
that start the app (``coverplan serve``, tests).
"""
from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from flask import Flask, g, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_compress import Compress
from werkzeug.exceptions import HTTPException

from geo import settings
from geo.errors import CoverplanError
from planner import i18n
from planner.palette import palette
from web import api, charts, data, pages, safejson, vendor
from web.auth import request_language
from web.errors import http_error, method_not_allowed, public, status_of
from web.extensions import ext, init_app


class JSONProvider(DefaultJSONProvider):
    """Standard JSON both ways (web.safejson): answers never carry NaN/Infinity,
    request bodies with them, with overflowing numbers or nested too deep are
    refused (400). Numpy scalars become plain numbers; Chinese stays readable
    (and 2x smaller)."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return safejson.dumps(obj, **kwargs)

    def loads(self, s, **kwargs):
        return safejson.loads_request(s)

    @staticmethod
    def default(o):
        if isinstance(o, np.integer):
            return int(o)
        if isinstance(o, np.floating):
            return float(o) if math.isfinite(o) else None
        if isinstance(o, np.bool_):
            return bool(o)
        if isinstance(o, np.ndarray):
            return o.tolist()
        if isinstance(o, Path):
            return str(o)
        return DefaultJSONProvider.default(o)


def _defaults(given: dict) -> dict:
    """create_app's defaults, from geo.settings and the environment; ``given``: the caller's config (a
    basemap given there is not read from the environment)."""
    return {
        "REGION": settings.DEFAULT_REGION,
        "LANG": i18n.normalise(settings.LANG),
        "DB_PATH": str(settings.VAR_DIR / "proposals.sqlite"),
        # OSM is osm; junk refused when the app is made, not shown as maps without a background (QA 22),
        # unless the caller gives the basemap (serve --basemap osm)
        "BASEMAP": given["BASEMAP"] if "BASEMAP" in given else settings.basemap_env(),
        "TIANDITU_KEY": os.environ.get("COVERPLAN_TIANDITU_KEY", "").strip(),  # a pasted key's newline: no tiles
        "GRAPH": os.environ.get("COVERPLAN_GRAPH") or None,
        "JOB_WORKERS": 1,
        "MAX_QUEUED_JOBS": 8,
        "MAX_WAITERS": 2,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "MAX_NETWORK_UPLOAD": 200 * 1024 * 1024,
        "JSON_SORT_KEYS": False,
        "WARM": False,
    }


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.json = JSONProvider(app)
    app.config.update(_defaults(config or {}))
    app.config.update(config or {})
    if "MAX_FORM_MEMORY_SIZE" not in (config or {}):
        # a multipart text field may be as large as the body (werkzeug's 500 KB made a 600 KB name a 413 "too many
        # fields", QA 36): the field's own check then says what is wrong with it ("at most 80 characters"), as for
        # the same field urlencoded, which no such limit applies to; the body limit still bounds the memory
        app.config["MAX_FORM_MEMORY_SIZE"] = app.config.get("MAX_CONTENT_LENGTH")

    # JSON layers and pages gzip/brotli-compressed (Flask-Compress): the day-care map
    # layers go from about 1 MB to under 200 KB on a slow county intranet link.
    app.config.setdefault("COMPRESS_MIMETYPES", ["application/json", "text/html", "text/css", "text/javascript",
                                                 "application/javascript", "image/svg+xml", "text/csv",
                                                 "application/geo+json"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    Compress(app)

    shared = init_app(app)
    if app.config["WARM"]:
        # Building the region (first run) and its light GeoJSON takes a few seconds.
        shared["service"].region_layers()

    app.register_blueprint(vendor.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(charts.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(data.bp)

    # -- app: accounts --
    # Logins, roles and the audit log (web/auth.py): sets g.user on every request and
    # refuses what the user's role may not do; open (no login) unless AUTH or LISTEN_HOST say otherwise.
    from web import auth
    auth.init_app(app)
    # a job saves nothing for an account that may no longer make it: made a viewer, or moved to another county
    # while it ran (web.jobs.rights_check, asked at the save's commit point; QA 33)
    from web.jobs import rights_check
    shared["jobs"].owner_rights = rights_check(shared["users"])
    # -- end app: accounts --

    # -- app: hardening --
    # CSRF token + Origin check, Host allow-list, security headers, per-user job limits
    # (web/security.py; config ALLOWED_HOSTS, MAX_JOBS_PER_USER, SOLVE_TIME_LIMIT, CSRF_ENABLED).
    from web import security
    security.install(app)
    # -- end app: hardening --
    from web import params
    params.install(app)
    from planner.facility_types import default_k
    app.jinja_env.globals["default_k"] = default_k  # the K forms show: the plan's target for it

    @app.before_request
    def choose_language():
        g.lang, g.lang_asked = request_language()

    @app.after_request
    def remember_language(resp):
        if getattr(g, "lang_asked", None):
            resp.set_cookie(i18n.COOKIE, g.lang_asked, max_age=365 * 86400, samesite="Lax", httponly=True)
        resp.vary.update(("Cookie", "Accept-Language"))  # the same address reads in either language
        return resp

    @app.context_processor
    def inject():
        lang = getattr(g, "lang", app.config["LANG"])
        args = request.args.to_dict()
        args["lang"] = "zh" if lang == "en" else "en"
        try:
            types = ext(app)["service"].types()
        except CoverplanError:  # a broken types file: the error page itself must still render
            types = {}
        nav_types = list(types.values())
        return {"lang": lang, "_": lambda key, **kw: i18n.t(key, lang, **kw), "pick": i18n.pick,
                "cost": lambda v, unit: i18n.cost_text(v, unit, lang),
                "cost_weight_note": lambda key: _cost_weight_note(types.get(key), lang),
                "solver_gap": lambda solver: i18n.solver_gap_text(solver, lang),
                "headline": lambda p: _headline(p, lang), "share": _share,
                "lang_query": urlencode(args), "i18n_js": i18n.catalogue(lang), "nav_types": nav_types,
                "basemap": {"kind": app.config["BASEMAP"], "key": app.config["TIANDITU_KEY"]},
                "palette": palette(types), "data_version": _data_version(), "on_current": _on_current}

    def _cost_weight_note(ft, lang: str) -> str:
        # what the mean and 90th-percentile costs are weighted by (people aged 60+ ...); "" for an unknown type
        key = f"cost_weight_{getattr(ft, 'weight', '')}"
        return i18n.t("cost_weight_note", lang, w=i18n.t(key, lang)) if ft and i18n.t(key, lang) != key else ""

    def _share(x) -> str:
        return i18n.share_text(x)  # "99.96%", never a rounded-up "100.0%"

    def _headline(p: dict, lang: str):
        from web.proposals import headline  # a proposal's parameters and before/after rows
        return headline(p, lang)

    def _on_current(version) -> bool:
        # a proposal on v0 is on the current data when the current v2 is a rollback to v0 (QA 22)
        try:
            return ext(app)["service"].is_current(version)
        except Exception:  # as the badge: never takes a page down; then only the same number is current
            return (version or 0) == _data_version()

    def _data_version() -> int:
        try:
            return ext(app)["service"].version()
        except Exception:  # the version badge must never take a page (or the error page) down
            return 0

    def wants_json() -> bool:
        # charts are fetched by <img>/scripts: a JSON error is more useful to them than a page
        # and a script's JSON request to a page's address (a JSON login): a JSON answer, as it asked
        # the plan package's table download answers as its API twin (/api/targets) does (QA 21)
        # a download outside /api (csv, xlsx ...) too: its refusal is the API's JSON, not a page saved as the file
        return (request.path.startswith(("/api/", "/charts/", "/plan/targets.")) or request.path == "/healthz"
                or (request.path.lower().endswith(auth.DOWNLOAD_SUFFIXES) and not request.path.startswith("/static/"))
                or request.is_json
                or request.accept_mimetypes.best == "application/json")

    @app.errorhandler(CoverplanError)
    def coverplan_error(exc: CoverplanError):
        lang = getattr(g, "lang", "zh")
        status = status_of(exc)
        if status == 403:  # beyond the account's rights: the administrator's audit log says who tried what
            from web.auth import audit_refusal
            audit_refusal(exc.message("en"), exc.message("zh"))
        secrets = _csrf_tokens()  # never echoed: a refused field csrf_token="..." quoted the token (QA 33)
        if wants_json():
            return jsonify(_without_tokens(public(exc.to_dict(lang)), secrets)), status
        return render_template("error.html", title=i18n.t("error", lang),
                               message=_without_tokens(exc.message(lang), secrets), status=status), status

    @app.after_request
    def refuse_unread_parameters(resp):
        # registered after security's hook, so it runs before it: the 400 gets the same headers
        if resp.status_code < 400 and (refused := params.unread_error()) is not None:
            return app.make_response(coverplan_error(refused))
        return resp

    @app.errorhandler(HTTPException)
    def http_exception(exc: HTTPException):
        lang = getattr(g, "lang", "zh")
        # never English in message_zh: a code without words of its own (416 of a Range past the file's end was
        # "Requested Range Not Satisfiable", QA 36) says its number in Chinese
        zh = HTTP_ZH.get(exc.code) or f"请求无法完成（HTTP {exc.code}）。"
        if exc.code == 413:
            # the limit of this request (the network upload raises it for itself)
            limit = request.max_content_length or app.config.get("MAX_CONTENT_LENGTH") or 0
            size = request.content_length
            field_limit = request.max_form_memory_size
            if size is not None and limit and size <= limit and field_limit and size > field_limit:
                # under the body's limit, over a multipart text field's: werkzeug says not which of its two limits
                # it met (one field over max_form_memory_size, or more parts than max_form_parts), so both are
                # named, the field first (QA 36: a 600 KB name was "too many fields or files")
                parts = request.max_form_parts
                zh = (f"表单中有文本字段超过 {_size_words(field_limit)} 的上限"
                      + (f"（或表单的字段和文件超过 {parts} 个）" if parts else "")
                      + "。请缩短该字段，或将长文本作为文件上传；每次上传一个文件及其选项即可。")
                exc.description = (f"A form field is larger than the limit of {_size_words(field_limit)} for a "
                                   "text field" + (f" (or the form has more than {parts} fields and files)" if parts
                                                   else "")
                                   + ". Shorten it, or send long text as a file; upload one file with its options "
                                     "at a time.")
            elif size is not None and limit and size <= limit:
                # under the size limit, and no text field can be over its limit in a body this small: werkzeug's
                # limit on the number of form parts (max_form_parts)
                zh = "表单的字段或文件过多。每次上传一个文件及其选项即可。"
                exc.description = "The form has too many fields or files; upload one file with its options at a time."
            else:
                # (a zipped CSV is not read, and a layer is replaced whole, so "compress or split" was
                # advice that does not work: these do)
                from geo.datasets import MAX_SOURCE_BYTES
                cli_mb = MAX_SOURCE_BYTES // 2**20
                if request.args.get("kind") == "network":
                    zh = (f"路网文件过大（上限 {limit / 1048576:.0f} MB）。请只导出本市范围的道路，或改用 .osm.pbf 格式"
                          "（通常约为 .osm 的十分之一）。")
                    exc.description = (f"The road network file is larger than the limit of {limit / 1048576:.0f} MB. "
                                       "Export only this city's roads, or save it as .osm.pbf (usually about a tenth "
                                       "of the .osm).")
                else:
                    zh = (f"请求内容过大（上限 {limit / 1048576:.0f} MB）。请只保留本地区的记录和所需的列，或另存为 .xlsx"
                          f"（通常比 CSV 小）；也可在服务器上用命令 coverplan data import 导入（上限 {cli_mb} MB）。")
                    exc.description = (f"The request body is larger than the limit of {limit / 1048576:.0f} MB. Keep "
                                       "only this region's rows and the columns needed, or save the table as .xlsx "
                                       "(usually smaller than CSV); or import it on the server with coverplan data "
                                       f"import (at most {cli_mb} MB).")
        # a 405's Allow header (werkzeug's exception has it; the answer made here dropped it), and its message names
        # the method sent and the ones to use, where it said only "The method is not allowed" (QA 35)
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() == "allow"]
        allowed = None
        if exc.code == 405 and (said := method_not_allowed(request.method, getattr(exc, "valid_methods", None))):
            exc.description, zh, allowed = said
        if wants_json():
            details = {"path": request.path}
            if exc.code == 413:  # the limit in bytes, as API.md says every 413 gives it
                details["limit"] = int(request.max_content_length or app.config.get("MAX_CONTENT_LENGTH") or 0)
                if request.max_form_memory_size:  # a multipart text field's limit (MAX_FORM_MEMORY_SIZE)
                    details["field_limit"] = int(request.max_form_memory_size)
            if allowed:
                details.update(method=request.method, allowed=allowed)
            body = http_error(exc.code, exc.name.replace(" ", ""), exc.description or exc.name, zh, lang, details)
            return jsonify(body), exc.code, headers
        return render_template("error.html", title=i18n.t("error", lang), status=exc.code,
                               message=zh if lang == "zh" else (exc.description or exc.name)), exc.code, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # A bug must not show a stack trace to the client, and must still speak Chinese.
        if isinstance(exc, HTTPException):
            return http_exception(exc)
        logging.getLogger("coverplan.web").exception("unhandled error on %s", request.path)
        lang = getattr(g, "lang", "zh")
        en = "Internal error: the request could not be completed. It has been logged; please try again."
        zh = "服务器内部错误：请求未能完成，已记录日志，请稍后重试或联系管理员。"
        if wants_json():
            return jsonify(http_error(500, "InternalError", en, zh, lang, {"path": request.path})), 500
        return render_template("error.html", title=i18n.t("error", lang), status=500,
                               message=zh if lang == "zh" else en), 500

    return app


#: What a CSRF token is written as where an error would have quoted it.
HIDDEN_TOKEN = "…"


def _csrf_tokens() -> list[str]:
    """The CSRF tokens this request carries or was given (web/security.py: its header, cookie, form field or JSON
    key, and this login's token), longest first: an error never quotes one (a refused form field csrf_token echoed
    it, QA 33). Short values are no token (a hidden "a" would blank every a of the message)."""
    from web.security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER

    found: list = []
    try:
        found += [request.headers.get(CSRF_HEADER), request.cookies.get(CSRF_COOKIE), getattr(g, "csrf_token", None)]
        found.append((getattr(g, "csrf_for", None) or (None, None))[1])
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            found += request.form.getlist(CSRF_FIELD)
        body = request.get_json(silent=True) if request.is_json else None
        if isinstance(body, dict):
            found.append(body.get(CSRF_FIELD))
    except Exception:  # a body that cannot be read again (over a limit): what was read is enough
        pass
    return sorted({t for t in found if isinstance(t, str) and len(t) >= 8}, key=len, reverse=True)


def _without_tokens(value, secrets: list[str]):
    """``value`` (an error answer, its details, a message) with every CSRF token in ``secrets`` written as
    :data:`HIDDEN_TOKEN`, and the value of a refused ``csrf_token`` parameter hidden whatever it is."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, HIDDEN_TOKEN)
        return value
    if isinstance(value, dict):
        out = {k: _without_tokens(v, secrets) for k, v in value.items()}
        if out.get("parameter") == "csrf_token" and "value" in out:
            out["value"] = HIDDEN_TOKEN
        return out
    if isinstance(value, list):
        return [_without_tokens(v, secrets) for v in value]
    return value


def _size_words(n: int) -> str:
    """A byte limit as a reader says it: 20 MB, 500 KB."""
    if n >= 1048576:
        mb = n / 1048576
        return f"{mb:.0f} MB" if mb >= 10 or mb == int(mb) else f"{mb:.1f} MB"
    return f"{max(1, n // 1024)} KB"


#: Chinese texts for the HTTP errors Flask and werkzeug raise themselves: every code of
#: werkzeug.exceptions.default_exceptions (a code not here says its number in Chinese, web/app.py http_exception).
HTTP_ZH = {400: "请求无效。", 401: "需要登录或身份验证。", 403: "无权访问该地址。", 404: "未找到该地址。",
           405: "不支持该请求方法。", 406: "无法以请求所要求的格式提供内容。", 408: "请求超时，请重试。",
           409: "请求与服务器上的当前状态冲突。", 410: "该地址已不再提供。", 411: "请求缺少内容长度（Content-Length）。",
           412: "请求的前提条件不成立。", 413: "请求内容过大。", 414: "请求地址过长。", 415: "不支持的内容类型。",
           416: "请求的文件范围（Range）无效或超出文件大小。", 417: "无法满足请求头 Expect 的要求。",
           418: "服务器拒绝了该请求。", 421: "请求发到了不负责该地址的服务器。", 422: "请求的内容无法处理。",
           423: "该资源已被锁定。", 424: "所依赖的请求失败，本请求无法完成。", 428: "请求须附带前提条件（如 If-Match）。",
           429: "请求过于频繁，请稍后再试。", 431: "请求头过大。", 451: "因法律原因无法提供该内容。",
           500: "服务器内部错误：请求未能完成，已记录日志，请稍后重试或联系管理员。", 501: "服务器不支持该功能。",
           502: "上游服务器的应答无效。", 503: "服务器繁忙，请稍后再试。", 504: "上游服务器应答超时。",
           505: "不支持该 HTTP 版本。"}
