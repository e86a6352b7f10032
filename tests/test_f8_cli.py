"""Fixer F8, the CLI beside the web: `propose --sizes ''` is a sized proposal of the type's own sizes (as the web's
blank sizes field), --budget / --budget-cost are bounded as the web bounds them and a --gap raised to the least one
is said, `access` says the people below the standard beside its mean, `beds` writes its shares with one decimal as
the web's card does, and `coverage` names the file(s) the register came in."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.regions import load_region
from planner.i18n import share_text
from test_qa21_cli import error, run


# -- 1. --sizes '': the type's own sizes, as the web takes a blank sizes field ---------------------------------
def test_blank_sizes_is_a_sized_proposal_of_the_types_own_sizes_and_a_raised_gap_is_said(capsys):
    code, out, err = run(capsys, "propose", "--type", "welfare_home", "--sizes", "", "--gap", "1e-9", "--budget", "1",
                         "--time-limit", "10", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["kind"] == "sized" and res["params"]["sizes"] == [30.0, 60.0, 100.0]
    assert res["params"]["budget_sites"] == 1 and "p" not in res["params"]
    assert res["params"]["gap"] == pytest.approx(1e-4)  # raised to the least gap ...
    zh, en = " ".join(res["notes_zh"]), " ".join(res["notes_en"])
    assert "--sizes 留空" in zh and "30/60/100" in zh and "--sizes left empty" in en and "30/60/100" in en
    assert "--gap 1e-9" in zh and "0.0001" in zh and "--gap 1e-9" in en and "0.0001" in en  # ... and said so


def test_blank_sizes_in_english_text_says_it_in_english(capsys):
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "welfare_home", "--sizes", "  ", "--budget", "1",
                         "--county", "420325", "--time-limit", "10")
    assert code == 0, err
    assert "Rural welfare home" in out and "new site" in out
    notes = [line for line in err.splitlines() if line.startswith("  * ")]
    assert any("--sizes left empty" in n and "30/60/100" in n for n in notes), err
    assert not any("留空" in n for n in notes) and not any("--gap" in n for n in notes), err  # no gap given: no note


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_blank_sizes_of_a_type_without_capacity_is_refused(lang, capsys):
    line = error(capsys, lang, "propose", "--type", "charity_station", "--sizes", "")
    assert "charity_station" in line and ("容量" in line if lang == "zh" else "capacity" in line), line


# -- 3. the web's bounds of budget_sites (5,000) and budget_cost (1,000,000,000 万元) ----------------------------
@pytest.mark.parametrize("flag,value,limit", [("--budget", "1e9", "5,000"), ("--budget", "5001", "5,000"),
                                              ("--budget-cost", "1e300", "1,000,000,000"),
                                              ("--budget-cost", "1000000001", "1,000,000,000")])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_budget_above_the_webs_limit_is_refused_before_any_data(flag, value, limit, lang, capsys):
    line = error(capsys, lang, "propose", "--type", "welfare_home", "--sizes", "30,60,100", flag, value)
    assert f"{flag} {value}" in line and limit in line, line


def test_the_limits_themselves_are_taken(capsys):
    # each goes past the budget checks to the next option's (refused before any data is loaded)
    line = error(capsys, "en", "propose", "--type", "welfare_home", "--sizes", "30,60,100", "--budget", "5000",
                 "--budget-cost", "1")
    assert line.startswith("error: --budget-cost 1: smaller than the cheapest site"), line
    line = error(capsys, "en", "propose", "--type", "welfare_home", "--sizes", "30,60,100",
                 "--budget-cost", "1000000000", "--county", "")
    assert "--county" in line and "--budget-cost" not in line, line


# -- 2. access: the people below the standard and with no access beside the mean ---------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_access_says_the_people_below_the_standard_beside_the_mean(lang, capsys):
    code, out, _ = run(capsys, "--lang", lang, "access", "--type", "day_care", "--json")
    c = json.loads(out)["citywide"]
    below, none, demand = c["below_standard_demand"], c["zero_access_demand"], c["demand"]
    assert 0 < none < below < demand  # the embedded data: a mean above the standard, most people below it
    code, out, err = run(capsys, "--lang", lang, "access", "--type", "day_care")
    assert code == 0, err
    lines = out.splitlines()
    mean = next(i for i, x in enumerate(lines) if x.startswith("全市平均" if lang == "zh" else "citywide mean"))
    assert ("掩盖" in lines[mean]) if lang == "zh" else ("hides" in lines[mean])  # what the mean is
    gaps = lines[mean + 1]
    assert gaps.startswith("低于标准" if lang == "zh" else "below the standard"), out
    assert f"{below:,}" in gaps and share_text(below / demand) in gaps, gaps
    assert f"{none:,}" in gaps and share_text(none / demand) in gaps and f"{c['zero_access_units']:,}" in gaps, gaps
    # the counties' ratios with one decimal, as the web's map writes them
    assert re.search(r"\(\d+\.\d%\)$", lines[-1]), lines[-1]


# -- 4. beds: the largest shortfall ratio with one decimal, as the web's card and the CSV ---------------------------
def test_beds_writes_the_largest_shortfall_ratio_as_the_web(capsys):
    code, out, _ = run(capsys, "beds", "--target", "7136", "--json")
    res = json.loads(out)
    after = res["max_shortfall_ratio_after"]
    code, out, err = run(capsys, "beds", "--target", "7136")
    assert code == 0, err
    first = out.splitlines()[0]
    assert f"{share_text(res['max_shortfall_ratio_before'])} → {share_text(after)}" in first, first
    assert re.search(r"\d+\.\d% → \d+\.\d%$", first), first


# -- 5. coverage names the file(s) its register came in --------------------------------------------------------------
def two_county_registers(tmp_path: Path) -> tuple[Path, Path]:
    """Two day-care registers of two townships each, in two counties."""
    towns = load_region("shiyan", imports=False).townships
    counties = list(dict.fromkeys(towns["county_code"].astype(str)))[:2]
    paths = []
    for n, county in enumerate(counties):
        rows = towns[towns["county_code"].astype(str) == county].iloc[:2]
        lines = ["id,name,facility_type,lon,lat"] + [
            f"F8-{n}-{i},{r['name']}日间照料中心,day_care,{r['seat_lon']:.6f},{r['seat_lat']:.6f}"
            for i, (_, r) in enumerate(rows.iterrows())]
        p = tmp_path / f"名录{'甲乙'[n]}.csv"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(p)
    return paths[0], paths[1]


def test_coverage_names_the_register_files(var_dir, tmp_path, capsys):
    code, out, _ = run(capsys, "coverage", "--type", "day_care", "--json")
    assert code == 0 and json.loads(out)["sources"] == []  # the embedded sample: no file
    a, b = two_county_registers(tmp_path)
    for path in (a, b):  # one county's import, then another's: both files carried
        code, _, err = run(capsys, "data", "import", "facilities", str(path), "--type", "day_care", "--json")
        assert code == 0, err
    code, out, _ = run(capsys, "coverage", "--type", "day_care", "--json")
    res = json.loads(out)
    assert res["dataset_version"] == 2
    assert res["sources"] == [{"file": a.name, "dataset_version": 1}, {"file": b.name, "dataset_version": 2}]
    code, _, err = run(capsys, "coverage", "--type", "day_care")
    line = next(x for x in err.splitlines() if x.startswith("数据："))
    assert "数据版本 2" in line and f"{a.name}，数据版本 1" in line and f"{b.name}，数据版本 2" in line, line
    assert "部分为合成示例" in line, line  # the other counties' rows are still the sample's
    code, _, err = run(capsys, "--lang", "en", "coverage", "--type", "day_care")
    line = next(x for x in err.splitlines() if x.startswith("data:"))
    assert f"{a.name}, data version 1; {b.name}, data version 2" in line and "partly synthetic" in line, line


def test_coverage_with_a_given_register_names_it(tmp_path, capsys):
    a, _ = two_county_registers(tmp_path)
    code, out, err = run(capsys, "coverage", "--type", "day_care", "--facilities", str(a), "--json")
    assert code == 0, err
    assert json.loads(out)["sources"] == [{"file": str(a), "dataset_version": None}]
