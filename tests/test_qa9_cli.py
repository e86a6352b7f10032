"""QA sweep 9 (CLI): `solve` speaks Chinese in full on a Chinese run (status in words, 差距, 秒,
full-width colons); `capacity` prints an aligned table with a header and one decimal, and asks for
--type or --beds; argparse's errors name the unknown option and the subcommand it was given to."""
from __future__ import annotations

import unicodedata

import pytest

from cli.main import main


def _cols(text: str) -> int:
    """Terminal columns of a line: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "d.csv").write_text("id,x,y,weight\na,0,0,5\nb,1000,0,3\nc,5000,0,2\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("id,x,y\ns1,500,0\ns2,5000,0\n", encoding="utf-8")
    return tmp_path


def test_solve_text_in_chinese(files, capsys):
    argv = ["solve", "--model", "mclp", "--demand", str(files / "d.csv"), "--candidates", str(files / "c.csv"),
            "--radius", "1500", "--p", "1"]
    assert main(["--lang", "zh", *argv]) == 0
    out = capsys.readouterr().out
    assert "状态：已证明最优" in out and "optimal" not in out
    assert "差距：0.00%" in out and "gap" not in out
    assert "新建站点（1 个）：s1" in out and "覆盖需求：8（80.0%）" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("用时：") and last.endswith(" 秒")
    assert ":" not in out  # no ASCII colon left in the Chinese text
    assert main(["--lang", "en", *argv]) == 0  # English as before
    out = capsys.readouterr().out
    assert "status: optimal" in out and "gap: 0" in out and "seconds: " in out


@pytest.mark.parametrize("lang, head", [("en", ["code", "county", "now", "needed", "per", "1,000", "net", "shortfall"]),
                                        ("zh", ["代码", "县（市、区）", "现有", "按标准应有", "每千人", "净缺口"])])
def test_capacity_beds_is_an_aligned_table_with_a_header(capsys, lang, head):
    assert main(["--lang", lang, "capacity", "--beds"]) == 0
    lines = capsys.readouterr().out.rstrip().splitlines()
    title, table = lines[0], lines[1:]
    assert "15.3" in title and "15.329" not in title
    assert ("（每千人 15.3，标准 40），净缺口 15,064" if lang == "zh" else "(15.3 per 1,000, standard 40), net shortfall 15,064") \
        in title
    assert table[0].split() == head  # the county's net shortfall, not the townships' sum (QA 33)
    assert len(table) == 1 + 8 + 1 and table[-1].split()[0] == ("全市" if lang == "zh" else "citywide")
    # every row ends at the same terminal column and the numbers' columns line up (right-aligned)
    assert len({_cols(ln) for ln in table}) == 1, table
    for ln in table[1:]:
        assert all(len(x.split(".")[-1]) == 1 for x in ln.split() if "." in x)  # one decimal
    mj = next(ln for ln in table if ln.split()[0] == "420302")
    assert mj.split()[-4:] == ["215", "2,835", "3.0", "2,620"]


def test_capacity_needs_type_or_beds(capsys):
    assert main(["--lang", "zh", "capacity"]) == 2
    err = capsys.readouterr()
    assert err.out == "" and "--type" in err.err and "--beds" in err.err and "请给出其一" in err.err
    assert main(["--lang", "en", "capacity"]) == 2
    assert "give one of them" in capsys.readouterr().err


@pytest.mark.parametrize("argv, usage, zh_prog", [
    (["coverage", "--type", "day_care", "--bogus"], "coverplan coverage [-h]", "coverplan coverage："),
    (["region", "info", "--bogus"], "coverplan region info [-h]", "coverplan region info："),
    (["region", "--bogus", "info"], "coverplan region [-h]", "coverplan region："),
    (["--bogus"], "coverplan [-h]", "coverplan："),
    (["--bogus", "region", "info"], "coverplan [-h]", "coverplan："),
])
def test_unknown_option_is_named_by_the_command_it_was_given_to(capsys, argv, usage, zh_prog):
    with pytest.raises(SystemExit) as e:
        main(["--lang", "zh", *argv])
    err = capsys.readouterr().err
    assert e.value.code == 2
    assert f"{zh_prog}错误：无法识别的参数：--bogus" in err and "子命令" not in err, err
    assert err.startswith("用法：" + usage), err
    with pytest.raises(SystemExit) as e:
        main(["--lang", "en", *argv])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.startswith("usage: " + usage) and "unrecognized arguments: --bogus" in err, err


def test_missing_subcommand_still_said(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "region"])
    assert "coverplan region：错误：缺少必需的参数：子命令" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "en"])
    assert "the following arguments are required: command" in capsys.readouterr().err
