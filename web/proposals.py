"""Proposals from the browser: validate the form, solve in a background job, save to SQLite.

Parameters are checked here, before queueing, so a typo answers 400 at once
instead of a failed job a minute later. The solve itself is
``planner.proposals.propose``; this module only wires it to the job runner and
the store, and reshapes a saved proposal for maps, tables and downloads.
"""
from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from datetime import datetime

import geopandas as gpd
import numpy as np
from flask import current_app, g, has_request_context

from geo import settings
from geo.datasets import FACILITIES, MARKS, NETWORK, POPULATION, SITES, TOWNSHIPS, VILLAGES
from geo.errors import CoverplanError, InputDataError
from planner import textrules
from planner.coverage import analyse_coverage, county_names_en, county_type, existing_facilities
from planner.i18n import cost_text, pick, share_text, t
from planner.models.control import caller_controls
# max_standard, min_standard: the limits shared with the CLI's `propose --standard`
from planner.proposals import (MODEL_WORDS, county_map_figure, county_scope_summary, effective_model, max_standard,
                               min_standard, propose)
from planner.proposals import default_name as proposal_default_name
from web import capacity_proposals, layers
from web.errors import bad_param, json_kind, not_found, refuse_unknown
from web.extensions import ext
from web.params import number


def display_name(rec: dict, lang: str) -> str:
    """A proposal's name in ``lang``: a name the app made (``params.auto_name``) in that language while
    the planner has not renamed it; any other name as the planner wrote it."""
    name = str(rec.get("name") or "")
    auto = (rec.get("params") or {}).get("auto_name") if isinstance(rec.get("params"), dict) else None
    if isinstance(auto, dict) and name in auto.values() and isinstance(auto.get(lang), str):
        return auto[lang]
    return name


#: The notes the app writes about how a proposal's numbers were set (a default p or K lowered to what its county
#: has, a re-solve's p or K lowered to what the current data has), kept in ``params["auto_notes"]`` as
#: ``[{"zh": …, "en": …}]``, apart from the planner's note (QA 33: they were added to it, in the language of the
#: page that asked, and an English page showed them in Chinese). A re-solve keeps its proposal's and adds its own;
#: at most this many, the latest.
MAX_AUTO_NOTES = 6


def auto_notes_of(params) -> list[dict]:
    """``params["auto_notes"]`` as saved, each ``{"zh", "en"}`` (anything else there left out)."""
    notes = params.get("auto_notes") if isinstance(params, dict) else None
    if not isinstance(notes, list):
        return []
    return [n for n in notes if isinstance(n, dict) and isinstance(n.get("zh"), str) and isinstance(n.get("en"), str)]


def auto_note(params: dict, zh: str, en: str) -> None:
    """Add a note of the app's to ``params`` (a new list: a caller's copy of the params keeps its own)."""
    params["auto_notes"] = [*auto_notes_of(params), {"zh": zh, "en": en}][-MAX_AUTO_NOTES:]


def auto_notes_in(params, lang: str) -> list[str]:
    """The app's notes of a proposal in ``lang``."""
    return [n["en" if lang == "en" else "zh"] for n in auto_notes_of(params)]


def notes_view(rec: dict, lang: str) -> dict:
    """A proposal's notes for the API: ``planner_note`` as the planner typed it (what a PATCH changes),
    ``auto_notes`` the app's in ``lang``, and ``note`` both, one a line, as it read before they were apart (a
    client that shows ``note`` shows them all, in its language). A proposal saved before keeps its note as it is."""
    own = str(rec.get("note") or "")
    auto = auto_notes_in(rec.get("params"), lang)
    return {"note": "\n".join([own, *auto] if own else auto), "planner_note": own, "auto_notes": auto}


def saved(pid: str) -> dict:
    """The saved proposal ``pid`` from the app's store (404 when there is none)."""
    rec = ext()["store"].get(pid)
    if rec is None:
        raise _deleted(pid) or not_found("Proposal", "方案", pid)
    return rec


#: The parameters of a proposal kept in the audit log's ``proposal_deleted`` entry, so that its 404 can
#: say how to make it again (QA 27).
KEPT_ON_DELETE = ("type", "kind", "model", "p", "standard", "mode", "sizes", "costs", "budget_sites",
                  "budget_cost", "k", "convert", "county", "dataset_version")


def deleted_params(rec: dict) -> dict:
    """What the audit log keeps of a proposal being deleted: its parameters (``KEPT_ON_DELETE``, those set)."""
    params = rec.get("params") if isinstance(rec.get("params"), dict) else {}
    out = {k: params.get(k) for k in KEPT_ON_DELETE if params.get(k) not in (None, "", [], {}, False)}
    out["type"] = rec.get("type") or out.get("type")
    if (out.get("kind") or "location") == "location":
        out["model"] = params.get("model_effective") or params.get("model")
        for k in ("sizes", "costs", "budget_sites", "budget_cost", "k", "convert"):
            out.pop(k, None)
    return {k: v for k, v in out.items() if v not in (None, "")}


def params_text(params: dict, lang: str) -> str:
    """A proposal's parameters in words ("农村福利院，新建选址（规模与预算），预算 5 处，郧西县"), to make it again."""
    en = lang == "en"
    service = ext()["service"]
    parts = []
    ft = service.types().get(params.get("type"))
    parts.append(ft.name(lang) if ft is not None else str(params.get("type") or "?"))
    kind = params.get("kind") or "location"
    low = (lambda x: x[:1].lower() + x[1:]) if en else (lambda x: x)  # mid-sentence in English
    kind_words = t("capw_kind_" + kind, lang)
    parts.append(low(kind_words) if kind_words != "capw_kind_" + kind else str(kind))
    if kind == "location":
        if params.get("model"):
            label = t("model_" + str(params["model"]), lang)
            parts.append((f"model {label}" if en else f"模型 {label}") if not label.startswith("model_")
                         else f"model {params['model']}")
        if params.get("p"):
            parts.append(f"{params['p']} new {'site' if params['p'] == 1 else 'sites'}" if en else f"新增 {params['p']} 处")
        std = params.get("standard") if isinstance(params.get("standard"), dict) else None
        if std and std.get("urban") is not None:
            unit = ft.unit if ft is not None else "min"
            parts.append((f"standard {cost_text(std['urban'], unit, lang)} urban / {cost_text(std['rural'], unit, lang)} rural"
                          if en else f"服务标准 城镇 {cost_text(std['urban'], unit, lang)} / 农村 {cost_text(std['rural'], unit, lang)}"))
    elif kind == "sized":
        if params.get("sizes"):
            parts.append(f"{low(t('capw_sizes', lang))} {sizes_text(params['sizes'])}")
        if params.get("costs"):
            parts.append(f"{low(t('capw_costs', lang))} {sizes_text(params['costs'])}")
        if params.get("budget_sites"):
            n = params["budget_sites"]
            parts.append(f"budget {n} {'site' if n == 1 else 'sites'}" if en else f"预算 {n} 处")
        if params.get("budget_cost"):
            parts.append(f"budget {params['budget_cost']:,g} × 10,000 yuan" if en else f"预算 {params['budget_cost']:,g} 万元")
    else:
        if params.get("k"):
            what = ("convert" if params.get("convert") else "upgrade") if en else ("转型" if params.get("convert") else "改造提升")
            parts.append(f"{what} K = {params['k']}" if en else f"{what} K = {params['k']} 处")
    county = params.get("county")
    parts.append(service.county_names(lang).get(str(county), str(county)) if county else low(t("scope_city", lang)))
    if params.get("mode"):
        parts.append(t("mode_" + str(params["mode"]), lang))
    return (", " if en else "，").join(str(x) for x in parts if x)


def _deleted(pid: str):
    """A 404 saying who deleted the proposal and when, if the audit log says so (QA 18: saving a proposal a
    colleague had just deleted said only "not found"). Opening it (GET) says so with its parameters, to make it
    again; "nothing was saved" is for a change refused (QA 27: a read said it too)."""
    import time

    from flask import request

    from web.errors import NotFoundError

    try:
        _, rows = ext()["users"].audit_list(limit=20, action="proposal_deleted", q=pid)
    except Exception:  # the log is a courtesy here: never fail over it
        return None
    row = next((r for r in rows if r.get("object") == pid), None)
    # a backup restore that dropped it (saved after the backup): said as such, by whom and when (QA 35: "not found"),
    # unless it was deleted since (restored again by a later restore, then deleted)
    dropped = _dropped_by_restore(pid, deleted_at=row["at"] if row is not None else None)
    if dropped is not None and (row is None or (dropped[0]["at"], dropped[0]["id"]) > (row["at"], row["id"])):
        return _dropped_error(pid, *dropped)
    if row is None:
        return None
    detail = row.get("detail") or {}
    # cut with an ellipsis: "…· 50 sites ·" read as the whole name (QA 35)
    name = _cut_name(textrules.without_refused(str(detail.get("name") or pid)))
    from web.auth import actor_text

    # in the audit page's words: "本机（免登录）", not the no-login user's stored name "local" (QA 21)
    who_en, who_zh = (textrules.without_refused(actor_text(row, lang))[:40] for lang in ("en", "zh"))
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["at"]))
    kept = detail.get("params") if isinstance(detail.get("params"), dict) else None
    method = request.method if has_request_context() else "GET"
    details = {"id": pid, "deleted": True, **({"params": kept} if kept else {})}
    if method in ("GET", "HEAD"):
        try:
            said_en, said_zh = (params_text(kept, "en"), params_text(kept, "zh")) if kept else (None, None)
        except Exception:  # a type or county since removed: the parameters as kept
            said_en = said_zh = None
        if said_en:
            hint_en = f"Its parameters: {said_en}. To have it again, make a new proposal with them on the Proposals page."
            hint_zh = f"其参数：{said_zh}。如需此方案，可在“选址方案”页按这些参数重新生成。"
        else:
            hint_en = "Its parameters were not kept; make a new proposal on the Proposals page if it is needed again."
            hint_zh = "删除时未记录其参数；如仍需要，请在“选址方案”页重新生成。"
    elif method == "DELETE":
        hint_en, hint_zh = "There is nothing left to delete.", "无需再次删除。"
    else:
        hint_en = "Nothing was saved; a deleted proposal can be made again from its parameters."
        hint_zh = "未保存任何内容；已删除的方案可按原参数重新生成。"
    return NotFoundError(f"The proposal \"{name}\" was deleted{' by ' + who_en if who_en else ''} at {when}.",
                         f"方案“{name}”已于 {when} {'被 ' + who_zh + ' ' if who_zh else ''}删除。",
                         hint_en=hint_en, hint_zh=hint_zh, details=details)


#: The longest proposal name a 404 of a deleted or dropped proposal says whole (longer: cut, with "…").
NAME_SHOWN = 60


def _cut_name(name: str) -> str:
    return name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN - 1] + "…"


#: How many restore entries are read for a proposal whose restore entry did not record it by id (one made before
#: QA 35), to find the restore that dropped it by its name.
RESTORES_READ = 50


def _dropped_by_restore(pid: str, deleted_at: float | None = None) -> tuple[dict, dict] | None:
    """The backup restore that dropped proposal ``pid`` (saved after the backup) and what it recorded of it
    (``{"id", "name", "params"}``), from the audit log: the restore entry naming it among its
    ``dropped_proposal_records`` (cli/backup.py); for a restore that recorded the dropped proposals by name only, the
    first restore after the proposal's ``proposal_saved`` entry (carried over by the restore) that dropped a
    proposal of that name, unless it came after the proposal's deletion (``deleted_at``: gone by then, no restore
    dropped it). None when no entry says so, or the log cannot be read."""
    users = ext()["users"]
    try:
        _, rows = users.audit_list(limit=20, action="restore", q=pid)
        for r in rows:  # newest first
            recs = (r.get("detail") or {}).get("dropped_proposal_records")
            rec = next((x for x in recs if isinstance(x, dict) and str(x.get("id")) == pid), None) \
                if isinstance(recs, list) else None
            if rec is not None:
                return r, rec
        _, saves = users.audit_list(limit=5, action="proposal_saved", q=pid)
        save = next((x for x in saves if x.get("object") == pid), None)
        if save is None:
            return None
        _, restores = users.audit_list(limit=RESTORES_READ, action="restore")
    except Exception:  # the log is a courtesy here: never fail over it
        return None
    name = str((save.get("detail") or {}).get("name") or "")
    for r in sorted(restores, key=lambda x: (x["at"], x["id"])):
        d = r.get("detail") or {}
        n, names = d.get("dropped_proposals"), d.get("dropped_proposal_names")
        names = names if isinstance(names, list) else []
        recs = d.get("dropped_proposal_records")
        if r["at"] < save["at"] or (deleted_at is not None and r["at"] > deleted_at) or isinstance(n, bool) or not isinstance(n, int) or n <= 0 \
                or (isinstance(recs, list) and len(recs) >= n):  # one that recorded them all by id named it above
            continue
        if name in names or n > len(names):
            return r, {"id": pid, "name": name}
    return None


def _dropped_error(pid: str, row: dict, rec: dict):
    """The 404 of a proposal a backup restore dropped (:func:`_dropped_by_restore`): who restored which backup,
    when, its name and, on opening it, its parameters to make it again; in both languages, as a deleted one's."""
    import time

    from flask import request

    from web.auth import actor_text
    from web.errors import NotFoundError

    detail = row.get("detail") or {}
    name = _cut_name(textrules.without_refused(str(rec.get("name") or pid)))
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["at"]))
    archive = textrules.escaped(str(row.get("object") or ""))[:120]
    made = detail.get("backup_created")
    created = str(made)[:16].replace("T", " ") if isinstance(made, str) else None
    # what a deleted proposal's entry keeps of its parameters (the restore recorded those of a short value)
    try:
        kept = deleted_params({"type": rec.get("type"), "params": rec["params"]}) \
            if isinstance(rec.get("params"), dict) and rec["params"] else None
    except Exception:  # parameters that cannot be read: the proposal is still named
        kept = None
    kept = kept if kept and set(kept) - {"type"} else None

    def said(lang: str) -> str:
        who = textrules.without_refused(actor_text(row, lang))[:40]
        shown = t("qa35f5_archive_made", lang, archive=archive, created=created) if created else archive
        return t("qa35f5_dropped", lang, name=name, who=who, at=when, archive=shown)

    method = request.method if has_request_context() else "GET"
    if method in ("GET", "HEAD"):
        try:
            words = {lang: params_text(kept, lang) for lang in ("en", "zh")} if kept else None
        except Exception:  # a type or county since removed: the parameters as kept
            words = None
        hint = {lang: t("qa35f5_hint_params", lang, params=words[lang]) if words else t("qa35f5_hint_no_params", lang)
                for lang in ("en", "zh")}
    elif method == "DELETE":
        hint = {"en": "There is nothing left to delete.", "zh": "无需再次删除。"}
    else:
        hint = {lang: t("qa35f5_hint_write", lang) for lang in ("en", "zh")}
    details = {"id": pid, "dropped": True,
               "restore": {"archive": row.get("object"), "at": row["at"], "backup_created": created},
               **({"params": kept} if kept else {})}
    return NotFoundError(said("en"), said("zh"), hint_en=hint["en"], hint_zh=hint["zh"], details=details)


def owner_name(owner, lang: str, names: dict | None = None) -> str | None:
    """Who made a proposal, in words: the account's name; the no-login user as the audit page says it
    (本机（免登录）); None for one saved before accounts. Never the stored id (QA 27: the list and the page
    named no author although refusals say "only its author")."""
    from web.auth import LOCAL_ACTOR
    from web.users import LOCAL

    if not owner:
        return None
    if owner == LOCAL.id:
        return LOCAL_ACTOR[1] if lang == "en" else LOCAL_ACTOR[0]
    if names is None:
        try:
            user = ext()["users"].get(str(owner))
        except Exception:
            user = None
        name = user.name if user is not None else None
    else:
        name = names.get(str(owner))
    if name is None:
        return "(account removed)" if lang == "en" else "（账号已删除）"
    return textrules.without_refused(str(name))


def owner_names() -> dict:
    """{account id: name} of every account, read once for a list."""
    try:
        return {u.id: u.name for u in ext()["users"].list()}
    except Exception:
        return {}


#: The planner reports its stages in English; planners read them in Chinese.
STAGES_ZH = {"queued → running": "开始计算", "reading the road network": "读取并构建路网", "demand and candidates": "准备需求点与候选点",
             "travel costs": "计算出行成本", "rationale": "生成选址理由", "saving": "保存方案", "done": "完成",
             "saving the data version": "保存为新的数据版本"}


#: The solver's own steps, reported as "solving <model>: <step>".
SOLVER_STEPS = {"heuristic": ("启发式初始解", "heuristic start"), "bound": ("计算下界、排除候选点", "bounds and reductions"),
                "MIP": ("整数规划精确求解", "exact integer programme")}
#: What a sized or upgrade run solves ("solving sized: MIP", web/capacity_proposals.py), in words: a
#: conversion reports "upgrade" too, and is told apart by its ``convert`` parameter.
KIND_WORDS = {"sized": ("规模与选址", "sites and sizes"), "upgrade": ("改造提升选择", "choosing upgrades"),
              "conversion": ("转型选择", "choosing conversions")}


def stage_text(message: str, lang: str, params: dict | None = None) -> str:
    """A job's progress message in the user's language (``params``: the job's, to tell a conversion
    from an upgrade)."""
    if not message:
        return message
    i = 1 if lang == "en" else 0
    if message.startswith("solving "):
        model, _, step = message[len("solving "):].partition(": ")
        if model == "upgrade" and isinstance(params, dict) and params.get("convert"):
            model = "conversion"
        words = (MODEL_WORDS.get(model) or KIND_WORDS.get(model) or (None, None))[i]
        # a model without words is left unnamed: "求解", never its code in capitals
        head = ("solving" if i else "求解") if words is None else (f"solving ({words})" if i else f"求解（{words}）")
        return head + (f" · {SOLVER_STEPS.get(step, (step, step))[i]}" if step else "")
    return message if i else STAGES_ZH.get(message, message)


MODELS = ("auto", "mclp", "lscp", "pmedian", "pcenter")
MODES = ("estimate", "network")
MAX_TIME_LIMIT = 300.0
MAX_SITES = 5000
MAX_NAME, MAX_NOTE = 80, 2000


#: A finite number from a form or JSON value, in range: read by the one rule of web.params (QA 22: "1_5" was 15).
_number = number


def number_param(raw, name: str, *, minimum=None, maximum=None, kind=float) -> float | None:
    """A finite query-string number in range (400 otherwise); ``kind=int``: a whole number
    ("1.5" is a 400 saying 应为整数, not silently 1)."""
    return _number(raw, name, kind, minimum=minimum, maximum=maximum)


def _text(form: dict, name: str, limit: int) -> str:
    raw = form.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise bad_param(name, raw, "text", "文本")
    text = raw.strip()
    # control characters (NUL, BEL, ESC sequences...) garble the list, the downloads and a terminal
    # reading the audit log; a note may have line breaks and tabs, a name is one visible line
    multiline = name == "note"
    at = textrules.first_refused(text, multiline=multiline)
    if at is not None:
        bad = text[at]
        shown = textrules.escaped(text[:40], multiline=multiline)
        code = f"U+{ord(bad):04X}"
        what_en, what_zh = textrules.char_kind(bad)
        if unicodedata.category(bad) == "Cs":  # not a character at all: not a "control character"
            want_en, want_zh = "valid text", "有效的文字"
        elif name == "note":
            want_en, want_zh = "text without control characters other than line breaks and tabs", "除换行和制表符外不含控制字符的文本"
        else:
            want_en, want_zh = ("one line of visible text without control characters, line breaks or tabs",
                                "不含控制字符、不可见字符、换行或制表符的一行文字")
        raise bad_param(name, shown, f"{want_en} (found {code}, {what_en}); remove it and save again",
                        f"{want_zh}（含有 {code}：{what_zh}），请删去后再保存")
    if len(text) > limit:  # said, not cut: a planner's note must not lose its end silently
        raise bad_param(name, text[:40] + "…", f"at most {limit:,} characters (this has {len(text):,})",
                        f"不超过 {limit:,} 个字符（现有 {len(text):,} 个）")
    return text


def _plain(text: str, field: str = "name") -> str:
    """``text`` without the characters ``field`` refuses: a name or note saved before they were
    refused must not make its re-run fail on a field the planner did not type."""
    return textrules.without_refused(text, multiline=field == "note")


#: The fields a proposal request takes (a location, sized or upgrade proposal; ``county`` for a city account).
PROPOSAL_FIELDS = ("type", "kind", "model", "mode", "p", "standard", "standard_urban", "standard_rural",
                   "time_limit", "name", "note", "sizes", "costs", "budget_sites", "budget_cost", "k", "convert",
                   "county")


def parse_params(form: dict, service) -> dict:
    """Checked solve parameters from a JSON body or a form (400/404 on bad input)."""
    if not isinstance(form, dict):
        raise bad_param("body", json_kind(form), "a JSON object", "JSON 对象")
    refuse_unknown(form, PROPOSAL_FIELDS, what_en="a proposal", what_zh="选址方案")
    type_key = form.get("type")
    if not type_key or not isinstance(type_key, str):
        raise bad_param("type", type_key, "a facility type key", "设施类型代码")
    ft = service.get_type(type_key)  # unknown -> 404 listing the known types
    # absent, null or "" is the default; anything else must be one of the words (0 or false was taken as absent)
    model = "auto" if form.get("model") in (None, "") else form.get("model")
    if not isinstance(model, str) or model not in MODELS:
        raise bad_param("model", model, "one of " + ", ".join(MODELS), "以下之一：" + "、".join(MODELS))
    mode = "estimate" if form.get("mode") in (None, "") else form.get("mode")
    if not isinstance(mode, str) or mode not in MODES:
        raise bad_param("mode", mode, "estimate or network", "estimate 或 network")
    p = _number(form.get("p"), "p", int, minimum=1, maximum=MAX_SITES)
    if model == "lscp" and p is not None:  # it was dropped without a word
        raise bad_param("p", form.get("p"), "no number of sites with model lscp (full coverage decides it); "
                        "leave p out, or choose mclp or pmedian for a fixed number",
                        "不填写（lscp 全覆盖模型自行决定站点数）；如需指定站点数，请选择 mclp 或 pmedian")
    top = max_standard(ft)
    # at least planner.proposals.MIN_STANDARD (1 minute, 100 m): 1e-320 was saved and solved (QA 21)
    std = {k: _number(form.get(k), k, float, minimum=min_standard(ft), maximum=top)
           for k in ("standard", "standard_urban", "standard_rural")}
    if std["standard"] is not None and (std["standard_urban"] is not None or std["standard_rural"] is not None):
        raise bad_param("standard", form.get("standard"), "either one standard for all units, or "
                        "standard_urban / standard_rural, not both",
                        "统一的服务标准，或分别填写城镇/农村标准（二者不能同时给出）")
    standard = None
    if std["standard"] is not None:
        standard = {"urban": std["standard"], "rural": std["standard"]}
    elif std["standard_urban"] is not None or std["standard_rural"] is not None:
        standard = {"urban": std["standard_urban"] if std["standard_urban"] is not None else ft.standard_urban,
                    "rural": std["standard_rural"] if std["standard_rural"] is not None else ft.standard_rural}
    time_limit = _number(form.get("time_limit"), "time_limit", float, minimum=1, maximum=MAX_TIME_LIMIT) or 60.0
    effective = effective_model(model, ft, p)
    # p left blank stays None here: the type's default is set when the solve starts (default_sites), in the
    # county it is solved for, lowered to the candidate sites there (QA 33: the default 8 with 6 candidates in
    # 茅箭区 was refused as "填写的 8", a number nobody typed)
    if effective == "lscp":
        p = None  # full coverage decides the number of sites itself
    out = {"type": ft.key, "model": model, "model_effective": effective, "p": p, "standard": standard,
           "mode": mode, "time_limit": time_limit, "name": _text(form, "name", MAX_NAME),
           "note": _text(form, "note", MAX_NOTE)}
    # sizes and budget, or upgrading existing facilities (issue 16): web/capacity_proposals.py
    extra = capacity_proposals.parse(form, ft, service, _number)
    if extra["kind"] != "location":
        # a sized or upgrade run has its own model and counts (budget_sites, k) and the type's standard:
        # the new-site model, its number of sites and a standard override would be saved as if they
        # applied; sent, they were dropped without a word
        given = [k for k in ("model", "p", "standard", "standard_urban", "standard_rural")
                 if form.get(k) not in (None, "") and not (k == "model" and form.get(k) == "auto")]
        if given:
            raise bad_param(given[0], form.get(given[0]),
                            f"no {given[0]} with kind {extra['kind']} (it sizes by budget_sites / budget_cost, or "
                            "upgrades k facilities, at the type's standard); leave it out",
                            f"不填写（kind 为 {extra['kind']} 时按 budget_sites / budget_cost 或 k 计算，"
                            "服务标准取该类型的设定）")
        for key in ("model", "model_effective", "p", "standard"):
            out.pop(key, None)
        out.update(extra)
    return out


def rerun_params(rec: dict, service) -> dict:
    """The checked parameters of a saved proposal, to solve it again on the current data."""
    old = rec.get("params") or {}
    std = (rec.get("summary") or {}).get("params", {}).get("standard") or old.get("standard") or {}
    form = {"type": rec["type"], "mode": old.get("mode") or "estimate", "time_limit": old.get("time_limit"),
            "note": _plain(old.get("note") or "", "note")}
    if (old.get("kind") or "location") == "location":  # a sized or upgrade run has no model, p or standard
        form.update({"model": old.get("model") or "auto", "p": old.get("p")})  # (one saved before may: ignored)
        if old.get("standard"):  # the planner overrode the standard: keep the override
            form["standard_urban"], form["standard_rural"] = std.get("urban"), std.get("rural")
    for k in ("kind", "sizes", "costs", "budget_sites", "budget_cost", "k", "convert"):
        if old.get(k) is not None:  # a sized or upgrade proposal is solved again as one
            form[k] = old[k]
    version = service.version()
    form["name"] = f"{without_version(_plain(rec['name']))[:60]}·v{version}"  # "name·v2" -> "name·v4", not "·v2·v4"
    notes = []  # the app's notes on this re-solve (its K or p lowered), in both languages
    if old.get("kind") == "upgrade" and old.get("k") is not None:
        notes = _rerun_k(form, rec, service)
    elif (old.get("kind") or "location") == "location" and form.get("p") is not None:
        notes = _rerun_p(form, rec, service)
    params = parse_params(form, service)
    params["rerun_of"] = rec["id"]
    # the notes of the proposal solved again still say how its numbers were set (a default lowered): kept, unless
    # this re-solve set them again (its note says what they were, and why; "p = 6, not the default 8" beside a
    # 5-site re-solve read as a contradiction, QA 33 round 3)
    kept_notes = (notes or auto_notes_of(old))[-MAX_AUTO_NOTES:]
    if kept_notes:
        params["auto_notes"] = kept_notes
    # a name the app made is made again, in both languages, with the version (QA 33: a re-solve of an English
    # page's proposal was named in Chinese, params.auto_name null); a planner's name is kept, with the version
    auto = _rerun_auto_name(rec, params, service, version)
    if auto:
        params["auto_name"] = auto
        params["name"] = auto[g.get("lang", "zh") if has_request_context() else "zh"]
    return params


def _name_args(params: dict, ft) -> dict:
    """What planner.proposals.default_name names a proposal of ``params`` by (its model and sites, sizes or K)."""
    kind = params.get("kind") or "location"
    if kind == "location":
        model = params.get("model_effective") or (params.get("model") if params.get("model") not in (None, "auto")
                                                  else ft.default_model)
        return {"model": model, "n": params.get("p")}
    return {"sizes": params.get("sizes"), "k": params.get("k"), "convert": bool(params.get("convert"))}


def _rerun_auto_name(rec: dict, params: dict, service, version: int) -> dict | None:
    """A re-solve's name when the app named the proposal it solves again (``params.auto_name``, not renamed since):
    the name made from the re-solve's own numbers (a p or K lowered says the new one), with the first solve's time
    and "·v<version>", in both languages; None for a planner's name (his, with "·v<version>": rerun_params)."""

    old = rec.get("params") if isinstance(rec.get("params"), dict) else {}
    auto, name = old.get("auto_name"), str(rec.get("name") or "")
    if not isinstance(auto, dict) or name not in auto.values() or \
            not all(isinstance(auto.get(la), str) and auto.get(la) for la in ("zh", "en")):
        return None
    ft = service.types().get(rec["type"])
    kind = old.get("kind") or "location"
    out = {}
    for la in ("zh", "en"):
        tail = None
        if ft is not None:
            # the first name's tail (its time) as default_name put it between the words: a name made by a
            # version that worded it otherwise is kept as it was
            head, mark, end = proposal_default_name(kind, ft, la, tail="\0", **_name_args(old, ft)).partition("\0")
            was = auto[la]
            if mark and was.startswith(head) and was.endswith(end) and len(was) > len(head) + len(end):
                tail = without_version(was[len(head):len(was) - len(end)])  # a re-solve's re-solve
        out[la] = (proposal_default_name(kind, ft, la, tail=f"{tail}·v{version}", **_name_args(params, ft))
                   if tail else f"{without_version(_plain(auto[la]))[:60]}·v{version}")
    return out


#: The end a re-solve gave a name: "·v<version>", and " #<n>" where another re-solve on that version had it
#: (web.api._unused_rerun_name); one after another where a re-solve's re-solve stacked them (QA 34: "…·v2·v4").
RERUN_SUFFIX = re.compile(r"(?:·v\d+(?: #\d+)?)+$")


def without_version(name: str) -> str:
    """``name`` without the version a re-solve put at its end ("郧西综合体测试·v2 #2" -> "郧西综合体测试"), so that
    solving a re-solve again names it "…·v4", not "…·v2·v4"; a name without one as it is (a planner's own "#3" too)."""
    bare = RERUN_SUFFIX.sub("", name).rstrip()
    return bare or name


def _rerun_p(form: dict, rec: dict, service) -> list[dict]:
    """A new-sites proposal's p on the current data: a candidate site taken since (a facility added there) left
    fewer to choose than it asked, and the re-solve failed "p = 6 new sites asked, but only 5 candidate sites can
    be chosen" (QA 33). Lowered to what the current data has in its county (or the city), as an upgrade's K is
    (:func:`_rerun_k`), the returned note saying so, and that the old p was the type's default when it was; with
    none left, the answer says that in words."""
    from planner.sites import choosable_counts

    old = rec.get("params") or {}
    ft = service.types().get(rec["type"])
    p = form.get("p")
    if ft is None or not isinstance(p, int) or isinstance(p, bool) or p < 1:  # parse_params says what is wrong
        return []
    county = old.get("county")
    region = service.region
    scoped = county_type(ft, county, region)
    n = choosable_counts(region, scoped, existing_facilities(region, scoped))
    limit = int(n["by_county"].get(str(county), 0) if county else n["total"])
    if p <= limit:
        return []
    where = {la: service.county_names(la).get(str(county), str(county)) if county else t("qa33f11_city", la)
             for la in ("zh", "en")}
    if limit < 1:
        v = service.version()
        raise InputDataError(t("qa33f12_rerun_p_none", "en", where=where["en"], v=v),
                             t("qa33f12_rerun_p_none", "zh", where=where["zh"], v=v),
                             hint_en=t("qa33f12_rerun_p_none_hint", "en"), hint_zh=t("qa33f12_rerun_p_none_hint", "zh"),
                             details={"parameter": "p", "p": p, "max": 0})
    form["p"] = limit
    why = _was_default(rec, ft, where, p)
    said = {la: t("qa33f12_rerun_p_one" if limit == 1 else "qa33f12_rerun_p", la, p=limit, old=p, where=where[la])
            + ((" " if la == "en" else "") + why[la] if why else "") for la in ("zh", "en")}
    return [said]


def _was_default(rec: dict, ft, where: dict, p: int) -> dict | None:
    """Whether the p a proposal was solved with is the type's default (the planner left it blank), in words, or
    None: ``p_default`` says so (web.proposals.default_sites); one saved before it, by the note it wrote."""
    old = rec.get("params") or {}
    default = old.get("p_default")
    if isinstance(default, int) and not isinstance(default, bool):
        if p == default:
            return {la: t("qa33f12_was_default", la, old=p) for la in ("zh", "en")}
        return {la: t("qa33f12_was_default_lowered", la, old=p, default=default, where=where[la])
                for la in ("zh", "en")}
    # saved before the app kept its notes apart: its note then said "新增站点数取 6，而非该类型默认的 8…"
    default = int(ft.default_p)
    note = f"{old.get('note') or ''}\n{rec.get('note') or ''}"
    for la in ("zh", "en"):
        if t("qa33f11_p_note_one" if p == 1 else "qa33f11_p_note", la, p=p, default=default, where=where[la]) in note:
            return {lg: t("qa33f12_was_default_lowered", lg, old=p, default=default, where=where[lg])
                    for lg in ("zh", "en")}
    return None


def _rerun_k(form: dict, rec: dict, service) -> list[dict]:
    """An upgrade's K on the current data: fewer facilities there than it chose (a register imported
    since) took the re-run to the form's "Bad parameter k (How many (K)) = 5: expected at most 3", a K
    the planner never typed on that page (QA 21). It is lowered to what can be chosen and the returned note (for
    the new proposal) says so; with none left, the answer says that in words."""
    from web.capacity_proposals import upgrade_choosable, upgrade_left_out

    ft = service.types().get(rec["type"])
    if ft is None:  # a type since removed: parse_params says so in its own words
        return []
    ft = county_type(ft, (rec.get("params") or {}).get("county"), service.region)
    convert = bool(form.get("convert"))
    if (ft.conversion if convert else ft.upgrade) is None:  # a type that no longer says how: parse_params says so
        return []
    # counted as the solver counts (planner.upgrades.choosable): a facility added on the map without beds was
    # counted here and K = 3 kept, and the solver refused "最多可选 2 处" (QA 33)
    n = upgrade_choosable(service, ft, convert)
    limit, k = n["total"], int(form["k"])
    if k <= limit:
        return []
    # the facilities left out for want of a capacity, those added since it was solved said as new
    left_out = {la: upgrade_left_out(rec, service, ft, n, la) for la in ("zh", "en")}
    if limit < 1:
        raise InputDataError(f"This proposal cannot be solved again: the current data (version {service.version()}) "
                             f"has no {ft.name('en')} that can be {'converted' if convert else 'upgraded'}"
                             + (f" ({left_out['en']})." if left_out["en"] else "."),
                             f"无法重新求解此方案：当前数据（版本 {service.version()}）中没有可{'转型' if convert else '改造提升'}"
                             f"的{ft.name('zh')}" + (f"（{left_out['zh']}）。" if left_out["zh"] else "。"),
                             hint_en=("Give their capacities (facility details on the map), import a register that "
                                      "lists them (Data page), or roll the data back." if n["unknown"] else
                                      "Import a register that lists them (Data page), or roll the data back."),
                             hint_zh=("请在地图上编辑设施时填写其容量，或在“数据管理”页面导入包含这些设施的名录，或回退数据版本。"
                                      if n["unknown"] else "请在“数据管理”页面导入包含这些设施的名录，或回退数据版本。"),
                             details={"parameter": "k", "k": k, "max": 0, "capacity_unknown": n["unknown"]})
    form["k"] = limit
    # in both languages, apart from the planner's note (it was added to his note in the page's language)
    return [{"en": f"Solved again with K = {limit}, not {k}: the current data has only {limit} that can be chosen "
                   "within the per-county limits" + (f" ({left_out['en']})." if left_out["en"] else "."),
             "zh": f"重新求解时 K 由 {k} 降为 {limit}：当前数据按各县上限只有 {limit} 处可选"
                   + (f"（{left_out['zh']}）。" if left_out["zh"] else "。")}]


def parse_edit(form: dict) -> dict:
    """A rename / note change (PATCH): only ``name`` and ``note``, as text (``was``: see check_unchanged)."""
    if not isinstance(form, dict):
        raise bad_param("body", json_kind(form), "a JSON object", "JSON 对象")
    only_was = "was" in form
    form = {k: v for k, v in form.items() if k != "was"}
    unknown = sorted(set(form) - {"name", "note"})
    if unknown:
        raise bad_param(unknown[0], form[unknown[0]], "a field that can be changed: only name and note", "可修改的字段（只能修改名称和备注）")
    if not form:  # an empty change was a 200 that changed nothing; a body of "was" alone was quoted as "{}" (QA 29)
        if only_was:
            raise bad_param("body", "{was: …}", 'name and/or note to change (the field "was" only records what the '
                            "page showed; it changes nothing)", "要修改的名称和/或备注（字段 was 只记录页面所显示的内容，"
                            "不修改任何内容）")
        raise bad_param("body", "{}", "name and/or note to change", "要修改的名称和/或备注")
    out = {}
    if "name" in form:
        name = _text(form, "name", MAX_NAME)
        if not name:
            # JSON null too: a proposal cannot be left without a name
            raise bad_param("name", textrules.escaped(form.get("name")), "a non-empty name (text)", "非空名称（文本）")
        out["name"] = name
    if "note" in form:
        out["note"] = _text(form, "note", MAX_NOTE)
    return out


def check_unchanged(rec: dict, body: dict) -> None:
    """A 409 when ``body["was"]`` (the name and note the page showed) is no longer what is saved.

    Two planners with one proposal open: the second's save put back the name the first had just
    changed, and both read "saved" (QA 17). The page sends what it showed; a client that sends no
    ``was`` saves as before.
    """
    was = body.get("was") if isinstance(body, dict) else None
    if was is None:
        return
    # a null note is "no note"; a proposal always has a name, and a null one was compared as "" and
    # answered 409 "someone else changed it" when nobody had (QA 22)
    if not isinstance(was, dict) or set(was) - {"name", "note"} or \
            any(not isinstance(v, str) and not (v is None and k == "note") for k, v in was.items()):
        raise bad_param("was", was, "an object with the name and/or note the page showed",
                        "对象，含页面显示的名称和/或备注")
    lang = g.get("lang", "zh") if has_request_context() else "zh"
    now = {"name": display_name(rec, lang), "note": rec.get("note") or ""}

    def plain(text) -> str:  # as a page's textarea gives it back: \n line ends, no first empty line
        t_ = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
        return t_[1:] if t_.startswith("\n") else t_
    # a name the app made was shown in the page's language: either of its two forms is the one saved
    names = {plain(rec.get("name") or ""), *(plain(display_name(rec, lg)) for lg in ("zh", "en"))}
    # the note as the planner typed it (what the page edits), or as the API's ``note`` gives it with the app's
    # notes after it (notes_view), in either language
    notes = {plain(now["note"]), *(plain(notes_view(rec, lg)["note"]) for lg in ("zh", "en"))}
    changed = [k for k in ("name", "note") if k in was and
               (plain(was[k]) not in names if k == "name" else plain(was[k]) not in notes)]
    if changed:
        from web.errors import EditConflict
        shown = {k: now[k] if len(now[k]) <= 60 else now[k][:59] + "…" for k in changed}
        en = "; ".join(f"its {k} is now “{shown[k]}”" for k in changed)
        zh = "；".join(f"{'名称' if k == 'name' else '备注'}现为“{shown[k]}”" for k in changed)
        raise EditConflict(f"Someone else changed this proposal since the page was opened ({en}): nothing was saved.",
                           f"打开本页后，他人已修改了该方案（{zh}）：未保存。",
                           hint_en="Read their change; save again to replace it.",
                           hint_zh="请先查看他人的修改；如仍要替换，请再次保存。",
                           details={"current": now, "changed": changed})


def default_name(params: dict, ft, lang: str = "zh") -> str:
    """"乡镇(街道)养老服务综合体·最大覆盖·8处·12-03 07:15", in the language of the page it came from
    (planner.proposals.default_name, as `coverplan propose --out` names its file's proposal)."""
    model = params.get("model_effective") or (params["model"] if params["model"] != "auto" else ft.default_model)
    return proposal_default_name("location", ft, lang, model=model, n=params.get("p"),
                                 tail=f"{datetime.now():%m-%d %H:%M}")


def start(ext: dict, params: dict, *, owner: str | None = None, on_saved=None):
    """Queue a solve; the job's result is ``{"proposal_id", "url"}`` once saved.

    ``params["county"]`` (set by web.auth.scope_proposal for a county planner)
    limits the solve to that county: its demand units and its candidate sites.
    ``owner`` (a user id) is stored with the proposal; ``on_saved(pid, name)`` runs
    after saving (the audit log; the job thread has no request), ``name`` being the one saved:
    the generated one when the planner left it empty.
    """
    service, store, jobs = ext["service"], ext["store"], ext["jobs"]
    ft = service.get_type(params["type"])
    kind = params.get("kind") or "location"
    lang = g.get("lang", "zh") if has_request_context() else "zh"
    # the data version the proposal is solved on: it keeps pointing at it (maps, re-runs)
    version = service.version()
    solve_type = county_type(ft, params.get("county"), service.region_at(version))
    params = dict(params)  # check_scope may lower a default K (and say so in its notes): the caller's stays
    capacity_proposals.check_scope(params, service, solve_type, lang)  # K within the county's facilities: a 400 now
    default_sites(params, service, solve_type, service.region_at(version), lang)  # p left blank: the default there
    # a name the app made is kept in both languages: shown in the page's (QA 18: an English page's
    # proposal was "Rural mutual-aid care centre · upgrade 50" in the Chinese exports)
    auto = None if params["name"] else {
        lg: (default_name(params, ft, lg) if kind == "location" else capacity_proposals.default_name(params, ft, lg))
        for lg in ("zh", "en")}
    given = params.pop("auto_name", None)  # a re-solve's of a name the app made (rerun_params), in both languages
    if params["name"] and isinstance(given, dict) and params["name"] not in given.values():
        # web.api names another planner's re-solve apart ("… #2"): both languages alike; renamed otherwise, his
        mine = str(given.get(lang) or "")
        extra = params["name"][len(mine):] if mine and params["name"].startswith(mine) else None
        given = {lg: f"{v}{extra}" for lg, v in given.items()} if extra is not None else None
    if params["name"] and isinstance(given, dict):
        auto = given
    name = params["name"] or auto[lang]

    graph = service.graph(params["mode"])  # no road graph -> a clear 400 now, not a failed job later
    # the server's bound on every solve (config SOLVE_TIME_LIMIT) wins over the form's
    limit = float(current_app.config.get("SOLVE_TIME_LIMIT") or MAX_TIME_LIMIT)
    params = {**params, "time_limit": min(float(params["time_limit"]), limit), "dataset_version": version,
              **({"auto_name": auto} if auto else {})}

    def work(progress, should_stop):
        progress(0.01, "queued → running")
        if kind != "location":
            # the MIPs inside poll the job's stop (planner.models.control), so a
            # cancel stops the running solve, not only the save after it
            with caller_controls(should_stop, None, params["time_limit"]):
                summary, geojson = capacity_proposals.solve(params, service.region_at(version), solve_type,
                                                            graph, progress)
            if should_stop():
                if not kept(should_stop):
                    return None
                # "stop and save": the plan found so far, saved as stopped, with how far from the best it can be
                solver = summary.get("solver") or {}
                if solver.get("status") != "optimal":
                    solver["status"] = "stopped"
            _scope_summary(summary, service.region_at(version), solve_type, params.get("county"),
                           map_figure(service, ft, params.get("county"), params["mode"], version))
            progress(0.95, "saving")  # the save's commit point, as below
            pid = store.add(name=name, type_key=ft.key, params={**params, "name": name}, summary=summary,
                            geojson=geojson, note=params.get("note", ""), owner=owner)
            if on_saved is not None:
                on_saved(pid, name)
            return {"proposal_id": pid, "url": f"/proposals/{pid}", "api": f"/api/proposals/{pid}"}
        prop = propose(
            service.region_at(version), solve_type, model=params["model_effective"], p=params["p"], standard=params["standard"],
            mode=params["mode"], graph=graph, time_limit=params["time_limit"], progress=progress,
            should_stop=should_stop)
        if should_stop():
            return None
        # the planner's marks the solve kept to are part of what was asked
        marks = (prop.params or {}).get("site_marks")
        summary = _scope_summary(prop.to_dict(lang="zh"), service.region_at(version), solve_type, params.get("county"),
                                 map_figure(service, ft, params.get("county"), params["mode"], version))
        # the save's commit point (web.jobs.JobRunner.may_save): a cancel or a disabled account before it saves
        # nothing; one after it is too late, and the job ends "done" with the proposal it saved (QA 31)
        progress(0.95, "saving")
        pid = store.add(name=name, type_key=ft.key, params={**params, "name": name,
                                                           **({"site_marks": marks} if marks else {})},
                        summary=summary, geojson=prop.to_geojson(), note=params.get("note", ""),
                        owner=owner)
        if on_saved is not None:
            on_saved(pid, name)
        return {"proposal_id": pid, "url": f"/proposals/{pid}", "api": f"/api/proposals/{pid}"}

    return jobs.submit("proposal", work, {**params, "name": name})


def default_sites(params: dict, service, ft, region, lang: str = "zh") -> None:
    """A new-sites proposal's number of sites left blank (``p`` None, web.proposals.parse_params): the type's
    default, lowered to the candidate sites that may be chosen (not existing facilities, not forbidden) in the
    county it is solved for (``ft`` as planner.coverage.county_type limits it), or the city, when there are
    fewer; the proposal's notes (:func:`auto_note`) say so, as an upgrade's default K is
    (web.capacity_proposals.check_scope). A
    default in a county with none to choose is a 400 saying that, not "填写的 8 无效" (QA 33). A typed p is
    web.api.check_sites's to check."""
    if (params.get("kind") or "location") != "location" or params.get("model_effective") == "lscp" \
            or params.get("p") is not None:
        return
    from planner.sites import choosable_counts

    default = int(ft.default_p)
    # the planner left it blank: a re-solve that must lower it says it was the default (rerun_params)
    params["p"], params["p_default"] = default, default
    county = params.get("county")
    n = choosable_counts(region, ft, existing_facilities(region, ft))
    limit = int(n["by_county"].get(str(county), 0) if county else n["total"])
    if default <= limit:
        return
    where = {la: service.county_names(la).get(str(county), str(county)) if county else t("qa33f11_city", la)
             for la in ("zh", "en")}
    if limit < 1:
        raise InputDataError(t("qa33f11_p_none", "en", where=where["en"]), t("qa33f11_p_none", "zh", where=where["zh"]),
                             hint_en=t("qa33f11_p_none_hint", "en"), hint_zh=t("qa33f11_p_none_hint", "zh"),
                             details={"parameter": "p", "value": None, "default": default, "max": 0})
    # in both languages, apart from the planner's note (it was added to his note in the page's language only)
    auto_note(params, *(t("qa33f11_p_note_one" if limit == 1 else "qa33f11_p_note", la, p=limit, default=default,
                          where=where[la]) for la in ("zh", "en")))
    params["p"] = limit


def kept(should_stop) -> bool:
    """Whether a job's stop asked to keep the best plan found so far (web.jobs: ``should_stop.keep``)."""
    keep = getattr(should_stop, "keep", None)
    return bool(keep is not None and keep())


def _scope_summary(summary: dict, region, ft, county: str | None, figure: dict | None = None) -> dict:
    """A county proposal's summary in the county's terms (planner.proposals.county_scope_summary)."""
    return county_scope_summary(summary, existing_facilities(region, ft), county, figure)


def map_figure(service, ft, county: str | None, mode: str, version: int) -> dict | None:
    """The coverage map's figure for a county proposal's county (planner.proposals.county_map_figure), on the
    data it is solved on: the map's own coverage (``service.coverage``, what /map/<type> and /api/coverage/<type>
    give) while that is the data, else the same analysis of the data version solved on. The page and the brief
    give it beside the county's "before", which counts the county's own facilities only (QA 34). Not there
    (None) rather than a failed solve: the page then says the note without the figures, as for older ones."""
    if not county:
        return None
    try:
        cov = (service.coverage(ft.key, mode) if service.version() == version
               else analyse_coverage(service.region_at(version), ft, mode=mode, graph=service.graph(mode)))
        return county_map_figure(cov, county)
    except CoverplanError:
        return None


# -- reading a saved proposal ---------------------------------------------------
def sites_gdf(rec: dict) -> gpd.GeoDataFrame:
    """A saved proposal's sites. An upgrade's (not a conversion's) carry its ``reach_factor``: the coverage with them
    (planner.coverage.analyse_coverage) counts them as those facilities upgraded, at the upgraded reach, not as
    new sites at the old one (QA 34: its "after" map was the coverage before the upgrade)."""
    fc = rec["geojson"]
    if not fc.get("features"):
        return gpd.GeoDataFrame({"id": [], "name": [], "township_code": [], "county_code": []},
                                geometry=[], crs=settings.STORAGE_CRS)
    gdf = gpd.GeoDataFrame.from_features(fc["features"], crs=settings.STORAGE_CRS)
    gdf["id"] = gdf["id"].astype(str)
    factor = upgrade_factor(rec)
    if factor is not None:
        gdf["reach_factor"] = factor
    return gdf


def upgrade_factor(rec: dict) -> float | None:
    """How many times its type's standard an upgrade proposal's facilities reach once upgraded, as solved (its
    ``params.reach_factor``, else the type's ``[types.X.upgrade]``); None for any other proposal, a conversion too
    (its facilities reach the standard of the type they become)."""
    s = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    if s.get("kind") != "upgrade" or s.get("role"):
        return None
    f = (s.get("params") or {}).get("reach_factor")
    if isinstance(f, bool) or not isinstance(f, (int, float)) or not math.isfinite(f) or f <= 0:
        try:
            spec = ext()["service"].get_type(rec.get("type")).upgrade
        except Exception:  # the type is gone: the sites' own reaches say it (planner.coverage.upgrade_reach_factors)
            return None
        f = spec.reach_factor if spec is not None else None
    return float(f) if f else None


def solved_type(rec: dict, service):
    """The facility type as solved (the standard may have been overridden in the form); for a
    conversion, the type it converts into: its map shows who the converted facilities reach."""
    role = rec["summary"].get("role") if rec["summary"].get("kind") == "upgrade" else None
    if role:
        return service.get_type(role)
    ft = service.get_type(rec["type"])
    std = rec["summary"].get("params", {}).get("standard") or {}
    if std.get("urban") and std.get("rural"):
        ft = dataclasses.replace(ft, standard_urban=float(std["urban"]), standard_rural=float(std["rural"]))
    return ft


def site_rows(rec: dict, lang: str | None = None) -> list[dict]:
    """The saved sites' rows; with ``lang``, each named in that language (:func:`named_in`)."""
    rows = rec["summary"].get("sites", [])
    # saved before planner.proposals._nearest_existing said so: a site that reaches no existing facility
    # (cost null) was given the register's first one as its nearest
    rows = [{**r, "nearest_existing_id": None, "nearest_existing_name": None}
            if r.get("nearest_existing_cost") is None and r.get("nearest_existing_name") else r for r in rows]
    return named_in(rows, lang) if lang else rows


def named_in(rows: list[dict], lang: str) -> list[dict]:
    """Proposed sites named in the page's language: English pages and exports showed 拟建五堰街道养老服务综合体,
    generated words, in Chinese (QA 21); ``name_en`` translates them and keeps the place's name. Sites
    saved before it, and existing facilities (an upgrade's), keep their one name."""
    if lang != "en":
        return rows
    return [{**r, "name": r.get("name_en") or r.get("name")} for r in rows]


def view(rec: dict, lang: str) -> dict:
    """A saved proposal for the page and the API, in the user's language."""
    s = rec["summary"]
    out = {k: rec.get(k) for k in ("id", "name", "type", "created", "params", "note", "updated", "damaged")}
    out["name"] = display_name(rec, lang)
    out.update(notes_view(rec, lang))  # the planner's note, the app's notes in ``lang``, and both as ``note``
    out["owner_name"] = owner_name(rec.get("owner"), lang)  # who made it, by name (QA 27)
    out.update({
        "type_name": pick(s.get("type_name_zh"), s.get("type_name_en"), lang),
        "cost_unit": s.get("cost_unit"), "is_estimate": s.get("is_estimate"), "standard": s.get("standard"),
        "solver": s.get("solver"), "before": s.get("before"), "after": s.get("after"),
        "by_county": s.get("by_county"), "sites": site_rows(rec),
        "equity": {k: v for k, v in (s.get("equity") or {}).items()
                   if k not in ("costs_before", "costs_after", "weights")},
        "downloads": {f: f"/api/proposals/{rec['id']}.{f}" for f in ("geojson", "csv", "xlsx")},
        "chart": f"/charts/proposals/{rec['id']}/costs.svg",
        "explanation": pick(s.get("explanation_zh"), s.get("explanation_en"), lang),
    })
    out.update(capacity_proposals.view_extra(s, lang))  # kind, and the sized / upgrade tables
    # a conversion named as one (农村福利院 → 区域性特困供养服务中心（转型）), as the list and its offline map name it
    out["type_label"] = type_label(rec, lang)
    out.update(map_view(rec, lang))  # what its map shows, beside an upgrade's served figures (QA 34)
    out.update(map_facilities(rec, lang))  # the facilities its map draws: the keys' swatch and 示意 words (QA 35)
    out["synthetic_inputs"] = synthetic_inputs(rec)  # as `propose --json` and the .geojson say it (QA 29)
    out["sites"] = named_in(out["sites"], lang)
    # an upgrade's or a conversion's numbered facilities are register rows: the maps' keys say 示意 when all are the
    # sample's, 部分示意 when only some are (QA 35: 示意 of a conversion whose facilities were partly imported)
    from planner.maplayers import sample_words
    out["sites_sample"] = sample_words(out["sites"], lang) if s.get("kind") == "upgrade" else None
    out["added_weight_label"] = added_weight_label(rec.get("type"), lang)
    out["share_label"] = share_label(rec.get("type"), lang)
    # on the current data when none of the data it was solved on changed since (QA 32); the proposal page's and
    # the brief's templates read this ``outdated`` (None: it could not be told, they compare the versions whole)
    try:
        out.update(data_state(rec, lang, ext()["service"]))
    except Exception:  # as the header's version badge: unreadable versions never take the page down
        out.update({"outdated": None, "data_changed": [], "data_note": None})
    county = (rec.get("params") or {}).get("county")
    if county:  # a county planner's: its numbers are the county's (labelled on the page and the brief)
        out["scope"] = {"county": str(county),
                        "name": ext()["service"].county_names(lang).get(str(county), str(county)),
                        # saved before the facility count was the county's: that row is left out
                        "facilities_scoped": s.get("scope") == county,
                        # the coverage map's figure for the county when solved, and the note on the "before" that
                        # gives it (QA 34); None for one saved before it was recorded
                        "map": scope_map(s, county),
                        "before_note": scope_before_note(s, county, lang, rec.get("type"))}
    _add_county_en(out)
    return out


def role_name(rec: dict, lang: str, service=None) -> str | None:
    """The type a conversion makes, by name (a saved proposal's ``role``, or a list row's type's conversion when
    it says ``converted``); None for any other proposal."""
    s = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    if s.get("kind") == "upgrade" and s.get("role"):
        name = pick(s.get("role_name_zh"), s.get("role_name_en"), lang)
        if name:
            return name
        role = s["role"]
    elif rec.get("converted") and not s:
        try:
            spec = (service or ext()["service"]).get_type(rec.get("type")).conversion
        except Exception:  # the type is gone: what it converted into cannot be told
            return None
        role = spec.role if spec is not None else None
    else:
        return None
    try:
        return (service or ext()["service"]).get_type(role).name(lang) if role else None
    except Exception:
        return str(role) if role else None


def type_label(rec: dict, lang: str, service=None) -> str:
    """A proposal's type as its list row, its page, its brief and its offline map name it: a conversion's
    "农村福利院 → 区域性特困供养服务中心（转型）" (QA 34: the list and the page said 农村福利院 beside the regional
    centres' share, its offline map 区域性特困供养服务中心), any other's its type's name."""
    s = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    name = pick(s.get("type_name_zh"), s.get("type_name_en"), lang) if s else None
    if not name:
        try:
            name = (service or ext()["service"]).get_type(rec.get("type")).name(lang)
        except Exception:  # a type since removed: its key still says which one
            name = rec.get("type_name") or str(rec.get("type") or "")
    role = role_name(rec, lang, service)
    return t("qa34f14_type_converted", lang, src=name, dst=role) if role else name


def map_view(rec: dict, lang: str) -> dict:
    """What an upgrade's or a conversion's map shows, for its page and brief: ``map_caption`` (方案地图（改造后服务半径内
    覆盖）), ``map_reach`` (the reach drawn: the facilities upgraded at theirs) and ``map_note``, the coverage within
    that reach beside the served figures, which count the beds too (planner.mapexport.within_reach_note), with
    ``map_note_short`` the brief's. Empty for any other proposal (its map is the coverage its figures give)."""
    s = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    if s.get("kind") != "upgrade":
        return {}
    from planner.mapexport import reach_text, within_reach_note

    converted = bool(s.get("role"))
    try:
        ft = solved_type(rec, ext()["service"])
    except Exception:  # a type since removed: the caption without the reach
        return {"map_caption": t("qa34f14_map_caption_convert" if converted else "qa34f14_map_caption_upgrade", lang)}
    reach = reach_text(ft, lang, factor=upgrade_factor(rec), converted=converted)
    before, after = s.get("before") or {}, s.get("after") or {}
    return {"map_caption": t("qa34f14_map_caption_convert" if converted else "qa34f14_map_caption_upgrade", lang),
            "map_reach": reach,
            "map_note": within_reach_note(ft, before, after, lang, reach=reach, converted=converted),
            "map_note_short": within_reach_note(ft, before, after, lang, reach=reach, converted=converted, short=True)}


def map_facilities(rec: dict, lang: str, service=None) -> dict:
    """The facilities a proposal's map draws besides its numbered sites, for its page's and brief's keys:
    ``map_existing``, how many existing facilities of the type it is drawn as (a conversion's: of the type its
    facilities become, often none yet, which the keys gave a swatch all the same, QA 35), and for an upgrade or a
    conversion, whose numbered sites are rows of a register too, ``map_register_note``: the 示意 words for the
    registers of every facility drawn (planner.maplayers.shown_register_label; None when none drawn is the sample's).
    A conversion's key read the provenance of the type its facilities become, and called a register of welfare homes
    only partly the sample's "synthetic". Both None when it cannot be told (the type since removed ...): the keys
    then say what they said before."""
    from planner.maplayers import shown_register_label, shown_types

    unknown = {"map_existing": None, "map_register_note": None}
    s = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    try:
        service = service or ext()["service"]
        ft = solved_type(rec, service)
        region = solved_region(rec, service)
        existing = existing_facilities(region, ft)
        out = {"map_existing": int(len(existing)), "map_register_note": None}
        if s.get("kind") == "upgrade":  # its numbered sites are register rows, of the type it upgrades or converts
            shown = shown_types(existing, ft.key)
            for key, synthetic in shown_types(sites_gdf(rec), str(rec.get("type"))).items():
                shown[key] = shown.get(key, False) or synthetic
            out["map_register_note"] = shown_register_label(region, lang, shown, service.types())
        return out
    except Exception:  # never takes the page down: the keys as before
        return unknown


def scope_map(summary: dict, county) -> dict | None:
    """A county proposal's record of the coverage map's figure for its county (planner.proposals
    county_scope_summary's ``scope_map``), when it has one for that county and a share in it."""
    m = summary.get("scope_map") if isinstance(summary, dict) else None
    if not isinstance(m, dict) or str(m.get("county")) != str(county) or m.get("covered_share") is None:
        return None
    return m


def scope_before_note(summary: dict, county, lang: str, type_key=None) -> str:
    """Why a county proposal's "before" (the county's own facilities only) can be below the county's share counting
    its neighbours' facilities too, with both figures named by what they weigh ("按60岁以上人口计" / "of people aged
    60+", the type's) when that share was recorded at solve time, and the coverage map's own figure for the county
    as the map shows it: the share of units covered, "42.2%（121/287）" (QA 34: the note called the weighted 29.3%
    "the coverage map's figure", which no page shows). A proposal saved before it was recorded says it without them
    (qa33f11_scope_before). The two alike (as shown), it says so; solved at another standard than the map's, that
    they are not to be compared."""
    m = scope_map(summary, county)
    before = (summary.get("before") or {}).get("covered_share") if m else None
    if m is None or before is None:
        return t("qa33f11_scope_before", lang)
    std, mine = m.get("standard") or {}, summary.get("standard") or {}
    same = all(mine.get(k) is None or std.get(k) is None or float(mine[k]) == float(std[k]) for k in ("urban", "rural"))
    before, on_map = share_text(before), share_text(m["covered_share"])
    if not same:
        key = "qa34f17_scope_before_std"
    elif before == on_map:  # no village of it reached from a neighbour's facility alone: "can be lower" read odd
        key = "qa34f17_scope_before_same"
    else:
        key = "qa34f17_scope_before"
    note = t(key, lang, before=before, map=on_map, who=weight_words(summary, type_key, lang))
    covered, units = m.get("covered_units"), m.get("units")
    if isinstance(covered, int) and isinstance(units, int) and units > 0:  # the map's figure, as its chart says it
        note += (" " if lang == "en" else "") + t("qa34f17_scope_map_units", lang, units=share_text(covered / units),
                                                   covered=f"{covered:,}", n=f"{units:,}")
    return note


def weight_words(summary: dict, type_key, lang: str) -> str:
    """What a proposal's covered share weighs, in words for a sentence ("60岁以上人口" / "people aged 60+",
    "需求单元数" for a type weighted by units): the weight it was solved with (its sites say it), else its
    type's now, else "the demand weight"."""
    sites = summary.get("sites") if isinstance(summary, dict) else None
    weight = next((x.get("weight_field") for x in sites or [] if isinstance(x, dict) and x.get("weight_field")), None)
    if weight is None and type_key is not None:
        try:
            weight = getattr(ext()["service"].types().get(type_key), "weight", None)
        except Exception:  # outside a request, or the types unreadable: the generic words
            weight = None
    key = "weight_units_count" if weight == "units" else f"weight_{weight}"
    words = t(key, lang) if weight else key
    return words if weight and words != key else t("qa34f17_who_weight", lang)


def synthetic_inputs(rec: dict) -> bool:
    """Whether a saved proposal rests on illustrative inputs (示意: sample or approximate villages, register or
    candidates; a sized one's costs always): its GeoJSON's ``synthetic_inputs``, else its summary's; a proposal
    saved before either recorded it was solved on the sample, or on what is not known: True. The API's
    proposal said nothing while `coverplan propose --json` and the .geojson download said true (QA 29)."""
    s = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    meta = (rec.get("geojson") or {}).get("coverplan") if isinstance(rec.get("geojson"), dict) else None
    for src in (meta if isinstance(meta, dict) else {}, s):  # in the order the .geojson download reads them
        if src.get("synthetic_inputs") is not None:
            return bool(src["synthetic_inputs"])
    return True


def share_label(type_key, lang: str) -> str:
    """The proposal's covered share named by what it weighs ("覆盖率（按60岁以上人口）"): the map's county
    chart counts units, and an unnamed share beside it read as a contradiction."""
    ft = ext()["service"].types().get(type_key)
    key = f"share_by_{ft.weight}" if ft is not None else ""
    label = t(key, lang) if key else key
    return label if key and label != key else t("covered_share", lang)


def added_weight_label(type_key, lang: str) -> str:
    """The added-weight column named by what the type weighs ("新增覆盖60岁以上人口"), not "权重"."""
    ft = ext()["service"].types().get(type_key)
    key = f"added_weight_{ft.weight}" if ft is not None else "added_weight"
    label = t(key, lang)
    return label if label != key else t("added_weight", lang)


def _county_en() -> tuple[dict, dict]:
    """English county names by code and by Chinese name (the service's kept county lists)."""
    service = ext()["service"]
    en, zh = service.county_names("en"), service.county_names("zh")
    return en, {zh[c]: en[c] for c in en if c in zh}


def _english_county(r: dict, by_code: dict, by_zh: dict) -> str | None:
    name = r.get("county_name") or r.get("name")
    return by_code.get(r.get("county_code")) or by_zh.get(name) or name


def _add_county_en(out: dict) -> None:
    """``county_name_en`` next to the county of every site and county-table row (saved
    proposals carry the Chinese name only)."""
    by_code, by_zh = _county_en()
    rows = [*(out.get("sites") or []), *((out.get("sized") or {}).get("by_county") or []),
            *((out.get("upgrade") or {}).get("by_county") or [])]
    for r in rows:
        if isinstance(r, dict) and not r.get("county_name_en"):
            r["county_name_en"] = _english_county(r, by_code, by_zh)


def upgrade_answer_county_en(out: dict) -> dict:
    """An upgrade answer (``/api/upgrades/<type>`` and its layer) with ``county_name_en`` beside the county
    of every site and ``name_en`` beside every county row, as ``/api/proposals/<id>`` gives them: the map's
    upgrade card read "竹溪县 · 向坝乡" on an English page (QA 20). Works on the answer, never on the plan
    kept in the cache."""
    by_code, by_zh = _county_en()
    sites = out.get("sites") if "sites" in out else [f.get("properties") for f in out.get("features") or []]
    for r in sites or []:
        if isinstance(r, dict) and "county_name" in r and not r.get("county_name_en"):
            r["county_name_en"] = _english_county(r, by_code, by_zh)
    meta = out.get("coverplan") if isinstance(out.get("coverplan"), dict) else out
    for r in meta.get("by_county") or []:
        if isinstance(r, dict) and not r.get("name_en"):
            r["name_en"] = _english_county(r, by_code, by_zh)
    return out


#: The layers every proposal is solved on: the places and the people (its demand), whatever its type.
DEMAND_LAYERS = (TOWNSHIPS, VILLAGES, POPULATION)


def solved_version(rec: dict) -> int:
    """The data version a saved proposal (or a list row) was solved on (0 when it says none)."""
    params = rec.get("params") if isinstance(rec.get("params"), dict) else {}
    try:
        return int(params.get("dataset_version") or 0)
    except (TypeError, ValueError):
        return 0


def depends_on(rec: dict, service=None) -> tuple[tuple[str, ...] | None, str | None]:
    """The data layers a saved proposal (or a list row: ``kind``, ``converted``) was solved on, and its
    county: the places and people (:data:`DEMAND_LAYERS`), the register of its type (and of the type a
    conversion makes), the road network when it was solved on one, and the candidate marks and planner-added
    sites when it chose new sites. ``(None, None)`` when that cannot be told (a conversion whose type no longer
    converts): then every layer counts. Another county's welfare home or a day-care centre's capacity is not
    data an elderly-complex proposal rests on, yet one edit marked every proposal outdated (QA 32)."""
    params = rec.get("params") if isinstance(rec.get("params"), dict) else {}
    summary = rec.get("summary") if isinstance(rec.get("summary"), dict) else {}
    type_key = rec.get("type") or summary.get("type")
    if not type_key:
        return None, None
    kind = summary.get("kind") or rec.get("kind") or "location"
    layers = [*DEMAND_LAYERS, f"{FACILITIES}:{type_key}"]
    role = summary.get("role")
    if role is None and rec.get("converted"):  # a list row says it converts, not into what: the type's role
        try:
            spec = (service or ext()["service"]).get_type(type_key).conversion
        except Exception:  # the type is gone: what it converted into cannot be told
            spec = None
        if spec is None or not spec.role:
            return None, None
        role = spec.role
    if role:
        layers.append(f"{FACILITIES}:{role}")
    if params.get("mode") == "network":
        layers.append(NETWORK)
    if kind != "upgrade":  # new sites come from the candidates, with the planner's marks and own sites
        layers += [MARKS, SITES]
    county = params.get("county") or None
    return tuple(layers), (str(county) if county else None)


def layer_labels(names, lang: str, service=None) -> str:
    """Layer names (``facilities:welfare_home``) for people, as the data page names them: 设施名录 · 农村福利院."""
    labels = []
    for name in names:
        kind, _, key = str(name).partition(":")
        label = t("ds_layer_" + kind, lang)
        label = kind if label == "ds_layer_" + kind else label
        if key:
            try:
                key = (service or ext()["service"]).get_type(key).name(lang)
            except Exception:  # a type since removed: its key still says which one
                pass
            label += " · " + key
        labels.append(label)
    return t("layer_list_sep", lang).join(labels)


def data_state(rec: dict, lang: str, service=None) -> dict:
    """Whether a saved proposal is on the current data: ``outdated`` when a layer it was solved on changed
    since (:func:`depends_on`), with ``data_changed`` naming those layers; solved on an older version whose
    changes since are all in data it does not use, ``data_note`` says so calmly (QA 32)."""
    service = service or ext()["service"]
    version = solved_version(rec)
    layers, county = depends_on(rec, service)
    current = service.version()
    if version == current:
        return {"outdated": False, "data_changed": [], "data_note": None}
    if layers is None:
        return {"outdated": not service.is_current(version), "data_changed": [], "data_note": None}
    changed = service.changed_layers(version, layers, county)
    if changed:
        return {"outdated": True, "data_changed": [layer_labels([x], lang, service) for x in changed],
                "data_note": None}
    others = service.changed_layers(version, service.layer_names(version))
    # village points made official where they stand: the version list names the villages layer, while its points, all
    # the proposal's figures rest on, are where they were (QA 35: "the same data" contradicted that list)
    flagged = [] if VILLAGES in others else flagged_villages_text(service, version, current, lang)
    if flagged:
        changes = [layer_labels(others, lang, service)] if others else []
        note = t("qa35f1_data_unaffected", lang, v=version, cur=current,
                 changes=("；" if lang == "zh" else "; ").join(changes + flagged))
    else:
        note = t("qa32fe_data_unaffected" if others else "qa32fe_data_same", lang, v=version, cur=current,
                 layers=layer_labels(others, lang, service))
    return {"outdated": False, "data_changed": [], "data_note": note}


#: Village points given another location quality flag at the same place between two data versions, per store and pair
#: of versions (versions never change): ``(made official, other flag)`` (:func:`flagged_villages`).
_FLAGGED: dict = {}


def flagged_villages(service, version: int, to: int) -> tuple[int, int]:
    """How many village points data version ``to`` gives another location quality flag than ``version`` does, at the
    same place (geo.datasets.diff_layers' ``requalified`` villages; moved ones are a change of the data): ``(made
    official, another flag)``. Such a version rewrites the villages layer, which the version list names, yet no
    figure changes: the coverage uses the points (web.service changed_layers counts no change). (0, 0) without a
    store, when the villages layer is the same file in both, or when either version cannot be read."""
    store = getattr(service, "datasets", None)
    if store is None or int(version) == int(to):
        return 0, 0
    key = (str(getattr(store, "root", id(store))), int(version), int(to))
    if key not in _FLAGGED:
        try:
            old, new = store.refs(int(version)).get(VILLAGES), store.refs(int(to)).get(VILLAGES)
            if old is None or new is None or (old.stored_in, old.file) == (new.stored_in, new.file):
                _FLAGGED[key] = (0, 0)
            else:
                from geo.datasets import diff_layers
                rows = diff_layers(store.layers(int(version)), store.layers(int(to)),
                                   changed={VILLAGES})["villages"]["requalified"]
                official = sum(1 for r in rows if r.get("location_quality_after") == "official")
                _FLAGGED[key] = (official, len(rows) - official)
        except Exception:  # unreadable: nothing to say of it (the note says what it said before)
            return 0, 0
    return _FLAGGED[key]


def flagged_villages_text(service, version: int, to: int, lang: str) -> list[str]:
    """:func:`flagged_villages` in words, one phrase for the points made official and one for other flags; empty when
    none."""
    official, other = flagged_villages(service, version, to)

    def points(n: int) -> str:
        return f"{n:,} village point" + ("" if n == 1 else "s")
    out = []
    if official:
        out.append(t("qa35f1_vill_official", lang, n=f"{official:,}", points=points(official)))
    if other:
        out.append(t("qa35f1_vill_flag", lang, n=f"{other:,}", points=points(other)))
    return out


def list_scope_and_version(row: dict, lang: str, current: int, names: dict, is_current=None) -> dict:
    """A saved-proposal list row's scope (the whole city, or the county it was solved for) and the data
    version it was solved on, ``outdated`` when that is not the current one: a county proposal's
    56.1% → 75.2% read as a city-wide figure beside city-wide ones, and v0's 39.9% beside v3's 18.2% (QA 20).

    With ``is_current`` (web.service's), ``outdated`` means the data the proposal was solved on changed, not
    any data (:func:`data_state`, QA 32), with ``data_changed`` and ``data_note``."""
    params = row.get("params") if isinstance(row.get("params"), dict) else {}
    county = params.get("county") or None
    version = solved_version(row)
    out = {"scope": {"county": str(county) if county else None,
                     "name": names.get(str(county), str(county)) if county else t("scope_city", lang)},
           "data_version": version}
    if row.get("converted"):  # a conversion's row names the type it makes, whose share its figures are (QA 34)
        service = getattr(is_current, "__self__", None) if is_current is not None else None
        service = service if hasattr(service, "get_type") else None
        try:
            out["role_name"] = role_name(row, lang, service)
            out["type_label"] = type_label(row, lang, service)
        except Exception:  # outside the app (no service): the row as it was
            pass
    if is_current is None:
        return {**out, "outdated": version != current}
    service = getattr(is_current, "__self__", None)
    if service is not None and hasattr(service, "changed_layers"):
        return {**out, **data_state(row, lang, service)}
    # is_current (web.service): a rollback to the proposal's version holds its data (QA 22)
    return {**out, "outdated": not is_current(version)}


def county_names_for(rows: list[dict], lang: str) -> list[dict]:
    """A download's rows with the county named in ``lang`` (English from the region's list)."""
    if lang != "en":
        return rows
    by_code, by_zh = _county_en()
    return [{**r, "county_name": _english_county(r, by_code, by_zh)} if "county_name" in r else r for r in rows]


def shown_cost(v: float, unit: str) -> float:
    """A travel cost rounded as cost_text shows it (km to 0.1 past 1,000 m; minutes whole past 10)."""
    if unit == "m":
        return round(v, -2) if v >= 1000 else round(v)
    return round(v) if v >= 10 else round(v, 1)


def cost_delta_text(d: float, unit: str, lang: str) -> str:
    """A difference of shown costs: whole minutes stay whole (9 minutes, not "9.0")."""
    if unit != "m" and float(d).is_integer():
        return f"{d:.0f} {t('minutes', lang)}"
    return cost_text(d, unit, lang)


def shown_share(x: float) -> float:
    """A share in percent as share_text shows it (one decimal)."""
    return round(100 * x, 1)


def _zero_change(text) -> bool:
    """Whether a change as shown ("+0", "−0.0 pt", "+0 min") is no change at all."""
    figure = str(text or "").strip().lstrip("+−-±").replace(",", "").split(" ")[0]
    try:
        return float(figure) == 0
    except ValueError:
        return False


def _changes_as_shown(numbers: list[dict], p: dict, unit: str, lang: str) -> None:
    """Each row's change from the figures shown beside it: 29.3% → 71.9% is +42.6 pt, not the +42.7 of
    the unrounded shares, and 19 → 28 minutes is +9 minutes (a reader checks by subtracting)."""
    b, a = p.get("before") or {}, p.get("after") or {}
    pairs = {t("mean_cost", lang): (b.get("mean_cost"), a.get("mean_cost")),
             t("mean_cost_reachable", lang): (b.get("mean_cost"), a.get("mean_cost")),
             t("p90_cost", lang): ((b.get("cost_quantiles") or {}).get("p90"), (a.get("cost_quantiles") or {}).get("p90"))}
    for r in numbers:
        # no change is neither better nor worse: "Served 44,751 → 44,751, +0" was in the worse colour (QA 20)
        if r.get("good") is not None and _zero_change(r.get("change")):
            r["good"] = None
        bt, at = str(r.get("before") or ""), str(r.get("after") or "")
        if r.get("change") and bt.endswith("%") and at.endswith("%"):
            try:
                d = float(at[:-1]) - float(bt[:-1])
            except ValueError:  # "<100%", ">0%": not a one-decimal figure
                continue
            r["change"] = f"{d:+.1f} {t('percentage_points', lang)}".replace("+-", "−").replace("-", "−")
            if abs(d) < 0.05:
                r["change"], r["good"] = "", None
        elif r.get("change") and r["label"] in pairs:
            x, y = pairs[r["label"]]
            if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
                continue
            d = shown_cost(float(y), unit) - shown_cost(float(x), unit)
            r["change"] = "" if d == 0 else ("−" if d < 0 else "+") + cost_delta_text(abs(d), unit, lang)
            r["good"] = None if d == 0 else d < 0


def sizes_text(sizes) -> str:
    """A sized proposal's size classes as the page shows them: "2,000 / 5,000 / 10,000" (QA 25: "2000 / 5000")."""
    return " / ".join(f"{x:,.0f}" if float(x).is_integer() else f"{x:g}" for x in sizes or [])


def headline(p: dict, lang: str) -> tuple[list[tuple[str, str]], list[dict]]:
    """(parameter rows, before/after rows) of a proposal's view ``p``: the page and the
    printed brief say the same thing, in words that fit its kind (new sites, sized, upgrade)."""
    from planner.mapexport import proposal_numbers, proposal_params

    unit = p["cost_unit"] or "min"
    kind = p.get("kind") or "location"
    pr = p["params"] or {}
    extra = []
    if kind == "sized":
        sizes = sizes_text(pr.get("sizes"))
        extra.append((t("capw_sizes", lang), f"{sizes} {t('capw_unit_' + str(p.get('cap_field')), lang)}"))
    converted = bool((p.get("upgrade") or {}).get("role"))
    params = proposal_params(model=(p["solver"] or {}).get("model") or pr.get("model"), n_sites=len(p["sites"]),
                             standard=p["standard"] or {"unit": unit}, mode=pr.get("mode"),
                             is_estimate=bool(p["is_estimate"]), lang=lang, kind=kind, converted=converted,
                             extra=extra)
    params = _upgraded_standards(params, p, unit, lang)
    who = t("weight_" + p["basis"], lang) if kind == "upgrade" and p.get("basis") else None
    base = (p.get("upgrade") or {}).get("demand_base")
    if who and base:  # 80岁以上人口，农村乡镇: whose 45,197, beside the census's 61,637 (QA 22)
        who = f"{who} in {base}" if lang == "en" else f"{who}，{base}"
    numbers = proposal_numbers(p["before"], p["after"], unit, lang, kind=kind, who=who, share=p.get("share_label"))
    _changes_as_shown(numbers, p, unit, lang)
    scope = p.get("scope")
    if scope and not scope.get("facilities_scoped"):  # a city-wide count beside the county's coverage
        numbers = [r for r in numbers if r["label"] != t("brief_facilities", lang)]
    return params, numbers


def _upgraded_standards(params: list, p: dict, unit: str, lang: str) -> list:
    """An upgrade that lengthens the reach: its standard rows say the upgraded one too, "3.0 公里（改造后 4.5 公里）",
    beside a map whose upgraded facilities reach that far (QA 34: the brief said 3.0 km beside 4.5 km circles)."""
    up = p.get("upgrade") or {}
    f = (up.get("params") or {}).get("reach_factor")
    std = p.get("standard") or {}
    if p.get("kind") != "upgrade" or up.get("role") or isinstance(f, bool) or not isinstance(f, (int, float)) \
            or not math.isfinite(f) or f <= 0 or abs(f - 1) < 1e-9:
        return params
    out = []
    for label, value in params:
        for key, part in (("brief_standard_urban", "urban"), ("brief_standard_rural", "rural")):
            if label == t(key, lang) and isinstance(std.get(part), (int, float)):
                value = t("qa34f14_std_upgraded", lang, now=value, up=cost_text(float(std[part]) * f, unit, lang))
        out.append((label, value))
    return out


def cost_arrays(rec: dict, lang: str):
    """Per-unit cost before/after and weights, for the histogram."""
    s = rec["summary"]
    eq = s.get("equity") or {}
    as_arr = lambda xs: np.array([np.inf if x is None else x for x in xs or []], dtype=float)  # noqa: E731
    std = s.get("standard") or {}
    return (as_arr(eq.get("costs_before")), as_arr(eq.get("costs_after")),
            np.array(eq.get("weights") or [], dtype=float), std.get("rural"), s.get("cost_unit", "min"),
            display_name(rec, lang))


def solved_region(rec: dict, service):
    """The region as of the data version the proposal was solved on, for what its brief's footer and its
    exports' title lines call 示意 or imported (they described the current data: QA 27); the current data
    when that version cannot be read any more (the labels must never take a download down)."""
    try:
        return service.region_at(rec["params"].get("dataset_version") or 0)
    except CoverplanError:
        return service.region


def layers_for(rec: dict, service, lang: str) -> dict:
    """Coverage map after the proposal: townships by covered share, numbered new sites."""
    ft = solved_type(rec, service)
    sites = sites_gdf(rec)
    if lang == "en" and "name_en" in sites:  # the generated words in English, as on the page (named_in)
        sites["name"] = sites["name_en"].where(sites["name_en"].notna() & (sites["name_en"] != ""), sites["name"])
    mode = rec["params"].get("mode", "estimate")
    region = service.region_at(rec["params"].get("dataset_version") or 0)  # the data it was solved on
    # an upgrade's facilities at their upgraded reach (sites_gdf gives it), a conversion's as facilities of the type
    # they become: the map is the coverage after it (QA 34: an upgrade's was the coverage before it)
    cov = analyse_coverage(region, ft, extra_sites=sites, mode=mode, graph=service.graph(mode))
    out = service.layers_from_coverage(cov, lang, existing_only=True, region=region)
    if not (out.get("facilities") or {}).get("features"):
        # no existing facility of the type drawn (a conversion's new type has none yet): no layer, and so no
        # "existing facilities" key over a map that draws none (map.js keys only the layers it has, QA 35)
        out["facilities"] = None
    shown = map_view(rec, lang)
    if shown.get("map_reach"):  # the service areas' key names the reach drawn (map.js), not the type's standard alone
        out["standard_text"] = shown["map_reach"]
    out["sites"] = layers.feature_collection(
        sites, [c for c in ("priority", "name", "township_name", "county_name", "added_weight", "added_units",
                            "farthest_cost", "nearest_existing_id", "nearest_existing_name", "nearest_existing_cost",
                            "reason_zh" if lang != "en" else "reason_en", "beyond_standard_units",
                            "size", "utilisation", "assigned_villages",  # sized proposals
                            "capacity_before", "capacity_after", "added_served")  # upgrades and conversions
                if c in sites])
    summary = rec["summary"]
    from planner.mapexport import sized_points  # folium with it, as the offline map's own imports here
    out["proposal"] = {"id": rec["id"], "name": display_name(rec, lang), "kind": summary.get("kind") or "location",
                       "converted": bool(summary.get("role")), "type_label": type_label(rec, lang, service),
                       # where a sized proposal counts its people: "townships" (welfare homes: their seats) or
                       # "villages"; the popups name what a site is assigned (QA 35)
                       **({"points": points} if (points := sized_points(summary.get("sized"))) else {}),
                       # what the map's summary counts: an upgrade's, people within reach after it (distance only),
                       # beside its served figures, which count the beds too (said in ``map_note``)
                       **({"measure": "within_reach", **{k: shown[k] for k in ("map_caption", "map_note")
                                                          if shown.get(k)}} if shown else {})}
    return out
