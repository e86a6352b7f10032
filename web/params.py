"""Query parameters an API request does not take, or gives twice, are refused, not ignored.

``/api/coverage?tpye=cemetery`` used to answer for the default type: a careless client got a
wrong answer and believed it. Each ``GET /api/...`` request's parameters are now watched: the
names the view asks for (present or not) are recorded, and a parameter the view never asked for
turns a successful answer into a 400 that names it and lists the names the endpoint reads.

Tracking what the view asks for, instead of a hand-kept list per endpoint, keeps the rule true
when an endpoint learns a new parameter. Only safe reads are checked (a write's query string
is not where its data goes), and only answers that succeeded (the view's own error says more).

Before any view runs (QA 21): a parameter given twice (``?type=cemetery&type=day_care``, a form's
``p=1&p=2000``) is refused on every API request, as the upload form and JSON's duplicate keys already
were: werkzeug's ``get`` took the first and dropped the rest without a word. A write (POST, PUT, PATCH,
DELETE) takes in its query string only ``lang`` and what its view declares with :func:`query`
(``?wait=`` of a proposal): a misspelt ``?wiat=60`` ran without waiting. A body over the size limit is
refused in words for a request (the upload's own 413 speaks of rows and files).

Numbers (QA 22): one reading, :func:`number`, for a query parameter, a form field and a JSON value. Python's
float() and int() read "1_5" as 15 and "٥" as 5; only ASCII digits are a number here, and full-width ones
(１５), which a Chinese input method types, on purpose.
"""
from __future__ import annotations

import math
import re

from flask import Flask, current_app, g, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge as _ReadPastLimit

from geo.errors import InputDataError
from planner.textrules import code_point, escaped, number_text

# read by hooks around every view (language, the CSRF token of a form, a cache-buster)
ALWAYS = frozenset({"lang", "_"})


class _Watched(ImmutableMultiDict):
    """The query string, remembering which names were asked for (``get``, ``[]``, ``in``)."""

    def __init__(self, mapping):
        super().__init__(mapping)
        self.asked: set = set()

    def __contains__(self, key) -> bool:
        self.asked.add(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):  # noqa: A002 (werkzeug's name)
        self.asked.add(key)
        return super().getlist(key, type)

    def unread(self) -> list[str]:
        return [k for k in self.keys() if k not in self.asked and k not in ALWAYS]


def _watch() -> None:
    if request.method in ("GET", "HEAD") and request.path.startswith("/api/") and request.args:
        watched = _Watched(request.args.items(multi=True))
        request.__dict__["args"] = watched  # werkzeug caches .args in the instance's dict
        g.watched_args = watched


def unread_error() -> InputDataError | None:
    """The 400 for parameters this request's view never read, or None."""
    watched = getattr(g, "watched_args", None)
    if watched is None or not (unread := watched.unread()):
        return None
    names = ", ".join(escaped(k) for k in unread)  # a client's name: U+202E would turn the line around
    read = sorted(k for k in watched.asked if isinstance(k, str) and k not in ALWAYS)
    if read:
        hint_en = f"{request.path} reads: {', '.join(read)} (and lang)"
        hint_zh = f"{request.path} 可用的参数：{'、'.join(read)}（及 lang）"
    else:
        hint_en, hint_zh = f"{request.path} takes no parameters but lang", f"{request.path} 除 lang 外不接受参数"
    return InputDataError(
        f"Unknown parameter {names}: the answer would have ignored it. {hint_en}; check the spelling.",
        f"未知参数 {names}：答复会忽略它。{hint_zh}；请检查拼写。",
        details={"parameters": unread, "reads": read, "path": request.path})


# -- numbers: one reading for the address, a form and a JSON body ---------------------------------------
def typed_number(raw):
    """``raw`` for a refusal, a space other than the ASCII one written as \\uXXXX: "5\\u00a0" read "5 ", and a
    planner could not see what was wrong with it."""
    if not isinstance(raw, str):
        return raw
    return "".join(code_point(ch) if ch.isspace() and not ch.isascii() else ch for ch in raw)


def shown_number(x) -> str:
    """A JSON number as a planner recognises what he typed, one rule for every refusal that echoes one: JSON
    numbers arrive as Python floats, and their repr read "1000000000000.0" of a typed 1e12 and "1e+308" of 1e308.
    A whole number short of 16 digits is written as one ("1000000000000", "1000000000"), anything else in its
    shortest form with a plain exponent ("2.5", "1e308", "1e-9", "1.5e20"); an int as it is."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, int):
        return str(int(x))
    if not math.isfinite(x):
        return repr(x)
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return re.sub(r"e([+-])0*(?=\d)", lambda m: "e" + ("-" if m[1] == "-" else ""), repr(x))


class _AsTyped:
    """A refused value as :func:`shown_number` writes it: web.errors.shown_value writes a value JSON cannot
    (this one) by its repr. Used for the message only: the refusal's ``details.value`` keeps the value sent."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def __html__(self) -> str:  # a copy that reaches a JSON answer after all is written as its text
        return self.text


def as_typed(value):
    """``value`` for a refusal's message: a JSON float (alone or in a list, as ``sizes`` and ``costs`` take
    them) written as :func:`shown_number` writes it; anything else unchanged."""
    import json

    def plain_float(v) -> bool:
        return isinstance(v, float) and math.isfinite(v)

    if plain_float(value):
        return _AsTyped(shown_number(value))
    if isinstance(value, list) and any(plain_float(v) for v in value):
        try:
            items = [shown_number(v) if plain_float(v) else json.dumps(v, ensure_ascii=False) for v in value]
        except (TypeError, ValueError):
            return value
        return _AsTyped("[" + ", ".join(items) + "]")
    return value


def refused(name: str, value, expected_en: str, expected_zh: str, **kw) -> InputDataError:
    """web.errors.bad_param, echoing a JSON number as typed (:func:`as_typed`): "填写的 1e308", not "1e+308",
    "1000000000000", not "1000000000000.0". ``details.value`` is the value sent."""
    from web.errors import bad_param

    err = bad_param(name, as_typed(value), expected_en, expected_zh, **kw)
    if isinstance(getattr(err, "details", None), dict) and "value" in err.details:
        err.details["value"] = value
    return err


def _bound(x: float, grouped: bool = True) -> str:
    if not float(x).is_integer():
        return f"{x:g}"
    return f"{int(x):,}" if grouped else str(int(x))


def number(raw, name: str, kind=float, *, minimum=None, maximum=None, above=None, grouped: bool = True):
    """A finite number from a query parameter, a form field or a JSON value (a number or its text: see
    :func:`number_text`), within [minimum, maximum] and greater than ``above``; None when blank; ``kind=int``:
    a whole number ("1.5" is a 400 saying 应为整数, not silently 1). Otherwise a 400 naming the parameter and
    saying the range in words ("大于 0、不超过 600 的数"); ``grouped=False`` writes its bounds without a thousands
    separator (a year: "at least 2000", not "2,000")."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    expected = ("an integer", "整数") if kind is int else ("a number", "数值")
    shown = typed_number(raw)
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise refused(name, shown, *expected)
    text = number_text(raw) if isinstance(raw, str) else None
    if isinstance(shown, str) and len(shown) > NUMBER_SHOWN:  # quoted cut: 5,000 nines are not echoed (QA 33)
        shown = shown[:NUMBER_SHOWN] + "…"
    digits = text if text is not None else (raw if isinstance(raw, int) and not isinstance(raw, bool) else None)
    if isinstance(digits, int) and abs(digits) >= 10 ** HUGE_DIGITS:  # (a JSON integer: at most 310 digits)
        digits = str(digits)
        shown = _AsTyped(digits if len(digits) <= NUMBER_SHOWN else digits[:NUMBER_SHOWN] + "…")
    if isinstance(digits, str) and digits.lstrip("+-").isdigit() and len(digits.lstrip("+-").lstrip("0")) > HUGE_DIGITS:
        # a whole number of thousands of digits: int() refuses past 4,300 ("expected an integer" of one), and it is
        # past any bound whatever its digits: the range is said, by its sign (QA 33)
        refuse_huge(name, shown, expected, negative=digits.startswith("-"), minimum=minimum, maximum=maximum,
                    above=above, grouped=grouped)
    try:
        if isinstance(raw, str) and text is None:
            raise ValueError
        if kind is int and (isinstance(raw, int) or (text is not None and text.lstrip("+-").isdigit())):
            # exact, however long: beyond 2**53 a float reads back as another number, and 400 nines are
            # "at most N", not "not an integer"
            # (leading zeros dropped first: int() counts them against its 4,300 digits)
            value = raw if isinstance(raw, int) else \
                int(text[:1].strip("0123456789") + (text.lstrip("+-").lstrip("0") or "0"))
        else:
            as_float = float(raw if text is None else text)
            if not math.isfinite(as_float):  # inf, nan, 1e999
                raise ValueError
            value = as_float
            if kind is int:  # 1e3, 5.: whole; 2.5: not
                value = int(as_float)
                if as_float != value:
                    raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise refused(name, shown, *expected) from None
    low_ok = (minimum is None or value >= minimum) and (above is None or value > above)
    if not low_ok or (maximum is not None and value > maximum):
        raise refused(name, shown, *range_words(expected, minimum=minimum, maximum=maximum, above=above,
                                                grouped=grouped))
    return value


#: Characters of a refused number a message quotes (and its details keep), as a data version's (web/data.py
#: VERSION_SHOWN): ``?offset=`` of 5,000 nines answered 5.4 KB.
NUMBER_SHOWN = 40
#: Digits past which a whole number is beyond any bound, read by its length alone (int() reads at most 4,300).
HUGE_DIGITS = 300


def range_words(expected: tuple[str, str], *, minimum=None, maximum=None, above=None,
                grouped: bool = True) -> tuple[str, str]:
    """What a number in range is, in words: ("an integer at least 0 and at most 100,000,000", "不小于 0、不超过
    100,000,000 的整数")."""
    en, zh = [], []
    if above is not None:
        en.append(f"greater than {_bound(above, grouped)}"); zh.append(f"大于 {_bound(above, grouped)}")
    if minimum is not None:
        en.append(f"at least {_bound(minimum, grouped)}"); zh.append(f"不小于 {_bound(minimum, grouped)}")
    if maximum is not None:
        en.append(f"at most {_bound(maximum, grouped)}"); zh.append(f"不超过 {_bound(maximum, grouped)}")
    return f"{expected[0]} {' and '.join(en)}", f"{'、'.join(zh)} 的{expected[1]}"


def refuse_huge(name: str, shown, expected: tuple[str, str], *, negative: bool, minimum=None, maximum=None,
                above=None, grouped: bool = True):
    """Raise the 400 for a whole number of more than :data:`HUGE_DIGITS` digits (``shown``: as quoted, cut): the
    range when the parameter has a bound on its side, otherwise how many digits a number may have."""
    bounded = (minimum is not None or above is not None) if negative else maximum is not None
    if bounded:
        words = range_words(expected, minimum=minimum, maximum=maximum, above=above, grouped=grouped)
    else:
        words = (f"{expected[0]} of at most {HUGE_DIGITS} digits", f"不超过 {HUGE_DIGITS} 位的{expected[1]}")
    err = refused(name, shown, *words)
    if isinstance(shown, _AsTyped) and isinstance(getattr(err, "details", None), dict):
        err.details["value"] = shown.text  # (the details are JSON: the cut digits, as text)
    raise err


# -- every API request: a parameter given twice; a write's query string ---------------------------------
#: The requests checked for a parameter given twice: the API, its chart downloads and the plan package's
#: table download (the twin of /api/targets). A page's own address is left as the browser made it.
CHECKED_PREFIXES = ("/api/", "/charts/", "/plan/targets.")
#: The methods that change something: their query string is refused beyond what the endpoint declares.
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Form bodies, read for a field given twice (a JSON body refuses a duplicate key itself, web/safejson.py).
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
#: Endpoints that read their own form: the upload streams its file (with the road network's own size
#: limit, raised in the view) and refuses a field or file given twice itself (web/data.py _options).
OWN_FORM = frozenset({"data.upload"})


def query(*names: str):
    """Declare the query parameters a write endpoint takes besides ``lang`` (``@query("wait")``, under
    the route's decorator); a write that declares none takes only ``lang``: ``?wiat=60`` is refused
    before anything is done, not ignored."""
    def mark(view):
        view.query_params = tuple(names)
        return view
    return mark


def _shown(values: list) -> str:
    from web.errors import shown_value
    shown = [shown_value(v) for v in values[:5]]
    return ", ".join(shown) + (", …" if len(values) > 5 else "")


def repeated_error(given, *, where: str = "query", hint_en: str = "", hint_zh: str = "") -> InputDataError:
    """The 400 for parameters given more than once (``given``: a MultiDict, the names looked up in it):
    ``?type=cemetery&type=day_care`` answered for the cemetery alone, as if the second were not there."""
    from geo.errors import listed

    names = sorted({k for k in given.keys() if len(given.getlist(k)) > 1})
    values = {k: [str(v) for v in given.getlist(k)][:20] for k in names}
    each_en = "; ".join(f"{escaped(k)} = {_shown(values[k])}" for k in names[:10])
    each_zh = "；".join(f"{escaped(k)} = {_shown(values[k])}" for k in names[:10])
    place_en, place_zh = ("in the form", "表单中") if where == "form" else ("in the address", "地址中")
    s = "s" if len(names) > 1 else ""
    shown = [escaped(k) for k in names]
    return InputDataError(
        f"Parameter{s} {listed(shown, 'en')} given more than once {place_en} ({each_en}): give each parameter "
        "once. Only the first value would have been used.",
        f"{place_zh}的参数 {listed(shown, 'zh')} 出现了多次（{each_zh}）：每个参数只能给一次，否则只会采用第一个值。",
        hint_en=hint_en or ("Nothing was done." if request.method in WRITES else ""),
        hint_zh=hint_zh or ("未执行任何操作。" if request.method in WRITES else ""),
        details={"parameter": names[0], "repeated": names, "values": values, "where": where})


def unknown_write_error(unknown: list[str], takes: tuple) -> InputDataError:
    """The 400 for query parameters a write does not take (a misspelt ``?wiat=60`` started the job
    without waiting: the client believed it had waited)."""
    from geo.errors import listed
    from web.errors import shown_value

    shown = [shown_value(k) for k in unknown[:10]]
    s = "s" if len(unknown) > 1 else ""
    accepted = [*takes, "lang"]
    return InputDataError(
        f"Unknown parameter{s} {listed(shown, 'en', total=len(unknown))} in the address: {request.method} "
        f"{request.path} takes {listed(accepted, 'en')}.",
        f"地址中的未知参数 {listed(shown, 'zh', total=len(unknown))}：{request.method} {request.path} "
        f"可用的参数为 {listed(accepted, 'zh')}。",
        hint_en="Check the spelling: nothing was done.", hint_zh="请检查参数名的拼写；未执行任何操作。",
        details={"parameter": unknown[0], "parameters": unknown[:50], "accepted": accepted, "path": request.path})


def _language() -> None:
    # this hook runs before the app's language hook: the refusal speaks the request's language all the same
    if getattr(g, "lang", None) is None:
        from web.auth import request_language
        g.lang = request_language()[0]


def _form_not_utf8() -> InputDataError | None:
    """A urlencoded form whose fields are not UTF-8 text, raw or percent-encoded: the error naming the field, or
    None. Werkzeug read a raw bad byte as a missing field ("Missing parameter type" of a form that sent type) and
    kept a percent-encoded one as its escape ("%FF%FE" saved as a proposal's name, QA 28)."""
    from urllib.parse import unquote_to_bytes

    raw = request.get_data(cache=True)  # within the size limit (_body_size); the form is parsed from this copy
    for pair in raw.split(b"&"):
        key, _, value = pair.partition(b"=")
        name = unquote_to_bytes(key.replace(b"+", b" ")).decode("utf-8", "replace")
        for part in (key, value):
            text = unquote_to_bytes(part.replace(b"+", b" "))
            try:
                text.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = text[exc.start:exc.start + 1].hex().upper()
                shown = escaped(name)[:40]
                return InputDataError(
                    f"The form's field '{shown}' is not UTF-8 text (byte 0x{bad} at position {exc.start + 1}): send "
                    "the form as UTF-8, as a browser does; nothing was done.",
                    f"表单字段“{shown}”不是 UTF-8 文本（第 {exc.start + 1} 个字节为 0x{bad}）：请以 UTF-8 编码提交表单"
                    "（浏览器即是如此）；未执行任何操作。",
                    details={"parameter": name, "byte": exc.start + 1, "encoding": "utf-8"})
    return None


def _check_request() -> None:
    """Refuse, before the view runs, a parameter given twice and (on a write) one the endpoint does not take."""
    if request.routing_exception is not None:  # no such address or method: its own 404/405 says so
        return
    _body_size()
    if request.method in WRITES and request.mimetype == FORMS[0]:
        problem = _form_not_utf8()
        if problem is not None:
            _language()
            raise problem
    checked = request.path.startswith(CHECKED_PREFIXES)
    if checked and any(len(v) > 1 for _, v in request.args.lists()):
        _language()
        raise repeated_error(request.args)
    if not request.path.startswith("/api/") or request.method not in WRITES:
        return
    view = current_app.view_functions.get(request.endpoint)
    takes = tuple(getattr(view, "query_params", ()))
    unknown = [k for k in request.args.keys() if k not in takes and k not in ALWAYS]
    if unknown:
        _language()
        raise unknown_write_error(unknown, takes)
    if request.mimetype in FORMS and request.endpoint not in OWN_FORM:
        form = request.form
        twice = MultiDict([*form.items(multi=True), *((k, f.filename) for k, f in request.files.items(multi=True))])
        if any(len(v) > 1 for _, v in twice.lists()):
            _language()
            raise repeated_error(twice, where="form")


def _body_size() -> None:
    """A body over the limit, refused before it is read, in words for what it is: the upload's own 413
    (web/app.py) speaks of rows, .xlsx and ``coverplan data import``, which means nothing to a JSON request."""
    if request.endpoint in OWN_FORM:
        return
    limit = request.max_content_length
    if not limit:
        return
    size = request.content_length
    if size is None and request.method in WRITES and request.mimetype not in FORMS:
        try:  # sent in chunks, its length untold: read now, within the limit (the view reads it anyway)
            request.get_data(cache=True)
        except _ReadPastLimit:
            _language()
            raise body_too_large(limit, None) from None
    elif size is not None and size > limit:
        _language()
        raise body_too_large(limit, size)


def _mb(n: int) -> str:
    """1 MB, 1.5 MB, 20 MB, 800 KB: whole where whole, one decimal below 10 (a 1.4 MB body against a
    1 MB limit must not read "1 MB")."""
    v, unit = (n / 2**20, "MB") if n >= 2**20 else (n / 1024, "KB")
    return f"{v:.0f} {unit}" if v >= 10 or v == int(v) else f"{v:.1f} {unit}"


def size_over_limit(size: int, limit: int) -> tuple[str, str]:
    """The limit and a size over it, in the limit's own unit (MB of 2**20 bytes, as MAX_CONTENT_LENGTH's "20 MB"),
    the size with as many decimals as it takes to read larger than the limit: 21,000,000 bytes against 20 MB is
    "20.03 MB", never "20 MB" (QA 26); one byte over, "20.000001 MB". A limit that is not a whole figure is shown
    at the same precision, so the two are told apart by the same digits."""
    lim, got = _mb(limit), _mb(size)
    lim_unit, got_unit = lim.split()[1], got.split()[1]
    if lim_unit != got_unit:  # a KB limit, an MB body: the unit says which is larger
        return lim, got
    scale = 2**20 if lim_unit == "MB" else 1024
    lv, sv = limit / scale, size / scale
    whole = lv == int(lv)
    for d in range(1, 10):
        if float(got.split()[0]) > lv and (whole or float(got.split()[0]) > float(lim.split()[0])):
            return lim, got
        got = f"{sv:.{d}f} {got_unit}"
        if not whole:
            lim = f"{lv:.{d}f} {lim_unit}"
    return f"{limit:,} bytes", f"{size:,} bytes"


def body_too_large(limit: int, size: int | None):
    from web.errors import RequestEntityTooLarge

    shown_limit, shown_size = size_over_limit(size, limit) if size else (_mb(limit), "")
    got_en = f" (this one is {shown_size})" if size else ""
    got_zh = f"（本次为 {shown_size}）" if size else ""
    return RequestEntityTooLarge(
        f"The request body is too large for {request.method} {request.path}: at most {shown_limit}{got_en}.",
        f"请求内容过大：{request.method} {request.path} 的请求内容上限为 {shown_limit}{got_zh}。",
        hint_en="A proposal, an edit or a setting takes a few kilobytes: check what the client sends. A data "
                "file is uploaded on the Data page (POST /api/data/uploads), with its own limit.",
        hint_zh="方案、编辑或设置的请求通常只有几 KB，请检查客户端发送的内容；数据文件请在“数据”页上传"
                "（POST /api/data/uploads，另有上限）。",
        details={"limit": limit, "size": size, "path": request.path})


#: The sign-in requests (logging in, out, changing one's password: a JSON login is the same /login): anyone may send
#: them before logging in, so their body is held to :data:`SIGN_IN_LIMIT`, checked before anything reads it (QA 33:
#: a 6 MB JSON login of 500,000 keys took 2.5 s of CPU before its 400).
SIGN_IN_ENDPOINTS = frozenset({"auth.login", "auth.logout", "auth.password"})
#: What a sign-in request's body may weigh: a name, a password or three, a token and where to go next. Three
#: passwords of the longest kind (web.users.MAX_PASSWORD, 1,024 characters) percent-encoded in a form reach 37 KB
#: (12 bytes a character outside the BMP): they still fit; a JSON of this size parses in well under a millisecond.
SIGN_IN_LIMIT = 64 * 1024


def sign_in_too_large(limit: int, size: int | None):
    """The 413 of a sign-in request over :data:`SIGN_IN_LIMIT`, in its own words: the general one
    (:func:`body_too_large`) speaks of proposals, edits and the Data page."""
    from web.errors import RequestEntityTooLarge

    shown_limit, shown_size = size_over_limit(size, limit) if size else (_mb(limit), "")
    got_en = f" (this one is {shown_size})" if size else ""
    got_zh = f"（本次为 {shown_size}）" if size else ""
    return RequestEntityTooLarge(
        f"The request is too large for {request.method} {request.path}: signing in, signing out or changing a "
        f"password takes at most {shown_limit}{got_en}. Nothing was done.",
        f"请求内容过大：{request.method} {request.path}（登录、退出或修改密码）的请求内容上限为 {shown_limit}{got_zh}，"
        "未执行任何操作。",
        hint_en="Send only the account name, the password(s) and the page's security token, as the login page does.",
        hint_zh="只需发送账号名、密码和页面的安全令牌，与登录页面提交的内容相同。",
        details={"limit": limit, "size": size, "path": request.path})


def _sign_in_size() -> None:
    """A sign-in request's body over :data:`SIGN_IN_LIMIT`, refused before the CSRF check reads its form or the view
    its JSON; a body of untold length (chunked) is read up to the limit and no further (the request's own limit,
    which werkzeug's readers obey too)."""
    if request.endpoint not in SIGN_IN_ENDPOINTS or request.method not in WRITES:
        return
    limit = SIGN_IN_LIMIT
    request.max_content_length = limit  # every later read of this body stops at the limit
    size = request.content_length
    if size is not None and size > limit:
        _language()
        raise sign_in_too_large(limit, size)
    if size is None:
        try:
            # werkzeug's reader stops at the limit without a word: a body that fills it is over it
            over = len(request.get_data(cache=True)) >= limit
        except _ReadPastLimit:
            over = True
        if over:
            _language()
            raise sign_in_too_large(limit, None)


def install(app: Flask) -> None:
    """Watch the query string of API reads (the check itself runs in web/app.py's after-hook,
    which answers with the app's error format); refuse a parameter given twice, a write's unknown
    query parameter and an oversized body before the view runs; a sign-in request's body over
    :data:`SIGN_IN_LIMIT`, before anything else reads it (after the Host check: web.security)."""
    funcs = app.before_request_funcs.setdefault(None, [])
    from web.security import check_host
    funcs.insert(funcs.index(check_host) + 1 if check_host in funcs else 0, _sign_in_size)
    app.before_request(_check_request)
    app.before_request(_watch)
