"""QA 33 (fixer QA33-F7): a re-solve of a county upgrade failed when the data changed under it.

A mutual-aid upgrade for 张湾区 (420303, three centres) with K = 3; one centre removed and one added on the map
without beds; the re-solve kept K = 3 (the form's and the re-solve's count said 3) and the solver refused
"K = 3 过多 … 最多可选 2 处": the solver leaves out a facility of unknown capacity, the form's count did not.
Both now count from one function (planner.upgrades.choosable): the re-solve lowers K to 2 and its note says
that the new centre, without beds, is not a candidate; the proposal form's K limit per county is what the solver
accepts.
"""
from __future__ import annotations

import html
import json
import re

import pytest

from web.app import create_app

ZW = "420303"  # 张湾区: three mutual-aid centres in the sample data


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa33f7") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _service(app):
    return app.extensions["coverplan"]["service"]


def _centres(app, county: str = ZW):
    fac = _service(app).region.facilities
    return fac[(fac["facility_type"].astype(str) == "mutual_aid") & (fac["county_code"].astype(str) == county)]


def _edit(c, **body) -> int:
    r = c.post("/api/data/edits", json={"type": "mutual_aid", **body})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["version"]


def _form_k_max(c, county: str = ZW) -> int | None:
    """The proposal form's K limit for mutual-aid upgrades in ``county`` (pages._form_limits, data-kmaxcounty)."""
    page = c.get("/proposals").get_data(as_text=True)
    opt = re.search(r"<option[^>]*value=\"mutual_aid\"[^>]*>", page, re.S)
    assert opt, "no mutual_aid option"
    m = re.search(r"data-kmaxcounty='([^']*)'", opt.group(0))
    return json.loads(html.unescape(m.group(1))).get(county) if m else None


def _solver_accepts(app, k: int, county: str = ZW) -> bool:
    from geo.errors import InputDataError
    from planner.upgrades import propose_upgrades

    try:
        propose_upgrades(_service(app).region, "mutual_aid", k, county=county, time_limit=20.0)
    except InputDataError as e:
        assert "过多" in e.zh, e.zh
        return False
    return True


def test_a_re_solve_after_a_centre_added_without_beds_lowers_k_and_says_why(app):
    c = app.test_client()
    assert len(_centres(app)) == 3 and _form_k_max(c) == 3
    r = c.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade", "k": 3, "county": ZW})
    assert r.status_code == 201, r.get_json()
    old = r.get_json()["proposal"]
    assert old["params"]["k"] == 3

    mine = _centres(app)
    _edit(c, action="remove", id=str(mine.iloc[0]["id"]))
    g = mine.iloc[1].geometry
    _edit(c, action="add", name="新增测试互助中心", lon=round(g.x + 0.003, 6), lat=round(g.y + 0.003, 6))
    now = _centres(app)
    assert len(now) == 3 and int(now["beds"].isna().sum()) == 1  # three again, one of them without beds

    # the form's limit for the county is what the solver accepts: 2, not the 3 centres there are
    assert _form_k_max(c) == 2
    assert _solver_accepts(app, 2) and not _solver_accepts(app, 3)

    new = rerun_page(app, c, old["id"])
    assert new["params"]["k"] == 2 and len(new["sites"]) == 2
    assert "新增测试互助中心" not in {s["name"] for s in new["sites"]}
    note = new.get("note") or ""
    assert "重新求解时 K 由 3 降为 2" in note and "1 处新增设施未填床位，未作为候选" in note, note


def rerun_page(app, c, pid: str, lang: str = "zh") -> dict:
    """Re-solve proposal ``pid`` and wait: the new proposal as GET /api/proposals/<id> gives it in ``lang``."""
    r = c.post(f"/api/proposals/{pid}/rerun?lang={lang}")
    assert r.status_code == 202, r.get_json()
    job = app.extensions["coverplan"]["jobs"].wait(r.get_json()["id"], timeout=120)
    assert job.state == "done", (job.state, job.error)
    return c.get(f"/api/proposals/{job.result['proposal_id']}?lang={lang}").get_json()


def _with_a_centre_without_beds(app) -> None:
    """The state the first test leaves (a test run alone makes it)."""
    if not _centres(app)["beds"].isna().any():
        test_a_re_solve_after_a_centre_added_without_beds_lowers_k_and_says_why(app)


def test_the_re_solve_note_in_english_names_a_facility_that_was_there_as_such(app):
    """Solved with K = 2 while the centre without beds was there already; a centre with beds removed: K = 1, and
    the note (in English, asked in English) says the centre without beds is no candidate, not as a new one."""
    c = app.test_client()
    _with_a_centre_without_beds(app)
    r = c.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade", "k": 2, "county": ZW})
    assert r.status_code == 201, r.get_json()
    old = r.get_json()["proposal"]
    with_beds = _centres(app)
    _edit(c, action="remove", id=str(with_beds[with_beds["beds"].notna()].iloc[0]["id"]))
    assert _form_k_max(c) == 1
    new = rerun_page(app, c, old["id"], "en")
    note = new.get("note") or ""
    assert new["params"]["k"] == 1 and len(new["sites"]) == 1
    assert "Solved again with K = 1, not 2" in note and "1 facility has no beds given and is not a candidate" in note, note
    assert "added since" not in note and "“" not in note and "”" not in note


def test_the_form_limit_is_what_the_solver_accepts_in_every_county(app, shiyan):
    """upgrade_limit / upgrade_limits_by_county and the solver count alike, a capacity removed included."""
    from planner.coverage import county_type
    from planner.upgrades import choosable
    from web.capacity_proposals import upgrade_limit, upgrade_limits_by_county

    _with_a_centre_without_beds(app)
    s = _service(app)
    ft = s.get_type("mutual_aid")
    by_county = upgrade_limits_by_county(s, ft, False)
    assert by_county[ZW] == len(_centres(app)) - 1 and choosable(s.region, ft)["unknown_by_county"] == {ZW: 1}
    for code in (ZW, "420302"):
        scoped = county_type(ft, code, s.region)
        assert upgrade_limit(s, scoped, False) == by_county[code]
    assert upgrade_limit(s, ft, False) == sum(by_county.values())
    # the untouched sample: the same counts as before (every centre has beds), 10 a county at most
    base = choosable(shiyan, ft)
    assert base["unknown"] == 0 and base["by_county"]["420304"] == 10 and base["by_county"][ZW] == 3


def test_a_county_whose_only_centres_have_no_beds_is_said_so(app):
    """None left of known capacity: the solver's own words (their capacity is unknown), not "there are none"."""
    from geo.errors import InputDataError
    from planner.coverage import county_type
    from planner.upgrades import propose_upgrades
    from web.capacity_proposals import upgrade_limit

    c = app.test_client()
    _with_a_centre_without_beds(app)
    for _, row in _centres(app).iterrows():
        if row["beds"] == row["beds"]:  # the two with beds: removed
            _edit(c, action="remove", id=str(row["id"]))
    s = _service(app)
    ft = county_type(s.get_type("mutual_aid"), ZW, s.region)
    with pytest.raises(InputDataError) as form:
        upgrade_limit(s, ft, False)
    with pytest.raises(InputDataError) as solver:
        propose_upgrades(s.region, ft, 1)
    assert form.value.zh == solver.value.zh and "床位数均未知" in form.value.zh
    r = c.post("/api/proposals?wait=60", json={"type": "mutual_aid", "kind": "upgrade", "k": 1, "county": ZW})
    assert r.status_code == 400 and "床位数均未知" in r.get_json()["message_zh"], r.get_json()


def test_a_k_too_large_says_the_facilities_without_a_capacity_are_not_counted(tmp_path):
    """The form's "at most 2" now counts as the solver does; the refusal says why a facility the planner sees on the
    map is not among them (QA 33, the lead's)."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True, "CSRF_ENABLED": False})
    try:
        c = app.test_client()
        svc = app.extensions["coverplan"]["service"]
        ft = svc.types()["mutual_aid"]
        from web.capacity_proposals import upgrade_choosable
        before = upgrade_choosable(svc, ft, False)
        f = svc.region.facilities
        row = f[(f["facility_type"] == "mutual_aid") & (f["county_code"].astype(str) == "420303")].iloc[0]
        r = c.post("/api/data/edits?lang=zh", json={"action": "add", "type": "mutual_aid", "name": "新增互助照料中心",
                                                     "lon": float(row.geometry.x) + 0.01,
                                                     "lat": float(row.geometry.y) + 0.01})
        assert r.status_code in (200, 201), r.get_json()
        after = upgrade_choosable(svc, ft, False)
        assert after["unknown"] == before["unknown"] + 1 and after["total"] == before["total"]
        for lang, said in (("zh", f"另有 {after['unknown']:,} 处未填床位数"), ("en", "no beds count given")):
            r = c.post(f"/api/proposals?lang={lang}", json={"type": "mutual_aid", "kind": "upgrade",
                                                             "k": after["total"] + 1})
            assert r.status_code == 400, r.get_json()
            assert said in r.get_json()["message"], r.get_json()
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
