"""Capacity in the browser: the overview's targets and beds table, the checklist's capacity columns."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_shows_every_target_and_beds_by_county(page, lang):
    page.goto(page.base + f"/?lang={lang}")
    page.wait_for_selector("#targets-table tbody tr")
    page.wait_for_selector("#beds-table tbody tr")
    keys = page.eval_on_selector_all("#targets-table tbody tr", "rows => rows.map(r => r.dataset.key)")
    assert {"mutual_aid_upgraded_2025", "welfare_home_upgraded_2025", "meal_service_network",
            "charity_fund_share", "incubation_base_every_county", "mental_rehab_every_county"} <= set(keys)
    sections = page.eval_on_selector_all("#targets-table tbody tr td:first-child", "c => c.map(x => x.textContent)")
    assert ({"§24", "§22"} if lang == "en" else {"(二十四)", "(二十二)"}) <= set(sections)
    beds = page.eval_on_selector_all("#beds-table tbody tr", "rows => rows.map(r => r.children[4].textContent)")
    assert len(beds) == 9 and set(beds) == {"40"}  # 8 counties and the city, all against 40
    text = page.inner_text("#beds-by-county")
    assert ("Beds per 1,000" in text) if lang == "en" else ("每千名60岁以上老人养老床位" in text)
    page.locator("#beds-by-county").scroll_into_view_if_needed()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_checklist_has_ratio_and_shortfall_columns(page, lang):
    page.goto(page.base + f"/townships?type=welfare_home&lang={lang}")
    page.wait_for_selector("#checklist[data-ready='1']")
    cells = page.eval_on_selector_all("#checklist tbody tr", "rows => rows.map(r => [r.children[7].textContent, r.children[8].textContent])")
    assert len(cells) == 129
    na = "n/a" if lang == "en" else "不适用"
    # the 15 urban units are no rural welfare home's demand: n/a, not a ratio of nothing
    assert sum(ratio == na == short for ratio, short in cells) == 15
    cells = [c for c in cells if c[0] != na]
    assert all("/ 30" in ratio for ratio, _ in cells)  # welfare homes: 30 beds per 1,000 aged 80+
    assert any(short not in ("0", "") for _, short in cells)
    # sorting by shortfall puts the largest first on the second click
    page.click("th[data-key='cap_shortfall']")
    page.click("th[data-key='cap_shortfall']")
    first = page.eval_on_selector("#checklist tbody tr", "r => r.children[8].textContent")
    values = [int(s.replace(",", "")) for _, s in cells]
    assert int(first.replace(",", "")) == max(values)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_breaks_a_bed_target_down_by_county(page, lang):
    """/api/beds had no page: a planner could not answer "how do the 7,136 beds split over the
    counties?" in the browser (QA 15). The overview's card gives them out and adds up."""
    page.goto(page.base + f"/?lang={lang}")
    page.fill("#bt-target", "7136")
    page.click("#bt-run")
    page.wait_for_selector("#beds-target-card[data-ready='1']")
    rows = page.eval_on_selector_all("#bt-table tbody tr[data-county]",
                                     "rs => rs.map(r => Array.from(r.children).map(c => c.textContent))")
    assert len(rows) == 8
    num = lambda x: int(x.replace(",", ""))  # noqa: E731
    given = [num(r[4]) for r in rows]
    assert sum(given) == 7136 and all(g >= 0 for g in given)
    assert all(num(r[5]) + num(r[6]) == num(r[4]) for r in rows)
    # the shortfall before, less the beds given, is the shortfall after (both the sum of the townships':
    # with 1 bed the "after" column read 16,835 beside a county table's 15,064, with no "before" to compare)
    assert all(abs(num(r[3]) - num(r[4]) - num(r[9])) <= 1 for r in rows), rows
    # beds too few for a site of their own are a column of their own, part of the new beds (QA 23)
    assert all(0 <= num(r[8]) <= num(r[6]) for r in rows) and sum(num(r[8]) for r in rows) > 0, rows
    total = page.eval_on_selector("#bt-table tr.total", "r => r.children[4].textContent")
    assert total.strip() == "7,136"
    assert "sum of townships" in page.inner_text("#bt-table thead") if lang == "en" else "各乡镇之和" in page.inner_text("#bt-table thead")
    status = page.inner_text("#bt-status")
    assert ("7,136 beds given out" in status) if lang == "en" else ("已分配 7,136 张" in status)
    names = [r[0] for r in rows]
    assert ("Fang County" in names) if lang == "en" else ("房县" in names)
