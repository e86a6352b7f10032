"""QA 22 (scope): a city planner (or the no-login local user) could not limit a proposal, an upgrade or a bed
breakdown to one county in the UI or the CLI, though the API took ``county`` (D2); the compare page's change
column did not say which proposal was subtracted from which (D8); a welfare-home upgrade's demand of 45,197
"aged 80+" stood beside the census's 61,637 with no word that it counts rural towns and townships (D5)."""
from __future__ import annotations

import json
import re

import pytest
from accounts import accounts_app, signed_in
from browser import browser, page, poll_js, server  # noqa: F401  (fixtures)

from cli.main import main
from geo.errors import InputDataError
from planner.beds import allocate_beds
from planner.i18n import t
from planner.upgrades import propose_upgrades

FANG = "420325"


# -- D2, the planner: a county's own bed target; an upgrade in one county --------------------------------
def test_a_county_bed_target_goes_to_its_townships_only(shiyan):
    out = allocate_beds(shiyan, 955, year=2025, county=FANG)
    json.dumps(out, allow_nan=False)
    towns = out["by_township"]
    assert towns and {r["county_code"] for r in towns} == {FANG}
    assert len(towns) == int((shiyan.townships["county_code"] == FANG).sum())
    # the totals add up: townships -> the county's one row -> the target
    assert sum(r["allocated"] for r in towns) == out["allocated"] == 955 and out["not_allocated"] == 0
    assert [c["county_code"] for c in out["by_county"]] == [FANG] and out["by_county"][0]["allocated"] == 955
    assert all(r["enlarge_existing"] + r["new_beds"] == r["allocated"] for r in towns)
    assert {e["township_code"][:6] for e in out["enlarge"]} <= {FANG}
    # citywide holds the county's totals (what the card's summary reads), and the answer names the county
    row = out["by_county"][0]
    assert out["citywide"]["required"] == pytest.approx(row["required"])
    assert out["citywide"]["after"] == pytest.approx(row["supply"] + 955)
    assert out["county"] == {"code": FANG, "name": "房县", "name_en": "Fang County"}
    assert out["notes_zh"][0].startswith("本次分解的是房县的新增床位指标（955 张）")
    assert "Fang County's own target (955 new beds)" in out["notes_en"][0]
    # beds beyond the county's own gaps are the county's to place, not "the counties'"
    big = allocate_beds(shiyan, 99999, county=FANG)
    assert "须由房县另行安排" in big["notes_zh"][-1] and "for Fang County to place" in big["notes_en"][-1]
    # the city's breakdown is as it was
    city = allocate_beds(shiyan, 7136, year=2025)
    assert city["county"] is None and len(city["by_county"]) == 8 and city["allocated"] == 7136


def test_an_unknown_county_is_refused_naming_the_counties(shiyan):
    with pytest.raises(InputDataError) as e:
        allocate_beds(shiyan, 900, county="999999")
    assert e.value.details["parameter"] == "county"
    assert "房县（420325）" in e.value.message("zh") and "Fang County (420325)" in e.value.message("en")
    with pytest.raises(InputDataError) as e:
        propose_upgrades(shiyan, "welfare_home", 1, county="999999")
    assert e.value.details["parameter"] == "county"


def test_an_upgrade_in_one_county_chooses_and_counts_that_county(shiyan):
    plan = propose_upgrades(shiyan, "welfare_home", 2, county=FANG)
    assert set(plan.sites["county_code"]) == {FANG}
    city = propose_upgrades(shiyan, "welfare_home", 2)
    assert plan.before["demand"] < city.before["demand"]
    assert plan.notes[0]["zh"].startswith("需求人数为房县农村乡镇（乡、镇，不含城区街道）的80岁以上人口")
    assert "in Fang County" in plan.notes[0]["en"]


# -- D5: whose people an upgrade's demand counts ------------------------------------------------------------
def test_a_welfare_home_upgrade_names_its_demand_base(shiyan):
    plan = propose_upgrades(shiyan, "welfare_home", 5)
    demand, census = plan.before["demand"], float(shiyan.villages["aged_80"].sum())
    assert demand < census  # 45,197 of 61,637: the reader must be told why
    zh, en = plan.notes[0]["zh"], plan.notes[0]["en"]
    assert zh == (f"需求人数为农村乡镇（乡、镇，不含城区街道）的80岁以上人口（农村福利院的服务对象），共 {demand:,.0f} 人；"
                  f"全市80岁以上人口共 {census:,.0f} 人，其余 {census - demand:,.0f} 人不计入。")
    assert en.startswith("Demand counts people aged 80+ of rural towns and townships (not urban subdistricts), "
                         f"whom a rural welfare home serves: {demand:,.0f}; the whole city has {census:,.0f}")
    # a conversion's base is said by its own note (the role type's demand), not twice
    conv = propose_upgrades(shiyan, "welfare_home", 8, conversion=True)
    assert not any(n["zh"].startswith("需求人数为") for n in conv.notes)


def test_a_proposal_saved_before_the_note_gets_it_on_its_page(shiyan):
    """The saved summary of an upgrade solved before the note: the page names the base all the same."""
    from web.capacity_proposals import view_extra

    plan = propose_upgrades(shiyan, "welfare_home", 5)
    d = plan.to_dict("zh")
    old = {"type": "welfare_home", "kind": "upgrade", "role": None, "params": d["params"], "before": plan.before,
           "after": plan.after, "sites": d["sites"], "field": "beds", "basis": "aged_80",
           "notes_zh": [n["zh"] for n in plan.notes[1:]], "notes_en": [n["en"] for n in plan.notes[1:]]}
    zh, en = view_extra(old, "zh"), view_extra(old, "en")
    demand = f"{plan.after['demand']:,.0f}"
    assert zh["notes"][0] == f"需求人数为农村乡镇（乡、镇，不含城区街道）的80岁以上人口（农村福利院的服务对象），共 {demand} 人。"
    assert en["notes"][0].startswith("Demand counts people aged 80+ of rural towns and townships") and demand in en["notes"][0]
    assert zh["upgrade"]["demand_base"] == "农村乡镇" and en["upgrade"]["demand_base"] == "rural towns and townships"
    # one saved with it keeps one
    new = {**old, "notes_zh": [n["zh"] for n in plan.notes]}
    assert sum(n.startswith("需求人数为") for n in view_extra(new, "zh")["notes"]) == 1


# -- D2, the CLI: --county on `beds` and `upgrade` -----------------------------------------------------------
def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_beds_takes_a_county_by_code_or_name(capsys):
    for county in ("房县", "Fang County", FANG):
        code, out, _ = _run(capsys, "beds", "--target", "900", "--county", county, "--json")
        assert code == 0, out
        res = json.loads(out)
        assert res["county"]["code"] == FANG and res["allocated"] == 900
        assert {r["county_code"] for r in res["by_township"]} == {FANG}
    code, out, err = _run(capsys, "beds", "--target", "900", "--county", "房县")
    assert code == 0 and out.splitlines()[0].startswith("2025 房县 床位指标 900")
    assert "城关镇" in out and "本次分解的是房县的新增床位指标" in err
    code, out, err = _run(capsys, "--lang", "en", "beds", "--target", "900", "--county", "nowhere")
    assert code == 2 and "--county nowhere: no such county" in err and "420325 Fang County" in err


def test_cli_upgrade_takes_a_county(capsys, tmp_path):
    code, out, _ = _run(capsys, "upgrade", "--type", "welfare_home", "--k", "2", "--county", "fang", "--json")
    assert code == 0, out
    res = json.loads(out)
    assert res["county"] == FANG and {s["county_code"] for s in res["sites"]} == {FANG}
    code, out, _ = _run(capsys, "--lang", "en", "upgrade", "--type", "welfare_home", "--k", "2", "--county", FANG)
    assert code == 0 and out.startswith("Rural welfare home · Fang County — 2 facilities")
    # K above the county's limit: said with the county
    code, _, err = _run(capsys, "upgrade", "--type", "welfare_home", "--k", "3", "--county", FANG)
    assert code == 2 and "房县现有农村福利院共" in err and "按县上限最多可选 2 处" in err
    code, _, err = _run(capsys, "--lang", "en", "upgrade", "--type", "welfare_home", "--k", "3", "--county", FANG)
    assert code == 2 and "facilities in Fang County" in err and "the per-county limit allows at most 2" in err


# -- D2, the form: 范围 for a city planner, his county fixed for a county planner ---------------------------
def _select(html: str, sel_id: str) -> str:
    m = re.search(rf'<select id="{sel_id}"[^>]*>.*?</select>', html, re.S)
    assert m, sel_id
    return m.group(0)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("scope"), [("fang", "planner", FANG), ("city", "planner", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_form_offers_the_city_and_each_county(shared, lang):
    html = signed_in(shared, "city").get(f"/proposals?lang={lang}").get_data(as_text=True)
    sel = _select(html, "p-county")
    assert "disabled" not in sel.split(">")[0]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', sel)
    assert options[0] == ("", t("scope_city", lang)) and len(options) == 9
    assert (FANG, "房县" if lang == "zh" else "Fang County") in options
    assert f'<label for="p-county">{t("scope", lang)}</label>' in html
    # K within a picked county's limit: 2 welfare homes a county
    assert re.search(r"data-kmaxcounty='\{[^']*\"420325\": 2", html)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_county_planners_form_shows_his_county_fixed(shared, lang):
    html = signed_in(shared, "fang").get(f"/proposals?lang={lang}").get_data(as_text=True)
    sel = _select(html, "p-county")
    head = sel.split(">")[0]
    why = t("scope_locked", lang, county="房县（420325）" if lang == "zh" else "Fang County (420325)")
    assert " disabled" in head and f'title="{why}"' in head.replace("&#39;", "'")
    assert re.findall(r'<option value="([^"]*)"', sel) == [FANG]
    assert why in html.replace("&#39;", "'")  # said on the page too, not only on hover
    # his K within his county's limit (the form's default 5 welfare homes is clipped to 2 there)
    assert re.search(r"data-kmaxcounty='\{[^']*\"420325\": 2", html)


def test_what_the_form_sends_is_what_the_server_takes(shared):
    """The county planner's form sends his county (the list's one value): accepted and scoped; the city
    planner's 房县 scopes an upgrade to 房县's facilities."""
    r = signed_in(shared, "fang").post("/api/proposals?wait=120", json={"type": "welfare_home", "kind": "upgrade",
                                                                       "k": 1, "county": FANG})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["proposal"]["scope"]["county"] == FANG
    r = signed_in(shared, "city").post("/api/proposals?wait=120", json={"type": "welfare_home", "kind": "upgrade",
                                                                       "k": 2, "county": FANG})
    assert r.status_code == 201, r.get_json()
    p = r.get_json()["proposal"]
    assert p["scope"]["name"] == "房县" and {s["county_code"] for s in p["sites"]} == {FANG}
    html = signed_in(shared, "city").get(f"/proposals/{p['id']}").get_data(as_text=True)
    assert t("proposal_scope", "zh", name="房县") in html
    # D5 on the page: the served line and the first note name the base
    assert "名80岁以上老人（农村乡镇）" in html and "需求人数为房县农村乡镇（乡、镇，不含城区街道）的80岁以上人口" in html
    en = signed_in(shared, "city").get(f"/proposals/{p['id']}?lang=en").get_data(as_text=True)
    assert "people aged 80+ in rural towns and townships" in en and "Demand counts people aged 80+ of rural towns" in en
    # a sized proposal in one county: its new sites are that county's
    r = signed_in(shared, "city").post("/api/proposals?wait=120", json={"type": "elderly_complex", "kind": "sized",
                                                                       "budget_sites": 2, "county": FANG})
    assert r.status_code == 201, r.get_json()
    p = r.get_json()["proposal"]
    assert p["scope"]["county"] == FANG and p["sites"] and {s["county_code"] for s in p["sites"]} == {FANG}


def test_the_bed_card_offers_a_county(shared):
    html = signed_in(shared, "city").get("/").get_data(as_text=True)
    sel = _select(html, "bt-county")
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', sel)
    assert options[0] == ("", "全市") and (FANG, "房县") in options and len(options) == 9
    # what the number means once a county is chosen (shown then by beds.js)
    assert f'id="bt-county-hint" hidden>{t("bt_county_hint", "zh")}</p>' in html


# -- D8: the change column says what is subtracted from what --------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_compare_page_says_b_minus_a(shared, lang):
    c = signed_in(shared, "city")
    ids = []
    for p in (2, 3):
        # (a note of each language's own: the same request within the minute is answered with the first's, QA 35)
        r = c.post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": p, "name": f"日照{p}",
                                                    "note": lang})
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["proposal"]["id"])
    html = c.get(f"/proposals/compare?a={ids[0]}&b={ids[1]}&lang={lang}").get_data(as_text=True)
    head = re.search(r'<table class="data" id="diff">\s*<thead>(.*?)</thead>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", x).strip() for x in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    assert cells == [t("metric", lang), "A · 日照2", "B · 日照3", t("cmp_change_b_minus_a", lang)]
    assert t("cmp_change_b_minus_a", lang) == ("变化（B − A）" if lang == "zh" else "Change (B − A)")
    # and the change is B − A: 2 sites to 3 is +1
    assert ("+1 处" if lang == "zh" else "+1 site") in html
    towns = re.search(r'<table class="data" id="cmp-towns"><thead>(.*?)</thead>', html, re.S).group(1)
    assert [re.sub(r"<[^>]+>", "", x).strip() for x in re.findall(r"<th[^>]*>(.*?)</th>", towns)][1:] == \
        ["A · 日照2", "B · 日照3"]


# -- D2 in a browser: a city planner picks 房县, solves, and the sites are all 房县's --------------------------
def test_a_city_planner_solves_for_one_county_in_the_form(page):
    page.goto(page.base + "/proposals")
    page.select_option("#p-type", "elderly_complex")
    page.select_option("#p-county", FANG)
    page.fill("#p-p", "3")
    page.click("#p-submit")
    poll_js(page, "/\\/proposals\\/[0-9a-f]+$/.test(location.pathname)", timeout=120)
    pid = page.url.rstrip("/").rsplit("/", 1)[-1]
    rec = page.app.test_client().get(f"/api/proposals/{pid}").get_json()
    assert rec["params"]["county"] == FANG and len(rec["sites"]) == 3
    assert {s["county_code"] for s in rec["sites"]} == {FANG}
    assert page.inner_text("#before-after-scope") == t("proposal_scope", "zh", name="房县")
    # the list says its scope
    page.goto(page.base + "/proposals")
    poll_js(page, f"!!document.querySelector('#saved tr[data-id=\"{pid}\"] .scope-name.county')")
    assert page.inner_text(f"#saved tr[data-id='{pid}'] .scope-name") == "房县"


def test_the_form_keeps_k_within_the_picked_county(page):
    page.goto(page.base + "/proposals")
    page.select_option("#p-type", "welfare_home")
    page.select_option("#p-kind", "upgrade")
    assert page.get_attribute("#p-k", "placeholder") == "5"
    page.select_option("#p-county", FANG)
    # 2 welfare homes a county at most: the default 5 would be refused
    assert page.get_attribute("#p-k", "placeholder") == "2" and page.get_attribute("#p-k", "max") == "2"
    page.select_option("#p-county", "")
    assert page.get_attribute("#p-k", "placeholder") == "5"


def test_the_bed_card_asks_for_the_county_and_shows_its_townships(page):
    """The card sends ``county`` and shows the county's townships with a total that adds up (the answer is
    the planner's own, served here: the route's county handling is web/api.py's)."""
    from planner.beds import allocate_beds as allocate

    region = page.app.extensions["coverplan"]["service"].region
    asked = []

    def answer(route):
        from urllib.parse import parse_qs, urlparse
        q = parse_qs(urlparse(route.request.url).query)
        asked.append(q)
        out = allocate(region, int(q["target"][0]), county=q.get("county", [None])[0])
        route.fulfill(status=200, content_type="application/json", body=json.dumps(out))

    page.route("**/api/beds?*", answer)
    page.goto(page.base + "/")
    assert page.is_hidden("#bt-county-hint")
    page.select_option("#bt-county", FANG)
    assert page.is_visible("#bt-county-hint")
    page.fill("#bt-target", "955")
    page.click("#bt-run")
    poll_js(page, "document.getElementById('beds-target-card').dataset.ready === '1'")
    assert asked[-1]["county"] == [FANG] and asked[-1]["target"] == ["955"]
    rows = page.evaluate("""[...document.querySelectorAll('#bt-table tbody tr:not(.total)')].map(r =>
        [r.dataset.township, r.cells[0].textContent, r.cells[4].textContent])""")
    assert rows and all(code.startswith(FANG) for code, _, _ in rows)
    assert "城关镇" in [name for _, name, _ in rows]
    assert sum(int(given.replace(",", "")) for _, _, given in rows) == 955
    total = page.inner_text("#bt-table tr.total td:first-child")
    assert total == t("bt_county_total", "zh", county="房县")
    # the beds needed by the standard: the total is the county's own figure the summary line says (its
    # rounded townships summed to 3,463 beside 3,466: QA 23); the rows, split from it, add up to it (QA 32)
    need = page.evaluate("""[...document.querySelectorAll('#bt-table tbody tr')].map(r => r.cells[1].textContent)""")
    num = [int(x.replace(",", "")) for x in need]
    assert num[-1] == round(allocate(region, 955, county=FANG)["citywide"]["required"])
    assert sum(num[:-1]) == num[-1] and f"按标准应有 {num[-1]:,}" in page.inner_text("#bt-status")
    assert t("qa32fd_whole_note", "zh") in page.inner_text("#bt-result")
    assert "房县床位" in page.inner_text("#bt-status")
    # the whole city: no county sent, the counties' table
    page.select_option("#bt-county", "")
    page.fill("#bt-target", "7136")
    page.click("#bt-run")
    poll_js(page, "document.getElementById('beds-target-card').dataset.ready === '1'")
    assert "county" not in asked[-1]
    assert page.locator("#bt-table tbody tr:not(.total)").count() == 8


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_county_upgrade_without_k_takes_what_the_county_has(shared, lang):
    """The type's default K (5 welfare homes) was refused for 房县, which has 2 within its limit: a 400 over
    a K the client never sent. It is lowered, and the proposal's note says so; a K typed is still checked."""
    city = signed_in(shared, "city")
    r = city.post(f"/api/proposals?wait=120&lang={lang}",
                  json={"type": "welfare_home", "kind": "upgrade", "county": FANG, "note": "县里先做",
                        "name": f"房县提档-{lang}"})  # (named: the same request within the minute is the first's, QA 35)
    assert r.status_code == 201, r.get_json()
    p = r.get_json()["proposal"]
    assert p["params"]["k"] == 2 and "k_default" not in p["params"]
    said = "K 取 2，而非该类型默认的 5" if lang == "zh" else "K = 2, not the type's default 5"
    assert p["note"].startswith("县里先做\n") and said in p["note"], p["note"]
    typed = city.post(f"/api/proposals?lang={lang}", json={"type": "welfare_home", "kind": "upgrade",
                                                           "county": FANG, "k": 5})
    assert typed.status_code == 400 and typed.get_json()["details"]["parameter"] == "k"
