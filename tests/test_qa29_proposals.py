"""QA 29 (proposals, fixer F2):

4. A sized proposal with no budget: the web solved for the type's usual number of new sites (8 township elderly
   complexes: 3,450 万元, shortfall 219 beds in 房县), `coverplan propose --sizes` without --budget for as many as
   it liked (14 sites, 5,050 万元, shortfall 159). Both now take the type's usual number, and say so: the CLI's
   help, its notes (printed and in --json), web/API.md.
5. The printed brief never said a solve had stopped at the time limit: it gives the solver status and gap in the
   proposal page's words.
7. GET /api/proposals/<id> carried no ``synthetic_inputs`` while `propose --json` and the .geojson did.
6. web/API.md says what ``covered_share`` is at /api/townships (a share of units), unlike /api/coverage's.
"""
from __future__ import annotations

import copy
import html as html_text
import json
import re
from pathlib import Path

import pytest

from planner.facility_types import get_type
from planner.i18n import solver_gap_text, t
from test_qa21_cli import run

FANG = "420325"
API_MD = Path(__file__).resolve().parents[1] / "web" / "API.md"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa29p") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def sized(app):
    """房县's sized proposal of elderly complexes 30/60/100 beds with no budget (the tester's)."""
    r = app.test_client().post("/api/proposals?lang=zh&wait=120",
                               json={"type": "elderly_complex", "kind": "sized", "sizes": "30,60,100", "county": FANG})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["proposal"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", html_text.unescape(re.sub(r"<[^>]+>", "", html))).strip()


def _with_summary(app, monkeypatch, pid: str, change) -> None:
    """The saved proposal ``pid`` as read from now on, its record changed by ``change(rec)``."""
    store = app.extensions["coverplan"]["store"]
    rec = copy.deepcopy(store.get(pid))
    change(rec)
    real = store.get
    monkeypatch.setattr(store, "get", lambda p: copy.deepcopy(rec) if p == pid else real(p))


# -- 4: one default budget for both faces ---------------------------------------------------------------------------
def test_cli_without_a_budget_solves_as_the_web_does(app, sized, capsys):
    usual = get_type("elderly_complex").default_p
    assert sized["params"]["budget_sites"] == usual  # the web's rule
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "elderly_complex", "--sizes", "30,60,100",
                         "--county", "房县", "--json")
    assert code == 0, err
    cli = json.loads(out)
    assert cli["params"]["budget_sites"] == usual
    web, mine = sized["sized"]["summary"], cli["summary"]
    assert mine["new_sites"] == web["new_sites"] == len(sized["sites"]) <= usual
    assert mine["cost"] == pytest.approx(web["cost"]) and mine["shortfall_whole"] == web["shortfall_whole"]
    # said in the notes, in both languages
    assert t("capw_budget_usual", "en", n=usual) in cli["notes_en"]
    assert t("capw_budget_usual", "zh", n=usual) in cli["notes_zh"]
    assert f"type's usual number of new sites, {usual}" in t("capw_budget_usual", "en", n=usual)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_prints_the_default_budget_and_not_a_given_one(capsys, lang):
    usual = get_type("elderly_complex").default_p
    code, out, err = run(capsys, "--lang", lang, "propose", "--type", "elderly_complex", "--sizes", "30,60,100",
                         "--county", "房县")
    assert code == 0, err
    assert t("capw_budget_usual", lang, n=usual) in err
    assert ("8 处新址" if lang == "zh" else "8 new sites") in out, out
    for extra in (["--budget", "3"], ["--budget-cost", "2000"]):
        code, out, err = run(capsys, "--lang", lang, "propose", "--type", "elderly_complex", "--sizes", "30,60,100",
                             "--county", "房县", *extra)
        assert code == 0, err
        assert t("capw_budget_usual", lang, n=usual) not in err, extra


@pytest.mark.parametrize("lang, words", [("en", "usual number of new sites"), ("zh", "常用新建数")])
def test_cli_help_gives_the_default(capsys, lang, words):
    code, out, err = run(capsys, "--lang", lang, "propose", "--help")
    assert code == 0
    budget = re.sub(r"\s+", " ", out.split("\n  --budget BUDGET")[1].split("--budget-cost BUDGET_COST")[0])
    assert words in budget and ("web" in budget if lang == "en" else "网页" in budget), budget


def test_api_md_says_the_cli_takes_the_same_default():
    doc = re.sub(r"\s+", " ", API_MD.read_text(encoding="utf-8"))
    part = doc.split("neither: the type's usual number of sites")[1][:400]
    assert "default_p" in part and "coverplan propose --sizes" in part and "--budget" in part, part


# -- 5: the brief gives the solver status as the page does ----------------------------------------------------------
@pytest.mark.parametrize("status, gap", [("time_limit", 0.0002), ("stopped", 0.013), ("feasible", None)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_brief_says_a_solve_stopped_short(app, sized, monkeypatch, status, gap, lang):
    def change(rec):
        rec["summary"]["solver"] = {**(rec["summary"].get("solver") or {}), "status": status, "mip_gap": gap}
    _with_summary(app, monkeypatch, sized["id"], change)
    c = app.test_client()
    words = t(f"solver_{status}", lang) + solver_gap_text({"status": status, "mip_gap": gap}, lang)
    if gap:
        assert solver_gap_text({"status": status, "mip_gap": gap}, lang)  # a gap is said
    brief = c.get(f"/proposals/{sized['id']}/brief?lang={lang}").get_data(as_text=True)
    m = re.search(r'id="brief-solver">(.*?)</span>', brief, re.S)
    assert m, brief.split('id="brief-params"')[1][:600]
    shown = _text(m.group(1))
    assert words in shown, shown
    # the page's own words
    page = c.get(f"/proposals/{sized['id']}?lang={lang}").get_data(as_text=True)
    line = _text(page.split('id="solver-line"')[1].split("</p>")[0])
    assert words in line, line
    # in the parameters, on the model's row
    params = brief.split('id="brief-params"')[1].split("</table>")[0]
    row = [r for r in params.split("<tr>") if 'id="brief-solver"' in r][0]
    assert f"<th>{t('model', lang)}</th>" in row


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_brief_of_a_proven_best_says_so(app, sized, lang):
    assert sized["solver"]["status"] == "optimal"
    brief = app.test_client().get(f"/proposals/{sized['id']}/brief?lang={lang}").get_data(as_text=True)
    m = re.search(r'id="brief-solver">(.*?)</span>', brief, re.S)
    assert m and t("solver_optimal", lang) in _text(m.group(1))
    params = _text(brief.split('id="brief-params"')[1].split("</table>")[0])
    assert t("solver_time_limit", lang) not in params and t("solver_gap", lang, gap="")[:6] not in params


# -- 7: the API's proposal says what is illustrative ----------------------------------------------------------------
def test_api_proposal_carries_synthetic_inputs(app, sized):
    c = app.test_client()
    got = c.get(f"/api/proposals/{sized['id']}").get_json()
    assert got["synthetic_inputs"] is True
    assert sized["synthetic_inputs"] is True  # the POST ?wait answer too
    geo = c.get(f"/api/proposals/{sized['id']}.geojson").get_json()
    assert geo["coverplan"]["synthetic_inputs"] is got["synthetic_inputs"]


def test_api_proposal_synthetic_inputs_follows_the_saved_record(app, sized, monkeypatch):
    def change(rec):
        rec["summary"]["synthetic_inputs"] = False
        rec["geojson"].setdefault("coverplan", {})["synthetic_inputs"] = False
    _with_summary(app, monkeypatch, sized["id"], change)
    c = app.test_client()
    assert c.get(f"/api/proposals/{sized['id']}").get_json()["synthetic_inputs"] is False
    assert c.get(f"/api/proposals/{sized['id']}.geojson").get_json()["coverplan"]["synthetic_inputs"] is False


def test_a_proposal_saved_before_it_was_recorded_is_illustrative():
    from web.proposals import synthetic_inputs

    assert synthetic_inputs({"summary": {}, "geojson": {"type": "FeatureCollection", "features": []}}) is True
    assert synthetic_inputs({"summary": {"synthetic_inputs": False}, "geojson": {}}) is False
    assert synthetic_inputs({"summary": {"synthetic_inputs": True},
                             "geojson": {"coverplan": {"synthetic_inputs": False}}}) is False  # as the .geojson


def test_api_md_documents_synthetic_inputs():
    row = [r for r in API_MD.read_text(encoding="utf-8").splitlines() if r.startswith("| GET | `/api/proposals/<id>` |")]
    assert len(row) == 1 and "synthetic_inputs" in row[0]


# -- 6: covered_share at /api/townships -----------------------------------------------------------------------------
def test_townships_covered_share_is_documented_as_the_unit_share(app):
    rows = app.test_client().get(f"/api/townships?type=elderly_complex&county={FANG}").get_json()
    r = next(r for r in rows if r["units"] and r["covered_units"] and r["covered_units"] < r["units"])
    assert r["covered_share"] == pytest.approx(r["covered_units"] / r["units"])  # what the doc now says
    row = [x for x in API_MD.read_text(encoding="utf-8").splitlines() if x.startswith("| GET | `/api/townships?")]
    assert len(row) == 1
    assert "covered_units / units" in row[0] and "/api/coverage/<type>" in row[0] and "covered_weight / weight" in row[0]
