"""QA 31: a name with a letter of phonetic notation (ᴀdmin, small capital A) read as admin beside the real
admin: NFKC keeps it and it is Latin, so the compatibility and mixed-script checks let it in."""
from __future__ import annotations

import pytest

from test_qa21_cli import run
from web.users import AccountError, check_name


@pytest.mark.parametrize(("name", "place"), [("ᴀdmin", 1), ("ʙoss", 1), ("wanɡ", 4), ("ꜱun", 1), ("li\u1d05", 3)])
def test_letters_of_phonetic_notation_are_refused_by_place(name, place):
    with pytest.raises(AccountError) as e:
        check_name(name)
    assert e.value.code == "name"
    assert f"character {place}," in e.value.en and "phonetic notation" in e.value.en, e.value.en
    assert f"第 {place} 个字符" in e.value.zh and "音标字母" in e.value.zh, e.value.zh


@pytest.mark.parametrize("name", ["admin", "wáng", "Łukasz", "Søren", "Straße", "王建国", "zhang_3", "Đặng"])
def test_names_people_have_stay_allowed(name):
    assert check_name(name) == name


def test_the_cli_refuses_it_too(tmp_path, capsys):
    db = str(tmp_path / "u.sqlite")
    code, out, err = run(capsys, "--lang", "en", "users", "add", "ᴀdmin", "--role", "viewer", "--db", db)
    assert code == 2 and "phonetic notation" in err and "Traceback" not in err, err
