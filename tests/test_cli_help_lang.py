"""`coverplan --help` in the CLI's language: Chinese for --lang zh (the default), English for --lang en,
argparse's own words (usage:, the headings, the -h line) included, and never stuck from an earlier run."""
import pytest

from cli.main import main
from geo import settings

#: (argv of the command, words of its description or help in Chinese, the same in English)
COMMANDS = [
    ([], "十堰市民政设施覆盖规划", "facility coverage planner for Shiyan"),
    (["solve"], "覆盖全部需求点所需站点最少", "fewest sites covering all"),
    (["propose"], "服务标准", "service standard in the type's unit"),
    (["data", "import"], "校验文件并导入为新的数据版本", "check a file and make it a new version"),
    (["region"], "区域数据", "region data"),
    (["capacity"], "每千名60岁以上老人", "per 1,000 aged 60+"),
]


def _help(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    assert e.value.code == 0
    return capsys.readouterr().out


def _assert_chinese(out: str, zh: str, en: str) -> None:
    assert out.startswith("用法：coverplan"), out
    assert zh in out and en not in out, out
    assert "选项：" in out and "显示此帮助信息并退出" in out, out
    assert "usage:" not in out and "options:" not in out and "positional arguments" not in out, out
    assert "show this help message" not in out, out


def _assert_english(out: str, zh: str, en: str) -> None:
    assert out.startswith("usage: coverplan"), out
    assert en in out and zh not in out, out
    assert "options:" in out and "show this help message and exit" in out, out
    assert "用法" not in out and "选项" not in out and "显示此帮助信息" not in out, out


@pytest.mark.parametrize("argv, zh, en", COMMANDS)
def test_help_in_chinese_with_lang_zh(capsys, argv, zh, en):
    _assert_chinese(_help(capsys, ["--lang", "zh", *argv]), zh, en)
    _assert_chinese(_help(capsys, ["--lang=zh", *argv]), zh, en)


@pytest.mark.parametrize("argv, zh, en", COMMANDS)
def test_help_in_english_with_lang_en(capsys, argv, zh, en):
    _assert_english(_help(capsys, ["--lang", "en", *argv]), zh, en)
    _assert_english(_help(capsys, ["--lang=en", *argv]), zh, en)


def test_help_in_the_default_language(capsys, monkeypatch):
    """Without --lang the help speaks COVERPLAN_LANG (geo.settings.LANG): zh unless set otherwise."""
    monkeypatch.setattr(settings, "LANG", "zh")
    _assert_chinese(_help(capsys, []), *COMMANDS[0][1:])
    _assert_chinese(_help(capsys, ["solve"]), *COMMANDS[1][1:])
    monkeypatch.setattr(settings, "LANG", "en")
    _assert_english(_help(capsys, []), *COMMANDS[0][1:])
    _assert_english(_help(capsys, ["solve"]), *COMMANDS[1][1:])


def test_the_language_is_per_run_never_stuck(capsys):
    """Calls in one process with different --lang: each speaks its own (tests call main() many times)."""
    solve, data = COMMANDS[1], COMMANDS[3]
    for lang in ("zh", "en", "zh", "en", "zh"):
        check = _assert_chinese if lang == "zh" else _assert_english
        check(_help(capsys, ["--lang", lang, *solve[0]]), *solve[1:])
        check(_help(capsys, ["--lang", lang, *data[0]]), *data[1:])


def test_positional_arguments_heading_and_subcommand_list(capsys):
    zh = _help(capsys, ["--lang", "zh", "data"])
    assert "位置参数：" in zh and "版本历史" in zh and "回退：新建一个与某一旧版本相同的版本" in zh, zh
    en = _help(capsys, ["--lang", "en", "data"])
    assert "positional arguments:" in en and "the history" in en and "版本历史" not in en, en


def test_argument_group_title_in_the_language(capsys):
    assert "规模与预算（考虑容量）：" in _help(capsys, ["--lang", "zh", "propose"])
    out = _help(capsys, ["--lang", "en", "propose"])
    assert "sizes and budget (capacity-aware):" in out and "规模与预算" not in out


def test_chinese_help_lines_fit_the_terminal(capsys, monkeypatch):
    """argparse counts characters; a Chinese character takes two columns: lines are wrapped by columns."""
    from cli.output import columns

    monkeypatch.setenv("COLUMNS", "80")
    for argv in (["solve"], ["data", "import"], ["serve"]):
        out = _help(capsys, ["--lang", "zh", *argv])
        # the only lines allowed wider are the option's own name and argparse's unbreakable usage words
        wide = [line for line in out.splitlines() if columns(line) > 80 and not line.lstrip().startswith("-")]
        assert not wide, wide


def test_no_help_line_begins_with_a_closing_mark_or_ends_with_an_opening_one(capsys, monkeypatch):
    """候选点 CSV … existing（0/1，是否现有设施）][,capacity（容量）] once broke before "][,capacity"."""
    import re

    from cli.lang import wrap

    monkeypatch.setenv("COLUMNS", "80")
    for argv in (["solve"], ["data", "import"], ["serve"], ["capacity"]):
        out = _help(capsys, ["--lang", "zh", *argv])
        assert not re.findall(r"^ +[)\]}，。、；：）].*$|^.*[（(\[]$", out, flags=re.M), out
    # the same at any width: a bracket run takes the line's last piece down with it
    text = "候选点 CSV，列为 id,x,y[,existing（0/1，是否现有设施）][,capacity（容量）]"
    for width in range(12, 60):
        lines = wrap(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert not [x for x in lines[1:] if x[0] in ")]}，。、；：）"], (width, lines)
        assert not [x for x in lines if x[-1] in "（([" ], (width, lines)


def test_usage_errors_still_in_the_language(capsys):
    """The parser built for the help also words the usage errors (as before): Chinese for zh, English for en."""
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "solve"])
    err = capsys.readouterr().err
    assert err.startswith("用法：coverplan solve") and "缺少必需的参数" in err, err
    with pytest.raises(SystemExit):
        main(["--lang", "en", "solve"])
    err = capsys.readouterr().err
    assert err.startswith("usage: coverplan solve") and "the following arguments are required" in err, err


def _arguments(parser, path=("coverplan",)):
    """(command path, option strings or dest, help) of every argument of ``parser`` and its subcommands, -h aside."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _arguments(sub, (*path, name))
        elif action.dest != "help":
            yield " ".join(path), "/".join(action.option_strings) or action.dest, action.help


def test_every_argument_has_help_in_the_language():
    """Every option and positional argument of every command has a help text: Chinese on a zh run, and on an
    en run an English one with no Chinese in it."""
    import re

    from cli.main import build_parser

    chinese = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
    for lang in ("zh", "en"):
        arguments = list(_arguments(build_parser(lang)))
        assert len(arguments) > 150, len(arguments)  # the walk reached the subcommands
        missing = [(cmd, arg) for cmd, arg, text in arguments if not (text or "").strip()]
        assert not missing, (lang, missing)
        if lang == "zh":
            wrong = [(cmd, arg, text) for cmd, arg, text in arguments if not chinese.search(text)]
        else:
            wrong = [(cmd, arg, text) for cmd, arg, text in arguments if chinese.search(text)]
        assert not wrong, (lang, wrong)


def test_shared_options_keep_their_behaviour():
    """--json, --region, --mode and --coords, added by cli.options with their help, parse as before."""
    from cli.main import build_parser

    parser = build_parser("en")
    args = parser.parse_args(["propose", "--type", "day_care"])
    assert (args.json, args.region, args.mode, args.coords) == (False, "shiyan", "estimate", "wgs84")
    args = parser.parse_args(["map", "--type", "day_care", "--out", "m.html", "--coords", "gcj02", "--mode", "network"])
    assert (args.coords, args.mode) == ("gcj02", "network")
    # the map reads the --facilities datums coverage and propose read (QA 27: auto and cgcs2000 were refused)
    for datum in ("auto", "cgcs2000"):
        assert parser.parse_args(["map", "--type", "day_care", "--out", "m.html", "--coords", datum]).coords == datum
    args = parser.parse_args(["data", "versions", "--json", "--region", "x"])
    assert (args.json, args.region) == (True, "x")
    args = parser.parse_args(["data", "mark", "cand-1", "--type", "day_care", "--clear"])
    assert args.mark == ""


def test_the_coords_choices_are_the_registers():
    """cli.options names the register's datums itself (the parser imports no planner module): the same set."""
    from cli.options import COORDS
    from planner.register import COORDS as REGISTER_COORDS

    assert set(COORDS) == set(REGISTER_COORDS)


def test_lang_may_also_come_at_the_end(capsys):
    """`coverplan coverage --type nope --lang en` was refused as an unrecognised argument."""
    assert main(["coverage", "--type", "nope", "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith("error: Unknown facility type 'nope'")
    with pytest.raises(SystemExit):
        main(["solve", "--lang", "en", "--help"])
    assert "message language" in capsys.readouterr().out
