"""The JSON API behind every page (documented in web/API.md)."""
from __future__ import annotations

import math
import sqlite3
import threading
import time
from datetime import datetime

from flask import Blueprint, g, jsonify, request

from geo.errors import CoverplanError, InputDataError
from planner.i18n import cost_text, pick, t
from planner.textrules import TypedInt
from web import auth, capacity_proposals, exports, proposals
from web.errors import Forbidden, JobEnded, bad_param, json_object, no_body, not_found
from web.extensions import ext
from web.jobs import FINAL, JobSaving
from web.params import number, query, refused

MODES = ("estimate", "network")

bp = Blueprint("api", __name__, url_prefix="/api")
health = Blueprint("health", __name__)


def svc():
    return ext()["service"]


def heavy(compute):
    """``compute`` counted, while it runs, against the requesting user's heavy answers (web.service.Service.heavy:
    at most HEAVY_PER_USER at once, else 429 with ``Retry-After``): the solves' queue limits did not cover the GETs
    that compute in the request's thread (a bed breakdown, an upgrade's solve, an offline map; review 36). Only
    the computation counts, an answer already cached is never refused."""
    from web.security import job_owner
    from web.service import HeavyBusy

    s, who = svc(), job_owner()

    def run():
        try:
            with s.heavy(who):
                return compute()
        except HeavyBusy as exc:
            g._cp_retry_after = exc.details["retry_after"]  # the header, added by retry_after() below
            raise
    return run


@bp.after_app_request
def retry_after(resp):
    """A heavy answer refused (:func:`heavy`) says when to try again, as a locked login's 429 does."""
    wait = g.pop("_cp_retry_after", None)
    if wait is not None and resp.status_code == 429:
        resp.headers["Retry-After"] = str(wait)
    return resp


def revalidated(body) -> "flask.Response":
    """A JSON answer with an ETag: the browser keeps it and asks "changed?" (304 when not).

    ``no-cache`` (not ``max-age``) so a new data version is seen at once.
    """
    from web import answers  # encoded, hashed and compressed once per kept answer (web/answers.py)

    resp = answers.revalidated(body)
    # the data version the layer was drawn from, as versioned() gives the figures' answers (the map layers had
    # none, QA 30)
    resp.headers[DATA_VERSION_HEADER] = str(svc().version())
    return resp


#: The response header that names the data version an answer's figures come from: every answer of figures
#: drawn from the data carries it, a bare list too (``/api/targets``, whose shape callers rely on), so a
#: script can tell which data version a figure came from while imports happen (web/API.md).
DATA_VERSION_HEADER = "X-Coverplan-Data-Version"


def versioned(body):
    """A JSON answer of figures drawn from the current data: an object gains ``dataset_version`` (as
    /api/coverage/<type> and the CLI's --json give it), and every answer the ``X-Coverplan-Data-Version``
    header. The version is the request's own (read once per request, as the cached figures were)."""
    v = svc().version()
    resp = jsonify({**body, "dataset_version": v} if isinstance(body, dict) else body)
    resp.headers[DATA_VERSION_HEADER] = str(v)
    return resp


@bp.get("/region")
def region():
    s = svc()
    info = s.region_summary()
    return jsonify({**info, "provenance_full": s.region.provenance})


@bp.get("/region/layers")
def region_layers():
    return revalidated(svc().region_layers())


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
    # "planner" stays in the answer for monitoring scripts: it is one distribution with the web
    # app (imported above), so a server that answers at all has it.
    # data_version: an open page compares it with the one it shows (web/static/common.js), so a colleague's
    # import or edit is said there, not found out from a refused edit (QA 19)
    return jsonify({"status": "ok", "region": s.region_name, "planner": True, "time": time.time(),
                    "data_version": s.version()})


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
    # code, Chinese or English name (an English page's user types "Yunxi"), or the code as a number (4.20325e5)
    code = auth.county_code(county_value(value))
    if code is None:
        raise county_refused(value)
    return code


def check_sites(params: dict) -> None:
    """A location proposal's number of new sites against the candidate sites that may be chosen (not existing
    facilities, not marked forbidden) in its county or the city: a 400 before any job, as K is checked (QA 31:
    p = 8, the type's default, with 6 candidates in 茅箭区 was queued and failed; with none, its message said
    "lower p")."""
    p = params.get("p")
    if params.get("kind", "location") != "location" or params.get("model") == "lscp" \
            or not isinstance(p, int) or isinstance(p, bool):
        return
    from planner.coverage import county_type, existing_facilities
    from planner.sites import choosable_counts

    s = svc()
    county = params.get("county")
    # a county where the type has no demand at all is said as such first (planner.coverage.county_type)
    ft = county_type(s.get_type(params["type"]), county, s.region)
    n = choosable_counts(s.region, ft, existing_facilities(s.region, ft))
    have = n["by_county"].get(str(county), 0) if county else n["total"]
    if p <= have:
        return
    where_en = f" in {auth.county_label(county, 'en')}" if county else ""
    where_zh = auth.county_label(county, "zh") if county else "全市"
    if have == 0:
        raise refused("p", p, f"a candidate site to choose{where_en}, and there is none (every one is an existing "
                      "facility or marked forbidden): add candidate sites on the map, clear forbidden marks, or "
                      "solve for another county",
                      f"可选的候选点，但{where_zh}没有（均为现有设施或已标记为禁选）：请在地图上添加候选点、"
                      "取消禁选标记，或改选其他县区")
    raise refused("p", p, f"at most {have:,}, the candidate sites that may be chosen{where_en} (not existing "
                  "facilities, not marked forbidden)",
                  f"不超过 {have:,}，即{where_zh}可选的候选点数（不含现有设施和禁选点）")


def county_refused(value) -> InputDataError:
    """The 400 for a ``county`` that names no county, the value as typed (4.20325e5, not 420325.0)."""
    return refused("county", value, "a county code or name: " + auth.county_choices("en"),
                   "县区代码或名称：" + auth.county_choices("zh"))


def county_value(value):
    """A ``county`` as the county check reads it: its code written as a number (a JSON number 420325.0 or
    4.20325e5, or that text in the address or a form) is the code, as ``1e3`` is 1000 for every number the API
    takes; a county's name, or code as text, is unchanged. A JSON number that is no county's code (420325.5,
    -420325, 1e20) is a 400 naming it as typed; ``true`` and other values are left to the check."""
    if isinstance(value, bool) or not isinstance(value, (float, str)):
        return value
    if isinstance(value, str) and (auth.county_code(value) is not None or not value.strip()):
        return value
    try:
        code = number(value, "county", int)  # whole and finite (420325.5, inf, nan, 1e999: not)
    except InputDataError:
        code = None
    if code is not None and auth.county_code(code) is not None:
        return code
    if isinstance(value, float):
        raise county_refused(value)
    return value  # text: refused by the check, as it was sent


def arg_bool(name: str, default: bool = False) -> bool:
    value = request.args.get(name, "1" if default else "0").lower()
    if value not in ("0", "1", "true", "false", "yes", "no"):
        # it takes true/false and yes/no too, so the message names them (it said "0 or 1" beside a "yes" taken)
        raise bad_param(name, value, "0 or 1 (or true/false, yes/no)", "0 或 1（或 true/false、yes/no）")
    return value in ("1", "true", "yes")


# -- finding places ----------------------------------------------------------
@bp.get("/search")
def search():
    """Counties, townships and villages by name (a county's also in English) or code: ``?q=武当&limit=20``."""
    q = request.args.get("q", "")
    if len(q) > 50:
        raise bad_param("q", q[:50] + "…", "at most 50 characters", "不超过 50 个字符")
    limit = proposals.number_param(request.args.get("limit"), "limit", minimum=1, maximum=100, kind=int) or 20
    return jsonify(svc().search(q, limit=int(limit), lang=g.lang))


# -- coverage --------------------------------------------------------------
@bp.get("/coverage")
def coverage_all():
    return jsonify(svc().coverage_rows(g.lang))


@bp.get("/coverage/<type_key>")
def coverage(type_key: str):
    return jsonify(svc().coverage_dict(type_key, g.lang, units=arg_bool("units"), mode=arg_mode()))


@bp.get("/coverage/<type_key>/layers")
def coverage_layers(type_key: str):
    return revalidated(svc().coverage_layers(type_key, g.lang, mode=arg_mode()))


# -- township checklist ----------------------------------------------------
def _township_query() -> dict:
    s = svc()
    type_key = request.args.get("type") or None
    if type_key:
        s.get_type(type_key)  # 404 with the known types listed
    return {"type_key": type_key, "county": arg_county(),
            "status": arg_choice("status", ("met", "not_met", "na"))}


@bp.get("/townships/at")
def township_at_point():
    """The township a point lies in: ``?lon=110.79&lat=32.65`` -> ``{township_code, township_name,
    county_code, county_name}``; a point outside the region is a 400. The map asks it before it asks
    a new facility's name (a planner typed name and note and was then told the point was outside)."""
    from planner.marks import township_at

    lon = proposals.number_param(request.args.get("lon"), "lon", minimum=-180, maximum=180)
    lat = proposals.number_param(request.args.get("lat"), "lat", minimum=-90, maximum=90)
    if lon is None or lat is None:
        # the one missing named (lat missing read as lon,lat="110.8,None")
        missing = [n for n, v in (("lon", lon), ("lat", lat)) if v is None]
        words_en = " and ".join(t(n, "en").lower() for n in missing)
        words_zh = "和".join(t(n, "zh") for n in missing)
        raise InputDataError(
            f"Missing parameter{'s' if len(missing) > 1 else ''} {' and '.join(missing)} ({words_en}): give the point's longitude and latitude, "
            "e.g. ?lon=110.79&lat=32.65.",
            f"缺少参数 {'、'.join(missing)}（{words_zh}）：请给出点位的经度和纬度，如 ?lon=110.79&lat=32.65。",
            details={"parameter": missing[0], "missing": missing})
    r = svc().region
    code = township_at(r, lon, lat)
    county = str(r.townships.loc[code, "county_code"])
    return jsonify({"township_code": str(code), "township_name": str(r.townships.loc[code, "name"]),
                    "county_code": county, "county_name": svc().county_names(g.lang).get(county, county)})


@bp.get("/townships")
def townships():
    return jsonify(svc().township_rows(g.lang, **_township_query()))


@bp.get("/townships.<fmt>")
def townships_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise bad_param("format", fmt, "csv or xlsx", "csv 或 xlsx")
    q = _township_query()
    rows = svc().township_rows(g.lang, **q)
    # the page's search box (client-side) narrows what is shown: the file holds the same rows,
    # matched as townships.js matches them (name, code and county, case-insensitive)
    text = (request.args.get("q") or "").strip()
    if text:
        rows = [r for r in rows if text.lower() in
                f"{r['township_name']} {r['township_code']} {r['county_name']}".lower()]
    s = svc()
    # The page's capacity columns (per 1,000 against the standard, shortfall) go into the file too.
    capacity = _capacity_by_township()
    for r in rows:
        c = capacity.get(r["type"], {}).get(r["township_code"])
        # "na": nothing to compare in this township (no demand, or a type assessed per county):
        # the columns stay empty, as the page shows them
        if c and c["status"] != "na":
            # one decimal, as the page shows it
            r["cap_ratio"] = round(c["ratio_per_1000"], 1) if c["ratio_per_1000"] is not None else None
            r["cap_standard"] = c["standard_per_1000"]
            # whole places, rounded up as on the page
            r["cap_shortfall"] = math.ceil(c["shortfall"]) if c["shortfall"] and c["shortfall"] > 0 else 0
    parts = [f"{t('facility_type', g.lang)}: {s.get_type(q['type_key']).name(g.lang) if q['type_key'] else t('all', g.lang)}",
             f"{t('county', g.lang)}: {auth.county_label(q['county'], g.lang) if q['county'] else t('whole_city', g.lang)}",
             f"{t('status', g.lang)}: {t('status_' + q['status'], g.lang) if q['status'] else t('all', g.lang)}",
             t("tw_text_contains", g.lang, q=text) if text else "",
             f"{t('rows', g.lang)}: {len(rows)}", f"{t('data_version_label', g.lang)} v{s.version()}"]
    title = exports.export_title(t("checklist_title", g.lang), parts, g.lang)
    return exports.table_response(rows, exports.TOWNSHIP_COLUMNS, fmt, "townships", g.lang, title=title)


# -- targets ---------------------------------------------------------------
@bp.get("/targets")
def targets():
    """Targets now; with ``?proposals=id1,id2`` also their status once those proposals are built;
    ``?mode=network`` measures the coverage targets on the loaded road network.

    The proposals form one package: an id given twice is one proposal (else its
    sites would count twice), and proposals of one type are combined by the
    planner. Any unknown id is a 404 before anything is computed.
    """
    ids = list(dict.fromkeys(i.strip() for i in request.args.get("proposals", "").split(",") if i.strip()))
    recs = [proposals.saved(i) for i in ids]
    applied = [{"type": rec["type"], "sites": proposals.sites_gdf(rec), **capacity_proposals.applied(rec)}
               for rec in recs]
    rows = svc().targets(g.lang, applied or None, mode=arg_mode())
    overlap = capacity_proposals.overlap_notes(recs, g.lang)  # one facility upgraded and converted
    # a bare list, as the pages and scripts read it: its data version is in the header (versioned)
    return versioned([{**r, "overlap_note": overlap[r["type"]]} if r.get("type") in overlap else r for r in rows])


# -- proposals and jobs ----------------------------------------------------
def job_dict(job) -> dict:
    d = job.to_dict()
    d["url"] = f"/api/jobs/{job.id}"
    d["cancel"] = f"/api/jobs/{job.id}/cancel"
    if keepable(job) and job.state in ("queued", "running"):
        d["finish"] = f"/api/jobs/{job.id}/finish"  # stop and save the plan found so far
    d["message"] = proposals.stage_text(job.message, g.lang, job.params)
    if job.state == "interrupted":
        d["message"] = ("The server restarted while this calculation ran; start it again."
                        if g.lang == "en" else "计算过程中服务器已重启，计算被中断，请重新提交。")
    elif job.state == "cancelled" and job.keep_requested:  # stopped to save, before the solve had any plan
        d["message"] = ("Stopped before any plan was found: nothing was saved. Start it again and stop it later, "
                        "or let it finish." if g.lang == "en" else "在找到任何方案之前已停止，未保存方案。可重新计算，"
                        "稍后再停止，或等待其完成。")
    elif job.stop_reason and job.state in job.stop_reason:  # cancelled by another: why (its account was disabled)
        d["message"] = job.stop_reason[job.state]["en" if g.lang == "en" else "zh"]
    elif job.state == "cancelled":  # not the stage it was at ("solving ..."), which read as still running
        d["message"] = "Cancelled." if g.lang == "en" else "已取消。"
    elif job.state == "done":  # a solve's last stage was "saving" (保存方案), which read as not finished (QA 22)
        d["message"] = proposals.stage_text("done", g.lang)
    elif job.state == "failed":  # not its last stage ("done", "saving"): a refused save read as finished (QA 31)
        d["message"] = "Failed: see the error." if g.lang == "en" else "计算失败：见错误说明。"
    elif job.keep_requested and job.state == "running":
        d["message"] = "Stopping: the best plan found so far will be saved." if g.lang == "en" \
            else "正在停止：将保存目前找到的最佳方案。"
    elif job.cancel_requested and job.state == "running":  # it stops at its next checkpoint
        d["message"] = "Cancelling: the calculation stops at its next checkpoint." if g.lang == "en" \
            else "正在取消：计算将在下一个检查点停止。"
    if job.error:
        lang_msg = job.error.get("message_en" if g.lang == "en" else "message_zh")
        d["error"] = {**job.error, "message": lang_msg or job.error.get("message")}
    return d


@bp.get("/proposals")
def proposals_list():
    types = svc().types()
    rows = ext()["store"].list()
    # scope and data version: the list set a county's figures and older data's beside the city's now (QA 20)
    current, names = svc().version(), svc().county_names(g.lang)
    accounts = proposals.owner_names()
    for r in rows:
        # the author by name (the stored ``owner`` is an account id): refusals say "only its author" (QA 27)
        r["owner_name"] = proposals.owner_name(r.get("owner"), g.lang, accounts)
        ft = types.get(r["type"])
        r["type_name"] = ft.name(g.lang) if ft else r["type"]
        r["name"] = proposals.display_name(r, g.lang)
        r.update(proposals.notes_view(r, g.lang))  # the app's notes in the request's language, as the GET gives them
        r.update(proposals.list_scope_and_version(r, g.lang, current, names, svc().is_current))
    return jsonify(rows)


@bp.post("/proposals")
@query("wait")
def proposals_start():
    if not request.is_json and not request.form and request.get_data(cache=True):
        json_object()  # a JSON body sent as text/plain: the 400 names the missing Content-Type
    # json_object says what is wrong with a body that is not an object (null, bad JSON ...)
    body = json_object() if request.is_json else request.form.to_dict()
    if isinstance(body, dict) and body.get("county") not in (None, ""):
        # the county as its code before the parameters are read: their checks scoped to a county (K within its
        # facilities) took 420325.0 for the whole city (QA 31)
        body = {**body, "county": county_value(body["county"])}
    params = proposals.parse_params({} if body is None else body, svc())  # [] is not an object: a 400
    # a county planner's proposal is solved for his county only (web/auth.py)
    # "" (a form's 全市 choice) is the whole city; 0, false, [] or {} is a 400 naming the field, not the city
    u = auth.user()
    if body.get("county") == "" and u.can_edit and not u.citywide:
        # the whole city asked by a county planner: refused as his re-run of a city-wide proposal is (QA 33: it was
        # solved for his county and answered 201); no county given at all is his county, as before
        raise Forbidden(f"You may make proposals for {auth.county_label(u.county, 'en')} only "
                        f"(asked: the whole city).",
                        f"您只能为 {auth.county_label(u.county)} 制定方案（所选：全市）。",
                        details={"county": "", "your_county": u.county})
    params = auth.scope_proposal(params, None if body.get("county") == "" else body.get("county"))
    check_sites(params)
    wait = _wait_seconds()
    with _CREATES:  # the check and the start at once: a double submit starts one solve
        key = _request_key(params)
        job, rec = _same_request(key)
        if rec is not None:  # saved within the last minute: that proposal, not a copy (QA 35)
            return jsonify(_reused(job, rec)), 200
        reused = job is not None  # still queued or running: that job, not a second solve
        if not reused:
            job = _start(params)
            ext().setdefault(_MADE, {})[key] = job.id
    # Holding a request open ties up a server thread: only a few may wait at
    # once, the others get the job's address at once (202) and poll it.
    waiters = ext()["waiters"]
    if wait and waiters.acquire(blocking=False):
        try:
            job = ext()["jobs"].wait(job.id, timeout=wait)
        finally:
            waiters.release()
        if job.state == "done":
            rec = proposals.saved(job.result["proposal_id"])
            if reused:
                return jsonify(_reused(job, rec)), 200
            return jsonify({**job_dict(job), "proposal": proposals.view(rec, g.lang)}), 201
        if job.state == "failed":
            return jsonify({**job_dict(job)["error"], "job": job_dict(job)}), job.error.get("status", 500)
    # "is already being solved" only while it is: a shared job cancelled or failed while this request waited is
    # answered as it ended (review of QA 35)
    sharing = reused and job.state in ("queued", "running")
    resp = jsonify({**job_dict(job), **({"reused": "job", "reused_text": t("qa35f7_reused_job", g.lang,
                                                                             v=svc().version())} if sharing else {})})
    resp.status_code = 202
    resp.headers["Location"] = f"/api/jobs/{job.id}"
    return resp


_CREATES = threading.Lock()
#: ext()'s key of {request key: job id} of the proposals started (:func:`_same_request`)
_MADE = "proposal_requests"
#: Seconds after its save in which an identical request is answered with the proposal saved (a double submit).
SAME_REQUEST_SECONDS = 60.0


def _request_key(params: dict) -> str:
    """What makes two proposal requests the same: who asks (the account; on a server without accounts, the client's
    address, as the jobs' per-user limit counts him: web.security.job_owner), the parameters as read (the name and
    note with them) and the data version they are solved on."""
    import json

    from web.security import job_owner

    return json.dumps({"owner": job_owner(), "version": svc().version(), "params": params}, sort_keys=True,
                      default=str, ensure_ascii=False)


def _same_request(key: str):
    """(job, None) of an identical request still queued or running, (job, proposal) of one saved within
    :data:`SAME_REQUEST_SECONDS`, else (None, None). Two identical posts at once (a double click, a client's retry)
    saved two identical proposals (QA 35), as re-solves did before QA 32. Requests whose job failed, was cancelled
    or is forgotten, or whose proposal was deleted or saved longer ago, are dropped from the list here; so are those
    stopped early on request ("stop and save"): asked again, the planner wants the solve run to its end."""
    made, jobs, now = ext().setdefault(_MADE, {}), ext()["jobs"], time.time()
    found = (None, None)
    for k, jid in list(made.items()):
        job = jobs.get(jid)
        running = job is not None and job.state in ("queued", "running")
        # a saved one by its job's end, not by reading every proposal inside the lock every POST waits for (review
        # of QA 35): only the one asked again is read from the store
        recent = (job is not None and job.state == "done" and isinstance(job.result, dict)
                  and job.result.get("proposal_id") and not job.keep_requested
                  and now - float(job.finished or 0) <= SAME_REQUEST_SECONDS)
        if not (running or recent):
            del made[k]
        elif k == key and running and not (job.cancel_requested or job.keep_requested):  # (one being stopped: not it)
            found = (job, None)
        elif k == key and recent:
            rec = _saved_within(job.result["proposal_id"], now)
            if rec is None:
                del made[k]
            else:
                found = (job, rec)
    return found


def _saved_within(pid: str, now: float) -> dict | None:
    """The proposal ``pid`` if it is still there, whole, and saved within :data:`SAME_REQUEST_SECONDS`; a store that
    cannot be read now (a restore in progress) is no match: the request is solved anew, never a 500."""
    try:
        rec = ext()["store"].get(pid)
    except sqlite3.Error:
        return None
    if rec is None or rec.get("damaged") or now - float(rec.get("created") or 0) > SAME_REQUEST_SECONDS:
        return None
    return rec


def _reused(job, rec: dict) -> dict:
    """The answer to a request made again within the minute: the proposal the first one saved, saying so."""
    view = proposals.view(rec, g.lang)
    at = datetime.fromtimestamp(float(rec.get("created") or 0)).strftime("%H:%M:%S")
    return {**job_dict(job), "reused": "proposal", "proposal_id": rec["id"], "proposal": view,
            "reused_text": t("qa35f7_reused", g.lang, name=view.get("name") or proposals.display_name(rec, g.lang),
                             at=at, v=(rec.get("params") or {}).get("dataset_version") or 0)}


def _start(params: dict):
    """Queue a solve owned by the current user; the audit log records it when saved."""
    u = auth.user()
    users, ip = ext()["users"], request.remote_addr

    def saved(pid: str, name: str) -> None:  # runs in the job thread: no request there, so the log is written directly
        # the name saved under (params' is "" when the planner left the name to be generated)
        users.audit("proposal_saved", user=u, obj=pid, detail={"name": name, "county": params.get("county")},
                    ip=ip)

    job = proposals.start(ext(), params, owner=u.id, on_saved=saved)
    auth.audit("proposal_started", job.id, type=params["type"], county=params.get("county"))
    return job


MAX_WAIT = 120.0


def _wait_seconds() -> float:
    raw = request.args.get("wait")
    if raw is not None and raw.strip() == "":
        # an empty wait= is refused as an empty k=, year= or convert= is: it was quietly no wait (202) (QA 35); left
        # out of the address, the answer is the job's at once
        raise bad_param("wait", raw, f"seconds to wait for the proposal, 0 to {MAX_WAIT:g} (e.g. 60); wait is empty: "
                        "give one, or leave wait out to get the job's address at once (202)",
                        f"等待方案的秒数，0 至 {MAX_WAIT:g}（如 60）；wait 为空：请填写，或不带 wait 参数以立即得到任务地址"
                        "（202）")
    if raw in (None, "0"):
        return 0.0
    value = proposals.number_param(raw, "wait", minimum=0, maximum=MAX_WAIT)
    return value or 0.0


@bp.get("/proposals/<pid>")
def proposal_get(pid: str):
    return jsonify(proposals.view(proposals.saved(pid), g.lang))


@bp.post("/proposals/<pid>/rerun")
def proposal_rerun(pid: str):
    """Solve a saved proposal again, with the same parameters, on the current data version.

    The answer is the job (202); its proposal records ``rerun_of`` so the page
    can show the difference (the compare page, same type by construction).
    """
    no_body(what_en="a re-run", what_zh="重新求解")
    rec = proposals.saved(pid)
    scope = (rec.get("params") or {}).get("county") or None
    u = auth.user()
    if not u.citywide and scope != u.county:
        # re-scoping it to his county would save another county's plan (and name) over his county's
        # sites: refused as creating a proposal for that scope is
        if scope:
            auth.scope_proposal({}, scope)  # the 403 "you may make proposals for <county> only"
        raise Forbidden(f"You may make proposals for {auth.county_label(u.county, 'en')} only "
                        f"(asked: the whole city).",
                        f"您只能为 {auth.county_label(u.county)} 制定方案（所选：全市）。")
    # an upgrade is not compared side by side (its before/after is served demand): open the new one, whose page
    # says how it differs (proposal_rerun_diff)
    upgrade = (rec.get("summary") or {}).get("kind") == "upgrade"
    compare = "/proposals/" if upgrade else f"/proposals/compare?a={pid}&b="
    with _RERUNS:  # the check and the start at once: a double click starts one solve
        version = svc().version()
        # the planner's own re-solve on this data version, saved or still running, is opened: each click saved
        # another copy of the same name (QA 32: three "互助50处提档·v3")
        mine = _own_rerun(pid, version, u)
        if isinstance(mine, dict):
            name = proposals.display_name(mine, g.lang)
            return jsonify({"reused": "proposal", "rerun_of": pid, "state": "done", "proposal_id": mine["id"],
                            "result": {"proposal_id": mine["id"], "url": f"/proposals/{mine['id']}",
                                       "api": f"/api/proposals/{mine['id']}"},
                            "compare": compare, "reused_text": t("qa32fi_reused", g.lang, v=version, name=name)})
        if mine is not None:
            resp = jsonify({**job_dict(mine), "reused": "job", "rerun_of": pid, "compare": compare,
                            "reused_text": t("qa32fi_reused_job", g.lang, v=version)})
            resp.status_code = 202
            resp.headers["Location"] = f"/api/jobs/{mine.id}"
            return resp
        params = proposals.rerun_params(rec, svc())
        # solved again for the same county (a county planner's own county, checked above)
        params = auth.scope_proposal(params, scope if u.citywide else None)
        # another planner's re-solve on this version is his (only he may rename or delete it): this one is saved
        # for whom clicked, under a name of its own ("…·v3 #2"), never a second proposal of the same name
        params = _unused_rerun_name(pid, version, params)
        job = _start(params)
    resp = jsonify({**job_dict(job), "rerun_of": pid, "compare": compare})
    resp.status_code = 202
    resp.headers["Location"] = f"/api/jobs/{job.id}"
    return resp


_RERUNS = threading.Lock()


def _reruns(pid: str, version: int) -> list[dict]:
    """The saved re-solves of ``pid`` on data version ``version``, newest first."""
    return [r for r in ext()["store"].list()
            if (r.get("params") or {}).get("rerun_of") == pid
            and int((r.get("params") or {}).get("dataset_version") or 0) == int(version)]


def _own_rerun(pid: str, version: int, u):
    """The user's re-solve of ``pid`` on ``version``: his saved proposal (a dict), else his job still queued or
    running (a Job), else None."""
    for r in _reruns(pid, version):
        if not r.get("damaged") and r.get("owner") == u.id:
            return r
    from web.security import job_owner

    me = job_owner()
    for j in ext()["jobs"].list():
        p = j.params or {}
        if (j.state in ("queued", "running") and p.get("rerun_of") == pid and j.owner == me
                and int(p.get("dataset_version") or 0) == int(version)):
            return j
    return None


def _unused_rerun_name(pid: str, version: int, params: dict) -> dict:
    """``params`` named apart from the re-solves of ``pid`` on ``version`` (another planner's, saved or running):
    its name, or ``name #2``, ``#3``... when one has it in either language. A name the app made is made in both
    languages (``params.auto_name``, web.proposals.rerun_params) and shown in the page's: the check compares both
    (QA 34: a zh page's and an en page's re-solve on one version were named alike, each compared in its own
    language), and a number is added to both alike."""
    name = str(params.get("name") or "")
    auto = params.get("auto_name") if isinstance(params.get("auto_name"), dict) else None
    taken: set[str] = set()
    for r in _reruns(pid, version):
        taken |= {proposals.display_name(r, la) for la in ("zh", "en")}
    for j in ext()["jobs"].list():
        p = j.params or {}
        if p.get("rerun_of") == pid and j.state in ("queued", "running"):
            taken.add(str(p.get("name") or ""))
            if isinstance(p.get("auto_name"), dict):
                taken |= {str(v) for v in p["auto_name"].values()}
    taken.discard("")
    names = {name, *(str(v) for v in auto.values())} if auto else {name}
    n, tail = 1, ""
    while any(f"{x}{tail}" in taken for x in names):
        n += 1
        tail = f" #{n}"
    if not tail:
        return params
    out = {**params, "name": f"{name}{tail}"}
    if auto:
        out["auto_name"] = {la: f"{v}{tail}" for la, v in auto.items()}
    return out


@bp.get("/proposals/<pid>/rerun-diff")
def proposal_rerun_diff(pid: str):
    """How a re-solve (a proposal with ``params.rerun_of``) differs from the proposal it solved again: the
    figures of both, side by side, and for an upgrade the facilities newly chosen and no longer chosen (QA 32:
    an upgrade's re-solve opened alone and nothing said what had changed). Why (QA 33): ``data_changes``, the
    data it rests on that changed between the two data versions (with counts where the data page's diff has
    them), ``data_unchanged``, and ``settings_changes``, the solve settings that differ; ``data_lines`` says
    that in words. ``lines`` says it all in sentences; a proposal that is no re-solve answers
    ``{"rerun_of": null}``."""
    rec = proposals.saved(pid)
    lang, params = g.lang, rec.get("params") or {}
    of = params.get("rerun_of")
    if not of:
        return jsonify({"rerun_of": None, "lines": [], "rows": [], "sites": None})
    vb = int(params.get("dataset_version") or 0)
    old_rec = ext()["store"].get(str(of))
    if old_rec is None:
        return jsonify({"rerun_of": of, "old": None, "rows": [], "sites": None, "compare": None,
                        "lines": [t("qa32fi_diff_gone", lang, v=vb, id=of)]})
    old, new = proposals.view(old_rec, lang), proposals.view(rec, lang)
    va = int((old_rec.get("params") or {}).get("dataset_version") or 0)
    upgrade = new.get("kind") == "upgrade"
    out = {"rerun_of": of, "kind": new.get("kind") or "location",
           "old": {"id": of, "name": old["name"], "version": va, "url": f"/proposals/{of}"},
           "new": {"id": pid, "name": new["name"], "version": vb},
           "headers": [t("metric", lang), t("qa32fi_diff_old", lang, v=va), t("qa32fi_diff_new", lang, v=vb)],
           "rows": _rerun_rows(old, new, lang), "sites": None,
           # the compare page takes two proposals of new sites of one type (web.pages.compare)
           "compare": None if upgrade or old.get("kind") == "upgrade" or old_rec.get("type") != rec.get("type")
           else f"/proposals/compare?a={of}&b={pid}"}
    # why it differs: the data the proposal rests on that changed between the two versions, else the settings
    changes, unchanged, said = _rerun_data(old_rec, rec, va, vb, lang)
    settings = _rerun_settings(old_rec, rec, lang)
    said += _rerun_settings_lines(settings, bool(changes), lang)
    out.update({"data_changes": changes, "data_unchanged": unchanged, "settings_changes": settings,
                "data_lines": said})
    lines = [t("qa32fi_diff_intro", lang, name=old["name"], a=va, b=vb), *said]
    if upgrade:
        sites = _rerun_sites(old, new, lang)
        out["sites"] = sites
        if not sites["added"] and not sites["dropped"]:
            lines.append(t("qa32fi_diff_same", lang, n=sites["kept"]))
        else:
            for key in ("added", "dropped"):
                if sites[key]:
                    lines.append(t(f"qa32fi_diff_{key}", lang, n=len(sites[key]), names=_some(sites[key], lang)))
            lines.append(t("qa32fi_diff_kept", lang, n=sites["kept"]))
    out["lines"] = lines
    return jsonify(out)


#: What a data layer's change is counted in (web.service.layer_counts), in the order said (a Chinese count takes
#: its layer's unit, qa33f4_u_<layer>: 处, 个, 行).
_RERUN_COUNTS = ("added", "removed", "moved", "renamed", "capacity", "details", "changed", "requalified")
#: The layers of places and people, counted in a county's proposal's county (web.service.layer_counts): the
#: township boundaries, the village points, the population rows.
_RERUN_PLACES = ("townships", "villages", "population")


def _rerun_data(old_rec: dict, rec: dict, va: int, vb: int, lang: str) -> tuple[list[dict], list[dict], list[str]]:
    """The data a re-solve and the proposal it solved again rest on (web.proposals.depends_on) that changed from
    version ``va`` to ``vb`` (web.service.changed_layers: its type's facilities, and the townships, villages and
    population rows, in its county for a county's proposal), each with its label and, where the data page's diff
    counts them, the counts; the layers that did not change; and that said in a sentence (QA 33: the card said what
    differed, never why)."""
    service = svc()
    la, county = proposals.depends_on(old_rec, service)
    lb, county_b = proposals.depends_on(rec, service)
    county = county or county_b
    layers = (*la, *lb) if la is not None and lb is not None else service.layer_names(va)
    layers = tuple(dict.fromkeys(layers))
    changed = service.changed_layers(va, layers, county, to=vb) if va != vb else []
    counts = service.layer_counts(va, vb, changed, county) if changed else {}
    if county:
        # a county's proposal rests on its county's townships, villages and population rows (counted there,
        # web.service.layer_counts): a layer changed in other counties only is no change of it, said so below as
        # another county's facilities are (QA 34: a village moved in another county was listed as its change)
        places = [x for x in changed if x in _RERUN_PLACES and counts.get(x) is not None
                  and not any(counts[x].values())]
        city = service.layer_counts(va, vb, places) if places else {}
        elsewhere_only = {x for x in places if any((city.get(x) or {}).values())}
        changed = [x for x in changed if x not in elsewhere_only]
    where = service.county_names(lang).get(str(county), str(county)) if county else None
    sep = t("layer_list_sep", lang)
    items = []
    for name in changed:
        label = proposals.layer_labels([name], lang, service)
        n = counts.get(name)
        kind = name.split(":", 1)[0]
        said = [t(f"qa33f4_n_{k}", lang, n=f"{n[k]:,}", u=t(f"qa33f4_u_{kind}", lang))
                for k in _RERUN_COUNTS if n and n.get(k)]
        in_county = where and (kind == "facilities" or name in _RERUN_PLACES)
        scoped = t("qa33f4_in_county", lang, county=where) if in_county else ""
        text = t("qa33f4_layer_counts", lang, layer=label + scoped,
                 counts=sep.join(said) if said else t("qa33f4_layer_changed", lang))
        items.append({"layer": name, "label": label, "county": str(county) if scoped else None,
                      "counts": n if n else None, "text": text})
    unchanged = [{"layer": x, "label": proposals.layer_labels([x], lang, service)} for x in layers if x not in changed]
    if va == vb:
        lines = [t("qa33f4_data_same_version", lang, v=va)]
    elif items:
        rest = sep.join(x["label"] for x in unchanged)
        lines = [t("qa33f4_data_changed", lang, a=va, b=vb, changes=t("qa33f4_item_sep", lang).join(x["text"] for x in items))
                 + (t("qa33f4_data_rest_same", lang, layers=rest) if rest else "")]
    else:
        # what changed, city-wide (a whole register imported again rewrites every type's layer: only the types whose
        # facilities differ changed, web.service.changed_layers); a county proposal's own type changed in other
        # counties only is said so, not as a layer it does not rest on (QA 33)
        others = service.changed_layers(va, service.layer_names(va), to=vb)
        elsewhere = t("qa33f13_other_counties", lang)
        lines = [t("qa33f4_data_unaffected" if others else "qa33f4_data_same", lang, a=va, b=vb,
                   layers=sep.join(proposals.layer_labels([x], lang, service) + (elsewhere if x in layers else "")
                                   for x in others))]
    return items, unchanged, lines


def _solve_settings(rec: dict) -> dict:
    """A saved proposal's solve settings as its summary records them (the parameters the solver was given, the
    standard among them), with the model solved and how the solve ended, flat: ``standard.urban``."""
    summary = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    params = summary.get("params") if isinstance(summary.get("params"), dict) else {}
    solver = summary.get("solver") if isinstance(summary.get("solver"), dict) else {}
    flat: dict = {}
    for k, v in params.items():
        if k in ("type", "site_marks") or (k == "model" and solver.get("model")):  # marks are data; the model below
            continue
        if isinstance(v, dict):
            flat.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        else:
            flat[k] = v
    for k in ("model", "status"):
        if solver.get(k) is not None:
            flat["solver." + k] = solver[k]
    return flat


def _rerun_settings(old_rec: dict, rec: dict, lang: str) -> list[dict]:
    """The solve settings that differ between the two proposals: the key, its label and both values as said."""
    a, b = _solve_settings(old_rec), _solve_settings(rec)
    units = (a.get("standard.unit"), b.get("standard.unit"))

    def shown(key: str, v, unit) -> str:
        if v is None:
            return "–"
        if key == "solver.model" or key == "model":
            return t(f"model_{v}", lang) if t(f"model_{v}", lang) != f"model_{v}" else str(v)
        if key == "solver.status":
            return t(f"solver_{v}", lang) if t(f"solver_{v}", lang) != f"solver_{v}" else str(v)
        if key == "mode":
            return t(f"mode_{v}", lang) if t(f"mode_{v}", lang) != f"mode_{v}" else str(v)
        if isinstance(v, bool):
            return t("yes" if v else "no", lang)
        if key in ("standard.urban", "standard.rural") and unit and isinstance(v, (int, float)):
            return cost_text(v, unit, lang)
        if isinstance(v, float) and math.isfinite(v):
            return f"{v:,g}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    out = []
    for key in dict.fromkeys([*a, *b]):
        if key == "standard.unit":  # said with the standard's figures (15 min, 1.0 km)
            continue
        if a.get(key) == b.get(key) and (not key.startswith("standard.") or units[0] == units[1]):
            continue
        label = t(f"qa33f4_set_{key.replace('.', '_')}", lang)
        out.append({"key": key, "label": key if label.startswith("qa33f4_set_") else label,
                    "old": shown(key, a.get(key), units[0]), "new": shown(key, b.get(key), units[1])})
    return out


def _rerun_settings_lines(settings: list[dict], data_changed: bool, lang: str) -> list[str]:
    """The settings that differ, in a sentence; with the same data and the same settings, that the solver's own
    choice made the difference."""
    if settings:
        sep = t("qa33f4_item_sep", lang)
        return [t("qa33f4_settings_differ", lang, changes=sep.join(
            t("qa33f4_setting", lang, label=s["label"], old=s["old"], new=s["new"]) for s in settings))]
    return [] if data_changed else [t("qa33f4_settings_same", lang)]


def _rerun_rows(old: dict, new: dict, lang: str) -> list[dict]:
    """The two proposals' before/after figures, row by row as the page words them (web.proposals.headline)."""
    def span(r: dict) -> str:
        return str(r["before"]) if r["before"] == r["after"] else f"{r['before']} → {r['after']}"

    try:
        a, b = proposals.headline(old, lang)[1], proposals.headline(new, lang)[1]
    except Exception:  # a damaged or very old record: the sites below still say what changed
        a, b = [], []
    by_a = {r["label"]: r for r in a}
    rows = [{"label": r["label"], "old": span(by_a[r["label"]]) if r["label"] in by_a else "–", "new": span(r)}
            for r in b]
    rows += [{"label": r["label"], "old": span(r), "new": "–"} for r in a if r["label"] not in {x["label"] for x in b}]
    upgrade = new.get("kind") == "upgrade"
    rows.append({"label": t("qa32fi_diff_n_chosen" if upgrade else "qa32fi_diff_n_sites", lang),
                 "old": f"{len(old.get('sites') or []):,}", "new": f"{len(new.get('sites') or []):,}"})
    costs = [(x.get("after") or {}).get("cost") for x in (old, new)]
    if upgrade and any(c is not None for c in costs):
        rows.append({"label": t("qa32fi_diff_cost", lang),
                     "old": "–" if costs[0] is None else f"{costs[0]:,.0f}", "new": "–" if costs[1] is None else f"{costs[1]:,.0f}"})
    return rows


def _rerun_sites(old: dict, new: dict, lang: str) -> dict:
    """An upgrade's chosen facilities, by id: those the re-solve adds, those it drops, how many both chose."""
    def named(s: dict) -> str:
        name, fid = str(s.get("name") or "").strip(), str(s.get("id") or "")
        return (f"{name} ({fid})" if lang == "en" else f"{name}（{fid}）") if name else fid

    ids_a = {str(s.get("id")): s for s in old.get("sites") or []}
    ids_b = {str(s.get("id")): s for s in new.get("sites") or []}
    return {"added": [named(s) for i, s in ids_b.items() if i not in ids_a],
            "dropped": [named(s) for i, s in ids_a.items() if i not in ids_b],
            "kept": sum(1 for i in ids_b if i in ids_a)}


def _some(names: list[str], lang: str, most: int = 20) -> str:
    """The first ``most`` names, and how many more."""
    shown = ("; " if lang == "en" else "；").join(names[:most])
    if len(names) > most:
        shown += (" " if lang == "en" else "") + t("qa32fi_diff_more", lang, total=len(names), more=len(names) - most)
    return shown


_PROPOSAL_EDITS = threading.Lock()


@bp.patch("/proposals/<pid>")
def proposal_edit(pid: str):
    """Rename a saved proposal or change its note: ``{"name": ..., "note": ...}``, as JSON only (as the data's edits
    and rollback: a form was taken, and its csrf_token refused as a field with the token echoed, QA 33)."""
    # (a form whose csrf_token the CSRF check read has its body parsed already: get_data is then empty, and the form
    # got "body="" is invalid" where the same form without the token got this clear 400, QA 35)
    if not request.is_json and (request.get_data(cache=True) or request.form or request.files):
        json_object()  # a form, or JSON sent as text/plain: the 400 says it must be sent as JSON, and why
    body = request.get_json(silent=True) if request.is_json else None
    if body is None and request.get_data(cache=True):
        json_object()  # sent but not JSON: the 400 says why (nested too deep, NaN, a missing comma...)
    if body is None:
        raise bad_param("body", request.get_data(as_text=True)[:80], "a JSON object with name and/or note",
                        "含 name 和/或 note 的 JSON 对象")
    changes = proposals.parse_edit(body)
    with _PROPOSAL_EDITS:  # the check and the write at once: two saves at the same moment cannot both pass
        rec = proposals.saved(pid)
        auth.require_manage_proposal(rec, "change", "修改")
        from web.errors import EditConflict
        try:
            proposals.check_unchanged(rec, body)
        except EditConflict as exc:
            raise _conflict_by(rec, exc, body.get("was")) from None
        changes = _what_changes(rec, changes)
        ext()["store"].update(pid, **changes, by=_editor())
    auth.audit("proposal_renamed", pid, **changes)
    svc().forget_proposal(pid)  # the map layers carry the name
    return jsonify(proposals.view(proposals.saved(pid), g.lang))


def _editor() -> str:
    """Who renames a proposal or changes its note, as the store keeps it (``updated_by``): the account, or on an open
    server the name its author header gives (as the data's edits, web/data.py), else this computer."""
    u = auth.user()
    if u.id != "local":
        return f"user:{u.id}"
    header = (request.headers.get(auth.AUTHOR_HEADER) or "").strip()
    return f"name:{header[:60]}" if header else "local"


def _editor_name(by: str | None, lang: str) -> str | None:
    """``updated_by`` in words: the account's name now, the author header's name, 本机（免登录）; None when unknown
    (an edit saved before it was recorded, or an account since deleted)."""
    from planner.textrules import escaped

    kind, _, rest = str(by or "").partition(":")
    if kind == "user" and rest:
        return proposals.owner_name(rest, lang)
    if kind == "name" and rest:
        return escaped(rest)[:60]
    if kind == "local":
        return proposals.owner_name("local", lang)
    return None


def _conflict_by(rec: dict, exc, was=None):
    """The 409 of a rename or note change made on what the page showed (``was``), field by field: a field the store
    records a change of since (``name_updated_by`` / ``note_updated_by`` and their times) names who changed it and
    when, as a facility's 409 does (QA 33: "someone else"); a field nobody changed is said to differ from what the
    page showed, without claiming a change (QA 33: a wrong ``was`` of the name was blamed on a change of the note)."""
    from web.errors import EditConflict

    details = dict(exc.details or {})
    changed, current = details.get("changed") or [], details.get("current") or {}
    sent = was if isinstance(was, dict) else {}

    def cut(v) -> str:
        v = str(v or "").replace("\r\n", "\n")
        return v if len(v) <= 60 else v[:59] + "…"

    def stamp_of(when):
        try:
            return datetime.fromtimestamp(float(when))
        except (TypeError, ValueError, OverflowError, OSError):
            return None

    me = auth.user()
    my_mark = f"user:{me.id}" if me.id != "local" else None
    groups: dict = {}  # (by, at) -> the fields that one edit changed (a PATCH of both: one sentence)
    shown, en_not, zh_not = {}, [], []
    for k in changed:
        word_zh = "名称" if k == "name" else "备注"
        at = rec.get(f"{k}_updated")
        if stamp_of(at) is not None:
            groups.setdefault((rec.get(f"{k}_updated_by"), at), []).append(k)
            continue
        typed, now = cut(sent.get(k)), cut(current.get(k))
        shown[k] = typed
        if not now:
            en_not.append(f"the proposal has no {k}, but this page showed “{typed}”")
            zh_not.append(f"该方案没有{word_zh}，而页面显示的{word_zh}为“{typed}”")
        elif not typed:
            en_not.append(f"this page showed no {k}, but the proposal's {k} is “{now}”")
            zh_not.append(f"页面未显示{word_zh}，而该方案的{word_zh}为“{now}”")
        else:
            en_not.append(f"the {k} this page showed, “{typed}”, is not the proposal's {k}, “{now}”")
            zh_not.append(f"页面显示的{word_zh}“{typed}”与该方案的{word_zh}“{now}”不符")
    en_parts, zh_parts, mine_any = [], [], False
    for (by, at), fields in groups.items():
        stamp = stamp_of(at)
        said = stamp.strftime("%H:%M") if stamp.date() == datetime.now().date() else stamp.strftime("%Y-%m-%d %H:%M")
        en_what = "; ".join(f"its {k} is now “{cut(current.get(k))}”" for k in fields)
        zh_what = "；".join(f"{'名称' if k == 'name' else '备注'}现为“{cut(current.get(k))}”" for k in fields)
        who_en, who_zh = _editor_name(by, "en"), _editor_name(by, "zh")
        if by is not None and by == my_mark:  # his own change in another tab or window
            mine_any = True
            en_parts.append(f"You changed this proposal at {said} (another tab or window) since this page was opened "
                            f"({en_what})")
            zh_parts.append(f"打开本页后，您已于 {said} 在其他标签页或窗口中修改了该方案（{zh_what}）")
        elif who_en:
            en_parts.append(f"{who_en} changed this proposal at {said} since the page was opened ({en_what})")
            zh_parts.append(f"打开本页后，{who_zh}{' ' if who_zh[-1:].isascii() else ''}于 {said} 修改了该方案（{zh_what}）")
        else:
            en_parts.append(f"Someone else changed this proposal at {said} since the page was opened ({en_what})")
            zh_parts.append(f"打开本页后，他人已于 {said} 修改了该方案（{zh_what}）")
    if en_not:
        said_not = "; ".join(en_not)
        # a sentence of its own opening the message: "The name this page showed ..." (an account's name is not
        # capitalised: "li changed ...")
        en_parts.append(said_not if en_parts else said_not[0].upper() + said_not[1:])
        zh_parts.append("；".join(zh_not))
    if not en_parts:  # (nothing differs: the check said otherwise; its own words)
        return exc
    en, zh = "; ".join(en_parts), "；".join(zh_parts)
    first = next(iter(groups), None)
    by = str(first[0] or "") if first else ""
    details.update({"changed_at": first[1] if first else None,
                    "changed_by": _editor_name(by, "en") if by.startswith(("user:", "name:")) else None})
    if shown:
        details["shown"] = shown  # the fields nobody changed: what the page showed of them (cut)
    if mine_any:
        hint_en, hint_zh = "Reload the page to see it; save again to replace it.", "请刷新页面查看；如仍要替换，请再次保存。"
    elif groups:
        hint_en, hint_zh = exc.hint_en, exc.hint_zh
    else:
        hint_en, hint_zh = ("Reload the page to see the proposal as it is saved, then make the change again.",
                            "请刷新页面查看该方案当前保存的内容，再重新修改。")
    return EditConflict(f"{en}: nothing was saved.", f"{zh}：未保存。", hint_en=hint_en, hint_zh=hint_zh,
                        details=details)


def _what_changes(rec: dict, changes: dict) -> dict:
    """The fields of a rename / note change that differ from what is saved; a 400 "nothing to change"
    when none does, as a facility rename or an account change to what it holds is (QA 21: the same name
    sent twice answered 200 and logged a rename each time)."""
    now = {"name": str(rec.get("name") or ""), "note": str(rec.get("note") or "")}
    differ = {k: v for k, v in changes.items() if v != now[k]}
    if differ:
        return differ
    if set(changes) == {"note"}:
        en, zh = "The note is already this text: nothing to change.", "备注已是该内容，无需修改。"
    else:
        name = changes.get("name", now["name"])
        shown = name if len(name) <= 60 else name[:59] + "…"
        also_en, also_zh = (" and the note is already this text", "，备注也已是该内容") if "note" in changes else ("", "")
        en = f"“{shown}” is already the proposal's name{also_en}: nothing to change."
        zh = f"方案名称已是“{shown}”{also_zh}，无需修改。"
    raise InputDataError(en, zh, details={"parameter": next(iter(changes)), "unchanged": sorted(changes)})


@bp.delete("/proposals/<pid>")
def proposal_delete(pid: str):
    no_body(what_en="deleting a proposal", what_zh="删除方案")
    rec = proposals.saved(pid)
    auth.require_manage_proposal(rec, "delete", "删除")
    if not ext()["store"].delete(pid):  # two deletes at once: one deletes, the other is told it is gone
        raise not_found("Proposal", "方案", pid)
    # its parameters too: opening it afterwards says how to make it again (QA 27)
    auth.audit("proposal_deleted", pid, name=rec["name"], params=proposals.deleted_params(rec))
    svc().forget_proposal(pid)
    return jsonify({"deleted": pid})


@bp.get("/proposals/<pid>/layers")
def proposal_layers(pid: str):
    # A kept answer skips reading the saved record (deleting a proposal drops it). No data version header: the
    # layers of a proposal solved on an older version are drawn from that version's data, not the current one
    from web import answers

    return answers.revalidated(svc().proposal_layers(
        pid, g.lang, lambda: proposals.layers_for(proposals.saved(pid), svc(), g.lang)))


def _geojson_with_provenance(rec: dict) -> dict:
    """The saved GeoJSON with what a reader of the file alone needs (it lacked them: QA 17): the
    proposal, the data version solved on, whether its figures are estimates, and for a sized one its
    summary and notes; in the request's language (capacity_proposals.proposal_geojson), the saved record
    left as it was solved."""
    fc = dict(rec["geojson"])
    v = proposals.view(rec, g.lang)
    meta = {**(fc.get("coverplan") or {}), "proposal_id": rec["id"], "name": proposals.display_name(rec, g.lang),
            "created": datetime.fromtimestamp(rec["created"]).isoformat(timespec="seconds"),
            "dataset_version": (rec.get("params") or {}).get("dataset_version") or 0,
            "kind": v.get("kind") or "location", "is_estimate": bool(v.get("is_estimate", True)),
            # a proposal saved before QA 19 did not record it: its inputs were the sample's, or unknown
            # as the API says it (web.proposals.synthetic_inputs: a null is not known, so illustrative)
            "synthetic_inputs": v["synthetic_inputs"]}
    if v.get("kind") == "sized":
        sz = v.get("sized") or {}
        # with the capacity's field and whose demand it serves: `coverplan map --proposal` of this file words the
        # served people and the shortfall's unit from them (QA 30: it read them only from the CLI's own files)
        meta.update({"summary": sz.get("summary"), "field": sz.get("field"), "basis": sz.get("basis"),
                     "notes": v.get("notes") or []})
    # a county's proposal says so: its before/after figures are the county's, not the city's (QA 23)
    scope = v.get("scope") or {}
    meta["scope"] = {"county": scope.get("county"), "name": scope.get("name")} if scope.get("county") \
        else {"county": None, "name": t("scope_city", g.lang)}
    fc["coverplan"] = meta
    # every kind's sites and counties named as the CSV of the request's language names them (QA 26: a location
    # or sized one kept 拟建… and 茅箭区 in English); an upgrade's names and notes too, made in Chinese (QA 25)
    return capacity_proposals.proposal_geojson(fc, rec["summary"], g.lang)


@bp.get("/proposals/<pid>.<fmt>")
def proposal_download(pid: str, fmt: str):
    if fmt not in ("geojson", "csv", "xlsx"):
        raise bad_param("format", fmt, "geojson, csv or xlsx", "geojson、csv 或 xlsx")
    rec = proposals.saved(pid)
    if fmt == "geojson":
        return exports.geojson_response(_geojson_with_provenance(rec), f"proposal-{pid}")
    from planner.mapexport import sites_label  # folium's import (0.6 s) only where it is used
    v = proposals.view(rec, g.lang)
    std = v.get("standard") or {}
    unit = v.get("cost_unit") or "min"
    solver = v.get("solver") or {}
    parts = [v.get("type_name") or rec["type"],
             f"{t('model', g.lang)}: {t('model_' + str(solver.get('model')), g.lang)}",
             f"{sites_label(v.get('kind'), g.lang, converted=bool((v.get('upgrade') or {}).get('role')))}: "
             f"{len(v['sites'])}",
             f"{t('standard_urban', g.lang)} {cost_text(std.get('urban'), unit, g.lang)} / "
             f"{t('standard_rural', g.lang)} {cost_text(std.get('rural'), unit, g.lang)}",
             # the scope: a county's figures read as the city's in a file passed around (QA 23)
             f"{t('scope', g.lang)}: {(v.get('scope') or {}).get('name') or t('scope_city', g.lang)}",
             f"{t('saved_on', g.lang)} {datetime.fromtimestamp(rec['created']):%Y-%m-%d %H:%M}",
             f"{t('data_version_label', g.lang)} v{(rec.get('params') or {}).get('dataset_version') or 0}"]
    parts += capacity_proposals.export_title_parts(rec, g.lang)  # sized: total cost, remaining shortfall, rule (QA 28)
    title = exports.export_title(f"{t('proposal', g.lang)}: {proposals.display_name(rec, g.lang)}", parts, g.lang,
                                 illustrative=bool(v.get("is_estimate", True)))
    site_rows = proposals.site_rows(rec, g.lang)  # named in the export's language (name_en in English)
    # the added weight named by what the type weighs (people aged 60+), not "权重"; none where it is the
    # unit count. The weight as solved (the sites say it), else the type's now.
    weight = next((r.get("weight_field") for r in site_rows if r.get("weight_field")), None) \
        or getattr(svc().types().get(rec.get("type")), "weight", None)
    site_rows = [{**r, "reason": pick(r.get("reason_zh"), r.get("reason_en"), g.lang)} for r in site_rows]
    rows, columns = capacity_proposals.export_table(rec, g.lang) or (site_rows, exports.site_columns(weight))
    rows = proposals.county_names_for(rows, g.lang)
    return exports.table_response(rows, columns, fmt, f"proposal-{pid}", g.lang, title=title, cost_unit=unit)


@bp.get("/jobs")
def jobs_list():
    # a calculation a restart cut off (web.jobs: "interrupted", from the journal) is listed to whom started it
    # only: GET /api/jobs/<id> said "interrupted" while this list was [] (QA 27)
    from web.security import job_owner

    me = job_owner()
    # with accounts, a planner's jobs to him (and every job to an administrator), as GET /api/jobs/<id> (QA 28);
    # a dismissed one to no one
    return jsonify([job_dict(j) for j in ext()["jobs"].list() if sees_job(j) and j.dismissed is None
                    and (j.state != "interrupted" or (me is not None and j.owner == me))])


def sees_job(job) -> bool:
    """Whether the user asking may see a job: whom started it or an administrator (the desk mode's one user is
    one, so there nothing changes); a job no client started is everyone's."""
    u = auth.user()
    return u.is_admin or job.owner is None or job.owner in (u.id, f"user:{u.id}")


@bp.get("/jobs/<job_id>")
def job_get(job_id: str):
    job = ext()["jobs"].get(job_id)
    # another planner's job is "not found", not "forbidden": its name and parameters were shown to anyone with
    # its id, and a 403 would tell which ids exist (QA 28)
    if job is None or not sees_job(job):
        raise not_found("Job", "任务", job_id)
    return jsonify(job_dict(job))


@bp.post("/jobs/<job_id>/cancel")
def job_cancel(job_id: str):
    no_body(what_en="cancelling a job", what_zh="取消任务")
    job = ext()["jobs"].get(job_id)
    if job is None or not sees_job(job):  # another planner's job is "not found", as for GET (a 403 told it exists)
        raise not_found("Job", "任务", job_id)
    job, outcome = ext()["jobs"].request_cancel(job_id)
    if outcome == "unknown":  # forgotten between the two looks
        raise not_found("Job", "任务", job_id)
    if outcome == "saving":  # past its save's commit point: it ends "done" with what it saved (QA 31)
        raise JobSaving(job, *JOB_KINDS.get(job.kind, ("calculation", "计算")))
    if outcome == "ended":
        # a finished job answered 200 "done" and was logged as cancelled each time (QA 21)
        state_en, state_zh = t("job_" + job.state, "en"), t("job_" + job.state, "zh")
        what_en, what_zh = JOB_KINDS.get(job.kind, ("calculation", "计算"))
        raise JobEnded(f"This {what_en} has already ended ({state_en}): there is nothing to cancel.",
                       f"该{what_zh}已结束（{state_zh}），无需取消。",
                       details={"id": job.id, "kind": job.kind, "state": job.state, "job": job_dict(job)})
    answer = job_dict(job)  # as the cancel left it (a running job may end while this answer is made)
    if outcome != "again":  # asked twice: one entry
        auth.audit("job_cancelled", job_id, **_job_audit_detail(job))
    # a queued job is dropped at once (200, "cancelled"); a running one stops at its next checkpoint:
    # 202 and cancel_requested, where "running" alone read as if the cancel had not been taken
    return jsonify(answer), (200 if outcome == "cancelled" else 202)


@bp.post("/jobs/<job_id>/dismiss")
def job_dismiss(job_id: str):
    """Take a calculation a restart cut off out of its owner's list, on the server: it was kept in one browser's
    storage and came back on another PC (QA 28). Its owner or an administrator; another's is "not found"."""
    no_body(what_en="dismissing a job", what_zh="关闭任务")
    job = ext()["jobs"].get(job_id)
    if job is None or not sees_job(job):
        raise not_found("Job", "任务", job_id)
    job, outcome = ext()["jobs"].dismiss(job_id)
    if outcome == "unknown":
        raise not_found("Job", "任务", job_id)
    if outcome == "not_interrupted":
        state_en, state_zh = t("job_" + job.state, "en"), t("job_" + job.state, "zh")
        what_en, what_zh = JOB_KINDS.get(job.kind, ("calculation", "计算"))
        if job.state in ("queued", "running"):
            raise CoverplanError(f"This {what_en} is {state_en}: only one a server restart cut off is dismissed. "
                                 "Cancel it instead, or wait for it to end.",
                                 f"该{what_zh}{state_zh}：只有因服务器重启而中断的计算可以关闭。请改为取消，或等待其完成。",
                                 details={"id": job.id, "kind": job.kind, "state": job.state})
        raise JobEnded(f"This {what_en} has ended ({state_en}) and is not kept in the list: only one a server "
                       "restart cut off is dismissed.",
                       f"该{what_zh}已结束（{state_zh}），不在待处理列表中：只有因服务器重启而中断的计算可以关闭。",
                       details={"id": job.id, "kind": job.kind, "state": job.state})
    if outcome == "dismissed":  # asked twice: one entry
        auth.audit("job_dismissed", job_id, **_job_audit_detail(job))
    return jsonify(job_dict(job)), 200


def keepable(job) -> bool:
    """Whether a job can be stopped with its plan so far saved: a sized or upgrade proposal, whose MIP hands back
    the best plan it has when interrupted (a location proposal's stages end in a cancel; a network has no plan)."""
    return job.kind == "proposal" and (job.params or {}).get("kind") in ("sized", "upgrade")


@bp.post("/jobs/<job_id>/finish")
def job_finish(job_id: str):
    """Stop a sized or upgrade solve and save the best plan found so far, with how far from the best it can be:
    a sized solve stops by itself within 0.05 % (planner.sizing.SIZED_GAP), a large question may take a while to."""
    no_body(what_en="stopping a job", what_zh="停止任务")
    job = ext()["jobs"].get(job_id)
    if job is None or not sees_job(job):  # another planner's job is "not found", as for GET and cancel
        raise not_found("Job", "任务", job_id)
    if not keepable(job) and job.state not in FINAL:  # an ended one of any kind is JobEnded below, not "wait"
        what_en, what_zh = JOB_KINDS.get(job.kind, ("calculation", "计算"))
        raise InputDataError(f"A {what_en} of this kind cannot be stopped and saved: only sized and upgrade proposals "
                             "keep the plan found so far. Cancel it instead, or wait for it to end.",
                             f"此类{what_zh}不能停止并保存：只有规模方案和改造提升方案可保存已找到的方案。请改为取消，"
                             "或等待其完成。", details={"id": job.id, "kind": job.kind})
    job, outcome = ext()["jobs"].request_cancel(job_id, keep=True) if job.state not in FINAL else (job, "ended")
    if outcome == "unknown":
        raise not_found("Job", "任务", job_id)
    if outcome == "saving":  # already saving its plan: nothing to stop (QA 31)
        raise JobSaving(job, *JOB_KINDS.get(job.kind, ("calculation", "计算")), finish=True)
    if outcome == "ended":
        state_en, state_zh = t("job_" + job.state, "en"), t("job_" + job.state, "zh")
        raise JobEnded(f"This calculation has already ended ({state_en}): there is nothing to stop.",
                       f"该计算已结束（{state_zh}），无需停止。",
                       details={"id": job.id, "kind": job.kind, "state": job.state, "job": job_dict(job)})
    answer = job_dict(job)
    if outcome != "again":
        auth.audit("job_finished", job_id, **_job_audit_detail(job))
    # queued: nothing was found yet, so it is dropped (200, "cancelled"); running: it stops and saves (202)
    return jsonify(answer), (200 if outcome == "cancelled" else 202)


#: What a job computes, in words (its ``kind``): "计算类别 proposal" read as an untranslated code.
JOB_KINDS = {"proposal": ("proposal calculation", "方案计算"), "network": ("road-network import", "路网导入")}


def _job_audit_detail(job) -> dict:
    """A cancelled job's audit details, as the log words them in either language: a proposal's facility
    type and county, a road network's file (the log shows a plain ``kind`` as the code it is)."""
    p = job.params or {}
    if job.kind == "proposal" and p.get("type"):
        return {"type": p["type"], "county": p.get("county")}
    if job.kind == "network":
        return {"layer": "network", "file": p.get("file")}
    return {"kind": job.kind}


# -- api: browser charts --
# Data for the charts web/static/charts.js draws (the browser's fonts render
# Chinese everywhere); /charts/... keeps the server-rendered SVG/PNG downloads.
@bp.get("/charts/coverage_by_county/<type_key>")
def chart_coverage_by_county(type_key: str):
    from web import charts
    s = svc()
    mode = arg_mode()   # the map's travel mode: the chart shows what the map shows
    body = charts.county_chart_data(s.coverage(type_key, mode), g.lang)
    tail = "&mode=network" if mode == "network" else ""
    body["download"] = {f: f"/charts/coverage_by_county/{type_key}.{f}?lang={g.lang}{tail}" for f in charts.FORMATS}
    return jsonify(body)


@bp.get("/charts/proposals/<pid>/costs")
def chart_proposal_costs(pid: str):
    from web import charts
    body = charts.costs_chart_data(proposals.saved(pid), g.lang)
    body["download"] = {f: f"/charts/proposals/{pid}/costs.{f}?lang={g.lang}" for f in charts.FORMATS}
    return jsonify(body)


# (api: browser charts) end


# -- api: facilities and plan package --
def _facility_query() -> dict:
    """Checked register filters: unknown type 404, unknown county or township 400 (zh and en)."""
    s = svc()
    r = s.region
    type_key = request.args.get("type") or None
    if type_key and type_key not in set(r.facilities["facility_type"].astype(str)):
        s.get_type(type_key)  # 404 listing the known types (a known type with no facility is fine)
    county = arg_county()
    if county and county not in set(r.counties["code"]):  # a county name: the filter works on codes
        county = str(r.counties.loc[r.counties["name"] == county, "code"].iloc[0])
    township = request.args.get("township") or None
    if township and township not in r.townships.index:
        raise bad_param("township", township, "a 9-digit township code of the region (e.g. 420302001)",
                        "本区域的9位乡镇（街道）代码（如 420302001）")
    q = (request.args.get("q") or "").strip()[:80] or None
    return {"type_key": type_key, "county": county, "township": township, "q": q}


def _facility_view():
    from web.facilities import register_view
    s = svc()
    return register_view(s.region, s.types(), g.lang, **_facility_query())


#: Most rows one page of /api/facilities gives when a client asks for pages (``limit``).
FACILITY_PAGE_MAX = 5000
#: Furthest page start (``offset``) /api/facilities takes, as /api/admin/audit's: beyond it a 400 (an offset of 10^23
#: was an empty page, where web/API.md says an offset out of range is a 400: QA 33).
FACILITY_OFFSET_MAX = 10**8


@bp.get("/facilities")
def facilities():
    """The facility register, filtered by ``type``, ``county``, ``township`` and ``q`` (name or id); with
    ``limit`` (and ``offset``), one page of the rows in the same order: ``count`` stays the number matching,
    ``next_offset`` says where the next page starts (null after the last)."""
    limit = number(request.args.get("limit"), "limit", int, minimum=1, maximum=FACILITY_PAGE_MAX)
    offset = number(request.args.get("offset"), "offset", int, minimum=0, maximum=FACILITY_OFFSET_MAX)
    view = _facility_view()
    if limit is not None or offset is not None:
        start, size = offset or 0, limit or FACILITY_PAGE_MAX
        end = min(start + size, view["count"])
        view["rows"] = view["rows"][start:end]
        view.update(offset=start, limit=size, next_offset=end if end < view["count"] else None)
    return jsonify(view)


@bp.get("/facilities.<fmt>")
def facilities_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise bad_param("format", fmt, "csv or xlsx", "csv 或 xlsx")
    from web.facilities import export_title
    s = svc()
    view = _facility_view()
    return exports.table_response(view["rows"], exports.FACILITY_COLUMNS, fmt, "facilities", g.lang,
                                  title=export_title(s.region, s.types(), g.lang, view))
# (api: facilities and plan package) end


# -- api: capacity --
# How much, not only where (issue 16): supply against demand, E2SFCA accessibility, upgrades and the
# bed-target breakdown. Answers are cached per data version (svc().cached); the map layers are
# GeoJSON FeatureCollections whose properties carry the numbers (web/static/map.js draws them).
def _capacity_report(key: str):
    from planner.capacity import analyse_beds, analyse_capacity
    s = svc()
    if key == "beds":
        return s.cached(("capacity", "beds"), lambda: analyse_beds(s.region))
    ft = s.get_type(key)  # 404 for an unknown type
    return s.cached(("capacity", ft.key), lambda: analyse_capacity(s.region, ft))


@bp.get("/capacity")
def capacity_beds():
    """All beds per 1,000 aged 60+ against the bed standard (40), by county and township."""
    return versioned(_capacity_report("beds").to_dict(g.lang))


@bp.get("/capacity/townships")
def capacity_townships():
    """Ratio, standard and shortfall per township for every type with a capacity (and "beds"),
    compact for the checklist: ``{type: {township_code: {ratio_per_1000, standard_per_1000, shortfall,
    status, supply}}}``."""
    from planner.capacity import bed_types
    by_type = _capacity_by_township()
    return revalidated({"types": by_type, "field": {k: _capacity_report(k).field for k in by_type},
                        "bed_types": [t.key for t in bed_types()], "synthetic_inputs": True})


def _capacity_by_township() -> dict:
    """``{type: {township_code: {ratio_per_1000, standard_per_1000, shortfall, status, supply, facilities,
    capacity_known}}}`` for "beds" and every type with a capacity: the checklist's capacity columns, on the
    page and in its export. ``capacity_known`` below ``facilities`` means the supply counts facilities
    whose capacity is unknown as 0, so the ratio is a lower bound and the shortfall an upper one."""
    s = svc()
    keys = ["beds"] + [k for k, ft in s.types().items() if ft.capacity]
    return {k: {r["township_code"]: {c: layers_clean(r[c]) for c in
                                     ("ratio_per_1000", "standard_per_1000", "shortfall", "status", "supply",
                                      "facilities", "capacity_known")}
                for r in _capacity_report(k).by_township.to_dict("records")}
            for k in keys}


def layers_clean(v):
    from web.layers import clean
    return clean(v)


@bp.get("/capacity/<type_key>")
def capacity_type(type_key: str):
    """Supply against demand of one type (or ``beds``): per township, county and citywide."""
    return versioned(_capacity_report(type_key).to_dict(g.lang))


@bp.get("/capacity/<type_key>/layer")
def capacity_layer(type_key: str):
    """Township polygons with supply, ratio per 1,000, standard and shortfall as properties (map layer)."""
    rep = _capacity_report(type_key)
    s = svc()

    def build():
        fc = s.township_layer()
        by_code = {r["township_code"]: r for r in rep.by_township.to_dict("records")}
        feats = []
        for f in fc["features"]:
            row = by_code.get(f["properties"]["code"], {})
            props = {**f["properties"], **{c: layers_clean(row.get(c)) for c in
                     ("supply", "demand", "required", "ratio_per_1000", "standard_per_1000",
                      "ratio_to_standard", "shortfall", "status", "facilities", "capacity_known")}}
            feats.append({**f, "properties": props})
        return {"type": "FeatureCollection", "features": feats,
                "coverplan": {"type": rep.key, "field": rep.field, "basis": rep.basis, "per_1000": rep.per_1000,
                              "synthetic_inputs": rep.synthetic_inputs, "notes": rep.to_dict(g.lang)["notes"]}}
    return revalidated(s.cached(("capacity_layer", rep.key, g.lang), build))


def _weight_arg() -> str:
    return arg_choice("weight", ("stepped", "gaussian"), "stepped")


def _access_report(type_key: str):
    from planner.access import analyse_access
    s = svc()
    ft = s.get_type(type_key)
    weight, mode = _weight_arg(), arg_mode()
    return s.cached(("access", ft.key, weight, mode),
                    lambda: analyse_access(s.region, ft, weight=weight, mode=mode, graph=s.graph(mode)))


@bp.get("/access/<type_key>")
def access_type(type_key: str):
    """E2SFCA per village (``?weight=stepped|gaussian``, ``?units=0`` leaves the village rows out)."""
    units = arg_bool("units", default=True)  # units=abc was taken as yes
    return versioned(_access_report(type_key).to_dict(g.lang, units=units))


@bp.get("/access/<type_key>/layer")
def access_layer(type_key: str):
    """Village points with ``access_per_1000`` and ``ratio_to_standard`` (map layer)."""
    return revalidated(_access_report(type_key).to_geojson(g.lang))


def grouped_number_refusal(raw, name: str):
    """A 400 for a number typed with thousands separators ("7,136", "７，１３６", "7 136"), saying to remove them
    and giving the number without them; None for anything else (the number reader's own message then). The
    reader said only "expected a number" of 7,136, and a planner could not see what was wrong (QA 28)."""
    import re

    from planner.textrules import number_text
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    bare = re.sub(r"(?<=[0-9０-９])[,，\s'’_](?=[0-9０-９])", "", text)
    plain = number_text(bare) if bare != text else None
    if plain is None:
        return None
    return bad_param(name, raw, f"a number without thousands separators: remove them and give {plain}",
                     f"不带千位分隔符的数：请删去分隔符，填写 {plain}")


def _upgrade_plan(type_key: str):
    """``?k=`` (default, when left out: the type's upgrade target, else 5) and ``?convert=1``; kept per data
    version."""
    from planner.facility_types import default_k
    from planner.upgrades import propose_upgrades
    s = svc()
    ft = s.get_type(type_key)
    convert = arg_bool("convert")
    # no range here: the planner checks it at once, and its message gives the real one (e.g. 1 to 15
    # within the per-county limits); a range of its own here said ±1,000,000 to k=2000000
    raw = request.args.get("k")
    if raw is not None and raw.strip() == "":
        # an empty k is refused as an empty convert= or target= is: it was the default without a word (QA 28);
        # left out of the address, k is the default
        d = default_k(ft, convert)
        raise bad_param("k", raw, f"a whole number of facilities to {'convert' if convert else 'upgrade'}, at least 1 "
                        f"(e.g. {d}); k is empty: give one, or leave k out for the type's default ({d})",
                        f"不小于 1 的整数（{'转型' if convert else '改造'}设施数，如 {d}）；k 为空：请填写，或不带 k 参数以使用"
                        f"该类型的默认值（{d}）")
    refused = grouped_number_refusal(raw, "k")
    if refused is not None:
        raise refused
    k = proposals.number_param(raw, "k", kind=int)
    asked = k is not None  # a K the planner chose is checked; the default is lowered to what can be chosen
    if asked and str(k) != raw.strip():  # 1e308, ５: the planner's message says K as typed, not 309 digits
        k = TypedInt(k, raw.strip())
    k = k if asked else default_k(ft, convert)
    # kept by the number: k=40, 040 and 4e1 are one answer (the typed text only words a refusal, never kept), each
    # spelling re-ran the solve and kept an entry (review 36); the last few K kept
    from web.service import PARAM_ANSWERS_KEPT
    return s.cached(("upgrades", ft.key, int(k), convert, asked),
                    heavy(lambda: propose_upgrades(s.region, ft, k, conversion=convert, time_limit=30.0,
                                                   clip_k=not asked)),
                    kept=PARAM_ANSWERS_KEPT)


@bp.get("/upgrades/<type_key>")
def upgrades_type(type_key: str):
    """The K existing facilities to upgrade (``?k=50``) or convert (``&convert=1``), in priority order."""
    return versioned(proposals.upgrade_answer_county_en(_upgrade_plan(type_key).to_dict(g.lang)))


@bp.get("/upgrades/<type_key>/layer")
def upgrades_layer(type_key: str):
    """The chosen facilities as points with priority and rationale (map layer)."""
    fc = proposals.upgrade_answer_county_en(_upgrade_plan(type_key).to_geojson(g.lang))
    # the file records the data version it was drawn from: `coverplan targets --proposal` of it said "no data
    # version recorded (written by an older coverplan)" (QA 30)
    fc = {**fc, "coverplan": {**(fc.get("coverplan") or {}), "dataset_version": svc().version()}}
    return revalidated(fc)


@bp.get("/beds")
def beds():
    """A bed target broken down over townships (``?target=7136&year=2025``; ``&county=`` a county's own target
    over its townships)."""
    from planner.beds import MAX_TARGET, allocate_beds, check_bed_type
    s = svc()
    refused = grouped_number_refusal(request.args.get("target"), "target")  # 7,136: "remove the separator"
    if refused is not None:
        raise refused
    target = proposals.number_param(request.args.get("target"), "target", minimum=1, maximum=MAX_TARGET)
    if target is None or target != int(target):  # 7136.5 was cut to 7136 without a word
        raise bad_param("target", request.args.get("target"), "a whole number of beds, e.g. 7136",
                        "整数床位数，如 7136")
    if request.args.get("year", "x").strip() == "":  # empty: a 400 as an empty k= or target= (QA 28)
        raise bad_param("year", request.args.get("year"), "a year from 2000 to 2100, e.g. 2025; year is empty: give "
                        "one, or leave year out for the default", "2000 至 2100 之间的年份，如 2025；year 为空：请填写，"
                        "或不带 year 参数以使用默认年份")
    year = number(request.args.get("year"), "year", int, minimum=2000, maximum=2100, grouped=False)  # not "2,000"
    # a county's own target shared among its townships (QA 22: a city planner could not ask for one county)
    county = arg_county()  # read as every ?county= is (a code, a name, 4.20325e5)
    # the new beds of one bed type (its facilities enlarged, its sizes), as `coverplan beds --type`; a type
    # without beds is a 400 naming the bed types (planner.beds.check_bed_type)
    bed_type = (request.args.get("type") or "").strip() or None
    if bed_type is not None:
        check_bed_type(s.get_type(bed_type))
    # every target, year, county and type is an answer of its own: the last few kept (each about 170 KB, and every
    # target up to 1,000,000 was kept until the data changed, review 36)
    from web.service import PARAM_ANSWERS_KEPT
    out = s.cached(("beds", int(target), int(year) if year else None, county, bed_type),
                   heavy(lambda: allocate_beds(s.region, int(target), year=int(year) if year else None, county=county,
                                               bed_type=bed_type)),
                   kept=PARAM_ANSWERS_KEPT)
    en = s.county_names("en")  # the overview's breakdown names the counties in the page's language
    out = {**out, "by_county": [{**r, "county_name_en": en.get(str(r["county_code"]), r.get("county_name"))}
                                for r in out["by_county"]]}
    return versioned(out)
# (api: capacity) end
