"""Hardening of the web face: CSRF, the Host allow-list, security headers, job owners.

Hooked into the app by ``install(app)`` (web/app.py, section "hardening").

CSRF is a double-submit token bound to the login: the token lives in an HttpOnly,
SameSite=Strict cookie, and every state-changing request must echo it in the
``X-CSRF-Token`` header (the page scripts read it from the page's ``cp-config``
block, web/static/common.js) or in a ``csrf_token`` form field (templates:
``{{ csrf_token() }}``). A page on another origin can neither read the cookie nor
the page, so it cannot echo the token. Without a login (the open localhost mode,
and the login form itself) the token is random; for a signed-in request it is an
HMAC of the login's session token (web/users.py, ``User.session``) under the
server's secret key, and a write is accepted only with that token: a cookie and
header set to any same value, or another login's token, are refused (QA 18).
The token therefore changes at login, at a password change (a new login) and at
logout; the pages get the new one with the next page, the login and password
answers of the JSON API carry it (``csrf``), and ``GET /api/csrf`` gives it.
On top of that, a request whose ``Origin`` (or, without it, ``Referer``) names
another origin is refused even with a valid token: SameSite does not separate
two ports of one host, the Origin check does.

One write passes without the token: a logout whose ``Origin`` (or ``Referer``) is this
server's own. A tab opened before the login changed elsewhere (a password change, a
logout and login in another tab) holds a stale token, and its 退出 / Log out button was
refused, leaving the session open on a shared office PC (QA 24); ending the session of
the cookie it comes with is all it can do, and another site still cannot ask it.
A refused form (the login page in two tabs, the password form after the login ended
elsewhere) is a page of the app in the reader's language saying what happened, with a
link to load the page again; a script gets its JSON 403 ``CSRFTokenMissing``.

The Host allow-list answers 400 to a request whose ``Host`` header is not one of
the server's names before any route runs, so a DNS-rebinding page (its own name
pointing at 127.0.0.1) cannot read the API through the planner's browser.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import socket
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, jsonify, request
from markupsafe import Markup, escape
from werkzeug.sansio.utils import host_is_trusted

from planner import i18n
from planner.textrules import escaped

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_COOKIE = "cp_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
LOOPBACK = ("localhost", "127.0.0.1", "::1")

#: Tile hosts per basemap (web/static/map.js draws from these): allowed as images only when configured.
TILE_HOSTS = {"osm": ("https://tile.openstreetmap.org",),
              "tianditu": ("https://*.tianditu.gov.cn",)}


def default_hosts(listen: str | None = None) -> list[str]:
    """Names a browser may use for this server: loopback, plus what ``coverplan serve`` listens on.

    Listening on every interface (0.0.0.0 / ::) adds the machine's own name and
    addresses, which is how colleagues on the intranet reach it; any other name
    (a DNS alias) is added with ``--allowed-host``.
    """
    hosts = list(LOOPBACK)
    if listen and listen not in ("0.0.0.0", "::", ""):
        hosts.append(listen)
    elif listen:
        try:
            name = socket.gethostname()
            hosts += [name, socket.getfqdn()]
            hosts += socket.gethostbyname_ex(name)[2]
        except OSError:  # no resolver on the machine: loopback and --allowed-host still work
            pass
    return list(dict.fromkeys(h.lower() for h in hosts if h))


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origin() -> str:
    return f"{request.scheme}://{request.host}".lower()


def _language() -> str:
    """The language of the request, chosen as every other answer's (web.auth.request_language: ?lang=,
    the cookie, Accept-Language, the server's --lang): these checks run before the language hook, and
    an English browser was refused in Chinese (QA 21)."""
    try:
        from web.auth import request_language  # (web.auth imports this module)

        return request_language()[0]
    except Exception:  # an app without the accounts' module set up: ?lang= and the cookie, as before
        return i18n.normalise(request.args.get("lang"), None) or i18n.normalise(request.cookies.get(i18n.COOKIE), "zh")


def _refuse(status: int, code: str, en: str, zh: str) -> Response:
    # the language hook may not have run yet (these checks come first)
    lang = _language()
    body = {"error": code, "message": en if lang == "en" else zh, "message_en": en, "message_zh": zh,
            "details": {"path": request.path[:200]}}
    if _wants_json():
        resp = jsonify(body)
    else:  # a plain page without templates: nothing on it depends on the refused request
        first, second = (en, zh) if lang == "en" else (zh, en)  # the reader's language first, the other below
        text = escape(first) + Markup("<br>") + escape(second)
        resp = Response(f"<!doctype html><html lang='{'en' if lang == 'en' else 'zh-CN'}'><meta charset='utf-8'>"
                        f"<title>{status}</title><p>{text}</p>", mimetype="text/html")
    resp.status_code = status
    return resp


# -- the hooks ----------------------------------------------------------------------------------
def check_host():
    allowed = [h.lower() for h in current_app.config.get("ALLOWED_HOSTS") or LOOPBACK]
    raw = (request.environ.get("HTTP_HOST") or request.environ.get("SERVER_NAME") or "").lower()
    if "*" in allowed or _trusted(raw, allowed):
        return None
    if not (request.environ.get("HTTP_HOST") or "").strip():
        # no Host header, or an empty one: the name refused was the server's own stand-in (waitress
        # says "waitress.invalid"), which the client never sent (QA 21)
        return _refuse(400, "HostNotAllowed",
                       "The request's Host header is empty or missing: this server answers only requests that name it "
                       "by one of its configured names (an administrator adds names with "
                       "`coverplan serve --allowed-host NAME`).",
                       "请求的 Host 请求头为空或缺失：本服务器只响应以已配置的地址访问的请求（管理员可用 "
                       "`coverplan serve --allowed-host 名称` 添加）。")
    name = escaped(raw[:100])
    return _refuse(400, "HostNotAllowed",
                   f"This server does not answer to the name “{name}”. Open it by one of its configured names "
                   "(an administrator adds names with `coverplan serve --allowed-host NAME`).",
                   f"本服务器不响应主机名“{name}”。请使用已配置的地址访问（管理员可用 "
                   "`coverplan serve --allowed-host 名称` 添加）。")


def _trusted(raw: str, allowed: list[str]) -> bool:
    if raw.startswith("["):  # an IPv6 literal, "[::1]:5000": werkzeug's helper cuts it at the first colon
        host = raw[1:raw.find("]")] if "]" in raw else ""
        return bool(host) and host in [h.strip("[]") for h in allowed]
    return host_is_trusted(raw, [h for h in allowed if ":" not in h])


def _signed_in_session() -> str | None:
    """The login token of the request's signed-in session (web/auth.py), None without one
    (open mode, not logged in, a session logged out or ended by a password change)."""
    if not current_app.config.get("AUTH_REQUIRED"):
        return None
    try:
        from flask_login import current_user

        u = current_user._get_current_object()
    except Exception:  # no login manager (an app without accounts): nothing to bind to
        return None
    if u is None or not getattr(u, "is_authenticated", False):
        return None
    session = getattr(u, "session", "")
    return session if isinstance(session, str) and session else None


def session_csrf_token(session: str) -> str:
    """The CSRF token of a login: an HMAC of its session token under the server's secret key."""
    key = str(current_app.config.get("SECRET_KEY") or "")
    mac = hmac.new(key.encode(), b"coverplan-csrf:" + session.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def csrf_token() -> str:
    """This browser's token: its login's (session_csrf_token) when signed in, else the random one
    made on its first request and kept in the cookie. Computed again when the login changed
    during the request (a login, a password change, a logout)."""
    session = _signed_in_session()
    made = getattr(g, "csrf_for", None)
    if made is not None and made[0] == session:
        return made[1]
    if session is not None:
        token = session_csrf_token(session)
    else:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        # only our own shape: a cookie planted with odd characters is replaced
        token = cookie if 20 <= len(cookie) <= 100 and cookie.replace("-", "").replace("_", "").isalnum() else None
        if token is None or (made is not None and made[0] is not None):
            token = secrets.token_urlsafe(32)  # no cookie yet, or just logged out: a fresh one
    g.csrf_for = (session, token)
    g.csrf_token = token
    return token


def check_csrf():
    if request.method in SAFE_METHODS or not current_app.config.get("CSRF_ENABLED", True):
        return None
    if request.routing_exception is not None:
        # no route takes this address and method, so nothing can be written: its own 404/405 says so (a POST to
        # /api/healthz read as a missing CSRF token before)
        return None
    origin = request.headers.get("Origin")
    referer = request.headers.get("Referer")
    # an empty Referer names no page (a proxy or a referrer policy may blank it): taken as absent, as a
    # missing one is; the Origin browsers send with a write, and the token, still guard the request.
    # It was refused as coming from "another site, “”" (QA 22)
    source = origin if origin is not None else (referer if referer and referer.strip() else None)
    if source is not None and not source.strip():
        # browsers never send an empty Origin ("null" is theirs for a page without one)
        return _refuse(403, "CrossOrigin",
                       "Refused: the request's Origin header is empty, so it cannot be told whether it came from "
                       "this system's pages. Send the request without an Origin header, or with this server's address.",
                       "已拒绝：请求的 Origin 请求头为空，无法确认请求来自本系统的页面。请不带 Origin 请求头发送，"
                       "或填写本服务器的地址。")
    if source is not None and _origin_of(source) != own_origin():
        shown = escaped(source[:100])  # quoted as every message quotes a value: “…”, not Python's '…'
        return _refuse(403, "CrossOrigin",
                       f"Refused: this request came from another site, “{shown}”, which may not change this "
                       "system's data.",
                       f"已拒绝：该请求来自其他网站“{shown}”，不能修改本系统的数据。")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sent = request.form.get(CSRF_FIELD)
    sent = str(sent or "")
    ok = bool(cookie) and bool(sent) and hmac.compare_digest(cookie.encode(), sent.encode())
    session = _signed_in_session() if ok else None
    if session is not None:  # signed in: only this login's token (not any value set in both places)
        expected = session_csrf_token(session)
        ok = hmac.compare_digest(expected.encode(), sent.encode())
        g.csrf_for = (session, expected)  # (a logout in this request then makes a fresh one)
    if not ok and request.endpoint == "auth.logout" and source is not None:
        # a logout from one of our own pages (its Origin or Referer is this server's, checked above) with a
        # stale token: it ends the session of the cookie it comes with, as the page's button says (QA 24)
        mine = _signed_in_session()
        if mine is not None:
            g.csrf_for = (mine, session_csrf_token(mine))  # (the logout then makes a fresh token)
        return None
    if not ok:
        en = ("Refused: this page's security token (CSRF) is missing from the request or invalid. "
              "Reload the page and try again.")
        zh = "已拒绝：请求缺少本页面的安全令牌（CSRF）或令牌无效。请刷新页面后重试。"
        if not _wants_json():
            page = _expired_form_page()
            if page is not None:
                return page
        return _refuse(403, "CSRFTokenMissing", en, zh)
    return None


#: The page a refused form gets (check_csrf): the app's layout, in the reader's language.
_EXPIRED_PAGE = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block main %}
<section class="card error auth-card" id="csrf-refused" role="alert">
  <h1>{{ title }}</h1>
  <p>{{ message }}</p>
  {% if who %}<p class="muted small" id="csrf-refused-who">{{ who }}</p>{% endif %}
  <p>{% for href, text, id in links %}{% if not loop.first %} · {% endif %}<a href="{{ href }}" id="{{ id }}">{{ text }}</a>{% endfor %}</p>
</section>
{% endblock %}"""

def _wants_json() -> bool:
    return (request.path.startswith(("/api/", "/charts/")) or request.is_json
            or "application/json" in request.headers.get("Accept", ""))


def _expired_form_page() -> Response | None:
    """The 403 page of a form whose token is stale (see check_csrf), or None when the page cannot be
    made (then the plain refusal)."""
    from flask import render_template_string, url_for

    lang = _language()

    def word(key: str, **kw) -> str:  # planner.i18n's csrf_form_* entries
        return i18n.t(f"csrf_form_{key}", lang, **kw)

    try:
        from web.auth import safe_next

        g.lang = getattr(g, "lang", None) or lang
        who, account = None, None
        if current_app.config.get("AUTH_REQUIRED"):
            from flask_login import current_user

            account = current_user._get_current_object() if current_user and current_user.is_authenticated else None
            g.user = account  # the header shows who is signed in, with a logout button that works
            who = word("signed_in", name=account.name) if account is not None else word("signed_out")
        # the page the form was on (the Referer is sent to our own pages: Referrer-Policy same-origin)
        referer = request.headers.get("Referer") or ""
        back = None
        if _origin_of(referer) == own_origin():
            parts = urlsplit(referer)
            back = safe_next(parts.path + ("?" + parts.query if parts.query else ""))
        if back is None or back == "/":
            back = {"auth.login": url_for("auth.login", next=safe_next(request.form.get("next"))),
                    "auth.password": url_for("auth.password")}.get(request.endpoint or "", back or "/")
        links = [(back, word("reload"), "csrf-reload")]
        if request.endpoint == "auth.login" and account is not None:  # signed in meanwhile, in another tab
            links.append((safe_next(request.form.get("next")), word("continue", name=account.name), "csrf-continue"))
        elif who is not None and account is None and urlsplit(back).path != url_for("auth.login"):
            links.append((url_for("auth.login", next=back), word("sign_in"), "csrf-sign-in"))
        html = render_template_string(_EXPIRED_PAGE, title=word("title"), message=word("message"), who=who,
                                      links=links)
    except Exception:  # a page that cannot be drawn (a broken region, templates): the plain refusal
        current_app.logger.exception("the expired-form page could not be drawn")
        return None
    resp = Response(html, status=403, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def csp(app: Flask, *, export: bool = False) -> str:
    """The Content-Security-Policy of the app's pages (or of a downloaded offline map).

    Scripts come only from our own server (no inline scripts, no eval), so a
    name stored as ``<script>`` cannot run even if a page forgot to escape it.
    Styles allow 'unsafe-inline': Leaflet and our legends set style attributes
    (positions, colour swatches); a style cannot run script.
    """
    if export:
        # The offline map is one self-contained folium file with inline scripts; it is sent as
        # an attachment and, should a browser show it from here, runs sandboxed (no cookies, no
        # access to this origin) and may fetch nothing.
        return ("sandbox allow-scripts allow-popups; default-src 'none'; script-src 'unsafe-inline'; "
                "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; frame-ancestors 'none'")
    img = ["'self'", "data:", "blob:", *TILE_HOSTS.get(app.config.get("BASEMAP") or "none", ())]
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src {' '.join(img)}; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def add_headers(resp: Response) -> Response:
    app = current_app
    is_export = resp.headers.get("Content-Disposition", "").startswith("attachment") and \
        resp.mimetype == "text/html"
    # report-only: violations are reported, not blocked (the XSS tests check escaping without this net)
    name = "Content-Security-Policy-Report-Only" if app.config.get("CSP_REPORT_ONLY") else "Content-Security-Policy"
    resp.headers[name] = csp(app, export=is_export)
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "same-origin"
    resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    # the cookie follows the token: made on a first page, changed at login, password change and logout
    made = getattr(g, "csrf_for", None)
    if made is not None or _signed_in_session() is not None:
        token = csrf_token()
        if token != request.cookies.get(CSRF_COOKIE):
            resp.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Strict", path="/",
                            secure=request.is_secure, max_age=30 * 86400)
    return resp


# -- per-user job limits ----------------------------------------------------------------------
def job_owner() -> str | None:
    """Whom a job counts against: the signed-in user, else the client's address."""
    try:
        user = getattr(g, "user", None)
        uid = getattr(user, "id", None)
        if uid is not None and uid != "local":  # "local": the open mode's one pseudo-user (web.users.LOCAL)
            return f"user:{uid}"
        return f"addr:{request.remote_addr or '?'}"
    except RuntimeError:  # no request (a job started by code, not a client): not limited per user
        return None


def install(app: Flask) -> None:
    """Register the hooks; the Host check runs before every other before_request hook."""
    if not app.config.get("ALLOWED_HOSTS"):
        hosts = default_hosts(app.config.get("LISTEN_HOST")) + list(app.config.get("EXTRA_ALLOWED_HOSTS") or [])
        app.config["ALLOWED_HOSTS"] = list(dict.fromkeys(h.lower() for h in hosts))
    app.config.setdefault("CSRF_ENABLED", True)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs.insert(0, check_host)
    funcs.insert(1, check_csrf)  # before every route and every other hook (which may write)
    app.after_request(add_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token

    jobs = app.extensions["coverplan"]["jobs"]
    jobs.owner_of = job_owner
    jobs.max_per_owner = int(app.config.get("MAX_JOBS_PER_USER", 2))
    jobs.wall_limit = float(app.config.get("SOLVE_TIME_LIMIT", 300)) * 1.5 + 30

    @app.get("/api/csrf")
    def csrf():
        """The token for scripts that post to the API (the cookie comes with this answer)."""
        return jsonify({"token": csrf_token(), "header": CSRF_HEADER, "field": CSRF_FIELD})
