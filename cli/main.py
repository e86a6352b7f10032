"""Entry point of the `coverplan` command.

Each command group lives in its own module that exposes ``register(subparsers)``
and imports what its commands need when they run, so ``coverplan --help`` stays fast.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
import warnings

from cli import analysis, backup, data, region, serve, solve, travel, users
from cli import capacity as capacity_command
from cli import map as map_command
from cli.lang import (ChineseHelpFormatter, default_lang, error_line, h, help_lang, known, lang, lang_option,
                      unknown_default_note)
from cli.options import NEGATIVE_NUMBER, given_int
from cli.output import out_error, out_input_error, print_json
from geo import settings
from geo.errors import CoverplanError

#: Command-group modules, in the order shown by --help.
GROUPS = [region, data, travel, solve, analysis, capacity_command, map_command, serve, users, backup]

#: The kinds of file each table command's --out may name, checked with the options, before any work.
TABLE_OUT = {**dict.fromkeys(("coverage", "check-townships", "capacity", "access", "beds", "targets"),
                             (".csv", ".xlsx")),
             **dict.fromkeys(("propose", "upgrade"), (".geojson", ".json", ".csv", ".xlsx"))}


#: argparse's usual errors (Python's wording) and their Chinese: a planner running the Chinese CLI
#: reads what is wrong without English. Anything not listed stays as argparse words it.
_TYPE_WORDS = {"int": "整数", "float": "数字"}
_ZH_ERRORS = [
    (re.compile(r"argument (?P<arg>.+?): invalid (?P<type>\w+) value: (?P<value>.*)$", re.S),
     lambda m: f"参数 {m['arg']} 的值 {_quoted(m['value'])} 不是有效的{_TYPE_WORDS.get(m['type'], m['type'])}，"
               f"请给出一个{_TYPE_WORDS.get(m['type'], m['type'])}"),
    (re.compile(r"argument (?P<arg>.+?): invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)$", re.S),
     lambda m: f"参数 {_arg(m['arg'])} 的值 {_quoted(m['value'])} 不是可选值，请从以下选择：{_choices(m['choices'])}"),
    (re.compile(r"the following arguments are required: (?P<args>.*)$", re.S),
     lambda m: f"缺少必需的参数：{_arg(m['args']).replace(', ', '、')}"),
    (re.compile(r"unrecognized arguments: (?P<args>.*)$", re.S),
     lambda m: f"无法识别的参数：{m['args']}（用 -h 查看可用参数）"),
    (re.compile(r"argument (?P<arg>.+?): expected one argument$", re.S),
     lambda m: f"参数 {m['arg']} 后面需要一个值"),
    (re.compile(r"argument (?P<arg>.+?): not allowed with argument (?P<other>.+)$", re.S),
     lambda m: f"参数 {m['arg']} 不能与参数 {m['other']} 同时使用"),
    (re.compile(r"one of the arguments (?P<args>.+) is required$", re.S),
     lambda m: f"以下参数须给出其一：{m['args']}"),
    (re.compile(r"ambiguous option: (?P<opt>\S+) could match (?P<matches>.*)$", re.S),
     lambda m: f"选项 {m['opt']} 有歧义，可能是：{m['matches'].replace(', ', '、')}"),
]


def _arg(name: str) -> str:
    """A subcommand argument is named by its dest ("region_command"): say 子命令 instead."""
    return re.sub(r"\b\w*command\b", "子命令", name)


def _quoted(value: str) -> str:
    """argparse shows a value as a Python repr ('abc'): show it as “abc”."""
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        v = v[1:-1]
    return f"“{v}”"


def _choices(text: str) -> str:
    return "、".join(_quoted(c)[1:-1] for c in re.split(r",\s*", text))


def _argv_json(argv: list[str]) -> bool:
    """--json on the command line, read before parsing: a usage error is then told as a JSON object too.
    argparse takes an unambiguous prefix of an option (--js), and nothing after ``--`` is an option."""
    for a in argv:
        if a == "--":
            return False
        if a == "--json" or (len(a) > 3 and "--json".startswith(a)):
            return True
    return False


def _given_lang(argv: list[str]) -> str | None:
    """--lang as given on the command line (EN, en_US: cli.lang.known), None without a usable one."""
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(argv) and known(argv[i + 1]):
            return known(argv[i + 1])
        if a.startswith("--lang=") and known(a[7:]):
            return known(a[7:])
    return None


def _argv_lang(argv: list[str]) -> str:
    """--lang as given on the command line, read before parsing: the parser is built in it, so its help
    and usage errors speak it (argparse has not read --lang yet when it prints them); else the default
    (COVERPLAN_LANG when it names zh or en, else zh: cli.lang.default_lang)."""
    return _given_lang(argv) or default_lang()


class _Subcommands(argparse._SubParsersAction):
    """Subcommands whose unknown options are told by the subcommand itself. argparse parses a subcommand
    with parse_known_args and hands what it did not know back to the top-level parser, whose error then
    shows `coverplan`'s usage, not the usage of the command the option was given to."""

    def add_parser(self, name, **kwargs):
        # a subcommand's --help starts with the line its parent lists it with
        if "help" in kwargs:
            kwargs.setdefault("description", kwargs["help"])
        parser = super().add_parser(name, **kwargs)
        # `coverplan coverage ... --lang en`: at the end, where planners put it, as well as first (the
        # parser is built in the language wherever it stands, _argv_lang); unset here, the first one holds
        parser.add_argument("--lang", type=lang_option, choices=["zh", "en"], default=argparse.SUPPRESS,
                            help=h("提示信息的语言（也可写在命令最前）", "message language (may also come first)"))
        return parser

    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        unknown = vars(namespace).pop(argparse._UNRECOGNIZED_ARGS_ATTR, None)
        if unknown:
            self._name_parser_map[values[0]].error("unrecognized arguments: " + " ".join(unknown))


#: Whether the parser being built tells its usage errors as JSON (main(): --json among the arguments).
_JSON_ERRORS: list[bool] = [False]


class UsageError(CoverplanError):
    """A command line argparse cannot read (an unknown option, a value not among the choices, a number
    that is not one), told as every other error is with --json: ``error``, ``code`` "usage",
    ``message`` (in --lang), ``message_en``, ``message_zh``, ``hint``, ``details``."""

    def to_dict(self, lang: str = "zh") -> dict:
        return {"error": "UsageError", "code": "usage", "message": self.message(lang),
                "message_en": self.message("en"), "message_zh": self.message("zh"),
                "hint": self.hint_en if lang == "en" else self.hint_zh, "details": self.details}


def _zh_message(message: str) -> str:
    """argparse's English message in Chinese (as _ZH_ERRORS words it; any other stays as argparse words it)."""
    for pattern, words in _ZH_ERRORS:
        if m := pattern.match(message):
            return words(m)
    return message


_ARG = re.compile(r"argument (?P<arg>.+?): ")
_INVALID_TYPE = re.compile(r"argument (?P<arg>.+?): invalid (?P<type>\w+) value: (?P<value>.*)$", re.S)
_INVALID_CHOICE = re.compile(r"argument (?P<arg>.+?): invalid choice: (?P<value>.*?) \(choose from .*\)$", re.S)


_EN_TYPE_WORDS = {"int": "a whole number", "float": "a number"}


def _en_message(message: str) -> str:
    """argparse's "invalid int value: '2.5'" in a planner's words ("'2.5' is not a whole number")."""
    if (m := _INVALID_TYPE.match(message)) and m["type"] in _EN_TYPE_WORDS:
        what = _EN_TYPE_WORDS[m["type"]]
        return f"argument {m['arg']}: '{_unquote(m['value'])}' is not {what}; give {what}."
    return message


def _unquote(value: str) -> str:
    v = value.strip()
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"" else v


class Parser(argparse.ArgumentParser):
    """argparse with its help and usage errors in Chinese when the CLI speaks Chinese (subcommands inherit
    it): the language is the one the parser is built in (cli.lang.help_lang), kept by each parser."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        self._lang = lang()
        self._json_errors = _JSON_ERRORS[0]
        if self._lang == "zh":
            kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        # -inf, -1e999, -1e5 are values too, as -1 and -0.5 are to argparse: `--standard -inf` was told
        # "--standard needs a value" though one was given (the option's own check then says what is wrong)
        self._negative_number_matcher = NEGATIVE_NUMBER
        self.register("action", "parsers", _Subcommands)
        # type=int read "1_0" as 10 and "٥" as 5: every int option is read as typed, by one rule (QA 22)
        self.register("type", int, given_int)
        if self._lang == "zh":  # argparse's own headings (its -h line is ours, below)
            self._positionals.title = "位置参数"
            self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help",
                              help=h("显示此帮助信息并退出", "show this help message and exit"))

    def parse_known_args(self, args=None, namespace=None):
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def _unknown_options(self) -> list[str]:
        """Options before the subcommand that this parser does not know (`coverplan --bogus`)."""
        unknown, argv = [], getattr(self, "_argv", [])
        i = 0
        while i < len(argv) and argv[i].startswith("-"):
            a = argv[i]
            action = self._option_string_actions.get(a.split("=", 1)[0])
            if action is None:
                unknown.append(a)
            elif "=" not in a and action.nargs is None:
                i += 1  # the option's value (--lang zh)
            i += 1
        return unknown

    def _action_named(self, name: str):
        """The argument an argparse message names ("--status", "-p/--p", a positional's metavar or dest)."""
        for part in name.split("/"):
            if part in self._option_string_actions:
                return self._option_string_actions[part]
        for action in self._actions:
            if name in (action.dest, action.metavar):
                return action
        return None

    def _usage_error(self, message: str) -> UsageError:
        """The usage error as a bilingual CoverplanError: the option, its value and the allowed values
        where argparse knows them, in ``details``."""
        details: dict = {"command": self.prog}
        if m := _ARG.match(message):
            arg = m["arg"]
            action = self._action_named(arg)
            details["option"] = arg.split("/")[-1] if action is None or action.option_strings else \
                ("subcommand" if arg.endswith("command") else arg)
            if m2 := _INVALID_CHOICE.match(message) or _INVALID_TYPE.match(message):
                details["value"] = _unquote(m2["value"])
            if m2 := _INVALID_TYPE.match(message):
                details["expected"] = m2["type"]
            if action is not None and action.choices is not None:
                details["choices"] = [str(c) for c in action.choices]
        elif message.startswith("the following arguments are required: "):
            details["required"] = [re.sub(r"\b\w*command\b", "subcommand", a)
                                   for a in message.split(": ", 1)[1].split(", ")]
        elif message.startswith("unrecognized arguments: "):
            details["unrecognized"] = message.split(": ", 1)[1].split(" ")
        usage = re.sub(r"^(usage:|用法：)\s*", "", self.format_usage().strip())
        details["usage"] = " ".join(usage.split())
        helpline = f"{self.prog} -h"
        zh = _zh_message(message).replace("（用 -h 查看可用参数）", "")  # the hint below says it, once
        en = _en_message(message).rstrip()
        en += "" if en.endswith(".") else "."  # the hint follows as its own sentence (QA 27: "…'network') Run …")
        return UsageError(en, zh,
                          hint_en=f"Run `{helpline}` to see the options.", hint_zh=f"（用 `{helpline}` 查看可用参数）",
                          details=details)

    def error(self, message: str):
        # `coverplan --bogus`: argparse stops at the missing subcommand and never names --bogus
        if message.startswith("the following arguments are required") and (unknown := self._unknown_options()):
            message = "unrecognized arguments: " + " ".join(unknown)
        if self._json_errors:  # --json on the command line: the error as the JSON object every error is
            print_json(self._usage_error(message).to_dict(self._lang))
            self.exit(2)
        if self._lang != "zh":
            return super().error(_en_message(message))
        self.exit(2, f"{self.format_usage()}{self.prog}：错误：{_zh_message(message)}\n")  # format_usage: 用法：...


def build_parser(language: str | None = None, *, json_errors: bool = False) -> argparse.ArgumentParser:
    """The `coverplan` parser with its help and usage errors in ``language`` (default cli.lang.default_lang);
    ``json_errors``: usage errors printed as a JSON error object on stdout (--json given), exit code 2."""
    _JSON_ERRORS[0] = json_errors
    try:
        return _build_parser(language)
    finally:
        _JSON_ERRORS[0] = False


def _build_parser(language: str | None) -> argparse.ArgumentParser:
    language = known(language) or default_lang()
    with help_lang(language):
        parser = Parser(prog="coverplan", description=h("十堰市民政设施覆盖规划", "facility coverage planner for Shiyan"))
        # the default is the language the parser is built in: argparse's words and coverplan's agree (an unknown
        # COVERPLAN_LANG gave the one in English and the other in Chinese: QA 21)
        parser.add_argument("--lang", type=lang_option, choices=["zh", "en"], default=language,
                            help=h("提示信息的语言（默认取 COVERPLAN_LANG，未设置则为 zh）",
                                   "message language (default from COVERPLAN_LANG, else zh)"))
        sub = parser.add_subparsers(dest="command", required=True)
        for group in GROUPS:
            group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if _given_lang(argv) is None and (note := unknown_default_note()):  # said once, before anything else
        print(note, file=sys.stderr)
    # the language is read from argv before the parser is built: help and usage errors speak it
    parser = build_parser(_argv_lang(argv), json_errors=_argv_json(argv))
    args = parser.parse_args(argv)
    try:
        # a COVERPLAN_* variable that cannot be used is said in a sentence before any work (junk in
        # COVERPLAN_ROUTER_PROCESSES was a traceback at import, one in COVERPLAN_COVER_ENGINE taken as auto: QA 22)
        settings.check_environment()
        if os.environ.get("COVERPLAN_COVER_ENGINE", "").strip():  # the solvers imported only when it is set
            from planner.models.coverage import cover_engine
            cover_engine()
        out = getattr(args, "out", None)
        # every command's --out is a file to write: a missing folder, a folder given as the file or no
        # permission is told in words before any work (and after it, should the write fail anyway)
        ext = {"map": ".html", "backup": ".zip", "od": ".npz", "network": ".graphml"}.get(args.command, ".csv")
        # no command makes a missing folder (backup made /nonexistent at the root: QA 21)
        if out is not None and (problem := out_error(out, ext=ext)):
            raise problem
        if out is not None and args.command in ("map", "backup", "od") and not str(out).lower().endswith(ext):
            # an HTML map in m.txt, a backup in b.txt, costs in od.txt.npz: the name says what the file is
            from geo.errors import InputDataError
            raise InputDataError(f"--out {out}: this command writes a {ext} file; give a name ending in {ext}.",
                                 f"--out {out}：本命令写出 {ext} 文件，请给出以 {ext} 结尾的文件名。",
                                 details={"parameter": "out", "value": str(out)})
        if out is not None and (kinds := TABLE_OUT.get(args.command)) and not str(out).lower().endswith(kinds):
            # a table in x.pdf was refused by the writer only once the data had loaded and the work was done
            from geo.errors import InputDataError
            named = [k for k in kinds if k != ".json"]  # a .json proposal is read too, but GeoJSON is its name
            en, zh = ", ".join(named[:-1]) + " or " + named[-1], "、".join(named[:-1]) + " 或 " + named[-1]
            raise InputDataError(f"--out must end in {en} (got {out}).", f"--out 须为 {zh} 文件（当前 {out}）。",
                                 details={"parameter": "out", "value": str(out)})
        # --out naming one of the command's own input files would replace it with the result (QA 33)
        if out is not None and (problem := out_input_error(args, ext)):
            raise problem
        try:
            with warnings.catch_warnings():
                if args.command != "serve":  # (a server's log keeps them)
                    # numpy's "overflow encountered in divide" and its kin: the planner handles inf and nan itself,
                    # and Python's warning, file and line are no sentence for a planner (propose --standard 1e-320
                    # printed one: QA 21)
                    warnings.filterwarnings("ignore", r"(overflow|divide by zero|invalid value|underflow) encountered",
                                            RuntimeWarning)
                return int(args.func(args) or 0)
        except OSError as exc:
            # a write that fails anyway (read-only disk, disk full, the folder made by the command refused):
            # the same words, if the failing path is the --out file or one of its folders
            failed = os.path.abspath(os.fspath(exc.filename)) if exc.filename is not None else None
            target = os.path.abspath(os.fspath(out)) if out is not None else None
            if failed is None or target is None or isinstance(exc, BrokenPipeError) or \
                    not (failed == target or target.startswith(failed.rstrip(os.sep) + os.sep)):
                raise
            raise (out_error(out, exc.errno, ext) or out_error(out, errno.EIO, ext)) from exc
    except BrokenPipeError:  # output piped into `head` and cut: not an error of ours
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl+C: said in a line, not a traceback
        zh, en = "已中断，未完成。", "interrupted: not finished."
        print(error_line(zh if args.lang == "zh" else en, args.lang), file=sys.stderr)
        if getattr(args, "json", False):  # and as the JSON error object a caller of --json reads
            print_json({"error": "Interrupted", "code": "interrupted", "message": zh if args.lang == "zh" else en,
                        "message_en": en, "message_zh": zh, "details": {}})
        return 130
    except CoverplanError as exc:
        if getattr(args, "json", False):
            print(json.dumps(exc.to_dict(args.lang), ensure_ascii=False, indent=2))
        else:
            print(error_line(exc.message(args.lang), args.lang), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
