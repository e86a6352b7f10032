"""QA 21, CLI: `serve --solve-time-limit` told the planner's field (time_limit, got inf); `solve --radius` was
checked only after both CSVs were read, and took 0; --p, `upgrade --k` and `check-townships --county` said after the
data had loaded what needs no data (an empty county, --p with --sizes taken and ignored), and what needs data in the
planner's words (p = 5, K = 100); the CLI's --standard had no upper limit while the web refused above MAX_STANDARD;
a time limit of 1e308 and a version number beyond SQLite's integers ended in tracebacks. And every numeric option of
every subcommand, given inf, nan, 1e999, -1, 0 or text, is one sentence in the run's language, said before any work."""
from __future__ import annotations

import json
import re

import pytest

from cli.main import build_parser, main
from geo.errors import InputDataError
from test_qa18_cli import _leaves  # every subcommand's parser, walked
from test_qa20_cli import CJK, var  # noqa: F401  (var: an empty data store of its own, a fixture)


class Loaded(InputDataError):
    """Raised where the data would be loaded: the options before it were all taken."""

    def __init__(self):
        super().__init__("the data would be loaded now.", "此时将加载数据。")


@pytest.fixture
def csvs(tmp_path):
    """Demand points and candidates for `solve` (two of each), points for `od`."""
    (tmp_path / "d.csv").write_text("id,x,y,weight\na,0,0,1\nb,1,1,2\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("id,x,y\nc1,0,0\nc2,1,1\n", encoding="utf-8")
    (tmp_path / "p.csv").write_text("id,lon,lat\na,110.8,32.6\nb,110.9,32.7\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def no_data(monkeypatch, csvs):
    """Nothing is loaded, no CSV read, no server listens: each says so by :class:`Loaded`."""
    import cli.analysis
    import cli.serve
    import cli.solve

    def loaded(*args, **kwargs):
        raise Loaded()

    monkeypatch.setattr(cli.analysis, "current_region", loaded)
    monkeypatch.setattr(cli.solve, "read_table", loaded)
    monkeypatch.setattr(cli.serve, "_listen", loaded)
    return csvs


def run(capsys, *argv) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``coverplan ARGV`` (argparse's errors leave by SystemExit)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def error(capsys, lang: str, *argv, after_data: bool = False) -> str:
    """The one error line of a text run in ``lang``: exit code 2, no traceback, no data line (unless
    ``after_data``: an error only the data can tell), nothing loaded."""
    code, out, err = run(capsys, "--lang", lang, *argv)
    assert code == 2 and "Traceback" not in err, (argv, code, err)
    assert after_data or ("数据：数据版本" not in err and "data: data version" not in err), err
    assert "将加载数据" not in err and "would be loaded" not in err, (argv, err)
    line = err.strip().splitlines()[-1]
    assert line.startswith("错误：" if lang == "zh" else "error: ") or "：错误：" in line or ": error: " in line, line
    assert bool(CJK.search(line)) == (lang == "zh"), line
    return line


def json_error(capsys, *argv) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 2 and "Traceback" not in err, (code, err)
    res = json.loads(out)
    assert not CJK.search(res["message_en"]) and CJK.search(res["message_zh"]), res
    return res


SOLVE = ["solve", "--model", "mclp", "--demand", "{tmp}/d.csv", "--candidates", "{tmp}/c.csv"]


def fill(argv, tmp) -> list[str]:
    return [a.format(tmp=tmp) for a in argv]


# -- 1. serve --solve-time-limit: named as typed, in the run's language ------------------------------------
@pytest.mark.parametrize("value", ["inf", "nan", "1e999", "-1", "0", "-inf", "1e308"])
def test_serve_solve_time_limit_is_named_as_typed(value, no_data, capsys):
    db = no_data / "x.sqlite"
    argv = ["serve", "--db", str(db), "--no-warm", "--solve-time-limit", value]
    for lang in ("zh", "en"):
        line = error(capsys, lang, *argv)
        assert "time_limit" not in line
        assert f"--solve-time-limit {value}" + (" 无效：求解时限" if lang == "zh" else ": the time limit ") in line, line
    res = json_error(capsys, *argv)
    assert res["details"]["parameter"] == "solve-time-limit" and res["details"]["value"] == value
    assert "time_limit" not in res["message_en"] + res["message_zh"]
    if value == "1e308":
        assert res["message_en"] == ("--solve-time-limit 1e308: the time limit can be at most 604,800 seconds "
                                     "(a week); give the seconds any solve on the server may take "
                                     "(e.g. --solve-time-limit 300).")
    else:
        assert res["message_en"] == (f"--solve-time-limit {value}: the time limit must be a finite number of seconds "
                                     "above 0; give the seconds any solve on the server may take "
                                     "(e.g. --solve-time-limit 300).")
        assert res["message_zh"] == (f"--solve-time-limit {value} 无效：求解时限必须为大于 0 的有限秒数，请给出服务器上"
                                     "每次求解可用的秒数（如 --solve-time-limit 300）。")
    assert not db.exists()


def test_a_good_solve_time_limit_is_taken(no_data, capsys):
    """The check does not refuse what the server can use: it goes on to listen (here: :class:`Loaded`)."""
    code, _, err = run(capsys, "--lang", "en", "serve", "--db", str(no_data / "x.sqlite"), "--no-warm",
                       "--solve-time-limit", "120")
    assert code == 2 and "the data would be loaded now" in err


# -- 2. solve --radius: checked before any file is read, 0 refused ------------------------------------------
@pytest.mark.parametrize("value", ["-1", "0", "inf", "nan", "1e999", "-inf", "-0.5"])
@pytest.mark.parametrize("model", [["--model", "lscp"], ["--model", "mclp", "--p", "1"]])
def test_solve_radius_is_checked_before_the_csvs_are_read(value, model, no_data, capsys):
    argv = ["solve", *model, "--demand", str(no_data / "d.csv"), "--candidates", str(no_data / "c.csv"),
            "--radius", value]
    assert error(capsys, "en", *argv) == (f"error: --radius {value}: the coverage radius must be a finite number above "
                                          "0, in the unit of the costs (the x, y unit, metres, without --costs; "
                                          "e.g. --radius 1000).")
    assert error(capsys, "zh", *argv) == (f"错误：--radius {value} 无效：覆盖半径须为大于 0 的有限数，与成本同单位"
                                          "（未给 --costs 时即 x、y 的单位：米；如 --radius 1000）。")
    assert json_error(capsys, *argv)["details"] == {"parameter": "radius", "value": value}


def test_solve_radius_text_is_a_usage_error_before_reading(no_data, capsys):
    argv = fill(SOLVE, no_data) + ["--p", "1", "--radius", "abc"]
    assert "“abc” 不是有效的数字" in error(capsys, "zh", *argv)
    assert "'abc' is not a number" in error(capsys, "en", *argv)


def test_a_good_radius_goes_on_to_read_the_csvs(no_data, capsys):
    code, _, err = run(capsys, "--lang", "en", *fill(SOLVE, no_data), "--p", "1", "--radius", "0.5")
    assert code == 2 and "the data would be loaded now" in err


# -- 3. --p, --k, --county: what needs no data before it, what needs data said by the option ------------------
@pytest.mark.parametrize("argv, said_en", [
    (["propose", "--type", "day_care", "--p", "0"], "--p 0: give the number of new sites, a whole number of at least"),
    (["propose", "--type", "day_care", "--p", "-1"], "--p -1: give the number of new sites"),
    (["propose", "--type", "day_care", "--p", "2.5"], "argument --p: '2.5' is not a whole number"),
    (["propose", "--type", "day_care", "--p", "inf"], "argument --p: 'inf' is not a whole number"),
    (["propose", "--type", "day_care", "--p", "1e999"], "argument --p: '1e999' is not a whole number"),
    (SOLVE + ["--radius", "5", "--p", "0"], "--p 0: give the number of new sites, a whole number of at least 1"),
    (SOLVE + ["--radius", "5", "--p", "-3"], "--p -3: give the number of new sites"),
    (SOLVE + ["--radius", "5", "--p", "nan"], "argument --p: 'nan' is not a whole number"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--p", "-1"], "--p applies only without --sizes"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--p", "3"], "--p applies only without --sizes"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--standard", "30"],
     "--standard applies only without --sizes"),
    (["upgrade", "--type", "mutual_aid", "--k", "0"], "--k 0: the number of facilities to upgrade must be at least 1"),
    (["upgrade", "--type", "mutual_aid", "--k", "-2"], "--k -2: "),
    (["upgrade", "--type", "mutual_aid", "--k", "2.5"], "argument --k: '2.5' is not a whole number"),
    (["upgrade", "--type", "mutual_aid", "--k", "inf"], "argument --k: 'inf' is not a whole number"),
    (["check-townships", "--county", ""], '--county "": the county is empty; give a county code or name '
                                          "(e.g. 420381 or Danjiangkou City)."),
    (["check-townships", "--county", "   "], '--county "": the county is empty'),
    (["check-townships", "--county", "99"], "--county 99: a county code is six digits and a county name has no "
                                            "digits; give a county code or name (e.g. 420381 or Danjiangkou City)."),
    (["check-townships", "--county", "4203810"], "--county 4203810: a county code is six digits"),
    (["check-townships", "--county", "42038a"], "--county 42038a: a county code is six digits"),
    (["check-townships", "--county", "房县\n"], None),  # a trailing line break is spacing: it goes on to the data
    (["check-townships", "--county", "Fang\nCounty"], "--county Fang\\x0aCounty: it holds a control character"),
    (["check-townships", "--county", "fang\u200bcounty"], "--county fang\\u200bcounty: it holds a control character"),
])
def test_what_needs_no_data_is_checked_before_it_loads(argv, said_en, no_data, capsys):
    argv = fill(argv, no_data)
    if said_en is None:
        code, _, err = run(capsys, "--lang", "en", *argv)
        assert code == 2 and "the data would be loaded now" in err
        return
    assert said_en in error(capsys, "en", *argv)
    error(capsys, "zh", *argv)
    assert not [p for p in no_data.iterdir() if p.suffix not in (".csv",) and p.name != "var"]


def test_an_empty_county_in_chinese(no_data, capsys):
    assert error(capsys, "zh", "check-townships", "--county", " ") == \
        '错误：--county "" 无效：县区为空；请填写县区代码或名称（如 420381 或 丹江口市）。'
    res = json_error(capsys, "check-townships", "--county", " ")
    assert res["details"] == {"parameter": "county", "value": " "}
    assert error(capsys, "zh", "check-townships", "--county", "99") == \
        "错误：--county 99 无效：县区代码为 6 位数字，县区名称中没有数字；请填写县区代码或名称（如 420381 或 丹江口市）。"


@pytest.mark.parametrize("value", ["420381", "丹江口市", "fang", "Danjiangkou City"])
def test_a_well_formed_county_goes_on_to_the_data(value, no_data, capsys):
    code, _, err = run(capsys, "--lang", "en", "check-townships", "--county", value)
    assert code == 2 and "the data would be loaded now" in err


def test_an_unknown_county_is_still_said_once_the_data_is_loaded(var, capsys):
    line = error(capsys, "en", "check-townships", "--county", "429999", after_data=True)
    assert line.startswith("error: --county 429999: no such county. Give a county code or name: 420302 ")
    line = error(capsys, "zh", "check-townships", "--county", "bogus", after_data=True)
    assert line.startswith("错误：--county bogus 无效：没有这个县区。请填写县区代码或名称：420302 茅箭区")


def test_p_above_the_candidates_is_said_by_the_option(csvs, capsys):
    argv = fill(SOLVE, csvs) + ["--radius", "5", "--p", "5"]
    assert error(capsys, "en", *argv) == ("error: --p 5: only 2 candidate sites can be chosen, so at most 2 new sites; "
                                          "give --p from 1 to 2, or add candidate sites to --candidates.")
    assert error(capsys, "zh", *argv) == ("错误：--p 5 无效：只有 2 个候选点可选，最多新建 2 处；请给出 1 至 2 之间的 --p，"
                                          "或在 --candidates 中增加候选点。")
    res = json_error(capsys, *argv)
    assert res["error"] == "InfeasibleError" and res["details"]["parameter"] == "p" and res["details"]["max"] == 2


def test_propose_p_above_the_candidates_is_said_by_the_option(var, capsys):
    res = json_error(capsys, "propose", "--type", "welfare_home", "--p", "200")
    m = re.fullmatch(r"--p 200: only (\d+) candidate sites can be chosen, so at most \1 new sites; give --p from 1 "
                     r"to \1\.", res["message_en"])
    assert m and 1 <= int(m[1]) < 200, res["message_en"]
    assert res["message_zh"] == (f"--p 200 无效：只有 {m[1]} 个候选点可选，最多新建 {m[1]} 处；请给出 1 至 {m[1]} 之间的 "
                                 "--p。")
    assert "p = " not in res["message_en"] + res["message_zh"]


def test_upgrade_k_above_the_limits_is_said_by_the_option(var, capsys):
    res = json_error(capsys, "upgrade", "--type", "mutual_aid", "--k", "100000")
    m = re.fullmatch(r"--k 100000: too many facilities to upgrade: of the (\d+) existing Rural mutual-aid care centre "
                     r"facilities, the per-county limits allow at most (\d+); give --k from 1 to \2\. To choose more, "
                     r"load a register with more facilities of the type\.", res["message_en"])
    assert m, res["message_en"]
    assert res["message_zh"].startswith(f"--k 100000 无效：改造提升数量过多：现有农村老年人互助照料中心共 {m[1]} 处，按各县上限"
                                        f"最多可选 {m[2]} 处；请给出 1 至 {m[2]} 之间的 --k。")
    assert res["details"]["parameter"] == "k" and res["details"]["max"] == int(m[2])
    assert "K = " not in res["message_en"] + res["message_zh"]


# -- 4. --standard: one limit, the planner's, for the web and the CLI ----------------------------------------
def test_the_standard_limit_is_the_planners_which_the_web_takes_too():
    from planner.facility_types import get_type
    from planner.proposals import MAX_STANDARD, max_standard
    from web import proposals as wp

    assert wp.max_standard is max_standard  # the web form refuses above the same limit
    assert max_standard(get_type("elderly_complex")) == MAX_STANDARD["min"] == 600
    assert max_standard(get_type("day_care")) == MAX_STANDARD["m"] == 300_000


@pytest.mark.parametrize("type_key, value, limit_en, limit_zh", [
    ("elderly_complex", "601", "600 minutes (10 hours); give it in minutes", "600 分钟（10 小时），请按分钟填写"),
    ("elderly_complex", "1e300", "600 minutes (10 hours); give it in minutes", "600 分钟（10 小时），请按分钟填写"),
    ("day_care", "300001", "300,000 metres (300 km); give it in metres", "300,000 米（300 公里），请按米填写"),
])
def test_a_standard_above_the_limit_is_refused_naming_it(type_key, value, limit_en, limit_zh, no_data, capsys):
    from planner.facility_types import get_type

    ft = get_type(type_key)
    argv = ["propose", "--type", type_key, "--standard", value]
    assert error(capsys, "en", *argv) == (
        f"error: --standard {value}: the service standard can be at most {limit_en} ({ft.name_en}: "
        f"{ft.standard_urban:g} urban, {ft.standard_rural:g} rural by default).")
    assert error(capsys, "zh", *argv) == (
        f"错误：--standard {value} 无效：服务标准最多为 {limit_zh}（{ft.name_zh}默认为城镇 {ft.standard_urban:g}、"
        f"农村 {ft.standard_rural:g}）。")
    res = json_error(capsys, *argv)
    assert res["details"]["parameter"] == "standard" and res["details"]["max"] == (600 if ft.unit == "min" else 300_000)


@pytest.mark.parametrize("type_key, value", [("elderly_complex", "600"), ("day_care", "300000"), ("day_care", "601")])
def test_a_standard_at_the_limit_is_taken(type_key, value, no_data, capsys):
    code, _, err = run(capsys, "--lang", "en", "propose", "--type", type_key, "--standard", value)
    assert code == 2 and "the data would be loaded now" in err


# -- 5. huge numbers that ended in tracebacks ------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["upgrade", "--type", "mutual_aid", "--k", "2"],
                                  ["propose", "--type", "welfare_home", "--sizes", "30,60"],
                                  ["propose", "--type", "day_care"]])
def test_a_time_limit_beyond_a_week_is_refused_before_the_data(argv, no_data, capsys):
    assert error(capsys, "en", *argv, "--time-limit", "1e308") == (
        "error: --time-limit 1e308: the time limit can be at most 604,800 seconds (a week); give the seconds the "
        "solver may take (e.g. --time-limit 60).")
    assert error(capsys, "zh", *argv, "--time-limit", "1e308") == (
        "错误：--time-limit 1e308 无效：求解时限最多为 604,800 秒（一周），请给出求解可用的秒数（如 --time-limit 60）。")
    code, _, err = run(capsys, "--lang", "en", *argv, "--time-limit", "604800")
    assert code == 2 and "the data would be loaded now" in err


@pytest.mark.parametrize("argv", [["data", "rollback", "99999999999999999999999"],
                                  ["data", "diff", "0", "99999999999999999999999"],
                                  ["data", "diff", "-99999999999999999999999", "0"]])
def test_a_version_beyond_sqlites_integers_is_no_such_version(argv, tmp_path, capsys):
    db = str(tmp_path / "p.sqlite")
    value = next(a for a in argv if len(a) > 20)
    assert error(capsys, "en", *argv, "--db", db) == \
        f"error: No data version {value}. `coverplan data versions` lists them."
    assert error(capsys, "zh", *argv, "--db", db) == f"错误：没有数据版本 {value}。可用 `coverplan data versions` 查看全部版本。"


# -- 6. every numeric option of every subcommand: a sentence in the run's language, before any work ----------
#: The other arguments each command needs to run, so that only the option tried is wrong.
BASE = {
    "od": ["od", "--origins", "{tmp}/p.csv", "--destinations", "{tmp}/p.csv", "--out", "{tmp}/o.npz"],
    "solve": SOLVE + ["--p", "1", "--radius", "5"],
    "propose": ["propose", "--type", "day_care"],
    "upgrade": ["upgrade", "--type", "mutual_aid", "--k", "2"],
    "beds": ["beds", "--target", "100"],
    "serve": ["serve", "--no-warm", "--db", "{tmp}/s.sqlite"],
    "data diff": ["data", "diff", "--db", "{tmp}/x.sqlite"],
    "data rollback": ["data", "rollback", "--db", "{tmp}/x.sqlite"],
}
#: Options that belong to a form of their command (propose --sizes).
FORM = {("propose", "--budget"): ["--sizes", "30,60", "--type", "welfare_home"],
        ("propose", "--budget-cost"): ["--sizes", "30,60", "--type", "welfare_home"]}
#: Where 0 is a value the option takes (a cutoff of 0, a gap of 0): tried as a good value elsewhere.
ZERO_TAKEN = {("od", "--cutoff"), ("solve", "--gap"), ("propose", "--gap"), ("data diff", "v1"), ("data diff", "v2")}
#: Positional numbers: (command, dest) -> where the value goes among the other arguments.
POSITIONAL = {("data diff", "v1"): lambda v: [v, "0"], ("data diff", "v2"): lambda v: ["0", v],
              ("data rollback", "version"): lambda v: [v]}


def numeric_arguments():
    out = []
    for name, parser in _leaves(build_parser("en")):
        for a in parser._actions:
            if getattr(a.type, "__name__", "") in ("int", "float"):
                out.append((name, a.option_strings[-1] if a.option_strings else a.dest))
    return out


def test_the_walk_knows_every_numeric_argument():
    """A numeric option added to a command fails here until it is given a place in the walk below."""
    found = set(numeric_arguments())
    known = {(c, o) for c, o in found if c in BASE}
    assert found == known, found - known
    assert len(found) >= 25


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("value", ["inf", "nan", "1e999", "-1", "0", "abc"])
@pytest.mark.parametrize("command, option", numeric_arguments())
def test_every_numeric_argument_refuses_a_bad_value_in_a_sentence(command, option, value, lang, no_data, capsys):
    if value == "0" and (command, option) in ZERO_TAKEN:
        pytest.skip(f"{option} takes 0")
    if (command, option) in POSITIONAL:
        from geo.datasets import DatasetStore

        DatasetStore(no_data / "x.sqlite", region="shiyan")  # a store with its embedded version 0
        argv = [*BASE[command][:2], *POSITIONAL[command, option](value), *BASE[command][2:]]
    else:
        argv = BASE[command] + FORM.get((command, option), []) + [option, value]
    line = error(capsys, lang, *fill(argv, no_data)).replace(str(no_data), "")
    assert value in line, line  # the value as typed (1e999, not inf)
    if (command, option) not in POSITIONAL:
        assert option in line, line
    assert not (no_data / "o.npz").exists() and not (no_data / "s.sqlite").exists()


# -- users add --county "": an empty county is a mistake, not "the whole city" --------------------------------
@pytest.mark.parametrize("lang, county, said", [("en", "", "--county is empty"), ("zh", " ", "--county 为空")])
def test_users_add_refuses_an_empty_county(capsys, tmp_path, lang, county, said):
    db = tmp_path / "u.sqlite"
    code, out, err = run(capsys, "--lang", lang, "users", "add", "bob", "--role", "planner", "--county", county,
                         "--db", str(db))
    assert code == 2 and said in err, (code, out, err)
    # nothing made: it was a planner for the whole city
    assert not db.exists()
