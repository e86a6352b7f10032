"""Issue 12: every proposed site says in plain words why (zh and en), with the numbers of its own
fields; units served beyond the standard are counted; what stays uncovered is explained; an
infeasible standard names the villages instead of matrix rows."""
from __future__ import annotations

import re

import pytest

from geo.errors import InfeasibleError
from planner.facility_types import get_type
from planner.proposals import propose
from planner.sites import demand_units

HAN = re.compile(r"[\u4e00-\u9fff]")


def _km_or_min(cost, unit, lang):
    if unit == "m":
        return (f"{cost / 1000:.1f}公里" if lang == "zh" else f"{cost / 1000:.1f} km") if cost >= 1000 else \
            (f"{cost:.0f}米" if lang == "zh" else f"{cost:.0f} m")
    return f"{cost:.0f}分钟" if lang == "zh" else f"{cost:.0f} min"


@pytest.fixture(scope="module")
def mclp(shiyan):
    return propose(shiyan, "elderly_complex", model="mclp", p=8)


@pytest.fixture(scope="module")
def pmedian(shiyan):
    return propose(shiyan, "elderly_complex", model="pmedian", p=5)


def test_coverage_reasons_quote_the_sites_numbers(mclp):
    sites = mclp.to_dict()["sites"]
    assert len(sites) == 8
    for s in sites:
        zh, en = s["reason_zh"], s["reason_en"]
        assert HAN.search(zh) and not HAN.search(en)
        people = f"{round(s['added_weight']):,}"
        assert f"新增覆盖{s['added_units']}个村（社区）、60岁以上老人约{people}人" in zh
        assert f"Newly covers about {people} people aged 60+ ({s['added_units']} villages/communities)" in en
        near = s["nearest_existing_cost"]
        assert f"距最近现有养老服务综合体{_km_or_min(near, 'min', 'zh')}" in zh
        assert f"{_km_or_min(near, 'min', 'en')} from the nearest existing township elderly-service complex" in en
        assert zh.count("。") <= 2 and en.endswith(".")


def test_median_reasons_say_what_is_served_and_what_lies_beyond_the_standard(pmedian):
    sites = pmedian.to_dict()["sites"]
    assert any(s["beyond_standard_units"] > 0 for s in sites)     # the case the text must name
    for s in sites:
        zh, en = s["reason_zh"], s["reason_en"]
        assert f"服务{s['served_units']}个村（社区）、60岁以上老人约{round(s['served_weight']):,}人" in zh
        assert f"Serves {s['served_units']} villages/communities" in en
        if s["beyond_standard_units"]:
            far = _km_or_min(s["farthest_cost"], "min", "zh")
            assert f"其中{s['beyond_standard_units']}个村（社区）超出服务标准（最远{far}），建议结合交通条件复核" in zh
            assert f"{s['beyond_standard_units']} of them lie beyond the service standard" in en
        else:
            assert "超出服务标准" not in zh and "beyond" not in en


def test_beyond_standard_count_matches_the_units(pmedian):
    ua = pmedian.units_after
    assert ua["serving_id"].notna().all()
    for _, s in pmedian.sites.iterrows():
        mine = ua["serving_id"] == s["id"]
        assert int(mine.sum()) == s["served_units"]
        assert int((mine & (ua["cost_after"] > ua["standard"])).sum()) == s["beyond_standard_units"]
        assert round(float(ua.loc[mine, "cost_after"].max()), 2) == s["farthest_cost"]


def test_rationale_travels_with_the_geojson(pmedian):
    gj = pmedian.to_geojson()
    for f in gj["features"]:
        props = f["properties"]
        assert props["reason_zh"] and props["reason_en"] and "beyond_standard_units" in props
    assert gj["coverplan"]["explanation_zh"] == pmedian.to_dict()["explanation_zh"]


def test_explanation_of_what_stays_uncovered(shiyan, mclp):
    d = mclp.to_dict()
    why = d["uncovered_reasons"]
    assert mclp.after["uncovered_units"] > 0
    assert sum(why.values()) == mclp.after["uncovered_units"]
    ua = mclp.units_after
    assert why["no_candidate"] > 0 and why["not_chosen"] > 0
    assert f"新建后仍有{mclp.after['uncovered_units']}个村（社区）未覆盖" in d["explanation_zh"]
    assert f"{why['no_candidate']}个村（社区）在服务标准" in d["explanation_zh"]
    assert "新建8处不足以全部覆盖" in d["explanation_zh"] and "LSCP" in d["explanation_zh"]
    assert f"{why['not_chosen']:,} villages/communities could be covered" in d["explanation_en"]
    assert int((~ua["covered_after"]).sum()) == mclp.after["uncovered_units"]


def test_full_coverage_has_no_explanation(shiyan):
    d = propose(shiyan, "cemetery", model="lscp").to_dict()
    assert d["after"]["uncovered_units"] == 0
    assert d["explanation_zh"] == "" and d["explanation_en"] == ""
    assert all(s["reason_zh"].startswith("新增覆盖") and "个县城或乡镇驻地" in s["reason_zh"] for s in d["sites"])


def test_infeasible_standard_names_the_villages(shiyan):
    with pytest.raises(InfeasibleError) as e:
        propose(shiyan, "elderly_complex", model="lscp", standard=0.01)
    zh, en = e.value.message("zh"), e.value.message("en")
    units = demand_units(shiyan, get_type("elderly_complex"))
    first = units.iloc[0]
    assert first["name"] in zh and first["id"] in zh and first["name"] in en
    assert f"等{len(units):,}个" in zh and f"and {len(units) - 5:,} more" in en
    for text in (zh, en):
        assert not re.search(r"\[\s*\d+\s*(,\s*\d+\s*)*", text)    # no raw index list
    assert "提高服务标准" in zh and "增加候选点位" in zh and "MCLP" in zh
    assert "Raise the service standard" in en and "MCLP" in en
    assert "demand_index" not in e.value.details and e.value.details["count"] == len(units)


def test_group_limit_error_is_told_in_planner_terms(shiyan):
    from planner.rationale import readable_infeasible

    ft = get_type("elderly_complex")
    raw = InfeasibleError("The group limits allow at most 90 new sites, fewer than p = 95.",
                          "分组上限最多只允许 90 个新站点，少于 p = 95。",
                          details={"p": 95, "group_max_total": 90, "group_min_total": 0})
    err = readable_infeasible(raw, ft, "mclp", demand_units(shiyan, ft), 95)
    assert "最多可新建90处" in err.message("zh") and "95" in err.message("zh")
    assert "one per township" in err.message("en") and "分组" not in err.message("zh")
