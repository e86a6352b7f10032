"""QA 19, CLI: --out tables with a title row (示意), the bed breakdown per county, numeric options named as
the CLI names them, the analyses on the current data version, the village file's header."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from cli.main import main
from geo import settings
from geo.regions import load_region
from test_cli_data import run  # the CLI tests' runner: exit code, JSON or text, stderr


def csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel on Windows needs
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


# -- 1. every CSV/XLSX the CLI writes begins with a title row saying what it is, and 示意 ------------------
@pytest.mark.parametrize("argv, what, header", [
    (["coverage", "--type", "day_care"], "覆盖分析明细", "需求单元代码"),
    (["check-townships", "--type", "day_care"], "乡镇（街道）覆盖清单", "代码"),
    (["capacity", "--beds"], "（各乡镇（街道））", "乡镇代码"),
    (["access", "--type", "day_care"], "E2SFCA", "村（社区）代码"),
    (["upgrade", "--type", "mutual_aid", "--k", "2"], "改造提升的设施", "优先序"),
    (["propose", "--type", "day_care", "--p", "2"], "方案: 社区(村)日间照料中心", "优先序"),
    (["beds", "--target", "7136"], "床位指标分解", "乡镇代码"),
])
def test_csv_out_has_a_title_row_with_the_illustrative_label(argv, what, header, tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert main([*argv, "--out", str(out)]) == 0
    capsys.readouterr()
    rows = csv_rows(out)
    title = rows[0]
    assert len(title) == 1 and what in title[0] and "示意" in title[0] and "数据版本 v0" in title[0]
    assert rows[1][0] == header and len(rows[2]) == len(rows[1])


def test_xlsx_out_has_a_title_row_in_english_too(tmp_path, capsys):
    out = tmp_path / "p.xlsx"
    assert main(["--lang", "en", "propose", "--type", "day_care", "--p", "2", "--out", str(out)]) == 0
    capsys.readouterr()
    ws = openpyxl.load_workbook(out).active
    title = ws.cell(row=1, column=1).value
    assert title.startswith("Proposal: ") and "illustrative (示意)" in title and "data version v0" in title
    assert ws.cell(row=2, column=1).value == "Priority" and ws.cell(row=3, column=1).value == 1


def test_a_proposal_geojson_written_beside_the_tables_is_still_read_back(tmp_path, capsys):
    out = tmp_path / "p.geojson"
    assert main(["propose", "--type", "day_care", "--p", "2", "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    code, res, _ = run(capsys, "targets", "--proposal", str(out), "--json")
    row = next(r for r in res["targets"] if r["key"] == "day_care_full_coverage")
    assert code == 0 and "after" in row


def test_the_title_says_illustrative_only_when_the_inputs_are():
    from cli.output import table_title

    assert "示意" not in table_title("表", ["数据版本 v1"], "zh", illustrative=False)
    assert table_title("表", ["数据版本 v1"], "zh", illustrative=True).endswith("结果仅供讨论。")


# -- 2. beds: a sheet per county for the county bureaus, and the counties' English names ------------------
def test_beds_xlsx_has_a_county_sheet_and_json_names_counties_in_english(tmp_path, capsys):
    out = tmp_path / "beds.xlsx"
    code, res, _ = run(capsys, "beds", "--target", "7136", "--json", "--out", str(out))
    assert code == 0
    names = {c["county_code"]: c["county_name_en"] for c in res["by_county"]}
    assert names["420325"] == "Fang County" and len(names) == 8
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["乡镇（街道）", "县（市、区）"]
    ws = wb["县（市、区）"]
    assert "床位指标分解" in ws.cell(row=1, column=1).value
    head = [c.value for c in ws[2]]
    assert head[:2] == ["县区", "县区代码"] and "county_name_en" not in head
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 9 and rows[-1][0] == "全市"  # the eight counties and the city's total row (QA 32)
    assert sum(r[head.index("分配床位（张）")] for r in rows[:-1]) == res["allocated"] == rows[-1][head.index("分配床位（张）")]


# -- 3. numeric options are named as the CLI names them ------------------------------------------------
@pytest.mark.parametrize("argv, option", [
    (["propose", "--type", "day_care", "--time-limit", "nan"], "--time-limit"),
    (["propose", "--type", "day_care", "--time-limit", "0"], "--time-limit"),
    (["propose", "--type", "day_care", "--gap", "nan"], "--gap"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--time-limit", "inf"], "--time-limit"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--gap", "nan"], "--gap"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--costs", "abc"], "--costs"),
    (["propose", "--type", "welfare_home", "--sizes", "30,60", "--costs", "nan,300"], "--costs"),
    (["propose", "--type", "welfare_home", "--sizes", "99999"], "--sizes"),
    (["propose", "--type", "welfare_home", "--sizes", "nan"], "--sizes"),
    (["upgrade", "--type", "mutual_aid", "--k", "2", "--time-limit", "nan"], "--time-limit"),
])
def test_a_bad_number_is_told_by_the_option_name(argv, option, capsys):
    for lang in ("en", "zh"):
        code, res, _ = run(capsys, "--lang", lang, *argv, "--json")
        assert code == 2 and res["message"].startswith(option + " "), res
        assert "time_limit" not in res["message"] and "(sizes)" not in res["message"] and "（sizes）" not in res["message"]


def test_solve_names_its_time_limit_and_gap(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("id,x,y,weight\na,0,0,1\nb,1,1,2\n")
    (tmp_path / "c.csv").write_text("id,x,y\nc1,0,0\nc2,1,1\n")
    base = ["solve", "--model", "lscp", "--demand", str(tmp_path / "d.csv"), "--candidates", str(tmp_path / "c.csv"),
            "--radius", "1", "--json"]
    for flag in ("--time-limit", "--gap"):
        code, res, _ = run(capsys, "--lang", "en", *base, flag, "nan")
        assert code == 2 and res["message"].startswith(f"{flag} nan: "), res


# -- 4. the analyses answer on the current data version ------------------------------------------------
@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    var = tmp_path / "var"
    monkeypatch.setenv("COVERPLAN_VAR", str(var))
    monkeypatch.setattr(settings, "VAR_DIR", var)  # read from the environment when geo.settings was imported
    yield var


def register_csv(path: Path) -> Path:
    """Five day-care centres at township seats (WGS84)."""
    towns = load_region("shiyan", imports=False).townships.iloc[:5]
    lines = ["id,name,facility_type,lon,lat"] + [
        f"DC-{i + 1},{r['name']}日间照料中心,day_care,{r['seat_lon']:.6f},{r['seat_lat']:.6f}"
        for i, (_, r) in enumerate(towns.iterrows())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_fresh_machine_answers_on_the_embedded_data_and_makes_no_file(var_dir, capsys):
    code, res, _ = run(capsys, "coverage", "--type", "day_care", "--json")
    assert code == 0 and res["dataset_version"] == 0 and res["facilities"] == 473
    assert not var_dir.exists()
    code, _, err = run(capsys, "--lang", "en", "coverage", "--type", "day_care")
    assert code == 0 and "data: data version 0 (the embedded data)" in err


def test_the_analyses_use_the_imported_version(var_dir, tmp_path, capsys):
    src = register_csv(tmp_path / "名录.csv")
    code, out, _ = run(capsys, "data", "import", "facilities", str(src), "--type", "day_care", "--replace", "city",
                       "--json")
    assert code == 0 and out["version"] == 1
    code, res, _ = run(capsys, "coverage", "--type", "day_care", "--json")
    assert code == 0 and res["dataset_version"] == 1 and res["facilities"] == 5
    code, res, _ = run(capsys, "check-townships", "--type", "day_care", "--json")
    assert res["dataset_version"] == 1 and sum(r["facilities"] for r in res["townships"]) == 5
    code, res, _ = run(capsys, "capacity", "--type", "day_care", "--json")
    assert code == 0 and res["dataset_version"] == 1
    code, text, err = run(capsys, "coverage", "--type", "day_care")
    assert code == 0 and "数据：数据版本 1（当前版本）" in err
    out_csv = tmp_path / "c.csv"
    assert main(["coverage", "--type", "day_care", "--out", str(out_csv)]) == 0
    capsys.readouterr()
    assert "数据版本 v1" in csv_rows(out_csv)[0][0]
    # --facilities still replaces the version's register of the type
    one = tmp_path / "one.csv"
    one.write_text("\n".join(register_csv(tmp_path / "x.csv").read_text("utf-8").splitlines()[:2]) + "\n", "utf-8")
    code, res, _ = run(capsys, "coverage", "--type", "day_care", "--facilities", str(one), "--json")
    assert code == 0 and res["facilities"] == 1 and res["dataset_version"] == 1


# -- 5. a village file's header is code,lon,lat -------------------------------------------------------
@pytest.mark.parametrize("content", ["", "lon,lat\n110.8,32.6\n", "name,x\n"])
@pytest.mark.parametrize("argv", [["region", "import", "--villages"], ["data", "import", "villages"]])
def test_a_village_file_is_told_its_header_is_code_lon_lat(argv, content, var_dir, tmp_path, capsys):
    path = tmp_path / "村.csv"
    path.write_text(content, encoding="utf-8")
    code, res, _ = run(capsys, *argv, str(path), "--json")
    assert code == 2
    for lang in ("en", "zh"):
        text = res[f"message_{lang}"]
        assert "code,lon,lat" in text and "id,lon,lat" not in text and "column(s) id" not in text, text
