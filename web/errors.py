"""Web-only errors (the shared ones live in geo.errors), the HTTP status of every
error class, and the JSON error shape.

The error classes say what went wrong, not how a web server answers it: the
status codes live here, in :data:`STATUS`, and the error handler (web/app.py)
and the job runner (web/jobs.py, which keeps the status of a failed job) both
read them through :func:`status_of`.
"""
from __future__ import annotations

import re

from geo.errors import (Cancelled, CoverplanError, DataChanged, InfeasibleError, InputDataError, NotFoundError,
                        UnknownRegionError, UnknownTypeError)


class ServerBusy(CoverplanError):
    """Too many solves waiting already: come back later (the queue is bounded on purpose)."""

    def __init__(self, active: int) -> None:
        super().__init__(
            f"The server is busy: {active} calculations are queued or running. Try again in a minute.",
            f"服务器繁忙：已有 {active} 个计算在排队或运行，请稍后再试。",
            hint_en="Cancel a calculation you no longer need, or wait for one to finish.",
            hint_zh="可取消不再需要的计算，或等待其完成后再提交。",
            details={"active": active})


class TooManyJobs(CoverplanError):
    """One user (or, without accounts, one client address) already has its share of the queue."""

    def __init__(self, active: int, limit: int) -> None:
        super().__init__(
            f"You already have {active} calculations queued or running (at most {limit} per user). "
            "Wait for one to finish or cancel one, then try again.",
            f"您已有 {active} 个计算在排队或运行（每位用户最多 {limit} 个）。请等待完成或取消一个后再提交。",
            hint_en="The queue is shared by every planner on this server.",
            hint_zh="计算队列由本服务器的所有用户共用。",
            details={"active": active, "limit": limit})


class Forbidden(CoverplanError):
    """Signed in, but this account may not do this (its role or its county); see web/auth.py."""


#: HTTP status per error class, most specific class first: the first class an
#: error is an instance of decides (a subclass listed after its base would never match).
class EditConflict(CoverplanError):
    """Someone else changed what this edit was made on (a proposal's name or note) since the page
    showed it: nothing is saved; the details carry the values now."""


class JobEnded(CoverplanError):
    """A cancel of a calculation that has already ended (done, failed, cancelled or cut off by a restart):
    there is nothing to stop, and nothing was done; the details carry its state."""


class RequestEntityTooLarge(CoverplanError):
    """A request body over the size limit, told for what the request is (web/params.py): werkzeug's own
    413 (same error name) is worded for an upload's file."""


STATUS: tuple[tuple[type[CoverplanError], int], ...] = (
    (EditConflict, 409),
    (JobEnded, 409),
    (RequestEntityTooLarge, 413),
    (TooManyJobs, 429),
    (ServerBusy, 503),
    (Forbidden, 403),
    (Cancelled, 409),
    (DataChanged, 409),
    (InfeasibleError, 422),
    (UnknownRegionError, 404),
    (UnknownTypeError, 404),
    (NotFoundError, 404),
    (InputDataError, 400),
    (CoverplanError, 400),   # any other problem the user can fix: a bad request
)


def status_of(exc: CoverplanError) -> int:
    """The HTTP status the API answers ``exc`` with."""
    return next(code for cls, code in STATUS if isinstance(exc, cls))


#: The form field a parameter is typed into (planner.i18n keys): a planner who mistyped
#: "城镇服务标准" is told so by that name, the parameter's own name following for scripts.
FIELD_LABELS = {
    "p": "n_sites", "standard": "standard", "standard_urban": "standard_urban",
    "standard_rural": "standard_rural", "time_limit": "time_limit_label", "name": "proposal_name",
    "note": "note", "type": "facility_type", "model": "model", "mode": "travel_mode", "kind": "capw_kind",
    "sizes": "capw_sizes", "costs": "capw_costs", "budget_sites": "capw_budget_sites",
    "budget_cost": "capw_budget_cost", "k": "capw_k", "convert": "capw_convert", "lon": "lon", "lat": "lat",
}


def shown_value(value) -> str:
    """A value as the client sent it: JSON ("abc", true, null, ["x"]), not Python's repr; a control or
    direction character written as \\uXXXX, as a 404 quotes an id (:func:`not_found`): U+202E echoed raw
    showed the rest of the message backwards, wherever it was read (QA 22)."""
    import json

    from planner.textrules import escaped
    if isinstance(value, str):  # as typed, inside quotes (a JSON body is not shown escaped)
        text = f'"{value}"'
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    text = escaped(text)
    return text if len(text) <= 80 else text[:80] + "…"


def bad_param(name: str, value, expected_en: str, expected_zh: str, *, label: str | None = None,
              hint_en: str = "", hint_zh: str = "") -> InputDataError:
    """A 400 for one query/form parameter, naming it (by its form label where it has one;
    ``label``, an i18n key, where the same name means another field, e.g. an upload's ``kind``)
    and what would be accepted. A value of None is a parameter not given (or sent as JSON null):
    "缺少参数 type（设施类型）", never "填写的 null 无效", which read as if the planner had typed null (QA 23)."""
    from planner.i18n import t
    if name == "body" and expected_en.startswith("valid JSON") and (refused := _json_body_error()):
        return refused
    if value is None:
        return missing_param(name, expected_en, expected_zh, label=label, hint_en=hint_en, hint_zh=hint_zh)
    key = label or FIELD_LABELS.get(name)
    gap = " " if expected_zh[:1].isascii() and expected_zh[:1].isalnum() else ""  # 应为 JSON 对象
    shown = shown_value(value)
    if key is None:
        en, zh = f"Bad parameter {name}={shown}", f"参数 {name}={shown} 无效"
    else:
        en = f"Bad parameter {name} ({t(key, 'en')}) = {shown}"
        zh = f"“{t(key, 'zh')}”（{name}）填写的 {shown} 无效"
    return InputDataError(f"{en}: expected {expected_en}.", f"{zh}：应为{gap}{expected_zh}。",
                          hint_en=hint_en, hint_zh=hint_zh, details={"parameter": name, "value": value})


def sent_null(name: str) -> bool:
    """Whether this request's JSON body gives ``name`` as null (not merely leaves it out)."""
    from flask import has_request_context, request
    if not has_request_context() or not request.is_json:
        return False
    body = request.get_json(silent=True)
    return isinstance(body, dict) and name in body and body[name] is None


def _missing_hint(name: str) -> tuple[str, str]:
    """How to fill a missing parameter whose choices are known everywhere: the facility types."""
    if name != "type":
        return "", ""
    from planner.facility_types import load_facility_types
    types = load_facility_types()
    return (f"Known types: {', '.join(types)}.",
            f"可用类型：{'、'.join(f'{k}（{x.name_zh}）' for k, x in types.items())}。")


def missing_param(name: str, expected_en: str, expected_zh: str, *, label: str | None = None,
                  hint_en: str = "", hint_zh: str = "") -> InputDataError:
    """The 400 for a parameter not given: "Missing parameter type (Facility type): expected a facility type key."
    / "缺少参数 type（设施类型）：应为设施类型代码。", as /api/townships/at says a missing lat; a JSON null the
    client sent is said as such ("sent as null"), a planner never typed it. ``details.missing`` names it."""
    from planner.i18n import t
    key = label or FIELD_LABELS.get(name)
    gap = " " if expected_zh[:1].isascii() and expected_zh[:1].isalnum() else ""
    en = f"Missing parameter {name}" + (f" ({t(key, 'en')})" if key else "")
    zh = f"缺少参数 {name}" + (f"（{t(key, 'zh')}）" if key else "")
    if sent_null(name):
        en, zh = f"{en}, sent as null", f"{zh}，发送的值为 null"
    if not hint_en and not hint_zh:
        hint_en, hint_zh = _missing_hint(name)
    return InputDataError(f"{en}: expected {expected_en}.", f"{zh}：应为{gap}{expected_zh}。",
                          hint_en=hint_en, hint_zh=hint_zh,
                          details={"parameter": name, "value": None, "missing": [name]})


def _json_body_error() -> InputDataError | None:
    """The request body refused as JSON, saying what is wrong and where (a control character in a
    string, a missing comma at line 2 column 5, NaN...): get_json(silent=True) keeps the reason to
    itself, and "finite numbers, nested at most 32 levels" sent planners looking at the wrong thing."""
    from flask import has_request_context, request

    from web.safejson import problem
    what = problem(request.get_data(cache=True)) if has_request_context() else None
    if what is None:
        return None
    # an invalid character in a field's text names the field (its first key), as the field's own checks do
    where = re.match(r"the text at ([^.\[\s]+)", what[0])
    param = where.group(1) if where and where.group(1) not in ("body", "(a") else "body"
    return InputDataError(f"The request body is not valid JSON: {what[0]}.", f"请求内容不是有效的 JSON：{what[1]}。",
                          hint_en=what[2], hint_zh=what[3], details={"parameter": param})


def not_found(what_en: str, what_zh: str, key) -> NotFoundError:
    """A 404 quoting ``key`` as typed, in both languages: “abc” (not Python's 'abc'), a control or
    invisible character written as \\uXXXX (a raw NUL would garble the message), cut at 60 characters."""
    from planner.textrules import escaped

    shown = escaped(str(key))
    shown = shown if len(shown) <= 60 else shown[:59] + "…"
    return NotFoundError(f"{what_en} “{shown}” not found.", f"未找到{what_zh}“{shown}”。",
                         details={"id": key})


def http_error(status: int, name: str, en: str, zh: str, lang: str, details: dict | None = None) -> dict:
    """JSON body for errors Flask raises itself (404 route, 405 method...)."""
    return {"error": name, "message": en if lang == "en" else zh, "message_en": en, "message_zh": zh,
            "details": details or {}}


#: The methods a 405 names as the ones to use, in this order (HEAD and OPTIONS go in its Allow header only).
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")


def method_not_allowed(method: str, valid) -> tuple[str, str, list[str]] | None:
    """(en, zh, methods) of a 405 (werkzeug's MethodNotAllowed, whose ``valid_methods`` are ``valid``): the method
    sent and the method(s) the address takes ("This address does not take PUT requests: use GET or POST."), where
    it said only "The method is not allowed" (QA 35). None when the methods are not known."""
    from planner.i18n import t
    from planner.textrules import escaped

    allowed = [m for m in METHOD_ORDER if m in {str(v).upper() for v in valid or ()}]
    if not allowed:
        return None
    sent = escaped(str(method or ""))[:20]  # the client's word: a hidden character written out

    def said(lang: str) -> str:
        names = allowed if len(allowed) < 2 else \
            [("、" if lang == "zh" else ", ").join(allowed[:-1]) + t("qa35f7_or", lang) + allowed[-1]]
        return t("qa35f7_method_not_allowed", lang, method=sent, allowed=names[0])
    return said("en"), said("zh"), allowed


def _server_roots() -> tuple[str, ...]:
    import tempfile

    from geo import settings

    roots = {str(settings.VAR_DIR), str(settings.PROJECT_DIR), tempfile.gettempdir()}
    try:
        from flask import current_app
        roots.add(str(current_app.config["DATA_DIR"]))
    except (RuntimeError, KeyError):  # a job's thread has no app context: the defaults above
        pass
    return tuple(r.rstrip("/") + "/" for r in roots if r)


def public(answer: dict) -> dict:
    """An error answer without the server's file paths: a reader's ``details`` may name the file it
    read (/var/coverplan/uploads/<id>/src/roads.osm.pbf), and a job's error is listed to every
    account; the file's own name is what the planner knows it by."""
    def clean(v):
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        # a path under the server's own folders (its data, the project, the temporary folder); a value the
        # client sent, or a URL path such as /api/jobs/..., stays as it is
        if isinstance(v, str) and len(v) < 4096 and v.startswith(_server_roots()):
            return v.rsplit("/", 1)[-1]
        return v
    return {**answer, "details": clean(answer.get("details") or {})}


def json_kind(value) -> str:
    """A JSON value as sent, for a refusal ([1, 2], "hello", null; cut at 60 characters): the same in
    both languages, and never a Python type name or repr."""
    import json

    # (a string as itself: the message puts the value in quotes)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def refuse_unknown(body: dict, allowed, *, what_en: str = "this request", what_zh: str = "本请求") -> None:
    """A 400 naming every field of ``body`` not in ``allowed``: a misspelt field ("modle") was ignored,
    and the request ran with the default in its place (QA 17)."""
    from geo.errors import listed

    # csrf_token: a form's copy of the page's token (web/security.py reads it), not a field of the request
    unknown = sorted(str(k) for k in body if k not in allowed and k != "csrf_token")
    if not unknown:
        return
    shown = [shown_value(k) for k in unknown[:10]]  # a hostile body may carry thousands of keys
    s = "s" if len(unknown) > 1 else ""
    takes_en = f"takes {listed(list(allowed), 'en')}" if allowed else "takes no fields"
    takes_zh = f"可用的字段为 {listed(list(allowed), 'zh')}" if allowed else "不接受任何字段"
    raise InputDataError(
        f"Unknown field{s} {listed(shown, 'en', total=len(unknown))}: {what_en} {takes_en}.",
        f"未知字段 {listed(shown, 'zh', total=len(unknown))}：{what_zh}{takes_zh}。",
        hint_en="Check the spelling: nothing was done.", hint_zh="请检查字段名的拼写；未执行任何操作。",
        details={"parameter": unknown[0], "unknown": unknown[:50], "allowed": list(allowed)})


def no_body(*, what_en: str, what_zh: str) -> None:
    """A request that takes nothing in its body (a confirm, a password reset, a re-run, a cancel, a
    delete) refuses a body sent anyway: a confirm sent ``garbage{`` or ``{"bogus": 1}`` replaced a
    layer, and a script that meant to send options would have believed them used (QA 19). Empty,
    ``{}`` and a page's form carrying only its CSRF token pass."""
    from flask import request

    if request.files:
        refuse_unknown(dict.fromkeys(request.files), (), what_en=what_en, what_zh=what_zh)
    if request.form:
        refuse_unknown(request.form.to_dict(), (), what_en=what_en, what_zh=what_zh)
        return
    if not request.get_data(cache=True).strip():
        return
    refuse_unknown(json_object(), (), what_en=what_en, what_zh=what_zh)  # not JSON, or not an object: 400 too


def json_object(*, required: bool = True) -> dict:
    """The request's JSON object body; a 400 that says why when it is not one.

    ``flask.request.get_json`` refuses NaN/Infinity, overflowing numbers and deep nesting
    (web.safejson): the planner is told that, not that the body is missing.
    """
    from flask import request

    body = request.get_json(silent=True)
    if body is None and not request.is_json and (request.get_data(cache=True) or request.form or request.files):
        # JSON sent as text/plain (curl -d, a script's default) or a form: the body may be fine,
        # its label is not; saying "invalid JSON" would send the planner looking in the wrong place
        got = request.mimetype or "none"
        # no Content-Type at all said in words, in Chinese too ("本次为 none" read half in English, QA 35)
        came_en = f"it came as {got}" if request.mimetype else "it came without a Content-Type"
        came_zh = f"本次为 {got}" if request.mimetype else "本次未注明类型"
        raise InputDataError(
            f"The request body must be sent as JSON, with the header Content-Type: application/json "
            f"({came_en}).",
            f"请求内容须以 JSON 格式发送，并带请求头 Content-Type: application/json（{came_zh}）。",
            hint_en="Send the same body again with that header (most HTTP libraries set it when asked to send JSON).",
            hint_zh="请带上该请求头重新发送同样的内容（多数 HTTP 库以 JSON 方式发送时会自动设置）。",
            details={"parameter": "body", "content_type": got})
    if body is None and request.get_data(cache=True).strip() == b"null":  # valid JSON, but no object
        raise bad_param("body", "null", "a JSON object", "JSON 对象")
    if body is None and request.get_data(cache=True):
        raise bad_param("body", request.get_data(as_text=True)[:80],
                        "valid JSON (finite numbers, nested at most 32 levels)",
                        "有效的 JSON（数值须为有限数，嵌套不超过 32 层）")
    if body is None and not required:
        return {}
    if body is None:  # nothing was sent: "body null is invalid" read as if the client had sent null
        raise InputDataError("The request has no body: send a JSON object.", "请求没有内容：请发送一个 JSON 对象。",
                             details={"parameter": "body"})
    if not isinstance(body, dict):
        raise bad_param("body", json_kind(body), "a JSON object", "JSON 对象")
    return body
