"""QA sweep 7 (pages): the overview's bed table shows the API's figures, the map's controls leave the
region visible, the capacity legend follows its layer."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403


def _num(s: str) -> int:
    return int(s.replace(",", "").strip())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_bed_table_matches_api_and_adds_up(page, lang):
    api = page.request.get(page.base + "/api/capacity").json()
    page.goto(page.base + f"/?lang={lang}")
    page.wait_for_selector("#beds-table tbody tr")
    rows = page.eval_on_selector_all("#beds-table tbody tr",
                                     "rows => rows.map(r => [...r.children].map(c => c.textContent))")
    assert len(rows) == 9
    *counties, city = rows
    # have, needed, shortfall (columns 1, 2, 5): the API's whole figures, the citywide row their sum
    for row, c in zip(counties, api["by_county"]):
        assert [_num(row[1]), _num(row[2]), _num(row[5])] == [c["supply_whole"], c["required_whole"],
                                                              c["shortfall_whole"]]
    for col in (1, 2):
        assert sum(_num(r[col]) for r in counties) == _num(city[col])
    assert _num(city[2]) == api["citywide"]["required_whole"] == 24424
    assert _num(city[5]) == api["citywide"]["shortfall_whole"] == 15064 == _num(city[2]) - _num(city[1])
