"""What free text typed in the app may hold: the characters refused in names and notes, said in words.

One rule for every place a name or a note comes in (proposals, map edits, imported registers): a control
character (C0, DEL, C1), a lone surrogate ("\\ud800" in JSON: no file can store it), a line or
paragraph separator (U+2028/9 break a line where none shows) or a bidirectional control (it makes a
name read backwards, a spoofing trick) is refused everywhere; a one-line field (a name, an address)
also refuses line breaks, tabs and invisible format characters (U+200B, U+FEFF...: two names that
look the same would be different), which a note or a remark may hold. A one-line field also refuses
Unicode's default-ignorable characters (variation selectors, the Hangul fillers, U+034F...: they show
as nothing), the braille blank, and a combining mark with no letter before it (QA 18: "Admin1\ufe0f"
looked like the admin's name, and "\u3164" made a facility with a name that shows as nothing).
"""
from __future__ import annotations

import re
import unicodedata

#: Bidirectional embedding, override and isolate controls, and the marks U+061C, U+200E/F.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u200e\u200f")


#: Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt, Unicode 15.1), as
#: (first, last) code points: characters a renderer shows as nothing.
DEFAULT_IGNORABLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                     (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
                     (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
                     (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
#: Characters drawn as a blank that are neither spaces nor ignorable: the braille blank.
BLANKS = frozenset("\u2800")


def _ignorable(ch: str) -> bool:
    o = ord(ch)
    return any(a <= o <= b for a, b in DEFAULT_IGNORABLE)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS


def refused(ch: str, *, multiline: bool) -> bool:
    """Whether ``ch`` may not stand in a field: one line (``multiline=False``) or several."""
    if multiline:
        return ch not in "\n\r\t" and _is_control(ch)
    return _is_control(ch) or unicodedata.category(ch) == "Cf" or _ignorable(ch) or ch in BLANKS


def first_refused(text: str, *, multiline: bool) -> int | None:
    """The index of the first refused character of ``text``, or None (one line: a combining mark
    at the start, with nothing to sit on, is refused too)."""
    if not multiline and text and unicodedata.category(text[0]) in ("Mn", "Mc", "Me"):
        return 0
    return next((i for i, ch in enumerate(text) if refused(ch, multiline=multiline)), None)


def char_kind(ch: str) -> tuple[str, str]:
    """What a refused character is, in words (en, zh)."""
    cat = unicodedata.category(ch)
    if cat == "Cs":  # half of a surrogate pair: not a character at all
        return "an invalid character: half of a surrogate pair", "无效字符，是不成对的代理项"
    if ch in BIDI_CONTROLS:
        return "a text-direction control", "文字方向控制符"
    if cat in ("Zl", "Zp"):
        return "a line or paragraph separator", "行或段落分隔符"
    if cat == "Cf":
        return "an invisible formatting character", "不可见的格式字符"
    if _ignorable(ch) or ch in BLANKS:
        return "an invisible or blank character", "不可见或空白字符"
    if cat in ("Mn", "Mc", "Me"):
        return "a combining mark with no letter before it", "前面没有文字的组合符号"
    return "a control character", "控制字符"


def code_point(ch: str) -> str:
    """One character as Python writes it escaped: \\u00a0, and \\U000e0041 past U+FFFF, where
    "\\ue0041" read as U+E004 followed by a 1."""
    n = ord(ch)
    return f"\\u{n:04x}" if n <= 0xFFFF else f"\\U{n:08x}"


def escaped(text, *, multiline: bool = False):
    """``text`` with its refused characters written as \\uXXXX, to be quoted in a message (never echo
    the invisible characters themselves); anything but text (JSON null, a number) unchanged."""
    if not isinstance(text, str):
        return text
    return "".join(code_point(ch) if refused(ch, multiline=multiline) else ch for ch in text)


def without_refused(text, *, multiline: bool = False) -> str:
    """``text`` with its refused characters dropped (an older stored value being used again); one line
    also loses the combining marks left at its start, as first_refused refuses them there."""
    out = "".join(ch for ch in str(text) if not refused(ch, multiline=multiline))
    if not multiline:
        while out and unicodedata.category(out[0]) in ("Mn", "Mc", "Me"):
            out = out[1:]
    return out


# -- numbers as typed: one reading for the web's parameters and the CLI's options (QA 22) ----------------------
#: Full-width digits, point, signs and exponent, as a Chinese input method types them (１２．５): read as the
#: ASCII they stand for, on purpose (a register's cells are read so too: NFKC in planner/register.py).
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．＋－ｅＥ", "0123456789.+-eE")
#: A number as typed: ASCII digits with a sign, a point and an exponent (inf and nan too: the caller refuses
#: them as not finite). float() and int() take more, and read it as another number or a 500: Python's digit
#: separator ("1_5" is 15), any script's digits (٥), spaces of any kind around it ("5\u00a0"), and str.isdigit()
#: passes superscripts ("²") that int() refuses (QA 22).
_PLAIN = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)", re.ASCII | re.IGNORECASE)


def number_text(raw: str) -> str | None:
    """``raw`` as the ASCII text of the number typed (full-width digits read as digits, spaces and tabs around
    it dropped), or None when it is none: "1_5", "٥", "²", "5\\u00a0", "1 000", "1,000"."""
    text = raw.translate(_FULL_WIDTH).strip(" \t\r\n")
    return text if _PLAIN.fullmatch(text) else None


class TypedInt(int):
    """A whole number that prints as it was typed: a message echoes ``?k=1e308`` or ``--target 1e308`` as
    1e308, not as the 309-digit integer it stands for (a float option's is cli.options.GivenFloat)."""

    def __new__(cls, value: int, text: str):
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return self.text if not spec else int.__format__(self, spec)  # f"{k}" as typed, f"{k:,}" as a number


# -- area codes as typed: one reading wherever a register's code is read (QA 23) ----------------------------------
def code_text(raw) -> str:
    """An area code (乡镇代码, 区划代码, a county's code) as the ASCII digits it stands for: full-width digits
    (４２０３０２２０１, as a Chinese input method types them) read as digits (NFKC), spaces around it and the ".0"
    of a code a spreadsheet stored as a number (420302201.0) dropped. Anything else is left as typed, for the
    caller to refuse with the value quoted."""
    if raw is None:
        return ""
    return re.sub(r"\.0$", "", unicodedata.normalize("NFKC", str(raw)).strip())
