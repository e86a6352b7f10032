"""QA 35 (fixer F3).

1. A sized proposal counted its demand at villages while the coverage counts a type's own points (welfare homes:
   the rural township seats), so its figures and the coverage page's were two (the upgrade was mended in QA 34:
   44,893 covered beside 44,751 at villages). It counts at the points an upgrade counts (planner.upgrades
   upgrade_demand): its "covered before" is the coverage page's figure for the type (GET /api/coverage/<type>), on
   the web (POST /api/proposals, kind sized) and in the CLI (`propose --sizes --json`), while "served" stays bound
   by capacity; the census totals are kept.
2. `coverplan propose --county` did not record the coverage map's figure for the county (the web does,
   planner.proposals.county_map_figure), so a CLI-made proposal opened in the web said the county "before" note
   without the figures. It records it as the web does: the same note either way.
"""
from __future__ import annotations

import json

import pytest

from test_qa21_cli import run
from test_qa33_rerun import propose
from web.app import create_app

YUNXI = "420322"
SIZED = {"welfare_home": "30,60,100", "meal_service": "30,60,100"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa35f3") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def sized(app):
    c = app.test_client()
    store = app.extensions["coverplan"]["store"]
    return {k: store.get(propose(c, type=k, kind="sized", sizes=sizes, budget_sites=1)["id"])
            for k, sizes in SIZED.items()}


# -- 1. a sized proposal counts at the coverage's points --------------------------------------------------------------

@pytest.mark.parametrize("type_key", sorted(SIZED))
def test_a_sized_proposals_covered_before_is_the_coverage_pages(app, sized, type_key):
    cov = app.test_client().get(f"/api/coverage/{type_key}").get_json()["citywide"]
    z = sized[type_key]["summary"]["sized"]["summary"]
    assert z["counted_at"] == "coverage_points"
    assert z["covered_before"] == cov["covered_weight"], (z["covered_before"], cov["covered_weight"])
    # the same people in all: the census's of the type's base, as the coverage counts them
    assert z["demand"] == cov["weight"]
    # served through capacity: never more than within reach once the new site opens, nor than the capacities hold
    assert z["served"] <= z["covered_after"] <= z["demand"]
    per = 1000.0 / sized[type_key]["summary"]["params"]["per_1000"]
    held = sum(e["capacity"] for e in sized[type_key]["summary"]["sized"]["existing"]) * per + \
        sum(s["capacity_people"] for s in sized[type_key]["summary"]["sites"])
    assert z["served"] <= held + 1e-6
    # and the page's note says the two figures, the covered one as the coverage's
    notes = " ".join(sized[type_key]["summary"]["notes_en"])
    assert f"{z['covered_before']:,} people aged 60+" in notes or f"{z['covered_before']:,} people aged 80+" in notes and "the coverage analysis's \"covered\"" in notes, notes


def test_welfare_homes_count_towns_and_townships_at_their_seats(sized):
    s = sized["welfare_home"]["summary"]
    z = s["sized"]["summary"]
    assert z["points"] == "townships" and z["covered_before"] == 44_893  # not the villages' 44,751 (QA 34)
    assert z["demand"] == 45_197  # the rural towns' and townships' people aged 80+, as the census gives them
    served = [v for site in s["sites"] for v in site["assigned_villages"]]
    assert served and all(v["code"].startswith("seat-") for v in served), served
    n = len(s["sites"][0]["assigned_villages"])
    assert f"{n} 个乡镇" in s["sites"][0]["reason_zh"] and "村（社区）" not in s["sites"][0]["reason_zh"]
    assert "town" in s["sites"][0]["reason_en"] and "village" not in s["sites"][0]["reason_en"]
    assert any(x.startswith("每个乡镇按其驻地计") for x in s["notes_zh"]), s["notes_zh"]
    assert not any("每个村（社区）整体" in x for x in s["notes_zh"])


def test_the_cli_gives_the_same_covered_figure(app, capsys):
    cov = app.test_client().get("/api/coverage/welfare_home").get_json()["citywide"]
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "welfare_home", "--sizes", "30,60,100",
                         "--budget", "1", "--json")
    assert code == 0, err
    z = json.loads(out)["summary"]
    assert z["covered_before"] == cov["covered_weight"] and z["counted_at"] == "coverage_points"
    assert z["served"] <= z["covered_after"]


def test_a_type_the_coverage_counts_otherwise_says_its_base(shiyan):
    """Cemeteries: the coverage counts demand points (seats, one each), the capacity people at villages: the
    figures are the villages', and a note says they do not compare (Fang County's, as the web's county form)."""
    from planner.coverage import county_type
    from planner.facility_types import get_type
    from planner.sizing import propose_sized

    out = propose_sized(shiyan, county_type(get_type("cemetery"), "420325", shiyan), [2000], budget_sites=1,
                        time_limit=30)
    z = out["summary"]
    assert z["counted_at"] == "villages" and z["points"] == "villages"
    v = shiyan.villages
    assert z["demand"] == int(v.loc[v["county_code"].astype(str) == "420325", "population"].sum())  # the census's
    assert any("do not compare" in n and "demand points" in n for n in out["notes_en"]), out["notes_en"]


# -- 2. the CLI records the coverage map's figure for a county ------------------------------------------------------

def test_a_cli_county_proposal_opened_in_the_web_says_the_same_note(app, capsys, tmp_path):
    c = app.test_client()
    store = app.extensions["coverplan"]["store"]
    web = store.get(propose(c, type="elderly_complex", county=YUNXI, p=3)["id"])
    assert web["summary"]["scope_map"]["county"] == YUNXI
    path = tmp_path / "yunxi.geojson"
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "elderly_complex", "--county", YUNXI, "--p", "3",
                         "--json", "--out", str(path))
    assert code == 0, err
    cli = json.loads(out)
    meta = json.loads(path.read_text(encoding="utf-8"))["coverplan"]
    for recorded in (cli["scope_map"], meta["scope_map"]):
        assert recorded == web["summary"]["scope_map"], (recorded, web["summary"]["scope_map"])
    assert meta["scope"] == {"county": YUNXI, "name": cli["scope"]["name"]}  # the file's scope kept as it was
    assert meta["before"]["facilities"] == web["summary"]["before"]["facilities"]

    def note(summary, lang):
        pid = store.add(name="cli", type_key="elderly_complex", summary=summary, geojson=web["geojson"],
                        params={**web["params"], "county": YUNXI})
        return c.get(f"/api/proposals/{pid}?lang={lang}").get_json()["scope"]["before_note"]
    for lang in ("zh", "en"):
        mine = c.get(f"/api/proposals/{web['id']}?lang={lang}").get_json()["scope"]["before_note"]
        assert note(cli, lang) == mine and note(meta, lang) == mine, (lang, note(cli, lang), mine)
        assert "(" in mine or "（" in mine  # with the map's figures, not the older wording without them


def test_the_tables_head_towns_and_townships_where_it_counts_them(app, sized, shiyan):
    from cli.capacity import sized_table
    from planner.i18n import t
    from web.capacity_proposals import export_table

    rec = sized["welfare_home"]
    _, columns = export_table(rec, "en")
    heads = [t(label, "en") for _, label in columns]
    assert "Number of towns and townships assigned" in heads and "Number of villages assigned" not in heads, heads
    cli = sized_table({**rec["summary"], "summary": rec["summary"]["sized"]["summary"]}, shiyan, "zh")
    assert "分配乡镇数" in cli.columns and "分配的乡镇名单" in cli.columns, list(cli.columns)
    # counted at villages: the villages' words, as before
    _, columns = export_table(sized["meal_service"], "en")
    assert "Number of villages assigned" in [t(label, "en") for _, label in columns]
