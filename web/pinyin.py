"""Pinyin keys for the maps' place search: "yunxi" or "yxx" finds 郧西县.

English pages keep township and village names in Chinese (they are proper names), and a planner
on a machine without a Chinese input method types them in pinyin. A name's usual reading comes
from pypinyin's phrase dictionary; place names also use rarer readings (长岭 changling, 柳陂
liupo) that a dictionary cannot tell from context, so the other readings are kept too, up to
:data:`MAX_READINGS` per name, and a search ranks places found only through them last.
"""
from __future__ import annotations

import itertools
import re

from pypinyin import Style, lazy_pinyin, pinyin

#: readings kept per name: a four-character name with two ambiguous characters has 4-9
MAX_READINGS = 16

_NOT_LETTERS = re.compile(r"[^a-z]")


def _keys(readings) -> str:
    """``"|chang ling cun|clc|"``: each reading with its syllables apart, then its initials."""
    out = []
    for r in readings:
        syl = [s for s in (_NOT_LETTERS.sub("", x.lower()) for x in r) if s]
        if syl:
            out += [" ".join(syl), "".join(s[0] for s in syl)]
    return "|" + "|".join(dict.fromkeys(out)) + "|"


def pinyin_keys(name: str) -> tuple[str, str]:
    """The name's usual reading and all its readings, as search keys (see :func:`matches`)."""
    if not isinstance(name, str) or not name:
        return "|", "|"
    usual = _keys([lazy_pinyin(name, errors="ignore")])
    chars = pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    return usual, _keys(itertools.islice(itertools.product(*chars), MAX_READINGS))


def pinyin_query(query: str) -> str | None:
    """The query as pinyin letters ("Yun Xi" -> "yunxi"), or None when it is not pinyin (it has
    Chinese characters or digits, or fewer than two letters)."""
    q = query.strip().lower().replace("ü", "v")  # pypinyin writes 吕 as "lv"; a planner may type "lü"
    if not q or not re.fullmatch(r"[a-z' \-·]+", q):
        return None
    q = _NOT_LETTERS.sub("", q)
    return q if len(q) >= 2 else None


def match_pattern(q: str) -> str:
    """A regular expression finding ``q`` in keys from a syllable's start: "yunx" and "xixian" are
    in "yun xi xian", "yx" in its initials "yxx", but "unxi" (mid-syllable) is not."""
    return r"(?:\||\s)" + r"\s?".join(q)


def whole(q: str) -> str:
    """The key a whole reading or the whole initials equal to ``q`` contain ("|yunxixian|")."""
    return f"|{q}|"
