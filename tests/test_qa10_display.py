"""QA10 display fixes: the county chart's colours are the map legend's classes, the CLI names
what each coverage share is, thousands separators, the checklist export's units."""
from __future__ import annotations

import re

import pytest

from cli.main import main


# -- 6. `coverplan coverage` names its shares ---------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_coverage_names_the_weighted_and_the_unit_share(capsys, lang):
    from geo import settings
    from geo.regions import load_region
    from planner.coverage import analyse_coverage

    assert main(["--lang", lang, "coverage", "--type", "day_care"]) == 0
    out = capsys.readouterr().out
    cov = analyse_coverage(load_region(settings.DEFAULT_REGION), "day_care")
    s = cov.summary
    weighted = f"{s['covered_weight']:,} / {s['weight']:,}"
    if lang == "zh":
        assert f"按单元数：已覆盖 {s['covered_units']:,} / {s['units']:,} 个需求单元" in out
        assert f"按60岁以上人口加权：已覆盖 {weighted} 人（{100 * s['covered_share']:.1f}%）" in out
    else:
        assert f"By units: {s['covered_units']:,} / {s['units']:,} demand units covered" in out
        assert f"Weighted by people aged 60+: {weighted} people covered ({100 * s['covered_share']:.1f}%)" in out
    assert "1979" not in out and "1,979" in out  # thousands separators
    # every county line carries the web chart's unit share (n/m) beside the weighted share
    for code, r in cov.by_county.iterrows():
        line = next(x for x in out.splitlines() if x.strip().startswith(str(code)))
        unit = f"{100 * r['covered_units'] / r['units']:.1f}% ({r['covered_units']}/{r['units']})"
        assert unit in line and f"{100 * r['covered_share']:.1f}%" in line, line


def test_cli_coverage_of_a_type_weighted_by_units_prints_one_share(capsys):
    assert main(["coverage", "--type", "cemetery"]) == 0
    out = capsys.readouterr().out
    assert "按单元数：已覆盖" in out and "加权" not in out
