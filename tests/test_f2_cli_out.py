"""Fixer F2: the proposal files the CLI writes (`propose`/`upgrade --out` .geojson/.csv/.xlsx) record their name,
the time they were written, their scope and the data version, as the web's downloads of a saved proposal do, and
`map --proposal` / `targets --proposal` still read them; `targets --out` names its files and carries the web's plan
package notes (an upgrade and a conversion choosing the same facilities, the data versions behind "after")."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import openpyxl
import pytest

from test_qa21_cli import run

FANG = "420325"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Every proposal file written once, by small solves (2 sites, short limits), on a data store of its own."""
    from geo import settings

    d = tmp_path_factory.mktemp("f2")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COVERPLAN_VAR", str(d / "var"))
        mp.setattr(settings, "VAR_DIR", d / "var")
        cap = _Cap()
        for lang, argv in [
            ("zh", ["propose", "--type", "elderly_complex", "--p", "2", "--county", "房县", "--time-limit", "5",
                    "--out", str(d / "p.geojson")]),
            ("en", ["propose", "--type", "elderly_complex", "--p", "2", "--county", "房县", "--time-limit", "5",
                    "--out", str(d / "p.xlsx")]),
            ("zh", ["propose", "--type", "elderly_complex", "--p", "2", "--time-limit", "5", "--out", str(d / "p.csv")]),
            ("en", ["upgrade", "--type", "welfare_home", "--k", "2", "--county", "房县", "--time-limit", "5",
                    "--out", str(d / "u.geojson")]),
            ("zh", ["upgrade", "--type", "welfare_home", "--k", "2", "--county", "房县", "--time-limit", "5",
                    "--out", str(d / "u.csv")]),
            ("zh", ["propose", "--type", "elderly_complex", "--sizes", "200,500", "--budget", "1", "--county", "房县",
                    "--time-limit", "3", "--out", str(d / "s.geojson")]),
            ("en", ["propose", "--type", "elderly_complex", "--sizes", "200,500", "--budget", "1", "--county", "房县",
                    "--time-limit", "3", "--out", str(d / "s.xlsx")]),
        ]:
            code, out, err = run(cap, "--lang", lang, *argv)
            assert code == 0, (argv, err)
        yield d, mp, cap


class _Cap:
    """capsys for a module fixture: the runs' output read back from pytest's capture is not needed here."""

    def readouterr(self):
        return type("Out", (), {"out": "", "err": ""})()


def _meta(path) -> dict:
    return json.loads(path.read_text("utf-8"))["coverplan"]


def _recent(iso: str) -> bool:
    return abs((datetime.now() - datetime.fromisoformat(iso)).total_seconds()) < 600


def _title_csv(path) -> str:
    return next(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))[0]


# -- 1. the GeoJSON files: name, created, scope, data version, under the keys the web's download uses ---------------

def test_a_proposal_geojson_records_name_time_scope_and_version(files):
    d, _, _ = files
    m = _meta(d / "p.geojson")
    assert m["name"] == "乡镇(街道)养老服务综合体·最大覆盖·2处·p", m["name"]  # the web's words (F11)
    assert _recent(m["created"])
    assert m["scope"] == {"county": FANG, "name": "房县"}
    assert m["dataset_version"] == 0 and m["kind"] == "location"
    assert m["notes"] == m["notes_zh"] and m["notes"]  # the run's language beside both, as the web's ?lang=


def test_an_upgrade_geojson_records_them_in_the_runs_language(files):
    d, _, _ = files
    m = _meta(d / "u.geojson")
    assert m["name"] == "Rural welfare home · upgrade 2 · u", m["name"]
    assert _recent(m["created"])
    assert m["scope"] == {"county": FANG, "name": "Fang County"}
    assert m["dataset_version"] == 0 and m["kind"] == "upgrade" and m["is_estimate"] is True
    assert m["type_name"] == "Rural welfare home"  # it was written in Chinese on an English run


def test_a_sized_geojson_records_them(files):
    d, _, _ = files
    m = _meta(d / "s.geojson")
    assert m["name"] == "乡镇(街道)养老服务综合体·规模200/500·s", m["name"]
    assert _recent(m["created"]) and m["dataset_version"] == 0 and m["kind"] == "sized"
    assert m["scope"] == {"county": FANG, "name": "房县"}
    assert m["notes"] == m["notes_zh"]


# -- 2. the tables: a title row naming the proposal, its scope, the data version and the time written -------------

def test_the_proposal_tables_title_names_it(files):
    d, _, _ = files
    title = str(openpyxl.load_workbook(d / "p.xlsx").active["A1"].value)
    assert title.startswith("Proposal: Township elderly-service complex · maximal covering · 2 sites · p; "), title
    for part in ("Scope: Fang County", "data version v0", "Urban standard 15 min", f"exported {datetime.now():%Y-}"):
        assert part in title, (part, title)
    city = _title_csv(d / "p.csv")
    assert city.startswith("方案: 乡镇(街道)养老服务综合体·最大覆盖·2处·p；") and "范围: 全市" in city, city
    assert "数据版本 v0" in city and "导出时间 " in city


def test_the_upgrade_and_sized_tables_title_names_them(files):
    d, _, _ = files
    up = _title_csv(d / "u.csv")
    assert up.startswith("方案: 农村福利院·改造提升2处·u；"), up
    assert "改造提升的设施（按优先顺序）: 农村福利院" in up and "范围: 房县" in up and "数据版本 v0" in up
    ws = openpyxl.load_workbook(d / "s.xlsx").active
    sized = str(ws["A1"].value)
    assert sized.startswith("Proposal: Township elderly-service complex · sizes 200/500 · s; "), sized
    assert "Scope: Fang County" in sized and "data version v0" in sized
    assert "Cost of the new sites (10,000 yuan, illustrative): " in sized and "Remaining shortfall: " in sized
    assert ws["A2"].value == "Priority" and ws["A3"].value == 1  # the header and the rows below it


# -- 3. map and targets read the files -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,type_key", [("p.geojson", "elderly_complex"), ("u.geojson", "welfare_home"),
                                           ("s.geojson", "elderly_complex")])
def test_map_reads_the_files_and_titles_them_by_their_name(files, capsys, name, type_key):
    d, _, _ = files
    code, out, err = run(capsys, "--lang", "en", "map", "--type", type_key, "--proposal", str(d / name),
                         "--out", str(d / f"{name}.html"), "--json")
    assert code == 0, err
    meta = _meta(d / name)  # a name the CLI made is read in the run's language (QA 33), a planner's as given
    assert json.loads(out)["title"] == f"{(meta.get('auto_name') or {}).get('en') or meta['name']} · coverplan"
    page = (d / f"{name}.html").read_text("utf-8")
    assert "Fang County" in page  # the scope recorded, not "records no scope"
    assert "records no scope" not in page


def test_targets_reads_them_with_their_versions(files, capsys):
    d, _, _ = files
    code, out, err = run(capsys, "--lang", "en", "targets", "--proposal", str(d / "p.geojson"),
                         "--proposal", str(d / "u.geojson"), "--proposal", str(d / "s.geojson"), "--json")
    body = json.loads(out)
    assert code == 0 and body["notes"] == [], (body["notes"], err)  # every file records its data version now
    upgraded = next(r for r in body["targets"] if r["type"] == "welfare_home" and r["kind"] == "upgraded")
    assert upgraded["after"]["value"] == 2


# -- 4. targets --out: its files named, the overlap and version notes of the web's export ---------------------------

@pytest.fixture()
def overlap(files):
    """The upgrade, its facilities also converted by a second file (solved on data v3), and a third file that
    records no data version."""
    d, _, _ = files
    fc = json.loads((d / "u.geojson").read_text("utf-8"))
    conv = json.loads(json.dumps(fc))
    conv["coverplan"].update(role="regional_center", dataset_version=3, name="转型方案甲")
    (d / "conv.geojson").write_text(json.dumps(conv, ensure_ascii=False), "utf-8")
    old = json.loads((d / "p.geojson").read_text("utf-8"))
    del old["coverplan"]["dataset_version"], old["coverplan"]["name"]
    (d / "old.geojson").write_text(json.dumps(old, ensure_ascii=False), "utf-8")
    return d, [d / "u.geojson", d / "conv.geojson", d / "old.geojson"]


def test_targets_csv_names_its_files_and_says_the_overlap_and_versions(overlap, capsys):
    d, paths = overlap
    out = d / "t.csv"
    code, _, err = run(capsys, "targets", *[x for p in paths for x in ("--proposal", str(p))], "--out", str(out))
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    title = rows[0][0]
    # a name the CLI gave (what it is, then the file's) names the file once; another name as it is
    # (written by an English run: its name in this run's language, QA 33)
    assert "u.geojson（农村福利院·改造提升2处，数据版本 v0）" in title, title
    assert "conv.geojson（转型方案甲，数据版本 v3）" in title and "old.geojson（未记录数据版本）" in title, title
    head = rows[1]
    note = head.index("说明")
    by_text = {r[1]: r[note] for r in rows[2:]}
    both = "“u.geojson”与“conv.geojson”选中了相同的 2 处设施"
    upgrade = next(v for k, v in by_text.items() if k.startswith("提档升级农村福利院"))
    assert both in upgrade and "只计入转型目标" in upgrade, upgrade
    convert = next(v for k, v in by_text.items() if k.startswith("转型建设区域性特困供养服务中心"))
    assert both in convert and "方案求解所用数据：v3（当前 v0）" in convert, convert
    # the conversion moves its source type's targets too (the web's rule, web.pages._moves)
    assert "方案求解所用数据：v0、v3（当前 v0）" in upgrade, upgrade
    complex_ = next(v for k, v in by_text.items() if k.startswith("2025年新建乡镇(街道)养老服务综合体"))
    assert "方案求解所用数据：未记录（当前 v0）" in complex_, complex_
    day_care = next(v for k, v in by_text.items() if k.startswith("社区(村)日间照料中心"))
    assert day_care == "不变"


def test_targets_xlsx_says_them_in_english(overlap, capsys):
    d, paths = overlap
    out = d / "t.xlsx"
    code, _, err = run(capsys, "--lang", "en", "targets", *[x for p in paths for x in ("--proposal", str(p))],
                       "--out", str(out))
    assert code == 0, err
    ws = openpyxl.load_workbook(out).active
    title = str(ws["A1"].value)
    assert "conv.geojson (转型方案甲, data version v3)" in title and "old.geojson (data version not recorded)" in title
    head = [c.value for c in ws[2]]
    notes = [r[head.index("Note")] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert any('"u.geojson" and "conv.geojson" choose the same 2 facilities' in (n or "") for n in notes), notes
    assert any("proposals solved on data v3 (current: v0)" in (n or "") for n in notes), notes
