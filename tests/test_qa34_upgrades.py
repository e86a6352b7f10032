"""QA 34 (numbers auditor): an upgrade's figures beside its type's coverage, its per-site figures, the offline
map's served line, the checklist export's capacity headers, the coverage's township rows.

1. an upgrade counts people where the type's coverage does (welfare homes: rural township seats), so "served
   now" and "covered" are the same people, and a note says why served is below covered (capacity);
2. each upgraded site's served_after is served_before + what it serves more, each figure said at its reach;
3. the offline map of an upgrade says whom "已服务" counts, as its page does;
4. the checklist export of disabled_care names its capacity headers' unit and basis;
5. a township with a facility and no demand unit has a coverage row, so the facilities add up.
"""
from __future__ import annotations

import html
import re

import numpy as np
import pytest

from planner.coverage import analyse_coverage
from planner.i18n import t
from planner.upgrades import UpgradeInstance, allocation, propose_upgrades, served


@pytest.fixture(scope="module")
def welfare(shiyan):
    return propose_upgrades(shiyan, "welfare_home", 5)


@pytest.fixture(scope="module")
def mutual(shiyan):
    return propose_upgrades(shiyan, "mutual_aid", 50)


# -- 1. the upgrade's "before" is the coverage's, counted at the same points -----------------------------------------
def test_a_welfare_home_upgrade_counts_the_coverage_people(shiyan, welfare):
    cov = analyse_coverage(shiyan, "welfare_home").summary
    b, a = welfare.before, welfare.after
    assert b["demand"] == cov["weight"] and b["counted_at"] == "coverage_points"
    # within reach now is the coverage's covered (44,893 on the default), not a figure of its own
    assert b["covered"] == cov["covered_weight"]
    # the most upgrades can serve leaves out exactly the people the coverage leaves out (304, not 446)
    assert a["served_if_all"] == pytest.approx(cov["covered_weight"], abs=0.5)
    assert cov["weight"] - a["served_if_all"] == pytest.approx(cov["weight"] - cov["covered_weight"], abs=0.5)
    # served now is below covered by the capacity: said with both numbers, in both languages
    assert b["served"] < b["covered"]
    gap = f"{b['covered'] - b['served']:,.0f}"
    for lang in ("zh", "en"):
        notes = welfare.to_dict(lang)["notes"]
        note = next(n for n in notes if f"{b['covered']:,.0f}" in n and f"{b['served']:,.0f}" in n)
        assert gap in note and (("已覆盖" in note) if lang == "zh" else ("covered" in note)), note


def test_a_conversion_counts_the_role_types_coverage_people(shiyan):
    plan = propose_upgrades(shiyan, "welfare_home", 8, conversion=True)
    sites = plan.sites.assign(id=plan.sites["id"].astype(str))
    cov = analyse_coverage(shiyan, "regional_center", extra_sites=sites).summary
    # within reach of the converted homes is what the regional centres' coverage with them counts
    assert plan.after["covered"] == cov["covered_weight"] and plan.after["demand"] == cov["weight"]
    assert plan.after["served"] <= plan.after["covered"]
    if plan.after["covered"] - plan.after["served"] >= 0.5:
        zh = plan.to_dict("zh")["notes"]
        assert any(f"{plan.after['covered']:,.0f}" in n and f"{plan.after['served']:,.0f}" in n for n in zh), zh


# -- 2. per-site figures consistent by definition, each at its reach ------------------------------------------------
def test_the_split_gives_each_chosen_site_what_it_serves_now_plus_what_it_adds():
    """One village of 100 now served by B; A's upgrade reaches it and a new village of 50: a split that moved the
    100 from B to A would read "A serves 150, adds 50"; the one kept says A 50 more, B its 100."""
    inst = UpgradeInstance(weight=np.array([100.0, 50.0]), base_cap=np.array([100.0, 100.0]),
                           up_cap=np.array([200.0, 100.0]),
                           base_reach=np.array([[False, True], [False, False]]),
                           up_reach=np.array([[True, True], [True, False]]),
                           county=np.array(["a", "a"]), candidate=np.array([True, False]))
    chosen = np.array([True, False])
    total, _ = served(inst, chosen)
    now = served(inst, np.zeros(2, bool))[1]
    per = allocation(inst, chosen, total, now, {0: 50.0})
    assert total == pytest.approx(150) and list(now) == pytest.approx([0, 100])
    assert list(per) == pytest.approx([50, 100])


def test_each_upgraded_site_serves_what_it_served_plus_what_it_serves_more(mutual):
    s = mutual.sites
    per_bed = 1000.0 / 5  # the mutual-aid standard: 5 beds per 1,000 aged 60+
    now = s["served_before"].to_numpy(float)
    # served now is the utilisation's people (util x capacity), never more than the site serves after
    assert now == pytest.approx(s["utilisation_before"].to_numpy(float) * s["capacity_before"].to_numpy(float)
                                * per_bed, abs=1.0)
    assert (s["served_after"].to_numpy(float) >= now - 0.01).all()
    inc = s["served_after"].to_numpy(float) - now
    same = np.round(inc) == np.round(s["added_served"].to_numpy(float))
    # most sites: after = now + what they add; the others share their people and say so with both figures
    assert same.mean() > 0.9, s.loc[~same, ["name", "served_before", "served_after", "added_served"]]
    for (_, r), ok, more in zip(s.iterrows(), same, inc):
        if not ok:
            assert f"本处服务人数增加 {more:,.0f} 人，而非 {r['added_served']:,.0f} 人" in r["reason_zh"], r["reason_zh"]
            assert f"it serves {more:,.0f} more itself, not {r['added_served']:,.0f}" in r["reason_en"]
        else:
            assert "而非" not in r["reason_zh"] and "more itself" not in r["reason_en"]


def test_the_reason_says_each_figure_at_its_reach(mutual):
    r = mutual.sites.iloc[0]
    assert r["reach_after"] > r["reach_before"]  # mutual-aid upgrades lengthen the reach: 3 km -> 4.5 km
    now_km, up_km = f"{r['reach_before'] / 1000:g}", f"{r['reach_after'] / 1000:g}"
    zh, en = r["reason_zh"], r["reason_en"]
    assert f"现服务{r['served_before']:,.0f}人（{now_km}公里内" in zh, zh
    assert f"改造后{up_km}公里内有{r['demand_in_reach']:,.0f}名" in zh and f"本处服务{r['served_after']:,.0f}人" in zh
    assert f"now serves {r['served_before']:,.0f} within {now_km} km" in en, en
    assert f"{r['demand_in_reach']:,.0f} people aged 60+ within {up_km} km once upgraded" in en
    assert f"of whom it serves {r['served_after']:,.0f}" in en
    # the first site of the audit: 194 now, 776 in reach, adds 582, and now serves 194 + 582 once upgraded
    assert r["served_after"] == pytest.approx(r["served_before"] + r["added_served"], abs=0.5)


# -- 3. the offline map says whom "served" counts ---------------------------------------------------------------------
def _title_rows(page: str) -> dict[str, str]:
    table = re.search(r'<div class="cp-box cp-title" id="cp-title">.*?<table[^>]*>(.*?)</table>', page, re.S).group(1)
    return {html.unescape(k): html.unescape(v)
            for k, v in re.findall(r'<tr(?: class="more")?><th>(.*?)</th><td>(.*?)</td></tr>', table)}


@pytest.mark.parametrize("lang,whom", [("zh", "（80岁以上人口，农村乡镇）"),
                                       ("en", " (people aged 80+ in rural towns and townships)")])
def test_the_offline_map_of_an_upgrade_says_whom_it_serves(shiyan, welfare, lang, whom):
    from planner.mapexport import proposal_map, standalone_html

    cov = analyse_coverage(shiyan, "welfare_home")
    m = proposal_map(shiyan, cov, welfare.sites, name="QA34", before=welfare.before, after=welfare.after,
                     model="upgrade_mip", lang=lang, kind="upgrade", service_areas=False)
    rows = _title_rows(standalone_html(m))
    served_row = rows[t("capw_served", lang)]
    assert served_row == (f"{welfare.before['served']:,.0f} → {welfare.after['served']:,.0f} / "
                          f"{welfare.after['demand']:,.0f}{whom}"), served_row


def test_the_offline_map_names_a_mutual_aid_base_and_a_conversions_role():
    from planner.facility_types import get_type
    from planner.mapexport import served_whom

    # the audit's map: "已服务 19,101 → 30,298 / 260,231" said not whom; its page says 60岁以上人口，行政村
    assert served_whom(get_type("mutual_aid"), "zh") == "（60岁以上人口，行政村）"
    assert served_whom(get_type("mutual_aid"), "en") == " (people aged 60+ in villages)"
    assert served_whom(get_type("regional_center"), "zh") == "（80岁以上人口）"  # all towns and subdistricts
    assert served_whom(get_type("charity_station"), "zh") == ""  # no capacity: nobody "served"


# -- 4. the checklist export's capacity headers name their unit -------------------------------------------------------
def test_the_disabled_care_checklist_export_names_its_capacity_units(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "x.db"), "TESTING": True})
    try:
        c = app.test_client()
        headers = {lang: c.get(f"/api/townships.csv?type=disabled_care&lang={lang}").data.decode("utf-8-sig")
                   .splitlines()[1] for lang in ("zh", "en")}
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    for lang, header in headers.items():
        # as every other capacity type's: "每千名80岁以上老人床位（标准）", "容量缺口（张床位）"
        per = t("capw_per_1000_of", lang, basis=t("capw_basis_aged_80", lang), unit=t("capw_noun_beds", lang))
        assert t("cap_standard_export_of", lang, unit=per) in header, header
        unit = f"（{t('capw_unit_beds', lang)}）" if lang == "zh" else f" ({t('capw_unit_beds', lang)})"
        assert t("cap_shortfall_col", lang) + unit in header, header


# -- 5. a township with a facility and no demand has a row ------------------------------------------------------------
def test_the_township_rows_count_every_facility(shiyan):
    cov = analyse_coverage(shiyan, "charity_station")
    d = cov.to_dict()
    n = d["citywide"]["facilities"]
    assert n >= 1
    assert sum(r["facilities"] for r in d["by_county"]) == n
    assert sum(r["facilities"] for r in d["by_township"]) == n
    town = str(cov.facilities["township_code"].iloc[0])
    row = next(r for r in d["by_township"] if r["township_code"] == town)
    # no scenic area there: a row of no demand, its share none, not 0% or 100%
    assert row["units"] == 0 and row["weight"] == 0 and row["covered_share"] is None and row["facilities"] == 1
    assert sum(r["units"] for r in d["by_township"]) == d["citywide"]["units"]
