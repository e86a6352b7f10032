"""QA 31 (fixer QA31-FD): `coverplan data import` said as the browser says it; a village file's repeated column;
a two-row header's shared lower names.

1. A `data import facilities FILE --partial` kept a report without what it replaced (the facilities its refused rows
   stand for, kept), the column mapping or the encoding, which the browser's confirm keeps; a real import said "on
   confirm, this file's ... replace" (a dry run's future) and its "Changes:" left out the addresses it changed.
2. The --column hints named the wrong column when the planner's own --column took the right one
   (--column lon=名称: "e.g. --column name=经度").
3. Two columns of one field with other values: the fix named the Data page's column mapping on the command line.
4. A village file with a column twice: "columns not read: 经度.2" (pandas' name) with a fix on village populations.
5. A two-row header's second shared lower name (负责人 over 名称) was not given its group's name.
"""
from __future__ import annotations

import json

import pytest

from test_qa21_cli import run

FANG = "420325"


def _homes(region, n: int = 6) -> list:
    v = region.villages
    return list(v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == FANG)].iloc[:n].itertuples())


def _register(region, version: int) -> str:
    """房县's six welfare homes with an address (名称,乡镇代码,经度,纬度,床位数,地址); version 2 changes every
    address and refuses rows 3 and 4 (an unknown township code, a longitude NaN)."""
    rows = ["名称,乡镇代码,经度,纬度,床位数,地址"]
    for i, p in enumerate(_homes(region)):
        code = "420325999" if version == 2 and i == 1 else p.township_code
        lon = "NaN" if version == 2 and i == 2 else f"{p.geometry.x:.6f}"
        rows.append(f"房县{i}号福利院,{code},{lon},{p.geometry.y:.6f},30,v{version}地址{i}")
    return "\n".join(rows) + "\n"


KEPT_PAST = {"en": "2 facilities whose rows were refused were kept as they were: 房县1号福利院 (row 3), 房县2号福利院 (row 4).",
             "zh": "被拒绝的行所对应的 2 处现有设施已按现状保留：房县1号福利院（第 3 行）、房县2号福利院（第 4 行）。"}
KEPT_SAID = {"en": "2 facilities whose rows were refused are kept as they are now: 房县1号福利院 (row 3), 房县2号福利院 (row 4).",
             "zh": "被拒绝的行所对应的 2 处现有设施将按现状保留：房县1号福利院（第 3 行）、房县2号福利院（第 4 行）。"}


def _report_csv(lang: str, version: int) -> str:
    from geo.datasets import default_db_path
    from web.app import create_app

    app = create_app({"DB_PATH": str(default_db_path()), "TESTING": True})
    try:
        r = app.test_client().get(f"/api/data/versions/{version}/report.csv?lang={lang}")
        assert r.status_code == 200, r.data[:300]
        return r.data.decode("utf-8-sig")
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_partial_cli_import_says_and_keeps_what_it_replaced(var_dir, tmp_path, capsys, shiyan, lang):
    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_text(_register(shiyan, 1), "utf-8")
    v2.write_text(_register(shiyan, 2), "utf-8")
    code, _, err = run(capsys, "data", "import", "facilities", str(v1), "--type", "welfare_home")
    assert code == 0, err
    code, out, err = run(capsys, "--lang", lang, "data", "import", "facilities", str(v2), "--type", "welfare_home",
                         "--partial")
    assert code == 0, err
    # made: said in the past, not as a dry run says it
    assert KEPT_PAST[lang] in out, out
    if lang == "en":
        assert "on confirm" not in out.lower() and "This file covered Fang County: its 4 facilities" in out, out
        assert "coverplan data rollback 1 brings them back" in out
    else:
        assert "确认后" not in out and "已以 4 处替换该县区原有的 4 处农村福利院" in out, out
    # the addresses changed are listed, as the diff counts them (facilities_attributes)
    head = "facilities with changed attributes: 4" if lang == "en" else "属性变化的设施: 4"
    assert head in out, out
    assert ("房县0号福利院 (address)" if lang == "en" else "房县0号福利院（地址）") in out, out
    code, diffed, _ = run(capsys, "data", "diff", "1", "2", "--json")
    assert json.loads(diffed)["counts"]["facilities_attributes"] == 4
    # the kept report carries what the web's confirm keeps: what it replaced, the mapping, the encoding
    for asked in ("en", "zh"):
        text = _report_csv(asked, 2)
        if asked == "en":
            assert "What it replaced, as said before the confirm: " in text and KEPT_SAID["en"] in text, text
            assert "Text encoding: UTF-8" in text and "Columns (file → field): 地址 → address" in text, text
        else:
            assert "确认前的说明（替换范围）：" in text and KEPT_SAID["zh"] in text, text
            assert "文字编码：UTF-8" in text and "列对应（文件列 → 字段）：地址 → 地址" in text, text


# -- 2. the --column hints and the planner's own mapping -----------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_column_hint_says_the_planners_own_mapping_took_the_column(var_dir, tmp_path, capsys, shiyan, lang):
    p = _homes(shiyan, 1)[0]
    path = tmp_path / "zs.csv"
    path.write_text(f"名称,乡镇代码,经度,纬度,地址\n甲福利院,{p.township_code},{p.geometry.x:.6f},{p.geometry.y:.6f},"
                    "某路1\n", "utf-8")

    def said(*column: str) -> str:
        args = [a for c in column for a in ("--column", c)]
        code, _, err = run(capsys, "--lang", lang, "data", "import", "facilities", str(path), "--type",
                           "welfare_home", "--dry-run", *args)
        assert code == 2 and "Traceback" not in err, err
        return err

    err = said("lon=名称")
    assert "--column name=经度" not in err, err
    assert ("your own --column lon=名称 reads it as lon" if lang == "en" else "您所给的 --column lon=名称 把它读作 lon") in err
    assert "--column name=名称 --column lon=经度" in err, err
    err = said("address=名称")
    assert "--column name=地址" not in err, err
    assert "--column address=名称" in err and "--column name=名称 --column address=地址" in err, err
    err = said("lon=纬度")
    assert "--column lat=经度" not in err, err
    assert ("the file's column '纬度' would be read as lat" if lang == "en" else "文件中的“纬度”列本应读作 lat") in err
    assert "--column lat=纬度 --column lon=经度" in err, err


def test_a_column_example_leaves_out_columns_another_field_goes_by():
    from cli.data import column_example

    # 经度 is unread (the planner mapped lon to X) but it names the longitude: no example of name=经度
    eg = column_example(["X", "经度", "纬度", "机构"], {"lon": "X", "lat": "纬度"})
    assert eg["en"] == ", e.g. --column name=机构" and eg["zh"] == "，如 --column name=机构"


# -- 3. two columns of one field whose values differ: --column on the command line ----------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_differing_columns_name_the_command_lines_column_option(var_dir, tmp_path, capsys, shiyan, lang):
    p = _homes(shiyan, 1)[0]
    path = tmp_path / "dup.csv"
    path.write_text(f"名称,经度,纬度,经度\n甲福利院,{p.geometry.x:.6f},{p.geometry.y:.6f},111.0\n", "utf-8")
    code, out, err = run(capsys, "--lang", lang, "data", "import", "facilities", str(path), "--type", "welfare_home",
                         "--dry-run")
    assert code == 0, err
    (line,) = [x for x in out.splitlines() if ("number 2" in x if lang == "en" else "第 2 个“经度”列" in x)]
    assert "Data page" not in line and "数据管理" not in line, line
    assert ("name the column to read with --column FIELD=HEADER" if lang == "en"
            else "或用 --column 字段=列名 指定要读取的列") in line, line
    # under their own headers: the mapping that reads the other one
    path.write_text(f"名称,经度,纬度,lon\n甲福利院,{p.geometry.x:.6f},{p.geometry.y:.6f},111.0\n", "utf-8")
    code, out, err = run(capsys, "--lang", lang, "data", "import", "facilities", str(path), "--type", "welfare_home",
                         "--dry-run")
    assert code == 0 and "--column lon=lon" in out and "Data page" not in out and "数据管理" not in out, out


def test_an_analysis_file_with_differing_columns_is_told_to_import_it_with_column():
    from cli.data import cli_fixes

    issue = {"code": "column_values_differ", "value": "经度.2", "fix_zh": "…“数据管理”页面…", "fix_en": "…Data page"}
    cli_fixes([issue], "facilities", ["名称", "经度", "纬度", "经度.2"], {"name": "名称", "lon": "经度", "lat": "纬度"})
    assert "coverplan data import facilities FILE --column FIELD=HEADER" in issue["fix_en"]
    assert "coverplan data import facilities 文件 --column 字段=列名" in issue["fix_zh"]
    assert "Data page" not in issue["fix_en"] and "数据管理" not in issue["fix_zh"]


# -- 4. a village file's column given twice ------------------------------------------------------------------
def _village_rows(shiyan, n: int = 3):
    v = shiyan.villages[shiyan.villages["township_code"].astype(str) == "420302001"].iloc[:n]
    return [(str(c), f"{r.geometry.x:.6f}", f"{r.geometry.y:.6f}") for c, r in v.iterrows()]


@pytest.mark.parametrize("case", ["copy", "empty", "alias"])
def test_a_village_files_repeated_column_is_named_as_the_file_heads_it(shiyan, tmp_path, case):
    from geo.imports import check_villages, village_placement_issues

    rows = _village_rows(shiyan)
    head = {"copy": "村代码,经度,纬度,经度", "empty": "code,lon,lat,lon", "alias": "code,lon,lat,经度"}[case]
    body = "".join(f"{c},{x},{y},{'' if case == 'empty' else x}\n" for c, x, y in rows)
    path = tmp_path / "v.csv"
    path.write_text(head + "\n" + body, "utf-8")
    pts = check_villages(shiyan, path)
    assert len(pts) == 3
    issues = village_placement_issues(shiyan, pts)
    said = json.dumps(issues, ensure_ascii=False)
    assert ".2" not in said and "人口" not in said and "population" not in said.lower(), said
    (w,) = [i for i in issues if i["code"] == "column_repeated"]
    assert w["severity"] == "warning" and w["row"] is None
    if case == "copy":
        assert w["message_en"] == "column '经度' number 2 repeats the first '经度' column; only the first '经度' column was read"
        assert w["message_zh"] == "第 2 个“经度”列与第 1 个“经度”列的值相同，只读取了第 1 个“经度”列"
    elif case == "empty":
        assert w["message_en"] == "column 'lon' number 2 is empty; only the first 'lon' column was read"
        assert w["message_zh"] == "第 2 个“lon”列为空，只读取了第 1 个“lon”列"
    else:
        assert w["column"] == "经度" and w["message_en"].startswith("column '经度' repeats column 'lon'")
    assert "Nothing is lost" in w["fix_en"] and "不会丢失数据" in w["fix_zh"]


# -- 5. a two-row header whose lower row names two columns alike --------------------------------------------
def test_each_shared_lower_name_of_a_two_row_header_gets_its_group(tmp_path):
    from geo.tables import read_table

    path = tmp_path / "merged.csv"
    path.write_text("序号,机构,,坐标,,床位数,负责人,\n,名称,地址,经度,纬度,,名称,电话\n"
                    "1,甲敬老院,某路1,110.79,32.63,31,张1,13800000001\n", "utf-8")
    from planner.register_columns import HEADER_NAMES

    columns = list(read_table(path, header_names=HEADER_NAMES).frame.columns)
    assert columns == ["序号", "机构名称", "地址", "经度", "纬度", "床位数", "负责人名称", "电话"], columns
