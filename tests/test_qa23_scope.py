"""QA 23 (scope): a county's proposal counted the neighbouring counties' facilities as its own. The form
says a county proposal is solved on "that county's demand, facilities and candidate sites only", its
upgrade chose among the county's facilities and its summary counted them (5 -> 8), but the solve and the
sized proposal's table of existing facilities took three complexes of 丹江口市, 茅箭区 and 郧阳区 too."""
from __future__ import annotations

from planner.coverage import analyse_coverage, county_type, existing_facilities
from planner.facility_types import get_type
from planner.proposals import propose
from planner.sizing import propose_sized

FANG = "420325"


def test_a_county_scope_counts_its_own_facilities_only(shiyan):
    ft = get_type("elderly_complex")
    city = existing_facilities(shiyan, ft)
    fang = existing_facilities(shiyan, county_type(ft, FANG, shiyan))
    assert 0 < len(fang) < len(city)
    assert set(fang["county_code"].astype(str)) == {FANG}
    assert len(fang) == int(city["county_code"].astype(str).eq(FANG).sum())
    # a type's own demand counties (funeral homes: three counties plan one) still count every facility
    fh = get_type("funeral_home")
    assert fh.demand_counties and fh.county_scope is None
    assert len(existing_facilities(shiyan, fh)) == int((shiyan.facilities["facility_type"] == "funeral_home").sum())


def test_a_county_sized_proposal_lists_and_uses_only_its_facilities(shiyan):
    ft = county_type(get_type("elderly_complex"), FANG, shiyan)
    out = propose_sized(shiyan, ft, [30, 60, 100], budget_sites=3, time_limit=60)
    ids = {str(i) for i in existing_facilities(shiyan, ft)["id"]}
    assert out["existing"] and {r["id"] for r in out["existing"]} == ids


def test_a_county_proposal_covers_with_its_own_facilities(shiyan):
    """Coverage before the new sites is the county's facilities', not a neighbour's across the border."""
    ft = county_type(get_type("elderly_complex"), FANG, shiyan)
    cov = analyse_coverage(shiyan, ft)
    assert set(cov.facilities["county_code"].astype(str)) == {FANG}
    prop = propose(shiyan, ft, model="mclp", p=2)
    assert prop.before["facilities"] == len(cov.facilities)
    assert prop.before["covered_weight"] == cov.summary["covered_weight"]


def test_a_county_proposals_downloads_name_its_scope(tmp_path):
    """The CSV/XLSX title row and the GeoJSON said nothing of the county, so a file passed around read
    as city-wide figures."""
    import io
    import json

    import openpyxl

    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        c = app.test_client()
        ids = {}
        for county in ("420325", ""):
            r = c.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2,
                                                        "county": county})
            assert r.status_code == 201, r.data[:300]
            ids[county] = r.get_json()["proposal"]["id"]
        fang, city = ids["420325"], ids[""]
        title = c.get(f"/api/proposals/{fang}.csv?lang=zh").data.decode("utf-8-sig").splitlines()[0]
        assert "范围: 房县" in title, title
        assert "Scope: Fang County" in c.get(f"/api/proposals/{fang}.csv?lang=en").data.decode("utf-8-sig")
        assert "范围: 全市" in c.get(f"/api/proposals/{city}.csv?lang=zh").data.decode("utf-8-sig").splitlines()[0]
        ws = openpyxl.load_workbook(io.BytesIO(c.get(f"/api/proposals/{fang}.xlsx?lang=zh").data)).active
        assert "范围: 房县" in str(ws["A1"].value)
        meta = json.loads(c.get(f"/api/proposals/{fang}.geojson?lang=en").data)["coverplan"]
        assert meta["scope"] == {"county": "420325", "name": "Fang County"}
        assert json.loads(c.get(f"/api/proposals/{city}.geojson").data)["coverplan"]["scope"]["county"] is None
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_cli_proposal_files_name_their_scope(tmp_path, capsys, monkeypatch):
    """`propose --county --out` wrote no scope, as the web's downloads did not (the --json answer had it)."""
    import json

    import openpyxl

    from geo import settings
    from test_qa21_cli import run

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    for name in ("p.geojson", "p.xlsx", "city.csv"):
        county = [] if name.startswith("city") else ["--county", "房县"]
        code, _, err = run(capsys, "--lang", "en", "propose", "--type", "elderly_complex", "--p", "2", *county,
                           "--out", str(tmp_path / name))
        assert code == 0, err
    meta = json.loads((tmp_path / "p.geojson").read_text("utf-8"))["coverplan"]
    assert meta["scope"] == {"county": "420325", "name": "Fang County"}
    assert "Scope: Fang County" in str(openpyxl.load_workbook(tmp_path / "p.xlsx").active["A1"].value)
    assert "Scope: Whole city" in (tmp_path / "city.csv").read_text("utf-8-sig").splitlines()[0]


def test_a_cli_sized_proposal_takes_the_county_as_the_web_does(tmp_path, capsys, monkeypatch):
    """`propose --sizes --county 房县` solved for the whole city (served 175,216 of the city's 610,589)."""
    import json

    from geo import settings
    from test_qa21_cli import run
    from web.app import create_app

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "elderly_complex", "--county", "房县",
                         "--sizes", "30,60,100", "--budget", "3", "--json")
    assert code == 0, err
    cli = json.loads(out)
    assert cli["scope"] == {"county": FANG, "name": "Fang County"}
    assert {str(s["county_code"]) for s in cli["sites"]} == {FANG}
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        r = app.test_client().post("/api/proposals?wait=120", json={"type": "elderly_complex", "kind": "sized",
                                                                     "budget_sites": 3, "county": FANG})
        assert r.status_code == 201, r.data[:300]
        web = r.get_json()["proposal"]["sized"]["summary"]
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert cli["summary"]["demand"] == web["demand"] and cli["summary"]["served"] == web["served"]
    assert web["demand"] < 100_000  # the county's people aged 60+, not the city's 610,589


def test_a_county_proposals_page_and_brief_say_the_targets_are_the_citys(tmp_path):
    """The plan's targets (city-wide: 21.7 % / 100 %) stood under "范围：房县" as if they were the county's."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        c = app.test_client()
        ids = {}
        for county in (FANG, ""):
            r = c.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2,
                                                        "county": county})
            assert r.status_code == 201, r.data[:300]
            ids[county] = r.get_json()["proposal"]["id"]
        for page in ("", "/brief"):
            fang = c.get(f"/proposals/{ids[FANG]}{page}?lang=zh").data.decode()
            assert 'id="proposal-targets"' in fang or 'id="brief-targets"' in fang
            assert '<span class="targets-city" id="targets-city">（全市）</span>' in fang, page
            assert "(whole city)" in c.get(f"/proposals/{ids[FANG]}{page}?lang=en").data.decode()
            assert 'id="targets-city"' not in c.get(f"/proposals/{ids['']}{page}?lang=zh").data.decode()
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
