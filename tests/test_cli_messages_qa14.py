"""CLI messages that pointed the wrong way (QA 14): an unknown --encoding, a stray byte, a negative
weight counted from row 0, and propose --out refused for a .docx only after the solve, without .geojson."""
from __future__ import annotations

import pytest

from cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_unknown_encoding_and_the_line_of_a_stray_byte(tmp_path, capsys):
    f = tmp_path / "r.csv"
    f.write_bytes("名称,类型,经度,纬度\n甲,日照中心,110.8,32.6\n".encode())
    code, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(f), "--encoding", "klingon",
                    "--type", "day_care", "--dry-run")
    assert code == 2 and "unknown text encoding 'klingon'" in err, err
    f.write_bytes(b"name,lon,lat\nab,110.8,32.6\n\xff\xfe\xfa\xfbzz,110.8,32.6\n")
    code, err = run(capsys, "data", "import", "facilities", str(f), "--type", "day_care", "--dry-run")
    assert code == 2 and "（第 3 行起）" in err, err


def test_a_negative_weight_is_named_by_its_line(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("id,x,y,weight\nd0,0,0,1\nd1,10,0,-5\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("id,x,y\nA,0,0\n", encoding="utf-8")
    code, err = run(capsys, "--lang", "en", "solve", "--model", "pmedian", "--p", "1",
                    "--demand", str(tmp_path / "d.csv"), "--candidates", str(tmp_path / "c.csv"))
    assert code == 2 and "negative at line(s) 3" in err and "[1]" not in err, err


@pytest.mark.parametrize("lang, said", [("en", ".geojson, .csv or .xlsx"), ("zh", ".geojson、.csv 或 .xlsx")])
def test_propose_out_names_every_format_before_solving(tmp_path, capsys, lang, said):
    code, err = run(capsys, "--lang", lang, "propose", "--type", "day_care", "--out", str(tmp_path / "x.docx"))
    assert code == 2 and said in err, err
