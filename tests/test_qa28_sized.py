"""QA 28 (sized proposals, fixer F1):

1. Per-size costs had no bounds: "1e308,1e308" was solved, the total overflowed to null and the page and brief
   said "新址总造价 0" beside 309-digit site costs; 0.000001 showed as 0. Costs outside 0.01-1,000,000 万元 are
   refused (web 400 naming ``costs`` as typed, CLI ``--costs``); small ones show to 0.01; a missing total is "–".
2. A sized proposal never said how it turns beds into people (10 per 1,000 aged 60+) nor that this differs from
   the overview's 40-per-1,000 bed standard: a note on the page, the brief and the export's title.
3. The county table's demand headers name the basis; the brief's per-size cost row says 示意; the export's title
   carries the total cost and the remaining shortfall.
"""
from __future__ import annotations

import copy
import html as html_text
import re

import pytest

from geo.errors import InputDataError
from planner.facility_types import bed_standard, get_type
from planner.i18n import t
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run

FANG = "420325"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa28s") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def sized(app):
    """One county's sized proposal with small costs (0.5 and 1.25 万元: shown as such, not "0" / "1")."""
    r = app.test_client().post("/api/proposals?lang=zh&wait=120",
                               json={"type": "elderly_complex", "kind": "sized", "sizes": "30,60", "costs": "0.5,1.25",
                                     "budget_sites": 2, "county": FANG})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


def _text(html: str) -> str:
    return html_text.unescape(re.sub(r"<[^>]+>", " ", html))


def _rule_numbers():
    cap = get_type("elderly_complex").capacity
    return cap.per_1000, 1000 / cap.per_1000, bed_standard()["per_1000"]


# -- 1: costs have bounds ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("costs, shown", [("1e308,1e308", "1e308"), ("0.000001,0.000002", "0.000001"),
                                          ([2000000, 500], "2,000,000"), ("500，1e7", "1e7")])
def test_a_cost_out_of_range_is_refused_naming_it(app, costs, shown):
    for lang in ("en", "zh"):
        r = app.test_client().post(f"/api/proposals?lang={lang}",
                                   json={"type": "elderly_complex", "kind": "sized", "sizes": "30,60", "costs": costs})
        assert r.status_code == 400, r.get_json()
        body = r.get_json()
        assert body["details"]["parameter"] == "costs"
        en, zh = body["message_en"], body["message_zh"]
        assert f": {shown} is " in en and "1,000,000" in en and "10,000 yuan" in en and "give one site's cost" in en, en
        assert f"：{shown} " in zh and "1,000,000" in zh and "万元" in zh and "请填写" in zh, zh
        assert "costs" in en and "costs" in zh
        assert "”" not in en and "“" not in en


def test_costs_within_range_are_still_taken():
    from planner.sizing import cost_out_of_range

    assert cost_out_of_range([0.01, 1_000_000, 500]) is None
    assert cost_out_of_range([500, 0.009]) == 1 and cost_out_of_range([1_000_001]) == 0


def test_the_planner_refuses_them_too():
    ft = get_type("elderly_complex")
    from planner.sizing import size_costs
    with pytest.raises(InputDataError) as e:
        size_costs(ft, [30, 60], [1e308, 1e308])
    assert e.value.details["parameter"] == "costs" and "1,000,000" in e.value.message("en")


@pytest.mark.parametrize("lang, part", [("en", "--costs 1e308,1e308: each site's cost in 10,000 yuan, from 0.01 to "
                                                "1,000,000: 1e308 is more than"),
                                        ("zh", "--costs 1e308,1e308 无效：应为每处 0.01 至 1,000,000 万元的造价：1e308 超过")])
def test_cli_refuses_them(var, capsys, lang, part):  # noqa: F811
    code, out, err = run(capsys, "--lang", lang, "propose", "--type", "elderly_complex", "--sizes", "30,60",
                         "--costs", "1e308,1e308", "--budget", "1")
    assert code == 2 and part in err, err


def test_small_costs_show_with_their_decimals(app, sized):
    c = app.test_client()
    assert [s["cost"] for s in sized["sites"]] and {s["cost"] for s in sized["sites"]} <= {0.5, 1.25}
    total = sum(s["cost"] for s in sized["sites"])
    page = c.get(f"/proposals/{sized['id']}?lang=zh").get_data(as_text=True)
    cells = re.findall(r'<td class="num cost">([^<]*)</td>', page)
    assert cells == [f"{s['cost']:g}" for s in sized["sites"]], cells
    shown = f"{total:,.2f}".rstrip("0").rstrip(".")
    assert f'id="sized-total-cost">{shown}</td>' in page
    brief = c.get(f"/proposals/{sized['id']}/brief?lang=zh").get_data(as_text=True)
    assert f'id="brief-cost"><b>{shown}</b>' in brief
    assert re.search(r'id="brief-size-costs">0\.5 / 1\.25<', brief), brief.split('id="brief-size-costs"')[1][:80]
    assert "造价 0.5 万元" in sized["sites"][-1]["reason_zh"] or "造价 1.25 万元" in sized["sites"][0]["reason_zh"]


def test_a_missing_total_cost_is_never_zero(app, sized, monkeypatch):
    """A proposal saved before the limit, whose total overflowed to null: "–", not 0."""
    store = app.extensions["coverplan"]["store"]
    rec = copy.deepcopy(store.get(sized["id"]))
    rec["summary"]["sized"]["summary"]["cost"] = None
    real = store.get
    monkeypatch.setattr(store, "get", lambda pid: copy.deepcopy(rec) if pid == sized["id"] else real(pid))
    c = app.test_client()
    brief = c.get(f"/proposals/{sized['id']}/brief?lang=zh").get_data(as_text=True)
    assert 'id="brief-cost"><b>–</b>' in brief
    page = c.get(f"/proposals/{sized['id']}?lang=en").get_data(as_text=True)
    assert 'id="sized-total-cost">–</td>' in page


# -- 2: the capacity rule, and that it is not the overview's bed standard ------------------------------------------
def test_page_and_brief_state_the_capacity_rule(app, sized):
    per, one, std = _rule_numbers()
    c = app.test_client()
    zh_rule = f"每千名60岁以上老人配置 {per:g} 张床位"
    for url in (f"/proposals/{sized['id']}?lang=zh", f"/proposals/{sized['id']}/brief?lang=zh"):
        text = _text(c.get(url).get_data(as_text=True))
        assert zh_rule in text and f"一张床位服务 {one:,.0f} 名" in text, url
        assert f"不少于 {std:g} 张床位" in text and "总览" in text, url
    text = _text(c.get(f"/proposals/{sized['id']}?lang=en").get_data(as_text=True))
    assert f"{per:g} beds per 1,000 people aged 60+" in text and f"one bed serves {one:,.0f} people aged 60+" in text
    assert f"at least {std:g} beds per 1,000 people aged 60+" in text and "overview's bed standard" in text
    # the brief's shorter wording (one A4 page), the same numbers
    brief = c.get(f"/proposals/{sized['id']}/brief?lang=en").get_data(as_text=True)
    rule = _text(brief.split('id="brief-capacity-rule"')[1].split("</p>")[0])
    assert f"{per:g} beds per 1,000 people aged 60+" in rule and f"one bed serving {one:,.0f}" in rule, rule
    assert f"at least {std:g} beds per 1,000 people aged 60+" in rule and "overview's bed standard" in rule, rule


def test_a_proposal_saved_before_the_rule_gets_it():
    from web.capacity_proposals import view_extra

    per, one, _ = _rule_numbers()
    old = {"kind": "sized", "type": "elderly_complex", "field": "beds", "basis": "aged_60",
           "notes_zh": ["造价为 coverplan 示意假设（万元），请替换为本地概算；", "每个村（社区）整体由一处设施服务。"],
           "sized": {"summary": {"shortfall_capacity": 3.0}, "by_county": []}, "sites": []}
    v = view_extra(old, "zh")
    assert len(v["notes"]) == 3 and f"即一张床位服务 {one:,.0f} 名60岁以上老人" in v["notes"][1]
    assert f"每千名60岁以上老人配置 {per:g} 张床位" in v["capacity_rule"]  # the brief's shorter one


# -- 3: units, 示意 and the export's totals -------------------------------------------------------------------------
@pytest.mark.parametrize("lang, demand, unserved", [("zh", "需求人数（60岁以上老人）", "未服务人数（60岁以上老人）"),
                                                    ("en", "Demand (people aged 60+)", "People not served (people aged 60+)")])
def test_county_table_headers_name_the_basis(app, sized, lang, demand, unserved):
    page = app.test_client().get(f"/proposals/{sized['id']}?lang={lang}").get_data(as_text=True)
    head = page.split('id="sized-by-county"')[1].split("</thead>")[0]
    heads = [html_text.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    assert demand in heads and unserved in heads, heads


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_brief_per_size_costs_are_illustrative(app, sized, lang):
    brief = app.test_client().get(f"/proposals/{sized['id']}/brief?lang={lang}").get_data(as_text=True)
    row = brief.split('id="brief-size-costs"')[0].rsplit("<tr>", 1)[1]
    assert html_text.unescape(t("capw_costs_illustrative", lang)) in html_text.unescape(row)
    assert ("示意" if lang == "zh" else "illustrative") in row


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_export_title_carries_total_cost_shortfall_and_rule(app, sized, lang):
    from web.capacity_proposals import export_title_parts

    per, one, std = _rule_numbers()
    rec = app.extensions["coverplan"]["store"].get(sized["id"])
    z = rec["summary"]["sized"]["summary"]
    parts = export_title_parts(rec, lang)
    total = f"{z['cost']:,.2f}".rstrip("0").rstrip(".")
    assert parts[0] == f"{t('capw_total_cost', lang)}: {total}"
    assert t("capw_remaining_shortfall", lang) in parts[1] and f"{z['shortfall_whole']:,}" in parts[1]
    assert f"{per:g}" in parts[2] and f"{std:g}" in parts[2] and f"{one:,.0f}" in parts[2]
    assert "；" not in parts[2] and "; " not in parts[2]  # the title's own separators
    assert export_title_parts({"summary": {"kind": "upgrade"}}, lang) == []
    # and the downloads' title line carries them (web/api.py proposal_download)
    import csv
    import io
    title = next(csv.reader(io.StringIO(app.test_client().get(f"/api/proposals/{sized['id']}.csv?lang={lang}")
                                        .get_data().decode("utf-8-sig"))))[0]
    assert all(part in title for part in parts), (parts, title)
