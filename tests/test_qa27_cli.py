"""QA 27 (CLI analysis commands): a proposal GeoJSON without its data version, and `targets --proposal` counting
a site on a candidate forbidden since without a word; `--network` without `--mode network` silently running the
estimate, the raw "network" in a Chinese header and 0.0 % with no word of the units off the network; the
checklist export without the web's capacity columns; county seats "not illustrative" and imported official
village points "illustrative"; text answers without their units, basis or service standard; `solve` without an
`engine` when a bound proved it, with advice about marks it has none of, and a Python list of duplicate ids."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from test_qa20_cli import var  # noqa: F401  (a data store of its own, the embedded data at first)
from test_qa21_cli import run


def table(path: Path) -> list[dict]:
    """An --out CSV's rows (under its title row) as dicts of text."""
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    return [dict(zip(rows[1], r)) for r in rows[2:]]


# -- 1. a proposal file names its data version; targets says what changed since --------------------------------

def test_proposal_records_its_version_and_targets_says_when_the_data_moved_on(var, tmp_path, capsys):
    plan = tmp_path / "p8.geojson"
    code, out, err = run(capsys, "propose", "--type", "elderly_complex", "--p", "8", "--out", str(plan))
    assert code == 0, err
    fc = json.loads(plan.read_text(encoding="utf-8"))
    assert fc["coverplan"]["dataset_version"] == 0
    seat = next(f["properties"] for f in fc["features"]
                if str(f["properties"].get("candidate_id", "")).startswith("cand-seat-"))
    # on the data it was solved on: no note
    code, out, err = run(capsys, "--lang", "en", "targets", "--proposal", str(plan), "--json")
    assert code == 0 and json.loads(out)["notes"] == [], err
    # a mark made since: a new data version, the site's candidate forbidden for every type
    code, out, err = run(capsys, "data", "mark", seat["candidate_id"], "--type", "elderly_complex",
                         "--forbidden", "--all-types")
    assert code == 0, err
    code, out, err = run(capsys, "--lang", "en", "targets", "--proposal", str(plan), "--json")
    notes = json.loads(out)["notes"]
    assert code == 0 and len(notes) == 2, (notes, err)
    assert notes[0] == ("p8.geojson (data version v0) not solved on the current data v1: the figures after the "
                        "package add their sites to the current data"), notes
    assert "1 site stands on a candidate site now marked forbidden" in notes[1] and seat["candidate_id"] in notes[1]
    code, out, err = run(capsys, "targets", "--proposal", str(plan))
    assert code == 0
    assert "* 其中p8.geojson（数据版本 v0）不是在当前数据 v1 上求解的" in out, out
    assert f"现已标为禁选：{seat['name']}（{seat['candidate_id']}）" in out, out
    # a file written before the version was recorded says so
    del fc["coverplan"]["dataset_version"]
    old = tmp_path / "old.geojson"
    old.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "--lang", "en", "targets", "--proposal", str(old))
    assert code == 0 and "* old.geojson does not record the data version it was solved on" in out, out


# -- 2. a road network: implied by --network, named in words, units off it said -------------------------------

def test_network_alone_measures_on_it_and_the_text_says_what_is_off_it(var, tmp_path, capsys, monkeypatch):
    from osm_fixtures import write_town
    monkeypatch.setenv("COVERPLAN_CACHE", str(tmp_path / "cache"))
    osm = tmp_path / "town.osm"
    write_town(osm)
    code, out, err = run(capsys, "coverage", "--type", "day_care", "--network", str(osm), "--json")
    d = json.loads(out)
    assert code == 0 and d["mode"] == "network" and d["citywide"]["unreachable_units"] > 0, err
    far = d["citywide"]["unreachable_units"]
    code, out, err = run(capsys, "coverage", "--type", "day_care", "--network", str(osm))
    assert code == 0 and out.splitlines()[0].endswith("（路网）") and "network)" not in out, out
    assert f"{far:,} 个需求单元离路网超过 1 公里" in out, out
    code, out, err = run(capsys, "--lang", "en", "coverage", "--type", "day_care", "--network", str(osm))
    assert code == 0 and out.splitlines()[0].endswith("(road network)"), out
    assert f"{far:,} demand units are more than 1 km from the road network" in out, out
    # --mode estimate typed beside --network: the contradiction is refused, before any data is read
    for lang, said in (("en", "--mode estimate and --network"), ("zh", "相互矛盾")):
        code, out, err = run(capsys, "--lang", lang, "coverage", "--type", "day_care", "--mode", "estimate",
                             "--network", str(osm))
        assert code == 2 and said in err and "Traceback" not in err and out == "", err
    # the estimate header in words
    code, out, err = run(capsys, "coverage", "--type", "day_care")
    assert code == 0 and out.splitlines()[0].endswith("（估算）"), out


# -- 3. the checklist export carries the web's capacity columns ------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_checklist_export_has_the_capacity_columns(var, tmp_path, capsys, lang):
    from geo.regions import load_region
    from planner.capacity import analyse_capacity

    path = tmp_path / "ct.csv"
    code, out, err = run(capsys, "--lang", lang, "check-townships", "--type", "day_care", "--out", str(path))
    assert code == 0, err
    rows = table(path)
    en = lang == "en"
    ratio = "Day places per 1,000 people aged 60+ (illustrative)" if en else "每千名60岁以上老人日托位（示意）"
    std = "Day places per 1,000 people aged 60+ (standard)" if en else "每千名60岁以上老人日托位（标准）"
    short = "Capacity shortfall (day places)" if en else "容量缺口（个日托位）"
    assert {ratio, std, short, "Uncovered units" if en else "未覆盖单元"} <= set(rows[0]), list(rows[0])
    rep = analyse_capacity(load_region("shiyan"), "day_care")
    by = {r["township_code"]: r for r in rep.by_township.to_dict("records")}
    checked = 0
    for r in rows:
        c = by[r["Code" if en else "代码"]]
        if c["status"] == "na":
            assert r[ratio] == r[std] == r[short] == ""
            continue
        assert float(r[ratio]) == pytest.approx(round(c["ratio_per_1000"], 1))
        assert float(r[std]) == c["standard_per_1000"]
        assert int(r[short]) == (int(np.ceil(c["shortfall"])) if c["shortfall"] > 0 else 0)
        checked += 1
    assert checked > 50


def test_checklist_of_several_types_names_each_rows_capacity_unit(var, tmp_path, capsys):
    path = tmp_path / "all.csv"
    code, out, err = run(capsys, "--lang", "en", "check-townships", "--county", "420325", "--out", str(path))
    assert code == 0, err
    rows = table(path)
    assert {"Capacity per 1,000 (illustrative)", "Per-1,000 capacity unit", "Capacity shortfall unit"} <= set(rows[0])
    # by the type's name: the table has the web's columns (QA 31: its type key column was the CLI's alone)
    units = {r["Facility type"]: r["Capacity shortfall unit"] for r in rows if r["Capacity shortfall unit"]}
    assert units.get("Community/village day-care centre") == "day places" and units.get("Rural welfare home") == "beds", \
        units
    assert all(r["Capacity shortfall unit"] == "" for r in rows if r["Facility type"] == "Charity station")


# -- 4. the per-unit 示意 flag from the data's own quality columns ---------------------------------------------

def test_illustrative_flag_follows_the_quality_columns(var, tmp_path, capsys):
    from geo.regions import load_region
    from planner.facility_types import get_type
    from planner.sites import demand_units

    region = load_region("shiyan")
    # the county seats are approximate (provenance: "county seats are approximate"): illustrative
    seats = demand_units(region, get_type("funeral_home"))
    assert len(seats) and seats["synthetic"].all()
    path = tmp_path / "cem.csv"
    code, out, err = run(capsys, "--lang", "en", "coverage", "--type", "cemetery", "--out", str(path))
    assert code == 0, err
    rows = table(path)
    county = [r for r in rows if r["Demand unit code"].startswith("county-")]
    assert len(county) == 8 and all(r["Illustrative data"] == "yes" for r in county), county
    assert all(r["Illustrative data"] == "yes" for r in rows)
    # village points imported as official: not illustrative; the others still are (on a copy of the region: the
    # loaded one is shared by the whole process, and marking it polluted test_region and test_qa27_region_import)
    import copy
    region = copy.copy(region)
    region.villages = region.villages.copy()
    official = region.villages.index[:5]
    region.villages.loc[official, "location_quality"] = "official"
    units = demand_units(region, get_type("day_care")).set_index("id")
    assert not units.loc[[str(c) for c in official], "synthetic"].any()
    assert units.drop(index=[str(c) for c in official])["synthetic"].all()


# -- 5. units, basis and the service standard in the text answers ----------------------------------------------

def test_text_answers_name_their_units_and_standard(var, capsys):
    code, out, err = run(capsys, "capacity", "--type", "welfare_home")
    head = out.splitlines()[0]
    assert code == 0 and "张床位" in head and "按80岁以上人口计" in head and "缺口" in head, head
    code, out, err = run(capsys, "--lang", "en", "capacity", "--beds")
    head = out.splitlines()[0]
    assert "9,360 beds now / 24,424 needed for people aged 60+" in head and "shortfall 15,064 beds" in head, head
    code, out, err = run(capsys, "access", "--type", "day_care")
    assert code == 0 and "每千名60岁以上老人" in out and "个日托位（标准 15）" in out, out
    code, out, err = run(capsys, "--lang", "en", "access", "--type", "day_care")
    assert "day places per 1,000 people aged 60+ (standard 15)" in out, out
    code, out, err = run(capsys, "coverage", "--type", "day_care")
    assert "服务标准：城镇 1公里 / 农村 3公里以内为已覆盖" in out, out
    code, out, err = run(capsys, "--lang", "en", "coverage", "--type", "elderly_complex")
    assert "Service standard: covered within urban 15 min / rural 30 min" in out, out
    code, out, err = run(capsys, "--lang", "en", "coverage", "--type", "funeral_home")
    assert "Service standard: covered when a facility lies inside the area" in out, out
    for argv in (["targets"], ["check-townships", "--type", "cemetery"]):
        code, out, err = run(capsys, *argv)
        assert code == 0 and out.startswith("示意："), (argv, out[:200])
        code, out, err = run(capsys, "--lang", "en", *argv)
        assert code == 0 and out.startswith("illustrative (示意)"), (argv, out[:200])


def test_coverage_and_proposal_tables_line_up_with_chinese_names(var, capsys):
    from cli.output import columns, pad

    assert pad("茅箭区", 10) == "茅箭区    " and columns(pad("丹江口市", 10)) == 10 and pad("ab", 4, ">") == "  ab"
    code, out, err = run(capsys, "coverage", "--type", "elderly_complex")
    rows = [ln for ln in out.splitlines() if ln.startswith("  4203")]
    # the share column starts at one terminal column in every row (after the county names)
    assert len(rows) == 8 and len({columns(ln[:9] + ln[9:].split(" ")[0]) for ln in rows}) > 1  # names differ
    assert len({columns(ln.split("%")[0].rsplit(" ", 1)[0]) for ln in rows}) == 1, rows
    code, out, err = run(capsys, "propose", "--type", "elderly_complex", "--p", "5")
    sites = [ln for ln in out.splitlines() if ln.startswith("  #")]
    assert len(sites) == 5 and len({columns(ln.split("+")[0]) for ln in sites}) == 1, sites


# -- 6. solve names what proved it; no advice about marks it has none of --------------------------------------

def _instance(tmp_path: Path, seed: int = 3) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    demand, cand = tmp_path / "demand.csv", tmp_path / "cand.csv"
    pts = rng.uniform(0, 50000, size=(600, 2))
    demand.write_text("id,x,y,weight\n" + "".join(f"d{i},{x:.1f},{y:.1f},{rng.integers(1, 100)}\n"
                                                  for i, (x, y) in enumerate(pts)), encoding="utf-8")
    cs = rng.uniform(0, 50000, size=(200, 2))
    cand.write_text("id,x,y\n" + "".join(f"c{j},{x:.1f},{y:.1f}\n" for j, (x, y) in enumerate(cs)), encoding="utf-8")
    return demand, cand


@pytest.mark.parametrize("model", [["lscp"], ["mclp", "--p", "5"]])
def test_solve_names_the_engine_that_proved_it(tmp_path, capsys, model):
    demand, cand = _instance(tmp_path)
    code, out, err = run(capsys, "--lang", "en", "solve", "--model", *model, "--demand", str(demand),
                         "--candidates", str(cand), "--radius", "8000", "--json")
    res = json.loads(out)
    assert code == 0 and res["status"] == "optimal", err
    assert res["engine"] in ("bound", "scip", "highs"), res
    if res["engine"] == "bound":
        assert "Lagrangean bound" in res["engine_note"]


def test_an_answer_proven_by_the_bound_says_so():
    from planner.models.result import SolveResult

    def result(details):
        e = np.zeros(0, dtype=int)
        return SolveResult("lscp", "optimal", 3.0, e, e, e, np.zeros(0, bool), 0.0, 1.0, 0.0, details=details)

    assert result({"method": "lagrangean bound"}).engine_fields()["engine"] == "bound"
    assert result({"engine": "highs", "method": "lagrangean bound"}).engine_fields() == {"engine": "highs"}
    assert result({}).engine_fields() == {}


def test_bare_solve_words(tmp_path, capsys):
    demand, cand = _instance(tmp_path)
    # p-median's objective with thousands separators, not 9.01747e+06
    code, out, err = run(capsys, "solve", "--model", "pmedian", "--p", "5", "--demand", str(demand),
                         "--candidates", str(cand))
    line = next(ln for ln in out.splitlines() if ln.startswith("目标值："))
    assert code == 0 and "e+" not in line and "," in line.split("　")[0], line
    # nothing within the radius: no "取消禁选" (bare solve has no marks)
    for lang, bad in (("zh", "取消禁选"), ("en", "un-forbid")):
        code, out, err = run(capsys, "--lang", lang, "solve", "--model", "lscp", "--demand", str(demand),
                             "--candidates", str(cand), "--radius", "10")
        assert code == 2 and bad not in err and "--radius" in err, err
    # duplicate ids joined, not a Python list
    dup = tmp_path / "dup.csv"
    dup.write_text("id,x,y,weight\na,1,2,5\na,3,4,3\n", encoding="utf-8")
    code, out, err = run(capsys, "solve", "--model", "lscp", "--demand", str(dup), "--candidates", str(cand),
                         "--radius", "8000")
    assert code == 2 and "中有重复的 id：a。" in err and "['a']" not in err, err
    code, out, err = run(capsys, "--lang", "en", "solve", "--model", "lscp", "--demand", str(dup),
                         "--candidates", str(cand), "--radius", "8000")
    assert code == 2 and "repeats ids: a." in err, err
    # every candidate an existing facility: one sentence, then what to do
    ex = tmp_path / "ex.csv"
    ex.write_text("id,x,y,existing\nc1,1,2,1\nc2,3,4,1\n", encoding="utf-8")
    code, out, err = run(capsys, "solve", "--model", "mclp", "--p", "2", "--demand", str(demand),
                         "--candidates", str(ex), "--radius", "8000")
    assert code == 2 and "无法新建站点；请在 --candidates 中增加候选点。" in err, err
    code, out, err = run(capsys, "--lang", "en", "solve", "--model", "mclp", "--p", "2", "--demand", str(demand),
                         "--candidates", str(ex), "--radius", "8000")
    assert code == 2 and "so no new site can be proposed; add candidate sites to --candidates." in err, err
