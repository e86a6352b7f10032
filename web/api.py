"""The JSON API behind every page (documented in web/API.md)."""
from __future__ import annotations

import time
from datetime import datetime

from flask import Blueprint, g, jsonify, request

from planner.i18n import cost_text, t
from web import exports, proposals
from web.errors import bad_param, not_found
from web.extensions import ext

MODES = ("estimate", "network")

bp = Blueprint("api", __name__, url_prefix="/api")
health = Blueprint("health", __name__)


def svc():
    return ext()["service"]


def revalidated(body) -> "flask.Response":
    """A JSON answer with an ETag: the browser keeps it and asks "changed?" (304 when not).

    ``no-cache`` (not ``max-age``) so a new data version is seen at once.
    """
    resp = jsonify(body)
    resp.add_etag()
    resp.headers["Cache-Control"] = "no-cache"
    return resp.make_conditional(request)


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
    return jsonify({"status": "ok", "region": s.region_name, "planner": True, "time": time.time()})


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


# -- finding places ----------------------------------------------------------
@bp.get("/search")
def search():
    """Townships and villages by name or code: ``?q=武当&limit=20``."""
    q = request.args.get("q", "")
    if len(q) > 50:
        raise bad_param("q", q[:50] + "…", "at most 50 characters", "不超过 50 个字符")
    limit = proposals.number_param(request.args.get("limit"), "limit", minimum=1, maximum=100) or 20
    return jsonify(svc().search(q, limit=int(limit)))


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


@bp.get("/townships")
def townships():
    return jsonify(svc().township_rows(g.lang, **_township_query()))


@bp.get("/townships.<fmt>")
def townships_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise bad_param("format", fmt, "csv or xlsx", "csv 或 xlsx")
    q = _township_query()
    rows = svc().township_rows(g.lang, **q)
    s = svc()
    parts = [f"{t('facility_type', g.lang)}: {s.get_type(q['type_key']).name(g.lang) if q['type_key'] else t('all', g.lang)}",
             f"{t('county', g.lang)}: {q['county'] or t('whole_city', g.lang)}",
             f"{t('status', g.lang)}: {t('status_' + q['status'], g.lang) if q['status'] else t('all', g.lang)}",
             f"{t('rows', g.lang)}: {len(rows)}", f"{t('data_version_label', g.lang)} v{s.version()}"]
    title = exports.export_title(t("checklist_title", g.lang), parts, g.lang)
    return exports.table_response(rows, exports.TOWNSHIP_COLUMNS, fmt, "townships", g.lang, title=title)


# -- targets ---------------------------------------------------------------
@bp.get("/targets")
def targets():
    """Targets now; with ``?proposals=id1,id2`` also their status once those proposals are built.

    The proposals form one package: an id given twice is one proposal (else its
    sites would count twice), and proposals of one type are combined by the
    planner. Any unknown id is a 404 before anything is computed.
    """
    ids = list(dict.fromkeys(i.strip() for i in request.args.get("proposals", "").split(",") if i.strip()))
    applied = [{"type": rec["type"], "sites": proposals.sites_gdf(rec)} for rec in map(proposals.saved, ids)]
    return jsonify(svc().targets(g.lang, applied or None))


# -- proposals and jobs ----------------------------------------------------
def job_dict(job) -> dict:
    d = job.to_dict()
    d["url"] = f"/api/jobs/{job.id}"
    d["cancel"] = f"/api/jobs/{job.id}/cancel"
    d["message"] = proposals.stage_text(job.message, g.lang)
    if job.state == "interrupted":
        d["message"] = ("The server restarted while this calculation ran; start it again."
                        if g.lang == "en" else "计算过程中服务器已重启，计算被中断，请重新提交。")
    if job.error:
        lang_msg = job.error.get("message_en" if g.lang == "en" else "message_zh")
        d["error"] = {**job.error, "message": lang_msg or job.error.get("message")}
    return d


@bp.get("/proposals")
def proposals_list():
    types = svc().types()
    rows = ext()["store"].list()
    for r in rows:
        ft = types.get(r["type"])
        r["type_name"] = ft.name(g.lang) if ft else r["type"]
    return jsonify(rows)


@bp.post("/proposals")
def proposals_start():
    body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if request.is_json and body is None:
        raise bad_param("body", request.get_data(as_text=True)[:80],
                        "valid JSON (finite numbers, nested at most 32 levels)",
                        "有效的 JSON（数值须为有限数，嵌套不超过 32 层）")
    params = proposals.parse_params(body or {}, svc())
    wait = _wait_seconds()
    job = proposals.start(ext(), params)
    # Holding a request open ties up a server thread: only a few may wait at
    # once, the others get the job's address at once (202) and poll it.
    waiters = ext()["waiters"]
    if wait and waiters.acquire(blocking=False):
        try:
            job = ext()["jobs"].wait(job.id, timeout=wait)
        finally:
            waiters.release()
        if job.state == "done":
            return jsonify({**job_dict(job), "proposal": proposals.view(proposals.saved(job.result["proposal_id"]), g.lang)}), 201
        if job.state == "failed":
            return jsonify({**job_dict(job)["error"], "job": job_dict(job)}), job.error.get("status", 500)
    resp = jsonify(job_dict(job))
    resp.status_code = 202
    resp.headers["Location"] = f"/api/jobs/{job.id}"
    return resp


MAX_WAIT = 120.0


def _wait_seconds() -> float:
    raw = request.args.get("wait")
    if raw in (None, "", "0"):
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
    rec = proposals.saved(pid)
    params = proposals.rerun_params(rec, svc())
    job = proposals.start(ext(), params)
    resp = jsonify({**job_dict(job), "rerun_of": pid,
                    "compare": f"/proposals/compare?a={pid}&b="})
    resp.status_code = 202
    resp.headers["Location"] = f"/api/jobs/{job.id}"
    return resp


@bp.patch("/proposals/<pid>")
def proposal_edit(pid: str):
    """Rename a saved proposal or change its note: ``{"name": ..., "note": ...}``."""
    body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if body is None:
        raise bad_param("body", request.get_data(as_text=True)[:80], "a JSON object with name and/or note",
                        "含 name 和/或 note 的 JSON 对象")
    changes = proposals.parse_edit(body)
    proposals.saved(pid)
    ext()["store"].update(pid, **changes)
    svc().forget_proposal(pid)  # the map layers carry the name
    return jsonify(proposals.view(proposals.saved(pid), g.lang))


@bp.delete("/proposals/<pid>")
def proposal_delete(pid: str):
    proposals.saved(pid)
    ext()["store"].delete(pid)
    svc().forget_proposal(pid)
    return jsonify({"deleted": pid})


@bp.get("/proposals/<pid>/layers")
def proposal_layers(pid: str):
    # A kept answer skips reading the saved record (deleting a proposal drops it).
    return revalidated(svc().proposal_layers(
        pid, g.lang, lambda: proposals.layers_for(proposals.saved(pid), svc(), g.lang)))


@bp.get("/proposals/<pid>.<fmt>")
def proposal_download(pid: str, fmt: str):
    if fmt not in ("geojson", "csv", "xlsx"):
        raise bad_param("format", fmt, "geojson, csv or xlsx", "geojson、csv 或 xlsx")
    rec = proposals.saved(pid)
    if fmt == "geojson":
        return exports.geojson_response(rec["geojson"], f"proposal-{pid}")
    v = proposals.view(rec, g.lang)
    std = v.get("standard") or {}
    unit = v.get("cost_unit") or "min"
    solver = v.get("solver") or {}
    parts = [v.get("type_name") or rec["type"],
             f"{t('model', g.lang)}: {t('model_' + str(solver.get('model')), g.lang)}",
             f"{t('n_sites', g.lang)}: {len(v['sites'])}",
             f"{t('standard_urban', g.lang)} {cost_text(std.get('urban'), unit, g.lang)} / "
             f"{t('standard_rural', g.lang)} {cost_text(std.get('rural'), unit, g.lang)}",
             f"{t('saved_on', g.lang)} {datetime.fromtimestamp(rec['created']):%Y-%m-%d %H:%M}",
             f"{t('data_version_label', g.lang)} v{(rec.get('params') or {}).get('dataset_version') or 0}"]
    title = exports.export_title(f"{t('proposal', g.lang)}: {rec['name']}", parts, g.lang,
                                 illustrative=bool(v.get("is_estimate", True)))
    return exports.table_response(proposals.site_rows(rec), exports.SITE_COLUMNS, fmt, f"proposal-{pid}", g.lang,
                                  title=title, cost_unit=unit)


@bp.get("/jobs")
def jobs_list():
    return jsonify([job_dict(j) for j in ext()["jobs"].list()])


@bp.get("/jobs/<job_id>")
def job_get(job_id: str):
    job = ext()["jobs"].get(job_id)
    if job is None:
        raise not_found("Job", "任务", job_id)
    return jsonify(job_dict(job))


@bp.post("/jobs/<job_id>/cancel")
def job_cancel(job_id: str):
    job = ext()["jobs"].cancel(job_id)
    if job is None:
        raise not_found("Job", "任务", job_id)
    return jsonify(job_dict(job))


# -- api: browser charts --
# Data for the charts web/static/charts.js draws (the browser's fonts render
# Chinese everywhere); /charts/... keeps the server-rendered SVG/PNG downloads.
@bp.get("/charts/coverage_by_county/<type_key>")
def chart_coverage_by_county(type_key: str):
    from web import charts
    s = svc()
    body = charts.county_chart_data(s.coverage(type_key), g.lang)
    body["download"] = {f: f"/charts/coverage_by_county/{type_key}.{f}?lang={g.lang}" for f in charts.FORMATS}
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


@bp.get("/facilities")
def facilities():
    """The facility register, filtered by ``type``, ``county``, ``township`` and ``q`` (name or id)."""
    return jsonify(_facility_view())


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
