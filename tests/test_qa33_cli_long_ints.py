"""QA 33: a whole-number option of thousands of digits (int() refuses past 4,300) was "not a whole number",
echoing every digit; it is now read as the huge number it is, so the option's own check refuses it, said cut."""
from __future__ import annotations

import pytest

from cli.options import given_int
from test_qa21_cli import run


def test_a_long_number_is_a_number_said_by_its_first_digits():
    n = given_int("9" * 5000)
    assert n > 10**300 and str(n) == "9" * 40 + "…"
    assert given_int("-" + "9" * 5000) < -10**300
    assert given_int("0" * 5000 + "7") == 7  # leading zeros do not count
    assert given_int("12") == 12 and type(given_int("12")) is int


@pytest.mark.parametrize("lang, said", [("en", "No data version " + "9" * 40 + "…"), ("zh", "没有数据版本 " + "9" * 40 + "…")])
def test_rollback_to_five_thousand_nines_names_the_version_cut(capsys, tmp_path, monkeypatch, lang, said):
    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path))
    code, out, err = run(capsys, "--lang", lang, "data", "rollback", "9" * 5000)
    assert code != 0 and said in err, err
    assert "9" * 41 not in err and "whole number" not in err and "Traceback" not in err
