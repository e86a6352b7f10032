"""Fixer F11: the plan targets' overlap note (an upgrade and a conversion of one type choosing the same facilities)
and a proposal's default name are made once, in the planner (planner.targets.overlap_notes,
planner.proposals.default_name), and read by the web and the CLI alike: `coverplan targets` said the overlap in its
--out only (not in its text nor --json), and an LSCP run was named "· N sites" by the CLI, not by the web, with the
model in other words."""
from __future__ import annotations

import json
import re

import pytest

from test_qa21_cli import run

MAOJIAN = "420302"  # 茅箭区: one welfare home, so an upgrade and a conversion of K = 1 both choose it


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("f11") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def package(app, tmp_path_factory):
    """An upgrade and a conversion saved on the web, named as the files they are downloaded to (so the web's and
    the CLI's notes name them alike), the web's /api/targets of both, and the two files."""
    c = app.test_client()
    d = tmp_path_factory.mktemp("f11files")
    ids, paths = [], []
    for name, extra in (("u.geojson", {}), ("c.geojson", {"convert": True})):
        r = c.post("/api/proposals?wait=60", json={"type": "welfare_home", "kind": "upgrade", "k": 1,
                                                   "county": MAOJIAN, "name": name, **extra})
        assert r.status_code == 201, r.data[:300]
        ids.append(r.get_json()["proposal"]["id"])
        (d / name).write_bytes(c.get(f"/api/proposals/{ids[-1]}.geojson").data)
        paths.append(str(d / name))
    web = {lang: c.get(f"/api/targets?proposals={','.join(ids)}&lang={lang}").get_json() for lang in ("zh", "en")}
    return web, paths


def _notes(rows) -> dict:
    return {(r["type"], r["key"]): r["overlap_note"] for r in rows if r.get("overlap_note")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_targets_json_and_text_say_the_overlap_as_the_web(package, capsys, lang):
    web, paths = package
    said = _notes(web[lang])
    # both targets the facility moves: the upgrade's type and the conversion's role
    assert {t for t, _ in said} == {"welfare_home", "regional_center"}, said
    note = next(iter(said.values()))
    assert ("“u.geojson”与“c.geojson”选中了相同的 1 处设施" if lang == "zh" else
            '"u.geojson" and "c.geojson" choose the same 1 facility (') in note, note

    args = [x for p in paths for x in ("--proposal", p)]
    code, out, err = run(capsys, "--lang", lang, "targets", *args, "--json")
    assert code == 0, err
    rows = json.loads(out)["targets"]
    assert _notes(rows) == said
    for r in rows:  # what the "after" is made of, under the web's key too
        web_row = next(w for w in web[lang] if w["key"] == r["key"])
        assert ("after" in r) == ("after" in web_row), r["key"]
        if "after" in r:
            assert r["after"]["notes"] == web_row["after"]["notes"], r["key"]

    code, out, err = run(capsys, "--lang", lang, "targets", *args)
    assert code == 0, err
    assert out.count(note) == len(said), out  # under each row it concerns


def test_targets_text_and_json_say_the_versions_behind_after(package, capsys, tmp_path):
    """A file solved on another data version: said on the rows it moves, as `targets --out` says it."""
    _, paths = package
    fc = json.loads(open(paths[1], encoding="utf-8").read())
    fc["coverplan"]["dataset_version"] = 7
    old = tmp_path / "c7.geojson"
    old.write_text(json.dumps(fc, ensure_ascii=False), "utf-8")
    args = ["--proposal", paths[0], "--proposal", str(old)]
    code, out, err = run(capsys, "targets", *args, "--json")
    assert code == 0, err
    rows = {r["type"]: r for r in json.loads(out)["targets"] if r.get("type") == "regional_center"}
    assert "方案求解所用数据：v7（当前 v0）" == rows["regional_center"]["after"]["versions_note"]
    code, out, err = run(capsys, "targets", *args)
    assert code == 0 and "方案求解所用数据：v7（当前 v0）" in out, out


def _untimed(name: str) -> str:
    """A web default name without its time ("·12-07 03:12" / " · 12-07 03:12")."""
    stripped = re.sub(r"\s?·\s?\d\d-\d\d \d\d:\d\d$", "", name)
    assert stripped != name, name
    return stripped


def _unfiled(name: str, stem: str) -> str:
    assert name.endswith(stem), name
    return name[:-len(stem)].rstrip(" ·")


@pytest.mark.parametrize("lang, body, argv, stem", [
    # LSCP: the CLI said "· 3 sites" and "set covering (LSCP)", the web neither
    ("en", {"type": "day_care", "model": "lscp"}, ["propose", "--type", "day_care", "--model", "lscp"], "cover"),
    ("en", {"type": "elderly_complex", "model": "mclp", "p": 1},
     ["propose", "--type", "elderly_complex", "--model", "mclp", "--p", "1"], "one"),
    ("en", {"type": "elderly_complex", "kind": "sized", "sizes": "200,500", "budget_sites": 1},
     ["propose", "--type", "elderly_complex", "--sizes", "200,500", "--budget", "1"], "sized"),
    ("zh", {"type": "welfare_home", "kind": "upgrade", "k": 1, "convert": True},
     ["upgrade", "--type", "welfare_home", "--k", "1", "--convert"], "conv"),
])
def test_the_web_and_the_cli_name_a_run_alike_but_the_tail(app, capsys, tmp_path, lang, body, argv, stem):
    r = app.test_client().post(f"/api/proposals?wait=60&lang={lang}", json={**body, "county": MAOJIAN})
    assert r.status_code == 201, r.data[:300]
    web = _untimed(r.get_json()["proposal"]["name"])
    out = tmp_path / f"{stem}.geojson"
    code, _, err = run(capsys, "--lang", lang, *argv, "--county", MAOJIAN, "--time-limit", "5", "--out", str(out))
    assert code == 0, err
    cli = json.loads(out.read_text("utf-8"))["coverplan"]["name"]
    assert _unfiled(cli, stem) == web, (cli, web)
    if stem == "cover":
        assert web == "Community/village day-care centre · set covering", web
    if stem == "one":
        assert web.endswith(" · maximal covering · 1 site"), web  # "1 sites" before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_default_names_rule_is_one(lang):
    """Every kind the web names (web.proposals / web.capacity_proposals.default_name) as the CLI names its files
    (cli.output.proposal_name), the tail aside."""
    from cli.output import proposal_name
    from planner.facility_types import load_facility_types
    from web import capacity_proposals, proposals

    for ft in load_facility_types().values():
        for model in ("mclp", "lscp", "pmedian", "pcenter"):
            p = None if model == "lscp" else 2
            web = proposals.default_name({"model": model, "p": p}, ft, lang)
            assert _untimed(web) == _unfiled(proposal_name("location", ft, lang, "x/f.geojson", model=model, n=p), "f")
        for params in ({"kind": "sized", "sizes": [2000, 5000]}, {"kind": "upgrade", "k": 3},
                       {"kind": "upgrade", "k": 3, "convert": True}):
            web = capacity_proposals.default_name(params, ft, lang)
            cli = proposal_name("sized" if params["kind"] == "sized" else "upgrade", ft, lang, "f.csv",
                                sizes=params.get("sizes"), k=params.get("k"), convert=bool(params.get("convert")))
            assert _untimed(web) == _unfiled(cli, "f"), (web, cli)
