"""QA 29 (fixer F3): the county chart's shares by the one rule (planner.i18n.share_text), as the CLI writes
them; the plan targets table with figures as numbers (web /plan/targets.xlsx) and `coverplan targets --out`."""
from __future__ import annotations

import csv
import io

import pytest

from test_qa21_cli import run

#: one mutual-aid centre in 郧阳区 (the QA's register): 1 of its 340 villages covered
ONE_CENTRE = "名称,类型,经度,纬度,床位数\n余咀村互助照料中心,mutual_aid,110.707432,33.064409,15\n"
YUNYANG = "420304"


@pytest.fixture()
def one_centre(tmp_path, shiyan):
    from planner.coverage import analyse_coverage
    from planner.register import validate_register

    path = tmp_path / "mutual_aid_one.csv"
    path.write_text(ONE_CENTRE, encoding="utf-8")
    report = validate_register(str(path), region=shiyan, type_key="mutual_aid")
    return path, analyse_coverage(shiyan, "mutual_aid", facilities=report.accepted)


# -- 2. the coverage-by-county chart: "0.3% (1/340)", not "0% (1/340)" ----------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_county_chart_says_a_covered_unit_as_the_cli_does(one_centre, var_dir, capsys, lang):
    from web.charts import county_chart_data

    path, cov = one_centre
    rows = {r["code"]: r for r in county_chart_data(cov, lang)["rows"]}
    y = rows[YUNYANG]
    assert (y["covered_units"], y["units"]) == (1, 340)
    assert y["label"] == "0.3% (1/340)"
    code, out, err = run(capsys, "--lang", lang, "coverage", "--type", "mutual_aid", "--facilities", str(path))
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.strip().startswith(YUNYANG))
    assert "0.3% (1/340)" in line, line
    # nothing covered reads 0.0%, as the CLI says it
    assert all(r["label"].startswith("0.0% (0/") for c, r in rows.items() if c != YUNYANG)


def test_the_county_label_never_rounds_to_nothing_or_to_all():
    from web.charts import county_label

    assert county_label({"share": 1 / 3000, "covered_units": 1, "units": 3000}) == "0.03% (1/3000)"
    assert county_label({"share": 199 / 200, "covered_units": 199, "units": 200}) == "99.5% (199/200)"
    assert county_label({"share": 2999 / 3000, "covered_units": 2999, "units": 3000}) == "99.97% (2999/3000)"
    assert county_label({"share": 1.0, "covered_units": 5, "units": 5}, gap="  ") == "100.0%  (5/5)"


@pytest.mark.parametrize("url", ["/api/charts/coverage_by_county/mutual_aid?lang=en",
                                 "/charts/coverage_by_county/mutual_aid.svg?lang=en"])
def test_the_web_chart_and_its_download_carry_the_same_label(one_centre, app, monkeypatch, url):
    _, cov = one_centre
    monkeypatch.setattr(app.extensions["coverplan"]["service"], "coverage", lambda key, mode="estimate": cov)
    resp = app.test_client().get(url)
    assert resp.status_code == 200
    if url.startswith("/api/"):
        label = next(r["label"] for r in resp.get_json()["rows"] if r["code"] == YUNYANG)
        assert label == "0.3% (1/340)"
    else:
        svg = resp.get_data(as_text=True)
        assert "0.3%  (1/340)" in svg and "0%  (1/340)" not in svg.replace("0.3%  (1/340)", "")


# -- ShareCell and the targets export share one number-format rule --------------------------------------------
def test_share_number_format_follows_share_text():
    from cli.output import ShareCell
    from planner.i18n import share_number_format, share_text

    assert [share_number_format(share_text(x)) for x in (0.217, 1.0, 0.9996, 0.99999, 0.00001)] == \
        ["0.0%", "0.0%", "0.00%", None, None]
    assert ShareCell(0.9924).number_format() == "0.0%" and ShareCell(0.99999).number_format() is None


# -- 11. the plan targets table: figures as numbers, a progress column, and `coverplan targets --out` ------------
HEAD_ZH = ["设施类型", "目标", "现状", "现状是否达标", "组合后", "组合后是否达标", "说明", "示意（含合成数据）",
           "目标值", "现状进度", "组合后进度"]
HEAD_EN = ["Facility type", "Target", "Current", "Met now", "After the package", "Met after the package", "Note",
           "Illustrative (synthetic inputs)", "Target value", "Progress now", "Progress after the package"]


def _xlsx(data: bytes):
    from openpyxl import load_workbook

    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows()]


def test_the_web_targets_xlsx_holds_numbers_and_the_overviews_progress(client):
    from planner.facility_types import COUNT_KINDS

    targets = client.get("/api/targets?lang=en").get_json()
    rows = _xlsx(client.get("/plan/targets.xlsx?lang=en").data)
    assert [c.value for c in rows[1]] == HEAD_EN
    body = rows[2:]
    assert len(body) == len(targets)
    for cells, tg in zip(body, targets):
        cur, after, target, prog, prog_after = (cells[i] for i in (2, 4, 8, 9, 10))
        if tg["kind"] in COUNT_KINDS:  # "0 / 8" was text: now 0 and 8, whole numbers
            assert (cur.value, target.value) == (int(tg["value"]), int(tg["target"]))
        else:  # "21.7% / 100%" was text: now 0.217 and 1 shown as percentages
            assert cur.value == pytest.approx(tg["value"]) and cur.number_format == "0.0%"
            assert target.value == pytest.approx(tg["target"]) and target.number_format == "0.0%"
        assert after.value == cur.value  # nothing picked: after = now
        assert prog.value == pytest.approx(tg["progress"]) and prog.number_format.endswith("%")
        assert prog_after.value == prog.value
    # the overview's 80.5% (72.4% of a 90% target) is there as a number
    fund = next(c for c, tg in zip(body, targets) if tg["target"] == pytest.approx(0.9))
    assert f"{fund[9].value:.3f}" == f"{min(1.0, fund[2].value / 0.9):.3f}"


def test_the_web_targets_csv_stays_readable(client):
    rows = list(csv.reader(io.StringIO(client.get("/plan/targets.csv?lang=zh").data.decode("utf-8-sig"))))
    assert rows[1] == HEAD_ZH
    complex_new = next(r for r in rows[2:] if r[1].startswith("2025年新建乡镇"))
    assert (complex_new[2], complex_new[8], complex_new[9]) == ("0", "8", "0.0%")
    day_care = next(r for r in rows[2:] if r[0] == "社区(村)日间照料中心")
    assert day_care[2].endswith("%") and day_care[8] == "100.0%" and day_care[9] == day_care[2]


@pytest.mark.parametrize("lang,ext", [("zh", "csv"), ("en", "xlsx")])
def test_cli_targets_out_writes_the_webs_table(var_dir, tmp_path, capsys, client, lang, ext):
    out = tmp_path / f"targets.{ext}"
    code, stdout, err = run(capsys, "--lang", lang, "targets", "--out", str(out))
    assert code == 0, err
    web = client.get(f"/plan/targets.{ext}?lang={lang}").data
    if ext == "csv":
        mine = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
        theirs = list(csv.reader(io.StringIO(web.decode("utf-8-sig"))))
        assert mine[1] == HEAD_ZH == theirs[1]
        assert "规划组合" in mine[0][0] and "示意" in mine[0][0] and "未选择方案" in mine[0][0]
        assert mine[2:] == theirs[2:]
    else:
        mine, theirs = _xlsx(out.read_bytes()), _xlsx(web)
        assert [c.value for c in mine[1]] == HEAD_EN
        assert [[c.value for c in r] for r in mine[2:]] == [[c.value for c in r] for r in theirs[2:]]
        pct = [(i, j) for i, r in enumerate(theirs[2:]) for j, c in enumerate(r) if c.number_format.endswith("%")]
        assert pct and all(mine[2 + i][j].number_format == theirs[2 + i][j].number_format for i, j in pct)


def test_cli_targets_out_refuses_another_format_before_any_work(var_dir, tmp_path, capsys):
    code, out, err = run(capsys, "targets", "--out", str(tmp_path / "t.pdf"))
    assert code != 0 and ".csv" in err and ".xlsx" in err and "t.pdf" in err
    assert not (tmp_path / "t.pdf").exists()
