"""The language of the CLI's help: ``h("中文", "English")`` gives the text in the language of this run.

main() builds the parser for the language given on the command line (``--lang``, else COVERPLAN_LANG,
else zh) inside :func:`help_lang`; the command modules' ``register(subparsers)`` write every help text
as ``h(zh, en)``, read while the parser is built. The language is set only for that build and put back
after it, so a run never leaves its language to the next one (tests call main() many times in one
process with different --lang).

argparse's own words (``usage:``, the ``positional arguments`` / ``options`` headings, the -h line)
are put in Chinese by :class:`ChineseHelpFormatter` and by cli.main.Parser, per parser, without
touching the argparse module.
"""
from __future__ import annotations

import argparse
import contextlib
import re

from geo import settings

#: The languages the CLI speaks.
LANGS = ("zh", "en")

#: The language help texts are read in (a list: one mutable cell; None = :func:`default_lang`).
_LANG: list[str | None] = [None]


def known(value) -> str | None:
    """``value`` as one of :data:`LANGS` when it names one, in any case and with a region or an encoding
    (EN, en_US.UTF-8, zh-CN, zh_TW), else None. COVERPLAN_LANG=EN or fr gave coverplan's own messages in
    Chinese (only "en" was English) and argparse's in English (anything but "zh" was): QA 21."""
    if value is None:
        return None
    head = re.split(r"[-_.@]", str(value).strip().lower(), maxsplit=1)[0]
    return head if head in LANGS else None


def default_lang() -> str:
    """The language of a run without --lang: COVERPLAN_LANG (geo.settings.LANG) when it names one of
    :data:`LANGS`, else zh, for everything (coverplan's messages, argparse's errors and help alike)."""
    return known(settings.LANG) or "zh"


def unknown_default_note() -> str | None:
    """The one line saying that COVERPLAN_LANG names no language the CLI speaks, or None when it does (or is
    unset). In both languages: whoever set it reads neither the value's language nor necessarily Chinese."""
    value = (settings.LANG or "").strip()
    if not value or known(value):
        return None
    return (f"coverplan：COVERPLAN_LANG={value} 不是可用的语言，按中文显示；可用 zh（中文）或 en（英文），"
            f"如 COVERPLAN_LANG=en。 / COVERPLAN_LANG={value} is not a language coverplan speaks: messages are in "
            "Chinese. Accepted: zh (Chinese) or en (English), e.g. COVERPLAN_LANG=en.")


def lang_option(text: str) -> str:
    """argparse's ``type`` of --lang: EN, en_US, zh-CN taken as en and zh; anything else as typed, which the
    option's choices then refuse in argparse's words."""
    return known(text) or text


lang_option.__name__ = "language"


def lang() -> str:
    """The language of the parser being built (:func:`default_lang` outside a build)."""
    return _LANG[0] or default_lang()


def h(zh: str, en: str) -> str:
    """The help text in the language of the parser being built."""
    return zh if lang() == "zh" else en


def error_line(message: str, language: str) -> str:
    """An error for stderr, labelled as argparse's own are (``coverplan：错误：…``):
    a full-width colon after the Chinese label, ``error: `` in English."""
    return f"{'error: ' if language == 'en' else '错误：'}{message}"


@contextlib.contextmanager
def help_lang(language: str):
    """Help texts read inside the block are in ``language``; the previous language is put back after."""
    before = _LANG[0]
    _LANG[0] = language
    try:
        yield
    finally:
        _LANG[0] = before


#: Full-width punctuation that must not begin a line.
_NO_LINE_START = set("，。、；：！？）】》」』”’")
_NARROW_CLOSE = set(")]},.;:!?")
_NO_LINE_END = set("（【《「『“‘([{")
#: A wide (CJK) character, or a run of narrow non-space characters, each with the spaces after it.
_TOKENS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]\s*|[^\s\u2e80-\u9fff\uf900-\ufaff"
                     r"\ufe30-\ufe4f\uff00-\uffef]+\s*")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns: a Chinese character takes two columns and
    a line may break between any two of them (argparse counts characters and breaks at spaces only).

    A Chinese closing mark (，）) may not begin a line: it stays on the line before, one column pair
    past ``width``.  A run of narrow characters that begins with a closing bracket (``][,capacity``)
    takes the line's last piece down with it, and no line ends with an opening bracket (（ [)."""
    from cli.output import columns

    lines, cur = [], []
    for token in _TOKENS.findall(" ".join(text.split())):
        if cur and columns("".join(cur) + token.rstrip()) > width and token[0] not in _NO_LINE_START:
            keep = len(cur) - (token[0] in _NARROW_CLOSE)
            while keep > 1 and (cur[keep - 1].rstrip()[-1:] in _NO_LINE_END
                                or (keep < len(cur) and cur[keep][0] in _NO_LINE_START | _NARROW_CLOSE)):
                keep -= 1
            keep = keep if keep >= 1 else len(cur)
            lines.append("".join(cur[:keep]).rstrip())
            cur = cur[keep:]
        cur.append(token)
    if "".join(cur).strip():
        lines.append("".join(cur).rstrip())
    return lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help with 用法： for ``usage:``, full-width colons after the headings and lines wrapped
    by terminal columns."""

    #: as the Chinese usage errors have always begun (cli.main.Parser.error)
    USAGE = "用法："

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._headings: set[str] = set()

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, self.USAGE if prefix is None else prefix)

    def _format_usage(self, usage, actions, groups, prefix):
        from cli.output import columns

        text = super()._format_usage(usage, actions, groups, prefix)
        # argparse indents the usage's further lines by the prefix's characters: 用法 takes two columns each
        extra = columns(prefix) - len(prefix) if prefix else 0
        return re.sub(r"\n(?= )", "\n" + " " * extra, text) if extra > 0 else text

    def start_section(self, heading):
        if heading:
            self._headings.add(heading)
        super().start_section(heading)

    def format_help(self):
        text = super().format_help()
        for heading in self._headings:  # "选项:" -> "选项："
            text = re.sub(rf"^( *{re.escape(heading)}):$", lambda m: m[1] + "：", text, flags=re.M)
        return text

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))
