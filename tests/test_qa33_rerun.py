"""QA 33 (fixer QA33-F4): a re-solve's card said how the new proposal differs, never why.

GET /api/proposals/<id>/rerun-diff now says which data the proposal rests on changed between the earlier proposal's
data version and the re-solve's (its type's facilities, in its county for a county's proposal, counted as the data
page's diff counts them; the places and people; the marks and planner-added sites), which did not, and the solve
settings that differ; on the same data (the same version, or another type's edit) it says the difference comes from
the settings or the solver. The proposal page's card shows it under its intro.
"""
from __future__ import annotations

import pytest

from accounts import accounts_app, signed_in
from browser import *  # noqa: F401,F403
from browser import ARTIFACTS
from planner.i18n import t

MA = "facilities:mutual_aid"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa33f4"), (("boss", "admin", None),))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def propose(client, **body) -> dict:
    r = client.post("/api/proposals?wait=120", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


def _edit(client, **body) -> int:
    r = client.post("/api/data/edits", json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["version"]


def rerun(app, client, pid: str) -> str:
    r = client.post(f"/api/proposals/{pid}/rerun")
    assert r.status_code == 202, r.get_json()
    job = app.extensions["coverplan"]["jobs"].wait(r.get_json()["id"], timeout=120)
    assert job.state == "done", (job.state, job.error)
    return job.result["proposal_id"]


def rerun_diff(client, pid: str, lang: str) -> dict:
    r = client.get(f"/api/proposals/{pid}/rerun-diff?lang={lang}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def facilities_of(app, ftype: str, county: str | None = None):
    fac = app.extensions["coverplan"]["service"].region.facilities
    fac = fac[fac["facility_type"].astype(str) == ftype]
    return fac[fac["county_code"].astype(str) == county] if county else fac


def test_a_re_solve_after_edits_of_its_type_says_what_changed_with_the_counts(app):
    boss = signed_in(app, "boss")
    county = propose(boss, type="mutual_aid", kind="upgrade", k=3, county="420304")  # 郧阳区: 25 of them
    city = propose(boss, type="mutual_aid", kind="upgrade", k=3)
    va = county["params"]["dataset_version"]
    mine, other = facilities_of(app, "mutual_aid", "420304"), facilities_of(app, "mutual_aid", "420322")
    _edit(boss, action="remove", type="mutual_aid", id=str(mine.iloc[0]["id"]))
    _edit(boss, action="rename", type="mutual_aid", id=str(mine.iloc[1]["id"]), name="郧阳改名测试互助中心")
    # the same type in another county: not the county proposal's data, the city-wide one's
    _edit(boss, action="rename", type="mutual_aid", id=str(other.iloc[0]["id"]), name="郧西改名测试互助中心")
    g = mine.iloc[2].geometry
    _edit(boss, action="add", type="mutual_aid", name="新增测试互助中心", lon=round(g.x + 0.002, 6),
          lat=round(g.y + 0.002, 6))
    dc = facilities_of(app, "day_care").iloc[0]
    vb = _edit(boss, action="rename", type="day_care", id=str(dc["id"]), name="别类改名测试日照中心")  # another type
    new = rerun(app, boss, county["id"])
    for lang, words, where in (("zh", ("新增 1 处", "移除 1 处", "改名或改类型 1 处"), "（郧阳区）"),
                               ("en", ("1 added", "1 removed", "1 renamed or retyped"), " (Yunyang District)")):
        d = rerun_diff(boss, new, lang)
        assert (d["old"]["version"], d["new"]["version"]) == (va, vb)
        assert [x["layer"] for x in d["data_changes"]] == [MA], d["data_changes"]
        change = d["data_changes"][0]
        assert change["county"] == "420304" and change["label"].endswith(
            app.extensions["coverplan"]["service"].get_type("mutual_aid").name(lang))
        assert change["counts"] == {"added": 1, "removed": 1, "moved": 0, "renamed": 1, "capacity": 0, "details": 0}
        assert [x["layer"] for x in d["data_unchanged"]] == ["townships", "villages", "population"]
        assert d["settings_changes"] == []
        assert where in change["text"] and all(w in change["text"] for w in words), change["text"]
        line = d["data_lines"][0]
        assert len(d["data_lines"]) == 1 and d["lines"][1] == line  # said under the intro, before the sites
        rest = t("layer_list_sep", lang).join(t(f"ds_layer_{x}", lang) for x in ("townships", "villages", "population"))
        assert line == (t("qa33f4_data_changed", lang, a=va, b=vb, changes=change["text"])
                        + t("qa33f4_data_rest_same", lang, layers=rest)), line
        assert f"v{va}" in line and f"v{vb}" in line
    # the city-wide proposal rests on every county's facilities of the type: both renames
    d = rerun_diff(boss, rerun(app, boss, city["id"]), "en")
    assert [x["layer"] for x in d["data_changes"]] == [MA]
    assert d["data_changes"][0]["county"] is None
    assert d["data_changes"][0]["counts"]["renamed"] == 2 and d["data_changes"][0]["counts"]["added"] == 1
    assert "2 renamed or retyped" in d["data_lines"][0] and "District" not in d["data_lines"][0]


def test_a_lowered_k_is_said_as_a_setting_that_differs(app):
    boss = signed_in(app, "boss")
    p = propose(boss, type="mutual_aid", kind="upgrade", k=4, county="420302")  # 茅箭区: all 4 of them
    _edit(boss, action="remove", type="mutual_aid", id=str(facilities_of(app, "mutual_aid", "420302").iloc[0]["id"]))
    new = rerun(app, boss, p["id"])
    for lang in ("zh", "en"):
        d = rerun_diff(boss, new, lang)
        assert d["data_changes"][0]["counts"]["removed"] == 1
        assert d["settings_changes"] == [{"key": "k", "label": t("qa33f4_set_k", lang), "old": "4", "new": "3"}]
        said = t("qa33f4_settings_differ", lang, changes=t("qa33f4_setting", lang, label=t("qa33f4_set_k", lang),
                                                                old="4", new="3"))
        assert d["data_lines"][1] == said and d["lines"][2] == said


def test_a_re_solve_after_another_types_edit_lists_nothing_of_its_own(app):
    boss = signed_in(app, "boss")
    p = propose(boss, type="elderly_complex", model="mclp", p=2)
    va = p["params"]["dataset_version"]
    dc = facilities_of(app, "day_care").iloc[1]
    vb = _edit(boss, action="rename", type="day_care", id=str(dc["id"]), name="另一类改名测试日照中心")
    new = rerun(app, boss, p["id"])
    for lang in ("zh", "en"):
        d = rerun_diff(boss, new, lang)
        assert (d["old"]["version"], d["new"]["version"]) == (va, vb) and va != vb
        assert d["data_changes"] == []
        own = [x["layer"] for x in d["data_unchanged"]]
        assert "facilities:elderly_complex" in own and "facilities:day_care" not in own
        assert {"site_marks", "planner_sites", "townships", "population"} <= set(own)
        label = app.extensions["coverplan"]["service"].get_type("day_care").name(lang)
        assert d["data_lines"][0] == t("qa33f4_data_unaffected", lang, a=va, b=vb,
                                       layers=f"{t('ds_layer_facilities', lang)} · {label}")
        assert d["data_lines"][1:] == [t("qa33f4_settings_same", lang)] and d["settings_changes"] == []


def test_a_re_solve_on_the_same_version_says_the_data_are_the_same(app):
    boss = signed_in(app, "boss")
    p = propose(boss, type="mutual_aid", kind="upgrade", k=2)
    new = rerun(app, boss, p["id"])
    v = p["params"]["dataset_version"]
    for lang in ("zh", "en"):
        d = rerun_diff(boss, new, lang)
        assert d["old"]["version"] == d["new"]["version"] == v
        assert d["data_changes"] == [] and d["settings_changes"] == []
        assert d["data_lines"] == [t("qa33f4_data_same_version", lang, v=v), t("qa33f4_settings_same", lang)]
        assert d["lines"][1:3] == d["data_lines"]
        assert t("qa32fi_diff_same", lang, n=2) in d["lines"]  # the same facilities chosen, said after


@pytest.mark.browser
def test_the_card_says_why_under_its_intro(page):
    client = page.base.app.test_client()
    r = client.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade", "k": 3, "county": "420304"})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["proposal"]["id"]
    fac = facilities_of(page.base.app, "mutual_aid", "420304")
    assert client.post("/api/data/edits", json={"action": "remove", "type": "mutual_aid",
                                                "id": str(fac.iloc[3]["id"])}).status_code == 200
    new = rerun(page.base.app, client, pid)
    want = rerun_diff(client, new, "zh")["data_lines"]
    page.goto(f"{page.base}/proposals/{new}?lang=zh")
    page.wait_for_selector("#rerun-diff[data-ready='1']", timeout=30000)
    assert page.locator("#rerun-diff-why li").all_inner_texts() == want
    assert "移除 1 处" in want[0]
    # under the intro, before the figures
    assert page.evaluate("""() => {
        const why = document.getElementById('rerun-diff-why'), table = document.getElementById('rerun-diff-table');
        return !!(document.getElementById('rerun-diff-intro').compareDocumentPosition(why) & Node.DOCUMENT_POSITION_FOLLOWING)
            && !!(why.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert page.locator(".rerun-diff-line").count() >= 1  # the sites' lines still follow the table
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#rerun-diff").screenshot(path=str(ARTIFACTS / "qa33f4-rerun-diff-why.png"))
