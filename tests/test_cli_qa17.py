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
        assert code == 2 and "time_limit must be a finite number of seconds above 0" in err, (argv, err)
        assert "Traceback" not in err
    assert main(["upgrade", "--type", "mutual_aid", "--k", "3", "--time-limit", limit]) == 2
    assert "必须为大于 0 的有限秒数" in capsys.readouterr().err


@pytest.mark.parametrize("argv, word", [
    (["--port", "-1"], "--port -1"), (["--port", "99999"], "1 to 65535"), (["--threads", "0"], "--threads 0"),
    (["--max-upload-mb", "nan"], "--max-upload-mb nan"), (["--max-network-upload-mb", "-5"], "above 0"),
    (["--max-jobs-per-user", "0"], "--max-jobs-per-user 0"), (["--solve-time-limit", "inf"], "time_limit"),
    (["--network", "/nonexistent/roads.osm"], "File not found")])
def test_serve_refuses_options_no_server_can_use(argv, word, tmp_path, capsys):
    """Checked before the app is made: nothing listens, and the words say which option."""
    code = main(["--lang", "en", "serve", "--db", str(tmp_path / "x.sqlite"), "--no-warm", *argv])
    err = capsys.readouterr().err
    assert code == 2 and word in err and "Traceback" not in err, err
    assert not (tmp_path / "x.sqlite").exists()
