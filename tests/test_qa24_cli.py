"""QA 24 (CLI): a table written to an upper-case ".XLSX" crashed in pandas after the work was done; `access` on a
data version whose register gives no day places answered 0.0 everywhere without a word (the same file given by
--facilities was refused); `propose --sizes` printed its figures without units; `region info` described the
embedded sample after the planner's register and boundaries were imported; `restore` promised an admin account
the default (open) server never makes; `backup --out /proc/bk.zip` ended in sqlite3's traceback."""
from __future__ import annotations

import os
import sqlite3

import openpyxl
import pytest

from geo import backup as bk
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run
from test_qa21_cli_b import archive  # noqa: F401  (archive: a backup of a database without accounts, a fixture)

#: A register of two day-care centres giving beds but no day places (the QA's register had 床位数, no 日托位).
NO_DAY_PLACES = "name,type,lon,lat,beds\n甲日间照料中心,day_care,110.79,32.65,20\n乙日间照料中心,day_care,110.80,32.60,30\n"
#: One of the two gives its day places.
SOME_DAY_PLACES = ("name,type,lon,lat,day_places\n甲日间照料中心,day_care,110.79,32.65,20\n"
                   "乙日间照料中心,day_care,110.80,32.60,\n")


def xlsx_title(path) -> str:
    """The first cell of the workbook ``path`` (the table's title row), opened as Excel would."""
    wb = openpyxl.load_workbook(path)
    return str(wb.worksheets[0].cell(row=1, column=1).value)


def imported(capsys, tmp_path, text: str, name: str = "dc.csv") -> None:
    """``text`` imported as the register of a new data version (the current one)."""
    reg = tmp_path / name
    reg.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "data", "import", "facilities", str(reg), "--replace", "city")
    assert code == 0, err


# -- 1. an upper-case .XLSX is written under the name typed ---------------------------------------------------
@pytest.mark.parametrize("argv, name", [
    (("--lang", "en", "coverage", "--type", "elderly_complex"), "u.XLSX"),
    (("propose", "--type", "elderly_complex", "--p", "2"), "p.Xlsx"),
    (("--lang", "en", "propose", "--type", "day_care", "--sizes", "30", "--budget", "2"), "s.XLSX"),
    (("capacity", "--type", "welfare_home"), "c.XLSX"),
    (("access", "--type", "day_care"), "a.xlsX"),
])
def test_tables_go_to_an_upper_case_xlsx(var, tmp_path, capsys, argv, name):  # noqa: F811
    out = tmp_path / name
    code, _, err = run(capsys, *argv, "--out", str(out))
    assert code == 0, err
    assert out.is_file() and [p.name for p in tmp_path.iterdir() if p.suffix.lower() == ".xlsx"] == [name]
    assert xlsx_title(out)  # the title row, as in a lower-case .xlsx
    wb = openpyxl.load_workbook(out)
    assert wb.worksheets[0].max_row > 2  # title, header and rows


# -- 2. access on a data version whose register states no capacity --------------------------------------------
def test_access_on_a_version_without_day_places_is_refused_as_with_facilities(var, tmp_path, capsys):  # noqa: F811
    imported(capsys, tmp_path, NO_DAY_PLACES)
    code, out, err = run(capsys, "--lang", "en", "access", "--type", "day_care")
    assert code == 2 and "Traceback" not in err and "per 1,000" not in out, (out, err)
    assert "data version 1" in err and "none of its 2 Community/village day-care centre facilities states a capacity" \
        in err and "day_places" in err and "import it again" in err, err
    code, out, err = run(capsys, "access", "--type", "day_care")
    assert code == 2 and "数据版本 1" in err and "均未填写容量（日托位列）" in err and "重新导入" in err, err
    # the same file by --facilities: refused in the same words (its own fix)
    code, _, err2 = run(capsys, "--lang", "en", "access", "--type", "day_care", "--facilities", str(tmp_path / "dc.csv"))
    assert code == 2 and "none of its 2 Community/village day-care centre facilities states a capacity" in err2, err2
    # a type whose capacity the register gives still answers
    code, out, err = run(capsys, "--lang", "en", "access", "--type", "welfare_home")
    assert code == 0 and "per 1,000" in out, err


def test_access_on_a_version_with_some_day_places_notes_the_others(var, tmp_path, capsys):  # noqa: F811
    imported(capsys, tmp_path, SOME_DAY_PLACES)
    code, out, err = run(capsys, "--lang", "en", "access", "--type", "day_care")
    assert code == 0 and "per 1,000" in out, err
    assert "1 of the 2 Community/village day-care centre facilities in the register of data version 1" in err \
        and "count as 0" in err, err
    code, out, err = run(capsys, "access", "--type", "day_care")
    assert code == 0 and "有 1 处未填写容量（日托位），按 0 计" in err, err


def test_access_on_the_embedded_data_says_nothing_of_capacity(var, capsys):  # noqa: F811
    code, out, err = run(capsys, "--lang", "en", "access", "--type", "day_care")
    assert code == 0 and "state no capacity" not in err and "states a capacity" not in err, err


# -- 3. propose --sizes: every figure with its unit ----------------------------------------------------------
def test_sized_proposal_names_its_units(var, capsys):  # noqa: F811
    code, out, err = run(capsys, "propose", "--type", "elderly_complex", "--sizes", "100,200", "--budget", "2")
    assert code == 0, err
    head, *sites = out.strip().splitlines()
    assert "名60岁以上老人" in head and "剩余缺口" in head and head.split("剩余缺口")[1].split("(")[0].strip() \
        .endswith("张床位"), head
    assert len(sites) == 2 and all("张床位 (使用率" in s for s in sites), sites
    code, out, err = run(capsys, "--lang", "en", "propose", "--type", "day_care", "--sizes", "30", "--budget", "2")
    assert code == 0, err
    head, *sites = out.strip().splitlines()
    assert "people aged 60+, remaining shortfall" in head and " day places (" in head, head
    assert all(" 30 day places (used" in s for s in sites), sites


# -- 4. region info: the data the analyses use ---------------------------------------------------------------
def test_region_info_describes_the_imported_version(var, tmp_path, capsys):  # noqa: F811
    code, out, _ = run(capsys, "--lang", "en", "region", "info")
    assert code == 0 and "provenance (the embedded data, data version 0)" in out, out
    imported(capsys, tmp_path, SOME_DAY_PLACES, "my_register.csv")
    code, out, err = run(capsys, "--lang", "en", "region", "info")
    assert code == 0, err
    assert "provenance (data version 1, the current one)" in out, out
    line = next(x for x in out.splitlines() if x.strip().startswith("Community/village day-care centre:"))
    assert "2, planner-supplied: my_register.csv (data version 1)" in line, line
    fac = next(x for x in out.splitlines() if x.strip().startswith("facilities:"))
    assert "replace with the planner's register" not in fac and "the planner's own register" in fac, fac
    code, out, _ = run(capsys, "region", "info")
    assert code == 0 and "来源与质量（数据版本 1，当前版本）" in out and "规划人员提供：my_register.csv（数据版本 1）" in out, out
    import json
    code, out, _ = run(capsys, "region", "info", "--json")
    info = json.loads(out)
    assert code == 0 and info["dataset_version"] == 1
    assert info["provenance"]["facilities"]["by_type"]["day_care"]["file"] == "my_register.csv"


# -- 5. restore: an account only for a server that asks for logins --------------------------------------------
def test_restore_without_accounts_says_when_an_admin_is_made(archive, tmp_path, capsys):  # noqa: F811
    out, _ = archive
    code, text, err = run(capsys, "--lang", "en", "restore", str(out), "--db", str(tmp_path / "new.sqlite"))
    assert code == 0, err
    assert "holds no accounts" in text and "creates none" in text and "--auth required" in text, text
    assert "the server creates the admin account 'admin' at start" not in text, text
    code, text, err = run(capsys, "restore", str(out), "--db", str(tmp_path / "new2.sqlite"))
    assert code == 0 and "不会新建账号" in text and "--auth required" in text, (text, err)


# -- 6. backup to a folder SQLite cannot write in: a clean error ---------------------------------------------
@pytest.mark.skipif(not os.path.isdir("/proc/self") or not os.access("/proc", os.W_OK),
                    reason="needs /proc that os.access calls writable (as root on Linux)")
@pytest.mark.parametrize("lang, said", [("en", "the file could not be written"), ("zh", "文件无法写入")])
def test_backup_into_proc_is_a_clean_error(archive, lang, said, capsys):  # noqa: F811
    _, db = archive
    code, _, err = run(capsys, "--lang", lang, "backup", "--db", str(db), "--out", "/proc/bk.zip")
    assert code == 2 and said in err and "/proc/bk.zip" in err and "Traceback" not in err, err


def test_backup_whose_snapshot_cannot_be_opened_is_a_clean_error(archive, tmp_path, monkeypatch, capsys):  # noqa: F811
    _, db = archive
    real = sqlite3.connect

    def refuse_copies(path, *a, **kw):  # the source opens; the copy beside the archive does not
        if os.path.basename(os.fspath(path)).startswith(".bk.zip."):
            raise sqlite3.OperationalError("unable to open database file")
        return real(path, *a, **kw)
    monkeypatch.setattr(bk.sqlite3, "connect", refuse_copies)
    target = tmp_path / "bk.zip"
    code, _, err = run(capsys, "--lang", "en", "backup", "--db", str(db), "--out", str(target))
    assert code == 2 and f"--out {target}: the file could not be written" in err and "Traceback" not in err, err
    assert not target.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".bk.zip")]
