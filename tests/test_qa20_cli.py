"""QA 20, CLI (a hostile-client sweep): a bed target beyond the web's range ended in a traceback; messages that
named the wrong problem (a text file as --costs "holds Python objects", a text file as --db "try again later",
a dangling link as a folder, a folder as --db "does not exist", a folder as --costs "its .csv or .zip");
`--standard -inf` told "needs a value"; 1e999 echoed as inf; options checked only after the data had loaded;
`users passwd --reset --password-stdin` dropping the password it was given."""
from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import pytest

from cli.main import build_parser, main
from geo import settings
from test_cli_data import run  # the CLI tests' runner: exit code, JSON or text, stderr

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture
def var(tmp_path, monkeypatch):
    """An empty data store of its own (the repo's var/ is never read), the embedded data."""
    v = tmp_path / "var"
    monkeypatch.setenv("COVERPLAN_VAR", str(v))
    monkeypatch.setattr(settings, "VAR_DIR", v)
    yield v


def json_error(capsys, *argv) -> dict:
    """The error object of ``coverplan --json ...`` (exit code 2, no traceback), its two messages checked for
    language: no Chinese in the English one."""
    try:
        code, res, err = run(capsys, *argv, "--json")
    except SystemExit as exc:  # a usage error leaves by SystemExit
        code, out = exc.code, capsys.readouterr()
        import json
        res, err = json.loads(out.out), out.err
    assert code == 2 and isinstance(res, dict), (code, res, err)
    assert "Traceback" not in err and {"message_en", "message_zh"} <= set(res), res
    assert not CJK.search(res["message_en"]), res["message_en"]
    assert CJK.search(res["message_zh"]), res["message_zh"]
    return res


def text_error(capsys, lang: str, *argv) -> str:
    """The error line of a text run: exit code 2, no traceback, and no data line before it."""
    code, out, err = run(capsys, "--lang", lang, *argv)
    assert code == 2 and "Traceback" not in err, (code, err)
    assert "数据：数据版本" not in err and "data: data version" not in err, err
    return err


def latin_words(zh: str, *allowed: str) -> list[str]:
    """English words left in a Chinese sentence once option names, paths, code and the ``allowed`` names are
    taken out (a Chinese message may name options and files, not speak English)."""
    text = zh
    for a in allowed:
        text = text.replace(a, "")
    text = re.sub(r"`[^`]*`", "", text)                       # commands quoted as code
    text = re.sub(r"--[a-z][a-z-]*", "", text)                 # option names
    text = re.sub(r"(?:/|\.{0,2}/)?[\w.-]*(?:/[\w.-]+)+", "", text)  # paths
    text = re.sub(r"\b[\w-]+\.(?:sqlite|npz|csv|xlsx|xls|geojson|zip|gpkg|kml|kmz|graphml|osm|pbf|pdf|npy)\b", "", text)
    text = re.sub(r"\.(?:npz|csv|xlsx|xls|geojson|zip|gpkg|kml|kmz|graphml|osm|pbf|npy)\b", "", text)
    return re.findall(r"[A-Za-z]{3,}", text)


# -- 1. beds --target: the web's range (1 to 1,000,000), a sentence instead of an OverflowError -----------
@pytest.mark.parametrize("value", ["9223372036854775808", "10000000000000000000", "99999999999", "1000001",
                                   "0", "-5"])
def test_a_bed_target_beyond_the_webs_range_is_one_sentence(value, var, tmp_path, capsys):
    out = tmp_path / "beds.csv"
    res = json_error(capsys, "beds", "--target", value, "--out", str(out))
    assert res["message_en"] == (f"--target {value}: give the number of new beds to allocate, a whole number from 1 "
                                 "to 1,000,000 (e.g. --target 7136).")
    assert res["message_zh"] == (f"--target {value} 无效：请填写待分配的新增床位数，须为 1 至 1,000,000 之间的整数"
                                 "（如 --target 7136）。")
    assert res["details"]["parameter"] == "target" and res["details"]["max"] == 1_000_000
    assert not out.exists()
    for lang in ("zh", "en"):
        assert f"--target {value}" in text_error(capsys, lang, "beds", "--target", value)


def test_the_bed_target_range_is_the_planners_which_the_web_takes_too(tmp_path):
    """One limit, planner.beds.MAX_TARGET, for the CLI, the web and the planner itself."""
    from cli.capacity import BEDS_TARGET
    from geo.errors import InputDataError
    from planner.beds import MAX_TARGET, allocate_beds
    from web.app import create_app

    assert BEDS_TARGET == (1, MAX_TARGET)
    with pytest.raises(InputDataError, match=f"from 1 to {MAX_TARGET:,}"):
        allocate_beds(None, MAX_TARGET + 1)  # other callers than the two faces: a sentence, no OverflowError
    with pytest.raises(InputDataError):
        allocate_beds(None, 2**64)
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite")})
    try:
        answer = app.test_client().get(f"/api/beds?target={MAX_TARGET + 1}&lang=en")
        assert answer.status_code == 400 and f"at most {MAX_TARGET:,}" in answer.get_json()["message"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_largest_bed_target_is_taken(var, capsys):
    code, res, err = run(capsys, "beds", "--target", "1000000", "--json")
    assert code == 0 and res["target"] == 1_000_000 and "Traceback" not in err


# -- 2. messages that named the wrong problem ------------------------------------------------------------
@pytest.fixture
def solve_files(tmp_path):
    (tmp_path / "d.csv").write_text("id,x,y,weight\na,0,0,1\nb,1,1,2\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("id,x,y\nc1,0,0\nc2,1,1\n", encoding="utf-8")
    (tmp_path / "notdb.sqlite").write_text("hello world\n", encoding="utf-8")
    (tmp_path / "adir").mkdir()
    return ["solve", "--model", "mclp", "--demand", str(tmp_path / "d.csv"), "--candidates",
            str(tmp_path / "c.csv"), "--p", "1", "--radius", "5"]


def test_a_text_file_as_costs_is_not_an_npz_file(solve_files, tmp_path, capsys):
    res = json_error(capsys, *solve_files, "--costs", str(tmp_path / "notdb.sqlite"))
    assert f"{tmp_path / 'notdb.sqlite'} is not an .npz file: give an .npz archive with an array named 'costs'." \
        in res["message_en"]
    assert f"{tmp_path / 'notdb.sqlite'} 不是 .npz 文件：请给出含有名为 “costs” 的数组的 .npz 文件。" in res["message_zh"]
    for lang in ("en", "zh"):
        assert "Python" not in res[f"message_{lang}"] and "pickle" not in res[f"message_{lang}"]
    assert latin_words(res["message_zh"], "numpy.savez(path, costs=矩阵)", "“costs”") == []


def test_a_folder_as_costs_asks_for_the_npz(solve_files, tmp_path, capsys):
    res = json_error(capsys, *solve_files, "--costs", str(tmp_path / "adir"))
    assert res["message_en"].startswith(f"--costs {tmp_path / 'adir'} is a folder, not a file: give the .npz file")
    assert res["message_zh"].startswith(f"--costs {tmp_path / 'adir'} 是文件夹而不是文件：请给出由 `coverplan od` "
                                        "生成的出行成本 .npz 文件")
    for lang in ("en", "zh"):
        assert ".csv" not in res[f"message_{lang}"] and ".zip" not in res[f"message_{lang}"]


def test_a_text_file_as_db_is_not_a_sqlite_database_as_users_says(var, solve_files, tmp_path, capsys):
    db = str(tmp_path / "notdb.sqlite")
    res = json_error(capsys, "coverage", "--type", "day_care", "--db", db)
    said = json_error(capsys, "users", "list", "--db", db)
    assert res["message_zh"] == said["message_zh"] and res["message_en"] == said["message_en"]
    assert res["message_zh"].startswith(f"{db} 不是 SQLite 数据库文件（coverplan 的数据保存在 SQLite 数据库中）。请用 --db ")
    assert res["message_en"].startswith(f"{db} is not a SQLite database (coverplan keeps its data in one). Point --db ")
    assert "稍后" not in res["message_zh"] and "file is not a database" not in str(res)


def test_a_folder_as_db_is_a_folder(var, tmp_path, capsys):
    (tmp_path / "adir").mkdir()
    res = json_error(capsys, "check-townships", "--type", "day_care", "--db", str(tmp_path / "adir"))
    assert res["message_zh"].startswith(f"{tmp_path / 'adir'} 是文件夹，不是数据库文件。请用 --db ")
    assert res["message_en"].startswith(f"{tmp_path / 'adir'} is a folder, not a database file. Point --db ")
    assert latin_words(res["message_zh"], "SQLite", "VAR_DIR") == []
    assert "不存在" not in res["message_zh"] and "no such" not in res["message_en"]


def test_a_missing_db_is_still_no_such_database(var, tmp_path, capsys):
    res = json_error(capsys, "coverage", "--type", "day_care", "--db", str(tmp_path / "nope.sqlite"))
    assert res["message_en"] == f"--db {tmp_path / 'nope.sqlite'}: no such database."


@pytest.mark.parametrize("argv", [["coverage", "--type", "day_care"], ["capacity", "--type", "day_care"],
                                  ["map", "--type", "day_care", "--out", "{tmp}/m.html"], ["targets"]])
def test_a_dangling_link_as_facilities_is_a_link_to_nothing(argv, var, tmp_path, capsys):
    link = tmp_path / "broken.csv"
    os.symlink(tmp_path / "nowhere.csv", link)
    res = json_error(capsys, *[a.format(tmp=tmp_path) for a in argv], "--facilities", str(link))
    assert res["message_en"].startswith(f"--facilities {link}: no such file ({link} is a link to "
                                        f"{tmp_path / 'nowhere.csv'}, which does not exist); give a register")
    assert res["message_zh"].startswith(f"--facilities {link}：文件不存在（{link} 是指向 {tmp_path / 'nowhere.csv'} "
                                        "的链接，而该目标不存在）；请给出设施名录文件")
    assert "folder" not in res["message_en"] and "文件夹" not in res["message_zh"]
    assert latin_words(res["message_zh"], "Shapefile") == []
    assert not (tmp_path / "m.html").exists()


def test_a_link_loop_as_network_is_said_not_a_traceback(var, tmp_path, capsys):
    loop = tmp_path / "roads.graphml"
    os.symlink(loop, loop)
    res = json_error(capsys, "coverage", "--type", "day_care", "--mode", "network", "--network", str(loop))
    assert res["message_en"] == (f"--network {loop}: no such file ({loop} is a link that leads back to itself, a loop "
                                 "of links); give a road network (.graphml, .osm or .osm.pbf).")
    assert res["message_zh"] == (f"--network {loop}：文件不存在（{loop} 是循环链接，最终指回自身）；请给出路网文件"
                                 "（.graphml、.osm 或 .osm.pbf）。")


# -- 3. a negative number is a value, told by its option's own check --------------------------------------
from test_qa18_cli import _leaves  # noqa: E402  (every subcommand's parser, walked)


@pytest.mark.parametrize("value", ["-inf", "-1", "-0.5", "-1e999", "-1e5", "-nan", "-Infinity", "-.5E-3"])
def test_every_number_option_takes_a_negative_number_as_its_value(value):
    """argparse took -inf and -1e999 for options and said the option had no value."""
    numeric = 0
    for name, parser in _leaves(build_parser("en")):
        assert parser._parse_optional(value) is None, (name, value)  # a value, not an option
        numeric += sum(1 for a in parser._actions if a.option_strings and a.type not in (None, str)
                       and getattr(a.type, "__name__", "") in ("int", "float"))
    assert numeric >= 20


@pytest.mark.parametrize("argv, option, value", [
    (["propose", "--type", "day_care"], "--standard", "-inf"),
    (["propose", "--type", "day_care"], "--standard", "-1e999"),
    (["propose", "--type", "day_care"], "--standard", "-1"),
    (["propose", "--type", "day_care"], "--standard", "-0.5"),
    (["propose", "--type", "day_care"], "--time-limit", "-inf"),
    (["propose", "--type", "day_care"], "--gap", "-1e999"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60"], "--budget-cost", "-inf"),
    (["upgrade", "--type", "mutual_aid", "--k", "2"], "--time-limit", "-1e999"),
    (["od", "--origins", "{tmp}/c.csv", "--destinations", "{tmp}/c.csv", "--out", "{tmp}/o.npz"], "--cutoff", "-inf"),
    (["od", "--origins", "{tmp}/c.csv", "--destinations", "{tmp}/c.csv", "--out", "{tmp}/o.npz"], "--max-snap", "-1e999"),
    (["od", "--origins", "{tmp}/c.csv", "--destinations", "{tmp}/c.csv", "--out", "{tmp}/o.npz"], "--access-speed", "-inf"),
    (["solve", "--model", "lscp", "--demand", "{tmp}/d.csv", "--candidates", "{tmp}/c.csv", "--radius", "1"],
     "--time-limit", "-inf"),
])
def test_a_negative_value_is_told_by_the_options_check(argv, option, value, var, solve_files, tmp_path, capsys):
    argv = [a.format(tmp=tmp_path) for a in argv]
    res = json_error(capsys, *argv, option, value)
    assert res["message_en"].startswith(f"{option} {value}: "), res
    assert res["message_zh"].startswith(f"{option} {value} 无效："), res
    assert "needs a value" not in str(res) and "expected one argument" not in str(res) and "需要一个值" not in str(res)
    assert not (tmp_path / "o.npz").exists()


def test_standard_minus_inf_says_what_is_wrong(var, capsys):
    res = json_error(capsys, "propose", "--type", "day_care", "--standard", "-inf")
    assert res["message_en"] == ("--standard -inf: the service standard must be a finite number above 0, in the "
                                 "type's unit (e.g. --standard 30 for minutes, or 3000 for metres).")
    assert res["message_zh"] == ("--standard -inf 无效：服务标准须为大于 0 的有限数，按该设施类型的单位填写"
                                 "（如 --standard 30 表示 30 分钟，或 3000 表示 3000 米）。")
    assert "需要一个值" not in text_error(capsys, "zh", "propose", "--type", "day_care", "--standard", "-inf")


@pytest.mark.parametrize("option", ["--target", "--year"])
def test_a_negative_non_integer_is_not_an_integer(option, var, capsys):
    argv = ["beds", "--target", "10"] if option == "--year" else ["beds"]
    res = json_error(capsys, *argv, option, "-inf")
    assert res["code"] == "usage" and res["details"]["value"] == "-inf" and res["details"]["expected"] == "int"
    assert "不是有效的整数" in res["message_zh"] and "需要一个值" not in res["message_zh"]


# -- 4. 1e999 echoed as typed, not as inf -----------------------------------------------------------------
@pytest.mark.parametrize("argv, option", [
    (["propose", "--type", "day_care"], "--time-limit"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60"], "--time-limit"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60"], "--budget-cost"),
    (["upgrade", "--type", "mutual_aid", "--k", "2"], "--time-limit"),
    (["propose", "--type", "day_care"], "--standard"),
])
def test_a_huge_number_is_named_as_typed(argv, option, var, capsys):
    res = json_error(capsys, *argv, option, "1e999")
    assert res["message_en"].startswith(f"{option} 1e999: ") and res["message_zh"].startswith(f"{option} 1e999 无效：")
    assert " inf" not in res["message_en"] and " inf" not in res["message_zh"]
    assert res["details"]["value"] == "1e999"


def test_budget_cost_1e999_in_both_languages(var, capsys):
    res = json_error(capsys, "propose", "--type", "welfare_home", "--sizes", "30,60", "--budget-cost", "1e999")
    assert res["message_en"] == "--budget-cost 1e999: give the total cost allowed (10,000 yuan), a finite number above 0."
    assert res["message_zh"] == "--budget-cost 1e999 无效：请填写总造价上限（万元），须为有限数且大于 0。"


# -- 5. options are checked before any data is loaded -----------------------------------------------------
@pytest.mark.parametrize("argv, said_en", [
    (["coverage", "--type", "day_care", "--out", "{tmp}/x.pdf"], "--out must end in .csv or .xlsx (got {tmp}/x.pdf)."),
    (["check-townships", "--out", "{tmp}/x.pdf"], "--out must end in .csv or .xlsx"),
    (["capacity", "--beds", "--out", "{tmp}/x.pdf"], "--out must end in .csv or .xlsx"),
    (["access", "--type", "day_care", "--out", "{tmp}/x.pdf"], "--out must end in .csv or .xlsx"),
    (["beds", "--target", "7136", "--out", "{tmp}/x.pdf"], "--out must end in .csv or .xlsx"),
    (["upgrade", "--type", "mutual_aid", "--k", "2", "--out", "{tmp}/x.pdf"], "--out must end in .geojson, .csv or .xlsx"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--out", "{tmp}/x.pdf"],
     "--out must end in .geojson, .csv or .xlsx"),
    (["propose", "--type", "day_care", "--p", "-1"], "--p -1: give the number of new sites, a whole number of at least 1"),
    (["propose", "--type", "day_care", "--model", "lscp", "--p", "3"], "Model lscp takes no number of sites"),
    (["beds", "--target", "-5"], "--target -5: give the number of new beds"),
    (["beds", "--target", "100", "--year", "1999"], "--year 1999: give the target's year from 2000 to 2100 (e.g. 2025)."),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--budget", "0"],
     "--budget 0: the budget must allow at least one new site"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--budget-cost", "1"],
     "--budget-cost 1: smaller than the cheapest site"),
    (["propose", "--type", "funeral_home", "--sizes", "30,60"], "Type 'funeral_home' states no capacity"),
    (["coverage", "--type", "day_care", "--mode", "network"], "--mode network needs --network FILE"),
    (["coverage", "--type", "bogus"], "bogus"),
    (["targets", "--proposal", "{tmp}/none.geojson"], "--proposal {tmp}/none.geojson: no such file."),
    (["map", "--type", "day_care", "--proposal", "{tmp}/none.geojson", "--out", "{tmp}/m.html"],
     "--proposal {tmp}/none.geojson: no such file."),
    (["coverage", "--type", "day_care", "--facilities", "{tmp}/none.csv"], "--facilities {tmp}/none.csv: no such file"),
])
def test_options_are_checked_before_the_data_is_loaded(argv, said_en, var, tmp_path, capsys, monkeypatch):
    import cli.analysis

    def loaded(*args, **kwargs):
        raise AssertionError("the data was loaded before the options were checked")

    monkeypatch.setattr(cli.analysis, "current_region", loaded)
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert said_en.format(tmp=tmp_path) in text_error(capsys, "en", *argv)
    text_error(capsys, "zh", *argv)
    res = json_error(capsys, *argv)
    assert said_en.format(tmp=tmp_path) in res["message_en"]
    assert not [p for p in tmp_path.iterdir() if p.name != "var"]  # nothing written


# -- 6. users passwd --reset --password-stdin: a contradiction, refused with nothing changed --------------
def test_reset_and_password_stdin_contradict_each_other(tmp_path, capsys, monkeypatch):
    db = tmp_path / "u.sqlite"
    assert main(["users", "add", "fang", "--role", "planner", "--db", str(db)]) == 0
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for lang in ("zh", "en"):
        stdin = io.StringIO("a new pass phrase\n")
        monkeypatch.setattr(sys, "stdin", stdin)
        err = text_error(capsys, lang, "users", "passwd", "fang", "--reset", "--password-stdin", "--db", str(db))
        said = ("--reset and --password-stdin contradict each other: --reset sets a generated one-time password, "
                "--password-stdin sets the password read from standard input. Give only one of them; nothing was "
                "changed.") if lang == "en" else \
            ("--reset 与 --password-stdin 相互矛盾：--reset 生成一次性密码，--password-stdin 使用从标准输入读取的密码。"
             "请只给出其中一个；未作任何修改。")
        assert err.strip() == ("error: " if lang == "en" else "错误：") + said
        assert stdin.tell() == 0  # the password was not even read
    monkeypatch.setattr(sys, "stdin", io.StringIO("a new pass phrase\n"))
    res = json_error(capsys, "users", "passwd", "fang", "--reset", "--password-stdin", "--db", str(db))
    assert res["details"] == {"parameter": "reset", "conflicts": "password-stdin"} and "password" not in res
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing changed
    code, users, _ = run(capsys, "users", "list", "--db", str(db), "--json")
    assert code == 0 and [u["must_change"] for u in users if u["name"] == "fang"] == [True]
