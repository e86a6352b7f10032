"""Session 6 small fixes (from the last note's "known, not fixed").

- ``/api/capacity/townships`` now carries ``facilities`` and ``capacity_known`` per township, so a client
  can tell a true 0 from facilities whose capacity is unknown (it reported ratio 0 and a full shortfall
  with nothing to tell them apart).
"""
from __future__ import annotations

import json

from test_qa27_provenance import imported, upload  # noqa: F401  (fixtures and helper)


def test_capacity_townships_says_how_many_capacities_are_known(client, imported):
    types = client.get("/api/capacity/townships").get_json()["types"]
    a, b = imported["a"], imported["b"]
    day = types["day_care"]
    assert (day[a]["facilities"], day[a]["capacity_known"]) == (1, 0)
    assert (day[b]["facilities"], day[b]["capacity_known"]) == (2, 1)
    # every facility of the type is counted once, in its township
    n = len(client.get("/api/facilities?type=day_care").get_json()["rows"])
    assert sum(r["facilities"] for r in day.values()) == n == 5
    assert sum(r["capacity_known"] for r in day.values()) == 3
    for rows in types.values():
        assert all(0 <= r["capacity_known"] <= r["facilities"] for r in rows.values())


def test_the_checklist_export_counts_uncovered_units_as_the_cli_does(client):
    import csv
    import io

    from openpyxl import load_workbook
    for lang, name in (("zh", "未覆盖单元"), ("en", "Uncovered units")):
        table = list(csv.reader(io.StringIO(client.get(f"/api/townships.csv?type=day_care&lang={lang}")
                                            .get_data().decode("utf-8-sig"))))
        head, rows = table[1], table[2:]
        units, cov, unc = (head.index(h) for h in (
            ("单元数" if lang == "zh" else "Units"), ("已覆盖单元" if lang == "zh" else "Covered units"), name))
        assert unc == cov + 1
        assert all(int(r[unc]) == int(r[units]) - int(r[cov]) for r in rows)
        assert sum(int(r[unc]) for r in rows) > 0
        ws = load_workbook(io.BytesIO(client.get(f"/api/townships.xlsx?type=day_care&lang={lang}").data)).active
        assert ws.cell(2, unc + 1).value == name


# -- solve --demand: every problem of the file in one message (it said one kind per run) ----------------------
def test_solve_says_every_problem_of_a_demand_file_at_once(tmp_path, capsys):
    from test_qa21_cli import run
    dem = tmp_path / "dem.csv"
    dem.write_text("id,x,y,weight\nd1,0,0,1\nd2,1,0,nan\nd3,0,1,-2\nd3,1,1,3\nd5,abc,1,1\nd6,0,2,-inf\n", "utf-8")
    cand = tmp_path / "cand.csv"
    cand.write_text("id,x,y\nc1,0,0\nc2,1,1\n", "utf-8")
    args = ["solve", "--model", "lscp", "--demand", str(dem), "--candidates", str(cand), "--radius", "2"]
    code, out, err = run(capsys, "--lang", "en", *args, "--json")
    assert code == 2
    d = json.loads(out or err)
    probs = d["details"]["problems"]
    assert [(p.get("column"), p.get("lines"), p.get("ids")) for p in probs] == [
        (None, None, ["d3"]), ("x", [6], None), ("weight", [3, 7], None), ("weight", [4], None)]
    assert d["message_en"].startswith("The demand file") and "has 4 problems: (1) repeated ids: d3;" in d["message_en"]
    assert "有 4 处问题：（1）重复的 id：d3；" in d["message_zh"] and "第 3、7 行有误" in d["message_zh"]
    # one problem reads as it always did
    dem.write_text("id,x,y,weight\nd1,0,0,1\nd2,1,0,nan\n", "utf-8")
    code, out, err = run(capsys, "--lang", "en", *args)
    assert code == 2 and f"Column 'weight' of {dem} must be a number; bad at line(s) 3." in err, err


# -- township import: a polygon outside its county is said with the file's other problems -----------------------
def test_a_township_file_hears_of_a_misplaced_polygon_and_an_unknown_code_at_once(tmp_path, shiyan):
    import geopandas as gpd
    import pytest

    from geo.errors import InputDataError
    from geo.imports import check_townships
    t = shiyan.townships
    here = t.index[0]
    elsewhere = t[t["county_code"] != t.loc[here, "county_code"]].iloc[0].geometry  # another county's shape
    gdf = gpd.GeoDataFrame({"code": [here, "420399999"]}, geometry=[elsewhere, t.iloc[1].geometry], crs="EPSG:4326")
    path = tmp_path / "towns.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(InputDataError) as exc:
        check_townships(shiyan, path)
    e = exc.value
    assert "unknown township code(s): 420399999" in e.message("en")
    assert f"mostly outside their county: {here}" in e.message("en")
    assert "大部分不在所属县区内" in e.message("zh") and "未知的乡镇代码" in e.message("zh")
    assert e.details["codes"] == [here] and e.details["unknown"] == ["420399999"]
    # the polygon in its own county passes
    gdf = gpd.GeoDataFrame({"code": [here]}, geometry=[t.loc[here, "geometry"]], crs="EPSG:4326")
    gdf.to_file(path, driver="GeoJSON")
    assert list(check_townships(shiyan, path)["code"]) == [here]


# -- the job journal keeps owner and start in columns of their own (they rode in the params) ------------------
def test_the_job_journal_keeps_owner_and_start_and_reads_an_older_database(tmp_path):
    import sqlite3
    import time

    from web.jobs import Job, JobRunner
    from web.store import JobJournal
    db = tmp_path / "old.sqlite"
    # a database of the QA 27 release: no owner/started columns, both kept in the params under "_job"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL, "
                    "state TEXT NOT NULL, created REAL NOT NULL, finished REAL, result TEXT, error TEXT)")
        con.execute("INSERT INTO jobs VALUES (?,?,?,?,?,?,?,?)",
                    ("old1", "proposal", json.dumps({"type": "day_care", "_job": {"owner": "user:7", "started": 5.0}}),
                     "running", time.time() - 60, None, None, None))
    journal = JobJournal(db)
    cols = {r[1] for r in sqlite3.connect(db).execute("PRAGMA table_info(jobs)")}
    assert {"owner", "started"} <= cols
    old = journal.get("old1")
    assert (old.owner, old.started, old.params, old.state) == ("user:7", 5.0, {"type": "day_care"}, "interrupted")
    # a new row: in the columns, the params as given
    journal.record(Job(id="new1", kind="proposal", params={"type": "cemetery"}, state="running", owner="user:8",
                       started=7.5))
    row = sqlite3.connect(db).execute("SELECT owner, started, params FROM jobs WHERE id = 'new1'").fetchone()
    assert row == ("user:8", 7.5, json.dumps({"type": "cemetery"}))
    # a restart lists both cut-off jobs, with their owners and starts
    runner = JobRunner(journal=journal)
    try:
        listed = {j.id: (j.owner, j.started, j.state) for j in runner.list()}
        assert listed == {"old1": ("user:7", 5.0, "interrupted"), "new1": ("user:8", 7.5, "interrupted")}
    finally:
        runner.shutdown()


# -- CLI --out .xlsx: shares are numbers shown as percentages (they were text Excel cannot sum) ----------------
def test_cli_xlsx_shares_are_numbers_with_a_percent_format(var_dir, tmp_path, capsys):
    from openpyxl import load_workbook

    from cli.output import ShareCell
    from planner.i18n import share_text
    from test_qa21_cli import run
    xlsx, csv_path = tmp_path / "t.xlsx", tmp_path / "t.csv"
    for path in (xlsx, csv_path):
        code, _, err = run(capsys, "--lang", "en", "check-townships", "--type", "day_care", "--out", str(path))
        assert code == 0, err
    ws = load_workbook(xlsx).active
    head = [c.value for c in ws[2]]
    j = head.index("Covered share (units)") + 1
    cells = [ws.cell(r, j) for r in range(3, ws.max_row + 1)]
    assert cells and all(isinstance(c.value, (int, float)) and c.number_format in ("0.0%", "0.00%") for c in cells
                         if c.value is not None)
    import csv
    rows = list(csv.reader(csv_path.read_text("utf-8-sig").splitlines()))[2:]
    assert [r[j - 1] for r in rows] == [share_text(c.value) for c in cells]  # the same figures, as text there
    # where a format cannot show what the text says, the text stays
    assert ShareCell(0.99996).number_format() is None and ShareCell(0.9996).number_format() == "0.00%"
    assert ShareCell(0.5).number_format() == "0.0%" and str(ShareCell(0.5)) == "50.0%"


# -- a share short of full never reads "100.0%" on the targets and the compare page --------------------------
def test_a_target_share_short_of_full_is_not_shown_as_the_target():
    import web.service as service
    assert service._target_text("coverage", 0.9996, 1.0) == "99.96% / 100%"
    assert service._target_text("coverage", 0.5, 0.9) == "50.0% / 90%"


# -- a proposal's brief and exports label the data it was solved on, not the current data -----------------------
def test_a_proposal_solved_before_an_import_keeps_its_own_data_labels(client, shiyan):
    import csv
    import io

    from test_qa27_provenance import day_care_register

    def solve() -> str:
        r = client.post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": 2})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["proposal"]["id"]

    def labels(pid: str) -> tuple[str, str]:
        brief = client.get(f"/proposals/{pid}/brief?lang=zh").get_data(as_text=True)
        title = next(csv.reader(io.StringIO(client.get(f"/api/proposals/{pid}.csv?lang=zh")
                                            .get_data().decode("utf-8-sig"))))[0]
        return brief, title

    before = solve()  # on version 0: the sample register
    body, _, _ = day_care_register(shiyan)
    rep = upload(client, body, "日照名录.csv", type="day_care", replace="city").get_json()
    assert client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    after = solve()
    brief, title = labels(before)
    assert "日照名录.csv" not in brief and "日照名录.csv" not in title
    assert "设施名录为合成" in title, title
    brief, title = labels(after)
    assert "日照名录.csv" in brief and "日照名录.csv" in title
    assert "设施名录为合成" not in title, title


# -- all types after one county's import: the partly imported register is named, not called synthetic ----------
def test_the_overview_names_a_register_imported_for_some_counties(client, shiyan):
    import html as htmllib
    import re

    from test_qa27_provenance import day_care_register, title_of
    body, _, _ = day_care_register(shiyan)
    rep = upload(client, body, "日照名录.csv", type="day_care").get_json()  # its counties only
    v = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"]
    for lang, words in (("zh", f"部分导入的设施名录（其余县区为合成示例）：社区(村)日间照料中心（日照名录.csv，数据版本 {v}）"),
                        ("en", f"registers partly imported (the other counties synthetic, the sample): "
                               f"community/village day-care centre (日照名录.csv, data version {v})")):
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        note = htmllib.unescape(re.search(r'data-approx-facilities="([^"]*)"', page).group(1))
        assert words.lower() in note.lower(), note
        assert note != ("设施名录为合成数据" if lang == "zh" else "facility register synthetic")
        every = title_of(client, f"/api/townships.csv?type=&lang={lang}")
        assert words.lower() in every.lower(), every


# -- an environment variable's value is said whole up to 240 characters (a deep path was cut at 80) ------------
def test_a_deep_folder_path_in_a_variable_is_said_whole(tmp_path, monkeypatch, capsys):
    from test_qa21_cli import run
    from test_qa22_env import folder  # the variable as geo.settings reads it at import
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.parent.mkdir()
    deep.write_text("x", encoding="utf-8")
    value = str(deep / "var")
    assert 120 < len(value) < 240
    folder(monkeypatch, "COVERPLAN_VAR", value)
    code, _, err = run(capsys, "--lang", "en", "coverage", "--type", "day_care")
    assert code == 2 and f"COVERPLAN_VAR={value} names a folder that cannot be made" in err, err
    value = str(deep) + "/x" * 200  # under the file too, and longer than 240
    folder(monkeypatch, "COVERPLAN_VAR", value)
    code, _, err = run(capsys, "--lang", "en", "coverage", "--type", "day_care")
    assert code == 2 and f"COVERPLAN_VAR={value[:240]}… names" in err, err


# -- a capacity typed on the map for a sample facility is not an import (QA 28a item 3) --------------------------
def test_a_map_edit_of_sample_rows_does_not_make_the_register_read_as_imported(client, app):
    from test_qa27_provenance import title_of
    rows = client.get("/api/facilities?type=day_care").get_json()["rows"]
    r = client.post("/api/data/edits", json={"action": "update", "type": "day_care", "id": rows[0]["id"],
                                              "fields": {"capacity": None}})
    assert r.status_code == 200, r.get_json()
    zh = title_of(client, "/api/townships.csv?type=day_care&lang=zh")
    assert "设施名录为合成数据" in zh and "部分为合成示例" not in zh and "其余取自已导入" not in zh, zh
    en = title_of(client, "/api/townships.csv?type=day_care&lang=en")
    assert "facility register synthetic" in en and "partly" not in en, en
    every = title_of(client, "/api/townships.csv?type=&lang=zh")
    assert "部分导入" not in every, every
    # still the sample's register where "none of this type" is judged
    from planner.coverage import sample_register
    with app.test_request_context():
        assert sample_register(app.extensions["coverplan"]["service"].region, "day_care")


# -- a urlencoded form that is not UTF-8 is refused naming the field (QA 28c item 6) ----------------------------------
def test_a_form_that_is_not_utf8_is_refused_naming_the_field(client, app):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    before = len(app.extensions["coverplan"]["store"].list())
    for body, field in ((b"type=day_care&model=mclp&p=2&name=%FF%FE", "name"),
                        (b"type=day_care&model=mclp&p=2&name=\xe6\xb5\x8b%FF", "name"),
                        (b"type=day\xff_care&model=mclp&p=2", "type")):
        for lang, words in (("en", "is not UTF-8 text"), ("zh", "不是 UTF-8 文本")):
            r = client.post(f"/api/proposals?lang={lang}", data=body, headers=form)
            assert r.status_code == 400, r.data[:300]
            d = r.get_json()
            assert d["details"]["parameter"] == field and words in d["message"], d
    assert len(app.extensions["coverplan"]["store"].list()) == before  # nothing saved
    # a UTF-8 form (Chinese, percent-encoded) is taken as before
    r = client.post("/api/proposals?wait=120", data="type=day_care&model=mclp&p=2&name=%E6%B5%8B%E8%AF%95".encode(),
                    headers=form)
    assert r.status_code == 201 and r.get_json()["proposal"]["name"] == "测试", r.data[:300]
