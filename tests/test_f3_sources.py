"""F3: the register's sources line names every file and version a type came in (the overview's and the
facilities page's), and a workbook far over the row limit is refused before it is read."""
from __future__ import annotations

import html
import zipfile

import pytest

from test_qa29_carried import confirm, register_of


def test_the_sources_line_names_every_file_and_version_of_a_type(app):
    """After one county's import (a.csv, v1) and another's (b.csv, v2) the line named only b.csv."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    assert confirm(c, register_of(region, "420325", 3, "甲"), "a.csv") == 1
    assert confirm(c, register_of(region, "420322", 2, "乙"), "b.csv") == 2
    for lang, want in (("zh", "社区(村)日间照料中心（a.csv，数据版本 1；b.csv，数据版本 2）"),
                       ("en", "Community/village day-care centre (a.csv, data version 1; b.csv, data version 2)")):
        overview = html.unescape(c.get(f"/?lang={lang}").get_data(as_text=True))
        line = next(x for x in overview.split("<td") if "a.csv" in x and "data-approx" not in x)
        assert want in line, line
        page = html.unescape(c.get(f"/facilities?lang={lang}").get_data(as_text=True))
        head = page.split('id="register-source">')[1].split("</p>")[0]
        assert want in head, head
        # the rest of the type is still the sample's, and the other types are named as the sample's
        assert ("其余仍为合成示例" if lang == "zh" else "the rest still the synthetic sample") in head, head
        assert ("殡仪馆" if lang == "zh" else "Funeral home") in head, head


def test_the_facilities_page_names_no_source_before_any_import(app):
    page = app.test_client().get("/facilities?lang=zh").get_data(as_text=True)
    assert 'id="register-source"' not in page and "数据版本 1" not in page


def _workbook(path, n: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)  # (writes no <dimension>: the rows themselves are counted)
    ws = wb.create_sheet("名录")
    ws.append(["名称", "类型", "经度", "纬度"])
    for i in range(n):
        ws.append([f"中心{i}", "日间照料中心", 110.7 + i * 1e-5, 32.6])
    wb.save(path)


def test_a_workbook_over_the_row_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from geo import tables
    from geo.errors import InputDataError

    monkeypatch.setattr(tables, "MAX_ROWS", 200)
    path = tmp_path / "big.xlsx"
    _workbook(path, 20_000)
    read = []
    monkeypatch.setattr(tables.pd, "read_excel", lambda *a, **k: read.append(1) or pytest.fail("read whole"))
    with pytest.raises(InputDataError) as err:
        tables.read_table(path)
    assert not read  # refused while streamed: pandas never read it (no wall-clock bound on a loaded CI)
    e = err.value
    assert "big.xlsx" in str(e) and "sheet '名录' has more than 200 rows" in str(e), str(e)
    assert "工作表“名录”超过 200 行" in e.zh and "拆分文件" in e.hint_zh, e.zh
    assert "split the file" in e.hint_en and e.details["limit"] == 200 and e.details["sheet"] == "名录"
    # the count stopped as soon as the limit was passed: it did not go on through the 20,000 rows
    with zipfile.ZipFile(path) as z:
        assert tables.sheet_rows(z, "xl/worksheets/sheet1.xml", 200) == 201
        assert tables.sheet_rows(z, "xl/worksheets/sheet1.xml", 10**6) == 20_001


def test_a_workbook_at_the_row_limit_is_read_as_before(tmp_path, monkeypatch):
    from geo import tables

    monkeypatch.setattr(tables, "MAX_ROWS", 200)
    path = tmp_path / "ok.xlsx"
    _workbook(path, 199)  # the header and 199 rows: 200 rows with a value
    table = tables.read_table(path, header_names=frozenset({tables.norm_header("名称"), tables.norm_header("经度")}))
    assert len(table.frame) == 199 and table.header_row == 1 and table.layer == "名录"
    assert table.frame.iloc[-1]["名称"] == "中心198"


def test_empty_formatted_rows_are_not_counted(tmp_path, monkeypatch):
    """Rows with only a format (a bordered template below the data) hold no value: not rows of the register."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from geo import tables

    monkeypatch.setattr(tables, "MAX_ROWS", 20)
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "经度", "纬度"])
    for i in range(5):
        ws.append([f"站{i}", 110.7, 32.6])
    for r in range(10, 300):
        ws.cell(row=r, column=1).font = Font(bold=True)
    path = tmp_path / "styled.xlsx"
    wb.save(path)
    assert len(tables.read_table(path).frame) == 5


def test_the_upload_page_says_the_row_limit(app, tmp_path, monkeypatch):
    """The refusal reaches the planner as the upload's answer (400, in the page's language), not a 500."""
    from geo import tables
    from test_qa27_provenance import upload

    monkeypatch.setattr(tables, "MAX_ROWS", 200)
    path = tmp_path / "big.xlsx"
    _workbook(path, 1_000)
    r = upload(app.test_client(), path.read_bytes(), "big.xlsx", type="day_care")
    assert r.status_code == 400, r.get_data(as_text=True)[:500]
    said = r.get_json()["message"]
    assert "big.xlsx" in said and "工作表“名录”超过 200 行" in said and "拆分文件" in said, said


def test_sheets_each_under_the_limit_but_over_it_together_are_refused(tmp_path, monkeypatch):
    """pandas reads every sheet: the limit holds for the workbook, not for each sheet alone (review)."""
    from openpyxl import Workbook

    from geo import tables
    from geo.errors import InputDataError

    monkeypatch.setattr(tables, "MAX_ROWS", 200)
    path = tmp_path / "two.xlsx"
    wb = Workbook(write_only=True)
    for name in ("房县", "竹山县"):
        ws = wb.create_sheet(name)
        ws.append(["名称", "类型", "经度", "纬度"])
        for i in range(150):
            ws.append([f"{name}中心{i}", "日间照料中心", 110.7, 32.6])
    wb.save(path)
    monkeypatch.setattr(tables.pd, "read_excel", lambda *a, **k: pytest.fail("read whole"))
    with pytest.raises(InputDataError) as err:
        tables.read_table(path)
    assert "its sheets have more than 200 rows" in str(err.value) and "各工作表合计超过 200 行" in err.value.zh
