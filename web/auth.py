"""Accounts on a shared bureau server: login, roles, county limits and the audit log.

Modes (config ``AUTH``): ``"open"`` (no login; everyone is the local admin, as
on a planner's own desk), ``"required"`` (every page and API call needs a
login), ``"auto"`` (the default: required when the server listens beyond the
loopback address, ``LISTEN_HOST`` set by ``coverplan serve``; open otherwise,
so ``make run`` on 127.0.0.1 opens straight into the app).

Every request gets ``g.user`` (``.id``, ``.name``, ``.role``, ``.county``;
county None = the whole city). The role rule is enforced here, in one place,
for every state-changing request: a viewer may change nothing, admin pages
need an admin. A route added later is covered without anyone remembering to
decorate it. What depends on the request's content (the county of a point, the
owner of a proposal) is checked by the views through the helpers below
(``require_county``, ``scope_proposal``, ``may_manage_proposal`` ...), which
answer 403 with a message in the user's language naming the county.

Sessions are Flask-Login's, in Flask's signed cookie; the session id carries
the password stamp, so a password change, a reset or disabling the account
ends every older session at once. Such a login's next request is told why
(401 AccountDisabled, PasswordReset...: ``ENDED_CODES``), its own cookie only.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import logging
import secrets
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import LoginManager, login_user, logout_user

from geo.errors import InputDataError, listed
from planner.i18n import LANGS, normalise, t, COOKIE
from planner import textrules
from web.errors import Forbidden, bad_param, json_object, no_body, public, refuse_unknown, shown_value, status_of
from web.extensions import ext
from web.security import csrf_token
from web.users import (LOCAL, MAX_NAME, AccountConflict, AccountDisabled, AccountError, AddressLocked, Locked, User,
                        UserStore, check_role)
# the audit log in words lives with the log (`coverplan users audit` prints it too, QA 34); named here as before
from web.users import (AUDIT_ACTORS, CLI_ACTOR, EDIT_WORDS, JOB_KIND_WORDS, LOCAL_ACTOR, MARK_WORDS,  # noqa: F401
                        PLAIN_WORDS, actor_text, audit_detail_words)

log = logging.getLogger("coverplan.auth")
bp = Blueprint("auth", __name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
#: Endpoints anyone may reach without a login (the login page needs its styles).
PUBLIC = {"auth.login", "auth.logout_page", "static", "pages.healthz", "api.healthz_api", "csrf"}  # csrf: a script asks before it logs in (the login page has the token too)
#: State-changing endpoints every signed-in user may use on his own account.
SELF_SERVICE = {"auth.login", "auth.logout", "auth.logout_page", "auth.password"}
#: Who may do what, shown on the admin page and sent to the browser.
RIGHTS = {"viewer": ("view",), "planner": ("view", "edit"), "admin": ("view", "edit", "admin")}


# -- set-up ------------------------------------------------------------------------------------
def auth_required(cfg) -> bool:
    """Whether viewing needs a login under this configuration."""
    mode = (cfg.get("AUTH") or "auto").lower()
    if mode not in ("open", "required", "auto"):
        raise ValueError(f"AUTH must be open, required or auto (got {mode!r})")
    if mode != "auto":
        return mode == "required"
    host = cfg.get("LISTEN_HOST")
    return bool(host) and not is_loopback(host)


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything, so treat it as reachable


def _secret_key(db_path: str) -> str:
    """The session key, kept in a file beside the database (mode 0600) so sessions survive a restart."""
    path = Path(db_path).parent / "secret_key"
    from geo.dbfile import narrow_to_owner, private_dir, private_opener
    private_dir(path.parent, narrow=False)  # 0700 when made here (QA 35); one given is the user's
    narrow_to_owner(path)  # a key written 0644 by an older version: the owner's alone before it is used again
    try:
        key = path.read_text("ascii").strip()
        if len(key) >= 32:
            return key
    except (OSError, UnicodeDecodeError):
        pass
    key = secrets.token_hex(32)
    # created with 0600 from the start: never readable by others, not even for a moment; an existing file with
    # wider rights is narrowed too (geo.dbfile.private_opener, as the database and its backups)
    with open(path, "w", encoding="ascii", opener=private_opener) as f:
        f.write(key)
    return key


def init_app(app: Flask) -> None:
    cfg = app.config
    cfg["AUTH_REQUIRED"] = auth_required(cfg)
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key(cfg["DB_PATH"])
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    if not cfg.get("SESSION_COOKIE_SAMESITE"):
        cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    cfg.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")

    shared = ext(app)
    try:
        counties = {str(k): str(v) for k, v in shared["service"].region.counties["name"].items()}
        counties_en = shared["service"].county_names("en")
    except Exception:  # a region that does not load must not stop the accounts; codes are checked by shape then
        counties = counties_en = None
    users = UserStore(cfg["DB_PATH"], counties=counties, counties_en=counties_en)
    shared["users"] = users
    if shared.get("jobs") is not None:  # a disabled account's job saves nothing, whoever disabled it (the CLI too)
        shared["jobs"].owner_active = _owner_active(users)

    manager = LoginManager()
    manager.session_protection = "basic"

    @manager.user_loader
    def load(session_id: str):
        uid, _, rest = session_id.partition(":")
        stamp, _, token = rest.partition(":")
        user = users.get(uid)
        if user is None or user.disabled or not secrets.compare_digest(user.stamp, stamp) \
                or not users.session_open(uid, token):  # logged out (or a cookie from before logins had tokens)
            # ended by an account change (disabled, password reset): the gate says why, to this login's cookie only
            g.session_ended = _ended_reason(users, user, token)
            return None
        return dataclasses.replace(user, session=token)

    manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(_gate)
    app.context_processor(_template_account)

    if cfg["AUTH_REQUIRED"] and users.count() == 0:
        _first_admin(users)


def _ended_reason(users: UserStore, account: User | None, token: str) -> str | None:
    """Why the login ``token`` of ``account`` no longer works, when an account change ended it (QA 32): "disabled"
    (the account is disabled now, whatever ended the login), "reenabled" (ended by a disable, enabled again since),
    "reset" or "changed" (its password); None otherwise (logged out, run out, a token never handed out: the plain
    "please log in"). The token is the secret: only the cookie of that very login is told."""
    if account is None:
        return None
    reason = users.session_ended(account.id, token)
    if reason is None:
        return None
    # read again: a request in flight while the account was disabled read it before the change and the ended
    # login after it, and was told "enabled again since" (QA 32: seen under load)
    account = users.get(account.id) or account
    if account.disabled:
        return "disabled"
    return "reenabled" if reason == "disabled" else reason


#: A login ended by an account change (_ended_reason): the error code of the gate's 401 and the words, by reason
ENDED_CODES = {"disabled": "AccountDisabled", "reenabled": "SessionEnded", "reset": "PasswordReset",
               "changed": "PasswordChanged"}


def session_ended_text(lang: str) -> str | None:
    """Why this request's login ended (an administrator disabled the account, reset its password...) in ``lang``;
    None when it did not end so (no cookie, another's, logged out, or signed in)."""
    reason = getattr(g, "session_ended", None)
    return t("qa32fc_ended_" + reason, lang) if reason in ENDED_CODES else None


def _owner_active(users: UserStore):
    """``owner_active`` of the jobs (web.jobs.JobRunner): whether the account a job counts against (``user:<id>``)
    may still save, read from the database at the save (``coverplan users disable`` runs in another process)."""
    def active(owner: str) -> bool:
        kind, _, uid = str(owner).partition(":")
        if kind != "user" or not uid:  # a client address (no accounts): nothing to check
            return True
        account = users.get(uid)
        return account is None or not account.disabled
    return active


def _cancel_jobs_of(account: User) -> None:
    """An account just disabled: its queued and running jobs are cancelled as the cancel endpoint cancels one (a
    running solve stops at its next checkpoint and saves nothing), each in the audit log by the administrator, naming
    the account; its message says why. A job of it that has ended is kept."""
    from web.jobs import DISABLED_REASON

    for job in ext()["jobs"].cancel_owned(f"user:{account.id}", DISABLED_REASON):
        p = job.params or {}  # as the cancel endpoint words its entry (web.api): a proposal's type and county
        what = ({"type": p["type"], "county": p.get("county")} if job.kind == "proposal" and p.get("type") else
                {"layer": "network", "file": p.get("file")} if job.kind == "network" else {"kind": job.kind})
        audit("job_cancelled", job.id, **what, account=account.name,
              reason={"zh": "账号已停用", "en": "account disabled"})


def _first_admin(users: UserStore) -> None:
    """No accounts yet on a shared server: an admin with a one-time password, shown once on the console."""
    user, password = users.add("admin", "admin")
    users.audit("user_added", user_name="(server start)", obj=user.name, detail={"role": "admin", "first_admin": True})
    text = (f"coverplan: 首次启动，已创建管理员账号 admin，一次性密码：{password}（首次登录后须修改）\n"
            f"coverplan: first start: created the admin account 'admin' with the one-time password {password} "
            "(to be changed at first login)")
    print(text, flush=True)
    log.warning("first start: created admin account 'admin' with a one-time password (printed on the console)")


# -- every request -------------------------------------------------------------------------------
def request_language() -> tuple[str, str | None]:
    """The page's language and the one ``?lang=`` named (None without it).

    In order: ``?lang=`` (EN, en-US, zh_CN...), the cookie it leaves, the browser's
    Accept-Language (a first visit from an English browser reads English), then the server's
    default (``LANG``).  web/app.py's language hook and this module's gate both ask here, so an
    answer refused before the hook speaks the page's language.
    """
    asked = normalise(request.args.get("lang"), None)
    if asked:
        return asked, asked
    kept = normalise(request.cookies.get(COOKIE), None)
    if kept:
        return kept, None
    return request.accept_languages.best_match(LANGS) or current_app.config["LANG"], None


def _lang() -> str:
    return request_language()[0]


#: What a download's address ends in (/plan/targets.csv ...): refused as the API is, in JSON (a 401 for no login),
#: not sent to the login page, which a script saved as the file it asked for (QA 33).
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".zip", ".geojson", ".json")


def _wants_json() -> bool:
    return (request.path.startswith(("/api/", "/charts/")) or request.method not in SAFE_METHODS
            or (request.path.lower().endswith(DOWNLOAD_SUFFIXES) and not request.path.startswith("/static/"))
            or request.accept_mimetypes.best == "application/json")


def _deny(status: int, code: str, en: str, zh: str):
    lang = getattr(g, "lang", None) or _lang()
    if status == 403 and code != "PasswordChangeRequired":
        audit_refusal(en, zh)
    if _wants_json():
        return jsonify({"error": code, "message": en if lang == "en" else zh, "message_en": en, "message_zh": zh,
                        "details": {"path": request.path}}), status
    return render_template("error.html", title=t("error", lang), status=status,
                           message=en if lang == "en" else zh), status


def _gate():
    """Who is asking, and may he? Runs before every request."""
    from flask_login import current_user

    g.lang = getattr(g, "lang", None) or _lang()
    endpoint = request.endpoint or ""
    if not current_app.config["AUTH_REQUIRED"]:
        g.user = LOCAL
        if request.method not in SAFE_METHODS:  # a change: the header names its author (web/data.py)
            return _open_author()
        return None
    user = current_user._get_current_object() if current_user and current_user.is_authenticated else None
    g.user = user
    if endpoint in PUBLIC or endpoint.startswith("vendor."):
        return None
    if user is None:
        reason = getattr(g, "session_ended", None)
        if endpoint == "auth.logout" and not (request.is_json or request.accept_mimetypes.best == "application/json"):
            # 退出 pressed on a page whose login already ended (disabled, or logged out in another tab): nothing to
            # end; the login page, with the reason where there is one (QA 32: it got a JSON error page)
            if reason not in ENDED_CODES:
                session["signed_out"] = True  # logged out in another tab: "您已退出"
            return redirect(url_for("auth.login"))
        if reason in ENDED_CODES and _wants_json():
            # the login this cookie held was ended by an administrator: said so, not "please log in" (QA 32); 401 as
            # every request without a login, so a client that reads the status alone still logs in again
            en, zh = session_ended_text("en"), session_ended_text("zh")
            return jsonify({"error": ENDED_CODES[reason], "message": en if g.lang == "en" else zh,
                            "message_en": en, "message_zh": zh,
                            "details": {"path": request.path, "session_ended": reason}}), 401
        if _wants_json():
            return _deny(401, "LoginRequired", "Please log in first.", "请先登录。")
        return redirect(url_for("auth.login", next=_here()))  # the login page says why (session_ended_text)
    if user.must_change and endpoint not in SELF_SERVICE:
        if _wants_json():
            return _deny(403, "PasswordChangeRequired", "Change your one-time password first.",
                         "请先修改一次性密码。")
        return redirect(url_for("auth.password", next=_here()))
    if endpoint.startswith("auth.admin") and not user.is_admin:
        return _deny(403, "Forbidden", "Only an administrator may manage accounts and see the audit log.",
                     "只有管理员可以管理账号和查看审计日志。")
    if request.method not in SAFE_METHODS and endpoint not in SELF_SERVICE and not user.can_edit:
        return _deny(403, "Forbidden", "Your account may view only (role: viewer); ask an administrator.",
                     "您的账号只有查看权限（查看者），不能修改数据或方案；如需修改请联系管理员。")
    return None


#: The header that names the author of a change on a server without logins (web/data.py reads it).
AUTHOR_HEADER = "X-Coverplan-User"
_AUTHOR_ENVIRON = "HTTP_" + AUTHOR_HEADER.upper().replace("-", "_")


def _open_author():
    """The author header of a change on an open server, as text: a WSGI server hands every header over
    as latin-1, so 张三 sent in UTF-8 was stored garbled, “å¼\\xa0ä¸\\x89” (QA 21). Its bytes are read again as
    UTF-8 and the text put back for whoever reads the header; a value that is not UTF-8, or holds
    what a name may not (a control, a text-direction control U+202E, a zero-width character: the
    rule of every name, planner.textrules), is a 400 naming the header. None when all is well."""
    raw = request.environ.get(_AUTHOR_ENVIRON)
    if raw is None:
        return None
    try:
        value = raw.encode("latin-1").decode("utf-8")
    except UnicodeEncodeError:  # not from the wire (a server or a test that passes text already decoded)
        value = raw
    except UnicodeDecodeError:
        shown = raw.encode("latin-1").hex(" ")
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        return _bad_author(f"The header {AUTHOR_HEADER} is not UTF-8 text (its bytes: {shown}). Send the author's "
                           "name encoded in UTF-8.",
                           f"请求头 {AUTHOR_HEADER} 不是 UTF-8 文本（字节：{shown}）。请以 UTF-8 编码发送作者姓名。")
    value = value.strip()
    bad = textrules.first_refused(value, multiline=False)
    if bad is not None:
        kind_en, kind_zh = textrules.char_kind(value[bad])
        shown = textrules.escaped(value)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        code = textrules.code_point(value[bad])
        return _bad_author(f"The header {AUTHOR_HEADER} (the author's name), “{shown}”, holds {kind_en} ({code}): "
                           "a name may not. Send the name without it.",
                           f"请求头 {AUTHOR_HEADER}（作者姓名）“{shown}”含有{kind_zh}（{code}），姓名中不允许出现。"
                           "请去掉后重新发送。")
    if value:
        request.environ[_AUTHOR_ENVIRON] = value
    else:  # blank: nobody named, as without the header
        del request.environ[_AUTHOR_ENVIRON]
    return None


def _bad_author(en: str, zh: str):
    lang = getattr(g, "lang", None) or _lang()
    return jsonify({"error": "InputDataError", "message": en if lang == "en" else zh, "message_en": en,
                    "message_zh": zh, "details": {"parameter": AUTHOR_HEADER, "header": AUTHOR_HEADER}}), 400


def _here() -> str:
    qs = request.query_string.decode("utf-8", "replace")
    return request.path + ("?" + qs if qs else "")


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site; "/" for anything that could lead elsewhere."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return "/"
    if "\\" in target or any(ord(c) < 32 for c in target):
        return "/"  # browsers read "/\\evil.example" as "//evil.example"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _template_account() -> dict:
    user = getattr(g, "user", None)
    if user is None:
        return {"account": None}
    counties = county_names(getattr(g, "lang", None) or "zh")
    return {"account": {"id": user.id, "name": user.name, "role": user.role, "county": user.county,
                        "county_name": counties.get(user.county or "", ""),
                        "rights": list(RIGHTS.get(user.role, ())), "citywide": user.citywide,
                        "login": bool(current_app.config["AUTH_REQUIRED"])}}


# -- rules the views apply -----------------------------------------------------------------------
def user() -> User:
    return getattr(g, "user", None) or LOCAL


def county_names(lang: str) -> dict[str, str]:
    """County code -> name in ``lang`` (English names on English pages); the accounts' list
    (Chinese) when the region's names cannot be had."""
    try:
        names = ext()["service"].county_names(lang)
        if names:
            return names
    except Exception:  # no region loaded: the codes the accounts know, by their Chinese names
        pass
    return ext()["users"].counties or {}


def county_label(code, lang: str = "zh") -> str:
    """房县（420325） / Fang County (420325)."""
    counties = county_names(lang)
    code = str(code or "")
    if code not in counties:
        return code or "?"
    return f"{counties[code]} ({code})" if lang == "en" else f"{counties[code]}（{code}）"


def county_code(value) -> str | None:
    """The county code a ``county`` argument names (planner.coverage.match_county: its code, or its
    Chinese or English name, with or without 县/区/市); None when it names none (or two)."""
    from planner.coverage import match_county

    return match_county(value, county_names("zh"), county_names("en"))


def county_choices(lang: str) -> str:
    """The counties a ``county`` argument takes, by name and code, for a refusal in ``lang``."""
    names = county_names(lang)
    if lang == "en":
        return ", ".join(f"{names[c]} ({c})" for c in names)
    return "、".join(f"{names[c]}（{c}）" for c in names)


def require_citywide(what_en: str, what_zh: str) -> None:
    """Only the city bureau (a planner without a county, or an admin) may do this."""
    u = user()
    if not u.citywide:
        raise Forbidden(f"Only a city-wide planner or an administrator may {what_en}; your account is limited to "
                        f"{county_label(u.county, 'en')}.",
                        f"只有市级规划人员或管理员可以{what_zh}；您的账号限于 {county_label(u.county)}。")


def require_county(code, what_en: str, what_zh: str) -> None:
    """A county planner may change only his county: 403 naming the county otherwise."""
    u = user()
    if u.citywide or not u.can_edit:
        return
    if str(code or "") != u.county:
        raise Forbidden(f"You may change data of {county_label(u.county, 'en')} only; {what_en} lies in "
                        f"{county_label(code, 'en')}.",
                        f"您只能修改 {county_label(u.county)} 的数据；{what_zh}位于 {county_label(code)}。",
                        details={"county": str(code or ""), "your_county": u.county})


def require_candidate_county(region, ft, cid: str) -> None:
    """A county planner marks candidate sites of his county only."""
    u = user()
    if u.citywide or not u.can_edit:
        return
    from planner.coverage import existing_facilities
    from planner.sites import candidate_sites

    cands = candidate_sites(region, ft, existing_facilities(region, ft))
    hit = cands.loc[cands["id"] == cid]
    if len(hit):  # an unknown id is the view's 404
        # named as the planner knows it (the village or township seat it stands at), its id after it, as a
        # facility's refusal (QA 33: "候选点 cand-420323100001 位于 竹山县" named the id alone)
        row = hit.iloc[0]
        name = str(row.get("name") or "").strip()[:60] if "name" in hit else ""
        name = "" if name in ("nan", "None") else name
        require_county(row["county_code"], f"the candidate site {name} ({cid})" if name else f"candidate site {cid}",
                       f"候选点“{name}”（{cid}）" if name else f"候选点 {cid} ")


def require_site_county(region, sid: str) -> None:
    """A county planner moves or removes the sites planners added in his county only.

    The county is the one the site's stored point lies in, whatever type the request names: looked up among one
    type's candidates (require_candidate_county), a site outside that type's counties was not found, so nothing
    was checked, while the edit itself found it in the whole layer (QA 36: 房县's planner removed a 丹江口 site by
    naming funeral_home). A point in no township has no county a county planner may change."""
    u = user()
    if u.citywide or not u.can_edit:
        return
    from geo.errors import InputDataError
    from planner.marks import township_at

    sites = getattr(region, "planner_sites", None)
    if sites is None or not len(sites) or "id" not in sites:
        return  # an unknown id is the view's 404
    hit = sites[sites["id"].astype(str) == str(sid)]
    if not len(hit):
        return
    row = hit.iloc[0]
    county = ""
    point = row.geometry
    if point is not None and not point.is_empty:
        point = point if point.geom_type == "Point" else point.representative_point()
        try:
            town = township_at(region, point.x, point.y)
            county = str(region.townships.loc[town, "county_code"])
        except (InputDataError, KeyError, ValueError):  # outside every township: no county, refused below
            county = ""
    name = str(row.get("name") or "").strip()[:60]
    name = "" if name in ("nan", "None") else name
    require_county(county, f"the candidate site {name} ({sid})" if name else f"candidate site {sid}",
                   f"候选点“{name}”（{sid}）" if name else f"候选点 {sid} ")


def scope_proposal(params: dict, asked: str | None = None) -> dict:
    """The county a new proposal is solved for: a county planner's is his county, whatever was asked."""
    u = user()
    counties = ext()["users"].counties
    if isinstance(asked, str) and asked and county_code(asked):  # a county's name, in Chinese or English
        asked = county_code(asked)
    elif type(asked) is int and county_code(asked):  # 420325 sent as a JSON number: its code as text (QA 28)
        asked = county_code(asked)
    if asked is not None and (not isinstance(asked, str) or (counties is not None and asked not in counties)):
        raise bad_param("county", asked, "a county code or name: " + county_choices("en"),
                        "县区代码或名称：" + county_choices("zh"))
    if asked and not u.citywide and asked != u.county:
        raise Forbidden(f"You may make proposals for {county_label(u.county, 'en')} only "
                        f"(asked: {county_label(asked, 'en')}).",
                        f"您只能为 {county_label(u.county)} 制定方案（所选：{county_label(asked)}）。")
    county = u.county if not u.citywide else (asked or None)
    return {**params, "county": county}


def may_manage_proposal(rec: dict) -> bool:
    u = user()
    if u.is_admin or (rec.get("owner") and rec.get("owner") == u.id):
        return True
    scope = (rec.get("params") or {}).get("county") or None
    return u.can_edit and scope == (u.county or None)


def require_manage_proposal(rec: dict, what_en: str, what_zh: str) -> None:
    if not may_manage_proposal(rec):
        scope = (rec.get("params") or {}).get("county")
        where_en = county_label(scope, "en") if scope else "the whole city"
        where_zh = county_label(scope) if scope else "全市"
        # the author by his account name (QA 27): whom to ask, not only who may
        owner = rec.get("owner")
        author = ext()["users"].get(owner) if owner else None
        by_en = f" (author: {author.name})" if author else ""
        by_zh = f"（作者：{author.name}）" if author else ""
        raise Forbidden(f"Only its author, an administrator or a planner of the same scope ({where_en}) may "
                        f"{what_en} this proposal{by_en}.",
                        f"只有方案的创建者、管理员或同一范围（{where_zh}）的规划人员可以{what_zh}此方案{by_zh}。",
                        details={"author": author.name} if author else None)


def units_outside(layer: str, gdf, region, county: str):
    """The county of each row of a township or village file (its code's first 6 digits), and whether it is not
    ``county``.

    A village point put down far in another county is refused as a row by the check itself, for every planner
    (geo.imports.COUNTY_SLACK_KM); one within that slack of its county's line is the county polygon's
    imprecision, a warning for everyone. So the code decides here: a county planner's village 300 m over the
    line was counted as the next county's and refused his whole file, while a city-wide planner was only
    warned (QA 30; QA 18 had moved such villages to the county they lie in).
    """
    counties = gdf["code"].astype(str).str[:6]
    return counties, (counties != county).to_numpy()


def scope_import(layer: str, gdf, region):
    """The rows a county planner's import may commit, or 403 listing the rows outside his county.

    All or nothing, like every import: rows in another county refuse the whole
    file at confirm (the planner removes them and uploads again), never a silent
    partial import. A facility layer is replaced as a whole by the data store,
    so the other counties' facilities of the type are carried over unchanged.
    """
    import pandas as pd

    u = user()
    if u.citywide:
        return gdf
    if layer == "network":
        require_citywide("upload a road network", "上传路网")
    if layer.startswith("facilities"):
        counties = (gdf["county_code"].astype(str) if "county_code" in gdf
                    else gdf["township_code"].astype(str).str[:6])
    else:
        counties, _ = units_outside(layer, gdf, region, u.county)
    off = counties.to_numpy() != u.county
    outside = gdf[off]
    if len(outside):
        rows = []
        # a register's rows carry their line (source_row); a township or village file's lines are in attrs
        lines = gdf.attrs.get("rows") or []
        for pos in [int(p) for p in off.nonzero()[0][:50]]:
            i, r = gdf.index[pos], gdf.iloc[pos]
            line = int(r["source_row"]) if "source_row" in r and pd.notna(r["source_row"]) else \
                (int(lines[pos]) if pos < len(lines) else None)
            rows.append({"row": line,
                         "name": str(r.get("name") or r.get("code") or r.get("id") or i),
                         "county": county_label(counties.loc[i]), "county_en": county_label(counties.loc[i], "en")})
        listing = "；".join(f"{'第%s行 ' % x['row'] if x['row'] else ''}{x['name']}（{x['county']}）" for x in rows[:10])
        listing_en = "; ".join(f"{'row %s ' % x['row'] if x['row'] else ''}{x['name']} ({x['county_en']})" for x in rows[:10])
        more = len(outside) - min(10, len(outside))
        raise Forbidden(f"{len(outside)} {'row lies' if len(outside) == 1 else 'rows lie'} outside {county_label(u.county, 'en')}, the county you may change: "
                        f"{listing_en}{' …' if more else ''}. Remove them from the file and upload it again.",
                        f"有 {len(outside)} 行不在您可修改的 {county_label(u.county)} 内：{listing}{' 等' if more else ''}。"
                        "请从文件中删去这些行后重新上传。", details={"rows": rows, "refused": int(len(outside))})
    if not layer.startswith("facilities"):
        return gdf
    from planner import register_scope

    fac = region.facilities
    # ids of the facilities kept in other counties that the file uses too (register_scope.plan, which the merge
    # below checks as well): refused as his county's import may not take them
    clash = sorted({i for it in register_scope.plan(layer, gdf, fac) for i in it["clash"]})
    if clash:
        more_en, more_zh = (" …", " 等") if len(clash) > 10 else ("", "")
        raise Forbidden(f"Facility id(s) {', '.join(clash[:10])}{more_en} belong to another county's facilities.",
                        f"设施编号 {'、'.join(clash[:10])}{more_zh} 属于其他县区的设施，不能在本县导入中使用。",
                        hint_en="Give these rows other ids and upload the file again.",
                        hint_zh="请为这些行改用其他编号后重新上传。", details={"ids": clash})
    # the other counties' facilities of the file's types carried over whole, as for a city-wide planner's import:
    # with every column (a file without beds or addresses blanked theirs, QA 30) and the version and file each
    # came in (they were credited to this import)
    return register_scope.keep_other_counties(layer, gdf, fac, provenance=region.provenance)


def audit(event: str, obj=None, /, **detail) -> None:
    """One line in the audit log, by the current user (never fails the request it records)."""
    try:
        ext()["users"].audit(event, user=user(), obj=obj, detail=detail or None, ip=request.remote_addr)
    except Exception:
        log.exception("audit log write failed: %s %s", event, obj)


#: Refusals logged per account: the same request again within REFUSAL_REPEAT seconds is not a new
#: line, and at most REFUSAL_MAX lines in REFUSAL_WINDOW seconds (a script sending thousands of
#: refused requests would push the administrator's real events off the log).
REFUSAL_REPEAT, REFUSAL_MAX, REFUSAL_WINDOW = 60, 30, 600
_refusals_lock = threading.Lock()


def _refusal_due(user_id, key: tuple) -> bool:
    """Whether this refusal (``key``: the request and its reason) is a new audit line for the account."""
    now = time.monotonic()
    with _refusals_lock:
        seen = ext().setdefault("refusals", {}).setdefault(user_id, deque())  # per app, in this process
        while seen and now - seen[0][0] > REFUSAL_WINDOW:
            seen.popleft()
        if len(seen) >= REFUSAL_MAX or any(k == key and now - at < REFUSAL_REPEAT for at, k in seen):
            return False
        seen.append((now, key))
        return True


def audit_refusal(en: str, zh: str) -> None:
    """A logged-in account refused (403): the request and the reason it was given, so an
    administrator sees who tried what beyond his rights (a viewer's edit, a county planner's
    change in another county), not only what succeeded."""
    u = getattr(g, "user", None)
    if not current_app.config["AUTH_REQUIRED"] or u is None or u is LOCAL:
        return
    # the path as the client sent it, with what hides or reorders text written out (\u202e) and cut
    path = textrules.escaped(request.path)
    obj = f"{request.method} {path if len(path) <= 160 else path[:159] + '…'}"
    if _refusal_due(u.id, (obj, en)):
        audit("refused", obj, reason={"zh": zh[:300], "en": en[:300]})


# -- pages ---------------------------------------------------------------------------------------
def _form_or_json() -> dict:
    """A form (the login and password pages) or a JSON object (the API); anything else, e.g.
    JSON labelled text/plain, is a 400 saying how to send it rather than an empty change."""
    if request.form or request.files:
        return request.form.to_dict()
    if request.is_json or request.get_data(cache=True):
        return json_object()
    return {}


def _from_form() -> bool:
    """Whether the request's body is a form (the login and password pages post one); anything else
    comes from a script, which is answered in JSON whatever went wrong."""
    return request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")


def _script_body(allowed: tuple[str, ...], what_en: str, what_zh: str):
    """The body of a POST to a page (/login, /account/password): a form's fields as they are, a script's
    JSON object. (body, None), or (None, the JSON 400 answer) for a script whose body is refused (not an
    object, text/plain, unknown fields), which was a page of HTML or, for a JSON null, an answer 200."""
    try:
        body = _form_or_json()
        refuse_unknown(body, allowed, what_en=what_en, what_zh=what_zh)
    except InputDataError as exc:
        if _from_form():
            raise
        return None, (jsonify(public(exc.to_dict(g.lang))), status_of(exc))
    return body, None


def _text_field(body: dict, key: str, label_en: str, label_zh: str) -> str:
    """A text field of a script's JSON body: missing (or null) and anything but text (a number, a list:
    its str() was taken as the password, QA 21) are refused naming the field. A form's fields are text."""
    value = body.get(key)
    if isinstance(value, str):
        return value
    field_en = key if label_en == key else f"{key} ({label_en})"
    if key not in body:
        raise AccountError(f"The field {field_en} is missing: send it as text.",
                           f"缺少字段 {key}（{label_zh}）：请以文本形式提供。", key)
    raise AccountError(f"The field {field_en} must be text, in quotes (got {shown_value(value)}).",
                       f"字段 {key}（{label_zh}）须为文本（带引号的字符串），收到 {shown_value(value)}。", key)


def _json_next() -> str | None:
    """``next`` of a script's JSON body (a login's), None without one: web/API.md documents
    ``{"name", "password", "next"}``, and only the query's and a form's were read (QA 24)."""
    if not request.is_json:
        return None
    body = request.get_json(silent=True)
    return body.get("next") if isinstance(body, dict) and "next" in body else None


def _shown_name(name: str) -> str:
    """A login name as the audit log, the server's log and the form show it: one longer than any
    account's (a wrong name) cut, marked with "…"."""
    return name if len(name) <= MAX_NAME else name[:MAX_NAME] + "…"


@bp.route("/login", methods=["GET", "POST"])
def login():
    lang = g.lang
    asked = _json_next()
    # a JSON body's "next" first (safe_next takes a path on this site only, and "/" for anything else)
    nxt = safe_next(asked if asked is not None else request.values.get("next"))
    if not current_app.config["AUTH_REQUIRED"]:  # open mode: nobody logs in
        if request.is_json:  # a script's JSON login: told so in JSON, not sent to a page
            return jsonify({"auth": "open", "user": None, "next": nxt})
        return redirect(nxt)
    error, name, disabled = None, "", False
    if request.method == "POST":
        body, refused = _script_body(("name", "password", "next"), "a login", "登录")
        if refused is not None:
            return refused
        if _from_form():
            name, password = str(body.get("name") or ""), str(body.get("password") or "")
        else:  # a script's {"name": ["x"]} or a password left out is a 400 naming it, not a wrong password
            try:
                name = _text_field(body, "name", "user name", "用户名")
                password = _text_field(body, "password", "password", "密码")
            except AccountError as exc:
                return _account_error(exc)
        # a name longer than any account's is a wrong name (web/users.py authenticate): it was cut to 40
        # characters here and signed in as the account those began with (QA 24)
        name = name.strip()
        shown = _shown_name(name)
        users = ext()["users"]

        def logged() -> tuple[str, str | None]:
            """The name a refused login is logged under, and the account's id: the account the typed name reads as
            (城市規劃員 as 城市规划员, WÁNG as wang: users.login_account, QA 33), else the name as typed and None. The
            id too (QA 34): by name alone the entry read as "no such account" once the account was renamed."""
            account = users.login_account(name)
            return (account.name, account.id) if account is not None else (shown, None)

        try:
            u = users.authenticate(name, password, client=request.remote_addr, say_disabled=True)
        except AddressLocked as exc:
            # password spraying: one line when the address is paused, none for each attempt meanwhile
            # (60 names in 10 s wrote 60 lines, pushing everything else off the audit page, QA 24)
            if getattr(exc, "new", False):
                who, uid = logged()
                users.audit("login_failed", user_name=who, user_id=uid, obj=who, ip=request.remote_addr,
                            detail={"throttled": True})
                log.warning("logins from %s paused: too many failed logins (last name %r)", request.remote_addr, who)
            error, status, wait = exc.message(lang), 429, exc.seconds
            both = {"message_zh": exc.message("zh"), "message_en": exc.message("en")}
        except Locked as exc:
            new, (who, uid) = getattr(exc, "new", False), logged()
            users.audit("login_failed" if new else "login_locked", user_name=who, user_id=uid, obj=who,
                        ip=request.remote_addr, detail={"locked": True} if new else None)
            log.warning("login refused for %r from %s: locked", who, request.remote_addr)
            error, status, wait = exc.message(lang), 429, exc.seconds
            both = {"message_zh": exc.message("zh"), "message_en": exc.message("en")}
        except AccountDisabled as exc:
            # the right password for a disabled account: 401 AccountDisabled saying so (not a failure: nothing is
            # counted); 401 as every refused login, so a client that reads the status alone still sees "not signed in"
            users.audit("login_failed", user_name=exc.name, user_id=exc.user_id, obj=exc.name, ip=request.remote_addr,
                        detail={"reason": {"zh": "账号已停用", "en": "account disabled"}})
            log.warning("login refused for %r from %s: account disabled", exc.name, request.remote_addr)
            error, status = exc.message(lang), 401
            both = {"message_zh": exc.zh, "message_en": exc.en}
            disabled = True
        else:
            if u is None:
                who, uid = logged()
                users.audit("login_failed", user_name=who, user_id=uid, obj=who, ip=request.remote_addr)
                log.warning("login failed for %r from %s", who, request.remote_addr)
                error, status = t("auth_wrong", lang), 401
                both = {"message_zh": t("auth_wrong", "zh"), "message_en": t("auth_wrong", "en")}
            else:
                before = getattr(g, "user", None)
                if before is not None and getattr(before, "session", ""):  # a login over another in this browser
                    users.close_session(before.session)
                u = users.open_session(u)
                login_user(u)
                g.user = u
                users.audit("login", user=u, obj=u.name, ip=request.remote_addr)
                target = url_for("auth.password", next=nxt) if u.must_change else nxt
                if request.is_json:
                    # the CSRF token belongs to the login (web/security.py): a script goes on with this one
                    return jsonify({"user": u.public(), "next": target, "csrf": csrf_token()})
                return redirect(target)
        retry = {"Retry-After": str(max(1, int(wait)))} if status == 429 else {}
        if request.is_json:
            # both languages, as every other error answer carries them (web/errors.py)
            return jsonify({"error": "AccountDisabled" if disabled else "LoginFailed", "message": error, **both,
                            "details": {}}), status, retry
        return render_template("login.html", error=error, name=shown, next=nxt), status, retry
    # after 退出 the login page says so (it said nothing, QA 27); a login an administrator ended says why (QA 32)
    return render_template("login.html", error=session_ended_text(lang), name=name, next=nxt,
                           signed_out=bool(session.pop("signed_out", False)) and getattr(g, "user", None) is None)


@bp.get("/logout")
def logout_page():
    """A link to /logout (typed, bookmarked) gets a page with the sign-out button, which posts: a GET never
    logs out (an image or a link on another page could end the session). It was a 405 error page (QA 27)."""
    u = getattr(g, "user", None)
    if u is None or u is LOCAL:
        return redirect(url_for("auth.login"))
    return render_template("login.html", error=None, name="", next="/", logout_form=True)


@bp.post("/logout")
def logout():
    u = getattr(g, "user", None)
    if u is not None and u is not LOCAL:
        audit("logout", u.name)
        # the server forgets this login: a copy of the cookie (another tab's, or a stolen one) stops working too
        ext()["users"].close_session(u.session)
    logout_user()
    if request.is_json or request.accept_mimetypes.best == "application/json":  # a script, with or without a body
        return jsonify({"logged_out": True, "csrf": csrf_token()})
    # the login page it goes to says "您已退出" once (a mark in the session cookie: the address stays /login)
    session["signed_out"] = True
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    u = user()
    nxt = safe_next(request.values.get("next"))
    if u is LOCAL:
        # open mode: nobody logs in, so there is no password. A POST was answered 302 -> / (the overview,
        # 200, read as a change made, QA 23): a script is told so in JSON, /api/admin/users' 409 OpenMode;
        # a form says it on the page. A GET (nothing tried) still goes where it was going.
        if request.method == "POST" and (text := open_mode_text(g.lang, "password_open_refused")) is not None:
            if not _from_form():
                return _refuse_in_open_mode("password_open_refused")
            return render_template("error.html", title=text["title"], status=409, message=text["text"]), 409
        return redirect(nxt)
    error = None
    if request.method == "POST":
        body, refused = _script_body(("current", "new", "again", "next"), "a password change", "修改密码")
        if refused is not None:
            return refused
        users = ext()["users"]
        status = 400
        try:
            if _from_form():
                current, new, again = (str(body.get(k) or "") for k in ("current", "new", "again"))
            else:  # ["abcdefgh1"] was taken as the text "['abcdefgh1']" and set as the password (QA 21)
                current, new, again = (_text_field(body, k, en, zh) for k, en, zh in (
                    ("current", "current password", "当前密码"), ("new", "new password", "新密码"),
                    ("again", "new password again", "再次输入新密码")))
            # counted as failed logins are: a session's holder cannot guess the current password on and on
            if not users.check_current(u, current):
                log.warning("password change for %r from %s: wrong current password", u.name, request.remote_addr)
                raise AccountError("The current password is wrong.", "当前密码不正确。")
            if new != again:
                raise AccountError("The two new passwords differ.", "两次输入的新密码不一致。")
            if new == current:
                raise AccountError("Choose a password other than the current one.", "新密码不能与当前密码相同。")
            changed, _ = users.set_password(u.name, new, must_change=False)
        except Locked as exc:
            if getattr(exc, "new", False):
                log.warning("password change for %r from %s: locked", u.name, request.remote_addr)
            error, refused, status = exc.message(g.lang), exc, 429
        except AccountError as exc:
            error, refused = exc.message(g.lang), exc
        else:
            # the stamp changed, which ends every session: this one continues under a new login token
            users.close_session(u.session)
            login_user(users.open_session(changed))
            audit("password_changed", u.name)
            if request.is_json:
                # a new login, so a new CSRF token (web/security.py): a script goes on with this one
                return jsonify({"changed": True, "next": nxt, "csrf": csrf_token()})
            # said on the page it goes to (common.js): it went to the overview without a word (QA 22)
            return redirect(nxt.split("#")[0] + "#password-changed")
        # a lock's 429 says when to try again, as the login's does (QA 27)
        retry = {"Retry-After": str(max(1, int(refused.seconds)))} if status == 429 else {}
        if not _from_form():
            return jsonify({"error": "PasswordNotChanged" if status == 400 else "PasswordChangeLocked",
                            "message": error, "message_en": refused.en,
                            "message_zh": refused.zh, "details": _field_of(refused)}), status, retry
        return render_template("password.html", error=error, next=nxt, must_change=u.must_change), status, retry
    return render_template("password.html", error=None, next=nxt, must_change=u.must_change)


@bp.get("/api/me")
def me():
    acc = _template_account()["account"]
    return jsonify(acc)


# -- admin ---------------------------------------------------------------------------------------
def open_mode_text(lang: str, refused: str = "admin_open_refused") -> dict | None:
    """Why nobody logs in on this server, in ``lang`` (``reason``, ``effect``: when accounts take effect,
    ``refused``: what cannot be done then, the i18n key ``refused``: the admin page's by default), or None
    when it asks for logins. The rule is :func:`auth_required`'s: ``--auth open``, or ``auto`` (the default)
    on a loopback address."""
    cfg = current_app.config
    if cfg["AUTH_REQUIRED"]:
        return None
    forced = (cfg.get("AUTH") or "auto").lower() == "open"
    host = cfg.get("LISTEN_HOST")
    reason = t("admin_open_forced", lang) if forced else \
        t("admin_open_auto", lang, host=host) if host else t("admin_open_embedded", lang)  # a test, an embedding
    out = {"title": t("admin_open_title", lang), "reason": reason, "effect": t("admin_open_effect", lang),
           "refused": t(refused, lang)}
    out["text"] = (" " if lang == "en" else "").join((out["reason"], out["effect"], out["refused"]))
    return out


def _refuse_in_open_mode(refused: str = "admin_open_refused"):
    """409 ``OpenMode`` for what hands out a one-time password (a new account, a reset) on a server without
    logins: an account added there, "must change password", was one nobody would ever sign in with. A role,
    a county or disabling an account kept in the database is still changed (it applies once logins are on).
    Also a password change there (``refused``: the i18n key of what was not done)."""
    zh, en = open_mode_text("zh", refused), open_mode_text("en", refused)
    if zh is None:
        return None
    text = {"zh": zh["text"], "en": en["text"]}
    cfg = current_app.config
    return jsonify({"error": "OpenMode", "message": text["en"] if g.lang == "en" else text["zh"],
                    "message_en": text["en"], "message_zh": text["zh"],
                    "details": {"auth": (cfg.get("AUTH") or "auto").lower(), "login_required": False,
                                "listen_host": cfg.get("LISTEN_HOST")}}), 409


@bp.get("/admin")
def admin_page():
    return render_template("admin.html", active="admin", counties=county_names(g.lang), roles=list(RIGHTS),
                           open_mode=open_mode_text(g.lang))


def _field_of(exc: AccountError) -> dict:
    """The field an account error is about, where its code names one (not "unknown", "last_admin" ...)."""
    return {"field": exc.code} if exc.code in ("name", "password", "role", "county", "current", "new", "again") else {}


def _account_error(exc: AccountError):
    # the error shape of every other answer (web/errors.py); an account that does not exist is a 404; a change made
    # on what a page showed when another came in since, a 409 saying which field, its value, who and when (QA 34)
    if isinstance(exc, AccountConflict):
        return jsonify({"error": "EditConflict", "code": exc.code, "message": exc.message(g.lang),
                        "message_en": exc.en, "message_zh": exc.zh, "details": exc.details}), 409
    return jsonify({"error": "AccountError", "code": exc.code, "message": exc.message(g.lang),
                    "message_en": exc.en, "message_zh": exc.zh,
                    "details": _field_of(exc)}), 404 if exc.code == "unknown" else 400


@bp.get("/api/admin/users")
def admin_users():
    counties = county_names(g.lang)
    return jsonify([{**u.public(), "county_name": counties.get(u.county or "", "")} for u in ext()["users"].list()])


@bp.post("/api/admin/users")
def admin_user_add():
    if (refused := _refuse_in_open_mode()) is not None:
        return refused
    body = _form_or_json()
    refuse_unknown(body, ("name", "role", "county", "password"), what_en="a new account", what_zh="新增账号")
    users = ext()["users"]
    try:
        password = body.get("password")
        # none or "": a one-time password is made; anything else is checked (a number or a list is not text)
        password = None if password in (None, "") else password
        # only a field left out, null or "" is "not given": 0 and false were read so, and made a city-wide
        # planner or a viewer (QA 29); they are checked as sent, as PATCH checks a role
        role, county = body.get("role"), body.get("county")
        u, generated = users.add(body.get("name"), "viewer" if role in (None, "") else role,
                                 None if county in (None, "") else county, password=password, must_change=True)
    except AccountError as exc:
        return _account_error(exc)
    audit("user_added", u.name, role=u.role, county=u.county)
    return jsonify({"user": u.public(), "password": generated}), 201


#: What PATCH /api/admin/users/<name> may change (a password goes through .../reset); ``name`` renames.
EDITABLE = ("name", "role", "county", "disabled")


@bp.patch("/api/admin/users/<name>")
def admin_user_edit(name: str):
    body = _form_or_json()
    users = ext()["users"]
    try:
        # a former name with ``was`` (a page that showed it, renamed since): the change's 409 says who renamed it
        before = users.target(name, body.get("was"))
        unknown = sorted(set(body) - set(EDITABLE) - {"was"})  # was: what the page showed (QA 34), changes nothing
        if unknown:  # a misspelt field changed nothing: say so (every one of them) instead of answering 200
            shown = [shown_value(f) for f in unknown[:10]]  # a hostile body may carry thousands of keys
            plural = len(unknown) > 1
            raise AccountError(f"Unknown field{'s' if plural else ''} {listed(shown, 'en', total=len(unknown))}: "
                               f"a change takes {listed(EDITABLE, 'en')}.",
                               f"未知字段 {listed(shown, 'zh', total=len(unknown))}：可修改的字段为 {listed(EDITABLE, 'zh')}。",
                               "field")
        kw = {}
        if "role" in body:
            # checked here: None reaches users.update as "unchanged", and {"role": null} was answered
            # "Nothing to change: ... is already active" (QA 22)
            kw["role"] = check_role(body["role"])
            if kw["role"] != "admin" and before.is_admin and before.id == user().id:
                # as a disable: the admin who demoted himself could no longer open /admin to undo it (QA 22)
                raise AccountError("You cannot remove your own administrator role: ask another administrator "
                                   "to change it.", "不能取消自己的管理员角色：请由另一位管理员修改。", "role")
        if "county" in body:  # null or "": city-wide; 0, false, -0.0 are checked as counties (they made one city-wide)
            kw["county"] = users.check_county(body["county"])  # (False is update()'s "unchanged": checked here)
        if "disabled" in body:
            if not isinstance(body["disabled"], bool):
                raise AccountError(f"disabled is true or false (got {shown_value(body['disabled'])}).",
                                   f"disabled 须为 true 或 false（收到 {shown_value(body['disabled'])}）。", "disabled")
            if body["disabled"] and before.id == user().id:
                raise AccountError("You cannot disable your own account.", "不能停用自己的账号。")
            kw["disabled"] = body["disabled"]
        renamed = "name" in body
        if renamed and kw:  # one change at a time: a rename with a refused role change was half done
            raise AccountError("A rename is a change of its own: send the new name alone, then the other fields.",
                               "改名须单独提交：请先只提交新用户名，再修改其他字段。", "field")
        if not kw and not renamed:  # {} changed nothing and answered 200, where a proposal's empty PATCH is a 400
            raise AccountError(f"Nothing to change: a change takes {listed(EDITABLE, 'en')}.",
                               f"没有要修改的内容：可修改的字段为 {listed(EDITABLE, 'zh')}。", "field")
        # the page sends what it showed (``was``: role, county, name): checked inside the change's transaction, a
        # 409 naming who changed what since (QA 34: a stale page's save put back another admin's county, two renames
        # at once both answered 200); a client without it changes as before
        was, by = body.get("was"), f"user:{user().id}"
        u = users.rename(name, body["name"], was=was, by=by) if renamed else users.update(name, **kw, was=was, by=by)
    except AccountError as exc:
        return _account_error(exc)
    if renamed:
        # the name it had inside the change (a rename racing another is refused): the one the request named
        audit("user_renamed", u.name, was=before.name)
        return jsonify({"user": u.public()})
    if u.disabled != before.disabled:
        audit("user_disabled" if u.disabled else "user_enabled", u.name)
        if u.disabled:  # his running solve saved its plan under him after the disable (QA 31)
            _cancel_jobs_of(u)
    if (u.role, u.county) != (before.role, before.county):
        audit("user_changed", u.name, role=u.role, county=u.county, was={"role": before.role, "county": before.county})
        # his running solve would save what the account may no longer make (a viewer's, another county's): cancelled
        # as a disable cancels it, each in the audit log (web.jobs.JobRunner.cancel_refused; QA 33)
        for job, why in ext()["jobs"].cancel_refused(f"user:{u.id}"):
            p = job.params or {}
            audit("job_cancelled", job.id, **({"type": p.get("type"), "county": p.get("county")}
                                               if job.kind == "proposal" else {"kind": job.kind}),
                  account=u.name, reason={"zh": why["zh"], "en": why["en"]})
    return jsonify({"user": u.public()})


@bp.post("/api/admin/users/<name>/reset")
def admin_user_reset(name: str):
    if (refused := _refuse_in_open_mode()) is not None:
        return refused
    no_body(what_en="a password reset", what_zh="重置密码")
    users = ext()["users"]
    try:
        if users.find(name).id == user().id:
            # as the page's own row: a reset of one's own password ended one's sessions with a one-time password
            # (QA 31: after renaming himself the page let him; the server never refused it)
            raise AccountError("You cannot reset your own password here: change it with 修改密码 / Change password "
                               "(it asks for the current one).",
                               "不能在此重置自己的密码：请用“修改密码”修改（需输入当前密码）。", "self")
        u, generated = users.set_password(name)
    except AccountError as exc:
        return _account_error(exc)
    audit("password_reset", u.name)
    return jsonify({"user": u.public(), "password": generated})


def _lock_dict(lock: dict, lang: str) -> dict:
    """A lock as /admin lists it: what is locked, in words."""
    en = lang == "en"
    if lock["kind"] == "address":
        what = (f"every login from {lock['address']}" if en else f"来自 {lock['address']} 的所有登录")
    elif lock["kind"] == "password":
        what = (f"password change of {lock['name']}" if en else f"{lock['name']} 的密码修改")
    elif lock["address"]:
        what = (f"{lock['name']} from {lock['address']}" if en else f"{lock['name']}（来自 {lock['address']}）")
    else:
        what = lock["name"]
    return {**lock, "name": textrules.escaped(lock["name"]), "what": textrules.escaped(what),
            "kind_text": t("lock_kind_" + lock["kind"], lang)}


@bp.get("/api/admin/locks")
def admin_locks():
    """The login locks and address pauses in force (web/users.py UserStore.locks)."""
    return jsonify({"locks": [_lock_dict(x, g.lang) for x in ext()["users"].locks()]})


@bp.post("/api/admin/locks/lift")
def admin_lock_lift():
    """Lift one lock, ``{"key": ...}`` as /api/admin/locks lists it: 404 when it is not (or no longer) in force."""
    body = json_object()
    refuse_unknown(body, ("key",), what_en="lifting a login lock", what_zh="解除登录限制")
    key = body.get("key")
    if not isinstance(key, str) or not key:
        raise bad_param("key", key, "the key of a lock as /api/admin/locks lists it",
                        "/api/admin/locks 所列某项限制的 key")
    lock = ext()["users"].lift(key)
    if lock is None:
        en = "This lock is no longer in force (it ran out, or was lifted already). Nothing was changed."
        zh = "该限制已不存在（已到期或已被解除），未作任何修改。"
        return jsonify({"error": "NotFound", "message": en if g.lang == "en" else zh, "message_en": en,
                        "message_zh": zh, "details": {"key": textrules.escaped(key)}}), 404
    shown = _lock_dict(lock, g.lang)
    audit("lock_lifted", lock["name"] or lock["address"], lock=lock["kind"], address=lock["address"])
    return jsonify({"lifted": shown})


def audit_detail_text(detail: dict, lang: str) -> str:
    """An audit entry's details as words in ``lang`` ("角色 管理员；服务启动时创建的首个管理员"), not the stored keys:
    web/users.py audit_detail_words (which `coverplan users audit` prints too), with the counties of the region this
    server serves and a deleted proposal's question in words."""
    from web.proposals import params_text

    detail = detail if isinstance(detail, dict) else {}
    parts = []
    rest = dict(detail)
    if "layer" in rest and isinstance(rest.get("county"), str):
        # an import's county beside its layer, as the version list says it: 设施名录 · 社区(村)日间照料中心（郧西县）;
        # two county planners' imports read alike (QA 35)
        parts.append(audit_detail_words({"layer": rest.pop("layer")}, lang)
                     + t("qa35f5_scope", lang, county=scope_words(rest.pop("county"), lang)))
    # a restore's dropped proposals by id and parameters are for their 404 (web/proposals.py); its count and names,
    # and the proposals whose name or note it took back to the backup's, are worded by audit_detail_words (QA 35)
    parts.append(audit_detail_words(rest, lang, county_label, params_text))
    return ("；" if lang == "zh" else "; ").join(x for x in parts if x)


def scope_words(scope, lang: str = "zh") -> str:
    """The county an import replaced, as its audit entry records it (web/data.py import_scope): 郧西县 / Yunxi County,
    several ("420322,420325": a city-wide planner's register of two counties) listed, 全市 / whole city for ""."""
    codes = [c for c in str(scope or "").split(",") if c]
    if not codes:
        return t("qa35f5_scope_city", lang)
    names = county_names(lang)
    return listed([names.get(c, c) for c in codes], lang)


#: How many words of an audit search are tried as a facility's id besides the whole search (QA 32)
FACILITY_WORDS = 4


def facility_words(q: str) -> list[str]:
    """The words of an audit search that may be a facility's id: the search itself, then its words
    ("welfare_home-0695 rename" → welfare_home-0695), at most FACILITY_WORDS + 1, none with a space."""
    words = [q.strip()] + [w for w in q.replace("，", " ").replace("、", " ").replace("；", " ")
                           .replace(",", " ").replace(";", " ").split() if w]
    return [w for w in dict.fromkeys(words) if w and not any(ch.isspace() for ch in w)][:FACILITY_WORDS + 1]


def facility_history(q: str, lang: str) -> dict | None:
    """The data versions that changed the facility the audit search ``q`` names (its id, or a word of it):
    an import, a rollback or an edit is logged under its file or version, so a search by the facility's id
    found only the map's edits (QA 32). ``{"id", "type", "type_text", "name", "since", "versions": [...]}``,
    each version ``{"version", "parent", "kind", "kind_text", "author", "created", "created_iso", "file",
    "target", "note", "happened", "happened_text", "diff": {"a", "b"}}`` oldest first; ``dropped``: its map edits
    in versions a backup restore removed since (:func:`removed_versions`, QA 34); None when no word of ``q`` is the
    id of a facility of any data version nor of an edit in a removed one (or the server keeps no versions).

    Bounded: one facility, one layer (``facilities:<type>``) read along the current version's history by
    ``DatasetStore.row_changes``; its type is the current data's, else its id's prefix
    (``welfare_home-0695``: the embedded ids and those the register makes), else (the search one word with a
    digit, an id of the planner's file) the facility layers the history wrote, tried in turn.
    """
    store, svc = ext().get("datasets"), ext().get("service")
    words = facility_words(q or "")
    if store is None or svc is None or not words:
        return None
    try:
        records = {v.version: v.to_dict() for v in store.versions()}
    except Exception:  # the history unreadable: the audit log still answers
        log.exception("data versions unreadable for the audit search %r", q)
        return None
    if not records:
        return None
    since = min(records)
    types = svc.types()
    found = None  # (id, type key, name, changes)
    try:
        fac = svc.region.facilities
        ids = fac["id"].astype(str)
        for w in words:
            hit = fac[ids == w]
            if len(hit):
                key = str(hit.iloc[0]["facility_type"])
                found = (w, key, str(hit.iloc[0].get("name") or ""), store.row_changes(f"facilities:{key}", since, w))
                break
        if found is None:  # not in the current data (an import or a rollback removed it): its type from its id
            for w in words:
                key = next((k for k in types if w.startswith(k + "-")), None)
                changes = store.row_changes(f"facilities:{key}", since, w) if key else []
                if changes:
                    found = (w, key, "", changes)
                    break
        if found is None and len(words) == 1 and any(ch.isdigit() for ch in words[0]):
            # an id of the planner's own file ("DC-001") the current data no longer hold: the facility layers the
            # history wrote, in turn (a search for an account's name, without a digit, reads none of them)
            written = {n for r in records.values() for n in (r.get("layer") or "").split(",")
                       if n.startswith("facilities:")}
            for layer in sorted(written):
                changes = store.row_changes(layer, since, words[0])
                if changes:
                    found = (words[0], layer.split(":", 1)[1], "", changes)
                    break
    except Exception:  # a layer's file unreadable: said by the log, the audit entries still listed
        log.exception("facility history unreadable for the audit search %r", q)
        return None
    if found is None:
        # a facility only a version since removed knew (added on the map, then a restore dropped that version): the
        # audit log's entries still name it
        for w in words:
            dropped, key = removed_versions(w, set(records), store.region_name, lang)
            if dropped:
                ft = types.get(key)
                return {"id": textrules.escaped(w), "type": key, "type_text": ft.name(lang) if ft is not None else key,
                        "name": "", "since": since, "versions": [], "dropped": dropped}
        return None
    fid, key, name, changes = found
    from web.data import ANONYMOUS_AUTHOR, note_in

    versions = []
    for c in changes:
        r = records.get(c["version"])
        if r is None:
            continue
        kind, happened = r.get("kind") or "", c["happened"]
        author = r.get("author") or ""
        parent = r.get("parent")
        kind_text = t("qa32fh_kind_" + kind, lang)
        versions.append({
            "version": r["version"], "parent": parent, "kind": kind,
            "kind_text": kind if kind_text == "qa32fh_kind_" + kind else kind_text,
            "author": t("qa32fh_this_computer", lang) if author == ANONYMOUS_AUTHOR else textrules.escaped(author),
            "created": r.get("created"), "created_iso": r.get("created_iso"),
            "file": textrules.escaped(r.get("source_name")) if kind == "import" else None,
            "target": r.get("target"), "note": note_in(r.get("note") or "", lang),
            "happened": happened,
            "happened_text": t(f"qa32fh_{'rollback' if kind == 'rollback' else 'did'}_{happened}", lang,
                               v=r.get("target")),
            # the version against the one before it: what /data's version list compares on its row's button
            "diff": {"a": parent if parent is not None else r["version"] - 1, "b": r["version"]}})
    ft = types.get(key)
    # the map's edits of it in versions a backup restore dropped since: the history no longer holds them, the audit
    # log does (QA 34: "no data version has changed it" above an entry saying "data version 4; name ... -> ...")
    dropped = removed_versions(fid, set(records), store.region_name, lang)[0]
    return {"id": textrules.escaped(fid), "type": key, "type_text": ft.name(lang) if ft is not None else key,
            "name": textrules.escaped(name), "since": since, "versions": versions, "dropped": dropped}


#: The map's actions on a facility, as an "edit" audit entry records them (web/data.py EDIT_ACTIONS less the
#: candidate sites' and marks').
FACILITY_EDITS = ("add", "move", "remove", "rename", "update")
#: The most audit entries read for one facility's edits, and for the restores (bounded: an audit search).
REMOVED_ENTRIES = 500


def removed_versions(fid: str, existing: set, region: str, lang: str) -> tuple[list[dict], str | None]:
    """The map's edits of facility ``fid`` the audit log records in data versions the history no longer holds
    (``existing``: the versions it holds; a backup restore drops the versions made after the backup, and the audit
    entries made meanwhile are carried over), oldest first, and the facility type the entries name (None without
    any). Each ``{"version", "action", "what", "author", "at", "restored_at", "restore_file", "backup_created"}``:
    ``what`` the edit in ``lang`` ("设施更名；名称 甲 → 乙"); ``restored_at`` (seconds since the epoch), the archive
    and the backup's time of the restore whose ``dropped_versions`` names the version in ``region``, None when no
    restore entry does."""
    users = ext().get("users")
    if users is None or not fid:
        return [], None
    try:
        _, rows = users.audit_list(limit=REMOVED_ENTRIES, action="edit", q=fid)
        mine = []
        for r in rows:
            d = r.get("detail") or {}
            v = d.get("version")
            if (str(r.get("object") or "") == fid and d.get("action") in FACILITY_EDITS and isinstance(v, int)
                    and not isinstance(v, bool) and v not in existing):
                mine.append(r)
        if not mine:
            return [], None
        _, restores = users.audit_list(limit=REMOVED_ENTRIES, action="restore")
    except Exception:  # the log unreadable: the versions that exist are still answered
        log.exception("audit log unreadable for the removed versions of %r", fid)
        return [], None

    def restore_of(v: int) -> dict | None:
        for x in sorted(restores, key=lambda x: x["id"]):
            said = (x.get("detail") or {}).get("dropped_versions") or []
            if any(isinstance(p, (list, tuple)) and len(p) == 2 and str(p[0]) == region and p[1] == v for p in said):
                return x
        return None

    out = []
    for r in sorted(mine, key=lambda r: r["id"]):
        d = r["detail"]
        by = restore_of(d["version"])
        made = (by.get("detail") or {}).get("backup_created") if by else None
        out.append({"version": d["version"], "action": d["action"],
                    "what": textrules.escaped(audit_detail_text({k: d[k] for k in ("action", "name") if k in d}, lang)),
                    "author": actor_text(r, lang), "at": r["at"],
                    "restored_at": by["at"] if by else None,
                    "restore_file": textrules.escaped(str(by.get("object") or "")) if by else None,
                    "backup_created": made if isinstance(made, str) else None})
    return out, str(mine[-1]["detail"].get("type") or "") or None


@bp.get("/api/admin/audit")
def admin_audit():
    from web.proposals import number_param

    # a bad value is a 400 naming it, as /api/search's limit: not silently the first page
    limit = number_param(request.args.get("limit"), "limit", minimum=1, maximum=500, kind=int)
    offset = number_param(request.args.get("offset"), "offset", minimum=0, maximum=10**8, kind=int)
    limit, offset = (50 if limit is None else limit), (0 if offset is None else offset)
    action = request.args.get("action") or None
    if action is not None and t("audit_" + action, "en") == "audit_" + action:  # no such action: not "0 rows"
        from planner.i18n import catalogue
        known = sorted(k[len("audit_"):] for k in catalogue("en") if k.startswith("audit_"))
        raise bad_param("action", action, "one of " + ", ".join(known), "以下之一：" + "、".join(known))
    total, rows = ext()["users"].audit_list(limit=limit, offset=offset, action=action,
                                            user=request.args.get("user") or None,
                                            q=(request.args.get("q") or "").strip()[:80] or None)
    # in words (web/users.py UserStore.worded, as `coverplan users audit` prints them); "no such account" only for a
    # name that is no account's now nor was one's before a rename (QA 34)
    ext()["users"].worded(rows, g.lang, audit_detail_text)
    q = (request.args.get("q") or "").strip()[:80]
    # a facility's id: the data versions that changed it too (imports and rollbacks are logged by file, QA 32)
    facility = facility_history(q, g.lang) if q else None
    return jsonify({"total": total, "limit": limit, "offset": offset, "rows": rows,
                    "actions": ext()["users"].actions(), "facility": facility})

