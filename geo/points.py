"""Read point tables (``id,lon,lat`` CSV files) that planners bring.

Spreadsheets saved on Chinese Windows machines are often GBK- or GB18030-encoded
(Big5 on traditional-Chinese ones) and sometimes have latitude and longitude swapped;
this module reads these encodings and says plainly what is wrong, in which rows, and
how to fix it.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from geo import settings
from geo.archives import check_file
from geo.errors import InputDataError, listed

#: Accepted column names (lower-cased) for each required column.
ALIASES = {
    "id": ("id", "编号", "代码", "code", "name", "名称"),
    "lon": ("lon", "lng", "long", "longitude", "x", "经度"),
    "lat": ("lat", "latitude", "y", "纬度"),
}

#: Rough extent of China (lon/lat) for a sanity check.
CHINA_BBOX = (73.4, 3.8, 135.1, 53.6)

#: Bounding boxes of the supported regions (lon/lat), with a small margin.
REGION_BBOXES = {"shiyan": (108.3, 31.4, 111.6, 33.3)}
#: Their names as messages give them (zh, en), not the key.
REGION_NAMES = {"shiyan": ("十堰市", "Shiyan")}

#: Tried in this order. UTF-8 first: GBK would decode many UTF-8 files into nonsense
#: rather than fail. GB18030 after GBK: it is GBK's superset (rare characters of
#: place and person names) and the encoding is reported as the narrower one when it fits.
ENCODINGS = ("utf-8-sig", "gbk", "gb18030")


#: How an encoding is shown to planners (codec names such as "utf-8-sig" are jargon).
_ENCODING_LABELS = {"utf-8": "UTF-8", "utf8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "gbk": "GBK", "cp936": "GBK",
                    "936": "GBK", "gb2312": "GB2312", "gb18030": "GB18030", "utf-16": "UTF-16",
                    "utf-16-le": "UTF-16LE", "utf-16le": "UTF-16LE", "utf_16_le": "UTF-16LE",
                    "utf-16-be": "UTF-16BE", "utf-16be": "UTF-16BE", "utf_16_be": "UTF-16BE",
                    "iso-8859-1": "ISO-8859-1", "latin1": "ISO-8859-1", "big5": "Big5", "cp950": "Big5",
                    "950": "Big5", "big5hkscs": "Big5-HKSCS"}


def encoding_label(encoding: str | None) -> str | None:
    """The encoding as detected, as people name it: "UTF-8", "UTF-8 (BOM)" (only when the file has
    the byte-order mark), "GBK", "GB18030"."""
    if not encoding:
        return None
    return _ENCODING_LABELS.get(str(encoding).strip().lower(), str(encoding).strip())


def utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when ``raw`` looks like UTF-16 text without its byte-order mark, else None.

    Told by its zero bytes: in UTF-16 every ASCII character (the commas, digits and line breaks of a CSV)
    has a zero byte, always on the same side (odd offsets little-endian, even big-endian); a few Chinese
    characters have one on the other side (一 is 00 4E). The text must then decode (QA 23: such a file
    was called "a binary file", even with --encoding utf-16)."""
    sample = raw[:8192]
    sample = sample[:len(sample) - len(sample) % 2]
    if len(sample) < 4 or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd >= max(2, 0.1 * half) and even * 4 <= odd:
        enc = "utf-16-le"
    elif even >= max(2, 0.1 * half) and odd * 4 <= even:
        enc = "utf-16-be"
    else:
        return None
    try:
        sample.decode(enc)
    except UnicodeDecodeError:
        return None
    return enc


def decode_text(raw: bytes, label: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes of a text file decoded: the given ``encoding``, else UTF-16 when it starts with
    its byte-order mark (Excel's "Unicode text") or has a UTF-16 text's zero bytes without one
    (:func:`utf16_without_bom`), else the first of :data:`ENCODINGS` that fits, unless its GBK or GB18030 reading is
    nonsense that Big5 reads clearly better (:func:`big5_reading`: then Big5, :data:`BIG5`)."""
    chosen = encoding
    if encoding:
        import codecs
        try:
            name = codecs.lookup(encoding).name
        except LookupError:  # --encoding klingon: no such encoding, not "the file is in another one"
            raise InputDataError(f"{label}: unknown text encoding '{encoding}'.", f"{label}：未知的文本编码“{encoding}”。",
                                 hint_en="Use utf-8, gbk or gb18030 (or leave it out to detect it).",
                                 hint_zh="请用 utf-8、gbk 或 gb18030（或不指定，自动识别）。",
                                 details={"path": label, "encoding": encoding}) from None
        # utf-16 without a byte-order mark: its byte order from its zero bytes (Python would take little-endian)
        if name == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = utf16_without_bom(raw) or encoding
        tried = (encoding,)
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        tried = ("utf-16",)
    elif (utf16 := utf16_without_bom(raw)) is not None:
        tried = (utf16,)
    else:
        tried = ENCODINGS
    for enc in tried:
        try:
            text = raw.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if chosen and (wrong := misread_error(raw, label, chosen, enc, text, big5=True)) is not None:
            raise wrong  # chosen by hand and decoded, but into nonsense (QA 34: UTF-8 read as GBK or UTF-16)
        if not chosen and enc in ("gbk", "gb18030") and (big5 := big5_reading(raw, text)) is not None:
            return big5, BIG5  # GB18030 decodes any Big5 bytes, into nonsense: the detector took it (QA 36)
        # utf-8-sig reads UTF-8 with or without the byte-order mark: name the one the file has
        return text, "utf-8" if enc == "utf-8-sig" and not raw.startswith(b"\xef\xbb\xbf") else enc
    if chosen:  # chosen by hand (the Data page's 文字编码, --encoding): said so, and what reads the file instead
        raise chosen_encoding_error(raw, label, chosen, tried[0])
    shown = [encoding_label("utf-8" if e == "utf-8-sig" else e) for e in tried]  # utf-8-sig: with or without BOM
    names = "、".join(shown)
    # where the first encoding tried stops: the line a planner can look at (a stray byte, a pasted symbol)
    try:
        raw.decode(tried[0])
        where_en = where_zh = ""
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        where_en, where_zh = f" (from line {line})", f"（第 {line} 行起）"
    except LookupError:
        where_en = where_zh = ""
    raise InputDataError(
        f"{label}: cannot decode the file as {' or '.join(shown)}{where_en} (it is in another encoding, "
        "or not a text file).",
        f"{label}：无法以 {names} 编码读取文件{where_zh}（文件为其他编码，或不是文本文件）。",
        hint_en="Save the table as 'CSV UTF-8' in your spreadsheet program, or state its encoding.",
        hint_zh="请在表格软件中另存为“CSV UTF-8”格式，或指定文件的编码。",
        details={"path": label, "encodings_tried": list(tried)})


#: An encoding as the Data page's 文字编码 offers it and as --encoding takes it, by codec name (utf-16 reads either
#: byte order, with or without a byte-order mark: decode_text).
_CHOOSABLE = {"utf-8": ("UTF-8", "utf-8"), "utf-8-sig": ("UTF-8", "utf-8"), "gbk": ("GBK", "gbk"),
              "gb18030": ("GB18030", "gb18030"), "utf-16": ("UTF-16", "utf-16"), "utf-16-le": ("UTF-16", "utf-16"),
              "utf-16-be": ("UTF-16", "utf-16")}


def chosen_encoding_error(raw: bytes, label: str, chosen: str, used: str | None = None) -> InputDataError:
    """The error for a text file that the encoding chosen by hand (``chosen``: the Data page's 文字编码, a command's
    --encoding; ``used``: the codec it was read with, a UTF-16's byte order found) does not decode: that encoding
    cannot read it, where it stops (the line and the byte), and what to choose instead: the encoding the detector
    finds (:func:`decode_text` without one), else "detect" (自动识别). QA 34: it said "save the table as 'CSV UTF-8',
    or state its encoding" to a planner who had stated one."""
    shown = encoding_label(chosen)
    try:
        raw.decode(used or chosen)
        at_en = at_zh = ""
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        bad = raw[exc.start:exc.start + 1].hex().upper()
        at_en, at_zh = (f" (byte 0x{bad} on line {line})", f"；第 {line} 行的字节 0x{bad} 无法按 {shown} 解码") if bad \
            else (f" (from line {line})", f"；第 {line} 行起无法按 {shown} 解码")
    except LookupError:
        at_en = at_zh = ""
    try:
        _, found = decode_text(raw, label)
    except InputDataError:
        found = None
    hint_en, hint_zh = chosen_encoding_hint(chosen, used, found)
    return InputDataError(
        f"{label}: the text encoding chosen, {shown}, cannot read the file{at_en}.",
        f"{label}：无法以 {shown} 编码读取文件（{shown} 为所选的文字编码{at_zh}）。",
        hint_en=hint_en, hint_zh=hint_zh,
        details={"path": label, "encoding": chosen, "encodings_tried": [used or chosen],
                 "detected": encoding_label(found)})


def chosen_encoding_hint(chosen: str, used: str | None, found: str | None) -> tuple[str, str]:
    """(en, zh) what to choose instead of the encoding ``chosen`` by hand (read with ``used``) that does not fit a
    file: the encoding ``found`` by the detector, else "detect" (自动识别): :func:`chosen_encoding_error`,
    :func:`misread_error`."""
    import codecs

    def codec(name: str) -> str:
        name = codecs.lookup(name).name
        return "utf-8" if name == "utf-8-sig" else name

    page, cli = _CHOOSABLE.get(codecs.lookup(found).name if found else "", (None, None))
    if page is not None and codec(found) == codec(used or chosen):
        page = None  # (the one chosen: nothing else to offer)
    if page is not None:
        if codec(found) in ("utf-16-le", "utf-16-be"):  # no byte-order mark: its byte order named (UTF-16 finds it)
            cli = found.replace("utf-16-", "utf-16")
            said_en = f"The file looks like {encoding_label(found)} without a byte-order mark"
            said_zh = f"文件像是没有字节顺序标记的 {encoding_label(found)}"
        else:
            said_en, said_zh = f"The file reads as {page}", f"文件可按 {page} 编码读取"
        # said for every face alike (the Data page's 文字编码, a command's --encoding): no face's own words
        plain = cli == codec(found) or cli == page.lower()  # else UTF-16 without a mark: its byte order named
        hint_en = f"{said_en}: set \"Text encoding\" to {page if plain else f'{page} ({cli})'}, or to \"detect\"."
        hint_zh = f"{said_zh}：请把“文字编码”改为 {page if plain else f'{page}（{cli}）'}，或改为“自动识别”。"
        if codec(chosen) == "utf-8":  # the UTF-8 chosen is had by saving the table as such
            hint_en += " Or save the table as 'CSV UTF-8' in your spreadsheet program and upload it again."
            hint_zh += "也可在表格软件中另存为“CSV UTF-8”格式后重新上传。"
    elif found and encoding_label(found) == "Big5":  # detected only (big5_reading): not offered to choose by hand
        hint_en = ("The file reads as Big5 (traditional Chinese), which only \"detect\" finds: set \"Text encoding\" "
                   "to \"detect\", or save the table as 'CSV UTF-8' in your spreadsheet program.")
        hint_zh = "文件可按 Big5（繁体中文）编码读取，须自动识别：请把“文字编码”改为“自动识别”，或在表格软件中另存为“CSV UTF-8”格式。"
    else:
        hint_en = ("No other encoding coverplan reads (UTF-8, GBK, GB18030, UTF-16) fits it either: check that it is a "
                   "text table (CSV), set \"Text encoding\" to \"detect\", or save the table again as 'CSV UTF-8' in "
                   "your spreadsheet program.")
        hint_zh = ("其他可读取的编码（UTF-8、GBK、GB18030、UTF-16）也都无法读取：请确认文件是文本表格（CSV），"
                   "把“文字编码”改为“自动识别”，或在表格软件中重新另存为“CSV UTF-8”格式。")
    return hint_en, hint_zh


#: Characters of Chinese tables' text (ideographs, CJK and full-width punctuation, °·× №, circled numbers): a UTF-8
#: reading made mostly of them is the file's own; GBK bytes that happen to be valid UTF-8 read as Latin, Greek,
#: Cyrillic ... letters (two-byte sequences) instead.
_CHINESE_TEXT = re.compile("[\u00b0\u00b7\u00d7\u2000-\u206f\u2116\u2160-\u217f\u2460-\u24ff\u3000-\u303f"
                           "\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                           "\U00020000-\U0003134f]")
_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: What separates a table's cells and rows.
_SEPARATORS = ",\t;\r\n"


def plain_utf8(raw: bytes) -> str | None:
    """``raw`` read as UTF-8 when it is plainly UTF-8 text with Chinese in it, else None: it decodes strictly, has
    multibyte characters, at least one common ideograph, no control, private-use, unassigned or replacement
    characters, and its non-ASCII characters are mostly those of Chinese text (:data:`_CHINESE_TEXT`). Valid
    multibyte UTF-8 that reads so is all but never meant as GBK, GB18030 or UTF-16: of 40,000 place and facility
    names of the region and the country written in GBK, none is such UTF-8."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    sample = text[:100_000]
    others = _NON_ASCII.findall(sample)
    if not others or not _IDEOGRAPH.search(sample):
        return None
    if _CONTROL.search(sample) or any(unicodedata.category(c) in ("Co", "Cn", "Cs", "Cc") or c == "\ufffd"
                                      for c in set(others)):
        return None
    return text if len(_CHINESE_TEXT.findall(sample)) >= 0.8 * len(others) else None


#: Big5's frequently used characters (its level 1: 5,401 ideographs, A440-C67E) and its symbols (A140-A3BF): the
#: common characters of traditional Chinese text, as GB2312's are of simplified.
_BIG5_COMMON = ((0xA140, 0xA3BF), (0xA440, 0xC67E))


def _in_gb2312(c: str) -> bool:
    try:
        c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _in_big5_common(c: str) -> bool:
    try:
        code = int.from_bytes(c.encode("big5"), "big")
    except UnicodeEncodeError:
        return False
    return any(lo <= code <= hi for lo, hi in _BIG5_COMMON)


def common_share(text: str) -> float:
    """The share of ``text``'s characters that are not ASCII (in its first 100,000) that are common Chinese text of
    one script: of GB2312 (simplified: its 6,763 ideographs and full-width punctuation) or of Big5's frequently used
    characters (traditional, :data:`_BIG5_COMMON`), whichever share is higher. A text read in its own encoding is
    written nearly wholly in one of them; a misread one mixes rarer ideographs of both, Hangul, private-use
    characters. (GB2312's alone took a traditional-Chinese UTF-8 file read as GBK for the file's own text: 養護機構
    are not in GB2312, and its garbled reading 椁婅 partly is; QA 35.)"""
    others = Counter(_NON_ASCII.findall(text[:100_000]))
    total = sum(others.values())
    if not total:
        return 0.0
    simplified = sum(n for c, n in others.items() if _in_gb2312(c))
    traditional = sum(n for c, n in others.items() if _in_big5_common(c))
    return max(simplified, traditional) / total


#: The codec a Big5 file is read with when detected: Windows' code page 950 (Big5 with Microsoft's additions), what a
#: spreadsheet program on traditional-Chinese Windows writes; shown as "Big5" (:func:`encoding_label`).
BIG5 = "cp950"
#: How much of a Big5 reading's text must be common Chinese (:func:`common_share`), and by how much more than of its
#: GBK/GB18030 reading, for the file to be read as Big5. Big5 text read as GB18030 is about half private-use and rare
#: characters (十堰市社會福利院 -> 橱カ穦褐皘, 0.3-0.5). Of the region's 2,108 place names written in GBK (each with
#: ",养老院"), the 2,024 that Big5 decodes at all read as Big5 with at most 0.75 (as GBK: 1.0); a GBK file with
#: traditional characters mostly does not decode as Big5 (their GBK bytes are outside Big5's).
BIG5_SHARE, BIG5_MARGIN = 0.8, 0.25


def big5_reading(raw: bytes, text: str) -> str | None:
    """``raw`` read as Big5 (:data:`BIG5`) when that reads clearly better than ``text``, its GBK or GB18030 reading,
    else None: Big5 decodes it strictly into text without control, private-use or unassigned characters, with an
    ideograph, whose non-ASCII characters are at least :data:`BIG5_SHARE` common Chinese and :data:`BIG5_MARGIN` more
    so than ``text``'s (:func:`common_share`). QA 36: GB18030 decodes any Big5 bytes, and a Big5 table's names
    十堰市社會福利院 were accepted as 橱カ穦褐皘, its header 名稱 refused as the unknown column 嘿."""
    if raw.isascii():
        return None
    gb = common_share(text)
    if gb > 1 - BIG5_MARGIN:  # (plain GBK: its reading is common Chinese; Big5 cannot read clearly better)
        return None
    try:
        big5 = raw.decode(BIG5)
    except UnicodeDecodeError:
        return None
    sample = big5[:100_000]
    others = set(_NON_ASCII.findall(sample))
    if not others or not _IDEOGRAPH.search(sample) or _CONTROL.search(sample) or \
            any(unicodedata.category(c) in ("Co", "Cn", "Cs", "Cc") or c == "\ufffd" for c in others):
        return None
    share = common_share(big5)
    return big5 if share >= BIG5_SHARE and share - gb >= BIG5_MARGIN else None


def encoding_notes(encoding: str | None) -> list[tuple[str, str]]:
    """(zh, en) notes on the encoding a text file was read with (``encoding``: the codec :func:`decode_text` gave):
    one for Big5, which it detects only by the text it reads (:func:`big5_reading`), and which the Data page's
    文字编码 and --encoding do not offer: what to do if the text is wrong all the same. None for the others."""
    if not encoding or encoding_label(encoding) != "Big5":
        return []
    return [("文件的文字编码识别为 Big5（繁体中文），已按 Big5 读取；如文字有误，请在表格软件中另存为“CSV UTF-8”格式后重新导入",
             "the file's text encoding was detected as Big5 (traditional Chinese) and read as such; if its text is "
             "wrong, save the table as 'CSV UTF-8' in your spreadsheet program and import it again")]


def _shown_sample(text: str, most: int = 8, *, from_start: bool = False) -> str:
    """The first cell of ``text`` holding a character that is not ASCII, from that character on (``from_start``: the
    first line, cells and all), as a message quotes it: at most ``most`` characters (… after a cut), characters that
    cannot be shown as �."""
    text = text.lstrip("\ufeff")
    start = 0 if from_start else next((i for i, c in enumerate(text[:100_000]) if ord(c) >= 0x80), 0)
    piece = []
    for c in text[start:start + most + 1]:
        if c in ("\r\n" if from_start else _SEPARATORS + '"'):
            break
        piece.append(c)
    cut = len(piece) > most
    shown = "".join("\ufffd" if unicodedata.category(c)[0] == "C" else c for c in piece[:most])
    return shown + ("…" if cut else "")


def misread_error(raw: bytes, label: str, chosen: str, used: str, text: str, *,
                  big5: bool = False) -> InputDataError | None:
    """The error for a text file that the encoding ``chosen`` by hand (read with codec ``used``) decodes into
    ``text`` that is plainly not the file's, else None. QA 34: a UTF-8 file with GBK chosen read as 鍚嶇О (its
    header 名称), and with UTF-16 chosen (even length) as 믤膠辻뫥, silently: the error then said only of missing
    columns. Said when the file is plainly UTF-8 (:func:`plain_utf8`) and another encoding was chosen, or when
    UTF-16 was chosen for a file without a byte-order mark whose bytes hold a table's separators (commas, tabs, line
    breaks) and whose UTF-16 reading has none of them (its ASCII would have a zero byte each), and (``big5``: a CSV's
    text, where "detect" finds Big5) when GBK or GB18030 was chosen for a file that Big5 reads clearly better
    (:func:`big5_reading`; QA 36: a Big5 table read with GB18030 chosen as 橱カ穦褐皘)."""
    import codecs

    try:
        name = codecs.lookup(used).name
    except LookupError:
        return None
    if name in ("utf-8", "utf-8-sig"):
        return None
    good = plain_utf8(raw)
    if good is not None and good != text.lstrip("\ufeff") and common_share(good) > common_share(text):
        found = "utf-8"  # (a GBK text that happens to be valid UTF-8 reads as rarer characters as UTF-8: kept)
    elif name.startswith("utf-16") and not raw.startswith((b"\xff\xfe", b"\xfe\xff")) and \
            sum(raw[:8192].count(c.encode()) for c in _SEPARATORS) >= 2 and \
            not any(c in text[:100_000] for c in _SEPARATORS):
        try:
            good, found = decode_text(raw, label)
        except InputDataError:
            good = found = None
        if found is not None and codecs.lookup(found).name == name:
            good = found = None  # (the one chosen: nothing else to offer)
    elif big5 and name in ("gbk", "gb18030") and (good := big5_reading(raw, text)) is not None:
        found = BIG5
    else:
        return None
    shown, bad = encoding_label(chosen), _shown_sample(text)
    hint_en, hint_zh = chosen_encoding_hint(chosen, used, found)
    if found is not None:
        # a reading whose ASCII is not the bytes' own (UTF-16: two bytes a character) garbles the file from its first
        # byte: the other reading is quoted from there too (its first line, as many bytes as the garbled sample)
        whole = b"code,1\n".decode(name, errors="replace") != "code,1\n"
        other, sample = encoding_label(found), _shown_sample(good, 16 if whole else 8, from_start=whole)
        en = (f"{label}: the text encoding chosen, {shown}, reads this file as garbled text: \"{bad}\" where "
              f"{other} reads \"{sample}\".")
        zh = f"{label}：所选的文字编码 {shown} 把文件读成了乱码：文件中的“{sample}”（按 {other} 读取）被读成“{bad}”。"
    else:
        en = (f"{label}: the text encoding chosen, {shown}, reads this file as garbled text (\"{bad}\"), with none of "
              "the commas, tabs or line breaks of a table.")
        zh = f"{label}：所选的文字编码 {shown} 把文件读成了乱码（“{bad}”），读不出表格的逗号、制表符或换行。"
    return InputDataError(en, zh, hint_en=hint_en, hint_zh=hint_zh,
                          details={"path": label, "encoding": chosen, "encodings_tried": [used],
                                   "detected": encoding_label(found), "misread": bad,
                                   **({"reads_as": sample} if found is not None else {})})


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """A text file's contents and encoding: UTF-8 (with or without BOM), else GBK / GB18030
    (what Excel on Chinese Windows writes); see :func:`decode_text`."""
    return decode_text(Path(path).read_bytes(), Path(path).name, encoding)


_DMS = re.compile(
    r"^(?P<pre>东经|北纬|西经|南纬|[NSEW])?\s*(?P<deg>[-+]?\d+(?:\.\d+)?)\s*(?:°|度|d)?"
    r"\s*(?:(?P<min>\d+(?:\.\d+)?)\s*(?:′|'|分|m))?"
    r"\s*(?:(?P<sec>\d+(?:\.\d+)?)\s*(?:″|′′|''|\"|秒|s))?\s*(?P<post>[NSEW])?$", re.IGNORECASE)


#: Degrees and minutes, and seconds, written with spaces only (32 29 29.4, 32 29.49, N 32 29 29.4, 110 50 6.1E):
#: whole degrees, and minutes whole where seconds follow; read as the same with symbols (32°29′29.4″) is.
_SPACED_DMS = re.compile(
    r"^(?P<pre>东经|北纬|西经|南纬|[NSEW])?\s*(?P<deg>[-+]?\d+)\s+(?P<min>\d+(?:\.\d+)?)"
    r"(?:\s+(?P<sec>\d+(?:\.\d+)?))?\s*(?P<post>[NSEW])?$", re.IGNORECASE | re.ASCII)
#: A number written with spaces between groups of three digits (3 606 460: metres of a projected CRS).
_SPACED_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?: \d{3})+(?:\.\d+)?$", re.ASCII)
#: Digits, a space, and more digits: several numbers in one cell.
_SPACED_NUMBERS = re.compile(r"\d\s+[-+]?\.?\d", re.ASCII)


def spaced_numbers(value) -> bool:
    """Whether ``value`` holds several numbers separated by spaces (32 29 29.4, 32.5 29 10): a coordinate
    :func:`parse_coordinate` reads only when they are degrees, minutes and seconds."""
    return value is not None and bool(_SPACED_NUMBERS.search(unicodedata.normalize("NFKC", str(value))))


def _spaced_dms(text: str) -> float | None:
    """``text`` (NFKC, stripped) as degrees-minutes(-seconds) written with spaces; None when it is not that
    (a number with spaces between its thousands, or no spaces at all); NaN when it is several numbers that
    are no D M S (32.5 29 10, 32 29 29 4, 32 75: which coordinate they mean cannot be told)."""
    if not _SPACED_NUMBERS.search(text):
        return None
    if _SPACED_THOUSANDS.match(" ".join(text.split())):
        # groups of three digits are thousands (480 055, 110 050 000: metres), never minutes or seconds,
        # which have two digits: tested first, or 480 055 read as 480°55′
        return None
    m = _SPACED_DMS.match(" ".join(text.split()))
    if m is None or (m["sec"] and "." in m["min"]) or float(m["min"]) >= 60 or float(m["sec"] or 0) >= 60:
        # 480 155, 3 606 460: a number grouped by thousands, read as before (metres, refused as such)
        return None if _SPACED_THOUSANDS.match(" ".join(text.split())) else float("nan")
    hemi = (m["pre"] or m["post"] or "").upper()
    val = abs(int(m["deg"])) + float(m["min"]) / 60 + float(m["sec"] or 0) / 3600
    return -val if m["deg"].startswith("-") or hemi in ("S", "W", "西经", "南纬") else val


def parse_coordinate(value) -> float:
    """One coordinate as a planner may have typed it, in decimal degrees (NaN if it is none).

    Accepts decimals, full-width digits (１１０．５), a degree sign, a hemisphere
    (E110.5, 东经110.5, 32.6N) and degrees-minutes-seconds (110°47′30″, 110度47分30秒, and with
    spaces only: 110 47 30, 32 29.49). Several numbers that are no D M S (32.5 29 10) are none (NaN):
    their spaces taken out, they were another number (32.52910, or 322929 read as metres, QA 23).
    """
    if value is None:
        return float("nan")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    spaced = _spaced_dms(text)
    if spaced is not None:
        return spaced
    text = text.replace(" ", "")
    if not text:
        return float("nan")
    try:
        return float(text)
    except ValueError:
        pass
    m = _DMS.match(text)
    if not m:
        return float("nan")
    deg = float(m["deg"])
    val = abs(deg) + float(m["min"] or 0) / 60 + float(m["sec"] or 0) / 3600
    if (m["min"] and float(m["min"]) >= 60) or (m["sec"] and float(m["sec"]) >= 60):
        return float("nan")
    hemi = (m["pre"] or m["post"] or "").upper()
    negative = deg < 0 or hemi in ("S", "W", "西经", "南纬")
    return -val if negative else val


def _not_finite(cells: pd.Series) -> np.ndarray:
    """Cells that read as a number that is no place: inf, -inf, nan, 1e999."""
    num = pd.to_numeric(cells.astype(str).str.strip().replace("", "0"), errors="coerce").to_numpy(float)
    text = cells.astype(str).str.strip().str.lower()
    return np.isinf(num) | text.isin(["nan", "+nan", "-nan"]).to_numpy()


#: Beyond this a coordinate is no plausible place in any unit: it is shown compactly (1e+300, not its 301 digits).
COMPACT_ABOVE = 1e12


def plain_number(value) -> str:
    """A coordinate as people read it: 12333300 for metres, 110.7925 for degrees (never 1.2e+07; no
    thousands commas either, as the coordinates are shown as a comma-separated pair); a huge one compactly
    (1e+300), one that is no finite number as JSON writes it (NaN, Infinity, -Infinity: QA 26)."""
    v = float(value)
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if abs(v) >= COMPACT_ABOVE:
        return f"{v:.6g}"
    if abs(v) >= 1000:
        return f"{v:.0f}"
    return f"{v:.6f}".rstrip("0").rstrip(".")


#: The fix for x/y in metres read as lon/lat, for both faces (the Data page's field and the command's option).
PROJECTED_FIX_EN = ("Give the file's coordinate system: the Projected CRS field on the Data page, or --crs on the "
                    "command line (Shiyan's CGCS2000 3-degree zone is EPSG:4546, web-map metres EPSG:3857); or "
                    "convert the coordinates to longitude/latitude")
PROJECTED_FIX_ZH = ("请给出文件的坐标系：在“数据管理”页面的“投影坐标系”一栏填写，或在命令行使用 --crs（十堰所在的 CGCS2000 "
                    "3度带为 EPSG:4546，网络地图米制坐标为 EPSG:3857）；或将坐标换算为经纬度")


def join_list(items, lang: str = "zh", most: int = 10) -> str:
    """Row numbers, codes or ids for a message: "4、5" / "4, 5", the first ``most`` and "…"."""
    items = list(items)
    return listed(items[:most], lang, total=len(items))


def _rows(mask: np.ndarray) -> list[int]:
    """1-based file line numbers (header is line 1) of the flagged rows."""
    return (np.flatnonzero(mask) + 2).tolist()


def read_points_csv(path: str | Path, *, region: str | tuple | None = None, cli_hint: bool = True,
                    row_issues: list | None = None, header: str = "id,lon,lat"):
    """Read an ``id,lon,lat`` CSV (WGS84) as a GeoDataFrame of points.

    Parameters
    ----------
    path : path
        CSV file, UTF-8 (with or without BOM) or GBK. Column names are matched
        case-insensitively; ``经度``/``纬度``/``lng``/``longitude``... are accepted.
    region : str or (minx, miny, maxx, maxy), optional
        Also require every point to lie in this region's bounding box
        (``"shiyan"``) or in the given box. Points outside China are always
        refused.
    cli_hint : bool
        Suggest ``--region none`` for points outside the region (the travel
        command's flag; other callers pass False).
    row_issues : list, optional
        Take single rows' problems here instead of raising (see :func:`points_from_table`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id`` (str), ``lon``, ``lat`` and ``geometry`` (EPSG:4326),
        in file order; other columns are kept. ``attrs["encoding"]`` records
        the encoding used.

    Raises
    ------
    InputDataError
        Missing file, empty table, missing columns, non-numeric or missing
        coordinates, duplicate ids, swapped lat/lon, points outside China or
        the region. ``details`` lists the offending line numbers / ids.
    """
    import io

    path = Path(path)
    label = path.name
    check_file(path)
    text, enc = read_text(path)
    if not text.strip():
        raise InputDataError(f"{label} is empty.", f"{label} 是空文件。",
                             hint_en=f"It needs a header `{header}` and one row per point.",
                             hint_zh=f"文件需要表头 `{header}`，每行一个点。",
                             details={"path": str(path)})
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True,
                         keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputDataError(f"{label}: not a readable CSV table ({exc}).",
                             f"{label}：无法解析为CSV表格（{exc}）。",
                             hint_en=f"Use comma-separated columns {header}.",
                             hint_zh=f"请使用逗号分隔的 {header} 三列。") from exc
    gdf = points_from_table(df, label=label, region=region, path=path, cli_hint=cli_hint, row_issues=row_issues,
                            header=header)
    gdf.attrs["encoding"] = enc
    return gdf


def clearly_swapped(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points whose longitude and latitude are clearly the other way round: a latitude beyond ±90 whose
    longitude would be one, or China's latitudes (3-54) given as longitudes and its longitudes (73-136) as
    latitudes. The rule a facility register swaps them back by (planner.register), for every point file."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    with np.errstate(invalid="ignore"):
        return (((np.abs(lat) > 90) & (np.abs(lon) <= 90))
                | ((lat >= 73) & (lat <= 136) & (lon >= 3) & (lon <= 54)))


#: What a point read swapped back is told (a register's words, planner.i18n reg_swapped and the fixes).
SWAPPED_READ = ("经纬度似乎写反了（经度 {lon}，纬度 {lat}），已交换后读取",
                "longitude and latitude look swapped (lon {lon}, lat {lat}); read the other way round")
SWAPPED_KEPT = ("经纬度似乎写反了（经度 {lon}，纬度 {lat}）：此处不自动改正，请在文件中改正",
                "longitude and latitude look swapped (lon {lon}, lat {lat}): not corrected here; correct the file")
SWAPPED_FIX = {"columns": ("请在原表中交换经度、纬度两列", "Swap the lon and lat columns in the file"),
               "row": ("请在原表中交换本行的经度、纬度两个值（其他行无误）",
                       "Swap this row's longitude and latitude in the file (the other rows are right)"),
               "layer": ("请在原图层中改正该点：经度在前、纬度在后",
                         "Correct the point in the layer: longitude first, latitude second")}


def read_swapped_back(lon: np.ndarray, lat: np.ndarray, usable: np.ndarray, row_issues: list, column,
                      layer: bool = False) -> np.ndarray:
    """Swap back (in place) the points of ``usable`` that are clearly swapped (:func:`clearly_swapped`), with a
    warning in ``row_issues`` for each, as a register's report words it (``index``: the 0-based row, ``kind``
    "swapped", ``severity`` "warning", ``fixed`` True, ``unfixed_en/zh``: the message where that correction is
    not made; ``column``: the file's longitude column, None for a layer's points). The fix: swap the two
    columns when every usable row is swapped, else this row's two values; a layer's point (``layer``) is
    corrected in the layer. Returns the rows swapped back.

    A village file refused such rows where a facility register read them the other way round (QA 31); both
    now follow the register's rule. Done before a datum or CRS is applied, as a register's are."""
    swapped = np.asarray(usable, bool) & clearly_swapped(lon, lat)
    if not swapped.any():
        return swapped
    fix = SWAPPED_FIX["layer" if layer else "columns" if swapped.sum() == np.asarray(usable, bool).sum() else "row"]
    for i in np.flatnonzero(swapped):
        x, y = plain_number(lon[i]), plain_number(lat[i])
        row_issues.append({"index": int(i), "kind": "swapped", "severity": "warning", "fixed": True,
                           "message_zh": SWAPPED_READ[0].format(lon=x, lat=y),
                           "message_en": SWAPPED_READ[1].format(lon=x, lat=y),
                           "unfixed_zh": SWAPPED_KEPT[0].format(lon=x, lat=y),
                           "unfixed_en": SWAPPED_KEPT[1].format(lon=x, lat=y),
                           "fix_zh": fix[0], "fix_en": fix[1], "value": f"{x}, {y}", "column": column})
    lon[swapped], lat[swapped] = lat[swapped], lon[swapped]
    return swapped


def points_from_table(df: pd.DataFrame, *, label: str, region: str | tuple | None = None,
                      path: str | Path | None = None, cli_hint: bool = False,
                      row_issues: list | None = None, header: str = "id,lon,lat", rows=None,
                      columns: dict | None = None):
    """Check an ``id,lon,lat`` table already read as strings and return it as points.

    The checks and the result of :func:`read_points_csv`, for tables that come
    from elsewhere (an Excel sheet); ``label`` names the source in messages
    and ``path`` (default: ``label``) goes into the error details. ``cli_hint``: a point
    outside the region suggests the travel command's ``--region none`` (only it has the flag).

    ``row_issues``: a list to take the problems of single rows (missing or swapped
    coordinates, an empty id, a point outside China or the region) instead of
    raising them, one dict a row (``index``: 0-based data row, ``kind``,
    ``message_en/zh``, ``fix_en/zh``, and ``column``/``value``: the column as the
    file heads it and the offending cell, or "lon, lat", as a register's report gives
    them); those rows stay in the result, for the caller to refuse. Repeated ids are
    then left to the caller too.

    ``header``: the header the messages ask for, its first name standing for the id column (a village
    file's is ``code,lon,lat``: it was told to write id,lon,lat, which its README does not say).

    ``rows``: each row's line in the file (default: the header is line 1 and the rows follow it).

    ``columns``: the column of ``df`` that is each of ``id``, ``lon``, ``lat`` where the caller chose it
    (a village file's 村代码 beside a 名称: the names below are looked up for the others).
    """
    import geopandas as gpd

    lines = np.asarray(list(rows) if rows is not None else np.arange(len(df)) + 2, dtype=int)

    def _rows(mask: np.ndarray) -> list[int]:  # the flagged rows' lines in the file
        return lines[np.asarray(mask, bool)].tolist()

    df.columns = [str(c).strip() for c in df.columns]
    found = {k: str(c).strip() for k, c in (columns or {}).items() if c is not None and str(c).strip() in df.columns}
    lower = {c.lower(): c for c in df.columns}
    for key, names in ALIASES.items():
        if key in found:
            continue
        for n in names:
            if n in lower:
                found[key] = lower[n]
                break
    missing = [k for k in ALIASES if k not in found]
    if missing and not found:
        from geo.tables import NO_HEADER_EN, NO_HEADER_ZH, header_looks_like_data  # geo.tables imports this module
        if header_looks_like_data(df.columns):
            cols = list(df.columns)[:6]
            raise InputDataError(f"{label}: {NO_HEADER_EN.format(cells=', '.join(cols))}",
                                 f"{label}：{NO_HEADER_ZH.format(cells='、'.join(cols))}",
                                 hint_en=f"The header of a point file is {header}.", hint_zh=f"点文件的表头为 {header}。",
                                 details={"columns": list(df.columns)})
    if missing:
        id_name = header.split(",")[0]
        missing = [id_name if m == "id" else m for m in missing]
        raise InputDataError(
            f"{label}: missing column(s) {', '.join(missing)} (found: {', '.join(df.columns)}).",
            f"{label}：缺少列 {'、'.join(missing)}（现有列：{'、'.join(df.columns)}）。",
            hint_en=f"The header must be {header} (WGS84 longitude and latitude).",
            hint_zh=f"表头应为 {header}（WGS84经度、纬度）。",
            details={"missing": missing, "columns": list(df.columns)})
    if len(df) == 0:
        raise InputDataError(f"{label} has a header but no rows.", f"{label} 只有表头，没有数据行。",
                             hint_en="Add one row per point.", hint_zh="请每行填写一个点。",
                             details={"path": str(path or label)})
    ids = df[found["id"]].astype(str).str.strip()
    lon = pd.to_numeric(df[found["lon"]].str.strip(), errors="coerce").to_numpy(float)
    lat = pd.to_numeric(df[found["lat"]].str.strip(), errors="coerce").to_numpy(float)
    id_col = found["id"]  # named as the file has it (a village file's "code", not "id")
    # every problem of the file at once: fixing one only to meet the next was a round trip each (QA 14)
    problems: list[tuple[str, str, str, str, dict]] = []
    lenient = row_issues is not None
    flagged = np.zeros(len(df), bool)

    def pair(i: int) -> str:  # a row's point as a register's report gives it
        return f"{plain_number(lon[i])}, {plain_number(lat[i])}"

    def per_row(mask: np.ndarray, kind: str, en, zh, fix_en: str, fix_zh: str, value=pair,
                column=lambda i: found["lon"]) -> None:
        # one issue a row, said for that row alone (en/zh/value/column take the 0-based row index)
        for i in np.flatnonzero(mask & ~flagged):
            row_issues.append({"index": int(i), "kind": kind, "message_en": en(i), "message_zh": zh(i),
                               "fix_en": fix_en, "fix_zh": fix_zh, "value": value(i), "column": column(i)})
        flagged[mask] = True

    bad = ~(np.isfinite(lon) & np.isfinite(lat))
    # inf, nan, 1e999 are numbers, but no place: "non-numeric" misled (QA 22), they are said as not finite
    infinite = bad & (_not_finite(df[found["lon"]]) | _not_finite(df[found["lat"]]))
    if bad.any() and lenient:
        given = [(str(df[found["lon"]].iat[i]).strip()[:20], str(df[found["lat"]].iat[i]).strip()[:20])
                 if b else None for i, b in enumerate(bad)]
        # the cell that is no number, by its column and as written (a register's report names it so): the
        # longitude's when both are none
        which = ["lon" if not np.isfinite(lon[i]) else "lat" for i in range(len(df))]
        per_row(bad, "bad_coordinates",
                lambda i: "missing lon/lat" if given[i] == ("", "") else
                f"lon/lat not a finite number: {given[i][0] or '(empty)'}, {given[i][1] or '(empty)'}"
                if infinite[i] else f"non-numeric lon/lat: {given[i][0] or '(empty)'}, {given[i][1] or '(empty)'}",
                lambda i: "经纬度缺失" if given[i] == ("", "") else
                f"经纬度不是有限的数值：{given[i][0] or '（空）'}，{given[i][1] or '（空）'}"
                if infinite[i] else f"经纬度不是数字：{given[i][0] or '（空）'}，{given[i][1] or '（空）'}",
                "Use decimal degrees, e.g. 110.78,32.63", "请使用十进制度数，如 110.78,32.63",
                value=lambda i: str(df[found[which[i]]].iat[i]).strip(), column=lambda i: found[which[i]])
    elif bad.any():
        fix = ("Use decimal degrees, e.g. 110.78,32.63.", "请使用十进制度数，如 110.78,32.63。")
        if (bad & ~infinite).any():
            rows = _rows(bad & ~infinite)
            problems.append((f"missing or non-numeric lon/lat on line(s) {join_list(rows, 'en')}.",
                             f"第 {join_list(rows)} 行的经纬度缺失或不是数字。", *fix, {"lines": rows}))
            fix = ("", "")  # said once
        if infinite.any():
            rows = _rows(infinite)
            i = int(np.flatnonzero(infinite)[0])
            first = next(str(df[c].iat[i]).strip()[:20] for c in (found["lon"], found["lat"])
                         if _not_finite(df[c].iloc[[i]])[0])
            eg = ("", "") if len(rows) == 1 else ("e.g. ", "如 ")
            problems.append((f"lon/lat not a finite number on line(s) {join_list(rows, 'en')} ({eg[0]}{first}).",
                             f"第 {join_list(rows)} 行的经纬度不是有限的数值（{eg[1]}{first}）。", *fix, {"lines": rows}))
    empty_id = (ids == "").to_numpy()
    if empty_id.any() and lenient:
        per_row(empty_id, "empty_code", lambda i: f"empty {id_col}", lambda i: f"{id_col} 为空",
                f"Give every point its {id_col}", f"请为每个点填写 {id_col}", value=lambda i: "",
                column=lambda i: id_col)
    elif empty_id.any():
        rows = _rows(empty_id)
        problems.append((f"empty {id_col} on line(s) {join_list(rows, 'en')}.",
                         f"第 {join_list(rows)} 行的 {id_col} 为空。",
                         f"Give every point its {id_col}.", f"请为每个点填写 {id_col}。", {"lines": rows}))
    dup = (ids.duplicated(keep=False) & (ids != "")).to_numpy()
    if dup.any() and not lenient:
        dups = sorted(set(ids[dup]))
        problems.append((f"duplicate {id_col}(s) {join_list(dups, 'en')} (line(s) {join_list(_rows(dup), 'en')}).",
                         f"{id_col} 重复：{join_list(dups)}（第 {join_list(_rows(dup))} 行）。",
                         f"Each {id_col} once.", f"{id_col} 不能重复。", {"ids": dups, "lines": _rows(dup)}))
    with np.errstate(invalid="ignore"):
        # beyond ±180 is no degree at all: metres of a projected CRS (x 480155, y 3606460 read as lon/lat was
        # called "swapped" and the planner told to swap the columns, QA 20); said as a register's are
        projected = ~bad & ((np.abs(lon) > 180) | (np.abs(lat) > 180))
    if projected.any() and lenient and projected.sum() < (~bad).sum():
        per_row(projected, "projected",
                lambda i: f"coordinates ({plain_number(lon[i])}, {plain_number(lat[i])}) look projected (metres), "
                          "not degrees",
                lambda i: f"坐标（{plain_number(lon[i])}, {plain_number(lat[i])}）像是投影坐标（米），不是经纬度",
                PROJECTED_FIX_EN, PROJECTED_FIX_ZH)
    elif projected.any():
        rows = _rows(projected)
        x, y = plain_number(lon[projected][0]), plain_number(lat[projected][0])
        problems.append((f"the coordinates on line(s) {join_list(rows, 'en')} look projected (metres), not longitude "
                         f"and latitude in degrees (e.g. {x}, {y}).",
                         f"第 {join_list(rows)} 行的坐标像是投影坐标（米），不是以度为单位的经纬度（如 {x}, {y}）。",
                         PROJECTED_FIX_EN + ".", PROJECTED_FIX_ZH + "。", {"lines": rows}))
    bad = bad | projected
    with np.errstate(invalid="ignore"):
        swapped = ~bad & ((np.abs(lat) > 90) | ((lon >= 20) & (lon <= 55) & (lat >= 100) & (lat <= 125)))
    # every row swapped, or every row outside the region, is the file's matter: said once, as without
    # row_issues (swap the two columns; another region's or an online map's file)
    if swapped.any() and lenient and swapped.sum() < (~bad).sum():
        per_row(swapped, "swapped",
                lambda i: f"longitude and latitude look swapped (lon={plain_number(lon[i])}, lat={plain_number(lat[i])})",
                lambda i: f"经纬度似乎写反了（经度={plain_number(lon[i])}，纬度={plain_number(lat[i])}）",
                "Swap this row's two values (Shiyan is about lon 110.8, lat 32.6)",
                "请交换本行的经度、纬度两个值（十堰约为经度110.8、纬度32.6）")
    elif swapped.any():
        rows = _rows(swapped)
        x, y = plain_number(lon[swapped][0]), plain_number(lat[swapped][0])
        problems.append((f"longitude and latitude look swapped on line(s) {join_list(rows, 'en')} "
                         f"(e.g. lon={x}, lat={y}).",
                         f"第 {join_list(rows)} 行的经纬度似乎写反了（如 经度={x}，纬度={y}）。",
                         *(("Swap the lon and lat columns (Shiyan is about lon 110.8, lat 32.6).",
                            "请交换经度、纬度两列（十堰约为经度110.8、纬度32.6）。") if swapped.sum() == (~bad).sum() else
                           ("Swap the two values on those lines; the other lines are right (Shiyan is about "
                            "lon 110.8, lat 32.6).",
                            "请交换这些行的经度、纬度两个值，其他行无误（十堰约为经度110.8、纬度32.6）。")),
                         {"lines": rows}))
    minx, miny, maxx, maxy = CHINA_BBOX
    with np.errstate(invalid="ignore"):
        outside = ~bad & ~swapped & ((lon < minx) | (lon > maxx) | (lat < miny) | (lat > maxy))
    if outside.any() and lenient:
        per_row(outside, "outside_china",
                lambda i: f"point outside China (lon={plain_number(lon[i])}, lat={plain_number(lat[i])})",
                lambda i: f"点位于中国境外（经度={plain_number(lon[i])}，纬度={plain_number(lat[i])}）",
                "Coordinates must be WGS84 decimal degrees (lon, lat)", "坐标须为WGS84十进制经纬度（先经度后纬度）")
    elif outside.any():
        rows = _rows(outside)
        problems.append((f"{outside.sum()} point(s) outside China (line(s) {join_list(rows, 'en')}).",
                         f"有 {outside.sum()} 个点位于中国境外（第 {join_list(rows)} 行）。",
                         "Coordinates must be WGS84 decimal degrees (lon, lat).",
                         "坐标须为WGS84十进制经纬度（先经度后纬度）。", {"lines": rows, "ids": ids[outside].tolist()}))
    if region is not None:
        box = REGION_BBOXES.get(str(region).lower()) if isinstance(region, str) else tuple(region)
        if box is None:
            from geo.errors import UnknownRegionError
            raise UnknownRegionError(f"Unknown region: {region}.", f"未知地区：{region}。",
                                     hint_en=f"Known: {', '.join(REGION_BBOXES)}.",
                                     hint_zh=f"可用地区：{'、'.join(REGION_BBOXES)}。")
        minx, miny, maxx, maxy = box
        with np.errstate(invalid="ignore"):
            out = ~bad & ~swapped & ~outside & ((lon < minx) | (lon > maxx) | (lat < miny) | (lat > maxy))
        name_zh, name_en = REGION_NAMES.get(str(region).lower(), ("所给范围", "the given area")) \
            if isinstance(region, str) else ("所给范围", "the given area")
        if out.any() and lenient and out.sum() < (~bad & ~swapped & ~outside).sum():
            per_row(out, "outside_region",
                    lambda i: f"point outside the region {name_en} (lon={plain_number(lon[i])}, lat={plain_number(lat[i])})",
                    lambda i: f"点不在{name_zh}范围内（经度={plain_number(lon[i])}，纬度={plain_number(lat[i])}）",
                    # a datum's offset is under 1.5 km: a point far off is mistyped, swapped or another region's
                    # (QA 30: the hint named only GCJ-02 for a point 880 km away)
                    "Check the coordinates: digits typed wrong, longitude and latitude swapped, or a row of another "
                    "region (GCJ-02/BD-09 coordinates from online maps, off by under 1.5 km, must be converted to WGS84)",
                    "请核对坐标：数字是否写错、经纬度是否填反、是否为其他地区的数据（来自网络地图的GCJ-02/BD-09坐标偏差"
                    "不到1.5公里，需转换为WGS84）")
        elif out.any():
            rows, bad_ids = _rows(out), ids[out].tolist()
            # the --region flag is the travel command's own; other callers (the web page, region
            # import) have none, so they get only the neutral advice
            problems.append((
                f"{out.sum()} point(s) outside the region {name_en} "
                f"(line(s) {join_list(rows, 'en')}; {id_col} {join_list(bad_ids, 'en')}).",
                f"有 {out.sum()} 个点不在{name_zh}范围内（第 {join_list(rows)} 行；{id_col} {join_list(bad_ids)}）。",
                "Check those coordinates (digits typed wrong, longitude and latitude swapped), or whether the file "
                "belongs to this region (GCJ-02/BD-09 coordinates from online maps, off by under 1.5 km, must be "
                "converted to WGS84)" + (", or pass --region none." if cli_hint else "."),
                "请核对这些坐标（数字是否写错、经纬度是否填反），或确认文件是否属于本地区（来自网络地图的GCJ-02/BD-09坐标"
                "偏差不到1.5公里，需转换为WGS84）"
                + ("，或使用 --region none 跳过范围检查。" if cli_hint else "。"),
                {"lines": rows, "ids": bad_ids}))
    if problems:
        details = dict(problems[0][4])
        if len(problems) > 1:
            details["problems"] = [p[4] for p in problems]
        said = [p[0] if i == 0 else p[0][:1].upper() + p[0][1:] for i, p in enumerate(problems)]
        raise InputDataError(f"{label}: " + " ".join(said),
                             f"{label}：" + "".join(p[1] for p in problems),
                             hint_en=" ".join(p[2] for p in problems if p[2]), hint_zh="".join(p[3] for p in problems),
                             details=details)

    out_df = df.drop(columns=[found["id"], found["lon"], found["lat"]])
    out_df.insert(0, "id", ids.to_numpy())
    out_df.insert(1, "lon", lon)
    out_df.insert(2, "lat", lat)
    gdf = gpd.GeoDataFrame(out_df, geometry=gpd.points_from_xy(lon, lat),
                           crs=settings.STORAGE_CRS)
    return gdf
