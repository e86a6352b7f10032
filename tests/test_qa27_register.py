"""QA 27 (b): reading a facility register, each fix with a test of the outcome.

1. A wrong county hid the exact township: 县区=竹溪县, 乡镇=宝丰镇 answered "no township 宝丰镇" with only 竹溪县's
   天宝乡 and 丰溪镇 as candidates, while 宝丰镇 is 竹山县's. Now 竹山县·宝丰镇 is the first candidate and the
   message says the county may be wrong; the row is not placed there by itself.
2. A totals row (合计 … =SUM(G3:G38)) and a footer (填报单位：…) under the facilities were each refused as a
   facility without a type and a name (or with 1010 beds). Now each is skipped with one warning, counted neither
   as accepted nor as refused: rows read = accepted + refused + skipped.
"""
from __future__ import annotations

import io

import pytest

from geo.errors import InputDataError
from planner.register import load_register, validate_register
from test_qa20_cli import var  # noqa: F401  (an empty data store of its own, a fixture)
from test_qa21_cli import run

BAOFENG = "420323103"  # 竹山县·宝丰镇

# -- 1. a township of another county -----------------------------------------------------------------------------
BY_NAME = ("名称,县区,乡镇,村,床位数\n"
           "城郊乡敬老院,郧西县,城郊乡,,40\n"
           "双台敬老院,竹山县,双台,,40\n"
           "宝丰敬老院,竹溪县,宝丰镇,,40\n"
           "宝丰二院,,宝丰镇,,30\n")


def _issue(rep, row, code=None):
    found = [i for i in rep.issues if i.row == row and (code is None or i.code == code)]
    assert len(found) == 1, [(i.row, i.code, i.message_en) for i in rep.issues]
    return found[0]


def test_the_township_of_another_county_is_offered_first(shiyan, tmp_path):
    p = tmp_path / "按名称定位_福利院.csv"
    p.write_text(BY_NAME, encoding="utf-8")
    rep = validate_register(p, region=shiyan, type_key="welfare_home")
    bad = _issue(rep, 4)
    assert bad.severity == "error" and bad.code == "township_unknown"
    assert 4 in rep.refused_rows  # not placed by itself: the county it names says otherwise
    assert bad.candidates[0]["code"] == BAOFENG and bad.candidates[0]["path"] == "竹山县·宝丰镇"
    assert bad.candidates[0]["path_en"] == "Zhushan County·宝丰镇"
    assert len({c["code"] for c in bad.candidates}) == len(bad.candidates)  # offered once
    assert "县区可能填错：宝丰镇在竹山县" in bad.message_zh and "竹溪县没有" in bad.message_zh
    assert "the county may be wrong: 宝丰镇 is in Zhushan County" in bad.message_en
    assert "Zhuxi County has none" in bad.message_en
    assert "竹山县·宝丰镇" in bad.fix_zh and "county" in bad.fix_en
    assert "“" not in bad.message_en + bad.fix_en and "”" not in bad.message_en + bad.fix_en
    # the same name without a county is placed there, as before
    placed = rep.accepted.set_index("source_row")
    assert placed.loc[5, "township_code"] == BAOFENG
    # the planner picks the first candidate: the row is placed there
    again = validate_register(p, region=shiyan, type_key="welfare_home", picks={4: bad.candidates[0]["code"]})
    assert 4 not in again.refused_rows
    assert again.accepted.set_index("source_row").loc[4, "township_code"] == BAOFENG


def test_a_gbk_file_and_a_village_in_that_township(shiyan, tmp_path):
    """The GBK file's row 31 as row 1 was; with a village of that township named, the village is offered."""
    text = ("名称,县区,乡镇,村（社区）,日托位,lng,lat,备注\n"
            "宝丰镇日照中心,竹溪县,宝丰镇,,10,,,县名写错\n"
            "铧厂日照中心,竹溪县,宝丰镇,铧厂村,10,,,\n")
    p = tmp_path / "竹山县日间照料中心_GBK.csv"
    p.write_bytes(text.encode("gbk"))
    rep = validate_register(p, region=shiyan, type_key="day_care")
    assert rep.encoding and rep.encoding.lower() in ("gbk", "gb18030")
    first = _issue(rep, 2)
    assert first.candidates[0]["code"] == BAOFENG and "县区可能填错" in first.message_zh
    village = _issue(rep, 3)
    assert village.candidates[0]["code"] == "420323103200"  # 竹山县·宝丰镇·铧厂村委会
    assert village.candidates[0]["path"].startswith("竹山县·宝丰镇·铧厂")
    assert rep.refused_rows == [2, 3]


def test_a_row_placed_by_its_point_says_the_county_may_be_wrong(shiyan, tmp_path):
    p = tmp_path / "pt.csv"
    p.write_text("名称,县区,乡镇,经度,纬度\n宝丰敬老院,竹溪县,宝丰镇,109.804845,32.520401\n", encoding="utf-8")
    rep = validate_register(p, region=shiyan, type_key="welfare_home")
    w = _issue(rep, 2, "names_unmatched")
    assert w.severity == "warning" and "县区可能填错：宝丰镇在竹山县" in w.message_zh
    assert "the county may be wrong: 宝丰镇 is in Zhushan County" in w.message_en
    assert rep.accepted["township_code"].tolist() == [BAOFENG]


def test_a_township_in_no_other_county_is_said_as_before(shiyan, tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("名称,县区,乡镇\n某敬老院,竹溪县,宝丰乡下\n", encoding="utf-8")
    rep = validate_register(p, region=shiyan, type_key="welfare_home")
    bad = _issue(rep, 2)
    assert bad.code == "township_unknown" and "可能填错" not in bad.message_zh
    assert "may be wrong" not in bad.message_en


# -- 2. totals and footer rows -------------------------------------------------------------------------------------
HOMES = "\n".join(f"{k},郧西县{t}福利院,{t},{b},{x},{y}" for k, (t, b, x, y) in enumerate(
    (("城关镇", 50, 110.4193, 32.9938), ("土门镇", 60, 110.1450, 33.1320), ("上津镇", 70, 110.0539, 33.1359)),
    start=1))
WITH_TOTALS = "\ufeff序号,机构名称,所属乡镇,床位数,经度,纬度\n" + HOMES + "\n,合计,,180,,\n合 计,,,180,,\n"


def test_totals_rows_are_skipped_once_each(shiyan, tmp_path):
    p = tmp_path / "郧西县福利院_含合计行.csv"
    p.write_text(WITH_TOTALS, encoding="utf-8")
    rep = validate_register(p, region=shiyan, type_key="welfare_home")
    c = rep.counts
    assert (c["rows"], c["accepted"], c["refused"], c["skipped"]) == (5, 3, 0, 2), c
    assert c["accepted"] + c["refused"] + c["skipped"] == c["rows"]
    assert rep.skipped_rows == [5, 6] and rep.refused_rows == []
    for row in (5, 6):
        i = _issue(rep, row)  # one issue each, a warning
        assert i.severity == "warning" and i.code == "total_row_skipped"
        assert "合计行" in i.message_zh and "已略过" in i.message_zh
        assert "totals row" in i.message_en and "skipped" in i.message_en
        assert i.text("zh").startswith(f"第 {row} 行：") and i.text("en").startswith(f"row {row}: ")
    assert _issue(rep, 5).column == "机构名称" and _issue(rep, 6).column == "序号"
    assert not rep.errors()
    zh, en = rep.notes[-1]
    assert "第 5、6 行是合计行" in zh and "rows 5, 6 are totals rows: skipped" in en
    assert rep.to_dict()["skipped_rows"] == [5, 6]
    load_register(p, region=shiyan, facility_type="welfare_home")  # the strict load is not stopped by them


def test_a_workbook_with_a_sum_row_and_a_footer(shiyan, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名录"
    ws.append(["郧西县2025年农村养老服务设施名录（截至2025年6月）"])
    ws.append(["序号", "编号", "机构名称", "设施类型", "所属乡镇", "床位数", "经度", "纬度", "备注"])
    ws.append([1, "YX-1", "郧西县城关镇福利院", "农村福利院", "城关镇", 60, 110.4193, 32.9938, "合计"])
    ws.append([2, "YX-2", "郧西县土门镇福利院", "农村福利院", "土门镇", "=10*5", 110.1450, 33.1320, "备注：新建"])
    ws.append([3, "YX-3", "合计村互助照料中心", "互助照料中心", "上津镇", 10, 110.0539, 33.1359, None])
    ws.append(["合计", None, None, None, None, "=SUM(F3:F5)", None, None, None])  # row 6
    ws.append(["填报单位：郧西县民政局    填报人：张三    日期：2025.6.30"])
    p = tmp_path / "郧西县养老服务设施名录.xlsx"
    wb.save(p)  # openpyxl saves no formula results: the workbook of a script
    rep = validate_register(p, region=shiyan)
    c = rep.counts
    assert (c["rows"], c["accepted"], c["refused"], c["skipped"]) == (5, 3, 0, 2), (c, rep.issues)
    assert sorted(rep.accepted["name"]) == sorted(["郧西县城关镇福利院", "郧西县土门镇福利院", "合计村互助照料中心"])
    assert _issue(rep, 6).code == "total_row_skipped" and _issue(rep, 7).code == "footer_row_skipped"
    footer = _issue(rep, 7)
    assert "表尾落款行" in footer.message_zh and "填报单位" in footer.message_zh and "footer row" in footer.message_en
    assert not [i for i in rep.issues if i.row in (6, 7) and i.severity == "error"]
    # the formula of a kept row is still said; the totals row's =SUM is no longer
    formula = [zh for zh, _ in rep.notes if "公式" in zh]
    assert len(formula) == 1 and "F4" in formula[0] and "F6" not in formula[0], rep.notes
    assert any("第 6、7 行是合计行或表尾落款行" in zh for zh, _ in rep.notes)


def test_a_nameless_row_without_a_totals_label_is_still_refused(shiyan, tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("名称,乡镇,备注,经度,纬度\n,城关镇,待定,,\n合计,,,110.4193,32.9938\n", encoding="utf-8")
    rep = validate_register(p, region=shiyan, type_key="welfare_home")
    assert _issue(rep, 2, "no_name").severity == "error"
    assert rep.counts.get("skipped") is None and "skipped" not in rep.counts  # a row with a point is a facility
    assert rep.counts["rows"] == 2


def test_a_file_of_totals_only_is_refused_whole(shiyan, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("名称,乡镇,床位数\n合计,,180\n", encoding="utf-8")
    with pytest.raises(InputDataError) as e:
        validate_register(p, region=shiyan, type_key="welfare_home")
    assert "合计行" in e.value.message("zh") and "totals" in e.value.message("en")
    assert e.value.details["skipped_rows"] == [2]


def test_the_page_and_the_cli_count_skipped_rows(client, var, tmp_path, capsys):  # noqa: F811
    r = client.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
                    data={"kind": "facilities", "type": "welfare_home", "coords": "wgs84",
                          "file": (io.BytesIO(WITH_TOTALS.encode()), "totals.csv")})
    assert r.status_code == 200, r.data[:300]
    body = r.get_json()
    c = body["counts"]
    assert c["accepted"] + c["refused"] + c.get("skipped", 0) == c["rows"] == 5, c
    skipped = [i for i in body["issues"] if i["code"] == "total_row_skipped"]
    assert [i["row"] for i in skipped] == [5, 6] and all(i["severity"] == "warning" for i in skipped)
    assert any("totals rows: skipped" in n for n in body["notes"])
    f = tmp_path / "totals.csv"
    f.write_text(WITH_TOTALS, encoding="utf-8")
    code, _, err = run(capsys, "data", "import", "facilities", str(f), "--type", "welfare_home")
    assert code == 0, err
    assert "第 5、6 行是合计行" in err


def test_the_cli_check_line_adds_up_with_the_rows_skipped(tmp_path, capsys):
    """QA 32: "接受 3 行，拒绝 0 行" of a 5-row file said nothing of the 2 totals rows skipped."""
    from test_qa21_cli import run

    p = tmp_path / "郧西县福利院_含合计行.csv"
    p.write_text(WITH_TOTALS, encoding="utf-8")
    code, out, err = run(capsys, "data", "import", "facilities", str(p), "--type", "welfare_home", "--dry-run")
    assert "接受 3 行，拒绝 0 行" in out and "文件共 5 行，其中 2 行为合计、表尾、重复行或已关闭的设施，已略过" in out, out + err
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(p), "--type", "welfare_home",
                         "--dry-run")
    assert "the file's 5 rows include 2 totals, footer or repeated rows or closed facilities, skipped" in out, out + err
