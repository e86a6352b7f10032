"""QA 17's command-line defects: non-finite solve time limits that crashed the upgrade and sizing
commands (an abort in HiGHS, a timestamp overflow), and `serve` options no server can use."""
from __future__ import annotations

import pytest

from cli.main import main


@pytest.mark.parametrize("limit", ["nan", "inf", "0", "-1"])
def test_a_time_limit_that_is_no_number_of_seconds_is_refused(limit, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    for argv in (["upgrade", "--type", "mutual_aid", "--k", "3"],
                 ["propose", "--type", "welfare_home", "--sizes", "30,60"],
                 ["propose", "--type", "day_care", "--model", "pmedian", "--p", "3"]):
        code = main(["--lang", "en", *argv, "--time-limit", limit])
        err = capsys.readouterr().err
        # named by the option (QA 19: the planner's field name, time_limit, was said)
        assert code == 2 and f"--time-limit {limit}: " in err and "must be a finite number of seconds above 0" in err, \
            (argv, err)
        assert "Traceback" not in err
    assert main(["upgrade", "--type", "mutual_aid", "--k", "3", "--time-limit", limit]) == 2
    assert "必须为大于 0 的有限秒数" in capsys.readouterr().err


@pytest.mark.parametrize("argv, word", [
    (["--port", "-1"], "--port -1"), (["--port", "99999"], "1 to 65535"), (["--threads", "0"], "--threads 0"),
    (["--max-upload-mb", "nan"], "--max-upload-mb nan"), (["--max-network-upload-mb", "-5"], "above 0"),
    (["--max-jobs-per-user", "0"], "--max-jobs-per-user 0"), (["--solve-time-limit", "inf"], "--solve-time-limit inf"),
    (["--network", "/nonexistent/roads.osm"], "File not found")])
def test_serve_refuses_options_no_server_can_use(argv, word, tmp_path, capsys):
    """Checked before the app is made: nothing listens, and the words say which option."""
    code = main(["--lang", "en", "serve", "--db", str(tmp_path / "x.sqlite"), "--no-warm", *argv])
    err = capsys.readouterr().err
    assert code == 2 and word in err and "Traceback" not in err, err
    assert not (tmp_path / "x.sqlite").exists()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_values_a_command_would_drop_are_refused(lang, tmp_path, monkeypatch, capsys):
    """lscp with --p built 1,337 sites as if no p were given; --budget-cost nan was no budget;
    beds --type bogus and --year 1900 were taken; a note with U+202E turned round in `data versions`."""
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    cases = [(["propose", "--type", "day_care", "--model", "lscp", "--p", "3"], ("lscp 模型不需要指定站点数", "takes no number of sites")),
             (["propose", "--type", "welfare_home", "--sizes", "30,60", "--budget-cost", "nan"], ("须为有限数", "a finite number")),
             (["beds", "--target", "100", "--type", "bogus"], ("bogus", "bogus")),
             (["beds", "--target", "100", "--year", "1900"], ("2000 至 2100", "2000 to 2100")),
             (["data", "import", "facilities", str(tmp_path / "x.csv"), "--note", "a\u202eb"], ("U+202E", "U+202E"))]
    (tmp_path / "x.csv").write_text("名称,经度,纬度\n甲,110.79,32.58\n", encoding="utf-8")
    for argv, words in cases:
        code = main(["--lang", lang, *argv])
        err = capsys.readouterr().err
        assert code == 2 and words[lang == "en"] in err and "Traceback" not in err, (argv, err)


def test_a_county_is_named_the_same_way_everywhere(tmp_path, monkeypatch, capsys):
    """check-townships --county fang was "no such county" while /api/townships?county=fang answered."""
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    assert main(["check-townships", "--type", "elderly_complex", "--county", "fang", "--json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert {r["county_code"] for r in rows["townships"]} == {"420325"}
    assert main(["users", "add", "fp", "--role", "planner", "--county", "Fang", "--db", str(tmp_path / "u.sqlite")]) == 0


@pytest.mark.parametrize("argv, ext", [
    (["map", "--type", "day_care", "--out", "m.txt"], ".html"), (["backup", "--out", "b.txt"], ".zip"),
    (["od", "--origins", "o.csv", "--destinations", "o.csv", "--out", "od.txt"], ".npz")])
def test_an_out_file_named_for_another_kind_is_refused(argv, ext, tmp_path, monkeypatch, capsys):
    """An HTML map went into m.txt, a backup into b.txt, costs into od.txt.npz."""
    monkeypatch.chdir(tmp_path)
    code = main(["--lang", "en", *argv])
    err = capsys.readouterr().err
    assert code == 2 and f"give a name ending in {ext}" in err, err
    assert not list(tmp_path.iterdir())


def test_od_refuses_a_walking_speed_of_zero_and_a_negative_snap(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "o.csv").write_text("id,lon,lat\na,110.79,32.58\nb,110.80,32.60\n", encoding="utf-8")
    for flag, value in (("--access-speed", "0"), ("--max-snap", "-1"), ("--access-speed", "nan")):
        code = main(["--lang", "en", "od", "--origins", "o.csv", "--destinations", "o.csv", flag, value,
                     "--out", "od.npz"])
        err = capsys.readouterr().err
        assert code == 2 and "must be a finite number above 0" in err, err
    assert not (tmp_path / "od.npz").exists()


def test_a_refused_restore_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    """"Nothing was changed" left the folders it made and an empty .serving lock file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.zip").write_text("x", encoding="utf-8")
    (tmp_path / "adir").mkdir()
    assert main(["restore", "bad.zip", "--db", "rest/deep/x.sqlite"]) == 2
    assert not (tmp_path / "rest").exists()
    assert main(["--lang", "en", "restore", "adir", "--db", "rest/x.sqlite"]) == 2
    assert "is a folder, not a backup file" in capsys.readouterr().err and not (tmp_path / "rest").exists()
