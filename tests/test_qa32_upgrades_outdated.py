"""QA 32 (the plan's "how much" questions).

1. Fifty mutual-aid upgrades: #49 and #50 reach the same 166 people, so each adds nobody given the other,
   yet ``after.idle`` was 0 and no note said that one of them buys nobody (about 20 万元, 示意).
2. One edit of one county's welfare home made every saved proposal "based on data v0, the current data are
   v1" with a re-solve button, though none of them rested on welfare homes.
3. The plan page's list of proposals had no scope: a county's proposal sat beside the city's.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from planner.upgrades import UpgradeInstance, choose, served, surplus_sites
from test_qa21_cli import run
from browser import browser, page, poll_js, server  # noqa: F401,E402  (fixtures)

FANG = "420325"


# -- 1. chosen upgrades that add nobody given the others ----------------------------------------------------
def _shared() -> UpgradeInstance:
    """Two villages; A and B each reach village 0 (100 people) once upgraded, C village 1 (50 people)."""
    up = np.array([[True, True, False], [False, False, True]])
    return UpgradeInstance(weight=np.array([100.0, 50.0]), base_cap=np.zeros(3), up_cap=np.full(3, 200.0),
                           base_reach=np.zeros((2, 3), bool), up_reach=up, county=np.array(["a", "a", "a"]),
                           candidate=np.ones(3, bool))


def test_two_chosen_sites_serving_the_same_people_leave_one_surplus():
    inst = _shared()
    z, _ = choose(inst, 3, None)
    total = served(inst, z)[0]
    assert z.all() and total == pytest.approx(150)
    gains = {}
    for j in range(3):
        without = z.copy()
        without[j] = False
        gains[j] = total - served(inst, without)[0]
    assert gains == pytest.approx({0: 0, 1: 0, 2: 50})  # A and B each add nobody given the other
    surplus, partners = surplus_sites(inst, z, [2, 0, 1], gains, total)
    # one of the two is needed, the other (the last in order) buys nobody; C is never surplus
    assert surplus == {1} and partners[1] == [0]
    kept = z.copy()
    kept[list(surplus)] = False
    assert served(inst, kept)[0] == pytest.approx(total)


def test_fifty_mutual_aid_upgrades_say_only_49_add_anyone(shiyan):
    from planner.upgrades import propose_upgrades

    plan = propose_upgrades(shiyan, "mutual_aid", 50)
    a, s = plan.after, plan.sites
    # the sample data: two centres of one township reach the same 166 people aged 60+
    assert a["idle_given_others"] == 2 and a["surplus"] == 1 and a["needed"] == 49
    assert a["idle"] == a["idle_alone"] == 0  # neither adds nobody on its own: "idle alone" stays distinct
    assert a["surplus_cost"] == pytest.approx(20)  # one upgrade's illustrative cost (万元)
    last = s.iloc[-1]
    assert bool(last["surplus"]) and last["added_served"] == 0 and last["added_alone"] > 0
    assert int(s["surplus"].sum()) == 1 and list(s["priority"]) == list(range(1, 51))
    # the other 49 serve as many as the 50
    from planner.facility_types import get_type
    from planner.upgrades import _instance
    ft = get_type("mutual_aid")
    inst, sites, *_ = _instance(shiyan, ft, ft.upgrade, None, "estimate", None)
    idx = {str(i): j for j, i in enumerate(sites["id"])}
    kept = np.zeros(len(sites), bool)
    kept[[idx[i] for i in s["id"].iloc[:49]]] = True
    assert served(inst, kept)[0] == pytest.approx(a["served"], abs=0.5)
    zh, en = plan.to_dict("zh")["notes"], plan.to_dict("en")["notes"]
    note_zh = next(n for n in zh if n.startswith("K = 50，但只有 49 处增加服务人数"))
    note_en = next(n for n in en if n.startswith("K = 50, but only 49 add anyone"))
    partner = str(s.iloc[-2]["name"])
    assert str(last["name"]) in note_zh and partner in note_zh and "20 万元（示意）" in note_zh
    assert str(last["name"]) in note_en and partner in note_en and "about 20 (10,000 yuan, illustrative)" in note_en
    assert "“" not in note_en and "’" not in note_en  # straight quotes in English
    # each row of the pair says it
    assert "选它只为凑足 K 处" in last["reason_zh"] and "it only makes up K" in last["reason_en"]
    assert "保留本处" in s.iloc[-2]["reason_zh"] and "this one is kept" in s.iloc[-2]["reason_en"]


def test_the_cli_upgrade_prints_the_surplus_note(capsys):
    code, out, err = run(capsys, "--lang", "en", "upgrade", "--type", "mutual_aid", "--k", "50")
    assert code == 0, err
    assert "K = 50, but only 49 add anyone" in err
    assert "it only makes up K" in out


def test_the_api_and_a_saved_upgrade_give_the_count_and_the_note(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    c = app.test_client()
    try:
        d = c.get("/api/upgrades/mutual_aid?k=50&lang=en").get_json()
        assert d["after"]["surplus"] == 1 and d["after"]["needed"] == 49 and d["after"]["idle_given_others"] == 2
        assert any(n.startswith("K = 50, but only 49") for n in d["notes"])
        assert [x["surplus"] for x in d["sites"]].count(True) == 1 and d["sites"][-1]["surplus"]
        r = c.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade", "k": 50})
        assert r.status_code == 201, r.data[:300]
        pid = r.get_json()["proposal"]["id"]
        for lang, lead in (("zh", "K = 50，但只有 49 处增加服务人数"), ("en", "K = 50, but only 49 add anyone")):
            page = c.get(f"/proposals/{pid}?lang={lang}").get_data(as_text=True)
            brief = c.get(f"/proposals/{pid}/brief?lang={lang}").get_data(as_text=True)
            assert lead in page and lead in brief, lang
        assert c.get(f"/api/proposals/{pid}").get_json()["after"]["surplus"] == 1
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 2. outdated means the data the proposal was solved on changed ---------------------------------------------
def _rows(c, lang="en") -> dict:
    return {p["id"]: p for p in c.get(f"/api/proposals?lang={lang}").get_json()}


def _stale(c, pid: str, lang: str = "en", brief: bool = False) -> dict:
    """Whether the proposal page, (the brief,) the list and the API call ``pid`` outdated."""
    page = c.get(f"/proposals/{pid}?lang={lang}").get_data(as_text=True)
    row = _rows(c, lang)[pid]
    out = {"page": 'id="stale-version"' in page, "list": row["outdated"],
           "api": c.get(f"/api/proposals/{pid}?lang={lang}").get_json()["outdated"]}
    if brief:
        out["brief"] = 'id="brief-outdated"' in c.get(f"/proposals/{pid}/brief?lang={lang}").get_data(as_text=True)
    return out


NOT_STALE = {"page": False, "list": False, "api": False}
STALE = {"page": True, "list": True, "api": True}


def test_an_edit_of_another_type_leaves_a_proposal_current_and_one_of_its_type_makes_it_outdated(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    c = app.test_client()
    try:
        ids = {}
        for key, body in (("charity", {"type": "charity_station", "model": "mclp", "p": 2}),
                          ("fang_wh", {"type": "welfare_home", "kind": "upgrade", "k": 2, "county": FANG}),
                          ("city_wh", {"type": "welfare_home", "kind": "upgrade", "k": 2})):
            r = c.post("/api/proposals?wait=120", json=body)
            assert r.status_code == 201, r.data[:300]
            ids[key] = r.get_json()["proposal"]["id"]
        store = app.extensions["coverplan"]["service"].datasets
        fac = store.layers()["facilities"]
        # v1: another type's register (day-care centres): none of the three rests on it
        store.commit_layer("facilities:day_care", fac[fac["facility_type"] == "day_care"].iloc[:6])
        for key in ids:
            assert _stale(c, ids[key]) == NOT_STALE, key
        assert _stale(c, ids["city_wh"], brief=True) == {**NOT_STALE, "brief": False}
        row = _rows(c)[ids["charity"]]
        assert row["data_version"] == 0 and row["data_changed"] == []
        assert "v0" in row["data_note"] and "but not the data this proposal was solved on" in row["data_note"]
        assert "Community/village day-care centre" in row["data_note"]
        assert "不涉及本方案所用的数据" in _rows(c, "zh")[ids["charity"]]["data_note"]
        # v2: a welfare home of another county than Fang's: the city's welfare-home proposal rests on it, Fang's not
        wh = fac[fac["facility_type"] == "welfare_home"]
        other = wh[wh["county_code"].astype(str) != FANG].index[0]
        edited = wh.copy()
        edited.loc[other, "beds"] = float(edited.loc[other, "beds"] or 0) + 7
        store.commit_layer("facilities:welfare_home", edited)
        assert _stale(c, ids["fang_wh"]) == NOT_STALE and _stale(c, ids["charity"]) == NOT_STALE
        assert _stale(c, ids["city_wh"], brief=True) == {**STALE, "brief": True}
        changed = _rows(c)[ids["city_wh"]]["data_changed"]
        assert changed == ["facility register · Rural welfare home"], changed
        page = c.get(f"/proposals/{ids['city_wh']}?lang=zh").get_data(as_text=True)
        assert "本方案基于数据版本 v0，当前数据为 v2。" in page and 'id="rerun"' in page  # the re-solve button stays
        # v3: one of Fang's own welfare homes: its proposal is outdated now
        own = wh[wh["county_code"].astype(str) == FANG].index[0]
        edited.loc[own, "beds"] = float(edited.loc[own, "beds"] or 0) + 5
        store.commit_layer("facilities:welfare_home", edited)
        assert _stale(c, ids["fang_wh"]) == STALE and _stale(c, ids["charity"]) == NOT_STALE
        # re-solving an outdated one still works, and the new one is on the current data
        r = c.post(f"/api/proposals/{ids['fang_wh']}/rerun")
        assert r.status_code == 202 and r.get_json()["rerun_of"] == ids["fang_wh"], r.data[:300]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_village_layer_is_every_proposals_data(tmp_path):
    """Demand layers (villages, townships, population) are data every proposal rests on: unchanged layers
    compare by their stored file, a changed one makes it outdated."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        service = app.extensions["coverplan"]["service"]
        store = service.datasets
        fac = store.layers()["facilities"]
        store.commit_layer("facilities:day_care", fac[fac["facility_type"] == "day_care"].iloc[:6])  # v1
        with app.test_request_context("/"):
            assert service.changed_layers(0, ("villages", "townships", "facilities:cemetery")) == []
            assert service.changed_layers(0, ("villages", "facilities:day_care")) == ["facilities:day_care"]
            assert service.is_current(0, ("villages", "facilities:cemetery"))
            assert not service.is_current(0)  # asked for every layer: the data did change
            assert not service.is_current(99, ("villages",))  # no such version: nothing can be vouched for
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 3. the plan page says each proposal's scope ----------------------------------------------------------------
@pytest.fixture(scope="module")
def plan_ids(server):
    c = server.app.test_client()
    out = {}
    for key, body in (("city", {"type": "charity_station", "model": "mclp", "p": 2}),
                      ("fang", {"type": "welfare_home", "kind": "upgrade", "k": 2, "county": FANG}),
                      ("ma50", {"type": "mutual_aid", "kind": "upgrade", "k": 50})):
        r = c.post("/api/proposals?wait=120", json=body)
        assert r.status_code == 201, r.data[:300]
        out[key] = r.get_json()["proposal"]["id"]
    return out


def test_the_proposals_json_and_the_plan_page_head_give_the_scope(server, plan_ids):
    c = server.app.test_client()
    rows = _rows(c, "en")
    assert rows[plan_ids["fang"]]["scope"] == {"county": FANG, "name": "Fang County"}
    assert rows[plan_ids["city"]]["scope"] == {"county": None, "name": "Whole city"}
    assert _rows(c, "zh")[plan_ids["fang"]]["scope"]["name"] == "房县"
    for lang, head in (("zh", "范围"), ("en", "Scope")):
        html = c.get(f"/plan?lang={lang}").get_data(as_text=True)
        assert re.search(rf'<th class="p-scope-head">{head}</th>', html), lang


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_page_shows_each_proposals_scope(page, plan_ids, lang):
    page.goto(page.base + f"/plan?proposals={plan_ids['fang']}&lang={lang}")
    poll_js(page, "document.querySelectorAll('#plan-proposals input.pick').length > 1")
    scope = page.evaluate("""Object.fromEntries([...document.querySelectorAll('#plan-proposals tbody tr')]
        .map(r => [r.dataset.id, r.querySelector('.p-scope').innerText.trim()]))""")
    assert scope[plan_ids["fang"]] == ("房县" if lang == "zh" else "Fang County")
    assert scope[plan_ids["city"]] == ("全市" if lang == "zh" else "Whole city")
    # the head and each row have as many cells
    cells = page.evaluate("""[document.querySelectorAll('#plan-proposals thead th').length,
        ...[...document.querySelectorAll('#plan-proposals tbody tr')].map(r => r.cells.length)]""")
    assert len(set(cells)) == 1, cells
    # the column more still fits the picker's card
    inside = page.evaluate("""() => { const t = document.getElementById('plan-proposals'), card = t.closest('section');
        return [t.getBoundingClientRect().right, card.getBoundingClientRect().right]; }""")
    assert inside[0] <= inside[1] + 1, inside


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_brief_of_fifty_upgrades_with_the_note_prints_on_one_page(page, plan_ids, lang):
    from browser import wait_map

    page.goto(f"{page.base}/proposals/{plan_ids['ma50']}/brief?lang={lang}")
    wait_map(page)
    lead = "K = 50，但只有 49 处增加服务人数" if lang == "zh" else "K = 50, but only 49 add anyone"
    assert lead in page.inner_text("#brief-notes")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
