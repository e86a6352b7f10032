"""The capacity commands on the command line: `capacity`, and `propose` with and without --sizes."""
from __future__ import annotations

import json

from cli.main import build_parser, main


def test_capacity_beds_per_1000_by_county_against_40(capsys):
    assert main(["capacity", "--beds", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["type"] == "beds" and res["standard"]["per_1000"] == 40
    assert {"welfare_home", "elderly_complex", "mutual_aid"} <= set(res["types"])
    assert len(res["by_county"]) == 8
    for c in res["by_county"]:
        assert c["standard_per_1000"] == 40 and c["ratio_per_1000"] is not None
        assert c["shortfall"] >= 0 and c["status"] in ("met", "not_met")


def test_capacity_text_in_both_languages(capsys):
    assert main(["--lang", "en", "capacity", "--beds"]) == 0
    out = capsys.readouterr()
    assert "per 1,000" in out.out and "standard 40" in out.out and "示意" in out.err
    assert main(["--lang", "zh", "capacity", "--type", "cemetery"]) == 0
    assert "缺口" in capsys.readouterr().out


def test_capacity_unknown_type_is_a_clear_error(capsys):
    assert main(["capacity", "--type", "nope", "--json"]) == 2
    assert "welfare_home" in json.loads(capsys.readouterr().out)["message_en"]


def test_propose_keeps_its_plain_form_and_gains_sizes(capsys):
    parser = build_parser()
    args = parser.parse_args(["propose", "--type", "charity_station", "--json"])
    assert args.sizes is None and args.budget is None
    assert main(["propose", "--type", "charity_station", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert "kind" not in res and res["solver"]["status"] in ("optimal", "feasible")
    args = parser.parse_args(["propose", "--type", "welfare_home", "--sizes", "30,60", "--budget", "3"])
    assert args.sizes == "30,60" and args.budget == 3


def test_a_budget_without_sizes_is_refused_not_ignored(capsys):
    from cli.main import main
    code = main(["--lang", "en", "propose", "--type", "cemetery", "--model", "lscp", "--budget", "0"])
    err = capsys.readouterr().err
    assert code != 0 and "--budget applies only with --sizes" in err


def test_swapped_coordinates_in_the_cli_are_not_said_to_be_swapped():
    """The CLI does not fix a swapped pair (strict): the message must not also say it read it swapped."""
    from planner.i18n import t
    from planner.register_report import RowIssue
    kw = {"lon": "32.54", "lat": "111.51"}
    issue = RowIssue(5, "经度", "warning", "swapped", t("reg_swapped", "zh", **kw), t("reg_swapped", "en", **kw),
                     "", "", "", [], True, t("reg_swapped_kept", "zh", **kw), t("reg_swapped_kept", "en", **kw))
    zh, en = issue.text("zh", strict=True), issue.text("en", strict=True)
    assert "已交换后读取" not in zh and "此处不自动改正" in zh
    assert "read the other way round" not in en and "not corrected here" in en
