"""Query parameters an API read does not take are refused, not ignored.

``/api/coverage?tpye=cemetery`` used to answer for the default type: a careless client got a
wrong answer and believed it. Each ``GET /api/...`` request's parameters are now watched: the
names the view asks for (present or not) are recorded, and a parameter the view never asked for
turns a successful answer into a 400 that names it and lists the names the endpoint reads.

Tracking what the view asks for, instead of a hand-kept list per endpoint, keeps the rule true
when an endpoint learns a new parameter. Only safe reads are checked (a write's query string
is not where its data goes), and only answers that succeeded (the view's own error says more).
"""
from __future__ import annotations

from flask import Flask, g, request
from werkzeug.datastructures import ImmutableMultiDict

from geo.errors import InputDataError

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
    names = ", ".join(unread)
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


def install(app: Flask) -> None:
    """Watch the query string of API reads (the check itself runs in web/app.py's after-hook,
    which answers with the app's error format)."""
    app.before_request(_watch)
