"""QA 31: names that read as another account's got in: a letter of phonetic notation (ᴀdmin, small capital A), then
Cherokee Ꭺdmin, Lisu ꓮdmin, admın with a dotless ı, ǀocal (a click letter) for the reserved local, ƅob, and an
all-Greek ΤΟΜ beside TOM. The rule is now an allow-list fit for names written in Chinese characters or pinyin:
letters a-z with or without accent and tone marks, CJK ideographs and 〇, digits 0-9, ASCII signs and the middle
dot ·. Accounts whose names the rule now refuses keep working: the rule applies when a name is given."""
from __future__ import annotations

import sqlite3

import pytest

from accounts import PW, accounts_app, signed_in
from test_qa21_cli import run
from web.users import NAME_RULE, AccountError, UserStore, check_name

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize(("name", "place", "code", "uname"), [
    ("ᴀdmin", 1, "U+1D00", "LATIN LETTER SMALL CAPITAL A"),
    ("ʙoss", 1, "U+0299", "LATIN LETTER SMALL CAPITAL B"),
    ("wanɡ", 4, "U+0261", "LATIN SMALL LETTER SCRIPT G"),
    ("ꜱun", 1, "U+A731", "LATIN LETTER SMALL CAPITAL S"),
    ("li\u1d05", 3, "U+1D05", "LATIN LETTER SMALL CAPITAL D"),
    ("Ꭺdmin", 1, "U+13AA", "CHEROKEE LETTER GO"),
    ("ꓮdmin", 1, "U+A4EE", "LISU LETTER A"),
    ("admın", 4, "U+0131", "LATIN SMALL LETTER DOTLESS I"),
    ("ǀocal", 1, "U+01C0", "LATIN LETTER DENTAL CLICK"),
    ("ƅob", 1, "U+0185", "LATIN SMALL LETTER TONE SIX"),
    ("ΤΟΜ", 1, "U+03A4", "GREEK CAPITAL LETTER TAU"),
    ("Ωμέγα", 1, "U+03A9", "GREEK CAPITAL LETTER OMEGA"),
    ("Łukasz", 1, "U+0141", "LATIN CAPITAL LETTER L WITH STROKE"),
    ("한국", 1, "U+D55C", "HANGUL SYLLABLE HAN"),
    ("李⺁", 2, "U+2E81", "CJK RADICAL CLIFF"),
    ("٣li", 1, "U+0663", "ARABIC-INDIC DIGIT THREE"),
    ("li€", 3, "U+20AC", "EURO SIGN"),
    ("买买提・艾力", 4, "U+30FB", "KATAKANA MIDDLE DOT"),
])
def test_letters_outside_the_allow_list_are_refused_by_place_and_unicode_name(name, place, code, uname):
    with pytest.raises(AccountError) as e:
        check_name(name)
    assert e.value.code == "name"
    assert f"character {place}," in e.value.en and f"({code}, {uname})" in e.value.en, e.value.en
    assert f"第 {place} 个字符" in e.value.zh and f"（{code}, {uname}）" in e.value.zh, e.value.zh
    assert e.value.en.endswith(NAME_RULE[0]) and e.value.zh.endswith(NAME_RULE[1])


def test_the_refusal_says_why_in_both_languages():
    with pytest.raises(AccountError) as e:
        check_name("Ꭺdmin")
    assert "Cherokee letter" in e.value.en and "切罗基字母" in e.value.zh
    with pytest.raises(AccountError) as e:
        check_name("admın")
    assert "Latin letter other than a-z" in e.value.en and "以外的拉丁字母" in e.value.zh
    with pytest.raises(AccountError) as e:
        check_name("买买提・艾力")  # the katakana dot an input method may give: told which dot to type
    assert "type · (U+00B7" in e.value.en and "改用 ·" in e.value.zh


@pytest.mark.parametrize("name", ["admin", "wáng", "lǚ", "Lǘ", "nǚ", "王建国", "买买提·艾力", "zhang_3", "li.wei", "Émile",
                                  "王ab12", "〇一", "\U00020000x", "o'neil", "a-b@c+d", "Nguyễn"])
def test_names_people_here_have_stay_allowed(name):
    assert check_name(name) == name


def test_pinyin_typed_decomposed_is_taken_composed():
    assert check_name("lu\u0308\u030c") == "lǚ"  # u, diaeresis, caron: as a Mac or a phone may send it
    with pytest.raises(AccountError):
        check_name("m\u0300")  # a mark no precomposed letter takes: refused, not left hanging


def test_greek_tom_beside_tom_is_refused_by_the_api(tmp_path):
    app = accounts_app(tmp_path, [("boss", "admin", None), ("TOM", "viewer", None)])
    try:
        boss = signed_in(app, "boss")
        r = boss.post("/api/admin/users", json={"name": "ΤΟΜ", "role": "viewer"}, headers=EN)
        assert r.status_code == 400 and r.get_json()["code"] == "name", r.get_json()
        assert "GREEK CAPITAL LETTER TAU" in r.get_json()["message"]
        r = boss.patch("/api/admin/users/TOM", json={"name": "ǀocal"})  # reads as the reserved local
        assert r.status_code == 400 and "U+01C0" in r.get_json()["message"], r.get_json()
        assert {u["name"] for u in boss.get("/api/admin/users").get_json()} == {"admin", "boss", "TOM"}
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_an_account_the_rule_now_refuses_keeps_working(tmp_path):
    """Made before the rule (here written straight into the database): it logs in, is managed and renamed."""
    app = accounts_app(tmp_path, [("boss", "admin", None)])
    try:
        users: UserStore = app.extensions["coverplan"]["users"]
        made, _ = users.add("omega", "viewer", password=PW, must_change=False)
        with sqlite3.connect(users.path) as con:
            con.execute("UPDATE users SET name = ? WHERE id = ?", ("Ωμέγα", made.id))
        me = signed_in(app, "Ωμέγα").get("/api/me").get_json()
        assert me["name"] == "Ωμέγα"
        boss = signed_in(app, "boss")
        assert boss.patch("/api/admin/users/Ωμέγα", json={"role": "planner"}).status_code == 200
        assert boss.post("/api/admin/users/Ωμέγα/reset").status_code == 200
        r = boss.patch("/api/admin/users/Ωμέγα", json={"name": "omega_1"})
        assert r.status_code == 200 and r.get_json()["user"]["name"] == "omega_1", r.get_json()
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_cli_refuses_it_too_and_its_help_says_the_rule(tmp_path, capsys):
    db = str(tmp_path / "u.sqlite")
    code, out, err = run(capsys, "--lang", "en", "users", "add", "Ꭺdmin", "--role", "viewer", "--db", db)
    assert code == 2 and "CHEROKEE LETTER GO" in err and "Traceback" not in err, err
    code, out, err = run(capsys, "--lang", "zh", "users", "add", "admın", "--role", "viewer", "--db", db)
    assert code == 2 and "第 4 个字符" in err and "DOTLESS I" in err, err
    code, out, err = run(capsys, "--lang", "zh", "users", "add", "买买提·艾力", "--role", "viewer", "--db", db)
    assert code == 0, err
    code, out, _ = run(capsys, "users", "add", "--help")
    assert "间隔号" in out and "切罗基" in out and "汉字" in out
    code, out, _ = run(capsys, "--lang", "en", "users", "add", "--help")
    assert "tone marks" in out and "Cherokee" in out


@pytest.mark.parametrize(("first", "second"), [("wáng.admin", "wang.admin"), ("管理员·王", "管理员.王"),
                                               ("Lǚ", "lu")])
def test_names_that_differ_by_tone_marks_or_the_middle_dot_read_as_one(tmp_path, first, second):
    """Round 3: wang.admin was added beside wáng.admin, 管理员.王 beside 管理员·王."""
    from web.users import UserStore

    store = UserStore(tmp_path / "u.sqlite")
    store.add(first, "viewer", password="a-long-password-1")
    with pytest.raises(AccountError) as e:
        store.add(second, "viewer", password="a-long-password-1")
    assert e.value.code == "exists" and first in e.value.zh, e.value.zh


@pytest.mark.parametrize("name", ["·", "··", ".·"])
def test_middle_dots_alone_are_no_name(name):
    with pytest.raises(AccountError) as e:
        check_name(name)
    assert "dots alone" in e.value.en


@pytest.mark.parametrize(("first", "second"), [("城市规划员", "城市規劃員"), ("管理員王", "管理员王"), ("臺灣辦", "台湾办")])
def test_traditional_and_simplified_forms_of_a_name_read_as_one(tmp_path, first, second):
    """QA 32: 城市規劃員 was added beside 城市规划员 (OpenCC's traditional -> simplified table)."""
    from web.users import UserStore, name_key

    assert name_key(first) == name_key(second)
    store = UserStore(tmp_path / "u.sqlite")
    store.add(first, "viewer", password="a-long-password-1")
    with pytest.raises(AccountError) as e:
        store.add(second, "viewer", password="a-long-password-1")
    assert e.value.code == "exists" and first in e.value.zh, e.value.zh
    assert name_key("王一") != name_key("王二")  # different names stay apart


@pytest.mark.parametrize("name", ["本机", "本機", "WEB"])
def test_the_name_the_version_lists_give_the_open_server_is_reserved(tmp_path, name):
    """QA 32: an account named 本机 read, in the version lists, as the open server's page."""
    from web.users import UserStore

    with pytest.raises(AccountError) as e:
        UserStore(tmp_path / "u.sqlite").add(name, "viewer", password="a-long-password-1")
    assert e.value.code == "name" and "保留" in e.value.zh and "reserved" in e.value.en


def test_a_traditional_twin_is_refused_naming_the_reason(tmp_path):
    from web.users import UserStore

    store = UserStore(tmp_path / "u.sqlite")
    store.add("城市规划员", "viewer", password="a-long-password-1")
    with pytest.raises(AccountError) as e:
        store.add("城市規劃員", "viewer", password="a-long-password-1")
    assert "繁体字视同简体字" in e.value.zh and "traditional Chinese characters as simplified" in e.value.en
