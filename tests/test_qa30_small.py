"""QA 30, small items."""
from __future__ import annotations

from cli.main import main


def test_the_cli_sized_xlsx_writes_utilisation_as_a_percent_number(tmp_path):
    """The sized table is built from dicts: pandas made its utilisation column the str dtype, and the shares
    were skipped and written as text ('35.1%') where the web's .xlsx has 0.351 shown as 0.0%."""
    from openpyxl import load_workbook

    out = tmp_path / "s.xlsx"
    assert main(["propose", "--type", "welfare_home", "--sizes", "30", "--county", "郧阳区", "--budget", "1",
                 "--out", str(out)]) == 0
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=False))
    head = next(i for i, r in enumerate(rows) if any(c.value == "使用率" for c in r))
    col = next(j for j, c in enumerate(rows[head]) if c.value == "使用率")
    cells = [r[col] for r in rows[head + 1:] if r[col].value is not None]
    assert cells and all(isinstance(c.value, float) and 0 < c.value <= 1 for c in cells), [c.value for c in cells]
    assert all("%" in c.number_format for c in cells)


def test_the_cli_refuses_a_model_with_sizes_as_the_web(capsys):
    """--model with --sizes was dropped without a word (its help says it is not used there); the web says 400."""
    code = main(["--lang", "en", "propose", "--type", "welfare_home", "--sizes", "30,60", "--model", "mclp"])
    err = capsys.readouterr().err
    assert code == 2 and "--model applies only without --sizes" in err and "Traceback" not in err, err
    assert main(["propose", "--type", "welfare_home", "--sizes", "30", "--model", "auto", "--budget", "1",
                 "--county", "郧阳区", "--json"]) == 0  # the default stays usable
