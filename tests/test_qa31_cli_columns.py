"""QA 31 (CLI, columns): `data import facilities` of a register with a header the reader does not know (服务中心名字
for the name) told the planner to click "更改列对应" / "Change the column mapping", a button the command line does
not have, and had no way to map the column: it now takes `--column FIELD=HEADER` (the web's mapping, the same
fields, read by the same planner function) and its messages name that option. A workbook of several sheets given
as an analysis's --facilities was told of uploads, replacing the whole city and village files: it is now said for
the analysis (which sheets, how to keep one or join them). And `check-townships --out` had two columns the web's
checklist download lacks (县区代码, 设施类型代码): both now have the web's columns in the web's order."""
from __future__ import annotations

import csv
import io
import json

import pytest

from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run

WEB_BUTTON = ("更改列对应", "Change the column mapping", "数据管理", "Data page")


def _rows(n: int = 4) -> list[str]:
    from geo.regions import load_region

    v = load_region("shiyan").villages.geometry
    return [f"WH{i:03d},福利院{i},农村福利院,{v.iloc[i * 7].x:.6f},{v.iloc[i * 7].y:.6f}" for i in range(n)]


def register(path, header: str = "编号,服务中心名字,类型,经度,纬度") -> str:
    """Four welfare homes at village points, under ``header`` (by default a name column nothing recognises)."""
    path.write_text(header + "\n" + "\n".join(_rows()) + "\n", encoding="utf-8")
    return str(path)


def last_line(err: str) -> str:
    assert "Traceback" not in err, err
    return err.strip().splitlines()[-1]


# -- 1. --column ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unrecognised_name_column_is_told_the_column_option_not_the_web_button(var, tmp_path, capsys, lang):
    src = register(tmp_path / "名录.csv")
    code, _, err = run(capsys, "--lang", lang, "data", "import", "facilities", src, "--dry-run")
    line = last_line(err)
    assert code == 2, err
    assert "--column name=" in line and "服务中心名字" in line, line
    assert not any(w in line for w in WEB_BUTTON), line
    # the same file, the column named: read, its four rows accepted under their names
    code, out, err = run(capsys, "--lang", lang, "data", "import", "facilities", src, "--dry-run", "--json",
                         "--column", "name=服务中心名字")
    assert code == 0, err
    res = json.loads(out)
    assert res["read"]["columns"]["name"] == "服务中心名字"
    assert res["counts"]["accepted"] == 4 and res["counts"].get("refused", 0) == 0, res["counts"]
    assert res["changes"]["facilities"]["added"] and {r["name"] for r in res["changes"]["facilities"]["added"]} \
        == {f"福利院{i}" for i in range(4)}


def test_the_column_option_makes_a_version_and_keeps_the_mapping_with_its_report(var, tmp_path, capsys):
    src = register(tmp_path / "名录.csv")
    code, out, err = run(capsys, "data", "import", "facilities", src, "--json", "--column", "name=服务中心名字")
    assert code == 0, err
    res = json.loads(out)
    assert res["version"] == 1 and res["read"]["columns"]["name"] == "服务中心名字"
    meta = json.loads((var / "reports" / "v1" / "meta.json").read_text(encoding="utf-8"))
    assert meta["options"]["column_map"] == {"name": "服务中心名字"}


def test_the_column_option_takes_the_web_mapping_fields_and_reads_as_the_web_does(tmp_path):
    """The same fields as the web's mapping card (its fields and capacity fields), and the same reading: the
    CLI hands --column to planner.register.validate_register, the function the web's upload calls."""
    from cli.data import COLUMN_FIELDS, column_map
    from geo.regions import load_region
    from planner.register import validate_register
    from planner.register_columns import CAPACITY_FIELDS
    from web.data import MAPPABLE

    assert list(COLUMN_FIELDS) == [*MAPPABLE, *CAPACITY_FIELDS]
    cmap = column_map(["name=服务中心名字", "address="])
    assert cmap == {"name": "服务中心名字", "address": ""}
    rep = validate_register(register(tmp_path / "r.csv"), region=load_region("shiyan"), column_map=cmap)
    assert rep.column_map["name"] == "服务中心名字" and "address" not in rep.column_map


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("argv, said", [
    (["facilities", "--column", "name"], ("FIELD=HEADER", "字段=列名")),
    (["facilities", "--column", "nom=服务中心名字"], ("unknown field 'nom'", "没有字段“nom”")),
    (["facilities", "--column", "name=a", "--column", "name=b"], ("twice", "两次")),
    (["villages", "--column", "name=a"], ("facilities only", "仅用于设施名录")),
])
def test_a_bad_column_option_is_one_sentence_in_the_run_language(var, tmp_path, capsys, lang, argv, said):
    src = register(tmp_path / "名录.csv")
    code, _, err = run(capsys, "--lang", lang, "data", "import", argv[0], src, *argv[1:])
    line = last_line(err)
    assert code == 2 and "--column" in line and said[lang == "zh"] in line, line
    assert line.startswith("错误：" if lang == "zh" else "error: "), line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_header_the_file_has_not_names_the_option(var, tmp_path, capsys, lang):
    src = register(tmp_path / "名录.csv")
    code, _, err = run(capsys, "--lang", lang, "data", "import", "facilities", src, "--dry-run",
                       "--column", "name=机构名字")
    line = last_line(err)
    assert code == 2 and "机构名字" in line and "服务中心名字" in line, line  # the header asked, the file's ones
    assert ("Give --column name= one of the file's headers" if lang == "en" else "请在 --column name= 后填写文件中") in line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_coordinate_columns_not_recognised_are_told_the_column_option(var, tmp_path, capsys, lang):
    src = register(tmp_path / "名录.csv", "编号,名称,类型,东经度数,北纬度数")
    code, _, err = run(capsys, "--lang", lang, "data", "import", "facilities", src, "--dry-run")
    line = last_line(err)
    assert code == 2 and "--column lon=东经度数" in line, line
    code, out, err = run(capsys, "--lang", lang, "data", "import", "facilities", src, "--dry-run", "--json",
                         "--column", "lon=东经度数", "--column", "lat=北纬度数")
    assert code == 0, err
    assert json.loads(out)["counts"]["accepted"] == 4


def test_a_shadowed_column_is_told_the_column_option(var, tmp_path, capsys):
    rows = []
    for r in _rows():  # 名称 beside 机构名称: the same field twice, one read
        cells = r.split(",")
        rows.append(",".join([cells[0], cells[1], cells[1] + "（全称）", *cells[2:]]))
    src = tmp_path / "名录.csv"
    src.write_text("编号,名称,机构名称,类型,经度,纬度\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "data", "import", "facilities", str(src), "--dry-run", "--json")
    assert code == 0, err
    # (their values differ here: said as differing columns, column_values_differ, whose fix names --column too)
    shadowed = [i for i in json.loads(out)["issues"] if i["code"] in ("column_shadowed", "column_values_differ")]
    assert shadowed, json.loads(out)["issues"]
    for i in shadowed:
        assert "--column" in i["fix_zh"] and "--column" in i["fix_en"], i
        assert not any(w in i["fix_zh"] + i["fix_en"] for w in WEB_BUTTON), i


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_analysis_register_without_a_name_column_is_not_told_the_web_button(var, tmp_path, capsys, lang):
    src = register(tmp_path / "名录.csv")
    code, _, err = run(capsys, "--lang", lang, "coverage", "--type", "welfare_home", "--facilities", src)
    line = last_line(err)
    assert code == 2, err
    assert not any(w in line for w in WEB_BUTTON), line
    assert "data import facilities" in line and "--column name=" in line, line


# -- 2. a workbook of several sheets as --facilities ----------------------------------------------------------
@pytest.fixture
def two_sheets(tmp_path):
    import pandas as pd

    df = pd.read_csv(io.StringIO("编号,名称,类型,经度,纬度\n" + "\n".join(_rows())), dtype=str)
    path = tmp_path / "名录.xlsx"
    with pd.ExcelWriter(path) as w:
        df.iloc[:2].to_excel(w, sheet_name="茅箭区", index=False)
        df.iloc[2:].to_excel(w, sheet_name="张湾区", index=False)
    return str(path)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_several_sheets_as_facilities_are_said_for_the_analysis(var, capsys, two_sheets, lang):
    code, _, err = run(capsys, "--lang", lang, "coverage", "--type", "welfare_home", "--facilities", two_sheets)
    line = last_line(err)
    assert code == 2, err
    assert "茅箭区" in line and "张湾区" in line and "--facilities" in line, line
    assert ("“茅箭区”（2 行）" if lang == "zh" else "'茅箭区' (2 rows)") in line, line  # each sheet's rows
    if lang == "en":
        assert "analysis" in line and "one sheet" in line, line
        for word in ("upload", "whole city", "village file", "replaces"):
            assert word not in line.lower(), (word, line)
    else:
        assert "分析" in line and "工作表" in line, line
        for word in ("上传", "全市", "村（社区）文件", "替换"):
            assert word not in line, (word, line)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_several_sheets_imported_are_said_for_the_command_line(var, capsys, two_sheets, lang):
    code, _, err = run(capsys, "--lang", lang, "data", "import", "facilities", two_sheets, "--dry-run")
    line = last_line(err)
    assert code == 2 and "茅箭区" in line and "张湾区" in line, line
    assert ("upload" not in line.lower()) if lang == "en" else ("上传" not in line), line
    assert "--replace city" in line, line


# -- 3. the checklist's columns ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cli_checklist_has_the_web_checklist_columns(var, tmp_path, capsys, lang):
    """One type (all types together take seconds more, and have the same two columns besides)."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    try:
        r = app.test_client().get(f"/api/townships.csv?type=day_care&county=420325&lang={lang}")
        assert r.status_code == 200
        web = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    out = tmp_path / "chk.csv"
    code, _, err = run(capsys, "--lang", lang, "check-townships", "--type", "day_care", "--county", "420325",
                       "--out", str(out), "--json")
    assert code == 0, err
    cli = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert cli[1] == web[1], (web[1], cli[1])
    assert len(cli) == len(web) and len(cli) > 3
    assert ("县区代码" if lang == "zh" else "County code") not in cli[1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_whole_file_refusal_counts_no_rows(var, capsys, tmp_path, lang):
    """A --facilities file without a name column was "0 rows not loaded" / "有 0 行未能导入": said as the file."""
    path = tmp_path / "noname.csv"
    path.write_text("服务中心名字,类型,经度,纬度\n甲,day_care,110.79,32.58\n", encoding="utf-8")
    code, _, err = run(capsys, "--lang", lang, "coverage", "--type", "day_care", "--facilities", str(path))
    line = last_line(err)
    assert code == 2 and ("无法读取该文件" if lang == "zh" else "the file cannot be loaded") in line, line
    assert "0 行" not in line and "0 rows" not in line, line
