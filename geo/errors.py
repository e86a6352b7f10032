"""Every error coverplan raises on purpose, in one place.

Each carries a Chinese and an English message that says what is wrong, where,
and how to fix it; the CLI and the web app pick the language. The classes know
nothing of HTTP: the web layer maps them to status codes (``web.errors.STATUS``).
This module imports nothing of ours, so every layer (``planner.models`` too)
may use it.
"""
from __future__ import annotations


class CoverplanError(Exception):
    """Base class: a problem the user can fix, with bilingual text.

    Parameters
    ----------
    en, zh : str
        What is wrong and where, in English and Chinese.
    hint_en, hint_zh : str, optional
        How to fix it.
    details : dict, optional
        Machine-readable extras (offending ids, row numbers) for the JSON API.
    """

    def __init__(self, en: str, zh: str, *, hint_en: str = "", hint_zh: str = "",
                 details: dict | None = None) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh
        self.hint_en, self.hint_zh = hint_en, hint_zh
        self.details = details or {}

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            return f"{self.en} {self.hint_en}".strip()
        return f"{self.zh}{self.hint_zh}".strip()

    def to_dict(self, lang: str = "zh") -> dict:
        return {"error": type(self).__name__, "message": self.message(lang),
                "message_en": self.message("en"), "message_zh": self.message("zh"),
                "details": self.details}


class InputDataError(CoverplanError):
    """A file or table the user gave cannot be used as it is."""


class UnknownRegionError(CoverplanError):
    """No region of that name is shipped or built."""


class UnknownTypeError(CoverplanError):
    """No facility type of that key in data/facility_types.toml."""


class NetworkError(CoverplanError):
    """A road network cannot be built, loaded or used."""


class InfeasibleError(CoverplanError):
    """A location model has no solution for the given inputs."""


class NotFoundError(CoverplanError):
    """A saved object (proposal, job) that does not exist."""


class DataChanged(CoverplanError):
    """A change was prepared on one data version and another became current meanwhile (another
    process's edit or import): nothing is written, the caller reloads and makes it again."""

    def __init__(self, base: int, current: int) -> None:
        super().__init__(
            f"The data changed while this change was being made: it was prepared on data version {base}, "
            f"and version {current} is now current. Nothing was saved.",
            f"在提交这项修改期间数据已被他人更新：修改基于数据版本 {base}，当前已是版本 {current}。本次修改未保存。",
            hint_en="Reload the page to see the current data and make the change again.",
            hint_zh="请刷新页面查看最新数据后重新修改。", details={"base": base, "current": current})


class Cancelled(CoverplanError):
    """The caller asked a long computation to stop (a web job's cancel)."""

    def __init__(self, en: str = "The computation was cancelled.", zh: str = "计算已取消。",
                 **kw) -> None:
        super().__init__(en, zh, **kw)


def listed(items, lang: str = "zh", *, total: int | None = None) -> str:
    """Items for a message as a reader writes them: "3、4、5" (zh) or "3, 4, 5" (en), never a
    Python list ("[3, 4, 5]"); "…" when ``total`` says there are more than shown."""
    items = [str(getattr(i, "item", lambda: i)()) for i in items]
    more = total is not None and total > len(items)
    if lang == "en":
        return ", ".join(items) + (" …" if more else "")
    return "、".join(items) + ("……" if more else "")
